/* fit_lsq.h - streaming linear least squares for the fitter (LAPACK QR + SVD).
 *
 * Minimises sum_r w_r^2 (a_r . x - b_r)^2 + ridge * |D x|^2 over x, where the rows arrive in
 * blocks (a configuration at a time) and D = diag(column norms of the weighted design matrix),
 * i.e. the Tikhonov term acts on column-normalised coefficients and ridge is dimensionless.
 * Blocks are folded into an n x n triangular factor with dgeqrf/dormqr (tall-skinny QR), so
 * memory is O(n^2 + block) and the conditioning is that of the data, not of A^T A.  The final
 * solve uses dgelsd (SVD, minimum norm) so rank-deficient designs are handled.
 */
#ifndef PCM_FIT_LSQ_H
#define PCM_FIT_LSQ_H

typedef struct fit_lsq {
    int n;            /* unknowns */
    int have;         /* rows currently held in R (<= n) */
    double *R;        /* [(n + cap) x n] column major working matrix; top n rows hold R */
    double *qtb;      /* [n + cap] */
    int cap;          /* rows of pending block capacity */
    int pend;         /* pending rows */
    long nrows;       /* rows seen */
    double sse_extra; /* residual norm^2 that QR rotated out of reach (|b| beyond rank) */
} fit_lsq;

fit_lsq *fit_lsq_new(int n);
void fit_lsq_free(fit_lsq *q);
/* Adds one row a[n] with target b and weight w (the row enters as w*a, w*b). */
void fit_lsq_add(fit_lsq *q, const double *a, double b, double w);
/* Solves; x[n] out.  rcond: singular values below rcond*max are dropped (<= 0: 1e-12).
 * noreg[j] != 0 exempts unknown j from the ridge term (NULL: all regularised); the fitter
 * exempts the per-element reference energies E0, which are large (~100 eV) and must not shrink.
 * Returns the numerical rank, or -1 on LAPACK failure. */
int fit_lsq_solve(fit_lsq *q, double ridge, double rcond, const char *noreg, double *x);

#endif
