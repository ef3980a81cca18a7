/* ace.h - Atomic Cluster Expansion potentials from pacemaker .yace files. */
#ifndef PCM_ACE_H
#define PCM_ACE_H

#include "potential.h"

/* Load a .yace (C-tilde basis) file; NULL + "file:line: message" on bad input. */
pcm_potential *ace_potential_load(const char *path, pcm_err *e);

#endif
