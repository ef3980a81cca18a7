/* cli_label.c - `pcmlab label`: DFT (CP2K) or teacher-potential labels, resumable.
 *
 *   pcmlab label CONFIGS.extxyz... -o OUT.extxyz [--settings presets/dft/NAME.cfg]
 *                [--workdir DIR] [--np N] [--cp2k EXE] [--failures F] [--max N]
 *   pcmlab label --teacher POT CONFIGS.extxyz... -o OUT.extxyz
 *   pcmlab label --report LABELLED.extxyz...
 *
 * Safety: every finished label rewrites OUT as old content + the new frame through a
 * temporary file and a rename, so OUT only ever holds complete frames; failures go the
 * same way to OUT.failed.tsv.  A rerun skips configurations whose config_id is already
 * in OUT or in the failures file, so a killed run loses at most the one in progress.
 * A lock file (OUT.lock, flock) keeps two labellers off the same output.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "cli.h"
#include "dft_cp2k.h"
#include "extxyz.h"
#include "fileio.h"
#include "label_report.h"
#include "potential.h"

typedef struct idset {
    int n, cap;
    char **ids;
} idset;

static int idset_has(const idset *s, const char *id)
{
    for (int k = 0; k < s->n; k++)
        if (!strcmp(s->ids[k], id))
            return 1;
    return 0;
}

static void idset_add(idset *s, const char *id)
{
    if (s->n == s->cap)
        s->ids = pcm_realloc(s->ids, (size_t)(s->cap = s->cap ? 2 * s->cap : 64) * sizeof *s->ids);
    s->ids[s->n++] = pcm_strdup(id);
}

static void idset_free(idset *s)
{
    for (int k = 0; k < s->n; k++)
        free(s->ids[k]);
    free(s->ids);
}

/* Configuration id: the frame's config_id info key, else a hash of its content. */
static void config_id(const pcm_frame *fr, char *out, size_t n)
{
    const char *id = frame_get(fr, "config_id");
    if (id) {
        snprintf(out, n, "%s", id);
        return;
    }
    uint64_t h = 1469598103934665603ULL;
    char buf[128];
    const pcm_system *s = fr->sys;
    for (int i = -3; i < s->n; i++) {
        int len = i < 0 ? snprintf(buf, sizeof buf, "%.6f %.6f %.6f", s->cell.h[i + 3][0], s->cell.h[i + 3][1],
                                   s->cell.h[i + 3][2])
                        : snprintf(buf, sizeof buf, "%s %.6f %.6f %.6f", s->species[s->type[i]], s->x[i][0],
                                   s->x[i][1], s->x[i][2]);
        for (int k = 0; k < len; k++)
            h = (h ^ (unsigned char)buf[k]) * 1099511628211ULL;
    }
    snprintf(out, n, "h%016llx", (unsigned long long)h);
}

typedef struct label_ctx {
    const char *out, *failures, *workdir;
    char *out_buf, *fail_buf;          /* current contents of OUT and the failures file */
    size_t out_len, fail_len;
    dft_settings set;
    pcm_potential *teacher;
    const char *teacher_spec;
} label_ctx;

/* Replace path by buf + add (temp + rename); buf grows by add on success. */
static int append_atomic(const char *path, char **buf, size_t *len, const char *add, size_t addlen, pcm_err *e)
{
    pcm_afile af = {0};
    if (atomic_open(&af, path, e) != 0)
        return -1;
    if ((*len && fwrite(*buf, 1, *len, af.fp) != *len) || fwrite(add, 1, addlen, af.fp) != addlen) {
        atomic_abort(&af);
        return pcm_errf(e, path, 0, "write failed: %s", strerror(errno));
    }
    if (atomic_commit(&af, e) != 0)
        return -1;
    *buf = pcm_realloc(*buf, *len + addlen + 1);
    memcpy(*buf + *len, add, addlen);
    *len += addlen;
    (*buf)[*len] = '\0';
    return 0;
}

static int record_frame(label_ctx *c, const pcm_frame *fr, pcm_err *e)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&text, &len);
    if (!mf)
        pcm_fatal("open_memstream failed");
    xyz_write(mf, fr, XYZ_FORCES | XYZ_ENERGY | XYZ_VIRIAL);
    fclose(mf);
    int rc = append_atomic(c->out, &c->out_buf, &c->out_len, text, len, e);
    free(text);
    return rc;
}

