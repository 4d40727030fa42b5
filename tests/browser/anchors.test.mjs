// Anchors as a reader follows them from outside the wiki: a pager deep link
// whose anchor differs from the heading's id only in case must scroll to
// the heading (a browser matches ids exactly; `check` ignores case).

import { assert, buildSite, siteUrl, suite } from "./lib.mjs";

const filler = Array.from({ length: 80 }, (_, i) => `Line ${i} of the meaning, long enough to push the next heading off screen.`).join("\n\n");

await suite("anchors", async ({ check, page }) => {
  const site = buildSite({
    files: {
      "opswiki.yaml": "flavor: hugo\nbase_url: https://runbooks.example.dev/\nkinds:\n  runbook:\n    required_fields: []\n    required_sections: []\n",
      "content/runbooks/tempo/TempoCompactionsFailing.md":
        `---\ntitle: Tempo compactions failing\n---\n\n# Tempo\n\n## Meaning\n\n${filler}\n\n## TempoCompactionsFailing\n\nCheck the compactor's logs.\n\n## Mitigation\n\n${filler}\n`,
      "content/alarms/tempo.yaml":
        "groups:\n  - name: tempo\n    rules:\n      - alert: TempoCompactionsFailing\n        expr: up == 0\n        labels: {severity: critical}\n        annotations:\n          description: Compactions fail\n          runbook_url: https://runbooks.example.dev/runbooks/tempo/tempocompactionsfailing#TempoCompactionsFailing\n",
    },
  });

  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    await check(`a deep link in the alert's own case lands on the heading (${viewport.width} px)`, async () => {
      const p = await page({ viewport });
      await p.goto(siteUrl(site, "runbooks/tempo/tempocompactionsfailing/index.html#TempoCompactionsFailing"));
      const heading = p.locator("h2#tempocompactionsfailing");
      assert.equal(await heading.count(), 1, "the heading keeps its lower-case id");
      const top = await heading.evaluate((h) => h.getBoundingClientRect().top);
      const scrolled = await p.evaluate(() => window.scrollY);
      assert(scrolled > 500, `the page scrolled down to the heading (scrollY ${scrolled})`);
      assert(top >= -5 && top < viewport.height / 2, `the heading is at the top of the screen (top ${top})`);
    });
  }
});
