/* md_cuda.cu - the device MD path on an NVIDIA GPU: the backend MDD_CUDA of md_dev.h.
 *
 * Only data movement and thin kernels live here; every per-atom and per-pair body is a
 * host/device function of md_kernels.h, nl_kernels.h or ace_kernels.h, which md_dev.c's
 * CPU backend runs in the same order (that is what the tests check).
 *
 * Device-resident: x, v, f, pe, per-atom virial, species, the list (CSR start/j/shift,
 * pair -> centre, reverse index) and its bins.  Crossing the bus per step: 2 doubles
 * (largest move, largest displacement since the build: lost atoms and the skin test),
 * 4 bytes (ACE close-pair flag), for Bussi 1 double (Σ m v²) up and 1 double (α) down as
 * a kernel argument, for Langevin 2 + 4 doubles (kinetic energy before and after, the
 * momentum); per rebuild one int (pair count); per chunk the snapshot
 * (x, v, f, pe: 10 doubles per atom) and 6 doubles of virial.
 * Deterministic: integer atomics only (bin/reverse counts and fills), every filled range
 * is sorted afterwards; floating-point sums are fixed-shape (md_kernels.h).
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ace_kernels.h" /* first: C++ operators must not get C linkage */
#include "md_kernels.h"
#include "nl_kernels.h"
extern "C" {
#include "ace_basis.h"
#include "ace_dag.h"
}
#include "ace_gpu.h"
#include "md_dev.h"

#define MC_CHECK(call)                                                                                            \
    do {                                                                                                          \
        cudaError_t err_ = (call);                                                                                \
        if (err_ != cudaSuccess) {                                                                                \
            snprintf(err, en, "%s:%d: %s: %s", __FILE__, __LINE__, #call, cudaGetErrorString(err_));              \
            return -1;                                                                                            \
        }                                                                                                         \
    } while (0)

#define TB 128
#define SCAN_B 1024
static unsigned nblk(long n) { return (unsigned)((n + TB - 1) / TB); }

typedef struct cb {
    ace_gpu *g;
    int n, n_cap, nbins, nmass;
    long np, p_cap;
    double *x, *v, *f, *pe, *wv, *x0, *xw, *move2, *part, *h; /* part: [6·nchunks] reductions */
    double *mass;
    int *type, *mu, *w, *bin3, *binid, *bstart, *batom, *bfill, *start, *rstart, *rfill;
    int *j, *shift, *ii, *rq;
    long *bs; /* scan block sums */
    long bs_cap;
    char err[256];
} cb;

/* ------------------------------------------------------------------ kernels */

__global__ void k_kick(int n, double h, const double *mass, const int *type, double *v, const double *f)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        mdk_kick(i, h, mass, type, v, f);
}

__global__ void k_drift(int n, double dt, double *x, const double *v, double *move2)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        move2[i] = mdk_drift(i, dt, x, v);
}

__global__ void k_moves_chunk(int n, const double *move2, const double *x, const double *x0, double *part)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < mdk_nchunks(n, MDK_CHUNK))
        mdk_moves_chunk(c, MDK_CHUNK, n, move2, x, x0, &part[2 * c]);
}

__global__ void k_moves_final(int nc, double *part) /* one thread: part[0..1] = max over chunks */
{
    double m = 0.0, d = 0.0;
    for (int c = 0; c < nc; c++) {
        m = mdk_max(m, part[2 * c]);
        d = mdk_max(d, part[2 * c + 1]);
    }
    part[0] = m;
    part[1] = d;
}

__global__ void k_mv2_chunk(int n, const double *mass, const int *type, const double *v, double *part)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < mdk_nchunks(n, MDK_CHUNK))
        part[c] = mdk_mv2_chunk(c, MDK_CHUNK, n, mass, type, v);
}

__global__ void k_vsum_chunk(int n, const double *wv, double *part) /* part[comp·nc + c] */
{
    int t = blockIdx.x * blockDim.x + threadIdx.x, nc = mdk_nchunks(n, MDK_CHUNK);
    if (t < 6 * nc)
        part[t] = mdk_sum_chunk(t % nc, MDK_CHUNK, n, wv, 6, t / nc);
}

__global__ void k_sum_final(int nc, int ncomp, double *part) /* one thread: part[k] = Σ_c part[k·nc + c] */
{
    double s[6];
    for (int k = 0; k < ncomp; k++)
        s[k] = mdk_sum_seq(&part[k * nc], nc);
    for (int k = 0; k < ncomp; k++)
        part[k] = s[k];
}

