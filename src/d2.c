/* d2.c - Grimme D2 dispersion pair potential (equations in d2.h).
 *
 * Parameters: S. Grimme, "Semiempirical GGA-type density functional constructed
 * with a long-range dispersion correction", J. Comput. Chem. 27, 1787 (2006),
 * Table 1: C6 in J nm⁶ mol⁻¹ and R0 in Å (e.g. Ge 17.10 / 1.727,
 * Sb 38.44 / 1.881, Te 31.74 / 1.892).  1 J nm⁶ mol⁻¹ = 10⁶/(N_A e) eV Å⁶.
 */
#include "d2.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D2_JNM6MOL_TO_EVA6 (1e6 / (6.02214076e23 * 1.602176634e-19)) /* = 10.36427 */
#define D2_DAMP 20.0   /* d of the Fermi damping */
#define D2_SWITCH 2.0  /* Å over which the switch goes from 1 to 0 */
#define MAXS PCM_MAX_SPECIES

static const struct {
    const char *sym;
    double c6;   /* J nm⁶ mol⁻¹ */
    double r0;   /* Å */
} d2_table[] = {
    /* Grimme 2006 Table 1, rows of the elements around GST */
    {"Ga", 16.99, 1.650}, {"Ge", 17.10, 1.727}, {"As", 16.37, 1.760}, {"Se", 12.64, 1.771},
    {"In", 37.32, 1.672}, {"Sn", 38.71, 1.804}, {"Sb", 38.44, 1.881}, {"Te", 31.74, 1.892},
};

int d2_params(const char *sym, double *c6, double *r0)
{
    for (size_t k = 0; k < sizeof d2_table / sizeof d2_table[0]; k++)
        if (!strcmp(d2_table[k].sym, sym)) {
            *c6 = d2_table[k].c6 * D2_JNM6MOL_TO_EVA6;
            *r0 = d2_table[k].r0;
            return 1;
        }
    return 0;
}

typedef struct {
    double s6, sr, rc, ron;
    int nsp;
    double c6[MAXS][MAXS];     /* s6·C6_ab, eV Å⁶ */
    double rr[MAXS][MAXS];     /* s_r (R0_a + R0_b), Å */
    double etail[MAXS][MAXS];  /* ∫ 4π r² u_ab (1 - S) dr, eV Å³ */
    double (*w)[6];            /* per-atom virial scratch */
    int wcap;
} d2_impl;

/* quintic switch S and dS/dr */
static void d2_switch(const d2_impl *d, double r, double *S, double *dS)
{
    if (r <= d->ron) {
        *S = 1.0, *dS = 0.0;
        return;
    }
    double w = d->rc - d->ron, x = (r - d->ron) / w;
    *S = 1.0 - x * x * x * (10.0 - 15.0 * x + 6.0 * x * x);
    *dS = -30.0 * x * x * (1.0 - x) * (1.0 - x) / w;
}

/* undamped-by-switch pair energy u0 = -s6 C6 f/r⁶ and du0/dr */
static void d2_pair(double c6, double rr, double r, double *u, double *du)
{
    double f = 1.0 / (1.0 + exp(-D2_DAMP * (r / rr - 1.0)));
    double df = D2_DAMP / rr * f * (1.0 - f);
    double r6 = r * r * r * r * r * r;
    *u = -c6 * f / r6;
    *du = -c6 * (df / r6 - 6.0 * f / (r6 * r));
}

static double d2_tail(const d2_impl *d, double c6, double rr)
{
    /* Simpson over the switch region, analytic beyond rc (f_damp = 1 there to 1e-16) */
    const int m = 400;
    double h = (d->rc - d->ron) / m, sum = 0.0;
    for (int k = 0; k <= m; k++) {
        double r = d->ron + k * h, u, du, S, dS;
        d2_pair(c6, rr, r, &u, &du);
        d2_switch(d, r, &S, &dS);
        double wgt = (k == 0 || k == m) ? 1.0 : (k % 2 ? 4.0 : 2.0);
        sum += wgt * 4.0 * M_PI * r * r * u * (1.0 - S);
    }
    return sum * h / 3.0 - 4.0 * M_PI * c6 / (3.0 * d->rc * d->rc * d->rc);
}

static int d2_bind(pcm_potential *p, const pcm_system *s, pcm_err *e)
{
    d2_impl *d = p->impl;
    double c6[MAXS], r0[MAXS];
    for (int k = 0; k < s->nspecies; k++)
        if (!d2_params(s->species[k], &c6[k], &r0[k]))
            return pcm_errf(e, p->path, 0, "no Grimme D2 parameters for species %s (have Ga Ge As Se In Sn Sb Te)",
                            s->species[k]);
    d->nsp = s->nspecies;
    for (int a = 0; a < d->nsp; a++)
        for (int b = 0; b < d->nsp; b++) {
            d->c6[a][b] = d->s6 * sqrt(c6[a] * c6[b]);
            d->rr[a][b] = d->sr * (r0[a] + r0[b]);
            d->etail[a][b] = d2_tail(d, d->c6[a][b], d->rr[a][b]);
        }
    return 0;
}

