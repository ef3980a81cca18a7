/* md.h - molecular dynamics: velocity Verlet with thermostat/barostat hooks.
 *
 * Units: Å, eV, fs, amu, K, bar.  The step order lives once, in md.c.
 * Ensembles: NVE; NVT with Bussi stochastic velocity rescaling or Langevin;
 * NPT by stochastic cell rescaling, isotropic or with only P_zz coupled
 * (x, y fixed: the interface method).
 */
#ifndef PCM_MD_H
#define PCM_MD_H

#include "err.h"
#include "potential.h"
#include "system.h"

typedef enum { PCM_NVE, PCM_NVT_BUSSI, PCM_NVT_LANGEVIN, PCM_NPT_ISO, PCM_NPT_Z } pcm_ensemble;

typedef struct pcm_md_params {
    double dt;          /* fs (default 1) */
    pcm_ensemble ensemble;
    double T;           /* target K */
    double tau_T;       /* thermostat time constant fs (Bussi) / damping time (Langevin), default 100 */
    double P;           /* target bar (default 1) */
    double tau_P;       /* barostat time constant fs, default 1000 */
    double skin;        /* neighbour skin Å, default 1.0 */
    unsigned long long seed;
    double compressibility; /* barostat's assumed isothermal compressibility, 1/bar (default 1e-5);
                               sets only how fast the volume relaxes, not the ensemble */
} pcm_md_params;

void md_params_default(pcm_md_params *p);
/* "nve", "nvt" (Bussi), "langevin", "npt", "npt-z"; -1 when unknown. */
int md_ensemble_parse(const char *name);
const char *md_ensemble_name(pcm_ensemble ens);

typedef struct pcm_md pcm_md;

/* Binds the potential, builds the neighbour list, computes initial forces; owns neither. */
pcm_md *md_new(pcm_system *sys, pcm_potential *pot, const pcm_md_params *p, pcm_err *e);
void md_free(pcm_md *md);
/* nsteps steps.  -1 on blow-up (NaN, T runaway, atoms lost): the system is restored
 * to the state at entry (the last good state) and e says what happened. */
int md_step(pcm_md *md, int nsteps, pcm_err *e);
void md_set_temperature(pcm_md *md, double T);
int md_set_ensemble(pcm_md *md, pcm_ensemble ens, pcm_err *e);
void md_set_pressure(pcm_md *md, double P_bar);
/* Maxwell-Boltzmann velocities at T (K), zero total momentum, rescaled to exactly T. */
void md_init_velocities(pcm_md *md, double T, unsigned long long seed);

typedef struct pcm_thermo {
    long step;
    double time_ps;
    double T;          /* K */
    double pe_atom, ke_atom, etot_atom; /* eV/atom */
    double P;          /* bar */
    double volume;     /* Å³ */
    double density;    /* g/cm³ */
    double T_target;   /* K */
} pcm_thermo;
void md_thermo(const pcm_md *md, pcm_thermo *out);
pcm_system *md_system(pcm_md *md);
const pcm_md_params *md_params(const pcm_md *md);
/* Total energy plus the energy the thermostat took out (eV): constant for a correct
 * integrator in NVE, Bussi and Langevin alike (drift diagnostic).  Not conserved in NPT (the PV and
 * cell-noise work are not tracked). */
double md_conserved(const pcm_md *md);
int md_dof(const pcm_md *md);
long md_nl_builds(const pcm_md *md);

/* Device MD path (md_dev.h): the whole step (kicks, drift, neighbour list, forces,
 * Bussi scaling) runs where the forces are computed and the host state is refreshed once
 * per md_step call.  md_new turns it on by itself when the potential computes on the
 * GPU (ace.h).  Modes: OFF (host loop), GPU, HOST (the device data flow run on the CPU,
 * ACE device kernels), HOST_POTENTIAL (the same with the potential's own CPU forces).
 * NVE, Bussi (bit-identical to the host loop with the same forces) and Langevin (noise
 * from a counter-based generator, so a different but equivalent random stream); NPT and
 * observer hooks use the host loop.
 * md_use_device: 0, or -1 + message (the host loop stays). */
enum { MD_DEVICE_OFF = 0, MD_DEVICE_GPU = 1, MD_DEVICE_HOST = 2, MD_DEVICE_HOST_POTENTIAL = 3 };
int md_use_device(pcm_md *md, int mode, pcm_err *e);
int md_device_mode(const pcm_md *md);
/* "MD steps on the CPU", "MD steps on the GPU", "MD steps on the host (reason)", ... */
const char *md_device_note(const pcm_md *md);

/* Observer/ensemble hooks, run at the named stage of every step. */
typedef enum { MD_HOOK_POST_FORCE, MD_HOOK_END_STEP } pcm_md_stage;
typedef void (*pcm_md_hook_fn)(pcm_md *md, void *ctx);
void md_add_hook(pcm_md *md, pcm_md_stage stage, pcm_md_hook_fn fn, void *ctx);

#endif
