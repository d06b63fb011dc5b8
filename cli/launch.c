/*
 * launch.c — what `sockrr record` and `sockrr sim` share: running CMD with
 * the interposer preloaded, every process it starts writing to one trace.
 *
 * Everything that can be wrong is found before CMD runs: the command
 * (found, executable, not statically linked), the preload library (a
 * shared library the loader can preload), the options' files (no output
 * is an input) and the trace (created, header written).  The child waits on a pipe until then,
 * and is killed unstarted when anything failed, so a program never runs
 * half-configured.  After the run, what the trace's writers left in its
 * control file is read back: a write that failed, or no writer at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "elf_check.h"
#include "env_world.h"
#include "launch.h"
#include "sockrr.h"
#include "sockrr_world.h"
#include "trace.h"

static const char *launch_verb = "record";

static int launch_fail(int status, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "sockrr %s: ", launch_verb);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return status;
}


int cli_launch_find(const char *cmd, char *path, size_t len)
{
    if (strchr(cmd, '/')) {
        snprintf(path, len, "%s", cmd);
        return access(path, F_OK) == 0 ? 0 : -errno;
    }
    const char *p = getenv("PATH");
    if (!p)
        p = "/usr/local/bin:/usr/bin:/bin";
    int seen = -ENOENT;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(path, len, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", cmd);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(path, X_OK) == 0)
                return 0;
            seen = -EACCES;
        }
        p = end ? end + 1 : p + n;
    }
    return seen;
}

int cli_usage_error(const char *verb, const char *what, const char *arg)
{
    fprintf(stderr, "sockrr %s: %s%s (see sockrr %s --help)\n", verb, what, arg, verb);
    return SRR_EXIT_USAGE;
}

int cli_launch_preload(char *path, size_t len)
{
    const char *env = getenv(srr__env_names[SRR_ENV_PRELOAD]);
    if (env && *env) {
        if (!realpath(env, path))
            return -errno;
        return 0;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        return -errno;
    self[n] = '\0';
    char guess[PATH_MAX + 64];
    snprintf(guess, sizeof guess, "%s/../lib/libsockrr-preload.so", dirname(self));
    if (!realpath(guess, path) || len < strlen(path) + 1)
        return -ENOENT;
    return 0;
}

/* path made absolute (its directory must exist): processes that chdir
 * still find it. */
static int launch_abspath(const char *path, char *out, size_t len)
{
    char dir[PATH_MAX], base[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    snprintf(base, sizeof base, "%s", path);
    char real[PATH_MAX];
    if (!realpath(dirname(dir), real))
        return -errno;
    if ((size_t)snprintf(out, len, "%s/%s", real, basename(base)) >= len)
        return -ENAMETOOLONG;
    return 0;
}

/* The control file the trace's writers share: in /dev/shm when there is
 * one (memory, not disk), else $TMPDIR. */
static int launch_ctl_path(char *out, size_t len)
{
    const char *dirs[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || access(dirs[i], W_OK) != 0)
            continue;
        snprintf(out, len, "%s/sockrr-ctl-XXXXXX", dirs[i]);
        int fd = mkstemp(out);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
    }
    return -errno;
}

static pid_t launch_child;

/* The child's end while the pcap is written alongside the run. */
struct launch_wait {
    pid_t pid;
    int status;
    int done;
    srr_trace_ring **ring; /* stopped when the child ends: the trace is whole */
};

/* The ring's consumer stopped, once the run is over, after writing out
 * what the ring still holds; a write error is the trace's, said after. */
static void launch_ring_stop(srr_trace_ring **ring)
{
    srr__trace_ring_close(*ring);
    *ring = NULL;
}

/* srr__trace_follow's question: may more lines come?  Until the child
 * exits, after a short nap (the converter catches up in batches). */
static int launch_more(void *arg)
{
    struct launch_wait *wt = arg;
    if (waitpid(wt->pid, &wt->status, WNOHANG) == wt->pid) {
        wt->done = 1;
        launch_ring_stop(wt->ring);
        return 0;
    }
    struct timespec nap = {0, 2000000};
    nanosleep(&nap, NULL);
    return 1;
}

/* Signals for sockrr go to CMD: it is what the user meant to stop.  A
 * terminal's ^C and ^\ reach CMD by themselves (same process group), so
 * those are passed on only when someone sent them with kill. */
static void launch_forward(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    if ((sig == SIGINT || sig == SIGQUIT) && info->si_code == SI_KERNEL)
        return;
    if (launch_child > 0)
        kill(launch_child, sig);
}

/* The environment CMD runs in: LD_PRELOAD, and the launcher's contract
 * with the preload library (env_world.h), every variable of it set or
 * unset, so the mode asked for is the mode run. */
