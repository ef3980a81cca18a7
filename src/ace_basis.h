/* ace_basis.h - the parsed ACE C-tilde basis (.yace) and its building blocks.
 *
 * Internal interface shared by the CPU evaluator (ace.c), the fitter and a future
 * CUDA backend.  Equations: ../shared/ace-reference/YACE_FORMAT.md (ML-PACE,
 * Lysogorskiy et al., npj Comput. Mater. 7, 97 (2021)).
 *
 * Species ids mu are the potential's own (index into `elements`).  Pair arrays are
 * indexed [mu_i * nelements + mu_j] (mu_i = centre, mu_j = neighbour).
 *
 * Radial functions are evaluated from ML-PACE's cubic-Hermite tables (ace_radial.c),
 * so results agree with the oracle at the "spline" tier; ace_radial_analytic gives
 * the underlying analytic functions.
 */
#ifndef PCM_ACE_BASIS_H
#define PCM_ACE_BASIS_H

#include "err.h"
#include "neighbor.h"
#include "system.h"

enum { ACE_RB_CHEBEXPCOS, ACE_RB_CHEBPOW, ACE_RB_CHEBLINEAR, ACE_RB_SBESSEL };
enum { ACE_INNER_DENSITY, ACE_INNER_DISTANCE, ACE_INNER_ZBL };
enum { ACE_EMB_FS_SHIFTED_SCALED, ACE_EMB_FS };

typedef struct ace_bond {
    int radbase;            /* ACE_RB_* */
    int nradmax, lmax, nradbase; /* this pair's sizes (arrays are padded to the global ones) */
    double lambda;          /* radparameters[0], dimensionless */
    double rcut, dcut;      /* outer cutoff and taper width, Å */
    double rcut_in, dcut_in;/* inner cutoff r_in and Δ_in, Å */
    double prehc;           /* core repulsion prefactor, eV·Å (zbl: dimensionless scale) */
    double lambdahc;        /* core repulsion exponent, 1/Å² */
    double *crad;           /* [nradmax_g][lmax_g+1][nradbase_g] (global sizes, zero padded) */
} ace_bond;

typedef struct ace_embedding {
    int ndensity;           /* P */
    int npoti;              /* ACE_EMB_* */
    double *fs;             /* [2P] (w_p, m_p) pairs */
    double rho_core_cut, drho_core_cut; /* ρ_cut, Δρ_cut (density units of the core repulsion, eV) */
} ace_embedding;

/* One C-tilde function centred on species mu0. */
typedef struct ace_func {
    int rank, nms, ndensity;
    int mus[8], ns[8], ls[8]; /* ns 1-based as in the file; rank <= ACE_MAX_RANK */
    int *ms;                /* [nms][rank] */
    double *ctildes;        /* [nms][ndensity] */
} ace_func;

#define ACE_MAX_RANK 8

/* Cubic-Hermite lookup table of one species pair (ML-PACE SplineInterpolator). */
typedef struct ace_spline {
    int nlut;               /* bins, = (int)(rcut / Δ) */
    int nf;                 /* functions per bin: nradbase + nradmax*(lmax+1) + 1 (core) */
    double rscale;          /* nlut / rcut, 1/Å */
    double *c;              /* [nlut+1][4][nf]: c0..c3 of f in bin n at ((n*4)+k)*nf + f */
} ace_spline;

typedef struct ace_basis {
    char *path;
    int nelements;
    char elements[PCM_MAX_SPECIES][4];
    int z[PCM_MAX_SPECIES];     /* atomic numbers (for ZBL) */
    double E0[PCM_MAX_SPECIES]; /* eV */
    double delta_spline;        /* Å */
    int inner_type;             /* ACE_INNER_* (global: the last bond read wins, as ML-PACE) */
    ace_embedding emb[PCM_MAX_SPECIES];
    ace_bond *bonds;            /* [nel*nel] */
    int nradbase, nradmax, lmax, rankmax, ndensitymax; /* global maxima */
    double cutoffmax;           /* Å */
    int nfunc1[PCM_MAX_SPECIES], nfunc[PCM_MAX_SPECIES];
    ace_func *func1[PCM_MAX_SPECIES]; /* rank-1 functions per centre species, file order */
    ace_func *func[PCM_MAX_SPECIES];  /* rank > 1 functions, file order */
    ace_spline *splines;        /* [nel*nel] */
} ace_basis;

/* ------------------------------------------------------------------ loading (ace_yace.c) */
/* Parse a .yace file (libyaml); NULL + "file:line: what was expected" on bad input.
 * Also builds the spline tables. */
