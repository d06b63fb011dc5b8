/*
 * signals.c — signals sent by timers on a world's virtual clock
 * (timer_calls.c).  The kernel cannot send them at the right moment: the
 * moment is the world's.  When a timer fires (inside the world, under its
 * lock), the signal is queued here for the thread the kernel would have
 * chosen, the world interrupts that thread's wait in it (EINTR), and the
 * thread delivers the signal to itself when its wait ends, with the siginfo
 * the kernel would have given: the program's handler runs on that thread,
 * at that point of virtual time, every run the same.
 *
 * Which thread: as Linux picks for a process-directed signal, the main
 * thread unless it blocks the signal, else the first thread that does not
 * (in the order they were started).  When every thread blocks it, it is
 * sent to the process at once and stays pending there, for sigwait.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload.h"

typedef struct sig_thread {
    pthread_t self;
    pid_t tid;
    _Atomic uint64_t pending; /* bit n-1: signal n queued for it */
    siginfo_t info[64];       /* what each queued signal carries */
    _Atomic(struct sig_thread *) next;
} sig_thread;

/* Threads in the order they started; entries are never freed (a thread's
 * number may be reused, its entry then with it). */
static _Atomic(sig_thread *) threads;
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread sig_thread *me;

static pid_t sig_gettid(void)
{
    return (pid_t)REAL(syscall)(SYS_gettid);
}

void srr__signals_thread_start(void)
{
    if (me)
        return;
    sig_thread *t = calloc(1, sizeof *t);
    if (!t)
        return; /* a thread unknown here only never gets a timer's signal */
    t->self = pthread_self();
    t->tid = sig_gettid();
    pthread_mutex_lock(&threads_lock);
    _Atomic(sig_thread *) *p = &threads;
    while (atomic_load(p))
        p = &atomic_load(p)->next;
    atomic_store(p, t); /* appended: the order of starting is the order of choosing */
    pthread_mutex_unlock(&threads_lock);
    me = t;
}

void srr__signals_forked(void)
{
    /* the child has only the forking thread, under a new tid: the others'
     * entries name threads that are not its (tid 0: none takes a signal) */
    for (sig_thread *t = atomic_load(&threads); t; t = atomic_load(&t->next)) {
        t->tid = t == me ? sig_gettid() : 0;
        atomic_store(&t->pending, 0);
    }
}

/* 1 when thread tid blocks sig, from the kernel's own account of it. */
static int sig_blocked_by(pid_t tid, int sig)
{
    char path[64], buf[2048];
    if (tid == 0)
        return 1; /* a thread the forked child does not have */
    snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)tid);
    int fd = LIBC(open)(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1; /* gone: it takes nothing */
    ssize_t n = REAL(read)(fd, buf, sizeof buf - 1);
    LIBC(close)(fd);
    buf[n > 0 ? n : 0] = '\0';
    const char *b = strstr(buf, "SigBlk:");
    if (!b)
        return 0;
    unsigned long long mask = strtoull(b + 7, NULL, 16);
    return (int)((mask >> (sig - 1)) & 1);
}

/* 1 when sig's disposition ignores it (SIG_IGN, or a default of ignoring):
 * an ignored signal interrupts nothing. */
static int sig_ignored(int sig)
{
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) < 0)
        return 1;
    if (sa.sa_handler == SIG_IGN)
        return 1;
    return sa.sa_handler == SIG_DFL &&
           (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT);
}

int srr__signals_queue(const siginfo_t *info, pthread_t *target)
{
    int sig = info->si_signo;
    if (sig < 1 || sig > 64 || sig_ignored(sig))
        return 0;
    sig_thread *t = atomic_load(&threads);
    for (; t; t = atomic_load(&t->next))
        if (!sig_blocked_by(t->tid, sig))
            break;
    if (!t) {
        /* every thread blocks it: pending on the process, for sigwait */
        siginfo_t si = *info;
        REAL(syscall)(SYS_rt_sigqueueinfo, getpid(), sig, &si);
        return 0;
    }
    t->info[sig - 1] = *info;
    atomic_fetch_or(&t->pending, (uint64_t)1 << (sig - 1));
    *target = t->self;
    return 1;
}

int srr__signals_pending(void)
{
    return me && atomic_load_explicit(&me->pending, memory_order_relaxed) != 0;
}

int srr__signals_deliver(void)
{
    uint64_t bits = me ? atomic_exchange(&me->pending, 0) : 0;
    int restart = bits != 0;
    for (int sig = 1; bits; sig++, bits >>= 1) {
        if (!(bits & 1))
            continue;
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && !(sa.sa_flags & SA_RESTART))
            restart = 0;
        siginfo_t si = me->info[sig - 1];
        /* to this thread, with the kernel's siginfo (allowed for one's own
         * process); the handler runs as the call returns */
        REAL(syscall)(SYS_rt_tgsigqueueinfo, getpid(), me->tid, sig, &si);
    }
    return restart;
}

int srr__signals_restart(long r)
{
    /* a call a signal cut short returns what it did (a partial send): the
     * signal is delivered all the same */
    if (!srr__signals_pending())
        return 0;
    int restart = srr__signals_deliver();
    return r == -EINTR && restart;
}

/* ------------------------------------------------ signals sent to oneself */

/* What every wait for a signal is parked on: a thread that sends one to its
 * own process wakes them, so they look before time may move or the run is
 * judged stuck (dig ends with kill(getpid(), SIGTERM) from a worker to its
 * main thread in sigwait). */
static const char sig_waits;

