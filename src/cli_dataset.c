/* cli_dataset.c - `pcmlab dataset generate`: the queue of configurations to label.
 *
 *   pcmlab dataset generate -o QUEUE.extxyz [--manifest MANIFEST.tsv] [--rounds N]
 *                           [--first-round K] [--seed S] [--kinds a,b,...]
 *
 * Round-robin over the kinds (every round has one configuration of each kind), so the
 * first labels already cover every kind.  Each configuration is reproducible from its
 * manifest line: builder, seed, rattle amplitude and strain.  Plan "dsv1":
 *   crystals (rocksalt GST with random or (111)-gathered vacancies, hexagonal GST in
 *   Kooi and Petrov stacking, GeTe, Sb2Te3, Ge, Sb, Te): random strain ±5 % (normal) and
 *   ±2 % (shear), Gaussian rattle σ ∈ [0.05, 0.15] Å;
 *   liquid GST: random packing (dmin 2.5 Å) of 63 atoms at 5.6-6.4 g/cm³, rattle σ 0.05-0.15 Å
 *   (a stand-in for MD snapshots until MD with a fitted potential exists);
 *   interface: rocksalt 2×2×2 block + 7 Å random GST liquid at 5.9 g/cm³ along z.
 * Not in the default plan: liquid-FORMULA (e.g. liquid-Sb2Te), a random packing of about 60
 * atoms of another composition at 5.6-6.4 g/cm³.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "build_phases.h"
#include "cli.h"
#include "extxyz.h"
#include "fileio.h"
#include "rng.h"

static const char *const default_kinds[] = {
    "rocksalt", "liquid", "gst-hex-kooi", "gete", "interface", "sb2te3", "liquid",
    "ge", "rocksalt-vac111", "sb", "te", "gst-hex-petrov", NULL};

/* Atoms for a cell of composition comp near target: a whole number of formula units when the
 * amounts are integers (Sb2Te -> 60, GeTe4 -> 60, Ge2Sb2Te5 -> 63), else target. */
static int liquid_natoms(const char *comp, int target, pcm_err *e)
{
    char sym[PCM_MAX_SPECIES][4];
    double ratio[PCM_MAX_SPECIES];
    int ne = parse_composition(comp, sym, ratio, PCM_MAX_SPECIES, e);
    if (ne < 0)
        return -1;
    double fu = 0.0;
    for (int k = 0; k < ne; k++) {
        if (ratio[k] != floor(ratio[k]) || ratio[k] > 100.0)
            return target;
        fu += ratio[k];
    }
    long units = lround(target / fu);
    return (int)(fu * (double)(units < 1 ? 1 : units));
}

/* Build one configuration of a kind; fills what (builder description).  Also the starting cells
 * of `dataset sample` (cli_sample.c). */
pcm_system *dataset_make_kind(const char *kind, uint64_t seed, pcm_rng *r, char *what, size_t wn, int *crystal,
                             pcm_err *e)
{
    *crystal = 1;
    if (!strcmp(kind, "rocksalt") || !strcmp(kind, "rocksalt-vac111")) {
        int arr = kind[8] == '-';
        snprintf(what, wn, "build_rocksalt_box(2,2,2,a=6.02,vac=0.2,%s)", arr ? "111-planes" : "random");
        return build_rocksalt_box(2, 2, 2, 6.02, 0.2, arr, seed, e);
    }
    if (!strcmp(kind, "liquid")) {
        *crystal = 0;
        double rho = 5.6 + 0.8 * rng_uniform(r);
        snprintf(what, wn, "build_liquid(63,rho=%.4f,Ge2Sb2Te5,dmin=2.5)", rho);
        return build_liquid(63, rho, "Ge2Sb2Te5", 2.5, seed, e);
    }
    if (!strncmp(kind, "liquid-", 7) && isupper((unsigned char)kind[7])) {
        /* random packing at another composition, e.g. liquid-Sb2Te or liquid-GeTe3: the
         * starting cells of the off-stoichiometric conditions (`dataset sample --composition`) */
        const char *comp = kind + 7;
        int n = liquid_natoms(comp, 60, e);
        if (n < 0)
            return NULL;
        *crystal = 0;
        double rho = 5.6 + 0.8 * rng_uniform(r);
        snprintf(what, wn, "build_liquid(%d,rho=%.4f,%s,dmin=2.5)", n, rho, comp);
        return build_liquid(n, rho, comp, 2.5, seed, e);
    }
    if (!strcmp(kind, "interface")) {
        *crystal = 0;
        snprintf(what, wn, "build_interface(2,2,2,a=6.02,liquid=7A,rho=5.9,dmin=2.5)");
        return build_interface(2, 2, 2, 6.02, 7.0, 5.9, 2.5, seed, e);
    }
    snprintf(what, wn, "build_phase(%s)", kind);
    return build_phase(kind, 1.0, e);
}

