#!/usr/bin/env bash
# Build benchmark: opswiki vs Hugo on the same synthetic corpus, plus floors.
#
#   bench/run.sh                      # 10000 runbooks, 5 timed runs per tool
#   RUNS=3 RUNBOOKS=1000 bench/run.sh
#
# Environment:
#   RUNBOOKS    corpus size in runbooks                       (default 10000)
#   RUNS        timed runs per command, after one warm-up     (default 5)
#   CORPUS_GEN  the corpus generator       (default ../shared/bench/gen_corpus.py
#               beside the repository, else bench/gen_corpus.py)
#   HUGO        the hugo binary                               (default: hugo on PATH)
#   OPSWIKI_BIN the opswiki binary to time; skips `cargo build --release`
#               (e.g. one built from a clean checkout while the tree is mid-edit)
#   SKIP_BUILD=1  do not run `cargo build --release`; time target/release/opswiki
#   SKIP_GEN=1    reuse the corpus already in bench/out/
#
# Everything is written under bench/out/ (gitignored); the table goes to stdout
# and, as Markdown, to bench/out/results.md. Not run by CI.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
CORPUS_GEN=${CORPUS_GEN:-"$(dirname "$0")/../../shared/bench/gen_corpus.py"}
# Without ../shared (a lone checkout), the copy kept beside this script.
if [[ ! -f $CORPUS_GEN && -f $script_dir/gen_corpus.py ]]; then
    CORPUS_GEN=$script_dir/gen_corpus.py
fi
# Resolve the generator before changing directory (it may be relative to the cwd).
if [[ ! -f $CORPUS_GEN ]]; then
    echo "corpus generator not found: $CORPUS_GEN (set CORPUS_GEN)" >&2
    exit 2
fi
CORPUS_GEN=$(cd "$(dirname "$CORPUS_GEN")" && pwd)/$(basename "$CORPUS_GEN")
RUNBOOKS=${RUNBOOKS:-10000}
RUNS=${RUNS:-5}
HUGO=${HUGO:-$(command -v hugo || true)}
TODAY=2026-11-23 # the corpus' reference date: nothing stale, nothing overdue

repo=$(cd "$script_dir/.." && pwd)
cd "$repo"
out=$repo/bench/out
mkdir -p "$out"

if [[ ! -x /usr/bin/time ]]; then
    echo "== /usr/bin/time is missing: installing the 'time' package" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get install -y time >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y time >&2; }
fi
if [[ -z $HUGO || ! -x $HUGO ]]; then
    echo "hugo not found (install it, or set HUGO=/path/to/hugo)" >&2
    exit 2
fi

load_before=$(uptime)

# 1. The release binary, copied so that a rebuild by someone else during the
#    run cannot change what is being timed.
mkdir -p "$out/bin"
if [[ -n ${OPSWIKI_BIN:-} ]]; then
    [[ $OPSWIKI_BIN -ef $out/bin/opswiki ]] || cp "$OPSWIKI_BIN" "$out/bin/opswiki"
else
    if [[ ${SKIP_BUILD:-0} != 1 ]]; then
        echo "== cargo build --release" >&2
        cargo build --release >&2
    fi
    cp target/release/opswiki "$out/bin/opswiki"
fi
OPSWIKI=$out/bin/opswiki

# 2. The corpus, both flavours (deterministic: same arguments, same bytes).
if [[ ${SKIP_GEN:-0} != 1 ]]; then
    echo "== generating the corpus: $RUNBOOKS runbooks" >&2
    rm -rf "$out/ow" "$out/hugo"
    python3 "$CORPUS_GEN" --out "$out/ow" --runbooks "$RUNBOOKS" >&2
    python3 "$CORPUS_GEN" --out "$out/hugo" --runbooks "$RUNBOOKS" --flavor hugo >&2
fi
rm -rf "$out/ow-site" "$out/.ow-site.tmp" "$out/.ow-site.old" "$out/hugo-out" "$out/copy"

