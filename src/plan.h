/* plan.h - preset files (presets/NAME.cfg) for the live workbench: the catalogue and the "live plan".
 *
 * A preset file (preset.h) describes a whole run: potential, structure, MD settings,
 * temperature schedule, output.  A running workbench can apply only part of it to the
 * atoms already on screen; plan_from_preset() splits it:
 *   applied live:  the temperature schedule (segments, cycles, scale; or md.T held for
 *                  output.max_steps when there are no segments), md.ensemble, dt, tau_T,
 *                  P, tau_P, compressibility, skin and the thermostat seed;
 *   not live:      potential, committee and structure (swapping either under a running system would
 *                  show a different material, or a potential evaluated on a structure it
 *                  was never meant for), md.init_T (velocities are kept) and output.*
 *                  (the workbench has its own exports).  They apply when the workbench is
 *                  started with `--preset FILE`; live, plan.note says what was left out.
 * Nothing here prints; errors come back as "file:line: what was expected".
 */
#ifndef PCM_PLAN_H
#define PCM_PLAN_H

#include <stddef.h>

#include "err.h"
#include "md.h"
#include "preset.h"
#include "protocol.h"

#define PLAN_NOTE_LEN 400

typedef struct sim_plan {
    char name[64];                 /* preset name (spaces replaced) */
    char file[512];                /* where it came from */
    pcm_protocol proto;            /* the schedule, ps and K */
    pcm_md_params md;              /* dt fs, ensemble, tau_T fs, P bar, tau_P fs, ... */
    char note[PLAN_NOTE_LEN];      /* what was not applied live, and why ("" = everything) */
} sim_plan;

/* What the running workbench has, so the note can compare: potential path/spec and a
 * short structure description ("194 atoms"). */
typedef struct plan_running {
    const char *potential;
    int natoms;
} plan_running;

/* Build the live plan of a loaded preset.  run may be NULL (start-up: nothing is left out). */
void plan_from_preset(sim_plan *pl, const pcm_preset *p, const char *file, const plan_running *run);
/* preset_load + plan_from_preset; -1 + "file:line: ..." when the file is bad. */
int plan_load(sim_plan *pl, const char *file, const plan_running *run, pcm_err *e);

/* One line of the catalogue. */
typedef struct plan_entry {
    char path[512];
    char name[64];
    char desc[200];                /* the file's leading comment, "name.cfg - " removed */
    double duration_ps;            /* scaled, all cycles; 0 when unknown */
    char error[300];               /* non-empty: the file does not load (file:line: ...) */
} plan_entry;

/* The presets folder: ./presets when it exists, else presets/ beside the binary
 * (bin/../presets).  Returns 0 and fills buf, or -1 when neither exists. */
int plan_presets_dir(char *buf, size_t cap);
/* Every *.cfg in dir, sorted by file name; *out is malloc'ed (free it).  Returns the count
 * (0 with *out = NULL when none). */
int plan_scan(const char *dir, plan_entry **out);
/* The leading comment of a preset file as one line ("" when there is none). */
void plan_describe(const char *path, char *buf, size_t cap);
/* "100 ps", "1.05 ns" */
void plan_format_duration(double ps, char *buf, size_t cap);

#endif
