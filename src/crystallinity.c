/* crystallinity.c - ten Wolde q4 connections and Steinhardt Q4/Q6 (see crystallinity.h).
 *
 * Y_lm (m >= 0) is evaluated without angles: with x = cos θ = u_z and
 * w = u_x + i u_y = sin θ e^{iφ},
 *   Y_lm = N_lm P̃_l^m(x) w^m,   N_lm = sqrt((2l+1)/(4π) (l-m)!/(l+m)!),
 * where P̃_l^m = P_l^m / sin^m θ obeys the usual recursion in l
 *   P̃_m^m = (-1)^m (2m-1)!!,  P̃_{m+1}^m = (2m+1) x P̃_m^m,
 *   (l-m) P̃_l^m = (2l-1) x P̃_{l-1}^m - (l+m-1) P̃_{l-2}^m.
 * Negative m follow from Y_l,-m = (-1)^m conj(Y_lm), so a sum over m = -l..l of
 * a_m conj(b_m) is a_0 b_0 + 2 Σ_{m>0} Re(a_m conj(b_m)): the 2l+1 complex
 * components are stored as 2l+1 reals (a_0, √2 Re a_m, √2 Im a_m), whose plain
 * dot product is the complex one.
 */
#include "crystallinity.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define YLM_LMAX 12

void xtal_params_default(pcm_xtal_params *p)
{
    p->rcut = XTAL_RCUT;
    p->xi = XTAL_XI;
    p->nxtal = XTAL_NXTAL;
    p->keep_lone = 0;
}

static double ylm_norm(int l, int m)
{
    double r = (2.0 * l + 1.0) / (4.0 * M_PI);
    for (int k = l - m + 1; k <= l + m; k++)
        r /= k;
    return sqrt(r);
}

/* P̃_l^m(x) for m = 0..l at one l. */
static void plm_scaled(int l, double x, double *p)
{
    for (int m = 0; m <= l; m++) {
        double pmm = 1.0;
        for (int k = 1; k <= m; k++)
            pmm *= -(2.0 * k - 1.0);
        if (l == m) {
            p[m] = pmm;
            continue;
        }
        double p1 = (2.0 * m + 1.0) * x * pmm, p0 = pmm;
        for (int ll = m + 2; ll <= l; ll++) {
            double p2 = ((2.0 * ll - 1.0) * x * p1 - (ll + m - 1.0) * p0) / (ll - m);
            p0 = p1;
            p1 = p2;
        }
        p[m] = p1;
    }
}

void xtal_ylm(int l, const double u[3], double *re, double *im)
{
    if (l < 0 || l > YLM_LMAX)
        return;
    double p[YLM_LMAX + 1];
    plm_scaled(l, u[2], p);
    double wr = 1.0, wi = 0.0;
    for (int m = 0; m <= l; m++) {
        double c = ylm_norm(l, m) * p[m];
        re[m] = c * wr;
        im[m] = c * wi;
        double t = wr * u[0] - wi * u[1];
        wi = wr * u[1] + wi * u[0];
        wr = t;
    }
}

/* Fast path for the two l the method needs: one recursion per m up to l = 6.
 * n4/n6 are N_4m, N_6m; outputs are the real 9- and 13-vectors described above. */
static void ylm46(const double u[3], const double *n4, const double *n6, double *y4, double *y6)
{
    const double x = u[2], r2 = sqrt(2.0);
    double wr = 1.0, wi = 0.0, pmm = 1.0;
    for (int m = 0; m <= 6; m++) {
        if (m > 0)
            pmm *= -(2.0 * m - 1.0);
        double pl[7] = {0};
        pl[m] = pmm;
        if (m < 6)
            pl[m + 1] = (2.0 * m + 1.0) * x * pmm;
        for (int l = m + 2; l <= 6; l++)
            pl[l] = ((2.0 * l - 1.0) * x * pl[l - 1] - (l + m - 1.0) * pl[l - 2]) / (l - m);
        if (m == 0) {
            y4[0] = n4[0] * pl[4];
            y6[0] = n6[0] * pl[6];
        } else {
            if (m <= 4) {
                double c = r2 * n4[m] * pl[4];
                y4[2 * m - 1] = c * wr;
                y4[2 * m] = c * wi;
            }
            double c = r2 * n6[m] * pl[6];
            y6[2 * m - 1] = c * wr;
            y6[2 * m] = c * wi;
        }
        double t = wr * u[0] - wi * u[1];
        wi = wr * u[1] + wi * u[0];
        wr = t;
    }
}

typedef struct {
    const pcm_nlist *nl;
    unsigned char *inr;   /* [npairs] 1 when the pair is within rcut */
    double (*q4)[9];      /* Σ_j Y_4m, then the unit vector q_4(i) */
    double (*q6)[13];     /* Σ_j Y_6m */
    int *nn;
    int *nconn;
    unsigned char *raw;   /* > nxtal connections */
} xtal_work;