# 3. The commands. Absolute paths: Hugo resolves a relative --destination
#    against --source, not against the working directory.
names=(build check hugo read copy)
declare -A label=(
    [build]="opswiki build"
    [check]="opswiki check"
    [hugo]="hugo"
    [read]="floor: read input"
    [copy]="floor: copy output"
)
cmd_build=("$OPSWIKI" build --root "$out/ow" --output "$out/ow-site" --today "$TODAY")
cmd_check=("$OPSWIKI" check --root "$out/ow" --today "$TODAY")
cmd_hugo=("$HUGO" --source "$out/hugo" --destination "$out/hugo-out" --quiet)
# Floors: read every input file once (.md/.yaml; page cache warm, as it is for
# the tools), and write a copy of opswiki's output over the previous copy
# (cp -rT, one thread; files overwritten in place, as opswiki's recycled
# staging folder and Hugo's destination are).
cmd_read=(find "$out/ow/content" -type f "(" -name "*.md" -o -name "*.yaml" ")" -exec cat "{}" +)
cmd_copy=(cp -rT "$out/ow-site" "$out/copy")

show() { # name -> the command line, shell-quoted
    local -n c="cmd_$1"
    local line
    line=$(printf '%q ' "${c[@]}")
    line=${line% }
    [[ $1 == read ]] && line+=" >/dev/null"
    echo "$line"
}

run_one() { # name -> appends "wall_s peak_rss_kb user_s sys_s" to $out/times.NAME
    local name=$1 log=$out/log.$1
    local -n c="cmd_$1"
    local stdout=$log
    [[ $name == read ]] && stdout=/dev/null
    if ! /usr/bin/time -f "%e %M %U %S" -o "$out/t" "${c[@]}" >"$stdout" 2>"$log.err"; then
        echo "FAILED: $(show "$name")" >&2
        tail -n 20 "$log.err" >&2
        exit 1
    fi
    tail -n 1 "$out/t" >>"$out/times.$name"
}

# One warm-up each (fills the page cache, Hugo's caches, the output folders);
# then RUNS rounds, interleaved so that a change in machine load (other jobs)
# spreads over every command instead of biasing one.
echo "== warm-up" >&2
for n in "${names[@]}"; do
    rm -f "$out/times.$n"
    run_one "$n"
    rm -f "$out/times.$n"
done
for ((i = 1; i <= RUNS; i++)); do
    echo "== round $i/$RUNS" >&2
    for n in "${names[@]}"; do run_one "$n"; done
done
rm -rf "$out/copy"

load_after=$(uptime)

