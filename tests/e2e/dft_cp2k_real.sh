#!/usr/bin/env bash
# One real CP2K label of a 2-atom triclinic GeTe cell at a low cutoff (skipped when
# cp2k.psmp is not installed).  The fixture gete2-converged.out is the output of this
# very run: the energy must agree and Newton's third law must hold.
set -eu
command -v cp2k.psmp >/dev/null || { echo "cp2k.psmp not installed: skip"; exit 77; }
BIN=$(realpath "${PCM_BIN:-build/pcmlab}")
FIX=$(realpath tests/fixtures/cp2k)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"
timeout 120 "$BIN" label "$FIX/gete2.extxyz" -o out.extxyz --settings "$FIX/tiny.cfg"
grep -q 'dft_scf_steps=' out.extxyz
e_ref=$(awk '/ENERGY\| Total FORCE_EVAL/{printf "%.8f", $NF * 27.211386245988}' "$FIX/gete2-converged.out")
awk -v eref="$e_ref" 'NR==2{for(i=1;i<=NF;i++) if($i ~ /^energy=/){split($i,a,"="); e=a[2]}}
  NR==3{fx=$5; fy=$6; fz=$7} NR==4{gx=$5; gy=$6; gz=$7}
  END{ d=e-eref; if (d<0) d=-d; s=(fx+gx)^2+(fy+gy)^2+(fz+gz)^2;
       printf "E %.6f eV (fixture %.6f), F1 %.4f %.4f %.4f\n", e, eref, fx, fy, fz;
       if (d > 1e-4 || s > 1e-3 || fx*fx+fy*fy+fz*fz < 1e-4) exit 1 }' out.extxyz
echo ok
