/*
 * check.c — the argument checks above the seam (check.h): Linux's syscall
 * layer, in its order.  The kernel functions each rule comes from are
 * named beside it (net/socket.c, lib/iov_iter.c, fs/read_write.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/sockios.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"

#define SRR_SOCK_TYPE_MASK 0xf /* the kernel's SOCK_TYPE_MASK */
#define SRR_SOCK_MAX 11        /* SOCK_PACKET + 1 */
#define SRR_UIO_MAXIOV 1024    /* the kernel's UIO_MAXIOV, glibc's IOV_MAX */

/* Where user space ends on every 64-bit Linux: x86-64 with 5-level pages
 * stops at 2^56 (4-level at 2^47), arm64 at 2^52.  A buffer reaching past
 * it fails the kernel's access_ok whatever the machine; one ending below
 * it and past this machine's end the kernel refuses too, and a world would
 * fault on it as libc would on any wild pointer. */
#if UINTPTR_MAX > 0xffffffffu
#define SRR_USER_END ((uintptr_t)1 << 56)
#else
#define SRR_USER_END ((uintptr_t)0xc0000000u)
#endif

/* access_ok: [p, p + len) lies in user space. */
static int user_range(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;
    return a <= SRR_USER_END && len <= SRR_USER_END - a;
}

/* __sys_socket: the flags; __sock_create: family, then type. */
static int check_family_type(int domain, int type)
{
    if (domain < 0 || domain >= AF_MAX)
        return -EAFNOSUPPORT;
    if ((type & SRR_SOCK_TYPE_MASK) >= SRR_SOCK_MAX)
        return -EINVAL;
    return 0;
}

static int check_type_flags(int type)
{
    return (type & ~SRR_SOCK_TYPE_MASK & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) ? -EINVAL : 0;
}

int srr__check_socket(int domain, int type)
{
    int r = check_type_flags(type);
    return r < 0 ? r : check_family_type(domain, type);
}

/* __sys_socketpair writes the pair out before it makes the sockets. */
int srr__check_socketpair(int domain, int type, const int *sv)
{
    int r = check_type_flags(type);
    if (r < 0)
        return r;
    if (!sv)
        return -EFAULT;
    return check_family_type(domain, type);
}

/* move_addr_to_kernel */
int srr__check_addr(const struct sockaddr *addr, socklen_t len)
{
    if ((int)len < 0 || len > sizeof(struct sockaddr_storage))
        return -EINVAL;
    if (len > 0 && !addr)
        return -EFAULT;
    return 0;
}

/* inet_stream_connect, inet_dgram_connect, inet_bind, inet6_bind and
 * af_unix's address checks all start with the family's length. */
int srr__check_sockaddr(const struct sockaddr *addr, socklen_t len)
{
    int r = srr__check_addr(addr, len);
    if (r < 0)
        return r;
    return len < sizeof(sa_family_t) ? -EINVAL : 0;
}

/* __sys_accept4, before the descriptor */
int srr__check_accept4(int flags)
{
    return (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) ? -EINVAL : 0;
}

/* inet_shutdown, unix_shutdown */
int srr__check_shutdown(int how)
{
    return how < SHUT_RD || how > SHUT_RDWR ? -EINVAL : 0;
}

/* sk_getsockopt (and the protocols' own): the length is read first */
int srr__check_getsockopt(const socklen_t *len)
{
    if (!len)
        return -EFAULT;
    return (int)*len < 0 ? -EINVAL : 0;
}

/* do_sock_setsockopt, then sk_setsockopt for SOL_SOCKET */
int srr__check_setsockopt(int level, int name, const void *val, socklen_t len)
{
    if ((int)len < 0)
        return -EINVAL;
    if (level == SOL_SOCKET && name != SO_BINDTODEVICE && len < sizeof(int))
        return -EINVAL;
    return !val && len > 0 ? -EFAULT : 0;
}

/* ioctl_fionbio and the protocols' SIOCINQ / SIOCOUTQ write through arg */
int srr__check_ioctl(unsigned long request, const void *arg)
{
    int writes = request == FIONBIO || request == FIONREAD || request == SIOCOUTQ;
    return writes && !arg ? -EFAULT : 0;
}

/* do_sys_poll: the count against RLIMIT_NOFILE, then the copy */
int srr__check_poll(const struct pollfd *fds, nfds_t n)
{
    if (n > 64) { /* fewer than any limit Linux lets a process set below */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && n > rl.rlim_cur)
            return -EINVAL;
    }
    return n > 0 && !fds ? -EFAULT : 0;
}

int srr__check_buf(const void *buf, size_t len)
{
    return !buf && len > 0 ? -EFAULT : 0;
}

/* vfs_read, vfs_write: access_ok before the length is cut */
int srr__check_rw(const void *buf, size_t len)
{
    return user_range(buf, len) ? 0 : -EFAULT;
}

/* import_ubuf cuts a send's or receive's length to MAX_RW_COUNT (INT_MAX
 * rounded down to a page) before access_ok: nothing is refused. */
