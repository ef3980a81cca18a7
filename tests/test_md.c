/* test_md.c - integrator, thermostats, barostat and blow-up handling on a
 * Lennard-Jones argon liquid (ε = 10.4 meV, σ = 3.40 Å, rc = 8.5 Å), 256 atoms. */
#include "testutil.h"

#include <math.h>

#include "md.h"
#include "units.h"

#define AR_EPS 0.0104
#define AR_SIG 3.40
#define AR_RC 8.5

/* NC×NC×NC fcc cells of argon at number density rho (1/Å³): 256 atoms. */
#define NC 4
static pcm_system *ar_fcc(double rho)
{
    pcm_system *s = system_new();
    double a = cbrt(4.0 / rho);
    static const double b[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < NC; i++)
        for (int j = 0; j < NC; j++)
            for (int k = 0; k < NC; k++)
                for (int m = 0; m < 4; m++) {
                    double x[3] = {(i + b[m][0]) * a, (j + b[m][1]) * a, (k + b[m][2]) * a};
                    system_add_atom(s, "Ar", x);
                }
    cell_set_ortho(&s->cell, NC * a, NC * a, NC * a);
    return s;
}

typedef struct {
    pcm_system *s;
    pcm_potential *pot;
    pcm_md *md;
} ar_run;

/* Liquid argon: fcc start, heated, equilibrated with Bussi at T for nequil steps. */
static void ar_liquid(ar_run *r, double rho, double T, double dt, int nequil)
{
    pcm_err e = {{0}};
    r->s = ar_fcc(rho);
    r->pot = lj_potential_new(AR_EPS, AR_SIG, AR_RC);
    pcm_md_params p;
    md_params_default(&p);
    p.dt = dt;
    p.ensemble = PCM_NVT_BUSSI;
    p.T = T;
    p.tau_T = 50.0;
    p.seed = 7;
    r->md = md_new(r->s, r->pot, &p, &e);
    assert_non_null(r->md);
    md_init_velocities(r->md, 2.0 * T, 11);
    assert_int_equal(md_step(r->md, nequil, &e), 0);
}

static void ar_free(ar_run *r)
{
    md_free(r->md);
    potential_free(r->pot);
    system_free(r->s);
}

static void momentum(const pcm_system *s, double p[3])
{
    p[0] = p[1] = p[2] = 0.0;
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++)
            p[k] += system_mass(s, i) * s->v[i][k];
}

static void test_nve_drift_momentum(void **st)
{
    (void)st;
    ar_run r;
    pcm_err e = {{0}};
    ar_liquid(&r, 0.0200, 110.0, 5.0, 400);
    assert_int_equal(md_set_ensemble(r.md, PCM_NVE, &e), 0);
    int n = r.s->n, nblk = 20, per = 50;
    double e0 = md_conserved(r.md), emin = e0, emax = e0;
    for (int b = 0; b < nblk; b++) {
        assert_int_equal(md_step(r.md, per, &e), 0);
        double et = md_conserved(r.md);
        emin = fmin(emin, et), emax = fmax(emax, et);
    }
    double drift = (md_conserved(r.md) - e0) / n;
    double p[3];
    momentum(r.s, p);
    pcm_thermo th;
    md_thermo(r.md, &th);
    print_message("NVE 1000 x 5 fs, T = %.1f K: drift %.2e eV/atom, spread %.2e eV/atom, |p| = %.1e amu Å/fs, "
                  "%ld list builds\n", th.T, drift, (emax - emin) / n, sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]),
                  md_nl_builds(r.md));
    assert_true(th.T > 50.0 && th.T < 200.0);
    assert_true(fabs(drift) < 2e-4);          /* eV/atom over 10 ps; kT = 9.5 meV */
    assert_true((emax - emin) / n < 5e-4);
    for (int k = 0; k < 3; k++)
        assert_true(fabs(p[k]) < 1e-9);
    ar_free(&r);
}

