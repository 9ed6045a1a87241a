// What a reader sees on this repository's own study site: search ranking on 20 queries, formulas
// found by any spelling and shown without TeX, a study map readable at 100%, the index's links,
// the sidebar, previous/next, Latin and Chinese punctuation widths. Screenshots of a flagship
// page, the study map and a Chinese search (desktop and phone, light and dark) go to
// target/screenshots/ for a person to look at.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { launch, newPage, fileUrl, siteDir } from "./lib.mjs";

const REPO = siteDir("REPO_SITE");
const SHOTS = join(import.meta.dirname, "..", "..", "target", "screenshots");
const VIEWS = [["desktop", 1366, 900], ["phone", 390, 844]];
let browser;
before(async () => {
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
});
after(async () => { await browser?.close(); });

/** The ranked results of `query` (url, anchor, heading, doc) on an open page of the site. */
function ask(page, query, n = 5) {
  return page.evaluate(([q, n]) => new Promise((ok) => {
    const api = window.studybookSearchApi;
    api.load(() => api.search(q, n, ok));
  }), [query, n]);
}

// Each query's expected first page: flagship pages whose place at the top does not depend on how
// many notes the site has. English, Chinese and mixed.
const EXPECTED = [
  ["batch normalization", "training/batchnorm.html"],
  ["dropout", "training/dropout.html"],
  ["weight clipping", "generative/wgan.html"],
  ["gradient clipping", "training/vanishing-exploding-gradients.html"],
  ["vanishing gradient", "training/vanishing-exploding-gradients.html"],
  ["intersection over union", "geometry/iou.html"],
  ["receptive field", "convolution/receptive-field.html"],
  ["label smoothing", "losses/cross-entropy.html"],
  ["unique_ptr", "cpp/smart-pointers.html"],
  ["n_critic", "generative/wgan.html"],
  ["批归一化", "training/batchnorm.html"],
  ["感受野", "convolution/receptive-field.html"],
  ["交叉熵", "losses/cross-entropy.html"],
  ["梯度消失", "training/vanishing-exploding-gradients.html"],
  ["非极大值抑制", "geometry/nms.html"],
  ["过拟合", "training/overfitting-underfitting.html"],
  ["BN 训练", "training/batchnorm.html"],
  ["IoU 计算", "geometry/iou.html"],
  ["Softmax 导数", "losses/softmax.html"],
  ["WGAN 梯度惩罚", "generative/wgan.html"],
];

test("search ranks the expected page first for 20 English, Chinese and mixed queries", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, "index.html"));
  const wrong = [];
  for (const [query, url] of EXPECTED) {
    const results = await ask(page, query);
    const got = results[0] ? `${results[0].url}#${results[0].anchor}` : "nothing";
    if (!results[0] || results[0].url !== url) wrong.push(`${query}: expected ${url}, got ${got}`);
  }
  assert.deepEqual(wrong, []);
  await context.close();
});

test("ranking rules: words together beat words scattered; a title beats a body", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, "index.html"));
  // "gradient clipping" is a phrase in the gradients page; the WGAN page has "clipping" in a
  // heading and "gradient" elsewhere: that scattered match comes after.
  const clip = await ask(page, "gradient clipping", 10);
  const phrase = clip.findIndex((r) => r.url === "training/vanishing-exploding-gradients.html");
  const scattered = clip.findIndex((r) => r.url === "generative/wgan.html");
  assert.ok(phrase === 0 && scattered > phrase, JSON.stringify(clip.map((r) => r.url + "#" + r.anchor)));
  // A one-word query that is a page title: the page itself, not a section that mentions it.
  const drop = await ask(page, "dropout");
  assert.equal(`${drop[0].url}#${drop[0].anchor}`, "training/dropout.html#");
  await context.close();
});

test("a formula is found as theta, θ or \\theta, and its snippet shows θ, not TeX", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, "index.html"));
  const tops = [];
  for (const q of ["theta", "θ", "\\theta"]) {
    const r = await ask(page, q, 3);
    assert.ok(r.length > 0, `${q} finds something`);
    tops.push(`${r[0].url}#${r[0].anchor}`);
    const text = await page.evaluate((doc) => window.studybookSearchApi.text(doc), r[0].doc);
    assert.match(text, /θ/, `${q}: ${text.slice(0, 200)}`);
  }
  assert.equal(new Set(tops).size, 1, tops.join(" / "));
  // Snippets in the box: no TeX commands, formulas as Unicode.
  await page.locator("#search-input").fill("disjoint support");
  await page.locator("#search-results .search-snippet:not([data-doc])").first().waitFor();
  const snippets = await page.locator("#search-results .search-snippet").allTextContents();
  assert.ok(snippets.length > 0);
  for (const s of snippets) assert.doesNotMatch(s, /\\[a-zA-Z]{2,}|\$\$|_\{/, s);
  await context.close();
});

