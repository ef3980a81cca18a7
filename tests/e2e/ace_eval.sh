#!/usr/bin/env bash
# pcmlab eval with ACE potentials: output passes the reference set's own checker
# (compare_ref.py --tier spline) for a few cases; bad potential files fail cleanly.
# Skips (77) without ../shared/ace-reference or python3.
set -u
bin=${PCM_BIN:-build/pcmlab}
ref=${PCM_SHARED:-../shared}/ace-reference
[ -d "$ref" ] || exit 77
command -v python3 >/dev/null || exit 77
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for pc in GeSbTe_synth_zbl_1200:gst_liquid_96_triclinic GeSbTe_synth_diffndens_zbl:gst_close_pairs_48 \
          GeSbTe_synth_sbessel_l4_distance:gst_tiny_ortho_6 Cu-PBE-core-rep:cu_fcc256_lammps; do
  pot=${pc%%:*}; cfg=${pc##*:}
  "$bin" eval "$ref/potentials/$pot.yace" "$ref/configs/$cfg.xyz" -o "$tmp/$cfg.xyz" >/dev/null || fail "eval $pot $cfg"
  python3 "$ref/tools/compare_ref.py" "$ref/reference/$pot/$cfg.xyz" "$tmp/$cfg.xyz" --tier spline || fail "$pot/$cfg"
done

# truncated potential: non-zero exit, file:line message, no output file
head -c 2000 "$ref/potentials/GeSbTe_synth_zbl.yace" > "$tmp/trunc.yace"
msg=$("$bin" eval "$tmp/trunc.yace" "$ref/configs/gete_dimer.xyz" -o "$tmp/bad.xyz" 2>&1) && fail "truncated potential accepted"
echo "$msg" | grep -q "trunc.yace:[0-9]*:" || fail "no file:line in: $msg"
[ -e "$tmp/bad.xyz" ] && fail "partial output left behind"
# species missing from the potential
msg=$("$bin" eval "$ref/potentials/GeSbTe_synth_zbl.yace" "$ref/configs/cu_prim_1_triclinic.xyz" 2>&1) && fail "Cu accepted"
echo "$msg" | grep -q "Cu not in potential (elements: Ge Sb Te)" || fail "message: $msg"
echo ok
