/* tui.c - ncurses terminal UI of the workbench: header, braille plots, dial,
 * presets with progress (built-in one-key schedules and a menu of the preset
 * files in presets/), exports, help overlay, status line.
 *
 * The only file that includes curses.  Layout is recomputed from LINES/COLS on
 * every draw, so a resize (KEY_RESIZE) simply reflows.  Input uses nodelay():
 * tui_poll never blocks.  Wide characters need a UTF-8 locale (LANG=C.UTF-8).
 */
#include <curses.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../src/export.h"
#include "../src/plan.h"
#include "tui.h"

struct tui {
    sim *s;
    char outdir[512];
    tui_hooks hooks;
    sim_series *ser;
    double dial;              /* K, the value the arrows change */
    double dial_hold;         /* monotonic s until which the local dial beats the snapshot */
    int typing;
    char typed[32];
    char status[320];
    int status_err;
    long seen_msg_seq;
    int help;
    int menu;                 /* the preset-file menu is open */
    plan_entry *menu_v;
    int menu_n, menu_sel;
    char menu_dir[512];
    int movie_on;
    int utf8;
};

static volatile sig_atomic_t g_quit, g_active;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* ------------------------------------------------------------ terminal restore */
static void restore_terminal(void)
{
    if (g_active) {
        g_active = 0;
        endwin();
    }
}

static void on_quit_signal(int sig) { g_quit = sig; }

static void on_fatal_signal(int sig)
{
    restore_terminal();   /* not async-signal-safe, but the process is dying anyway (htop does the same) */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    int fatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    for (size_t k = 0; k < sizeof fatal / sizeof fatal[0]; k++)
        sigaction(fatal[k], &sa, NULL);
    pcm_set_fatal_hook(restore_terminal);
    atexit(restore_terminal);
}

enum { C_HEAD = 1, C_PE, C_T, C_RHO, C_XF, C_ERR, C_OK, C_BAR, C_DIM, C_GE, C_SB, C_TE };

tui *tui_new(sim *s, const char *outdir, const tui_hooks *hooks)
{
    tui *t = pcm_calloc(1, sizeof *t);
    t->s = s;
    snprintf(t->outdir, sizeof t->outdir, "%s", outdir);
    if (hooks)
        t->hooks = *hooks;
    t->ser = pcm_malloc(sizeof *t->ser);
    sim_snapshot *p = sim_acquire(s);
    t->dial = p->th.T_target;   /* keys may arrive before the first draw */
    sim_release(s, p);
    t->seen_msg_seq = -1;
    setlocale(LC_ALL, "");
    const char *cs = setlocale(LC_CTYPE, NULL);
    t->utf8 = cs && (strstr(cs, "UTF-8") || strstr(cs, "utf8") || strstr(cs, "UTF8"));
    install_signals();
    initscr();
    g_active = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
        init_pair(C_HEAD, COLOR_BLACK, COLOR_CYAN);
        init_pair(C_PE, COLOR_GREEN, -1);
        init_pair(C_T, COLOR_RED, -1);
        init_pair(C_RHO, COLOR_CYAN, -1);
        init_pair(C_XF, COLOR_MAGENTA, -1);
        init_pair(C_ERR, COLOR_WHITE, COLOR_RED);
        init_pair(C_OK, COLOR_GREEN, -1);
        init_pair(C_BAR, COLOR_YELLOW, -1);
        init_pair(C_DIM, COLOR_BLUE, -1);
        init_pair(C_GE, COLOR_GREEN, -1);
        init_pair(C_SB, COLOR_YELLOW, -1);
        init_pair(C_TE, COLOR_MAGENTA, -1);
    }
    if (!t->utf8)
        snprintf(t->status, sizeof t->status, "no UTF-8 locale: plots need LANG=C.UTF-8");
    return t;
}

void tui_free(tui *t)
{
    if (!t)
        return;
    restore_terminal();
    free(t->menu_v);
    free(t->ser);
    free(t);
}

