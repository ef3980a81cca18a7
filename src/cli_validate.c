/* cli_validate.c - `pcmlab validate POT -o DIR`: issue #5's validation protocol for a potential.
 *
 * Every MD run must be healthy, or every row it feeds FAILs with the reason: no blow-up (md.h:
 * NaN, T runaway, an atom moving > 1 Å in a step = atom lost, volume runaway; in NVT the
 * conserved energy 0.5 eV/atom off, which stops the run at once), no non-finite
 * position, no two atoms closer than 1.5 Å (fused), an NVT conserved-energy drift (least-squares
 * slope of E + thermostat work) within 0.1 meV/atom/ps unless it adds up to < 0.5 meV/atom, and
 * a mean T over the second half at most 25 % (or 4 canonical σ) above the target, allowing the
 * thermostat's lag on a cooling ramp (a potential that releases energy faster than the thermostat
 * removes it heats itself).
 *
 * Checks (durations are the issue's, times --scale; 1 fs steps by default):
 *   stability  NVT (Bussi) at 300, 600, 900, 1200 K, 1 ns each, from rocksalt GST at
 *              6.3 g/cm³: the run is healthy; at 300 and 600 K the crystal is kept
 *              (crystalline fraction > 0.7, pcmlab's addition: else "melts at 900 K" is vacuous).
 *   melt       NPT 1 bar, 900 K, 100 ps from rocksalt: crystalline fraction (ten Wolde q4,
 *              crystallinity.h) at the end < 0.1; the time it first got below is reported.
 *   quench     random Ge2Sb2Te5 packing at 6.00 g/cm³, NVT: 20 ps at 1200 K, ramp to 300 K at
 *              3 K/ps (the paper's Fig. 3), 20 ps at 300 K; frames of that last hold give
 *              coordination numbers within 3.15 Å (DFT Ge 4.2, Sb 3.7, Te 2.9; pass within 0.3)
 *              and the main Te-Ge-Te / Te-Sb-Te bond-angle peaks (pass within 10° of 90°).
 *   anneal     the quenched structure, NPT 1 bar, 600 K, 2 ns: crystalline fraction > 0.7.
 *   density    NPT 1 bar, 300 K, 100 ps for the crystal and for the quenched amorphous:
 *              mean density over the second half within 5 % of 6.3 and 5.9 g/cm³.
 * "At the end" means the mean over the last 10 % of the samples.  anneal and density need the
 * quenched structure: without `quench` in --only, the quench protocol runs first as a
 * preparation step (files in DIR/quench/, no report rows).
 *
 * Output (all atomic): DIR/report.md, DIR/validate.csv (rewritten after every check, so a
 * killed run leaves the report of the checks done), DIR/<run>/thermo.csv and final.extxyz,
 * DIR/quench/coordination.csv and angles.csv.  SIGINT or SIGTERM ends the running check at the
 * next chunk, marks it INTERRUPTED and writes the partial report; exit status 128 + the signal
 * (130, 143).  Exit 0 when every check that ran passed, 1 when one failed or the input was bad,
 * 2 for usage.
 */
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "build.h"
#include "build_phases.h"
#include "cli.h"
#include "crystallinity.h"
#include "extxyz.h"
#include "fileio.h"
#include "md.h"
#include "neighbor.h"
#include "protocol.h"
#include "structure.h"
#include "version.h"

#define V_RHO_XTAL 6.3      /* g/cm³, experimental metastable rocksalt GST */
#define V_RHO_AMOR 5.9      /* g/cm³, experimental amorphous GST */
#define V_RHO_QUENCH 6.00   /* g/cm³, the paper's isochoric quench (Fig. 3) */
#define V_A_ROCKSALT 6.02   /* Å, before rescaling to V_RHO_XTAL */
#define V_DMIN_FUSED 1.5    /* Å: two atoms closer than this have fused */
#define V_CONS_JUMP 0.5     /* eV/atom: an NVT conserved energy this far off has blown up (stops the run) */
#define V_DMIN_PROBE 2.5    /* Å: closest-pair search radius */
#define V_MELT_MAX 0.1      /* crystalline fraction of a melt */
#define V_AMOR_MAX 0.2      /* crystalline fraction of a quenched amorphous solid */
#define V_ANNEAL_MIN 0.7    /* crystalline fraction after the anneal */
#define V_KEPT_MIN 0.7      /* crystalline fraction of the crystal held at 300 and 600 K */
#define V_CN_TOL 0.3
#define V_ANGLE_TOL 10.0    /* degrees */
#define V_RHO_TOL 0.05      /* relative */
#define V_DRIFT_MAX 1e-4    /* eV/atom/ps: NVT conserved-energy drift that counts as an energy blow-up, */
#define V_DRIFT_TOT 5e-4    /* eV/atom: once it adds up to this much (short runs: slope is noise) */
#define V_HEAT_MAX 0.25     /* relative: mean T above the target that counts as self-heating */
#define V_LAG_TAU 3.0       /* thermostat lags allowed on a cooling ramp */
#define V_TAU_T_PS 0.1      /* ps, the thermostat time (md.h default) */

enum { V_STAB = 1, V_MELT = 2, V_QUENCH = 4, V_ANNEAL = 8, V_DENSITY = 16 };
static const char *const v_check_names[] = {"stability", "melt", "quench", "anneal", "density"};

typedef enum { V_PASS, V_FAIL, V_INTR, V_NOTRUN } v_status;
static const char *const v_status_word[] = {"PASS", "FAIL", "INTERRUPTED", "not run"};

typedef struct {
    char check[48], target[160], measured[400];
    const char *qty;  /* what value is, for validate.csv */
    int check_idx;    /* index into v_check_names */
    v_status st;
    double value;   /* the number the pass rule looks at (NaN: none) */
    double wall;    /* s; < 0: measured in the run of the row above */
} v_row;

typedef struct {       /* one MD run, for the report's run table */
    char name[32], start[96], ens[16], schedule[160], status[80];
    int natoms;
    double ps_planned, ps_full, ps_done, wall;
    long steps;
} v_runinfo;

typedef struct {
    int n, cap;
    double *t, *T, *Tt, *pe, *cons, *rho, *xtal;   /* ps, K, target K, eV/atom, eV/atom, g/cm³, fraction */
} v_series;

typedef struct {
    int blew, intr, setup_fail, lost;
    char why[800];
    int nvt;           /* the conserved energy is meaningful (not NPT) */
    double drift;      /* conserved energy slope, eV/atom/ps (least squares; NaN in NPT) */
    double dmin;       /* Å, closest pair over the samples (V_DMIN_PROBE when none closer) */
    char dmin_pair[12];/* its elements, e.g. "Ge-Ge" ("" when none closer than V_DMIN_PROBE) */
    double dmin_ps;    /* and when (ps into the run) */
    v_series s;
    pcm_system *final; /* last (good) state */
} v_out;

typedef struct {       /* one MD run's recipe */
    const char *dir, *start;
    pcm_ensemble ens;
    pcm_protocol proto;
    double acc_from_ps;      /* frames from this time (scaled ps) feed coord/ang; < 0 never */
    pcm_coord *coord;
    pcm_angles *ang;
} v_stage;

