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

struct ace_gpu {
    ace_kparams kp;     /* device pointers */
    /* owned device buffers */
    ace_kbond *d_bond;
    double *d_tab, *d_E0;
    ace_kprog *d_prog;
    ace_kemb *d_emb;
    ace_ylm_coef *d_ylm;
    void *d_progbuf[PCM_MAX_SPECIES][7];
    /* per system */
    int n_cap;
    long p_cap, hp_cap;
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

/* ------------------------------------------------------------------ kernels */

__global__ void k_geom(const int *__restrict__ jj, const int *__restrict__ shift, const int *__restrict__ ii,
                       const double *__restrict__ x, const double *__restrict__ h, double *__restrict__ d, long npairs)
{
    long q = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (q < npairs)
        ace_k_geom(q, jj, shift, ii, x, h, d);
}

__global__ void k_atom(ace_kparams kp, int a0, int a1, const int *__restrict__ start, const int *__restrict__ jj,
                       const int *__restrict__ mu, const double *__restrict__ d, double *__restrict__ scr,
                       double *__restrict__ pe, double *__restrict__ dE, int *__restrict__ jmin, int *err)
{
    int i = a0 + (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < a1 && ace_k_atom_stage(&kp, i, a0, start, jj, mu, d, scr, pe, dE, jmin) != 0)
        atomicCAS(err, -1, i);
}

__global__ void k_force(ace_kparams kp, int a0, long q0, long q1, const int *__restrict__ ii,
                        const int *__restrict__ jj, const int *__restrict__ mu, const double *__restrict__ d,
                        const double *__restrict__ scr, const double *__restrict__ dE, const int *__restrict__ jmin,
                        double *__restrict__ pscr, double *__restrict__ fij)
{
    long tid = (long)blockIdx.x * blockDim.x + threadIdx.x, nth = (long)gridDim.x * blockDim.x;
    double *ps = pscr + (size_t)tid * kp.p_stride;
    for (long q = q0 + tid; q < q1; q += nth)
        ace_k_force_stage(&kp, q, a0, ii, jj, mu, d, scr, dE, jmin, ps, fij);
}

/* k_force for a list that lives on the device: the chunk's pair range from start[]. */
__global__ void k_force_dev(ace_kparams kp, int a0, int a1, const int *__restrict__ start, const int *__restrict__ ii,
                            const int *__restrict__ jj, const int *__restrict__ mu, const double *__restrict__ d,
                            const double *__restrict__ scr, const double *__restrict__ dE,
                            const int *__restrict__ jmin, double *__restrict__ pscr, double *__restrict__ fij)
{
    long tid = (long)blockIdx.x * blockDim.x + threadIdx.x, nth = (long)gridDim.x * blockDim.x;
    double *ps = pscr + (size_t)tid * kp.p_stride;
    long q1 = start[a1];
    for (long q = start[a0] + tid; q < q1; q += nth)
        ace_k_force_stage(&kp, q, a0, ii, jj, mu, d, scr, dE, jmin, ps, fij);
}

__global__ void k_gather(int n, const int *__restrict__ start, const int *__restrict__ rstart,
                         const int *__restrict__ rq, const double *__restrict__ d, const double *__restrict__ fij,
                         double *__restrict__ f, double *__restrict__ wv)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        ace_k_gather(i, start, rstart, rq, d, fij, f, wv);
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
    int nel = b->nelements;
    ace_gpu *g = (ace_gpu *)calloc(1, sizeof *g);
    ace_khost *h = (ace_khost *)malloc(sizeof *h);
    if (ace_khost_init(h, b, prog, why, n) != 0) {
        free(h);
        free(g);
        return NULL;
    }
    g->nbuilds = -1;
    g->kp = h->kp;
    for (int mu = 0; mu < nel; mu++) { /* the programs' arrays, then the views with device pointers */
        const ace_prog *pg = &prog[mu];
        size_t P1 = pg->P > 0 ? (size_t)pg->P : 1;
        CUDA_CHECK(upload((int **)&g->d_progbuf[mu][0], pg->r1_a, (size_t)pg->n1));
        CUDA_CHECK(upload((double **)&g->d_progbuf[mu][1], pg->r1_c, (size_t)pg->n1 * P1));
        CUDA_CHECK(upload((struct ace_node **)&g->d_progbuf[mu][2], pg->nd, (size_t)pg->nnode));
        CUDA_CHECK(upload((struct ace_term **)&g->d_progbuf[mu][3], pg->tm, (size_t)pg->nterm));
        CUDA_CHECK(upload((int **)&g->d_progbuf[mu][4], pg->tm_par, (size_t)pg->nterm));
        CUDA_CHECK(upload((int **)&g->d_progbuf[mu][5], pg->tm_a, (size_t)pg->nterm));
        CUDA_CHECK(upload((double **)&g->d_progbuf[mu][6], pg->tm_c, (size_t)pg->nterm * P1));
        h->prog[mu].r1_a = (const int *)g->d_progbuf[mu][0];
        h->prog[mu].r1_c = (const double *)g->d_progbuf[mu][1];
        h->prog[mu].nd = (const struct ace_node *)g->d_progbuf[mu][2];
        h->prog[mu].tm = (const struct ace_term *)g->d_progbuf[mu][3];
        h->prog[mu].tm_par = (const int *)g->d_progbuf[mu][4];
        h->prog[mu].tm_a = (const int *)g->d_progbuf[mu][5];
        h->prog[mu].tm_c = (const double *)g->d_progbuf[mu][6];
    }
    CUDA_CHECK(upload(&g->d_bond, (const ace_kbond *)h->bond, (size_t)nel * nel));
    CUDA_CHECK(upload(&g->d_tab, (const double *)h->tab, h->ntab));
    CUDA_CHECK(upload(&g->d_E0, (const double *)h->E0, (size_t)nel));
    CUDA_CHECK(upload(&g->d_prog, (const ace_kprog *)h->prog, (size_t)nel));
    CUDA_CHECK(upload(&g->d_emb, (const ace_kemb *)h->emb, (size_t)nel));
    CUDA_CHECK(upload(&g->d_ylm, (const ace_ylm_coef *)ace_ylm_coefs(), 1));
    CUDA_CHECK(upload(&g->d_err, (const int *)NULL, 1));
    ace_khost_free(h);
    free(h);
    g->kp.bond = g->d_bond;
    g->kp.tab = g->d_tab;
    g->kp.prog = g->d_prog;
    g->kp.emb = g->d_emb;
    g->kp.E0 = g->d_E0;
    g->kp.ylm = g->d_ylm;
    return g;
fail:
    snprintf(why, n, "%s", g_errbuf);
    ace_khost_free(h);
    free(h);
    ace_gpu_free(g);
    return NULL;
}

