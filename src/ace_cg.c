/* ace_cg.c - Clebsch-Gordan coefficients (Racah formula) and the generalized
 * CG of the pacemaker coupling tree.
 *
 * Racah:  <j1 m1 j2 m2|J M> = d(M,m1+m2) sqrt((2J+1) D(j1 j2 J))
 *           * sqrt((j1+m1)!(j1-m1)!(j2+m2)!(j2-m2)!(J+M)!(J-M)!)
 *           * sum_k (-1)^k / [k!(j1+j2-J-k)!(j1-m1-k)!(j2+m2-k)!(J-j2+m1+k)!(J-j1-m2+k)!]
 *   with D(abc) = (a+b-c)!(a-b+c)!(-a+b+c)!/(a+b+c+1)!  (Varshalovich 8.2.1).
 * Evaluated in long double from a factorial table; exact to ~1e-16 for l <= 20.
 * Generalized CG: product of the CGs over the coupling tree nodes
 * (Drautz, PRB 99, 014104 (2019); Lysogorskiy et al., npj Comput Mater 7, 97 (2021)).
 */
#include "ace_cg.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define FACT_MAX 170

static long double fact(int n)
{
    static long double tab[FACT_MAX + 1];
    static int ready;
    if (!ready) {
        tab[0] = 1.0L;
        for (int i = 1; i <= FACT_MAX; i++)
            tab[i] = tab[i - 1] * (long double)i;
        ready = 1;
    }
    assert(n >= 0 && n <= FACT_MAX);
    return tab[n];
}

double ace_cg(int l1, int m1, int l2, int m2, int L, int M)
{
    if (m1 + m2 != M || l1 < 0 || l2 < 0 || L < 0)
        return 0.0;
    if (abs(m1) > l1 || abs(m2) > l2 || abs(M) > L)
        return 0.0;
    if (L < abs(l1 - l2) || L > l1 + l2)
        return 0.0;
    long double pre = (2 * L + 1) * fact(l1 + l2 - L) * fact(l1 - l2 + L) * fact(-l1 + l2 + L) /
                      fact(l1 + l2 + L + 1);
    pre *= fact(l1 + m1) * fact(l1 - m1) * fact(l2 + m2) * fact(l2 - m2) * fact(L + M) * fact(L - M);
    int kmin = 0, kmax = l1 + l2 - L;
    if (l2 - L - m1 > kmin) kmin = l2 - L - m1;
    if (l1 + m2 - L > kmin) kmin = l1 + m2 - L;
    if (l1 - m1 < kmax) kmax = l1 - m1;
    if (l2 + m2 < kmax) kmax = l2 + m2;
    long double s = 0.0L;
    for (int k = kmin; k <= kmax; k++) {
        long double den = fact(k) * fact(l1 + l2 - L - k) * fact(l1 - m1 - k) * fact(l2 + m2 - k) *
                          fact(L - l2 + m1 + k) * fact(L - l1 - m2 + k);
        s += ((k & 1) ? -1.0L : 1.0L) / den;
    }
    return (double)(sqrtl(pre) * s);
}

/* Pair the ls in order; then pair the intermediates in order; an odd rank
 * couples the last intermediate with the last l.  The final node gets the root. */
int ace_cg_tree(int rank, ace_cg_node *nodes)
{
    assert(rank >= 2 && rank <= ACE_CG_RANK_MAX);
    int root = 2 * rank - 2, next_L = rank, nn = 0;
    int queue[2 * ACE_CG_RANK_MAX], qh = 0, qt = 0;
    int npair = rank / 2;
    for (int p = 0; p < npair; p++) {
        int c = (next_L < 2 * rank - 2) ? next_L++ : root;
        nodes[nn++] = (ace_cg_node){2 * p, 2 * p + 1, c};
        queue[qt++] = c;
    }
    while (qt - qh > 1 && nodes[nn - 1].c != root) {
        int a = queue[qh++], b = queue[qh++];
        int c = (next_L < 2 * rank - 2) ? next_L++ : root;
        nodes[nn++] = (ace_cg_node){a, b, c};
        queue[qt++] = c;
    }
    if (nodes[nn - 1].c != root)   /* odd rank: last intermediate with the last l */
        nodes[nn++] = (ace_cg_node){queue[qh], rank - 1, root};
    assert(nn == rank - 1);
    return nn;
}

