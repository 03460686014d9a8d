#!/bin/bash
# test-deps.sh -- make sure what `make test` needs is installed: the
# Unicode Character Database (unit tests of the character tables), GNU
# Guile (compatibility tests compare output with it), tmux (interactive
# REPL tests), cross compilers with qemu-user (images across
# architectures), qemu-system-x86 and musl-dev (the unikernel), and OCaml
# with dune, ctypes, Lwt and Alcotest (the OCaml bindings).  As root with apt-get it installs what is missing; otherwise
# it says what to install and fails.  Nothing is ever skipped.
# SPDX-License-Identifier: MIT
missing=()
[ -f /usr/share/unicode/UnicodeData.txt ] || missing+=(unicode-data)
command -v guile >/dev/null || missing+=(guile-3.0)
command -v tmux >/dev/null || missing+=(tmux)
# the Unicode tables are regenerated and compared (tools/check-unicode.sh)
command -v python3 >/dev/null || missing+=(python3)
# images across architectures (tests/cross): cross compilers and qemu-user
command -v s390x-linux-gnu-gcc >/dev/null || missing+=(gcc-s390x-linux-gnu)
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
[ -d /usr/s390x-linux-gnu/lib ] && [ -f /usr/s390x-linux-gnu/lib/libc.a ] || missing+=(libc6-dev-s390x-cross)
[ -f /usr/aarch64-linux-gnu/lib/libc.a ] || missing+=(libc6-dev-arm64-cross)
command -v qemu-s390x >/dev/null && command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
# the unikernel (hosts/metal, tests/metal): QEMU, and musl's libc.a for the
# math functions
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
[ -f /usr/lib/x86_64-linux-musl/libc.a ] || missing+=(musl-dev)
# the OCaml bindings (bindings/ocaml, tests/ocaml): dune, ctypes' stub
# generation, Lwt and Alcotest
command -v dune >/dev/null || missing+=(ocaml-dune)
command -v ocamlfind >/dev/null || missing+=(ocaml-findlib)
command -v ocamlopt >/dev/null || missing+=(ocaml)
[ -d /usr/lib/ocaml/ctypes ] || missing+=(libctypes-ocaml-dev)
[ -d /usr/lib/ocaml/lwt ] || missing+=(liblwt-ocaml-dev)
[ -d /usr/lib/ocaml/alcotest ] || missing+=(libalcotest-ocaml-dev)
# the fuzz harnesses (tests/fuzz; make test replays their corpora): clang's libFuzzer
command -v clang >/dev/null || missing+=(clang)
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
        { echo "test-deps: could not install ${missing[*]}"; exit 1; }
    exit 0
fi
echo "make test needs these Debian packages: ${missing[*]}"
echo "install them with: apt-get install ${missing[*]}"
exit 1
