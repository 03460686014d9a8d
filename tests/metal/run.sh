#!/bin/bash
# tests/metal/run.sh -- the unikernel (hosts/metal) under QEMU, TCG:
#   - the Scheme test suite runs inside it (scaled down: PITH_TEST_SCALE=small
#     on its command line) with the same per-file results as the hosted run;
#   - sample.scm prints the same lines inside and hosted (transcendental
#     results within a relative 1e-12);
#   - exit statuses: (exit 3), (exit), (exit #f), emergency-exit, an
#     uncaught error (70), an unknown kernel option (64);
#   - the REPL driven over the serial line by a script, and ^C interrupting
#     a loop there;
#   - files: modules on the RAM disk, writing and reading back, directories;
#   - the clocks against the host's; the command line; PCI enumeration;
#   - a write into the stack's guard page: reported, then a panic (113).
#
#   bash tests/metal/run.sh BUILD   (BUILD/pith and BUILD/pith-metal.elf)
# Prints one line per failed check, then "N passed, M failed".
# SPDX-License-Identifier: MIT
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "$1" && pwd)
pith="$build/pith"
export PITH_METAL_KERNEL="$build/pith-metal.elf" PITH_METAL_TIMEOUT=300
run="$root/hosts/metal/run"
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2], expected [$3]"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1

[ -f "$PITH_METAL_KERNEL" ] || { echo "FAIL: no kernel at $PITH_METAL_KERNEL"; echo "0 passed, 1 failed"; exit 1; }

