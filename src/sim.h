/* sim.h - the simulation thread behind the workbench.
 *
 * The engine (md.h) runs on its own pthread in chunks of `steps_per_chunk` MD
 * steps.  After every chunk it publishes an immutable, reference-counted
 * snapshot (positions, species, per-atom crystalline flag and energy, cell,
 * thermo values, protocol progress, the latest message).  Readers (terminal,
 * 3D view, exports) only ever see whole snapshots: sim_acquire() hands out the
 * newest one and sim_release() gives it back; a snapshot is freed when the last
 * reader lets go, so at most a few exist at any time.
 *
 * Commands travel the other way through a bounded, thread-safe queue and are
 * applied between chunks, so the engine never sees a half-applied change.
 *
 * With a committee (sim_config.committee, committee.h) the thread evaluates it every
 * xtal_every chunks, the analysis interval (it costs K force evaluations, so never every
 * step), publishes the per-atom force disagreement sigma_F,i in the snapshot and max_i
 * sigma_F,i and the frame sigma_F as time series.
 *
 * Time series (PE/atom, T, density, crystalline fraction vs simulated time)
 * live in fixed-size rings: a long run never grows memory; the plots show the
 * most recent SIM_SERIES_CAP samples.
 *
 * Protocols are temperature schedules of ramp/hold segments (protocol.h): the
 * one-key presets are short built-in ones (the first ramp starts at the dial);
 * sim_load_preset() runs a preset file (presets/NAME.cfg) on the live system (plan.h says
 * which of its settings apply live and which only at start-up).
 * Dial rule: touching the temperature (sim_set_T) while a protocol runs PAUSES
 * the protocol and the dial takes over; SIM_CMD_PROTOCOL_RESUME continues the
 * schedule where it stopped (its clock does not advance while paused).
 *
 * Nothing here includes curses, SDL or GL.
 */
#ifndef PCM_SIM_H
#define PCM_SIM_H
#include "committee.h"
#include "err.h"
#include "md.h"
#include "plan.h"
#include "system.h"

#define SIM_SERIES_CAP 2048   /* samples kept per time series (one per chunk) */
#define SIM_MSG_LEN 256

enum { SIM_XTAL_UNKNOWN = 255 };

typedef enum {
    SIM_PRESET_NONE = 0,
    SIM_PRESET_MELT,       /* heat to 1100 K, hold */
    SIM_PRESET_QUENCH,     /* cool to 300 K at ~80 K/ps, hold */
    SIM_PRESET_ANNEAL,     /* hold at 600 K (crystal growth) */
    SIM_PRESET_CYCLE,      /* 2 x (300 K -> 1000 K -> 300 K) */
    SIM_PRESET_COUNT,
    SIM_PRESET_FILE = 100  /* a preset file (sim_load_preset); not a one-key preset */
} sim_preset;

typedef struct sim_config {
    char potential[512];       /* .yace path or lj:EPS,SIGMA,RC; "" = default search
                                  (assets/gst-fast.yace, assets/gst.yace, else the LJ stand-in) */
    int potential_fallback;    /* 1: when `potential` does not load, say why and use the default
                                  search (a preset's potential); 0: refuse (the user named it) */
    char potential_label[160]; /* shown in the header; filled by sim_new when empty */
    char potential_note[640];  /* filled by sim_new: why a candidate was skipped, GPU notice */
    char structure[16];        /* "rocksalt" (default), "liquid" or "interface" (ignored by the LJ stand-in) */
    int cells;                 /* rocksalt GST: cells^3 conventional cells */
    double a;                  /* rocksalt lattice constant, Å (used when density = 0) */
    double density;            /* g/cm³: rocksalt is scaled to it (default 6.3, the experimental
                                  crystal); liquid packing density */
    double vacancy_fraction;   /* rocksalt cation vacancies (0.2 = Ge2Sb2Te5) */
    int atoms;                 /* liquid: atom count */
    char composition[32];      /* liquid */
    double min_dist;           /* liquid: closest approach, Å */
    unsigned long long structure_seed;
    double T0;                 /* initial and dial temperature, K */
    double dt;                 /* fs; 0 = automatic (1 fs; 2 fs for Lennard-Jones) */
    int steps_per_chunk;
    int xtal_every;            /* crystallinity every N chunks (>= 1) */
    pcm_ensemble ensemble;
    unsigned long long seed;
    char init_xyz[512];        /* start from this extxyz instead of rocksalt ("" = build) */
    double max_chunk_rate;     /* chunks per second cap (0 = as fast as possible) */
    committee_list committee;  /* uncertainty committee, paths like potential (k = 0: none) */
    double committee_warn;     /* eV/Å: max sigma_F,i above this = "model uncertain" (0 = 1.0) */
} sim_config;

