/* test_fit_basis.c - invariant basis enumeration, basis files, streaming least squares. */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#include "fit_basis.h"
#include "fit_lsq.h"
#include "rng.h"

static int count(int rank, int nr, int lm, int nel)
{
    fit_basis_cfg c;
    fit_basis_cfg_default(&c);
    c.nelem = nel;
    c.rankmax = rank;
    for (int r = 0; r < rank; r++)
        c.nrad[0][r] = c.lmax[0][r] = 0;
    c.nrad[0][rank - 1] = nr;
    c.lmax[0][rank - 1] = lm;
    ace_bspec *s;
    int n = fit_basis_enumerate(&c, 0, &s);
    free(s);
    return n;
}

/* Counts of independent invariants that can be derived by hand. */
static void test_enumeration_counts(void **state)
{
    (void)state;
    assert_int_equal(count(2, 3, 2, 1), 18);  /* pairs n1<=n2, l = l: 6 x 3 */
    assert_int_equal(count(2, 2, 1, 2), 20);  /* factors (mu,n) 4 -> 10 pairs, x 2 l */
    assert_int_equal(count(3, 1, 2, 1), 5);   /* (000) (011) (022) (112) (222) */
    assert_int_equal(count(4, 1, 1, 1), 3);   /* s^4, s^2 v.v, (v.v)^2 */
    assert_int_equal(count(5, 1, 1, 1), 3);   /* s^5, s^3 v.v, s (v.v)^2 */
    assert_int_equal(count(6, 1, 1, 1), 4);   /* + (v.v)^3 */
    /* four vectors of one kind: invariants of degree 4 in (v1, v2): (v1.v1)^2, (v1.v1)(v1.v2),
     * (v1.v1)(v2.v2), (v1.v2)^2, (v1.v2)(v2.v2), (v2.v2)^2 -> with the l=0 multisets counted too */
    int c4 = count(4, 2, 1, 1);
    int scal = 5;                              /* s1/s2 degree-4 monomials: C(5,4) */
    int sv = 3 * 3;                            /* (s s') x (v v'): 3 scalar pairs x 3 vector pairs */
    int vv = 6;
    assert_int_equal(c4, scal + sv + vv);
}

