/* studybook search: loads search-index.js (a script tag, so it works from file://) on first use,
   tokenises the query exactly as src/search.rs tokenises pages, ranks sections, and highlights the
   query's words on the page a result opens. See docs/SEARCH.md. */
(function () {
  "use strict";

  var box = document.querySelector("[data-search-slot]");
  /* The site root relative to this page: where search-index.js and search/ are. */
  var rootPath = (box && box.getAttribute("data-root")) || ".";

  /* ---- Tokenisation: the twin of src/search.rs `tokens`. ---- */
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  var CJK = /[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\u{20000}-\u{2FA1F}]/u;
  var MAX_WORD = 40;

  function fold(text) {
    return text.replace(/[\uFF01-\uFF5E\u3000]/g, function (c) {
      return c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).toLowerCase();
  }

  function stem(w) {
    if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w;
    var m;
    if ((m = /^(.*[^ea])ies$/.exec(w))) return m[1] + "y";
    if ((m = /^(.*[^aeo])es$/.exec(w))) return m[1] + "e";
    if (/s$/.test(w) && !/(us|ss)$/.test(w)) return w.slice(0, -1);
    return w;
  }

  /* A word that is one Greek letter stands for its name: the twin of src/search.rs `greek_name`. */
  var GREEK = new Map(Object.entries({ "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda",
    "μ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ϖ": "pi", "ρ": "rho", "ϱ": "rho",
    "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega" }));

  /* Splits folded text into parts: {word} for Latin words and numbers, {run} for CJK runs. */
  function parts(text) {
    var out = [], word = "", run = [];
    function flushWord() {
      if (word && Array.from(word).length <= MAX_WORD) out.push({ word: GREEK.get(word) || stem(word), raw: word });
      word = "";
    }
    function flushRun() { if (run.length) out.push({ run: run }); run = []; }
    for (var c of fold(text)) {
      if (CJK.test(c)) { flushWord(); run.push(c); }
      else if (WORD.test(c)) { flushRun(); word += c; }
      else { flushWord(); flushRun(); }
    }
    flushWord(); flushRun();
    return out;
  }

  function tokens(text) {
    var out = [];
    parts(text).forEach(function (p) {
      if (p.word !== undefined) { out.push(p.word); return; }
      for (var i = 0; i < p.run.length; i++) {
        out.push(p.run[i]);
        if (i + 1 < p.run.length) out.push(p.run[i] + p.run[i + 1]);
      }
    });
    return out;
  }

  /* ---- The index ---- */
  var index = null;
  var docPage = null;
  var texts = [];           /* doc -> section text, filled as text shards arrive */
  var decoded = new Map();  /* "s" or "f" + term id -> postings as numbers */
  var DIGIT = new Int8Array(128);
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_".split("").forEach(function (c, i) { DIGIT[c.charCodeAt(0)] = i; });

  function prepare(ix) {
    docPage = new Uint32Array(ix.d.length);
    for (var p = 0; p < ix.p.length; p++) {
      var end = p + 1 < ix.p.length ? ix.p[p + 1][2] : ix.d.length;
      for (var d = ix.p[p][2]; d < end; d++) docPage[d] = p;
    }
    texts = new Array(ix.d.length);
    index = ix;
  }

  /* Each posting is one varint: id delta * CODES + the code of its weight in `w` or `fw`. */
  var CODES = 16;

  /* The last of `starts` (ascending first ids of shards or buckets) at or before `id`. */
  function containing(starts, id) {
    var lo = 0, hi = starts.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (starts[mid] <= id) lo = mid; else hi = mid - 1; }
    return lo;
  }

  /* Postings buckets (search/postings-N.js): per-term varint strings, split on arrival. */
  var buckets = [], bucketWaiters = {};
  window.studybookSearchPostings = function (n, s, f) {
    buckets[n] = { s: s.split(","), f: f.split(",") };
    (bucketWaiters[n] || []).forEach(function (fn) { fn(); });
    delete bucketWaiters[n];
  };

  function addScript(src, onerror) {
    var el = document.createElement("script");
    el.src = src;
    if (onerror) el.onerror = onerror;
    document.head.appendChild(el);
    return el;
  }

  /* Calls `then` once the buckets holding every term `query` may use are loaded. */
  function withBuckets(query, then) {
    var missing = new Set();
    queryTerms(query).terms.forEach(function (t) {
      t.ids.forEach(function (pair) { var n = containing(index.b, pair[0]); if (!buckets[n]) missing.add(n); });
    });
    var left = missing.size;
    if (!left) { then(); return; }
    missing.forEach(function (n) {
      if (!bucketWaiters[n]) {
        bucketWaiters[n] = [];
        addScript(rootPath + "/search/postings-" + n + ".js", function () { delete bucketWaiters[n]; });
      }
      bucketWaiters[n].push(function () { if (--left === 0) then(); });
    });
  }

  /* The varint postings of term `id` (kind "s" or "f") as numbers, decoded once per term. */
  function postings(kind, id) {
    var key = kind + id, out = decoded.get(key);
    if (out) return out;
    var n = containing(index.b, id), str = buckets[n][kind][id - index.b[n]], v = 0, scale = 1;
    out = [];
    for (var i = 0; i < str.length; i++) {
      var c = DIGIT[str.charCodeAt(i)];
      v += (c & 31) * scale;
      if (c & 32) scale *= 32; else { out.push(v); v = 0; scale = 1; }
    }
    decoded.set(key, out);
    return out;
  }

  /* The first term position >= key, comparing as JavaScript strings (UTF-16), like the build. */
  function lowerBound(key) {
    var lo = 0, hi = index.t.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (index.t[mid] < key) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /* [term id, factor] pairs a query word matches: itself, and when it is the word being typed,
     up to 64 terms it begins, at a lower factor than an exact match. */
  function termIds(word, prefix) {
    var i = lowerBound(word), ids = [];
    if (i < index.t.length && index.t[i] === word) ids.push([i, 1]);
    if (prefix) {
      for (var j = ids.length ? i + 1 : i; j < index.t.length && ids.length < 64; j++) {
        if (index.t[j].lastIndexOf(word, 0) !== 0) break;
        ids.push([j, 0.8]);
      }
    }
    return ids;
  }

  /* Doc -> score for one query term: section weights, plus page field weights (title, alias,
     tag) in full on the page's top doc and a quarter on its other sections. Docs that have the
     word themselves are added to `own`: sections by their heading or text, a page's top doc also
     by the page's title, aliases and tags. */
  function termScores(ids, own) {
    var scores = new Map();
    function add(doc, w) {
      own.add(doc);
      var o = scores.get(doc);
      if (o === undefined || w > o) scores.set(doc, w);
    }
    var pageHits = new Map();
    ids.forEach(function (pair) {
      var s = postings("s", pair[0]), f = postings("f", pair[0]), k = pair[1], doc = 0, page = 0, i;
      for (i = 0; i < s.length; i++) { doc += Math.floor(s[i] / CODES); add(doc, index.w[s[i] % CODES] * k); }
      for (i = 0; i < f.length; i++) {
        page += Math.floor(f[i] / CODES);
        var w = index.fw[f[i] % CODES] * k, old = pageHits.get(page);
        if (old === undefined || w > old) pageHits.set(page, w);
      }
    });
    pageHits.forEach(function (w, page) {
      var first = index.p[page][2];
      var end = page + 1 < index.p.length ? index.p[page + 1][2] : index.d.length;
      own.add(first);
      for (var d = first; d < end; d++) {
        var base = scores.get(d) || 0;
        scores.set(d, base + (d === first ? w : Math.floor(w / 4)));
      }
    });
    return scores;
  }

  /* The query as terms to match: each Latin word (the last one as a prefix while typing), each
     CJK bigram of a run (its character alone when the run is one character). */
  function queryTerms(query) {
    var ps = parts(query), terms = [];
    var typing = !/\s$/.test(query);
    ps.forEach(function (p, n) {
      var last = typing && n === ps.length - 1;
      if (p.word !== undefined) {
        terms.push({ ids: termIds(p.word, last), label: p.raw });
      } else if (p.run.length === 1) {
        terms.push({ ids: termIds(p.run[0], last), label: p.run[0] });
      } else {
        for (var i = 0; i + 1 < p.run.length; i++) {
          terms.push({ ids: termIds(p.run[i] + p.run[i + 1], false), label: p.run.join("") });
        }
      }
    });
    return { terms: terms, parts: ps };
  }

  /* The ranking rules (docs/SEARCH.md): every query term must match; a section with all the
     query's words in its own heading or text ranks above one that borrows some from its page's
     title (scattered); the words as a phrase in a row rank above the same words apart; a title
     match outweighs any body match. */
  var TOGETHER = 25;  /* per term, when every term is the section's own (see termScores) */
  var PHRASE = 30;    /* per word of a phrase in the section's heading or text (a top doc's title) */
  var RERANK = 40;    /* candidates whose texts are read for phrases */

  /* Phrases to look for: the query's Latin words in a row (stems, so plurals match, with only
     spaces or hyphens between them), and each CJK run of three or more characters (shorter runs
     are a single bigram, matched exactly already). */
  function phrases(ps) {
    var out = [], words = [];
    function flush() {
      if (words.length > 1) {
        out.push({
          words: words.length,
          re: new RegExp("(?<![\\p{Alphabetic}\\p{N}])" + words.map(function (w) {
            return escapeRegExp(w) + "[\\p{Alphabetic}\\p{N}]*";
          }).join("[\\s\\-]+"), "u"),
        });
      }
      words = [];
    }
    ps.forEach(function (p) {
      if (p.word !== undefined) { words.push(p.word.length < p.raw.length ? p.word : p.raw); return; }
      flush();
      if (p.run.length > 2) out.push({ words: p.run.length - 1, text: p.run.join("") });
    });
    flush();
    return out;
  }

  function found(ph, hay) { return ph.re ? ph.re.test(hay) : hay.indexOf(ph.text) >= 0; }

  /* Every doc that matches all the query's terms, scored, best first (phrases not yet counted:
     see `rerank`). */
  function candidates(q) {
    if (!q.terms.length) return [];
    var all = null, own = new Map(), inSection = new Set();
    for (var i = 0; i < q.terms.length; i++) {
      var mine = new Set();
      var s = termScores(q.terms[i].ids, mine);
      mine.forEach(function (d) { inSection.add(d); own.set(d, (own.get(d) || 0) + 1); });
      if (all === null) { all = s; continue; }
      var next = new Map();
      all.forEach(function (w, d) { var x = s.get(d); if (x !== undefined) next.set(d, w + x); });
      all = next;
      if (!all.size) break;
    }
    /* A section matched only through its page's title, aliases or tags adds nothing to the
       page's top: it is shown only when its own text or heading has a query word. */
    var hits = [], n = q.terms.length;
    all.forEach(function (w, d) {
      if (!inSection.has(d) && index.p[docPage[d]][2] !== d) return;
      if (n > 1 && own.get(d) === n) w += TOGETHER * n;
      hits.push({ doc: d, score: w });
    });
    hits.sort(byScore);
    return hits;
  }

  function byScore(a, b) { return b.score - a.score || a.doc - b.doc; }

  /* The best `limit` of `hits` once the leading candidates' texts count their phrases. */
  function rerank(q, hits, limit) {
    var ph = phrases(q.parts);
    var top = hits.slice(0, RERANK);
    if (ph.length) {
      top.forEach(function (h) {
        var page = index.p[docPage[h.doc]];
        var title = page[2] === h.doc ? page[1] : "";
        var hay = fold(title + "\n" + index.d[h.doc][1] + "\n" + (texts[h.doc] || ""));
        ph.forEach(function (p) { if (found(p, hay)) h.score += PHRASE * p.words; });
      });
      top.sort(byScore);
    }
    return top.slice(0, limit).map(function (h) {
      var d = index.d[h.doc], p = index.p[docPage[h.doc]];
      return { doc: h.doc, url: p[0], title: p[1], anchor: d[0], heading: d[1], score: h.score };
    });
  }

  /* Section texts come in shards (search/text-N.js), loaded for the candidates a query ranks
     and the results shown. */
  var shardsWanted = {}, textWaiters = [], onText = function () {};
  window.studybookSearchText = function (n, list) {
    for (var i = 0; i < list.length; i++) texts[index.x[n] + i] = list[i];
    var waiting = textWaiters;
    textWaiters = [];
    waiting.forEach(function (w) { if (!w()) textWaiters.push(w); });
    onText();
  };
  function requestText(doc) {
    var n = containing(index.x, doc);
    if (shardsWanted[n]) return;
    shardsWanted[n] = true;
    addScript(rootPath + "/search/text-" + n + ".js", function () {
      /* A missing shard: rank without its texts rather than wait forever. */
      for (var d = index.x[n]; d < (index.x[n + 1] || index.d.length); d++) if (texts[d] === undefined) texts[d] = "";
      window.studybookSearchText(n, []);
    });
  }
  /* Calls `then` once the texts of `docs` are loaded. */
  function withTexts(docs, then) {
    function ready() { return docs.every(function (d) { return texts[d] !== undefined; }); }
    if (ready()) { then(); return; }
    textWaiters.push(function () { if (!ready()) return false; then(); return true; });
    docs.forEach(requestText);
  }

  /* Ranks `query` and calls `then` with the best `limit` results; loads what it needs. */
  function search(query, limit, then) {
    withBuckets(query, function () {
      var q = queryTerms(query);
      var hits = candidates(q);
      withTexts(hits.slice(0, RERANK).map(function (h) { return h.doc; }), function () {
        then(rerank(q, hits, limit));
      });
    });
  }

  /* ---- Highlighting ---- */
  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  /* A pattern for the query's words as they appear in text: Latin words as word starts (so the
     typed prefix and plurals match), CJK runs as they are. */
  function highlighter(query) {
    var alts = [];
    parts(query).forEach(function (p) {
      if (p.word !== undefined) alts.push("(?<![\\p{Alphabetic}\\p{N}])" + escapeRegExp(p.raw.length > 3 && p.word.length < p.raw.length ? p.word : p.raw));
      else alts.push(escapeRegExp(p.run.join("")));
    });
    if (!alts.length) return null;
    alts.sort(function (a, b) { return b.length - a.length; });
    return new RegExp(alts.join("|"), "giu");
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function marked(text, re) {
    if (!re) return escapeHtml(text);
    var out = "", last = 0, m;
    re.lastIndex = 0;
    while ((m = re.exec(text)) !== null) {
      if (!m[0]) { re.lastIndex++; continue; }
      out += escapeHtml(text.slice(last, m.index)) + "<mark>" + escapeHtml(m[0]) + "</mark>";
      last = m.index + m[0].length;
    }
    return out + escapeHtml(text.slice(last));
  }

  /* About 160 characters of `text` around its first match. */
  function snippet(text, re) {
    var at = 0;
    if (re) { re.lastIndex = 0; var m = re.exec(text); if (m) at = m.index; }
    var start = Math.max(0, at - 50), end = Math.min(text.length, start + 160);
    var s = text.slice(start, end);
    return (start > 0 ? "…" : "") + marked(s, re) + (end < text.length ? "…" : "");
  }

  /* Wraps the query's words in <mark> inside `rootEl` (not inside math, code or the header). */
  function highlightPage(rootEl, query) {
    var re = highlighter(query);
    if (!re || !rootEl) return 0;
    var walker = document.createTreeWalker(rootEl, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var el = n.parentElement;
        if (!el || el.closest(".katex, script, style, mark, .search")) return NodeFilter.FILTER_REJECT;
        re.lastIndex = 0;
        return re.test(n.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
      },
    });
    var nodes = [], n, count = 0;
    while ((n = walker.nextNode())) nodes.push(n);
    nodes.forEach(function (node) {
      var frag = document.createDocumentFragment(), text = node.data, last = 0, m;
      re.lastIndex = 0;
      while ((m = re.exec(text)) !== null) {
        if (!m[0]) { re.lastIndex++; continue; }
        frag.appendChild(document.createTextNode(text.slice(last, m.index)));
        var mark = document.createElement("mark");
        mark.className = "search-hit";
        mark.textContent = m[0];
        frag.appendChild(mark);
        count++;
        last = m.index + m[0].length;
      }
      frag.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(frag, node);
    });
    return count;
  }

  /* ---- The search box ---- */
  var HIGHLIGHT = "highlight";

  var wanted = new URLSearchParams(location.search).get(HIGHLIGHT);
  if (wanted) highlightPage(document.querySelector("main"), wanted);

  /* For tests and the benchmark: the tokeniser, a ranked search, a section's text once loaded. */
  window.studybookSearchApi = {
    tokens: tokens,
    search: function (q, n, then) { search(q, n || 10, then); },
    text: function (doc) { return texts[doc]; },
  };

  if (!box) return;
  /* The box's controls are made here rather than written into every page: without this script
     they could not search anyway. A theme may still write its own. */
  if (!box.querySelector("input")) {
    box.innerHTML = '<label class="visually-hidden" for="search-input"></label>' +
      '<input id="search-input" class="search-input" type="search" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="search-results" aria-keyshortcuts="/ s" autocomplete="off" spellcheck="false">' +
      '<ul id="search-results" class="search-results" role="listbox" hidden></ul>' +
      '<div class="visually-hidden" role="status" aria-live="polite"></div>';
    box.querySelector("label").textContent = box.getAttribute("data-label");
    box.querySelector("input").placeholder = box.getAttribute("data-placeholder");
    box.querySelector("input").title = box.getAttribute("data-shortcut");
    box.querySelector("ul").setAttribute("aria-label", box.getAttribute("data-label"));
  }
  var input = box.querySelector("input");
  var list = box.querySelector("[role=listbox]");
  var status = box.querySelector("[role=status]");
  var active = -1, results = [];

  /* Loads search-index.js once; callers that arrive while it loads are called when it is ready. */
  var loadWaiters = null;
  function load(then) {
    if (index) { then(); return; }
    if (window.studybookSearch) { prepare(window.studybookSearch); then(); return; }
    if (loadWaiters) { loadWaiters.push(then); return; }
    loadWaiters = [then];
    var s = addScript(rootPath + "/search-index.js", function () {
      loadWaiters = null;
      status.textContent = box.getAttribute("data-unavailable");
    });
    s.onload = function () {
      var waiting = loadWaiters;
      loadWaiters = null;
      if (!window.studybookSearch) return;
      prepare(window.studybookSearch);
      waiting.forEach(function (fn) { fn(); });
    };
  }
  window.studybookSearchApi.load = function (then) { load(then); };

  var snippetRe = null;
  onText = function () { fillSnippets(); };
  function fillSnippets() {
    list.querySelectorAll(".search-snippet[data-doc]").forEach(function (el) {
      var t = texts[+el.getAttribute("data-doc")];
      if (t === undefined) return;
      el.removeAttribute("data-doc");
      el.innerHTML = snippet(t, snippetRe);
      /* A snippet mostly in Chinese takes the Chinese fonts and full-width punctuation. */
      var han = (el.textContent.match(/[\u3400-\u9fff]/g) || []).length;
      var latin = (el.textContent.match(/[A-Za-z]/g) || []).length;
      if (han > latin && !el.closest("[lang|=zh]")) el.lang = "zh";
    });
  }

  function href(r, query) {
    var path = r.url.split("/").map(encodeURIComponent).join("/");
    return rootPath + "/" + path + "?" + HIGHLIGHT + "=" + encodeURIComponent(query.trim()) +
      (r.anchor ? "#" + encodeURIComponent(r.anchor) : "");
  }

  function setActive(i) {
    var opts = list.querySelectorAll("[role=option]");
    if (active >= 0 && opts[active]) opts[active].setAttribute("aria-selected", "false");
    active = i;
    if (i >= 0 && opts[i]) {
      opts[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function render(found) {
    var query = input.value;
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!query.trim()) { close(); status.textContent = ""; return; }
    results = found;
    var re = highlighter(query);
    snippetRe = re;
    if (!results.length) {
      var li = document.createElement("li");
      li.className = "search-empty";
      li.textContent = box.getAttribute("data-no-results");
      list.appendChild(li);
    }
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.id = "search-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var a = document.createElement("a");
      a.href = href(r, query);
      a.tabIndex = -1;
      a.innerHTML = '<span class="search-title">' + marked(r.title, re) + "</span>" +
        (r.heading ? '<span class="search-heading">' + marked(r.heading, re) + "</span>" : "") +
        '<span class="search-snippet" data-doc="' + r.doc + '"></span>';
      requestText(r.doc);
      li.appendChild(a);
      li.addEventListener("mousemove", function () { if (active !== i) setActive(i); });
      list.appendChild(li);
    });
    fillSnippets();
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = results.length
      ? results.length + " " + box.getAttribute(results.length === 1 ? "data-result-one" : "data-results")
      : box.getAttribute("data-no-results");
  }

  function open(i) {
    var opts = list.querySelectorAll("[role=option] a");
    if (opts[i]) location.href = opts[i].href;
  }

  /* Searches for what the box holds once the index and the query's postings are loaded. */
  function update() {
    var query = input.value;
    if (!query.trim()) { render([]); return; }
    load(function () { search(query, 12, function (found) { if (input.value === query) render(found); }); });
  }

  input.addEventListener("focus", function () { load(function () { if (input.value.trim()) update(); }); });
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (e) {
    var n = results.length;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (list.hidden && input.value.trim()) { update(); return; }
      if (n) setActive((active + 1) % n);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (n) setActive(active <= 0 ? n - 1 : active - 1);
    } else if (e.key === "Enter") {
      if (n) { e.preventDefault(); open(active >= 0 ? active : 0); }
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      if (!list.hidden) close(); else { input.value = ""; input.blur(); }
    }
  });
  box.addEventListener("focusout", function (e) {
    if (!box.contains(e.relatedTarget)) close();
  });

  /* "/" or "s" anywhere outside a text field focuses the box. */
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key !== "/" && e.key !== "s") return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
})();
