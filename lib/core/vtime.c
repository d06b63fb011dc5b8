/*
 * vtime.c — virtual time for the worlds that keep it (vtime.h): the
 * participants, the waiters and the parked, the timers, and the one rule
 * that moves time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>

#include "busy.h"
#include "libc.h"
#include "vclock.h"
#include "vtime.h"

/* The lock, and this thread marked as inside sockrr (busy.h) while it
 * holds it: what the clock's work calls back into (a world's arrivals, a
 * timer's fire, a sanitizer's malloc reading the clock, a signal handler)
 * goes to libc instead of taking the lock again. */
static void vt_lock(srr_vtime *vt)
{
    pthread_mutex_lock(&vt->lock);
    srr__busy++;
}

static void vt_unlock(srr_vtime *vt)
{
    srr__busy--;
    pthread_mutex_unlock(&vt->lock);
}

/* ---------------------------------------------------------- participants */

/* A thread whose exit ran: what it calls later on its way out (a
 * sanitizer's thread-exit hook reads the clock) does not count it again,
 * nor spend the announcement of a thread being started. */
static __thread int vt_left;

/* Thread exit: the thread no longer counts, and the others may now all be
 * waiting, so time may move. */
static void vt_participant_exit(void *p)
{
    srr_vtime *vt = p;
    vt_lock(vt);
    vt_left = 1;
    vt->participants--;
    /* a parked thread may be joining it: every one looks again; one that
     * joins this very thread, now or later, is busy until it has, since
     * the thread is joinable only once the kernel is done with it */
    uintptr_t self = (uintptr_t)pthread_self();
    vt->gone[vt->ngone++ % VT_GONE] = self;
    for (srr_park *k = vt->parked; k; k = k->next) {
        k->woken = 1, k->wakes++;
        if (k->on == (const void *)self)
            k->held = 1;
    }
    srr__vt_changed(vt);
    vt_unlock(vt);
}

int srr__vt_init(srr_vtime *vt, const char *world, int64_t (*due)(srr_vtime *),
                 void (*arrived)(srr_vtime *))
{
    *vt = (srr_vtime){.due = due, .arrived = arrived, .world = world};
    if (pthread_key_create(&vt->participant, vt_participant_exit) != 0)
        return -ENOMEM;
    pthread_mutex_init(&vt->lock, NULL);
    pthread_cond_init(&vt->changed, NULL);
    return 0;
}

void srr__vt_destroy(srr_vtime *vt)
{
    /* no destructor may run on a freed clock once the key is gone */
    pthread_key_delete(vt->participant);
    pthread_cond_destroy(&vt->changed);
    pthread_mutex_destroy(&vt->lock);
}

/* The calling thread counts from now on (lock held). */
static void vt_count_me(srr_vtime *vt)
{
    if (vt_left || pthread_getspecific(vt->participant))
        return;
    pthread_setspecific(vt->participant, vt);
    vt->participants++;
    /* a new thread under a pthread_t that left before: not gone any more,
     * and a join of it (begun before it ran) waits for it again */
    uintptr_t self = (uintptr_t)pthread_self();
    for (unsigned i = 0; i < VT_GONE; i++)
        if (vt->gone[i] == self)
            vt->gone[i] = 0;
    for (srr_park *k = vt->parked; k; k = k->next)
        if (k->on == (const void *)self)
            k->held = 0;
    if (vt->expected > 0)
        vt->expected--; /* an announced thread arrived */
}

void srr__vt_enter(srr_vtime *vt)
{
    vt_lock(vt);
    vt_count_me(vt);
}

void srr__vt_leave(srr_vtime *vt)
{
    vt_unlock(vt);
}

void srr__vt_changed(srr_vtime *vt)
{
    vt->generation++;
    srr__libc.pthread_cond_broadcast(&vt->changed);
}

/* ------------------------------------------------------- waiting and time */

/* The earliest virtual time anything is due: a waiter's deadline, a parked
 * thread's, a timer's, the world's own (*world: its own, or -1).  -1 when
 * nothing is. */
static int64_t vt_next_due(srr_vtime *vt, int64_t *world)
{
    int64_t next = *world = vt->due ? vt->due(vt) : -1;
#define VT_DUE(t) do { if ((t) >= 0 && (next < 0 || (t) < next)) next = (t); } while (0)
    for (srr_vwaiter *w = vt->waiters; w; w = w->next)
        VT_DUE(w->deadline);
    for (srr_park *p = vt->parked; p; p = p->next)
        VT_DUE(p->deadline);
    for (srr_vtimer *t = vt->timers; t; t = t->next)
        VT_DUE(t->deadline);
#undef VT_DUE
    return next;
}

