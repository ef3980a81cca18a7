/* d2.h - Grimme D2 dispersion correction as a pair potential (supplement sec. 5).
 *
 *   E = Σ_{i<j} u_ij(r),  u_ij(r) = -s6 C6_ij / r⁶ · f_damp(r) · S(r)
 *   f_damp(r) = 1 / (1 + exp(-d (r / (s_r (R0_i + R0_j)) - 1))),  d = 20
 *   C6_ij = sqrt(C6_i C6_j)
 *
 * C6_i and R0_i are Grimme's values (S. Grimme, J. Comput. Chem. 27, 1787
 * (2006), Table 1); the paper uses s6 = 0.75 and s_r = 1.15 with PBEsol-trained
 * ACE.  S(r) is a quintic switch from 1 at r_on = rc - 2 Å to 0 at rc (energy
 * and forces continuous); the part beyond r_on that the switch removes is added
 * back as a mean-field tail (g(r) = 1): per atom of species a
 *   e_a = ½ Σ_b ρ_b ∫ 4π r² u_ab(r)(1 - S(r)) dr,  virial W_xx = W_yy = W_zz = E_tail,
 * which depends only on the volume and composition (no forces).
 * Spec: "d2" or "d2:S6,SR,RC" (defaults 0.75, 1.15, 12 Å).  Combine with ACE as
 * "POT.yace+d2" (potential_load's sum).
 */
#ifndef PCM_D2_H
#define PCM_D2_H

#include "potential.h"

/* C6 (eV·Å⁶) and R0 (Å) of an element; 0 when D2 has no value for it here. */
int d2_params(const char *sym, double *c6, double *r0);

/* s6 (dimensionless) > 0, sr > 0, rc (Å) > 4. */
pcm_potential *d2_potential_new(double s6, double sr, double rc, pcm_err *e);
/* Parse "d2" / "d2:S6,SR,RC". */
pcm_potential *d2_potential_load(const char *spec, pcm_err *e);

#endif
