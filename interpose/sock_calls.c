/*
 * sock_calls.c — socket lifetime, addresses, options and descriptor
 * duplication: socket, socketpair, bind, listen, accept, accept4, connect,
 * shutdown, get/setsockopt, getsockname, getpeername, close, close_range,
 * closefrom, fclose, dup, dup2, dup3, fcntl, fcntl64, ioctl.
 *
 * The world is called with its handle for the descriptor (fdtab.c): the
 * descriptor itself over the kernel, the handle behind a placeholder over
 * a world with handles of its own.  What happens to a socket outside the
 * seam (a dup, a close by fclose or close_range) is told to the world
 * through its control slot.  Arguments are checked before a world sees
 * them (lib/core/check.h); addresses and option values the world hands
 * back go through storage of the interposer's own, then out as Linux
 * copies them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sockios.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "check.h"
#include "preload.h"

int socket(int domain, int type, int protocol)
{
    srr_world *w = srr__preload_world();
    if (!w)
        return LIBC(socket)(domain, type, protocol);
    int e = errno;
    int r = srr__check_socket(domain, type);
    if (r == 0)
        r = w->ops->socket(w, domain, type, protocol);
    if (r >= 0)
        r = srr__preload_expose(w, r, type & SOCK_CLOEXEC);
    return (int)srr__ret(r, e);
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
    srr_world *w = srr__preload_world();
    if (!w)
        return LIBC(socketpair)(domain, type, protocol, sv);
    int e = errno, h[2];
    int r = srr__check_socketpair(domain, type, sv);
    if (r == 0)
        r = w->ops->socketpair(w, domain, type, protocol, h);
    if (r == 0) {
        int a = srr__preload_expose(w, h[0], type & SOCK_CLOEXEC);
        int b = a < 0 ? -1 : srr__preload_expose(w, h[1], type & SOCK_CLOEXEC);
        if (a < 0 || b < 0) {
            if (a >= 0)
                srr__preload_unexpose(w, a, h[0]);
            else
                w->ops->close(w, h[0]);
            if (a >= 0)
                w->ops->close(w, h[1]);
            return (int)srr__ret(a < 0 ? a : b, e);
        }
        sv[0] = a;
        sv[1] = b;
    }
    return (int)srr__ret(r, e);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    IN_WORLD_OR(fd, LIBC(bind)(fd, addr, len));
    int r = srr__check_sockaddr(addr, len);
    return (int)srr__ret(r < 0 ? r : w->ops->bind(w, h, addr, len), e);
}

int listen(int fd, int backlog)
{
    IN_WORLD_OR(fd, LIBC(listen)(fd, backlog));
    return (int)srr__ret(w->ops->listen(w, h, backlog), e);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    IN_WORLD_OR(fd, LIBC(accept4)(fd, addr, len, flags));
    int r = srr__check_accept4(flags);
    if (r < 0)
        return (int)srr__ret(r, e);
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    do
        r = w->ops->accept4(w, h, addr ? (struct sockaddr *)&ss : NULL, addr ? &sslen : NULL,
                            flags);
    while (srr__signals_restart(r));
    if (r >= 0 && addr) {
        /* Linux copies the peer out after accepting: a connection whose
         * address cannot be given back is lost */
        int c = srr__copy_addr_out((struct sockaddr *)&ss, sslen, addr, len);
        if (c < 0) {
            w->ops->close(w, r);
            r = c;
        }
    }
    if (r >= 0)
        r = srr__preload_expose(w, r, flags & SOCK_CLOEXEC);
    else if (r == -EAGAIN)
        srr__epoll_rearm(fd); /* drained: the next connection is an edge */
    return (int)srr__ret(r, e);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    int h;
    if (!srr__sock_world(fd, &h))
        return REAL(accept)(fd, addr, len);
    return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    IN_WORLD_OR(fd, LIBC(connect)(fd, addr, len));
    int r = srr__check_sockaddr(addr, len);
    if (r == 0)
        r = w->ops->connect(w, h, addr, len);
    /* an interrupted connect goes on by itself: the call says EINTR */
    srr__signals_restart(r == -EINTR ? -EAGAIN : r);
    return (int)srr__ret(r, e);
}

