/* ace_cg.h - Clebsch-Gordan and generalized Clebsch-Gordan coefficients for ACE.
 *
 * Real CG coefficients <l1 m1 l2 m2 | L M> (Condon-Shortley convention) and the
 * generalized CG coefficients of the pacemaker coupling tree, which turn a
 * B-basis function (ls, LS) into a list of m-combinations with coefficients:
 *   B = sum_{ms} C^{ls,LS}_{ms} prod_t A_{n_t l_t m_t}.
 * The tree pairs the factors (0,1), (2,3), (4,5), ... into intermediate L's,
 * then pairs intermediates in order, and the last node couples to L = 0
 * (YACE_FORMAT.md section 7).  Rotation invariance gives sum(ms) = 0.
 */
#ifndef PCM_ACE_CG_H
#define PCM_ACE_CG_H

#define ACE_CG_RANK_MAX 8   /* largest rank the coupling tree supports */

/* <l1 m1 l2 m2 | L M>; 0 when the triangle or m rules fail.  l up to ~40. */
double ace_cg(int l1, int m1, int l2, int m2, int L, int M);

/* One coupling node: momenta idx a and b couple to idx c.  Indices 0..rank-1
 * are the ls, rank..2rank-3 the intermediates LS, 2rank-2 the root (L=0). */
typedef struct ace_cg_node {
    int a, b, c;
} ace_cg_node;

/* Fills rank-1 nodes of the pacemaker coupling tree; returns the count. */
int ace_cg_tree(int rank, ace_cg_node *nodes);

/* m-combinations of one (ls, LS) coupling with their generalized CG. */
typedef struct ace_mscg {
    int rank;
    int n;          /* number of combinations */
    int *ms;        /* [n][rank] */
    double *c;      /* [n] generalized CG (doubled for kept +/- pairs if half) */
} ace_mscg;

/* Generalized CG of the coupling (ls[rank], LS[rank-2]) in the order ML-PACE
 * enumerates them (ms[0] fastest).  half != 0 keeps only combinations whose
 * first non-zero m is positive (or all zero) and doubles the positive ones.
 * Returns the number of combinations (may be 0), or -1 if sum(ls) is odd or
 * rank is out of range.  Free with ace_mscg_free. */
int ace_gencg(int rank, const int *ls, const int *LS, int half, ace_mscg *out);
void ace_mscg_free(ace_mscg *m);

/* Number of intermediate momenta stored in a B-function's `lint` (rank-2, 0 for rank<3). */
static inline int ace_cg_nLS(int rank) { return rank > 2 ? rank - 2 : 0; }

/* Sign of an m-combination: sign of its first non-zero entry, 0 if all zero. */
int ace_ms_sign(int rank, const int *ms);

#endif
