/* label_report.h - summary of a labelled data set: counts by kind, density and
 * temperature bins, energy per atom and force distributions (eV, eV/Å). */
#ifndef PCM_LABEL_REPORT_H
#define PCM_LABEL_REPORT_H
#include <stdio.h>
#include "err.h"

/* Read every frame of the files and print the report; -1 + message on a read error. */
int label_report(FILE *out, const char *const *paths, int npaths, pcm_err *e);


/* Frame-by-frame differences of labels in path against ref (matched by config_id):
 * ΔE per atom (meV), max and rms force-component difference (meV/Å), Δ pressure (GPa). */
/* pairs: also print the pair-resolved force residual (reference - labelled, projected on the
 * pair direction, by element pair and distance); kinds: only frames of these comma-separated
 * kinds (NULL: all). */
int label_compare(FILE *out, const char *path, const char *ref, int pairs, const char *kinds, pcm_err *e);
#endif
