/* test_ace_ref.c - the ACE evaluator against all 84 ML-PACE reference outputs in
 * ../shared/ace-reference/reference/<pot>/<config>.xyz, at the README's "spline" tier:
 *   |ΔE|/N <= 1e-8·max(1,|E/N|), |ΔE_i| <= 1e-8·max(1,|E_i|), |ΔF| <= 1e-7 eV/Å,
 *   |ΔW| <= 1e-8·N·max(1, max|W|/N).
 * Skips when ../shared is absent.  Prints the worst deviation of each quantity. */
#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <omp.h>

#include "extxyz.h"
#include "potential.h"

typedef struct {
    double v;       /* worst ratio deviation / tolerance */
    double dev;     /* the deviation itself */
    char where[160];
} worst;

static void note(worst *w, double dev, double tol, const char *pot, const char *cfg)
{
    if (dev / tol > w->v) {
        w->v = dev / tol;
        w->dev = dev;
        snprintf(w->where, sizeof w->where, "%s/%s", pot, cfg);
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names in dir ending in ext (caller frees). */
static int list_dir(const char *dir, const char *ext, char ***out)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name), le = strlen(ext);
        if (de->d_name[0] == '.' || l <= le || strcmp(de->d_name + l - le, ext) != 0)
            continue;
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

static void test_reference_all(void **st)
{
    (void)st;
    char refdir[8192], potdir[8192];
    ACE_REF_PATH(refdir, "reference");
    ACE_REF_PATH(potdir, "potentials");
    char **pots;
    int npot = list_dir(refdir, "", &pots);
    worst wE = {0}, wEi = {0}, wF = {0}, wW = {0};
    int ncase = 0, nfail = 0;
    for (int ip = 0; ip < npot; ip++) {
        char sub[9000], path[10000];
        snprintf(sub, sizeof sub, "%s/%s", refdir, pots[ip]);
        char **cfgs;
        int ncfg = list_dir(sub, ".xyz", &cfgs);
        if (ncfg == 0) {
            free(pots[ip]);
            continue;
        }
        snprintf(path, sizeof path, "%s/%s.yace", potdir, pots[ip]);
        pcm_err e = {{0}};
        pcm_potential *p = potential_load(path, &e);
        if (!p)
            fail_msg("%s", e.msg);
        for (int ic = 0; ic < ncfg; ic++) {
            snprintf(path, sizeof path, "%s/%s", sub, cfgs[ic]);
            pcm_frame *ref = xyz_read_first(path, &e);
            if (!ref)
                fail_msg("%s", e.msg);
            assert_true(ref->has_energy && ref->has_virial && ref->has_forces && ref->has_energies);
            pcm_system *s = system_copy(ref->sys), *r = ref->sys;
            if (potential_eval_once(p, s, &e) != 0)
                fail_msg("%s: %s", path, e.msg);
            int n = s->n, bad = 0;
            double dE = fabs(s->energy - r->energy) / n, tE = 1e-8 * fmax(1, fabs(r->energy / n));
            note(&wE, dE, tE, pots[ip], cfgs[ic]);
            bad |= dE > tE;
            double wmax = 0;
            for (int c = 0; c < 6; c++)
                wmax = fmax(wmax, fabs(r->virial[c]));
            double tW = 1e-8 * n * fmax(1, wmax / n);
            for (int c = 0; c < 6; c++) {
                double d = fabs(s->virial[c] - r->virial[c]);
                note(&wW, d, tW, pots[ip], cfgs[ic]);
                bad |= d > tW;
            }
            for (int i = 0; i < n; i++) {
                double d = fabs(s->pe[i] - r->pe[i]), t = 1e-8 * fmax(1, fabs(r->pe[i]));
                note(&wEi, d, t, pots[ip], cfgs[ic]);
                bad |= d > t;
                for (int k = 0; k < 3; k++) {
                    double df = fabs(s->f[i][k] - r->f[i][k]);
                    note(&wF, df, 1e-7, pots[ip], cfgs[ic]);
                    bad |= df > 1e-7;
                }
            }
            if (bad) {
                print_message("FAIL %s/%s\n", pots[ip], cfgs[ic]);
                nfail++;
            }
            ncase++;
            system_free(s);
            frame_free(ref);
            free(cfgs[ic]);
        }
        free(cfgs);
        potential_free(p);
        free(pots[ip]);
    }
    free(pots);
    print_message("%d reference cases, %d failed (spline tier). Worst deviation / tolerance:\n", ncase, nfail);
    print_message("  E/N  %.2e eV     (%.1e of tol)  %s\n", wE.dev, wE.v, wE.where);
    print_message("  E_i  %.2e eV     (%.1e of tol)  %s\n", wEi.dev, wEi.v, wEi.where);
    print_message("  F    %.2e eV/Å   (%.1e of tol)  %s\n", wF.dev, wF.v, wF.where);
    print_message("  W    %.2e eV     (%.1e of tol)  %s\n", wW.dev, wW.v, wW.where);
    assert_int_equal(ncase, 84);
    assert_int_equal(nfail, 0);
}

int main(void)
{
    omp_set_num_threads(1); /* small systems: thread wake-ups would dominate on a loaded machine */
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_reference_all)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
