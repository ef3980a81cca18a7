/* gnuplot.c - running gnuplot (gnuplot.h). */
#include "gnuplot.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

FILE *gnuplot_open(pcm_err *e)
{
    FILE *g = popen("gnuplot 2>/dev/null", "w");
    if (!g)
        pcm_errf(e, NULL, 0, "cannot start gnuplot");
    return g;
}

int gnuplot_close(FILE *g, const char *const *outs, int n, pcm_err *e)
{
    fputs("\nset output\n", g);
    int rc = pclose(g), bad = 0;
    for (int k = 0; k < n; k++) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", outs[k]);
        if (rc == 0 && rename(tmp, outs[k]) == 0)
            continue;
        remove(tmp);
        if (rc == 0 && !bad++)
            pcm_errf(e, outs[k], 0, "cannot rename the plot into place");
    }
    if (rc != 0) {
        if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127)
            return pcm_errf(e, NULL, 0, "plot export needs gnuplot (make deps installs it)");
        return pcm_errf(e, n ? outs[0] : NULL, 0, "gnuplot failed (status %d)", rc);
    }
    return bad ? -1 : 0;
}

int gnuplot_path_ok(const char *path, pcm_err *e)
{
    if (strchr(path, '\''))   /* gnuplot's strings are quoted with ' */
        return pcm_errf(e, path, 0, "cannot plot to or from a path containing a single quote");
    return 0;
}
