/* cli_analyze.c - `pcmlab analyze KIND CONFIG [-o OUT] [options]`: structural analysis
 * of one or more extxyz frames (averaged over frames): crystallinity (per-atom
 * flags written as extra columns), rdf, coordination, angles, sq (CSV), msd. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <omp.h>

#include "cli.h"
#include "crystallinity.h"
#include "extxyz.h"
#include "fileio.h"
#include "rdf.h"
#include "sq.h"
#include "structure.h"
#include "transport.h"

static int usage(void)
{
    fputs("usage: pcmlab analyze crystallinity CONFIG [-o OUT.extxyz] [--rcut 3.6] [--xi 0.75] [--nxtal 2]\n"
          "                                   [--profile NSLABS [--axis x|y|z]] [--histograms] [--repeat N]\n"
          "       pcmlab analyze rdf CONFIG [-o rdf.csv] [--rmax 10] [--dr 0.02]\n"
          "       pcmlab analyze coordination CONFIG [-o coord.csv] [--cutoff 3.15]\n"
          "       pcmlab analyze angles CONFIG [-o angles.csv] [--cutoff 3.15] [--bin 1] [--triplet Te-Ge-Te]...\n"
          "       pcmlab analyze sq CONFIG [-o sq.csv] [--qmax 8] [--dq 2pi/L] [--max-per-bin 0=all] [--seed 1]\n"
          "       pcmlab analyze msd TRAJ [-o msd.csv] [--dt FS] [--fit-from FS]\n"
          "CONFIG may hold several frames: results are averaged over them.\n",
          stderr);
    return 2;
}

typedef struct {
    const char *kind, *in, *out;
    double rcut, xi, rmax, dr, cutoff, bin, qmax, dq, dt, fit_from;
    long nxtal, max_per_bin, seed, profile, repeat;
    int axis, histograms;
    int ntrip;
    const char *trip[16];
} opts;

/* options each kind accepts (besides -o) */
static const struct {
    const char *kind, *allowed;
} kinds[] = {
    {"crystallinity", " --rcut --xi --nxtal --profile --axis --repeat --histograms "},
    {"rdf", " --rmax --dr "},
    {"coordination", " --cutoff "},
    {"angles", " --cutoff --bin --triplet "},
    {"sq", " --qmax --dq --max-per-bin --seed "},
    {"msd", " --dt --fit-from "},
};

