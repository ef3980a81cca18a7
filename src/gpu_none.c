/* gpu_none.c - gpu.h for builds without CUDA (CUDA=0), plus the shared helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"

#ifndef PCM_HAVE_CUDA
int gpu_available(char *name, size_t n)
{
    if (name && n)
        snprintf(name, n, "built without CUDA");
    return 0;
}
#endif

#ifndef PCM_HAVE_CUDA
int gpu_mem_info(size_t *free_bytes, size_t *total_bytes)
{
    *free_bytes = *total_bytes = 0;
    return -1;
}
#endif

int gpu_notice(char *buf, size_t n)
{
    char why[256];
    int ok = gpu_available(why, sizeof why);
    if (ok)
        snprintf(buf, n, "GPU: %s", why);
    else
        snprintf(buf, n, "no usable GPU (%s), running on the CPU", why);
    return ok;
}

int gpu_requested(void)
{
    const char *v = getenv("PCM_GPU");
    return v && strcmp(v, "1") == 0;
}

#ifndef PCM_HAVE_CUDA
#include "ace_gpu.h"

ace_gpu *ace_gpu_new(const ace_basis *b, const ace_prog *prog, char *why, size_t n)
{
    (void)b, (void)prog;
    snprintf(why, n, "built without CUDA");
    return NULL;
}

int ace_gpu_compute(ace_gpu *g, const int *type_map, pcm_system *s, const pcm_nlist *nl, char *err, size_t n)
{
    (void)g, (void)type_map, (void)s, (void)nl;
    snprintf(err, n, "built without CUDA");
    return -1;
}

void ace_gpu_free(ace_gpu *g) { (void)g; }

int ace_gpu_compute_dev(ace_gpu *g, int n, long np, const int *d_start, const int *d_j, const int *d_shift,
                        const int *d_ii, const int *d_rstart, const int *d_rq, const double *d_x, const int *d_mu,
                        const double *d_h, double *d_pe, double *d_f, double *d_wv, char *err, size_t errn)
{
    (void)g, (void)n, (void)np, (void)d_start, (void)d_j, (void)d_shift, (void)d_ii, (void)d_rstart, (void)d_rq;
    (void)d_x, (void)d_mu, (void)d_h, (void)d_pe, (void)d_f, (void)d_wv;
    snprintf(err, errn, "built without CUDA");
    return -1;
}

#include "md_dev.h"

void *mdd_cuda_new(const pcm_potential *pot, const mdd_ops **ops, char *why, size_t n)
{
    (void)pot, (void)ops;
    snprintf(why, n, "built without CUDA");
    return NULL;
}
#endif
