/* workbench.c - `pcmlab` / `pcmlab workbench [PRESET] [options]`: wires the
 * simulation thread (src/sim.h) to the terminal UI (tui.c) and the 3D view
 * (render.c).  Includes neither curses nor GL itself.
 *
 * Modes: terminal + display -> terminal UI and 3D window; terminal without
 * DISPLAY/WAYLAND_DISPLAY (or --no-window) -> terminal UI only, PNG/movie via
 * an offscreen renderer made on first use; no terminal (stdin or stdout not a
 * tty, or --headless) -> headless run printing thermo lines.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../render/render.h"
#include "../src/cli.h"
#include "../src/export.h"
#include "../src/plan.h"
#include "../src/preset.h"
#include "../src/sim.h"
#include "tui.h"

typedef struct wb {
    sim *s;
    render *r;             /* window or offscreen, may be NULL */
    int windowed;
    char outdir[512];
    char r_err[256];       /* why there is no 3D view */
    char movie[1024];      /* path of the movie being recorded */
    int png_w, png_h;
} wb;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static render *offscreen(wb *w, pcm_err *e)
{
    if (!w->r) {
        w->r = render_new(w->png_w, w->png_h, 0, e);
        w->windowed = 0;
    }
    return w->r;
}

static int hook_png(void *ctx, const sim_snapshot *snap, char *path, size_t cap, pcm_err *e)
{
    wb *w = ctx;
    if (!offscreen(w, e) || export_path(path, cap, w->outdir, "view", snap->th.step, "png", e) < 0)
        return -1;
    return render_png(w->r, snap, path, e);
}

static int hook_movie(void *ctx, int on, char *path, size_t cap, pcm_err *e)
{
    wb *w = ctx;
    if (!on) {
        if (w->r)
            render_movie_stop(w->r);
        snprintf(path, cap, "%s", w->movie);
        return 0;
    }
    sim_snapshot *snap = sim_acquire(w->s);
    long step = snap->th.step;
    sim_release(w->s, snap);
    if (!offscreen(w, e) || export_path(path, cap, w->outdir, "movie", step, "mp4", e) < 0)
        return -1;
    snprintf(w->movie, sizeof w->movie, "%s", path);
    return render_movie_start(w->r, path, e);
}

static const char *hook_color(void *ctx)
{
    wb *w = ctx;
    pcm_err e = {{0}};
    if (!offscreen(w, &e))
        return "unavailable (no OpenGL)";
    render_color c = (render_color)((render_get_color(w->r) + 1) % RENDER_NCOLOR);
    if (c == RENDER_COLOR_UNCERTAINTY && sim_get_config(w->s)->committee.k == 0)
        c = (render_color)((c + 1) % RENDER_NCOLOR);   /* nothing to show without a committee */
    render_set_color(w->r, c);
    return render_color_name(c);
}

static void hook_describe(void *ctx, char *buf, size_t cap)
{
    wb *w = ctx;
    if (w->r && w->windowed)
        snprintf(buf, cap, "3D: window %.1f ms/frame, %s%s", render_frame_ms(w->r), render_color_name(render_get_color(w->r)),
                 render_movie_active(w->r) ? ", REC" : "");
    else if (w->r)
        snprintf(buf, cap, "3D: offscreen, %s%s", render_color_name(render_get_color(w->r)),
                 render_movie_active(w->r) ? ", REC" : "");
    else
        snprintf(buf, cap, "3D: %s", w->r_err[0] ? w->r_err : "offscreen on demand (p = PNG)");
}

/* ------------------------------------------------------------ headless */
static int headless(sim *s, sim_preset preset, const char *preset_name, long steps)
{
    long seq = 0;
    int started = preset == SIM_PRESET_NONE, done = 0;
    sim_snapshot *p0 = sim_acquire(s);
    printf("# pcmlab workbench (headless): %d atoms, potential %s, %s, preset %s\n", p0->n, p0->potential_label,
           p0->backend, preset_name);
    sim_release(s, p0);
    int com = sim_get_config(s)->committee.k > 0;
    printf("# step time_ps T_target_K T_K pe_eV_atom P_bar density_gcc crystalline protocol progress%s\n",
           com ? " sigmaF_max_eV_A sigmaF_eV_A" : "");
    while (!done) {
        if (!sim_wait_newer(s, seq, 2000))
            continue;
        sim_snapshot *p = sim_acquire(s);
        seq = p->seq;
        if (p->preset != SIM_PRESET_NONE)
            started = 1;
        printf("%ld %.4f %.1f %.2f %.6f %.1f %.4f %.3f %s %.3f", p->th.step, p->th.time_ps, p->th.T_target, p->th.T,
               p->th.pe_atom, p->th.P, p->th.density, p->xtal_fraction, p->preset ? p->protocol_name : "none",
               p->protocol_progress);
        if (com)
            printf(" %.4f %.4f", p->sigma_f_max, p->sigma_f_frame);
        putchar('\n');
        fflush(stdout);
        if (preset != SIM_PRESET_NONE ? (started && p->preset == SIM_PRESET_NONE) : p->th.step >= steps)
            done = 1;
        if (p->paused && p->blowups)
            done = 1, fprintf(stderr, "pcmlab: %s\n", p->msg);
        sim_release(s, p);
    }
    return 0;
}

