/* ace_kernels.h - the per-pair and per-atom ACE work, written once for the host compiler
 * (src/ace.c, the CPU evaluator) and nvcc (src/ace_cuda.cu, the GPU kernels), so that
 * the CPU test suite runs the very arithmetic the kernels run.
 *
 * Equations: ace.c's header and ../shared/ace-reference/YACE_FORMAT.md (§2 radial,
 * §3 Ylm, §4 products, embedding and core repulsion, §6 splines).
 *
 * Stages (all double precision):
 *   per pair  ace_k_spline_eval   Hermite table: g_k, R_nl, core repulsion and d/dr
 *             ace_k_ylm_pair      P̄_lm(z), dP̄/dz, (x+iy)^m, Y_lm
 *             ace_k_accum_A       A1 += g, A_nlm += R_nl Y_lm (gathered per centre atom)
 *   per atom  ace_k_A_negm        A_l,-m = (-1)^m conj A_lm
 *             ace_k_atom_embed    ρ_p (rank 1 + product DAG), F(ρ), core cut, adjoint
 *                                 pass → W1 (rank 1) and W (folded ±m) = ∂E_i/∂A
 *   per pair  ace_k_pair_force    ∂E_i/∂r_j from W, W1 and the pair's radial/angular parts
 *
 * Complex numbers: a 2-double GCC vector on the host (SSE2 registers; what the CPU
 * evaluator was tuned with), a 16-byte aligned struct with the same operators under
 * nvcc.  Both are element-wise IEEE double arithmetic; nvcc contracts a*b+c into FMAs by
 * default, so GPU results agree with the CPU to rounding, not bit for bit.
 */
#ifndef PCM_ACE_KERNELS_H
#define PCM_ACE_KERNELS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __CUDACC__
#define PCM_HD __host__ __device__
#define PCM_FINLINE __forceinline__
#define PCM_RESTRICT __restrict__
#else
#define PCM_HD
#define PCM_FINLINE inline __attribute__((always_inline))
#define PCM_RESTRICT restrict
#endif

#define ACE_K_LMAX 20 /* largest lmax the Ylm coefficient tables hold */

/* ------------------------------------------------------------------ complex */
#ifdef __CUDACC__
struct __align__(16) ace_c2 {
    double v[2];
    PCM_HD double &operator[](int i) { return v[i]; }
    PCM_HD const double &operator[](int i) const { return v[i]; }
    PCM_HD ace_c2 &operator+=(const ace_c2 &o)
    {
        v[0] += o.v[0];
        v[1] += o.v[1];
        return *this;
    }
};
static PCM_HD inline ace_c2 operator*(double s, const ace_c2 &a)
{
    ace_c2 r;
    r.v[0] = s * a.v[0];
    r.v[1] = s * a.v[1];
    return r;
}
static PCM_HD inline ace_c2 operator*(const ace_c2 &a, const ace_c2 &b) /* element-wise, as GCC vectors */
{
    ace_c2 r;
    r.v[0] = a.v[0] * b.v[0];
    r.v[1] = a.v[1] * b.v[1];
    return r;
}
static PCM_HD inline ace_c2 operator+(const ace_c2 &a, const ace_c2 &b)
{
    ace_c2 r;
    r.v[0] = a.v[0] + b.v[0];
    r.v[1] = a.v[1] + b.v[1];
    return r;
}
typedef ace_c2 ace_c2_t;
#else
typedef double ace_c2_t __attribute__((vector_size(16)));
#endif

static PCM_HD inline ace_c2_t ace_c2_make(double re, double im)
{
#ifdef __CUDACC__
    ace_c2_t r;
    r.v[0] = re;
    r.v[1] = im;
    return r;
#else
    return (ace_c2_t){re, im};
#endif
}

static PCM_HD inline ace_c2_t ace_cmul(ace_c2_t a, ace_c2_t b)
{
    return ace_c2_make(a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]);
}

/* ------------------------------------------------------------------ program views */
/* Packed product-DAG entries (byte offsets into X/G, built by ace_dag.c). */
struct ace_term {
    uint32_t par, a;
    double c0, c1;
};
struct ace_node {
    uint32_t par, a;
};

/* What the per-atom stage needs of one species' ace_prog (host or device pointers). */
typedef struct ace_kprog {
    int P, n1, nnode, nterm, nterm_r;
    const int *r1_a;        /* [n1] */
    const double *r1_c;     /* [n1][P] */
    const struct ace_node *nd; /* [nnode] */
    const struct ace_term *tm; /* [nterm] (P <= 2) */
    const int *tm_par, *tm_a;  /* [nterm] (P > 2) */
    const double *tm_c;        /* [nterm][P] (P > 2) */
} ace_kprog;

