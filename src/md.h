/* md.h - TEMPORARY local copy of the MD engine API (issue #2, branch md).
 *
 * The workbench is written against this API before the engine lands; this file
 * and src/md_placeholder.c are deleted when main brings the real src/md.h.
 * Only src/sim.c calls md_* functions.
 */
#ifndef PCM_MD_H
#define PCM_MD_H
#include "err.h"
#include "potential.h"
#include "system.h"

typedef enum { PCM_NVE, PCM_NVT_BUSSI, PCM_NVT_LANGEVIN, PCM_NPT_ISO, PCM_NPT_Z } pcm_ensemble;

typedef struct pcm_md_params {
    double dt;                 /* fs */
    double T;                  /* K */
    double tau_T;              /* fs */
    double P;                  /* bar */
    double tau_P;              /* fs */
    double skin;               /* Å */
    pcm_ensemble ensemble;
    unsigned long long seed;
} pcm_md_params;

typedef struct pcm_md pcm_md;

typedef struct pcm_thermo {
    long step;
    double time_ps;            /* ps */
    double T;                  /* K */
    double pe_atom, ke_atom, etot_atom; /* eV/atom */
    double P;                  /* bar */
    double volume;             /* Å³ */
    double density;            /* g/cm³ */
    double T_target;           /* K */
} pcm_thermo;

void md_params_default(pcm_md_params *p);
pcm_md *md_new(pcm_system *sys, pcm_potential *pot, const pcm_md_params *p, pcm_err *e);
void md_free(pcm_md *md);
int md_step(pcm_md *md, int nsteps, pcm_err *e);
void md_set_temperature(pcm_md *md, double T);
int md_set_ensemble(pcm_md *md, pcm_ensemble ens, pcm_err *e);
void md_init_velocities(pcm_md *md, double T, unsigned long long seed);
void md_thermo(const pcm_md *md, pcm_thermo *out);
pcm_system *md_system(pcm_md *md);
#endif