static int parse(int argc, char **argv, opts *o, pcm_err *e)
{
    *o = (opts){.rcut = XTAL_RCUT, .xi = XTAL_XI, .nxtal = XTAL_NXTAL, .rmax = 10.0, .dr = 0.02,
                .cutoff = STRUCT_RC_GST, .bin = 1.0, .qmax = 8.0, .max_per_bin = 0, .seed = 1,
                .fit_from = -1.0, .axis = 2};
    o->kind = argv[1];
    const char *allowed = NULL;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (!strcmp(kinds[k].kind, o->kind))
            allowed = kinds[k].allowed;
    if (!allowed) {
        fprintf(stderr, "pcmlab analyze: unknown analysis '%s'\n", o->kind);
        return 2;
    }
    for (int k = 2; k < argc; k++) {
        const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (a[0] != '-' || !a[1]) {
            if (o->in) {
                fprintf(stderr, "pcmlab analyze: more than one input file ('%s')\n", a);
                return 2;
            }
            o->in = a;
            continue;
        }
        char key[64];
        snprintf(key, sizeof key, " %s ", a);
        if (strcmp(a, "-o") && strcmp(a, "--output") && !strstr(allowed, key)) {
            fprintf(stderr, "pcmlab analyze %s: unknown option '%s'\n", o->kind, a);
            return 2;
        }
        if (!strcmp(a, "--histograms")) {
            o->histograms = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "pcmlab analyze: %s needs a value\n", a);
            return 2;
        }
        int rc = 0;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) o->out = v;
        else if (!strcmp(a, "--rcut")) rc = cli_double(a, v, &o->rcut, e);
        else if (!strcmp(a, "--xi")) rc = cli_double(a, v, &o->xi, e);
        else if (!strcmp(a, "--nxtal")) rc = cli_int(a, v, &o->nxtal, e);
        else if (!strcmp(a, "--rmax")) rc = cli_double(a, v, &o->rmax, e);
        else if (!strcmp(a, "--dr")) rc = cli_double(a, v, &o->dr, e);
        else if (!strcmp(a, "--cutoff")) rc = cli_double(a, v, &o->cutoff, e);
        else if (!strcmp(a, "--bin")) rc = cli_double(a, v, &o->bin, e);
        else if (!strcmp(a, "--qmax")) rc = cli_double(a, v, &o->qmax, e);
        else if (!strcmp(a, "--dq")) rc = cli_double(a, v, &o->dq, e);
        else if (!strcmp(a, "--max-per-bin")) rc = cli_int(a, v, &o->max_per_bin, e);
        else if (!strcmp(a, "--seed")) rc = cli_int(a, v, &o->seed, e);
        else if (!strcmp(a, "--dt")) rc = cli_double(a, v, &o->dt, e);
        else if (!strcmp(a, "--fit-from")) rc = cli_double(a, v, &o->fit_from, e);
        else if (!strcmp(a, "--profile")) rc = cli_int(a, v, &o->profile, e);
        else if (!strcmp(a, "--repeat")) rc = cli_int(a, v, &o->repeat, e);
        else if (!strcmp(a, "--axis")) {
            if (strlen(v) != 1 || !strchr("xyz", v[0]))
                return pcm_errf(e, NULL, 0, "--axis expects x, y or z, got '%s'", v), 1;
            o->axis = v[0] - 'x';
        }
        else if (!strcmp(a, "--triplet")) {
            if (o->ntrip >= 16)
                return pcm_errf(e, NULL, 0, "at most 16 --triplet options"), 1;
            o->trip[o->ntrip++] = v;
        }
        if (rc)
            return 1;
        k++;
    }
    if (!o->in) {
        fprintf(stderr, "pcmlab analyze %s: missing input file\n", o->kind);
        return 2;
    }
    if (o->nxtal < 0 || o->nxtal > 100 || o->max_per_bin < 0 || o->max_per_bin > 1000000 || o->profile < 0 ||
        o->profile > 10000 || o->repeat < 0 || o->repeat > 100000) {
        pcm_errf(e, NULL, 0, "--nxtal must be in 0..100, --max-per-bin in 0..10^6 and --profile in 0..10^4");
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ crystallinity */

static unsigned frame_flags(const pcm_frame *fr)
{
    return (fr->has_velocities ? XYZ_VEL : 0) | (fr->has_forces ? XYZ_FORCES : 0) |
           (fr->has_energies ? XYZ_ENERGIES : 0) | (fr->has_energy ? XYZ_ENERGY : 0) |
           (fr->has_virial ? XYZ_VIRIAL : 0);
}

typedef struct {
    pcm_xtal_params par;
    pcm_afile af;
    int writing;
    double sum_frac, sum_q4, sum_q6;
    long sum_cryst, sum_n;
    pcm_xtal_summary last;
    int nprof, axis, histograms;
    long repeat;
    long dot_hist[XTAL_DOT_BINS];
    long conn_hist[33];  /* atoms by connections, last bin >= 32 */
    double *prof_sum;   /* [nprof] Σ_frames slab fractions */
    double len_sum;     /* Σ_frames |h_axis|, Å */
} xtal_state;

static void frame_line(const pcm_xtal_summary *s, int iframe)
{
    printf("frame %d: %.2f %% crystalline (%d of %d)  Q4 = %.4f  Q6 = %.4f\n", iframe, 100.0 * s->fraction, s->ncryst,
           s->n, s->Q4, s->Q6);
}

/* --repeat: time more calls of the same computation (the bench uses it) */
static int xtal_time(const xtal_state *st, const pcm_system *s, pcm_xtal_atoms at, int iframe, pcm_err *e)
{
    pcm_xtal_summary sum;
    struct timespec t0, t1;
    int rc = 0;
    at.dot_hist = NULL; /* repeats must not count twice */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long k = 0; k < st->repeat && rc == 0; k++)
        rc = xtal_compute_ex(s, NULL, &st->par, &at, &sum, e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6) / st->repeat;
    printf("frame %d: xtal_compute %.3f ms per call (%d atoms, %.3f us/atom, %d threads, %ld calls, "
           "neighbour list included)\n",
           iframe, ms, s->n, 1e3 * ms / s->n, omp_get_max_threads(), st->repeat);
    return rc;
}

