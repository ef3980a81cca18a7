/* fit.c - linear ACE fitting (see fit.h for the model and the loss).
 *
 * Design rows per configuration come from the evaluator's descriptor API (ace_descriptors:
 * B_f(i) and dB_f(i)/dr_j of the unit-coefficient basis); the zbl switch fcut_i is applied
 * here; the fixed part (core repulsion) is the evaluator's result for the same basis with all
 * coefficients zero.  Forces: F_k = -dE/dr_k; virial W_ab = sum_i sum_j d_ij,a (-dE_i/dr_j)_b.
 */
#include "fit.h"


#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ace_basis.h"
#include "committee.h"
#include "extxyz.h"
#include "fit_lsq.h"
#include "neighbor.h"
#include "potential.h"
#include "rng.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void fit_opts_default(fit_opts *o)
{
    memset(o, 0, sizeof *o);
    o->test_fraction = 0.2;
    o->kappa = 0.3;
    o->stress_weight = 0.0;
    o->ridge = 1e-10;
    o->force_scale = 0.0;
    o->seed = 1;
}

/* ------------------------------------------------------------------ data */

int fit_dataset_read(fit_dataset *d, const char *path, pcm_err *e)
{
    pcm_xyz_reader *r = xyz_open(path, e);
    if (!r)
        return -1;
    pcm_frame *fr = frame_new();
    int rc, count = 0;
    while ((rc = xyz_read(r, fr, e)) == 1) {
        d->c = pcm_realloc(d->c, (size_t)(d->n + 1) * sizeof *d->c);
        fit_config *c = &d->c[d->n++];
        memset(c, 0, sizeof *c);
        c->sys = system_copy(fr->sys);
        const char *k = frame_get(fr, "kind");
        snprintf(c->kind, sizeof c->kind, "%s", k && *k ? k : "all");
        const char *cid = frame_get(fr, "config_id");
        snprintf(c->id, sizeof c->id, "%s", cid ? cid : "");
        c->has_e = fr->has_energy;
        c->has_f = fr->has_forces;
        c->has_w = fr->has_virial;
        c->e_ref = fr->sys->energy;
        memcpy(c->w_ref, fr->sys->virial, sizeof c->w_ref);
        int n = c->sys->n;
        c->f_ref = pcm_calloc((size_t)n + 1, sizeof *c->f_ref);
        c->f_pred = pcm_calloc((size_t)n + 1, sizeof *c->f_pred);
        if (c->has_f)
            memcpy(c->f_ref, fr->sys->f, (size_t)n * sizeof *c->f_ref);
        c->bootstrap = 1;
        c->weight = 1.0;
        c->eweight = 1.0;
        const char *wv = frame_get(fr, "weight");
        if (wv) {
            char *end;
            c->weight = strtod(wv, &end);
            if (end == wv || *end || !(c->weight >= 0) || !isfinite(c->weight)) {
                pcm_errf(e, path, 0, "frame %d: weight='%s' is not a non-negative number", count + 1, wv);
                frame_free(fr);
                xyz_close(r);
                return -1;
            }
        }
        count++;
    }
    frame_free(fr);
    xyz_close(r);
    if (rc < 0)
        return -1;
    if (count == 0)
        return pcm_errf(e, path, 0, "no configurations");
    return 0;
}

void fit_dataset_truncate(fit_dataset *d, int n)
{
    for (int i = n; i < d->n; i++) {
        system_free(d->c[i].sys);
        free(d->c[i].f_ref);
        free(d->c[i].f_pred);
    }
    if (n < d->n)
        d->n = n;
}

void fit_dataset_free(fit_dataset *d)
{
    fit_dataset_truncate(d, 0);
    free(d->c);
    d->c = NULL;
}

/* Held-out test set, stratified by configuration kind: each kind with n_k frames gives
 * round(f n_k) of them to the test set, but always keeps one for training, so a kind with a
 * single frame (an elemental crystal, say) is never judged by a model that has not seen it.
 * If that leaves no test frame while f > 0, one frame of the largest kind is held out.
 * Seeded (reproducible) Fisher-Yates order within the whole set. */
