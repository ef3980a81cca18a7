/* structure.c - coordination numbers and bond-angle distributions (see structure.h). */
#include "structure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "neighbor.h"

#define MAXS PCM_MAX_SPECIES
#define NTRIP (MAXS * MAXS * MAXS)

/* ------------------------------------------------------------ coordination */

pcm_coord *coord_new(double rc, pcm_err *e)
{
    if (!(rc > 0.0 && rc <= 20.0)) {
        pcm_errf(e, "coordination", 0, "cutoff must be in (0, 20] Å, got %g", rc);
        return NULL;
    }
    pcm_coord *c = pcm_calloc(1, sizeof *c);
    c->rc = rc;
    return c;
}

void coord_free(pcm_coord *c) { free(c); }

int coord_add(pcm_coord *c, const pcm_system *s, pcm_err *e)
{
    int map[MAXS];
    if (s->n <= 0)
        return pcm_errf(e, "coordination", 0, "empty configuration");
    if (spset_map(&c->sp, s, map, e) != 0)
        return -1;
    pcm_nlist *nl = nl_new(c->rc, 0.0);
    nl_build(nl, s);
    /* serial: a few operations per pair, negligible next to the list build */
    for (int i = 0; i < s->n; i++) {
        int a = map[s->type[i]], tot = nl->start[i + 1] - nl->start[i];
        for (int p = nl->start[i]; p < nl->start[i + 1]; p++)
            c->nbond[a][map[s->type[nl->j[p]]]]++;
        c->natoms[a]++;
        c->hist[a][tot < COORD_MAXCN ? tot : COORD_MAXCN]++;
    }
    nl_free(nl);
    c->nframes++;
    return 0;
}

double coord_mean(const pcm_coord *c, int a, int b)
{
    if (a < 0 || a >= c->sp.n || c->natoms[a] == 0)
        return 0.0;
    long nb = 0;
    for (int q = 0; q < c->sp.n; q++)
        if (b < 0 || q == b)
            nb += c->nbond[a][q];
    return (double)nb / c->natoms[a];
}

int coord_write_csv(const pcm_coord *c, const char *path, pcm_err *e)
{
    pcm_afile af;
    if (atomic_open(&af, path, e) != 0)
        return -1;
    fprintf(af.fp, "species,atoms_per_frame,cn_total");
    for (int b = 0; b < c->sp.n; b++)
        fprintf(af.fp, ",cn_%s", c->sp.sym[b]);
    for (int k = 0; k <= 8; k++)
        fprintf(af.fp, ",frac_cn%d", k);
    fputc('\n', af.fp);
    for (int a = 0; a < c->sp.n; a++) {
        fprintf(af.fp, "%s,%.6g,%.6f", c->sp.sym[a], (double)c->natoms[a] / (c->nframes ? c->nframes : 1),
                coord_mean(c, a, -1));
        for (int b = 0; b < c->sp.n; b++)
            fprintf(af.fp, ",%.6f", coord_mean(c, a, b));
        for (int k = 0; k <= 8; k++)
            fprintf(af.fp, ",%.6f", c->natoms[a] ? (double)c->hist[a][k] / c->natoms[a] : 0.0);
        fputc('\n', af.fp);
    }
    return atomic_commit(&af, e);
}

/* ------------------------------------------------------------ bond angles */

pcm_angles *angles_new(double rc, double dtheta_deg, pcm_err *e)
{
    if (!(rc > 0.0 && rc <= 20.0) || !(dtheta_deg >= 0.01 && dtheta_deg <= 90.0)) {
        pcm_errf(e, "angles", 0, "need cutoff in (0, 20] Å and bin width in [0.01, 90] degrees (got %g, %g)", rc,
                 dtheta_deg);
        return NULL;
    }
    pcm_angles *ad = pcm_calloc(1, sizeof *ad);
    ad->rc = rc;
    ad->nbins = (int)ceil(180.0 / dtheta_deg - 1e-9);
    ad->dtheta = 180.0 / ad->nbins;
    return ad;
}

void angles_free(pcm_angles *ad)
{
    if (!ad)
        return;
    for (int t = 0; t < NTRIP; t++)
        free(ad->hist[t]);
    free(ad);
}

static int trip_index(int centre, int b, int c)
{
    int lo = b < c ? b : c, hi = b < c ? c : b;
    return (centre * MAXS + lo) * MAXS + hi;
}

int angles_add(pcm_angles *ad, const pcm_system *s, pcm_err *e)
{
    int map[MAXS];
    if (s->n <= 0)
        return pcm_errf(e, "angles", 0, "empty configuration");
    if (spset_map(&ad->sp, s, map, e) != 0)
        return -1;
    pcm_nlist *nl = nl_new(ad->rc, 0.0);
    nl_build(nl, s);
    const int nb = ad->nbins;
    const double scale = 180.0 / M_PI / ad->dtheta;
#pragma omp parallel
    {
        long **loc = pcm_calloc(NTRIP, sizeof *loc);
#pragma omp for schedule(dynamic, 64)
        for (int i = 0; i < s->n; i++) {
            int a = map[s->type[i]];
            for (int p = nl->start[i]; p < nl->start[i + 1]; p++) {
                const double *u = nl->d[p];
                double ru = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
                for (int q = p + 1; q < nl->start[i + 1]; q++) {
                    const double *v = nl->d[q];
                    double rv = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                    double c = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (ru * rv);
                    c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
                    int bin = (int)(acos(c) * scale);
                    if (bin >= nb)
                        bin = nb - 1;
                    int t = trip_index(a, map[s->type[nl->j[p]]], map[s->type[nl->j[q]]]);
                    if (!loc[t])
                        loc[t] = pcm_calloc((size_t)nb, sizeof **loc);
                    loc[t][bin]++;
                }
            }
        }
#pragma omp critical(angles_merge)
        for (int t = 0; t < NTRIP; t++) {
            if (!loc[t])
                continue;
            if (!ad->hist[t])
                ad->hist[t] = pcm_calloc((size_t)nb, sizeof **ad->hist);
            for (int k = 0; k < nb; k++) {
                ad->hist[t][k] += loc[t][k];
                ad->total[t] += loc[t][k];
            }
            free(loc[t]);
        }
        free(loc);
    }
    nl_free(nl);
    ad->nframes++;
    return 0;
}

