/* test_ace_input.c - .yace reading: a small hand-written potential that needs no
 * ../shared (loads, obeys finite differences, E0 and per-atom sums), and bad input
 * (truncated file, unknown radial basis or embedding, missing keys, wrong array sizes,
 * species the potential lacks) -> one message naming file, line and what was expected. */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#include "ace.h"
#include "potential.h"

/* Two species, ranks 1-3, ChebExpCos, distance-mode core repulsion (lines numbered). */
static const char *tiny_yace =
    "elements: [Ge, Te]\n"                                                                     /* 1 */
    "E0: [0.25, -0.5]\n"                                                                       /* 2 */
    "deltaSplineBins: 0.001\n"                                                                 /* 3 */
    "embeddings:\n"                                                                            /* 4 */
    "  0: {ndensity: 2, FS_parameters: [1, 1, 1, 0.5], npoti: FinnisSinclairShiftedScaled, "
    "rho_core_cutoff: 100000, drho_core_cutoff: 250}\n"                                        /* 5 */
    "  1: {ndensity: 1, FS_parameters: [1, 1], npoti: FinnisSinclair, rho_core_cutoff: 100000, "
    "drho_core_cutoff: 250}\n"                                                                 /* 6 */
    "bonds:\n"                                                                                 /* 7 */
    "  [0, 0]: {nradmax: 2, lmax: 2, nradbasemax: 3, radbasename: ChebExpCos, radparameters: [5.25], "
    "radcoefficients: [[[1, 0.5, 0.1], [0.3, -0.2, 0.2], [0.5, 0.1, -0.3]], [[0.2, 1, 0.1], [0.4, 0.3, 0.2], "
    "[0.1, 0.2, 0.3]]], prehc: 100, lambdahc: 1, rcut: 4.6, dcut: 0.01, rcut_in: 2.3, dcut_in: 0.1, "
    "inner_cutoff_type: distance}\n"                                                           /* 8 */
    "  [0, 1]: {nradmax: 2, lmax: 2, nradbasemax: 3, radbasename: ChebExpCos, radparameters: [5.25], "
    "radcoefficients: [[[0.9, 0.5, 0.1], [0.3, -0.2, 0.2], [0.5, 0.1, -0.3]], [[0.2, 1, 0.1], [0.4, 0.3, 0.2], "
    "[0.1, 0.2, 0.3]]], prehc: 100, lambdahc: 1, rcut: 5.0, dcut: 0.01, rcut_in: 2.3, dcut_in: 0.1, "
    "inner_cutoff_type: distance}\n"                                                           /* 9 */
    "  [1, 0]: {nradmax: 2, lmax: 2, nradbasemax: 3, radbasename: ChebExpCos, radparameters: [5.25], "
    "radcoefficients: [[[0.9, 0.5, 0.1], [0.3, -0.2, 0.2], [0.5, 0.1, -0.3]], [[0.2, 1, 0.1], [0.4, 0.3, 0.2], "
    "[0.1, 0.2, 0.3]]], prehc: 100, lambdahc: 1, rcut: 5.0, dcut: 0.01, rcut_in: 2.3, dcut_in: 0.1, "
    "inner_cutoff_type: distance}\n"                                                           /* 10 */
    "  [1, 1]: {nradmax: 2, lmax: 2, nradbasemax: 3, radbasename: ChebExpCos, radparameters: [5.25], "
    "radcoefficients: [[[1.1, 0.5, 0.1], [0.3, -0.2, 0.2], [0.5, 0.1, -0.3]], [[0.2, 1, 0.1], [0.4, 0.3, 0.2], "
    "[0.1, 0.2, 0.3]]], prehc: 100, lambdahc: 1, rcut: 5.2, dcut: 0.01, rcut_in: 2.3, dcut_in: 0.1, "
    "inner_cutoff_type: distance}\n"                                                           /* 11 */
    "functions:\n"                                                                             /* 12 */
    "  0:\n"                                                                                   /* 13 */
    "    - {mu0: 0, rank: 1, ndensity: 2, num_ms_combs: 1, mus: [1], ns: [2], ls: [0], ms_combs: [0], "
    "ctildes: [0.7, 0.3]}\n"                                                                   /* 14 */
    "    - {mu0: 0, rank: 2, ndensity: 2, num_ms_combs: 2, mus: [0, 1], ns: [1, 2], ls: [1, 1], "
    "ms_combs: [0, 0, 1, -1], ctildes: [0.2, 0.1, -0.4, 0.5]}\n"                               /* 15 */
    "    - {mu0: 0, rank: 3, ndensity: 2, num_ms_combs: 2, mus: [0, 0, 1], ns: [1, 2, 1], ls: [1, 1, 2], "
    "ms_combs: [1, 1, -2, 0, -1, 1], ctildes: [0.3, -0.2, 0.15, 0.4]}\n"                       /* 16 */
    "  1:\n"                                                                                   /* 17 */
    "    - {mu0: 1, rank: 1, ndensity: 1, num_ms_combs: 1, mus: [0], ns: [1], ls: [0], ms_combs: [0], "
    "ctildes: [-0.6]}\n"                                                                       /* 18 */
    "    - {mu0: 1, rank: 3, ndensity: 1, num_ms_combs: 1, mus: [0, 1, 1], ns: [2, 1, 1], ls: [2, 1, 1], "
    "ms_combs: [-2, 1, 1], ctildes: [0.8]}\n";                                                 /* 19 */

