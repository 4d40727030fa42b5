import { buildSite, launch, siteUrl } from "./lib.mjs";
const site = buildSite();
const b = await launch();
const p = await (await b.newContext()).newPage();
await p.goto(siteUrl(site, "search.html"));
for (const q of process.argv.slice(2)) {
  const out = await p.evaluate((q) => window.OpswikiSearch.search(q, { limit: 5, perPage: 2 }), q);
  console.log(`== ${q}: total ${out && out.total}`);
  for (const r of (out ? out.results : [])) console.log(`   ${r.kind} | ${r.title} | ${r.heading} | ${r.href} | ${String(r.text).slice(0, 90)}`);
}
await b.close();
