/*
 * io_calls.c — moving bytes: send, sendto, sendmsg, sendmmsg, recv,
 * recvfrom, recvmsg, recvmmsg, read, write, readv, writev, sendfile,
 * splice, the fortified __read_chk, __recv_chk, __recvfrom_chk, and the
 * positional pread/pwrite (which a socket refuses with ESPIPE: libc's
 * answer is already the right one).
 *
 * Everything on a socket becomes the seam's sendmsg or recvmsg, so the
 * trace has one op per direction whichever call the program used.  The
 * arguments are checked first (lib/core/check.h): a call Linux refuses
 * fails here, in every world alike, and never reaches the world.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "check.h"
#include "preload.h"

/* A descriptor the table called a socket that the world says is not one
 * (closed behind the interposer's back and reused): the table learns, the
 * caller goes to libc. */
static int not_a_socket(long r, int fd)
{
    if (r != -ENOTSOCK || srr__preload_own_handles())
        return 0;
    srr__fd_set_plain(fd);
    return 1;
}

/* Received descriptors (SCM_RIGHTS) are new to the table. */
static void note_rights(const struct msghdr *msg)
{
    if (!msg->msg_control)
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
         c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
            srr__fd_forget(fd);
        }
    }
}

/* h is the world's handle, fd the program's descriptor, for edge-triggered
 * epoll's bookkeeping. */
static ssize_t world_send(srr_world *w, int h, const struct msghdr *msg, int flags, int fd)
{
    long r;
    do
        r = w->ops->sendmsg(w, h, msg, flags);
    while (srr__signals_restart(r));
    srr__preload_sigpipe(r, flags);
    if (r == -EAGAIN && fd >= 0)
        srr__epoll_rearm(fd);
    return r;
}

static ssize_t world_recv(srr_world *w, int h, struct msghdr *msg, int flags, int fd)
{
    long r;
    do
        r = w->ops->recvmsg(w, h, msg, flags);
    while (srr__signals_restart(r));
    if (r >= 0)
        note_rights(msg);
    else if (r == -EAGAIN && fd >= 0)
        srr__epoll_rearm(fd);
    return r;
}

/* One buffer through the seam, as send (out) or recv: the calls that take
 * a buffer and no address. */
static ssize_t world_buf(srr_world *w, int h, int fd, void *buf, size_t len, int flags, int out)
{
    struct iovec iov = {buf, srr__rw_clamp(len)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return out ? world_send(w, h, &m, flags, fd) : world_recv(w, h, &m, flags, fd);
}

/* The real writev and readv wake and wait as real_write and real_read do
 * (below). */
static ssize_t real_writev(int fd, const struct iovec *iov, int iovcnt)
{
    ssize_t r = REAL(writev)(fd, iov, iovcnt);
    if (r > 0)
        srr__real_written(fd);
    return r;
}

static ssize_t real_readv(int fd, const struct iovec *iov, int iovcnt)
{
    int e = errno, r = srr__wait_readable(fd);
    return r < 0 ? srr__ret(r, e) : REAL(readv)(fd, iov, iovcnt);
}

/* writev's and readv's count and vector checked. */
static long check_vec(const struct iovec *iov, int iovcnt)
{
    long r = srr__check_iovcnt(iovcnt);
    return r < 0 ? r : srr__check_iov(iov, (size_t)iovcnt);
}

/* writev (out) or readv with its count checked, and write and read as
 * one buffer of it: the buffers, then the world, or the descriptor's own
 * call when the world has no socket there. */
static ssize_t world_vec(srr_world *w, int h, int fd, const struct iovec *iov, int iovcnt, int e,
                         int out)
{
    long r = srr__check_iov_bases(iov, (size_t)iovcnt);
    if (r < 0)
        return srr__ret(r, e);
    struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    r = out ? world_send(w, h, &m, 0, fd) : world_recv(w, h, &m, 0, fd);
    if (not_a_socket(r, fd))
        return out ? real_writev(fd, iov, iovcnt) : real_readv(fd, iov, iovcnt);
    return srr__ret(r, e);
}

/* ---------------------------------------------------------------- send */

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    IN_WORLD_OR(fd, LIBC(sendmsg)(fd, msg, flags));
    struct msghdr m;
    long r = srr__check_sendmsg(msg, flags, &m);
    return srr__ret(r < 0 ? r : world_send(w, h, &m, flags, fd), e);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t tolen)
{
    IN_WORLD_OR(fd, REAL(sendto)(fd, buf, len, flags, to, tolen));
    long r = to ? srr__check_addr(to, tolen) : 0; /* a NULL address is none */
    if (r == 0)
        r = srr__check_buf(buf, len);
    if (r < 0)
        return srr__ret(r, e);
    /* a name of length 0 stays: the protocol answers for it, as Linux's
     * sendto does (UDP refuses it, TCP ignores it) */
    struct iovec iov = {(void *)buf, srr__rw_clamp(len)};
    struct msghdr m = {.msg_name = (void *)to, .msg_namelen = to ? tolen : 0, .msg_iov = &iov,
                       .msg_iovlen = 1};
    return srr__ret(world_send(w, h, &m, srr__check_plain_flags(flags), fd), e);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    IN_WORLD_OR(fd, LIBC(send)(fd, buf, len, flags));
    long r = srr__check_buf(buf, len);
    if (r < 0)
        return srr__ret(r, e);
    return srr__ret(world_buf(w, h, fd, (void *)buf, len, srr__check_plain_flags(flags), 1), e);
}

