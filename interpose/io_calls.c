/*
 * io_calls.c — moving bytes: send, sendto, sendmsg, sendmmsg, recv,
 * recvfrom, recvmsg, recvmmsg, read, write, readv, writev, sendfile,
 * splice, the fortified __read_chk, __recv_chk, __recvfrom_chk, and the
 * positional pread/pwrite (which a socket refuses with ESPIPE: libc's
 * answer is already the right one).
 *
 * Everything on a socket becomes the seam's sendmsg or recvmsg, so the
 * trace has one op per direction whichever call the program used.
 */
#define _GNU_SOURCE
#include <string.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "preload.h"

/* The world when fd is one of its sockets (*h its handle), else NULL. */
static srr_world *sock_world(int fd, int *h)
{
    srr_world *w = srr__preload_world();
    if (!w)
        return NULL;
    *h = srr__fd_handle(fd);
    return *h >= 0 ? w : NULL;
}

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
    long r = w->ops->sendmsg(w, h, msg, flags);
    srr__preload_sigpipe(r, flags);
    if (r == -EAGAIN && fd >= 0)
        srr__epoll_rearm(fd);
    return r;
}

static ssize_t world_recv(srr_world *w, int h, struct msghdr *msg, int flags, int fd)
{
    long r = w->ops->recvmsg(w, h, msg, flags);
    if (r >= 0)
        note_rights(msg);
    else if (r == -EAGAIN && fd >= 0)
        srr__epoll_rearm(fd);
    return r;
}


/* ---------------------------------------------------------------- send */

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w || !msg)
        return LIBC(sendmsg)(fd, msg, flags);
    int e = errno;
    return srr__ret(world_send(w, h, msg, flags, fd), e);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t tolen)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w)
        return REAL(sendto)(fd, buf, len, flags, to, tolen);
    int e = errno;
    struct iovec iov = {(void *)buf, len};
    struct msghdr m = {.msg_name = (void *)to, .msg_namelen = to ? tolen : 0, .msg_iov = &iov,
                       .msg_iovlen = 1};
    return srr__ret(world_send(w, h, &m, flags, fd), e);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w)
        return LIBC(send)(fd, buf, len, flags);
    int e = errno;
    struct iovec iov = {(void *)buf, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return srr__ret(world_send(w, h, &m, flags, fd), e);
}

ssize_t write(int fd, const void *buf, size_t len)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w)
        return LIBC(write)(fd, buf, len);
    int e = errno;
    struct iovec iov = {(void *)buf, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    long r = world_send(w, h, &m, 0, fd);
    if (not_a_socket(r, fd))
        return LIBC(write)(fd, buf, len);
    return srr__ret(r, e);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w || iovcnt < 0)
        return REAL(writev)(fd, iov, iovcnt);
    int e = errno;
    struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    long r = world_send(w, h, &m, 0, fd);
    if (not_a_socket(r, fd))
        return REAL(writev)(fd, iov, iovcnt);
    return srr__ret(r, e);
}

/* One message at a time through the seam: what the kernel's loop does. */
int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w || !vec)
        return REAL(sendmmsg)(fd, vec, vlen, flags);
    int e = errno;
    if (vlen > UIO_MAXIOV)
        vlen = UIO_MAXIOV;
    unsigned int i;
    for (i = 0; i < vlen; i++) {
        long r = world_send(w, h, &vec[i].msg_hdr, flags, fd);
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
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w || !msg)
        return LIBC(recvmsg)(fd, msg, flags);
    int e = errno;
    return srr__ret(world_recv(w, h, msg, flags, fd), e);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                 socklen_t *fromlen)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w)
        return REAL(recvfrom)(fd, buf, len, flags, from, fromlen);
    int e = errno;
    struct iovec iov = {buf, len};
    struct msghdr m = {.msg_name = from && fromlen ? from : NULL,
                       .msg_namelen = from && fromlen ? *fromlen : 0,
                       .msg_iov = &iov,
                       .msg_iovlen = 1};
    long r = world_recv(w, h, &m, flags, fd);
    if (r >= 0 && from && fromlen)
        *fromlen = m.msg_namelen;
    return srr__ret(r, e);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w)
        return REAL(recv)(fd, buf, len, flags);
    int e = errno;
    struct iovec iov = {buf, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return srr__ret(world_recv(w, h, &m, flags, fd), e);
}

ssize_t read(int fd, void *buf, size_t len)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w)
        return REAL(read)(fd, buf, len);
    int e = errno;
    struct iovec iov = {buf, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    long r = world_recv(w, h, &m, 0, fd);
    if (not_a_socket(r, fd))
        return REAL(read)(fd, buf, len);
    return srr__ret(r, e);
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w || iovcnt < 0)
        return REAL(readv)(fd, iov, iovcnt);
    int e = errno;
    struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    long r = world_recv(w, h, &m, 0, fd);
    if (not_a_socket(r, fd))
        return REAL(readv)(fd, iov, iovcnt);
    return srr__ret(r, e);
}

/* MSG_WAITFORONE: after the first message, the rest only if already there.
 * The timeout is checked between messages, as Linux does. */
