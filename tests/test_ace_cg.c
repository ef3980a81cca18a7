/* test_ace_cg.c - Clebsch-Gordan and generalized CG coefficients. */
#include "testutil.h"

#include <math.h>

#include "ace_cg.h"

static void test_cg_known_values(void **state)
{
    (void)state;
    /* <1 0 1 0|0 0> = -1/sqrt3, <1 1 1 -1|0 0> = 1/sqrt3, <1/2..> not integer */
    assert_true(fabs(ace_cg(1, 0, 1, 0, 0, 0) + 1.0 / sqrt(3.0)) < 1e-15);
    assert_true(fabs(ace_cg(1, 1, 1, -1, 0, 0) - 1.0 / sqrt(3.0)) < 1e-15);
    assert_true(fabs(ace_cg(1, 1, 1, 0, 2, 1) - sqrt(0.5)) < 1e-15);
    assert_true(fabs(ace_cg(1, 0, 1, 0, 2, 0) - sqrt(2.0 / 3.0)) < 1e-15);
    assert_true(fabs(ace_cg(2, 1, 1, -1, 1, 0) - sqrt(3.0 / 10.0)) < 1e-15);
    assert_true(fabs(ace_cg(1, 0, 1, 0, 1, 0)) < 1e-16);          /* odd parity vanishes */
    assert_true(ace_cg(2, 0, 2, 0, 5, 0) == 0.0);                  /* triangle */
    assert_true(ace_cg(2, 1, 2, 0, 2, 0) == 0.0);                  /* m rule */
    /* <l m l -m|0 0> = (-1)^(l-m)/sqrt(2l+1) */
    for (int l = 0; l <= 10; l++)
        for (int m = -l; m <= l; m++) {
            double ref = (((l - m) & 1) ? -1.0 : 1.0) / sqrt(2.0 * l + 1);
            assert_true(fabs(ace_cg(l, m, l, -m, 0, 0) - ref) < 1e-14);
        }
}

/* sum_{m1 m2} <l1 m1 l2 m2|L M><l1 m1 l2 m2|L' M'> = delta delta, for l <= 8. */
static void test_cg_orthogonality(void **state)
{
    (void)state;
    double worst = 0.0;
    for (int l1 = 0; l1 <= 8; l1++)
        for (int l2 = 0; l2 <= 8; l2 += 3)
            for (int L = abs(l1 - l2); L <= l1 + l2; L++)
                for (int L2 = abs(l1 - l2); L2 <= l1 + l2; L2++)
                    for (int M = -L; M <= L; M++) {
                        if (abs(M) > L2)
                            continue;
                        double s = 0.0;
                        for (int m1 = -l1; m1 <= l1; m1++)
                            s += ace_cg(l1, m1, l2, M - m1, L, M) * ace_cg(l1, m1, l2, M - m1, L2, M);
                        double err = fabs(s - (L == L2 ? 1.0 : 0.0));
                        if (err > worst)
                            worst = err;
                    }
    assert_true(worst < 1e-13);
    /* completeness: sum_{L,M} <l1 m1 l2 m2|L M>^2 = 1 */
    for (int m1 = -5; m1 <= 5; m1++)
        for (int m2 = -4; m2 <= 4; m2++) {
            double s = 0.0;
            for (int L = 1; L <= 9; L++)
                s += pow(ace_cg(5, m1, 4, m2, L, m1 + m2), 2);
            assert_true(fabs(s - 1.0) < 1e-13);
        }
}

/* Exchange symmetry <l1 m1 l2 m2|L M> = (-1)^(l1+l2-L) <l2 m2 l1 m1|L M>, and the
 * m-reflection (-1)^(l1+l2-L) <l1 -m1 l2 -m2|L -M>, up to l = 10. */
static void test_cg_symmetries(void **state)
{
    (void)state;
    for (int l1 = 0; l1 <= 10; l1++)
        for (int l2 = 0; l2 <= 10; l2++)
            for (int L = abs(l1 - l2); L <= l1 + l2; L++)
                for (int m1 = -l1; m1 <= l1; m1++)
                    for (int m2 = -l2; m2 <= l2; m2++) {
                        double s = ((l1 + l2 - L) & 1) ? -1.0 : 1.0, a = ace_cg(l1, m1, l2, m2, L, m1 + m2);
                        assert_true(fabs(a - s * ace_cg(l2, m2, l1, m1, L, m1 + m2)) < 1e-13);
                        assert_true(fabs(a - s * ace_cg(l1, -m1, l2, -m2, L, -m1 - m2)) < 1e-13);
                    }
}

