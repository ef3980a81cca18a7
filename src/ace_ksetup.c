/* ace_ksetup.c - host side of the device pipeline (ace_kernels.h): the parameter block
 * with host pointers (uploaded by ace_cuda.cu; used directly by tests/test_gpu.c to run
 * the kernel bodies on the CPU) and the pair -> centre and reverse indices of a list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ace_gpu.h"

int ace_khost_init(ace_khost *h, const ace_basis *b, const ace_prog *prog, char *why, size_t n)
{
    memset(h, 0, sizeof *h);
    int nel = b->nelements, maxnode = 1, P = 1;
    ace_kparams *kp = &h->kp;
    if (b->lmax > ACE_K_LMAX) {
        snprintf(why, n, "lmax %d > %d", b->lmax, ACE_K_LMAX);
        return -1;
    }
    kp->nel = nel;
    kp->K = b->nradbase;
    kp->L = b->lmax + 1;
    kp->N = b->nradmax > 0 ? b->nradmax : 1;
    kp->nlm = kp->L * (kp->L + 1) / 2;
    kp->nf = ace_nf(b);
    kp->lmax = b->lmax;
    kp->NA = ace_nA(b);
    kp->is_zbl = b->inner_type == ACE_INNER_ZBL;
    kp->cutoffmax = b->cutoffmax;
    for (int p = 0; p < nel * nel; p++) {
        const ace_spline *sp = &b->splines[p];
        h->bond[p] = (ace_kbond){sp->nlut, sp->rscale, b->bonds[p].rcut, b->bonds[p].rcut_in, b->bonds[p].dcut_in,
                                 h->ntab};
        h->ntab += (size_t)(sp->nlut + 1) * 4 * sp->nf;
    }
    h->tab = pcm_malloc(h->ntab * sizeof *h->tab);
    for (int p = 0; p < nel * nel; p++)
        memcpy(h->tab + h->bond[p].off, b->splines[p].c,
               (size_t)(b->splines[p].nlut + 1) * 4 * b->splines[p].nf * sizeof *h->tab);
    for (int mu = 0; mu < nel; mu++) {
        const ace_prog *pg = &prog[mu];
        if (pg->P > 8) {
            snprintf(why, n, "%d densities > 8", pg->P);
            ace_khost_free(h);
            return -1;
        }
        maxnode = pg->nnode > maxnode ? pg->nnode : maxnode;
        P = pg->P > P ? pg->P : P;
        h->prog[mu] = ace_prog_view(pg);
        h->emb[mu].npoti = b->emb[mu].npoti;
        h->emb[mu].rho_core_cut = b->emb[mu].rho_core_cut;
        h->emb[mu].drho_core_cut = b->emb[mu].drho_core_cut;
        for (int k = 0; k < 2 * pg->P; k++)
            h->emb[mu].fs[k] = b->emb[mu].fs[k];
        h->E0[mu] = b->E0[mu];
    }
    kp->maxnode = maxnode;
    kp->P = P;
    ace_k_layout(kp);
    kp->bond = h->bond;
    kp->tab = h->tab;
    kp->prog = h->prog;
    kp->emb = h->emb;
    kp->E0 = h->E0;
    kp->ylm = (const ace_ylm_coef *)ace_ylm_coefs();
    return 0;
}

void ace_khost_free(ace_khost *h)
{
    free(h->tab);
    h->tab = NULL;
}

void ace_k_index(const pcm_nlist *nl, int *ii, int *rstart, int *rq)
{
    int n = nl->n;
    memset(rstart, 0, (size_t)(n + 1) * sizeof *rstart);
    for (int i = 0; i < n; i++)
        for (int q = nl->start[i]; q < nl->start[i + 1]; q++) {
            ii[q] = i;
            rstart[nl->j[q] + 1]++;
        }
    for (int i = 0; i < n; i++)
        rstart[i + 1] += rstart[i];
    int *fill = pcm_malloc((size_t)(n > 0 ? n : 1) * sizeof *fill);
    memcpy(fill, rstart, (size_t)n * sizeof *fill);
    for (long q = 0; q < nl->npairs; q++) /* pair order within each atom's reverse range */
        rq[fill[nl->j[q]]++] = (int)q;
    free(fill);
}
