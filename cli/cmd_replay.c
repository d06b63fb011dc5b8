/*
 * cmd_replay.c — `sockrr replay [OPTIONS] TRACE -- CMD [ARGS...]`: runs CMD
 * with a recorded trace playing its peer (docs/replay.md).  This file reads
 * the options and loads the trace once, so a bad one is said before CMD
 * runs; launch.c runs the command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "trace.h"
#include "args.h"
#include "cli.h"
#include "env_world.h"
#include "handover.h"
#include "input.h"
#include "launch.h"
#include "progress.h"

static void replay_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr replay [OPTIONS] TRACE|CAPTURE -- CMD [ARGS...]\n"
            "\n"
            "Runs CMD with a recording as its peer: no server, no network.  TRACE is a\n"
            "sockrr trace (sockrr record); CAPTURE a pcap or pcapng file (tcpdump -w),\n"
            "whose TCP and UDP conversations are reassembled.  A client CMD gets the\n"
            "recorded servers; a server CMD (it listens) gets the recorded clients.\n"
            "Connections are matched in creation order and by peer; what CMD sends is\n"
            "compared, as one byte stream per connection, with what the recording sent;\n"
            "what it receives comes in the recorded pieces; name lookups, errors and\n"
            "timeouts come back as recorded, in virtual time.\n"
            "\n"
            "options:\n"
            "  --pid N       replay the recorded process N (default: $SOCKRR_REPLAY_PID, else\n"
            "                the first that connects, or the first that listens when CMD listens)\n"
            "  --rechunk N   give received stream data at most N bytes at a time (default:\n"
            "                $SOCKRR_RECHUNK, else as recorded)\n"
            "  --map REC=ADDR  CMD reaches the recorded address REC at ADDR (HOST:PORT or\n"
            "                HOST; [V6]:PORT); may be given more than once\n"
            "  --on-miss fail|passthrough  a connection, datagram or lookup the recording\n"
            "                does not have fails the replay (default), or goes to the real\n"
            "                network\n"
            "  --strict      a difference, or recorded data never played, fails (default)\n"
            "  --lenient     bytes CMD sends may differ; nothing left unplayed fails\n"
            "  -o, --output TRACE  trace CMD's calls as the replay answered them (JSONL,\n"
            "                docs/trace-format.md): sockrr diff compares it with the recording\n"
            "  --pcap PCAP   with -o: a pcap view of that trace\n"
            "  --payload-cap N, --ring-size BYTES, --ring-full wait|drop\n"
            "                with -o: as sockrr record has them\n"
            "  -h, --help    this text\n"
            "\n"
            "A server CMD that waits for another connection once every recorded one is\n"
            "played is ended, with status 0.\n"
            "\n"
            "exit status: CMD's (128+N when signal N ended it); %d CMD diverged from the\n"
            "recording (a report on stderr names the connection, the byte and both\n"
            "sides); %d CMD ended with recorded\n"
            "connections not played out (strict); %d the run stopped moving (a report says\n"
            "who waits on what); %d CMD not found; %d CMD cannot be run; %d a bad trace\n"
            "or capture; %d usage error.\n",
            SRR_EXIT_DIVERGED, SRR_EXIT_UNPLAYED, SRR_EXIT_STUCK, SRR_EXIT_NOT_FOUND,
            SRR_EXIT_CANNOT_RUN, SRR_EXIT_FAIL, SRR_EXIT_USAGE);
}

/* A file of our own in $TMPDIR: 0 and its name in path, or -1 (said). */
static int replay_temp(const char *what, char *path, size_t len)
{
    int fd = cli_temp("replay", what, path, len);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* A capture becomes a trace first (replay/capture/capture.c), in a file of our
 * own that lives while CMD runs. */
static int replay_capture(const cli_input *capture, char *trace, size_t len)
{
    if (replay_temp("capture", trace, len) < 0)
        return -1;
    srr_parse_error err;
    memset(&err, 0, sizeof err);
    if (srr__capture_to_trace_as(capture->path, capture->name, trace, &err) < 0) {
        cli_capture_error("replay", capture->name, &err);
        unlink(trace);
        return -1;
    }
    return 0;
}

/* A trace whose last line a killed writer cut off is replayed without it,
 * and the user told, as sockrr show and convert tell. */
static void replay_torn(const char *trace, const char *name)
{
    FILE *f = fopen(trace, "re");
    if (!f)
        return;
    int last = fseek(f, -1, SEEK_END) == 0 ? fgetc(f) : '\n';
    fclose(f);
    if (last != '\n')
        fprintf(stderr, "sockrr replay: warning: %s: the last line was cut off (a writer "
                        "killed mid-line?) and is not replayed\n", name);
}

static void replay_progress(size_t done, size_t total, void *arg)
{
    (void)total; /* the progress line knows the file's size */
    cli_progress_update(arg, done);
}

static int replay_run(launch_opts *o, const cli_input *input)
{
    char converted[PATH_MAX] = "", index[PATH_MAX] = "";
    const char *trace = input->path;
    o->replay_name = input->name;
    int sniff = srr__capture_sniff(trace);
    if (sniff == 1) {
        if (replay_capture(input, converted, sizeof converted) < 0)
            return SRR_EXIT_FAIL;
        trace = converted;
    }
    /* the check of the trace leaves an index for the program's preload
     * library, so the program does not read every line again */
    if (replay_temp("index", index, sizeof index) < 0) {
        if (converted[0])
            unlink(converted);
        return SRR_EXIT_FAIL;
    }
    char err[512] = "";
    uint64_t pid = 0;
    if (o->pid)
        (void)srr__env_decimal(o->pid, INT_MAX, &pid); /* checked with the options */
    cli_progress prog;
    cli_progress_start(&prog, "replay", o->replay_name, trace);
    srr_replay_options ro = {.pid = (int)pid, .map = o->map,
                             .passthrough_on_miss = o->on_miss_passthrough,
                             .name = o->replay_name, .on_progress = replay_progress,
                             .progress_arg = &prog};
    srr_world *w = srr__world_replay_handover(trace, &ro, NULL, index, err, sizeof err);
    cli_progress_end(&prog);
    int checked = w != NULL; /* it checked the trace and wrote the index */
    o->clock = w; /* -o's header: the recording's clock, where the replay starts */
    int rc = SRR_EXIT_FAIL;
    char abs[PATH_MAX];
    if (!checked) {
        fprintf(stderr, "sockrr replay: %s\n", err[0] ? err : "cannot read the trace");
    } else if (!realpath(trace, abs)) {
        fprintf(stderr, "sockrr replay: %s: %s\n", o->replay_name, strerror(errno));
    } else {
        replay_torn(trace, o->replay_name);
        o->replay = abs;
        o->replay_index = index;
        rc = cli_launch(o);
    }
    srr_world_destroy(w);
    o->clock = NULL;
    if (converted[0])
        unlink(converted);
    unlink(index);
    return rc;
}

/* What replay's command line holds beyond the launch options. */
typedef struct replay_args {
    launch_opts *o;
    const char *trace;
    char map[4096]; /* the --map entries joined by commas */
} replay_args;

static int replay_own(void *ctx, int argc, char **argv, int *i)
{
    replay_args *ra = ctx;
    launch_opts *o = ra->o;
    const char *a = argv[*i];
    if (strcmp(a, "--strict") == 0) {
        o->lenient = 0;
    } else if (strcmp(a, "--lenient") == 0) {
        o->lenient = 1;
    } else if (cli_option_is(a, "--rechunk") || cli_option_is(a, "--pid")) {
        int rechunk = a[2] == 'r';
        const char *name = rechunk ? "--rechunk" : "--pid";
        const char *v = cli_option_value("replay", argc, argv, i, name,
                                         rechunk ? "a byte count" : "a process id");
        uint64_t n;
        int rc = v ? cli_var_number("replay", rechunk ? SRR_ENV_RECHUNK : SRR_ENV_REPLAY_PID, name,
                                    v, &n)
                   : SRR_EXIT_USAGE;
        if (rc)
            return -rc;
        if (rechunk)
            o->rechunk = v;
        else
            o->pid = v;
    } else if (cli_option_is(a, "--on-miss")) {
        const char *v = cli_option_value("replay", argc, argv, i, "--on-miss",
                                         "fail or passthrough");
        if (!v)
            return -SRR_EXIT_USAGE;
        if (strcmp(v, "fail") != 0 && strcmp(v, "passthrough") != 0)
            return -cli_usage_error("replay", "--on-miss takes fail or passthrough, not ", v);
        o->on_miss_passthrough = strcmp(v, "passthrough") == 0;
    } else if (cli_option_is(a, "--map")) {
        const char *v = cli_option_value("replay", argc, argv, i, "--map", "RECORDED_ADDR=ADDR");
        if (!v)
            return -SRR_EXIT_USAGE;
        if (!strchr(v, '=') || strchr(v, ','))
            return -cli_usage_error("replay", "--map needs RECORDED_ADDR=ADDR, not ", v);
        size_t used = strlen(ra->map);
        if (used + strlen(v) + 2 > sizeof ra->map)
            return -cli_usage_error("replay", "too many --map entries at ", v);
        snprintf(ra->map + used, sizeof ra->map - used, "%s%s", used ? "," : "", v);
    } else if (a[0] == '-' && a[1]) {
        return CLI_OWN_NOT;
    } else if (!ra->trace) {
        ra->trace = a;
    } else {
        return -cli_usage_error("replay", "one trace at a time; the command goes after --: ", a);
    }
    return CLI_OWN_TAKEN;
}

int cli_replay(int argc, char **argv)
{
    launch_opts o = {.verb = "replay", .mode = LAUNCH_REPLAY, .payload_cap = -1};
    replay_args ra = {.o = &o};
    cli_args spec = {.verb = "replay", .synopsis = "sockrr replay TRACE -- CMD",
                     .usage = replay_usage, .own = replay_own, .ctx = &ra,
                     .common = CLI_ARG_OUT | CLI_ARG_PCAP | CLI_ARG_CAP | CLI_ARG_RING};
    int i = cli_launch_args(&spec, argc, argv, &o);
    if (i <= 0)
        return -i;
    const char *trace = ra.trace;
    if (!trace)
        return cli_usage_error("replay", "no trace given: sockrr replay TRACE -- CMD", "");
    /* $SOCKRR_RECHUNK and $SOCKRR_REPLAY_PID stand for --rechunk and --pid;
     * every number there is checked before the trace is read */
    uint64_t n;
    const char *rechunk = NULL, *pid = NULL;
    int rc = cli_env_check("replay");
    if (rc == 0)
        rc = cli_env_number("replay", SRR_ENV_RECHUNK, &n, &rechunk);
    if (rc == 0)
        rc = cli_env_number("replay", SRR_ENV_REPLAY_PID, &n, &pid);
    if (rc)
        return rc;
    if (!o.rechunk)
        o.rechunk = rechunk;
    if (!o.pid)
        o.pid = pid;
    o.cmd = argv + i;
    o.map = ra.map[0] ? ra.map : NULL;
    /* read once: a pipe's trace is read here and by the program's processes */
    cli_input input;
    rc = cli_input_open("replay", trace, &input);
    if (rc == 0)
        rc = replay_run(&o, &input);
    cli_input_done(&input);
    return rc;
}
