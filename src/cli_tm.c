/* cli_tm.c - `pcmlab melting-point POT -o DIR`: the interface method (paper SI sec. 2).
 *
 * For every temperature T of --T, independently:
 *   1. crystal   rocksalt GST, --cells NXxNYxNZ conventional cells, NPT 1 bar at T for
 *                --equil ps: a(T) = cbrt(<V> / cells) over the second half, so that the
 *                interface cell's fixed x and y match the crystal at T;
 *   2. liquid    the same block at a(T) plus a random GST packing of --liquid Å at
 *                --rho-liquid g/cm³ on top (build_interface, two interfaces through the
 *                periodic z); the crystal held fixed, the packing is melted by Langevin
 *                dynamics at --premelt T_HOT:PS and brought to T for 2 ps;
 *   3. growth    everything free, NPT with only P_zz = 1 bar coupled (x, y fixed), T for
 *                --time ps; the crystalline atom count N_x (ten Wolde q4) every --every ps.
 * Growth velocity, verdict and the T_m estimate: interface.h.
 *
 * Output (atomic files): DIR/report.md, DIR/melting-point.csv (rewritten after every
 * temperature, so a killed run keeps what finished), with gnuplot DIR/growth.png (N_x(t))
 * and velocity.png (v against T), DIR/T<T>K/thermo.csv, start.extxyz and final.extxyz (with
 * a per-atom `crystalline` column).  SIGINT/SIGTERM end the running
 * temperature at the next sample and write the report; exit 128 + signal.  Exit 0 when all
 * runs completed, 1 on bad input or a failed run, 2 for usage.
 */
#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build.h"
#include "build_phases.h"
#include "cli.h"
#include "crystallinity.h"
#include "extxyz.h"
#include "fileio.h"
#include "gnuplot.h"
#include "interface.h"
#include "md.h"

#define TM_MAXT 32
#define TM_A0 6.02          /* Å, rocksalt GST before the NPT equilibration */
#define TM_DMIN 2.5         /* Å, closest approach in the random liquid packing */
#define TM_SETTLE_PS 2.0    /* ps at T after the premelt, crystal still fixed */
#define TM_MAXCROSS 4
#define TM_TAIL_PS 5.0      /* ps run on after the slab melted or the box crystallized */
#define TM_THERMO_HEADER                                                                                   \
    "time_ps,T,P_bar,Lz,density,pe_atom,n_crystalline,crystalline_fraction,n_interfaces,interface1_z,interface2_z"

typedef struct tm_run {
    double T;                   /* K */
    double a;                   /* Å, crystal lattice parameter at T */
    double xtal_equil_frac;     /* crystalline fraction of the equilibrated crystal */
    int natoms, nblock;         /* all atoms, atoms of the crystal block */
    double lz0, lz1;            /* Å, box length along z at the start and the end */
    int nx0, nx1;               /* crystalline atoms at the start and the end */
    double f0, f1;              /* crystalline fraction at the start and the end */
    double ps_done;
    pcm_growth g;
    char status[64];            /* completed | interrupted | blew up: ... */
    double wall;                /* s */
} tm_run;

typedef struct tm_ctx {
    const char *pot_spec, *dir;
    double Ts[TM_MAXT];
    int nT;
    long cells[3], threads, seed;
    double time_ps, equil_ps, liq_len, rho_liq, hot_T, hot_ps, every_ps, dt;
    pcm_potential *pot;
    tm_run runs[TM_MAXT];
    int nruns;
    int report_only;            /* re-analyse the runs already in dir, run nothing */
    char cmdline[1024], started[64];
} tm_ctx;


static int usage(void)
{
    fprintf(stderr,
            "usage: pcmlab melting-point POT -o DIR [--T 650,750,850,950] [--time 100] [--cells 3x3x4]\n"
            "                            [--liquid A] [--rho-liquid 5.9] [--equil 5] [--premelt 1500:4]\n"
            "                            [--every 0.5] [--threads T] [--seed 1] [--dt 1]\n"
            "       pcmlab melting-point --report-only -o DIR [--cells 3x3x4]\n"
            "  The interface method: a rocksalt slab (--cells) and a liquid slab (--liquid Å, default\n"
            "  as thick as the crystal) in contact, NPT with P_zz = 1 bar at each T for --time ps;\n"
            "  the crystal grows below T_m and melts above.  Writes DIR/report.md, melting-point.csv.\n"
            "  --report-only re-analyses the DIR/T*K runs already there (say, temperatures run by\n"
            "  separate processes into one DIR; --cells as they ran).\n");
    return 2;
}

/* ------------------------------------------------------------------ freezing the crystal */

typedef struct tm_freeze {
    int n;   /* atoms 0..n-1 are held */
} tm_freeze;

