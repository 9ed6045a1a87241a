// Search benchmark (not a test): node bench-search.mjs SITE_DIR PAGE
// Opens PAGE of the built site from file:// in headless Chromium and measures, in the page:
// the page's own load (the baseline), loading search-index.js by a script tag until it is ready,
// and answering queries (first and median of repeats). Prints JSON.
import { launch, newPage, fileUrl } from "./lib.mjs";

const [site, rel] = process.argv.slice(2);
const QUERIES = ["gradient", "训练", "batch normalization", "损失函数 loss", "transf"];
const RUNS = 5;

const browser = await launch();
const runs = [];
for (let run = 0; run < RUNS; run++) {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(site, rel), { waitUntil: "load" });
  const r = await page.evaluate((queries) => new Promise((done) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const t0 = performance.now();
    window.studybookSearchApi.load(() => {
      const loaded = performance.now() - t0;
      const res = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/search-index.js"));
      const out = { pageLoad: nav.loadEventEnd - nav.startTime, indexLoad: loaded, indexFetch: res ? res.responseEnd - res.startTime : null, queries: {} };
      queries.forEach((q) => {
        const a = performance.now();
        const hits = window.studybookSearchApi.search(q, 12);
        const first = performance.now() - a;
        const times = [];
        for (let i = 0; i < 20; i++) {
          const b = performance.now();
          window.studybookSearchApi.search(q, 12);
          times.push(performance.now() - b);
        }
        times.sort((x, y) => x - y);
        out.queries[q] = { first, median: times[10], hits: hits.length, top: hits[0] && hits[0].title };
      });
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
  indexFetchMs: med(runs.map((r) => r.indexFetch)),
  queries: Object.fromEntries(QUERIES.map((q) => [q, {
    firstMs: med(runs.map((r) => r.queries[q].first)),
    medianMs: med(runs.map((r) => r.queries[q].median)),
    hits: runs[0].queries[q].hits,
    top: runs[0].queries[q].top,
  }])),
};
summary.loadPlusFirstQueryMs = summary.indexLoadMs + Math.max(...QUERIES.map((q) => summary.queries[q].firstMs));
console.log(JSON.stringify(summary, null, 2));
