/*
 * kernel.c — the kernel world: every slot is the libc call of the same name
 * (through the libc table, libc.h, so it works inside the preload library),
 * with errno turned into a negative return.  It keeps no state of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libc.h"
#include "sockrr/worlds.h"

/* Every slot's tail: libc's -1/errno to the seam's -errno. */
static inline int kernel_ret(int r)
{
    return r < 0 ? -errno : r;
}

static inline ssize_t kernel_sret(ssize_t r)
{
    return r < 0 ? -errno : r;
}

static int kernel_socket(srr_world *w, int domain, int type, int protocol)
{
    (void)w;
    return kernel_ret(srr__libc.socket(domain, type, protocol));
}

static int kernel_socketpair(srr_world *w, int domain, int type, int protocol, int sv[2])
{
    (void)w;
    return kernel_ret(srr__libc.socketpair(domain, type, protocol, sv));
}

static int kernel_bind(srr_world *w, int s, const struct sockaddr *addr, socklen_t len)
{
    (void)w;
    return kernel_ret(srr__libc.bind(s, addr, len));
}

static int kernel_listen(srr_world *w, int s, int backlog)
{
    (void)w;
    return kernel_ret(srr__libc.listen(s, backlog));
}

static int kernel_accept4(srr_world *w, int s, struct sockaddr *addr, socklen_t *len, int flags)
{
    (void)w;
    return kernel_ret(srr__libc.accept4(s, addr, len, flags));
}

static int kernel_connect(srr_world *w, int s, const struct sockaddr *addr, socklen_t len)
{
    (void)w;
    return kernel_ret(srr__libc.connect(s, addr, len));
}

static ssize_t kernel_sendmsg(srr_world *w, int s, const struct msghdr *msg, int flags)
{
    (void)w;
    /* The seam never raises SIGPIPE: EPIPE comes back as a value and the
     * caller decides (the API reports it, as Python does). */
    flags |= MSG_NOSIGNAL;
    /* One buffer and no ancillary data: send(2) or sendto(2), which skip
     * the kernel's msghdr copy-in.  sendto also passes a name of length 0
     * on to the protocol, as the seam's sendmsg does (sendmsg(2) would
     * drop it; UDP refuses it). */
    if (msg->msg_iovlen == 1 && !msg->msg_control) {
        const struct iovec *v = msg->msg_iov;
        if (!msg->msg_name)
            return kernel_sret(srr__libc.send(s, v->iov_base, v->iov_len, flags));
        return kernel_sret(srr__libc.sendto(s, v->iov_base, v->iov_len, flags,
                                            (const struct sockaddr *)msg->msg_name,
                                            msg->msg_namelen));
    }
    return kernel_sret(srr__libc.sendmsg(s, msg, flags));
}

static ssize_t kernel_recvmsg(srr_world *w, int s, struct msghdr *msg, int flags)
{
    (void)w;
    return kernel_sret(srr__libc.recvmsg(s, msg, flags));
}

static int kernel_shutdown(srr_world *w, int s, int how)
{
    (void)w;
    return kernel_ret(srr__libc.shutdown(s, how));
}

static int kernel_close(srr_world *w, int s)
{
    (void)w;
    /* Linux frees the descriptor even when close reports an error (EINTR
     * included), so the error is passed on but never retried. */
    return kernel_ret(srr__libc.close(s));
}

static int kernel_getsockopt(srr_world *w, int s, int level, int name, void *val, socklen_t *len)
{
    (void)w;
    return kernel_ret(srr__libc.getsockopt(s, level, name, val, len));
}

static int kernel_setsockopt(srr_world *w, int s, int level, int name, const void *val,
                             socklen_t len)
{
    (void)w;
    return kernel_ret(srr__libc.setsockopt(s, level, name, val, len));
}

static int kernel_getsockname(srr_world *w, int s, struct sockaddr *addr, socklen_t *len)
{
    (void)w;
    return kernel_ret(srr__libc.getsockname(s, addr, len));
}

static int kernel_getpeername(srr_world *w, int s, struct sockaddr *addr, socklen_t *len)
{
    (void)w;
    return kernel_ret(srr__libc.getpeername(s, addr, len));
}

static int kernel_fcntl(srr_world *w, int s, int cmd, long arg)
{
    (void)w;
    switch (cmd) {
    case F_GETFL:
    case F_GETFD:
        return kernel_ret(srr__libc.fcntl(s, cmd));
    case F_SETFL:
    case F_SETFD:
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        return kernel_ret(srr__libc.fcntl(s, cmd, (int)arg));
    default:
        return -EINVAL;
    }
}

static int kernel_ioctl(srr_world *w, int s, unsigned long request, void *arg)
{
    (void)w;
    switch (request) {
    case FIONREAD:
    case FIONBIO:
    case SIOCOUTQ:
        return kernel_ret(srr__libc.ioctl(s, request, arg));
    default:
        return -ENOTTY;
    }
}

static int kernel_poll(srr_world *w, struct pollfd *fds, nfds_t nfds, int64_t timeout_ns)
{
    (void)w;
    if (timeout_ns < 0)
        return kernel_ret(srr__libc.ppoll(fds, nfds, NULL, NULL));
    struct timespec ts = {.tv_sec = timeout_ns / 1000000000LL, .tv_nsec = timeout_ns % 1000000000LL};
    return kernel_ret(srr__libc.ppoll(fds, nfds, &ts, NULL));
}

