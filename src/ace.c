/* ace.c - Atomic Cluster Expansion (PACE C-tilde basis): energies, forces, virial.
 *
 * Model (../shared/ace-reference/YACE_FORMAT.md §4; Drautz, PRB 99, 014104 (2019);
 * Lysogorskiy et al., npj Comput. Mater. 7, 97 (2021)), for atom i of species μ_i:
 *   A1[μ][k]     = Σ_{j: μ_j=μ} g_k(r_ij)
 *   A[μ][n][l][m]= Σ_{j: μ_j=μ} R_nl(r_ij) Y_lm(r̂_ij)
 *   ρ_p = Σ_{rank 1} c_p A1 + Σ_{rank>1} Σ_s c_{s,p} Re Π_t A_t
 *   E_i = Σ_p w_p Φ(ρ_p; m_p)·fcut + core terms + E0        (three core modes, §4.3)
 * Energies in eV, lengths in Å, forces eV/Å, virial eV (LAMMPS sign).
 *
 * Evaluation.  Per centre species all products Π_t A_t of all (function, m-combination)
 * pairs become distinct monomials (the ±m twin Re Π A_{-m} = Re Π A_m is merged, so are
 * equal monomials of different functions) evaluated on a DAG: a node holds the complex
 * product parent·A[a], where the parent is any existing (r-1)-factor sub-product (a real
 * m = 0 factor is preferred last); a term adds c_p·Re(parent·A[a]) to ρ_p.  Gradients
 * use reverse mode on the DAG: with G = ∂E/∂(node) (complex, holomorphic), a node
 * parent·a passes G·a to its parent and G·parent to A[a].  For m > 0 the ±m derivatives
 * are folded, W_lm = G_lm + (-1)^m conj(G_l,-m), and with T1_lm = Σ_n R'_nl W_nlm,
 * T2_lm = Σ_n R_nl W_nlm,
 *   ∂E_i/∂r_j = r̂ (Σ_k W1_k g_k' + Σ_lm Re T1 Y + ∂E/∂ρ_core cr') + Σ_lm Re T2 ∇Y / r.
 * Radial functions come from ML-PACE's Hermite tables (ace_radial.c).
 * Forces and virial follow LAMMPS pair_pace: f_i += ∂E_i/∂r_j, f_j -= ∂E_i/∂r_j.
 *
 * Determinism: atom i is evaluated by one thread; its per-pair results go into per-pair
 * slots and are reduced serially in list order, so any thread count gives identical bits.
 */
#include "ace.h"

#include <assert.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ace_basis.h"
#include "ace_dag.h"

/* ------------------------------------------------------------------ state */
typedef struct ace_scratch {
    int cap;            /* neighbour capacity */
    double *r;          /* [cap] Å */
    double (*rh)[3];    /* [cap] unit vectors */
    int *mu, *q;        /* [cap] species, pair index */
    double *val, *dval; /* [cap][nf] */
    double (*y)[2];     /* [cap][nlm] */
    double (*pp)[2];    /* [cap][nlm] P̄_lm(z), dP̄_lm/dz */
    double (*ph)[2];    /* [cap][L] (x+iy)^m */
    double (*A)[2], *A1, (*GA)[2], (*W)[2], *W1, *rho, *dF; /* A (=X), GA (=G): [NA + nodes] */
    double (*T1)[2];    /* [2][nlm] per-neighbour Σ_n R' W and Σ_n R W */
    int err_atom, err_j;
} ace_scratch;

typedef struct ace_impl {
    ace_basis *b;
    ace_prog prog[PCM_MAX_SPECIES];
    int NA, K, L, N, nlm, nf;
    int nth;
    ace_scratch *scr;    /* [nth] */
    double (*fij)[3];    /* [npairs] ∂E_i/∂r_j per pair */
    long fij_cap;
    double (*wv)[6];     /* [n] per-atom virial */
    int wv_cap;
    int type_map[PCM_MAX_SPECIES];
} ace_impl;

static inline int aidx(const ace_impl *im, int mu, int n, int l, int m)
{
    return (mu * im->N + n) * im->L * im->L + l * l + l + m;
}

/* ------------------------------------------------------------------ scratch */