/* Energy fluctuation of velocity Verlet scales as dt². */
static double nve_spread(double dt, int nsteps)
{
    ar_run r;
    pcm_err e = {{0}};
    ar_liquid(&r, 0.0200, 110.0, 4.0, 200);
    md_set_ensemble(r.md, PCM_NVE, &e);
    pcm_system *s0 = system_copy(r.s);
    md_free(r.md);
    pcm_md_params p;
    md_params_default(&p);
    p.dt = dt;
    r.md = md_new(r.s, r.pot, &p, &e);
    double sum = 0, sum2 = 0;
    for (int k = 0; k < nsteps; k++) {
        md_step(r.md, 1, &e);
        double et = md_conserved(r.md);
        sum += et, sum2 += et * et;
    }
    system_free(s0);
    ar_free(&r);
    return sqrt(fmax(sum2 / nsteps - (sum / nsteps) * (sum / nsteps), 0.0));
}

static void test_verlet_dt2(void **st)
{
    (void)st;
    double a = nve_spread(4.0, 150), b = nve_spread(2.0, 300);
    print_message("energy rms dt=4 fs %.3e eV, dt=2 fs %.3e eV, ratio %.2f (dt² → 4)\n", a, b, a / b);
    assert_true(a / b > 3.0 && a / b < 5.5);
}

static void test_reversible(void **st)
{
    (void)st;
    ar_run r;
    pcm_err e = {{0}};
    ar_liquid(&r, 0.0200, 110.0, 5.0, 100);
    md_set_ensemble(r.md, PCM_NVE, &e);
    pcm_system *s0 = system_copy(r.s);
    assert_int_equal(md_step(r.md, 100, &e), 0);
    for (int i = 0; i < r.s->n; i++)
        for (int k = 0; k < 3; k++)
            r.s->v[i][k] = -r.s->v[i][k];
    assert_int_equal(md_step(r.md, 100, &e), 0);
    double dmax = 0;
    for (int i = 0; i < r.s->n; i++)
        for (int k = 0; k < 3; k++)
            dmax = fmax(dmax, fabs(r.s->x[i][k] - s0->x[i][k]));
    print_message("time reversal after 2 x 100 steps: max |dx| = %.2e Å\n", dmax);
    assert_true(dmax < 1e-6);
    system_free(s0);
    ar_free(&r);
}

static void test_bussi_canonical(void **st)
{
    (void)st;
    ar_run r;
    pcm_err e = {{0}};
    double T = 110.0;
    ar_liquid(&r, 0.0200, T, 5.0, 400);
    int dof = md_dof(r.md), ns = 0;
    double sk = 0, sk2 = 0, c0 = md_conserved(r.md);
    for (int k = 0; k < 2000; k++) {
        assert_int_equal(md_step(r.md, 4, &e), 0);
        double K = system_kinetic_energy(r.s);
        sk += K, sk2 += K * K, ns++;
    }
    double mean = sk / ns, var = sk2 / ns - mean * mean;
    double kT = PCM_KB * T, mean_ref = 0.5 * dof * kT, var_ref = 0.5 * dof * kT * kT;
    double drift = (md_conserved(r.md) - c0) / r.s->n;
    print_message("Bussi 8000 x 5 fs at %.0f K: <KE> = %.4f eV (canonical %.4f), var = %.3e eV² (canonical %.3e, "
                  "ratio %.3f), conserved-energy drift %.1e eV/atom\n",
                  T, mean, mean_ref, var, var_ref, var / var_ref, drift);
    assert_true(fabs(mean / mean_ref - 1.0) < 0.01);
    assert_true(fabs(var / var_ref - 1.0) < 0.2);
    assert_true(fabs(drift) < 5e-4);
    ar_free(&r);
}

static void test_langevin_target(void **st)
{
    (void)st;
    ar_run r;
    pcm_err e = {{0}};
    ar_liquid(&r, 0.0200, 60.0, 5.0, 100);
    assert_int_equal(md_set_ensemble(r.md, PCM_NVT_LANGEVIN, &e), 0);
    md_set_temperature(r.md, 130.0);
    md_step(r.md, 600, &e);
    double sT = 0;
    int ns = 0;
    for (int k = 0; k < 200; k++) {
        assert_int_equal(md_step(r.md, 10, &e), 0);
        sT += system_temperature(r.s, md_dof(r.md)), ns++;
    }
    double p[3];
    momentum(r.s, p);
    print_message("Langevin target 130 K: <T> = %.2f K\n", sT / ns);
    assert_true(fabs(sT / ns - 130.0) < 6.0);
    assert_true(fabs(p[0]) + fabs(p[1]) + fabs(p[2]) < 1e-9);
    ar_free(&r);
}

