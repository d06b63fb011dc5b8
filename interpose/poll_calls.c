/*
 * poll_calls.c — waiting: poll, ppoll and their fortified forms go to the
 * world's poll when a socket of the world is among the descriptors and no
 * signal mask is asked for, so the trace shows what the program waited for
 * and got.  select, pselect, ppoll with a signal mask and epoll are caught
 * and, while every world is the kernel's (record, passthrough), answered by
 * libc directly: the descriptors are real, and the trace's data events
 * already say what became ready.
 */
#define _GNU_SOURCE
#include "preload.h"

/* glibc 2.36 declares poll's array write_only, so reading the events the
 * caller put there looks like reading uninitialized memory to gcc. */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

static srr_world *poll_world(const struct pollfd *fds, nfds_t n)
{
    srr_world *w = srr__preload_world();
    if (!w || !fds)
        return NULL;
    for (nfds_t i = 0; i < n; i++)
        if (fds[i].fd >= 0 && srr__fd_is_sock(fds[i].fd))
            return w;
    return NULL;
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    srr_world *w = poll_world(fds, n);
    if (!w)
        return REAL(poll)(fds, n, timeout_ms);
    int e = errno;
    int64_t ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;
    return (int)srr__ret(w->ops->poll(w, fds, n, ns), e);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
    srr_world *w = mask ? NULL : poll_world(fds, n);
    if (!w)
        return LIBC(ppoll)(fds, n, ts, mask);
    if (ts && (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)) {
        errno = EINVAL;
        return -1;
    }
    int e = errno;
    int64_t ns = ts ? ts->tv_sec * 1000000000LL + ts->tv_nsec : -1;
    return (int)srr__ret(w->ops->poll(w, fds, n, ns), e);
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout_ms, size_t fdslen)
{
    if (fdslen / sizeof *fds < n)
        return REAL(__poll_chk)(fds, n, timeout_ms, fdslen); /* dies as glibc's does */
    return poll(fds, n, timeout_ms);
}

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask,
                size_t fdslen)
{
    if (fdslen / sizeof *fds < n)
        return REAL(__ppoll_chk)(fds, n, ts, mask, fdslen);
    return ppoll(fds, n, ts, mask);
}

int select(int nfds, fd_set *r, fd_set *wr, fd_set *x, struct timeval *tv)
{
    srr__preload_world();
    return REAL(select)(nfds, r, wr, x, tv);
}

int pselect(int nfds, fd_set *r, fd_set *wr, fd_set *x, const struct timespec *ts,
            const sigset_t *mask)
{
    srr__preload_world();
    return REAL(pselect)(nfds, r, wr, x, ts, mask);
}

int epoll_create(int size)
{
    srr__preload_world();
    int r = REAL(epoll_create)(size);
    if (r >= 0)
        srr__fd_set_plain(r);
    return r;
}

int epoll_create1(int flags)
{
    srr__preload_world();
    int r = REAL(epoll_create1)(flags);
    if (r >= 0)
        srr__fd_set_plain(r);
    return r;
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    srr__preload_world();
    return REAL(epoll_ctl)(epfd, op, fd, ev);
}

int epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms)
{
    srr__preload_world();
    return REAL(epoll_wait)(epfd, evs, max, timeout_ms);
}

int epoll_pwait(int epfd, struct epoll_event *evs, int max, int timeout_ms, const sigset_t *mask)
{
    srr__preload_world();
    return REAL(epoll_pwait)(epfd, evs, max, timeout_ms, mask);
}
