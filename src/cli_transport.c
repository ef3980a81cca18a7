/* cli_transport.c - `pcmlab transport POT -o DIR`: viscosity by Green–Kubo and self-diffusion
 * from the mean-square displacement of liquid GST (the paper's SI sec. 3 and 4).
 *
 * For every temperature T of --T, independently:
 *   1. liquid   a random GST packing of --atoms atoms at --density g/cm³, melted by Langevin
 *               dynamics at --premelt T_HOT:PS;
 *   2. volume   with --npt PS: NPT at 1 bar and T for PS ps, then the box (and the atoms,
 *               affinely) set to the mean volume of its second half; without it the density
 *               stays as given (the paper's runs are NVT at the NPT density);
 *   3. equil    NVT (Bussi) at T for --equil ps;
 *   4. sampling NVT (Bussi with τ = --tau fs, weak enough to leave the dynamics alone; --nve
 *               for none) for --time ps: the pressure tensor every --every fs into the
 *               Green–Kubo accumulator (correlation window --window fs), the MSD per species
 *               every --msd-every fs.
 * η = V/(k_B T) ∫_0^window <P_ab(0) P_ab(t)> dt averaged over xy, xz, yz (transport.h); its
 * standard error from --blocks accumulators over consecutive, equal parts of the run.
 * D = slope/6 of MSD(t) over t >= --fit-from ps (default a fifth of the run).  Stokes–Einstein:
 * D·η/T and the radius r = k_B T / (6π η D) it implies.
 *
 * Output (atomic files): DIR/report.md, DIR/transport.csv (rewritten after every temperature,
 * so a killed run keeps what finished), per temperature DIR/T<T>K/stress.csv (every sample:
 * time, T, P, the six tensor components, PE), acf.csv (lag, ACF, running η), msd.csv and
 * final.extxyz; with gnuplot DIR/viscosity.png (running η integrals) and msd.png.
 * SIGINT/SIGTERM end the running temperature and write the report; exit 128 + signal.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build.h"
#include "cli.h"
#include "extxyz.h"
#include "fileio.h"
#include "gnuplot.h"
#include "md.h"
#include "transport.h"
#include "units.h"

#define TR_MAXT 32
#define TR_MAXB 64
#define TR_DMIN 2.5   /* Å, closest approach in the random packing */
#define TR_STRESS_HEADER "time_ps,T,P_bar,pxx_bar,pyy_bar,pzz_bar,pyz_bar,pxz_bar,pxy_bar,pe_atom"

typedef struct tr_run {
    double T;                  /* K, target */
    double T_mean;             /* K, mean over the sampling run */
    double density, volume;    /* g/cm³, Å³ during sampling */
    int natoms;
    double ps_done;            /* sampled ps */
    long nsamples;
    double eta, eta_se;        /* mPa·s; se < 0 when fewer than 2 blocks completed */
    int nblocks_done;
    double D[PCM_MAX_SPECIES + 1];   /* 1e-5 cm²/s: [0] all atoms, [1 + k] species k */
    char species[PCM_MAX_SPECIES][4];
    int nspecies;
    double se_radius;          /* Å, k_B T / (6π η D_all) */
    double drift;              /* meV/atom/ps of the conserved quantity during sampling */
    char status[96];
    double wall;
} tr_run;

typedef struct tr_ctx {
    const char *pot_spec, *dir;
    double Ts[TR_MAXT];
    int nT;
    long atoms, threads, seed, blocks;
    double density, time_ps, equil_ps, npt_ps, hot_T, hot_ps, every_fs, window_fs, msd_every_fs, fit_from_ps;
    double dt, tau;
    int nve;
    pcm_potential *pot;
    tr_run runs[TR_MAXT];
    int nruns;
    char cmdline[1024], started[64];
} tr_ctx;

static int usage(void)
{
    fprintf(stderr,
            "usage: pcmlab transport POT -o DIR [--T 1000,1200] [--time 50] [--atoms 300] [--density 5.9]\n"
            "                        [--npt PS] [--premelt 1500:4] [--equil 5] [--every 5] [--window 4000]\n"
            "                        [--msd-every 50] [--fit-from PS] [--blocks 5] [--tau 1000] [--nve]\n"
            "                        [--threads T] [--seed 1] [--dt 1]\n"
            "  Viscosity (Green–Kubo, stress every --every fs, window --window fs) and self-diffusion\n"
            "  (mean-square displacement) of liquid GST at each T: a random packing melted at --premelt,\n"
            "  optionally brought to 1 bar by --npt ps of NPT, equilibrated, then sampled for --time ps.\n"
            "  Writes DIR/report.md, DIR/transport.csv and per-T folders (stress, ACF, MSD).\n");
    return 2;
}

