/*
 * preload.c — the process's world, made once before main from the
 * environment `sockrr record` sets:
 *
 *   SOCKRR_MODE     record | passthrough (anything else, or nothing: the
 *                   interposer stays out of the way, every call goes to libc)
 *   SOCKRR_TRACE    the trace to append to (record)
 *   SOCKRR_CTL      the control file that orders the trace's writers
 *   SOCKRR_PRELOAD  this library's path, to put back into LD_PRELOAD when
 *                   a program execs with an environment that lost it
 *   SOCKRR_PASSTHROUGH=1 means passthrough whatever the mode says: calls go
 *                   through the kernel world, untraced (the interposer's
 *                   own cost, with LD_PRELOAD alone).
 *
 * The world is never destroyed: a thread may still be blocked in it when
 * main returns, and exit must not pull it away (socket_wrapper crashes
 * there).  The trace needs no flush: every line is already written.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preload.h"
#include "tap.h"

/* The interposer's per-process state (STYLE: the only globals allowed). */
static srr_world *world;
static int tracing;
static int own_handles; /* the sim: placeholders and virtual clocks */
static srr_world *sim_world;
static srr_world *replay_world;
static int forked; /* a forked child of a sim process */
static atomic_int state; /* 0 not started, 1 starting, 2 ready */
static pthread_t starter;

/* What an exec'd program's environment must hold: "NAME=value" strings. */
#define ENV_VARS 15
static char *env_keep[ENV_VARS];
static char *preload_path;
static char *start_preload; /* LD_PRELOAD's value at start (a sanitizer's runtime may lead it) */