typedef struct {
    const char *pot_spec, *dir;
    long atoms, threads, seed;
    double scale[5];         /* duration factor per check (index as v_check_names) */
    double dt, qrate, qfrom;
    unsigned only;
    pcm_potential *pot;
    pcm_system *xtal0;       /* rocksalt start */
    int nliquid;             /* atoms of the quench */
    pcm_system *amorph;      /* quench result; NULL until made */
    char amorph_why[900];
    int quench_ran;
    v_row rows[40];
    int nrows;
    v_runinfo runs[16];
    int nruns;
    double t0;
    char started[32];
    int interrupted;
    int cur;                 /* the check running (index into v_check_names) */
    char cmdline[1024];      /* how it was called, for the report */
} v_ctx;


static int usage(void)
{
    fputs("usage: pcmlab validate POT -o DIR [--atoms 500] [--scale 1] [--threads T] [--seed 1]\n"
          "                       [--only stability,melt,quench,anneal,density] [--dt 1]\n"
          "                       [--quench-rate 3] [--quench-from 1200]\n"
          "  POT: a .yace file (POT.yace+d2 adds dispersion) or lj:EPS,SIGMA,RC.\n"
          "  --scale F multiplies every duration (full protocol: about 6.6 ns of MD), --scale CHECK=F\n"
          "  one check's (e.g. --scale 0.01 --scale anneal=0.1);\n"
          "  --quench-rate in K/ps before scaling.  Writes DIR/report.md and DIR/validate.csv.\n",
          stderr);
    return 2;
}

/* ------------------------------------------------------------------ small helpers */

static void series_push(v_series *s, const pcm_thermo *th, double cons, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        size_t b = (size_t)s->cap * sizeof(double);
        s->t = pcm_realloc(s->t, b), s->T = pcm_realloc(s->T, b), s->Tt = pcm_realloc(s->Tt, b);
        s->pe = pcm_realloc(s->pe, b), s->cons = pcm_realloc(s->cons, b);
        s->rho = pcm_realloc(s->rho, b), s->xtal = pcm_realloc(s->xtal, b);
    }
    int k = s->n++;
    s->t[k] = th->time_ps, s->T[k] = th->T, s->Tt[k] = th->T_target, s->pe[k] = th->pe_atom;
    s->cons[k] = cons, s->rho[k] = th->density, s->xtal[k] = x;
}

/* Least-squares slope dy/dt (per ps); NaN with fewer than 2 samples. */
static double slope(const v_series *s, const double *y)
{
    double st = 0, sy = 0, stt = 0, sty = 0;
    int n = s->n;
    for (int k = 0; k < n; k++)
        st += s->t[k], sy += y[k], stt += s->t[k] * s->t[k], sty += s->t[k] * y[k];
    double den = n * stt - st * st;
    return n >= 2 && den > 0 ? (n * sty - st * sy) / den : NAN;
}

static void out_free(v_out *o)
{
    free(o->s.t), free(o->s.T), free(o->s.Tt), free(o->s.pe), free(o->s.cons), free(o->s.rho), free(o->s.xtal);
    system_free(o->final);
    memset(o, 0, sizeof *o);
}

/* Mean of y over samples k >= first (skipping NaN); NaN when none. */
static double mean_from(const double *y, int n, int first)
{
    double s = 0.0;
    int c = 0;
    for (int k = first < 0 ? 0 : first; k < n; k++)
        if (isfinite(y[k]))
            s += y[k], c++;
    return c ? s / c : NAN;
}

/* The last 10 % of the samples (at least one). */
static int tail_start(int n)
{
    int m = n / 10;
    return n - (m < 1 ? 1 : m);
}

/* First time (ps) y < thr (below = 1) or y > thr (below = 0); -1 when never. */
static double first_cross(const v_series *s, const double *y, double thr, int below)
{
    for (int k = 0; k < s->n; k++)
        if (isfinite(y[k]) && (below ? y[k] < thr : y[k] > thr))
            return s->t[k];
    return -1.0;
}

/* Closest pair distance (Å, V_DMIN_PROBE when none closer) and its elements ("Ge-Ge") in pair. */
static double closest_pair(const pcm_system *s, char pair[12])
{
    pcm_nlist *nl = nl_new(V_DMIN_PROBE, 0.0);
    nl_build(nl, s);
    double d2 = V_DMIN_PROBE * V_DMIN_PROBE;
    pair[0] = '\0';
    for (int i = 0; i < nl->n; i++)
        for (int p = nl->start[i]; p < nl->start[i + 1]; p++) {
            double r2 = nl->d[p][0] * nl->d[p][0] + nl->d[p][1] * nl->d[p][1] + nl->d[p][2] * nl->d[p][2];
            if (r2 < d2) {
                d2 = r2;
                snprintf(pair, 12, "%s-%s", s->species[s->type[i]], s->species[s->type[nl->j[p]]]);
            }
        }
    nl_free(nl);
    return sqrt(d2);
}

static double xtal_fraction(const pcm_system *s)
{
    pcm_xtal_summary sum;
    pcm_err e;
    return xtal_compute(s, NULL, NULL, NULL, &sum, &e) == 0 ? sum.fraction : NAN;
}

static v_row *add_row(v_ctx *c, const char *check, const char *target, const char *qty)
{
    if (c->nrows >= (int)(sizeof c->rows / sizeof c->rows[0]))
        pcm_fatal("validate: too many report rows");
    v_row *r = &c->rows[c->nrows++];
    memset(r, 0, sizeof *r);
    snprintf(r->check, sizeof r->check, "%s", check);
    snprintf(r->target, sizeof r->target, "%s", target);
    r->qty = qty;
    r->check_idx = c->cur;
    r->st = V_NOTRUN;
    r->value = NAN;
    r->wall = -1.0;
    return r;
}

static void row_set(v_row *r, v_status st, double value, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void row_set(v_row *r, v_status st, double value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->measured, sizeof r->measured, fmt, ap);
    va_end(ap);
    r->st = st;
    r->value = value;
}

/* The hottest the second half of a run may be on average (K): 25 % above its mean target, or
 * 4 standard deviations of the canonical mean where few atoms make T noisy.  On a cooling
 * ramp a first-order thermostat lags by (cooling rate)·τ_T; V_LAG_TAU of those are allowed.
 * *Tt receives the mean target. */
static double heat_limit(const v_out *o, int natoms, double *Tt)
{
    const v_series *s = &o->s;
    double sum = 0.0, sig = sqrt(2.0 / (3.0 * natoms - 3.0));
    int c = 0;
    for (int k = s->n / 2; k < s->n; k++, c++) {
        double m = s->Tt[k];
        if (k > 0 && s->t[k] > s->t[k - 1] && s->Tt[k] < s->Tt[k - 1])
            m += V_LAG_TAU * V_TAU_T_PS * (s->Tt[k - 1] - s->Tt[k]) / (s->t[k] - s->t[k - 1]);
        sum += m;
    }
    *Tt = c ? sum / c : NAN;
    return *Tt * (1.0 + (4.0 * sig > V_HEAT_MAX ? 4.0 * sig : V_HEAT_MAX));
}

/* A run whose numbers cannot be trusted: did not start, blew up, was interrupted, lost or
 * fused atoms, did not conserve energy (NVT) or heated itself past what the thermostat holds.
 * Fills the status and the reason for every row the run feeds; 0 for a healthy run. */
