/* md_dev.c - the device MD path's control logic (which stage, when to rebuild, the list
 * grid) and its CPU backend MDD_HOST (see md_dev.h).
 *
 * MDD_HOST runs, stage by stage, the loops that md_cuda.cu launches as kernels, over the
 * same flat arrays and calling the same host/device functions; where a kernel fills an
 * array through integer atomics (bin members, reverse pairs) this backend fills it in
 * reverse order and then sorts exactly as the kernel does, so the tests see that the
 * result does not depend on the fill order.
 */
#include "md_dev.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ace_gpu.h"
#include "ace_kernels.h"
#include "gpu.h"
#include "md_kernels.h"
#include "nl_kernels.h"
#include "units.h"

#define MDD_SCAN_BLOCK 1024 /* entries per block of the integer scans (as the kernels) */
#define MDD_MAX_BINS 256    /* per direction, as neighbor.c */

struct mdd {
    mdd_kind kind;
    mdd_force_src fm;
    const mdd_ops *ops;
    void *b;
    pcm_potential *pot;
    int n;
    double skin, rcut;
    pcm_cell cell;   /* at upload (the device path runs at fixed cell) */
    long nbuilds;
    int need_build;
};

/* ------------------------------------------------------------------ host backend */

typedef struct hb {
    mdd_force_src fm;
    pcm_potential *pot;
    ace_khost *kh;
    int n, nmass, nbins, chunk;
    double mass[PCM_MAX_SPECIES];
    double *x, *v, *f, *pe, *wv, *x0, *xw, *move2;
    int *type, *mu, *w, *bin3, *binid, *bstart, *batom, *bfill;
    int *start, *rstart, *rfill;
    long np, pcap;
    int *j, *shift, *ii, *rq;
    double *d, *fij;
    double *scr, *dE, *ps;
    int *jmin;
    pcm_system *sys; /* MDD_FORCES_POTENTIAL: the potential's view */
    pcm_nlist *nl;
    double energy, wsum[6];
} hb;

static void hb_destroy(void *p)
{
    hb *h = p;
    if (!h)
        return;
    if (h->kh) {
        ace_khost_free(h->kh);
        free(h->kh);
    }
    free(h->x), free(h->v), free(h->f), free(h->pe), free(h->wv), free(h->x0), free(h->xw), free(h->move2);
    free(h->type), free(h->mu), free(h->w), free(h->bin3), free(h->binid), free(h->bstart), free(h->batom);
    free(h->bfill), free(h->start), free(h->rstart), free(h->rfill), free(h->j), free(h->shift), free(h->ii);
    free(h->rq), free(h->d), free(h->fij), free(h->scr), free(h->dE), free(h->ps), free(h->jmin);
    system_free(h->sys);
    nl_free(h->nl);
    free(h);
}

static int hb_upload(void *p, int n, const double *x, const double *v, const double *f, const int *type,
                     const int *mu, const double *mass, int nmass, char *err, size_t en)
{
    hb *h = p;
    (void)err, (void)en;
    if (n != h->n) {
        size_t n1 = (size_t)(n > 0 ? n : 1);
        h->x = pcm_realloc(h->x, 3 * n1 * sizeof(double));
        h->v = pcm_realloc(h->v, 3 * n1 * sizeof(double));
        h->f = pcm_realloc(h->f, 3 * n1 * sizeof(double));
        h->x0 = pcm_realloc(h->x0, 3 * n1 * sizeof(double));
        h->xw = pcm_realloc(h->xw, 3 * n1 * sizeof(double));
        h->pe = pcm_realloc(h->pe, n1 * sizeof(double));
        h->move2 = pcm_realloc(h->move2, n1 * sizeof(double));
        h->wv = pcm_realloc(h->wv, 6 * n1 * sizeof(double));
        h->type = pcm_realloc(h->type, n1 * sizeof(int));
        h->mu = pcm_realloc(h->mu, n1 * sizeof(int));
        h->w = pcm_realloc(h->w, 3 * n1 * sizeof(int));
        h->bin3 = pcm_realloc(h->bin3, 3 * n1 * sizeof(int));
        h->binid = pcm_realloc(h->binid, n1 * sizeof(int));
        h->batom = pcm_realloc(h->batom, n1 * sizeof(int));
        h->start = pcm_realloc(h->start, (n1 + 1) * sizeof(int));
        h->rstart = pcm_realloc(h->rstart, (n1 + 1) * sizeof(int));
        h->rfill = pcm_realloc(h->rfill, n1 * sizeof(int));
        h->n = n;
        h->chunk = n < 4096 ? (n > 0 ? n : 1) : 4096; /* the ACE scratch is per chunk, as on the device */
        if (h->kh) {
            h->scr = pcm_realloc(h->scr, (size_t)h->chunk * h->kh->kp.a_stride * sizeof(double));
            h->dE = pcm_realloc(h->dE, (size_t)h->chunk * 3 * sizeof(double));
            h->jmin = pcm_realloc(h->jmin, (size_t)h->chunk * sizeof(int));
        }
    }
    memcpy(h->x, x, (size_t)n * 3 * sizeof(double));
    memcpy(h->v, v, (size_t)n * 3 * sizeof(double));
    memcpy(h->f, f, (size_t)n * 3 * sizeof(double));
    memcpy(h->type, type, (size_t)n * sizeof(int));
    memcpy(h->mu, mu, (size_t)n * sizeof(int));
    memcpy(h->mass, mass, (size_t)nmass * sizeof(double));
    h->nmass = nmass;
    return 0;
}

