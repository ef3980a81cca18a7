#!/usr/bin/env bash
# presets/crystal-growth.cfg: structure kind "interface" builds a 3x3x3-cell rocksalt block under
# an equally thick GST liquid (two interfaces along z); npt-z keeps x and y fixed while z moves;
# the written settings.cfg reruns it; the workbench takes --set structure=interface.
set -u
cd "$(dirname "$0")/../.."
bin=${PCM_BIN:-build/pcmlab}
pot=assets/gst-fast.yace
[ -x "$bin" ] || { echo "no $bin"; exit 77; }
[ -f "$pot" ] || { echo "skip: no $pot"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

OMP_NUM_THREADS=2 "$bin" run presets/crystal-growth.cfg --headless --quiet --set potential=$pot \
    --set output.max_steps=200 --set output.thermo_every=50 --set output.xtal_every=50 -o "$tmp/r" \
    > "$tmp/log" 2>&1 || fail "run: $(tail -3 "$tmp/log")"
grep -q '^atoms: 3[0-9][0-9]$' "$tmp/r/summary.txt" || fail "atom count: $(grep atoms "$tmp/r/summary.txt")"
grep -q 'kind = "interface"' "$tmp/r/settings.cfg" || fail "settings.cfg lacks the interface kind"
grep -q 'ensemble = "npt-z"' "$tmp/r/settings.cfg" || fail "settings.cfg lacks npt-z"
# about half the cell starts crystalline (the block; the packing is not)
sed -n 2p "$tmp/r/thermo.csv" | awk -F, '{ printf "start: crystalline fraction %s\n", $9; exit !($9 > 0.4 && $9 < 0.6) }' \
    || fail "start fraction"
# x and y fixed at 3 a = 18.06 A, z (2 x 18.06 at the start) moved
lat() { head -2 "$1" | sed -n 's/.*Lattice="\([^"]*\)".*/\1/p'; }
read -r ax _ _ _ by _ _ _ cz <<< "$(lat "$tmp/r/final.extxyz")"
awk -v ax="$ax" -v by="$by" -v cz="$cz" 'BEGIN { printf "final cell %s %s %s\n", ax, by, cz;
    exit !(ax == 18.06 && by == 18.06 && (cz - 36.12 > 1e-3 || 36.12 - cz > 1e-3)) }' \
    || fail "npt-z: x, y must stay 18.06 A and z move"
# the written settings rerun the same start
OMP_NUM_THREADS=2 "$bin" run "$tmp/r/settings.cfg" --headless --quiet -o "$tmp/r2" > "$tmp/log2" 2>&1 \
    || fail "rerun: $(tail -3 "$tmp/log2")"
cmp -s "$tmp/r/thermo.csv" "$tmp/r2/thermo.csv" || fail "settings.cfg did not reproduce the run"
# a bad kind is refused with file:line
printf 'version = 1;\nstructure = { kind = "slab"; };\n' > "$tmp/bad.cfg"
msg=$("$bin" run "$tmp/bad.cfg" --headless -o "$tmp/b" 2>&1) && fail "kind slab accepted"
echo "$msg" | grep -q 'bad.cfg:2: .*expected "rocksalt", "liquid", "interface" or "file"' || fail "message: $msg"
echo ok
