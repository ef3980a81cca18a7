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
#include "ace_gpu.h"
#include "ace_kernels.h"
#include "gpu.h"

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
    ace_gpu *gpu;        /* non-NULL: compute on the GPU (ace_cuda.cu) */
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
    ace_kprog pg = ace_prog_view(&im->prog[mu_i]);
    int q0 = nl->start[i], q1 = nl->start[i + 1];
    scratch_grow(im, sc, q1 - q0);
    double P0 = tnow(), P1, P2, P3;
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
    const ace_ylm_coef *cf = ace_ylm_coefs();
    ace_c2_t *X = (ace_c2_t *)sc->A, *GX = (ace_c2_t *)sc->GA;
    double rho_core = 0;
    for (int k = 0; k < nn; k++) {
        int mu_j = sc->mu[k];
        double *val = &sc->val[(size_t)k * nf], *dval = &sc->dval[(size_t)k * nf];
        const ace_spline *sp = &b->splines[mu_i * nel + mu_j];
        if (ace_k_spline_eval(sp->c, sp->nlut, sp->rscale, nf, sc->r[k], val, dval) != 0) {
            sc->err_atom = i;
            sc->err_j = nl->j[sc->q[k]];
            return -1;
        }
        ace_c2_t *y = (ace_c2_t *)&sc->y[(size_t)k * nlm];
        ace_k_ylm_pair(cf, b->lmax, sc->rh[k], &sc->pp[(size_t)k * nlm], &sc->ph[(size_t)k * L], y);
        ace_k_accum_A(K, N, L, val, y, &sc->A1[mu_j * K], &X[aidx(im, mu_j, 0, 0, 0)]);
        rho_core += val[K + N * L];
    }
    PROF(0, P0, P1);
    ace_k_A_negm(nel, N, L, X);
    /* densities, embedding, core repulsion, adjoint */
    const ace_embedding *em = &b->emb[mu_i];
    ace_kemb kem = {.npoti = em->npoti, .rho_core_cut = em->rho_core_cut, .drho_core_cut = em->drho_core_cut};
    assert(pg.P <= 8);
    for (int p = 0; p < 2 * pg.P; p++)
        kem.fs[p] = em->fs[p];
    ace_katom at = {.is_zbl = is_zbl, .has_jmin = jmin >= 0, .dmin = dmin, .rho_core = rho_core};
    if (is_zbl && jmin >= 0)
        at.zbl_dcut_in = b->bonds[mu_i * nel + sc->mu[jmin]].dcut_in;
    ace_k_atom_embed(&pg, &kem, nel, K, N, L, X, GX, sc->A1, sc->W1, (ace_c2_t *)sc->W, sc->rho, sc->dF, &at);
    *Ei = at.E + b->E0[mu_i];
    PROF(1, P1, P2);
    /* per-neighbour derivatives */
    for (int c = 0; c < 6; c++)
        wv[c] = 0;
    for (int k = 0; k < nn; k++) {
        int mu_j = sc->mu[k];
        double *f = im->fij[sc->q[k]];
        ace_k_pair_force(K, N, L, &sc->val[(size_t)k * nf], &sc->dval[(size_t)k * nf],
                         (const ace_c2_t *)&sc->y[(size_t)k * nlm], (const double(*)[2]) & sc->pp[(size_t)k * nlm],
                         (const double(*)[2]) & sc->ph[(size_t)k * L], sc->rh[k], sc->r[k], &sc->W1[mu_j * K],
                         (const ace_c2_t *)&sc->W[(size_t)mu_j * N * nlm], at.dE_dcore, k == jmin, at.dE_dfcut,
                         (ace_c2_t *)sc->T1, f);
        ace_k_pair_virial(nl->d[sc->q[k]], f, wv);
    }
    PROF(3, P2, P3);
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
    if (im->gpu) {
        char msg[512];
        if (ace_gpu_compute(im->gpu, im->type_map, s, nl, msg, sizeof msg) != 0)
            return pcm_errf(e, p->path, 0, "GPU: %s", msg);
        return 0;
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
    fprintf(stderr, "ace phases (µs/atom): A %.2f products+adjoint %.2f forces %.2f\n", 1e6 * tph[0] / tph_n,
            1e6 * tph[1] / tph_n, 1e6 * tph[3] / tph_n);
#endif
    ace_impl *im = p->impl;
    if (!im)
        return;
    ace_gpu_free(im->gpu);
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
    if (gpu_requested()) {
        char why[256];
        ace_potential_set_gpu(p, 1, why, sizeof why); /* else the CPU; the CLI prints the notice */
    }
    return p;
}

int ace_potential_set_gpu(pcm_potential *p, int on, char *why, size_t n)
{
    assert(p->ops == &ace_ops);
    ace_impl *im = p->impl;
    if (!on) {
        ace_gpu_free(im->gpu);
        im->gpu = NULL;
        snprintf(why, n, "CPU selected");
        return 0;
    }
    if (im->gpu)
        return 1;
    if (!gpu_available(why, n))
        return 0;
    im->gpu = ace_gpu_new(im->b, im->prog, why, n);
    return im->gpu != NULL;
}

int ace_potential_on_gpu(const pcm_potential *p)
{
    return p->ops == &ace_ops && ((const ace_impl *)p->impl)->gpu != NULL;
}


/* ------------------------------------------------------------------ device MD path (ace_gpu.h) */

ace_gpu *ace_potential_gpu(const pcm_potential *p)
{
    return p->ops == &ace_ops ? ((const ace_impl *)p->impl)->gpu : NULL;
}

const int *ace_potential_type_map(const pcm_potential *p)
{
    return p->ops == &ace_ops ? ((const ace_impl *)p->impl)->type_map : NULL;
}

int ace_potential_khost(const pcm_potential *p, ace_khost *h, char *why, size_t n)
{
    if (p->ops != &ace_ops) {
        snprintf(why, n, "%s is not an ACE potential", p->path ? p->path : p->ops->kind);
        return -1;
    }
    const ace_impl *im = p->impl;
    return ace_khost_init(h, im->b, im->prog, why, n);
}
