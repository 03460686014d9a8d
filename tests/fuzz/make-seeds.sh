#!/bin/bash
# make-seeds.sh BUILD -- rewrite the image fuzzer's two seed images in
# tests/fuzz/corpus/image: Pith's boot image, and the image tests/fuzz/seeds.scm
# saves in the middle of a loop.  Run it whenever the image format or the
# bytecode changes (old seeds would only exercise the version check).
# SPDX-License-Identifier: MIT
set -e
build=${1:-build}
dir=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/corpus/image"
cp "$build/boot.img" "$dir/corpus/image/boot"
"$build/pith" "$dir/seeds.scm" "$dir/corpus/image/saved-loop" > /dev/null
"$build/pith" -i "$dir/corpus/image/saved-loop" | grep -q '^(resumed 20)$'
echo "seeds written to $dir/corpus/image"
