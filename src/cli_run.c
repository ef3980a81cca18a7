/* cli_run.c - `pcmlab run PRESET.cfg --headless [--set key=value]... [-o RUNDIR]`.
 *
 * Sets everything up first (preset, potential, structure, MD) so bad input exits
 * non-zero before any file exists; then writes into the run folder:
 *   settings.cfg   effective settings (atomic)        thermo.csv  one complete line per interval
 *   trajectory.extxyz  frames with velocities         final.extxyz  last state (atomic)
 *   summary.txt    drift, atoms lost, speed (atomic)
 * With a committee (committee = [...] in the preset, committee.h) thermo.csv gains
 * sigma_F_max,sigma_F (eV/Å) and every extxyz frame a per-atom sigma_F column.  The committee
 * costs K force evaluations, so it runs every output.xtal_every steps (the analysis interval;
 * thermo_every when that is 0) and at every trajectory frame, not every step.
 * SIGINT stops between chunks and saves the state reached.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

#include "build.h"
#include "build_phases.h"
#include "cli.h"
#include "committee.h"
#include "export.h"
#include "extxyz.h"
#include "fileio.h"
#include "gpu.h"
#include "md.h"
#include "preset.h"
#include "crystallinity.h"

/* Crystalline fraction (ten Wolde q4, supplement sec. 1) for thermo.csv; NaN on failure. */
static double run_xtal_fraction(const pcm_system *s)
{
    pcm_xtal_summary sum;
    pcm_err e;
    if (xtal_compute(s, NULL, NULL, NULL, &sum, &e) != 0)
        return NAN;
    return sum.fraction;
}

double (*pcm_run_xtal_fn)(const pcm_system *s) = run_xtal_fraction;

static volatile sig_atomic_t run_stop;
static void run_on_sigint(int sig)
{
    (void)sig;
    run_stop = 1;
}

static int usage(void)
{
    fputs("usage: pcmlab run PRESET.cfg --headless [--set key=value]... [-o RUNDIR] [--quiet]\n"
          "  keys: potential, structure.kind|cells|a|atoms|density|file|seed, md.ensemble|dt|T|tau_T|P|tau_P|seed,\n"
          "        md.init_T, protocol.scale|cycles, output.thermo_every|traj_every|xtal_every|max_steps,\n"
          "        committee (A.yace,B.yace,...), committee_warn (eV/A)\n",
          stderr);
    return 2;
}

static pcm_system *run_structure(const pcm_preset *p, int *has_v, pcm_err *e)
{
    *has_v = 0;
    const char *k = p->structure.kind;
    if (!strcmp(k, "rocksalt"))
        return build_rocksalt(p->structure.cells, p->structure.a, p->structure.vacancy_fraction,
                              (uint64_t)p->structure.seed, e);
    if (!strcmp(k, "liquid"))
        return build_liquid(p->structure.atoms, p->structure.density, p->structure.composition,
                            p->structure.min_dist, (uint64_t)p->structure.seed, e);
    if (!strcmp(k, "interface"))
        return build_interface_cube(p->structure.cells, p->structure.a, p->structure.density, p->structure.min_dist,
                                    (uint64_t)p->structure.seed, e);
    pcm_frame *fr = xyz_read_first(p->structure.file, e);
    if (!fr)
        return NULL;
    pcm_system *s = fr->sys;
    *has_v = fr->has_velocities;
    fr->sys = NULL;
    frame_free(fr);
    return s;
}

/* One extxyz frame of s with step/time info, written in one piece. */
static int run_write_frame(FILE *fp, pcm_system *s, const double *sigma, unsigned flags)
{
    pcm_frame fr = {0};
    fr.sys = s;
    if (sigma)
        frame_add_col(&fr, "sigma_F", 'R', 1, sigma);
    frame_setf(&fr, "step", "%ld", s->step);
    frame_setf(&fr, "time_ps", "%.6f", s->time * 1e-3);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int rc = mem ? xyz_write(mem, &fr, flags) : -1;
    if (mem)
        fclose(mem);
    if (rc == 0 && (fwrite(buf, 1, len, fp) != len || fflush(fp) != 0))
        rc = -1;
    free(buf);
    frame_clear_info(&fr);   /* s is borrowed */
    return rc;
}

