/* preset.h - versioned protocol presets (libconfig files) and --set overrides.
 *
 * A preset is a file of zero-defaulted settings: every key is optional and
 * takes the default listed in presets/README (preset_defaults).  Layout:
 *   version = 1;  name = "melt";  potential = "assets/gst.yace";
 *   committee = ["a.yace", "b.yace", ...];  committee_warn = 1.0;   (optional, committee.h)
 *   structure = { kind = "rocksalt" | "liquid" | "interface" | "file"; cells; a; vacancy_fraction;
 *                 atoms; density; composition; min_dist; file; seed; };
 *   md = { ensemble = "nvt"; dt; T; tau_T; P; tau_P; skin; compressibility; seed; init_T; };
 *   protocol = { scale; cycles; segments = ( { hold = 900.0; time_ps = 100.0; },
 *                                            { ramp = [1200.0, 300.0]; time_ps = 300.0; } ); };
 *   output = { thermo_every; traj_every; xtal_every; max_steps; };
 * Unknown keys are warnings (collected in pcm_preset.warnings); a newer version,
 * a wrong type or an out-of-range value is an error naming the file and line.
 */
#ifndef PCM_PRESET_H
#define PCM_PRESET_H

#include "committee.h"
#include "err.h"
#include "md.h"
#include "protocol.h"

#define PCM_PRESET_VERSION 1
#define PCM_PRESET_STR 512

typedef struct pcm_preset {
    int version;
    char name[PCM_PRESET_STR];
    char potential[PCM_PRESET_STR];      /* .yace path or lj:EPS,SIGMA,RC spec */
    committee_list committee;            /* uncertainty committee (k = 0: none), paths like potential */
    double committee_warn;               /* eV/Å: max sigma_F above this = extrapolating */
    int committee_line;                  /* where the file named the committee (0: --set) */
    struct {
        char kind[16];                   /* rocksalt | liquid | interface | file */
        int cells;                       /* rocksalt: conventional cells per edge */
        double a;                        /* Å */
        double vacancy_fraction;
        int atoms;                       /* liquid */
        double density;                  /* g/cm³ */
        char composition[64];
        double min_dist;                 /* Å */
        char file[PCM_PRESET_STR];       /* extxyz (first frame) */
        long seed;
    } structure;
    pcm_md_params md;
    double init_T;                       /* K: initial Maxwell-Boltzmann velocities (<0: protocol start T) */
    pcm_protocol protocol;
    struct {
        long thermo_every;               /* steps */
        long traj_every;                 /* steps, 0 = no trajectory */
        long xtal_every;                 /* steps, 0 = no crystallinity */
        long max_steps;                  /* 0 = protocol length */
    } output;
    char *warnings;                      /* NULL or newline-separated messages (malloc'ed) */
} pcm_preset;

void preset_defaults(pcm_preset *p);
/* Load path over the defaults; -1 + "file:line: ..." on error. */
int preset_load(pcm_preset *p, const char *path, pcm_err *e);
/* Apply one "key=value" (e.g. md.T=600, protocol.scale=0.01, potential=lj:...); checks the
 * value's type and range.  Call preset_validate after the last one. */
int preset_set(pcm_preset *p, const char *assignment, pcm_err *e);
/* Range and consistency checks (also run by load and set). */
int preset_validate(const pcm_preset *p, const char *file, pcm_err *e);
/* Write the effective settings (atomically) in the same format. */
int preset_write(const pcm_preset *p, const char *path, pcm_err *e);
void preset_free(pcm_preset *p);   /* frees warnings only */

#endif
