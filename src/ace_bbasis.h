/* ace_bbasis.h - ACE basis sets in C-tilde form (.yace) and the pacemaker
 * B-basis (.yaml) -> C-tilde conversion.
 *
 * The C-tilde set is what the evaluator reads (YACE_FORMAT.md section 1); the
 * B-basis is what pacemaker writes (section 7).  The conversion follows
 * ACEBBasisSet(yaml).to_ACECTildeBasisSet(): each B-function's generalized CG
 * (half basis) is permutation-compressed, functions with equal (mu0, mus, ns, ls)
 * are merged by summing c_B * genCG per m-combination.
 */
#ifndef PCM_ACE_BBASIS_H
#define PCM_ACE_BBASIS_H

#include "err.h"

#define ACE_RANK_MAX 8

typedef struct ace_cfunc {
    int mu0, rank, ndensity;
    int mus[ACE_RANK_MAX], ns[ACE_RANK_MAX], ls[ACE_RANK_MAX];   /* ns 1-based */
    int nms;
    int *ms;            /* [nms][rank] */
    double *ctildes;    /* [nms][ndensity] */
} ace_cfunc;

typedef struct ace_bondspec {
    int nradmax, lmax, nradbasemax;
    char radbasename[32];
    int nradparameters;
    double radparameters[4];
    double *crad;                 /* [nradmax][lmax+1][nradbasemax] */
    double prehc, lambdahc;       /* eV-ish prefactor, 1/A^2 (mode dependent) */
    double rcut, dcut;            /* A */
    double rcut_in, dcut_in;      /* A */
    char inner_cutoff_type[16];   /* density | distance | zbl */
} ace_bondspec;

typedef struct ace_embedspec {
    int ndensity;
    double fs[16];                /* FS_parameters, 2*ndensity */
    char npoti[48];
    double rho_core_cutoff, drho_core_cutoff;
} ace_embedspec;

typedef struct ace_cbasis {
    int nelem;
    char (*elements)[8];
    double *E0;                   /* eV */
    double delta_spline_bins;     /* A */
    ace_embedspec *emb;           /* [nelem] */
    ace_bondspec *bond;           /* [nelem*nelem], row mu_i */
    int *nfunc;                   /* [nelem] */
    ace_cfunc **func;             /* [nelem][nfunc] rank-1 first, file order */
} ace_cbasis;

ace_cbasis *ace_cbasis_new(int nelem);
void ace_cbasis_free(ace_cbasis *b);
/* Appends a copy of f (arrays duplicated) to the functions of f->mu0. */
void ace_cbasis_add(ace_cbasis *b, const ace_cfunc *f);
void ace_cfunc_clear(ace_cfunc *f);

/* One B-function (coupled product of rank A's): ns 1-based, LS the rank-2 intermediates. */
typedef struct ace_bspec {
    int mu0, rank;
    int mus[ACE_RANK_MAX], ns[ACE_RANK_MAX], ls[ACE_RANK_MAX], LS[ACE_RANK_MAX];
} ace_bspec;

/* Appends the C-tilde form of B-functions specs[0..n), all centred on specs[0].mu0, with
 * coefficients c[n][ndensity].  merge != 0: as the pacemaker conversion (functions with equal
 * (mus, ns, ls) merged, sorted by rank and key); merge == 0: one C-tilde function per
 * B-function, in the given order (the fitter's unit-coefficient design basis).
 * Returns -1 if a coupling is invalid (odd sum of l). */
int ace_cbasis_add_bfuncs(ace_cbasis *b, const ace_bspec *specs, const double *c, int n, int ndensity,
                          int merge);

/* Parses a pacemaker B-basis YAML without converting: the returned set holds elements,
 * embeddings and bonds but no functions; specs[mu] / nspec[mu] / coef[mu] ([nspec][ndensity])
 * receive each element's B-functions in file order (arrays indexed by element, malloc'ed). */
ace_cbasis *ace_bbasis_read(const char *path, ace_bspec **specs, int *nspec, double **coef, pcm_err *e);
/* Reads a pacemaker B-basis YAML and converts it; NULL + message on bad input. */
ace_cbasis *ace_bbasis_convert(const char *yaml_path, pcm_err *e);
/* Writes / reads the .yace format (libyaml; numbers round-trip exactly). */
int ace_cbasis_write_yace(const ace_cbasis *b, const char *path, pcm_err *e);
ace_cbasis *ace_cbasis_read_yace(const char *path, pcm_err *e);

/* Largest |ctilde difference| between two sets after canonicalising each
 * m-combination (factors sorted by (mu,n,l,m), +/-m folded onto the
 * non-negative representative); returns +INF if the key sets differ by more
 * than tol-sized entries.  For tests and diagnostics. */
double ace_cbasis_max_diff(const ace_cbasis *a, const ace_cbasis *b, int *nkeys);

#endif
