/*
 * sim_ops.c — the sim world's seam table: each slot takes the world's lock,
 * finds the socket and hands over to sim_sock.c, sim_stream.c or
 * sim_dgram.c; options, fcntl, ioctl, poll, the resolver and the clock live
 * here.  The front doors checked the arguments (lib/core/check.h); each
 * slot asserts what that guarantees (world_assert.h).
 *
 * Divisions: sockets (socket to close), options, names, fcntl and ioctl,
 * poll, resolver, clock, the table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim.h"
#include "sock_rules.h"
#include "world_assert.h"

void srr__sim_destroy(srr_world *w);

#define SIM_LOCKED(s, expr)                                                                    \
    ({                                                                                         \
        srr__vt_enter(&s->vt);                                                                     \
        __typeof__(expr) sim_r_ = (expr);                                                      \
        srr__vt_leave(&s->vt);                                                                     \
        sim_r_;                                                                                \
    })

static int sim_socket_locked(sim_world *s, int domain, int type, int protocol)
{
    assert(srr__check_socket(domain, type) == 0);
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain == AF_UNIX && base == SOCK_RAW)
        base = SOCK_DGRAM; /* unix_create takes it for a datagram socket */
    char why[80];
    int refused = srr__rule_socket(domain, base, protocol, why, sizeof why);
    if (refused < 0)
        return why[0] ? srr__sim_unsupported(s, refused, "%s", why) : refused;
    if (domain == AF_UNIX)
        protocol = 0;
    sim_sock *k = srr__sim_sock_new(s, domain, base,
                                    protocol ? protocol : srr__rule_default_proto(domain, base));
    if (!k)
        return -ENOMEM;
    if (type & SOCK_NONBLOCK)
        k->status_flags |= O_NONBLOCK;
    int h = srr__sim_handle_new(s, k, type & SOCK_CLOEXEC);
    if (h < 0) {
        k->refs = 1;
        srr__sim_sock_unref(s, k);
    }
    return h;
}

/* The program moved something in the network: a run whose program only
 * wakes on its own timers is idle (vtime.h). */
#define SIM_ACT(s) ((s)->vt.acts++)