static void hb_kick(void *p, double hh)
{
    hb *h = p;
    for (int i = 0; i < h->n; i++)
        mdk_kick(i, hh, h->mass, h->type, h->v, h->f);
}

static void hb_drift(void *p, double dt, double out[2])
{
    hb *h = p;
    for (int i = 0; i < h->n; i++)
        h->move2[i] = mdk_drift(i, dt, h->x, h->v);
    int nc = mdk_nchunks(h->n, MDK_CHUNK);
    out[0] = out[1] = 0.0;
    for (int c = 0; c < nc; c++) { /* the kernel: one thread per chunk, then one thread over chunks */
        double m[2];
        mdk_moves_chunk(c, MDK_CHUNK, h->n, h->move2, h->x, h->x0, m);
        out[0] = mdk_max(out[0], m[0]);
        out[1] = mdk_max(out[1], m[1]);
    }
}

/* Inclusive scan of a[0..n) as the kernels do it (block sums, offsets, block scans). */
static void hb_scan(int *a, long n)
{
    int nb = mdk_nchunks(n, MDD_SCAN_BLOCK);
    long *bs = pcm_malloc((size_t)(nb > 0 ? nb : 1) * sizeof *bs);
    for (int b = 0; b < nb; b++)
        bs[b] = mdk_iblock_sum(b, MDD_SCAN_BLOCK, n, a);
    mdk_iblock_offsets(bs, nb);
    for (int b = 0; b < nb; b++)
        mdk_iblock_scan(b, MDD_SCAN_BLOCK, n, a, bs[b]);
    free(bs);
}

static int hb_build(void *p, const nlk_grid *g, char *err, size_t en)
{
    hb *h = p;
    int n = h->n, nbins = g->nb[0] * g->nb[1] * g->nb[2];
    (void)err, (void)en;
    if (nbins != h->nbins) {
        h->bstart = pcm_realloc(h->bstart, (size_t)(nbins + 1) * sizeof(int));
        h->bfill = pcm_realloc(h->bfill, (size_t)nbins * sizeof(int));
        h->nbins = nbins;
    }
    /* k_bin: wrap and bin; k_bcount: bstart[1 + bin]++ (atomic); scan; k_bfill (atomic
     * slot, here in reverse order); k_bsort: each bin's atoms ascending */
    memset(h->bstart, 0, (size_t)(nbins + 1) * sizeof(int));
    memset(h->bfill, 0, (size_t)nbins * sizeof(int));
    for (int i = 0; i < n; i++)
        h->binid[i] = nlk_bin_atom(g, i, h->x, h->xw, h->w, h->bin3);
    for (int i = 0; i < n; i++)
        h->bstart[1 + h->binid[i]]++;
    hb_scan(h->bstart + 1, nbins);
    for (int i = n - 1; i >= 0; i--) {
        int b = h->binid[i];
        h->batom[h->bstart[b] + h->bfill[b]++] = i;
    }
    for (int b = 0; b < nbins; b++)
        mdk_isort(h->batom, h->bstart[b], h->bstart[b + 1]);
    /* k_ncount: per atom; scan; pairs sized on the host (one long comes back) */
    h->start[0] = 0;
    for (int i = 0; i < n; i++)
        h->start[i + 1] = nlk_scan_atom(g, i, h->bin3, h->xw, h->w, h->bstart, h->batom, NULL, NULL);
    hb_scan(h->start + 1, n);
    h->np = h->start[n];
    if (h->np > h->pcap) {
        h->pcap = h->np + h->np / 4 + 16;
        h->j = pcm_realloc(h->j, (size_t)h->pcap * sizeof(int));
        h->ii = pcm_realloc(h->ii, (size_t)h->pcap * sizeof(int));
        h->rq = pcm_realloc(h->rq, (size_t)h->pcap * sizeof(int));
        h->shift = pcm_realloc(h->shift, (size_t)h->pcap * 3 * sizeof(int));
        h->d = pcm_realloc(h->d, (size_t)h->pcap * 3 * sizeof(double));
        h->fij = pcm_realloc(h->fij, (size_t)h->pcap * 3 * sizeof(double));
    }
    /* k_nfill: per atom, its pairs and centre index */
    for (int i = 0; i < n; i++) {
        nlk_scan_atom(g, i, h->bin3, h->xw, h->w, h->bstart, h->batom, h->j + h->start[i], h->shift + 3L * h->start[i]);
        nlk_centre(i, h->start, h->ii);
    }
    /* reverse index: k_rcount (atomic), scan, k_rfill (atomic; reverse order here), k_rsort */
    memset(h->rstart, 0, (size_t)(n + 1) * sizeof(int));
    memset(h->rfill, 0, (size_t)n * sizeof(int));
    for (long q = 0; q < h->np; q++)
        h->rstart[1 + h->j[q]]++;
    hb_scan(h->rstart + 1, n);
    for (long q = h->np - 1; q >= 0; q--) {
        int jj = h->j[q];
        h->rq[h->rstart[jj] + h->rfill[jj]++] = (int)q;
    }
    for (int i = 0; i < n; i++)
        mdk_isort(h->rq, h->rstart[i], h->rstart[i + 1]);
    memcpy(h->x0, h->x, (size_t)n * 3 * sizeof(double));
    return 0;
}

