#!/usr/bin/env bash
# Fetches KaTeX's CSS, woff2 fonts and license from the npm package `katex` at exactly the version
# the `katex` crate embeds (KATEX_VERSION), into static/katex/. The stylesheet is trimmed to the woff2
# fonts it ships, so no reference in the output points at a missing file.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(cat "$(cargo metadata --format-version 1 | python3 -c 'import json,sys; print([p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"]=="katex"][0])' | xargs dirname)/KATEX-VERSION")
version=${version//[[:space:]]/}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "katex@$version" >/dev/null && tar xzf "katex-$version.tgz")
out=static/katex
rm -rf "$out"
mkdir -p "$out/fonts"
cp "$tmp/package/LICENSE" "$out/LICENSE"
cp "$tmp/package/dist/fonts/"*.woff2 "$out/fonts/"
python3 - "$tmp/package/dist/katex.min.css" "$out/katex.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = re.sub(r',url\([^)]*\.woff\) format\("woff"\)', "", css)
css = re.sub(r',url\([^)]*\.ttf\) format\("truetype"\)', "", css)
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY
echo "$version" > "$out/VERSION"
echo "KaTeX $version -> $out"
