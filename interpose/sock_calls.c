/*
 * sock_calls.c — socket lifetime, addresses, options and descriptor
 * duplication: socket, socketpair, bind, listen, accept, accept4, connect,
 * shutdown, get/setsockopt, getsockname, getpeername, close, close_range,
 * closefrom, fclose, dup, dup2, dup3, fcntl, fcntl64, ioctl.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sockios.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "preload.h"
#include "tap.h"

/* The world when fd is one of its sockets, else NULL (call libc). */
static srr_world *sock_world(int fd)
{
    srr_world *w = srr__preload_world();
    return w && srr__fd_is_sock(fd) ? w : NULL;
}

int socket(int domain, int type, int protocol)
{
    srr_world *w = srr__preload_world();
    if (!w)
        return LIBC(socket)(domain, type, protocol);
    int e = errno;
    int r = w->ops->socket(w, domain, type, protocol);
    if (r >= 0)
        srr__fd_set_sock(r);
    return (int)srr__ret(r, e);
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
    srr_world *w = srr__preload_world();
    if (!w)
        return LIBC(socketpair)(domain, type, protocol, sv);
    int e = errno;
    int r = w->ops->socketpair(w, domain, type, protocol, sv);
    if (r == 0) {
        srr__fd_set_sock(sv[0]);
        srr__fd_set_sock(sv[1]);
    }
    return (int)srr__ret(r, e);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    srr_world *w = sock_world(fd);
    if (!w)
        return LIBC(bind)(fd, addr, len);
    int e = errno;
    return (int)srr__ret(w->ops->bind(w, fd, addr, len), e);
}

int listen(int fd, int backlog)
{
    srr_world *w = sock_world(fd);
    if (!w)
        return LIBC(listen)(fd, backlog);
    int e = errno;
    return (int)srr__ret(w->ops->listen(w, fd, backlog), e);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    srr_world *w = sock_world(fd);
    if (!w)
        return LIBC(accept4)(fd, addr, len, flags);
    int e = errno;
    int r = w->ops->accept4(w, fd, addr, len, flags);
    if (r >= 0)
        srr__fd_set_sock(r);
    return (int)srr__ret(r, e);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    if (!sock_world(fd))
        return REAL(accept)(fd, addr, len);
    return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    srr_world *w = sock_world(fd);
    if (!w)
        return LIBC(connect)(fd, addr, len);
    int e = errno;
    return (int)srr__ret(w->ops->connect(w, fd, addr, len), e);
}

int shutdown(int fd, int how)
{
    srr_world *w = sock_world(fd);
    if (!w)
        return LIBC(shutdown)(fd, how);
    int e = errno;
    return (int)srr__ret(w->ops->shutdown(w, fd, how), e);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    srr_world *w = sock_world(fd);
    if (!w || !val || !len)
        return LIBC(getsockopt)(fd, level, name, val, len);
    int e = errno;
    return (int)srr__ret(w->ops->getsockopt(w, fd, level, name, val, len), e);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    srr_world *w = sock_world(fd);
    if (!w)
        return LIBC(setsockopt)(fd, level, name, val, len);
    int e = errno;
    return (int)srr__ret(w->ops->setsockopt(w, fd, level, name, val, len), e);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    srr_world *w = sock_world(fd);
    if (!w || !addr || !len)
        return LIBC(getsockname)(fd, addr, len);
    int e = errno;
    return (int)srr__ret(w->ops->getsockname(w, fd, addr, len), e);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    srr_world *w = sock_world(fd);
    if (!w || !addr || !len)
        return LIBC(getpeername)(fd, addr, len);
    int e = errno;
    return (int)srr__ret(w->ops->getpeername(w, fd, addr, len), e);
}

int close(int fd)
{
    srr_world *w = sock_world(fd);
    if (!w) {
        srr__fd_forget(fd);
        return LIBC(close)(fd);
    }
    int e = errno;
    int r = w->ops->close(w, fd);
    srr__fd_forget(fd);
    return (int)srr__ret(r, e);
}

/* Sockets closed behind the tap's back (close_range, closefrom): the trace
 * still gets their close. */
