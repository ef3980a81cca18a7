#!/usr/bin/env bash
# bench.sh - speed of the ACE evaluator (`make bench` runs `bash tests/bench.sh build`).
# For GeSbTe_synth_zbl_1200 on GST rocksalt and Cu-PBE-core-rep on fcc Cu at about 200,
# 1000 and 4000 atoms, on 1 and 2 threads: µs per atom-step (energy + forces + virial,
# neighbour list built outside the timing), neighbours per atom, memory per atom, and
# ML-PACE's one-thread CPU figures from ../shared/ace-reference/timing/timings.csv.
# Starts with the structural analysis timings (tests/bench_analysis.sh); the ACE part
# skips (exit 0) when ../shared is absent.  BENCH_MIN_TIME sets seconds per case (2).
set -u
build=${1:-build}
shared=${PCM_SHARED:-../shared}
[ -d "$shared/ace-reference" ] || shared=../../shared
ref="$shared/ace-reference"
# Structural analysis speed (needs nothing from ../shared): tests/bench_analysis.sh
echo "Structural analysis speed (tests/bench_analysis.sh)"
bash "$(dirname "$0")/bench_analysis.sh" "$build" || { echo "bench: bench_analysis.sh failed"; exit 1; }
echo
if [ ! -d "$ref/timing/configs" ]; then
  echo "bench: $ref not found, skipping the ACE benchmark"
  exit 0
fi
bin="$build/bench_ace"
[ -x "$bin" ] || { echo "bench: $bin missing (make $bin)"; exit 1; }
mint=${BENCH_MIN_TIME:-2}
csv="$ref/timing/timings.csv"

mlpace() { # potential config evaluator -> cpu µs/atom-step
  awk -F, -v p="$1" -v c="$2" -v e="$3" '$1==p && $2==c && $4==e {print $12}' "$csv"
}

echo "ACE evaluator speed ($(nproc) cores, $(uptime | sed 's/.*load average/load average/'))"
echo "µs/atom-step: median wall, min wall, median process CPU (all threads); mem: KiB/atom (neighbour list, evaluator)"
printf '%-28s %-22s %6s %3s  %9s %9s %9s  %6s  %7s %7s  %9s  %6s  %9s\n' potential config atoms thr \
  wall_med wall_min cpu_med nbrs nl_KiB ev_KiB ML-PACE:rec speed ML-PACE:prod
for spec in "GeSbTe_synth_zbl_1200 gst_rocksalt_194 gst_rocksalt_970 gst_rocksalt_3880" \
            "Cu-PBE-core-rep cu_fcc_200 cu_fcc_1000 cu_fcc_4000"; do
  set -- $spec
  pot=$1; shift
  for cfg in "$@"; do
    rec=$(mlpace "$pot.yace" "$cfg.xyz" recursive)
    prod=$(mlpace "$pot.yace" "$cfg.xyz" product)
    for thr in 1 2; do
      line=$("$bin" "$ref/potentials/$pot.yace" "$ref/timing/configs/$cfg.xyz" --threads $thr \
             --min-time "$mint" --ref "${rec:-0}") || { echo "bench: $pot/$cfg failed"; exit 1; }
      printf '%s  %9s\n' "$line" "${prod:--}"
    done
  done
done
echo "speed = ML-PACE recursive CPU µs / pcmlab CPU µs, one thread (ML-PACE figures: TIMINGS.md, partly loaded machine)"

# The shipped GST potentials (gst.yace: the presets; gst-fast.yace: the workbench's default),
# on the same rocksalt GST configurations
for pot in assets/gst.yace assets/gst-fast.yace; do
  [ -f "$pot" ] || continue
  echo "Shipped potential $pot (no ML-PACE figure exists for it)"
  for cfg in gst_rocksalt_194 gst_rocksalt_970; do
    for thr in 1 2; do
      "$bin" "$pot" "$ref/timing/configs/$cfg.xyz" --threads $thr --min-time "$mint" --ref 0 \
        || { echo "bench: $pot/$cfg failed"; exit 1; }
    done
  done
done

# GPU (CUDA backend): µs/atom-step at about 10³..10⁶ atoms of rocksalt GST, or the reason
# there is none.  Target on an H100: <= 0.3 µs/atom-step at 10⁵ atoms.
if [ -x "$build/bench_gpu" ]; then
  "$build/bench_gpu" "$ref/potentials/GeSbTe_synth_zbl_1200.yace" --min-time "$mint" || echo "bench: GPU benchmark failed"
else
  echo "GPU: none (bench_gpu not built)"
fi