# 4. The table.
median() { # numbers on stdin -> their median
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
stats() { # times file -> "median min max median_rss_mib median_cpu_s"
    local m lo hi rss cpu
    m=$(cut -d' ' -f1 "$1" | median)
    lo=$(cut -d' ' -f1 "$1" | sort -g | head -n 1)
    hi=$(cut -d' ' -f1 "$1" | sort -g | tail -n 1)
    rss=$(cut -d' ' -f2 "$1" | median)
    cpu=$(awk '{ print $3 + $4 }' "$1" | median)
    awk -v m="$m" -v lo="$lo" -v hi="$hi" -v r="$rss" -v c="$cpu" \
        'BEGIN { printf "%.2f %.2f %.2f %.0f %.2f\n", m, lo, hi, r / 1024, c }'
}
declare -A med medcpu
rows=()
for n in "${names[@]}"; do
    read -r m lo hi rss cpu < <(stats "$out/times.$n")
    med[$n]=$m
    medcpu[$n]=$cpu
    rows+=("$n $m $lo $hi $rss $cpu")
done
ratio=$(awk -v h="${med[hugo]}" -v o="${med[build]}" 'BEGIN { printf "%.2f", (o > 0) ? h / o : 0 }')
# Each round ran both tools back to back: the median of the per-round ratios
# is less sensitive to load that changes between rounds.
paired_ratio=$(paste -d' ' "$out/times.hugo" "$out/times.build" | awk '$5 > 0 { print $1 / $5 }' | median)
paired_ratio=$(awk -v r="$paired_ratio" 'BEGIN { printf "%.2f", r }')
cpu_ratio=$(awk -v h="${medcpu[hugo]}" -v o="${medcpu[build]}" 'BEGIN { printf "%.2f", (o > 0) ? h / o : 0 }')
check_share=$(awk -v c="${med[check]}" -v o="${med[build]}" 'BEGIN { printf "%.0f", (o > 0) ? 100 * c / o : 0 }')

pages=$(grep -o 'built [0-9]* pages ([0-9]* files)' "$out/log.build.err" || true)
size_mb() { # folder -> total bytes of its files, in MB (10^6)
    find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s / 1e6 }'
}
in_files=$(find "$out/ow/content" -type f | wc -l)
in_mb=$(size_mb "$out/ow/content")
out_files=$(find "$out/ow-site" -type f | wc -l)
out_mb=$(size_mb "$out/ow-site")
hugo_files=$(find "$out/hugo-out" -type f | wc -l)
hugo_mb=$(size_mb "$out/hugo-out")
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n ${OPSWIKI_BIN:-} ]]; then
    rev="binary $OPSWIKI_BIN"
elif [[ -n $(git status --porcelain -- src templates static Cargo.toml Cargo.lock 2>/dev/null) ]]; then
    rev="$rev+uncommitted"
fi

{
    echo "## Build benchmark: $RUNBOOKS runbooks, median of $RUNS runs (after one warm-up)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, opswiki $rev, $("$HUGO" version | cut -d' ' -f1-2)"
    echo
    echo "| tool | median wall s | min s | max s | median peak RSS MiB | median CPU s (user+sys) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for row in "${rows[@]}"; do
        read -r n m lo hi rss cpu <<<"$row"
        echo "| ${label[$n]} | $m | $lo | $hi | $rss | $cpu |"
    done
    echo
    echo "- hugo / opswiki build: **${ratio}x** wall (goal: at least 5x); median of per-round ratios ${paired_ratio}x; ${cpu_ratio}x CPU time"
    echo "- opswiki check takes ${check_share}% of opswiki build's wall time"
    echo "- input: $in_files files, $in_mb MB; opswiki output: $out_files files, $out_mb MB (opswiki: \`$pages\`); hugo output: $hugo_files files, $hugo_mb MB"
    echo "- load before: \`$(echo "$load_before" | sed 's/^ *//')\`"
    echo "- load after: \`$(echo "$load_after" | sed 's/^ *//')\`"
    echo
    echo "Commands (wall time, peak RSS and CPU from \`/usr/bin/time -f \"%e %M %U %S\"\`):"
    echo
    echo '```'
    for n in "${names[@]}"; do show "$n"; done
    echo '```'
} >"$out/results.md"

# The same on the terminal, as a plain table.
echo
echo "bench/run.sh: RUNBOOKS=$RUNBOOKS RUNS=$RUNS ($(nproc) cores, opswiki $rev)"
printf '%-20s %9s %7s %7s %11s %10s\n' tool "median s" "min s" "max s" "med RSS MiB" "med CPU s"
for row in "${rows[@]}"; do
    read -r n m lo hi rss cpu <<<"$row"
    printf '%-20s %9s %7s %7s %11s %10s\n' "${label[$n]}" "$m" "$lo" "$hi" "$rss" "$cpu"
done
echo "hugo/opswiki build: ${ratio}x wall (per-round median ${paired_ratio}x), ${cpu_ratio}x CPU   check/build: ${check_share}%"
echo "load before: $load_before"
echo "load after:  $load_after"
echo "commands:"
for n in "${names[@]}"; do echo "  $(show "$n")"; done
echo "Markdown table: $out/results.md"
