// Pages that stay light: on a generated wiki of a few thousand alarms the
// catalogue and the runbook index are split into parts, and the links that
// pointed into one long page still land where they did: a pager's
// `alarms/index.html#NAME` on the alarm's row (on a phone, with its runbook
// link in view), the runbook index's `#service-SLUG` on the service's page.

import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { REPO_ROOT, assert, buildSite, siteUrl, suite, tempDir } from "./lib.mjs";

const phone = (width) => ({ viewport: { width, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });

function generatedWiki(runbooks) {
  const root = join(tempDir("opswiki-corpus-"), "wiki");
  const run = spawnSync("python3", [join(REPO_ROOT, "bench/gen_corpus.py"), "--out", root, "--runbooks", String(runbooks)], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`gen_corpus.py: ${run.stderr}`);
  return root;
}

await suite("split", { limitMs: 240_000 }, async ({ check, page }) => {
  const site = buildSite({ root: generatedWiki(2000), today: "2026-11-23" });

  await check("a pager's deep link to the catalogue's index lands on the alarm's row in its part, runbook link in view", async () => {
    const p = await page(phone(390));
    // Names from the first, a middle and the last part, and one in capitals
    // (the parts sort ignoring case).
    await p.goto(siteUrl(site, "alarms/index.html"));
    const names = await p.evaluate(() => {
      const cells = [...document.querySelectorAll(".part-table tbody tr")].map((tr) => [...tr.querySelectorAll("code")].map((c) => c.textContent));
      return [cells[0][0], cells[Math.floor(cells.length / 2)][1], cells[cells.length - 1][1]];
    });
    for (const name of names) {
      // A pager link opens afresh (a hash change on the open index would not reload it).
      await p.goto("about:blank");
      await p.goto(siteUrl(site, `alarms/index.html#${name}`));
      await p.waitForURL(/part-\d+\.html#/);
      const seen = await p.evaluate((id) => {
        const group = document.getElementById(id);
        if (!group) return null;
        const link = group.querySelector("td:last-child a");
        const box = link.getBoundingClientRect();
        return { target: group.matches(":target"), box: box.toJSON(), vw: innerWidth, vh: innerHeight, url: location.href };
      }, name);
      assert(seen, `#${name}: no such row on ${p.url()}`);
      assert(seen.target, `#${name}: the row is the page's target`);
      const { box, vw, vh } = seen;
      assert(box.left >= 0 && box.right <= vw && box.top >= 0 && box.bottom <= vh, `#${name}: the runbook link is at ${JSON.stringify(box)}, the screen is ${vw}x${vh}`);
    }
  });

  await check("a deep link to an alarm with capitals lands on its row", async () => {
    const p = await page();
    // A Prometheus alert name (capitalised) taken from a part's rows.
    const all = [];
    for (let n = 1; ; n++) {
      const resp = await p.goto(siteUrl(site, `alarms/part-${n}.html`)).catch(() => null);
      if (!resp || !resp.ok()) break;
      const found = await p.evaluate(() => [...document.querySelectorAll("tbody.alarm")].map((t) => t.id).find((id) => /^[A-Z]/.test(id)));
      if (found) { all.push(found); break; }
    }
    assert(all.length === 1, "a capitalised alarm name in the catalogue");
    await p.goto("about:blank");
    await p.goto(siteUrl(site, `alarms/index.html#${all[0]}`));
    await p.waitForURL(/part-\d+\.html#/);
    assert(await p.evaluate((id) => !!document.getElementById(id), all[0]), `#${all[0]} on ${p.url()}`);
  });

  await check("a deep link to a name no part holds says so and offers the search", async () => {
    const p = await page();
    await p.goto(siteUrl(site, "alarms/index.html#no-such-alarm-zz"));
    await p.waitForURL(/part-\d+\.html#/);
    const notice = p.locator(".missing-alarm");
    assert(await notice.isVisible(), "the notice shows");
    assert.match(await notice.textContent(), /No alarm named no-such-alarm-zz/, "the notice");
    assert.match(await notice.locator("a").getAttribute("href"), /search\.html\?kind=alarm&q=no-such-alarm-zz/, "the search link");
  });

  await check("without JavaScript the catalogue's index lists each part with its first and last name", async () => {
    const p = await page({ javaScriptEnabled: false });
    await p.goto(siteUrl(site, "alarms/index.html#analytics-node-not-ready-00014-restarts"));
    assert.match(p.url(), /alarms\/index\.html#/, "stays on the index");
    const rows = await p.locator(".part-table tbody tr").count();
    assert(rows >= 5, `${rows} parts listed`);
    await p.locator(".part-table a").first().click();
    assert.match(p.url(), /part-1\.html$/, "the part opens");
  });

  await check("a runbook in a folder: Home › Runbooks › folder › page, and the parts' breadcrumbs", async () => {
    const p = await page(phone(320));
    await p.goto(siteUrl(site, "runbooks/analytics/node-not-ready-00014/index.html"));
    const trail = await p.locator("nav.crumbs li").allTextContents();
    assert.equal(trail.slice(0, 3).join(" › "), "Home › Runbooks › analytics", "the trail");
    assert.match(trail[3], /Analytics Node NotReady/, "ends at the page");
    const wide = await p.evaluate(() => document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth);
    assert(!wide, "no sideways scroll at 320 px");
    // Previous and next stay in the folder.
    for (const rel of ["prev", "next"]) {
      const href = await p.locator(`nav.pager a[rel=${rel}]`).getAttribute("href");
      assert.match(href, /^\.\.\/\.\.\/\.\.\/runbooks\/analytics\//, `${rel} is in the same folder`);
    }
    await p.goto(siteUrl(site, "alarms/part-2.html"));
    assert.equal((await p.locator("nav.crumbs li").allTextContents()).join(" › "), "Home › Alarms › Part 2", "a catalogue part");
  });

  await check("a link to a service of the runbook index opens the service's page", async () => {
    const p = await page(phone(320));
    await p.goto(siteUrl(site, "runbooks/index.html#service-analytics"));
    await p.waitForURL(/by-service\/analytics\.html/);
    assert.match(await p.locator("h1").textContent(), /Runbooks: analytics/, "the heading");
    const wide = await p.evaluate(() => document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth);
    assert(!wide, "no sideways scroll at 320 px");
  });
});
