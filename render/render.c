/* render.c - SDL2 window + OpenGL 3.3 core through libepoxy; the only file
 * that includes SDL or GL.  See render.h for what it draws.
 *
 * Shaders are loaded at run time from the first of: $PCM_SHADERS, ./shaders,
 * <exe>/../shaders, <exe>/../../shaders, that holds atoms.vert.
 */
#include <SDL2/SDL.h>
#include <epoxy/gl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../src/fileio.h"
#include "../ui/tui.h"
#include "render.h"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBIW_WINDOWS_UTF8 0
#include <stb_image_write.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-braces"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

typedef struct { float m[16]; } mat4;   /* column-major, as GL wants */

struct render {
    SDL_Window *win;
    SDL_GLContext gl;
    int window;
    GLuint prog_atoms, prog_lines;
    GLuint vao_atoms, vbo_quad, vbo_inst;
    GLuint vao_lines, vbo_lines;
    size_t inst_cap, line_cap;
    float *inst;                 /* [n] x y z r R G B */
    float *lines;                /* [k] x y z R G B */
    render_color color;
    double yaw, pitch, dist, pan[3];   /* degrees, degrees, Å, Å */
    int dist_set, iso;
    int slab_on;
    double slab_c, slab_w;       /* fractional along the third lattice vector */
    int dragging;                /* SDL button held */
    unsigned char *pix;
    size_t pix_cap;
    FILE *movie;
    int movie_w, movie_h;
    char movie_path[1024], movie_tmp[1100];   /* ffmpeg writes the temporary; renamed on stop */
    double frame_ms;
    char info[256];
    double emin, emax;           /* energy colour range of the last frame, eV */
    double radius_scale;
    int legend;
};

/* ------------------------------------------------------------ small maths */
static mat4 mat_mul(mat4 a, mat4 b)
{
    mat4 r;
    for (int c = 0; c < 4; c++)
        for (int rr = 0; rr < 4; rr++) {
            float s = 0;
            for (int k = 0; k < 4; k++)
                s += a.m[k * 4 + rr] * b.m[c * 4 + k];
            r.m[c * 4 + rr] = s;
        }
    return r;
}
static mat4 mat_id(void) { return (mat4){{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}}; }
static mat4 mat_trans(double x, double y, double z)
{
    mat4 r = mat_id();
    r.m[12] = (float)x, r.m[13] = (float)y, r.m[14] = (float)z;
    return r;
}
static mat4 mat_rot(double deg, int axis)
{
    double a = deg * M_PI / 180.0, c = cos(a), s = sin(a);
    mat4 r = mat_id();
    int i = (axis + 1) % 3, j = (axis + 2) % 3;
    r.m[i * 4 + i] = (float)c, r.m[j * 4 + j] = (float)c;
    r.m[i * 4 + j] = (float)s, r.m[j * 4 + i] = (float)-s;
    return r;
}
static mat4 mat_persp(double fovy_deg, double aspect, double zn, double zf)
{
    double f = 1.0 / tan(fovy_deg * M_PI / 360.0);
    mat4 r = {{0}};
    r.m[0] = (float)(f / aspect), r.m[5] = (float)f;
    r.m[10] = (float)((zf + zn) / (zn - zf)), r.m[11] = -1;
    r.m[14] = (float)(2 * zf * zn / (zn - zf));
    return r;
}

/* ------------------------------------------------------------ shaders */
static char *shader_dir(char *buf, size_t cap)
{
    char exe[PATH_MAX] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *sl = strrchr(exe, '/');
        if (sl)
            *sl = 0;
    }
    const char *env = getenv("PCM_SHADERS");
    char c1[PATH_MAX + 16], c2[PATH_MAX + 16];
    snprintf(c1, sizeof c1, "%s/../shaders", exe);
    snprintf(c2, sizeof c2, "%s/../../shaders", exe);
    const char *cand[] = {env, "shaders", c1, c2};
    for (size_t k = 0; k < sizeof cand / sizeof cand[0]; k++) {
        if (!cand[k])
            continue;
        snprintf(buf, cap, "%s/atoms.vert", cand[k]);
        if (access(buf, R_OK) == 0) {
            snprintf(buf, cap, "%s", cand[k]);
            return buf;
        }
    }
    return NULL;
}

