/*
 * check.h — the argument checks both front doors make before a call
 * reaches a world: the C API (lib/api) and the interposer (interpose/).
 * Each checks what Linux refuses in its syscall layer, before a protocol
 * looks at the call, whatever the socket's family or state, and returns 0
 * or the negative errno Linux gives, testing in Linux's order.  A world
 * then assumes what the checks guarantee and asserts it (sockrr_world.h).
 *
 * The front doors call them only for a socket of the world: what is no
 * socket (a pipe, a file, a closed number) goes to libc, which answers in
 * the kernel's order (EBADF and ENOTSOCK before or after the address, as
 * the kernel decides).  A check costs a few compares and makes no syscall
 * (the one exception: poll with more than 64 entries reads RLIMIT_NOFILE).
 *
 * The table, as Linux 6.18 answers it on x86-64 (fixtures/native/badargs.c
 * prints a row for each; tests/integration/badargs.sh checks that every
 * world gives the native answer):
 *
 *   socket, socketpair  type flags beyond SOCK_NONBLOCK|SOCK_CLOEXEC  EINVAL
 *                       socketpair's sv NULL                     EFAULT
 *                       family < 0 or >= AF_MAX                  EAFNOSUPPORT
 *                       type >= SOCK_MAX                         EINVAL
 *   bind, connect       (int)len < 0 or len > sockaddr_storage   EINVAL
 *                       addr NULL with len > 0                   EFAULT
 *                       len < sizeof(sa_family_t)                EINVAL
 *   sendto              the same for a non-NULL address; a NULL address is
 *                       none, whatever its length; a length of 0 reaches
 *                       the world (UDP says EINVAL, TCP ignores it)
 *   accept4             flags beyond SOCK_NONBLOCK|SOCK_CLOEXEC   EINVAL
 *   sendmsg, recvmsg    flags with MSG_CMSG_COMPAT               EINVAL
 *   (and the mmsg pair) msg NULL                                 EFAULT
 *                       msg_name set, (int)msg_namelen < 0       EINVAL
 *                       msg_iovlen > UIO_MAXIOV                  EMSGSIZE
 *                       msg_iov NULL with msg_iovlen > 0         EFAULT
 *                       an iov_len < 0 as ssize_t                EINVAL
 *                       a piece ending past user space           EFAULT
 *                       lengths whose sum overflows ssize_t      EFAULT
 *                       (see "answered early")
 *                       sendmsg: msg_controllen > INT_MAX        ENOBUFS
 *                       sendmsg: msg_control NULL, controllen > 0 EFAULT
 *                       Linux reads msg_namelen only with msg_name set,
 *                       and cuts it to sizeof(struct sockaddr_storage);
 *                       sendmsg drops a name of length 0.  The world gets
 *                       the message that way (srr__check_sendmsg's out).
 *   recvmmsg            a timeout outside [0, 1e9) ns            EINVAL
 *   readv, writev       iovcnt < 0 or > IOV_MAX                  EINVAL
 *                       then the iovec rules above
 *   read, write         a buffer ending past user space          EFAULT
 *   send, recv, ...     a length past MAX_RW_COUNT is cut to it
 *   getsockopt          optlen NULL                              EFAULT
 *                       (int)*optlen < 0                         EINVAL
 *   setsockopt          (int)optlen < 0                          EINVAL
 *                       SOL_SOCKET, optlen < sizeof(int) (but for
 *                       SO_BINDTODEVICE)                         EINVAL
 *                       optval NULL with optlen > 0              EFAULT
 *   listen              nothing: Linux cuts the backlog to somaxconn,
 *                       comparing unsigned (a negative one is the cap)
 *   shutdown            how outside SHUT_RD..SHUT_RDWR           EINVAL
 *   ioctl               FIONBIO, FIONREAD, SIOCOUTQ with arg NULL EFAULT
 *   poll                fds NULL with nfds > 0                   EFAULT
 *                       nfds > RLIMIT_NOFILE                     EINVAL
 *
 * Answered early, where Linux looks at the socket's state first:
 *  - A NULL buffer with a length (send, recv, read, write, an iov_base in
 *    sendmsg, recvmsg, readv, writev): EFAULT here.  Linux faults only
 *    when it copies, so it answers EPIPE (an unconnected TCP socket),
 *    ENOTCONN, EDESTADDRREQ, EAGAIN (nothing to read, no room), an
 *    address error of UDP's sendto, or 0 at the end of a stream first,
 *    and a datagram it faulted on is lost.  A receive with MSG_TRUNC is
 *    let through: TCP then discards without a buffer, and the world
 *    answers for the other kinds.
 *  - getsockopt's optlen NULL or negative and setsockopt's optval NULL at
 *    a level other than SOL_SOCKET: Linux says EOPNOTSUPP or ENOPROTOOPT
 *    first for a level the socket's protocol lacks, EINVAL first for a
 *    short TCP option, and takes a NULL IPv6 option as 0.
 *  - iovec lengths that sum past SSIZE_MAX, each piece inside user space
 *    (129 pieces of nearly 2^56 bytes): EFAULT here.  Linux cuts the total
 *    to MAX_RW_COUNT and faults when it copies (no process maps that much;
 *    UDP's EMSGSIZE for the size comes first); the worlds count the total
 *    in a size_t and must never see it overflow.
 *  - msg_control NULL with a controllen larger than net.core.optmem_max:
 *    Linux says ENOBUFS.
 *  - FIONREAD with arg NULL on a listening TCP socket: Linux says EINVAL.
 *  - connect with len < 2 and shutdown with a bad how are EINVAL for the
 *    families the worlds model (INET, INET6, UNIX); over the kernel, a
 *    packet socket (connect, shutdown) and a netlink one (shutdown) say
 *    EOPNOTSUPP first.  bind's is EINVAL for every family.
 *  - setsockopt's SOL_SOCKET rules are the generic socket layer's; an
 *    MPTCP socket has its own.
 *
 * Answered after the world's call, as Linux does (srr__copy_addr_out):
 * the out-address of accept4, getsockname, getpeername and recvfrom.
 * Linux copies it to the caller only after the call succeeded, so a NULL
 * length is EFAULT and a negative one EINVAL after the connection was
 * accepted (and is lost) or the datagram received (and is lost), and the
 * call's own error (EAGAIN, ENOTCONN) comes first.
 *
 * What depends on the socket is the world's to answer: a family or a
 * length the protocol refuses (EAFNOSUPPORT, EINVAL for a short
 * sockaddr_in), MSG_OOB on UDP (EOPNOTSUPP), a state (EISCONN, ENOTCONN,
 * EPIPE), an option a level lacks.
 */
