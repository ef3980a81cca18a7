/* sq.c - S(q) on the commensurate wave-vector grid (see sq.h). */
#include "sq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "rng.h"

#define MAXS PCM_MAX_SPECIES

pcm_sq *sq_new(double qmax, double dq, int max_per_bin, uint64_t seed, pcm_err *e)
{
    if (!(qmax > 0.0 && qmax <= 100.0) || !(dq >= 0.0) || max_per_bin < 0) {
        pcm_errf(e, "sq", 0, "need 0 < q_max <= 100 1/Å, dq >= 0 and max_per_bin >= 0 (got %g, %g, %d)",
                 qmax, dq, max_per_bin);
        return NULL;
    }
    pcm_sq *q = pcm_calloc(1, sizeof *q);
    q->qmax = qmax;
    q->dq = dq;
    q->max_per_bin = max_per_bin;
    q->seed = seed;
    return q;
}

void sq_free(pcm_sq *q)
{
    if (!q)
        return;
    free(q->s_sum);
    free(q->part_sum);
    free(q->nvec);
    free(q);
}

static void setup_bins(pcm_sq *q, const pcm_system *s)
{
    if (q->dq <= 0.0)
        q->dq = 2.0 * M_PI / cbrt(s->cell.volume);
    q->nbins = (int)floor(q->qmax / q->dq + 0.5) + 1;
    if (q->nbins < 1)
        q->nbins = 1;
    q->s_sum = pcm_calloc((size_t)q->nbins, sizeof *q->s_sum);
    q->part_sum = pcm_calloc((size_t)MAXS * MAXS * q->nbins, sizeof *q->part_sum);
    q->nvec = pcm_calloc((size_t)q->nbins, sizeof *q->nvec);
}

typedef struct {
    int (*v)[3];   /* [nbins * max] selected vectors */
    int *len;      /* [nbins] selected so far */
    long *seen;    /* [nbins] candidates seen */
} reservoir;

/* All half-space n with |q| < qmax, a reproducible subset of at most max per bin. */
static void pick_vectors(const pcm_sq *q, const pcm_system *s, reservoir *rs)
{
    const int M = q->max_per_bin, nb = q->nbins;
    rs->v = pcm_malloc((size_t)nb * M * sizeof *rs->v);
    rs->len = pcm_calloc((size_t)nb, sizeof *rs->len);
    rs->seen = pcm_calloc((size_t)nb, sizeof *rs->seen);
    int lim[3];
    for (int a = 0; a < 3; a++) {
        const double *h = s->cell.h[a];
        lim[a] = (int)floor(q->qmax * sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]) / (2.0 * M_PI)) + 1;
    }
    pcm_rng r;
    rng_seed(&r, q->seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(q->nframes + 1));
    const double(*hi)[3] = s->cell.hinv;
    for (int n0 = 0; n0 <= lim[0]; n0++)
        for (int n1 = n0 ? -lim[1] : 0; n1 <= lim[1]; n1++)
            for (int n2 = (n0 || n1) ? -lim[2] : 1; n2 <= lim[2]; n2++) {
                double qq = 0.0;
                for (int k = 0; k < 3; k++) {
                    double c = 2.0 * M_PI * (hi[k][0] * n0 + hi[k][1] * n1 + hi[k][2] * n2);
                    qq += c * c;
                }
                double qn = sqrt(qq);
                if (qn >= q->qmax)
                    continue;
                int b = (int)floor(qn / q->dq + 0.5);
                if (b >= nb)
                    continue;
                long seen = rs->seen[b]++;
                int slot = -1;
                if (rs->len[b] < M)
                    slot = rs->len[b]++;
                else {
                    long t = (long)(rng_uniform(&r) * (double)(seen + 1));
                    if (t < M)
                        slot = (int)t;
                }
                if (slot >= 0) {
                    int *v = rs->v[(size_t)b * M + slot];
                    v[0] = n0, v[1] = n1, v[2] = n2;
                }
            }
}

static void frac_coords(const pcm_system *s, double (*f)[3])
{
    for (int i = 0; i < s->n; i++) {
        cell_to_frac(&s->cell, s->x[i], f[i]);
        for (int k = 0; k < 3; k++)
            f[i][k] -= floor(f[i][k]);
    }
}