int shutdown(int fd, int how)
{
    IN_WORLD_OR(fd, LIBC(shutdown)(fd, how));
    int r = srr__check_shutdown(how);
    return (int)srr__ret(r < 0 ? r : w->ops->shutdown(w, h, how), e);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    IN_WORLD_OR(fd, LIBC(getsockopt)(fd, level, name, val, len));
    int r = srr__check_getsockopt(len);
    if (r < 0 || val)
        return (int)srr__ret(r < 0 ? r : w->ops->getsockopt(w, h, level, name, val, len), e);
    /* No buffer: the world answers into one of the interposer's, and the
     * copy out fails as Linux's does when there was something to copy (an
     * unknown option is still ENOPROTOOPT) */
    char tmp[256];
    socklen_t n = *len < sizeof tmp ? *len : sizeof tmp;
    r = w->ops->getsockopt(w, h, level, name, tmp, &n);
    if (r == 0 && n > 0)
        r = -EFAULT;
    else if (r == 0)
        *len = 0;
    return (int)srr__ret(r, e);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    IN_WORLD_OR(fd, LIBC(setsockopt)(fd, level, name, val, len));
    int r = srr__check_setsockopt(level, name, val, len);
    return (int)srr__ret(r < 0 ? r : w->ops->setsockopt(w, h, level, name, val, len), e);
}

/* getsockname and getpeername: the world answers into storage of the
 * interposer's own, and the address goes out as Linux copies it (after the
 * call: getpeername's ENOTCONN comes before a bad length) */
static int sock_name(int fd, int peer, struct sockaddr *addr, socklen_t *len)
{
    IN_WORLD_OR(fd, peer ? LIBC(getpeername)(fd, addr, len) : LIBC(getsockname)(fd, addr, len));
    struct sockaddr_storage ss;
    socklen_t n = sizeof ss;
    int r = (peer ? w->ops->getpeername : w->ops->getsockname)(w, h, (struct sockaddr *)&ss, &n);
    if (r == 0)
        r = srr__copy_addr_out((struct sockaddr *)&ss, n, addr, len);
    return (int)srr__ret(r, e);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    return sock_name(fd, 0, addr, len);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    return sock_name(fd, 1, addr, len);
}

int close(int fd)
{
    if (fd >= 0 && fd == srr__preload_own_fd()) {
        errno = EBADF; /* to the program, the world's own descriptor is not open */
        return -1;
    }
    int h;
    srr_world *w = srr__sock_world(fd, &h);
    if (!w) {
        srr__fd_forget(fd);
        srr__epoll_forget(fd);
        srr__timers_fd_closed(fd);
        return LIBC(close)(fd);
    }
    int e = errno;
    return (int)srr__ret(srr__preload_unexpose(w, fd, h), e);
}

/* A socket closed behind the world's back (fclose, close_range,
 * closefrom, dup2 over it): a world with handles of its own closes the
 * handle; one whose handles are descriptors hears of it. */
static void sock_closed_outside(srr_world *w, int fd, int h, const char *via)
{
    if (srr__preload_own_handles()) {
        w->ops->close(w, h);
        return;
    }
    srr_fd_change c = {.old = fd, .via = via};
    srr_world_control(w, SRR_CTL_FORGET, &c);
}

static __thread const char *range_via;

static void range_sock_closed(int fd, int h)
{
    srr_world *w = srr__preload_world();
    if (w)
        sock_closed_outside(w, fd, h, range_via);
}

int close_range(unsigned int first, unsigned int last, int flags)
{
    srr__preload_world();
    if (!REAL(close_range)) {
        errno = ENOSYS;
        return -1;
    }
    /* the world's own descriptor stays open: the range goes around it */
    int keep = srr__preload_own_fd();
    int r;
    if (keep >= 0 && (unsigned)keep >= first && (unsigned)keep <= last &&
        !(flags & CLOSE_RANGE_CLOEXEC)) {
        r = (unsigned)keep > first ? REAL(close_range)(first, (unsigned)keep - 1, flags) : 0;
        if (r == 0 && (unsigned)keep < last)
            r = REAL(close_range)((unsigned)keep + 1, last, flags);
    } else {
        r = REAL(close_range)(first, last, flags);
    }
    if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC)) {
        range_via = "close_range";
        srr__fd_forget_range(first, last, range_sock_closed);
    }
    return r;
}

void closefrom(int lowfd)
{
    srr__preload_world();
    int keep = srr__preload_own_fd();
    if (lowfd >= 0) {
        range_via = "closefrom";
        srr__fd_forget_range((unsigned)lowfd, ~0u, range_sock_closed);
    }
    if (keep >= lowfd && lowfd >= 0 && REAL(close_range)) {
        /* around the world's own descriptor, as close_range does */
        if (keep > lowfd)
            REAL(close_range)((unsigned)lowfd, (unsigned)keep - 1, 0);
        REAL(close_range)((unsigned)keep + 1, ~0u, 0);
    } else if (REAL(closefrom)) {
        REAL(closefrom)(lowfd);
    }
}

int fclose(FILE *fp)
{
    if (fp && srr__stdio_is_ours(fp))
        return REAL(fclose)(fp); /* its close is the world's, through close() */
    srr_world *w = srr__preload_world_if_ready();
    int fd = fp ? fileno(fp) : -1, h = fd >= 0 ? srr__fd_handle(fd) : -1;
    if (w && h >= 0)
        sock_closed_outside(w, fd, h, "fclose");
    if (fd >= 0)
        srr__fd_forget(fd);
    return REAL(fclose)(fp);
}

