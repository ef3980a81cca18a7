/* cli_fit.c - `pcmlab fit`: linear ACE fit of extxyz data to a .yace potential, with a report;
 * `pcmlab fit --bbasis IN.yaml -o OUT.yace` converts a pacemaker B-basis file instead. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ace_bbasis.h"
#include "cli.h"
#include "fileio.h"
#include "fit.h"
#include "gnuplot.h"

static const char usage[] =
    "usage: pcmlab fit DATA.extxyz... --basis BASIS.cfg -o POT.yace [--test-fraction F] [--kappa K]\n"
    "                  [--stress-weight W] [--ridge L] [--force-scale F0] [--seed S]\n"
    "                  [--weight KIND=W]... [--weights FILE] [--report DIR] [--committee K] [--first N]\n"
    "       (--first N: only the first N configurations of the data, in file order)\n"
    "       (a frame's info key weight=W multiplies its loss terms too)\n"
    "       (--weights FILE: lines 'config_id W [WE]' multiply those configurations' loss terms,\n"
    "        WE their energy term once more)\n"
    "       pcmlab fit --bbasis PACEMAKER.yaml -o POT.yace      (B-basis -> C-tilde conversion)\n";

typedef struct fit_cli {
    const char *data[256];
    int ndata;
    const char *basis, *out, *report, *bbasis;
    int committee;
    long first;   /* --first N: only the first N configurations, in file order (0: all) */
    const char *weights;   /* --weights FILE: per-configuration loss weights by config_id */
    int nweighted;
    fit_opts o;
    unsigned set;   /* FS_* bits: options given on the command line (they beat the basis file) */
} fit_cli;

enum { FS_KAPPA = 1, FS_RIDGE = 2, FS_STRESS = 4, FS_FSCALE = 8, FS_TEST = 16, FS_SEED = 32 };

/* --weights FILE: one "config_id weight [energy_weight]" a line ('#' starts a comment); each
 * weight multiplies that configuration's loss terms (with its info key weight=, if any), the
 * optional energy_weight its energy term once more (pacemaker's per-structure energy weight:
 * for frames whose energies matter more than their forces, e.g. the crystal and liquid of an
 * element whose energy difference the force-dominated loss gives away).  Every id
 * must name exactly one configuration of the data (after --first): a typo is an error, not a
 * silently unweighted frame.  Returns the number of configurations weighted, or -1. */
static int apply_weights(fit_dataset *d, const char *path, pcm_err *e)
{
    size_t len;
    char *buf = read_file(path, &len, e);
    if (!buf)
        return -1;
    int *seen = pcm_calloc((size_t)d->n + 1, sizeof *seen), nw = 0, status = 0;
    long line = 0;
    for (char *p = buf, *nl; p && *p && status == 0; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        line++;
        char *hash = strchr(p, '#');
        if (hash)
            *hash = 0;
        char id[128], extra[8];
        double w, we = 1.0;
        int nf = sscanf(p, "%127s %lf %lf %7s", id, &w, &we, extra);
        if (nf <= 0)
            continue;   /* blank or comment */
        if (nf < 2 || nf > 3 || !(w >= 0) || !isfinite(w) || !(we >= 0) || !isfinite(we)) {
            status = pcm_errf(e, path, line,
                              "expected 'config_id weight [energy_weight]' with weights >= 0");
            break;
        }
        int k = 0;
        while (k < d->n && strcmp(d->c[k].id, id) != 0)
            k++;
        if (k == d->n)
            status = pcm_errf(e, path, line, "no configuration with config_id '%s' in the data", id);
        else if (seen[k])
            status = pcm_errf(e, path, line, "config_id '%s' is weighted twice (first on line %d)", id, seen[k]);
        else {
            seen[k] = (int)line;
            d->c[k].weight *= w;
            d->c[k].eweight *= we;
            nw++;
        }
    }
    free(seen);
    free(buf);
    return status < 0 ? -1 : nw;
}

