#!/usr/bin/env bash
# e2e: pcmlab transport (Green–Kubo viscosity, MSD diffusion) on liquid GST with the shipped fast
# potential: the reported η is recomputed here from the run's own stress samples with SI
# constants (an independent implementation of the formula and its units), D from its MSD file;
# the hot liquid diffuses faster than the cool one; NVE conserves energy; bad options fail
# before anything is written; SIGINT keeps the report of what ran.
set -u
bin=${PCM_BIN:-build/pcmlab}
pot=assets/gst-fast.yace
[ -x "$bin" ] || { echo "no $bin"; exit 77; }
[ -f "$pot" ] || { echo "no $pot"; exit 77; }
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
small=(--atoms 100 --premelt 1500:1 --equil 1 --window 1000 --blocks 3 --threads 2)

out=$("$bin" transport "$pot" -o "$d/tr" "${small[@]}" --T 800,1600 --time 6) || fail "exit $?"
echo "$out"
csv=$d/tr/transport.csv
head -1 "$csv" | grep -q '^T,T_mean,density,atoms,ps,eta_mPas,eta_se_mPas,D_1e-5cm2s,D_Ge,D_Sb,D_Te,' \
    || fail "csv header: $(head -1 "$csv")"
[ "$(grep -c ',completed,' "$csv")" -eq 2 ] || fail "two completed rows expected: $(cat "$csv")"

python3 - "$d/tr" <<'EOF' || fail "recomputed values disagree"
import csv, sys, math
top = sys.argv[1]
rows = list(csv.DictReader(open(top + "/transport.csv")))
kB = 1.380649e-23
D = {}
for r in rows:
    T = float(r["T"]); Tm = float(r["T_mean"]); rho = float(r["density"]); n = int(r["atoms"])
    eta = float(r["eta_mPas"]); se = float(r["eta_se_mPas"])
    # volume from the final frame's lattice (NVT: the box of the whole sampling run)
    lat = open(f"{top}/T{T:.0f}K/final.extxyz").read().split('Lattice="')[1].split('"')[0].split()
    V = float(lat[0]) * float(lat[4]) * float(lat[8]) * 1e-30          # m^3 (cubic box)
    s = list(csv.DictReader(open(f"{top}/T{T:.0f}K/stress.csv")))
    t = [float(x["time_ps"]) for x in s]
    dt = (t[1] - t[0]) * 1e-12                                           # s
    assert abs(len(s) - 1 - 6.0 / (t[1] - t[0])) < 1e-6, len(s)
    comps = [[float(x[c]) * 1e5 for x in s] for c in ("pxy_bar", "pxz_bar", "pyz_bar")]   # Pa
    nlag = round(1.0e-12 / dt)
    acf = []
    for k in range(nlag):
        tot = 0.0; cnt = 0
        for p in comps:
            for i in range(len(p) - k):
                tot += p[i] * p[i + k]; cnt += 1
        acf.append(tot / cnt)
    integral = sum(0.5 * (acf[k] + acf[k + 1]) * dt for k in range(nlag - 1))
    eta_py = V / (kB * Tm) * integral * 1e3                               # mPa s
    print(f"T {T:g}: eta {eta:.4f} (recomputed {eta_py:.4f}) +- {se:.4f} mPa s, V {V*1e30:.1f} A^3, rho {rho}")
    assert abs(eta - eta_py) < 2e-3 * abs(eta_py) + 2e-4, (eta, eta_py)
    assert 0.02 < eta < 30, eta                 # a liquid metal-like melt: mPa s, not Pa s or uPa s
    acfrun = list(csv.DictReader(open(f"{top}/T{T:.0f}K/acf.csv")))
    assert abs(float(acfrun[-1]["eta_running_mPas"]) - eta) < 1e-3 * eta + 1e-4
    # D from the MSD file: slope over the last 4/5 of the run, / 6, in 1e-5 cm^2/s
    m = list(csv.DictReader(open(f"{top}/T{T:.0f}K/msd.csv")))
    pts = [(float(x["time_ps"]), float(x["msd_A2"])) for x in m if float(x["time_ps"]) >= 0.2 * 6.0 - 1e-9]
    mt = sum(p[0] for p in pts) / len(pts); mm = sum(p[1] for p in pts) / len(pts)
    slope = sum((p[0] - mt) * (p[1] - mm) for p in pts) / sum((p[0] - mt) ** 2 for p in pts)   # A^2/ps
    d_py = slope / 6 * 1e-16 / 1e-12 / 1e-5
    print(f"   D {float(r['D_1e-5cm2s']):.4f} (recomputed {d_py:.4f}) e-5 cm2/s")
    assert abs(float(r["D_1e-5cm2s"]) - d_py) < 1e-3 * d_py + 1e-3
    D[T] = d_py
    # Stokes-Einstein radius from the same numbers
    r_se = kB * Tm / (6 * math.pi * eta * 1e-3 * d_py * 1e-9) * 1e10
    assert abs(float(r["se_radius_A"]) - r_se) < 2e-3 * r_se + 2e-3, (r["se_radius_A"], r_se)
