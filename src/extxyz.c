/* extxyz.c - extended XYZ reader and writer (see extxyz.h). */
#include "extxyz.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

struct pcm_xyz_reader {
    FILE *fp;
    char *path;
    long line;       /* number of the last line read */
    char *buf;
    size_t cap;
};

pcm_frame *frame_new(void)
{
    pcm_frame *fr = pcm_calloc(1, sizeof *fr);
    fr->sys = system_new();
    return fr;
}

void frame_clear_info(pcm_frame *fr)
{
    for (int k = 0; k < fr->nkv; k++) {
        free(fr->keys[k]);
        free(fr->vals[k]);
    }
    free(fr->keys);
    free(fr->vals);
    for (int c = 0; c < fr->ncol; c++)
        free(fr->cols[c].d);
    free(fr->cols);
    fr->keys = fr->vals = NULL;
    fr->cols = NULL;
    fr->nkv = fr->ncol = 0;
    fr->has_energy = fr->has_virial = fr->has_forces = fr->has_energies = fr->has_velocities = 0;
}

void frame_clear(pcm_frame *fr)
{
    frame_clear_info(fr);
    system_free(fr->sys);
    fr->sys = system_new();
}

void frame_free(pcm_frame *fr)
{
    if (!fr)
        return;
    frame_clear(fr);
    system_free(fr->sys);
    free(fr);
}

const char *frame_get(const pcm_frame *fr, const char *key)
{
    for (int k = 0; k < fr->nkv; k++)
        if (strcmp(fr->keys[k], key) == 0)
            return fr->vals[k];
    return NULL;
}

void frame_set(pcm_frame *fr, const char *key, const char *val)
{
    for (int k = 0; k < fr->nkv; k++)
        if (strcmp(fr->keys[k], key) == 0) {
            free(fr->vals[k]);
            fr->vals[k] = pcm_strdup(val);
            return;
        }
    fr->keys = pcm_realloc(fr->keys, (size_t)(fr->nkv + 1) * sizeof *fr->keys);
    fr->vals = pcm_realloc(fr->vals, (size_t)(fr->nkv + 1) * sizeof *fr->vals);
    fr->keys[fr->nkv] = pcm_strdup(key);
    fr->vals[fr->nkv] = pcm_strdup(val);
    fr->nkv++;
}

void frame_setf(pcm_frame *fr, const char *key, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    frame_set(fr, key, buf);
}

double *frame_col(const pcm_frame *fr, const char *name, int *ncomp)
{
    for (int c = 0; c < fr->ncol; c++)
        if (strcmp(fr->cols[c].name, name) == 0) {
            if (ncomp)
                *ncomp = fr->cols[c].ncomp;
            return fr->cols[c].d;
        }
    return NULL;
}

void frame_add_col(pcm_frame *fr, const char *name, char type, int ncomp, const double *data)
{
    size_t n = (size_t)fr->sys->n * (size_t)ncomp;
    pcm_xyz_col *col = NULL;
    for (int c = 0; c < fr->ncol; c++)
        if (strcmp(fr->cols[c].name, name) == 0)
            col = &fr->cols[c];
    if (!col) {
        fr->cols = pcm_realloc(fr->cols, (size_t)(fr->ncol + 1) * sizeof *fr->cols);
        col = &fr->cols[fr->ncol++];
        memset(col, 0, sizeof *col);
        snprintf(col->name, sizeof col->name, "%s", name);
    }
    free(col->d);
    col->type = type;
    col->ncomp = ncomp;
    col->d = pcm_malloc(n ? n * sizeof *col->d : sizeof *col->d);
    if (data && n)
        memcpy(col->d, data, n * sizeof *col->d);
    else
        memset(col->d, 0, (n ? n : 1) * sizeof *col->d);
}

/* ---------------------------------------------------------------- reading */