static void freeze_forces(pcm_md *md, void *ctx)
{
    pcm_system *s = md_system(md);
    for (int i = 0; i < ((tm_freeze *)ctx)->n; i++)
        s->f[i][0] = s->f[i][1] = s->f[i][2] = 0.0;
}

static void freeze_velocities(pcm_md *md, void *ctx)
{
    pcm_system *s = md_system(md);
    for (int i = 0; i < ((tm_freeze *)ctx)->n; i++)
        s->v[i][0] = s->v[i][1] = s->v[i][2] = 0.0;
}

/* ------------------------------------------------------------------ the three stages */

static pcm_md *tm_md(tm_ctx *c, pcm_system *s, pcm_ensemble ens, double T, unsigned long long seed, pcm_err *e)
{
    pcm_md_params mp;
    md_params_default(&mp);
    mp.dt = c->dt;
    mp.ensemble = ens;
    mp.T = T;
    mp.P = 1.0;
    mp.seed = seed;
    pcm_md *md = md_new(s, c->pot, &mp, e);
    if (md)
        md_init_velocities(md, T, seed ^ 0x9e3779b97f4a7c15ULL);
    return md;
}

static long tm_steps(const tm_ctx *c, double ps) { return (long)ceil(ps * 1000.0 / c->dt - 1e-9); }

/* Step 1: a(T) of the crystal block; -1 with e on failure. */
static int tm_lattice(tm_ctx *c, tm_run *r, unsigned long long seed, pcm_err *e)
{
    pcm_system *s = build_rocksalt_box((int)c->cells[0], (int)c->cells[1], (int)c->cells[2], TM_A0, 0.2, 0,
                                       (uint64_t)c->seed, e);
    if (!s)
        return -1;
    pcm_md *md = tm_md(c, s, PCM_NPT_ISO, r->T, seed, e);
    long n = tm_steps(c, c->equil_ps), k = 0, chunk = 20;
    double vsum = 0;
    int nv = 0;
    while (md && k < n && !cli_stop) {
        long m = n - k < chunk ? n - k : chunk;
        if (md_step(md, (int)m, e) != 0)
            break;
        k += m;
        if (k >= n / 2)
            vsum += s->cell.volume, nv++;
    }
    int ok = md && k == n && nv > 0;
    if (ok) {
        r->a = cbrt(vsum / nv / (double)(c->cells[0] * c->cells[1] * c->cells[2]));
        pcm_xtal_summary sum;
        r->xtal_equil_frac = xtal_compute(s, NULL, NULL, NULL, &sum, e) == 0 ? sum.fraction : NAN;
    } else if (md && cli_stop)
        pcm_errf(e, NULL, 0, "interrupted");
    md_free(md);
    system_free(s);
    return ok ? 0 : -1;
}

/* Step 2: the interface cell with a melted liquid at T; NULL with e on failure. */
static pcm_system *tm_interface(tm_ctx *c, tm_run *r, unsigned long long seed, pcm_err *e)
{
    r->nblock = build_rocksalt_box_atoms((int)c->cells[0], (int)c->cells[1], (int)c->cells[2], 0.2);
    double liq = c->liq_len > 0 ? c->liq_len : c->cells[2] * r->a;
    pcm_system *s = build_interface((int)c->cells[0], (int)c->cells[1], (int)c->cells[2], r->a, liq, c->rho_liq,
                                    TM_DMIN, (uint64_t)c->seed, e);
    if (!s)
        return NULL;
    r->natoms = s->n;
    tm_freeze fz = {r->nblock};
    pcm_md *md = tm_md(c, s, PCM_NVT_LANGEVIN, c->hot_T, seed, e);
    if (md) {
        md_add_hook(md, MD_HOOK_POST_FORCE, freeze_forces, &fz);
        md_add_hook(md, MD_HOOK_END_STEP, freeze_velocities, &fz);
        freeze_forces(md, &fz);   /* md_new's forces feed the first half kick */
        freeze_velocities(md, &fz);
    }
    long n1 = tm_steps(c, c->hot_ps), n = n1 + tm_steps(c, TM_SETTLE_PS), k = 0;
    while (md && k < n && !cli_stop) {
        md_set_temperature(md, k < n1 ? c->hot_T : r->T);
        long m = k < n1 ? n1 - k : n - k;
        if (m > 50)
            m = 50;
        if (md_step(md, (int)m, e) != 0)
            break;
        k += m;
    }
    int ok = md && k == n;
    if (md && !ok && cli_stop)
        pcm_errf(e, NULL, 0, "interrupted");
    md_free(md);
    if (!ok) {
        system_free(s);
        return NULL;
    }
    s->step = 0;
    s->time = 0.0;
    return s;
}

static void tm_write_frame(const char *path, pcm_system *s, const char *what)
{
    pcm_err e = {{0}};
    const char *kv[] = {"melting_point_run", what, NULL};
    if (cli_write_xtal_frame(path, s, kv, &e) != 0)
        fprintf(stderr, "pcmlab melting-point: %s\n", e.msg);
}

