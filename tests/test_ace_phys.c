/* test_ace_phys.c - ACE physics checks independent of the oracle numbers:
 * finite-difference forces and virial (strain derivative), invariance under
 * translation, rotation, permutation and periodic image shift, and bit-identical
 * results for 1 and 2 threads.  Uses ../shared/ace-reference potentials/configs
 * (skips when absent). */
#include "testutil.h"

#include <math.h>
#include <omp.h>

#include "ace_basis.h"
#include "build.h"
#include "extxyz.h"
#include "potential.h"

static pcm_potential *load_pot(const char *name)
{
    char path[8192], rel[256];
    snprintf(rel, sizeof rel, "potentials/%s.yace", name);
    ACE_REF_PATH(path, rel);
    pcm_err e = {{0}};
    pcm_potential *p = potential_load(path, &e);
    if (!p)
        fail_msg("%s", e.msg);
    return p;
}

static double energy(pcm_potential *p, pcm_system *s)
{
    pcm_err e = {{0}};
    if (potential_eval_once(p, s, &e) != 0)
        fail_msg("%s", e.msg);
    return s->energy;
}

/* 4th-order central differences of E against the force components of the first
 * nmax atoms; per component the better of steps h and 3h (round-off vs the C1 kinks of
 * the spline table, as in the reference README). */
static void check_fd_forces(const char *pot, const char *cfg, double h, double rtol, int nmax)
{
    pcm_potential *p = load_pot(pot);
    pcm_system *s = test_load_ref_config(cfg);
    energy(p, s);
    pcm_system *t = system_copy(s);
    double fmaxabs = 0, err = 0;
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++)
            fmaxabs = fmax(fmaxabs, fabs(s->f[i][k]));
    for (int i = 0; i < s->n && i < nmax; i++)
        for (int k = 0; k < 3; k++) {
            double best = INFINITY;
            for (int hs = 0; hs < 2; hs++) {
                double e4[4], off[4] = {-2, -1, 1, 2}, hh = hs ? 3 * h : h;
                for (int q = 0; q < 4; q++) {
                    memcpy(t->x[i], s->x[i], sizeof s->x[i]);
                    t->x[i][k] += off[q] * hh;
                    e4[q] = energy(p, t);
                }
                memcpy(t->x[i], s->x[i], sizeof s->x[i]);
                double fd = -(e4[0] - 8 * e4[1] + 8 * e4[2] - e4[3]) / (12 * hh);
                best = fmin(best, fabs(fd - s->f[i][k]));
            }
            err = fmax(err, best);
        }
    print_message("%s/%s: FD force error %.2e eV/Å (max |F| %.3g)\n", pot, cfg, err, fmaxabs);
    assert_true(err <= rtol * fmax(1, fmaxabs));
    system_free(t);
    system_free(s);
    potential_free(p);
}

/* W_ab = -∂E/∂ε_ab for r -> (1+ε) r (Voigt; off-diagonal ε moves both ab and ba), 5-point stencil. */
static void check_fd_virial(const char *pot, const char *cfg, double h, double rtol)
{
    pcm_potential *p = load_pot(pot);
    pcm_system *s = test_load_ref_config(cfg);
    energy(p, s);
    double wmax = 0, err = 0;
    for (int c = 0; c < 6; c++)
        wmax = fmax(wmax, fabs(s->virial[c]));
    for (int c = 0; c < 6; c++) {
        double e4[4], off[4] = {-2, -1, 1, 2};
        for (int q = 0; q < 4; q++) {
            pcm_system *t = system_copy(s);
            double eps[6] = {0};
            eps[c] = off[q] * h;
            build_strain(t, eps);
            e4[q] = energy(p, t);
            system_free(t);
        }
        double fd = -(e4[0] - 8 * e4[1] + 8 * e4[2] - e4[3]) / (12 * h) * (c < 3 ? 1.0 : 0.5);
        err = fmax(err, fabs(fd - s->virial[c]));
    }
    print_message("%s/%s: FD virial error %.2e eV (max |W| %.3g)\n", pot, cfg, err, wmax);
    assert_true(err <= rtol * fmax(1, wmax));
    system_free(s);
    potential_free(p);
}

static void test_fd_forces(void **st)
{
    (void)st;
    check_fd_forces("GeSbTe_synth_zbl", "gst_tiny_triclinic_3", 1e-4, 1e-6, 99);
    check_fd_forces("GeSbTe_synth_diffndens_zbl", "gst_close_pairs_6", 1e-5, 1e-6, 99);
    check_fd_forces("GeSbTe_synth_distance", "gst_close_pairs_6", 1e-5, 1e-6, 99);
    check_fd_forces("GeSbTe_synth_density", "gst_cluster_13", 1e-4, 1e-6, 99);
    check_fd_forces("GeSbTe_synth_sbessel_l4_distance", "gete_prim_2_triclinic", 1e-4, 1e-6, 99);
    check_fd_forces("Cu-PBE-core-rep", "cu_tric_27_perturbed", 3e-4, 1e-6, 8);
}