void tui_status(tui *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->status, sizeof t->status, fmt, ap);
    va_end(ap);
    t->status_err = 0;
}

static void status_err(tui *t, const char *msg)
{
    snprintf(t->status, sizeof t->status, "%.300s", msg);
    t->status_err = 1;
}

/* ------------------------------------------------------------ commands */
static void dial_set(tui *t, double T)
{
    pcm_err e = {{0}};
    if (T < 1.0)
        T = 1.0;
    if (T > 5000.0)
        T = 5000.0;
    if (sim_set_T(t->s, T, &e) < 0)
        return status_err(t, e.msg);
    t->dial = T;
    t->dial_hold = mono() + 1.0;
    tui_status(t, "target temperature %.0f K", T);
}

static void send(tui *t, sim_cmd_kind k, int iv, const char *ok)
{
    pcm_err e = {{0}};
    if (sim_send(t->s, (sim_cmd){k, 0, iv}, &e) < 0)
        return status_err(t, e.msg);
    if (ok)
        tui_status(t, "%s", ok);
}

static void do_export(tui *t, int key)
{
    sim_snapshot *snap = sim_acquire(t->s);
    char path[1024];
    pcm_err e = {{0}};
    int r = -1;
    const char *what = "";
    switch (key) {
    case 'x':
        what = "extxyz frame";
        r = export_path(path, sizeof path, t->outdir, "frame", snap->th.step, "extxyz", &e);
        if (r == 0)
            r = export_extxyz(snap, path, &e);
        break;
    case 'l':
        what = "LAMMPS data";
        r = export_path(path, sizeof path, t->outdir, "frame", snap->th.step, "lmp", &e);
        if (r == 0)
            r = export_lammps(snap, path, &e);
        break;
    case 'v':
    case 'g':   /* the time series: as CSV, or drawn as one PNG of the plots */
        what = key == 'v' ? "time series CSV" : "PNG of the plots";
        r = export_path(path, sizeof path, t->outdir, key == 'v' ? "series" : "plots", snap->th.step,
                        key == 'v' ? "csv" : "png", &e);
        if (r == 0) {
            sim_series_copy(t->s, t->ser);
            r = key == 'v' ? export_csv(t->ser, path, &e) : export_plot(t->ser, path, &e);
        }
        break;
    case 'p':
        what = "PNG of the 3D view";
        if (!t->hooks.png)
            r = pcm_errf(&e, NULL, 0, "PNG export unavailable (no renderer)");
        else
            r = t->hooks.png(t->hooks.ctx, snap, path, sizeof path, &e);
        break;
    case 'm':
        what = t->movie_on ? "movie stopped" : "movie recording";
        if (!t->hooks.movie)
            r = pcm_errf(&e, NULL, 0, "movie unavailable (no renderer)");
        else if ((r = t->hooks.movie(t->hooks.ctx, !t->movie_on, path, sizeof path, &e)) == 0)
            t->movie_on = !t->movie_on;
        break;
    }
    sim_release(t->s, snap);
    if (r < 0) {
        char buf[1200];
        snprintf(buf, sizeof buf, "export failed: %s", e.msg);
        status_err(t, buf);
    } else {
        tui_status(t, "%s -> %s", what, path);
    }
}

static void typed_commit(tui *t)
{
    char *end;
    double T = strtod(t->typed, &end);
    while (*end == ' ')
        end++;
    if (!strcasecmp(end, "k"))
        end += 1;
    t->typing = 0;
    if (end == t->typed || *end || !isfinite(T) || T < 1.0 || T > 5000.0) {
        char buf[200];
        snprintf(buf, sizeof buf, "'%s' refused: type a temperature from 1 to 5000 K (e.g. 650)", t->typed);
        return status_err(t, buf);
    }
    dial_set(t, T);
}

