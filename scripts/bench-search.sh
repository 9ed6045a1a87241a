#!/usr/bin/env bash
# Search benchmark: builds the 1,000-page shared corpus with the release binary, then reports the
# index size (raw and gzip) against the page text it indexes, and in headless Chromium the time to
# load search-index.js and answer queries, with a topic page's own load time as the baseline.
#   scripts/bench-search.sh            (CORPUS=/tmp/corpus-1000 PAGES=1000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${PAGES:-1000}
CORPUS=${CORPUS:-/tmp/corpus-$PAGES}
OUT=${OUT:-$CORPUS/book-search}

[ -d "$CORPUS/content" ] || python3 ../shared/bench/gen_corpus.py --pages "$PAGES" --out "$CORPUS" --flavor studybook
cargo build --release --quiet
./target/release/studybook build "$CORPUS" --dest "$OUT" -q

index="$OUT/search-index.js"
raw=$(wc -c < "$index")
gz=$(gzip -9 -c "$index" | wc -c)
sizes() { cat "$@" | wc -c; }
gzsizes() { for f in "$@"; do gzip -9 -c "$f" | wc -c; done | awk '{s+=$1} END {print s}'; }
shards_raw=$(sizes "$OUT"/search/text-*.js)
shards_gz=$(gzsizes "$OUT"/search/text-*.js)
buckets=$(ls "$OUT"/search/postings-*.js | wc -l)
buckets_raw=$(sizes "$OUT"/search/postings-*.js)
buckets_gz=$(gzsizes "$OUT"/search/postings-*.js)
# Page text: the sections' text, headings and page titles the index holds (what snippets show).
text=$(node -e '
  const dir = process.argv[1]; global.window = {}; const texts = [];
  global.studybookSearchText = (n, list) => texts.push(...list);
  require(dir + "/search-index.js");
  const ix = window.studybookSearch; let n = 0;
  ix.x.forEach((_, k) => require(dir + "/search/text-" + k + ".js"));
  for (const t of texts) n += Buffer.byteLength(t);
  for (const d of ix.d) n += Buffer.byteLength(d[1]);
  for (const p of ix.p) n += Buffer.byteLength(p[1]);
  console.log(n, ix.t.length, ix.d.length, ix.x.length, ix.p[Math.floor(ix.p.length / 2)][0]);' "$(realpath "$OUT")")
read -r text_bytes terms docs shards page <<< "$text"
html=$(find "$OUT" -name '*.html' -print0 | xargs -0 cat | wc -c)
ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }
echo "pages: $PAGES  sections: $docs  terms: $terms  text shards: $shards"
echo "page text (titles, headings, section text): $text_bytes bytes;  all HTML: $html bytes"
echo "search-index.js (loaded on first search): $raw bytes raw ($(ratio "$raw" "$text_bytes")x page text), $gz gzip -9 ($(ratio "$gz" "$text_bytes")x)"
echo "$buckets postings buckets (loaded for the query's terms): $buckets_raw bytes raw ($(ratio "$buckets_raw" "$text_bytes")x), $buckets_gz gzip -9 ($(ratio "$buckets_gz" "$text_bytes")x)"
echo "text shards (loaded for the results shown): $shards_raw bytes raw ($(ratio "$shards_raw" "$text_bytes")x), $shards_gz gzip -9 ($(ratio "$shards_gz" "$text_bytes")x)"
echo "in Chromium, from file://$OUT/$page:"
(cd tests/browser && node bench-search.mjs "$(realpath "$OUT")" "$page")