static long tr_steps(const tr_ctx *c, double fs) { return (long)ceil(fs / c->dt - 1e-9); }

static pcm_md *tr_md(tr_ctx *c, pcm_system *s, pcm_ensemble ens, double T, double tau, unsigned long long seed,
                     pcm_err *e)
{
    pcm_md_params mp;
    md_params_default(&mp);
    mp.dt = c->dt;
    mp.ensemble = ens;
    mp.T = T;
    mp.P = 1.0;
    mp.seed = seed;
    if (tau > 0)
        mp.tau_T = tau;
    return md_new(s, c->pot, &mp, e);
}

/* n steps of md in chunks, stopping on a signal; volume sum over the steps from `from` on
 * (vsum may be NULL).  0, or -1 with e (blew up or interrupted). */
static int tr_advance(pcm_md *md, long n, long from, double *vsum, long *nv, pcm_err *e)
{
    pcm_system *s = md_system(md);
    for (long k = 0; k < n;) {
        if (cli_stop)
            return pcm_errf(e, NULL, 0, "interrupted");
        long m = n - k < 20 ? n - k : 20;
        if (md_step(md, (int)m, e) != 0)
            return -1;
        k += m;
        if (vsum && k >= from)
            *vsum += s->cell.volume, (*nv)++;
    }
    return 0;
}

/* Stages 1–3: the equilibrated liquid at T, or NULL with e. */
static pcm_system *tr_liquid(tr_ctx *c, tr_run *r, unsigned long long seed, pcm_err *e)
{
    pcm_system *s = build_liquid((int)c->atoms, c->density, "Ge2Sb2Te5", TR_DMIN, seed, e);
    if (!s)
        return NULL;
    pcm_md *md = tr_md(c, s, PCM_NVT_LANGEVIN, c->hot_T, 0, seed + 1, e);
    int rc = md ? 0 : -1;
    if (md) {
        md_init_velocities(md, c->hot_T, seed + 2);
        rc = tr_advance(md, tr_steps(c, c->hot_ps * 1000.0), 0, NULL, NULL, e);
        md_free(md);
    }
    if (rc == 0 && c->npt_ps > 0) {
        md = tr_md(c, s, PCM_NPT_ISO, r->T, 0, seed + 3, e);
        long n = tr_steps(c, c->npt_ps * 1000.0), nv = 0;
        double vsum = 0;
        rc = md ? 0 : -1;
        if (md) {
            rc = tr_advance(md, n, n / 2, &vsum, &nv, e);
            md_free(md);
        }
        if (rc == 0 && nv > 0) {   /* the mean volume, affinely */
            double f = cbrt(vsum / nv / s->cell.volume), fv[3] = {f, f, f};
            cell_scale(&s->cell, fv);
            for (int i = 0; i < s->n; i++)
                for (int k = 0; k < 3; k++)
                    s->x[i][k] *= f;
        }
    }
    if (rc == 0) {
        system_zero_momentum(s);
        md = tr_md(c, s, PCM_NVT_BUSSI, r->T, 100.0, seed + 4, e);
        rc = md ? tr_advance(md, tr_steps(c, c->equil_ps * 1000.0), 0, NULL, NULL, e) : -1;
        md_free(md);
    }
    if (rc != 0) {
        system_free(s);
        return NULL;
    }
    s->step = 0;
    s->time = 0.0;
    return s;
}

/* The pressure tensor of s in bar (Voigt xx yy zz yz xz xy): kinetic plus virial over V. */
static void tr_pressure_tensor(const pcm_system *s, double p[6])
{
    double k[6];
    system_kinetic_tensor(s, k);
    for (int a = 0; a < 6; a++)
        p[a] = (k[a] + s->virial[a]) / s->cell.volume * PCM_EV_A3_TO_BAR;
}

typedef struct tr_msd {
    double (*x0)[3];
    double *t, *all, *sp;   /* sp: [n * nspecies] */
    int n, cap, nspecies;
} tr_msd;