static __thread const char *range_via;

static void range_sock_closed(int fd)
{
    srr_world *w = srr__preload_world();
    if (w && srr__tap_is(w))
        srr__tap_forget(w, fd, range_via);
}

int close_range(unsigned int first, unsigned int last, int flags)
{
    srr__preload_world();
    if (!REAL(close_range)) {
        errno = ENOSYS;
        return -1;
    }
    int r = REAL(close_range)(first, last, flags);
    if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC)) {
        range_via = "close_range";
        srr__fd_forget_range(first, last, range_sock_closed);
    }
    return r;
}

void closefrom(int lowfd)
{
    srr__preload_world();
    if (lowfd >= 0) {
        range_via = "closefrom";
        srr__fd_forget_range((unsigned)lowfd, ~0u, range_sock_closed);
    }
    if (REAL(closefrom))
        REAL(closefrom)(lowfd);
}

int fclose(FILE *fp)
{
    srr_world *w = srr__preload_world();
    int fd = fp ? fileno(fp) : -1;
    if (w && fd >= 0 && srr__fd_is_sock(fd)) {
        if (srr__tap_is(w))
            srr__tap_forget(w, fd, "fclose");
        srr__fd_forget(fd);
    } else if (fd >= 0) {
        srr__fd_forget(fd);
    }
    return REAL(fclose)(fp);
}

/* dup, dup2, dup3: libc does it (the descriptor numbers are the kernel's),
 * the table and the trace follow. */
static int dup_follow(int old, int newfd, int flags, int r)
{
    srr_world *w = srr__preload_world();
    int e = errno;
    if (r >= 0 && r != old && newfd >= 0)
        srr__fd_forget(r); /* what newfd was is gone */
    if (w && srr__fd_is_sock(old)) {
        if (r >= 0)
            srr__fd_set_sock(r);
        if (srr__tap_is(w))
            srr__tap_dup(w, old, newfd, flags, r);
    }
    errno = e;
    return r;
}

int dup(int old)
{
    srr__preload_world();
    return dup_follow(old, -1, -1, REAL(dup)(old));
}

int dup2(int old, int newfd)
{
    srr_world *w = srr__preload_world();
    if (w && old != newfd && srr__fd_is_sock(newfd) && srr__tap_is(w) &&
        LIBC(fcntl)(old, F_GETFD) >= 0)
        srr__tap_forget(w, newfd, "dup2");
    return dup_follow(old, newfd, -1, REAL(dup2)(old, newfd));
}

int dup3(int old, int newfd, int flags)
{
    srr_world *w = srr__preload_world();
    if (w && old != newfd && srr__fd_is_sock(newfd) && srr__tap_is(w) &&
        LIBC(fcntl)(old, F_GETFD) >= 0)
        srr__tap_forget(w, newfd, "dup3");
    return dup_follow(old, newfd, flags, REAL(dup3)(old, newfd, flags));
}

/* fcntl's argument is an int or a pointer; both fit a long on Linux. */
static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, long arg)
{
    srr_world *w = sock_world(fd);
    int seam = cmd == F_GETFL || cmd == F_SETFL || cmd == F_GETFD || cmd == F_SETFD ||
               cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
    if (!w || !seam) {
        int r = real(fd, cmd, arg);
        if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
            srr__fd_forget(r);
        return r;
    }
    int e = errno;
    int r = w->ops->fcntl(w, fd, cmd, arg);
    if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
        srr__fd_set_sock(r);
    return (int)srr__ret(r, e);
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long);
    va_end(ap);
    srr__preload_world();
    return fcntl_common(LIBC(fcntl), fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long);
    va_end(ap);
    srr__preload_world();
    return fcntl_common(REAL(fcntl64) ? REAL(fcntl64) : LIBC(fcntl), fd, cmd, arg);
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    srr_world *w = sock_world(fd);
    int seam = request == FIONREAD || request == FIONBIO || request == SIOCOUTQ;
    if (!w || !seam || !arg)
        return LIBC(ioctl)(fd, request, arg);
    int e = errno;
    return (int)srr__ret(w->ops->ioctl(w, fd, request, arg), e);
}
