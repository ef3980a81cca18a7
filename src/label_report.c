/* label_report.c - `pcmlab label --report` (see label_report.h). */
#include "label_report.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extxyz.h"

typedef struct stat1 {
    long n;
    double min, max, sum, sum2;
} stat1;

static void stat_add(stat1 *s, double x)
{
    if (s->n == 0)
        s->min = s->max = x;
    s->min = fmin(s->min, x);
    s->max = fmax(s->max, x);
    s->sum += x;
    s->sum2 += x * x;
    s->n++;
}

typedef struct bin {
    char name[48];
    long frames, atoms;
    stat1 epa;    /* energy per atom, eV */
    stat1 fmag;   /* |F| per atom, eV/Å */
    stat1 fcomp;  /* force components, eV/Å (for the rms) */
} bin;

typedef struct table {
    int n;
    bin b[64];
} table;

static bin *table_get(table *t, const char *name)
{
    for (int k = 0; k < t->n; k++)
        if (!strcmp(t->b[k].name, name))
            return &t->b[k];
    if (t->n == 64)
        return &t->b[63];   /* overflow bucket */
    bin *b = &t->b[t->n++];
    memset(b, 0, sizeof *b);
    snprintf(b->name, sizeof b->name, "%s", name);
    return b;
}

static void bin_add(bin *b, const pcm_frame *fr)
{
    const pcm_system *s = fr->sys;
    b->frames++;
    b->atoms += s->n;
    if (fr->has_energy && s->n > 0)
        stat_add(&b->epa, s->energy / s->n);
    if (fr->has_forces)
        for (int i = 0; i < s->n; i++) {
            stat_add(&b->fmag, sqrt(s->f[i][0] * s->f[i][0] + s->f[i][1] * s->f[i][1] + s->f[i][2] * s->f[i][2]));
            for (int a = 0; a < 3; a++)
                stat_add(&b->fcomp, s->f[i][a]);
        }
}

static int cmp_bin(const void *a, const void *b)
{
    return strcmp(((const bin *)a)->name, ((const bin *)b)->name);
}

static void print_table(FILE *out, const char *title, table *t)
{
    qsort(t->b, (size_t)t->n, sizeof t->b[0], cmp_bin);
    fprintf(out, "\n%-22s %6s %7s  %-28s  %-22s %8s\n", title, "frames", "atoms", "E/atom eV min/mean/max",
            "|F| eV/A min/mean/max", "F rms");
    for (int k = 0; k < t->n; k++) {
        const bin *b = &t->b[k];
        fprintf(out, "%-22s %6ld %7ld", b->name, b->frames, b->atoms);
        if (b->epa.n)
            fprintf(out, "  %8.4f %8.4f %8.4f", b->epa.min, b->epa.sum / b->epa.n, b->epa.max);
        else
            fprintf(out, "  %28s", "-");
        if (b->fmag.n)
            fprintf(out, "  %6.3f %6.3f %7.3f %8.4f\n", b->fmag.min, b->fmag.sum / b->fmag.n, b->fmag.max,
                    sqrt(b->fcomp.sum2 / b->fcomp.n));
        else
            fprintf(out, "  %22s %8s\n", "-", "-");
    }
}

int label_report(FILE *out, const char *const *paths, int npaths, pcm_err *e)
{
    table *kinds = pcm_calloc(1, sizeof *kinds), *dens = pcm_calloc(1, sizeof *dens),
          *temps = pcm_calloc(1, sizeof *temps), *all = pcm_calloc(1, sizeof *all);
    pcm_frame *fr = frame_new();
    int status = 0;
    for (int p = 0; p < npaths && status == 0; p++) {
        pcm_xyz_reader *r = xyz_open(paths[p], e);
        if (!r) {
            status = -1;
            break;
        }
        int rc;
        while ((rc = xyz_read(r, fr, e)) == 1) {
            const char *kind = frame_get(fr, "kind");
            const char *temp = frame_get(fr, "temperature");
            char name[48];
            bin_add(table_get(kinds, kind ? kind : "(no kind)"), fr);
            double rho = system_density(fr->sys);
            snprintf(name, sizeof name, "%.1f-%.1f g/cm3", floor(rho / 0.2) * 0.2, floor(rho / 0.2) * 0.2 + 0.2);
            bin_add(table_get(dens, name), fr);
            if (temp) {
                double t = atof(temp);
                snprintf(name, sizeof name, "%5.0f-%5.0f K", floor(t / 300) * 300, floor(t / 300) * 300 + 300);
            } else
                snprintf(name, sizeof name, "(no temperature)");
            bin_add(table_get(temps, name), fr);
            bin_add(table_get(all, "all"), fr);
        }
        if (rc < 0)
            status = -1;
        xyz_close(r);
    }
    if (status == 0) {
        fprintf(out, "labelled data: %ld configurations, %ld atom environments (%d file%s)\n", all->n ? all->b[0].frames : 0,
                all->n ? all->b[0].atoms : 0, npaths, npaths == 1 ? "" : "s");
        print_table(out, "kind", kinds);
        print_table(out, "density", dens);
        print_table(out, "temperature", temps);
        print_table(out, "total", all);
    }
    frame_free(fr);
    free(kinds);
    free(dens);
    free(temps);
    free(all);
    return status;
}