# 1. the Scheme suite, inside and hosted
tests=$(ls tests/scheme/*.scm | grep -v framework.scm)
libs=(); for f in $(find tests/scheme/libs -type f | sort); do libs+=(-f "$f"); done
"$run" -f tests/scheme/framework.scm "${libs[@]}" PITH_TEST_SCALE=small tests/run.scm $tests > "$tmp/metal.out" 2> "$tmp/metal.err"
st=$?
PITH_TEST_SCALE=small "$pith" tests/run.scm $tests > "$tmp/host.out" 2> "$tmp/host.err"
check "the Scheme suite's status in the kernel" "$st" 0
if diff "$tmp/host.out" "$tmp/metal.out" > "$tmp/suite.diff"; then ok; else bad "the suite's results differ from the hosted run:"; head -20 "$tmp/suite.diff"; head -10 "$tmp/metal.err"; fi
grep -q '^[1-9][0-9]* passed, 0 failed$' "$tmp/metal.out" && ok || bad "the suite inside the kernel: $(tail -1 "$tmp/metal.out")"

# 2. sample.scm, line by line
"$run" tests/metal/sample.scm a b > "$tmp/s-metal" 2>&1; st=$?
(cd "$root" && "$pith" tests/metal/sample.scm a b > "$tmp/s-host" 2>&1)
check "sample.scm's status" "$st" 0
if python3 - "$tmp/s-host" "$tmp/s-metal" <<'PY'
import sys, math
a = open(sys.argv[1]).read().splitlines(); b = open(sys.argv[2]).read().splitlines()
bad = len(a) != len(b)
for x, y in zip(a, b):
    if x.startswith('~') and y.startswith('~'):
        xs, ys = x.split()[1:], y.split()[1:]
        if len(xs) != len(ys) or any(abs(float(p) - float(q)) > 1e-12 * max(abs(float(p)), 1e-300) for p, q in zip(xs, ys)):
            bad = True; print("differs:", x, "|", y)
    elif x != y:
        bad = True; print("differs:", x, "|", y)
sys.exit(1 if bad else 0)
PY
then ok; else bad "sample.scm prints differently in the kernel"; fi
grep -q '^(tests/metal/sample.scm a b)$' "$tmp/s-metal" && ok || bad "the command line in the kernel: $(head -1 "$tmp/s-metal")"

# 3. exit statuses
printf '(car 5)\n' > "$tmp/err.scm"
status_of() { printf '%s\n' "$1" > "$tmp/st.scm"; "$run" "$tmp/st.scm" > /dev/null 2>&1; echo $?; }
check "(exit 3)" "$(status_of '(exit 3)')" 3
check "(exit)" "$(status_of '(display 1) (exit)')" 0
check "(exit #f)" "$(status_of '(exit #f)')" 1
check "(emergency-exit 5)" "$(status_of '(emergency-exit 5)')" 5
check "falling off the end" "$(status_of '(define x 1)')" 0
check "an uncaught error" "$(status_of '(car 5)')" 70
"$run" -- --bogus > /dev/null 2>&1; check "an unknown kernel option" "$?" 64
check "(exit 300) is 300 modulo 256, as POSIX" "$(status_of '(exit 300)')" 44
"$run" -m 1T "$tmp/st.scm" > /dev/null 2>&1; check "QEMU failing to start is not a success" "$?" 125
echo "earlier line" > "$tmp/log"
"$run" "$tmp/err.scm" >> "$tmp/log" 2>&1
head -1 "$tmp/log" | grep -q '^earlier line$' && grep -q 'car: expected a pair' "$tmp/log" && ok || bad "stderr appended to, not truncated: $(cat "$tmp/log")"
mkdir -p "$tmp/a dir"; cp "$PITH_METAL_KERNEL" "$tmp/a dir/k.elf"
out=$(PITH_METAL_KERNEL="$tmp/a dir/k.elf" "$run" "$tmp/st.scm" 2>&1; echo "status $?")
check "a kernel path with a space" "$out" "status 44"
"$run" "$tmp/err.scm" > "$tmp/e.out" 2> "$tmp/e.err"
grep -q 'err.scm:1:1: error: car: expected a pair, got 5' "$tmp/e.err" && ok || bad "the error report goes to stderr: $(cat "$tmp/e.err" "$tmp/e.out")"

# 4. the REPL over the serial line
out=$(printf '(define x 21)\n(* x 2)\n(car 5)\n(string-append "a" "b")\n\004' | "$run" 2> "$tmp/repl.err"; echo "status $?")
check "the REPL's output (^D ends it)" "$(echo "$out" | tr '\n' ' ')" '42 "ab" status 0 '
grep -q 'car: expected a pair' "$tmp/repl.err" && ok || bad "the REPL reports the error: $(cat "$tmp/repl.err")"
out=$( (printf '(define n 0)\n(let loop () (set! n (+ n 1)) (loop))\n'; sleep 3; printf '\003'; sleep 1; printf '(display (> n 0))\n(exit 7)\n') | "$run" 2> "$tmp/int.err"; echo " status $?")
check "^C interrupts a loop in the REPL" "$out" '#t status 7'
grep -q 'interrupted' "$tmp/int.err" && ok || bad "the interrupt is reported: $(cat "$tmp/int.err")"

# a long script piped in while the REPL computes: nothing is lost
{ printf '(define (spin n) (if (> n 0) (spin (- n 1))))\n(spin 300000)\n'
  for i in $(seq 1 400); do printf '(define v%d %d)\n' $i $i; done
  printf '(display (+ v1 v400))\n\004'; } > "$tmp/long.txt"
check "a 7 KB script through the console" "$("$run" < "$tmp/long.txt" 2>&1)" "401"

# 5. files on the RAM disk
mkdir -p "$tmp/d"
printf 'line one\nline two\n' > "$tmp/d/data.txt"
cat > "$tmp/d/files.scm" <<EOS
(import (scheme base) (scheme write) (scheme file))
(define data "$tmp/d/data.txt")
(display (call-with-input-file data read-line)) (newline)
(with-output-to-file "out/new.txt" (lambda () (display "written") (newline)))
(display (call-with-input-file "out/new.txt" read-line)) (newline)
(display (list (file-exists? "out/new.txt") (file-exists? "out") (file-exists? "nope"))) (newline)
(call-with-output-file "out/new.txt" (lambda (p) (write-string "again" p)))
(display (call-with-input-file "./out//new.txt" read-line)) (newline)
(delete-file "out/new.txt")
(display (file-exists? "out/new.txt")) (newline)
(display (guard (e ((file-error? e) 'file-error)) (open-input-file "nope.txt"))) (newline)
(define p1 (open-output-file "t1"))
(write-string "one" p1)
(flush-output-port p1)
(delete-file "t1")
(define p2 (open-output-file "t2"))
(close-port p1)
(write-string "two" p2)
(close-port p2)
(display (list (file-exists? "t1") (call-with-input-file "t2" read-line))) (newline)
EOS
out=$("$run" "$tmp/d/files.scm" "$tmp/d/data.txt" 2>&1)
check "files on the RAM disk" "$(echo "$out" | tr '\n' '|')" 'line one|written|(#t #t #f)|again|#f|file-error|(#f two)|'

# 6. clocks
out=$("$run" -- "$tmp/st.scm" 2>/dev/null; :)
cat > "$tmp/clock.scm" <<'EOS'
(import (scheme base) (scheme write) (scheme time))
(define t0 (current-jiffy))
(let loop ((i 0)) (when (< i 200000) (loop (+ i 1))))
(define t1 (current-jiffy))
(display (exact (round (current-second)))) (newline)
(display (and (> t1 t0) (> (jiffies-per-second) 0))) (newline)
EOS
out=$("$run" "$tmp/clock.scm" 2>&1)
host_now=$(date +%s)
guest_now=$(echo "$out" | head -1)
if [ -n "$guest_now" ] && [ "$guest_now" -eq "$guest_now" ] 2>/dev/null && [ $((guest_now - host_now)) -lt 120 ] && [ $((host_now - guest_now)) -lt 120 ]; then ok; else bad "the wall clock: guest $guest_now, host $host_now"; fi
check "the monotonic clock advances" "$(echo "$out" | sed -n 2p)" "#t"

# 7. PCI: QEMU's i440FX host bridge and PIIX3 ISA bridge
out=$("$run" --pci 2>&1)
echo "$out" | grep -q '^pci 0:0.0 8086:1237 class 6.0' && ok || bad "PCI enumeration: $out"
echo "$out" | grep -q ' 8086:7000 class 6.1' && ok || bad "PCI enumeration, the ISA bridge: $out"

# 8. a fault in the kernel: writing into the stack's guard page is reported
# (on the fault stack) and ends in a panic with its own status
out=$("$run" --fault 2>&1); st=$?
check "a kernel panic's status" "$st" 113
echo "$out" | grep -q 'page fault' && echo "$out" | grep -q 'the kernel stack overflowed' && echo "$out" | grep -q 'panic' && ok ||
    bad "the fault report: $out"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
