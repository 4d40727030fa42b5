// One page of each kind the example wiki renders, and the screen widths the
// tests look at them in: shared by the accessibility, layout and screenshot scripts.

/** One page of each kind the wiki renders, with an action that shows its interactive state. */
export const PAGE_KINDS = {
  home: { path: "index.html" },
  runbook: { path: "runbooks/api-error-rate-spike/index.html" },
  "release checklist": { path: "runbooks/release/index.html" },
  "runbook index": { path: "runbooks/index.html" },
  "post-mortem": { path: "postmortems/2026-10-21-orders-api-5xx-spike/index.html" },
  "post-mortem index": { path: "postmortems/index.html" },
  report: { path: "reports/2026-11-16/index.html" },
  "report index": { path: "reports/index.html" },
  "alarm catalogue": { path: "alarms/index.html" },
  "alarm catalogue, sorted": {
    path: "alarms/index.html",
    act: async (p) => {
      // By script: on a phone the column headers are hidden behind the cards.
      await p.locator("#alarm-table thead button").first().evaluate((button) => button.click());
    },
  },
  coverage: { path: "coverage/index.html" },
  "trees index": { path: "trees/index.html" },
  tree: { path: "trees/users-report-errors/index.html" },
  "triage page": { path: "triage/index.html" },
  "incident response": { path: "incident-response/index.html" },
  actions: { path: "actions/index.html" },
  status: { path: "status/index.html" },
  "search results": {
    path: "search.html?q=database",
    act: async (p) => {
      await p.locator("[data-search-results] li").first().waitFor();
    },
  },
  "not found": { path: "404.html" },
};

export const WIDTHS = {
  desktop: { viewport: { width: 1280, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};

