/* md_placeholder.c - TEMPORARY stand-in for the MD engine (issue #2, branch md).
 *
 * Exists only so the workbench can be built and tested before the engine lands;
 * deleted together with the temporary src/md.h at the merge that brings the real
 * one.  Velocity Verlet; NVT by velocity rescaling towards T with time constant
 * tau_T (Berendsen); NPT by isotropic Berendsen volume scaling.  Not the product.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "md.h"
#include "neighbor.h"
#include "rng.h"
#include "units.h"

struct pcm_md {
    pcm_system *sys;
    pcm_potential *pot;
    pcm_nlist *nl;
    pcm_md_params p;
};

void md_params_default(pcm_md_params *p)
{
    *p = (pcm_md_params){.dt = 2.0, .T = 300.0, .tau_T = 100.0, .P = 1.0, .tau_P = 1000.0,
                         .skin = 1.0, .ensemble = PCM_NVT_BUSSI, .seed = 1};
}

static int md_forces(pcm_md *md, pcm_err *e)
{
    nl_refresh(md->nl, md->sys);
    return potential_compute(md->pot, md->sys, md->nl, e);
}

pcm_md *md_new(pcm_system *sys, pcm_potential *pot, const pcm_md_params *p, pcm_err *e)
{
    if (potential_bind(pot, sys, e) < 0)
        return NULL;
    pcm_md *md = pcm_calloc(1, sizeof *md);
    md->sys = sys;
    md->pot = pot;
    md->p = *p;
    md->nl = nl_new(pot->rcut, p->skin);
    nl_build(md->nl, sys);
    if (md_forces(md, e) < 0) {
        md_free(md);
        return NULL;
    }
    return md;
}

void md_free(pcm_md *md)
{
    if (!md)
        return;
    nl_free(md->nl);
    free(md);
}

static void md_kick(pcm_md *md, double dt)
{
    pcm_system *s = md->sys;
    for (int i = 0; i < s->n; i++) {
        double a = dt / (system_mass(s, i) * PCM_MVV2E);
        for (int k = 0; k < 3; k++)
            s->v[i][k] += a * s->f[i][k];
    }
}

static void md_couple(pcm_md *md)
{
    pcm_system *s = md->sys;
    double dt = md->p.dt;
    if (md->p.ensemble != PCM_NVE) {
        double T = system_temperature(s, 0);
        double lam = T > 1e-9 ? sqrt(1.0 + dt / md->p.tau_T * (md->p.T / T - 1.0)) : 1.0;
        for (int i = 0; i < s->n; i++)
            for (int k = 0; k < 3; k++)
                s->v[i][k] *= lam;
    }
    if (md->p.ensemble == PCM_NPT_ISO || md->p.ensemble == PCM_NPT_Z) {
        double mu = cbrt(1.0 - 4.5e-5 * dt / md->p.tau_P * (md->p.P - system_pressure(s)));
        double f[3] = {mu, mu, mu};
        if (md->p.ensemble == PCM_NPT_Z)
            f[0] = f[1] = 1.0, f[2] = mu * mu * mu;
        cell_scale(&s->cell, f);
        for (int i = 0; i < s->n; i++)
            for (int k = 0; k < 3; k++)
                s->x[i][k] *= f[k];
    }
}

int md_step(pcm_md *md, int nsteps, pcm_err *e)
{
    pcm_system *s = md->sys;
    pcm_system *save = system_copy(s);
    for (int n = 0; n < nsteps; n++) {
        md_kick(md, 0.5 * md->p.dt);
        for (int i = 0; i < s->n; i++)
            for (int k = 0; k < 3; k++)
                s->x[i][k] += md->p.dt * s->v[i][k];
        if (md_forces(md, e) < 0)
            goto blowup;
        md_kick(md, 0.5 * md->p.dt);
        md_couple(md);
        s->step++;
        s->time += md->p.dt;
        if (!isfinite(s->energy)) {
            pcm_errf(e, NULL, 0, "non-finite energy at step %ld", s->step);
            goto blowup;
        }
    }
    system_free(save);
    return 0;
blowup:;
    pcm_system *tmp = system_copy(save);
    s->n = tmp->n;
    memcpy(s->x, tmp->x, sizeof *s->x * s->n);
    memcpy(s->v, tmp->v, sizeof *s->v * s->n);
    memcpy(s->f, tmp->f, sizeof *s->f * s->n);
    memcpy(s->pe, tmp->pe, sizeof *s->pe * s->n);
    s->cell = tmp->cell, s->energy = tmp->energy, s->step = tmp->step, s->time = tmp->time;
    memcpy(s->virial, tmp->virial, sizeof s->virial);
    system_free(tmp);
    system_free(save);
    nl_build(md->nl, s);
    return -1;
}

void md_set_temperature(pcm_md *md, double T) { md->p.T = T; }

int md_set_ensemble(pcm_md *md, pcm_ensemble ens, pcm_err *e)
{
    md->p.ensemble = ens;
    return 0;
}

void md_init_velocities(pcm_md *md, double T, unsigned long long seed)
{
    pcm_system *s = md->sys;
    pcm_rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < s->n; i++) {
        double sd = sqrt(PCM_KB * T / (system_mass(s, i) * PCM_MVV2E));
        for (int k = 0; k < 3; k++)
            s->v[i][k] = sd * rng_gauss(&r);
    }
    system_zero_momentum(s);
}

void md_thermo(const pcm_md *md, pcm_thermo *out)
{
    const pcm_system *s = md->sys;
    double n = s->n > 0 ? s->n : 1;
    out->step = s->step;
    out->time_ps = s->time * 1e-3;
    out->T = system_temperature(s, 0);
    out->pe_atom = s->energy / n;
    out->ke_atom = system_kinetic_energy(s) / n;
    out->etot_atom = out->pe_atom + out->ke_atom;
    out->P = system_pressure(s);
    out->volume = s->cell.volume;
    out->density = system_density(s);
    out->T_target = md->p.T;
}

pcm_system *md_system(pcm_md *md) { return md->sys; }