/* pressure from the virial with atoms at rest, GPa */
static double virial_gpa(const pcm_system *s)
{
    return (s->virial[0] + s->virial[1] + s->virial[2]) / (3.0 * s->cell.volume) * 160.21766208;
}

/* Pair-resolved force residual: for every ordered pair (i, j) between PR_LO and
 * PR_LO + PR_NB * PR_W Å apart, the residual force on i, reference minus labelled, projected
 * on the unit vector from i to j, binned by distance and by the two elements.  A mean above
 * zero means the reference pulls i toward j harder at that distance than the labelled forces
 * do (the model under-binds there); a potential can look fine in rms and still carry such a
 * bias, and a bias at the first-shell distances decides coordination numbers. */
#define PR_LO 2.0
#define PR_W 0.1
#define PR_NB 25   /* 2.0 - 4.5 Å */
#define PR_MAXP 16
typedef struct pair_res {
    char a[4], b[4];
    long n[PR_NB];
    double s[PR_NB], s2[PR_NB];
} pair_res;

static pair_res *pair_slot(pair_res *pr, int *np, const char *a, const char *b)
{
    for (int k = 0; k < *np; k++)
        if (!strcmp(pr[k].a, a) && !strcmp(pr[k].b, b))
            return &pr[k];
    if (*np == PR_MAXP)
        return NULL;
    pair_res *q = &pr[(*np)++];
    memset(q, 0, sizeof *q);
    snprintf(q->a, sizeof q->a, "%s", a);
    snprintf(q->b, sizeof q->b, "%s", b);
    return q;
}

static int by_pair_name(const void *x, const void *y)
{
    const pair_res *p = x, *q = y;
    int c = strcmp(p->a, q->a);
    return c ? c : strcmp(p->b, q->b);
}

static void pair_accumulate(pair_res *pr, int *np, const pcm_system *a, const pcm_system *ref)
{
    /* the frame's species pairs map to their accumulators once, found on first use */
    pair_res *slot[PCM_MAX_SPECIES][PCM_MAX_SPECIES] = {{NULL}};
    for (int i = 0; i < a->n; i++) {
        double d[3] = {ref->f[i][0] - a->f[i][0], ref->f[i][1] - a->f[i][1], ref->f[i][2] - a->f[i][2]};
        for (int j = 0; j < a->n; j++) {
            if (j == i)
                continue;
            double r[3] = {a->x[j][0] - a->x[i][0], a->x[j][1] - a->x[i][1], a->x[j][2] - a->x[i][2]};
            cell_min_image(&a->cell, r);
            double rr = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
            int b = (int)floor((rr - PR_LO) / PR_W);
            if (b < 0 || b >= PR_NB)
                continue;
            pair_res **qs = &slot[a->type[i]][a->type[j]];
            if (!*qs)
                *qs = pair_slot(pr, np, a->species[a->type[i]], a->species[a->type[j]]);
            pair_res *q = *qs;
            if (!q)
                continue;
            double p = (d[0] * r[0] + d[1] * r[1] + d[2] * r[2]) / rr;
            q->n[b]++;
            q->s[b] += p;
            q->s2[b] += p * p;
        }
    }
}

