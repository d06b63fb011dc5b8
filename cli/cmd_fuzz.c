/*
 * cmd_fuzz.c — `sockrr fuzz`: AFL++ drives an unmodified network program
 * through the fuzz world (docs/fuzz.md).  This file reads the command line
 * and plays single test cases (`run`, and the traces of what a campaign
 * found); fuzz_afl.c runs the campaign, fuzz_cases.c makes and prints test
 * cases.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "fuzz_cli.h"
#include "input.h"
#include "launch.h"
#include "sockrr/fuzz.h"

void cli_fuzz_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr fuzz -i SEEDS -o OUT [OPTIONS] [--afl AFL-OPTIONS... --] [--] CMD [ARGS...]\n"
            "       sockrr fuzz seeds TRACE|CAPTURE... -o DIR\n"
            "       sockrr fuzz show INPUT...\n"
            "       sockrr fuzz run INPUT [--net NET.json] [-o TRACE [--pcap PCAP]] -- CMD [ARGS...]\n"
            "       sockrr fuzz traces OUT [--net NET.json] -- CMD [ARGS...]\n"
            "\n"
            "Fuzzes a network program as it is: AFL++ (afl-fuzz) makes the test cases, and\n"
            "the fuzz world plays them as the program's peer.  Each test case is a series of\n"
            "messages on the program's connections and datagram sockets (docs/fuzz.md); the\n"
            "peer gives the next one each time the program waits for input, connects to the\n"
            "program's listeners and answers its connects, so a server and a client are\n"
            "fuzzed alike.  Time is virtual: a timeout costs nothing.  When the messages are\n"
            "used up and the program waits again, the test case ends.\n"
            "\n"
            "CMD must be built with AFL++'s compiler (CC=afl-clang-fast), with no change to\n"
            "its source.  AFL++'s forkserver starts where CMD first waits for input, so its\n"
            "start-up runs once, not once per test case.\n"
            "\n"
            "The steps:\n"
            "  sockrr record -o session.jsonl -- CMD ...     (while a client talks to it)\n"
            "  sockrr fuzz seeds session.jsonl -o seeds\n"
            "  sockrr fuzz -i seeds -o findings -- CMD ...   (^C to stop)\n"
            "  sockrr replay findings/default/traces/crashes/id:000000....jsonl -- CMD ...\n"
            "\n"
            "campaign options:\n"
            "  -i SEEDS             a folder of test cases (from sockrr fuzz seeds)\n"
            "  -o OUT               AFL++'s output folder; crashes and hangs are also written\n"
            "                       as traces under OUT/NAME/traces/ when afl-fuzz ends\n"
            "  --net NET.json       the network around CMD (docs/sim-config.md)\n"
            "  --persistent[=N]     one process plays N test cases (default 1000): faster,\n"
            "                       for programs whose state a test case does not leave behind\n"
            "  --no-defer           start the forkserver when CMD starts, not where it first\n"
            "                       waits (a program that starts threads before it waits)\n"
            "  -j N                 N afl-fuzz instances on one OUT (-M main, -S s2...):\n"
            "                       one per core\n"
            "  --no-dict            no dictionary of the seeds' words (afl-fuzz -x)\n"
            "  --afl OPTIONS... --  options for afl-fuzz itself (-V 60, -t 500, -D, -n, ...),\n"
            "                       then CMD; AFL++'s environment variables reach it too\n"
            "\n"
            "  seeds                test cases from recordings or tcpdump captures\n"
            "  show                 a test case, one message a line\n"
            "  run                  one test case, with no fuzzer: a crash reproduced, traced\n"
            "                       with -o\n"
            "  traces               the traces of a campaign's crashes and hangs\n"
            "  -h, --help           this text\n"
            "\n"
            "exit status: afl-fuzz's for a campaign; CMD's for run (128+N for signal N),\n"
            "89 when it ended before it waited for input, 90 when the forkserver cannot\n"
            "start where it first waits (it runs threads there: --no-defer); 1 bad input\n"
            "(a missing afl-fuzz, a seed that is a trace, a program that never waits for\n"
            "input); 2 usage error.\n");
}

/* ------------------------------------------------------------ one case */

/* The network (--net) checked, where a mistake is said once under the
 * name the user gave, and a world of it as the trace header's clock
 * (virtual time 0): 0, or the exit status. */
int cli_fuzz_net(launch_opts *o)
{
    char err[512] = "";
    srr_world *w = srr_world_fuzz(o->net, NULL, err, sizeof err);
    if (!w) {
        fprintf(stderr, "sockrr fuzz: %s\n", err[0] ? err : "cannot make the network");
        return SRR_EXIT_FAIL;
    }
    o->clock = w;
    return 0;
}

