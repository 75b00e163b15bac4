#!/usr/bin/env bash
# Refresh the playground's editor (Ace, from npm's ace-builds) under
# vtl_engine/playground/static/vendor/ace: only the prebuilt files the page loads, the licence,
# and the version they came from. The page loads nothing from the network, so these files are
# committed; run this to move to another version, then try the page and its browser tests.
#
#   tools/vendor_playground.sh [VERSION]      (default: the version in VERSION beside the files)
set -euo pipefail
cd "$(dirname "$0")/.."
target=vtl_engine/playground/static/vendor/ace
version=${1:-$(cat "$target/VERSION")}
files=(ace.js mode-velocity.js mode-json.js mode-python.js
       theme-tomorrow_night.js ext-searchbox.js)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "ace-builds@$version" >/dev/null && tar xzf ace-builds-*.tgz)
mkdir -p "$target"
find "$target" -name '*.js' -delete
for file in "${files[@]}"; do
    cp "$work/package/src-min-noconflict/$file" "$target/$file"
done
cp "$work/package/LICENSE" "$target/LICENSE"
echo "$version" > "$target/VERSION"
echo "ace-builds $version: ${files[*]} -> $target"
