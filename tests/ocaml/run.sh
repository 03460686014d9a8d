#!/bin/bash
# tests/ocaml/run.sh -- the OCaml bindings (bindings/ocaml): builds the dune
# project, runs its Alcotest suite (test/test_pith.ml: every binding,
# callbacks both ways, errors, images, slices with a host that is not ready,
# values held across collections), then the three examples, and checks that
# nothing links libffi.  Run by `make test-ocaml` after libpith.a and the
# headers are copied in.  Prints "N passed, M failed" last.
# SPDX-License-Identifier: MIT
set -u
cd "$(dirname "$0")/../../bindings/ocaml" || exit 1
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if ! dune build 2>&1; then echo "FAIL: dune build"; echo "0 passed, 1 failed"; exit 1; fi
out=$(dune test --force 2>&1); st=$?
echo "$out" | tail -25
if [[ "$out" =~ Test\ Successful\ in\ [0-9.]+s\.\ ([0-9]+)\ tests?\ run ]] && [ $st = 0 ]; then
    pass=$((pass + BASH_REMATCH[1]))
elif [[ "$out" =~ ([0-9]+)\ failures?!\ in\ [0-9.]+s\.\ ([0-9]+)\ tests?\ run ]]; then
    fail=$((fail + BASH_REMATCH[1])); pass=$((pass + BASH_REMATCH[2] - BASH_REMATCH[1]))
else
    bad "the Alcotest suite did not finish (status $st)"
fi
exe=_build/default/examples
got=$(printf '(define x 5)\n(* x 8)\n(car 1)\n' | $exe/repl.exe 2> /tmp/pith-ocaml-repl.err; echo "status $?")
[ "$got" = "$(printf '40\nstatus 0')" ] && grep -q 'car: expected a pair' /tmp/pith-ocaml-repl.err && ok || bad "examples/repl: $got $(cat /tmp/pith-ocaml-repl.err)"
rm -f /tmp/pith-ocaml-repl.err
got=$($exe/kvstore.exe 2>&1)
expect='program returned (#t #f)
the store now holds: log=counted, poem=so much depends\nupon a red wheel barrow\n, report=(words 8)'
[ "$got" = "$expect" ] && ok || bad "examples/kvstore: $got"
got=$(echo 20 | $exe/lwt_loop.exe 2>&1)
[[ "$got" =~ ^fib\ =\ 6765\ after\ ([0-9]+)\ slices\;\ the\ ticker\ ran\ ([0-9]+)\ times ]] && [ "${BASH_REMATCH[1]}" -gt 1 ] && [ "${BASH_REMATCH[2]}" -gt 0 ] && ok || bad "examples/lwt_loop: $got"
# stub generation, not libffi: nothing links it
if ldd _build/default/test/test_pith.exe | grep -qi ffi; then bad "the test executable links libffi"; else ok; fi
if nm _build/default/test/test_pith.exe 2>/dev/null | grep -q ' U ffi_'; then bad "libffi symbols"; else ok; fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
