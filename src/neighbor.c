/* neighbor.c - cell-list neighbour search with periodic images (see neighbor.h).
 *
 * Atoms are binned in fractional coordinates (nb_a bins along lattice vector a).
 * Two points whose separation is below rc differ in fractional coordinate a by
 * less than rc / d_a (d_a = spacing of the lattice planes), so it suffices to
 * scan k_a = ceil(rc·nb_a/d_a) bins either side; a bin offset that leaves the
 * cell wraps around with the matching lattice shift.  Each (bin, shift) pair is
 * visited at most once, so no pair is found twice even when k_a > nb_a.
 */
#include "neighbor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

pcm_nlist *nl_new(double rcut, double skin)
{
    pcm_nlist *nl = pcm_calloc(1, sizeof *nl);
    nl->rcut = rcut;
    nl->skin = skin;
    return nl;
}

void nl_free(pcm_nlist *nl)
{
    if (!nl)
        return;
    free(nl->start);
    free(nl->j);
    free(nl->shift);
    free(nl->d);
    free(nl->x0);
    free(nl);
}

typedef struct {
    int nb[3];          /* bins per lattice direction */
    int k[3];           /* bins to scan either side */
    int *head, *next;   /* linked lists of atoms per bin */
    int (*bin)[3];      /* bin of each atom */
    double (*xw)[3];    /* wrapped positions */
    int (*w)[3];        /* wrap shift of each atom: xw = x + w·H */
} binning;

static void bin_atoms(binning *b, const pcm_system *s, double rc)
{
    double d[3];
    cell_plane_spacings(&s->cell, d);
    long nbins = 1;
    for (int a = 0; a < 3; a++) {
        b->nb[a] = (int)floor(d[a] / rc);
        if (b->nb[a] < 1)
            b->nb[a] = 1;
        if (b->nb[a] > 256)
            b->nb[a] = 256;
        b->k[a] = (int)ceil(rc * b->nb[a] / d[a]);
        nbins *= b->nb[a];
    }
    b->head = pcm_malloc((size_t)nbins * sizeof *b->head);
    for (long q = 0; q < nbins; q++)
        b->head[q] = -1;
    b->next = pcm_malloc((size_t)s->n * sizeof *b->next);
    b->bin = pcm_malloc((size_t)s->n * sizeof *b->bin);
    b->xw = pcm_malloc((size_t)s->n * sizeof *b->xw);
    b->w = pcm_malloc((size_t)s->n * sizeof *b->w);
    /* insert in reverse so each bin lists atoms in increasing index order */
    for (int i = s->n - 1; i >= 0; i--) {
        memcpy(b->xw[i], s->x[i], sizeof b->xw[i]);
        cell_wrap(&s->cell, b->xw[i], b->w[i]);
        double f[3];
        cell_to_frac(&s->cell, b->xw[i], f);
        for (int a = 0; a < 3; a++) {
            int q = (int)floor(f[a] * b->nb[a]);
            b->bin[i][a] = q < 0 ? 0 : (q >= b->nb[a] ? b->nb[a] - 1 : q);
        }
        long id = ((long)b->bin[i][0] * b->nb[1] + b->bin[i][1]) * b->nb[2] + b->bin[i][2];
        b->next[i] = b->head[id];
        b->head[id] = i;
    }
}

static void bin_free(binning *b)
{
    free(b->head);
    free(b->next);
    free(b->bin);
    free(b->xw);
    free(b->w);
}

static int floordiv(int a, int n) { return a >= 0 ? a / n : -((-a + n - 1) / n); }

/* Visits all neighbours of atom i; fills (if out != NULL) and returns the count. */
static int scan_atom(const binning *b, const pcm_system *s, int i, double rc2, int *oj, int (*osh)[3])
{
    const double(*h)[3] = s->cell.h;
    int cnt = 0;
    for (int da = -b->k[0]; da <= b->k[0]; da++) {
        int ta = b->bin[i][0] + da, sa = floordiv(ta, b->nb[0]);
        ta -= sa * b->nb[0];
        for (int db = -b->k[1]; db <= b->k[1]; db++) {
            int tb = b->bin[i][1] + db, sb = floordiv(tb, b->nb[1]);
            tb -= sb * b->nb[1];
            for (int dc = -b->k[2]; dc <= b->k[2]; dc++) {
                int tc = b->bin[i][2] + dc, sc = floordiv(tc, b->nb[2]);
                tc -= sc * b->nb[2];
                double off[3];
                for (int k = 0; k < 3; k++)
                    off[k] = sa * h[0][k] + sb * h[1][k] + sc * h[2][k];
                long id = ((long)ta * b->nb[1] + tb) * b->nb[2] + tc;
                for (int j = b->head[id]; j >= 0; j = b->next[j]) {
                    if (j == i && sa == 0 && sb == 0 && sc == 0)
                        continue;
                    double dx = b->xw[j][0] + off[0] - b->xw[i][0];
                    double dy = b->xw[j][1] + off[1] - b->xw[i][1];
                    double dz = b->xw[j][2] + off[2] - b->xw[i][2];
                    if (dx * dx + dy * dy + dz * dz >= rc2)
                        continue;
                    if (oj) {
                        oj[cnt] = j;
                        /* shift relative to the unwrapped positions */
                        osh[cnt][0] = sa + b->w[j][0] - b->w[i][0];
                        osh[cnt][1] = sb + b->w[j][1] - b->w[i][1];
                        osh[cnt][2] = sc + b->w[j][2] - b->w[i][2];
                    }
                    cnt++;
                }
            }
        }
    }
    return cnt;
}

