#!/usr/bin/env bash
# Search benchmark on the generated corpus (default 10,000 runbooks):
#   1. build time with and without the search index (what the index adds),
#   2. bytes a browser loads for a first query, and keystroke-to-results time
#      once loaded, in headless Chromium, from file:// and from a web server,
#   3. the same queries with Pagefind, on opswiki's built site and on the Hugo
#      build of the same corpus, served by python3 -m http.server.
#
#   bench/search.sh                       # everything, 10000 runbooks
#   RUNBOOKS=1000 RUNS=3 bench/search.sh
#
# Environment:
#   RUNBOOKS     corpus size                                       (default 10000)
#   RUNS         timed builds of each kind, interleaved            (default 3)
#   CORPUS_GEN   the corpus generator  (default bench/gen_corpus.py, else ../shared/bench/)
#   OPSWIKI_BIN  the binary to time (default: cargo build --release, copied)
#   SKIP_GEN=1   reuse the corpus in bench/out/search/
#   SKIP_PAGEFIND=1  do not install or run Pagefind
#   TYPE_DELAY   ms per key for the "typed" runs                   (default 150)
#
# Writes bench/out/search/ (gitignored): results.md (the tables) and
# results.jsonl (one line per measurement). Needs node, chromium, python3,
# hugo (for the Pagefind comparison) and the npm packages of tests/browser.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$repo/bench/out/search
mkdir -p "$out"
RUNBOOKS=${RUNBOOKS:-10000}
RUNS=${RUNS:-3}
TODAY=2026-11-23
CORPUS_GEN=${CORPUS_GEN:-}
if [[ -z $CORPUS_GEN ]]; then
    for c in "$here/gen_corpus.py" "$repo/../shared/bench/gen_corpus.py"; do
        [[ -f $c ]] && CORPUS_GEN=$c && break
    done
fi
[[ -f ${CORPUS_GEN:-} ]] || { echo "corpus generator not found (set CORPUS_GEN)" >&2; exit 2; }