static int record_failure(label_ctx *c, const char *id, const pcm_frame *fr, const char *reason, pcm_err *e)
{
    char line[1024];
    const char *kind = frame_get(fr, "kind"), *src = frame_get(fr, "source");
    int n = snprintf(line, sizeof line, "%s\t%s\t%s\t%s\n", id, kind ? kind : "-", src ? src : "-", reason);
    if (n >= (int)sizeof line)
        n = (int)sizeof line - 1, line[n - 1] = '\n';
    return append_atomic(c->failures, &c->fail_buf, &c->fail_len, line, (size_t)n, e);
}

static void set_dft_info(pcm_frame *fr, const dft_settings *s, const char *version)
{
    frame_set(fr, "label_method", "dft");
    frame_set(fr, "dft_code", version[0] ? version : "CP2K");
    frame_set(fr, "dft_settings", s->name);
    frame_set(fr, "dft_functional", s->functional);
    frame_set(fr, "dft_dispersion", s->dispersion);
    char bs[256] = "";
    for (int t = 0; t < fr->sys->nspecies; t++) {
        size_t l = strlen(bs);
        const char *b = dft_basis_for(s, fr->sys->species[t]);
        if (s->nbases)
            snprintf(bs + l, sizeof bs - l, "%s%s:%s", t ? " " : "", fr->sys->species[t], b);
        else if (t == 0)
            snprintf(bs, sizeof bs, "%s", b);
    }
    frame_set(fr, "dft_basis", bs);
    char pp[256] = "";
    for (int t = 0; t < fr->sys->nspecies; t++) {
        size_t l = strlen(pp);
        snprintf(pp + l, sizeof pp - l, "%s%s:%s", t ? " " : "", fr->sys->species[t],
                 dft_pseudo_for(s, fr->sys->species[t]));
    }
    frame_set(fr, "dft_pseudopotentials", pp);
    frame_setf(fr, "dft_cutoff_Ry", "%g", s->cutoff);
    frame_setf(fr, "dft_rel_cutoff_Ry", "%g", s->rel_cutoff);
    frame_setf(fr, "dft_smearing_K", "%g", s->smear_t);
    frame_setf(fr, "dft_kpoints", "%d %d %d", s->kpoints[0], s->kpoints[1], s->kpoints[2]);
    frame_set(fr, "energy_kind", "free_energy");
}

/* DFT label of fr in place.  Returns 1 labelled, 0 failed (reason set), -1 fatal (e set). */
static int label_dft(label_ctx *c, pcm_frame *fr, const char *id, char *reason, size_t rn, pcm_err *e)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/%s", c->workdir, id);
    if (make_dirs(dir, e) != 0)
        return -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        snprintf(path, sizeof path, "%s/cp2k.inp", dir);
        if (dft_write_input(&c->set, fr->sys, attempt, path, e) != 0)
            return -1;
        snprintf(path, sizeof path, "%s/cp2k.out", dir);
        unlink(path);
        int st = dft_run_cp2k(&c->set, dir, e);
        if (st < 0)
            return -1;
        if (st > 128)
            return pcm_errf(e, dir, 0, "cp2k was killed by signal %d; stopping (nothing recorded)", st - 128);
        pcm_err pe = {{0}};
        char *text = read_file(path, NULL, &pe);
        dft_result r = {0};
        if (text)
            dft_parse_output(text, &r, &pe);
        free(text);
        /* CP2K stopped before any SCF verdict: a broken setup (executable, data files,
         * settings), not a property of this configuration.  Stop instead of marking the
         * whole queue as failed. */
        if (st != 0 && !r.converged && !r.not_converged) {
            dft_result_free(&r);
            return pcm_errf(e, path, 0, "cp2k exited with status %d before an SCF result; nothing recorded "
                            "(check this output and cp2k.stdout)", st);
        }
        int ok = dft_result_apply(&r, fr->sys, &pe) == 0;
        if (ok) {
            fr->has_energy = fr->has_forces = fr->has_virial = 1;
            set_dft_info(fr, &c->set, r.version);
            frame_setf(fr, "dft_scf_steps", "%d", r.scf_steps);
            frame_setf(fr, "dft_attempt", "%d", attempt);
        } else {
            size_t l = strlen(reason);
            snprintf(reason + l, rn - l, "%sattempt %d: cp2k exit %d: %s", l ? "; " : "", attempt, st, pe.msg);
        }
        dft_result_free(&r);
        if (ok)
            return 1;
        /* keep the first attempt's output next to the retry's for the record */
        char keep[4300];
        snprintf(keep, sizeof keep, "%s/cp2k.attempt%d.out", dir, attempt);
        rename(path, keep);
    }
    return 0;
}

