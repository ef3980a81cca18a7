#!/usr/bin/env bash
# 3D view through SDL's offscreen driver: a known configuration renders atoms
# where they should be, in the right colours; colour modes change them; the PNG
# decodes (stdlib-only decoder) and matches the pixels read back from GL.
set -u
cd "$(dirname "$0")/../.."
bin=${PCM_BIN:-build/pcmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export ASAN_OPTIONS=detect_leaks=0
unset DISPLAY WAYLAND_DISPLAY
# one Ge atom (crystalline) in the middle of a 6 Å box
printf '1\nLattice="6 0 0 0 6 0 0 0 6" Properties=species:S:1:pos:R:3:crystalline:I:1\nGe 3 3 3 1\n' > "$tmp/one.xyz"
out=$("$bin" render "$tmp/one.xyz" -o "$tmp/el.png" --size 128 --view front --probe 64,64 --probe 2,125 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -qiE 'SDL video|OpenGL|window'; then echo "SKIP: no GL: $out"; exit 77; fi
[ $rc -eq 0 ] || fail "render: $out"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 64 64 = //p')"
[ "$g" -gt $((r + 40)) ] && [ "$g" -gt $((b + 40)) ] || fail "centre not Ge green: $r $g $b"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 2 125 = //p')"
[ "$r" -lt 40 ] && [ "$g" -lt 40 ] && [ "$b" -lt 50 ] || fail "corner not background: $r $g $b"
# PNG decodes and agrees with the read-back
dec=$(/usr/bin/python3 tests/e2e/png_pixels.py "$tmp/el.png" 64,64 2,125) || fail "PNG does not decode"
echo "$dec" | grep -q 'size 128 128' || fail "PNG size: $dec"
for p in "64 64" "2 125"; do
  [ "$(echo "$dec" | grep "pixel $p =")" = "$(echo "$out" | grep "pixel $p =")" ] || fail "PNG differs from GL at $p"
done
# colour mode crystal: the same atom turns blue
out=$("$bin" render "$tmp/one.xyz" -o "$tmp/cr.png" --size 128 --view front --color crystal --probe 64,64) || fail "crystal"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 64 64 = //p')"
[ "$b" -gt $((r + 60)) ] || fail "crystalline atom not blue: $r $g $b"
sed -i 's/Ge 3 3 3 1/Ge 3 3 3 0/' "$tmp/one.xyz"
out=$("$bin" render "$tmp/one.xyz" -o "$tmp/am.png" --size 128 --view front --color crystal --probe 64,64) || fail "amorphous"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 64 64 = //p')"
[ "$r" -gt $((b + 60)) ] || fail "amorphous atom not red: $r $g $b"
# two atoms left/right along x: Te on the left, Sb on the right (front view looks down -z, x to the right)
printf '2\nLattice="12 0 0 0 12 0 0 0 12" Properties=species:S:1:pos:R:3\nTe 3 6 6\nSb 9 6 6\n' > "$tmp/two.xyz"
out=$("$bin" render "$tmp/two.xyz" -o "$tmp/two.png" --size 128 --view front --no-legend --radius-scale 3 \
      --probe 64,64 --probe 47,64 --probe 81,64) || fail "two"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 47 64 = //p')"
[ "$b" -gt "$g" ] && [ "$r" -gt "$g" ] || fail "left atom not Te purple: $r $g $b"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 81 64 = //p')"
[ "$r" -gt "$b" ] && [ "$g" -gt "$b" ] || fail "right atom not Sb orange: $r $g $b"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 64 64 = //p')"
[ "$r" -lt 40 ] && [ "$g" -lt 40 ] || fail "gap between the atoms not background: $r $g $b"
# side view (interfaces normal to z): z points up, so of two atoms stacked along z the upper one
# is Sb (z = 9) and the lower Te (z = 3); the front view sees them one behind the other
printf '2\nLattice="12 0 0 0 12 0 0 0 12" Properties=species:S:1:pos:R:3\nTe 6 6 3\nSb 6 6 9\n' > "$tmp/twoz.xyz"
out=$("$bin" render "$tmp/twoz.xyz" -o "$tmp/twoz.png" --size 128 --view side --no-legend --radius-scale 3 \
      --probe 64,47 --probe 64,81 --probe 64,64) || fail "side"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 64 47 = //p')"
[ "$r" -gt "$b" ] && [ "$g" -gt "$b" ] || fail "side: upper atom not Sb orange: $r $g $b"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 64 81 = //p')"
[ "$b" -gt "$g" ] && [ "$r" -gt "$g" ] || fail "side: lower atom not Te purple: $r $g $b"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 64 64 = //p')"
[ "$r" -lt 40 ] && [ "$g" -lt 40 ] || fail "side: gap not background: $r $g $b"
# slab slice along the third lattice vector: only the Te layer (z = 5.5 Å) stays
printf '2\nLattice="12 0 0 0 12 0 0 0 12" Properties=species:S:1:pos:R:3\nTe 3 6 5.5\nSb 9 6 6.5\n' > "$tmp/slab.xyz"
out=$("$bin" render "$tmp/slab.xyz" -o "$tmp/slab.png" --size 128 --view front --no-legend --radius-scale 3 \
      --slab 0.45,0.05 --probe 47,64 --probe 81,64) || fail "slab"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 47 64 = //p')"
[ "$b" -gt "$g" ] && [ "$r" -gt "$g" ] || fail "slab: Te inside the slab not drawn: $r $g $b"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 81 64 = //p')"
[ "$r" -lt 40 ] && [ "$g" -lt 40 ] || fail "slab: Sb outside the slab still drawn: $r $g $b"
# energy colouring: low energy blue, high energy red
printf '2\nLattice="12 0 0 0 12 0 0 0 12" Properties=species:S:1:pos:R:3:energies:R:1\nTe 3 6 6 -4.0\nTe 9 6 6 -3.0\n' > "$tmp/en.xyz"
out=$("$bin" render "$tmp/en.xyz" -o "$tmp/en.png" --size 128 --view front --color energy --no-legend --radius-scale 3 --probe 47,64 --probe 81,64) || fail "energy"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 47 64 = //p')"
[ "$b" -gt $((r + 30)) ] || fail "low-energy atom not blue: $r $g $b"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 81 64 = //p')"
[ "$r" -gt $((b + 30)) ] || fail "high-energy atom not red: $r $g $b"
# uncertainty colouring (committee sigma_F column): low green, above --sigma-warn magenta
printf '2\nLattice="12 0 0 0 12 0 0 0 12" Properties=species:S:1:pos:R:3:sigma_F:R:1\nTe 3 6 6 0.02\nTe 9 6 6 0.8\n' > "$tmp/sg.xyz"
out=$("$bin" render "$tmp/sg.xyz" -o "$tmp/sg.png" --size 128 --view front --color uncertainty --sigma-warn 0.5 --no-legend \
      --radius-scale 3 --probe 47,64 --probe 81,64) || fail "uncertainty"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 47 64 = //p')"
[ "$g" -gt $((r + 40)) ] && [ "$g" -gt $((b + 40)) ] || fail "low-sigma atom not green: $r $g $b"
read -r r g b <<< "$(echo "$out" | sed -n 's/^pixel 81 64 = //p')"
[ "$r" -gt $((g + 60)) ] && [ "$b" -gt $((g + 60)) ] || fail "atom above the threshold not magenta: $r $g $b"
"$bin" render "$tmp/two.xyz" -o "$tmp/x.png" --color uncertainty 2>/dev/null && fail "uncertainty without sigma_F accepted"
# bad input is refused cleanly
"$bin" render "$tmp/two.xyz" -o "$tmp/x.png" --color rainbow 2>/dev/null && fail "bad colour accepted"
"$bin" render "$tmp/nope.xyz" -o "$tmp/x.png" 2>/dev/null && fail "missing file accepted"
[ -e "$tmp/x.png" ] && fail "a PNG appeared for bad input"
echo ok
