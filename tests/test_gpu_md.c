/* test_gpu_md.c - the device MD path (md_dev.h) without a GPU: its CPU backend runs the
 * host/device functions the CUDA kernels run (md_kernels.h, nl_kernels.h, ace_kernels.h),
 * stage by stage, with the same fixed-shape reductions and sorted atomic fills.
 *   - neighbour lists built by the device algorithm equal nl_build's, order included, on
 *     triclinic cells, cells smaller than 2 rc (1 and 3 atoms: images of i itself) and
 *     atoms far outside the cell;
 *   - ACE energies, forces and virial from the device list through the device ACE
 *     pipeline match the CPU evaluator to round-off;
 *   - MD: the device step (kicks, drift, skin test, rebuilds, Bussi from the reduced
 *     kinetic energy) gives bit-identical trajectories to md.c's host loop with the same
 *     forces, and agrees to round-off with the device ACE kernels;
 *   - chunks, host edits between chunks, blow-up rollback, fallbacks.
 * With a GPU present, the same MD comparison runs on it (skips otherwise).
 * Skips when ../shared is absent.
 */
#include "testutil.h"

#include <math.h>

#include "ace.h"
#include "build.h"
#include "extxyz.h"
#include "gpu.h"
#include "md.h"
#include "md_dev.h"
#include "md_kernels.h"
#include "neighbor.h"
#include "potential.h"
#include "rng.h"
#include "units.h"

static pcm_potential *load_pot(const char *name)
{
    char path[8192], rel[256];
    snprintf(rel, sizeof rel, "potentials/%s.yace", name);
    ACE_REF_PATH(path, rel);
    pcm_err e = {{0}};
    pcm_potential *p = ace_potential_load(path, &e);
    if (!p)
        fail_msg("%s", e.msg);
    char why[256];
    ace_potential_set_gpu(p, 0, why, sizeof why); /* the CPU reference, even when PCM_GPU=1 */
    return p;
}

/* Device-built list vs nl_build, exactly. */
static void list_case(pcm_potential *pot, pcm_system *s, double skin, const char *label)
{
    pcm_err e = {{0}};
    assert_int_equal(potential_bind(pot, s, &e), 0);
    char why[256];
    mdd *d = mdd_new(MDD_HOST, MDD_FORCES_POTENTIAL, pot, s, skin, why, sizeof why);
    assert_non_null(d);
    assert_int_equal(mdd_upload(d, s, why, sizeof why), 0);
    assert_int_equal(mdd_refresh(d, 0.0, why, sizeof why), 1);
    pcm_nlist *ref = nl_new(pot->rcut, skin), *dev = nl_new(pot->rcut, skin);
    nl_build(ref, s);
    assert_int_equal(mdd_get_list(d, dev, s), 0);
    print_message("device list %-32s %4d atoms: %ld pairs (nl_build %ld)\n", label, s->n, dev->npairs, ref->npairs);
    assert_true(ref->npairs > 0);
    assert_int_equal(dev->npairs, ref->npairs);
    assert_memory_equal(dev->start, ref->start, (size_t)(s->n + 1) * sizeof(int));
    assert_memory_equal(dev->j, ref->j, (size_t)ref->npairs * sizeof(int));
    assert_memory_equal(dev->shift, ref->shift, (size_t)ref->npairs * 3 * sizeof(int));
    /* a skin test on the device: a move of 0.4 skin keeps the list, 0.6 skin rebuilds */
    assert_int_equal(mdd_refresh(d, pow(0.4 * skin, 2), why, sizeof why), 0);
    assert_int_equal(mdd_refresh(d, pow(0.6 * skin, 2), why, sizeof why), 1);
    assert_int_equal(mdd_nbuilds(d), 2);
    nl_free(ref);
    nl_free(dev);
    mdd_free(d);
}

static void device_list(void **state)
{
    (void)state;
    pcm_potential *cu = load_pot("Cu-PBE-core-rep"), *gst = load_pot("GeSbTe_synth_zbl");
    static const char *cu_cfg[] = {"cu_prim_1_triclinic", "cu_tric_27_perturbed"};
    static const char *gst_cfg[] = {"gst_tiny_triclinic_3", "gst_liquid_96_triclinic", "gst_liquid_100",
                                    "gst_rocksalt_194"};
    for (int k = 0; k < 2; k++) {
        pcm_system *s = test_load_ref_config(cu_cfg[k]);
        list_case(cu, s, 0.7, cu_cfg[k]);
        system_free(s);
    }
    for (int k = 0; k < 4; k++) {
        pcm_system *s = test_load_ref_config(gst_cfg[k]);
        if (k == 1) /* atoms far outside the cell: wrap shifts enter the pair shifts */
            for (int i = 0; i < s->n; i += 5)
                for (int c = 0; c < 3; c++)
                    s->x[i][c] += (i % 3 - 1) * 2 * s->cell.h[0][c] - 3 * s->cell.h[2][c];
        list_case(gst, s, k == 3 ? 0.3 : 1.0, gst_cfg[k]);
        system_free(s);
    }
    potential_free(cu);
    potential_free(gst);
}

