/*
 * proc_calls.c — processes: fork, vfork, the exec family, posix_spawn and
 * syscall.
 *
 * A forked child keeps tracing into the same trace with its own pid: the
 * trace's lock, seq and socket ids live in the shared control file, and the
 * tap's table comes across with the memory.  vfork is fork here (POSIX lets
 * it be): a vfork child shares the parent's memory, and the interposer's
 * table would be changed under the parent's feet.  An exec'd program keeps
 * the preload and the trace: when the program passes an environment that
 * dropped sockrr's variables, they are put back.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"
#include "grow.h"

pid_t fork(void)
{
    srr__preload_world(); /* started before, so parent and child agree */
    return REAL(fork)();
}

pid_t vfork(void)
{
    return fork();
}

/* The real call with sockrr's variables put back into its environment;
 * errno as the call left it.  `after` runs in the parent when the call
 * returns (posix_spawn). */
#define WITH_PRELOAD_ENV(envp, call, after)                                                    \
    char **env = srr__preload_env(envp);                                                       \
    int r = call;                                                                              \
    int e = errno;                                                                             \
    srr__preload_env_free(env, envp);                                                          \
    after;                                                                                     \
    errno = e;                                                                                 \
    return r;

int execve(const char *path, char *const argv[], char *const envp[])
{
    WITH_PRELOAD_ENV(envp, REAL(execve)(path, argv, env), (void)0)
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    WITH_PRELOAD_ENV(envp, REAL(execvpe)(file, argv, env), (void)0)
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
    WITH_PRELOAD_ENV(envp, REAL(fexecve)(fd, argv, env), (void)0)
}

int execv(const char *path, char *const argv[])
{
    return execve(path, argv, environ);
}

int execvp(const char *file, char *const argv[])
{
    return execvpe(file, argv, environ);
}

/* execl's arguments as an argv array (malloc'd), and after the NULL, for
 * execle, the environment. */
static char **collect_args(const char *arg0, va_list ap, char ***envp)
{
    size_t n = 1, cap = 0;
    char **argv = NULL;
    if (srr__grow((void **)&argv, &cap, 16, sizeof *argv) < 0)
        return NULL;
    argv[0] = (char *)arg0;
    for (;;) {
        char *a = arg0 ? va_arg(ap, char *) : NULL;
        if (srr__grow((void **)&argv, &cap, n + 1, sizeof *argv) < 0) {
            free(argv);
            return NULL;
        }
        argv[n++] = a;
        if (!a)
            break;
    }
    if (envp)
        *envp = va_arg(ap, char **);
    return argv;
}

#define EXECL_BODY(call, with_env)                                                             \
    va_list ap;                                                                                \
    va_start(ap, arg0);                                                                        \
    char **envp = environ;                                                                     \
    char **argv = collect_args(arg0, ap, with_env ? &envp : NULL);                             \
    va_end(ap);                                                                                \
    if (!argv) {                                                                               \
        errno = ENOMEM;                                                                        \
        return -1;                                                                             \
    }                                                                                          \
    int r = call;                                                                              \
    int e = errno;                                                                             \
    free(argv);                                                                                \
    errno = e;                                                                                 \
    return r;

int execl(const char *path, const char *arg0, ...)
{
    EXECL_BODY(execve(path, argv, envp), 0)
}

int execle(const char *path, const char *arg0, ...)
{
    EXECL_BODY(execve(path, argv, envp), 1)
}

int execlp(const char *file, const char *arg0, ...)
{
    EXECL_BODY(execvpe(file, argv, envp), 0)
}

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    WITH_PRELOAD_ENV(envp, REAL(posix_spawn)(pid, path, fa, attr, argv, env),
                     srr__fd_own_now_shared())
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    WITH_PRELOAD_ENV(envp, REAL(posix_spawnp)(pid, file, fa, attr, argv, env),
                     srr__fd_own_now_shared())
}

/* What a raw syscall() does past the interposer, said in the trace. */
static const char *syscall_bypass(long n)
{
    return n == SYS_io_uring_setup ? "io_uring_setup: io_uring's I/O is not caught or traced"
                                   : NULL;
}

