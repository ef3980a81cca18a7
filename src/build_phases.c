/* build_phases.c - layered and elemental crystals, vacancy arrangements, interfaces
 * (see build_phases.h for the lattice data and references). */
#include "build_phases.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "elements.h"
#include "rng.h"
#include "units.h"

const char *const build_phase_names[] = {"gete", "sb2te3", "ge", "sb", "te", "gst-hex-kooi", "gst-hex-petrov", NULL};

static void add_wrapped(pcm_system *s, const char *el, const double r[3])
{
    double x[3] = {r[0], r[1], r[2]};
    cell_wrap(&s->cell, x, NULL);
    system_add_atom(s, el, x);
}

pcm_system *build_hex(double a, double c, const phase_site *basis, int nb, int rcentred, int nx, int ny, int nz,
                      int ortho, pcm_err *e)
{
    if (!(a > 1 && c > 1) || nx < 1 || ny < 1 || nz < 1 || nb < 1) {
        pcm_errf(e, "build hex", 0, "bad lattice (a %g, c %g) or repeats %d %d %d", a, c, nx, ny, nz);
        return NULL;
    }
    const double a1[3] = {a, 0, 0}, a2[3] = {-0.5 * a, 0.5 * sqrt(3.0) * a, 0}, a3[3] = {0, 0, c};
    static const double tr[3][3] = {{0, 0, 0}, {2.0 / 3, 1.0 / 3, 1.0 / 3}, {1.0 / 3, 2.0 / 3, 2.0 / 3}};
    int ntr = rcentred ? 3 : 1;
    pcm_system *s = system_new();
    double h[3][3] = {{0}};
    if (ortho) {
        h[0][0] = nx * a;
        h[1][1] = ny * sqrt(3.0) * a;
        h[2][2] = nz * c;
    } else
        for (int k = 0; k < 3; k++) {
            h[0][k] = nx * a1[k];
            h[1][k] = ny * a2[k];
            h[2][k] = nz * a3[k];
        }
    cell_set(&s->cell, h);
    for (int b = 0; b < nb; b++)
        system_species_id(s, basis[b].el);
    /* lattice points inside the box; for the orthohexagonal box, scan a wider range */
    int i0 = ortho ? -2 * ny - 1 : 0, i1 = ortho ? nx + 2 * ny + 1 : nx - 1, j1 = ortho ? 2 * ny + 1 : ny - 1;
    const double eps = 1e-6;
    int npts = 0;
    for (int i = i0; i <= i1; i++)
        for (int j = ortho ? -1 : 0; j <= j1; j++)
            for (int k = 0; k < nz; k++) {
                double p[3], f[3];
                for (int d = 0; d < 3; d++)
                    p[d] = i * a1[d] + j * a2[d] + k * a3[d];
                cell_to_frac(&s->cell, p, f);
                if (f[0] < -eps || f[0] >= 1 - eps || f[1] < -eps || f[1] >= 1 - eps)
                    continue;
                npts++;
                for (int t = 0; t < ntr; t++)
                    for (int b = 0; b < nb; b++) {
                        double u[3], r[3];
                        for (int d = 0; d < 3; d++)
                            u[d] = basis[b].f[d] + tr[t][d];
                        for (int d = 0; d < 3; d++)
                            r[d] = p[d] + u[0] * a1[d] + u[1] * a2[d] + u[2] * a3[d];
                        add_wrapped(s, basis[b].el, r);
                    }
            }
    int want = (ortho ? 2 : 1) * nx * ny * nz;
    if (npts != want) {
        system_free(s);
        pcm_errf(e, "build hex", 0, "internal: %d lattice points, expected %d", npts, want);
        return NULL;
    }
    return s;
}

/* The 9-layer GST block: positions A, B, C cycle; the van der Waals gap sits between
 * the two adjacent Te layers of the (cyclic) sequence. */