/* A write to one of the process's own descriptors wakes whoever waits on
 * them (wait_real.c). */
static ssize_t real_write(int fd, const void *buf, size_t len)
{
    ssize_t r = LIBC(write)(fd, buf, len);
    if (r > 0)
        srr__real_written(fd);
    return r;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    IN_WORLD_OR(fd, real_write(fd, buf, len));
    long r = srr__check_rw(buf, len);
    if (r < 0)
        return srr__ret(r, e);
    struct iovec iov = {(void *)buf, srr__rw_clamp(len)};
    return world_vec(w, h, fd, &iov, 1, e, 1);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    IN_WORLD_OR(fd, real_writev(fd, iov, iovcnt));
    long r = check_vec(iov, iovcnt);
    return r < 0 ? srr__ret(r, e) : world_vec(w, h, fd, iov, iovcnt, e, 1);
}

/* One message at a time through the seam: what the kernel's loop does. */
int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
    IN_WORLD_OR(fd, REAL(sendmmsg)(fd, vec, vlen, flags));
    long c = srr__check_mmsg(vec, vlen, flags);
    if (c < 0)
        return (int)srr__ret(c, e);
    if (vlen > UIO_MAXIOV)
        vlen = UIO_MAXIOV;
    unsigned int i;
    for (i = 0; i < vlen; i++) {
        struct msghdr m;
        long r = srr__check_sendmsg(&vec[i].msg_hdr, flags, &m);
        if (r == 0)
            r = world_send(w, h, &m, flags, fd);
        if (r < 0) {
            if (i > 0)
                break; /* the error shows on the next call, as in Linux */
            return (int)srr__ret(r, e);
        }
        vec[i].msg_len = (unsigned int)r;
    }
    errno = e;
    return (int)i;
}

