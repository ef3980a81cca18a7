/* test_interface.c - the interface method's growth fit and melting-point estimate. */
#include "testutil.h"

#include <math.h>

#include "interface.h"

/* Geometry of a 2x2 slab of a = 6 Å cells: A = 144 Å², n_x = 0.03 /Å³, d = 3 Å:
 * one monolayer = 12.96 atoms, so a decided run must move by 12.96 atoms. */
#define AREA 144.0
#define DENS 0.03
#define LAYER 3.0

static void test_linear_growth_exact(void **state)
{
    (void)state;
    double t[41], y[41];
    for (int k = 0; k < 41; k++)
        t[k] = 0.5 * k, y[k] = 100.0 + 2.0 * t[k];
    pcm_growth g;
    assert_int_equal(iface_growth_fit(t, y, NULL, 41, 2.0, 400, AREA, DENS, LAYER, &g), 0);
    assert_true(fabs(g.slope - 2.0) < 1e-12);
    assert_true(g.slope_se < 1e-9);
    /* v = 2 atoms/ps / (2 · 144 Å² · 0.03 Å⁻³) = 0.2315 Å/ps = 23.15 m/s */
    assert_true(fabs(g.v - 100.0 * 2.0 / (2.0 * AREA * DENS)) < 1e-9);
    assert_int_equal(g.npoints, 37);   /* t = 2.0 .. 20.0 */
    assert_true(fabs(g.dn - 36.0) < 1e-9);
    assert_int_equal(g.verdict, 1);
    assert_int_equal(g.saturated, 0);
    /* the same falling: melts, with the opposite velocity */
    for (int k = 0; k < 41; k++)
        y[k] = 200.0 - 2.0 * t[k];
    assert_int_equal(iface_growth_fit(t, y, NULL, 41, 2.0, 400, AREA, DENS, LAYER, &g), 0);
    assert_true(fabs(g.v + 100.0 * 2.0 / (2.0 * AREA * DENS)) < 1e-9);
    assert_int_equal(g.verdict, -1);
}

/* Less than a monolayer of net change is undecided however clean the line; noise
 * without a trend is undecided however long the run. */
static void test_undecided(void **state)
{
    (void)state;
    double t[41], y[41];
    for (int k = 0; k < 41; k++)
        t[k] = 0.5 * k, y[k] = 100.0 + 0.5 * t[k];   /* 9 atoms over the window < 12.96 */
    pcm_growth g;
    assert_int_equal(iface_growth_fit(t, y, NULL, 41, 2.0, 400, AREA, DENS, LAYER, &g), 0);
    assert_true(g.slope > 0.49);
    assert_int_equal(g.verdict, 0);
    for (int k = 0; k < 41; k++)
        y[k] = 100.0 + ((k * 7) % 5 - 2) * 4.0;      /* ±8 atoms, no trend */
    assert_int_equal(iface_growth_fit(t, y, NULL, 41, 2.0, 400, AREA, DENS, LAYER, &g), 0);
    assert_true(g.noise > 3.0);
    assert_int_equal(g.verdict, 0);
    /* a big trend buried in noise: the slope must beat 3 standard errors too */
    for (int k = 0; k < 41; k++)
        y[k] = 300.0 + 2.0 * t[k] + (k % 2 ? 100.0 : -100.0);
    assert_int_equal(iface_growth_fit(t, y, NULL, 41, 2.0, 1000, AREA, DENS, LAYER, &g), 0);
    assert_true(fabs(g.dn) >= 12.96);
    assert_true(fabs(g.slope) < 3.0 * g.slope_se);
    assert_int_equal(g.verdict, 0);
}

