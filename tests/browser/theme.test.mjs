// The default theme in a real browser, on this repository's own study site and the fixture:
// every page type loads cleanly and offline, math and code render, the theme toggle persists with
// no flash, axe-core finds no serious or critical violation, and screenshots are saved.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { launch, newPage, fileUrl, serveDir, siteDir } from "./lib.mjs";

const REPO = siteDir("REPO_SITE");
const ARTIFACTS = join(import.meta.dirname, "artifacts");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const PAGE_TYPES = {
  topic: "training/batchnorm.html",
  flagship: "geometry/iou.html",
  index: "index.html",
  tag: "tags/gan.html",
  tags: "tags/index.html",
  print: "print.html",
};

let browser;
before(async () => {
  browser = await launch();
  await mkdir(ARTIFACTS, { recursive: true });
});
after(async () => { await browser?.close(); });

async function axeSerious(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  });
  return result;
}

for (const [kind, rel] of Object.entries(PAGE_TYPES)) {
  test(`${kind} page loads offline from file:// with no errors and no serious axe violation`, async () => {
    const { page, problems, context } = await newPage(browser, { allowed: fileUrl(REPO, "") });
    await page.goto(fileUrl(REPO, rel));
    await page.evaluate(() => document.fonts.ready);
    assert.equal(await page.locator(".katex-error, .math-error").count(), 0, "no math error");
    assert.deepEqual(problems.failed, [], "no failed request");
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.outside, [], "no request leaves the site");
    for (const theme of ["light", "dark"]) {
      await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
      const violations = await axeSerious(page);
      assert.deepEqual(violations, [], `${theme} theme`);
    }
    await context.close();
  });
}

// GitHub Pages serves 404.html for any missing path at any depth; its links go through site-url.
test("the 404 page finds the theme through site-url when served from the subpath", async () => {
  const server = await serveDir(REPO, "/studybook/");
  try {
    const { page, problems, context } = await newPage(browser, { allowed: server.url });
    await page.goto(`${server.url}404.html`);
    const position = await page.evaluate(() => getComputedStyle(document.querySelector(".site-header")).position);
    assert.equal(position, "sticky", "style.css loaded");
    assert.deepEqual(problems.failed, []);
    assert.deepEqual(await axeSerious(page), []);
    await page.click(".site-title");
    assert.equal(new URL(page.url()).pathname, "/studybook/index.html");
    await context.close();
  } finally {
    await server.close();
  }
});

test("theme toggle persists across reloads with no flash of the wrong theme", async () => {
  const { page, context } = await newPage(browser, { colorScheme: "light" });
  await page.addInitScript(() => {
    document.addEventListener("DOMContentLoaded", () => {
      window.__firstPaintBg = getComputedStyle(document.body).backgroundColor;
    });
  });
  await page.goto(fileUrl(REPO, PAGE_TYPES.topic));
  assert.equal(await page.evaluate(() => window.__firstPaintBg), "rgb(255, 255, 255)");
  await page.click(".theme-toggle");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  assert.equal(await page.getAttribute(".theme-toggle", "aria-pressed"), "true");
  await page.reload();
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  assert.notEqual(await page.evaluate(() => window.__firstPaintBg), "rgb(255, 255, 255)", "dark before first paint");
  const codeColour = await page.evaluate(() => getComputedStyle(document.querySelector("pre.hl-code")).backgroundColor);
  assert.notEqual(codeColour, "rgb(246, 248, 250)", "code follows the dark theme");
  await context.close();
});

test("prefers-color-scheme: dark is followed without a stored choice", async () => {
  const { page, context } = await newPage(browser, { colorScheme: "dark" });
  await page.goto(fileUrl(REPO, PAGE_TYPES.topic));
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, "rgb(15, 20, 25)");
  await context.close();
});

test("long formulas and code scroll inside their box on a phone; the sidebar is a drawer", async () => {
  const { page, context } = await newPage(browser, { width: 320, height: 640 });
  await page.goto(fileUrl(REPO, PAGE_TYPES.topic));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page is not wider than the phone (${overflow}px too wide)`);
  assert.equal(await page.isVisible("#sidebar"), false);
  await page.click(".sidebar-toggle");
  assert.equal(await page.isVisible("#sidebar"), true);
  assert.equal(await page.getAttribute(".sidebar-toggle", "aria-expanded"), "true");
  await page.keyboard.press("Escape");
  assert.equal(await page.isVisible("#sidebar"), false);
  await context.close();
});

test("the sidebar is built from the shared nav-data.js with the current page marked", async () => {
  const { page, context, problems } = await newPage(browser);
  await page.goto(fileUrl(REPO, PAGE_TYPES.topic));
  assert.equal(await page.textContent('#sidebar a[aria-current="page"]'), "Batch Normalization");
  assert.ok((await page.locator("#sidebar .nav-tree a").count()) >= 40);
  await page.click('#sidebar a:text-is("IoU")');
  assert.match(page.url(), /geometry\/iou\.html$/);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});

test("keyboard: the skip link is first and moves focus to the content", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, PAGE_TYPES.topic));
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip-link");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => location.hash), "#main");
  await context.close();
});

test("keyboard: questions open with Enter, TOC links move to their section, focus is visible", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(fileUrl(REPO, PAGE_TYPES.topic));
  const summary = page.locator("details[data-question] > summary").first();
  await summary.focus();
  const outline = await summary.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, "none", "focus is visible");
  await page.keyboard.press("Enter");
  assert.equal(await summary.evaluate((el) => el.parentElement.open), true);
  const tocLink = page.locator(".toc a").nth(1);
  const target = await tocLink.getAttribute("href");
  await tocLink.focus();
  await page.keyboard.press("Enter");
  assert.equal(decodeURIComponent(await page.evaluate(() => location.hash)), decodeURIComponent(target));
  await context.close();
});

test("screenshots of a flagship page: light and dark, phone and desktop", async () => {
  for (const [name, width, height] of [["desktop", 1366, 900], ["phone", 390, 844]]) {
    for (const scheme of ["light", "dark"]) {
      const { page, context } = await newPage(browser, { width, height, colorScheme: scheme });
      await page.goto(fileUrl(REPO, PAGE_TYPES.flagship));
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(ARTIFACTS, `iou-${name}-${scheme}.png`) });
      await context.close();
    }
  }
});
