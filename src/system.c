/* system.c - atom storage and simple whole-system observables. */
#include "system.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"
#include "units.h"

pcm_system *system_new(void)
{
    pcm_system *s = pcm_calloc(1, sizeof *s);
    double h[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    cell_set(&s->cell, h);
    return s;
}

void system_free(pcm_system *s)
{
    if (!s)
        return;
    free(s->type);
    free(s->x);
    free(s->v);
    free(s->f);
    free(s->pe);
    free(s);
}

void system_reserve(pcm_system *s, int n)
{
    if (n <= s->cap)
        return;
    int cap = s->cap ? s->cap : 16;
    while (cap < n)
        cap *= 2;
    s->type = pcm_realloc(s->type, (size_t)cap * sizeof *s->type);
    s->x = pcm_realloc(s->x, (size_t)cap * sizeof *s->x);
    s->v = pcm_realloc(s->v, (size_t)cap * sizeof *s->v);
    s->f = pcm_realloc(s->f, (size_t)cap * sizeof *s->f);
    s->pe = pcm_realloc(s->pe, (size_t)cap * sizeof *s->pe);
    size_t extra = (size_t)(cap - s->cap);
    memset(s->v + s->cap, 0, extra * sizeof *s->v);
    memset(s->f + s->cap, 0, extra * sizeof *s->f);
    memset(s->pe + s->cap, 0, extra * sizeof *s->pe);
    s->cap = cap;
}

pcm_system *system_copy(const pcm_system *s)
{
    pcm_system *c = pcm_malloc(sizeof *c);
    *c = *s;
    c->cap = 0;
    c->type = NULL;
    c->x = c->v = c->f = NULL;
    c->pe = NULL;
    system_reserve(c, s->n > 0 ? s->n : 1);
    memcpy(c->type, s->type, (size_t)s->n * sizeof *s->type);
    memcpy(c->x, s->x, (size_t)s->n * sizeof *s->x);
    memcpy(c->v, s->v, (size_t)s->n * sizeof *s->v);
    memcpy(c->f, s->f, (size_t)s->n * sizeof *s->f);
    memcpy(c->pe, s->pe, (size_t)s->n * sizeof *s->pe);
    return c;
}

int system_species_id(pcm_system *s, const char *sym)
{
    for (int k = 0; k < s->nspecies; k++)
        if (strcmp(s->species[k], sym) == 0)
            return k;
    double m = element_mass(sym);
    if (m <= 0.0 || s->nspecies >= PCM_MAX_SPECIES)
        return -1;
    int k = s->nspecies++;
    snprintf(s->species[k], sizeof s->species[k], "%s", sym);
    s->species_mass[k] = m;
    return k;
}

int system_add_atom(pcm_system *s, const char *sym, const double x[3])
{
    int t = system_species_id(s, sym);
    if (t < 0)
        return -1;
    system_reserve(s, s->n + 1);
    int i = s->n++;
    s->type[i] = t;
    memcpy(s->x[i], x, sizeof s->x[i]);
    memset(s->v[i], 0, sizeof s->v[i]);
    memset(s->f[i], 0, sizeof s->f[i]);
    s->pe[i] = 0.0;
    return i;
}

double system_mass(const pcm_system *s, int i) { return s->species_mass[s->type[i]]; }

double system_total_mass(const pcm_system *s)
{
    double m = 0.0;
    for (int i = 0; i < s->n; i++)
        m += system_mass(s, i);
    return m;
}

double system_density(const pcm_system *s)
{
    return system_total_mass(s) / s->cell.volume * PCM_AMU_A3_TO_GCC;
}

double system_kinetic_energy(const pcm_system *s)
{
    double ke = 0.0;
    for (int i = 0; i < s->n; i++) {
        const double *v = s->v[i];
        ke += system_mass(s, i) * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }
    return 0.5 * ke * PCM_MVV2E;
}

double system_temperature(const pcm_system *s, int dof)
{
    if (dof <= 0)
        dof = 3 * s->n - 3;
    if (dof <= 0)
        return 0.0;
    return 2.0 * system_kinetic_energy(s) / (dof * PCM_KB);
}

void system_kinetic_tensor(const pcm_system *s, double k[6])
{
    static const int ia[6] = {0, 1, 2, 1, 0, 0}, ib[6] = {0, 1, 2, 2, 2, 1};
    memset(k, 0, 6 * sizeof *k);
    for (int i = 0; i < s->n; i++) {
        double m = system_mass(s, i) * PCM_MVV2E;
        for (int c = 0; c < 6; c++)
            k[c] += m * s->v[i][ia[c]] * s->v[i][ib[c]];
    }
}

double system_pressure(const pcm_system *s)
{
    double k[6];
    system_kinetic_tensor(s, k);
    double tr = k[0] + k[1] + k[2] + s->virial[0] + s->virial[1] + s->virial[2];
    return tr / (3.0 * s->cell.volume) * PCM_EV_A3_TO_BAR;
}

void system_zero_momentum(pcm_system *s)
{
    double p[3] = {0, 0, 0}, mt = 0.0;
    for (int i = 0; i < s->n; i++) {
        double m = system_mass(s, i);
        mt += m;
        for (int k = 0; k < 3; k++)
            p[k] += m * s->v[i][k];
    }
    if (mt <= 0.0)
        return;
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++)
            s->v[i][k] -= p[k] / mt;
}

void system_composition(const pcm_system *s, int *counts)
{
    memset(counts, 0, PCM_MAX_SPECIES * sizeof *counts);
    for (int i = 0; i < s->n; i++)
        counts[s->type[i]]++;
}

int system_validate(const pcm_system *s, double dmin, const char *what, pcm_err *e)
{
    if (s->n <= 0)
        return pcm_errf(e, what, 0, "configuration has no atoms");
    if (!(s->cell.volume > 1e-9) || !isfinite(s->cell.volume))
        return pcm_errf(e, what, 0, "cell is singular or missing (need a periodic Lattice)");
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++)
            if (!isfinite(s->x[i][k]) || !isfinite(s->v[i][k]))
                return pcm_errf(e, what, 0, "atom %d has a non-finite position or velocity", i + 1);
    if (dmin > 0.0 && s->n > 1) {
        /* brute-force O(N²) minimum-image check; fine for validation-size inputs */
        double d2min = dmin * dmin;
        if (s->n <= 20000) {
            for (int i = 0; i < s->n; i++)
                for (int j = i + 1; j < s->n; j++) {
                    double d[3] = {s->x[j][0] - s->x[i][0], s->x[j][1] - s->x[i][1],
                                   s->x[j][2] - s->x[i][2]};
                    cell_min_image(&s->cell, d);
                    double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                    if (r2 < d2min)
                        return pcm_errf(e, what, 0,
                                        "atoms %d and %d overlap (%.3f Å apart, expected at least %.2f Å)",
                                        i + 1, j + 1, sqrt(r2), dmin);
                }
        }
    }
    return 0;
}
