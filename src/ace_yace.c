/* ace_yace.c - read a pacemaker/ML-PACE .yace (C-tilde basis) file with libyaml.
 *
 * Layout and key meanings: ../shared/ace-reference/YACE_FORMAT.md §1 (ML-PACE
 * ACECTildeBasisSet::load_yaml).  The whole file is loaded with libyaml's document
 * API; every problem is reported as "file:line: what was expected".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ace_basis.h"
#include "elements.h"

typedef struct {
    const char *path;
    yaml_document_t *doc;
    pcm_err *e;
} yctx;

static long yline(const yaml_node_t *n) { return n ? (long)n->start_mark.line + 1 : 0; }

static yaml_node_t *ynode(yctx *c, int id) { return yaml_document_get_node(c->doc, id); }

static int yfail(yctx *c, const yaml_node_t *n, const char *what, const char *key)
{
    if (key)
        return pcm_errf(c->e, c->path, yline(n), "'%s': %s", key, what);
    return pcm_errf(c->e, c->path, yline(n), "%s", what);
}

static int yscalar_is(const yaml_node_t *n, const char *s)
{
    return n && n->type == YAML_SCALAR_NODE && strcmp((const char *)n->data.scalar.value, s) == 0;
}

/* Value of `key` in mapping m, or NULL. */
static yaml_node_t *yget(yctx *c, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        if (yscalar_is(ynode(c, p->key), key))
            return ynode(c, p->value);
    return NULL;
}

/* Required key of a mapping (message names the mapping's line). */
static yaml_node_t *yneed(yctx *c, yaml_node_t *m, const char *key, const char *owner)
{
    yaml_node_t *v = yget(c, m, key);
    if (!v) {
        pcm_errf(c->e, c->path, yline(m), "missing key '%s' in %s", key, owner);
        return NULL;
    }
    return v;
}

/* A NULL node means yneed() already reported the missing key. */
static int ydouble(yctx *c, yaml_node_t *n, const char *key, double *out)
{
    if (!n)
        return -1;
    if (n->type != YAML_SCALAR_NODE)
        return yfail(c, n, "expected a number", key);
    const char *s = (const char *)n->data.scalar.value;
    char *end;
    *out = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(*out))
        return pcm_errf(c->e, c->path, yline(n), "'%s': expected a finite number, found '%s'", key, s);
    return 0;
}

static int yint(yctx *c, yaml_node_t *n, const char *key, int lo, int hi, int *out)
{
    if (!n)
        return -1;
    if (n->type != YAML_SCALAR_NODE)
        return yfail(c, n, "expected an integer", key);
    const char *s = (const char *)n->data.scalar.value;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0')
        return pcm_errf(c->e, c->path, yline(n), "'%s': expected an integer, found '%s'", key, s);
    if (v < lo || v > hi)
        return pcm_errf(c->e, c->path, yline(n), "'%s': %ld out of range (expected %d..%d)", key, v, lo, hi);
    *out = (int)v;
    return 0;
}

