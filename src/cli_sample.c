/* cli_sample.c - `pcmlab dataset sample`: active-learning candidates for DFT labelling.
 *
 *   pcmlab dataset sample --potential POT.yace --committee A.yace,B.yace[,...] -o QUEUE.extxyz
 *                         (or --committee POT repeated, for specs with commas such as lj:...)
 *                         [--manifest M.tsv] [--rounds N] [--first-round K] [--steps S] [--every M]
 *                         [--pick P] [--dmin D] [--sigma-max H] [--seed S] [--conditions a,b,...]
 *                         [--tag T] [--composition FORMULA]
 *
 * For every condition of plan "alv1" and every round, builds a starting cell (the same
 * builders as `dataset generate`, 50-90 atoms; with --composition F the liquid-started conditions
 * start from about 60 atoms of composition F instead of Ge2Sb2Te5), runs NVT MD (Bussi, 1 fs) with POT and, after
 * a tenth of the run (after melting, for the quenched conditions), takes a candidate frame every M steps.  Each candidate is
 * scored by the committee's force disagreement (committee.h)
 *     sigma_F = sqrt( (1/N) sum_i (1/K) sum_k |F_i^k - <F_i>|^2 )      (eV/Å)
 * and the P most uncertain candidates with sigma_F <= H (--sigma-max) go to the queue (query by
 * committee: Seung, Opper, Sompolinsky 1992; the GST paper grew its data the same way, from
 * MD with its own intermediate potentials).  Above H the model is lost and the trajectory
 * drifts into structures no real GST visits (early potentials phase-separate into Ge-Sb
 * clusters and Te chains); of those only the first one, the onset of the failure, is taken,
 * as one of the P.  Candidates with atoms closer than D Å are dropped: the
 * core repulsion, not DFT, owns that range.  A run that blows up keeps the candidates it
 * took before.  Every frame is reproducible from its manifest line (potential, condition,
 * seed, step); MD is deterministic for a given potential file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "build_phases.h"
#include "cli.h"
#include "committee.h"
#include "extxyz.h"
#include "fileio.h"
#include "md.h"
#include "rng.h"

typedef struct sample_cond {
    const char *name;   /* condition id */
    const char *start;  /* starting cell: a `dataset generate` kind (dataset_make_kind) */
    const char *kind;   /* frame kind for reports */
    double T;           /* K, sampling temperature */
    double T_pre;       /* K, first half at this temperature (0: none), e.g. melt before a quench */
    int ramp;           /* 1: second half ramps T_pre -> T linearly (a quench), else a jump */
    int npt;            /* 1: second half at 1 bar (isotropic barostat), so the density can drift;
                         * with ramp, the ramp itself runs at 1 bar (an isobaric quench) */
} sample_cond;

static const sample_cond plan[] = {
    {"liquid-1500", "liquid", "liquid-md", 1500, 0, 0, 0},
    {"liquid-1200", "liquid", "liquid-md", 1200, 0, 0, 0},
    {"liquid-900", "liquid", "liquid-md", 900, 0, 0, 0},
    {"amorphous-600", "liquid", "amorphous-md", 600, 1200, 0, 0},
    {"amorphous-300", "liquid", "amorphous-md", 300, 1200, 0, 0},
    {"rocksalt-10", "rocksalt", "rocksalt-md", 10, 0, 0, 0},   /* the model's own relaxation of the ideal crystal */
    {"rocksalt-300", "rocksalt", "rocksalt-md", 300, 0, 0, 0},
    {"rocksalt-600", "rocksalt", "rocksalt-md", 600, 0, 0, 0},
    {"rocksalt-900", "rocksalt", "rocksalt-md", 900, 0, 0, 0},
    {"gst-hex-600", "gst-hex-kooi", "gst-hex-md", 600, 0, 0, 0},
    {"gete-600", "gete", "gete-md", 600, 0, 0, 0},
    {"sb2te3-600", "sb2te3", "sb2te3-md", 600, 0, 0, 0},
    {"interface-800", "interface", "interface-md", 800, 0, 0, 0},
    /* a melt-quench as the workbench and `pcmlab validate` run it: every temperature between
     * the liquid and the glass, where a model first meets undercooled liquid structures */
    {"quench-300", "liquid", "quench-md", 300, 1200, 1, 0},
    /* the workbench's anneal: NPT at 1 bar lets a model that favours a wrong density drift
     * into it (the v3 94-label fit densified amorphous GST to 6.8 g/cm3 at 600 K) */
    {"anneal-npt-600", "liquid", "anneal-md", 600, 1200, 0, 1},
    /* the paper's isobaric cooling: melt in NVT, then ramp to 300 K at 1 bar, so the glass
     * finds the model's own density (the 112-label fit's 504-atom glass went from 6.0 to
     * 6.33 g/cm3 at 300 K, experiment 5.9): DFT's stress on these frames says whether
     * PBEsol agrees with that density */
    {"quench-npt-300", "liquid", "quench-md", 300, 1200, 1, 1},
    /* (new conditions go last: a condition's seed depends on its place in this list) */
    {NULL, NULL, NULL, 0, 0, 0, 0},
};

