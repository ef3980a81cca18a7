#!/usr/bin/env bash
# Workbench preset files: f lists presets/*.cfg (name, duration, description from the
# file); choosing melt.cfg runs its schedule and MD settings on the live atoms (target
# 900 K, NPT) with advancing progress, and says what did not apply live; --preset FILE
# at launch runs a real preset file.
cd "$(dirname "$0")/../.." && . tests/e2e/tui_lib.inc
# the workbench finds presets/ beside its binary; a binary built elsewhere gets a copy in its cwd
[ -d "$(dirname "$bin")/../presets" ] || cp -r presets "$tmp/presets"
start_wb --set rate=40 --set chunk=20
keys f
wait_for 'Preset files in' 5 || fail "f did not open the preset menu"
screen | grep -qE 'melt +100 ps +melt rocksalt GST at 900 K' || fail "melt entry lacks duration/description"
screen | grep -qE 'thermal-cycle +10.5 ns' || fail "thermal-cycle duration missing"
# select melt by its letter, then Enter
letter=$(screen | sed -n 's/.* \([a-z]\)) melt .*/\1/p' | head -1)
[ -n "$letter" ] || fail "no letter for melt"
keys "$letter" Enter
wait_for 'protocol melt ' 5 || fail "melt preset did not start"
wait_for 'T target +900 K' 5 || fail "melt target not 900 K"
wait_for ' NPT ' 5 || fail "melt.cfg's NPT ensemble not applied"
screen | grep -q 'not live: .*structure rocksalt 4x4x4' || fail "note about the structure missing"
t1=$(screen | sed -n 's/.*protocol melt.*% *\([0-9.]*\) ps \/ 100 ps.*/\1/p'); sleep 2
t2=$(screen | sed -n 's/.*protocol melt.*% *\([0-9.]*\) ps \/ 100 ps.*/\1/p')
[ -n "$t1" ] && awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b > a) }' || fail "melt progress did not advance ($t1 -> $t2)"
keys q
wait_for 'EXITED rc=0' 5 || fail "q did not exit cleanly"
# --preset at launch: quick.cfg (0.2 ps) runs to its end
tmux -L "$sock" kill-server 2>/dev/null
start_wb --set rate=20 --preset "$(realpath presets/quick.cfg)"
wait_for 'protocol quick' 5 || wait_for 'quick finished' 5 || fail "--preset quick.cfg did not start"
wait_for 'quick finished at 600 K' 15 || fail "quick.cfg did not finish"
keys q
wait_for 'EXITED rc=0' 5 || fail "q did not exit cleanly"
echo ok
