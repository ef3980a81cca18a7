/* ace_desc.c - per-function ACE descriptors and their gradients, for fitting potentials
 * with a linear embedding (API and definitions: ace_basis.h).
 *
 *   B_f(i) = Σ_s ctilde_{f,s,0} Re Π_t A_t(i),  dB_f/dr_j by the product rule
 * (prefix/suffix products), with the same spline tables and Ylm as the evaluator.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ace_basis.h"

typedef double v2d __attribute__((vector_size(16)));

static inline v2d cmul(v2d a, v2d b)
{
    return (v2d){a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]};
}

int ace_descriptor_count(const ace_basis *b, int mu) { return b->nfunc1[mu] + b->nfunc[mu]; }

/* Straightforward (not tuned) path for fitting: dense A, per-function gradients. */
int ace_descriptors(const ace_basis *b, const int *type_map, const pcm_system *s, const pcm_nlist *nl, int i,
                    double *B, double *core, double (*dB)[3], pcm_err *e)
{
    int nel = b->nelements, K = b->nradbase, L = b->lmax + 1, N = b->nradmax > 0 ? b->nradmax : 1;
    int nlm = L * (L + 1) / 2, nf = ace_nf(b), LL = L * L, NA = nel * N * LL;
    int mu_i = type_map[s->type[i]], q0 = nl->start[i], nnb = nl->start[i + 1] - q0;
    int nfun = ace_descriptor_count(b, mu_i);
    double *val = pcm_malloc((size_t)(nnb + 1) * nf * sizeof *val), *dval = pcm_malloc((size_t)(nnb + 1) * nf * sizeof *dval);
    double(*y)[2] = pcm_malloc((size_t)(nnb + 1) * nlm * sizeof *y);
    double(*dy)[3][2] = pcm_malloc((size_t)(nnb + 1) * nlm * sizeof *dy);
    double *r = pcm_malloc((size_t)(nnb + 1) * sizeof *r), (*rh)[3] = pcm_malloc((size_t)(nnb + 1) * sizeof *rh);
    int *mu = pcm_malloc((size_t)(nnb + 1) * sizeof *mu);
    v2d *A = pcm_calloc((size_t)NA, sizeof *A), *GA = pcm_malloc((size_t)NA * sizeof *GA);
    double *A1 = pcm_calloc((size_t)nel * K, sizeof *A1), rc = 0;
    int rcode = 0;
    for (int k = 0; k < nnb; k++) {
        const double *d = nl->d[q0 + k];
        mu[k] = type_map[s->type[nl->j[q0 + k]]];
        r[k] = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        if (r[k] >= b->bonds[mu_i * nel + mu[k]].rcut) {
            mu[k] = -1;
            continue;
        }
        for (int c = 0; c < 3; c++)
            rh[k][c] = d[c] / r[k];
        double *v = &val[(size_t)k * nf], *dv = &dval[(size_t)k * nf];
        if (ace_spline_eval(&b->splines[mu_i * nel + mu[k]], r[k], v, dv) != 0) {
            rcode = pcm_errf(e, b->path, 0, "atoms %d and %d are closer than the spline grid spacing (%g Å)", i,
                             nl->j[q0 + k], b->delta_spline);
            goto out;
        }
        ace_ylm(b->lmax, rh[k], &y[(size_t)k * nlm], &dy[(size_t)k * nlm]);
        for (int kk = 0; kk < K; kk++)
            A1[mu[k] * K + kk] += v[kk];
        for (int n = 0; n < N; n++)
            for (int l = 0; l < L; l++)
                for (int m = 0; m <= l; m++) {
                    const double *yy = y[(size_t)k * nlm + l * (l + 1) / 2 + m];
                    A[(mu[k] * N + n) * LL + l * l + l + m] += v[K + n * L + l] * (v2d){yy[0], yy[1]};
                }
        rc += v[K + N * L];
    }
    for (int g = 0; g < NA; g++) {
        int off = g % LL, l = 0;
        while ((l + 1) * (l + 1) <= off)
            l++;
        int m = off - l * l - l;
        if (m < 0)
            A[g] = (m & 1 ? -1.0 : 1.0) * (v2d){A[g - 2 * m][0], -A[g - 2 * m][1]};
    }
    if (core)
        *core = rc;
    if (dB)
        memset(dB, 0, (size_t)nfun * nnb * sizeof *dB);
    int P = b->emb[mu_i].ndensity;
    for (int f = 0; f < b->nfunc1[mu_i]; f++) {
        const ace_func *fn = &b->func1[mu_i][f];
        int kk = fn->ns[0] - 1;
        B[f] = fn->ctildes[0] * A1[fn->mus[0] * K + kk];
        if (dB)
            for (int k = 0; k < nnb; k++)
                if (mu[k] == fn->mus[0])
                    for (int c = 0; c < 3; c++)
                        dB[(size_t)f * nnb + k][c] = fn->ctildes[0] * dval[(size_t)k * nf + kk] * rh[k][c];
    }
    for (int f = 0; f < b->nfunc[mu_i]; f++) {
        const ace_func *fn = &b->func[mu_i][f];
        int rk = fn->rank, fo = b->nfunc1[mu_i] + f;
        memset(GA, 0, (size_t)NA * sizeof *GA);
        double bv = 0;
        for (int sm = 0; sm < fn->nms; sm++) {
            int ai[ACE_MAX_RANK];
            v2d pre[ACE_MAX_RANK + 1], suf[ACE_MAX_RANK + 1];
            for (int t = 0; t < rk; t++)
                ai[t] = (fn->mus[t] * N + fn->ns[t] - 1) * LL + fn->ls[t] * fn->ls[t] + fn->ls[t] + fn->ms[sm * rk + t];
            pre[0] = suf[rk] = (v2d){1, 0};
            for (int t = 0; t < rk; t++)
                pre[t + 1] = cmul(pre[t], A[ai[t]]);
            for (int t = rk - 1; t >= 0; t--)
                suf[t] = cmul(suf[t + 1], A[ai[t]]);
            double c0 = fn->ctildes[sm * P];
            bv += c0 * pre[rk][0];
            for (int t = 0; t < rk; t++)
                GA[ai[t]] += c0 * cmul(pre[t], suf[t + 1]);
        }
        B[fo] = bv;
        if (!dB)
            continue;
        for (int k = 0; k < nnb; k++) {
            if (mu[k] < 0)
                continue;
            const double *v = &val[(size_t)k * nf], *dv = &dval[(size_t)k * nf];
            double g[3] = {0, 0, 0};
            for (int n = 0; n < N; n++)
                for (int l = 0; l < L; l++) {
                    int a0 = (mu[k] * N + n) * LL + l * l + l;
                    double R = v[K + n * L + l], dR = dv[K + n * L + l];
                    for (int m = 0; m <= l; m++) {
                        v2d w = GA[a0 + m];
                        if (m > 0) /* fold the -m derivative: W = G_m + (-1)^m conj G_-m */
                            w += (m & 1 ? -1.0 : 1.0) * (v2d){GA[a0 - m][0], -GA[a0 - m][1]};
                        if (w[0] == 0 && w[1] == 0)
                            continue;
                        int lm = (size_t)k * nlm + l * (l + 1) / 2 + m;
                        double wy = w[0] * y[lm][0] - w[1] * y[lm][1];
                        for (int c = 0; c < 3; c++)
                            g[c] += dR * wy * rh[k][c] + R / r[k] * (w[0] * dy[lm][c][0] - w[1] * dy[lm][c][1]);
                    }
                }
            for (int c = 0; c < 3; c++)
                dB[(size_t)fo * nnb + k][c] = g[c];
        }
    }
out:
    free(val), free(dval), free(y), free(dy), free(r), free(rh), free(mu), free(A), free(GA), free(A1);
    return rcode;
}
