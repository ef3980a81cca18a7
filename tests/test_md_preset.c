/* test_md_preset.c - temperature schedules and libconfig presets. */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#include "preset.h"
#include "protocol.h"

static void test_protocol_schedule(void **st)
{
    (void)st;
    pcm_protocol p;
    protocol_init(&p);
    protocol_hold(&p, 900.0, 100.0);
    protocol_hold(&p, 300.0, 1000.0);
    protocol_hold(&p, 600.0, 1000.0);
    p.cycles = 5;
    assert_true(fabs(protocol_duration(&p) - 10500.0) < 1e-9);   /* the paper's 10.5 ns */
    double T;
    int done, seg, cyc;
    protocol_target(&p, 50.0, &T, &done);
    assert_true(T == 900.0 && !done);
    protocol_target(&p, 100.0, &T, &done);
    assert_true(T == 300.0);
    protocol_target(&p, 2100.0 + 1500.0, &T, &done);   /* cycle 2, third stage */
    protocol_where(&p, 2100.0 + 1500.0, &seg, &cyc);
    assert_true(T == 600.0 && seg == 2 && cyc == 1);
    protocol_target(&p, 2100.0 * 4 + 50.0, &T, &done);
    assert_true(T == 900.0 && !done);
    protocol_target(&p, 20000.0, &T, &done);
    assert_true(T == 600.0 && done);
    assert_true(fabs(protocol_progress(&p, 5250.0) - 0.5) < 1e-12);
    protocol_set_scale(&p, 0.01);
    assert_true(fabs(protocol_duration(&p) - 105.0) < 1e-9);
    protocol_target(&p, 1.5, &T, &done);
    assert_true(T == 300.0);
    /* ramp: linear */
    pcm_protocol q;
    protocol_init(&q);
    protocol_ramp(&q, 1200.0, 300.0, 300.0);
    protocol_target(&q, 100.0, &T, &done);
    assert_true(fabs(T - 900.0) < 1e-9 && !done);
    protocol_target(&q, 300.0, &T, &done);
    assert_true(fabs(T - 300.0) < 1e-9 && done);
}

static char tmpdir[256];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static void expect_error(const char *text, const char *want1, const char *want2)
{
    pcm_preset p;
    pcm_err e = {{0}};
    preset_defaults(&p);
    const char *path = write_tmp("bad.cfg", text);
    assert_int_equal(preset_load(&p, path, &e), -1);
    print_message("  -> %s\n", e.msg);
    assert_non_null(strstr(e.msg, want1));
    if (want2)
        assert_non_null(strstr(e.msg, want2));
    preset_free(&p);
}

static void test_preset_errors(void **st)
{
    (void)st;
    expect_error("version = 1;\nmd = {\n  T = \"hot\";\n};\n", "bad.cfg:3:", "md.T: expected a number");
    expect_error("version = 1;\nmd = { dt = 1.0;\n  T = -5.0; };\n", "bad.cfg:3:", "out of range");
    expect_error("version = 1;\n\nstructure = { cells = 2.5; };\n", "bad.cfg:3:", "expected an integer");
    expect_error("version = 2;\nmd = { T = 300.0; };\n", "bad.cfg:1:", "newer than this pcmlab");
    expect_error("md = { T = 300.0; };\n", "expected `version = 1;`", NULL);
    expect_error("version = 1;\nmd = { ensemble = \"npx\"; };\n", "bad.cfg:2:", "md.ensemble");
    expect_error("version = 1;\nmd = { T = 300.0 \n", "bad.cfg:", "syntax error");
    expect_error("version = 1;\nprotocol = { segments = ( { hold = 300.0; } ); };\n", "bad.cfg:2:", "time_ps");
    expect_error("version = 1;\nprotocol = { segments = ( { ramp = [1.0]; time_ps = 1.0; } ); };\n", "bad.cfg:2:",
                 "ramp = [T0, T1]");
}

static const char *good_cfg = "version = 1;\nname = \"t\";\npotential = \"lj:0.1,2.68,6.0\";\n"
                              "md = { ensemble = \"npt-z\"; dt = 2; T = 500; colour = \"red\"; };\n"
                              "frobnicate = 3;\n"
                              "protocol = { scale = 0.5; cycles = 2;\n"
                              "  segments = ( { hold = 900.0; time_ps = 10.0; },\n"
                              "               { ramp = [900.0, 300.0]; time_ps = 20; extra = 1; } ); };\n"
                              "output = { thermo_every = 7; };\n";

