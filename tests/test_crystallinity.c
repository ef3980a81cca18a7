/* test_crystallinity.c - the supplement's crystallinity method and Steinhardt Q4/Q6. */
#include "testutil.h"

#include <math.h>
#include <omp.h>

#include "build.h"
#include "crystallinity.h"
#include "neighbor.h"
#include "rng.h"
#include "system.h"

/* a copy of s without the atoms whose drop[i] is set */
static pcm_system *subset(const pcm_system *s, const unsigned char *drop)
{
    pcm_system *t = system_new();
    t->cell = s->cell;
    for (int k = 0; k < s->nspecies; k++)
        system_species_id(t, s->species[k]);
    for (int i = 0; i < s->n; i++)
        if (!drop[i])
            system_add_atom(t, s->species[s->type[i]], s->x[i]);
    return t;
}

static void rotate(pcm_system *s, const double R[3][3])
{
    double h[3][3];
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++)
            h[a][k] = R[k][0] * s->cell.h[a][0] + R[k][1] * s->cell.h[a][1] + R[k][2] * s->cell.h[a][2];
    cell_set(&s->cell, h);
    for (int i = 0; i < s->n; i++) {
        double y[3];
        for (int k = 0; k < 3; k++)
            y[k] = R[k][0] * s->x[i][0] + R[k][1] * s->x[i][1] + R[k][2] * s->x[i][2];
        memcpy(s->x[i], y, sizeof y);
    }
}

static void random_rotation(double R[3][3], uint64_t seed)
{
    pcm_rng r;
    rng_seed(&r, seed);
    double q[4], n = 0;
    for (int k = 0; k < 4; k++) {
        q[k] = rng_gauss(&r);
        n += q[k] * q[k];
    }
    n = sqrt(n);
    double a = q[0] / n, b = q[1] / n, c = q[2] / n, d = q[3] / n;
    double M[3][3] = {{a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
                      {2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)},
                      {2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d}};
    memcpy(R, M, sizeof M);
}

static void test_ylm_addition_theorem(void **st)
{
    (void)st;
    pcm_rng r;
    rng_seed(&r, 7);
    for (int t = 0; t < 50; t++) {
        double u[3] = {rng_gauss(&r), rng_gauss(&r), rng_gauss(&r)};
        double n = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
        for (int k = 0; k < 3; k++)
            u[k] /= n;
        for (int l = 0; l <= 8; l++) {
            double re[13], im[13], s = 0;
            xtal_ylm(l, u, re, im);
            s = re[0] * re[0] + im[0] * im[0];
            for (int m = 1; m <= l; m++)
                s += 2 * (re[m] * re[m] + im[m] * im[m]);
            assert_true(fabs(s - (2 * l + 1) / (4 * M_PI)) < 1e-12);
        }
    }
    /* closed forms: Y_40(z) = 3/(16 sqrt π)(35-30+3), Y_44(x) = (3/16) sqrt(35/(2π)) */
    double z[3] = {0, 0, 1}, x[3] = {1, 0, 0}, re[5], im[5];
    xtal_ylm(4, z, re, im);
    assert_true(fabs(re[0] - 1.5 / sqrt(M_PI)) < 1e-12);
    xtal_ylm(4, x, re, im);
    assert_true(fabs(re[4] - 3.0 / 16.0 * sqrt(35.0 / (2 * M_PI))) < 1e-12);
    assert_true(fabs(im[4]) < 1e-15);
}