static int yseq_len(yctx *c, yaml_node_t *n, const char *key)
{
    if (!n)
        return -1;
    if (n->type != YAML_SEQUENCE_NODE) {
        yfail(c, n, "expected a list", key);
        return -1;
    }
    return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *yitem(yctx *c, yaml_node_t *seq, int k) { return ynode(c, seq->data.sequence.items.start[k]); }

/* A list of exactly `want` numbers (want < 0: any length, returned in *len). */
static double *ydoubles(yctx *c, yaml_node_t *n, const char *key, int want, int *len)
{
    int m = yseq_len(c, n, key);
    if (m < 0)
        return NULL;
    if (want >= 0 && m != want) {
        pcm_errf(c->e, c->path, yline(n), "'%s': expected %d values, found %d", key, want, m);
        return NULL;
    }
    double *v = pcm_malloc((size_t)(m > 0 ? m : 1) * sizeof *v);
    for (int k = 0; k < m; k++)
        if (ydouble(c, yitem(c, n, k), key, &v[k]) != 0) {
            free(v);
            return NULL;
        }
    if (len)
        *len = m;
    return v;
}

static int yints(yctx *c, yaml_node_t *n, const char *key, int want, int lo, int hi, int *out)
{
    int m = yseq_len(c, n, key);
    if (m < 0)
        return -1;
    if (m != want)
        return pcm_errf(c->e, c->path, yline(n), "'%s': expected %d values, found %d", key, want, m);
    for (int k = 0; k < m; k++)
        if (yint(c, yitem(c, n, k), key, lo, hi, &out[k]) != 0)
            return -1;
    return 0;
}

static int ynum(yctx *c, yaml_node_t *m, const char *key, const char *owner, double *out)
{
    yaml_node_t *v = yneed(c, m, key, owner);
    return v ? ydouble(c, v, key, out) : -1;
}

static int ynumi(yctx *c, yaml_node_t *m, const char *key, const char *owner, int lo, int hi, int *out)
{
    yaml_node_t *v = yneed(c, m, key, owner);
    return v ? yint(c, v, key, lo, hi, out) : -1;
}

/* ------------------------------------------------------------------ sections */

static int read_elements(yctx *c, yaml_node_t *root, ace_basis *b)
{
    yaml_node_t *el = yneed(c, root, "elements", "the top-level mapping");
    if (!el)
        return -1;
    int n = yseq_len(c, el, "elements");
    if (n < 0)
        return -1;
    if (n < 1 || n > PCM_MAX_SPECIES)
        return pcm_errf(c->e, c->path, yline(el), "'elements': expected 1..%d element symbols, found %d",
                        PCM_MAX_SPECIES, n);
    b->nelements = n;
    for (int k = 0; k < n; k++) {
        yaml_node_t *s = yitem(c, el, k);
        if (s->type != YAML_SCALAR_NODE)
            return yfail(c, s, "expected an element symbol", "elements");
        const char *sym = (const char *)s->data.scalar.value;
        int z = element_z(sym);
        if (z <= 0 || strlen(sym) > 3)
            return pcm_errf(c->e, c->path, yline(s), "'elements': unknown element '%s'", sym);
        snprintf(b->elements[k], sizeof b->elements[k], "%s", sym);
        b->z[k] = z;
    }
    double *e0 = ydoubles(c, yneed(c, root, "E0", "the top-level mapping"), "E0", n, NULL);
    if (!e0)
        return -1;
    memcpy(b->E0, e0, (size_t)n * sizeof *e0);
    free(e0);
    if (ynum(c, root, "deltaSplineBins", "the top-level mapping", &b->delta_spline) != 0)
        return -1;
    if (!(b->delta_spline > 0))
        return pcm_errf(c->e, c->path, yline(yget(c, root, "deltaSplineBins")),
                        "'deltaSplineBins': expected a positive grid spacing (Å)");
    return 0;
}

/* Species id of a mapping key ("0") or of one component of a [mu_i, mu_j] key. */
static int key_species(yctx *c, yaml_node_t *k, const char *sect, ace_basis *b, int *mu)
{
    return yint(c, k, sect, 0, b->nelements - 1, mu);
}

static int read_embeddings(yctx *c, yaml_node_t *root, ace_basis *b)
{
    yaml_node_t *m = yneed(c, root, "embeddings", "the top-level mapping");
    if (!m)
        return -1;
    if (m->type != YAML_MAPPING_NODE)
        return yfail(c, m, "expected a mapping species -> embedding", "embeddings");
    int seen[PCM_MAX_SPECIES] = {0};
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        int mu;
        if (key_species(c, ynode(c, p->key), "embeddings", b, &mu) != 0)
            return -1;
        yaml_node_t *v = ynode(c, p->value);
        ace_embedding *em = &b->emb[mu];
        const char *own = "an embedding";
        if (ynumi(c, v, "ndensity", own, 1, 64, &em->ndensity) != 0)
            return -1;
        free(em->fs);
        em->fs = ydoubles(c, yneed(c, v, "FS_parameters", own), "FS_parameters", 2 * em->ndensity, NULL);
        if (!em->fs)
            return -1;
        yaml_node_t *np = yneed(c, v, "npoti", own);
        if (!np)
            return -1;
        if (yscalar_is(np, "FinnisSinclairShiftedScaled"))
            em->npoti = ACE_EMB_FS_SHIFTED_SCALED;
        else if (yscalar_is(np, "FinnisSinclair"))
            em->npoti = ACE_EMB_FS;
        else
            return pcm_errf(c->e, c->path, yline(np),
                            "'npoti': unknown embedding '%s' (expected FinnisSinclairShiftedScaled or "
                            "FinnisSinclair)",
                            np->type == YAML_SCALAR_NODE ? (const char *)np->data.scalar.value : "?");
        if (ynum(c, v, "rho_core_cutoff", own, &em->rho_core_cut) != 0 ||
            ynum(c, v, "drho_core_cutoff", own, &em->drho_core_cut) != 0)
            return -1;
        seen[mu] = 1;
        if (em->ndensity > b->ndensitymax)
            b->ndensitymax = em->ndensity;
    }
    for (int mu = 0; mu < b->nelements; mu++)
        if (!seen[mu])
            return pcm_errf(c->e, c->path, yline(m), "'embeddings': no entry for species %d (%s)", mu,
                            b->elements[mu]);
    return 0;
}

