/* test_committee.c - committee disagreement (committee.h): identical members give exactly 0,
 * members that differ by a known factor give the analytic value, real ACE members agree with an
 * independent two-pass computation; member lists, presets and errors; the workbench thread
 * publishes sigma_F (sim.h). */
#include <math.h>
#include <unistd.h>
#include "testutil.h"
#include "build.h"
#include "committee.h"
#include "fit.h"
#include "potential.h"
#include "preset.h"
#include "sim.h"

#define AL "assets/dft/active-learning/"

static pcm_system *liquid(int n)
{
    pcm_err e = {{0}};
    pcm_system *s = build_liquid(n, 5.9, "Ge2Sb2Te5", 2.4, 11, &e);
    if (!s)
        fail_msg("%s", e.msg);
    return s;
}

static int have_al4(void)
{
    if (access(AL "al4.c3.yace", R_OK) == 0)
        return 1;
    print_message("[ SKIP ] %s not found (run from the repository root)\n", AL);
    return 0;
}

/* Independent reference: each member with potential_eval_once, then a two-pass mean/variance. */
static void reference(const char *const *specs, int k, const pcm_system *s, double *sf, double *se)
{
    int n = s->n;
    double(*f)[3] = calloc((size_t)n * k, sizeof *f), *pe = calloc((size_t)n * k, sizeof *pe);
    pcm_err e = {{0}};
    for (int m = 0; m < k; m++) {
        pcm_potential *p = potential_load(specs[m], &e);
        assert_non_null(p);
        pcm_system *t = system_copy(s);
        assert_int_equal(potential_eval_once(p, t, &e), 0);
        memcpy(f + (size_t)m * n, t->f, sizeof *f * n);
        memcpy(pe + (size_t)m * n, t->pe, sizeof *pe * n);
        system_free(t);
        potential_free(p);
    }
    for (int i = 0; i < n; i++) {
        double mf[3] = {0}, me = 0, vf = 0, ve = 0;
        for (int m = 0; m < k; m++) {
            for (int a = 0; a < 3; a++)
                mf[a] += f[(size_t)m * n + i][a] / k;
            me += pe[(size_t)m * n + i] / k;
        }
        for (int m = 0; m < k; m++) {
            for (int a = 0; a < 3; a++)
                vf += pow(f[(size_t)m * n + i][a] - mf[a], 2) / k;
            ve += pow(pe[(size_t)m * n + i] - me, 2) / k;
        }
        sf[i] = sqrt(vf), se[i] = sqrt(ve);
    }
    free(f);
    free(pe);
}

static void test_identical_members_give_exactly_zero(void **st)
{
    (void)st;
    pcm_system *s = liquid(40);
    double sf[40], se[40];
    pcm_err e = {{0}};
    const char *lj[3] = {"lj:0.02,2.6,5.5", "lj:0.02,2.6,5.5", "lj:0.02,2.6,5.5"};
    for (int k = 2; k <= 3; k++) {   /* 3: the mean is not an exact power-of-two division */
        pcm_committee *c = committee_load(lj, k, &e);
        assert_non_null(c);
        committee_stats cs;
        assert_int_equal(committee_eval(c, s, sf, se, &cs, &e), 0);
        for (int i = 0; i < s->n; i++) {
            assert_true(sf[i] == 0.0);
            assert_true(se[i] == 0.0);
        }
        assert_true(cs.sigma_f == 0.0 && cs.sigma_f_max == 0.0 && cs.sigma_e_max == 0.0);
        committee_free(c);
    }
    if (have_al4()) {
        const char *ace[2] = {AL "al4.c1.yace", AL "al4.c1.yace"};
        pcm_committee *c = committee_load(ace, 2, &e);
        assert_non_null(c);
        assert_int_equal(committee_eval(c, s, sf, NULL, NULL, &e), 0);
        for (int i = 0; i < s->n; i++)
            assert_true(sf[i] == 0.0);
        committee_free(c);
    }
    system_free(s);
}

/* LJ forces and (shifted) energies are linear in epsilon: with eps1, eps2 and the same
 * sigma and rc, F^2 = (eps2/eps1) F^1, so sigma_F,i = |eps1 - eps2| / (2 eps1) |F_i^1|. */
