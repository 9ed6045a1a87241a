/* studybook default theme: theme toggle, sidebar drawer, TOC that follows scrolling,
   answers open for printing. No network, works from file://. */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "studybook-theme";

  function currentTheme() {
    var set = root.getAttribute("data-theme");
    if (set) return set;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  /* A `#` link beside each heading of the notes, made here rather than written into every
     page: hidden until the heading is hovered or the link focused (style.css). */
  var main = document.getElementById("main");
  var permalink = main && main.getAttribute("data-permalink");
  if (permalink) {
    main.querySelectorAll(":is(.content, .intro, .category-intro) :is(h1, h2, h3, h4, h5, h6)[id]").forEach(function (h) {
      if (h.querySelector(".heading-anchor")) return;
      var a = document.createElement("a");
      a.className = "heading-anchor";
      a.href = "#" + encodeURIComponent(h.id);
      a.setAttribute("aria-label", permalink);
      a.textContent = "#";
      h.appendChild(a);
    });
  }

  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    toggle.setAttribute("aria-pressed", currentTheme() === "dark" ? "true" : "false");
    toggle.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      toggle.setAttribute("aria-pressed", next === "dark" ? "true" : "false");
      try { localStorage.setItem(KEY, next); } catch (e) { /* storage may be off */ }
    });
  }

  /* Keeps the current page's entry in view inside the sidebar on long sites. Only the sidebar
     scrolls: scrollIntoView would scroll the page as well and move it off a linked heading. */
  var sidebar = document.getElementById("sidebar");
  var current = document.querySelector('#sidebar a[aria-current="page"]');
  function revealCurrent() {
    if (!sidebar || !current) return;
    var box = sidebar.getBoundingClientRect(), item = current.getBoundingClientRect();
    if (!box.height) return;
    if (item.top < box.top || item.bottom > box.bottom) {
      sidebar.scrollTop += item.top - box.top - (box.height - item.height) / 2;
    }
  }
  revealCurrent();

  var sidebarButton = document.querySelector(".sidebar-toggle");
  if (sidebarButton) {
    sidebarButton.addEventListener("click", function () {
      var open = document.body.classList.toggle("sidebar-open");
      sidebarButton.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        revealCurrent();
        var first = current || document.querySelector("#sidebar a");
        if (first) first.focus({ preventScroll: true });
      }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && document.body.classList.contains("sidebar-open")) {
        document.body.classList.remove("sidebar-open");
        sidebarButton.setAttribute("aria-expanded", "false");
        sidebarButton.focus();
      }
    });
  }

  /* Wide formulas and tables scroll sideways: make those (only those) reachable by keyboard. */
  document.querySelectorAll(".katex-display, .table-wrap").forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1) el.setAttribute("tabindex", "0");
  });


  /* Highlight the TOC entry of the section being read. */
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".toc a"));
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent(a.hash.slice(1))] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && byId[entry.target.id]) {
          tocLinks.forEach(function (a) { a.classList.remove("active"); });
          byId[entry.target.id].classList.add("active");
        }
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(byId).forEach(function (id) {
      var h = document.getElementById(id);
      if (h) observer.observe(h);
    });
  }

  /* Open a question when its anchor is followed. */
  function openTarget() {
    if (!location.hash) return;
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (el && el.tagName === "DETAILS") el.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  /* Printing shows every answer. */
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; reopened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
})();
