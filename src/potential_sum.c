/* potential_sum.c - the sum of two potentials, e.g. "GST.yace+d2" (ACE plus D2 dispersion).
 *
 * E = E_A + E_B, and likewise per-atom energies, forces and virial.  The sum's
 * cutoff is the larger one; each part filters the shared neighbour list by its
 * own cutoff (every potential must, since lists carry a skin anyway). */
#include "potential.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    pcm_potential *a, *b;
    double *pe;        /* [cap] part A per-atom energies */
    double (*f)[3];    /* [cap] part A forces */
    int cap;
} sum_impl;

static int sum_bind(pcm_potential *p, const pcm_system *s, pcm_err *e)
{
    sum_impl *m = p->impl;
    return potential_bind(m->a, s, e) != 0 || potential_bind(m->b, s, e) != 0 ? -1 : 0;
}

static int sum_compute(pcm_potential *p, pcm_system *s, const pcm_nlist *nl, pcm_err *e)
{
    sum_impl *m = p->impl;
    if (potential_compute(m->a, s, nl, e) != 0)
        return -1;
    if (m->cap < s->n) {
        m->cap = s->n;
        m->pe = pcm_realloc(m->pe, (size_t)m->cap * sizeof *m->pe);
        m->f = pcm_realloc(m->f, (size_t)m->cap * sizeof *m->f);
    }
    memcpy(m->pe, s->pe, (size_t)s->n * sizeof *m->pe);
    memcpy(m->f, s->f, (size_t)s->n * sizeof *m->f);
    double ea = s->energy, wa[6];
    memcpy(wa, s->virial, sizeof wa);
    if (potential_compute(m->b, s, nl, e) != 0)
        return -1;
    for (int i = 0; i < s->n; i++) {
        s->pe[i] += m->pe[i];
        for (int k = 0; k < 3; k++)
            s->f[i][k] += m->f[i][k];
    }
    s->energy += ea;
    for (int c = 0; c < 6; c++)
        s->virial[c] += wa[c];
    return 0;
}

static void sum_destroy(pcm_potential *p)
{
    sum_impl *m = p->impl;
    potential_free(m->a);
    potential_free(m->b);
    free(m->pe);
    free(m->f);
    free(m);
}

static const pcm_potential_ops sum_ops = {"sum", sum_bind, sum_compute, sum_destroy};

pcm_potential *potential_sum_new(pcm_potential *a, pcm_potential *b)
{
    pcm_potential *p = pcm_calloc(1, sizeof *p);
    sum_impl *m = pcm_calloc(1, sizeof *m);
    m->a = a, m->b = b;
    p->ops = &sum_ops;
    p->impl = m;
    p->rcut = a->rcut > b->rcut ? a->rcut : b->rcut;
    size_t la = strlen(a->path), lb = strlen(b->path);
    p->path = pcm_malloc(la + lb + 2);
    memcpy(p->path, a->path, la);
    p->path[la] = '+';
    memcpy(p->path + la + 1, b->path, lb + 1);
    /* the sum covers the species both parts cover */
    for (int k = 0; k < a->nelements; k++)
        for (int q = 0; q < b->nelements; q++)
            if (!strcmp(a->elements[k], b->elements[q]))
                memcpy(p->elements[p->nelements++], a->elements[k], sizeof a->elements[k]);
    if (b->nelements == 0 || a->nelements == 0) { /* a part that takes any species */
        const pcm_potential *c = a->nelements ? a : b;
        p->nelements = c->nelements;
        memcpy(p->elements, c->elements, sizeof p->elements);
    }
    return p;
}

pcm_potential *potential_sum_load(const char *spec, pcm_err *e)
{
    const char *plus = strchr(spec, '+');
    if (!plus || plus == spec || !plus[1]) {
        pcm_errf(e, spec, 0, "expected POT1+POT2");
        return NULL;
    }
    char *left = pcm_malloc((size_t)(plus - spec) + 1);
    memcpy(left, spec, (size_t)(plus - spec));
    left[plus - spec] = '\0';
    pcm_potential *a = potential_load(left, e);
    free(left);
    if (!a)
        return NULL;
    pcm_potential *b = potential_load(plus + 1, e);
    if (!b) {
        potential_free(a);
        return NULL;
    }
    return potential_sum_new(a, b);
}