test("a Chinese search, screenshotted on desktop and phone, light and dark", async () => {
  for (const [name, width, height] of VIEWS) {
    for (const colorScheme of ["light", "dark"]) {
      const { page, context, problems } = await newPage(browser, { width, height, colorScheme });
      await page.goto(fileUrl(REPO, "index.html"));
      await page.locator("#search-input").fill("梯度消失");
      await page.locator("#search-results .search-snippet:not([data-doc])").first().waitFor();
      const first = await page.locator("#search-results [role=option] a").first().innerText();
      assert.match(first, /Vanishing and Exploding Gradients/);
      const box = await page.locator("#search-results").boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= width, `the results fit the screen: ${JSON.stringify(box)}`);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(SHOTS, `search-zh-${name}-${colorScheme}.png`) });
      assert.deepEqual(problems.consoleErrors, []);
      await context.close();
    }
  }
});

test("the study map reads at 100%: body-size full titles, links, zoom and scroll in its frame", async () => {
  for (const [name, width, height] of VIEWS) {
    for (const colorScheme of ["light", "dark"]) {
      const { page, context, problems } = await newPage(browser, { width, height, colorScheme });
      await page.goto(fileUrl(REPO, "study-order.html"));
      await page.evaluate(() => document.fonts.ready);
      const m = await page.evaluate(() => {
        const body = parseFloat(getComputedStyle(document.querySelector("main p")).fontSize);
        const nodes = [...document.querySelectorAll("svg.study-graph .sg-node")];
        const sizes = nodes.map((n) => n.querySelector("text").getBoundingClientRect().height / n.querySelectorAll("tspan").length);
        const svg = document.querySelector("svg.study-graph");
        const frame = document.querySelector(".study-graph-scroll");
        return {
          body,
          fontSize: Math.min(...nodes.map((n) => parseFloat(getComputedStyle(n.querySelector("text")).fontSize))),
          lineHeight: Math.min(...sizes),
          titles: nodes.map((n) => n.textContent),
          hrefs: nodes.map((n) => n.getAttribute("href")),
          listed: [...document.querySelectorAll(".study-level li[data-topic] > a")].map((a) => a.textContent),
          scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
          scrolls: frame.scrollWidth > frame.clientWidth || frame.scrollHeight > frame.clientHeight,
          crossings: Number(svg.getAttribute("data-crossings")),
          edges: document.querySelectorAll("svg.study-graph .sg-edge").length,
        };
      });
      assert.ok(m.fontSize >= m.body, `map text ${m.fontSize}px, body ${m.body}px`);
      assert.ok(m.lineHeight >= 14, `rendered line height ${m.lineHeight}px`);
      assert.equal(Math.round(m.scale * 100), 100, "drawn at its natural size, not shrunk");
      assert.ok(m.titles.every((t) => !t.includes("…")), "no title is cut");
      assert.deepEqual([...m.titles].map((t) => t.replace(/\s+/g, "")).sort(), [...m.listed].map((t) => t.replace(/\s+/g, "")).sort(), "every topic, with its full title");
      assert.ok(m.hrefs.every((h) => /\.html$/.test(h)));
      assert.ok(m.scrolls, "the frame scrolls the map");
      assert.ok(m.crossings < m.edges, `${m.crossings} crossings for ${m.edges} edges`);
      await page.locator(".study-graph-figure").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, `study-map-${name}-${colorScheme}.png`) });
      assert.deepEqual(problems.consoleErrors, []);
      await context.close();
    }
  }
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, "study-order.html"));
  const width = () => page.locator("svg.study-graph").evaluate((s) => s.getBoundingClientRect().width);
  const natural = await width();
  await page.click('[data-zoom="out"]');
  assert.ok((await width()) < natural * 0.9, "zoom out shrinks the map");
  await page.click('[data-zoom="fit"]');
  const frame = await page.locator(".study-graph-scroll").evaluate((f) => f.clientWidth);
  assert.ok(Math.abs((await width()) - frame) < 4, "fit matches the frame");
  await page.click('[data-zoom="reset"]');
  assert.equal(Math.round(await width()), Math.round(natural));
  await Promise.all([page.waitForURL(/training\/batchnorm\.html$/), page.locator("svg .sg-node", { hasText: "Batch Normalization" }).click()]);
  await context.close();
});