static GLuint compile(const char *dir, const char *name, GLenum kind, pcm_err *e)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *src = read_file(path, NULL, e);
    if (!src)
        return 0;
    GLuint sh = glCreateShader(kind);
    const char *s = src;
    glShaderSource(sh, 1, &s, NULL);
    glCompileShader(sh);
    free(src);
    GLint ok;
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024];
        glGetShaderInfoLog(sh, sizeof log, NULL, log);
        glDeleteShader(sh);
        pcm_errf(e, path, 0, "shader does not compile: %s", log);
        return 0;
    }
    return sh;
}

static GLuint program(const char *dir, const char *vs, const char *fs, pcm_err *e)
{
    GLuint v = compile(dir, vs, GL_VERTEX_SHADER, e);
    if (!v)
        return 0;
    GLuint f = compile(dir, fs, GL_FRAGMENT_SHADER, e);
    if (!f) {
        glDeleteShader(v);
        return 0;
    }
    GLuint p = glCreateProgram();
    glAttachShader(p, v);
    glAttachShader(p, f);
    glLinkProgram(p);
    glDeleteShader(v);
    glDeleteShader(f);
    GLint ok;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[1024];
        glGetProgramInfoLog(p, sizeof log, NULL, log);
        glDeleteProgram(p);
        pcm_errf(e, dir, 0, "shaders %s + %s do not link: %s", vs, fs, log);
        return 0;
    }
    return p;
}

/* ------------------------------------------------------------ lifecycle */
static int no_display(void)
{
    const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    return (!d || !*d) && (!w || !*w);
}

static void setup_buffers(render *r)
{
    static const float quad[8] = {-1, -1, 1, -1, -1, 1, 1, 1};
    glGenVertexArrays(1, &r->vao_atoms);
    glBindVertexArray(r->vao_atoms);
    glGenBuffers(1, &r->vbo_quad);
    glBindBuffer(GL_ARRAY_BUFFER, r->vbo_quad);
    glBufferData(GL_ARRAY_BUFFER, sizeof quad, quad, GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, 0);
    glGenBuffers(1, &r->vbo_inst);
    glBindBuffer(GL_ARRAY_BUFFER, r->vbo_inst);
    GLsizei st = 7 * sizeof(float);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, st, (void *)0);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 1, GL_FLOAT, GL_FALSE, st, (void *)(3 * sizeof(float)));
    glEnableVertexAttribArray(3);
    glVertexAttribPointer(3, 3, GL_FLOAT, GL_FALSE, st, (void *)(4 * sizeof(float)));
    glVertexAttribDivisor(1, 1);
    glVertexAttribDivisor(2, 1);
    glVertexAttribDivisor(3, 1);
    glGenVertexArrays(1, &r->vao_lines);
    glBindVertexArray(r->vao_lines);
    glGenBuffers(1, &r->vbo_lines);
    glBindBuffer(GL_ARRAY_BUFFER, r->vbo_lines);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 6 * sizeof(float), (void *)0);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, 6 * sizeof(float), (void *)(3 * sizeof(float)));
    glBindVertexArray(0);
}