/* One sample: N_x and the interface positions (Å along z) into the thermo line; returns the
 * number of interfaces found, or -1 when the analysis failed. */
static int tm_sample(pcm_md *md, FILE *fp, unsigned char *fl, double *frac, int *cnt, int nbins, int *nx_out,
                     double *f_out)
{
    pcm_system *s = md_system(md);
    pcm_thermo th;
    pcm_xtal_summary sum;
    pcm_err e = {{0}};
    md_thermo(md, &th);
    if (xtal_compute(s, NULL, fl, NULL, &sum, &e) != 0)
        return -1;
    xtal_profile(s, fl, 2, nbins, frac, cnt);
    double pos[TM_MAXCROSS];
    int nc = xtal_profile_crossings(frac, nbins, pos, TM_MAXCROSS);
    fprintf(fp, "%.4f,%.2f,%.1f,%.4f,%.5f,%.6f,%d,%.5f,%d", th.time_ps, th.T, th.P, s->cell.h[2][2], th.density,
            th.pe_atom, sum.ncryst, sum.fraction, nc);
    for (int k = 0; k < 2; k++)
        k < nc ? fprintf(fp, ",%.3f", pos[k] * s->cell.h[2][2]) : fputs(",", fp);
    fputc('\n', fp);
    *nx_out = sum.ncryst;
    *f_out = sum.fraction;
    return nc;
}

/* The interface geometry of run r: A (Å²), the crystal's number density n_x (atoms/Å³) and the
 * atoms of one (001) monolayer (layer spacing a/2; mono may be NULL). */
static void tm_geometry(const tm_ctx *c, const tm_run *r, double *area, double *dens, double *mono)
{
    *area = c->cells[0] * c->cells[1] * r->a * r->a;
    *dens = r->nblock / ((double)(c->cells[0] * c->cells[1] * c->cells[2]) * r->a * r->a * r->a);
    if (mono)
        *mono = *dens * *area * 0.5 * r->a;
}

/* Step 3: the free run, sampled into rdir/thermo.csv.  Fills r; returns 0 when it completed. */
static int tm_growth(tm_ctx *c, tm_run *r, pcm_system *s, unsigned long long seed, const char *rdir, pcm_err *e)
{
    char path[4200];
    pcm_md *md = tm_md(c, s, PCM_NPT_Z, r->T, seed, e);
    if (!md)
        return -1;
    long n = tm_steps(c, c->time_ps), every = tm_steps(c, c->every_ps), k = 0;
    if (every < 1)
        every = 1;
    int nbins = (int)lround(s->cell.h[2][2] / 3.0), rc = 0;
    if (nbins < 4)
        nbins = 4;
    unsigned char *fl = pcm_malloc((size_t)s->n);
    double *frac = pcm_malloc((size_t)nbins * sizeof *frac);
    int *cnt = pcm_malloc((size_t)nbins * sizeof *cnt);
    pcm_afile af = {0};
    snprintf(path, sizeof path, "%s/thermo.csv", rdir);
    if (atomic_open(&af, path, e) != 0) {
        md_free(md);
        free(fl), free(frac), free(cnt);
        return -1;
    }
    fputs(TM_THERMO_HEADER "\n", af.fp);
    int nx, nc, ns = 0, cap = (int)(n / every) + 2;
    double f;
    /* the live series, for stopping TM_TAIL_PS after the run has decided itself (interface.h) */
    double *nxs = pcm_malloc((size_t)cap * sizeof *nxs), tail_from = -1.0;
    int *ncs = pcm_malloc((size_t)cap * sizeof *ncs);
    double area, dens, mono;
    tm_geometry(c, r, &area, &dens, &mono);
    nc = tm_sample(md, af.fp, fl, frac, cnt, nbins, &nx, &f);
    nxs[ns] = nx, ncs[ns++] = nc;
    snprintf(path, sizeof path, "%s/start.extxyz", rdir);
    tm_write_frame(path, s, "start");
    snprintf(r->status, sizeof r->status, "completed");
    while (k < n && !(tail_from >= 0 && s->time * 1e-3 >= tail_from + TM_TAIL_PS)) {
        if (cli_stop) {
            snprintf(r->status, sizeof r->status, "interrupted");
            rc = -1;
            break;
        }
        long m = every - k % every;
        if (m > n - k)
            m = n - k;
        if (md_step(md, (int)m, e) != 0) {
            snprintf(r->status, sizeof r->status, "blew up");
            rc = -1;
            break;
        }
        k += m;
        if ((k % every == 0 || k == n) && (nc = tm_sample(md, af.fp, fl, frac, cnt, nbins, &nx, &f)) >= 0 &&
            ns < cap) {
            nxs[ns] = nx, ncs[ns++] = nc;
            if (tail_from < 0 && ns >= 3 && iface_saturated(nxs, ncs, ns, ns - 2, r->natoms, mono))
                tail_from = s->time * 1e-3;
        }
    }
    free(nxs), free(ncs);
    pcm_err e2 = {{0}};
    if (atomic_commit(&af, &e2) != 0)
        fprintf(stderr, "pcmlab melting-point: %s\n", e2.msg);
    snprintf(path, sizeof path, "%s/final.extxyz", rdir);
    tm_write_frame(path, s, r->status);
    md_free(md);
    free(fl), free(frac), free(cnt);
    return rc;
}