void fit_dataset_split(fit_dataset *d, double test_fraction, uint64_t seed)
{
    int n = d->n;
    int *perm = pcm_malloc((size_t)n * sizeof(int));
    int *done = pcm_calloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++) {
        perm[i] = i;
        d->c[i].is_test = 0;
    }
    pcm_rng r;
    rng_seed(&r, seed);
    for (int i = n - 1; i > 0; i--) {   /* Fisher-Yates */
        int j = (int)(rng_u64(&r) % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    int ntest = 0, big = -1, nbig = 0;
    for (int i = 0; i < n && test_fraction > 0; i++) {
        if (done[perm[i]])
            continue;
        const char *kind = d->c[perm[i]].kind;
        int nk = 0;
        for (int j = i; j < n; j++)
            if (!done[perm[j]] && !strcmp(d->c[perm[j]].kind, kind))
                nk++;
        int nt = (int)floor(test_fraction * nk + 0.5);
        if (nt > nk - 1)
            nt = nk - 1;
        if (nk > nbig) {
            nbig = nk;
            big = perm[i];
        }
        for (int j = i, m = 0; j < n; j++)   /* the first nt of this kind in shuffled order */
            if (!done[perm[j]] && !strcmp(d->c[perm[j]].kind, kind)) {
                done[perm[j]] = 1;
                d->c[perm[j]].is_test = m++ < nt;
            }
        ntest += nt;
    }
    if (test_fraction > 0 && ntest == 0 && n > 1) {
        if (nbig > 1)
            d->c[big].is_test = 1;
        else
            d->c[perm[0]].is_test = 1;   /* every kind has one frame: hold out one anyway */
    }
    free(done);
    free(perm);
}

static int cfg_el(const fit_basis_cfg *c, const char *sym)
{
    for (int i = 0; i < c->nelem; i++)
        if (!strcmp(c->elements[i], sym))
            return i;
    return -1;
}

void fit_resolve_r_in(fit_basis_cfg *c, const fit_dataset *d)
{
    double dmin[FIT_MAX_EL * FIT_MAX_EL];
    for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++)
        dmin[q] = INFINITY;
    for (int k = 0; k < d->n; k++) {
        const pcm_system *s = d->c[k].sys;
        double rmax = 0;
        for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++)
            rmax = fmax(rmax, c->rcut[q]);
        pcm_nlist *nl = nl_new(rmax, 0.0);
        nl_build(nl, s);
        for (int i = 0; i < s->n; i++) {
            int a = cfg_el(c, s->species[s->type[i]]);
            for (int q = nl->start[i]; q < nl->start[i + 1]; q++) {
                int b = cfg_el(c, s->species[s->type[nl->j[q]]]);
                if (a < 0 || b < 0)
                    continue;
                double *v = nl->d[q], r = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                if (r < dmin[a * FIT_MAX_EL + b])
                    dmin[a * FIT_MAX_EL + b] = dmin[b * FIT_MAX_EL + a] = r;
            }
        }
        nl_free(nl);
    }
    double lo = INFINITY;
    for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++)
        if (dmin[q] < lo)
            lo = dmin[q];
    if (!isfinite(lo))
        lo = 2.0;
    for (int a = 0; a < c->nelem; a++)
        for (int b = 0; b < c->nelem; b++) {
            int q = a * FIT_MAX_EL + b;
            if (c->r_in[q] < 0)
                c->r_in[q] = isfinite(dmin[q]) ? dmin[q] : lo;
        }
}

/* ------------------------------------------------------------------ design rows */

typedef struct rows {
    int ncol, n;
    double *e;          /* [ncol] energy row (sum over atoms) */
    double *f;          /* [3n][ncol] force rows */
    double *w;          /* [6][ncol] virial rows */
} rows;

static const int voigt[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};