static int typing_key(tui *t, int ch)
{
    size_t n = strlen(t->typed);
    if (ch == 27) {
        t->typing = 0;
        tui_status(t, "typing cancelled");
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        typed_commit(t);
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (n)
            t->typed[n - 1] = 0;
    } else if (ch >= 32 && ch < 127 && n + 1 < sizeof t->typed) {
        t->typed[n] = (char)ch, t->typed[n + 1] = 0;
    }
    return TUI_REDRAW;
}

/* ------------------------------------------------------------ preset-file menu */
static void menu_open(tui *t)
{
    free(t->menu_v);
    t->menu_v = NULL;
    t->menu_n = 0;
    if (plan_presets_dir(t->menu_dir, sizeof t->menu_dir) < 0)
        return status_err(t, "no presets folder (looked for ./presets and presets/ beside the binary)");
    t->menu_n = plan_scan(t->menu_dir, &t->menu_v);
    if (t->menu_n == 0)
        return status_err(t, "no preset files (*.cfg) in the presets folder");
    if (t->menu_sel >= t->menu_n)
        t->menu_sel = 0;
    t->menu = 1;
}

static void menu_load(tui *t)
{
    const plan_entry *en = &t->menu_v[t->menu_sel];
    char note[PLAN_NOTE_LEN], buf[1400];
    pcm_err e = {{0}};
    t->menu = 0;
    /* read again: the file may have changed since the menu opened */
    if (sim_load_preset(t->s, en->path, note, sizeof note, &e) < 0) {
        snprintf(buf, sizeof buf, "preset refused, simulation unchanged: %s", e.msg);
        return status_err(t, buf);
    }
    t->dial_hold = 0;
    tui_status(t, "loading %s (%s)%s%.300s", en->name, en->path, note[0] ? "; not live: " : "", note);
}

/* Entry letters, skipping the menu's own keys (f j k q) */
static const char menu_letters[] = "abcdeghilmnoprstuvwxyz";

static int menu_key(tui *t, int ch)
{
    switch (ch) {
    case KEY_UP: case 'k': t->menu_sel = (t->menu_sel + t->menu_n - 1) % t->menu_n; break;
    case KEY_DOWN: case 'j': t->menu_sel = (t->menu_sel + 1) % t->menu_n; break;
    case '\n': case '\r': case KEY_ENTER: menu_load(t); break;
    case 27: case 'f': case 'q': t->menu = 0; break;
    case KEY_RESIZE: return TUI_RELAYOUT | TUI_REDRAW;
    default:
        if (ch > 0 && ch < 128 && strchr(menu_letters, ch)) {
            int k = (int)(strchr(menu_letters, ch) - menu_letters);
            if (k < t->menu_n)
                t->menu_sel = k;
        }
        break;
    }
    return TUI_REDRAW;
}

