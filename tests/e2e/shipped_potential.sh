#!/usr/bin/env bash
# The shipped GST potentials (assets/gst.yace and assets/gst-fast.yace) are the files
# assets/README.md describes.  For each:
# 1. on the N DFT labels it was fitted to (the first N of assets/dft/gst-dft-k222.extxyz, N as
#    its fit report assets/<name>-fit/report.txt says) every frame's energy is the one its fit
#    report predicted (parity_energy.dat, to 1e-6 eV/atom: the file is the fit described), the
#    energies agree with DFT (overall RMSE bound 20 meV/atom; the shipped fits give 9.6 and 12.5)
#    and no frame is off by more than 60 meV/atom (the shipped fits' worst: 36 and 32);
# 2. rocksalt GST at 600 K (194 atoms, NVT, 0.2 ps) stays crystalline and conserves energy.
# A potential whose file, data or report is absent is skipped (a checkout without assets).
set -u
cd "$(dirname "$0")/../.."
bin=${PCM_BIN:-build/pcmlab}
data=assets/dft/gst-dft-k222.extxyz
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

check() {   # check NAME: assets/NAME.yace with assets/NAME-fit/report.txt
  local pot=assets/$1.yace rep=assets/$1-fit/report.txt
  [ -f "$pot" ] && [ -f "$data" ] && [ -f "$rep" ] || { echo "skip: $pot, $data or $rep absent"; return 77; }
  # the first N frames, as the fit used them (--first N)
  local N
  N=$(sed -n 's/.*(the first \([0-9]*\) configurations).*/\1/p' "$rep")
  [ -n "$N" ] && [ "$N" -gt 0 ] || fail "$rep does not say which frames the fit used"
  awk -v N="$N" 'n == 0 { if (f == N) exit; n = $1 + 2; f++ } { print; n-- }' "$data" > "$tmp/dN.xyz"
  [ "$(grep -c 'Lattice=' "$tmp/dN.xyz")" = "$N" ] || fail "could not take $N frames of $data"
  grep -o ' energy=[-0-9.e+]*' "$tmp/dN.xyz" | cut -d= -f2 > "$tmp/dft.txt"
  "$bin" eval "$pot" "$tmp/dN.xyz" > "$tmp/eval.txt" 2>&1 || fail "eval $pot: $(tail -2 "$tmp/eval.txt")"
  grep '^frame' "$tmp/eval.txt" | sed 's/.*N = \([0-9]*\)  energy = \([-0-9.e+]*\) eV.*/\1 \2/' > "$tmp/model.txt"
  [ "$(wc -l < "$tmp/model.txt")" = "$N" ] || fail "eval gave $(wc -l < "$tmp/model.txt") frames"
  local par=assets/$1-fit/parity_energy.dat
  [ -f "$par" ] && [ "$(wc -l < "$par")" = "$N" ] || fail "$par absent or not $N frames"
  paste "$tmp/model.txt" "$tmp/dft.txt" "$par" | awk -v N="$N" -v P="$pot" '
    { d = ($2 - $3) / $1 * 1000; s += d * d; if (d < 0) d = -d; if (d > m) m = d; n++
      q = $2 / $1 - $6; if (q < 0) q = -q; if (q > mq) mq = q }
    END { r = sqrt(s / n)
          printf "%s: energy vs DFT on %d frames: RMSE %.2f meV/atom, max %.1f meV/atom; vs its fit report: max %.2g eV/atom\n", P, n, r, m, mq
          exit !(n == N && r < 20 && m < 60 && mq < 1e-6) }' || fail "$pot: energies do not match the fit report"

  # a short crystal hold: stays rocksalt, energy conserved
  OMP_NUM_THREADS=2 "$bin" run presets/quick.cfg --headless --quiet -o "$tmp/run-$1" --set structure.cells=3 \
    --set potential="$pot" > "$tmp/run.log" 2>&1 || fail "run: $(tail -3 "$tmp/run.log")"
  grep -q "^potential: $pot" "$tmp/run-$1/summary.txt" || fail "the run did not use $pot"
  grep -q '^atoms: 194' "$tmp/run-$1/summary.txt" || fail "not 194 atoms"
  tail -1 "$tmp/run-$1/thermo.csv" | awk -F, -v P="$pot" '{ printf "%s: after %s ps at %s K: crystalline fraction %s\n", P, $2, $3, $9; exit !($9 > 0.8) }' \
    || fail "$pot: the crystal was not kept"
  awk '/^conserved-energy drift/ { d = $7; if (d < 0) d = -d; exit !(d < 1e-4) }' "$tmp/run-$1/summary.txt" \
    || fail "$pot: energy not conserved: $(grep drift "$tmp/run-$1/summary.txt")"
}

ran=0
for name in gst gst-fast; do
  check "$name" && ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "SKIP: no shipped potential with its data and fit report"; exit 77; }
echo ok
