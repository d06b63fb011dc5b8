/*
 * preload.c — the process's world, made once before main from the
 * environment the launcher set (lib/worlds/env_world.h names it), and what
 * the host of a world does for it: end the program with a world's verdict,
 * say its lines, follow fork and exec.
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

#include "busy.h"
#include "env_world.h"
#include "preload.h"

/* The interposer's per-process state (STYLE: the only globals allowed). */
static srr_world *world;
static unsigned caps;     /* the world's SRR_CAP_* */
static int own_fd = -1;   /* the descriptor the world writes through (a trace) */
static const char *verb;  /* "record", "sim", ... for messages */
static atomic_int state;  /* 0 not started, 1 starting, 2 ready */
static pthread_t starter;

/* What an exec'd program's environment must hold, "NAME=value" strings
 * copied at start into storage of our own: the start may run before the
 * allocator is up, or inside another library's lock (jemalloc's), where
 * malloc must not be called. */
static char env_store[16384];
static char *env_keep[SRR_ENV_COUNT];
static char preload_path[4096];
static char start_preload[8192]; /* LD_PRELOAD at start (a sanitizer's runtime may lead it) */

/* ------------------------------------------------------------ the host */

/* One line on stderr, never into the program's own output. */
static void preload_line(const char *a, const char *b, const char *c)
{
    char msg[4400];
    int n = snprintf(msg, sizeof msg, "%s%s%s\n", a, b, c);
    if (n > 0)
        LIBC(write)(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

static long cmd_pid; /* the command sockrr started (SOCKRR_CMD_PID) */

/* "sockrr VERB: MESSAGE", naming the process when it is not the command
 * itself (a child, a program a shell started). */
static void host_say(const char *message)
{
    char who[160];
    if (cmd_pid > 0 && getpid() != cmd_pid)
        snprintf(who, sizeof who, "sockrr %s: [pid %ld %s] ", verb ? verb : "", (long)getpid(),
                 program_invocation_short_name);
    else
        snprintf(who, sizeof who, "sockrr %s: ", verb ? verb : "");
    preload_line(who, message, "");
}

/* A world's verdict: the program ends here, with the world's status. */
__attribute__((noreturn)) static void host_end(int status, const char *message, int flush)
{
    if (flush == 1)
        fflush(NULL);
    FILE *const std[] = {stdout, stderr};
    for (int i = 0; flush == 2 && i < 2; i++)
        if (ftrylockfile(std[i]) == 0) {
            fflush_unlocked(std[i]);
            funlockfile(std[i]);
        }
    host_say(message);
    _exit(status);
}

/* A socket's name in every process: its inode (sockfs gives each socket
 * its own); 0 for what is not a socket. */
static uint64_t host_sock_key(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
        return 0;
    return (uint64_t)st.st_ino;
}

static const srr_env_host host = {
    .end = host_end,
    .say = host_say,
    .sock_key = host_sock_key,
};

/* ---------------------------------------------------------------- fork */

static void atfork_phase(int phase)
{
    srr_fork f = {.phase = phase, .say = host_say};
    srr_world_control(world, SRR_CTL_FORK, &f);
    if (f.child) {
        /* the parent's world cannot follow the child: it gets its own */
        world = f.child;
        caps = srr_world_caps(world);
        own_fd = -1;
    }
}

static void atfork_prepare(void)
{
    atfork_phase(SRR_FORK_PREPARE);
}

static void atfork_parent(void)
{
    atfork_phase(SRR_FORK_PARENT);
    srr__fd_own_now_shared();
}

static void atfork_child(void)
{
    srr__signals_forked();
    atfork_phase(SRR_FORK_CHILD);
    srr__fd_own_now_shared();
}

/* ---------------------------------------------------------------- start */

/* The variables an exec'd program needs, kept as "NAME=value". */
static void env_remember(const srr_env *e)
{
    size_t used = 0;
    for (int i = 0; i < SRR_ENV_COUNT; i++) {
        if (!e->v[i])
            continue;
        int n = snprintf(env_store + used, sizeof env_store - used, "%s=%s", srr__env_names[i],
                         e->v[i]);
        if (n < 0 || (size_t)n >= sizeof env_store - used)
            break; /* no room: an exec'd program may lose it, the run goes on */
        env_keep[i] = env_store + used;
        used += (size_t)n + 1;
    }
    const char *pl = e->v[SRR_ENV_PRELOAD], *lp = getenv("LD_PRELOAD");
    if (pl && strlen(pl) < sizeof preload_path)
        strcpy(preload_path, pl);
    if (lp && strlen(lp) < sizeof start_preload)
        strcpy(start_preload, lp);
}

static void preload_start(void)
{
    srr__preload_resolve();
    srr_env e;
    srr__env_read(&e);
    const char *cp = e.v[SRR_ENV_CMD_PID];
    cmd_pid = cp ? strtol(cp, NULL, 10) : 0;
    srr_env_world out;
    int r = srr__world_from_env(&e, &host, &out);
    verb = out.verb;
    if (r < 0 && out.fatal) {
        /* a world that cannot be made where the launcher made one before:
         * the program must not run on the real network instead, a silent
         * wrong answer */
        host_end(SRR_EXIT_NOT_FOUND, out.error, 0);
    }
    if (out.error[0])
        preload_line("sockrr: ", out.error, "; this process runs untraced");
    if (!out.world)
        return;
    env_remember(&e);
    world = out.world;
    caps = srr_world_caps(world);
    if (caps & SRR_CAP_OWN_HANDLES)
        srr__fd_kernel_handles(0);
    if (getpid() == gettid())
        srr__signals_thread_start(); /* the main thread: the first a signal may go to */
    int fd = srr_world_control(world, SRR_CTL_OWN_FD, NULL);
    own_fd = fd >= 0 ? fd : -1;
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* At exit: a world that judges the run gives its verdict. */
__attribute__((destructor)) static void preload_finish(void)
{
    srr_verdict v = {0};
    if (srr_world_control(world, SRR_CTL_PROGRAM_END, &v) == 1)
        host_end(v.status, v.message, 0);
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

srr_world *srr__preload_world_if_ready(void)
{
    if (atomic_load_explicit(&state, memory_order_acquire) == 2)
        return world;
    srr__preload_resolve(); /* the caller goes to libc: it must be found */
    return NULL;
}

srr_world *srr__preload_virtual_world(void)
{
    srr_world *w = srr__preload_world_if_ready();
    return w && (srr_world_caps(w) & SRR_CAP_VIRTUAL_CLOCK) && !srr__busy ? w : NULL;
}

srr_world *srr__sock_world(int fd, int *h)
{
    /* a call on a descriptor never starts the world: no socket of its can
     * exist before it is up, and such calls come from deep inside other
     * libraries (jemalloc reads files holding its init lock) */
    srr_world *w = srr__preload_world_if_ready();
    if (!w)
        return NULL;
    *h = srr__fd_handle(fd);
    return *h >= 0 ? w : NULL;
}

unsigned srr__preload_caps(void)
{
    return srr__preload_world() ? caps : 0;
}

int srr__preload_own_handles(void)
{
    return (srr__preload_caps() & SRR_CAP_OWN_HANDLES) != 0;
}

int srr__preload_own_fd(void)
{
    return srr__preload_world() ? own_fd : -1;
}

int srr__preload_move_own_fd(void)
{
    int fd = srr_world_control(srr__preload_world(), SRR_CTL_MOVE_OWN_FD, NULL);
    if (fd >= 0)
        own_fd = fd;
    return fd;
}

int srr__preload_expose(srr_world *w, int handle, int cloexec)
{
    if (!(caps & SRR_CAP_OWN_HANDLES)) {
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
    if (caps & SRR_CAP_OWN_HANDLES) {
        srr__epoll_drop_fd(fd);
        LIBC(close)(fd);
    }
    return r;
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
            return strstr(envp[i] + 11, preload_path) != NULL;
    return 0;
}

char **srr__preload_env(char *const envp[])
{
    if (!srr__preload_world() || !preload_path[0])
        return (char **)envp;
    int missing = !env_preloads(envp);
    for (int i = 0; i < SRR_ENV_COUNT; i++)
        if (env_keep[i] && !env_has(envp, env_keep[i]))
            missing = 1;
    if (!missing)
        return (char **)envp;
    size_t n = 0;
    while (envp && envp[n])
        n++;
    char **out = calloc(n + SRR_ENV_COUNT + 2, sizeof *out);
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
    for (int j = 0; j < SRR_ENV_COUNT; j++)
        if (env_keep[j] && !env_has(envp, env_keep[j]))
            out[k++] = env_keep[j];
    /* the program's own preloads first, as sockrr record puts them; with
     * none, the list this process started with */
    if (!old_preload || !*old_preload)
        old_preload = start_preload;
    size_t len = 11 + strlen(old_preload) + 1 + strlen(preload_path) + 1;
    char *pl = malloc(len);
    if (pl) {
        if (strstr(old_preload, preload_path))
            snprintf(pl, len, "LD_PRELOAD=%s", old_preload);
        else if (*old_preload)
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