/* ------------------------------------------------------------ interactive */
static void loop(wb *w, tui *t)
{
    long tui_seq = -1, gl_seq = -1;
    double last_tui = 0, last_gl = 0;
    for (;;) {
        int mask = tui_poll(t);
        if (w->r && w->windowed) {
            int keys[32], nk;
            int ev = render_poll(w->r, keys, 32, &nk);
            for (int k = 0; k < nk; k++)
                mask |= tui_key(t, keys[k]);
            if (ev & RENDER_EV_CLOSE) {
                render_free(w->r);
                w->r = NULL;
                snprintf(w->r_err, sizeof w->r_err, "window closed (p still exports a PNG)");
                tui_status(t, "3D window closed; the terminal UI keeps running");
            } else if (ev & RENDER_EV_REDRAW) {
                gl_seq = -1;
            }
        }
        if (mask & TUI_QUIT)
            break;
        sim_snapshot *p = sim_acquire(w->s);
        double now = mono();
        if (mask || (p->seq != tui_seq && now - last_tui > 0.1) || now - last_tui > 0.5) {
            tui_draw(t);
            tui_seq = p->seq, last_tui = now;
        }
        if (w->r && (w->windowed || render_movie_active(w->r)) && p->seq != gl_seq && now - last_gl > 1.0 / 60) {
            render_draw(w->r, p);
            gl_seq = p->seq, last_gl = now;
        }
        sim_release(w->s, p);
        usleep(8000);
    }
}

/* --preset FILE at launch: everything in the file applies (potential with a fallback
 * when it is missing, structure, MD settings, schedule); --set options come after. */
static int launch_preset(sim_config *cfg, sim_plan *plan, const char *file, pcm_err *e)
{
    pcm_preset p;
    preset_defaults(&p);
    if (preset_load(&p, file, e) < 0) {
        preset_free(&p);
        return -1;
    }
    if (p.warnings)
        fprintf(stderr, "pcmlab: warning: %s", p.warnings);
    snprintf(cfg->potential, sizeof cfg->potential, "%s", p.potential);
    cfg->potential_fallback = 1;
    if (!strcmp(p.structure.kind, "file")) {
        snprintf(cfg->init_xyz, sizeof cfg->init_xyz, "%s", p.structure.file);
    } else {
        snprintf(cfg->structure, sizeof cfg->structure, "%s", p.structure.kind);
        cfg->cells = p.structure.cells;
        cfg->a = p.structure.a;
        cfg->vacancy_fraction = p.structure.vacancy_fraction;
        cfg->atoms = p.structure.atoms;
        cfg->min_dist = p.structure.min_dist;
        snprintf(cfg->composition, sizeof cfg->composition, "%.31s", p.structure.composition);
        cfg->structure_seed = (unsigned long long)p.structure.seed;
        /* rocksalt: the preset's lattice constant as written; liquid, interface: the packing density */
        cfg->density = strcmp(p.structure.kind, "rocksalt") ? p.structure.density : 0.0;
    }
    cfg->committee = p.committee;
    cfg->committee_warn = p.committee_warn;
    cfg->dt = p.md.dt;
    cfg->ensemble = p.md.ensemble;
    cfg->seed = p.md.seed;
    plan_from_preset(plan, &p, file, NULL);
    int done;
    protocol_target(&plan->proto, 0.0, &cfg->T0, &done);
    if (p.init_T >= 0)
        cfg->T0 = p.init_T;
    if (cfg->T0 < 1.0)
        cfg->T0 = 1.0;
    preset_free(&p);
    return 0;
}

/* Say which potential, backend and structure run (make run prints this before the UI). */
static void announce(sim *s, const char *preset_file, int to_stdout)
{
    const sim_config *c = sim_get_config(s);
    sim_snapshot *p = sim_acquire(s);
    if (to_stdout)   /* headless prints the same in its own "# ..." info line */
        printf("pcmlab workbench: potential %s; %s; %d atoms%s%s\n", p->potential_label, p->backend, p->n,
           preset_file ? "; preset " : "", preset_file ? preset_file : "");
    if (c->potential_note[0])
        fprintf(stderr, "pcmlab: note: %s\n", c->potential_note);
    fflush(stdout);
    sim_release(s, p);
}