static void tr_msd_add(tr_msd *m, const pcm_system *s)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 256;
        m->t = pcm_realloc(m->t, (size_t)m->cap * sizeof *m->t);
        m->all = pcm_realloc(m->all, (size_t)m->cap * sizeof *m->all);
        m->sp = pcm_realloc(m->sp, (size_t)m->cap * (size_t)m->nspecies * sizeof *m->sp);
    }
    m->t[m->n] = s->time;
    m->all[m->n] = msd_compute(s, (const double(*)[3])m->x0, (const double(*)[3])s->x, m->sp + m->n * m->nspecies);
    m->n++;
}

static void tr_msd_free(tr_msd *m) { free(m->x0), free(m->t), free(m->all), free(m->sp); }

/* D in 1e-5 cm²/s from the series y (Å²) over t >= from (fs); NAN when too short. */
static double tr_fit_D(const tr_msd *m, const double *y, int stride, double from)
{
    double *v = pcm_malloc((size_t)m->n * sizeof *v);
    for (int k = 0; k < m->n; k++)
        v[k] = y[(size_t)k * (size_t)stride];
    double d = diffusion_fit(m->t, v, m->n, from);
    free(v);
    return d >= 0 ? d * 1e4 : NAN;   /* 1 Å²/fs = 0.1 cm²/s */
}

static int tr_write_acf(const char *path, const pcm_gk *g, double V, double T, pcm_err *e)
{
    pcm_afile af = {0};
    if (atomic_open(&af, path, e) != 0)
        return -1;
    double *run = pcm_malloc((size_t)g->nlag * sizeof *run);
    gk_eta_running(g, V, T, run);
    fputs("lag_ps,acf_bar2,acf_normalised,eta_running_mPas\n", af.fp);
    double a0 = gk_acf(g, 0);
    for (int k = 0; k < g->nlag; k++)
        fprintf(af.fp, "%.4f,%.6g,%.6f,%.6g\n", k * g->dt * 1e-3, gk_acf(g, k), a0 > 0 ? gk_acf(g, k) / a0 : 0.0,
                run[k] * 1e3);
    free(run);
    return atomic_commit(&af, e);
}

static int tr_write_msd(const char *path, const tr_msd *m, const pcm_system *s, pcm_err *e)
{
    pcm_afile af = {0};
    if (atomic_open(&af, path, e) != 0)
        return -1;
    fputs("time_ps,msd_A2", af.fp);
    for (int k = 0; k < m->nspecies; k++)
        fprintf(af.fp, ",msd_%s_A2", s->species[k]);
    fputc('\n', af.fp);
    for (int j = 0; j < m->n; j++) {
        fprintf(af.fp, "%.4f,%.5f", m->t[j] * 1e-3, m->all[j]);
        for (int k = 0; k < m->nspecies; k++)
            fprintf(af.fp, ",%.5f", m->sp[(size_t)j * (size_t)m->nspecies + (size_t)k]);
        fputc('\n', af.fp);
    }
    return atomic_commit(&af, e);
}

