/* ace.c - placeholder until the ACE evaluator lands (issue #2): refuses to load. */
#include "ace.h"

pcm_potential *ace_potential_load(const char *path, pcm_err *e)
{
    pcm_errf(e, path, 0, "the ACE evaluator is not built in yet");
    return NULL;
}
