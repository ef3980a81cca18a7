/* test_ace_bbasis.c - B-basis -> C-tilde conversion against ML-PACE's own
 * conversions (the shipped .yace files), and .yace write/read round trip. */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#include "ace_bbasis.h"

/* Compares conversion of bbasis_yaml/NAME.yaml with potentials/NAME.yace:
 * canonical ctildes, and function-by-function identity of (mus, ns, ls, ms). */
static void check_conversion(const char *name, double *worst_out, int *exact_order)
{
    char by[4700], yc[4700], rel[512];
    snprintf(rel, sizeof rel, "potentials/bbasis_yaml/%s.yaml", name);
    ACE_REF_PATH(by, rel);
    snprintf(rel, sizeof rel, "potentials/%s.yace", name);
    ACE_REF_PATH(yc, rel);
    pcm_err e = {0};
    ace_cbasis *conv = ace_bbasis_convert(by, &e);
    if (!conv)
        fail_msg("%s", e.msg);
    ace_cbasis *ref = ace_cbasis_read_yace(yc, &e);
    if (!ref)
        fail_msg("%s", e.msg);
    int nk = 0;
    double d = ace_cbasis_max_diff(conv, ref, &nk);
    assert_true(nk > 100);
    /* same function lists (as multisets of (mus,ns,ls,ms)) */
    int same_order = 1;
    for (int mu = 0; mu < ref->nelem; mu++) {
        assert_int_equal(conv->nfunc[mu], ref->nfunc[mu]);
        for (int i = 0; i < ref->nfunc[mu]; i++) {
            const ace_cfunc *a = &conv->func[mu][i], *b = &ref->func[mu][i];
            if (a->rank != b->rank || memcmp(a->mus, b->mus, sizeof(int) * a->rank) ||
                memcmp(a->ns, b->ns, sizeof(int) * a->rank) || memcmp(a->ls, b->ls, sizeof(int) * a->rank) ||
                a->nms != b->nms || memcmp(a->ms, b->ms, sizeof(int) * a->rank * a->nms))
                same_order = 0;
        }
    }
    for (int k = 0; k < ref->nelem * ref->nelem; k++) {
        const ace_bondspec *a = &conv->bond[k], *b = &ref->bond[k];
        assert_int_equal(a->nradmax, b->nradmax);
        assert_int_equal(a->lmax, b->lmax);
        assert_int_equal(a->nradbasemax, b->nradbasemax);
        assert_true(a->rcut == b->rcut && a->dcut == b->dcut && a->rcut_in == b->rcut_in);
        assert_string_equal(a->inner_cutoff_type, b->inner_cutoff_type);
        for (int q = 0; q < a->nradmax * (a->lmax + 1) * a->nradbasemax; q++)
            assert_true(a->crad[q] == b->crad[q]);
    }
    *worst_out = d;
    *exact_order = same_order;
    ace_cbasis_free(conv);
    ace_cbasis_free(ref);
}

static void test_convert_linear(void **state)
{
    (void)state;
    double d;
    int same;
    check_conversion("GeSbTe_synth_linear_zbl", &d, &same);
    print_message("linear_zbl: max |dctilde| = %.3g, same order/ms = %d\n", d, same);
    assert_true(d < 1e-12);
    assert_true(same);
}

static void test_convert_others(void **state)
{
    (void)state;
    const char *names[] = {"GeSbTe_synth_zbl",        "GeSbTe_synth_diffndens_zbl",
                           "GeSbTe_synth_chebpow_l5_zbl", "GeSbTe_synth_sbessel_l4_distance",
                           "GeSbTe_synth_density",    "GeSbTe_synth_distance",
                           "GeSbTe_synth_zbl_1200"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        double d;
        int same;
        check_conversion(names[i], &d, &same);
        print_message("%s: max |dctilde| = %.3g, same order/ms = %d\n", names[i], d, same);
        assert_true(d < 1e-12);
        assert_true(same);
    }
}

static void test_yace_roundtrip(void **state)
{
    (void)state;
    char yc[4200];
    ACE_REF_PATH(yc, "potentials/GeSbTe_synth_diffndens_zbl.yace");
    pcm_err e = {0};
    ace_cbasis *a = ace_cbasis_read_yace(yc, &e);
    if (!a)
        fail_msg("%s", e.msg);
    char tmp[] = "/tmp/pcm_yace_XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    if (ace_cbasis_write_yace(a, tmp, &e) < 0)
        fail_msg("%s", e.msg);
    ace_cbasis *b = ace_cbasis_read_yace(tmp, &e);
    if (!b)
        fail_msg("%s", e.msg);
    unlink(tmp);
    assert_true(ace_cbasis_max_diff(a, b, NULL) == 0.0);
    for (int k = 0; k < a->nelem * a->nelem; k++) {
        assert_true(a->bond[k].rcut == b->bond[k].rcut && a->bond[k].dcut_in == b->bond[k].dcut_in);
        assert_true(a->bond[k].crad[1] == b->bond[k].crad[1]);
    }
    for (int mu = 0; mu < a->nelem; mu++) {
        assert_int_equal(a->emb[mu].ndensity, b->emb[mu].ndensity);
        assert_true(a->emb[mu].fs[1] == b->emb[mu].fs[1]);
    }
    ace_cbasis_free(a);
    ace_cbasis_free(b);
}

static void test_bad_input(void **state)
{
    (void)state;
    char tmp[] = "/tmp/pcm_bb_XXXXXX";
    int fd = mkstemp(tmp);
    const char *txt = "species:\n  - speciesblock: Ge\n    ndensityi: 1\n    parameters: [1, 1]\n"
                      "    nradmaxi: 1\n    lmaxi: 1\n    rcutij: 5\n    dcutij: 0.01\n    nradbaseij: 2\n"
                      "    radcoefficients: [[[1, 0], [1, 0]]]\n"
                      "    nbody:\n      - {type: Ge Ge Ge Ge, nr: [1, 1, 1], nl: [1, 1, 1], lint: [1], c: [1]}\n";
    assert_true(write(fd, txt, strlen(txt)) == (ssize_t)strlen(txt));
    close(fd);
    pcm_err e = {0};
    ace_cbasis *b = ace_bbasis_convert(tmp, &e);
    assert_null(b);
    assert_non_null(strstr(e.msg, ":12:"));   /* file:line of the offending function */
    unlink(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_linear),
        cmocka_unit_test(test_convert_others),
        cmocka_unit_test(test_yace_roundtrip),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
