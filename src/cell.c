/* cell.c - periodic cell geometry (see cell.h for conventions). */
#include "cell.h"

#include <math.h>
#include <string.h>

static void cross(const double a[3], const double b[3], double c[3])
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

int cell_set(pcm_cell *c, const double h[3][3])
{
    memcpy(c->h, h, sizeof c->h);
    double bc[3], ca[3], ab[3];
    cross(h[1], h[2], bc);
    cross(h[2], h[0], ca);
    cross(h[0], h[1], ab);
    double det = h[0][0] * bc[0] + h[0][1] * bc[1] + h[0][2] * bc[2];
    c->volume = fabs(det);
    if (c->volume < 1e-9) {
        memset(c->hinv, 0, sizeof c->hinv);
        return -1;
    }
    /* H⁻¹ columns are the reciprocal vectors (b×c)/det, (c×a)/det, (a×b)/det */
    for (int k = 0; k < 3; k++) {
        c->hinv[k][0] = bc[k] / det;
        c->hinv[k][1] = ca[k] / det;
        c->hinv[k][2] = ab[k] / det;
    }
    return 0;
}

void cell_set_ortho(pcm_cell *c, double lx, double ly, double lz)
{
    double h[3][3] = {{lx, 0, 0}, {0, ly, 0}, {0, 0, lz}};
    cell_set(c, h);
}

void cell_to_frac(const pcm_cell *c, const double r[3], double s[3])
{
    for (int a = 0; a < 3; a++)
        s[a] = r[0] * c->hinv[0][a] + r[1] * c->hinv[1][a] + r[2] * c->hinv[2][a];
}

void cell_to_cart(const pcm_cell *c, const double s[3], double r[3])
{
    for (int k = 0; k < 3; k++)
        r[k] = s[0] * c->h[0][k] + s[1] * c->h[1][k] + s[2] * c->h[2][k];
}

void cell_plane_spacings(const pcm_cell *c, double d[3])
{
    double x[3];
    cross(c->h[1], c->h[2], x);
    d[0] = c->volume / sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    cross(c->h[2], c->h[0], x);
    d[1] = c->volume / sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    cross(c->h[0], c->h[1], x);
    d[2] = c->volume / sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
}

void cell_wrap(const pcm_cell *c, double r[3], int img[3])
{
    double s[3];
    cell_to_frac(c, r, s);
    int sh[3];
    for (int a = 0; a < 3; a++) {
        double f = floor(s[a]);
        sh[a] = -(int)f;
        s[a] -= f;
        if (s[a] >= 1.0) { /* round-off guard */
            s[a] = 0.0;
            sh[a] -= 1;
        }
    }
    cell_to_cart(c, s, r);
    if (img)
        memcpy(img, sh, sizeof sh);
}

void cell_min_image(const pcm_cell *c, double d[3])
{
    double s[3];
    cell_to_frac(c, d, s);
    for (int a = 0; a < 3; a++)
        s[a] -= nearbyint(s[a]);
    cell_to_cart(c, s, d);
}

int cell_is_orthorhombic(const pcm_cell *c)
{
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++)
            if (a != k && c->h[a][k] != 0.0)
                return 0;
    return 1;
}

void cell_scale(pcm_cell *c, const double f[3])
{
    double h[3][3];
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++)
            h[a][k] = c->h[a][k] * f[k];
    cell_set(c, h);
}
