/* cell.h - the periodic simulation cell.
 *
 * h[a] is lattice vector a (rows, Å), as in extxyz's Lattice="ax ay az bx by bz cx cy cz".
 * A Cartesian position r and its fractional coordinates s satisfy r = s · H
 * (r_k = Σ_a s_a h[a][k]), so s = r · H⁻¹.  The cell may be any non-singular 3×3
 * matrix (general triclinic, rotated).  All cells are periodic in x, y and z.
 */
#ifndef PCM_CELL_H
#define PCM_CELL_H

typedef struct pcm_cell {
    double h[3][3];     /* lattice vectors as rows, Å */
    double hinv[3][3];  /* inverse of h, 1/Å */
    double volume;      /* |det h|, Å³ */
} pcm_cell;

/* Set the lattice vectors; returns -1 when the cell is singular (volume < 1e-9 Å³). */
int cell_set(pcm_cell *c, const double h[3][3]);
void cell_set_ortho(pcm_cell *c, double lx, double ly, double lz);
void cell_to_frac(const pcm_cell *c, const double r[3], double s[3]);
void cell_to_cart(const pcm_cell *c, const double s[3], double r[3]);
/* Distances between opposite faces of the cell (Å): d_a = V / |b × c| etc. */
void cell_plane_spacings(const pcm_cell *c, double d[3]);
/* Map r into the cell (fractional coordinates in [0,1)); img receives the integer
 * lattice shift that was added (may be NULL). */
void cell_wrap(const pcm_cell *c, double r[3], int img[3]);
/* Minimum-image displacement of d (valid when |d| < half the smallest plane spacing). */
void cell_min_image(const pcm_cell *c, double d[3]);
int cell_is_orthorhombic(const pcm_cell *c);
/* Scale the cell and nothing else by factors along x, y, z (Cartesian). */
void cell_scale(pcm_cell *c, const double f[3]);

#endif
