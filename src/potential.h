/* potential.h - the interface every interatomic potential implements.
 *
 * A potential is a small function table plus a contract checked at setup
 * (house style §2): it declares its cutoff, binds to a system (mapping the
 * system's species onto its own and refusing species it lacks), and computes
 * energy, per-atom energies, forces and virial from a full neighbour list
 * built with at least its cutoff.  Internals stay behind the opaque impl.
 */
#ifndef PCM_POTENTIAL_H
#define PCM_POTENTIAL_H

#include "err.h"
#include "neighbor.h"
#include "system.h"

typedef struct pcm_potential pcm_potential;

typedef struct pcm_potential_ops {
    const char *kind;                                   /* "ace", "lj", ... */
    /* Map s's species onto the potential's; -1 + message when one is missing. */
    int (*bind)(pcm_potential *p, const pcm_system *s, pcm_err *e);
    /* Fill s->energy, s->pe[], s->f[], s->virial[] from nl (built with rcut >= p->rcut). */
    int (*compute)(pcm_potential *p, pcm_system *s, const pcm_nlist *nl, pcm_err *e);
    void (*destroy)(pcm_potential *p);
} pcm_potential_ops;

struct pcm_potential {
    const pcm_potential_ops *ops;
    void *impl;
    char *path;            /* file it came from, or spec string */
    double rcut;           /* largest cutoff, Å */
    int nelements;
    char elements[PCM_MAX_SPECIES][4];
    int nthreads;          /* 0 = OpenMP default */
};

/* Load by file extension (.yace) or spec ("lj:eps,sigma,rc[,El...]"). */
pcm_potential *potential_load(const char *spec, pcm_err *e);
void potential_free(pcm_potential *p);
int potential_bind(pcm_potential *p, const pcm_system *s, pcm_err *e);
int potential_compute(pcm_potential *p, pcm_system *s, const pcm_nlist *nl, pcm_err *e);

/* One-shot evaluation with a fresh neighbour list (for eval, tests, labelling). */
int potential_eval_once(pcm_potential *p, pcm_system *s, pcm_err *e);

/* Sum of two potentials (takes ownership); potential_load("A+B") builds one,
 * e.g. "GST.yace+d2" for ACE plus Grimme D2 dispersion (src/d2.h). */
pcm_potential *potential_sum_new(pcm_potential *a, pcm_potential *b);
pcm_potential *potential_sum_load(const char *spec, pcm_err *e);

/* Central pair term seen from atom i: d = r_j - r_i, fpair = -(dU/dr)/r.  Adds the
 * force on i and half the pair's virial (the other half comes from j's list). */
static inline void pair_tally(double fpair, const double d[3], double fi[3], double wi[6])
{
    for (int k = 0; k < 3; k++)
        fi[k] -= fpair * d[k];
    wi[0] += 0.5 * fpair * d[0] * d[0];
    wi[1] += 0.5 * fpair * d[1] * d[1];
    wi[2] += 0.5 * fpair * d[2] * d[2];
    wi[3] += 0.5 * fpair * d[1] * d[2];
    wi[4] += 0.5 * fpair * d[0] * d[2];
    wi[5] += 0.5 * fpair * d[0] * d[1];
}

/* Lennard-Jones test potential (all species alike), shifted to zero at rc. */
pcm_potential *lj_potential_new(double eps, double sigma, double rc);

#endif
