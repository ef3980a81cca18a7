/* cli.c - argument helpers shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crystallinity.h"
#include "extxyz.h"

int cli_double(const char *opt, const char *s, double *out, pcm_err *e)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : 0.0;
    if (!s || end == s || *end || errno || !isfinite(v))
        return pcm_errf(e, NULL, 0, "%s expects a number, got '%s'", opt, s ? s : "(nothing)");
    *out = v;
    return 0;
}

int cli_int(const char *opt, const char *s, long *out, pcm_err *e)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || errno)
        return pcm_errf(e, NULL, 0, "%s expects an integer, got '%s'", opt, s ? s : "(nothing)");
    *out = v;
    return 0;
}

int cli_temps(const char *opt, const char *s, double *T, int max, int *n, pcm_err *e)
{
    *n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        double t = strtod(p, &end);
        if (end == p || !(t >= 1.0 && t <= 5000.0) || (*end && (*end != ',' || !end[1])))
            return pcm_errf(e, NULL, 0, "%s expects temperatures in K (1..5000) separated by commas, got '%s'", opt,
                            s);
        if (*n == max)
            return pcm_errf(e, NULL, 0, "%s: at most %d temperatures", opt, max);
        T[(*n)++] = t;
        p = *end ? end + 1 : end;
    }
    return *n ? 0 : pcm_errf(e, NULL, 0, "%s needs at least one temperature", opt);
}

int cli_temp_time(const char *opt, const char *s, double *T, double *ps, pcm_err *e)
{
    char tail;
    if (sscanf(s, "%lf:%lf%c", T, ps, &tail) != 2 || !(*T > 0 && *T <= 5000) || !(*ps > 0 && *ps <= 1000))
        return pcm_errf(e, NULL, 0, "%s expects T_K:PS (e.g. 1500:4), got '%s'", opt, s);
    return 0;
}

int cli_fail(const pcm_err *e)
{
    fprintf(stderr, "pcmlab: %s\n", e->msg);
    return 1;
}

int cli_write_xtal_frame(const char *path, pcm_system *s, const char *const *kv, pcm_err *e)
{
    int n = s->n;
    unsigned char *fl = pcm_malloc((size_t)(n ? n : 1));
    double *col = pcm_malloc((size_t)(n ? n : 1) * sizeof *col);
    pcm_xtal_summary sum;
    pcm_err xe = {{0}};
    pcm_frame fr;
    memset(&fr, 0, sizeof fr);
    fr.sys = s;
    if (xtal_compute(s, NULL, fl, NULL, &sum, &xe) == 0) {
        for (int i = 0; i < n; i++)
            col[i] = fl[i];
        frame_add_col(&fr, "crystalline", 'I', 1, col);
        frame_setf(&fr, "crystalline_fraction", "%.6f", sum.fraction);
    }
    frame_setf(&fr, "time_ps", "%.6f", s->time * 1e-3);
    for (int k = 0; kv && kv[k] && kv[k + 1]; k += 2)
        frame_set(&fr, kv[k], kv[k + 1]);
    pcm_frame *fp = &fr;
    int rc = xyz_write_file(path, &fp, 1, XYZ_VEL | XYZ_ENERGY, e);
    frame_clear_info(&fr);   /* s is borrowed */
    free(fl), free(col);
    return rc;
}

void cli_cmdline(char *buf, size_t n, int argc, char **argv)
{
    int len = snprintf(buf, n, "pcmlab");
    for (int k = 0; k < argc && len >= 0 && (size_t)len < n; k++)
        len += snprintf(buf + len, n - (size_t)len, " %s", argv[k]);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

volatile sig_atomic_t cli_stop;
static struct sigaction cli_old_int, cli_old_term;

static void cli_on_stop(int sig) { cli_stop = sig; }

void cli_catch_stop(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = cli_on_stop;
    sa.sa_flags = SA_RESETHAND;   /* a second Ctrl-C ends at once */
    sigemptyset(&sa.sa_mask);
    cli_stop = 0;
    sigaction(SIGINT, &sa, &cli_old_int);
    sigaction(SIGTERM, &sa, &cli_old_term);
}

void cli_release_stop(void)
{
    sigaction(SIGINT, &cli_old_int, NULL);
    sigaction(SIGTERM, &cli_old_term, NULL);
}
