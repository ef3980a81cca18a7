#!/usr/bin/env bash
# The terminal is restored when the workbench is killed by SIGTERM or SIGINT
# (Ctrl-C), and even after a crash (SIGSEGV).
cd "$(dirname "$0")/../.." && . tests/e2e/tui_lib.inc
for sig in TERM INT SEGV; do
  start_wb --set rate=20
  [ "$(alt_on)" = 1 ] || fail "not in the alternate screen"
  pid=$(pgrep -n -f "pcmlab workbench --no-window --out $tmp/out") || fail "no pid"
  if [ $sig = INT ]; then keys C-c; else kill -$sig "$pid"; fi
  wait_for 'EXITED rc=' 5 || fail "SIG$sig: process did not exit"
  [ "$(alt_on)" = 0 ] || fail "SIG$sig: terminal left in the alternate screen"
  tmux -L "$sock" kill-session -t "$T"
done
echo ok
