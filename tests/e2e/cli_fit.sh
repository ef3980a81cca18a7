#!/usr/bin/env bash
# pcmlab fit: a small fit to Lennard-Jones labels writes a .yace the evaluator reads, a report
# with train/test RMSE per kind and parity plots; bad input is refused with file:line.
set -u
bin=${PCM_BIN:-build/pcmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for s in 1 2 3 4 5; do
  "$bin" build liquid --atoms 40 --density 5.9 --min-dist 2.5 --seed $s -o "$tmp/l$s.xyz" >/dev/null || fail build
done
cat "$tmp"/l?.xyz | sed 's/^Lattice/kind=liquid Lattice/' > "$tmp/liq.xyz"
"$bin" build rocksalt --cells 2 --seed 4 -o "$tmp/rs.xyz" >/dev/null || fail build
sed 's/^Lattice/kind=crystal Lattice/' "$tmp/rs.xyz" > "$tmp/xt.xyz"
"$bin" eval lj:0.02,2.6,5.5 "$tmp/liq.xyz" -o "$tmp/liq_lab.xyz" >/dev/null || fail label
"$bin" eval lj:0.02,2.6,5.5 "$tmp/xt.xyz" -o "$tmp/xt_lab.xyz" >/dev/null || fail label

cat > "$tmp/b.cfg" <<'CFG'
version = 1;
elements = ["Ge", "Sb", "Te"];
radial = { rcut = 5.5; lambda = 5.25; nradbase = 6; };
ranks = { nrad = [6, 2]; lmax = [0, 1]; };
CFG
out=$("$bin" fit "$tmp/liq_lab.xyz" "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" -o "$tmp/pot.yace" \
      --test-fraction 0.2 --seed 3 --report "$tmp/rep" --committee 2 2>&1) || fail "fit: $out"
echo "$out"
echo "$out" | grep -q "test  all" || fail "no test errors"
echo "$out" | grep -q "train liquid" || fail "no per-kind errors"
for f in report.txt errors.csv parity_energy.png parity_forces.png; do
  [ -s "$tmp/rep/$f" ] || fail "missing report file $f"
done
# every report file is written under a temporary name and renamed: none may be left over
[ -z "$(ls "$tmp/rep" | grep '\.tmp')" ] || fail "temporary files left in the report: $(ls "$tmp/rep")"
[ -s "$tmp/pot.c0.yace" ] && [ -s "$tmp/pot.c1.yace" ] || fail "committee members missing"
head -1 "$tmp/rep/errors.csv" | grep -q rmse_f_meV_per_A || fail "csv header"
# the written potential is read by the evaluator; train force RMSE on LJ is modest
"$bin" eval "$tmp/pot.yace" "$tmp/xt_lab.xyz" >/dev/null || fail "written .yace not readable"
rmse=$(awk -F, '$1=="train" && $2=="all" {print $6}' "$tmp/rep/errors.csv")
awk -v r="$rmse" 'BEGIN{exit !(r > 0 && r < 200)}' || fail "train force RMSE $rmse meV/A"

# --force-scale reweights atoms by their force: it must change the solution and be reported
out2=$("$bin" fit "$tmp/liq_lab.xyz" "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" -o "$tmp/pot2.yace" \
      --test-fraction 0.2 --seed 3 --force-scale 0.05 --report "$tmp/rep2" 2>&1) || fail "fit --force-scale: $out2"
echo "$out2" | grep -q "force scale 0.05" || fail "force scale not reported"
rmse2=$(awk -F, '$1=="train" && $2=="all" {print $6}' "$tmp/rep2/errors.csv")
awk -v a="$rmse" -v b="$rmse2" 'BEGIN{exit !(b != a)}' || fail "force scale had no effect ($rmse vs $rmse2)"
msg=$("$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/b.cfg" --force-scale -1 -o "$tmp/x.yace" 2>&1) && fail "negative force scale accepted"
echo "$msg" | grep -q "force-scale must be" || fail "message: $msg"

# the basis file's fit group sets the solver options; the command line wins
sed 's/^ranks/fit = { force_scale = 0.05; ridge = 1e-6; };\nranks/' "$tmp/b.cfg" > "$tmp/bf.cfg"
out3=$("$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/bf.cfg" -o "$tmp/pot3.yace" 2>&1) || fail "fit with fit group: $out3"
echo "$out3" | grep -q "ridge 1e-06, stress weight 0, force scale 0.05" || fail "fit group not applied: $out3"
out3=$("$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/bf.cfg" --force-scale 0 -o "$tmp/pot3.yace" 2>&1) || fail "$out3"
echo "$out3" | grep -q "force scale 0$" || fail "command line did not win: $out3"
printf 'version = 1;\nradial = { nradbase = 6; };\nfit = {\n  kapa = 0.3;\n};\n' > "$tmp/bk.cfg"
msg=$("$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/bk.cfg" -o "$tmp/x.yace" 2>&1) && fail "unknown fit key accepted"
echo "$msg" | grep -q "bk.cfg:4: unknown fit setting 'kapa'" || fail "message: $msg"

# --weight KIND=0 removes a kind from the loss: the same fit as without its file
"$bin" fit "$tmp/liq_lab.xyz" "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" --test-fraction 0 --weight liquid=0 \
  -o "$tmp/w0.yace" > "$tmp/w0.log" 2>&1 || fail "fit --weight: $(cat "$tmp/w0.log")"
grep -q "kind weights liquid=0" "$tmp/w0.log" || fail "kind weights not reported"
"$bin" fit "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" --test-fraction 0 -o "$tmp/xo.yace" >/dev/null 2>&1 || fail "fit crystal"
ew=$("$bin" eval "$tmp/w0.yace" "$tmp/liq.xyz" | awk '/energy =/ {print $6; exit}')
eo=$("$bin" eval "$tmp/xo.yace" "$tmp/liq.xyz" | awk '/energy =/ {print $6; exit}')
awk -v a="$ew" -v b="$eo" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(a != "" && d < 1e-6)}' || fail "weight 0 differs: $ew vs $eo"
# a frame's weight= info key must be a number
sed '2s/^/weight=abc /' "$tmp/xt_lab.xyz" > "$tmp/badw.xyz"
msg=$("$bin" fit "$tmp/badw.xyz" --basis "$tmp/b.cfg" -o "$tmp/x.yace" 2>&1) && fail "bad weight accepted"
echo "$msg" | grep -q "badw.xyz.*weight='abc'" || fail "message: $msg"
msg=$("$bin" fit "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" --weight liquid -o "$tmp/x.yace" 2>&1) && fail "--weight liquid accepted"
echo "$msg" | grep -q "KIND=W" || fail "message: $msg"