/* A signal sent (r 0) that may reach this process: its waiters look again. */
static int sig_sent(int r, int sig, int here)
{
    int e = errno;
    srr_world *w = r == 0 && sig != 0 && here ? srr__preload_virtual_world() : NULL;
    if (w)
        srr_world_control(w, SRR_CTL_WAKE, (void *)&sig_waits);
    errno = e;
    return r;
}

int kill(pid_t pid, int sig)
{
    /* 0: the process group, -1: every process, -pgid: a group: may be us */
    return sig_sent(REAL(kill)(pid, sig), sig, pid <= 0 || pid == getpid());
}

int sigqueue(pid_t pid, int sig, const union sigval value)
{
    return sig_sent(REAL(sigqueue)(pid, sig, value), sig, pid <= 0 || pid == getpid());
}

int tgkill(pid_t tgid, pid_t tid, int sig)
{
    return sig_sent(REAL(tgkill)(tgid, tid, sig), sig, tgid == getpid());
}

int raise(int sig)
{
    return sig_sent(REAL(raise)(sig), sig, 1);
}

int pthread_kill(pthread_t thread, int sig)
{
    int r = REAL(pthread_kill)(thread, sig); /* an error number, not -1 */
    sig_sent(r == 0 ? 0 : -1, sig, 1);
    return r;
}

/* ---------------------------------------------------- waiting for signals */

/* pause, sigsuspend, sigwait, sigwaitinfo and sigtimedwait, over a world
 * with a virtual clock: the thread is parked (it waits, so time may move
 * to the next timer), and waits in slices of real time for a signal, from
 * the kernel or queued by a timer here.  The world without parking (the
 * replay's) leaves them to libc.  In a process with children the signal
 * may be a child's SIGCHLD, which comes in real time from outside its
 * world: the wait is on the outside, and time follows real time while it
 * lasts (vtime.h; docs/sim.md). */

/* 1 when the process has a child, running or not reaped yet. */
static int sig_has_children(void)
{
    siginfo_t si;
    int e = errno;
    int r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD;
    errno = e;
    return r;
}

static srr_world *sig_world(srr_park *p, const char *what, int64_t deadline)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w)
        return NULL;
    *p = (srr_park){.deadline = deadline, .on = &sig_waits, .what = what, .woken = 1,
                    .outside = sig_has_children()};
    srr_world_control(w, SRR_CTL_THREAD_ENTER, NULL);
    return srr_world_control(w, SRR_CTL_PARK, p) == 1 ? w : NULL;
}

/* sigsuspend's wait: mask in place until a handler has run.  -1 EINTR. */
int sigsuspend(const sigset_t *mask)
{
    srr_park p;
    srr_world *w = sig_world(&p, "sigsuspend", -1);
    if (!w)
        return REAL(sigsuspend)(mask);
    srr_parked_on parked = {w, &p};
    pthread_cleanup_push(srr__unpark_cancelled, &parked); /* a cancellation point waits */
    for (;;) {
        struct timespec slice = {0, p.slice_ns}; /* the world paces it */
        if (LIBC(ppoll)(NULL, 0, &slice, mask) < 0 && errno == EINTR)
            break; /* a handler ran: a signal from the kernel, or one queued below */
        if (srr__signals_pending()) {
            /* queued while the program's own mask is in place: it runs now,
             * or stays pending until the next slice puts mask in place */
            sigset_t before, after;
            sigpending(&before);
            srr__signals_deliver();
            sigpending(&after);
            if (memcmp(&before, &after, sizeof before) == 0)
                break; /* the handler ran */
        }
        srr_world_control(w, SRR_CTL_PARK_DUE, &p);
    }
    pthread_cleanup_pop(0);
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    errno = EINTR;
    return -1;
}

int pause(void)
{
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    return sigsuspend(&cur);
}

/* sigtimedwait's wait: a signal of set (blocked, as POSIX asks), or the
 * virtual deadline: the signal number, or -1 EAGAIN / EINTR. */
static int sig_wait_for(const sigset_t *set, siginfo_t *info, int64_t timeout_ns)
{
    srr_world *w = srr__preload_world_if_ready();
    int64_t deadline = -1;
    if (w && timeout_ns >= 0)
        deadline = srr__world_now(w, CLOCK_MONOTONIC) + timeout_ns;
    srr_park p;
    w = sig_world(&p, "sigtimedwait", deadline);
    if (!w)
        return -2; /* libc's */
    int r;
    srr_parked_on parked = {w, &p};
    pthread_cleanup_push(srr__unpark_cancelled, &parked); /* a cancellation point waits */
    for (;;) {
        struct timespec slice = {0, p.slice_ns}; /* the world paces it */
        r = REAL(sigtimedwait)(set, info, &slice);
        if (r > 0 || (r < 0 && errno != EAGAIN))
            break;
        if (srr__signals_pending())
            srr__signals_deliver(); /* blocked: pending, for the next slice */
        if (srr_world_control(w, SRR_CTL_PARK_DUE, &p) == 1) {
            errno = EAGAIN;
            r = -1;
            break;
        }
    }
    pthread_cleanup_pop(0);
    int e = errno;
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    errno = e;
    return r;
}

int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
    if (timeout && (timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000)) {
        errno = EINVAL;
        return -1;
    }
    int r =
        sig_wait_for(set, info, timeout ? srr__ts_ns(timeout) : -1);
    return r == -2 ? REAL(sigtimedwait)(set, info, timeout) : r;
}

int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
    int r = sig_wait_for(set, info, -1);
    return r == -2 ? REAL(sigwaitinfo)(set, info) : r;
}

int sigwait(const sigset_t *set, int *sig)
{
    int r = sig_wait_for(set, NULL, -1);
    if (r == -2)
        return REAL(sigwait)(set, sig);
    if (r < 0)
        return errno;
    *sig = r;
    return 0;
}