static void scratch_init(const ace_impl *im, ace_scratch *sc)
{
    int maxnode = 1;
    for (int mu = 0; mu < im->b->nelements; mu++) {
        if (im->prog[mu].nnode > maxnode)
            maxnode = im->prog[mu].nnode;
    }
    int nel = im->b->nelements, P = im->b->ndensitymax > 0 ? im->b->ndensitymax : 1;
    sc->A = pcm_malloc((size_t)(im->NA + maxnode) * sizeof *sc->A);
    sc->GA = pcm_malloc((size_t)(im->NA + maxnode) * sizeof *sc->GA);
    sc->W = pcm_malloc((size_t)im->NA * sizeof *sc->W);
    sc->A1 = pcm_malloc((size_t)nel * im->K * sizeof *sc->A1);
    sc->W1 = pcm_malloc((size_t)nel * im->K * sizeof *sc->W1);
    sc->rho = pcm_malloc((size_t)P * sizeof *sc->rho);
    sc->dF = pcm_malloc((size_t)P * sizeof *sc->dF);
    sc->T1 = pcm_malloc((size_t)2 * im->nlm * sizeof *sc->T1);
    sc->cap = 0;
}

static void scratch_grow(const ace_impl *im, ace_scratch *sc, int nnb)
{
    if (nnb <= sc->cap)
        return;
    int cap = nnb + nnb / 2 + 8;
    sc->r = pcm_realloc(sc->r, (size_t)cap * sizeof *sc->r);
    sc->rh = pcm_realloc(sc->rh, (size_t)cap * sizeof *sc->rh);
    sc->mu = pcm_realloc(sc->mu, (size_t)cap * sizeof *sc->mu);
    sc->q = pcm_realloc(sc->q, (size_t)cap * sizeof *sc->q);
    sc->val = pcm_realloc(sc->val, (size_t)cap * im->nf * sizeof *sc->val);
    sc->dval = pcm_realloc(sc->dval, (size_t)cap * im->nf * sizeof *sc->dval);
    sc->y = pcm_realloc(sc->y, (size_t)cap * im->nlm * sizeof *sc->y);
    sc->pp = pcm_realloc(sc->pp, (size_t)cap * im->nlm * sizeof *sc->pp);
    sc->ph = pcm_realloc(sc->ph, (size_t)cap * im->L * sizeof *sc->ph);
    sc->cap = cap;
}

static void scratch_free(ace_scratch *sc)
{
    free(sc->r), free(sc->rh), free(sc->mu), free(sc->q), free(sc->val), free(sc->dval);
    free(sc->y), free(sc->pp), free(sc->ph), free(sc->A), free(sc->GA), free(sc->W), free(sc->A1), free(sc->W1);
    free(sc->rho), free(sc->dF), free(sc->T1);
}

/* ------------------------------------------------------------------ embedding */

/* Φ(ρ; m) and dΦ/dρ (ML-PACE FexpShiftedScaled / Fexp). */
static void embed(int npoti, double rho, double m, double *F, double *dF)
{
    if (npoti == ACE_EMB_FS_SHIFTED_SCALED) {
        if (fabs(m - 1.0) < 1e-10) {
            *F = rho;
            *dF = 1;
            return;
        }
        double a = fabs(rho), ex = exp(-a), nx = 1. / m;
        double xoff = pow(nx, nx / (1.0 - nx)) * ex, yoff = pow(nx, 1 / (1.0 - nx)) * ex;
        double sg = signbit(rho) ? -1 : 1;
        *F = sg * (pow(xoff + a, m) - yoff);
        *dF = yoff + m * (-xoff + 1.0) * pow(xoff + a, m - 1.);
        return;
    }
    double w = 1.e6, lambda = pow(1.0 / w, m - 1.0);
    if (fabs(rho) > 1e-10) {
        double a = fabs(rho), am = pow(a, m), w3x3 = pow(w * a, 3), sg = signbit(rho) ? -1 : 1;
        double g = w3x3 > 30.0 ? 0.0 : exp(-w3x3);
        double omg = 1.0 - g;
        *F = sg * (omg * am + lambda * g * a);
        double dg = -3.0 * w * w * w * a * a * g;
        *dF = m * pow(a, m - 1.0) * omg - am * dg + lambda * dg * a + lambda * g;
    } else {
        *F = lambda * rho;
        *dF = lambda;
    }
}

/* ------------------------------------------------------------------ product tree */

/* Complex numbers as GCC/Clang 2-double vectors (SSE2 registers). */
typedef double v2d __attribute__((vector_size(16)));

