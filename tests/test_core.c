/* test_core.c - cell, extxyz, builders, neighbour lists against brute force. */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#include "build.h"
#include "cli.h"
#include "cell.h"
#include "extxyz.h"
#include "neighbor.h"
#include "rng.h"
#include "system.h"

static void test_cell_inverse(void **st)
{
    (void)st;
    pcm_cell c;
    double h[3][3] = {{5.1, 0.3, -0.2}, {1.1, 6.0, 0.4}, {-0.7, 0.9, 7.3}};
    assert_int_equal(cell_set(&c, h), 0);
    double r[3] = {1.3, -2.2, 9.1}, s[3], r2[3];
    cell_to_frac(&c, r, s);
    cell_to_cart(&c, s, r2);
    for (int k = 0; k < 3; k++)
        assert_true(fabs(r[k] - r2[k]) < 1e-12);
    double sing[3][3] = {{1, 0, 0}, {2, 0, 0}, {0, 0, 1}};
    assert_int_equal(cell_set(&c, sing), -1);
}

/* brute force: all images within range */
static long brute_pairs(const pcm_system *s, double rc, double *sum_r)
{
    double d[3];
    cell_plane_spacings(&s->cell, d);
    int m[3];
    for (int a = 0; a < 3; a++)
        m[a] = (int)ceil(rc / d[a]) + 1;
    long n = 0;
    *sum_r = 0;
    for (int i = 0; i < s->n; i++)
        for (int j = 0; j < s->n; j++)
            for (int a = -m[0]; a <= m[0]; a++)
                for (int b = -m[1]; b <= m[1]; b++)
                    for (int c = -m[2]; c <= m[2]; c++) {
                        if (i == j && !a && !b && !c)
                            continue;
                        double v[3];
                        for (int k = 0; k < 3; k++)
                            v[k] = s->x[j][k] + a * s->cell.h[0][k] + b * s->cell.h[1][k] + c * s->cell.h[2][k] -
                                   s->x[i][k];
                        double r = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                        if (r < rc) {
                            n++;
                            *sum_r += r;
                        }
                    }
    return n;
}

static void check_nl(pcm_system *s, double rc)
{
    pcm_nlist *nl = nl_new(rc, 0.0);
    nl_build(nl, s);
    double sr, sr2 = 0;
    long nb = brute_pairs(s, rc, &sr);
    for (long p = 0; p < nl->npairs; p++)
        sr2 += sqrt(nl->d[p][0] * nl->d[p][0] + nl->d[p][1] * nl->d[p][1] + nl->d[p][2] * nl->d[p][2]);
    assert_int_equal(nl->npairs, nb);
    assert_true(fabs(sr - sr2) < 1e-8 * (1 + sr));
    nl_free(nl);
}

static void test_neighbor_vs_brute(void **st)
{
    (void)st;
    pcm_rng r;
    rng_seed(&r, 7);
    /* tiny triclinic cell, smaller than the cutoff: images of itself */
    double shapes[3][3][3] = {
        {{4.1, 0, 0}, {0, 6.3, 0}, {0, 0, 8.7}},
        {{3.9, 0.4, -0.3}, {1.5, 4.2, 0.2}, {-0.8, 1.1, 5.0}},
        {{12.0, 0, 0}, {3.0, 11.0, 0}, {2.0, -1.0, 13.0}},
    };
    int natoms[3] = {6, 3, 60};
    for (int c = 0; c < 3; c++) {
        pcm_system *s = system_new();
        cell_set(&s->cell, shapes[c]);
        for (int i = 0; i < natoms[c]; i++) {
            double f[3] = {rng_uniform(&r) * 1.3 - 0.15, rng_uniform(&r) * 1.3 - 0.15, rng_uniform(&r)}, x[3];
            cell_to_cart(&s->cell, f, x);
            system_add_atom(s, i % 2 ? "Te" : "Ge", x);
        }
        check_nl(s, 5.5);
        check_nl(s, 2.0);
        system_free(s);
    }
}

static void test_neighbor_skin_update(void **st)
{
    (void)st;
    pcm_err e;
    pcm_system *s = build_liquid(200, 6.0, "Ge2Sb2Te5", 2.3, 3, &e);
    assert_non_null(s);
    pcm_nlist *nl = nl_new(5.5, 1.0);
    nl_build(nl, s);
    build_rattle(s, 0.1, 5); /* moves < skin/2 almost surely: same pairs within rcut */
    assert_int_equal(nl_needs_rebuild(nl, s), 0);
    nl_update(nl, s);
    long within = 0;
    for (long p = 0; p < nl->npairs; p++)
        if (sqrt(nl->d[p][0] * nl->d[p][0] + nl->d[p][1] * nl->d[p][1] + nl->d[p][2] * nl->d[p][2]) < 5.5)
            within++;
    double sr;
    assert_int_equal(within, brute_pairs(s, 5.5, &sr));
    build_rattle(s, 1.0, 6);
    assert_int_equal(nl_needs_rebuild(nl, s), 1);
    nl_free(nl);
    system_free(s);
}

