/* fit_basis.c - invariant ACE basis generation for the linear fitter (see fit_basis.h).
 *
 * Invariance: a product of A_{n l m} coupled by generalized CG to total L = 0 is rotation
 * invariant; sum(l) even makes it inversion invariant (A_{nlm} -> (-1)^l A_{nlm}).
 * Permutations of identical factors make some couplings equal or zero; those are removed by
 * the rank test on the compressed coefficient vectors.
 */
#include "fit_basis.h"

#include <libconfig.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ace_cg.h"

void fit_basis_cfg_default(fit_basis_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->fit_kappa = c->fit_ridge = c->fit_stress_weight = c->fit_force_scale = NAN;
    c->fit_test_fraction = c->fit_seed = NAN;
    c->nelem = 3;
    strcpy(c->elements[0], "Ge");
    strcpy(c->elements[1], "Sb");
    strcpy(c->elements[2], "Te");
    strcpy(c->radbase, "ChebExpCos");
    c->lambda = 5.25;
    c->nradbase = 8;
    c->rankmax = 4;
    strcpy(c->repulsion, "zbl");
    c->u0 = 100.0;
    c->sigma = 5.0;
    const int nr[4] = {8, 3, 2, 1}, lm[4] = {0, 3, 2, 1};
    for (int e = 0; e < FIT_MAX_EL; e++)
        for (int r = 0; r < 4; r++) {
            c->nrad[e][r] = nr[r];
            c->lmax[e][r] = lm[r];
        }
    for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++) {
        c->rcut[q] = 5.5;
        c->dcut[q] = 0.01;
        c->r_in[q] = -1.0;
        c->delta_in[q] = 0.1;
    }
}

/* ------------------------------------------------------------------ config file */

static int cfg_num(const config_setting_t *s, double *out)
{
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT) {
        *out = config_setting_get_float(s);
        if (t != CONFIG_TYPE_FLOAT)
            *out = (double)config_setting_get_int64(s);
        return 0;
    }
    return -1;
}

static int cfg_lookup_num(const config_setting_t *g, const char *key, double *out, const char *path, pcm_err *e)
{
    config_setting_t *s = config_setting_get_member(g, key);
    if (!s)
        return 0;
    if (cfg_num(s, out) < 0)
        return pcm_errf(e, path, config_setting_source_line(s), "'%s' must be a number", key);
    return 1;
}

static int cfg_int_array(const config_setting_t *s, int *out, int max, const char *key, const char *path,
                         pcm_err *e)
{
    int n = config_setting_length(s);
    if (!config_setting_is_array(s) || n < 1 || n > max)
        return pcm_errf(e, path, config_setting_source_line(s), "'%s' must be an array of 1..%d integers", key, max);
    for (int i = 0; i < n; i++) {
        config_setting_t *v = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(v) != CONFIG_TYPE_INT)
            return pcm_errf(e, path, config_setting_source_line(s), "'%s' must hold integers", key);
        out[i] = config_setting_get_int(v);
        if (out[i] < 0 || out[i] > 20)
            return pcm_errf(e, path, config_setting_source_line(s), "'%s' values must be 0..20", key);
    }
    return n;
}

static int el_index(const fit_basis_cfg *c, const char *s)
{
    for (int i = 0; i < c->nelem; i++)
        if (!strcmp(c->elements[i], s))
            return i;
    return -1;
}

/* ranks = { nrad = [...]; lmax = [...]; } into element row(s). */
static int read_ranks(const config_setting_t *g, fit_basis_cfg *c, int el, const char *path, pcm_err *e)
{
    config_setting_t *nr = config_setting_get_member(g, "nrad"), *lm = config_setting_get_member(g, "lmax");
    if (!nr || !lm)
        return pcm_errf(e, path, config_setting_source_line(g), "rank settings need both 'nrad' and 'lmax' arrays");
    int a[FIT_RANK_MAX], b[FIT_RANK_MAX];
    int na = cfg_int_array(nr, a, FIT_RANK_MAX, "nrad", path, e);
    if (na < 0)
        return -1;
    int nb = cfg_int_array(lm, b, FIT_RANK_MAX, "lmax", path, e);
    if (nb < 0)
        return -1;
    if (na != nb)
        return pcm_errf(e, path, config_setting_source_line(g), "'nrad' and 'lmax' must have one entry per rank");
    if (b[0] != 0)
        return pcm_errf(e, path, config_setting_source_line(g), "lmax of rank 1 must be 0");
    int q0 = el < 0 ? 0 : el, q1 = el < 0 ? FIT_MAX_EL : el + 1;
    if (q1 > FIT_MAX_EL)
        q1 = FIT_MAX_EL;
    for (int q = q0; q < q1; q++)
        for (int r = 0; r < FIT_RANK_MAX; r++) {
            c->nrad[q][r] = r < na ? a[r] : 0;
            c->lmax[q][r] = r < nb ? b[r] : 0;
        }
    if (el < 0 || na > c->rankmax)
        c->rankmax = na;
    return 0;
}

