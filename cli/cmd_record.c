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

#include "args.h"
#include "cli.h"
#include "env_world.h"
#include "launch.h"

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
            "  -h, --help           this text\n"
            "\n"
            "environment: LD_PRELOAD entries already set stay first; SOCKRR_PRELOAD names\n"
            "the interposer library (default: ../lib/libsockrr-preload.so beside sockrr).\n"
            "\n"
            "exit status: CMD's; 128+N when signal N ended it; 127 CMD not found;\n"
            "126 CMD cannot be run (not executable, statically linked); 1 the trace or\n"
            "pcap could not be written; 2 usage error (a pcap that is the trace included).\n");
}

int cli_record(int argc, char **argv)
{
    const char *out = "sockrr.jsonl", *pcap = NULL;
    int64_t cap = -1;
    const char *pass_env = getenv(srr__env_names[SRR_ENV_PASSTHROUGH]);
    int passthrough = pass_env && strcmp(pass_env, "1") == 0;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int first = cli_option_first(argv, &i, 1);
        if (first == CLI_OPT_END)
            break;
        if (first == CLI_OPT_HELP) {
            record_usage(stdout);
            return SRR_EXIT_OK;
        } else if (cli_is_output(a)) {
            if (!(out = cli_output_value("record", argc, argv, &i)))
                return SRR_EXIT_USAGE;
        } else if (cli_option_is(a, "--pcap")) {
            if (!(pcap = cli_option_value("record", argc, argv, &i, "--pcap", "a file name")))
                return SRR_EXIT_USAGE;
        } else if (cli_option_is(a, "--payload-cap")) {
            uint64_t n;
            int rc = cli_option_number("record", argc, argv, &i, "--payload-cap", "a byte count",
                                       0, INT64_MAX, &n);
            if (rc)
                return rc;
            cap = (int64_t)n;
        } else if (strcmp(a, "--passthrough") == 0) {
            passthrough = 1;
        } else {
            return cli_usage_error("record", "unknown option ", a);
        }
    }
    if (i >= argc)
        return cli_usage_error("record", "no command given: sockrr record [OPTIONS] -- CMD", "");
    if (passthrough && pcap)
        return cli_usage_error("record", "--pcap needs a trace: not with passthrough", "");
    launch_opts o = {
        .verb = "record",
        .mode = passthrough ? LAUNCH_PASSTHROUGH : LAUNCH_RECORD,
        .trace = passthrough ? NULL : out,
        .pcap = pcap,
        .payload_cap = cap,
        .cmd = argv + i,
    };
    return cli_launch(&o);
}
