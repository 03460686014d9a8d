#!/bin/bash
# bench/compare.sh [PITH] -- runs every bench/programs/*.scm on Pith and on
# the peer implementations installed here, with the same size, and prints
# a Markdown table of CPU seconds (user + system), the ratio Pith/peer per
# benchmark, the geometric mean of the ratios per peer, and the start-up
# time and peak memory of a hello-world for each.  `make bench` runs it
# (after installing the peers from Debian).
#
# Peers: Guile 3 (programs compiled ahead with `guild compile -O2`), Chez
# Scheme (`chezscheme --program`, the import line replaced by R6RS
# imports), Gambit's interpreter `gsi` and CHICKEN's interpreter `csi`
# (the import line removed: both have the subset the programs use), and
# Lua 5.4 for the programs that have a bench/lua/ counterpart.
#
# Each program reads "SIZE EXPECTED" from standard input (its second line
# says which: ";; size: N expected: VALUE"), checks its own result and
# exits 1 when it is wrong; a failed run shows as "fail" and is left out of
# the means.  Benchmarks are measurements: make test never runs them.
# BENCH_ONLY="fib tak" limits the run to some programs.
# SPDX-License-Identifier: MIT
set -u
here=$(cd "$(dirname "$0")" && pwd)
pith=${1:-$here/../build/pith}
pith=$(cd "$(dirname "$pith")" && pwd)/$(basename "$pith")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "compare.sh needs GNU time (apt-get install time)"; exit 1; }

impls=(pith)
command -v guild >/dev/null && command -v guile >/dev/null && impls+=(guile)
command -v chezscheme >/dev/null && impls+=(chez)
command -v gsi >/dev/null && impls+=(gsi)
command -v csi >/dev/null && impls+=(csi)
command -v lua5.4 >/dev/null && impls+=(lua)

# prepare NAME IMPL FILE: make what IMPL runs; prints the command line
prepare() {
    local name=$1 impl=$2 f=$3
    case $impl in
        pith) echo "$pith $f" ;;
        guile)
            guild compile -O2 --r7rs -o "$tmp/$name.go" "$f" >/dev/null 2>&1 || { echo FAIL; return; }
            echo "guile --r7rs -q -c (load-compiled\"$tmp/$name.go\")" ;;
        chez)
            { echo '(import (rnrs) (rnrs mutable-pairs) (rnrs mutable-strings) (rnrs r5rs))'; sed 1d "$f"; } > "$tmp/$name.sps"
            echo "chezscheme --program $tmp/$name.sps" ;;
        gsi) sed 1d "$f" > "$tmp/$name.gsi.scm"; echo "gsi $tmp/$name.gsi.scm" ;;
        csi) sed 1d "$f" > "$tmp/$name.csi.scm"; echo "csi -s $tmp/$name.csi.scm" ;;
        lua) if [ -f "$here/lua/$name.lua" ]; then echo "lua5.4 $here/lua/$name.lua"; else echo NONE; fi ;;
    esac
}

# cpu INPUT CMD...: CPU seconds of one run, or "fail"
cpu() {
    local input=$1; shift
    if printf '%s\n' "$input" | "$TIME" -f "%U %S" -o "$tmp/time" "$@" > "$tmp/out" 2> "$tmp/err"; then
        awk '{ printf "%.2f", $1 + $2 }' "$tmp/time"
    else
        echo fail
    fi
}

