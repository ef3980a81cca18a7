/* md_dev.h - the device MD path: positions, velocities, forces and the neighbour list stay
 * in one backend's memory between steps; md.c drives it (md_step) and the host sees the
 * state only when md_step returns (once per chunk: the publish rate).
 *
 * Backends:
 *   MDD_CUDA  the GPU (src/md_cuda.cu; ACE forces through ace_cuda.cu), when PCM_HAVE_CUDA
 *             and a GPU works.
 *   MDD_HOST  the very same data flow on the CPU: every stage calls the host/device
 *             functions of md_kernels.h, nl_kernels.h and ace_kernels.h that the CUDA
 *             kernels call, with the same fixed-shape reductions.  It is how the tests
 *             prove the device path without a GPU (and a debugging aid); it is not fast.
 *   Forces on MDD_HOST: the ACE device pipeline (MDD_FORCES_DEVICE, needs an ACE
 *   potential) or any pcm_potential evaluated on the device-built list
 *   (MDD_FORCES_POTENTIAL; isolates the integrator and the list from the ACE kernels).
 *
 * Per step (md.c): kick, drift (+ the largest move and the largest displacement since the
 * list build, two doubles to the host), list rebuild on the device when an atom moved more
 * than skin/2, forces, kick, and for Bussi Σ m v² (one double to the host) then v *= α.
 * Per chunk: upload when the host state changed, download x, v, f, pe, E, virial.
 * Units: Å, fs, amu, eV (units.h).
 */
#ifndef PCM_MD_DEV_H
#define PCM_MD_DEV_H

#include <stddef.h>

#include "neighbor.h"
#include "nl_kernels.h"
#include "potential.h"
#include "system.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MDD_HOST = 0, MDD_CUDA = 1 } mdd_kind;
typedef enum { MDD_FORCES_DEVICE = 0, MDD_FORCES_POTENTIAL = 1 } mdd_force_src;

typedef struct mdd mdd;

/* NULL + one-line reason in why[n] (no GPU, not an ACE potential, bound species ...).
 * pot must be bound to s already (potential_bind). */
mdd *mdd_new(mdd_kind kind, mdd_force_src fm, pcm_potential *pot, const pcm_system *s, double skin, char *why,
             size_t n);
void mdd_free(mdd *d);
const char *mdd_name(const mdd *d); /* "GPU" or "device path on the CPU" */

/* Stages (md.c's device loop; 0 or -1 + one-line message in err[n]). */
int mdd_upload(mdd *d, const pcm_system *s, char *err, size_t n); /* list rebuilt at next mdd_refresh */
void mdd_kick(mdd *d, double h);                                   /* h = (dt/2)/PCM_MVV2E */
void mdd_drift(mdd *d, double dt, double *move2, double *disp2);   /* Å²: max step move, max since build */
/* Rebuild the list when needed (first time, or 2·sqrt(disp2) > skin); 1 if rebuilt. */
int mdd_refresh(mdd *d, double disp2, char *err, size_t n);
int mdd_forces(mdd *d, char *err, size_t n);
double mdd_kinetic(mdd *d); /* eV, fixed-shape sum (md_kernels.h) */
void mdd_scale(mdd *d, double a);
/* Langevin O step (md.c's hook: c = exp(-dt/τ), kT in amu Å²/fs², noise from
 * mdk_gauss(seed, step, i, k)), then the centre-of-mass velocity removed. */
void mdd_langevin(mdd *d, double c, double kT, unsigned long long seed, long step);
/* x, v, f, pe, energy, virial into s (same n, same order). */
int mdd_download(mdd *d, pcm_system *s, char *err, size_t n);
long mdd_nbuilds(const mdd *d);

/* The current device list as a pcm_nlist (start, j, shift, d, n, npairs; for tests). */
int mdd_get_list(mdd *d, pcm_nlist *nl, const pcm_system *s);

/* Device bytes per atom the CUDA path needs for this potential at the density of s with
 * this skin (list, state, ACE scratch); for sizing and refusing oversize systems. */
double mdd_bytes_per_atom(const pcm_potential *pot, const pcm_system *s, double skin);

/* ------------------------------------------------------------------ backend interface */
/* A backend holds the arrays; md_dev.c holds the control logic and calls these. */
typedef struct mdd_ops {
    int (*upload)(void *b, int n, const double *x, const double *v, const double *f, const int *type,
                  const int *mu, const double *mass, int nmass, char *err, size_t en);
    void (*kick)(void *b, double h);
    void (*drift)(void *b, double dt, double out[2]);
    /* Build from the current x with grid g; nbins = nb[0]·nb[1]·nb[2]; saves x0. */
    int (*build)(void *b, const nlk_grid *g, char *err, size_t en);
    int (*forces)(void *b, const double h[9], char *err, size_t en);
    double (*mv2)(void *b);
    void (*scale)(void *b, double a);
    void (*langevin)(void *b, double c, double kT, unsigned long long seed, long step);
    void (*momentum)(void *b, double pm[4]); /* Σ m v (3), Σ m: fixed-shape sums */
    void (*shift_v)(void *b, const double dv[3]);
    /* x, v, f, pe and the virial sum w[6]; energy = Σ pe in atom order on the host
     * unless the backend has it (*energy set, return 1). */
    int (*download)(void *b, double *x, double *v, double *f, double *pe, double w[6], double *energy, char *err,
                    size_t en);
    /* list to the host: start[n+1], j[np], shift[3np] (allocated here with pcm_malloc) */
    long (*get_list)(void *b, int **start, int **j, int **shift);
    void (*destroy)(void *b);
} mdd_ops;

/* CUDA backend (md_cuda.cu; gpu_none.c returns NULL "built without CUDA"). */
void *mdd_cuda_new(const pcm_potential *pot, const mdd_ops **ops, char *why, size_t n);

#ifdef __cplusplus
}
#endif

#endif
