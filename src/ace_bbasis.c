/* ace_bbasis.c - C-tilde basis sets: .yace I/O and the pacemaker B-basis
 * conversion.
 *
 * B -> C-tilde (python-ace ACEBBasisSet::to_ACECTildeBasisSet, re-derived):
 *  1. each B-function (mu0, mus, ns, ls, LS, c_p) expands into the half-basis
 *     generalized CG list {(ms, g)} (ace_gencg, half = 1: first non-zero m > 0
 *     kept with g doubled, all-zero kept once);
 *  2. permutation compression: per combination the factors (mu,n,l,m) are
 *     sorted; equal sorted ms are summed, |g| < 1e-15 dropped; the sorted order
 *     is adopted only when this merged something (otherwise the function keeps
 *     its own factor order and enumeration order);
 *  3. functions with equal (mus, ns, ls) are merged: ctilde_p(ms) = sum c_p g(ms),
 *     m-combinations in lexicographic order; functions left with no
 *     combination are dropped.
 * Because Re prod A_{l,m} = Re prod A_{l,-m} when sum m = 0, the half basis is
 * exact for the real energy (YACE_FORMAT.md section 4).
 */
#include "ace_bbasis.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ace_cg.h"
#include "fileio.h"

/* ------------------------------------------------------------------ basis set */

ace_cbasis *ace_cbasis_new(int nelem)
{
    ace_cbasis *b = pcm_calloc(1, sizeof *b);
    b->nelem = nelem;
    b->elements = pcm_calloc((size_t)nelem, sizeof *b->elements);
    b->E0 = pcm_calloc((size_t)nelem, sizeof(double));
    b->delta_spline_bins = 0.001;
    b->emb = pcm_calloc((size_t)nelem, sizeof *b->emb);
    b->bond = pcm_calloc((size_t)nelem * nelem, sizeof *b->bond);
    b->nfunc = pcm_calloc((size_t)nelem, sizeof(int));
    b->func = pcm_calloc((size_t)nelem, sizeof *b->func);
    return b;
}

void ace_cfunc_clear(ace_cfunc *f)
{
    free(f->ms);
    free(f->ctildes);
    f->ms = NULL;
    f->ctildes = NULL;
    f->nms = 0;
}

void ace_cbasis_free(ace_cbasis *b)
{
    if (!b)
        return;
    for (int mu = 0; mu < b->nelem; mu++) {
        for (int i = 0; i < b->nfunc[mu]; i++)
            ace_cfunc_clear(&b->func[mu][i]);
        free(b->func[mu]);
    }
    for (int k = 0; k < b->nelem * b->nelem; k++)
        free(b->bond[k].crad);
    free(b->func);
    free(b->nfunc);
    free(b->bond);
    free(b->emb);
    free(b->E0);
    free(b->elements);
    free(b);
}

void ace_cbasis_add(ace_cbasis *b, const ace_cfunc *f)
{
    int mu = f->mu0;
    b->func[mu] = pcm_realloc(b->func[mu], (size_t)(b->nfunc[mu] + 1) * sizeof(ace_cfunc));
    ace_cfunc *d = &b->func[mu][b->nfunc[mu]++];
    *d = *f;
    d->ms = pcm_malloc((size_t)(f->nms * f->rank + 1) * sizeof(int));
    d->ctildes = pcm_malloc((size_t)(f->nms * f->ndensity + 1) * sizeof(double));
    memcpy(d->ms, f->ms, (size_t)f->nms * f->rank * sizeof(int));
    memcpy(d->ctildes, f->ctildes, (size_t)f->nms * f->ndensity * sizeof(double));
}

/* ------------------------------------------------------------------ YAML reading helpers */

typedef struct ydoc {
    yaml_document_t doc;
    const char *path;
    pcm_err *e;
} ydoc;

static int ydoc_load(ydoc *y, const char *path, pcm_err *e)
{
    y->path = path;
    y->e = e;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return pcm_errf(e, path, 0, "cannot open file");
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, fp);
    int ok = yaml_parser_load(&p, &y->doc);
    if (!ok) {
        pcm_errf(e, path, (long)p.problem_mark.line + 1, "YAML syntax error: %s",
                 p.problem ? p.problem : "?");
        yaml_parser_delete(&p);
        fclose(fp);
        return -1;
    }
    yaml_parser_delete(&p);
    fclose(fp);
    if (!yaml_document_get_root_node(&y->doc)) {
        yaml_document_delete(&y->doc);
        return pcm_errf(e, path, 1, "empty YAML document");
    }
    return 0;
}

static long yline(const yaml_node_t *n) { return n ? (long)n->start_mark.line + 1 : 0; }

static yaml_node_t *ynode(ydoc *y, int id) { return yaml_document_get_node(&y->doc, id); }

static const char *yscalar(const yaml_node_t *n)
{
    return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *yget(ydoc *y, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        const char *k = yscalar(ynode(y, pr->key));
        if (k && !strcmp(k, key))
            return ynode(y, pr->value);
    }
    return NULL;
}

static int yseq_len(const yaml_node_t *n)
{
    return (n && n->type == YAML_SEQUENCE_NODE) ? (int)(n->data.sequence.items.top - n->data.sequence.items.start)
                                                : -1;
}

static yaml_node_t *yseq_at(ydoc *y, yaml_node_t *n, int i) { return ynode(y, n->data.sequence.items.start[i]); }

static int ynum(ydoc *y, yaml_node_t *n, const char *what, double *out)
{
    const char *s = yscalar(n);
    char *end;
    if (!s)
        return pcm_errf(y->e, y->path, yline(n), "%s: expected a number", what);
    double v = strtod(s, &end);
    while (*end && isspace((unsigned char)*end))
        end++;
    if (end == s || *end)
        return pcm_errf(y->e, y->path, yline(n), "%s: expected a number, got '%s'", what, s);
    *out = v;
    return 0;
}

static int yint(ydoc *y, yaml_node_t *n, const char *what, int *out)
{
    double v;
    if (ynum(y, n, what, &v) < 0)
        return -1;
    if (v != floor(v) || fabs(v) > 1e9)
        return pcm_errf(y->e, y->path, yline(n), "%s: expected an integer", what);
    *out = (int)v;
    return 0;
}