/* Stage 4 on the equilibrated liquid s: fills r, writes rdir's files; 0 when it completed. */
static int tr_sample(tr_ctx *c, tr_run *r, pcm_system *s, unsigned long long seed, const char *rdir, pcm_err *e)
{
    char path[4200];
    pcm_md *md = tr_md(c, s, c->nve ? PCM_NVE : PCM_NVT_BUSSI, r->T, c->tau, seed, e);
    if (!md)
        return -1;
    long n = tr_steps(c, c->time_ps * 1000.0), every = tr_steps(c, c->every_fs), mevery = tr_steps(c, c->msd_every_fs);
    if (every < 1)
        every = 1;
    if (mevery < every)
        mevery = every;
    mevery = (mevery / every) * every;   /* on the stress samples' grid */
    double sdt = every * c->dt;
    long per_block = (n / every) / c->blocks;
    pcm_gk *all = gk_new(sdt, c->window_fs, e), *blk[TR_MAXB] = {0};
    for (int b = 0; all && b < c->blocks; b++)
        blk[b] = gk_new(sdt, c->window_fs, e);
    pcm_afile af = {0};
    snprintf(path, sizeof path, "%s/stress.csv", rdir);
    if (!all || atomic_open(&af, path, e) != 0) {
        gk_free(all);
        for (int b = 0; b < c->blocks; b++)
            gk_free(blk[b]);
        md_free(md);
        return -1;
    }
    fputs(TR_STRESS_HEADER "\n", af.fp);
    tr_msd m = {.nspecies = s->nspecies};
    m.x0 = pcm_malloc((size_t)s->n * sizeof *m.x0);
    memcpy(m.x0, s->x, (size_t)s->n * sizeof *m.x0);
    r->nspecies = s->nspecies;
    for (int k = 0; k < s->nspecies; k++)
        memcpy(r->species[k], s->species[k], sizeof r->species[k]);
    r->volume = s->cell.volume;
    r->density = system_density(s);
    double Tsum = 0, c0 = md_conserved(md);
    long ns = 0;
    int rc = 0;
    snprintf(r->status, sizeof r->status, "completed");
    for (long k = 0;; k += every) {   /* a sample at every k */
        {
            pcm_thermo th;
            double p[6];
            md_thermo(md, &th);
            tr_pressure_tensor(s, p);
            gk_add(all, p);
            long b = per_block > 0 ? ns / per_block : c->blocks;
            if (b < c->blocks)
                gk_add(blk[b], p);
            fprintf(af.fp, "%.4f,%.2f,%.1f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.6f\n", th.time_ps, th.T, th.P, p[0], p[1],
                    p[2], p[3], p[4], p[5], th.pe_atom);
            Tsum += th.T;
            ns++;
            if (k % mevery == 0)
                tr_msd_add(&m, s);
        }
        if (k >= n)
            break;
        if (cli_stop) {
            snprintf(r->status, sizeof r->status, "interrupted");
            rc = -1;
            break;
        }
        if (md_step(md, (int)every, e) != 0) {
            snprintf(r->status, sizeof r->status, "blew up: %.80s", e->msg);
            rc = -1;
            break;
        }
    }
    r->nsamples = ns;
    r->ps_done = s->time * 1e-3;
    r->natoms = s->n;
    r->T_mean = ns ? Tsum / ns : NAN;
    r->drift = r->ps_done > 0 ? (md_conserved(md) - c0) / s->n / r->ps_done * 1e3 : NAN;
    pcm_err e2 = {{0}};
    if (atomic_commit(&af, &e2) != 0)
        fprintf(stderr, "pcmlab transport: %s\n", e2.msg);
    /* η and its block error */
    r->eta = all->nsamples >= all->nlag ? gk_viscosity(all, r->volume, r->T_mean) * 1e3 : NAN;
    double bs = 0, bs2 = 0;
    r->nblocks_done = 0;
    for (int b = 0; b < c->blocks; b++)
        if (blk[b]->nsamples >= blk[b]->nlag && blk[b]->nsamples >= per_block) {
            double v = gk_viscosity(blk[b], r->volume, r->T_mean) * 1e3;
            bs += v, bs2 += v * v, r->nblocks_done++;
        }
    int nb = r->nblocks_done;
    r->eta_se = nb >= 2 ? sqrt(fmax(0.0, (bs2 - bs * bs / nb) / (nb - 1)) / nb) : -1.0;
    /* D per species and in all */
    double from = c->fit_from_ps >= 0 ? c->fit_from_ps * 1000.0 : 0.2 * s->time;
    r->D[0] = tr_fit_D(&m, m.all, 1, from);
    for (int k = 0; k < m.nspecies; k++)
        r->D[1 + k] = tr_fit_D(&m, m.sp + k, m.nspecies, from);
    /* Stokes–Einstein radius (Å): k_B T / (6π η D), η in Pa·s, D in m²/s */
    double eta_pas = r->eta * 1e-3, D_si = r->D[0] * 1e-9;
    r->se_radius = eta_pas > 0 && D_si > 0 ? 1.380649e-23 * r->T_mean / (6.0 * M_PI * eta_pas * D_si) * 1e10 : NAN;
    snprintf(path, sizeof path, "%s/acf.csv", rdir);
    if (tr_write_acf(path, all, r->volume, r->T_mean, &e2) != 0)
        fprintf(stderr, "pcmlab transport: %s\n", e2.msg);
    snprintf(path, sizeof path, "%s/msd.csv", rdir);
    if (tr_write_msd(path, &m, s, &e2) != 0)
        fprintf(stderr, "pcmlab transport: %s\n", e2.msg);
    snprintf(path, sizeof path, "%s/final.extxyz", rdir);
    const char *kv[] = {"transport_run", r->status, NULL};
    if (cli_write_xtal_frame(path, s, kv, &e2) != 0)
        fprintf(stderr, "pcmlab transport: %s\n", e2.msg);
    tr_msd_free(&m);
    gk_free(all);
    for (int b = 0; b < c->blocks; b++)
        gk_free(blk[b]);
    md_free(md);
    return rc;
}

