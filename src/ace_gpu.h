/* ace_gpu.h - the CUDA backend of the ACE evaluator (src/ace_cuda.cu; stubs in gpu_none.c
 * when built without CUDA).  Pure C interface, used by ace.c behind pcm_potential:
 * ace_potential_load picks it when PCM_GPU=1 and gpu_available().
 *
 * The device runs the functions of ace_kernels.h (the same code the CPU evaluator runs)
 * from thin kernels: per pair geometry, per atom A gather + products + embedding + adjoint,
 * per pair forces, per atom force/virial gather.  Double precision; deterministic (no
 * floating-point atomics: every sum is a gather in a fixed order).
 */
#ifndef PCM_ACE_GPU_H
#define PCM_ACE_GPU_H

#include <stddef.h>

#include "ace_basis.h"
#include "ace_dag.h"
#include "potential.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ace_gpu ace_gpu;

/* Host copy of everything ace_kparams points to (ace_ksetup.c): kp's pointers are host
 * pointers into this struct and into ace_prog's arrays. */
typedef struct ace_khost {
    ace_kparams kp;
    ace_kbond bond[PCM_MAX_SPECIES * PCM_MAX_SPECIES];
    ace_kprog prog[PCM_MAX_SPECIES];
    ace_kemb emb[PCM_MAX_SPECIES];
    double E0[PCM_MAX_SPECIES];
    double *tab;
    size_t ntab;
} ace_khost;
/* 0, or -1 with a one-line reason (lmax > 20, more than 8 densities). */
int ace_khost_init(ace_khost *h, const ace_basis *b, const ace_prog *prog, char *why, size_t n);
void ace_khost_free(ace_khost *h);
/* ii[npairs] = centre of each pair; rstart[n+1], rq[npairs]: for each atom the pairs that
 * have it as neighbour, in pair order. */
void ace_k_index(const pcm_nlist *nl, int *ii, int *rstart, int *rq);

/* Upload b's tables and the compiled programs prog[nelements]; NULL + one-line reason in
 * why[n] when the device cannot be used (no GPU, out of memory, ...). */
ace_gpu *ace_gpu_new(const ace_basis *b, const ace_prog *prog, char *why, size_t n);
/* s->energy, pe, f, virial from nl (type_map: system species -> basis species).  Positions
 * are uploaded every call and the list (j, shifts, reverse index) whenever nl was rebuilt;
 * displacements are recomputed on the device.  0, or -1 with a one-line message in err[n]. */
int ace_gpu_compute(ace_gpu *g, const int *type_map, pcm_system *s, const pcm_nlist *nl, char *err, size_t n);
void ace_gpu_free(ace_gpu *g);

/* The MD device path (md_cuda.cu): everything already on the device (d_ pointers, list as
 * CSR start/j/shift[3] with pair -> centre ii and reverse index rstart/rq, cell rows d_h);
 * fills d_pe, d_f, d_wv ([n], [3n], [6n]) on the device.  0, or -1 + message. */
int ace_gpu_compute_dev(ace_gpu *g, int n, long np, const int *d_start, const int *d_j, const int *d_shift,
                        const int *d_ii, const int *d_rstart, const int *d_rq, const double *d_x, const int *d_mu,
                        const double *d_h, double *d_pe, double *d_f, double *d_wv, char *err, size_t errn);

/* Accessors for the device MD path (ace.c): NULL / -1 when p is not an ACE potential. */
ace_gpu *ace_potential_gpu(const pcm_potential *p);
const int *ace_potential_type_map(const pcm_potential *p); /* system species -> basis species (after bind) */
int ace_potential_khost(const pcm_potential *p, ace_khost *h, char *why, size_t n);

#ifdef __cplusplus
}
#endif

#endif
