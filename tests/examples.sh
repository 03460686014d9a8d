#!/bin/bash
# examples.sh EMBED -- runs examples/embed and checks what it prints.
# SPDX-License-Identifier: MIT
out=$("$1" 2>&1); status=$?
pass=0; fail=0
expect() {
    if grep -qF -- "$1" <<<"$out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: expected a line containing: $1"; fi
}
expect "(square 12) = 144"
expect "(square 7) = 49"
expect 'upcased: ("PITH" "Λ") (a list of 2)'
expect "(c-hypot 3 4) = 5"
expect "(car '()) -> status 1, message: car: expected a pair, got, location: bad.scm:1:1"
expect "(c-hypot 'a 1) -> c-hypot: expected two numbers"
expect 'caught in Scheme: "c-hypot: expected two numbers"'
expect "endless loop with fuel -> status 1: fuel exhausted"
expect "unbounded allocation with a 32 MiB limit -> status 1: heap exhausted"
expect "kept across collections: (1 2 3)"
expect "hello from Scheme"
if [ "$status" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: embed exited with $status"; echo "$out"; fi
echo "$pass passed, $fail failed"