static void xtal_slabs(xtal_state *st, const pcm_system *s, const unsigned char *fl, int iframe)
{
    double *pf = pcm_malloc((size_t)st->nprof * sizeof *pf), pos[16];
    xtal_profile(s, fl, st->axis, st->nprof, pf, NULL);
    const double *h = s->cell.h[st->axis];
    double len = sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]);
    int ncross = xtal_profile_crossings(pf, st->nprof, pos, 16);
    printf("frame %d: %d crystal/non-crystal interface(s) along %c:", iframe, ncross, 'x' + st->axis);
    for (int k = 0; k < ncross; k++)
        printf(" %.2f", pos[k] * len);
    puts(ncross ? " A" : "");
    for (int b = 0; b < st->nprof; b++)
        st->prof_sum[b] += pf[b];
    st->len_sum += len;
    free(pf);
}

static int xtal_write(xtal_state *st, pcm_frame *fr, const pcm_xtal_atoms *at, const pcm_xtal_summary *sum,
                      pcm_err *e)
{
    int n = fr->sys->n;
    double *col = pcm_malloc((size_t)n * sizeof *col);
    for (int i = 0; i < n; i++)
        col[i] = at->flags[i];
    frame_add_col(fr, "crystalline", 'I', 1, col);
    for (int i = 0; i < n; i++)
        col[i] = at->nconn[i];
    frame_add_col(fr, "q4_connections", 'I', 1, col);
    free(col);
    frame_add_col(fr, "q4dot", 'R', 1, at->q4dot);
    frame_add_col(fr, "q4", 'R', 1, at->q4l);
    frame_add_col(fr, "q6", 'R', 1, at->q6l);
    frame_setf(fr, "crystalline_fraction", "%.6f", sum->fraction);
    frame_setf(fr, "Q4", "%.6f", sum->Q4);
    frame_setf(fr, "Q6", "%.6f", sum->Q6);
    if (xyz_write(st->af.fp, fr, frame_flags(fr)) != 0)
        return pcm_errf(e, st->af.path, 0, "write failed");
    return 0;
}

static int xtal_frame(xtal_state *st, pcm_frame *fr, int iframe, pcm_err *e)
{
    const pcm_system *s = fr->sys;
    int n = s->n;
    pcm_xtal_atoms at = {.flags = pcm_malloc((size_t)n),
                         .nconn = pcm_malloc((size_t)n * sizeof(int)),
                         .q4dot = pcm_malloc((size_t)n * sizeof(double)),
                         .q4l = pcm_malloc((size_t)n * sizeof(double)),
                         .q6l = pcm_malloc((size_t)n * sizeof(double)),
                         .dot_hist = st->histograms ? st->dot_hist : NULL};
    pcm_xtal_summary sum;
    int rc = xtal_compute_ex(s, NULL, &st->par, &at, &sum, e);
    if (rc == 0) {
        /* per-frame lines only for several frames: frame 1's waits for frame 2 */
        if (iframe == 2)
            frame_line(&st->last, 1);
        if (iframe >= 2)
            frame_line(&sum, iframe);
        st->sum_frac += sum.fraction, st->sum_q4 += sum.Q4, st->sum_q6 += sum.Q6;
        st->sum_cryst += sum.ncryst, st->sum_n += sum.n;
        st->last = sum;
        for (int i = 0; i < n && st->histograms; i++)
            st->conn_hist[at.nconn[i] < 32 ? at.nconn[i] : 32]++;
        if (st->repeat > 0)
            rc = xtal_time(st, s, at, iframe, e);
        if (rc == 0 && st->nprof > 0)
            xtal_slabs(st, s, at.flags, iframe);
        if (rc == 0 && st->writing)
            rc = xtal_write(st, fr, &at, &sum, e);
    }
    free(at.flags), free(at.nconn), free(at.q4dot), free(at.q4l), free(at.q6l);
    return rc;
}

