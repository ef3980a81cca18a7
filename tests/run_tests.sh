#!/usr/bin/env bash
# Runs every unit-test binary and every end-to-end script; prints one closing line
# "N passed, N failed, N skipped" and exits non-zero when anything failed.
# Unit tests: build/tests/test_*  (cmocka).  End-to-end: tests/e2e/*.sh (exit 0 pass, 77 skip).
set -u
build=${1:-build}
export LANG=C.UTF-8 LC_ALL=C.UTF-8
pass=0; fail=0; skip=0; failed=()
logdir="$build/test-logs"; mkdir -p "$logdir"
for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  case "$t" in *.d) continue;; esac
  name=$(basename "$t")
  start=$(date +%s)
  "$t" >"$logdir/$name.log" 2>&1; rc=$?
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$logdir/$name.log" | awk '{s+=$NF} END{print s+0}')
  f=$(grep -oE '^\[  FAILED  \] [0-9]+' "$logdir/$name.log" | awk '{s+=$NF} END{print s+0}')
  s=$(grep -oE '^\[  SKIPPED \] [0-9]+' "$logdir/$name.log" | awk '{s+=$NF} END{print s+0}')
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed
  pass=$((pass+p)); fail=$((fail+f)); skip=$((skip+s))
  printf '%-34s %3d passed %3d failed %3d skipped  (%ds)\n' "$name" "$p" "$f" "$s" $(( $(date +%s)-start ))
  if [ "$f" -gt 0 ]; then failed+=("$name"); sed 's/^/    /' "$logdir/$name.log" | grep -E 'FAIL|ERROR|error|Assert|assert|Segm|failure' | head -20; fi
done
for t in tests/e2e/*.sh; do
  [ -f "$t" ] || continue
  name=$(basename "$t" .sh)
  start=$(date +%s)
  PCM_BIN="$build/pcmlab" bash "$t" >"$logdir/e2e_$name.log" 2>&1; rc=$?
  if [ $rc -eq 0 ]; then pass=$((pass+1)); r=passed
  elif [ $rc -eq 77 ]; then skip=$((skip+1)); r=skipped
  else fail=$((fail+1)); r=FAILED; failed+=("e2e/$name"); fi
  printf '%-34s %s  (%ds)\n' "e2e/$name" "$r" $(( $(date +%s)-start ))
  [ "$r" = FAILED ] && tail -15 "$logdir/e2e_$name.log" | sed 's/^/    /'
done
echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}  (logs in $logdir)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
