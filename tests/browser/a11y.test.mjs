// Accessibility: axe-core (WCAG 2.1 A and AA rules) on every page kind of the
// example wiki, light and dark, desktop and phone width. Zero violations.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { PAGE_KINDS, WIDTHS } from "./kinds.mjs";
import { AssertionError, buildSite, siteUrl, suite } from "./lib.mjs";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

function describe(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes.slice(0, 4).map((n) => `      ${n.target.join(" ")}: ${n.failureSummary.split("\n").slice(1, 2).join("").trim()}`);
      return `  ${v.id} (${v.impact}, ${v.nodes.length}x): ${v.help}\n${nodes.join("\n")}`;
    })
    .join("\n");
}

// About 100 axe runs: more than the default three minutes on a busy 2-core machine.
await suite("a11y", { limitMs: 280_000 }, async ({ check, page }) => {
  const site = buildSite();
  for (const [kind, { path, act }] of Object.entries(PAGE_KINDS)) {
    await check(`${kind}: no axe violations, light and dark, desktop and phone`, async () => {
      const problems = [];
      for (const [width, options] of Object.entries(WIDTHS)) {
        for (const colorScheme of ["light", "dark"]) {
          const p = await page({ ...options, colorScheme });
          await p.goto(siteUrl(site, path));
          if (act) await act(p);
          await p.evaluate(AXE_SOURCE);
          const violations = await p.evaluate(async (tags) => {
            const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
            return result.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary || "" })),
            }));
          }, TAGS);
          if (violations.length) problems.push(`${width} ${colorScheme}:\n${describe(violations)}`);
        }
      }
      // Dark chosen with the theme button on a light system: the dark rules in their forced form.
      for (const [theme, colorScheme] of [["dark", "light"]]) {
        const p = await page({ ...WIDTHS.desktop, colorScheme });
        await p.addInitScript((t) => localStorage.setItem("opswiki:theme", t), theme);
        await p.goto(siteUrl(site, path));
        if (act) await act(p);
        await p.evaluate(AXE_SOURCE);
        const violations = await p.evaluate(async (tags) => {
          const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
          return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary || "" })) }));
        }, TAGS);
        if (violations.length) problems.push(`desktop, ${theme} chosen on a ${colorScheme} system:\n${describe(violations)}`);
      }
      if (problems.length) throw new AssertionError(problems.join("\n"));
    });
  }
});
