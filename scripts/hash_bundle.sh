#!/bin/sh
# Gives the bundle's script, wasm modules and stylesheet names that carry a
# hash of their content (so browsers may keep them for good), and writes the
# hash file the server reads beside its binary to link them from every page.
# The page modules and shared chunks are renamed too, and the split loader
# (which fetches them) and the manifest (which the server reads to preload a
# page's modules) are rewritten to the new names. The loader and the shell
# script name each other, so the loader and the manifest are named by the
# build (a hash of everything else) rather than by their own content: every
# name differs between builds, and a server still running an older build
# finds its own files beside the new ones (scripts/publish_bundle.sh).
# Usage: hash_bundle.sh <pkg dir> <hash file>
set -eu
pkg=$1
out=$2
hash() { sha256sum "$1" | cut -c1-20; }
loader="$pkg/__wasm_split.______________________.js"
manifest="$pkg/__wasm_split_manifest.json"
for f in "$pkg"/split_*.wasm "$pkg"/chunk_*.wasm; do
  [ -e "$f" ] || continue
  stem=$(basename "$f" .wasm)
  h=$(hash "$f")
  mv "$f" "$pkg/$stem.$h.wasm"
  sed -i "s|\"\./$stem\.wasm\"|\"./$stem.$h.wasm\"|g; s|\"$stem\"|\"$stem.$h\"|g" "$loader" "$manifest"
done
# (Not the manifest: its order changes from build to build; the modules
# decide its content.)
build=$(cat "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css | sha256sum | cut -c1-20)
if [ -e "$loader" ]; then
  # Only where the script imports it: the wasm asks for its imports under
  # the loader's first name, which stays the key they are passed under.
  sed -i "s|from \"\./__wasm_split\.______________________\.js\"|from \"./__wasm_split.$build.js\"|g" "$pkg/model-suite.js"
fi
js=$(hash "$pkg/model-suite.js")
wasm=$(hash "$pkg/model-suite_bg.wasm")
css=$(hash "$pkg/model-suite.css")
mv "$pkg/model-suite.js" "$pkg/model-suite.$js.js"
mv "$pkg/model-suite_bg.wasm" "$pkg/model-suite.$wasm.wasm"
mv "$pkg/model-suite.css" "$pkg/model-suite.$css.css"
mkdir -p "$(dirname "$out")"
printf 'js: %s\nwasm: %s\ncss: %s\n' "$js" "$wasm" "$css" > "$out"
if [ -e "$loader" ]; then
  sed -i "s|\"\./model-suite\.js\"|\"./model-suite.$js.js\"|g" "$loader"
  mv "$loader" "$pkg/__wasm_split.$build.js"
  mv "$manifest" "$pkg/__wasm_split_manifest.$build.json"
  printf 'split: %s\nmanifest: %s\n' "$build" "$build" >> "$out"
fi
