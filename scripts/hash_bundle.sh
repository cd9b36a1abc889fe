#!/bin/sh
# Gives the bundle's script, wasm and stylesheet names that carry a hash of
# their content (so browsers may keep them for good), and writes the hash
# file the server reads beside its binary to link them from every page.
# Usage: hash_bundle.sh <pkg dir> <hash file>
set -eu
pkg=$1
out=$2
hash() { sha256sum "$1" | cut -c1-20; }
js=$(hash "$pkg/model-suite.js")
wasm=$(hash "$pkg/model-suite_bg.wasm")
css=$(hash "$pkg/model-suite.css")
mv "$pkg/model-suite.js" "$pkg/model-suite.$js.js"
mv "$pkg/model-suite_bg.wasm" "$pkg/model-suite.$wasm.wasm"
mv "$pkg/model-suite.css" "$pkg/model-suite.$css.css"
mkdir -p "$(dirname "$out")"
printf 'js: %s\nwasm: %s\ncss: %s\n' "$js" "$wasm" "$css" > "$out"