/* The crystal vanishes at 1 ps: decided by that, the line runs from the start to it. */
static void test_saturation(void **state)
{
    (void)state;
    double t[21], y[21];
    for (int k = 0; k < 21; k++)
        t[k] = 0.25 * k, y[k] = k <= 4 ? 60.0 - 15.0 * k : 0.0;
    pcm_growth g;
    assert_int_equal(iface_growth_fit(t, y, NULL, 21, 0.5, 120, AREA, DENS, LAYER, &g), 0);
    assert_int_equal(g.saturated, -1);
    assert_int_equal(g.verdict, -1);
    assert_true(fabs(g.t_saturated - 1.0) < 1e-12);
    assert_true(fabs(g.slope + 60.0) < 1e-9);   /* 15 atoms per 0.25 ps */
    assert_int_equal(g.npoints, 4);             /* t = 0.25 .. 1.0: the first 10 % left out */
    /* the box fills up: 120 atoms, within half a monolayer (6.5) of full at t = 1.25 ps */
    for (int k = 0; k < 21; k++)
        y[k] = fmin(60.0 + 12.0 * k, 120.0);
    assert_int_equal(iface_growth_fit(t, y, NULL, 21, 0.5, 120, AREA, DENS, LAYER, &g), 0);
    assert_int_equal(g.saturated, 1);
    assert_int_equal(g.verdict, 1);
    assert_true(fabs(g.t_saturated - 1.25) < 1e-12);
    /* no interface left (two samples in a row) decides too: the box crystallized at 80 % */
    int nc[21];
    for (int k = 0; k < 21; k++)
        y[k] = fmin(60.0 + 4.0 * k, 96.0), nc[k] = y[k] < 96.0 ? 2 : 0;
    nc[3] = 0;           /* one sample without a crossing is noise, not the end */
    nc[1] = nc[2] = 0;   /* nor are two before N_x has moved by a monolayer */
    assert_int_equal(iface_growth_fit(t, y, nc, 21, 0.5, 120, AREA, DENS, LAYER, &g), 0);
    assert_int_equal(g.saturated, 1);
    assert_true(fabs(g.t_saturated - 2.25) < 1e-12);   /* y reaches 96 at k = 9 */
    assert_true(fabs(g.slope - 16.0) < 1e-9);           /* 4 atoms per 0.25 ps, the plateau left out */
    assert_int_equal(iface_growth_fit(t, y, NULL, 21, 0.5, 120, AREA, DENS, LAYER, &g), 0);
    assert_int_equal(g.saturated, 0);                   /* without the crossings the plateau is fitted */
    assert_true(g.slope < 10.0);
    /* bad geometry and too few samples */
    assert_int_equal(iface_growth_fit(t, y, NULL, 21, 0.5, 120, 0.0, DENS, LAYER, &g), -1);
    assert_int_equal(g.verdict, 0);
    assert_int_equal(iface_growth_fit(t, y, NULL, 21, 100.0, 400, AREA, DENS, LAYER, &g), -1);
}

static void test_tm_estimate(void **state)
{
    (void)state;
    pcm_tm_point p[5] = {{900, -6, -1}, {700, 10, 1}, {1000, -30, -1}, {800, 2, 1}, {850, 0.5, 0}};
    pcm_tm_estimate e;
    char buf[256];
    iface_tm_estimate(p, 5, &e);
    assert_int_equal(e.status, TM_BRACKET);
    assert_true(e.lo == 800 && e.hi == 900);
    assert_true(fabs(e.tm - 825.0) < 1e-9);   /* zero of the line through (800, 2), (900, -6) */
    iface_tm_text(&e, buf, sizeof buf);
    assert_non_null(strstr(buf, "T_m = 825 K"));
    /* without velocities: the middle of the bracket */
    pcm_tm_point q[2] = {{800, NAN, 1}, {900, NAN, -1}};
    iface_tm_estimate(q, 2, &e);
    assert_true(e.status == TM_BRACKET && fabs(e.tm - 850.0) < 1e-9);
    iface_tm_estimate(p + 1, 1, &e);   /* grows at 700 only */
    assert_int_equal(e.status, TM_ABOVE);
    iface_tm_text(&e, buf, sizeof buf);
    assert_non_null(strstr(buf, "above 700 K"));
    iface_tm_estimate(p, 1, &e);       /* melts at 900 only */
    assert_int_equal(e.status, TM_BELOW);
    assert_true(isnan(e.tm));
    iface_tm_estimate(p + 4, 1, &e);
    assert_int_equal(e.status, TM_UNDECIDED);
    pcm_tm_point r[2] = {{800, -3, -1}, {900, 4, 1}};   /* melts below where it grows */
    iface_tm_estimate(r, 2, &e);
    assert_int_equal(e.status, TM_INCONSISTENT);
    assert_true(isnan(e.tm));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_growth_exact),
        cmocka_unit_test(test_undecided),
        cmocka_unit_test(test_saturation),
        cmocka_unit_test(test_tm_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