static void usage(void)
{
    fprintf(stderr, "usage: pcmlab [workbench] [PRESET] [--preset FILE.cfg] [--cells N] [--set KEY=VALUE]... [--out DIR]\n"
                    "              [--no-window] [--headless] [--steps N] [--paused] [--png-size WxH]\n"
                    "PRESET: melt quench anneal cycle (short built-in schedules).  --preset runs a preset file\n"
                    "(potential, structure, MD settings, schedule; --set overrides it).  --cells N: rocksalt N^3 cells.\n"
                    "KEY: potential T cells a density structure atoms dt chunk xtal_every ensemble seed init rate\n"
                    "     committee=A.yace,B.yace,... (uncertainty, sigma_F every xtal_every chunks) committee_warn (eV/A)\n");
}

int cmd_workbench(int argc, char **argv)
{
    sim_config cfg;
    sim_config_default(&cfg);
    pcm_err e = {{0}};
    wb w = {.png_w = 800, .png_h = 600};
    snprintf(w.outdir, sizeof w.outdir, "pcmlab-out");
    sim_preset preset = SIM_PRESET_NONE;
    int no_window = 0, force_headless = 0, paused = 0, nsets = 0;
    long steps = 1000;
    const char *preset_file = NULL, **sets = pcm_calloc((size_t)argc + 1, sizeof *sets);
    char cells_kv[64];
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        if (!strcmp(a, "--set") && k + 1 < argc) {
            sets[nsets++] = argv[++k];   /* applied after --preset, so they override it */
        } else if (!strcmp(a, "--cells") && k + 1 < argc) {
            snprintf(cells_kv, sizeof cells_kv, "cells=%.50s", argv[++k]);
            sets[nsets++] = cells_kv;
        } else if (!strcmp(a, "--preset") && k + 1 < argc) {
            preset_file = argv[++k];
        } else if (!strcmp(a, "--out") && k + 1 < argc) {
            snprintf(w.outdir, sizeof w.outdir, "%s", argv[++k]);
        } else if (!strcmp(a, "--steps") && k + 1 < argc) {
            if (cli_int("--steps", argv[++k], &steps, &e) < 0)
                return cli_fail(&e);
        } else if (!strcmp(a, "--png-size") && k + 1 < argc) {
            if (sscanf(argv[++k], "%dx%d", &w.png_w, &w.png_h) != 2 || w.png_w < 16 || w.png_h < 16)
                return fprintf(stderr, "pcmlab: --png-size expects WxH, e.g. 800x600\n"), 2;
        } else if (!strcmp(a, "--no-window")) {
            no_window = 1;
        } else if (!strcmp(a, "--headless")) {
            force_headless = 1;
        } else if (!strcmp(a, "--paused")) {
            paused = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            free(sets);
            return 0;
        } else if (a[0] != '-' && preset == SIM_PRESET_NONE && sim_preset_from_name(a) != SIM_PRESET_NONE) {
            preset = sim_preset_from_name(a);
        } else {
            fprintf(stderr, "pcmlab: workbench: unknown argument '%s'\n", a);
            usage();
            free(sets);
            return 2;
        }
    }
    sim_plan plan;
    if (preset_file && launch_preset(&cfg, &plan, preset_file, &e) < 0) {
        free(sets);
        return cli_fail(&e);
    }
    for (int k = 0; k < nsets; k++)
        if (sim_config_set(&cfg, sets[k], &e) < 0) {
            free(sets);
            return cli_fail(&e);
        }
    free(sets);
    int tty = isatty(0) && isatty(1);
    w.s = sim_new(&cfg, paused, &e);
    if (!w.s)
        return cli_fail(&e);
    announce(w.s, preset_file, tty && !force_headless);
    if (preset_file) {
        if (sim_uses_standin(w.s))
            snprintf(plan.note, sizeof plan.note, "structure of %s not built: the LJ stand-in runs its own fcc crystal",
                     preset_file);
        sim_start_plan(w.s, &plan, NULL);
        preset = SIM_PRESET_FILE;
    } else if (preset != SIM_PRESET_NONE) {
        sim_send(w.s, (sim_cmd){SIM_CMD_PRESET, 0, preset}, NULL);
    }
    if (!tty || force_headless) {
        int rc = headless(w.s, preset, preset_file ? plan.name : sim_preset_name(preset), steps);
        sim_free(w.s);
        return rc;
    }
    const char *d = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    if (!no_window && ((d && *d) || (wl && *wl))) {
        w.r = render_new(900, 700, 1, &e);
        w.windowed = w.r != NULL;
        if (!w.r)
            snprintf(w.r_err, sizeof w.r_err, "no window (%.200s)", e.msg);
    }
    tui_hooks hooks = {&w, hook_png, hook_movie, hook_color, hook_describe};
    tui *t = tui_new(w.s, w.outdir, &hooks);
    loop(&w, t);
    tui_free(t);
    render_free(w.r);
    sim_free(w.s);
    return 0;
}
