/* cli.h - the command-line subcommands and their small argument helpers.
 *
 * Each subcommand is `int cmd_NAME(int argc, char **argv)` (argv[0] is the
 * subcommand name) returning the process exit status: 0 success, 1 bad input or
 * failed run (message already printed as "pcmlab: file:line: ..."), 2 usage.
 */
#ifndef PCM_CLI_H
#define PCM_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rng.h"
#include "system.h"

int cmd_eval(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_dataset(int argc, char **argv);
int dataset_sample(int argc, char **argv);   /* `dataset sample`, src/cli_sample.c */
int dataset_carve(int argc, char **argv);    /* `dataset carve`, src/cli_carve.c */
/* One configuration of a `dataset generate` kind (src/cli_dataset.c); *crystal = 1 for crystals. */
pcm_system *dataset_make_kind(const char *kind, uint64_t seed, pcm_rng *r, char *what, size_t wn, int *crystal,
                              pcm_err *e);
int cmd_analyze(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_melting_point(int argc, char **argv);   /* src/cli_tm.c */
int cmd_transport(int argc, char **argv);       /* src/cli_transport.c */

/* Crystalline fraction for `run` (thermo.csv column); NULL leaves the column empty.
 * The crystallinity module sets it once it exists. */
struct pcm_system;
extern double (*pcm_run_xtal_fn)(const struct pcm_system *s);
int cmd_fit(int argc, char **argv);
/* Defined in ui/workbench.c and render/cli_render.c (they need curses/GL, so not in src/). */
int cmd_workbench(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_gpu(int argc, char **argv);

/* Parse a whole string as a number; -1 + message naming the option otherwise. */
int cli_double(const char *opt, const char *s, double *out, pcm_err *e);
int cli_int(const char *opt, const char *s, long *out, pcm_err *e);
/* A comma-separated list of temperatures in K (1..5000), at most max of them, into T[0..*n). */
int cli_temps(const char *opt, const char *s, double *T, int max, int *n, pcm_err *e);
/* "T_K:PS" (e.g. the premelt 1500:4): 0 < T <= 5000 K, 0 < PS <= 1000 ps. */
int cli_temp_time(const char *opt, const char *s, double *T, double *ps, pcm_err *e);
/* extxyz of s (velocities, energy) with a per-atom `crystalline` column (ten Wolde q4),
 * crystalline_fraction and time_ps, plus the info pairs kv = {key, value, ..., NULL};
 * written atomically.  Returns 0, or -1 with e filled. */
int cli_write_xtal_frame(const char *path, pcm_system *s, const char *const *kv, pcm_err *e);
/* Monotonic wall clock, seconds (for run timings). */
double cli_now(void);
/* Long batch commands (validate, melting-point) stop cleanly: cli_catch_stop() makes SIGINT and
 * SIGTERM (`timeout`, batch systems) set cli_stop to the signal number (once; a second one ends
 * the process at once), cli_release_stop() restores the previous handlers.  0 while running. */
extern volatile sig_atomic_t cli_stop;
void cli_catch_stop(void);
void cli_release_stop(void);
/* "pcmlab SUBCOMMAND ARGS..." for reports (truncated to n). */
void cli_cmdline(char *buf, size_t n, int argc, char **argv);
/* Print "pcmlab: <msg>" to stderr and return 1. */
int cli_fail(const pcm_err *e);

#endif
