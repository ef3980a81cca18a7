/* export.h - workbench exports of a snapshot or the time series.
 *
 * All files are written atomically (fileio.h).  Each function returns 0, or -1
 * with e filled; the caller reports the path on its status line.
 */
#ifndef PCM_EXPORT_H
#define PCM_EXPORT_H
#include "err.h"
#include "sim.h"

/* extxyz frame with species, pos, energies (eV) and a crystalline:I:1 column
 * (1 crystalline, 0 amorphous, -1 not analysed); info: step, time_ps, T, P,
 * energy, crystalline_fraction; with a committee a sigma_F:R:1 column (eV/Å) and sigma_F_max,
 * sigma_F, sigma_F_step info keys. */
int export_extxyz(const sim_snapshot *snap, const char *path, pcm_err *e);
/* LAMMPS data file, atom_style atomic, units metal.  A general cell is rotated
 * into LAMMPS's convention (a along x, b in the xy plane) and written with
 * "xy xz yz" tilt factors when it is not orthorhombic; atoms are wrapped into
 * the box. */
int export_lammps(const sim_snapshot *snap, const char *path, pcm_err *e);
/* Time series as CSV: time_ps,pe_eV_atom,T_K,density_gcc,crystalline_fraction, and with a
 * committee sigma_F_max_eV_A,sigma_F_eV_A. */
int export_csv(const sim_series *ser, const char *path, pcm_err *e);
/* The four live plots (PE/atom, T, density, crystalline fraction against time; with a committee
 * a fifth, σ_F) as one PNG, drawn by gnuplot from a temporary data file; the PNG is written to
 * a temporary name and renamed when gnuplot succeeded.  -1 with e when gnuplot is missing or
 * fails, or the series is empty. */
int export_plot(const sim_series *ser, const char *path, pcm_err *e);
/* The same plots from a `pcmlab run` thermo.csv (cli_run.c's columns). */
int export_plot_thermo(const char *csv, const char *path, pcm_err *e);
/* "DIR/STEM-STEP.EXT", creating DIR; returns -1 when DIR cannot be made. */
int export_path(char *out, size_t cap, const char *dir, const char *stem, long step, const char *ext,
                pcm_err *e);
#endif
