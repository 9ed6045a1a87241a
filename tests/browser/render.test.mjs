// What only a browser shows about the core pipeline: math laid out by KaTeX's CSS and fonts,
// highlighted code, and no request leaving the site, from file:// and from a subpath server.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, fileUrl, serveDir, siteDir } from "./lib.mjs";

const SITE = siteDir("FIXTURE_SITE");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function checkTopic(url, allowed) {
  const { page, problems, context } = await newPage(browser, { allowed });
  await page.goto(url);
  await page.evaluate(() => document.fonts.ready);
  const math = await page.evaluate(() => {
    const k = document.querySelector(".katex-display .katex-html");
    const r = k.getBoundingClientRect();
    const font = getComputedStyle(document.querySelector(".katex .mord.mathnormal")).fontFamily;
    return { width: r.width, height: r.height, font, loaded: document.fonts.check("16px KaTeX_Math") };
  });
  assert.ok(math.width > 20 && math.height > 10, `display math has a rendered size: ${JSON.stringify(math)}`);
  assert.match(math.font, /KaTeX_Math/);
  assert.ok(math.loaded, "KaTeX's font loaded from the output folder");
  const { colours, upright } = await page.evaluate(() => {
    const runs = [...document.querySelectorAll("pre.hl-code code i[class]")];
    return {
      colours: new Set(runs.map((s) => getComputedStyle(s).color)).size,
      upright: runs.filter((s) => getComputedStyle(s).fontStyle === "normal").length / runs.length,
    };
  });
  assert.ok(colours >= 3, `highlighted code shows several colours, got ${colours}`);
  assert.ok(upright > 0.5, `token runs are <i> but upright unless the theme says italic: ${upright}`);
  const anchor = await page.evaluate(() => {
    const h = document.querySelector(".content h2[id]");
    const a = h && h.querySelector("a.heading-anchor");
    return a && { href: a.getAttribute("href"), id: h.id, label: a.getAttribute("aria-label") };
  });
  assert.ok(anchor, "site.js gives each heading its # link");
  assert.equal(decodeURIComponent(anchor.href), "#" + anchor.id);
  assert.ok(anchor.label, "the link has an accessible name");
  assert.ok(await page.locator("#search-input[placeholder]").count(), "search.js makes the search box");
  assert.equal(await page.locator(".math-error, .katex-error").count(), 0);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.failed, []);
  assert.deepEqual(problems.outside, [], "no request leaves the site");
  await context.close();
}

test("a topic page from file:// shows math and highlighted code with no network", async () => {
  await checkTopic(fileUrl(SITE, "gan/wgan.html"), fileUrl(SITE, ""));
});

test("the same files work from a GitHub Pages-like subpath", async () => {
  const server = await serveDir(SITE, "/notes/");
  try {
    await checkTopic(`${server.url}gan/wgan.html`, server.url);
  } finally {
    await server.close();
  }
});
