/* cli_build.c - `pcmlab build rocksalt|liquid ... -o F.extxyz`. */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "build_phases.h"
#include "cli.h"
#include "extxyz.h"

static int usage(void)
{
    fputs("usage: pcmlab build rocksalt --cells N [--seed S] [--vacancy-fraction F] [--a A] -o OUT.extxyz\n"
          "       pcmlab build liquid --atoms N [--density 6.0] [--composition Ge2Sb2Te5]\n"
          "                           [--min-dist 2.3] [--seed S] -o OUT.extxyz\n"
          "       pcmlab build gete|sb2te3|ge|sb|te|gst-hex-kooi|gst-hex-petrov [--scale 1.0] -o OUT.extxyz\n"
          "       pcmlab build interface [--density 5.9] [--liquid-length 7] [--min-dist 2.5] [--seed S] -o OUT.extxyz\n",
          stderr);
    return 2;
}

int cmd_build(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *kind = argv[1], *out = NULL, *comp = "Ge2Sb2Te5";
    long cells = 0, atoms = 0, seed = 1;
    double vac = 0.2, a = 6.02, rho = 6.0, dmin = 2.3, scale = 1.0, liq = 7.0;
    int rho_set = 0, dmin_set = 0;
    pcm_err e = {{0}};
    for (int k = 2; k < argc; k++) {
        const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        int rc = 0;
        if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
            out = v;
        } else if (!strcmp(o, "--cells")) rc = cli_int(o, v, &cells, &e);
        else if (!strcmp(o, "--atoms")) rc = cli_int(o, v, &atoms, &e);
        else if (!strcmp(o, "--seed")) rc = cli_int(o, v, &seed, &e);
        else if (!strcmp(o, "--vacancy-fraction")) rc = cli_double(o, v, &vac, &e);
        else if (!strcmp(o, "--a")) rc = cli_double(o, v, &a, &e);
        else if (!strcmp(o, "--density")) rc = cli_double(o, v, &rho, &e), rho_set = 1;
        else if (!strcmp(o, "--min-dist")) rc = cli_double(o, v, &dmin, &e), dmin_set = 1;
        else if (!strcmp(o, "--scale")) rc = cli_double(o, v, &scale, &e);
        else if (!strcmp(o, "--liquid-length")) rc = cli_double(o, v, &liq, &e);
        else if (!strcmp(o, "--composition")) comp = v;
        else {
            fprintf(stderr, "pcmlab build: unknown option '%s'\n", o);
            return usage();
        }
        if (rc)
            return cli_fail(&e);
        if (!v) {
            fprintf(stderr, "pcmlab build: %s needs a value\n", o);
            return usage();
        }
        k++;
    }
    if (!out) {
        fputs("pcmlab build: missing -o OUT.extxyz\n", stderr);
        return usage();
    }
    pcm_system *s = NULL;
    if (!strcmp(kind, "rocksalt")) {
        if (cells <= 0) {
            fputs("pcmlab build rocksalt: --cells N is required\n", stderr);
            return usage();
        }
        s = build_rocksalt((int)cells, a, vac, (uint64_t)seed, &e);
    } else if (!strcmp(kind, "liquid")) {
        if (atoms <= 0) {
            fputs("pcmlab build liquid: --atoms N is required\n", stderr);
            return usage();
        }
        s = build_liquid((int)atoms, rho, comp, dmin, (uint64_t)seed, &e);
    } else if (!strcmp(kind, "interface")) {
        s = build_interface(2, 2, 2, a, liq, rho_set ? rho : 5.9, dmin_set ? dmin : 2.5, (uint64_t)seed, &e);
    } else if (strcmp(kind, "rocksalt") && strcmp(kind, "liquid")) {
        int known = 0;
        for (int k = 0; build_phase_names[k]; k++)
            known |= !strcmp(kind, build_phase_names[k]);
        if (!known) {
            fprintf(stderr, "pcmlab build: unknown structure '%s'\n", kind);
            return usage();
        }
        s = build_phase(kind, scale, &e);
    } else {
        fprintf(stderr, "pcmlab build: unknown structure '%s' (rocksalt or liquid)\n", kind);
        return usage();
    }
    if (!s)
        return cli_fail(&e);
    pcm_frame *fr = frame_new();
    system_free(fr->sys);
    fr->sys = s;
    frame_setf(fr, "source", "pcmlab build %s", kind);
    frame_setf(fr, "seed", "%ld", seed);
    int rc = xyz_write_file(out, &fr, 1, 0, &e);
    if (rc == 0)
        printf("wrote %s: %d atoms, %.4f g/cm3, cell %.4f x %.4f x %.4f A\n", out, s->n, system_density(s),
               s->cell.h[0][0], s->cell.h[1][1], s->cell.h[2][2]);
    frame_free(fr);
    return rc ? cli_fail(&e) : 0;
}
