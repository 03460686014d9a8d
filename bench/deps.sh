#!/bin/bash
# bench/deps.sh -- install the peers `make bench` compares Pith with, from
# Debian: Guile 3 (with guild, to compile ahead), Chez Scheme, Gambit (gsi),
# CHICKEN (csi), Lua 5.4, and GNU time.  As root with apt-get it installs
# what is missing; otherwise it says what to install (and the benchmarks
# run on what is there).
# SPDX-License-Identifier: MIT
missing=()
command -v guild >/dev/null || missing+=(guile-3.0 guile-3.0-dev)
command -v chezscheme >/dev/null || missing+=(chezscheme)
command -v gsi >/dev/null || missing+=(gambc)
command -v csi >/dev/null || missing+=(chicken-bin)
command -v lua5.4 >/dev/null || missing+=(lua5.4)
[ -x /usr/bin/time ] || missing+=(time)
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
        echo "bench: could not install ${missing[*]}; comparing with what is installed"
    exit 0
fi
echo "bench: not installed (compared with what is there): ${missing[*]}"