static char tmpdir[64];

static int setup(void **st)
{
    (void)st;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pcm_ace_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

/* Write text (with `from` replaced by `to` once, if given; truncated to nbytes if > 0). */
static const char *write_yace(const char *name, const char *from, const char *to, size_t nbytes)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    const char *hit = from ? strstr(tiny_yace, from) : NULL;
    if (from)
        assert_non_null(hit);
    if (hit) {
        fwrite(tiny_yace, 1, hit - tiny_yace, fp);
        fputs(to, fp);
        fputs(hit + strlen(from), fp);
    } else
        fwrite(tiny_yace, 1, nbytes ? nbytes : strlen(tiny_yace), fp);
    fclose(fp);
    return path;
}

static void expect_error(const char *path, const char *line_tag, const char *what)
{
    pcm_err e = {{0}};
    pcm_potential *p = ace_potential_load(path, &e);
    print_message("  -> %s\n", e.msg);
    assert_null(p);
    assert_non_null(strstr(e.msg, path));
    if (line_tag)
        assert_non_null(strstr(e.msg, line_tag));
    assert_non_null(strstr(e.msg, what));
}

static pcm_system *tiny_system(void)
{
    pcm_system *s = system_new();
    cell_set_ortho(&s->cell, 7.0, 7.5, 8.0);
    const double x[6][3] = {{0.1, 0.2, 0.3}, {2.6, 0.4, 0.1}, {0.3, 2.9, 0.5},
                            {1.2, 1.1, 2.7}, {3.9, 3.1, 3.3}, {5.5, 6.4, 7.1}};
    const char *sym[6] = {"Ge", "Te", "Te", "Ge", "Te", "Ge"};
    for (int i = 0; i < 6; i++)
        system_add_atom(s, sym[i], x[i]);
    return s;
}

static void test_tiny_potential(void **st)
{
    (void)st;
    const char *path = write_yace("tiny.yace", NULL, NULL, 0);
    pcm_err e = {{0}};
    pcm_potential *p = potential_load(path, &e);
    if (!p)
        fail_msg("%s", e.msg);
    assert_true(fabs(p->rcut - 5.2) < 1e-15);
    pcm_system *s = tiny_system();
    assert_int_equal(potential_eval_once(p, s, &e), 0);
    double sum = 0;
    for (int i = 0; i < s->n; i++)
        sum += s->pe[i];
    assert_true(fabs(sum - s->energy) < 1e-12 * fmax(1, fabs(sum)));
    /* forces: central differences (spline energy is C1; h small) */
    double err = 0, h = 1e-5, fm = 0;
    pcm_system *t = system_copy(s);
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) {
            double ep, em;
            t->x[i][k] = s->x[i][k] + h;
            potential_eval_once(p, t, &e);
            ep = t->energy;
            t->x[i][k] = s->x[i][k] - h;
            potential_eval_once(p, t, &e);
            em = t->energy;
            t->x[i][k] = s->x[i][k];
            err = fmax(err, fabs(-(ep - em) / (2 * h) - s->f[i][k]));
            fm = fmax(fm, fabs(s->f[i][k]));
        }
    print_message("tiny potential: E = %.10f eV, FD force error %.2e (max |F| %.3g)\n", s->energy, err, fm);
    assert_true(fm > 1e-3); /* the test must exercise something */
    assert_true(err < 1e-6 * fmax(1, fm));
    /* sum of forces vanishes */
    double ft[3] = {0, 0, 0};
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++)
            ft[k] += s->f[i][k];
    assert_true(fabs(ft[0]) + fabs(ft[1]) + fabs(ft[2]) < 1e-10 * fmax(1, fm));
    /* E0 is per atom: changing it shifts the energy by Σ E0 */
    double e_old = s->energy;
    path = write_yace("tiny_e0.yace", "E0: [0.25, -0.5]", "E0: [1.25, -0.5]", 0);
    pcm_potential *p2 = potential_load(path, &e);
    assert_non_null(p2);
    potential_eval_once(p2, s, &e);
    assert_true(fabs(s->energy - e_old - 3 * 1.0) < 1e-10);
    system_free(t);
    system_free(s);
    potential_free(p);
    potential_free(p2);
}

