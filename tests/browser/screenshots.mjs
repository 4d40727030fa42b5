#!/usr/bin/env node
// Not a test: screenshots of the example wiki for a design review.
//   OPSWIKI_BIN=target/release/opswiki node tests/browser/screenshots.mjs [OUTDIR]
// writes OUTDIR (default /tmp/shots) /NAME-{desktop,mobile}-{light,dark}.png for
// a few pages, and NAME-print.pdf (the runbook as printed).

import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { PAGE_KINDS } from "./kinds.mjs";
import { buildSite, launch, siteUrl } from "./lib.mjs";

const out = process.argv[2] || "/tmp/shots";
mkdirSync(out, { recursive: true });

// Every page kind, or those named in $PAGES (comma-separated names from kinds.mjs).
const wanted = process.env.PAGES ? process.env.PAGES.split(",") : Object.keys(PAGE_KINDS);
const PAGES = Object.fromEntries(wanted.map((name) => [name.replace(/[^a-z0-9]+/gi, "-"), PAGE_KINDS[name].path]));
const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 } },
  mobile: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
};
const full = process.env.FULL_PAGE === "1";

const site = buildSite();
const browser = await launch();
try {
  for (const [device, options] of Object.entries(VIEWPORTS)) {
    for (const scheme of ["light", "dark"]) {
      const context = await browser.newContext({ ...options, colorScheme: scheme });
      const page = await context.newPage();
      for (const [name, path] of Object.entries(PAGES)) {
        await page.goto(siteUrl(site, path));
        const file = join(out, `${name}-${device}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: full });
        console.log(file);
      }
      await context.close();
    }
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const name of Object.keys(PAGES)) {
    await page.goto(siteUrl(site, PAGES[name]));
    await page.emulateMedia({ media: "print" });
    const file = join(out, `${name}-print.pdf`);
    // Background graphics off, as browsers print by default.
    await page.pdf({ path: file, format: "A4", printBackground: false });
    console.log(file);
  }
  await context.close();
} finally {
  await browser.close();
}