# The npm packages of the browser tests (playwright-core drives /usr/bin/chromium).
if [[ ! -d $repo/tests/browser/node_modules/playwright-core ]]; then
    (cd "$repo/tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2)
fi

mkdir -p "$out/bin"
if [[ -n ${OPSWIKI_BIN:-} ]]; then
    cp "$OPSWIKI_BIN" "$out/bin/opswiki"
else
    (cd "$repo" && cargo build --release >&2)
    cp "$repo/target/release/opswiki" "$out/bin/opswiki"
fi
OPSWIKI=$out/bin/opswiki

if [[ ${SKIP_GEN:-0} != 1 ]]; then
    echo "== corpus: $RUNBOOKS runbooks" >&2
    rm -rf "$out/ow" "$out/hugo"
    python3 "$CORPUS_GEN" --out "$out/ow" --runbooks "$RUNBOOKS" >&2
    python3 "$CORPUS_GEN" --out "$out/hugo" --runbooks "$RUNBOOKS" --flavor hugo >&2
fi

# 1. Build time: with the index and without (OPSWIKI_NO_SEARCH_INDEX=1), one
#    warm-up each, then RUNS rounds interleaved so machine load spreads evenly.
build() { # label output [env...]
    local label=$1 dest=$2
    shift 2
    env "$@" /usr/bin/time -f "%e %U %S" -o "$out/t" "$OPSWIKI" build --root "$out/ow" --output "$dest" --today "$TODAY" >/dev/null 2>"$out/build.log" ||
        { cat "$out/build.log" >&2; exit 1; }
    echo "$label $(tail -n 1 "$out/t")" >>"$out/times"
}
rm -f "$out/times"
echo "== build times" >&2
build warmup "$out/ow-site"
build warmup "$out/ow-noindex" OPSWIKI_NO_SEARCH_INDEX=1
for ((i = 1; i <= RUNS; i++)); do
    build index "$out/ow-site"
    build noindex "$out/ow-noindex" OPSWIKI_NO_SEARCH_INDEX=1
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { grep "^$1 " "$out/times" | awk -v c="$2" '{ print $c }' | median; }
wall_i=$(col index 2) wall_n=$(col noindex 2)
cpu_i=$(grep "^index " "$out/times" | awk '{ print $3 + $4 }' | median)
cpu_n=$(grep "^noindex " "$out/times" | awk '{ print $3 + $4 }' | median)
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.0f%%", (b > 0) ? 100 * (a - b) / b : 0 }'; }
index_files=$(find "$out/ow-site/search" -type f | wc -l)
index_mb=$(du -sm "$out/ow-site/search" | cut -f1)

# 2. Bytes and keystroke times, opswiki: file:// and http (sub-path).
rm -f "$out/results.jsonl"
echo "== opswiki in Chromium" >&2
for transport in file http; do
    TYPE_DELAY=${TYPE_DELAY:-150} node "$here/search-bench.mjs" opswiki "$out/ow-site" "$transport" | tee -a "$out/results.jsonl" >&2
done

# 3. Pagefind on both sites.
if [[ ${SKIP_PAGEFIND:-0} != 1 ]]; then
    echo "== Pagefind" >&2
    if [[ ! -x $out/pagefind/node_modules/.bin/pagefind ]]; then
        npm install --prefix "$out/pagefind" --no-audit --no-fund pagefind >&2
    fi
    PAGEFIND=$out/pagefind/node_modules/.bin/pagefind
    rm -rf "$out/hugo-site"
    hugo --source "$out/hugo" --destination "$out/hugo-site" --quiet >&2
    rm -rf "$out/pf-ow" && cp -r "$out/ow-site" "$out/pf-ow"
    "$PAGEFIND" --site "$out/pf-ow" >"$out/pagefind-ow.log" 2>&1
    "$PAGEFIND" --site "$out/hugo-site" >"$out/pagefind-hugo.log" 2>&1
    node "$here/search-bench.mjs" pagefind "$out/pf-ow" index.html | tee -a "$out/results.jsonl" >&2
    node "$here/search-bench.mjs" pagefind "$out/hugo-site" index.html | tee -a "$out/results.jsonl" >&2
    pf_ow_mb=$(du -sm "$out/pf-ow/pagefind" | cut -f1)
    pf_hugo_mb=$(du -sm "$out/hugo-site/pagefind" | cut -f1)
fi

# The tables.
python3 - "$out" "$RUNBOOKS" "$RUNS" <<EOF >"$out/results.md"
import json, sys
out, runbooks, runs = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(l) for l in open(f"{out}/results.jsonl") if l.startswith("{")]
kb = lambda b: f"{b / 1000:.0f}"
print(f"## Search benchmark: {runbooks} runbooks\n")
print("Build time, median of $RUNS runs (wall s / CPU s, user + system):\n")
print("| build | wall s | CPU s |\n|---|---:|---:|")
print("| without the index (OPSWIKI_NO_SEARCH_INDEX=1) | $wall_n | $cpu_n |")
print("| with the index | $wall_i | $cpu_i |")
print("| **the index adds** | **$(pct "$wall_i" "$wall_n")** | **$(pct "$cpu_i" "$cpu_n")** |\n")
print("Index: $index_files files, $index_mb MB on disk.\n")
qs = []
for r in rows:
    if r["query"] not in qs: qs.append(r["query"])
def cell(tool, q, **kw):
    for r in rows:
        if r["tool"] == tool and r["query"] == q and all(r.get(k) == v for k, v in kw.items()):
            return r
    return None
print("Bytes a browser loads for a first query (search script and styles, manifest, shards, snippets; kB, uncompressed / gzip), the first result, and keystroke-to-results time once loaded (median / max of 10 keystrokes):\n")
print("| query | opswiki file:// pasted | typed | opswiki http typed | first result | ms per keystroke | Pagefind, opswiki site | Pagefind, Hugo site |")
print("|---|---:|---:|---:|---|---:|---:|---:|")
for q in qs:
    a = cell("opswiki", q, transport="file", typing="pasted")
    b = cell("opswiki", q, transport="file", typing="typed")
    c = cell("opswiki", q, transport="http", typing="typed")
    p1 = cell("pagefind", q, site="pf-ow")
    p2 = cell("pagefind", q, site="hugo-site")
    f = lambda r: f"{kb(r['bytes'])} / {kb(r['gzip'])}" if r else "-"
    g = lambda r: f"{kb(r['bytes'])}" if r else "-"
    print(f"| \`{q}\` | {f(a)} | {f(b)} | {f(c)} | {a['first'] if a else '-'} | {a['ms_median'] if a else '-'} / {max(x['ms_max'] for x in (a, b, c) if x) if a else '-'} | {g(p1)} | {g(p2)} |")
print()
print("Typed: one key every ${TYPE_DELAY:-150} ms. Pagefind: bytes fetched for pagefind.search() and the data of its first five results (what its default UI shows), over python3 -m http.server; it cannot run from file://.")
EOF
if [[ ${SKIP_PAGEFIND:-0} != 1 ]]; then
    echo "Pagefind index: ${pf_ow_mb} MB for the opswiki site, ${pf_hugo_mb} MB for the Hugo site." >>"$out/results.md"
fi
cat "$out/results.md"
