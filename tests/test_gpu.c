/* test_gpu.c - the CUDA backend and the host/device shared ACE code (ace_kernels.h).
 *
 * GPU vs CPU: energies, forces and virial of reference configurations agree to 1e-10
 * relative (skips with the reason when no GPU works: always on the CI machines).
 * CPU, always: the PCM_HD functions the kernels run, called directly here:
 *   - Ylm: closed forms for l <= 2, the addition theorem Σ_m |Y_lm|² = 2l+1 up to l = 20,
 *     dP̄/dz against finite differences;
 *   - spline: exact at the grid nodes, close to the analytic radial functions between them
 *     (r >= 1.5 Å);
 *   - embedding: dΦ/dρ against finite differences, Φ = ρ for m = 1;
 *   - one atom's energy assembled from ace_k_accum_A / ace_k_A_negm / ace_k_atom_embed
 *     equals the CPU evaluator's per-atom energy, and ace_k_pair_force equals its
 *     finite-difference gradient;
 *   - the device pipeline itself (the kernel bodies of ace_cuda.cu: geometry, atom stage in
 *     chunks, force stage, reverse-index gather) on host arrays equals the CPU evaluator.
 */
#include "testutil.h"

#include <math.h>

#include "ace.h"
#include "ace_basis.h"
#include "ace_dag.h"
#include "ace_gpu.h"
#include "ace_kernels.h"
#include "extxyz.h"
#include "gpu.h"
#include "neighbor.h"
#include "potential.h"
#include "rng.h"

static double urand(pcm_rng *r) { return rng_uniform(r); }

static void random_unit(pcm_rng *r, double u[3])
{
    double n;
    do {
        for (int c = 0; c < 3; c++)
            u[c] = 2 * urand(r) - 1;
        n = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    } while (n < 0.1 || n > 1);
    for (int c = 0; c < 3; c++)
        u[c] /= n;
}

/* ------------------------------------------------------------------ GPU vs CPU */

