#!/usr/bin/env bash
# pcmlab build: structures are written atomically and bad input is refused clearly.
set -u
bin=${PCM_BIN:-build/pcmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$bin" build rocksalt --cells 2 --seed 3 -o "$tmp/rs.xyz") || fail "rocksalt build failed"
echo "$out" | grep -q "wrote $tmp/rs.xyz: 58 atoms" || fail "unexpected: $out"
[ "$(head -1 "$tmp/rs.xyz")" = 58 ] || fail "atom count line"
grep -c '^Te ' "$tmp/rs.xyz" | grep -qx 32 || fail "32 Te expected"

"$bin" build liquid --atoms 63 --density 6.0 -o "$tmp/liq.xyz" >/dev/null || fail "liquid build"
[ "$(head -1 "$tmp/liq.xyz")" = 63 ] || fail "liquid atom count"

# nonsense values: non-zero exit, message names the option, no file left behind
msg=$("$bin" build liquid --atoms 50 --density abc -o "$tmp/bad.xyz" 2>&1) && fail "accepted --density abc"
echo "$msg" | grep -q -- "--density expects a number" || fail "message: $msg"
msg=$("$bin" build liquid --atoms 5000 --density 29 --min-dist 3.5 -o "$tmp/bad.xyz" 2>&1) && fail "impossible packing accepted"
echo "$msg" | grep -q "could not place" || fail "message: $msg"
ls "$tmp" | grep -q bad && fail "partial output left behind"

# a malformed extxyz names file and line
printf '2\nLattice="9 0 0 0 9 0 0 0 9" Properties=species:S:1:pos:R:3\nGe 0 0 0\nTe 1 1\n' > "$tmp/m.xyz"
msg=$("$bin" eval lj:0.01,2.5,6 "$tmp/m.xyz" 2>&1) && fail "malformed extxyz accepted"
echo "$msg" | grep -q "m.xyz:4:" || fail "no file:line in: $msg"

# eval with the LJ test potential writes energies and forces
"$bin" eval lj:0.01,2.5,6 "$tmp/liq.xyz" -o "$tmp/ev.xyz" >/dev/null || fail "eval"
head -2 "$tmp/ev.xyz" | grep -q 'energies:R:1:forces:R:3' || fail "eval columns"
head -2 "$tmp/ev.xyz" | grep -q 'virial=' || fail "eval virial"
echo ok