static int read_radbase(yctx *c, yaml_node_t *n, int *rb)
{
    static const struct {
        const char *name;
        int id;
    } t[] = {{"ChebExpCos", ACE_RB_CHEBEXPCOS}, {"ChebPow", ACE_RB_CHEBPOW}, {"ChebLinear", ACE_RB_CHEBLINEAR},
             {"SBessel", ACE_RB_SBESSEL},       {"TEST_SBessel", ACE_RB_SBESSEL}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (yscalar_is(n, t[k].name)) {
            *rb = t[k].id;
            return 0;
        }
    return pcm_errf(c->e, c->path, yline(n),
                    "'radbasename': unknown radial basis '%s' (expected ChebExpCos, ChebPow, ChebLinear or SBessel)",
                    n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "?");
}

/* First pass over one bond: scalars and sizes.  radcoefficients are read later,
 * once the global (padded) sizes are known. */
static int read_bond(yctx *c, yaml_node_t *v, ace_bond *bd, int *inner)
{
    const char *own = "a bond";
    yaml_node_t *rn = yneed(c, v, "radbasename", own);
    if (!rn || read_radbase(c, rn, &bd->radbase) != 0)
        return -1;
    if (ynumi(c, v, "nradmax", own, 0, 64, &bd->nradmax) || ynumi(c, v, "lmax", own, 0, 20, &bd->lmax) ||
        ynumi(c, v, "nradbasemax", own, 1, 64, &bd->nradbase) || ynum(c, v, "prehc", own, &bd->prehc) ||
        ynum(c, v, "lambdahc", own, &bd->lambdahc) || ynum(c, v, "rcut", own, &bd->rcut) ||
        ynum(c, v, "dcut", own, &bd->dcut))
        return -1;
    if (!(bd->rcut > 0))
        return pcm_errf(c->e, c->path, yline(yget(c, v, "rcut")), "'rcut': expected a positive cutoff (Å)");
    int np;
    double *rp = ydoubles(c, yneed(c, v, "radparameters", own), "radparameters", -1, &np);
    if (!rp)
        return -1;
    if (np < 1) {
        free(rp);
        return pcm_errf(c->e, c->path, yline(yget(c, v, "radparameters")),
                        "'radparameters': expected at least one value (lambda)");
    }
    bd->lambda = rp[0];
    free(rp);
    yaml_node_t *t;
    if ((t = yget(c, v, "rcut_in")) && ydouble(c, t, "rcut_in", &bd->rcut_in))
        return -1;
    if ((t = yget(c, v, "dcut_in")) && ydouble(c, t, "dcut_in", &bd->dcut_in))
        return -1;
    *inner = ACE_INNER_DENSITY; /* ML-PACE: missing key means the legacy 'density' mode */
    if ((t = yget(c, v, "inner_cutoff_type"))) {
        if (yscalar_is(t, "density"))
            *inner = ACE_INNER_DENSITY;
        else if (yscalar_is(t, "distance"))
            *inner = ACE_INNER_DISTANCE;
        else if (yscalar_is(t, "zbl"))
            *inner = ACE_INNER_ZBL;
        else
            return pcm_errf(c->e, c->path, yline(t),
                            "'inner_cutoff_type': expected density, distance or zbl");
    }
    return 0;
}

static int read_crad(yctx *c, yaml_node_t *v, const ace_basis *b, ace_bond *bd)
{
    yaml_node_t *rc = yneed(c, v, "radcoefficients", "a bond");
    if (!rc)
        return -1;
    int nn = yseq_len(c, rc, "radcoefficients");
    if (nn < 0)
        return -1;
    if (nn != bd->nradmax)
        return pcm_errf(c->e, c->path, yline(rc), "'radcoefficients': expected nradmax = %d rows, found %d",
                        bd->nradmax, nn);
    int L = b->lmax + 1, K = b->nradbase;
    bd->crad = pcm_calloc((size_t)(b->nradmax > 0 ? b->nradmax : 1) * L * K, sizeof(double));
    for (int n = 0; n < nn; n++) {
        yaml_node_t *rl = yitem(c, rc, n);
        int nl = yseq_len(c, rl, "radcoefficients");
        if (nl < 0)
            return -1;
        if (nl != bd->lmax + 1)
            return pcm_errf(c->e, c->path, yline(rl), "'radcoefficients': expected lmax+1 = %d lists, found %d",
                            bd->lmax + 1, nl);
        for (int l = 0; l < nl; l++) {
            double *row = ydoubles(c, yitem(c, rl, l), "radcoefficients", bd->nradbase, NULL);
            if (!row)
                return -1;
            memcpy(&bd->crad[((size_t)n * L + l) * K], row, (size_t)bd->nradbase * sizeof *row);
            free(row);
        }
    }
    return 0;
}

static int read_bonds(yctx *c, yaml_node_t *root, ace_basis *b)
{
    yaml_node_t *m = yneed(c, root, "bonds", "the top-level mapping");
    if (!m)
        return -1;
    if (m->type != YAML_MAPPING_NODE)
        return yfail(c, m, "expected a mapping [mu_i, mu_j] -> bond", "bonds");
    int nel = b->nelements;
    b->bonds = pcm_calloc((size_t)nel * nel, sizeof *b->bonds);
    yaml_node_t **val = pcm_calloc((size_t)nel * nel, sizeof *val);
    int rc = -1;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = ynode(c, p->key);
        int ij[2];
        if (k->type != YAML_SEQUENCE_NODE) {
            yfail(c, k, "expected a key [mu_i, mu_j]", "bonds");
            goto out;
        }
        if (yints(c, k, "bonds", 2, 0, nel - 1, ij) != 0)
            goto out;
        int inner;
        yaml_node_t *v = ynode(c, p->value);
        if (read_bond(c, v, &b->bonds[ij[0] * nel + ij[1]], &inner) != 0)
            goto out;
        b->inner_type = inner; /* global, last bond wins (ML-PACE) */
        val[ij[0] * nel + ij[1]] = v;
    }
    for (int q = 0; q < nel * nel; q++) {
        if (!val[q]) {
            pcm_errf(c->e, c->path, yline(m), "'bonds': no entry for pair [%d, %d] (%s-%s)", q / nel, q % nel,
                     b->elements[q / nel], b->elements[q % nel]);
            goto out;
        }
        const ace_bond *bd = &b->bonds[q];
        if (bd->nradmax > b->nradmax)
            b->nradmax = bd->nradmax;
        if (bd->lmax > b->lmax)
            b->lmax = bd->lmax;
        if (bd->nradbase > b->nradbase)
            b->nradbase = bd->nradbase;
        if (bd->rcut > b->cutoffmax)
            b->cutoffmax = bd->rcut;
    }
    for (int q = 0; q < nel * nel; q++)
        if (read_crad(c, val[q], b, &b->bonds[q]) != 0)
            goto out;
    rc = 0;
out:
    free(val);
    return rc;
}

