/* plan.c - preset catalogue and live plans for the workbench (see plan.h). */
#include "plan.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void note_add(sim_plan *pl, const char *what)
{
    size_t n = strlen(pl->note);
    snprintf(pl->note + n, sizeof pl->note - n, "%s%s", n ? "; " : "", what);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

void plan_from_preset(sim_plan *pl, const pcm_preset *p, const char *file, const plan_running *run)
{
    memset(pl, 0, sizeof *pl);
    snprintf(pl->name, sizeof pl->name, "%.63s", p->name);
    for (char *c = pl->name; *c; c++)
        if (*c == ' ' || *c == '\t')
            *c = '-';
    snprintf(pl->file, sizeof pl->file, "%s", file ? file : "");
    pl->md = p->md;
    pl->proto = p->protocol;
    if (pl->proto.nseg == 0) {   /* no schedule: hold md.T for max_steps (validate guarantees > 0) */
        protocol_init(&pl->proto);
        protocol_hold(&pl->proto, p->md.T, (double)p->output.max_steps * p->md.dt * 1e-3);
    }
    if (!run)
        return;
    char buf[PLAN_NOTE_LEN];
    const char *pot = run->potential ? run->potential : "";
    /* the same file under another folder prefix (./assets vs bin/../assets) is the same potential */
    if (strcmp(base_name(p->potential), base_name(pot))) {
        snprintf(buf, sizeof buf, "potential %.120s not swapped live (running %.120s)", p->potential, pot);
        note_add(pl, buf);
    }
    if (p->committee.k > 0)
        note_add(pl, "committee only at launch");
    if (!strcmp(p->structure.kind, "rocksalt"))
        snprintf(buf, sizeof buf, "structure rocksalt %dx%dx%d not built live (the %d atoms on screen are kept)",
                 p->structure.cells, p->structure.cells, p->structure.cells, run->natoms);
    else if (!strcmp(p->structure.kind, "liquid"))
        snprintf(buf, sizeof buf, "structure liquid %d atoms not built live (the %d atoms on screen are kept)",
                 p->structure.atoms, run->natoms);
    else if (!strcmp(p->structure.kind, "interface"))
        snprintf(buf, sizeof buf, "structure interface %d cells not built live (the %d atoms on screen are kept)",
                 p->structure.cells, run->natoms);
    else
        snprintf(buf, sizeof buf, "structure %.100s not loaded live (the %d atoms on screen are kept)",
                 p->structure.file, run->natoms);
    note_add(pl, buf);
    note_add(pl, "output.* ignored (use the export keys); --preset FILE at launch applies all");
}

int plan_load(sim_plan *pl, const char *file, const plan_running *run, pcm_err *e)
{
    pcm_preset p;
    preset_defaults(&p);
    int rc = preset_load(&p, file, e);
    if (rc == 0)
        plan_from_preset(pl, &p, file, run);
    preset_free(&p);
    return rc;
}

int plan_presets_dir(char *buf, size_t cap)
{
    struct stat st;
    if (stat("presets", &st) == 0 && S_ISDIR(st.st_mode))
        return snprintf(buf, cap, "presets"), 0;
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    char dir[1100], real[PATH_MAX + 1];
    snprintf(dir, sizeof dir, "%.1000s/../presets", exe);
    if (!realpath(dir, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
        return -1;
    snprintf(buf, cap, "%s", real);
    return 0;
}

void plan_describe(const char *path, char *buf, size_t cap)
{
    buf[0] = 0;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char line[512];
    size_t len = 0;
    /* the first comment block, joined; stops at the first non-comment line */
    while (fgets(line, sizeof line, fp) && line[0] == '#' && len + 1 < cap) {
        char *s = line + 1;
        while (*s == ' ')
            s++;
        s[strcspn(s, "\r\n")] = 0;
        if (len == 0) {   /* "melt.cfg - what it does" -> "what it does" */
            const char *b = base_name(path);
            size_t bl = strlen(b);
            if (!strncmp(s, b, bl) && (!strncmp(s + bl, " - ", 3) || !strncmp(s + bl, ": ", 2)))
                s += bl + (s[bl] == ' ' ? 3 : 2);
        }
        len += snprintf(buf + len, cap - len, "%s%s", len ? " " : "", s);
        if (len >= cap)
            len = cap - 1;
    }
    fclose(fp);
}

void plan_format_duration(double ps, char *buf, size_t cap)
{
    if (ps >= 1000.0)
        snprintf(buf, cap, "%.4g ns", ps * 1e-3);
    else
        snprintf(buf, cap, "%.4g ps", ps);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const plan_entry *)a)->path, ((const plan_entry *)b)->path);
}

int plan_scan(const char *dir, plan_entry **out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0, cap = 0;
    plan_entry *v = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t L = strlen(de->d_name);
        if (L < 5 || strcmp(de->d_name + L - 4, ".cfg") || de->d_name[0] == '.')
            continue;
        if (n == cap)
            v = pcm_realloc(v, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *v);
        plan_entry *en = &v[n++];
        memset(en, 0, sizeof *en);
        snprintf(en->path, sizeof en->path, "%.400s/%.100s", dir, de->d_name);
        snprintf(en->name, sizeof en->name, "%.*s", (int)(L - 4 < 63 ? L - 4 : 63), de->d_name);
        plan_describe(en->path, en->desc, sizeof en->desc);
        sim_plan pl;
        pcm_err e = {{0}};
        if (plan_load(&pl, en->path, NULL, &e) == 0) {
            snprintf(en->name, sizeof en->name, "%.63s", pl.name);
            en->duration_ps = protocol_duration(&pl.proto);
        } else {
            snprintf(en->error, sizeof en->error, "%.299s", e.msg);
        }
    }
    closedir(d);
    if (n > 1)
        qsort(v, (size_t)n, sizeof *v, entry_cmp);
    *out = v;
    return n;
}