static int parse(int argc, char **argv, fit_cli *a, pcm_err *e)
{
    memset(a, 0, sizeof *a);
    fit_opts_default(&a->o);
    for (int k = 1; k < argc; k++) {
        const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        double x;
        long n;
        if (o[0] != '-') {
            if (a->ndata == 256)
                return pcm_errf(e, NULL, 0, "too many data files (256 at most)");
            a->data[a->ndata++] = o;
            continue;
        }
        if (!v)
            return pcm_errf(e, NULL, 0, "option %s needs a value", o);
        k++;
        if (!strcmp(o, "--basis")) a->basis = v;
        else if (!strcmp(o, "-o")) {
            size_t n = strlen(v);
            /* ML-PACE (LAMMPS pair_style pace) loads only *.yace / *.ace, and committee members
             * are named NAME.cK.yace from it. */
            if (n < 6 || strcmp(v + n - 5, ".yace"))
                return pcm_errf(e, NULL, 0, "-o %s: the potential file name must end in .yace", v);
            a->out = v;
        }
        else if (!strcmp(o, "--report")) a->report = v;
        else if (!strcmp(o, "--bbasis")) a->bbasis = v;
        else if (!strcmp(o, "--test-fraction")) {
            a->set |= FS_TEST;
            if (cli_double(o, v, &x, e) < 0) return -1;
            if (x < 0 || x >= 1) return pcm_errf(e, NULL, 0, "--test-fraction must be in [0, 1)");
            a->o.test_fraction = x;
        } else if (!strcmp(o, "--kappa")) {
            a->set |= FS_KAPPA;
            if (cli_double(o, v, &x, e) < 0) return -1;
            if (x < 0 || x > 1) return pcm_errf(e, NULL, 0, "--kappa must be in [0, 1]");
            a->o.kappa = x;
        } else if (!strcmp(o, "--stress-weight")) {
            a->set |= FS_STRESS;
            if (cli_double(o, v, &x, e) < 0) return -1;
            if (x < 0) return pcm_errf(e, NULL, 0, "--stress-weight must be >= 0");
            a->o.stress_weight = x;
        } else if (!strcmp(o, "--ridge")) {
            a->set |= FS_RIDGE;
            if (cli_double(o, v, &x, e) < 0) return -1;
            if (x < 0) return pcm_errf(e, NULL, 0, "--ridge must be >= 0");
            a->o.ridge = x;
        } else if (!strcmp(o, "--force-scale")) {
            a->set |= FS_FSCALE;
            if (cli_double(o, v, &x, e) < 0) return -1;
            if (x < 0) return pcm_errf(e, NULL, 0, "--force-scale must be >= 0 (eV/A; 0 = off)");
            a->o.force_scale = x;
        } else if (!strcmp(o, "--weight")) {
            const char *eq = strchr(v, '=');
            char *end;
            double w = eq ? strtod(eq + 1, &end) : -1;
            if (!eq || eq == v || (size_t)(eq - v) >= sizeof a->o.kw_kind[0] || end == eq + 1 || *end || !(w >= 0))
                return pcm_errf(e, NULL, 0, "--weight wants KIND=W with W >= 0 (e.g. --weight rocksalt=3), got '%s'", v);
            if (a->o.nkw == 16)
                return pcm_errf(e, NULL, 0, "--weight: 16 kinds at most");
            snprintf(a->o.kw_kind[a->o.nkw], sizeof a->o.kw_kind[0], "%.*s", (int)(eq - v), v);
            a->o.kw_w[a->o.nkw++] = w;
        } else if (!strcmp(o, "--seed")) {
            a->set |= FS_SEED;
            if (cli_int(o, v, &n, e) < 0) return -1;
            a->o.seed = (uint64_t)n;
        } else if (!strcmp(o, "--first")) {
            if (cli_int(o, v, &n, e) < 0) return -1;
            if (n < 1) return pcm_errf(e, NULL, 0, "--first must be >= 1 (configurations)");
            a->first = n;
        } else if (!strcmp(o, "--weights")) {
            a->weights = v;
        } else if (!strcmp(o, "--committee")) {
            if (cli_int(o, v, &n, e) < 0) return -1;
            if (n < 0 || n > 64) return pcm_errf(e, NULL, 0, "--committee must be 0..64");
            a->committee = (int)n;
        } else
            return pcm_errf(e, NULL, 0, "unknown option %s", o);
    }
    return 0;
}