/* zbl switch of atom i (YACE_FORMAT 4.3): fcut and dfcut/dr_{j*} (vector), qstar = pair index. */
static void zbl_fcut(const ace_basis *b, const int *tm, const pcm_system *s, const pcm_nlist *nl, int i,
                     double *fcut, double dfc[3], int *qstar)
{
    int nel = b->nelements, mi = tm[s->type[i]];
    double best = INFINITY;
    *qstar = -1;
    *fcut = 1.0;
    dfc[0] = dfc[1] = dfc[2] = 0.0;
    for (int q = nl->start[i]; q < nl->start[i + 1]; q++) {
        const ace_bond *bd = &b->bonds[mi * nel + tm[s->type[nl->j[q]]]];
        double *v = nl->d[q], r = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (r >= bd->rcut)
            continue;
        double key = r - (bd->rcut_in - bd->dcut_in);
        if (key < best) {
            best = key;
            *qstar = q;
        }
    }
    if (*qstar < 0 || b->inner_type != ACE_INNER_ZBL)
        return;
    const ace_bond *bd = &b->bonds[mi * nel + tm[s->type[nl->j[*qstar]]]];
    double *v = nl->d[*qstar], r = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    double x = bd->rcut_in - r;
    if (x <= 0.0)
        return;
    if (x >= bd->dcut_in) {
        *fcut = 0.0;
        return;
    }
    double fc, dfdx;
    ace_fc_poly(x, bd->dcut_in, bd->dcut_in, &fc, &dfdx);
    *fcut = fc;
    for (int c = 0; c < 3; c++)
        dfc[c] = -dfdx * v[c] / r;   /* dx/dr_j = -rhat */
}

static int config_rows(const ace_basis *b, const fit_model *m, const pcm_system *s, rows *R, pcm_err *e)
{
    int n = s->n, ncol = m->ncol;
    int tm[PCM_MAX_SPECIES];
    if (ace_type_map(b, s, tm, e) < 0)
        return -1;
    R->ncol = ncol;
    R->n = n;
    R->e = pcm_calloc((size_t)ncol, sizeof(double));
    R->f = pcm_calloc((size_t)3 * n * ncol, sizeof(double));
    R->w = pcm_calloc((size_t)6 * ncol, sizeof(double));
    pcm_nlist *nl = nl_new(b->cutoffmax, 0.0);
    nl_build(nl, s);
    int rc = 0;
    int maxf = 0;
    for (int mu = 0; mu < b->nelements; mu++)
        if (ace_descriptor_count(b, mu) > maxf)
            maxf = ace_descriptor_count(b, mu);
    double *B = pcm_malloc((size_t)(maxf + 1) * sizeof(double));
    for (int i = 0; i < n && rc == 0; i++) {
        int mu = tm[s->type[i]], nf = ace_descriptor_count(b, mu);
        int q0 = nl->start[i], nnb = nl->start[i + 1] - q0;
        assert(nf == m->nspec[mu]);
        double(*dB)[3] = pcm_malloc((size_t)(nf * nnb + 1) * sizeof *dB);
        if (ace_descriptors(b, tm, s, nl, i, B, NULL, dB, e) < 0) {
            free(dB);
            rc = -1;
            break;
        }
        double fcut, dfc[3];
        int qs;
        zbl_fcut(b, tm, s, nl, i, &fcut, dfc, &qs);
        int c0 = m->off[mu] + 1;
        R->e[m->off[mu]] += 1.0;
        for (int f = 0; f < nf; f++) {
            int col = c0 + f;
            R->e[col] += fcut * B[f];
            for (int k = 0; k < nnb; k++) {
                int j = nl->j[q0 + k];
                const double *g = dB[(size_t)f * nnb + k], *d = nl->d[q0 + k];
                if (g[0] == 0 && g[1] == 0 && g[2] == 0)
                    continue;
                for (int c = 0; c < 3; c++) {
                    double t = fcut * g[c];   /* dG_i/dr_j */
                    R->f[((size_t)3 * j + c) * ncol + col] -= t;
                    R->f[((size_t)3 * i + c) * ncol + col] += t;
                }
                for (int v = 0; v < 6; v++) {
                    int a = voigt[v][0], bb = voigt[v][1];
                    R->w[(size_t)v * ncol + col] -= 0.5 * fcut * (d[a] * g[bb] + d[bb] * g[a]);
                }
            }
            if (qs >= 0 && (dfc[0] != 0 || dfc[1] != 0 || dfc[2] != 0)) {
                int j = nl->j[qs];
                const double *d = nl->d[qs];
                for (int c = 0; c < 3; c++) {
                    double t = B[f] * dfc[c];
                    R->f[((size_t)3 * j + c) * ncol + col] -= t;
                    R->f[((size_t)3 * i + c) * ncol + col] += t;
                }
                for (int v = 0; v < 6; v++) {
                    int a = voigt[v][0], bb = voigt[v][1];
                    R->w[(size_t)v * ncol + col] -= 0.5 * B[f] * (d[a] * dfc[bb] + d[bb] * dfc[a]);
                }
            }
        }
        free(dB);
    }
    free(B);
    nl_free(nl);
    return rc;
}