pcm_xyz_reader *xyz_open(const char *path, pcm_err *e)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        pcm_errf(e, path, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    pcm_xyz_reader *r = pcm_calloc(1, sizeof *r);
    r->fp = fp;
    r->path = pcm_strdup(path);
    return r;
}

void xyz_close(pcm_xyz_reader *r)
{
    if (!r)
        return;
    fclose(r->fp);
    free(r->path);
    free(r->buf);
    free(r);
}

/* Next line without its newline; NULL at end of file. */
static char *next_line(pcm_xyz_reader *r)
{
    ssize_t n = getline(&r->buf, &r->cap, r->fp);
    if (n < 0)
        return NULL;
    r->line++;
    while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
        r->buf[--n] = '\0';
    return r->buf;
}

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* Splits the comment line into key/value pairs (quoted values allowed). */
static int parse_info(pcm_xyz_reader *r, char *s, pcm_frame *fr, pcm_err *e)
{
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        char *key = s;
        while (*s && *s != '=' && !isspace((unsigned char)*s))
            s++;
        char *val = "T";
        if (*s == '=') {
            *s++ = '\0';
            if (*s == '"' || *s == '\'') {
                char q = *s++;
                val = s;
                while (*s && *s != q)
                    s++;
                if (*s != q)
                    return pcm_errf(e, r->path, r->line, "unterminated quoted value for key '%s'", key);
                *s++ = '\0';
            } else {
                val = s;
                while (*s && !isspace((unsigned char)*s))
                    s++;
                if (*s)
                    *s++ = '\0';
            }
        } else if (*s) {
            *s++ = '\0';
        }
        frame_set(fr, key, val);
    }
    return 0;
}

static int parse_doubles(const char *s, double *out, int max)
{
    int n = 0;
    char *end;
    while (n < max) {
        while (*s && (isspace((unsigned char)*s) || *s == ','))
            s++;
        if (!*s)
            break;
        double v = strtod(s, &end);
        if (end == s)
            return -1;
        out[n++] = v;
        s = end;
    }
    while (*s && (isspace((unsigned char)*s) || *s == ','))
        s++;
    return *s ? -1 : n;
}

typedef struct {
    char name[48];
    char type;
    int ncomp;
} propdef;

static int parse_properties(pcm_xyz_reader *r, const char *props, propdef *pd, int maxp, pcm_err *e)
{
    char *copy = pcm_strdup(props);
    int np = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        char *t = strtok_r(NULL, ":", &save);
        char *c = t ? strtok_r(NULL, ":", &save) : NULL;
        if (!t || !c || strlen(t) != 1 || !strchr("SRIL", t[0]) || atoi(c) < 1 || np >= maxp) {
            free(copy);
            return pcm_errf(e, r->path, r->line,
                            "bad Properties='%s' (expected name:S|R|I|L:count triples)", props);
        }
        snprintf(pd[np].name, sizeof pd[np].name, "%s", tok);
        pd[np].type = t[0];
        pd[np].ncomp = atoi(c);
        np++;
    }
    free(copy);
    return np;
}

