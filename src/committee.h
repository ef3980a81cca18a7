/* committee.h - model uncertainty from a committee of K potentials (query by committee).
 *
 * K independently fitted potentials (e.g. `pcmlab fit --committee K`: fits on bootstrap
 * resamples of the data) are evaluated on the same atoms.  Where they agree the model
 * interpolates its training data; where they disagree it extrapolates.  Per atom i:
 *     <F_i>    = (1/K) sum_k F_i^k
 *     sigma_F,i = sqrt( (1/K) sum_k |F_i^k - <F_i>|^2 )          (eV/Å)
 *     sigma_E,i = sqrt( (1/K) sum_k (E_i^k - <E_i>)^2 )          (eV, atomic energies)
 * and per frame
 *     sigma_F   = sqrt( (1/N) sum_i sigma_F,i^2 )                (eV/Å)
 * the value `pcmlab dataset sample` ranks candidates by (Seung, Opper, Sompolinsky 1992;
 * per-atom force disagreement as in Smith et al., J. Chem. Phys. 148, 241733 (2018)).
 * One evaluation costs K force calls (one shared neighbour list).
 * Means and variances are accumulated with Welford's update, so identical members give
 * exactly 0.
 */
#ifndef PCM_COMMITTEE_H
#define PCM_COMMITTEE_H

#include "err.h"
#include "potential.h"
#include "system.h"

#define COMMITTEE_MAX 16            /* members at most */
#define COMMITTEE_PATH 512          /* characters per member path/spec */
#define COMMITTEE_WARN_DEFAULT 1.0  /* eV/Å: max sigma_F,i above this = the model extrapolates */

/* The members a user named (config files, --set, command-line options). */
typedef struct committee_list {
    int k;                                   /* members, 0 = no committee */
    char member[COMMITTEE_MAX][COMMITTEE_PATH]; /* .yace paths or potential specs (lj:...) */
} committee_list;

/* Add the members of one user value: a comma-separated list of .yace files, or a single
 * potential spec (which may itself hold commas, e.g. lj:EPS,SIGMA,RC).  -1 + message (and l
 * unchanged) when the list is full, a name is too long or empty. */
int committee_list_add(committee_list *l, const char *value, pcm_err *e);
/* "a.yace, b.yace, ..." into buf (for messages and write-back). */
void committee_list_format(const committee_list *l, const char *sep, char *buf, size_t cap);

typedef struct pcm_committee pcm_committee;

/* Loads every member once (K >= 2); -1/NULL + message naming the member that fails. */
pcm_committee *committee_load(const char *const *specs, int k, pcm_err *e);
pcm_committee *committee_load_list(const committee_list *l, pcm_err *e);
void committee_free(pcm_committee *c);
int committee_size(const pcm_committee *c);

typedef struct committee_stats {
    double sigma_f;         /* eV/Å, frame value sqrt(mean_i sigma_F,i^2) */
    double sigma_f_max;     /* eV/Å, max_i sigma_F,i */
    double sigma_f_mean;    /* eV/Å, mean_i sigma_F,i */
    double sigma_e_max;     /* eV, max_i sigma_E,i */
    double seconds;         /* wall time of the K evaluations, s */
} committee_stats;

/* Evaluates every member on a copy of s (s is not changed).  sigma_f[n] (eV/Å), sigma_e[n]
 * (eV) and st may each be NULL.  -1 + message when a member refuses the system (a species
 * it lacks, for example). */
int committee_eval(pcm_committee *c, const pcm_system *s, double *sigma_f, double *sigma_e, committee_stats *st,
                   pcm_err *e);

#endif