render *render_new(int w, int h, int window, pcm_err *e)
{
    if (no_display())
        setenv("SDL_VIDEODRIVER", "offscreen", 0), window = 0;
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");   /* the terminal UI owns SIGINT/SIGTERM */
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        pcm_errf(e, NULL, 0, "SDL video: %s", SDL_GetError());
        return NULL;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 24);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    render *r = pcm_calloc(1, sizeof *r);
    r->window = window;
    Uint32 fl = SDL_WINDOW_OPENGL | (window ? SDL_WINDOW_SHOWN | SDL_WINDOW_RESIZABLE : SDL_WINDOW_HIDDEN);
    r->win = SDL_CreateWindow("pcmlab 3D", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, w, h, fl);
    if (!r->win) {
        pcm_errf(e, NULL, 0, "SDL window: %s", SDL_GetError());
        goto fail;
    }
    r->gl = SDL_GL_CreateContext(r->win);
    if (!r->gl) {
        pcm_errf(e, NULL, 0, "OpenGL 3.3 core context: %s", SDL_GetError());
        goto fail;
    }
    SDL_GL_SetSwapInterval(window ? 1 : 0);
    char dir[PATH_MAX];
    if (!shader_dir(dir, sizeof dir)) {
        pcm_errf(e, NULL, 0, "shaders/atoms.vert not found (looked in $PCM_SHADERS, ./shaders, next to the binary)");
        goto fail;
    }
    r->prog_atoms = program(dir, "atoms.vert", "atoms.frag", e);
    r->prog_lines = r->prog_atoms ? program(dir, "lines.vert", "lines.frag", e) : 0;
    if (!r->prog_lines)
        goto fail;
    snprintf(r->info, sizeof r->info, "GL %s, %s", (const char *)glGetString(GL_VERSION),
             (const char *)glGetString(GL_RENDERER));
    setup_buffers(r);
    r->color = RENDER_COLOR_ELEMENT;
    r->slab_c = 0.5, r->slab_w = 0.25;
    r->radius_scale = 1.0, r->legend = 1;
    render_view_reset(r, 1);
    return r;
fail:
    render_free(r);
    return NULL;
}

