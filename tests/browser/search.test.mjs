// Search as a reader uses it: type in the header box (alarm names, partial
// words, typos, filters), read the results, press Enter and land on the
// section; the results page; the keyboard and ARIA roles. Both from file://
// and from a web server that serves the site under a sub-path.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { basename, dirname, join } from "node:path";

import { REPO_ROOT, assert, buildSite, siteUrl, suite } from "./lib.mjs";

const RUNBOOK = "runbooks/api-error-rate-spike/index.html";

// A fixture wiki for a Prometheus alert name in camel case.
const KUBE_FILES = {
  "opswiki.yaml": "title: Kube Wiki\nbase_url: https://wiki.example.com/\n",
  "content/runbooks/pod-restarts.md": `---
title: Pod Restarts
severity: P2
owner: team-platform
last_updated: 2026-11-20
services: [checkout]
alarms: [KubePodCrashLooping]
---
# Runbook: Pod Restarts

## Symptom

Pods restart again and again.

## Impact

Checkout is slow.

## Diagnosis Steps

Read the logs of the previous container.

## Resolution Steps

Roll back.

## Rollback

Redeploy.

## Prevention

Readiness probes.
`,
  "content/alarms/k8s.yaml": `groups:
  - name: k8s
    rules:
      - alert: KubePodCrashLooping
        expr: rate(kube_pod_container_status_restarts_total[5m]) > 0
        labels: {severity: warning}
        annotations:
          summary: A pod is crash looping
          runbook_url: https://wiki.example.com/runbooks/pod-restarts/#diagnosis-steps
`,
};

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Serve the folder above `site` with python's http.server: the site sits under /NAME/. */
async function serveParent(site) {
  const port = await freePort();
  const child = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dirname(site)], {
    stdio: "ignore",
  });
  const base = `http://127.0.0.1:${port}/${basename(site)}/`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(base + "index.html");
      if (res.ok) return { base, stop: () => child.kill() };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`python3 -m http.server did not start on port ${port}`);
}

/** Type `query` into the header search box of `p` and wait for results. */
async function typeQuery(p, query) {
  const input = p.locator("#search-input");
  await input.click();
  await input.fill("");
  await input.pressSequentially(query, { delay: 15 });
  await p.waitForFunction(
    (q) => {
      const list = document.getElementById("search-results");
      const input = document.getElementById("search-input");
      return input.value === q && !list.hidden && list.querySelector("[role=option]") &&
        window.OpswikiSearch.timings.some((t) => t.query === q);
    },
    query,
    { timeout: 10_000 },
  );
}

/** The header results as [{title, heading, href}]. */
function results(p) {
  return p.locator("#search-results .sr-item").evaluateAll((items) =>
    items.map((a) => ({
      title: a.querySelector(".sr-title").textContent,
      kind: a.querySelector(".sr-kind").textContent,
      heading: a.querySelector(".sr-heading")?.textContent ?? "",
      alarm: a.querySelector(".sr-alarm code")?.textContent ?? "",
      marks: [...a.querySelectorAll("mark")].map((m) => m.textContent.toLowerCase()),
      href: a.getAttribute("href"),
    })),
  );
}

// What each query must find first, and where Enter must land.
const CASES = [
  { what: "an alarm name pasted from the pager", query: "api-order-endpoint-5xx-rate", title: "API Error Rate Spike", path: RUNBOOK, hash: "#diagnosis-steps" },
  { what: "a Prometheus alert name, partly typed", query: "OrdersApiHighErr", title: "API Error Rate Spike", path: RUNBOOK, hash: "#diagnosis-steps" },
  { what: "a partial word", query: "exhaus", title: "DB Connection Exhaustion", path: "runbooks/db-connection-exhaustion/index.html", hash: "" },
  { what: "a word with a typo", query: "degradaton", title: "DB Performance Degradation", path: "runbooks/db-performance-degradation/index.html", hash: "" },
  { what: "a filtered query", query: "kind:postmortem redis", title: "Orders API 5xx spike during a Redis failover", kind: "post-mortem", path: "postmortems/2026-10-21-orders-api-5xx-spike/index.html" },
  { what: "an error string", query: "TimeoutError", kind: "report" },
  { what: "a long word with two typos, a compound without its hyphen", query: "dedletter", title: "DLQ Messages Accumulating", path: "runbooks/dlq-messages-accumulating/index.html", hash: "" },
  { what: "a long word with a typo that begins an alarm name", query: "postgress", title: "DB Performance Degradation" },
];