static pcm_system *build_gst_hex(const char *seq[9], double scale, pcm_err *e)
{
    const double a = 4.22 * scale, c = 17.18 * scale, gap = 2.75 * scale, d = (c - gap) / 8.0;
    static const double xy[3][2] = {{0, 0}, {1.0 / 3, 2.0 / 3}, {2.0 / 3, 1.0 / 3}};
    int g = 8;   /* gap after layer g (cyclic) */
    for (int k = 0; k < 9; k++)
        if (!strcmp(seq[k], "Te") && !strcmp(seq[(k + 1) % 9], "Te"))
            g = k;
    phase_site b[9];
    double z = 0.0;
    for (int k = 0; k < 9; k++) {
        int l = (k + g + 1) % 9;   /* start right after the gap */
        b[k].el = seq[l];
        b[k].f[0] = xy[l % 3][0];
        b[k].f[1] = xy[l % 3][1];
        b[k].f[2] = (z + 0.5 * gap) / c;
        z += d;
    }
    return build_hex(a, c, b, 9, 0, 2, 2, 1, 1, e);
}

pcm_system *build_phase(const char *name, double scale, pcm_err *e)
{
    if (!(scale > 0.5 && scale < 2.0)) {
        pcm_errf(e, "build phase", 0, "scale must be in (0.5, 2), got %g", scale);
        return NULL;
    }
    if (!strcmp(name, "gete")) {
        const phase_site b[2] = {{"Ge", {0, 0, 0}}, {"Te", {0, 0, 0.475}}};
        return build_hex(4.164 * scale, 10.69 * scale, b, 2, 1, 3, 3, 1, 0, e);
    }
    if (!strcmp(name, "sb2te3")) {
        const phase_site b[5] = {{"Te", {0, 0, 0}},          {"Sb", {0, 0, 0.3988}}, {"Sb", {0, 0, 0.6012}},
                                 {"Te", {0, 0, 0.7872}},     {"Te", {0, 0, 0.2128}}};
        return build_hex(4.264 * scale, 30.458 * scale, b, 5, 1, 2, 2, 1, 0, e);
    }
    if (!strcmp(name, "sb")) {
        const phase_site b[2] = {{"Sb", {0, 0, 0.2336}}, {"Sb", {0, 0, 0.7664}}};
        return build_hex(4.307 * scale, 11.273 * scale, b, 2, 1, 2, 2, 1, 1, e);
    }
    if (!strcmp(name, "te")) {
        const double x = 0.2636;
        const phase_site b[3] = {{"Te", {x, 0, 1.0 / 3}}, {"Te", {0, x, 2.0 / 3}}, {"Te", {1 - x, 1 - x, 0}}};
        return build_hex(4.457 * scale, 5.929 * scale, b, 3, 0, 2, 2, 2, 1, e);
    }
    if (!strcmp(name, "ge")) {
        const double a = 5.658 * scale;
        static const double fcc[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
        pcm_system *s = system_new();
        cell_set_ortho(&s->cell, 2 * a, 2 * a, 2 * a);
        for (int i = 0; i < 8; i++)
            for (int b = 0; b < 8; b++) {
                const double *f = fcc[b % 4];
                double o = b < 4 ? 0.0 : 0.25;
                double r[3] = {((i & 1) + f[0] + o) * a, ((i >> 1 & 1) + f[1] + o) * a, ((i >> 2 & 1) + f[2] + o) * a};
                add_wrapped(s, "Ge", r);
            }
        return s;
    }
    if (!strcmp(name, "gst-hex-kooi")) {
        const char *seq[9] = {"Te", "Sb", "Te", "Ge", "Te", "Ge", "Te", "Sb", "Te"};
        return build_gst_hex(seq, scale, e);
    }
    if (!strcmp(name, "gst-hex-petrov")) {
        const char *seq[9] = {"Te", "Sb", "Te", "Ge", "Te", "Te", "Ge", "Te", "Sb"};
        return build_gst_hex(seq, scale, e);
    }
    pcm_errf(e, "build phase", 0, "unknown phase '%s' (gete sb2te3 ge sb te gst-hex-kooi gst-hex-petrov)", name);
    return NULL;
}

pcm_system *build_rocksalt_box(int nx, int ny, int nz, double a, double vac_frac, int arrangement, uint64_t seed,
                               pcm_err *e)
{
    if (nx < 1 || ny < 1 || nz < 1 || nx > 40 || ny > 40 || nz > 40 || !(a > 1 && a < 20) ||
        !(vac_frac >= 0 && vac_frac < 1)) {
        pcm_errf(e, "build rocksalt", 0, "bad box %dx%dx%d, a %g or vacancy fraction %g", nx, ny, nz, a, vac_frac);
        return NULL;
    }
    if (arrangement == 1 && !(nx == ny && ny == nz)) {
        pcm_errf(e, "build rocksalt", 0, "(111)-layered vacancies need a cubic box");
        return NULL;
    }
    static const int fcc[4][3] = {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}};   /* units of a/2 */
    int nsites = 4 * nx * ny * nz;
    int (*site)[3] = pcm_malloc((size_t)nsites * sizeof *site);
    int k = 0;
    for (int ix = 0; ix < nx; ix++)
        for (int iy = 0; iy < ny; iy++)
            for (int iz = 0; iz < nz; iz++)
                for (int b = 0; b < 4; b++) {
                    site[k][0] = 2 * ix + fcc[b][0];
                    site[k][1] = 2 * iy + fcc[b][1];
                    site[k][2] = 2 * iz + fcc[b][2];
                    k++;
                }
    int nvac = 8 * nx * ny * nz - build_rocksalt_box_atoms(nx, ny, nz, vac_frac);
    int nge = (nsites - nvac + 1) / 2;
    pcm_rng r;
    rng_seed(&r, seed);
    /* priority per cation site: random, or random within a random order of (111) planes */
    double *key = pcm_malloc((size_t)nsites * sizeof *key);
    int np = 2 * nx, *plane_rank = pcm_malloc((size_t)np * sizeof *plane_rank);
    for (int p = 0; p < np; p++)
        plane_rank[p] = p;
    for (int p = np - 1; p > 0; p--) {
        int q = rng_int(&r, p + 1), t = plane_rank[p];
        plane_rank[p] = plane_rank[q];
        plane_rank[q] = t;
    }
    for (k = 0; k < nsites; k++) {
        int plane = ((site[k][0] + 1 + site[k][1] + site[k][2]) % (2 * nx)) / 2;   /* cation at +a/2 in x */
        key[k] = (arrangement == 1 ? plane_rank[plane] : 0) + rng_uniform(&r);
    }
    /* the nvac lowest keys are vacancies; of the rest, a random half are Ge */
    int *idx = pcm_malloc((size_t)nsites * sizeof *idx);
    for (k = 0; k < nsites; k++)
        idx[k] = k;
    for (int i = 1; i < nsites; i++)   /* insertion sort: nsites is small */
        for (int j = i; j > 0 && key[idx[j]] < key[idx[j - 1]]; j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    int *lab = pcm_malloc((size_t)nsites * sizeof *lab);
    for (k = 0; k < nsites; k++)
        lab[idx[k]] = k < nvac ? 2 : 0;
    int *cat = pcm_malloc((size_t)(nsites - nvac + 1) * sizeof *cat);
    for (k = nvac; k < nsites; k++)
        cat[k - nvac] = idx[k];
    for (int i = nsites - nvac - 1; i > 0; i--) {
        int q = rng_int(&r, i + 1), t = cat[i];
        cat[i] = cat[q];
        cat[q] = t;
    }
    for (k = 0; k < nsites - nvac; k++)
        lab[cat[k]] = k < nge ? 0 : 1;
    pcm_system *s = system_new();
    cell_set_ortho(&s->cell, nx * a, ny * a, nz * a);
    system_species_id(s, "Ge");
    system_species_id(s, "Sb");
    system_species_id(s, "Te");
    for (k = 0; k < nsites; k++) {
        double te[3] = {site[k][0] * 0.5 * a, site[k][1] * 0.5 * a, site[k][2] * 0.5 * a};
        add_wrapped(s, "Te", te);
        if (lab[k] < 2) {
            double c[3] = {te[0] + 0.5 * a, te[1], te[2]};
            add_wrapped(s, lab[k] == 0 ? "Ge" : "Sb", c);
        }
    }
    free(site);
    free(key);
    free(plane_rank);
    free(idx);
    free(lab);
    free(cat);
    return s;
}

static int too_close(const pcm_system *s, const double x[3], double dmin)
{
    for (int i = 0; i < s->n; i++) {
        double d[3] = {x[0] - s->x[i][0], x[1] - s->x[i][1], x[2] - s->x[i][2]};
        cell_min_image(&s->cell, d);
        if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < dmin * dmin)
            return 1;
    }
    return 0;
}

