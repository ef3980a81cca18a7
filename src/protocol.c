/* protocol.c - temperature schedules (hold, ramp, cycles, time scaling). */
#include "protocol.h"

void protocol_init(pcm_protocol *p)
{
    p->nseg = 0;
    p->cycles = 1;
    p->scale = 1.0;
}

static int protocol_add(pcm_protocol *p, pcm_seg_kind k, double T0, double T1, double t)
{
    if (p->nseg >= PCM_PROTOCOL_MAX_SEG)
        return -1;
    p->seg[p->nseg++] = (pcm_segment){k, T0, T1, t > 0.0 ? t : 0.0};
    return 0;
}

int protocol_hold(pcm_protocol *p, double T, double t_ps) { return protocol_add(p, PROTO_HOLD, T, T, t_ps); }
int protocol_ramp(pcm_protocol *p, double T0, double T1, double t_ps)
{
    return protocol_add(p, PROTO_RAMP, T0, T1, t_ps);
}

void protocol_set_scale(pcm_protocol *p, double scale)
{
    if (scale > 0.0)
        p->scale = scale;
}

static double protocol_cycle_len(const pcm_protocol *p)
{
    double t = 0.0;
    for (int k = 0; k < p->nseg; k++)
        t += p->seg[k].t_ps * p->scale;
    return t;
}

double protocol_duration(const pcm_protocol *p)
{
    return protocol_cycle_len(p) * (p->cycles > 1 ? p->cycles : 1);
}

/* Locate t in the schedule: segment k, cycle c, fraction u of the segment. */
static int protocol_locate(const pcm_protocol *p, double t, int *seg, int *cyc, double *u)
{
    double L = protocol_cycle_len(p), total = protocol_duration(p);
    if (p->nseg == 0 || t >= total || L <= 0.0) {
        *seg = p->nseg - 1, *cyc = (p->cycles > 1 ? p->cycles : 1) - 1, *u = 1.0;
        return 1;
    }
    if (t < 0.0)
        t = 0.0;
    int c = (int)(t / L);
    double r = t - c * L;
    for (int k = 0; k < p->nseg; k++) {
        double d = p->seg[k].t_ps * p->scale;
        if (r < d || k == p->nseg - 1) {
            *seg = k, *cyc = c, *u = d > 0.0 ? (r < d ? r / d : 1.0) : 1.0;
            return 0;
        }
        r -= d;
    }
    return 1;   /* not reached */
}

void protocol_target(const pcm_protocol *p, double t_ps, double *T, int *done)
{
    int k, c, fin;
    double u;
    fin = protocol_locate(p, t_ps, &k, &c, &u);
    if (done)
        *done = fin;
    if (k < 0) {
        *T = 0.0;
        return;
    }
    const pcm_segment *s = &p->seg[k];
    *T = s->T0 + (s->T1 - s->T0) * u;
}

double protocol_progress(const pcm_protocol *p, double t_ps)
{
    double d = protocol_duration(p);
    if (d <= 0.0)
        return 1.0;
    double f = t_ps / d;
    return f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
}

void protocol_where(const pcm_protocol *p, double t_ps, int *seg, int *cycle)
{
    int k, c;
    double u;
    protocol_locate(p, t_ps, &k, &c, &u);
    if (seg)
        *seg = k;
    if (cycle)
        *cycle = c;
}
