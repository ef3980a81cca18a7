/* build.c - crystal and liquid builders (see build.h). */
#include "build.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "units.h"
#include "elements.h"

pcm_system *build_rocksalt(int cells, double a, double vac_frac, uint64_t seed, pcm_err *e)
{
    if (cells < 1 || cells > 60) {
        pcm_errf(e, "build rocksalt", 0, "--cells must be between 1 and 60, got %d", cells);
        return NULL;
    }
    if (!(a > 1.0 && a < 20.0)) {
        pcm_errf(e, "build rocksalt", 0, "lattice constant must be between 1 and 20 Å, got %g", a);
        return NULL;
    }
    if (!(vac_frac >= 0.0 && vac_frac < 1.0)) {
        pcm_errf(e, "build rocksalt", 0, "--vacancy-fraction must be in [0, 1), got %g", vac_frac);
        return NULL;
    }
    static const double fcc[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
    int nsites = 4 * cells * cells * cells;
    int nvac = (int)lround(vac_frac * nsites);
    int nge = (nsites - nvac + 1) / 2, nsb = nsites - nvac - nge;
    /* cation labels: 0 = Ge, 1 = Sb, 2 = vacancy, shuffled (Fisher-Yates) */
    int *lab = pcm_malloc((size_t)nsites * sizeof *lab);
    for (int k = 0; k < nsites; k++)
        lab[k] = k < nge ? 0 : (k < nge + nsb ? 1 : 2);
    pcm_rng r;
    rng_seed(&r, seed);
    for (int k = nsites - 1; k > 0; k--) {
        int q = rng_int(&r, k + 1);
        int t = lab[k];
        lab[k] = lab[q];
        lab[q] = t;
    }
    pcm_system *s = system_new();
    cell_set_ortho(&s->cell, cells * a, cells * a, cells * a);
    system_species_id(s, "Ge");
    system_species_id(s, "Sb");
    system_species_id(s, "Te");
    static const char *const cat[2] = {"Ge", "Sb"};
    int k = 0;
    for (int ix = 0; ix < cells; ix++)
        for (int iy = 0; iy < cells; iy++)
            for (int iz = 0; iz < cells; iz++)
                for (int b = 0; b < 4; b++) {
                    double te[3] = {(ix + fcc[b][0]) * a, (iy + fcc[b][1]) * a, (iz + fcc[b][2]) * a};
                    system_add_atom(s, "Te", te);
                    int l = lab[k++];
                    if (l < 2) {
                        double c[3] = {te[0] + 0.5 * a, te[1], te[2]};
                        if (c[0] >= cells * a)
                            c[0] -= cells * a;
                        system_add_atom(s, cat[l], c);
                    }
                }
    free(lab);
    return s;
}

int parse_composition(const char *comp, char sym[][4], double *ratio, int max, pcm_err *e)
{
    int n = 0;
    const char *p = comp;
    while (*p) {
        if (!isupper((unsigned char)*p) || n >= max)
            return pcm_errf(e, "composition", 0, "'%s' is not a formula like Ge2Sb2Te5", comp);
        int len = 1;
        while (islower((unsigned char)p[len]) && len < 3)
            len++;
        memcpy(sym[n], p, (size_t)len);
        sym[n][len] = '\0';
        if (!element_z(sym[n]))
            return pcm_errf(e, "composition", 0, "'%s' in '%s' is not an element", sym[n], comp);
        p += len;
        char *end;
        double x = strtod(p, &end);
        if (end == p)
            x = 1.0;
        if (!(x > 0.0))
            return pcm_errf(e, "composition", 0, "'%s': amounts must be positive", comp);
        ratio[n++] = x;
        p = end;
    }
    if (n == 0)
        return pcm_errf(e, "composition", 0, "empty composition");
    return n;
}

pcm_system *build_liquid(int natoms, double rho, const char *composition, double dmin, uint64_t seed,
                         pcm_err *e)
{
    char sym[PCM_MAX_SPECIES][4];
    double ratio[PCM_MAX_SPECIES];
    int ne = parse_composition(composition, sym, ratio, PCM_MAX_SPECIES, e);
    if (ne < 0)
        return NULL;
    if (natoms < 1 || natoms > 10000000) {
        pcm_errf(e, "build liquid", 0, "--atoms must be between 1 and 10^7, got %d", natoms);
        return NULL;
    }
    if (!(rho > 0.5 && rho < 30.0)) {
        pcm_errf(e, "build liquid", 0, "--density must be between 0.5 and 30 g/cm³, got %g", rho);
        return NULL;
    }
    /* counts by largest remainder */
    double tot = 0.0;
    for (int k = 0; k < ne; k++)
        tot += ratio[k];
    int cnt[PCM_MAX_SPECIES], sum = 0;
    double rem[PCM_MAX_SPECIES];
    for (int k = 0; k < ne; k++) {
        double x = natoms * ratio[k] / tot;
        cnt[k] = (int)floor(x);
        rem[k] = x - cnt[k];
        sum += cnt[k];
    }
    while (sum < natoms) {
        int best = 0;
        for (int k = 1; k < ne; k++)
            if (rem[k] > rem[best])
                best = k;
        cnt[best]++;
        rem[best] = -1.0;
        sum++;
    }
    double mass = 0.0;
    for (int k = 0; k < ne; k++)
        mass += cnt[k] * element_mass(sym[k]);
    double vol = mass * PCM_AMU_A3_TO_GCC / rho;
    double L = cbrt(vol);
    pcm_system *s = system_new();
    cell_set_ortho(&s->cell, L, L, L);
    for (int k = 0; k < ne; k++)
        system_species_id(s, sym[k]);
    /* atoms in a shuffled species order, placed by random sequential addition */
    int *order = pcm_malloc((size_t)natoms * sizeof *order);
    for (int k = 0, q = 0; k < ne; k++)
        for (int c = 0; c < cnt[k]; c++)
            order[q++] = k;
    pcm_rng r;
    rng_seed(&r, seed);
    for (int k = natoms - 1; k > 0; k--) {
        int q = rng_int(&r, k + 1);
        int t = order[k];
        order[k] = order[q];
        order[q] = t;
    }
    /* grid of bins for the overlap test */
    int nb = (int)floor(L / dmin);
    if (nb < 1)
        nb = 1;
    if (nb > 200)
        nb = 200;
    int *head = pcm_malloc((size_t)nb * nb * nb * sizeof *head);
    for (int q = 0; q < nb * nb * nb; q++)
        head[q] = -1;
    int *next = pcm_malloc((size_t)natoms * sizeof *next);
    double bw = L / nb;
    int reach = (int)ceil(dmin / bw);
    for (int i = 0; i < natoms; i++) {
        int placed = 0;
        for (int tries = 0; tries < 200000 && !placed; tries++) {
            double x[3] = {rng_uniform(&r) * L, rng_uniform(&r) * L, rng_uniform(&r) * L};
            int b[3];
            for (int a = 0; a < 3; a++) {
                b[a] = (int)(x[a] / bw);
                if (b[a] >= nb)
                    b[a] = nb - 1;
            }
            int ok = 1;
            for (int da = -reach; da <= reach && ok; da++)
                for (int db = -reach; db <= reach && ok; db++)
                    for (int dc = -reach; dc <= reach && ok; dc++) {
                        int q[3] = {((b[0] + da) % nb + nb) % nb, ((b[1] + db) % nb + nb) % nb,
                                    ((b[2] + dc) % nb + nb) % nb};
                        for (int j = head[(q[0] * nb + q[1]) * nb + q[2]]; j >= 0; j = next[j]) {
                            double d[3];
                            for (int k = 0; k < 3; k++) {
                                d[k] = s->x[j][k] - x[k];
                                d[k] -= L * nearbyint(d[k] / L);
                            }
                            if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < dmin * dmin) {
                                ok = 0;
                                break;
                            }
                        }
                    }
            if (!ok)
                continue;
            int id = system_add_atom(s, sym[order[i]], x);
            int bid = (b[0] * nb + b[1]) * nb + b[2];
            next[id] = head[bid];
            head[bid] = id;
            placed = 1;
        }
        if (!placed) {
            pcm_errf(e, "build liquid", 0,
                     "could not place atom %d of %d with --min-dist %.2f Å at %.2f g/cm³ (lower either)", i + 1,
                     natoms, dmin, rho);
            free(order), free(head), free(next);
            system_free(s);
            return NULL;
        }
    }
    free(order), free(head), free(next);
    return s;
}

void build_rattle(pcm_system *s, double sigma, uint64_t seed)
{
    pcm_rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++)
            s->x[i][k] += sigma * rng_gauss(&r);
}

void build_strain(pcm_system *s, const double eps[6])
{
    double F[3][3] = {{1 + eps[0], eps[5], eps[4]}, {eps[5], 1 + eps[1], eps[3]}, {eps[4], eps[3], 1 + eps[2]}};
    double h[3][3];
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++)
            h[a][k] = s->cell.h[a][0] * F[0][k] + s->cell.h[a][1] * F[1][k] + s->cell.h[a][2] * F[2][k];
    for (int i = 0; i < s->n; i++) {
        double x[3];
        for (int k = 0; k < 3; k++)
            x[k] = s->x[i][0] * F[0][k] + s->x[i][1] * F[1][k] + s->x[i][2] * F[2][k];
        memcpy(s->x[i], x, sizeof x);
    }
    cell_set(&s->cell, h);
}