static int hb_forces_potential(hb *h, const double hc[9], char *err, size_t en)
{
    pcm_system *s = h->sys;
    pcm_nlist *nl = h->nl;
    if (memcmp(s->cell.h, hc, sizeof s->cell.h) != 0)
        cell_set(&s->cell, (const double(*)[3])hc);
    memcpy(s->x, h->x, (size_t)h->n * 3 * sizeof(double));
    if (nl->n != h->n || nl->cap < h->np || nl->nbuilds == 0) {
        nl->start = pcm_realloc(nl->start, (size_t)(h->n + 1) * sizeof(int));
        nl->n = h->n;
    }
    if (nl->cap < h->np) {
        nl->cap = h->pcap;
        nl->j = pcm_realloc(nl->j, (size_t)nl->cap * sizeof(int));
        nl->shift = pcm_realloc(nl->shift, (size_t)nl->cap * sizeof *nl->shift);
        nl->d = pcm_realloc(nl->d, (size_t)nl->cap * sizeof *nl->d);
    }
    memcpy(nl->start, h->start, (size_t)(h->n + 1) * sizeof(int));
    memcpy(nl->j, h->j, (size_t)h->np * sizeof(int));
    memcpy(nl->shift, h->shift, (size_t)h->np * 3 * sizeof(int));
    nl->npairs = h->np;
    nl->nbuilds = 1;
    nl_update(nl, s);
    pcm_err e = {{0}};
    if (potential_compute(h->pot, s, nl, &e) != 0) {
        snprintf(err, en, "%s", e.msg);
        return -1;
    }
    memcpy(h->f, s->f, (size_t)h->n * 3 * sizeof(double));
    memcpy(h->pe, s->pe, (size_t)h->n * sizeof(double));
    h->energy = s->energy;
    memcpy(h->wsum, s->virial, sizeof h->wsum);
    return 0;
}

static int hb_forces(void *p, const double hc[9], char *err, size_t en)
{
    hb *h = p;
    if (h->fm == MDD_FORCES_POTENTIAL)
        return hb_forces_potential(h, hc, err, en);
    const ace_kparams *kp = &h->kh->kp;
    int n = h->n;
    if (!h->ps)
        h->ps = pcm_malloc(kp->p_stride * sizeof(double));
    for (long q = 0; q < h->np; q++) /* k_geom */
        ace_k_geom(q, h->j, h->shift, h->ii, h->x, hc, h->d);
    for (int a0 = 0; a0 < n; a0 += h->chunk) {
        int a1 = a0 + h->chunk < n ? a0 + h->chunk : n;
        for (int i = a0; i < a1; i++) /* k_atom */
            if (ace_k_atom_stage(kp, i, a0, h->start, h->j, h->mu, h->d, h->scr, h->pe, h->dE, h->jmin) != 0) {
                snprintf(err, en, "atom %d has a neighbour closer than the spline grid spacing", i);
                return -1;
            }
        for (long q = h->start[a0]; q < h->start[a1]; q++) /* k_force_dev */
            ace_k_force_stage(kp, q, a0, h->ii, h->j, h->mu, h->d, h->scr, h->dE, h->jmin, h->ps, h->fij);
    }
    for (int i = 0; i < n; i++) /* k_gather */
        ace_k_gather(i, h->start, h->rstart, h->rq, h->d, h->fij, h->f, h->wv);
    return 0;
}

