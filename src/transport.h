/* transport.h - self-diffusion from the mean-square displacement, viscosity by Green–Kubo.
 *
 * Diffusion (supplement sec. 4): MSD(t) = (1/N) Σ_i |r_i(t) - r_i(0)|² from
 * UNWRAPPED positions (pcmlab never re-wraps s->x during MD, so the positions of
 * a trajectory are unwrapped); in the diffusive regime MSD = 6 D t + c, so D is
 * the least-squares slope / 6.  Units: Å², fs, D in Å²/fs (1 Å²/fs = 0.1 cm²/s).
 *
 * Viscosity (supplement sec. 3, eq. 5):
 *   η = V/(3 k_B T) ∫_0^t' [⟨τxy(0)τxy(t)⟩ + ⟨τxz(0)τxz(t)⟩ + ⟨τyz(0)τyz(t)⟩] dt
 * with τ the off-diagonal pressure tensor.  The accumulator takes the tensor in
 * bar every `dt` fs (e.g. 5 fs), correlates every sample with the following
 * ones up to the window (e.g. 4 ps = 800 lags, the paper's choice), and
 * integrates with the trapezoid rule.  η in Pa·s: V/(k_B T)·∫⟨ττ⟩dt comes out in
 * bar²·Å³·fs/eV = 10^10 Pa² · 10^-30 m³ · 10^-15 s / 1.602176634e-19 J = 6.2415e-17 Pa·s.
 */
#ifndef PCM_TRANSPORT_H
#define PCM_TRANSPORT_H

#include "err.h"
#include "system.h"

/* MSD over all atoms (Å²); per_species[k] (may be NULL) for species k of s
 * (0 when the species has no atoms).  x0 and x are [s->n] unwrapped positions. */
double msd_compute(const pcm_system *s, const double (*x0)[3], const double (*x)[3], double *per_species);

/* Least-squares fit msd = 6 D t + c over the points with t >= t_from (fs);
 * returns D in Å²/fs, or -1 with fewer than 2 such points. */
double diffusion_fit(const double *t, const double *msd, int n, double t_from);

typedef struct pcm_gk {
    double dt;          /* sampling interval, fs */
    int nlag;           /* correlation window in samples (lags 0..nlag-1) */
    double (*ring)[3];  /* [nlag] last samples τxy, τxz, τyz, bar */
    long nsamples;
    double *acf_sum;    /* [nlag] Σ over origins and components of τ(0)τ(t), bar² */
    long *acf_n;        /* [nlag] products summed */
} pcm_gk;

pcm_gk *gk_new(double dt_fs, double window_fs, pcm_err *e);
void gk_free(pcm_gk *g);
/* One sample of the pressure tensor (bar, Voigt xx yy zz yz xz xy). */
void gk_add(pcm_gk *g, const double p_voigt[6]);
/* Mean autocorrelation (bar², averaged over the 3 components) at lag k. */
double gk_acf(const pcm_gk *g, int k);
/* η (Pa·s) from the integral up to the whole window, for volume V (Å³) and
 * temperature T (K); 0 with fewer than nlag samples. */
double gk_viscosity(const pcm_gk *g, double volume, double temperature);
/* The running integral: eta[k] = η (Pa·s) with the integral up to lag k (eta[0] = 0), for
 * the same V and T; eta holds g->nlag values (all 0 when T <= 0). */
void gk_eta_running(const pcm_gk *g, double volume, double temperature, double *eta);

#endif
