/* transport.c - MSD, diffusion fit, Green–Kubo viscosity (see transport.h). */
#include "transport.h"

#include <stdlib.h>
#include <string.h>

#include "units.h"

#define GK_PA_S (1e-35 / 1.602176634e-19) /* bar² Å³ fs / eV in Pa·s */

double msd_compute(const pcm_system *s, const double (*x0)[3], const double (*x)[3], double *per_species)
{
    double tot = 0.0, sp[PCM_MAX_SPECIES] = {0};
    int cnt[PCM_MAX_SPECIES] = {0};
    for (int i = 0; i < s->n; i++) {
        double d2 = 0.0;
        for (int k = 0; k < 3; k++)
            d2 += (x[i][k] - x0[i][k]) * (x[i][k] - x0[i][k]);
        tot += d2;
        sp[s->type[i]] += d2;
        cnt[s->type[i]]++;
    }
    if (per_species)
        for (int k = 0; k < s->nspecies; k++)
            per_species[k] = cnt[k] ? sp[k] / cnt[k] : 0.0;
    return s->n > 0 ? tot / s->n : 0.0;
}

double diffusion_fit(const double *t, const double *msd, int n, double t_from)
{
    double st = 0, sm = 0, stt = 0, stm = 0;
    int m = 0;
    for (int k = 0; k < n; k++)
        if (t[k] >= t_from) {
            st += t[k], sm += msd[k], stt += t[k] * t[k], stm += t[k] * msd[k];
            m++;
        }
    double den = m * stt - st * st;
    if (m < 2 || den <= 0.0)
        return -1.0;
    return (m * stm - st * sm) / den / 6.0;
}

pcm_gk *gk_new(double dt_fs, double window_fs, pcm_err *e)
{
    if (!(dt_fs > 0.0) || !(window_fs >= dt_fs) || window_fs / dt_fs > 1e6) {
        pcm_errf(e, "green-kubo", 0, "need sampling interval > 0 and window >= interval (got %g fs, %g fs)", dt_fs,
                 window_fs);
        return NULL;
    }
    pcm_gk *g = pcm_calloc(1, sizeof *g);
    g->dt = dt_fs;
    g->nlag = (int)(window_fs / dt_fs + 0.5);
    g->ring = pcm_calloc((size_t)g->nlag, sizeof *g->ring);
    g->acf_sum = pcm_calloc((size_t)g->nlag, sizeof *g->acf_sum);
    g->acf_n = pcm_calloc((size_t)g->nlag, sizeof *g->acf_n);
    return g;
}

void gk_free(pcm_gk *g)
{
    if (!g)
        return;
    free(g->ring);
    free(g->acf_sum);
    free(g->acf_n);
    free(g);
}

void gk_add(pcm_gk *g, const double p[6])
{
    /* Voigt yz = 3, xz = 4, xy = 5 */
    double cur[3] = {p[5], p[4], p[3]};
    long t = g->nsamples;
    memcpy(g->ring[t % g->nlag], cur, sizeof cur);
    long kmax = t < g->nlag - 1 ? t : g->nlag - 1;
    for (long k = 0; k <= kmax; k++) {
        const double *o = g->ring[(t - k) % g->nlag];
        g->acf_sum[k] += o[0] * cur[0] + o[1] * cur[1] + o[2] * cur[2];
        g->acf_n[k] += 3;
    }
    g->nsamples++;
}

double gk_acf(const pcm_gk *g, int k)
{
    return (k >= 0 && k < g->nlag && g->acf_n[k]) ? g->acf_sum[k] / g->acf_n[k] : 0.0;
}

void gk_eta_running(const pcm_gk *g, double volume, double temperature, double *eta)
{
    double f = temperature > 0.0 ? volume / (PCM_KB * temperature) * GK_PA_S : 0.0, integral = 0.0;
    eta[0] = 0.0;
    for (int k = 0; k + 1 < g->nlag; k++) {
        integral += 0.5 * (gk_acf(g, k) + gk_acf(g, k + 1)) * g->dt;
        eta[k + 1] = f * integral;
    }
}

double gk_viscosity(const pcm_gk *g, double volume, double temperature)
{
    if (g->nsamples < g->nlag || !(temperature > 0.0))
        return 0.0;
    double *eta = pcm_malloc((size_t)g->nlag * sizeof *eta);
    gk_eta_running(g, volume, temperature, eta);
    double v = eta[g->nlag - 1];
    free(eta);
    return v;
}
