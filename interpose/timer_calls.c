/*
 * timer_calls.c — timers, over a world with a virtual clock: alarm,
 * setitimer and getitimer (ITIMER_REAL), timer_create, timer_settime,
 * timer_gettime, timer_getoverrun, timer_delete, timerfd_create,
 * timerfd_settime and timerfd_gettime.  Each becomes a timer on the world's
 * clock (SRR_CTL_TIMER_ARM): it fires when virtual time reaches it, a
 * signal timer's signal goes to its thread there (signals.c), a timerfd
 * becomes readable.  Over the kernel, or a world without timers (the
 * replay's), and for the CPU-time clocks, each is libc's.
 *
 * A timerfd is an eventfd behind the program's back: its counter is the
 * expiry count a read of a timerfd gives, and poll, epoll and read treat
 * it as the readable descriptor it is.
 */
#define _GNU_SOURCE
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "preload.h"

#define NS 1000000000LL

typedef struct vtimer {
    srr_vtimer t;        /* first: the world's view */
    int kind;            /* VT_ITIMER, VT_POSIX, VT_FD */
    clockid_t clock;
    struct sigevent ev;  /* VT_POSIX: what an expiry does */
    int overrun;         /* VT_POSIX: expiries beyond the first, at the last signal */
    _Atomic int notify_due; /* SIGEV_THREAD: expiries whose thread is still to start */
    int fd;              /* VT_FD: the eventfd */
    struct vtimer *next;
} vtimer;

enum { VT_ITIMER, VT_POSIX, VT_FD };

static vtimer itimer_real = {.kind = VT_ITIMER, .clock = CLOCK_REALTIME};
static vtimer *timers; /* VT_POSIX and VT_FD, made by the program */
static pthread_mutex_t timers_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int timerfds; /* 1 once a timerfd was made: closes look for it */

/* The world whose clock timers run on, or NULL: libc's timers. */
static srr_world *timer_world(clockid_t clock)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w)
        return NULL;
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
        break;
    default:
        return NULL; /* CPU-time clocks measure the real process */
    }
    /* a world that keeps no timers leaves them to the kernel */
    static srr_vtimer probe = {.deadline = -1};
    if (srr_world_control(w, SRR_CTL_TIMER_DISARM, &probe) < 0)
        return NULL;
    return w;
}


static struct timespec ns_ts(int64_t ns)
{
    return (struct timespec){ns / NS, ns % NS};
}

/* The program's time on clock (what its clock_gettime says), in ns. */
static int64_t program_now(srr_world *w, clockid_t clock)
{
    int64_t charged = 0; /* look, do not charge */
    srr_world_control(w, SRR_CTL_CLOCK_CHARGE, &charged);
    int realtime = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM;
    return srr__world_now(w, realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC) + charged;
}

/* Arms v from an itimerspec: value 0 disarms; absolute values are on the
 * program's clock.  0, or -errno. */
static int vt_set(srr_world *w, vtimer *v, int abs, const struct itimerspec *its)
{
    if (its->it_value.tv_nsec < 0 || its->it_value.tv_nsec >= NS ||
        its->it_interval.tv_nsec < 0 || its->it_interval.tv_nsec >= NS ||
        its->it_value.tv_sec < 0 || its->it_interval.tv_sec < 0)
        return -EINVAL;
    srr_world_control(w, SRR_CTL_TIMER_DISARM, &v->t);
    int64_t value = srr__ts_ns(&its->it_value);
    if (value == 0)
        return 0;
    int64_t now = program_now(w, v->clock), mono = srr__world_now(w, CLOCK_MONOTONIC);
    int64_t in = abs ? value - now : value;
    v->t.deadline = mono + (in > 0 ? in : 0);
    v->t.interval = srr__ts_ns(&its->it_interval);
    return srr_world_control(w, SRR_CTL_TIMER_ARM, &v->t);
}

static void vt_get(srr_world *w, const vtimer *v, struct itimerspec *its)
{
    memset(its, 0, sizeof *its);
    if (!v->t.armed)
        return;
    int64_t left = v->t.deadline - srr__world_now(w, CLOCK_MONOTONIC);
    its->it_value = ns_ts(left > 0 ? left : 1); /* an armed timer has time left */
    its->it_interval = ns_ts(v->t.interval);
}