/* One line on stderr, once per process: the program itself goes on. */
static void preload_warn(const char *what, int err)
{
    char msg[512];
    int n = snprintf(msg, sizeof msg, "sockrr: %s: %s; this process runs untraced\n", what,
                     strerror(err));
    if (n > 0)
        LIBC(write)(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

/* A socket's name in every process: its inode (sockfs gives each socket
 * its own); 0 for what is not a socket. */
static uint64_t preload_sock_key(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
        return 0;
    return (uint64_t)st.st_ino;
}

static void atfork_prepare(void)
{
    if (own_handles)
        srr__forked_world_prepare(world);
    if (tracing)
        srr__tap_atfork(world, SRR_TAP_FORK_PREPARE);
}

static void atfork_parent(void)
{
    if (tracing)
        srr__tap_atfork(world, SRR_TAP_FORK_PARENT);
}

static void atfork_child(void)
{
    if (tracing)
        srr__tap_atfork(world, SRR_TAP_FORK_CHILD);
}

static void env_remember(int i, const char *name)
{
    const char *v = getenv(name);
    if (!v)
        return;
    size_t n = strlen(name) + strlen(v) + 2;
    env_keep[i] = malloc(n);
    if (env_keep[i])
        snprintf(env_keep[i], n, "%s=%s", name, v);
}

/* A world that cannot be made where the launcher made one before (its
 * input changed since): the program must not run on the real network
 * instead, a silent wrong answer. */
__attribute__((noreturn)) static void preload_refuse(const char *verb, const char *why)
{
    char msg[700];
    int n = snprintf(msg, sizeof msg, "sockrr %s: %s\n", verb, why);
    LIBC(write)(2, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(127);
}

/* A world with handles of its own: placeholders and virtual clocks. */
static void preload_own_world(srr_world *w)
{
    srr__fd_kernel_handles(0);
    own_handles = 1;
    world = w;
}

/* After fork under a world of handles of its own (sim, replay): the child's
 * copy of the world would be a network of its own, silently apart from the
 * parent's.  Until a hub joins processes, the child's socket calls are
 * refused (forked_world.c). */
static void atfork_child_own(void)
{
    forked = 1;
    world = srr__forked_world(world);
    tracing = 0;
}

static void preload_start_sim(void)
{
    const char *net = getenv("SOCKRR_NET"), *seed = getenv("SOCKRR_SEED");
    if (net && !*net)
        net = NULL; /* the built-in network */
    char err[512] = "";
    srr_world *sim;
    if (seed && *seed)
        sim = srr_world_sim_seeded(net, strtoull(seed, NULL, 10), err, sizeof err);
    else
        sim = srr_world_sim(net, err, sizeof err);
    if (!sim) {
        /* sockrr sim checked the network before starting; getting here
         * means it changed since.  Running on the real network instead
         * would be a silent wrong answer. */
        preload_refuse("sim", err[0] ? err : "cannot make the network");
    }
    preload_own_world(sim);
    sim_world = sim;
    const char *trace = getenv("SOCKRR_TRACE"), *ctl = getenv("SOCKRR_CTL");
    world = sim;
    if (trace && ctl) {
        int e = 0;
        srr_world *tap = srr__tap_attach(sim, trace, ctl, NULL, &e);
        if (tap) {
            world = tap;
            tracing = 1;
        } else {
            preload_warn(trace, -e);
        }
    }
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child_own);
}

/* The replay world's verdict, as sockrr replay documents it: the report
 * on stderr and a status of its own, at once (docs/replay.md). */
static void replay_diverged(const char *report, void *arg)
{
    (void)arg;
    char msg[4200];
    int n = snprintf(msg, sizeof msg, "sockrr replay: %s\n", report);
    LIBC(write)(2, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(SRR_REPLAY_DIVERGED);
}

/* --lenient: a difference reported, the program going on. */
static void replay_tolerated(const char *report, void *arg)
{
    (void)arg;
    char msg[4200];
    int n = snprintf(msg, sizeof msg, "sockrr replay: %s\n", report);
    LIBC(write)(2, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

/* A server waited for a connection after the recording was played out:
 * the replay is over, and the program ends as having played it all. */
static void replay_played_out(void *arg)
{
    (void)arg;
    static const char msg[] = "sockrr replay: the recording is played out and the program waits "
                              "for another connection: ended\n";
    fflush(NULL);
    LIBC(write)(2, msg, sizeof msg - 1);
    _exit(0);
}

static void preload_start_replay(void)
{
    const char *trace = getenv("SOCKRR_REPLAY");
    const char *rechunk = getenv("SOCKRR_RECHUNK"), *pid = getenv("SOCKRR_REPLAY_PID");
    const char *lenient = getenv("SOCKRR_LENIENT"), *on_miss = getenv("SOCKRR_REPLAY_ON_MISS");
    srr_replay_options o = {
        .pid = pid ? atoi(pid) : 0,
        .rechunk = rechunk ? (size_t)strtoul(rechunk, NULL, 10) : 0,
        .lenient = lenient && strcmp(lenient, "1") == 0,
        .on_divergence = replay_diverged,
        .map = getenv("SOCKRR_REPLAY_MAP"),
        .on_played_out = replay_played_out,
        .passthrough_on_miss = on_miss && strcmp(on_miss, "passthrough") == 0,
        .index_in = getenv("SOCKRR_REPLAY_INDEX"),
        .on_tolerated = replay_tolerated,
        .name = getenv("SOCKRR_REPLAY_NAME"),
    };
    char err[512] = "";
    srr_world *r = trace ? srr_world_replay(trace, &o, err, sizeof err) : NULL;
    if (!r) {
        /* sockrr replay read the trace before starting; running on the real
         * network instead would be a silent wrong answer */
        preload_refuse("replay", err[0] ? err : "no trace");
    }
    preload_own_world(r);
    replay_world = r;
    world = r;
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child_own);
}

/* At exit, in strict mode: the recording must have been played out by the
 * process that replayed it (one that never used the network, a shell
 * wrapper on its way to exec, is not judged). */
__attribute__((destructor)) static void preload_finish(void)
{
    if (!replay_world || forked || world != replay_world)
        return;
    const char *lenient = getenv("SOCKRR_LENIENT");
    char report[2048];
    if (srr_replay_used(replay_world) && !(lenient && strcmp(lenient, "1") == 0) &&
        srr_replay_leftover(replay_world, report, sizeof report) > 0) {
        char msg[2200];
        int n = snprintf(msg, sizeof msg,
                         "sockrr replay: the program ended before the recording did: %s\n",
                         report);
        LIBC(write)(2, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
        _exit(SRR_REPLAY_UNPLAYED);
    }
}

static void preload_start(void)
{
    srr__preload_resolve();
    const char *mode = getenv("SOCKRR_MODE");
    const char *pass = getenv("SOCKRR_PASSTHROUGH");
    int passthrough = (pass && strcmp(pass, "1") == 0) || (mode && strcmp(mode, "passthrough") == 0);
    int sim = !passthrough && mode && strcmp(mode, "sim") == 0;
    int replay = !passthrough && mode && strcmp(mode, "replay") == 0;
    if (!passthrough && !sim && !replay && (!mode || strcmp(mode, "record") != 0))
        return; /* loaded without sockrr record, sim or replay: stay out of the way */
    int record = !passthrough && !sim && !replay;
    env_remember(0, "SOCKRR_MODE");
    env_remember(1, "SOCKRR_TRACE");
    env_remember(2, "SOCKRR_CTL");
    env_remember(3, "SOCKRR_PRELOAD");
    env_remember(4, "SOCKRR_PASSTHROUGH");
    env_remember(5, "SOCKRR_NET");
    env_remember(6, "SOCKRR_SEED");
    env_remember(7, "SOCKRR_REPLAY");
    env_remember(8, "SOCKRR_RECHUNK");
    env_remember(9, "SOCKRR_LENIENT");
    env_remember(10, "SOCKRR_REPLAY_PID");
    env_remember(11, "SOCKRR_REPLAY_MAP");
    env_remember(12, "SOCKRR_REPLAY_ON_MISS");
    env_remember(13, "SOCKRR_REPLAY_INDEX");
    env_remember(14, "SOCKRR_REPLAY_NAME");
    const char *pl = getenv("SOCKRR_PRELOAD");
    preload_path = pl ? strdup(pl) : NULL;
    const char *lp = getenv("LD_PRELOAD");
    start_preload = lp ? strdup(lp) : NULL;

    if (sim) {
        preload_start_sim();
        return;
    }
    if (replay) {
        preload_start_replay();
        return;
    }
    srr_world *kernel = srr_world_kernel();
    if (!kernel)
        return;
    if (!record) {
        world = kernel;
        return;
    }
    const char *trace = getenv("SOCKRR_TRACE"), *ctl = getenv("SOCKRR_CTL");
    if (!trace || !ctl) {
        preload_warn("SOCKRR_TRACE or SOCKRR_CTL is not set", EINVAL);
        world = kernel;
        return;
    }
    int err = 0;
    srr_world *tap = srr__tap_attach(kernel, trace, ctl, preload_sock_key, &err);
    if (!tap) {
        /* e.g. the launcher is gone and a daemon child lives on */
        preload_warn(trace, -err);
        world = kernel;
        return;
    }
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    tracing = 1;
    world = tap;
}

srr_world *srr__preload_world(void)
{
    int s = atomic_load_explicit(&state, memory_order_acquire);
    if (s == 2)
        return world;
    int want = 0;
    if (atomic_compare_exchange_strong(&state, &want, 1)) {
        starter = pthread_self();
        int saved = errno;
        preload_start();
        errno = saved;
        atomic_store_explicit(&state, 2, memory_order_release);
        return world;
    }
    /* Starting: on the starting thread, a call from inside the start goes
     * to libc; another thread waits the microseconds it takes. */
    srr__preload_resolve();
    if (pthread_equal(starter, pthread_self()))
        return NULL;
    while (atomic_load_explicit(&state, memory_order_acquire) != 2)
        sched_yield();
    return world;
}

int srr__preload_own_handles(void)
{
    return own_handles;
}

srr_world *srr__preload_sim(void)
{
    return own_handles && !forked ? sim_world : NULL;
}

int srr__preload_expose(srr_world *w, int handle, int cloexec)
{
    if (!own_handles) {
        srr__fd_set_sock(handle);
        return handle;
    }
    /* an eventfd: a real descriptor number that dup, fcntl, close-on-exec
     * and select's FD_SETSIZE treat as any other, and that is never ready
     * on its own */
    int fd = eventfd(0, cloexec ? EFD_CLOEXEC : 0);
    if (fd < 0) {
        int e = errno;
        w->ops->close(w, handle);
        return -e;
    }
    srr__fd_set_handle(fd, handle);
    return fd;
}

int srr__preload_unexpose(srr_world *w, int fd, int handle)
{
    int r = w->ops->close(w, handle);
    srr__fd_forget(fd);
    if (own_handles) {
        srr__epoll_drop_fd(fd);
        LIBC(close)(fd);
    }
    return r;
}

int srr__preload_trace_fd(void)
{
    srr_world *w = srr__preload_world();
    return w && tracing ? srr__tap_trace_fd(w) : -1;
}

srr_world *srr__preload_world_if_ready(void)
{
    if (atomic_load_explicit(&state, memory_order_acquire) == 2)
        return world;
    srr__preload_resolve(); /* the caller goes to libc: it must be found */
    return NULL;
}

int srr__preload_tracing(void)
{
    return srr__preload_world() && tracing;
}

__attribute__((constructor(101))) static void preload_constructor(void)
{
    srr__preload_world();
}

void srr__preload_sigpipe(long r, int flags)
{
    if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
        pthread_kill(pthread_self(), SIGPIPE);
}

/* ------------------------------------------------------------ exec */

/* 1 when envp sets the variable entry ("NAME=value") names, to any value:
 * a program (a nested sockrr) that set its own value keeps it. */
static int env_has(char *const envp[], const char *entry)
{
    size_t n = strcspn(entry, "=") + 1;
    for (size_t i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], entry, n) == 0)
            return 1;
    return 0;
}

/* 1 when envp's LD_PRELOAD names this library. */
static int env_preloads(char *const envp[])
{
    for (size_t i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0)
            return preload_path && strstr(envp[i] + 11, preload_path) != NULL;
    return 0;
}

char **srr__preload_env(char *const envp[])
{
    if (!srr__preload_world() || !preload_path)
        return (char **)envp;
    int missing = !env_preloads(envp);
    for (int i = 0; i < ENV_VARS; i++)
        if (env_keep[i] && !env_has(envp, env_keep[i]))
            missing = 1;
    if (!missing)
        return (char **)envp;
    size_t n = 0;
    while (envp && envp[n])
        n++;
    char **out = calloc(n + ENV_VARS + 2, sizeof *out);
    if (!out)
        return (char **)envp;
    size_t k = 0;
    const char *old_preload = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0)
            old_preload = envp[i] + 11; /* rebuilt below */
        else
            out[k++] = envp[i];
    }
    for (int j = 0; j < ENV_VARS; j++)
        if (env_keep[j] && !env_has(envp, env_keep[j]))
            out[k++] = env_keep[j];
    /* the program's own preloads first, as sockrr record puts them; with
     * none, the list this process started with */
    if (!old_preload || !*old_preload)
        old_preload = start_preload;
    size_t len = 11 + (old_preload ? strlen(old_preload) + 1 : 0) + strlen(preload_path) + 1;
    char *pl = malloc(len);
    if (pl) {
        if (old_preload && strstr(old_preload, preload_path))
            snprintf(pl, len, "LD_PRELOAD=%s", old_preload);
        else if (old_preload && *old_preload)
            snprintf(pl, len, "LD_PRELOAD=%s:%s", old_preload, preload_path);
        else
            snprintf(pl, len, "LD_PRELOAD=%s", preload_path);
        out[k++] = pl;
    }
    out[k] = NULL;
    return out;
}

void srr__preload_env_free(char **env, char *const envp[])
{
    if (env == (char **)envp)
        return;
    for (size_t i = 0; env[i]; i++)
        if (strncmp(env[i], "LD_PRELOAD=", 11) == 0)
            free(env[i]);
    free(env);
}