static inline v2d cmul(v2d a, v2d b)
{
    return (v2d){a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]};
}

/* Forward pass, flat (no data-dependent branches): X[NA+k] = X[par]·A[a] for every
 * node (BFS order: parents first), then ρ_p += c_{t,p} Re(X[par_t]·A[a_t]) for every
 * term; for the first nterm_r terms A[a_t] is real (m = 0).  Two accumulators per
 * density shorten the add chains.  rho is zeroed by the caller.  Always inlined:
 * literal P values are specialised. */
#define XAT(base, off) (*(const v2d *)((base) + (off)))
#define GAT(base, off) (*(v2d *)((base) + (off)))

static inline __attribute__((always_inline)) double term_re(const v2d *X, int par, int a, int real)
{
    v2d x = X[par], y = X[a];
    return real ? x[0] * y[0] : x[0] * y[0] - x[1] * y[1];
}

static inline __attribute__((always_inline)) void terms_fwd(const ace_prog *pg, const v2d *restrict X, int t0,
                                                            int t1, int real, double *rho, int P)
{
    const int *restrict tm_par = pg->tm_par, *restrict tm_a = pg->tm_a;
    const double *restrict tc = pg->tm_c;
    if (P <= 2) {
        const struct ace_term *restrict tm = pg->tm;
        const char *xb = (const char *)X;
        double r0a = 0, r0b = 0, r1a = 0, r1b = 0;
        int t = t0;
        for (; t + 1 < t1; t += 2) {
            v2d x = XAT(xb, tm[t].par), a = XAT(xb, tm[t].a), y = XAT(xb, tm[t + 1].par), b = XAT(xb, tm[t + 1].a);
            double re = real ? x[0] * a[0] : x[0] * a[0] - x[1] * a[1];
            double rf = real ? y[0] * b[0] : y[0] * b[0] - y[1] * b[1];
            r0a += tm[t].c0 * re;
            r0b += tm[t + 1].c0 * rf;
            if (P == 2) {
                r1a += tm[t].c1 * re;
                r1b += tm[t + 1].c1 * rf;
            }
        }
        for (; t < t1; t++) {
            v2d x = XAT(xb, tm[t].par), a = XAT(xb, tm[t].a);
            double re = real ? x[0] * a[0] : x[0] * a[0] - x[1] * a[1];
            r0a += tm[t].c0 * re;
            r1a += tm[t].c1 * re;
        }
        rho[0] += r0a + r0b;
        if (P == 2)
            rho[1] += r1a + r1b;
    } else {
        for (int t = t0; t < t1; t++) {
            double re = term_re(X, tm_par[t], tm_a[t], real);
            for (int p = 0; p < P; p++)
                rho[p] += tc[(size_t)t * P + p] * re;
        }
    }
}

static inline __attribute__((always_inline)) void tree_forward(const ace_prog *pg, int NA, v2d *restrict X,
                                                               v2d *restrict G, double *rho, int P)
{
    const struct ace_node *restrict nd = pg->nd;
    const char *xb = (const char *)X;
    for (int k = 0; k < pg->nnode; k++) {
        X[NA + k] = cmul(XAT(xb, nd[k].par), XAT(xb, nd[k].a));
        G[NA + k] = (v2d){0, 0};
    }
    terms_fwd(pg, X, 0, pg->nterm_r, 1, rho, P);
    terms_fwd(pg, X, pg->nterm_r, pg->nterm, 0, rho, P);
}

/* Adjoint of terms t0..t1-1: G[par] += θ A[a], G[a] += θ X[par], θ = Σ_p dF_p c_p.
 * For a real A[a] only real parts matter (m = 0 enters Re(W·dA) with dA real). */
