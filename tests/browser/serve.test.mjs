// `opswiki serve` as an author sees it in the browser: save a runbook and
// the page reloads at the same scroll position; change a stylesheet and it
// is swapped without a reload; break a page and an overlay lists the error
// (as text, on every page); fix it and the overlay goes.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { REPO_ROOT, TODAY, assert, opswikiBin, suite, tempDir } from "./lib.mjs";

const RUNBOOK = "content/runbooks/api-error-rate-spike.md";
const RUNBOOK_URL = "runbooks/api-error-rate-spike/";

/** A new site from `opswiki init`. */
function initSite() {
  const root = join(tempDir("opswiki-serve-"), "wiki");
  const run = spawnSync(opswikiBin(), ["init", "--today", TODAY, root], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`opswiki init failed:\n${run.stderr}`);
  return root;
}

/** Start `opswiki serve` on a free port; resolves to { url, stop, log }. */
function serve(root) {
  const child = spawn(opswikiBin(), ["serve", "--root", root, "--port", "0", "--today", TODAY], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL:\n${log}`)), 60_000);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/opswiki: serving (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop: () => child.kill(), log: () => log });
      }
    });
    child.on("exit", (code) => reject(new Error(`serve exited ${code}:\n${log}`)));
  });
}

/** Save as editors do: a temporary file renamed over the original. */
function save(path, text) {
  const temp = `${path}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

function edit(path, from, to) {
  const text = readFileSync(path, "utf8");
  assert(text.includes(from), `${from} not in ${path}`);
  save(path, text.replace(from, to));
}

/** The overlay's text ("" when there is none). */
const overlayText = (p) =>
  p.evaluate(() => document.getElementById("opswiki-overlay")?.shadowRoot?.textContent ?? "");

await suite("serve", async ({ check, page }) => {
  const root = initSite();
  const server = await serve(root);
  const url = (path = "") => new URL(path, server.url).href;
  try {
    await check("the page reloads after a save, at the same scroll position", async () => {
      const p = await page({ viewport: { width: 800, height: 400 } });
      await p.goto(url(RUNBOOK_URL));
      await p.evaluate(() => window.scrollTo(0, 250));
      await p.waitForFunction(() => window.scrollY === 250);
      await p.evaluate(() => (window.__before = true));
      const loaded = p.waitForEvent("load");
      edit(join(root, RUNBOOK), "Customers cannot place orders", "Customers (SAVED) cannot place orders");
      await loaded;
      await p.waitForFunction(() => document.body.textContent.includes("(SAVED)"));
      assert.equal(await p.evaluate(() => window.__before), undefined, "the page was reloaded");
      await p.waitForFunction(() => window.scrollY === 250, null, { timeout: 5000 });
      assert.equal(await p.evaluate(() => window.scrollY), 250, "scroll position kept");
    });

    await check("a stylesheet change is swapped in without a reload", async () => {
      const p = await page();
      await p.goto(url(RUNBOOK_URL));
      await p.evaluate(() => (window.__before = true));
      const colour = () => p.evaluate(() => getComputedStyle(document.querySelector("main h1")).color);
      assert.notEqual(await colour(), "rgb(255, 0, 0)", "not red yet");
      const css = readFileSync(join(REPO_ROOT, "static/style.css"), "utf8");
      // A site's static/ folder, made while serving, is watched from then on.
      mkdirSync(join(root, "static"), { recursive: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      save(join(root, "static/style.css"), `${css}\nmain h1 { color: rgb(255, 0, 0) !important; }\n`);
      await p.waitForFunction(
        () => getComputedStyle(document.querySelector("main h1")).color === "rgb(255, 0, 0)",
      );
      assert.equal(await p.evaluate(() => window.__before), true, "no reload for a stylesheet");
    });

    await check("a broken save shows the overlay on every page; the fix clears it", async () => {
      const p = await page();
      await p.goto(url(RUNBOOK_URL));
      await p.evaluate(() => (window.__before = true));
      // The error quotes the author's text: it must show as text, not HTML.
      edit(join(root, RUNBOOK), "severity: P1", 'severity: "<b id=injected>P9</b>"');
      await p.waitForFunction(() => !!document.getElementById("opswiki-overlay"));
      const text = await overlayText(p);
      assert.match(text, /1 error/, "the count");
      assert.match(text, /content\/runbooks\/api-error-rate-spike\.md:3:11/, "file:line:column");
      assert.match(text, /severity-unknown/, "the code");
      assert.match(text, /severity: "<b id=injected>P9<\/b>"/, "the source line, as text");
      assert.equal(
        await p.evaluate(() => !!document.getElementById("opswiki-overlay").shadowRoot.getElementById("injected")),
        false,
        "no HTML from the source",
      );
      assert.equal(await p.evaluate(() => window.__before), true, "no reload: the last good page stays");
      assert.match(await p.locator("main").textContent(), /Customers \(SAVED\)/, "the last good page");

      // Any other page shows it from the start.
      const other = await page();
      await other.goto(url("runbooks/database-connection-exhaustion/"));
      assert.match(await overlayText(other), /severity-unknown/, "overlay on another page");
      // It can be folded away.
      await other.evaluate(() =>
        document.getElementById("opswiki-overlay").shadowRoot.querySelector("button").click(),
      );
      assert.match(
        await other.evaluate(() => document.getElementById("opswiki-overlay").shadowRoot.querySelector("section").className),
        /hidden/,
        "folded",
      );

      edit(join(root, RUNBOOK), 'severity: "<b id=injected>P9</b>"', "severity: P1");
      await p.waitForFunction(() => !document.getElementById("opswiki-overlay"));
      await other.waitForFunction(() => !document.getElementById("opswiki-overlay"));
      assert.equal(await overlayText(p), "", "overlay gone");
    });

    await check("a page created after a 404 appears by itself", async () => {
      const p = await page();
      const response = await p.goto(url("runbooks/brand-new/"));
      assert.equal(response.status(), 404, "not there yet");
      const text = readFileSync(join(root, RUNBOOK), "utf8")
        .replace("title: API Error Rate Spike", "title: Brand New")
        .replace("alarms: [orders-api-5xx-rate]\n", "");
      const loaded = p.waitForEvent("load");
      save(join(root, "content/runbooks/brand-new.md"), text);
      await loaded;
      await p.waitForFunction(() => document.title.includes("Brand New"));
    });
  } finally {
    server.stop();
  }
});
