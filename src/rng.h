/* rng.h - a small, seedable, reproducible random number generator (xoshiro256**). */
#ifndef PCM_RNG_H
#define PCM_RNG_H

#include <stdint.h>

typedef struct pcm_rng {
    uint64_t s[4];
    int has_gauss;
    double gauss;
} pcm_rng;

void rng_seed(pcm_rng *r, uint64_t seed);
uint64_t rng_u64(pcm_rng *r);
double rng_uniform(pcm_rng *r);          /* [0, 1) */
double rng_gauss(pcm_rng *r);            /* standard normal */
int rng_int(pcm_rng *r, int n);          /* 0..n-1 */
/* Sum of n squared standard normals (chi-squared with n degrees of freedom). */
double rng_chi2(pcm_rng *r, int n);

#endif