static int kernel_getaddrinfo(srr_world *w, const char *node, const char *service,
                              const struct addrinfo *hints, struct addrinfo **res, int *sys_errno)
{
    (void)w;
    int r = srr__libc.getaddrinfo(node, service, hints, res);
    if (r == EAI_SYSTEM && sys_errno)
        *sys_errno = errno;
    return r;
}

static void kernel_freeaddrinfo(srr_world *w, struct addrinfo *res)
{
    (void)w;
    if (res)
        srr__libc.freeaddrinfo(res);
}

static int kernel_getnameinfo(srr_world *w, const struct sockaddr *sa, socklen_t salen, char *host,
                              socklen_t hostlen, char *serv, socklen_t servlen, int flags,
                              int *sys_errno)
{
    (void)w;
    int r = srr__libc.getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
    if (r == EAI_SYSTEM && sys_errno)
        *sys_errno = errno;
    return r;
}

/* glibc's get*by*_r return a positive errno: ERANGE asks for a bigger
 * buffer; anything else (EAGAIN for a DNS "try again", an NSS errno) comes
 * with *result NULL and h_errno set, which is the answer the seam passes on. */
static int kernel_hostent_ret(int r, struct hostent **result)
{
    if (r == ERANGE)
        return -ERANGE;
    if (r != 0)
        *result = NULL;
    return 0;
}

static int kernel_gethostbyname2_r(srr_world *w, const char *name, int af, struct hostent *ret,
                                   char *buf, size_t buflen, struct hostent **result,
                                   int *h_errnop)
{
    (void)w;
    return kernel_hostent_ret(srr__libc.gethostbyname2_r(name, af, ret, buf, buflen, result, h_errnop),
                              result);
}

static int kernel_gethostbyaddr_r(srr_world *w, const void *addr, socklen_t len, int type,
                                  struct hostent *ret, char *buf, size_t buflen,
                                  struct hostent **result, int *h_errnop)
{
    (void)w;
    return kernel_hostent_ret(srr__libc.gethostbyaddr_r(addr, len, type, ret, buf, buflen, result, h_errnop),
                              result);
}

static int kernel_gethostname(srr_world *w, char *name, size_t len)
{
    (void)w;
    return kernel_ret(srr__libc.gethostname(name, len));
}

static int kernel_sethostname(srr_world *w, const char *name, size_t len)
{
    (void)w;
    return kernel_ret(srr__libc.sethostname(name, len));
}

static int kernel_if_nameindex(srr_world *w, struct if_nameindex **out)
{
    (void)w;
    *out = srr__libc.if_nameindex();
    return *out ? 0 : -errno;
}

static void kernel_if_freenameindex(srr_world *w, struct if_nameindex *list)
{
    (void)w;
    if (list)
        srr__libc.if_freenameindex(list);
}

static int64_t kernel_now(srr_world *w, clockid_t clock)
{
    (void)w;
    struct timespec ts;
    if (srr__libc.clock_gettime(clock, &ts) < 0)
        return -errno;
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int kernel_sleep(srr_world *w, clockid_t clock, int64_t ns)
{
    (void)w;
    if (ns <= 0)
        return 0;
    struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
    return -srr__libc.clock_nanosleep(clock, 0, &ts, NULL); /* returns a positive errno */
}

static const srr_world_ops kernel_ops = {
    .version = SRR_WORLD_OPS_VERSION,
    .name = "kernel",
    .socket = kernel_socket,
    .socketpair = kernel_socketpair,
    .bind = kernel_bind,
    .listen = kernel_listen,
    .accept4 = kernel_accept4,
    .connect = kernel_connect,
    .sendmsg = kernel_sendmsg,
    .recvmsg = kernel_recvmsg,
    .shutdown = kernel_shutdown,
    .close = kernel_close,
    .getsockopt = kernel_getsockopt,
    .setsockopt = kernel_setsockopt,
    .getsockname = kernel_getsockname,
    .getpeername = kernel_getpeername,
    .fcntl = kernel_fcntl,
    .ioctl = kernel_ioctl,
    .poll = kernel_poll,
    .getaddrinfo = kernel_getaddrinfo,
    .freeaddrinfo = kernel_freeaddrinfo,
    .getnameinfo = kernel_getnameinfo,
    .gethostbyname2_r = kernel_gethostbyname2_r,
    .gethostbyaddr_r = kernel_gethostbyaddr_r,
    .gethostname = kernel_gethostname,
    .sethostname = kernel_sethostname,
    .if_nameindex = kernel_if_nameindex,
    .if_freenameindex = kernel_if_freenameindex,
    .now = kernel_now,
    .sleep = kernel_sleep,
    .destroy = srr_world_free,
    /* the kernel is the reference: nothing it answers is a model's gap */
    .unsupported = srr_world_no_unsupported,
    .caps = 0,
    .control = srr_world_no_control,
};

srr_world *srr_world_kernel(void)
{
    srr_world *w = malloc(sizeof *w);
    if (!w)
        return NULL;
    srr_world_init(w, &kernel_ops);
    return w;
}