int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout)
{
    int h;
    srr_world *w = sock_world(fd, &h);
    if (!w || !vec)
        return REAL(recvmmsg)(fd, vec, vlen, flags, timeout);
    int e = errno;
    int64_t deadline = -1;
    if (timeout)
        deadline = w->ops->now(w, CLOCK_MONOTONIC) + timeout->tv_sec * 1000000000LL +
                   timeout->tv_nsec;
    unsigned int i;
    for (i = 0; i < vlen; i++) {
        int f = flags & ~MSG_WAITFORONE;
        if (i > 0 && (flags & MSG_WAITFORONE))
            f |= MSG_DONTWAIT;
        long r = world_recv(w, h, &vec[i].msg_hdr, f, fd);
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
    int h;
    if (len > buflen || !sock_world(fd, &h))
        return REAL(__read_chk)(fd, buf, len, buflen);
    return read(fd, buf, len);
}

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
    int h;
    if (len > buflen || !sock_world(fd, &h))
        return REAL(__recv_chk)(fd, buf, len, buflen, flags);
    return recv(fd, buf, len, flags);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
                       struct sockaddr *from, socklen_t *fromlen)
{
    int h;
    if (len > buflen || !sock_world(fd, &h))
        return REAL(__recvfrom_chk)(fd, buf, len, buflen, flags, from, fromlen);
    return recvfrom(fd, buf, len, flags, from, fromlen);
}

/* --------------------------------------------------------- file to socket */

/* sendfile and splice into or out of a socket move bytes the trace must
 * see: they go through a buffer and the seam.  Bounded chunks keep it a
 * partial transfer, which both calls allow. */
#define COPY_CHUNK 65536

static ssize_t sendfile_via_seam(srr_world *w, int out, int in, off64_t *off, size_t count)
{
    char buf[COPY_CHUNK];
    size_t want = count < sizeof buf ? count : sizeof buf;
    ssize_t n = off ? REAL(pread64)(in, buf, want, *off) : REAL(read)(in, buf, want);
    if (n <= 0)
        return n;
    int e = errno;
    struct iovec iov = {buf, (size_t)n};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    long r = world_send(w, out, &m, 0, -1);
    if (r < 0) {
        if (!off)
            REAL(lseek)(in, -n, SEEK_CUR); /* nothing was sent: put it back */
        return srr__ret(r, e);
    }
    if (off)
        *off += r;
    else if (r < n)
        REAL(lseek)(in, r - n, SEEK_CUR);
    errno = e;
    return r;
}

ssize_t sendfile(int out, int in, off_t *offset, size_t count)
{
    int h;
    srr_world *w = sock_world(out, &h);
    if (!w)
        return REAL(sendfile)(out, in, offset, count);
    off64_t o = offset ? *offset : 0;
    ssize_t r = sendfile_via_seam(w, h, in, offset ? &o : NULL, count);
    if (offset && r >= 0)
        *offset = (off_t)o;
    return r;
}

ssize_t sendfile64(int out, int in, off64_t *offset, size_t count)
{
    int h;
    srr_world *w = sock_world(out, &h);
    if (!w)
        return REAL(sendfile64)(out, in, offset, count);
    return sendfile_via_seam(w, h, in, offset, count);
}

ssize_t splice(int in, off64_t *in_off, int out, off64_t *out_off, size_t len, unsigned int flags)
{
    srr_world *w = srr__preload_world();
    int hin = w ? srr__fd_handle(in) : -1, hout = w ? srr__fd_handle(out) : -1;
    int in_sock = hin >= 0, out_sock = hout >= 0;
    if (!in_sock && !out_sock)
        return REAL(splice)(in, in_off, out, out_off, len, flags);
    /* one side is a pipe (splice needs one); the socket side goes through
     * the seam */
    char buf[COPY_CHUNK];
    size_t want = len < sizeof buf ? len : sizeof buf;
    int e = errno;
    int nb = (flags & SPLICE_F_NONBLOCK) ? MSG_DONTWAIT : 0;
    ssize_t n;
    if (in_sock) {
        struct iovec iov = {buf, want};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
        n = world_recv(w, hin, &m, nb, in);
    } else {
        n = in_off ? REAL(pread64)(in, buf, want, *in_off) : REAL(read)(in, buf, want);
        if (n < 0)
            n = -errno;
        else if (in_off)
            *in_off += n;
    }
    if (n <= 0)
        return srr__ret(n, e);
    size_t done = 0;
    while (done < (size_t)n) {
        ssize_t k;
        if (out_sock) {
            struct iovec iov = {buf + done, (size_t)n - done};
            struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
            k = world_send(w, hout, &m, 0, out); /* blocking: the bytes are taken already */
        } else {
            k = out_off ? REAL(pwrite64)(out, buf + done, (size_t)n - done, *out_off)
                        : LIBC(write)(out, buf + done, (size_t)n - done);
            if (k < 0)
                k = -errno;
            else if (out_off)
                *out_off += k;
        }
        if (k == -EINTR)
            continue;
        if (k < 0)
            return done ? (ssize_t)done : srr__ret(k, e);
        done += (size_t)k;
    }
    errno = e;
    return (ssize_t)done;
}

/* ----------------------------------------------------------- positional */

/* A socket has no file position: Linux refuses these with ESPIPE before a
 * byte moves, and so does every world. */
#define POSITIONAL(name, type, buftype, offtype)                                               \
    type name(int fd, buftype buf, size_t len, offtype off)                                    \
    {                                                                                          \
        int h;                                                                                 \
        if (sock_world(fd, &h)) {                                                              \
            errno = ESPIPE;                                                                    \
            return -1;                                                                         \
        }                                                                                      \
        return REAL(name)(fd, buf, len, off);                                                  \
    }
POSITIONAL(pread, ssize_t, void *, off_t)
POSITIONAL(pwrite, ssize_t, const void *, off_t)
POSITIONAL(pread64, ssize_t, void *, off64_t)
POSITIONAL(pwrite64, ssize_t, const void *, off64_t)
