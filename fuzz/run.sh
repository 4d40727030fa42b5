#!/usr/bin/env bash
# Run every fuzz target in turn, each for a set time, and print how many
# inputs each one executed.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, every target)
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Runs niced, one process and one worker (libFuzzer's default; -jobs/-workers
# would only move the output into fuzz-N.log files). Seeds are read from corpus/TARGET/ (checked in);
# what a run discovers goes to grown/TARGET/ (not checked in). A crash, a
# timeout (-timeout, 60 s per input: wall-clock, and a niced process on a
# busy machine can stall for seconds)  or running out of memory
# (-rss_limit_mb) stops the target and leaves the input in artifacts/TARGET/:
# fix it, then copy the input to tests/fuzz_regressions/TARGET/ so
# `cargo test --release --test fuzz_regressions` keeps it fixed.
# Logs: logs/TARGET.log. Exit status: 1 if any target found something.
set -uo pipefail
cd "$(dirname "$0")"

secs=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(front_matter pages alarms alarms_json alarms_terraform runbook_templates trees links site)
fi

# The largest input each target is given, in bytes: room for the biggest
# seed and some more, small enough to stay fast.
max_len() {
    case $1 in
        links) echo 2048 ;;
        site) echo 32768 ;;
        pages) echo 16384 ;;
        *) echo 8192 ;;
    esac
}

# One rayon thread: the fuzzer already owns a core, and CPU is shared.
export RAYON_NUM_THREADS=1
mkdir -p logs
cargo +nightly fuzz build -O || exit 2

status=0
summary=()
for t in "${targets[@]}"; do
    mkdir -p "grown/$t" "artifacts/$t"
    echo "== $t: ${secs}s" >&2
    nice -n 10 cargo +nightly fuzz run -O "$t" "grown/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 \
        -max_len="$(max_len "$t")" -print_final_stats=1 \
        >"logs/$t.log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'exec/s: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    found=$(grep -E '^(==[0-9]+== ERROR|SUMMARY): libFuzzer|deadly signal|panicked at' "logs/$t.log" | head -3)
    if [ $rc -ne 0 ]; then
        status=1
        summary+=("$t: ${execs:-?} executions (${rate:-?}/s), FOUND SOMETHING (exit $rc): see logs/$t.log and artifacts/$t/ ${found:+— $found}")
    else
        summary+=("$t: ${execs:-?} executions (${rate:-?}/s), nothing found")
    fi
done
printf '%s\n' "${summary[@]}"
exit $status
