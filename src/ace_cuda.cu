/* ace_cuda.cu - ACE energies, forces and virial on an NVIDIA GPU (interface: ace_gpu.h).
 *
 * The arithmetic is ace_kernels.h, shared with the CPU evaluator (ace.c); this file only
 * moves data and launches thin kernels.  Equations: ace.c's header.
 *
 * Per call (one MD step):
 *   upload x (n·3), species (n) and the cell; when the neighbour list was rebuilt, also
 *   its CSR (start, j, shift), the pair -> centre index and the reverse index (for each
 *   atom, the pairs that have it as neighbour, in pair order).  The list itself is built
 *   on the host (nl_build) and uploaded at rebuild.
 *   k_geom   per pair:  d = x_j + S·H - x_i                                       (Å)
 *   for each chunk of atoms (bounded scratch):
 *     k_atom   per atom: gather its own pairs (spline + Ylm + A accumulation), ±m fill,
 *                        product DAG, embedding, core cut, adjoint -> W, W1 in scratch
 *     k_force  per pair: spline + Ylm again, ∂E_i/∂r_j from the centre's W, W1
 *   k_gather per atom:  f_i = Σ_own fij - Σ_rev fij, per-atom virial, in list order
 *   download pe, f and per-atom virial; E and W are summed on the host in atom order.
 * No floating-point atomics anywhere: results are reproducible run to run.
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ace_kernels.h" /* first: C++ operators must not get C linkage */
extern "C" {
#include "ace_basis.h"
#include "ace_dag.h"
}
#include "ace_gpu.h"

#define CUDA_CHECK(call)                                                                                          \
    do {                                                                                                          \
        cudaError_t err_ = (call);                                                                                \
        if (err_ != cudaSuccess) {                                                                                \
            snprintf(g_errbuf, sizeof g_errbuf, "%s:%d: %s: %s", __FILE__, __LINE__, #call,                       \
                     cudaGetErrorString(err_));                                                                   \
            goto fail;                                                                                            \
        }                                                                                                         \
    } while (0)

static char g_errbuf[512];

/* Species-pair parameters on the device. */
struct kbond {
    int nlut;
    double rscale, rcut, rcut_in, dcut_in; /* 1/Å, Å */
    size_t off;                            /* into the concatenated spline tables (doubles) */
};

/* Everything a kernel needs, passed by value (device pointers). */
struct kparams {
    int nel, K, N, L, nlm, nf, lmax, NA, maxnode, is_zbl;
    const kbond *bond;           /* [nel*nel] */
    const double *tab;           /* concatenated Hermite tables */
    const ace_kprog *prog;       /* [nel] (device pointers inside) */
    const ace_kemb *emb;         /* [nel] */
    const double *E0;            /* [nel] eV */
    const ace_ylm_coef *ylm;
    double cutoffmax;            /* Å */
    /* per-atom scratch (doubles, 16-byte aligned segments) */
    size_t a_stride, a_X, a_G, a_W, a_W1, a_A1, a_rho, a_dF, a_val, a_dval, a_pp, a_ph, a_y;
    /* per-pair-thread scratch */
    size_t p_stride, p_val, p_dval, p_pp, p_ph, p_y, p_T;
};