/* Required numeric key of a mapping. */
static int yget_num(ydoc *y, yaml_node_t *map, const char *key, double *out)
{
    yaml_node_t *n = yget(y, map, key);
    if (!n)
        return pcm_errf(y->e, y->path, yline(map), "missing key '%s'", key);
    return ynum(y, n, key, out);
}

static int yget_int(ydoc *y, yaml_node_t *map, const char *key, int *out)
{
    yaml_node_t *n = yget(y, map, key);
    if (!n)
        return pcm_errf(y->e, y->path, yline(map), "missing key '%s'", key);
    return yint(y, n, key, out);
}

/* Numeric list (flat) into out[0..max); returns the length or -1. */
static int yget_list(ydoc *y, yaml_node_t *n, const char *what, double *out, int max)
{
    int len = yseq_len(n);
    if (len < 0)
        return pcm_errf(y->e, y->path, yline(n), "%s: expected a list", what);
    if (len > max)
        return pcm_errf(y->e, y->path, yline(n), "%s: list longer than %d", what, max);
    for (int i = 0; i < len; i++)
        if (ynum(y, yseq_at(y, n, i), what, &out[i]) < 0)
            return -1;
    return len;
}

static int yget_ilist(ydoc *y, yaml_node_t *n, const char *what, int *out, int max)
{
    double tmp[64];
    int len = yget_list(y, n, what, tmp, max < 64 ? max : 64);
    for (int i = 0; i < len; i++) {
        if (tmp[i] != floor(tmp[i]))
            return pcm_errf(y->e, y->path, yline(n), "%s: expected integers", what);
        out[i] = (int)tmp[i];
    }
    return len;
}

/* crad[n][l][k] nested lists. */
static int yget_crad(ydoc *y, yaml_node_t *n, ace_bondspec *bs)
{
    int N = bs->nradmax, L = bs->lmax + 1, K = bs->nradbasemax;
    bs->crad = pcm_calloc((size_t)(N * L * K + 1), sizeof(double));
    if (yseq_len(n) < N)
        return pcm_errf(y->e, y->path, yline(n), "radcoefficients: expected %d rows (nradmax)", N);
    for (int i = 0; i < N; i++) {
        yaml_node_t *r = yseq_at(y, n, i);
        if (yseq_len(r) < L)
            return pcm_errf(y->e, y->path, yline(r), "radcoefficients[%d]: expected %d rows (lmax+1)", i, L);
        for (int l = 0; l < L; l++) {
            yaml_node_t *q = yseq_at(y, r, l);
            if (yseq_len(q) < K)
                return pcm_errf(y->e, y->path, yline(q), "radcoefficients[%d][%d]: expected %d values", i, l, K);
            for (int k = 0; k < K; k++)
                if (ynum(y, yseq_at(y, q, k), "radcoefficients", &bs->crad[(i * L + l) * K + k]) < 0)
                    return -1;
        }
    }
    return 0;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* ------------------------------------------------------------------ B-basis conversion */

typedef struct bfunc {
    int mu0, rank, nd;
    int mus[ACE_RANK_MAX], ns[ACE_RANK_MAX], ls[ACE_RANK_MAX], LS[ACE_RANK_MAX];
    double c[16];
    int nms;
    int *ms;
    double *g;
} bfunc;

static int cmp_ivec(const int *a, const int *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* std::vector ordering: lexicographic, a proper prefix first. */
static int cmp_vec(const int *a, int na, const int *b, int nb)
{
    int n = na < nb ? na : nb, c = cmp_ivec(a, b, n);
    return c ? c : (na > nb) - (na < nb);
}

static int cmp_bfunc_key(const void *pa, const void *pb)
{
    const bfunc *a = pa, *b = pb;
    int c = (a->rank > b->rank) - (a->rank < b->rank);   /* pacemaker's function sort: rank first */
    if (!c) c = cmp_vec(a->mus, a->rank, b->mus, b->rank);
    if (!c) c = cmp_vec(a->ns, a->rank, b->ns, b->rank);
    if (!c) c = cmp_vec(a->ls, a->rank, b->ls, b->rank);
    return c;
}

typedef struct msval {
    int ms[ACE_RANK_MAX];
    int rank;
    double v[16];
    int src;   /* order of appearance, keeps qsort stable */
} msval;

static int cmp_msval(const void *pa, const void *pb)
{
    const msval *a = pa, *b = pb;
    int c = cmp_ivec(a->ms, b->ms, a->rank);
    return c ? c : (a->src > b->src) - (a->src < b->src);
}

typedef struct fac { int mu, n, l, m, r; } fac;

static int cmp_fac(const void *pa, const void *pb)
{
    const fac *a = pa, *b = pb;
    if (a->mu != b->mu) return a->mu < b->mu ? -1 : 1;
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    if (a->l != b->l) return a->l < b->l ? -1 : 1;
    if (a->m != b->m) return a->m < b->m ? -1 : 1;
    return (a->r > b->r) - (a->r < b->r);
}

/* Step 2: sort factors per combination, merge equal sorted ms (ML-PACE
 * order_and_compress_b_basis_function). */
static void bfunc_compress(bfunc *f)
{
    int R = f->rank, n = f->nms;
    if (n == 0)
        return;
    msval *mv = pcm_calloc((size_t)n, sizeof *mv);
    int smus[ACE_RANK_MAX], sns[ACE_RANK_MAX], sls[ACE_RANK_MAX];
    for (int i = 0; i < n; i++) {
        fac v[ACE_RANK_MAX];
        for (int r = 0; r < R; r++)
            v[r] = (fac){f->mus[r], f->ns[r], f->ls[r], f->ms[i * R + r], r};
        qsort(v, (size_t)R, sizeof(fac), cmp_fac);
        for (int r = 0; r < R; r++) {
            if (i == 0) {
                smus[r] = v[r].mu;
                sns[r] = v[r].n;
                sls[r] = v[r].l;
            }
            assert(smus[r] == v[r].mu && sns[r] == v[r].n && sls[r] == v[r].l);
            mv[i].ms[r] = v[r].m;
        }
        mv[i].rank = R;
        mv[i].v[0] = f->g[i];
        mv[i].src = i;
    }
    qsort(mv, (size_t)n, sizeof *mv, cmp_msval);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && !cmp_ivec(mv[m - 1].ms, mv[i].ms, R))
            mv[m - 1].v[0] += mv[i].v[0];
        else
            mv[m++] = mv[i];
    }
    int kept = 0;
    for (int i = 0; i < m; i++)
        if (fabs(mv[i].v[0]) >= 1e-15)
            mv[kept++] = mv[i];
    if (kept < n) {   /* gain: adopt the sorted factor order */
        memcpy(f->mus, smus, sizeof(int) * R);
        memcpy(f->ns, sns, sizeof(int) * R);
        memcpy(f->ls, sls, sizeof(int) * R);
        for (int i = 0; i < kept; i++) {
            memcpy(f->ms + i * R, mv[i].ms, sizeof(int) * R);
            f->g[i] = mv[i].v[0];
        }
        f->nms = kept;
    }
    free(mv);
}

