/*
 * cmd_record.c — `sockrr record [-o TRACE] [--pcap PCAP] -- CMD [ARGS...]`:
 * runs CMD with the interposer preloaded and the kernel world wrapped by
 * the tap, every process it starts appending to one trace.  This file reads
 * the options; launch.c runs the command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "env_world.h"
#include "launch.h"
#include "trace.h"

static void record_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr record [OPTIONS] -- CMD [ARGS...]\n"
            "\n"
            "Runs CMD on the real network with every socket, resolver and descriptor call\n"
            "traced (docs/interpose.md lists them).  Processes CMD forks or execs trace on\n"
            "into the same trace, each event with its own pid.\n"
            "\n"
            "options:\n"
            "  -o, --output TRACE   the JSONL trace (default: sockrr.jsonl)\n"
            "  --pcap PCAP          also write a pcap view of the trace when CMD exits\n"
            "  --payload-cap N      keep at most N payload bytes per event (default: all)\n"
            "  --passthrough        load the interposer but trace nothing: its own cost\n"
            "                       (also SOCKRR_PASSTHROUGH=1)\n"
            "  --ring-size BYTES    the event ring the traced processes write into, which\n"
            "                       sockrr writes to the trace (default 16 MiB; 64 KiB to 1 GiB)\n"
            "  --ring-full wait|drop  when the ring is full, the program waits (default) or\n"
            "                       its events are dropped and counted in a `lost` event\n"
            "  --rescue CTL TRACE   after sockrr was killed: write the events its ring CTL\n"
            "                       (/dev/shm/sockrr-ctl-*) still holds to the end of TRACE\n"
            "  -h, --help           this text\n"
            "\n"
            "environment: LD_PRELOAD entries already set stay first; SOCKRR_PRELOAD names\n"
            "the interposer library (default: ../lib/libsockrr-preload.so beside sockrr).\n"
            "\n"
            "exit status: CMD's; 128+N when signal N ended it; 127 CMD not found;\n"
            "126 CMD cannot be run (not executable, statically linked); 1 the trace or\n"
            "pcap could not be written; 2 usage error (a pcap that is the trace included).\n");
}

static int record_own(void *ctx, int argc, char **argv, int *i)
{
    (void)argc;
    if (strcmp(argv[*i], "--passthrough") != 0)
        return CLI_OWN_NOT;
    ((launch_opts *)ctx)->mode = LAUNCH_PASSTHROUGH;
    return CLI_OWN_TAKEN;
}

/* sockrr record --rescue CTL TRACE: the ring of a run whose sockrr was
 * killed, written to its trace (what a consumer would have done). */
static int record_rescue(int argc, char **argv)
{
    if (argc != 4)
        return cli_usage_error("record", "usage: ", "sockrr record --rescue CTL TRACE");
    int error = 0;
    srr_trace_ring *g = srr__trace_ring_open(argv[2], argv[3], &error);
    if (g)
        error = srr__trace_ring_close(g);
    if (error == -EINVAL && !g) {
        fprintf(stderr, "sockrr record: %s: not a trace's control file with an event ring\n",
                argv[2]);
        return SRR_EXIT_FAIL;
    }
    if (error < 0) {
        fprintf(stderr, "sockrr record: %s: %s\n", g ? argv[3] : argv[2], strerror(-error));
        return SRR_EXIT_FAIL;
    }
    unlink(argv[2]); /* a dead run's: nothing else will */
    return SRR_EXIT_OK;
}

int cli_record(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--rescue") == 0)
        return record_rescue(argc, argv);
    const char *pass_env = getenv(srr__env_names[SRR_ENV_PASSTHROUGH]);
    int passthrough = pass_env && strcmp(pass_env, "1") == 0;
    launch_opts o = {
        .verb = "record",
        .mode = passthrough ? LAUNCH_PASSTHROUGH : LAUNCH_RECORD,
        .trace = "sockrr.jsonl",
        .payload_cap = -1,
    };
    cli_args spec = {.verb = "record", .synopsis = "sockrr record [OPTIONS] -- CMD",
                     .usage = record_usage,
                     .common = CLI_ARG_OUT | CLI_ARG_PCAP | CLI_ARG_CAP | CLI_ARG_RING,
                     .word_ends = 1, .own = record_own, .ctx = &o};
    int i = cli_launch_args(&spec, argc, argv, &o);
    if (i <= 0)
        return -i;
    if (o.mode == LAUNCH_PASSTHROUGH) {
        if (o.pcap)
            return cli_usage_error("record", "--pcap needs a trace: not with passthrough", "");
        o.trace = NULL;
    }
    o.cmd = argv + i;
    return cli_launch(&o);
}