int cli_launch_setenv(const char *preload, const launch_opts *o, const char *trace,
                      const char *ctl)
{
    static const char *const modes[] = {[LAUNCH_RECORD] = "record",
                                        [LAUNCH_PASSTHROUGH] = "passthrough",
                                        [LAUNCH_SIM] = "sim",
                                        [LAUNCH_REPLAY] = "replay",
                                        [LAUNCH_FUZZ] = "fuzz"};
    const char *var = o->afl ? "AFL_PRELOAD" : "LD_PRELOAD";
    /* afl-fuzz gives its target AFL_PRELOAD alone: what LD_PRELOAD held
     * (a sanitizer's runtime, which must come first) goes in it too */
    const char *old = o->afl && !getenv(var) ? getenv("LD_PRELOAD") : getenv(var);
    char *pl = NULL;
    if (old && *old && !strstr(old, preload)) {
        if (asprintf(&pl, "%s:%s", old, preload) < 0)
            return -ENOMEM;
    } else if (!(pl = strdup(old && *old ? old : preload))) {
        return -ENOMEM;
    }
    srr_env e = {{NULL}};
    e.v[SRR_ENV_MODE] = modes[o->mode];
    e.v[SRR_ENV_PRELOAD] = preload;
    e.v[SRR_ENV_TRACE] = trace;
    e.v[SRR_ENV_CTL] = ctl;
    e.v[SRR_ENV_NET] = o->net;
    e.v[SRR_ENV_SEED] = o->seed_set ? o->seed_text : NULL;
    e.v[SRR_ENV_REPLAY] = o->replay;
    e.v[SRR_ENV_REPLAY_INDEX] = o->replay_index;
    e.v[SRR_ENV_REPLAY_NAME] = o->replay_name;
    e.v[SRR_ENV_RECHUNK] = o->rechunk;
    e.v[SRR_ENV_REPLAY_PID] = o->pid;
    e.v[SRR_ENV_REPLAY_MAP] = o->map;
    e.v[SRR_ENV_REPLAY_ON_MISS] = o->on_miss_passthrough ? "passthrough" : NULL;
    e.v[SRR_ENV_LENIENT] = o->lenient ? "1" : NULL;
    e.v[SRR_ENV_FUZZ_INPUT] = o->fuzz_input;
    e.v[SRR_ENV_FUZZ_DEFER] = o->fuzz_defer ? "1" : NULL;
    e.v[SRR_ENV_FUZZ_PERSISTENT] = o->fuzz_persistent;
    char cmd_pid[24];
    snprintf(cmd_pid, sizeof cmd_pid, "%ld", (long)getpid()); /* this is CMD, before exec */
    e.v[SRR_ENV_CMD_PID] = o->afl ? NULL : cmd_pid; /* afl-fuzz is not CMD */
    int r = setenv(var, pl, 1) < 0 ? -errno : srr__env_apply(&e);
    free(pl);
    return r;
}

/* The event ring's default size: room for a few dozen of the largest
 * lines a bulk transfer makes (a 256 KiB message is a 350 KB line). */
#define LAUNCH_RING_BYTES ((size_t)16 << 20)

/* One run: what is found before CMD starts, and the child running it. */
typedef struct launch_run {
    char path[PATH_MAX];    /* CMD, found */
    char preload[PATH_MAX]; /* the interposer library */
    char trace[PATH_MAX];   /* the trace, absolute; "" when none */
    char ctl[PATH_MAX];     /* the trace's control file; "" when none */
    int go[2], report[2];   /* "go" to the child; exec's failure back from it */
    pid_t pid;
    srr_trace_ring *ring;   /* the trace's consumer (lib/trace/ring.c), or NULL */
} launch_run;

/* Everything that can be wrong before CMD runs: 0, or the exit status
 * (said on stderr). */
