#!/bin/sh
# Puts a bundle built in <new pkg dir> into <pkg dir>, beside the files
# already there, then moves the new hash file into place. The previous
# build's files stay: a server still running it (it keeps the hash file it
# started with) and tabs still showing it find their own names. The files
# of builds before that are removed. Which files are whose is kept beside
# the hash file (`bundle-current.txt`, `bundle-previous.txt`), not served.
# Usage: publish_bundle.sh <new pkg dir> <pkg dir> <new hash file> <hash file>
set -eu
new=$1
pkg=$2
new_hash=$3
hash_file=$4
lists=$(dirname "$hash_file")
mkdir -p "$pkg" "$lists"
files=$(ls -A "$new")
if [ -e "$lists/bundle-current.txt" ]; then
  # The same build again leaves the one before it where it was.
  if ! printf '%s\n' $files | cmp -s - "$lists/bundle-current.txt"; then
    mv -f "$lists/bundle-current.txt" "$lists/bundle-previous.txt"
  fi
else
  # A bundle published before these lists were kept: all of it is previous.
  ls -A "$pkg" > "$lists/bundle-previous.txt"
fi
for f in $files; do
  mv -f "$new/$f" "$pkg/$f"
done
printf '%s\n' $files > "$lists/bundle-current.txt"
rmdir "$new"
for f in $(ls -A "$pkg"); do
  grep -qxF "$f" "$lists/bundle-current.txt" "$lists/bundle-previous.txt" || rm -rf "${pkg:?}/$f"
done
mv -f "$new_hash" "$hash_file"