static void xtal_report(const xtal_state *st, int nframes)
{
    const pcm_xtal_params *p = &st->par;
    if (nframes == 1) {
        const pcm_xtal_summary *s = &st->last;
        printf("crystalline: %.2f %% (%d of %d atoms; %d before removing lone atoms)\n", 100.0 * s->fraction,
               s->ncryst, s->n, s->ncryst_raw);
        printf("Q4 = %.4f\nQ6 = %.4f\n", s->Q4, s->Q6);
        printf("neighbours within %.2f A: %.3f per atom, %d atoms without any\n", p->rcut, s->mean_nn, s->nisolated);
    } else {
        printf("crystalline: %.2f %% (mean over %d frames; %ld of %ld atom-frames)\n", 100.0 * st->sum_frac / nframes,
               nframes, st->sum_cryst, st->sum_n);
        printf("Q4 = %.4f\nQ6 = %.4f\n", st->sum_q4 / nframes, st->sum_q6 / nframes);
    }
    printf("(r_c = %.2f A, xi = %.2f, more than %d connections, lone atoms removed)\n", p->rcut, p->xi, p->nxtal);
    if (st->histograms) {
        long td = 0, tc = 0;
        for (int b = 0; b < XTAL_DOT_BINS; b++)
            td += st->dot_hist[b];
        for (int b = 0; b <= 32; b++)
            tc += st->conn_hist[b];
        printf("Re(q4(i).q4(j)) over %ld neighbour pairs (supplement Fig. S2a): bin centre, fraction\n", td);
        for (int b = 0; b < XTAL_DOT_BINS; b++)
            printf("  %6.3f  %.4f\n", -1.0 + (b + 0.5) * 2.0 / XTAL_DOT_BINS, td ? (double)st->dot_hist[b] / td : 0.0);
        printf("connections per atom (Fig. S2b): count, fraction of atoms\n");
        int last = 0;
        for (int b = 0; b <= 32; b++)
            if (st->conn_hist[b])
                last = b;
        for (int b = 0; b <= last; b++)
            printf("  %2d%s  %.4f\n", b, b == 32 ? "+" : "", tc ? (double)st->conn_hist[b] / tc : 0.0);
    }
    if (st->nprof > 0) {
        printf("profile along %c (%d slabs, mean over %d frame(s)): slab centre A, crystalline fraction\n",
               'x' + st->axis, st->nprof, nframes);
        for (int b = 0; b < st->nprof; b++)
            printf("  %8.3f  %.3f\n", (b + 0.5) / st->nprof * st->len_sum / nframes, st->prof_sum[b] / nframes);
    }
}

/* ------------------------------------------------------------ msd */

typedef struct {
    int n;
    pcm_system *ref;
    double *t, *msd, (*msp)[PCM_MAX_SPECIES];
    int nf, cap;
} msd_state;