static int split_kinds(char *list, const char **kinds, int max)
{
    int n = 0;
    for (char *t = strtok(list, ","); t && n < max; t = strtok(NULL, ","))
        kinds[n++] = t;
    return n;
}

int cmd_dataset(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "sample"))
        return dataset_sample(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "carve"))
        return dataset_carve(argc, argv);
    if (argc < 2 || strcmp(argv[1], "generate")) {
        fputs("usage: pcmlab dataset generate -o QUEUE.extxyz [--manifest M.tsv] [--rounds N] [--first-round K]\n"
              "                               [--seed S] [--kinds rocksalt,liquid,...] [--tag T]\n"
              "                               [--rattle LO:HI (A, default 0.05:0.15)] [--strain NORMAL:SHEAR (0.05:0.02)]\n"
              "       pcmlab dataset sample --potential POT --committee A,B,... -o QUEUE.extxyz [--manifest M.tsv]\n"
              "                             [--rounds N] [--first-round K] [--steps S] [--every M] [--pick P]\n"
              "                             [--dmin D] [--seed S] [--conditions liquid-1500,...] [--tag T]\n"
              "                             [--sigma-max 1.5 (eV/A: frames above it are not picked)]\n"
              "                             [--composition FORMULA (liquid-started conditions at another composition)]\n"
              "       pcmlab dataset carve BIG.extxyz -o QUEUE.extxyz [--manifest M.tsv] [--box 12.4] [--count 4]\n"
              "                            [--center Ge] [--bond 2.8] [--dmin 2.0] [--tag T]\n",
              stderr);
        return 2;
    }
    const char *out = NULL, *manifest = NULL, *tag = "dsv1";
    char *kindlist = NULL;
    double rat_lo = 0.05, rat_hi = 0.15, str_n = 0.05, str_s = 0.02;
    long rounds = 4, first = 0, seed = 2026;
    pcm_err e = {{0}};
    for (int k = 2; k < argc; k++) {
        const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        int rc = 0;
        if (!v) {
            fprintf(stderr, "pcmlab dataset: %s needs a value\n", o);
            return 2;
        }
        if (!strcmp(o, "-o")) out = v;
        else if (!strcmp(o, "--manifest")) manifest = v;
        else if (!strcmp(o, "--kinds")) kindlist = argv[k + 1];
        else if (!strcmp(o, "--tag")) tag = v;
        else if (!strcmp(o, "--rattle") || !strcmp(o, "--strain")) {
            double a, b;
            char extra;
            if (sscanf(v, "%lf:%lf%c", &a, &b, &extra) != 2 || a < 0 || b < 0 || a > 1.0 || b > 1.0 ||
                (o[2] == 'r' && b < a)) {
                fprintf(stderr, "pcmlab dataset: %s wants LO:HI (--rattle LO:HI in Å, 0 <= LO <= HI <= 1; "
                                "--strain NORMAL:SHEAR as fractions in [0, 1]), got '%s'\n", o, v);
                return 2;
            }
            if (o[2] == 'r') {
                rat_lo = a;
                rat_hi = b;
            } else {
                str_n = a;
                str_s = b;
            }
        }
        else if (!strcmp(o, "--rounds")) rc = cli_int(o, v, &rounds, &e);
        else if (!strcmp(o, "--first-round")) rc = cli_int(o, v, &first, &e);
        else if (!strcmp(o, "--seed")) rc = cli_int(o, v, &seed, &e);
        else {
            fprintf(stderr, "pcmlab dataset: unknown option '%s'\n", o);
            return 2;
        }
        if (rc)
            return cli_fail(&e);
        k++;
    }
    if (!out || rounds < 1 || first < 0) {
        fputs("pcmlab dataset generate: need -o QUEUE.extxyz and --rounds >= 1\n", stderr);
        return 2;
    }
    const char *kinds[64];
    int nk = 0;
    if (kindlist)
        nk = split_kinds(kindlist, kinds, 64);
    else
        for (; default_kinds[nk]; nk++)
            kinds[nk] = default_kinds[nk];
    int nf = 0, status = 0;
    pcm_frame **frs = pcm_calloc((size_t)(rounds * nk), sizeof *frs);
    char *man = NULL;
    size_t manlen = 0;
    FILE *mf = open_memstream(&man, &manlen);
    fprintf(mf, "# pcmlab dataset plan %s (rattle %g..%g A, strain normal %g shear %g): config_id kind builder seed rattle_A strain_voigt natoms density_gcc\n", tag, rat_lo,
            rat_hi, str_n, str_s);
    for (long rd = first; rd < first + rounds && status == 0; rd++)
        for (int k = 0; k < nk && status == 0; k++) {
            /* slot-specific seed; a kind listed twice gets distinct configurations */
            uint64_t s = (uint64_t)seed * 1000003ULL + (uint64_t)rd * 101ULL + (uint64_t)k;
            pcm_rng r;
            rng_seed(&r, s);
            char what[160];
            int crystal;
            pcm_system *sys = dataset_make_kind(kinds[k], s, &r, what, sizeof what, &crystal, &e);
            if (!sys) {
                status = -1;
                break;
            }
            double eps[6] = {0};
            if (crystal)
                for (int a = 0; a < 6; a++)
                    eps[a] = (a < 3 ? str_n : str_s) * (2 * rng_uniform(&r) - 1) + 0.0;   /* no -0 */
            double sigma = rat_lo + (rat_hi - rat_lo) * rng_uniform(&r);
            build_strain(sys, eps);
            build_rattle(sys, sigma, s ^ 0x5bd1e995ULL);
            pcm_frame *fr = frame_new();
            system_free(fr->sys);
            fr->sys = sys;
            char id[96];
            snprintf(id, sizeof id, "%s-%s-r%03ld-k%02d", tag, kinds[k], rd, k);
            frame_set(fr, "config_id", id);
            frame_set(fr, "kind", kinds[k]);
            frame_setf(fr, "source", "pcmlab dataset generate %s: %s", tag, what);
            frame_setf(fr, "seed", "%llu", (unsigned long long)s);
            frame_setf(fr, "rattle_A", "%.4f", sigma);
            frame_setf(fr, "strain", "%.5f %.5f %.5f %.5f %.5f %.5f", eps[0], eps[1], eps[2], eps[3], eps[4], eps[5]);
            frs[nf++] = fr;
            fprintf(mf, "%s\t%s\t%s\t%llu\t%.4f\t%.5f %.5f %.5f %.5f %.5f %.5f\t%d\t%.4f\n", id, kinds[k], what,
                    (unsigned long long)s, sigma, eps[0], eps[1], eps[2], eps[3], eps[4], eps[5], sys->n,
                    system_density(sys));
        }
    fclose(mf);
    if (status == 0 && xyz_write_file(out, frs, nf, 0, &e) != 0)
        status = -1;
    if (status == 0 && manifest && atomic_write_file(manifest, man, manlen, &e) != 0)
        status = -1;
    if (status == 0)
        printf("wrote %s: %d configurations (%ld rounds x %d kinds)%s%s\n", out, nf, rounds, nk,
               manifest ? ", manifest " : "", manifest ? manifest : "");
    for (int k = 0; k < nf; k++)
        frame_free(frs[k]);
    free(frs);
    free(man);
    return status ? cli_fail(&e) : 0;
}