static inline __attribute__((always_inline)) void terms_bwd(const ace_prog *pg, const v2d *restrict X,
                                                            v2d *restrict G, int t0, int t1, int real,
                                                            const double *dF, int P)
{
    const int *restrict tm_par = pg->tm_par, *restrict tm_a = pg->tm_a;
    const double *restrict tc = pg->tm_c;
    double d0 = dF[0], d1 = P > 1 ? dF[1] : 0;
    if (P <= 2) {
        const struct ace_term *restrict tm = pg->tm;
        const char *xb = (const char *)X;
        char *gb = (char *)G;
        for (int t = t0; t < t1; t++) {
            double th = P == 1 ? d0 * tm[t].c0 : d0 * tm[t].c0 + d1 * tm[t].c1;
            uint32_t par = tm[t].par, ai = tm[t].a;
            if (real) {
                GAT(gb, par)[0] += th * XAT(xb, ai)[0];
                GAT(gb, ai)[0] += th * XAT(xb, par)[0];
            } else {
                v2d x = XAT(xb, par), a = XAT(xb, ai);
                GAT(gb, par) += th * a;
                GAT(gb, ai) += th * x;
            }
        }
        return;
    }
    for (int t = t0; t < t1; t++) {
        double th;
        if (P == 1)
            th = d0 * tc[t];
        else if (P == 2)
            th = d0 * tc[2 * t] + d1 * tc[2 * t + 1];
        else {
            th = 0;
            for (int p = 0; p < P; p++)
                th += dF[p] * tc[(size_t)t * P + p];
        }
        int par = tm_par[t], ai = tm_a[t];
        if (real) {
            G[par][0] += th * X[ai][0];
            G[ai][0] += th * X[par][0];
        } else {
            v2d x = X[par], a = X[ai];
            G[par] += th * a;
            G[ai] += th * x;
        }
    }
}

/* Reverse mode (push form, flat): G[g] = ∂E/∂X[g] (holomorphic) given dF_p = ∂E/∂ρ_p;
 * G[0..NA) is the derivative w.r.t. A and must be zero on entry (node entries are
 * zeroed by the forward pass). */
static inline __attribute__((always_inline)) void tree_backward(const ace_prog *pg, int NA, const v2d *restrict X,
                                                                v2d *restrict G, const double *dF, int P)
{
    terms_bwd(pg, X, G, 0, pg->nterm_r, 1, dF, P);
    terms_bwd(pg, X, G, pg->nterm_r, pg->nterm, 0, dF, P);
    const struct ace_node *restrict nd = pg->nd;
    const char *xb = (const char *)X;
    char *gb = (char *)G;
    for (int k = pg->nnode - 1; k >= 0; k--) {
        uint32_t par = nd[k].par, ai = nd[k].a;
        v2d gg = G[NA + k];
        GAT(gb, par) += cmul(gg, XAT(xb, ai));
        GAT(gb, ai) += cmul(gg, XAT(xb, par));
    }
}

/* ------------------------------------------------------------------ one atom */