static int take_info(pcm_xyz_reader *r, pcm_frame *fr, pcm_err *e)
{
    pcm_system *s = fr->sys;
    const char *lat = frame_get(fr, "Lattice");
    if (!lat)
        return pcm_errf(e, r->path, r->line,
                        "no Lattice=\"...\" on the comment line: pcmlab needs a periodic cell");
    double h[9];
    if (parse_doubles(lat, h, 9) != 9)
        return pcm_errf(e, r->path, r->line, "Lattice must hold 9 numbers (three lattice vectors)");
    double hm[3][3] = {{h[0], h[1], h[2]}, {h[3], h[4], h[5]}, {h[6], h[7], h[8]}};
    if (cell_set(&s->cell, hm) != 0)
        return pcm_errf(e, r->path, r->line, "Lattice is singular (zero volume)");
    const char *pbc = frame_get(fr, "pbc");
    if (pbc) {
        char c[3];
        if (sscanf(pbc, " %c %c %c", &c[0], &c[1], &c[2]) != 3)
            return pcm_errf(e, r->path, r->line, "pbc must be three T/F flags");
        for (int k = 0; k < 3; k++)
            if (c[k] != 'T' && c[k] != 't' && c[k] != '1')
                return pcm_errf(e, r->path, r->line,
                                "pbc=\"%s\": pcmlab needs a fully periodic cell (pbc=\"T T T\")", pbc);
    }
    const char *en = frame_get(fr, "energy");
    if (en) {
        char *end;
        s->energy = strtod(en, &end);
        if (end == en || *end)
            return pcm_errf(e, r->path, r->line, "energy=%s is not a number", en);
        fr->has_energy = 1;
    }
    const char *vir = frame_get(fr, "virial");
    const char *str = frame_get(fr, "stress");
    if (vir || str) {
        double v[9];
        int n = parse_doubles(vir ? vir : str, v, 9);
        if (n != 6 && n != 9)
            return pcm_errf(e, r->path, r->line, "%s must hold 6 (Voigt) or 9 numbers",
                            vir ? "virial" : "stress");
        double w[6];
        if (n == 9) {
            w[0] = v[0]; w[1] = v[4]; w[2] = v[8];
            w[3] = 0.5 * (v[5] + v[7]); w[4] = 0.5 * (v[2] + v[6]); w[5] = 0.5 * (v[1] + v[3]);
        } else {
            memcpy(w, v, sizeof w);
        }
        double scale = vir ? 1.0 : -s->cell.volume;
        for (int k = 0; k < 6; k++)
            s->virial[k] = w[k] * scale;
        fr->has_virial = 1;
    }
    /* remove the keys that live in structured fields */
    static const char *const known[] = {"Lattice", "Properties", "pbc", "energy", "virial", "stress"};
    for (int k = 0; k < fr->nkv;) {
        int drop = 0;
        for (size_t q = 0; q < sizeof known / sizeof known[0]; q++)
            if (strcmp(fr->keys[k], known[q]) == 0)
                drop = 1;
        if (drop) {
            free(fr->keys[k]);
            free(fr->vals[k]);
            fr->keys[k] = fr->keys[fr->nkv - 1];
            fr->vals[k] = fr->vals[fr->nkv - 1];
            fr->nkv--;
        } else {
            k++;
        }
    }
    return 0;
}

