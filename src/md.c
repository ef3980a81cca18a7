/* md.c - velocity Verlet with hooks; Bussi, Langevin, stochastic cell rescaling.
 *
 * Step order (the only place it is written; LAMMPS Verlet, CoMD):
 *   1. half kick      v += (dt/2) f/m
 *   2. drift          x += dt v
 *   2b. cell rescale  the barostat's move decided at the end of the previous step
 *   3. neighbour list refresh (rebuild only when an atom moved > skin/2)
 *   4. forces         f, energy, virial at the new x
 *   5. post-force hooks
 *   6. half kick      v += (dt/2) f/m
 *   7. end-of-step hooks (thermostat, barostat, observers)
 *
 * Thermostats and barostats are end-of-step hooks, never forks of the loop:
 * - Bussi, Donadio, Parrinello, J. Chem. Phys. 126, 014101 (2007): the kinetic
 *   energy K is resampled exactly from the canonical-bath propagator,
 *   α² = c + (1-c)(S + R²) K̄/(Nf K) + 2R sqrt(c(1-c) K̄/(Nf K)),
 *   c = exp(-dt/τ), R ~ N(0,1), S ~ χ²(Nf-1), K̄ = Nf kT/2; v *= α.
 * - Langevin: exact Ornstein-Uhlenbeck "O" step after "BAB" (a BAOAB-family
 *   splitting): v = c v + sqrt((1-c²) kT/m) ξ, c = exp(-dt/τ); the centre-of-mass
 *   velocity is then removed so the 3N-3 remaining degrees of freedom are canonical.
 * - Stochastic cell rescaling, Bernetti & Bussi, J. Chem. Phys. 153, 114107 (2020):
 *   dε = (β_T/τ_P)(P - P0 + kT/V) dt + sqrt(2 kT β_T dt / (V τ_P)) ξ,  ε = ln V;
 *   positions scale by e^{dε/3}, velocities by e^{-dε/3} (isotropic), or only z by
 *   e^{dε}, v_z by e^{-dε} with P → P_zz (x, y fixed).  β_T only sets the speed.
 *   dε is computed at the end of a step (from that step's consistent P) but applied
 *   at 2b of the next one, before the force evaluation: every half kick then uses
 *   forces of the current geometry, at no extra force evaluation (GROMACS likewise
 *   couples with the previous step's pressure).
 * Temperature uses Nf = 3N - 3 (total momentum is conserved or removed).
 */
#include "md.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ace.h"
#include "md_dev.h"
#include "md_kernels.h"
#include "neighbor.h"
#include "rng.h"
#include "units.h"

#define MD_MAX_HOOKS 16
#define MD_T_RUNAWAY 20000.0  /* K: absolute runaway limit */
#define MD_MAX_MOVE 1.0       /* Å per step: an atom moving further is lost */

typedef struct {
    pcm_md_hook_fn fn;
    void *ctx;
    int internal;
} md_hook;

struct pcm_md {
    pcm_system *sys;
    pcm_potential *pot;
    pcm_nlist *nl;
    pcm_md_params p;
    pcm_rng rng;
    int dof;
    double e_bath;          /* eV: energy removed by thermostat/barostat velocity moves */
    md_hook hooks[2][MD_MAX_HOOKS];
    int nhooks[2];
    pcm_system *good;       /* last good state */
    pcm_rng good_rng;
    double good_e_bath;
    double max_move2;       /* Å²: largest drift this step */
    double baro_f[3];       /* pending cell scale factors per axis (1 = none), applied at 2b */
    double good_baro_f[3];
    mdd *dev;               /* device path (md_dev.h), NULL = host loop */
    int dev_mode;           /* MD_DEVICE_* */
    int dev_synced;         /* 1: the host state is the device state of dev_hash */
    unsigned long long dev_hash;
    char dev_note[256];     /* why the device path is off, or which one runs */
};

static const char *ens_names[] = {"nve", "nvt", "langevin", "npt", "npt-z"};

