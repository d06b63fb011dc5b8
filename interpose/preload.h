/*
 * preload.h — the interposer's insides, shared by its files.
 *
 * Every caught libc function is a wrapper that asks one question first: is
 * this descriptor one of the world's sockets?  If not, or when no world is
 * configured, it calls the real function (REAL) and nothing else happens.
 * If so, it calls the world through the seam, turns the -errno into errno,
 * and keeps the descriptor table (fdtab.c) true.
 */
#ifndef SOCKRR_PRELOAD_H
#define SOCKRR_PRELOAD_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "exit_status.h"
#include "libc.h"
#include "sockrr_world.h"

/* The real functions the interposer itself needs beyond libc.h's table:
 * X(name, return type, parameter list). */
#define PRELOAD_REAL_FUNCS(X)                                                                  \
    X(accept, int, (int, struct sockaddr *, socklen_t *))                                      \
    X(recv, ssize_t, (int, void *, size_t, int))                                               \
    X(recvfrom, ssize_t, (int, void *, size_t, int, struct sockaddr *, socklen_t *))           \
    X(sendto, ssize_t, (int, const void *, size_t, int, const struct sockaddr *, socklen_t))   \
    X(sendmmsg, int, (int, struct mmsghdr *, unsigned int, int))                               \
    X(recvmmsg, int, (int, struct mmsghdr *, unsigned int, int, struct timespec *))            \
    X(read, ssize_t, (int, void *, size_t))                                                    \
    X(readv, ssize_t, (int, const struct iovec *, int))                                        \
    X(writev, ssize_t, (int, const struct iovec *, int))                                       \
    X(pread, ssize_t, (int, void *, size_t, off_t))                                            \
    X(pwrite, ssize_t, (int, const void *, size_t, off_t))                                     \
    X(pread64, ssize_t, (int, void *, size_t, off64_t))                                        \
    X(pwrite64, ssize_t, (int, const void *, size_t, off64_t))                                 \
    X(sendfile, ssize_t, (int, int, off_t *, size_t))                                          \
    X(sendfile64, ssize_t, (int, int, off64_t *, size_t))                                      \
    X(splice, ssize_t, (int, off64_t *, int, off64_t *, size_t, unsigned int))                 \
    X(lseek, off_t, (int, off_t, int))                                                         \
    X(dup, int, (int))                                                                         \
    X(dup2, int, (int, int))                                                                   \
    X(dup3, int, (int, int, int))                                                              \
    X(close_range, int, (unsigned int, unsigned int, int))                                     \
    X(closefrom, void, (int))                                                                  \
    X(fcntl64, int, (int, int, ...))                                                           \
    X(poll, int, (struct pollfd *, nfds_t, int))                                               \
    X(select, int, (int, fd_set *, fd_set *, fd_set *, struct timeval *))                      \
    X(pselect, int,                                                                            \
      (int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *))          \
    X(epoll_create, int, (int))                                                                \
    X(epoll_create1, int, (int))                                                               \
    X(epoll_ctl, int, (int, int, int, struct epoll_event *))                                   \
    X(epoll_wait, int, (int, struct epoll_event *, int, int))                                  \
    X(epoll_pwait, int, (int, struct epoll_event *, int, int, const sigset_t *))               \
    X(fclose, int, (FILE *))                                                                   \
    X(fork, pid_t, (void))                                                                     \
    X(execve, int, (const char *, char *const[], char *const[]))                               \
    X(execvpe, int, (const char *, char *const[], char *const[]))                              \
    X(fexecve, int, (int, char *const[], char *const[]))                                       \
    X(posix_spawn, int,                                                                        \
      (pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,   \
       char *const[], char *const[]))                                                          \
    X(posix_spawnp, int,                                                                       \
      (pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,   \
       char *const[], char *const[]))                                                          \
    X(syscall, long, (long, ...))                                                              \
    X(pthread_create, int,                                                                     \
      (pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))                        \
    X(pthread_join, int, (pthread_t, void **))                                                 \
    X(pthread_cond_wait, int, (pthread_cond_t *, pthread_mutex_t *))                           \
    X(pthread_cond_timedwait, int,                                                             \
      (pthread_cond_t *, pthread_mutex_t *, const struct timespec *))                          \
    X(pthread_cond_clockwait, int,                                                             \
      (pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *))               \
    X(pthread_cond_signal, int, (pthread_cond_t *))                                            \
    X(pthread_cond_broadcast, int, (pthread_cond_t *))                                         \
    X(pthread_timedjoin_np, int, (pthread_t, void **, const struct timespec *))                \
    X(sem_post, int, (sem_t *))                                                                \
    X(sem_trywait, int, (sem_t *))                                                             \
    X(pthread_tryjoin_np, int, (pthread_t, void **))                                           \
    X(sem_wait, int, (sem_t *))                                                                \
    X(sem_timedwait, int, (sem_t *, const struct timespec *))                                  \
    X(sem_clockwait, int, (sem_t *, clockid_t, const struct timespec *))                       \
    X(alarm, unsigned int, (unsigned int))                                                     \
    X(sigsuspend, int, (const sigset_t *))                                                     \
    X(wait4, pid_t, (pid_t, int *, int, struct rusage *))                                      \
    X(waitid, int, (idtype_t, id_t, siginfo_t *, int))                                         \
    X(pipe, int, (int[2]))                                                                     \
    X(fdopen, FILE *, (int, const char *))                                                     \
    X(open, int, (const char *, int, ...))                                                     \
    X(open64, int, (const char *, int, ...))                                                   \
    X(openat, int, (int, const char *, int, ...))                                              \
    X(openat64, int, (int, const char *, int, ...))                                            \
    X(__open_2, int, (const char *, int))                                                      \
    X(__open64_2, int, (const char *, int))                                                    \
    X(__openat_2, int, (int, const char *, int))                                               \
    X(__openat64_2, int, (int, const char *, int))                                             \
    X(fopen, FILE *, (const char *, const char *))                                             \
    X(getrandom, ssize_t, (void *, size_t, unsigned int))                                      \
    X(getentropy, int, (void *, size_t))                                                       \
    X(arc4random, uint32_t, (void))                                                            \
    X(arc4random_buf, void, (void *, size_t))                                                  \
    X(arc4random_uniform, uint32_t, (uint32_t))                                                \
    X(unlink, int, (const char *))                                                             \
    X(unlinkat, int, (int, const char *, int))                                                 \
    X(remove, int, (const char *))                                                             \
    X(stat, int, (const char *, struct stat *))                                                \
    X(lstat, int, (const char *, struct stat *))                                               \
    X(fstatat, int, (int, const char *, struct stat *, int))                                   \
    X(stat64, int, (const char *, struct stat64 *))                                            \
    X(lstat64, int, (const char *, struct stat64 *))                                           \
    X(fstatat64, int, (int, const char *, struct stat64 *, int))                               \
    X(__xstat, int, (int, const char *, struct stat *))                                        \
    X(__lxstat, int, (int, const char *, struct stat *))                                       \
    X(__fxstatat, int, (int, int, const char *, struct stat *, int))                           \
    X(__xstat64, int, (int, const char *, struct stat64 *))                                    \
    X(__lxstat64, int, (int, const char *, struct stat64 *))                                   \
    X(__fxstatat64, int, (int, int, const char *, struct stat64 *, int))                       \
    X(statx, int, (int, const char *, int, unsigned, struct statx *))                          \
    X(access, int, (const char *, int))                                                        \
    X(faccessat, int, (int, const char *, int, int))                                           \
    X(chmod, int, (const char *, mode_t))                                                      \
    X(fchmodat, int, (int, const char *, mode_t, int))                                         \
    X(chown, int, (const char *, uid_t, gid_t))                                                \
    X(lchown, int, (const char *, uid_t, gid_t))                                               \
    X(fchownat, int, (int, const char *, uid_t, gid_t, int))                                   \
    X(fopen64, FILE *, (const char *, const char *))                                           \
    X(pipe2, int, (int[2], int))                                                               \
    X(eventfd, int, (unsigned int, int))                                                       \
    X(signalfd, int, (int, const sigset_t *, int))                                             \
    X(sigtimedwait, int, (const sigset_t *, siginfo_t *, const struct timespec *))             \
    X(sigwaitinfo, int, (const sigset_t *, siginfo_t *))                                       \
    X(sigwait, int, (const sigset_t *, int *))                                                 \
    X(kill, int, (pid_t, int))                                                                 \
    X(raise, int, (int))                                                                       \
    X(pthread_kill, int, (pthread_t, int))                                                     \
    X(tgkill, int, (pid_t, pid_t, int))                                                        \
    X(sigqueue, int, (pid_t, int, const union sigval))                                         \
    X(setitimer, int, (__itimer_which_t, const struct itimerval *, struct itimerval *))        \
    X(getitimer, int, (__itimer_which_t, struct itimerval *))                                  \
    X(timer_create, int, (clockid_t, struct sigevent *, timer_t *))                            \
    X(timer_settime, int, (timer_t, int, const struct itimerspec *, struct itimerspec *))      \
    X(timer_gettime, int, (timer_t, struct itimerspec *))                                      \
    X(timer_getoverrun, int, (timer_t))                                                        \
    X(timer_delete, int, (timer_t))                                                            \
    X(timerfd_create, int, (int, int))                                                         \
    X(timerfd_settime, int, (int, int, const struct itimerspec *, struct itimerspec *))        \
    X(timerfd_gettime, int, (int, struct itimerspec *))                                        \
    X(__read_chk, ssize_t, (int, void *, size_t, size_t))                                      \
    X(__recv_chk, ssize_t, (int, void *, size_t, size_t, int))                                 \
    X(__recvfrom_chk, ssize_t,                                                                 \
      (int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *))                      \
    X(__poll_chk, int, (struct pollfd *, nfds_t, int, size_t))                                 \
    X(__ppoll_chk, int,                                                                        \
      (struct pollfd *, nfds_t, const struct timespec *, const sigset_t *, size_t))