static int run_failed(const v_out *o, v_status *st, char *why, size_t n)
{
    *st = V_FAIL;
    const v_series *s = &o->s;
    int natoms = o->final ? o->final->n : 2;
    double Tt, Tm = mean_from(s->T, s->n, s->n / 2), Tlim = heat_limit(o, natoms, &Tt);
    if (o->setup_fail || o->blew)
        snprintf(why, n, "%s: %s", o->setup_fail ? "could not start" : "blew up", o->why);
    else if (o->intr)
        *st = V_INTR, snprintf(why, n, "interrupted at %.4g ps", s->n ? s->t[s->n - 1] : 0.0);
    else if (o->lost)
        snprintf(why, n, "%d atoms with non-finite positions", o->lost);
    else if (o->dmin < V_DMIN_FUSED)
        snprintf(why, n, "atoms fused: closest pair %.2f Å (%s at %.1f ps; limit %.1f Å)", o->dmin, o->dmin_pair,
                 o->dmin_ps, V_DMIN_FUSED);
    else if (o->nvt && !(fabs(o->drift) <= V_DRIFT_MAX || fabs(o->drift) * (s->t[s->n - 1] - s->t[0]) <= V_DRIFT_TOT))
        snprintf(why, n, "energy not conserved: drift %+.3g meV/atom/ps (limit ±%g)", 1e3 * o->drift,
                 1e3 * V_DRIFT_MAX);
    else if (!(Tm <= Tlim))
        snprintf(why, n, "heats itself: ⟨T⟩ %.0f K in the 2nd half for a %.0f K target (limit %.0f K)", Tm, Tt,
                 Tlim);
    else
        return 0;
    return 1;
}

/* ------------------------------------------------------------------ one MD run */

static void thermo_line(FILE *fp, const pcm_thermo *t, double cons, double x)
{
    fprintf(fp, "%ld,%.6f,%.3f,%.3f,%.8f,%.8f,%.8f,%.3f,%.4f,%.6f,", t->step, t->time_ps, t->T_target, t->T,
            t->pe_atom, t->ke_atom, cons, t->P, t->volume, t->density);
    if (isfinite(x))
        fprintf(fp, "%.6f", x);
    fputc('\n', fp);
}

static void v_sample(v_stage *st, pcm_md *md, FILE *fp, v_out *o, double c0)
{
    pcm_system *s = md_system(md);
    pcm_thermo t;
    md_thermo(md, &t);
    char pair[12];
    double x = xtal_fraction(s), d = closest_pair(s, pair);
    if (d < o->dmin) {
        o->dmin = d;
        snprintf(o->dmin_pair, sizeof o->dmin_pair, "%s", pair);
        o->dmin_ps = t.time_ps;
    }
    double cons = (md_conserved(md) - c0) / s->n;
    thermo_line(fp, &t, cons, x);
    series_push(&o->s, &t, cons, x);
    if (st->acc_from_ps >= 0.0 && t.time_ps >= st->acc_from_ps - 1e-9) {
        pcm_err e;
        if (st->coord)
            coord_add(st->coord, s, &e);
        if (st->ang)
            angles_add(st->ang, s, &e);
    }
}

static void write_final(v_ctx *c, const char *dir, pcm_system *s, const char *status)
{
    char path[4200];
    pcm_err e = {{0}};
    snprintf(path, sizeof path, "%s/%s/final.extxyz", c->dir, dir);
    const char *kv[] = {"validate_run", dir, "status", status, NULL};
    if (cli_write_xtal_frame(path, s, kv, &e) != 0)
        fprintf(stderr, "pcmlab validate: %s\n", e.msg);
}