void md_params_default(pcm_md_params *p)
{
    *p = (pcm_md_params){.dt = 1.0, .ensemble = PCM_NVE, .T = 300.0, .tau_T = 100.0, .P = 1.0,
                         .tau_P = 1000.0, .skin = 1.0, .seed = 1, .compressibility = 1e-5};
}

int md_ensemble_parse(const char *name)
{
    for (int k = 0; k < 5; k++)
        if (!strcmp(name, ens_names[k]))
            return k;
    if (!strcmp(name, "nvt-bussi"))
        return PCM_NVT_BUSSI;
    if (!strcmp(name, "nvt-langevin"))
        return PCM_NVT_LANGEVIN;
    return -1;
}

const char *md_ensemble_name(pcm_ensemble ens) { return (unsigned)ens < 5 ? ens_names[ens] : "?"; }

/* ------------------------------------------------------------------ kicks, drift */

/* The per-atom updates are md_kernels.h's, which the device path runs too. */
static void md_half_kick(pcm_md *md)
{
    pcm_system *s = md->sys;
    double h = 0.5 * md->p.dt / PCM_MVV2E;
    for (int i = 0; i < s->n; i++)
        mdk_kick(i, h, s->species_mass, s->type, &s->v[0][0], &s->f[0][0]);
}

static void md_drift(pcm_md *md)
{
    pcm_system *s = md->sys;
    double dt = md->p.dt, m2 = 0.0;
    for (int i = 0; i < s->n; i++) {
        double d2 = mdk_drift(i, dt, &s->x[0][0], &s->v[0][0]);
        if (!(d2 <= m2))   /* also catches NaN */
            m2 = d2;
    }
    md->max_move2 = m2;
}

static int md_forces(pcm_md *md, pcm_err *e)
{
    nl_refresh(md->nl, md->sys);
    return potential_compute(md->pot, md->sys, md->nl, e);
}

static void md_run_hooks(pcm_md *md, int stage)
{
    for (int k = 0; k < md->nhooks[stage]; k++)
        md->hooks[stage][k].fn(md, md->hooks[stage][k].ctx);
}

/* ------------------------------------------------------------------ thermostats */

static void md_scale_v(pcm_system *s, double a)
{
    for (int i = 0; i < s->n; i++)
        mdk_scale(i, a, &s->v[0][0]);
}

/* Bussi's α² for kinetic energy K (eV); -1 when there is nothing to rescale.  Draws from
 * md->rng (host and device paths alike). */
static double bussi_alpha2(pcm_md *md, double K)
{
    int nf = md->dof;
    if (nf < 2 || K <= 0.0)
        return -1.0;
    double Kt = 0.5 * nf * PCM_KB * md->p.T;
    double c = exp(-md->p.dt / md->p.tau_T);
    double R = rng_gauss(&md->rng), S = rng_chi2(&md->rng, nf - 1);
    double q = Kt / (nf * K);
    double a2 = c + (1.0 - c) * (S + R * R) * q + 2.0 * R * sqrt(c * (1.0 - c) * q);
    if (a2 < 0.0)
        a2 = 0.0;
    return a2;
}

static void hook_bussi(pcm_md *md, void *ctx)
{
    (void)ctx;
    pcm_system *s = md->sys;
    double K = system_kinetic_energy(s);
    double a2 = bussi_alpha2(md, K);
    if (a2 < 0.0)
        return;
    md_scale_v(s, sqrt(a2));
    md->e_bath -= (a2 - 1.0) * K;
}

