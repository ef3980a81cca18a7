/* preset.c - libconfig presets: schema table, load with file:line errors,
 * unknown-key warnings, --set overrides, atomic write-back.
 * The only file in pcmlab that includes <libconfig.h>. */
#include "preset.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

typedef enum { K_DBL, K_INT, K_LONG, K_U64, K_STR, K_ENS, K_KIND, K_LIST } key_type;

typedef struct {
    const char *path;
    key_type type;
    size_t off, size;   /* size: string capacity */
    double lo, hi;      /* inclusive range for numbers */
    const char *what;   /* what is expected, for messages */
} key_desc;

#define F(field) offsetof(pcm_preset, field), sizeof(((pcm_preset *)0)->field)
static const key_desc keys[] = {
    {"name", K_STR, F(name), 0, 0, "a string"},
    {"potential", K_STR, F(potential), 0, 0, "a potential file (.yace) or lj:EPS,SIGMA,RC"},
    {"committee", K_LIST, F(committee), 0, 0, "a list of at least 2 potential files, e.g. [\"a.yace\", \"b.yace\"]"},
    {"committee_warn", K_DBL, F(committee_warn), 1e-3, 1e3, "a force disagreement in [0.001, 1000] eV/Å"},
    {"structure.kind", K_KIND, F(structure.kind), 0, 0, "\"rocksalt\", \"liquid\", \"interface\" or \"file\""},
    {"structure.cells", K_INT, F(structure.cells), 1, 64, "cells per edge, an integer in [1, 64]"},
    {"structure.a", K_DBL, F(structure.a), 3.0, 12.0, "a lattice constant in [3, 12] Å"},
    {"structure.vacancy_fraction", K_DBL, F(structure.vacancy_fraction), 0.0, 0.9, "a fraction in [0, 0.9]"},
    {"structure.atoms", K_INT, F(structure.atoms), 1, 10000000, "an atom count in [1, 10000000]"},
    {"structure.density", K_DBL, F(structure.density), 0.5, 20.0, "a density in [0.5, 20] g/cm³"},
    {"structure.composition", K_STR, F(structure.composition), 0, 0, "a formula such as \"Ge2Sb2Te5\""},
    {"structure.min_dist", K_DBL, F(structure.min_dist), 0.0, 5.0, "a distance in [0, 5] Å"},
    {"structure.file", K_STR, F(structure.file), 0, 0, "an extxyz file name"},
    {"structure.seed", K_LONG, F(structure.seed), 0, 9e15, "a non-negative integer seed"},
    {"md.ensemble", K_ENS, F(md.ensemble), 0, 0, "\"nve\", \"nvt\", \"langevin\", \"npt\" or \"npt-z\""},
    {"md.dt", K_DBL, F(md.dt), 0.01, 10.0, "a time step in [0.01, 10] fs"},
    {"md.T", K_DBL, F(md.T), 0.0, 20000.0, "a temperature in [0, 20000] K"},
    {"md.tau_T", K_DBL, F(md.tau_T), 1.0, 1e7, "a thermostat time in [1, 1e7] fs"},
    {"md.P", K_DBL, F(md.P), -1e6, 1e6, "a pressure in [-1e6, 1e6] bar"},
    {"md.tau_P", K_DBL, F(md.tau_P), 10.0, 1e8, "a barostat time in [10, 1e8] fs"},
    {"md.skin", K_DBL, F(md.skin), 0.0, 5.0, "a neighbour skin in [0, 5] Å"},
    {"md.compressibility", K_DBL, F(md.compressibility), 1e-9, 1e-2, "a compressibility in [1e-9, 1e-2] 1/bar"},
    {"md.seed", K_U64, F(md.seed), 0, 9e15, "a non-negative integer seed"},
    {"md.init_T", K_DBL, F(init_T), -1.0, 20000.0, "a temperature in [0, 20000] K (or -1: protocol start)"},
    {"protocol.scale", K_DBL, F(protocol.scale), 1e-9, 1e6, "a time scale factor in (0, 1e6]"},
    {"protocol.cycles", K_INT, F(protocol.cycles), 1, 100000, "a cycle count in [1, 100000]"},
    {"output.thermo_every", K_LONG, F(output.thermo_every), 1, 1e12, "an interval of at least 1 step"},
    {"output.traj_every", K_LONG, F(output.traj_every), 0, 1e12, "an interval in steps (0 = none)"},
    {"output.xtal_every", K_LONG, F(output.xtal_every), 0, 1e12, "an interval in steps (0 = none)"},
    {"output.max_steps", K_LONG, F(output.max_steps), 0, 1e15, "a step count (0 = protocol length)"},
};
#undef F
#define NKEYS (sizeof keys / sizeof keys[0])
static const char *groups[] = {"structure", "md", "protocol", "output"};