test("the study map marks topics the reader opened or practised", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, "generative/wgan.html"));
  await page.goto(fileUrl(REPO, "practice.html"));
  const card = await page.locator(".card").first().getAttribute("data-topic");
  await page.keyboard.press("Space");
  await page.locator('[data-rate="good"]').click();
  await page.goto(fileUrl(REPO, "study-order.html"));
  const marks = await page.evaluate(() => Object.fromEntries(
    [...document.querySelectorAll("svg .sg-node")].map((n) => [n.getAttribute("data-topic"), n.getAttribute("class")]),
  ));
  assert.match(marks["generative/wgan.html"], /sg-visited|sg-practised/);
  assert.match(marks[card], /sg-practised/);
  assert.match(marks["convolution/pooling.html"], /^sg-node$/);
  await context.close();
});

test("the index names its in-page study order and the study map apart", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, "index.html"));
  const links = await page.locator(".index-links a").evaluateAll((as) => as.map((a) => a.textContent.trim()));
  assert.equal(new Set(links).size, links.length, links.join(" · "));
  await context.close();
});

test("the sidebar keeps the current page in view without moving the page", async () => {
  // The last topic of the sidebar, on a short window: far below the sidebar's first screen.
  const last = await (async () => {
    const { page, context } = await newPage(browser);
    await page.goto(fileUrl(REPO, "index.html"));
    const href = await page.locator("#sidebar .nav-tree a").last().getAttribute("href");
    await context.close();
    return href.replace(/^\.\//, "");
  })();
  const { page, context } = await newPage(browser, { width: 1366, height: 600 });
  await page.goto(fileUrl(REPO, last));
  const view = await page.evaluate(() => {
    const nav = document.getElementById("sidebar").getBoundingClientRect();
    const cur = document.querySelector('#sidebar a[aria-current="page"]').getBoundingClientRect();
    return { inside: cur.top >= nav.top && cur.bottom <= nav.bottom, scrollY: window.scrollY };
  });
  assert.ok(view.inside, "the current page's entry is visible in the sidebar");
  assert.equal(view.scrollY, 0, "the page itself is not scrolled");
  await context.close();

  const phone = await newPage(browser, { width: 390, height: 700 });
  await phone.page.goto(fileUrl(REPO, last));
  await phone.page.click(".sidebar-toggle");
  const shown = await phone.page.evaluate(() => {
    const nav = document.getElementById("sidebar").getBoundingClientRect();
    const cur = document.querySelector('#sidebar a[aria-current="page"]').getBoundingClientRect();
    return cur.top >= nav.top && cur.bottom <= nav.bottom;
  });
  assert.ok(shown, "opening the drawer on a phone shows the current page");
  await phone.context.close();
});

test("a flagship page, screenshotted on desktop and phone, light and dark", async () => {
  for (const [name, width, height] of VIEWS) {
    for (const colorScheme of ["light", "dark"]) {
      const { page, context } = await newPage(browser, { width, height, colorScheme });
      await page.goto(fileUrl(REPO, "generative/wgan.html"));
      await page.evaluate(() => document.fonts.ready);
      // The section whose heading has a formula, whatever its id.
      await page.evaluate(() => [...document.querySelectorAll("h2")].find((h) => /critic/.test(h.textContent)).scrollIntoView());
      await page.screenshot({ path: join(SHOTS, `wgan-${name}-${colorScheme}.png`) });
      await context.close();
    }
  }
});

test("’ is narrow in English text and “ full-width in Chinese text", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, "generative/wgan.html"));
  await page.evaluate(() => document.fonts.ready);
  const widths = await page.evaluate(() => {
    /* The width of the first `ch` in a text node that `accept`s, over the font size there. */
    function measure(ch, accept) {
      const walker = document.createTreeWalker(document.querySelector("main .content"), NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.data.indexOf(ch);
        if (i < 0 || !accept(n.parentElement)) continue;
        const range = document.createRange();
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        const size = parseFloat(getComputedStyle(n.parentElement).fontSize);
        return { ratio: range.getBoundingClientRect().width / size, text: n.data.slice(Math.max(0, i - 20), i + 20) };
      }
      return null;
    }
    return {
      latin: measure("’", (el) => !el.closest("[lang|=zh], code, .katex")),
      chinese: measure("“", (el) => !!el.closest("[lang|=zh]")),
    };
  });
  assert.ok(widths.latin && widths.chinese, JSON.stringify(widths));
  assert.ok(widths.latin.ratio < 0.5, `’ in English: ${JSON.stringify(widths.latin)}`);
  assert.ok(widths.chinese.ratio > 0.85, `“ in Chinese: ${JSON.stringify(widths.chinese)}`);
  await context.close();
});
