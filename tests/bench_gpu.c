/* bench_gpu.c - speed of the CUDA ACE backend (not a test; `make bench` runs it).
 *
 * usage: bench_gpu POT.yace [--min-time S] [--atoms N]...
 * Prints "GPU: none (reason)" and exits 0 when no GPU works.  Otherwise, for rocksalt GST
 * (10 % cation vacancies, a = 6.0 Å, rattled 0.05 Å) of about 10³, 10⁴, 10⁵, 10⁶ atoms:
 * µs per atom-step (energy + forces + virial on the device, positions uploaded and
 * forces downloaded each step as in MD; neighbour list built outside the timing), and at
 * the smallest size the largest GPU-CPU force difference relative to the largest force.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ace.h"
#include "build.h"
#include "gpu.h"
#include "neighbor.h"
#include "potential.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: bench_gpu POT.yace [--min-time S] [--atoms N]...\n", stderr);
        return 2;
    }
    double min_time = 2;
    long sizes[16];
    int nsz = 0;
    for (int k = 2; k + 1 < argc; k += 2) {
        if (!strcmp(argv[k], "--min-time"))
            min_time = atof(argv[k + 1]);
        else if (!strcmp(argv[k], "--atoms") && nsz < 16)
            sizes[nsz++] = atol(argv[k + 1]);
    }
    if (!nsz) {
        long def[] = {1000, 10000, 100000, 1000000};
        for (nsz = 0; nsz < 4; nsz++)
            sizes[nsz] = def[nsz];
    }
    char why[256];
    if (!gpu_available(why, sizeof why)) {
        printf("GPU: none (%s)\n", why);
        return 0;
    }
    pcm_err e = {{0}};
    pcm_potential *p = ace_potential_load(argv[1], &e), *cpu = ace_potential_load(argv[1], &e);
    if (!p || !cpu || !ace_potential_set_gpu(p, 1, why, sizeof why)) {
        fprintf(stderr, "bench_gpu: %s\n", p && cpu ? why : e.msg);
        return 1;
    }
    ace_potential_set_gpu(cpu, 0, why, sizeof why);
    gpu_available(why, sizeof why);
    printf("GPU: %s\n%-8s %9s %9s %7s  %s\n", why, "atoms", "us/at-st", "min", "nbrs", "max|dF|/max|F| vs CPU");
    for (int k = 0; k < nsz; k++) {
        /* 8 sites per cubic cell, 10 % of the 4 cation sites empty: 7.8 atoms per cell */
        int cells = (int)lround(cbrt(sizes[k] / 7.8));
        pcm_system *s = build_rocksalt(cells < 1 ? 1 : cells, 6.0, 0.1, 1, &e);
        if (!s || potential_bind(p, s, &e) != 0) {
            fprintf(stderr, "bench_gpu: %s\n", e.msg);
            return 1;
        }
        build_rattle(s, 0.05, 2);
        pcm_nlist *nl = nl_new(p->rcut, 0.0);
        nl_build(nl, s);
        if (potential_compute(p, s, nl, &e) != 0) { /* warm-up: list upload, scratch */
            fprintf(stderr, "bench_gpu: %s\n", e.msg);
            return 1;
        }
        double dfr = -1;
        if (k == 0) {
            pcm_system *c = system_copy(s);
            potential_bind(cpu, c, &e);
            potential_compute(cpu, c, nl, &e);
            double fm = 0, df = 0;
            for (int i = 0; i < s->n; i++)
                for (int a = 0; a < 3; a++) {
                    fm = fmax(fm, fabs(c->f[i][a]));
                    df = fmax(df, fabs(c->f[i][a] - s->f[i][a]));
                }
            dfr = df / fm;
            system_free(c);
        }
        double best = 1e30, sum = 0, t0 = now();
        int nrep = 0;
        while (nrep < 3 || now() - t0 < min_time) {
            double w0 = now();
            potential_compute(p, s, nl, &e);
            double w = now() - w0;
            best = fmin(best, w);
            sum += w;
            nrep++;
        }
        printf("%-8d %9.4f %9.4f %7.1f  ", s->n, 1e6 * sum / nrep / s->n, 1e6 * best / s->n,
               (double)nl->npairs / s->n);
        if (dfr >= 0)
            printf("%.2g\n", dfr);
        else
            printf("-\n");
        nl_free(nl);
        system_free(s);
    }
    potential_free(p);
    potential_free(cpu);
    return 0;
}
