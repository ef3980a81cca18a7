#!/usr/bin/env bash
# pcmlab run --headless: a short protocol creates the run folder files; bad presets
# exit non-zero with file:line messages and leave no files behind.
set -u
bin=${PCM_BIN:-build/pcmlab}
[ -x "$bin" ] || { echo "no $bin"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
LJ=lj:0.1,2.68,6.0

# 1. a good run (LJ stands in for the GST potential)
"$bin" run presets/quick.cfg --headless --quiet --set potential=$LJ --set md.T=500 -o "$tmp/r1" \
  || fail "quick run exited $?"
for f in settings.cfg thermo.csv trajectory.extxyz final.extxyz summary.txt; do
  [ -s "$tmp/r1/$f" ] || fail "missing $f"
done
ls "$tmp/r1" | grep -q tmp && fail "temporary files left"
if command -v gnuplot >/dev/null; then   # plots.png from thermo.csv
  [ "$(head -c 8 "$tmp/r1/plots.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "plots.png missing or not a PNG"
fi
head -1 "$tmp/r1/thermo.csv" | grep -qx 'step,time_ps,T,pe_atom,ke_atom,P,volume,density,crystalline_fraction' \
  || fail "thermo header"
lines=$(wc -l < "$tmp/r1/thermo.csv"); [ "$lines" -eq 12 ] || fail "thermo.csv has $lines lines, want 12"
tail -1 "$tmp/r1/thermo.csv" | grep -q '^200,0.200000,' || fail "last thermo line"
awk -F, 'NR>1 && NF!=9 {exit 1}' "$tmp/r1/thermo.csv" || fail "thermo.csv line without 9 fields"
frames=$(grep -c 'Lattice=' "$tmp/r1/trajectory.extxyz"); [ "$frames" -eq 3 ] || fail "$frames frames, want 3"
grep -q 'velo:R:3' "$tmp/r1/trajectory.extxyz" || fail "no velocities in trajectory"
grep -q 'T = 500' "$tmp/r1/settings.cfg" || fail "--set md.T not in effective settings"
grep -q 'potential = "lj:' "$tmp/r1/settings.cfg" || fail "--set potential not in settings"
grep -q '^status: completed' "$tmp/r1/summary.txt" || fail "summary status"
grep -q 'us/atom-step' "$tmp/r1/summary.txt" || fail "summary speed"
grep -q '^atoms lost: 0' "$tmp/r1/summary.txt" || fail "summary atoms lost"

# 2. the effective settings rerun to the same trajectory (seeds make runs reproducible)
"$bin" run "$tmp/r1/settings.cfg" --headless --quiet -o "$tmp/r2" || fail "rerun of settings.cfg"
cmp -s "$tmp/r1/final.extxyz" "$tmp/r2/final.extxyz" || fail "rerun from settings.cfg differs"

# 3. bad input: non-zero exit, a clear message, no run folder
bad() {  # name expected-message-regex args...
  local name=$1 want=$2; shift 2
  "$bin" run "$@" --headless -o "$tmp/$name" 2>"$tmp/$name.err" && fail "$name: exit 0"
  grep -qE -e "$want" "$tmp/$name.err" || { cat "$tmp/$name.err"; fail "$name: message"; }
  [ -e "$tmp/$name" ] && fail "$name: left files"
  return 0
}
printf 'version = 1;\nmd = {\n  T = "hot";\n};\n' > "$tmp/type.cfg"
bad type 'type.cfg:3: md.T: expected a number' "$tmp/type.cfg"
printf 'version = 1;\nmd = { dt = 100.0; };\n' > "$tmp/range.cfg"
bad range 'range.cfg:2: md.dt = 100 is out of range' "$tmp/range.cfg"
printf 'version = 3;\n' > "$tmp/new.cfg"
bad newer 'new.cfg:1: preset format version 3 is newer' "$tmp/new.cfg"
bad nopot 'none.yace: cannot read the potential file' presets/quick.cfg --set potential="$tmp/none.yace"
bad badset '--set md.T=warm: expected a number' presets/quick.cfg --set md.T=warm
bad missing 'nothere.cfg: cannot read the preset file' "$tmp/nothere.cfg"
# unknown keys warn but run
printf 'version = 1;\npotential = "%s";\nstructure = { cells = 2; };\nmd = { T = 300.0; wobble = 1; };\noutput = { max_steps = 20; thermo_every = 10; };\n' $LJ > "$tmp/warn.cfg"
"$bin" run "$tmp/warn.cfg" --headless --quiet -o "$tmp/r3" 2>"$tmp/warn.err" || fail "warn run"
grep -q "warn.cfg:4: unknown key 'md.wobble'" "$tmp/warn.err" || fail "unknown key warning"

# 4. SIGINT stops cleanly and saves the state
"$bin" run presets/quick.cfg --headless --quiet --set potential=$LJ --set output.max_steps=100000000 -o "$tmp/r4" &
pid=$!; sleep 1.5; kill -INT $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || fail "SIGINT run exited $rc"
grep -q 'interrupted (SIGINT)' "$tmp/r4/summary.txt" || fail "SIGINT summary"
[ -s "$tmp/r4/final.extxyz" ] || fail "SIGINT final state"
echo "run_headless: all checks passed"
