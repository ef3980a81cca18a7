/* cli_gpu.c - `pcmlab gpu`: is the CUDA backend usable here?  Exit 0 when a GPU works,
 * 1 when not (the one-line reason is printed either way). */
#include <stdio.h>

#include "cli.h"
#include "gpu.h"

int cmd_gpu(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fputs("usage: pcmlab gpu\n", stderr);
        return 2;
    }
    char buf[320];
    int ok = gpu_notice(buf, sizeof buf);
    puts(buf);
    return ok ? 0 : 1;
}