static void print_stats(FILE *fp, FILE *csv, const char *split, const char *kind, fit_err_stats s)
{
    if (s.nconf == 0)
        return;
    fprintf(fp, "  %-5s %-16s %5d conf %7d atoms   E %9.3f meV/atom   F %9.2f meV/A   W %9.3f meV/atom\n", split,
            kind, s.nconf, s.natoms, 1e3 * s.rmse_e, 1e3 * s.rmse_f, 1e3 * s.rmse_w);
    if (csv)
        fprintf(csv, "%s,%s,%d,%d,%.6g,%.6g,%.6g\n", split, kind, s.nconf, s.natoms, 1e3 * s.rmse_e, 1e3 * s.rmse_f,
                1e3 * s.rmse_w);
}

/* Parity data + gnuplot PNGs (energy per atom, force components), each file atomic: the
 * data through fileio.h, the plots drawn to a temporary name and renamed once gnuplot is done. */
static void parity(const fit_dataset *d, const char *dir)
{
    char p[4200];
    pcm_err e = {{0}};
    pcm_afile fe = {0}, ff = {0};
    snprintf(p, sizeof p, "%s/parity_energy.dat", dir);
    if (atomic_open(&fe, p, &e) != 0)
        return;
    snprintf(p, sizeof p, "%s/parity_forces.dat", dir);
    if (atomic_open(&ff, p, &e) != 0) {
        atomic_abort(&fe);
        return;
    }
    for (int k = 0; k < d->n; k++) {
        const fit_config *c = &d->c[k];
        int n = c->sys->n;
        if (c->has_e)
            fprintf(fe.fp, "%d %.10g %.10g\n", c->is_test, c->e_ref / n, c->e_pred / n);
        if (c->has_f)
            for (int i = 0; i < n; i++)
                for (int a = 0; a < 3; a++)
                    fprintf(ff.fp, "%d %.8g %.8g\n", c->is_test, c->f_ref[i][a], c->f_pred[i][a]);
    }
    if (atomic_commit(&fe, &e) != 0 || atomic_commit(&ff, &e) != 0) {
        fprintf(stderr, "pcmlab fit: %s\n", e.msg);
        return;
    }
    const char *what[2][3] = {{"energy", "E / atom (eV)", "energy per atom"}, {"forces", "F (eV/A)", "force components"}};
    char png[2][4200];
    FILE *g = gnuplot_path_ok(dir, &e) == 0 ? gnuplot_open(&e) : NULL;
    if (!g)
        return;
    fprintf(g, "set terminal pngcairo size 900,800 font 'Sans,14'\nset grid\nset key top left\nset size square\n");
    for (int w = 0; w < 2; w++) {
        snprintf(png[w], sizeof png[w], "%s/parity_%s.png", dir, what[w][0]);
        fprintf(g, "set output '%s.tmp'\n", png[w]);
        fprintf(g, "set title 'pcmlab fit: %s'\nset xlabel 'reference %s'\nset ylabel 'model %s'\n", what[w][2],
                what[w][1], what[w][1]);
        double ps = w == 0 ? 1.4 : 0.6;
        fprintf(g, "plot '%s/parity_%s.dat' u ($1==0?$2:1/0):3 w p pt 7 ps %g lc rgb '#1f77b4' t 'train', "
                   "'' u ($1==1?$2:1/0):3 w p pt 7 ps %g lc rgb '#d62728' t 'test', x w l lc rgb 'black' t ''\n",
                dir, what[w][0], ps, ps);
    }
    const char *outs[2] = {png[0], png[1]};
    gnuplot_close(g, outs, 2, &e);   /* the plots are optional: the report has the numbers */
}