static int tr_run_one(tr_ctx *c, tr_run *r, pcm_err *e)
{
    double t0 = cli_now();
    char rdir[4096];
    snprintf(rdir, sizeof rdir, "%s/T%.0fK", c->dir, r->T);
    unsigned long long seed = (unsigned long long)c->seed * 1000003ULL + (unsigned long long)lround(r->T * 10);
    int rc = make_dirs(rdir, e);
    pcm_system *s = rc == 0 ? tr_liquid(c, r, seed, e) : NULL;
    if (!s) {
        snprintf(r->status, sizeof r->status, "%s", cli_stop ? "interrupted" : "failed");
        r->wall = cli_now() - t0;
        return -1;
    }
    rc = tr_sample(c, r, s, seed + 5, rdir, e);
    system_free(s);
    r->wall = cli_now() - t0;
    return rc;
}

/* ------------------------------------------------------------------ report */

static void fmt_num(char *buf, size_t n, const char *fmt, double v)
{
    if (isfinite(v))
        snprintf(buf, n, fmt, v);
    else
        buf[0] = 0;
}

static void write_csv(const tr_ctx *c)
{
    char path[4200];
    pcm_err e = {{0}};
    pcm_afile af = {0};
    snprintf(path, sizeof path, "%s/transport.csv", c->dir);
    if (atomic_open(&af, path, &e) != 0) {
        fprintf(stderr, "pcmlab transport: %s\n", e.msg);
        return;
    }
    fputs("T,T_mean,density,atoms,ps,eta_mPas,eta_se_mPas,D_1e-5cm2s,D_Ge,D_Sb,D_Te,D_eta_over_T_1e-15NK,"
          "se_radius_A,drift_meV_atom_ps,status,wall_s\n",
          af.fp);
    for (int k = 0; k < c->nruns; k++) {
        const tr_run *r = &c->runs[k];
        char f[12][32];
        double dsp[3] = {NAN, NAN, NAN};
        const char *el[3] = {"Ge", "Sb", "Te"};
        for (int a = 0; a < 3; a++)
            for (int q = 0; q < r->nspecies; q++)
                if (!strcmp(r->species[q], el[a]))
                    dsp[a] = r->D[1 + q];
        fmt_num(f[0], 32, "%.1f", r->T_mean);
        fmt_num(f[1], 32, "%.4f", r->density);
        fmt_num(f[2], 32, "%.4f", r->eta);
        fmt_num(f[3], 32, "%.4f", r->eta_se >= 0 ? r->eta_se : NAN);
        fmt_num(f[4], 32, "%.4f", r->D[0]);
        fmt_num(f[5], 32, "%.4f", dsp[0]);
        fmt_num(f[6], 32, "%.4f", dsp[1]);
        fmt_num(f[7], 32, "%.4f", dsp[2]);
        /* D·η/T in 1e-15 N/K: (1e-9 m²/s)(1e-3 Pa·s)/K = 1e-12 N/K */
        fmt_num(f[8], 32, "%.4f", r->D[0] * r->eta / r->T_mean * 1e3);
        fmt_num(f[9], 32, "%.3f", r->se_radius);
        fmt_num(f[10], 32, "%.3g", r->drift);
        fmt_num(f[11], 32, "%.1f", r->wall);
        fprintf(af.fp, "%g,%s,%s,%d,%.3f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", r->T, f[0], f[1], r->natoms, r->ps_done,
                f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], r->status, f[11]);
    }
    if (atomic_commit(&af, &e) != 0)
        fprintf(stderr, "pcmlab transport: %s\n", e.msg);
}

