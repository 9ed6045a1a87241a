#!/usr/bin/env bash
# Build-speed benchmark on the shared corpus: studybook cold (no cache) and warm, with Hugo
# (server-side KaTeX via transform.ToMath) measured on the same pages in the same run as the
# baseline, since these machines are shared and noisy. Reports medians of RUNS runs.
#   scripts/bench.sh [PAGES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-1000}
runs=${2:-3}
gen=${GEN_CORPUS:-../shared/bench/gen_corpus.py}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=$PWD/target/release/studybook
python3 "$gen" --pages "$pages" --out "$work/sb" --flavor studybook >/dev/null
have_hugo=0
if command -v hugo >/dev/null; then
  python3 "$gen" --pages "$pages" --out "$work/hugo" --flavor hugo >/dev/null
  have_hugo=1
fi

# Runs a command, prints "seconds peak_rss_kb" (wall clock; peak RSS of the command).
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(f"{elapsed:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A t rss
for kind in cold warm hugo_cold hugo_warm; do : > "$work/$kind"; done
for _ in $(seq "$runs"); do
  rm -rf "$work/sb/.studybook" "$work/sb/book"
  measure "$bin" build "$work/sb" -q >> "$work/cold"
  measure "$bin" build "$work/sb" -q >> "$work/warm"
  if [ $have_hugo = 1 ]; then
    # Hugo keeps ToMath results in its cache dir (by default under $TMPDIR, across sites):
    # a cold run starts from an empty one.
    rm -rf "$work/hugo/public" "$work/hugo/resources" "$work/hugo/.hugo_build.lock" "$work/hugo-cache"
    measure hugo --quiet -s "$work/hugo" --cacheDir "$work/hugo-cache" >> "$work/hugo_cold"
    measure hugo --quiet -s "$work/hugo" --cacheDir "$work/hugo-cache" >> "$work/hugo_warm"
  fi
done
for kind in cold warm hugo_cold hugo_warm; do
  [ -s "$work/$kind" ] || continue
  t[$kind]=$(cut -d' ' -f1 "$work/$kind" | median)
  rss[$kind]=$(cut -d' ' -f2 "$work/$kind" | median)
done

summary=$("$bin" build "$work/sb" 2>&1 | tail -1)
formulas=$(echo "$summary" | grep -o '[0-9]* formulas' | cut -d' ' -f1)
# Topic pages only (the corpus names them page-NNNN), not the print view or the index.
html_bytes=$(find "$work/sb/book" -name 'page-*.html' -printf '%s\n' | awk '{s+=$1; n++} END {printf "%d", s/n}')

echo "corpus: $pages pages, $formulas formulas, median of $runs runs"
printf "studybook cold: %6.2f s  %6.0f formulas/s  peak %4d MB\n" "${t[cold]}" "$(awk "BEGIN{print $formulas / ${t[cold]}}")" $(( ${rss[cold]} / 1024 ))
printf "studybook warm: %6.2f s  peak %4d MB\n" "${t[warm]}" $(( ${rss[warm]} / 1024 ))
echo "HTML per topic page: $html_bytes bytes"
if [ $have_hugo = 1 ]; then
  printf "hugo cold:      %6.2f s  peak %4d MB\n" "${t[hugo_cold]}" $(( ${rss[hugo_cold]} / 1024 ))
  printf "hugo warm:      %6.2f s  peak %4d MB\n" "${t[hugo_warm]}" $(( ${rss[hugo_warm]} / 1024 ))
  printf "ratios: cold %.2fx hugo cold, warm %.2fx hugo warm\n" \
    "$(awk "BEGIN{print ${t[cold]} / ${t[hugo_cold]}}")" "$(awk "BEGIN{print ${t[warm]} / ${t[hugo_warm]}}")"
fi