void preset_defaults(pcm_preset *p)
{
    memset(p, 0, sizeof *p);
    p->version = PCM_PRESET_VERSION;
    snprintf(p->name, sizeof p->name, "run");
    snprintf(p->potential, sizeof p->potential, "assets/gst.yace");
    snprintf(p->structure.kind, sizeof p->structure.kind, "rocksalt");
    p->structure.cells = 3;
    p->structure.a = 6.02;
    p->structure.vacancy_fraction = 0.2;
    p->structure.atoms = 504;
    p->structure.density = 6.0;
    snprintf(p->structure.composition, sizeof p->structure.composition, "Ge2Sb2Te5");
    p->structure.min_dist = 2.3;
    p->structure.seed = 1;
    md_params_default(&p->md);
    p->md.ensemble = PCM_NVT_BUSSI;
    p->init_T = -1.0;
    p->committee_warn = COMMITTEE_WARN_DEFAULT;
    protocol_init(&p->protocol);
    p->output.thermo_every = 100;
    p->output.traj_every = 1000;
    p->output.xtal_every = 1000;
}

void preset_free(pcm_preset *p)
{
    free(p->warnings);
    p->warnings = NULL;
}

static void preset_warn(pcm_preset *p, const char *file, int line, const char *fmt, const char *arg)
{
    char msg[1024], full[1200];
    snprintf(msg, sizeof msg, fmt, arg);
    snprintf(full, sizeof full, "%s:%d: %s\n", file, line, msg);
    size_t n0 = p->warnings ? strlen(p->warnings) : 0;
    p->warnings = pcm_realloc(p->warnings, n0 + strlen(full) + 1);
    memcpy(p->warnings + n0, full, strlen(full) + 1);
}

static const key_desc *key_find(const char *path)
{
    for (size_t k = 0; k < NKEYS; k++)
        if (!strcmp(keys[k].path, path))
            return &keys[k];
    return NULL;
}

/* Store a value already parsed into (num, str) after checking it. */
static int key_store(pcm_preset *p, const key_desc *d, double num, const char *str, const char *file, long line,
                     pcm_err *e)
{
    char *dst = (char *)p + d->off;
    switch (d->type) {
    case K_STR:
        if (strlen(str) >= d->size)
            return pcm_errf(e, file, line, "%s: expected %s of at most %zu characters", d->path, d->what, d->size - 1);
        snprintf(dst, d->size, "%s", str);
        return 0;
    case K_KIND:
        if (strcmp(str, "rocksalt") && strcmp(str, "liquid") && strcmp(str, "interface") && strcmp(str, "file"))
            return pcm_errf(e, file, line, "%s = \"%s\": expected %s", d->path, str, d->what);
        snprintf(dst, d->size, "%s", str);
        return 0;
    case K_LIST: {   /* str: a comma list; "" = no committee */
        committee_list l = {0};
        pcm_err le = {{0}};
        if (*str && committee_list_add(&l, str, &le) < 0)
            return pcm_errf(e, file, line, "%s", le.msg);
        if (l.k == 1)
            return pcm_errf(e, file, line, "%s: expected %s (got 1 member)", d->path, d->what);
        *(committee_list *)dst = l;
        return 0;
    }
    case K_ENS: {
        int ens = md_ensemble_parse(str);
        if (ens < 0)
            return pcm_errf(e, file, line, "%s = \"%s\": expected %s", d->path, str, d->what);
        *(pcm_ensemble *)dst = (pcm_ensemble)ens;
        return 0;
    }
    default: break;
    }
    if (!(num >= d->lo && num <= d->hi))
        return pcm_errf(e, file, line, "%s = %g is out of range: expected %s", d->path, num, d->what);
    if (d->type == K_DBL)
        *(double *)dst = num;
    else if (d->type == K_INT)
        *(int *)dst = (int)num;
    else if (d->type == K_LONG)
        *(long *)dst = (long)num;
    else
        *(unsigned long long *)dst = (unsigned long long)num;
    return 0;
}

