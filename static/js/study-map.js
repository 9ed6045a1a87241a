/* The study map's frame: zoom buttons (and Ctrl + wheel) resize the SVG drawn at build time, the
   frame scrolls it; topics the reader has practised or opened are marked from the progress that
   srs.js keeps in this browser. Nothing here lays the map out. */
(function () {
  "use strict";
  var figure = document.querySelector(".study-graph-figure");
  var svg = figure && figure.querySelector("svg.study-graph");
  if (!svg) return;
  var frame = figure.querySelector(".study-graph-scroll");
  var tools = figure.querySelector(".study-graph-tools");
  var box = svg.viewBox.baseVal;
  var scale = 1, MIN = 0.25, MAX = 2.5;

  function zoom(next) {
    scale = Math.min(MAX, Math.max(MIN, next));
    svg.setAttribute("width", String(Math.round(box.width * scale)));
    svg.setAttribute("height", String(Math.round(box.height * scale)));
    tools.querySelector('[data-zoom="reset"]').textContent = Math.round(scale * 100) + "%";
  }

  tools.hidden = false;
  tools.addEventListener("click", function (e) {
    var button = e.target.closest("[data-zoom]");
    if (!button) return;
    var how = button.getAttribute("data-zoom");
    if (how === "in") zoom(scale * 1.25);
    else if (how === "out") zoom(scale / 1.25);
    else if (how === "fit") zoom((frame.clientWidth - 2) / box.width);
    else zoom(1);
  });
  frame.addEventListener("wheel", function (e) {
    if (!e.ctrlKey) return;
    e.preventDefault();
    zoom(scale * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
  }, { passive: false });

  /* srs.js is deferred: it has run by DOMContentLoaded. */
  function mark() {
    var srs = window.StudybookSRS;
    if (!srs) return;
    var cards = Object.keys(srs.load());
    var seen = srs.visited();
    document.querySelectorAll("[data-topic]").forEach(function (el) {
      var url = el.getAttribute("data-topic");
      var prefix = url.replace(/\.html$/, "") + "#";
      if (cards.some(function (id) { return id.indexOf(prefix) === 0; })) el.classList.add("sg-practised");
      else if (seen.indexOf(url) >= 0) el.classList.add("sg-visited");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
})();