/* Step 3: merge functions with equal keys (array sorted by key). */
static void merge_group(ace_cbasis *b, bfunc *fs, int n)
{
    int R = fs[0].rank, nd = fs[0].nd, tot = 0;
    for (int i = 0; i < n; i++)
        tot += fs[i].nms;
    /* a function whose expansion vanished is kept with no combination, as ML-PACE does */
    msval *mv = pcm_calloc((size_t)tot + 1, sizeof *mv);
    int k = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < fs[i].nms; j++, k++) {
            memcpy(mv[k].ms, fs[i].ms + j * R, sizeof(int) * R);
            mv[k].rank = R;
            mv[k].src = k;
            for (int p = 0; p < nd; p++)
                mv[k].v[p] = fs[i].c[p] * fs[i].g[j];
        }
    qsort(mv, (size_t)tot, sizeof *mv, cmp_msval);
    int m = 0;
    for (int i = 0; i < tot; i++) {
        if (m > 0 && !cmp_ivec(mv[m - 1].ms, mv[i].ms, R))
            for (int p = 0; p < nd; p++)
                mv[m - 1].v[p] += mv[i].v[p];
        else
            mv[m++] = mv[i];
    }
    ace_cfunc cf = {.mu0 = fs[0].mu0, .rank = R, .ndensity = nd, .nms = m};
    memcpy(cf.mus, fs[0].mus, sizeof(int) * R);
    memcpy(cf.ns, fs[0].ns, sizeof(int) * R);
    memcpy(cf.ls, fs[0].ls, sizeof(int) * R);
    cf.ms = pcm_malloc(sizeof(int) * (size_t)(m * R + 1));
    cf.ctildes = pcm_malloc(sizeof(double) * (size_t)(m * nd + 1));
    for (int i = 0; i < m; i++) {
        memcpy(cf.ms + i * R, mv[i].ms, sizeof(int) * R);
        for (int p = 0; p < nd; p++)
            cf.ctildes[i * nd + p] = mv[i].v[p];
    }
    ace_cbasis_add(b, &cf);
    ace_cfunc_clear(&cf);
    free(mv);
}

static int elem_index(const ace_cbasis *b, const char *name)
{
    for (int i = 0; i < b->nelem; i++)
        if (!strcmp(b->elements[i], name))
            return i;
    return -1;
}

/* Splits "Ge Sb Te" into up to max names; returns the count. */
static int split_names(const char *s, char names[][8], int max)
{
    int n = 0;
    while (*s && n < max) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        int k = 0;
        while (*s && *s != ' ') {
            if (k < 7)
                names[n][k++] = *s;
            s++;
        }
        names[n++][k] = 0;
    }
    return n;
}

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

static int read_bond_block(ydoc *y, yaml_node_t *blk, ace_bondspec *bs)
{
    double v;
    if (yget_int(y, blk, "nradmaxi", &bs->nradmax) < 0 || yget_int(y, blk, "lmaxi", &bs->lmax) < 0 ||
        yget_int(y, blk, "nradbaseij", &bs->nradbasemax) < 0 || yget_num(y, blk, "rcutij", &bs->rcut) < 0 ||
        yget_num(y, blk, "dcutij", &bs->dcut) < 0)
        return -1;
    copy_str(bs->radbasename, sizeof bs->radbasename, yscalar(yget(y, blk, "radbase")));
    if (!bs->radbasename[0])
        copy_str(bs->radbasename, sizeof bs->radbasename, "ChebExpCos");
    yaml_node_t *rp = yget(y, blk, "radparameters");
    if (rp && (bs->nradparameters = yget_list(y, rp, "radparameters", bs->radparameters, 4)) < 0)
        return -1;
    yaml_node_t *rc = yget(y, blk, "radcoefficients");
    if (!rc)
        return pcm_errf(y->e, y->path, yline(blk), "missing key 'radcoefficients'");
    if (yget_crad(y, rc, bs) < 0)
        return -1;
    double cr[2] = {0, 0};
    yaml_node_t *crn = yget(y, blk, "core-repulsion");
    if (crn && yget_list(y, crn, "core-repulsion", cr, 2) != 2)
        return pcm_errf(y->e, y->path, yline(crn), "core-repulsion: expected [prehc, lambdahc]");
    bs->prehc = cr[0];
    bs->lambdahc = cr[1];
    const char *ict = yscalar(yget(y, blk, "inner_cutoff_type"));
    copy_str(bs->inner_cutoff_type, sizeof bs->inner_cutoff_type, ict ? ict : "distance");
    if (yget(y, blk, "r_in") && yget_num(y, blk, "r_in", &bs->rcut_in) < 0)
        return -1;
    if (yget(y, blk, "delta_in") && yget_num(y, blk, "delta_in", &bs->dcut_in) < 0)
        return -1;
    (void)v;
    return 0;
}

