/*
 * main.c — the sockrr command line: dispatches verbs.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sockrr.h"

static const struct verb {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} verbs[] = {
    {"record", "run CMD on the real network and trace its socket calls", cli_record},
    {"replay", "run CMD against a recorded trace instead of its peer", cli_replay},
    {"sim", "run CMD in a simulated network with virtual time", cli_sim},
    {"fuzz", "fuzz CMD with AFL++, its peer's messages taken from the fuzzer's test cases",
     cli_fuzz},
    {"show", "print a trace one event per line (strace -yy style)", cli_show},
    {"convert", "convert a trace to pcap, or a tcpdump capture to a trace", cli_convert},
    {"check", "validate traces and sim network configs; every problem with its place",
     cli_check},
    {"diff", "compare two traces event by event, per process and socket", cli_diff},
    {"stats", "add a trace up: bytes, lifetimes, turns and errors per socket; busiest peers",
     cli_stats},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr VERB [OPTIONS] [-- CMD [ARGS...]]\n"
            "       sockrr --help | --version\n"
            "\n"
            "Runs programs over pluggable socket worlds: the real kernel (traced), a\n"
            "recorded trace, a simulated network, or a fuzzer-fed peer.\n"
            "\n"
            "verbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(out, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(out,
            "\n"
            "'sockrr VERB --help' describes a verb.\n"
            "exit status: 0 success; 1 bad input or failed work; 2 usage error\n"
            "(diff: 0 the same, 1 different, 2 trouble; record, replay, sim and fuzz\n"
            "run: CMD's).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SRR_EXIT_USAGE;
    }
    const char *v = argv[1];
    if (strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0 || strcmp(v, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(v, "--version") == 0 || strcmp(v, "-V") == 0) {
        printf("sockrr %s\n", SRR_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strcmp(v, verbs[i].name) == 0)
            return verbs[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "sockrr: unknown verb '%s' (see sockrr --help)\n", v);
    return SRR_EXIT_USAGE;
}