static int launch_prepare(const launch_opts *o, launch_run *run)
{
    int r = cli_env_check(o->verb);
    if (r)
        return r;
    const cli_file files[] = {{"the network (--net)", o->net_name ? o->net_name : o->net, 0},
                              {"the trace (-o)", o->trace, 1},
                              {"the pcap (--pcap)", o->pcap, 1},
                              {"the recording", o->mode == LAUNCH_REPLAY ? o->replay : NULL, 0}};
    r = cli_files_distinct(o->verb, files, sizeof files / sizeof files[0]);
    if (r)
        return r;
    char **cmd = o->cmd;
    r = cli_launch_find(cmd[0], run->path, sizeof run->path);
    if (r == -EACCES)
        return launch_fail(SRR_EXIT_CANNOT_RUN, "%s: permission denied%s", cmd[0], "");
    if (r < 0)
        return launch_fail(SRR_EXIT_NOT_FOUND, "%s: command not found%s", cmd[0], "");
    if (cli_elf_is_static(run->path))
        return launch_fail(SRR_EXIT_CANNOT_RUN,
                           "%s is statically linked: LD_PRELOAD cannot reach its calls%s",
                           run->path, " (docs/interpose.md)");
    const char *env = getenv(srr__env_names[SRR_ENV_PRELOAD]);
    if (cli_launch_preload(run->preload, sizeof run->preload) < 0)
        return launch_fail(SRR_EXIT_FAIL, "cannot find the interposer libsockrr-preload.so%s%s",
                           env ? " at $SOCKRR_PRELOAD=" : " beside sockrr", env ? env : "");
    const char *why = cli_elf_not_preloadable(run->preload);
    if (why) {
        char what[PATH_MAX + 64];
        snprintf(what, sizeof what, "%s%s", env && *env ? "$SOCKRR_PRELOAD=" : "",
                 env && *env ? env : run->preload);
        return launch_fail(SRR_EXIT_FAIL, "the interposer %s cannot be preloaded: %s", what, why);
    }
    if (!o->trace)
        return 0;
    r = launch_abspath(o->trace, run->trace, sizeof run->trace);
    if (r < 0)
        return launch_fail(SRR_EXIT_FAIL, "%s: %s", o->trace, strerror(-r));
    if (o->pcap) {
        /* the pcap is written at the end: find out now that it can be */
        int fd = open(o->pcap, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return launch_fail(SRR_EXIT_FAIL, "%s: %s", o->pcap, strerror(errno));
        close(fd);
    }
    r = launch_ctl_path(run->ctl, sizeof run->ctl);
    if (r < 0)
        return launch_fail(SRR_EXIT_FAIL, "cannot create a control file: %s%s", strerror(-r),
                           "");
    return 0;
}

/* A run whose network is a world inside its processes (sim, replay): what
 * it leaves running ends with it (leftovers.c). */
static int launch_hermetic(const launch_opts *o)
{
    return o->mode == LAUNCH_SIM || o->mode == LAUNCH_REPLAY || o->mode == LAUNCH_FUZZ;
}

/* The child, which waits for "go" before exec; exec's failure comes back
 * on a close-on-exec pipe.  0, or the exit status. */
static int launch_spawn(const launch_opts *o, launch_run *run)
{
    if (pipe2(run->go, O_CLOEXEC) < 0 || pipe2(run->report, O_CLOEXEC) < 0)
        return launch_fail(SRR_EXIT_FAIL, "pipe: %s%s", strerror(errno), "");
    /* inherited SIG_IGN for SIGCHLD would reap CMD behind waitpid's back;
     * CMD gets the disposition it was given */
    struct sigaction chld_dfl = {.sa_handler = SIG_DFL}, chld_was;
    sigemptyset(&chld_dfl.sa_mask);
    sigaction(SIGCHLD, &chld_dfl, &chld_was);
    int hermetic = launch_hermetic(o);
    if (hermetic)
        (void)cli_leftovers_adopt(); /* without it, leftovers end only when found */
    pid_t parent = getpid();
    fflush(NULL);
    run->pid = fork();
    if (run->pid < 0)
        return launch_fail(SRR_EXIT_FAIL, "fork: %s%s", strerror(errno), "");
    if (run->pid == 0) {
        close(run->go[1]);
        close(run->report[0]);
        /* a run in a world of its own ends with sockrr, even killed */
        if (hermetic && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
            _exit(SRR_EXIT_NOT_FOUND);
        char c;
        if (read(run->go[0], &c, 1) != 1)
            _exit(SRR_EXIT_NOT_FOUND); /* the parent gave up: never start */
        sigaction(SIGCHLD, &chld_was, NULL);
        int e = cli_launch_setenv(run->preload, o, o->trace ? run->trace : NULL,
                              o->trace ? run->ctl : NULL);
        if (e == 0) {
            execv(run->path, o->cmd);
            e = -errno;
        }
        (void)!write(run->report[1], &e, sizeof e);
        _exit(SRR_EXIT_NOT_FOUND);
    }
    close(run->go[0]);
    close(run->report[1]);
    return 0;
}

/* The trace's header, written before CMD starts; the unstarted child is
 * killed when it cannot be.  0, or the exit status. */
static int launch_header(const launch_opts *o, launch_run *run)
{
    if (!o->trace)
        return 0;
    /* the header's clock is the run's: the kernel's, or the sim's at 0 */
    srr_world *clock = o->clock ? o->clock : srr_world_kernel();
    srr_trace_meta meta = {.program = o->cmd[0], .payload_cap = o->payload_cap,
                           .world = o->mode == LAUNCH_SIM      ? "sim"
                                    : o->mode == LAUNCH_FUZZ   ? "fuzz"
                                    : o->mode == LAUNCH_REPLAY ? "replay"
                                                               : "kernel",
                           .seed = o->seed,
                           .ring_size = o->ring_size ? o->ring_size : LAUNCH_RING_BYTES,
                           .ring_drop = o->ring_drop};
    for (meta.argc = 0; o->cmd[meta.argc]; meta.argc++)
        ;
    meta.argv = o->cmd;
    int r = clock ? srr__trace_shared_create(run->trace, run->ctl, &meta, clock, run->pid)
                  : -ENOMEM;
    if (clock != o->clock)
        srr_world_destroy(clock);
    if (r < 0) {
        kill(run->pid, SIGKILL);
        waitpid(run->pid, NULL, 0);
        unlink(run->ctl);
        return launch_fail(SRR_EXIT_FAIL, "%s: %s", o->trace, strerror(-r));
    }
    int error; /* without a consumer the writers write their own lines */
    run->ring = srr__trace_ring_start(run->ctl, run->trace, &error);
    return 0;
}

/* CMD runs: signals for sockrr go to it, the pcap is made alongside, and
 * its end is sockrr's.  The exit status. */
static int launch_supervise(const launch_opts *o, launch_run *run)
{
    launch_child = run->pid;
    struct sigaction sa = {.sa_sigaction = launch_forward, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    static const int forwarded[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
        sigaction(forwarded[i], &sa, NULL);
    (void)!write(run->go[1], "g", 1);
    close(run->go[1]);

    int e = 0;
    ssize_t got = read(run->report[0], &e, sizeof e);
    close(run->report[0]);
    struct launch_wait wt = {.pid = run->pid, .ring = &run->ring};
    int rc = SRR_EXIT_OK;
    if (got != (ssize_t)sizeof e && o->pcap) {
        /* the pcap is made while CMD runs, on the core it leaves idle,
         * instead of after it: the same bytes, sooner */
        if (cli_convert_file(run->trace, o->trace, o->pcap, launch_more, &wt) != SRR_EXIT_OK)
            rc = SRR_EXIT_FAIL;
    }
    while (!wt.done && waitpid(run->pid, &wt.status, 0) < 0 && errno == EINTR)
        ;
    launch_child = 0; /* reaped: its pid may be another process's now */
    launch_ring_stop(&run->ring);
    if (launch_hermetic(o))
        cli_leftovers_end(o->verb);
    if (run->ctl[0]) {
        /* a writer that failed (a full disk) told the control file: the
         * program never hears of it, sockrr says it; and a run that nobody
         * traced (the loader ignored the library) is no recording */
        int werr = 0;
        unsigned writers = 1;
        int r = srr__trace_shared_state(run->ctl, &werr, &writers);
        if (got == (ssize_t)sizeof e) {
            /* exec failed: said below */
        } else if (r < 0) {
            launch_fail(0, "%s: cannot read the trace's control file: %s", run->ctl, strerror(-r));
            rc = SRR_EXIT_FAIL;
        } else if (werr < 0) {
            launch_fail(0, "%s: cannot write the trace: %s; it ends at the last event written",
                        o->trace, strerror(-werr));
            rc = SRR_EXIT_FAIL;
        } else if (writers == 0) {
            launch_fail(0, "%s ran without the interposer %s (the loader did not preload it, or "
                           "it could not join the trace): nothing was recorded",
                        o->cmd[0], run->preload);
            rc = SRR_EXIT_FAIL;
        }
        unlink(run->ctl);
    }
    if (got == (ssize_t)sizeof e) {
        /* exec failed: nothing ran, so no trace is left behind */
        if (o->trace)
            unlink(run->trace);
        return launch_fail(e == -ENOENT ? SRR_EXIT_NOT_FOUND : SRR_EXIT_CANNOT_RUN, "%s: %s",
                           o->cmd[0], strerror(-e));
    }
    int status = wt.status;
    int cmd_rc = WIFEXITED(status)     ? WEXITSTATUS(status)
                 : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                       : SRR_EXIT_FAIL;
    /* a trace or pcap that could not be written fails a run that otherwise
     * passed */
    return cmd_rc == 0 ? rc : cmd_rc;
}

int cli_launch(const launch_opts *o)
{
    launch_verb = o->verb;
    launch_run run = {.pid = -1};
    int rc = launch_prepare(o, &run);
    if (rc == 0)
        rc = launch_spawn(o, &run);
    if (rc == 0)
        rc = launch_header(o, &run);
    return rc ? rc : launch_supervise(o, &run);
}