/* ACE from the device list through the device ACE pipeline vs the CPU evaluator. */
static void device_ace(void **state)
{
    (void)state;
    static const char *cases[][2] = {{"GeSbTe_synth_zbl_1200", "gst_liquid_96_triclinic"},
                                     {"GeSbTe_synth_zbl", "gst_tiny_triclinic_3"},
                                     {"GeSbTe_synth_zbl", "gst_close_pairs_48"},
                                     {"Cu-PBE-core-rep", "cu_tric_27_perturbed"}};
    for (int k = 0; k < 4; k++) {
        pcm_potential *p = load_pot(cases[k][0]);
        pcm_system *a = test_load_ref_config(cases[k][1]), *b = system_copy(a);
        pcm_err e = {{0}};
        assert_int_equal(potential_eval_once(p, a, &e), 0);
        assert_int_equal(potential_bind(p, b, &e), 0);
        char why[256];
        mdd *d = mdd_new(MDD_HOST, MDD_FORCES_DEVICE, p, b, 0.5, why, sizeof why);
        assert_non_null(d);
        assert_int_equal(mdd_upload(d, b, why, sizeof why), 0);
        assert_int_equal(mdd_refresh(d, 0.0, why, sizeof why), 1);
        assert_int_equal(mdd_forces(d, why, sizeof why), 0);
        assert_int_equal(mdd_download(d, b, why, sizeof why), 0);
        double fm = 0, df = 0, wm = 0, dw = 0;
        for (int i = 0; i < a->n; i++)
            for (int c = 0; c < 3; c++) {
                fm = fmax(fm, fabs(a->f[i][c]));
                df = fmax(df, fabs(a->f[i][c] - b->f[i][c]));
            }
        for (int c = 0; c < 6; c++) {
            wm = fmax(wm, fabs(a->virial[c]));
            dw = fmax(dw, fabs(a->virial[c] - b->virial[c]));
        }
        print_message("device list + ACE kernels %s/%s: dE %.2g eV, max dF %.2g (of %.3g) eV/Å, dW %.2g (of %.3g)\n",
                      cases[k][0], cases[k][1], fabs(a->energy - b->energy), df, fm, dw, wm);
        assert_true(fabs(a->energy - b->energy) <= 1e-12 * fabs(a->energy));
        assert_true(df <= 1e-12 * fm);
        assert_true(dw <= 1e-12 * wm);
        mdd_free(d);
        system_free(a);
        system_free(b);
        potential_free(p);
    }
}

/* ------------------------------------------------------------------ MD */

typedef struct {
    pcm_system *s;
    pcm_md *md;
} run;

static run start_run(pcm_potential *p, const char *cfg, pcm_ensemble ens, double skin, int dev_mode)
{
    run r;
    pcm_err e = {{0}};
    r.s = test_load_ref_config(cfg);
    pcm_md_params mp;
    md_params_default(&mp);
    mp.ensemble = ens;
    mp.T = 900.0;
    mp.tau_T = 20.0;
    mp.skin = skin;
    mp.seed = 11;
    r.md = md_new(r.s, p, &mp, &e);
    assert_non_null(r.md);
    md_init_velocities(r.md, 900.0, 3);
    if (dev_mode != MD_DEVICE_OFF && md_use_device(r.md, dev_mode, &e) != 0)
        fail_msg("%s", e.msg);
    return r;
}

static void end_run(run *r)
{
    md_free(r->md);
    system_free(r->s);
}

static double maxdiff(double (*a)[3], double (*b)[3], int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            m = fmax(m, fabs(a[i][c] - b[i][c]));
    return m;
}