__global__ void k_scale(int n, double a, double *v)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        mdk_scale(i, a, v);
}

__global__ void k_langevin(int n, double c, double sc, double kT, const double *mass, const int *type,
                           unsigned long long seed, long step, double *v)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        mdk_langevin(i, c, sc, kT, mass, type, seed, step, v);
}

__global__ void k_momentum_chunk(int n, const double *mass, const int *type, const double *v, double *part)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x, nc = mdk_nchunks(n, MDK_CHUNK);
    if (c < nc) {
        double o[4];
        mdk_momentum_chunk(c, MDK_CHUNK, n, mass, type, v, o);
        for (int k = 0; k < 4; k++)
            part[k * nc + c] = o[k];
    }
}

__global__ void k_shift_v(int n, double d0, double d1, double d2, double *v)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    double dv[3] = {d0, d1, d2};
    if (i < n)
        mdk_shift_v(i, dv, v);
}

__global__ void k_bin(nlk_grid g, int n, const double *x, double *xw, int *w, int *bin3, int *binid, int *bcount)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        int b = nlk_bin_atom(&g, i, x, xw, w, bin3);
        binid[i] = b;
        atomicAdd(&bcount[b], 1);
    }
}

__global__ void k_bfill(int n, const int *binid, const int *bstart, int *bfill, int *batom)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        int b = binid[i];
        batom[bstart[b] + atomicAdd(&bfill[b], 1)] = i;
    }
}

__global__ void k_rangesort(int m, const int *lo, int *a) /* range k = a[lo[k] .. lo[k+1]) */
{
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k < m)
        mdk_isort(a, lo[k], lo[k + 1]);
}

__global__ void k_ncount(nlk_grid g, int n, const int *bin3, const double *xw, const int *w, const int *bstart,
                         const int *batom, int *cnt)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        cnt[i] = nlk_scan_atom(&g, i, bin3, xw, w, bstart, batom, NULL, NULL);
}

__global__ void k_nfill(nlk_grid g, int n, const int *bin3, const double *xw, const int *w, const int *bstart,
                        const int *batom, const int *start, int *jj, int *shift, int *ii)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        nlk_scan_atom(&g, i, bin3, xw, w, bstart, batom, jj + start[i], shift + 3L * start[i]);
        nlk_centre(i, start, ii);
    }
}

__global__ void k_rcount(long np, const int *jj, int *rcount)
{
    long q = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (q < np)
        atomicAdd(&rcount[jj[q]], 1);
}

__global__ void k_rfill(long np, const int *jj, const int *rstart, int *rfill, int *rq)
{
    long q = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (q < np) {
        int j = jj[q];
        rq[rstart[j] + atomicAdd(&rfill[j], 1)] = (int)q;
    }
}

__global__ void k_scan_sum(long n, const int *a, long *bs)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b < mdk_nchunks(n, SCAN_B))
        bs[b] = mdk_iblock_sum(b, SCAN_B, n, a);
}

__global__ void k_scan_off(int nb, long *bs) { mdk_iblock_offsets(bs, nb); }

__global__ void k_scan_blk(long n, int *a, const long *bs)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b < mdk_nchunks(n, SCAN_B))
        mdk_iblock_scan(b, SCAN_B, n, a, bs[b]);
}

/* ------------------------------------------------------------------ helpers */

template <typename T> static cudaError_t regrow(T **p, size_t count)
{
    cudaFree(*p);
    *p = NULL;
    return cudaMalloc((void **)p, (count ? count : 1) * sizeof(T));
}

static int scan(cb *c, int *a, long n, char *err, size_t en) /* inclusive, in place */
{
    int nb = mdk_nchunks(n, SCAN_B);
    if (nb == 0)
        return 0;
    k_scan_sum<<<nblk(nb), TB>>>(n, a, c->bs);
    k_scan_off<<<1, 1>>>(nb, c->bs);
    k_scan_blk<<<nblk(nb), TB>>>(n, a, c->bs);
    MC_CHECK(cudaGetLastError());
    return 0;
}

/* ------------------------------------------------------------------ ops */