static double hb_mv2(void *p)
{
    hb *h = p;
    int nc = mdk_nchunks(h->n, MDK_CHUNK);
    double *part = pcm_malloc((size_t)(nc > 0 ? nc : 1) * sizeof *part);
    for (int c = 0; c < nc; c++)
        part[c] = mdk_mv2_chunk(c, MDK_CHUNK, h->n, h->mass, h->type, h->v);
    double s = mdk_sum_seq(part, nc);
    free(part);
    return s;
}

static void hb_scale(void *p, double a)
{
    hb *h = p;
    for (int i = 0; i < h->n; i++)
        mdk_scale(i, a, h->v);
}

static void hb_langevin(void *p, double c, double kT, unsigned long long seed, long step)
{
    hb *h = p;
    double sc = sqrt(1.0 - c * c);
    for (int i = 0; i < h->n; i++)
        mdk_langevin(i, c, sc, kT, h->mass, h->type, seed, step, h->v);
}

static void hb_momentum(void *p, double pm[4])
{
    hb *h = p;
    int nc = mdk_nchunks(h->n, MDK_CHUNK);
    double *part = pcm_malloc((size_t)(nc > 0 ? nc : 1) * 4 * sizeof *part), *t = part + 0;
    for (int c = 0; c < nc; c++) { /* part[k·nc + c], as the kernel */
        double o[4];
        mdk_momentum_chunk(c, MDK_CHUNK, h->n, h->mass, h->type, h->v, o);
        for (int k = 0; k < 4; k++)
            t[k * nc + c] = o[k];
    }
    for (int k = 0; k < 4; k++)
        pm[k] = mdk_sum_seq(&part[k * nc], nc);
    free(part);
}

static void hb_shift_v(void *p, const double dv[3])
{
    hb *h = p;
    for (int i = 0; i < h->n; i++)
        mdk_shift_v(i, dv, h->v);
}

static int hb_download(void *p, double *x, double *v, double *f, double *pe, double w[6], double *energy, char *err,
                       size_t en)
{
    hb *h = p;
    (void)err, (void)en;
    size_t n = (size_t)h->n;
    memcpy(x, h->x, n * 3 * sizeof(double));
    memcpy(v, h->v, n * 3 * sizeof(double));
    memcpy(f, h->f, n * 3 * sizeof(double));
    memcpy(pe, h->pe, n * sizeof(double));
    if (h->fm == MDD_FORCES_POTENTIAL) {
        memcpy(w, h->wsum, 6 * sizeof(double));
        *energy = h->energy;
        return 1;
    }
    int nc = mdk_nchunks(h->n, MDK_CHUNK);
    double *part = pcm_malloc((size_t)(nc > 0 ? nc : 1) * sizeof *part);
    for (int c6 = 0; c6 < 6; c6++) { /* k_vsum: fixed-shape sums of the per-atom virial */
        for (int c = 0; c < nc; c++)
            part[c] = mdk_sum_chunk(c, MDK_CHUNK, h->n, h->wv, 6, c6);
        w[c6] = mdk_sum_seq(part, nc);
    }
    free(part);
    return 0;
}

static long hb_get_list(void *p, int **start, int **j, int **shift)
{
    hb *h = p;
    *start = pcm_malloc((size_t)(h->n + 1) * sizeof(int));
    *j = pcm_malloc((size_t)(h->np > 0 ? h->np : 1) * sizeof(int));
    *shift = pcm_malloc((size_t)(h->np > 0 ? h->np : 1) * 3 * sizeof(int));
    memcpy(*start, h->start, (size_t)(h->n + 1) * sizeof(int));
    memcpy(*j, h->j, (size_t)h->np * sizeof(int));
    memcpy(*shift, h->shift, (size_t)h->np * 3 * sizeof(int));
    return h->np;
}