int tui_key(tui *t, int ch)
{
    if (t->typing)
        return typing_key(t, ch);
    if (t->menu)
        return menu_key(t, ch);
    if (t->help && ch != KEY_RESIZE) {
        t->help = 0;
        if (ch == '?' || ch == 27 || ch == 'q')
            return TUI_REDRAW;
    }
    double base = t->dial;
    switch (ch) {
    case 'q': case 'Q': return TUI_QUIT;
    case KEY_RESIZE: return TUI_RELAYOUT | TUI_REDRAW;
    case KEY_LEFT: case TUI_K_LEFT: case 'h': dial_set(t, base - 10); break;
    case KEY_RIGHT: case TUI_K_RIGHT: case 'L': dial_set(t, base + 10); break;
    case KEY_NPAGE: case TUI_K_PGDN: dial_set(t, base - 100); break;
    case KEY_PPAGE: case TUI_K_PGUP: dial_set(t, base + 100); break;
    case 't': case 'T':
        t->typing = 1;
        t->typed[0] = 0;
        break;
    case '1': case '2': case '3': case '4': {
        sim_preset p = (sim_preset)(ch - '0');
        char buf[64];
        snprintf(buf, sizeof buf, "starting %s", sim_preset_name(p));
        send(t, SIM_CMD_PRESET, p, buf);
        t->dial_hold = 0;
        break;
    }
    case 'f': menu_open(t); break;
    case 'c': send(t, SIM_CMD_PROTOCOL_RESUME, 0, "protocol continues"); t->dial_hold = 0; break;
    case '0': send(t, SIM_CMD_PROTOCOL_STOP, 0, "protocol stopped"); break;
    case ' ': case 'P': send(t, SIM_CMD_TOGGLE_PAUSE, 0, NULL); break;
    case 's': send(t, SIM_CMD_STEP, 0, "single chunk"); break;
    case 'r': send(t, SIM_CMD_RESET, 0, "reset"); t->dial_hold = 0; break;
    case 'n': {
        sim_snapshot *snap = sim_acquire(t->s);
        int npt = snap->ensemble == PCM_NPT_ISO || snap->ensemble == PCM_NPT_Z;
        sim_release(t->s, snap);
        send(t, SIM_CMD_SET_ENSEMBLE, npt ? PCM_NVT_BUSSI : PCM_NPT_ISO, npt ? "switching to NVT" : "switching to NPT (1 bar)");
        break;
    }
    case 'x': case 'l': case 'v': case 'g': case 'p': case 'm': do_export(t, ch); break;
    case 'o':
        if (t->hooks.color_cycle)
            tui_status(t, "3D colour: %s", t->hooks.color_cycle(t->hooks.ctx));
        else
            status_err(t, "no 3D view");
        break;
    case '?': t->help = 1; break;
    case 27: break;
    default:
        if (ch > 0 && ch < 256) {
            char buf[80];
            snprintf(buf, sizeof buf, "key '%c' does nothing; ? shows the keys", ch >= 32 && ch < 127 ? ch : '?');
            status_err(t, buf);
        }
        return TUI_REDRAW;
    }
    return TUI_REDRAW;
}

int tui_poll(tui *t)
{
    int mask = 0, ch;
    while ((ch = getch()) != ERR)
        mask |= tui_key(t, ch);
    if (g_quit)
        mask |= TUI_QUIT;
    return mask;
}

/* ------------------------------------------------------------ drawing helpers */
static void put_utf8_dots(int y, int x, const unsigned char *bits, int n, int utf8)
{
    char buf[4 * 512 + 1];
    int k = 0;
    for (int i = 0; i < n && i < 512; i++) {
        unsigned cp = 0x2800 + bits[i];
        if (!utf8) {
            buf[k++] = bits[i] ? '*' : ' ';
            continue;
        }
        buf[k++] = (char)(0xE0 | (cp >> 12));
        buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[k++] = (char)(0x80 | (cp & 0x3F));
    }
    buf[k] = 0;
    mvaddstr(y, x, buf);
}

static void dot(unsigned char *cv, int cw, int chh, int px, int py)
{
    static const unsigned char bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    if (px < 0 || py < 0 || px >= 2 * cw || py >= 4 * chh)
        return;
    cv[(py / 4) * cw + px / 2] |= bit[py % 4][px % 2];
}

static void fmt_val(char *buf, size_t cap, double v)
{
    if (fabs(v) >= 1e4 || (fabs(v) < 1e-2 && v != 0))
        snprintf(buf, cap, "%8.2e", v);
    else
        snprintf(buf, cap, "%8.3f", v);
}