/* Same forces (the potential on the device-built list): bit-identical trajectories. */
static void md_identical(void **state)
{
    (void)state;
    pcm_potential *p = load_pot("GeSbTe_synth_zbl");
    pcm_err e = {{0}};
    for (int ens = 0; ens < 2; ens++) {
        pcm_ensemble en = ens ? PCM_NVT_BUSSI : PCM_NVE;
        run a = start_run(p, "gst_liquid_96_triclinic", en, 0.15, MD_DEVICE_OFF);
        run b = start_run(p, "gst_liquid_96_triclinic", en, 0.15, MD_DEVICE_HOST_POTENTIAL);
        assert_int_equal(md_device_mode(b.md), MD_DEVICE_HOST_POTENTIAL);
        for (int c = 0; c < 3; c++) { /* chunks: the device state persists between them */
            assert_int_equal(md_step(a.md, 10, &e), 0);
            assert_int_equal(md_step(b.md, 10, &e), 0);
        }
        /* both: the build in md_new; the device path builds once more at its first upload */
        long na = md_nl_builds(a.md) - 1, nb = md_nl_builds(b.md) - 1;
        print_message("%s, 30 steps, skin 0.15 Å: list rebuilds host %ld, device %ld + 1 at upload; max |dx| %.2g Å, |dv| %.2g, "
                      "dE %.2g eV, conserved %.10g vs %.10g eV\n",
                      md_ensemble_name(en), na, nb - 1, maxdiff(a.s->x, b.s->x, a.s->n), maxdiff(a.s->v, b.s->v, a.s->n),
                      fabs(a.s->energy - b.s->energy), md_conserved(a.md), md_conserved(b.md));
        assert_true(nb >= 3); /* the skin test fired on the device */
        assert_int_equal(na + 1, nb);
        assert_memory_equal(a.s->x, b.s->x, (size_t)a.s->n * sizeof *a.s->x);
        assert_memory_equal(a.s->v, b.s->v, (size_t)a.s->n * sizeof *a.s->v);
        assert_memory_equal(a.s->f, b.s->f, (size_t)a.s->n * sizeof *a.s->f);
        assert_memory_equal(a.s->pe, b.s->pe, (size_t)a.s->n * sizeof *a.s->pe);
        assert_true(a.s->energy == b.s->energy);
        assert_memory_equal(a.s->virial, b.s->virial, sizeof a.s->virial);
        assert_true(md_conserved(a.md) == md_conserved(b.md));
        assert_true(a.s->step == b.s->step && a.s->time == b.s->time);
        end_run(&a);
        end_run(&b);
    }
    potential_free(p);
}

/* The device ACE kernels in the loop: round-off agreement, and the drift of NVE. */
static void md_ace_kernels(void **state)
{
    (void)state;
    pcm_potential *p = load_pot("GeSbTe_synth_zbl");
    pcm_err e = {{0}};
    run a = start_run(p, "gst_rocksalt_194", PCM_NVE, 0.3, MD_DEVICE_OFF);
    run b = start_run(p, "gst_rocksalt_194", PCM_NVE, 0.3, MD_DEVICE_HOST);
    double c0 = md_conserved(b.md), cmax = 0;
    for (int c = 0; c < 4; c++) {
        assert_int_equal(md_step(a.md, 5, &e), 0);
        assert_int_equal(md_step(b.md, 5, &e), 0);
        cmax = fmax(cmax, fabs(md_conserved(b.md) - c0) / b.s->n);
    }
    double dx = maxdiff(a.s->x, b.s->x, a.s->n), df = maxdiff(a.s->f, b.s->f, a.s->n);
    print_message("device ACE kernels in MD, 20 steps NVE: max |dx| %.2g Å, |dF| %.2g eV/Å, dE %.2g eV; "
                  "conserved drift %.2g eV/atom; builds %ld\n",
                  dx, df, fabs(a.s->energy - b.s->energy), cmax, md_nl_builds(b.md));
    assert_true(dx < 1e-10);
    assert_true(df < 1e-8);
    assert_true(fabs(a.s->energy - b.s->energy) < 1e-9 * fabs(a.s->energy));
    assert_true(cmax < 2e-3);
    end_run(&a);
    end_run(&b);
    potential_free(p);
}

/* Host edits between chunks are uploaded; a blow-up rolls back; unsupported ensembles
 * and a missing GPU fall back to the host loop. */
