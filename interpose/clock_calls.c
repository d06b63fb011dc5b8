/*
 * clock_calls.c — time, over a world with a clock of its own (the sim's
 * virtual time, the replay's recorded time): clock_gettime, gettimeofday,
 * time, nanosleep, clock_nanosleep, usleep and sleep read and wait on the
 * world's clock.  Over the kernel each is libc's.
 *
 * What a read costs the program is the world's to say
 * (SRR_CTL_CLOCK_CHARGE): the sim charges each read a little time, so that
 * a loop polling the clock ends.
 */
#define _GNU_SOURCE
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "preload.h"

static int virtual_clock(clockid_t clock)
{
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        return 1;
    default:
        return 0; /* CPU-time clocks measure the real process */
    }
}

/* What the world charged for the program's clock reads before this one
 * (reads: 1 for a read, 0 to look). */
static int64_t clock_charge(srr_world *w, int64_t reads)
{
    int64_t c = reads;
    return srr_world_control(w, SRR_CTL_CLOCK_CHARGE, &c) == 0 ? c : 0;
}

/* The program reads the world's clock. */
static int64_t world_now(srr_world *w, clockid_t clock)
{
    int64_t t = w->ops->now(w, clock);
    if (t < 0)
        return t;
    return t + clock_charge(w, 1);
}

int64_t srr__world_now(srr_world *w, clockid_t clock)
{
    int64_t t = clock;
    int r = srr_world_control(w, SRR_CTL_NOW, &t);
    if (r == -ENOTTY)
        return w->ops->now(w, clock); /* the kernel's clock: nothing to trace */
    return r < 0 ? r : t;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w || !virtual_clock(clock))
        return LIBC(clock_gettime)(clock, ts);
    int64_t t = world_now(w, clock);
    if (t < 0) {
        errno = (int)-t;
        return -1;
    }
    *ts = srr__ns_ts(t);
    return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    srr_world *w = srr__preload_virtual_world();
    struct timespec ts;
    if (w) {
        ts = srr__ns_ts(world_now(w, CLOCK_REALTIME));
    } else if (LIBC(clock_gettime)(CLOCK_REALTIME, &ts) < 0) {
        return -1;
    }
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    if (tz) {
        struct timezone *z = tz; /* obsolete: Linux reports UTC */
        z->tz_minuteswest = 0;
        z->tz_dsttime = 0;
    }
    return 0;
}

time_t time(time_t *out)
{
    srr_world *w = srr__preload_virtual_world();
    struct timespec ts;
    if (w)
        ts.tv_sec = (time_t)(world_now(w, CLOCK_REALTIME) / 1000000000);
    else if (LIBC(clock_gettime)(CLOCK_REALTIME, &ts) < 0)
        return (time_t)-1;
    if (out)
        *out = ts.tv_sec;
    return ts.tv_sec;
}

/* Sleeps ns of virtual time: 0, or a positive errno (EINTR: a timer's
 * signal came, and its handler has run) with *left the time not slept. */
static int world_sleep(srr_world *w, clockid_t clock, int64_t ns, int64_t *left)
{
    *left = 0;
    if (ns <= 0)
        return 0;
    int64_t start = srr__world_now(w, CLOCK_MONOTONIC);
    int r = w->ops->sleep(w, clock, ns);
    if (r == -EINTR) {
        srr__signals_deliver(); /* a sleep is never restarted */
        *left = ns - (srr__world_now(w, CLOCK_MONOTONIC) - start);
    }
    return r < 0 ? -r : 0;
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w || !virtual_clock(clock) || !req)
        return LIBC(clock_nanosleep)(clock, flags, req, rem);
    if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000)
        return EINVAL;
    int64_t ns = srr__ts_ns(req);
    if (flags & TIMER_ABSTIME)
        ns -= w->ops->now(w, clock) + clock_charge(w, 0);
    int64_t left;
    int r = world_sleep(w, clock, ns, &left);
    if (r == EINTR && rem && !(flags & TIMER_ABSTIME))
        *rem = srr__ns_ts(left);
    return r;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w || !req) {
        int r = LIBC(clock_nanosleep)(CLOCK_REALTIME, 0, req, rem);
        if (r) {
            errno = r;
            return -1;
        }
        return 0;
    }
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
    if (r) {
        errno = r;
        return -1;
    }
    return 0;
}

int usleep(useconds_t us)
{
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    return nanosleep(&ts, NULL);
}

/* The whole seconds not slept when a signal ended it, as glibc's. */
unsigned int sleep(unsigned int s)
{
    struct timespec ts = {s, 0}, rem = {s, 0};
    if (nanosleep(&ts, &rem) == 0)
        return 0;
    return (unsigned)rem.tv_sec;
}