static void vt_report(srr_vtime *vt, int idle)
{
    char *b = vt->report;
    size_t o = 0, cap = sizeof vt->report;
    if (idle)
        o += (size_t)snprintf(b + o, cap - o,
                              "idle at virtual time %lld ns: for %lld s the program did nothing "
                              "in the %s and only its own timers came due (%u times): nothing "
                              "else will ever happen (a server no one connects to?)",
                              (long long)vt->now, (long long)((vt->now - vt->idle_from) / 1000000000),
                              vt->world, vt->idle_wakes);
    else
        o += (size_t)snprintf(
            b + o, cap - o,
            "deadlock at virtual time %lld ns: every participant waits, nothing is due",
            (long long)vt->now);
    for (srr_vwaiter *w = vt->waiters; w && o < cap; w = w->next)
        o += (size_t)snprintf(b + o, cap - o, "; thread %#lx waits in %s on handle %d",
                              (unsigned long)w->thread, w->what, w->handle);
    for (srr_park *p = vt->parked; p && o < cap; p = p->next)
        o += (size_t)snprintf(b + o, cap - o, "; a thread waits in %s, outside the %s",
                              p->what ? p->what : "a wait on another thread", vt->world);
}

/* Every participant waits, and every waiter has seen the latest change: a
 * waiter woken by a change but not yet running still counts as busy. */
static int vt_all_settled(srr_vtime *vt)
{
    int n = 0;
    for (srr_vwaiter *w = vt->waiters; w; w = w->next) {
        if (w->gen != vt->generation)
            return 0;
        n++;
    }
    /* a parked thread is settled until its deadline comes, then busy until
     * it wakes and goes on */
    for (srr_park *p = vt->parked; p; p = p->next)
        if (!p->woken && !p->held && (p->deadline < 0 || p->deadline > vt->now))
            n++;
    /* an announced thread that has not made its first call yet is busy */
    return n == vt->participants && vt->expected == 0;
}

/* Timers whose deadline came fire; what they interrupt fails with EINTR,
 * and every parked thread looks again (a timer may have made one of its
 * descriptors ready, or queued it a signal). */
static void vt_fire_timers(srr_vtime *vt)
{
    int fired = 0;
    for (srr_vtimer **pt = &vt->timers; *pt;) {
        srr_vtimer *t = *pt;
        if (t->deadline > vt->now) {
            pt = &t->next;
            continue;
        }
        uint64_t n = 1;
        if (t->interval > 0) {
            n += (uint64_t)((vt->now - t->deadline) / t->interval);
            t->deadline += (int64_t)n * t->interval;
            pt = &t->next;
        } else {
            *pt = t->next; /* once: unlinked before it fires, so fire may re-arm */
            t->armed = 0;
        }
        fired = 1;
        if (t->fire(t, n) == 1)
            for (srr_vwaiter *w = vt->waiters; w; w = w->next)
                if (pthread_equal(w->thread, t->target))
                    w->interrupted = 1;
    }
    for (srr_park *p = vt->parked; fired && p; p = p->next)
        p->woken = 1, p->wakes++;
}

/* Nothing can ever happen (idle 0), or only the program's own timers
 * would (idle 1), or the world ended the run with its own report (idle
 * -1): every waiter fails with -EDEADLK. */
static int vt_stuck(srr_vtime *vt, int idle)
{
    if (idle >= 0)
        vt_report(vt, idle);
    vt->deadlocks++;
    if (vt->on_stuck.fn)
        vt->on_stuck.fn(vt->report, vt->on_stuck.arg);
    srr__libc.pthread_cond_broadcast(&vt->changed);
    return -EDEADLK;
}

/* The clock moves to next: 1 when that is the idle run's end (vtime.h). */
static int vt_idle(srr_vtime *vt, int64_t next, int64_t world)
{
    if (vt->acts != vt->acts_seen || (world >= 0 && world <= next)) {
        vt->acts_seen = vt->acts;
        vt->idle_from = vt->now;
        vt->idle_wakes = 0;
        return 0;
    }
    if (next <= vt->now)
        return 0; /* due already: the clock does not move */
    vt->idle_wakes++;
    return vt->idle_limit > 0 && vt->idle_wakes >= VT_IDLE_WAKES &&
           next - vt->idle_from >= vt->idle_limit;
}

/* The latest virtual time real time allows while a thread waits on the
 * outside, or -1 when none does. */
static int64_t vt_outside_limit(srr_vtime *vt)
{
    int outside = 0;
    for (srr_park *p = vt->parked; p && !outside; p = p->next)
        outside = p->outside;
    if (!outside) {
        vt->anchor_real = 0;
        return -1;
    }
    struct timespec ts;
    srr__libc.clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t real = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    if (!vt->anchor_real || vt->now > vt->anchor_virtual + (real - vt->anchor_real)) {
        vt->anchor_virtual = vt->now; /* first, or the clock went ahead meanwhile */
        vt->anchor_real = real;
    }
    return vt->anchor_virtual + (real - vt->anchor_real);
}