static void test_lj_pair_analytic(void **st)
{
    (void)st;
    pcm_system *s = liquid(40);
    pcm_err e = {{0}};
    const char *specs[2] = {"lj:0.02,2.6,5.5", "lj:0.03,2.6,5.5"};
    pcm_committee *c = committee_load(specs, 2, &e);
    assert_non_null(c);
    assert_int_equal(committee_size(c), 2);
    double sf[40], se[40];
    committee_stats cs;
    assert_int_equal(committee_eval(c, s, sf, se, &cs, &e), 0);
    pcm_potential *p = potential_load(specs[0], &e);
    pcm_system *t = system_copy(s);
    assert_int_equal(potential_eval_once(p, t, &e), 0);
    double fac = 0.01 / (2 * 0.02), sum2 = 0, mx = 0, fsum = 0;
    for (int i = 0; i < s->n; i++) {
        double fn = sqrt(t->f[i][0] * t->f[i][0] + t->f[i][1] * t->f[i][1] + t->f[i][2] * t->f[i][2]);
        assert_true(fabs(sf[i] - fac * fn) <= 1e-12 * (1 + fn));
        assert_true(fabs(se[i] - fac * fabs(t->pe[i])) <= 1e-12 * (1 + fabs(t->pe[i])));
        sum2 += sf[i] * sf[i], mx = fmax(mx, sf[i]), fsum += fn;
    }
    assert_true(fsum > 1.0);   /* a real test: the liquid has forces */
    assert_true(fabs(cs.sigma_f - sqrt(sum2 / s->n)) < 1e-14);
    assert_true(cs.sigma_f_max == mx && cs.sigma_f > 0);
    /* s itself is untouched */
    for (int i = 0; i < s->n; i++)
        assert_true(s->f[i][0] == 0.0 && s->pe[i] == 0.0);
    potential_free(p);
    system_free(t);
    committee_free(c);
    system_free(s);
}

static void test_three_lj_members_match_two_pass(void **st)
{
    (void)st;
    pcm_system *s = liquid(40);
    pcm_err e = {{0}};
    const char *specs[3] = {"lj:0.02,2.6,5.5", "lj:0.022,2.65,5.5", "lj:0.018,2.55,6.0"};
    pcm_committee *c = committee_load(specs, 3, &e);
    double sf[40], se[40], rf[40], re[40];
    assert_int_equal(committee_eval(c, s, sf, se, NULL, &e), 0);
    reference(specs, 3, s, rf, re);
    for (int i = 0; i < s->n; i++) {
        assert_true(fabs(sf[i] - rf[i]) <= 1e-12 * (1 + rf[i]));
        assert_true(fabs(se[i] - re[i]) <= 1e-12 * (1 + re[i]));
        assert_true(rf[i] > 0);
    }
    committee_free(c);
    system_free(s);
}

/* Real ACE members (the active-learning round 4 committee); also the cost per atom per member. */
static void test_ace_members_match_two_pass(void **st)
{
    (void)st;
    if (!have_al4())
        skip();
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(3, 6.02, 0.2, 5, &e);
    assert_non_null(s);
    for (int i = 0; i < s->n; i++)   /* off the ideal sites, where forces vanish by symmetry */
        for (int a = 0; a < 3; a++)
            s->x[i][a] += 0.15 * sin(1.7 * i + 2.3 * a);
    const char *specs[4] = {AL "al4.c0.yace", AL "al4.c1.yace", AL "al4.c2.yace", AL "al4.c3.yace"};
    pcm_committee *c = committee_load(specs, 4, &e);
    assert_non_null(c);
    int n = s->n;
    double *sf = calloc(n, sizeof *sf), *se = calloc(n, sizeof *se), *rf = calloc(n, sizeof *rf),
           *re = calloc(n, sizeof *re);
    committee_stats cs;
    assert_int_equal(committee_eval(c, s, sf, se, &cs, &e), 0);
    double best = cs.seconds;
    for (int r = 0; r < 2; r++) {
        assert_int_equal(committee_eval(c, s, NULL, NULL, &cs, &e), 0);
        best = fmin(best, cs.seconds);
    }
    reference(specs, 4, s, rf, re);
    for (int i = 0; i < n; i++) {
        assert_true(fabs(sf[i] - rf[i]) <= 1e-10 * (1 + rf[i]));
        assert_true(fabs(se[i] - re[i]) <= 1e-10 * (1 + re[i]));
    }
    assert_true(cs.sigma_f > 1e-4 && cs.sigma_f < 5.0);
    assert_true(cs.sigma_f_max >= cs.sigma_f && cs.sigma_f >= cs.sigma_f_mean);
    print_message("al4 committee, %d atoms, 4 members: sigma_F %.4f eV/A (max %.4f), sigma_E max %.4f eV; "
                  "%.1f us/atom/member\n",
                  n, cs.sigma_f, cs.sigma_f_max, cs.sigma_e_max, best * 1e6 / (n * 4.0));
    /* fit_committee_sigma is the energy part of the same evaluation */
    double *fe = calloc(n, sizeof *fe);
    assert_int_equal(fit_committee_sigma(specs, 4, s, fe, &e), 0);
    for (int i = 0; i < n; i++)
        assert_true(fe[i] == se[i]);
    /* a species no member knows is refused with the member named */
    s->type[0] = system_species_id(s, "Cu");
    assert_int_equal(committee_eval(c, s, sf, NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "committee member 1"));
    assert_non_null(strstr(e.msg, "Cu"));
    free(fe);
    free(sf), free(se), free(rf), free(re);
    committee_free(c);
    system_free(s);
}

