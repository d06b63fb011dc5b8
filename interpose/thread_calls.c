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
    int64_t t = srr__ts_ns(abs);
    if (t >= SRR_NS_FOREVER)
        return -1; /* "forever": no deadline */
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

/* ------------------------------------------------------- parked waits */

void srr__unpark_cancelled(void *arg)
{
    srr_parked_on *on = arg;
    srr_world_control(on->w, SRR_CTL_UNPARK, on->p);
}

/* How a parked wait ended. */
enum { WAIT_DONE, WAIT_DUE, WAIT_WOKEN, WAIT_SIGNAL };
/* What ends it besides its own wait and its deadline: a wake since its
 * last look (a condition variable's or a futex's waiter returns, as a
 * spurious wakeup, since the signal may have come between two slices), a
 * timer's signal (a semaphore's or a futex's, unless the handlers asked
 * for a restart; a join and a condition wait go on after a handler). */
enum { END_ON_WAKE = 1, END_ON_SIGNAL = 2 };

/* A parked thread's wait: once(arg, until) waits in the real call until
 * the absolute CLOCK_MONOTONIC time until, 1 when it ended the wait;
 * between slices the world moves time and says whether the deadline came. */
static int parked_wait(srr_world *w, srr_park *p, int (*once)(void *arg, const struct timespec *until),
                       void *arg, int ends)
{
    int how = -1;
    /* the real waits are cancellation points: a cancelled thread leaves
     * the park, which lives on its stack */
    srr_parked_on parked = {w, p};
    pthread_cleanup_push(srr__unpark_cancelled, &parked);
    while (how < 0) {
        struct timespec until = real_slice(CLOCK_MONOTONIC, p);
        if (once(arg, &until)) {
            how = WAIT_DONE;
            break;
        }
        if (srr__signals_pending() && !srr__signals_deliver() && (ends & END_ON_SIGNAL)) {
            how = WAIT_SIGNAL;
            break;
        }
        int due = srr_world_control(w, SRR_CTL_PARK_DUE, p);
        if (due == 1)
            how = WAIT_DUE;
        else if (due == 2 && (ends & END_ON_WAKE))
            how = WAIT_WOKEN;
    }
    pthread_cleanup_pop(0);
    return how;
}

/* ---------------------------------------------------------- condition */

struct cond_slice {
    pthread_cond_t *c;
    pthread_mutex_t *m;
    int r;
};

/* A slice on a clock named here whatever the condition's own: a thread
 * counted as woken by a signal meant for another waits on after it. */
static int cond_once(void *arg, const struct timespec *until)
{
    struct cond_slice *cs = arg;
    cs->r = REAL(pthread_cond_clockwait)(cs->c, cs->m, CLOCK_MONOTONIC, until);
    return cs->r != ETIMEDOUT;
}

static int cond_wait_virtual(srr_world *w, pthread_cond_t *c, pthread_mutex_t *m,
                             clockid_t clock, const struct timespec *abs)
{
    srr_park p;
    int64_t deadline = abs ? virtual_deadline(w, clock, abs) : -1;
    if (!park(w, &p, abs ? "pthread_cond_timedwait" : "pthread_cond_wait", c, deadline, 1))
        return abs ? REAL(pthread_cond_clockwait)(c, m, clock, abs) : REAL(pthread_cond_wait)(c, m);
    struct cond_slice cs = {c, m, 0};
    int how = parked_wait(w, &p, cond_once, &cs, END_ON_WAKE);
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    return how == WAIT_DONE ? cs.r : how == WAIT_DUE ? ETIMEDOUT : 0;
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

/* Threads parked on obj under virtual time wake: they look again. */
static void wake_parked(void *obj)
{
    srr_world *w = srr__preload_virtual_world();
    if (w)
        srr_world_control(w, SRR_CTL_WAKE, obj);
}

int pthread_cond_signal(pthread_cond_t *c)
{
    wake_parked(c);
    return REAL(pthread_cond_signal)(c);
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    wake_parked(c);
    return REAL(pthread_cond_broadcast)(c);
}

/* ---------------------------------------------------------- semaphore */

struct sem_slice {
    sem_t *sem;
    int r, e;
};

static int sem_once(void *arg, const struct timespec *until)
{
    struct sem_slice *ss = arg;
    ss->r = REAL(sem_clockwait)(ss->sem, CLOCK_MONOTONIC, until);
    ss->e = errno;
    return ss->r == 0 || ss->e != ETIMEDOUT;
}

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
    struct sem_slice ss = {sem, 0, 0};
    int how = parked_wait(w, &p, sem_once, &ss, END_ON_SIGNAL);
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    if (how == WAIT_DONE) {
        errno = ss.e;
        return ss.r;
    }
    errno = how == WAIT_DUE ? ETIMEDOUT : EINTR;
    return -1;
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
    wake_parked(sem);
    return REAL(sem_post)(sem);
}