static void test_bad_input(void **st)
{
    (void)st;
    expect_error(write_yace("trunc.yace", NULL, NULL, 1100), ":", "malformed YAML");
    expect_error(write_yace("radbase.yace", "radbasename: ChebExpCos, radparameters: [5.25], radcoefficients: "
                                            "[[[0.9",
                            "radbasename: ChebFoo, radparameters: [5.25], radcoefficients: [[[0.9", 0),
                 ":9:", "unknown radial basis 'ChebFoo'");
    expect_error(write_yace("emb.yace", "npoti: FinnisSinclair,", "npoti: Exponential,", 0), ":6:",
                 "unknown embedding 'Exponential'");
    expect_error(write_yace("e0.yace", "E0: [0.25, -0.5]\n", "", 0), ":1:", "missing key 'E0'");
    expect_error(write_yace("rcut.yace", "rcut: 5.2,", "", 0), ":11:", "missing key 'rcut'");
    expect_error(write_yace("ct.yace", "ctildes: [0.8]", "ctildes: [0.8, 0.1]", 0), ":19:",
                 "'ctildes': expected 1 values, found 2");
    expect_error(write_yace("crad.yace", "[0.1, 0.2, 0.3]]], prehc: 100, lambdahc: 1, rcut: 5.2",
                            "[0.1, 0.2]]], prehc: 100, lambdahc: 1, rcut: 5.2", 0),
                 ":11:", "'radcoefficients': expected 3 values, found 2");
    expect_error(write_yace("ms.yace", "ms_combs: [-2, 1, 1]", "ms_combs: [-3, 1, 1]", 0), ":19:", "out of range");
    expect_error(write_yace("num.yace", "rcut: 5.0,", "rcut: five,", 0), ":9:", "expected a finite number");
    expect_error(write_yace("bond.yace", "  [1, 1]: {", "  [1, 0]: {", 0), ":8:", "no entry for pair [1, 1]");
    pcm_err e = {{0}};
    assert_null(ace_potential_load("/nonexistent/dir/x.yace", &e));
    assert_non_null(strstr(e.msg, "/nonexistent/dir/x.yace"));
}

static void test_missing_species(void **st)
{
    (void)st;
    const char *path = write_yace("tiny2.yace", NULL, NULL, 0);
    pcm_err e = {{0}};
    pcm_potential *p = potential_load(path, &e);
    assert_non_null(p);
    pcm_system *s = tiny_system();
    const double x[3] = {3, 3, 3};
    system_add_atom(s, "Cu", x);
    assert_int_equal(potential_bind(p, s, &e), -1);
    print_message("  -> %s\n", e.msg);
    assert_non_null(strstr(e.msg, "Cu not in potential (elements: Ge Te)"));
    assert_int_equal(potential_eval_once(p, s, &e), -1);
    system_free(s);
    /* two atoms closer than the spline grid spacing: refused, no NaN */
    s = tiny_system();
    s->x[1][0] = s->x[0][0] + 0.0004;
    memcpy(&s->x[1][1], &s->x[0][1], 2 * sizeof(double));
    assert_int_equal(potential_eval_once(p, s, &e), -1);
    print_message("  -> %s\n", e.msg);
    assert_non_null(strstr(e.msg, "closer than the spline grid spacing"));
    system_free(s);
    potential_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_potential),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_missing_species),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
