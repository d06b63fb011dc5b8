/*
 * cmd_sim.c — `sockrr sim [--net NET.json] [--seed N] [-o TRACE] [--pcap
 * PCAP] -- CMD [ARGS...]`: runs CMD with every socket, resolver and clock
 * call answered by a simulated network (docs/sim.md, docs/interpose.md).
 * This file reads the options and checks the network; launch.c runs the
 * command.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "env_world.h"
#include "input.h"
#include "launch.h"
#include "sim_config.h"

static void sim_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr sim [OPTIONS] -- CMD [ARGS...]\n"
            "\n"
            "Runs CMD in a simulated network with virtual time: its sockets, name lookups,\n"
            "clocks and sleeps are answered by the sim world, nothing reaches a real\n"
            "network, and a 30-second timeout takes no wall time.  The same seed gives the\n"
            "same run.\n"
            "\n"
            "options:\n"
            "  --net NET.json       the network (docs/sim-config.md); default: one host\n"
            "                       \"localhost\" with 127.0.0.1 and ::1\n"
            "  --seed N             the seed for every random choice (default: $SOCKRR_SEED,\n"
            "                       else the config's)\n"
            "  -o, --output TRACE   also trace every call (JSONL, docs/trace-format.md)\n"
            "  --pcap PCAP          with -o: a pcap view of the trace\n"
            "  --payload-cap N      with -o: keep at most N payload bytes per event\n"
            "  --ring-size BYTES, --ring-full wait|drop\n"
            "                       with -o: the event ring, as sockrr record has it\n"
            "  -h, --help           this text\n"
            "\n"
            "limits (docs/interpose.md): one process per network; a forked child's socket\n"
            "calls fail with EOPNOTSUPP (a child that execs gets a network of its own).\n"
            "\n"
            "exit status: CMD's; 128+N when signal N ended it; 88 the run stopped moving\n"
            "(every thread waits and nothing is due, or only its own timers for the\n"
            "config's idle_limit: a report says who waits on what); 127 CMD not found;\n"
            "126 CMD cannot be run; 1 a bad network or an unwritable trace; 2 usage error\n"
            "(an output that is the network or the other output included).\n");
}

/* The network is checked here, where a mistake can still be said once
 * and under the name the user gave it; it is also the trace header's clock
 * (virtual time 0).  Then CMD runs.  The exit status. */
static int sim_run(launch_opts *o)
{
    srr_parse_error perr;
    char err[512] = "";
    sim_config *cfg = o->net ? srr__sim_config_load_as(o->net, o->net_name, &perr) : NULL;
    if (o->net && !cfg) {
        fprintf(stderr, "sockrr sim: %s\n", srr__parse_error_format(&perr, err, sizeof err));
        return SRR_EXIT_FAIL;
    }
    srr__sim_config_free(cfg);
    srr_world *net = o->seed_set ? srr_world_sim_seeded(o->net, o->seed, err, sizeof err)
                                 : srr_world_sim(o->net, err, sizeof err);
    if (!net) {
        fprintf(stderr, "sockrr sim: %s\n", err[0] ? err : "cannot make the network");
        return SRR_EXIT_FAIL;
    }
    srr_sim_seed(net, &o->seed);
    /* every process of the run reads it, wherever it has chdir'ed to */
    char abs[PATH_MAX];
    if (o->net && realpath(o->net, abs))
        o->net = abs;
    o->clock = net;
    int rc = cli_launch(o);
    srr_world_destroy(net);
    return rc;
}

static int sim_own(void *ctx, int argc, char **argv, int *i)
{
    launch_opts *o = ctx;
    if (!cli_option_is(argv[*i], "--seed"))
        return CLI_OWN_NOT;
    const char *v = cli_option_value("sim", argc, argv, i, "--seed", "a number");
    int rc = v ? cli_var_number("sim", SRR_ENV_SEED, "--seed", v, &o->seed) : SRR_EXIT_USAGE;
    if (rc)
        return -rc;
    o->seed_set = 1;
    o->seed_text = v;
    return CLI_OWN_TAKEN;
}

int cli_sim(int argc, char **argv)
{
    launch_opts o = {.verb = "sim", .mode = LAUNCH_SIM, .payload_cap = -1};
    cli_args spec = {.verb = "sim", .synopsis = "sockrr sim [OPTIONS] -- CMD", .usage = sim_usage,
                     .common =
                         CLI_ARG_OUT | CLI_ARG_PCAP | CLI_ARG_NET | CLI_ARG_CAP | CLI_ARG_RING,
                     .word_ends = 1, .own = sim_own, .ctx = &o};
    int i = cli_launch_args(&spec, argc, argv, &o);
    if (i <= 0)
        return -i;
    if (!o.seed_set) { /* $SOCKRR_SEED stands for --seed */
        int rc = cli_env_number("sim", SRR_ENV_SEED, &o.seed, &o.seed_text);
        if (rc)
            return rc;
        o.seed_set = o.seed_text != NULL;
    }
    o.cmd = argv + i;

    /* every process of the run reads the network: a pipe's is read once */
    cli_input input = {.name = NULL};
    int rc = o.net ? cli_input_open("sim", o.net, &input) : 0;
    if (rc == 0) {
        o.net_name = input.name;
        o.net = o.net ? input.path : NULL;
        rc = sim_run(&o);
    }
    cli_input_done(&input);
    return rc;
}