static void rows_free(rows *R)
{
    free(R->e);
    free(R->f);
    free(R->w);
}

/* ------------------------------------------------------------------ fitting */

static ace_cbasis *zero_copy(const ace_cbasis *src)
{
    ace_cbasis *z = ace_cbasis_new(src->nelem);
    memcpy(z->elements, src->elements, sizeof(*z->elements) * src->nelem);
    z->delta_spline_bins = src->delta_spline_bins;
    memcpy(z->emb, src->emb, sizeof(*z->emb) * src->nelem);
    for (int q = 0; q < src->nelem * src->nelem; q++) {
        z->bond[q] = src->bond[q];
        size_t nc = (size_t)src->bond[q].nradmax * (src->bond[q].lmax + 1) * src->bond[q].nradbasemax;
        z->bond[q].crad = pcm_malloc((nc + 1) * sizeof(double));
        memcpy(z->bond[q].crad, src->bond[q].crad, nc * sizeof(double));
    }
    return z;
}

static int tmp_path(char *buf, size_t n, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, n, "%s/pcm_fit_%s_%ld_%d.yace", dir && *dir ? dir : "/tmp", tag, (long)getpid(), rand());
    return 0;
}

void fit_model_free(fit_model *m)
{
    for (int mu = 0; mu < FIT_MAX_EL; mu++)
        free(m->spec[mu]);
    free(m->coef);
    ace_cbasis_free(m->tmpl);
    memset(m, 0, sizeof *m);
}

ace_cbasis *fit_model_potential(const fit_model *m)
{
    ace_cbasis *p = zero_copy(m->tmpl);
    for (int mu = 0; mu < m->nel; mu++) {
        p->E0[mu] = m->coef[m->off[mu]];
        ace_cbasis_add_bfuncs(p, m->spec[mu], m->coef + m->off[mu] + 1, m->nspec[mu], 1, 1);
    }
    return p;
}

int fit_run(const fit_basis_cfg *cfg, fit_dataset *d, const fit_opts *o, int use_bootstrap, fit_model *m,
            pcm_err *e)
{
    ace_bspec *specs[FIT_MAX_EL] = {0};
    int nspec[FIT_MAX_EL] = {0};
    ace_cbasis *design = fit_basis_build(cfg, specs, nspec);
    ace_cbasis *tmpl = zero_copy(design);
    ace_cbasis_free(design);
    return fit_run_specs(tmpl, specs, nspec, d, o, use_bootstrap, m, e);
}

