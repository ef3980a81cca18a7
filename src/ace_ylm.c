/* ace_ylm.c - complex spherical harmonics in PACE normalisation and their gradients.
 *
 * YACE_FORMAT.md §3 (ML-PACE ace_spherical_cart.cpp): Y_lm = sqrt(4π)·Y_lm(standard),
 * Condon-Shortley phase, so Y_00 = 1:
 *   P̄(0,0)=1, P̄(1,0)=√3 z, P̄(1,1)=-√(3/2),
 *   P̄(l,m)=a_lm (z P̄(l-1,m) + b_lm P̄(l-2,m))  (m <= l-2),
 *   P̄(l,l-1)=√(2l+1) z P̄(l-1,l-1),  P̄(l,l) = -√(1+1/(2l)) P̄(l-1,l-1),
 *   Y_lm = (x+iy)^m P̄(l,m)  (m >= 0; Y_l,-m = (-1)^m conj Y_lm).
 * The gradient is that of the polynomial in (x,y,z), projected transverse to r̂:
 *   dY = g - r̂ (r̂·g); the derivative w.r.t. r_j is dY / r.
 */
#include <math.h>
#include <pthread.h>

#include "ace_basis.h"
#include "ace_kernels.h"

#define YLM_LMAX ACE_K_LMAX

static ace_ylm_coef coef;
static pthread_once_t ylm_once = PTHREAD_ONCE_INIT;

static void ylm_init(void)
{
    for (int l = 1; l <= YLM_LMAX; l++) {
        double lsq = (double)l * l, l2 = (double)(l - 1) * (l - 1);
        for (int m = 0; m < l - 1; m++) {
            double msq = (double)m * m;
            coef.alm[l][m] = sqrt((4 * lsq - 1) / (lsq - msq));
            coef.blm[l][m] = -sqrt((l2 - msq) / (4 * l2 - 1));
        }
        coef.cl[l] = -sqrt(1.0 + 0.5 / (double)l);
        coef.dl[l] = sqrt((double)(2 * (l - 1) + 3));
    }
}

#define LM(l, m) ((l) * ((l) + 1) / 2 + (m))

const ace_ylm_coef *ace_ylm_coefs(void)
{
    pthread_once(&ylm_once, ylm_init);
    return &coef;
}

void ace_ylm_parts(int lmax, const double rhat[3], double *p, double *dp, double (*ph)[2])
{
    double pp[(YLM_LMAX + 1) * (YLM_LMAX + 2) / 2][2];
    ace_k_ylm_parts(ace_ylm_coefs(), lmax, rhat, pp, ph);
    for (int lm = 0; lm < (lmax + 1) * (lmax + 2) / 2; lm++) {
        p[lm] = pp[lm][0];
        dp[lm] = pp[lm][1];
    }
}

void ace_ylm(int lmax, const double rhat[3], double (*y)[2], double (*dy)[3][2])
{
    double x = rhat[0], yy = rhat[1], z = rhat[2];
    double p[(YLM_LMAX + 1) * (YLM_LMAX + 2) / 2], dp[(YLM_LMAX + 1) * (YLM_LMAX + 2) / 2];
    double ph[YLM_LMAX + 1][2], mph[YLM_LMAX + 1][2];
    ace_ylm_parts(lmax, rhat, p, dp, ph);
    mph[0][0] = mph[0][1] = 0;
    for (int m = 1; m <= lmax; m++) {
        mph[m][0] = m * ph[m - 1][0];
        mph[m][1] = m * ph[m - 1][1];
    }
    for (int l = 0; l <= lmax; l++)
        for (int m = 0; m <= l; m++) {
            int k = LM(l, m);
            double P = p[k], dP = dp[k];
            y[k][0] = ph[m][0] * P;
            y[k][1] = ph[m][1] * P;
            if (!dy)
                continue;
            /* g = (m ph^(m-1) P, i m ph^(m-1) P, ph^m dP) */
            double gx[2] = {mph[m][0] * P, mph[m][1] * P};
            double gy[2] = {-mph[m][1] * P, mph[m][0] * P};
            double gz[2] = {ph[m][0] * dP, ph[m][1] * dP};
            for (int c = 0; c < 2; c++) {
                double rd = x * gx[c] + yy * gy[c] + z * gz[c];
                dy[k][0][c] = gx[c] - rd * x;
                dy[k][1][c] = gy[c] - rd * yy;
                dy[k][2][c] = gz[c] - rd * z;
            }
        }
}
