#!/usr/bin/env bash
# PCM_GPU=1 without a usable GPU: `pcmlab gpu` says why (exit 1), `pcmlab eval` and
# `pcmlab run` print exactly one notice line and produce the same results as the CPU.
# On a machine with a working GPU the notice names it instead; then only the exit codes
# and the line count are checked.  Skips without ../shared.
set -u
bin=${PCM_BIN:-build/pcmlab}
[ -x "$bin" ] || { echo "no $bin"; exit 77; }
shared=${PCM_SHARED:-../shared}
[ -d "$shared/ace-reference" ] || shared=../../shared
ref="$shared/ace-reference"
[ -d "$ref/potentials" ] || { echo "no $ref"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pot="$ref/potentials/GeSbTe_synth_zbl.yace"

"$bin" gpu >"$tmp/gpu.out" 2>&1; gpu_rc=$?
cat "$tmp/gpu.out"

# run: one notice line on stderr, and (without a GPU) the CPU trajectory bit for bit
for g in 0 1; do
  PCM_GPU=$g "$bin" run presets/quick.cfg --headless --quiet --set potential="$pot" --set structure.cells=2 \
    --set output.max_steps=20 -o "$tmp/r$g" 2>"$tmp/run$g.err" || { cat "$tmp/run$g.err"; fail "run PCM_GPU=$g"; }
done
n=$(grep -c 'pcmlab: ' "$tmp/run1.err"); [ "$n" -eq 1 ] || { cat "$tmp/run1.err"; fail "$n notice lines, want 1"; }
grep -q 'pcmlab: ' "$tmp/run0.err" && fail "notice without PCM_GPU=1"
if [ $gpu_rc -ne 0 ]; then
  grep -q 'no usable GPU (.*), running on the CPU; MD steps on the CPU' "$tmp/run1.err" \
    || { cat "$tmp/run1.err"; fail "fallback notice"; }
  cmp -s "$tmp/r0/final.extxyz" "$tmp/r1/final.extxyz" || fail "fallback run differs from the CPU run"
else
  grep -q 'GPU: .*MD steps on the GPU' "$tmp/run1.err" || { cat "$tmp/run1.err"; fail "GPU notice"; }
fi
echo ok