int fit_run_specs(ace_cbasis *tmpl, ace_bspec **specs, const int *nspec, fit_dataset *d, const fit_opts *o,
                  int use_bootstrap, fit_model *m, pcm_err *e)
{
    double t0 = now_s();
    memset(m, 0, sizeof *m);
    m->tmpl = tmpl;
    m->nel = tmpl->nelem;
    for (int mu = 0; mu < m->nel; mu++) {   /* descriptor order: rank 1 first, then file order */
        m->spec[mu] = pcm_malloc((size_t)(nspec[mu] + 1) * sizeof(ace_bspec));
        int k = 0;
        for (int pass = 0; pass < 2; pass++)
            for (int f = 0; f < nspec[mu]; f++)
                if ((specs[mu][f].rank == 1) == (pass == 0))
                    m->spec[mu][k++] = specs[mu][f];
        m->nspec[mu] = nspec[mu];
        free(specs[mu]);
        specs[mu] = m->spec[mu];
    }
    ace_cbasis *design = zero_copy(tmpl);
    for (int mu = 0; mu < m->nel; mu++) {
        double *one = pcm_malloc((size_t)(nspec[mu] + 1) * sizeof(double));
        for (int f = 0; f < nspec[mu]; f++)
            one[f] = 1.0;
        if (ace_cbasis_add_bfuncs(design, specs[mu], one, nspec[mu], 1, 0) < 0) {
            free(one);
            ace_cbasis_free(design);
            return pcm_errf(e, NULL, 0, "invalid coupling in the basis (odd sum of l)");
        }
        free(one);
    }
    m->off[0] = 0;
    for (int mu = 0; mu < m->nel; mu++)
        m->off[mu + 1] = m->off[mu] + 1 + m->nspec[mu];
    m->ncol = m->off[m->nel];
    char pd[512], pz[512];
    tmp_path(pd, sizeof pd, "design");
    tmp_path(pz, sizeof pz, "zero");
    ace_cbasis *zero = zero_copy(design);
    for (int mu = 0; mu < m->nel; mu++)
        for (int f = 0; f < design->nfunc[mu]; f++) {
            ace_cfunc g = design->func[mu][f];
            double *ct = pcm_calloc((size_t)g.nms + 1, sizeof(double));
            g.ctildes = ct;
            ace_cbasis_add(zero, &g);
            free(ct);
        }
    int rc = -1;
    ace_basis *b = NULL;
    pcm_potential *pz_pot = NULL;
    fit_lsq *q = NULL;
    if (ace_cbasis_write_yace(design, pd, e) < 0 || ace_cbasis_write_yace(zero, pz, e) < 0)
        goto out;
    if (!(b = ace_basis_load(pd, e)) || !(pz_pot = potential_load(pz, e)))
        goto out;
    pz_pot->nthreads = 1;
    /* weights */
    long nce = 0, naf = 0, ncw = 0;
    for (int k = 0; k < d->n; k++) {
        fit_config *c = &d->c[k];
        int mult = use_bootstrap ? c->bootstrap : 1;
        if (c->is_test || mult == 0)
            continue;
        nce += c->has_e * mult;
        naf += c->has_f * mult * (long)c->sys->n;
        ncw += c->has_w * mult;
    }
    double kap = o->kappa;
    if (naf == 0)
        kap = 0.0;
    if (nce == 0)
        kap = 1.0;
    double we = nce ? sqrt((1.0 - kap) / nce) : 0, wf = naf ? sqrt(kap / (3.0 * naf)) : 0,
           ww = ncw ? sqrt(o->stress_weight / (6.0 * ncw)) : 0;
    q = fit_lsq_new(m->ncol);
    /* Design rows of the configurations in parallel; folded into the QR strictly in
     * configuration order (ordered), so the result does not depend on the thread count. */
    int failed = 0;
    pcm_err terr = {{0}};
#pragma omp parallel for ordered schedule(static, 1)
    for (int k = 0; k < d->n; k++) {
        fit_config *c = &d->c[k];
        int mult = use_bootstrap ? c->bootstrap : 1;
        rows R = {0};
        pcm_err le = {{0}};
        int ok = !(c->is_test || mult == 0);
        int bad = 0;
        if (ok && !failed && config_rows(b, m, c->sys, &R, &le) < 0)
            bad = 1;
#pragma omp ordered
        {
            pcm_system *s = NULL;
            if (bad && !failed) {
                failed = 1;
                terr = le;
            }
            if (ok && !failed) {
                s = system_copy(c->sys);
                if (potential_eval_once(pz_pot, s, &le) < 0) {   /* the fixed part */
                    failed = 1;
                    terr = le;
                }
            }
            if (ok && !failed) {
                int n = c->sys->n;
                double cw = c->weight;
                for (int q = 0; q < o->nkw; q++)
                    if (!strcmp(o->kw_kind[q], c->kind))
                        cw *= o->kw_w[q];
                double sm = sqrt((double)mult * cw);
                if (c->has_e && we > 0) {
                    for (int j = 0; j < m->ncol; j++)
                        R.e[j] /= n;
                    fit_lsq_add(q, R.e, (c->e_ref - s->energy) / n, we * sm * sqrt(c->eweight));
                }
                if (c->has_f && wf > 0)
                    for (int i = 0; i < 3 * n; i++) {
                        const double *fr = c->f_ref[i / 3];
                        double wa = 1.0;
                        if (o->force_scale > 0)
                            wa = 1.0 / sqrt(1.0 + (fr[0] * fr[0] + fr[1] * fr[1] + fr[2] * fr[2]) /
                                                      (o->force_scale * o->force_scale));
                        fit_lsq_add(q, R.f + (size_t)i * m->ncol, fr[i % 3] - s->f[i / 3][i % 3], wf * sm * wa);
                    }
                if (c->has_w && ww > 0)
                    for (int v = 0; v < 6; v++) {
                        for (int j = 0; j < m->ncol; j++)
                            R.w[(size_t)v * m->ncol + j] /= n;
                        fit_lsq_add(q, R.w + (size_t)v * m->ncol, (c->w_ref[v] - s->virial[v]) / n, ww * sm);
                    }
            }
            if (s)
                system_free(s);
        }
        rows_free(&R);
    }
    if (failed) {
        if (e)
            *e = terr;
        goto out;
    }
    if (q->nrows == 0) {
        pcm_errf(e, NULL, 0, "no training rows (no labelled configurations in the training split)");
        goto out;
    }
    m->coef = pcm_calloc((size_t)m->ncol, sizeof(double));
    m->nrows = q->nrows;
    char *noreg = pcm_calloc((size_t)m->ncol, 1);
    for (int mu = 0; mu < m->nel; mu++)
        noreg[m->off[mu]] = 1;   /* E0 */
    m->rank = fit_lsq_solve(q, o->ridge, 0.0, noreg, m->coef);
    free(noreg);
    if (m->rank < 0) {
        pcm_errf(e, NULL, 0, "LAPACK least-squares solve failed");
        goto out;
    }
    rc = 0;
out:
    fit_lsq_free(q);
    if (pz_pot)
        potential_free(pz_pot);
    if (b)
        ace_basis_free(b);
    unlink(pd);
    unlink(pz);
    ace_cbasis_free(design);
    ace_cbasis_free(zero);
    m->seconds = now_s() - t0;
    return rc;
}

