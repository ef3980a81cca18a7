#!/usr/bin/env bash
# pcmlab label --compare REF LABELLED --pairs: the pair-resolved force residual has the sign
# physics says.  Reference and "model" are two Lennard-Jones teachers that differ only in the
# well depth (0.06 against 0.01 eV, sigma 2.6 Å, minimum at 2.92 Å): beyond the minimum the
# deeper reference pulls pairs together harder (residual > 0), inside it pushes them apart
# harder (< 0).  --kinds keeps only the named kinds.
set -u
bin=${PCM_BIN:-build/pcmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for s in 1 2 3 4 5; do
  "$bin" build liquid --atoms 150 --density 6.0 --min-dist 2.3 --seed $s -o "$tmp/l$s.xyz" >/dev/null || fail build
  sed -i "2s/^/config_id=liq$s kind=$([ $s = 5 ] && echo other || echo liquid) /" "$tmp/l$s.xyz"
done
cat "$tmp"/l?.xyz > "$tmp/in.xyz"
"$bin" label --teacher lj:0.06,2.6,5.5 "$tmp/in.xyz" -o "$tmp/ref.xyz" >/dev/null 2>&1 || fail "teacher ref"
"$bin" label --teacher lj:0.01,2.6,5.5 "$tmp/in.xyz" -o "$tmp/lab.xyz" >/dev/null 2>&1 || fail "teacher lab"
"$bin" label --compare "$tmp/ref.xyz" "$tmp/lab.xyz" --pairs > "$tmp/all.txt" 2>&1 || fail "compare: $(tail -2 "$tmp/all.txt")"
grep -q '^5 frames matched' "$tmp/all.txt" || fail "expected 5 frames: $(cat "$tmp/all.txt")"
"$bin" label --compare "$tmp/ref.xyz" "$tmp/lab.xyz" --pairs --kinds liquid > "$tmp/out.txt" 2>&1 || fail "compare --kinds"
grep -q '^4 frames matched by config_id, kinds liquid' "$tmp/out.txt" || fail "--kinds: $(grep matched "$tmp/out.txt")"
# mean residual (meV/Å) over the element pairs in the bins 3.35-3.85 Å and 2.45-2.75 Å
awk '/^r \(Å\)/ { hdr = 1; next } hdr && $1 ~ /^[0-9.]+$/ { r = $1 + 0
    for (k = 2; k <= NF; k++) if ($k != "-") { split($k, m, "±")
      if (r > 3.3 && r < 3.9) { far += m[1]; nf++ } if (r > 2.4 && r < 2.8) { near += m[1]; nn++ } } }
  END { printf "residual: %.0f meV/Å beyond the minimum (%d cells), %.0f inside (%d)\n", far / nf, nf, near / nn, nn
        exit !(nf >= 10 && nn >= 2 && far / nf > 30 && near / nn < -30) }' "$tmp/out.txt" || fail "signs wrong: $(cat "$tmp/out.txt")"
msg=$("$bin" label --pairs "$tmp/lab.xyz" 2>&1) && fail "--pairs without --compare accepted"
echo "$msg" | grep -q "go with --compare" || fail "message: $msg"
echo ok