static void test_perfect_rocksalt(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(4, 6.02, 0.0, 1, &e);
    assert_non_null(s);
    unsigned char *fl = malloc(s->n);
    pcm_xtal_summary sum;
    assert_int_equal(xtal_compute(s, NULL, fl, NULL, &sum, &e), 0);
    print_message("perfect rocksalt: %d/%d crystalline, Q4 = %.5f, Q6 = %.5f\n", sum.ncryst, sum.n, sum.Q4, sum.Q6);
    assert_int_equal(sum.ncryst, s->n);
    assert_true(fabs(sum.fraction - 1.0) < 1e-15);
    assert_true(fabs(sum.mean_nn - 6.0) < 1e-12);
    /* ideal octahedral values: Q4 = sqrt(7/12) = 0.76376, Q6 = sqrt(1/8) = 0.35355 */
    assert_true(fabs(sum.Q4 - 0.7638) < 1e-3);
    assert_true(fabs(sum.Q6 - 0.3536) < 1e-3);
    assert_true(fabs(sum.Q4 - sqrt(7.0 / 12.0)) < 1e-12);
    assert_true(fabs(sum.Q6 - sqrt(1.0 / 8.0)) < 1e-12);
    free(fl);
    system_free(s);
}

static void test_fcc_q_values(void **st)
{
    (void)st;
    /* the Te sublattice alone is fcc: Q4 = 0.19094, Q6 = 0.57452 with 12 neighbours at a/√2 */
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(3, 6.02, 0.0, 1, &e);
    unsigned char *drop = calloc(s->n, 1);
    int te = system_species_id(s, "Te");
    for (int i = 0; i < s->n; i++)
        drop[i] = s->type[i] != te;
    pcm_system *f = subset(s, drop);
    pcm_xtal_params p;
    xtal_params_default(&p);
    p.rcut = 5.0;
    pcm_xtal_summary sum;
    assert_int_equal(xtal_compute_ex(f, NULL, &p, NULL, &sum, &e), 0);
    assert_true(fabs(sum.mean_nn - 12.0) < 1e-12);
    assert_true(fabs(sum.Q4 - 0.19094) < 1e-4);
    assert_true(fabs(sum.Q6 - 0.57452) < 1e-4);
    /* at 3.6 Å the fcc sublattice has no neighbours: nothing crystalline, no NaN */
    assert_int_equal(xtal_compute(f, NULL, NULL, NULL, &sum, &e), 0);
    assert_int_equal(sum.ncryst, 0);
    assert_int_equal(sum.nisolated, f->n);
    assert_true(sum.Q4 == 0.0 && sum.Q6 == 0.0);
    free(drop);
    system_free(f);
    system_free(s);
}

static void test_gst_vacancies(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        pcm_system *s = build_rocksalt(6, 6.02, 0.2, seed, &e);
        assert_non_null(s);
        assert_true(s->n >= 1000);
        pcm_xtal_summary sum;
        assert_int_equal(xtal_compute(s, NULL, NULL, NULL, &sum, &e), 0);
        print_message("GST 20%% vacancies seed %d: %d/%d = %.2f %% crystalline, Q4 = %.4f, Q6 = %.4f\n", (int)seed,
                      sum.ncryst, sum.n, 100 * sum.fraction, sum.Q4, sum.Q6);
        assert_true(sum.fraction >= 0.97);
        assert_true(sum.Q4 > 0.70 && sum.Q4 < 0.7639);
        system_free(s);
    }
}