/* -------------------------------------------------------------- receive */

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    IN_WORLD_OR(fd, LIBC(recvmsg)(fd, msg, flags));
    struct msghdr m;
    long r = srr__check_recvmsg(msg, flags, &m);
    if (r == 0)
        r = world_recv(w, h, &m, flags, fd);
    if (r >= 0)
        srr__recvmsg_done(&m, msg);
    return srr__ret(r, e);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                 socklen_t *fromlen)
{
    IN_WORLD_OR(fd, REAL(recvfrom)(fd, buf, len, flags, from, fromlen));
    long r = flags & MSG_TRUNC ? 0 : srr__check_buf(buf, len);
    if (r < 0)
        return srr__ret(r, e);
    /* the sender's address comes into storage of the interposer's own and
     * goes out as Linux's move_addr_to_user does: after the receive, so a
     * bad length fails a call whose datagram is gone */
    struct sockaddr_storage ss;
    struct iovec iov = {buf, srr__rw_clamp(len)};
    struct msghdr m = {.msg_name = from ? &ss : NULL,
                       .msg_namelen = from ? sizeof ss : 0,
                       .msg_iov = &iov,
                       .msg_iovlen = 1};
    r = world_recv(w, h, &m, srr__check_plain_flags(flags), fd);
    if (r >= 0 && from) {
        long c = srr__copy_addr_out((struct sockaddr *)&ss, m.msg_namelen, from, fromlen);
        if (c < 0)
            r = c;
    }
    return srr__ret(r, e);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    IN_WORLD_OR(fd, REAL(recv)(fd, buf, len, flags));
    long r = flags & MSG_TRUNC ? 0 : srr__check_buf(buf, len);
    if (r < 0)
        return srr__ret(r, e);
    return srr__ret(world_buf(w, h, fd, buf, len, srr__check_plain_flags(flags), 0), e);
}

/* A blocking read of one of the process's own descriptors waits as a wait
 * the world counts (wait_real.c), then reads. */
static ssize_t real_read(int fd, void *buf, size_t len)
{
    int e = errno, r = len ? srr__wait_readable(fd) : 0;
    if (r < 0)
        return srr__ret(r, e);
    return REAL(read)(fd, buf, len);
}

ssize_t read(int fd, void *buf, size_t len)
{
    IN_WORLD_OR(fd, real_read(fd, buf, len));
    long r = srr__check_rw(buf, len);
    if (r < 0)
        return srr__ret(r, e);
    if (len == 0)
        return 0; /* Linux's read of nothing on a socket: no datagram consumed */
    struct iovec iov = {buf, srr__rw_clamp(len)};
    return world_vec(w, h, fd, &iov, 1, e, 0);
}


ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
    IN_WORLD_OR(fd, real_readv(fd, iov, iovcnt));
    long r = check_vec(iov, iovcnt);
    if (r < 0)
        return srr__ret(r, e);
    int any = 0;
    for (int i = 0; i < iovcnt; i++)
        any |= iov[i].iov_len > 0;
    if (!any)
        return 0; /* Linux's read of nothing on a socket */
    return world_vec(w, h, fd, iov, iovcnt, e, 0);
}

/* MSG_WAITFORONE: after the first message, the rest only if already there.
 * The timeout is checked between messages, as Linux does. */
int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout)
{
    IN_WORLD_OR(fd, REAL(recvmmsg)(fd, vec, vlen, flags, timeout));
    long c = flags & SRR_MSG_CMSG_COMPAT ? -EINVAL : srr__check_timeout(timeout);
    if (c == 0)
        c = srr__check_mmsg(vec, vlen, flags);
    if (c < 0)
        return (int)srr__ret(c, e);
    if (vlen > UIO_MAXIOV)
        vlen = UIO_MAXIOV;
    int64_t deadline = -1;
    if (timeout)
        deadline = w->ops->now(w, CLOCK_MONOTONIC) + srr__ts_ns(timeout);
    unsigned int i;
    for (i = 0; i < vlen; i++) {
        int f = flags & ~MSG_WAITFORONE;
        if (i > 0 && (flags & MSG_WAITFORONE))
            f |= MSG_DONTWAIT;
        struct msghdr m;
        long r = srr__check_recvmsg(&vec[i].msg_hdr, f, &m);
        if (r == 0)
            r = world_recv(w, h, &m, f, fd);
        if (r >= 0)
            srr__recvmsg_done(&m, &vec[i].msg_hdr);
        if (r < 0) {
            if (i > 0)
                break;
            return (int)srr__ret(r, e);
        }
        vec[i].msg_len = (unsigned int)r;
        if (deadline >= 0 && w->ops->now(w, CLOCK_MONOTONIC) >= deadline) {
            i++;
            break;
        }
    }
    errno = e;
    return (int)i;
}

/* ------------------------------------------------------------ fortified */

