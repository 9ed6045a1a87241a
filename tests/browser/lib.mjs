// Shared helpers for the browser tests: Debian's Chromium through playwright-core, pages opened
// from file:// or from a loopback server, and a record of every request a page makes.
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export function siteDir(name) {
  const dir = process.env[name];
  if (!dir) throw new Error(`${name} is not set: run the browser tests through \`cargo test --test browser\``);
  return dir;
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Opens a new page that records console errors, failed requests and requests leaving `allowed`. */
export async function newPage(browser, { allowed, width = 1280, height = 900, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const problems = { consoleErrors: [], failed: [], outside: [] };
  page.on("console", (m) => { if (m.type() === "error") problems.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => problems.consoleErrors.push(String(e)));
  // ERR_ABORTED is a request the page itself dropped by navigating away (a favicon, say): not a failure.
  page.on("requestfailed", (r) => {
    const error = r.failure()?.errorText;
    if (error !== "net::ERR_ABORTED") problems.failed.push(`${r.url()} ${error}`);
  });
  page.on("response", (r) => { if (r.status() >= 400) problems.failed.push(`${r.url()} HTTP ${r.status()}`); });
  page.on("request", (r) => {
    const url = r.url();
    if (allowed && !url.startsWith(allowed) && !url.startsWith("data:") && !url.startsWith("about:")) problems.outside.push(url);
  });
  return { context, page, problems };
}

export function fileUrl(dir, rel = "index.html") {
  return pathToFileURL(join(dir, rel)).href;
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".svg": "image/svg+xml", ".woff2": "font/woff2", ".png": "image/png", ".xml": "application/xml",
};

/** A static file server for `dir` on 127.0.0.1, under `prefix` (like a GitHub Pages project site). */
export async function serveDir(dir, prefix = "/") {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (!path.startsWith(prefix)) throw new Error("outside prefix");
      path = path.slice(prefix.length);
      if (path === "" || path.endsWith("/")) path += "index.html";
      const file = normalize(join(root, path));
      if (!file.startsWith(root + sep)) throw new Error("outside root");
      if (!(await stat(file)).isFile()) throw new Error("not a file");
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((ok) => server.close(ok)) };
}