void render_free(render *r)
{
    if (!r)
        return;
    render_movie_stop(r);
    if (r->gl) {
        glDeleteProgram(r->prog_atoms);
        glDeleteProgram(r->prog_lines);
        glDeleteBuffers(1, &r->vbo_quad);
        glDeleteBuffers(1, &r->vbo_inst);
        glDeleteBuffers(1, &r->vbo_lines);
        glDeleteVertexArrays(1, &r->vao_atoms);
        glDeleteVertexArrays(1, &r->vao_lines);
        SDL_GL_DeleteContext(r->gl);
    }
    if (r->win)
        SDL_DestroyWindow(r->win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    free(r->inst);
    free(r->lines);
    free(r->pix);
    free(r);
}

/* ------------------------------------------------------------ options */
static const char *color_names[RENDER_NCOLOR] = {"element", "crystal", "energy", "uncertainty"};
const char *render_color_name(render_color c) { return c < RENDER_NCOLOR ? color_names[c] : "?"; }
void render_set_color(render *r, render_color c) { r->color = c; }
render_color render_get_color(const render *r) { return r->color; }
int render_color_parse(const char *s, render_color *out)
{
    for (int k = 0; k < RENDER_NCOLOR; k++)
        if (!strcmp(s, color_names[k]) || (k == 1 && !strcmp(s, "crystalline")))
            return *out = (render_color)k, 0;
    return -1;
}
void render_view_reset(render *r, int iso)
{
    r->iso = iso == 1;
    r->yaw = iso == 1 ? -30 : 0;
    r->pitch = iso == 1 ? 25 : iso == 2 ? -90 : 0;   /* 2: side view, z up (interfaces normal to z) */
    r->pan[0] = r->pan[1] = r->pan[2] = 0;
    r->dist_set = 0;
}
void render_set_slab(render *r, int on, double c, double w)
{
    r->slab_on = on;
    r->slab_c = c - floor(c);
    r->slab_w = w;
}
void render_set_style(render *r, double radius_scale, int legend)
{
    r->radius_scale = radius_scale > 0 ? radius_scale : 1.0;
    r->legend = legend;
}
double render_frame_ms(const render *r) { return r->frame_ms; }
const char *render_gl_info(const render *r) { return r->info; }
int render_movie_active(const render *r) { return r->movie != NULL; }

/* ------------------------------------------------------------ colours */
static void element_rgb(const char *sym, float c[3], float *rad)
{
    static const struct { const char *s; float c[3]; float r; } t[] = {
        {"Ge", {0.35f, 0.78f, 0.38f}, 1.20f}, {"Sb", {0.98f, 0.62f, 0.20f}, 1.35f},
        {"Te", {0.62f, 0.42f, 0.90f}, 1.40f}, {"Cu", {0.85f, 0.50f, 0.30f}, 1.25f}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (!strcmp(sym, t[k].s)) {
            memcpy(c, t[k].c, sizeof t[k].c);
            *rad = t[k].r;
            return;
        }
    unsigned h = 0;
    for (const char *p = sym; *p; p++)
        h = h * 31 + (unsigned char)*p;
    c[0] = 0.4f + 0.5f * (h % 7) / 6.0f, c[1] = 0.5f, c[2] = 0.4f + 0.5f * (h % 5) / 4.0f;
    *rad = 1.2f;
}

static const float col_xtal[3] = {0.20f, 0.55f, 1.00f}, col_amor[3] = {0.90f, 0.30f, 0.25f},
                   col_unknown[3] = {0.55f, 0.55f, 0.55f};

static void energy_rgb(double u, float c[3])  /* u in 0..1: blue -> white -> red */
{
    u = fmin(1.0, fmax(0.0, u));
    if (u < 0.5)
        c[0] = c[1] = (float)(0.2 + 1.6 * u), c[2] = 1.0f;
    else
        c[0] = 1.0f, c[1] = c[2] = (float)(1.0 - 1.6 * (u - 0.5));
}

/* Committee force disagreement, u = sigma_F,i / sigma_warn: green (the model agrees with
 * itself) -> yellow -> red at the threshold; above it magenta (extrapolating). */
static const float col_extrap[3] = {1.0f, 0.25f, 1.0f};
static void sigma_rgb(double u, float c[3])
{
    if (!(u <= 1.0)) {
        memcpy(c, col_extrap, sizeof col_extrap);
        return;
    }
    u = fmax(0.0, u);
    if (u < 0.5)
        c[0] = (float)(0.2 + 1.6 * u), c[1] = (float)(0.75 + 0.3 * u), c[2] = 0.25f;
    else
        c[0] = 1.0f, c[1] = (float)(0.9 - 1.4 * (u - 0.5)), c[2] = (float)(0.25 - 0.2 * (u - 0.5));
}

static double sigma_scale(const sim_snapshot *p) { return p->sigma_warn > 0 ? p->sigma_warn : 1.0; }

static void energy_range(render *r, const sim_snapshot *p)
{
    /* 2nd..98th percentile-ish by a quick histogram-free approach: mean ± 2.5 sd */
    double m = 0, q = 0;
    for (int i = 0; i < p->n; i++)
        m += p->pe[i];
    m /= p->n > 0 ? p->n : 1;
    for (int i = 0; i < p->n; i++)
        q += (p->pe[i] - m) * (p->pe[i] - m);
    double sd = sqrt(q / (p->n > 1 ? p->n - 1 : 1));
    if (sd < 1e-6)
        sd = 1e-6;
    r->emin = m - 2.5 * sd, r->emax = m + 2.5 * sd;
}

/* ------------------------------------------------------------ scene */
static void fill_instances(render *r, const sim_snapshot *p, int *count)
{
    if (r->inst_cap < (size_t)p->n) {
        r->inst_cap = (size_t)p->n + 64;
        r->inst = pcm_realloc(r->inst, r->inst_cap * 7 * sizeof(float));
    }
    if (r->color == RENDER_COLOR_ENERGY)
        energy_range(r, p);
    float scol[PCM_MAX_SPECIES][3], srad[PCM_MAX_SPECIES];
    for (int t = 0; t < p->nspecies; t++)
        element_rgb(p->species[t], scol[t], &srad[t]);
    int k = 0;
    for (int i = 0; i < p->n; i++) {
        double f[3], x[3];
        cell_to_frac(&p->cell, p->x[i], f);
        for (int a = 0; a < 3; a++)
            f[a] -= floor(f[a]);
        if (r->slab_on) {
            double d = fabs(f[2] - r->slab_c);
            d = fmin(d, 1.0 - d);
            if (d > 0.5 * r->slab_w)
                continue;
        }
        cell_to_cart(&p->cell, f, x);
        float *o = r->inst + 7 * k++;
        int t = p->type[i];
        o[0] = (float)x[0], o[1] = (float)x[1], o[2] = (float)x[2];
        o[3] = (float)(0.55 * r->radius_scale) * srad[t];
        const float *c = scol[t];
        float ce[3];
        if (r->color == RENDER_COLOR_CRYSTAL)
            c = p->xtal[i] == SIM_XTAL_UNKNOWN ? col_unknown : p->xtal[i] ? col_xtal : col_amor;
        else if (r->color == RENDER_COLOR_ENERGY)
            energy_rgb((p->pe[i] - r->emin) / (r->emax - r->emin), ce), c = ce;
        else if (r->color == RENDER_COLOR_UNCERTAINTY)
            c = p->sigma_f && isfinite(p->sigma_f[i]) ? (sigma_rgb(p->sigma_f[i] / sigma_scale(p), ce), ce) : col_unknown;
        o[4] = c[0], o[5] = c[1], o[6] = c[2];
    }
    *count = k;
}

static void line_vertex(render *r, int *k, double x, double y, double z, const float c[3])
{
    if ((size_t)*k >= r->line_cap) {
        r->line_cap = r->line_cap ? 2 * r->line_cap : 1024;
        r->lines = pcm_realloc(r->lines, r->line_cap * 6 * sizeof(float));
    }
    float *o = r->lines + 6 * (*k)++;
    o[0] = (float)x, o[1] = (float)y, o[2] = (float)z, o[3] = c[0], o[4] = c[1], o[5] = c[2];
}

static int box_lines(render *r, const pcm_cell *cell)
{
    static const float c[3] = {0.75f, 0.75f, 0.8f};
    int k = 0;
    for (int a = 0; a < 3; a++)
        for (int u = 0; u < 2; u++)
            for (int v = 0; v < 2; v++) {
                double s0[3], s1[3], p0[3], p1[3];
                s0[a] = 0, s1[a] = 1;
                s0[(a + 1) % 3] = s1[(a + 1) % 3] = u;
                s0[(a + 2) % 3] = s1[(a + 2) % 3] = v;
                cell_to_cart(cell, s0, p0);
                cell_to_cart(cell, s1, p1);
                line_vertex(r, &k, p0[0], p0[1], p0[2], c);
                line_vertex(r, &k, p1[0], p1[1], p1[2], c);
            }
    return k;
}

/* Quads of text (stb_easy_font) and swatches as pixel-space triangles. */
static void overlay_text(render *r, int *k, float x, float y, float scale, const char *txt, const float c[3])
{
    static char buf[64 * 1024];
    int nq = stb_easy_font_print(0, 0, (char *)txt, NULL, buf, sizeof buf);
    for (int q = 0; q < nq; q++) {
        float *v = (float *)(buf + q * 64);   /* 4 vertices x (x y z + 4 colour bytes) */
        static const int tri[6] = {0, 1, 2, 0, 2, 3};
        for (int t = 0; t < 6; t++) {
            float *p = v + 4 * tri[t];
            line_vertex(r, k, x + scale * p[0], y + scale * p[1], 0, c);
        }
    }
}

static void overlay_rect(render *r, int *k, float x, float y, float w, float h, const float c[3])
{
    float px[6] = {x, x + w, x + w, x, x + w, x}, py[6] = {y, y, y + h, y, y + h, y + h};
    for (int t = 0; t < 6; t++)
        line_vertex(r, k, px[t], py[t], 0, c);
}

static int legend(render *r, const sim_snapshot *p, int k0)
{
    int k = k0, w, h;
    static const float white[3] = {0.92f, 0.92f, 0.92f};
    SDL_GL_GetDrawableSize(r->win, &w, &h);
    float y = 10, sc = w < 500 ? 1.0f : 2.0f;   /* small renders get small text */
    char buf[96];
    snprintf(buf, sizeof buf, "colour: %s   step %ld  %.2f ps  %.0f K%s", render_color_name(r->color), p->th.step,
             p->th.time_ps, p->th.T, r->slab_on ? "  (slab)" : "");
    overlay_text(r, &k, 10, y, sc, buf, white);
    y += 11 * sc;
    if (r->color == RENDER_COLOR_ELEMENT) {
        for (int t = 0; t < p->nspecies; t++, y += 10 * sc) {
            float c[3], rad;
            element_rgb(p->species[t], c, &rad);
            overlay_rect(r, &k, 10, y, 7 * sc, 7 * sc, c);
            overlay_text(r, &k, 10 + 9 * sc, y, sc, p->species[t], white);
        }
    } else if (r->color == RENDER_COLOR_CRYSTAL) {
        overlay_rect(r, &k, 10, y, 7 * sc, 7 * sc, col_xtal);
        overlay_text(r, &k, 10 + 9 * sc, y, sc, "crystalline", white);
        y += 10 * sc;
        overlay_rect(r, &k, 10, y, 7 * sc, 7 * sc, col_amor);
        overlay_text(r, &k, 10 + 9 * sc, y, sc, "amorphous", white);
    } else if (r->color == RENDER_COLOR_UNCERTAINTY) {
        if (!p->sigma_f) {
            overlay_text(r, &k, 10, y, sc, "no committee: set committee = [...] (grey)", white);
            return k - k0;
        }
        for (int s = 0; s < 20; s++) {
            float c[3];
            sigma_rgb(s / 19.0, c);
            overlay_rect(r, &k, 10 + 4 * sc * s, y, 4 * sc, 7 * sc, c);
        }
        overlay_rect(r, &k, 10 + 4 * sc * 21, y, 7 * sc, 7 * sc, col_extrap);
        snprintf(buf, sizeof buf, "sigma_F 0 .. %.2g eV/A, magenta above", sigma_scale(p));
        overlay_text(r, &k, 10, y + 10 * sc, sc, buf, white);
        snprintf(buf, sizeof buf, "max %.3f eV/A%s", p->sigma_f_max,
                 p->sigma_f_max > sigma_scale(p) ? "  MODEL UNCERTAIN: extrapolating" : "");
        overlay_text(r, &k, 10, y + 20 * sc, sc, buf, p->sigma_f_max > sigma_scale(p) ? col_extrap : white);
    } else {
        for (int s = 0; s < 20; s++) {
            float c[3];
            energy_rgb(s / 19.0, c);
            overlay_rect(r, &k, 10 + 4 * sc * s, y, 4 * sc, 7 * sc, c);
        }
        snprintf(buf, sizeof buf, "%.2f .. %.2f eV/atom", r->emin, r->emax);
        overlay_text(r, &k, 10, y + 10 * sc, sc, buf, white);
    }
    return k - k0;
}

static void draw_scene(render *r, const sim_snapshot *p)
{
    int w, h;
    SDL_GL_GetDrawableSize(r->win, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.08f, 0.09f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    double ctr[3], diag = 0;
    double s[3] = {0.5, 0.5, 0.5};
    cell_to_cart(&p->cell, s, ctr);
    for (int a = 0; a < 3; a++) {
        double l = 0;
        for (int k = 0; k < 3; k++)
            l += p->cell.h[a][k] * p->cell.h[a][k];
        diag += l;
    }
    diag = sqrt(diag);
    if (!r->dist_set)
        r->dist = 1.6 * diag + 2.0, r->dist_set = 1;
    mat4 view = mat_mul(mat_trans(0, 0, -r->dist),
                        mat_mul(mat_rot(r->pitch, 0),
                                mat_mul(mat_rot(r->yaw, 1), mat_trans(-ctr[0] - r->pan[0], -ctr[1] - r->pan[1],
                                                                      -ctr[2] - r->pan[2]))));
    mat4 proj = mat_persp(35.0, (double)w / (h > 0 ? h : 1), fmax(0.1, r->dist - 2 * diag), r->dist + 2 * diag);
    int n;
    fill_instances(r, p, &n);
    glUseProgram(r->prog_atoms);
    glUniformMatrix4fv(glGetUniformLocation(r->prog_atoms, "view"), 1, GL_FALSE, view.m);
    glUniformMatrix4fv(glGetUniformLocation(r->prog_atoms, "proj"), 1, GL_FALSE, proj.m);
    glBindVertexArray(r->vao_atoms);
    glBindBuffer(GL_ARRAY_BUFFER, r->vbo_inst);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)n * 7 * sizeof(float), r->inst, GL_STREAM_DRAW);
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, n);
    /* box (3D) then legend (2D pixels, no depth) from one vertex buffer */
    int nb = box_lines(r, &p->cell);
    int nl = r->legend ? legend(r, p, nb) : 0;
    glUseProgram(r->prog_lines);
    glBindVertexArray(r->vao_lines);
    glBindBuffer(GL_ARRAY_BUFFER, r->vbo_lines);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(nb + nl) * 6 * sizeof(float), r->lines, GL_STREAM_DRAW);
    GLint loc = glGetUniformLocation(r->prog_lines, "mvp");
    mat4 mvp = mat_mul(proj, view);
    glUniformMatrix4fv(loc, 1, GL_FALSE, mvp.m);
    glDrawArrays(GL_LINES, 0, nb);
    glDisable(GL_DEPTH_TEST);
    mat4 ortho = mat_id();
    ortho.m[0] = 2.0f / w, ortho.m[5] = -2.0f / h, ortho.m[12] = -1, ortho.m[13] = 1;
    glUniformMatrix4fv(loc, 1, GL_FALSE, ortho.m);
    glDrawArrays(GL_TRIANGLES, nb, nl);
    glBindVertexArray(0);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static const unsigned char *read_back(render *r, int *w, int *h)
{
    SDL_GL_GetDrawableSize(r->win, w, h);
    size_t need = (size_t)*w * *h * 3;
    if (r->pix_cap < need)
        r->pix = pcm_realloc(r->pix, need), r->pix_cap = need;
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, *w, *h, GL_RGB, GL_UNSIGNED_BYTE, r->pix);
    size_t row = (size_t)*w * 3;   /* GL rows go bottom-up; flip in place */
    unsigned char tmp[row > 0 ? row : 1];
    for (int y = 0; y < *h / 2; y++) {
        memcpy(tmp, r->pix + y * row, row);
        memcpy(r->pix + y * row, r->pix + (*h - 1 - y) * row, row);
        memcpy(r->pix + (*h - 1 - y) * row, tmp, row);
    }
    return r->pix;
}