assert D[1600] > 1.5 * D[800], D                  # the hot liquid diffuses faster
EOF
grep -q '^| 800 | ' "$d/tr/report.md" || fail "report row"
if command -v gnuplot >/dev/null; then
    for f in viscosity.png msd.png; do
        [ "$(head -c 4 "$d/tr/$f" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "$f is not a PNG"
    done
fi
[ -z "$(find "$d/tr" -name '*.tmp*')" ] || fail "temporary files left"

# NVE: the energy is conserved (drift column, meV/atom/ps)
"$bin" transport "$pot" -o "$d/nve" "${small[@]}" --T 1200 --time 3 --nve > "$d/nve.log" 2>&1 || fail "nve run"
awk -F, 'NR==2 {d = $14 < 0 ? -$14 : $14; ok = $15 == "completed" && d < 0.05} END {exit !ok}' "$d/nve/transport.csv" \
    || fail "NVE drift: $(cat "$d/nve/transport.csv")"
grep -q '3 ps NVE' "$d/nve/report.md" || fail "report does not say NVE"

# bad options: a message, exit 1 or 2, no folder
for bad in "--T 0" "--T 900,abc" "--time 2 --window 1000 --blocks 3" "--every 0.5" "--atoms 5" "--density 40" \
           "--premelt 1500" "--fit-from 60" "--blocks 0"; do
    # shellcheck disable=SC2086
    "$bin" transport "$pot" -o "$d/bad" $bad > "$d/bad.log" 2>&1; rc=$?
    [ $rc -eq 1 ] || [ $rc -eq 2 ] || fail "'$bad' exit $rc"
    grep -q 'pcmlab' "$d/bad.log" || fail "'$bad' no message"
    [ ! -e "$d/bad" ] || fail "'$bad' left a folder"
done
"$bin" transport no-such.yace -o "$d/bad" > "$d/bad.log" 2>&1 && fail "missing potential accepted"
grep -q 'no-such.yace' "$d/bad.log" || fail "missing potential not named: $(cat "$d/bad.log")"

# SIGINT: the running temperature ends, the report says so, exit 130
"$bin" transport "$pot" -o "$d/int" "${small[@]}" --T 1200,1300 --time 200 > "$d/int.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q . "$d/int/T1200K/stress.csv.tmp"* 2>/dev/null && break; sleep 0.2; done
sleep 1
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || fail "SIGINT exit $rc: $(cat "$d/int.log")"
grep -q ',interrupted,' "$d/int/transport.csv" || fail "interrupted row: $(cat "$d/int/transport.csv")"
grep -q 'T1300K' <(ls "$d/int") && fail "the next temperature started after SIGINT"
grep -q '^| 1200 | .*interrupted |$' "$d/int/report.md" || fail "report after SIGINT"
echo "transport e2e passed"
