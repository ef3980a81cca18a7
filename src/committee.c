/* committee.c - committee disagreement (equations and references in committee.h). */
#include "committee.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pcm_committee {
    int k;
    pcm_potential *p[COMMITTEE_MAX];
    double rcut;              /* Å, largest member cutoff: one neighbour list serves all */
    int cap;                  /* atoms the scratch arrays hold */
    double (*mean_f)[3];      /* [cap] eV/Å */
    double *m2_f, *mean_e, *m2_e, *sf;
};

/* ------------------------------------------------------------ member lists */
static int ends_with_yace(const char *s, size_t len)
{
    return len > 5 && !strncmp(s + len - 5, ".yace", 5);
}

static int list_push(committee_list *l, const char *s, size_t len, pcm_err *e)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (!len)
        return pcm_errf(e, NULL, 0, "committee: empty member name (expected A.yace,B.yace,...)");
    if (l->k == COMMITTEE_MAX)
        return pcm_errf(e, NULL, 0, "committee: %d members at most", COMMITTEE_MAX);
    if (len >= COMMITTEE_PATH)
        return pcm_errf(e, NULL, 0, "committee: member name longer than %d characters", COMMITTEE_PATH - 1);
    memcpy(l->member[l->k], s, len);
    l->member[l->k++][len] = 0;
    return 0;
}

int committee_list_add(committee_list *l, const char *value, pcm_err *e)
{
    const char *end = value + strlen(value);
    int list = 1, nyace = 0;   /* a list: every non-empty item is a .yace file */
    for (const char *a = value; list;) {
        const char *c = strchr(a, ',');
        size_t len = (size_t)((c ? c : end) - a);
        while (len && (a[len - 1] == ' ' || a[len - 1] == '\t'))
            len--;
        while (len && (*a == ' ' || *a == '\t'))
            a++, len--;
        nyace += ends_with_yace(a, len);
        list = !len || ends_with_yace(a, len);
        if (!c)
            break;
        a = c + 1;
    }
    list = list && nyace > 0;
    if (!list)   /* one potential spec, commas and all (lj:EPS,SIGMA,RC, A.yace+d2) */
        return list_push(l, value, strlen(value), e);
    int k0 = l->k;
    for (const char *a = value;;) {
        const char *c = strchr(a, ',');
        if (list_push(l, a, (size_t)((c ? c : end) - a), e) < 0)
            return l->k = k0, -1;   /* all or nothing */
        if (!c)
            return 0;
        a = c + 1;
    }
}

