/* units.h - the one place where pcmlab's units and conversion factors live.
 *
 * Internal units are LAMMPS "metal": length Å, energy eV, time fs (LAMMPS uses ps;
 * pcmlab uses fs for the timestep), mass amu (g/mol), temperature K, pressure bar.
 * Velocities are Å/fs, forces eV/Å, virial eV.
 */
#ifndef PCM_UNITS_H
#define PCM_UNITS_H

#define PCM_KB        8.617333262e-5      /* Boltzmann constant, eV/K */
/* m v^2 with m in amu and v in Å/fs gives amu Å²/fs²; times this is eV */
#define PCM_MVV2E     103.642696562       /* eV per amu Å²/fs² (= 1/9.6485332e-3) */
#define PCM_EV_A3_TO_BAR 1.602176634e6    /* 1 eV/Å³ in bar */
#define PCM_AMU_A3_TO_GCC 1.66053906660   /* 1 amu/Å³ in g/cm³ */
#define PCM_HARTREE_EV 27.211386245988    /* 1 Hartree in eV */
#define PCM_BOHR_A    0.529177210903      /* 1 bohr in Å */
#define PCM_GPA_TO_EV_A3 (1.0 / 160.21766208) /* 1 GPa in eV/Å³ */
#define PCM_PI        3.14159265358979323846

#endif