static int is_number_type(int t)
{
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

/* committee = ["a.yace", "b.yace"];  (an array or list of strings) */
static int list_load(pcm_preset *p, const key_desc *d, config_setting_t *st, const char *file, pcm_err *e)
{
    int line = config_setting_source_line(st);
    committee_list *l = (committee_list *)((char *)p + d->off);
    if (!config_setting_is_array(st) && !config_setting_is_list(st))
        return pcm_errf(e, file, line, "%s: expected %s", d->path, d->what);
    l->k = 0;
    for (int k = 0; k < config_setting_length(st); k++) {
        config_setting_t *m = config_setting_get_elem(st, k);
        pcm_err le = {{0}};
        if (config_setting_type(m) != CONFIG_TYPE_STRING)
            return pcm_errf(e, file, line, "%s[%d]: expected a quoted potential file name", d->path, k);
        if (committee_list_add(l, config_setting_get_string(m), &le) < 0)
            return pcm_errf(e, file, line, "%s[%d]: %s", d->path, k, le.msg);
    }
    if (l->k == 1)
        return pcm_errf(e, file, line, "%s: expected %s (got 1 member)", d->path, d->what);
    p->committee_line = line;
    return 0;
}

static int setting_load(pcm_preset *p, const key_desc *d, config_setting_t *st, const char *file, pcm_err *e)
{
    int t = config_setting_type(st), line = config_setting_source_line(st);
    const char *tn = t == CONFIG_TYPE_STRING ? "a string"
                     : t == CONFIG_TYPE_BOOL ? "a boolean"
                     : t == CONFIG_TYPE_FLOAT ? "a floating-point number"
                     : is_number_type(t)      ? "an integer"
                                              : "a group or list";
    if (d->type == K_LIST)
        return list_load(p, d, st, file, e);
    if (d->type == K_STR || d->type == K_ENS || d->type == K_KIND) {
        if (t != CONFIG_TYPE_STRING)
            return pcm_errf(e, file, line, "%s: expected %s (a quoted string), got %s", d->path, d->what, tn);
        return key_store(p, d, 0.0, config_setting_get_string(st), file, line, e);
    }
    if (d->type == K_DBL) {
        if (!is_number_type(t))
            return pcm_errf(e, file, line, "%s: expected a number, %s, got %s", d->path, d->what, tn);
        return key_store(p, d, config_setting_get_float(st), NULL, file, line, e);
    }
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
        return pcm_errf(e, file, line, "%s: expected an integer, %s, got %s", d->path, d->what, tn);
    return key_store(p, d, (double)config_setting_get_int64(st), NULL, file, line, e);
}

/* protocol.segments = ( { hold = T; time_ps = t; }, { ramp = [T0, T1]; time_ps = t; } ); */
static int segments_load(pcm_preset *p, config_setting_t *list, const char *file, pcm_err *e)
{
    int line = config_setting_source_line(list);
    if (!config_setting_is_aggregate(list) || config_setting_is_group(list))
        return pcm_errf(e, file, line, "protocol.segments: expected a list ( {...}, {...} ) of segments");
    pcm_protocol *pr = &p->protocol;
    pr->nseg = 0;
    int n = config_setting_length(list);
    for (int k = 0; k < n; k++) {
        config_setting_t *g = config_setting_get_elem(list, k);
        int gl = config_setting_source_line(g);
        if (!config_setting_is_group(g))
            return pcm_errf(e, file, gl, "protocol.segments[%d]: expected a group { hold = T; time_ps = t; }", k);
        config_setting_t *h = config_setting_get_member(g, "hold"), *r = config_setting_get_member(g, "ramp");
        config_setting_t *t = config_setting_get_member(g, "time_ps");
        if (!t || !is_number_type(config_setting_type(t)) || !(config_setting_get_float(t) >= 0.0))
            return pcm_errf(e, file, t ? (int)config_setting_source_line(t) : gl,
                            "protocol.segments[%d]: expected time_ps = a duration >= 0 ps", k);
        double tp = config_setting_get_float(t), T0, T1;
        if (h && !r && is_number_type(config_setting_type(h))) {
            T0 = T1 = config_setting_get_float(h);
        } else if (r && !h && config_setting_is_array(r) && config_setting_length(r) == 2 &&
                   is_number_type(config_setting_type(config_setting_get_elem(r, 0)))) {
            T0 = config_setting_get_float_elem(r, 0);
            T1 = config_setting_get_float_elem(r, 1);
        } else {
            return pcm_errf(e, file, gl, "protocol.segments[%d]: expected exactly one of hold = T or ramp = [T0, T1] (K)",
                            k);
        }
        if (!(T0 >= 0.0 && T0 <= 20000.0 && T1 >= 0.0 && T1 <= 20000.0))
            return pcm_errf(e, file, gl, "protocol.segments[%d]: temperatures must lie in [0, 20000] K", k);
        for (int m = 0; m < config_setting_length(g); m++) {
            config_setting_t *c = config_setting_get_elem(g, m);
            const char *nm = config_setting_name(c);
            if (strcmp(nm, "hold") && strcmp(nm, "ramp") && strcmp(nm, "time_ps"))
                preset_warn(p, file, config_setting_source_line(c), "unknown key '%s' in a protocol segment (ignored)",
                            nm);
        }
        if ((h ? protocol_hold(pr, T0, tp) : protocol_ramp(pr, T0, T1, tp)) != 0)
            return pcm_errf(e, file, gl, "protocol.segments: at most %d segments", PCM_PROTOCOL_MAX_SEG);
    }
    return 0;
}

static void unknown_keys(pcm_preset *p, config_setting_t *grp, const char *prefix, const char *file)
{
    for (int k = 0; k < config_setting_length(grp); k++) {
        config_setting_t *c = config_setting_get_elem(grp, k);
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", config_setting_name(c));
        int known = key_find(path) != NULL || !strcmp(path, "version") || !strcmp(path, "protocol.segments");
        if (!*prefix && config_setting_is_group(c))
            for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
                if (!strcmp(path, groups[g])) {
                    unknown_keys(p, c, path, file);
                    known = 1;
                }
        if (!known)
            preset_warn(p, file, config_setting_source_line(c), "unknown key '%s' (ignored)", path);
    }
}

int preset_load(pcm_preset *p, const char *path, pcm_err *e)
{
    config_t cfg;
    config_init(&cfg);
    config_set_options(&cfg, CONFIG_OPTION_AUTOCONVERT);
    int rc = -1;
    if (config_read_file(&cfg, path) != CONFIG_TRUE) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
            pcm_errf(e, path, 0, "cannot read the preset file: %s", strerror(errno != 0 ? errno : (int)ENOENT));
        else
            pcm_errf(e, path, config_error_line(&cfg), "%s (expected libconfig syntax `key = value;`)",
                     config_error_text(&cfg));
        goto out;
    }
    config_setting_t *root = config_root_setting(&cfg), *v = config_setting_get_member(root, "version");
    if (!v || (config_setting_type(v) != CONFIG_TYPE_INT && config_setting_type(v) != CONFIG_TYPE_INT64)) {
        pcm_errf(e, path, v ? config_setting_source_line(v) : 0, "expected `version = %d;` (an integer)",
                 PCM_PRESET_VERSION);
        goto out;
    }
    long ver = (long)config_setting_get_int64(v);
    if (ver > PCM_PRESET_VERSION) {
        pcm_errf(e, path, config_setting_source_line(v),
                 "preset format version %ld is newer than this pcmlab understands (%d): update pcmlab", ver,
                 PCM_PRESET_VERSION);
        goto out;
    }
    if (ver < 1) {
        pcm_errf(e, path, config_setting_source_line(v), "version = %ld: expected %d", ver, PCM_PRESET_VERSION);
        goto out;
    }
    p->version = (int)ver;
    for (size_t k = 0; k < NKEYS; k++) {
        config_setting_t *st = config_lookup(&cfg, keys[k].path);
        if (st && setting_load(p, &keys[k], st, path, e) != 0)
            goto out;
    }
    config_setting_t *segs = config_lookup(&cfg, "protocol.segments");
    if (segs && segments_load(p, segs, path, e) != 0)
        goto out;
    unknown_keys(p, root, "", path);
    rc = preset_validate(p, path, e);
out:
    config_destroy(&cfg);
    return rc;
}

