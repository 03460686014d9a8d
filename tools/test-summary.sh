#!/bin/bash
# test-summary.sh SUMMARY...  -- print the suites' results and the total;
# the last line is "N passed, M failed"; exit 1 if anything failed or broke.
# SPDX-License-Identifier: MIT
total_p=0; total_f=0; broken=0
echo
echo "== summary"
for s in "$@"; do
    [ -f "$s" ] || { echo "missing results: $s"; broken=1; continue; }
    while read -r line; do
        echo "  $(dirname "$s") $line"
        if [[ "$line" =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
            total_p=$((total_p + BASH_REMATCH[1])); total_f=$((total_f + BASH_REMATCH[2]))
        else
            broken=$((broken + 1))
        fi
    done < "$s"
done
[ $broken = 0 ] || echo "$broken suite(s) did not finish properly"
echo "$total_p passed, $((total_f + broken)) failed"
[ $total_f = 0 ] && [ $broken = 0 ]
