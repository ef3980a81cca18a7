/* rdf.c - total and partial radial distribution functions (see rdf.h). */
#include "rdf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "neighbor.h"

#define MAXS PCM_MAX_SPECIES

int spset_map(pcm_spset *t, const pcm_system *s, int *map, pcm_err *e)
{
    for (int k = 0; k < s->nspecies; k++) {
        int f = -1;
        for (int q = 0; q < t->n && f < 0; q++)
            if (!strcmp(t->sym[q], s->species[k]))
                f = q;
        if (f < 0) {
            if (t->n >= MAXS)
                return pcm_errf(e, NULL, 0, "more than %d species across frames", MAXS);
            f = t->n++;
            snprintf(t->sym[f], sizeof t->sym[f], "%s", s->species[k]);
        }
        map[k] = f;
    }
    return 0;
}

pcm_rdf *rdf_new(double rmax, double dr, pcm_err *e)
{
    if (!(rmax > 0.0 && rmax <= 100.0) || !(dr > 0.0) || rmax / dr > 1e6) {
        pcm_errf(e, "rdf", 0, "need 0 < r_max <= 100 Å and 0 < dr with at most 10^6 bins (got r_max %g, dr %g)",
                 rmax, dr);
        return NULL;
    }
    pcm_rdf *r = pcm_calloc(1, sizeof *r);
    r->nbins = (int)ceil(rmax / dr - 1e-9);
    r->dr = dr;
    r->rmax = r->nbins * dr;
    r->count = pcm_calloc((size_t)MAXS * MAXS * r->nbins, sizeof *r->count);
    return r;
}

void rdf_free(pcm_rdf *r)
{
    if (!r)
        return;
    free(r->count);
    free(r);
}

int rdf_add(pcm_rdf *r, const pcm_system *s, pcm_err *e)
{
    int map[MAXS];
    if (s->n <= 0)
        return pcm_errf(e, "rdf", 0, "empty configuration");
    if (spset_map(&r->sp, s, map, e) != 0)
        return -1;
    pcm_nlist *nl = nl_new(r->rmax, 0.0);
    nl_build(nl, s);
    const int nb = r->nbins;
    const double inv_dr = 1.0 / r->dr;
#pragma omp parallel
    {
        /* integer counts: the merge order does not change the result */
        long *loc = pcm_calloc((size_t)MAXS * MAXS * nb, sizeof *loc);
#pragma omp for schedule(dynamic, 64)
        for (int i = 0; i < s->n; i++) {
            long *row = loc + (size_t)map[s->type[i]] * MAXS * nb;
            for (int p = nl->start[i]; p < nl->start[i + 1]; p++) {
                const double *d = nl->d[p];
                int bin = (int)(sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) * inv_dr);
                if (bin < nb)
                    row[(size_t)map[s->type[nl->j[p]]] * nb + bin]++;
            }
        }
#pragma omp critical(rdf_merge)
        for (size_t k = 0; k < (size_t)MAXS * MAXS * nb; k++)
            r->count[k] += loc[k];
        free(loc);
    }
    nl_free(nl);
    int cnt[MAXS] = {0};
    for (int i = 0; i < s->n; i++)
        cnt[map[s->type[i]]]++;
    double V = s->cell.volume;
    for (int a = 0; a < r->sp.n; a++) {
        r->natoms[a] += cnt[a];
        for (int b = 0; b < r->sp.n; b++)
            r->norm[a][b] += (double)cnt[a] * (cnt[b] - (a == b)) / V;
    }
    r->natoms_tot += s->n;
    r->norm_tot += (double)s->n * (s->n - 1) / V;
    r->nframes++;
    return 0;
}

double rdf_r(const pcm_rdf *r, int bin) { return (bin + 0.5) * r->dr; }

