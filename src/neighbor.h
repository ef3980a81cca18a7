/* neighbor.h - full neighbour lists with periodic images (cell lists + Verlet skin).
 *
 * For every atom i the list holds every atom j and every periodic image of every
 * atom (images of i itself included) with |r_j + S·H - r_i| < rcut + skin, where
 * S is an integer lattice shift.  There is no minimum-image convention, so cells
 * smaller than twice the cutoff work.  Both directions (i→j and j→i) are stored.
 *
 * The list stores each pair's integer shift, so displacements stay valid while
 * atoms move (positions are not re-wrapped between rebuilds); nl_needs_rebuild
 * says when an atom has moved more than skin/2 or the cell has changed shape
 * beyond what the skin covers.
 */
#ifndef PCM_NEIGHBOR_H
#define PCM_NEIGHBOR_H

#include "system.h"

typedef struct pcm_nlist {
    int n;               /* atoms the list was built for */
    int *start;          /* [n+1] CSR offsets into j/shift/d */
    int *j;              /* [npairs] neighbour atom index */
    int (*shift)[3];     /* [npairs] lattice shift S: image = x[j] + S·H */
    double (*d)[3];      /* [npairs] displacement r_j + S·H - r_i (Å), see nl_update */
    long npairs, cap;
    double rcut;         /* interaction cutoff, Å */
    double skin;         /* Verlet skin, Å */
    double (*x0)[3];     /* [n] positions at build */
    pcm_cell cell0;      /* cell at build */
    long nbuilds;        /* how many times the list was (re)built */
} pcm_nlist;

pcm_nlist *nl_new(double rcut, double skin);
void nl_free(pcm_nlist *nl);
/* Build from scratch (deterministic: same list for any thread count). */
void nl_build(pcm_nlist *nl, const pcm_system *s);
/* Recompute d[] from current positions and cell (after atoms moved). */
void nl_update(pcm_nlist *nl, const pcm_system *s);
/* 1 when the list must be rebuilt for s. */
int nl_needs_rebuild(const pcm_nlist *nl, const pcm_system *s);
/* Rebuild if needed, else update displacements; returns 1 when it rebuilt. */
int nl_refresh(pcm_nlist *nl, const pcm_system *s);

#endif
