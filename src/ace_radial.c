/* ace_radial.c - ACE radial basis g_k(r), radial functions R_nl(r), core repulsion,
 * and ML-PACE's cubic-Hermite lookup tables.
 *
 * Equations: ../shared/ace-reference/YACE_FORMAT.md §2 (radial bases), §4.3 (core
 * repulsion, ZBL), §6 (splines).  Reference implementation: ICAMS lammps-user-pace
 * ace_radial.cpp.  Units: r in Å, core repulsion in eV.
 *
 * Tables (one per species pair, on that pair's rcut): nlut = (int)(rcut/Δ), grid
 * r_n = n / (nlut/rcut), n = 1..nlut; bin n holds Hermite coefficients from the
 * analytic value and derivative at r_n and r_{n+1} (0 beyond the last point).
 * A distance in bin ⌊r·nlut/rcut⌋ >= nlut gives 0; bin 0 (r < Δ) is refused.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ace_basis.h"
#include "ace_kernels.h"

#define ACE_PI 3.14159265358979323846264338327950288419

void ace_fc_poly(double r, double r_in, double delta, double *fc, double *dfc)
{
    ace_k_fc_poly(r, r_in, delta, fc, dfc);
}

/* Chebyshev T_0..T_n (t) and dT/dx (dt) at x. */
static void cheb(int n, double x, double *t, double *dt)
{
    double u[66];
    t[0] = 1;
    dt[0] = 0;
    u[0] = 1;
    if (n >= 1) {
        t[1] = x;
        u[1] = 2 * x;
    }
    for (int m = 1; m <= n - 1; m++) {
        t[m + 1] = 2 * x * t[m] - t[m - 1];
        u[m + 1] = 2 * x * u[m] - u[m - 1];
    }
    for (int m = 1; m <= n; m++)
        dt[m] = m * u[m - 1];
}

static double sinc(double x) { return x != 0.0 ? sin(x) / x : 1; }
static double dsinc(double x) { return x != 0.0 ? (cos(x) * x - sin(x)) / (x * x) : 0; }

static double sbessel_pre(double rc, int n)
{
    return ((n % 2) ? -1.0 : 1.0) * sqrt(2) * ACE_PI / pow(rc, 1.5) * (n + 1) * (n + 2) /
           sqrt((double)(n + 1) * (n + 1) + (double)(n + 2) * (n + 2));
}

static void radbase_sbessel(int K, double rc, double r, double *g, double *dg)
{
    double d_prev = 1.0;
    for (int n = 0; n < K; n++) {
        double a1 = (n + 1) * ACE_PI / rc, a2 = (n + 2) * ACE_PI / rc, pre = sbessel_pre(rc, n);
        double f = pre * (sinc(r * a1) + sinc(r * a2));
        double df = pre * (dsinc(r * a1) * a1 + dsinc(r * a2) * a2);
        if (n == 0) {
            g[0] = f;
            dg[0] = df;
            continue;
        }
        double en = (double)n * n * (n + 2) * (n + 2) / (4 * pow(n + 1, 4) + 1);
        double dn = 1 - en / d_prev;
        g[n] = 1 / sqrt(dn) * (f + sqrt(en / d_prev) * g[n - 1]);
        dg[n] = 1 / sqrt(dn) * (df + sqrt(en / d_prev) * dg[n - 1]);
        d_prev = dn;
    }
}