static int read_function(yctx *c, yaml_node_t *v, int mu, ace_basis *b, ace_func *f)
{
    const char *own = "a basis function";
    int mu0;
    if (v->type != YAML_MAPPING_NODE)
        return yfail(c, v, "expected a mapping (one C-tilde function)", "functions");
    if (ynumi(c, v, "mu0", own, 0, b->nelements - 1, &mu0) ||
        ynumi(c, v, "rank", own, 1, ACE_MAX_RANK, &f->rank) ||
        ynumi(c, v, "ndensity", own, 1, 64, &f->ndensity) || ynumi(c, v, "num_ms_combs", own, 0, 1 << 24, &f->nms))
        return -1;
    if (mu0 != mu)
        return pcm_errf(c->e, c->path, yline(yget(c, v, "mu0")), "'mu0': expected %d (the species of this list)",
                        mu);
    if (f->ndensity != b->emb[mu].ndensity)
        return pcm_errf(c->e, c->path, yline(yget(c, v, "ndensity")),
                        "'ndensity': expected %d (the embedding of species %s)", b->emb[mu].ndensity,
                        b->elements[mu]);
    int r = f->rank;
    if (yints(c, yneed(c, v, "mus", own), "mus", r, 0, b->nelements - 1, f->mus) ||
        yints(c, yneed(c, v, "ns", own), "ns", r, 1, r == 1 ? b->nradbase : b->nradmax, f->ns) ||
        yints(c, yneed(c, v, "ls", own), "ls", r, 0, r == 1 ? 0 : b->lmax, f->ls))
        return -1;
    yaml_node_t *msn = yneed(c, v, "ms_combs", own);
    if (!msn)
        return -1;
    f->ms = pcm_malloc((size_t)(f->nms * r + 1) * sizeof *f->ms);
    if (yints(c, msn, "ms_combs", f->nms * r, -b->lmax, b->lmax, f->ms) != 0)
        return -1;
    for (int s = 0; s < f->nms; s++)
        for (int t = 0; t < r; t++)
            if (abs(f->ms[s * r + t]) > f->ls[t])
                return pcm_errf(c->e, c->path, yline(msn), "'ms_combs': |m| = %d exceeds l = %d",
                                abs(f->ms[s * r + t]), f->ls[t]);
    f->ctildes = ydoubles(c, yneed(c, v, "ctildes", own), "ctildes", f->nms * f->ndensity, NULL);
    return f->ctildes ? 0 : -1;
}

