#!/usr/bin/env bash
# Workbench with an uncertainty committee: the sigma_F plot appears, a low threshold raises the
# "MODEL UNCERTAIN" warning, o reaches the uncertainty colour mode, and the x / v exports carry
# sigma_F.  Without a committee none of it shows (and o skips the mode).
cd "$(dirname "$0")/../.." && . tests/e2e/tui_lib.inc
A=$(realpath assets/dft/active-learning)
[ -f "$A/al4.c1.yace" ] || { echo "SKIP: no committee in assets/dft/active-learning"; exit 77; }
# LJ dynamics on GST with ACE members: the members disagree (> 0.01 eV/A) from the start
start_wb --set rate=50 --set xtal_every=2 --set committee=$A/al4.c0.yace,$A/al4.c1.yace --set committee_warn=0.01
wait_for 'Committee max σF \(2 members, warn > 0.01\) EXTRAPOLATING' 10 || fail "no committee plot"
wait_for 'MODEL UNCERTAIN: extrapolating - committee max σF [0-9.]+ eV/Å > 0.01' 5 || fail "no uncertainty warning"
keys o o o
wait_for '3D colour: (uncertainty|unavailable)' 10 || fail "o did not reach the uncertainty mode"
keys x
wait_for 'extxyz frame -> ' 5 || fail "no extxyz export"
keys v
wait_for 'time series CSV -> ' 5 || fail "no CSV export"
f=$(ls "$tmp"/out/frame-*.extxyz | head -1)
sed -n 2p "$f" | grep -q 'sigma_F:R:1' || fail "extxyz export has no sigma_F column: $(sed -n 2p "$f")"
awk 'NR > 2 { v = $NF; if (!(v > 0 && v < 100)) bad = 1 } END { exit bad }' "$f" || fail "sigma_F not finite and > 0"
c=$(ls "$tmp"/out/series-*.csv | head -1)
head -1 "$c" | grep -q ',sigma_F_max_eV_A,sigma_F_eV_A$' || fail "CSV header: $(head -1 "$c")"
awk -F, 'NR > 1 && $6 != "" && !($6 > 0) { bad = 1 } END { exit bad }' "$c" || fail "CSV sigma_F_max not > 0"
keys q
wait_for 'EXITED rc=0' 5 || fail "q did not exit cleanly"
grep -q . "$tmp/stderr" && fail "stderr not empty: $(cat "$tmp/stderr")"
# no committee: no plot, o skips the mode (element -> crystal -> energy -> element)
tmux -L "$sock" kill-server 2>/dev/null
start_wb --set rate=50
wait_for 'Crystalline fraction' 5 || fail "no plots"
screen | grep -q 'Committee' && fail "committee plot without a committee"
keys o o o
wait_for '3D colour: (element|unavailable)' 10 || fail "o did not skip the uncertainty mode: $(screen | tail -1)"
keys q
wait_for 'EXITED rc=0' 5 || fail "q did not exit cleanly"
echo ok