static void add_sampled(pcm_sq *q, const pcm_system *s, const int *map)
{
    reservoir rs;
    pick_vectors(q, s, &rs);
    const int M = q->max_per_bin, nb = q->nbins, ns = q->sp.n;
    long nv = 0;
    int *off = pcm_malloc((size_t)(nb + 1) * sizeof *off);
    for (int b = 0; b < nb; b++) {
        off[b] = (int)nv;
        nv += rs.len[b];
    }
    off[nb] = (int)nv;
    double (*f)[3] = pcm_malloc((size_t)s->n * sizeof *f);
    frac_coords(s, f);
    int *sp = pcm_malloc((size_t)s->n * sizeof *sp), cnt[MAXS] = {0};
    for (int i = 0; i < s->n; i++) {
        sp[i] = map[s->type[i]];
        cnt[sp[i]]++;
    }
    double *rho = pcm_calloc((size_t)(nv ? nv : 1) * ns * 2, sizeof *rho); /* [vector][species] re, im */
#pragma omp parallel for schedule(dynamic, 4)
    for (long k = 0; k < nv; k++) {
        int b = 0;
        while (off[b + 1] <= k)
            b++;
        const int *n = rs.v[(size_t)b * M + (k - off[b])];
        double *rk = rho + (size_t)k * ns * 2;
        for (int i = 0; i < s->n; i++) {
            double ph = 2.0 * M_PI * (n[0] * f[i][0] + n[1] * f[i][1] + n[2] * f[i][2]);
            rk[2 * sp[i]] += cos(ph);
            rk[2 * sp[i] + 1] -= sin(ph);
        }
    }
    /* sums in vector order: deterministic */
    for (int b = 0; b < nb; b++)
        for (long k = off[b]; k < off[b + 1]; k++) {
            const double *rk = rho + (size_t)k * ns * 2;
            double tr = 0.0, ti = 0.0;
            for (int a = 0; a < ns; a++) {
                tr += rk[2 * a];
                ti += rk[2 * a + 1];
                for (int c = 0; c < ns; c++)
                    if (cnt[a] && cnt[c])
                        q->part_sum[((size_t)a * MAXS + c) * nb + b] +=
                            (rk[2 * a] * rk[2 * c] + rk[2 * a + 1] * rk[2 * c + 1]) / sqrt((double)cnt[a] * cnt[c]);
            }
            q->s_sum[b] += (tr * tr + ti * ti) / s->n;
            q->nvec[b]++;
        }
    free(rho);
    free(sp);
    free(f);
    free(off);
    free(rs.v);
    free(rs.len);
    free(rs.seen);
}

/* ---- every vector: lines of fixed (n0, n1), phase factors by recursion in n2 */

typedef struct {
    int n0, n1, lo, hi;   /* n2 = lo..hi lie inside the sphere and the half space */
} qline;

static int make_lines(const pcm_sq *q, const pcm_system *s, qline **out)
{
    const double(*hi)[3] = s->cell.hinv;
    int lim[2];
    for (int a = 0; a < 2; a++) {
        const double *h = s->cell.h[a];
        lim[a] = (int)floor(q->qmax * sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]) / (2.0 * M_PI)) + 1;
    }
    double b2[3], q2max = q->qmax * q->qmax;
    for (int k = 0; k < 3; k++)
        b2[k] = 2.0 * M_PI * hi[k][2];
    double bb = b2[0] * b2[0] + b2[1] * b2[1] + b2[2] * b2[2];
    int nl = 0, cap = 256;
    qline *L = pcm_malloc((size_t)cap * sizeof *L);
    for (int n0 = 0; n0 <= lim[0]; n0++)
        for (int n1 = n0 ? -lim[1] : 0; n1 <= lim[1]; n1++) {
            double qb[3];
            for (int k = 0; k < 3; k++)
                qb[k] = 2.0 * M_PI * (hi[k][0] * n0 + hi[k][1] * n1);
            double c = qb[0] * qb[0] + qb[1] * qb[1] + qb[2] * qb[2], bq = qb[0] * b2[0] + qb[1] * b2[1] + qb[2] * b2[2];
            double disc = bq * bq - bb * (c - q2max);
            if (disc <= 0.0)
                continue;
            int lo = (int)ceil((-bq - sqrt(disc)) / bb) - 1, hi2 = (int)floor((-bq + sqrt(disc)) / bb) + 1;
            /* tighten to the strict inequality */
            while (lo <= hi2 && c + 2 * lo * bq + (double)lo * lo * bb >= q2max)
                lo++;
            while (hi2 >= lo && c + 2 * hi2 * bq + (double)hi2 * hi2 * bb >= q2max)
                hi2--;
            if (n0 == 0 && n1 == 0 && lo < 1)
                lo = 1;
            if (lo > hi2)
                continue;
            if (nl == cap)
                L = pcm_realloc(L, (size_t)(cap *= 2) * sizeof *L);
            L[nl++] = (qline){n0, n1, lo, hi2};
        }
    *out = L;
    return nl;
}