static unsigned long long v_seed(const v_ctx *c, const char *name)
{
    unsigned long long h = 1469598103934665603ULL ^ (unsigned long long)c->seed;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

/* Runs st from init (copied); o receives the series, the final state and what went wrong. */
static void v_run(v_ctx *c, v_stage *st, const pcm_system *init, v_out *o)
{
    memset(o, 0, sizeof *o);
    o->dmin = V_DMIN_PROBE;
    o->drift = NAN;
    o->nvt = st->ens != PCM_NPT_ISO;
    double t0 = cli_now();
    v_runinfo *ri = &c->runs[c->nruns < 15 ? c->nruns++ : 15];
    memset(ri, 0, sizeof *ri);
    snprintf(ri->name, sizeof ri->name, "%s", st->dir);
    snprintf(ri->start, sizeof ri->start, "%s", st->start);
    snprintf(ri->ens, sizeof ri->ens, "%s", st->ens == PCM_NPT_ISO ? "NPT 1 bar" : "NVT");
    ri->natoms = init->n;
    ri->ps_planned = protocol_duration(&st->proto);
    ri->ps_full = ri->ps_planned / st->proto.scale;
    char *p = ri->schedule, *end = ri->schedule + sizeof ri->schedule;
    for (int k = 0; k < st->proto.nseg && p < end; k++) {
        const pcm_segment *g = &st->proto.seg[k];
        double tp = g->t_ps * st->proto.scale;
        p += g->kind == PROTO_HOLD ? snprintf(p, (size_t)(end - p), "%s%g K %.4g ps", k ? ", " : "", g->T0, tp)
                                   : snprintf(p, (size_t)(end - p), "%s%g→%g K in %.4g ps (%.4g K/ps)", k ? ", " : "",
                                              g->T0, g->T1, tp, fabs(g->T1 - g->T0) / tp);
    }
    char path[4200];
    pcm_err e = {{0}};
    pcm_afile af = {0};
    snprintf(path, sizeof path, "%s/%s", c->dir, st->dir);
    pcm_system *s = system_copy(init);
    s->step = 0;
    s->time = 0.0;
    pcm_md_params mp;
    md_params_default(&mp);
    mp.dt = c->dt;
    mp.ensemble = st->ens;
    mp.tau_T = V_TAU_T_PS * 1e3;
    mp.P = 1.0;
    mp.seed = v_seed(c, st->dir);
    double T0;
    int done;
    protocol_target(&st->proto, 0.0, &T0, &done);
    mp.T = T0;
    pcm_md *md = NULL;
    if (make_dirs(path, &e) != 0 || !(md = md_new(s, c->pot, &mp, &e))) {
        o->setup_fail = 1;
        snprintf(o->why, sizeof o->why, "%.780s", e.msg);
        snprintf(ri->status, sizeof ri->status, "could not start");
        o->final = s;
        ri->wall = cli_now() - t0;
        return;
    }
    md_init_velocities(md, T0, mp.seed ^ 0x9e3779b97f4a7c15ULL);
    long nsteps = (long)ceil(ri->ps_planned * 1000.0 / c->dt - 1e-9), every = nsteps / 100;
    if (every > 100)
        every = 100;
    if (every < 1)
        every = 1;
    snprintf(path, sizeof path, "%s/%s/thermo.csv", c->dir, st->dir);
    if (atomic_open(&af, path, &e) != 0) {
        o->setup_fail = 1;
        snprintf(o->why, sizeof o->why, "%.780s", e.msg);
        snprintf(ri->status, sizeof ri->status, "could not start");
        md_free(md);
        o->final = s;
        ri->wall = cli_now() - t0;
        return;
    }
    FILE *fp = af.fp;
    fputs("step,time_ps,T_target,T,pe_atom,ke_atom,conserved_change_atom,P,volume,density,crystalline_fraction\n",
          fp);
    double c0 = md_conserved(md);
    v_sample(st, md, fp, o, c0);
    long k = 0;
    while (k < nsteps) {
        if (cli_stop) {
            o->intr = 1;
            break;
        }
        long chunk = every - k % every;
        if (chunk > 10)
            chunk = 10;   /* the protocol's target is updated every <= 10 steps */
        if (chunk > nsteps - k)
            chunk = nsteps - k;
        double T;
        protocol_target(&st->proto, s->time * 1e-3, &T, &done);
        md_set_temperature(md, T);
        if (md_step(md, (int)chunk, &e) != 0) {
            o->blew = 1;
            snprintf(o->why, sizeof o->why, "%.780s", e.msg);
            break;
        }
        k += chunk;
        if (k % every == 0 || k == nsteps) {
            v_sample(st, md, fp, o, c0);
            double jump = o->s.cons[o->s.n - 1];
            if (o->nvt && !(fabs(jump) <= V_CONS_JUMP)) {
                /* a healthy NVT run drifts by meV/atom; this is a collapse into a hole of the
                 * potential (atoms thrown together, the heat dumped into the thermostat) */
                o->blew = 1;
                snprintf(o->why, sizeof o->why,
                         "the conserved energy jumped by %+.2f eV/atom by %.1f ps (limit %.1f): atoms fell into a "
                         "hole of the potential",
                         jump, s->time * 1e-3, V_CONS_JUMP);
                break;
            }
        }
    }
    if ((o->blew || o->intr) && o->s.n && o->s.t[o->s.n - 1] < s->time * 1e-3 - 1e-9)
        v_sample(st, md, fp, o, c0);   /* the state the run ended in */
    for (int i = 0; i < s->n; i++)
        o->lost += !(isfinite(s->x[i][0]) && isfinite(s->x[i][1]) && isfinite(s->x[i][2]));
    if (o->nvt)
        o->drift = slope(&o->s, o->s.cons);
    if (atomic_commit(&af, &e) != 0)
        fprintf(stderr, "pcmlab validate: %s\n", e.msg);
    snprintf(ri->status, sizeof ri->status, "%s", o->blew ? "blew up" : o->intr ? "interrupted" : "completed");
    write_final(c, st->dir, s, ri->status);
    ri->steps = s->step;
    ri->ps_done = s->time * 1e-3;
    md_free(md);
    o->final = s;
    ri->wall = cli_now() - t0;
}

static void stage_init(v_stage *st, const char *dir, const char *start, pcm_ensemble ens, double scale)
{
    memset(st, 0, sizeof *st);
    st->dir = dir;
    st->start = start;
    st->ens = ens;
    st->acc_from_ps = -1.0;
    protocol_init(&st->proto);
    protocol_set_scale(&st->proto, scale);
}

/* ------------------------------------------------------------------ the checks */

static void write_report(v_ctx *c, int final);

static void check_stability(v_ctx *c)
{
    static const double Ts[4] = {300, 600, 900, 1200};
    v_row *rows[4], *kept[2];
    /* below the melting point the rocksalt crystal must survive, or "melts at 900 K" means nothing */
    for (int k = 0; k < 4; k++) {
        char name[48], t[96];
        snprintf(name, sizeof name, "stability %.0f K", Ts[k]);
        rows[k] = add_row(c, name, "no blow-up, no atom lost or fused, energy conserved, T held", "closest_pair_A");
        if (k < 2) {
            snprintf(name, sizeof name, "crystal kept %.0f K", Ts[k]);
            snprintf(t, sizeof t, "crystalline fraction > %.1f at the end (pcmlab's addition)", V_KEPT_MIN);
            kept[k] = add_row(c, name, t, "crystalline_fraction");
        }
    }
    for (int k = 0; k < 4; k++) {
        v_row *r = rows[k];
        if (cli_stop) {
            row_set(r, V_NOTRUN, NAN, "interrupted before it started");
            if (k < 2)
                row_set(kept[k], V_NOTRUN, NAN, "interrupted before it started");
            continue;
        }
        char dir[32];
        snprintf(dir, sizeof dir, "stability-%.0fK", Ts[k]);
        v_stage st;
        stage_init(&st, dir, "rocksalt", PCM_NVT_BUSSI, c->scale[0]);
        protocol_hold(&st.proto, Ts[k], 1000.0);
        v_out o;
        v_run(c, &st, c->xtal0, &o);
        r->wall = c->runs[c->nruns - 1].wall;
        double dur = o.s.n ? o.s.t[o.s.n - 1] : 0.0;
        char why[900];
        v_status fs;
        double meanT = mean_from(o.s.T, o.s.n, o.s.n / 2), xe = mean_from(o.s.xtal, o.s.n, tail_start(o.s.n));
        if (run_failed(&o, &fs, why, sizeof why))
            row_set(r, fs, o.dmin, "%s (closest pair %.2f Å, ⟨T⟩ %.0f K)", why, o.dmin, meanT);
        else
            row_set(r, V_PASS, o.dmin,
                    "%.4g ps, 0 lost, closest pair %s%.2f Å; drift %+.3g meV/atom/ps; ⟨T⟩ %.0f K (2nd half); "
                    "crystalline %.2f → %.2f",
                    dur, o.dmin >= V_DMIN_PROBE ? "≥ " : "", o.dmin, 1e3 * o.drift, meanT, o.s.xtal[0], xe);
        if (k < 2) {
            if (run_failed(&o, &fs, why, sizeof why))
                row_set(kept[k], fs, xe, "%.300s; fraction %.3f", why, xe);
            else
                row_set(kept[k], isfinite(xe) && xe > V_KEPT_MIN ? V_PASS : V_FAIL, xe,
                        "%.3f at the end of %.4g ps (start %.3f)", xe, dur, o.s.xtal[0]);
        }
        out_free(&o);
        write_report(c, 0);   /* a long check shows its progress in the report */
    }
}

static void check_melt(v_ctx *c)
{
    v_row *r = add_row(c, "melt 900 K", "crystalline fraction < 0.1 at the end (NPT 1 bar)", "crystalline_fraction");
    v_stage st;
    stage_init(&st, "melt", "rocksalt", PCM_NPT_ISO, c->scale[1]);
    protocol_hold(&st.proto, 900.0, 100.0);
    v_out o;
    v_run(c, &st, c->xtal0, &o);
    r->wall = c->runs[c->nruns - 1].wall;
    char why[900];
    v_status fs;
    const v_series *s = &o.s;
    double x0 = s->n ? s->xtal[0] : NAN, xe = mean_from(s->xtal, s->n, tail_start(s->n));
    double tb = first_cross(s, s->xtal, V_MELT_MAX, 1);
    char when[96] = "never below 0.1";
    if (tb >= 0)
        snprintf(when, sizeof when, "first below 0.1 at %.4g ps", tb);
    if (run_failed(&o, &fs, why, sizeof why))
        row_set(r, fs, xe, "%s; fraction %.3f → %.3f, %s", why, x0, xe, when);
    else
        row_set(r, isfinite(xe) && xe < V_MELT_MAX ? V_PASS : V_FAIL, xe,
                "%.3f at the end of %.4g ps (start %.3f); %s", xe, s->t[s->n - 1], x0, when);
    out_free(&o);
}

/* Coordination and bond-angle rows from the quench's last hold. */
static void quench_structure_rows(const v_stage *st, v_row *rows[5], int failed)
{
    static const char *el[3] = {"Ge", "Sb", "Te"};
    static const double dft[3] = {4.2, 3.7, 2.9};
    for (int k = 0; k < 3; k++) {
        int a = -1;
        for (int q = 0; q < st->coord->sp.n; q++)
            if (!strcmp(st->coord->sp.sym[q], el[k]))
                a = q;
        double cn = a >= 0 ? coord_mean(st->coord, a, -1) : NAN;
        if (st->coord->nframes == 0)
            row_set(rows[k], V_FAIL, NAN, "no frame of the final 300 K hold was analysed");
        else if (a < 0)
            row_set(rows[k], V_FAIL, NAN, "no %s atoms in the analysed frames", el[k]);
        else
            row_set(rows[k], !failed && fabs(cn - dft[k]) <= V_CN_TOL ? V_PASS : V_FAIL, cn,
                    "%.2f (Δ %+.2f; %d frames)", cn, cn - dft[k], st->coord->nframes);
    }
    static const char *tri[2] = {"Te-Ge-Te", "Te-Sb-Te"};
    for (int k = 0; k < 2; k++) {
        int idx = angles_find(st->ang, tri[k]);
        double pk[4];
        int np = idx >= 0 ? angles_peaks(st->ang, idx, pk, 4) : 0;
        if (st->ang->nframes == 0)
            row_set(rows[3 + k], V_FAIL, NAN, "no frame of the final 300 K hold was analysed");
        else if (np == 0)
            row_set(rows[3 + k], V_FAIL, NAN, "no %s triplets within 3.15 Å", tri[k]);
        else if (np > 1)
            row_set(rows[3 + k], !failed && fabs(pk[0] - 90.0) <= V_ANGLE_TOL ? V_PASS : V_FAIL, pk[0],
                    "main peak %.0f° (next %.0f°; %ld angles)", pk[0], pk[1], st->ang->total[idx]);
        else
            row_set(rows[3 + k], !failed && fabs(pk[0] - 90.0) <= V_ANGLE_TOL ? V_PASS : V_FAIL, pk[0],
                    "main peak %.0f° (%ld angles)", pk[0], st->ang->total[idx]);
    }
}

/* The quench protocol; with rows (the quench check) it fills the report rows, without
 * (preparation for anneal/density) it only leaves c->amorph. */
static void run_quench(v_ctx *c, int report)
{
    c->quench_ran = 1;
    v_row *ra = NULL, *rows[5] = {0};
    if (report) {
        char t[64];
        snprintf(t, sizeof t, "crystalline fraction < %.1f (amorphous)", V_AMOR_MAX);
        ra = add_row(c, "quench: amorphous", t, "crystalline_fraction");
        rows[0] = add_row(c, "quench: CN Ge (3.15 Å)", "DFT 4.2 ± 0.3", "coordination");
        rows[1] = add_row(c, "quench: CN Sb (3.15 Å)", "DFT 3.7 ± 0.3", "coordination");
        rows[2] = add_row(c, "quench: CN Te (3.15 Å)", "DFT 2.9 ± 0.3", "coordination");
        rows[3] = add_row(c, "quench: Te-Ge-Te angle", "peak 90° ± 10°", "angle_deg");
        rows[4] = add_row(c, "quench: Te-Sb-Te angle", "peak 90° ± 10°", "angle_deg");
    }
    pcm_err e = {{0}};
    pcm_system *liq = build_liquid(c->nliquid, V_RHO_QUENCH, "Ge2Sb2Te5", 2.3, (uint64_t)c->seed + 11, &e);
    if (!liq) {
        snprintf(c->amorph_why, sizeof c->amorph_why, "could not build the liquid: %.780s", e.msg);
        for (int k = 0; report && k < 6; k++)
            row_set(k ? rows[k - 1] : ra, V_FAIL, NAN, "%s", c->amorph_why);
        return;
    }
    v_stage st;
    char start[96];
    snprintf(start, sizeof start, "random packing %.2f g/cm³", V_RHO_QUENCH);
    stage_init(&st, "quench", start, PCM_NVT_BUSSI, c->scale[2]);
    protocol_hold(&st.proto, c->qfrom, 20.0);
    protocol_ramp(&st.proto, c->qfrom, 300.0, (c->qfrom - 300.0) / c->qrate);
    protocol_hold(&st.proto, 300.0, 20.0);
    st.acc_from_ps = protocol_duration(&st.proto) - 20.0 * c->scale[2];
    st.coord = coord_new(STRUCT_RC_GST, &e);
    st.ang = angles_new(STRUCT_RC_GST, 2.0, &e);
    v_out o;
    v_run(c, &st, liq, &o);
    system_free(liq);
    double wall = c->runs[c->nruns - 1].wall;
    char why[900];
    v_status fs;
    int failed = run_failed(&o, &fs, why, sizeof why);
    double xe = mean_from(o.s.xtal, o.s.n, tail_start(o.s.n));
    if (failed) {
        snprintf(c->amorph_why, sizeof c->amorph_why, "the quench that makes the amorphous start %.780s", why);
    } else {
        c->amorph = o.final;
        o.final = NULL;
    }
    if (report) {
        ra->wall = wall;
        if (failed)
            row_set(ra, fs, xe, "%s; fraction %.3f at the end", why, xe);
        else {
            double rate = c->qrate / c->scale[2];
            char rs[96] = "";
            if (fabs(rate - 3.0) > 1e-9)
                snprintf(rs, sizeof rs, "; quenched at %.4g K/ps (the paper's Fig. 3: 3 K/ps)", rate);
            row_set(ra, isfinite(xe) && xe < V_AMOR_MAX ? V_PASS : V_FAIL, xe, "%.3f at 300 K (%.4g ps run)%s", xe,
                    o.s.t[o.s.n - 1], rs);
        }
        quench_structure_rows(&st, rows, failed);
        for (int k = 0; failed && k < 5; k++) {   /* the numbers, if any, but the status of the run */
            char m[sizeof rows[k]->measured];
            snprintf(m, sizeof m, "%s", rows[k]->measured);
            row_set(rows[k], fs, rows[k]->value, "%.300s (%s)", m, fs == V_INTR ? "interrupted" : "run failed");
        }
        pcm_err we;
        char path[4200];
        snprintf(path, sizeof path, "%s/quench/coordination.csv", c->dir);
        if (st.coord->nframes && coord_write_csv(st.coord, path, &we) != 0)
            fprintf(stderr, "pcmlab validate: %s\n", we.msg);
        snprintf(path, sizeof path, "%s/quench/angles.csv", c->dir);
        if (st.ang->nframes && angles_write_csv(st.ang, path, &we) != 0)
            fprintf(stderr, "pcmlab validate: %s\n", we.msg);
    }
    coord_free(st.coord);
    angles_free(st.ang);
    out_free(&o);
}

static int need_amorph(v_ctx *c, v_row *r)
{
    if (!c->quench_ran && !cli_stop)
        run_quench(c, 0);
    if (c->amorph)
        return 1;
    row_set(r, cli_stop ? V_INTR : V_FAIL, NAN, "no amorphous start: %s", c->amorph_why[0] ? c->amorph_why : "interrupted");
    r->wall = 0.0;
    return 0;
}

static void check_anneal(v_ctx *c)
{
    v_row *r = add_row(c, "anneal 600 K", "crystalline fraction > 0.7 at the end (NPT 1 bar)", "crystalline_fraction");
    if (!need_amorph(c, r))
        return;
    v_stage st;
    stage_init(&st, "anneal", "quench result", PCM_NPT_ISO, c->scale[3]);
    protocol_hold(&st.proto, 600.0, 2000.0);
    v_out o;
    v_run(c, &st, c->amorph, &o);
    r->wall = c->runs[c->nruns - 1].wall;
    const v_series *s = &o.s;
    double x0 = s->n ? s->xtal[0] : NAN, xe = mean_from(s->xtal, s->n, tail_start(s->n));
    double ta = first_cross(s, s->xtal, V_ANNEAL_MIN, 0);
    char when[96] = "never above 0.7";
    if (ta >= 0)
        snprintf(when, sizeof when, "first above 0.7 at %.4g ps", ta);
    char why[900];
    v_status fs;
    if (run_failed(&o, &fs, why, sizeof why))
        row_set(r, fs, xe, "%s; fraction %.3f → %.3f, %s", why, x0, xe, when);
    else {
        pcm_xtal_summary q = {0};
        pcm_err e;
        xtal_compute(o.final, NULL, NULL, NULL, &q, &e);
        double dur = s->t[s->n - 1];
        row_set(r, isfinite(xe) && xe > V_ANNEAL_MIN ? V_PASS : V_FAIL, xe,
                "%.3f at the end of %.4g ps (start %.3f); %s; final Q4 %.3f, Q6 %.3f (rocksalt 0.764, 0.354)%s", xe,
                dur, x0, when, q.Q4, q.Q6,
                dur < 500.0 ? "; shorter than the ~500 ps GST needed to crystallize at 600 K in the paper" : "");
    }
    out_free(&o);
}

static void density_row(v_ctx *c, v_row *r, const char *dir, const pcm_system *init, const char *start, double rho_t)
{
    v_stage st;
    stage_init(&st, dir, start, PCM_NPT_ISO, c->scale[4]);
    protocol_hold(&st.proto, 300.0, 100.0);
    v_out o;
    v_run(c, &st, init, &o);
    r->wall = c->runs[c->nruns - 1].wall;
    const v_series *s = &o.s;
    double rho = mean_from(s->rho, s->n, s->n / 2), dev = (rho - rho_t) / rho_t;
    double dur = s->n ? s->t[s->n - 1] : 0.0;
    pcm_md_params mp;
    md_params_default(&mp);
    char eq[96] = "";
    if (dur < 10.0 * mp.tau_P * 1e-3)
        snprintf(eq, sizeof eq, "; run < 10 barostat times (τ_P %.0f ps): not equilibrated", mp.tau_P * 1e-3);
    char why[900];
    v_status fs;
    if (run_failed(&o, &fs, why, sizeof why))
        row_set(r, fs, rho, "%s; %.3f g/cm³", why, rho);
    else
        row_set(r, fabs(dev) <= V_RHO_TOL ? V_PASS : V_FAIL, rho, "%.3f g/cm³ (%+.1f %%; mean of 2nd half, start %.3f)%s",
                rho, 100.0 * dev, s->rho[0], eq);
    out_free(&o);
}

static void check_density(v_ctx *c)
{
    v_row *rc = add_row(c, "density crystal 300 K", "6.3 g/cm³ ± 5 % (NPT 1 bar)", "density_g_cm3");
    v_row *ra = add_row(c, "density amorphous 300 K", "5.9 g/cm³ ± 5 % (NPT 1 bar)", "density_g_cm3");
    density_row(c, rc, "density-crystal", c->xtal0, "rocksalt", V_RHO_XTAL);
    write_report(c, 0);
    if (cli_stop) {
        row_set(ra, V_NOTRUN, NAN, "interrupted before it started");
        return;
    }
    if (need_amorph(c, ra))
        density_row(c, ra, "density-amorphous", c->amorph, "quench result", V_RHO_AMOR);
}

/* ------------------------------------------------------------------ report */

static void md_escape(FILE *fp, const char *s)
{
    for (; *s; s++)
        fputs(*s == '|' ? "\\|" : (char[2]){*s, 0}, fp);
}

static void csv_field(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++)
        fputs(*s == '"' ? "\"\"" : (char[2]){*s, 0}, fp);
    fputc('"', fp);
}

