/* export.c - extxyz, LAMMPS data and CSV exports for the workbench. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cell.h"
#include "elements.h"
#include "export.h"
#include "extxyz.h"
#include "fileio.h"
#include "gnuplot.h"

int export_path(char *out, size_t cap, const char *dir, const char *stem, long step, const char *ext,
                pcm_err *e)
{
    if (make_dirs(dir, e) < 0)
        return -1;
    if (step >= 0)
        snprintf(out, cap, "%s/%s-%06ld.%s", dir, stem, step, ext);
    else
        snprintf(out, cap, "%s/%s.%s", dir, stem, ext);
    return 0;
}

int export_extxyz(const sim_snapshot *snap, const char *path, pcm_err *e)
{
    pcm_frame *fr = frame_new();
    pcm_system *s = fr->sys;
    for (int i = 0; i < snap->n; i++)
        system_add_atom(s, snap->species[snap->type[i]], snap->x[i]);
    s->cell = snap->cell;
    s->energy = snap->th.pe_atom * snap->n;
    memcpy(s->pe, snap->pe, sizeof *s->pe * snap->n);
    double *c = pcm_malloc(sizeof *c * (snap->n + 1));
    for (int i = 0; i < snap->n; i++)
        c[i] = snap->xtal[i] == SIM_XTAL_UNKNOWN ? -1.0 : snap->xtal[i];
    frame_add_col(fr, "crystalline", 'I', 1, c);
    free(c);
    if (snap->sigma_f) {   /* a committee runs: its per-atom force disagreement, eV/Å */
        frame_add_col(fr, "sigma_F", 'R', 1, snap->sigma_f);
        frame_setf(fr, "sigma_F_max", "%.6f", snap->sigma_f_max);
        frame_setf(fr, "sigma_F", "%.6f", snap->sigma_f_frame);
        frame_setf(fr, "sigma_F_step", "%ld", snap->sigma_step);
    }
    frame_setf(fr, "step", "%ld", snap->th.step);
    frame_setf(fr, "time_ps", "%.6f", snap->th.time_ps);
    frame_setf(fr, "T", "%.3f", snap->th.T);
    frame_setf(fr, "P", "%.3f", snap->th.P);
    frame_setf(fr, "crystalline_fraction", "%.5f", snap->xtal_fraction);
    int r = xyz_write_file(path, &fr, 1, XYZ_ENERGIES | XYZ_ENERGY, e);
    frame_free(fr);
    return r;
}

