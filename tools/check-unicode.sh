#!/bin/bash
# check-unicode.sh -- regenerate the Unicode tables from Debian's
# unicode-data with tools/gen_unicode.py and fail on any difference from
# the committed src/core/unicode_data.h.  "N passed, M failed" last.
# SPDX-License-Identifier: MIT
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
if ! python3 "$root/tools/gen_unicode.py" "${PITH_UCD_DIR:-/usr/share/unicode}" "$tmp" > /dev/null; then
    echo "FAIL: tools/gen_unicode.py did not run"; echo "0 passed, 1 failed"; exit 1
fi
if cmp -s "$tmp" "$root/src/core/unicode_data.h"; then
    echo "1 passed, 0 failed"
else
    echo "FAIL: src/core/unicode_data.h differs from what tools/gen_unicode.py makes now:"
    diff "$root/src/core/unicode_data.h" "$tmp" | head -10
    echo "0 passed, 1 failed"; exit 1
fi