async function checkCases(check, page, label, urlOf) {
  for (const c of CASES) {
    await check(`${label}: ${c.what} (${c.query}) finds ${c.title ?? c.kind} first${c.path ? " and Enter lands on it" : ""}`, async () => {
      const p = await page();
      await p.goto(urlOf("index.html"));
      await typeQuery(p, c.query);
      const [first] = await results(p);
      if (c.title) assert.equal(first.title, c.title, `first result for ${c.query}`);
      if (c.kind) assert.equal(first.kind, c.kind, `kind of the first result for ${c.query}`);
      assert(first.marks.length > 0, `the first result highlights the query: ${JSON.stringify(first)}`);
      if (!c.path) return;
      const navigation = p.waitForURL((u) => u.pathname.endsWith(c.path) && (c.hash === undefined || u.hash === c.hash));
      await p.keyboard.press("Enter");
      await navigation;
      if (c.hash !== undefined) assert.equal(await p.evaluate(() => location.hash), c.hash, "location.hash after Enter");
      if (c.hash) {
        const top = await p.locator(c.hash).evaluate((el) => el.getBoundingClientRect().top);
        assert(top >= 0 && top < 400, `the section ${c.hash} is scrolled into view (top at ${top}px)`);
      }
    });
  }
}

await suite("search", async ({ check, page }) => {
  const site = buildSite();

  await checkCases(check, page, "file://", (path) => siteUrl(site, path));

  const server = await serveParent(site);
  try {
    await checkCases(check, page, "http sub-path", (path) => server.base + path);

    await check("http sub-path: the results page loads its index relative to the page", async () => {
      const p = await page();
      await p.goto(server.base + "search.html?q=" + encodeURIComponent("api-order-endpoint-5xx-rate"));
      await p.waitForSelector(".search-page-results .sr-item");
      const first = await p.locator(".search-page-results .sr-item").first().getAttribute("href");
      assert.equal(first, server.base + RUNBOOK + "#diagnosis-steps", "first result's link");
    });
  } finally {
    server.stop();
  }

  // The results of `query` from the search API, on the results page of `site`.
  async function apiResults(p, site, query, limit = 5) {
    await p.goto(siteUrl(site, "search.html"));
    return p.evaluate(([q, n]) => window.OpswikiSearch.search(q, { limit: n, perPage: 3 }).then((out) => out ? out.results.map((r) => ({ title: r.title, href: r.href, kind: r.kind })) : []), [query, limit]);
  }

  await check("a path finds every page that has it inside a longer URL, with or without the leading slash", async () => {
    const p = await page();
    for (const query of ["/health/ready", "health/ready"]) {
      const results = await apiResults(p, site, query, 10);
      const found = results.map((r) => r.title);
      assert.equal(results[0].href, `${RUNBOOK}#diagnosis-steps`, `first result for ${query}`);
      for (const title of ["API Error Rate Spike", "Service Outage", "Orders API 5xx spike during a Redis failover"]) {
        assert.includes(found, title, `results for ${query}`);
      }
    }
  });

  await check("long words forgive two typos, short words one, and none under five letters", async () => {
    const p = await page();
    const fixture = buildSite({
      files: {
        "opswiki.yaml": "title: Typos\n",
        "content/notes.md": "---\ntitle: Cluster notes\n---\n\n## Nodes\n\nKubernetes nodes drain before an upgrade.\n\n## Queues\n\nThe worker reads the queue.\n",
      },
    });
    const first = async (q) => (await apiResults(p, fixture, q))[0]?.title;
    assert.equal(await first("kubernets"), "Cluster notes", "kubernets (one typo)");
    assert.equal(await first("kubrenetse"), "Cluster notes", "kubrenetse (two typos, a long word)");
    assert.equal(await first("wroker"), "Cluster notes", "wroker (one typo, six letters)");
    assert.equal(await first("qeuue"), "Cluster notes", "qeuue (one typo, five letters)");
    assert.equal(await first("qeuuue"), undefined, "qeuuue: two typos in a short word find nothing");
  });

  await check("alarms are results of their own, landing on their row of the catalogue", async () => {
    const p = await page();
    const found = await apiResults(p, site, "orders-api-p99-latency-high");
    const alarm = found.find((r) => r.kind === "alarm");
    assert(alarm, `an alarm among ${JSON.stringify(found)}`);
    assert.equal(alarm.href, "alarms/index.html#orders-api-p99-latency-high", "the alarm result's link");
    // Its runbook's section still comes first for a pasted name.
    assert.notEqual(found[0].kind, "alarm", "the first result for an alarm name");
    const only = await apiResults(p, site, "kind:alarm latency", 10);
    assert(only.length >= 2 && only.every((r) => r.kind === "alarm"), `kind:alarm latency: ${JSON.stringify(only)}`);
    await p.goto(siteUrl(site, "alarms/index.html#orders-api-p99-latency-high"));
    assert.equal(await p.evaluate(() => document.querySelector(":target")?.id), "orders-api-p99-latency-high", "the catalogue row the link lands on");
  });

  await check("an exact error string ranks the runbook holding it first, its snippet centred on it", async () => {
    const front = (title) => `---\ntitle: ${title}\nseverity: P2\nowner: team-data\nlast_updated: 2026-11-20\nservices: [orders]\n---\n# Runbook: ${title}\n\n`;
    const sections = (diagnosis) => `## Symptom\n\nWrites fail.\n\n## Impact\n\nOrders stop.\n\n## Diagnosis Steps\n\n${diagnosis}\n\n## Resolution Steps\n\nFail back.\n\n## Rollback\n\nNothing.\n\n## Prevention\n\nAlerts.\n`;
    const filler = "The cache cluster has three nodes behind one DNS name, and the clients keep a pool of connections to each. ".repeat(4);
    const fixture = buildSite({
      files: {
        "opswiki.yaml": "title: Phrases\n",
        // Every word of the error in its title and text, never in that order.
        "content/runbooks/replica-writes.md": front("Write against a read only replica") +
          sections("When you can, check whether the replica is read only: READONLY answers mean a write went to the replica, not the primary."),
        // The error itself, after 400 characters of its section.
        "content/runbooks/cache-failover.md": front("Cache failover") +
          sections(`${filler}After a failover the client logs \`READONLY You can't write against a read only replica\` on every write until it reconnects.`),
      },
    });
    const p = await page();
    await p.goto(siteUrl(fixture, "index.html"));
    const query = "READONLY You can't write against a read only replica";
    await typeQuery(p, query);
    const [first, second] = await results(p);
    assert.equal(first.title, "Cache failover", "the first result");
    assert.equal(second?.title, "Write against a read only replica", "the second result");
    const snippet = await p.locator("#search-results .sr-item .sr-snippet").first().textContent();
    assert.match(snippet, /^… .*READONLY You can't write against a read only replica/, "the snippet starts before the error and shows it");
    assert(snippet.length < 240, `the snippet is cut around the match: ${snippet.length} characters`);
    const marks = await p.locator("#search-results .sr-item").first().locator(".sr-snippet mark").allTextContents();
    assert.includes(marks.map((m) => m.toLowerCase()), "readonly", "the snippet highlights the words");
  });

  await check("no page fills more than two of the first five results", async () => {
    const p = await page();
    for (const query of ["redis", "orders", "cache", "post-mortem", "database"]) {
      const top = (await apiResults(p, site, query, 8)).slice(0, 5);
      const perPage = {};
      for (const r of top) perPage[r.href.split("#")[0]] = (perPage[r.href.split("#")[0]] || 0) + 1;
      const most = Math.max(...Object.values(perPage));
      assert(most <= 2, `${query}: one page has ${most} of the first five results: ${top.map((r) => r.href).join(", ")}`);
    }
  });

  await check("the header box is a labelled combobox that drives a listbox", async () => {
    const p = await page();
    await p.goto(siteUrl(site, RUNBOOK));
    const input = p.locator("#search-input");
    assert.equal(await input.getAttribute("type"), "search", "input type");
    assert.equal(await input.getAttribute("role"), "combobox", "input role");
    assert.equal(await input.getAttribute("aria-expanded"), "false", "aria-expanded before typing");
    assert.equal(await p.locator("label[for=search-input]").count(), 1, "labels for the input");
    const listId = await input.getAttribute("aria-controls");
    assert.equal(await p.locator(`#${listId}`).getAttribute("role"), "listbox", "role of the controlled element");
    await typeQuery(p, "rollback");
    assert.equal(await input.getAttribute("aria-expanded"), "true", "aria-expanded with results");
    const roles = await p.locator(`#${listId} > *`).evaluateAll((els) => els.map((e) => e.getAttribute("role")));
    assert(roles.length >= 3 && roles.every((r) => r === "option"), `listbox children are options: ${roles}`);
    const status = await p.locator("[data-search-status]").textContent();
    assert.match(status, /\d+\+? results?/, "live status text");
  });

  await check("keyboard only: / focuses the box, arrows choose, Enter opens the chosen result, Escape closes", async () => {
    const p = await page();
    await p.goto(siteUrl(site, RUNBOOK));
    await p.locator("main").click({ position: { x: 5, y: 5 } });
    await p.keyboard.press("/");
    assert.equal(await p.evaluate(() => document.activeElement.id), "search-input", "focused element after /");
    await p.keyboard.type("diagnosis steps");
    await p.waitForFunction(() => window.OpswikiSearch.timings.some((t) => t.query === "diagnosis steps"));
    const input = p.locator("#search-input");
    await p.keyboard.press("ArrowDown");
    await p.keyboard.press("ArrowDown");
    const active = await input.getAttribute("aria-activedescendant");
    assert.equal(active, "search-option-1", "active option after two ArrowDowns");
    assert.equal(await p.locator(`#${active}`).getAttribute("aria-selected"), "true", "aria-selected of the active option");
    const href = await p.locator(`#${active}`).getAttribute("href");
    await p.keyboard.press("ArrowUp");
    await p.keyboard.press("ArrowDown");
    const navigation = p.waitForURL(href);
    await p.keyboard.press("Enter");
    await navigation;
    assert.equal(p.url(), href, "URL after Enter on the second option");
    await p.keyboard.press("/");
    await p.keyboard.type("impact");
    await p.waitForSelector("#search-results:not([hidden])");
    await p.keyboard.press("Escape");
    assert.equal(await p.locator("#search-results").isHidden(), true, "results hidden after Escape");
  });

  await check("results page: the query and filters live in the URL and the menus", async () => {
    const p = await page();
    await p.goto(siteUrl(site, "search.html") + "?q=latency&kind=runbook&sev=P3");
    await p.waitForSelector(".search-page-results .sr-item");
    assert.equal(await p.locator("select[name=kind]").inputValue(), "runbook", "kind menu");
    assert.equal(await p.locator("select[name=sev]").inputValue(), "P3", "severity menu");
    const items = await p.locator(".search-page-results .sr-item").evaluateAll((els) =>
      els.map((a) => ({ kind: a.querySelector(".sr-kind").textContent, sev: a.querySelector(".sev")?.textContent })),
    );
    assert(items.length > 0, "results");
    for (const i of items) assert(i.kind === "runbook" && i.sev === "P3", `every result is a P3 runbook: ${JSON.stringify(items)}`);
    await p.locator("select[name=sev]").selectOption("");
    await p.waitForFunction(() => !location.search.includes("sev="));
    await p.locator("#search-page-input").fill("zzyzx-quux");
    await p.waitForFunction(() => location.search.includes("q=zzyzx-quux"));
    await p.waitForFunction(() => /No results/.test(document.querySelector("[data-search-status]").textContent));
  });

  await check("a Prometheus alert in camel case, whole and in parts", async () => {
    const kube = buildSite({ files: KUBE_FILES });
    const p = await page();
    await p.goto(siteUrl(kube, "index.html"));
    for (const query of ["KubePodCrashLooping", "kube pod crash", "KubePodCrash", "crash looping"]) {
      await typeQuery(p, query);
      const [first] = await results(p);
      assert.equal(first.title, "Pod Restarts", `first result for ${query}`);
      assert.equal(first.heading, "Diagnosis Steps", `section for ${query}`);
    }
    const [first] = await results(p);
    assert.equal(first.alarm, "KubePodCrashLooping", "the alarm is named in the result");
  });

  await check("the browser tokenizer agrees with the Rust one", async () => {
    const cases = JSON.parse(readFileSync(join(REPO_ROOT, "tests", "search_tokens.json"), "utf8"));
    const p = await page();
    await p.goto(siteUrl(site, "index.html"));
    await p.evaluate(() => window.OpswikiSearch.load());
    for (const [input, expected] of cases) {
      const got = await p.evaluate((text) => window.OpswikiSearch.tokenize(text), input);
      assert.equal(JSON.stringify(got), JSON.stringify(expected), `tokens of ${JSON.stringify(input)}`);
    }
  });

  await check("once loaded, results show within 50 ms of a keystroke", async () => {
    const p = await page();
    await p.goto(siteUrl(site, "index.html"));
    const times = [];
    for (const query of ["api-order-endpoint-5xx-rate", "connection pool", "rollback", "kind:runbook sev:P1 latency"]) {
      await typeQuery(p, query);
      // Again, with everything loaded: one keystroke (a trailing space).
      await p.evaluate(() => (window.OpswikiSearch.timings.length = 0));
      await p.locator("#search-input").press("End");
      await p.keyboard.type(" ");
      await p.waitForFunction(() => window.OpswikiSearch.timings.length > 0);
      times.push(await p.evaluate(() => window.OpswikiSearch.timings[0].ms));
    }
    assert(times.every((ms) => ms < 50), `keystroke to results: ${times.map((t) => t.toFixed(1)).join(", ")} ms`);
  });

  await check("dark mode: the results stay readable", async () => {
    const p = await page({ colorScheme: "dark" });
    await p.goto(siteUrl(site, "index.html"));
    await typeQuery(p, "rollback");
    const colours = await p.evaluate(() => {
      const list = getComputedStyle(document.getElementById("search-results"));
      const title = getComputedStyle(document.querySelector(".sr-title"));
      return { bg: list.backgroundColor, fg: title.color };
    });
    assert.notEqual(colours.bg, "rgb(255, 255, 255)", "dark results background");
    assert.notEqual(colours.fg, colours.bg, "title colour");
  });
});
