/* build.h - structure builders for GST and its relatives. */
#ifndef PCM_BUILD_H
#define PCM_BUILD_H

#include <stdint.h>

#include "system.h"

/* Rocksalt GST: Te on one fcc sublattice; Ge, Sb and vacancies 2:2:1 (vacancy
 * fraction vac_frac of the cation sites, the rest split evenly Ge/Sb) at random
 * on the other.  cells³ conventional cubic cells of edge a (Å). */
pcm_system *build_rocksalt(int cells, double a, double vac_frac, uint64_t seed, pcm_err *e);

/* Random liquid-like packing: natoms atoms of the given composition ("Ge2Sb2Te5")
 * in a cubic box at density rho (g/cm³), no two closer than dmin (Å). */
pcm_system *build_liquid(int natoms, double rho, const char *composition, double dmin, uint64_t seed,
                         pcm_err *e);

/* Parse "Ge2Sb2Te5" into symbols and ratios; returns the number of elements or -1. */
int parse_composition(const char *comp, char sym[][4], double *ratio, int max, pcm_err *e);

/* Displace every atom by a Gaussian of standard deviation sigma (Å). */
void build_rattle(pcm_system *s, double sigma, uint64_t seed);
/* Apply a homogeneous strain: r -> (1+eps) r for atoms and cell (eps Voigt xx yy zz yz xz xy). */
void build_strain(pcm_system *s, const double eps[6]);

#endif
