/* crystallinity.h - local crystalline order: ten Wolde q4 connections, Steinhardt Q4/Q6.
 *
 * The method of the paper's supplement, sec. 1 (after P. R. ten Wolde,
 * M. J. Ruiz-Montero, D. Frenkel, J. Chem. Phys. 104, 9932 (1996)):
 *
 *   neighbours      j with |r_ij| < r_c = 3.6 Å (all periodic images)
 *   q̄_lm(i)        = (1/N_n(i)) Σ_j Y_lm(r̂_ij),  m = -l..l
 *   q_4(i)          = q̄_4(i) / |q̄_4(i)|            (9-vector of unit length)
 *   connected i–j   Re(q_4(i)·q_4(j)*) > ξ = 0.75
 *   crystalline     more than n_xtal = 2 connected neighbours, and then at
 *                   least one crystalline neighbour (lone atoms are removed)
 *   global order    Q_l = sqrt(4π/(2l+1) Σ_m |Q̄_lm|²),
 *                   Q̄_lm = Σ_i N_n(i) q̄_lm(i) / Σ_i N_n(i)      (l = 4, 6)
 *
 * Y_lm are the orthonormal complex spherical harmonics with the Condon–Shortley
 * phase.  The ideal octahedral (simple cubic / rocksalt) environment gives
 * Q4 = 0.7638, Q6 = 0.3536.  Atoms without neighbours have q_4 = 0, are never
 * connected nor crystalline, and contribute nothing to Q_l.
 *
 * xtal_compute is thread-parallel over atoms and deterministic (the global sums
 * are added in atom order), so results do not depend on the thread count.
 */
#ifndef PCM_CRYSTALLINITY_H
#define PCM_CRYSTALLINITY_H

#include "err.h"
#include "neighbor.h"
#include "system.h"

#define XTAL_RCUT 3.6   /* Å, first minimum of the crystal g(r) (supplement Fig. S1) */
#define XTAL_XI 0.75    /* connection threshold on Re(q4(i)·q4(j)*) */
#define XTAL_NXTAL 2    /* crystalline: more than this many connections */
#define XTAL_DOT_BINS 40 /* histogram of Re(q4(i)·q4(j)*) over [-1, 1] (supplement Fig. S2a) */

typedef struct pcm_xtal_params {
    double rcut;        /* neighbour cutoff, Å */
    double xi;          /* connection threshold (dimensionless) */
    int nxtal;          /* crystalline when connections > nxtal */
    int keep_lone;      /* 1: skip the lone-atom removal (the paper removes them: 0) */
} pcm_xtal_params;

typedef struct pcm_xtal_summary {
    double fraction;    /* crystalline atoms / all atoms, 0..1 */
    double Q4, Q6;      /* global Steinhardt order parameters */
    int ncryst;         /* crystalline atoms (after lone-atom removal) */
    int ncryst_raw;     /* atoms with > nxtal connections (before removal) */
    int n;              /* atoms */
    int nisolated;      /* atoms without any neighbour within rcut */
    double mean_nn;     /* mean number of neighbours within rcut */
} pcm_xtal_summary;

/* Per-atom outputs (any pointer may be NULL). */
typedef struct pcm_xtal_atoms {
    unsigned char *flags;   /* [n] 1 crystalline, 0 not */
    double *q4dot;          /* [n] mean Re(q4(i)·q4(j)*) over the neighbours (0 with none) */
    int *nconn;             /* [n] connected neighbours */
    int *nneigh;            /* [n] neighbours within rcut */
    double *q4l, *q6l;      /* [n] local Steinhardt q_l(i) = sqrt(4π/(2l+1) Σ_m |q̄_lm(i)|²) */
    long *dot_hist;         /* [XTAL_DOT_BINS] counts of ordered neighbour pairs by
                             * Re(q4(i)·q4(j)*); added to, not cleared */
} pcm_xtal_atoms;

void xtal_params_default(pcm_xtal_params *p);

/* The paper's parameters.  nl may be NULL (a list is built) or a full list of s
 * whose rcut is at least 3.6 Å, current for s (nl_refresh'ed): pairs are
 * filtered by distance, displacements recomputed from s->x and the stored
 * shifts.  A list that does not fit (other n, rcut too small) is ignored and a
 * private one is built.  flags and q4dot may be NULL.  Returns 0, or -1 with e
 * filled (empty system). */
int xtal_compute(const pcm_system *s, const pcm_nlist *nl, unsigned char *flags, double *q4dot,
                 pcm_xtal_summary *out, pcm_err *e);

/* Same with explicit parameters (NULL = paper's) and all per-atom outputs. */
int xtal_compute_ex(const pcm_system *s, const pcm_nlist *nl, const pcm_xtal_params *par,
                    const pcm_xtal_atoms *atoms, pcm_xtal_summary *out, pcm_err *e);

/* Crystalline fraction in nbins slabs along lattice vector `axis` (0, 1, 2),
 * slabs by wrapped fractional coordinate (the interface method, supplement
 * sec. 2).  frac[nbins] receives crystalline/atoms (0 for an empty slab),
 * count[nbins] (may be NULL) the atoms per slab. */
void xtal_profile(const pcm_system *s, const unsigned char *flags, int axis, int nbins, double *frac, int *count);
/* Where the periodic profile crosses 1/2 (linear interpolation between slab
 * centres), as fractional coordinates in [0, 1); returns how many (at most max). */
int xtal_profile_crossings(const double *frac, int nbins, double *pos, int max);

/* Orthonormal complex spherical harmonics Y_lm(u) for m = 0..l of a unit vector
 * u (l <= 12); re/im receive l+1 values.  Y_l,-m = (-1)^m conj(Y_lm). */
void xtal_ylm(int l, const double u[3], double *re, double *im);

#endif