#define PRELOAD_REAL_FIELD(name, ret, params) ret(*name) params;
typedef struct preload_real {
    PRELOAD_REAL_FUNCS(PRELOAD_REAL_FIELD)
} preload_real;
#undef PRELOAD_REAL_FIELD

extern preload_real srr__real;

/* libc's function: the interposer's own table, or libc.h's. */
#define REAL(name) (srr__real.name)
#define LIBC(name) (srr__libc.name)

/* Resolves both tables (libc_next.c); safe to call again. */
void srr__preload_resolve(void);

/* ---- the process's world (preload.c) ---- */

/* The world calls go to, or NULL: not configured, or still starting (then
 * every wrapper calls libc).  The first call of any wrapper starts it. */
srr_world *srr__preload_world(void);
/* The world when it is ready, without starting it: for clocks and thread
 * waits, which the allocator and libc call from deep inside themselves
 * (ASan's malloc reads the clock holding its lock); starting the world
 * there would allocate under that lock.  Before the constructor ran they
 * are libc's. */
srr_world *srr__preload_world_if_ready(void);
/* The same world when its clock is virtual and this thread is not inside
 * sockrr holding one of its locks (busy.h), else NULL: clocks, timers,
 * thread and real-descriptor waits then go to libc.  The replay reads its
 * trace holding its lock; jemalloc's free under it signals a condition. */
