#!/usr/bin/env bash
# Speed of the structural analysis (called by `make bench` via tests/bench.sh, or alone):
#   bash tests/bench_analysis.sh [BUILD_DIR]
# Prints xtal_compute time per call (own neighbour list included) for GST rocksalt
# of about 10^4 and 10^5 atoms on 1 and 2 threads, and S(q)/RDF wall times.
set -eu
build=${1:-build}
bin="$build/pcmlab"
[ -x "$bin" ] || { echo "bench_analysis: build $bin first"; exit 1; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
"$bin" build rocksalt --cells 12 -o "$d/c12.extxyz" >/dev/null
"$bin" build rocksalt --cells 24 -o "$d/c24.extxyz" >/dev/null
"$bin" build liquid --atoms 10000 -o "$d/liq.extxyz" >/dev/null
for f in c12 liq c24; do
  for t in 1 2; do
    OMP_NUM_THREADS=$t "$bin" analyze crystallinity "$d/$f.extxyz" --repeat 5 | sed -n "s/^frame 1: /$f: /p"
  done
done
t0=$(date +%s.%N); "$bin" analyze sq "$d/c12.extxyz" --qmax 6 >/dev/null; t1=$(date +%s.%N)
echo "S(q), 12442 atoms, all vectors to 6 1/A: $(echo "$t1 - $t0" | bc) s"
t0=$(date +%s.%N); "$bin" analyze rdf "$d/liq.extxyz" --rmax 10 >/dev/null; t1=$(date +%s.%N)
echo "g(r), 10000 atoms, r_max 10 A: $(echo "$t1 - $t0" | bc) s"