static void add_all(pcm_sq *q, const pcm_system *s, const int *map)
{
    const int n = s->n, ns = q->sp.n, nb = q->nbins;
    /* atoms sorted by species so the inner sums run over contiguous ranges */
    int cnt[MAXS] = {0}, first[MAXS + 1];
    for (int i = 0; i < n; i++)
        cnt[map[s->type[i]]]++;
    first[0] = 0;
    for (int a = 0; a < ns; a++)
        first[a + 1] = first[a] + cnt[a];
    double (*f)[3] = pcm_malloc((size_t)n * sizeof *f), (*fs)[3] = pcm_malloc((size_t)n * sizeof *fs);
    frac_coords(s, f);
    int fill[MAXS];
    memcpy(fill, first, sizeof fill);
    for (int i = 0; i < n; i++)
        memcpy(fs[fill[map[s->type[i]]]++], f[i], sizeof f[i]);
    free(f);
    double *wr = pcm_malloc((size_t)n * sizeof *wr), *wi = pcm_malloc((size_t)n * sizeof *wi);
    for (int i = 0; i < n; i++) {
        wr[i] = cos(2.0 * M_PI * fs[i][2]);
        wi[i] = -sin(2.0 * M_PI * fs[i][2]);
    }
    qline *L;
    int nl = make_lines(q, s, &L);
    const double(*hi)[3] = s->cell.hinv;
    /* fixed chunks of lines, each summed in order, then the chunks in order:
     * the result does not depend on the thread count */
    const int nchunk = nl < 128 ? (nl > 0 ? nl : 1) : 128;
    const size_t stride = (size_t)(1 + ns * ns) * nb;
    double *acc = pcm_calloc((size_t)nchunk * stride, sizeof *acc);
    long *vc = pcm_calloc((size_t)nchunk * nb, sizeof *vc);
#pragma omp parallel
    {
        double *zr = pcm_malloc((size_t)n * sizeof *zr), *zi = pcm_malloc((size_t)n * sizeof *zi);
#pragma omp for schedule(dynamic, 1)
        for (int c = 0; c < nchunk; c++) {
            double *A = acc + (size_t)c * stride;
            long *V = vc + (size_t)c * nb;
            for (int l = (int)((long)nl * c / nchunk); l < (int)((long)nl * (c + 1) / nchunk); l++) {
                const qline *ln = &L[l];
                for (int i = 0; i < n; i++) {
                    double ph = -2.0 * M_PI * (ln->n0 * fs[i][0] + ln->n1 * fs[i][1] + ln->lo * fs[i][2]);
                    zr[i] = cos(ph);
                    zi[i] = sin(ph);
                }
                for (int n2 = ln->lo; n2 <= ln->hi; n2++) {
                    double rr[MAXS], ri[MAXS], tr = 0.0, ti = 0.0;
                    for (int a = 0; a < ns; a++) {
                        double sr = 0.0, si = 0.0;
                        for (int i = first[a]; i < first[a + 1]; i++) {
                            sr += zr[i];
                            si += zi[i];
                            double t = zr[i] * wr[i] - zi[i] * wi[i];
                            zi[i] = zr[i] * wi[i] + zi[i] * wr[i];
                            zr[i] = t;
                        }
                        rr[a] = sr, ri[a] = si, tr += sr, ti += si;
                    }
                    double qq = 0.0;
                    for (int k = 0; k < 3; k++) {
                        double qk = 2.0 * M_PI * (hi[k][0] * ln->n0 + hi[k][1] * ln->n1 + hi[k][2] * n2);
                        qq += qk * qk;
                    }
                    int b = (int)floor(sqrt(qq) / q->dq + 0.5);
                    if (b >= nb)
                        continue;
                    A[b] += (tr * tr + ti * ti) / n;
                    for (int a = 0; a < ns; a++)
                        for (int d = 0; d < ns; d++)
                            if (cnt[a] && cnt[d])
                                A[(size_t)(1 + a * ns + d) * nb + b] +=
                                    (rr[a] * rr[d] + ri[a] * ri[d]) / sqrt((double)cnt[a] * cnt[d]);
                    V[b]++;
                }
            }
        }
        free(zr);
        free(zi);
    }
    for (int c = 0; c < nchunk; c++) {
        const double *A = acc + (size_t)c * stride;
        for (int b = 0; b < nb; b++) {
            q->s_sum[b] += A[b];
            q->nvec[b] += vc[(size_t)c * nb + b];
            for (int a = 0; a < ns; a++)
                for (int d = 0; d < ns; d++)
                    q->part_sum[((size_t)a * MAXS + d) * nb + b] += A[(size_t)(1 + a * ns + d) * nb + b];
        }
    }
    free(acc), free(vc), free(L), free(wr), free(wi), free(fs);
}

