/* testutil.h - shared helpers for the cmocka unit tests. */
#ifndef PCM_TESTUTIL_H
#define PCM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "extxyz.h"

/* The read-only conformance data beside the checkout (../shared), or NULL.
 * PCM_SHARED overrides the location. */
static inline const char *test_shared_dir(void)
{
    static char buf[4096];
    const char *env = getenv("PCM_SHARED");
    const char *cand[] = {env, "../shared", "../../shared"};
    for (size_t k = 0; k < sizeof cand / sizeof cand[0]; k++) {
        struct stat st;
        if (!cand[k])
            continue;
        snprintf(buf, sizeof buf, "%s/ace-reference", cand[k]);
        if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(buf, sizeof buf, "%s", cand[k]);
            return buf;
        }
    }
    return NULL;
}

/* Path inside ../shared/ace-reference, or skip the test when it is absent. */
#define ACE_REF_PATH(buf, rel)                                                                     \
    do {                                                                                           \
        const char *sd_ = test_shared_dir();                                                       \
        if (!sd_) {                                                                                \
            print_message("[ SKIP ] ../shared/ace-reference not found\n");                         \
            skip();                                                                                \
        }                                                                                          \
        snprintf((buf), sizeof(buf), "%s/ace-reference/%s", sd_, (rel));                           \
    } while (0)

/* A configuration of ../shared/ace-reference/configs by name ("gst_liquid_100");
 * skips the test when ../shared is absent, fails it when the file is unreadable. */
static inline pcm_system *test_load_ref_config(const char *name)
{
    char path[8192], rel[256];
    snprintf(rel, sizeof rel, "configs/%s.xyz", name);
    ACE_REF_PATH(path, rel);
    pcm_err e = {{0}};
    pcm_frame *fr = xyz_read_first(path, &e);
    if (!fr)
        fail_msg("%s", e.msg);
    pcm_system *s = system_copy(fr->sys);
    frame_free(fr);
    return s;
}

#endif