/* Ranks 5 and 6: gen-CG vectors of all valid LS are orthonormal in the full m-space. */
static void test_gencg_high_rank(void **state)
{
    (void)state;
    int ls5[5] = {1, 1, 2, 1, 1}, ls6[6] = {1, 1, 1, 1, 1, 1};
    int LS5[][3] = {{0, 1, 1}, {1, 1, 1}, {2, 1, 1}, {2, 3, 1}, {1, 2, 1}, {2, 2, 1}};
    int LS6[][4] = {{0, 0, 0, 0}, {1, 1, 0, 0}, {2, 2, 0, 0}, {0, 1, 1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {1, 2, 1, 1}};
    for (int which = 0; which < 2; which++) {
        int rank = which ? 6 : 5, nc = which ? 7 : 6;
        ace_mscg g[7];
        for (int k = 0; k < nc; k++)
            assert_true(ace_gencg(rank, which ? ls6 : ls5, which ? LS6[k] : LS5[k], 0, &g[k]) > 0);
        for (int a = 0; a < nc; a++)
            for (int b = 0; b < nc; b++) {
                double dot = 0.0;
                for (int i = 0; i < g[a].n; i++)
                    for (int j = 0; j < g[b].n; j++)
                        if (!memcmp(g[a].ms + i * rank, g[b].ms + j * rank, rank * sizeof(int)))
                            dot += g[a].c[i] * g[b].c[j];
                assert_true(fabs(dot - (a == b ? 1.0 : 0.0)) < 1e-12);
            }
        for (int k = 0; k < nc; k++)
            ace_mscg_free(&g[k]);
    }
}

static void test_tree_shapes(void **state)
{
    (void)state;
    ace_cg_node n[ACE_CG_RANK_MAX];
    assert_int_equal(ace_cg_tree(2, n), 1);
    assert_int_equal(n[0].c, 2);
    assert_int_equal(ace_cg_tree(3, n), 2);
    assert_int_equal(n[0].a, 0); assert_int_equal(n[0].b, 1); assert_int_equal(n[0].c, 3);
    assert_int_equal(n[1].a, 3); assert_int_equal(n[1].b, 2); assert_int_equal(n[1].c, 4);
    assert_int_equal(ace_cg_tree(6, n), 5);
    assert_int_equal(n[3].a, 6); assert_int_equal(n[3].b, 7); assert_int_equal(n[3].c, 9);
    assert_int_equal(n[4].a, 8); assert_int_equal(n[4].b, 9); assert_int_equal(n[4].c, 10);
    assert_int_equal(ace_cg_tree(5, n), 4);
    assert_int_equal(n[3].a, 7); assert_int_equal(n[3].b, 4);
}

/* The full (non-half) gen-CG vectors of different LS for the same ls are orthonormal,
 * every combination has sum(m) = 0, and the half basis reproduces the full sum
 * for a real (m -> -m symmetric) product. */
static void test_gencg_orthonormal(void **state)
{
    (void)state;
    int ls[4] = {1, 2, 2, 1};
    ace_mscg g[3];
    int LSs[3][2] = {{1, 1}, {2, 2}, {3, 3}};
    for (int k = 0; k < 3; k++) {
        assert_true(ace_gencg(4, ls, LSs[k], 0, &g[k]) > 0);
        for (int i = 0; i < g[k].n; i++) {
            int s = 0;
            for (int t = 0; t < 4; t++)
                s += g[k].ms[i * 4 + t];
            assert_int_equal(s, 0);
        }
    }
    /* dense dot products over the full m-space (same enumeration order, but match by key) */
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double dot = 0.0;
            for (int i = 0; i < g[a].n; i++)
                for (int j = 0; j < g[b].n; j++)
                    if (!memcmp(g[a].ms + i * 4, g[b].ms + j * 4, 4 * sizeof(int)))
                        dot += g[a].c[i] * g[b].c[j];
            assert_true(fabs(dot - (a == b ? 1.0 : 0.0)) < 1e-13);
        }
    ace_mscg h;
    assert_true(ace_gencg(4, ls, LSs[1], 1, &h) > 0);
    double sfull = 0, shalf = 0;
    for (int i = 0; i < g[1].n; i++)
        sfull += g[1].c[i] * g[1].c[i];
    for (int i = 0; i < h.n; i++) {
        assert_true(ace_ms_sign(4, h.ms + i * 4) >= 0);
        double c = h.c[i];
        shalf += ace_ms_sign(4, h.ms + i * 4) > 0 ? c * c / 2.0 : c * c;
    }
    assert_true(fabs(sfull - shalf) < 1e-13);
    int odd[3] = {1, 1, 1}, L1[1] = {1};
    ace_mscg bad;
    assert_int_equal(ace_gencg(3, odd, L1, 1, &bad), -1);
    ace_mscg_free(&bad);
    ace_mscg_free(&h);
    for (int k = 0; k < 3; k++)
        ace_mscg_free(&g[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cg_known_values),
        cmocka_unit_test(test_cg_orthogonality),
        cmocka_unit_test(test_cg_symmetries),
        cmocka_unit_test(test_gencg_high_rank),
        cmocka_unit_test(test_tree_shapes),
        cmocka_unit_test(test_gencg_orthonormal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