srr_world *srr__preload_virtual_world(void);
/* The world when fd is one of its sockets (*h its handle), else NULL. */
srr_world *srr__sock_world(int fd, int *h);
/* A socket call's opening: when fd is a world's socket, declares w (the
 * world), h (its handle) and e (the caller's errno, for srr__ret); otherwise
 * returns `otherwise`, the call as libc makes it. */
#define IN_WORLD_OR(fd, otherwise)                                                             \
    int h;                                                                                     \
    srr_world *w = srr__sock_world((fd), &h);                                                  \
    if (!w)                                                                                    \
        return otherwise;                                                                      \
    int e = errno
/* The world's capabilities (SRR_CAP_*, sockrr_world.h); 0 with no world. */
unsigned srr__preload_caps(void);
/* 1 when the world hands out handles of its own: sockets then live behind
 * placeholder descriptors (SRR_CAP_OWN_HANDLES). */
int srr__preload_own_handles(void);
/* The descriptor the world writes through itself (the trace), which the
 * program's closes and dup2s must not touch (it sits near the descriptor
 * limit, close-on-exec); -1 when none.  move: the program dup2's onto it,
 * so it goes elsewhere; the new one or -errno. */
int srr__preload_own_fd(void);
int srr__preload_move_own_fd(void);
/* A new world handle made visible to the program: over the kernel the
 * handle is the descriptor; otherwise a placeholder descriptor (an
 * eventfd, close-on-exec when asked) stands for it.  The descriptor, or
 * -errno with the handle closed. */
