/* test_md_ace.c - NVE energy conservation with a reference ACE potential
 * (GeSbTe_synth_zbl.yace on 194-atom GST rocksalt, dt 1 fs, 50 steps at 600 K).
 * Skips without ../shared, or while the ACE evaluator is still the placeholder. */
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
    pcm_frame *fr = xyz_read_first(cfg_path, &e);
    assert_non_null(fr);
    pcm_md_params p;
    md_params_default(&p);
    p.dt = 1.0;
    p.ensemble = PCM_NVE;
    pcm_md *md = md_new(fr->sys, pot, &p, &e);
    assert_non_null(md);
    md_init_velocities(md, 600.0, 5);
    int n = fr->sys->n;
    double e0 = md_conserved(md), emax = 0.0;
    for (int k = 0; k < 50; k++) {
        assert_int_equal(md_step(md, 1, &e), 0);
        emax = fmax(emax, fabs(md_conserved(md) - e0) / n);
    }
    pcm_thermo th;
    md_thermo(md, &th);
    print_message("ACE NVE 50 x 1 fs, %d atoms: max |E - E0| = %.2e eV/atom, final T %.1f K\n", n, emax, th.T);
    assert_true(emax < 1e-4);
    assert_true(th.T > 100.0);
    md_free(md);
    frame_free(fr);
    potential_free(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ace_nve)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