static void md_host_edits_and_fallbacks(void **state)
{
    (void)state;
    pcm_potential *p = load_pot("GeSbTe_synth_zbl");
    pcm_err e = {{0}};
    run b = start_run(p, "gst_liquid_100", PCM_NVE, 0.5, MD_DEVICE_HOST_POTENTIAL);
    assert_int_equal(md_step(b.md, 3, &e), 0);
    md_init_velocities(b.md, 3000.0, 9); /* changes v on the host: must reach the device */
    assert_int_equal(md_step(b.md, 1, &e), 0);
    pcm_thermo th;
    md_thermo(b.md, &th);
    print_message("after re-initialising v at 3000 K on the host: T = %.0f K one device step later\n", th.T);
    assert_true(th.T > 1500.0);
    /* blow-up: one atom at 5 Å/fs is lost in one step; the state at entry comes back */
    pcm_system *before = system_copy(b.s);
    b.s->v[7][0] = 5.0;
    memcpy(before->v, b.s->v, (size_t)b.s->n * sizeof *b.s->v);
    assert_int_equal(md_step(b.md, 2, &e), -1);
    print_message("blow-up on the device path: %s\n", e.msg);
    assert_non_null(strstr(e.msg, "atoms lost"));
    assert_memory_equal(before->x, b.s->x, (size_t)b.s->n * sizeof *b.s->x);
    assert_memory_equal(before->v, b.s->v, (size_t)b.s->n * sizeof *b.s->v);
    system_free(before);
    b.s->v[7][0] = 0.0;
    assert_int_equal(md_step(b.md, 2, &e), 0);
    /* NPT is not on the device: the host loop runs it, with the same result as a
     * host-only run from the same state */
    pcm_system *c = system_copy(b.s);
    assert_int_equal(md_set_ensemble(b.md, PCM_NPT_ISO, &e), 0);
    pcm_md_params mp = *md_params(b.md);
    mp.ensemble = PCM_NPT_ISO;
    pcm_md *mc = md_new(c, p, &mp, &e);
    assert_non_null(mc);
    assert_int_equal(md_step(b.md, 3, &e), 0);
    assert_int_equal(md_step(mc, 3, &e), 0);
    print_message("NPT with the device path on: host loop, max |dx| vs host-only %.2g Å\n",
                  maxdiff(b.s->x, c->x, c->n));
    assert_true(maxdiff(b.s->x, c->x, c->n) < 1e-12);
    md_free(mc);
    system_free(c);
    /* GPU mode without a GPU: -1 with the reason, host loop keeps working */
    char why[256];
    if (!gpu_available(why, sizeof why)) {
        assert_int_equal(md_use_device(b.md, MD_DEVICE_GPU, &e), -1);
        print_message("GPU mode here: %s | note: %s\n", e.msg, md_device_note(b.md));
        assert_int_equal(md_device_mode(b.md), MD_DEVICE_OFF);
        assert_non_null(strstr(md_device_note(b.md), "on the host"));
        assert_int_equal(md_set_ensemble(b.md, PCM_NVE, &e), 0);
        assert_int_equal(md_step(b.md, 2, &e), 0);
    }
    end_run(&b);
    /* a sum potential (ACE + D2) has no device ACE kernels */
    char path[8192], spec[8300];
    ACE_REF_PATH(path, "potentials/GeSbTe_synth_zbl.yace");
    snprintf(spec, sizeof spec, "%s+d2", path);
    pcm_potential *sum = potential_load(spec, &e);
    if (sum) {
        pcm_system *s = test_load_ref_config("gst_liquid_100");
        pcm_md *md = md_new(s, sum, NULL, &e);
        assert_non_null(md);
        assert_int_equal(md_use_device(md, MD_DEVICE_HOST, &e), -1);
        print_message("ACE+D2 on the device path: %s\n", e.msg);
        assert_non_null(strstr(e.msg, "not a plain ACE"));
        md_free(md);
        system_free(s);
        potential_free(sum);
    }
    potential_free(p);
}

/* Langevin on the device path: counter-based noise (same for any chunking), reaches the
 * target temperature, conserves energy + bath; the deviates are standard normal. */
