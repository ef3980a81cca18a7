/* nl_kernels.h - the neighbour-list build of neighbor.c, as host/device functions for the
 * device path (src/md_cuda.cu runs them from thin kernels; src/md_dev.c runs them on the
 * CPU, which is how the tests check them against nl_build).
 *
 * Same algorithm as neighbor.c (see its header): atoms are wrapped into the cell and
 * binned in fractional coordinates (nb[a] bins along lattice vector a); atom i scans
 * k[a] bins either side, a bin offset leaving the cell wraps with its lattice shift, and
 * each (bin, shift) pair is visited once, so cells smaller than 2 rc (periodic images,
 * images of i itself) are handled.  Bins are visited in the same order and the atoms of
 * a bin in increasing index (the per-bin arrays are sorted after an unordered fill), so
 * the list (order included) equals nl_build's and does not depend on thread scheduling.
 *
 * Layout: cell rows h[9] and inverse hinv[9] (cell.h), positions x[3n]; per atom the
 * wrapped position xw[3n], its wrap shift w[3n] (xw = x + w·H) and bin bin3[3n]; bins
 * as CSR (bstart[nbins+1], batom[n]).  Pair shifts are relative to the unwrapped x.
 */
#ifndef PCM_NL_KERNELS_H
#define PCM_NL_KERNELS_H

#include <math.h>

#include "md_kernels.h" /* PCM_HD */

typedef struct nlk_grid {
    int nb[3];          /* bins per lattice direction */
    int k[3];           /* bins scanned either side */
    double h[9], hinv[9];
    double rc2;         /* (rcut + skin)², Å² */
} nlk_grid;

/* cell_wrap + cell_to_frac + binning of atom i (the arithmetic of cell.c, in its order);
 * returns the bin id. */
static PCM_HD inline int nlk_bin_atom(const nlk_grid *g, int i, const double *x, double *xw, int *w, int *bin3)
{
    const double *r = &x[3 * i];
    double s[3];
    for (int a = 0; a < 3; a++)
        s[a] = r[0] * g->hinv[0 * 3 + a] + r[1] * g->hinv[1 * 3 + a] + r[2] * g->hinv[2 * 3 + a];
    for (int a = 0; a < 3; a++) {
        double f = floor(s[a]);
        w[3 * i + a] = -(int)f;
        s[a] -= f;
        if (s[a] >= 1.0) {
            s[a] = 0.0;
            w[3 * i + a] -= 1;
        }
    }
    double *rw = &xw[3 * i];
    for (int k = 0; k < 3; k++)
        rw[k] = s[0] * g->h[0 * 3 + k] + s[1] * g->h[1 * 3 + k] + s[2] * g->h[2 * 3 + k];
    double fr[3];
    for (int a = 0; a < 3; a++)
        fr[a] = rw[0] * g->hinv[0 * 3 + a] + rw[1] * g->hinv[1 * 3 + a] + rw[2] * g->hinv[2 * 3 + a];
    for (int a = 0; a < 3; a++) {
        int q = (int)floor(fr[a] * g->nb[a]);
        bin3[3 * i + a] = q < 0 ? 0 : (q >= g->nb[a] ? g->nb[a] - 1 : q);
    }
    return (bin3[3 * i] * g->nb[1] + bin3[3 * i + 1]) * g->nb[2] + bin3[3 * i + 2];
}

static PCM_HD inline int nlk_floordiv(int a, int n) { return a >= 0 ? a / n : -((-a + n - 1) / n); }

/* Atom i's neighbours: count, and when oj != NULL their indices and shifts (3 ints each). */
static PCM_HD inline int nlk_scan_atom(const nlk_grid *g, int i, const int *bin3, const double *xw, const int *w,
                                       const int *bstart, const int *batom, int *oj, int *osh)
{
    const double *h = g->h;
    int cnt = 0;
    for (int da = -g->k[0]; da <= g->k[0]; da++) {
        int ta = bin3[3 * i] + da, sa = nlk_floordiv(ta, g->nb[0]);
        ta -= sa * g->nb[0];
        for (int db = -g->k[1]; db <= g->k[1]; db++) {
            int tb = bin3[3 * i + 1] + db, sb = nlk_floordiv(tb, g->nb[1]);
            tb -= sb * g->nb[1];
            for (int dc = -g->k[2]; dc <= g->k[2]; dc++) {
                int tc = bin3[3 * i + 2] + dc, sc = nlk_floordiv(tc, g->nb[2]);
                tc -= sc * g->nb[2];
                double off[3];
                for (int k = 0; k < 3; k++)
                    off[k] = sa * h[0 * 3 + k] + sb * h[1 * 3 + k] + sc * h[2 * 3 + k];
                int id = (ta * g->nb[1] + tb) * g->nb[2] + tc;
                for (int p = bstart[id]; p < bstart[id + 1]; p++) {
                    int j = batom[p];
                    if (j == i && sa == 0 && sb == 0 && sc == 0)
                        continue;
                    double dx = xw[3 * j] + off[0] - xw[3 * i];
                    double dy = xw[3 * j + 1] + off[1] - xw[3 * i + 1];
                    double dz = xw[3 * j + 2] + off[2] - xw[3 * i + 2];
                    if (dx * dx + dy * dy + dz * dz >= g->rc2)
                        continue;
                    if (oj) {
                        oj[cnt] = j;
                        osh[3 * cnt] = sa + w[3 * j] - w[3 * i];
                        osh[3 * cnt + 1] = sb + w[3 * j + 1] - w[3 * i + 1];
                        osh[3 * cnt + 2] = sc + w[3 * j + 2] - w[3 * i + 2];
                    }
                    cnt++;
                }
            }
        }
    }
    return cnt;
}

/* ii[q] = i for atom i's pairs (the pair -> centre index of ace_kernels.h). */
static PCM_HD inline void nlk_centre(int i, const int *start, int *ii)
{
    for (int q = start[i]; q < start[i + 1]; q++)
        ii[q] = i;
}

#endif
