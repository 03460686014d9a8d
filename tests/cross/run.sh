#!/bin/bash
# tests/cross/run.sh -- images are the same bytes everywhere.  Builds Pith
# for s390x (big-endian) and aarch64 with Debian's cross compilers, runs
# them under qemu-user, and checks:
#   - each cross build's boot image (made by its own mkboot, under qemu)
#     equals the native one byte for byte;
#   - roundtrip.scm, saved on x86-64 in the middle of its loop, resumes on
#     the other architecture with the same output, and the image it saves
#     at its next save point equals the one x86-64 saves there;
#   - a smoke subset of the Scheme tests passes there.
#
#   bash tests/cross/run.sh PATH/TO/native/pith
#
# Needs gcc-s390x-linux-gnu, gcc-aarch64-linux-gnu, their libc6-dev-*-cross
# and qemu-user (tools/test-deps.sh installs them).  Prints one line per
# check that failed, then "N passed, M failed".
# SPDX-License-Identifier: MIT
set -u
native=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# the native run: saves a.img (iteration 2) and b.img (iteration 3)
mkdir -p "$tmp/native" "$tmp/native-resumed"
(cd "$tmp/native" && "$native" "$root/tests/cross/roundtrip.scm" > out 2> err) || bad "native run: $(head -3 "$tmp/native/err")"
cp "$tmp/native/a.img" "$tmp/native-resumed/" 2>/dev/null
(cd "$tmp/native-resumed" && "$native" -i a.img > out 2> err) || bad "native resume: $(head -3 "$tmp/native-resumed/err")"

for arch in s390x aarch64; do
    case $arch in
        s390x) triple=s390x-linux-gnu ;;
        aarch64) triple=aarch64-linux-gnu ;;
    esac
    build="$root/build-$arch"
    if ! make -C "$root" --no-print-directory BUILD="build-$arch" CC="$triple-gcc" AR="$triple-ar" \
            SANFLAGS=-static RUN="qemu-$arch" "build-$arch/pith" > "$tmp/build-$arch.log" 2>&1; then
        bad "$arch: the cross build failed: $(grep -m3 -i error "$tmp/build-$arch.log")"
        continue
    fi
    run() { "qemu-$arch" "$build/pith" "$@"; }
    if cmp -s "$build/boot.img" "$(dirname "$native")/boot.img"; then ok; else bad "$arch: its boot image differs from the native one"; fi
    # resume the native image there
    mkdir -p "$tmp/$arch"
    cp "$tmp/native/a.img" "$tmp/$arch/"
    if (cd "$tmp/$arch" && run -i a.img > out 2> err); then ok; else bad "$arch: resuming the native image: $(head -3 "$tmp/$arch/err")"; fi
    if cmp -s "$tmp/$arch/out" "$tmp/native-resumed/out"; then ok
    else bad "$arch: the resumed output differs: $(diff "$tmp/native-resumed/out" "$tmp/$arch/out" | head -5)"; fi
    if cmp -s "$tmp/$arch/b.img" "$tmp/native-resumed/b.img"; then ok
    else bad "$arch: the image saved at the next save point differs from the native one"; fi
    # and back: the native build resumes what this one saved
    mkdir -p "$tmp/back-$arch"
    cp "$tmp/$arch/b.img" "$tmp/back-$arch/" 2>/dev/null
    if (cd "$tmp/back-$arch" && "$native" -i b.img > out 2>&1) && [ "$(head -1 "$tmp/back-$arch/out")" = resumed ] &&
       grep -q '^(4 rec' "$tmp/back-$arch/out"; then ok
    else bad "$arch: the native build does not resume its image: $(head -3 "$tmp/back-$arch/out")"; fi
    # a smoke subset of the Scheme tests
    last=$(cd "$root" && run tests/run.scm tests/scheme/smoke.scm tests/scheme/tower.scm tests/scheme/strings.scm tests/scheme/ports.scm 2>&1 | tail -1)
    if [[ "$last" =~ ^[0-9]+\ passed,\ 0\ failed$ ]]; then ok; else bad "$arch: the smoke tests: $last"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