static int msd_frame(msd_state *m, const opts *o, const pcm_frame *fr, int iframe, pcm_err *e)
{
    const pcm_system *s = fr->sys;
    if (!m->ref) {
        m->ref = system_copy(s);
    } else if (s->n != m->ref->n || s->nspecies != m->ref->nspecies) {
        return pcm_errf(e, o->in, 0, "frame %d has %d atoms, the first frame %d (msd needs the same atoms)", iframe,
                        s->n, m->ref->n);
    }
    for (int i = 0; i < s->n; i++)
        if (s->type[i] != m->ref->type[i])
            return pcm_errf(e, o->in, 0, "frame %d: atom %d changed species (msd needs the same atom order)",
                            iframe, i + 1);
    double t;
    const char *tv = frame_get(fr, "time");
    if (o->dt > 0.0)
        t = (iframe - 1) * o->dt;
    else if (tv && cli_double("time", tv, &t, e) == 0)
        ;
    else
        return pcm_errf(e, o->in, 0, "frame %d has no time= key (fs): give --dt FS, the interval between frames",
                        iframe);
    if (m->nf == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        m->t = pcm_realloc(m->t, (size_t)m->cap * sizeof *m->t);
        m->msd = pcm_realloc(m->msd, (size_t)m->cap * sizeof *m->msd);
        m->msp = pcm_realloc(m->msp, (size_t)m->cap * sizeof *m->msp);
    }
    m->t[m->nf] = t;
    m->msd[m->nf] = msd_compute(s, (const double(*)[3])m->ref->x, (const double(*)[3])s->x, m->msp[m->nf]);
    m->nf++;
    return 0;
}

static int msd_finish(msd_state *m, const opts *o, pcm_err *e)
{
    if (m->nf < 2)
        return pcm_errf(e, o->in, 0, "msd needs at least 2 frames of the same atoms (a trajectory), got %d", m->nf);
    const pcm_system *r = m->ref;
    double t0 = m->t[0], tf = o->fit_from >= 0.0 ? o->fit_from : t0 + 0.5 * (m->t[m->nf - 1] - t0);
    double *tt = pcm_malloc((size_t)m->nf * sizeof *tt), *y = pcm_malloc((size_t)m->nf * sizeof *y);
    for (int k = 0; k < m->nf; k++)
        tt[k] = m->t[k] - t0;
    double D = diffusion_fit(tt, m->msd, m->nf, tf - t0);
    printf("frames: %d over %.1f fs; fit from t = %.1f fs\n", m->nf, tt[m->nf - 1], tf - t0);
    printf("D(all) = %.4g A^2/fs = %.4g cm^2/s  (final MSD %.4g A^2)\n", D, D * 0.1, m->msd[m->nf - 1]);
    for (int a = 0; a < r->nspecies; a++) {
        for (int k = 0; k < m->nf; k++)
            y[k] = m->msp[k][a];
        double Da = diffusion_fit(tt, y, m->nf, tf - t0);
        printf("D(%s) = %.4g A^2/fs = %.4g cm^2/s\n", r->species[a], Da, Da * 0.1);
    }
    int rc = 0;
    if (o->out) {
        pcm_afile af;
        if (atomic_open(&af, o->out, e) != 0)
            rc = -1;
        else {
            fprintf(af.fp, "time_fs,msd_A2");
            for (int a = 0; a < r->nspecies; a++)
                fprintf(af.fp, ",msd_%s_A2", r->species[a]);
            fputc('\n', af.fp);
            for (int k = 0; k < m->nf; k++) {
                fprintf(af.fp, "%.6f,%.8g", tt[k], m->msd[k]);
                for (int a = 0; a < r->nspecies; a++)
                    fprintf(af.fp, ",%.8g", m->msp[k][a]);
                fputc('\n', af.fp);
            }
            rc = atomic_commit(&af, e);
        }
    }
    free(tt), free(y);
    return rc;
}

/* ------------------------------------------------------------ reports */