/* Ylm recursion coefficients (ace_ylm.c fills them once). */
typedef struct ace_ylm_coef {
    double alm[ACE_K_LMAX + 1][ACE_K_LMAX + 1], blm[ACE_K_LMAX + 1][ACE_K_LMAX + 1];
    double cl[ACE_K_LMAX + 1], dl[ACE_K_LMAX + 1];
} ace_ylm_coef;

/* Embedding and core-repulsion parameters of one centre species. */
typedef struct ace_kemb {
    int npoti;              /* ACE_EMB_* */
    double fs[2 * 8];       /* (w_p, m_p), P <= 8 */
    double rho_core_cut, drho_core_cut;
} ace_kemb;

/* ------------------------------------------------------------------ scalar pieces */

/* Polynomial switch (YACE_FORMAT §2): 1 for r <= r_in-Δ, 0 for r >= r_in. */
static PCM_HD inline void ace_k_fc_poly(double r, double r_in, double delta, double *fc, double *dfc)
{
    if (r <= r_in - delta) {
        *fc = 1;
        *dfc = 0;
    } else if (r >= r_in) {
        *fc = 0;
        *dfc = 0;
    } else {
        double x = 1 - 2 * (1 + (r - r_in) / delta);
        double x2 = x * x;
        *fc = 0.5 + 7.5 / 2. * (x / 4. - x2 * x / 6. + x2 * x2 * x / 20.);
        *dfc = -7.5 / delta * (0.25 - x2 / 2.0 + x2 * x2 / 4.);
    }
}

