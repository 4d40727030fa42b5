// Triage trees in the example wiki, over file://: click through the
// "users report errors" tree to its runbook and back, open a deep link to a
// mid-tree state, the fenced trees on their pages, the list without
// JavaScript, and the diagram in dark mode.

import { assert, buildSite, RECORD_COPY, siteUrl, suite } from "./lib.mjs";

const TREE = "trees/users-report-errors/index.html";
const ID = "users-report-errors";

// What the walk-through shows: the check (or end), the answers so far, the hash.
async function state(p, section = `#triage-${ID}`) {
  return p.evaluate((sel) => {
    const s = document.querySelector(sel);
    const text = (q) => s.querySelector(q)?.textContent.trim() ?? null;
    return {
      check: text(".triage-check"),
      answers: [...s.querySelectorAll(".triage-answer")].map((b) => b.textContent.trim()),
      trail: [...s.querySelectorAll(".triage-trail-answer")].map((a) => a.textContent.trim()),
      runbook: text(".triage-runbook"),
      runbookHref: s.querySelector("a.triage-runbook")?.getAttribute("href") ?? null,
      escalate: text(".triage-escalate-text"),
      hash: decodeURIComponent(location.hash),
    };
  }, section);
}

// The walk-through moves through the fragment (a `hashchange`): wait until
// it has drawn the new step, which it records in `data-path`.
async function step(p, section, action) {
  const before = await p.locator(section).getAttribute("data-path");
  await action();
  await p.waitForFunction(
    ([sel, old]) => document.querySelector(sel)?.getAttribute("data-path") !== old,
    [section, before],
  );
}

async function settled(p, path, section = `#triage-${ID}`) {
  await p.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.getAttribute("data-path") === want,
    [section, path],
  );
}

async function answer(p, text, section = `#triage-${ID}`) {
  await step(p, section, () => p.locator(`${section} .triage-answer`, { hasText: text }).first().click());
}

async function press(p, selector, section = `#triage-${ID}`) {
  await step(p, section, () => p.locator(`${section} ${selector}`).first().click());
}