static void test_preset_load_warn_set_roundtrip(void **st)
{
    (void)st;
    pcm_preset p, q;
    pcm_err e = {{0}};
    preset_defaults(&p);
    const char *path = write_tmp("good.cfg", good_cfg);
    assert_int_equal(preset_load(&p, path, &e), 0);
    assert_true(p.md.dt == 2.0 && p.md.T == 500.0 && p.md.ensemble == PCM_NPT_Z);   /* AUTOCONVERT: 2 → 2.0 */
    assert_true(p.protocol.nseg == 2 && p.protocol.cycles == 2 && p.protocol.scale == 0.5);
    assert_true(p.protocol.seg[1].kind == PROTO_RAMP && p.protocol.seg[1].T1 == 300.0);
    assert_int_equal(p.output.thermo_every, 7);
    assert_int_equal(p.output.traj_every, 1000);   /* default kept */
    assert_non_null(p.warnings);
    print_message("warnings:\n%s", p.warnings);
    assert_non_null(strstr(p.warnings, "good.cfg:4: unknown key 'md.colour'"));
    assert_non_null(strstr(p.warnings, "good.cfg:5: unknown key 'frobnicate'"));
    assert_non_null(strstr(p.warnings, "good.cfg:8: unknown key 'extra'"));
    /* --set overrides */
    assert_int_equal(preset_set(&p, "md.T=600", &e), 0);
    assert_int_equal(preset_set(&p, "protocol.scale=0.01", &e), 0);
    assert_int_equal(preset_set(&p, "md.ensemble=langevin", &e), 0);
    assert_int_equal(preset_set(&p, "structure.kind=liquid", &e), 0);
    assert_true(p.md.T == 600.0 && p.protocol.scale == 0.01 && p.md.ensemble == PCM_NVT_LANGEVIN);
    assert_int_equal(preset_set(&p, "md.T=warm", &e), -1);
    assert_non_null(strstr(e.msg, "md.T=warm: expected a number"));
    assert_int_equal(preset_set(&p, "md.dt=50", &e), -1);
    assert_non_null(strstr(e.msg, "out of range"));
    assert_int_equal(preset_set(&p, "md.temp=5", &e), -1);
    assert_non_null(strstr(e.msg, "unknown key"));
    assert_int_equal(preset_set(&p, "structure.cells=3.5", &e), -1);
    assert_true(p.md.T == 600.0 && p.md.dt == 2.0);   /* failed sets change nothing */
    /* write back and load again: identical */
    char out[512];
    snprintf(out, sizeof out, "%s/effective.cfg", tmpdir);
    assert_int_equal(preset_write(&p, out, &e), 0);
    preset_defaults(&q);
    assert_int_equal(preset_load(&q, out, &e), 0);
    assert_null(q.warnings);
    assert_string_equal(p.name, q.name);
    assert_string_equal(p.potential, q.potential);
    assert_memory_equal(&p.structure, &q.structure, sizeof p.structure);
    assert_memory_equal(&p.md, &q.md, sizeof p.md);
    assert_true(p.init_T == q.init_T);
    assert_memory_equal(&p.protocol, &q.protocol, sizeof p.protocol);
    assert_memory_equal(&p.output, &q.output, sizeof p.output);
    preset_free(&p);
    preset_free(&q);
}

/* Every shipped preset loads without warnings and has the paper's protocol. */
static void test_shipped_presets(void **st)
{
    (void)st;
    const char *names[] = {"quick", "melt", "quench", "anneal", "thermal-cycle", "isochoric-quench", "crystal-growth"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[256];
        snprintf(path, sizeof path, "presets/%s.cfg", names[k]);
        pcm_preset p;
        pcm_err e = {{0}};
        preset_defaults(&p);
        assert_int_equal(preset_load(&p, path, &e), 0);
        assert_null(p.warnings);
        double T;
        int done;
        if (!strcmp(names[k], "thermal-cycle")) {
            assert_true(fabs(protocol_duration(&p.protocol) - 10500.0) < 1e-9);
            assert_true(p.md.ensemble == PCM_NPT_ISO && p.md.P == 1.0);
        }
        if (!strcmp(names[k], "isochoric-quench")) {
            assert_true(p.md.ensemble == PCM_NVT_BUSSI && p.structure.atoms == 504 && p.structure.density == 6.0);
            protocol_target(&p.protocol, protocol_duration(&p.protocol), &T, &done);
            assert_true(T == 300.0);
        }
        if (!strcmp(names[k], "crystal-growth")) {   /* the interface method: P_zz only, below T_m */
            assert_string_equal(p.structure.kind, "interface");
            assert_true(p.md.ensemble == PCM_NPT_Z && p.md.P == 1.0);
            protocol_target(&p.protocol, 1.0, &T, &done);
            assert_true(T == 600.0);
        }
        if (!strcmp(names[k], "melt")) {
            protocol_target(&p.protocol, 1.0, &T, &done);
            assert_true(T == 900.0);
        }
        preset_free(&p);
    }
}

static int setup(void **st)
{
    (void)st;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pcm_preset_test.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_schedule),
        cmocka_unit_test(test_preset_errors),
        cmocka_unit_test(test_preset_load_warn_set_roundtrip),
        cmocka_unit_test(test_shipped_presets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