static void md_langevin(void **state)
{
    (void)state;
    double m1 = 0, m2 = 0, m4 = 0;
    int ns = 0;
    for (long step = 0; step < 500; step++)
        for (int i = 0; i < 100; i++)
            for (int k = 0; k < 3; k++) {
                double g = mdk_gauss(7, step, i, k);
                m1 += g, m2 += g * g, m4 += g * g * g * g, ns++;
            }
    m1 /= ns, m2 /= ns, m4 /= ns;
    print_message("mdk_gauss over %d deviates: mean %.4f, variance %.4f, 4th moment %.3f (3)\n", ns, m1, m2, m4);
    assert_true(fabs(m1) < 0.01 && fabs(m2 - 1) < 0.01 && fabs(m4 - 3) < 0.06);
    assert_true(mdk_gauss(7, 3, 5, 1) != mdk_gauss(7, 3, 5, 2) && mdk_gauss(7, 3, 5, 1) != mdk_gauss(8, 3, 5, 1));

    /* a stable solid (LJ fcc Cu): the reference ACE potentials are synthetic and their
     * liquids keep releasing heat */
    pcm_err e = {{0}};
    pcm_potential *p = potential_load("lj:0.4,2.27,5.5", &e);
    assert_non_null(p);
    run a = start_run(p, "cu_fcc108_perturbed", PCM_NVT_LANGEVIN, 0.5, MD_DEVICE_HOST_POTENTIAL);
    run b = start_run(p, "cu_fcc108_perturbed", PCM_NVT_LANGEVIN, 0.5, MD_DEVICE_HOST_POTENTIAL);
    md_set_temperature(a.md, 600.0);
    md_set_temperature(b.md, 600.0);
    double c0 = md_conserved(a.md), cmax = 0, Tsum = 0;
    int nT = 0;
    for (int c = 0; c < 200; c++) {
        assert_int_equal(md_step(a.md, 10, &e), 0);
        if (c < 10) { /* the same steps in other chunks: the same noise */
            assert_int_equal(md_step(b.md, 3, &e), 0);
            assert_int_equal(md_step(b.md, 7, &e), 0);
        }
        cmax = fmax(cmax, fabs(md_conserved(a.md) - c0) / a.s->n);
        if (c >= 30) {
            pcm_thermo th;
            md_thermo(a.md, &th);
            Tsum += th.T, nT++;
        }
        if (c == 9) {
            print_message("chunks of 10 vs 3+7 steps: max |dx| %.2g Å\n", maxdiff(a.s->x, b.s->x, a.s->n));
            assert_memory_equal(a.s->x, b.s->x, (size_t)a.s->n * sizeof *a.s->x);
        }
    }
    print_message("Langevin on the device path (LJ fcc, 900 K start, 600 K target, tau 20 fs): mean T over the "
                  "last 1700 fs %.1f K, energy + bath drift %.2g eV/atom\n",
                  Tsum / nT, cmax);
    assert_true(fabs(Tsum / nT - 600.0) < 40.0);
    assert_true(cmax < 1e-3);
    end_run(&a);
    end_run(&b);
    potential_free(p);
}

/* Fixed-shape reductions: one chunk = the sequential sum of system.c, bit for bit; many
 * chunks: round-off. */
static void reductions(void **state)
{
    (void)state;
    pcm_err e = {{0}};
    for (int cells = 2; cells <= 4; cells += 2) {
        pcm_system *s = build_rocksalt(cells, 6.0, 0.1, 4, &e);
        assert_non_null(s);
        pcm_rng r;
        rng_seed(&r, 5);
        for (int i = 0; i < s->n; i++)
            for (int c = 0; c < 3; c++)
                s->v[i][c] = 0.01 * rng_gauss(&r);
        int nc = mdk_nchunks(s->n, MDK_CHUNK);
        double part[64];
        assert_true(nc <= 64);
        for (int c = 0; c < nc; c++)
            part[c] = mdk_mv2_chunk(c, MDK_CHUNK, s->n, s->species_mass, s->type, &s->v[0][0]);
        double K = 0.5 * mdk_sum_seq(part, nc) * PCM_MVV2E, Kref = system_kinetic_energy(s);
        print_message("kinetic energy, %d atoms in %d chunks: %.17g vs %.17g eV\n", s->n, nc, K, Kref);
        if (nc == 1)
            assert_true(K == Kref);
        else
            assert_true(fabs(K - Kref) <= 1e-14 * Kref);
        system_free(s);
    }
    /* integer scan in blocks of 1024 over 5000 entries */
    int a[5000], b[5000];
    for (int i = 0; i < 5000; i++)
        a[i] = b[i] = (i * 7919) % 13;
    long bs[5];
    for (int k = 0; k < 5; k++)
        bs[k] = mdk_iblock_sum(k, 1024, 5000, a);
    mdk_iblock_offsets(bs, 5);
    for (int k = 0; k < 5; k++)
        mdk_iblock_scan(k, 1024, 5000, a, bs[k]);
    for (int i = 1; i < 5000; i++)
        b[i] += b[i - 1];
    assert_memory_equal(a, b, sizeof a);
}

