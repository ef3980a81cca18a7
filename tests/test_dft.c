/* test_dft.c - CP2K output parsing (real outputs), unit conversions and signs, input
 * generation for a triclinic cell, settings files, and the new structure builders. */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#include "build_phases.h"
#include "cell.h"
#include "dft_cp2k.h"
#include "extxyz.h"
#include "fileio.h"
#include "units.h"

#define FIX "tests/fixtures/cp2k/"

/* cmocka's assert_float_equal works in single precision: compare doubles here */
#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b);                                                               \
        if (!(fabs(a_ - b_) <= (tol)))                                                           \
            fail_msg("%s = %.15g, expected %.15g (tol %g)", #a, a_, b_, (double)(tol));         \
    } while (0)

static char *slurp(const char *path)
{
    pcm_err e = {{0}};
    char *t = read_file(path, NULL, &e);
    if (!t)
        fail_msg("%s", e.msg);
    return t;
}

static void test_parse_converged(void **st)
{
    (void)st;
    char *t = slurp(FIX "gete2-converged.out");
    dft_result r;
    pcm_err e = {{0}};
    assert_int_equal(dft_parse_output(t, &r, &e), 0);
    assert_true(r.converged);
    assert_false(r.not_converged);
    assert_int_equal(r.scf_steps, 9);
    assert_true(r.has_energy && r.has_forces && r.has_stress);
    assert_close(r.energy_ha, -11.743063909886361, 1e-12);
    assert_int_equal(r.n, 2);
    assert_close(r.f_au[0][0], -0.01123330, 1e-12);
    assert_close(r.f_au[1][2], 0.00437176, 1e-12);
    assert_close(r.stress_gpa[0][0], 51.4529391189, 1e-9);
    assert_close(r.stress_gpa[0][1], 0.0813701447886, 1e-12);
    assert_close(r.stress_gpa[2][2], 50.3274975479, 1e-9);
    assert_string_equal(r.version, "CP2K version 2023.1");
    dft_result_free(&r);
    free(t);
}

static void test_parse_not_converged_rejected(void **st)
{
    (void)st;
    char *t = slurp(FIX "gete2-not-converged.out");
    dft_result r;
    pcm_err e = {{0}};
    assert_int_equal(dft_parse_output(t, &r, &e), 0);
    assert_true(r.not_converged);
    assert_false(r.converged);
    /* CP2K prints energy and forces anyway: they must not become a label */
    assert_true(r.has_energy && r.has_forces);
    pcm_frame *fr = xyz_read_first(FIX "gete2.extxyz", &e);
    assert_non_null(fr);
    fr->sys->energy = 123.0;
    assert_int_equal(dft_result_apply(&r, fr->sys, &e), -1);
    assert_non_null(strstr(e.msg, "not converged"));
    assert_close(fr->sys->energy, 123.0, 0);
    frame_free(fr);
    dft_result_free(&r);
    free(t);
}

