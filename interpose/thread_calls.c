/*
 * thread_calls.c — threads, over a world with a virtual clock:
 * pthread_create, and the waits a thread makes on other threads
 * (pthread_cond_wait / timedwait / clockwait, sem_wait / timedwait /
 * clockwait, pthread_join).  Over the kernel each is libc's.
 *
 * Virtual time moves when every thread of the program waits.  A thread
 * waiting on a condition variable or a semaphore waits for another thread,
 * so it is parked (SRR_CTL_PARK) for the length of the wait: an idle worker
 * of a thread pool does not hold time still.  A timed wait's deadline was
 * read from the virtual clock (the program's clock_gettime is the world's),
 * so it is the world's deadline: the wait goes on in slices of real time,
 * and ends with ETIMEDOUT when virtual time reaches it.  A world that does
 * not park threads (the replay's) answers -ENOTTY, and the wait is libc's.
 *
 * A thread being created is announced (SRR_CTL_THREAD_EXPECT), so virtual
 * time does not jump past what it was about to do, and it is a participant
 * from its start: under the interposer every thread counts, and the waits
 * above are what let time move.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>

#include "preload.h"

struct thread_start {
    void *(*fn)(void *);
    void *arg;
    srr_world *w;
};

/* The new thread is a participant from its first instruction: a thread
 * that computes holds time still, one that waits on another thread is
 * parked (below).  Its entering spends the announcement. */
static void *thread_trampoline(void *p)
{
    struct thread_start t = *(struct thread_start *)p;
    free(p);
    srr_world_control(t.w, SRR_CTL_THREAD_ENTER, NULL);
    srr__signals_thread_start();
    return t.fn(t.arg);
}

int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    srr_world *w = srr__preload_virtual_world();
    struct thread_start *t = NULL;
    if (w && srr_world_control(w, SRR_CTL_THREAD_EXPECT, NULL) == 0 && !(t = malloc(sizeof *t)))
        srr_world_control(w, SRR_CTL_THREAD_CANCEL, NULL);
    if (!t)
        return REAL(pthread_create)(th, attr, fn, arg);
    *t = (struct thread_start){fn, arg, w};
    int r = REAL(pthread_create)(th, attr, thread_trampoline, t);
    if (r != 0) {
        free(t);
        srr_world_control(w, SRR_CTL_THREAD_CANCEL, NULL); /* nobody is coming */
    }
    return r;
}

/* Parks the calling thread on `on` until deadline (virtual ns, -1 none):
 * 1 parked, else the wait is libc's.  looked: the caller has just seen
 * that what it waits for is not there, so it is settled at once (else it
 * counts as busy until its first slice).  The thread counts from here on,
 * as it would from its first call. */
static int park(srr_world *w, srr_park *p, const char *what, const void *on, int64_t deadline,
                int looked)
{
    *p = (srr_park){.deadline = deadline, .on = on, .what = what, .woken = !looked};
    srr_world_control(w, SRR_CTL_THREAD_ENTER, NULL);
    return srr_world_control(w, SRR_CTL_PARK, p) == 1;
}

/* A virtual absolute time on clock as virtual CLOCK_MONOTONIC ns. */
static int64_t virtual_deadline(srr_world *w, clockid_t clock, const struct timespec *abs)
{
    int64_t t = abs->tv_sec * 1000000000LL + abs->tv_nsec;
    if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
        t -= srr__world_now(w, CLOCK_REALTIME) - srr__world_now(w, CLOCK_MONOTONIC);
    return t;
}

/* Now + the park's slice (the world paces it) on the real clock, as an
 * absolute time on it. */
static struct timespec real_slice(clockid_t clock, const srr_park *p)
{
    struct timespec ts;
    LIBC(clock_gettime)(clock, &ts);
    ts.tv_nsec += p->slice_ns;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    return ts;
}

/* The clock a condition variable was made with, for its timed waits'
 * deadlines: glibc keeps it in bit 1 of __wrefs (its
 * __PTHREAD_COND_CLOCK_MONOTONIC_MASK; bit 0 says process-shared). */
