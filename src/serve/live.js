// Injected by `studybook serve` only: reloads this page when it (or something it uses) changed,
// keeping the scroll position; swaps stylesheets without a reload; shows build errors on top.
(() => {
  const me = document.currentScript;
  const page = me.dataset.page;
  const servedVersion = Number(me.dataset.version);
  const key = 'studybook-scroll:' + page;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const y = Number(saved);
    const restore = () => window.scrollTo(0, y);
    restore();
    addEventListener('DOMContentLoaded', restore);
    addEventListener('load', restore);
  }
  const reload = () => {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  };
  const swapCss = (changed, version) => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      if (changed.some((p) => url.pathname === '/' + p)) {
        url.searchParams.set('v', String(version));
        link.href = url.href;
      }
    }
  };
  const overlay = (errors) => {
    let box = document.getElementById('studybook-overlay');
    if (!errors.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement('div');
      box.id = 'studybook-overlay';
      box.setAttribute('role', 'alert');
      box.style.cssText =
        'position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:2147483647;' +
        'background:#2b0b0b;color:#ffe9e9;font:14px/1.5 ui-monospace,monospace;padding:1em 1.5em;' +
        'border-bottom:3px solid #ff5c5c;white-space:pre-wrap';
      document.body.appendChild(box);
    }
    box.textContent = '';
    const title = document.createElement('strong');
    title.textContent = `studybook: ${errors.length} error${errors.length === 1 ? '' : 's'} — showing the last good build`;
    box.appendChild(title);
    for (const e of errors) {
      const item = document.createElement('div');
      item.className = 'studybook-overlay-error';
      item.textContent = `${e.file}:${e.line}:${e.column}: ${e.message}` + (e.help ? `\n  help: ${e.help}` : '');
      box.appendChild(item);
    }
  };
  let seen = null;
  const events = new EventSource('/__studybook/events');
  events.addEventListener('update', (event) => {
    const u = JSON.parse(event.data);
    overlay(u.errors);
    if (seen === null) {
      seen = u.version;
      window.studybookLive = true; // connected: for tests and the curious
      if (u.version !== servedVersion && u.errors.length === 0) reload();
      return;
    }
    if (u.version === seen) return;
    seen = u.version;
    // The search index is loaded on demand: a new one needs no reload.
    const changed = u.changed.filter((p) => p !== 'search-index.js' && !p.startsWith('search/'));
    if (!changed.length) return;
    if (changed.every((p) => p.endsWith('.css'))) {
      swapCss(changed, u.version);
    } else if (changed.includes(page) || changed.some((p) => !p.endsWith('.html'))) {
      reload();
    }
  });
})();