/* cli_launch with the network's clock. */
static int fuzz_launch(launch_opts *o)
{
    int rc = cli_fuzz_net(o);
    if (rc)
        return rc;
    rc = cli_launch(o);
    srr_world_destroy(o->clock);
    o->clock = NULL;
    return rc;
}

/* launch_opts for CMD under the fuzz world, playing the case at input. */
static int fuzz_case_opts(launch_opts *o, const char *input, char *abs, size_t len)
{
    if (!realpath(input, abs) || strlen(abs) >= len) {
        fprintf(stderr, "sockrr fuzz: %s: %s\n", input, strerror(errno));
        return SRR_EXIT_FAIL;
    }
    o->fuzz_input = abs;
    return 0;
}

/* run's INPUT, traces' OUT: the one word before -- CMD. */
static int fuzz_own(void *ctx, int argc, char **argv, int *i)
{
    (void)argc;
    const char **arg = ctx, *a = argv[*i];
    if (a[0] == '-' && a[1])
        return CLI_OWN_NOT;
    if (*arg)
        return -cli_usage_error("fuzz", "one at a time; give CMD after --: ", a);
    *arg = a;
    return CLI_OWN_TAKEN;
}

/* The command line of run and traces: [OPTIONS] ARG -- CMD, with --net,
 * and -o/--pcap when traced.  The index of CMD in argv, or minus the
 * exit status (help given, or a usage error said). */
static int fuzz_args(int argc, char **argv, launch_opts *o, const char **arg, int traced,
                     const char *usage, char net_abs[PATH_MAX])
{
    cli_args spec = {.verb = "fuzz", .synopsis = usage, .usage = cli_fuzz_usage,
                     .common = CLI_ARG_NET | (traced ? CLI_ARG_OUT | CLI_ARG_PCAP : 0),
                     .own = fuzz_own, .ctx = arg};
    int i = cli_launch_args(&spec, argc, argv, o);
    if (i <= 0)
        return i;
    if (!*arg)
        return -cli_usage_error("fuzz", "usage: ", usage);
    /* every process of the run reads the network, wherever it has chdir'ed to */
    if (o->net && realpath(o->net, net_abs))
        o->net = net_abs;
    return i;
}

static int fuzz_run(int argc, char **argv)
{
    launch_opts o = {.verb = "fuzz", .mode = LAUNCH_FUZZ, .payload_cap = -1};
    const char *input = NULL;
    char abs[PATH_MAX], net[PATH_MAX];
    int i = fuzz_args(argc, argv, &o, &input, 1, "sockrr fuzz run INPUT -- CMD", net);
    if (i <= 0)
        return -i;
    o.cmd = argv + i;
    int rc = fuzz_case_opts(&o, input, abs, sizeof abs);
    return rc ? rc : fuzz_launch(&o);
}

int cli_fuzz_play(const launch_opts *base, const char *input, const char *trace, int quiet,
                  int timeout_s)
{
    launch_opts o = *base;
    char abs[PATH_MAX];
    int rc = fuzz_case_opts(&o, input, abs, sizeof abs);
    if (rc)
        return rc;
    o.trace = trace;
    o.afl = 0; /* the deferred rule stays: a program with threads at its first wait is said */
    o.fuzz_persistent = NULL;
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "sockrr fuzz: fork: %s\n", strerror(errno));
        return SRR_EXIT_FAIL;
    }
    if (pid == 0) {
        /* sockrr ended (^C, killed): so does the run, which its own group
         * keeps from the terminal's signals (launch.c passes it on) */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
            _exit(SRR_EXIT_FAIL);
        if (quiet) {
            FILE *n = freopen("/dev/null", "w", stdout);
            (void)n;
            n = freopen("/dev/null", "w", stderr);
            (void)n;
        }
        setpgid(0, 0); /* a timeout ends the whole run, whatever it started */
        _exit(fuzz_launch(&o));
    }
    setpgid(pid, pid);
    int status = 0;
    struct timespec nap = {0, 10000000};
    long waited_ms = 0;
    int sig = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            kill(-pid, SIGKILL);
            return SRR_EXIT_FAIL;
        }
        nanosleep(&nap, NULL);
        waited_ms += 10;
        if (timeout_s > 0 && waited_ms >= (long)timeout_s * 1000 && sig != SIGKILL) {
            sig = sig ? SIGKILL : SIGTERM; /* the trace ends at its last whole event */
            kill(-pid, sig);
            waited_ms = (long)timeout_s * 1000 - 2000;
        }
    }
    if (sig)
        return -1; /* it did not end by itself */
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---------------------------------------------------------------- traces */

/* The traces of one instance's findings (crashes/ or hangs/): 0, or the
 * exit status. */
