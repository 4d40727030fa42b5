// Shared helpers for the browser tests: launch the system Chromium, build a
// site with the opswiki binary into a temp folder, assert, and run a test
// file's checks with a clear report. No browser is ever downloaded: the tests
// drive /usr/bin/chromium (Debian's `chromium` package) through playwright-core.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";

import { chromium } from "playwright-core";

/** The repository root (tests/browser/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CHROMIUM = "/usr/bin/chromium";
/** The date every fixture build counts staleness from, so output is stable. */
export const TODAY = "2026-11-26";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const cleanups = [];
function removeLater(dir) {
  if (!process.env.OPSWIKI_KEEP_TMP) cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
// However the process ends (a script that is no suite, a timeout), leave no temp folders behind.
process.on("exit", () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

// Record what the page copies, whichever way static/opswiki.js copies it:
// the Clipboard API (Chromium counts file:// as a secure context) or, where
// that is missing or refused, a selected textarea and execCommand("copy").
export const RECORD_COPY = () => {
  if (navigator.clipboard) {
    navigator.clipboard.writeText = (text) => {
      window.__copied = text;
      return Promise.resolve();
    };
  }
  const original = Document.prototype.execCommand;
  Document.prototype.execCommand = function (command, ...rest) {
    if (command === "copy") {
      const active = document.activeElement;
      window.__copied = active && "value" in active ? active.value : String(window.getSelection());
    }
    return original.call(this, command, ...rest);
  };
};

/** A fresh temp folder, removed when the test file ends (unless OPSWIKI_KEEP_TMP is set). */
export function tempDir(prefix = "opswiki-browser-") {
  return removeLater(mkdtempSync(join(tmpdir(), prefix)));
}

/**
 * Launch headless Chromium. Playwright starts it with a fresh temporary
 * --user-data-dir of its own (it refuses the flag in `args`) and deletes it
 * on close.
 */
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install chromium (apt-get install chromium) or run .ci/run`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/** The opswiki binary under test: $OPSWIKI_BIN (set by tests/browser.rs). */
export function opswikiBin() {
  const bin = process.env.OPSWIKI_BIN;
  if (!bin) {
    throw new Error("OPSWIKI_BIN is not set: run the browser tests with `cargo test --release --test browser`");
  }
  if (!existsSync(bin)) throw new Error(`OPSWIKI_BIN=${bin} does not exist`);
  return bin;
}

/**
 * Build a site into a fresh temp folder and return its path.
 *
 * - `buildSite()` builds the example wiki of this repository.
 * - `buildSite({ files: { "opswiki.yaml": "...", "content/index.md": "..." } })`
 *   writes a fixture wiki into a temp folder first and builds that.
 */
export function buildSite({ root, files, today = TODAY, extraArgs = [] } = {}) {
  if (files) {
    root = join(tempDir("opswiki-fixture-"), "wiki");
    for (const [path, text] of Object.entries(files)) {
      const full = join(root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  root ??= REPO_ROOT;
  // The build writes `.site.tmp` beside its output: keep both in one temp folder.
  const output = join(tempDir("opswiki-site-"), "site");
  const args = ["build", "--root", root, "--output", output, "--today", today, "--color", "never", ...extraArgs];
  const run = spawnSync(opswikiBin(), args, { encoding: "utf8", timeout: 60_000 });
  if (run.error) throw new Error(`could not run ${opswikiBin()}: ${run.error.message}`);
  if (run.status !== 0) {
    throw new Error(`opswiki ${args.join(" ")} exited ${run.status}\n${run.stdout}${run.stderr}`);
  }
  return output;
}

/** A file:// URL for a path inside a built site; a `?query` or `#fragment` is kept as such. */
export function siteUrl(site, path = "index.html") {
  const at = path.search(/[?#]/);
  const [file, rest] = at < 0 ? [path, ""] : [path.slice(0, at), path.slice(at)];
  return pathToFileURL(join(site, file)).href + rest;
}

export class AssertionError extends Error {}

const show = (v) => inspect(v, { depth: 4, breakLength: Infinity });

/** assert(cond, message); also assert.equal, assert.match, assert.includes. */
export function assert(condition, message) {
  if (!condition) throw new AssertionError(message);
}
assert.equal = (actual, expected, what) => {
  if (actual !== expected) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
};
assert.notEqual = (actual, unexpected, what) => {
  if (actual === unexpected) throw new AssertionError(`${what}: expected anything but ${show(unexpected)}`);
};
assert.match = (actual, regex, what) => {
  if (typeof actual !== "string" || !regex.test(actual)) {
    throw new AssertionError(`${what}: expected to match ${regex}, got ${show(actual)}`);
  }
};
assert.includes = (list, item, what) => {
  if (!list.includes(item)) throw new AssertionError(`${what}: expected ${show(item)} in ${show(list)}`);
};

/**
 * Run one test file: `await suite("pages", async ({ check, page }) => { ... })`.
 *
 * `check(name, fn)` runs one check; a failing check is reported and the rest
 * still run. `page(options)` opens a page in a new browser context (options
 * are Playwright's context options, e.g. { viewport, colorScheme }); a
 * JavaScript error on any page fails the check that opened it. Exits non-zero
 * if anything failed, with a summary line `N passed, N failed`.
 */
export async function suite(name, options, body) {
  if (typeof options === "function") [options, body] = [{}, options];
  const started = Date.now();
  // A hung browser must not hang CI: give the whole file a hard limit
  // (`suite(name, { limitMs }, body)` for a file that needs more; run.mjs stops any file at 300 s).
  const limit = Number(process.env.OPSWIKI_BROWSER_TIMEOUT_MS || options.limitMs || 180_000);
  const watchdog = setTimeout(() => {
    console.error(`FAIL ${name}: timed out after ${limit / 1000}s`);
    process.exit(1);
  }, limit);
  watchdog.unref();

  let browser;
  let passed = 0;
  const failures = [];
  let open = [];
  let pageErrors = [];

  const page = async (options = {}) => {
    browser ??= await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    context.setDefaultTimeout(10_000);
    open.push(context);
    const p = await context.newPage();
    p.on("pageerror", (error) => pageErrors.push(`${p.url()}: ${error.message}`));
    return p;
  };

  const check = async (label, fn) => {
    pageErrors = [];
    try {
      await fn();
      if (pageErrors.length) throw new AssertionError(`JavaScript errors on the page:\n  ${pageErrors.join("\n  ")}`);
      passed += 1;
      console.log(`  ok   ${label}`);
    } catch (error) {
      const message = error instanceof AssertionError ? error.message : (error.stack || String(error));
      failures.push({ label, message });
      console.log(`  FAIL ${label}\n       ${message.split("\n").join("\n       ")}`);
    } finally {
      for (const context of open) await context.close().catch(() => {});
      open = [];
    }
  };

  console.log(`${name}:`);
  try {
    await body({ check, page, launch: async () => (browser ??= await launch()) });
  } catch (error) {
    failures.push({ label: "(setup)", message: error.stack || String(error) });
    console.log(`  FAIL (setup)\n       ${String(error.stack || error).split("\n").join("\n       ")}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    for (const cleanup of cleanups.splice(0)) cleanup();
    clearTimeout(watchdog);
  }

  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${name}: ${passed} passed, ${failures.length} failed (${secs}s)`);
  if (failures.length) {
    console.log(`\n${name} failed:`);
    for (const f of failures) console.log(`  - ${f.label}: ${f.message.split("\n").slice(0, 3).join("\n    ")}`);
    process.exitCode = 1;
  }
}
