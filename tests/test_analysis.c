/* test_analysis.c - RDF, coordination, bond angles, S(q), MSD and Green-Kubo helpers. */
#include "testutil.h"

#include <math.h>
#include <omp.h>

#include "build.h"
#include "rdf.h"
#include "rng.h"
#include "sq.h"
#include "structure.h"
#include "system.h"
#include "transport.h"
#include "units.h"

/* uniformly random (ideal-gas) positions, two species */
static pcm_system *ideal_gas(int n, double L, uint64_t seed)
{
    pcm_rng r;
    rng_seed(&r, seed);
    pcm_system *s = system_new();
    cell_set_ortho(&s->cell, L, L, L);
    for (int i = 0; i < n; i++) {
        double x[3] = {L * rng_uniform(&r), L * rng_uniform(&r), L * rng_uniform(&r)};
        system_add_atom(s, i % 3 ? "Te" : "Ge", x);
    }
    return s;
}

static void test_rdf_ideal_gas(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_rdf *r = rdf_new(12.0, 0.1, &e);
    assert_non_null(r);
    for (int f = 0; f < 3; f++) {
        pcm_system *s = ideal_gas(1500, 22.0, 100 + f); /* r_max > L/2: images count */
        assert_int_equal(rdf_add(r, s, &e), 0);
        system_free(s);
    }
    double *g = malloc(r->nbins * sizeof *g);
    for (int a = -1; a < 2; a++)
        for (int b = a < 0 ? -1 : 0; b < 2; b++) {
            if ((a < 0) != (b < 0))
                continue;
            rdf_get(r, a, b, g);
            double sum = 0;
            int cnt = 0;
            for (int k = 0; k < r->nbins; k++)
                if (rdf_r(r, k) > 4.0) {
                    sum += g[k];
                    cnt++;
                }
            /* 80 bins from 4 to 12 Å, ~10^5 pairs per bin: mean within 1 % */
            print_message("ideal gas <g_%d%d(r > 4 A)> = %.4f\n", a, b, sum / cnt);
            assert_true(fabs(sum / cnt - 1.0) < 0.01);
            if (a < 0)
                break;
        }
    /* the symmetric partials agree */
    double *g2 = malloc(r->nbins * sizeof *g2);
    rdf_get(r, 0, 1, g);
    rdf_get(r, 1, 0, g2);
    for (int k = 0; k < r->nbins; k++)
        assert_true(fabs(g[k] - g2[k]) < 1e-12 * (1 + g[k]));
    free(g), free(g2);
    rdf_free(r);
    assert_null(rdf_new(-1.0, 0.1, &e));
}

static void test_rdf_rocksalt_shells(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    const double a = 6.02;
    pcm_system *s = build_rocksalt(4, a, 0.0, 1, &e);
    pcm_rdf *r = rdf_new(6.5, 0.01, &e);
    assert_int_equal(rdf_add(r, s, &e), 0);
    double *cn = malloc(r->nbins * sizeof *cn), *g = malloc(r->nbins * sizeof *g);
    /* running CN of the total: 6 at a/2, 6+12 at a/√2, 6+12+8 at a√3/2 */
    rdf_running_cn(r, -1, -1, cn);
    int k1 = (int)(0.55 * a / r->dr), k2 = (int)(0.75 * a / r->dr), k3 = (int)(0.9 * a / r->dr);
    assert_true(fabs(cn[k1] - 6.0) < 1e-12);
    assert_true(fabs(cn[k2] - 18.0) < 1e-12);
    assert_true(fabs(cn[k3] - 26.0) < 1e-12);
    rdf_get(r, -1, -1, g);
    double rp, rm;
    rdf_first_peak(r, g, &rp, &rm);
    assert_true(fabs(rp - a / 2) < r->dr);
    assert_true(rm > a / 2 && rm < a / sqrt(2.0));
    free(cn), free(g);
    rdf_free(r);
    system_free(s);
}

