#!/bin/bash
# compat/run.sh PITH -- runs every tests/compat/*.scm program with Pith and
# with GNU Guile in R7RS mode and compares what they print (stdout) and
# their exit status.  The programs use only what both implement the same
# way.  The last line is "N passed, M failed".
# SPDX-License-Identifier: MIT
pith=$1
dir=$(dirname "$0")
command -v guile >/dev/null || { echo "compat: guile is not installed (tools/test-deps.sh installs it)"; echo "0 passed, 1 failed"; exit 1; }
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in "$dir"/*.scm; do
    name=$(basename "$f")
    timeout 120 "$pith" "$f" > "$tmp/pith.out" 2> "$tmp/pith.err"; ps=$?
    GUILE_AUTO_COMPILE=0 timeout 120 guile --r7rs --no-auto-compile -q "$f" > "$tmp/guile.out" 2> "$tmp/guile.err"; gs=$?
    if cmp -s "$tmp/pith.out" "$tmp/guile.out" && [ "$ps" = "$gs" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name (pith exit $ps, guile exit $gs)"
        diff "$tmp/guile.out" "$tmp/pith.out" | head -20 | sed 's/^/  /'
        head -5 "$tmp/pith.err" | sed 's/^/  pith: /'
    fi
done
echo "$pass passed, $fail failed"