typedef struct sim_snapshot {
    long seq;                  /* publish counter, strictly increasing */
    int n, nspecies;
    char species[PCM_MAX_SPECIES][4];
    int *type;                 /* [n] */
    double (*x)[3];            /* [n] positions, Å (unwrapped as the engine has them) */
    double *pe;                /* [n] per-atom potential energy, eV */
    unsigned char *xtal;       /* [n] 1 crystalline, 0 not, SIM_XTAL_UNKNOWN before the first analysis */
    double *sigma_f;           /* [n] committee force disagreement sigma_F,i, eV/Å; NULL: no committee */
    int committee_k;           /* committee members, 0 = none */
    double sigma_f_max;        /* eV/Å, max_i sigma_F,i of the latest committee evaluation (NAN: none) */
    double sigma_f_frame;      /* eV/Å, sqrt(mean_i sigma_F,i^2) (NAN: none) */
    double sigma_warn;         /* eV/Å, the "model uncertain" threshold */
    long sigma_step;           /* MD step of the latest committee evaluation */
    pcm_cell cell;
    pcm_thermo th;
    pcm_ensemble ensemble;
    int paused;
    double xtal_fraction;      /* 0..1, or -1 when unknown */
    double Q4, Q6;
    sim_preset preset;         /* running or paused protocol; NONE when idle */
    int protocol_paused;       /* 1 when the dial took over */
    double protocol_progress;  /* 0..1 */
    double ps_per_hour;        /* simulated ps per wall-clock hour */
    double us_per_atom_step;   /* wall µs per atom per step */
    int blowups;               /* chunks rolled back by the engine */
    char potential_label[160];
    char backend[96];          /* "CPU, 2 threads" or "GPU NAME, sm_XY, N GiB" */
    char protocol_name[64];    /* running protocol's name ("melt", a preset file's name) */
    double protocol_t, protocol_total; /* ps into the protocol, its length (ps) */
    char plan_note[PLAN_NOTE_LEN]; /* a preset file's settings not applied live ("" = none) */
    char msg[SIM_MSG_LEN];     /* latest message from the engine side */
    long msg_seq;              /* changes whenever msg does */
    unsigned long long checksum; /* over seq, n, x, type: readers can detect torn data */
    int refs_;                 /* private */
} sim_snapshot;

typedef struct sim_series {
    int n;                     /* samples, oldest first */
    double t[SIM_SERIES_CAP];  /* ps */
    double pe[SIM_SERIES_CAP]; /* eV/atom */
    double T[SIM_SERIES_CAP];  /* K */
    double rho[SIM_SERIES_CAP];/* g/cm³ */
    double xf[SIM_SERIES_CAP]; /* crystalline fraction 0..1, NAN = not analysed yet */
    double sfmax[SIM_SERIES_CAP]; /* eV/Å, committee max_i sigma_F,i (NAN: no committee) */
    double sf[SIM_SERIES_CAP];    /* eV/Å, committee frame sigma_F (NAN: no committee) */
    int committee;             /* 1 when a committee runs (the sigma columns mean something) */
} sim_series;