static int read_pair_settings(const config_setting_t *g, fit_basis_cfg *c, int q, const char *path, pcm_err *e)
{
    double v;
    int r;
    if ((r = cfg_lookup_num(g, "rcut", &v, path, e)) < 0)
        return -1;
    if (r) c->rcut[q] = v;
    if ((r = cfg_lookup_num(g, "dcut", &v, path, e)) < 0)
        return -1;
    if (r) c->dcut[q] = v;
    if ((r = cfg_lookup_num(g, "delta_in", &v, path, e)) < 0)
        return -1;
    if (r) c->delta_in[q] = v;
    config_setting_t *ri = config_setting_get_member(g, "r_in");
    if (ri) {
        const char *s = config_setting_get_string(ri);
        if (s && !strcmp(s, "auto"))
            c->r_in[q] = -1.0;
        else if (cfg_num(ri, &v) == 0)
            c->r_in[q] = v;
        else
            return pcm_errf(e, path, config_setting_source_line(ri), "'r_in' must be a number or \"auto\"");
    }
    if (c->rcut[q] <= 1.0 || c->rcut[q] > 20.0 || c->dcut[q] < 0 || c->dcut[q] >= c->rcut[q] ||
        c->delta_in[q] <= 0 || c->r_in[q] >= c->rcut[q])
        return pcm_errf(e, path, config_setting_source_line(g),
                        "need 1 < rcut <= 20 Å, 0 <= dcut < rcut, delta_in > 0, r_in < rcut");
    return 0;
}

