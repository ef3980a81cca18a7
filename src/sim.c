/* sim.c - simulation thread, snapshots, command queue, time-series rings.
 *
 * The only file of the workbench that calls the MD engine (md_*).  See sim.h
 * for the threading contract.  One mutex guards the queue, the current
 * snapshot pointer, reference counts, the series rings and the statistics;
 * the engine itself is touched only by the sim thread.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <omp.h>
#include <unistd.h>
#include "ace.h"
#include "build.h"
#include "build_phases.h"
#include "gpu.h"
#include "extxyz.h"
#include "potential.h"
#include "protocol.h"
#include "rng.h"
#include "sim.h"
#if defined(__has_include)
#if __has_include("crystallinity.h")
#include "crystallinity.h"
#define SIM_HAVE_XTAL 1
#endif
#endif

#define SIM_QUEUE_CAP 64


struct sim {
    sim_config cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv_cmd, cv_pub;
    /* queue (mu) */
    sim_cmd q[SIM_QUEUE_CAP];
    int qhead, qlen;
    /* snapshots (mu) */
    sim_snapshot *cur;
    long seq, live, cmds_applied, chunks;
    sim_series ring;          /* ring storage: ring.n = count, rhead = oldest */
    int rhead;
    /* engine state (sim thread only) */
    pcm_system *sys, *sys0;
    pcm_potential *pot;
    pcm_md *md;
    unsigned char *xflags;
    int have_xtal;
    double xtal_rcut;         /* Å; 0 = the paper's 3.6 Å (GST); the LJ demo crystal needs its own shell */
    double xfrac, Q4, Q6;
    double T_dial;
    pcm_ensemble ens;
    int paused, step_once;
    _Atomic int quit;
    sim_preset preset;
    sim_plan *pending_plan;   /* (mu) handed over by sim_start_plan, taken by SIM_CMD_PLAN */
    char proto_name[64];
    char plan_note[PLAN_NOTE_LEN];
    pcm_md_params mdp;        /* current MD settings (dt fs, tau_T fs, P bar, ...) */
    char backend[96];         /* "CPU, 2 threads" */
    char gpu_backend[96];     /* "GPU NAME, sm_XY, N GiB": shown while the potential or MD runs there */
    int proto_paused;
    double proto_t;           /* ps into the schedule (its clock stops while the dial has control) */
    pcm_protocol proto;       /* the running schedule (protocol.h) */
    double ps_per_hour, us_per_atom_step;
    int blowups;
    char msg[SIM_MSG_LEN];
    long msg_seq;
    long chunk_count;
    pcm_committee *com;       /* NULL: no committee */
    double *sigf;             /* [n] sigma_F,i of the latest evaluation, eV/Å */
    committee_stats cst;      /* latest evaluation (cst_step < 0: none) */
    long cst_step;
};

/* ------------------------------------------------------------ names, config */
static const char *preset_names[SIM_PRESET_COUNT] = {"none", "melt", "quench", "anneal", "cycle"};

const char *sim_preset_name(sim_preset p)
{
    return p == SIM_PRESET_FILE ? "file" : p >= 0 && p < SIM_PRESET_COUNT ? preset_names[p] : "?";
}

sim_preset sim_preset_from_name(const char *name)
{
    for (int k = 1; k < SIM_PRESET_COUNT; k++)
        if (!strcasecmp(name, preset_names[k]))
            return k;
    if (!strcasecmp(name, "thermal-cycle") || !strcasecmp(name, "thermal_cycle"))
        return SIM_PRESET_CYCLE;
    return SIM_PRESET_NONE;
}

const char *sim_ensemble_name(pcm_ensemble e)
{
    switch (e) {
    case PCM_NVE: return "NVE";
    case PCM_NVT_BUSSI: return "NVT";
    case PCM_NVT_LANGEVIN: return "NVT-Langevin";
    case PCM_NPT_ISO: return "NPT";
    case PCM_NPT_Z: return "NPT-z";
    }
    return "?";
}

/* The one-key schedules (ps, K), short enough to watch live.  T_start is the
 * dial temperature when the key is pressed (the first ramp starts there). */
static int preset_protocol(sim_preset p, double T_start, pcm_protocol *pr)
{
    protocol_init(pr);
    switch (p) {
    case SIM_PRESET_MELT:
        protocol_ramp(pr, T_start, 1100.0, 5.0);
        protocol_hold(pr, 1100.0, 15.0);
        break;
    case SIM_PRESET_QUENCH:
        protocol_ramp(pr, T_start, 300.0, 10.0);
        protocol_hold(pr, 300.0, 5.0);
        break;
    case SIM_PRESET_ANNEAL:
        protocol_ramp(pr, T_start, 600.0, 2.0);
        protocol_hold(pr, 600.0, 40.0);
        break;
    case SIM_PRESET_CYCLE:
        protocol_ramp(pr, T_start, 1000.0, 5.0);
        protocol_hold(pr, 1000.0, 5.0);
        protocol_ramp(pr, 1000.0, 300.0, 5.0);
        protocol_hold(pr, 300.0, 5.0);
        protocol_ramp(pr, 300.0, 1000.0, 5.0);
        protocol_hold(pr, 1000.0, 5.0);
        protocol_ramp(pr, 1000.0, 300.0, 5.0);
        protocol_hold(pr, 300.0, 5.0);
        break;
    default:
        return 0;
    }
    return pr->nseg;
}

