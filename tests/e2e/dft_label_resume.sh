#!/usr/bin/env bash
# pcmlab label with a fake cp2k (tests/fixtures/cp2k/fake_cp2k.sh): kill mid-run and
# resume (nothing duplicated, nothing lost), a non-converged SCF recorded as failed and
# never as data, retry with safer mixing, the lock, and the teacher mode.
set -eu
BIN=$(realpath "${PCM_BIN:-build/pcmlab}")
FAKE=$(realpath tests/fixtures/cp2k/fake_cp2k.sh)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"
"$BIN" dataset generate --rounds 1 --kinds rocksalt,gete,ge,sb,te,liquid -o q.extxyz --manifest m.tsv >/dev/null
[ "$(grep -c '^dsv1-' m.tsv)" = 6 ] || { echo "manifest lines"; exit 1; }
ids() { grep -o 'config_id=[^ ]*' "$1" | sort; }
nframes() { [ -f "$1" ] || { echo 0; return; }; awk '/^Lattice=/{n++} END{print n+0}' "$1"; }

# 1. run slowly, kill -9 after two labels are in
FAKE_CP2K_SLEEP=0.4 FAKE_CP2K_FAIL=dsv1-ge- FAKE_CP2K_LOG=$T/calls1 \
  "$BIN" label q.extxyz -o out.extxyz --cp2k "$FAKE" --np 1 > log1 2>&1 &
pid=$!
for i in $(seq 100); do [ "$(nframes out.extxyz)" -ge 2 ] && break; sleep 0.1; done
# a second labeller on the same output is refused while the first holds the lock
if "$BIN" label q.extxyz -o out.extxyz --cp2k "$FAKE" --np 1 > log_lock 2>&1; then echo "lock not enforced"; exit 1; fi
grep -q "another labeller" log_lock
kill -9 $pid; wait $pid 2>/dev/null || true
n1=$(nframes out.extxyz)
if [ "$n1" -lt 2 ] || [ "$n1" -ge 6 ]; then echo "after kill: $n1 frames"; exit 1; fi
"$BIN" label --report out.extxyz > rep1   # the file holds complete, readable frames only

# 2. resume: finishes the rest; the ge configuration fails twice and is recorded as failed
FAKE_CP2K_FAIL=dsv1-ge- FAKE_CP2K_LOG=$T/calls2 "$BIN" label q.extxyz -o out.extxyz --cp2k "$FAKE" --np 1 > log2
[ "$(nframes out.extxyz)" = 5 ] || { echo "frames after resume: $(nframes out.extxyz)"; exit 1; }
[ "$(ids out.extxyz | uniq -d | wc -l)" = 0 ] || { echo "duplicates"; exit 1; }
! grep -q 'dsv1-ge-' out.extxyz || { echo "failed SCF became data"; exit 1; }
grep -q '^dsv1-ge-r000-k02	ge	' out.extxyz.failed.tsv
[ "$(wc -l < out.extxyz.failed.tsv)" = 1 ]
# the resumed run redid at most the one in progress, and tried the failing one twice
[ "$(grep -c dsv1-ge- calls2)" = 2 ]
[ "$(sort calls1 calls2 | uniq -d | wc -l)" -le 1 ]
# every queued configuration is accounted for: 5 labelled + 1 failed
(ids out.extxyz; printf 'config_id=%s\n' "$(cut -f1 out.extxyz.failed.tsv)") | sort > got
ids q.extxyz > want
diff got want
# labels carry units-converted values: fake energy -(N+0.5) Ha, force on atom 1 (0.001,-0.002,0.0005) Ha/bohr
awk 'NR==2{for(i=1;i<=NF;i++) if($i ~ /^energy=/){split($i,a,"="); e=a[2]}} NR==3{f=$5} END{
  if (sqrt((e+58.5*27.211386245988)^2) > 1e-6 || sqrt((f-0.001*51.422067476)^2) > 1e-6) {print "units", e, f; exit 1}}' out.extxyz
grep -q 'dft_functional=PBE' out.extxyz
grep -q 'dft_cutoff_Ry=150' out.extxyz
grep -q 'dft_code="CP2K version 2023.1"' out.extxyz

# 3. nothing left to do: a rerun changes nothing
sum=$(md5sum < out.extxyz)
FAKE_CP2K_LOG=$T/calls3 "$BIN" label q.extxyz -o out.extxyz --cp2k "$FAKE" --np 1 > log3
[ "$sum" = "$(md5sum < out.extxyz)" ]
[ ! -e calls3 ]
grep -q "0 to do" log3

# 4. SCF that converges only with the safer mixing: labelled on the retry
FAKE_CP2K_RETRY=1 "$BIN" label q.extxyz -o retry.extxyz --cp2k "$FAKE" --np 1 --max 2 > log4
[ "$(nframes retry.extxyz)" = 2 ]
[ "$(grep -c 'dft_attempt=1' retry.extxyz)" = 2 ]

# 5. teacher labels (indirect learning) with the LJ test potential
"$BIN" label --teacher lj:0.01,2.8,6.0 q.extxyz -o teach.extxyz > log5
[ "$(nframes teach.extxyz)" = 6 ]
grep -q 'label_method=teacher' teach.extxyz
"$BIN" label --report teach.extxyz | grep -q "6 configurations"
# a rerun with the same teacher resumes (nothing to do); another teacher, or DFT, into the same
# file is refused instead of skipping ids that the first teacher labelled
"$BIN" label --teacher lj:0.01,2.8,6.0 q.extxyz -o teach.extxyz | grep -q "0 to do"
sum=$(md5sum < teach.extxyz)
if "$BIN" label --teacher lj:0.02,2.8,6.0 q.extxyz -o teach.extxyz > log5b 2>&1; then echo "mixed teachers accepted"; exit 1; fi
grep -q "teach.extxyz.*config_id dsv1-.*labelled by teacher 'lj:0.01,2.8,6.0'.*lj:0.02,2.8,6.0" log5b
if "$BIN" label q.extxyz -o teach.extxyz --cp2k "$FAKE" --np 1 > log5c 2>&1; then echo "DFT into teacher file accepted"; exit 1; fi
grep -q "refusing to resume" log5c
if "$BIN" label --teacher lj:0.01,2.8,6.0 q.extxyz -o out.extxyz > log5d 2>&1; then echo "teacher into DFT file accepted"; exit 1; fi
grep -q "labelled by dft" log5d
[ "$sum" = "$(md5sum < teach.extxyz)" ]
# 6. a broken CP2K setup stops the run; nothing is recorded as failed or labelled
if FAKE_CP2K_CRASH=1 "$BIN" label q.extxyz -o crash.extxyz --cp2k "$FAKE" --np 1 > log7 2>&1; then
  echo "crash not reported"; exit 1; fi
grep -q "before an SCF result" log7
[ ! -e crash.extxyz ]
[ ! -e crash.extxyz.failed.tsv ]
"$BIN" label q.extxyz -o crash2.extxyz --cp2k /nonexistent/cp2k --np 1 > log8 2>&1 && { echo "missing exe accepted"; exit 1; }
grep -q "cannot run" log8
[ ! -e crash2.extxyz.failed.tsv ]

# 7. compare: the retry labels equal the first-attempt labels of the same configurations
"$BIN" label --compare out.extxyz retry.extxyz > log6
grep -q "2 frames matched" log6
[ "$(awk 'NR>1 && NF==6 && ($3+0!=0 || $4+0!=0)' log6 | wc -l)" = 0 ]
echo ok