static void write_report(const tr_ctx *c)
{
    char path[4200];
    pcm_err e = {{0}};
    pcm_afile af = {0};
    snprintf(path, sizeof path, "%s/report.md", c->dir);
    if (atomic_open(&af, path, &e) != 0) {
        fprintf(stderr, "pcmlab transport: %s\n", e.msg);
        return;
    }
    FILE *fp = af.fp;
    fprintf(fp, "# Viscosity and self-diffusion of liquid GST: %s\n\n", c->pot_spec);
    fprintf(fp, "- command: `%s`\n- started %s; %ld atoms (Ge2Sb2Te5 random packing at %g g/cm³)\n", c->cmdline,
            c->started, c->atoms, c->density);
    fprintf(fp, "- per temperature: premelt %g ps at %g K (Langevin); ", c->hot_ps, c->hot_T);
    if (c->npt_ps > 0)
        fprintf(fp, "NPT 1 bar %g ps, box set to the mean volume of its second half; ", c->npt_ps);
    else
        fputs("density kept as built (no NPT); ", fp);
    fprintf(fp, "NVT %g ps; then %g ps %s, pressure tensor every %g fs, Green–Kubo window %g ps, %ld blocks; "
                "MSD every %g fs, D fitted from %s; dt %g fs, seed %ld\n\n",
            c->equil_ps, c->time_ps, c->nve ? "NVE" : "NVT (Bussi)", c->every_fs, c->window_fs * 1e-3, c->blocks,
            c->msd_every_fs, c->fit_from_ps >= 0 ? "the given time" : "a fifth of the run", c->dt, c->seed);
    if (!c->nve)
        fprintf(fp, "(Bussi thermostat with τ = %g ps during sampling: it rescales all velocities by one factor, "
                    "which leaves the stress correlations and the MSD of a liquid essentially unchanged at this "
                    "τ; `--nve` removes it.)\n\n",
                c->tau * 1e-3);
    fputs("| T (K) | <T> (K) | density (g/cm³) | sampled | η (mPa·s) | D all | D Ge | D Sb | D Te | D·η/T (1e-15 N/K) | "
          "Stokes–Einstein r (Å) | drift (meV/atom/ps) | status |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
          fp);
    for (int k = 0; k < c->nruns; k++) {
        const tr_run *r = &c->runs[k];
        char eta[64], d[4][32], rr[32], dr[32];
        if (isfinite(r->eta))
            r->eta_se >= 0 ? snprintf(eta, sizeof eta, "%.3f ± %.3f", r->eta, r->eta_se)
                           : snprintf(eta, sizeof eta, "%.3f", r->eta);
        else
            snprintf(eta, sizeof eta, "— (shorter than the window)");
        double dsp[3] = {NAN, NAN, NAN};
        const char *el[3] = {"Ge", "Sb", "Te"};
        for (int a = 0; a < 3; a++)
            for (int q = 0; q < r->nspecies; q++)
                if (!strcmp(r->species[q], el[a]))
                    dsp[a] = r->D[1 + q];
        double dv[4] = {r->D[0], dsp[0], dsp[1], dsp[2]};
        for (int a = 0; a < 4; a++)
            isfinite(dv[a]) ? snprintf(d[a], 32, "%.3f", dv[a]) : snprintf(d[a], 32, "—");
        isfinite(r->se_radius) ? snprintf(rr, sizeof rr, "%.2f", r->se_radius) : snprintf(rr, sizeof rr, "—");
        isfinite(r->drift) ? snprintf(dr, sizeof dr, "%.3g", r->drift) : snprintf(dr, sizeof dr, "—");
        char se[32];
        isfinite(r->se_radius) ? snprintf(se, sizeof se, "%.3f", r->D[0] * r->eta / r->T_mean * 1e3)
                               : snprintf(se, sizeof se, "—");
        fprintf(fp, "| %g | %.1f | %.3f | %.4g ps | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r->T, r->T_mean,
                r->density, r->ps_done, eta, d[0], d[1], d[2], d[3], se, rr, dr, r->status);
    }
    fputs("\nD in 1e-5 cm²/s. η = V/(k_B T) ∫ <P_ab(0) P_ab(t)> dt over the correlation window, averaged over "
          "the three off-diagonal components (the paper's eq. 5); the ± is the standard error of the blocks "
          "(each block correlates only within itself, so it is an honest but coarse spread). A Green–Kubo "
          "integral from tens of ps is noisy: check that the running integral in viscosity.png / acf.csv has "
          "levelled off inside the window. The paper ran 5 × 5 ns per temperature. Stokes–Einstein: "
          "D·η/T = k_B/(6π r) for a sphere of radius r with stick boundaries; a constant D·η/T over "
          "temperature is what the paper checked.\n",
          fp);
    if (atomic_commit(&af, &e) != 0)
        fprintf(stderr, "pcmlab transport: %s\n", e.msg);
}

/* DIR/viscosity.png (running η per T) and DIR/msd.png (MSD of all atoms per T), when gnuplot is
 * installed. */
