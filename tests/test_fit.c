/* test_fit.c - the linear ACE fitter end to end: exact recovery of a known linear potential.
 *
 * A teacher potential with random coefficients on a generated basis labels random GST
 * configurations through the evaluator; fitting the same basis to those labels must give back
 * the teacher's coefficients and reproduce its energies and forces to round-off.  This tests
 * basis generation, generalized CG, the .yace writer, descriptors, derivatives (forces and
 * virial, including the zbl inner switch) and the solver together.
 */
#include "testutil.h"


#include <math.h>
#include <unistd.h>

#include "build.h"
#include "fit.h"
#include "potential.h"
#include "rng.h"

static void small_cfg(fit_basis_cfg *c, double r_in, const char *rep)
{
    fit_basis_cfg_default(c);
    snprintf(c->repulsion, sizeof c->repulsion, "%s", rep);
    c->nradbase = 4;
    c->rankmax = 4;
    int nr[4] = {4, 2, 1, 1}, lm[4] = {0, 1, 1, 1};
    for (int k = 0; k < FIT_MAX_EL; k++)
        for (int r = 0; r < 4; r++) {
            c->nrad[k][r] = nr[r];
            c->lmax[k][r] = lm[r];
        }
    for (int q = 0; q < FIT_MAX_EL * FIT_MAX_EL; q++)
        c->r_in[q] = r_in;
}

/* Random-coefficient teacher written to path; its coefficients in m. */
static void make_teacher(const fit_basis_cfg *c, fit_model *m, const char *path, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->nel = c->nelem;
    ace_cbasis *d = fit_basis_build(c, m->spec, m->nspec);
    m->tmpl = ace_cbasis_new(c->nelem);   /* only its bonds/embeddings are used: take them over */
    memcpy(m->tmpl->elements, d->elements, sizeof(*d->elements) * c->nelem);
    memcpy(m->tmpl->emb, d->emb, sizeof(*d->emb) * c->nelem);
    for (int q = 0; q < c->nelem * c->nelem; q++) {
        m->tmpl->bond[q] = d->bond[q];
        d->bond[q].crad = NULL;
    }
    for (int mu = 0; mu < m->nel; mu++)
        m->off[mu + 1] = m->off[mu] + 1 + m->nspec[mu];
    m->ncol = m->off[m->nel];
    m->coef = calloc((size_t)m->ncol, sizeof(double));
    pcm_rng r;
    rng_seed(&r, seed);
    for (int mu = 0; mu < m->nel; mu++) {
        m->coef[m->off[mu]] = -3.0 - mu;   /* E0 */
        for (int f = 0; f < m->nspec[mu]; f++) {
            int rank = m->spec[mu][f].rank;
            m->coef[m->off[mu] + 1 + f] = (rng_uniform(&r) - 0.5) * (rank == 1 ? 0.5 : 0.05 / rank);
        }
    }
    ace_cbasis_free(d);
    ace_cbasis *p = fit_model_potential(m);
    pcm_err e = {{0}};
    if (ace_cbasis_write_yace(p, path, &e) < 0)
        fail_msg("%s", e.msg);
    ace_cbasis_free(p);
}

/* Labelled configurations: two liquids and a rattled, strained rocksalt. */
static void make_data(const char *teacher, fit_dataset *d, double dmin)
{
    pcm_err e = {{0}};
    pcm_potential *p = potential_load(teacher, &e);
    if (!p)
        fail_msg("%s", e.msg);
    pcm_system *sys[5];
    sys[0] = build_liquid(64, 6.0, "Ge2Sb2Te5", dmin, 11, &e);
    sys[1] = build_liquid(60, 5.8, "Ge1Sb2Te4", dmin, 12, &e);
    sys[2] = build_liquid(50, 6.2, "Ge2Sb2Te5", dmin, 13, &e);
    sys[3] = build_rocksalt(1, 6.0, 0.2, 14, &e);
    sys[4] = build_liquid(60, 5.9, "Ge1Sb1Te1", dmin, 15, &e);
    assert_non_null(sys[0]);
    assert_non_null(sys[3]);
    build_rattle(sys[3], 0.15, 5);
    double eps[6] = {0.01, -0.02, 0.015, 0.01, 0, 0.02};
    build_strain(sys[3], eps);
    memset(d, 0, sizeof *d);
    d->n = 5;
    d->c = calloc(5, sizeof *d->c);
    for (int k = 0; k < 5; k++) {
        fit_config *c = &d->c[k];
        c->sys = sys[k];
        assert_int_equal(potential_eval_once(p, c->sys, &e), 0);
        snprintf(c->kind, sizeof c->kind, "%s", k == 3 ? "crystal" : "liquid");
        c->has_e = c->has_f = c->has_w = 1;
        c->e_ref = c->sys->energy;
        memcpy(c->w_ref, c->sys->virial, sizeof c->w_ref);
        c->f_ref = calloc((size_t)c->sys->n, sizeof *c->f_ref);
        c->f_pred = calloc((size_t)c->sys->n, sizeof *c->f_pred);
        memcpy(c->f_ref, c->sys->f, (size_t)c->sys->n * sizeof *c->f_ref);
        c->bootstrap = 1;
        c->weight = 1.0;
        c->eweight = 1.0;
    }
    potential_free(p);
}

