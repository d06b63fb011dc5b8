/*
 * wait.c — Python's three timeout modes built from non-blocking calls plus
 * the world's poll and clock, the way CPython's sock_call_ex does it, so
 * every world gets timeouts without knowing about them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <math.h>
#include <poll.h>

#include "internal.h"

int srr__timeout_from_seconds(double seconds, int64_t *ns, srr_error *err)
{
    if (seconds == SRR_TIMEOUT_NONE) {
        *ns = -1;
        return 0;
    }
    if (isnan(seconds) || seconds < 0.0)
        return srr__err_value(err, "Timeout value out of range");
    /* Same ceiling as CPython's _PyTime: beyond it the value cannot be kept. */
    if (seconds > 9.2e9)
        return srr__err_value(err, "timeout doesn't fit into C timeval");
    int64_t v = (int64_t)ceil(seconds * 1e9); /* round up so a timeout never shrinks */
    *ns = v;
    return 0;
}

int srr__apply_timeout(srr_socket *s, int64_t timeout_ns, srr_error *err)
{
    srr_world *w = s->world;
    int fl = w->ops->fcntl(w, s->fd, F_GETFL, 0);
    if (fl < 0)
        return srr__err_os(err, -fl);
    int want = timeout_ns >= 0 ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    if (want != fl) {
        int r = w->ops->fcntl(w, s->fd, F_SETFL, want);
        if (r < 0)
            return srr__err_os(err, -r);
    }
    s->timeout_ns = timeout_ns;
    return 0;
}

int srr__deadline(srr_socket *s, int64_t *deadline_ns, srr_error *err)
{
    *deadline_ns = 0;
    if (s->timeout_ns <= 0)
        return 0;
    int64_t now = s->world->ops->now(s->world, CLOCK_MONOTONIC);
    if (now < 0)
        return srr__err_os(err, (int)-now);
    /* saturate instead of overflowing (a sim clock may start anywhere) */
    *deadline_ns = now > INT64_MAX - s->timeout_ns ? INT64_MAX : now + s->timeout_ns;
    return 0;
}

int srr__wait(srr_socket *s, int writing, int64_t deadline_ns)
{
    srr_world *w = s->world;
    struct pollfd p = {.fd = s->fd, .events = writing ? POLLOUT : POLLIN};
    for (;;) {
        int64_t left = -1;
        if (deadline_ns > 0) {
            int64_t now = w->ops->now(w, CLOCK_MONOTONIC);
            if (now < 0)
                return (int)now;
            left = deadline_ns - now;
            if (left < 0)
                return 0; /* already past: a timeout, ready or not (CPython) */
        }
        int r = w->ops->poll(w, &p, 1, left);
        if (r == -EINTR)
            continue; /* PEP 475: retry with the time that is left */
        if (r < 0)
            return r;
        /* Errors and hang-ups count as ready: the call itself reports them. */
        return r > 0 ? 1 : 0;
    }
}

ssize_t srr__sock_call(srr_socket *s, int writing, srr__sock_fn fn, void *ctx, int64_t deadline_ns,
                       srr_error *err)
{
    int timed = s->timeout_ns > 0;
    if (timed && deadline_ns == 0 && srr__deadline(s, &deadline_ns, err) < 0)
        return -1;
    for (;;) {
        if (timed) {
            int r = srr__wait(s, writing, deadline_ns);
            if (r == 0)
                return srr__err_timeout(err);
            if (r < 0)
                return srr__err_os(err, -r);
        }
        ssize_t n = fn(s, ctx);
        if (n >= 0)
            return n;
        if (n == -EINTR)
            continue;
        if (timed && (n == -EAGAIN || n == -EWOULDBLOCK))
            continue; /* another reader won the race; wait again */
        return srr__err_os(err, (int)-n);
    }
}

double srr_gettimeout(const srr_socket *s)
{
    if (!s || s->timeout_ns < 0)
        return SRR_TIMEOUT_NONE;
    return (double)s->timeout_ns / 1e9;
}

int srr_settimeout(srr_socket *s, double seconds, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    int64_t ns;
    if (srr__timeout_from_seconds(seconds, &ns, err) < 0)
        return -1;
    return srr__apply_timeout(s, ns, err);
}

int srr_setblocking(srr_socket *s, int blocking, srr_error *err)
{
    return srr_settimeout(s, blocking ? SRR_TIMEOUT_NONE : 0.0, err);
}

int srr_getblocking(const srr_socket *s)
{
    return s && s->timeout_ns != 0;
}

double srr_getdefaulttimeout(const srr_world *w)
{
    if (!w || w->default_timeout_ns < 0)
        return SRR_TIMEOUT_NONE;
    return (double)w->default_timeout_ns / 1e9;
}

int srr_setdefaulttimeout(srr_world *w, double seconds, srr_error *err)
{
    if (!w)
        return srr__err_value(err, "world is NULL");
    int64_t ns;
    if (srr__timeout_from_seconds(seconds, &ns, err) < 0)
        return -1;
    w->default_timeout_ns = ns;
    return 0;
}
