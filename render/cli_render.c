/* cli_render.c - `pcmlab render CONFIG.extxyz -o out.png [options]`: one frame
 * of the 3D view without any display (SDL offscreen driver when DISPLAY is unset). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/cli.h"
#include "../src/extxyz.h"
#include "../src/sim.h"
#include "render.h"

static int usage(void)
{
    fprintf(stderr, "usage: pcmlab render CONFIG.extxyz -o OUT.png [--color element|crystal|energy|uncertainty]\n"
                    "       [--size N] [--sigma-warn F]\n"
                    "       [--view iso|front|side] [--slab CENTER,WIDTH] [--radius-scale F] [--no-legend]\n"
                    "       [--bench FRAMES] [--probe X,Y]...\n"
                    "crystal colours come from a 'crystalline' column, else from the crystallinity analysis;\n"
                    "uncertainty from a 'sigma_F' column (eV/A; pcmlab run with a committee writes one), scaled to\n"
                    "--sigma-warn (default 1 eV/A).\n");
    return 2;
}

int cmd_render(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    render_color col = RENDER_COLOR_ELEMENT;
    long size = 256, bench = 0;
    int iso = 1, slab = 0, nprobe = 0, probe[16][2];
    double slab_c = 0.5, slab_w = 0.25, rscale = 1.0, swarn = 1.0;
    int legend = 1;
    pcm_err e = {{0}};
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (!strcmp(a, "-o") && v) out = v, k++;
        else if (!strcmp(a, "--color") && v) {
            if (render_color_parse(v, &col) < 0)
                return fprintf(stderr, "pcmlab: --color expects element, crystal, energy or uncertainty, got '%s'\n", v), 2;
            k++;
        } else if (!strcmp(a, "--size") && v) {
            if (cli_int("--size", v, &size, &e) < 0 || size < 16 || size > 8192)
                return fprintf(stderr, "pcmlab: --size expects 16..8192 pixels, got '%s'\n", v), 2;
            k++;
        } else if (!strcmp(a, "--bench") && v) {
            if (cli_int("--bench", v, &bench, &e) < 0 || bench < 0)
                return cli_fail(&e);
            k++;
        } else if (!strcmp(a, "--view") && v) {
            if (strcmp(v, "iso") && strcmp(v, "front") && strcmp(v, "side"))
                return fprintf(stderr, "pcmlab: --view expects iso, front or side\n"), 2;
            iso = !strcmp(v, "iso") ? 1 : !strcmp(v, "side") ? 2 : 0, k++;
        } else if (!strcmp(a, "--slab") && v) {
            if (sscanf(v, "%lf,%lf", &slab_c, &slab_w) != 2)
                return fprintf(stderr, "pcmlab: --slab expects CENTER,WIDTH as fractions\n"), 2;
            slab = 1, k++;
        } else if (!strcmp(a, "--sigma-warn") && v) {
            if (cli_double("--sigma-warn", v, &swarn, &e) < 0 || swarn <= 0)
                return fprintf(stderr, "pcmlab: --sigma-warn expects a positive number (eV/A)\n"), 2;
            k++;
        } else if (!strcmp(a, "--no-legend")) {
            legend = 0;
        } else if (!strcmp(a, "--radius-scale") && v) {
            if (cli_double("--radius-scale", v, &rscale, &e) < 0 || rscale <= 0)
                return fprintf(stderr, "pcmlab: --radius-scale expects a positive number\n"), 2;
            k++;
        } else if (!strcmp(a, "--probe") && v && nprobe < 16) {
            if (sscanf(v, "%d,%d", &probe[nprobe][0], &probe[nprobe][1]) != 2)
                return fprintf(stderr, "pcmlab: --probe expects X,Y\n"), 2;
            nprobe++, k++;
        } else if (a[0] != '-' && !in) in = a;
        else return usage();
    }
    if (!in || !out)
        return usage();
    pcm_frame *fr = xyz_read_first(in, &e);
    if (!fr)
        return cli_fail(&e);
    pcm_system *sys = fr->sys;
    unsigned char *x = NULL;
    int nc;
    double *c = frame_col(fr, "crystalline", &nc);
    if (c || col == RENDER_COLOR_CRYSTAL) {
        x = malloc(sys->n + 1);
        double f;
        if (c)
            for (int i = 0; i < sys->n; i++)
                x[i] = c[i] < 0 ? SIM_XTAL_UNKNOWN : c[i] > 0.5;
        else if (sim_crystallinity(sys, x, &f, &e) < 0)
            fprintf(stderr, "pcmlab: note: %s; atoms drawn grey\n", e.msg), free(x), x = NULL;
    }
    if (!fr->has_energies)
        for (int i = 0; i < sys->n; i++)
            sys->pe[i] = 0;
    const char *kv;
    if ((kv = frame_get(fr, "step")))
        sys->step = atol(kv);
    if ((kv = frame_get(fr, "time_ps")))
        sys->time = 1e3 * atof(kv);   /* fs */
    int ns;
    double *sg = frame_col(fr, "sigma_F", &ns);
    if (col == RENDER_COLOR_UNCERTAINTY && (!sg || ns != 1)) {
        fprintf(stderr, "pcmlab: %s: --color uncertainty needs a per-atom sigma_F column (a committee run writes one)\n",
                in);
        free(x);
        frame_free(fr);
        return 2;
    }
    sim_snapshot *snap = sim_snapshot_from_system(sys, x);
    snap->sigma_warn = swarn;
    if (sg && ns == 1) {
        snap->sigma_f = pcm_malloc(sizeof *snap->sigma_f * (sys->n + 1));
        snap->sigma_f_max = 0;
        for (int i = 0; i < sys->n; i++)
            snap->sigma_f[i] = sg[i], snap->sigma_f_max = fmax(snap->sigma_f_max, sg[i]);
    }
    if ((kv = frame_get(fr, "T")))
        snap->th.T = atof(kv);
    free(x);
    frame_free(fr);
    render *r = render_new((int)size, (int)size, 0, &e);
    if (!r) {
        sim_snapshot_free(snap);
        return cli_fail(&e);
    }
    render_set_color(r, col);
    render_set_style(r, rscale, legend);
    render_view_reset(r, iso);
    if (slab)
        render_set_slab(r, 1, slab_c, slab_w);
    int rc = 0;
    if (render_png(r, snap, out, &e) < 0) {
        rc = cli_fail(&e);
    } else {
        int w, h;
        const unsigned char *px = render_capture(r, snap, &w, &h);
        for (int k = 0; k < nprobe; k++) {
            int px_ = probe[k][0], py = probe[k][1];
            if (px_ < 0 || py < 0 || px_ >= w || py >= h)
                continue;
            const unsigned char *q = px + 3 * ((size_t)py * w + px_);
            printf("pixel %d %d = %d %d %d\n", px_, py, q[0], q[1], q[2]);
        }
        double tot = 0;
        for (long k = 0; k < bench; k++) {
            render_draw(r, snap);
            tot += render_frame_ms(r);
        }
        printf("wrote %s (%dx%d, %d atoms, colour %s, %s)\n", out, w, h, snap->n, render_color_name(col),
               render_gl_info(r));
        if (bench)
            printf("frame %.2f ms mean over %ld frames (%d atoms, %dx%d, offscreen)\n", tot / bench, bench, snap->n, w, h);
    }
    render_free(r);
    sim_snapshot_free(snap);
    return rc;
}