/* A duplicate descriptor r of world socket old (handle h): over the kernel
 * the table follows and the world hears of it; a world with handles of its
 * own makes a handle for it.  Returns r, or -1 with errno. */
static int dup_follow(srr_world *w, int old, int h, int newfd, int flags, int r)
{
    int e = errno;
    if (!w || h < 0) {
        if (r >= 0 && r != old)
            srr__fd_forget(r); /* what it was is gone */
        return r;
    }
    srr_fd_change c = {.old = old, .newfd = newfd, .flags = flags, .result = r};
    if (r < 0 || r == old) {
        if (!srr__preload_own_handles())
            srr_world_control(w, SRR_CTL_DUP, &c);
        errno = e;
        return r;
    }
    if (srr__preload_own_handles()) {
        int nh = w->ops->fcntl(w, h, F_DUPFD, 0);
        if (nh < 0) {
            LIBC(close)(r);
            srr__fd_forget(r);
            errno = -nh;
            return -1;
        }
        srr__fd_set_handle(r, nh);
    } else {
        srr__fd_set_sock(r);
        srr_world_control(w, SRR_CTL_DUP, &c);
    }
    errno = e;
    return r;
}

/* What dup2/dup3 closes at newfd, told to the world first; the world's
 * own descriptor moves out of the way. */
static void dup_target_closing(srr_world *w, int old, int newfd, const char *via)
{
    if (newfd >= 0 && newfd == srr__preload_own_fd())
        srr__preload_move_own_fd();
    int nh = srr__fd_handle(newfd);
    if (!w || old == newfd || nh < 0 || LIBC(fcntl)(old, F_GETFD) < 0)
        return;
    sock_closed_outside(w, newfd, nh, via);
    srr__fd_forget(newfd);
}

int dup(int old)
{
    int h = -1;
    srr_world *w = srr__sock_world(old, &h);
    return dup_follow(w, old, h, -1, -1, REAL(dup)(old));
}

int dup2(int old, int newfd)
{
    int h = -1;
    srr_world *w = srr__sock_world(old, &h);
    dup_target_closing(srr__preload_world(), old, newfd, "dup2");
    return dup_follow(w, old, h, newfd, -1, REAL(dup2)(old, newfd));
}

int dup3(int old, int newfd, int flags)
{
    int h = -1;
    srr_world *w = srr__sock_world(old, &h);
    if (old != newfd)
        dup_target_closing(srr__preload_world(), old, newfd, "dup3");
    return dup_follow(w, old, h, newfd, flags, REAL(dup3)(old, newfd, flags));
}

/* fcntl's argument is an int or a pointer; both fit a long on Linux. */
static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, long arg)
{
    int h;
    srr_world *w = srr__sock_world(fd, &h);
    int dupcmd = cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
    int own = w && srr__preload_own_handles();
    /* over handles of the world's own, descriptor flags and duplicates are
     * the placeholder's */
    int seam = w && (cmd == F_GETFL || cmd == F_SETFL ||
                     (!own && (cmd == F_GETFD || cmd == F_SETFD || dupcmd)));
    if (!seam) {
        int r = real(fd, cmd, arg);
        if (dupcmd)
            return dup_follow(w, fd, w ? h : -1, -1, -1, r);
        return r;
    }
    int e = errno;
    int r = w->ops->fcntl(w, h, cmd, arg);
    if (r >= 0 && dupcmd)
        srr__fd_set_sock(r);
    return (int)srr__ret(r, e);
}

/* fcntl's third argument, when the command takes one, is an int or a
 * pointer: read as a long either way. */
#define FCNTL_BODY(real)                                                                       \
    va_list ap;                                                                                \
    va_start(ap, cmd);                                                                         \
    long arg = va_arg(ap, long);                                                               \
    va_end(ap);                                                                                \
    srr__preload_world();                                                                      \
    return fcntl_common((real), fd, cmd, arg);

int fcntl(int fd, int cmd, ...)
{
    FCNTL_BODY(LIBC(fcntl))
}

int fcntl64(int fd, int cmd, ...)
{
    FCNTL_BODY(REAL(fcntl64) ? REAL(fcntl64) : LIBC(fcntl))
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int h;
    srr_world *w = srr__sock_world(fd, &h);
    int seam = request == FIONREAD || request == FIONBIO || request == SIOCOUTQ;
    if (!w || !seam)
        return LIBC(ioctl)(fd, request, arg);
    int e = errno;
    int r = srr__check_ioctl(request, arg);
    return (int)srr__ret(r < 0 ? r : w->ops->ioctl(w, h, request, arg), e);
}
