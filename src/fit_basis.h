/* fit_basis.h - rotation- and inversion-invariant ACE basis for linear fitting.
 *
 * The basis is described by a libconfig file (e.g. presets/fit/gst-small.cfg) and generated per central
 * element: rank-1 functions g_k (k < nradbase) per neighbour species, and for rank r >= 2 every
 * sorted multiset of factors (mu, n, l) with n <= nrad[r], l <= lmax[r], sum(l) even, and every
 * intermediate coupling LS allowed by the pacemaker coupling tree.  Within one (mus, ns, ls) the
 * generalized-CG vectors (permutation-compressed, +/-m folded) of the different LS are reduced to
 * a linearly independent subset with LAPACK's pivoted QR (dgeqp3).
 * Radial functions are fixed: R_nl = g_n (crad[n][l][k] = delta_nk), ChebExpCos by default.
 * Core repulsion (fixed, not fitted), two choices:
 *  - "zbl" (default): ML-PACE `zbl` mode, ZBL screened nuclear repulsion taking over inside r_in,
 *    switched over delta_in; r_in "auto" = shortest distance of that pair in the training data
 *    (pacemaker's `repulsion: auto`), so the fitted part alone describes every training atom.
 *  - "distance": the paper's U(r) = U0 exp(-sigma r^2)/r (U0 = 100 eV Å, sigma = 5 Å^-2) added
 *    inside an inner cutoff r_in = 1 Å (ML-PACE `distance` mode, the basis is cut there too).
 */
#ifndef PCM_FIT_BASIS_H
#define PCM_FIT_BASIS_H

#include "ace_bbasis.h"
#include "err.h"

#define FIT_MAX_EL 8
#define FIT_RANK_MAX 6

typedef struct fit_basis_cfg {
    int nelem;
    char elements[FIT_MAX_EL][8];
    char radbase[32];                   /* ChebExpCos | ChebPow | SBessel */
    double lambda;                      /* radial scaling parameter (dimensionless) */
    int nradbase;                       /* number of g_k */
    int rankmax;                        /* per element below; <= FIT_RANK_MAX */
    int nrad[FIT_MAX_EL][FIT_RANK_MAX]; /* largest n per rank (rank 1: number of g_k used) */
    int lmax[FIT_MAX_EL][FIT_RANK_MAX]; /* largest l per rank */
    double rcut[FIT_MAX_EL * FIT_MAX_EL];      /* Å, per ordered pair (symmetric) */
    double dcut[FIT_MAX_EL * FIT_MAX_EL];      /* Å */
    double r_in[FIT_MAX_EL * FIT_MAX_EL];      /* Å; < 0 means auto (from data) */
    double delta_in[FIT_MAX_EL * FIT_MAX_EL];  /* Å */
    char repulsion[16];                 /* "zbl" | "distance" */
    double u0;                          /* distance mode prefactor, eV·Å */
    double sigma;                       /* distance mode exponent, 1/Å² */
    /* optional `fit = { kappa; ridge; stress_weight; force_scale; test_fraction; seed; }` group:
     * the solver settings that go with this basis (NAN = not given; command-line options win) */
    double fit_kappa, fit_ridge, fit_stress_weight, fit_force_scale, fit_test_fraction, fit_seed;
} fit_basis_cfg;

/* Defaults: GST, ChebExpCos r_cut 5.5 Å, λ 5.25, nradbase 8, ranks 1-4 with nrad 8/3/2/1 and
 * lmax 0/3/2/1, zbl r_in auto, Δ_in 0.1 Å. */
void fit_basis_cfg_default(fit_basis_cfg *c);
/* Reads a basis file over the defaults; -1 + "file:line: message" on bad input. */
int fit_basis_cfg_read(const char *path, fit_basis_cfg *c, pcm_err *e);

/* Independent B-functions of central element mu0, rank 1 first then increasing rank;
 * returns their number (*out malloc'ed). */
int fit_basis_enumerate(const fit_basis_cfg *c, int mu0, ace_bspec **out);

/* The design basis: one C-tilde function per B-function with unit coefficient, linear
 * embedding (ndensity 1, FS [1, 1]), zbl core repulsion.  specs[mu]/nspec[mu] receive the
 * B-functions in descriptor order (requires every r_in resolved, i.e. >= 0). */
ace_cbasis *fit_basis_build(const fit_basis_cfg *c, ace_bspec **specs, int *nspec);

#endif