await suite("trees", async ({ check, page }) => {
  const site = buildSite();
  const url = siteUrl(site, TREE);

  await check("the walk-through replaces the list and starts at the first check", async () => {
    const p = await page();
    await p.goto(url);
    assert.equal(await p.locator(".triage-walk").isVisible(), true, "walk-through visible");
    assert.equal(await p.locator(".triage-list").isVisible(), false, "list hidden with JavaScript");
    assert.equal(await p.locator("svg.tree-svg").isVisible(), true, "diagram visible");
    const s = await state(p);
    assert.equal(s.check, "API error rate dashboard", "first check");
    assert.equal(s.answers.join(" | "), "Error rate elevated | Normal", "answers");
    assert.equal(await p.locator(".triage-back").isDisabled(), true, "Back disabled at the start");
  });

  await check("clicking through reaches the runbook, opens it, and comes back", async () => {
    const p = await page();
    await p.goto(url);
    await answer(p, "Normal");
    let s = await state(p);
    assert.equal(s.check, "Health check endpoints", "second check");
    assert.equal(s.hash, `#t=${ID}&p=1`, "hash after one answer");
    assert.equal(await p.evaluate(() => document.activeElement?.className), "triage-check", "focus moves to the new check");
    await answer(p, "All healthy");
    await answer(p, "High latency");
    s = await state(p);
    assert.equal(s.check, null, "no check at the end");
    assert.equal(s.runbook, "DB Performance Degradation", "the runbook at the end");
    assert.equal(s.runbookHref, "../../runbooks/db-performance-degradation/index.html", "relative runbook link");
    assert.equal(s.trail.join(" | "), "Normal | All healthy | High latency", "answers so far");
    assert.equal(s.hash, `#t=${ID}&p=1.1.1`, "hash at the end");

    await p.locator("a.triage-runbook").click();
    await p.waitForURL(/runbooks\/db-performance-degradation\/index\.html$/);
    assert.match(await p.locator("main h1").first().textContent(), /DB Performance Degradation/, "runbook heading");

    await p.goBack();
    await p.waitForURL(/trees\/users-report-errors\/index\.html#/);
    await settled(p, "1.1.1");
    s = await state(p);
    assert.equal(s.runbook, "DB Performance Degradation", "browser Back returns to the end of the walk");

    await press(p, ".triage-back");
    s = await state(p);
    assert.equal(s.check, "Database metrics", "Back goes up one check");
    assert.equal(s.hash, `#t=${ID}&p=1.1`, "hash after Back");
    await p.goBack();
    await settled(p, "1.1.1");
    s = await state(p);
    assert.equal(s.runbook, "DB Performance Degradation", "browser Back follows the fragment");

    await press(p, ".triage-restart");
    s = await state(p);
    assert.equal(s.check, "API error rate dashboard", "Restart goes to the first check");
    assert.equal(s.trail.length, 0, "no answers after Restart");
  });

  await check("Copy link copies the link to the current step (the copying is opswiki.js's)", async () => {
    const p = await page();
    await p.addInitScript(RECORD_COPY);
    await p.goto(url);
    await answer(p, "Error rate elevated");
    const hash = decodeURIComponent(await p.evaluate(() => location.hash));
    const button = p.locator(`#triage-${ID} .triage-copy`).first();
    await button.click();
    await p.waitForFunction(() => window.__copied !== undefined, null, { timeout: 2_000 });
    const copied = decodeURIComponent(await p.evaluate(() => window.__copied));
    assert.equal(copied.endsWith(hash) && copied.includes(TREE), true, `copied ${copied}, hash ${hash}`);
    assert.equal((await button.textContent()).trim(), "Copied", "the button says so");
  });

  await check("a deep link opens mid-tree with the answers so far", async () => {
    const p = await page();
    await p.goto(`${url}#t=${ID}&p=1.1`);
    const s = await state(p);
    assert.equal(s.check, "Database metrics", "check from the fragment");
    assert.equal(s.answers.join(" | "), "Connections exhausted | High latency | Normal", "its answers");
    assert.equal(s.trail.join(" | "), "Normal | All healthy", "answers so far");
    assert.equal(await p.locator(".triage-back").isDisabled(), false, "Back enabled");
    assert.equal(
      await p.locator(".triage-permalink").getAttribute("href"),
      `#t=${ID}&p=1.1`,
      "link to this step",
    );
    // A trail step goes back to its check.
    await press(p, ".triage-trail-step");
    assert.equal((await state(p)).check, "API error rate dashboard", "first trail step");
  });

  await check("a deep link past the end or to a wrong answer keeps what is valid", async () => {
    const p = await page();
    await p.goto(`${url}#t=${ID}&p=1.9.0`);
    const s = await state(p);
    assert.equal(s.check, "Health check endpoints", "the valid part of the path");
    assert.equal(s.trail.join(" | "), "Normal", "answers so far");
  });

  await check("the fenced tree on the incident page walks to the escalation", async () => {
    const p = await page();
    await p.goto(siteUrl(site, `incident-response/index.html#t=${ID}&p=1.1.2`));
    let s = await state(p);
    assert.equal(s.check, "External dependency status", "fourth check");
    await answer(p, "All healthy");
    s = await state(p);
    assert.equal(s.escalate, "Escalate to engineering for investigation", "escalation text");
    const top = await p.locator(`#triage-${ID}`).evaluate((el) => el.getBoundingClientRect().top);
    assert(top < 900, `the tree is in view (its top at ${top}px)`);
  });

  await check("two trees on one page keep their own state", async () => {
    const p = await page();
    await p.goto(siteUrl(site, "triage/index.html"));
    const orders = "#triage-orders-are-not-being-fulfilled";
    const login = "#triage-users-cannot-log-in";
    await answer(p, "Normal", login);
    await answer(p, "Deployed in the last hour", login);
    const s = await state(p, login);
    assert.equal(s.runbook, "Deployment Failure", "login tree's runbook");
    assert.equal(s.hash, "#t=users-cannot-log-in&p=1.0", "hash names the login tree");
    assert.equal((await state(p, orders)).check, "Order queue age dashboard", "orders tree untouched");
    await answer(p, "Oldest message older than 5 minutes", orders);
    assert.equal((await state(p, orders)).runbook, "Queue Processing Stalled", "orders tree's runbook");
    assert.equal((await state(p, login)).runbook, "Deployment Failure", "login tree keeps its end");
  });

  await check("a runbook's triage path opens the tree at that runbook", async () => {
    const p = await page();
    await p.goto(siteUrl(site, "runbooks/service-outage/index.html"));
    const link = p.locator(".triage-paths a").first();
    assert.match(await link.getAttribute("href"), /#t=users-report-errors&p=1\.0$/, "path link");
    await link.click();
    await p.waitForURL(/#t=/);
    await settled(p, "1.0");
    assert.equal((await state(p)).runbook, "Service Outage", "the walk-through ends at this runbook");
  });

  await check("without JavaScript the list shows the whole tree with working links", async () => {
    const p = await page({ javaScriptEnabled: false });
    await p.goto(url);
    assert.equal(await p.locator(".triage-walk").isVisible(), false, "walk-through hidden");
    assert.equal(await p.locator(".triage-list").isVisible(), true, "list visible");
    assert.equal(await p.locator(".triage-list > li").count(), 4, "one item per check");
    const link = p.locator(".triage-list a.triage-list-runbook", { hasText: "External Dependency Failure" });
    await link.click();
    await p.waitForURL(/runbooks\/external-dependency-failure\/index\.html$/);
  });

  await check("every runbook box of the diagram is a link to an existing page", async () => {
    const p = await page();
    await p.goto(url);
    const hrefs = await p.locator("svg.tree-svg a").evaluateAll((links) => links.map((a) => a.href.baseVal));
    assert.equal(hrefs.length, 5, "runbook links in the diagram");
    await p.locator("svg.tree-svg a").first().click();
    await p.waitForURL(/runbooks\/api-error-rate-spike\/index\.html$/);
  });

  await check("on a phone the page does not scroll sideways; the diagram scrolls in its frame", async () => {
    const p = await page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    for (const path of [TREE, "triage/index.html", "trees/index.html"]) {
      await p.goto(siteUrl(site, path));
      const { scroll, width } = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
      assert(scroll <= width, `${path}: the page is ${scroll}px wide on a ${width}px screen`);
    }
    await p.goto(url);
    const svgWidth = await p.locator("svg.tree-svg").evaluate((svg) => svg.getBoundingClientRect().width);
    assert(svgWidth >= 500, `the diagram keeps a readable size (${svgWidth}px wide)`);
  });

  await check("dark mode: the diagram's text is light on a dark page", async () => {
    const p = await page({ colorScheme: "dark" });
    await p.goto(url);
    const [fill, bg] = await p.evaluate(() => [
      getComputedStyle(document.querySelector(".tn-check-text")).fill,
      getComputedStyle(document.body).backgroundColor,
    ]);
    const lum = (css) => css.match(/[\d.]+/g).slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
    assert(lum(fill) > 180, `check text should be light in dark mode, is ${fill}`);
    assert(lum(bg) < 60, `page background should be dark, is ${bg}`);
  });
});