typedef struct {
    FILE *thermo, *traj;
    double xtal;
    pcm_committee *com;       /* NULL: no committee */
    double *sig;              /* [n] sigma_F,i of the latest evaluation, eV/Å */
    committee_stats cst;      /* latest evaluation */
    long cst_step;            /* its step (-1: none yet) */
    double warn;              /* eV/Å */
    double run_max;           /* eV/Å, largest max sigma_F,i seen */
    long run_max_step, above, evals;
    double seconds;           /* committee wall time, s */
} run_out;

/* The committee on the current state (once per step); warns once when it extrapolates. */
static int run_committee(run_out *o, const pcm_system *s, int warn, pcm_err *e)
{
    if (!o->com || o->cst_step == s->step)
        return 0;
    if (committee_eval(o->com, s, o->sig, NULL, &o->cst, e) < 0)
        return -1;
    o->cst_step = s->step;
    o->evals++;
    o->seconds += o->cst.seconds;
    if (o->cst.sigma_f_max > o->run_max || o->evals == 1)
        o->run_max = o->cst.sigma_f_max, o->run_max_step = s->step;
    if (o->cst.sigma_f_max > o->warn && o->above++ == 0 && warn)
        fprintf(stderr, "pcmlab run: warning: model uncertain, extrapolating at step %ld: max sigma_F %.3f eV/A > "
                        "committee_warn %.3g eV/A\n", s->step, o->cst.sigma_f_max, o->warn);
    return 0;
}

static void run_thermo_line(run_out *o, pcm_md *md)
{
    pcm_thermo t;
    md_thermo(md, &t);
    char line[512], xs[32] = "", cs[64] = "";
    if (isfinite(o->xtal))
        snprintf(xs, sizeof xs, "%.6f", o->xtal);
    if (o->com)
        snprintf(cs, sizeof cs, ",%.6f,%.6f", o->cst.sigma_f_max, o->cst.sigma_f);
    snprintf(line, sizeof line, "%ld,%.6f,%.3f,%.8f,%.8f,%.3f,%.4f,%.6f,%s%s\n", t.step, t.time_ps, t.T, t.pe_atom,
             t.ke_atom, t.P, t.volume, t.density, xs, cs);
    fputs(line, o->thermo);   /* whole line, then flush: never half a line on disk */
    fflush(o->thermo);
}

static char *run_default_dir(const char *name)
{
    char ts[32], *d = pcm_malloc(strlen(name) + 64);
    time_t now = time(NULL);
    strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", localtime(&now));
    sprintf(d, "runs/%s-%s", name, ts);
    return d;
}