static void hook_langevin(pcm_md *md, void *ctx)
{
    (void)ctx;
    pcm_system *s = md->sys;
    double K0 = system_kinetic_energy(s);
    double c = exp(-md->p.dt / md->p.tau_T), sc = sqrt(1.0 - c * c);
    double kT = PCM_KB * md->p.T / PCM_MVV2E;   /* amu Å²/fs² */
    for (int i = 0; i < s->n; i++) {
        double sd = sc * sqrt(kT / s->species_mass[s->type[i]]);
        for (int k = 0; k < 3; k++)
            s->v[i][k] = c * s->v[i][k] + sd * rng_gauss(&md->rng);
    }
    system_zero_momentum(s);
    md->e_bath -= system_kinetic_energy(s) - K0;
}

/* ------------------------------------------------------------------ barostat */

static void hook_cell_rescale(pcm_md *md, void *ctx)
{
    (void)ctx;
    pcm_system *s = md->sys;
    int zonly = md->p.ensemble == PCM_NPT_Z;
    double V = s->cell.volume, P;
    if (zonly) {
        double k[6];
        system_kinetic_tensor(s, k);
        P = (k[2] + s->virial[2]) / V * PCM_EV_A3_TO_BAR;
    } else {
        P = system_pressure(s);
    }
    double kTV = PCM_KB * md->p.T / V * PCM_EV_A3_TO_BAR;   /* bar */
    double b = md->p.compressibility, dt = md->p.dt, tau = md->p.tau_P;
    double de = b / tau * (P - md->p.P + kTV) * dt + sqrt(2.0 * kTV * b * dt / tau) * rng_gauss(&md->rng);
    if (de > 0.01)   /* at most 1 % volume change per step: keeps a wild start stable */
        de = 0.01;
    if (de < -0.01)
        de = -0.01;
    double fx = zonly ? 1.0 : exp(de / 3.0), fz = zonly ? exp(de) : fx;
    md->baro_f[0] = md->baro_f[1] = fx;   /* applied at 2b of the next step, before its forces */
    md->baro_f[2] = fz;
}

/* Step 2b: the pending cell rescale (positions, velocities, cell). */
static void md_cell_rescale(pcm_md *md)
{
    const double *f = md->baro_f;
    if (f[0] == 1.0 && f[1] == 1.0 && f[2] == 1.0)
        return;
    pcm_system *s = md->sys;
    double K0 = system_kinetic_energy(s);
    cell_scale(&s->cell, f);
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) {
            s->x[i][k] *= f[k];
            s->v[i][k] /= f[k];
        }
    md->e_bath -= system_kinetic_energy(s) - K0;
    md->baro_f[0] = md->baro_f[1] = md->baro_f[2] = 1.0;
}

/* ------------------------------------------------------------------ hooks, ensembles */

void md_add_hook(pcm_md *md, pcm_md_stage stage, pcm_md_hook_fn fn, void *ctx)
{
    if (md->nhooks[stage] >= MD_MAX_HOOKS)
        pcm_fatal("md_add_hook: more than %d hooks", MD_MAX_HOOKS);
    md->hooks[stage][md->nhooks[stage]++] = (md_hook){fn, ctx, 0};
}

static void md_install_ensemble(pcm_md *md)
{
    for (int st = 0; st < 2; st++) {   /* drop the previous ensemble's hooks, keep observers */
        int m = 0;
        for (int k = 0; k < md->nhooks[st]; k++)
            if (!md->hooks[st][k].internal)
                md->hooks[st][m++] = md->hooks[st][k];
        md->nhooks[st] = m;
    }
    md_hook h[2] = {{NULL, NULL, 1}, {NULL, NULL, 1}};
    int nh = 0;
    switch (md->p.ensemble) {
    case PCM_NVE: break;
    case PCM_NVT_BUSSI: h[nh++].fn = hook_bussi; break;
    case PCM_NVT_LANGEVIN: h[nh++].fn = hook_langevin; break;
    case PCM_NPT_ISO:
    case PCM_NPT_Z:
        h[nh++].fn = hook_bussi;
        h[nh++].fn = hook_cell_rescale;
        break;
    }
    /* ensemble hooks run first at the end of the step, observers after them */
    int st = MD_HOOK_END_STEP, n0 = md->nhooks[st];
    if (n0 + nh > MD_MAX_HOOKS)
        pcm_fatal("md: too many hooks");
    memmove(&md->hooks[st][nh], &md->hooks[st][0], (size_t)n0 * sizeof(md_hook));
    for (int k = 0; k < nh; k++)
        md->hooks[st][k] = h[k];
    md->nhooks[st] = n0 + nh;
}