static int label_teacher(label_ctx *c, pcm_frame *fr, char *reason, size_t rn)
{
    pcm_err pe = {{0}};
    if (potential_eval_once(c->teacher, fr->sys, &pe) != 0) {
        snprintf(reason, rn, "teacher: %s", pe.msg);
        return 0;
    }
    fr->has_energy = fr->has_forces = fr->has_virial = 1;
    frame_set(fr, "label_method", "teacher");
    frame_set(fr, "teacher", c->teacher_spec);
    return 1;
}

/* Load the ids already in OUT (complete frames) and in the failures file. */
static int load_state(label_ctx *c, idset *done, idset *failed, pcm_err *e)
{
    struct stat st;
    if (stat(c->out, &st) == 0) {
        if (!(c->out_buf = read_file(c->out, &c->out_len, e)))
            return -1;
        pcm_xyz_reader *r = xyz_open(c->out, e);
        if (!r)
            return -1;
        pcm_frame *fr = frame_new();
        int rc, nfr = 0;
        char id[128];
        while ((rc = xyz_read(r, fr, e)) == 1) {
            config_id(fr, id, sizeof id);
            nfr++;
            /* A rerun only resumes the same labelling: skipping ids labelled by another
             * teacher (or by DFT) would leave OUT a silent mixture of two label sources. */
            const char *m = frame_get(fr, "label_method"), *t = frame_get(fr, "teacher");
            const char *want = c->teacher ? "teacher" : "dft";
            int same = m ? strcmp(m, want) == 0 && (!c->teacher || (t && strcmp(t, c->teacher_spec) == 0))
                         : !c->teacher;   /* frames without label_method: DFT labels of old files */
            if (!same) {
                char have[300];
                if (m && strcmp(m, "teacher") == 0)
                    snprintf(have, sizeof have, "teacher '%s'", t ? t : "?");
                else
                    snprintf(have, sizeof have, "%s", m ? m : "DFT");
                rc = pcm_errf(e, c->out, 0,
                              "frame %d (config_id %s) was labelled by %s, this run labels with %s%s%s; "
                              "refusing to resume into a mixture: choose another -o or remove the file",
                              nfr, id, have, c->teacher ? "teacher '" : "DFT",
                              c->teacher ? c->teacher_spec : "", c->teacher ? "'" : "");
                break;
            }
            idset_add(done, id);
        }
        frame_free(fr);
        xyz_close(r);
        if (rc < 0)
            return -1;
    }
    if (stat(c->failures, &st) == 0) {
        if (!(c->fail_buf = read_file(c->failures, &c->fail_len, e)))
            return -1;
        for (char *p = c->fail_buf; *p;) {
            size_t n = strcspn(p, "\t\n");
            char id[128];
            snprintf(id, sizeof id, "%.*s", (int)(n < 127 ? n : 127), p);
            if (n)
                idset_add(failed, id);
            p = strchr(p, '\n');
            if (!p)
                break;
            p++;
        }
    }
    return 0;
}

/* `nice -n 19 pcmlab label ...` started from its own session (setsid, nohup from another
 * shell) lands in its own scheduler autogroup on Linux, where nice only ranks processes
 * inside the group: measured here, a nice-19 CP2K took 65 % of two cores from a nice-0 MD
 * run in another session.  Carry the nice value into the autogroup so that it counts. */
static void carry_nice_to_autogroup(void)
{
#ifdef __linux__
    errno = 0;
    int ni = getpriority(PRIO_PROCESS, 0);
    if (errno || ni <= 0)
        return;
    FILE *f = fopen("/proc/self/autogroup", "w");
    if (!f)
        return;
    fprintf(f, "%d\n", ni);
    fclose(f);
#endif
}

static int usage(void)
{
    fputs("usage: pcmlab label CONFIGS.extxyz... -o OUT.extxyz [--settings presets/dft/NAME.cfg]\n"
          "                    [--workdir DIR] [--np N] [--cp2k EXE] [--failures FILE] [--max N]\n"
          "       pcmlab label --teacher POT CONFIGS.extxyz... -o OUT.extxyz\n"
          "       pcmlab label --report LABELLED.extxyz...\n"
          "       pcmlab label --compare REF.extxyz LABELLED.extxyz [--pairs] [--kinds K1,K2]\n"
          "            (per-frame dE, dF, dP; --pairs: force residual by element pair and distance)\n"
          "CP2K executable: --cp2k, else $PCMLAB_CP2K, else the settings file (cp2k.psmp).\n",
          stderr);
    return 2;
}

typedef struct queue_item {
    pcm_frame *fr;
    char id[128];
} queue_item;