int xyz_read(pcm_xyz_reader *r, pcm_frame *fr, pcm_err *e)
{
    frame_clear(fr);
    char *l;
    do {
        l = next_line(r);
        if (!l)
            return 0;
    } while (is_blank(l));
    char *end;
    long n = strtol(l, &end, 10);
    if (end == l || !is_blank(end) || n < 0 || n > 100000000L)
        return pcm_errf(e, r->path, r->line, "expected the number of atoms, found '%.40s'", l);
    if (n == 0)
        return pcm_errf(e, r->path, r->line, "frame has no atoms");
    l = next_line(r);
    if (!l)
        return pcm_errf(e, r->path, r->line, "file ends before the comment line");
    if (parse_info(r, l, fr, e) != 0)
        return -1;
    const char *props = frame_get(fr, "Properties");
    propdef pd[64];
    int np;
    if (props) {
        np = parse_properties(r, props, pd, 64, e);
        if (np < 0)
            return -1;
    } else {
        np = 2;
        pd[0] = (propdef){"species", 'S', 1};
        pd[1] = (propdef){"pos", 'R', 3};
    }
    int ipos = -1, ispec = -1;
    for (int p = 0; p < np; p++) {
        if (strcmp(pd[p].name, "pos") == 0 && pd[p].type == 'R' && pd[p].ncomp == 3)
            ipos = p;
        if (strcmp(pd[p].name, "species") == 0 && pd[p].type == 'S' && pd[p].ncomp == 1)
            ispec = p;
    }
    if (ipos < 0 || ispec < 0)
        return pcm_errf(e, r->path, r->line, "Properties needs species:S:1 and pos:R:3");
    long info_line = r->line;
    if (take_info(r, fr, e) != 0)
        return -1;
    pcm_system *s = fr->sys;
    system_reserve(s, (int)n);
    s->n = (int)n;
    /* extra columns */
    int colidx[64];
    for (int p = 0; p < np; p++) {
        colidx[p] = -1;
        const char *nm = pd[p].name;
        if (p == ipos || p == ispec)
            continue;
        if (pd[p].type == 'S')
            continue;
        if (strcmp(nm, "velo") == 0 && pd[p].ncomp == 3) {
            fr->has_velocities = 1;
            continue;
        }
        if (strcmp(nm, "forces") == 0 && pd[p].ncomp == 3) {
            fr->has_forces = 1;
            continue;
        }
        if (strcmp(nm, "energies") == 0 && pd[p].ncomp == 1) {
            fr->has_energies = 1;
            continue;
        }
        frame_add_col(fr, nm, pd[p].type, pd[p].ncomp, NULL);
        colidx[p] = fr->ncol - 1;
    }
    for (long i = 0; i < n; i++) {
        l = next_line(r);
        if (!l)
            return pcm_errf(e, r->path, r->line + 1, "file ends after %ld of %ld atoms", i, n);
        char *p = l;
        for (int q = 0; q < np; q++) {
            for (int c = 0; c < pd[q].ncomp; c++) {
                while (*p && isspace((unsigned char)*p))
                    p++;
                if (!*p)
                    return pcm_errf(e, r->path, r->line, "atom line has too few columns for Properties (%s)",
                                    pd[q].name);
                char *tok = p;
                while (*p && !isspace((unsigned char)*p))
                    p++;
                char save = *p;
                *p = '\0';
                if (pd[q].type == 'S') {
                    if (q == ispec) {
                        int t = system_species_id(s, tok);
                        if (t < 0)
                            return pcm_errf(e, r->path, r->line, "unknown element '%s'", tok);
                        s->type[i] = t;
                    }
                } else {
                    double v;
                    if (pd[q].type == 'L')
                        v = (tok[0] == 'T' || tok[0] == 't' || tok[0] == '1') ? 1.0 : 0.0;
                    else {
                        v = strtod(tok, &end);
                        if (end == tok || *end) {
                            *p = save;
                            return pcm_errf(e, r->path, r->line, "'%s' in column %s is not a number", tok,
                                            pd[q].name);
                        }
                    }
                    if (q == ipos)
                        s->x[i][c] = v;
                    else if (strcmp(pd[q].name, "velo") == 0 && fr->has_velocities && pd[q].ncomp == 3)
                        s->v[i][c] = v;
                    else if (strcmp(pd[q].name, "forces") == 0 && fr->has_forces && pd[q].ncomp == 3)
                        s->f[i][c] = v;
                    else if (strcmp(pd[q].name, "energies") == 0 && fr->has_energies && pd[q].ncomp == 1)
                        s->pe[i] = v;
                    else if (colidx[q] >= 0)
                        fr->cols[colidx[q]].d[i * pd[q].ncomp + c] = v;
                }
                *p = save;
            }
        }
        if (!is_blank(p))
            return pcm_errf(e, r->path, r->line, "atom line has more columns than Properties lists");
    }
    (void)info_line;
    return 1;
}

pcm_frame *xyz_read_first(const char *path, pcm_err *e)
{
    pcm_xyz_reader *r = xyz_open(path, e);
    if (!r)
        return NULL;
    pcm_frame *fr = frame_new();
    int rc = xyz_read(r, fr, e);
    if (rc == 0)
        pcm_errf(e, path, 0, "file holds no frame");
    xyz_close(r);
    if (rc != 1) {
        frame_free(fr);
        return NULL;
    }
    return fr;
}