/* One plot in the rectangle (y0, x0, h rows, w cols). */
static void plot(tui *t, int y0, int x0, int h, int w, const char *title, const char *unit, int color,
                 const double *tt, const double *v, int n, double fixlo, double fixhi)
{
    if (h < 4 || w < 20)
        return;
    double last = NAN, lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n; k++)
        if (isfinite(v[k])) {
            lo = fmin(lo, v[k]), hi = fmax(hi, v[k]);
            last = v[k];
        }
    attron(A_BOLD | COLOR_PAIR(color));
    mvprintw(y0, x0, "%.*s", w - 1, title);
    attroff(A_BOLD | COLOR_PAIR(color));
    if (isfinite(last))
        printw("  %.4g %s", last, unit);
    else
        printw("  (no data yet)");
    int lab = 9, cw = w - lab - 2, chh = h - 2;
    if (cw < 4 || chh < 1)
        return;
    if (!isfinite(lo))
        lo = fixlo, hi = fixhi;
    if (fixlo < fixhi)
        lo = fmin(lo, fixlo), hi = fmax(hi, fixhi);
    double pad = fmax(1e-9, 0.05 * (hi - lo));
    if (hi - lo < 1e-9 * fmax(1.0, fabs(hi)))
        pad = fmax(1e-6, 0.01 * fabs(hi));
    lo -= pad, hi += pad;
    unsigned char *cv = pcm_calloc((size_t)cw * chh, 1);
    double t0 = n ? tt[0] : 0, t1 = n ? tt[n - 1] : 1;
    if (t1 <= t0)
        t1 = t0 + 1e-9;
    int W = 2 * cw, H = 4 * chh, px0 = -1, py0 = -1;
    for (int k = 0; k < n; k++) {
        if (!isfinite(v[k])) {
            px0 = -1;
            continue;
        }
        int px = (int)lround((tt[k] - t0) / (t1 - t0) * (W - 1));
        int py = (int)lround((hi - v[k]) / (hi - lo) * (H - 1));
        if (px0 < 0) {
            dot(cv, cw, chh, px, py);
        } else {   /* line from the previous point so sparse data still draws a curve */
            int steps = abs(px - px0) > abs(py - py0) ? abs(px - px0) : abs(py - py0);
            for (int s = 0; s <= steps; s++)
                dot(cv, cw, chh, px0 + (steps ? (px - px0) * s / steps : 0), py0 + (steps ? (py - py0) * s / steps : 0));
        }
        px0 = px, py0 = py;
    }
    char lb[32];
    for (int r = 0; r < chh; r++) {
        attron(COLOR_PAIR(C_DIM));
        if (r == 0 || r == chh - 1 || r == chh / 2) {
            fmt_val(lb, sizeof lb, r == 0 ? hi : r == chh - 1 ? lo : 0.5 * (hi + lo));
            mvprintw(y0 + 1 + r, x0, "%8.8s", lb);
        }
        mvaddstr(y0 + 1 + r, x0 + lab - 1, t->utf8 ? (r == 0 || r == chh - 1 || r == chh / 2 ? "┤" : "│") : "|");
        attroff(COLOR_PAIR(C_DIM));
        attron(COLOR_PAIR(color));
        put_utf8_dots(y0 + 1 + r, x0 + lab, cv + (size_t)r * cw, cw, t->utf8);
        attroff(COLOR_PAIR(color));
    }
    attron(COLOR_PAIR(C_DIM));
    mvprintw(y0 + h - 1, x0 + lab - 1, "%s", t->utf8 ? "└" : "+");
    mvprintw(y0 + h - 1, x0 + lab, "%.2f ps", n ? t0 : 0.0);
    char tr[32];
    snprintf(tr, sizeof tr, "%.2f ps", n ? t1 : 0.0);
    mvprintw(y0 + h - 1, x0 + lab + cw - (int)strlen(tr), "%s", tr);
    attroff(COLOR_PAIR(C_DIM));
    free(cv);
}

static void bar(tui *t, double frac, int w)
{
    int full = (int)lround(fmin(1.0, fmax(0.0, frac)) * w);
    for (int k = 0; k < w; k++)
        addstr(k < full ? (t->utf8 ? "█" : "#") : (t->utf8 ? "░" : "."));
}