static int read_embedding(ydoc *y, yaml_node_t *blk, ace_embedspec *em)
{
    if (yget_int(y, blk, "ndensityi", &em->ndensity) < 0)
        return -1;
    if (em->ndensity < 1 || em->ndensity > 8)
        return pcm_errf(y->e, y->path, yline(blk), "ndensityi must be 1..8");
    yaml_node_t *pn = yget(y, blk, "parameters");
    int np = pn ? yget_list(y, pn, "parameters", em->fs, 16) : -1;
    if (np != 2 * em->ndensity)
        return pcm_errf(y->e, y->path, yline(pn ? pn : blk), "parameters: expected 2*ndensityi values");
    const char *np_s = yscalar(yget(y, blk, "npoti"));
    copy_str(em->npoti, sizeof em->npoti, np_s ? np_s : "FinnisSinclairShiftedScaled");
    em->rho_core_cutoff = 100000;
    em->drho_core_cutoff = 250;
    if (yget(y, blk, "rho_core_cut") && yget_num(y, blk, "rho_core_cut", &em->rho_core_cutoff) < 0)
        return -1;
    if (yget(y, blk, "drho_core_cut") && yget_num(y, blk, "drho_core_cut", &em->drho_core_cutoff) < 0)
        return -1;
    return 0;
}

/* Parses one nbody entry into a B-function with its half-basis gen-CG. */
static int read_bfunc(ydoc *y, ace_cbasis *b, yaml_node_t *fn, bfunc *f)
{
    memset(f, 0, sizeof *f);
    const char *type = yscalar(yget(y, fn, "type"));
    char names[ACE_RANK_MAX + 1][8];
    int nn = type ? split_names(type, names, ACE_RANK_MAX + 1) : 0;
    if (nn < 2)
        return pcm_errf(y->e, y->path, yline(fn), "nbody entry: 'type' needs a centre and >= 1 neighbour");
    f->rank = nn - 1;
    for (int i = 0; i < nn; i++) {
        int mu = elem_index(b, names[i]);
        if (mu < 0)
            return pcm_errf(y->e, y->path, yline(fn), "unknown element '%s'", names[i]);
        if (i == 0)
            f->mu0 = mu;
        else
            f->mus[i - 1] = mu;
    }
    int LS[ACE_RANK_MAX] = {0};
    yaml_node_t *nr = yget(y, fn, "nr"), *nl = yget(y, fn, "nl"), *li = yget(y, fn, "lint"),
                *cn = yget(y, fn, "c");
    if (!nr || yget_ilist(y, nr, "nr", f->ns, ACE_RANK_MAX) != f->rank)
        return pcm_errf(y->e, y->path, yline(fn), "nr: expected %d values", f->rank);
    if (!nl || yget_ilist(y, nl, "nl", f->ls, ACE_RANK_MAX) != f->rank)
        return pcm_errf(y->e, y->path, yline(fn), "nl: expected %d values", f->rank);
    int nLS = ace_cg_nLS(f->rank);
    if (nLS > 0 && (!li || yget_ilist(y, li, "lint", LS, ACE_RANK_MAX) != nLS))
        return pcm_errf(y->e, y->path, yline(fn), "lint: expected %d values", nLS);
    if (!cn || (f->nd = yget_list(y, cn, "c", f->c, 16)) < 1)
        return pcm_errf(y->e, y->path, yline(fn), "c: expected a list of ndensity coefficients");
    ace_mscg g;
    if (ace_gencg(f->rank, f->ls, LS, 1, &g) < 0) {
        ace_mscg_free(&g);
        return pcm_errf(y->e, y->path, yline(fn), "invalid coupling (odd sum of l or rank > %d)", ACE_CG_RANK_MAX);
    }
    f->nms = g.n;
    f->ms = g.ms;
    f->g = g.c;
    memcpy(f->LS, LS, sizeof f->LS);
    return 0;
}

static void bfuncs_free(bfunc *fs, int n)
{
    for (int i = 0; i < n; i++) {
        free(fs[i].ms);
        free(fs[i].g);
    }
    free(fs);
}

/* Groups, merges and appends one element's B-functions (rank 1 first). */
static void convert_element(ace_cbasis *b, bfunc *fs, int n)
{
    for (int i = 0; i < n; i++)
        bfunc_compress(&fs[i]);
    qsort(fs, (size_t)n, sizeof *fs, cmp_bfunc_key);   /* rank, then the std::map key order */
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && !cmp_bfunc_key(&fs[i], &fs[j]))
            j++;
        merge_group(b, fs + i, j - i);
        i = j;
    }
}

static ace_cbasis *bbasis_parse(const char *path, bfunc **fs_out, int *nfs_out, pcm_err *e)
{
    ydoc y;
    if (ydoc_load(&y, path, e) < 0)
        return NULL;
    ace_cbasis *b = NULL;
    bfunc *fs = NULL;
    int nfs = 0;
    yaml_node_t *root = yaml_document_get_root_node(&y.doc);
    yaml_node_t *species = yget(&y, root, "species");
    int nblk = yseq_len(species);
    if (nblk < 1) {
        pcm_errf(e, path, yline(root), "expected a 'species' list of blocks");
        goto fail;
    }
    /* elements: every name in any speciesblock, sorted */
    char names[64][8];
    int nel = 0;
    for (int i = 0; i < nblk; i++) {
        yaml_node_t *blk = yseq_at(&y, species, i);
        const char *sb = yscalar(yget(&y, blk, "speciesblock"));
        if (!sb) {
            pcm_errf(e, path, yline(blk), "block without 'speciesblock'");
            goto fail;
        }
        char bn[ACE_RANK_MAX + 1][8];
        int k = split_names(sb, bn, ACE_RANK_MAX + 1);
        for (int j = 0; j < k; j++) {
            int seen = 0;
            for (int q = 0; q < nel; q++)
                seen |= !strcmp(names[q], bn[j]);
            if (!seen && nel < 64)
                memcpy(names[nel++], bn[j], 8);
        }
    }
    qsort(names, (size_t)nel, sizeof names[0], cmp_name);
    b = ace_cbasis_new(nel);
    for (int i = 0; i < nel; i++)
        memcpy(b->elements[i], names[i], 8);
    yaml_node_t *glob = yget(&y, root, "global");
    if (glob && yget(&y, glob, "DeltaSplineBins") &&
        yget_num(&y, glob, "DeltaSplineBins", &b->delta_spline_bins) < 0)
        goto fail;

    for (int i = 0; i < nblk; i++) {
        yaml_node_t *blk = yseq_at(&y, species, i);
        char bn[ACE_RANK_MAX + 1][8];
        int k = split_names(yscalar(yget(&y, blk, "speciesblock")), bn, ACE_RANK_MAX + 1);
        int mu_i = elem_index(b, bn[0]), mu_j = k > 1 ? elem_index(b, bn[1]) : mu_i;
        int nuniq = 0;
        for (int a = 0; a < k; a++) {
            int dup = 0;
            for (int c = 0; c < a; c++)
                dup |= !strcmp(bn[a], bn[c]);
            nuniq += !dup;
        }
        if (nuniq == 1 && read_embedding(&y, blk, &b->emb[mu_i]) < 0)
            goto fail;
        if (nuniq <= 2 && read_bond_block(&y, blk, &b->bond[mu_i * nel + mu_j]) < 0)
            goto fail;
        yaml_node_t *nb = yget(&y, blk, "nbody");
        int nf = nb ? yseq_len(nb) : 0;
        if (nf < 0)
            nf = 0;   /* `nbody: []` or absent */
        fs = pcm_realloc(fs, (size_t)(nfs + nf + 1) * sizeof *fs);
        for (int j = 0; j < nf; j++) {
            if (read_bfunc(&y, b, yseq_at(&y, nb, j), &fs[nfs]) < 0)
                goto fail;
            nfs++;
        }
    }
    for (int mu = 0; mu < nel; mu++) {
        if (b->emb[mu].ndensity == 0) {
            pcm_errf(e, path, 0, "no single-species block (embedding) for %s", b->elements[mu]);
            goto fail;
        }
        for (int nu = 0; nu < nel; nu++)
            if (!b->bond[mu * nel + nu].crad) {
                pcm_errf(e, path, 0, "no pair block for %s-%s", b->elements[mu], b->elements[nu]);
                goto fail;
            }
    }
    for (int i = 0; i < nfs; i++)
        if (fs[i].nd != b->emb[fs[i].mu0].ndensity) {
            pcm_errf(e, path, 0, "function of %s has %d coefficients, ndensity is %d", b->elements[fs[i].mu0],
                     fs[i].nd, b->emb[fs[i].mu0].ndensity);
            goto fail;
        }
    *fs_out = fs;
    *nfs_out = nfs;
    yaml_document_delete(&y.doc);
    return b;
fail:
    bfuncs_free(fs, nfs);
    ace_cbasis_free(b);
    yaml_document_delete(&y.doc);
    return NULL;
}

