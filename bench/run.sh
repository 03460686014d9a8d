#!/bin/bash
# bench/run.sh [PITH] -- runs each bench/*.scm with Pith and with every peer
# Scheme installed here (Guile, Chez, Chibi, Gauche), and prints each
# measurement's seconds and the ratio Pith/peer.  Benchmarks are reported,
# never asserted: make test does not run them.  `make bench` runs this.
# SPDX-License-Identifier: MIT
set -u
here=$(cd "$(dirname "$0")" && pwd)
pith=${1:-$here/../build/pith}
declare -A peers=(
  [guile]="guile --r7rs --no-auto-compile -q"
  [chez]="chezscheme --script"
  [chibi]="chibi-scheme"
  [gauche]="gosh -r7"
)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in "$here"/*.scm; do
    name=$(basename "$f" .scm)
    echo "== $name"
    "$pith" "$f" > "$tmp/pith" 2>&1 || { echo "pith failed:"; cat "$tmp/pith"; continue; }
    for p in "${!peers[@]}"; do
        cmd=${peers[$p]}
        command -v "${cmd%% *}" >/dev/null || continue
        GUILE_AUTO_COMPILE=0 $cmd "$f" > "$tmp/$p" 2>/dev/null || { echo "($p failed)"; rm -f "$tmp/$p"; }
    done
    while read -r key secs; do
        line=$(printf '%-22s pith %8.3fs' "$key" "$secs")
        for p in "${!peers[@]}"; do
            [ -f "$tmp/$p" ] || continue
            ps=$(awk -v k="$key" '$1 == k {print $2}' "$tmp/$p")
            [ -n "$ps" ] && line+=$(awk -v a="$secs" -v b="$ps" -v p="$p" 'BEGIN { printf "   %s %8.3fs (x%.2f)", p, b, (b > 0 ? a / b : 0) }')
        done
        echo "$line"
    done < <(grep -E '^[A-Za-z0-9-]+ [0-9.e-]+$' "$tmp/pith")
done
