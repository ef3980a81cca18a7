/* fit_lsq.c - streaming least squares by tall-skinny QR (see fit_lsq.h).
 *
 * Invariant: the rows seen so far, A (m x n) and b, satisfy A^T A = R^T R and A^T b = R^T qtb
 * with R the top n x n upper triangle held in q->R.  A new block P is folded in by QR of [R; P].
 */
#include "fit_lsq.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

fit_lsq *fit_lsq_new(int n)
{
    fit_lsq *q = pcm_calloc(1, sizeof *q);
    q->n = n;
    q->cap = n > 256 ? n : 256;
    q->R = pcm_calloc((size_t)(n + q->cap) * n, sizeof(double));
    q->qtb = pcm_calloc((size_t)(n + q->cap), sizeof(double));
    return q;
}

void fit_lsq_free(fit_lsq *q)
{
    if (!q)
        return;
    free(q->R);
    free(q->qtb);
    free(q);
}

/* QR of the stacked [R (have rows); pending rows], keep the top triangle. */
static void fold(fit_lsq *q)
{
    if (q->pend == 0)
        return;
    int n = q->n, ld = n + q->cap, m = n + q->pend;
    /* pending rows live at rows n..n+pend-1; R at rows 0..n-1 (zero below 'have') */
    double *tau = pcm_malloc((size_t)(n + 1) * sizeof(double));
    int k = m < n ? m : n;
    LAPACKE_dgeqrf(LAPACK_COL_MAJOR, m, n, q->R, ld, tau);
    LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', m, 1, k, q->R, ld, tau, q->qtb, ld);
    free(tau);
    for (int r = n; r < m; r++)   /* the part of b orthogonal to range(A) */
        q->sse_extra += q->qtb[r] * q->qtb[r];
    for (int j = 0; j < n; j++)   /* zero below the diagonal and the pending area */
        for (int r = j + 1; r < ld; r++)
            q->R[(size_t)j * ld + r] = 0.0;
    for (int r = n; r < ld; r++)
        q->qtb[r] = 0.0;
    q->have = n;
    q->pend = 0;
}

void fit_lsq_add(fit_lsq *q, const double *a, double b, double w)
{
    int n = q->n, ld = n + q->cap;
    if (q->pend == q->cap)
        fold(q);
    int r = n + q->pend++;
    for (int j = 0; j < n; j++)
        q->R[(size_t)j * ld + r] = w * a[j];
    q->qtb[r] = w * b;
    q->nrows++;
}

int fit_lsq_solve(fit_lsq *q, double ridge, double rcond, const char *noreg, double *x)
{
    fold(q);
    int n = q->n, ld = n + q->cap;
    double *S = pcm_calloc((size_t)2 * n * n, sizeof(double)), *rhs = pcm_calloc((size_t)2 * n, sizeof(double));
    double *D = pcm_malloc((size_t)n * sizeof(double));
    for (int j = 0; j < n; j++) {   /* column norms of A = column norms of R */
        double s = 0;
        for (int r = 0; r <= j; r++)
            s += q->R[(size_t)j * ld + r] * q->R[(size_t)j * ld + r];
        D[j] = s > 0 ? sqrt(s) : 1.0;
    }
    int m = ridge > 0 ? 2 * n : n;
    for (int j = 0; j < n; j++) {
        for (int r = 0; r <= j; r++)
            S[(size_t)j * m + r] = q->R[(size_t)j * ld + r] / D[j];
        if (ridge > 0 && !(noreg && noreg[j]))
            S[(size_t)j * m + n + j] = sqrt(ridge);
    }
    memcpy(rhs, q->qtb, (size_t)n * sizeof(double));
    double *sv = pcm_malloc((size_t)n * sizeof(double));
    lapack_int rank = 0;
    lapack_int info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, m, n, 1, S, m, rhs, m, sv, rcond > 0 ? rcond : 1e-12, &rank);
    for (int j = 0; j < n; j++)
        x[j] = rhs[j] / D[j];
    free(S);
    free(rhs);
    free(D);
    free(sv);
    return info == 0 ? (int)rank : -1;
}