static int write_report(const fit_cli *a, const fit_dataset *d, const fit_model *m, double spa, pcm_err *e)
{
    FILE *fp = stdout, *csv = NULL, *txt = NULL;
    pcm_afile acsv = {0}, atxt = {0};
    char p[4200];
    if (a->report) {
        if (make_dirs(a->report, e) < 0)
            return -1;
        snprintf(p, sizeof p, "%s/errors.csv", a->report);
        if (atomic_open(&acsv, p, e) != 0)
            return -1;
        snprintf(p, sizeof p, "%s/report.txt", a->report);
        if (atomic_open(&atxt, p, e) != 0) {
            atomic_abort(&acsv);
            return -1;
        }
        csv = acsv.fp, txt = atxt.fp;
        fprintf(csv, "split,kind,configs,atoms,rmse_e_meV_per_atom,rmse_f_meV_per_A,rmse_virial_meV_per_atom\n");
    }
    for (int pass = 0; pass < (txt ? 2 : 1); pass++) {
        FILE *o = pass ? txt : fp;
        FILE *c = pass ? csv : NULL;
        fprintf(o, "pcmlab fit: %s -> %s\n", a->basis, a->out);
        fprintf(o, "  data:");
        for (int k = 0; k < a->ndata; k++)
            fprintf(o, " %s", a->data[k]);
        if (a->first)
            fprintf(o, " (the first %ld configurations)", a->first);
        if (a->weights)
            fprintf(o, " (weights of %d configurations from %s)", a->nweighted, a->weights);
        fprintf(o, "; test fraction %.3g, seed %llu\n", a->o.test_fraction, (unsigned long long)a->o.seed);
        fprintf(o, "  basis: %d functions + %d E0 (", m->ncol - m->nel, m->nel);
        for (int mu = 0; mu < m->nel; mu++)
            fprintf(o, "%s%s %d", mu ? ", " : "", m->tmpl->elements[mu], m->nspec[mu]);
        fprintf(o, "), rank %d, %ld rows; kappa %.3g, ridge %.3g, stress weight %.3g, force scale %.3g", m->rank,
                m->nrows, a->o.kappa, a->o.ridge, a->o.stress_weight, a->o.force_scale);
        for (int q = 0; q < a->o.nkw; q++)
            fprintf(o, "%s%s=%g", q ? ", " : "; kind weights ", a->o.kw_kind[q], a->o.kw_w[q]);
        fputc('\n', o);
        fprintf(o, "  fit time %.2f s; evaluation %.3f us/atom-step (energy + forces, 1 thread)\n", m->seconds,
                1e6 * spa);
        fprintf(o, "  RMSE:\n");
        const char *split[2] = {"train", "test"};
        for (int t = 0; t < 2; t++) {
            print_stats(o, c, split[t], "all", fit_errors(d, t, NULL));
            const char *seen[64];
            int ns = 0;
            for (int k = 0; k < d->n && ns < 64; k++) {
                int dup = 0;
                for (int q = 0; q < ns; q++)
                    dup |= !strcmp(seen[q], d->c[k].kind);
                if (!dup)
                    seen[ns++] = d->c[k].kind;
            }
            for (int q = 0; ns > 1 && q < ns; q++)
                print_stats(o, c, split[t], seen[q], fit_errors(d, t, seen[q]));
        }
    }
    if (a->report) {
        if (atomic_commit(&atxt, e) != 0) {
            atomic_abort(&acsv);
            return -1;
        }
        if (atomic_commit(&acsv, e) != 0)
            return -1;
        parity(d, a->report);
    }
    return 0;
}

static int committee(const fit_cli *a, const fit_basis_cfg *cfg, fit_dataset *d, pcm_err *e)
{
    for (int m = 0; m < a->committee; m++) {
        uint64_t st = a->o.seed * 1000003u + (uint64_t)m + 1;
        for (int k = 0; k < d->n; k++)   /* bootstrap resample of the training configurations */
            d->c[k].bootstrap = 0;
        int ntrain = 0;
        for (int k = 0; k < d->n; k++)
            ntrain += !d->c[k].is_test;
        for (int r = 0; r < ntrain; r++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            int pick = (int)((st >> 33) % (uint64_t)ntrain), idx = -1;
            for (int k = 0; k < d->n && pick >= 0; k++)
                if (!d->c[k].is_test && pick-- == 0)
                    idx = k;
            d->c[idx].bootstrap++;
        }
        fit_model mm;
        if (fit_run(cfg, d, &a->o, 1, &mm, e) < 0)
            return -1;
        ace_cbasis *p = fit_model_potential(&mm);
        char path[4200];
        snprintf(path, sizeof path, "%.*s.c%d.yace", (int)strlen(a->out) - 5, a->out, m);
        int rc = ace_cbasis_write_yace(p, path, e);
        ace_cbasis_free(p);
        fit_model_free(&mm);
        if (rc < 0)
            return -1;
        printf("  committee member %d -> %s\n", m, path);
    }
    for (int k = 0; k < d->n; k++)
        d->c[k].bootstrap = 1;
    return 0;
}

