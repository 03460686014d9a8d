#!/bin/bash
# replay.sh BUILD-FUZZ -- run every committed corpus input once through its
# harness (no fuzzing: deterministic).  "N passed, M failed" last.
# SPDX-License-Identifier: MIT
dir=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
for h in image read bytecode; do
    n=$(ls "$dir/corpus/$h" 2>/dev/null | wc -l)
    if [ "$n" = 0 ]; then echo "FAIL: no corpus in tests/fuzz/corpus/$h"; fail=$((fail + 1)); continue; fi
    if "$1/fuzz_$h" -runs=0 -max_len=1200000 -artifact_prefix="$1/" "$dir/corpus/$h" > "$1/replay-$h.log" 2>&1; then
        pass=$((pass + n))
    else
        fail=$((fail + 1))
        echo "FAIL: fuzz_$h on its corpus:"; grep -m5 -E "ERROR|panic|SUMMARY" "$1/replay-$h.log"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
