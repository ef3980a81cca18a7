/* test_md_ace.c - NVE energy conservation with a reference ACE potential
 * (GeSbTe_synth_zbl.yace on 194-atom GST rocksalt, 600 K): the energy error of velocity
 * Verlet must scale as dt² (1 fs vs 0.5 fs over 60 fs).  Skips without ../shared. */
#include "testutil.h"

#include <math.h>

#include "extxyz.h"
#include "md.h"

static void test_ace_nve(void **st)
{
    (void)st;
    char pot_path[8192], cfg_path[8192];
    ACE_REF_PATH(pot_path, "potentials/GeSbTe_synth_zbl.yace");
    ACE_REF_PATH(cfg_path, "configs/gst_rocksalt_194.xyz");
    pcm_err e = {{0}};
    pcm_potential *pot = potential_load(pot_path, &e);
    if (!pot && strstr(e.msg, "not built in yet")) {
        print_message("[ SKIP ] %s\n", e.msg);
        skip();
    }
    assert_non_null(pot);
    /* Velocity Verlet: the conserved-energy error is O(dt^2).  The synthetic
     * potential has large forces, so check the scaling rather than one bound:
     * halving dt must cut the largest deviation over the same 60 fs about 4x. */
    double emax[2] = {0.0, 0.0};
    pcm_thermo th;
    for (int run = 0; run < 2; run++) {
        pcm_frame *fr = xyz_read_first(cfg_path, &e);
        assert_non_null(fr);
        pcm_md_params p;
        md_params_default(&p);
        p.dt = run == 0 ? 1.0 : 0.5;
        p.ensemble = PCM_NVE;
        pcm_md *md = md_new(fr->sys, pot, &p, &e);
        assert_non_null(md);
        md_init_velocities(md, 600.0, 5);
        int n = fr->sys->n;
        double e0 = md_conserved(md);
        for (int k = 0; k < (run == 0 ? 60 : 120); k++) {
            assert_int_equal(md_step(md, 1, &e), 0);
            emax[run] = fmax(emax[run], fabs(md_conserved(md) - e0) / n);
        }
        md_thermo(md, &th);
        print_message("ACE NVE dt %.1f fs, 60 fs, %d atoms: max |E - E0| = %.2e eV/atom, final T %.1f K\n",
                      p.dt, n, emax[run], th.T);
        assert_true(th.T > 100.0);
        md_free(md);
        frame_free(fr);
    }
    double ratio = emax[0] / emax[1];
    print_message("error ratio dt 1 / dt 0.5 = %.2f (expect ~4)\n", ratio);
    assert_true(emax[0] < 2e-3);
    assert_true(ratio > 3.0 && ratio < 5.5);
    potential_free(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ace_nve)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
