/* test_sim.c - the workbench's simulation thread: soak with random commands
 * (no memory growth, no torn or lost snapshots), dial/protocol rule, exports. */
#include <math.h>
#include <time.h>
#include <unistd.h>
#include "testutil.h"
#include "export.h"
#include "extxyz.h"
#include "fileio.h"
#include "rng.h"
#include "sim.h"

static sim *small_sim(int chunk, int paused)
{
    sim_config c;
    sim_config_default(&c);
    pcm_err e = {{0}};
    assert_int_equal(sim_config_set(&c, "potential=lj:0.1,2.67,6.0", &e), 0);
    c.cells = 2;
    c.steps_per_chunk = chunk;
    c.xtal_every = 3;
    sim *s = sim_new(&c, paused, &e);
    if (!s)
        fail_msg("%s", e.msg);
    return s;
}

static long rss_kb(void)
{
    long pages = 0, rss = 0;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (!fp)
        return 0;
    if (fscanf(fp, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    fclose(fp);
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void check_snapshot(const sim_snapshot *snap, long *last_seq)
{
    assert_true(snap->seq >= *last_seq);   /* never goes back */
    assert_int_equal(snap->checksum, sim_snapshot_checksum(snap));
    assert_true(snap->n > 0);
    for (int i = 0; i < snap->n; i++)
        assert_true(snap->type[i] >= 0 && snap->type[i] < snap->nspecies);
    *last_seq = snap->seq;
}

static void test_soak(void **st)
{
    sim *s = small_sim(2, 0);
    pcm_rng r;
    rng_seed(&r, 7);
    long last = 0, rss0 = 0, ncmd = 0;
    sim_series *ser = pcm_malloc(sizeof *ser);
    sim_stats stats;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int it = 0;; it++) {
        sim_stats cur;
        sim_get_stats(s, &cur);
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double el = t1.tv_sec - t0.tv_sec + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
        if ((cur.chunks >= 4000 && it > 2000) || el > 14.0)
            break;
        pcm_err e = {{0}};
        int k = rng_int(&r, 100);
        int ok;
        if (k < 40)
            ok = sim_set_T(s, 50 + 1500 * rng_uniform(&r), &e);
        else if (k < 45)
            ok = sim_send(s, (sim_cmd){SIM_CMD_SET_ENSEMBLE, 0, rng_int(&r, 2) ? PCM_NVT_BUSSI : PCM_NPT_ISO}, &e);
        else if (k < 50)
            ok = sim_send(s, (sim_cmd){SIM_CMD_PRESET, 0, 1 + rng_int(&r, SIM_PRESET_COUNT - 1)}, &e);
        else if (k < 55)
            ok = sim_send(s, (sim_cmd){SIM_CMD_PROTOCOL_RESUME, 0, 0}, &e);
        else if (k < 58)
            ok = sim_send(s, (sim_cmd){SIM_CMD_STEP, 0, 0}, &e);
        else if (k < 62)
            ok = sim_send(s, (sim_cmd){SIM_CMD_RESUME, 0, 0}, &e);
        else if (k == 62)
            ok = sim_send(s, (sim_cmd){SIM_CMD_RESET, 0, 0}, &e);
        else
            ok = 0, k = -1;
        if (k >= 0 && ok == 0)
            ncmd++;
        /* a reader holding up to three snapshots at a time, like terminal + 3D view + export */
        sim_snapshot *a = sim_acquire(s), *b = sim_acquire(s);
        check_snapshot(a, &last);
        check_snapshot(b, &last);
        sim_release(s, a);
        if (it % 7 == 0)
            sim_series_copy(s, ser), assert_true(ser->n <= SIM_SERIES_CAP);
        sim_wait_newer(s, b->seq, 2);
        sim_snapshot *c = sim_acquire(s);
        check_snapshot(c, &last);
        sim_release(s, b);
        sim_release(s, c);
        sim_get_stats(s, &stats);
        assert_true(stats.live_snapshots <= 4);
        if (stats.chunks > 2500 && !rss0)
            rss0 = rss_kb();
    }
    /* let the queue drain, then count */
    assert_int_equal(sim_send(s, (sim_cmd){SIM_CMD_RESUME, 0, 0}, NULL), 0);
    ncmd++;
    for (int w = 0; w < 200; w++) {
        sim_get_stats(s, &stats);
        if (stats.commands_applied == ncmd)
            break;
        usleep(10000);
    }
    sim_get_stats(s, &stats);
    print_message("soak: %ld chunks, %ld snapshots published, %ld commands, rss %ld -> %ld kB\n", stats.chunks,
                  stats.published, stats.commands_applied, rss0, rss_kb());
    assert_true(stats.chunks >= 1000);
    assert_int_equal(stats.commands_applied, ncmd);   /* no command lost */
    assert_int_equal(stats.live_snapshots, 1);        /* only the current one survives */
    sim_series_copy(s, ser);
    assert_true(ser->n > 0 && ser->n <= SIM_SERIES_CAP);
    for (int k = 1; k < ser->n; k++)
        assert_true(ser->t[k] >= ser->t[k - 1]);
#ifndef __SANITIZE_ADDRESS__   /* ASan's quarantine keeps freed blocks: RSS says nothing there */
    if (rss0)
        assert_true(rss_kb() - rss0 < 4096);
#endif
    free(ser);
    sim_free(s);
}

static sim_snapshot *wait_for(sim *s, int (*pred)(const sim_snapshot *), double secs)
{
    for (int k = 0; k < (int)(secs * 100); k++) {
        sim_snapshot *snap = sim_acquire(s);
        if (pred(snap))
            return snap;
        sim_release(s, snap);
        usleep(10000);
    }
    return NULL;
}
static int running_melt(const sim_snapshot *p) { return p->preset == SIM_PRESET_MELT && p->protocol_progress > 0.02; }
static int proto_paused(const sim_snapshot *p) { return p->protocol_paused && p->th.T_target == 777.0; }

static void test_dial_pauses_protocol(void **st)
{
    sim *s = small_sim(5, 0);
    pcm_err e = {{0}};
    assert_int_equal(sim_send(s, (sim_cmd){SIM_CMD_PRESET, 0, SIM_PRESET_MELT}, &e), 0);
    sim_snapshot *p = wait_for(s, running_melt, 10);
    assert_non_null(p);
    assert_true(p->th.T_target > 300.0);     /* the ramp is heating */
    sim_release(s, p);
    assert_int_equal(sim_set_T(s, 777.0, &e), 0);
    p = wait_for(s, proto_paused, 5);
    assert_non_null(p);
    double prog = p->protocol_progress;
    assert_non_null(strstr(p->msg, "dial took over"));
    sim_release(s, p);
    usleep(200000);
    p = sim_acquire(s);
    assert_true(p->protocol_progress == prog); /* clock stopped */
    assert_true(p->th.T_target == 777.0);
    sim_release(s, p);
    /* nonsense refused, nothing queued */
    assert_int_equal(sim_set_T(s, -5, &e), -1);
    assert_non_null(strstr(e.msg, "refused"));
    assert_int_equal(sim_set_T(s, NAN, &e), -1);
    sim_free(s);
}

static void test_exports(void **st)
{
    sim *s = small_sim(5, 1);
    sim_snapshot *snap = sim_acquire(s);
    char dir[] = "/tmp/pcm_exportXXXXXX", path[512];
    assert_non_null(mkdtemp(dir));
    pcm_err e = {{0}};
    assert_int_equal(export_path(path, sizeof path, dir, "frame", snap->th.step, "extxyz", &e), 0);
    assert_int_equal(export_extxyz(snap, path, &e), 0);
    pcm_frame *fr = xyz_read_first(path, &e);
    assert_non_null(fr);
    assert_int_equal(fr->sys->n, snap->n);
    int nc;
    double *col = frame_col(fr, "crystalline", &nc);
    assert_non_null(col);
    for (int i = 0; i < snap->n; i++) {
        int want = snap->xtal[i] == SIM_XTAL_UNKNOWN ? -1 : snap->xtal[i];
        assert_int_equal((int)col[i], want);
        assert_true(fabs(fr->sys->x[i][0] - snap->x[i][0]) < 1e-12);
    }
    frame_free(fr);
    /* LAMMPS: a sheared cell gives tilt factors and the same volume */
    sim_snapshot tri = *snap;
    double h[3][3] = {{12, 0, 0}, {3, 11, 0}, {1, 2, 13}};
    cell_set(&tri.cell, h);
    snprintf(path, sizeof path, "%s/tri.lmp", dir);
    assert_int_equal(export_lammps(&tri, path, &e), 0);
    char *txt = read_file(path, NULL, &e);
    assert_non_null(strstr(txt, "xy xz yz"));
    assert_non_null(strstr(txt, "atom types"));
    double lx, ly, lz, lo;
    char *p = strstr(txt, " xlo xhi");
    assert_non_null(p);
    while (p > txt && p[-1] != '\n') p--;
    assert_int_equal(sscanf(p, "%lf %lf xlo xhi %lf %lf ylo yhi %lf %lf", &lo, &lx, &lo, &ly, &lo, &lz), 6);
    assert_true(fabs(lx * ly * lz - 12 * 11 * 13) < 1e-6);
    free(txt);
    snprintf(path, sizeof path, "%s/ortho.lmp", dir);
    assert_int_equal(export_lammps(snap, path, &e), 0);
    txt = read_file(path, NULL, &e);
    assert_null(strstr(txt, "xy xz yz"));
    free(txt);
    /* CSV of the (still empty) series: header only; then after a step one row */
    assert_int_equal(sim_send(s, (sim_cmd){SIM_CMD_STEP, 0, 0}, &e), 0);
    assert_int_equal(sim_wait_newer(s, snap->seq, 5000), 1);
    sim_series *ser = pcm_malloc(sizeof *ser);
    sim_series_copy(s, ser);
    assert_int_equal(ser->n, 1);
    snprintf(path, sizeof path, "%s/series.csv", dir);
    assert_int_equal(export_csv(ser, path, &e), 0);
    txt = read_file(path, NULL, &e);
    assert_non_null(strstr(txt, "time_ps,pe_eV_atom,T_K"));
    assert_non_null(strstr(txt, "\n0.010000,"));   /* 5 steps x 2 fs */
    free(txt);
    /* plots: one sample is refused; a synthetic series of 50 gives a PNG (gnuplot permitting) */
    snprintf(path, sizeof path, "%s/plots.png", dir);
    assert_int_equal(export_plot(ser, path, &e), -1);
    assert_non_null(strstr(e.msg, "nothing to plot yet"));
    ser->n = 50;
    for (int k = 0; k < ser->n; k++)
        ser->t[k] = 0.1 * k, ser->pe[k] = -180.0 + 0.001 * k, ser->T[k] = 300.0 + k, ser->rho[k] = 6.0,
        ser->xf[k] = k < 5 ? NAN : 0.5;
    if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
        assert_int_equal(export_plot(ser, path, &e), 0);
        size_t len = 0;
        char *png = read_file(path, &len, &e);
        assert_non_null(png);
        assert_true(len > 1000 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8));
        free(png);
        snprintf(path, sizeof path, "%s/plots.png.tmp", dir);
        assert_int_equal(access(path, F_OK), -1);      /* the temporary was renamed */
        snprintf(path, sizeof path, "%s/plots.png.dat.tmp", dir);
        assert_int_equal(access(path, F_OK), -1);      /* the data file removed */
    } else {
        assert_int_equal(export_plot(ser, path, &e), -1);
        assert_non_null(strstr(e.msg, "needs gnuplot"));
    }
    free(ser);
    /* unwritable place: message, no crash */
    assert_int_equal(export_extxyz(snap, "/proc/nope/x.extxyz", &e), -1);
    assert_true(e.msg[0] != 0);
    sim_release(s, snap);
    sim_free(s);
}

