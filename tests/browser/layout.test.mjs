// Layout on any screen: no page of the example wiki scrolls sideways at
// 320 px (WCAG reflow) or 390 px; on a phone the content comes before the
// sidebar and a pager's deep link into the alarm catalogue shows the runbook
// link; printed, the catalogue drops its filter form and fits the page.

import { PAGE_KINDS } from "./kinds.mjs";
import { assert, AssertionError, buildSite, siteUrl, suite } from "./lib.mjs";

const phone = (width) => ({ viewport: { width, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });

await suite("layout", async ({ check, page }) => {
  const site = buildSite();

  for (const width of [320, 390]) {
    await check(`at ${width} px no page kind scrolls sideways, and no element sticks out of the page`, async () => {
      const p = await page(phone(width));
      const wide = [];
      for (const [kind, { path, act }] of Object.entries(PAGE_KINDS)) {
        // A generous limit: nineteen pages in a row on a busy 2-core machine.
        await p.goto(siteUrl(site, path), { timeout: 30_000 });
        if (act) await act(p);
        const found = await p.evaluate(() => {
          const root = document.scrollingElement;
          // What pokes out past the right edge (and is not inside a box that scrolls by itself).
          const out = [];
          for (const el of document.body.querySelectorAll("*")) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.right <= root.clientWidth + 1) continue;
            let scroller = el.parentElement;
            while (scroller && scroller !== document.body && !/(auto|scroll|hidden)/.test(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
            if (scroller && scroller !== document.body) continue;
            out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} right=${Math.round(box.right)}`);
          }
          return { scroll: root.scrollWidth, width: root.clientWidth, out: out.slice(0, 3) };
        });
        if (found.scroll > found.width || found.out.length) wide.push(`${kind} (${path}): ${found.scroll}px wide on ${found.width}px; ${found.out.join(", ")}`);
      }
      if (wide.length) throw new AssertionError(`pages wider than the screen:\n  ${wide.join("\n  ")}`);
    });
  }

  await check("on a phone the title comes first: runbook and post-mortem headings near the top, before the sidebar", async () => {
    const p = await page(phone(390));
    for (const path of [PAGE_KINDS.runbook.path, PAGE_KINDS["post-mortem"].path, PAGE_KINDS["release checklist"].path]) {
      await p.goto(siteUrl(site, path));
      const { h1, sidebar, nav } = await p.evaluate(() => ({
        h1: document.querySelector("main h1").getBoundingClientRect().top + scrollY,
        sidebar: document.querySelector(".sidebar").getBoundingClientRect().top + scrollY,
        nav: document.querySelector(".topbar").getBoundingClientRect().height,
      }));
      assert(h1 < 340, `${path}: the title is ${Math.round(h1)}px down the page (it should be on the first screen, with room below)`);
      assert(h1 < sidebar, `${path}: the sidebar (at ${Math.round(sidebar)}px) comes before the title (${Math.round(h1)}px)`);
      assert(nav < 110, `${path}: the top bar takes ${Math.round(nav)}px`);
    }
  });

  await check("on a phone the section menu opens and closes, and every section stays reachable", async () => {
    const p = await page(phone(390));
    await p.goto(siteUrl(site, PAGE_KINDS.runbook.path));
    const toggle = p.locator(".nav-toggle");
    assert(await toggle.isVisible(), "a menu button on a phone");
    assert.equal(await toggle.getAttribute("aria-expanded"), "false", "the menu starts closed");
    assert(!(await p.locator(".nav a").first().isVisible()), "section links hidden while the menu is closed");
    await toggle.click();
    assert.equal(await toggle.getAttribute("aria-expanded"), "true", "aria-expanded after opening");
    const labels = await p.locator(".nav a").evaluateAll((links) => links.filter((a) => a.offsetParent).map((a) => a.textContent.trim()));
    assert.includes(labels, "Alarms", "section links shown");
    assert.includes(labels, "Incident Response", "section links shown");
    await p.keyboard.press("Escape");
    assert.equal(await toggle.getAttribute("aria-expanded"), "false", "Escape closes the menu");
    // On a desktop there is no menu button, the sections are simply there.
    const d = await page();
    await d.goto(siteUrl(site, PAGE_KINDS.runbook.path));
    assert(!(await d.locator(".nav-toggle").isVisible()), "no menu button on a desktop");
    assert(await d.locator(".nav a").first().isVisible(), "section links on a desktop");
  });

  await check("a pager's deep link to an alarm on a phone shows that alarm's runbook link", async () => {
    for (const width of [320, 390]) {
      const p = await page(phone(width));
      for (const alarm of ["api-order-endpoint-5xx-rate", "orders-api-p99-latency-high"]) {
        await p.goto(siteUrl(site, `alarms/index.html#${alarm}`));
        const seen = await p.evaluate((id) => {
          const group = document.getElementById(id);
          const link = group.querySelector("td:last-child a");
          const box = link.getBoundingClientRect();
          const name = group.querySelector(".alarm-name").getBoundingClientRect();
          return { box: box.toJSON(), name: name.toJSON(), vw: innerWidth, vh: innerHeight, text: link.textContent };
        }, alarm);
        const { box, vw, vh } = seen;
        assert(box.left >= 0 && box.right <= vw && box.top >= 0 && box.bottom <= vh, `${width}px #${alarm}: the runbook link "${seen.text}" is at ${JSON.stringify(box)}, the screen is ${vw}x${vh}`);
        assert(seen.name.top >= 0 && seen.name.bottom <= vh, `${width}px #${alarm}: the alarm's name is out of view`);
      }
    }
  });

  await check("images and tables never widen the column: a wide table scrolls in its own box", async () => {
    const p = await page(phone(390));
    await p.goto(siteUrl(site, "incident-response/index.html"));
    const box = await p.evaluate(() => {
      const wrap = document.querySelector(".markdown .table-scroll");
      return { wrap: wrap.getBoundingClientRect().width, table: wrap.querySelector("table").scrollWidth, col: document.querySelector(".markdown").clientWidth, overflow: getComputedStyle(wrap).overflowX };
    });
    assert(box.wrap <= box.col, `the table box (${box.wrap}px) is wider than the column (${box.col}px)`);
    assert.equal(box.overflow, "auto", "the table box scrolls");
    const img = await p.evaluate(() => getComputedStyle(document.body.appendChild(Object.assign(document.createElement("img"), { className: "probe" }))).maxWidth);
    assert.equal(img, "100%", "max-width of images");
  });

  await check("breadcrumbs on every page kind but home, ending at the page, within 320 px; hidden in print", async () => {
    const p = await page(phone(320));
    for (const [kind, { path }] of Object.entries(PAGE_KINDS)) {
      await p.goto(siteUrl(site, path), { timeout: 30_000 });
      const crumbs = await p.evaluate(() => {
        const nav = document.querySelector("nav.crumbs");
        if (!nav) return null;
        const box = nav.getBoundingClientRect();
        const items = [...nav.querySelectorAll("li")];
        return {
          labels: items.map((li) => li.textContent.trim()),
          firstHref: items[0].querySelector("a")?.getAttribute("href"),
          current: items[items.length - 1].querySelector("[aria-current=page]") !== null,
          right: Math.max(...items.map((li) => li.getBoundingClientRect().right)),
          width: document.documentElement.clientWidth,
          top: box.top,
        };
      });
      if (kind === "home") {
        assert.equal(crumbs, null, "the home page has no breadcrumbs");
        continue;
      }
      assert(crumbs, `${kind}: breadcrumbs`);
      assert.equal(crumbs.labels[0], "Home", `${kind}: the first crumb`);
      assert.match(crumbs.firstHref, /index\.html$/, `${kind}: Home's link`);
      assert(crumbs.labels.length >= 2 && crumbs.current, `${kind}: ends at the page itself: ${crumbs.labels.join(" › ")}`);
      assert(crumbs.right <= crumbs.width, `${kind}: the breadcrumbs stick out (${crumbs.right} > ${crumbs.width})`);
      assert(crumbs.top < 200, `${kind}: the breadcrumbs are near the top (${crumbs.top}px)`);
    }
    await p.goto(siteUrl(site, "runbooks/api-error-rate-spike/index.html"));
    const trail = await p.locator("nav.crumbs li").allTextContents();
    assert.equal(trail.join(" › "), "Home › Runbooks › API Error Rate Spike", "a runbook's breadcrumbs");
    await p.emulateMedia({ media: "print" });
    const printed = await p.evaluate(() => ["nav.crumbs", "nav.pager"].map((s) => getComputedStyle(document.querySelector(s)).display));
    assert.equal(printed.join(","), "none,none", "breadcrumbs and previous/next in print");
  });

  await check("previous and next link the runbooks in order of title, and fit at 320 px", async () => {
    const p = await page(phone(320));
    await p.goto(siteUrl(site, "runbooks/api-error-rate-spike/index.html"));
    const next = p.locator("nav.pager a[rel=next]");
    assert.equal(await p.locator("nav.pager a[rel=prev]").count(), 0, "the first runbook by title has no previous");
    const title = (await next.locator(".pager-title").textContent()).trim();
    const box = await next.boundingBox();
    assert(box.x >= 0 && box.x + box.width <= 320, `the next link fits: ${JSON.stringify(box)}`);
    await next.click();
    // The heading's text less its "Runbook: " and its "#" anchor link.
    assert.equal((await p.locator("h1").first().textContent()).replace(/^Runbook: /, "").replace(/#$/, "").trim(), title, "next opens that runbook");
    const prev = p.locator("nav.pager a[rel=prev]");
    await prev.click();
    assert.match(p.url(), /api-error-rate-spike\/index\.html$/, "previous comes back");
  });

  await check("print: the alarm catalogue drops its filter form and its table fits the page", async () => {
    const p = await page();
    await p.goto(siteUrl(site, "alarms/index.html"));
    await p.emulateMedia({ media: "print" });
    // A4 at 96 dpi less the print margins: 210 mm - 2 x 14 mm.
    await p.setViewportSize({ width: Math.floor(((210 - 28) / 25.4) * 96), height: 1000 });
    const shown = await p.evaluate(() => ({
      form: getComputedStyle(document.querySelector("form.filters")).display,
      table: document.querySelector("#alarm-table").getBoundingClientRect().right,
      page: document.documentElement.clientWidth,
      scroll: document.scrollingElement.scrollWidth,
      // A table that must not break is pushed whole to page 2, leaving page 1 blank.
      breaks: getComputedStyle(document.querySelector("#alarm-table")).breakInside,
    }));
    assert.equal(shown.form, "none", "display of the filter form in print");
    assert.notEqual(shown.breaks, "avoid", "break-inside of the catalogue table in print");
    assert(shown.table <= shown.page && shown.scroll <= shown.page, `the table ends at ${shown.table}px, the page is ${shown.page}px (scroll width ${shown.scroll})`);
    const pdf = (await p.pdf({ format: "A4", printBackground: false })).toString("latin1");
    assert(/\/Type\s*\/Page\b(?!s)/.test(pdf), "a PDF page");
  });

  await check("print without background graphics: the error-budget bar and the overdue badge still show", async () => {
    const p = await page();
    await p.emulateMedia({ media: "print" });
    await p.goto(siteUrl(site, PAGE_KINDS.report.path));
    const budget = await p.evaluate(() => {
      const bar = document.querySelector(".budget-bar span");
      const css = getComputedStyle(bar);
      return { border: css.borderRightStyle, width: bar.getBoundingClientRect().width, text: document.querySelector(".budget").textContent };
    });
    assert.notEqual(budget.border, "none", "the used budget is drawn with a border, not only a background");
    assert(budget.width > 0, "the used part of the bar has a width");
    await p.goto(siteUrl(site, PAGE_KINDS.actions.path));
    const badge = await p.evaluate(() => {
      const b = document.querySelector(".overdue-badge");
      const css = getComputedStyle(b);
      return { border: css.borderTopStyle, color: css.color, text: b.textContent.trim() };
    });
    assert.notEqual(badge.border, "none", "the overdue badge has a border in print");
    assert.equal(badge.color, "rgb(0, 0, 0)", "overdue badge text in print");
  });
});
