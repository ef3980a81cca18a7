#!/usr/bin/env bash
# With a display (Xvfb) the workbench opens the 3D window beside the terminal UI:
# the header reports it with its frame time, o switches its colour mode, the
# window shows atoms (a screenshot of the X root has many non-background pixels).
cd "$(dirname "$0")/../.." && . tests/e2e/tui_lib.inc
command -v xvfb-run >/dev/null && command -v import >/dev/null || { echo "SKIP: no xvfb-run/import"; exit 77; }
export ASAN_OPTIONS=detect_leaks=0
xvfb-run -a -s '-screen 0 1024x768x24' bash -c "
  tmux -L $sock new-session -d -s $T -x 120 -y 40 \"cd '$tmp' && LANG=C.UTF-8 DISPLAY=\$DISPLAY \
    PCM_SHADERS='$(realpath shaders)' '$bin' workbench --out '$tmp/out' --set potential=lj:0.1,2.67,6.0 \
    --set cells=2 --set rate=30 2>'$tmp/stderr'; echo EXITED rc=\\\$?; sleep 30\"
  for i in \$(seq 50); do tmux -L $sock capture-pane -p -t $T | grep -q '3D: window' && break; sleep 0.2; done
  sleep 1; import -window root '$tmp/root.png'
  tmux -L $sock send-keys -t $T o; sleep 0.5
  tmux -L $sock capture-pane -p -t $T > '$tmp/screen2.txt'
  tmux -L $sock send-keys -t $T q; sleep 1
  tmux -L $sock capture-pane -p -t $T > '$tmp/screen3.txt'"
grep -q 'EXITED rc=0' "$tmp/screen3.txt" || { cat "$tmp/screen3.txt" "$tmp/stderr"; fail "did not exit cleanly"; }
grep -q '3D: window [0-9.]* ms/frame, crystal' "$tmp/screen2.txt" || { cat "$tmp/screen2.txt"; fail "no 3D window in the header / o did not switch colour"; }
grep -q '3D colour: crystal' "$tmp/screen2.txt" || fail "no status message for o"
# atoms on screen: count pixels far from the background colour (20,23,31) and black
n=$(convert "$tmp/root.png" -resize 256x192 -fx '(r+g+b>0.5)?1:0' -format '%[fx:mean*w*h]' info:)
[ "${n%.*}" -gt 200 ] || fail "the window shows almost nothing ($n bright pixels)"
echo "ok ($n bright pixels of 49152)"
