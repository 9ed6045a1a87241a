// Search from a real browser: the index loads by a script tag from file:// and from a subpath
// server, Chinese and English queries put the expected section first, the keyboard drives the
// list, and the opened section is scrolled to with the query's words highlighted.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, fileUrl, serveDir, siteDir } from "./lib.mjs";

const SITE = siteDir("FIXTURE_SITE");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Types `query` into the search box of `start` and returns the first result's text and href. */
async function firstResult(page, query) {
  const input = page.locator("#search-input");
  await input.fill("");
  await input.pressSequentially(query);
  await page.locator("#search-results [role=option]").first().waitFor();
  return page.evaluate(() => {
    const first = document.querySelector("#search-results [role=option] a");
    return { text: first.innerText, href: first.getAttribute("href"), marks: first.querySelectorAll("mark").length };
  });
}

async function checkSearch(base, allowed) {
  const { page, problems, context } = await newPage(browser, { allowed });
  await page.goto(base("gan/gan.html"));

  // "/" focuses the box; the combobox owns a listbox.
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "search-input");
  assert.equal(await page.locator("#search-input").getAttribute("role"), "combobox");

  const zh = await firstResult(page, "训练");
  assert.match(zh.text, /批归一化/);
  assert.match(zh.text, /训练与测试/);
  assert.ok(zh.marks > 0, "matched words are highlighted in the result");
  assert.equal(zh.href, `../training/${encodeURIComponent("批归一化")}.html?highlight=${encodeURIComponent("训练")}#${encodeURIComponent("训练与测试")}`);

  const bn = await firstResult(page, "批归一化");
  assert.match(bn.text, /^批归一化/);

  const en = await firstResult(page, "weight clipping");
  assert.match(en.text, /Wasserstein GAN/);
  assert.match(en.text, /Weight clipping/);
  // The snippet arrives with its text shard and marks the matched words.
  await page.locator("#search-results [role=option] .search-snippet mark").first().waitFor();

  // Prefix matching on the word being typed, and a mixed query.
  assert.match((await firstResult(page, "wasserst")).text, /Wasserstein GAN/);
  assert.match((await firstResult(page, "BN 训练")).text, /训练与测试/);

  // Arrow keys move the active option (announced by aria-activedescendant); Enter opens it.
  await firstResult(page, "weight clipping");
  await page.keyboard.press("ArrowDown");
  const activeId = await page.locator("#search-input").getAttribute("aria-activedescendant");
  assert.equal(await page.locator(`#${activeId}`).getAttribute("aria-selected"), "true");
  await Promise.all([page.waitForURL(/wgan\.html/), page.keyboard.press("Enter")]);
  assert.equal(decodeURIComponent(new URL(page.url()).hash), "#weight-clipping");
  const landed = await page.evaluate(() => {
    const h = document.getElementById("weight-clipping");
    const r = h.getBoundingClientRect();
    return { top: r.top, inView: r.top >= 0 && r.top < innerHeight, marks: [...document.querySelectorAll("main mark.search-hit")].map((m) => m.textContent) };
  });
  assert.ok(landed.inView, `the section heading is in view: ${JSON.stringify(landed)}`);
  assert.ok(landed.marks.some((m) => /clipping/i.test(m)), `terms highlighted: ${landed.marks}`);

  // Esc closes the list; a Chinese result opened by click lands on its CJK anchor.
  await page.keyboard.press("s");
  await firstResult(page, "训练");
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("#search-results").isHidden(), true);
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL(/training\//), page.locator("#search-results [role=option] a").first().click()]);
  assert.equal(decodeURIComponent(new URL(page.url()).hash), "#训练与测试");
  assert.ok((await page.locator("main mark.search-hit").count()) > 0);

  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.failed, []);
  assert.deepEqual(problems.outside, [], "no request leaves the site");
  await context.close();
}

test("search works from file://", async () => {
  await checkSearch((rel) => fileUrl(SITE, rel), fileUrl(SITE, ""));
});

test("search works from a GitHub Pages-like subpath", async () => {
  const server = await serveDir(SITE, "/notes/");
  try {
    await checkSearch((rel) => `${server.url}${rel}`, server.url);
  } finally {
    await server.close();
  }
});

test("the page-side tokeniser is the build's: every word of every section is an index term", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(SITE, "index.html"));
  const missing = await page.evaluate(() => new Promise((done) => {
    const api = window.studybookSearchApi;
    api.load(async () => {
      const ix = window.studybookSearch, terms = new Set(ix.t), out = [];
      await Promise.all(ix.x.map((_, n) => new Promise((ok) => {
        const s = document.createElement("script");
        s.src = `search/text-${n}.js`;
        s.onload = ok;
        document.head.appendChild(s);
      })));
      const texts = ix.d.flatMap((d, i) => [d[1], api.text(i)]).concat(ix.p.map((p) => p[1]));
      texts.forEach((t) => api.tokens(t).forEach((tok) => { if (!terms.has(tok)) out.push(tok); }));
      out.push(JSON.stringify(api.tokens("ＢＮ训练时用Weights，1-Lipschitz queries")));
      done(out);
    });
  }));
  assert.deepEqual(missing, [JSON.stringify(["bn", "训", "训练", "练", "练时", "时", "时用", "用", "weight", "1", "lipschitz", "query"])]);
  await context.close();
});

test("no query matches shows the no-results message", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(SITE, "index.html"));
  await page.locator("#search-input").fill("zzzqqq");
  await page.locator("#search-results .search-empty").waitFor();
  assert.equal(await page.locator("#search-results [role=option]").count(), 0);
  await context.close();
});
