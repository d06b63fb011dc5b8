/*
 * poll_calls.c — waiting: poll, ppoll, select, pselect, and the fortified
 * __poll_chk / __ppoll_chk.
 *
 * Over the kernel (record, passthrough): poll and ppoll without a signal
 * mask go to the world's poll when a socket is among the descriptors, so
 * the trace shows what the program waited for; the rest is libc's (the
 * descriptors are real, and the data events say what became ready).
 *
 * Over a world with handles of its own (sim, replay): a wait on the
 * world's sockets only is the world's poll, in the world's time.  A wait
 * that mixes them with real descriptors (stdin, a pipe, an eventfd) looks
 * at both without blocking, then lets the world's time move by a step
 * (SRR_CTL_WAIT_STEP) and looks again, until something is ready or the
 * timeout has passed in the world's time.  select and pselect are that
 * poll over their sets; epoll keeps the world sockets' interest list in
 * epoll_own.c and the real descriptors' in the kernel.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "preload.h"
#include "vclock.h"

/* glibc 2.36 declares poll's array write_only, so reading the events the
 * caller put there looks like reading uninitialized memory to gcc. */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

/* ---------------------------------------------------- over the kernel */

static srr_world *kernel_poll_world(const struct pollfd *fds, nfds_t n)
{
    srr_world *w = srr__preload_world();
    if (!w || !fds)
        return NULL;
    for (nfds_t i = 0; i < n; i++)
        if (fds[i].fd >= 0 && srr__fd_is_sock(fds[i].fd))
            return w;
    return NULL;
}

/* ------------------------------------ over a world with its own handles */

/* 1 when some descriptor of fds is a world socket. */
static int has_world_fd(const struct pollfd *fds, nfds_t n)
{
    for (nfds_t i = 0; i < n; i++)
        if (fds[i].fd >= 0 && srr__fd_handle(fds[i].fd) >= 0)
            return 1;
    return 0;
}

int64_t srr__wait_step(srr_world *w)
{
    int64_t step = 0;
    /* a world with no say in it gets the virtual clocks' step */
    return srr_world_control(w, SRR_CTL_WAIT_STEP, &step) == 0 && step > 0
               ? step
               : SRR_VCLOCK_WAIT_STEP_NS;
}

int srr__poll_mixed(srr_world *w, struct pollfd *fds, nfds_t n, int64_t timeout_ns,
                    const sigset_t *mask)
{
    struct pollfd stack_own[16], stack_real[16];
    size_t *idx_own = NULL, *idx_real = NULL, stack_is[16], stack_ir[16];
    struct pollfd *own = stack_own, *real = stack_real;
    if (n > 16) {
        own = malloc(n * sizeof *own);
        real = malloc(n * sizeof *real);
        idx_own = malloc(n * sizeof *idx_own);
        idx_real = malloc(n * sizeof *idx_real);
        if (!own || !real || !idx_own || !idx_real) {
            free(own);
            free(real);
            free(idx_own);
            free(idx_real);
            return -ENOMEM;
        }
    } else {
        idx_own = stack_is;
        idx_real = stack_ir;
    }
    nfds_t ns = 0, nr = 0;
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        int h = srr__fd_handle(fds[i].fd);
        if (h >= 0) {
            own[ns] = (struct pollfd){h, fds[i].events, 0};
            idx_own[ns++] = i;
        } else {
            real[nr] = (struct pollfd){fds[i].fd, fds[i].events, 0};
            idx_real[nr++] = i;
        }
    }
    int64_t start = srr__world_now(w, CLOCK_MONOTONIC), step = nr ? srr__wait_step(w) : 0;
    int r;
    for (;;) {
        int ready = 0;
        if (nr) {
            struct timespec zero = {0, 0};
            r = LIBC(ppoll)(real, nr, &zero, mask);
            if (r < 0) {
                r = -errno;
                break;
            }
            ready += r;
        }
        int64_t wait = 0;
        if (!nr) {
            wait = timeout_ns; /* the world's only: one wait, in its time */
        } else if (!ready) {
            int64_t left =
                timeout_ns < 0 ? step : timeout_ns - (srr__world_now(w, CLOCK_MONOTONIC) - start);
            wait = left < step ? (left > 0 ? left : 0) : step;
        }
        r = ns ? w->ops->poll(w, own, ns, ready ? 0 : wait) : 0;
        if (!ns && !ready && wait > 0)
            r = w->ops->sleep(w, CLOCK_MONOTONIC, wait);
        if (r < 0)
            break;
        ready += ns ? r : 0;
        if (ready || !nr)
            break;
        if (timeout_ns >= 0 && srr__world_now(w, CLOCK_MONOTONIC) - start >= timeout_ns)
            break;
    }
    if (r == -EINTR)
        srr__signals_restart(r); /* a poll is never restarted: its signal is delivered */
    int count = 0;
    if (r >= 0) {
        for (nfds_t j = 0; j < ns; j++)
            fds[idx_own[j]].revents = own[j].revents;
        for (nfds_t j = 0; j < nr; j++)
            fds[idx_real[j]].revents = real[j].revents;
        for (nfds_t i = 0; i < n; i++)
            count += fds[i].revents != 0;
    }
    if (n > 16) {
        free(own);
        free(real);
        free(idx_own);
        free(idx_real);
    }
    return r < 0 ? r : count;
}

/* -------------------------------------------------------------- poll */

