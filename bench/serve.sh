#!/usr/bin/env bash
# Serve benchmark: `opswiki serve` on the synthetic corpus.
#
#   bench/serve.sh                       # 10000 runbooks, 10 edits, wrk 64 connections x 10 s
#   RUNBOOKS=1000 EDITS=5 bench/serve.sh
#
# 1. save-to-served: start `serve`, save one runbook (a temporary file renamed
#    over it, as editors do), poll the page until the new text is served;
#    repeated EDITS times (bench/serve_edit.py). Compared with a full build.
# 2. load: wrk, 64 connections for 10 s on loopback, on a runbook page and on
#    a stylesheet: requests/s, p99 latency, errors.
#
# Environment:
#   RUNBOOKS    corpus size                          (default 10000)
#   CORPUS      where the corpus is (generated if missing; default /tmp/c$RUNBOOKS)
#   EDITS       timed edits                          (default 10)
#   CONNECTIONS, DURATION   wrk's -c and -d          (default 64, 10s)
#   OPSWIKI_BIN the binary (default: cargo build --release, target/release/opswiki)
#
# Writes bench/out/serve-results.md; not run by CI. Needs python3 and wrk
# (installed with apt-get if missing).
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
RUNBOOKS=${RUNBOOKS:-10000}
CORPUS=${CORPUS:-/tmp/c$RUNBOOKS}
EDITS=${EDITS:-10}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
TODAY=2026-11-23 # the corpus' reference date
out=$repo/bench/out
mkdir -p "$out"

if ! command -v wrk >/dev/null; then
    echo "== wrk is missing: installing it" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get install -y wrk >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y wrk >&2; }
fi

if [[ -n ${OPSWIKI_BIN:-} ]]; then
    bin=$OPSWIKI_BIN
else
    echo "== cargo build --release" >&2
    (cd "$repo" && cargo build --release >&2)
    bin=$repo/target/release/opswiki
fi
# A copy, so a rebuild by someone else cannot change what is measured.
mkdir -p "$out/bin"
cp "$bin" "$out/bin/opswiki-serve"
bin=$out/bin/opswiki-serve

if [[ ! -f $CORPUS/opswiki.yaml ]]; then
    echo "== generating $RUNBOOKS runbooks into $CORPUS" >&2
    python3 "$repo/bench/gen_corpus.py" --out "$CORPUS" --runbooks "$RUNBOOKS" >&2
fi

# The runbook edited: the first one, by path.
file=$(find "$CORPUS/content/runbooks" -name '*.md' | sort | sed -n 1p)
rel=${file#"$CORPUS/content/"}
page="/${rel%.md}/"

site=$out/serve-site
rm -rf "$site" "$out/.serve-site.tmp" "$out/.serve-site.old" "$out/build-site"

echo "== full build, for comparison" >&2
build_start=$(date +%s.%N)
"$bin" build --root "$CORPUS" --output "$out/build-site" --today "$TODAY" >/dev/null 2>"$out/serve-build.log"
build_s=$(awk -v a="$build_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
rm -rf "$out/build-site"

echo "== starting serve" >&2
"$bin" serve --root "$CORPUS" --output "$site" --port 0 --today "$TODAY" >"$out/serve.out" 2>"$out/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
start=$(date +%s.%N)
url=""
for _ in $(seq 1 600); do
    url=$(grep -o 'http://[^ ]*' "$out/serve.out" || true)
    [[ -n $url ]] && break
    kill -0 $pid 2>/dev/null || { cat "$out/serve.log" >&2; exit 1; }
    sleep 0.5
done
[[ -n $url ]] || { echo "serve printed no URL" >&2; exit 1; }
startup_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

echo "== $EDITS edits of $rel" >&2
python3 "$repo/bench/serve_edit.py" "$url" "$file" "$page" "$EDITS" | tee "$out/serve-edits.txt" >&2
read -r _ _ edit_min edit_median edit_max < <(tail -n 1 "$out/serve-edits.txt")

wrk_run() { # path -> "requests/s p99 errors"
    local path=$1 log
    log=$(wrk -t4 -c"$CONNECTIONS" -d"$DURATION" --latency "${url%/}$path")
    echo "$log" >&2
    local rps p99 errors
    rps=$(echo "$log" | awk '/^Requests\/sec/ { print $2 }')
    p99=$(echo "$log" | awk '$1 == "99%" { print $2 }')
    errors=$(echo "$log" | awk '/Socket errors|Non-2xx/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i } END { print s + 0 }')
    echo "$rps $p99 $errors"
}
echo "== wrk on $page" >&2
read -r page_rps page_p99 page_errors < <(wrk_run "$page")
echo "== wrk on /static/style.css" >&2
read -r css_rps css_p99 css_errors < <(wrk_run "/static/style.css")

generated=$(grep -a 'generated files (indexes' "$out/serve.log" | tail -n 1 | sed 's/^\[[^]]*\] //' || true)
rev=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
    echo "## Serve benchmark: $RUNBOOKS runbooks"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, opswiki $rev (working tree)"
    echo
    echo "| measure | value |"
    echo "|---|---:|"
    echo "| full build (\`opswiki build\`) | $build_s s |"
    echo "| serve: start to URL (first build included) | $startup_s s |"
    echo "| save to served, median of $EDITS (min, max) | **$edit_median ms** ($edit_min, $edit_max) |"
    echo "| wrk $CONNECTIONS connections $DURATION, runbook page: requests/s | $page_rps |"
    echo "| ... p99 latency | $page_p99 |"
    echo "| ... errors (socket errors + non-2xx) | $page_errors |"
    echo "| wrk, \`static/style.css\`: requests/s, p99, errors | $css_rps, $css_p99, $css_errors |"
    echo
    echo "- edited: \`$rel\`; last generated-files run: \`$generated\`"
    echo "- load: \`$(uptime | sed 's/^ *//')\`"
} >"$out/serve-results.md"
cat "$out/serve-results.md"
