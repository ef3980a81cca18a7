#!/usr/bin/env bash
# Screenshots for the README, taken by the project itself:
#   assets/screenshots/tui.txt / tui.png   terminal UI (tmux capture-pane; PNG drawn with ImageMagick)
#   assets/screenshots/window.png          the real 3D window on Xvfb (import -window root)
#   assets/screenshots/view-*.png          offscreen renders (pcmlab render) of frames exported before/after melting
# usage: bash tests/screenshots.sh [build]   (needs tmux, xvfb-run, ImageMagick)
set -eu
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-build}/pcmlab")
dst=assets/screenshots; mkdir -p "$dst"
tmp=$(mktemp -d); sock=shot$$
trap 'tmux -L $sock kill-server 2>/dev/null; rm -rf "$tmp"; true' EXIT
args="--set cells=4 --set rate=40 --out $tmp/out ${SHOT_ARGS:-}"
xvfb-run -a -s '-screen 0 1024x768x24' bash -c "
  tmux -L $sock new-session -d -s s -x 120 -y 40 \"LANG=C.UTF-8 LC_ALL=C.UTF-8 DISPLAY=\$DISPLAY $bin workbench $args\"
  sleep 8; tmux -L $sock send-keys -t s x; sleep 0.5; tmux -L $sock send-keys -t s 1; sleep ${SHOT_MELT_S:-22}
  tmux -L $sock capture-pane -p -t s > $dst/tui.txt
  tmux -L $sock capture-pane -p -e -t s > $tmp/tui.ans
  import -window root $dst/window.png
  for k in x p o p o p; do tmux -L $sock send-keys -t s \$k; sleep 1.5; done
  tmux -L $sock send-keys -t s q; sleep 1"
/usr/bin/python3 tests/ansi_to_png.py "$tmp/tui.ans" "$dst/tui.png"
rm -f "$dst/tui.png.mvg"
first=$(ls "$tmp"/out/frame-*.extxyz | head -1); last=$(ls "$tmp"/out/frame-*.extxyz | tail -1)
"$bin" render "$first" -o "$dst/view-crystal-before.png" --size 480 --color crystal >/dev/null
"$bin" render "$last" -o "$dst/view-crystal-after-melt.png" --size 480 --color crystal >/dev/null
for c in element energy; do "$bin" render "$last" -o "$dst/view-$c.png" --size 480 --color $c >/dev/null; done
"$bin" render "$last" -o "$dst/view-slab.png" --size 480 --slab 0.5,0.3 >/dev/null
ls -la "$dst"