/* ---------------------------------------------------------------- firing */

/* Under the world's lock: queue the signal, and have the world interrupt
 * its thread's wait. */
static int vt_fire_signal(srr_vtimer *t, uint64_t expirations)
{
    vtimer *v = (vtimer *)t;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (v->kind == VT_ITIMER) {
        si.si_signo = SIGALRM;
        si.si_code = SI_KERNEL;
    } else {
        si.si_signo = v->ev.sigev_signo;
        si.si_code = SI_TIMER;
        si.si_value = v->ev.sigev_value;
        v->overrun = expirations > 1 ? (int)(expirations - 1) : 0;
        si.si_overrun = v->overrun;
    }
    return srr__signals_queue(&si, &t->target);
}

/* SIGEV_NONE: nothing but the time left, for timer_gettime. */
static int vt_fire_none(srr_vtimer *t, uint64_t expirations)
{
    (void)t, (void)expirations;
    return 0;
}

/* A timerfd: its counter grows by the expiries, as a timerfd's does. */
static int vt_fire_fd(srr_vtimer *t, uint64_t expirations)
{
    vtimer *v = (vtimer *)t;
    (void)!LIBC(write)(v->fd, &expirations, sizeof expirations);
    return 0;
}

/* SIGEV_THREAD: the notify function runs in a thread of its own, as
 * glibc's helper starts one per expiry.  fire runs under the world's lock,
 * where no thread can be started: it posts to a runner thread of the
 * program's (a participant, parked in sem_wait while it has nothing to
 * do), which starts them. */
static sem_t runner_sem;
static pthread_once_t runner_once = PTHREAD_ONCE_INIT;
static int runner_ok;

static int vt_fire_thread(srr_vtimer *t, uint64_t expirations)
{
    vtimer *v = (vtimer *)t;
    v->overrun = expirations > 1 ? (int)(expirations - 1) : 0;
    atomic_fetch_add(&v->notify_due, 1);
    REAL(sem_post)(&runner_sem); /* libc's: not the interposer's, which takes the lock */
    return 0;
}

struct notify_call {
    void (*fn)(union sigval);
    union sigval value;
};

static void *notify_run(void *p)
{
    struct notify_call c = *(struct notify_call *)p;
    free(p);
    c.fn(c.value);
    return NULL;
}

static void *runner(void *arg)
{
    (void)arg;
    for (;;) {
        while (sem_wait(&runner_sem) < 0 && errno == EINTR)
            ;
        pthread_mutex_lock(&timers_lock);
        for (vtimer *v = timers; v; v = v->next) {
            if (v->kind != VT_POSIX || atomic_exchange(&v->notify_due, 0) == 0)
                continue;
            struct notify_call *c = malloc(sizeof *c);
            pthread_t th;
            if (c) {
                *c = (struct notify_call){v->ev.sigev_notify_function, v->ev.sigev_value};
                if (pthread_create(&th, v->ev.sigev_notify_attributes, notify_run, c) == 0)
                    pthread_detach(th);
                else
                    free(c);
            }
        }
        pthread_mutex_unlock(&timers_lock);
    }
    return NULL;
}

static void runner_start(void)
{
    pthread_t th;
    runner_ok = sem_init(&runner_sem, 0, 0) == 0 && pthread_create(&th, NULL, runner, NULL) == 0;
    if (runner_ok)
        pthread_detach(th);
}

/* ----------------------------------------------------------- ITIMER_REAL */

