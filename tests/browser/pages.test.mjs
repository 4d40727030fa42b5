// The example wiki as a reader sees it over file://: a runbook page (title,
// severity, table of contents, copy buttons, links, dark mode) and the
// runbook index.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { assert, buildSite, RECORD_COPY, siteUrl, suite } from "./lib.mjs";

const RUNBOOK = "runbooks/api-error-rate-spike/index.html";

// Links, stylesheets and scripts of the open page whose file:// target (or
// its #anchor) does not exist.
async function brokenLinks(p) {
  // getAttribute and baseURI rather than el.href: an SVG <a>'s href is no string.
  const links = await p.locator("a[href], link[href], script[src]").evaluateAll((els) =>
    els.map((el) => {
      const raw = el.getAttribute("href") ?? el.getAttribute("src");
      return { text: el.textContent.trim(), raw, abs: new URL(raw, document.baseURI).href };
    }),
  );
  const broken = [];
  for (const { text, raw, abs } of links) {
    if (!abs.startsWith("file:")) continue;
    const target = new URL(abs);
    const file = fileURLToPath(target);
    if (!existsSync(file)) {
      broken.push(`${raw} (${text}): no file ${file}`);
      continue;
    }
    // A fragment like #t=tree&p=1 is state for a script, not an element's id.
    const id = decodeURIComponent(target.hash.slice(1));
    if (id && !/[=&]/.test(id) && !readFileSync(file, "utf8").includes(`id="${id}"`)) broken.push(`${raw} (${text}): no id="${id}" in ${file}`);
  }
  return broken;
}

// Every page of a built site, as paths relative to it.
const htmlFiles = (site) => readdirSync(site, { recursive: true }).filter((f) => f.endsWith(".html")).sort();

// WCAG contrast ratio of two computed `rgb(...)` colours.
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