int cmd_run(int argc, char **argv)
{
    const char *cfg = NULL, *outdir = NULL;
    int headless = 0, quiet = 0;
    pcm_err e = {{0}};
    pcm_preset p;
    preset_defaults(&p);
    const char **sets = pcm_calloc((size_t)argc, sizeof *sets);
    int nset = 0;
    for (int k = 1; k < argc; k++) {
        const char *o = argv[k];
        if (!strcmp(o, "--headless")) headless = 1;
        else if (!strcmp(o, "--quiet")) quiet = 1;
        else if ((!strcmp(o, "--set") || !strcmp(o, "-o")) && k + 1 < argc) {
            if (o[1] == 'o') outdir = argv[++k];
            else sets[nset++] = argv[++k];
        } else if (o[0] == '-' || cfg) {
            fprintf(stderr, "pcmlab run: unexpected argument '%s'\n", o);
            free(sets);
            return usage();
        } else cfg = o;
    }
    if (!cfg) {
        free(sets);
        return usage();
    }
    if (!headless && !quiet)
        fputs("pcmlab run: no workbench here; running headless (use --headless to silence this note)\n", stderr);
    int rc = preset_load(&p, cfg, &e);
    for (int k = 0; rc == 0 && k < nset; k++)
        rc = preset_set(&p, sets[k], &e);
    if (rc == 0 && nset > 0)
        rc = preset_validate(&p, cfg, &e);
    free(sets);
    if (p.warnings)
        fprintf(stderr, "pcmlab: warning: %s", p.warnings);
    if (rc != 0) {
        preset_free(&p);
        return cli_fail(&e);
    }
    /* ---- setup: everything that can fail on bad input, before any file exists */
    pcm_potential *pot = NULL;
    if (strncmp(p.potential, "lj:", 3) != 0 && access(p.potential, R_OK) != 0)
        pcm_errf(&e, p.potential, 0,
                 "cannot read the potential file named by %s (%s); no GST potential ships yet: "
                 "use --set potential=FILE.yace or --set potential=lj:EPS,SIGMA,RC",
                 cfg, strerror(errno));
    else
        pot = potential_load(p.potential, &e);
    int has_v = 0;
    pcm_system *s = pot ? run_structure(&p, &has_v, &e) : NULL;
    double T0 = p.md.T;
    int done;
    if (p.protocol.nseg > 0)
        protocol_target(&p.protocol, 0.0, &T0, &done);
    pcm_md_params mp = p.md;
    mp.T = T0;
    pcm_md *md = s ? md_new(s, pot, &mp, &e) : NULL;
    if (!md) {
        system_free(s);
        potential_free(pot);
        preset_free(&p);
        return cli_fail(&e);
    }
    run_out o = {.xtal = NAN, .cst_step = -1, .warn = p.committee_warn};
    if (p.committee.k > 0) {   /* load and try it here: a bad member stops before any file exists */
        pcm_err ce = {{0}};
        o.com = committee_load_list(&p.committee, &ce);
        o.sig = pcm_calloc((size_t)s->n + 1, sizeof *o.sig);
        if (!o.com || run_committee(&o, s, 0, &ce) < 0) {
            pcm_errf(&e, cfg, p.committee_line, "committee: %s", ce.msg);
            committee_free(o.com);
            free(o.sig);
            md_free(md);
            system_free(s);
            potential_free(pot);
            preset_free(&p);
            return cli_fail(&e);
        }
        o.evals = 0, o.seconds = 0, o.above = 0, o.cst_step = -1;   /* counted again in the run */
    }
    if (gpu_requested()) { /* PCM_GPU=1: say which backend runs the steps */
        char note[320];
        gpu_notice(note, sizeof note);
        fprintf(stderr, "pcmlab: %s; %s\n", note, md_device_note(md));
    }
    if (!(has_v && p.init_T < 0.0))
        md_init_velocities(md, p.init_T >= 0.0 ? p.init_T : T0, p.md.seed ^ 0x9e3779b97f4a7c15ULL);
    long nsteps = p.output.max_steps > 0 ? p.output.max_steps
                                         : (long)ceil(protocol_duration(&p.protocol) * 1000.0 / p.md.dt - 1e-9);
    /* ---- run folder */
    char *dir = outdir ? pcm_strdup(outdir) : run_default_dir(p.name);
    char path[4096];
    int status = 0;
    if (make_dirs(dir, &e) != 0)
        goto fail_setup;
    snprintf(path, sizeof path, "%s/settings.cfg", dir);
    if (preset_write(&p, path, &e) != 0)
        goto fail_setup;
    snprintf(path, sizeof path, "%s/thermo.csv", dir);
    o.thermo = fopen(path, "w");
    snprintf(path, sizeof path, "%s/trajectory.extxyz", dir);
    o.traj = p.output.traj_every > 0 ? fopen(path, "w") : NULL;
    if (!o.thermo || (p.output.traj_every > 0 && !o.traj)) {
        pcm_errf(&e, path, 0, "cannot create the run output file");
        goto fail_setup;
    }
    fprintf(o.thermo, "step,time_ps,T,pe_atom,ke_atom,P,volume,density,crystalline_fraction%s\n",
            o.com ? ",sigma_F_max,sigma_F" : "");
    long com_every = p.output.xtal_every > 0 ? p.output.xtal_every : p.output.thermo_every;
    if (!quiet)
        fprintf(stderr, "pcmlab run: %s, %d atoms, %s, %ld steps of %g fs -> %s/\n", p.name, s->n,
                md_ensemble_name(p.md.ensemble), nsteps, p.md.dt, dir);
    if (!quiet && o.com)
        fprintf(stderr, "pcmlab run: committee of %d members, sigma_F every %ld steps and at trajectory frames\n",
                committee_size(o.com), com_every);
    /* ---- the loop */
    struct sigaction sa = {0}, old;
    sa.sa_handler = run_on_sigint;
    sigemptyset(&sa.sa_mask);
    run_stop = 0;
    sigaction(SIGINT, &sa, &old);
    int xtal_on = p.output.xtal_every > 0 && pcm_run_xtal_fn;
    if (xtal_on)
        o.xtal = pcm_run_xtal_fn(s);
    (void)run_committee(&o, s, 1, &e);   /* the same state it accepted at setup */
    run_thermo_line(&o, md);
    if (o.traj)
        run_write_frame(o.traj, s, o.com ? o.sig : NULL, XYZ_VEL);
    double c0 = md_conserved(md), t0 = cli_now();
    long done_steps = 0, step0 = s->step;
    const char *why = "completed";
    char blow[1100] = "";
    while (done_steps < nsteps && !run_stop) {
        long st = s->step - step0, chunk = 10;   /* protocol target updated every ≤ 10 steps */
        long ev[4] = {p.output.thermo_every, p.output.traj_every, xtal_on ? p.output.xtal_every : 0,
                      o.com ? com_every : 0};
        for (int k = 0; k < 4; k++)
            if (ev[k] > 0 && ev[k] - st % ev[k] < chunk)
                chunk = ev[k] - st % ev[k];
        if (chunk > nsteps - done_steps)
            chunk = nsteps - done_steps;
        if (p.protocol.nseg > 0) {
            double T;
            protocol_target(&p.protocol, s->time * 1e-3, &T, &done);
            md_set_temperature(md, T);
        }
        if (md_step(md, (int)chunk, &e) != 0) {
            snprintf(blow, sizeof blow, "%s", e.msg);
            why = "stopped: dynamics blew up";
            status = 1;
            break;
        }
        done_steps += chunk;
        st = s->step - step0;
        if (xtal_on && st % p.output.xtal_every == 0)
            o.xtal = pcm_run_xtal_fn(s);
        int frame = o.traj && st % p.output.traj_every == 0;
        if (o.com && (st % com_every == 0 || frame) && run_committee(&o, s, 1, &e) < 0) {
            snprintf(blow, sizeof blow, "%s", e.msg);
            why = "stopped: the committee failed";
            status = 1;
            break;
        }
        if (st % p.output.thermo_every == 0 || done_steps == nsteps)
            run_thermo_line(&o, md);
        if (frame)
            run_write_frame(o.traj, s, o.com ? o.sig : NULL, XYZ_VEL);
    }
    if (run_stop)
        why = "interrupted (SIGINT)";
    sigaction(SIGINT, &old, NULL);
    double wall = cli_now() - t0;
    /* ---- final state and summary */
    pcm_err we = {{0}};
    snprintf(path, sizeof path, "%s/final.extxyz", dir);
    pcm_frame ff = {0};
    ff.sys = s;
    pcm_frame *fp1 = &ff;
    if (o.com && run_committee(&o, s, 1, &we) == 0)
        frame_add_col(&ff, "sigma_F", 'R', 1, o.sig);
    if (xyz_write_file(path, &fp1, 1, XYZ_VEL | XYZ_FORCES | XYZ_ENERGIES | XYZ_ENERGY | XYZ_VIRIAL, &we) != 0)
        fprintf(stderr, "pcmlab: %s\n", we.msg), status = 1;
    frame_clear_info(&ff);   /* s is borrowed */
    double drift = (md_conserved(md) - c0) / s->n;
    char drift_s[64] = "n/a (NPT: no conserved quantity tracked)";
    if (p.md.ensemble != PCM_NPT_ISO && p.md.ensemble != PCM_NPT_Z)
        snprintf(drift_s, sizeof drift_s, "%.3e eV/atom", drift);
    double ns_day = wall > 0 ? done_steps * p.md.dt * 1e-6 / (wall / 86400.0) : 0.0;
    double us_as = done_steps > 0 ? wall * 1e6 / ((double)done_steps * s->n) : 0.0;
    int lost = 0;
    for (int i = 0; i < s->n; i++)
        lost += !(isfinite(s->x[i][0]) && isfinite(s->x[i][1]) && isfinite(s->x[i][2]));
    pcm_thermo th;
    md_thermo(md, &th);
    char sum[4096];
    int n = snprintf(sum, sizeof sum,
                     "pcmlab run summary\npreset: %s (%s)\npotential: %s\natoms: %d\nensemble: %s\n"
                     "status: %s%s%s\nsteps: %ld of %ld (dt %g fs, %.4f ps simulated)\n"
                     "%s: %s\natoms lost: %d\nfinal T: %.2f K, P: %.1f bar, density: %.4f g/cm3\n"
                     "wall time: %.3f s\nspeed: %.4g ns/day, %.4g us/atom-step\n",
                     p.name, cfg, p.potential, s->n, md_ensemble_name(p.md.ensemble), why, blow[0] ? ": " : "", blow,
                     done_steps, nsteps, p.md.dt, done_steps * p.md.dt * 1e-3,
                     p.md.ensemble == PCM_NVE ? "NVE energy drift" : "conserved-energy drift (E + thermostat work)",
                     drift_s, lost, th.T, th.P, th.density, wall, ns_day, us_as);
    if (o.com && n < (int)sizeof sum)
        n += snprintf(sum + n, sizeof sum - (size_t)n,
                      "committee: %d members, %ld evaluations, max sigma_F %.4f eV/A (step %ld), %ld above "
                      "committee_warn %.3g eV/A%s; cost %.3g us/atom/member\n",
                      committee_size(o.com), o.evals, o.run_max, o.run_max_step, o.above, o.warn,
                      o.above ? " (the model extrapolated: label such frames, pcmlab dataset sample)" : "",
                      o.evals ? o.seconds * 1e6 / ((double)o.evals * s->n * committee_size(o.com)) : 0.0);
    if (n >= (int)sizeof sum)
        n = (int)sizeof sum - 1;
    snprintf(path, sizeof path, "%s/summary.txt", dir);
    if (atomic_write_file(path, sum, (size_t)n, &we) != 0)
        fprintf(stderr, "pcmlab: %s\n", we.msg), status = 1;
    if (!quiet)
        fputs(sum, stdout);
    if (blow[0])
        fprintf(stderr, "pcmlab: %s\n", blow);
    if (o.thermo)   /* plots.png from thermo.csv (gnuplot; a run without it just has no plot) */
        fflush(o.thermo);
    char tpath[4200];
    snprintf(tpath, sizeof tpath, "%s/thermo.csv", dir);
    snprintf(path, sizeof path, "%s/plots.png", dir);
    pcm_err pe = {{0}};
    if (export_plot_thermo(tpath, path, &pe) != 0 && !quiet)
        fprintf(stderr, "pcmlab run: no plots.png: %s\n", pe.msg);
    goto cleanup;
fail_setup:
    status = cli_fail(&e);
cleanup:
    if (o.thermo)
        fclose(o.thermo);
    if (o.traj)
        fclose(o.traj);
    free(dir);
    committee_free(o.com);
    free(o.sig);
    md_free(md);
    system_free(s);
    potential_free(pot);
    preset_free(&p);
    return status;
}
