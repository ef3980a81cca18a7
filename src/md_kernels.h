/* md_kernels.h - the per-atom work of one velocity-Verlet step, written once for the
 * host compiler (src/md.c, the CPU integrator, calls these very functions) and nvcc
 * (src/md_cuda.cu runs them from thin kernels), plus the fixed-shape reductions and
 * scans the device path uses.
 *
 * Equations (md.c's header; units Å, fs, amu, eV, PCM_MVV2E converts amu Å²/fs² to eV):
 *   half kick  v_i += (dt/2) f_i / m_i / PCM_MVV2E
 *   drift      x_i += dt v_i                (returns |dt v_i|², Å², for the lost-atom check)
 *   scale      v_i *= α                     (Bussi; α comes from the host)
 *   kinetic    K = ½ PCM_MVV2E Σ m_i |v_i|²
 *
 * Arrays are flat, 3 doubles per atom (the layout of pcm_system's double[n][3]).
 *
 * Reductions never use atomics: the atoms are cut into chunks of B consecutive atoms,
 * each chunk is summed in atom order by one thread, and the chunk sums are summed in
 * chunk order by one thread.  The result depends only on n and B, never on thread
 * scheduling; for n <= B it is the plain sequential sum (what system.c computes).
 */
#ifndef PCM_MD_KERNELS_H
#define PCM_MD_KERNELS_H

#ifdef __CUDACC__
#ifndef PCM_HD
#define PCM_HD __host__ __device__
#endif
#else
#ifndef PCM_HD
#define PCM_HD
#endif
#endif

#define MDK_CHUNK 256 /* atoms per reduction chunk */

/* v_i += a f_i with a = h / m_i, h = (dt/2)/PCM_MVV2E (md.c computes h the same way). */
static PCM_HD inline void mdk_kick(int i, double h, const double *mass, const int *type, double *v, const double *f)
{
    double a = h / mass[type[i]];
    for (int k = 0; k < 3; k++)
        v[3 * i + k] += a * f[3 * i + k];
}

/* x_i += dt v_i; returns the squared move (Å²). */
static PCM_HD inline double mdk_drift(int i, double dt, double *x, const double *v)
{
    double d2 = 0.0;
    for (int k = 0; k < 3; k++) {
        double dx = dt * v[3 * i + k];
        x[3 * i + k] += dx;
        d2 += dx * dx;
    }
    return d2;
}

static PCM_HD inline void mdk_scale(int i, double a, double *v)
{
    for (int k = 0; k < 3; k++)
        v[3 * i + k] *= a;
}

/* m_i |v_i|² (amu Å²/fs²): the kinetic energy summand of system_kinetic_energy. */
static PCM_HD inline double mdk_mv2(int i, const double *mass, const int *type, const double *v)
{
    const double *vi = &v[3 * i];
    return mass[type[i]] * (vi[0] * vi[0] + vi[1] * vi[1] + vi[2] * vi[2]);
}

/* |x_i - x0_i|² (Å²): how far atom i moved since the neighbour list was built. */
static PCM_HD inline double mdk_disp2(int i, const double *x, const double *x0)
{
    double dx = x[3 * i] - x0[3 * i], dy = x[3 * i + 1] - x0[3 * i + 1], dz = x[3 * i + 2] - x0[3 * i + 2];
    return dx * dx + dy * dy + dz * dz;
}

/* max that keeps a NaN once it has seen one (a NaN move must stop the run). */
static PCM_HD inline double mdk_max(double m, double a)
{
    if (m != m)
        return m;
    return (a <= m) ? m : a;
}

/* ------------------------------------------------------------------ Langevin */

/* Counter-based normal deviate for (seed, step, atom i, component k): splitmix64 finaliser
 * of the counter, two 53-bit uniforms, Box-Muller.  Each atom's noise depends only on
 * these four numbers, so it is the same for any thread count or launch shape. */