struct ace_gpu {
    kparams kp;
    /* owned device buffers */
    kbond *d_bond;
    double *d_tab, *d_E0;
    ace_kprog *d_prog;
    ace_kemb *d_emb;
    ace_ylm_coef *d_ylm;
    void *d_progbuf[PCM_MAX_SPECIES][7];
    /* per system */
    int n_cap;
    long p_cap;
    double *d_x, *d_pe, *d_f, *d_wv, *d_h; /* [n][3], [n], [n][3], [n][6], [9] */
    int *d_mu, *d_start, *d_rstart;         /* [n], [n+1], [n+1] */
    int *d_j, *d_i, *d_shift, *d_rq;        /* [npairs], [npairs], [npairs][3], [npairs] */
    double *d_d, *d_fij;                    /* [npairs][3] */
    double *d_scr;                          /* per-atom scratch [chunk][a_stride] */
    double *d_pscr;                         /* per-pair-thread scratch [pthreads][p_stride] */
    double *d_dE;                           /* [chunk][3]: dE_dcore, dE_dfcut, spare */
    int *d_jmin;                            /* [chunk] pair index of the zbl pair, -1 none */
    int *d_err;                             /* first (centre, neighbour) closer than the grid */
    int chunk, pthreads;
    /* which list is on the device: a fresh list (potential_eval_once) may reuse the address
     * and build count of the last one, so the positions and cell at build are compared too */
    long nbuilds; /* -1 none */
    const void *nl_seen;
    long nl_npairs;
    double (*nl_x0)[3];
    pcm_cell nl_cell0;
    /* host staging */
    double *h_pe, *h_wv;
    int *h_mu;
};

static size_t seg(size_t *off, size_t ndouble)
{
    size_t o = *off;
    *off += (ndouble + 1) & ~(size_t)1; /* keep 16-byte alignment for complex entries */
    return o;
}

/* ------------------------------------------------------------------ kernels */

__global__ void k_geom(int n, const int *__restrict__ start, const int *__restrict__ jj,
                       const int *__restrict__ shift, const int *__restrict__ ii, const double *__restrict__ x,
                       const double *__restrict__ h, double *__restrict__ d, long npairs)
{
    long q = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (q >= npairs)
        return;
    int i = ii[q], j = jj[q];
    const int *S = &shift[3 * q];
    for (int k = 0; k < 3; k++)
        d[3 * q + k] = x[3 * j + k] + S[0] * h[0 * 3 + k] + S[1] * h[1 * 3 + k] + S[2] * h[2 * 3 + k] - x[3 * i + k];
}

/* One pair's radial and angular parts into scratch; 0, or -1 when r is below the grid. */
__device__ static int pair_basis(const kparams &kp, int mu_i, int mu_j, double r, const double rh[3], double *val,
                                 double *dval, double (*pp)[2], double (*ph)[2], ace_c2_t *y)
{
    const kbond &bd = kp.bond[mu_i * kp.nel + mu_j];
    if (ace_k_spline_eval(kp.tab + bd.off, bd.nlut, bd.rscale, kp.nf, r, val, dval) != 0)
        return -1;
    ace_k_ylm_pair(kp.ylm, kp.lmax, rh, pp, ph, y);
    return 0;
}

