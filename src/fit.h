/* fit.h - linear ACE fitting: data, design matrix, solve, errors.
 *
 * Model (ML-PACE with a linear embedding, ndensity 1, FS_parameters [1, 1]):
 *   E_i = fcut_i * (sum_f c_f B_f(i)) + (1 - fcut_i) * rho_core(i) + E0[mu_i]
 * with B_f the unit-coefficient C-tilde functions of the generated basis (fit_basis.h), fcut_i
 * the zbl inner switch of atom i (YACE_FORMAT.md 4.3) and rho_core the ZBL core repulsion.
 * c_f and E0 are fitted; radial functions (R_nl = g_n) and the core repulsion are fixed.
 * Loss (pacemaker-like, kappa weights forces against energies):
 *   (1-kappa)/Nc sum_c ((E_c - E_c^ref)/N_c)^2 + kappa/(3 Na) sum_i |F_i - F_i^ref|^2
 *   + w_s/(6 Nc) sum_c |(W_c - W_c^ref)/N_c|^2 + ridge |D c|^2       (D: column norms)
 * (with force_scale F0 > 0 each atom's force term is divided by 1 + (|F_i^ref|/F0)^2)
 * solved by streaming QR + SVD (fit_lsq.h).  Reference: Lysogorskiy et al., npj Comput.
 * Mater. 7, 97 (2021); Dunton et al. (the GST paper, kappa = 0.3, 80/20 split).
 */
#ifndef PCM_FIT_H
#define PCM_FIT_H

#include <stdint.h>

#include "ace_bbasis.h"
#include "err.h"
#include "fit_basis.h"
#include "system.h"

typedef struct fit_config {
    pcm_system *sys;            /* positions, cell, species */
    char kind[32];              /* info key `kind` ("" -> "all") */
    char id[128];               /* info key `config_id` ("" when absent; as long as --weights reads) */
    int has_e, has_f, has_w;
    double e_ref;               /* eV */
    double (*f_ref)[3];         /* eV/Å */
    double w_ref[6];            /* virial, eV, Voigt */
    int is_test;
    int bootstrap;              /* multiplicity in the current (committee) resample */
    double weight;              /* loss weight of the whole configuration: info key `weight=` (1) */
    double eweight;             /* extra weight of its energy term only (1; --weights third column) */
    /* predictions of the last fit_predict */
    double e_pred, w_pred[6];
    double (*f_pred)[3];
} fit_config;

typedef struct fit_dataset {
    int n;
    fit_config *c;
} fit_dataset;

typedef struct fit_opts {
    double test_fraction;       /* share of configurations held out (0.2) */
    double kappa;               /* force weight in [0, 1] (0.3) */
    double stress_weight;       /* virial weight (0: not fitted) */
    double ridge;               /* Tikhonov on column-normalised coefficients (1e-10) */
    double force_scale;         /* eV/Å; > 0: an atom's force rows weigh 1/sqrt(1 + (|F_ref|/F0)^2),
                                   so close contacts with huge forces count by their relative
                                   error (0: all atoms alike) */
    uint64_t seed;              /* split / bootstrap seed */
    int nkw;                    /* per-kind loss weights (--weight KIND=W), times the frame's own */
    char kw_kind[16][32];
    double kw_w[16];
} fit_opts;

void fit_opts_default(fit_opts *o);

/* Appends every frame of an extxyz file (labels: energy, forces, virial/stress). */
int fit_dataset_read(fit_dataset *d, const char *path, pcm_err *e);
void fit_dataset_free(fit_dataset *d);
/* Keep the first n configurations (file order), free the rest; no-op when n >= d->n. */
void fit_dataset_truncate(fit_dataset *d, int n);
/* Seeded split by configuration: round(test_fraction * n) test configurations. */
void fit_dataset_split(fit_dataset *d, double test_fraction, uint64_t seed);
/* Fills r_in < 0 (auto) with the shortest distance of that pair in d (Å); pairs never seen get
 * the smallest auto value found (or 2.0 Å without data). */
void fit_resolve_r_in(fit_basis_cfg *c, const fit_dataset *d);

typedef struct fit_model {
    ace_cbasis *tmpl;           /* elements, embeddings, bonds (no functions); owned */
    int nel;
    ace_bspec *spec[FIT_MAX_EL];
    int nspec[FIT_MAX_EL];
    int off[FIT_MAX_EL + 1];    /* column offsets: E0 then functions, per element */
    int ncol;
    double *coef;               /* [ncol] */
    int rank;                   /* numerical rank of the design matrix */
    long nrows;
    double seconds;             /* wall time of the fit */
} fit_model;

/* Fits on the training configurations (is_test == 0, weighted by bootstrap if use_bootstrap).
 * Returns 0 or -1 + message. */
int fit_run(const fit_basis_cfg *cfg, fit_dataset *d, const fit_opts *o, int use_bootstrap, fit_model *m,
            pcm_err *e);
/* Same with an explicit basis: template (elements, embedding, bonds; functions ignored) and
 * B-functions per element, e.g. from ace_bbasis_read.  Takes ownership of tmpl and specs[]. */
int fit_run_specs(ace_cbasis *tmpl, ace_bspec **specs, const int *nspec, fit_dataset *d, const fit_opts *o,
                  int use_bootstrap, fit_model *m, pcm_err *e);
void fit_model_free(fit_model *m);
/* The fitted potential as a C-tilde basis (functions merged as in the pacemaker conversion). */
ace_cbasis *fit_model_potential(const fit_model *m);

/* Evaluates a .yace on every configuration (fills e_pred, f_pred, w_pred); *sec_per_atom
 * receives the evaluation wall time per atom (one energy+force call per configuration). */
int fit_predict(const char *yace, fit_dataset *d, double *sec_per_atom, pcm_err *e);

typedef struct fit_err_stats {
    int nconf, natoms;
    double rmse_e;              /* eV/atom */
    double rmse_f;              /* eV/Å, per component */
    double rmse_w;              /* eV/atom, per Voigt component */
    double mae_e;               /* eV/atom */
} fit_err_stats;

/* Errors over configurations with is_test == test (test < 0: all) and kind (NULL: all). */
fit_err_stats fit_errors(const fit_dataset *d, int test, const char *kind);

/* Committee uncertainty: per-atom standard deviation sigma_E,i of the atomic energies of K
 * potentials (eV); committee.h has the force disagreement and the frame values.  Returns 0 or
 * -1 + message. */
int fit_committee_sigma(const char *const *yace, int k, pcm_system *s, double *sigma, pcm_err *e);

#endif