static void test_fd_virial(void **st)
{
    (void)st;
    check_fd_virial("GeSbTe_synth_zbl", "gst_tiny_triclinic_3", 1e-4, 1e-6);
    check_fd_virial("GeSbTe_synth_chebpow_l5_zbl", "gst_tiny_ortho_6", 1e-4, 1e-6);
    check_fd_virial("Cu-PBE-core-rep", "cu_tric_27_perturbed", 4e-4, 1e-6);
}

static void compare(const pcm_system *a, const pcm_system *b, const int *perm, double rot[3][3], double tol,
                    const char *what)
{
    double dE = fabs(a->energy - b->energy), dF = 0, dEi = 0, dW = 0;
    for (int i = 0; i < a->n; i++) {
        int j = perm ? perm[i] : i;
        dEi = fmax(dEi, fabs(a->pe[i] - b->pe[j]));
        for (int k = 0; k < 3; k++) {
            double fr = a->f[i][k];
            if (rot)
                fr = rot[k][0] * a->f[i][0] + rot[k][1] * a->f[i][1] + rot[k][2] * a->f[i][2];
            dF = fmax(dF, fabs(fr - b->f[j][k]));
        }
    }
    if (!rot)
        for (int c = 0; c < 6; c++)
            dW = fmax(dW, fabs(a->virial[c] - b->virial[c]));
    else { /* W' = R W Rᵀ */
        int vi[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};
        double W[3][3];
        for (int c = 0; c < 6; c++)
            W[vi[c][0]][vi[c][1]] = W[vi[c][1]][vi[c][0]] = a->virial[c];
        for (int c = 0; c < 6; c++) {
            double v = 0;
            for (int x = 0; x < 3; x++)
                for (int y = 0; y < 3; y++)
                    v += rot[vi[c][0]][x] * W[x][y] * rot[vi[c][1]][y];
            dW = fmax(dW, fabs(v - b->virial[c]));
        }
    }
    print_message("%-12s dE %.1e  dE_i %.1e  dF %.1e  dW %.1e\n", what, dE, dEi, dF, dW);
    assert_true(dE <= tol * fmax(1, fabs(a->energy)));
    assert_true(dEi <= tol * 10);
    assert_true(dF <= tol * 100);
    assert_true(dW <= tol * 100 * fmax(1, fabs(a->virial[0])));
}

static void test_invariance(void **st)
{
    (void)st;
    pcm_potential *p = load_pot("GeSbTe_synth_zbl");
    pcm_system *s = test_load_ref_config("gst_liquid_96_triclinic");
    energy(p, s);
    /* translation */
    pcm_system *t = system_copy(s);
    for (int i = 0; i < t->n; i++)
        for (int k = 0; k < 3; k++)
            t->x[i][k] += 0.37 + 0.11 * k;
    energy(p, t);
    compare(s, t, NULL, NULL, 1e-11, "translation");
    system_free(t);
    /* rotation of positions and cell */
    double a = 0.7, b = -0.4, R[3][3], Rz[3][3] = {{cos(a), -sin(a), 0}, {sin(a), cos(a), 0}, {0, 0, 1}},
           Rx[3][3] = {{1, 0, 0}, {0, cos(b), -sin(b)}, {0, sin(b), cos(b)}};
    for (int x = 0; x < 3; x++)
        for (int y = 0; y < 3; y++)
            R[x][y] = Rz[x][0] * Rx[0][y] + Rz[x][1] * Rx[1][y] + Rz[x][2] * Rx[2][y];
    t = system_copy(s);
    for (int i = 0; i < t->n; i++) {
        double v[3];
        for (int k = 0; k < 3; k++)
            v[k] = R[k][0] * s->x[i][0] + R[k][1] * s->x[i][1] + R[k][2] * s->x[i][2];
        memcpy(t->x[i], v, sizeof v);
    }
    double h[3][3];
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 3; k++)
            h[r][k] = R[k][0] * s->cell.h[r][0] + R[k][1] * s->cell.h[r][1] + R[k][2] * s->cell.h[r][2];
    cell_set(&t->cell, h);
    energy(p, t);
    compare(s, t, NULL, R, 1e-11, "rotation");
    system_free(t);
    /* permutation: atom i of s is atom perm[i] of t */
    t = system_copy(s);
    int *perm = malloc(s->n * sizeof *perm);
    for (int i = 0; i < s->n; i++)
        perm[i] = (i * 37 + 11) % s->n; /* 37 coprime with 96 */
    for (int i = 0; i < s->n; i++) {
        memcpy(t->x[perm[i]], s->x[i], sizeof s->x[i]);
        t->type[perm[i]] = s->type[i];
    }
    energy(p, t);
    compare(s, t, perm, NULL, 1e-11, "permutation");
    free(perm);
    system_free(t);
    /* periodic image shift of two atoms */
    t = system_copy(s);
    for (int k = 0; k < 3; k++) {
        t->x[5][k] += s->cell.h[0][k] - 2 * s->cell.h[2][k];
        t->x[17][k] -= s->cell.h[1][k];
    }
    energy(p, t);
    compare(s, t, NULL, NULL, 1e-11, "image shift");
    system_free(t);
    system_free(s);
    potential_free(p);
}