static int read_functions(yctx *c, yaml_node_t *root, ace_basis *b)
{
    yaml_node_t *m = yneed(c, root, "functions", "the top-level mapping");
    if (!m)
        return -1;
    if (m->type != YAML_MAPPING_NODE)
        return yfail(c, m, "expected a mapping species -> list of functions", "functions");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        int mu;
        if (key_species(c, ynode(c, p->key), "functions", b, &mu) != 0)
            return -1;
        yaml_node_t *lst = ynode(c, p->value);
        int nf = yseq_len(c, lst, "functions");
        if (nf < 0)
            return -1;
        b->func1[mu] = pcm_calloc((size_t)nf + 1, sizeof(ace_func));
        b->func[mu] = pcm_calloc((size_t)nf + 1, sizeof(ace_func));
        for (int k = 0; k < nf; k++) {
            ace_func f = {0};
            int rc = read_function(c, yitem(c, lst, k), mu, b, &f);
            ace_func *dst = f.rank == 1 ? &b->func1[mu][b->nfunc1[mu]++] : &b->func[mu][b->nfunc[mu]++];
            *dst = f; /* stored even on error so ace_basis_free releases it */
            if (rc != 0)
                return -1;
            if (f.rank > b->rankmax)
                b->rankmax = f.rank;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ entry points */

ace_basis *ace_basis_load(const char *path, pcm_err *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        pcm_errf(e, path, 0, "cannot open the potential file");
        return NULL;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    if (!yaml_parser_load(&parser, &doc)) {
        pcm_errf(e, path, (long)parser.problem_mark.line + 1, "malformed YAML: %s%s%s",
                 parser.problem ? parser.problem : "parse error", parser.context ? " " : "",
                 parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        fclose(fp);
        return NULL;
    }
    yaml_parser_delete(&parser);
    fclose(fp);

    ace_basis *b = pcm_calloc(1, sizeof *b);
    b->path = pcm_strdup(path);
    yctx c = {path, &doc, e};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = -1;
    if (!root || root->type != YAML_MAPPING_NODE)
        pcm_errf(e, path, yline(root), "expected a YAML mapping with elements, E0, embeddings, bonds, functions");
    else if (read_elements(&c, root, b) == 0 && read_embeddings(&c, root, b) == 0 && read_bonds(&c, root, b) == 0 &&
             read_functions(&c, root, b) == 0)
        rc = 0;
    yaml_document_delete(&doc);
    if (rc != 0) {
        ace_basis_free(b);
        return NULL;
    }
    ace_radial_setup(b);
    return b;
}

void ace_basis_free(ace_basis *b)
{
    if (!b)
        return;
    int nel = b->nelements;
    for (int mu = 0; mu < PCM_MAX_SPECIES; mu++) {
        free(b->emb[mu].fs);
        for (int k = 0; k < b->nfunc1[mu]; k++) {
            free(b->func1[mu][k].ms);
            free(b->func1[mu][k].ctildes);
        }
        for (int k = 0; k < b->nfunc[mu]; k++) {
            free(b->func[mu][k].ms);
            free(b->func[mu][k].ctildes);
        }
        free(b->func1[mu]);
        free(b->func[mu]);
    }
    if (b->bonds)
        for (int q = 0; q < nel * nel; q++)
            free(b->bonds[q].crad);
    free(b->bonds);
    if (b->splines)
        for (int q = 0; q < nel * nel; q++)
            free(b->splines[q].c);
    free(b->splines);
    free(b->path);
    free(b);
}
