/* dft_cp2k.h - DFT labels from CP2K: settings, input writer, runner, output parser.
 *
 * One configuration = one CP2K ENERGY_FORCE run (Quickstep, GPW, Γ point or a
 * Monkhorst-Pack mesh, Fermi-Dirac smearing, diagonalisation + Broyden mixing).
 * The labels and their units as CP2K prints them:
 *   energy  "ENERGY| Total FORCE_EVAL ( QS ) energy [a.u.]:"  Hartree.  With smearing this
 *           is the Mermin free energy E - TS, whose negative gradient the forces are.
 *   forces  "ATOMIC FORCES in [a.u.]" block, Hartree/bohr, atom order as written.
 *   stress  "STRESS| Analytical stress tensor [GPa]", CP2K sign: positive = compressive.
 * Conversions (src/units.h): E[eV] = 27.211386245988 E[Ha];
 *   F[eV/Å] = F[Ha/bohr] · 27.211386245988 / 0.529177210903 = 51.42208619 F[Ha/bohr];
 *   virial W[eV] = +σ_CP2K[GPa] · V[Å³] / 160.21766208 (LAMMPS sign, = -stress_ASE · V).
 * A run is accepted only when the output says "SCF run converged": CP2K prints forces
 * for unconverged SCF too.
 */
#ifndef PCM_DFT_CP2K_H
#define PCM_DFT_CP2K_H
#include "err.h"
#include "system.h"

typedef struct dft_settings {
    int version;                       /* settings format version (1) */
    char name[64];                     /* preset name, recorded in every label */
    char functional[16];               /* "PBE" or "PBEsol" */
    char dispersion[8];                /* "none", "D2" or "D3" */
    char basis[64];                    /* e.g. DZVP-MOLOPT-SR-GTH */
    int nbases;                        /* per-element basis overrides (group "bases") */
    char basis_el[PCM_MAX_SPECIES][4];
    char bases[PCM_MAX_SPECIES][64];
    char basis_file[64];               /* BASIS_MOLOPT */
    char potential_file[64];           /* GTH_POTENTIALS */
    int npseudo;
    char pseudo_el[PCM_MAX_SPECIES][4];
    char pseudo[PCM_MAX_SPECIES][32];  /* GTH-PBE-q4 ... */
    double cutoff;                     /* plane-wave density cutoff, Ry */
    double rel_cutoff;                 /* Ry */
    double eps_default;                /* QS EPS_DEFAULT */
    double eps_scf;                    /* SCF convergence, Ha */
    int max_scf;
    double smear_t;                    /* Fermi-Dirac electronic temperature, K */
    int added_mos;                     /* extra MOs; <= 0: automatic (half the occupied) */
    double alpha;                      /* Broyden mixing */
    int nbroyden;
    double retry_alpha;                /* safer mixing for the one retry */
    int retry_max_scf;
    int kpoints[3];                    /* Monkhorst-Pack mesh, 1 1 1 = Γ */
    double vdw_rcut;                   /* dispersion pair cutoff, Å */
    char cp2k[256];                    /* executable (PATH lookup) */
    char mpirun[256];                  /* launcher used when np > 1 */
    int np;                            /* MPI ranks (1 = run cp2k directly) */
    int omp_threads;                   /* OMP_NUM_THREADS for cp2k */
} dft_settings;

/* Parsed result of one CP2K run (units as printed by CP2K). */
typedef struct dft_result {
    int converged;                     /* "SCF run converged" seen */
    int not_converged;                 /* "SCF run NOT converged" seen */
    int scf_steps;
    int has_energy, has_forces, has_stress;
    double energy_ha;                  /* Hartree (free energy) */
    int n;                             /* atoms with forces */
    double (*f_au)[3];                 /* [n] Ha/bohr */
    double stress_gpa[3][3];           /* GPa, CP2K sign (positive = compressive) */
    char version[64];                  /* "CP2K version 2023.1" */
} dft_result;

void dft_settings_default(dft_settings *s);
/* Read a libconfig preset over the defaults; unknown keys and bad values are errors. */
int dft_settings_load(dft_settings *s, const char *path, pcm_err *e);
/* Pseudopotential name for an element ("" when not configured). */
const char *dft_pseudo_for(const dft_settings *s, const char *el);
/* Basis set for an element: its override from "bases", else "basis". */
const char *dft_basis_for(const dft_settings *s, const char *el);
/* Valence electrons from a GTH name like "GTH-PBE-q6" (-1 if unknown). */
int dft_pseudo_valence(const char *pseudo);

/* Write a complete CP2K input (cell, coordinates inline) to path.  attempt 0 uses the
 * normal mixing, attempt 1 the safer retry settings. */
int dft_write_input(const dft_settings *s, const pcm_system *sys, int attempt, const char *path,
                    pcm_err *e);
/* Parse a CP2K output text (NUL-terminated); fills r (r->f_au malloc'ed). */
int dft_parse_output(const char *text, dft_result *r, pcm_err *e);
void dft_result_free(dft_result *r);

/* Run CP2K in dir on input file "cp2k.inp" writing "cp2k.out" (fork/exec, no shell).
 * Returns the exit status (0 ok), or -1 with a message when it could not be started. */
int dft_run_cp2k(const dft_settings *s, const char *dir, pcm_err *e);

/* Copy a parsed result into sys (energy eV, forces eV/Å, virial eV); -1 if incomplete
 * or if the atom count differs. */
int dft_result_apply(const dft_result *r, pcm_system *sys, pcm_err *e);
/* Virial (eV, Voigt xx yy zz yz xz xy, LAMMPS sign) from a CP2K stress tensor (GPa). */
/* Γ-point-only sampling of a cell narrower than 20 Å (smallest plane spacing) is not converged
 * for GST: measured on 58-atom cells (12 Å), Γ vs 2x2x2 shifted a crystal by -275 and a
 * disordered frame by -44 meV/atom (assets/dft/README.md).  Returns 1 and writes a one-line
 * warning into msg when s would do that for sys, else 0. */
int dft_kpoint_warning(const dft_settings *s, const pcm_system *sys, char *msg, size_t n);
void dft_stress_to_virial(const double stress_gpa[3][3], double volume, double virial[6]);
#endif