static void cb_destroy(void *p)
{
    cb *c = (cb *)p;
    if (!c)
        return;
    cudaFree(c->x), cudaFree(c->v), cudaFree(c->f), cudaFree(c->pe), cudaFree(c->wv), cudaFree(c->x0);
    cudaFree(c->xw), cudaFree(c->move2), cudaFree(c->part), cudaFree(c->h), cudaFree(c->mass);
    cudaFree(c->type), cudaFree(c->mu), cudaFree(c->w), cudaFree(c->bin3), cudaFree(c->binid);
    cudaFree(c->bstart), cudaFree(c->batom), cudaFree(c->bfill), cudaFree(c->start), cudaFree(c->rstart);
    cudaFree(c->rfill), cudaFree(c->j), cudaFree(c->shift), cudaFree(c->ii), cudaFree(c->rq), cudaFree(c->bs);
    free(c);
}

static int cb_upload(void *p, int n, const double *x, const double *v, const double *f, const int *type,
                     const int *mu, const double *mass, int nmass, char *err, size_t en)
{
    cb *c = (cb *)p;
    if (n > c->n_cap) {
        size_t cap = (size_t)n + n / 8 + 16, nc = (size_t)mdk_nchunks((long)cap, MDK_CHUNK);
        size_t nbs = (size_t)mdk_nchunks((long)cap + 1, SCAN_B);
        MC_CHECK(regrow(&c->x, 3 * cap));
        MC_CHECK(regrow(&c->v, 3 * cap));
        MC_CHECK(regrow(&c->f, 3 * cap));
        MC_CHECK(regrow(&c->x0, 3 * cap));
        MC_CHECK(regrow(&c->xw, 3 * cap));
        MC_CHECK(regrow(&c->pe, cap));
        MC_CHECK(regrow(&c->move2, cap));
        MC_CHECK(regrow(&c->wv, 6 * cap));
        MC_CHECK(regrow(&c->part, 6 * nc + 2));
        MC_CHECK(regrow(&c->type, cap));
        MC_CHECK(regrow(&c->mu, cap));
        MC_CHECK(regrow(&c->w, 3 * cap));
        MC_CHECK(regrow(&c->bin3, 3 * cap));
        MC_CHECK(regrow(&c->binid, cap));
        MC_CHECK(regrow(&c->batom, cap));
        MC_CHECK(regrow(&c->start, cap + 1));
        MC_CHECK(regrow(&c->rstart, cap + 1));
        MC_CHECK(regrow(&c->rfill, cap));
        if ((long)nbs > c->bs_cap) {
            MC_CHECK(regrow(&c->bs, nbs));
            c->bs_cap = (long)nbs;
        }
        c->n_cap = (int)cap;
    }
    if (!c->h) {
        MC_CHECK(regrow(&c->h, 9));
        MC_CHECK(regrow(&c->mass, PCM_MAX_SPECIES));
    }
    c->n = n;
    MC_CHECK(cudaMemcpy(c->x, x, (size_t)n * 3 * sizeof(double), cudaMemcpyHostToDevice));
    MC_CHECK(cudaMemcpy(c->v, v, (size_t)n * 3 * sizeof(double), cudaMemcpyHostToDevice));
    MC_CHECK(cudaMemcpy(c->f, f, (size_t)n * 3 * sizeof(double), cudaMemcpyHostToDevice));
    MC_CHECK(cudaMemcpy(c->type, type, (size_t)n * sizeof(int), cudaMemcpyHostToDevice));
    MC_CHECK(cudaMemcpy(c->mu, mu, (size_t)n * sizeof(int), cudaMemcpyHostToDevice));
    MC_CHECK(cudaMemcpy(c->mass, mass, (size_t)nmass * sizeof(double), cudaMemcpyHostToDevice));
    return 0;
}

static void cb_kick(void *p, double h)
{
    cb *c = (cb *)p;
    if (c->n > 0)
        k_kick<<<nblk(c->n), TB>>>(c->n, h, c->mass, c->type, c->v, c->f);
}

static void cb_drift(void *p, double dt, double out[2])
{
    cb *c = (cb *)p;
    int nc = mdk_nchunks(c->n, MDK_CHUNK);
    out[0] = out[1] = 0.0;
    if (c->n == 0)
        return;
    k_drift<<<nblk(c->n), TB>>>(c->n, dt, c->x, c->v, c->move2);
    k_moves_chunk<<<nblk(nc), TB>>>(c->n, c->move2, c->x, c->x0, c->part);
    k_moves_final<<<1, 1>>>(nc, c->part);
    if (cudaMemcpy(out, c->part, 2 * sizeof(double), cudaMemcpyDeviceToHost) != cudaSuccess)
        out[0] = out[1] = NAN; /* reported as lost atoms by md.c */
}

