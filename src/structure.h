/* structure.h - local structure: coordination numbers and bond-angle distributions.
 *
 * Coordination: atom j (any periodic image) is a neighbour of i when
 * r_ij < r_c (3.15 Å for amorphous GST, as in the paper).  CN_ab = mean number
 * of b neighbours of an a atom; CN_a = Σ_b CN_ab.
 *
 * Bond angles: for every centre atom a and every unordered pair of its
 * neighbours j, k (both within r_c) the angle θ = acos(r̂_ij·r̂_ik) is
 * histogrammed by the triplet (species of j) – a – (species of k), with the two
 * ends sorted, e.g. Te–Ge–Te.  Reported as the probability density P(θ) in
 * 1/degree (∫P dθ = 1 for each triplet), without any sin θ correction, which
 * is how the GST literature (and the paper) plots it.  Frames accumulate.
 */
#ifndef PCM_STRUCTURE_H
#define PCM_STRUCTURE_H

#include "err.h"
#include "rdf.h"
#include "system.h"

#define STRUCT_RC_GST 3.15  /* Å, neighbour cutoff for amorphous GST */
#define COORD_MAXCN 32      /* histogram of total coordination 0..COORD_MAXCN */

typedef struct pcm_coord {
    double rc;                                 /* Å */
    pcm_spset sp;
    long nbond[PCM_MAX_SPECIES][PCM_MAX_SPECIES];/* Σ_frames Σ_{i∈a} (b neighbours of i) */
    long natoms[PCM_MAX_SPECIES];              /* Σ_frames N_a */
    long hist[PCM_MAX_SPECIES][COORD_MAXCN + 1];/* atoms of a with total CN = k (last bin: >=) */
    int nframes;
} pcm_coord;

pcm_coord *coord_new(double rc, pcm_err *e);
void coord_free(pcm_coord *c);
int coord_add(pcm_coord *c, const pcm_system *s, pcm_err *e);
/* Mean CN_ab (b = -1: all species), 0 when no a atoms were seen. */
double coord_mean(const pcm_coord *c, int a, int b);
/* CSV: species, N, CN_total, CN_<b>..., then fractions with CN = 0..8. */
int coord_write_csv(const pcm_coord *c, const char *path, pcm_err *e);

typedef struct pcm_angles {
    double rc;          /* Å */
    double dtheta;      /* bin width, degrees */
    int nbins;
    pcm_spset sp;
    /* hist[(centre*MAX + lo)*MAX + hi] (lo <= hi ends), allocated on first use */
    long *hist[PCM_MAX_SPECIES * PCM_MAX_SPECIES * PCM_MAX_SPECIES];
    long total[PCM_MAX_SPECIES * PCM_MAX_SPECIES * PCM_MAX_SPECIES];
    int nframes;
} pcm_angles;

pcm_angles *angles_new(double rc, double dtheta_deg, pcm_err *e);
void angles_free(pcm_angles *ad);
int angles_add(pcm_angles *ad, const pcm_system *s, pcm_err *e);
/* Triplet "B-A-C" (centre A) -> index, -1 when unknown or never seen. */
int angles_find(const pcm_angles *ad, const char *triplet);
/* P(θ) in 1/degree into p[nbins]; angles in 0..180 at bin centres (k+0.5)·dθ. */
void angles_get(const pcm_angles *ad, int idx, double *p);
/* Up to maxp local maxima (degrees) of P(θ), highest first, each at least 10 %
 * of the highest; returns how many. */
int angles_peaks(const pcm_angles *ad, int idx, double *peaks, int maxp);
/* Name "B-A-C" of a triplet index. */
void angles_name(const pcm_angles *ad, int idx, char *buf, int len);
/* CSV: theta_deg, then P for each triplet seen (1/degree), atomically. */
int angles_write_csv(const pcm_angles *ad, const char *path, pcm_err *e);

#endif
