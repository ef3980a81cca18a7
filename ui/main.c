/* main.c - the pcmlab command: subcommand dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/cli.h"
#include "../src/gpu.h"
#include "../src/version.h"

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} command;

static const command commands[] = {
    {"eval", cmd_eval, "energy, forces, virial of configurations with a potential"},
    {"build", cmd_build, "build rocksalt GST or a random liquid"},
    {"label", cmd_label, "DFT (CP2K) or teacher labels for configurations, resumable"},
    {"dataset", cmd_dataset, "generate the DFT training-set queue (configs + manifest)"},
    {"analyze", cmd_analyze, "crystallinity, rdf, coordination, angles, sq, msd of configurations"},
    {"run", cmd_run, "run a protocol preset headless (thermo.csv, trajectory, summary)"},
    {"validate", cmd_validate, "issue #5 validation protocol for a potential (report.md, validate.csv)"},
    {"melting-point", cmd_melting_point, "T_m by the interface method: crystal-liquid slabs at several T"},
    {"transport", cmd_transport, "viscosity (Green-Kubo) and diffusion (MSD) of liquid GST at several T"},
    {"fit", cmd_fit, "fit a linear ACE potential (.yace) to extxyz data; convert B-basis YAML"},
    {"workbench", cmd_workbench, "the live workbench (default): terminal UI + 3D view"},
    {"render", cmd_render, "render an extxyz frame to PNG (offscreen works without a display)"},
    {"gpu", cmd_gpu, "is a CUDA GPU usable? (PCM_GPU=1 selects the GPU ACE backend)"},
};

static void usage(FILE *fp)
{
    fprintf(fp, "pcmlab %s - interactive molecular dynamics of Ge2Sb2Te5 with ACE potentials\n\n"
                "usage: pcmlab COMMAND [options]\n\ncommands:\n",
            PCM_VERSION);
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        fprintf(fp, "  %-13s %s\n", commands[k].name, commands[k].help);
}

/* OpenMP threads that spin while waiting steal the core from the thread doing the
 * work whenever another process (a CP2K job, a compile) is busy: a 58-atom ACE run
 * went from 11 to 208 µs/atom-step.  Waiting passively costs nothing measurable at
 * MD chunk sizes, so it is the default; libgomp reads the variable only at start-up,
 * hence the re-exec.  Set OMP_WAIT_POLICY yourself to choose otherwise. */
static void prefer_passive_wait(char **argv)
{
    if (getenv("OMP_WAIT_POLICY"))
        return;
    setenv("OMP_WAIT_POLICY", "passive", 1);
    execv("/proc/self/exe", argv);
    /* exec failed (no /proc): carry on with the default policy */
}

int main(int argc, char **argv)
{
    prefer_passive_wait(argv);
    if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "-h") && strcmp(argv[1], "--help") &&
                       strcmp(argv[1], "--version"))) {
        /* no subcommand (or only options): the workbench */
        char *wb[64] = {"workbench"};
        int n = 1;
        for (int k = 1; k < argc && n < 63; k++)
            wb[n++] = argv[k];
        return cmd_workbench(n, wb);
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        char gpu[320];
        gpu_notice(gpu, sizeof gpu);
        printf("pcmlab %s (%s)\n%s\n", PCM_VERSION, PCM_BUILD_STAMP, gpu);
        return 0;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(argv[1], commands[k].name))
            return commands[k].fn(argc - 1, argv + 1);
    fprintf(stderr, "pcmlab: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