static int cb_build(void *p, const nlk_grid *g, char *err, size_t en)
{
    cb *c = (cb *)p;
    int n = c->n, nbins = g->nb[0] * g->nb[1] * g->nb[2];
    if (nbins > c->nbins) {
        MC_CHECK(regrow(&c->bstart, (size_t)nbins + 1));
        MC_CHECK(regrow(&c->bfill, (size_t)nbins));
        if (mdk_nchunks(nbins + 1, SCAN_B) > c->bs_cap) {
            MC_CHECK(regrow(&c->bs, (size_t)mdk_nchunks(nbins + 1, SCAN_B)));
            c->bs_cap = mdk_nchunks(nbins + 1, SCAN_B);
        }
        c->nbins = nbins;
    }
    if (n == 0)
        return 0;
    MC_CHECK(cudaMemset(c->bstart, 0, ((size_t)nbins + 1) * sizeof(int)));
    MC_CHECK(cudaMemset(c->bfill, 0, (size_t)nbins * sizeof(int)));
    k_bin<<<nblk(n), TB>>>(*g, n, c->x, c->xw, c->w, c->bin3, c->binid, c->bstart + 1);
    if (scan(c, c->bstart + 1, nbins, err, en) != 0)
        return -1;
    k_bfill<<<nblk(n), TB>>>(n, c->binid, c->bstart, c->bfill, c->batom);
    k_rangesort<<<nblk(nbins), TB>>>(nbins, c->bstart, c->batom);
    MC_CHECK(cudaMemset(c->start, 0, sizeof(int)));
    k_ncount<<<nblk(n), TB>>>(*g, n, c->bin3, c->xw, c->w, c->bstart, c->batom, c->start + 1);
    if (scan(c, c->start + 1, n, err, en) != 0)
        return -1;
    int np = 0;
    MC_CHECK(cudaMemcpy(&np, c->start + n, sizeof(int), cudaMemcpyDeviceToHost)); /* 4 bytes a rebuild */
    c->np = np;
    if (np > c->p_cap) {
        long cap = np + np / 4 + 16;
        MC_CHECK(regrow(&c->j, (size_t)cap));
        MC_CHECK(regrow(&c->ii, (size_t)cap));
        MC_CHECK(regrow(&c->rq, (size_t)cap));
        MC_CHECK(regrow(&c->shift, 3 * (size_t)cap));
        c->p_cap = cap;
    }
    k_nfill<<<nblk(n), TB>>>(*g, n, c->bin3, c->xw, c->w, c->bstart, c->batom, c->start, c->j, c->shift, c->ii);
    MC_CHECK(cudaMemset(c->rstart, 0, ((size_t)n + 1) * sizeof(int)));
    MC_CHECK(cudaMemset(c->rfill, 0, (size_t)n * sizeof(int)));
    if (np > 0) {
        k_rcount<<<nblk(np), TB>>>(np, c->j, c->rstart + 1);
        if (scan(c, c->rstart + 1, n, err, en) != 0)
            return -1;
        k_rfill<<<nblk(np), TB>>>(np, c->j, c->rstart, c->rfill, c->rq);
        k_rangesort<<<nblk(n), TB>>>(n, c->rstart, c->rq);
    }
    MC_CHECK(cudaGetLastError());
    MC_CHECK(cudaMemcpy(c->x0, c->x, (size_t)n * 3 * sizeof(double), cudaMemcpyDeviceToDevice));
    return 0;
}

static int cb_forces(void *p, const double h[9], char *err, size_t en)
{
    cb *c = (cb *)p;
    MC_CHECK(cudaMemcpy(c->h, h, 9 * sizeof(double), cudaMemcpyHostToDevice));
    return ace_gpu_compute_dev(c->g, c->n, c->np, c->start, c->j, c->shift, c->ii, c->rstart, c->rq, c->x, c->mu,
                               c->h, c->pe, c->f, c->wv, err, en);
}

static double cb_mv2(void *p)
{
    cb *c = (cb *)p;
    int nc = mdk_nchunks(c->n, MDK_CHUNK);
    double s = 0.0;
    if (c->n == 0)
        return 0.0;
    k_mv2_chunk<<<nblk(nc), TB>>>(c->n, c->mass, c->type, c->v, c->part);
    k_sum_final<<<1, 1>>>(nc, 1, c->part);
    if (cudaMemcpy(&s, c->part, sizeof(double), cudaMemcpyDeviceToHost) != cudaSuccess)
        return NAN; /* the thermostat then stops the run as a runaway */
    return s;
}

static void cb_scale(void *p, double a)
{
    cb *c = (cb *)p;
    if (c->n > 0)
        k_scale<<<nblk(c->n), TB>>>(c->n, a, c->v);
}

