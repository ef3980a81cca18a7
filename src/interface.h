/* interface.h - the interface method: crystal growth velocity and the melting point.
 *
 * The paper's supplement, sec. 2: a crystal slab and a liquid slab in contact (two
 * interfaces, normal z, x and y fixed, P_zz = 1 bar); below T_m the crystal grows,
 * above it melts.  The crystalline atom count N_x(t) (ten Wolde q4, crystallinity.h)
 * is fitted by a straight line over t >= t_from, or, when the crystal is gone or fills the
 * box before the end, over the samples from 10 % of that moment to it (all of them when that
 * leaves fewer than two); such a run is decided by that alone.  Gone: fewer than half a monolayer of crystalline atoms left, or no
 * interface left (the crystalline profile along z crosses 1/2 nowhere, two samples in a
 * row, after N_x moved by a monolayer) with less than half the atoms crystalline.  Full: all but half a monolayer
 * crystalline, or no interface left with more than half.  The velocity is
 *
 *   dN_x/dt = slope (atoms/ps),   v = slope / (2 A n_x)   (Å/ps; 1 Å/ps = 100 m/s)
 *
 * with A the interface area (Å²), n_x the crystal's number density (atoms/Å³) and
 * the 2 for the two interfaces.  A run is decided when the fitted change |ΔN_x| over
 * the window is at least half a monolayer (n_x A d/2, d = a/2 the (001) layer
 * spacing, summed over both interfaces: n_x A d) and |slope| > 3 standard errors;
 * the standard error treats the residuals as white noise, which correlated
 * fluctuations make optimistic, hence the monolayer floor.
 *
 * T_m from a set of temperatures: lo = the highest T where the crystal grew, hi =
 * the lowest where it melted.  lo < hi brackets T_m; the estimate is the zero of
 * the straight line through (lo, v_lo) and (hi, v_hi).  No growth anywhere: T_m is
 * below the lowest melting T; no melting: above the highest growing T; lo > hi
 * (growth above a melting T) is inconsistent and no estimate is made.
 */
#ifndef PCM_INTERFACE_H
#define PCM_INTERFACE_H

#define IFACE_SIGMAS 3.0     /* |slope| must exceed this many standard errors */
#define IFACE_MIN_LAYER 0.5  /* and |ΔN_x| this many monolayers per interface */

typedef struct pcm_growth {
    double slope;      /* crystalline atoms per ps (least squares) */
    double slope_se;   /* its standard error, atoms/ps (white-noise residuals) */
    double dn;         /* fitted change of N_x over the window, atoms */
    double noise;      /* rms residual of N_x about the line, atoms */
    double v, v_se;    /* interface velocity and its error, m/s (> 0: the crystal grows) */
    int npoints;       /* samples in the window */
    int saturated;     /* +1 the box crystallized, -1 the crystal vanished, 0 neither */
    double t_saturated;/* ps, when (NAN when neither) */
    int verdict;       /* +1 grows, -1 melts, 0 undecided */
} pcm_growth;

/* Fits n samples (t_ps[k], nx[k]) of a run of natoms atoms; ncross[k] (NULL: not known)
 * the number of interfaces found in sample k.  area Å², density atoms/Å³, layer Å (the
 * layer spacing of the growth direction).  Returns 0, or -1 with fewer than 2 samples in
 * the window or non-positive geometry (then only a saturation decides the verdict). */
int iface_growth_fit(const double *t_ps, const double *nx, const int *ncross, int n, double t_from_ps, int natoms,
                     double area, double density, double layer, pcm_growth *g);

/* The saturation rule above at sample k of n (k + 1 < n: the next sample is looked at too;
 * k + 1 == n: the last sample, a single one without an interface counts); mono = atoms of one
 * monolayer.  +1 the box crystallized, -1 the slab melted, 0 neither. */
int iface_saturated(const double *nx, const int *ncross, int n, int k, int natoms, double mono);

enum { TM_BRACKET, TM_ABOVE, TM_BELOW, TM_UNDECIDED, TM_INCONSISTENT };

typedef struct pcm_tm_point {
    double T;          /* K */
    double v;          /* m/s */
    int verdict;       /* as pcm_growth */
} pcm_tm_point;

typedef struct pcm_tm_estimate {
    int status;        /* TM_* */
    double lo, hi;     /* K: highest growing T, lowest melting T (NAN when none) */
    double tm;         /* K: the estimate (NAN unless TM_BRACKET) */
} pcm_tm_estimate;

void iface_tm_estimate(const pcm_tm_point *p, int n, pcm_tm_estimate *out);
/* One line for the report, e.g. "T_m = 842 K (between 800 and 900 K)". */
void iface_tm_text(const pcm_tm_estimate *e, char *buf, int size);

#endif