/* "0.01" or "0.01 (anneal 0.1)": the factors of the checks selected */
static void scales_text(const v_ctx *c, char *buf, size_t n)
{
    int first = -1, len = 0;
    buf[0] = 0;
    for (int k = 0; k < 5; k++)
        if ((c->only & (1u << k)) && first < 0)
            first = k;
    len = snprintf(buf, n, "%g", c->scale[first]);
    for (int k = 0, open = 0; k < 5 && len < (int)n; k++)
        if ((c->only & (1u << k)) && c->scale[k] != c->scale[first]) {
            len += snprintf(buf + len, n - (size_t)len, "%s%s %g", open ? ", " : " (", v_check_names[k], c->scale[k]);
            open = 1;
        }
    if (strchr(buf, '(') && len < (int)n - 1)
        strcat(buf, ")");
}

static int v_shortened(const v_ctx *c)
{
    for (int k = 0; k < 5; k++)
        if ((c->only & (1u << k)) && c->scale[k] < 1.0)
            return 1;
    return c->xtal0->n < 500 || c->nliquid < 500;
}

static void write_report(v_ctx *c, int final)
{
    char path[4200];
    pcm_err e = {{0}};
    pcm_afile af;
    snprintf(path, sizeof path, "%s/report.md", c->dir);
    if (atomic_open(&af, path, &e) != 0) {
        fprintf(stderr, "pcmlab validate: %s\n", e.msg);
        return;
    }
    FILE *fp = af.fp;
    int npass = 0, nfail = 0, nintr = 0;
    for (int k = 0; k < c->nrows; k++)
        npass += c->rows[k].st == V_PASS, nfail += c->rows[k].st == V_FAIL, nintr += c->rows[k].st == V_INTR;
    fprintf(fp, "# pcmlab validate: %s\n\n", c->pot_spec);
    fprintf(fp, "Issue #5 validation protocol. pcmlab %s (%s), started %s, %s.\n\n", PCM_VERSION, PCM_BUILD_STAMP,
            c->started, final ? (c->interrupted ? "INTERRUPTED (partial report)" : "finished")
                              : "still running (partial report)");
    fprintf(fp, "- command: `%s`\n", c->cmdline);
    fprintf(fp, "- potential: `%s` (%s, cutoff %.2f Å)%s\n", c->pot_spec, c->pot->ops->kind, c->pot->rcut,
            !strcmp(c->pot->ops->kind, "lj") ? " — **Lennard-Jones test potential, not GST physics**" : "");
    struct stat sb;
    if (stat(c->pot_spec, &sb) == 0) {   /* which file this was, should it be replaced later */
        char mt[40];
        strftime(mt, sizeof mt, "%Y-%m-%d %H:%M:%S UTC", gmtime(&sb.st_mtime));
        fprintf(fp, "- potential file: %lld bytes, modified %s\n", (long long)sb.st_size, mt);
    }
    fprintf(fp, "- crystal: rocksalt Ge/Sb/vacancy 2:2:1, %d atoms at %.3f g/cm³; quench: %d atoms\n", c->xtal0->n,
            system_density(c->xtal0), c->nliquid);
    char sc[200];
    scales_text(c, sc, sizeof sc);
    fprintf(fp, "- duration scale %s, timestep %g fs, seed %ld, %d thread(s), wall time %.1f s\n", sc, c->dt,
            c->seed, omp_get_max_threads(), cli_now() - c->t0);
    fprintf(fp, "- result: %d PASS, %d FAIL%s", npass, nfail, nintr ? ", " : "");
    if (nintr)
        fprintf(fp, "%d INTERRUPTED", nintr);
    fputs("\n\n", fp);
    if (v_shortened(c))
        fprintf(fp, "> **Shortened protocol.** Durations are %s × the issue's and the structures hold %d and %d "
                    "atoms (the issue asks for 500+). A PASS here says only that the potential passed at these "
                    "lengths; it is not the issue-5 validation. See the run table for what actually ran.\n\n",
                sc, c->xtal0->n, c->nliquid);
    fputs("| check | target | measured | result | wall time |\n|---|---|---|---|---|\n", fp);
    for (int k = 0; k < c->nrows; k++) {
        const v_row *r = &c->rows[k];
        fputs("| ", fp);
        md_escape(fp, r->check);
        fputs(" | ", fp);
        md_escape(fp, r->target);
        fputs(" | ", fp);
        md_escape(fp, r->measured[0] ? r->measured : "—");
        fprintf(fp, " | **%s** | ", v_status_word[r->st]);
        if (r->wall >= 0)
            fprintf(fp, "%.1f s |\n", r->wall);
        else
            fputs(r->st == V_NOTRUN ? "— |\n" : "same run |\n", fp);
    }
    fputs("\n## Runs\n\n| run | start | atoms | ensemble | schedule (as run) | simulated | full protocol | steps "
          "| status | wall | µs/atom-step |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
          fp);
    for (int k = 0; k < c->nruns; k++) {
        const v_runinfo *u = &c->runs[k];
        fprintf(fp, "| %s | %s | %d | %s | %s | %.4g of %.4g ps | %.4g ps | %ld | %s | %.1f s | %.3g |\n", u->name,
                u->start, u->natoms, u->ens, u->schedule, u->ps_done, u->ps_planned, u->ps_full, u->steps, u->status,
                u->wall, u->steps > 0 ? u->wall * 1e6 / ((double)u->steps * u->natoms) : 0.0);
    }
    if (c->quench_ran && !(c->only & V_QUENCH))
        fputs("\nThe quench ran only to make the amorphous start of anneal/density (no quench rows).\n", fp);
    fputs("\n## How the checks are judged\n\n"
          "- Crystalline fraction: ten Wolde q4 method of the paper's supplement (3.6 Å, ξ = 0.75, more than 2 "
          "connections, lone atoms removed). \"At the end\" = mean over the last 10 % of the samples.\n"
          "- Every run must be healthy, or every row it feeds FAILs with the reason: no blow-up (non-finite "
          "energy, temperature runaway, an atom moving more than 1 Å in one step = atom lost, the volume changing "
          "8-fold, in NVT the conserved energy 0.5 eV/atom off: the run stops there), no two atoms closer than 1.5 Å (fused), in NVT a conserved-energy drift (E + thermostat work; "
          "least-squares slope) within ±0.1 meV/atom/ps or adding up to less than 0.5 meV/atom, and a mean T over the second half at most 25 % above "
          "the target (or 4 canonical standard deviations for small systems; 3 τ_T of lag allowed on a cooling "
          "ramp): a potential that pours out energy faster than the thermostat (Bussi, τ_T 0.1 ps) removes it "
          "heats itself. These are the stability check; the other checks apply them to their own runs.\n"
          "- Stability: NVT from the crystal at its experimental density.\n"
          "- Quench: NVT at 6.00 g/cm³ (the paper's Fig. 3). Coordination within 3.15 Å and bond-angle "
          "distributions averaged over the frames of the final 300 K hold; angle peak = highest local maximum "
          "(2° bins, 3-bin smoothing).\n"
          "- Density: NPT (stochastic cell rescaling, τ_P 1 ps), mean over the second half of the run.\n"
          "- Thresholds that are pcmlab's, not the issue's: fused atoms, the drift and self-heating limits, "
          "amorphous below 0.2, angle peaks within 10°, the crystal kept (> 0.7) in the 300 and 600 K stability "
          "runs, \"at the end\" as above.\n"
          "- Per-run files: `<run>/thermo.csv`, `<run>/final.extxyz` (with a `crystalline` column); "
          "`quench/coordination.csv`, `quench/angles.csv`.\n",
          fp);
    if (atomic_commit(&af, &e) != 0)
        fprintf(stderr, "pcmlab validate: %s\n", e.msg);

    snprintf(path, sizeof path, "%s/validate.csv", c->dir);
    if (atomic_open(&af, path, &e) != 0) {
        fprintf(stderr, "pcmlab validate: %s\n", e.msg);
        return;
    }
    fputs("check,target,measured,quantity,value,result,wall_s,scale,atoms_crystal,atoms_quench\n", af.fp);
    for (int k = 0; k < c->nrows; k++) {
        const v_row *r = &c->rows[k];
        csv_field(af.fp, r->check), fputc(',', af.fp);
        csv_field(af.fp, r->target), fputc(',', af.fp);
        csv_field(af.fp, r->measured), fputc(',', af.fp);
        fprintf(af.fp, "%s,", r->qty ? r->qty : "");
        if (isfinite(r->value))
            fprintf(af.fp, "%.6g", r->value);
        fprintf(af.fp, ",%s,", v_status_word[r->st]);
        if (r->wall >= 0)
            fprintf(af.fp, "%.3f", r->wall);
        fprintf(af.fp, ",%g,%d,%d\n", c->scale[r->check_idx], c->xtal0->n, c->nliquid);
    }
    if (atomic_commit(&af, &e) != 0)
        fprintf(stderr, "pcmlab validate: %s\n", e.msg);
}

