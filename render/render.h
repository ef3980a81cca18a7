/* render.h - the 3D view: SDL2 window + OpenGL 3.3 core (render.c is the only
 * file that includes SDL or GL).
 *
 * Atoms are instanced sphere impostors (a camera-facing quad per atom, the
 * fragment shader intersects the view ray with the sphere and writes the true
 * depth), the periodic box is drawn as lines, a legend (stb_easy_font) sits in
 * the top-left corner.  The view follows whatever snapshot it is given, so it
 * runs at its own pace, independent of the simulation.
 *
 * Without DISPLAY/WAYLAND_DISPLAY SDL's offscreen driver (EGL, Mesa llvmpipe)
 * is used: PNG export and movies work without any display.
 */
#ifndef PCM_RENDER_H
#define PCM_RENDER_H
#include "../src/err.h"
#include "../src/sim.h"

/* UNCERTAINTY: the committee's per-atom force disagreement (snapshot sigma_f), 0 .. sigma_warn;
 * atoms without a value are grey. */
typedef enum {
    RENDER_COLOR_ELEMENT, RENDER_COLOR_CRYSTAL, RENDER_COLOR_ENERGY, RENDER_COLOR_UNCERTAINTY, RENDER_NCOLOR
} render_color;
enum { RENDER_EV_CLOSE = 1, RENDER_EV_REDRAW = 2 };

typedef struct render render;

/* window = 1: a visible, resizable window; 0: hidden/offscreen (exports only). */
render *render_new(int w, int h, int window, pcm_err *e);
void render_free(render *r);
void render_set_color(render *r, render_color c);
render_color render_get_color(const render *r);
const char *render_color_name(render_color c);
int render_color_parse(const char *s, render_color *out);   /* "element", "crystal", "energy", "uncertainty" */
void render_view_reset(render *r, int iso);                 /* iso 0: straight down -z; 1: oblique; 2: side, z up */
void render_set_slab(render *r, int on, double center_frac, double width_frac);
void render_set_style(render *r, double radius_scale, int legend);  /* defaults 1.0, 1 */
/* Draw snap (and present it when windowed).  A running movie gets the frame. */
void render_draw(render *r, const sim_snapshot *snap);
/* Draw snap and read the pixels back (top row first, RGB); valid until the next call. */
const unsigned char *render_capture(render *r, const sim_snapshot *snap, int *w, int *h);
/* Draw and write a PNG atomically. */
int render_png(render *r, const sim_snapshot *snap, const char *path, pcm_err *e);
/* Pipe frames to ffmpeg (H.264 mp4) until render_movie_stop. */
int render_movie_start(render *r, const char *path, pcm_err *e);
void render_movie_stop(render *r);
int render_movie_active(const render *r);
/* Handle window events (mouse orbit/zoom/pan, slab keys); other keys are
 * returned in keys[] as ASCII or TUI_K_* codes.  Returns RENDER_EV_* bits. */
int render_poll(render *r, int *keys, int cap, int *nkeys);
double render_frame_ms(const render *r);     /* GPU-finished time of the last frame, ms */
const char *render_gl_info(const render *r); /* "4.5 (Core Profile) Mesa ..., llvmpipe" */
#endif