static int read_queue(char **inputs, int nin, queue_item **q, int *nq, pcm_err *e)
{
    int cap = 0;
    *q = NULL;
    *nq = 0;
    idset seen = {0};
    for (int k = 0; k < nin; k++) {
        pcm_xyz_reader *r = xyz_open(inputs[k], e);
        if (!r) {
            idset_free(&seen);
            return -1;
        }
        for (;;) {
            pcm_frame *fr = frame_new();
            int rc = xyz_read(r, fr, e);
            if (rc != 1) {
                frame_free(fr);
                if (rc < 0) {
                    xyz_close(r);
                    idset_free(&seen);
                    return -1;
                }
                break;
            }
            char id[128];
            config_id(fr, id, sizeof id);
            if (idset_has(&seen, id)) {
                frame_free(fr);
                continue;
            }
            idset_add(&seen, id);
            if (!frame_get(fr, "config_id"))
                frame_set(fr, "config_id", id);
            if (*nq == cap)
                *q = pcm_realloc(*q, (size_t)(cap = cap ? 2 * cap : 64) * sizeof **q);
            (*q)[*nq].fr = fr;
            snprintf((*q)[*nq].id, sizeof (*q)[*nq].id, "%s", id);
            (*nq)++;
        }
        xyz_close(r);
    }
    idset_free(&seen);
    return 0;
}