static void draw_help(tui *t)
{
    static const char *lines[] = {
        "pcmlab workbench - keys",
        "",
        "  <- / ->      dial -10 / +10 K      PgDn / PgUp   dial -100 / +100 K",
        "  t            type an exact temperature (1-5000 K), Enter sets, Esc cancels",
        "  1 2 3 4      short built-in schedules: melt, quench, anneal, thermal cycle",
        "  f            preset files (presets/*.cfg): schedule + MD settings on the live atoms",
        "  c            continue a paused protocol      0  stop the protocol",
        "  space        pause / resume     s  single chunk     r  reset to the start",
        "  n            switch NVT <-> NPT (1 bar)",
        "  x  l  v  g   export frame extxyz / LAMMPS data / time series CSV / plots PNG",
        "  p  m         export PNG of the 3D view / start-stop a movie (ffmpeg)",
        "  o            3D colour: element -> crystalline -> per-atom energy -> uncertainty",
        "               (uncertainty: committee force disagreement sigma_F; needs committee=...)",
        "  ?            this help          q  quit (Ctrl-C too)",
        "",
        "A preset file's structure and potential apply only at launch (--preset FILE).",
        "Dial during a protocol: the dial TAKES OVER and the protocol PAUSES",
        "(its clock stops); c continues it from where it stopped.",
        "",
        "3D window: left drag orbit, right/middle drag pan, wheel zoom,",
        "  [ ] move the slab, \\ slab on/off, o colour, Home resets the view.",
        "Exports go to the folder given by --out (default pcmlab-out/).",
    };
    int n = sizeof lines / sizeof lines[0], w = 84;
    int y0 = (LINES - n - 2) / 2, x0 = (COLS - w) / 2;
    if (y0 < 0) y0 = 0;
    if (x0 < 0) x0 = 0;
    for (int k = -1; k <= n; k++) {
        move(y0 + 1 + k, x0);
        attron(A_REVERSE);
        printw(" %-*.*s ", w - 2, w - 2, k >= 0 && k < n ? lines[k] : "");
        attroff(A_REVERSE);
    }
}