/* ------------------------------------------------------------------ one step */

static int grow(ace_gpu *g, int nn, long npairs, int host_list)
{
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
    if (npairs > g->p_cap) { /* per pair, both paths: displacements and pair forces */
        long cap = npairs + npairs / 4 + 16;
        cudaFree(g->d_d), cudaFree(g->d_fij);
        g->d_d = g->d_fij = NULL;
        CUDA_CHECK(cudaMalloc((void **)&g->d_d, (size_t)cap * 3 * sizeof(double)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_fij, (size_t)cap * 3 * sizeof(double)));
        g->p_cap = cap;
        g->nbuilds = -1;
    }
    if (host_list && npairs > g->hp_cap) { /* the uploaded host list (not the MD device path) */
        long cap = npairs + npairs / 4 + 16;
        cudaFree(g->d_j), cudaFree(g->d_i), cudaFree(g->d_shift), cudaFree(g->d_rq);
        g->d_j = g->d_i = g->d_shift = g->d_rq = NULL;
        CUDA_CHECK(cudaMalloc((void **)&g->d_j, (size_t)cap * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_i, (size_t)cap * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_shift, (size_t)cap * 3 * sizeof(int)));
        CUDA_CHECK(cudaMalloc((void **)&g->d_rq, (size_t)cap * sizeof(int)));
        g->hp_cap = cap;
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
    int *rstart = (int *)malloc(((size_t)n + 1) * sizeof(int));
    int *rq = (int *)malloc((size_t)(np > 0 ? np : 1) * sizeof(int));
    int rc = -1;
    ace_k_index(nl, ii, rstart, rq);
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
    free(ii), free(rstart), free(rq);
    return rc;
}

extern "C" int ace_gpu_compute(ace_gpu *g, const int *type_map, pcm_system *s, const pcm_nlist *nl, char *err,
                               size_t errn)
{
    int n = s->n, hostmin = -1;
    long np = nl->npairs;
    const int TB = 128;
    if (grow(g, s->n, nl->npairs, 1) != 0)
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
        k_geom<<<(unsigned)((np + TB - 1) / TB), TB>>>(g->d_j, g->d_shift, g->d_i, g->d_x, g->d_h, g->d_d, np);
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

/* ------------------------------------------------------------------ device-resident list */

/* The MD device path (md_cuda.cu): positions, species and the list are already on the
 * device; pe, f and the per-atom virial stay there.  Same kernels, same order as above. */
extern "C" int ace_gpu_compute_dev(ace_gpu *g, int n, long np, const int *d_start, const int *d_j,
                                   const int *d_shift, const int *d_ii, const int *d_rstart, const int *d_rq,
                                   const double *d_x, const int *d_mu, const double *d_h, double *d_pe, double *d_f,
                                   double *d_wv, char *err, size_t errn)
{
    int hostmin = -1;
    const int TB = 128;
    if (grow(g, n, np, 0) != 0)
        goto fail;
    CUDA_CHECK(cudaMemcpy(g->d_err, &hostmin, sizeof(int), cudaMemcpyHostToDevice));
    if (np > 0) {
        k_geom<<<(unsigned)((np + TB - 1) / TB), TB>>>(d_j, d_shift, d_ii, d_x, d_h, g->d_d, np);
        CUDA_CHECK(cudaGetLastError());
    }
    for (int a0 = 0; a0 < n; a0 += g->chunk) {
        int a1 = a0 + g->chunk < n ? a0 + g->chunk : n;
        k_atom<<<(unsigned)((a1 - a0 + 63) / 64), 64>>>(g->kp, a0, a1, d_start, d_j, d_mu, g->d_d, g->d_scr, d_pe,
                                                          g->d_dE, g->d_jmin, g->d_err);
        CUDA_CHECK(cudaGetLastError());
        if (np > 0) {
            k_force_dev<<<(unsigned)(g->pthreads / TB), TB>>>(g->kp, a0, a1, d_start, d_ii, d_j, d_mu, g->d_d,
                                                              g->d_scr, g->d_dE, g->d_jmin, g->d_pscr, g->d_fij);
            CUDA_CHECK(cudaGetLastError());
        }
    }
    if (n > 0) {
        k_gather<<<(unsigned)((n + TB - 1) / TB), TB>>>(n, d_start, d_rstart, d_rq, g->d_d, g->d_fij, d_f, d_wv);
        CUDA_CHECK(cudaGetLastError());
    }
    CUDA_CHECK(cudaMemcpy(&hostmin, g->d_err, sizeof(int), cudaMemcpyDeviceToHost)); /* 4 bytes a step */
    if (hostmin >= 0) {
        snprintf(err, errn, "atom %d has a neighbour closer than the spline grid spacing", hostmin);
        return -1;
    }
    return 0;
fail:
    snprintf(err, errn, "%s", g_errbuf);
    return -1;
}