static int sim_socket(srr_world *w, int domain, int type, int protocol)
{
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    int r = sim_socket_locked(s, domain, type, protocol);
    SIM_ACT(s);
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_socketpair_locked(sim_world *s, int domain, int type, int protocol, int sv[2])
{
    int r = srr__rule_socketpair(domain);
    if (r < 0)
        return r;
    int a = sim_socket_locked(s, domain, type, protocol);
    if (a < 0)
        return a;
    int b = sim_socket_locked(s, domain, type, protocol);
    if (b < 0) {
        sim_sock *k = srr__sim_sock(s, a);
        s->handles[a - SIM_FIRST_HANDLE] = NULL;
        srr__sim_sock_unref(s, k);
        return b;
    }
    sim_sock *ka = srr__sim_sock(s, a), *kb = srr__sim_sock(s, b);
    ka->local.ss_family = kb->local.ss_family = AF_UNIX;
    ka->local_len = kb->local_len = sizeof(sa_family_t);
    ka->peer.ss_family = kb->peer.ss_family = AF_UNIX;
    ka->peer_len = kb->peer_len = sizeof(sa_family_t);
    if (ka->type == SOCK_DGRAM) {
        /* a datagram pair: each end sends to the other; tie them by a
         * private name only this pair knows */
        ka->other = kb;
        kb->other = ka;
    } else {
        srr__sim_connect_pair(ka, kb);
    }
    sv[0] = a;
    sv[1] = b;
    return 0;
}

static int sim_socketpair(srr_world *w, int domain, int type, int protocol, int sv[2])
{
    assert(srr__check_socketpair(domain, type, sv) == 0);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    int r = sim_socketpair_locked(s, domain, type, protocol, sv);
    SIM_ACT(s);
    srr__vt_leave(&s->vt);
    return r;
}

/* A call that may block holds its socket, so a close from another thread
 * cannot free it underneath (Linux: the call holds the file). */
#define SIM_HOLD(k) ((k)->refs++)
#define SIM_RELEASE(s, k) srr__sim_sock_unref(s, k)

/* Looks the handle up; every slot below starts with it. */
#define SIM_SOCK_OR_FAIL(s, k, h)                                                              \
    sim_sock *k = srr__sim_sock(s, h);                                                         \
    if (!k) {                                                                                  \
        srr__vt_leave(&s->vt);                                                                     \
        return -EBADF;                                                                         \
    }

static int sim_bind(srr_world *w, int h, const struct sockaddr *addr, socklen_t len)
{
    srr__assert_sockaddr(addr, len);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r = srr__sim_bind(s, k, addr, len);
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_listen(srr_world *w, int h, int backlog)
{
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r = 0;
    if (k->type == SOCK_DGRAM)
        r = -EOPNOTSUPP;
    else if (k->state != SIM_S_NEW && k->state != SIM_S_LISTEN)
        r = -EINVAL;
    else if (k->family == AF_UNIX && !k->bound)
        r = -EINVAL;
    else if (srr__sim_listen_taken(s, k))
        r = -EADDRINUSE; /* SO_REUSEADDR shares a port, but not two listens */
    else
        r = srr__sim_autobind(s, k, NULL);
    if (r == 0) {
        k->state = SIM_S_LISTEN;
        /* Linux caps at somaxconn (4096), comparing unsigned: a negative
         * backlog is the cap (__sys_listen) */
        k->backlog = (unsigned)backlog > 4096 ? 4096 : (size_t)backlog;
        srr__vt_changed(&s->vt);
    }
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_accept4(srr_world *w, int h, struct sockaddr *addr, socklen_t *len, int flags)
{
    srr__assert_addr_out(addr, len);
    assert(srr__check_accept4(flags) == 0);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    SIM_HOLD(k);
    int r = k->type == SOCK_DGRAM ? -EOPNOTSUPP : srr__sim_accept(s, k, h, addr, len, flags);
    SIM_RELEASE(s, k);
    if (r >= 0)
        SIM_ACT(s);
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_connect(srr_world *w, int h, const struct sockaddr *addr, socklen_t len)
{
    srr__assert_sockaddr(addr, len);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r;
    if (k->type == SOCK_DGRAM) {
        /* a datagram connect only sets the default peer (AF_UNSPEC drops it) */
        if (addr->sa_family == AF_UNSPEC) {
            k->peer_len = 0;
            k->peer_serial = 0;
            k->state = SIM_S_NEW;
            if (k->autobound && k->family != AF_UNIX) {
                /* __udp_disconnect: what the autobind took goes back */
                k->bound = 0;
                k->autobound = 0;
                memset(&k->local, 0, sizeof k->local);
                k->local_len = 0;
            }
            r = 0;
        } else if (k->family == AF_INET6 && k->opt.v6only &&
                   IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)addr)->sin6_addr)) {
            r = -ENETUNREACH; /* an IPv6-only socket reaches no IPv4 address */
        } else if ((r = srr__rule_dgram_peer(k->family, addr, &len)) == 0) {
            r = srr__sim_autobind(s, k, addr);
            if (r == 0) {
                memcpy(&k->peer, addr, len);
                k->peer_len = len;
                k->state = SIM_S_CONNECTED;
                const sim_sock *d = k->family == AF_UNIX
                                        ? srr__sim_find_bound(s, AF_UNIX, SOCK_DGRAM, addr)
                                        : NULL;
                k->peer_serial = d ? d->serial : 0;
            }
        }
    } else {
        SIM_HOLD(k);
        r = srr__sim_connect(s, k, h, addr, len);
        SIM_RELEASE(s, k);
    }
    SIM_ACT(s);
    srr__vt_leave(&s->vt);
    return r;
}

static ssize_t sim_sendmsg(srr_world *w, int h, const struct msghdr *msg, int flags)
{
    srr__assert_msg(msg, flags, 0);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    ssize_t r;
    SIM_HOLD(k);
    if (msg->msg_control && msg->msg_controllen > 0) /* SCM_RIGHTS and the like */
        r = srr__sim_unsupported(s, -EOPNOTSUPP, "ancillary data (sendmsg control)");
    else if ((r = srr__sim_fault_call(s, k, 1)) == 0)
        r = k->type == SOCK_DGRAM ? srr__sim_dgram_send(s, k, h, msg, flags)
                                  : srr__sim_stream_send(s, k, h, msg, flags);
    SIM_RELEASE(s, k);
    if (r >= 0)
        SIM_ACT(s);
    srr__vt_leave(&s->vt);
    return r;
}

static ssize_t sim_recvmsg(srr_world *w, int h, struct msghdr *msg, int flags)
{
    srr__assert_msg(msg, flags, 1);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    SIM_HOLD(k);
    int dgram = k->type == SOCK_DGRAM; /* k may be gone after the release */
    ssize_t r = srr__sim_fault_call(s, k, 2);
    if (k->family == AF_UNIX)
        flags &= ~MSG_ERRQUEUE; /* AF_UNIX has no error queue: a plain receive */
    if (r == 0 && (flags & MSG_ERRQUEUE))
        r = -EAGAIN; /* nothing ever fails late here (no ICMP errors): the queue is empty */
    else if (r == 0 && dgram)
        r = srr__sim_dgram_recv(s, k, h, msg, flags); /* its control messages too */
    else if (r == 0)
        r = srr__sim_stream_recv(s, k, h, msg, flags);
    SIM_RELEASE(s, k);
    if (r >= 0) {
        if (!dgram)
            msg->msg_controllen = 0; /* a stream's receive carries none */
        SIM_ACT(s);
    }
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_shutdown(srr_world *w, int h, int how)
{
    assert(srr__check_shutdown(how) == 0);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r;
    if (k->type == SOCK_DGRAM) {
        r = how < SHUT_RD || how > SHUT_RDWR ? -EINVAL : k->peer_len ? 0 : -ENOTCONN;
        if (r == 0 && how != SHUT_RD)
            k->wr_shut = 1; /* a later send fails with EPIPE */
    }
    else
        r = srr__sim_stream_shutdown(s, k, how);
    SIM_ACT(s);
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_close(srr_world *w, int h)
{
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    s->handles[h - SIM_FIRST_HANDLE] = NULL;
    srr__sim_sock_unref(s, k);
    SIM_ACT(s);
    srr__vt_leave(&s->vt);
    return 0;
}

/* ---------------------------------------------------------------- options */

static int sim_getsockopt_locked(sim_sock *k, int level, int name, void *val, socklen_t *len)
{
    if (level == SOL_SOCKET && name == SO_ERROR) {
        int e = k->so_error;
        k->so_error = 0;
        return srr__opts_int(val, len, e);
    }
    if (level == SOL_SOCKET && name == SO_ACCEPTCONN)
        return srr__opts_int(val, len, k->state == SIM_S_LISTEN);
    if (level == SOL_SOCKET && name == SO_PEERCRED && k->family == AF_UNIX) {
        /* one process: the peer is this one (its credentials at connect) */
        int connected = k->state == SIM_S_CONNECTED || k->other;
        struct ucred c = {connected ? getpid() : 0, connected ? geteuid() : (uid_t)-1,
                          connected ? getegid() : (gid_t)-1};
        socklen_t n = *len < sizeof c ? *len : (socklen_t)sizeof c;
        memcpy(val, &c, n);
        *len = n;
        return 0;
    }
    if (level == IPPROTO_TCP && k->family != AF_UNIX && k->type == SOCK_STREAM) {
        if (name == TCP_INFO)
            return srr__sim_tcp_info(k, val, len);
        if (name == TCP_MAXSEG)
            return srr__opts_int(val, len, srr__sim_tcp_maxseg(k));
    }
    return srr__opts_get(&k->opt, level, name, val, len);
}

static int sim_getsockopt(srr_world *w, int h, int level, int name, void *val, socklen_t *len)
{
    assert(val && srr__check_getsockopt(len) == 0);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r = sim_getsockopt_locked(k, level, name, val, len);
    if (r == -ENOPROTOOPT)
        srr__sim_unsupported(s, r, "getsockopt level %d name %d", level, name);
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_setsockopt_locked(sim_world *s, sim_sock *k, int level, int name, const void *val,
                                 socklen_t len)
{
    int r = srr__opts_set(&k->opt, level, name, val, len, k->bound);
    if (r == 1) {
        srr__vt_changed(&s->vt); /* a bigger buffer may let a sender on */
        r = 0;
    }
    return r;
}

static int sim_setsockopt(srr_world *w, int h, int level, int name, const void *val, socklen_t len)
{
    assert(srr__check_setsockopt(level, name, val, len) == 0);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r = sim_setsockopt_locked(s, k, level, name, val, len);
    if (r == -ENOPROTOOPT)
        srr__sim_unsupported(s, r, "setsockopt level %d name %d", level, name);
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_copy_addr(const struct sockaddr_storage *ss, socklen_t have, struct sockaddr *addr,
                         socklen_t *len)
{
    srr__assert_addr_out(addr, len);
    assert(addr);
    socklen_t n = have < *len ? have : *len;
    memcpy(addr, ss, n);
    *len = have;
    return 0;
}

static int sim_getsockname(srr_world *w, int h, struct sockaddr *addr, socklen_t *len)
{
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r;
    if (k->local_len) {
        r = sim_copy_addr(&k->local, k->local_len, addr, len);
    } else {
        /* unbound: the family's any address, port 0 (AF_UNIX: unnamed) */
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        ss.ss_family = (sa_family_t)k->family;
        socklen_t n = k->family == AF_INET ? sizeof(struct sockaddr_in)
                      : k->family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(sa_family_t);
        r = sim_copy_addr(&ss, n, addr, len);
    }
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_getpeername(srr_world *w, int h, struct sockaddr *addr, socklen_t *len)
{
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int connected = k->type == SOCK_DGRAM
                        ? k->peer_len > 0
                        : k->state == SIM_S_CONNECTED && k->peer_len > 0 && !k->reset;
    int r = connected ? sim_copy_addr(&k->peer, k->peer_len, addr, len) : -ENOTCONN;
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_fcntl(srr_world *w, int h, int cmd, long arg)
{
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r;
    switch (cmd) {
    case F_GETFL: r = O_RDWR | k->status_flags; break;
    case F_SETFL:
        k->status_flags = (int)(arg & O_NONBLOCK);
        r = 0;
        break;
    /* the handle's own flag, as a descriptor's (a dup starts without it) */
    case F_GETFD: r = s->cloexec[h - SIM_FIRST_HANDLE] ? FD_CLOEXEC : 0; break;
    case F_SETFD:
        s->cloexec[h - SIM_FIRST_HANDLE] = (arg & FD_CLOEXEC) != 0;
        r = 0;
        break;
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        r = arg < 0 ? -EINVAL
                    : srr__sim_handle_new_from(s, k, arg > INT_MAX ? INT_MAX : (int)arg,
                                               cmd == F_DUPFD_CLOEXEC);
        break;
    default: r = srr__sim_unsupported(s, -EINVAL, "fcntl command %d", cmd);
    }
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_ioctl(srr_world *w, int h, unsigned long request, void *arg)
{
    assert(srr__check_ioctl(request, arg) == 0);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    SIM_SOCK_OR_FAIL(s, k, h);
    int r = 0;
    switch (request) {
    case FIONREAD:
        if (k->state == SIM_S_LISTEN) {
            r = -EINVAL; /* Linux: a listener has nothing to read */
            break;
        }
        *(int *)arg = k->type == SOCK_DGRAM ? (k->dq.head ? (int)k->dq.head->len : 0)
                                            : (int)srr__sim_buf_len(&k->rx);
        break;
    case FIONBIO:
        if (*(const int *)arg)
            k->status_flags |= O_NONBLOCK;
        else
            k->status_flags &= ~O_NONBLOCK;
        break;
    case SIOCOUTQ:
        if (k->state == SIM_S_LISTEN) {
            r = -EINVAL; /* a listener has no queue to send (tcp_ioctl) */
            break;
        }
        *(int *)arg = 0; /* delivery is immediate: nothing waits to go out */
        break;
    default: r = srr__sim_unsupported(s, -ENOTTY, "ioctl request %#lx", request);
    }
    srr__vt_leave(&s->vt);
    return r;
}

/* ------------------------------------------------------------------- poll */

static short sim_revents(sim_world *s, sim_sock *k, short events)
{
    short r = 0;
    if (k->type == SOCK_DGRAM) {
        if (k->dq.head)
            r |= POLLIN;
        if (k->so_error)
            r |= POLLERR;
        if (srr__sim_dgram_writable(s, k))
            r |= POLLOUT;
    } else if (k->state == SIM_S_LISTEN) {
        if (k->npending)
            r |= POLLIN;
    } else if (k->state == SIM_S_NEW) {
        r |= POLLOUT | POLLHUP; /* Linux: an unconnected stream socket */
    } else if (k->state == SIM_S_CONNECTING) {
        if (k->so_error)
            r |= POLLOUT | POLLERR | POLLHUP;
    } else {
        int peer_gone = k->state == SIM_S_CONNECTED && !k->other && !k->fly.head;
        /* Linux: a TCP peer's FIN alone is not a hang-up (the socket may
         * still send); an AF_UNIX peer that closed is */
        int hup = k->reset || k->state == SIM_S_CLOSED || (k->rx_eof && k->wr_shut) ||
                  (k->family == AF_UNIX && peer_gone);
        if (srr__sim_buf_len(&k->rx) > 0 || k->rx_eof || k->rd_shut || k->reset || peer_gone)
            r |= POLLIN;
        if (k->rx_eof || k->rd_shut || k->reset || peer_gone)
            r |= POLLRDHUP;
        if (k->so_error)
            r |= POLLERR;
        if (hup)
            r |= POLLHUP;
        if (k->other && !k->wr_shut) {
            if (srr__sim_stream_room(k) > 0)
                r |= POLLOUT;
        } else {
            r |= POLLOUT; /* a write would not block: it fails at once */
        }
    }
    (void)s;
    return r & (events | POLLERR | POLLHUP | POLLNVAL);
}

static int sim_poll(srr_world *w, struct pollfd *fds, nfds_t nfds, int64_t timeout_ns)
{
    assert(fds || nfds == 0);
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    int64_t until = timeout_ns < 0 ? -1 : s->vt.now + timeout_ns;
    int n;
    for (;;) {
        n = 0;
        for (nfds_t i = 0; i < nfds; i++) {
            fds[i].revents = 0;
            if (fds[i].fd < 0)
                continue;
            sim_sock *k = srr__sim_sock(s, fds[i].fd);
            fds[i].revents = k ? sim_revents(s, k, fds[i].events) : POLLNVAL;
            n += fds[i].revents != 0;
        }
        if (n > 0 || timeout_ns == 0)
            break;
        int r = srr__vt_wait(&s->vt, "poll", nfds ? fds[0].fd : -1, until);
        if (r == -ETIMEDOUT) {
            n = 0;
            break;
        }
        if (r < 0) {
            n = r;
            break;
        }
    }
    srr__vt_leave(&s->vt);
    return n;
}

/* --------------------------------------------------------------- resolver */

static int sim_getaddrinfo(srr_world *w, const char *node, const char *service,
                           const struct addrinfo *hints, struct addrinfo **res, int *sys_errno)
{
    sim_world *s = SIM(w);
    int64_t delay = 0;
    srr__vt_enter(&s->vt);
    int r = srr__sim_dns_getaddrinfo(s->dns, node, service, hints, res, &delay);
    SIM_ACT(s);
    if (srr__vt_delay(&s->vt, "resolve", delay) < 0) {
        if (r == 0)
            srr__sim_dns_freeaddrinfo(*res);
        *sys_errno = EDEADLK;
        r = EAI_SYSTEM;
    }
    srr__vt_leave(&s->vt);
    return r;
}

static void sim_freeaddrinfo(srr_world *w, struct addrinfo *res)
{
    (void)w;
    srr__sim_dns_freeaddrinfo(res);
}

static int sim_getnameinfo(srr_world *w, const struct sockaddr *sa, socklen_t salen, char *host,
                           socklen_t hostlen, char *serv, socklen_t servlen, int flags,
                           int *sys_errno)
{
    (void)sys_errno;
    sim_world *s = SIM(w);
    return SIM_LOCKED(
        s, srr__sim_dns_getnameinfo(s->dns, sa, salen, host, hostlen, serv, servlen, flags));
}

static int sim_gethostbyname2_r(srr_world *w, const char *name, int af, struct hostent *ret,
                                char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
    sim_world *s = SIM(w);
    int64_t delay = 0;
    srr__vt_enter(&s->vt);
    int r = srr__sim_dns_gethostbyname2_r(s->dns, name, af, ret, buf, buflen, result, h_errnop,
                                          &delay);
    if (srr__vt_delay(&s->vt, "resolve", delay) < 0) {
        *result = NULL;
        *h_errnop = TRY_AGAIN;
    }
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_gethostbyaddr_r(srr_world *w, const void *addr, socklen_t len, int type,
                               struct hostent *ret, char *buf, size_t buflen,
                               struct hostent **result, int *h_errnop)
{
    sim_world *s = SIM(w);
    return SIM_LOCKED(s, srr__sim_dns_gethostbyaddr_r(s->dns, addr, len, type, ret, buf, buflen,
                                                      result, h_errnop));
}

static int sim_gethostname(srr_world *w, char *name, size_t len)
{
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    size_t n = strlen(s->hostname);
    int r = 0;
    if (n + 1 > len)
        r = -ENAMETOOLONG;
    else
        memcpy(name, s->hostname, n + 1);
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_sethostname(srr_world *w, const char *name, size_t len)
{
    sim_world *s = SIM(w);
    if (len >= sizeof s->hostname || len > 64)
        return -EINVAL; /* Linux's limit is 64 */
    srr__vt_enter(&s->vt);
    memcpy(s->hostname, name, len);
    s->hostname[len] = '\0';
    srr__vt_leave(&s->vt);
    return 0;
}

/* lo, and eth0 when the self host has addresses beyond loopback. */
static int sim_if_nameindex(srr_world *w, struct if_nameindex **out)
{
    sim_world *s = SIM(w);
    int eth = 0;
    srr__vt_enter(&s->vt);
    for (size_t i = 0; i < s->cfg->nhosts; i++)
        if (s->cfg->hosts[i].self && strcmp(s->cfg->hosts[i].name, "localhost") != 0)
            eth = 1;
    srr__vt_leave(&s->vt);
    struct if_nameindex *v = calloc(3, sizeof *v);
    if (!v)
        return -ENOMEM;
    v[0].if_index = 1;
    v[0].if_name = strdup("lo");
    if (eth) {
        v[1].if_index = 2;
        v[1].if_name = strdup("eth0");
    }
    if (!v[0].if_name || (eth && !v[1].if_name)) {
        free(v[0].if_name);
        free(v[1].if_name);
        free(v);
        return -ENOMEM;
    }
    *out = v;
    return 0;
}

static void sim_if_freenameindex(srr_world *w, struct if_nameindex *list)
{
    (void)w;
    for (struct if_nameindex *i = list; i && i->if_name; i++)
        free(i->if_name);
    free(list);
}

/* ------------------------------------------------------------------ clock */

int64_t srr__sim_clock(const sim_world *s, clockid_t clock)
{
    switch (clock) {
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        return s->vt.now;
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        return s->cfg->epoch_ns + s->vt.now;
    default:
        return -EINVAL;
    }
}

static int64_t sim_now(srr_world *w, clockid_t clock)
{
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    int64_t r = srr__sim_clock(s, clock);
    srr__vt_leave(&s->vt);
    return r;
}

static int sim_sleep(srr_world *w, clockid_t clock, int64_t ns)
{
    (void)clock;
    sim_world *s = SIM(w);
    srr__vt_enter(&s->vt);
    int r = srr__vt_delay(&s->vt, "sleep", ns);
    srr__vt_leave(&s->vt);
    return r;
}

static const char *sim_unsupported(srr_world *w)
{
    sim_world *s = SIM(w);
    static __thread char note[160]; /* the caller's copy; the world's is cleared */
    const char *r = NULL;
    pthread_mutex_lock(&s->vt.lock);
    if (s->unsupported[0] && pthread_equal(s->unsupported_by, pthread_self())) {
        memcpy(note, s->unsupported, sizeof note);
        s->unsupported[0] = '\0';
        r = note;
    }
    pthread_mutex_unlock(&s->vt.lock);
    return r;
}

const srr_world_ops srr__sim_ops = {
    .version = SRR_WORLD_OPS_VERSION,
    .name = "sim",
    .socket = sim_socket,
    .socketpair = sim_socketpair,
    .bind = sim_bind,
    .listen = sim_listen,
    .accept4 = sim_accept4,
    .connect = sim_connect,
    .sendmsg = sim_sendmsg,
    .recvmsg = sim_recvmsg,
    .shutdown = sim_shutdown,
    .close = sim_close,
    .getsockopt = sim_getsockopt,
    .setsockopt = sim_setsockopt,
    .getsockname = sim_getsockname,
    .getpeername = sim_getpeername,
    .fcntl = sim_fcntl,
    .ioctl = sim_ioctl,
    .poll = sim_poll,
    .getaddrinfo = sim_getaddrinfo,
    .freeaddrinfo = sim_freeaddrinfo,
    .getnameinfo = sim_getnameinfo,
    .gethostbyname2_r = sim_gethostbyname2_r,
    .gethostbyaddr_r = sim_gethostbyaddr_r,
    .gethostname = sim_gethostname,
    .sethostname = sim_sethostname,
    .if_nameindex = sim_if_nameindex,
    .if_freenameindex = sim_if_freenameindex,
    .now = sim_now,
    .sleep = sim_sleep,
    .destroy = srr__sim_destroy,
    .unsupported = sim_unsupported,
    .caps = SRR_CAP_OWN_HANDLES | SRR_CAP_VIRTUAL_CLOCK | SRR_CAP_HERMETIC,
    .control = srr__sim_control,
};