/* ------------------------------------------------------------------ evaluation */

int fit_predict(const char *yace, fit_dataset *d, double *sec_per_atom, pcm_err *e)
{
    pcm_potential *p = potential_load(yace, e);
    if (!p)
        return -1;
    p->nthreads = 1;   /* cost per core; also keeps results independent of the thread count */
    double t = 0;
    long na = 0;
    for (int k = 0; k < d->n; k++) {
        fit_config *c = &d->c[k];
        pcm_system *s = system_copy(c->sys);
        if (k == 0 && potential_eval_once(p, s, e) < 0) {   /* warm-up: first-call setup not timed */
            system_free(s);
            potential_free(p);
            return -1;
        }
        double t0 = now_s();
        if (potential_eval_once(p, s, e) < 0) {
            system_free(s);
            potential_free(p);
            return -1;
        }
        t += now_s() - t0;
        na += s->n;
        c->e_pred = s->energy;
        memcpy(c->w_pred, s->virial, sizeof c->w_pred);
        memcpy(c->f_pred, s->f, (size_t)s->n * sizeof *c->f_pred);
        system_free(s);
    }
    potential_free(p);
    if (sec_per_atom)
        *sec_per_atom = na ? t / na : 0;
    return 0;
}

fit_err_stats fit_errors(const fit_dataset *d, int test, const char *kind)
{
    fit_err_stats st = {0};
    double se = 0, sf = 0, sw = 0, ae = 0;
    long nf = 0, nw = 0, ne = 0;
    for (int k = 0; k < d->n; k++) {
        const fit_config *c = &d->c[k];
        if ((test >= 0 && c->is_test != test) || (kind && strcmp(kind, c->kind)))
            continue;
        int n = c->sys->n;
        st.nconf++;
        st.natoms += n;
        if (c->has_e) {
            double de = (c->e_pred - c->e_ref) / n;
            se += de * de;
            ae += fabs(de);
            ne++;
        }
        if (c->has_f)
            for (int i = 0; i < n; i++)
                for (int a = 0; a < 3; a++) {
                    double df = c->f_pred[i][a] - c->f_ref[i][a];
                    sf += df * df;
                    nf++;
                }
        if (c->has_w)
            for (int v = 0; v < 6; v++) {
                double dw = (c->w_pred[v] - c->w_ref[v]) / n;
                sw += dw * dw;
                nw++;
            }
    }
    st.rmse_e = ne ? sqrt(se / ne) : NAN;
    st.mae_e = ne ? ae / ne : NAN;
    st.rmse_f = nf ? sqrt(sf / nf) : NAN;
    st.rmse_w = nw ? sqrt(sw / nw) : NAN;
    return st;
}

int fit_committee_sigma(const char *const *yace, int k, pcm_system *s, double *sigma, pcm_err *e)
{
    pcm_committee *c = committee_load(yace, k, e);
    int rc = c ? committee_eval(c, s, NULL, sigma, NULL, e) : -1;
    committee_free(c);
    return rc;
}