#ifndef SOCKRR_CHECK_H
#define SOCKRR_CHECK_H

#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

/* The kernel's flag for 32-bit callers, which glibc does not name: the
 * 64-bit sendmsg and recvmsg refuse it (include/linux/socket.h). */
#define SRR_MSG_CMSG_COMPAT ((int)0x80000000)

/* socket(2) and socketpair(2) before the family is looked at. */
int srr__check_socket(int domain, int type);
int srr__check_socketpair(int domain, int type, const int *sv);

/* An address a call reads (move_addr_to_kernel): bind, connect, sendto. */
int srr__check_addr(const struct sockaddr *addr, socklen_t len);
/* bind and connect: an address, and at least its family. */
int srr__check_sockaddr(const struct sockaddr *addr, socklen_t len);

int srr__check_accept4(int flags);
int srr__check_shutdown(int how);
int srr__check_getsockopt(const socklen_t *len);
int srr__check_setsockopt(int level, int name, const void *val, socklen_t len);
/* ioctl requests the worlds answer (FIONBIO, FIONREAD, SIOCOUTQ). */
int srr__check_ioctl(unsigned long request, const void *arg);
int srr__check_poll(const struct pollfd *fds, nfds_t n);

/* A buffer with a length: NULL with len > 0 (see "answered early"). */
int srr__check_buf(const void *buf, size_t len);
/* read and write: the buffer's range, before the NULL check. */
int srr__check_rw(const void *buf, size_t len);
/* send, recv and their kin: the length Linux moves at most. */
size_t srr__rw_clamp(size_t len);
/* send, sendto, recv, recvfrom: their flags as the worlds get them.  The
 * 64-bit sendto and recvfrom pass MSG_CMSG_COMPAT to the protocol, which
 * ignores it (only sendmsg and recvmsg refuse it): it is dropped. */
static inline int srr__check_plain_flags(int flags)
{
    return flags & ~SRR_MSG_CMSG_COMPAT;
}

/* readv and writev's count. */
int srr__check_iovcnt(int iovcnt);
/* An iovec array as Linux imports it: NULL, negative lengths, ranges. */
int srr__check_iov(const struct iovec *iov, size_t n);
/* Its buffers: a NULL base with a length (see "answered early"). */
int srr__check_iov_bases(const struct iovec *iov, size_t n);

/* sendmsg(2): *out is the message the world gets (name cut or dropped as
 * Linux does); out may be msg. */
int srr__check_sendmsg(const struct msghdr *msg, int flags, struct msghdr *out);
/* recvmsg(2): *out is the message the world fills (a name's length cut,
 * none without a name); srr__recvmsg_done puts what it filled back. */
int srr__check_recvmsg(const struct msghdr *msg, int flags, struct msghdr *out);
void srr__recvmsg_done(const struct msghdr *filled, struct msghdr *msg);
/* sendmmsg and recvmmsg: the flags and the vector, before any message. */
int srr__check_mmsg(const void *vec, unsigned int vlen, int flags);
/* recvmmsg's timeout (NULL: none). */
int srr__check_timeout(const struct timespec *ts);

/* The out-address of accept4, getsockname, getpeername, recvfrom, as
 * Linux's move_addr_to_user: klen bytes of kaddr to uaddr, cut to *ulen,
 * and *ulen set to klen.  0, -EFAULT (ulen NULL, or uaddr NULL with room)
 * or -EINVAL (a negative *ulen). */
int srr__copy_addr_out(const struct sockaddr *kaddr, socklen_t klen, struct sockaddr *uaddr,
                       socklen_t *ulen);

#endif
