/* build_phases.h - more GST-family structures for training data: layered hexagonal
 * GST, rhombohedral GeTe, Sb2Te3, elemental Ge, Sb, Te, rocksalt boxes with chosen
 * vacancy arrangements, and crystal-liquid interface cells.
 *
 * Lattice data (room temperature, Å): GeTe R3m a = 4.164, c = 10.69, Ge (0,0,0),
 * Te (0,0,0.475) [Chattopadhyay 1987]; Sb2Te3 R-3m a = 4.264, c = 30.458, Te1 (0,0,0),
 * Sb (0,0,0.3988), Te2 (0,0,0.7872) [Anderson & Krause 1974]; Sb A7 a = 4.307,
 * c = 11.273, z = 0.2336; Te P3_121 a = 4.457, c = 5.929, x = 0.2636; Ge diamond
 * a = 5.658; hexagonal Ge2Sb2Te5 P-3m1 a = 4.22, c = 17.18 with 9 layers per block
 * [Kooi & De Hosson 2002; Petrov 1968], layer heights approximated (intra-block
 * spacing (c - 2.75 Å)/8, 2.75 Å van der Waals gap).
 */
#ifndef PCM_BUILD_PHASES_H
#define PCM_BUILD_PHASES_H
#include <stdint.h>
#include "system.h"

/* Atoms given in hexagonal fractional coordinates (a1 = a x, a2 = a(-1/2, √3/2, 0),
 * a3 = c z), optionally with the rhombohedral centring translations (2/3,1/3,1/3),
 * (1/3,2/3,2/3).  ortho = 0: supercell nx a1, ny a2, nz a3 (hexagonal, non-orthogonal);
 * ortho = 1: orthohexagonal box nx a × ny √3 a × nz c (2 hexagonal cells per nx=ny=1). */
typedef struct phase_site {
    const char *el;
    double f[3];
} phase_site;
pcm_system *build_hex(double a, double c, const phase_site *basis, int nb, int rcentred, int nx, int ny,
                      int nz, int ortho, pcm_err *e);

/* Named crystals: "gete", "sb2te3", "ge", "sb", "te", "gst-hex-kooi", "gst-hex-petrov".
 * Sizes chosen for 48-81 atoms; scale (≈1) multiplies all lengths. */
pcm_system *build_phase(const char *name, double scale, pcm_err *e);

/* Rocksalt GST box nx × ny × nz conventional cells of edge a; vac_frac of the cation sites
 * empty.  arrangement 0: vacancies at random; 1: vacancies gathered on (111) cation
 * planes (the ordering that leads to the hexagonal phase). */
pcm_system *build_rocksalt_box(int nx, int ny, int nz, double a, double vac_frac, int arrangement,
                               uint64_t seed, pcm_err *e);
/* The atoms such a box holds, whatever a, arrangement and seed: 8 sites per cell less the
 * rounded vacancies on the 4 cation sites. */
int build_rocksalt_box_atoms(int nx, int ny, int nz, double vac_frac);

/* Crystal-liquid interface along z: a rocksalt block of nx × ny × nz_xtal cells, then a
 * random GST packing of thickness liq_len (Å) at density rho (g/cm³), no two atoms closer
 * than dmin (Å), periodic in all directions (two interfaces). */
pcm_system *build_interface(int nx, int ny, int nz_xtal, double a, double liq_len, double rho, double dmin,
                            uint64_t seed, pcm_err *e);

/* The preset/workbench structure "interface": a cells^3 rocksalt block of edge a and a
 * liquid slab as thick (cells a) at rho g/cm³ on top along z, no two liquid atoms closer
 * than dmin; a cubic cell of edge 2 cells a holding two crystal-liquid interfaces. */
pcm_system *build_interface_cube(int cells, double a, double rho, double dmin, uint64_t seed, pcm_err *e);

/* Names accepted by build_phase, NULL-terminated. */
extern const char *const build_phase_names[];
#endif