int md_set_ensemble(pcm_md *md, pcm_ensemble ens, pcm_err *e)
{
    if ((unsigned)ens > PCM_NPT_Z)
        return pcm_errf(e, NULL, 0, "unknown ensemble %d (expected nve, nvt, langevin, npt or npt-z)", (int)ens);
    md->p.ensemble = ens;
    md->baro_f[0] = md->baro_f[1] = md->baro_f[2] = 1.0;   /* a pending rescale belongs to the old ensemble */
    md_install_ensemble(md);
    return 0;
}

void md_set_temperature(pcm_md *md, double T) { md->p.T = T > 0.0 ? T : 0.0; }
void md_set_pressure(pcm_md *md, double P_bar) { md->p.P = P_bar; }

/* ------------------------------------------------------------------ life cycle */

static int md_check_params(const pcm_md_params *p, pcm_err *e)
{
    if (!(p->dt > 0.0 && p->dt <= 10.0))
        return pcm_errf(e, NULL, 0, "md: dt = %g fs, expected 0 < dt <= 10", p->dt);
    if (!(p->T >= 0.0) || !(p->tau_T > 0.0) || !(p->tau_P > 0.0) || !(p->skin >= 0.0) ||
        !(p->compressibility > 0.0) || !isfinite(p->P))
        return pcm_errf(e, NULL, 0, "md: expected T >= 0, tau_T > 0, tau_P > 0, skin >= 0, compressibility > 0");
    if ((unsigned)p->ensemble > PCM_NPT_Z)
        return pcm_errf(e, NULL, 0, "md: unknown ensemble %d", (int)p->ensemble);
    return 0;
}

pcm_md *md_new(pcm_system *sys, pcm_potential *pot, const pcm_md_params *p, pcm_err *e)
{
    pcm_md_params def;
    if (!p) {
        md_params_default(&def);
        p = &def;
    }
    if (md_check_params(p, e) || system_validate(sys, 0.0, "md", e) || potential_bind(pot, sys, e))
        return NULL;
    pcm_md *md = pcm_calloc(1, sizeof *md);
    md->sys = sys;
    md->pot = pot;
    md->p = *p;
    md->dof = 3 * sys->n - 3 > 0 ? 3 * sys->n - 3 : 3 * sys->n;
    rng_seed(&md->rng, p->seed);
    md->baro_f[0] = md->baro_f[1] = md->baro_f[2] = 1.0;
    md->nl = nl_new(pot->rcut, p->skin);
    nl_build(md->nl, sys);
    if (potential_compute(pot, sys, md->nl, e) != 0) {
        md_free(md);
        return NULL;
    }
    md_install_ensemble(md);
    md->good = system_copy(sys);
    if (ace_potential_on_gpu(pot)) /* the GPU computes the forces: keep the whole step there */
        md_use_device(md, MD_DEVICE_GPU, NULL);
    else
        snprintf(md->dev_note, sizeof md->dev_note, "MD steps on the CPU");
    return md;
}

void md_free(pcm_md *md)
{
    if (!md)
        return;
    nl_free(md->nl);
    mdd_free(md->dev);
    system_free(md->good);
    free(md);
}

/* ------------------------------------------------------------------ good state */

static void md_copy_state(pcm_system *dst, const pcm_system *src)
{
    size_t n = (size_t)src->n;
    memcpy(dst->x, src->x, n * sizeof *src->x);
    memcpy(dst->v, src->v, n * sizeof *src->v);
    memcpy(dst->f, src->f, n * sizeof *src->f);
    memcpy(dst->pe, src->pe, n * sizeof *src->pe);
    dst->cell = src->cell;
    dst->energy = src->energy;
    memcpy(dst->virial, src->virial, sizeof src->virial);
    dst->step = src->step;
    dst->time = src->time;
}