static clockid_t cond_clock(const pthread_cond_t *c)
{
    return (c->__data.__wrefs & 2) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
}

/* ---------------------------------------------------------- condition */

static int cond_wait_virtual(srr_world *w, pthread_cond_t *c, pthread_mutex_t *m,
                             clockid_t clock, const struct timespec *abs)
{
    srr_park p;
    int64_t deadline = abs ? virtual_deadline(w, clock, abs) : -1;
    if (!park(w, &p, abs ? "pthread_cond_timedwait" : "pthread_cond_wait", c, deadline, 1))
        return abs ? REAL(pthread_cond_clockwait)(c, m, clock, abs) : REAL(pthread_cond_wait)(c, m);
    int r;
    for (;;) {
        /* a slice of real time, on a clock named here whatever the
         * condition's own: a thread counted as woken by a signal meant for
         * another waits on after it */
        struct timespec slice = real_slice(CLOCK_MONOTONIC, &p);
        r = REAL(pthread_cond_clockwait)(c, m, CLOCK_MONOTONIC, &slice);
        if (r != ETIMEDOUT)
            break;
        if (srr__signals_pending())
            srr__signals_deliver(); /* a condition wait goes on after a handler */
        int due = srr_world_control(w, SRR_CTL_PARK_DUE, &p);
        if (due == 1)
            break; /* ETIMEDOUT: the virtual deadline came */
        if (due == 2) {
            /* woken: the signal may have come between two slices, when no
             * thread waited on c, and been lost; the caller looks again at
             * what it waits for (a spurious wakeup, which POSIX allows) */
            r = 0;
            break;
        }
    }
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    return r;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w)
        return REAL(pthread_cond_wait)(c, m);
    return cond_wait_virtual(w, c, m, CLOCK_MONOTONIC, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w)
        return REAL(pthread_cond_timedwait)(c, m, abs);
    return cond_wait_virtual(w, c, m, cond_clock(c), abs);
}

int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
                           const struct timespec *abs)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w || (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME))
        return REAL(pthread_cond_clockwait)(c, m, clock, abs);
    return cond_wait_virtual(w, c, m, clock, abs);
}

int pthread_cond_signal(pthread_cond_t *c)
{
    srr_world *w = srr__preload_virtual_world();
    if (w)
        srr_world_control(w, SRR_CTL_WAKE, c);
    return REAL(pthread_cond_signal)(c);
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    srr_world *w = srr__preload_virtual_world();
    if (w)
        srr_world_control(w, SRR_CTL_WAKE, c);
    return REAL(pthread_cond_broadcast)(c);
}

/* ---------------------------------------------------------- semaphore */

static int sem_wait_virtual(srr_world *w, sem_t *sem, clockid_t clock,
                            const struct timespec *abs)
{
    srr_park p;
    int64_t deadline = abs ? virtual_deadline(w, clock, abs) : -1;
    if (!park(w, &p, abs ? "sem_timedwait" : "sem_wait", sem, deadline, 0))
        return abs ? REAL(sem_clockwait)(sem, clock, abs) : REAL(sem_wait)(sem);
    /* parked first, then a look: a post in between wakes it, and it looks
     * again before it counts as waiting */
    int r = REAL(sem_trywait)(sem);
    if (r == 0) {
        srr_world_control(w, SRR_CTL_UNPARK, &p);
        return 0;
    }
    srr_world_control(w, SRR_CTL_PARK_DUE, &p);
    for (;;) {
        struct timespec slice = real_slice(CLOCK_MONOTONIC, &p);
        r = REAL(sem_clockwait)(sem, CLOCK_MONOTONIC, &slice);
        if (r == 0 || errno != ETIMEDOUT)
            break;
        /* a handler ends a semaphore wait, unless it asked for a restart */
        if (srr__signals_pending() && !srr__signals_deliver()) {
            errno = EINTR;
            break;
        }
        if ((srr_world_control(w, SRR_CTL_PARK_DUE, &p) == 1))
            break; /* -1 with ETIMEDOUT: the virtual deadline came */
    }
    int e = errno;
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    errno = e;
    return r;
}

