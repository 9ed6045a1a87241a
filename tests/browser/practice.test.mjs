// Study mode in a real browser, from file://: reveal and rate a card, reload and find its
// schedule kept (also on topic pages and the index in other folders, which Chromium's shared
// file:// storage allows), keyboard keys, filters, and the progress export/import round trip,
// with a malformed import refused and nothing changed.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { launch, newPage, fileUrl, siteDir } from "./lib.mjs";

const SITE = siteDir("FIXTURE_SITE");
const KEY = "studybook-srs:Fixture Notes";
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(page, rel = "practice.html", hash = "") {
  await page.goto(fileUrl(SITE, rel) + hash);
  await page.waitForFunction(() => window.StudybookSRS);
}
const stored = (page) => page.evaluate((k) => localStorage.getItem(k), KEY);
const counter = (page) => page.locator(".practice-counter").textContent();
const visible = (page) => page.locator(".card:not([hidden])");

test("reveal and rate a card from file://, reload, and the schedule is kept", async () => {
  const { context, page, problems } = await newPage(browser, { allowed: fileUrl(SITE, "") });
  await open(page);
  assert.equal(await counter(page), "1 / 2");
  assert.equal(await visible(page).count(), 1, "one card at a time");
  const id = await visible(page).getAttribute("data-card");
  assert.match(id, /^gan\/gan#q-[0-9a-f]{8}$/);
  assert.ok(await page.locator("[data-rate=good]").isDisabled(), "rating waits for the answer");
  assert.ok(!(await visible(page).locator(".card-answer-body").isVisible()));

  await page.keyboard.press("Space");
  const answer = visible(page).locator(".card-answer-body");
  assert.ok(await answer.isVisible(), "Space reveals the answer");
  const math = await answer.locator(".katex").first().boundingBox();
  assert.ok(math && math.width > 3, "the answer's math is rendered");
  assert.ok(!(await page.locator("[data-rate=good]").isDisabled()));

  await page.keyboard.press("3");
  assert.match(await page.locator(".practice-message").textContent(), /Next review: 1d/);
  assert.equal(await counter(page), "2 / 2", "rating moves on");
  const saved = JSON.parse(await stored(page)).cards[id];
  assert.equal(saved.reps, 1);
  assert.equal(saved.interval, 1);
  assert.ok(saved.due > Date.now() + 23 * 3600e3);

  await page.reload();
  await page.waitForFunction(() => window.StudybookSRS);
  assert.deepEqual(JSON.parse(await stored(page)).cards[id], saved, "kept across a reload");
  await page.selectOption("select[name=mode]", "new");
  assert.equal(await counter(page), "1 / 1", "the rated card is no longer new");
  assert.notEqual(await visible(page).getAttribute("data-card"), id);
  await page.selectOption("select[name=mode]", "due");
  assert.equal(await counter(page), "0 / 0", "due tomorrow, not today");
  assert.ok(await page.locator(".practice-empty").isVisible());

  // Chromium gives every file:// page one storage: the topic page in gan/ and the index see it.
  await open(page, "gan/gan.html");
  await page.locator(".study-due:not([hidden])").waitFor();
  assert.match(await page.locator(".study-due").textContent(), /0 Due today/);
  await open(page, "index.html");
  const mastery = page.locator('[data-study-topic="gan/gan.html"]');
  await mastery.waitFor();
  assert.equal((await mastery.textContent()).trim(), "0/1 mastered");
  assert.ok(await page.locator('[data-study-topic="gan/wgan.html"]').isHidden(), "no progress, nothing shown");

  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.failed, []);
  assert.deepEqual(problems.outside, [], "no request leaves the site");
  await context.close();
});

test("Again brings a card back today; arrows move; a topic link filters the deck", async () => {
  const { context, page, problems } = await newPage(browser);
  await open(page, "practice.html", "#topic=gan/wgan.html");
  assert.equal(await counter(page), "1 / 1");
  const id = await visible(page).getAttribute("data-card");
  assert.match(id, /^gan\/wgan#q-/);
  await page.keyboard.press("1");
  assert.equal(await stored(page), null, "no rating before the answer is shown");
  await visible(page).locator(".card-answer > summary").click();
  await page.keyboard.press("1");
  await page.selectOption("select[name=mode]", "due");
  assert.equal(await counter(page), "1 / 1", "Again: due today");
  await page.selectOption("select[name=topic]", "*");
  await page.selectOption("select[name=mode]", "all");
  assert.equal(await counter(page), "1 / 2");
  await page.keyboard.press("ArrowRight");
  assert.equal(await counter(page), "2 / 2");
  await page.keyboard.press("ArrowRight");
  assert.equal(await counter(page), "1 / 2", "wraps around");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await counter(page), "2 / 2");
  await page.selectOption("select[name=tag]", "generative-models");
  assert.equal(await counter(page), "1 / 1");
  await page.click("[data-action=shuffle]");
  assert.equal(await counter(page), "1 / 1");
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});