static void md_save_good(pcm_md *md)
{
    md_copy_state(md->good, md->sys);
    md->good_rng = md->rng;
    md->good_e_bath = md->e_bath;
    memcpy(md->good_baro_f, md->baro_f, sizeof md->baro_f);
}

static int md_restore_good(pcm_md *md, pcm_err *e, const char *fmt, double a, double b)
{
    char why[512];
    snprintf(why, sizeof why, fmt, a, b);
    long step = md->sys->step;
    md_copy_state(md->sys, md->good);
    md->rng = md->good_rng;
    md->e_bath = md->good_e_bath;
    memcpy(md->baro_f, md->good_baro_f, sizeof md->baro_f);
    md->dev_synced = 0;
    nl_build(md->nl, md->sys);
    return pcm_errf(e, NULL, 0, "MD blew up at step %ld: %s; restored the last good state (step %ld)", step, why,
                    md->sys->step);
}

/* Non-finite energy or a temperature runaway: restores the last good state, fills e, returns 1. */
static int md_blown_up(pcm_md *md, pcm_err *e)
{
    pcm_system *s = md->sys;
    if (!isfinite(s->energy))
        return md_restore_good(md, e, "the potential energy is not finite%.0g%.0g", 0, 0) < 0;
    double T = system_temperature(s, md->dof);
    double Tmax = 10.0 * md->p.T > MD_T_RUNAWAY ? 10.0 * md->p.T : MD_T_RUNAWAY;
    if (!(T <= Tmax))
        return md_restore_good(md, e, "temperature %.4g K above the runaway limit %.4g K", T, Tmax) < 0;
    return 0;
}

/* ------------------------------------------------------------------ the step */

static int md_step_device(pcm_md *md, int nsteps, pcm_err *e);
static int md_device_usable(const pcm_md *md);

int md_step(pcm_md *md, int nsteps, pcm_err *e)
{
    if (md->dev && md_device_usable(md))
        return md_step_device(md, nsteps, e);
    pcm_system *s = md->sys;
    double V0 = s->cell.volume;
    md_save_good(md);
    for (int it = 0; it < nsteps; it++) {
        md_half_kick(md);                                       /* 1 */
        md_drift(md);                                           /* 2 */
        if (!(md->max_move2 <= MD_MAX_MOVE * MD_MAX_MOVE))
            return md_restore_good(md, e, "an atom moved %.3g Å in one step (limit %g Å): atoms lost",
                                   sqrt(md->max_move2), MD_MAX_MOVE);
        md_cell_rescale(md);                                    /* 2b */
        pcm_err fe = {{0}};
        if (md_forces(md, &fe) != 0)                            /* 3, 4 */
        {
            md_restore_good(md, e, "force evaluation failed%.0g%.0g", 0, 0);
            if (e) {
                char m[sizeof e->msg];
                snprintf(m, sizeof m, "%s", e->msg);
                pcm_errf(e, NULL, 0, "%.500s: %.500s", m, fe.msg);
            }
            return -1;
        }
        md_run_hooks(md, MD_HOOK_POST_FORCE);                  /* 5 */
        md_half_kick(md);                                       /* 6 */
        s->step++;
        s->time += md->p.dt;
        md_run_hooks(md, MD_HOOK_END_STEP);                    /* 7 */
        if (md_blown_up(md, e))
            return -1;
        double vr = s->cell.volume / V0;
        if (!(vr < 8.0 && vr > 0.125))
            return md_restore_good(md, e, "volume changed by a factor %.3g (from %.4g Å³)", vr, V0);
    }
    return 0;
}

