/* sq.h - static structure factor S(q) over wave vectors commensurate with the box.
 *
 *   q = 2π H⁻¹ n  (n integer, H rows = lattice vectors), so q·r_j = 2π n·s_j with
 *   s_j the fractional coordinates;  ρ_a(q) = Σ_{j∈a} exp(-i q·r_j)
 *   S(q)      = |Σ_a ρ_a(q)|² / N                      (number–number)
 *   S_ab(q)   = Re(ρ_a(q) ρ_b(q)*) / sqrt(N_a N_b)     (Ashcroft–Langreth partials)
 *
 * Choice: atomic form factors / scattering lengths are omitted (every atom
 * weighs 1), which is the number–number S(q) that MD papers, this one included,
 * compare between models.  Faber–Ziman partials follow from the Ashcroft–Langreth
 * ones as S^FZ_ab = 1 + (S_ab - δ_ab)/sqrt(c_a c_b), c_a = N_a/N (both are
 * written; weight them with scattering lengths to compare with a neutron or
 * X-ray experiment).  Consequence
 * for rocksalt GST: Te and the cations weigh the same, so the fcc (111)
 * reflection at 2π√3/a only comes from the vacancies (it vanishes without them)
 * and the strong low-q Bragg peak is (200) at 4π/a.
 *
 * Vectors are binned by |q| in bins of width dq centred on k·dq (default
 * dq = 2π/L, L = V^{1/3}: the spacing of the commensurate grid in a cubic box,
 * so every |n| = k shell of a cubic box sits at a bin centre) and S is the mean
 * over the vectors in a bin.  q and -q give the same S, so only half are used.
 * max_per_bin = 0 uses every vector (exact; phase factors by recursion along
 * lines of the grid, cost ~ N · number of vectors complex multiplies); > 0 uses
 * a reproducible random subset of at most that many per bin (reservoir sampling
 * with a fixed seed), cost nbins·max_per_bin·N, fine for liquids but it may miss
 * the few vectors that carry a Bragg peak.  Frames accumulate (bins fixed by
 * the first frame's dq when dq was 0).  Thread-parallel, deterministic.
 */
#ifndef PCM_SQ_H
#define PCM_SQ_H

#include <stdint.h>

#include "err.h"
#include "rdf.h"
#include "system.h"

typedef struct pcm_sq {
    double qmax;        /* 1/Å */
    double dq;          /* bin width, 1/Å (0 until the first frame when automatic) */
    int nbins;
    int max_per_bin;    /* vectors per bin and frame at most */
    uint64_t seed;
    pcm_spset sp;
    double *s_sum;      /* [nbins] Σ S over vectors */
    double *part_sum;   /* [MAX²][nbins] Σ S_ab over vectors */
    long *nvec;         /* [nbins] vectors used */
    long natoms[PCM_MAX_SPECIES]; /* Σ_frames N_a (for the concentrations c_a) */
    long natoms_tot;
    int nframes;
} pcm_sq;

/* qmax (1/Å) > 0; dq (1/Å) or 0 for 2π/V^{1/3} of the first frame; max_per_bin >= 0. */
pcm_sq *sq_new(double qmax, double dq, int max_per_bin, uint64_t seed, pcm_err *e);
void sq_free(pcm_sq *q);
int sq_add(pcm_sq *q, const pcm_system *s, pcm_err *e);
/* Bin centre k·dq (1/Å). */
double sq_q(const pcm_sq *q, int bin);
/* Mean S (a = -1) or S_ab in bin; NAN-free: 0 for empty bins (check nvec). */
double sq_get(const pcm_sq *q, int a, int b, int bin);
/* Faber–Ziman partial 1 + (S_ab - δ_ab)/sqrt(c_a c_b) in bin (c over all frames). */
double sq_get_fz(const pcm_sq *q, int a, int b, int bin);
/* S of one wave vector n (integers) of s: the number–number value. */
double sq_single(const pcm_system *s, const int n[3]);
/* Highest bin (centre q, value S) with q >= qmin; returns its index or -1. */
int sq_peak(const pcm_sq *q, double qmin, double *qpeak, double *speak);
/* First local maximum with S >= thr (a Bragg peak or the liquid's first
 * peak); returns its bin or -1. */
int sq_first_peak(const pcm_sq *q, double thr, double *qpeak, double *speak);
/* CSV: q_invA, S, nvec, S_A_B (Ashcroft–Langreth) and SFZ_A_B (Faber–Ziman)
 * for each unordered pair, atomically. */
int sq_write_csv(const pcm_sq *q, const char *path, pcm_err *e);

#endif
