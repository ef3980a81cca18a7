/* gnuplot.h - the one owner of the external gnuplot program (PNG plots through pngcairo).
 *
 * A plot is a script written into the pipe gnuplot_open returns, and the PNG files it draws.
 * The script sends each output to its temporary name, "set output '<OUT>.tmp'"; gnuplot_close
 * renames them into place when gnuplot succeeded and removes them otherwise, so a plot is
 * never left half-written (fileio.h's rule for every file pcmlab writes).  gnuplot's own
 * messages go to /dev/null: the exit status says whether it worked.
 */
#ifndef PCM_GNUPLOT_H
#define PCM_GNUPLOT_H

#include <stdio.h>

#include "err.h"

/* The pipe into a new gnuplot, or NULL with e filled. */
FILE *gnuplot_open(pcm_err *e);
/* Ends the script and gnuplot; renames the n outputs "<outs[k]>.tmp" to outs[k] (all removed
 * when gnuplot failed).  0, or -1 with e: gnuplot missing ("needs gnuplot (make deps installs
 * it)"), failed, or an output that could not be renamed. */
int gnuplot_close(FILE *g, const char *const *outs, int n, pcm_err *e);
/* 0 when path can stand in a gnuplot string ('...'), else -1 with e. */
int gnuplot_path_ok(const char *path, pcm_err *e);

#endif
