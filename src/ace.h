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

#include "potential.h"

/* Load a .yace (C-tilde basis) file; NULL + "file:line: message" on bad input. */
pcm_potential *ace_potential_load(const char *path, pcm_err *e);

#endif