ace_basis *ace_basis_load(const char *path, pcm_err *e);
void ace_basis_free(ace_basis *b);

/* ------------------------------------------------------------------ radial (ace_radial.c) */
/* Number of functions in one table row and their offsets. */
static inline int ace_nf(const ace_basis *b) { return b->nradbase + b->nradmax * (b->lmax + 1) + 1; }
/* Analytic g_k, R_nl (n-major, l minor) and core repulsion of pair (mu_i, mu_j) at r (Å):
 * val[nf], dval[nf] in the table layout [g_0..g_{K-1}, R_00..R_{N-1,L}, cr]. */
void ace_radial_analytic(const ace_basis *b, int mu_i, int mu_j, double r, double *val, double *dval);
/* Build all pair tables (called by ace_basis_load). */
void ace_radial_setup(ace_basis *b);
/* Table value and derivative (d/dr) of every function at r; 0 at and beyond the last bin.
 * Returns -1 when r is below the first bin (r < Δ: ML-PACE refuses such distances). */
int ace_spline_eval(const ace_spline *sp, double r, double *val, double *dval);
/* Polynomial switch (YACE_FORMAT §2): 1 for r <= r_in-Δ, 0 for r >= r_in. */
void ace_fc_poly(double r, double r_in, double delta, double *fc, double *dfc);

/* ------------------------------------------------------------------ angular (ace_ylm.c) */
/* PACE-normalised complex Ylm (Y_00 = 1) for m >= 0 at index l(l+1)/2+m, and their
 * gradients w.r.t. the unit vector, projected transverse (divide by r for d/dr_j).
 * y: [nlm][2] (re, im); dy: [nlm][3][2]; nlm = (lmax+1)(lmax+2)/2. */
void ace_ylm(int lmax, const double rhat[3], double (*y)[2], double (*dy)[3][2]);
/* The factors of Y_lm = (x+iy)^m P̄(l,m)(z): p[lm] = P̄, dp[lm] = dP̄/dz, ph[m] = (x+iy)^m
 * (m = 0..lmax).  Gradient of the polynomial: (m ph[m-1] P̄, i m ph[m-1] P̄, ph[m] dP̄). */
void ace_ylm_parts(int lmax, const double rhat[3], double *p, double *dp, double (*ph)[2]);
/* The recursion coefficients behind them (ace_kernels.h; for ace_k_ylm_parts and the GPU). */
struct ace_ylm_coef;
const struct ace_ylm_coef *ace_ylm_coefs(void);

/* ------------------------------------------------------------------ descriptors (ace.c)
 * For a potential used with a LINEAR embedding (the fitter's design matrix):
 * per atom i of species mu, one value per C-tilde function f of mu, rank-1 functions
 * first then rank > 1, both in file order:
 *     B_f(i) = Σ_s ctilde_{f,s,p=0} · Re(Π_t A_{mus_t, ns_t, ls_t, ms_{s,t}}(i))
 * (rank 1: ctilde_{f,0} · A1[mus_0][ns_0-1]); no embedding, no core repulsion, no E0.
 * The core repulsion energy ρ_core(i) is returned separately (it is fixed, not fitted).
 */
/* Number of descriptor functions of species mu (nfunc1 + nfunc). */
int ace_descriptor_count(const ace_basis *b, int mu);

/* Descriptors of atom i.  type_map maps system species -> basis species (from bind;
 * see ace_type_map).  Outputs:
 *   B[nfunc]                        descriptor values
 *   *core                           Σ_j core repulsion of pairs i-j (eV), may be NULL
 *   if dB != NULL: dB[f*nnb + k][3] = dB_f(i)/dr_{j_k} (1/Å per unit B), where k runs over
 *     the pairs q = nl->start[i] .. nl->start[i+1]-1 in list order (nnb of them; pairs
 *     beyond their species-pair cutoff get 0).  dB_f(i)/dr_i = -Σ_k dB[f*nnb+k].
 * Returns 0, or -1 with e filled (e.g. a pair closer than the spline table allows). */
int ace_descriptors(const ace_basis *b, const int *type_map, const pcm_system *s, const pcm_nlist *nl,
                    int i, double *B, double *core, double (*dB)[3], pcm_err *e);

/* Map s's species onto b's: type_map[s species] = basis species; -1 + message if one lacks. */
int ace_type_map(const ace_basis *b, const pcm_system *s, int *type_map, pcm_err *e);

#endif