static void test_coordination_rocksalt_and_liquid(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(3, 6.02, 0.0, 1, &e);
    pcm_coord *c = coord_new(STRUCT_RC_GST, &e);
    assert_int_equal(coord_add(c, s, &e), 0);
    int ge = -1, te = -1, sb = -1;
    for (int k = 0; k < c->sp.n; k++) {
        if (!strcmp(c->sp.sym[k], "Ge")) ge = k;
        if (!strcmp(c->sp.sym[k], "Te")) te = k;
        if (!strcmp(c->sp.sym[k], "Sb")) sb = k;
    }
    assert_true(ge >= 0 && te >= 0 && sb >= 0);
    assert_true(fabs(coord_mean(c, ge, -1) - 6.0) < 1e-12);
    assert_true(fabs(coord_mean(c, ge, te) - 6.0) < 1e-12);
    assert_true(fabs(coord_mean(c, te, -1) - 6.0) < 1e-12);
    assert_true(fabs(coord_mean(c, te, ge) + coord_mean(c, te, sb) - 6.0) < 1e-12);
    coord_free(c);
    system_free(s);

    /* a liquid packing over two frames: bonds are symmetric (N_a CN_ab = N_b CN_ba)
     * and the coordination agrees with the running CN of the RDF at the cutoff */
    c = coord_new(3.15, &e);
    pcm_rdf *r = rdf_new(3.15, 0.005, &e);
    for (int f = 0; f < 2; f++) {
        s = build_liquid(600, 6.0, "Ge2Sb2Te5", 2.3, 3 + f, &e);
        assert_int_equal(coord_add(c, s, &e), 0);
        assert_int_equal(rdf_add(r, s, &e), 0);
        system_free(s);
    }
    for (int a = 0; a < c->sp.n; a++)
        for (int b = 0; b < c->sp.n; b++)
            assert_int_equal(c->nbond[a][b], c->nbond[b][a]);
    double *cn = malloc(r->nbins * sizeof *cn);
    for (int a = 0; a < r->sp.n; a++) {
        rdf_running_cn(r, a, -1, cn);
        int ca = -1;
        for (int k = 0; k < c->sp.n; k++)
            if (!strcmp(c->sp.sym[k], r->sp.sym[a]))
                ca = k;
        assert_true(fabs(cn[r->nbins - 1] - coord_mean(c, ca, -1)) < 1e-12);
        assert_true(coord_mean(c, ca, -1) > 1.0);
    }
    free(cn);
    rdf_free(r);
    coord_free(c);
}

static void test_angles_rocksalt(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_rocksalt(3, 6.02, 0.2, 4, &e);
    build_rattle(s, 0.02, 1);
    pcm_angles *ad = angles_new(3.15, 1.0, &e);
    assert_int_equal(angles_add(ad, s, &e), 0);
    int t = angles_find(ad, "Te-Ge-Te");
    assert_true(t >= 0);
    assert_int_equal(angles_find(ad, "Ge-Ge-Ge"), -1);  /* no Ge-Ge bonds in rocksalt */
    assert_int_equal(angles_find(ad, "nonsense"), -1);
    double *p = malloc(ad->nbins * sizeof *p);
    angles_get(ad, t, p);
    double tot = 0, near90 = 0, near180 = 0;
    for (int k = 0; k < ad->nbins; k++) {
        double th = (k + 0.5) * ad->dtheta;
        tot += p[k] * ad->dtheta;
        if (fabs(th - 90) < 5) near90 += p[k] * ad->dtheta;
        if (th > 170) near180 += p[k] * ad->dtheta;
    }
    assert_true(fabs(tot - 1.0) < 1e-12);
    /* a full octahedron has 15 pairs: 12 at 90°, 3 at 180° */
    assert_true(fabs(near90 - 0.8) < 1e-12);
    assert_true(fabs(near180 - 0.2) < 1e-12);
    double pk[3];
    int np = angles_peaks(ad, t, pk, 3);
    assert_int_equal(np, 2);
    assert_true(fabs(pk[0] - 90.0) < 2.0);
    assert_true(pk[1] > 175.0);
    /* Te-centred triplets see the vacancies but still only 90° and 180° */
    int u = angles_find(ad, "Ge-Te-Sb");
    assert_true(u >= 0);
    assert_true(angles_find(ad, "Sb-Te-Ge") == u);
    free(p);
    angles_free(ad);
    system_free(s);
}