static double dot3(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

int export_lammps(const sim_snapshot *snap, const char *path, pcm_err *e)
{
    const double(*h)[3] = snap->cell.h;
    double la = sqrt(dot3(h[0], h[0]));
    double xy = dot3(h[1], h[0]) / la, ly = sqrt(fmax(0.0, dot3(h[1], h[1]) - xy * xy));
    double xz = dot3(h[2], h[0]) / la, yz = (dot3(h[1], h[2]) - xy * xz) / ly;
    double lz = sqrt(fmax(0.0, dot3(h[2], h[2]) - xz * xz - yz * yz));
    double hl[3][3] = {{la, 0, 0}, {xy, ly, 0}, {xz, yz, lz}};
    pcm_cell lc;
    if (cell_set(&lc, hl) < 0)
        return pcm_errf(e, path, 0, "singular cell, nothing written");
    int tilt = fabs(xy) > 1e-10 * la || fabs(xz) > 1e-10 * la || fabs(yz) > 1e-10 * la;
    pcm_afile af;
    if (atomic_open(&af, path, e) < 0)
        return -1;
    FILE *fp = af.fp;
    fprintf(fp, "LAMMPS data file from pcmlab workbench, step %ld, %.4f ps, units metal\n\n", snap->th.step,
            snap->th.time_ps);
    fprintf(fp, "%d atoms\n%d atom types\n\n", snap->n, snap->nspecies);
    fprintf(fp, "0.0 %.12f xlo xhi\n0.0 %.12f ylo yhi\n0.0 %.12f zlo zhi\n", la, ly, lz);
    if (tilt)
        fprintf(fp, "%.12f %.12f %.12f xy xz yz\n", xy, xz, yz);
    fprintf(fp, "\nMasses\n\n");
    for (int t = 0; t < snap->nspecies; t++)
        fprintf(fp, "%d %.6f  # %s\n", t + 1, element_mass(snap->species[t]), snap->species[t]);
    fprintf(fp, "\nAtoms  # atomic\n\n");
    for (int i = 0; i < snap->n; i++) {
        double f[3], r[3];
        cell_to_frac(&snap->cell, snap->x[i], f);
        for (int k = 0; k < 3; k++)
            f[k] -= floor(f[k]);
        cell_to_cart(&lc, f, r);
        fprintf(fp, "%d %d %.10f %.10f %.10f\n", i + 1, snap->type[i] + 1, r[0], r[1], r[2]);
    }
    return atomic_commit(&af, e);
}

int export_csv(const sim_series *ser, const char *path, pcm_err *e)
{
    pcm_afile af;
    if (atomic_open(&af, path, e) < 0)
        return -1;
    fprintf(af.fp, "time_ps,pe_eV_atom,T_K,density_gcc,crystalline_fraction%s\n",
            ser->committee ? ",sigma_F_max_eV_A,sigma_F_eV_A" : "");
    for (int k = 0; k < ser->n; k++) {
        fprintf(af.fp, "%.6f,%.8f,%.4f,%.6f,", ser->t[k], ser->pe[k], ser->T[k], ser->rho[k]);
        if (!isnan(ser->xf[k]))
            fprintf(af.fp, "%.5f", ser->xf[k]);
        if (ser->committee && !isnan(ser->sfmax[k]))
            fprintf(af.fp, ",%.6f,%.6f", ser->sfmax[k], ser->sf[k]);
        else if (ser->committee)
            fputs(",,", af.fp);
        fputc('\n', af.fp);
    }
    return atomic_commit(&af, e);
}

/* gnuplot: np panels against column 1 of dat (ycol[p] the column of panel p; sep ',' for CSV,
 * with a header line skipped), to path via a temporary name. */
static int plot_panels(const char *dat, int csv, const int *ycol, int np, const char *path, pcm_err *e)
{
    static const char *lab[5] = {"PE (eV/atom)", "T (K)", "density (g/cm^3)", "crystalline fraction",
                                 "committee {/Symbol s}_F (eV/A)"};
    static const char *col[5] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
    if (gnuplot_path_ok(path, e) != 0 || gnuplot_path_ok(dat, e) != 0)
        return -1;
    FILE *g = gnuplot_open(e);
    if (!g)
        return -1;
    fprintf(g, "set terminal pngcairo size 1000,%d font 'Sans,11'\nset output '%s.tmp'\nset grid\nunset key\n"
               "set xlabel 'time (ps)'\n%sset multiplot layout %d,1\n",
            np * 220, path, csv ? "set datafile separator ','\n" : "", np);
    for (int p = 0; p < np; p++)
        fprintf(g, "set ylabel '%s'\n%splot '%s' %su %d:%d w l lw 2 lc rgb '%s'\n", lab[p],
                p == 3 ? "set yrange [0:1]\n" : "set autoscale y\n", dat, csv ? "every ::1 " : "", csv ? 2 : 1,
                ycol[p], col[p]);
    fputs("unset multiplot\n", g);
    return gnuplot_close(g, &path, 1, e);
}

int export_plot(const sim_series *ser, const char *path, pcm_err *e)
{
    if (ser->n < 2)
        return pcm_errf(e, path, 0, "nothing to plot yet (%d samples)", ser->n);
    char dat[4200];
    snprintf(dat, sizeof dat, "%s.dat.tmp", path);
    FILE *fd = fopen(dat, "w");
    if (!fd)
        return pcm_errf(e, dat, 0, "cannot write the plot data");
    for (int k = 0; k < ser->n; k++)
        fprintf(fd, "%.6f %.8f %.4f %.6f %.5f %.6f\n", ser->t[k], ser->pe[k], ser->T[k], ser->rho[k],
                ser->xf[k], ser->committee ? ser->sf[k] : NAN);   /* NAN prints "nan": gnuplot skips it */
    int werr = ferror(fd);
    if (fclose(fd) != 0 || werr) {
        remove(dat);
        return pcm_errf(e, dat, 0, "cannot write the plot data");
    }
    static const int ycol[5] = {2, 3, 4, 5, 6};
    int rc = plot_panels(dat, 0, ycol, ser->committee ? 5 : 4, path, e);
    remove(dat);
    return rc;
}

int export_plot_thermo(const char *csv, const char *path, pcm_err *e)
{
    char *txt = read_file(csv, NULL, e);
    if (!txt)
        return -1;
    int committee = strstr(txt, ",sigma_F_max,sigma_F") != NULL, lines = 0;
    for (const char *q = txt; *q; q++)
        lines += *q == '\n';
    free(txt);
    if (lines < 3)
        return pcm_errf(e, csv, 0, "nothing to plot yet (%d samples)", lines - 1);
    /* step,time_ps,T,pe_atom,ke_atom,P,volume,density,crystalline_fraction[,sigma_F_max,sigma_F] */
    static const int ycol[5] = {4, 3, 8, 9, 11};
    return plot_panels(csv, 1, ycol, committee ? 5 : 4, path, e);
}