/* ------------------------------------------------------------------ setup */

static int parse_only(const char *s, unsigned *out, pcm_err *e)
{
    *out = 0;
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, ",");
        int hit = -1;
        for (int k = 0; k < 5; k++)
            if (strlen(v_check_names[k]) == n && !strncmp(p, v_check_names[k], n))
                hit = k;
        if (hit < 0)
            return pcm_errf(e, NULL, 0, "--only: unknown check '%.*s' (expected stability, melt, quench, anneal, density)",
                            (int)n, p);
        *out |= 1u << hit;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!*out)
        return pcm_errf(e, NULL, 0, "--only needs at least one check");
    return 0;
}

/* "F" sets every check's factor, "CHECK=F" one check's. */
static int parse_scale(const char *v, double *scale, pcm_err *e)
{
    const char *eq = strchr(v, '=');
    int k = -1;
    double f;
    if (eq) {
        for (int q = 0; q < 5; q++)
            if (strlen(v_check_names[q]) == (size_t)(eq - v) && !strncmp(v, v_check_names[q], (size_t)(eq - v)))
                k = q;
        if (k < 0)
            return pcm_errf(e, NULL, 0, "--scale %s: unknown check (expected F or CHECK=F, CHECK one of stability, "
                            "melt, quench, anneal, density)", v);
    }
    if (cli_double("--scale", eq ? eq + 1 : v, &f, e) != 0)
        return -1;
    if (!(f > 0.0 && f <= 100.0))
        return pcm_errf(e, NULL, 0, "--scale must be in (0, 100], got %g", f);
    for (int q = 0; q < 5; q++)
        if (q == k || k < 0)
            scale[q] = f;
    return 0;
}