int setitimer(__itimer_which_t which, const struct itimerval *nv, struct itimerval *old)
{
    srr_world *w = which == ITIMER_REAL ? timer_world(CLOCK_REALTIME) : NULL;
    if (!w)
        return REAL(setitimer)(which, nv, old);
    if (old) {
        struct itimerspec its;
        vt_get(w, &itimer_real, &its);
        old->it_value = (struct timeval){its.it_value.tv_sec, its.it_value.tv_nsec / 1000};
        old->it_interval = (struct timeval){its.it_interval.tv_sec, its.it_interval.tv_nsec / 1000};
    }
    if (!nv)
        return 0;
    if (nv->it_value.tv_usec < 0 || nv->it_value.tv_usec >= 1000000 ||
        nv->it_interval.tv_usec < 0 || nv->it_interval.tv_usec >= 1000000) {
        errno = EINVAL;
        return -1;
    }
    struct itimerspec its = {
        .it_interval = {nv->it_interval.tv_sec, nv->it_interval.tv_usec * 1000},
        .it_value = {nv->it_value.tv_sec, nv->it_value.tv_usec * 1000},
    };
    itimer_real.t.fire = vt_fire_signal;
    int r = vt_set(w, &itimer_real, 0, &its);
    return (int)srr__ret(r, errno);
}

int getitimer(__itimer_which_t which, struct itimerval *cur)
{
    if (which != ITIMER_REAL || !cur)
        return REAL(getitimer)(which, cur);
    return setitimer(which, NULL, cur);
}

unsigned int alarm(unsigned int seconds)
{
    if (!timer_world(CLOCK_REALTIME))
        return REAL(alarm)(seconds);
    struct itimerval nv = {.it_value = {seconds, 0}}, old;
    setitimer(ITIMER_REAL, &nv, &old);
    /* the seconds left, to the nearest, but never none while it was set
     * (glibc's rounding) */
    unsigned left = (unsigned)old.it_value.tv_sec;
    if (old.it_value.tv_usec >= 500000 || (left == 0 && old.it_value.tv_usec > 0))
        left++;
    return left;
}

/* ---------------------------------------------------------- POSIX timers */

/* Ours, among timer_t values: a pointer we handed out. */
static vtimer *vt_find(const void *id, int kind)
{
    pthread_mutex_lock(&timers_lock);
    vtimer *v = timers;
    while (v && !((v == id || (kind == VT_FD && v->fd == (int)(intptr_t)id)) && v->kind == kind))
        v = v->next;
    pthread_mutex_unlock(&timers_lock);
    return v;
}

static vtimer *vt_new(int kind, clockid_t clock)
{
    vtimer *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->kind = kind;
    v->clock = clock;
    v->fd = -1;
    pthread_mutex_lock(&timers_lock);
    v->next = timers;
    timers = v;
    pthread_mutex_unlock(&timers_lock);
    return v;
}

static void vt_free(srr_world *w, vtimer *v)
{
    srr_world_control(w, SRR_CTL_TIMER_DISARM, &v->t);
    pthread_mutex_lock(&timers_lock);
    for (vtimer **p = &timers; *p; p = &(*p)->next)
        if (*p == v) {
            *p = v->next;
            break;
        }
    pthread_mutex_unlock(&timers_lock);
    free(v);
}

int timer_create(clockid_t clock, struct sigevent *ev, timer_t *id)
{
    srr_world *w = timer_world(clock);
    if (!w || !id)
        return REAL(timer_create)(clock, ev, id);
    struct sigevent def = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
    if (!ev)
        ev = &def;
    if (ev->sigev_notify != SIGEV_SIGNAL && ev->sigev_notify != SIGEV_NONE &&
        ev->sigev_notify != SIGEV_THREAD) {
        errno = EINVAL; /* SIGEV_THREAD_ID: a kernel thread id, not modelled */
        return -1;
    }
    if (ev->sigev_notify == SIGEV_SIGNAL && (ev->sigev_signo < 1 || ev->sigev_signo > SIGRTMAX)) {
        errno = EINVAL;
        return -1;
    }
    if (ev->sigev_notify == SIGEV_THREAD &&
        (pthread_once(&runner_once, runner_start), !runner_ok)) {
        errno = EAGAIN;
        return -1;
    }
    vtimer *v = vt_new(VT_POSIX, clock);
    if (!v) {
        errno = EAGAIN;
        return -1;
    }
    v->ev = *ev;
    v->t.fire = ev->sigev_notify == SIGEV_SIGNAL   ? vt_fire_signal
                : ev->sigev_notify == SIGEV_THREAD ? vt_fire_thread
                                                   : vt_fire_none;
    *id = (timer_t)v;
    return 0;
}

/* timer_settime and timerfd_settime on a virtual timer: the old setting
 * out, then the new one.  A timerfd's new setting starts counting afresh,
 * as Linux's does: one read of its eventfd takes the whole count. */
