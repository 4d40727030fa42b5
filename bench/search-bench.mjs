#!/usr/bin/env node
// Search benchmark, in headless Chromium (playwright-core from tests/browser):
// the bytes a browser loads for a first query, and the time from a keystroke
// to results once loaded. Run by bench/search.sh; prints one JSON line per
// measurement and a Markdown table at the end.
//
//   node bench/search-bench.mjs opswiki SITE_DIR [file|http]
//   node bench/search-bench.mjs pagefind SITE_DIR PAGE   (SITE_DIR has pagefind/)

import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { createServer } from "node:net";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(pathToFileURL(join(here, "..", "tests", "browser", "node_modules", "playwright-core", "index.mjs")).href);

// Typical incident queries on the generated corpus: an alarm name pasted
// from a pager, a Prometheus alert, a partial word, a word with a typo, a
// service and symptom, a filtered query, a metric.
// Typing speed for "typed" runs, ms per key (150: about 80 words a minute).
const TYPE_DELAY = Number(process.env.TYPE_DELAY || 150);
export const QUERIES = (process.env.QUERIES || [
  "orders-disk-pressure-00021-availability",
  "PodCrashloop03520Alert0",
  "replica la",
  "certficate expiry",
  "payments connection pool",
  "kind:runbook sev:P1 service:orders latency",
  "p95 latency",
].join("|")).split("|");

async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => ok(port)); });
    s.on("error", fail);
  });
}

/** Serve the folder above `dir`; the site sits under /NAME/. */
export async function serve(dir) {
  const port = await freePort();
  const child = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dirname(dir)], { stdio: "ignore" });
  const base = `http://127.0.0.1:${port}/${basename(dir)}/`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(base)).status < 500) return { base, stop: () => child.kill() }; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error("http.server did not start");
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const [mode, siteArg, third] = process.argv.slice(2);
const site = resolve(siteArg);
const rows = [];

/** The local file behind a URL of the site, or null. */
function localFile(url, base) {
  const clean = url.split("?")[0].split("#")[0];
  if (clean.startsWith("file:")) return fileURLToPath(clean);
  if (base && clean.startsWith(base)) return join(site, decodeURIComponent(clean.slice(base.length)));
  return null;
}

async function opswiki(transport) {
  const server = transport === "http" ? await serve(site) : null;
  const base = server ? server.base : pathToFileURL(site).href + "/";
  try {
    for (const typing of ["pasted", "typed"]) {
      for (const query of QUERIES) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const urls = new Set();
        page.on("request", (r) => urls.add(r.url()));
        await page.goto(base + "index.html");
        await page.waitForFunction(() => window.OpswikiSearch && window.OpswikiSearch.ready);
        const input = page.locator("#search-input");
        await input.click();
        if (typing === "pasted") await input.fill(query);
        else await input.pressSequentially(query, { delay: TYPE_DELAY });
        await page.waitForFunction((q) => window.OpswikiSearch.timings.some((t) => t.query === q), query, { timeout: 30_000 });
        const first = await page.locator("#search-results .sr-item").first().evaluate((a) => `${a.querySelector(".sr-title").textContent}${a.querySelector(".sr-heading") ? " § " + a.querySelector(".sr-heading").textContent : ""}`).catch(() => "(none)");
        // Resource Timing also sees what file:// loaded.
        for (const e of await page.evaluate(() => performance.getEntriesByType("resource").map((r) => r.name))) urls.add(e);
        let bytes = 0, gz = 0, files = 0;
        for (const url of urls) {
          const file = localFile(url, base);
          if (!file) continue;
          const rel = file.slice(site.length + 1);
          if (!(rel.startsWith("search/") || rel.startsWith("static/search."))) continue;
          bytes += statSync(file).size;
          gz += gzipSync(readFileSync(file)).length;
          files += 1;
        }
        // Keystroke to results, everything loaded: add and remove a space, 5 times.
        const ms = [];
        for (let i = 0; i < 5; i++) {
          for (const key of ["Space", "Backspace"]) {
            await page.evaluate(() => (window.OpswikiSearch.timings.length = 0));
            await input.press(key);
            await page.waitForFunction(() => window.OpswikiSearch.timings.length > 0);
            ms.push(await page.evaluate(() => window.OpswikiSearch.timings[0].ms));
          }
        }
        ms.sort((a, b) => a - b);
        const row = { tool: "opswiki", transport, typing, query, files, bytes, gzip: gz, first, ms_median: +ms[ms.length >> 1].toFixed(1), ms_max: +ms[ms.length - 1].toFixed(1) };
        console.log(JSON.stringify(row));
        rows.push(row);
        await context.close();
      }
    }
  } finally {
    server?.stop();
  }
}

async function pagefind(pagePath) {
  const server = await serve(site);
  try {
    for (const query of QUERIES) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const sizes = new Map();
      page.on("response", async (r) => {
        if (!r.url().includes("/pagefind/")) return;
        try { sizes.set(r.url(), (await r.body()).length); } catch { /* redirects */ }
      });
      await page.goto(server.base + pagePath);
      const started = Date.now();
      const first = await page.evaluate(async ([q, bundle]) => {
        const pf = await import(bundle);
        if (pf.init) await pf.init();
        // Pagefind has no filter syntax in the query: search the words.
        const words = q.replace(/\b(kind|sev|service):\S+/g, "").trim();
        const search = await pf.search(words);
        // Its default UI shows the first five results.
        const data = await Promise.all(search.results.slice(0, 5).map((r) => r.data()));
        return data[0] ? data[0].meta.title : "(none)";
      }, [query, server.base + "pagefind/pagefind.js"]);
      await new Promise((r) => setTimeout(r, 300));
      let bytes = 0;
      for (const n of sizes.values()) bytes += n;
      const row = { tool: "pagefind", site: basename(site), query, files: sizes.size, bytes, first, ms_first: Date.now() - started };
      console.log(JSON.stringify(row));
      rows.push(row);
      await context.close();
    }
  } finally {
    server.stop();
  }
}

try {
  if (mode === "opswiki") await opswiki(third || "file");
  else if (mode === "pagefind") await pagefind(third || "index.html");
  else throw new Error("usage: search-bench.mjs opswiki|pagefind SITE [file|http|PAGE]");
} finally {
  await browser.close();
}