/* A preset file on the live system: its schedule, ensemble and dt apply to the atoms
 * already there, the note says what did not; a bad file changes nothing. */
static int running_file(const sim_snapshot *p) { return p->preset == SIM_PRESET_FILE && p->protocol_t > 0.0; }

static void test_preset_file(void **st)
{
    (void)st;
    sim *s = small_sim(5, 0);
    pcm_err e = {{0}};
    char dir[] = "/tmp/pcm_test_plan_XXXXXX", bad[600], good[600], note[PLAN_NOTE_LEN];
    assert_non_null(mkdtemp(dir));
    snprintf(bad, sizeof bad, "%s/bad.cfg", dir);
    snprintf(good, sizeof good, "%s/good.cfg", dir);
    FILE *fp = fopen(bad, "w");
    fputs("# bad.cfg - broken\nversion = 1;\nmd = { ensemble = \"nvt\";\n  tau_T = -5.0; };\n", fp);
    fclose(fp);
    fp = fopen(good, "w");
    fputs("# good.cfg - heat in NPT\nversion = 1;\nname = \"heat up\";\npotential = \"assets/gst.yace\";\n"
          "structure = { kind = \"liquid\"; atoms = 504; };\nmd = { ensemble = \"npt\"; dt = 1.5; P = 1.0; };\n"
          "protocol = { cycles = 2; segments = ( { ramp = [500.0, 700.0]; time_ps = 10.0; } ); };\n", fp);
    fclose(fp);
    sim_snapshot *p0 = sim_acquire(s);
    double T0 = p0->th.T_target;
    sim_release(s, p0);
    assert_int_equal(sim_load_preset(s, bad, note, sizeof note, &e), -1);
    assert_non_null(strstr(e.msg, "bad.cfg:4: md.tau_T"));
    usleep(100000);
    p0 = sim_acquire(s);
    assert_int_equal(p0->preset, SIM_PRESET_NONE);
    assert_true(p0->th.T_target == T0);
    sim_release(s, p0);
    assert_int_equal(sim_load_preset(s, good, note, sizeof note, &e), 0);
    assert_non_null(strstr(note, "potential assets/gst.yace not swapped live"));
    assert_non_null(strstr(note, "structure liquid 504 atoms not built live"));
    sim_snapshot *p = wait_for(s, running_file, 10);
    assert_non_null(p);
    assert_string_equal(p->protocol_name, "heat-up");
    assert_int_equal(p->ensemble, PCM_NPT_ISO);
    assert_true(fabs(p->protocol_total - 20.0) < 1e-12);   /* 2 cycles x 10 ps */
    assert_true(p->th.T_target >= 500.0 && p->th.T_target < 520.0);
    sim_release(s, p);
    plan_entry *v;
    int n = plan_scan(dir, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "bad");
    assert_non_null(strstr(v[0].error, "bad.cfg:4:"));
    assert_string_equal(v[1].name, "heat-up");
    assert_string_equal(v[1].desc, "heat in NPT");
    assert_true(fabs(v[1].duration_ps - 20.0) < 1e-12);
    free(v);
    sim_free(s);
    unlink(bad), unlink(good), rmdir(dir);
}

static void test_config_set(void **st)
{
    sim_config c;
    sim_config_default(&c);
    pcm_err e = {{0}};
    assert_int_equal(sim_config_set(&c, "T=650", &e), 0);
    assert_true(c.T0 == 650);
    assert_int_equal(sim_config_set(&c, "ensemble=npt", &e), 0);
    assert_int_equal(c.ensemble, PCM_NPT_ISO);
    assert_int_equal(sim_config_set(&c, "T=hot", &e), -1);
    assert_non_null(strstr(e.msg, "expected a number"));
    assert_int_equal(sim_config_set(&c, "colour=red", &e), -1);
    assert_int_equal(sim_config_set(&c, "structure=interface", &e), 0);
    assert_string_equal(c.structure, "interface");
    assert_int_equal(sim_config_set(&c, "structure=slab", &e), -1);
    assert_non_null(strstr(e.msg, "expected rocksalt, liquid or interface"));
    assert_int_equal(sim_preset_from_name("thermal-cycle"), SIM_PRESET_CYCLE);
    assert_true(fabs(sim_preset_duration(SIM_PRESET_MELT) - 20.0) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_set),
        cmocka_unit_test(test_preset_file),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_dial_pauses_protocol),
        cmocka_unit_test(test_soak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