/* Φ(ρ; m) and dΦ/dρ (ML-PACE FexpShiftedScaled (npoti 0) / Fexp (npoti 1)). */
static PCM_HD inline void ace_k_embed(int npoti, double rho, double m, double *F, double *dF)
{
    if (npoti == 0) {
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

/* ------------------------------------------------------------------ per pair */

/* Hermite table c[(nlut+1)][4][nf] at r (Å): val[nf], dval[nf] (d/dr); 0 at and beyond the
 * last bin; -1 when r is in bin 0 (r < Δ, refused as ML-PACE does). */
static PCM_HD inline int ace_k_spline_eval(const double *PCM_RESTRICT c, int nlut, double rscale, int nf, double r,
                                           double *PCM_RESTRICT val, double *PCM_RESTRICT dval)
{
    double x = r * rscale;
    int nl = (int)floor(x);
    if (nl <= 0)
        return -1;
    if (nl >= nlut) {
        for (int f = 0; f < nf; f++)
            val[f] = dval[f] = 0;
        return 0;
    }
    double w = x - (double)nl, w2 = w * w, w3 = w2 * w, s = rscale;
    const double *PCM_RESTRICT c0 = &c[(size_t)nl * nf * 4], *PCM_RESTRICT c1 = c0 + nf, *PCM_RESTRICT c2 = c1 + nf,
                                   *PCM_RESTRICT c3 = c2 + nf;
    for (int f = 0; f < nf; f++) { /* coefficient-major bins: vectorises across functions */
        val[f] = c0[f] + c1[f] * w + c2[f] * w2 + c3[f] * w3;
        dval[f] = (c1[f] + 2.0 * c2[f] * w + 3.0 * c3[f] * w2) * s;
    }
    return 0;
}

#define ACE_K_LM(l, m) ((l) * ((l) + 1) / 2 + (m))

/* Y_lm = (x+iy)^m P̄(l,m)(z) factors at the unit vector rh: pp[lm] = (P̄, dP̄/dz),
 * ph[m] = (x+iy)^m, m = 0..lmax (lmax <= ACE_K_LMAX). */
static PCM_HD inline void ace_k_ylm_parts(const ace_ylm_coef *PCM_RESTRICT cf, int lmax, const double rh[3],
                                          double (*PCM_RESTRICT pp)[2], double (*PCM_RESTRICT ph)[2])
{
    double x = rh[0], yy = rh[1], z = rh[2];
    pp[0][0] = 1;
    pp[0][1] = 0;
    if (lmax > 0) {
        pp[ACE_K_LM(1, 0)][0] = sqrt(3.0) * z;
        pp[ACE_K_LM(1, 0)][1] = sqrt(3.0);
        pp[ACE_K_LM(1, 1)][0] = -sqrt(1.5);
        pp[ACE_K_LM(1, 1)][1] = 0;
        for (int l = 2; l <= lmax; l++) {
            for (int m = 0; m < l - 1; m++) {
                double a = cf->alm[l][m], bb = cf->blm[l][m];
                const double *p1 = pp[ACE_K_LM(l - 1, m)], *p2 = pp[ACE_K_LM(l - 2, m)];
                pp[ACE_K_LM(l, m)][0] = a * (z * p1[0] + bb * p2[0]);
                pp[ACE_K_LM(l, m)][1] = a * (p1[0] + z * p1[1] + bb * p2[1]);
            }
            double t = cf->dl[l] * pp[ACE_K_LM(l - 1, l - 1)][0];
            pp[ACE_K_LM(l, l - 1)][0] = t * z;
            pp[ACE_K_LM(l, l - 1)][1] = t;
            pp[ACE_K_LM(l, l)][0] = cf->cl[l] * pp[ACE_K_LM(l - 1, l - 1)][0];
            pp[ACE_K_LM(l, l)][1] = 0;
        }
    }
    ph[0][0] = 1;
    ph[0][1] = 0;
    for (int m = 1; m <= lmax; m++) {
        ph[m][0] = ph[m - 1][0] * x - ph[m - 1][1] * yy;
        ph[m][1] = ph[m - 1][0] * yy + ph[m - 1][1] * x;
    }
}

/* One pair's angular part: pp, ph as above and y[lm] = P̄ (x+iy)^m (m >= 0). */
static PCM_HD inline void ace_k_ylm_pair(const ace_ylm_coef *cf, int lmax, const double rh[3], double (*pp)[2],
                                         double (*ph)[2], ace_c2_t *PCM_RESTRICT y)
{
    ace_k_ylm_parts(cf, lmax, rh, pp, ph);
    for (int l = 0, lm = 0; l <= lmax; l++)
        for (int m = 0; m <= l; m++, lm++)
            y[lm] = pp[lm][0] * ace_c2_make(ph[m][0], ph[m][1]);
}

/* Add one neighbour of species mu_j to the centre's A1 and A: A1mu = &A1[mu_j*K],
 * Amu = &A[aidx(mu_j, 0, 0, 0)] (m >= 0 entries only; layout n*L*L + l*l + l + m). */
static PCM_HD inline void ace_k_accum_A(int K, int N, int L, const double *PCM_RESTRICT val,
                                        const ace_c2_t *PCM_RESTRICT y, double *PCM_RESTRICT A1mu,
                                        ace_c2_t *PCM_RESTRICT Amu)
{
    for (int kk = 0; kk < K; kk++)
        A1mu[kk] += val[kk];
    const double *R = val + K;
    for (int n = 0; n < N; n++)
        for (int l = 0; l < L; l++) {
            double Rnl = R[n * L + l];
            ace_c2_t *A = &Amu[n * L * L + l * l + l];
            const ace_c2_t *yl = &y[l * (l + 1) / 2];
            for (int m = 0; m <= l; m++)
                A[m] += Rnl * yl[m];
        }
}

/* ------------------------------------------------------------------ per atom */

/* A_l,-m = (-1)^m conj(A_lm) for all nel·N blocks of L² entries. */
static PCM_HD inline void ace_k_A_negm(int nel, int N, int L, ace_c2_t *A)
{
    for (int mu = 0; mu < nel; mu++)
        for (int n = 0; n < N; n++)
            for (int l = 1; l < L; l++) {
                ace_c2_t *Al = &A[(mu * N + n) * L * L + l * l + l];
                for (int m = 1; m <= l; m++) {
                    double sg = (m & 1) ? -1.0 : 1.0;
                    Al[-m][0] = sg * Al[m][0];
                    Al[-m][1] = -sg * Al[m][1];
                }
            }
}

#define ACE_XAT(base, off) (*(const ace_c2_t *)((base) + (off)))
#define ACE_GAT(base, off) (*(ace_c2_t *)((base) + (off)))

/* Forward pass over terms t0..t1-1 (flat, no data-dependent branches); for real = 1 the
 * last factor is real (m = 0).  Two accumulators per density shorten the add chains. */
static PCM_HD PCM_FINLINE void ace_k_terms_fwd(const ace_kprog *pg, const ace_c2_t *PCM_RESTRICT X, int t0,
                                                       int t1, int real, double *rho, int P)
{
    if (P <= 2) {
        const struct ace_term *PCM_RESTRICT tm = pg->tm;
        const char *xb = (const char *)X;
        double r0a = 0, r0b = 0, r1a = 0, r1b = 0;
        int t = t0;
        for (; t + 1 < t1; t += 2) {
            ace_c2_t x = ACE_XAT(xb, tm[t].par), a = ACE_XAT(xb, tm[t].a), y = ACE_XAT(xb, tm[t + 1].par),
                     b = ACE_XAT(xb, tm[t + 1].a);
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
            ace_c2_t x = ACE_XAT(xb, tm[t].par), a = ACE_XAT(xb, tm[t].a);
            double re = real ? x[0] * a[0] : x[0] * a[0] - x[1] * a[1];
            r0a += tm[t].c0 * re;
            r1a += tm[t].c1 * re;
        }
        rho[0] += r0a + r0b;
        if (P == 2)
            rho[1] += r1a + r1b;
    } else {
        for (int t = t0; t < t1; t++) {
            ace_c2_t x = X[pg->tm_par[t]], y = X[pg->tm_a[t]];
            double re = real ? x[0] * y[0] : x[0] * y[0] - x[1] * y[1];
            for (int p = 0; p < P; p++)
                rho[p] += pg->tm_c[(size_t)t * P + p] * re;
        }
    }
}

/* X[NA+k] = X[par]·A[a] for every node (BFS order: parents first), G of nodes zeroed,
 * then ρ_p += c_{t,p} Re(X[par_t]·A[a_t]) for every term.  rho zeroed by the caller. */
static PCM_HD PCM_FINLINE void ace_k_tree_forward(const ace_kprog *pg, int NA, ace_c2_t *PCM_RESTRICT X,
                                                          ace_c2_t *PCM_RESTRICT G, double *rho, int P)
{
    const struct ace_node *PCM_RESTRICT nd = pg->nd;
    const char *xb = (const char *)X;
    for (int k = 0; k < pg->nnode; k++) {
        X[NA + k] = ace_cmul(ACE_XAT(xb, nd[k].par), ACE_XAT(xb, nd[k].a));
        G[NA + k] = ace_c2_make(0, 0);
    }
    ace_k_terms_fwd(pg, X, 0, pg->nterm_r, 1, rho, P);
    ace_k_terms_fwd(pg, X, pg->nterm_r, pg->nterm, 0, rho, P);
}

/* Adjoint of terms t0..t1-1: G[par] += θ A[a], G[a] += θ X[par], θ = Σ_p dF_p c_p.
 * For a real A[a] only real parts matter (m = 0 enters Re(W·dA) with dA real). */
static PCM_HD PCM_FINLINE void ace_k_terms_bwd(const ace_kprog *pg, const ace_c2_t *PCM_RESTRICT X,
                                                       ace_c2_t *PCM_RESTRICT G, int t0, int t1, int real,
                                                       const double *dF, int P)
{
    double d0 = dF[0], d1 = P > 1 ? dF[1] : 0;
    if (P <= 2) {
        const struct ace_term *PCM_RESTRICT tm = pg->tm;
        const char *xb = (const char *)X;
        char *gb = (char *)G;
        for (int t = t0; t < t1; t++) {
            double th = P == 1 ? d0 * tm[t].c0 : d0 * tm[t].c0 + d1 * tm[t].c1;
            uint32_t par = tm[t].par, ai = tm[t].a;
            if (real) {
                ACE_GAT(gb, par)[0] += th * ACE_XAT(xb, ai)[0];
                ACE_GAT(gb, ai)[0] += th * ACE_XAT(xb, par)[0];
            } else {
                ace_c2_t x = ACE_XAT(xb, par), a = ACE_XAT(xb, ai);
                ACE_GAT(gb, par) += th * a;
                ACE_GAT(gb, ai) += th * x;
            }
        }
        return;
    }
    for (int t = t0; t < t1; t++) {
        double th = 0;
        for (int p = 0; p < P; p++)
            th += dF[p] * pg->tm_c[(size_t)t * P + p];
        int par = pg->tm_par[t], ai = pg->tm_a[t];
        if (real) {
            G[par][0] += th * X[ai][0];
            G[ai][0] += th * X[par][0];
        } else {
            ace_c2_t x = X[par], a = X[ai];
            G[par] += th * a;
            G[ai] += th * x;
        }
    }
}

/* Reverse mode (push form): G = ∂E/∂X (holomorphic) given dF_p = ∂E/∂ρ_p; G[0..NA) must
 * be zero on entry (node entries were zeroed by the forward pass). */
static PCM_HD PCM_FINLINE void ace_k_tree_backward(const ace_kprog *pg, int NA, const ace_c2_t *PCM_RESTRICT X,
                                                           ace_c2_t *PCM_RESTRICT G, const double *dF, int P)
{
    ace_k_terms_bwd(pg, X, G, 0, pg->nterm_r, 1, dF, P);
    ace_k_terms_bwd(pg, X, G, pg->nterm_r, pg->nterm, 0, dF, P);
    const struct ace_node *PCM_RESTRICT nd = pg->nd;
    const char *xb = (const char *)X;
    char *gb = (char *)G;
    for (int k = pg->nnode - 1; k >= 0; k--) {
        uint32_t par = nd[k].par, ai = nd[k].a;
        ace_c2_t gg = G[NA + k];
        ACE_GAT(gb, par) += ace_cmul(gg, ACE_XAT(xb, ai));
        ACE_GAT(gb, ai) += ace_cmul(gg, ACE_XAT(xb, par));
    }
}

/* Inputs and outputs of the per-atom stage besides the arrays. */
typedef struct ace_katom {
    /* in */
    int is_zbl, has_jmin;   /* zbl: a pair inside r_in exists (jmin) */
    double zbl_dcut_in, dmin; /* zbl: Δ_in of pair jmin and its r - (r_in - Δ_in), Å */
    double rho_core;        /* Σ_j core repulsion, eV */
    /* out */
    double E;               /* E_i without E0, eV */
    double dE_dcore;        /* ∂E_i/∂ρ_core */
    double dE_dfcut;        /* zbl: ∂E_i/∂r of pair jmin (eV/Å) */
} ace_katom;

/* Densities, embedding, core cut and adjoint of one atom.  X = [A (NA, ±m filled) | nodes],
 * G same size; A1[nel*K].  Outputs: W1[nel*K] = ∂E/∂A1, W[nel*N*nlm] = ∂E/∂A folded over ±m
 * (W_lm = G_lm + (-1)^m conj G_l,-m, lm = l(l+1)/2 + m), rho[P], dF[P] scratch. */
static PCM_HD inline void ace_k_atom_embed(const ace_kprog *pg, const ace_kemb *em, int nel, int K, int N, int L,
                                           ace_c2_t *X, ace_c2_t *G, const double *A1, double *W1, ace_c2_t *W,
                                           double *rho, double *dF, ace_katom *at)
{
    int P = pg->P, NA = nel * N * L * L, nlm = L * (L + 1) / 2;
    for (int p = 0; p < P; p++)
        rho[p] = 0;
    for (int f = 0; f < pg->n1; f++)
        for (int p = 0; p < P; p++)
            rho[p] += pg->r1_c[f * P + p] * A1[pg->r1_a[f]];
    if (P == 2)
        ace_k_tree_forward(pg, NA, X, G, rho, 2);
    else if (P == 1)
        ace_k_tree_forward(pg, NA, X, G, rho, 1);
    else
        ace_k_tree_forward(pg, NA, X, G, rho, P);
    double F = 0;
    for (int p = 0; p < P; p++) {
        double Fp, dFp;
        ace_k_embed(em->npoti, rho[p], em->fs[2 * p + 1], &Fp, &dFp);
        F += Fp * em->fs[2 * p];
        dF[p] = dFp * em->fs[2 * p];
    }
    double fcut, dfcut, rho_core = at->rho_core;
    at->dE_dfcut = 0;
    if (at->is_zbl) {
        if (at->has_jmin) {
            ace_k_fc_poly(at->zbl_dcut_in - at->dmin, at->zbl_dcut_in, at->zbl_dcut_in, &fcut, &dfcut);
            dfcut = -dfcut;
        } else {
            fcut = 1;
            dfcut = 0;
        }
        at->E = F * fcut + rho_core * (1 - fcut);
        at->dE_dcore = 1 - fcut;
        at->dE_dfcut = (F - rho_core) * dfcut;
    } else {
        double rc = em->rho_core_cut, drc = em->drho_core_cut;
        if (rho_core >= rc) {
            fcut = 0;
            dfcut = 0;
        } else if (rho_core <= rc - drc) {
            fcut = 1;
            dfcut = 0;
        } else
            ace_k_fc_poly(rho_core, rc, drc, &fcut, &dfcut);
        at->E = F * fcut + rho_core;
        at->dE_dcore = F * dfcut + 1;
    }
    for (int p = 0; p < P; p++)
        dF[p] *= fcut;
    /* reverse pass */
    for (int a = 0; a < NA; a++) /* node entries are written before they are read */
        G[a] = ace_c2_make(0, 0);
    for (int a = 0; a < nel * K; a++)
        W1[a] = 0;
    for (int f = 0; f < pg->n1; f++) {
        double th = 0;
        for (int p = 0; p < P; p++)
            th += dF[p] * pg->r1_c[f * P + p];
        W1[pg->r1_a[f]] += th;
    }
    if (P == 2)
        ace_k_tree_backward(pg, NA, X, G, dF, 2);
    else if (P == 1)
        ace_k_tree_backward(pg, NA, X, G, dF, 1);
    else
        ace_k_tree_backward(pg, NA, X, G, dF, P);
    /* fold ±m into W[mu][n][lm] */
    for (int mu = 0; mu < nel; mu++)
        for (int n = 0; n < N; n++) {
            ace_c2_t *w = &W[(size_t)(mu * N + n) * nlm];
            for (int l = 0; l < L; l++) {
                int a0 = (mu * N + n) * L * L + l * l + l, lm0 = l * (l + 1) / 2;
                w[lm0] = G[a0];
                for (int m = 1; m <= l; m++) {
                    double sg = (m & 1) ? -1.0 : 1.0;
                    w[lm0 + m] = G[a0 + m] + ace_c2_make(sg, -sg) * G[a0 - m];
                }
            }
        }
}

/* ∂E_i/∂r_j of one pair (r Å, unit vector rh, species block W1mu = &W1[mu_j*K],
 * Wmu = &W[mu_j*N*nlm]): T1_lm = Σ_n R'_nl W_nlm, T2_lm = Σ_n R_nl W_nlm,
 *   f = r̂ (Σ_k W1_k g'_k + Σ_lm Re T1 Y + ∂E/∂ρ_core cr' [+ ∂E/∂fcut]) + (1/r) Σ_lm Re T2 ∇Y
 * with ∇Y = (m ph_{m-1} P̄, i m ph_{m-1} P̄, ph_m dP̄) projected transverse.  T[2*nlm] scratch. */
static PCM_HD inline void ace_k_pair_force(int K, int N, int L, const double *PCM_RESTRICT val,
                                           const double *PCM_RESTRICT dval, const ace_c2_t *PCM_RESTRICT y,
                                           const double (*PCM_RESTRICT pp)[2], const double (*PCM_RESTRICT ph)[2],
                                           const double rh[3], double r, const double *PCM_RESTRICT W1mu,
                                           const ace_c2_t *PCM_RESTRICT Wmu, double dE_dcore, int is_jmin,
                                           double dE_dfcut, ace_c2_t *PCM_RESTRICT T, double f[3])
{
    int nlm = L * (L + 1) / 2;
    ace_c2_t *T1 = T, *T2 = T + nlm;
    double rad = 0, ang[3], inv_r = 1.0 / r;
    for (int kk = 0; kk < K; kk++)
        rad += W1mu[kk] * dval[kk];
    const double *R = val + K, *dR = dval + K;
    const ace_c2_t *w = Wmu;
    for (int lm = 0; lm < nlm; lm++)
        T1[lm] = T2[lm] = ace_c2_make(0, 0);
    for (int n = 0; n < N; n++, w += nlm)
        for (int l = 0; l < L; l++) {
            double dRv = dR[n * L + l], Rv = R[n * L + l];
            for (int lm = l * (l + 1) / 2, e = lm + l; lm <= e; lm++) {
                T1[lm] += dRv * w[lm];
                T2[lm] += Rv * w[lm];
            }
        }
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
    double rg = rh[0] * gx + rh[1] * gy + rh[2] * gz;
    ang[0] = gx - rg * rh[0];
    ang[1] = gy - rg * rh[1];
    ang[2] = gz - rg * rh[2];
    for (int c = 0; c < 3; c++)
        ang[c] *= inv_r;
    rad += dE_dcore * dval[K + N * L];
    if (is_jmin)
        rad += dE_dfcut;
    for (int c = 0; c < 3; c++)
        f[c] = rad * rh[c] + ang[c];
}

/* Virial contribution of one pair (displacement d, ∂E_i/∂r_j f), LAMMPS sign, Voigt. */
static PCM_HD inline void ace_k_pair_virial(const double d[3], const double f[3], double wv[6])
{
    wv[0] -= d[0] * f[0];
    wv[1] -= d[1] * f[1];
    wv[2] -= d[2] * f[2];
    wv[3] -= 0.5 * (d[1] * f[2] + d[2] * f[1]);
    wv[4] -= 0.5 * (d[0] * f[2] + d[2] * f[0]);
    wv[5] -= 0.5 * (d[0] * f[1] + d[1] * f[0]);
}

/* ------------------------------------------------------------------ the device pipeline
 * The bodies of the GPU kernels (ace_cuda.cu), one call per pair or atom, so that the CPU
 * test suite can run the whole device data flow on host arrays (tests/test_gpu.c). */

/* Species-pair parameters. */
typedef struct ace_kbond {
    int nlut;
    double rscale, rcut, rcut_in, dcut_in; /* 1/Å, Å */
    size_t off;                            /* into the concatenated spline tables (doubles) */
} ace_kbond;

/* Everything the kernels need (device pointers on the GPU, host pointers in tests). */
typedef struct ace_kparams {
    int nel, K, N, L, nlm, nf, lmax, NA, maxnode, P, is_zbl;
    const ace_kbond *bond;       /* [nel*nel] */
    const double *tab;           /* concatenated Hermite tables */
    const ace_kprog *prog;       /* [nel] */
    const ace_kemb *emb;         /* [nel] */
    const double *E0;            /* [nel] eV */
    const ace_ylm_coef *ylm;
    double cutoffmax;            /* Å */
    /* per-atom scratch (doubles; segments of even length keep complex entries 16-byte aligned) */
    size_t a_stride, a_X, a_G, a_W, a_W1, a_A1, a_rho, a_dF, a_val, a_dval, a_pp, a_ph, a_y;
    /* per-pair-thread scratch */
    size_t p_stride, p_val, p_dval, p_pp, p_ph, p_y, p_T;
} ace_kparams;

static inline size_t ace_k_seg(size_t *off, size_t ndouble)
{
    size_t o = *off;
    *off += (ndouble + 1) & ~(size_t)1;
    return o;
}

/* Scratch layout from the sizes in kp. */
static inline void ace_k_layout(ace_kparams *kp)
{
    size_t o = 0, XG = 2 * (size_t)(kp->NA + kp->maxnode);
    kp->a_X = ace_k_seg(&o, XG);
    kp->a_G = ace_k_seg(&o, XG);
    kp->a_W = ace_k_seg(&o, 2 * (size_t)kp->nel * kp->N * kp->nlm);
    kp->a_W1 = ace_k_seg(&o, (size_t)kp->nel * kp->K);
    kp->a_A1 = ace_k_seg(&o, (size_t)kp->nel * kp->K);
    kp->a_rho = ace_k_seg(&o, kp->P);
    kp->a_dF = ace_k_seg(&o, kp->P);
    kp->a_val = ace_k_seg(&o, kp->nf);
    kp->a_dval = ace_k_seg(&o, kp->nf);
    kp->a_pp = ace_k_seg(&o, 2 * (size_t)kp->nlm);
    kp->a_ph = ace_k_seg(&o, 2 * (size_t)kp->L);
    kp->a_y = ace_k_seg(&o, 2 * (size_t)kp->nlm);
    kp->a_stride = o;
    o = 0;
    kp->p_val = ace_k_seg(&o, kp->nf);
    kp->p_dval = ace_k_seg(&o, kp->nf);
    kp->p_pp = ace_k_seg(&o, 2 * (size_t)kp->nlm);
    kp->p_ph = ace_k_seg(&o, 2 * (size_t)kp->L);
    kp->p_y = ace_k_seg(&o, 2 * (size_t)kp->nlm);
    kp->p_T = ace_k_seg(&o, 4 * (size_t)kp->nlm);
    kp->p_stride = o;
}

/* Pair q's displacement d = x_j + S·H - x_i (Å); h = cell rows. */
static PCM_HD inline void ace_k_geom(long q, const int *jj, const int *shift, const int *ii, const double *x,
                                     const double *h, double *d)
{
    int i = ii[q], j = jj[q];
    const int *S = &shift[3 * q];
    for (int k = 0; k < 3; k++)
        d[3 * q + k] = x[3 * j + k] + S[0] * h[0 * 3 + k] + S[1] * h[1 * 3 + k] + S[2] * h[2 * 3 + k] - x[3 * i + k];
}

/* One pair's radial and angular parts; 0, or -1 when r is below the grid. */
static PCM_HD inline int ace_k_pair_basis(const ace_kparams *kp, int mu_i, int mu_j, double r, const double rh[3],
                                          double *val, double *dval, double (*pp)[2], double (*ph)[2], ace_c2_t *y)
{
    const ace_kbond *bd = &kp->bond[mu_i * kp->nel + mu_j];
    if (ace_k_spline_eval(kp->tab + bd->off, bd->nlut, bd->rscale, kp->nf, r, val, dval) != 0)
        return -1;
    ace_k_ylm_pair(kp->ylm, kp->lmax, rh, pp, ph, y);
    return 0;
}

/* Atom i of the chunk starting at a0: gather its pairs (spline, Ylm, A), products,
 * embedding, adjoint.  W, W1 stay in its scratch scr[(i-a0)*a_stride]; pe[i] (eV),
 * dE[3(i-a0)] = (∂E/∂ρ_core, ∂E/∂r of the zbl pair), jmin[i-a0] = that pair (-1 none).
 * Returns -1 when a neighbour is closer than the spline grid allows. */
static PCM_HD inline int ace_k_atom_stage(const ace_kparams *kp, int i, int a0, const int *start, const int *jj,
                                          const int *mu, const double *d, double *scr, double *pe, double *dE,
                                          int *jmin_out)
{
    double *s = scr + (size_t)(i - a0) * kp->a_stride;
    ace_c2_t *X = (ace_c2_t *)(s + kp->a_X), *G = (ace_c2_t *)(s + kp->a_G), *W = (ace_c2_t *)(s + kp->a_W);
    double *W1 = s + kp->a_W1, *A1 = s + kp->a_A1, *val = s + kp->a_val, *dval = s + kp->a_dval;
    double(*pp)[2] = (double(*)[2])(s + kp->a_pp), (*ph)[2] = (double(*)[2])(s + kp->a_ph);
    ace_c2_t *y = (ace_c2_t *)(s + kp->a_y);
    int nel = kp->nel, K = kp->K, N = kp->N, L = kp->L, mu_i = mu[i];
    for (int a = 0; a < kp->NA; a++)
        X[a] = ace_c2_make(0, 0);
    for (int a = 0; a < nel * K; a++)
        A1[a] = 0;
    double rho_core = 0, dmin = kp->cutoffmax;
    int jmin = -1;
    for (int q = start[i]; q < start[i + 1]; q++) {
        int mu_j = mu[jj[q]];
        const double *dq = &d[3 * q];
        double r = sqrt(dq[0] * dq[0] + dq[1] * dq[1] + dq[2] * dq[2]);
        const ace_kbond *bd = &kp->bond[mu_i * nel + mu_j];
        if (r >= bd->rcut)
            continue;
        if (kp->is_zbl) {
            double dd = r - (bd->rcut_in - bd->dcut_in);
            if (dd < dmin) {
                dmin = dd;
                jmin = q;
            }
        }
        double rh[3] = {dq[0] / r, dq[1] / r, dq[2] / r};
        if (ace_k_pair_basis(kp, mu_i, mu_j, r, rh, val, dval, pp, ph, y) != 0)
            return -1;
        ace_k_accum_A(K, N, L, val, y, &A1[mu_j * K], &X[(mu_j * N) * L * L]);
        rho_core += val[K + N * L];
    }
    ace_k_A_negm(nel, N, L, X);
    ace_katom at;
    at.is_zbl = kp->is_zbl;
    at.has_jmin = jmin >= 0;
    at.dmin = dmin;
    at.rho_core = rho_core;
    at.zbl_dcut_in = jmin >= 0 ? kp->bond[mu_i * nel + mu[jj[jmin]]].dcut_in : 0;
    ace_k_atom_embed(&kp->prog[mu_i], &kp->emb[mu_i], nel, K, N, L, X, G, A1, W1, W, s + kp->a_rho, s + kp->a_dF,
                     &at);
    pe[i] = at.E + kp->E0[mu_i];
    dE[3 * (i - a0)] = at.dE_dcore;
    dE[3 * (i - a0) + 1] = at.dE_dfcut;
    jmin_out[i - a0] = jmin;
    return 0;
}

/* ∂E_i/∂r_j of pair q (centre i = ii[q] in the chunk at a0) into fij[3q]; ps = this
 * thread's pair scratch (p_stride doubles). */
static PCM_HD inline void ace_k_force_stage(const ace_kparams *kp, long q, int a0, const int *ii, const int *jj,
                                            const int *mu, const double *d, const double *scr, const double *dE,
                                            const int *jmin, double *ps, double *fij)
{
    double *val = ps + kp->p_val, *dval = ps + kp->p_dval;
    double(*pp)[2] = (double(*)[2])(ps + kp->p_pp), (*ph)[2] = (double(*)[2])(ps + kp->p_ph);
    ace_c2_t *y = (ace_c2_t *)(ps + kp->p_y), *T = (ace_c2_t *)(ps + kp->p_T);
    int i = ii[q], mu_i = mu[i], mu_j = mu[jj[q]];
    const double *dq = &d[3 * q];
    double *f = &fij[3 * q];
    double r = sqrt(dq[0] * dq[0] + dq[1] * dq[1] + dq[2] * dq[2]);
    f[0] = f[1] = f[2] = 0;
    if (r >= kp->bond[mu_i * kp->nel + mu_j].rcut)
        return;
    double rh[3] = {dq[0] / r, dq[1] / r, dq[2] / r};
    if (ace_k_pair_basis(kp, mu_i, mu_j, r, rh, val, dval, pp, ph, y) != 0)
        return; /* reported by the atom stage */
    const double *sa = scr + (size_t)(i - a0) * kp->a_stride;
    const double *W1 = sa + kp->a_W1;
    const ace_c2_t *W = (const ace_c2_t *)(sa + kp->a_W);
    ace_k_pair_force(kp->K, kp->N, kp->L, val, dval, y, (const double(*)[2])pp, (const double(*)[2])ph, rh, r,
                     &W1[mu_j * kp->K], &W[(size_t)mu_j * kp->N * kp->nlm], dE[3 * (i - a0)], q == jmin[i - a0],
                     dE[3 * (i - a0) + 1], T, f);
}

/* Atom i's force (eV/Å) and virial (eV): its own pairs add, the pairs that have it as
 * neighbour (rq[rstart[i]..rstart[i+1]), pair order) subtract; no atomics. */
static PCM_HD inline void ace_k_gather(int i, const int *start, const int *rstart, const int *rq, const double *d,
                                       const double *fij, double *f, double *wv)
{
    double fi[3] = {0, 0, 0}, w[6] = {0, 0, 0, 0, 0, 0};
    for (int q = start[i]; q < start[i + 1]; q++) {
        const double *fq = &fij[3 * q];
        for (int c = 0; c < 3; c++)
            fi[c] += fq[c];
        ace_k_pair_virial(&d[3 * q], fq, w);
    }
    for (int k = rstart[i]; k < rstart[i + 1]; k++) {
        const double *fq = &fij[3 * rq[k]];
        for (int c = 0; c < 3; c++)
            fi[c] -= fq[c];
    }
    for (int c = 0; c < 3; c++)
        f[3 * i + c] = fi[c];
    for (int c = 0; c < 6; c++)
        wv[6 * i + c] = w[c];
}

#endif