/* When nobody can act before something is due, jump there: 1 moved (or
 * things came due), 0 someone is busy, -EDEADLK nothing can ever happen. */
static int vt_try_advance(srr_vtime *vt)
{
    if (!vt_all_settled(vt))
        return 0;
    int64_t world;
    int64_t next = vt_next_due(vt, &world);
    int acted = vt->settled ? vt->settled(vt, next, world) : 0;
    if (acted > 0) {
        vt->acts++;
        srr__vt_changed(vt);
        return 1;
    }
    if (acted < 0)
        return vt_stuck(vt, -1); /* the world said why */
    int64_t limit = vt_outside_limit(vt);
    if (limit >= 0 && (next < 0 || next > limit)) {
        /* the outside may still act: time goes as far as real time has */
        if (limit > vt->now)
            vt->now = limit;
        vt->acts++;
        return 0;
    }
    if (next < 0)
        return vt_stuck(vt, 0);
    if (vt_idle(vt, next, world))
        return vt_stuck(vt, 1);
    if (next > vt->now)
        vt->now = next;
    vt_fire_timers(vt);
    if (vt->arrived)
        vt->arrived(vt);
    srr__vt_changed(vt);
    return 1;
}

int srr__vt_wait(srr_vtime *vt, const char *what, int handle, int64_t deadline)
{
    if (deadline >= 0 && vt->now >= deadline)
        return -ETIMEDOUT;
    srr_vwaiter me = {.thread = pthread_self(), .what = what, .handle = handle,
                      .deadline = deadline, .gen = vt->generation, .deadlocks = vt->deadlocks};
    me.next = vt->waiters;
    vt->waiters = &me;
    uint64_t gen = vt->generation;
    int r;
    for (;;) {
        if (me.interrupted) { /* a signal for this thread, as a blocked call gets one */
            r = -EINTR;
            break;
        }
        if (vt->deadlocks != me.deadlocks) { /* found while this call waited */
            r = -EDEADLK;
            break;
        }
        if (vt->generation != gen) {
            r = 0;
            break;
        }
        if (deadline >= 0 && vt->now >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        /* Nobody can act before something is due: jump there. */
        int moved = vt_try_advance(vt);
        if (moved < 0) {
            r = moved;
            break;
        }
        if (moved)
            continue;
        /* pthread_cond_wait is a cancellation point: a thread cancelled here
         * would take the lock and its waiter record with it */
        int cancel;
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
        if (vt->anchor_real) {
            /* a thread waits on the outside: time follows real time, so
             * look again a moment later (not the interposer's waits) */
            struct timespec ts;
            srr__libc.clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += VT_OUTSIDE_SLICE_NS;
            if (ts.tv_nsec >= 1000000000)
                ts.tv_sec++, ts.tv_nsec -= 1000000000;
            srr__libc.pthread_cond_clockwait(&vt->changed, &vt->lock, CLOCK_MONOTONIC, &ts);
        } else {
            srr__libc.pthread_cond_wait(&vt->changed, &vt->lock);
        }
        pthread_setcancelstate(cancel, NULL);
    }
    for (srr_vwaiter **p = &vt->waiters; *p; p = &(*p)->next)
        if (*p == &me) {
            *p = me.next;
            break;
        }
    return r;
}

int srr__vt_delay(srr_vtime *vt, const char *what, int64_t ns)
{
    int64_t until = vt->now + (ns > 0 ? ns : 0);
    while (vt->now < until) {
        int r = srr__vt_wait(vt, what, -1, until);
        if (r == -EDEADLK || r == -EINTR)
            return r;
    }
    return 0;
}

/* --------------------------------------------------------------- control */

static void vt_expect(srr_vtime *vt, int delta)
{
    if (delta > 0) {
        /* the announcer enters first, so its own first call cannot take the token */
        srr__vt_enter(vt);
        vt->expected++;
        srr__vt_leave(vt);
        return;
    }
    vt_lock(vt);
    if (vt->expected > 0)
        vt->expected--;
    srr__vt_changed(vt); /* waiters re-check whether time may move */
    vt_unlock(vt);
}

static int vt_park(srr_vtime *vt, srr_park *p)
{
    vt_lock(vt);
    int r = 0;
    if (pthread_getspecific(vt->participant)) {
        /* the clock the caller read its deadline from is the virtual one;
         * p->woken says whether it is busy until its first look (what it
         * waits for may have come already) or settled at once */
        p->wakes = p->seen = 0;
        p->slice_ns = VT_SLICE_MIN_NS;
        p->seen_now = vt->now;
        for (unsigned i = 0; i < VT_GONE && p->on; i++)
            if (vt->gone[i] && (const void *)vt->gone[i] == p->on)
                p->held = 1; /* a join of a thread that has left */
        p->next = vt->parked;
        vt->parked = p;
        srr__vt_changed(vt); /* a waiter may now find everyone settled */
        if (!p->woken)
            vt_try_advance(vt); /* settled, and maybe the last to */
        r = 1;
    }
    vt_unlock(vt);
    return r;
}

/* The next slice: the shortest when the clock moved since the last look. */
static void vt_pace(srr_vtime *vt, srr_park *p)
{
    if (vt->anchor_real) /* the clock follows real time: it always moves */
        p->slice_ns = VT_SLICE_MAX_NS;
    else if (vt->now != p->seen_now)
        p->slice_ns = VT_SLICE_MIN_NS;
    else if ((p->slice_ns *= 2) > VT_SLICE_MAX_NS || p->slice_ns <= 0)
        p->slice_ns = VT_SLICE_MAX_NS;
    p->seen_now = vt->now;
}

static int vt_park_due(srr_vtime *vt, srr_park *p)
{
    vt_lock(vt);
    if (p->wakes != p->seen) {
        /* woken since it last settled: its look may have come before the
         * wake, so it looks once more before it counts as waiting */
        p->seen = p->wakes;
        p->woken = 1;
        p->slice_ns = VT_SLICE_MIN_NS;
        p->seen_now = vt->now;
        vt_unlock(vt);
        return 2;
    }
    p->woken = 0; /* it looked, and waits on */
    /* Its settling may be the one every other waiter waits for: whoever
     * settles last moves time, or nobody would (a join on a thread that
     * sleeps, a pool that waits for a worker's timeout).  With nothing
     * due, that is the deadlock the waiters hear of. */
    if (p->deadline < 0 || vt->now < p->deadline)
        vt_try_advance(vt);
    vt_pace(vt, p);
    int due = p->deadline >= 0 && vt->now >= p->deadline;
    vt_unlock(vt);
    return due;
}

static void vt_wake(srr_vtime *vt, const void *on)
{
    vt_lock(vt);
    /* every thread parked on it may be the one woken: busy until it looks */
    for (srr_park *p = vt->parked; p; p = p->next)
        if (p->on == on)
            p->woken = 1, p->wakes++;
    vt_unlock(vt);
}

static void vt_unpark(srr_vtime *vt, srr_park *p)
{
    vt_lock(vt);
    for (srr_park **q = &vt->parked; *q; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            break;
        }
    if (p->outside)
        vt_outside_limit(vt); /* the last such wait ended: the clock is its own again */
    srr__vt_changed(vt);
    vt_unlock(vt);
}

static void vt_timer(srr_vtime *vt, srr_vtimer *t, int arm)
{
    vt_lock(vt);
    for (srr_vtimer **pt = &vt->timers; *pt; pt = &(*pt)->next)
        if (*pt == t) {
            *pt = t->next;
            break;
        }
    t->armed = 0;
    if (arm) {
        t->next = vt->timers;
        vt->timers = t;
        t->armed = 1;
        srr__vt_changed(vt); /* a waiter may now find something due */
    }
    vt_unlock(vt);
}

int srr__vt_control(srr_vtime *vt, int op, void *arg)
{
    switch (op) {
    case SRR_CTL_CLOCK_CHARGE:
        *(int64_t *)arg = srr__vclock_charge(&vt->clock_charged, *(int64_t *)arg);
        return 0;
    case SRR_CTL_WAIT_STEP:
        *(int64_t *)arg = SRR_VCLOCK_WAIT_STEP_NS;
        return 0;
    case SRR_CTL_THREAD_EXPECT:
        vt_expect(vt, 1);
        return 0;
    case SRR_CTL_THREAD_CANCEL:
        vt_expect(vt, -1);
        return 0;
    case SRR_CTL_THREAD_ENTER:
        srr__vt_enter(vt);
        srr__vt_leave(vt);
        return 0;
    case SRR_CTL_PARK:
        return vt_park(vt, arg);
    case SRR_CTL_PARK_DUE:
        return vt_park_due(vt, arg);
    case SRR_CTL_UNPARK:
        vt_unpark(vt, arg);
        return 0;
    case SRR_CTL_WAKE:
        vt_wake(vt, arg);
        return 0;
    case SRR_CTL_TIMER_ARM:
        vt_timer(vt, arg, 1);
        return 0;
    case SRR_CTL_TIMER_DISARM:
        vt_timer(vt, arg, 0);
        return 0;
    case SRR_CTL_ON_STUCK:
        vt_lock(vt);
        vt->on_stuck = *(const srr_on_stuck *)arg;
        vt_unlock(vt);
        return 0;
    default:
        return -ENOTTY;
    }
}