static const mdd_ops hb_ops = {hb_upload,   hb_kick,    hb_drift,    hb_build,    hb_forces,  hb_mv2,
                               hb_scale,    hb_langevin, hb_momentum, hb_shift_v, hb_download, hb_get_list,
                               hb_destroy};

static void *hb_new(mdd_force_src fm, pcm_potential *pot, const pcm_system *s, double skin, char *why, size_t n)
{
    hb *h = pcm_calloc(1, sizeof *h);
    h->fm = fm;
    h->pot = pot;
    if (fm == MDD_FORCES_DEVICE) {
        h->kh = pcm_malloc(sizeof *h->kh); /* kp points into *kh: never moved */
        if (ace_potential_khost(pot, h->kh, why, n) != 0) {
            free(h->kh);
            h->kh = NULL;
            hb_destroy(h);
            return NULL;
        }
    } else {
        h->sys = system_copy(s);
        h->nl = nl_new(pot->rcut, skin);
    }
    return h;
}

/* ------------------------------------------------------------------ control */

mdd *mdd_new(mdd_kind kind, mdd_force_src fm, pcm_potential *pot, const pcm_system *s, double skin, char *why, size_t n)
{
    mdd *d = pcm_calloc(1, sizeof *d);
    d->kind = kind;
    d->fm = fm;
    d->pot = pot;
    d->skin = skin;
    d->rcut = pot->rcut;
    d->n = -1;
    if (fm == MDD_FORCES_DEVICE && !ace_potential_type_map(pot)) {
        snprintf(why, n, "%s is not a plain ACE potential (the device path computes ACE only)",
                 pot->path ? pot->path : pot->ops->kind);
        free(d);
        return NULL;
    }
    if (kind == MDD_CUDA) {
        if (fm != MDD_FORCES_DEVICE || !ace_potential_gpu(pot)) {
            snprintf(why, n, "the potential does not run on the GPU");
            free(d);
            return NULL;
        }
        d->b = mdd_cuda_new(pot, &d->ops, why, n);
    } else {
        d->b = hb_new(fm, pot, s, skin, why, n);
        d->ops = &hb_ops;
    }
    if (!d->b) {
        free(d);
        return NULL;
    }
    return d;
}

void mdd_free(mdd *d)
{
    if (!d)
        return;
    d->ops->destroy(d->b);
    free(d);
}

const char *mdd_name(const mdd *d) { return d->kind == MDD_CUDA ? "GPU" : "device path on the CPU"; }
long mdd_nbuilds(const mdd *d) { return d->nbuilds; }

int mdd_upload(mdd *d, const pcm_system *s, char *err, size_t n)
{
    size_t fr = 0, tot = 0;
    if (d->kind == MDD_CUDA && s->n > d->n && gpu_mem_info(&fr, &tot) == 0) {
        double bpa = mdd_bytes_per_atom(d->pot, s, d->skin), need = bpa * (s->n - (d->n > 0 ? d->n : 0));
        if (need > 0.75 * (double)fr)
            return snprintf(err, n, "%d atoms need about %.2f GiB more on the GPU (%.0f B/atom), %.2f GiB free",
                            s->n, need / 1073741824.0, bpa, fr / 1073741824.0), -1;
    }
    const int *tm = d->fm == MDD_FORCES_DEVICE ? ace_potential_type_map(d->pot) : NULL;
    int *mu = pcm_malloc((size_t)(s->n > 0 ? s->n : 1) * sizeof *mu);
    for (int i = 0; i < s->n; i++)
        mu[i] = tm ? tm[s->type[i]] : s->type[i];
    int rc = d->ops->upload(d->b, s->n, &s->x[0][0], &s->v[0][0], &s->f[0][0], s->type, mu, s->species_mass,
                            s->nspecies, err, n);
    free(mu);
    d->n = s->n;
    d->cell = s->cell;
    d->need_build = 1;
    return rc;
}

void mdd_kick(mdd *d, double h) { d->ops->kick(d->b, h); }

void mdd_drift(mdd *d, double dt, double *move2, double *disp2)
{
    double o[2];
    d->ops->drift(d->b, dt, o);
    *move2 = o[0];
    *disp2 = o[1];
}

