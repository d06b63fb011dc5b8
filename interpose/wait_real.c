/*
 * wait_real.c — waits on real descriptors, over a world with a virtual
 * clock: a poll (or a blocking read) on pipes, eventfds, signalfds and
 * timerfds is a wait the world counts, so virtual time moves while a
 * thread waits in one (node's event loop waits in epoll on its own
 * eventfds, with the next timer as its timeout).
 *
 * The rule (docs/sim.md): a descriptor the process made for itself (pipe,
 * pipe2, eventfd, signalfd, a timerfd) is made ready only by the process's
 * own threads, and a wait on such descriptors alone is settled, with its
 * timeout as a virtual deadline or none.  A wait that also watches a
 * descriptor from outside (stdin, a file, an inherited pipe) is settled
 * only with a timeout: time may jump to it, as to any deadline; with no
 * timeout the thread waits on the outside world, counts as busy, and time
 * holds still until it comes back.  A thread of the process that writes to
 * one of its own descriptors wakes every such waiter first (it looks again
 * before time may move), so a wakeup is never lost to a jump.
 *
 * The wait itself goes in slices of real time; the first look costs none.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "preload.h"

/* What every wait on real descriptors is parked on, for writers to wake. */
static const char real_fds;

int srr__poll_real(struct pollfd *fds, nfds_t n, int64_t timeout_ns, const sigset_t *mask)
{
    srr_world *w = srr__preload_virtual_world();
    int own = 1;
    for (nfds_t i = 0; own && i < n; i++)
        own = fds[i].fd < 0 || srr__fd_internal(fds[i].fd);
    if (!w || (!own && timeout_ns < 0))
        return -ENOTTY; /* the caller waits in the kernel, as it always did */
    struct timespec zero = {0, 0};
    int r = LIBC(ppoll)(fds, n, &zero, mask);
    if (r != 0 || timeout_ns == 0)
        return r < 0 ? -errno : r;
    int64_t deadline = timeout_ns < 0 ? -1 : srr__world_now(w, CLOCK_MONOTONIC) + timeout_ns;
    srr_park p = {.deadline = deadline, .on = &real_fds, .woken = 1,
                  .what = "a poll of its own descriptors"};
    srr_world_control(w, SRR_CTL_THREAD_ENTER, NULL);
    if (srr_world_control(w, SRR_CTL_PARK, &p) != 1)
        return -ENOTTY;
    /* parked, then a look: a write in between wakes it, and it looks again
     * before it counts as waiting */
    r = LIBC(ppoll)(fds, n, &zero, mask);
    if (r == 0 && srr_world_control(w, SRR_CTL_PARK_DUE, &p) == 1) {
        srr_world_control(w, SRR_CTL_UNPARK, &p);
        return 0;
    }
    if (r != 0) {
        srr_world_control(w, SRR_CTL_UNPARK, &p);
        return r < 0 ? -errno : r;
    }
    srr_parked_on parked = {w, &p};
    pthread_cleanup_push(srr__unpark_cancelled, &parked); /* a cancellation point waits */
    for (;;) {
        struct timespec slice = {0, p.slice_ns}; /* the world paces it */
        r = LIBC(ppoll)(fds, n, &slice, mask);
        if (r != 0) {
            r = r < 0 ? -errno : r;
            break;
        }
        if (srr__signals_pending()) {
            srr__signals_deliver(); /* a poll is never restarted */
            r = -EINTR;
            break;
        }
        if (srr_world_control(w, SRR_CTL_PARK_DUE, &p) == 1) {
            r = 0;
            break;
        }
    }
    pthread_cleanup_pop(0);
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    return r;
}

void srr__real_written(int fd)
{
    srr_world *w = srr__fd_internal(fd) ? srr__preload_virtual_world() : NULL;
    if (w)
        srr_world_control(w, SRR_CTL_WAKE, (void *)&real_fds);
}

int srr__wait_readable(int fd)
{
    if (!srr__fd_internal(fd) || (LIBC(fcntl)(fd, F_GETFL) & O_NONBLOCK))
        return 0;
    struct pollfd p = {fd, POLLIN, 0};
    int r = srr__poll_real(&p, 1, -1, NULL);
    return r == -ENOTTY ? 0 : r < 0 ? r : 0;
}

/* ------------------------------------------- the process's own descriptors */

static void mark_own(int fd)
{
    if (fd >= 0)
        srr__fd_set_internal(fd);
}

int pipe(int fds[2])
{
    int r = REAL(pipe)(fds);
    if (r == 0)
        mark_own(fds[0]), mark_own(fds[1]);
    return r;
}

int pipe2(int fds[2], int flags)
{
    int r = REAL(pipe2)(fds, flags);
    if (r == 0)
        mark_own(fds[0]), mark_own(fds[1]);
    return r;
}

int eventfd(unsigned int count, int flags)
{
    int fd = REAL(eventfd)(count, flags);
    mark_own(fd);
    return fd;
}

int signalfd(int fd, const sigset_t *mask, int flags)
{
    int r = REAL(signalfd)(fd, mask, flags);
    mark_own(r);
    return r;
}
