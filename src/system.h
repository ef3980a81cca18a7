/* system.h - the atoms: species, positions, velocities, forces, cell.
 *
 * Units: positions Å, velocities Å/fs, forces eV/Å, masses amu, energies eV,
 * virial eV (W_ab = Σ r_a f_b, LAMMPS sign: positive when the system pushes
 * outward; Voigt order xx yy zz yz xz xy).  Positions are NOT required to lie
 * inside the cell.
 */
#ifndef PCM_SYSTEM_H
#define PCM_SYSTEM_H

#include "cell.h"
#include "err.h"

#define PCM_MAX_SPECIES 16

typedef struct pcm_system {
    int n;                               /* number of atoms */
    int cap;                             /* allocated capacity */
    int nspecies;
    char species[PCM_MAX_SPECIES][4];    /* element symbols, index = species id */
    double species_mass[PCM_MAX_SPECIES];/* amu */
    int *type;                           /* [n] species id */
    double (*x)[3];                      /* [n] positions, Å */
    double (*v)[3];                      /* [n] velocities, Å/fs */
    double (*f)[3];                      /* [n] forces, eV/Å */
    double *pe;                          /* [n] per-atom potential energy, eV */
    pcm_cell cell;
    double energy;                       /* total potential energy, eV */
    double virial[6];                    /* configurational virial, eV, Voigt xx yy zz yz xz xy */
    long step;                           /* MD step counter */
    double time;                         /* simulated time, fs */
} pcm_system;

pcm_system *system_new(void);
void system_free(pcm_system *s);
pcm_system *system_copy(const pcm_system *s);
void system_reserve(pcm_system *s, int n);
/* Species id of an element symbol, adding it (with its standard mass) if new.
 * Returns -1 for an unknown element or when the species table is full. */
int system_species_id(pcm_system *s, const char *sym);
/* Append an atom (species by symbol); returns its index or -1 (unknown element). */
int system_add_atom(pcm_system *s, const char *sym, const double x[3]);
double system_mass(const pcm_system *s, int i);
double system_total_mass(const pcm_system *s);          /* amu */
double system_density(const pcm_system *s);             /* g/cm³ */
double system_kinetic_energy(const pcm_system *s);      /* eV */
double system_temperature(const pcm_system *s, int dof);/* K; dof <= 0: 3N-3 */
/* Kinetic part of the stress, eV, Voigt: K_ab = Σ m v_a v_b (in eV). */
void system_kinetic_tensor(const pcm_system *s, double k[6]);
/* Pressure in bar: (2 KE·... ) = (Σ m v² + tr W) / (3 V). */
double system_pressure(const pcm_system *s);
void system_zero_momentum(pcm_system *s);
/* Count of atoms per species into counts[PCM_MAX_SPECIES]. */
void system_composition(const pcm_system *s, int *counts);
/* Checks: empty, singular cell, non-finite values, atoms closer than dmin (Å; 0 skips). */
int system_validate(const pcm_system *s, double dmin, const char *what, pcm_err *e);

#endif
