/* test_d2.c - Grimme D2 dispersion: parameters, pair formula, FD forces and virial, tail, sums. */
#include "testutil.h"

#include <math.h>

#include "build.h"
#include "d2.h"
#include "potential.h"
#include "system.h"

static double energy(pcm_potential *p, pcm_system *s)
{
    pcm_err e = {{0}};
    assert_int_equal(potential_eval_once(p, s, &e), 0);
    return s->energy;
}

static void test_d2_parameters_and_dimer(void **st)
{
    (void)st;
    double c6, r0;
    assert_int_equal(d2_params("Ge", &c6, &r0), 1);
    /* Grimme 2006: Ge C6 = 17.10 J nm^6/mol = 177.23 eV Å^6, R0 = 1.727 Å */
    assert_true(fabs(c6 - 177.229) < 0.01);
    assert_true(fabs(r0 - 1.727) < 1e-12);
    assert_int_equal(d2_params("Cu", &c6, &r0), 0);
    double cte, rte;
    d2_params("Te", &cte, &rte);

    pcm_err e = {{0}};
    pcm_potential *p = potential_load("d2", &e);
    assert_non_null(p);
    pcm_system *s = system_new();
    const double L = 60.0, r = 4.5;
    cell_set_ortho(&s->cell, L, L, L);
    double x0[3] = {10, 10, 10}, x1[3] = {10 + r, 10, 10};
    system_add_atom(s, "Ge", x0);
    system_add_atom(s, "Te", x1);
    double E = energy(p, s);
    double c = sqrt(c6 * cte), R = 1.15 * (r0 + rte);
    double f = 1.0 / (1.0 + exp(-20.0 * (r / R - 1.0)));
    double pair = -0.75 * c / pow(r, 6) * f;
    /* tail: Ge-Te counted once per ordered pair with density 1/V */
    double tail = s->energy - pair;
    print_message("Ge-Te dimer at %.1f A: pair %.6g eV, tail %.3g eV\n", r, pair, tail);
    assert_true(fabs(tail) < 1e-4 && tail < 0.0);
    assert_true(fabs(E - tail - pair) < 1e-15);
    /* Newton's third law */
    assert_true(fabs(s->f[0][0] + s->f[1][0]) < 1e-15 && s->f[0][0] > 0.0);
    /* bad species and bad specs */
    s->n = 0;
    system_add_atom(s, "Te", x0);
    int cu = system_species_id(s, "Cu");
    assert_true(cu >= 0);
    system_add_atom(s, "Cu", x1);
    assert_int_equal(potential_bind(p, s, &e), -1);
    assert_non_null(strstr(e.msg, "Cu"));
    assert_null(potential_load("d2:0.75,1.15", &e));
    assert_null(potential_load("d2:0.75,1.15,2", &e));
    potential_free(p);
    system_free(s);
}

static pcm_system *gst_sample(void)
{
    pcm_err e = {{0}};
    pcm_system *s = build_liquid(120, 6.0, "Ge2Sb2Te5", 2.5, 7, &e);
    assert_non_null(s);
    return s;
}

static void test_d2_fd_forces_and_virial(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    /* rc 9 Å > half the box (about 13 Å / 2): periodic images enter the sums too */
    pcm_potential *p = potential_load("d2:0.75,1.15,9", &e);
    assert_non_null(p);
    pcm_system *s = gst_sample();
    energy(p, s);
    pcm_system *t = system_copy(s);
    const double h = 1e-4;
    double maxerr = 0, fbig = 0;
    for (int i = 0; i < s->n; i += 7)
        for (int k = 0; k < 3; k++) {
            memcpy(t->x, s->x, s->n * sizeof *s->x);
            t->x[i][k] += h;
            double ep = energy(p, t);
            t->x[i][k] -= 2 * h;
            double em = energy(p, t);
            double fd = -(ep - em) / (2 * h);
            maxerr = fmax(maxerr, fabs(fd - s->f[i][k]));
            fbig = fmax(fbig, fabs(s->f[i][k]));
        }
    print_message("D2 FD forces: max |F| %.3g eV/A, max error %.3g\n", fbig, maxerr);
    assert_true(fbig > 1e-3);
    assert_true(maxerr < 1e-7);
    /* virial: W_aa = -dE/dε_aa, W_ab = -½ dE/dε_ab (symmetric strain in both slots) */
    for (int c = 0; c < 6; c++) {
        double eps[6] = {0};
        pcm_system *u = system_copy(s);
        eps[c] = h;
        build_strain(u, eps);
        double ep = energy(p, u);
        system_free(u);
        u = system_copy(s);
        eps[c] = -h;
        build_strain(u, eps);
        double em = energy(p, u);
        system_free(u);
        double fd = -(ep - em) / (2 * h) * (c < 3 ? 1.0 : 0.5);
        assert_true(fabs(fd - s->virial[c]) < 1e-6 * (1 + fabs(fd)));
    }
    /* per-atom energies add up */
    double sum = 0;
    for (int i = 0; i < s->n; i++)
        sum += s->pe[i];
    assert_true(fabs(sum - s->energy) < 1e-12);
    system_free(t);
    system_free(s);
    potential_free(p);
}

static void test_d2_tail_converges(void **st)
{
    (void)st;
    /* with the mean-field tail the energy hardly depends on the cutoff */
    pcm_err e = {{0}};
    pcm_system *s = build_liquid(500, 6.0, "Ge2Sb2Te5", 2.5, 3, &e);
    pcm_potential *p8 = potential_load("d2:0.75,1.15,8", &e), *p16 = potential_load("d2:0.75,1.15,16", &e);
    double e8 = energy(p8, s) / s->n, w8 = s->virial[0];
    double e16 = energy(p16, s) / s->n;
    print_message("D2 energy per atom: rc 8: %.5f eV, rc 16: %.5f eV\n", e8, e16);
    assert_true(e16 < -0.05); /* dispersion binds: order 0.1 eV/atom */
    assert_true(fabs(e8 - e16) < 2e-3);
    energy(p8, s);
    assert_true(fabs(s->virial[0] - w8) < 1e-12); /* deterministic */
    potential_free(p8);
    potential_free(p16);
    system_free(s);
}

static void test_sum_potential(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = gst_sample(), *t = system_copy(s);
    pcm_potential *a = potential_load("lj:0.01,2.5,6", &e), *b = potential_load("d2:0.75,1.15,8", &e);
    pcm_potential *sum = potential_load("lj:0.01,2.5,6+d2:0.75,1.15,8", &e);
    assert_non_null(sum);
    assert_true(sum->rcut == 8.0);
    assert_non_null(strstr(sum->path, "+"));
    double ea = energy(a, s);
    double fa = s->f[3][1], wa = s->virial[5];
    double eb = energy(b, s);
    double fb = s->f[3][1], wb = s->virial[5];
    double es = energy(sum, t);
    assert_true(fabs(es - (ea + eb)) < 1e-10);
    assert_true(fabs(t->f[3][1] - (fa + fb)) < 1e-12);
    assert_true(fabs(t->virial[5] - (wa + wb)) < 1e-12);
    assert_null(potential_load("d2+", &e));
    assert_null(potential_load("d2+nonsense", &e));
    potential_free(a);
    potential_free(b);
    potential_free(sum);
    system_free(s);
    system_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_d2_parameters_and_dimer),
        cmocka_unit_test(test_d2_fd_forces_and_virial),
        cmocka_unit_test(test_d2_tail_converges),
        cmocka_unit_test(test_sum_potential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