static int sp_find(const pcm_spset *sp, const char *sym, size_t len)
{
    for (int k = 0; k < sp->n; k++)
        if (strlen(sp->sym[k]) == len && !strncmp(sp->sym[k], sym, len))
            return k;
    return -1;
}

int angles_find(const pcm_angles *ad, const char *triplet)
{
    const char *d1 = strchr(triplet, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
    if (!d1 || !d2)
        return -1;
    int b = sp_find(&ad->sp, triplet, (size_t)(d1 - triplet));
    int a = sp_find(&ad->sp, d1 + 1, (size_t)(d2 - d1 - 1));
    int c = sp_find(&ad->sp, d2 + 1, strlen(d2 + 1));
    if (a < 0 || b < 0 || c < 0)
        return -1;
    int t = trip_index(a, b, c);
    return ad->hist[t] ? t : -1;
}

void angles_name(const pcm_angles *ad, int idx, char *buf, int len)
{
    int hi = idx % MAXS, lo = idx / MAXS % MAXS, a = idx / (MAXS * MAXS);
    snprintf(buf, (size_t)len, "%s-%s-%s", ad->sp.sym[lo], ad->sp.sym[a], ad->sp.sym[hi]);
}

void angles_get(const pcm_angles *ad, int idx, double *p)
{
    for (int k = 0; k < ad->nbins; k++)
        p[k] = (idx >= 0 && ad->hist[idx] && ad->total[idx] > 0)
                   ? (double)ad->hist[idx][k] / ((double)ad->total[idx] * ad->dtheta)
                   : 0.0;
}

int angles_peaks(const pcm_angles *ad, int idx, double *peaks, int maxp)
{
    int nb = ad->nbins;
    double *p = pcm_malloc((size_t)nb * sizeof *p), *sm = pcm_malloc((size_t)nb * sizeof *sm);
    angles_get(ad, idx, p);
    /* 3-bin running mean so single-bin noise is not a peak; the ends (0°, 180°)
     * are maxima when they exceed their inner neighbour */
    double top = 0.0;
    for (int k = 0; k < nb; k++) {
        double s = 0.0;
        int c = 0;
        for (int q = k - 1; q <= k + 1; q++)
            if (q >= 0 && q < nb) {
                s += p[q];
                c++;
            }
        sm[k] = s / c;
        if (sm[k] > top)
            top = sm[k];
    }
    double hv[64], pos[64];
    int cnt = 0;
    for (int k = 0; k < nb && top > 0.0 && cnt < 64; k++) {
        double l = k > 0 ? sm[k - 1] : -1.0, r = k + 1 < nb ? sm[k + 1] : -1.0;
        if (sm[k] >= 0.1 * top && sm[k] > l && sm[k] >= r) {
            int best = k; /* refine on the raw histogram */
            for (int q = k - 1; q <= k + 1; q++)
                if (q >= 0 && q < nb && p[q] > p[best])
                    best = q;
            hv[cnt] = sm[k];
            pos[cnt++] = (best + 0.5) * ad->dtheta;
        }
    }
    int out = 0;
    for (; out < maxp && out < cnt; out++) { /* highest first */
        int b = -1;
        for (int k = 0; k < cnt; k++)
            if (hv[k] >= 0.0 && (b < 0 || hv[k] > hv[b]))
                b = k;
        peaks[out] = pos[b];
        hv[b] = -1.0;
    }
    free(p);
    free(sm);
    return out;
}

int angles_write_csv(const pcm_angles *ad, const char *path, pcm_err *e)
{
    pcm_afile af;
    if (atomic_open(&af, path, e) != 0)
        return -1;
    int idx[NTRIP], nt = 0;
    for (int t = 0; t < NTRIP; t++)
        if (ad->hist[t])
            idx[nt++] = t;
    double *p = pcm_malloc((size_t)(nt ? nt : 1) * ad->nbins * sizeof *p);
    fprintf(af.fp, "theta_deg");
    for (int q = 0; q < nt; q++) {
        char nm[32];
        angles_name(ad, idx[q], nm, sizeof nm);
        fprintf(af.fp, ",P_%s", nm);
        angles_get(ad, idx[q], p + (size_t)q * ad->nbins);
    }
    fputc('\n', af.fp);
    for (int k = 0; k < ad->nbins; k++) {
        fprintf(af.fp, "%.4f", (k + 0.5) * ad->dtheta);
        for (int q = 0; q < nt; q++)
            fprintf(af.fp, ",%.8g", p[(size_t)q * ad->nbins + k]);
        fputc('\n', af.fp);
    }
    free(p);
    return atomic_commit(&af, e);
}