int fit_basis_cfg_read(const char *path, fit_basis_cfg *c, pcm_err *e)
{
    config_t cf;
    config_init(&cf);
    config_set_options(&cf, CONFIG_OPTION_AUTOCONVERT);
    int rc = -1;
    if (!config_read_file(&cf, path)) {
        pcm_errf(e, path, config_error_line(&cf), "%s", config_error_text(&cf) ? config_error_text(&cf) : "cannot read");
        goto out;
    }
    config_setting_t *root = config_root_setting(&cf);
    int version = 1;
    config_lookup_int(&cf, "version", &version);
    if (version != 1) {
        pcm_errf(e, path, 0, "basis file version %d is newer than this pcmlab understands (1)", version);
        goto out;
    }
    config_setting_t *el = config_lookup(&cf, "elements");
    if (el) {
        int n = config_setting_length(el);
        if (!config_setting_is_array(el) || n < 1 || n > FIT_MAX_EL) {
            pcm_errf(e, path, config_setting_source_line(el), "'elements' must be an array of 1..%d names", FIT_MAX_EL);
            goto out;
        }
        c->nelem = n;
        for (int i = 0; i < n; i++) {
            const char *s = config_setting_get_string_elem(el, (unsigned)i);
            if (!s || strlen(s) > 3) {
                pcm_errf(e, path, config_setting_source_line(el), "'elements' must hold element symbols");
                goto out;
            }
            snprintf(c->elements[i], 8, "%s", s);
        }
        /* ML-PACE orders species lexicographically (pacemaker), keep the same */
        qsort(c->elements, (size_t)n, sizeof c->elements[0], (int (*)(const void *, const void *))strcmp);
    }
    config_setting_t *rad = config_setting_get_member(root, "radial");
    if (rad) {
        const char *rb;
        double v;
        if (config_setting_lookup_string(rad, "basis", &rb))
            snprintf(c->radbase, sizeof c->radbase, "%s", rb);
        if (strcmp(c->radbase, "ChebExpCos") && strcmp(c->radbase, "ChebPow") && strcmp(c->radbase, "SBessel")) {
            pcm_errf(e, path, config_setting_source_line(rad), "radial basis must be ChebExpCos, ChebPow or SBessel");
            goto out;
        }
        if (cfg_lookup_num(rad, "lambda", &c->lambda, path, e) < 0)
            goto out;
        int got = cfg_lookup_num(rad, "nradbase", &v, path, e);
        if (got < 0)
            goto out;
        if (got)
            c->nradbase = (int)v;
        for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++)
            if (read_pair_settings(rad, c, q, path, e) < 0)
                goto out;
    }
    config_setting_t *rep = config_setting_get_member(root, "repulsion");
    if (rep) {
        const char *t;
        if (config_setting_lookup_string(rep, "type", &t)) {
            if (strcmp(t, "zbl") && strcmp(t, "distance")) {
                pcm_errf(e, path, config_setting_source_line(rep), "repulsion type must be \"zbl\" or \"distance\"");
                goto out;
            }
            snprintf(c->repulsion, sizeof c->repulsion, "%s", t);
            if (!strcmp(t, "distance"))   /* the paper's defaults, overridable below */
                for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++)
                    c->r_in[q] = 1.0;
        }
        if (cfg_lookup_num(rep, "U0", &c->u0, path, e) < 0 || cfg_lookup_num(rep, "sigma", &c->sigma, path, e) < 0)
            goto out;
        for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++)
            if (read_pair_settings(rep, c, q, path, e) < 0)
                goto out;
    }
    config_setting_t *fg = config_setting_get_member(root, "fit");
    if (fg) {
        static const char *const keys[] = {"kappa", "ridge", "stress_weight", "force_scale", "test_fraction", "seed"};
        double *dst[] = {&c->fit_kappa, &c->fit_ridge, &c->fit_stress_weight, &c->fit_force_scale,
                         &c->fit_test_fraction, &c->fit_seed};
        for (int i = 0; i < config_setting_length(fg); i++) {
            config_setting_t *s = config_setting_get_elem(fg, (unsigned)i);
            const char *name = config_setting_name(s);
            int k = 0;
            while (k < 6 && strcmp(name, keys[k]))
                k++;
            if (k == 6) {
                pcm_errf(e, path, config_setting_source_line(s),
                         "unknown fit setting '%s' (expected kappa, ridge, stress_weight, force_scale, test_fraction, seed)",
                         name);
                goto out;
            }
            if (cfg_lookup_num(fg, name, dst[k], path, e) < 0)
                goto out;
        }
        int bad = (!isnan(c->fit_kappa) && (c->fit_kappa < 0 || c->fit_kappa > 1)) ||
                  (!isnan(c->fit_ridge) && c->fit_ridge < 0) ||
                  (!isnan(c->fit_stress_weight) && c->fit_stress_weight < 0) ||
                  (!isnan(c->fit_force_scale) && c->fit_force_scale < 0) ||
                  (!isnan(c->fit_test_fraction) && (c->fit_test_fraction < 0 || c->fit_test_fraction >= 1)) ||
                  (!isnan(c->fit_seed) && (c->fit_seed < 0 || c->fit_seed != floor(c->fit_seed)));
        if (bad) {
            pcm_errf(e, path, config_setting_source_line(fg),
                     "fit settings out of range: kappa in [0, 1], ridge, stress_weight, force_scale >= 0, "
                     "test_fraction in [0, 1), seed a non-negative integer");
            goto out;
        }
    }
    config_setting_t *rk = config_setting_get_member(root, "ranks");
    if (rk && read_ranks(rk, c, -1, path, e) < 0)
        goto out;
    config_setting_t *ov = config_setting_get_member(root, "element_overrides");
    for (int i = 0; ov && i < config_setting_length(ov); i++) {
        config_setting_t *g = config_setting_get_elem(ov, (unsigned)i);
        const char *s;
        int k = config_setting_lookup_string(g, "element", &s) ? el_index(c, s) : -1;
        if (k < 0) {
            pcm_errf(e, path, config_setting_source_line(g), "override needs element = one of 'elements'");
            goto out;
        }
        if (read_ranks(g, c, k, path, e) < 0)
            goto out;
    }
    config_setting_t *pr = config_setting_get_member(root, "pairs");
    for (int i = 0; pr && i < config_setting_length(pr); i++) {
        config_setting_t *g = config_setting_get_elem(pr, (unsigned)i);
        const char *s;
        char a[8] = "", b[8] = "";
        if (!config_setting_lookup_string(g, "pair", &s) || sscanf(s, "%7[A-Za-z]-%7[A-Za-z]", a, b) != 2 ||
            el_index(c, a) < 0 || el_index(c, b) < 0) {
            pcm_errf(e, path, config_setting_source_line(g), "pair needs pair = \"A-B\" with A, B in 'elements'");
            goto out;
        }
        int ia = el_index(c, a), ib = el_index(c, b);
        if (read_pair_settings(g, c, ia * FIT_MAX_EL + ib, path, e) < 0)
            goto out;
        int q1 = ia * FIT_MAX_EL + ib, q2 = ib * FIT_MAX_EL + ia;
        c->rcut[q2] = c->rcut[q1];
        c->dcut[q2] = c->dcut[q1];
        c->r_in[q2] = c->r_in[q1];
        c->delta_in[q2] = c->delta_in[q1];
    }
    for (int k = 0; k < c->nelem; k++)
        for (int r = 1; r < c->rankmax; r++)
            if (c->nrad[k][r] > c->nradbase) {
                pcm_errf(e, path, 0, "nrad of rank %d (%d) exceeds nradbase (%d): R_nl = g_n needs n <= nradbase", r + 1,
                         c->nrad[k][r], c->nradbase);
                goto out;
            }
    if (c->nradbase < 1 || c->nradbase > 20 || c->rankmax < 1) {
        pcm_errf(e, path, 0, "nradbase must be 1..20 and at least rank 1 given");
        goto out;
    }
    rc = 0;