static void test_atom_with_only_vacancy_neighbours(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(5, 6.02, 0.2, 11, &e);
    int te = system_species_id(s, "Te");
    /* empty the octahedron of one Te atom (and of a second one: a lone pair of
     * bare Te cannot connect either) */
    unsigned char *drop = calloc(s->n, 1);
    int victim = -1;
    for (int i = 0; i < s->n && victim < 0; i++)
        if (s->type[i] == te)
            victim = i;
    pcm_nlist *nl = nl_new(3.6, 0.0);
    nl_build(nl, s);
    for (int p = nl->start[victim]; p < nl->start[victim + 1]; p++)
        drop[nl->j[p]] = 1;
    nl_free(nl);
    int new_index = 0;
    for (int i = 0; i < victim; i++)
        new_index += !drop[i];
    pcm_system *t = subset(s, drop);
    int n = t->n;
    unsigned char *fl = malloc(n);
    double *dot = malloc(n * sizeof *dot);
    int *nn = malloc(n * sizeof *nn), *nc = malloc(n * sizeof *nc);
    double *q4l = malloc(n * sizeof *q4l), *q6l = malloc(n * sizeof *q6l);
    pcm_xtal_atoms at = {.flags = fl, .q4dot = dot, .nconn = nc, .nneigh = nn, .q4l = q4l, .q6l = q6l};
    pcm_xtal_summary sum;
    assert_int_equal(xtal_compute_ex(t, NULL, NULL, &at, &sum, &e), 0);
    assert_int_equal(nn[new_index], 0);
    assert_true(q4l[new_index] == 0.0 && q6l[new_index] == 0.0);
    /* Ge and Sb keep full octahedra: local q4, q6 of the ideal environment */
    for (int i = 0; i < n; i++)
        if (strcmp(t->species[t->type[i]], "Te") != 0 && nn[i] == 6) {
            assert_true(fabs(q4l[i] - sqrt(7.0 / 12.0)) < 1e-12);
            assert_true(fabs(q6l[i] - sqrt(1.0 / 8.0)) < 1e-12);
        }
    free(q4l), free(q6l);
    assert_int_equal(nc[new_index], 0);
    assert_int_equal(fl[new_index], 0);
    assert_true(dot[new_index] == 0.0);
    for (int i = 0; i < n; i++)
        assert_true(isfinite(dot[i]));
    assert_true(isfinite(sum.Q4) && isfinite(sum.Q6));
    assert_true(sum.nisolated >= 1);
    assert_true(sum.fraction >= 0.95);
    free(fl), free(dot), free(nn), free(nc), free(drop);
    system_free(t);
    system_free(s);
}

static void test_liquid_not_crystalline(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    for (uint64_t seed = 1; seed <= 2; seed++) {
        pcm_system *s = build_liquid(900, 6.0, "Ge2Sb2Te5", 2.3, seed, &e);
        assert_non_null(s);
        pcm_xtal_summary sum;
        assert_int_equal(xtal_compute(s, NULL, NULL, NULL, &sum, &e), 0);
        print_message("random liquid seed %d: %d/%d = %.2f %% crystalline (raw %d), Q4 = %.4f, Q6 = %.4f\n", (int)seed,
                      sum.ncryst, sum.n, 100 * sum.fraction, sum.ncryst_raw, sum.Q4, sum.Q6);
        assert_true(sum.fraction < 0.01);
        assert_true(sum.Q4 < 0.1 && sum.Q6 < 0.1);
        system_free(s);
    }
}