static PCM_HD inline unsigned long long mdk_mix(unsigned long long z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static PCM_HD inline double mdk_gauss(unsigned long long seed, long step, int i, int k)
{
    unsigned long long c = mdk_mix(seed ^ mdk_mix((unsigned long long)step * 0x100000001b3ULL)) ^
                           ((unsigned long long)i * 4 + (unsigned long long)k);
    unsigned long long a = mdk_mix(c), b = mdk_mix(a);
    double u1 = ((a >> 11) + 0.5) * (1.0 / 9007199254740992.0); /* (0, 1) */
    double u2 = (b >> 11) * (1.0 / 9007199254740992.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Ornstein-Uhlenbeck step of md.c's Langevin hook: v = c v + sqrt((1-c²) kT/m) ξ,
 * sc = sqrt(1-c²), kT in amu Å²/fs². */
static PCM_HD inline void mdk_langevin(int i, double c, double sc, double kT, const double *mass, const int *type,
                                       unsigned long long seed, long step, double *v)
{
    double sd = sc * sqrt(kT / mass[type[i]]);
    for (int k = 0; k < 3; k++)
        v[3 * i + k] = c * v[3 * i + k] + sd * mdk_gauss(seed, step, i, k);
}

/* Chunk c of the momentum: out = (Σ m v_x, Σ m v_y, Σ m v_z, Σ m), amu·Å/fs, amu. */
static PCM_HD inline void mdk_momentum_chunk(int c, int B, int n, const double *mass, const int *type,
                                             const double *v, double out[4])
{
    int a1 = (c + 1) * B < n ? (c + 1) * B : n;
    double p0 = 0.0, p1 = 0.0, p2 = 0.0, mt = 0.0;
    for (int i = c * B; i < a1; i++) {
        double m = mass[type[i]];
        mt += m;
        p0 += m * v[3 * i];
        p1 += m * v[3 * i + 1];
        p2 += m * v[3 * i + 2];
    }
    out[0] = p0, out[1] = p1, out[2] = p2, out[3] = mt;
}

static PCM_HD inline void mdk_shift_v(int i, const double dv[3], double *v)
{
    for (int k = 0; k < 3; k++)
        v[3 * i + k] -= dv[k];
}

/* ------------------------------------------------------------------ fixed-shape reductions */

static PCM_HD inline int mdk_nchunks(long n, int B) { return (int)((n + B - 1) / B); }

/* Chunk c of a per-atom kinetic sum: Σ m_i |v_i|² over atoms [cB, min(n, (c+1)B)). */
static PCM_HD inline double mdk_mv2_chunk(int c, int B, int n, const double *mass, const int *type, const double *v)
{
    int a1 = (c + 1) * B < n ? (c + 1) * B : n;
    double s = 0.0;
    for (int i = c * B; i < a1; i++)
        s += mdk_mv2(i, mass, type, v);
    return s;
}

/* Chunk c of Σ a[i*stride + comp] (per-atom energies, virial components). */
static PCM_HD inline double mdk_sum_chunk(int c, int B, long n, const double *a, int stride, int comp)
{
    long a1 = (long)(c + 1) * B < n ? (long)(c + 1) * B : n;
    double s = 0.0;
    for (long i = (long)c * B; i < a1; i++)
        s += a[i * stride + comp];
    return s;
}

/* Chunk c of max over atoms of the step move (x updated by mdk_drift, move2[i]) and of
 * the displacement since the list build: out[0], out[1] (Å²). */
static PCM_HD inline void mdk_moves_chunk(int c, int B, int n, const double *move2, const double *x, const double *x0,
                                          double out[2])
{
    int a1 = (c + 1) * B < n ? (c + 1) * B : n;
    double m = 0.0, d = 0.0;
    for (int i = c * B; i < a1; i++) {
        m = mdk_max(m, move2[i]);
        d = mdk_max(d, mdk_disp2(i, x, x0));
    }
    out[0] = m;
    out[1] = d;
}

/* Sequential sum of nc chunk results (one thread). */
static PCM_HD inline double mdk_sum_seq(const double *a, int nc)
{
    double s = 0.0;
    for (int c = 0; c < nc; c++)
        s += a[c];
    return s;
}

/* ------------------------------------------------------------------ integer scans */

/* Inclusive prefix sum of a[0..n) in blocks of B: block sums, then one thread scans them
 * into exclusive block offsets, then each block scans itself.  Integer: exact. */
static PCM_HD inline long mdk_iblock_sum(int b, int B, long n, const int *a)
{
    long a1 = (long)(b + 1) * B < n ? (long)(b + 1) * B : n, s = 0;
    for (long i = (long)b * B; i < a1; i++)
        s += a[i];
    return s;
}

static PCM_HD inline void mdk_iblock_offsets(long *bs, int nb) /* in place: exclusive scan */
{
    long run = 0;
    for (int b = 0; b < nb; b++) {
        long t = bs[b];
        bs[b] = run;
        run += t;
    }
}

static PCM_HD inline void mdk_iblock_scan(int b, int B, long n, int *a, long off)
{
    long a1 = (long)(b + 1) * B < n ? (long)(b + 1) * B : n, run = off;
    for (long i = (long)b * B; i < a1; i++) {
        run += a[i];
        a[i] = (int)run;
    }
}

/* Sort a[lo..hi) ascending (insertion sort: the ranges are one bin's atoms or one atom's
 * reverse pairs, tens of entries).  Makes an atomic fill deterministic. */
static PCM_HD inline void mdk_isort(int *a, long lo, long hi)
{
    for (long p = lo + 1; p < hi; p++) {
        int v = a[p];
        long q = p - 1;
        while (q >= lo && a[q] > v) {
            a[q + 1] = a[q];
            q--;
        }
        a[q + 1] = v;
    }
}

#endif