void committee_list_format(const committee_list *l, const char *sep, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (int k = 0; k < l->k && n < cap; k++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", k ? sep : "", l->member[k]);
}

/* ------------------------------------------------------------ lifecycle */
pcm_committee *committee_load(const char *const *specs, int k, pcm_err *e)
{
    if (k < 2) {
        pcm_errf(e, NULL, 0, "a committee needs at least 2 potentials (got %d)", k);
        return NULL;
    }
    if (k > COMMITTEE_MAX) {
        pcm_errf(e, NULL, 0, "a committee has %d members at most (got %d)", COMMITTEE_MAX, k);
        return NULL;
    }
    pcm_committee *c = pcm_calloc(1, sizeof *c);
    for (; c->k < k; c->k++) {
        pcm_err me = {{0}};
        if (!(c->p[c->k] = potential_load(specs[c->k], &me))) {
            pcm_errf(e, NULL, 0, "committee member %d (%s): %s", c->k + 1, specs[c->k], me.msg);
            committee_free(c);
            return NULL;
        }
        c->rcut = fmax(c->rcut, c->p[c->k]->rcut);
    }
    return c;
}

pcm_committee *committee_load_list(const committee_list *l, pcm_err *e)
{
    const char *specs[COMMITTEE_MAX];
    for (int k = 0; k < l->k; k++)
        specs[k] = l->member[k];
    return committee_load(specs, l->k, e);
}

void committee_free(pcm_committee *c)
{
    if (!c)
        return;
    for (int k = 0; k < c->k; k++)
        potential_free(c->p[k]);
    free(c->mean_f);
    free(c->m2_f);
    free(c->mean_e);
    free(c->m2_e);
    free(c->sf);
    free(c);
}

int committee_size(const pcm_committee *c) { return c->k; }

/* ------------------------------------------------------------ evaluation */
static void scratch(pcm_committee *c, int n)
{
    if (n <= c->cap)
        return;
    c->cap = n;
    c->mean_f = pcm_realloc(c->mean_f, (size_t)n * sizeof *c->mean_f);
    c->m2_f = pcm_realloc(c->m2_f, (size_t)n * sizeof *c->m2_f);
    c->mean_e = pcm_realloc(c->mean_e, (size_t)n * sizeof *c->mean_e);
    c->m2_e = pcm_realloc(c->m2_e, (size_t)n * sizeof *c->m2_e);
    c->sf = pcm_realloc(c->sf, (size_t)n * sizeof *c->sf);
}

/* Welford: after member k (0-based) mean holds the mean of k+1 values, m2 the sum of
 * squared deviations from it. */
static void accumulate(pcm_committee *c, const pcm_system *t, int k)
{
    double w = 1.0 / (k + 1);
    for (int i = 0; i < t->n; i++) {
        double m2 = 0;
        for (int a = 0; a < 3; a++) {
            double d = t->f[i][a] - c->mean_f[i][a];
            c->mean_f[i][a] += d * w;
            m2 += d * (t->f[i][a] - c->mean_f[i][a]);
        }
        c->m2_f[i] += m2;
        double d = t->pe[i] - c->mean_e[i];
        c->mean_e[i] += d * w;
        c->m2_e[i] += d * (t->pe[i] - c->mean_e[i]);
    }
}

int committee_eval(pcm_committee *c, const pcm_system *s, double *sigma_f, double *sigma_e, committee_stats *st,
                   pcm_err *e)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = s->n, rc = 0;
    scratch(c, n > 0 ? n : 1);
    memset(c->mean_f, 0, (size_t)n * sizeof *c->mean_f);
    memset(c->m2_f, 0, (size_t)n * sizeof *c->m2_f);
    memset(c->mean_e, 0, (size_t)n * sizeof *c->mean_e);
    memset(c->m2_e, 0, (size_t)n * sizeof *c->m2_e);
    pcm_system *t = system_copy(s);
    pcm_nlist *nl = nl_new(c->rcut, 0.0);
    nl_build(nl, t);
    for (int k = 0; k < c->k && rc == 0; k++) {
        pcm_err me = {{0}};
        if (potential_bind(c->p[k], t, &me) < 0 || potential_compute(c->p[k], t, nl, &me) < 0)
            rc = pcm_errf(e, NULL, 0, "committee member %d (%s): %s", k + 1, c->p[k]->path, me.msg);
        else
            accumulate(c, t, k);
    }
    nl_free(nl);
    system_free(t);
    if (rc < 0)
        return -1;
    double *sf = sigma_f ? sigma_f : c->sf, sum2 = 0, sum = 0, smax = 0, emax = 0;
    for (int i = 0; i < n; i++) {
        sf[i] = sqrt(c->m2_f[i] / c->k);
        double se = sqrt(c->m2_e[i] / c->k);
        if (sigma_e)
            sigma_e[i] = se;
        sum2 += c->m2_f[i] / c->k;
        sum += sf[i];
        smax = fmax(smax, sf[i]);
        emax = fmax(emax, se);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st) {
        st->sigma_f = n ? sqrt(sum2 / n) : 0.0;
        st->sigma_f_max = smax;
        st->sigma_f_mean = n ? sum / n : 0.0;
        st->sigma_e_max = emax;
        st->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    }
    return 0;
}