/* The checks glibc's own __*_chk make: a length beyond the buffer is a
 * bug the program must die of; libc's function does the dying. */
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
    if (len > buflen)
        return REAL(__read_chk)(fd, buf, len, buflen);
    return read(fd, buf, len); /* a socket's, or one of the process's own waits */
}

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
    int h;
    if (len > buflen || !srr__sock_world(fd, &h))
        return REAL(__recv_chk)(fd, buf, len, buflen, flags);
    return recv(fd, buf, len, flags);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
                       struct sockaddr *from, socklen_t *fromlen)
{
    int h;
    if (len > buflen || !srr__sock_world(fd, &h))
        return REAL(__recvfrom_chk)(fd, buf, len, buflen, flags, from, fromlen);
    return recvfrom(fd, buf, len, flags, from, fromlen);
}

/* --------------------------------------------------------- file to socket */

/* sendfile and splice into or out of a socket move bytes the trace must
 * see: they go through a buffer and the seam, a piece at a time, until the
 * count is done or the socket takes less (a partial transfer, which both
 * calls allow).  Never is a byte taken from the source that the
 * destination did not take. */
#define COPY_CHUNK 65536

static ssize_t sendfile_via_seam(srr_world *w, int h, int fd, int in, off64_t *off, size_t count)
{
    char *buf = malloc(COPY_CHUNK);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    int e = errno;
    size_t done = 0;
    long err = 0;
    while (done < count) {
        size_t want = count - done < COPY_CHUNK ? count - done : COPY_CHUNK;
        ssize_t n = off ? REAL(pread64)(in, buf, want, *off) : REAL(read)(in, buf, want);
        if (n <= 0) {
            if (n < 0)
                err = -errno;
            break;
        }
        struct iovec iov = {buf, (size_t)n};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
        long r = world_send(w, h, &m, 0, fd);
        long sent = r < 0 ? 0 : r;
        if (off)
            *off += sent;
        else if (sent < n)
            REAL(lseek)(in, sent - n, SEEK_CUR); /* the unsent rest goes back */
        done += (size_t)sent;
        if (r < 0) {
            err = r;
            break;
        }
        if (sent < n)
            break;
    }
    free(buf);
    if (done == 0 && err < 0)
        return srr__ret(err, e);
    errno = e;
    return (ssize_t)done;
}

ssize_t sendfile(int out, int in, off_t *offset, size_t count)
{
    int h;
    srr_world *w = srr__sock_world(out, &h);
    if (!w)
        return REAL(sendfile)(out, in, offset, count);
    off64_t o = offset ? *offset : 0;
    ssize_t r = sendfile_via_seam(w, h, out, in, offset ? &o : NULL, count);
    if (offset && r >= 0)
        *offset = (off_t)o;
    return r;
}

ssize_t sendfile64(int out, int in, off64_t *offset, size_t count)
{
    int h;
    srr_world *w = srr__sock_world(out, &h);
    if (!w)
        return REAL(sendfile64)(out, in, offset, count);
    return sendfile_via_seam(w, h, out, in, offset, count);
}

