/* tui.h - the terminal side of the workbench (the only user of curses is tui.c).
 *
 * Key handlers return a bitmask of TUI_REDRAW / TUI_RELAYOUT / TUI_QUIT; input
 * is read without blocking, so drawing never waits for a key.  Exports that
 * need the 3D view (PNG, movie) and the 3D colour mode go through callbacks, so
 * this file knows nothing about GL.
 */
#ifndef PCM_TUI_H
#define PCM_TUI_H
#include "../src/err.h"
#include "../src/sim.h"

enum { TUI_REDRAW = 1, TUI_RELAYOUT = 2, TUI_QUIT = 4 };
/* Key codes for tui_key besides plain ASCII (the 3D window forwards these). */
enum { TUI_K_LEFT = 0x10000, TUI_K_RIGHT, TUI_K_PGUP, TUI_K_PGDN };

typedef struct tui_hooks {
    void *ctx;
    /* Write a PNG of the 3D view of snap; fills path (cap bytes). */
    int (*png)(void *ctx, const sim_snapshot *snap, char *path, size_t cap, pcm_err *e);
    /* Start (on = 1) or stop a movie; fills path; returns -1 + message on failure. */
    int (*movie)(void *ctx, int on, char *path, size_t cap, pcm_err *e);
    /* Cycle the 3D colour mode; returns its name for the status line. */
    const char *(*color_cycle)(void *ctx);
    /* Line describing the 3D side ("3D: window, 16.2 ms/frame, colour: element"). */
    void (*describe)(void *ctx, char *buf, size_t cap);
} tui_hooks;

typedef struct tui tui;

/* Takes over the terminal (alternate screen); restores it on tui_free, on
 * pcm_fatal and on SIGINT/SIGTERM/SIGSEGV/SIGABRT/SIGBUS/SIGFPE. */
tui *tui_new(sim *s, const char *outdir, const tui_hooks *hooks);
void tui_free(tui *t);
/* Handle all pending input; returns the TUI_* mask.  Also TUI_QUIT after SIGINT/SIGTERM. */
int tui_poll(tui *t);
/* Redraw everything from the newest snapshot (cheap enough for ~10 Hz). */
void tui_draw(tui *t);
/* Show a message on the status line (from the 3D window, for example). */
void tui_status(tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forward a key from the 3D window (same map as the terminal); returns the mask. */
int tui_key(tui *t, int ch);
#endif
