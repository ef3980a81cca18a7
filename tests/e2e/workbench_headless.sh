#!/usr/bin/env bash
# Without a terminal the workbench runs headless: a preset runs to completion
# and thermo lines are printed, with the target following the schedule.
set -u
cd "$(dirname "$0")/../.."
bin=${PCM_BIN:-build/pcmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
out=$(timeout 60 "$bin" workbench quench --set potential=lj:0.1,2.67,6.0 --set cells=2 --set chunk=50 \
      --set T=900 </dev/null 2>"$tmp/err" | cat) || fail "headless run failed: $(cat "$tmp/err")"
echo "$out" | head -1 | grep -q '^# pcmlab workbench (headless): [0-9]* atoms, potential lj' || fail "no info line"
echo "$out" | sed -n 2p | grep -q '^# step time_ps T_target_K' || fail "no header line"
first=$(echo "$out" | sed -n 4p | awk '{print $3}'); last=$(echo "$out" | tail -1 | awk '{print $3}')
awk -v a="$first" 'BEGIN { exit !(a > 850) }' || fail "quench should start near 900 K, got $first"
[ "${last%.*}" = 300 ] || fail "quench should end at 300 K, got $last"
n=$(echo "$out" | grep -vc '^#')
[ "$n" -ge 100 ] || fail "only $n thermo lines for a 15 ps quench in 0.1 ps chunks"
"$bin" workbench --set T=hot </dev/null >/dev/null 2>"$tmp/err" && fail "bad --set accepted"
grep -q 'expected a number' "$tmp/err" || fail "bad --set message: $(cat "$tmp/err")"
echo ok