pcm_system *build_interface(int nx, int ny, int nz_xtal, double a, double liq_len, double rho, double dmin,
                            uint64_t seed, pcm_err *e)
{
    if (!(liq_len > 2 && liq_len < 200) || !(rho > 1 && rho < 20) || !(dmin > 0.5 && dmin < 4)) {
        pcm_errf(e, "build interface", 0, "bad liquid length %g Å, density %g or dmin %g", liq_len, rho, dmin);
        return NULL;
    }
    pcm_system *x = build_rocksalt_box(nx, ny, nz_xtal, a, 0.2, 0, seed, e);
    if (!x)
        return NULL;
    double lz = nz_xtal * a + liq_len;
    pcm_system *s = system_new();
    cell_set_ortho(&s->cell, nx * a, ny * a, lz);
    for (int t = 0; t < x->nspecies; t++)
        system_species_id(s, x->species[t]);
    for (int i = 0; i < x->n; i++)
        system_add_atom(s, x->species[x->type[i]], x->x[i]);
    system_free(x);
    /* Ge2Sb2Te5 liquid filling the slab between the crystal's top Te plane and its image */
    const char *el[3] = {"Ge", "Sb", "Te"};
    double frac[3] = {2.0 / 9, 2.0 / 9, 5.0 / 9}, mavg = 0;
    for (int k = 0; k < 3; k++)
        mavg += frac[k] * element_mass(el[k]);
    double vol = nx * a * ny * a * liq_len;
    int nliq = (int)lround(rho * vol / PCM_AMU_A3_TO_GCC / mavg);
    int cnt[3] = {(int)lround(nliq * frac[0]), (int)lround(nliq * frac[1]), 0};
    cnt[2] = nliq - cnt[0] - cnt[1];
    pcm_rng r;
    rng_seed(&r, seed ^ 0x9e3779b97f4a7c15ULL);
    double z0 = nz_xtal * a - 0.5 * a;   /* top Te/cation plane of the crystal block */
    for (int k = 0, placed = 0; k < 3; k++)
        for (int c = 0; c < cnt[k]; c++, placed++) {
            int tries = 0;
            double p[3];
            do {
                p[0] = rng_uniform(&r) * nx * a;
                p[1] = rng_uniform(&r) * ny * a;
                p[2] = z0 + rng_uniform(&r) * (lz - z0);
                if (++tries > 200000) {
                    system_free(s);
                    pcm_errf(e, "build interface", 0, "cannot place liquid atom %d with dmin %g Å", placed, dmin);
                    return NULL;
                }
            } while (too_close(s, p, dmin));
            system_add_atom(s, el[k], p);
        }
    return s;
}

pcm_system *build_interface_cube(int cells, double a, double rho, double dmin, uint64_t seed, pcm_err *e)
{
    return build_interface(cells, cells, cells, a, cells * a, rho, dmin, seed, e);
}

int build_rocksalt_box_atoms(int nx, int ny, int nz, double vac_frac)
{
    int nsites = 4 * nx * ny * nz;
    return 2 * nsites - (int)lround(vac_frac * nsites);
}