static int parse_args(int argc, char **argv, v_ctx *c, pcm_err *e)
{
    c->atoms = 500, c->threads = -1, c->seed = 1, c->dt = 1.0, c->qrate = 3.0, c->qfrom = 1200.0;
    for (int k = 0; k < 5; k++)
        c->scale[k] = 1.0;
    c->only = 31;
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (a[0] != '-' || !a[1]) {
            if (c->pot_spec)
                return fprintf(stderr, "pcmlab validate: more than one potential ('%s')\n", a), 2;
            c->pot_spec = a;
            continue;
        }
        if (!v)
            return fprintf(stderr, "pcmlab validate: %s needs a value\n", a), 2;
        int rc = 0;
        k++;
        if (!strcmp(a, "-o")) c->dir = v;
        else if (!strcmp(a, "--atoms")) rc = cli_int(a, v, &c->atoms, e);
        else if (!strcmp(a, "--threads")) rc = cli_int(a, v, &c->threads, e);
        else if (!strcmp(a, "--seed")) rc = cli_int(a, v, &c->seed, e);
        else if (!strcmp(a, "--scale")) rc = parse_scale(v, c->scale, e);
        else if (!strcmp(a, "--dt")) rc = cli_double(a, v, &c->dt, e);
        else if (!strcmp(a, "--quench-rate")) rc = cli_double(a, v, &c->qrate, e);
        else if (!strcmp(a, "--quench-from")) rc = cli_double(a, v, &c->qfrom, e);
        else if (!strcmp(a, "--only")) rc = parse_only(v, &c->only, e);
        else
            return fprintf(stderr, "pcmlab validate: unknown option '%s'\n", a), 2;
        if (rc)
            return 1;
    }
    if (!c->pot_spec || !c->dir)
        return fprintf(stderr, "pcmlab validate: %s\n", c->pot_spec ? "-o DIR is required" : "missing potential"), 2;
    if (c->atoms < 8 || c->atoms > 1000000)
        return pcm_errf(e, NULL, 0, "--atoms must be between 8 and 10^6, got %ld", c->atoms), 1;
    if (c->threads == 0 || c->threads < -1 || c->threads > 1024)
        return pcm_errf(e, NULL, 0, "--threads must be between 1 and 1024"), 1;
    if (!(c->dt > 0.0 && c->dt <= 10.0))
        return pcm_errf(e, NULL, 0, "--dt must be in (0, 10] fs, got %g", c->dt), 1;
    if (!(c->qrate > 0.0) || !(c->qfrom > 300.0 && c->qfrom <= 5000.0))
        return pcm_errf(e, NULL, 0, "--quench-rate must be > 0 K/ps and --quench-from in (300, 5000] K"), 1;
    return 0;
}