static void recover(double r_in, double dmin, int fcut_one, const char *rep, const char *label)
{
    char tpath[] = "/tmp/pcm_teacher_XXXXXX.yace", spath[] = "/tmp/pcm_student_XXXXXX.yace";
    close(mkstemps(tpath, 5));
    close(mkstemps(spath, 5));
    fit_basis_cfg c;
    small_cfg(&c, r_in, rep);
    fit_model teacher, student;
    make_teacher(&c, &teacher, tpath, 42);
    fit_dataset d;
    make_data(tpath, &d, dmin);
    fit_opts o;
    fit_opts_default(&o);
    o.ridge = 0.0;
    o.test_fraction = 0.0;
    o.stress_weight = 0.1;
    pcm_err e = {{0}};
    if (fit_run(&c, &d, &o, 0, &student, &e) < 0)
        fail_msg("%s", e.msg);
    /* Rank-1 functions (a<-b, k) and (b<-a, k) enter total energies and forces only through their
     * sum (g^ab = g^ba), unless fcut_i < 1 weights atoms differently: compare those as sums. */
    double dc = 0, cmax = 0;
    int nrad1 = c.nrad[0][0], nel = c.nelem;
    for (int mu = 0; mu < nel; mu++)
        for (int f = 0; f < student.nspec[mu]; f++) {
            const ace_bspec *sp = &student.spec[mu][f];
            int j = student.off[mu] + 1 + f;
            double ds = student.coef[j] - teacher.coef[j];
            if (sp->rank == 1 && sp->mus[0] != mu) {
                int jj = student.off[sp->mus[0]] + 1 + mu * nrad1 + sp->ns[0] - 1;   /* (b<-a, k) */
                ds += student.coef[jj] - teacher.coef[jj];
            }
            dc = fmax(dc, fabs(ds));
            cmax = fmax(cmax, fabs(teacher.coef[j]));
        }
    for (int mu = 0; mu < nel; mu++)
        dc = fmax(dc, fabs(student.coef[student.off[mu]] - teacher.coef[student.off[mu]]));
    int expect_rank = fcut_one ? student.ncol - nel * (nel - 1) / 2 * nrad1 : student.ncol;
    ace_cbasis *p = fit_model_potential(&student);
    if (ace_cbasis_write_yace(p, spath, &e) < 0)
        fail_msg("%s", e.msg);
    ace_cbasis_free(p);
    double spa;
    if (fit_predict(spath, &d, &spa, &e) < 0)
        fail_msg("%s", e.msg);
    fit_err_stats st = fit_errors(&d, -1, NULL);
    double fmaxv = 0;
    for (int k = 0; k < d.n; k++)
        for (int i = 0; i < d.c[k].sys->n; i++)
            for (int a = 0; a < 3; a++)
                fmaxv = fmax(fmaxv, fabs(d.c[k].f_ref[i][a]));
    print_message("%s: %d columns, %ld rows, rank %d; max |dc| = %.2e (max |c| %.2g); RMSE E %.2e eV/atom, "
                  "F %.2e eV/A (max |F| %.2g), W %.2e eV/atom; fit %.2f s\n",
                  label, student.ncol, student.nrows, student.rank, dc, cmax, st.rmse_e, st.rmse_f, fmaxv,
                  st.rmse_w, student.seconds);
    assert_int_equal(student.rank, expect_rank);
    assert_true(dc < 1e-8 * cmax);
    assert_true(st.rmse_e < 1e-10);
    assert_true(st.rmse_f < 1e-9 * fmax(1.0, fmaxv));
    assert_true(st.rmse_w < 1e-9);
    unlink(tpath);
    unlink(spath);
    fit_model_free(&teacher);
    fit_model_free(&student);
    fit_dataset_free(&d);
}