static long pair_count(const pcm_rdf *r, int a, int b, int bin)
{
    long c = 0;
    for (int x = 0; x < r->sp.n; x++)
        for (int y = 0; y < r->sp.n; y++)
            if ((a < 0 || x == a) && (b < 0 || y == b))
                c += r->count[((size_t)x * MAXS + y) * r->nbins + bin];
    return c;
}

void rdf_get(const pcm_rdf *r, int a, int b, double *g)
{
    double norm = r->norm_tot;
    if (a >= 0) {
        norm = 0.0;
        for (int y = 0; y < r->sp.n; y++)
            if (b < 0 || y == b)
                norm += r->norm[a][y];
    }
    for (int k = 0; k < r->nbins; k++) {
        double r0 = k * r->dr, r1 = r0 + r->dr;
        double shell = 4.0 / 3.0 * M_PI * (r1 * r1 * r1 - r0 * r0 * r0);
        g[k] = norm > 0.0 ? pair_count(r, a, b, k) / (norm * shell) : 0.0;
    }
}

void rdf_running_cn(const pcm_rdf *r, int a, int b, double *cn)
{
    long na = a >= 0 ? r->natoms[a] : r->natoms_tot, c = 0;
    for (int k = 0; k < r->nbins; k++) {
        c += pair_count(r, a, b, k);
        cn[k] = na > 0 ? (double)c / na : 0.0;
    }
}

void rdf_first_peak(const pcm_rdf *r, const double *g, double *rpeak, double *rmin)
{
    /* 3-bin running mean against noise; the first local maximum at least
     * max(1.2, 30 % of the highest) high is the first peak */
    int nb = r->nbins;
    double *sm = pcm_malloc((size_t)nb * sizeof *sm), top = 0.0;
    for (int k = 0; k < nb; k++) {
        double t = 0.0;
        int c = 0;
        for (int q = k - 1; q <= k + 1; q++)
            if (q >= 0 && q < nb)
                t += g[q], c++;
        sm[k] = t / c;
        top = sm[k] > top ? sm[k] : top;
    }
    double thr = fmax(1.2, 0.3 * top);
    int kp = -1, km = -1;
    for (int k = 1; k + 1 < nb && kp < 0; k++)
        if (sm[k] >= thr && sm[k] >= sm[k - 1] && sm[k] > sm[k + 1])
            kp = k;
    if (kp >= 0) { /* refine on the raw g, then the first local minimum after it */
        for (int q = kp - 1; q <= kp + 1; q++)
            if (g[q] > g[kp])
                kp = q;
        for (int k = kp + 1; k + 1 < nb && km < 0; k++)
            if (sm[k] <= sm[k - 1] && sm[k] < sm[k + 1])
                km = k;
    }
    *rpeak = kp >= 0 ? rdf_r(r, kp) : -1.0;
    *rmin = km >= 0 ? rdf_r(r, km) : -1.0;
    free(sm);
}

int rdf_write_csv(const pcm_rdf *r, const char *path, pcm_err *e)
{
    pcm_afile af;
    if (atomic_open(&af, path, e) != 0)
        return -1;
    int np = r->sp.n * (r->sp.n + 1) / 2;
    double *g = pcm_malloc((size_t)(np + 1) * r->nbins * sizeof *g);
    rdf_get(r, -1, -1, g);
    fprintf(af.fp, "r_A,g_total");
    int q = 1;
    for (int a = 0; a < r->sp.n; a++)
        for (int b = a; b < r->sp.n; b++, q++) {
            fprintf(af.fp, ",g_%s_%s", r->sp.sym[a], r->sp.sym[b]);
            rdf_get(r, a, b, g + (size_t)q * r->nbins);
        }
    fputc('\n', af.fp);
    for (int k = 0; k < r->nbins; k++) {
        fprintf(af.fp, "%.6f", rdf_r(r, k));
        for (int c = 0; c <= np; c++)
            fprintf(af.fp, ",%.8g", g[(size_t)c * r->nbins + k]);
        fputc('\n', af.fp);
    }
    free(g);
    return atomic_commit(&af, e);
}
