// The SM-2 scheduler and progress-file checks of static/js/srs.js, run in Node (the same file the
// browser loads; no second implementation). Runs alone too: node --test tests/browser/srs.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const source = readFileSync(new URL("../../static/js/srs.js", import.meta.url), "utf8");
const sandbox = {};
vm.runInNewContext(source, sandbox);
const SRS = sandbox.StudybookSRS;
const DAY = 86400000;
const NOW = Date.UTC(2026, 0, 10, 9);

test("SM-2 intervals: 1 day, 6 days, then interval × EF", () => {
  let c = SRS.schedule(undefined, "good", NOW);
  assert.equal(c.reps, 1);
  assert.equal(c.interval, 1);
  assert.equal(c.due, NOW + DAY);
  assert.equal(c.ef, 2.5, "quality 4 leaves EF unchanged");
  c = SRS.schedule(c, "good", c.due);
  assert.equal(c.interval, 6);
  c = SRS.schedule(c, "good", c.due);
  assert.equal(c.interval, 15, "round(6 × 2.5)");
  c = SRS.schedule(c, "easy", c.due);
  assert.equal(c.ef, 2.6, "quality 5 raises EF by 0.1");
  assert.equal(c.interval, Math.round(15 * 2.5));
});

test("Hard lowers EF by 0.14, Again restarts the card and keeps EF, EF never below 1.3", () => {
  const hard = SRS.schedule(undefined, "hard", NOW);
  assert.equal(hard.ef, 2.36);
  assert.equal(hard.interval, 1);
  const learned = SRS.schedule(SRS.schedule(undefined, "good", NOW), "good", NOW + DAY);
  const lapsed = SRS.schedule(learned, "again", NOW + 7 * DAY);
  assert.equal(lapsed.reps, 0);
  assert.equal(lapsed.interval, 0);
  assert.equal(lapsed.lapses, 1);
  assert.equal(lapsed.ef, learned.ef);
  assert.equal(lapsed.due, NOW + 7 * DAY, "due again in the same session");
  assert.ok(SRS.isDue(lapsed, NOW + 7 * DAY));
  let c;
  for (let i = 0; i < 20; i++) c = SRS.schedule(c, "hard", NOW);
  assert.equal(c.ef, 1.3);
  assert.throws(() => SRS.schedule(c, "perfect", NOW), /unknown rating/);
});

test("due today means due by tonight; unseen cards are not due", () => {
  const c = SRS.schedule(undefined, "good", NOW);
  assert.ok(!SRS.isDue(c, NOW));
  assert.ok(SRS.isDue(c, NOW + DAY));
  assert.ok(!SRS.isDue(undefined, NOW));
});

test("card ids match the build's: page URL without .html, # and the question anchor", () => {
  assert.equal(SRS.cardId("gan/wgan.html", "q-a8582462"), "gan/wgan#q-a8582462");
  assert.equal(SRS.cardId("训练/批归一化.html", "q-1"), "训练/批归一化#q-1");
});

test("a progress file round-trips, and malformed ones are refused with a reason", () => {
  const cards = { "gan/gan#q-1": SRS.schedule(undefined, "good", NOW) };
  const parsed = SRS.parseExport(SRS.makeExport(cards, "site", NOW));
  assert.deepEqual(JSON.parse(JSON.stringify(parsed.cards)), JSON.parse(JSON.stringify(cards)));
  assert.match(SRS.parseExport("{oops").error, /not a JSON file/);
  assert.match(SRS.parseExport("[]").error, /not a studybook progress file/);
  assert.match(SRS.parseExport('{"format":"studybook-progress","version":9,"cards":{}}').error, /version: 9/);
  assert.match(SRS.parseExport('{"format":"studybook-progress","version":1}').error, /no "cards"/);
  const bad = JSON.stringify({ format: "studybook-progress", version: 1, cards: { x: { ef: "2.5" } } });
  assert.match(SRS.parseExport(bad).error, /card "x" has missing or invalid fields/);
});

test("merging keeps the later review of each card", () => {
  const old = SRS.schedule(undefined, "good", NOW);
  const newer = SRS.schedule(old, "good", NOW + DAY);
  const merged = SRS.merge({ a: newer, b: old }, { a: old, c: newer });
  assert.equal(merged.a, newer);
  assert.equal(merged.b, old);
  assert.equal(merged.c, newer);
});