static void test_units_and_signs(void **st)
{
    (void)st;
    char *t = slurp(FIX "gete2-converged.out");
    dft_result r;
    pcm_err e = {{0}};
    dft_parse_output(t, &r, &e);
    pcm_frame *fr = xyz_read_first(FIX "gete2.extxyz", &e);
    assert_non_null(fr);
    pcm_system *s = fr->sys;
    assert_int_equal(dft_result_apply(&r, s, &e), 0);
    /* CODATA 2018: 1 Ha = 27.211386245988 eV, 1 Ha/bohr = 51.422067476 eV/Å
     * (../shared/dft's 51.42208619 is CODATA 2014, 4e-7 relative away) */
    assert_close(s->energy, -11.743063909886361 * 27.211386245988, 1e-9);
    assert_close(s->f[0][0] / -0.01123330, 51.422067476, 1e-8);
    /* virial from a known stress: σ = 1 GPa (compressive) on V = 160.21766208 Å³ is W = +1 eV */
    double sig[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, w[6];
    dft_stress_to_virial(sig, 160.21766208, w);
    for (int a = 0; a < 3; a++)
        assert_close(w[a], 1.0, 1e-12);
    double shear[3][3] = {{0, 2, 0}, {2, 0, 3}, {0, 3, 0}};
    dft_stress_to_virial(shear, 160.21766208, w);
    assert_close(w[3], 3.0, 1e-12);   /* yz */
    assert_close(w[4], 0.0, 1e-12);   /* xz */
    assert_close(w[5], 2.0, 1e-12);   /* xy */
    /* sign: CP2K's positive (compressive) stress is a positive pressure in pcmlab, and
     * 1 GPa = 10^4 bar: P = tr(W)/3V with atoms at rest */
    for (int i = 0; i < s->n; i++)
        s->v[i][0] = s->v[i][1] = s->v[i][2] = 0.0;
    double p_gpa = (r.stress_gpa[0][0] + r.stress_gpa[1][1] + r.stress_gpa[2][2]) / 3.0;
    assert_true(p_gpa > 0);
    assert_close(system_pressure(s), p_gpa * 1e4, 1e-6 * fabs(p_gpa * 1e4));
    /* two atoms: Newton's third law holds to the printed precision */
    for (int a = 0; a < 3; a++)
        assert_true(fabs(s->f[0][a] + s->f[1][a]) < 0.002);
    frame_free(fr);
    dft_result_free(&r);
    free(t);
}

static int file_has(const char *text, const char *needle)
{
    return strstr(text, needle) != NULL;
}

static void test_input_triclinic(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    dft_settings set;
    dft_settings_default(&set);
    assert_int_equal(dft_settings_load(&set, FIX "tiny.cfg", &e), 0);
    pcm_frame *fr = xyz_read_first(FIX "gete2.extxyz", &e);
    assert_non_null(fr);
    assert_false(cell_is_orthorhombic(&fr->sys->cell));
    char path[] = "/tmp/pcm_test_dft_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(dft_write_input(&set, fr->sys, 0, path, &e), 0);
    char *t = slurp(path);
    assert_true(file_has(t, "      A [angstrom] 0.0000000000 3.0000000000 3.0000000000\n"));
    assert_true(file_has(t, "      B [angstrom] 3.0000000000 0.0000000000 3.0000000000\n"));
    assert_true(file_has(t, "      C [angstrom] 3.0000000000 3.0000000000 0.0000000000\n"));
    assert_true(file_has(t, "      Ge  0.0500000000 -0.0300000000 0.0200000000\n"));
    assert_true(file_has(t, "    &KIND Te\n      BASIS_SET DZVP-MOLOPT-SR-GTH\n      POTENTIAL GTH-PBE-q6\n"));
    assert_true(file_has(t, "PARAMETRIZATION PBESOL"));
    assert_false(file_has(t, "VDW_POTENTIAL"));
    assert_false(file_has(t, "KPOINTS"));
    assert_true(file_has(t, "CUTOFF 80\n"));
    assert_true(file_has(t, "ELECTRONIC_TEMPERATURE [K] 1000\n"));
    assert_true(file_has(t, "ALPHA 0.2\n"));
    assert_true(file_has(t, "STRESS_TENSOR ANALYTICAL"));
    free(t);
    /* the retry uses safer mixing; D3 and k-points appear when asked for */
    strcpy(set.dispersion, "D3");
    set.kpoints[0] = set.kpoints[1] = set.kpoints[2] = 2;
    assert_int_equal(dft_write_input(&set, fr->sys, 1, path, &e), 0);
    t = slurp(path);
    assert_true(file_has(t, "ALPHA 0.05\n"));
    assert_true(file_has(t, "MAX_SCF 400\n"));
    assert_true(file_has(t, "TYPE DFTD3\n          REFERENCE_FUNCTIONAL PBEsol"));
    assert_true(file_has(t, "SCHEME MONKHORST-PACK 2 2 2"));
    free(t);
    /* per-element basis override */
    set.nbases = 1;
    strcpy(set.basis_el[0], "Te");
    strcpy(set.bases[0], "TZVP-MOLOPT-PBE-GTH-q6");
    assert_int_equal(dft_write_input(&set, fr->sys, 0, path, &e), 0);
    t = slurp(path);
    assert_true(file_has(t, "    &KIND Te\n      BASIS_SET TZVP-MOLOPT-PBE-GTH-q6\n"));
    assert_true(file_has(t, "    &KIND Ge\n      BASIS_SET DZVP-MOLOPT-SR-GTH\n"));
    free(t);
    /* an element without a pseudopotential is refused */
    set.npseudo = 1;
    assert_int_equal(dft_write_input(&set, fr->sys, 0, path, &e), -1);
    assert_non_null(strstr(e.msg, "no pseudopotential"));
    unlink(path);
    frame_free(fr);
}

static void test_settings_files(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    dft_settings s;
    dft_settings_default(&s);
    assert_int_equal(dft_settings_load(&s, "presets/dft/gst-pbesol.cfg", &e), 0);
    assert_string_equal(s.functional, "PBEsol");
    assert_string_equal(s.dispersion, "none");
    assert_close(s.cutoff, 150.0, 0);
    assert_string_equal(dft_pseudo_for(&s, "Sb"), "GTH-PBE-q5");
    assert_string_equal(dft_basis_for(&s, "Sb"), "TZVP-MOLOPT-PBE-GTH-q5");
    assert_string_equal(s.basis_file, "BASIS_MOLOPT_UZH");
    dft_settings_default(&s);
    assert_int_equal(dft_settings_load(&s, "presets/dft/gst-pbesol-dzvp-v1.cfg", &e), 0);
    assert_string_equal(dft_basis_for(&s, "Sb"), "DZVP-MOLOPT-SR-GTH");
    assert_int_equal(dft_pseudo_valence("GTH-PBE-q6"), 6);
    char path[] = "/tmp/pcm_test_dftcfg_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char bad[] = "version = 1;\ncutoff = 150;\ncutof = 200;\n";
    assert_int_equal(write(fd, bad, sizeof bad - 1), (int)(sizeof bad - 1));
    close(fd);
    dft_settings_default(&s);
    assert_int_equal(dft_settings_load(&s, path, &e), -1);
    assert_non_null(strstr(e.msg, ":3:"));
    assert_non_null(strstr(e.msg, "unknown setting 'cutof'"));
    unlink(path);
}

/* smallest interatomic distance (minimum image) */
static double min_dist(const pcm_system *s)
{
    double m = 1e9;
    for (int i = 0; i < s->n; i++)
        for (int j = i + 1; j < s->n; j++) {
            double d[3] = {s->x[i][0] - s->x[j][0], s->x[i][1] - s->x[j][1], s->x[i][2] - s->x[j][2]};
            cell_min_image(&s->cell, d);
            m = fmin(m, sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]));
        }
    return m;
}