int sq_add(pcm_sq *q, const pcm_system *s, pcm_err *e)
{
    int map[MAXS];
    if (s->n <= 0)
        return pcm_errf(e, "sq", 0, "empty configuration");
    if (spset_map(&q->sp, s, map, e) != 0)
        return -1;
    if (!q->nvec)
        setup_bins(q, s);
    if (q->max_per_bin > 0)
        add_sampled(q, s, map);
    else
        add_all(q, s, map);
    for (int i = 0; i < s->n; i++)
        q->natoms[map[s->type[i]]]++;
    q->natoms_tot += s->n;
    q->nframes++;
    return 0;
}

double sq_q(const pcm_sq *q, int bin) { return bin * q->dq; }

double sq_get(const pcm_sq *q, int a, int b, int bin)
{
    if (!q->nvec || bin < 0 || bin >= q->nbins || q->nvec[bin] == 0)
        return 0.0;
    if (a < 0)
        return q->s_sum[bin] / q->nvec[bin];
    return q->part_sum[((size_t)a * MAXS + b) * q->nbins + bin] / q->nvec[bin];
}

double sq_get_fz(const pcm_sq *q, int a, int b, int bin)
{
    if (a < 0 || b < 0 || q->natoms_tot == 0 || !q->natoms[a] || !q->natoms[b])
        return 0.0;
    double ca = (double)q->natoms[a] / q->natoms_tot, cb = (double)q->natoms[b] / q->natoms_tot;
    return 1.0 + (sq_get(q, a, b, bin) - (a == b)) / sqrt(ca * cb);
}

double sq_single(const pcm_system *s, const int n[3])
{
    double (*f)[3] = pcm_malloc((size_t)(s->n > 0 ? s->n : 1) * sizeof *f);
    frac_coords(s, f);
    double re = 0.0, im = 0.0;
    for (int i = 0; i < s->n; i++) {
        double ph = 2.0 * M_PI * (n[0] * f[i][0] + n[1] * f[i][1] + n[2] * f[i][2]);
        re += cos(ph);
        im -= sin(ph);
    }
    free(f);
    return s->n > 0 ? (re * re + im * im) / s->n : 0.0;
}

int sq_peak(const pcm_sq *q, double qmin, double *qpeak, double *speak)
{
    int best = -1;
    for (int b = 0; b < q->nbins; b++)
        if (q->nvec && q->nvec[b] > 0 && sq_q(q, b) >= qmin && (best < 0 || sq_get(q, -1, -1, b) > sq_get(q, -1, -1, best)))
            best = b;
    *qpeak = best >= 0 ? sq_q(q, best) : -1.0;
    *speak = best >= 0 ? sq_get(q, -1, -1, best) : 0.0;
    return best;
}

int sq_first_peak(const pcm_sq *q, double thr, double *qpeak, double *speak)
{
    int prev = -1;
    for (int b = 0; b < q->nbins && q->nvec; b++) {
        if (!q->nvec[b])
            continue;
        int next = b + 1;
        while (next < q->nbins && !q->nvec[next])
            next++;
        double sb = sq_get(q, -1, -1, b);
        if (sb >= thr && (prev < 0 || sb > sq_get(q, -1, -1, prev)) &&
            (next >= q->nbins || sb >= sq_get(q, -1, -1, next))) {
            *qpeak = sq_q(q, b);
            *speak = sb;
            return b;
        }
        prev = b;
    }
    *qpeak = -1.0;
    *speak = 0.0;
    return -1;
}

int sq_write_csv(const pcm_sq *q, const char *path, pcm_err *e)
{
    if (!q->nvec)
        return pcm_errf(e, path, 0, "no configuration was analysed");
    pcm_afile af;
    if (atomic_open(&af, path, e) != 0)
        return -1;
    fprintf(af.fp, "q_invA,S,nvec");
    for (int a = 0; a < q->sp.n; a++)
        for (int b = a; b < q->sp.n; b++)
            fprintf(af.fp, ",S_%s_%s", q->sp.sym[a], q->sp.sym[b]);
    for (int a = 0; a < q->sp.n; a++)
        for (int b = a; b < q->sp.n; b++)
            fprintf(af.fp, ",SFZ_%s_%s", q->sp.sym[a], q->sp.sym[b]);
    fputc('\n', af.fp);
    for (int k = 0; k < q->nbins; k++) {
        if (!q->nvec[k])
            continue;
        fprintf(af.fp, "%.6f,%.8g,%ld", sq_q(q, k), sq_get(q, -1, -1, k), q->nvec[k]);
        for (int a = 0; a < q->sp.n; a++)
            for (int b = a; b < q->sp.n; b++)
                fprintf(af.fp, ",%.8g", sq_get(q, a, b, k));
        for (int a = 0; a < q->sp.n; a++)
            for (int b = a; b < q->sp.n; b++)
                fprintf(af.fp, ",%.8g", sq_get_fz(q, a, b, k));
        fputc('\n', af.fp);
    }
    return atomic_commit(&af, e);
}
