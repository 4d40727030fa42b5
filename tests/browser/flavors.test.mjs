// Pages written for other tools, as their authors meant them: call-outs (GitHub
// alerts, MkDocs admonitions, Hugo hints) visible and readable in light, dark
// and print; real content (a 2000 px image, a 12-column table, long URLs) never
// makes a phone's page scroll sideways.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

import { assert, AssertionError, buildSite, REPO_ROOT, siteUrl, suite } from "./lib.mjs";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const phone = (width) => ({ viewport: { width, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });

const WIDE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="240" viewBox="0 0 2000 240"><rect width="2000" height="240" fill="#4a90d9"/><text x="20" y="130" font-size="60">A 2000 px wide screenshot</text></svg>\n`;
const columns = Array.from({ length: 12 }, (_, i) => `column ${i + 1}`);
const TABLE = [`| ${columns.join(" | ")} |`, `|${" --- |".repeat(12)}`, `| ${columns.map((c) => `${c} value-with-some-length`).join(" | ")} |`].join("\n");

const WIDE_PAGE = `# Wide content

!!! warning "Paging alert"
    A call-out with a long URL: https://grafana.example.com/d/abcdefghijklmnopqrstuvwxyz/a-dashboard-with-a-very-long-name-that-never-breaks?orgId=1&var-cluster=production

??? note "Folded background"
    Text that prints even when folded.

> [!CAUTION]
> Never restart both regions at once.

![A 2000 px screenshot](img/wide.svg)

<img src="img/wide.svg" width="2000" alt="The same, with a width attribute">

${TABLE}

!!! tip "A wide table in a call-out"
${TABLE.split("\n").map((l) => `    ${l}`).join("\n")}
`;

await suite("flavors", async ({ check, page }) => {
  const wide = buildSite({
    files: {
      "opswiki.yaml": "title: Wide\nflavor: mkdocs\n",
      "content/notes/wide.md": WIDE_PAGE,
      "content/notes/img/wide.svg": WIDE_SVG,
    },
  });
  const fixtures = {
    hugo: [buildSite({ root: join(REPO_ROOT, "tests/fixtures/flavor-hugo") }), "docs/alerts/kube-pod-crash-looping/index.html"],
    mkdocs: [buildSite({ root: join(REPO_ROOT, "tests/fixtures/flavor-mkdocs") }), "docs/disk-pressure/index.html"],
    gitlab: [buildSite({ root: join(REPO_ROOT, "tests/fixtures/flavor-gitlab") }), "docs/redis-failover/index.html"],
    github: [buildSite({ root: join(REPO_ROOT, "tests/fixtures/flavor-github") }), "docs/payments-latency/index.html"],
  };

  const overflow = (p) =>
    p.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: innerWidth }));

  await check("at 390 px a page with a 2000 px image and a 12-column table does not scroll sideways", async () => {
    const p = await page(phone(390));
    await p.goto(siteUrl(wide, "notes/wide/index.html"));
    const { scroll, inner } = await overflow(p);
    assert(scroll <= inner, `the page is ${scroll}px wide on a ${inner}px screen`);
    const seen = await p.evaluate(() => {
      const col = document.querySelector(".markdown").getBoundingClientRect();
      const imgs = [...document.querySelectorAll(".markdown img")].map((i) => i.getBoundingClientRect().width);
      const boxes = [...document.querySelectorAll(".markdown .table-scroll")].map((b) => ({
        width: b.getBoundingClientRect().width,
        inner: b.scrollWidth,
        overflow: getComputedStyle(b).overflowX,
        focusable: b.tabIndex === 0,
        label: b.getAttribute("aria-label"),
      }));
      return { col: col.width, imgs, boxes };
    });
    assert.equal(seen.imgs.length, 2, "images on the page");
    for (const w of seen.imgs) assert(w <= seen.col + 0.5, `an image is ${w}px wide in a ${seen.col}px column`);
    assert.equal(seen.boxes.length, 2, "tables on the page");
    for (const b of seen.boxes) {
      assert(b.width <= seen.col + 0.5, `a table box is ${b.width}px wide in a ${seen.col}px column`);
      assert(b.inner > b.width, "the 12-column table is wider than its box (it scrolls inside it)");
      assert.equal(b.overflow, "auto", "the table box scrolls");
      assert(b.focusable && b.label, "the table box takes the focus and has a label");
    }
  });

  for (const [name, [site, path]] of Object.entries(fixtures)) {
    await check(`${name}: no sideways scroll at 390 px, call-outs visible and labelled`, async () => {
      const p = await page(phone(390));
      await p.goto(siteUrl(site, path));
      const { scroll, inner } = await overflow(p);
      assert(scroll <= inner, `${path} is ${scroll}px wide on a ${inner}px screen`);
      const callouts = await p.evaluate(() =>
        [...document.querySelectorAll(".callout")].map((c) => {
          const box = c.getBoundingClientRect();
          const title = c.querySelector(".callout-title");
          return { w: box.width, h: box.height, right: box.right, title: title && title.textContent.trim(), shown: getComputedStyle(c).display !== "none" };
        }),
      );
      assert(callouts.length > 0, `${path}: no call-out`);
      for (const c of callouts) {
        assert(c.shown && c.w > 100 && c.h > 20, `${path}: a call-out is not visible: ${JSON.stringify(c)}`);
        assert(c.right <= inner, `${path}: a call-out sticks out: ${JSON.stringify(c)}`);
      }
    });
  }

  await check("call-outs have their own colours in light and in dark, and the title contrasts with the tint", async () => {
    const colours = {};
    for (const scheme of ["light", "dark"]) {
      const p = await page({ colorScheme: scheme });
      await p.goto(siteUrl(fixtures.github[0], fixtures.github[1]));
      colours[scheme] = await p.evaluate(() =>
        [...document.querySelectorAll(".callout")].map((c) => {
          const css = getComputedStyle(c);
          return { kind: c.className, bg: css.backgroundColor, border: css.borderLeftColor, title: getComputedStyle(c.querySelector(".callout-title")).color, page: getComputedStyle(document.body).backgroundColor };
        }),
      );
    }
    const lum = (rgb) => {
      const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a, b) => {
      const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
      return (x + 0.05) / (y + 0.05);
    };
    for (const scheme of ["light", "dark"]) {
      const list = colours[scheme];
      assert.equal(list.length, 5, `${scheme}: five alerts`);
      assert.equal(new Set(list.map((c) => c.border)).size, 5, `${scheme}: five border colours`);
      for (const c of list) {
        const ratio = contrast(c.title, c.bg);
        assert(ratio >= 4.5, `${scheme} ${c.kind}: title ${c.title} on ${c.bg} has contrast ${ratio.toFixed(2)}`);
      }
    }
    assert.notEqual(colours.light[0].bg, colours.dark[0].bg, "the note's tint in light and dark");
  });

  await check("axe (WCAG 2.1 A and AA): no violations on any flavor's page, light, dark and dark chosen with the theme button", async () => {
    const problems = [];
    for (const [name, [site, path]] of Object.entries(fixtures)) {
      for (const [colorScheme, theme] of [["light", null], ["dark", null], ["light", "dark"]]) {
        const p = await page({ colorScheme });
        if (theme) await p.addInitScript((t) => localStorage.setItem("opswiki:theme", t), theme);
        await p.goto(siteUrl(site, path));
        // Folded call-outs open, so their text is checked too.
        await p.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
        await p.evaluate(AXE_SOURCE);
        const violations = await p.evaluate(async () => {
          const result = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
          return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`);
        });
        if (violations.length) problems.push(`${name} ${colorScheme}${theme ? ` (${theme} chosen)` : ""}:\n    ${violations.join("\n    ")}`);
      }
    }
    if (problems.length) throw new AssertionError(problems.join("\n  "));
  });

  await check("print: call-outs keep a border and a black label without background, folded ones unfold", async () => {
    const p = await page();
    await p.goto(siteUrl(wide, "notes/wide/index.html"));
    await p.emulateMedia({ media: "print" });
    const printed = await p.evaluate(() => {
      window.dispatchEvent(new Event("beforeprint"));
      return [...document.querySelectorAll(".callout")].map((c) => {
        const css = getComputedStyle(c);
        return {
          bg: css.backgroundImage === "none" ? css.backgroundColor : css.backgroundImage,
          border: `${css.borderLeftStyle} ${css.borderLeftWidth}`,
          title: getComputedStyle(c.querySelector(".callout-title")).color,
          open: c.tagName !== "DETAILS" || c.open,
        };
      });
    });
    for (const c of printed) {
      assert.equal(c.bg, "rgba(0, 0, 0, 0)", "a call-out's background in print");
      assert.match(c.border, /^solid (5|8)px$/, "a call-out's left border in print");
      assert.equal(c.title, "rgb(0, 0, 0)", "a call-out's label in print");
      assert(c.open, "a folded call-out is unfolded for printing");
    }
    const closedAgain = await p.evaluate(() => {
      window.dispatchEvent(new Event("afterprint"));
      return document.querySelector("details.callout").open;
    });
    assert.equal(closedAgain, false, "folded again after printing");
    const pdf = (await p.pdf({ format: "A4", printBackground: false })).toString("latin1");
    if (!/\/Type\s*\/Page\b(?!s)/.test(pdf)) throw new AssertionError("no PDF page");
  });
});