int ace_ms_sign(int rank, const int *ms)
{
    for (int t = 0; t < rank; t++)
        if (ms[t] != 0)
            return ms[t] > 0 ? 1 : -1;
    return 0;
}

int ace_gencg(int rank, const int *ls, const int *LS, int half, ace_mscg *out)
{
    memset(out, 0, sizeof *out);
    out->rank = rank;
    if (rank < 1 || rank > ACE_CG_RANK_MAX)
        return -1;
    int lsum = 0;
    for (int t = 0; t < rank; t++)
        lsum += ls[t];
    if (lsum % 2 != 0)
        return -1;
    if (rank == 1) {   /* only l = 0, m = 0 */
        out->n = 1;
        out->ms = pcm_calloc(1, sizeof(int));
        out->c = pcm_malloc(sizeof(double));
        out->c[0] = 1.0;
        return 1;
    }
    int lsLS[2 * ACE_CG_RANK_MAX];
    for (int t = 0; t < rank; t++)
        lsLS[t] = ls[t];
    for (int t = 0; t < rank - 2; t++)
        lsLS[rank + t] = LS[t];
    lsLS[2 * rank - 2] = 0;
    ace_cg_node nodes[ACE_CG_RANK_MAX];
    int nn = ace_cg_tree(rank, nodes);

    long space = 1;
    for (int t = 0; t < rank; t++)
        space *= 2 * ls[t] + 1;
    int cap = 16;
    out->ms = pcm_malloc((size_t)cap * rank * sizeof(int));
    out->c = pcm_malloc((size_t)cap * sizeof(double));
    for (long idx = 0; idx < space; idx++) {
        int mM[2 * ACE_CG_RANK_MAX];
        long rem = idx;
        int msum = 0;
        for (int t = 0; t < rank; t++) {   /* ms[0] varies fastest */
            mM[t] = (int)(rem % (2 * ls[t] + 1)) - ls[t];
            rem /= 2 * ls[t] + 1;
            msum += mM[t];
        }
        if (msum != 0)
            continue;
        int sign = ace_ms_sign(rank, mM);
        if (half && sign < 0)
            continue;
        double g = 1.0;
        int ok = 1;
        for (int k = 0; k < nn && ok; k++) {
            int a = nodes[k].a, b = nodes[k].b, c = nodes[k].c;
            mM[c] = mM[a] + mM[b];
            if (abs(mM[a]) > lsLS[a] || abs(mM[b]) > lsLS[b] || abs(mM[c]) > lsLS[c]) {
                ok = 0;
                break;
            }
            g *= ace_cg(lsLS[a], mM[a], lsLS[b], mM[b], lsLS[c], mM[c]);
            if (g == 0.0)
                ok = 0;
        }
        if (!ok)
            continue;
        if (half && sign > 0)
            g *= 2.0;
        if (out->n == cap) {
            cap *= 2;
            out->ms = pcm_realloc(out->ms, (size_t)cap * rank * sizeof(int));
            out->c = pcm_realloc(out->c, (size_t)cap * sizeof(double));
        }
        memcpy(out->ms + (size_t)out->n * rank, mM, (size_t)rank * sizeof(int));
        out->c[out->n++] = g;
    }
    return out->n;
}

void ace_mscg_free(ace_mscg *m)
{
    if (!m)
        return;
    free(m->ms);
    free(m->c);
    memset(m, 0, sizeof *m);
}