static int d2_compute(pcm_potential *p, pcm_system *s, const pcm_nlist *nl, pcm_err *e)
{
    d2_impl *d = p->impl;
    if (s->nspecies != d->nsp)
        return pcm_errf(e, p->path, 0, "D2 potential not bound to this system");
    if (d->wcap < s->n) {
        d->wcap = s->n;
        d->w = pcm_realloc(d->w, (size_t)d->wcap * sizeof *d->w);
    }
    const double rc2 = d->rc * d->rc;
#pragma omp parallel for schedule(dynamic, 64)
    for (int i = 0; i < s->n; i++) {
        int a = s->type[i];
        double ei = 0.0, fi[3] = {0, 0, 0}, wi[6] = {0};
        for (int q = nl->start[i]; q < nl->start[i + 1]; q++) {
            const double *dv = nl->d[q];
            double r2 = dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2];
            if (r2 >= rc2)
                continue;
            int b = s->type[nl->j[q]];
            double r = sqrt(r2), u, du, S, dS;
            d2_pair(d->c6[a][b], d->rr[a][b], r, &u, &du);
            d2_switch(d, r, &S, &dS);
            ei += 0.5 * u * S;
            double fpair = -(du * S + u * dS) / r; /* -dU/dr / r */
            pair_tally(fpair, dv, fi, wi);
        }
        s->pe[i] = ei;
        memcpy(s->f[i], fi, sizeof fi);
        memcpy(d->w[i], wi, sizeof wi);
    }
    /* mean-field tail: per-atom energy ½ Σ_b ρ_b e_ab, diagonal virial = E_tail */
    int cnt[MAXS] = {0};
    for (int i = 0; i < s->n; i++)
        cnt[s->type[i]]++;
    double tail_a[MAXS] = {0};
    for (int a = 0; a < d->nsp; a++)
        for (int b = 0; b < d->nsp; b++)
            tail_a[a] += 0.5 * cnt[b] / s->cell.volume * d->etail[a][b];
    double etot = 0.0, w[6] = {0}, etail = 0.0;
    for (int i = 0; i < s->n; i++) { /* in atom order: deterministic */
        s->pe[i] += tail_a[s->type[i]];
        etail += tail_a[s->type[i]];
        etot += s->pe[i];
        for (int c = 0; c < 6; c++)
            w[c] += d->w[i][c];
    }
    for (int c = 0; c < 3; c++)
        w[c] += etail;
    s->energy = etot;
    memcpy(s->virial, w, sizeof w);
    return 0;
}

static void d2_destroy(pcm_potential *p)
{
    d2_impl *d = p->impl;
    if (d)
        free(d->w);
    free(d);
}

static const pcm_potential_ops d2_ops = {"d2", d2_bind, d2_compute, d2_destroy};

pcm_potential *d2_potential_new(double s6, double sr, double rc, pcm_err *e)
{
    if (!(s6 > 0.0 && s6 < 10.0) || !(sr > 0.0 && sr < 10.0) || !(rc > D2_SWITCH + 2.0 && rc <= 60.0)) {
        pcm_errf(e, "d2", 0, "expected 0 < s6 < 10, 0 < s_r < 10 and %g < rc <= 60 Å (got %g, %g, %g)",
                 D2_SWITCH + 2.0, s6, sr, rc);
        return NULL;
    }
    pcm_potential *p = pcm_calloc(1, sizeof *p);
    d2_impl *d = pcm_calloc(1, sizeof *d);
    d->s6 = s6, d->sr = sr, d->rc = rc, d->ron = rc - D2_SWITCH;
    p->ops = &d2_ops;
    p->impl = d;
    p->rcut = rc;
    char buf[96];
    snprintf(buf, sizeof buf, "d2:%g,%g,%g", s6, sr, rc);
    p->path = pcm_strdup(buf);
    for (size_t k = 0; k < sizeof d2_table / sizeof d2_table[0] && k < MAXS; k++, p->nelements++)
        snprintf(p->elements[k], sizeof p->elements[k], "%s", d2_table[k].sym);
    return p;
}

pcm_potential *d2_potential_load(const char *spec, pcm_err *e)
{
    double s6 = 0.75, sr = 1.15, rc = 12.0;
    if (!strcmp(spec, "d2"))
        return d2_potential_new(s6, sr, rc, e);
    char tail;
    if (strncmp(spec, "d2:", 3) != 0 || sscanf(spec + 3, "%lf,%lf,%lf%c", &s6, &sr, &rc, &tail) != 3) {
        pcm_errf(e, spec, 0, "expected d2 or d2:S6,SR,RC (e.g. d2:0.75,1.15,12)");
        return NULL;
    }
    return d2_potential_new(s6, sr, rc, e);
}
