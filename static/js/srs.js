/* studybook spaced repetition: the SM-2 schedule (SuperMemo 2, P. A. Wozniak, 1990) and the
   reader's progress in localStorage. No network. Topic pages and the index use it to show how
   many cards are due; practice.js uses it to schedule. Loaded in Node by the tests too. */
(function (global) {
  "use strict";
  var DAY = 86400000;
  var FORMAT = "studybook-progress";
  /* The four buttons as SM-2 response qualities (0–5): below 3 is a lapse. */
  var QUALITY = { again: 1, hard: 3, good: 4, easy: 5 };

  function fresh() { return { ef: 2.5, reps: 0, interval: 0, due: 0, last: 0, lapses: 0 }; }

  /* The card after a rating at time `now` (ms). A lapse restarts the repetitions and is due
     again at once (same session); otherwise intervals run 1 day, 6 days, then interval × EF. */
  function schedule(card, rating, now) {
    var q = QUALITY[rating];
    if (q === undefined) throw new Error("unknown rating: " + rating);
    var c = Object.assign(fresh(), card || {});
    if (q < 3) {
      c.reps = 0;
      c.interval = 0;
      c.lapses += 1;
      c.due = now;
    } else {
      c.reps += 1;
      c.interval = c.reps === 1 ? 1 : c.reps === 2 ? 6 : Math.round(c.interval * c.ef);
      c.ef = Math.max(1.3, c.ef + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)));
      c.ef = Math.round(c.ef * 1000) / 1000;
      c.due = now + c.interval * DAY;
    }
    c.last = now;
    return c;
  }

  function endOfDay(now) {
    var d = new Date(now);
    d.setHours(23, 59, 59, 999);
    return d.getTime();
  }

  /* Due today: reviewed before and scheduled for any time up to tonight. */
  function isDue(card, now) { return !!card && card.last > 0 && card.due <= endOfDay(now); }
  function isMastered(card) { return !!card && card.interval >= 21; }

  function isCard(c) {
    return c !== null && typeof c === "object" && !Array.isArray(c) &&
      ["ef", "reps", "interval", "due", "last", "lapses"].every(function (k) {
        return typeof c[k] === "number" && isFinite(c[k]) && c[k] >= 0;
      }) && c.ef >= 1.3;
  }

  /* Checks an imported file. Returns {cards} or {error} naming what is wrong. */
  function parseExport(text) {
    var data;
    try { data = JSON.parse(text); } catch (e) { return { error: "not a JSON file (" + e.message + ")" }; }
    if (data === null || typeof data !== "object" || data.format !== FORMAT) {
      return { error: "not a studybook progress file (no \"format\": \"" + FORMAT + "\")" };
    }
    if (data.version !== 1) return { error: "unsupported progress file version: " + JSON.stringify(data.version) };
    if (data.cards === null || typeof data.cards !== "object" || Array.isArray(data.cards)) {
      return { error: "the file has no \"cards\" object" };
    }
    var ids = Object.keys(data.cards);
    for (var i = 0; i < ids.length; i++) {
      if (!isCard(data.cards[ids[i]])) return { error: "card \"" + ids[i] + "\" has missing or invalid fields" };
    }
    return { cards: data.cards };
  }

  function makeExport(cards, site, now) {
    return JSON.stringify({ format: FORMAT, version: 1, site: site, exported: new Date(now).toISOString(), cards: cards }, null, 2);
  }

  /* Imported cards join the stored ones; where both know a card, the later review wins. */
  function merge(mine, theirs) {
    var out = Object.assign({}, mine);
    Object.keys(theirs).forEach(function (id) {
      if (!out[id] || theirs[id].last > out[id].last) out[id] = theirs[id];
    });
    return out;
  }

  function storeKey() {
    var meta = typeof document !== "undefined" && document.querySelector('meta[name="studybook-progress"]');
    return (meta && meta.content) || "studybook-srs";
  }

  /* The stored cards; an unreadable or missing store is an empty one. */
  function load() {
    try {
      var data = JSON.parse(global.localStorage.getItem(storeKey()) || "{}");
      return data && typeof data.cards === "object" && data.cards ? data.cards : {};
    } catch (e) { return {}; }
  }

  function save(cards) {
    global.localStorage.setItem(storeKey(), JSON.stringify({ version: 1, cards: cards }));
  }

  /* How the reader stands on a topic: cards seen, due today and mastered. */
  function summary(cards, ids, now) {
    var s = { seen: 0, due: 0, mastered: 0 };
    ids.forEach(function (id) {
      var c = cards[id];
      if (!c) return;
      s.seen += 1;
      if (isDue(c, now)) s.due += 1;
      if (isMastered(c)) s.mastered += 1;
    });
    return s;
  }

  /* Topic pages the reader has opened, kept beside the cards in the same storage (the study map
     marks them). Newest last, at most 2,000. */
  function visitedKey() { return storeKey() + ":visited"; }
  function visited() {
    try {
      var list = JSON.parse(global.localStorage.getItem(visitedKey()) || "[]");
      return Array.isArray(list) ? list.filter(function (u) { return typeof u === "string"; }) : [];
    } catch (e) { return []; }
  }
  function recordVisit(url) {
    try {
      var list = visited().filter(function (u) { return u !== url; });
      list.push(url);
      global.localStorage.setItem(visitedKey(), JSON.stringify(list.slice(-2000)));
    } catch (e) { /* storage may be off or full: the map then shows no visits */ }
  }

  function cardId(pageUrl, questionId) { return pageUrl.replace(/\.html$/, "") + "#" + questionId; }

  var api = {
    QUALITY: QUALITY, DAY: DAY, schedule: schedule, isDue: isDue, isMastered: isMastered,
    parseExport: parseExport, makeExport: makeExport, merge: merge, load: load, save: save,
    summary: summary, cardId: cardId, endOfDay: endOfDay, visited: visited, recordVisit: recordVisit,
  };
  global.StudybookSRS = api;

  /* Topic pages: "N due today" where the reader has progress. Index: mastered per topic. */
  if (typeof document === "undefined") return;
  var visit = document.querySelector("[data-study-visit]");
  if (visit) recordVisit(visit.getAttribute("data-study-visit"));
  function badges() {
    var cards;
    try { cards = load(); } catch (e) { return; }
    var now = Date.now();
    document.querySelectorAll("[data-study-page]").forEach(function (el) {
      var url = el.getAttribute("data-study-page");
      var ids = Array.prototype.map.call(document.querySelectorAll("details[data-question]"), function (d) { return cardId(url, d.id); });
      var s = summary(cards, ids, now);
      var span = el.querySelector(".study-due");
      if (span && s.seen > 0) {
        span.textContent = " · " + s.due + " " + span.getAttribute("data-label");
        span.hidden = false;
      }
    });
    document.querySelectorAll("[data-study-topic]").forEach(function (el) {
      var prefix = el.getAttribute("data-study-topic").replace(/\.html$/, "") + "#";
      var ids = Object.keys(cards).filter(function (id) { return id.indexOf(prefix) === 0; });
      if (!ids.length) return;
      var s = summary(cards, ids, now);
      el.textContent = Math.min(s.mastered, Number(el.getAttribute("data-total"))) + "/" + el.getAttribute("data-total") + " " + el.getAttribute("data-label");
      el.hidden = false;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", badges);
  else badges();
})(typeof window !== "undefined" ? window : globalThis);
