/* version.h - version string; the build stamp (commit) comes from the Makefile's generated
 * stamp.h (in the build folder, on the include path), "unknown build" without it. */
#ifndef PCM_VERSION_H
#define PCM_VERSION_H
#define PCM_VERSION "0.1.0"
#if defined(__has_include)
#if __has_include("stamp.h")
#include "stamp.h"
#endif
#endif
#ifndef PCM_BUILD_STAMP
#define PCM_BUILD_STAMP "unknown build"
#endif
#endif