size_t srr__rw_clamp(size_t len)
{
    if (len <= (size_t)INT_MAX - 65536)
        return len;
    size_t max = (size_t)INT_MAX & ~((size_t)sysconf(_SC_PAGESIZE) - 1);
    return len < max ? len : max;
}

/* do_readv, do_writev → import_iovec: the count is unsigned there */
int srr__check_iovcnt(int iovcnt)
{
    return iovcnt < 0 || iovcnt > SRR_UIO_MAXIOV ? -EINVAL : 0;
}

/* copy_iovec_from_user refuses a negative length in any piece before
 * __import_iovec runs access_ok over them. */
int srr__check_iov(const struct iovec *iov, size_t n)
{
    if (n == 0)
        return 0;
    if (!iov)
        return -EFAULT;
    for (size_t i = 0; i < n; i++)
        if ((ssize_t)iov[i].iov_len < 0)
            return -EINVAL;
    /* Linux cuts the total to MAX_RW_COUNT and faults when it copies: no
     * process maps 2^63 bytes.  The worlds add the lengths up in a size_t
     * and assert the sum fits ssize_t (world_assert.h); 129 pieces just
     * under the end of user space pass access_ok one by one and overflow
     * it, so the sum is refused here, as the copy would be. */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!user_range(iov[i].iov_base, iov[i].iov_len) ||
            iov[i].iov_len > (size_t)SSIZE_MAX - total)
            return -EFAULT;
        total += iov[i].iov_len;
    }
    return 0;
}

int srr__check_iov_bases(const struct iovec *iov, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!iov[i].iov_base && iov[i].iov_len > 0)
            return -EFAULT;
    return 0;
}

/* The flags the 64-bit syscalls refuse, then __copy_msghdr: a name's
 * length only counts with a name; a negative one is refused, a long one
 * cut; then the iovec count. */
static int check_msghdr(const struct msghdr *msg, int flags, struct msghdr *m)
{
    if (flags & SRR_MSG_CMSG_COMPAT)
        return -EINVAL;
    if (!msg)
        return -EFAULT;
    *m = *msg;
    if (!m->msg_name)
        m->msg_namelen = 0;
    if ((int)m->msg_namelen < 0)
        return -EINVAL;
    if (m->msg_namelen > sizeof(struct sockaddr_storage))
        m->msg_namelen = sizeof(struct sockaddr_storage);
    if (m->msg_iovlen > SRR_UIO_MAXIOV)
        return -EMSGSIZE;
    return srr__check_iov(m->msg_iov, m->msg_iovlen);
}

/* __sys_sendmsg, ___sys_sendmsg */
int srr__check_sendmsg(const struct msghdr *msg, int flags, struct msghdr *out)
{
    struct msghdr m;
    int r = check_msghdr(msg, flags, &m);
    if (r < 0)
        return r;
    if (m.msg_namelen == 0)
        m.msg_name = NULL; /* a sendmsg name of length 0 is none */
    if (m.msg_controllen > INT_MAX)
        return -ENOBUFS;
    if (!m.msg_control && m.msg_controllen > 0)
        return -EFAULT;
    r = srr__check_iov_bases(m.msg_iov, m.msg_iovlen);
    if (r < 0)
        return r;
    *out = m;
    return 0;
}

/* __sys_recvmsg, ___sys_recvmsg */
int srr__check_recvmsg(const struct msghdr *msg, int flags, struct msghdr *out)
{
    struct msghdr m;
    int r = check_msghdr(msg, flags, &m);
    if (r < 0)
        return r;
    if (!(flags & MSG_TRUNC)) {
        r = srr__check_iov_bases(m.msg_iov, m.msg_iovlen);
        if (r < 0)
            return r;
    }
    *out = m;
    return 0;
}

/* ____sys_recvmsg writes back the name's full length (with a name), the
 * control data's length and the flags. */
void srr__recvmsg_done(const struct msghdr *filled, struct msghdr *msg)
{
    if (msg->msg_name)
        msg->msg_namelen = filled->msg_namelen;
    msg->msg_controllen = filled->msg_controllen;
    msg->msg_flags = filled->msg_flags;
}

/* the mmsg syscalls refuse the compat flag first; a vector that cannot be
 * read fails its first message */
int srr__check_mmsg(const void *vec, unsigned int vlen, int flags)
{
    if (flags & SRR_MSG_CMSG_COMPAT)
        return -EINVAL;
    return !vec && vlen > 0 ? -EFAULT : 0;
}

/* do_recvmmsg → poll_select_set_timeout → timespec64_valid */
int srr__check_timeout(const struct timespec *ts)
{
    if (!ts)
        return 0;
    return ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L ? -EINVAL : 0;
}

/* move_addr_to_user */
int srr__copy_addr_out(const struct sockaddr *kaddr, socklen_t klen, struct sockaddr *uaddr,
                       socklen_t *ulen)
{
    if (!ulen)
        return -EFAULT;
    int len = (int)*ulen;
    if (len > (int)klen)
        len = (int)klen;
    if (len < 0)
        return -EINVAL;
    if (len > 0) {
        if (!uaddr)
            return -EFAULT;
        memcpy(uaddr, kaddr, (size_t)len);
    }
    *ulen = klen;
    return 0;
}