static void rdf_report(const pcm_rdf *r)
{
    double *g = pcm_malloc((size_t)r->nbins * sizeof *g);
    printf("g(r) over %d frame(s), r_max %.2f A, dr %.3f A\n", r->nframes, r->rmax, r->dr);
    for (int a = -1; a < r->sp.n; a++)
        for (int b = a < 0 ? r->sp.n - 1 : a; b < r->sp.n; b++) {
            rdf_get(r, a, b, g);
            double rp, rm;
            rdf_first_peak(r, g, &rp, &rm);
            char nm[16] = "total";
            if (a >= 0)
                snprintf(nm, sizeof nm, "%s-%s", r->sp.sym[a], r->sp.sym[b]);
            printf("  %-8s first peak %.3f A (g = %.3f)", nm, rp, rp > 0 ? g[(int)(rp / r->dr)] : 0.0);
            if (rm > 0)
                printf(", first minimum %.3f A", rm);
            putchar('\n');
        }
    free(g);
}

static void coord_report(const pcm_coord *c)
{
    printf("coordination within %.2f A over %d frame(s):\n", c->rc, c->nframes);
    for (int a = 0; a < c->sp.n; a++) {
        printf("  %-2s %.3f  (", c->sp.sym[a], coord_mean(c, a, -1));
        for (int b = 0; b < c->sp.n; b++)
            printf("%s%s %.3f", b ? ", " : "", c->sp.sym[b], coord_mean(c, a, b));
        puts(")");
    }
}

static void angles_report(const pcm_angles *ad, const opts *o)
{
    printf("bond angles within %.2f A over %d frame(s), peaks (degrees, highest first):\n", ad->rc, ad->nframes);
    int idx[PCM_MAX_SPECIES * PCM_MAX_SPECIES * PCM_MAX_SPECIES], nt = 0;
    if (o->ntrip) {
        for (int k = 0; k < o->ntrip; k++) {
            idx[nt] = angles_find(ad, o->trip[k]);
            if (idx[nt] < 0)
                printf("  %-10s no such triplet in the data\n", o->trip[k]);
            else
                nt++;
        }
    } else
        for (int t = 0; t < PCM_MAX_SPECIES * PCM_MAX_SPECIES * PCM_MAX_SPECIES; t++)
            if (ad->hist[t])
                idx[nt++] = t;
    for (int q = 0; q < nt; q++) {
        char nm[32];
        double pk[3];
        angles_name(ad, idx[q], nm, sizeof nm);
        int np = angles_peaks(ad, idx[q], pk, 3);
        printf("  %-10s %8ld angles:", nm, ad->total[idx[q]]);
        for (int k = 0; k < np; k++)
            printf(" %.1f", pk[k]);
        putchar('\n');
    }
}

static void sq_report(const pcm_sq *q)
{
    double qp, sp;
    printf("S(q) over %d frame(s): %d bins of %.4f 1/A up to %.2f 1/A (number-number, no form factors)\n",
           q->nframes, q->nbins, q->dq, q->qmax);
    if (sq_first_peak(q, 1.0, &qp, &sp) >= 0)
        printf("  first peak (S >= 1): q = %.3f 1/A, S = %.3f\n", qp, sp);
    if (sq_peak(q, 1.0, &qp, &sp) >= 0)
        printf("  highest bin above 1 1/A: q = %.3f 1/A, S = %.3f\n", qp, sp);
}

/* ------------------------------------------------------------ driver */

