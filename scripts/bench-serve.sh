#!/usr/bin/env bash
# Live-reload benchmark of `studybook serve` on the shared corpus (release build): p50/p95 from the
# file write to the new HTML being served, for body and title edits, against the full build; then
# a burst of saves, RSS under 50 parallel requests for the print page and after 1,000 edits.
#   scripts/bench-serve.sh [PAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-1000}
gen=${GEN_CORPUS:-../shared/bench/gen_corpus.py}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
python3 "$gen" --pages "$pages" --out "$work/site" --flavor studybook >/dev/null
# A warm render cache, as after the first `studybook build` or `serve`.
target/release/studybook build "$work/site" -q || true
python3 scripts/bench-serve.py "$PWD/target/release/studybook" "$work/site"