out:
    config_destroy(&cf);
    return rc;
}

/* ------------------------------------------------------------------ enumeration */

typedef struct coupling {
    int LS[ACE_RANK_MAX];
} coupling;

/* All LS for ls along the coupling tree (triangle rule at each node, root L = 0). */
static void couplings_rec(int rank, const ace_cg_node *nodes, int k, int *lsLS, coupling **out, int *n, int *cap)
{
    if (k == rank - 1) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *out = pcm_realloc(*out, (size_t)*cap * sizeof **out);
        }
        for (int t = 0; t < rank - 2; t++)
            (*out)[*n].LS[t] = lsLS[rank + t];
        (*n)++;
        return;
    }
    int la = lsLS[nodes[k].a], lb = lsLS[nodes[k].b], c = nodes[k].c;
    if (c == 2 * rank - 2) {   /* root: couple to 0 */
        if (la == lb) {
            lsLS[c] = 0;
            couplings_rec(rank, nodes, k + 1, lsLS, out, n, cap);
        }
        return;
    }
    for (int L = abs(la - lb); L <= la + lb; L++) {
        lsLS[c] = L;
        couplings_rec(rank, nodes, k + 1, lsLS, out, n, cap);
    }
}

/* Canonical +/-m folded coefficient vector of one B-function (factors already sorted). */
typedef struct cvec {
    int nk;
    int (*key)[ACE_RANK_MAX];
    double *val;
} cvec;

static int cmp_m_desc_key(const int *a, const int *b, int R)
{
    for (int t = 0; t < R; t++)
        if (a[t] != b[t])
            return a[t] < b[t] ? -1 : 1;
    return 0;
}

/* Sort the m's within runs of identical (mu, n, l) factors. */
static void sort_runs(const ace_bspec *s, int *m)
{
    int R = s->rank;
    for (int i = 1; i < R; i++)
        for (int j = i; j > 0; j--) {
            int same = s->mus[j] == s->mus[j - 1] && s->ns[j] == s->ns[j - 1] && s->ls[j] == s->ls[j - 1];
            if (!same || m[j - 1] <= m[j])
                break;
            int t = m[j];
            m[j] = m[j - 1];
            m[j - 1] = t;
        }
}

static void cvec_build(const ace_bspec *s, cvec *v, int (**keys)[ACE_RANK_MAX], int *nkeys, int *capkeys)
{
    ace_mscg g;
    int R = s->rank;
    ace_gencg(R, s->ls, s->LS, 0, &g);
    v->nk = 0;
    v->key = NULL;
    v->val = pcm_calloc((size_t)(*capkeys > 0 ? *capkeys : 1) + (size_t)g.n, sizeof(double));
    for (int i = 0; i < g.n; i++) {
        int a[ACE_RANK_MAX], b[ACE_RANK_MAX];
        for (int t = 0; t < R; t++) {
            a[t] = g.ms[i * R + t];
            b[t] = -a[t];
        }
        sort_runs(s, a);
        sort_runs(s, b);
        int *use = cmp_m_desc_key(a, b, R) <= 0 ? a : b;
        int k;
        for (k = 0; k < *nkeys; k++)
            if (!memcmp((*keys)[k], use, sizeof(int) * R))
                break;
        if (k == *nkeys) {
            if (*nkeys == *capkeys) {
                *capkeys = *capkeys ? 2 * *capkeys : 64;
                *keys = pcm_realloc(*keys, (size_t)*capkeys * sizeof **keys);
            }
            memcpy((*keys)[k], use, sizeof(int) * R);
            (*nkeys)++;
            v->val = pcm_realloc(v->val, (size_t)(*nkeys + g.n) * sizeof(double));
            v->val[k] = 0.0;
        }
        v->val[k] += g.c[i];
    }
    v->nk = *nkeys;
    ace_mscg_free(&g);
}