__global__ void k_atom(kparams kp, int a0, int a1, const int *__restrict__ start, const int *__restrict__ jj,
                       const int *__restrict__ mu, const double *__restrict__ d, double *__restrict__ scr,
                       double *__restrict__ pe, double *__restrict__ dE, int *__restrict__ jmin_out, int *err)
{
    int i = a0 + (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (i >= a1)
        return;
    double *s = scr + (size_t)(i - a0) * kp.a_stride;
    ace_c2_t *X = (ace_c2_t *)(s + kp.a_X), *G = (ace_c2_t *)(s + kp.a_G), *W = (ace_c2_t *)(s + kp.a_W);
    double *W1 = s + kp.a_W1, *A1 = s + kp.a_A1, *val = s + kp.a_val, *dval = s + kp.a_dval;
    double(*pp)[2] = (double(*)[2])(s + kp.a_pp), (*ph)[2] = (double(*)[2])(s + kp.a_ph);
    ace_c2_t *y = (ace_c2_t *)(s + kp.a_y);
    int nel = kp.nel, K = kp.K, N = kp.N, L = kp.L, mu_i = mu[i];
    for (int a = 0; a < kp.NA; a++)
        X[a] = ace_c2_make(0, 0);
    for (int a = 0; a < nel * K; a++)
        A1[a] = 0;
    double rho_core = 0, dmin = kp.cutoffmax;
    int jmin = -1;
    for (int q = start[i]; q < start[i + 1]; q++) {
        int mu_j = mu[jj[q]];
        const double *dq = &d[3 * q];
        double r = sqrt(dq[0] * dq[0] + dq[1] * dq[1] + dq[2] * dq[2]);
        const kbond &bd = kp.bond[mu_i * nel + mu_j];
        if (r >= bd.rcut)
            continue;
        if (kp.is_zbl) {
            double dd = r - (bd.rcut_in - bd.dcut_in);
            if (dd < dmin) {
                dmin = dd;
                jmin = q;
            }
        }
        double rh[3] = {dq[0] / r, dq[1] / r, dq[2] / r};
        if (pair_basis(kp, mu_i, mu_j, r, rh, val, dval, pp, ph, y) != 0) {
            atomicCAS(err, -1, i);
            return;
        }
        ace_k_accum_A(K, N, L, val, y, &A1[mu_j * K], &X[(mu_j * N) * L * L]);
        rho_core += val[K + N * L];
    }
    ace_k_A_negm(nel, N, L, X);
    ace_katom at;
    at.is_zbl = kp.is_zbl;
    at.has_jmin = jmin >= 0;
    at.dmin = dmin;
    at.rho_core = rho_core;
    at.zbl_dcut_in = jmin >= 0 ? kp.bond[mu_i * nel + mu[jj[jmin]]].dcut_in : 0;
    ace_k_atom_embed(&kp.prog[mu_i], &kp.emb[mu_i], nel, K, N, L, X, G, A1, W1, W, s + kp.a_rho, s + kp.a_dF, &at);
    pe[i] = at.E + kp.E0[mu_i];
    dE[3 * (i - a0)] = at.dE_dcore;
    dE[3 * (i - a0) + 1] = at.dE_dfcut;
    jmin_out[i - a0] = jmin;
}

__global__ void k_force(kparams kp, int a0, long q0, long q1, const int *__restrict__ ii, const int *__restrict__ jj,
                        const int *__restrict__ mu, const double *__restrict__ d, const double *__restrict__ scr,
                        const double *__restrict__ dE, const int *__restrict__ jmin, double *__restrict__ pscr,
                        double *__restrict__ fij)
{
    long tid = (long)blockIdx.x * blockDim.x + threadIdx.x, nth = (long)gridDim.x * blockDim.x;
    double *s = pscr + (size_t)tid * kp.p_stride;
    double *val = s + kp.p_val, *dval = s + kp.p_dval;
    double(*pp)[2] = (double(*)[2])(s + kp.p_pp), (*ph)[2] = (double(*)[2])(s + kp.p_ph);
    ace_c2_t *y = (ace_c2_t *)(s + kp.p_y), *T = (ace_c2_t *)(s + kp.p_T);
    for (long q = q0 + tid; q < q1; q += nth) {
        int i = ii[q], mu_i = mu[i], mu_j = mu[jj[q]];
        const double *dq = &d[3 * q];
        double *f = &fij[3 * q];
        double r = sqrt(dq[0] * dq[0] + dq[1] * dq[1] + dq[2] * dq[2]);
        if (r >= kp.bond[mu_i * kp.nel + mu_j].rcut) {
            f[0] = f[1] = f[2] = 0;
            continue;
        }
        double rh[3] = {dq[0] / r, dq[1] / r, dq[2] / r};
        if (pair_basis(kp, mu_i, mu_j, r, rh, val, dval, pp, ph, y) != 0) {
            f[0] = f[1] = f[2] = 0; /* already reported by k_atom */
            continue;
        }
        const double *sa = scr + (size_t)(i - a0) * kp.a_stride;
        const double *W1 = sa + kp.a_W1;
        const ace_c2_t *W = (const ace_c2_t *)(sa + kp.a_W);
        ace_k_pair_force(kp.K, kp.N, kp.L, val, dval, y, (const double(*)[2])pp, (const double(*)[2])ph, rh, r,
                         &W1[mu_j * kp.K], &W[(size_t)mu_j * kp.N * kp.nlm], dE[3 * (i - a0)], q == jmin[i - a0],
                         dE[3 * (i - a0) + 1], T, f);
    }
}

__global__ void k_gather(int n, const int *__restrict__ start, const int *__restrict__ rstart,
                         const int *__restrict__ rq, const double *__restrict__ d, const double *__restrict__ fij,
                         double *__restrict__ f, double *__restrict__ wv)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
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

/* ------------------------------------------------------------------ setup */

template <typename T> static cudaError_t upload(T **dst, const T *src, size_t count)
{
    *dst = NULL;
    cudaError_t e = cudaMalloc((void **)dst, (count ? count : 1) * sizeof(T));
    if (e != cudaSuccess)
        return e;
    if (src && count)
        return cudaMemcpy(*dst, src, count * sizeof(T), cudaMemcpyHostToDevice);
    return cudaSuccess;
}

extern "C" void ace_gpu_free(ace_gpu *g)
{
    if (!g)
        return;
    cudaFree(g->d_bond), cudaFree(g->d_tab), cudaFree(g->d_E0), cudaFree(g->d_prog), cudaFree(g->d_emb);
    cudaFree(g->d_ylm);
    for (int mu = 0; mu < PCM_MAX_SPECIES; mu++)
        for (int k = 0; k < 7; k++)
            cudaFree(g->d_progbuf[mu][k]);
    cudaFree(g->d_x), cudaFree(g->d_pe), cudaFree(g->d_f), cudaFree(g->d_wv), cudaFree(g->d_h);
    cudaFree(g->d_mu), cudaFree(g->d_start), cudaFree(g->d_rstart), cudaFree(g->d_j), cudaFree(g->d_i);
    cudaFree(g->d_shift), cudaFree(g->d_rq), cudaFree(g->d_d), cudaFree(g->d_fij), cudaFree(g->d_scr);
    cudaFree(g->d_pscr), cudaFree(g->d_dE), cudaFree(g->d_jmin), cudaFree(g->d_err);
    free(g->h_pe), free(g->h_wv), free(g->h_mu), free(g->nl_x0);
    free(g);
}

extern "C" ace_gpu *ace_gpu_new(const ace_basis *b, const ace_prog *prog, char *why, size_t n)
{
    int nel = b->nelements, maxnode = 1, P = 1;
    ace_gpu *g = (ace_gpu *)calloc(1, sizeof *g);
    kparams &kp = g->kp;
    kbond hb[PCM_MAX_SPECIES * PCM_MAX_SPECIES];
    ace_kprog hp[PCM_MAX_SPECIES];
    ace_kemb he[PCM_MAX_SPECIES];
    size_t ntab = 0;
    double *tab = NULL;
    if (b->lmax > ACE_K_LMAX) {
        snprintf(why, n, "lmax %d > %d", b->lmax, ACE_K_LMAX);
        free(g);
        return NULL;
    }
    g->nbuilds = -1;
    kp.nel = nel;
    kp.K = b->nradbase;
    kp.L = b->lmax + 1;
    kp.N = b->nradmax > 0 ? b->nradmax : 1;
    kp.nlm = kp.L * (kp.L + 1) / 2;
    kp.nf = ace_nf(b);
    kp.lmax = b->lmax;
    kp.NA = ace_nA(b);
    kp.is_zbl = b->inner_type == ACE_INNER_ZBL;
    kp.cutoffmax = b->cutoffmax;
    for (int p = 0; p < nel * nel; p++) {
        const ace_spline *sp = &b->splines[p];
        hb[p].nlut = sp->nlut;
        hb[p].rscale = sp->rscale;
        hb[p].rcut = b->bonds[p].rcut;
        hb[p].rcut_in = b->bonds[p].rcut_in;
        hb[p].dcut_in = b->bonds[p].dcut_in;
        hb[p].off = ntab;
        ntab += (size_t)(sp->nlut + 1) * 4 * sp->nf;
    }
    tab = (double *)malloc(ntab * sizeof *tab);
    for (int p = 0; p < nel * nel; p++)
        memcpy(tab + hb[p].off, b->splines[p].c, (size_t)(b->splines[p].nlut + 1) * 4 * b->splines[p].nf * sizeof *tab);
    for (int mu = 0; mu < nel; mu++) {
        const ace_prog *pg = &prog[mu];
        if (pg->nnode > maxnode)
            maxnode = pg->nnode;
        if (pg->P > P)
            P = pg->P;
        if (pg->P > 8) {
            snprintf(why, n, "%d densities > 8", pg->P);
            free(tab);
            free(g);
            return NULL;
        }
        hp[mu] = ace_prog_view(pg);
        he[mu].npoti = b->emb[mu].npoti;
        he[mu].rho_core_cut = b->emb[mu].rho_core_cut;
        he[mu].drho_core_cut = b->emb[mu].drho_core_cut;
        for (int k = 0; k < 16; k++)
            he[mu].fs[k] = k < 2 * pg->P ? b->emb[mu].fs[k] : 0;
    }
    kp.maxnode = maxnode;
    {
        size_t o = 0, XG = 2 * (size_t)(kp.NA + maxnode);
        kp.a_X = seg(&o, XG);
        kp.a_G = seg(&o, XG);
        kp.a_W = seg(&o, 2 * (size_t)nel * kp.N * kp.nlm);
        kp.a_W1 = seg(&o, (size_t)nel * kp.K);
        kp.a_A1 = seg(&o, (size_t)nel * kp.K);
        kp.a_rho = seg(&o, P);
        kp.a_dF = seg(&o, P);
        kp.a_val = seg(&o, kp.nf);
        kp.a_dval = seg(&o, kp.nf);
        kp.a_pp = seg(&o, 2 * (size_t)kp.nlm);
        kp.a_ph = seg(&o, 2 * (size_t)kp.L);
        kp.a_y = seg(&o, 2 * (size_t)kp.nlm);
        kp.a_stride = o;
        o = 0;
        kp.p_val = seg(&o, kp.nf);
        kp.p_dval = seg(&o, kp.nf);
        kp.p_pp = seg(&o, 2 * (size_t)kp.nlm);
        kp.p_ph = seg(&o, 2 * (size_t)kp.L);
        kp.p_y = seg(&o, 2 * (size_t)kp.nlm);
        kp.p_T = seg(&o, 4 * (size_t)kp.nlm);
        kp.p_stride = o;
    }
    {
        const ace_prog *pg;
        for (int mu = 0; mu < nel; mu++) {
            pg = &prog[mu];
            int P1 = pg->P > 0 ? pg->P : 1;
            CUDA_CHECK(upload((int **)&g->d_progbuf[mu][0], pg->r1_a, (size_t)pg->n1));
            CUDA_CHECK(upload((double **)&g->d_progbuf[mu][1], pg->r1_c, (size_t)pg->n1 * P1));
            CUDA_CHECK(upload((struct ace_node **)&g->d_progbuf[mu][2], pg->nd, (size_t)pg->nnode));
            CUDA_CHECK(upload((struct ace_term **)&g->d_progbuf[mu][3], pg->tm, (size_t)pg->nterm));
            CUDA_CHECK(upload((int **)&g->d_progbuf[mu][4], pg->tm_par, (size_t)pg->nterm));
            CUDA_CHECK(upload((int **)&g->d_progbuf[mu][5], pg->tm_a, (size_t)pg->nterm));
            CUDA_CHECK(upload((double **)&g->d_progbuf[mu][6], pg->tm_c, (size_t)pg->nterm * P1));
            hp[mu].r1_a = (const int *)g->d_progbuf[mu][0];
            hp[mu].r1_c = (const double *)g->d_progbuf[mu][1];
            hp[mu].nd = (const struct ace_node *)g->d_progbuf[mu][2];
            hp[mu].tm = (const struct ace_term *)g->d_progbuf[mu][3];
            hp[mu].tm_par = (const int *)g->d_progbuf[mu][4];
            hp[mu].tm_a = (const int *)g->d_progbuf[mu][5];
            hp[mu].tm_c = (const double *)g->d_progbuf[mu][6];
        }
        CUDA_CHECK(upload(&g->d_bond, hb, (size_t)nel * nel));
        CUDA_CHECK(upload(&g->d_tab, tab, ntab));
        CUDA_CHECK(upload(&g->d_E0, b->E0, (size_t)nel));
        CUDA_CHECK(upload(&g->d_prog, hp, (size_t)nel));
        CUDA_CHECK(upload(&g->d_emb, he, (size_t)nel));
        CUDA_CHECK(upload(&g->d_ylm, (const ace_ylm_coef *)ace_ylm_coefs(), 1));
        CUDA_CHECK(upload(&g->d_err, (const int *)NULL, 1));
    }
    free(tab);
    tab = NULL;
    kp.bond = g->d_bond;
    kp.tab = g->d_tab;
    kp.prog = g->d_prog;
    kp.emb = g->d_emb;
    kp.E0 = g->d_E0;
    kp.ylm = g->d_ylm;
    return g;
fail:
    snprintf(why, n, "%s", g_errbuf);
    free(tab);
    ace_gpu_free(g);
    return NULL;
}

/* ------------------------------------------------------------------ one step */

static int grow(ace_gpu *g, const pcm_system *s, const pcm_nlist *nl)
{
    int nn = s->n;
    if (nn > g->n_cap) {
        int cap = nn + nn / 4 + 16;
        cudaFree(g->d_x), cudaFree(g->d_pe), cudaFree(g->d_f), cudaFree(g->d_wv), cudaFree(g->d_mu);
        cudaFree(g->d_start), cudaFree(g->d_rstart), cudaFree(g->d_h);
        g->d_x = g->d_pe = g->d_f = g->d_wv = g->d_h = NULL;
        g->d_mu = g->d_start = g->d_rstart = NULL;
        CUDA_CHECK(cudaMalloc((void **)&g->d_x, (size_t)cap * 3 * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_pe, (size_t)cap * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_f, (size_t)cap * 3 * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_wv, (size_t)cap * 6 * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_h, 9 * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_mu, (size_t)cap * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_start, (size_t)(cap + 1) * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_rstart, (size_t)(cap + 1) * sizeof(int)));
        g->h_pe = (double *)realloc(g->h_pe, (size_t)cap * sizeof(double));
        g->h_wv = (double *)realloc(g->h_wv, (size_t)cap * 6 * sizeof(double));
        g->h_mu = (int *)realloc(g->h_mu, (size_t)cap * sizeof(int));
        g->n_cap = cap;
        g->nbuilds = -1;
        cudaFree(g->d_scr), cudaFree(g->d_dE), cudaFree(g->d_jmin), cudaFree(g->d_pscr);
        g->d_scr = g->d_dE = g->d_pscr = NULL; /* re-sized below for the new atom count */
        g->d_jmin = NULL;
    }
    if (nl->npairs > g->p_cap) {
        long cap = nl->npairs + nl->npairs / 4 + 16;
        cudaFree(g->d_j), cudaFree(g->d_i), cudaFree(g->d_shift), cudaFree(g->d_rq), cudaFree(g->d_d);
        cudaFree(g->d_fij);
        g->d_j = g->d_i = g->d_shift = g->d_rq = NULL;
        g->d_d = g->d_fij = NULL;
        CUDA_CHECK(cudaMalloc((void **)&g->d_j, (size_t)cap * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_i, (size_t)cap * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_shift, (size_t)cap * 3 * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_rq, (size_t)cap * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_d, (size_t)cap * 3 * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_fij, (size_t)cap * 3 * sizeof(double)));
        g->p_cap = cap;
        g->nbuilds = -1;
    }
    if (!g->d_scr) {
        /* scratch: a quarter of the free memory, at most one chunk per atom count */
        size_t fr = 0, tot = 0;
        CUDA_CHECK(cudaMemGetInfo(&fr, &tot));
        g->pthreads = 1 << 16;
        size_t per_atom = g->kp.a_stride * sizeof(double) + 3 * sizeof(double) + sizeof(int);
        size_t budget = fr / 4 > (size_t)g->pthreads * g->kp.p_stride * sizeof(double)
                            ? fr / 4 - (size_t)g->pthreads * g->kp.p_stride * sizeof(double)
                            : per_atom * 256;
        size_t chunk = budget / per_atom;
        if (chunk > (size_t)g->n_cap)
            chunk = (size_t)g->n_cap;
        g->chunk = (int)(chunk > (1u << 20) ? (1u << 20) : chunk < 256 ? 256 : chunk);
        CUDA_CHECK(cudaMalloc((void **)&g->d_scr, (size_t)g->chunk * g->kp.a_stride * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_dE, (size_t)g->chunk * 3 * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_jmin, (size_t)g->chunk * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_pscr, (size_t)g->pthreads * g->kp.p_stride * sizeof(double)));
    }
    return 0;
fail:
    return -1;
}

/* Upload the list's CSR, the pair -> centre index and the reverse index. */
static int upload_list(ace_gpu *g, const pcm_nlist *nl)
{
    int n = nl->n;
    long np = nl->npairs;
    int *ii = (int *)malloc((size_t)(np > 0 ? np : 1) * sizeof(int));
    int *rstart = (int *)calloc((size_t)n + 1, sizeof(int));
    int *rq = (int *)malloc((size_t)(np > 0 ? np : 1) * sizeof(int));
    int *fill = (int *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
    int rc = -1;
    for (int i = 0; i < n; i++)
        for (int q = nl->start[i]; q < nl->start[i + 1]; q++) {
            ii[q] = i;
            rstart[nl->j[q] + 1]++;
        }
    for (int i = 0; i < n; i++)
        rstart[i + 1] += rstart[i];
    memcpy(fill, rstart, (size_t)n * sizeof(int));
    for (long q = 0; q < np; q++) /* pair order within each atom's reverse range */
        rq[fill[nl->j[q]]++] = (int)q;
    CUDA_CHECK(cudaMemcpy(g->d_start, nl->start, (size_t)(n + 1) * sizeof(int), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(g->d_rstart, rstart, (size_t)(n + 1) * sizeof(int), cudaMemcpyHostToDevice));
    if (np > 0) {
        CUDA_CHECK(cudaMemcpy(g->d_j, nl->j, (size_t)np * sizeof(int), cudaMemcpyHostToDevice));
        CUDA_CHECK(cudaMemcpy(g->d_i, ii, (size_t)np * sizeof(int), cudaMemcpyHostToDevice));
        CUDA_CHECK(cudaMemcpy(g->d_shift, nl->shift, (size_t)np * 3 * sizeof(int), cudaMemcpyHostToDevice));
        CUDA_CHECK(cudaMemcpy(g->d_rq, rq, (size_t)np * sizeof(int), cudaMemcpyHostToDevice));
    }
    g->nbuilds = nl->nbuilds;
    g->nl_seen = nl;
    g->nl_npairs = np;
    g->nl_x0 = (double(*)[3])realloc(g->nl_x0, (size_t)(n > 0 ? n : 1) * sizeof *g->nl_x0);
    memcpy(g->nl_x0, nl->x0, (size_t)n * sizeof *g->nl_x0);
    g->nl_cell0 = nl->cell0;
    rc = 0;
fail:
    free(ii), free(rstart), free(rq), free(fill);
    return rc;
}

extern "C" int ace_gpu_compute(ace_gpu *g, const int *type_map, pcm_system *s, const pcm_nlist *nl, char *err,
                               size_t errn)
{
    int n = s->n, hostmin = -1;
    long np = nl->npairs;
    const int TB = 128;
    if (grow(g, s, nl) != 0)
        goto fail;
    if (g->nbuilds != nl->nbuilds || g->nl_seen != (const void *)nl || g->nl_npairs != np ||
        memcmp(g->nl_x0, nl->x0, (size_t)n * sizeof *g->nl_x0) != 0 ||
        memcmp(&g->nl_cell0, &nl->cell0, sizeof g->nl_cell0) != 0) {
        if (upload_list(g, nl) != 0)
            goto fail;
    }
    for (int i = 0; i < n; i++)
        g->h_mu[i] = type_map[s->type[i]];
    CUDA_CHECK(cudaMemcpy(g->d_mu, g->h_mu, (size_t)n * sizeof(int), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(g->d_x, s->x, (size_t)n * 3 * sizeof(double), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(g->d_h, s->cell.h, 9 * sizeof(double), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(g->d_err, &hostmin, sizeof(int), cudaMemcpyHostToDevice));
    if (np > 0) {
        k_geom<<<(unsigned)((np + TB - 1) / TB), TB>>>(n, g->d_start, g->d_j, g->d_shift, g->d_i, g->d_x, g->d_h,
                                                         g->d_d, np);
        CUDA_CHECK(cudaGetLastError());
    }
    for (int a0 = 0; a0 < n; a0 += g->chunk) {
        int a1 = a0 + g->chunk < n ? a0 + g->chunk : n;
        k_atom<<<(unsigned)((a1 - a0 + 63) / 64), 64>>>(g->kp, a0, a1, g->d_start, g->d_j, g->d_mu, g->d_d, g->d_scr,
                                                          g->d_pe, g->d_dE, g->d_jmin, g->d_err);
        CUDA_CHECK(cudaGetLastError());
        long q0 = nl->start[a0], q1 = nl->start[a1];
        if (q1 > q0) {
            k_force<<<(unsigned)(g->pthreads / TB), TB>>>(g->kp, a0, q0, q1, g->d_i, g->d_j, g->d_mu, g->d_d,
                                                          g->d_scr, g->d_dE, g->d_jmin, g->d_pscr, g->d_fij);
            CUDA_CHECK(cudaGetLastError());
        }
    }
    if (n > 0) {
        k_gather<<<(unsigned)((n + TB - 1) / TB), TB>>>(n, g->d_start, g->d_rstart, g->d_rq, g->d_d, g->d_fij,
                                                         g->d_f, g->d_wv);
        CUDA_CHECK(cudaGetLastError());
    }
    CUDA_CHECK(cudaMemcpy(&hostmin, g->d_err, sizeof(int), cudaMemcpyDeviceToHost));
    if (hostmin >= 0) {
        snprintf(err, errn, "atom %d has a neighbour closer than the spline grid spacing", hostmin);
        return -1;
    }
    CUDA_CHECK(cudaMemcpy(s->pe, g->d_pe, (size_t)n * sizeof(double), cudaMemcpyDeviceToHost));
    CUDA_CHECK(cudaMemcpy(s->f, g->d_f, (size_t)n * 3 * sizeof(double), cudaMemcpyDeviceToHost));
    CUDA_CHECK(cudaMemcpy(g->h_wv, g->d_wv, (size_t)n * 6 * sizeof(double), cudaMemcpyDeviceToHost));
    {
        double etot = 0, w[6] = {0, 0, 0, 0, 0, 0};
        for (int i = 0; i < n; i++) { /* fixed order, as the CPU evaluator */
            etot += s->pe[i];
            for (int c = 0; c < 6; c++)
                w[c] += g->h_wv[6 * i + c];
        }
        s->energy = etot;
        memcpy(s->virial, w, sizeof w);
    }
    return 0;
fail:
    snprintf(err, errn, "%s", g_errbuf);
    return -1;
}