/* printw clipped to the screen width (a long line would wrap onto the next row) */
static void clipped(int y, int x, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void clipped(int y, int x, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int room = COLS - x - 1;
    if (room > 0)
        mvprintw(y, x, "%.*s", room, buf);
}

static void draw_menu(tui *t, const sim_snapshot *p)
{
    int w = COLS - 4 < 116 ? COLS - 4 : 116, n = t->menu_n, rows = LINES - 8;
    if (w < 40 || rows < 4)
        return;
    int first = t->menu_sel >= rows - 3 ? t->menu_sel - (rows - 4) : 0, shown = n - first < rows - 3 ? n - first : rows - 3;
    int y0 = 3, x0 = (COLS - w) / 2;
    char line[1024], d[32], eta[48];
    attron(A_REVERSE);
    snprintf(line, sizeof line, " Preset files in %s  (Up/Down or a letter, Enter runs it on the live atoms, Esc closes)",
             t->menu_dir);
    mvprintw(y0, x0, " %-*.*s ", w - 2, w - 2, line);
    attroff(A_REVERSE);
    for (int k = 0; k < shown; k++) {
        const plan_entry *en = &t->menu_v[first + k];
        int sel = first + k == t->menu_sel;
        char letter = first + k < (int)sizeof menu_letters - 1 ? menu_letters[first + k] : ' ';
        if (en->error[0])
            snprintf(line, sizeof line, "%c %c) %-16.16s  DOES NOT LOAD: %s", sel ? '>' : ' ', letter, en->name,
                     en->error);
        else {
            plan_format_duration(en->duration_ps, d, sizeof d);
            snprintf(line, sizeof line, "%c %c) %-16.16s %9s  %s", sel ? '>' : ' ', letter, en->name, d, en->desc);
        }
        attron(sel ? A_REVERSE | A_BOLD : A_NORMAL);
        if (en->error[0])
            attron(COLOR_PAIR(C_ERR));
        mvprintw(y0 + 1 + k, x0, " %-*.*s ", w - 2, w - 2, line);
        attroff(A_REVERSE | A_BOLD | COLOR_PAIR(C_ERR));
    }
    const plan_entry *en = &t->menu_v[t->menu_sel];
    if (!en->error[0] && p->ps_per_hour > 0) {
        double h = en->duration_ps / p->ps_per_hour;
        snprintf(eta, sizeof eta, h < 1.0 ? "%.0f min" : "%.1f h", h < 1.0 ? 60 * h : h);
    } else {
        snprintf(eta, sizeof eta, "?");
    }
    snprintf(line, sizeof line, " %s: about %s of wall time at the current %.0f ps/hour.  Applied live: schedule, "
             "ensemble, dt, thermostat/barostat; structure and potential only at launch (--preset).",
             en->path, eta, p->ps_per_hour);
    attron(A_REVERSE);
    mvprintw(y0 + 1 + shown, x0, " %-*.*s ", w - 2, w - 2, line);
    attroff(A_REVERSE);
}

static void header(tui *t, const sim_snapshot *p, int y)
{
    attron(COLOR_PAIR(C_HEAD) | A_BOLD);
    mvprintw(y, 0, "%-*.*s", COLS, COLS, "");
    clipped(y, 0, " pcmlab workbench  |  potential: %s", p->potential_label);
    attroff(COLOR_PAIR(C_HEAD) | A_BOLD);
    clipped(y + 1, 0, " atoms %d   %-5s  T target %6.0f K  actual %7.1f K   P %9.1f bar   density %.3f g/cm%s",
            p->n, sim_ensemble_name(p->ensemble), p->th.T_target, p->th.T, p->th.P, p->th.density,
            t->utf8 ? "³" : "3");
    clipped(y + 2, 0, " step %-9ld t %9.3f ps  %-9s  speed %8.1f ps/hour  %7.2f %ss/atom-step  on %s", p->th.step,
            p->th.time_ps, p->paused ? "[PAUSED]" : "[running]", p->ps_per_hour, p->us_per_atom_step,
            t->utf8 ? "µ" : "u", p->backend);
    move(y + 3, 0);
    if (p->xtal_fraction >= 0)
        printw(" crystalline %5.1f %%  Q4 %.3f  Q6 %.3f", 100 * p->xtal_fraction, p->Q4, p->Q6);
    else
        printw(" crystalline  n/a (analysis not available)");
    printw("   dial %s %4.0f K %s ", t->utf8 ? "◀" : "<", t->dial, t->utf8 ? "▶" : ">");
    attron(COLOR_PAIR(C_BAR));
    bar(t, t->dial / 1500.0, 15);
    attroff(COLOR_PAIR(C_BAR));
    printw(" 0..1500 K");
    move(y + 4, 0);
    if (p->preset) {
        char a[32], b[32];
        printw(" protocol %-7s ", p->protocol_name);
        attron(COLOR_PAIR(C_BAR));
        bar(t, p->protocol_progress, 30);
        attroff(COLOR_PAIR(C_BAR));
        plan_format_duration(p->protocol_t, a, sizeof a);
        plan_format_duration(p->protocol_total, b, sizeof b);
        printw(" %3.0f%%  %s / %s", 100 * p->protocol_progress, a, b);
        if (p->protocol_paused)
            printw("  PAUSED - dial has control, c continues");
        if (p->plan_note[0]) {
            attron(COLOR_PAIR(C_DIM));
            clipped(y + 5, 0, " not live: %s", p->plan_note);
            attroff(COLOR_PAIR(C_DIM));
        }
    } else {
        printw(" protocol  none (1 melt  2 quench  3 anneal  4 thermal cycle  f preset files)");
    }
    if (p->committee_k > 0 && p->sigma_f_max > p->sigma_warn) {
        attron(COLOR_PAIR(C_ERR) | A_BOLD);
        mvprintw(y + 5, 0, "%-*.*s", COLS, COLS, "");
        clipped(y + 5, 0, " MODEL UNCERTAIN: extrapolating - committee max %s %.2f eV/%s > %.3g (step %ld); "
                "label such frames with DFT (pcmlab dataset sample)", t->utf8 ? "σF" : "sigma_F", p->sigma_f_max,
                t->utf8 ? "Å" : "A", p->sigma_warn, p->sigma_step);
        attroff(COLOR_PAIR(C_ERR) | A_BOLD);
    }
    if (t->hooks.describe) {
        char d[160];
        t->hooks.describe(t->hooks.ctx, d, sizeof d);
        int x = getcurx(stdscr) + 3;
        if (x + (int)strlen(d) < COLS)
            mvprintw(y + 4, x, "%s", d);
    }
}

void tui_draw(tui *t)
{
    sim_snapshot *p = sim_acquire(t->s);
    if (mono() > t->dial_hold)
        t->dial = p->th.T_target;
    if (p->msg_seq != t->seen_msg_seq) {
        t->seen_msg_seq = p->msg_seq;
        if (p->msg[0])
            tui_status(t, "%s", p->msg), t->status_err = strstr(p->msg, "blew up") || strstr(p->msg, "refused") ||
                                               strstr(p->msg, "model uncertain");
    }
    sim_series_copy(t->s, t->ser);
    erase();
    if (LINES < 12 || COLS < 60) {
        mvprintw(0, 0, "terminal too small (%dx%d): need 60x12", COLS, LINES);
        mvprintw(1, 0, "T %.0f K  step %ld", p->th.T, p->th.step);
        sim_release(t->s, p);
        refresh();
        return;
    }
    header(t, p, 0);
    /* a committee adds a third, full-width row: its max sigma_F with the threshold in range */
    int com = p->committee_k > 0, rows = com ? 3 : 2;
    int top = 6, bottom = LINES - 2, ph = (bottom - top) / rows, pw = COLS / 2, ph2 = com ? ph : bottom - top - ph;
    const sim_series *s = t->ser;
    plot(t, top, 0, ph, pw - 1, "PE/atom", "eV", C_PE, s->t, s->pe, s->n, 0, 0);
    plot(t, top, pw, ph, COLS - pw - 1, "Temperature", "K", C_T, s->t, s->T, s->n, 0, 0);
    plot(t, top + ph, 0, ph2, pw - 1, "Density", "g/cm3", C_RHO, s->t, s->rho, s->n, 0, 0);
    plot(t, top + ph, pw, ph2, COLS - pw - 1, "Crystalline fraction", "", C_XF, s->t, s->xf, s->n, 0.0, 1.0);
    if (com) {
        char title[128];
        int bad = p->sigma_f_max > p->sigma_warn;
        snprintf(title, sizeof title, "Committee max %s (%d members, warn > %.3g)%s", t->utf8 ? "σF" : "sigma_F",
                 p->committee_k, p->sigma_warn, bad ? " EXTRAPOLATING" : "");
        plot(t, top + 2 * ph, 0, bottom - top - 2 * ph, COLS - 1, title, t->utf8 ? "eV/Å" : "eV/A",
             bad ? C_T : C_OK, s->t, s->sfmax, s->n, 0.0, p->sigma_warn);
    }
    attron(A_REVERSE);
    mvprintw(LINES - 2, 0, "%-*.*s", COLS, COLS,
             " </>:T+-10 PgUp/Dn:+-100 t:type 1-4:presets f:preset files c:continue space:pause s:step r:reset n:NVT/NPT x/l/v/g/p/m:export o:colour ?:help q:quit");
    attroff(A_REVERSE);
    move(LINES - 1, 0);
    clrtoeol();
    if (t->typing) {
        printw(" Temperature in K: %s_   (Enter sets, Esc cancels)", t->typed);
    } else if (t->status[0]) {
        if (t->status_err)
            attron(COLOR_PAIR(C_ERR) | A_BOLD);
        printw(" %.*s", COLS - 2, t->status);
        if (t->status_err)
            attroff(COLOR_PAIR(C_ERR) | A_BOLD);
    }
    if (t->menu)
        draw_menu(t, p);
    if (t->help)
        draw_help(t);
    sim_release(t->s, p);
    refresh();
}