/* Thermostat target at step t: T_pre in the first half of a melted condition, then T, or for a
 * ramp the linear interpolation from T_pre at steps/2 to T at the end. */
static double cond_T(const sample_cond *c, long t, long steps)
{
    if (c->T_pre <= 0)
        return c->T;
    if (t < steps / 2)
        return c->T_pre;
    if (!c->ramp)
        return c->T;
    return c->T_pre + (c->T - c->T_pre) * (double)(t - steps / 2) / (double)(steps - steps / 2);
}

typedef struct cand {
    pcm_system *s;
    long step;
    double sigma;
    int pick;
} cand;

static int by_sigma_desc(const void *a, const void *b)
{
    double x = ((const cand *)a)->sigma, y = ((const cand *)b)->sigma;
    return (x < y) - (x > y);
}

int dataset_sample(int argc, char **argv)
{
    const char *out = NULL, *manifest = NULL, *potpath = NULL, *tag = "alv1";
    char *coms[COMMITTEE_MAX], *condlist = NULL;
    const char *comp = NULL;
    int ncom = 0;
    long rounds = 1, first = 0, steps = 4000, every = 100, pick = 2, seed = 2026;
    double dmin = 1.9, smaxok = 1.5;
    pcm_err e = {{0}};
    for (int k = 2; k < argc; k++) {
        const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        int rc = 0;
        if (!v) {
            fprintf(stderr, "pcmlab dataset sample: %s needs a value\n", o);
            return 2;
        }
        if (!strcmp(o, "-o")) out = v;
        else if (!strcmp(o, "--manifest")) manifest = v;
        else if (!strcmp(o, "--potential")) potpath = v;
        else if (!strcmp(o, "--committee")) {
            if (ncom == COMMITTEE_MAX) {
                fprintf(stderr, "pcmlab dataset sample: %d committee members at most\n", COMMITTEE_MAX);
                return 2;
            }
            coms[ncom++] = argv[k + 1];
        }
        else if (!strcmp(o, "--conditions")) condlist = argv[k + 1];
        else if (!strcmp(o, "--tag")) tag = v;
        else if (!strcmp(o, "--composition")) comp = v;
        else if (!strcmp(o, "--rounds")) rc = cli_int(o, v, &rounds, &e);
        else if (!strcmp(o, "--first-round")) rc = cli_int(o, v, &first, &e);
        else if (!strcmp(o, "--steps")) rc = cli_int(o, v, &steps, &e);
        else if (!strcmp(o, "--every")) rc = cli_int(o, v, &every, &e);
        else if (!strcmp(o, "--pick")) rc = cli_int(o, v, &pick, &e);
        else if (!strcmp(o, "--seed")) rc = cli_int(o, v, &seed, &e);
        else if (!strcmp(o, "--dmin")) rc = cli_double(o, v, &dmin, &e);
        else if (!strcmp(o, "--sigma-max")) rc = cli_double(o, v, &smaxok, &e);
        else {
            fprintf(stderr, "pcmlab dataset sample: unknown option '%s'\n", o);
            return 2;
        }
        if (rc)
            return cli_fail(&e);
        k++;
    }
    if (!out || !potpath || !ncom || rounds < 1 || first < 0 || steps < 8 || every < 1 || pick < 1) {
        fputs("pcmlab dataset sample: need -o QUEUE.extxyz, --potential POT, --committee A,B,... "
              "(>= 2 members), --rounds >= 1, --steps >= 8, --every >= 1, --pick >= 1\n",
              stderr);
        return 2;
    }
    const sample_cond *conds[64];
    int nc = 0;
    if (condlist) {
        for (char *t = strtok(condlist, ","); t; t = strtok(NULL, ",")) {
            int j = 0;
            while (plan[j].name && strcmp(plan[j].name, t))
                j++;
            if (!plan[j].name || nc == 64) {
                fprintf(stderr, "pcmlab dataset sample: unknown condition '%s'; known:", t);
                for (j = 0; plan[j].name; j++)
                    fprintf(stderr, " %s", plan[j].name);
                fputc('\n', stderr);
                return 2;
            }
            conds[nc++] = &plan[j];
        }
    } else
        for (; plan[nc].name; nc++)
            conds[nc] = &plan[nc];

    char startbuf[64];
    if (comp) {
        if (strlen(comp) > 40) {
            fprintf(stderr, "pcmlab dataset sample: --composition '%s' is too long\n", comp);
            return 2;
        }
        for (int j = 0; j < nc; j++)
            if (strcmp(conds[j]->start, "liquid")) {
                fprintf(stderr,
                        "pcmlab dataset sample: --composition applies to conditions that start from the liquid; "
                        "'%s' starts from %s (pick conditions with --conditions)\n",
                        conds[j]->name, conds[j]->start);
                return 2;
            }
        snprintf(startbuf, sizeof startbuf, "liquid-%s", comp);
    }

    pcm_potential *pot = potential_load(potpath, &e);
    int status = pot ? 0 : -1;
    committee_list cl = {0};
    for (int j = 0; j < ncom && status == 0; j++)
        status = committee_list_add(&cl, coms[j], &e);
    pcm_committee *cm = status == 0 ? committee_load_list(&cl, &e) : NULL;
    if (!cm)
        status = -1;
    int nf = 0, cap = 0;
    pcm_frame **frs = NULL;
    char *man = NULL;
    size_t manlen = 0;
    FILE *mf = open_memstream(&man, &manlen);
    fprintf(mf, "# pcmlab dataset plan %s (MD + committee selection): config_id kind condition builder seed step "
                "T_K sigmaF_eV/A natoms density_gcc potential\n",
            tag);
    for (long rd = first; rd < first + rounds && status == 0; rd++)
        for (int ci = 0; ci < nc && status == 0; ci++) {
            const sample_cond *c = conds[ci];
            uint64_t s = (uint64_t)seed * 1000003ULL + (uint64_t)rd * 101ULL + (uint64_t)ci + 7777ULL;
            pcm_rng r;
            rng_seed(&r, s);
            char what[160];
            int crystal;
            pcm_system *sys = dataset_make_kind(comp ? startbuf : c->start, s, &r, what, sizeof what, &crystal, &e);
            if (!sys) {
                status = -1;
                break;
            }
            pcm_md_params mp;
            md_params_default(&mp);
            mp.dt = 1.0;
            mp.ensemble = PCM_NVT_BUSSI;
            mp.T = c->T_pre > 0 ? c->T_pre : c->T;
            mp.tau_T = 100.0;
            mp.seed = s;
            pcm_md *md = md_new(sys, pot, &mp, &e);
            if (!md) {
                system_free(sys);
                status = -1;
                break;
            }
            md_init_velocities(md, mp.T, s ^ 0x9e3779b97f4a7c15ULL);
            cand *cs = pcm_calloc((size_t)(steps / every + 2), sizeof *cs);
            int ncs = 0, blew = 0, half = 0;
            long done = 0;
            const char *why = "";
            pcm_err me = {{0}};
            while (done < steps) {
                if (c->T_pre > 0 && !half && done >= steps / 2) {   /* the second half starts */
                    half = 1;
                    if (c->npt && md_set_ensemble(md, PCM_NPT_ISO, &me) < 0) {
                        blew = 1;
                        why = me.msg;
                        break;
                    }
                }
                if (half)
                    md_set_temperature(md, cond_T(c, done, steps));
                long chunk = every;
                if (md_step(md, (int)chunk, &me) < 0) {
                    blew = 1;
                    why = me.msg;
                    break;
                }
                done += chunk;
                if (done < steps / 10 || (c->T_pre > 0 && done < steps / 2 + steps / 10))
                    continue;
                pcm_system *snap = md_system(md);
                pcm_err ve = {{0}};
                if (system_validate(snap, dmin, "candidate", &ve) < 0)
                    continue;
                committee_stats cst;
                if (committee_eval(cm, snap, NULL, NULL, &cst, &e) < 0) {
                    status = -1;
                    break;
                }
                double sg = cst.sigma_f;
                cs[ncs].s = system_copy(snap);
                cs[ncs].step = done;
                cs[ncs].sigma = sg;
                ncs++;
            }
            /* the onset of failure (first candidate above H, in time order), then the most
             * uncertain trustworthy ones */
            int onset = -1;
            for (int j = 0; j < ncs && onset < 0; j++)
                if (cs[j].sigma > smaxok)
                    onset = j;
            if (onset > 0) {
                cand t = cs[0];
                cs[0] = cs[onset];
                cs[onset] = t;
            }
            int head = onset >= 0;
            qsort(cs + head, (size_t)(ncs - head), sizeof *cs, by_sigma_desc);
            int nok = 0, npick = 0;
            double smin = 1e300, smax = 0;
            for (int j = 0; j < ncs; j++) {
                nok += cs[j].sigma <= smaxok;
                smin = fmin(smin, cs[j].sigma);
                smax = fmax(smax, cs[j].sigma);
                cs[j].pick = npick < pick && (j < head || cs[j].sigma <= smaxok);
                npick += cs[j].pick;
            }
            printf("%-14s round %ld: %ld steps%s%s, %d candidates (%d with sigma_F <= %g), sigma_F %.3f..%.3f eV/A, "
                   "picked %d%s\n",
                   c->name, rd, done, blew ? ", blew up: " : "", blew ? why : "", ncs, nok, smaxok, ncs ? smin : 0,
                   smax, npick, head ? " (incl. failure onset)" : "");
            fflush(stdout);
            for (int j = 0; j < ncs; j++) {
                if (cs[j].pick && status == 0) {
                    pcm_frame *fr = frame_new();
                    system_free(fr->sys);
                    fr->sys = cs[j].s;
                    memset(fr->sys->v, 0, sizeof(double) * 3 * (size_t)fr->sys->n);
                    cs[j].s = NULL;
                    char id[96];
                    if (comp)
                        snprintf(id, sizeof id, "%s-%s-%s-r%03ld-s%06ld", tag, c->name, comp, rd, cs[j].step);
                    else
                        snprintf(id, sizeof id, "%s-%s-r%03ld-s%06ld", tag, c->name, rd, cs[j].step);
                    frame_set(fr, "config_id", id);
                    frame_set(fr, "kind", c->kind);
                    frame_setf(fr, "source", "pcmlab dataset sample %s: %s, NVT %g K%s, step %ld, potential %s", tag,
                               what, c->T,
                               c->ramp && c->npt ? " ramped from the melt, the ramp in NPT at 1 bar"
                               : c->ramp ? " ramped from the melt"
                               : c->npt  ? " after melting, then NPT 1 bar"
                               : c->T_pre > 0 ? " after melting" : "",
                               cs[j].step, potpath);
                    frame_setf(fr, "seed", "%llu", (unsigned long long)s);
                    double Tf = cond_T(c, cs[j].step - every, steps);   /* the target of its last chunk */
                    frame_setf(fr, "temperature", "%g", Tf);
                    frame_setf(fr, "committee_sigma_F", "%.5f", cs[j].sigma);
                    if (nf == cap) {
                        cap = cap ? 2 * cap : 64;
                        frs = pcm_realloc(frs, (size_t)cap * sizeof *frs);
                    }
                    frs[nf++] = fr;
                    fprintf(mf, "%s\t%s\t%s\t%s\t%llu\t%ld\t%g\t%.5f\t%d\t%.4f\t%s\n", id, c->kind, c->name, what,
                            (unsigned long long)s, cs[j].step, Tf, cs[j].sigma, fr->sys->n,
                            system_density(fr->sys), potpath);
                }
                if (cs[j].s)
                    system_free(cs[j].s);
            }
            free(cs);
            md_free(md);
            system_free(sys);
        }
    fclose(mf);
    if (status == 0 && xyz_write_file(out, frs, nf, 0, &e) != 0)
        status = -1;
    if (status == 0 && manifest && atomic_write_file(manifest, man, manlen, &e) != 0)
        status = -1;
    if (status == 0)
        printf("wrote %s: %d configurations%s%s\n", out, nf, manifest ? ", manifest " : "", manifest ? manifest : "");
    for (int k = 0; k < nf; k++)
        frame_free(frs[k]);
    free(frs);
    free(man);
    committee_free(cm);
    if (pot)
        potential_free(pot);
    return status ? cli_fail(&e) : 0;
}