double sim_preset_duration(sim_preset p)
{
    pcm_protocol pr;
    return preset_protocol(p, 300.0, &pr) ? protocol_duration(&pr) : 0.0;
}

void sim_config_default(sim_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->structure, sizeof c->structure, "rocksalt");
    c->cells = 3;             /* 194 atoms: interactive on 2 cores with a paper-size ACE (README) */
    c->a = 6.02;
    c->density = 6.3;         /* experimental crystal density (SCIENCE.md) */
    c->vacancy_fraction = 0.2;
    c->atoms = 504;
    snprintf(c->composition, sizeof c->composition, "Ge2Sb2Te5");
    c->min_dist = 2.3;
    c->structure_seed = 1;
    c->T0 = 300.0;
    c->dt = 0.0;
    c->steps_per_chunk = 10;
    c->xtal_every = 5;
    c->ensemble = PCM_NVT_BUSSI;
    c->seed = 12345;
    c->committee_warn = COMMITTEE_WARN_DEFAULT;
}

static int parse_ensemble(const char *v, pcm_ensemble *out)
{
    static const struct { const char *n; pcm_ensemble e; } t[] = {
        {"nve", PCM_NVE}, {"nvt", PCM_NVT_BUSSI}, {"bussi", PCM_NVT_BUSSI}, {"langevin", PCM_NVT_LANGEVIN},
        {"npt", PCM_NPT_ISO}, {"npt_z", PCM_NPT_Z}, {"npt-z", PCM_NPT_Z}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (!strcasecmp(v, t[k].n))
            return *out = t[k].e, 0;
    return -1;
}

static int parse_num(const char *v, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d) || d < lo || d > hi)
        return -1;
    *out = d;
    return 0;
}

int sim_config_set(sim_config *c, const char *kv, pcm_err *e)
{
    const char *eq = strchr(kv, '=');
    if (!eq)
        return pcm_errf(e, NULL, 0, "--set %s: expected KEY=VALUE", kv);
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    const char *v = eq + 1;
    double d;
    if (!strcmp(key, "potential"))   /* named by the user: refused, not replaced, when it fails */
        return c->potential_fallback = 0, snprintf(c->potential, sizeof c->potential, "%s", v), 0;
    if (!strcmp(key, "init"))
        return snprintf(c->init_xyz, sizeof c->init_xyz, "%s", v), 0;
    if (!strcmp(key, "committee")) {   /* replaces a preset's list; "" = none */
        committee_list l = {0};
        pcm_err le = {{0}};
        if (*v && committee_list_add(&l, v, &le) < 0)
            return pcm_errf(e, NULL, 0, "--set committee=%s: %s", v, le.msg);
        if (l.k == 1)
            return pcm_errf(e, NULL, 0, "--set committee=%s: expected at least 2 potentials, A.yace,B.yace,...", v);
        c->committee = l;
        return 0;
    }
    if (!strcmp(key, "structure")) {
        if (strcmp(v, "rocksalt") && strcmp(v, "liquid") && strcmp(v, "interface"))
            return pcm_errf(e, NULL, 0, "--set structure=%s: expected rocksalt, liquid or interface", v);
        return snprintf(c->structure, sizeof c->structure, "%s", v), 0;
    }
    if (!strcmp(key, "ensemble"))
        return parse_ensemble(v, &c->ensemble) < 0
                   ? pcm_errf(e, NULL, 0, "--set ensemble=%s: expected nve, nvt, langevin, npt or npt_z", v)
                   : 0;
    struct { const char *k; double lo, hi; } num[] = {
        {"T", 1, 5000}, {"cells", 1, 12}, {"a", 4, 8}, {"dt", 0.01, 10}, {"chunk", 1, 100000},
        {"xtal_every", 1, 1000000}, {"seed", 0, 1e18}, {"rate", 0, 1e6}, {"atoms", 2, 1e6},
        {"density", 0.5, 20}, {"committee_warn", 1e-3, 1e3}};
    for (size_t k = 0; k < sizeof num / sizeof num[0]; k++) {
        if (strcmp(key, num[k].k))
            continue;
        if (parse_num(v, num[k].lo, num[k].hi, &d) < 0)
            return pcm_errf(e, NULL, 0, "--set %s=%s: expected a number in [%g, %g]", key, v, num[k].lo, num[k].hi);
        switch (k) {
        case 0: c->T0 = d; break;
        case 1: c->cells = (int)d; break;
        case 2: c->a = d, c->density = 0.0; break;
        case 3: c->dt = d; break;
        case 4: c->steps_per_chunk = (int)d; break;
        case 5: c->xtal_every = (int)d; break;
        case 6: c->seed = (unsigned long long)d; break;
        case 7: c->max_chunk_rate = d; break;
        case 8: c->atoms = (int)d; break;
        case 9: c->density = d; break;
        default: c->committee_warn = d; break;
        }
        return 0;
    }
    return pcm_errf(e, NULL, 0, "--set %s: unknown key (known: potential T cells a density structure atoms dt chunk xtal_every ensemble seed init rate committee committee_warn)",
                    key);
}

/* ------------------------------------------------------------ setup */
/* The shipped potentials, in order of preference: the distilled student made for
 * live use, then the accurate fit; each looked for in ./assets and beside the binary
 * (bin/../assets).  When none loads, the LJ stand-in runs (labelled as such).
 * The synthetic GeSbTe_synth_*.yace reference potentials are deliberately NOT a
 * fallback: their coefficients are random, and rocksalt GST collapses into their
 * deep spurious minima within 0.3 ps (PE -0.5 -> -1.5 eV/atom, T -> 10^4 K, with
 * energy conserved), which shows nothing; they can still be chosen with
 * --set potential=PATH. */