/* neighbor.c's bin_atoms grid for the cutoff rc = rcut + skin. */
static void mdd_grid(const pcm_cell *c, double rc, nlk_grid *g)
{
    double sp[3];
    cell_plane_spacings(c, sp);
    for (int a = 0; a < 3; a++) {
        g->nb[a] = (int)floor(sp[a] / rc);
        if (g->nb[a] < 1)
            g->nb[a] = 1;
        if (g->nb[a] > MDD_MAX_BINS)
            g->nb[a] = MDD_MAX_BINS;
        g->k[a] = (int)ceil(rc * g->nb[a] / sp[a]);
        for (int k = 0; k < 3; k++) {
            g->h[3 * a + k] = c->h[a][k];
            g->hinv[3 * a + k] = c->hinv[a][k];
        }
    }
    g->rc2 = rc * rc;
}

int mdd_refresh(mdd *d, double disp2, char *err, size_t n)
{
    /* nl_needs_rebuild at fixed cell: 2·max|x - x0| > skin */
    if (!d->need_build && !(2.0 * sqrt(disp2) > 2.0 * (0.5 * d->skin)))
        return 0;
    nlk_grid g;
    mdd_grid(&d->cell, d->rcut + d->skin, &g);
    if (d->ops->build(d->b, &g, err, n) != 0)
        return -1;
    d->need_build = 0;
    d->nbuilds++;
    return 1;
}

int mdd_forces(mdd *d, char *err, size_t n) { return d->ops->forces(d->b, &d->cell.h[0][0], err, n); }

double mdd_kinetic(mdd *d) { return 0.5 * d->ops->mv2(d->b) * PCM_MVV2E; }

void mdd_scale(mdd *d, double a) { d->ops->scale(d->b, a); }

void mdd_langevin(mdd *d, double c, double kT, unsigned long long seed, long step)
{
    d->ops->langevin(d->b, c, kT, seed, step);
    double pm[4];
    d->ops->momentum(d->b, pm);
    if (pm[3] <= 0.0)
        return;
    double dv[3] = {pm[0] / pm[3], pm[1] / pm[3], pm[2] / pm[3]}; /* as system_zero_momentum */
    d->ops->shift_v(d->b, dv);
}

int mdd_download(mdd *d, pcm_system *s, char *err, size_t n)
{
    double w[6], e = 0.0;
    int rc = d->ops->download(d->b, &s->x[0][0], &s->v[0][0], &s->f[0][0], s->pe, w, &e, err, n);
    if (rc < 0)
        return -1;
    if (rc == 0) { /* Σ pe in atom order, as the CPU evaluator */
        e = 0.0;
        for (int i = 0; i < s->n; i++)
            e += s->pe[i];
    }
    s->energy = e;
    memcpy(s->virial, w, sizeof w);
    return 0;
}

int mdd_get_list(mdd *d, pcm_nlist *nl, const pcm_system *s)
{
    int *start, *j, *shift;
    long np = d->ops->get_list(d->b, &start, &j, &shift);
    if (np < 0)
        return -1;
    free(nl->start), free(nl->j), free(nl->shift), free(nl->d);
    nl->start = start;
    nl->j = j;
    nl->shift = (int(*)[3])shift;
    nl->d = pcm_malloc((size_t)(np > 0 ? np : 1) * sizeof *nl->d);
    nl->n = s->n;
    nl->npairs = nl->cap = np;
    nl->rcut = d->rcut;
    nl->skin = d->skin;
    nl->x0 = pcm_realloc(nl->x0, (size_t)(s->n > 0 ? s->n : 1) * sizeof *nl->x0);
    memcpy(nl->x0, s->x, (size_t)s->n * sizeof *nl->x0);
    nl->cell0 = s->cell;
    nl->nbuilds++;
    nl_update(nl, s);
    return 0;
}

double mdd_bytes_per_atom(const pcm_potential *pot, const pcm_system *s, double skin)
{
    double rc = pot->rcut + skin, rho = s->cell.volume > 0 ? s->n / s->cell.volume : 0.0;
    double nn = 4.0 / 3.0 * M_PI * rc * rc * rc * rho; /* neighbours per atom within rc + skin */
    /* per atom: x v f x0 xw (15 doubles), pe wv move2 (8), ints: type mu w bin3 binid batom
     * start rstart rfill + ~1 bin (14); the ACE backend's own per-atom buffers (13 doubles,
     * 3 ints).  Per pair: device list j ii rq shift (6 ints), ACE d fij (6 doubles).  The
     * ACE scratch is chunked (a quarter of the free memory at most) and not counted here. */
    double atom = 8.0 * (15 + 8 + 13) + 4.0 * (14 + 3);
    double pair = 4.0 * 6 + 8.0 * 6;
    return atom + nn * pair;
}