test("progress exports to a file and imports back; a malformed file changes nothing", async () => {
  const { context, page, problems } = await newPage(browser);
  await open(page);
  await page.keyboard.press("Space");
  await page.keyboard.press("4");
  const before = await stored(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-action=export]")]);
  assert.match(download.suggestedFilename(), /^studybook-progress-\d{4}-\d\d-\d\d\.json$/);
  const exported = await readFile(await download.path(), "utf8");
  const data = JSON.parse(exported);
  assert.equal(data.format, "studybook-progress");
  assert.deepEqual(data.cards, JSON.parse(before).cards);

  // On another device: empty storage, then import.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.waitForFunction(() => window.StudybookSRS);
  const input = page.locator("input[name=import]");
  await input.setInputFiles({ name: "progress.json", mimeType: "application/json", buffer: Buffer.from(exported) });
  const message = page.locator(".import-message");
  await page.waitForFunction(() => document.querySelector(".import-message").textContent !== "");
  assert.match(await message.textContent(), /Imported 1 cards from progress\.json/);
  assert.deepEqual(JSON.parse(await stored(page)).cards, data.cards);
  await page.selectOption("select[name=mode]", "new");
  assert.equal(await counter(page), "1 / 1", "the imported card counts as seen");

  const kept = await stored(page);
  for (const [name, body, reason] of [
    ["broken.json", "{\"format\": \"studybook-progress\", ", /not a JSON file/],
    ["other.json", JSON.stringify({ cards: {} }), /not a studybook progress file/],
    ["bad-card.json", JSON.stringify({ format: "studybook-progress", version: 1, cards: { "gan/gan#q-1": { ef: -1 } } }), /card "gan\/gan#q-1" has missing or invalid fields/],
  ]) {
    await page.evaluate(() => { document.querySelector(".import-message").textContent = ""; });
    await input.setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(body) });
    await page.waitForFunction(() => document.querySelector(".import-message").textContent !== "");
    const text = await message.textContent();
    assert.match(text, /Import refused, nothing changed/);
    assert.match(text, reason);
    assert.ok(await message.evaluate((el) => el.classList.contains("error")));
    assert.equal(await stored(page), kept, `${name} changed nothing`);
  }
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});

test("the glossary and the study-order graph work from file://", async () => {
  const { context, page, problems } = await newPage(browser, { allowed: fileUrl(SITE, "") });
  await page.goto(fileUrl(SITE, "glossary.html"));
  await Promise.all([page.waitForURL(/gan\/wgan\.html$/), page.click("#glossary-cjk >> text=瓦瑟斯坦GAN")]);
  await page.goto(fileUrl(SITE, "study-order.html"));
  const box = await page.locator("svg.study-graph").boundingBox();
  assert.ok(box.width > 300 && box.height > 20, JSON.stringify(box));
  const stroke = await page.locator(".sg-edge").evaluate((e) => getComputedStyle(e).stroke);
  assert.notEqual(stroke, "none", "edges are drawn by study.css");
  await Promise.all([page.waitForURL(/gan\/wgan\.html$/), page.locator("svg .sg-node", { hasText: "Wasserstein GAN" }).click()]);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.failed, []);
  await context.close();
});

test("the study pages have no serious or critical axe violation, in light and dark", async () => {
  const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
  for (const colorScheme of ["light", "dark"]) {
    const { context, page } = await newPage(browser, { colorScheme });
    for (const rel of ["practice.html", "glossary.html", "study-order.html"]) {
      await page.goto(fileUrl(SITE, rel));
      if (rel === "practice.html") await page.keyboard.press("Space");
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return r.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
      });
      assert.deepEqual(violations, [], `${rel} (${colorScheme})`);
    }
    await context.close();
  }
});