int srr__preload_expose(srr_world *w, int handle, int cloexec);
/* close(fd) of world socket handle h: the world's close, and the
 * placeholder's.  0 or -errno. */
int srr__preload_unexpose(srr_world *w, int fd, int handle);
/* The environment an exec'd program needs to stay traced: envp with the
 * interposer's variables put back when the program dropped them.  Returns
 * envp itself when nothing is missing, else a malloc'd array (freed by the
 * caller with srr__preload_env_free). */
char **srr__preload_env(char *const envp[]);
void srr__preload_env_free(char **env, char *const envp[]);

/* ---- the descriptor table (fdtab.c) ---- */

/* 1 (the default): the world's handles are descriptors (kernel, tap over
 * kernel), and an unseen socket descriptor is the world's.  0: the world
 * hands out its own handles, each behind a placeholder descriptor. */
void srr__fd_kernel_handles(int yes);
/* The world's handle for fd, or -1 when fd is not one of its sockets.  A
 * descriptor the table has not seen is looked at once (fstat). */
int srr__fd_handle(int fd);
int srr__fd_is_sock(int fd);
void srr__fd_set_handle(int fd, int handle);
void srr__fd_set_sock(int fd); /* handle = fd */
/* fd is a descriptor the process made for itself (a pipe, an eventfd, a
 * timerfd): only its own threads make it ready, so a wait on it is a wait
 * the world can count (docs/sim.md).  internal: 1 when it is one. */
void srr__fd_set_internal(int fd);
int srr__fd_internal(int fd);
/* Another process now shares them (fork, posix_spawn): no descriptor is
 * the process's own any more. */
void srr__fd_own_now_shared(void);
/* Forget what fd was: the next look decides again. */
void srr__fd_forget(int fd);
void srr__fd_set_plain(int fd);
/* Forgets [first, last], calling sock_closed (may be NULL) for each
 * descriptor that was a socket, with its handle. */
void srr__fd_forget_range(unsigned first, unsigned last, void (*sock_closed)(int fd, int handle));

/* ---- shared by the wrappers ---- */

/* r (>= 0 or -errno) as libc returns it: -1 with errno set, or r with the
 * caller's errno left as it was on entry. */
static inline long srr__ret(long r, int saved_errno)
{
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    errno = saved_errno;
    return r;
}

/* Over a world with handles of its own: a poll over its sockets and real
 * descriptors (poll_calls.c), fds as the program gave them; the number
 * ready or -errno.  A mixed wait looks at the real descriptors every step
 * of the world's time (SRR_CTL_WAIT_STEP). */
int srr__poll_mixed(srr_world *w, struct pollfd *fds, nfds_t n, int64_t timeout_ns,
                    const sigset_t *mask);
/* The world's step for mixed waits, in its ns. */
int64_t srr__wait_step(srr_world *w);
/* The world's clock read for the interposer's own bookkeeping (a deadline,
 * the time a wait took): never traced.  ns, or -errno. */
int64_t srr__world_now(srr_world *w, clockid_t clock);

/* An epoll descriptor's interest list of world sockets is dropped
 * (epoll_own.c). */
void srr__epoll_forget(int epfd);
/* A call on world socket fd answered EAGAIN: the program drained it, so its
 * next readiness is a new edge for edge-triggered entries. */
void srr__epoll_rearm(int fd);
/* A world socket's descriptor closed: out of every interest list. */
void srr__epoll_drop_fd(int fd);

/* ---- signals from timers on virtual time (signals.c, timer_calls.c) ---- */

/* The calling thread may be chosen for a timer's signal from now on: every
 * thread of the program, from its start. */
/* In a forked child: only the forking thread is left, under a new tid. */
void srr__signals_forked(void);
void srr__signals_thread_start(void);
/* Under the world's lock, from a timer's fire: queues info's signal for the
 * thread the kernel would choose; 1 and *target when that thread's wait
 * should be interrupted, 0 when nothing is to interrupt (ignored, or
 * pending on the process). */