void md_init_velocities(pcm_md *md, double T, unsigned long long seed)
{
    pcm_system *s = md->sys;
    pcm_rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < s->n; i++) {
        double sd = sqrt(PCM_KB * T / PCM_MVV2E / s->species_mass[s->type[i]]);
        for (int k = 0; k < 3; k++)
            s->v[i][k] = sd * rng_gauss(&r);
    }
    system_zero_momentum(s);
    double T0 = system_temperature(s, md->dof);
    if (T0 > 0.0)
        md_scale_v(s, sqrt(T / T0));
}

/* ------------------------------------------------------------------ observers */

void md_thermo(const pcm_md *md, pcm_thermo *o)
{
    const pcm_system *s = md->sys;
    double n = s->n > 0 ? s->n : 1;
    double ke = system_kinetic_energy(s);
    o->step = s->step;
    o->time_ps = s->time * 1e-3;
    o->T = system_temperature(s, md->dof);
    o->pe_atom = s->energy / n;
    o->ke_atom = ke / n;
    o->etot_atom = o->pe_atom + o->ke_atom;
    o->P = system_pressure(s);
    o->volume = s->cell.volume;
    o->density = system_density(s);
    o->T_target = md->p.ensemble == PCM_NVE ? NAN : md->p.T;
}

pcm_system *md_system(pcm_md *md) { return md->sys; }
const pcm_md_params *md_params(const pcm_md *md) { return &md->p; }
double md_conserved(const pcm_md *md) { return md->sys->energy + system_kinetic_energy(md->sys) + md->e_bath; }
int md_dof(const pcm_md *md) { return md->dof; }
long md_nl_builds(const pcm_md *md) { return md->nl->nbuilds + (md->dev ? mdd_nbuilds(md->dev) : 0); }

/* ------------------------------------------------------------------ device path (md_dev.h)
 *
 * The same step order as md_step, with the state in the device backend; the host gets
 * two doubles a step (largest move, largest displacement since the list build), one more
 * for Bussi (Σ m v², α goes back as a kernel argument), and the whole state once per
 * md_step call (two or three more for Langevin).  NVE, Bussi and Langevin (with
 * counter-based noise, md_kernels.h); the barostat rescales the cell and observer hooks
 * need the host state every step: those run the host loop (with the same state).
 */

static int md_device_usable(const pcm_md *md)
{
    if (md->p.ensemble != PCM_NVE && md->p.ensemble != PCM_NVT_BUSSI && md->p.ensemble != PCM_NVT_LANGEVIN)
        return 0;
    for (int st = 0; st < 2; st++)
        for (int k = 0; k < md->nhooks[st]; k++)
            if (!md->hooks[st][k].internal)
                return 0;
    return 1;
}

/* FNV-1a over what the host may change between chunks (x, v, species, cell, n): a
 * changed host state is uploaded again. */
static unsigned long long md_state_hash(const pcm_system *s)
{
    unsigned long long h = 1469598103934665603ULL;
    const unsigned char *p[4] = {(const unsigned char *)s->x, (const unsigned char *)s->v,
                                 (const unsigned char *)s->type, (const unsigned char *)s->cell.h};
    size_t len[4] = {(size_t)s->n * 3 * sizeof(double), (size_t)s->n * 3 * sizeof(double),
                     (size_t)s->n * sizeof(int), sizeof s->cell.h};
    for (int a = 0; a < 4; a++)
        for (size_t k = 0; k < len[a]; k++)
            h = (h ^ p[a][k]) * 1099511628211ULL;
    return h ^ (unsigned long long)s->n;
}

