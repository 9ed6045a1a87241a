// Search benchmark (not a test): node bench-search.mjs SITE_DIR PAGE
// Opens PAGE of the built site from file:// in headless Chromium and measures, in the page:
// the page's own load (the baseline), loading search-index.js by a script tag until it is ready,
// and answering queries: the first time (loading the postings buckets it needs) and the median of
// repeats. Prints JSON.
import { launch, newPage, fileUrl } from "./lib.mjs";

const [site, rel] = process.argv.slice(2);
const QUERIES = ["gradient", "训练", "batch normalization", "学习率 rate", "transf"];
const RUNS = 9;

const browser = await launch();
const runs = [];
for (let run = 0; run < RUNS; run++) {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(site, rel), { waitUntil: "load" });
  const r = await page.evaluate((queries) => new Promise((done) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const api = window.studybookSearchApi;
    const t0 = performance.now();
    api.load(async () => {
      const out = { pageLoad: nav.loadEventEnd - nav.startTime, indexLoad: performance.now() - t0, queries: {} };
      const ask = (q) => new Promise((ok) => api.search(q, 12, ok));
      for (const q of queries) {
        const a = performance.now();
        const hits = await ask(q);
        const first = performance.now() - a;
        const times = [];
        for (let i = 0; i < 20; i++) {
          const b = performance.now();
          await ask(q);
          times.push(performance.now() - b);
        }
        times.sort((x, y) => x - y);
        out.queries[q] = { first, median: times[10], hits: hits.length, top: hits[0] && hits[0].title };
      }
      done(out);
    });
  }), QUERIES);
  runs.push(r);
  await context.close();
}
await browser.close();
const med = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = {
  runs: RUNS,
  pageLoadMs: med(runs.map((r) => r.pageLoad)),
  indexLoadMs: med(runs.map((r) => r.indexLoad)),
  queries: Object.fromEntries(QUERIES.map((q) => [q, {
    firstMs: med(runs.map((r) => r.queries[q].first)),
    medianMs: med(runs.map((r) => r.queries[q].median)),
    hits: runs[0].queries[q].hits,
    top: runs[0].queries[q].top,
  }])),
};
// The index load plus the slowest first query (which loads and decodes its postings buckets).
summary.loadPlusFirstQueryMs = summary.indexLoadMs + Math.max(...QUERIES.map((q) => summary.queries[q].firstMs));
console.log(JSON.stringify(summary, null, 2));