/* socket -> pipe: only what the pipe has room for is received. */
static ssize_t splice_from_socket(srr_world *w, int in, int h, int out, size_t len,
                                  unsigned int flags)
{
    int size = LIBC(fcntl)(out, F_GETPIPE_SZ), queued = 0;
    if (size < 0)
        return -1; /* not a pipe: EINVAL or EBADF, as splice says */
    LIBC(ioctl)(out, FIONREAD, &queued);
    size_t room = size > queued ? (size_t)(size - queued) : 0;
    if (room == 0) {
        if ((flags & SPLICE_F_NONBLOCK) || (LIBC(fcntl)(out, F_GETFL) & O_NONBLOCK)) {
            errno = EAGAIN;
            return -1;
        }
        struct pollfd p = {out, POLLOUT, 0}; /* a blocking splice waits for room */
        if (REAL(poll)(&p, 1, -1) < 0)
            return -1;
        LIBC(ioctl)(out, FIONREAD, &queued);
        room = size > queued ? (size_t)(size - queued) : 1;
    }
    size_t want = len < room ? len : room;
    if (want > COPY_CHUNK)
        want = COPY_CHUNK;
    char *buf = malloc(want ? want : 1);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    int e = errno;
    struct iovec iov = {buf, want};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    long n = world_recv(w, h, &m, (flags & SPLICE_F_NONBLOCK) ? MSG_DONTWAIT : 0, in);
    size_t done = 0;
    while (n > 0 && done < (size_t)n) { /* it fits: the room was measured */
        ssize_t k = LIBC(write)(out, buf + done, (size_t)n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    free(buf);
    if (n < 0)
        return srr__ret(n, e);
    errno = e;
    return (ssize_t)done;
}

/* pipe -> socket: the pipe's bytes are looked at through tee() into a
 * private pipe, sent, and only what the socket took is then drained. */
static ssize_t splice_to_socket(srr_world *w, int in, int out, int h, size_t len,
                                unsigned int flags)
{
    int priv[2];
    if (pipe2(priv, O_CLOEXEC) < 0)
        return -1;
    size_t want = len < COPY_CHUNK ? len : COPY_CHUNK;
    ssize_t n = tee(in, priv[1], want, flags & SPLICE_F_NONBLOCK);
    char *buf = n > 0 ? malloc((size_t)n) : NULL;
    long r = n;
    int e = errno;
    if (n > 0 && !buf) {
        r = -ENOMEM;
    } else if (n > 0) {
        ssize_t got = REAL(read)(priv[0], buf, (size_t)n);
        struct iovec iov = {buf, got > 0 ? (size_t)got : 0};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
        r = world_send(w, h, &m, (flags & SPLICE_F_NONBLOCK) ? MSG_DONTWAIT : 0, out);
        /* drain from the pipe what the socket took, and only that */
        for (long left = r; left > 0;) {
            ssize_t k = REAL(read)(in, buf, (size_t)left);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            left -= k;
        }
    } else if (n < 0) {
        r = -errno;
    }
    free(buf);
    LIBC(close)(priv[0]);
    LIBC(close)(priv[1]);
    if (r < 0)
        return srr__ret(r, e);
    errno = e;
    return (ssize_t)r;
}

ssize_t splice(int in, off64_t *in_off, int out, off64_t *out_off, size_t len, unsigned int flags)
{
    srr_world *w = srr__preload_world();
    int hin = w ? srr__fd_handle(in) : -1, hout = w ? srr__fd_handle(out) : -1;
    if (hin < 0 && hout < 0)
        return REAL(splice)(in, in_off, out, out_off, len, flags);
    /* splice needs a pipe on one side, and a socket has no offset */
    if ((hin >= 0 && in_off) || (hout >= 0 && out_off) || (hin >= 0 && hout >= 0)) {
        errno = hin >= 0 && hout >= 0 ? EINVAL : ESPIPE;
        return -1;
    }
    if (len == 0)
        return 0;
    if (hin >= 0)
        return splice_from_socket(w, in, hin, out, len, flags);
    if (in_off) {
        errno = ESPIPE; /* the other side must be the pipe */
        return -1;
    }
    return splice_to_socket(w, in, out, hout, len, flags);
}

/* ----------------------------------------------------------- positional */

/* A socket has no file position: Linux refuses these with ESPIPE before a
 * byte moves, and so does every world. */
#define POSITIONAL(name, type, buftype, offtype)                                                   \
    type name(int fd, buftype buf, size_t len, offtype off)                                        \
    {                                                                                              \
        int h;                                                                                     \
        if (srr__sock_world(fd, &h)) {                                                             \
            errno = ESPIPE;                                                                        \
            return -1;                                                                             \
        }                                                                                          \
        return REAL(name)(fd, buf, len, off);                                                      \
    }
POSITIONAL(pread, ssize_t, void *, off_t)
POSITIONAL(pwrite, ssize_t, const void *, off_t)
POSITIONAL(pread64, ssize_t, void *, off64_t)
POSITIONAL(pwrite64, ssize_t, const void *, off64_t)