/* The arguments, before anything reads the array (check.h): 0, or -1
 * with errno. */
static int poll_args(const struct pollfd *fds, nfds_t n, const struct timespec *ts)
{
    int r = srr__check_timeout(ts);
    if (r == 0)
        r = srr__check_poll(fds, n);
    if (r == 0)
        return 0;
    errno = -r;
    return -1;
}

/* poll and ppoll in one: -1 with errno, or the number ready. */
static int poll_common(struct pollfd *fds, nfds_t n, const struct timespec *ts, int64_t ns,
                       const sigset_t *mask)
{
    srr_world *w = srr__preload_world_if_ready();
    if (w && poll_args(fds, n, ts) < 0)
        return -1;
    int e = errno;
    if (w && fds && srr__preload_own_handles() && has_world_fd(fds, n))
        return (int)srr__ret(srr__poll_mixed(w, fds, n, ns, mask), e);
    /* real descriptors only: a wait the world counts, when it has a clock */
    int r = w ? srr__poll_real(fds, n, ns, mask) : -ENOTTY;
    if (r != -ENOTTY)
        return (int)srr__ret(r, e);
    w = mask || srr__preload_own_handles() ? NULL : kernel_poll_world(fds, n);
    if (!w)
        return LIBC(ppoll)(fds, n, ts, mask);
    return (int)srr__ret(w->ops->poll(w, fds, n, ns), e);
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    return poll_common(fds, n, timeout_ms < 0 ? NULL : &ts,
                       timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000, NULL);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
    int64_t ns = ts && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000 ? srr__ts_ns(ts) : -1;
    return poll_common(fds, n, ts, ns, mask);
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

/* ------------------------------------------------------------ select */

/* select's sets as a mixed poll: -1 with errno, or the number of bits left
 * set, as select counts. */
static int select_mixed(srr_world *w, int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
                      int64_t timeout_ns, const sigset_t *mask)
{
    struct pollfd *p = calloc(nfds > 0 ? (size_t)nfds : 1, sizeof *p);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    nfds_t n = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (rd && FD_ISSET(fd, rd) ? POLLIN : 0) | (wr && FD_ISSET(fd, wr) ? POLLOUT : 0) |
                   (ex && FD_ISSET(fd, ex) ? POLLPRI : 0);
        if (ev)
            p[n++] = (struct pollfd){fd, ev, 0};
    }
    int e = errno;
    int r = srr__poll_mixed(w, p, n, timeout_ns, mask);
    if (r < 0) {
        free(p);
        errno = -r;
        return -1;
    }
    for (nfds_t i = 0; i < n; i++)
        if (p[i].revents & POLLNVAL) {
            free(p);
            errno = EBADF;
            return -1;
        }
    int count = 0;
    for (nfds_t i = 0; i < n; i++) {
        int fd = p[i].fd;
        short re = p[i].revents;
        if (rd && FD_ISSET(fd, rd) && !(re & (POLLIN | POLLHUP | POLLERR)))
            FD_CLR(fd, rd);
        if (wr && FD_ISSET(fd, wr) && !(re & (POLLOUT | POLLERR)))
            FD_CLR(fd, wr);
        if (ex && FD_ISSET(fd, ex) && !(re & POLLPRI))
            FD_CLR(fd, ex);
        count += (rd && FD_ISSET(fd, rd)) + (wr && FD_ISSET(fd, wr)) + (ex && FD_ISSET(fd, ex));
    }
    free(p);
    errno = e;
    return count;
}

/* 1 when a set names a world socket. */
static int select_has_world(int nfds, fd_set *rd, fd_set *wr, fd_set *ex)
{
    for (int fd = 0; fd < nfds && fd < FD_SETSIZE; fd++)
        if (((rd && FD_ISSET(fd, rd)) || (wr && FD_ISSET(fd, wr)) || (ex && FD_ISSET(fd, ex))) &&
            srr__fd_handle(fd) >= 0)
            return 1;
    return 0;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
    srr_world *w = srr__preload_world();
    if (!w || !srr__preload_own_handles() || nfds < 0 || nfds > FD_SETSIZE ||
        !select_has_world(nfds, rd, wr, ex))
        return REAL(select)(nfds, rd, wr, ex, tv);
    if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0)) {
        errno = EINVAL;
        return -1;
    }
    int64_t ns = tv ? srr__tv_ns(tv) : -1;
    int64_t start = srr__world_now(w, CLOCK_MONOTONIC);
    int r = select_mixed(w, nfds, rd, wr, ex, ns, NULL);
    if (tv && r >= 0) {
        /* Linux writes back the time not slept */
        int64_t left = ns - (srr__world_now(w, CLOCK_MONOTONIC) - start);
        if (left < 0)
            left = 0;
        tv->tv_sec = left / 1000000000;
        tv->tv_usec = (left % 1000000000) / 1000;
    }
    return r;
}

int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts,
            const sigset_t *mask)
{
    srr_world *w = srr__preload_world();
    if (!w || !srr__preload_own_handles() || nfds < 0 || nfds > FD_SETSIZE ||
        !select_has_world(nfds, rd, wr, ex))
        return REAL(pselect)(nfds, rd, wr, ex, ts, mask);
    if (ts && (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)) {
        errno = EINVAL;
        return -1;
    }
    return select_mixed(w, nfds, rd, wr, ex, ts ? srr__ts_ns(ts) : -1,
                      mask);
}
