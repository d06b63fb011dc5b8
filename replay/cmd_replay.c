/*
 * cmd_replay.c — `sockrr replay [OPTIONS] TRACE -- CMD [ARGS...]`: runs CMD
 * with a recorded trace playing its peer (docs/replay.md).  This file reads
 * the options and loads the trace once, so a bad one is said before CMD
 * runs; launch.c runs the command.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "launch.h"

static void replay_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr replay [OPTIONS] TRACE -- CMD [ARGS...]\n"
            "\n"
            "Runs CMD with the recorded TRACE (from sockrr record) as its peer: no server,\n"
            "no network.  Connections are matched in creation order and by peer; what CMD\n"
            "sends is compared, as one byte stream per connection, with what the recording\n"
            "sent; what it receives comes in the recorded pieces; name lookups, errors and\n"
            "timeouts come back as recorded, in virtual time.\n"
            "\n"
            "options:\n"
            "  --pid N       replay the recorded process N (default: the first that connects)\n"
            "  --rechunk N   give received data at most N bytes at a time\n"
            "  --strict      a difference, or recorded data never played, fails (default)\n"
            "  --lenient     bytes CMD sends may differ; nothing left unplayed fails\n"
            "  -h, --help    this text\n"
            "\n"
            "not built yet (docs/replay.md): replaying servers (a recorded listener),\n"
            "replay from a pcap capture, passthrough on a miss, and --map.\n"
            "\n"
            "exit status: CMD's; 86 CMD diverged from the recording (a report on stderr\n"
            "names the connection, the byte and both sides); 87 CMD ended with recorded\n"
            "connections not played out (strict); 127 CMD not found; 126 CMD cannot be run;\n"
            "1 a bad trace; 2 usage error.\n");
}

static int replay_usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "sockrr replay: %s%s (see sockrr replay --help)\n", what, arg);
    return SRR_EXIT_USAGE;
}

static int replay_number(const char *v)
{
    char *end;
    errno = 0;
    long n = v && *v ? strtol(v, &end, 10) : -1;
    return !v || !*v || *end || errno || n < 0 || n > INT_MAX ? -1 : (int)n;
}

int cli_replay(int argc, char **argv)
{
    launch_opts o = {.verb = "replay", .mode = LAUNCH_REPLAY, .payload_cap = -1};
    const char *trace = NULL;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            replay_usage(stdout);
            return SRR_EXIT_OK;
        } else if (strcmp(a, "--strict") == 0) {
            o.lenient = 0;
        } else if (strcmp(a, "--lenient") == 0) {
            o.lenient = 1;
        } else if (strcmp(a, "--rechunk") == 0 || strcmp(a, "--pid") == 0) {
            const char *v = ++i < argc ? argv[i] : NULL;
            if (replay_number(v) <= 0)
                return replay_usage_error(a[2] == 'r' ? "--rechunk needs a byte count, not "
                                                      : "--pid needs a process id, not ",
                                          v ? v : "nothing");
            if (a[2] == 'r')
                o.rechunk = v;
            else
                o.pid = v;
        } else if (a[0] == '-' && a[1]) {
            return replay_usage_error("unknown option ", a);
        } else if (!trace) {
            trace = a;
        } else {
            return replay_usage_error("one trace at a time; the command goes after --: ", a);
        }
    }
    if (!trace)
        return replay_usage_error("no trace given: sockrr replay TRACE -- CMD", "");
    if (i >= argc)
        return replay_usage_error("no command given: sockrr replay TRACE -- CMD", "");
    o.cmd = argv + i;

    char err[512] = "";
    srr_replay_options ro = {.pid = o.pid ? atoi(o.pid) : 0};
    srr_world *w = srr_world_replay(trace, &ro, err, sizeof err);
    if (!w) {
        fprintf(stderr, "sockrr replay: %s\n", err[0] ? err : "cannot read the trace");
        return SRR_EXIT_FAIL;
    }
    srr_world_destroy(w);
    char abs[PATH_MAX];
    if (!realpath(trace, abs)) {
        fprintf(stderr, "sockrr replay: %s: %s\n", trace, strerror(errno));
        return SRR_EXIT_FAIL;
    }
    o.replay = abs;
    return cli_launch(&o);
}