static void test_sq_bragg_rocksalt(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    const double a = 6.02;
    const int cells = 5;
    /* perfect rocksalt, unit weights: a simple cubic lattice of spacing a/2,
     * so (200) at 4π/a carries S = N and (111) at 2π√3/a is extinct */
    pcm_system *s = build_rocksalt(cells, a, 0.0, 1, &e);
    int n200[3] = {2 * cells, 0, 0}, n111[3] = {cells, cells, cells}, n100[3] = {cells, 0, 0};
    assert_true(fabs(sq_single(s, n200) - s->n) < 1e-6 * s->n);
    assert_true(sq_single(s, n111) < 1e-12 * s->n);
    assert_true(sq_single(s, n100) < 1e-12 * s->n);
    pcm_sq *q = sq_new(5.0, 0.0, 0, 1, &e);
    assert_int_equal(sq_add(q, s, &e), 0);
    double qp, sp;
    assert_true(sq_peak(q, 1.0, &qp, &sp) >= 0);
    /* every bin is 0 except those holding reciprocal vectors of the a/2 cubic
     * lattice; the first is (200) at 4π/a (bin centre exactly, dq = 2π/(cells·a)) */
    int b200 = (int)floor(4 * M_PI / a / q->dq + 0.5), first = -1;
    assert_true(fabs(sq_q(q, b200) - 4 * M_PI / a) < 1e-9);
    for (int b = 0; b < q->nbins && first < 0; b++)
        if (q->nvec[b] && sq_get(q, -1, -1, b) > 1e-6)
            first = b;
    print_message("perfect rocksalt: first S(q) peak at %.4f 1/A (4pi/a = %.4f), S = %.2f; highest %.4f\n",
                  sq_q(q, first), 4 * M_PI / a, sq_get(q, -1, -1, first), qp);
    assert_int_equal(first, b200);
    double q1, s1;
    assert_int_equal(sq_first_peak(q, 1.0, &q1, &s1), b200);
    /* 3 of the half-space vectors in the bin are (200)-type, each S = N */
    assert_true(fabs(sq_get(q, -1, -1, b200) - 3.0 * s->n / q->nvec[b200]) < 1e-6 * s->n);
    int b111 = (int)floor(2 * M_PI * sqrt(3.0) / a / q->dq + 0.5);
    assert_true(b111 < b200 && q->nvec[b111] > 0);
    assert_true(sq_get(q, -1, -1, b111) < 1e-9);
    /* all-vector mode and a generous sampled mode agree where the sample is complete */
    pcm_sq *q2 = sq_new(5.0, 0.0, 100000, 1, &e);
    assert_int_equal(sq_add(q2, s, &e), 0);
    for (int b = 0; b < q->nbins; b++) {
        assert_int_equal(q->nvec[b], q2->nvec[b]);
        assert_true(fabs(sq_get(q, -1, -1, b) - sq_get(q2, -1, -1, b)) < 1e-8 * (1 + sq_get(q, -1, -1, b)));
    }
    sq_free(q2);
    sq_free(q);
    system_free(s);

    /* GST: with vacancies the (111) reflection appears: ρ(111) = N_Te - N_cation exactly */
    s = build_rocksalt(cells, a, 0.2, 3, &e);
    int nte = 0;
    for (int i = 0; i < s->n; i++)
        nte += !strcmp(s->species[s->type[i]], "Te");
    double d = nte - (s->n - nte);
    assert_true(fabs(sq_single(s, n111) - d * d / s->n) < 1e-6);
    assert_true(fabs(sq_single(s, n200) - s->n) < 1e-6 * s->n);
    system_free(s);
}

static void test_sq_liquid_and_threads(void **st)
{
    (void)st;
    pcm_err e = {{0}};
    pcm_system *s = build_liquid(500, 6.0, "Ge2Sb2Te5", 2.3, 9, &e);
    int nt = omp_get_max_threads();
    pcm_sq *q1 = sq_new(8.0, 0.0, 0, 1, &e), *q2 = sq_new(8.0, 0.0, 0, 1, &e);
    omp_set_num_threads(1);
    assert_int_equal(sq_add(q1, s, &e), 0);
    omp_set_num_threads(nt > 1 ? nt : 2);
    assert_int_equal(sq_add(q2, s, &e), 0);
    omp_set_num_threads(nt);
    assert_memory_equal(q1->s_sum, q2->s_sum, q1->nbins * sizeof *q1->s_sum);
    /* a disordered packing: S → 1 at large q, and Σ_ab c-weighted AL partials = S */
    double hi = 0;
    int nhi = 0;
    for (int b = 0; b < q1->nbins; b++)
        if (sq_q(q1, b) > 6.0) {
            hi += sq_get(q1, -1, -1, b);
            nhi++;
        }
    assert_true(fabs(hi / nhi - 1.0) < 0.05);
    int cnt[PCM_MAX_SPECIES] = {0};
    for (int i = 0; i < s->n; i++)
        cnt[s->type[i]]++; /* single frame: q1->sp follows s's order */
    for (int b = 1; b < q1->nbins; b++) {
        double sum = 0;
        for (int x = 0; x < q1->sp.n; x++)
            for (int y = 0; y < q1->sp.n; y++)
                sum += sqrt((double)cnt[x] * cnt[y]) / s->n * sq_get(q1, x, y, b);
        assert_true(fabs(sum - sq_get(q1, -1, -1, b)) < 1e-9 * (1 + sum));
        /* Faber–Ziman: S = 1 + Σ_ab c_a c_b (S^FZ_ab - 1) */
        double fz = 1.0;
        for (int x = 0; x < q1->sp.n; x++)
            for (int y = 0; y < q1->sp.n; y++)
                fz += (double)cnt[x] * cnt[y] / ((double)s->n * s->n) * (sq_get_fz(q1, x, y, b) - 1.0);
        assert_true(fabs(fz - sq_get(q1, -1, -1, b)) < 1e-9 * (1 + fz));
    }
    sq_free(q1);
    sq_free(q2);
    system_free(s);
}

