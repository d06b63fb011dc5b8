/*
 * passthrough.c — the on-miss policy "passthrough" (docs/replay.md): a
 * connection or lookup the recording does not have goes to the real
 * network instead of stopping the replay.  Such a program socket is
 * backed by a kernel socket of the world's own; every call on it goes to
 * the kernel, outside the world's lock (it may block), and waits that mix
 * it with replayed sockets look at it in slices of real time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libc.h"
#include "replay_int.h"

/* Real time a mixed wait gives the kernel's sockets before looking at the
 * replayed ones again. */
#define RP_PASS_SLICE_NS 10000000LL

int srr__rp_pass_fd(replay_world *r, int h)
{
    if (!r->opt.passthrough_on_miss)
        return -1;
    rp_lock(r);
    int k = -1;
    if (h >= 3 && h - 3 < RP_HANDLES && r->handles[h - 3])
        k = r->progs[r->handles[h - 3] - 1].kfd;
    rp_unlock(r);
    return k;
}

int srr__rp_pass_open(replay_world *r, rp_prog *p, const char *to)
{
    int k =
        srr__libc.socket(p->family, p->type | SOCK_CLOEXEC | (p->nonblock ? SOCK_NONBLOCK : 0), 0);
    if (k < 0)
        return -errno;
    /* what the program did to the socket before it reached the network */
    for (int i = 0; i < p->nopts; i++)
        srr__libc.setsockopt(k, p->opts[i].level, p->opts[i].name, p->opts[i].val, p->opts[i].len);
    struct sockaddr_storage ss;
    socklen_t len;
    if (p->bound[0] && srr__sockaddr_parse(p->bound, &ss, &len) == 0 &&
        srr__libc.bind(k, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        srr__libc.close(k);
        return -e;
    }
    p->kfd = k;
    srr__rp_note(r, "%s: not recorded, to the network", to);
    return k;
}

static long rp_ret(long rc)
{
    return rc < 0 ? -errno : rc;
}

int srr__rp_pass_connect(int k, const struct sockaddr *a, socklen_t l)
{
    return (int)rp_ret(srr__libc.connect(k, a, l));
}

ssize_t srr__rp_pass_sendmsg(int k, const struct msghdr *m, int flags)
{
    return rp_ret(srr__libc.sendmsg(k, m, flags | MSG_NOSIGNAL));
}

ssize_t srr__rp_pass_recvmsg(int k, struct msghdr *m, int flags)
{
    return rp_ret(srr__libc.recvmsg(k, m, flags));
}

int srr__rp_pass_call(int k, rp_pass_op op, ...)
{
    va_list ap;
    va_start(ap, op);
    long rc = -EINVAL;
    switch (op) {
    case RP_PASS_SHUTDOWN: rc = srr__libc.shutdown(k, va_arg(ap, int)); break;
    case RP_PASS_GETSOCKOPT: {
        int level = va_arg(ap, int), name = va_arg(ap, int);
        void *val = va_arg(ap, void *);
        rc = srr__libc.getsockopt(k, level, name, val, va_arg(ap, socklen_t *));
        break;
    }
    case RP_PASS_SETSOCKOPT: {
        int level = va_arg(ap, int), name = va_arg(ap, int);
        const void *val = va_arg(ap, const void *);
        rc = srr__libc.setsockopt(k, level, name, val, va_arg(ap, socklen_t));
        break;
    }
    case RP_PASS_GETSOCKNAME: {
        struct sockaddr *a = va_arg(ap, struct sockaddr *);
        rc = srr__libc.getsockname(k, a, va_arg(ap, socklen_t *));
        break;
    }
    case RP_PASS_GETPEERNAME: {
        struct sockaddr *a = va_arg(ap, struct sockaddr *);
        rc = srr__libc.getpeername(k, a, va_arg(ap, socklen_t *));
        break;
    }
    case RP_PASS_FCNTL: {
        int cmd = va_arg(ap, int);
        long arg = va_arg(ap, long);
        rc = srr__libc.fcntl(k, cmd, arg);
        break;
    }
    case RP_PASS_IOCTL: {
        unsigned long req = va_arg(ap, unsigned long);
        rc = srr__libc.ioctl(k, req, va_arg(ap, void *));
        break;
    }
    }
    va_end(ap);
    return (int)rp_ret(rc);
}

void srr__rp_pass_close(rp_prog *p)
{
    if (p->kfd >= 0)
        srr__libc.close(p->kfd);
    p->kfd = -1;
}

/* A wait over kernel-backed sockets (and maybe replayed ones): the kernel's
 * answer for its own, in slices of real time, looking at the replayed
 * ones (replayed_ready, under the lock) between slices.  Returns what
 * poll returns. */
int srr__rp_pass_poll(replay_world *r, struct pollfd *fds, nfds_t n, int64_t timeout_ns,
                 int (*replayed_ready)(replay_world *r, struct pollfd *fds, nfds_t n))
{
    struct pollfd *k = calloc(n ? n : 1, sizeof *k);
    if (!k)
        return -ENOMEM;
    int64_t left = timeout_ns;
    int ready;
    for (;;) {
        rp_lock(r);
        ready = r->diverged ? -EPROTO : replayed_ready(r, fds, n);
        for (nfds_t i = 0; i < n; i++) {
            int h = fds[i].fd;
            int kfd = h >= 3 && h - 3 < RP_HANDLES && r->handles[h - 3]
                          ? r->progs[r->handles[h - 3] - 1].kfd
                          : -1;
            k[i] = (struct pollfd){.fd = kfd, .events = fds[i].events};
        }
        rp_unlock(r);
        if (ready < 0)
            break;
        int64_t slice = ready || left == 0                    ? 0
                        : left < 0 || left > RP_PASS_SLICE_NS ? RP_PASS_SLICE_NS
                                                              : left;
        struct timespec ts = {slice / 1000000000, slice % 1000000000};
        int kr = srr__libc.ppoll(k, n, &ts, NULL);
        if (kr < 0) {
            ready = errno == EINTR ? -EINTR : -errno;
            break;
        }
        for (nfds_t i = 0; i < n; i++)
            if (k[i].fd >= 0) {
                ready += fds[i].revents == 0 && k[i].revents != 0;
                fds[i].revents = k[i].revents;
            }
        if (ready || left == 0)
            break;
        if (left > 0)
            left = left > slice ? left - slice : 0;
        rp_lock(r);
        r->vt.now += slice; /* real time passed for the network's sockets */
        rp_unlock(r);
    }
    free(k);
    return ready;
}