await suite("pages", async ({ check, page }) => {
  const site = buildSite();
  const url = siteUrl(site, RUNBOOK);

  await check("runbook page has its title and a P1 severity badge", async () => {
    const p = await page();
    await p.goto(url);
    assert.equal(await p.title(), "API Error Rate Spike · Acme Ops Wiki", "document title");
    const badge = p.locator(".doc-meta .sev");
    assert.equal(await badge.count(), 1, "severity badges in the runbook header");
    assert.equal((await badge.textContent()).trim(), "P1", "severity badge text");
    assert.match(await badge.getAttribute("class"), /\bsev-p1\b/, "severity badge class");
    const h1 = p.locator("main h1");
    assert.match(await h1.first().textContent(), /API Error Rate Spike/, "first heading");
  });

  await check("table of contents links to the sections and moves location.hash", async () => {
    const p = await page();
    await p.goto(url);
    const toc = p.locator("nav.toc");
    assert.equal(await toc.count(), 1, "tables of contents");
    const hrefs = await toc.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    assert.includes(hrefs, "#diagnosis-steps", "TOC links");
    for (const href of hrefs) {
      assert.equal(await p.locator(`[id="${href.slice(1)}"]`).count(), 1, `elements with the TOC's anchor ${href}`);
    }
    assert.equal(await p.evaluate(() => location.hash), "", "hash before clicking");
    await toc.locator('a[href="#diagnosis-steps"]').click();
    await p.waitForFunction(() => location.hash === "#diagnosis-steps");
    const { top, bar } = await p.locator("#diagnosis-steps").evaluate((el) => {
      const topbar = document.querySelector(".topbar");
      const sticky = topbar && ["sticky", "fixed"].includes(getComputedStyle(topbar).position);
      return { top: el.getBoundingClientRect().top, bar: sticky ? topbar.getBoundingClientRect().bottom : 0 };
    });
    assert(top >= bar && top < bar + 300, `the Diagnosis Steps heading should be in view below the top bar (bottom at ${bar}px), its top is at ${top}px`);
  });

  await check("a shell code block has a Copy button that copies its commands", async () => {
    const p = await page();
    await p.addInitScript(RECORD_COPY);
    await p.goto(url);
    const button = p.locator(".code-block.shell button.copy").first();
    assert.equal(await p.locator(".code-block.shell button.copy").count() > 0, true, "Copy buttons on shell blocks");
    assert.equal((await button.textContent()).trim(), "Copy all", "button text before clicking");
    await button.click();
    await p.waitForFunction(() => document.querySelector(".code-block.shell button.copy").textContent === "Copied", null, { timeout: 1_000 });
    const copied = await p.evaluate(() => window.__copied);
    assert.match(copied, /^kubectl -n orders rollout history deployment\/orders-api \| tail -n 3\n/, "copied text");
    // A screen reader hears it through the live region.
    await p.waitForFunction(() => document.getElementById("announce").textContent === "Copied all commands", null, { timeout: 1_000 });
    // It says so only briefly.
    await p.waitForFunction(() => document.querySelector(".code-block.shell button.copy").textContent === "Copy all", null, { timeout: 5_000 });
  });

  await check("copying one command of a shell block puts exactly that command on the clipboard", async () => {
    const p = await page();
    await p.addInitScript(RECORD_COPY);
    await p.goto(siteUrl(site, "runbooks/release/index.html"));
    // The "Deployment Steps" block: seven stages, comments between them.
    const block = p.locator(".code-block.shell", { hasText: "--promote" });
    const buttons = block.locator("button.copy-command");
    const labels = await buttons.evaluateAll((els) => els.map((b) => b.getAttribute("aria-label")));
    assert.equal(labels.length, 9, `one button per command (comments and blank lines are none): ${labels.join(" | ")}`);
    const promote = block.locator('button.copy-command[aria-label="Copy command: ./scripts/deploy.sh prod --promote --version v2.21.0"]');
    assert.equal(await promote.count(), 1, "a button for the promote command");
    // The button sits beside its own line.
    const [buttonBox, lineTop] = await promote.evaluate((button) => {
      const code = button.parentNode.querySelector("code");
      const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      let offset = 0;
      const at = code.textContent.indexOf("./scripts/deploy.sh prod --promote");
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (offset + node.length > at) {
          const range = document.createRange();
          range.setStart(node, at - offset);
          range.setEnd(node, at - offset + 1);
          return [button.getBoundingClientRect().toJSON(), range.getBoundingClientRect().top];
        }
        offset += node.length;
      }
      return [button.getBoundingClientRect().toJSON(), null];
    });
    assert(Math.abs(buttonBox.top - lineTop) < 8, `the button (top ${buttonBox.top}) beside its line (top ${lineTop})`);
    await promote.click();
    await p.waitForFunction(() => window.__copied !== undefined, null, { timeout: 1_000 });
    assert.equal(await p.evaluate(() => window.__copied), "./scripts/deploy.sh prod --promote --version v2.21.0", "copied text");
    await p.waitForFunction(() => document.getElementById("announce").textContent === "Copied the command", null, { timeout: 1_000 });
  });

  await check("prompts are stripped and output left out when copying commands of a console block", async () => {
    const fixture = buildSite({
      files: {
        "opswiki.yaml": "title: Fixture\n",
        "content/notes.md": [
          "---\ntitle: Notes\n---\n\n## Check\n\n```console\n$ kubectl get pods \\\n>   -n orders\nNAME READY\napi-1 1/1\n$ curl -fsS localhost:8080/health/ready\nok\n```\n\n",
          "## The error\n\n```text\nREADONLY You can't write against a read only replica.\n```\n",
        ].join(""),
      },
    });
    const p = await page();
    await p.addInitScript(RECORD_COPY);
    await p.goto(siteUrl(fixture, "notes/index.html"));
    const block = p.locator(".code-block.shell");
    assert.equal(await block.locator("button.copy-command").count(), 2, "buttons in the console block");
    await block.locator("button.copy-command").first().click();
    await p.waitForFunction(() => window.__copied !== undefined);
    assert.equal(await p.evaluate(() => window.__copied), "kubectl get pods \\\n  -n orders", "the first command, its continuation line without the `>` prompt");
    await p.evaluate(() => { window.__copied = undefined; });
    await block.locator("button.copy").click();
    await p.waitForFunction(() => window.__copied !== undefined);
    assert.equal(await p.evaluate(() => window.__copied), "kubectl get pods \\\n  -n orders\ncurl -fsS localhost:8080/health/ready\n", "Copy all: the commands, no prompts, no output");
    // A `text` block has a Copy button too.
    await p.evaluate(() => { window.__copied = undefined; });
    const text = p.locator(".code-block.text button.copy");
    assert.equal(await text.count(), 1, "Copy buttons on text blocks");
    await text.click();
    await p.waitForFunction(() => window.__copied !== undefined);
    assert.equal(await p.evaluate(() => window.__copied), "READONLY You can't write against a read only replica.\n", "copied text block");
  });

  await check("copying falls back to execCommand where the Clipboard API is missing", async () => {
    const p = await page();
    await p.addInitScript(() => Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined }));
    await p.addInitScript(RECORD_COPY);
    await p.goto(url);
    await p.locator(".code-block.shell button.copy").nth(1).click();
    await p.waitForFunction(() => document.querySelectorAll(".code-block.shell button.copy")[1].textContent === "Copied", null, { timeout: 1_000 });
    assert.match(await p.evaluate(() => window.__copied), /^kubectl -n orders logs deployment\/orders-api --since=15m \\\n/, "copied text");
    assert.equal(await p.locator("textarea").count(), 0, "textareas left behind");
  });

  await check("a relative link to another runbook opens a page that exists", async () => {
    const p = await page();
    await p.goto(url);
    const link = p.locator('.markdown a[href$="runbooks/service-outage/index.html"]').first();
    assert.equal(await link.count(), 1, "links to the Service Outage runbook");
    const href = await link.getAttribute("href");
    const navigation = p.waitForNavigation().catch((error) => error);
    await link.click();
    const error = await navigation;
    assert(!(error instanceof Error), `clicking the link ${href} failed: ${String(error?.message).split("\n")[0]}`);
    assert.match(p.url(), /^file:\/\/.*\/runbooks\/service-outage\/index\.html$/, "URL after clicking");
    assert.match(await p.title(), /Service Outage/, "title of the linked page");
    assert.equal(await p.locator(".doc-meta .sev").count(), 1, "severity badge on the linked runbook");
  });

  await check("every link on the runbook page points at a file (and anchor) that exists", async () => {
    const p = await page();
    await p.goto(url);
    const broken = await brokenLinks(p);
    assert(broken.length === 0, `${broken.length} broken links:\n  ${broken.join("\n  ")}`);
  });

  await check("every link on every page of the site resolves", async () => {
    const p = await page();
    const pages = htmlFiles(site);
    assert(pages.length > 20, `expected the whole example wiki, found ${pages.length} pages`);
    const broken = [];
    for (const path of pages) {
      await p.goto(siteUrl(site, path));
      for (const b of await brokenLinks(p)) broken.push(`${path}: ${b}`);
    }
    assert(broken.length === 0, `${broken.length} broken links:\n  ${broken.join("\n  ")}`);
  });

  await check("dark mode: the page follows prefers-color-scheme and stays readable", async () => {
    const p = await page();
    await p.goto(url);
    const colours = () =>
      p.evaluate(() => {
        const css = (el, prop) => getComputedStyle(el)[prop];
        const badge = document.querySelector(".doc-meta .sev");
        const code = document.querySelector("pre.code");
        return {
          bg: css(document.body, "backgroundColor"),
          fg: css(document.body, "color"),
          badgeBg: css(badge, "backgroundColor"),
          badgeFg: css(badge, "color"),
          codeBg: css(code, "backgroundColor"),
        };
      });
    await p.emulateMedia({ colorScheme: "light" });
    const light = await colours();
    await p.emulateMedia({ colorScheme: "dark" });
    const dark = await colours();
    assert.notEqual(dark.bg, light.bg, "body background in dark mode (same as light)");
    for (const [mode, c] of [["light", light], ["dark", dark]]) {
      const body = contrast(c.fg, c.bg);
      assert(body >= 7, `${mode}: body text contrast ${body.toFixed(2)} (${c.fg} on ${c.bg}) is below 7`);
      const badge = contrast(c.badgeFg, c.badgeBg);
      assert(badge >= 4.5, `${mode}: P1 badge contrast ${badge.toFixed(2)} (${c.badgeFg} on ${c.badgeBg}) is below 4.5`);
    }
    assert(contrast(dark.codeBg, "rgb(255, 255, 255)") > 10, `dark: code blocks should be dark too, got ${dark.codeBg}`);
  });

  await check("every token in every code block is readable, light and dark", async () => {
    const low = [];
    for (const colorScheme of ["light", "dark"]) {
      const p = await page({ colorScheme });
      for (const path of htmlFiles(site)) {
        await p.goto(siteUrl(site, path));
        const tokens = await p.evaluate(() => {
          const seen = new Map();
          for (const pre of document.querySelectorAll("pre.code")) {
            const bg = getComputedStyle(pre).backgroundColor;
            const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const text = node.textContent.trim();
              if (!text) continue;
              const el = node.parentElement;
              const fg = getComputedStyle(el).color;
              const key = `${fg} on ${bg}`;
              if (!seen.has(key)) seen.set(key, { fg, bg, text: text.slice(0, 30), cls: el.className });
            }
          }
          return [...seen.values()];
        });
        if (path === RUNBOOK) assert(tokens.length > 3, `${path}: expected highlighted code`);
        for (const t of tokens) {
          const ratio = contrast(t.fg, t.bg);
          if (ratio < 4.5) low.push(`${colorScheme} ${path}: "${t.text}" (${t.cls}) ${t.fg} on ${t.bg} = ${ratio.toFixed(2)}`);
        }
      }
    }
    assert(low.length === 0, `code tokens with contrast below 4.5:\n  ${low.join("\n  ")}`);
  });

  await check("print: no navigation or buttons, code wraps, a few A4 pages", async () => {
    const p = await page();
    await p.goto(url);
    await p.emulateMedia({ media: "print", colorScheme: "dark" });
    const shown = await p.evaluate(() =>
      Object.fromEntries([".topbar", ".sidebar", "button.copy", ".footer-build", ".doc-meta", "pre.code"].map((sel) => {
        const el = document.querySelector(sel);
        return [sel, el ? getComputedStyle(el).display : "missing"];
      })),
    );
    for (const sel of [".topbar", ".sidebar", "button.copy"]) assert.equal(shown[sel], "none", `display of ${sel} in print`);
    // The build date and source file stay: a printed copy says how old it is.
    for (const sel of [".doc-meta", "pre.code", ".footer-build"]) assert.notEqual(shown[sel], "none", `display of ${sel} in print`);
    const style = await p.evaluate(() => {
      const css = getComputedStyle(document.querySelector("pre.code"));
      return { wrap: css.whiteSpace, bg: getComputedStyle(document.body).backgroundColor };
    });
    assert.equal(style.wrap, "pre-wrap", "white-space of code in print (long commands must wrap, not be cut)");
    assert.equal(style.bg, "rgb(255, 255, 255)", "page background in print, even from a dark-mode system");
    const pdf = (await p.pdf({ format: "A4" })).toString("latin1");
    const pages = (pdf.match(/\/Type\s*\/Page\b(?!s)/g) || []).length;
    assert(pages >= 1 && pages <= 6, `the runbook prints on ${pages} A4 pages, expected 1 to 6`);
  });

  await check("runbook index lists the runbooks grouped by service", async () => {
    const p = await page();
    await p.goto(siteUrl(site, "runbooks/index.html"));
    assert.match(await p.title(), /^Runbooks · /, "index title");
    const groups = await p.locator("section.service-group").evaluateAll((sections) =>
      sections.map((s) => ({
        service: s.querySelector("h2")?.textContent.trim(),
        id: s.querySelector("h2")?.id,
        runbooks: [...s.querySelectorAll("tbody tr a")].map((a) => a.textContent.trim()),
      })),
    );
    assert(groups.length >= 3, `expected several service groups, got ${groups.length}`);
    for (const g of groups) {
      assert(g.service, "every group has a service heading");
      assert(g.runbooks.length > 0, `group ${g.service} lists no runbook`);
      assert.match(g.id, /^service-/, `id of the ${g.service} heading`);
    }
    const services = groups.map((g) => g.service);
    const jumps = await p.locator("nav.service-jump a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    if (jumps.length) assert.equal(jumps.join(" "), groups.map((g) => `#${g.id}`).join(" "), "the Services jump links");
    assert.equal(new Set(services).size, services.length, `each service once (${services.join(", ")})`);
    // A runbook with two services appears under both.
    for (const service of ["orders-api", "api-gateway"]) {
      const group = groups.find((g) => g.service === service);
      assert(group, `a group for ${service} among ${services.join(", ")}`);
      assert.includes(group.runbooks, "API Error Rate Spike", `runbooks under ${service}`);
    }
  });

  await check("on a phone nothing scrolls sideways", async () => {
    const p = await page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    for (const path of ["index.html", "runbooks/index.html", RUNBOOK, "runbooks/release/index.html"]) {
      await p.goto(siteUrl(site, path));
      // clientWidth, not innerWidth: a mobile browser widens its layout viewport to fit what overflows.
      const { scroll, width } = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
      assert(scroll <= width, `${path}: the page is ${scroll}px wide on a ${width}px screen`);
    }
  });

  await check("a release checklist can be ticked, is kept in the browser, and resets to the source", async () => {
    const release = siteUrl(site, "runbooks/release/index.html");
    const p = await page();
    await p.goto(release);
    const boxes = p.locator(".markdown input.task");
    const n = await boxes.count();
    assert(n >= 7, `checkboxes on the release runbook: ${n}`);
    const open = await boxes.evaluateAll((els) => els.map((b, i) => (b.checked ? -1 : i)).filter((i) => i >= 0));
    const ticked = n - open.length;
    assert(open.length >= 3, `unticked boxes: ${open.length}`);
    const [a, b, c] = open;
    assert.equal(await boxes.nth(a).isDisabled(), false, "a box can be ticked");
    // Labelled: the box's label is the item's text.
    const labelFor = (i) => boxes.nth(i).evaluate((box) => document.querySelector(`label[for="${box.id}"]`).textContent);
    assert.match(await labelFor(0), /^Staging deployment of the same image succeeded/, "label of the first box");
    const count = () => p.locator("[data-checklist] strong").textContent();
    assert.equal(await count(), `${ticked}/${n}`, "the count from the source");
    // Tapping the text ticks the box.
    await boxes.nth(a).evaluate((box) => document.querySelector(`label[for="${box.id}"]`).click());
    assert.equal(await boxes.nth(a).isChecked(), true, "ticked by its label");
    await boxes.nth(c).check();
    assert.equal(await count(), `${ticked + 2}/${n}`, "the count after ticking two");
    await p.reload();
    assert.equal(await boxes.nth(a).isChecked(), true, "a ticked box after a reload");
    assert.equal(await boxes.nth(b).isChecked(), false, "an unticked box after a reload");
    assert.equal(await boxes.nth(c).isChecked(), true, "the other ticked box after a reload");
    assert.equal(await count(), `${ticked + 2}/${n}`, "the count after a reload");
    await p.locator("button.checklist-reset").click();
    assert.equal(await p.locator(".markdown input.task:checked").count(), ticked, "ticked boxes after Reset: those of the source");
    assert.equal(await count(), `${ticked}/${n}`, "the count after Reset");
    await p.waitForFunction(() => document.getElementById("announce").textContent === "Checklist reset");
    await p.reload();
    assert.equal(await p.locator(".markdown input.task:checked").count(), ticked, "ticked boxes after Reset and a reload");
  });

  await check("the footer says when the site was built and from which file the page comes", async () => {
    const p = await page();
    await p.goto(url);
    const footer = await p.locator(".footer-build").textContent();
    assert.match(footer, /Built by opswiki on 2026-11-26/, "the build date (the build's --today)");
    assert.match(footer, /content\/runbooks\/api-error-rate-spike\.md/, "the source path");
    assert.equal(await p.locator(".footer-build time").getAttribute("datetime"), "2026-11-26", "machine-readable date");
  });

  await check("every page has its own title, and Incident Response is in the navigation", async () => {
    const p = await page();
    const titles = new Map();
    for (const path of htmlFiles(site)) {
      await p.goto(siteUrl(site, path));
      const title = await p.title();
      titles.set(title, [...(titles.get(title) || []), path]);
    }
    const twice = [...titles].filter(([, paths]) => paths.length > 1);
    assert(twice.length === 0, `titles used by more than one page:\n  ${twice.map(([t, paths]) => `${t}: ${paths.join(", ")}`).join("\n  ")}`);
    await p.goto(url);
    const nav = p.locator('.nav a', { hasText: "Incident Response" });
    assert.equal(await nav.count(), 1, "an Incident Response entry in the navigation");
    await nav.click();
    assert.match(p.url(), /\/incident-response\/index\.html$/, "the entry's target");
    assert.equal(await p.locator('.nav a[aria-current="page"]').textContent(), "Incident Response", "the entry marked current on its page");
  });

  await check("404.html served at any depth by a static server is styled and links home", async () => {
    // A static host as GitHub Pages or nginx run it: the file if it exists, else 404.html with status 404.
    const types = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml" };
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      let file = join(site, path.endsWith("/") ? `${path}index.html` : path);
      let status = 200;
      if (!file.startsWith(site) || !existsSync(file)) {
        file = join(site, "404.html");
        status = 404;
      }
      res.writeHead(status, { "content-type": types[extname(file)] || "application/octet-stream" });
      res.end(readFileSync(file));
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    try {
      const p = await page();
      for (const missing of ["/nope.html", "/runbooks/gone/index.html", "/a/b/c/d/"]) {
        const response = await p.goto(base + missing);
        assert.equal(response.status(), 404, `status of ${missing}`);
        const styled = await p.evaluate(() => getComputedStyle(document.querySelector(".topbar")).display === "flex" && document.styleSheets.length >= 2);
        assert(styled, `${missing}: the 404 page has its stylesheets`);
        const home = await p.locator("main a", { hasText: "home page" }).evaluate((a) => a.href);
        assert.equal(home, `${base}/index.html`, `${missing}: the home link`);
        const nav = await p.locator(".nav a").first().evaluate((a) => a.href);
        assert.equal(nav, `${base}/runbooks/index.html`, `${missing}: the first section link`);
      }
      await p.goto(base + "/a/b/c/d/");
      await p.locator("main a", { hasText: "home page" }).click();
      await p.waitForURL(`${base}/index.html`);
      assert.match(await p.title(), /Acme Ops Wiki/, "the home page after the link");
    } finally {
      server.close();
    }
  });

  await check("the theme button forces dark or light over the system's setting, and the choice is kept", async () => {
    const p = await page({ colorScheme: "light" });
    await p.goto(url);
    const bg = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const codeBg = () => p.evaluate(() => getComputedStyle(document.querySelector("pre.code")).backgroundColor);
    const light = await bg();
    const button = p.locator("button.theme-toggle");
    assert.equal((await button.textContent()).trim(), "Theme: auto", "the button before a choice");
    await button.click();
    assert.equal((await button.textContent()).trim(), "Theme: dark", "after one click");
    const dark = await bg();
    assert(contrast(dark, "rgb(255, 255, 255)") > 10, `forced dark on a light system: body ${dark}`);
    assert(contrast(await codeBg(), "rgb(255, 255, 255)") > 10, "forced dark: code blocks dark too");
    await p.reload();
    assert.equal(await bg(), dark, "dark after a reload");
    // Light, forced on a dark system.
    await button.click();
    await p.emulateMedia({ colorScheme: "dark" });
    assert.equal((await button.textContent()).trim(), "Theme: light", "after two clicks");
    assert.equal(await bg(), light, "forced light on a dark system");
    assert(contrast(await codeBg(), "rgb(0, 0, 0)") > 10, "forced light: code blocks light too");
    await button.click();
    assert.equal((await button.textContent()).trim(), "Theme: auto", "back to auto");
    assert.notEqual(await bg(), light, "auto follows the dark system again");
    // Printed, the page is light whatever was chosen.
    await button.click();
    await p.emulateMedia({ media: "print" });
    assert.equal(await bg(), "rgb(255, 255, 255)", "print background with dark chosen");
  });
});
