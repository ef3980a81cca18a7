/* cli.c - argument helpers shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

int cli_fail(const pcm_err *e)
{
    fprintf(stderr, "pcmlab: %s\n", e->msg);
    return 1;
}
