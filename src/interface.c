/* interface.c - growth velocity from N_x(t) and the melting point (interface.h). */
#include "interface.h"

#include <math.h>
#include <stdio.h>

/* Least-squares line through the samples k0..k1-1 with t >= t_from. */
static int line_fit(const double *t, const double *y, int k0, int k1, double t_from, pcm_growth *g, double *span)
{
    double st = 0, sy = 0, m = 0, t0 = INFINITY, t1 = -INFINITY;
    for (int k = k0; k < k1; k++)
        if (t[k] >= t_from)
            st += t[k], sy += y[k], m++, t0 = fmin(t0, t[k]), t1 = fmax(t1, t[k]);
    g->npoints = (int)m;
    if (m < 2)
        return -1;
    double tm = st / m, ym = sy / m, stt = 0, sty = 0;
    for (int k = k0; k < k1; k++)
        if (t[k] >= t_from)
            stt += (t[k] - tm) * (t[k] - tm), sty += (t[k] - tm) * (y[k] - ym);
    if (!(stt > 0))
        return -1;
    g->slope = sty / stt;
    double ss = 0;
    for (int k = k0; k < k1; k++)
        if (t[k] >= t_from) {
            double r = y[k] - (ym + g->slope * (t[k] - tm));
            ss += r * r;
        }
    g->noise = sqrt(ss / m);
    g->slope_se = m > 2 ? sqrt(ss / (m - 2) / stt) : NAN;
    *span = t1 - t0;
    return 0;
}

int iface_saturated(const double *nx, const int *ncross, int n, int k, int natoms, double mono)
{
    int flat = ncross && k > 0 && ncross[k] == 0 && (k + 1 == n || ncross[k + 1] == 0) &&
               fabs(nx[k] - nx[0]) >= mono;
    if (nx[k] < IFACE_MIN_LAYER * mono || (flat && nx[k] < 0.5 * natoms))
        return -1;
    if (nx[k] > natoms - IFACE_MIN_LAYER * mono || (flat && nx[k] > 0.5 * natoms))
        return 1;
    return 0;
}

int iface_growth_fit(const double *t_ps, const double *nx, const int *ncross, int n, double t_from_ps, int natoms,
                     double area, double density, double layer, pcm_growth *g)
{
    *g = (pcm_growth){NAN, NAN, NAN, NAN, NAN, NAN, 0, 0, NAN, 0};
    if (!(area > 0) || !(density > 0) || !(layer > 0))
        return -1;
    double mono = density * area * layer;   /* atoms of one monolayer */
    int ks = -1;
    for (int k = 0; k < n && ks < 0; k++)
        if ((g->saturated = iface_saturated(nx, ncross, n, k, natoms, mono)) != 0)
            ks = k;
    double span = 0;
    int rc;
    if (ks >= 0) {
        g->t_saturated = t_ps[ks];
        g->verdict = g->saturated;
        rc = line_fit(t_ps, nx, 0, ks + 1, 0.1 * t_ps[ks], g, &span);   /* the same 10 % start-up skipped */
        if (rc != 0)
            rc = line_fit(t_ps, nx, 0, ks + 1, -INFINITY, g, &span);
    } else
        rc = line_fit(t_ps, nx, 0, n, t_from_ps, g, &span);
    if (rc != 0)
        return -1;
    g->dn = g->slope * span;
    double per_aps = 1.0 / (2.0 * area * density);   /* Å/ps per (atom/ps) */
    g->v = g->slope * per_aps * 100.0;
    g->v_se = g->slope_se * per_aps * 100.0;
    if (ks < 0 && fabs(g->dn) >= 2.0 * IFACE_MIN_LAYER * mono && fabs(g->slope) > IFACE_SIGMAS * g->slope_se)
        g->verdict = g->slope > 0 ? 1 : -1;
    return 0;
}

void iface_tm_estimate(const pcm_tm_point *p, int n, pcm_tm_estimate *out)
{
    int ilo = -1, ihi = -1;
    for (int k = 0; k < n; k++) {
        if (p[k].verdict > 0 && (ilo < 0 || p[k].T > p[ilo].T))
            ilo = k;
        if (p[k].verdict < 0 && (ihi < 0 || p[k].T < p[ihi].T))
            ihi = k;
    }
    out->lo = ilo >= 0 ? p[ilo].T : NAN;
    out->hi = ihi >= 0 ? p[ihi].T : NAN;
    out->tm = NAN;
    if (ilo < 0 && ihi < 0)
        out->status = TM_UNDECIDED;
    else if (ilo < 0)
        out->status = TM_BELOW;
    else if (ihi < 0)
        out->status = TM_ABOVE;
    else if (!(p[ilo].T < p[ihi].T))
        out->status = TM_INCONSISTENT;
    else {
        out->status = TM_BRACKET;
        double vlo = p[ilo].v, vhi = p[ihi].v;   /* vlo > 0 > vhi by the verdicts */
        out->tm = isfinite(vlo) && isfinite(vhi) && vlo > 0 && vhi < 0
                      ? p[ilo].T + (p[ihi].T - p[ilo].T) * vlo / (vlo - vhi)
                      : 0.5 * (p[ilo].T + p[ihi].T);
    }
}

void iface_tm_text(const pcm_tm_estimate *e, char *buf, int size)
{
    switch (e->status) {
    case TM_BRACKET:
        snprintf(buf, (size_t)size, "T_m = %.0f K (the crystal grows at %g K and melts at %g K)", e->tm, e->lo,
                 e->hi);
        break;
    case TM_ABOVE:
        snprintf(buf, (size_t)size, "T_m is above %g K (the crystal grew there and melted nowhere)", e->lo);
        break;
    case TM_BELOW:
        snprintf(buf, (size_t)size, "T_m is below %g K (the crystal melted there and grew nowhere)", e->hi);
        break;
    case TM_INCONSISTENT:
        snprintf(buf, (size_t)size,
                 "no estimate: the crystal grew at %g K but melted at %g K (longer runs or a larger cell)", e->lo,
                 e->hi);
        break;
    default:
        snprintf(buf, (size_t)size, "no estimate: no run was decided (longer runs)");
    }
}
