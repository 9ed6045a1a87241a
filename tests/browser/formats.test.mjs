// Notes from other tools, seen in a browser: an Obsidian vault's embedded note and its image
// from the vault's Attachments/ folder, opened from file:// with no request leaving the site.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, fileUrl, siteDir } from "./lib.mjs";

const VAULT = siteDir("VAULT_SITE");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("an embedded note and a vault image show from file://", async () => {
  const { page, problems, context } = await newPage(browser, { allowed: fileUrl(VAULT, "") });
  await page.goto(fileUrl(VAULT, "inbox/daily-note.html"));
  const embed = page.locator(".content > .embed").first();
  assert.ok(await embed.isVisible(), "the embed is shown");
  assert.match(await embed.locator(".embed-title").first().innerText(), /卷积神经网络/);
  assert.match(await embed.innerText(), /卷积层共享权重/);
  const image = await page.evaluate(async () => {
    const img = document.querySelector(".embed img[alt='网络结构.svg']");
    if (!img.complete) await new Promise((ok) => img.addEventListener("load", ok, { once: true }));
    const r = img.getBoundingClientRect();
    return { natural: img.naturalWidth, width: r.width, height: r.height };
  });
  assert.ok(image.natural > 0, `the vault image loaded: ${JSON.stringify(image)}`);
  assert.equal(Math.round(image.width), 300, "![[image|300]] sets the width");
  assert.ok(image.height > 0);
  const marked = await page.locator(".embed mark").first().evaluate((m) => getComputedStyle(m).backgroundColor);
  assert.notEqual(marked, "rgba(0, 0, 0, 0)", "==highlight== is visibly marked");
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.failed, []);
  assert.deepEqual(problems.outside, [], "no request leaves the site");
  await context.close();
});