static void npt_run(int zonly, double P0, double *Pmean, double *Pstderr, double *Vmean, ar_run *r)
{
    pcm_err e = {{0}};
    ar_liquid(r, 0.0205, 100.0, 5.0, 200);
    pcm_md_params p = *md_params(r->md);
    md_free(r->md);
    p.compressibility = 3e-4;   /* liquid argon's order of magnitude */
    p.tau_P = 500.0;
    r->md = md_new(r->s, r->pot, &p, &e);
    md_set_pressure(r->md, P0);
    assert_int_equal(md_set_ensemble(r->md, zonly ? PCM_NPT_Z : PCM_NPT_ISO, &e), 0);
    assert_int_equal(md_step(r->md, 1500, &e), 0);
    enum { NB = 10, PER = 50, STRIDE = 5 };
    double bm[NB], sv = 0;
    for (int b = 0; b < NB; b++) {
        double sp = 0;
        for (int k = 0; k < PER; k++) {
            assert_int_equal(md_step(r->md, STRIDE, &e), 0);
            pcm_thermo th;
            md_thermo(r->md, &th);
            if (zonly) {
                double kt[6];
                system_kinetic_tensor(r->s, kt);
                th.P = (kt[2] + r->s->virial[2]) / r->s->cell.volume * PCM_EV_A3_TO_BAR;
            }
            sp += th.P, sv += th.volume;
        }
        bm[b] = sp / PER;
    }
    double m = 0, v = 0;
    for (int b = 0; b < NB; b++)
        m += bm[b] / NB;
    for (int b = 0; b < NB; b++)
        v += (bm[b] - m) * (bm[b] - m) / (NB - 1);
    *Pmean = m, *Pstderr = sqrt(v / NB), *Vmean = sv / (NB * PER);
}

static void test_barostat_iso(void **st)
{
    (void)st;
    ar_run r;
    double P, se, V;
    npt_run(0, 1.0, &P, &se, &V, &r);
    print_message("NPT iso target 1 bar, 100 K: <P> = %.1f ± %.1f bar, <V> = %.0f Å³ (density %.4f g/cm³)\n", P, se,
                  V, system_density(r.s));
    assert_true(fabs(P - 1.0) < 3.0 * se + 10.0);
    assert_true(se < 100.0);
    ar_free(&r);
}

static void test_barostat_z(void **st)
{
    (void)st;
    ar_run r;
    double P, se, V;
    pcm_system *ref = ar_fcc(0.0205);
    npt_run(1, 1.0, &P, &se, &V, &r);
    print_message("NPT P_zz-only target 1 bar: <P_zz> = %.1f ± %.1f bar, Lz %.3f -> %.3f Å\n", P, se,
                  ref->cell.h[2][2], r.s->cell.h[2][2]);
    for (int a = 0; a < 2; a++)
        for (int k = 0; k < 3; k++)
            assert_true(r.s->cell.h[a][k] == ref->cell.h[a][k]);   /* x, y exactly fixed */
    assert_true(r.s->cell.h[2][2] != ref->cell.h[2][2]);
    assert_true(fabs(P - 1.0) < 3.0 * se + 10.0);
    system_free(ref);
    ar_free(&r);
}

/* After a barostat step, the state handed to the next step (whose first half kick uses
 * sys->f) must carry the forces, energy and virial of its own positions and cell.  A
 * large target pressure makes every step rescale the cell by the 1 % volume limit. */
typedef struct {
    pcm_potential *pot;
    double max_df, max_de, max_dw;
    int checked;
} force_check;

