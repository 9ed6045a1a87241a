/* The practice page: one card at a time, filters, a due-today view, shuffle, self-rating on the
   SM-2 schedule (srs.js), keyboard keys, and progress export/import. No network, no library. */
(function () {
  "use strict";
  var root = document.getElementById("practice");
  if (!root) return;
  function start() {
    var SRS = window.StudybookSRS;
    if (!SRS) return;
    var form = root.querySelector(".practice-filters");
    var controls = root.querySelector(".practice-controls");
    var counter = root.querySelector(".practice-counter");
    var message = root.querySelector(".practice-message");
    var empty = root.querySelector(".practice-empty");
    var importMessage = root.querySelector(".import-message");
    var all = Array.prototype.slice.call(root.querySelectorAll(".card"));
    var rateButtons = Array.prototype.slice.call(controls.querySelectorAll("[data-rate]"));
    var cards = SRS.load();
    var order = all.slice();
    var list = [];
    var pos = 0;

    root.classList.add("practice-js");
    form.hidden = false;
    controls.hidden = false;
    root.querySelector(".progress-io").hidden = false;

    // practice.html#topic=gan/wgan.html (a fragment, so links stay plain file names).
    var params = new URLSearchParams(location.hash.slice(1) || location.search);
    ["mode", "category", "tag", "topic"].forEach(function (name) {
      var select = form.elements[name];
      var v = params.get(name);
      if (select && v !== null && Array.prototype.some.call(select.options, function (o) { return o.value === v; })) select.value = v;
    });

    function value(name) { var s = form.elements[name]; return s ? s.value : "*"; }

    function matches(el) {
      var id = el.getAttribute("data-card");
      var mode = value("mode");
      var now = Date.now();
      if (mode === "due" && !SRS.isDue(cards[id], now)) return false;
      if (mode === "new" && cards[id]) return false;
      var cat = value("category"), tag = value("tag"), topic = value("topic");
      if (cat !== "*" && el.getAttribute("data-category") !== cat) return false;
      if (tag !== "*" && el.getAttribute("data-tags").split(" ").indexOf(tag) < 0) return false;
      if (topic !== "*" && el.getAttribute("data-topic") !== topic) return false;
      return true;
    }

    /* Messages come from the page (data-msg-*), in the site's language; {name} is filled in. */
    function msg(name, vars) {
      var text = root.getAttribute("data-msg-" + name) || "";
      return text.replace(/\{(\w+)\}/g, function (all, key) { return vars && key in vars ? vars[key] : all; });
    }

    function days(ms) {
      var d = Math.round(ms / SRS.DAY);
      return d < 1 ? msg("under-a-day") : msg("days", { n: d });
    }

    function describe(el) {
      var c = cards[el.getAttribute("data-card")];
      var p = el.querySelector(".card-due");
      if (!c) { p.textContent = ""; return; }
      p.textContent = SRS.isDue(c, Date.now()) ? msg("due") : msg("next-review-on", { date: new Date(c.due).toLocaleDateString() });
    }

    function show() {
      all.forEach(function (el) { el.hidden = true; });
      empty.hidden = list.length > 0;
      var el = list[pos];
      counter.textContent = list.length ? (pos + 1) + " / " + list.length : "0 / 0";
      rateButtons.forEach(function (b) { b.disabled = true; });
      if (!el) return;
      el.hidden = false;
      el.querySelector(".card-answer").open = false;
      describe(el);
      var now = Date.now();
      var card = cards[el.getAttribute("data-card")];
      rateButtons.forEach(function (b) {
        var next = SRS.schedule(card, b.getAttribute("data-rate"), now);
        b.querySelector("small").textContent = " " + days(next.due - now);
      });
    }

    function refresh(keep) {
      var current = list[pos];
      list = order.filter(matches);
      pos = keep && current ? Math.max(0, list.indexOf(current)) : 0;
      if (pos >= list.length) pos = 0;
      show();
    }

    function reveal() {
      var el = list[pos];
      if (!el) return;
      el.querySelector(".card-answer").open = true;
    }

    function move(step) {
      if (!list.length) return;
      pos = (pos + step + list.length) % list.length;
      message.textContent = "";
      show();
    }

    function rate(rating) {
      var el = list[pos];
      if (!el || !el.querySelector(".card-answer").open) return;
      var id = el.getAttribute("data-card");
      var now = Date.now();
      var next = SRS.schedule(cards[id], rating, now);
      var fresh = SRS.load();
      fresh[id] = next;
      try {
        SRS.save(fresh);
        cards = fresh;
      } catch (e) {
        message.textContent = msg("not-saved", { reason: e.message });
        return;
      }
      message.textContent = msg("next-review", { when: days(next.due - now) });
      var before = list.length;
      list = order.filter(matches);
      if (list.length === before) pos = (pos + 1) % Math.max(list.length, 1);
      else if (pos >= list.length) pos = 0;
      show();
    }

    // The answer counts as revealed however it was opened (click, Space, keyboard on summary).
    all.forEach(function (el) {
      el.querySelector(".card-answer").addEventListener("toggle", function (e) {
        if (list[pos] === el) rateButtons.forEach(function (b) { b.disabled = !e.target.open; });
      });
    });

    form.addEventListener("change", function (e) {
      if (e.target.name === "import") return;
      refresh(false);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.querySelector("[data-action=shuffle]").addEventListener("click", function () {
      for (var i = order.length - 1; i > 0; i--) {
        var j = Math.floor(Math.random() * (i + 1));
        var t = order[i]; order[i] = order[j]; order[j] = t;
      }
      refresh(false);
    });
    controls.querySelector("[data-action=prev]").addEventListener("click", function () { move(-1); });
    controls.querySelector("[data-action=next]").addEventListener("click", function () { move(1); });
    rateButtons.forEach(function (b) {
      b.addEventListener("click", function () { rate(b.getAttribute("data-rate")); });
    });

    var KEYS = { "1": "again", "2": "hard", "3": "good", "4": "easy" };
    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      var t = e.target;
      if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
      if (e.key === " " || e.key === "Spacebar") {
        e.preventDefault();
        reveal();
      } else if (KEYS[e.key]) {
        e.preventDefault();
        rate(KEYS[e.key]);
      } else if (e.key === "ArrowRight") {
        e.preventDefault();
        move(1);
      } else if (e.key === "ArrowLeft") {
        e.preventDefault();
        move(-1);
      }
    });

    root.querySelector("[data-action=export]").addEventListener("click", function () {
      var now = Date.now();
      var site = (document.querySelector('meta[name="studybook-progress"]') || {}).content || "";
      var blob = new Blob([SRS.makeExport(SRS.load(), site, now)], { type: "application/json" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "studybook-progress-" + new Date(now).toISOString().slice(0, 10) + ".json";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    });

    var input = root.querySelector("input[name=import]");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var parsed = SRS.parseExport(String(reader.result));
        importMessage.classList.toggle("error", !!parsed.error);
        if (parsed.error) {
          importMessage.textContent = msg("import-refused", { file: file.name, reason: parsed.error });
        } else {
          var merged = SRS.merge(SRS.load(), parsed.cards);
          try {
            SRS.save(merged);
            cards = merged;
            importMessage.textContent = msg("imported", { n: Object.keys(parsed.cards).length, file: file.name });
            refresh(true);
          } catch (e) {
            importMessage.classList.add("error");
            importMessage.textContent = msg("import-failed", { reason: e.message });
          }
        }
        input.value = "";
      };
      reader.onerror = function () {
        importMessage.classList.add("error");
        importMessage.textContent = msg("unreadable");
      };
      reader.readAsText(file);
    });

    refresh(false);
  }
  if (window.StudybookSRS) start();
  else window.addEventListener("DOMContentLoaded", start);
})();
