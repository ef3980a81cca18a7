/* bench_ace.c - µs per atom-step of the ACE evaluator (energy + forces + virial).
 *
 * usage: bench_ace POT.yace CONFIG.xyz [--threads N] [--min-time S] [--ref US]
 * Prints one line: potential, config, atoms, threads, wall and CPU µs/atom-step
 * (median over repetitions), average neighbours, memory per atom (neighbour list and
 * evaluator scratch) and the ML-PACE figure passed with --ref.
 * The neighbour list is built once, outside the timing (as in TIMINGS.md).
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extxyz.h"
#include "neighbor.h"
#include "potential.h"

static double now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: bench_ace POT.yace CONFIG.xyz [--threads N] [--min-time S] [--ref US]\n", stderr);
        return 2;
    }
    int nth = 1;
    double min_time = 2.0, ref = 0;
    for (int k = 3; k + 1 < argc; k += 2) {
        if (!strcmp(argv[k], "--threads"))
            nth = atoi(argv[k + 1]);
        else if (!strcmp(argv[k], "--min-time"))
            min_time = atof(argv[k + 1]);
        else if (!strcmp(argv[k], "--ref"))
            ref = atof(argv[k + 1]);
    }
    pcm_err e = {{0}};
    pcm_potential *p = potential_load(argv[1], &e);
    pcm_frame *fr = p ? xyz_read_first(argv[2], &e) : NULL;
    if (!p || !fr || potential_bind(p, fr->sys, &e) != 0) {
        fprintf(stderr, "bench_ace: %s\n", e.msg);
        return 1;
    }
    p->nthreads = nth;
    pcm_system *s = fr->sys;
    pcm_nlist *nl = nl_new(p->rcut, 0.0);
    nl_build(nl, s);
    if (potential_compute(p, s, nl, &e) != 0) { /* warm-up: scratch allocation, page faults */
        fprintf(stderr, "bench_ace: %s\n", e.msg);
        return 1;
    }
    double wall[1000], cpu[1000];
    int nrep = 0;
    double t_start = now(CLOCK_MONOTONIC);
    while (nrep < 1000 && (nrep < 3 || now(CLOCK_MONOTONIC) - t_start < min_time)) {
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        potential_compute(p, s, nl, &e);
        cpu[nrep] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        wall[nrep] = now(CLOCK_MONOTONIC) - w0;
        nrep++;
    }
    qsort(wall, nrep, sizeof *wall, cmp_d);
    qsort(cpu, nrep, sizeof *cpu, cmp_d);
    double us_wall = 1e6 * wall[nrep / 2] / s->n, us_cpu = 1e6 * cpu[nrep / 2] / s->n;
    double us_min = 1e6 * wall[0] / s->n;
    /* memory: neighbour list (j, shift, d per pair; start, x0 per atom) + evaluator per-pair
     * slots (∂E_i/∂r_j, 24 B) and per-atom virial (48 B); per-thread scratch is O(neighbours). */
    double nl_bytes = (double)nl->npairs * (sizeof(int) + 3 * sizeof(int) + 3 * sizeof(double)) +
                      (double)s->n * (sizeof(int) + 3 * sizeof(double));
    double ev_bytes = (double)nl->npairs * 3 * sizeof(double) + (double)s->n * 6 * sizeof(double);
    printf("%-28s %-22s %6d %3d  %9.2f %9.2f %9.2f  %6.1f  %7.2f %7.2f", base(argv[1]), base(argv[2]), s->n, nth,
           us_wall, us_min, us_cpu, (double)nl->npairs / s->n, nl_bytes / s->n / 1024, ev_bytes / s->n / 1024);
    if (ref > 0 && nth == 1)
        printf("  %9.1f  %5.2fx\n", ref, ref / us_cpu);
    else if (ref > 0)
        printf("  %9.1f  %6s\n", ref, "");
    else
        printf("  %9s  %6s\n", "-", "-");
    nl_free(nl);
    frame_free(fr);
    potential_free(p);
    return 0;
}