int cmd_analyze(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
        return usage();
    opts o;
    pcm_err e = {{0}};
    int prc = parse(argc, argv, &o, &e);
    if (prc == 2)
        return usage();
    if (prc)
        return cli_fail(&e);

    xtal_state xs = {0};
    msd_state ms = {0};
    pcm_rdf *rdf = NULL;
    pcm_coord *coord = NULL;
    pcm_angles *ang = NULL;
    pcm_sq *sq = NULL;
    int is_x = !strcmp(o.kind, "crystallinity"), is_msd = !strcmp(o.kind, "msd");
    if (is_x) {
        xtal_params_default(&xs.par);
        xs.par.rcut = o.rcut, xs.par.xi = o.xi, xs.par.nxtal = (int)o.nxtal;
        xs.nprof = (int)o.profile, xs.axis = o.axis, xs.repeat = o.repeat, xs.histograms = o.histograms;
        xs.prof_sum = pcm_calloc((size_t)(xs.nprof > 0 ? xs.nprof : 1), sizeof *xs.prof_sum);
        if (!(o.rcut > 0.0 && o.rcut < 20.0) || !(o.xi >= -1.0 && o.xi <= 1.0))
            return pcm_errf(&e, NULL, 0, "--rcut must be in (0, 20) Å and --xi in [-1, 1]"), cli_fail(&e);
    } else if (!strcmp(o.kind, "rdf"))
        rdf = rdf_new(o.rmax, o.dr, &e);
    else if (!strcmp(o.kind, "coordination"))
        coord = coord_new(o.cutoff, &e);
    else if (!strcmp(o.kind, "angles"))
        ang = angles_new(o.cutoff, o.bin, &e);
    else if (!strcmp(o.kind, "sq"))
        sq = sq_new(o.qmax, o.dq, (int)o.max_per_bin, (uint64_t)o.seed, &e);
    if (!is_x && !is_msd && !rdf && !coord && !ang && !sq)
        return cli_fail(&e);

    pcm_xyz_reader *r = xyz_open(o.in, &e);
    int status = 0, nframes = 0, rc;
    if (!r)
        status = 1;
    if (!status && is_x && o.out) {
        if (atomic_open(&xs.af, o.out, &e) != 0)
            status = 1;
        else
            xs.writing = 1;
    }
    pcm_frame *fr = frame_new();
    while (!status && (rc = xyz_read(r, fr, &e)) != 0) {
        if (rc < 0 || system_validate(fr->sys, 0.0, o.in, &e) != 0) {
            status = 1;
            break;
        }
        nframes++;
        const pcm_system *s = fr->sys;
        int arc = 0;
        if (is_x) arc = xtal_frame(&xs, fr, nframes, &e);
        else if (is_msd) arc = msd_frame(&ms, &o, fr, nframes, &e);
        else if (rdf) arc = rdf_add(rdf, s, &e);
        else if (coord) arc = coord_add(coord, s, &e);
        else if (ang) arc = angles_add(ang, s, &e);
        else if (sq) arc = sq_add(sq, s, &e);
        if (arc)
            status = 1;
    }
    frame_free(fr);
    if (r)
        xyz_close(r);
    if (!status && nframes == 0) {
        pcm_errf(&e, o.in, 0, "no frames found (expected extxyz)");
        status = 1;
    }
    if (!status) {
        if (is_x) {
            xtal_report(&xs, nframes);
        } else if (is_msd) {
            status = msd_finish(&ms, &o, &e) != 0;
        } else if (rdf) {
            rdf_report(rdf);
            status = o.out && rdf_write_csv(rdf, o.out, &e) != 0;
        } else if (coord) {
            coord_report(coord);
            status = o.out && coord_write_csv(coord, o.out, &e) != 0;
        } else if (ang) {
            angles_report(ang, &o);
            status = o.out && angles_write_csv(ang, o.out, &e) != 0;
        } else if (sq) {
            sq_report(sq);
            status = o.out && sq_write_csv(sq, o.out, &e) != 0;
        }
    }
    if (xs.writing) {
        if (status)
            atomic_abort(&xs.af);
        else if (atomic_commit(&xs.af, &e) != 0)
            status = 1;
    }
    if (!status && o.out)
        printf("wrote %s\n", o.out);
    rdf_free(rdf);
    coord_free(coord);
    angles_free(ang);
    sq_free(sq);
    free(xs.prof_sum);
    system_free(ms.ref);
    free(ms.t), free(ms.msd), free(ms.msp);
    return status ? cli_fail(&e) : 0;
}
