/* gpu.h - is there a usable CUDA GPU?  Pure C interface (no CUDA headers), implemented
 * by gpu.cu when built with CUDA (PCM_HAVE_CUDA) and by gpu_none.c otherwise.
 *
 * Without a driver cudaGetDeviceCount returns an error (cudaErrorInsufficientDriver),
 * not zero devices: any error or a zero count means "no GPU" and callers fall back to
 * the CPU with the one-line notice from gpu_notice().
 */
#ifndef PCM_GPU_H
#define PCM_GPU_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when device 0 works: its name into name[n] ("NAME, sm_XY, N GiB").  0 otherwise: the
 * reason (one line, e.g. "cudaGetDeviceCount: CUDA driver version is insufficient...",
 * "built without CUDA") into name[n]. */
int gpu_available(char *name, size_t n);

/* "GPU: NAME" or "no usable GPU (REASON), running on the CPU" into buf[n]; returns
 * gpu_available(). */
int gpu_notice(char *buf, size_t n);

/* Free and total device memory (bytes) of device 0; -1 when there is no usable GPU. */
int gpu_mem_info(size_t *free_bytes, size_t *total_bytes);

/* 1 when the user asked for the GPU backend (environment PCM_GPU=1). */
int gpu_requested(void);

#ifdef __cplusplus
}
#endif

#endif