/* The smallest near-cubic box of rocksalt cells (7.2 atoms each with 20 % vacancies)
 * holding at least n atoms, rescaled to the experimental density. */
static pcm_system *crystal_start(long n, long seed, pcm_err *e)
{
    int best[3] = {1, 1, 1};
    for (int m = 1; m < 200; m++) {
        int nz[3][3] = {{m, m, m}, {m, m, m + 1}, {m, m + 1, m + 1}};
        int hit = -1;
        for (int q = 0; q < 3 && hit < 0; q++) {
            if (build_rocksalt_box_atoms(nz[q][0], nz[q][1], nz[q][2], 0.2) >= n)
                hit = q;
        }
        if (hit >= 0) {
            memcpy(best, nz[hit], sizeof best);
            break;
        }
    }
    pcm_system *s = build_rocksalt_box(best[0], best[1], best[2], V_A_ROCKSALT, 0.2, 0, (uint64_t)seed, e);
    if (!s)
        return NULL;
    double f = cbrt(system_density(s) / V_RHO_XTAL) - 1.0, eps[6] = {f, f, f, 0, 0, 0};
    build_strain(s, eps);
    return s;
}

static void progress(const v_ctx *c, int first, const char *name)
{
    int np = 0, nf = 0, ni = 0;
    char worst[480] = "";
    for (int k = first; k < c->nrows; k++) {
        const v_row *r = &c->rows[k];
        np += r->st == V_PASS, nf += r->st == V_FAIL, ni += r->st == V_INTR;
        if (r->st != V_PASS && !worst[0])
            snprintf(worst, sizeof worst, "  [%s: %.380s]", r->check, r->measured);
    }
    double w = 0;
    for (int k = first; k < c->nrows; k++)
        w += c->rows[k].wall > 0 ? c->rows[k].wall : 0;
    printf("validate %-9s %s  %d pass, %d fail%s  (%.1f s)%s\n", name,
           ni ? "INTERRUPTED" : nf ? "FAIL" : "PASS", np, nf, ni ? ", interrupted" : "", w, worst);
    fflush(stdout);
}

int cmd_validate(int argc, char **argv)
{
    static v_ctx ctx;
    v_ctx *c = &ctx;
    memset(c, 0, sizeof *c);
    pcm_err e = {{0}};
    int rc = parse_args(argc, argv, c, &e);
    if (rc == 2)
        return usage();
    if (rc)
        return cli_fail(&e);
    if (c->threads > 0)
        omp_set_num_threads((int)c->threads);
    cli_cmdline(c->cmdline, sizeof c->cmdline, argc, argv);
    /* ---- setup: bad input fails here, before any file exists */
    c->pot = potential_load(c->pot_spec, &e);
    c->xtal0 = c->pot ? crystal_start(c->atoms, c->seed, &e) : NULL;
    if (!c->xtal0 || potential_bind(c->pot, c->xtal0, &e) != 0 || make_dirs(c->dir, &e) != 0) {
        system_free(c->xtal0);
        potential_free(c->pot);
        return cli_fail(&e);
    }
    c->nliquid = (int)((c->atoms + 8) / 9 * 9);
    c->t0 = cli_now();
    time_t now = time(NULL);
    strftime(c->started, sizeof c->started, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    const double *f = c->scale;
    double ps = 0.0;
    ps += (c->only & V_STAB) ? 4000.0 * f[0] : 0.0;
    ps += (c->only & V_MELT) ? 100.0 * f[1] : 0.0;
    ps += (c->only & (V_QUENCH | V_ANNEAL | V_DENSITY)) ? (40.0 + (c->qfrom - 300.0) / c->qrate) * f[2] : 0.0;
    ps += (c->only & V_ANNEAL) ? 2000.0 * f[3] : 0.0;
    ps += (c->only & V_DENSITY) ? 200.0 * f[4] : 0.0;
    char sc[200];
    scales_text(c, sc, sizeof sc);
    printf("validate %s: crystal %d atoms, quench %d atoms, durations x%s of the issue's (%.4g ps of MD) -> %s/\n",
           c->pot_spec, c->xtal0->n, c->nliquid, sc, ps, c->dir);
    fflush(stdout);
    cli_catch_stop();
    static void (*const checks[5])(v_ctx *) = {check_stability, check_melt, NULL, check_anneal, check_density};
    write_report(c, 0);
    for (int k = 0; k < 5; k++) {
        if (!(c->only & (1u << k)))
            continue;
        int first = c->nrows;
        c->cur = k;
        if (cli_stop) {
            row_set(add_row(c, v_check_names[k], "—", ""), V_NOTRUN, NAN, "interrupted before it started");
            continue;
        }
        if (k == 2)
            run_quench(c, 1);
        else
            checks[k](c);
        progress(c, first, v_check_names[k]);
        write_report(c, 0);
    }
    c->interrupted = cli_stop != 0;
    cli_release_stop();
    write_report(c, 1);
    int nfail = 0;
    for (int k = 0; k < c->nrows; k++)
        nfail += c->rows[k].st == V_FAIL;
    printf("validate: %s  report: %s/report.md\n", c->interrupted ? "INTERRUPTED" : nfail ? "FAIL" : "PASS", c->dir);
    system_free(c->xtal0);
    system_free(c->amorph);
    potential_free(c->pot);
    return c->interrupted ? 128 + (int)cli_stop : nfail ? 1 : 0;
}
