#!/usr/bin/env bash
# pcmlab run with an uncertainty committee: thermo.csv gains sigma_F_max,sigma_F and every
# extxyz frame a per-atom sigma_F column, finite and > 0 for differing members, exactly 0 for
# identical ones; settings.cfg reruns identically; a low threshold warns; bad committees stop
# with file:line before any output; without a committee the files are as before.  The
# uncertainty colour mode draws other pixels than the element mode (SDL offscreen).
set -u
cd "$(dirname "$0")/../.."
bin=${PCM_BIN:-build/pcmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
A=assets/dft/active-learning
[ -f "$A/al4.c1.yace" ] || { echo "SKIP: no committee in $A"; exit 77; }
run() { "$bin" run presets/quick.cfg --headless --quiet --set potential=$A/al4.yace --set output.max_steps=60 \
        --set output.thermo_every=10 --set output.traj_every=30 --set output.xtal_every=20 "$@"; }
# finite, > 0 and < 10 eV/A for every row of column $2 (0: the last) of file $1 (skipping $3 header lines)
positive() { awk -v c="$2" -v h="$3" 'NR > h { n++; v = c ? $c : $NF; if (!(v > 0 && v < 10)) bad = 1 } END { exit bad || !n }' "$1"; }

run --set committee=$A/al4.c0.yace,$A/al4.c1.yace,$A/al4.c2.yace -o "$tmp/r" 2>"$tmp/err" || fail "run: $(cat "$tmp/err")"
head -1 "$tmp/r/thermo.csv" | grep -q ',crystalline_fraction,sigma_F_max,sigma_F$' || fail "thermo header: $(head -1 "$tmp/r/thermo.csv")"
[ "$(wc -l < "$tmp/r/thermo.csv")" = 8 ] || fail "expected 7 thermo rows"
tr , ' ' < "$tmp/r/thermo.csv" > "$tmp/t.txt"
positive "$tmp/t.txt" 10 1 || fail "sigma_F_max not finite and > 0"
positive "$tmp/t.txt" 11 1 || fail "sigma_F not finite and > 0"
awk 'NR > 1 && $11 > $10 { bad = 1 } END { exit bad }' "$tmp/t.txt" || fail "frame sigma_F above max sigma_F,i"
for f in trajectory final; do
  sed -n 2p "$tmp/r/$f.extxyz" | grep -q ':sigma_F:R:1' || fail "$f.extxyz has no sigma_F column"
  n=$(head -1 "$tmp/r/$f.extxyz")
  sed -n "3,$((n + 2))p" "$tmp/r/$f.extxyz" > "$tmp/atoms.txt"
  positive "$tmp/atoms.txt" 0 0 || fail "$f.extxyz sigma_F not finite and > 0"
done
[ "$(grep -c '^Lattice' "$tmp/r/trajectory.extxyz")" = 3 ] || fail "expected 3 trajectory frames"
# evaluated at steps 0, 20, 40, 60 (xtal_every) and 30 (a trajectory frame)
grep -q '^committee: 3 members, 5 evaluations, max sigma_F [0-9.]* eV/A (step [0-9]*), 0 above' "$tmp/r/summary.txt" \
  || fail "summary: $(grep committee "$tmp/r/summary.txt")"
# the effective settings keep the committee and rerun bit for bit
grep -q '^committee = \[".*al4.c0.yace", ".*al4.c1.yace", ".*al4.c2.yace"\];' "$tmp/r/settings.cfg" || fail "settings.cfg committee"
"$bin" run "$tmp/r/settings.cfg" --headless --quiet -o "$tmp/r2" 2>/dev/null || fail "rerun of settings.cfg"
cmp -s "$tmp/r/thermo.csv" "$tmp/r2/thermo.csv" || fail "settings.cfg rerun differs"
# identical members: exactly zero
run --set committee=$A/al4.c1.yace,$A/al4.c1.yace -o "$tmp/z" 2>/dev/null || fail "identical committee run"
awk -F, 'NR > 1 && ($10 != "0.000000" || $11 != "0.000000") { bad = 1 } END { exit bad }' "$tmp/z/thermo.csv" \
  || fail "identical committee gives sigma_F != 0"
# a low threshold warns (once) and the summary says the model extrapolated
run --set committee=$A/al4.c0.yace,$A/al4.c1.yace --set committee_warn=0.001 -o "$tmp/w" 2>"$tmp/err" >/dev/null
grep -q 'warning: model uncertain, extrapolating at step 0: max sigma_F' "$tmp/err" || fail "no warning: $(cat "$tmp/err")"
[ "$(grep -c 'model uncertain' "$tmp/err")" = 1 ] || fail "warned more than once"
grep -q 'above committee_warn 0.001 eV/A (the model extrapolated' "$tmp/w/summary.txt" || fail "summary has no warning"
# no committee: columns and settings as before
run -o "$tmp/n" 2>/dev/null || fail "run without committee"
head -1 "$tmp/n/thermo.csv" | grep -q ',crystalline_fraction$' || fail "thermo header changed without a committee"
grep -q sigma_F "$tmp/n/trajectory.extxyz" "$tmp/n/final.extxyz" "$tmp/n/summary.txt" && fail "sigma_F without a committee"
grep -q committee "$tmp/n/settings.cfg" && fail "settings.cfg names a committee"
# bad committees stop before any output, naming file:line or the member
printf 'version = 1;\nname = "c";\ncommittee = ["%s/al4.c0.yace", "%s/missing.yace"];\noutput = { max_steps = 5L; };\n' \
  "$A" "$tmp" > "$tmp/bad.cfg"
msg=$("$bin" run "$tmp/bad.cfg" --headless --set potential=$A/al4.yace -o "$tmp/b1" 2>&1) && fail "missing member accepted"
echo "$msg" | grep -q "bad.cfg:3: committee: committee member 2 ($tmp/missing.yace)" || fail "message: $msg"
[ -e "$tmp/b1" ] && fail "output folder made for a bad committee"
msg=$(run --set committee=$A/al4.c0.yace -o "$tmp/b2" 2>&1) && fail "1-member committee accepted"
echo "$msg" | grep -q "at least 2" || fail "message: $msg"
printf '1\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nCu 0 0 0\n' > "$tmp/cu.xyz"
msg=$(run --set potential=lj:0.1,2.67,6.0 --set committee=$A/al4.c0.yace,$A/al4.c1.yace --set structure.kind=file \
      --set structure.file=$tmp/cu.xyz -o "$tmp/b3" 2>&1) && fail "member lacking a species accepted"
echo "$msg" | grep -q "committee member 1 .*Cu" || fail "message: $msg"
[ -e "$tmp/b3" ] && fail "output folder made for a committee that refuses the structure"
# the workbench (headless) takes the committee from a preset file and prints sigma_F columns
printf 'version = 1;\nname = "wbc";\npotential = "%s/al4.yace";\ncommittee = ["%s/al4.c0.yace", "%s/al4.c1.yace"];\nstructure = { cells = 2; };\nmd = { T = 600.0; };\noutput = { max_steps = 20L; };\n' \
  "$A" "$A" "$A" > "$tmp/wb.cfg"
"$bin" workbench --headless --preset "$tmp/wb.cfg" --set chunk=10 --set xtal_every=1 > "$tmp/wb.txt" 2>&1 || fail "workbench: $(cat "$tmp/wb.txt")"
grep -q '^# step .* sigmaF_max_eV_A sigmaF_eV_A$' "$tmp/wb.txt" || fail "workbench header: $(cat "$tmp/wb.txt")"
grep -v '^#' "$tmp/wb.txt" > "$tmp/wbrows.txt"
positive "$tmp/wbrows.txt" 11 0 || fail "workbench sigmaF_max not > 0: $(cat "$tmp/wb.txt")"
# 3D: the uncertainty mode colours the run's final frame differently from the element mode
unset DISPLAY WAYLAND_DISPLAY
export ASAN_OPTIONS=detect_leaks=0
out=$("$bin" render "$tmp/r/final.extxyz" -o "$tmp/el.png" --size 96 --view front --no-legend --probe 48,48 2>&1)
if [ $? -ne 0 ]; then echo "$out" | grep -qiE 'SDL video|OpenGL|window' && { echo "ok (no GL: render part skipped)"; exit 0; }; fail "render: $out"; fi
"$bin" render "$tmp/r/final.extxyz" -o "$tmp/un.png" --size 96 --view front --no-legend --color uncertainty \
  --sigma-warn 0.2 >/dev/null || fail "render --color uncertainty"
cmp -s "$tmp/el.png" "$tmp/un.png" && fail "uncertainty mode draws the same pixels as element mode"
"$bin" render "$tmp/n/final.extxyz" -o "$tmp/x.png" --color uncertainty 2>"$tmp/err" && fail "no sigma_F column accepted"
grep -q "needs a per-atom sigma_F column" "$tmp/err" || fail "message: $(cat "$tmp/err")"
echo ok