static void test_msd_random_walk(void **st)
{
    (void)st;
    pcm_system *s = ideal_gas(3000, 40.0, 1);
    int n = s->n;
    double (*x0)[3] = malloc(n * sizeof *x0);
    memcpy(x0, s->x, n * sizeof *x0);
    /* pure translation: MSD = |d|² for every species */
    double (*x)[3] = malloc(n * sizeof *x), per[PCM_MAX_SPECIES];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            x[i][k] = x0[i][k] + (k + 1) * 0.5;
    assert_true(fabs(msd_compute(s, (const double(*)[3])x0, (const double(*)[3])x, per) - 3.5) < 1e-12);
    for (int k = 0; k < s->nspecies; k++)
        assert_true(fabs(per[k] - 3.5) < 1e-12);
    /* Brownian walk with D = 0.01 Å²/fs, steps of 10 fs: fitted D within 5 % */
    const double D = 0.01, dt = 10.0;
    pcm_rng r;
    rng_seed(&r, 5);
    memcpy(x, x0, n * sizeof *x);
    enum { NT = 200 };
    double t[NT], m[NT];
    for (int k = 0; k < NT; k++) {
        t[k] = k * dt;
        m[k] = msd_compute(s, (const double(*)[3])x0, (const double(*)[3])x, NULL);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                x[i][c] += sqrt(2 * D * dt) * rng_gauss(&r);
    }
    double Dfit = diffusion_fit(t, m, NT, 0.0);
    print_message("random walk: D = %.5f A^2/fs (set 0.01)\n", Dfit);
    assert_true(fabs(Dfit - D) < 0.05 * D);
    assert_true(diffusion_fit(t, m, NT, 1e9) < 0);
    free(x0), free(x);
    system_free(s);
}

static void test_green_kubo_ou_process(void **st)
{
    (void)st;
    /* Ornstein-Uhlenbeck stress with variance σ² and correlation time τ:
     * ⟨τ(0)τ(t)⟩ = σ² e^{-t/τ}, ∫ = σ² τ (window 10 τ: the tail is e^-10) */
    pcm_err e = {{0}};
    const double dt = 5.0, tau = 100.0, sigma = 2000.0; /* fs, fs, bar */
    pcm_gk *g = gk_new(dt, 1000.0, &e);
    assert_non_null(g);
    pcm_rng r;
    rng_seed(&r, 3);
    double a = exp(-dt / tau), b = sigma * sqrt(1 - a * a), p[6] = {0}, v[3] = {0};
    for (long k = 0; k < 400000; k++) {
        for (int c = 0; c < 3; c++)
            v[c] = a * v[c] + b * rng_gauss(&r);
        p[3] = v[0], p[4] = v[1], p[5] = v[2];
        gk_add(g, p);
    }
    assert_true(fabs(gk_acf(g, 0) / (sigma * sigma) - 1.0) < 0.03);
    double V = 30000.0, T = 900.0;
    double eta = gk_viscosity(g, V, T);
    /* trapezoid on a discrete exponential: σ² dt/2 · (1+a)/(1-a) */
    double expect = V / (PCM_KB * T) * sigma * sigma * dt * 0.5 * (1 + a) / (1 - a) * 1e-35 / 1.602176634e-19;
    print_message("Green-Kubo OU: eta = %.4g Pa s, expected %.4g\n", eta, expect);
    assert_true(fabs(eta / expect - 1.0) < 0.1);
    /* the running integral ends at η and follows σ²τ(1 - e^{-t/τ}) on the way: at t = τ */
    double run[200];
    assert_int_equal(g->nlag, 200);
    gk_eta_running(g, V, T, run);
    assert_true(run[0] == 0.0 && run[199] == eta);
    assert_true(fabs(run[20] / (expect * (1.0 - exp(-1.0))) - 1.0) < 0.1);
    gk_free(g);
    assert_null(gk_new(0.0, 10.0, &e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rdf_ideal_gas),
        cmocka_unit_test(test_rdf_rocksalt_shells),
        cmocka_unit_test(test_coordination_rocksalt_and_liquid),
        cmocka_unit_test(test_angles_rocksalt),
        cmocka_unit_test(test_sq_bragg_rocksalt),
        cmocka_unit_test(test_sq_liquid_and_threads),
        cmocka_unit_test(test_msd_random_walk),
        cmocka_unit_test(test_green_kubo_ou_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
