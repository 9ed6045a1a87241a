// `studybook serve` in a real browser: a broken edit shows the error overlay over the last good
// page; fixing it reloads the page at the same scroll position; a stylesheet edit is swapped in
// without a reload.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, newPage, siteDir } from "./lib.mjs";

const BIN = siteDir("STUDYBOOK_BIN");
const FIXTURE = siteDir("FIXTURE_ROOT");
const WAIT = 20000;
let browser, dir, server, base;

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`timed out: ${what}`)), WAIT); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "studybook-serve-"));
  await cp(FIXTURE, dir, { recursive: true, filter: (src) => !src.endsWith("/book") });
  server = spawn(BIN, ["serve", dir, "--port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
  base = await withTimeout(new Promise((ok, fail) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) ok(m[0]);
    });
    server.on("exit", (code) => fail(new Error(`serve exited with ${code}`)));
  }), "serve prints its address");
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("a broken edit shows the overlay; the fix reloads the page at the same scroll position", async () => {
  const { page, context } = await newPage(browser, { width: 900, height: 300 });
  const source = join(dir, "content/gan/wgan.md");
  const original = await readFile(source, "utf8");
  await page.goto(base + "gan/wgan.html");
  await page.waitForFunction(() => window.studybookLive === true, null, { timeout: WAIT });
  const y = await page.evaluate(() => {
    window.scrollTo(0, Math.floor((document.documentElement.scrollHeight - innerHeight) / 2));
    return window.scrollY;
  });
  assert.ok(y > 100, `the page scrolls (${y})`);

  await writeFile(source, original + "\nSee [[No Such Topic]].\n");
  const overlay = page.locator("#studybook-overlay");
  await overlay.waitFor({ state: "visible", timeout: WAIT });
  const text = await overlay.innerText();
  assert.match(text, /content\/gan\/wgan\.md:\d+:\d+/);
  assert.match(text, /No Such Topic/);
  assert.equal(await page.locator("text=See [[No Such Topic]]").count(), 0, "the last good page stays");

  await writeFile(source, original + "\nA fixed closing paragraph.\n");
  await page.waitForFunction(() => document.body.innerText.includes("A fixed closing paragraph."), null, { timeout: WAIT });
  await page.waitForFunction(() => window.studybookLive === true, null, { timeout: WAIT });
  assert.equal(await overlay.count(), 0, "the overlay is gone");
  await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 2, y, { timeout: WAIT });
  await context.close();
});

test("a stylesheet edit is swapped in without reloading the page", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(base + "gan/wgan.html");
  await page.waitForFunction(() => window.studybookLive === true, null, { timeout: WAIT });
  await page.evaluate(() => { window.notReloaded = true; });
  const css = await readFile(new URL("../../static/css/style.css", import.meta.url), "utf8");
  await mkdir(join(dir, "static/css"), { recursive: true });
  await writeFile(join(dir, "static/css/style.css"), css + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n");
  await page.waitForFunction(() => getComputedStyle(document.body).outlineColor === "rgb(1, 2, 3)", null, { timeout: WAIT });
  assert.equal(await page.evaluate(() => window.notReloaded), true, "no reload for a CSS change");
  await context.close();
});
