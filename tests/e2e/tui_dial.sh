#!/usr/bin/env bash
# Workbench terminal UI: the dial (arrows, page keys, typed value) changes the
# target temperature shown in the header; nonsense typed input is refused with a
# message and the program keeps running; q restores the terminal.
cd "$(dirname "$0")/../.." && . tests/e2e/tui_lib.inc
start_wb --set rate=50 --set T=300
[ "$(alt_on)" = 1 ] || fail "alternate screen not in use while running"
[ "$(header_T)" = 300 ] || fail "initial target $(header_T), expected 300"
keys Right Right Right
wait_for 'T target +330 K' 5 || fail "3 x Right did not give 330 K"
keys PPage
wait_for 'T target +430 K' 5 || fail "PgUp did not add 100 K"
keys NPage Left
wait_for 'T target +320 K' 5 || fail "PgDn + Left did not give 320 K"
keys t 6 5 0 Enter
wait_for 'T target +650 K' 5 || fail "typed 650 not applied"
wait_for 'target temperature 650 K' 3 || fail "no status message for the typed value"
keys t a b c Enter
wait_for "'abc' refused" 5 || fail "bad typed input not refused with a message"
keys t - 4 0 Enter
wait_for "'-40' refused" 5 || fail "negative temperature not refused"
keys t 9 9 9 9 9 Enter
wait_for "'99999' refused" 5 || fail "absurd temperature not refused"
[ "$(header_T)" = 650 ] || fail "refused input changed the target ($(header_T))"
s1=$(header_step); sleep 1; s2=$(header_step)
[ -n "$s1" ] && [ "$s2" -gt "$s1" ] || fail "simulation stopped after bad input ($s1 -> $s2)"
wait_for 'actual +(5[5-9][0-9]|6[0-9][0-9]|7[0-4][0-9])\.' 20 || fail "actual T does not follow the 650 K target"
keys q
wait_for 'EXITED rc=0' 5 || fail "q did not exit cleanly"
[ "$(alt_on)" = 0 ] || fail "terminal left in the alternate screen"
grep -q . "$tmp/stderr" && fail "stderr not empty: $(cat "$tmp/stderr")"
echo "ok"