/* All pairs beyond r_in: fcut = 1. */
static void test_exact_recovery(void **state)
{
    (void)state;
    recover(2.0, 2.3, 1, "zbl", "fcut=1");
}

/* Some pairs inside the zbl switching zone: tests the fcut terms and the fixed core part. */
static void test_exact_recovery_inner(void **state)
{
    (void)state;
    recover(2.45, 2.3, 0, "zbl", "inner zone");
}

/* Labels from ML-PACE itself: the reference outputs of GeSbTe_synth_linear_zbl (a linear
 * potential) fitted with that potential's own B-basis (its B-functions and radial
 * coefficients) must reproduce them to the spline tier of the reference. */
static void test_recover_mlpace_labels(void **state)
{
    (void)state;
    char by[4400], ref[4400];
    ACE_REF_PATH(by, "potentials/bbasis_yaml/GeSbTe_synth_linear_zbl.yaml");
    const char *cfgs[] = {"gete_dimer", "gete_prim_2_triclinic", "gst_close_pairs_48", "gst_close_pairs_6",
                          "gst_cluster_13", "gst_liquid_100", "gst_liquid_96_triclinic", "gst_rocksalt_194",
                          "gst_tiny_ortho_6", "gst_tiny_triclinic_3"};
    pcm_err e = {{0}};
    fit_dataset d = {0};
    for (int k = 0; k < 10; k++) {
        char rel[128];
        snprintf(rel, sizeof rel, "reference/GeSbTe_synth_linear_zbl/%s.xyz", cfgs[k]);
        ACE_REF_PATH(ref, rel);
        if (fit_dataset_read(&d, ref, &e) < 0)
            fail_msg("%s", e.msg);
    }
    ace_bspec *specs[64];
    int nspec[64];
    double *coef[64];
    ace_cbasis *tmpl = ace_bbasis_read(by, specs, nspec, coef, &e);
    if (!tmpl)
        fail_msg("%s", e.msg);
    for (int mu = 0; mu < tmpl->nelem; mu++)
        free(coef[mu]);
    fit_opts o;
    fit_opts_default(&o);
    o.ridge = 0.0;
    o.test_fraction = 0.0;
    o.stress_weight = 0.1;
    fit_model m;
    if (fit_run_specs(tmpl, specs, nspec, &d, &o, 0, &m, &e) < 0)
        fail_msg("%s", e.msg);
    char spath[] = "/tmp/pcm_mlpace_XXXXXX.yace";
    close(mkstemps(spath, 5));
    ace_cbasis *p = fit_model_potential(&m);
    if (ace_cbasis_write_yace(p, spath, &e) < 0 || fit_predict(spath, &d, NULL, &e) < 0)
        fail_msg("%s", e.msg);
    ace_cbasis_free(p);
    unlink(spath);
    fit_err_stats st = fit_errors(&d, -1, NULL);
    double emax = 0, fmaxd = 0;
    for (int k = 0; k < d.n; k++) {
        const fit_config *c = &d.c[k];
        emax = fmax(emax, fabs(c->e_pred - c->e_ref) / c->sys->n);
        for (int i = 0; i < c->sys->n; i++)
            for (int a = 0; a < 3; a++)
                fmaxd = fmax(fmaxd, fabs(c->f_pred[i][a] - c->f_ref[i][a]));
    }
    print_message("ML-PACE labels: %d columns, %ld rows, rank %d; max |dE|/N %.2e eV, max |dF| %.2e eV/A, "
                  "RMSE E %.2e eV/atom F %.2e eV/A; fit %.2f s\n",
                  m.ncol, m.nrows, m.rank, emax, fmaxd, st.rmse_e, st.rmse_f, m.seconds);
    assert_true(emax < 1e-9);    /* spline tier: 1e-8 eV/atom, 1e-7 eV/A */
    assert_true(fmaxd < 1e-7);
    fit_model_free(&m);
    fit_dataset_free(&d);
}