/* Energy of atom i and ∂E_i/∂r_j into fij[q] for its pairs; per-atom virial into wv. */
#ifdef ACE_PROFILE /* phase timings (make CFLAGS=-DACE_PROFILE), printed at destroy */
#include <time.h>
static double tph[4], tph_n;
static double tnow(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
#define PROF(k, t0, t1) (t1 = tnow(), tph[k] += t1 - t0, tph_n += (k) == 3)
#else
#define tnow() 0.0
#define PROF(k, t0, t1) ((void)(t0), (void)(t1))
#endif

static int atom_compute(ace_impl *im, ace_scratch *sc, const pcm_system *s, const pcm_nlist *nl, int i,
                        double *Ei, double wv[6])
{
    const ace_basis *b = im->b;
    int nel = b->nelements, K = im->K, L = im->L, N = im->N, nlm = im->nlm, nf = im->nf;
    int mu_i = im->type_map[s->type[i]];
    const ace_prog *pg = &im->prog[mu_i];
    int q0 = nl->start[i], q1 = nl->start[i + 1];
    scratch_grow(im, sc, q1 - q0);
    double P0 = tnow(), P1, P2, P3, P4;
    int is_zbl = b->inner_type == ACE_INNER_ZBL;
    double dmin = b->cutoffmax;
    int jmin = -1, nn = 0;
    for (int q = q0; q < q1; q++) {
        int mu_j = im->type_map[s->type[nl->j[q]]];
        const double *d = nl->d[q];
        double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        im->fij[q][0] = im->fij[q][1] = im->fij[q][2] = 0;
        const ace_bond *bd = &b->bonds[mu_i * nel + mu_j];
        if (r >= bd->rcut)
            continue;
        if (is_zbl) {
            double dd = r - (bd->rcut_in - bd->dcut_in);
            if (dd < dmin) {
                dmin = dd;
                jmin = nn;
            }
        }
        /* prefetch this pair's spline bin (4·nf doubles, random access into a large table) */
        const ace_spline *sp = &b->splines[mu_i * nel + mu_j];
        int bin = (int)(r * sp->rscale);
        if (bin > 0 && bin < sp->nlut) {
            const char *row = (const char *)&sp->c[(size_t)bin * nf * 4];
            for (int o = 0; o < nf * 32; o += 64)
                __builtin_prefetch(row + o);
        }
        sc->r[nn] = r;
        sc->rh[nn][0] = d[0] / r;
        sc->rh[nn][1] = d[1] / r;
        sc->rh[nn][2] = d[2] / r;
        sc->mu[nn] = mu_j;
        sc->q[nn] = q;
        nn++;
    }
    memset(sc->A, 0, (size_t)im->NA * sizeof *sc->A);
    memset(sc->A1, 0, (size_t)nel * K * sizeof *sc->A1);
    double rho_core = 0;
    for (int k = 0; k < nn; k++) {
        int mu_j = sc->mu[k];
        double *val = &sc->val[(size_t)k * nf], *dval = &sc->dval[(size_t)k * nf];
        if (ace_spline_eval(&b->splines[mu_i * nel + mu_j], sc->r[k], val, dval) != 0) {
            sc->err_atom = i;
            sc->err_j = nl->j[sc->q[k]];
            return -1;
        }
        v2d *y = (v2d *)&sc->y[(size_t)k * nlm];
        double(*pp)[2] = &sc->pp[(size_t)k * nlm], (*ph)[2] = &sc->ph[(size_t)k * L];
        double pl[nlm], dpl[nlm];
        ace_ylm_parts(b->lmax, sc->rh[k], pl, dpl, ph);
        for (int l = 0, lm = 0; l < L; l++)
            for (int m = 0; m <= l; m++, lm++) {
                pp[lm][0] = pl[lm];
                pp[lm][1] = dpl[lm];
                y[lm] = pl[lm] * (v2d){ph[m][0], ph[m][1]};
            }
        for (int kk = 0; kk < K; kk++)
            sc->A1[mu_j * K + kk] += val[kk];
        const double *R = val + K;
        for (int n = 0; n < N; n++)
            for (int l = 0; l < L; l++) {
                double Rnl = R[n * L + l];
                v2d *A = (v2d *)sc->A[aidx(im, mu_j, n, l, 0)];
                const v2d *yl = &y[l * (l + 1) / 2];
                for (int m = 0; m <= l; m++)
                    A[m] += Rnl * yl[m];
            }
        rho_core += val[K + N * L];
    }
    PROF(0, P0, P1);
    /* A_l,-m = (-1)^m conj(A_lm) */
    for (int mu = 0; mu < nel; mu++)
        for (int n = 0; n < N; n++)
            for (int l = 1; l < L; l++) {
                double(*A)[2] = &sc->A[aidx(im, mu, n, l, 0)];
                for (int m = 1; m <= l; m++) {
                    double sg = (m & 1) ? -1.0 : 1.0;
                    A[-m][0] = sg * A[m][0];
                    A[-m][1] = -sg * A[m][1];
                }
            }
    /* densities */
    int P = pg->P;
    double *rho = sc->rho, *dF = sc->dF;
    for (int p = 0; p < P; p++)
        rho[p] = 0;
    for (int f = 0; f < pg->n1; f++)
        for (int p = 0; p < P; p++)
            rho[p] += pg->r1_c[f * P + p] * sc->A1[pg->r1_a[f]];
    v2d *X = (v2d *)sc->A, *GX = (v2d *)sc->GA;
    int NA = im->NA;
    if (P == 2)
        tree_forward(pg, NA, X, GX, rho, 2);
    else if (P == 1)
        tree_forward(pg, NA, X, GX, rho, 1);
    else
        tree_forward(pg, NA, X, GX, rho, P);
    PROF(1, P1, P2);
    /* embedding and core repulsion */
    const ace_embedding *em = &b->emb[mu_i];
    double F = 0;
    for (int p = 0; p < P; p++) {
        double Fp, dFp;
        embed(em->npoti, rho[p], em->fs[2 * p + 1], &Fp, &dFp);
        F += Fp * em->fs[2 * p];
        dF[p] = dFp * em->fs[2 * p];
    }
    double fcut, dfcut, E, dE_dcore, dE_dfcut = 0;
    if (is_zbl) {
        if (jmin >= 0) {
            const ace_bond *bd = &b->bonds[mu_i * nel + sc->mu[jmin]];
            ace_fc_poly(bd->dcut_in - dmin, bd->dcut_in, bd->dcut_in, &fcut, &dfcut);
            dfcut = -dfcut;
        } else {
            fcut = 1;
            dfcut = 0;
        }
        E = F * fcut + rho_core * (1 - fcut);
        dE_dcore = 1 - fcut;
        dE_dfcut = (F - rho_core) * dfcut;
    } else {
        double rc = em->rho_core_cut, drc = em->drho_core_cut;
        if (rho_core >= rc) {
            fcut = 0;
            dfcut = 0;
        } else if (rho_core <= rc - drc) {
            fcut = 1;
            dfcut = 0;
        } else
            ace_fc_poly(rho_core, rc, drc, &fcut, &dfcut);
        E = F * fcut + rho_core;
        dE_dcore = F * dfcut + 1;
    }
    *Ei = E + b->E0[mu_i];
    for (int p = 0; p < P; p++)
        dF[p] *= fcut;
    /* reverse pass */
    double(*GA)[2] = sc->GA;
    memset(GA, 0, (size_t)NA * sizeof *GA); /* node entries are written before they are read */
    memset(sc->W1, 0, (size_t)nel * K * sizeof *sc->W1);
    for (int f = 0; f < pg->n1; f++) {
        double th = 0;
        for (int p = 0; p < P; p++)
            th += dF[p] * pg->r1_c[f * P + p];
        sc->W1[pg->r1_a[f]] += th;
    }
    if (P == 2)
        tree_backward(pg, NA, X, GX, dF, 2);
    else if (P == 1)
        tree_backward(pg, NA, X, GX, dF, 1);
    else
        tree_backward(pg, NA, X, GX, dF, P);
    PROF(2, P2, P3);
    /* fold ±m into W[mu][n][lm] (m >= 0, lm = l(l+1)/2 + m) */
    v2d *W = (v2d *)sc->W;
    const v2d *GV = (const v2d *)GA;
    for (int mu = 0; mu < nel; mu++)
        for (int n = 0; n < N; n++) {
            v2d *w = &W[(size_t)(mu * N + n) * nlm];
            for (int l = 0; l < L; l++) {
                int a0 = aidx(im, mu, n, l, 0), lm0 = l * (l + 1) / 2;
                w[lm0] = GV[a0];
                for (int m = 1; m <= l; m++) {
                    double sg = (m & 1) ? -1.0 : 1.0;
                    w[lm0 + m] = GV[a0 + m] + (v2d){sg, -sg} * GV[a0 - m];
                }
            }
        }
    /* per-neighbour derivatives: T1_lm = Σ_n R'_nl W_nlm, T2_lm = Σ_n R_nl W_nlm,
     * ∂E/∂r_j = r̂ (Σ_k W1_k g'_k + Σ_lm Re T1 Y) + (1/r) Σ_lm Re T2 ∇Y + core terms */
    v2d *T1 = (v2d *)sc->T1, *T2 = T1 + nlm;
    for (int c = 0; c < 6; c++)
        wv[c] = 0;
    for (int k = 0; k < nn; k++) {
        int mu_j = sc->mu[k];
        const double *val = &sc->val[(size_t)k * nf], *dval = &sc->dval[(size_t)k * nf];
        const double(*y)[2] = &sc->y[(size_t)k * nlm];
        const double(*pp)[2] = &sc->pp[(size_t)k * nlm], (*ph)[2] = &sc->ph[(size_t)k * L];
        double rad = 0, ang[3] = {0, 0, 0}, inv_r = 1.0 / sc->r[k];
        const double *W1 = &sc->W1[mu_j * K];
        for (int kk = 0; kk < K; kk++)
            rad += W1[kk] * dval[kk];
        const double *R = val + K, *dR = dval + K;
        const v2d *w = &W[(size_t)mu_j * N * nlm];
        for (int lm = 0; lm < nlm; lm++)
            T1[lm] = T2[lm] = (v2d){0, 0};
        for (int n = 0; n < N; n++, w += nlm)
            for (int l = 0; l < L; l++) {
                double dRv = dR[n * L + l], Rv = R[n * L + l];
                for (int lm = l * (l + 1) / 2, e = lm + l; lm <= e; lm++) {
                    T1[lm] += dRv * w[lm];
                    T2[lm] += Rv * w[lm];
                }
            }
        /* Σ Re T2 g with g = (m ph_{m-1} P̄, i m ph_{m-1} P̄, ph_m dP̄), then projected */
        double gx = 0, gy = 0, gz = 0;
        for (int l = 0, lm = 0; l < L; l++)
            for (int m = 0; m <= l; m++, lm++) {
                rad += T1[lm][0] * y[lm][0] - T1[lm][1] * y[lm][1];
                double t2r = T2[lm][0], t2i = T2[lm][1];
                gz += pp[lm][1] * (t2r * ph[m][0] - t2i * ph[m][1]);
                if (m > 0) {
                    double pr = m * pp[lm][0] * ph[m - 1][0], pi = m * pp[lm][0] * ph[m - 1][1];
                    gx += t2r * pr - t2i * pi;
                    gy -= t2r * pi + t2i * pr;
                }
            }
        const double *rh = sc->rh[k];
        double rg = rh[0] * gx + rh[1] * gy + rh[2] * gz;
        ang[0] = gx - rg * rh[0];
        ang[1] = gy - rg * rh[1];
        ang[2] = gz - rg * rh[2];
        for (int c = 0; c < 3; c++)
            ang[c] *= inv_r;
        rad += dE_dcore * dval[K + N * L];
        if (k == jmin)
            rad += dE_dfcut;
        double *f = im->fij[sc->q[k]];
        for (int c = 0; c < 3; c++)
            f[c] = rad * sc->rh[k][c] + ang[c];
        const double *d = nl->d[sc->q[k]];
        wv[0] -= d[0] * f[0];
        wv[1] -= d[1] * f[1];
        wv[2] -= d[2] * f[2];
        wv[3] -= 0.5 * (d[1] * f[2] + d[2] * f[1]);
        wv[4] -= 0.5 * (d[0] * f[2] + d[2] * f[0]);
        wv[5] -= 0.5 * (d[0] * f[1] + d[1] * f[0]);
    }
    PROF(3, P3, P4);
    return 0;
}

/* ------------------------------------------------------------------ potential ops */

int ace_type_map(const ace_basis *b, const pcm_system *s, int *type_map, pcm_err *e)
{
    for (int t = 0; t < s->nspecies; t++) {
        type_map[t] = -1;
        for (int mu = 0; mu < b->nelements; mu++)
            if (strcmp(s->species[t], b->elements[mu]) == 0)
                type_map[t] = mu;
        if (type_map[t] < 0) {
            char list[PCM_MAX_SPECIES * 4 + 1] = "";
            for (int mu = 0; mu < b->nelements; mu++) {
                if (mu)
                    strcat(list, " ");
                strcat(list, b->elements[mu]);
            }
            return pcm_errf(e, b->path, 0, "%s not in potential (elements: %s)", s->species[t], list);
        }
    }
    return 0;
}

static int ace_bind(pcm_potential *p, const pcm_system *s, pcm_err *e)
{
    ace_impl *im = p->impl;
    return ace_type_map(im->b, s, im->type_map, e);
}

static void ensure_threads(ace_impl *im, int nth)
{
    if (nth <= im->nth)
        return;
    im->scr = pcm_realloc(im->scr, (size_t)nth * sizeof *im->scr);
    for (int t = im->nth; t < nth; t++) {
        memset(&im->scr[t], 0, sizeof im->scr[t]);
        scratch_init(im, &im->scr[t]);
    }
    im->nth = nth;
}

static int ace_compute(pcm_potential *p, pcm_system *s, const pcm_nlist *nl, pcm_err *e)
{
    ace_impl *im = p->impl;
    if (ace_type_map(im->b, s, im->type_map, e) != 0)
        return -1;
    if (nl->n != s->n || nl->rcut < p->rcut)
        return pcm_errf(e, p->path, 0, "neighbour list does not match the system or is shorter than rcut %.3f Å",
                        p->rcut);
    if (nl->npairs > im->fij_cap) {
        im->fij_cap = nl->npairs + nl->npairs / 4 + 16;
        free(im->fij);
        im->fij = pcm_malloc((size_t)im->fij_cap * sizeof *im->fij);
    }
    if (s->n > im->wv_cap) {
        im->wv_cap = s->n + s->n / 4 + 16;
        free(im->wv);
        im->wv = pcm_malloc((size_t)im->wv_cap * sizeof *im->wv);
    }
    int nth = p->nthreads > 0 ? p->nthreads : omp_get_max_threads();
    if (s->n < 32) /* tiny systems: waking threads costs more than the work (results are identical) */
        nth = 1;
    ensure_threads(im, nth);
    int fail = 0;
#pragma omp parallel num_threads(nth) reduction(| : fail)
    {
        ace_scratch *sc = &im->scr[omp_get_thread_num()];
        sc->err_atom = -1;
#pragma omp for schedule(dynamic, 8)
        for (int i = 0; i < s->n; i++) {
            if (sc->err_atom >= 0)
                continue;
            if (atom_compute(im, sc, s, nl, i, &s->pe[i], im->wv[i]) != 0)
                fail = 1;
        }
    }
    if (fail) {
        int ia = -1, ja = -1;
        for (int t = 0; t < nth; t++)
            if (im->scr[t].err_atom >= 0 && (ia < 0 || im->scr[t].err_atom < ia)) {
                ia = im->scr[t].err_atom;
                ja = im->scr[t].err_j;
            }
        return pcm_errf(e, p->path, 0, "atoms %d and %d are closer than the spline grid spacing (%g Å)", ia, ja,
                        im->b->delta_spline);
    }
    /* serial reduction in a fixed order */
    double etot = 0, w[6] = {0};
    for (int i = 0; i < s->n; i++)
        s->f[i][0] = s->f[i][1] = s->f[i][2] = 0;
    for (int i = 0; i < s->n; i++) {
        etot += s->pe[i];
        for (int c = 0; c < 6; c++)
            w[c] += im->wv[i][c];
        for (int q = nl->start[i]; q < nl->start[i + 1]; q++) {
            const double *f = im->fij[q];
            int j = nl->j[q];
            for (int c = 0; c < 3; c++) {
                s->f[i][c] += f[c];
                s->f[j][c] -= f[c];
            }
        }
    }
    s->energy = etot;
    memcpy(s->virial, w, sizeof w);
    return 0;
}

static void ace_destroy(pcm_potential *p)
{
#ifdef ACE_PROFILE
    fprintf(stderr, "ace phases (µs/atom): A %.2f forward %.2f backward %.2f forces %.2f\n", 1e6 * tph[0] / tph_n,
            1e6 * tph[1] / tph_n, 1e6 * tph[2] / tph_n, 1e6 * tph[3] / tph_n);
#endif
    ace_impl *im = p->impl;
    if (!im)
        return;
    for (int t = 0; t < im->nth; t++)
        scratch_free(&im->scr[t]);
    free(im->scr);
    for (int mu = 0; mu < im->b->nelements; mu++)
        ace_prog_free(&im->prog[mu]);
    ace_basis_free(im->b);
    free(im->fij);
    free(im->wv);
    free(im);
}

static const pcm_potential_ops ace_ops = {"ace", ace_bind, ace_compute, ace_destroy};

pcm_potential *ace_potential_load(const char *path, pcm_err *e)
{
    ace_basis *b = ace_basis_load(path, e);
    if (!b)
        return NULL;
    ace_impl *im = pcm_calloc(1, sizeof *im);
    im->b = b;
    im->K = b->nradbase;
    im->L = b->lmax + 1;
    im->N = b->nradmax > 0 ? b->nradmax : 1;
    im->NA = b->nelements * im->N * im->L * im->L;
    im->nlm = im->L * (im->L + 1) / 2;
    im->nf = ace_nf(b);
    for (int mu = 0; mu < b->nelements; mu++)
        ace_prog_build(b, mu, &im->prog[mu]);
#ifdef ACE_PROFILE
    for (int mu = 0; mu < b->nelements; mu++)
            fprintf(stderr, "ace: species %s: %d rank-1, %d product nodes, %d terms (%d with a real factor)\n",
                b->elements[mu], im->prog[mu].n1, im->prog[mu].nnode, im->prog[mu].nterm, im->prog[mu].nterm_r);
#endif
    pcm_potential *p = pcm_calloc(1, sizeof *p);
    p->ops = &ace_ops;
    p->impl = im;
    p->path = pcm_strdup(path);
    p->rcut = b->cutoffmax;
    p->nelements = b->nelements;
    for (int mu = 0; mu < b->nelements; mu++)
        snprintf(p->elements[mu], sizeof p->elements[mu], "%s", b->elements[mu]);
    return p;
}