static void pass_harmonics(xtal_work *w, const pcm_system *s, double rc)
{
    double n4[5], n6[7];
    for (int m = 0; m <= 6; m++) {
        if (m <= 4)
            n4[m] = ylm_norm(4, m);
        n6[m] = ylm_norm(6, m);
    }
    const pcm_nlist *nl = w->nl;
    const double(*h)[3] = s->cell.h;
    const double rc2 = rc * rc;
#pragma omp parallel for schedule(dynamic, 256)
    for (int i = 0; i < s->n; i++) {
        double a4[9] = {0}, a6[13] = {0};
        int nn = 0;
        for (int p = nl->start[i]; p < nl->start[i + 1]; p++) {
            int j = nl->j[p];
            const int *S = nl->shift[p];
            double d[3];
            for (int k = 0; k < 3; k++)
                d[k] = s->x[j][k] + S[0] * h[0][k] + S[1] * h[1][k] + S[2] * h[2][k] - s->x[i][k];
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            w->inr[p] = r2 < rc2 && r2 > 1e-20;
            if (!w->inr[p])
                continue;
            double r = sqrt(r2), u[3] = {d[0] / r, d[1] / r, d[2] / r}, y4[9], y6[13];
            ylm46(u, n4, n6, y4, y6);
            for (int k = 0; k < 9; k++)
                a4[k] += y4[k];
            for (int k = 0; k < 13; k++)
                a6[k] += y6[k];
            nn++;
        }
        memcpy(w->q4[i], a4, sizeof a4);
        memcpy(w->q6[i], a6, sizeof a6);
        w->nn[i] = nn;
    }
}

/* q_4(i) = q̄_4(i)/|q̄_4(i)| written over w->q4 (the sums are no longer needed
 * per atom once the global Q4 has been accumulated). */
static void pass_normalise(xtal_work *w, int n)
{
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        double n2 = 0.0;
        for (int k = 0; k < 9; k++)
            n2 += w->q4[i][k] * w->q4[i][k];
        double f = n2 > 1e-24 ? 1.0 / sqrt(n2) : 0.0;
        for (int k = 0; k < 9; k++)
            w->q4[i][k] *= f;
    }
}

static void pass_connect(xtal_work *w, int n, const pcm_xtal_params *par, double *q4dot, long *hist)
{
    const pcm_nlist *nl = w->nl;
#pragma omp parallel for schedule(dynamic, 256)
    for (int i = 0; i < n; i++) {
        int nc = 0;
        double sum = 0.0;
        for (int p = nl->start[i]; p < nl->start[i + 1]; p++) {
            if (!w->inr[p])
                continue;
            const double *a = w->q4[i], *b = w->q4[nl->j[p]];
            double dot = 0.0;
            for (int k = 0; k < 9; k++)
                dot += a[k] * b[k];
            sum += dot;
            nc += dot > par->xi;
            if (hist) {
                int b = (int)((dot + 1.0) * 0.5 * XTAL_DOT_BINS);
                b = b < 0 ? 0 : (b >= XTAL_DOT_BINS ? XTAL_DOT_BINS - 1 : b);
#pragma omp atomic
                hist[b]++;
            }
        }
        w->nconn[i] = nc;
        w->raw[i] = nc > par->nxtal;
        if (q4dot)
            q4dot[i] = w->nn[i] > 0 ? sum / w->nn[i] : 0.0;
    }
}

static void pass_lone(xtal_work *w, int n, int keep_lone, unsigned char *flags)
{
    const pcm_nlist *nl = w->nl;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        int f = w->raw[i];
        if (f && !keep_lone) {
            f = 0;
            for (int p = nl->start[i]; p < nl->start[i + 1] && !f; p++)
                f = w->inr[p] && w->raw[nl->j[p]];
        }
        flags[i] = (unsigned char)f;
    }
}

static void local_q(const xtal_work *w, int n, double *q4l, double *q6l)
{
    for (int i = 0; i < n; i++) {
        double a = 0.0, b = 0.0, nn = w->nn[i] > 0 ? w->nn[i] : 1;
        for (int k = 0; k < 9; k++)
            a += w->q4[i][k] * w->q4[i][k];
        for (int k = 0; k < 13; k++)
            b += w->q6[i][k] * w->q6[i][k];
        if (q4l)
            q4l[i] = sqrt(4.0 * M_PI / 9.0 * a) / nn;
        if (q6l)
            q6l[i] = sqrt(4.0 * M_PI / 13.0 * b) / nn;
    }
}

/* Q_l from the summed real (2l+1)-vector: Σ_m |Q̄_lm|² is its squared length. */
static double global_q(const double *sum, int len, long nb, int l)
{
    if (nb <= 0)
        return 0.0;
    double s2 = 0.0;
    for (int k = 0; k < len; k++)
        s2 += (sum[k] / nb) * (sum[k] / nb);
    return sqrt(4.0 * M_PI / (2.0 * l + 1.0) * s2);
}