/* g_k(r), k < K, for one bond (ML-PACE ACERadialFunctions::radbase). */
static void radbase(const ace_bond *bd, int K, int inner, double r, double *g, double *dg)
{
    double cut = bd->rcut, dcut = bd->dcut, lam = bd->lambda;
    double cut_in = bd->rcut_in, dcut_in = bd->dcut_in;
    if (inner == ACE_INNER_ZBL)
        cut_in = (dcut_in == 0); /* as ML-PACE: the basis is not cut at r_in in zbl mode */
    if (r <= cut_in - dcut_in || r >= cut) {
        memset(g, 0, (size_t)K * sizeof *g);
        memset(dg, 0, (size_t)K * sizeof *dg);
        return;
    }
    double t[66], dt[66];
    if (bd->radbase == ACE_RB_CHEBEXPCOS) {
        double y1 = exp(-lam * r / cut), y2 = exp(-lam);
        double x = 1.0 - 2.0 * ((y1 - y2) / (1 - y2));
        double dx = 2 * (lam / cut) * (y1 / (1 - y2));
        cheb(K, x, t, dt);
        g[0] = t[0];
        dg[0] = dt[0] * dx;
        for (int n = 2; n <= K; n++) {
            g[n - 1] = 0.5 - 0.5 * t[n - 1];
            dg[n - 1] = -0.5 * dt[n - 1] * dx;
        }
        double env = 0.5 * (1.0 + cos(ACE_PI * r / cut));
        double denv = -0.5 * sin(ACE_PI * r / cut) * ACE_PI / cut;
        for (int n = 0; n < K; n++) {
            dg[n] = g[n] * denv + dg[n] * env;
            g[n] = g[n] * env;
        }
        double rs = cut - dcut;
        if (r > rs) {
            double fc = 0.5 * (1.0 + cos(ACE_PI * (r - rs) / dcut));
            double dfc = -0.5 * sin(ACE_PI * (r - rs) / dcut) * ACE_PI / dcut;
            for (int n = 0; n < K; n++) {
                dg[n] = g[n] * dfc + dg[n] * fc;
                g[n] = g[n] * fc;
            }
        }
    } else if (bd->radbase == ACE_RB_CHEBPOW || bd->radbase == ACE_RB_CHEBLINEAR) {
        double x, dx;
        if (bd->radbase == ACE_RB_CHEBPOW) {
            double y = 1.0 - r / cut, dy = pow(y, lam - 1.0);
            y = dy * y;
            dy = -lam / cut * dy;
            x = 2.0 * (1.0 - y) - 1.0;
            dx = -2.0 * dy;
        } else {
            x = 1.0 - r / cut;
            dx = -1 / cut;
        }
        cheb(K, x, t, dt);
        for (int n = 1; n <= K; n++) {
            g[n - 1] = 0.5 - 0.5 * t[n];
            dg[n - 1] = -0.5 * dt[n] * dx;
        }
    } else {
        radbase_sbessel(K, cut, r, g, dg);
    }
    if (inner == ACE_INNER_DISTANCE || inner == ACE_INNER_ZBL) {
        double fc, dfc;
        ace_fc_poly(r, cut_in, dcut_in, &fc, &dfc);
        fc = 1 - fc;
        dfc = -dfc;
        for (int n = 0; n < K; n++) {
            double ng = g[n] * fc, ndg = dg[n] * fc + g[n] * dfc;
            g[n] = ng;
            dg[n] = ndg;
        }
    }
}

/* ZBL universal screening: φ(x) and derivatives; E(r) = φ(r/a)/r and its derivatives. */
static void zbl_e(double r, double a, double *E, double *dE, double *d2E)
{
    static const double c[4] = {0.18175, 0.50986, 0.28022, 0.02817};
    static const double d[4] = {-3.19980, -0.94229, -0.40290, -0.20162};
    double phi = 0, dphi = 0, d2phi = 0, x = r / a;
    for (int k = 0; k < 4; k++) {
        double t = c[k] * exp(d[k] * x);
        phi += t;
        t *= d[k];
        dphi += t;
        t *= d[k];
        d2phi += t;
    }
    *E = 1 / r * phi;
    *dE = (-1 / (r * r)) * phi + 1 / r * dphi / a;
    *d2E = (2 / (r * r * r)) * phi + 2 * (-1 / (r * r)) * dphi / a + (1 / r) * d2phi / (a * a);
}

static void core_zbl(const ace_bond *bd, int zi, int zj, double r, double *cr, double *dcr)
{
    const double K = 14.399645351950543; /* e²/(4πε0), eV·Å */
    double out = bd->rcut, in = bd->rcut - bd->dcut;
    if (r >= out) {
        *cr = *dcr = 0;
        return;
    }
    double a = 0.46850 / (pow(zi, 0.23) + pow(zj, 0.23));
    double E, dE, t, Ec, dEc, d2Ec;
    zbl_e(r, a, &E, &dE, &t);
    zbl_e(out, a, &Ec, &dEc, &d2Ec);
    double dr = out - in;
    double A = (-3 * dEc + dr * d2Ec) / (dr * dr);
    double B = (2 * dEc - dr * d2Ec) / (dr * dr * dr);
    double C = -Ec + 1. / 2 * dr * dEc - 1. / 12 * (dr * dr) * d2Ec;
    double S = C, dS = 0;
    if (r > in) {
        double u = r - in;
        S = A / 3 * u * u * u + B / 4 * u * u * u * u + C;
        dS = A * u * u + B * u * u * u;
    }
    double pre = bd->prehc * K / 2 * zi * zj;
    double c0 = pre * (E + S), dc0 = pre * (dE + dS);
    double fc, dfc;
    ace_fc_poly(r, out, dr, &fc, &dfc);
    *cr = c0 * fc;
    *dcr = dc0 * fc + c0 * dfc;
}

