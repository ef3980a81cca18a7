/* gpu.cu - gpu_available() for CUDA builds (see gpu.h). */
#include <cuda_runtime.h>
#include <stdio.h>

#include "gpu.h"

extern "C" int gpu_available(char *name, size_t n)
{
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        snprintf(name, n, "cudaGetDeviceCount: %s", cudaGetErrorString(err));
        cudaGetLastError(); /* clear the sticky-free error so later calls start clean */
        return 0;
    }
    if (count <= 0) {
        snprintf(name, n, "no CUDA devices");
        return 0;
    }
    cudaDeviceProp prop;
    err = cudaGetDeviceProperties(&prop, 0);
    if (err != cudaSuccess) {
        snprintf(name, n, "cudaGetDeviceProperties: %s", cudaGetErrorString(err));
        cudaGetLastError();
        return 0;
    }
    if (prop.major < 7 || (prop.major == 7 && prop.minor < 5)) {
        snprintf(name, n, "%s is sm_%d%d, need sm_75 or newer", prop.name, prop.major, prop.minor);
        return 0;
    }
    snprintf(name, n, "%s, sm_%d%d, %.0f GiB", prop.name, prop.major, prop.minor,
             (double)prop.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
    return 1;
}

extern "C" int gpu_mem_info(size_t *free_bytes, size_t *total_bytes)
{
    size_t fr = 0, tot = 0;
    if (cudaMemGetInfo(&fr, &tot) != cudaSuccess) {
        cudaGetLastError();
        return -1;
    }
    *free_bytes = fr;
    *total_bytes = tot;
    return 0;
}