static void test_phases(void **st)
{
    (void)st;
    /* name, atoms, nearest-neighbour distance (Å) from the lattice data, density g/cm³ */
    static const struct {
        const char *name;
        int n;
        double nn, rho;
    } want[] = {{"ge", 64, 2.4500, 5.32},  {"gete", 54, 2.84, 6.21},        {"sb2te3", 60, 2.98, 6.50},
                {"sb", 48, 2.91, 6.70},    {"te", 48, 2.83, 6.24},          {"gst-hex-kooi", 72, 3.03, 6.43},
                {"gst-hex-petrov", 72, 3.03, 6.43}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        pcm_err e = {{0}};
        pcm_system *s = build_phase(want[k].name, 1.0, &e);
        assert_non_null(s);
        assert_int_equal(s->n, want[k].n);
        double d = min_dist(s);
        if (fabs(d - want[k].nn) > 0.03 || fabs(system_density(s) - want[k].rho) > 0.03)
            fail_msg("%s: nn %.4f (want %.3f), density %.4f (want %.2f)", want[k].name, d, want[k].nn,
                     system_density(s), want[k].rho);
        system_free(s);
    }
    pcm_err e = {{0}};
    pcm_system *s = build_phase("gst-hex-kooi", 1.0, &e);
    int c[PCM_MAX_SPECIES] = {0};
    system_composition(s, c);
    assert_int_equal(c[system_species_id(s, "Ge")], 16);
    assert_int_equal(c[system_species_id(s, "Sb")], 16);
    assert_int_equal(c[system_species_id(s, "Te")], 40);
    system_free(s);
    assert_null(build_phase("nacl", 1.0, &e));
}

