/* ace.h - Atomic Cluster Expansion potentials from pacemaker .yace files.
 *
 * The evaluator reproduces ML-PACE's "product" evaluator (pair_style pace product),
 * including its cubic-Hermite radial tables, for any rank, lmax, nradmax, per-species
 * ndensity, FinnisSinclair / FinnisSinclairShiftedScaled embeddings and the density,
 * distance and zbl core-repulsion modes.  OpenMP over atoms; results are bit-identical
 * for any thread count (p->nthreads, 0 = OpenMP default).  Internals: ace_basis.h.
 */
#ifndef PCM_ACE_H
#define PCM_ACE_H

#include <stddef.h>

#include "potential.h"

/* Load a .yace (C-tilde basis) file; NULL + "file:line: message" on bad input. */
pcm_potential *ace_potential_load(const char *path, pcm_err *e);

/* Backend.  ace_potential_load uses the GPU (ace_cuda.cu) when the environment has
 * PCM_GPU=1 and a GPU works, else the CPU.  set_gpu switches p (from ace_potential_load)
 * to the GPU (on = 1; returns 1, or 0 with a one-line reason in why[n] and p stays on
 * the CPU) or back to the CPU (on = 0; returns 0).  on_gpu: 1 when p computes on the GPU. */
int ace_potential_set_gpu(pcm_potential *p, int on, char *why, size_t n);
int ace_potential_on_gpu(const pcm_potential *p);

#endif