declare -A secs
names=()
for f in "$here"/programs/*.scm; do
    name=$(basename "$f" .scm)
    if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]]; then continue; fi
    names+=("$name")
    sizeline=$(sed -n 2p "$f")
    input=$(echo "$sizeline" | sed -n 's/^;; size: \(.*\) expected: \(.*\)$/\1 \2/p')
    for impl in "${impls[@]}"; do
        cmd=$(prepare "$name" "$impl" "$f")
        in=$input
        if [ "$impl" = lua ] && [ "$cmd" != NONE ]; then
            l=$(sed -n 's/^-- size: \(.*\) expected: \(.*\)$/\1 \2/p' "$here/lua/$name.lua" | head -1)
            [ -n "$l" ] && in=$l
        fi
        case $cmd in
            NONE) secs[$name,$impl]="" ;;
            FAIL) secs[$name,$impl]=fail ;;
            "guile "*) secs[$name,$impl]=$(cpu "$in" guile --r7rs -q -c "(load-compiled \"$tmp/$name.go\")") ;;
            *) secs[$name,$impl]=$(cpu "$in" $cmd) ;;
        esac
        [ "${secs[$name,$impl]}" = fail ] && echo "($name on $impl failed: $(head -c 200 "$tmp/err" | tr '\n' ' '))" >&2
    done
done

# the table
peers=("${impls[@]:1}")
printf '| benchmark |'; for i in "${impls[@]}"; do printf ' %s |' "$i"; done
for p in "${peers[@]}"; do printf ' pith/%s |' "$p"; done; echo
printf '| --- |'; for i in "${impls[@]}" "${peers[@]}"; do printf ' ---: |'; done; echo
declare -A logsum count
for n in "${names[@]}"; do
    printf '| %s |' "$n"
    for i in "${impls[@]}"; do v=${secs[$n,$i]}; printf ' %s |' "${v:--}"; done
    a=${secs[$n,pith]}
    for p in "${peers[@]}"; do
        b=${secs[$n,$p]}
        if [[ "$a" =~ ^[0-9.]+$ && "$b" =~ ^[0-9.]+$ ]] && awk -v b="$b" 'BEGIN { exit !(b > 0) }'; then
            r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == 0) a = 0.005; printf "%.2f", a / b }')
            printf ' %s |' "$r"
            logsum[$p]=$(awk -v s="${logsum[$p]:-0}" -v r="$r" 'BEGIN { printf "%.6f", s + log(r) }')
            count[$p]=$(( ${count[$p]:-0} + 1 ))
        else
            printf ' - |'
        fi
    done
    echo
done
printf '| **geometric mean** |'; for i in "${impls[@]}"; do printf ' |'; done
for p in "${peers[@]}"; do
    if [ "${count[$p]:-0}" -gt 0 ]; then
        printf ' **%s** (%d) |' "$(awk -v s="${logsum[$p]}" -v c="${count[$p]}" 'BEGIN { printf "%.2f", exp(s / c) }')" "${count[$p]}"
    else printf ' - |'; fi
done
echo

# start-up: hello world, median wall time of 21 runs and peak RSS
echo
echo '| start-up (hello world) | median ms | peak RSS KB |'
echo '| --- | ---: | ---: |'
printf '(import (scheme base) (scheme write))\n(display "hello")\n(newline)\n' > "$tmp/hello.scm"
sed 1d "$tmp/hello.scm" > "$tmp/hello-noimport.scm"
{ echo '(import (rnrs))'; sed 1d "$tmp/hello.scm"; } > "$tmp/hello.sps"
echo 'print("hello")' > "$tmp/hello.lua"
guild compile -O2 --r7rs -o "$tmp/hello.go" "$tmp/hello.scm" >/dev/null 2>&1
for impl in "${impls[@]}"; do
    case $impl in
        pith) cmd=("$pith" "$tmp/hello.scm") ;;
        guile) cmd=(guile --r7rs -q -c "(load-compiled \"$tmp/hello.go\")") ;;
        chez) cmd=(chezscheme --program "$tmp/hello.sps") ;;
        gsi) cmd=(gsi "$tmp/hello-noimport.scm") ;;
        csi) cmd=(csi -s "$tmp/hello-noimport.scm") ;;
        lua) cmd=(lua5.4 "$tmp/hello.lua") ;;
    esac
    for k in $(seq 21); do
        "$TIME" -f "%e %M" -o "$tmp/t$k" "${cmd[@]}" > /dev/null 2>&1 < /dev/null
    done
    ms=$(for k in $(seq 21); do s=$(date +%s%N); "${cmd[@]}" > /dev/null 2>&1 < /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); done |
         sort -n | sed -n 11p | awk '{ printf "%.1f", $1 / 1000 }')
    rss=$(for k in $(seq 21); do awk '{ print $2 }' "$tmp/t$k"; done | sort -n | sed -n 11p)
    echo "| $impl | $ms | $rss |"
done
