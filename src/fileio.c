/* fileio.c - atomic writes (temp file + rename) and file helpers. */
#include "fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_open(pcm_afile *af, const char *path, pcm_err *e)
{
    memset(af, 0, sizeof *af);
    size_t n = strlen(path) + 32;
    af->tmp = pcm_malloc(n);
    snprintf(af->tmp, n, "%s.tmp.%ld", path, (long)getpid());
    af->fp = fopen(af->tmp, "w");
    if (!af->fp) {
        pcm_errf(e, path, 0, "cannot write: %s", strerror(errno));
        free(af->tmp);
        af->tmp = NULL;
        return -1;
    }
    af->path = pcm_strdup(path);
    return 0;
}

void atomic_abort(pcm_afile *af)
{
    if (af->fp)
        fclose(af->fp);
    if (af->tmp)
        unlink(af->tmp);
    free(af->tmp);
    free(af->path);
    memset(af, 0, sizeof *af);
}

int atomic_commit(pcm_afile *af, pcm_err *e)
{
    int bad = ferror(af->fp) || fflush(af->fp) != 0 || fsync(fileno(af->fp)) != 0;
    int err = errno;
    if (fclose(af->fp) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    af->fp = NULL;
    if (!bad && rename(af->tmp, af->path) != 0) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        pcm_errf(e, af->path, 0, "write failed: %s", strerror(err));
        atomic_abort(af);
        return -1;
    }
    free(af->tmp);
    free(af->path);
    memset(af, 0, sizeof *af);
    return 0;
}

int atomic_write_file(const char *path, const void *data, size_t n, pcm_err *e)
{
    pcm_afile af;
    if (atomic_open(&af, path, e) != 0)
        return -1;
    if (n && fwrite(data, 1, n, af.fp) != n) {
        atomic_abort(&af);
        return pcm_errf(e, path, 0, "write failed");
    }
    return atomic_commit(&af, e);
}

char *read_file(const char *path, size_t *len, pcm_err *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        pcm_errf(e, path, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = pcm_malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = pcm_realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        pcm_errf(e, path, 0, "read error");
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int make_dirs(const char *path, pcm_err *e)
{
    char *p = pcm_strdup(path);
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            pcm_errf(e, p, 0, "cannot create folder: %s", strerror(errno));
            free(p);
            return -1;
        }
        *q = '/';
    }
    int rc = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        rc = pcm_errf(e, p, 0, "cannot create folder: %s", strerror(errno));
    free(p);
    return rc;
}