ace_cbasis *ace_bbasis_read(const char *path, ace_bspec **specs, int *nspec, double **coef, pcm_err *e)
{
    bfunc *fs;
    int nfs;
    ace_cbasis *b = bbasis_parse(path, &fs, &nfs, e);
    if (!b)
        return NULL;
    for (int mu = 0; mu < b->nelem; mu++) {
        int n = 0, nd = b->emb[mu].ndensity;
        specs[mu] = pcm_calloc((size_t)nfs + 1, sizeof(ace_bspec));
        coef[mu] = pcm_calloc((size_t)(nfs * nd) + 1, sizeof(double));
        for (int i = 0; i < nfs; i++)
            if (fs[i].mu0 == mu) {
                ace_bspec *sp = &specs[mu][n];
                sp->mu0 = mu;
                sp->rank = fs[i].rank;
                memcpy(sp->mus, fs[i].mus, sizeof sp->mus);
                memcpy(sp->ns, fs[i].ns, sizeof sp->ns);
                memcpy(sp->ls, fs[i].ls, sizeof sp->ls);
                memcpy(sp->LS, fs[i].LS, sizeof sp->LS);
                memcpy(coef[mu] + (size_t)n * nd, fs[i].c, sizeof(double) * nd);
                n++;
            }
        nspec[mu] = n;
    }
    bfuncs_free(fs, nfs);
    return b;
}

ace_cbasis *ace_bbasis_convert(const char *path, pcm_err *e)
{
    ace_bspec *specs[64];
    int nspec[64];
    double *coef[64];
    ace_cbasis *b = ace_bbasis_read(path, specs, nspec, coef, e);
    if (!b)
        return NULL;
    for (int mu = 0; mu < b->nelem; mu++) {
        /* cannot fail: every coupling was validated by the parser */
        ace_cbasis_add_bfuncs(b, specs[mu], coef[mu], nspec[mu], b->emb[mu].ndensity, 1);
        free(specs[mu]);
        free(coef[mu]);
    }
    return b;
}

/* ------------------------------------------------------------------ .yace writer (libyaml emitter) */

typedef struct yemit {
    yaml_emitter_t em;
    int ok;
} yemit;

static int ye_write(void *data, unsigned char *buf, size_t n)
{
    return fwrite(buf, 1, n, (FILE *)data) == n;
}

static void ye_event(yemit *y, yaml_event_t *ev)
{
    if (y->ok && !yaml_emitter_emit(&y->em, ev))
        y->ok = 0;
}

static void ye_str(yemit *y, const char *s)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, YAML_PLAIN_SCALAR_STYLE);
    ye_event(y, &ev);
}

/* Shortest %g that reads back to the same double. */
static void ye_num(yemit *y, double v)
{
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    ye_str(y, buf);
}

static void ye_int(yemit *y, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    ye_str(y, buf);
}

static void ye_seq(yemit *y, int flow)
{
    yaml_event_t ev;
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
    ye_event(y, &ev);
}

static void ye_map(yemit *y, int flow)
{
    yaml_event_t ev;
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
    ye_event(y, &ev);
}

static void ye_end_seq(yemit *y)
{
    yaml_event_t ev;
    yaml_sequence_end_event_initialize(&ev);
    ye_event(y, &ev);
}

static void ye_end_map(yemit *y)
{
    yaml_event_t ev;
    yaml_mapping_end_event_initialize(&ev);
    ye_event(y, &ev);
}

static void ye_numlist(yemit *y, const double *v, int n)
{
    ye_seq(y, 1);
    for (int i = 0; i < n; i++)
        ye_num(y, v[i]);
    ye_end_seq(y);
}

static void ye_intlist(yemit *y, const int *v, int n)
{
    ye_seq(y, 1);
    for (int i = 0; i < n; i++)
        ye_int(y, v[i]);
    ye_end_seq(y);
}