static void gpu_vs_cpu(void **state)
{
    (void)state;
    char why[256];
    if (!gpu_available(why, sizeof why)) {
        print_message("[ SKIP ] no usable GPU (%s): GPU vs CPU comparison not run\n", why);
        skip();
    }
    static const char *cases[][2] = {{"GeSbTe_synth_zbl_1200", "gst_liquid_100"},
                                     {"GeSbTe_synth_zbl", "gst_close_pairs_48"},
                                     {"GeSbTe_synth_diffndens_zbl", "gst_liquid_100"},
                                     {"GeSbTe_synth_distance", "gst_cluster_13"},
                                     {"Cu-PBE-core-rep", "cu_tric_27_perturbed"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char path[8192], rel[256];
        snprintf(rel, sizeof rel, "potentials/%s.yace", cases[k][0]);
        ACE_REF_PATH(path, rel);
        pcm_err e = {{0}};
        pcm_potential *cpu = ace_potential_load(path, &e), *gpu = ace_potential_load(path, &e);
        assert_non_null(cpu);
        assert_non_null(gpu);
        ace_potential_set_gpu(cpu, 0, why, sizeof why);
        if (!ace_potential_set_gpu(gpu, 1, why, sizeof why))
            fail_msg("GPU present but the backend failed: %s", why);
        pcm_system *a = test_load_ref_config(cases[k][1]), *b = system_copy(a);
        assert_int_equal(potential_eval_once(cpu, a, &e), 0);
        if (potential_eval_once(gpu, b, &e) != 0)
            fail_msg("%s", e.msg);
        double fm = 0, df = 0, wmax = 0, dw = 0;
        for (int i = 0; i < a->n; i++)
            for (int c = 0; c < 3; c++) {
                fm = fmax(fm, fabs(a->f[i][c]));
                df = fmax(df, fabs(a->f[i][c] - b->f[i][c]));
            }
        for (int c = 0; c < 6; c++) {
            wmax = fmax(wmax, fabs(a->virial[c]));
            dw = fmax(dw, fabs(a->virial[c] - b->virial[c]));
        }
        print_message("%s/%s: dE %.3g eV, max dF %.3g eV/Å, max dW %.3g eV\n", cases[k][0], cases[k][1],
                      fabs(a->energy - b->energy), df, dw);
        assert_true(fabs(a->energy - b->energy) <= 1e-10 * fabs(a->energy));
        assert_true(df <= 1e-10 * fm);
        assert_true(dw <= 1e-10 * wmax);
        system_free(a);
        system_free(b);
        potential_free(cpu);
        potential_free(gpu);
    }
}

/* Without a GPU, asking for it keeps the CPU backend and says why. */
static void gpu_fallback(void **state)
{
    (void)state;
    char why[256], note[320];
    int ok = gpu_available(why, sizeof why);
    assert_int_equal(gpu_notice(note, sizeof note), ok);
    assert_null(strchr(note, '\n'));
    if (ok)
        skip();
    assert_non_null(strstr(note, "no usable GPU ("));
    assert_non_null(strstr(note, "running on the CPU"));
    char path[8192];
    ACE_REF_PATH(path, "potentials/Cu-PBE-core-rep.yace");
    pcm_err e = {{0}};
    pcm_potential *p = ace_potential_load(path, &e);
    assert_non_null(p);
    assert_int_equal(ace_potential_set_gpu(p, 1, why, sizeof why), 0);
    assert_true(strlen(why) > 0);
    assert_int_equal(ace_potential_on_gpu(p), 0);
    potential_free(p);
}

/* ------------------------------------------------------------------ shared functions */

static void ylm_shared(void **state)
{
    (void)state;
    const ace_ylm_coef *cf = ace_ylm_coefs();
    pcm_rng r;
    rng_seed(&r, 6);
    enum { LM = ACE_K_LMAX, NLM = (LM + 1) * (LM + 2) / 2 };
    double pp[NLM][2], ph[LM + 1][2];
    ace_c2_t y[NLM];
    double maxerr = 0, maxsum = 0, maxd = 0;
    for (int t = 0; t < 200; t++) {
        double u[3];
        random_unit(&r, u);
        ace_k_ylm_pair(cf, LM, u, pp, ph, y);
        double x = u[0], yy = u[1], z = u[2];
        /* closed forms (PACE normalisation = sqrt(4π) × standard) */
        double w2r = x * x - yy * yy, w2i = 2 * x * yy;
        double ref[6][2] = {{1, 0},
                            {sqrt(3.0) * z, 0},
                            {-sqrt(1.5) * x, -sqrt(1.5) * yy},
                            {sqrt(5.0) / 2 * (3 * z * z - 1), 0},
                            {-sqrt(7.5) * z * x, -sqrt(7.5) * z * yy},
                            {sqrt(15.0 / 8) * w2r, sqrt(15.0 / 8) * w2i}};
        for (int k = 0; k < 6; k++)
            for (int c = 0; c < 2; c++)
                maxerr = fmax(maxerr, fabs(y[k][c] - ref[k][c]));
        /* addition theorem over m = -l..l: |Y_l,-m| = |Y_lm| */
        for (int l = 0; l <= LM; l++) {
            double sum = 0;
            for (int m = 0; m <= l; m++) {
                const ace_c2_t v = y[l * (l + 1) / 2 + m];
                sum += (m ? 2 : 1) * (v[0] * v[0] + v[1] * v[1]);
            }
            maxsum = fmax(maxsum, fabs(sum - (2 * l + 1)) / (2 * l + 1));
        }
        /* dP̄/dz by central differences (P̄ depends on z only) */
        double h = 1e-6, up[3] = {x, yy, z + h}, dn[3] = {x, yy, z - h};
        double pp1[NLM][2], pp0[NLM][2], ph1[LM + 1][2];
        ace_k_ylm_parts(cf, 8, up, pp1, ph1);
        ace_k_ylm_parts(cf, 8, dn, pp0, ph1);
        for (int lm = 0; lm < 45; lm++)
            maxd = fmax(maxd, fabs((pp1[lm][0] - pp0[lm][0]) / (2 * h) - pp[lm][1]) / (1 + fabs(pp[lm][1])));
    }
    print_message("Ylm: closed forms %.2g, addition theorem (l<=20) %.2g, dP/dz %.2g\n", maxerr, maxsum, maxd);
    assert_true(maxerr < 1e-14);
    assert_true(maxsum < 1e-12);
    assert_true(maxd < 1e-6);
}

static void embed_shared(void **state)
{
    (void)state;
    double F, dF;
    ace_k_embed(ACE_EMB_FS_SHIFTED_SCALED, 0.37, 1.0, &F, &dF);
    assert_true(F == 0.37 && dF == 1);
    double maxd = 0;
    for (int npoti = 0; npoti < 2; npoti++)
        for (double m = 0.5; m <= 2.01; m += 0.25)
            for (double rho = -3; rho <= 3; rho += 0.37) {
                double h = 1e-6, Fp, Fm, d;
                ace_k_embed(npoti, rho, m, &F, &dF);
                ace_k_embed(npoti, rho + h, m, &Fp, &d);
                ace_k_embed(npoti, rho - h, m, &Fm, &d);
                maxd = fmax(maxd, fabs((Fp - Fm) / (2 * h) - dF) / (1 + fabs(dF)));
            }
    print_message("embedding dF/drho vs finite differences: %.2g\n", maxd);
    assert_true(maxd < 1e-6);
}

static ace_basis *load_basis(const char *name)
{
    char path[8192], rel[256];
    snprintf(rel, sizeof rel, "potentials/%s.yace", name);
    ACE_REF_PATH(path, rel);
    pcm_err e = {{0}};
    ace_basis *b = ace_basis_load(path, &e);
    if (!b)
        fail_msg("%s", e.msg);
    return b;
}

static void spline_shared(void **state)
{
    (void)state;
    ace_basis *b = load_basis("GeSbTe_synth_zbl");
    int nf = ace_nf(b), nel = b->nelements;
    double *v = malloc(4 * nf * sizeof *v), *dv = v + nf, *a = v + 2 * nf, *da = v + 3 * nf;
    double node = 0, mid = 0, scale = 0;
    for (int p = 0; p < nel * nel; p++) {
        const ace_spline *sp = &b->splines[p];
        for (int n = 1; n < sp->nlut; n += 7) {
            double r = n / sp->rscale;
            ace_radial_analytic(b, p / nel, p % nel, r, a, da);
            /* r_n·rscale may round just below n: evaluate at the node from inside its bin */
            assert_int_equal(ace_k_spline_eval(sp->c, sp->nlut, sp->rscale, nf, r * (1 + 1e-15), v, dv), 0);
            for (int f = 0; f < nf; f++) {
                node = fmax(node, fabs(v[f] - a[f]) / (1 + fabs(a[f])));
                scale = fmax(scale, fabs(a[f]));
            }
            double rm = (n + 0.5) / sp->rscale;
            if (rm < 1.5) /* the steep ZBL core near r = Δ is interpolated coarsely (as in ML-PACE) */
                continue;
            ace_radial_analytic(b, p / nel, p % nel, rm, a, da);
            ace_k_spline_eval(sp->c, sp->nlut, sp->rscale, nf, rm, v, dv);
            for (int f = 0; f < nf; f++)
                mid = fmax(mid, fabs(v[f] - a[f]) / (1 + fabs(a[f])));
        }
        assert_int_equal(ace_k_spline_eval(sp->c, sp->nlut, sp->rscale, nf, 0.5 / sp->rscale, v, dv), -1);
        ace_k_spline_eval(sp->c, sp->nlut, sp->rscale, nf, b->bonds[p].rcut + 0.1, v, dv);
        for (int f = 0; f < nf; f++)
            assert_true(v[f] == 0 && dv[f] == 0);
    }
    print_message("spline vs analytic: nodes %.2g, bin centres %.2g (functions up to %.3g)\n", node, mid, scale);
    assert_true(node < 1e-12);
    assert_true(mid < 1e-8);
    free(v);
    ace_basis_free(b);
}

/* E_i of one centre from the shared stages; W, W1, at out for the force check. */
typedef struct {
    const ace_basis *b;
    ace_prog *pg;
    int mu_i, nn, K, N, L, nlm, nf, NA;
    const int *mu;
    ace_c2_t *X, *G, *W, *y, *T;
    double *A1, *W1, *val, *dval, (*pp)[2], (*ph)[2], rho[8], dF[8];
    ace_katom at;
    int jmin;
} atom_ctx;

static double atom_energy(atom_ctx *c, double (*d)[3])
{
    const ace_basis *b = c->b;
    int nel = b->nelements;
    memset(c->X, 0, (size_t)c->NA * sizeof *c->X);
    memset(c->A1, 0, (size_t)nel * c->K * sizeof *c->A1);
    double rho_core = 0, dmin = b->cutoffmax;
    c->jmin = -1;
    for (int k = 0; k < c->nn; k++) {
        double r = sqrt(d[k][0] * d[k][0] + d[k][1] * d[k][1] + d[k][2] * d[k][2]);
        const ace_bond *bd = &b->bonds[c->mu_i * nel + c->mu[k]];
        if (r >= bd->rcut)
            continue;
        double dd = r - (bd->rcut_in - bd->dcut_in);
        if (dd < dmin) {
            dmin = dd;
            c->jmin = k;
        }
        double rh[3] = {d[k][0] / r, d[k][1] / r, d[k][2] / r};
        const ace_spline *sp = &b->splines[c->mu_i * nel + c->mu[k]];
        assert_int_equal(ace_k_spline_eval(sp->c, sp->nlut, sp->rscale, c->nf, r, c->val, c->dval), 0);
        ace_k_ylm_pair(ace_ylm_coefs(), b->lmax, rh, c->pp, c->ph, c->y);
        ace_k_accum_A(c->K, c->N, c->L, c->val, c->y, &c->A1[c->mu[k] * c->K],
                      &c->X[ace_aidx(b, c->mu[k], 0, 0, 0)]);
        rho_core += c->val[c->K + c->N * c->L];
    }
    ace_k_A_negm(nel, c->N, c->L, c->X);
    ace_kprog kp = ace_prog_view(c->pg);
    const ace_embedding *em = &b->emb[c->mu_i];
    ace_kemb kem = {.npoti = em->npoti, .rho_core_cut = em->rho_core_cut, .drho_core_cut = em->drho_core_cut};
    for (int p = 0; p < 2 * kp.P; p++)
        kem.fs[p] = em->fs[p];
    c->at = (ace_katom){.is_zbl = b->inner_type == ACE_INNER_ZBL, .has_jmin = c->jmin >= 0, .dmin = dmin,
                        .rho_core = rho_core};
    if (c->jmin >= 0)
        c->at.zbl_dcut_in = b->bonds[c->mu_i * nel + c->mu[c->jmin]].dcut_in;
    ace_k_atom_embed(&kp, &kem, nel, c->K, c->N, c->L, c->X, c->G, c->A1, c->W1, c->W, c->rho, c->dF, &c->at);
    return c->at.E + b->E0[c->mu_i];
}

static void atom_shared(void **state)
{
    (void)state;
    char path[8192];
    ACE_REF_PATH(path, "potentials/GeSbTe_synth_zbl_1200.yace");
    pcm_err e = {{0}};
    ace_basis *b = load_basis("GeSbTe_synth_zbl_1200");
    pcm_potential *p = ace_potential_load(path, &e);
    assert_non_null(p);
    pcm_system *s = test_load_ref_config("gst_liquid_100");
    assert_int_equal(potential_eval_once(p, s, &e), 0);
    int tmap[PCM_MAX_SPECIES];
    assert_int_equal(ace_type_map(b, s, tmap, &e), 0);
    pcm_nlist *nl = nl_new(p->rcut, 0.0);
    nl_build(nl, s);
    ace_prog prog[PCM_MAX_SPECIES];
    for (int mu = 0; mu < b->nelements; mu++)
        ace_prog_build(b, mu, &prog[mu]);
    atom_ctx c = {.b = b, .K = b->nradbase, .N = b->nradmax > 0 ? b->nradmax : 1, .L = b->lmax + 1};
    c.nlm = c.L * (c.L + 1) / 2;
    c.nf = ace_nf(b);
    c.NA = ace_nA(b);
    int maxnode = 1;
    for (int mu = 0; mu < b->nelements; mu++)
        maxnode = prog[mu].nnode > maxnode ? prog[mu].nnode : maxnode;
    c.X = malloc((size_t)(c.NA + maxnode) * sizeof *c.X);
    c.G = malloc((size_t)(c.NA + maxnode) * sizeof *c.G);
    c.W = malloc((size_t)b->nelements * c.N * c.nlm * sizeof *c.W);
    c.y = malloc((size_t)c.nlm * sizeof *c.y);
    c.T = malloc((size_t)2 * c.nlm * sizeof *c.T);
    c.A1 = malloc((size_t)b->nelements * c.K * sizeof *c.A1);
    c.W1 = malloc((size_t)b->nelements * c.K * sizeof *c.W1);
    c.val = malloc((size_t)2 * c.nf * sizeof *c.val);
    c.dval = c.val + c.nf;
    c.pp = malloc((size_t)c.nlm * sizeof *c.pp);
    c.ph = malloc((size_t)c.L * sizeof *c.ph);
    double maxE = 0, maxF = 0, fscale = 0;
    for (int i = 0; i < s->n; i += 9) {
        int q0 = nl->start[i], nn = nl->start[i + 1] - q0;
        int *mu = malloc((size_t)nn * sizeof *mu);
        double(*d)[3] = malloc((size_t)nn * sizeof *d);
        for (int k = 0; k < nn; k++) {
            mu[k] = tmap[s->type[nl->j[q0 + k]]];
            memcpy(d[k], nl->d[q0 + k], sizeof d[k]);
        }
        c.mu_i = tmap[s->type[i]];
        c.pg = &prog[c.mu_i];
        c.nn = nn;
        c.mu = mu;
        double E = atom_energy(&c, d);
        maxE = fmax(maxE, fabs(E - s->pe[i]));
        /* the pair force of every neighbour vs central differences of E_i */
        ace_katom at = c.at;
        double *W1 = malloc((size_t)b->nelements * c.K * sizeof *W1);
        ace_c2_t *W = malloc((size_t)b->nelements * c.N * c.nlm * sizeof *W);
        memcpy(W1, c.W1, (size_t)b->nelements * c.K * sizeof *W1);
        memcpy(W, c.W, (size_t)b->nelements * c.N * c.nlm * sizeof *W);
        int jmin = c.jmin;
        for (int k = 0; k < nn; k += 3) {
            double r = sqrt(d[k][0] * d[k][0] + d[k][1] * d[k][1] + d[k][2] * d[k][2]);
            if (r >= b->bonds[c.mu_i * b->nelements + mu[k]].rcut)
                continue;
            double rh[3] = {d[k][0] / r, d[k][1] / r, d[k][2] / r}, f[3];
            const ace_spline *sp = &b->splines[c.mu_i * b->nelements + mu[k]];
            ace_k_spline_eval(sp->c, sp->nlut, sp->rscale, c.nf, r, c.val, c.dval);
            ace_k_ylm_pair(ace_ylm_coefs(), b->lmax, rh, c.pp, c.ph, c.y);
            ace_k_pair_force(c.K, c.N, c.L, c.val, c.dval, c.y, (const double(*)[2])c.pp, (const double(*)[2])c.ph,
                             rh, r, &W1[mu[k] * c.K], &W[(size_t)mu[k] * c.N * c.nlm], at.dE_dcore, k == jmin,
                             at.dE_dfcut, c.T, f);
            for (int a = 0; a < 3; a++) {
                double h = 1e-5, save = d[k][a];
                d[k][a] = save + h;
                double Ep = atom_energy(&c, d);
                d[k][a] = save - h;
                double Em = atom_energy(&c, d);
                d[k][a] = save;
                maxF = fmax(maxF, fabs((Ep - Em) / (2 * h) - f[a]));
                fscale = fmax(fscale, fabs(f[a]));
            }
        }
        free(W1);
        free(W);
        free(mu);
        free(d);
    }
    print_message("shared per-atom stages: |E_i - CPU E_i| %.2g eV; pair force vs FD %.2g eV/Å (scale %.3g)\n", maxE,
                  maxF, fscale);
    assert_true(maxE == 0); /* the CPU evaluator runs the same functions in the same order */
    assert_true(maxF < 1e-5 * (1 + fscale));
    free(c.X), free(c.G), free(c.W), free(c.y), free(c.T), free(c.A1), free(c.W1), free(c.val), free(c.pp);
    free(c.ph);
    for (int mu = 0; mu < b->nelements; mu++)
        ace_prog_free(&prog[mu]);
    nl_free(nl);
    system_free(s);
    potential_free(p);
    ace_basis_free(b);
}

/* The whole device data flow (ace_cuda.cu's kernel bodies: geometry, atom stage in chunks,
 * force stage, gather, host sums) run on host arrays, against the CPU evaluator. */
static void pipeline_case(const char *pot, const char *cfg, int chunk)
{
    char path[8192], rel[256];
    snprintf(rel, sizeof rel, "potentials/%s.yace", pot);
    ACE_REF_PATH(path, rel);
    pcm_err e = {{0}};
    ace_basis *b = load_basis(pot);
    pcm_potential *p = ace_potential_load(path, &e);
    assert_non_null(p);
    pcm_system *s = test_load_ref_config(cfg);
    assert_int_equal(potential_eval_once(p, s, &e), 0);
    int tmap[PCM_MAX_SPECIES];
    assert_int_equal(ace_type_map(b, s, tmap, &e), 0);
    pcm_nlist *nl = nl_new(p->rcut, 0.3);
    nl_build(nl, s);
    ace_prog prog[PCM_MAX_SPECIES];
    for (int mu = 0; mu < b->nelements; mu++)
        ace_prog_build(b, mu, &prog[mu]);
    ace_khost h;
    char why[256];
    assert_int_equal(ace_khost_init(&h, b, prog, why, sizeof why), 0);
    const ace_kparams *kp = &h.kp;
    int n = s->n;
    long np = nl->npairs;
    int *ii = malloc(np * sizeof *ii), *rq = malloc(np * sizeof *rq), *rstart = malloc((n + 1) * sizeof *rstart);
    int *mu = malloc(n * sizeof *mu), *jmin = malloc(chunk * sizeof *jmin);
    double *d = malloc(np * 3 * sizeof *d), *fij = malloc(np * 3 * sizeof *fij), *pe = malloc(n * sizeof *pe);
    double *f = malloc(n * 3 * sizeof *f), *wv = malloc(n * 6 * sizeof *wv), *dE = malloc(chunk * 3 * sizeof *dE);
    double *scr = malloc((size_t)chunk * kp->a_stride * sizeof *scr), *ps = malloc(kp->p_stride * sizeof *ps);
    ace_k_index(nl, ii, rstart, rq);
    for (int i = 0; i < n; i++)
        mu[i] = tmap[s->type[i]];
    for (long q = 0; q < np; q++)
        ace_k_geom(q, nl->j, &nl->shift[0][0], ii, &s->x[0][0], &s->cell.h[0][0], d);
    for (int a0 = 0; a0 < n; a0 += chunk) {
        int a1 = a0 + chunk < n ? a0 + chunk : n;
        for (int i = a0; i < a1; i++)
            assert_int_equal(ace_k_atom_stage(kp, i, a0, nl->start, nl->j, mu, d, scr, pe, dE, jmin), 0);
        for (long q = nl->start[a0]; q < nl->start[a1]; q++) /* reversed: order must not matter */
            ace_k_force_stage(kp, nl->start[a1] - 1 - (q - nl->start[a0]), a0, ii, nl->j, mu, d, scr, dE, jmin, ps,
                              fij);
    }
    double E = 0, W[6] = {0}, dEi = 0, df = 0, fm = 0, dw = 0, wm = 0;
    for (int i = 0; i < n; i++) {
        ace_k_gather(i, nl->start, rstart, rq, d, fij, f, wv);
        E += pe[i];
        dEi = fmax(dEi, fabs(pe[i] - s->pe[i]));
        for (int c = 0; c < 6; c++)
            W[c] += wv[6 * i + c];
        for (int c = 0; c < 3; c++) {
            df = fmax(df, fabs(f[3 * i + c] - s->f[i][c]));
            fm = fmax(fm, fabs(s->f[i][c]));
        }
    }
    for (int c = 0; c < 6; c++) {
        dw = fmax(dw, fabs(W[c] - s->virial[c]));
        wm = fmax(wm, fabs(s->virial[c]));
    }
    print_message("device pipeline on the CPU, %s/%s (chunks of %d): dE %.2g eV, max dE_i %.2g, max dF %.2g "
                  "(of %.3g) eV/Å, max dW %.2g (of %.3g) eV\n",
                  pot, cfg, chunk, fabs(E - s->energy), dEi, df, fm, dw, wm);
    assert_true(fabs(E - s->energy) <= 1e-12 * fabs(s->energy));
    assert_true(df <= 1e-12 * fm);
    assert_true(dw <= 1e-12 * wm);
    free(ii), free(rq), free(rstart), free(mu), free(jmin), free(d), free(fij), free(pe), free(f), free(wv);
    free(dE), free(scr), free(ps);
    ace_khost_free(&h);
    for (int m = 0; m < b->nelements; m++)
        ace_prog_free(&prog[m]);
    nl_free(nl);
    system_free(s);
    potential_free(p);
    ace_basis_free(b);
}

static void pipeline_shared(void **state)
{
    (void)state;
    pipeline_case("GeSbTe_synth_zbl_1200", "gst_liquid_100", 7);
    pipeline_case("GeSbTe_synth_zbl", "gst_close_pairs_48", 5);
    pipeline_case("GeSbTe_synth_diffndens_zbl", "gst_cluster_13", 4);
    pipeline_case("GeSbTe_synth_distance", "gst_liquid_100", 64);
    pipeline_case("GeSbTe_synth_density", "gst_liquid_100", 100);
    pipeline_case("Cu-PBE-core-rep", "cu_tric_27_perturbed", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpu_vs_cpu),   cmocka_unit_test(gpu_fallback), cmocka_unit_test(ylm_shared),
        cmocka_unit_test(embed_shared), cmocka_unit_test(spline_shared), cmocka_unit_test(atom_shared), cmocka_unit_test(pipeline_shared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