static void frame(render *r, const sim_snapshot *p, int capture)
{
    SDL_GL_MakeCurrent(r->win, r->gl);
    double t0 = now_ms();
    draw_scene(r, p);
    glFinish();
    r->frame_ms = now_ms() - t0;
    if (capture || r->movie) {
        int w, h;
        read_back(r, &w, &h);
        if (r->movie) {
            if (w != r->movie_w || h != r->movie_h)
                render_movie_stop(r);   /* size changed: the raw stream cannot follow */
            else if (fwrite(r->pix, 3, (size_t)w * h, r->movie) != (size_t)w * h)
                render_movie_stop(r);
        }
    }
    if (r->window)
        SDL_GL_SwapWindow(r->win);
}

void render_draw(render *r, const sim_snapshot *snap) { frame(r, snap, 0); }

const unsigned char *render_capture(render *r, const sim_snapshot *snap, int *w, int *h)
{
    frame(r, snap, 1);
    SDL_GL_GetDrawableSize(r->win, w, h);
    return r->pix;
}

static void png_sink(void *ctx, void *data, int size) { fwrite(data, 1, (size_t)size, (FILE *)ctx); }

int render_png(render *r, const sim_snapshot *snap, const char *path, pcm_err *e)
{
    int w, h;
    const unsigned char *px = render_capture(r, snap, &w, &h);
    pcm_afile af;
    if (atomic_open(&af, path, e) < 0)
        return -1;
    if (!stbi_write_png_to_func(png_sink, af.fp, w, h, 3, px, w * 3)) {
        atomic_abort(&af);
        return pcm_errf(e, path, 0, "PNG encoding failed");
    }
    return atomic_commit(&af, e);
}