static void ye_bond(yemit *y, const ace_bondspec *bs)
{
    ye_map(y, 1);
    ye_str(y, "nradmax"); ye_int(y, bs->nradmax);
    ye_str(y, "lmax"); ye_int(y, bs->lmax);
    ye_str(y, "nradbasemax"); ye_int(y, bs->nradbasemax);
    ye_str(y, "radbasename"); ye_str(y, bs->radbasename);
    ye_str(y, "radparameters"); ye_numlist(y, bs->radparameters, bs->nradparameters);
    ye_str(y, "radcoefficients");
    ye_seq(y, 1);
    int L = bs->lmax + 1, K = bs->nradbasemax;
    for (int n = 0; n < bs->nradmax; n++) {
        ye_seq(y, 1);
        for (int l = 0; l < L; l++)
            ye_numlist(y, bs->crad + (n * L + l) * K, K);
        ye_end_seq(y);
    }
    ye_end_seq(y);
    ye_str(y, "prehc"); ye_num(y, bs->prehc);
    ye_str(y, "lambdahc"); ye_num(y, bs->lambdahc);
    ye_str(y, "rcut"); ye_num(y, bs->rcut);
    ye_str(y, "dcut"); ye_num(y, bs->dcut);
    ye_str(y, "rcut_in"); ye_num(y, bs->rcut_in);
    ye_str(y, "dcut_in"); ye_num(y, bs->dcut_in);
    ye_str(y, "inner_cutoff_type"); ye_str(y, bs->inner_cutoff_type);
    ye_end_map(y);
}

static void ye_func(yemit *y, const ace_cfunc *f)
{
    ye_map(y, 1);
    ye_str(y, "mu0"); ye_int(y, f->mu0);
    ye_str(y, "rank"); ye_int(y, f->rank);
    ye_str(y, "ndensity"); ye_int(y, f->ndensity);
    ye_str(y, "num_ms_combs"); ye_int(y, f->nms);
    ye_str(y, "mus"); ye_intlist(y, f->mus, f->rank);
    ye_str(y, "ns"); ye_intlist(y, f->ns, f->rank);
    ye_str(y, "ls"); ye_intlist(y, f->ls, f->rank);
    ye_str(y, "ms_combs"); ye_intlist(y, f->ms, f->nms * f->rank);
    ye_str(y, "ctildes"); ye_numlist(y, f->ctildes, f->nms * f->ndensity);
    ye_end_map(y);
}