static int fuzz_traces_of(const launch_opts *o, const char *inst, const char *kind,
                          size_t *made, size_t *failed)
{
    char dir[PATH_MAX], outdir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", inst, kind);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    snprintf(outdir, sizeof outdir, "%s/traces", inst);
    mkdir(outdir, 0700);
    snprintf(outdir, sizeof outdir, "%s/traces/%s", inst, kind);
    mkdir(outdir, 0700);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "id:", 3) != 0)
            continue;
        char in[PATH_MAX * 2], out[PATH_MAX * 2];
        snprintf(in, sizeof in, "%s/%s", dir, e->d_name);
        snprintf(out, sizeof out, "%s/%s.jsonl", outdir, e->d_name);
        struct stat si, so;
        if (stat(out, &so) == 0 && stat(in, &si) == 0 && so.st_mtime >= si.st_mtime)
            continue; /* made before */
        /* a hang is cut off after a few seconds; its trace ends there */
        int rc = cli_fuzz_play(o, in, out, 1, strcmp(kind, "hangs") == 0 ? 3 : 20);
        if (access(out, F_OK) == 0) {
            (*made)++;
        } else {
            fprintf(stderr, "sockrr fuzz: %s: no trace (the run exited %d: sockrr fuzz run %s -- "
                            "CMD says why)\n",
                    in, rc, in);
            (*failed)++;
        }
    }
    closedir(d);
    return 0;
}

/* Both kinds of one instance's findings, and a line saying where. */
static void fuzz_traces_inst(const launch_opts *o, const char *inst, size_t *failed)
{
    size_t made = 0;
    fuzz_traces_of(o, inst, "crashes", &made, failed);
    fuzz_traces_of(o, inst, "hangs", &made, failed);
    if (made)
        printf("sockrr fuzz: %s/traces/: %zu traces of crashes and hangs; replay one with "
               "sockrr replay TRACE -- %s\n",
               inst, made, o->cmd[0]);
}

int cli_fuzz_traces(const launch_opts *o, const char *outdir)
{
    DIR *d = opendir(outdir);
    if (!d) {
        fprintf(stderr, "sockrr fuzz: %s: %s\n", outdir, strerror(errno));
        return SRR_EXIT_FAIL;
    }
    size_t failed = 0;
    char probe[PATH_MAX * 2 + 16];
    snprintf(probe, sizeof probe, "%s/crashes", outdir);
    if (access(probe, F_OK) == 0) /* afl-fuzz -n writes into OUT itself */
        fuzz_traces_inst(o, outdir, &failed);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char inst[PATH_MAX * 2];
        snprintf(inst, sizeof inst, "%s/%s", outdir, e->d_name);
        snprintf(probe, sizeof probe, "%s/fuzzer_stats", inst);
        if (access(probe, F_OK) == 0) /* an afl-fuzz instance */
            fuzz_traces_inst(o, inst, &failed);
    }
    closedir(d);
    if (failed)
        fprintf(stderr, "sockrr fuzz: %zu findings could not be traced\n", failed);
    return failed ? SRR_EXIT_FAIL : SRR_EXIT_OK;
}

static int fuzz_traces_verb(int argc, char **argv)
{
    launch_opts o = {.verb = "fuzz", .mode = LAUNCH_FUZZ, .payload_cap = -1};
    const char *out = NULL;
    char net[PATH_MAX];
    int i = fuzz_args(argc, argv, &o, &out, 0, "sockrr fuzz traces OUT -- CMD", net);
    if (i <= 0)
        return -i;
    o.cmd = argv + i;
    return cli_fuzz_traces(&o, out);
}

/* ------------------------------------------------------------------ verbs */

int cli_fuzz(int argc, char **argv)
{
    /* an inherited SIG_IGN would reap the runs behind waitpid's back */
    signal(SIGCHLD, SIG_DFL);
    const char *sub = argc > 1 ? argv[1] : "";
    if (strcmp(sub, "seeds") == 0)
        return cli_fuzz_seeds(argc - 1, argv + 1);
    if (strcmp(sub, "run") == 0)
        return fuzz_run(argc - 1, argv + 1);
    if (strcmp(sub, "traces") == 0)
        return fuzz_traces_verb(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0) {
        if (argc < 3)
            return cli_usage_error("fuzz", "show needs a test case: sockrr fuzz show INPUT", "");
        int rc = 0;
        for (int i = 2; i < argc && !rc; i++) {
            cli_input in;
            rc = cli_input_open("fuzz", argv[i], &in);
            if (!rc)
                rc = cli_fuzz_show_file(in.path, in.name);
            cli_input_done(&in);
        }
        return rc;
    }
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
        cli_fuzz_usage(stdout);
        return SRR_EXIT_OK;
    }
    return cli_fuzz_campaign(argc, argv);
}
