/* fileio.h - atomic file output and small text helpers.
 *
 * Every file pcmlab writes goes through atomic_open/atomic_commit: the data is
 * written to "PATH.tmp.PID" and renamed over PATH only when complete, so a
 * crash or an error never leaves a partial file under the real name.
 */
#ifndef PCM_FILEIO_H
#define PCM_FILEIO_H

#include <stdio.h>

#include "err.h"

typedef struct pcm_afile {
    FILE *fp;
    char *path;
    char *tmp;
} pcm_afile;

/* Opens a temporary file next to path; returns -1 with a message on failure. */
int atomic_open(pcm_afile *af, const char *path, pcm_err *e);
/* Flushes, fsyncs and renames into place; on any error the temporary is removed. */
int atomic_commit(pcm_afile *af, pcm_err *e);
/* Abandons the write: closes and removes the temporary. */
void atomic_abort(pcm_afile *af);
/* Write a whole buffer atomically. */
int atomic_write_file(const char *path, const void *data, size_t n, pcm_err *e);
/* Reads a whole file into a NUL-terminated malloc'ed buffer (NULL + message on error). */
char *read_file(const char *path, size_t *len, pcm_err *e);
/* mkdir -p; returns -1 with a message on failure. */
int make_dirs(const char *path, pcm_err *e);

#endif