/* ------------------------------------------------------------------ analysis (from the files) */

typedef struct tm_series {
    double *t, *nx;
    int *nc, n, cap;
} tm_series;

static void series_free(tm_series *q) { free(q->t), free(q->nx), free(q->nc); }

/* rdir/thermo.csv into q (time, crystalline count, interfaces) and the first/last rows into r. */
static int read_thermo(const char *rdir, tm_series *q, tm_run *r, pcm_err *e)
{
    char path[4200], line[512];
    memset(q, 0, sizeof *q);
    snprintf(path, sizeof path, "%s/thermo.csv", rdir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return pcm_errf(e, path, 0, "cannot read the run's samples");
    long ln = 0;
    int rc = 0;
    while (fgets(line, sizeof line, fp)) {
        ln++;
        if (ln == 1) {
            if (strncmp(line, TM_THERMO_HEADER, strlen(TM_THERMO_HEADER)))
                rc = pcm_errf(e, path, 1, "expected the header '%s'", TM_THERMO_HEADER);
            if (rc)
                break;
            continue;
        }
        double t, T, P, lz, rho, pe, fr;
        int nx, nc;
        if (sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%d,%lf,%d", &t, &T, &P, &lz, &rho, &pe, &nx, &fr, &nc) != 9) {
            rc = pcm_errf(e, path, ln, "expected time_ps,T,P_bar,Lz,density,pe_atom,n_crystalline,...");
            break;
        }
        if (q->n == q->cap) {
            q->cap = q->cap ? 2 * q->cap : 256;
            q->t = pcm_realloc(q->t, (size_t)q->cap * sizeof *q->t);
            q->nx = pcm_realloc(q->nx, (size_t)q->cap * sizeof *q->nx);
            q->nc = pcm_realloc(q->nc, (size_t)q->cap * sizeof *q->nc);
        }
        q->t[q->n] = t, q->nx[q->n] = nx, q->nc[q->n++] = nc;
        if (q->n == 1)
            r->nx0 = nx, r->f0 = fr, r->lz0 = lz;
        r->nx1 = nx, r->f1 = fr, r->lz1 = lz, r->ps_done = t;
    }
    fclose(fp);
    if (!rc && q->n < 1)
        rc = pcm_errf(e, path, ln, "no samples");
    return rc;
}

/* The growth fit of one temperature from its files; r->a, natoms, nblock must be set. */
static int tm_analyse(const tm_ctx *c, tm_run *r, const char *rdir, pcm_err *e)
{
    tm_series q;
    if (read_thermo(rdir, &q, r, e) != 0) {
        series_free(&q);
        return -1;
    }
    double area, dens;
    tm_geometry(c, r, &area, &dens, NULL);
    iface_growth_fit(q.t, q.nx, q.nc, q.n, 0.1 * r->ps_done, r->natoms, area, dens, 0.5 * r->a, &r->g);
    series_free(&q);
    return 0;
}

static int tm_run_one(tm_ctx *c, tm_run *r, pcm_err *e)
{
    double t0 = cli_now();
    char rdir[4096];
    snprintf(rdir, sizeof rdir, "%s/T%.0fK", c->dir, r->T);
    unsigned long long seed = (unsigned long long)c->seed * 1000003ULL + (unsigned long long)lround(r->T * 10);
    r->g.verdict = 0;
    r->g.v = NAN;
    int rc = make_dirs(rdir, e);
    if (rc == 0)
        rc = tm_lattice(c, r, seed, e);
    pcm_system *s = rc == 0 ? tm_interface(c, r, seed + 1, e) : NULL;
    if (!s) {
        snprintf(r->status, sizeof r->status, "%s", cli_stop ? "interrupted" : "failed");
        r->wall = cli_now() - t0;
        return -1;
    }
    rc = tm_growth(c, r, s, seed + 2, rdir, e);
    system_free(s);
    pcm_err ae = {{0}};
    if (tm_analyse(c, r, rdir, &ae) != 0)
        fprintf(stderr, "pcmlab melting-point: %s\n", ae.msg);
    r->wall = cli_now() - t0;
    return rc;
}

/* ------------------------------------------------------------------ report */

static const char *verdict_word(const tm_run *r)
{
    if (strcmp(r->status, "completed"))
        return r->status;
    return r->g.verdict > 0 ? "grows" : r->g.verdict < 0 ? "melts" : "undecided";
}

/* The verdict with how it was reached, for the report. */
static const char *verdict_text(const tm_run *r, char *buf, size_t n)
{
    if (r->g.saturated && !strcmp(r->status, "completed"))
        snprintf(buf, n, "%s (%s at %.3g ps)", verdict_word(r),
                 r->g.saturated > 0 ? "box crystallized" : "slab melted", r->g.t_saturated);
    else
        snprintf(buf, n, "%s", verdict_word(r));
    return buf;
}

static void tm_estimate(const tm_ctx *c, pcm_tm_estimate *est)
{
    pcm_tm_point p[TM_MAXT];
    int n = 0;
    for (int k = 0; k < c->nruns; k++)
        if (!strcmp(c->runs[k].status, "completed"))
            p[n++] = (pcm_tm_point){c->runs[k].T, c->runs[k].g.v, c->runs[k].g.verdict};
    iface_tm_estimate(p, n, est);
}

static void write_csv(const tm_ctx *c)
{
    char path[4200];
    pcm_err e = {{0}};
    pcm_afile af = {0};
    snprintf(path, sizeof path, "%s/melting-point.csv", c->dir);
    if (atomic_open(&af, path, &e) != 0) {
        fprintf(stderr, "pcmlab melting-point: %s\n", e.msg);
        return;
    }
    fputs("T,a,atoms,ps,n_crystalline_start,n_crystalline_end,fraction_start,fraction_end,slope_atoms_ps,"
          "slope_se,v_m_s,v_se_m_s,verdict,status,wall_s,crystal_fraction_equil\n",
          af.fp);
    for (int k = 0; k < c->nruns; k++) {   /* unknown wall time and equilibration (--report-only): empty */
        const tm_run *r = &c->runs[k];
        fprintf(af.fp, "%g,%.5f,%d,%.3f,%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s,%s,", r->T, r->a, r->natoms,
                r->ps_done, r->nx0, r->nx1, r->f0, r->f1, r->g.slope, r->g.slope_se, r->g.v, r->g.v_se,
                verdict_word(r), r->status);
        if (r->wall > 0)
            fprintf(af.fp, "%.1f", r->wall);
        fputc(',', af.fp);
        if (isfinite(r->xtal_equil_frac))
            fprintf(af.fp, "%.4f", r->xtal_equil_frac);
        fputc('\n', af.fp);
    }
    if (atomic_commit(&af, &e) != 0)
        fprintf(stderr, "pcmlab melting-point: %s\n", e.msg);
}

static void write_report(const tm_ctx *c)
{
    char path[4200], line[256];
    pcm_err e = {{0}};
    pcm_afile af = {0};
    snprintf(path, sizeof path, "%s/report.md", c->dir);
    if (atomic_open(&af, path, &e) != 0) {
        fprintf(stderr, "pcmlab melting-point: %s\n", e.msg);
        return;
    }
    FILE *fp = af.fp;
    pcm_tm_estimate est;
    tm_estimate(c, &est);
    iface_tm_text(&est, line, sizeof line);
    fprintf(fp, "# Melting point by the interface method: %s\n\n", c->pot_spec ? c->pot_spec : c->dir);
    fprintf(fp, "**%s**\n\n", line);
    char liq[64];
    if (c->liq_len > 0)
        snprintf(liq, sizeof liq, "%g Å", c->liq_len);
    else
        snprintf(liq, sizeof liq, "as thick as the crystal");
    if (c->report_only)
        fprintf(fp, "- re-analysed %s by `%s` from the runs in this folder (crystal %ldx%ldx%ld rocksalt cells; "
                    "how each ran: its own files; wall times not known)\n\n",
                c->started, c->cmdline, c->cells[0], c->cells[1], c->cells[2]);
    else {
        fprintf(fp, "- command: `%s`\n- started %s; crystal %ldx%ldx%ld rocksalt cells, liquid %s at %g g/cm³\n",
                c->cmdline, c->started, c->cells[0], c->cells[1], c->cells[2], liq, c->rho_liq);
        fprintf(fp,
            "- per temperature: crystal NPT %g ps -> a(T); liquid premelted %g ps at %g K and %g ps at T with the "
            "crystal fixed; then NPT with P_zz = 1 bar (x, y fixed) for %g ps, sampled every %g ps; dt %g fs, "
            "seed %ld\n\n",
            c->equil_ps, c->hot_ps, c->hot_T, TM_SETTLE_PS, c->time_ps, c->every_ps, c->dt, c->seed);
    }
    fputs("| T (K) | T/T_m | a(T) (Å) | atoms | simulated | N_x start → end | fraction start → end | "
          "dN_x/dt (atoms/ps) | v (m/s) | verdict | wall |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
          fp);
    for (int k = 0; k < c->nruns; k++) {
        const tm_run *r = &c->runs[k];
        char vt[96];
        char wall[32];
        if (r->wall > 0)
            snprintf(wall, sizeof wall, "%.0f s", r->wall);
        else
            snprintf(wall, sizeof wall, "—");
        char tt[16];   /* T/T_m: the paper's Fig. 12 axis, once T_m is bracketed */
        if (est.status == TM_BRACKET)
            snprintf(tt, sizeof tt, "%.3f", r->T / est.tm);
        else
            snprintf(tt, sizeof tt, "—");
        fprintf(fp,
                "| %g | %s | %.4f | %d | %.4g ps | %d → %d | %.3f → %.3f | %.2f ± %.2f | %.2f ± %.2f | %s | %s |\n",
                r->T, tt, r->a, r->natoms, r->ps_done, r->nx0, r->nx1, r->f0, r->f1, r->g.slope, r->g.slope_se,
                r->g.v, r->g.v_se, verdict_text(r, vt, sizeof vt), wall);
    }
    fprintf(fp,
            "\nv = (dN_x/dt) / (2 A n_x) from a least-squares line over the last 90 %% of each run (two "
            "interfaces, A the x-y area, n_x the crystal's number density), or, when the slab melted or the "
            "box crystallized first, over the last 90 %% up to that moment, which decides the run by itself "
            "(no crystalline atoms or no interface left). Otherwise a run is "
            "decided when the line "
            "moves by at least half a (001) monolayer per interface and its slope exceeds %.0f standard errors; "
            "the error bars treat the samples as independent and are optimistic. The paper (2160 atoms, 1 K "
            "steps) finds 796 ± 2 K for its ACE potential; experiment 903 K. Near T_m the interface wanders: "
            "a bracket needs runs long enough to move it by several monolayers.\n",
            IFACE_SIGMAS);
    for (int k = 0; k < c->nruns; k++)
        if (c->runs[k].xtal_equil_frac < 0.5)
            fprintf(fp,
                    "\nAt %g K the crystal did not survive the a(T) run (crystalline fraction %.2f at its end): "
                    "a(T) there is not a crystal's, and the verdict only says the crystal is unstable.\n",
                    c->runs[k].T, c->runs[k].xtal_equil_frac);
    if (atomic_commit(&af, &e) != 0)
        fprintf(stderr, "pcmlab melting-point: %s\n", e.msg);
}

/* DIR/growth.png (N_x(t) of every temperature) and DIR/velocity.png (v against T), drawn by
 * gnuplot when it is installed (else nothing), to temporary names renamed when complete. */
static void write_plots(const tm_ctx *c)
{
    int ndone = 0;
    for (int k = 0; k < c->nruns; k++)
        ndone += c->runs[k].ps_done > 0;
    char growth[4200], velocity[4200];
    snprintf(growth, sizeof growth, "%s/growth.png", c->dir);
    snprintf(velocity, sizeof velocity, "%s/velocity.png", c->dir);
    pcm_err e = {{0}};
    FILE *g = ndone && gnuplot_path_ok(c->dir, &e) == 0 ? gnuplot_open(&e) : NULL;
    if (!g)
        return;
    fprintf(g, "set terminal pngcairo size 900,600 font 'Sans,13'\nset grid\nset datafile separator ','\n");
    fprintf(g, "set output '%s.tmp'\nset title 'interface method: crystalline atoms'\n"
               "set xlabel 'time (ps)'\nset ylabel 'crystalline atoms N_x'\nset key outside right\nplot ",
            growth);
    for (int k = 0, first = 1; k < c->nruns; k++) {
        if (!(c->runs[k].ps_done > 0))
            continue;
        fprintf(g, "%s'%s/T%.0fK/thermo.csv' every ::1 u 1:7 w l lw 2 t '%g K'", first ? "" : ", ", c->dir,
                c->runs[k].T, c->runs[k].T);
        first = 0;
    }
    fprintf(g, "\nset output '%s.tmp'\nset title 'interface velocity (> 0: the crystal grows)'\n"
               "set xlabel 'T (K)'\nset ylabel 'v (m/s)'\nset key top right\nset xzeroaxis lw 2\n"
               "set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1\n"
               "plot '%s/melting-point.csv' every ::1 u 1:(strcol(14) eq \"completed\" ? $11 : 1/0):12 w yerrorbars "
               "pt 7 ps 1.5 t 'v'\n",
            velocity, c->dir);
    const char *outs[2] = {growth, velocity};
    gnuplot_close(g, outs, 2, &e);   /* no plots without gnuplot: the report and CSV carry the numbers */
}

/* ------------------------------------------------------------------ arguments */

static int parse_args(int argc, char **argv, tm_ctx *c, pcm_err *e)
{
    c->cells[0] = c->cells[1] = 3, c->cells[2] = 4;
    c->threads = -1, c->seed = 1, c->dt = 1.0, c->time_ps = 100.0, c->equil_ps = 5.0, c->rho_liq = 5.9;
    c->hot_T = 1500.0, c->hot_ps = 4.0, c->every_ps = 0.5, c->liq_len = 0.0;
    cli_temps("--T", "650,750,850,950", c->Ts, TM_MAXT, &c->nT, e);
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (a[0] != '-' || !a[1]) {
            if (c->pot_spec)
                return fprintf(stderr, "pcmlab melting-point: more than one potential ('%s')\n", a), 2;
            c->pot_spec = a;
            continue;
        }
        if (!strcmp(a, "--report-only")) {
            c->report_only = 1;
            continue;
        }
        if (!v)
            return fprintf(stderr, "pcmlab melting-point: %s needs a value\n", a), 2;
        int rc = 0;
        k++;
        char tail;
        if (!strcmp(a, "-o")) c->dir = v;
        else if (!strcmp(a, "--T")) rc = cli_temps(a, v, c->Ts, TM_MAXT, &c->nT, e);
        else if (!strcmp(a, "--time")) rc = cli_double(a, v, &c->time_ps, e);
        else if (!strcmp(a, "--equil")) rc = cli_double(a, v, &c->equil_ps, e);
        else if (!strcmp(a, "--liquid")) rc = cli_double(a, v, &c->liq_len, e);
        else if (!strcmp(a, "--rho-liquid")) rc = cli_double(a, v, &c->rho_liq, e);
        else if (!strcmp(a, "--premelt")) rc = cli_temp_time(a, v, &c->hot_T, &c->hot_ps, e);
        else if (!strcmp(a, "--every")) rc = cli_double(a, v, &c->every_ps, e);
        else if (!strcmp(a, "--threads")) rc = cli_int(a, v, &c->threads, e);
        else if (!strcmp(a, "--seed")) rc = cli_int(a, v, &c->seed, e);
        else if (!strcmp(a, "--dt")) rc = cli_double(a, v, &c->dt, e);
        else if (!strcmp(a, "--cells")) {
            if (sscanf(v, "%ldx%ldx%ld%c", &c->cells[0], &c->cells[1], &c->cells[2], &tail) != 3 ||
                c->cells[0] < 1 || c->cells[1] < 1 || c->cells[2] < 1 || c->cells[0] * c->cells[1] * c->cells[2] > 20000)
                rc = pcm_errf(e, NULL, 0, "--cells expects NXxNYxNZ rocksalt cells (e.g. 3x3x4), got '%s'", v);
        } else
            return fprintf(stderr, "pcmlab melting-point: unknown option '%s'\n", a), 2;
        if (rc)
            return 1;
    }
    if (!c->dir || (!c->pot_spec && !c->report_only))
        return fprintf(stderr, "pcmlab melting-point: %s\n", c->pot_spec ? "-o DIR is required" : "missing potential"),
               2;
    if (!(c->time_ps > 0 && c->time_ps <= 1e6) || !(c->equil_ps > 0 && c->equil_ps <= 1e4))
        return pcm_errf(e, NULL, 0, "--time and --equil must be positive (ps)"), 1;
    if (!(c->every_ps > 0) || c->every_ps > c->time_ps / 3)
        return pcm_errf(e, NULL, 0, "--every must be positive and give at least 3 samples in --time"), 1;
    if (c->liq_len != 0 && !(c->liq_len > 2 && c->liq_len < 200))
        return pcm_errf(e, NULL, 0, "--liquid must be between 2 and 200 Å, got %g", c->liq_len), 1;
    if (!(c->rho_liq > 1 && c->rho_liq < 20))
        return pcm_errf(e, NULL, 0, "--rho-liquid must be in (1, 20) g/cm³, got %g", c->rho_liq), 1;
    if (c->threads == 0 || c->threads < -1 || c->threads > 1024)
        return pcm_errf(e, NULL, 0, "--threads must be between 1 and 1024"), 1;
    if (!(c->dt > 0.0 && c->dt <= 10.0))
        return pcm_errf(e, NULL, 0, "--dt must be in (0, 10] fs, got %g", c->dt), 1;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One finished temperature from its folder: geometry from start.extxyz (a = L_x / cells x;
 * the crystal block's atoms from --cells), the status from final.extxyz, the fit from
 * thermo.csv. */
static int tm_load_run(tm_ctx *c, tm_run *r, pcm_err *e)
{
    char rdir[4096], path[4200];
    snprintf(rdir, sizeof rdir, "%s/T%.0fK", c->dir, r->T);
    snprintf(path, sizeof path, "%s/start.extxyz", rdir);
    pcm_frame *fr = xyz_read_first(path, e);
    if (!fr)
        return -1;
    r->natoms = fr->sys->n;
    r->a = fr->sys->cell.h[0][0] / (double)c->cells[0];
    frame_free(fr);
    r->nblock = build_rocksalt_box_atoms((int)c->cells[0], (int)c->cells[1], (int)c->cells[2], 0.2);
    if (r->nblock >= r->natoms)
        return pcm_errf(e, path, 0, "%d atoms, not more than a %ldx%ldx%ld crystal block (%d): --cells as it ran?",
                        r->natoms, c->cells[0], c->cells[1], c->cells[2], r->nblock);
    snprintf(path, sizeof path, "%s/final.extxyz", rdir);
    pcm_err fe = {{0}};
    fr = xyz_read_first(path, &fe);
    const char *st = fr ? frame_get(fr, "melting_point_run") : NULL;
    snprintf(r->status, sizeof r->status, "%s", st ? st : "incomplete");
    frame_free(fr);
    r->wall = -1;
    r->xtal_equil_frac = NAN;
    return tm_analyse(c, r, rdir, e);
}

static int tm_report_only(tm_ctx *c, pcm_err *e)
{
    DIR *d = opendir(c->dir);
    if (!d)
        return pcm_errf(e, c->dir, 0, "cannot open the folder");
    double Ts[TM_MAXT];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        double T;
        int used = 0;
        if (sscanf(de->d_name, "T%lfK%n", &T, &used) == 1 && used && !de->d_name[used] && n < TM_MAXT)
            Ts[n++] = T;
    }
    closedir(d);
    if (!n)
        return pcm_errf(e, c->dir, 0, "no T<T>K run folders to analyse");
    qsort(Ts, (size_t)n, sizeof *Ts, cmp_double);
    for (int k = 0; k < n; k++) {
        tm_run *r = &c->runs[c->nruns++];
        memset(r, 0, sizeof *r);
        r->T = Ts[k];
        pcm_err re = {{0}};
        if (tm_load_run(c, r, &re) != 0) {   /* still running, or not a run of this command */
            fprintf(stderr, "pcmlab melting-point: %g K skipped: %s\n", r->T, re.msg);
            c->nruns--;
            continue;
        }
        char vt[96];
        printf("melting-point %6g K  a %.4f A  N_x %d -> %d  v %+.2f +- %.2f m/s  %s\n", r->T, r->a, r->nx0, r->nx1,
               r->g.v, r->g.v_se, verdict_text(r, vt, sizeof vt));
    }
    if (!c->nruns)
        return pcm_errf(e, c->dir, 0, "none of its %d run folders could be analysed", n);
    write_csv(c);
    write_report(c);
    write_plots(c);
    pcm_tm_estimate est;
    char line[256];
    tm_estimate(c, &est);
    iface_tm_text(&est, line, sizeof line);
    printf("melting-point: %s  report: %s/report.md\n", line, c->dir);
    return 0;
}

int cmd_melting_point(int argc, char **argv)
{
    static tm_ctx ctx;
    tm_ctx *c = &ctx;
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
    time_t now = time(NULL);
    strftime(c->started, sizeof c->started, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    if (c->report_only)
        return tm_report_only(c, &e) == 0 ? 0 : cli_fail(&e);
    c->pot = potential_load(c->pot_spec, &e);
    if (!c->pot || make_dirs(c->dir, &e) != 0) {
        potential_free(c->pot);
        return cli_fail(&e);
    }
    printf("melting-point %s: %d temperatures, %ldx%ldx%ld crystal cells, %g ps each -> %s/\n", c->pot_spec, c->nT,
           c->cells[0], c->cells[1], c->cells[2], c->time_ps, c->dir);
    fflush(stdout);
    cli_catch_stop();
    int failed = 0;
    for (int k = 0; k < c->nT && !cli_stop; k++) {
        tm_run *r = &c->runs[c->nruns++];
        memset(r, 0, sizeof *r);
        r->T = c->Ts[k];
        r->xtal_equil_frac = NAN;
        pcm_err re = {{0}};
        if (tm_run_one(c, r, &re) != 0 && !cli_stop) {
            failed = 1;
            fprintf(stderr, "pcmlab melting-point: %g K: %s\n", r->T, re.msg);
        }
        char vt[96];
        printf("melting-point %6g K  a %.4f A  N_x %d -> %d  v %+.2f +- %.2f m/s  %s  (%.1f s)\n", r->T, r->a, r->nx0,
               r->nx1, r->g.v, r->g.v_se, verdict_text(r, vt, sizeof vt), r->wall);
        fflush(stdout);
        write_csv(c);
        write_report(c);
        write_plots(c);
    }
    cli_release_stop();
    pcm_tm_estimate est;
    char line[256];
    tm_estimate(c, &est);
    iface_tm_text(&est, line, sizeof line);
    printf("melting-point: %s%s  report: %s/report.md\n", line, cli_stop ? " (INTERRUPTED)" : "", c->dir);
    potential_free(c->pot);
    return cli_stop ? 128 + (int)cli_stop : failed;
}
