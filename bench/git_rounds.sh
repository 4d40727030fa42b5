#!/bin/bash
# Interleaved rounds of `opswiki build` on a site in a git work tree: with
# `git: off`, and with git and no cache of the pass, for two binaries.
# One line per build: label, wall s, user s, sys s, peak RSS kB, the
# `timing: git` stage (the wait for the pass after parse), load average.
#
#   bench/git_rounds.sh SITE ROUNDS OUT BEFORE_BINARY AFTER_BINARY
set -euo pipefail
site=$1 rounds=$2 out=$3 before=$4 after=$5
cfg=$site/opswiki.yaml
err=$(mktemp)
run() { # label binary off|git
  if [ "$3" = off ]; then printf 'git: off\n' >> "$cfg"; fi
  rm -rf "$site/.git/opswiki"
  OPSWIKI_TIMINGS=1 /usr/bin/time -f "TIME %e %U %S %M" "$2" build --root "$site" \
    --output "$site-out" --today 2026-11-23 >/dev/null 2>"$err" || true
  git -C "$site" checkout -q opswiki.yaml
  echo "$1 $(grep '^TIME' "$err" | cut -d' ' -f2-) git=$(grep 'timing: git ' "$err" | awk '{print $3 $4}') load=$(cut -d' ' -f1 /proc/loadavg)" >> "$out"
}
for _ in $(seq "$rounds"); do
  run before-off "$before" off
  run before-git "$before" git
  run after-git "$after" git
  run after-off "$after" off
done
rm -f "$err"