static const char *const default_potentials[] = {"gst-fast.yace", "gst.yace"};

/* eps 0.08 eV, sigma 3.13 Å: fcc at rho* = 0.90 has 5.5 g/cm³ with GST masses */
#define SIM_LJ_SPEC "lj:0.08,3.13,7.0"
#define SIM_LJ_A 5.15   /* Å, fcc lattice constant at rho* = 0.90 */
#define SIM_LJ_XTAL_RCUT 4.4   /* Å, between its first (3.64 Å) and second (5.15 Å) neighbour shells */

static void note_add(sim_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_add(sim_config *c, const char *fmt, ...)
{
    size_t n = strlen(c->potential_note);
    if (n && n + 3 < sizeof c->potential_note)
        n += snprintf(c->potential_note + n, sizeof c->potential_note - n, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->potential_note + n, sizeof c->potential_note - n, fmt, ap);
    va_end(ap);
}

static const char *path_base(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

/* "assets/gst.yace (ACE .yace, fitted GST)" and the like. */
static void potential_label(sim_config *c, const pcm_potential *p, const char *shown)
{
    const char *kind = p->ops->kind, *b = path_base(c->potential);
    const char *what = !strcmp(kind, "ace") ? "ACE .yace" : !strcmp(kind, "sum") ? "ACE + D2 dispersion"
                       : !strcmp(kind, "lj") ? "Lennard-Jones" : kind;
    const char *extra = !strcmp(c->potential, SIM_LJ_SPEC) ? ", stand-in, NOT GST physics"
                        : !strcmp(kind, "lj")            ? ", test potential, not physical"
                        : strstr(b, "synth")             ? ", synthetic test potential, not physical"
                        : !strncmp(b, "gst-fast.yace", 13) ? ", fast GST fit"
                        : !strncmp(b, "gst.yace", 8)     ? ", fitted GST"
                                                         : "";
    snprintf(c->potential_label, sizeof c->potential_label, "%.100s (%s%s)", shown, what, extra);
}

static pcm_potential *default_potential(sim_config *c, pcm_err *e)
{
    char exe[1024] = "", seen[8][1100];
    int nseen = 0;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    if (strrchr(exe, '/'))
        *strrchr(exe, '/') = 0;
    for (size_t k = 0; k < sizeof default_potentials / sizeof *default_potentials; k++)
        for (int where = 0; where < 2; where++) {
            char path[1100], real[PATH_MAX + 1];
            if (where == 0)
                snprintf(path, sizeof path, "assets/%s", default_potentials[k]);
            else if (exe[0])
                snprintf(path, sizeof path, "%.1000s/../assets/%s", exe, default_potentials[k]);
            else
                continue;
            if (access(path, F_OK) != 0 || !realpath(path, real))
                continue;   /* absent: the normal case before the fit ships */
            int dup = 0;
            for (int m = 0; m < nseen; m++)
                dup |= !strcmp(seen[m], real);
            if (dup || nseen == 8)
                continue;
            snprintf(seen[nseen++], sizeof seen[0], "%.1000s", real);
            pcm_err e2 = {{0}};
            pcm_potential *p = potential_load(path, &e2);
            if (!p) {
                note_add(c, "%.300s (skipped)", e2.msg);
                continue;
            }
            snprintf(c->potential, sizeof c->potential, "%.500s", path);
            char shown[64];   /* both places are "assets/NAME" to a user */
            snprintf(shown, sizeof shown, "assets/%s", default_potentials[k]);
            potential_label(c, p, shown);
            return p;
        }
    snprintf(c->potential, sizeof c->potential, "%s", SIM_LJ_SPEC);
    pcm_potential *p = potential_load(SIM_LJ_SPEC, e);
    if (p)
        snprintf(c->potential_label, sizeof c->potential_label,
                 "LJ stand-in %s (NOT GST physics; no usable assets/gst-fast.yace or gst.yace)", SIM_LJ_SPEC);
    return p;
}

static pcm_potential *load_potential(sim_config *c, pcm_err *e)
{
    if (c->potential[0]) {
        pcm_err e2 = {{0}};
        pcm_potential *p = potential_load(c->potential, &e2);
        if (p) {
            if (!c->potential_label[0])
                potential_label(c, p, c->potential);
            return p;
        }
        if (!c->potential_fallback) {
            *e = e2;
            return NULL;
        }
        note_add(c, "%.300s (the preset's potential; using the default)", e2.msg);
        c->potential[0] = 0;
    }
    return default_potential(c, e);
}

/* "CPU, 2 threads" and "GPU <name>" (snap_build shows the one in use); PCM_GPU=1
 * without a working GPU is noted. */
static void backend_describe(sim *s)
{
    char name[160] = "";
    int have = gpu_available(name, sizeof name);
    snprintf(s->gpu_backend, sizeof s->gpu_backend, "GPU %.80s", have ? name : "");
    if (gpu_requested() && !ace_potential_on_gpu(s->pot)) {
        if (!have)
            note_add(&s->cfg, "PCM_GPU=1 but no usable GPU (%.200s): running on the CPU", name);
        else
            note_add(&s->cfg, "PCM_GPU=1: this potential has no GPU path, running on the CPU");
    }
    int nth = !strcmp(s->pot->ops->kind, "lj") ? 1 : s->pot->nthreads > 0 ? s->pot->nthreads : omp_get_max_threads();
    snprintf(s->backend, sizeof s->backend, "CPU, %d thread%s", nth, nth == 1 ? "" : "s");
}

/* Demo crystal for the LJ test potential: fcc (the structure LJ likes; LJ
 * cannot hold rocksalt, whose sublattices form an unstable simple cubic) at
 * rho* = 0.90, with Ge:Sb:Te = 2:2:5 labels shuffled over the sites, so the
 * fallback still shows "GST" atoms melting (above ~850 K for a perfect
 * periodic crystal) and recrystallising.  Labels carry masses only. */
static pcm_system *lj_demo_crystal(int cells, unsigned long long seed)
{
    static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    static const char *sym[3] = {"Ge", "Sb", "Te"};
    int n = 4 * cells * cells * cells, *lab = pcm_malloc(sizeof *lab * n);
    for (int i = 0; i < n; i++)
        lab[i] = i < 2 * n / 9 ? 0 : i < 4 * n / 9 ? 1 : 2;
    pcm_rng r;
    rng_seed(&r, seed);
    for (int i = n - 1; i > 0; i--) {
        int j = rng_int(&r, i + 1), t = lab[i];
        lab[i] = lab[j], lab[j] = t;
    }
    pcm_system *s = system_new();
    for (int k = 0, i = 0; k < cells * cells * cells; k++)
        for (int b = 0; b < 4; b++, i++) {
            int cx = k % cells, cy = (k / cells) % cells, cz = k / (cells * cells);
            double x[3] = {(cx + basis[b][0]) * SIM_LJ_A, (cy + basis[b][1]) * SIM_LJ_A, (cz + basis[b][2]) * SIM_LJ_A};
            system_add_atom(s, sym[lab[i]], x);
        }
    cell_set_ortho(&s->cell, cells * SIM_LJ_A, cells * SIM_LJ_A, cells * SIM_LJ_A);
    free(lab);
    return s;
}

static pcm_system *initial_system(const sim_config *c, pcm_err *e)
{
    if (c->init_xyz[0]) {
        pcm_frame *fr = xyz_read_first(c->init_xyz, e);
        if (!fr)
            return NULL;
        pcm_system *s = fr->sys;
        fr->sys = NULL;
        frame_free(fr);
        return s;
    }
    if (!strcmp(c->potential, SIM_LJ_SPEC))
        return lj_demo_crystal(c->cells + 1, c->seed);   /* fcc: one more cell for a similar atom count */
    if (!strcmp(c->structure, "liquid"))
        return build_liquid(c->atoms, c->density > 0 ? c->density : 5.9, c->composition, c->min_dist,
                            c->structure_seed, e);
    if (!strcmp(c->structure, "interface"))
        return build_interface_cube(c->cells, c->a, c->density > 0 ? c->density : 5.9, c->min_dist,
                                    c->structure_seed, e);
    pcm_system *s = build_rocksalt(c->cells, c->a, c->vacancy_fraction, c->structure_seed, e);
    if (s && c->density > 0) {   /* scale the lattice to the requested density */
        double f = cbrt(system_density(s) / c->density) - 1.0, eps[6] = {f, f, f, 0, 0, 0};
        build_strain(s, eps);
    }
    return s;
}

static int engine_start(sim *s, pcm_err *e)
{
    pcm_md_params p = s->mdp;
    p.T = s->T_dial;
    p.ensemble = s->ens;
    s->md = md_new(s->sys, s->pot, &p, e);
    if (!s->md)
        return -1;
    md_init_velocities(s->md, s->T_dial, s->cfg.seed);
    return 0;
}

/* ------------------------------------------------------------ snapshots */
unsigned long long sim_snapshot_checksum(const sim_snapshot *snap)
{
    unsigned long long h = 1469598103934665603ull ^ (unsigned long long)snap->seq;
    const unsigned char *b = (const unsigned char *)snap->x;
    for (size_t k = 0; k < sizeof *snap->x * (size_t)snap->n; k++)
        h = (h ^ b[k]) * 1099511628211ull;
    for (int i = 0; i < snap->n; i++)
        h = (h ^ (unsigned)snap->type[i]) * 1099511628211ull;
    return h ^ (unsigned long long)snap->n;
}

static void snap_free(sim_snapshot *snap)
{
    free(snap->type);
    free(snap->x);
    free(snap->pe);
    free(snap->xtal);
    free(snap->sigma_f);
    free(snap);
}

static void set_msg(sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_msg(sim *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    s->msg_seq++;
}

static sim_snapshot *snap_build(sim *s)
{
    const pcm_system *y = s->sys;
    sim_snapshot *snap = sim_snapshot_from_system(y, s->have_xtal ? s->xflags : NULL);
    md_thermo(s->md, &snap->th);
    snap->ensemble = s->ens;
    snap->paused = s->paused;
    snap->xtal_fraction = s->have_xtal ? s->xfrac : -1.0;
    snap->Q4 = s->Q4;
    snap->Q6 = s->Q6;
    snap->preset = s->preset;
    snap->protocol_paused = s->proto_paused;
    snap->protocol_progress = s->preset ? protocol_progress(&s->proto, s->proto_t) : 0.0;
    if (s->preset) {
        snprintf(snap->protocol_name, sizeof snap->protocol_name, "%s", s->proto_name);
        snap->protocol_t = s->proto_t;
        snap->protocol_total = protocol_duration(&s->proto);
        memcpy(snap->plan_note, s->plan_note, sizeof snap->plan_note);
    }
    snap->ps_per_hour = s->ps_per_hour;
    snap->us_per_atom_step = s->us_per_atom_step;
    snap->blowups = s->blowups;
    snprintf(snap->potential_label, sizeof snap->potential_label, "%s", s->cfg.potential_label);
    snprintf(snap->backend, sizeof snap->backend, "%s",
             md_device_mode(s->md) == MD_DEVICE_GPU || ace_potential_on_gpu(s->pot) ? s->gpu_backend : s->backend);
    memcpy(snap->msg, s->msg, sizeof snap->msg);
    snap->msg_seq = s->msg_seq;
    snap->sigma_warn = s->cfg.committee_warn;
    if (s->com && s->cst_step >= 0) {
        snap->committee_k = committee_size(s->com);
        snap->sigma_f = pcm_malloc(sizeof *snap->sigma_f * (y->n + 1));
        memcpy(snap->sigma_f, s->sigf, sizeof *snap->sigma_f * y->n);
        snap->sigma_f_max = s->cst.sigma_f_max;
        snap->sigma_f_frame = s->cst.sigma_f;
        snap->sigma_step = s->cst_step;
    }
    return snap;
}

sim_snapshot *sim_snapshot_from_system(const pcm_system *y, const unsigned char *xtal)
{
    sim_snapshot *snap = pcm_calloc(1, sizeof *snap);
    snap->n = y->n;
    snap->nspecies = y->nspecies;
    memcpy(snap->species, y->species, sizeof snap->species);
    snap->type = pcm_malloc(sizeof *snap->type * (y->n + 1));
    snap->x = pcm_malloc(sizeof *snap->x * (y->n + 1));
    snap->pe = pcm_malloc(sizeof *snap->pe * (y->n + 1));
    snap->xtal = pcm_malloc(y->n + 1);
    memcpy(snap->type, y->type, sizeof *snap->type * y->n);
    memcpy(snap->x, y->x, sizeof *snap->x * y->n);
    memcpy(snap->pe, y->pe, sizeof *snap->pe * y->n);
    if (xtal)
        memcpy(snap->xtal, xtal, y->n);
    else
        memset(snap->xtal, SIM_XTAL_UNKNOWN, y->n);
    snap->cell = y->cell;
    snap->th.step = y->step;
    snap->th.time_ps = y->time * 1e-3;
    snap->th.T = system_temperature(y, 0);
    snap->th.pe_atom = y->n ? y->energy / y->n : 0;
    snap->th.density = system_density(y);
    snap->xtal_fraction = -1;
    snap->sigma_f_max = snap->sigma_f_frame = NAN;
    snap->sigma_warn = COMMITTEE_WARN_DEFAULT;
    snap->refs_ = 1;
    snap->checksum = sim_snapshot_checksum(snap);
    return snap;
}

void sim_snapshot_free(sim_snapshot *snap)
{
    if (snap)
        snap_free(snap);
}

int sim_crystallinity(const pcm_system *sys, unsigned char *flags, double *fraction, pcm_err *e)
{
#ifdef SIM_HAVE_XTAL
    pcm_xtal_summary sum;
    if (xtal_compute(sys, NULL, flags, NULL, &sum, e) < 0)
        return -1;
    *fraction = sum.fraction;
    return 0;
#else
    (void)sys, (void)flags, (void)fraction;
    return pcm_errf(e, NULL, 0, "crystallinity analysis not built in yet (analysis module missing)");
#endif
}

static void publish(sim *s)
{
    sim_snapshot *snap = snap_build(s);
    pthread_mutex_lock(&s->mu);
    snap->seq = ++s->seq;
    snap->checksum = sim_snapshot_checksum(snap);
    snap->refs_ = 1;
    s->live++;
    sim_snapshot *old = s->cur;
    s->cur = snap;
    if (old && --old->refs_ == 0) {
        snap_free(old);
        s->live--;
    }
    pthread_cond_broadcast(&s->cv_pub);
    pthread_mutex_unlock(&s->mu);
}

sim_snapshot *sim_acquire(sim *s)
{
    pthread_mutex_lock(&s->mu);
    sim_snapshot *snap = s->cur;
    snap->refs_++;
    pthread_mutex_unlock(&s->mu);
    return snap;
}

void sim_release(sim *s, sim_snapshot *snap)
{
    if (!snap)
        return;
    pthread_mutex_lock(&s->mu);
    if (--snap->refs_ == 0) {
        snap_free(snap);
        s->live--;
    }
    pthread_mutex_unlock(&s->mu);
}

int sim_wait_newer(sim *s, long seq, int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&s->mu);
    while (s->seq <= seq)
        if (pthread_cond_timedwait(&s->cv_pub, &s->mu, &ts))
            break;
    int r = s->seq > seq;
    pthread_mutex_unlock(&s->mu);
    return r;
}

const sim_config *sim_get_config(const sim *s) { return &s->cfg; }

int sim_uses_standin(const sim *s) { return !strcmp(s->cfg.potential, SIM_LJ_SPEC); }

void sim_get_stats(sim *s, sim_stats *st)
{
    pthread_mutex_lock(&s->mu);
    *st = (sim_stats){s->live, s->seq, s->cmds_applied, s->chunks};
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------ series rings */
static void series_push(sim *s, const pcm_thermo *th)
{
    pthread_mutex_lock(&s->mu);
    sim_series *r = &s->ring;
    int slot;
    if (r->n < SIM_SERIES_CAP)
        slot = (s->rhead + r->n++) % SIM_SERIES_CAP;
    else
        slot = s->rhead, s->rhead = (s->rhead + 1) % SIM_SERIES_CAP;
    r->t[slot] = th->time_ps;
    r->pe[slot] = th->pe_atom;
    r->T[slot] = th->T;
    r->rho[slot] = th->density;
    r->xf[slot] = s->have_xtal ? s->xfrac : NAN;
    r->sfmax[slot] = s->cst_step >= 0 ? s->cst.sigma_f_max : NAN;
    r->sf[slot] = s->cst_step >= 0 ? s->cst.sigma_f : NAN;
    r->committee = s->com != NULL;
    pthread_mutex_unlock(&s->mu);
}

void sim_series_copy(sim *s, sim_series *out)
{
    pthread_mutex_lock(&s->mu);
    const sim_series *r = &s->ring;
    out->n = r->n;
    for (int k = 0; k < r->n; k++) {
        int j = (s->rhead + k) % SIM_SERIES_CAP;
        out->t[k] = r->t[j], out->pe[k] = r->pe[j], out->T[k] = r->T[j];
        out->rho[k] = r->rho[j], out->xf[k] = r->xf[j];
        out->sfmax[k] = r->sfmax[j], out->sf[k] = r->sf[j];
    }
    out->committee = s->com != NULL;
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------ commands */
int sim_send(sim *s, sim_cmd cmd, pcm_err *e)
{
    pthread_mutex_lock(&s->mu);
    if (s->qlen == SIM_QUEUE_CAP) {
        pthread_mutex_unlock(&s->mu);
        return pcm_errf(e, NULL, 0, "command queue full (the engine is busy); try again");
    }
    s->q[(s->qhead + s->qlen++) % SIM_QUEUE_CAP] = cmd;
    pthread_cond_signal(&s->cv_cmd);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int sim_set_T(sim *s, double T, pcm_err *e)
{
    if (!isfinite(T) || T < 1.0 || T > 5000.0)
        return pcm_errf(e, NULL, 0, "temperature %g K refused: expected 1 to 5000 K", T);
    return sim_send(s, (sim_cmd){SIM_CMD_SET_T, T, 0}, e);
}

int sim_start_plan(sim *s, const sim_plan *pl, pcm_err *e)
{
    sim_plan *copy = pcm_malloc(sizeof *copy), *old;
    *copy = *pl;
    pthread_mutex_lock(&s->mu);
    old = s->pending_plan;
    s->pending_plan = copy;
    pthread_mutex_unlock(&s->mu);
    free(old);   /* a plan not yet applied is replaced: the latest wins */
    return sim_send(s, (sim_cmd){SIM_CMD_PLAN, 0, 0}, e);
}

int sim_load_preset(sim *s, const char *file, char *note, size_t cap, pcm_err *e)
{
    sim_plan pl;
    /* cfg is fixed once the thread runs, and sys->n never changes: safe to read here */
    plan_running run = {s->cfg.potential, s->sys0->n};
    if (plan_load(&pl, file, &run, e) < 0 || sim_start_plan(s, &pl, e) < 0)
        return -1;
    if (note)
        snprintf(note, cap, "%s", pl.note);
    return 0;
}

static void xtal_update(sim *s)
{
#ifdef SIM_HAVE_XTAL
    pcm_xtal_summary sum;
    pcm_err e = {{0}};
    pcm_xtal_params par;
    xtal_params_default(&par);
    if (s->xtal_rcut > 0)
        par.rcut = s->xtal_rcut;
    pcm_xtal_atoms at = {.flags = s->xflags};
    if (xtal_compute_ex(s->sys, NULL, &par, &at, &sum, &e) == 0) {
        s->have_xtal = 1;
        s->xfrac = sum.fraction, s->Q4 = sum.Q4, s->Q6 = sum.Q6;
    }
#else
    (void)s;
#endif
}

/* The committee on the current atoms (K force evaluations: called at the analysis
 * interval only).  Crossing the threshold upwards puts a warning on the status line. */
static void committee_update(sim *s)
{
    if (!s->com)
        return;
    pcm_err e = {{0}};
    int was_above = s->cst_step >= 0 && s->cst.sigma_f_max > s->cfg.committee_warn;
    if (committee_eval(s->com, s->sys, s->sigf, NULL, &s->cst, &e) < 0) {
        s->cst_step = -1;
        set_msg(s, "committee refused: %.200s", e.msg);
        return;
    }
    s->cst_step = s->sys->step;
    if (s->cst.sigma_f_max > s->cfg.committee_warn && !was_above)
        set_msg(s, "model uncertain: extrapolating (max sigma_F %.2f eV/A > %.2g at step %ld)", s->cst.sigma_f_max,
                s->cfg.committee_warn, s->cst_step);
}

static void do_reset(sim *s)
{
    md_free(s->md);
    s->md = NULL;
    system_free(s->sys);
    s->sys = system_copy(s->sys0);
    s->preset = SIM_PRESET_NONE;
    s->proto_paused = 0;
    s->have_xtal = 0;
    pcm_err e = {{0}};
    if (engine_start(s, &e) < 0)
        pcm_fatal("reset: engine refused the initial structure it accepted before: %s", e.msg);
    pthread_mutex_lock(&s->mu);
    s->ring.n = 0;
    s->rhead = 0;
    pthread_mutex_unlock(&s->mu);
    xtal_update(s);
    s->cst_step = -1;
    committee_update(s);
    set_msg(s, "reset to the initial structure at %.0f K", s->T_dial);
}

/* A preset file on the live system: a new engine on the current atoms and velocities
 * with the preset's MD settings, then its schedule.  A refusal leaves everything as it was. */
static void apply_plan(sim *s, const sim_plan *pl)
{
    pcm_err e = {{0}};
    double T0;
    int done;
    protocol_target(&pl->proto, 0.0, &T0, &done);
    pcm_md_params p = pl->md;
    p.T = T0;
    pcm_md *m = md_new(s->sys, s->pot, &p, &e);
    if (!m) {
        set_msg(s, "%s refused: %s", pl->file, e.msg);
        return;
    }
    md_free(s->md);
    s->md = m;
    s->mdp = p;
    s->ens = p.ensemble;
    s->T_dial = T0;
    s->proto = pl->proto;
    s->preset = SIM_PRESET_FILE;
    snprintf(s->proto_name, sizeof s->proto_name, "%s", pl->name);
    snprintf(s->plan_note, sizeof s->plan_note, "%s", pl->note);
    s->proto_t = 0.0;
    s->proto_paused = 0;
    s->paused = 0;
    char d[32];
    plan_format_duration(protocol_duration(&pl->proto), d, sizeof d);
    set_msg(s, "%s started from %.200s (%s, %s, dt %g fs)", pl->name, pl->file, d, sim_ensemble_name(s->ens), p.dt);
}

static void apply(sim *s, const sim_cmd *c)
{
    pcm_err e = {{0}};
    switch (c->kind) {
    case SIM_CMD_SET_T:
        s->T_dial = c->value;
        md_set_temperature(s->md, c->value);
        if (s->preset && !s->proto_paused) {
            s->proto_paused = 1;
            set_msg(s, "%s paused: the dial took over at %.0f K (c continues the protocol)", s->proto_name,
                    c->value);
        }
        break;
    case SIM_CMD_SET_ENSEMBLE:
        if (md_set_ensemble(s->md, (pcm_ensemble)c->ivalue, &e) < 0)
            set_msg(s, "ensemble change refused: %s", e.msg);
        else
            s->ens = (pcm_ensemble)c->ivalue, set_msg(s, "ensemble now %s", sim_ensemble_name(s->ens));
        break;
    case SIM_CMD_PAUSE: s->paused = 1; break;
    case SIM_CMD_RESUME: s->paused = 0; break;
    case SIM_CMD_TOGGLE_PAUSE: s->paused = !s->paused; break;
    case SIM_CMD_STEP: s->paused = 1, s->step_once = 1; break;
    case SIM_CMD_RESET: do_reset(s); break;
    case SIM_CMD_PRESET:
        if (!preset_protocol((sim_preset)c->ivalue, s->T_dial, &s->proto))
            break;
        s->preset = (sim_preset)c->ivalue;
        snprintf(s->proto_name, sizeof s->proto_name, "%s", sim_preset_name(s->preset));
        s->plan_note[0] = 0;
        s->proto_t = 0.0;
        s->proto_paused = 0;
        s->paused = 0;
        set_msg(s, "%s started (%.0f ps)", sim_preset_name(s->preset), sim_preset_duration(s->preset));
        break;
    case SIM_CMD_PLAN: {
        pthread_mutex_lock(&s->mu);
        sim_plan *pl = s->pending_plan;
        s->pending_plan = NULL;
        pthread_mutex_unlock(&s->mu);
        if (pl)
            apply_plan(s, pl);
        free(pl);
        break;
    }
    case SIM_CMD_PROTOCOL_RESUME:
        if (s->preset && s->proto_paused)
            s->proto_paused = 0, set_msg(s, "%s continues", s->proto_name);
        break;
    case SIM_CMD_PROTOCOL_STOP:
        if (s->preset)
            set_msg(s, "%s stopped", s->proto_name);
        s->preset = SIM_PRESET_NONE;
        break;
    case SIM_CMD_QUIT: s->quit = 1; break;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void run_chunk(sim *s)
{
    if (s->preset && !s->proto_paused) {
        double T;
        int done;
        protocol_target(&s->proto, s->proto_t, &T, &done);
        s->T_dial = T;
        md_set_temperature(s->md, T);
        if (done) {
            set_msg(s, "%s finished at %.0f K", s->proto_name, T);
            s->preset = SIM_PRESET_NONE;
        }
    }
    pcm_err e = {{0}};
    double t0 = now_s();
    int steps = s->cfg.steps_per_chunk;
    if (md_step(s->md, steps, &e) < 0) {
        s->blowups++;
        s->paused = 1;
        set_msg(s, "engine blew up, last good state restored, paused: %s", e.msg);
    }
    double wall = now_s() - t0;
    if (wall > 0 && s->sys->n > 0) {
        double us = wall * 1e6 / ((double)s->sys->n * steps);
        double psh = steps * s->mdp.dt * 1e-3 / wall * 3600.0;
        double a = s->us_per_atom_step > 0 ? 0.2 : 1.0;
        s->us_per_atom_step += a * (us - s->us_per_atom_step);
        s->ps_per_hour += a * (psh - s->ps_per_hour);
    }
    if (s->preset && !s->proto_paused)
        s->proto_t += steps * s->mdp.dt * 1e-3;
    if (++s->chunk_count % s->cfg.xtal_every == 0) {   /* the analysis interval */
        xtal_update(s);
        committee_update(s);
    }
    pcm_thermo th;
    md_thermo(s->md, &th);
    series_push(s, &th);
    pthread_mutex_lock(&s->mu);
    s->chunks++;
    pthread_mutex_unlock(&s->mu);
}

static void *sim_main(void *arg)
{
    sim *s = arg;
    double last = now_s();
    while (!s->quit) {
        sim_cmd batch[SIM_QUEUE_CAP];
        int nb = 0;
        pthread_mutex_lock(&s->mu);
        while (s->qlen == 0 && s->paused && !s->step_once && !s->quit) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100000000L;
            if (ts.tv_nsec >= 1000000000L)
                ts.tv_sec++, ts.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&s->cv_cmd, &s->mu, &ts);
        }
        while (s->qlen)
            batch[nb++] = s->q[s->qhead], s->qhead = (s->qhead + 1) % SIM_QUEUE_CAP, s->qlen--;
        s->cmds_applied += nb;
        pthread_mutex_unlock(&s->mu);
        long mseq = s->msg_seq;
        for (int k = 0; k < nb; k++)
            apply(s, &batch[k]);
        if (s->quit)
            break;
        if (!s->paused || s->step_once) {
            s->step_once = 0;
            run_chunk(s);
            publish(s);
        } else if (nb || mseq != s->msg_seq) {
            publish(s);          /* show the effect of commands while paused */
        }
        if (s->cfg.max_chunk_rate > 0) {
            double wait = 1.0 / s->cfg.max_chunk_rate - (now_s() - last);
            if (wait > 0) {
                struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
        last = now_s();
    }
    return NULL;
}

/* ------------------------------------------------------------ lifecycle */
sim *sim_new(const sim_config *c, int start_paused, pcm_err *e)
{
    sim *s = pcm_calloc(1, sizeof *s);
    s->cfg = *c;
    if (s->cfg.steps_per_chunk < 1)
        s->cfg.steps_per_chunk = 1;
    if (s->cfg.xtal_every < 1)
        s->cfg.xtal_every = 1;
    s->T_dial = c->T0;
    s->ens = c->ensemble;
    s->xfrac = -1;
    s->pot = load_potential(&s->cfg, e);
    if (!s->pot)
        goto fail;
    md_params_default(&s->mdp);
    s->mdp.dt = c->dt > 0 ? c->dt : !strcmp(s->pot->ops->kind, "lj") ? 2.0 : 1.0;   /* ACE: the paper's 1 fs */
    s->mdp.seed = c->seed;
    s->cfg.dt = s->mdp.dt;
    backend_describe(s);
    s->sys = initial_system(&s->cfg, e);
    if (!s->sys)
        goto fail;
    s->sys0 = system_copy(s->sys);
    if (!strcmp(s->cfg.potential, SIM_LJ_SPEC))
        s->xtal_rcut = SIM_LJ_XTAL_RCUT;
    if (engine_start(s, e) < 0)
        goto fail;
    s->xflags = pcm_calloc(s->sys->n + 1, 1);
    s->cst_step = -1;
    if (s->cfg.committee_warn <= 0)
        s->cfg.committee_warn = COMMITTEE_WARN_DEFAULT;
    if (s->cfg.committee.k > 0) {   /* a bad member stops the start, naming it */
        pcm_err ce = {{0}};
        s->com = committee_load_list(&s->cfg.committee, &ce);
        s->sigf = pcm_calloc(s->sys->n + 1, sizeof *s->sigf);
        if (!s->com || committee_eval(s->com, s->sys, s->sigf, NULL, &s->cst, &ce) < 0) {
            pcm_errf(e, NULL, 0, "committee: %s", ce.msg);
            goto fail;
        }
        s->cst_step = s->sys->step;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv_cmd, NULL);
    pthread_cond_init(&s->cv_pub, NULL);
    xtal_update(s);
    s->paused = start_paused;
    char cnote[96] = "";
    if (s->com)
        snprintf(cnote, sizeof cnote, "; committee of %d, sigma_F every %d steps", committee_size(s->com),
                 s->cfg.xtal_every * s->cfg.steps_per_chunk);
    set_msg(s, "started: %d atoms, %s%s%s%s", s->sys->n, s->cfg.potential_label, s->cfg.potential_note[0] ? "; " : "",
            s->cfg.potential_note, cnote);
    publish(s);
    if (pthread_create(&s->thread, NULL, sim_main, s) != 0)
        pcm_fatal("cannot start the simulation thread");
    return s;
fail:
    committee_free(s->com);
    free(s->sigf);
    free(s->xflags);
    md_free(s->md);
    system_free(s->sys);
    system_free(s->sys0);
    potential_free(s->pot);
    free(s);
    return NULL;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->quit = 1;    /* also set by the thread itself on SIM_CMD_QUIT; read between chunks */
    pthread_cond_signal(&s->cv_cmd);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    free(s->pending_plan);
    if (s->cur && --s->cur->refs_ == 0)
        snap_free(s->cur);
    md_free(s->md);
    system_free(s->sys);
    system_free(s->sys0);
    potential_free(s->pot);
    free(s->xflags);
    committee_free(s->com);
    free(s->sigf);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_cmd);
    pthread_cond_destroy(&s->cv_pub);
    free(s);
}