int srr__signals_queue(const siginfo_t *info, pthread_t *target);
/* 1 when a signal is queued for the calling thread. */
int srr__signals_pending(void);
/* Delivers the calling thread's queued signals to it: their handlers run
 * before it returns.  1 when each had SA_RESTART (a restartable call goes
 * on), 0 when one had not or none was queued. */
int srr__signals_deliver(void);
/* ---- waits on real descriptors (wait_real.c) ---- */

/* A poll of real descriptors only, over a world with a virtual clock: the
 * thread is parked while it waits, so time may move (docs/sim.md says
 * when).  As poll: the number ready, 0 at the virtual timeout, -errno
 * (-EINTR after a timer's signal); -ENOTTY when the wait is the kernel's
 * (no such world, or a descriptor from outside with no timeout). */
int srr__poll_real(struct pollfd *fds, nfds_t n, int64_t timeout_ns, const sigset_t *mask);
/* A blocking read of one of the process's own descriptors is about to be
 * made: waits, as a wait the world counts, until fd is readable.  0 (read
 * now), or -errno (-EINTR). */
int srr__wait_readable(int fd);
/* The program wrote to fd: a thread waiting on the process's own
 * descriptors looks again before time may move. */
void srr__real_written(int fd);
/* 1 when f is a FILE fdopen made on a world's socket (stdio_calls.c): its
 * close goes through the world by itself. */
int srr__stdio_is_ours(FILE *f);
/* r is a world call's answer: a timer's signal queued for this thread is
 * delivered (the world interrupted the call for it: -EINTR, or what it
 * did before, a partial send); 1 when r is -EINTR and every handler asked
 * for the call to go on (SA_RESTART), 0 to return r. */
int srr__signals_restart(long r);

/* The longest wait the interposer counts, about 73 years: a program's
 * "forever" (a timespec of LONG_MAX seconds, a far-future deadline) is
 * that long, so adding it to a clock never overflows. */
#define SRR_NS_FOREVER (INT64_MAX / 4)

/* A timespec or timeval of the program's as nanoseconds, saturated at
 * plus or minus SRR_NS_FOREVER (the caller checks the fraction's range
 * where Linux does). */
static inline int64_t srr__ts_ns(const struct timespec *ts)
{
    if (ts->tv_sec >= SRR_NS_FOREVER / 1000000000)
        return SRR_NS_FOREVER;
    if (ts->tv_sec <= -SRR_NS_FOREVER / 1000000000)
        return -SRR_NS_FOREVER;
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Non-negative nanoseconds as a timespec. */
static inline struct timespec srr__ns_ts(int64_t ns)
{
    return (struct timespec){ns / 1000000000, ns % 1000000000};
}

static inline int64_t srr__tv_ns(const struct timeval *tv)
{
    struct timespec ts = {tv->tv_sec, tv->tv_usec * 1000};
    return srr__ts_ns(&ts);
}

/* A park and its world, for srr__unpark_cancelled: a parked thread
 * cancelled in a real wait (a cancellation point) leaves the park, which
 * lives on its stack (pthread_cleanup_push). */
typedef struct srr_parked_on {
    srr_world *w;
    srr_park *p;
} srr_parked_on;
void srr__unpark_cancelled(void *parked_on);

/* thread_calls.c: syscall(SYS_futex, ...) made through libc (Rust's std
 * does): a wait is parked as the pthread waits are, a wake wakes the
 * parked.  1 when it was answered (*ret, errno), 0 when libc's syscall is
 * to make it (a wake, after it woke the parked). */
int srr__futex_call(const long a[6], long *ret);
/* path_calls.c: a raw unlink, stat, access or chmod syscall of a path where
 * the world keeps a socket name: 1 with *ret its answer, 0 libc's. */
int srr__syscall_path(long n, const long *a, long *ret);
/* random_calls.c: a raw getrandom answered by the world's entropy: 1 with
 * *ret, 0 libc's. */
int srr__syscall_random(long n, const long *a, long *ret);
/* A timerfd's descriptor closed: its timer goes. */
void srr__timers_fd_closed(int fd);

/* A send that failed with EPIPE raises SIGPIPE, as the kernel would have,
 * unless the caller asked for MSG_NOSIGNAL (the seam never raises it). */
void srr__preload_sigpipe(long r, int flags);

#endif
