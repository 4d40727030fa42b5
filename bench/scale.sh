#!/usr/bin/env bash
# Scale benchmark: opswiki at 10,000 and 100,000 runbooks side by side, with
# the floor (read the input, copy the output) at each size and Hugo at the
# smallest, in one run with interleaved rounds.
#
#   bench/scale.sh                                # 10000 and 100000 runbooks, 3 rounds
#   SIZES="1000 10000" RUNS=5 bench/scale.sh
#   OPSWIKI_BASE=/tmp/opswiki-before bench/scale.sh   # also time an older binary
#
# Environment:
#   SIZES         corpus sizes in runbooks, smallest first   (default "10000 100000")
#   RUNS          timed rounds, after one warm-up            (default 3)
#   OUT           where corpora and sites go                  (default bench/out/scale;
#                 100k needs about 10 GB: corpus 0.9, site and its copy 2.9 each)
#   CORPUS_GEN    the corpus generator (as bench/run.sh)
#   HUGO          the hugo binary (default: hugo on PATH; timed at the smallest size)
#   OPSWIKI_BIN   the opswiki binary to time; skips `cargo build --release`
#   OPSWIKI_BASE  a second opswiki binary ("before") timed in the same rounds,
#                 with its output compared to OPSWIKI_BIN's at the smallest size
#   SKIP_GEN=1    reuse the corpora already in OUT
#   KEEP=1        keep the corpora and sites afterwards (default: deleted)
#
# Each round runs every command once, in turn, so a change in machine load
# (other jobs on a shared machine) spreads over all of them. For each run
# `/usr/bin/time -f "%e %M %U %S"` records wall time, peak RSS and CPU time.
# On a shared machine compare CPU time and the ratios within a round; quote
# wall times only with the load average printed beside them.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
CORPUS_GEN=${CORPUS_GEN:-"$repo/../shared/bench/gen_corpus.py"}
if [[ ! -f $CORPUS_GEN && -f $script_dir/gen_corpus.py ]]; then
    CORPUS_GEN=$script_dir/gen_corpus.py
fi
[[ -f $CORPUS_GEN ]] || { echo "corpus generator not found: $CORPUS_GEN (set CORPUS_GEN)" >&2; exit 2; }
CORPUS_GEN=$(cd "$(dirname "$CORPUS_GEN")" && pwd)/$(basename "$CORPUS_GEN")
read -r -a sizes <<<"${SIZES:-10000 100000}"
RUNS=${RUNS:-3}
HUGO=${HUGO:-$(command -v hugo || true)}
TODAY=2026-11-23 # the corpus' reference date: nothing stale, nothing overdue
out=${OUT:-$repo/bench/out/scale}
mkdir -p "$out/bin"
out=$(cd "$out" && pwd)
cd "$repo"

