/* extxyz.h - extended XYZ frames: read (multi-frame, with line-numbered errors) and write.
 *
 * Comment line: key=value pairs, values optionally in double quotes.  Required:
 * Lattice="ax ay az bx by bz cx cy cz" (rows = lattice vectors, Å) and
 * Properties=name:T:n:... with species:S:1 and pos:R:3.  Understood columns:
 * velo (Å/fs), forces (eV/Å), energies (eV); any other R/I/L column is kept as a
 * numeric extra column.  Understood info keys: energy (eV), virial (eV, 9 values
 * or Voigt "xx yy zz yz xz xy"), stress (eV/Å³, ASE sign: virial = -stress·V).
 * Numbers are written with %.17g so a write/read round trip is exact.
 */
#ifndef PCM_EXTXYZ_H
#define PCM_EXTXYZ_H

#include <stdio.h>

#include "system.h"

typedef struct pcm_xyz_col {
    char name[48];
    char type;       /* 'R', 'I' or 'L' */
    int ncomp;
    double *d;       /* [n * ncomp] */
} pcm_xyz_col;

typedef struct pcm_frame {
    pcm_system *sys;
    int has_energy, has_virial, has_forces, has_energies, has_velocities;
    int nkv;
    char **keys, **vals;   /* other info keys, raw values (quotes removed) */
    int ncol;
    pcm_xyz_col *cols;     /* extra per-atom numeric columns */
} pcm_frame;

pcm_frame *frame_new(void);
void frame_free(pcm_frame *fr);
void frame_clear(pcm_frame *fr);     /* drop atoms, info and columns; keep the object */
/* Drop info keys and columns only: for a frame on the stack that borrows fr->sys to write it. */
void frame_clear_info(pcm_frame *fr);
const char *frame_get(const pcm_frame *fr, const char *key);
void frame_set(pcm_frame *fr, const char *key, const char *val);
void frame_setf(pcm_frame *fr, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Extra column by name (NULL if absent); ncomp may be NULL. */
double *frame_col(const pcm_frame *fr, const char *name, int *ncomp);
/* Add or replace an extra column; data has sys->n * ncomp values (copied). */
void frame_add_col(pcm_frame *fr, const char *name, char type, int ncomp, const double *data);

typedef struct pcm_xyz_reader pcm_xyz_reader;
pcm_xyz_reader *xyz_open(const char *path, pcm_err *e);
/* Reads the next frame into fr (cleared first): 1 = frame read, 0 = end of file, -1 = error. */
int xyz_read(pcm_xyz_reader *r, pcm_frame *fr, pcm_err *e);
void xyz_close(pcm_xyz_reader *r);
/* Convenience: read the first frame of a file. */
pcm_frame *xyz_read_first(const char *path, pcm_err *e);
/* Count frames in a file (-1 on error). */
int xyz_count_frames(const char *path, pcm_err *e);

enum {
    XYZ_VEL = 1,        /* write velo:R:3 */
    XYZ_FORCES = 2,     /* write forces:R:3 */
    XYZ_ENERGIES = 4,   /* write energies:R:1 */
    XYZ_ENERGY = 8,     /* write energy= */
    XYZ_VIRIAL = 16,    /* write virial="xx yy zz yz xz xy" */
};
/* Write one frame; flags select the standard fields, extra columns and info always go out. */
int xyz_write(FILE *fp, const pcm_frame *fr, unsigned flags);
/* Write frames to path atomically. */
int xyz_write_file(const char *path, pcm_frame *const *frs, int n, unsigned flags, pcm_err *e);

#endif