int render_movie_start(render *r, const char *path, pcm_err *e)
{
    if (r->movie)
        return pcm_errf(e, NULL, 0, "a movie is already recording");
    SDL_GL_GetDrawableSize(r->win, &r->movie_w, &r->movie_h);
    r->movie_w &= ~1, r->movie_h &= ~1;   /* yuv420p wants even sizes; keep the window even */
    char cmd[2048];
    if (strchr(path, '\''))
        return pcm_errf(e, path, 0, "movie path must not contain a quote");
    snprintf(r->movie_path, sizeof r->movie_path, "%s", path);
    snprintf(r->movie_tmp, sizeof r->movie_tmp, "%s.tmp.%d", path, (int)getpid());
    snprintf(cmd, sizeof cmd,
             "ffmpeg -y -loglevel error -f rawvideo -pix_fmt rgb24 -s %dx%d -r 30 -i - "
             "-c:v libx264 -pix_fmt yuv420p -f mp4 '%s' >/dev/null 2>&1",
             r->movie_w, r->movie_h, r->movie_tmp);
    int w, h;
    SDL_GL_GetDrawableSize(r->win, &w, &h);
    if (w != r->movie_w || h != r->movie_h)
        return pcm_errf(e, NULL, 0, "movie needs an even window size (now %dx%d)", w, h);
    signal(SIGPIPE, SIG_IGN);
    r->movie = popen(cmd, "w");
    if (!r->movie)
        return pcm_errf(e, NULL, 0, "cannot start ffmpeg");
    return 0;
}