int cmd_fit(int argc, char **argv)
{
    fit_cli a;
    pcm_err e = {{0}};
    if (parse(argc, argv, &a, &e) < 0) {
        cli_fail(&e);
        fputs(usage, stderr);
        return 2;
    }
    if (a.bbasis) {
        if (!a.out) {
            fputs(usage, stderr);
            return 2;
        }
        ace_cbasis *b = ace_bbasis_convert(a.bbasis, &e);
        if (!b || ace_cbasis_write_yace(b, a.out, &e) < 0) {
            ace_cbasis_free(b);
            return cli_fail(&e);
        }
        int nf = 0;
        for (int mu = 0; mu < b->nelem; mu++)
            nf += b->nfunc[mu];
        printf("converted %s -> %s: %d elements, %d C-tilde functions\n", a.bbasis, a.out, b->nelem, nf);
        ace_cbasis_free(b);
        return 0;
    }
    if (!a.basis || !a.out || a.ndata == 0) {
        fputs(usage, stderr);
        return 2;
    }
    fit_basis_cfg cfg;
    fit_basis_cfg_default(&cfg);
    if (fit_basis_cfg_read(a.basis, &cfg, &e) < 0)
        return cli_fail(&e);
    /* the basis file's `fit` group, where the command line is silent */
    if (!(a.set & FS_KAPPA) && !isnan(cfg.fit_kappa)) a.o.kappa = cfg.fit_kappa;
    if (!(a.set & FS_RIDGE) && !isnan(cfg.fit_ridge)) a.o.ridge = cfg.fit_ridge;
    if (!(a.set & FS_STRESS) && !isnan(cfg.fit_stress_weight)) a.o.stress_weight = cfg.fit_stress_weight;
    if (!(a.set & FS_FSCALE) && !isnan(cfg.fit_force_scale)) a.o.force_scale = cfg.fit_force_scale;
    if (!(a.set & FS_TEST) && !isnan(cfg.fit_test_fraction)) a.o.test_fraction = cfg.fit_test_fraction;
    if (!(a.set & FS_SEED) && !isnan(cfg.fit_seed)) a.o.seed = (uint64_t)cfg.fit_seed;
    fit_dataset d = {0};
    for (int k = 0; k < a.ndata; k++)
        if (fit_dataset_read(&d, a.data[k], &e) < 0) {
            fit_dataset_free(&d);
            return cli_fail(&e);
        }
    /* an append-only data file grows; --first N pins a fit to the frames it was made from */
    if (a.first > d.n) {
        pcm_errf(&e, NULL, 0, "--first %ld: the data hold only %d configurations", a.first, d.n);
        fit_dataset_free(&d);
        return cli_fail(&e);
    }
    if (a.first > 0 && a.first < d.n) {
        int n0 = d.n;
        fit_dataset_truncate(&d, (int)a.first);
        printf("using the first %d of %d configurations (--first)\n", d.n, n0);
    }
    if (a.weights && (a.nweighted = apply_weights(&d, a.weights, &e)) < 0) {
        fit_dataset_free(&d);
        return cli_fail(&e);
    }
    fit_dataset_split(&d, a.o.test_fraction, a.o.seed);
    fit_resolve_r_in(&cfg, &d);
    fit_model m;
    int status = 0;
    if (fit_run(&cfg, &d, &a.o, 0, &m, &e) < 0) {
        fit_dataset_free(&d);
        return cli_fail(&e);
    }
    ace_cbasis *p = fit_model_potential(&m);
    double spa = 0;
    if (ace_cbasis_write_yace(p, a.out, &e) < 0 || fit_predict(a.out, &d, &spa, &e) < 0 ||
        write_report(&a, &d, &m, spa, &e) < 0 || (a.committee > 0 && committee(&a, &cfg, &d, &e) < 0))
        status = cli_fail(&e);
    ace_cbasis_free(p);
    fit_model_free(&m);
    fit_dataset_free(&d);
    return status;
}

