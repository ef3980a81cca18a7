#!/usr/bin/env bash
# e2e: pcmlab melting-point (the interface method) with the shipped fast potential: far above
# T_m the crystal slab melts away, far below it survives; bad options fail with a message before
# anything is written; SIGINT ends the run with the report of what ran.
set -u
bin=${PCM_BIN:-build/pcmlab}
pot=assets/gst-fast.yace
[ -x "$bin" ] || { echo "no $bin"; exit 77; }
[ -f "$pot" ] || { echo "no $pot"; exit 77; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
small=(--cells 2x2x2 --equil 1 --premelt 1500:1 --every 0.25 --threads 2)

out=$("$bin" melting-point "$pot" -o "$d/tm" "${small[@]}" --T 400,1600 --time 4) || fail "exit $?"
echo "$out"
csv=$d/tm/melting-point.csv
head -1 "$csv" | grep -q '^T,a,atoms,ps,n_crystalline_start,n_crystalline_end,' || fail "csv header"
# 1600 K: the crystal vanishes (decided by that), the velocity is negative
awk -F, '$1==1600 {ok = $13=="melts" && $14=="completed" && $11 < 0 && $6 < 0.1*$5} END {exit !ok}' "$csv" \
    || fail "1600 K did not melt: $(grep ^1600 "$csv")"
grep -q '1600 | .*melts (slab melted at' "$d/tm/report.md" || fail "report row for 1600 K"
# 400 K: the slab holds (about half the cell crystalline at the start, most of it kept)
awk -F, '$1==400 {ok = $7 > 0.3 && $7 < 0.7 && $6 >= 0.8*$5 && $13 != "melts"} END {exit !ok}' "$csv" \
    || fail "400 K: $(grep ^400, "$csv")"
# the crystal kept its order in the 400 K a(T) run and lost it at 1600 K, which the report says
awk -F, '$1==400 {ok4 = $16 > 0.8} $1==1600 {ok16 = $16 < 0.5} END {exit !(ok4 && ok16)}' "$csv" \
    || fail "crystal_fraction_equil column: $(cat "$csv")"
grep -q '^At 1600 K the crystal did not survive the a(T) run' "$d/tm/report.md" || fail "no note on 1600 K's a(T)"
# a(T) expands with T
awk -F, 'NR>1 {a[$1]=$2} END {exit !(a[1600] > a[400] && a[400] > 5.8 && a[400] < 6.4)}' "$csv" || fail "a(T)"
grep -Eq '^\*\*(T_m is below 1600 K|T_m = [0-9]+ K \(the crystal grows at 400 K and melts at 1600 K\))' \
    "$d/tm/report.md" || fail "T_m line: $(sed -n 3p "$d/tm/report.md")"
th=$d/tm/T1600K/thermo.csv
head -1 "$th" | grep -q '^time_ps,T,P_bar,Lz,density,pe_atom,n_crystalline,crystalline_fraction,n_interfaces' \
    || fail "thermo header"
[ "$(tail -n +2 "$th" | wc -l)" -eq 17 ] || fail "17 samples expected (0..4 ps every 0.25)"
head -2 "$d/tm/T400K/final.extxyz" | grep -q 'crystalline:I:1' || fail "final frame lacks the crystalline column"
head -2 "$d/tm/T400K/start.extxyz" | grep -q 'melting_point_run=start' || fail "start frame"
if command -v gnuplot >/dev/null; then   # the plots, renamed into place once drawn
    for f in growth.png velocity.png; do
        [ "$(head -c 4 "$d/tm/$f" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "$f is not a PNG"
    done
fi
[ -z "$(ls "$d/tm" | grep '\.tmp')" ] || fail "temporary files left: $(ls "$d/tm")"

# a run that has decided itself (the slab melted) stops 5 ps later instead of running on
"$bin" melting-point "$pot" -o "$d/early" "${small[@]}" --T 1700 --time 30 > "$d/early.log" 2>&1 \
    || fail "early stop run: $(cat "$d/early.log")"
awk -F, '$1==1700 {ok = $13=="melts" && $14=="completed" && $4 > 5 && $4 < 8} END {exit !ok}' \
    "$d/early/melting-point.csv" || fail "1700 K did not stop early: $(cat "$d/early/melting-point.csv")"

# --report-only re-analyses the folders: the same rows (bar the wall time), a folder still
# running (no thermo.csv yet) is skipped with a message, an empty folder is an error
cut -d, -f1-14 "$csv" > "$d/rows.before"
mkdir "$d/tm/T999K"
"$bin" melting-point --report-only --cells 2x2x2 -o "$d/tm" > "$d/ro.log" 2> "$d/ro.err" || fail "report-only: $(cat "$d/ro.err")"
cut -d, -f1-14 "$csv" | cmp -s - "$d/rows.before" || fail "report-only changed the rows: $(cat "$csv")"
grep -q '999 K skipped: .*T999K/start.extxyz' "$d/ro.err" || fail "running folder: $(cat "$d/ro.err")"
grep -q '^- re-analysed .* by `pcmlab melting-point --report-only' "$d/tm/report.md" || fail "report-only header"
mkdir "$d/empty"
msg=$("$bin" melting-point --report-only -o "$d/empty" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$msg" | grep -q "empty: no T<T>K run folders" || fail "empty folder: rc $rc, $msg"

# bad input: a message naming the problem, exit 1, no output directory
for args in "--T 400,abc" "--cells 0x2x2" "--premelt 1500" "--every 0" "--time -1"; do
    # shellcheck disable=SC2086
    msg=$("$bin" melting-point "$pot" -o "$d/bad" $args 2>&1 >/dev/null); rc=$?
    [ $rc -eq 1 ] || fail "'$args' exit $rc, expected 1"
    echo "$msg" | grep -q "^pcmlab: --" || fail "'$args' message: $msg"
done
msg=$("$bin" melting-point "$d/missing.yace" -o "$d/bad" 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] && echo "$msg" | grep -q "missing.yace" || fail "missing potential: rc $rc, $msg"
[ ! -e "$d/bad" ] || fail "a failed start left $d/bad"
"$bin" melting-point "$pot" >/dev/null 2>&1; [ $? -eq 2 ] || fail "usage without -o"

# SIGINT mid-run: exit 130, the report and csv name the interrupted temperature
"$bin" melting-point "$pot" -o "$d/int" "${small[@]}" --T 500 --time 1000 > "$d/int.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$d/int/T500K/start.extxyz" ] && break; sleep 0.2; done
kill -INT $pid; wait $pid; rc=$?
[ $rc -eq 130 ] || fail "SIGINT exit $rc, expected 130"
grep -q '^500,.*,interrupted,' "$d/int/melting-point.csv" || fail "csv after SIGINT: $(cat "$d/int/melting-point.csv")"
grep -q 'INTERRUPTED' "$d/int.log" || fail "log after SIGINT"
echo "melting_point: ok"