static void write_plots(const tr_ctx *c)
{
    char visc[4200], msd[4200];
    snprintf(visc, sizeof visc, "%s/viscosity.png", c->dir);
    snprintf(msd, sizeof msd, "%s/msd.png", c->dir);
    int ndone = 0;
    for (int k = 0; k < c->nruns; k++)
        ndone += c->runs[k].nsamples > 1;
    pcm_err e = {{0}};
    FILE *g = ndone && gnuplot_path_ok(c->dir, &e) == 0 ? gnuplot_open(&e) : NULL;
    if (!g)
        return;
    fprintf(g, "set terminal pngcairo size 900,600 font 'Sans,13'\nset grid\nset datafile separator ','\n"
               "set key outside right\n");
    fprintf(g, "set output '%s.tmp'\nset title 'Green–Kubo running integral'\nset xlabel 'correlation time (ps)'\n"
               "set ylabel 'η (mPa·s)'\nplot ",
            visc);
    for (int k = 0, first = 1; k < c->nruns; k++)
        if (c->runs[k].nsamples > 1) {
            fprintf(g, "%s'%s/T%.0fK/acf.csv' every ::1 u 1:4 w l lw 2 t '%g K'", first ? "" : ", ", c->dir,
                    c->runs[k].T, c->runs[k].T);
            first = 0;
        }
    fprintf(g, "\nset output '%s.tmp'\nset title 'mean-square displacement'\nset xlabel 'time (ps)'\n"
               "set ylabel 'MSD (Å²)'\nplot ",
            msd);
    for (int k = 0, first = 1; k < c->nruns; k++)
        if (c->runs[k].nsamples > 1) {
            fprintf(g, "%s'%s/T%.0fK/msd.csv' every ::1 u 1:2 w l lw 2 t '%g K'", first ? "" : ", ", c->dir,
                    c->runs[k].T, c->runs[k].T);
            first = 0;
        }
    fputc('\n', g);
    const char *outs[2] = {visc, msd};
    gnuplot_close(g, outs, 2, &e);   /* without gnuplot: the CSV files carry the numbers */
}

/* ------------------------------------------------------------------ arguments */

static int parse_args(int argc, char **argv, tr_ctx *c, pcm_err *e)
{
    c->atoms = 300, c->threads = -1, c->seed = 1, c->blocks = 5;
    c->density = 5.9, c->time_ps = 50, c->equil_ps = 5, c->npt_ps = 0, c->hot_T = 1500, c->hot_ps = 4;
    c->every_fs = 5, c->window_fs = 4000, c->msd_every_fs = 50, c->fit_from_ps = -1, c->dt = 1, c->tau = 1000;
    cli_temps("--T", "1000,1200", c->Ts, TR_MAXT, &c->nT, e);
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (a[0] != '-' || !a[1]) {
            if (c->pot_spec)
                return fprintf(stderr, "pcmlab transport: more than one potential ('%s')\n", a), 2;
            c->pot_spec = a;
            continue;
        }
        if (!strcmp(a, "--nve")) {
            c->nve = 1;
            continue;
        }
        if (!v)
            return fprintf(stderr, "pcmlab transport: %s needs a value\n", a), 2;
        int rc = 0;
        k++;
        if (!strcmp(a, "-o")) c->dir = v;
        else if (!strcmp(a, "--T")) rc = cli_temps(a, v, c->Ts, TR_MAXT, &c->nT, e);
        else if (!strcmp(a, "--time")) rc = cli_double(a, v, &c->time_ps, e);
        else if (!strcmp(a, "--atoms")) rc = cli_int(a, v, &c->atoms, e);
        else if (!strcmp(a, "--density")) rc = cli_double(a, v, &c->density, e);
        else if (!strcmp(a, "--npt")) rc = cli_double(a, v, &c->npt_ps, e);
        else if (!strcmp(a, "--equil")) rc = cli_double(a, v, &c->equil_ps, e);
        else if (!strcmp(a, "--every")) rc = cli_double(a, v, &c->every_fs, e);
        else if (!strcmp(a, "--window")) rc = cli_double(a, v, &c->window_fs, e);
        else if (!strcmp(a, "--msd-every")) rc = cli_double(a, v, &c->msd_every_fs, e);
        else if (!strcmp(a, "--fit-from")) rc = cli_double(a, v, &c->fit_from_ps, e);
        else if (!strcmp(a, "--blocks")) rc = cli_int(a, v, &c->blocks, e);
        else if (!strcmp(a, "--tau")) rc = cli_double(a, v, &c->tau, e);
        else if (!strcmp(a, "--threads")) rc = cli_int(a, v, &c->threads, e);
        else if (!strcmp(a, "--seed")) rc = cli_int(a, v, &c->seed, e);
        else if (!strcmp(a, "--dt")) rc = cli_double(a, v, &c->dt, e);
        else if (!strcmp(a, "--premelt")) rc = cli_temp_time(a, v, &c->hot_T, &c->hot_ps, e);
        else
            return fprintf(stderr, "pcmlab transport: unknown option '%s'\n", a), 2;
        if (rc)
            return 1;
    }
    if (!c->dir || !c->pot_spec)
        return fprintf(stderr, "pcmlab transport: %s\n", c->pot_spec ? "-o DIR is required" : "missing potential"), 2;
    if (c->atoms < 20 || c->atoms > 1000000)
        return pcm_errf(e, NULL, 0, "--atoms must be between 20 and 1000000, got %ld", c->atoms), 1;
    if (!(c->density > 1 && c->density < 20))
        return pcm_errf(e, NULL, 0, "--density must be in (1, 20) g/cm³, got %g", c->density), 1;
    if (!(c->time_ps > 0 && c->time_ps <= 1e6) || !(c->equil_ps >= 0 && c->equil_ps <= 1e4) ||
        !(c->npt_ps >= 0 && c->npt_ps <= 1e4))
        return pcm_errf(e, NULL, 0, "--time must be positive, --equil and --npt not negative (ps)"), 1;
    if (!(c->dt > 0.0 && c->dt <= 10.0))
        return pcm_errf(e, NULL, 0, "--dt must be in (0, 10] fs, got %g", c->dt), 1;
    if (!(c->every_fs >= c->dt) || !(c->window_fs >= 2 * c->every_fs) || !(c->msd_every_fs >= c->every_fs))
        return pcm_errf(e, NULL, 0,
                        "--every (fs) must be at least --dt, --window at least two samples, --msd-every at least "
                        "--every"),
               1;
    if (c->blocks < 1 || c->blocks > TR_MAXB)
        return pcm_errf(e, NULL, 0, "--blocks must be between 1 and %d", TR_MAXB), 1;
    if (c->window_fs * c->blocks > c->time_ps * 1000.0 + 1e-9)
        return pcm_errf(e, NULL, 0,
                        "--time (%g ps) must hold --blocks (%ld) windows of %g ps: a longer run, a shorter "
                        "--window or fewer --blocks",
                        c->time_ps, c->blocks, c->window_fs * 1e-3),
               1;
    if (!(c->tau > 0))
        return pcm_errf(e, NULL, 0, "--tau must be positive (fs)"), 1;
    if (c->fit_from_ps >= c->time_ps)
        return pcm_errf(e, NULL, 0, "--fit-from must lie inside the run (< --time)"), 1;
    if (c->threads == 0 || c->threads < -1 || c->threads > 1024)
        return pcm_errf(e, NULL, 0, "--threads must be between 1 and 1024"), 1;
    return 0;
}

