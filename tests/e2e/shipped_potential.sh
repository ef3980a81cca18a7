#!/usr/bin/env bash
# The shipped GST potential (assets/gst.yace) is the file assets/README.md describes:
# 1. on the N DFT labels it was fitted to (the first N of assets/dft/gst-dft-k222.extxyz, N as
#    its fit report assets/gst-fit/report.txt says) its energies agree with DFT as the fit
#    report says (overall RMSE ~11-13 meV/atom; bound 20), and no frame is off by more than
#    60 meV/atom;
# 2. rocksalt GST at 600 K (194 atoms, NVT, 0.2 ps) stays crystalline and conserves energy.
# Skips when the potential or the data are absent (a checkout without assets).
set -u
cd "$(dirname "$0")/../.."
bin=${PCM_BIN:-build/pcmlab}
pot=assets/gst.yace
data=assets/dft/gst-dft-k222.extxyz
rep=assets/gst-fit/report.txt
[ -f "$pot" ] && [ -f "$data" ] && [ -f "$rep" ] || { echo "SKIP: $pot, $data or $rep absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# the first N frames, as the fit used them (--first N)
N=$(sed -n 's/.*(the first \([0-9]*\) configurations).*/\1/p' "$rep")
[ -n "$N" ] && [ "$N" -gt 0 ] || fail "$rep does not say which frames the fit used"
awk -v N="$N" 'n == 0 { if (f == N) exit; n = $1 + 2; f++ } { print; n-- }' "$data" > "$tmp/dN.xyz"
[ "$(grep -c 'Lattice=' "$tmp/dN.xyz")" = "$N" ] || fail "could not take $N frames of $data"
grep -o ' energy=[-0-9.e+]*' "$tmp/dN.xyz" | cut -d= -f2 > "$tmp/dft.txt"
"$bin" eval "$pot" "$tmp/dN.xyz" > "$tmp/eval.txt" 2>&1 || fail "eval: $(tail -2 "$tmp/eval.txt")"
grep '^frame' "$tmp/eval.txt" | sed 's/.*N = \([0-9]*\)  energy = \([-0-9.e+]*\) eV.*/\1 \2/' > "$tmp/model.txt"
[ "$(wc -l < "$tmp/model.txt")" = "$N" ] || fail "eval gave $(wc -l < "$tmp/model.txt") frames"
paste "$tmp/model.txt" "$tmp/dft.txt" | awk -v N="$N" '
  { d = ($2 - $3) / $1 * 1000; s += d * d; if (d < 0) d = -d; if (d > m) m = d; n++ }
  END { r = sqrt(s / n); printf "energy vs DFT on %d frames: RMSE %.2f meV/atom, max %.1f meV/atom\n", n, r, m
        exit !(n == N && r < 20 && m < 60) }' || fail "energies do not match the fit report"

# a short crystal hold: stays rocksalt, energy conserved
OMP_NUM_THREADS=2 "$bin" run presets/quick.cfg --headless --quiet -o "$tmp/run" --set structure.cells=3 \
  > "$tmp/run.log" 2>&1 || fail "run: $(tail -3 "$tmp/run.log")"
grep -q '^potential: assets/gst.yace' "$tmp/run/summary.txt" || fail "the run did not use $pot"
grep -q '^atoms: 194' "$tmp/run/summary.txt" || fail "not 194 atoms"
tail -1 "$tmp/run/thermo.csv" | awk -F, '{ printf "after %s ps at %s K: crystalline fraction %s\n", $2, $3, $9; exit !($9 > 0.8) }' \
  || fail "the crystal was not kept"
awk '/^conserved-energy drift/ { d = $7; if (d < 0) d = -d; exit !(d < 1e-4) }' "$tmp/run/summary.txt" \
  || fail "energy not conserved: $(grep drift "$tmp/run/summary.txt")"
echo ok
