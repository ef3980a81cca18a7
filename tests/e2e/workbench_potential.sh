#!/usr/bin/env bash
# Default potential of the workbench: assets/gst-fast.yace, else assets/gst.yace, else the
# labelled LJ stand-in.  A malformed candidate is named (file:line) and skipped; the run goes
# on.  Uses a copy of the binary in a temp folder so the repository's own assets/ cannot
# interfere; a synthetic reference .yace (../shared) plays gst.yace.
set -u
cd "$(dirname "$0")/../.."
bin=$(realpath "${PCM_BIN:-build/pcmlab}")
ref=""
for d in "${PCM_SHARED:-../shared}" ../../shared; do [ -d "$d/ace-reference/potentials" ] && ref=$(realpath "$d/ace-reference/potentials") && break; done
[ -n "$ref" ] || { echo "SKIP: ../shared/ace-reference absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "--- out:"; cat "$tmp/out"; echo "--- err:"; cat "$tmp/err"; exit 1; }
mkdir -p "$tmp/bin" "$tmp/assets"
cp "$bin" "$tmp/bin/pcmlab"
run() { (cd "$tmp" && timeout 60 bin/pcmlab workbench --headless --steps 20 --set chunk=10 "$@" >out 2>err </dev/null); }
# nothing there: the LJ stand-in, labelled
run || fail "stand-in run failed"
grep -q '^# pcmlab workbench (headless): 256 atoms, potential LJ stand-in .*NOT GST physics' "$tmp/out" || fail "no stand-in label"
grep -q 'CPU, 1 thread' "$tmp/out" || fail "backend missing"
# gst.yace present (a synthetic reference potential) and a malformed gst-fast.yace
ln -s "$ref/GeSbTe_synth_zbl.yace" "$tmp/assets/gst.yace"
head -c 2000 "$ref/GeSbTe_synth_zbl.yace" > "$tmp/assets/gst-fast.yace"
echo "nonsense: [" >> "$tmp/assets/gst-fast.yace"
run || fail "run with a malformed gst-fast.yace failed"
grep -qE 'note: assets/gst-fast.yace(:[0-9]+)?: .*\(skipped\)' "$tmp/err" || fail "malformed gst-fast.yace not named"
grep -qE '^# pcmlab workbench \(headless\): 19[0-9] atoms, potential assets/gst.yace \(ACE .yace, fitted GST\), CPU, [0-9]+ thread' \
  "$tmp/out" || fail "gst.yace not used for rocksalt GST"
# rocksalt GST at the experimental crystal density (6.3 g/cm3)
awk '!/^#/ { d = $7 } END { exit !(d > 6.25 && d < 6.35) }' "$tmp/out" || fail "density not 6.3 g/cm3"
[ "$(grep -vc '^#' "$tmp/out")" -ge 2 ] || fail "no thermo lines"
# a good gst-fast.yace wins over gst.yace
rm "$tmp/assets/gst-fast.yace"; ln -s "$ref/GeSbTe_synth_zbl.yace" "$tmp/assets/gst-fast.yace"
run --cells 2 || fail "gst-fast run failed"
grep -qE 'potential assets/gst-fast.yace \(ACE .yace, fast GST fit\)' "$tmp/out" || fail "gst-fast.yace not preferred"
grep -qE '\(headless\): 5[0-9] atoms' "$tmp/out" || fail "--cells 2 did not give about 58 atoms"
# a potential named by the user that does not load: refused with its name, no fallback
(cd "$tmp" && bin/pcmlab workbench --headless --set potential=missing.yace </dev/null >out 2>err) && fail "missing potential accepted"
grep -q 'missing.yace' "$tmp/err" || fail "missing potential not named"
echo ok