/* Committee disagreement: per-atom standard deviation of the atomic energies. */
static void test_committee_sigma(void **state)
{
    (void)state;
    char p1[] = "/tmp/pcm_c1_XXXXXX.yace", p2[] = "/tmp/pcm_c2_XXXXXX.yace";
    close(mkstemps(p1, 5));
    close(mkstemps(p2, 5));
    fit_basis_cfg c;
    small_cfg(&c, 2.0, "zbl");
    fit_model t1, t2;
    make_teacher(&c, &t1, p1, 1);
    make_teacher(&c, &t2, p2, 2);
    pcm_err e = {{0}};
    pcm_system *s = build_liquid(30, 6.0, "Ge2Sb2Te5", 2.4, 5, &e);
    assert_non_null(s);
    double *sig = calloc((size_t)s->n, sizeof(double));
    const char *pots[3] = {p1, p2, p1};
    assert_int_equal(fit_committee_sigma(pots, 2, s, sig, &e), 0);
    pcm_system *a = system_copy(s), *b = system_copy(s);
    pcm_potential *q1 = potential_load(p1, &e), *q2 = potential_load(p2, &e);
    assert_int_equal(potential_eval_once(q1, a, &e), 0);
    assert_int_equal(potential_eval_once(q2, b, &e), 0);
    for (int i = 0; i < s->n; i++)
        assert_true(fabs(sig[i] - fabs(a->pe[i] - b->pe[i]) / 2) < 1e-9 * (1 + fabs(a->pe[i])));
    const char *same[2] = {p1, p1};
    assert_int_equal(fit_committee_sigma(same, 2, s, sig, &e), 0);
    for (int i = 0; i < s->n; i++)
        assert_true(sig[i] < 1e-6);
    potential_free(q1);
    potential_free(q2);
    system_free(a);
    system_free(b);
    system_free(s);
    free(sig);
    fit_model_free(&t1);
    fit_model_free(&t2);
    unlink(p1);
    unlink(p2);
    (void)pots;
}

/* The paper's repulsion (ML-PACE distance mode: U0 exp(-sigma r^2)/r inside r_in, basis cut
 * there) with r_in large enough that some pairs are inside. */
static void test_exact_recovery_distance(void **state)
{
    (void)state;
    recover(2.45, 2.3, 1, "distance", "distance mode");
}

static void test_split_and_resolve(void **state)
{
    (void)state;
    fit_dataset d = {0};
    d.n = 10;
    d.c = calloc(10, sizeof *d.c);
    fit_dataset_split(&d, 0.2, 7);
    int nt = 0;
    for (int k = 0; k < 10; k++)
        nt += d.c[k].is_test;
    assert_int_equal(nt, 2);
    int first[10];
    for (int k = 0; k < 10; k++)
        first[k] = d.c[k].is_test;
    fit_dataset_split(&d, 0.2, 7);
    for (int k = 0; k < 10; k++)
        assert_int_equal(first[k], d.c[k].is_test);   /* seeded: reproducible */
    free(d.c);
    /* stratified by kind: 8 "a" -> 2 test, 3 "c" -> 1, the single "b" always trains */
    for (uint64_t sd = 1; sd <= 20; sd++) {
        fit_dataset k3 = {0};
        k3.n = 12;
        k3.c = calloc(12, sizeof *k3.c);
        for (int k = 0; k < 12; k++)
            strcpy(k3.c[k].kind, k < 8 ? "a" : k == 8 ? "b" : "c");
        fit_dataset_split(&k3, 0.2, sd);
        int na = 0, nc = 0;
        for (int k = 0; k < 8; k++)
            na += k3.c[k].is_test;
        for (int k = 9; k < 12; k++)
            nc += k3.c[k].is_test;
        assert_int_equal(na, 2);
        assert_int_equal(nc, 1);
        assert_int_equal(k3.c[8].is_test, 0);
        free(k3.c);
    }
    /* auto r_in = shortest pair distance in the data */
    pcm_err e = {{0}};
    fit_dataset dd = {0};
    dd.n = 1;
    dd.c = calloc(1, sizeof *dd.c);
    dd.c[0].sys = build_rocksalt(1, 6.0, 0.0, 3, &e);
    fit_basis_cfg c;
    fit_basis_cfg_default(&c);
    fit_resolve_r_in(&c, &dd);
    assert_true(fabs(c.r_in[0 * FIT_MAX_EL + 2] - 3.0) < 1e-12);   /* Ge-Te = a/2 */
    assert_true(fabs(c.r_in[2 * FIT_MAX_EL + 2] - 6.0 / sqrt(2.0)) < 1e-12);   /* Te-Te = a/sqrt2 */
    system_free(dd.c[0].sys);
    free(dd.c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_and_resolve),
        cmocka_unit_test(test_exact_recovery),
        cmocka_unit_test(test_exact_recovery_inner),
        cmocka_unit_test(test_exact_recovery_distance),
        cmocka_unit_test(test_recover_mlpace_labels),
        cmocka_unit_test(test_committee_sigma),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