static void test_rocksalt_builder(void **st)
{
    (void)st;
    pcm_err e;
    pcm_system *s = build_rocksalt(3, 6.02, 0.2, 1, &e);
    assert_non_null(s);
    int cnt[PCM_MAX_SPECIES];
    system_composition(s, cnt);
    assert_int_equal(s->n, 194); /* 108 Te + 43 Ge + 43 Sb */
    assert_int_equal(cnt[system_species_id(s, "Te")], 108);
    assert_int_equal(cnt[system_species_id(s, "Ge")], 43);
    assert_int_equal(system_validate(s, 2.9, "rocksalt", &e), 0);
    system_free(s);
    assert_null(build_rocksalt(0, 6.02, 0.2, 1, &e));
    assert_non_null(strstr(e.msg, "--cells"));
}

static void test_liquid_builder(void **st)
{
    (void)st;
    pcm_err e;
    pcm_system *s = build_liquid(90, 6.0, "Ge2Sb2Te5", 2.3, 11, &e);
    assert_non_null(s);
    assert_int_equal(s->n, 90);
    assert_true(fabs(system_density(s) - 6.0) < 1e-9);
    assert_int_equal(system_validate(s, 2.3, "liquid", &e), 0);
    system_free(s);
    assert_null(build_liquid(10, 6.0, "Gx2Te", 2.3, 1, &e));
    assert_non_null(strstr(e.msg, "Gx"));
}

static void test_extxyz_roundtrip(void **st)
{
    (void)st;
    pcm_err e;
    pcm_frame *fr = frame_new();
    system_free(fr->sys);
    fr->sys = build_liquid(30, 6.0, "Ge2Sb2Te5", 2.3, 2, &e);
    pcm_rng r;
    rng_seed(&r, 1);
    for (int i = 0; i < fr->sys->n; i++)
        for (int k = 0; k < 3; k++) {
            fr->sys->v[i][k] = rng_gauss(&r);
            fr->sys->f[i][k] = rng_gauss(&r) * 1e-3;
        }
    fr->sys->energy = -123.456789012345678;
    frame_set(fr, "note", "two words");
    double *q = pcm_malloc(30 * sizeof *q);
    for (int i = 0; i < 30; i++)
        q[i] = i % 2;
    frame_add_col(fr, "crystalline", 'I', 1, q);
    free(q);
    char path[] = "/tmp/pcm_test_xyzXXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(xyz_write_file(path, &fr, 1, XYZ_VEL | XYZ_FORCES | XYZ_ENERGY, &e), 0);
    pcm_frame *g = xyz_read_first(path, &e);
    assert_non_null(g);
    assert_int_equal(g->sys->n, 30);
    assert_true(g->has_velocities && g->has_forces && g->has_energy);
    assert_true(g->sys->energy == fr->sys->energy);
    for (int i = 0; i < 30; i++)
        for (int k = 0; k < 3; k++) {
            assert_true(g->sys->x[i][k] == fr->sys->x[i][k]);
            assert_true(g->sys->v[i][k] == fr->sys->v[i][k]);
        }
    assert_string_equal(frame_get(g, "note"), "two words");
    assert_non_null(frame_col(g, "crystalline", NULL));
    frame_free(g);
    /* malformed: truncated file names its line */
    FILE *fp = fopen(path, "w");
    fputs("3\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3\nGe 0 0 0\nTe 1 1 x\n", fp);
    fclose(fp);
    assert_null(xyz_read_first(path, &e));
    assert_non_null(strstr(e.msg, ":4:"));
    fp = fopen(path, "w");
    fputs("2\nProperties=species:S:1:pos:R:3\nGe 0 0 0\nTe 1 1 1\n", fp);
    fclose(fp);
    assert_null(xyz_read_first(path, &e));
    assert_non_null(strstr(e.msg, "Lattice"));
    unlink(path);
    frame_free(fr);
}

/* The shared option parsers of the batch commands (transport, melting-point): lists of
 * temperatures and T:ps pairs, with the option named in every refusal. */
static void test_cli_temperature_options(void **state)
{
    (void)state;
    double T[3], t = 0, ps = 0;
    int n = -1;
    pcm_err e = {{0}};
    assert_int_equal(cli_temps("--T", "650,750.5,850", T, 3, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_true(T[0] == 650.0 && T[1] == 750.5 && T[2] == 850.0);
    assert_int_not_equal(cli_temps("--T", "650,750,850,950", T, 3, &n, &e), 0);
    assert_non_null(strstr(e.msg, "at most 3"));
    const char *bad[] = {"", "abc", "900,", "900;1000", "0.5", "6000", "900,x"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        e.msg[0] = 0;
        assert_int_not_equal(cli_temps("--T", bad[k], T, 3, &n, &e), 0);
        assert_non_null(strstr(e.msg, "--T"));
    }
    assert_int_equal(cli_temp_time("--premelt", "1500:4", &t, &ps, &e), 0);
    assert_true(t == 1500.0 && ps == 4.0);
    const char *badp[] = {"1500", "1500:", "1500:4x", "-1:4", "1500:0", "1500:2000", "a:b"};
    for (size_t k = 0; k < sizeof badp / sizeof *badp; k++) {
        e.msg[0] = 0;
        assert_int_not_equal(cli_temp_time("--premelt", badp[k], &t, &ps, &e), 0);
        assert_non_null(strstr(e.msg, "--premelt expects T_K:PS"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell_inverse),        cmocka_unit_test(test_neighbor_vs_brute),
        cmocka_unit_test(test_neighbor_skin_update), cmocka_unit_test(test_rocksalt_builder),
        cmocka_unit_test(test_liquid_builder),      cmocka_unit_test(test_extxyz_roundtrip),
        cmocka_unit_test(test_cli_temperature_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