static void ye_document(yemit *y, const ace_cbasis *b)
{
    yaml_event_t ev;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    ye_event(y, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    ye_event(y, &ev);
    ye_map(y, 0);
    ye_str(y, "elements");
    ye_seq(y, 1);
    for (int i = 0; i < b->nelem; i++)
        ye_str(y, b->elements[i]);
    ye_end_seq(y);
    ye_str(y, "E0"); ye_numlist(y, b->E0, b->nelem);
    ye_str(y, "deltaSplineBins"); ye_num(y, b->delta_spline_bins);
    ye_str(y, "embeddings");
    ye_map(y, 0);
    for (int mu = 0; mu < b->nelem; mu++) {
        const ace_embedspec *em = &b->emb[mu];
        ye_int(y, mu);
        ye_map(y, 1);
        ye_str(y, "ndensity"); ye_int(y, em->ndensity);
        ye_str(y, "FS_parameters"); ye_numlist(y, em->fs, 2 * em->ndensity);
        ye_str(y, "npoti"); ye_str(y, em->npoti);
        ye_str(y, "rho_core_cutoff"); ye_num(y, em->rho_core_cutoff);
        ye_str(y, "drho_core_cutoff"); ye_num(y, em->drho_core_cutoff);
        ye_end_map(y);
    }
    ye_end_map(y);
    ye_str(y, "bonds");
    ye_map(y, 0);
    for (int mu = 0; mu < b->nelem; mu++)
        for (int nu = 0; nu < b->nelem; nu++) {
            int key[2] = {mu, nu};
            ye_intlist(y, key, 2);
            ye_bond(y, &b->bond[mu * b->nelem + nu]);
        }
    ye_end_map(y);
    ye_str(y, "functions");
    ye_map(y, 0);
    for (int mu = 0; mu < b->nelem; mu++) {
        ye_int(y, mu);
        ye_seq(y, 0);
        for (int i = 0; i < b->nfunc[mu]; i++)
            ye_func(y, &b->func[mu][i]);
        ye_end_seq(y);
    }
    ye_end_map(y);
    ye_end_map(y);
    yaml_document_end_event_initialize(&ev, 1);
    ye_event(y, &ev);
    yaml_stream_end_event_initialize(&ev);
    ye_event(y, &ev);
}

int ace_cbasis_write_yace(const ace_cbasis *b, const char *path, pcm_err *e)
{
    pcm_afile af;
    if (atomic_open(&af, path, e) < 0)
        return -1;
    yemit y = {.ok = 1};
    yaml_emitter_initialize(&y.em);
    yaml_emitter_set_output(&y.em, ye_write, af.fp);
    yaml_emitter_set_width(&y.em, -1);
    yaml_emitter_set_unicode(&y.em, 1);
    ye_document(&y, b);
    if (y.ok && !yaml_emitter_flush(&y.em))
        y.ok = 0;
    yaml_emitter_delete(&y.em);
    if (!y.ok) {
        atomic_abort(&af);
        return pcm_errf(e, path, 0, "YAML emitter failed");
    }
    return atomic_commit(&af, e);
}

/* ------------------------------------------------------------------ .yace reader */

static int read_yace_func(ydoc *y, yaml_node_t *fn, ace_cfunc *f)
{
    memset(f, 0, sizeof *f);
    if (yget_int(y, fn, "mu0", &f->mu0) < 0 || yget_int(y, fn, "rank", &f->rank) < 0 ||
        yget_int(y, fn, "ndensity", &f->ndensity) < 0 || yget_int(y, fn, "num_ms_combs", &f->nms) < 0)
        return -1;
    int R = f->rank;
    if (R < 1 || R > ACE_RANK_MAX || f->ndensity < 1 || f->ndensity > 16 || f->nms < 0)
        return pcm_errf(y->e, y->path, yline(fn), "bad rank/ndensity/num_ms_combs");
    if (yget_ilist(y, yget(y, fn, "mus"), "mus", f->mus, ACE_RANK_MAX) != R ||
        yget_ilist(y, yget(y, fn, "ns"), "ns", f->ns, ACE_RANK_MAX) != R ||
        yget_ilist(y, yget(y, fn, "ls"), "ls", f->ls, ACE_RANK_MAX) != R)
        return pcm_errf(y->e, y->path, yline(fn), "mus/ns/ls: expected %d values", R);
    yaml_node_t *msn = yget(y, fn, "ms_combs"), *ctn = yget(y, fn, "ctildes");
    if (yseq_len(msn) != f->nms * R || yseq_len(ctn) != f->nms * f->ndensity)
        return pcm_errf(y->e, y->path, yline(fn), "ms_combs/ctildes: wrong length");
    f->ms = pcm_malloc(sizeof(int) * (size_t)(f->nms * R + 1));
    f->ctildes = pcm_malloc(sizeof(double) * (size_t)(f->nms * f->ndensity + 1));
    for (int i = 0; i < f->nms * R; i++)
        if (yint(y, yseq_at(y, msn, i), "ms_combs", &f->ms[i]) < 0)
            return -1;
    for (int i = 0; i < f->nms * f->ndensity; i++)
        if (ynum(y, yseq_at(y, ctn, i), "ctildes", &f->ctildes[i]) < 0)
            return -1;
    return 0;
}

static int read_yace_bond(ydoc *y, yaml_node_t *m, ace_bondspec *bs)
{
    if (yget_int(y, m, "nradmax", &bs->nradmax) < 0 || yget_int(y, m, "lmax", &bs->lmax) < 0 ||
        yget_int(y, m, "nradbasemax", &bs->nradbasemax) < 0 || yget_num(y, m, "rcut", &bs->rcut) < 0 ||
        yget_num(y, m, "dcut", &bs->dcut) < 0 || yget_num(y, m, "prehc", &bs->prehc) < 0 ||
        yget_num(y, m, "lambdahc", &bs->lambdahc) < 0)
        return -1;
    copy_str(bs->radbasename, sizeof bs->radbasename, yscalar(yget(y, m, "radbasename")));
    yaml_node_t *rp = yget(y, m, "radparameters");
    if (rp && (bs->nradparameters = yget_list(y, rp, "radparameters", bs->radparameters, 4)) < 0)
        return -1;
    yaml_node_t *rc = yget(y, m, "radcoefficients");
    if (!rc || yget_crad(y, rc, bs) < 0)
        return rc ? -1 : pcm_errf(y->e, y->path, yline(m), "missing 'radcoefficients'");
    if (yget(y, m, "rcut_in") && yget_num(y, m, "rcut_in", &bs->rcut_in) < 0)
        return -1;
    if (yget(y, m, "dcut_in") && yget_num(y, m, "dcut_in", &bs->dcut_in) < 0)
        return -1;
    const char *ict = yscalar(yget(y, m, "inner_cutoff_type"));
    copy_str(bs->inner_cutoff_type, sizeof bs->inner_cutoff_type, ict ? ict : "density");
    return 0;
}

ace_cbasis *ace_cbasis_read_yace(const char *path, pcm_err *e)
{
    ydoc y;
    if (ydoc_load(&y, path, e) < 0)
        return NULL;
    ace_cbasis *b = NULL;
    yaml_node_t *root = yaml_document_get_root_node(&y.doc);
    yaml_node_t *el = yget(&y, root, "elements");
    int nel = yseq_len(el);
    if (nel < 1 || nel > 64) {
        pcm_errf(e, path, yline(root), "expected an 'elements' list");
        goto fail;
    }
    b = ace_cbasis_new(nel);
    for (int i = 0; i < nel; i++)
        copy_str(b->elements[i], 8, yscalar(yseq_at(&y, el, i)));
    yaml_node_t *e0 = yget(&y, root, "E0");
    if (e0 && yget_list(&y, e0, "E0", b->E0, nel) != nel) {
        pcm_errf(e, path, yline(e0), "E0: expected %d values", nel);
        goto fail;
    }
    if (yget(&y, root, "deltaSplineBins") && yget_num(&y, root, "deltaSplineBins", &b->delta_spline_bins) < 0)
        goto fail;
    yaml_node_t *emb = yget(&y, root, "embeddings"), *bonds = yget(&y, root, "bonds"),
                *funcs = yget(&y, root, "functions");
    if (!emb || !bonds || !funcs || emb->type != YAML_MAPPING_NODE || bonds->type != YAML_MAPPING_NODE ||
        funcs->type != YAML_MAPPING_NODE) {
        pcm_errf(e, path, yline(root), "expected 'embeddings', 'bonds' and 'functions' maps");
        goto fail;
    }
    for (yaml_node_pair_t *pr = emb->data.mapping.pairs.start; pr < emb->data.mapping.pairs.top; pr++) {
        int mu;
        yaml_node_t *m = ynode(&y, pr->value);
        if (yint(&y, ynode(&y, pr->key), "embedding key", &mu) < 0)
            goto fail;
        if (mu < 0 || mu >= nel) {
            pcm_errf(e, path, yline(m), "embedding for unknown species %d", mu);
            goto fail;
        }
        ace_embedspec *es = &b->emb[mu];
        if (yget_int(&y, m, "ndensity", &es->ndensity) < 0)
            goto fail;
        if (es->ndensity < 1 || es->ndensity > 8 ||
            yget_list(&y, yget(&y, m, "FS_parameters"), "FS_parameters", es->fs, 16) != 2 * es->ndensity) {
            pcm_errf(e, path, yline(m), "FS_parameters: expected 2*ndensity values");
            goto fail;
        }
        copy_str(es->npoti, sizeof es->npoti, yscalar(yget(&y, m, "npoti")));
        if (yget_num(&y, m, "rho_core_cutoff", &es->rho_core_cutoff) < 0 ||
            yget_num(&y, m, "drho_core_cutoff", &es->drho_core_cutoff) < 0)
            goto fail;
    }
    for (yaml_node_pair_t *pr = bonds->data.mapping.pairs.start; pr < bonds->data.mapping.pairs.top; pr++) {
        int key[2];
        yaml_node_t *k = ynode(&y, pr->key);
        if (yget_ilist(&y, k, "bond key", key, 2) != 2 || key[0] < 0 || key[0] >= nel || key[1] < 0 ||
            key[1] >= nel) {
            pcm_errf(e, path, yline(k), "bond key: expected [mu_i, mu_j]");
            goto fail;
        }
        ace_bondspec *bs = &b->bond[key[0] * nel + key[1]];
        free(bs->crad);
        bs->crad = NULL;
        if (read_yace_bond(&y, ynode(&y, pr->value), bs) < 0)
            goto fail;
    }
    for (yaml_node_pair_t *pr = funcs->data.mapping.pairs.start; pr < funcs->data.mapping.pairs.top; pr++) {
        int mu;
        if (yint(&y, ynode(&y, pr->key), "functions key", &mu) < 0)
            goto fail;
        yaml_node_t *list = ynode(&y, pr->value);
        int n = yseq_len(list);
        for (int i = 0; i < n; i++) {
            ace_cfunc f;
            if (read_yace_func(&y, yseq_at(&y, list, i), &f) < 0) {
                ace_cfunc_clear(&f);
                goto fail;
            }
            if (f.mu0 != mu || f.mu0 < 0 || f.mu0 >= nel) {
                ace_cfunc_clear(&f);
                pcm_errf(e, path, yline(yseq_at(&y, list, i)), "mu0 does not match its block");
                goto fail;
            }
            ace_cbasis_add(b, &f);
            ace_cfunc_clear(&f);
        }
    }
    yaml_document_delete(&y.doc);
    return b;
fail:
    ace_cbasis_free(b);
    yaml_document_delete(&y.doc);
    return NULL;
}

/* ------------------------------------------------------------------ canonical comparison */

typedef struct ckey {
    int k[2 + 4 * ACE_RANK_MAX];   /* mu0, p, then sorted (mu,n,l,m) */
    int len;
    double v;
} ckey;

static int cmp_ckey(const void *pa, const void *pb)
{
    const ckey *a = pa, *b = pb;
    return cmp_vec(a->k, a->len, b->k, b->len);
}

static ckey *canon(const ace_cbasis *b, int *nout)
{
    int cap = 1024, n = 0;
    ckey *out = pcm_malloc((size_t)cap * sizeof *out);
    for (int mu = 0; mu < b->nelem; mu++)
        for (int i = 0; i < b->nfunc[mu]; i++) {
            const ace_cfunc *f = &b->func[mu][i];
            int R = f->rank;
            for (int s = 0; s < f->nms; s++)
                for (int p = 0; p < f->ndensity; p++) {
                    fac v[2][ACE_RANK_MAX];
                    for (int sg = 0; sg < 2; sg++) {
                        for (int r = 0; r < R; r++)
                            v[sg][r] = (fac){f->mus[r], f->ns[r], f->ls[r], (sg ? -1 : 1) * f->ms[s * R + r], 0};
                        qsort(v[sg], (size_t)R, sizeof(fac), cmp_fac);
                    }
                    int use = 0;   /* the smaller of ms and -ms as representative */
                    for (int r = 0; r < R && !use; r++) {
                        int c = cmp_fac(&v[0][r], &v[1][r]);
                        if (c > 0)
                            use = 1;
                        if (c != 0)
                            break;
                    }
                    if (n == cap) {
                        cap *= 2;
                        out = pcm_realloc(out, (size_t)cap * sizeof *out);
                    }
                    ckey *k = &out[n++];
                    k->k[0] = mu;
                    k->k[1] = p;
                    for (int r = 0; r < R; r++) {
                        k->k[2 + 4 * r] = v[use][r].mu;
                        k->k[3 + 4 * r] = v[use][r].n;
                        k->k[4 + 4 * r] = v[use][r].l;
                        k->k[5 + 4 * r] = v[use][r].m;
                    }
                    k->len = 2 + 4 * R;
                    k->v = f->ctildes[s * f->ndensity + p];
                }
        }
    qsort(out, (size_t)n, sizeof *out, cmp_ckey);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && !cmp_ckey(&out[m - 1], &out[i]))
            out[m - 1].v += out[i].v;
        else
            out[m++] = out[i];
    }
    *nout = m;
    return out;
}

