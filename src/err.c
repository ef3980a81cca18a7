/* err.c - error reporting helpers (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

int pcm_errf(pcm_err *e, const char *file, long line, const char *fmt, ...)
{
    if (!e)
        return -1;
    size_t off = 0;
    if (file && line > 0)
        off = (size_t)snprintf(e->msg, sizeof e->msg, "%s:%ld: ", file, line);
    else if (file)
        off = (size_t)snprintf(e->msg, sizeof e->msg, "%s: ", file);
    if (off >= sizeof e->msg)
        off = sizeof e->msg - 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + off, sizeof e->msg - off, fmt, ap);
    va_end(ap);
    return -1;
}

void pcm_set_fatal_hook(void (*hook)(void)) { fatal_hook = hook; }

void pcm_fatal(const char *fmt, ...)
{
    if (fatal_hook) {
        void (*h)(void) = fatal_hook;
        fatal_hook = NULL;
        h();
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("pcmlab: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

void *pcm_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        pcm_fatal("out of memory (%zu bytes)", n);
    return p;
}

void *pcm_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        pcm_fatal("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *pcm_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        pcm_fatal("out of memory (%zu bytes)", n);
    return q;
}

char *pcm_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = pcm_malloc(n);
    memcpy(d, s, n);
    return d;
}
