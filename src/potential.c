/* potential.c - potential loading and the generic entry points. */
#include "potential.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "ace.h"
#include "d2.h"

pcm_potential *potential_load(const char *spec, pcm_err *e)
{
    if (strchr(spec, '+') && access(spec, F_OK) != 0) /* "A+B", unless a file has that name */
        return potential_sum_load(spec, e);
    if (strncmp(spec, "d2", 2) == 0 && (spec[2] == '\0' || spec[2] == ':'))
        return d2_potential_load(spec, e);
    if (strncmp(spec, "lj:", 3) == 0) {
        double eps, sig, rc;
        if (sscanf(spec + 3, "%lf,%lf,%lf", &eps, &sig, &rc) != 3 || eps <= 0 || sig <= 0 || rc <= sig) {
            pcm_errf(e, spec, 0, "expected lj:EPS,SIGMA,RC with positive values and RC > SIGMA");
            return NULL;
        }
        return lj_potential_new(eps, sig, rc);
    }
    size_t n = strlen(spec);
    if (n > 5 && strcmp(spec + n - 5, ".yace") == 0)
        return ace_potential_load(spec, e);
    pcm_errf(e, spec, 0, "unknown potential type (expected a pacemaker .yace file or lj:EPS,SIGMA,RC)");
    return NULL;
}

void potential_free(pcm_potential *p)
{
    if (!p)
        return;
    if (p->ops && p->ops->destroy)
        p->ops->destroy(p);
    free(p->path);
    free(p);
}

int potential_bind(pcm_potential *p, const pcm_system *s, pcm_err *e) { return p->ops->bind(p, s, e); }

int potential_compute(pcm_potential *p, pcm_system *s, const pcm_nlist *nl, pcm_err *e)
{
    return p->ops->compute(p, s, nl, e);
}

int potential_eval_once(pcm_potential *p, pcm_system *s, pcm_err *e)
{
    if (potential_bind(p, s, e) != 0)
        return -1;
    pcm_nlist *nl = nl_new(p->rcut, 0.0);
    nl_build(nl, s);
    int rc = potential_compute(p, s, nl, e);
    nl_free(nl);
    return rc;
}

/* ------------------------------------------------------------ Lennard-Jones
 * U(r) = 4ε[(σ/r)^12 - (σ/r)^6] - U(rc), r < rc.  A test potential only.  */

typedef struct {
    double eps, sig, rc, shift;
} lj_impl;

static int lj_bind(pcm_potential *p, const pcm_system *s, pcm_err *e)
{
    (void)p, (void)s, (void)e;
    return 0;
}

static int lj_compute(pcm_potential *p, pcm_system *s, const pcm_nlist *nl, pcm_err *e)
{
    (void)e;
    const lj_impl *lj = p->impl;
    double rc2 = lj->rc * lj->rc, s2 = lj->sig * lj->sig;
    double etot = 0.0, w[6] = {0};
    for (int i = 0; i < s->n; i++) {
        double ei = 0.0, fi[3] = {0, 0, 0}, wi[6] = {0};
        for (int q = nl->start[i]; q < nl->start[i + 1]; q++) {
            const double *d = nl->d[q];
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            if (r2 >= rc2)
                continue;
            double sr6 = s2 * s2 * s2 / (r2 * r2 * r2);
            ei += 0.5 * (4.0 * lj->eps * (sr6 * sr6 - sr6) - lj->shift);
            /* force on i from j: -dU/dr * (r_i - r_j)/r = fpair * (-d) */
            double fpair = 24.0 * lj->eps * (2.0 * sr6 * sr6 - sr6) / r2;
            pair_tally(fpair, d, fi, wi);
        }
        s->pe[i] = ei;
        memcpy(s->f[i], fi, sizeof fi);
        etot += ei;
        for (int c = 0; c < 6; c++)
            w[c] += wi[c];
    }
    s->energy = etot;
    memcpy(s->virial, w, sizeof w);
    return 0;
}

static void lj_destroy(pcm_potential *p) { free(p->impl); }

static const pcm_potential_ops lj_ops = {"lj", lj_bind, lj_compute, lj_destroy};

pcm_potential *lj_potential_new(double eps, double sigma, double rc)
{
    pcm_potential *p = pcm_calloc(1, sizeof *p);
    lj_impl *lj = pcm_malloc(sizeof *lj);
    double sr6 = pow(sigma / rc, 6);
    *lj = (lj_impl){eps, sigma, rc, 4.0 * eps * (sr6 * sr6 - sr6)};
    p->ops = &lj_ops;
    p->impl = lj;
    p->rcut = rc;
    p->path = pcm_strdup("lj");
    return p;
}