# --weights FILE (config_id W): weighting the five liquids 0 by id is the liquid=0 fit above;
# an id the data lack, a weight twice or a bad weight is refused with file:line
awk '/^Lattice=/ { n++; $0 = "config_id=liq" n " " $0 } { print }' "$tmp/liq_lab.xyz" > "$tmp/liq_id.xyz"
printf '# the liquids out\nliq1 0\nliq2\t0\nliq3 0  # comment\n\nliq4 0\nliq5 0\n' > "$tmp/w.tsv"
"$bin" fit "$tmp/liq_id.xyz" "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" --test-fraction 0 --weights "$tmp/w.tsv" \
  -o "$tmp/wf.yace" --report "$tmp/rwf" > "$tmp/wf.log" 2>&1 || fail "fit --weights: $(cat "$tmp/wf.log")"
grep -q "weights of 5 configurations from .*w.tsv" "$tmp/rwf/report.txt" || fail "--weights not in the report"
ef=$("$bin" eval "$tmp/wf.yace" "$tmp/liq.xyz" | awk '/energy =/ {print $6; exit}')
awk -v a="$ef" -v b="$eo" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(a != "" && d < 1e-6)}' || fail "--weights 0 differs: $ef vs $eo"
printf 'liq1 0.5\nliq9 2\n' > "$tmp/w2.tsv"
msg=$("$bin" fit "$tmp/liq_id.xyz" --basis "$tmp/b.cfg" --weights "$tmp/w2.tsv" -o "$tmp/x.yace" 2>&1) && fail "unknown id accepted"
echo "$msg" | grep -q "w2.tsv:2: no configuration with config_id 'liq9'" || fail "message: $msg"
printf 'liq1 0.5\nliq1 2\n' > "$tmp/w3.tsv"
msg=$("$bin" fit "$tmp/liq_id.xyz" --basis "$tmp/b.cfg" --weights "$tmp/w3.tsv" -o "$tmp/x.yace" 2>&1) && fail "double weight accepted"
echo "$msg" | grep -q "w3.tsv:2: config_id 'liq1' is weighted twice (first on line 1)" || fail "message: $msg"
printf 'liq1 -1\n' > "$tmp/w4.tsv"
msg=$("$bin" fit "$tmp/liq_id.xyz" --basis "$tmp/b.cfg" --weights "$tmp/w4.tsv" -o "$tmp/x.yace" 2>&1) && fail "negative weight accepted"
echo "$msg" | grep -q "w4.tsv:1: expected 'config_id weight \[energy_weight\]' with weights >= 0" || fail "message: $msg"
printf 'liq1 1 -2\n' > "$tmp/w5.tsv"
msg=$("$bin" fit "$tmp/liq_id.xyz" --basis "$tmp/b.cfg" --weights "$tmp/w5.tsv" -o "$tmp/x.yace" 2>&1) && fail "negative energy weight accepted"
echo "$msg" | grep -q "w5.tsv:1: expected 'config_id weight \[energy_weight\]'" || fail "message: $msg"
# the optional third column weights the energy term only: 1 changes nothing (byte-identical
# potential), 50 on the liquids fits their energies closer and their forces no closer
"$bin" fit "$tmp/liq_id.xyz" "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" --test-fraction 0 -o "$tmp/e0.yace" \
  --report "$tmp/re0" >/dev/null 2>&1 || fail "fit without weights"