static int vt_settime(srr_world *w, vtimer *v, int abstime, const struct itimerspec *nv,
                      struct itimerspec *old)
{
    if (old)
        vt_get(w, v, old);
    if (!nv) {
        errno = EFAULT;
        return -1;
    }
    if (v->kind == VT_FD) {
        struct pollfd p = {v->fd, POLLIN, 0};
        uint64_t drained;
        if (REAL(poll)(&p, 1, 0) == 1)
            (void)!REAL(read)(v->fd, &drained, sizeof drained);
    }
    int e = errno;
    return (int)srr__ret(vt_set(w, v, abstime, nv), e);
}

int timer_settime(timer_t id, int flags, const struct itimerspec *nv, struct itimerspec *old)
{
    vtimer *v = vt_find(id, VT_POSIX);
    srr_world *w = v ? timer_world(v->clock) : NULL;
    if (!w)
        return REAL(timer_settime)(id, flags, nv, old);
    return vt_settime(w, v, flags & TIMER_ABSTIME, nv, old);
}

/* The world of the virtual timer key names (of kind), into *w with the
 * timer, when cur is given: else the real call answers. */
static vtimer *vt_of(const void *key, int kind, const struct itimerspec *cur, srr_world **w)
{
    vtimer *v = vt_find(key, kind);
    *w = v && cur ? timer_world(v->clock) : NULL;
    return *w ? v : NULL;
}

int timer_gettime(timer_t id, struct itimerspec *cur)
{
    srr_world *w;
    vtimer *v = vt_of(id, VT_POSIX, cur, &w);
    return v ? (vt_get(w, v, cur), 0) : REAL(timer_gettime)(id, cur);
}

int timer_getoverrun(timer_t id)
{
    vtimer *v = vt_find(id, VT_POSIX);
    return v ? v->overrun : REAL(timer_getoverrun)(id);
}

int timer_delete(timer_t id)
{
    vtimer *v = vt_find(id, VT_POSIX);
    srr_world *w = v ? timer_world(v->clock) : NULL;
    if (!w)
        return REAL(timer_delete)(id);
    vt_free(w, v);
    return 0;
}

/* -------------------------------------------------------------- timerfd */

int timerfd_create(int clock, int flags)
{
    srr_world *w = timer_world(clock);
    if (!w || (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC)))
        return REAL(timerfd_create)(clock, flags);
    int fd = eventfd(0, (flags & TFD_NONBLOCK ? EFD_NONBLOCK : 0) |
                            (flags & TFD_CLOEXEC ? EFD_CLOEXEC : 0));
    if (fd < 0)
        return -1;
    vtimer *v = vt_new(VT_FD, clock);
    if (!v) {
        LIBC(close)(fd);
        errno = ENOMEM;
        return -1;
    }
    v->fd = fd;
    v->t.fire = vt_fire_fd;
    atomic_store(&timerfds, 1);
    srr__fd_set_internal(fd);
    return fd;
}

int timerfd_settime(int fd, int flags, const struct itimerspec *nv, struct itimerspec *old)
{
    vtimer *v = vt_find((void *)(intptr_t)fd, VT_FD);
    srr_world *w = v ? timer_world(v->clock) : NULL;
    if (!w)
        return REAL(timerfd_settime)(fd, flags, nv, old);
    return vt_settime(w, v, flags & TFD_TIMER_ABSTIME, nv, old);
}

int timerfd_gettime(int fd, struct itimerspec *cur)
{
    srr_world *w;
    vtimer *v = vt_of((void *)(intptr_t)fd, VT_FD, cur, &w);
    return v ? (vt_get(w, v, cur), 0) : REAL(timerfd_gettime)(fd, cur);
}

void srr__timers_fd_closed(int fd)
{
    if (!atomic_load_explicit(&timerfds, memory_order_relaxed))
        return; /* the common close, with no timerfd anywhere: no lock */
    vtimer *v = vt_find((void *)(intptr_t)fd, VT_FD);
    srr_world *w = v ? srr__preload_world_if_ready() : NULL;
    if (w)
        vt_free(w, v);
}