static int run_labels(label_ctx *c, queue_item *q, int nq, long max, pcm_err *e)
{
    idset done = {0}, failed = {0};
    int status = 0;
    if (load_state(c, &done, &failed, e) != 0) {
        idset_free(&done);
        idset_free(&failed);
        return -1;
    }
    int remaining = 0;
    for (int k = 0; k < nq; k++)
        if (!idset_has(&done, q[k].id) && !idset_has(&failed, q[k].id))
            remaining++;
    int ndone = 0, nfail = 0, nnew = 0;
    for (int k = 0; k < nq; k++)
        ndone += idset_has(&done, q[k].id), nfail += idset_has(&failed, q[k].id);
    printf("label: %d configurations, %d already labelled, %d failed before, %d to do -> %s\n", nq, ndone, nfail,
           remaining, c->out);
    char kmsg[300];
    for (int k = 0; k < nq && !c->teacher; k++)   /* one warning, for the first small cell */
        if (!idset_has(&done, q[k].id) && dft_kpoint_warning(&c->set, q[k].fr->sys, kmsg, sizeof kmsg)) {
            fprintf(stderr, "pcmlab label: warning: %s\n", kmsg);
            break;
        }
    fflush(stdout);
    double tsum = 0.0;
    for (int k = 0; k < nq && (max <= 0 || nnew < max); k++) {
        if (idset_has(&done, q[k].id) || idset_has(&failed, q[k].id))
            continue;
        pcm_frame *fr = q[k].fr;
        char reason[1200] = "";
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc;
        pcm_err ve = {{0}};
        if (system_validate(fr->sys, 1.0, q[k].id, &ve) != 0) {
            snprintf(reason, sizeof reason, "invalid configuration: %s", ve.msg);
            rc = 0;
        } else
            rc = c->teacher ? label_teacher(c, fr, reason, sizeof reason)
                            : label_dft(c, fr, q[k].id, reason, sizeof reason, e);
        if (rc < 0) {
            status = -1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double dt = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        if (rc == 1) {
            frame_setf(fr, "wall_time_s", "%.1f", dt);
            if (record_frame(c, fr, e) != 0) {
                status = -1;
                break;
            }
            idset_add(&done, q[k].id);
            ndone++;
        } else {
            if (record_failure(c, q[k].id, fr, reason, e) != 0) {
                status = -1;
                break;
            }
            idset_add(&failed, q[k].id);
            nfail++;
            printf("label: %s FAILED: %s\n", q[k].id, reason);
        }
        nnew++;
        remaining--;
        tsum += dt;
        const char *kind = frame_get(fr, "kind");
        printf("label: done %d, failed %d, remaining %d | %s (%s, %d atoms) %.1f s, mean %.1f s/label, eta %.0f min\n",
               ndone, nfail, remaining, q[k].id, kind ? kind : "-", fr->sys->n, dt, tsum / nnew,
               remaining * tsum / nnew / 60.0);
        fflush(stdout);
    }
    idset_free(&done);
    idset_free(&failed);
    return status;
}

int cmd_label(int argc, char **argv)
{
    const char *out = NULL, *settings = NULL, *workdir = NULL, *cp2k = NULL, *teacher = NULL, *failures = NULL,
               *compare = NULL;
    const char *kinds = NULL;
    int report = 0, pairs = 0, nin = 0;
    long np = 0, max = 0;
    char **inputs = pcm_calloc((size_t)argc, sizeof *inputs);
    pcm_err e = {{0}};
    for (int k = 1; k < argc; k++) {
        const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        int rc = 0, takes = 1;
        if (!strcmp(o, "--report")) {
            report = 1;
            takes = 0;
        } else if (!strcmp(o, "--pairs")) {
            pairs = 1;
            takes = 0;
        } else if (o[0] != '-') {
            inputs[nin++] = argv[k];
            takes = 0;
        } else if (!v) {
            fprintf(stderr, "pcmlab label: %s needs a value\n", o);
            free(inputs);
            return usage();
        } else if (!strcmp(o, "-o") || !strcmp(o, "--output")) out = v;
        else if (!strcmp(o, "--settings")) settings = v;
        else if (!strcmp(o, "--workdir")) workdir = v;
        else if (!strcmp(o, "--cp2k")) cp2k = v;
        else if (!strcmp(o, "--teacher")) teacher = v;
        else if (!strcmp(o, "--failures")) failures = v;
        else if (!strcmp(o, "--compare")) compare = v;
        else if (!strcmp(o, "--kinds")) kinds = v;
        else if (!strcmp(o, "--np")) rc = cli_int(o, v, &np, &e);
        else if (!strcmp(o, "--max")) rc = cli_int(o, v, &max, &e);
        else {
            fprintf(stderr, "pcmlab label: unknown option '%s'\n", o);
            free(inputs);
            return usage();
        }
        if (rc) {
            free(inputs);
            return cli_fail(&e);
        }
        k += takes;
    }
    if ((pairs || kinds) && !compare) {
        fprintf(stderr, "pcmlab label: --pairs and --kinds go with --compare\n");
        free(inputs);
        return usage();
    }
    if (compare) {
        int rc = nin == 1 ? label_compare(stdout, inputs[0], compare, pairs, kinds, &e) : (usage(), 2);
        free(inputs);
        return rc < 0 ? cli_fail(&e) : rc;
    }
    if (report) {
        int rc = nin ? label_report(stdout, (const char *const *)inputs, nin, &e) : (usage(), 2);
        free(inputs);
        return rc < 0 ? cli_fail(&e) : rc;
    }
    if (!out || nin == 0) {
        free(inputs);
        return usage();
    }
    label_ctx c = {0};
    dft_settings_default(&c.set);
    int status = 0;
    if (settings && dft_settings_load(&c.set, settings, &e) != 0) {
        free(inputs);
        return cli_fail(&e);
    }
    if (np > 0) {   /* --np N: N MPI ranks with one OpenMP thread each (N = 1 keeps the preset's threads) */
        c.set.np = (int)np;
        if (np > 1)
            c.set.omp_threads = 1;
    }
    if (!cp2k)
        cp2k = getenv("PCMLAB_CP2K");
    if (cp2k && *cp2k)
        snprintf(c.set.cp2k, sizeof c.set.cp2k, "%s", cp2k);
    if (teacher) {
        if (!(c.teacher = potential_load(teacher, &e))) {
            free(inputs);
            return cli_fail(&e);
        }
        c.teacher_spec = teacher;
    }
    char wd[4096], fl[4096], lk[4096];
    snprintf(wd, sizeof wd, "%s.work", out);
    snprintf(fl, sizeof fl, "%s.failed.tsv", out);
    snprintf(lk, sizeof lk, "%s.lock", out);
    c.out = out;
    c.workdir = workdir ? workdir : wd;
    c.failures = failures ? failures : fl;
    /* absolute work dir: cp2k runs with its directory as cwd */
    char absdir[4096];
    if (c.workdir[0] != '/' && getcwd(absdir, sizeof absdir - strlen(c.workdir) - 2)) {
        size_t l = strlen(absdir);
        snprintf(absdir + l, sizeof absdir - l, "/%s", c.workdir);
        c.workdir = absdir;
    }
    int lockfd = open(lk, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
        pcm_errf(&e, lk, 0, "another labeller is using this output (or the lock cannot be taken)");
        status = -1;
    }
    queue_item *q = NULL;
    int nq = 0;
    if (status == 0 && read_queue(inputs, nin, &q, &nq, &e) != 0)
        status = -1;
    if (status == 0) {
        if (!c.teacher)
            carry_nice_to_autogroup();
        status = run_labels(&c, q, nq, max, &e);
    }
    for (int k = 0; k < nq; k++)
        frame_free(q[k].fr);
    free(q);
    free(c.out_buf);
    free(c.fail_buf);
    if (c.teacher)
        potential_free(c.teacher);
    if (lockfd >= 0)
        close(lockfd);
    free(inputs);
    return status ? cli_fail(&e) : 0;
}