static void cb_langevin(void *p, double c, double kT, unsigned long long seed, long step)
{
    cb *b = (cb *)p;
    if (b->n > 0)
        k_langevin<<<nblk(b->n), TB>>>(b->n, c, sqrt(1.0 - c * c), kT, b->mass, b->type, seed, step, b->v);
}

static void cb_momentum(void *p, double pm[4])
{
    cb *c = (cb *)p;
    int nc = mdk_nchunks(c->n, MDK_CHUNK);
    pm[0] = pm[1] = pm[2] = pm[3] = 0.0;
    if (c->n == 0)
        return;
    k_momentum_chunk<<<nblk(nc), TB>>>(c->n, c->mass, c->type, c->v, c->part);
    k_sum_final<<<1, 1>>>(nc, 4, c->part);
    if (cudaMemcpy(pm, c->part, 4 * sizeof(double), cudaMemcpyDeviceToHost) != cudaSuccess)
        pm[3] = 0.0; /* leave v alone; the error surfaces at the next checked call */
}

static void cb_shift_v(void *p, const double dv[3])
{
    cb *c = (cb *)p;
    if (c->n > 0)
        k_shift_v<<<nblk(c->n), TB>>>(c->n, dv[0], dv[1], dv[2], c->v);
}

static int cb_download(void *p, double *x, double *v, double *f, double *pe, double w[6], double *energy, char *err,
                       size_t en)
{
    cb *c = (cb *)p;
    size_t n = (size_t)c->n;
    int nc = mdk_nchunks(c->n, MDK_CHUNK);
    (void)energy;
    MC_CHECK(cudaGetLastError());
    MC_CHECK(cudaMemcpy(x, c->x, n * 3 * sizeof(double), cudaMemcpyDeviceToHost));
    MC_CHECK(cudaMemcpy(v, c->v, n * 3 * sizeof(double), cudaMemcpyDeviceToHost));
    MC_CHECK(cudaMemcpy(f, c->f, n * 3 * sizeof(double), cudaMemcpyDeviceToHost));
    MC_CHECK(cudaMemcpy(pe, c->pe, n * sizeof(double), cudaMemcpyDeviceToHost));
    for (int k = 0; k < 6; k++)
        w[k] = 0.0;
    if (n > 0) {
        k_vsum_chunk<<<nblk(6L * nc), TB>>>(c->n, c->wv, c->part);
        k_sum_final<<<1, 1>>>(nc, 6, c->part);
        MC_CHECK(cudaGetLastError());
        MC_CHECK(cudaMemcpy(w, c->part, 6 * sizeof(double), cudaMemcpyDeviceToHost));
    }
    return 0;
}

static long cb_get_list(void *p, int **start, int **j, int **shift)
{
    cb *c = (cb *)p;
    *start = (int *)malloc(((size_t)c->n + 1) * sizeof(int));
    *j = (int *)malloc((size_t)(c->np > 0 ? c->np : 1) * sizeof(int));
    *shift = (int *)malloc((size_t)(c->np > 0 ? c->np : 1) * 3 * sizeof(int));
    if (!*start || !*j || !*shift ||
        cudaMemcpy(*start, c->start, ((size_t)c->n + 1) * sizeof(int), cudaMemcpyDeviceToHost) != cudaSuccess ||
        cudaMemcpy(*j, c->j, (size_t)c->np * sizeof(int), cudaMemcpyDeviceToHost) != cudaSuccess ||
        cudaMemcpy(*shift, c->shift, (size_t)c->np * 3 * sizeof(int), cudaMemcpyDeviceToHost) != cudaSuccess) {
        free(*start), free(*j), free(*shift);
        return -1;
    }
    return c->np;
}

static const mdd_ops cb_ops = {cb_upload,   cb_kick,     cb_drift,    cb_build,   cb_forces,   cb_mv2,
                               cb_scale,    cb_langevin, cb_momentum, cb_shift_v, cb_download, cb_get_list,
                               cb_destroy};

extern "C" void *mdd_cuda_new(const pcm_potential *pot, const mdd_ops **ops, char *why, size_t n)
{
    ace_gpu *g = ace_potential_gpu(pot);
    if (!g) {
        snprintf(why, n, "the ACE potential is not on the GPU");
        return NULL;
    }
    cb *c = (cb *)calloc(1, sizeof *c);
    if (!c) {
        snprintf(why, n, "out of host memory");
        return NULL;
    }
    c->g = g;
    *ops = &cb_ops;
    return c;
}
