#!/usr/bin/env bash
# pcmlab dataset sample: MD with a potential, committee scoring, selection into a label queue.
# Identical committee members must score exactly 0; different ones must score > 0; frames
# carry config_id/kind/seed/step and the manifest has a line per frame; bad input is refused.
set -u
bin=${PCM_BIN:-build/pcmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
lj=lj:0.02,2.6,5.5
run() { "$bin" dataset sample --potential $lj --conditions rocksalt-300,gete-600 --steps 200 --every 20 \
        --pick 2 --seed 5 "$@"; }

out=$(run --committee $lj --committee $lj -o "$tmp/same.xyz" 2>&1) || fail "sample: $out"
echo "$out"
[ "$(grep -c '^Lattice' "$tmp/same.xyz")" = 4 ] || fail "expected 4 frames (2 conditions x pick 2)"
grep -o 'committee_sigma_F=[0-9.]*' "$tmp/same.xyz" | grep -qv '=0.00000$' && fail "identical committee, sigma != 0"

out=$(run --committee $lj --committee lj:0.022,2.65,5.5 --committee lj:0.018,2.55,5.5 -o "$tmp/q.xyz" --manifest "$tmp/m.tsv" 2>&1) \
  || fail "sample: $out"
echo "$out"
[ "$(grep -c '^Lattice' "$tmp/q.xyz")" = 4 ] || fail "expected 4 frames"
grep -o 'committee_sigma_F=[0-9.]*' "$tmp/q.xyz" | grep -q '=0.00000$' && fail "different committee, sigma == 0"
for k in config_id=alv1-rocksalt-300-r000-s kind=rocksalt-md kind=gete-md seed= temperature=600; do
  grep -q "$k" "$tmp/q.xyz" || fail "missing $k"
done
[ "$(grep -vc '^#' "$tmp/m.tsv")" = 4 ] || fail "manifest lines"
# the picked frames are the most uncertain of their run: sorted descending per condition
awk -F'\t' '!/^#/ {print $3, $8}' "$tmp/m.tsv" | awk '$1==p && $2>prev+1e-12 {bad=1} {p=$1; prev=$2} END{exit bad}' \
  || fail "picks not ordered by sigma"
# deterministic: the same command gives the same file
run --committee $lj --committee lj:0.022,2.65,5.5 --committee lj:0.018,2.55,5.5 -o "$tmp/q2.xyz" >/dev/null 2>&1
cmp -s "$tmp/q.xyz" "$tmp/q2.xyz" || fail "not reproducible"
# the queue is a valid label input
"$bin" eval $lj "$tmp/q.xyz" >/dev/null || fail "queue not readable"

# quench-300: melt at 1200 K, then a linear ramp to 300 K; frames carry the ramp's temperature
out=$("$bin" dataset sample --potential $lj --committee $lj --committee lj:0.022,2.65,5.5 --conditions quench-300 \
      --steps 200 --every 20 --pick 4 --seed 5 -o "$tmp/qq.xyz" 2>&1) || fail "quench sample: $out"
[ "$(grep -c 'kind=quench-md' "$tmp/qq.xyz")" = 4 ] || fail "expected 4 quench-md frames"
grep -q 'ramped from the melt' "$tmp/qq.xyz" || fail "quench source not recorded"
grep -o ' temperature=[0-9.]*' "$tmp/qq.xyz" | cut -d= -f2 | sort -u | \
  awk '$1 < 300 || $1 > 1200 {bad=1} {n++} END {exit bad || n < 2}' || fail "quench temperatures not on the ramp"
# anneal-npt-600: the second half runs at 1 bar, so the density moves; NVT frames keep theirs
"$bin" dataset sample --potential $lj --committee $lj --committee lj:0.022,2.65,5.5 --conditions anneal-npt-600,amorphous-600 \
  --steps 200 --every 20 --pick 3 --seed 5 -o "$tmp/np.xyz" --manifest "$tmp/np.tsv" >/dev/null 2>&1 || fail "npt sample"
[ "$(awk -F'\t' '$3=="anneal-npt-600" {print $10}' "$tmp/np.tsv" | sort -u | wc -l)" -ge 2 ] || fail "NPT density did not move"
[ "$(awk -F'\t' '$3=="amorphous-600" {print $10}' "$tmp/np.tsv" | sort -u | wc -l)" = 1 ] || fail "NVT density moved"
grep -q 'then NPT 1 bar' "$tmp/np.xyz" || fail "NPT source not recorded"
# quench-npt-300: the ramp itself runs at 1 bar: temperatures on the ramp and the density moves
"$bin" dataset sample --potential $lj --committee $lj --committee lj:0.022,2.65,5.5 --conditions quench-npt-300 \
  --steps 200 --every 20 --pick 4 --seed 5 -o "$tmp/qn.xyz" --manifest "$tmp/qn.tsv" >/dev/null 2>&1 || fail "npt quench sample"
[ "$(awk -F'\t' '$3=="quench-npt-300" {print $10}' "$tmp/qn.tsv" | sort -u | wc -l)" -ge 2 ] || fail "NPT quench density did not move"
[ "$(awk -F'\t' '$3=="quench-npt-300" {print $7}' "$tmp/qn.tsv" | sort -u | \
     awk '$1 < 300 || $1 > 1200 {bad=1} {n++} END {print (bad || n < 2) ? "bad" : "ok"}')" = ok ] \
  || fail "NPT quench temperatures not on the ramp"
grep -q 'the ramp in NPT at 1 bar' "$tmp/qn.xyz" || fail "NPT quench source not recorded"

msg=$("$bin" dataset sample --potential $lj --committee $lj -o "$tmp/x.xyz" 2>&1) && fail "1-member committee accepted"
echo "$msg" | grep -q "at least 2" || fail "message: $msg"
msg=$("$bin" dataset sample --potential $lj --committee $lj --committee $lj --conditions nope -o "$tmp/x.xyz" 2>&1) \
  && fail "unknown condition accepted"
echo "$msg" | grep -q "unknown condition 'nope'" || fail "message: $msg"
msg=$("$bin" dataset sample --potential "$tmp/missing.yace" --committee $lj --committee $lj -o "$tmp/x.xyz" 2>&1) \
  && fail "missing potential accepted"
echo "$msg" | grep -q "missing.yace" || fail "message: $msg"
# dataset generate: --rattle/--strain ranges and --tag; 0:0 gives the builder's crystal untouched
"$bin" dataset generate -o "$tmp/g.xyz" --manifest "$tmp/g.tsv" --rounds 2 --kinds gete --tag xt --rattle 0:0 \
  --strain 0:0 >/dev/null || fail "generate with ranges"
[ "$(grep -c 'config_id=xt-gete-r00' "$tmp/g.xyz")" = 2 ] || fail "tag not used"
grep -q 'rattle_A=0.0000 strain="0.00000 0.00000 0.00000 0.00000 0.00000 0.00000"' "$tmp/g.xyz" || fail "rattle/strain not zero"
"$bin" dataset generate -o "$tmp/g2.xyz" --rounds 1 --kinds gete >/dev/null
grep -q 'rattle_A=0.0000 ' "$tmp/g2.xyz" && fail "default rattle is zero"
msg=$("$bin" dataset generate -o "$tmp/g3.xyz" --rattle 0.2:0.1 2>&1) && fail "rattle HI < LO accepted"
echo "$msg" | grep -q "rattle LO:HI" || fail "message: $msg"
# off-stoichiometric liquids: liquid-FORMULA kinds and sample --composition (whole formula units near 60)
"$bin" dataset generate -o "$tmp/lq.xyz" --rounds 1 --kinds liquid-Sb2Te,liquid-GeTe4,liquid-Ge2Sb2Te5 --tag lq >/dev/null \
  || fail "generate liquid-FORMULA"
count() { awk -v id="$2" -v el="$3" '/^Lattice/ {on = index($0, "config_id=" id " ") > 0; next} on && $1 == el {n++} END {print n+0}' "$1"; }
[ "$(count "$tmp/lq.xyz" lq-liquid-Sb2Te-r000-k00 Sb) $(count "$tmp/lq.xyz" lq-liquid-Sb2Te-r000-k00 Te)" = "40 20" ] \
  || fail "liquid-Sb2Te: want Sb40 Te20"
[ "$(count "$tmp/lq.xyz" lq-liquid-GeTe4-r000-k01 Ge) $(count "$tmp/lq.xyz" lq-liquid-GeTe4-r000-k01 Te)" = "12 48" ] \
  || fail "liquid-GeTe4: want Ge12 Te48"
[ "$(count "$tmp/lq.xyz" lq-liquid-Ge2Sb2Te5-r000-k02 Te)" = 35 ] || fail "liquid-Ge2Sb2Te5: want 63 atoms"
msg=$("$bin" dataset generate -o "$tmp/x.xyz" --kinds liquid-Xx2 2>&1) && fail "bad formula accepted"
echo "$msg" | grep -q "'Xx' in 'Xx2' is not an element" || fail "message: $msg"
"$bin" dataset sample --potential $lj --committee $lj --committee lj:0.022,2.65,5.5 --conditions liquid-1200,amorphous-300 \
  --composition Sb --steps 200 --every 20 --pick 1 --seed 5 --tag cs -o "$tmp/cs.xyz" >/dev/null 2>&1 || fail "sample --composition"
[ "$(grep -c '^Lattice.*config_id=cs-liquid-1200-Sb-r000-s' "$tmp/cs.xyz")" = 1 ] || fail "--composition: frame ids"
awk '/^Lattice/ {next} NF == 4 && $1 != "Sb" {bad=1} END {exit bad}' "$tmp/cs.xyz" || fail "--composition Sb: other elements"
grep -q 'build_liquid(60,rho=[0-9.]*,Sb,' "$tmp/cs.xyz" || fail "--composition: builder not recorded"
msg=$("$bin" dataset sample --potential $lj --committee $lj --committee $lj --conditions gete-600 --composition Sb \
      -o "$tmp/x.xyz" 2>&1) && fail "--composition with a crystal condition accepted"
echo "$msg" | grep -q "'gete-600' starts from gete" || fail "message: $msg"
# dataset carve: periodic cubes cut around the most Ge-bonded Ge atoms of a big cell
"$bin" build liquid --atoms 400 --density 6.0 --seed 3 -o "$tmp/big.xyz" >/dev/null || fail "build big"
out=$("$bin" dataset carve "$tmp/big.xyz" -o "$tmp/cv.xyz" --manifest "$tmp/cv.tsv" --box 10 --count 3 --tag cv 2>&1) \
  || fail "carve: $out"
echo "$out"
[ "$(grep -c 'Lattice="10 0 0 0 10 0 0 0 10"' "$tmp/cv.xyz")" = 3 ] || fail "carve: want 3 cubes of 10 A"
[ "$(grep -vc '^#' "$tmp/cv.tsv")" = 3 ] || fail "carve manifest lines"
grep -q 'config_id=cv-Ge[0-9]*-k00 kind=carved' "$tmp/cv.xyz" || fail "carve ids/kind"
# about density x volume atoms per cube (6.0 g/cm3 GST: 0.0327 atoms/A^3 -> ~33 in 1000 A^3)
awk -F'\t' '!/^#/ && ($7 < 20 || $7 > 45) {bad=1} END{exit bad}' "$tmp/cv.tsv" || fail "carved atom counts off"
# the centres are sorted by their Ge-Ge bonds (descending)
awk -F'\t' '!/^#/ {if (n++ && $5 > p) bad=1; p=$5} END{exit bad}' "$tmp/cv.tsv" || fail "centres not by Ge neighbours"
"$bin" eval lj:0.02,2.6,5.5 "$tmp/cv.xyz" >/dev/null || fail "carved cells not readable"
msg=$("$bin" dataset carve "$tmp/big.xyz" -o "$tmp/x.xyz" --box 40 2>&1) && fail "box larger than the cell accepted"
echo "$msg" | grep -q "smaller than --box 40" || fail "message: $msg"
echo "dataset sample OK"