static void hook_force_check(pcm_md *md, void *ctx)
{
    force_check *fc = ctx;
    pcm_system *s = md_system(md), *c = system_copy(s);
    pcm_err e = {{0}};
    assert_int_equal(potential_eval_once(fc->pot, c, &e), 0);
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++)
            fc->max_df = fmax(fc->max_df, fabs(c->f[i][k] - s->f[i][k]));
    fc->max_de = fmax(fc->max_de, fabs(c->energy - s->energy) / s->n);
    for (int k = 0; k < 6; k++)
        fc->max_dw = fmax(fc->max_dw, fabs(c->virial[k] - s->virial[k]));
    fc->checked++;
    system_free(c);
}

static void test_barostat_forces_current(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    for (int zonly = 0; zonly < 2; zonly++) {
        ar_run r;
        ar_liquid(&r, 0.0205, 100.0, 5.0, 20);
        assert_int_equal(md_set_ensemble(r.md, zonly ? PCM_NPT_Z : PCM_NPT_ISO, &e), 0);
        md_set_pressure(r.md, 2e5);   /* bar: compresses at the 1 % clamp every step */
        force_check fc = {r.pot, 0, 0, 0, 0};
        md_add_hook(r.md, MD_HOOK_END_STEP, hook_force_check, &fc);
        double V0 = r.s->cell.volume;
        assert_int_equal(md_step(r.md, 10, &e), 0);
        print_message("NPT%s, 10 steps, V %.0f -> %.0f Å³: max |Δf| %.2e eV/Å, |Δe| %.2e eV/atom, |Δw| %.2e eV\n",
                      zonly ? "-z" : "", V0, r.s->cell.volume, fc.max_df, fc.max_de, fc.max_dw);
        assert_int_equal(fc.checked, 10);
        assert_true(r.s->cell.volume < 0.95 * V0);   /* the cell really was rescaled */
        assert_true(fc.max_df < 1e-10);
        assert_true(fc.max_de < 1e-12);
        assert_true(fc.max_dw < 1e-9);
        ar_free(&r);
    }
}

static void test_reproducible_and_blowup(void **st)
{
    (void)st;
    ar_run a, b;
    pcm_err e = {{0}};
    ar_liquid(&a, 0.02, 110.0, 5.0, 300);
    ar_liquid(&b, 0.02, 110.0, 5.0, 300);
    for (int i = 0; i < a.s->n; i++)
        for (int k = 0; k < 3; k++)
            assert_true(a.s->x[i][k] == b.s->x[i][k] && a.s->v[i][k] == b.s->v[i][k]);
    /* blow-up: an enormous time step sends atoms flying */
    pcm_system *s0 = system_copy(a.s);
    a.s->v[5][0] = 3.0;   /* Å/fs: 3e5 m/s, moves 15 Å in one 5 fs step */
    s0->v[5][0] = 3.0;
    assert_int_equal(md_step(a.md, 10, &e), -1);
    print_message("blow-up message: %s\n", e.msg);
    assert_non_null(strstr(e.msg, "blew up"));
    assert_non_null(strstr(e.msg, "atoms lost"));
    for (int i = 0; i < a.s->n; i++)
        for (int k = 0; k < 3; k++)
            assert_true(a.s->x[i][k] == s0->x[i][k] && a.s->v[i][k] == s0->v[i][k]);
    assert_int_equal(a.s->step, s0->step);
    /* temperature runaway */
    md_set_temperature(b.md, 100.0);
    md_set_ensemble(b.md, PCM_NVE, &e);
    for (int i = 0; i < b.s->n; i++)
        for (int k = 0; k < 3; k++)
            b.s->v[i][k] *= 15.0;   /* ~25000 K */
    assert_int_equal(md_step(b.md, 3, &e), -1);
    assert_non_null(strstr(e.msg, "temperature"));
    system_free(s0);
    ar_free(&a);
    ar_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nve_drift_momentum), cmocka_unit_test(test_verlet_dt2),
        cmocka_unit_test(test_reversible),         cmocka_unit_test(test_bussi_canonical),
        cmocka_unit_test(test_langevin_target),    cmocka_unit_test(test_barostat_iso),
        cmocka_unit_test(test_barostat_z),         cmocka_unit_test(test_reproducible_and_blowup),
        cmocka_unit_test(test_barostat_forces_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
