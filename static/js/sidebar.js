/* Builds the sidebar's topic tree from window.studybookNav (js/nav-data.js) right where this
   script stands, before the rest of the page is parsed, so it never flashes in late. */
(function () {
  "use strict";
  var script = document.currentScript;
  var nav = script && script.parentNode;
  var tree = window.studybookNav;
  if (!nav || !tree) return;
  var root = nav.getAttribute("data-root") || ".";
  var current = nav.getAttribute("data-current");
  var list = document.createElement("ul");
  list.className = "nav-tree";
  tree.forEach(function (cat) {
    var item = document.createElement("li");
    item.className = "nav-category";
    if (cat.key) {
      var title = document.createElement("a");
      title.className = "nav-category-title";
      title.href = root + "/index.html#" + cat.anchor;
      title.textContent = cat.title;
      item.appendChild(title);
    }
    var pages = document.createElement("ul");
    cat.pages.forEach(function (p) {
      var li = document.createElement("li");
      if (p.level) li.setAttribute("data-level", p.level);
      /* A draft chapter of an mdBook SUMMARY.md: listed, not linked. */
      var a = document.createElement(p.url ? "a" : "span");
      if (p.url) a.href = root + "/" + p.url;
      else a.className = "nav-draft";
      a.textContent = p.title;
      if (p.url && p.url === current) a.setAttribute("aria-current", "page");
      li.appendChild(a);
      pages.appendChild(li);
    });
    item.appendChild(pages);
    list.appendChild(item);
  });
  nav.insertBefore(list, script);
})();