/* Memory per atom: grows with the skin, a few kB at GST density. */
static void memory_estimate(void **state)
{
    (void)state;
    pcm_potential *p = load_pot("GeSbTe_synth_zbl_1200");
    pcm_system *s = test_load_ref_config("gst_rocksalt_194");
    double b0 = mdd_bytes_per_atom(p, s, 0.0), b1 = mdd_bytes_per_atom(p, s, 1.0);
    print_message("device memory estimate, GST: %.0f B/atom (skin 0), %.0f B/atom (skin 1 Å); 10^6 atoms: %.2f GiB\n",
                  b0, b1, 1e6 * b1 / 1073741824.0);
    assert_true(b0 > 1000 && b0 < b1 && b1 < 50000);
    system_free(s);
    potential_free(p);
}

/* The real GPU against the CPU host loop (skips without one). */
static void md_gpu_vs_cpu(void **state)
{
    (void)state;
    char why[256];
    if (!gpu_available(why, sizeof why)) {
        print_message("[ SKIP ] no usable GPU (%s): device MD on the GPU not run\n", why);
        skip();
    }
    pcm_potential *p = load_pot("GeSbTe_synth_zbl_1200"), *g = load_pot("GeSbTe_synth_zbl_1200");
    if (!ace_potential_set_gpu(g, 1, why, sizeof why))
        fail_msg("GPU present but the backend failed: %s", why);
    pcm_err e = {{0}};
    /* the list built on the GPU equals nl_build's (md_cuda.cu is compiled without FMA) */
    pcm_system *s = test_load_ref_config("gst_liquid_96_triclinic");
    assert_int_equal(potential_bind(g, s, &e), 0);
    mdd *d = mdd_new(MDD_CUDA, MDD_FORCES_DEVICE, g, s, 1.0, why, sizeof why);
    if (!d)
        fail_msg("%s", why);
    if (mdd_upload(d, s, why, sizeof why) != 0 || mdd_refresh(d, 0.0, why, sizeof why) != 1)
        fail_msg("%s", why);
    pcm_nlist *ref = nl_new(g->rcut, 1.0), *dev = nl_new(g->rcut, 1.0);
    nl_build(ref, s);
    assert_int_equal(mdd_get_list(d, dev, s), 0);
    print_message("GPU list: %ld pairs (nl_build %ld)\n", dev->npairs, ref->npairs);
    assert_int_equal(dev->npairs, ref->npairs);
    assert_memory_equal(dev->j, ref->j, (size_t)ref->npairs * sizeof(int));
    assert_memory_equal(dev->shift, ref->shift, (size_t)ref->npairs * 3 * sizeof(int));
    nl_free(ref);
    nl_free(dev);
    mdd_free(d);
    system_free(s);
    for (int ens = 0; ens < 3; ens++) {
        pcm_ensemble en = ens == 0 ? PCM_NVE : ens == 1 ? PCM_NVT_BUSSI : PCM_NVT_LANGEVIN;
        run a = start_run(p, "gst_liquid_96_triclinic", en, 0.3, ens == 2 ? MD_DEVICE_HOST : MD_DEVICE_OFF);
        run b = start_run(g, "gst_liquid_96_triclinic", en, 0.3, MD_DEVICE_OFF);
        assert_int_equal(md_device_mode(b.md), MD_DEVICE_GPU); /* md_new chose it */
        for (int c = 0; c < 4; c++) {
            assert_int_equal(md_step(a.md, 5, &e), 0);
            if (md_step(b.md, 5, &e) != 0)
                fail_msg("%s", e.msg);
        }
        double dx = maxdiff(a.s->x, b.s->x, a.s->n);
        print_message("GPU MD %s 20 steps: max |dx| %.2g Å, dE %.2g eV\n", md_ensemble_name(en), dx,
                      fabs(a.s->energy - b.s->energy));
        assert_true(dx < 1e-9);
        assert_true(fabs(a.s->energy - b.s->energy) < 1e-9 * fabs(a.s->energy));
        end_run(&a);
        end_run(&b);
    }
    potential_free(p);
    potential_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(device_list),    cmocka_unit_test(device_ace),      cmocka_unit_test(md_identical),
        cmocka_unit_test(md_ace_kernels), cmocka_unit_test(md_host_edits_and_fallbacks),
        cmocka_unit_test(md_langevin),
        cmocka_unit_test(reductions),     cmocka_unit_test(memory_estimate), cmocka_unit_test(md_gpu_vs_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