printf 'liq%d 1 1\n' 1 2 3 4 5 > "$tmp/we1.tsv"
"$bin" fit "$tmp/liq_id.xyz" "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" --test-fraction 0 --weights "$tmp/we1.tsv" \
  -o "$tmp/e1.yace" >/dev/null 2>&1 || fail "fit with energy weight 1"
cmp -s "$tmp/e0.yace" "$tmp/e1.yace" || fail "energy weight 1 changed the fit"
printf 'liq%d 1 50\n' 1 2 3 4 5 > "$tmp/we50.tsv"
"$bin" fit "$tmp/liq_id.xyz" "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" --test-fraction 0 --weights "$tmp/we50.tsv" \
  -o "$tmp/e50.yace" --report "$tmp/re50" >/dev/null 2>&1 || fail "fit with energy weight 50"
col() { awk -F, -v c="$2" '$1=="train" && $2=="liquid" {print $c}' "$1/errors.csv"; }
awk -v a="$(col "$tmp/re0" 5)" -v b="$(col "$tmp/re50" 5)" 'BEGIN{exit !(a > 0 && b < 0.5 * a)}' \
  || fail "energy weight 50: liquid energy RMSE $(col "$tmp/re0" 5) -> $(col "$tmp/re50" 5)"
awk -v a="$(col "$tmp/re0" 6)" -v b="$(col "$tmp/re50" 6)" 'BEGIN{exit !(b >= a - 1e-9)}' \
  || fail "energy weight 50 lowered the force RMSE: $(col "$tmp/re0" 6) -> $(col "$tmp/re50" 6)"
[ -e "$tmp/x.yace" ] && fail "output written on error"

# --first N: a fit to the first N frames equals a fit to a file of those frames (data files grow)
"$bin" fit "$tmp/liq_lab.xyz" "$tmp/xt_lab.xyz" --basis "$tmp/b.cfg" --test-fraction 0 --first 5 -o "$tmp/f5.yace" \
  --report "$tmp/rf5" > "$tmp/f5.log" 2>&1 || fail "fit --first: $(cat "$tmp/f5.log")"
grep -q "using the first 5 of 6 configurations" "$tmp/f5.log" || fail "--first not reported"
grep -q "(the first 5 configurations)" "$tmp/rf5/report.txt" || fail "--first not in the report"
"$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/b.cfg" --test-fraction 0 -o "$tmp/l5.yace" >/dev/null 2>&1 || fail "fit liquid"
e5=$("$bin" eval "$tmp/f5.yace" "$tmp/xt.xyz" | awk '/energy =/ {print $6; exit}')
el=$("$bin" eval "$tmp/l5.yace" "$tmp/xt.xyz" | awk '/energy =/ {print $6; exit}')
[ -n "$e5" ] && [ "$e5" = "$el" ] || fail "--first 5 differs from the 5-frame file: $e5 vs $el"
msg=$("$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/b.cfg" --first 9 -o "$tmp/x.yace" 2>&1) && fail "--first 9 of 5 accepted"
echo "$msg" | grep -q "hold only 5 configurations" || fail "message: $msg"

# bad input
msg=$("$bin" fit "$tmp/liq_lab.xyz" -o "$tmp/x.yace" 2>&1) && fail "fit without --basis accepted"
printf 'version = 1;\nranks = { nrad = [4, 9]; lmax = [0, 2]; };\n' > "$tmp/bad.cfg"
msg=$("$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/bad.cfg" -o "$tmp/x.yace" 2>&1) && fail "bad basis accepted"
echo "$msg" | grep -q "exceeds nradbase" || fail "message: $msg"
msg=$("$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/b.cfg" --kappa 2 -o "$tmp/x.yace" 2>&1) && fail "kappa 2 accepted"
[ -e "$tmp/x.yace" ] && fail "output written on error"
# ML-PACE reads only *.yace: another name is refused before any work
msg=$("$bin" fit "$tmp/liq_lab.xyz" --basis "$tmp/b.cfg" -o "$tmp/pot.txt" 2>&1) && fail "-o pot.txt accepted"
echo "$msg" | grep -q "must end in .yace" || fail "message: $msg"
[ -e "$tmp/pot.txt" ] && fail "pot.txt written"

# B-basis conversion (needs the reference data)
ref=${PCM_SHARED:-../shared}/ace-reference/potentials/bbasis_yaml/GeSbTe_synth_linear_zbl.yaml
if [ -f "$ref" ]; then
  "$bin" fit --bbasis "$ref" -o "$tmp/conv.yace" | grep -q "C-tilde functions" || fail "conversion"
  "$bin" eval "$tmp/conv.yace" "$tmp/xt.xyz" >/dev/null || fail "converted .yace not readable"
fi
echo ok
