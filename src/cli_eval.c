/* cli_eval.c - `pcmlab eval POT CONFIG.extxyz [-o OUT.extxyz]`: energy, per-atom energies,
 * forces and virial of every frame, in the units and sign conventions of the ACE
 * reference set (eV, eV/Å, virial W in eV, Voigt xx yy zz yz xz xy, LAMMPS sign). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "extxyz.h"
#include "fileio.h"
#include "gpu.h"
#include "potential.h"

int cmd_eval(int argc, char **argv)
{
    const char *pot_path = NULL, *cfg = NULL, *out = NULL;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "-o") && k + 1 < argc)
            out = argv[++k];
        else if (argv[k][0] == '-') {
            fprintf(stderr, "pcmlab eval: unknown option '%s'\n", argv[k]);
            return 2;
        } else if (!pot_path)
            pot_path = argv[k];
        else if (!cfg)
            cfg = argv[k];
        else {
            fputs("usage: pcmlab eval POT.yace CONFIG.extxyz [-o OUT.extxyz]\n", stderr);
            return 2;
        }
    }
    if (!pot_path || !cfg) {
        fputs("usage: pcmlab eval POT.yace CONFIG.extxyz [-o OUT.extxyz]\n", stderr);
        return 2;
    }
    pcm_err e = {{0}};
    pcm_potential *pot = potential_load(pot_path, &e);
    if (!pot)
        return cli_fail(&e);
    if (gpu_requested()) { /* PCM_GPU=1: say which backend runs */
        char note[320];
        gpu_notice(note, sizeof note);
        fprintf(stderr, "pcmlab: %s\n", note);
    }
    pcm_xyz_reader *r = xyz_open(cfg, &e);
    if (!r) {
        potential_free(pot);
        return cli_fail(&e);
    }
    pcm_afile af = {0};
    if (out && atomic_open(&af, out, &e) != 0) {
        xyz_close(r);
        potential_free(pot);
        return cli_fail(&e);
    }
    pcm_frame *fr = frame_new();
    int rc, nframes = 0, status = 0;
    while ((rc = xyz_read(r, fr, &e)) == 1) {
        if (system_validate(fr->sys, 0.0, cfg, &e) != 0 || potential_eval_once(pot, fr->sys, &e) != 0) {
            status = 1;
            break;
        }
        nframes++;
        const pcm_system *s = fr->sys;
        printf("frame %d: N = %d  energy = %.10f eV  (%.10f eV/atom)  virial = [%.6g %.6g %.6g %.6g %.6g %.6g] eV\n",
               nframes, s->n, s->energy, s->energy / s->n, s->virial[0], s->virial[1], s->virial[2],
               s->virial[3], s->virial[4], s->virial[5]);
        if (out) {
            frame_set(fr, "potential", pot_path);
            xyz_write(af.fp, fr, XYZ_ENERGIES | XYZ_FORCES | XYZ_ENERGY | XYZ_VIRIAL);
        }
    }
    if (rc < 0)
        status = 1;
    frame_free(fr);
    xyz_close(r);
    potential_free(pot);
    if (out) {
        if (status == 0 && nframes > 0) {
            if (atomic_commit(&af, &e) != 0)
                status = 1;
        } else
            atomic_abort(&af);
    }
    if (status)
        return cli_fail(&e);
    if (nframes == 0) {
        fprintf(stderr, "pcmlab: %s: no frames\n", cfg);
        return 1;
    }
    return 0;
}
