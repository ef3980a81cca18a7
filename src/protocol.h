/* protocol.h - temperature schedules: hold and linear-ramp segments, repeated cycles.
 *
 * Times are ps of simulated time.  A schedule of segments s_1..s_n is run
 * `cycles` times; every segment duration is multiplied by `scale` (so the
 * paper's 10.5 ns thermal cycle can be run at 1/1000 of its length).
 */
#ifndef PCM_PROTOCOL_H
#define PCM_PROTOCOL_H

#define PCM_PROTOCOL_MAX_SEG 32

typedef enum { PROTO_HOLD, PROTO_RAMP } pcm_seg_kind;

typedef struct pcm_segment {
    pcm_seg_kind kind;
    double T0, T1;      /* K (hold: T0 = T1) */
    double t_ps;        /* duration before scaling, ps */
} pcm_segment;

typedef struct pcm_protocol {
    int nseg;
    pcm_segment seg[PCM_PROTOCOL_MAX_SEG];
    int cycles;         /* >= 1 */
    double scale;       /* > 0, multiplies every duration */
} pcm_protocol;

void protocol_init(pcm_protocol *p);
/* Append a segment; -1 when full. */
int protocol_hold(pcm_protocol *p, double T, double t_ps);
int protocol_ramp(pcm_protocol *p, double T0, double T1, double t_ps);
void protocol_set_scale(pcm_protocol *p, double scale);
double protocol_duration(const pcm_protocol *p);   /* ps, scaled, all cycles */
/* Target temperature at t_ps (clamped to the last value after the end; *done = 1 then). */
void protocol_target(const pcm_protocol *p, double t_ps, double *T, int *done);
double protocol_progress(const pcm_protocol *p, double t_ps);   /* 0..1 */
/* Index of the running segment and cycle at t_ps (either may be NULL). */
void protocol_where(const pcm_protocol *p, double t_ps, int *seg, int *cycle);

#endif