void nl_build(pcm_nlist *nl, const pcm_system *s)
{
    double rc = nl->rcut + nl->skin;
    binning b;
    bin_atoms(&b, s, rc);
    if (nl->n != s->n) {
        nl->start = pcm_realloc(nl->start, (size_t)(s->n + 1) * sizeof *nl->start);
        nl->x0 = pcm_realloc(nl->x0, (size_t)(s->n > 0 ? s->n : 1) * sizeof *nl->x0);
        nl->n = s->n;
    }
    nl->start[0] = 0;
#pragma omp parallel for schedule(static) if (s->n > 512)
    for (int i = 0; i < s->n; i++)
        nl->start[i + 1] = scan_atom(&b, s, i, rc * rc, NULL, NULL);
    for (int i = 0; i < s->n; i++)
        nl->start[i + 1] += nl->start[i];
    nl->npairs = nl->start[s->n];
    if (nl->npairs > nl->cap) {
        nl->cap = nl->npairs + nl->npairs / 4 + 16;
        nl->j = pcm_realloc(nl->j, (size_t)nl->cap * sizeof *nl->j);
        nl->shift = pcm_realloc(nl->shift, (size_t)nl->cap * sizeof *nl->shift);
        nl->d = pcm_realloc(nl->d, (size_t)nl->cap * sizeof *nl->d);
    }
#pragma omp parallel for schedule(static) if (s->n > 512)
    for (int i = 0; i < s->n; i++)
        scan_atom(&b, s, i, rc * rc, nl->j + nl->start[i], nl->shift + nl->start[i]);
    bin_free(&b);
    memcpy(nl->x0, s->x, (size_t)s->n * sizeof *nl->x0);
    nl->cell0 = s->cell;
    nl->nbuilds++;
    nl_update(nl, s);
}

void nl_update(pcm_nlist *nl, const pcm_system *s)
{
    const double(*h)[3] = s->cell.h;
#pragma omp parallel for schedule(static) if (s->n > 512)
    for (int i = 0; i < s->n; i++)
        for (int p = nl->start[i]; p < nl->start[i + 1]; p++) {
            int j = nl->j[p];
            const int *S = nl->shift[p];
            for (int k = 0; k < 3; k++)
                nl->d[p][k] = s->x[j][k] + S[0] * h[0][k] + S[1] * h[1][k] + S[2] * h[2][k] - s->x[i][k];
        }
}

int nl_needs_rebuild(const pcm_nlist *nl, const pcm_system *s)
{
    if (nl->n != s->n || nl->nbuilds == 0)
        return 1;
    /* a cell change moves images: bound the extra displacement by the largest
     * shifted lattice vector change; rebuild on any change beyond 1e-12 relative */
    double dh = 0.0, hn = 0.0;
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++) {
            dh = fmax(dh, fabs(s->cell.h[a][k] - nl->cell0.h[a][k]));
            hn = fmax(hn, fabs(nl->cell0.h[a][k]));
        }
    double half = 0.5 * nl->skin;
    double maxd2 = 0.0;
    for (int i = 0; i < s->n; i++) {
        double dx = s->x[i][0] - nl->x0[i][0], dy = s->x[i][1] - nl->x0[i][1], dz = s->x[i][2] - nl->x0[i][2];
        double d2 = dx * dx + dy * dy + dz * dz;
        if (d2 > maxd2)
            maxd2 = d2;
    }
    /* cell strain: a pair at distance rc changes length by at most |ΔH H⁻¹|·rc (approx. by dh/hn·3) */
    double strain_move = (hn > 0.0) ? 3.0 * dh / hn * (nl->rcut + nl->skin) : 0.0;
    return 2.0 * sqrt(maxd2) + strain_move > 2.0 * half;
}

int nl_refresh(pcm_nlist *nl, const pcm_system *s)
{
    if (nl_needs_rebuild(nl, s)) {
        nl_build(nl, s);
        return 1;
    }
    nl_update(nl, s);
    return 0;
}