int md_use_device(pcm_md *md, int mode, pcm_err *e)
{
    mdd_free(md->dev);
    md->dev = NULL;
    md->dev_synced = 0;
    md->dev_mode = MD_DEVICE_OFF;
    if (mode == MD_DEVICE_OFF) {
        snprintf(md->dev_note, sizeof md->dev_note, "MD steps on the CPU");
        return 0;
    }
    char why[256] = "";
    mdd_kind kind = mode == MD_DEVICE_GPU ? MDD_CUDA : MDD_HOST;
    mdd_force_src fm = mode == MD_DEVICE_HOST_POTENTIAL ? MDD_FORCES_POTENTIAL : MDD_FORCES_DEVICE;
    md->dev = mdd_new(kind, fm, md->pot, md->sys, md->p.skin, why, sizeof why);
    if (!md->dev) {
        snprintf(md->dev_note, sizeof md->dev_note, "MD steps on the host (%.200s)", why);
        return e ? pcm_errf(e, NULL, 0, "device MD path: %s", why) : -1;
    }
    md->dev_mode = mode;
    snprintf(md->dev_note, sizeof md->dev_note, "MD steps on the %s", mdd_name(md->dev));
    return 0;
}

const char *md_device_note(const pcm_md *md) { return md->dev_note; }
int md_device_mode(const pcm_md *md) { return md->dev ? md->dev_mode : MD_DEVICE_OFF; }

static int md_dev_fail(pcm_md *md, pcm_err *e, const char *what, const char *msg)
{
    md_restore_good(md, e, "device path%.0g%.0g", 0, 0);
    if (e) {
        char m[sizeof e->msg];
        snprintf(m, sizeof m, "%s", e->msg);
        pcm_errf(e, NULL, 0, "%.400s: %.100s: %.400s", m, what, msg);
    }
    return -1;
}

static int md_step_device(pcm_md *md, int nsteps, pcm_err *e)
{
    pcm_system *s = md->sys;
    mdd *d = md->dev;
    char msg[512];
    md_save_good(md);
    if (!md->dev_synced || md_state_hash(s) != md->dev_hash) {
        if (mdd_upload(d, s, msg, sizeof msg) != 0 || mdd_refresh(d, 0.0, msg, sizeof msg) < 0)
            return md_dev_fail(md, e, "device upload failed", msg);
    }
    md->dev_synced = 0;
    double h = 0.5 * md->p.dt / PCM_MVV2E, dt = md->p.dt;
    for (int it = 0; it < nsteps; it++) {
        double move2, disp2;
        mdd_kick(d, h);                                         /* 1 */
        mdd_drift(d, dt, &move2, &disp2);                       /* 2 */
        if (!(move2 <= MD_MAX_MOVE * MD_MAX_MOVE))
            return md_restore_good(md, e, "an atom moved %.3g Å in one step (limit %g Å): atoms lost", sqrt(move2),
                                   MD_MAX_MOVE);
        if (mdd_refresh(d, disp2, msg, sizeof msg) < 0 || mdd_forces(d, msg, sizeof msg) != 0) /* 3, 4 */
            return md_dev_fail(md, e, "force evaluation failed", msg);
        mdd_kick(d, h);                                         /* 6 */
        s->step++;
        s->time += dt;
        if (md->p.ensemble == PCM_NVT_BUSSI) {                  /* 7 */
            double K = mdd_kinetic(d), a2 = bussi_alpha2(md, K);
            if (a2 >= 0.0) {
                mdd_scale(d, sqrt(a2));
                md->e_bath -= (a2 - 1.0) * K;
            }
        } else if (md->p.ensemble == PCM_NVT_LANGEVIN) {
            /* hook_langevin's O step; the noise is counter-based (seed, step, atom), not
             * md->rng's stream: statistically the same thermostat, not the same numbers */
            double K0 = mdd_kinetic(d);
            mdd_langevin(d, exp(-dt / md->p.tau_T), PCM_KB * md->p.T / PCM_MVV2E, md->p.seed, s->step);
            md->e_bath -= mdd_kinetic(d) - K0;
        }
    }
    if (mdd_download(d, s, msg, sizeof msg) != 0)
        return md_dev_fail(md, e, "device download failed", msg);
    md->dev_hash = md_state_hash(s);
    md->dev_synced = 1;
    return md_blown_up(md, e) ? -1 : 0;
}
