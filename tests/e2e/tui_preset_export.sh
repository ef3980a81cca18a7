#!/usr/bin/env bash
# Workbench terminal UI: plots fill in; a preset starts and its progress bar
# advances; the dial pauses it and c continues; export keys create files and
# say where they went; the help overlay opens and closes.
cd "$(dirname "$0")/../.." && . tests/e2e/tui_lib.inc
export ASAN_OPTIONS=detect_leaks=0   # the PNG export uses GL: SDL/Mesa keep ~240 bytes
start_wb --set rate=40
# plots: braille dots other than the blank pattern appear in the PE/atom plot rows
wait_for 'PE/atom +-?[0-9]' 10 || fail "PE/atom plot has no value"
sleep 1
n=$(screen | sed -n '8,20p' | perl -CSD -ne '$n += () = substr($_, 0, 60) =~ /[\x{2801}-\x{28FF}]/g; END { print $n + 0 }')
[ "$n" -ge 20 ] || fail "PE plot has only $n dots"
keys 1
wait_for 'protocol melt' 5 || fail "melt preset did not start"
p1=$(screen | sed -n 's/.*protocol melt.* \([0-9]*\)%.*/\1/p'); sleep 2
p2=$(screen | sed -n 's/.*protocol melt.* \([0-9]*\)%.*/\1/p')
[ -n "$p1" ] && [ "$p2" -gt "$p1" ] || fail "progress did not advance ($p1 -> $p2)"
keys Left
wait_for 'PAUSED - dial has control' 5 || fail "dial did not pause the protocol"
p3=$(screen | sed -n 's/.*protocol melt.* \([0-9]*\)%.*/\1/p'); sleep 1
p4=$(screen | sed -n 's/.*protocol melt.* \([0-9]*\)%.*/\1/p')
[ "$p3" = "$p4" ] || fail "paused protocol advanced ($p3 -> $p4)"
keys c
wait_for 'melt continues' 5 || fail "c did not continue the protocol"
for k in x l v; do keys $k; sleep 0.5; done
ls "$tmp"/out/frame-*.extxyz >/dev/null 2>&1 || fail "x: no extxyz"
ls "$tmp"/out/frame-*.lmp >/dev/null 2>&1 || fail "l: no LAMMPS data"
ls "$tmp"/out/series-*.csv >/dev/null 2>&1 || fail "v: no CSV"
wait_for "time series CSV -> $tmp/out/series-" 3 || fail "CSV export did not say where it went"
grep -q 'crystalline:I:1' "$tmp"/out/frame-*.extxyz || fail "extxyz lacks the crystalline column"
[ "$(wc -l < "$(ls "$tmp"/out/series-*.csv | head -1)")" -gt 10 ] || fail "CSV too short"
grep -q 'atom types' "$tmp"/out/frame-*.lmp || fail "LAMMPS data malformed"
# g: the four plots as one PNG (gnuplot); without gnuplot the status line says so
keys g
if command -v gnuplot >/dev/null; then
  wait_for "PNG of the plots -> $tmp/out/plots-" 10 || fail "g: plot export did not say where it went"
  png=$(ls "$tmp"/out/plots-*.png | head -1)
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "g: not a PNG"
  [ -z "$(ls "$tmp"/out | grep '\.tmp')" ] || fail "g: temporary files left: $(ls "$tmp"/out)"
else
  wait_for 'plot export needs gnuplot' 5 || fail "g without gnuplot gave no message"
fi
keys p
if wait_for 'PNG of the 3D view -> ' 20; then
  png=$(ls "$tmp"/out/view-*.png | head -1)
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "not a PNG"
else
  wait_for 'export failed' 1 || fail "p gave neither a PNG nor an error message"
fi
if command -v ffmpeg >/dev/null && ls "$tmp"/out/view-*.png >/dev/null 2>&1; then
  keys m
  wait_for 'movie recording -> ' 10 || fail "m did not start a movie"
  sleep 2; keys m
  wait_for "movie stopped -> $tmp/out/movie-" 10 || fail "m did not stop the movie"
  sleep 1
  mp4=$(ls "$tmp"/out/movie-*.mp4 2>/dev/null | head -1)
  [ -s "$mp4" ] || fail "no movie file"
  nf=$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$mp4")
  [ "${nf:-0}" -ge 5 ] || fail "movie has ${nf:-0} frames"
fi
keys '?'
wait_for 'dial TAKES OVER' 3 || fail "help overlay missing"
keys '?'
sleep 0.3; screen | grep -q 'dial TAKES OVER' && fail "help overlay did not close"
keys z
wait_for "key 'z' does nothing" 3 || fail "unknown key not reported"
tmux -L "$sock" resize-window -t "$T" -x 90 -y 30 2>/dev/null
sleep 0.5
screen | grep -q 'Crystalline fraction' || fail "layout lost after resize"
keys q
wait_for 'EXITED rc=0' 5 || fail "q did not exit cleanly"
echo ok