static void test_cfg_file(void **state)
{
    (void)state;
    fit_basis_cfg c;
    fit_basis_cfg_default(&c);
    pcm_err e = {0};
    if (fit_basis_cfg_read("../presets/fit/gst-small.cfg", &c, &e) < 0 &&
        fit_basis_cfg_read("presets/fit/gst-small.cfg", &c, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(c.nelem, 3);
    assert_int_equal(c.rankmax, 3);
    assert_int_equal(c.nradbase, 6);
    assert_true(c.r_in[1] < 0);
    assert_true(fabs(c.rcut[0] - 5.5) < 1e-15 && fabs(c.lambda - 5.25) < 1e-15);
    char tmp[] = "/tmp/pcm_fcfg_XXXXXX";
    int fd = mkstemp(tmp);
    const char *bad = "version = 1;\nelements = [\"Ge\", \"Te\"];\nranks = { nrad = [4, 9]; lmax = [0, 2]; };\n"
                      "pairs = ( { pair = \"Ge-Xx\"; rcut = 5.0; } );\n";
    assert_true(write(fd, bad, strlen(bad)) > 0);
    close(fd);
    fit_basis_cfg_default(&c);
    assert_int_equal(fit_basis_cfg_read(tmp, &c, &e), -1);
    assert_non_null(strstr(e.msg, ":4:"));
    unlink(tmp);
    /* per-element and per-pair choices */
    char tmp2[] = "/tmp/pcm_fcfg2_XXXXXX";
    fd = mkstemp(tmp2);
    const char *good = "version = 1;\nelements = [\"Te\", \"Ge\"];\nradial = { nradbase = 6; };\n"
                       "ranks = { nrad = [6, 2]; lmax = [0, 1]; };\n"
                       "element_overrides = ( { element = \"Te\"; nrad = [4, 3, 1]; lmax = [0, 2, 1]; } );\n"
                       "pairs = ( { pair = \"Te-Ge\"; rcut = 5.0; r_in = 2.6; } );\n"
                       "repulsion = { type = \"distance\"; U0 = 50.0; };\n";
    assert_true(write(fd, good, strlen(good)) > 0);
    close(fd);
    fit_basis_cfg_default(&c);
    if (fit_basis_cfg_read(tmp2, &c, &e) < 0)
        fail_msg("%s", e.msg);
    unlink(tmp2);
    assert_string_equal(c.elements[0], "Ge");   /* sorted as ML-PACE does */
    assert_string_equal(c.elements[1], "Te");
    assert_int_equal(c.rankmax, 3);
    assert_int_equal(c.nrad[1][2], 1);
    assert_int_equal(c.nrad[0][2], 0);          /* Ge keeps the global ranks 1-2 */
    assert_int_equal(c.lmax[1][1], 2);
    assert_true(c.rcut[0 * FIT_MAX_EL + 1] == 5.0 && c.rcut[1 * FIT_MAX_EL + 0] == 5.0 && c.rcut[0] == 5.5);
    assert_true(c.r_in[1] == 2.6 && c.r_in[FIT_MAX_EL] == 2.6 && c.r_in[0] == 1.0);
    assert_string_equal(c.repulsion, "distance");
    assert_true(c.u0 == 50.0 && c.sigma == 5.0);
    ace_bspec *sp;
    int nGe = fit_basis_enumerate(&c, 0, &sp);
    free(sp);
    int nTe = fit_basis_enumerate(&c, 1, &sp);
    for (int i = 0; i < nTe; i++)
        assert_true(sp[i].rank <= 3);
    free(sp);
    assert_true(nTe != nGe);
}

/* The unit-coefficient design basis and the merged weighted potential describe the same
 * C-tilde coefficients: sum_f w_f ctilde_f == merged(w). */
static void test_design_vs_merged(void **state)
{
    (void)state;
    fit_basis_cfg c;
    fit_basis_cfg_default(&c);
    c.rankmax = 4;
    int nr[4] = {4, 2, 2, 1}, lm[4] = {0, 2, 1, 1};
    for (int k = 0; k < 3; k++)
        for (int r = 0; r < 4; r++) {
            c.nrad[k][r] = nr[r];
            c.lmax[k][r] = lm[r];
        }
    for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++)
        c.r_in[q] = 2.4;
    ace_bspec *specs[FIT_MAX_EL];
    int nspec[FIT_MAX_EL];
    ace_cbasis *design = fit_basis_build(&c, specs, nspec);
    pcm_rng seed[1];
    rng_seed(seed, 1234);
    ace_cbasis *merged = ace_cbasis_new(3), *scaled = ace_cbasis_new(3);
    for (int mu = 0; mu < 3; mu++) {
        assert_int_equal(design->nfunc[mu], nspec[mu]);
        double *w = malloc(sizeof(double) * nspec[mu]);
        for (int f = 0; f < nspec[mu]; f++)
            w[f] = rng_uniform(seed) - 0.5;
        assert_int_equal(ace_cbasis_add_bfuncs(merged, specs[mu], w, nspec[mu], 1, 1), 0);
        for (int f = 0; f < nspec[mu]; f++) {
            ace_cfunc g = design->func[mu][f];
            double *ct = malloc(sizeof(double) * (g.nms + 1));
            for (int s = 0; s < g.nms; s++)
                ct[s] = w[f] * g.ctildes[s];
            g.ctildes = ct;
            ace_cbasis_add(scaled, &g);
            free(ct);
        }
        free(w);
        free(specs[mu]);
    }
    int nk;
    double d = ace_cbasis_max_diff(merged, scaled, &nk);
    print_message("design functions: %d %d %d; merged vs scaled max diff %.2g over %d keys\n", nspec[0], nspec[1],
                  nspec[2], d, nk);
    assert_true(nk > 100);
    assert_true(d < 1e-14);
    assert_true(merged->nfunc[0] < design->nfunc[0]);
    ace_cbasis_free(design);
    ace_cbasis_free(merged);
    ace_cbasis_free(scaled);
}

/* Streaming QR least squares: exact recovery, weights, ridge, rank deficiency. */
static void test_lsq(void **state)
{
    (void)state;
    pcm_rng seed[1];
    rng_seed(seed, 9876);
    int n = 12, m = 1000;
    double xt[12], x[12];
    for (int j = 0; j < n; j++)
        xt[j] = rng_uniform(seed) * 4 - 2;
    fit_lsq *q = fit_lsq_new(n);
    for (int r = 0; r < m; r++) {
        double a[12], b = 0;
        for (int j = 0; j < n; j++) {
            a[j] = (rng_uniform(seed) - 0.5) * pow(10.0, j % 5);   /* badly scaled columns */
            b += a[j] * xt[j];
        }
        fit_lsq_add(q, a, b, 0.5 + rng_uniform(seed));
    }
    assert_int_equal(fit_lsq_solve(q, 0.0, 0.0, NULL, x), n);
    for (int j = 0; j < n; j++)
        assert_true(fabs(x[j] - xt[j]) < 1e-10 * fabs(xt[j]) + 1e-12);
    /* ridge shrinks the solution */
    double xr[12];
    fit_lsq_solve(q, 1e8, 0.0, NULL, xr);
    for (int j = 0; j < n; j++)
        assert_true(fabs(xr[j]) < 1e-3 * fabs(x[j]));
    fit_lsq_solve(q, 1e-12, 0.0, NULL, xr);
    for (int j = 0; j < n; j++)
        assert_true(fabs(xr[j] - x[j]) < 1e-6 * fabs(x[j]));
    fit_lsq_free(q);
    /* duplicate column: minimum-norm split, rank n-1 */
    q = fit_lsq_new(3);
    for (int r = 0; r < 50; r++) {
        double u = rng_uniform(seed), v = rng_uniform(seed);
        double a[3] = {u, v, v};
        fit_lsq_add(q, a, 2 * u + 4 * v, 1.0);
    }
    assert_int_equal(fit_lsq_solve(q, 0.0, 0.0, NULL, x), 2);
    assert_true(fabs(x[0] - 2) < 1e-12 && fabs(x[1] - 2) < 1e-12 && fabs(x[2] - 2) < 1e-12);
    fit_lsq_free(q);
    /* an exempt column (the fitter's E0) keeps its large value under a ridge that shrinks it
     * when it is not exempt */
    q = fit_lsq_new(2);
    for (int r = 0; r < 50; r++) {
        double a[2] = {1.0, rng_uniform(seed) - 0.5};
        fit_lsq_add(q, a, -100.0 + 0.1 * a[1], 1.0);
    }
    const char exempt[2] = {1, 0};
    fit_lsq_solve(q, 1e-2, 0.0, exempt, x);
    assert_true(fabs(x[0] + 100.0) < 1e-3);
    fit_lsq_solve(q, 1e-2, 0.0, NULL, x);
    assert_true(fabs(x[0] + 100.0) > 0.1);
    fit_lsq_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enumeration_counts),
        cmocka_unit_test(test_cfg_file),
        cmocka_unit_test(test_design_vs_merged),
        cmocka_unit_test(test_lsq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