[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (Debian package 'time')" >&2; exit 2; }
[[ -n $HUGO && -x $HUGO ]] || { echo "hugo not found (install it, or set HUGO=/path/to/hugo)" >&2; exit 2; }

# The binaries, copied so that a rebuild during the run cannot change them.
if [[ -n ${OPSWIKI_BIN:-} ]]; then
    cp "$OPSWIKI_BIN" "$out/bin/opswiki"
else
    echo "== cargo build --release" >&2
    cargo build --release >&2
    cp target/release/opswiki "$out/bin/opswiki"
fi
OPSWIKI=$out/bin/opswiki
BASE=""
if [[ -n ${OPSWIKI_BASE:-} ]]; then
    cp "$OPSWIKI_BASE" "$out/bin/opswiki-base"
    BASE=$out/bin/opswiki-base
fi
small=${sizes[0]}

if [[ ${SKIP_GEN:-0} != 1 ]]; then
    for n in "${sizes[@]}"; do
        echo "== generating the corpus: $n runbooks" >&2
        rm -rf "$out/ow-$n"
        python3 "$CORPUS_GEN" --out "$out/ow-$n" --runbooks "$n" >&2
    done
    rm -rf "$out/hugo-$small"
    python3 "$CORPUS_GEN" --out "$out/hugo-$small" --runbooks "$small" --flavor hugo >&2
fi

# The commands, as NAME -> argument list (in `cmds`), in the order run.
declare -A cmds label
names=()
add() { # name label command...
    local name=$1
    label[$name]=$2
    shift 2
    cmds[$name]=$(printf '%q ' "$@")
    names+=("$name")
}
for n in "${sizes[@]}"; do
    add "build-$n" "opswiki build, $n" "$OPSWIKI" build --root "$out/ow-$n" --output "$out/site-$n" --today "$TODAY"
    if [[ -n $BASE ]]; then
        add "base-$n" "before: build, $n" "$BASE" build --root "$out/ow-$n" --output "$out/base-site-$n" --today "$TODAY"
    fi
    add "check-$n" "opswiki check, $n" "$OPSWIKI" check --root "$out/ow-$n" --today "$TODAY"
    add "read-$n" "floor: read input, $n" sh -c "find $(printf '%q' "$out/ow-$n/content") -type f \\( -name '*.md' -o -name '*.yaml' \\) -exec cat {} + >/dev/null"
    add "copy-$n" "floor: copy output, $n" cp -rT "$out/site-$n" "$out/copy-$n"
    if [[ $n == "$small" ]]; then
        add "hugo-$n" "hugo, $n" "$HUGO" --source "$out/hugo-$n" --destination "$out/hugo-out-$n" --quiet
    fi
done

run_one() { # name -> appends "wall rss_kb user sys" to $out/times.NAME
    local name=$1
    if ! eval "/usr/bin/time -f '%e %M %U %S' -o $(printf '%q' "$out/t") ${cmds[$name]}" \
        >"$out/log.$name" 2>"$out/log.$name.err"; then
        echo "FAILED: ${cmds[$name]}" >&2
        tail -n 20 "$out/log.$name.err" >&2
        exit 1
    fi
    tail -n 1 "$out/t" >>"$out/times.$name"
}

load_before=$(uptime)
echo "== warm-up" >&2
for name in "${names[@]}"; do
    rm -f "$out/times.$name"
    run_one "$name"
    rm -f "$out/times.$name"
done
for ((i = 1; i <= RUNS; i++)); do
    echo "== round $i/$RUNS ($(uptime | sed 's/.*load/load/'))" >&2
    for name in "${names[@]}"; do run_one "$name"; done
done
load_after=$(uptime)

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { cut -d' ' -f"$2" "$out/times.$1"; }
declare -A med
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git status --porcelain -- src templates static Cargo.toml Cargo.lock 2>/dev/null) ]] && rev="$rev+uncommitted"
{
    echo "## Scale benchmark: ${sizes[*]} runbooks, median of $RUNS rounds (after one warm-up)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, opswiki $rev, $("$HUGO" version | cut -d' ' -f1-2)"
    echo
    echo "| command | median wall s | min s | max s | median peak RSS MiB | median CPU s (user+sys) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for name in "${names[@]}"; do
        m=$(col "$name" 1 | median)
        med[$name]=$m
        lo=$(col "$name" 1 | sort -g | head -n 1)
        hi=$(col "$name" 1 | sort -g | tail -n 1)
        rss=$(col "$name" 2 | median)
        cpu=$(awk '{ print $3 + $4 }' "$out/times.$name" | median)
        awk -v l="${label[$name]}" -v m="$m" -v lo="$lo" -v hi="$hi" -v r="$rss" -v c="$cpu" \
            'BEGIN { printf "| %s | %.2f | %.2f | %.2f | %.0f | %.2f |\n", l, m, lo, hi, r / 1024, c }'
    done
    echo
    for n in "${sizes[@]}"; do
        # Per round: build / (read + copy) of the same round, then the median.
        floor=$(paste -d' ' "$out/times.build-$n" "$out/times.read-$n" "$out/times.copy-$n" |
            awk '{ print $1 / ($5 + $9) }' | median)
        biggest=$(find "$out/site-$n" -type f -printf '%s %P\n' | sort -n | tail -n 1)
        over=$(find "$out/site-$n" -type f -size +1M | wc -l)
        echo "- $n runbooks: build / floor (read + copy, per round) **$(printf '%.2f' "$floor")x** (goal at most 1.3x at 100k); largest generated file \`${biggest#* }\` $(awk -v b="${biggest%% *}" 'BEGIN { printf "%.2f", b / 1e6 }') MB; $over files over 1 MiB"
        if [[ -n $BASE ]]; then
            echo "  - before / after build: $(paste -d' ' "$out/times.base-$n" "$out/times.build-$n" | awk '{ print ($3 + $4) / ($7 + $8) }' | median | xargs printf '%.2f')x CPU (per-round median)"
        fi
    done
    hugo_ratio=$(paste -d' ' "$out/times.build-$small" "$out/times.hugo-$small" | awk '{ print $1 / $5 }' | median)
    echo "- $small runbooks: opswiki build / hugo **$(printf '%.3f' "$hugo_ratio")** of Hugo's wall time (per-round median; goal at most 0.1)"
    if [[ -n $BASE ]]; then
        if diff -r -q "$out/site-$small" "$out/base-site-$small" >/dev/null; then
            echo "- $small runbooks: the output of both binaries is byte-identical (\`diff -r\`)"
        else
            echo "- $small runbooks: the outputs of the two binaries DIFFER (\`diff -r $out/site-$small $out/base-site-$small\`)"
        fi
    fi
    echo "- load before: \`$(echo "$load_before" | sed 's/^ *//')\`"
    echo "- load after: \`$(echo "$load_after" | sed 's/^ *//')\`"
    echo
    echo "Commands:"
    echo
    echo '```'
    for name in "${names[@]}"; do echo "${cmds[$name]}"; done
    echo '```'
} | tee "$out/results.md"
echo "Markdown: $out/results.md" >&2

if [[ ${KEEP:-0} != 1 ]]; then
    for n in "${sizes[@]}"; do
        rm -rf "$out/ow-$n" "$out/site-$n" "$out/.site-$n.old" "$out/copy-$n" "$out/base-site-$n" "$out/.base-site-$n.old"
    done
    rm -rf "$out/hugo-$small" "$out/hugo-out-$small"
fi