static void pair_print(FILE *out, pair_res *pr, int np)
{
    qsort(pr, (size_t)np, sizeof *pr, by_pair_name);
    fprintf(out, "\nforce residual (reference - labelled) on i, projected on i->j, by pair and distance "
                 "(meV/Å, mean ± standard error; > 0: the reference pulls i toward j harder; '-': under 20 pairs)\n");
    fprintf(out, "%-7s", "r (Å)");
    for (int k = 0; k < np; k++) {
        char nm[16];
        snprintf(nm, sizeof nm, "%.3s-%.3s", pr[k].a, pr[k].b);
        fprintf(out, " %12s", nm);
    }
    fputc('\n', out);
    for (int b = 0; b < PR_NB; b++) {
        fprintf(out, "%-7.2f", PR_LO + (b + 0.5) * PR_W);
        for (int k = 0; k < np; k++) {
            long n = pr[k].n[b];
            if (n < 20) {
                fprintf(out, " %12s", "-");
                continue;
            }
            double m = pr[k].s[b] / n, var = fmax(pr[k].s2[b] / n - m * m, 0);
            char cellt[32];
            snprintf(cellt, sizeof cellt, "%.0f±%.0f", 1e3 * m, 1e3 * sqrt(var / n));
            fprintf(out, " %12s", cellt);
        }
        fputc('\n', out);
    }
}

/* kinds: comma-separated list of frame kinds to keep (NULL: all) */
static int kind_selected(const char *kinds, const pcm_frame *fr)
{
    if (!kinds)
        return 1;
    const char *k = frame_get(fr, "kind");
    if (!k)
        return 0;
    size_t n = strlen(k);
    for (const char *p = kinds; (p = strstr(p, k)); p += n)
        if ((p == kinds || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
            return 1;
    return 0;
}

int label_compare(FILE *out, const char *path, const char *ref, int pairs, const char *kinds, pcm_err *e)
{
    pcm_xyz_reader *rr = xyz_open(ref, e);
    if (!rr)
        return -1;
    int nref = 0, cap = 16, rc;
    pcm_frame **refs = pcm_malloc((size_t)cap * sizeof *refs);
    for (;;) {
        pcm_frame *fr = frame_new();
        if ((rc = xyz_read(rr, fr, e)) != 1) {
            frame_free(fr);
            break;
        }
        if (nref == cap)
            refs = pcm_realloc(refs, (size_t)(cap *= 2) * sizeof *refs);
        refs[nref++] = fr;
    }
    xyz_close(rr);
    pcm_xyz_reader *r = rc < 0 ? NULL : xyz_open(path, e);
    int status = r ? 0 : -1, matched = 0, npr = 0;
    pair_res pr[PR_MAXP];
    pcm_frame *fr = frame_new();
    if (r)
        fprintf(out, "%-32s %5s %12s %12s %12s %10s\n", "config_id", "atoms", "dE meV/atom", "max dF meV/A",
                "rms dF meV/A", "dP GPa");
    while (r && (rc = xyz_read(r, fr, e)) == 1) {
        const char *id = frame_get(fr, "config_id");
        const pcm_frame *g = NULL;
        for (int k = 0; k < nref && id; k++) {
            const char *rid = frame_get(refs[k], "config_id");
            if (rid && !strcmp(rid, id))
                g = refs[k];
        }
        if (!g || g->sys->n != fr->sys->n || !fr->has_energy || !g->has_energy || !kind_selected(kinds, g))
            continue;
        const pcm_system *a = fr->sys, *b = g->sys;
        double dmax = 0, d2 = 0;
        for (int i = 0; i < a->n; i++)
            for (int c = 0; c < 3; c++) {
                double d = a->f[i][c] - b->f[i][c];
                dmax = fmax(dmax, fabs(d));
                d2 += d * d;
            }
        fprintf(out, "%-32s %5d %12.4f %12.3f %12.3f %10.4f\n", id, a->n, 1e3 * (a->energy - b->energy) / a->n,
                1e3 * dmax, 1e3 * sqrt(d2 / (3.0 * a->n)),
                fr->has_virial && g->has_virial ? virial_gpa(a) - virial_gpa(b) : NAN);
        if (pairs)
            pair_accumulate(pr, &npr, a, b);
        matched++;
    }
    if (r && rc < 0)
        status = -1;
    if (r)
        xyz_close(r);
    if (status == 0)
        fprintf(out, "%d frames matched by config_id%s%s\n", matched, kinds ? ", kinds " : "", kinds ? kinds : "");
    if (status == 0 && pairs && matched)
        pair_print(out, pr, npr);
    frame_free(fr);
    for (int k = 0; k < nref; k++)
        frame_free(refs[k]);
    free(refs);
    return status;
}
