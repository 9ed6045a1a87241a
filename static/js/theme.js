/* Applies the reader's saved theme before the first paint, so the page never flashes: loaded
   without defer in <head>, before the stylesheets. */
try { var s = localStorage.getItem("studybook-theme"); if (s === "dark" || s === "light") document.documentElement.setAttribute("data-theme", s); } catch (e) {}
