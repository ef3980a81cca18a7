#!/usr/bin/env bash
# A malformed preset file (copied to a temp presets/ folder) is listed as not loading;
# choosing it puts file:line on the status line and the running simulation carries on
# untouched (same target, no protocol, steps advancing).  --preset with it refuses to start.
cd "$(dirname "$0")/../.." && . tests/e2e/tui_lib.inc
mkdir -p "$tmp/presets"
cp presets/quick.cfg "$tmp/presets/a-good.cfg"
sed 's/^md = {.*/md = { ensemble = "nvt"; dt = 1.0; T = "hot"; seed = 42; };/' presets/quick.cfg > "$tmp/presets/b-bad.cfg"
line=$(grep -n 'T = "hot"' "$tmp/presets/b-bad.cfg" | cut -d: -f1)
start_wb --set rate=40 --set T=450
keys f
wait_for 'Preset files in presets' 5 || fail "menu did not list ./presets"
wait_for 'b-bad +DOES NOT LOAD' 3 || fail "bad preset not marked in the menu"
keys b Enter
wait_for "preset refused, simulation unchanged: presets/b-bad.cfg:$line: md.T" 5 || fail "no file:line message"
screen | grep -q 'protocol  none' || fail "a protocol started from a bad file"
[ "$(header_T)" = 450 ] || fail "bad preset changed the target ($(header_T))"
s1=$(header_step); sleep 1; s2=$(header_step)
[ -n "$s1" ] && [ "$s2" -gt "$s1" ] || fail "simulation stopped after the bad preset ($s1 -> $s2)"
keys f; wait_for 'Preset files in' 3 || fail "menu did not reopen"
keys a Enter
wait_for 'protocol quick' 5 || wait_for 'quick finished' 5 || fail "good preset did not run after the bad one"
keys q
wait_for 'EXITED rc=0' 5 || fail "q did not exit cleanly"
out=$("$bin" workbench --headless --preset "$tmp/presets/b-bad.cfg" --set potential=lj:0.1,2.67,6.0 2>&1 </dev/null) \
  && fail "--preset with a bad file started"
echo "$out" | grep -q "b-bad.cfg:$line: md.T" || fail "--preset bad message: $out"
echo ok