typedef enum {
    SIM_CMD_SET_T,             /* value = K */
    SIM_CMD_SET_ENSEMBLE,      /* ivalue = pcm_ensemble */
    SIM_CMD_PAUSE,
    SIM_CMD_RESUME,
    SIM_CMD_TOGGLE_PAUSE,
    SIM_CMD_STEP,              /* one chunk while paused */
    SIM_CMD_RESET,             /* back to the initial structure, series cleared */
    SIM_CMD_PRESET,            /* ivalue = sim_preset */
    SIM_CMD_PROTOCOL_RESUME,
    SIM_CMD_PROTOCOL_STOP,
    SIM_CMD_QUIT,
    SIM_CMD_PLAN               /* run the plan handed over by sim_start_plan (the latest wins) */
} sim_cmd_kind;

typedef struct sim_cmd {
    sim_cmd_kind kind;
    double value;
    int ivalue;
} sim_cmd;

typedef struct sim sim;

void sim_config_default(sim_config *c);
/* Set one key=value ("T=600", "cells=3", "potential=lj:...", "ensemble=npt", ...). */
int sim_config_set(sim_config *c, const char *kv, pcm_err *e);
/* Builds the system and engine and starts the thread (running unless start_paused). */
sim *sim_new(const sim_config *c, int start_paused, pcm_err *e);
/* Stops the thread and frees everything; release every acquired snapshot first. */
void sim_free(sim *s);

/* Queue a command; -1 + message when the queue is full or the value is nonsense. */
int sim_send(sim *s, sim_cmd cmd, pcm_err *e);
int sim_set_T(sim *s, double T, pcm_err *e);   /* validates 1..5000 K */
/* Load a preset file and run it on the live system: -1 + "file:line: ..." when the file is
 * bad (nothing is sent: the simulation carries on untouched).  note (may be NULL) gets what
 * was not applied live.  The engine is rebuilt on the current atoms with the preset's MD
 * settings between chunks. */
int sim_load_preset(sim *s, const char *file, char *note, size_t cap, pcm_err *e);
/* Queue an already built plan (start-up with --preset). */
int sim_start_plan(sim *s, const sim_plan *pl, pcm_err *e);

sim_snapshot *sim_acquire(sim *s);              /* newest snapshot, never NULL */
void sim_release(sim *s, sim_snapshot *snap);
/* Waits up to timeout_ms for a snapshot newer than seq; returns 1 if one exists. */
int sim_wait_newer(sim *s, long seq, int timeout_ms);
void sim_series_copy(sim *s, sim_series *out);

/* Bookkeeping for tests: snapshots alive now, published so far, commands applied. */
typedef struct sim_stats {
    long live_snapshots, published, commands_applied, chunks;
} sim_stats;
void sim_get_stats(sim *s, sim_stats *st);
/* The effective settings after sim_new: resolved potential, its label and notes, dt. */
const sim_config *sim_get_config(const sim *s);
/* 1 when the LJ stand-in runs (no usable GST potential). */
int sim_uses_standin(const sim *s);

/* A standalone snapshot of a system (for `pcmlab render`); xtal may be NULL
 * (unknown).  Free with sim_snapshot_free, never sim_release. */
sim_snapshot *sim_snapshot_from_system(const pcm_system *sys, const unsigned char *xtal);
void sim_snapshot_free(sim_snapshot *snap);
/* Crystalline flags and fraction of sys (analysis module); -1 + message when
 * the crystallinity analysis is not built in. */
int sim_crystallinity(const pcm_system *sys, unsigned char *flags, double *fraction, pcm_err *e);

unsigned long long sim_snapshot_checksum(const sim_snapshot *snap);
const char *sim_preset_name(sim_preset p);
sim_preset sim_preset_from_name(const char *name);
const char *sim_ensemble_name(pcm_ensemble e);
/* Total length of a preset's schedule, ps. */
double sim_preset_duration(sim_preset p);
#endif