/* A raw socket syscall made as its libc call, which the interposer catches:
 * the world answers it (sim, replay) or traces it (record), as it does the
 * libc name.  1 with *r set, or 0 for any other syscall. */
static int syscall_socket(long n, const long *a, long *r)
{
    /* the arguments as the kernel reads them: ints are the low 32 bits */
#define I(k) ((int)a[k])
#define P(k) ((void *)a[k])
    switch (n) {
    case SYS_socket: *r = socket(I(0), I(1), I(2)); return 1;
    case SYS_socketpair: *r = socketpair(I(0), I(1), I(2), P(3)); return 1;
    case SYS_bind: *r = bind(I(0), P(1), (socklen_t)a[2]); return 1;
    case SYS_listen: *r = listen(I(0), I(1)); return 1;
    case SYS_connect: *r = connect(I(0), P(1), (socklen_t)a[2]); return 1;
    case SYS_accept: *r = accept(I(0), P(1), P(2)); return 1;
    case SYS_accept4: *r = accept4(I(0), P(1), P(2), I(3)); return 1;
    case SYS_sendto: *r = sendto(I(0), P(1), (size_t)a[2], I(3), P(4), (socklen_t)a[5]); return 1;
    case SYS_recvfrom: *r = recvfrom(I(0), P(1), (size_t)a[2], I(3), P(4), P(5)); return 1;
    case SYS_sendmsg: *r = sendmsg(I(0), P(1), I(2)); return 1;
    case SYS_recvmsg: *r = recvmsg(I(0), P(1), I(2)); return 1;
    case SYS_sendmmsg: *r = sendmmsg(I(0), P(1), (unsigned)a[2], I(3)); return 1;
    case SYS_recvmmsg: *r = recvmmsg(I(0), P(1), (unsigned)a[2], I(3), P(4)); return 1;
    case SYS_shutdown: *r = shutdown(I(0), I(1)); return 1;
    case SYS_getsockname: *r = getsockname(I(0), P(1), P(2)); return 1;
    case SYS_getpeername: *r = getpeername(I(0), P(1), P(2)); return 1;
    case SYS_getsockopt: *r = getsockopt(I(0), I(1), I(2), P(3), P(4)); return 1;
    case SYS_setsockopt: *r = setsockopt(I(0), I(1), I(2), P(3), (socklen_t)a[4]); return 1;
    default: return 0;
    }
#undef I
#undef P
}

long syscall(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long); /* Linux syscalls take at most six words */
    va_end(ap);
    /* a raw close or dup of a descriptor goes where libc's would: libuv
     * closes with syscall(SYS_close) (a close that is no cancellation
     * point), and a world socket must close in its world, a trace's
     * descriptor stay open */
    if (srr__preload_world_if_ready()) {
        switch (n) {
        case SYS_close: return close((int)a[0]);
        case SYS_dup: return dup((int)a[0]);
        case SYS_dup2: return dup2((int)a[0], (int)a[1]);
        case SYS_dup3: return dup3((int)a[0], (int)a[1], (int)a[2]);
        case SYS_futex: {
            long r;
            if (srr__futex_call(a, &r))
                return r;
            break;
        }
        default: {
            long r;
            if (srr__syscall_path(n, a, &r) || srr__syscall_random(n, a, &r))
                return r;
            break;
        }
        }
    }
    long r;
    /* a socket syscall is its libc call, and that starts the world if it
     * must; any other goes straight to libc without starting it (jemalloc
     * calls syscall() holding its init lock, where nothing may allocate) */
    if (syscall_socket(n, a, &r))
        return r;
    const char *what = syscall_bypass(n);
    srr_world *w = what ? srr__preload_world() : srr__preload_world_if_ready();
    if (!w)
        what = NULL;
    int e;
    if (what && (srr__preload_caps() & SRR_CAP_HERMETIC)) {
        /* over a hermetic world, io_uring's I/O would reach the real
         * network unseen: refused, as a kernel without the call would */
        r = -1;
        e = ENOSYS;
    } else {
        r = REAL(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]);
        e = errno;
    }
    if (what) {
        srr_note note = {what, "syscall", r, r < 0 ? e : 0};
        srr_world_control(w, SRR_CTL_NOTE, &note);
    }
    errno = e;
    return r;
}