int xyz_count_frames(const char *path, pcm_err *e)
{
    pcm_xyz_reader *r = xyz_open(path, e);
    if (!r)
        return -1;
    pcm_frame *fr = frame_new();
    int n = 0, rc;
    while ((rc = xyz_read(r, fr, e)) == 1)
        n++;
    frame_free(fr);
    xyz_close(r);
    return rc < 0 ? -1 : n;
}

/* ---------------------------------------------------------------- writing */

static int needs_quotes(const char *v)
{
    if (!*v)
        return 1;
    for (; *v; v++)
        if (isspace((unsigned char)*v) || *v == '=' || *v == '"')
            return 1;
    return 0;
}

int xyz_write(FILE *fp, const pcm_frame *fr, unsigned flags)
{
    const pcm_system *s = fr->sys;
    const double(*h)[3] = s->cell.h;
    fprintf(fp, "%d\nLattice=\"%.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\" ", s->n, h[0][0],
            h[0][1], h[0][2], h[1][0], h[1][1], h[1][2], h[2][0], h[2][1], h[2][2]);
    fputs("Properties=species:S:1:pos:R:3", fp);
    if (flags & XYZ_VEL)
        fputs(":velo:R:3", fp);
    if (flags & XYZ_ENERGIES)
        fputs(":energies:R:1", fp);
    if (flags & XYZ_FORCES)
        fputs(":forces:R:3", fp);
    for (int c = 0; c < fr->ncol; c++)
        fprintf(fp, ":%s:%c:%d", fr->cols[c].name, fr->cols[c].type, fr->cols[c].ncomp);
    if (flags & XYZ_ENERGY)
        fprintf(fp, " energy=%.17g", s->energy);
    if (flags & XYZ_VIRIAL)
        fprintf(fp, " virial=\"%.17g %.17g %.17g %.17g %.17g %.17g\"", s->virial[0], s->virial[1],
                s->virial[2], s->virial[3], s->virial[4], s->virial[5]);
    for (int k = 0; k < fr->nkv; k++) {
        if (needs_quotes(fr->vals[k]))
            fprintf(fp, " %s=\"%s\"", fr->keys[k], fr->vals[k]);
        else
            fprintf(fp, " %s=%s", fr->keys[k], fr->vals[k]);
    }
    fputs(" pbc=\"T T T\"\n", fp);
    for (int i = 0; i < s->n; i++) {
        fprintf(fp, "%-2s %.17g %.17g %.17g", s->species[s->type[i]], s->x[i][0], s->x[i][1], s->x[i][2]);
        if (flags & XYZ_VEL)
            fprintf(fp, " %.17g %.17g %.17g", s->v[i][0], s->v[i][1], s->v[i][2]);
        if (flags & XYZ_ENERGIES)
            fprintf(fp, " %.17g", s->pe[i]);
        if (flags & XYZ_FORCES)
            fprintf(fp, " %.17g %.17g %.17g", s->f[i][0], s->f[i][1], s->f[i][2]);
        for (int c = 0; c < fr->ncol; c++)
            for (int q = 0; q < fr->cols[c].ncomp; q++) {
                double v = fr->cols[c].d[i * fr->cols[c].ncomp + q];
                if (fr->cols[c].type == 'I')
                    fprintf(fp, " %ld", (long)v);
                else if (fr->cols[c].type == 'L')
                    fputs(v != 0.0 ? " T" : " F", fp);
                else
                    fprintf(fp, " %.17g", v);
            }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

int xyz_write_file(const char *path, pcm_frame *const *frs, int n, unsigned flags, pcm_err *e)
{
    pcm_afile af;
    if (atomic_open(&af, path, e) != 0)
        return -1;
    for (int k = 0; k < n; k++)
        if (xyz_write(af.fp, frs[k], flags) != 0) {
            atomic_abort(&af);
            return pcm_errf(e, path, 0, "write failed");
        }
    return atomic_commit(&af, e);
}