static void test_lists_and_errors(void **st)
{
    (void)st;
    committee_list l = {0};
    pcm_err e = {{0}};
    assert_int_equal(committee_list_add(&l, "a.yace, dir/b.yace ,c.yace", &e), 0);
    assert_int_equal(l.k, 3);
    assert_string_equal(l.member[1], "dir/b.yace");
    assert_string_equal(l.member[2], "c.yace");
    assert_int_equal(committee_list_add(&l, "lj:0.02,2.6,5.5", &e), 0);   /* one spec, commas and all */
    assert_int_equal(l.k, 4);
    assert_string_equal(l.member[3], "lj:0.02,2.6,5.5");
    assert_int_equal(committee_list_add(&l, "x.yace+d2", &e), 0);
    assert_string_equal(l.member[4], "x.yace+d2");
    assert_int_equal(committee_list_add(&l, "a.yace,,b.yace", &e), -1);
    assert_non_null(strstr(e.msg, "empty"));
    committee_list full = {0};
    for (int k = 0; k < COMMITTEE_MAX; k++)
        assert_int_equal(committee_list_add(&full, "m.yace", &e), 0);
    assert_int_equal(committee_list_add(&full, "m.yace", &e), -1);
    assert_non_null(strstr(e.msg, "at most"));
    char buf[256];
    committee_list_format(&l, ", ", buf, sizeof buf);
    assert_string_equal(buf, "a.yace, dir/b.yace, c.yace, lj:0.02,2.6,5.5, x.yace+d2");

    const char *one[1] = {"lj:0.02,2.6,5.5"};
    assert_null(committee_load(one, 1, &e));
    assert_non_null(strstr(e.msg, "at least 2"));
    const char *missing[2] = {"lj:0.02,2.6,5.5", "/nonexistent/m.yace"};
    assert_null(committee_load(missing, 2, &e));
    assert_non_null(strstr(e.msg, "committee member 2 (/nonexistent/m.yace)"));
}