double ace_cbasis_max_diff(const ace_cbasis *a, const ace_cbasis *b, int *nkeys)
{
    int na, nb;
    ckey *ka = canon(a, &na), *kb = canon(b, &nb);
    double worst = 0.0;
    int i = 0, j = 0, nk = 0;
    while (i < na || j < nb) {
        int c = (i == na) ? 1 : (j == nb) ? -1 : cmp_ckey(&ka[i], &kb[j]);
        double d = c < 0 ? fabs(ka[i].v) : c > 0 ? fabs(kb[j].v) : fabs(ka[i].v - kb[j].v);
        if (d > worst)
            worst = d;
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
        nk++;
    }
    free(ka);
    free(kb);
    if (nkeys)
        *nkeys = nk;
    return worst;
}

/* ------------------------------------------------------------------ B-functions from specs */

int ace_cbasis_add_bfuncs(ace_cbasis *b, const ace_bspec *specs, const double *c, int n, int ndensity,
                          int merge)
{
    if (n <= 0)
        return 0;
    assert(ndensity >= 1 && ndensity <= 16);
    bfunc *fs = pcm_calloc((size_t)n, sizeof *fs);
    for (int i = 0; i < n; i++) {
        const ace_bspec *sp = &specs[i];
        assert(sp->mu0 == specs[0].mu0 && sp->rank >= 1 && sp->rank <= ACE_RANK_MAX);
        bfunc *f = &fs[i];
        f->mu0 = sp->mu0;
        f->rank = sp->rank;
        f->nd = ndensity;
        memcpy(f->mus, sp->mus, sizeof f->mus);
        memcpy(f->ns, sp->ns, sizeof f->ns);
        memcpy(f->ls, sp->ls, sizeof f->ls);
        memcpy(f->c, c + (size_t)i * ndensity, sizeof(double) * ndensity);
        ace_mscg g;
        if (ace_gencg(sp->rank, sp->ls, sp->LS, 1, &g) < 0) {
            ace_mscg_free(&g);
            bfuncs_free(fs, i);
            return -1;
        }
        f->nms = g.n;
        f->ms = g.ms;
        f->g = g.c;
    }
    if (merge) {
        convert_element(b, fs, n);
    } else {
        for (int i = 0; i < n; i++) {
            bfunc_compress(&fs[i]);
            merge_group(b, &fs[i], 1);
        }
    }
    bfuncs_free(fs, n);
    return 0;
}
