/* cli_carve.c - `pcmlab dataset carve`: small periodic cells cut out of a large structure.
 *
 *   pcmlab dataset carve BIG.extxyz -o QUEUE.extxyz [--manifest M.tsv] [--box 12.4] [--count 4]
 *                        [--center Ge] [--bond 2.8] [--dmin 2.0] [--tag T]
 *
 * DFT labels need 50-120-atom cells, but some of a potential's failures only develop in
 * hundreds of atoms (the shipped fit segregates Ge in a 504-atom NPT anneal; 63-90-atom cells
 * did not in 100 ps).  This cuts cubes of edge --box around the atoms of species --center that
 * have the most same-species neighbours within --bond Å (the cores of the clusters), no two
 * centres closer than box/2, and makes each cube a periodic cell: the atoms whose minimum-image
 * offset from the centre lies inside the cube, shifted to the cube.  Where the cut puts two
 * atoms closer than --dmin Å across the new boundary, the later one is dropped.  The faces are
 * not relaxed: the frames are for labelling (high-energy environments included), not for MD.
 * Uses the first frame of BIG.  Every frame records its source, centre atom and count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "extxyz.h"
#include "fileio.h"

typedef struct carve_c {
    int i, score;
} carve_c;

static int by_score(const void *a, const void *b)
{
    const carve_c *x = a, *y = b;
    return x->score != y->score ? y->score - x->score : x->i - y->i;
}

static double dist_mi(const pcm_cell *c, const double a[3], const double b[3])
{
    double d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    cell_min_image(c, d);
    return sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
}

int dataset_carve(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *manifest = NULL, *center = "Ge", *tag = "carve";
    double box = 12.4, bond = 2.8, dmin = 2.0;
    long count = 4;
    pcm_err e = {{0}};
    for (int k = 2; k < argc; k++) {
        const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        int rc = 0;
        if (o[0] != '-') {
            in = o;
            continue;
        }
        if (!v) {
            fprintf(stderr, "pcmlab dataset carve: %s needs a value\n", o);
            return 2;
        }
        if (!strcmp(o, "-o")) out = v;
        else if (!strcmp(o, "--manifest")) manifest = v;
        else if (!strcmp(o, "--center")) center = v;
        else if (!strcmp(o, "--tag")) tag = v;
        else if (!strcmp(o, "--box")) rc = cli_double(o, v, &box, &e);
        else if (!strcmp(o, "--bond")) rc = cli_double(o, v, &bond, &e);
        else if (!strcmp(o, "--dmin")) rc = cli_double(o, v, &dmin, &e);
        else if (!strcmp(o, "--count")) rc = cli_int(o, v, &count, &e);
        else {
            fprintf(stderr, "pcmlab dataset carve: unknown option '%s'\n", o);
            return 2;
        }
        if (rc)
            return cli_fail(&e);
        k++;
    }
    if (!in || !out || !(box > 4) || count < 1 || !(bond > 0) || dmin < 0) {
        fputs("pcmlab dataset carve: need BIG.extxyz, -o QUEUE.extxyz, --box > 4 (A), --count >= 1, --bond > 0\n",
              stderr);
        return 2;
    }
    pcm_frame *big = xyz_read_first(in, &e);
    if (!big)
        return cli_fail(&e);
    const pcm_system *s = big->sys;
    const pcm_cell *c = &s->cell;
    double sp[3];
    cell_plane_spacings(c, sp);
    if (fmin(sp[0], fmin(sp[1], sp[2])) < box) {
        fprintf(stderr, "pcmlab dataset carve: %s: the cell (plane spacings %.2f %.2f %.2f A) is smaller than --box %g A\n",
                in, sp[0], sp[1], sp[2], box);
        frame_free(big);
        return 1;
    }
    int ct = -1;
    for (int t = 0; t < s->nspecies; t++)
        if (!strcmp(s->species[t], center))
            ct = t;
    carve_c *cs = pcm_calloc((size_t)s->n + 1, sizeof *cs);
    int nc = 0;
    for (int i = 0; i < s->n && ct >= 0; i++) {
        if (s->type[i] != ct)
            continue;
        int sc = 0;
        for (int j = 0; j < s->n; j++)
            sc += j != i && s->type[j] == ct && dist_mi(c, s->x[i], s->x[j]) < bond;
        cs[nc].i = i;
        cs[nc++].score = sc;
    }
    if (!nc) {
        fprintf(stderr, "pcmlab dataset carve: %s has no %s atoms to centre on\n", in, center);
        free(cs);
        frame_free(big);
        return 1;
    }
    qsort(cs, (size_t)nc, sizeof *cs, by_score);
    int *chosen = pcm_calloc((size_t)count, sizeof *chosen), nch = 0;
    for (int k = 0; k < nc && nch < count; k++) {
        int ok = 1;
        for (int q = 0; q < nch && ok; q++)
            ok = dist_mi(c, s->x[cs[k].i], s->x[cs[chosen[q]].i]) >= box / 2;
        if (ok)
            chosen[nch++] = k;
    }
    pcm_frame **frs = pcm_calloc((size_t)nch, sizeof *frs);
    char *man = NULL;
    size_t manlen = 0;
    FILE *mf = open_memstream(&man, &manlen);
    fprintf(mf, "# pcmlab dataset carve %s: config_id source center_atom center_species same_species_neighbours box_A "
                "natoms dropped density_gcc\n", tag);
    for (int q = 0; q < nch; q++) {
        const carve_c *cc = &cs[chosen[q]];
        pcm_frame *fr = frame_new();
        pcm_system *y = fr->sys;
        cell_set_ortho(&y->cell, box, box, box);
        int dropped = 0;
        for (int j = 0; j < s->n; j++) {
            double d[3] = {s->x[j][0] - s->x[cc->i][0], s->x[j][1] - s->x[cc->i][1], s->x[j][2] - s->x[cc->i][2]};
            cell_min_image(c, d);
            if (fabs(d[0]) >= box / 2 || fabs(d[1]) >= box / 2 || fabs(d[2]) >= box / 2)
                continue;
            double r[3] = {d[0] + box / 2, d[1] + box / 2, d[2] + box / 2};
            int close = 0;
            for (int m = 0; m < y->n && !close; m++)
                close = dist_mi(&y->cell, r, y->x[m]) < dmin;
            if (close) {
                dropped++;
                continue;
            }
            system_add_atom(y, s->species[s->type[j]], r);
        }
        char id[96];
        snprintf(id, sizeof id, "%s-%s%d-k%02d", tag, center, cc->i, q);
        frame_set(fr, "config_id", id);
        frame_set(fr, "kind", "carved");
        frame_setf(fr, "source", "pcmlab dataset carve %s: %g A cube around atom %d (%s, %d %s neighbours within %g A), "
                                 "%d atoms dropped closer than %g A across the new faces",
                   in, box, cc->i, center, cc->score, center, bond, dropped, dmin);
        frame_setf(fr, "seed", "%d", cc->i);
        frs[q] = fr;
        fprintf(mf, "%s\t%s\t%d\t%s\t%d\t%g\t%d\t%d\t%.4f\n", id, in, cc->i, center, cc->score, box, y->n, dropped,
                system_density(y));
        printf("%s: %d atoms (%d dropped), %.3f g/cm3, centre %s %d with %d %s neighbours\n", id, y->n, dropped,
               system_density(y), center, cc->i, cc->score, center);
    }
    fclose(mf);
    int status = xyz_write_file(out, frs, nch, 0, &e);
    if (status == 0 && manifest)
        status = atomic_write_file(manifest, man, manlen, &e);
    if (status == 0)
        printf("wrote %s: %d configurations%s%s\n", out, nch, manifest ? ", manifest " : "", manifest ? manifest : "");
    for (int q = 0; q < nch; q++)
        frame_free(frs[q]);
    free(frs);
    free(man);
    free(chosen);
    free(cs);
    frame_free(big);
    return status ? cli_fail(&e) : 0;
}