int sem_wait(sem_t *sem)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w)
        return REAL(sem_wait)(sem);
    return sem_wait_virtual(w, sem, CLOCK_MONOTONIC, NULL);
}

int sem_timedwait(sem_t *sem, const struct timespec *abs)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w)
        return REAL(sem_timedwait)(sem, abs);
    return sem_wait_virtual(w, sem, CLOCK_REALTIME, abs);
}

int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abs)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w || (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME))
        return REAL(sem_clockwait)(sem, clock, abs);
    return sem_wait_virtual(w, sem, clock, abs);
}

int sem_post(sem_t *sem)
{
    srr_world *w = srr__preload_virtual_world();
    if (w)
        srr_world_control(w, SRR_CTL_WAKE, sem);
    return REAL(sem_post)(sem);
}

/* --------------------------------------------------------------- futex */

int srr__futex_call(const long a[6], long *ret)
{
    srr_world *w = srr__preload_virtual_world();
    uint32_t *word = (uint32_t *)a[0];
    int op = (int)a[1], cmd = op & FUTEX_CMD_MASK;
    if (!w)
        return 0;
    if (cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET || cmd == FUTEX_REQUEUE ||
        cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_WAKE_OP) {
        srr_world_control(w, SRR_CTL_WAKE, word);
        return 0;
    }
    if (cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
        return 0;
    const struct timespec *ts = (const struct timespec *)a[3];
    int64_t deadline = -1;
    if (ts && cmd == FUTEX_WAIT) /* relative, on CLOCK_MONOTONIC */
        deadline = srr__world_now(w, CLOCK_MONOTONIC) + ts->tv_sec * 1000000000LL + ts->tv_nsec;
    else if (ts)
        deadline = virtual_deadline(w, (op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME
                                                                    : CLOCK_MONOTONIC, ts);
    srr_park p;
    /* the kernel compares the word when each slice begins: a wake that came
     * before the park changed it, and the first slice returns at once */
    if (!park(w, &p, "futex", word, deadline, 1))
        return 0;
    long r;
    int e = 0;
    for (;;) {
        /* any wake ends a slice (a bitset's included): spurious wakeups
         * are a futex's right */
        struct timespec slice = {0, p.slice_ns};
        r = REAL(syscall)(SYS_futex, word, (op & FUTEX_PRIVATE_FLAG) | FUTEX_WAIT, (uint32_t)a[2],
                          &slice, NULL, 0);
        e = errno;
        if (r == 0 || e != ETIMEDOUT)
            break;
        if (srr__signals_pending()) {
            srr__signals_deliver();
            r = -1, e = EINTR;
            break;
        }
        int due = srr_world_control(w, SRR_CTL_PARK_DUE, &p);
        if (due == 1) {
            r = -1, e = ETIMEDOUT;
            break;
        }
        if (due == 2) {
            r = 0; /* woken: the wake may have come between two slices */
            break;
        }
    }
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    errno = e;
    *ret = r;
    return 1;
}

/* --------------------------------------------------------------- join */

/* The joined thread's exit is the wake: joins look in slices too. */
int pthread_join(pthread_t th, void **ret)
{
    srr_world *w = srr__preload_virtual_world();
    srr_park p;
    if (!w || !park(w, &p, "pthread_join", (const void *)(uintptr_t)th, -1, 0))
        return REAL(pthread_join)(th, ret);
    /* parked first, then a look: an exit in between wakes it */
    int r = REAL(pthread_tryjoin_np)(th, ret);
    if (r == 0) {
        srr_world_control(w, SRR_CTL_UNPARK, &p);
        return 0;
    }
    srr_world_control(w, SRR_CTL_PARK_DUE, &p);
    for (;;) {
        struct timespec slice = real_slice(CLOCK_MONOTONIC, &p);
        r = REAL(pthread_clockjoin_np)(th, ret, CLOCK_MONOTONIC, &slice);
        if (r != ETIMEDOUT)
            break;
        if (srr__signals_pending())
            srr__signals_deliver(); /* a join goes on after a handler */
        srr_world_control(w, SRR_CTL_PARK_DUE, &p);
    }
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    return r;
}
