/* rdf.h - radial distribution functions, total and partial, averaged over frames.
 *
 *   g_ab(r) = V / (N_a (N_b - δ_ab)) · n_ab(r) / (4π/3 ((r+dr)³ - r³))
 *
 * n_ab(r) = number of ordered pairs (i of species a, j of species b, all
 * periodic images) with r <= r_ij < r + dr.  The (N_b - δ_ab) makes g → 1 at
 * large r for uncorrelated positions at any N.  Over several frames the pair
 * counts and the normalisations N_a(N_b - δ_ab)/V are summed separately
 * (ensemble average of the pair density, valid when V or N changes).  The total
 * g(r) counts every pair, normalised by N(N-1)/V.  Pairs include periodic
 * images, so r_max may exceed half the box.  Counting is thread-parallel with
 * integer histograms: results do not depend on the thread count.
 */
#ifndef PCM_RDF_H
#define PCM_RDF_H

#include "err.h"
#include "system.h"

/* A species table shared by accumulators that see several frames: symbols are
 * matched by name, so frames may list species in different orders. */
typedef struct pcm_spset {
    int n;
    char sym[PCM_MAX_SPECIES][4];
} pcm_spset;

/* map[k] = index in t of s's species k (adding new ones); -1 + message when full. */
int spset_map(pcm_spset *t, const pcm_system *s, int *map, pcm_err *e);

typedef struct pcm_rdf {
    double rmax;        /* Å */
    double dr;          /* bin width, Å */
    int nbins;
    pcm_spset sp;
    long *count;        /* [MAX²][nbins] ordered pair counts, a*MAX+b */
    double norm[PCM_MAX_SPECIES][PCM_MAX_SPECIES]; /* Σ_frames N_a(N_b-δ_ab)/V, 1/Å³ */
    double norm_tot;    /* Σ_frames N(N-1)/V, 1/Å³ */
    long natoms[PCM_MAX_SPECIES]; /* Σ_frames N_a */
    long natoms_tot;    /* Σ_frames N */
    int nframes;
} pcm_rdf;

/* rmax (Å) > 0 and dr (Å) > 0; NULL + message otherwise. */
pcm_rdf *rdf_new(double rmax, double dr, pcm_err *e);
void rdf_free(pcm_rdf *r);
/* Add one configuration. */
int rdf_add(pcm_rdf *r, const pcm_system *s, pcm_err *e);
/* Bin centre, Å. */
double rdf_r(const pcm_rdf *r, int bin);
/* g_ab into g[nbins] (a, b indices of r->sp; b = -1: all species around a;
 * a = -1: total).  Zero when unseen. */
void rdf_get(const pcm_rdf *r, int a, int b, double *g);
/* Running coordination number: mean number of b neighbours of an a atom closer
 * than the upper edge of each bin (= 4π ρ_b ∫_0^r g_ab r'² dr'); b = -1: any
 * species; a = -1: total. */
void rdf_running_cn(const pcm_rdf *r, int a, int b, double *cn);
/* Position (Å) of the first peak of g (first local maximum at least
 * max(1.2, 0.3·highest) high) and of the first minimum after it; -1 when undefined. */
void rdf_first_peak(const pcm_rdf *r, const double *g, double *rpeak, double *rmin);
/* CSV: r_A, g_total, then g_A_B for each unordered pair, atomically. */
int rdf_write_csv(const pcm_rdf *r, const char *path, pcm_err *e);

#endif
