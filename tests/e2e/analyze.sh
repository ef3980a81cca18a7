#!/usr/bin/env bash
# e2e: pcmlab analyze on built structures; malformed input fails with file:line and writes nothing.
set -u
bin=${PCM_BIN:-build/pcmlab}
[ -x "$bin" ] || { echo "no $bin"; exit 77; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" build rocksalt --cells 4 --vacancy-fraction 0 -o "$d/rs.extxyz" >/dev/null || fail "build rocksalt"
out=$("$bin" analyze crystallinity "$d/rs.extxyz" -o "$d/rs_x.extxyz") || fail "analyze crystallinity exit $?"
echo "$out"
echo "$out" | grep -q '^crystalline: 100.00 % (512 of 512 atoms' || fail "expected 100 % crystalline"
echo "$out" | grep -q '^Q4 = 0.7638$' || fail "expected Q4 = 0.7638"
echo "$out" | grep -q '^Q6 = 0.3536$' || fail "expected Q6 = 0.3536"
head -2 "$d/rs_x.extxyz" | grep -q 'crystalline:I:1:q4_connections:I:1:q4dot:R:1:q4:R:1:q6:R:1' || fail "columns missing"
[ "$(awk 'NR>2 && $5==1 && $6==6' "$d/rs_x.extxyz" | wc -l)" -eq 512 ] || fail "per-atom flags/connections"
# the written file reads back (round trip through the analysis again)
"$bin" analyze crystallinity "$d/rs_x.extxyz" | grep -q '^crystalline: 100.00 %' || fail "re-read output"

"$bin" build liquid --atoms 600 --seed 3 -o "$d/liq.extxyz" >/dev/null || fail "build liquid"
out=$("$bin" analyze crystallinity "$d/liq.extxyz") || fail "liquid"
echo "$out" | head -1
pct=$(echo "$out" | sed -n 's/^crystalline: \([0-9.]*\) %.*/\1/p')
awk -v p="$pct" 'BEGIN{exit !(p < 1.0)}' || fail "liquid crystalline $pct % >= 1 %"

# CSV analyses, two frames averaged
cat "$d/rs.extxyz" "$d/rs.extxyz" > "$d/two.extxyz"
out=$("$bin" analyze coordination "$d/two.extxyz" -o "$d/cn.csv") || fail "coordination"
echo "$out"
echo "$out" | grep -q 'over 2 frame' || fail "two frames"
grep -q '^Ge,128,6.000000' "$d/cn.csv" || fail "Ge coordination 6 in csv"
out=$("$bin" analyze angles "$d/rs.extxyz" --triplet Te-Ge-Te -o "$d/ang.csv") || fail "angles"
echo "$out"
echo "$out" | grep -Eq 'Te-Ge-Te +[0-9]+ angles: 90.5 179.5' || fail "angle peaks"
"$bin" analyze rdf "$d/liq.extxyz" -o "$d/rdf.csv" >/dev/null || fail "rdf"
head -1 "$d/rdf.csv" | grep -q '^r_A,g_total,g_' || fail "rdf header"
"$bin" analyze sq "$d/rs.extxyz" --qmax 4 -o "$d/sq.csv" | grep -q 'first peak (S >= 1): q = 2.087' || fail "sq (200) peak"

# malformed: truncated file -> non-zero exit, file:line message, no output file
head -n 100 "$d/rs.extxyz" > "$d/bad.extxyz"
if "$bin" analyze crystallinity "$d/bad.extxyz" -o "$d/bad_out.extxyz" 2>"$d/err"; then fail "accepted a truncated file"; fi
cat "$d/err"
grep -Eq "bad.extxyz:[0-9]+:" "$d/err" || fail "no file:line in message"
ls "$d" | grep -q bad_out && fail "partial output written"
printf '3\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nTe 0 0 0\nGe 1 x 0\nTe 2 2 2\n' > "$d/bad2.extxyz"
if "$bin" analyze rdf "$d/bad2.extxyz" -o "$d/bad2.csv" 2>"$d/err"; then fail "accepted a bad number"; fi
cat "$d/err"
grep -q "bad2.extxyz:4:" "$d/err" || fail "expected line 4"
[ -e "$d/bad2.csv" ] && fail "partial csv written"
"$bin" analyze crystallinity 2>/dev/null; [ $? -eq 2 ] || fail "usage exit 2"
"$bin" analyze crystallinity "$d/rs.extxyz" --cutoff 3 2>/dev/null; [ $? -eq 2 ] || fail "option of another analysis accepted"
echo "all analyze e2e checks passed"
