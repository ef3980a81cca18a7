#!/usr/bin/env bash
# One owner per external API: src/ includes no curses/SDL/GL; only ui/tui.c
# includes curses; only render/render.c includes SDL or GL; the front ends (ui/, render/) never
# call md_* (they go through src/sim.c); engine batch commands (src/cli_*.c) may.
set -u
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }
bad=$(grep -lE '#include *[<"](n?curses|SDL|epoxy|GL/|cuda_runtime)' src/*.c src/*.h 2>/dev/null)
[ -z "$bad" ] || fail "src/ includes UI/GL headers: $bad"
c=$(grep -lE '#include *[<"]n?curses' ui/*.c render/*.c | tr '\n' ' ')
[ "$c" = "ui/tui.c " ] || fail "curses included by: $c"
g=$(grep -lE '#include *[<"](SDL2?/|epoxy|GL/)' ui/*.c render/*.c | tr '\n' ' ')
[ "$g" = "render/render.c " ] || fail "SDL/GL included by: $g"
m=$(grep -lE '\bmd_(new|step|set_temperature|set_ensemble|init_velocities|thermo|free)\(' ui/*.c render/*.c src/*.c |
    grep -vE '^src/(md|md_.*|cli_.*|run)\.c$' | tr '\n' ' ')
[ "$m" = "src/sim.c " ] || fail "md_* called from: $m"
echo ok
