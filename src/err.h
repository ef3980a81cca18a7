/* err.h - user-input errors: a status plus "file:line: what was expected".
 *
 * Tier 2 of the house style's three error tiers: bad input never aborts; the
 * function that finds it fills a pcm_err and returns -1 (or NULL), and the
 * caller decides (the CLI prints and exits non-zero, the UI shows it on the
 * status line and keeps running).  Bugs use assert(); out-of-memory uses
 * pcm_fatal(), which runs the registered cleanup (terminal restore) first.
 */
#ifndef PCM_ERR_H
#define PCM_ERR_H

#include <stddef.h>

typedef struct pcm_err {
    char msg[1024];   /* "file:line: message" or "" when no error */
} pcm_err;

/* Fill e (if non-NULL) with "file:line: fmt..." (line <= 0 omits the line,
 * file == NULL omits the file).  Returns -1 so callers can `return pcm_errf(...)`. */
int pcm_errf(pcm_err *e, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fatal error path: runs the cleanup hook (if any), prints, exits(2). */
void pcm_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void pcm_set_fatal_hook(void (*hook)(void));

/* Allocation helpers that go down the fatal path on failure. */
void *pcm_malloc(size_t n);
void *pcm_calloc(size_t n, size_t size);
void *pcm_realloc(void *p, size_t n);
char *pcm_strdup(const char *s);

#endif