/* Keeps a linearly independent subset of the couplings of one (mus, ns, ls) multiset. */
static int independent_subset(const ace_bspec *cand, int n, int *keep)
{
    if (n == 0)
        return 0;
    int (*keys)[ACE_RANK_MAX] = NULL;
    int nkeys = 0, capkeys = 0;
    cvec *v = pcm_calloc((size_t)n, sizeof *v);
    for (int j = 0; j < n; j++)
        cvec_build(&cand[j], &v[j], &keys, &nkeys, &capkeys);
    int m = nkeys > 0 ? nkeys : 1;
    double *A = pcm_calloc((size_t)m * n, sizeof(double));   /* column major m x n */
    for (int j = 0; j < n; j++)
        for (int k = 0; k < v[j].nk; k++)
            A[(size_t)j * m + k] = v[j].val[k];
    int nk = 0;
    double norm0 = 0.0;
    for (size_t q = 0; q < (size_t)m * n; q++)
        norm0 = fmax(norm0, fabs(A[q]));
    if (norm0 > 1e-12) {
        lapack_int *jpvt = pcm_calloc((size_t)n, sizeof(lapack_int));
        double *tau = pcm_calloc((size_t)(n < m ? n : m) + 1, sizeof(double));
        LAPACKE_dgeqp3(LAPACK_COL_MAJOR, m, n, A, m, jpvt, tau);
        int kmax = n < m ? n : m;
        double r00 = fabs(A[0]);
        for (int k = 0; k < kmax; k++)
            if (fabs(A[(size_t)k * m + k]) > 1e-9 * r00 && fabs(A[(size_t)k * m + k]) > 1e-12)
                keep[nk++] = jpvt[k] - 1;
        free(jpvt);
        free(tau);
    }
    /* original order */
    for (int i = 1; i < nk; i++)
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    for (int j = 0; j < n; j++)
        free(v[j].val);
    free(v);
    free(keys);
    free(A);
    return nk;
}

typedef struct speclist {
    ace_bspec *s;
    int n, cap;
} speclist;

static void speclist_add(speclist *l, const ace_bspec *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->s = pcm_realloc(l->s, (size_t)l->cap * sizeof *l->s);
    }
    l->s[l->n++] = *s;
}

/* Every sorted multiset of rank factors from the factor table, then couplings. */
static void enumerate_rank(const fit_basis_cfg *c, int mu0, int rank, speclist *out)
{
    int nr = c->nrad[mu0][rank - 1], lm = c->lmax[mu0][rank - 1];
    if (nr < 1)
        return;
    int nfac = c->nelem * nr * (lm + 1);
    int idx[ACE_RANK_MAX] = {0};
    ace_cg_node nodes[ACE_CG_RANK_MAX];
    if (rank >= 2)
        ace_cg_tree(rank, nodes);
    for (;;) {
        ace_bspec s = {.mu0 = mu0, .rank = rank};
        int lsum = 0;
        for (int t = 0; t < rank; t++) {   /* factor index = (mu * nr + n-1) * (lm+1) + l */
            s.mus[t] = idx[t] / (nr * (lm + 1));
            s.ns[t] = (idx[t] / (lm + 1)) % nr + 1;
            s.ls[t] = idx[t] % (lm + 1);
            lsum += s.ls[t];
        }
        if (lsum % 2 == 0) {
            if (rank == 1) {
                speclist_add(out, &s);
            } else {
                coupling *cp = NULL;
                int ncp = 0, cap = 0, lsLS[2 * ACE_RANK_MAX] = {0};
                memcpy(lsLS, s.ls, sizeof(int) * rank);
                couplings_rec(rank, nodes, 0, lsLS, &cp, &ncp, &cap);
                ace_bspec *cand = pcm_calloc((size_t)ncp + 1, sizeof *cand);
                int *keep = pcm_calloc((size_t)ncp + 1, sizeof(int));
                for (int j = 0; j < ncp; j++) {
                    cand[j] = s;
                    memcpy(cand[j].LS, cp[j].LS, sizeof(int) * ACE_RANK_MAX);
                }
                int nk = independent_subset(cand, ncp, keep);
                for (int j = 0; j < nk; j++)
                    speclist_add(out, &cand[keep[j]]);
                free(cand);
                free(keep);
                free(cp);
            }
        }
        /* next non-decreasing index tuple */
        int t = rank - 1;
        while (t >= 0 && idx[t] == nfac - 1)
            t--;
        if (t < 0)
            break;
        idx[t]++;
        for (int u = t + 1; u < rank; u++)
            idx[u] = idx[t];
    }
}