int cmd_transport(int argc, char **argv)
{
    static tr_ctx ctx;
    tr_ctx *c = &ctx;
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
    c->pot = potential_load(c->pot_spec, &e);
    if (!c->pot || make_dirs(c->dir, &e) != 0) {
        potential_free(c->pot);
        return cli_fail(&e);
    }
    printf("transport %s: %d temperatures, %ld atoms, %g ps sampled each -> %s/\n", c->pot_spec, c->nT, c->atoms,
           c->time_ps, c->dir);
    fflush(stdout);
    cli_catch_stop();
    int failed = 0;
    for (int k = 0; k < c->nT && !cli_stop; k++) {
        tr_run *r = &c->runs[c->nruns++];
        memset(r, 0, sizeof *r);
        r->T = c->Ts[k];
        r->eta = r->T_mean = r->se_radius = r->drift = NAN;
        r->eta_se = -1;
        for (int q = 0; q <= PCM_MAX_SPECIES; q++)
            r->D[q] = NAN;
        pcm_err re = {{0}};
        if (tr_run_one(c, r, &re) != 0 && !cli_stop) {
            failed = 1;
            fprintf(stderr, "pcmlab transport: %g K: %s\n", r->T, re.msg);
        }
        printf("transport %6g K  <T> %.1f  rho %.3f  eta %.3f +- %.3f mPa s  D %.3f e-5 cm2/s  r_SE %.2f A  %s  "
               "(%.1f s)\n",
               r->T, r->T_mean, r->density, r->eta, r->eta_se, r->D[0], r->se_radius, r->status, r->wall);
        fflush(stdout);
        write_csv(c);
        write_report(c);
        write_plots(c);
    }
    cli_release_stop();
    printf("transport: report: %s/report.md%s\n", c->dir, cli_stop ? " (INTERRUPTED)" : "");
    potential_free(c->pot);
    return cli_stop ? 128 + (int)cli_stop : failed;
}