static void test_threads_bitwise(void **st)
{
    (void)st;
    pcm_potential *p = load_pot("GeSbTe_synth_diffndens_zbl");
    pcm_system *s = test_load_ref_config("gst_liquid_100");
    pcm_system *t = system_copy(s);
    omp_set_num_threads(1);
    p->nthreads = 1;
    energy(p, s);
    omp_set_num_threads(2);
    p->nthreads = 2;
    energy(p, t);
    assert_memory_equal(&s->energy, &t->energy, sizeof s->energy);
    assert_memory_equal(s->virial, t->virial, sizeof s->virial);
    assert_memory_equal(s->pe, t->pe, s->n * sizeof *s->pe);
    assert_memory_equal(s->f, t->f, s->n * sizeof *s->f);
    p->nthreads = 3; /* more threads than cores still identical */
    energy(p, t);
    assert_memory_equal(s->f, t->f, s->n * sizeof *s->f);
    omp_set_num_threads(1);
    system_free(t);
    system_free(s);
    potential_free(p);
}

/* Descriptors of a linear potential: Σ_f B_f(i) is E_i (no pair in the inner switch,
 * FS [1, 1]) and their gradients reproduce the forces. */
static void check_descriptors(const char *cfg)
{
    char path[8192];
    ACE_REF_PATH(path, "potentials/GeSbTe_synth_linear_zbl.yace");
    pcm_err e = {{0}};
    ace_basis *b = ace_basis_load(path, &e);
    assert_non_null(b);
    pcm_potential *p = load_pot("GeSbTe_synth_linear_zbl");
    pcm_system *s = test_load_ref_config(cfg);
    energy(p, s);
    int map[PCM_MAX_SPECIES];
    assert_int_equal(ace_type_map(b, s, map, &e), 0);
    pcm_nlist *nl = nl_new(b->cutoffmax, 0.0);
    nl_build(nl, s);
    double(*f)[3] = calloc(s->n, sizeof *f), dEi = 0, dF = 0;
    for (int i = 0; i < s->n; i++) {
        int mu = map[s->type[i]], nf = ace_descriptor_count(b, mu), q0 = nl->start[i], nnb = nl->start[i + 1] - q0;
        double *B = malloc(nf * sizeof *B), core;
        double(*dB)[3] = malloc((size_t)nf * nnb * sizeof *dB);
        assert_int_equal(ace_descriptors(b, map, s, nl, i, B, &core, dB, &e), 0);
        double ei = b->E0[mu];
        for (int k = 0; k < nf; k++)
            ei += B[k];
        dEi = fmax(dEi, fabs(ei - s->pe[i]));
        for (int k = 0; k < nnb; k++)
            for (int c = 0; c < 3; c++) {
                double g = 0;
                for (int q = 0; q < nf; q++)
                    g += dB[(size_t)q * nnb + k][c];
                f[i][c] += g;              /* -∂E_i/∂r_i = +Σ_j ∂E_i/∂r_j */
                f[nl->j[q0 + k]][c] -= g;
            }
        free(B);
        free(dB);
    }
    for (int i = 0; i < s->n; i++)
        for (int c = 0; c < 3; c++)
            dF = fmax(dF, fabs(f[i][c] - s->f[i][c]));
    print_message("descriptors (linear potential, %s): max |Σ B - E_i| %.1e eV, max |ΔF| %.1e eV/Å\n", cfg, dEi,
                  dF);
    assert_true(dEi < 1e-10);
    assert_true(dF < 1e-9);
    free(f);
    nl_free(nl);
    system_free(s);
    potential_free(p);
    ace_basis_free(b);
}

static void test_descriptors_linear(void **st)
{
    (void)st;
    check_descriptors("gst_tiny_ortho_6");
    check_descriptors("gst_cluster_13");
}

int main(void)
{
    /* Small systems, many evaluations: one thread (waking threads on a loaded 2-core
     * machine costs milliseconds per parallel region; results do not depend on it). */
    omp_set_num_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_forces),
        cmocka_unit_test(test_fd_virial),
        cmocka_unit_test(test_invariance),
        cmocka_unit_test(test_threads_bitwise),
        cmocka_unit_test(test_descriptors_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