static void test_preset_key(void **st)
{
    (void)st;
    char path[] = "/tmp/pcm_com_XXXXXX.cfg";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    const char *good = "version = 1;\npotential = \"lj:0.1,2.67,6.0\";\n\ncommittee = [\"a.yace\", \"b.yace\",\n"
                       "  \"lj:0.02,2.6,5.5\"];\ncommittee_warn = 0.5;\noutput = { max_steps = 10L; };\n";
    assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
    close(fd);
    pcm_preset p;
    pcm_err e = {{0}};
    preset_defaults(&p);
    assert_true(p.committee.k == 0 && p.committee_warn == COMMITTEE_WARN_DEFAULT);
    assert_int_equal(preset_load(&p, path, &e), 0);
    assert_null(p.warnings);
    assert_int_equal(p.committee.k, 3);
    assert_string_equal(p.committee.member[2], "lj:0.02,2.6,5.5");
    assert_int_equal(p.committee_line, 4);
    assert_true(p.committee_warn == 0.5);
    /* write-back reads back the same */
    assert_int_equal(preset_write(&p, path, &e), 0);
    pcm_preset q;
    preset_defaults(&q);
    assert_int_equal(preset_load(&q, path, &e), 0);
    assert_int_equal(q.committee.k, 3);
    for (int k = 0; k < 3; k++)
        assert_string_equal(q.committee.member[k], p.committee.member[k]);
    assert_true(q.committee_warn == 0.5);
    /* --set replaces the list; "" removes it */
    assert_int_equal(preset_set(&q, "committee=x.yace,y.yace", &e), 0);
    assert_int_equal(q.committee.k, 2);
    assert_int_equal(preset_set(&q, "committee=x.yace", &e), -1);
    assert_non_null(strstr(e.msg, "at least 2"));
    assert_int_equal(preset_set(&q, "committee=", &e), 0);
    assert_int_equal(q.committee.k, 0);
    assert_int_equal(preset_set(&q, "committee_warn=0", &e), -1);
    preset_free(&p);
    preset_free(&q);
    /* bad files name the file and line */
    const char *bad[][2] = {{"committee = [\"a.yace\"];", "at least 2"},
                            {"committee = [1, 2];", "committee[0]: expected a quoted"},
                            {"committee = \"a.yace,b.yace\";", "expected a list"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        FILE *fp = fopen(path, "w");
        fprintf(fp, "version = 1;\noutput = { max_steps = 10L; };\n%s\n", bad[k][0]);
        fclose(fp);
        preset_defaults(&p);
        assert_int_equal(preset_load(&p, path, &e), -1);
        char where[600];
        snprintf(where, sizeof where, "%s:3:", path);
        if (!strstr(e.msg, where) || !strstr(e.msg, bad[k][1]))
            fail_msg("'%s': %s", bad[k][0], e.msg);
        preset_free(&p);
    }
    unlink(path);
}

static sim *committee_sim(const char *members, pcm_err *e)
{
    sim_config c;
    sim_config_default(&c);
    char kv[1200];
    assert_int_equal(sim_config_set(&c, "potential=lj:0.1,2.67,6.0", e), 0);
    c.cells = 2;
    c.steps_per_chunk = 5;
    c.xtal_every = 2;
    if (members) {
        snprintf(kv, sizeof kv, "committee=%s", members);
        assert_int_equal(sim_config_set(&c, kv, e), 0);
        assert_int_equal(sim_config_set(&c, "committee_warn=0.05", e), 0);
    }
    return sim_new(&c, 1, e);
}

/* The workbench thread: sigma_F in the snapshot from the start, refreshed every analysis
 * interval, series filled; nothing without a committee; a bad member stops sim_new. */
static void test_sim_publishes_sigma(void **st)
{
    (void)st;
    if (!have_al4())
        skip();
    pcm_err e = {{0}};
    sim *s = committee_sim(AL "al4.c0.yace," AL "al4.c1.yace", &e);
    if (!s)
        fail_msg("%s", e.msg);
    sim_snapshot *p = sim_acquire(s);
    assert_non_null(p->sigma_f);
    assert_int_equal(p->committee_k, 2);
    double mx = 0;
    for (int i = 0; i < p->n; i++) {
        assert_true(isfinite(p->sigma_f[i]) && p->sigma_f[i] >= 0);
        mx = fmax(mx, p->sigma_f[i]);
    }
    assert_true(mx > 0 && p->sigma_f_max == mx);
    assert_true(p->sigma_warn == 0.05);
    sim_release(s, p);
    for (int k = 0; k < 4; k++) {
        p = sim_acquire(s);
        long seq = p->seq;
        sim_release(s, p);
        assert_int_equal(sim_send(s, (sim_cmd){SIM_CMD_STEP, 0, 0}, &e), 0);
        assert_int_equal(sim_wait_newer(s, seq, 5000), 1);
    }
    p = sim_acquire(s);
    assert_int_equal(p->th.step, 20);
    assert_int_equal(p->sigma_step, 20);   /* chunks of 5 steps, analysis every 2 chunks */
    sim_release(s, p);
    sim_series *ser = malloc(sizeof *ser);
    sim_series_copy(s, ser);
    assert_int_equal(ser->committee, 1);
    assert_true(ser->n == 4);
    for (int k = 0; k < ser->n; k++)
        assert_true(ser->sfmax[k] > 0 && ser->sf[k] > 0 && ser->sf[k] <= ser->sfmax[k]);
    sim_free(s);

    s = committee_sim(NULL, &e);
    p = sim_acquire(s);
    assert_null(p->sigma_f);
    assert_int_equal(p->committee_k, 0);
    sim_release(s, p);
    sim_series_copy(s, ser);
    assert_int_equal(ser->committee, 0);
    sim_free(s);
    free(ser);

    assert_null(committee_sim(AL "al4.c0.yace,/nonexistent/x.yace", &e));
    assert_non_null(strstr(e.msg, "/nonexistent/x.yace"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_members_give_exactly_zero),
        cmocka_unit_test(test_lj_pair_analytic),
        cmocka_unit_test(test_three_lj_members_match_two_pass),
        cmocka_unit_test(test_ace_members_match_two_pass),
        cmocka_unit_test(test_lists_and_errors),
        cmocka_unit_test(test_preset_key),
        cmocka_unit_test(test_sim_publishes_sigma),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
