#!/bin/bash
# run-suite.sh BUILD NAME COMMAND...  -- run one test suite for `make test`.
# Its output goes to the terminal and to BUILD/test-logs/NAME.log; its last
# line must be "N passed, M failed".  A line "NAME: N passed, M failed" (or
# "NAME: BROKEN ..." when the suite did not finish properly) is appended to
# BUILD/test-summary.  Always exits 0: tools/test-summary.sh decides.
# SPDX-License-Identifier: MIT
build=$1; name=$2; shift 2
log="$build/test-logs/$name.log"
mkdir -p "$(dirname "$log")"
echo "== $name"
start=$(date +%s.%N)
"$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
last=$(tail -n 1 "$log")
if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    p=${BASH_REMATCH[1]}; f=${BASH_REMATCH[2]}
    if [ "$status" != 0 ] && [ "$f" = 0 ]; then
        echo "$name: BROKEN (exit status $status with 0 failures reported) ${secs}s" >> "$build/test-summary"
    else
        echo "$name: $p passed, $f failed ${secs}s" >> "$build/test-summary"
    fi
else
    echo "$name: BROKEN (exit status $status; no \"N passed, M failed\" line) ${secs}s" >> "$build/test-summary"
fi
exit 0
