#!/usr/bin/env node
// Run the browser tests: every tests/browser/*.test.mjs, or those named on the
// command line (`node run.mjs pages` or `node run.mjs pages.test.mjs`).
// Each test file runs in its own node process; exits non-zero if any failed.
// Needs OPSWIKI_BIN (the opswiki binary); `cargo test --release` sets it.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here).filter((f) => f.endsWith(".test.mjs")).sort();

const wanted = process.argv.slice(2).map((arg) => {
  const name = basename(arg).endsWith(".test.mjs") ? basename(arg) : `${basename(arg)}.test.mjs`;
  if (!all.includes(name)) {
    console.error(`no browser test ${name} in ${here} (there are: ${all.join(", ")})`);
    process.exit(2);
  }
  return name;
});
const files = wanted.length ? wanted : all;

if (!process.env.OPSWIKI_BIN) {
  console.error("OPSWIKI_BIN is not set: run the browser tests with `cargo test --release --test browser`");
  process.exit(2);
}
if (!existsSync(join(here, "node_modules", "playwright-core"))) {
  console.error(`playwright-core is not installed: run \`npm ci\` in ${here}`);
  process.exit(2);
}

const failed = [];
for (const file of files) {
  const run = spawnSync(process.execPath, [join(here, file)], {
    cwd: here,
    stdio: "inherit",
    timeout: 300_000,
    killSignal: "SIGKILL",
  });
  if (run.error || run.status !== 0) {
    const why = run.error ? run.error.message : run.signal ? `killed by ${run.signal}` : `exit status ${run.status}`;
    console.error(`${file}: FAILED (${why})`);
    failed.push(file);
  }
}
console.log(`browser test files: ${files.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
