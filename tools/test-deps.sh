#!/bin/bash
# test-deps.sh -- make sure what `make test` needs is installed: the
# Unicode Character Database (unit tests of the character tables), GNU
# Guile (compatibility tests compare output with it) and tmux (interactive
# REPL tests).  As root with apt-get it installs what is missing; otherwise
# it says what to install and fails.  Nothing is ever skipped.
# SPDX-License-Identifier: MIT
missing=()
[ -f /usr/share/unicode/UnicodeData.txt ] || missing+=(unicode-data)
command -v guile >/dev/null || missing+=(guile-3.0)
command -v tmux >/dev/null || missing+=(tmux)
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