void render_movie_stop(render *r)
{
    if (!r->movie)
        return;
    int st = pclose(r->movie);
    r->movie = NULL;
    if (st == 0)
        rename(r->movie_tmp, r->movie_path);   /* complete files only, like every other export */
    else
        unlink(r->movie_tmp);
}

/* ------------------------------------------------------------ events */
int render_poll(render *r, int *keys, int cap, int *nkeys)
{
    SDL_Event ev;
    int mask = 0;
    *nkeys = 0;
    while (SDL_PollEvent(&ev)) {
        switch (ev.type) {
        case SDL_QUIT: mask |= RENDER_EV_CLOSE; break;
        case SDL_WINDOWEVENT:
            if (ev.window.event == SDL_WINDOWEVENT_CLOSE)
                mask |= RENDER_EV_CLOSE;
            mask |= RENDER_EV_REDRAW;
            break;
        case SDL_MOUSEBUTTONDOWN: r->dragging = ev.button.button; break;
        case SDL_MOUSEBUTTONUP: r->dragging = 0; break;
        case SDL_MOUSEMOTION:
            if (r->dragging == SDL_BUTTON_LEFT) {
                r->yaw += 0.4 * ev.motion.xrel;
                r->pitch = fmax(-89, fmin(89, r->pitch + 0.4 * ev.motion.yrel));
            } else if (r->dragging) {   /* pan in the view plane */
                double a = r->yaw * M_PI / 180, s = r->dist * 0.0015;
                r->pan[0] -= s * ev.motion.xrel * cos(a);
                r->pan[2] -= s * ev.motion.xrel * sin(a);
                r->pan[1] += s * ev.motion.yrel;
            }
            mask |= RENDER_EV_REDRAW;
            break;
        case SDL_MOUSEWHEEL:
            r->dist *= pow(0.9, ev.wheel.y);
            mask |= RENDER_EV_REDRAW;
            break;
        case SDL_KEYDOWN: {
            SDL_Keycode k = ev.key.keysym.sym;
            int code = 0;
            if (k == SDLK_LEFTBRACKET) render_set_slab(r, 1, r->slab_c - 0.05, r->slab_w);
            else if (k == SDLK_RIGHTBRACKET) render_set_slab(r, 1, r->slab_c + 0.05, r->slab_w);
            else if (k == SDLK_BACKSLASH) r->slab_on = !r->slab_on;
            else if (k == SDLK_HOME) render_view_reset(r, 1);
            else if (k == SDLK_END) render_view_reset(r, 2);   /* side view: z up, for interfaces */
            else if (k == SDLK_LEFT) code = TUI_K_LEFT;
            else if (k == SDLK_RIGHT) code = TUI_K_RIGHT;
            else if (k == SDLK_PAGEUP) code = TUI_K_PGUP;
            else if (k == SDLK_PAGEDOWN) code = TUI_K_PGDN;
            else if (k == SDLK_SPACE) code = ' ';
            else if (k == SDLK_ESCAPE) code = 27;
            else if (k >= 32 && k < 127 && k != 't') code = (int)k;   /* typing belongs to the terminal */
            if (code && *nkeys < cap)
                keys[(*nkeys)++] = code;
            mask |= RENDER_EV_REDRAW;
            break;
        }
        }
    }
    return mask;
}
