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