static void test_rotation_and_threads(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(5, 6.02, 0.2, 5, &e);
    build_rattle(s, 0.25, 9); /* strong enough that some atoms are borderline */
    int n = s->n;
    unsigned char *f0 = malloc(n), *f1 = malloc(n), *f2 = malloc(n);
    double *d0 = malloc(n * sizeof *d0), *d1 = malloc(n * sizeof *d1), *d2 = malloc(n * sizeof *d2);
    pcm_xtal_summary a, b, c;
    int nt = omp_get_max_threads();
    omp_set_num_threads(1);
    assert_int_equal(xtal_compute(s, NULL, f0, d0, &a, &e), 0);
    omp_set_num_threads(nt > 1 ? nt : 2);
    assert_int_equal(xtal_compute(s, NULL, f2, d2, &c, &e), 0);
    omp_set_num_threads(nt);
    assert_memory_equal(f0, f2, n);
    assert_memory_equal(d0, d2, n * sizeof *d0);
    long h1[XTAL_DOT_BINS] = {0}, h2[XTAL_DOT_BINS] = {0}, np = 0;
    int *nn = malloc(n * sizeof *nn);
    pcm_xtal_atoms at1 = {.dot_hist = h1, .nneigh = nn}, at2 = {.dot_hist = h2};
    omp_set_num_threads(1);
    xtal_compute_ex(s, NULL, NULL, &at1, &c, &e);
    omp_set_num_threads(nt > 1 ? nt : 2);
    xtal_compute_ex(s, NULL, NULL, &at2, &c, &e);
    omp_set_num_threads(nt);
    assert_memory_equal(h1, h2, sizeof h1);
    for (int i = 0; i < n; i++)
        np -= nn[i];
    for (int b = 0; b < XTAL_DOT_BINS; b++)
        np += h1[b];
    assert_true(np == 0);
    assert_true(h1[XTAL_DOT_BINS - 1] > h1[XTAL_DOT_BINS / 2]); /* a crystal: mostly near 1 */
    free(nn);
    assert_true(a.Q4 == c.Q4 && a.Q6 == c.Q6);
    print_message("rattled 0.25 A: %.2f %% crystalline\n", 100 * a.fraction);
    assert_true(a.ncryst > 0 && a.ncryst < n); /* borderline atoms exist, so the check can bite */
    double R[3][3];
    random_rotation(R, 3);
    rotate(s, R);
    assert_int_equal(xtal_compute(s, NULL, f1, d1, &b, &e), 0);
    int ndiff = 0;
    for (int i = 0; i < n; i++) {
        ndiff += f0[i] != f1[i];
        assert_true(fabs(d0[i] - d1[i]) < 1e-9);
    }
    assert_int_equal(ndiff, 0);
    assert_true(fabs(a.Q4 - b.Q4) < 1e-10 && fabs(a.Q6 - b.Q6) < 1e-10);
    free(f0), free(f1), free(f2), free(d0), free(d1), free(d2);
    system_free(s);
}

static void test_rattled_crystal(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(6, 6.02, 0.2, 2, &e);
    build_rattle(s, 0.1, 4);
    pcm_xtal_summary sum;
    assert_int_equal(xtal_compute(s, NULL, NULL, NULL, &sum, &e), 0);
    print_message("GST rattled 0.1 A: %.2f %% crystalline, Q4 = %.4f, Q6 = %.4f\n", 100 * sum.fraction, sum.Q4,
                  sum.Q6);
    assert_true(sum.fraction > 0.9);
    system_free(s);
}

static void test_lone_atom_removed(void **st)
{
    (void)st;
    /* an isolated octahedron: the centre has 6 neighbours whose single-bond q4
     * (pure Y_40 along the bond) overlaps the octahedral q4 by sqrt(7/12) = 0.764 > ξ,
     * so the centre has 6 connections; the outer atoms have 1 each.  The centre
     * alone is "crystalline" before, and not after, the lone-atom removal. */
    pcm_system *s = system_new();
    cell_set_ortho(&s->cell, 20, 20, 20);
    double c[3] = {10, 10, 10};
    system_add_atom(s, "Ge", c);
    for (int k = 0; k < 6; k++) {
        double x[3] = {10, 10, 10};
        x[k / 2] += k % 2 ? -3.0 : 3.0;
        system_add_atom(s, "Te", x);
    }
    int nc[7];
    double dot[7];
    unsigned char fl[7];
    pcm_xtal_atoms at = {.flags = fl, .q4dot = dot, .nconn = nc};
    pcm_xtal_summary sum;
    pcm_err e = {{0}};
    assert_int_equal(xtal_compute_ex(s, NULL, NULL, &at, &sum, &e), 0);
    assert_int_equal(nc[0], 6);
    for (int k = 1; k < 7; k++) {
        assert_int_equal(nc[k], 1);
        assert_true(fabs(dot[k] - sqrt(7.0 / 12.0)) < 1e-12);
    }
    assert_int_equal(sum.ncryst_raw, 1);
    assert_int_equal(sum.ncryst, 0);
    pcm_xtal_params p;
    xtal_params_default(&p);
    p.keep_lone = 1;
    assert_int_equal(xtal_compute_ex(s, NULL, &p, &at, &sum, &e), 0);
    assert_int_equal(sum.ncryst, 1);
    assert_int_equal(fl[0], 1);
    system_free(s);
}

