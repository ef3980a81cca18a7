/* bench_gpu.c - speed of the CUDA ACE backend (not a test; `make bench` runs it).
 *
 * usage: bench_gpu POT.yace [--min-time S] [--atoms N]...
 * Prints "GPU: none (reason)" and exits 0 when no GPU works.  Otherwise, for rocksalt GST
 * (10 % cation vacancies, a = 6.0 Å, rattled 0.05 Å) of about 10³, 10⁴, 10⁵, 10⁶ atoms:
 *   force   µs per atom-step of one ACE call through pcm_potential (positions up, forces
 *           down every call; neighbour list built on the host outside the timing);
 *   md      µs per atom-step of whole NVE steps on the device path (md.h, md_dev.h: kicks,
 *           drift, skin test and list rebuilds on the device, skin 1 Å, 600 K), the state
 *           downloaded once per chunk of 20 steps, as the workbench publishes;
 * the device memory estimate per atom (sizes that do not fit are refused with a message),
 * and at the smallest size the largest GPU-CPU force difference relative to the largest
 * force.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ace.h"
#include "build.h"
#include "gpu.h"
#include "md.h"
#include "md_dev.h"
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
        printf("GPU: none (%s): GPU benchmark skipped\n", why);
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
    printf("GPU: %s\n%-8s %9s %9s %9s %7s %8s  %s\n", why, "atoms", "force", "force_min", "md", "nbrs", "B/atom",
           "max|dF|/max|F| vs CPU");
    for (int k = 0; k < nsz; k++) {
        /* 8 sites per cubic cell, 10 % of the 4 cation sites empty: 7.8 atoms per cell */
        int cells = (int)lround(cbrt(sizes[k] / 7.8));
        pcm_system *s = build_rocksalt(cells < 1 ? 1 : cells, 6.0, 0.1, 1, &e);
        if (!s || potential_bind(p, s, &e) != 0) {
            fprintf(stderr, "bench_gpu: %s\n", e.msg);
            return 1;
        }
        build_rattle(s, 0.05, 2);
        double bpa = mdd_bytes_per_atom(p, s, 1.0);
        size_t fr = 0, tot = 0;
        if (gpu_mem_info(&fr, &tot) == 0 && bpa * s->n > 0.6 * (double)fr) {
            printf("%-8d skipped: needs about %.2f GiB on the GPU (%.0f B/atom), %.2f GiB free\n", s->n,
                   bpa * s->n / 1073741824.0, bpa, fr / 1073741824.0);
            system_free(s);
            continue;
        }
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
        /* whole MD steps on the device */
        double md_us = NAN;
        {
            pcm_md_params mp;
            md_params_default(&mp);
            mp.skin = 1.0;
            pcm_system *m = system_copy(s);
            pcm_md *md = md_new(m, p, &mp, &e);
            if (md && md_device_mode(md) == MD_DEVICE_GPU) {
                md_init_velocities(md, 600.0, 3);
                if (md_step(md, 20, &e) == 0) { /* upload, first build, warm-up */
                    long steps = 0;
                    double t1 = now();
                    while (steps < 40 || now() - t1 < min_time) {
                        if (md_step(md, 20, &e) != 0)
                            break;
                        steps += 20;
                    }
                    md_us = 1e6 * (now() - t1) / steps / s->n;
                }
            }
            if (!md || md_device_mode(md) != MD_DEVICE_GPU || isnan(md_us))
                fprintf(stderr, "bench_gpu: device MD at %d atoms: %s\n", s->n,
                        md ? (isnan(md_us) ? e.msg : md_device_note(md)) : e.msg);
            md_free(md);
            system_free(m);
        }
        printf("%-8d %9.4f %9.4f %9.4f %7.1f %8.0f  ", s->n, 1e6 * sum / nrep / s->n, 1e6 * best / s->n, md_us,
               (double)nl->npairs / s->n, bpa);
        if (dfr >= 0)
            printf("%.2g\n", dfr);
        else
            printf("-\n");
        nl_free(nl);
        system_free(s);
    }
    printf("force, md: us/atom-step (target on an H100: md <= 0.3 at 10^5 atoms)\n");
    potential_free(p);
    potential_free(cpu);
    return 0;
}
