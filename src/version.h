/* version.h - version string; the build stamp comes from the Makefile. */
#ifndef PCM_VERSION_H
#define PCM_VERSION_H
#define PCM_VERSION "0.1.0"
#ifndef PCM_BUILD_STAMP
#define PCM_BUILD_STAMP "unknown build"
#endif
#endif