int xtal_compute_ex(const pcm_system *s, const pcm_nlist *nl, const pcm_xtal_params *par,
                    const pcm_xtal_atoms *atoms, pcm_xtal_summary *out, pcm_err *e)
{
    pcm_xtal_params def;
    if (!par) {
        xtal_params_default(&def);
        par = &def;
    }
    memset(out, 0, sizeof *out);
    if (!s || s->n <= 0)
        return pcm_errf(e, "crystallinity", 0, "empty configuration (no atoms)");
    if (!(par->rcut > 0.0) || !(par->xi >= -1.0 && par->xi <= 1.0) || par->nxtal < 0)
        return pcm_errf(e, "crystallinity", 0, "parameters out of range (rcut > 0, -1 <= xi <= 1, nxtal >= 0)");
    const int n = s->n;
    pcm_nlist *own = NULL;
    if (!nl || nl->n != n || nl->rcut < par->rcut || nl->nbuilds == 0) {
        own = nl_new(par->rcut, 0.0);
        nl_build(own, s);
        nl = own;
    }
    xtal_work w = {.nl = nl};
    w.inr = pcm_malloc((size_t)(nl->npairs > 0 ? nl->npairs : 1));
    w.q4 = pcm_malloc((size_t)n * sizeof *w.q4);
    w.q6 = pcm_malloc((size_t)n * sizeof *w.q6);
    w.nn = atoms && atoms->nneigh ? atoms->nneigh : pcm_malloc((size_t)n * sizeof *w.nn);
    w.nconn = atoms && atoms->nconn ? atoms->nconn : pcm_malloc((size_t)n * sizeof *w.nconn);
    w.raw = pcm_malloc((size_t)n);
    unsigned char *flags = atoms && atoms->flags ? atoms->flags : pcm_malloc((size_t)n);

    pass_harmonics(&w, s, par->rcut);
    /* global sums in atom order: deterministic for any thread count */
    double s4[9] = {0}, s6[13] = {0};
    long nb = 0;
    if (atoms && (atoms->q4l || atoms->q6l))
        local_q(&w, n, atoms->q4l, atoms->q6l);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 9; k++)
            s4[k] += w.q4[i][k];
        for (int k = 0; k < 13; k++)
            s6[k] += w.q6[i][k];
        nb += w.nn[i];
        out->nisolated += w.nn[i] == 0;
    }
    pass_normalise(&w, n);
    pass_connect(&w, n, par, atoms ? atoms->q4dot : NULL, atoms ? atoms->dot_hist : NULL);
    pass_lone(&w, n, par->keep_lone, flags);

    out->n = n;
    for (int i = 0; i < n; i++) {
        out->ncryst += flags[i];
        out->ncryst_raw += w.raw[i];
    }
    out->fraction = (double)out->ncryst / n;
    out->Q4 = global_q(s4, 9, nb, 4);
    out->Q6 = global_q(s6, 13, nb, 6);
    out->mean_nn = (double)nb / n;

    if (!(atoms && atoms->flags))
        free(flags);
    if (!(atoms && atoms->nneigh))
        free(w.nn);
    if (!(atoms && atoms->nconn))
        free(w.nconn);
    free(w.raw);
    free(w.q6);
    free(w.q4);
    free(w.inr);
    nl_free(own);
    return 0;
}

int xtal_compute(const pcm_system *s, const pcm_nlist *nl, unsigned char *flags, double *q4dot,
                 pcm_xtal_summary *out, pcm_err *e)
{
    pcm_xtal_atoms a = {.flags = flags, .q4dot = q4dot};
    return xtal_compute_ex(s, nl, NULL, &a, out, e);
}

void xtal_profile(const pcm_system *s, const unsigned char *flags, int axis, int nbins, double *frac, int *count)
{
    assert(axis >= 0 && axis < 3 && nbins > 0);
    int *cnt = pcm_calloc((size_t)nbins, sizeof *cnt), *cr = pcm_calloc((size_t)nbins, sizeof *cr);
    for (int i = 0; i < s->n; i++) {
        double f[3];
        cell_to_frac(&s->cell, s->x[i], f);
        double u = f[axis] - floor(f[axis]);
        int b = (int)(u * nbins);
        b = b < 0 ? 0 : (b >= nbins ? nbins - 1 : b);
        cnt[b]++;
        cr[b] += flags[i] != 0;
    }
    for (int b = 0; b < nbins; b++) {
        frac[b] = cnt[b] ? (double)cr[b] / cnt[b] : 0.0;
        if (count)
            count[b] = cnt[b];
    }
    free(cnt);
    free(cr);
}

int xtal_profile_crossings(const double *frac, int nbins, double *pos, int max)
{
    int n = 0;
    for (int b = 0; b < nbins && n < max; b++) {
        double y0 = frac[b] - 0.5, y1 = frac[(b + 1) % nbins] - 0.5;
        if ((y0 < 0.0) != (y1 < 0.0)) {
            double t = y0 / (y0 - y1), u = (b + 0.5 + t) / nbins;
            pos[n++] = u - floor(u);
        }
    }
    return n;
}