int fit_basis_enumerate(const fit_basis_cfg *c, int mu0, ace_bspec **out)
{
    speclist l = {0};
    /* rank 1: g_k of every neighbour species, k < nrad[0] (<= nradbase) */
    int n1 = c->nrad[mu0][0] < c->nradbase ? c->nrad[mu0][0] : c->nradbase;
    for (int mu = 0; mu < c->nelem; mu++)
        for (int k = 1; k <= n1; k++) {
            ace_bspec s = {.mu0 = mu0, .rank = 1};
            s.mus[0] = mu;
            s.ns[0] = k;
            speclist_add(&l, &s);
        }
    for (int r = 2; r <= c->rankmax && r <= FIT_RANK_MAX; r++)
        enumerate_rank(c, mu0, r, &l);
    *out = l.s;
    return l.n;
}

ace_cbasis *fit_basis_build(const fit_basis_cfg *c, ace_bspec **specs, int *nspec)
{
    int nel = c->nelem;
    ace_cbasis *b = ace_cbasis_new(nel);
    for (int i = 0; i < nel; i++) {
        memcpy(b->elements[i], c->elements[i], 8);
        ace_embedspec *em = &b->emb[i];
        em->ndensity = 1;
        em->fs[0] = 1.0;
        em->fs[1] = 1.0;
        strcpy(em->npoti, "FinnisSinclairShiftedScaled");
        int dist = !strcmp(c->repulsion, "distance");
        em->rho_core_cutoff = dist ? 100000.0 : 1.0;   /* distance: energy cutoff never active */
        em->drho_core_cutoff = dist ? 250.0 : 1.0;
    }
    int nradmax = 1, lmax = 0;
    for (int i = 0; i < nel; i++)
        for (int r = 1; r < c->rankmax; r++) {
            if (c->nrad[i][r] > nradmax) nradmax = c->nrad[i][r];
            if (c->lmax[i][r] > lmax) lmax = c->lmax[i][r];
        }
    for (int i = 0; i < nel; i++)
        for (int j = 0; j < nel; j++) {
            ace_bondspec *bs = &b->bond[i * nel + j];
            int q = i * FIT_MAX_EL + j;
            bs->nradmax = nradmax;
            bs->lmax = lmax;
            bs->nradbasemax = c->nradbase;
            snprintf(bs->radbasename, sizeof bs->radbasename, "%s", c->radbase);
            bs->nradparameters = 1;
            bs->radparameters[0] = c->lambda;
            bs->crad = pcm_calloc((size_t)nradmax * (lmax + 1) * c->nradbase, sizeof(double));
            for (int n = 0; n < nradmax; n++)
                for (int l = 0; l <= lmax; l++)
                    bs->crad[(n * (lmax + 1) + l) * c->nradbase + n] = 1.0;   /* R_nl = g_n */
            int dist = !strcmp(c->repulsion, "distance");
            bs->prehc = dist ? c->u0 : 1.0;
            bs->lambdahc = dist ? c->sigma : 1.0;
            bs->rcut = c->rcut[q];
            bs->dcut = c->dcut[q];
            bs->rcut_in = c->r_in[q] < 0 ? 0.0 : c->r_in[q];
            bs->dcut_in = c->delta_in[q];
            strcpy(bs->inner_cutoff_type, dist ? "distance" : "zbl");
        }
    for (int mu = 0; mu < nel; mu++) {
        ace_bspec *s;
        int n = fit_basis_enumerate(c, mu, &s);
        double *one = pcm_malloc((size_t)(n + 1) * sizeof(double));
        for (int k = 0; k < n; k++)
            one[k] = 1.0;
        ace_cbasis_add_bfuncs(b, s, one, n, 1, 0);
        free(one);
        if (specs)
            specs[mu] = s;
        else
            free(s);
        if (nspec)
            nspec[mu] = n;
    }
    return b;
}