static void test_profile_interfaces(void **st)
{
    (void)st;
    /* half crystal (z < L/2) / half random: two interfaces, near z = 0 and L/2 */
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(6, 6.02, 0.2, 1, &e);
    double L = s->cell.h[2][2];
    pcm_rng r;
    rng_seed(&r, 4);
    for (int i = 0; i < s->n; i++)
        if (s->x[i][2] > 0.5 * L + 0.5) {
            s->x[i][0] = L * rng_uniform(&r);
            s->x[i][1] = L * rng_uniform(&r);
            s->x[i][2] = 0.5 * L + 0.5 + (0.5 * L - 1.0) * rng_uniform(&r);
        }
    unsigned char *fl = malloc(s->n);
    pcm_xtal_summary sum;
    assert_int_equal(xtal_compute(s, NULL, fl, NULL, &sum, &e), 0);
    double prof[8], pos[4];
    int cnt[8], tot = 0;
    xtal_profile(s, fl, 2, 8, prof, cnt);
    for (int b = 0; b < 8; b++)
        tot += cnt[b];
    assert_int_equal(tot, s->n);
    assert_true(prof[1] > 0.95 && prof[2] > 0.95); /* inside the crystal */
    assert_true(prof[5] < 0.05 && prof[6] < 0.05); /* inside the random half */
    int nc = xtal_profile_crossings(prof, 8, pos, 4);
    assert_int_equal(nc, 2);
    print_message("interfaces at %.3f and %.3f of L\n", pos[0], pos[1]);
    assert_true(fabs(pos[0] - 0.5) < 0.1);
    assert_true(pos[1] > 0.9 || pos[1] < 0.1);
    free(fl);
    system_free(s);
}

static void test_external_list(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(4, 6.02, 0.2, 8, &e);
    build_rattle(s, 0.2, 1);
    int n = s->n;
    unsigned char *f0 = malloc(n), *f1 = malloc(n);
    pcm_xtal_summary a, b;
    assert_int_equal(xtal_compute(s, NULL, f0, NULL, &a, &e), 0);
    pcm_nlist *nl = nl_new(5.5, 1.0); /* e.g. the ACE list */
    nl_build(nl, s);
    assert_int_equal(xtal_compute(s, nl, f1, NULL, &b, &e), 0);
    assert_memory_equal(f0, f1, n);
    assert_true(fabs(a.Q4 - b.Q4) < 1e-12 && fabs(a.Q6 - b.Q6) < 1e-12);
    /* atoms moved after the build: displacements come from the current positions */
    build_rattle(s, 0.05, 2);
    assert_int_equal(xtal_compute(s, NULL, f0, NULL, &a, &e), 0);
    assert_int_equal(xtal_compute(s, nl, f1, NULL, &b, &e), 0);
    assert_memory_equal(f0, f1, n);
    assert_true(fabs(a.Q4 - b.Q4) < 1e-12);
    nl_free(nl);
    /* empty system: an error, not a crash */
    pcm_system *z = system_new();
    assert_int_equal(xtal_compute(z, NULL, NULL, NULL, &a, &e), -1);
    assert_non_null(strstr(e.msg, "empty"));
    system_free(z);
    free(f0), free(f1);
    system_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ylm_addition_theorem),
        cmocka_unit_test(test_perfect_rocksalt),
        cmocka_unit_test(test_fcc_q_values),
        cmocka_unit_test(test_gst_vacancies),
        cmocka_unit_test(test_atom_with_only_vacancy_neighbours),
        cmocka_unit_test(test_liquid_not_crystalline),
        cmocka_unit_test(test_rotation_and_threads),
        cmocka_unit_test(test_rattled_crystal),
        cmocka_unit_test(test_lone_atom_removed),
        cmocka_unit_test(test_profile_interfaces),
        cmocka_unit_test(test_external_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