int preset_validate(const pcm_preset *p, const char *file, pcm_err *e)
{
    if (!p->potential[0])
        return pcm_errf(e, file, 0, "potential: expected a potential file or spec, got an empty string");
    if (!strcmp(p->structure.kind, "file") && !p->structure.file[0])
        return pcm_errf(e, file, 0, "structure.kind = \"file\" needs structure.file = \"X.extxyz\"");
    if (p->protocol.nseg == 0 && p->output.max_steps <= 0)
        return pcm_errf(e, file, 0, "expected protocol.segments (a temperature schedule) or output.max_steps > 0");
    return 0;
}

int preset_set(pcm_preset *p, const char *as, pcm_err *e)
{
    const char *eq = strchr(as, '=');
    char key[128];
    if (!eq || eq == as || (size_t)(eq - as) >= sizeof key)
        return pcm_errf(e, NULL, 0, "--set '%s': expected key=value (e.g. md.T=600)", as);
    memcpy(key, as, (size_t)(eq - as));
    key[eq - as] = 0;
    const char *val = eq + 1;
    const key_desc *d = key_find(key);
    if (!d)
        return pcm_errf(e, NULL, 0, "--set %s: unknown key (expected one of name, potential, committee, committee_warn, structure.*, md.*, "
                                    "protocol.scale, protocol.cycles, output.*)", key);
    double num = 0.0;
    if (d->type != K_STR && d->type != K_ENS && d->type != K_KIND && d->type != K_LIST) {
        char *end;
        errno = 0;
        num = d->type == K_DBL ? strtod(val, &end) : (double)strtoll(val, &end, 10);
        if (end == val || *end || errno)
            return pcm_errf(e, NULL, 0, "--set %s=%s: expected %s%s", key, val,
                            d->type == K_DBL ? "a number, " : "an integer, ", d->what);
    }
    char ctx[160];
    snprintf(ctx, sizeof ctx, "--set %s=%s", key, val);
    pcm_err ke = {{0}};
    if (key_store(p, d, num, val, NULL, 0, &ke) != 0)
        return pcm_errf(e, NULL, 0, "--set %s", ke.msg);
    if (d->type == K_LIST)
        p->committee_line = 0;
    return 0;
}

