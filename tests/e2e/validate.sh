#!/usr/bin/env bash
# pcmlab validate: the issue-5 protocol at a tiny scale with the LJ stand-in.  The report has
# every check row; the melt check passes when the crystal melts and fails when the run is too
# short for it to melt; a potential that blows up gives FAIL rows with the reason (no crash);
# SIGINT writes a partial report; bad input leaves nothing behind.
set -u
bin=${PCM_BIN:-build/pcmlab}
[ -x "$bin" ] || { echo "no $bin"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
LJ=lj:0.1,2.68,6.0
row() {  # dir check-name -> result word of that row in report.md
  awk -F' \\| ' -v c="$2" '$1 == "| " c {gsub(/\*/, "", $4); print $4}' "$1/report.md"
}

# 1. the whole protocol, 1/1000 of the issue's durations, 58 + 63 atoms
"$bin" validate $LJ -o "$tmp/all" --atoms 58 --scale 0.001 --threads 1 > "$tmp/all.out"; rc=$?
cat "$tmp/all.out"
[ $rc -le 1 ] || fail "full run exited $rc"
[ -s "$tmp/all/report.md" ] || fail "no report.md"
for c in "stability 300 K" "stability 600 K" "stability 900 K" "stability 1200 K" "crystal kept 300 K" \
         "crystal kept 600 K" "melt 900 K" \
         "quench: amorphous" "quench: CN Ge (3.15 Å)" "quench: CN Sb (3.15 Å)" "quench: CN Te (3.15 Å)" \
         "quench: Te-Ge-Te angle" "quench: Te-Sb-Te angle" "anneal 600 K" "density crystal 300 K" \
         "density amorphous 300 K"; do
  r=$(row "$tmp/all" "$c")
  [ "$r" = PASS ] || [ "$r" = FAIL ] || fail "row '$c': result '$r'"
done
[ "$(grep -c '^"' "$tmp/all/validate.csv")" -eq 16 ] || fail "validate.csv rows"
[ "$(grep -c '^validate' "$tmp/all.out")" -eq 7 ] || fail "one progress line per check (plus header, footer)"
# LJ neither blows up nor loses atoms in 1 ps at 300-1200 K
for T in 300 600 900 1200; do [ "$(row "$tmp/all" "stability $T K")" = PASS ] || fail "stability $T K"; done
# ... but LJ cannot hold rocksalt (its sublattices form an unstable simple cubic lattice)
[ "$(row "$tmp/all" "crystal kept 300 K")" = FAIL ] || fail "LJ kept rocksalt at 300 K"
grep -q 'Shortened protocol.*0.001 × the issue' "$tmp/all/report.md" || fail "report does not say the run was shortened"
grep -q '| melt | rocksalt | 58 | NPT 1 bar | 900 K 0.1 ps | 0.1 of 0.1 ps | 100 ps |' "$tmp/all/report.md" \
  || fail "run table: actual and full durations"
grep -q 'quench | random packing 6.00 g/cm³ | 63 | NVT | 1200 K 0.02 ps, 1200→300 K in 0.3 ps (3000 K/ps)' \
  "$tmp/all/report.md" || fail "run table: quench schedule as run"
for d in stability-300K stability-600K stability-900K stability-1200K melt quench anneal density-crystal \
         density-amorphous; do
  [ -s "$tmp/all/$d/thermo.csv" ] && [ -s "$tmp/all/$d/final.extxyz" ] || fail "files of $d"
done
[ -s "$tmp/all/quench/coordination.csv" ] && [ -s "$tmp/all/quench/angles.csv" ] || fail "quench analysis files"
find "$tmp/all" -name '*.tmp.*' | grep -q . && fail "temporary files left"
n=$(awk 'END{print NR}' "$tmp/all/stability-300K/thermo.csv"); [ "$n" -eq 102 ] || fail "thermo lines $n"
"$bin" analyze crystallinity "$tmp/all/melt/final.extxyz" > /dev/null || fail "final.extxyz does not read back"

# 2. melt: PASS when the crystal melts (1 ps), FAIL when the run is too short to melt (0.1 ps)
"$bin" validate $LJ -o "$tmp/m1" --atoms 58 --scale 0.001 --scale melt=0.01 --only melt > /dev/null || fail "melt run exit $?"
[ "$(row "$tmp/m1" "melt 900 K")" = PASS ] || fail "LJ rocksalt did not melt in 1 ps at 900 K"
grep -Eq 'first below 0.1 at 0?\.[0-9]+ ps' "$tmp/m1/report.md" || fail "melt time not reported"
grep -q '^"stability' "$tmp/m1/validate.csv" && fail "--only melt ran stability"
grep -q '| melt | rocksalt | 58 | NPT 1 bar | 900 K 1 ps |' "$tmp/m1/report.md" || fail "--scale melt=0.01 not applied"
[ "$(row "$tmp/all" "melt 900 K")" = FAIL ] || fail "0.1 ps melt passed"
grep -q 'never below 0.1' "$tmp/all/report.md" || fail "failed melt without reason"

# 3. a potential that blows up: FAIL rows with the reason, exit 1, no crash
"$bin" validate lj:20,3.5,7.0 -o "$tmp/boom" --atoms 58 --scale 0.001 --only stability,anneal > /dev/null; rc=$?
[ $rc -eq 1 ] || fail "blow-up run exited $rc"
for c in "stability 300 K" "stability 1200 K" "anneal 600 K"; do [ "$(row "$tmp/boom" "$c")" = FAIL ] || fail "$c"; done
[ "$(grep -c 'blew up' "$tmp/boom/report.md")" -ge 5 ] || fail "blow-up reason missing"

# 3b. unhealthy runs FAIL too: a stiff LJ (1 eV) at 4 fs does not conserve energy; at 0.25 fs it
#     conserves it, but its rocksalt collapses and releases heat faster than the thermostat removes it
"$bin" validate lj:1.0,2.68,6.0 -o "$tmp/drift" --atoms 58 --scale 0.001 --only stability --dt 4 > /dev/null
[ "$(row "$tmp/drift" "stability 300 K")" = FAIL ] || fail "4 fs stiff LJ passed"
grep -q 'stability 300 K | .* | energy not conserved: drift' "$tmp/drift/report.md" || fail "drift reason"
"$bin" validate lj:1.0,2.68,6.0 -o "$tmp/heat" --atoms 58 --scale 0.001 --only stability --dt 0.25 > /dev/null
[ "$(row "$tmp/heat" "stability 300 K")" = FAIL ] || fail "self-heating run passed"
grep -q 'stability 300 K | .* | heats itself: ⟨T⟩' "$tmp/heat/report.md" || fail "heating reason"

# 3c. a potential whose minimum sits inside 1.5 Å fuses atoms: FAIL naming the pair and when
"$bin" validate lj:0.05,1.25,6.0 -o "$tmp/fuse" --atoms 58 --scale 0.001 --only stability > /dev/null
[ "$(row "$tmp/fuse" "stability 300 K")" = FAIL ] || fail "fusing LJ passed"
grep -Eq 'stability 300 K \| .* \| atoms fused: closest pair 1\.[0-4][0-9] Å \((Ge|Sb|Te)-(Ge|Sb|Te) at [0-9.]+ ps; limit 1\.5 Å\)' \
  "$tmp/fuse/report.md" || fail "fused reason without the pair and time"

# 3d. a collapse the integrator cannot follow (deep LJ well, 5 fs) throws the NVT conserved energy
#     off by more than 0.5 eV/atom: the run stops there as blown up, with the reason
"$bin" validate lj:5,1.7,6.0 -o "$tmp/jump" --atoms 58 --scale 0.001 --only stability --dt 5 > /dev/null
[ "$(row "$tmp/jump" "stability 300 K")" = FAIL ] || fail "conserved-energy jump passed"
grep -Eq 'stability 300 K \| .* \| blew up: the conserved energy jumped by [-+][0-9.]+ eV/atom by [0-9.]+ ps \(limit 0\.5\)' \
  "$tmp/jump/report.md" || fail "jump reason missing"

# 4. same seed, same trajectory, whatever the thread count; another seed, another trajectory
"$bin" validate $LJ -o "$tmp/m2" --atoms 58 --scale 0.01 --only melt --threads 1 > /dev/null
cmp -s "$tmp/m1/melt/thermo.csv" "$tmp/m2/melt/thermo.csv" || fail "same seed, different melt run"
"$bin" validate $LJ -o "$tmp/m3" --atoms 58 --scale 0.01 --only melt --seed 2 > /dev/null
cmp -s "$tmp/m1/melt/thermo.csv" "$tmp/m3/melt/thermo.csv" && fail "--seed 2 gave the same run"

# 5. SIGINT: the running check is INTERRUPTED, later ones not run, the report written; exit 130
"$bin" validate $LJ -o "$tmp/int" --atoms 58 --only stability,density > "$tmp/int.out" &
pid=$!; sleep 1.5; kill -INT $pid; wait $pid; rc=$?
[ $rc -eq 130 ] || fail "interrupted run exited $rc"
[ "$(row "$tmp/int" "stability 300 K")" = INTERRUPTED ] || fail "stability 300 K not INTERRUPTED"
[ "$(row "$tmp/int" "stability 1200 K")" = "not run" ] || fail "stability 1200 K ran"
[ "$(row "$tmp/int" "density")" = "not run" ] || fail "density row"
grep -q 'INTERRUPTED (partial report)' "$tmp/int/report.md" || fail "partial report header"
[ -s "$tmp/int/stability-300K/thermo.csv" ] || fail "interrupted thermo.csv"
# SIGTERM (what `timeout` sends) likewise
"$bin" validate $LJ -o "$tmp/term" --atoms 58 --only melt > /dev/null &
pid=$!; sleep 1; kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 143 ] || fail "SIGTERM run exited $rc"
[ "$(row "$tmp/term" "melt 900 K")" = INTERRUPTED ] || fail "melt not INTERRUPTED by SIGTERM"

# 6. bad input: exit non-zero with a message, nothing written
"$bin" validate $LJ -o "$tmp/bad1" --only melt,boil 2> "$tmp/e1" && fail "--only boil accepted"
grep -q "unknown check 'boil'" "$tmp/e1" || fail "--only message"
"$bin" validate "$tmp/none.yace" -o "$tmp/bad2" 2> "$tmp/e2" && fail "missing potential accepted"
grep -q 'none.yace' "$tmp/e2" || fail "missing potential message"
"$bin" validate $LJ -o "$tmp/bad3" --scale -1 2> "$tmp/e3" && fail "negative scale accepted"
"$bin" validate $LJ 2> /dev/null; [ $? -eq 2 ] || fail "missing -o is not a usage error"
for d in bad1 bad2 bad3; do [ -e "$tmp/$d" ] && fail "$d left files"; done
echo "validate: all checks passed"
