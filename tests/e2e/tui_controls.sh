#!/usr/bin/env bash
# Workbench terminal UI: pause stops the clock, s advances exactly one chunk,
# n switches NVT <-> NPT in the header, r resets to step 0.
cd "$(dirname "$0")/../.." && . tests/e2e/tui_lib.inc
start_wb --set rate=40
wait_for '\[running\]' 5 || fail "not running"
keys Space
wait_for '\[PAUSED\]' 5 || fail "space did not pause"
sleep 0.3; s1=$(header_step); sleep 0.7; s2=$(header_step)
[ "$s1" = "$s2" ] || fail "paused but the step moved ($s1 -> $s2)"
keys s
wait_for "^ step $((s1 + 5)) " 5 || fail "s did not advance exactly one 5-step chunk from $s1 (now $(header_step))"
wait_for '\[PAUSED\]' 2 || fail "single step resumed the run"
keys n
wait_for 'atoms [0-9]+ +NPT ' 5 || fail "n did not switch to NPT"
keys n
wait_for 'atoms [0-9]+ +NVT ' 5 || fail "n did not switch back to NVT"
keys Space
wait_for '\[running\]' 5 || fail "space did not resume"
sleep 1
s0=$(header_step)
keys r
wait_for 'reset to the initial structure' 5 || fail "r gave no reset message"
s3=$(header_step)
[ "$s3" -lt "$s0" ] && [ "$s3" -lt 100 ] || fail "step after reset is $s3 (before: $s0)"
keys q
wait_for 'EXITED rc=0' 5 || fail "q did not exit cleanly"
echo ok