/* --------------------------------------------------------------- futex */

struct futex_slice {
    uint32_t *word;
    int op;
    uint32_t val;
    long r;
    int e;
};

/* Any wake ends a slice (a bitset's included: this one takes them all):
 * spurious wakeups are a futex's right.  The slice's end is absolute. */
static int futex_once(void *arg, const struct timespec *until)
{
    struct futex_slice *fs = arg;
    fs->r = REAL(syscall)(SYS_futex, fs->word, fs->op, fs->val, until, NULL,
                          FUTEX_BITSET_MATCH_ANY);
    fs->e = errno;
    return fs->r == 0 || fs->e != ETIMEDOUT;
}

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
    if (ts && (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000 || (cmd == FUTEX_WAIT && ts->tv_sec < 0)))
        return 0; /* the kernel's EINVAL */
    if (ts && cmd == FUTEX_WAIT) /* relative, on CLOCK_MONOTONIC */
        deadline = srr__world_now(w, CLOCK_MONOTONIC) + srr__ts_ns(ts);
    else if (ts)
        deadline = virtual_deadline(w, (op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME
                                                                    : CLOCK_MONOTONIC, ts);
    srr_park p;
    /* the kernel compares the word when each slice begins: busy until the
     * first slice has (a wake that came before the park changed the word,
     * and that slice returns at once) */
    if (!park(w, &p, "futex", word, deadline, 0))
        return 0;
    struct futex_slice fs = {word, (op & FUTEX_PRIVATE_FLAG) | FUTEX_WAIT_BITSET, (uint32_t)a[2],
                             0, 0};
    int how = parked_wait(w, &p, futex_once, &fs, END_ON_WAKE | END_ON_SIGNAL);
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    *ret = how == WAIT_DONE || how == WAIT_WOKEN ? (how == WAIT_DONE ? fs.r : 0) : -1;
    errno = how == WAIT_DONE ? fs.e : how == WAIT_DUE ? ETIMEDOUT : how == WAIT_SIGNAL ? EINTR : 0;
    return 1;
}

/* --------------------------------------------------------------- join */

struct join_slice {
    pthread_t th;
    void **ret;
    int r;
};

/* A slice ends at until on CLOCK_MONOTONIC; the join waits with
 * pthread_timedjoin_np on CLOCK_REALTIME, which ThreadSanitizer sees as a
 * join (it does not intercept pthread_clockjoin_np, and calls the thread
 * leaked).  A slice is a millisecond or so: a jump of the wall clock within
 * it is harmless. */
static int join_once(void *arg, const struct timespec *until)
{
    struct join_slice *js = arg;
    struct timespec mono, real;
    srr__libc.clock_gettime(CLOCK_MONOTONIC, &mono);
    srr__libc.clock_gettime(CLOCK_REALTIME, &real);
    int64_t left = srr__ts_ns(until) - srr__ts_ns(&mono);
    int64_t at = srr__ts_ns(&real) + (left > 0 ? left : 0);
    struct timespec deadline = srr__ns_ts(at);
    js->r = REAL(pthread_timedjoin_np)(js->th, js->ret, &deadline);
    return js->r != ETIMEDOUT;
}

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
    struct join_slice js = {th, ret, 0};
    parked_wait(w, &p, join_once, &js, 0); /* no deadline: it ends when the thread does */
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    return js.r;
}
