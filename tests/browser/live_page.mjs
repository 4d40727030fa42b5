// The live status page on a phone, at 3 a.m.: no sideways scrolling, and
// each firing alert's runbook link on screen. Not one of the `*.test.mjs`
// files: the page needs real monitoring data, so tests/live_status.rs
// builds a snapshot against its Prometheus and Alertmanager and runs this
// on it (OPSWIKI_LIVE_SITE names that built site).

import { assert, siteUrl, suite } from "./lib.mjs";

const site = process.env.OPSWIKI_LIVE_SITE;
if (!site) {
  console.error("OPSWIKI_LIVE_SITE is not set: tests/live_status.rs runs this file on the snapshot it builds");
  process.exit(2);
}

const phone = (width) => ({ viewport: { width, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });

await suite("live page", async ({ check, page }) => {
  for (const width of [320, 390]) {
    await check(`at ${width} px the live page does not scroll sideways and every firing alert's runbook link is on screen`, async () => {
      const p = await page(phone(width));
      await p.goto(siteUrl(site, "status/live/index.html"));
      const found = await p.evaluate(() => {
        const root = document.scrollingElement;
        const firing = [...document.querySelectorAll("table.live-alerts tr[data-state='firing']")];
        const links = firing.map((tr) => {
          const a = tr.querySelector("td a");
          if (!a) return { name: tr.dataset.alert, none: true };
          const box = a.getBoundingClientRect();
          return { name: tr.dataset.alert, left: box.left, right: box.right, width: box.width };
        });
        return { scroll: root.scrollWidth, width: root.clientWidth, links };
      });
      assert(found.links.length > 0, "no firing alert on the page");
      assert(found.scroll <= found.width, `the page is ${found.scroll}px wide on a ${found.width}px screen`);
      const shown = found.links.filter((l) => !l.none);
      assert(shown.length > 0, "no firing alert shows a runbook link");
      for (const l of shown) {
        assert(l.width > 0 && l.left >= 0 && l.right <= found.width, `${l.name}: its runbook link spans ${Math.round(l.left)}..${Math.round(l.right)} px on a ${found.width}px screen`);
      }
    });
  }
});
