/* ace_dag.h - the compiled product basis of one centre species (internal to the ACE
 * evaluator; see ace_dag.c for how it is built and ace.c for how it is evaluated). */
#ifndef PCM_ACE_DAG_H
#define PCM_ACE_DAG_H

#include <stdint.h>

#include "ace_basis.h"
#include "ace_kernels.h"

/* All rank > 1 products of one centre species as a DAG of complex partial products.
 * A index of (mu, n, l, m), m = -l..l: ((mu*N + n)*L*L + l*l + l + m), N = max(nradmax, 1),
 * L = lmax + 1. */
typedef struct ace_prog {
    int P;          /* densities */
    int n1;         /* rank-1 terms */
    int *r1_a;      /* [n1] index into A1 (mu*K + k) */
    double *r1_c;   /* [n1][P] */
    /* Product DAG over X = [A (NA entries, full m range) | nodes]: node k is
     * X[NA+k] = X[nd_par[k]]·A[nd_a[k]], parents before children (BFS order).  Terms
     * add c_p·Re(X[tm_par]·A[tm_a]) to ρ_p; real last factors first, parent groups
     * interleaved (k-th term of every parent, k = 0, 1, ...). */
    int nnode;
    int *nd_par, *nd_a;
    int nterm, nterm_r; /* terms [0, nterm_r) have a real last factor (m = 0) */
    int *tm_par, *tm_a;
    double *tm_c;   /* [nterm][P] */
    /* the same, packed for the hot loops: byte offsets into X/G (P <= 2) */
    struct ace_term *tm; /* ace_kernels.h */
    struct ace_node *nd;
} ace_prog;

/* Number of A entries (complex) and the index of (mu, n, l, m). */
static inline int ace_nA(const ace_basis *b)
{
    int N = b->nradmax > 0 ? b->nradmax : 1, L = b->lmax + 1;
    return b->nelements * N * L * L;
}
static inline int ace_aidx(const ace_basis *b, int mu, int n, int l, int m)
{
    int N = b->nradmax > 0 ? b->nradmax : 1, L = b->lmax + 1;
    return (mu * N + n) * L * L + l * l + l + m;
}

/* The device-independent view of pg (ace_kernels.h), host pointers. */
static inline ace_kprog ace_prog_view(const ace_prog *pg)
{
    ace_kprog v = {pg->P, pg->n1, pg->nnode, pg->nterm, pg->nterm_r, pg->r1_a, pg->r1_c, pg->nd, pg->tm,
                   pg->tm_par, pg->tm_a, pg->tm_c};
    return v;
}

/* Build the program of centre species mu from b's functions; free it. */
void ace_prog_build(const ace_basis *b, int mu, ace_prog *pg);
void ace_prog_free(ace_prog *pg);

#endif
