/* ace_dag.c - compile the C-tilde product basis of one species into a product DAG.
 *
 * Every (function, m-combination) pair of rank r >= 2 is a monomial Π_t A_t over the
 * atomic base (YACE_FORMAT.md §4.2).  Monomials are canonicalised (factors sorted,
 * l = 0 first; of the ±m twins, whose real parts are equal because
 * A_{l,-m} = (-1)^m conj A_lm and Σm = 0, the lexicographically smaller is kept) and
 * equal monomials of different functions merged.  Each monomial becomes a term
 * c_p·Re(parent·A[a]) whose parent is an existing (r-1)-factor sub-product if there is
 * one (a real m = 0 factor preferred as A[a]), else a new prefix chain; highest ranks are
 * placed first so that their chains serve the lower ranks.  Nodes are then renumbered
 * breadth-first and terms sorted for the evaluator's branch-free loops.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ace_dag.h"

typedef struct {
    uint64_t *k;
    int *v;
    size_t cap, n;
} kmap;

static int *kmap_slot(kmap *h, uint64_t key, int *found)
{
    if (2 * (h->n + 1) > h->cap) {
        kmap o = *h;
        h->cap = o.cap ? 2 * o.cap : 1024;
        h->k = pcm_malloc(h->cap * sizeof *h->k);
        h->v = pcm_malloc(h->cap * sizeof *h->v);
        for (size_t s = 0; s < h->cap; s++)
            h->v[s] = -1;
        h->n = 0;
        for (size_t s = 0; s < o.cap; s++)
            if (o.v[s] >= 0) {
                int f;
                *kmap_slot(h, o.k[s], &f) = o.v[s];
            }
        free(o.k);
        free(o.v);
    }
    size_t s = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (h->cap - 1);
    while (h->v[s] >= 0 && h->k[s] != key)
        s = (s + 1) & (h->cap - 1);
    *found = h->v[s] >= 0;
    if (!*found) {
        h->k[s] = key;
        h->n++;
    }
    return &h->v[s];
}

/* Value for key, or -1. */
static int kmap_find(const kmap *h, uint64_t key)
{
    if (!h->cap)
        return -1;
    size_t s = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (h->cap - 1);
    while (h->v[s] >= 0) {
        if (h->k[s] == key)
            return h->v[s];
        s = (s + 1) & (h->cap - 1);
    }
    return -1;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void grow_int(int **p, int *cap, int need)
{
    if (need <= *cap)
        return;
    while (*cap < need)
        *cap = *cap ? 2 * *cap : 1024;
    *p = pcm_realloc(*p, (size_t)*cap * sizeof **p);
}

/* Factor order inside a product: l first (l = 0 factors are shared by every m
 * combination), then species, n, m; maximises shared prefixes. */
static int factor_key(const ace_basis *b, int mu, int n, int l, int m)
{
    int N = b->nradmax > 0 ? b->nradmax : 1, L = b->lmax + 1;
    return ((l * b->nelements + mu) * N + n) * (2 * L + 1) + m + L;
}

static int cmp_bfs(const void *a, const void *b, void *ctx)
{
    const int *bfs_key = ctx;
    int x = *(const int *)a, y = *(const int *)b;
    for (int c = 0; c < 3; c++)
        if (bfs_key[3 * x + c] != bfs_key[3 * y + c])
            return bfs_key[3 * x + c] < bfs_key[3 * y + c] ? -1 : 1;
    return 0;
}

/* Renumber nodes breadth-first (depth, parent, factor), so that parents precede their
 * children and the children of every parent are contiguous; remap term parents. */
static void bfs_order(ace_prog *pg, int NA, int *tpar)
{
    int nn = pg->nnode;
    int *depth = pcm_malloc(((size_t)nn + 1) * sizeof(int)), *newi = pcm_malloc(((size_t)nn + 1) * sizeof(int));
    int *key = pcm_malloc(((size_t)nn + 1) * 3 * sizeof(int)), *ord = pcm_malloc(((size_t)nn + 1) * sizeof(int));
    for (int k = 0; k < nn; k++)
        depth[k] = pg->nd_par[k] < NA ? 1 : depth[pg->nd_par[k] - NA] + 1;
    int maxd = 0;
    for (int k = 0; k < nn; k++)
        maxd = depth[k] > maxd ? depth[k] : maxd;
    int next = 0;
    for (int d = 1; d <= maxd; d++) {
        int m = 0;
        for (int k = 0; k < nn; k++)
            if (depth[k] == d) {
                int par = pg->nd_par[k];
                key[3 * k] = d;
                key[3 * k + 1] = par < NA ? par : NA + newi[par - NA];
                key[3 * k + 2] = pg->nd_a[k];
                ord[m++] = k;
            }
        qsort_r(ord, (size_t)m, sizeof(int), cmp_bfs, key);
        for (int q = 0; q < m; q++)
            newi[ord[q]] = next++;
    }
    int *np = pcm_malloc(((size_t)nn + 1) * sizeof(int)), *na = pcm_malloc(((size_t)nn + 1) * sizeof(int));
    for (int k = 0; k < nn; k++) {
        int par = pg->nd_par[k];
        np[newi[k]] = par < NA ? par : NA + newi[par - NA];
        na[newi[k]] = pg->nd_a[k];
    }
    free(pg->nd_par);
    free(pg->nd_a);
    pg->nd_par = np;
    pg->nd_a = na;
    for (int t = 0; t < pg->nterm; t++)
        if (tpar[t] >= NA)
            tpar[t] = NA + newi[tpar[t] - NA];
    for (int k = 1; k < nn; k++)
        assert(np[k] >= np[k - 1]); /* sorted by parent */
    free(depth);
    free(newi);
    free(key);
    free(ord);
}

void ace_prog_build(const ace_basis *b, int mu, ace_prog *pg)
{
    int P = b->emb[mu].ndensity, NA = ace_nA(b);
    int N = b->nradmax > 0 ? b->nradmax : 1, L = b->lmax + 1, K = b->nradbase;
    pg->P = P;
    pg->n1 = b->nfunc1[mu];
    pg->r1_a = pcm_malloc((size_t)(pg->n1 + 1) * sizeof(int));
    pg->r1_c = pcm_malloc((size_t)(pg->n1 + 1) * P * sizeof(double));
    for (int f = 0; f < pg->n1; f++) {
        const ace_func *fn = &b->func1[mu][f];
        pg->r1_a[f] = fn->mus[0] * K + fn->ns[0] - 1;
        memcpy(&pg->r1_c[f * P], fn->ctildes, (size_t)P * sizeof(double));
    }
    int capn = 0, capt = 0, capc = 0;
    int *tpar = NULL, *ta = NULL;
    double *tc = NULL;
    pg->nd_par = pg->nd_a = NULL;
    pg->nnode = pg->nterm = 0;
    kmap hn = {0};
    uint64_t NX = (uint64_t)NA + 1;
    /* key -> A index */
    int nkey = factor_key(b, b->nelements - 1, N - 1, L - 1, L - 1) + 1;
    int *key2a = pcm_malloc((size_t)nkey * sizeof(int));
    for (int mj = 0; mj < b->nelements; mj++)
        for (int n = 0; n < N; n++)
            for (int l = 0; l < L; l++)
                for (int m = -l; m <= l; m++)
                    key2a[factor_key(b, mj, n, l, m)] = ace_aidx(b, mj, n, l, m);
    char *areal = pcm_malloc((size_t)NA);
    for (int g = 0; g < NA; g++) {
        int off = g % (L * L), l = 0;
        while ((l + 1) * (l + 1) <= off)
            l++;
        areal[g] = off - l * l - l == 0;
    }
    /* pass 1: distinct monomials Π A (sorted factor lists), coefficients merged */
    const int RS = ACE_MAX_RANK + 1;
    int nmono = 0, capm = 0;
    int *mono = NULL; /* [nmono][RS]: rank, factors (A indices, factor-key order) */
    double *mc = NULL;
    kmap hm = {0};
    for (int f = 0; f < b->nfunc[mu]; f++) {
        const ace_func *fn = &b->func[mu][f];
        int r = fn->rank;
        for (int s = 0; s < fn->nms; s++) {
            int a[ACE_MAX_RANK];
            for (int t = 0; t < r; t++)
                a[t] = factor_key(b, fn->mus[t], fn->ns[t] - 1, fn->ls[t], fn->ms[s * r + t]);
            qsort(a, (size_t)r, sizeof(int), cmp_int);
            /* Re Π A_{-m} = Re Π A_m (A_{l,-m} = (-1)^m conj A_lm, Σm = 0): use the
             * lexicographically smaller of the two so equal terms of different functions merge */
            int b2[ACE_MAX_RANK];
            for (int t = 0; t < r; t++)
                b2[t] = factor_key(b, fn->mus[t], fn->ns[t] - 1, fn->ls[t], -fn->ms[s * r + t]);
            qsort(b2, (size_t)r, sizeof(int), cmp_int);
            for (int t = 0; t < r; t++)
                if (a[t] != b2[t]) {
                    if (b2[t] < a[t])
                        memcpy(a, b2, sizeof a);
                    break;
                }
            uint64_t h = 1469598103934665603ull;
            for (int t = 0; t < r; t++) {
                a[t] = key2a[a[t]];
                h = (h ^ (uint64_t)(a[t] + 1)) * 1099511628211ull;
            }
            h ^= (uint64_t)r << 56;
            for (;; h++) {
                int found, *slot = kmap_slot(&hm, h, &found);
                if (!found) {
                    if (nmono == capm) {
                        capm = capm ? 2 * capm : 1024;
                        mono = pcm_realloc(mono, (size_t)capm * RS * sizeof(int));
                        mc = pcm_realloc(mc, (size_t)capm * P * sizeof(double));
                    }
                    mono[nmono * RS] = r;
                    memcpy(&mono[nmono * RS + 1], a, (size_t)r * sizeof(int));
                    for (int p = 0; p < P; p++)
                        mc[(size_t)nmono * P + p] = 0;
                    *slot = nmono++;
                } else if (mono[*slot * RS] != r || memcmp(&mono[*slot * RS + 1], a, (size_t)r * sizeof(int)))
                    continue; /* hash collision: probe on */
                for (int p = 0; p < P; p++)
                    mc[(size_t)*slot * P + p] += fn->ctildes[s * P + p];
                break;
            }
        }
    }
    free(hm.k);
    free(hm.v);
    /* pass 2: a parent for each monomial - any (r-1)-factor sub-product that already
     * exists (a DAG, fewer nodes than a plain prefix tree), else the prefix chain */
    /* highest rank first: their prefix chains supply parents for the lower ranks */
    int *order = pcm_malloc(((size_t)nmono + 1) * sizeof(int)), no = 0;
    for (int r = ACE_MAX_RANK; r >= 1; r--)
        for (int q = nmono - 1; q >= 0; q--)
            if (mono[q * RS] == r)
                order[no++] = q;
    for (int qq = 0; qq < nmono; qq++) {
        int q = order[qq];
        int r = mono[q * RS], *a = &mono[q * RS + 1], par = -1, last = -1;
        /* prefer a real last factor (m = 0): Re(X·A_l0) = Re X·A_l0 is cheaper */
        for (int pass = 0; pass < 2 && par < 0; pass++)
        for (int j = r - 1; j >= 0 && par < 0; j--) {
            if ((j < r - 1 && a[j] == a[j + 1]) || areal[a[j]] != !pass)
                continue;
            int sub[ACE_MAX_RANK], ns = 0;
            for (int t = 0; t < r; t++)
                if (t != j)
                    sub[ns++] = a[t];
            int g = sub[0];
            for (int t = 1; t < ns && g >= 0; t++)
                g = kmap_find(&hn, (uint64_t)g * NX + (uint64_t)sub[t]);
            if (g >= 0) {
                par = g;
                last = a[j];
            }
        }
        if (par < 0) {
            /* new chain for the sub-product without the last real factor, if any */
            int jr = r - 1;
            for (int j = r - 1; j >= 0; j--)
                if (areal[a[j]]) {
                    jr = j;
                    break;
                }
            int sub[ACE_MAX_RANK], ns = 0;
            for (int t = 0; t < r; t++)
                if (t != jr)
                    sub[ns++] = a[t];
            sub[ns] = a[jr];
            a = sub;
            par = a[0];
            for (int t = 1; t < r - 1; t++) {
                int found, *slot = kmap_slot(&hn, (uint64_t)par * NX + (uint64_t)a[t], &found);
                if (!found) {
                    int oc = capn;
                    grow_int(&pg->nd_par, &capn, pg->nnode + 1);
                    if (capn != oc)
                        pg->nd_a = pcm_realloc(pg->nd_a, (size_t)capn * sizeof(int));
                    pg->nd_par[pg->nnode] = par;
                    pg->nd_a[pg->nnode] = a[t];
                    *slot = NA + pg->nnode++;
                }
                par = *slot;
            }
            last = a[r - 1];
        }
        int oc = capt;
        grow_int(&tpar, &capt, pg->nterm + 1);
        if (capt != oc) {
            ta = pcm_realloc(ta, (size_t)capt * sizeof(int));
            capc = capt;
            tc = pcm_realloc(tc, (size_t)capc * P * sizeof(double));
        }
        tpar[pg->nterm] = par;
        ta[pg->nterm] = last;
        memcpy(&tc[(size_t)pg->nterm * P], &mc[(size_t)q * P], (size_t)P * sizeof(double));
        pg->nterm++;
    }
    free(order);
    free(mono);
    free(mc);
    free(key2a);
    bfs_order(pg, NA, tpar);
    free(hn.k);
    free(hn.v);
    /* counting sort of the terms by (complex last factor, parent), stable */
    int NXn = NA + pg->nnode;
    int *cnt = pcm_calloc(2 * (size_t)NXn + 1, sizeof(int));
    pg->nterm_r = 0;
    for (int t = 0; t < pg->nterm; t++) {
        cnt[(!areal[ta[t]]) * NXn + tpar[t] + 1]++;
        pg->nterm_r += areal[ta[t]];
    }
    for (int g = 0; g < 2 * NXn; g++)
        cnt[g + 1] += cnt[g];
    int *pos = cnt;
    pg->tm_par = pcm_malloc(((size_t)pg->nterm + 1) * sizeof(int));
    pg->tm_a = pcm_malloc(((size_t)pg->nterm + 1) * sizeof(int));
    pg->tm_c = pcm_malloc(((size_t)pg->nterm + 1) * P * sizeof(double));
    for (int t = 0; t < pg->nterm; t++) {
        int d = pos[(!areal[ta[t]]) * NXn + tpar[t]]++;
        pg->tm_par[d] = tpar[t];
        pg->tm_a[d] = ta[t];
        memcpy(&pg->tm_c[(size_t)d * P], &tc[(size_t)t * P], (size_t)P * sizeof(double));
    }
    /* interleave the parent groups (k-th term of every group, k = 0, 1, ...) so that
     * consecutive terms update different adjoints (no store-to-load chains) */
    int nt = pg->nterm, maxk = 0;
    int *kin = pcm_malloc(((size_t)nt + 1) * sizeof(int));
    for (int t = 0; t < nt; t++) {
        int same = t > 0 && t != pg->nterm_r && pg->tm_par[t] == pg->tm_par[t - 1];
        kin[t] = same ? kin[t - 1] + 1 : 0;
        maxk = kin[t] > maxk ? kin[t] : maxk;
    }
    int *c2 = pcm_calloc(2 * ((size_t)maxk + 1) + 1, sizeof(int));
    for (int t = 0; t < nt; t++)
        c2[(t >= pg->nterm_r) * (maxk + 1) + kin[t] + 1]++;
    for (int g = 0; g < 2 * (maxk + 1); g++)
        c2[g + 1] += c2[g];
    int *np = pcm_malloc(((size_t)nt + 1) * sizeof(int)), *na = pcm_malloc(((size_t)nt + 1) * sizeof(int));
    double *nc = pcm_malloc(((size_t)nt + 1) * P * sizeof(double));
    for (int t = 0; t < nt; t++) {
        int d = c2[(t >= pg->nterm_r) * (maxk + 1) + kin[t]]++;
        np[d] = pg->tm_par[t];
        na[d] = pg->tm_a[t];
        memcpy(&nc[(size_t)d * P], &pg->tm_c[(size_t)t * P], (size_t)P * sizeof(double));
    }
    free(pg->tm_par);
    free(pg->tm_a);
    free(pg->tm_c);
    pg->tm_par = np;
    pg->tm_a = na;
    pg->tm_c = nc;
    free(kin);
    free(c2);
    pg->tm = pcm_malloc(((size_t)nt + 1) * sizeof *pg->tm);
    for (int t = 0; t < nt; t++)
        pg->tm[t] = (struct ace_term){(uint32_t)pg->tm_par[t] * 16u, (uint32_t)pg->tm_a[t] * 16u,
                                      pg->tm_c[(size_t)t * P], P > 1 ? pg->tm_c[(size_t)t * P + 1] : 0};
    pg->nd = pcm_malloc(((size_t)pg->nnode + 1) * sizeof *pg->nd);
    for (int k = 0; k < pg->nnode; k++)
        pg->nd[k] = (struct ace_node){(uint32_t)pg->nd_par[k] * 16u, (uint32_t)pg->nd_a[k] * 16u};
    free(areal);
    free(pos);
    free(tpar);
    free(ta);
    free(tc);
}

void ace_prog_free(ace_prog *pg)
{
    free(pg->r1_a);
    free(pg->r1_c);
    free(pg->nd_par);
    free(pg->nd_a);
    free(pg->tm_par);
    free(pg->tm_a);
    free(pg->tm_c);
    free(pg->tm);
    free(pg->nd);
}