static void test_rocksalt_vacancy_planes(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    const double a = 6.0;
    for (int arr = 0; arr < 2; arr++) {
        int same = 0;
        for (uint64_t seed = 1; seed <= 10; seed++) {
            pcm_system *s = build_rocksalt_box(2, 2, 2, a, 0.2, arr, seed, &e);
            assert_non_null(s);
            assert_int_equal(s->n, 32 + 26);
            /* occupied cation sites per (111) plane class: index (i+j+k) mod 4 in units of a/2 */
            int occ[2] = {0, 0};
            int te = system_species_id(s, "Te");
            for (int i = 0; i < s->n; i++) {
                if (s->type[i] == te)
                    continue;
                long m = lround(s->x[i][0] / (0.5 * a)) + lround(s->x[i][1] / (0.5 * a)) + lround(s->x[i][2] / (0.5 * a));
                occ[(m % 4) / 2]++;
            }
            /* 16 sites per class, 6 vacancies: all in one class when gathered on planes */
            if ((occ[0] == 10 && occ[1] == 16) || (occ[0] == 16 && occ[1] == 10))
                same++;
            assert_true(min_dist(s) > 2.99);
            system_free(s);
        }
        if (arr == 1)
            assert_int_equal(same, 10);
        else
            assert_true(same < 10);
    }
}

static void test_interface(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_interface(2, 2, 2, 6.02, 7.0, 5.9, 2.5, 5, &e);
    assert_non_null(s);
    assert_close(s->cell.h[2][2], 2 * 6.02 + 7.0, 1e-12);
    assert_true(s->n > 80 && s->n < 100);
    assert_true(min_dist(s) >= 2.5 - 1e-9);
    /* the first 58 atoms are the intact crystal block, the rest lie above it */
    for (int i = 58; i < s->n; i++)
        assert_true(s->x[i][2] >= 1.5 * 6.02 - 1e-9);
    system_free(s);
}

/* Gamma-only sampling of a small cell is flagged; k-points or a wide cell are not. */
static void test_kpoint_warning(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    dft_settings s;
    dft_settings_default(&s);
    pcm_system *small = build_rocksalt_box(2, 2, 2, 6.02, 0.2, 0, 1, &e);   /* 12.04 A */
    pcm_system *wide = build_rocksalt_box(4, 4, 4, 6.02, 0.2, 0, 1, &e);    /* 24.08 A */
    assert_non_null(small);
    assert_non_null(wide);
    char msg[300] = "";
    s.kpoints[0] = s.kpoints[1] = s.kpoints[2] = 1;
    assert_int_equal(dft_kpoint_warning(&s, small, msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "12.0 A cell"));
    assert_int_equal(dft_kpoint_warning(&s, wide, msg, sizeof msg), 0);
    s.kpoints[0] = s.kpoints[1] = s.kpoints[2] = 2;
    assert_int_equal(dft_kpoint_warning(&s, small, msg, sizeof msg), 0);
    assert_int_equal(dft_settings_load(&s, "presets/dft/gst-pbesol.cfg", &e), 0);   /* production: k-points */
    assert_int_equal(dft_kpoint_warning(&s, small, msg, sizeof msg), 0);
    assert_int_equal(dft_settings_load(&s, "presets/dft/gst-pbesol-gamma-v2.cfg", &e), 0);
    assert_int_equal(dft_kpoint_warning(&s, small, msg, sizeof msg), 1);
    system_free(small);
    system_free(wide);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_converged),
        cmocka_unit_test(test_parse_not_converged_rejected),
        cmocka_unit_test(test_units_and_signs),
        cmocka_unit_test(test_input_triclinic),
        cmocka_unit_test(test_settings_files),
        cmocka_unit_test(test_kpoint_warning),
        cmocka_unit_test(test_phases),
        cmocka_unit_test(test_rocksalt_vacancy_planes),
        cmocka_unit_test(test_interface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