static void core_exp(const ace_bond *bd, int inner, double r, double *cr, double *dcr)
{
    double pre = fabs(bd->prehc), lam = fabs(bd->lambdahc), r2 = r * r, lr2 = lam * r2;
    if (lr2 < 50.0) {
        double y = exp(-lr2);
        double c = pre * y / r, dc = -pre * y * (2.0 * lr2 + 1.0) / r2;
        double x0 = r / bd->rcut;
        double env = 0.5 * (1.0 + cos(ACE_PI * x0)), denv = -0.5 * sin(ACE_PI * x0) * ACE_PI / bd->rcut;
        *dcr = c * denv + dc * env;
        *cr = c * env;
    } else {
        *cr = *dcr = 0;
    }
    if (inner == ACE_INNER_DISTANCE) {
        double fc, dfc;
        ace_fc_poly(r, bd->rcut_in, bd->dcut_in, &fc, &dfc);
        double n = *cr * fc, dn = *dcr * fc + *cr * dfc;
        *cr = n;
        *dcr = dn;
    }
}

void ace_radial_analytic(const ace_basis *b, int mu_i, int mu_j, double r, double *val, double *dval)
{
    const ace_bond *bd = &b->bonds[mu_i * b->nelements + mu_j];
    int K = b->nradbase, L = b->lmax + 1, N = b->nradmax;
    radbase(bd, K, b->inner_type, r, val, dval);
    double *R = val + K, *dR = dval + K;
    for (int n = 0; n < N; n++)
        for (int l = 0; l < L; l++) {
            const double *c = &bd->crad[((size_t)n * L + l) * K];
            double f = 0, df = 0;
            for (int k = 0; k < K; k++) {
                f += c[k] * val[k];
                df += c[k] * dval[k];
            }
            R[n * L + l] = f;
            dR[n * L + l] = df;
        }
    double *cr = val + K + N * L, *dcr = dval + K + N * L;
    if (b->inner_type == ACE_INNER_ZBL)
        core_zbl(bd, b->z[mu_i], b->z[mu_j], r, cr, dcr);
    else
        core_exp(bd, b->inner_type, r, cr, dcr);
}

static void spline_setup(const ace_basis *b, int mu_i, int mu_j, ace_spline *sp)
{
    const ace_bond *bd = &b->bonds[mu_i * b->nelements + mu_j];
    int nf = ace_nf(b);
    sp->nf = nf;
    sp->nlut = (int)(bd->rcut / b->delta_spline);
    sp->rscale = (double)sp->nlut / bd->rcut;
    double inv = 1.0 / sp->rscale;
    sp->c = pcm_calloc((size_t)(sp->nlut + 1) * nf * 4, sizeof(double));
    double *v = pcm_malloc((size_t)nf * sizeof *v), *dv = pcm_malloc((size_t)nf * sizeof *dv);
    double *f1 = pcm_calloc((size_t)nf, sizeof *f1), *f1d = pcm_calloc((size_t)nf, sizeof *f1d);
    for (int n = sp->nlut; n >= 1; n--) {
        ace_radial_analytic(b, mu_i, mu_j, inv * (double)n, v, dv);
        double *c = &sp->c[(size_t)n * nf * 4];
        for (int f = 0; f < nf; f++) {
            double f0 = v[f], f0d = dv[f] * inv;
            c[f] = f0;
            c[nf + f] = f0d;
            c[2 * nf + f] = 3.0 * (f1[f] - f0) - f1d[f] - 2.0 * f0d;
            c[3 * nf + f] = -2.0 * (f1[f] - f0) + f1d[f] + f0d;
            f1[f] = f0;
            f1d[f] = f0d;
        }
    }
    free(v);
    free(dv);
    free(f1);
    free(f1d);
}

void ace_radial_setup(ace_basis *b)
{
    int nel = b->nelements;
    b->splines = pcm_calloc((size_t)nel * nel, sizeof *b->splines);
    for (int i = 0; i < nel; i++)
        for (int j = 0; j < nel; j++)
            spline_setup(b, i, j, &b->splines[i * nel + j]);
}

int ace_spline_eval(const ace_spline *sp, double r, double *val, double *dval)
{
    return ace_k_spline_eval(sp->c, sp->nlut, sp->rscale, sp->nf, r, val, dval);
}