/* A libconfig float literal must carry a '.' or an exponent. */
static void fmt_double(char *buf, size_t n, double v)
{
    snprintf(buf, n, "%.15g", v);   /* shortest form that reads back exactly */
    if (strtod(buf, NULL) != v)
        snprintf(buf, n, "%.17g", v);
    if (!strpbrk(buf, ".eEn"))
        strncat(buf, ".0", n - strlen(buf) - 1);
}

static void write_string(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

int preset_write(const pcm_preset *p, const char *path, pcm_err *e)
{
    pcm_afile af;
    if (atomic_open(&af, path, e) != 0)
        return -1;
    FILE *fp = af.fp;
    fprintf(fp, "# pcmlab effective settings (preset format version %d)\nversion = %d;\n", PCM_PRESET_VERSION,
            PCM_PRESET_VERSION);
    const char *open_group = "";
    for (size_t k = 0; k < NKEYS; k++) {
        const key_desc *d = &keys[k];
        const char *dot = strchr(d->path, '.');
        char grp[32] = "";
        if (dot)
            snprintf(grp, sizeof grp, "%.*s", (int)(dot - d->path), d->path);
        if (strcmp(grp, open_group)) {
            if (*open_group) {
                if (!strcmp(open_group, "protocol")) {
                    fputs("  segments = (", fp);
                    for (int s = 0; s < p->protocol.nseg; s++) {
                        const pcm_segment *g = &p->protocol.seg[s];
                        char a[40], b[40], t[40];
                        fmt_double(a, sizeof a, g->T0), fmt_double(b, sizeof b, g->T1), fmt_double(t, sizeof t, g->t_ps);
                        if (g->kind == PROTO_HOLD)
                            fprintf(fp, "%s\n    { hold = %s; time_ps = %s; }", s ? "," : "", a, t);
                        else
                            fprintf(fp, "%s\n    { ramp = [%s, %s]; time_ps = %s; }", s ? "," : "", a, b, t);
                    }
                    fputs(" );\n", fp);
                }
                fputs("};\n", fp);
            }
            if (*grp)
                fprintf(fp, "%s = {\n", grp);
            open_group = dot ? (strcmp(grp, "structure") == 0 ? "structure"
                                : strcmp(grp, "md") == 0      ? "md"
                                : strcmp(grp, "protocol") == 0 ? "protocol"
                                                               : "output")
                             : "";
        }
        if (!strncmp(d->path, "committee", 9) && p->committee.k == 0)
            continue;   /* no committee: settings.cfg as before */
        const char *name = dot ? dot + 1 : d->path;
        const char *src = (const char *)p + d->off;
        fprintf(fp, "%s%s = ", *grp ? "  " : "", name);
        char buf[64];
        switch (d->type) {
        case K_STR:
        case K_KIND: write_string(fp, src); break;
        case K_ENS: write_string(fp, md_ensemble_name(*(const pcm_ensemble *)src)); break;
        case K_DBL: fmt_double(buf, sizeof buf, *(const double *)src), fputs(buf, fp); break;
        case K_INT: fprintf(fp, "%d", *(const int *)src); break;
        case K_LONG: fprintf(fp, "%ldL", *(const long *)src); break;
        case K_U64: fprintf(fp, "%lluL", *(const unsigned long long *)src); break;
        case K_LIST:
            fputc('[', fp);
            for (int m = 0; m < p->committee.k; m++) {
                fputs(m ? ", " : "", fp);
                write_string(fp, p->committee.member[m]);
            }
            fputc(']', fp);
            break;
        }
        fputs(";\n", fp);
    }
    if (*open_group)
        fputs("};\n", fp);
    return atomic_commit(&af, e);
}
