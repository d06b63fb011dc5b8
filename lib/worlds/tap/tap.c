/*
 * tap.c — the tracing world: a decorator that passes every call to the
 * wrapped world, then records the call and its result as one trace event
 * (docs/trace-format.md).  It works over any world because it only uses
 * the seam.
 *
 * Divisions: recording helpers; one tap_<slot> per seam slot (sockets,
 * resolver, clock); the table and creation.  The socket table (stable
 * ids, addresses) is table.c's, the control slot control.c's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sockrr.h" /* the error-name table */
#include "tap.h"
#include "tap_int.h"
#include "world_assert.h"


/* --------------------------------------------------------------- recording */

static int err_of(int64_t r)
{
    return r < 0 ? (int)-r : 0;
}

/* The inner world's note of what it does not model, if it keeps one. */
static const char *tap_inner_unsupported(srr_world *w)
{
    const srr_world_ops *o = INNER(w)->ops;
    return o->version >= 2 && o->unsupported ? o->unsupported(INNER(w)) : NULL;
}

void srr__tap_unsupported_event(srr_world *w, const char *what, const char *call, int64_t ret,
                                int err)
{
    srr_jline *l = srr__trace_begin(TAP(w)->writer, "unsupported", ret, err);
    srr__jl_open(l, "args", '{');
    srr__jl_str(l, "what", what);
    srr__jl_str(l, "call", call);
    srr__jl_close(l, '}');
    srr__trace_end(TAP(w)->writer);
}

srr_jline *srr__tap_begin(srr_world *w, const char *op, int64_t r)
{
    const char *what = r < 0 ? tap_inner_unsupported(w) : NULL;
    if (what)
        srr__tap_unsupported_event(w, what, op, -1, err_of(r));
    return srr__trace_begin(TAP(w)->writer, op, r < 0 ? -1 : r, err_of(r));
}

void srr__tap_end(srr_world *w)
{
    srr__trace_end(TAP(w)->writer);
}

/* The socket members: sock, fd, family, stype, local, peer. */
void srr__tap_sock_members(srr_jline *l, int h, const tap_sock *s)
{
    char b[16];
    if (s)
        srr__jl_int(l, "sock", (int64_t)s->id);
    srr__jl_int(l, "fd", h);
    if (!s)
        return;
    srr__jl_str(l, "family", srr__family_name(s->family, b, sizeof b));
    srr__jl_str(l, "stype", srr__stype_name(s->type, b, sizeof b));
    srr__jl_str(l, "local", s->local);
    srr__jl_str(l, "peer", s->peer);
}

static void tap_addr_member(srr_jline *l, const char *key, const struct sockaddr *sa,
                            socklen_t len)
{
    char buf[TAP_ADDR_MAX];
    srr__jl_str(l, key, srr__sockaddr_format(sa, len, buf, sizeof buf));
}

/* The bytes of an iovec, first n of them, as one payload. */
static void tap_iov_payload(srr_world *w, srr_jline *l, const struct iovec *iov, size_t iovlen,
                            size_t n)
{
    if (iovlen == 0 || n == 0) {
        srr__trace_payload(TAP(w)->writer, l, "", 0);
        return;
    }
    if (iovlen == 1 || n <= iov[0].iov_len) {
        srr__trace_payload(TAP(w)->writer, l, iov[0].iov_base, n);
        return;
    }
    char *buf = malloc(n ? n : 1);
    if (!buf) {
        l->oom = 1;
        return;
    }
    size_t off = 0;
    for (size_t i = 0; i < iovlen && off < n; i++) {
        size_t k = iov[i].iov_len < n - off ? iov[i].iov_len : n - off;
        if (k) /* an empty piece may have no base */
            memcpy(buf + off, iov[i].iov_base, k);
        off += k;
    }
    srr__trace_payload(TAP(w)->writer, l, buf, n);
    free(buf);
}

static void tap_cmsg_member(srr_jline *l, const struct msghdr *msg)
{
    if (!msg->msg_control || msg->msg_controllen == 0)
        return;
    srr__jl_open(l, "cmsg", '[');
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
         c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        srr__jl_open(l, NULL, '{');
        srr__jl_int(l, "level", c->cmsg_level);
        srr__jl_int(l, "type", c->cmsg_type);
        srr__jl_b64(l, "data", CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
        srr__jl_close(l, '}');
    }
    srr__jl_close(l, ']');
}

/* ------------------------------------------------------------------ sockets */

/* An args object of two numbers (fcntl, sleep). */
static void tap_two_args(srr_jline *l, const char *k1, int64_t v1, const char *k2, int64_t v2)
{
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, k1, v1);
    srr__jl_int(l, k2, v2);
    srr__jl_close(l, '}');
}

/* socket's and socketpair's arguments */
static void tap_kind_args(srr_jline *l, int domain, int type, int protocol)
{
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "domain", domain);
    srr__jl_int(l, "type", type);
    srr__jl_int(l, "protocol", protocol);
    srr__jl_close(l, '}');
}

static int tap_socket(srr_world *w, int domain, int type, int protocol)
{
    assert(srr__check_socket(domain, type) == 0);
    int r = CALL(w, socket, domain, type, protocol);
    tap_sock *s = NULL;
    int placed = 1;
    if (r >= 0) {
        s = srr__tap_new_sock(TAP(w), r, domain, type, 0);
        placed = srr__tap_insert(TAP(w), r, s) == 0;
    }
    srr_jline *l = srr__tap_begin(w, "socket", r);
    if (r >= 0)
        srr__tap_sock_members(l, r, s);
    tap_kind_args(l, domain, type, protocol);
    srr__tap_end(w);
    if (!placed)
        srr__tap_discard(TAP(w), s);
    return r;
}

static int tap_socketpair(srr_world *w, int domain, int type, int protocol, int sv[2])
{
    assert(srr__check_socketpair(domain, type, sv) == 0);
    int r = CALL(w, socketpair, domain, type, protocol, sv);
    tap_sock *s[2] = {NULL, NULL};
    int placed[2] = {1, 1};
    if (r == 0) {
        for (int i = 0; i < 2; i++) {
            s[i] = srr__tap_new_sock(TAP(w), sv[i], domain, type, 0);
            placed[i] = srr__tap_insert(TAP(w), sv[i], s[i]) == 0;
            srr__tap_refresh(TAP(w), sv[i], s[i]);
        }
    }
    srr_jline *l = srr__tap_begin(w, "socketpair", r);
    if (r == 0) {
        srr__jl_open(l, "socks", '[');
        for (int i = 0; i < 2; i++)
            srr__jl_int(l, NULL, s[i] ? (int64_t)s[i]->id : 0);
        srr__jl_close(l, ']');
        srr__jl_open(l, "fds", '[');
        srr__jl_int(l, NULL, sv[0]);
        srr__jl_int(l, NULL, sv[1]);
        srr__jl_close(l, ']');
    }
    tap_kind_args(l, domain, type, protocol);
    srr__tap_end(w);
    for (int i = 0; i < 2; i++)
        if (!placed[i])
            srr__tap_discard(TAP(w), s[i]);
    return r;
}

/* bind and connect: an address argument, then fresh addresses. */
static int tap_addr_call(srr_world *w, const char *op, int s, const struct sockaddr *addr,
                         socklen_t len, int r)
{
    tap_sock *ts = srr__tap_get(TAP(w), s);
    if (r == 0 || r == -EINPROGRESS || (r < 0 && ts && !ts->local[0]))
        srr__tap_refresh(TAP(w), s, ts);
    srr_jline *l = srr__tap_begin(w, op, r);
    srr__tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    tap_addr_member(l, "addr", addr, len);
    srr__jl_close(l, '}');
    srr__tap_end(w);
    return r;
}

static int tap_bind(srr_world *w, int s, const struct sockaddr *addr, socklen_t len)
{
    srr__assert_sockaddr(addr, len);
    return tap_addr_call(w, "bind", s, addr, len, CALL(w, bind, s, addr, len));
}

static int tap_connect(srr_world *w, int s, const struct sockaddr *addr, socklen_t len)
{
    srr__assert_sockaddr(addr, len);
    return tap_addr_call(w, "connect", s, addr, len, CALL(w, connect, s, addr, len));
}

static int tap_listen(srr_world *w, int s, int backlog)
{
    int r = CALL(w, listen, s, backlog);
    tap_sock *ts = srr__tap_get(TAP(w), s);
    if (r == 0 && ts)
        srr__tap_refresh(TAP(w), s, ts); /* listen binds an unbound socket */
    srr_jline *l = srr__tap_begin(w, "listen", r);
    srr__tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "backlog", backlog);
    srr__jl_close(l, '}');
    srr__tap_end(w);
    return r;
}

static int tap_accept4(srr_world *w, int s, struct sockaddr *addr, socklen_t *len, int flags)
{
    srr__assert_addr_out(addr, len);
    assert(srr__check_accept4(flags) == 0);
    int r = CALL(w, accept4, s, addr, len, flags);
    tap_sock *ts = srr__tap_get(TAP(w), s), *ns = NULL;
    int placed = 1;
    if (r >= 0) {
        ns = srr__tap_new_sock(TAP(w), r, ts ? ts->family : AF_UNSPEC, ts ? ts->type : SOCK_STREAM, 0);
        placed = srr__tap_insert(TAP(w), r, ns) == 0;
        srr__tap_refresh(TAP(w), r, ns);
    }
    srr_jline *l = srr__tap_begin(w, "accept4", r);
    srr__tap_sock_members(l, s, ts);
    if (ns) {
        srr__jl_int(l, "new_sock", (int64_t)ns->id);
        srr__jl_int(l, "new_fd", r);
        srr__jl_str(l, "new_local", ns->local);
        srr__jl_str(l, "new_peer", ns->peer);
    }
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "flags", flags);
    srr__jl_close(l, '}');
    srr__tap_end(w);
    if (!placed)
        srr__tap_discard(TAP(w), ns);
    return r;
}

static ssize_t tap_sendmsg(srr_world *w, int s, const struct msghdr *msg, int flags)
{
    srr__assert_msg(msg, flags, 0);
    /* looked up first: a close by another thread during a blocking call
     * must not leave the event without its socket */
    tap_sock *ts = srr__tap_get(TAP(w), s);
    ssize_t r = CALL(w, sendmsg, s, msg, flags);
    if (r >= 0 && ts && !ts->local[0])
        srr__tap_refresh(TAP(w), s, ts); /* the first send binds an unbound datagram socket */
    srr_jline *l = srr__tap_begin(w, "sendmsg", r);
    srr__tap_sock_members(l, s, ts);
    size_t offered = 0;
    for (size_t i = 0; i < msg->msg_iovlen; i++)
        offered += msg->msg_iov[i].iov_len;
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "flags", flags);
    if (msg->msg_name)
        tap_addr_member(l, "to", msg->msg_name, msg->msg_namelen);
    srr__jl_int(l, "iov", (int64_t)offered);
    if (r >= 0)
        tap_cmsg_member(l, msg); /* the kernel checked it: a refused one may be malformed */
    srr__jl_close(l, '}');
    if (r >= 0) {
        tap_iov_payload(w, l, msg->msg_iov, msg->msg_iovlen, (size_t)r);
        if (ts && ts->stream) {
            /* under the writer's lock: ordered with the event */
            srr__jl_int(l, "off", (int64_t)srr__trace_sock_advance(TAP(w)->writer, ts->id, 0,
                                                                   (uint64_t)r));
        }
    }
    srr__tap_end(w);
    return r;
}

static ssize_t tap_recvmsg(srr_world *w, int s, struct msghdr *msg, int flags)
{
    srr__assert_msg(msg, flags, 1);
    size_t size = 0;
    for (size_t i = 0; i < msg->msg_iovlen; i++)
        size += msg->msg_iov[i].iov_len;
    tap_sock *ts = srr__tap_get(TAP(w), s); /* first, as in tap_sendmsg */
    ssize_t r = CALL(w, recvmsg, s, msg, flags);
    if (r >= 0 && ts && !ts->local[0])
        srr__tap_refresh(TAP(w), s, ts);
    srr_jline *l = srr__tap_begin(w, "recvmsg", r);
    srr__tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "flags", flags);
    srr__jl_int(l, "size", (int64_t)size);
    srr__jl_close(l, '}');
    if (r >= 0) {
        /* MSG_TRUNC on a datagram returns the real length, more than was
         * stored; on a stream it discards the bytes unread (tcp(7)): no
         * payload, the length, and capped */
        size_t stored = (size_t)r < size ? (size_t)r : size;
        int discarded = (flags & MSG_TRUNC) && ts && ts->stream;
        if (discarded) {
            srr__jl_b64(l, "data", "", 0);
            srr__jl_int(l, "len", r);
            if (r > 0)
                srr__jl_true(l, "capped");
            stored = (size_t)r;
        } else {
            tap_iov_payload(w, l, msg->msg_iov, msg->msg_iovlen, stored);
        }
        if (ts && ts->stream) /* a peek does not move the stream */
            srr__jl_int(l, "off", (int64_t)srr__trace_sock_advance(TAP(w)->writer, ts->id, 1,
                                                                   flags & MSG_PEEK ? 0 : stored));
        if (msg->msg_name && msg->msg_namelen > 0)
            tap_addr_member(l, "from", msg->msg_name, msg->msg_namelen);
        srr__jl_int(l, "msg_flags", msg->msg_flags);
        tap_cmsg_member(l, msg);
    }
    srr__tap_end(w);
    return r;
}

/* Calls with only integer arguments around a socket. */
static int tap_simple(srr_world *w, const char *op, int s, int r, const char *k1, int64_t v1)
{
    tap_sock *ts = srr__tap_get(TAP(w), s);
    srr_jline *l = srr__tap_begin(w, op, r);
    srr__tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    if (k1)
        srr__jl_int(l, k1, v1);
    srr__jl_close(l, '}');
    srr__tap_end(w);
    return r;
}

static int tap_shutdown(srr_world *w, int s, int how)
{
    assert(srr__check_shutdown(how) == 0);
    return tap_simple(w, "shutdown", s, CALL(w, shutdown, s, how), "how", how);
}

static int tap_close(srr_world *w, int s)
{
    srr__tap_get(TAP(w), s); /* an inherited socket closed unused still gets its id */
    tap_sock *ts = srr__tap_remove(TAP(w), s);
    int r = CALL(w, close, s);
    srr_jline *l = srr__tap_begin(w, "close", r);
    srr__tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_close(l, '}');
    srr__tap_end(w);
    srr__tap_release(TAP(w), ts);
    return r;
}

/* getsockopt's and setsockopt's event, up to their level and name in the
 * open args object. */
static srr_jline *tap_opt_begin(srr_world *w, const char *op, int r, int s, int level, int name)
{
    tap_sock *ts = srr__tap_get(TAP(w), s);
    srr_jline *l = srr__tap_begin(w, op, r);
    srr__tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "level", level);
    srr__jl_int(l, "name", name);
    return l;
}

static int tap_getsockopt(srr_world *w, int s, int level, int name, void *val, socklen_t *len)
{
    assert(val && srr__check_getsockopt(len) == 0);
    socklen_t size = *len;
    int r = CALL(w, getsockopt, s, level, name, val, len);
    srr_jline *l = tap_opt_begin(w, "getsockopt", r, s, level, name);
    srr__jl_int(l, "size", size);
    srr__jl_close(l, '}');
    if (r == 0)
        srr__jl_b64(l, "value", val, *len < size ? *len : size);
    srr__tap_end(w);
    return r;
}

/* setsockopt's value as the kernel took it: the option's size is not known
 * here, and a caller may pass a length longer than its buffer (Linux reads
 * only what the option needs), so at most TAP_OPTION_MAX bytes are copied,
 * and through process_vm_readv, which reports an unmapped page instead of
 * faulting.  Nothing is recorded for a failed call. */
#define TAP_OPTION_MAX 256
static void tap_option_value(srr_jline *l, int r, const void *val, socklen_t len)
{
    unsigned char copy[TAP_OPTION_MAX];
    size_t want = len < sizeof copy ? len : sizeof copy;
    ssize_t got = 0;
    if (r == 0 && val && want > 0) {
        struct iovec to = {copy, want}, from = {(void *)val, want};
        got = process_vm_readv(getpid(), &to, 1, &from, 1, 0);
        if (got < 0)
            got = 0;
    }
    srr__jl_b64(l, "value", copy, (size_t)got);
}

static int tap_setsockopt(srr_world *w, int s, int level, int name, const void *val, socklen_t len)
{
    assert(srr__check_setsockopt(level, name, val, len) == 0);
    int r = CALL(w, setsockopt, s, level, name, val, len);
    srr_jline *l = tap_opt_begin(w, "setsockopt", r, s, level, name);
    tap_option_value(l, r, val, len);
    srr__jl_close(l, '}');
    srr__tap_end(w);
    return r;
}

static int tap_name(srr_world *w, const char *op, int s, struct sockaddr *addr, socklen_t *len,
                    socklen_t size, int r)
{
    tap_sock *ts = srr__tap_get(TAP(w), s);
    srr_jline *l = srr__tap_begin(w, op, r);
    srr__tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_close(l, '}');
    if (r == 0)
        tap_addr_member(l, "addr", addr, *len < size ? *len : size); /* truncated to the buffer */
    srr__tap_end(w);
    return r;
}

static int tap_getsockname(srr_world *w, int s, struct sockaddr *addr, socklen_t *len)
{
    srr__assert_addr_out(addr, len);
    socklen_t size = *len;
    return tap_name(w, "getsockname", s, addr, len, size, CALL(w, getsockname, s, addr, len));
}

static int tap_getpeername(srr_world *w, int s, struct sockaddr *addr, socklen_t *len)
{
    srr__assert_addr_out(addr, len);
    socklen_t size = *len;
    return tap_name(w, "getpeername", s, addr, len, size, CALL(w, getpeername, s, addr, len));
}

static int tap_fcntl(srr_world *w, int s, int cmd, long arg)
{
    int r = CALL(w, fcntl, s, cmd, arg);
    tap_sock *ts = srr__tap_get(TAP(w), s);
    int dup = (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && r >= 0;
    if (dup)
        srr__tap_insert(TAP(w), r, ts);
    srr_jline *l = srr__tap_begin(w, "fcntl", r);
    srr__tap_sock_members(l, s, ts);
    if (dup)
        srr__jl_int(l, "new_fd", r);
    tap_two_args(l, "cmd", cmd, "arg", arg);
    srr__tap_end(w);
    return r;
}

static int tap_ioctl(srr_world *w, int s, unsigned long request, void *arg)
{
    assert(srr__check_ioctl(request, arg) == 0);
    int r = CALL(w, ioctl, s, request, arg);
    tap_sock *ts = srr__tap_get(TAP(w), s);
    srr_jline *l = srr__tap_begin(w, "ioctl", r);
    srr__tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "request", (int64_t)request);
    if (request == FIONBIO && arg)
        srr__jl_int(l, "arg", *(const int *)arg);
    srr__jl_close(l, '}');
    if (r == 0 && arg && (request == FIONREAD || request == SIOCOUTQ))
        srr__jl_int(l, "value", *(const int *)arg);
    srr__tap_end(w);
    return r;
}

static int tap_poll(srr_world *w, struct pollfd *fds, nfds_t nfds, int64_t timeout_ns)
{
    assert(fds || nfds == 0);
    int r = CALL(w, poll, fds, nfds, timeout_ns);
    srr_jline *l = srr__tap_begin(w, "poll", r);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "timeout_ns", timeout_ns);
    srr__jl_open(l, "fds", '[');
    for (nfds_t i = 0; i < nfds; i++) {
        tap_sock *ts = srr__tap_lookup(TAP(w), fds[i].fd); /* no adoption: the writer's lock is held */
        srr__jl_open(l, NULL, '{');
        srr__jl_int(l, "fd", fds[i].fd);
        if (ts)
            srr__jl_int(l, "sock", (int64_t)ts->id);
        srr__jl_int(l, "events", fds[i].events);
        srr__jl_close(l, '}');
    }
    srr__jl_close(l, ']');
    srr__jl_close(l, '}');
    if (r >= 0) {
        srr__jl_open(l, "revents", '[');
        for (nfds_t i = 0; i < nfds; i++)
            srr__jl_int(l, NULL, fds[i].revents);
        srr__jl_close(l, ']');
    }
    srr__tap_end(w);
    return r;
}

/* ----------------------------------------------------------------- resolver */

/* Resolver results use their own codes: EAI_* in ret, errno only for EAI_SYSTEM. */
static srr_jline *tap_begin_gai(srr_world *w, const char *op, int r, int sys_errno)
{
    srr_jline *l = srr__trace_begin(TAP(w)->writer, op, r, r == EAI_SYSTEM ? sys_errno : 0);
    if (r != 0) {
        const char *name = srr_gai_name(r);
        srr__jl_str(l, "gai", name ? name : "EAI_?");
    }
    return l;
}

/* getaddrinfo's list, an object per answer */
static void tap_answers(srr_jline *l, const struct addrinfo *res)
{
    srr__jl_open(l, "answers", '[');
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        srr__jl_open(l, NULL, '{');
        srr__jl_int(l, "family", ai->ai_family);
        srr__jl_int(l, "socktype", ai->ai_socktype);
        srr__jl_int(l, "protocol", ai->ai_protocol);
        srr__jl_str(l, "canonname", ai->ai_canonname);
        tap_addr_member(l, "addr", ai->ai_addr, ai->ai_addrlen);
        srr__jl_close(l, '}');
    }
    srr__jl_close(l, ']');
}

static int tap_getaddrinfo(srr_world *w, const char *node, const char *service,
                           const struct addrinfo *hints, struct addrinfo **res, int *sys_errno)
{
    int r = CALL(w, getaddrinfo, node, service, hints, res, sys_errno);
    srr_jline *l = tap_begin_gai(w, "getaddrinfo", r, sys_errno ? *sys_errno : 0);
    srr__jl_open(l, "args", '{');
    srr__jl_str(l, "node", node);
    srr__jl_str(l, "service", service);
    srr__jl_int(l, "family", hints ? hints->ai_family : 0);
    srr__jl_int(l, "socktype", hints ? hints->ai_socktype : 0);
    srr__jl_int(l, "protocol", hints ? hints->ai_protocol : 0);
    srr__jl_int(l, "flags", hints ? hints->ai_flags : 0);
    srr__jl_close(l, '}');
    if (r == 0)
        tap_answers(l, *res);
    srr__tap_end(w);
    return r;
}

static int tap_getnameinfo(srr_world *w, const struct sockaddr *sa, socklen_t salen, char *host,
                           socklen_t hostlen, char *serv, socklen_t servlen, int flags,
                           int *sys_errno)
{
    int r = CALL(w, getnameinfo, sa, salen, host, hostlen, serv, servlen, flags, sys_errno);
    srr_jline *l = tap_begin_gai(w, "getnameinfo", r, sys_errno ? *sys_errno : 0);
    srr__jl_open(l, "args", '{');
    tap_addr_member(l, "addr", sa, salen);
    srr__jl_int(l, "flags", flags);
    srr__jl_close(l, '}');
    if (r == 0) {
        srr__jl_str(l, "host", host && hostlen ? host : "");
        srr__jl_str(l, "serv", serv && servlen ? serv : "");
    }
    srr__tap_end(w);
    return r;
}

static void tap_hostent_member(srr_jline *l, int r, const struct hostent *h, int h_err)
{
    if (r != 0)
        return;
    if (!h) {
        const char *name = srr_herror_name(h_err);
        srr__jl_str(l, "h_errno", name ? name : "NETDB_INTERNAL");
        return;
    }
    srr__jl_open(l, "hostent", '{');
    srr__jl_str(l, "name", h->h_name);
    srr__jl_open(l, "aliases", '[');
    for (char **a = h->h_aliases; a && *a; a++)
        srr__jl_str(l, NULL, *a);
    srr__jl_close(l, ']');
    srr__jl_int(l, "addrtype", h->h_addrtype);
    srr__jl_open(l, "addrs", '[');
    for (char **a = h->h_addr_list; a && *a; a++) {
        char buf[INET6_ADDRSTRLEN];
        srr__jl_str(l, NULL, inet_ntop(h->h_addrtype, *a, buf, sizeof buf) ? buf : "");
    }
    srr__jl_close(l, ']');
    srr__jl_close(l, '}');
}

/* The two gethostby*_r calls' event: their two arguments (a string and a
 * number) and the hostent; returns r. */
static int tap_hostent_event(srr_world *w, const char *op, int r, const char *skey,
                             const char *sval, const char *ikey, int ival,
                             const struct hostent *h, int h_err)
{
    srr_jline *l = srr__tap_begin(w, op, r);
    srr__jl_open(l, "args", '{');
    srr__jl_str(l, skey, sval);
    srr__jl_int(l, ikey, ival);
    srr__jl_close(l, '}');
    tap_hostent_member(l, r, h, h_err);
    srr__tap_end(w);
    return r;
}

static int tap_gethostbyname2_r(srr_world *w, const char *name, int af, struct hostent *ret,
                                char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
    int r = CALL(w, gethostbyname2_r, name, af, ret, buf, buflen, result, h_errnop);
    return tap_hostent_event(w, "gethostbyname2_r", r, "name", name, "af", af, *result,
                             *h_errnop);
}

static int tap_gethostbyaddr_r(srr_world *w, const void *addr, socklen_t len, int type,
                               struct hostent *ret, char *buf, size_t buflen,
                               struct hostent **result, int *h_errnop)
{
    int r = CALL(w, gethostbyaddr_r, addr, len, type, ret, buf, buflen, result, h_errnop);
    char ip[INET6_ADDRSTRLEN] = "";
    if ((type == AF_INET && len == 4) || (type == AF_INET6 && len == 16))
        inet_ntop(type, addr, ip, sizeof ip);
    return tap_hostent_event(w, "gethostbyaddr_r", r, "addr", ip, "type", type, *result,
                             *h_errnop);
}

static int tap_gethostname(srr_world *w, char *name, size_t len)
{
    int r = CALL(w, gethostname, name, len);
    srr_jline *l = srr__tap_begin(w, "gethostname", r);
    srr__jl_open(l, "args", '{');
    srr__jl_close(l, '}');
    if (r == 0)
        srr__jl_strn(l, "name", name, strnlen(name, len));
    srr__tap_end(w);
    return r;
}

static int tap_sethostname(srr_world *w, const char *name, size_t len)
{
    int r = CALL(w, sethostname, name, len);
    srr_jline *l = srr__tap_begin(w, "sethostname", r);
    srr__jl_open(l, "args", '{');
    srr__jl_strn(l, "name", name, len);
    srr__jl_close(l, '}');
    srr__tap_end(w);
    return r;
}

/* if_nameindex's list, an [index, name] pair per interface */
static void tap_ifaces(srr_jline *l, const struct if_nameindex *list)
{
    srr__jl_open(l, "ifaces", '[');
    for (const struct if_nameindex *i = list; i->if_index != 0 || i->if_name; i++) {
        srr__jl_open(l, NULL, '[');
        srr__jl_int(l, NULL, i->if_index);
        srr__jl_str(l, NULL, i->if_name);
        srr__jl_close(l, ']');
    }
    srr__jl_close(l, ']');
}

static int tap_if_nameindex(srr_world *w, struct if_nameindex **out)
{
    int r = CALL(w, if_nameindex, out);
    srr_jline *l = srr__tap_begin(w, "if_nameindex", r);
    srr__jl_open(l, "args", '{');
    srr__jl_close(l, '}');
    if (r == 0)
        tap_ifaces(l, *out);
    srr__tap_end(w);
    return r;
}

/* -------------------------------------------------------------------- clock */

static int64_t tap_now(srr_world *w, clockid_t clock)
{
    int64_t r = CALL(w, now, clock);
    if (!TAP(w)->record_clock)
        return r;
    srr_jline *l = srr__tap_begin(w, "now", r < 0 ? r : 0);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "clock", clock);
    srr__jl_close(l, '}');
    if (r >= 0)
        srr__jl_int(l, "value", r);
    srr__tap_end(w);
    return r;
}

static int tap_sleep(srr_world *w, clockid_t clock, int64_t ns)
{
    int r = CALL(w, sleep, clock, ns);
    if (!TAP(w)->record_clock)
        return r;
    srr_jline *l = srr__tap_begin(w, "sleep", r);
    tap_two_args(l, "clock", clock, "ns", ns);
    srr__tap_end(w);
    return r;
}

/* ----------------------------------------------------------------- lifetime */

/* What the world allocated goes back to it, untraced. */
static void tap_freeaddrinfo(srr_world *w, struct addrinfo *res)
{
    CALL(w, freeaddrinfo, res);
}

static void tap_if_freenameindex(srr_world *w, struct if_nameindex *list)
{
    CALL(w, if_freenameindex, list);
}

static void tap_destroy(srr_world *w)
{
    tap_world *t = TAP(w);
    srr__trace_writer_close(t->writer);
    srr_world_destroy(t->inner);
    for (size_t p = 0; p < TAP_PAGES; p++) {
        if (!t->pages[p])
            continue;
        for (size_t i = 0; i < TAP_PAGE; i++)
            srr__tap_unref_locked(t, atomic_load_explicit(&t->pages[p][i], memory_order_relaxed));
        free(t->pages[p]);
    }
    while (t->spare) {
        tap_sock *next = (tap_sock *)(uintptr_t)t->spare->id;
        free(t->spare);
        t->spare = next;
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static const srr_world_ops tap_ops = {
    .version = SRR_WORLD_OPS_VERSION,
    .name = "tap",
    .socket = tap_socket,
    .socketpair = tap_socketpair,
    .bind = tap_bind,
    .listen = tap_listen,
    .accept4 = tap_accept4,
    .connect = tap_connect,
    .sendmsg = tap_sendmsg,
    .recvmsg = tap_recvmsg,
    .shutdown = tap_shutdown,
    .close = tap_close,
    .getsockopt = tap_getsockopt,
    .setsockopt = tap_setsockopt,
    .getsockname = tap_getsockname,
    .getpeername = tap_getpeername,
    .fcntl = tap_fcntl,
    .ioctl = tap_ioctl,
    .poll = tap_poll,
    .getaddrinfo = tap_getaddrinfo,
    .freeaddrinfo = tap_freeaddrinfo,
    .getnameinfo = tap_getnameinfo,
    .gethostbyname2_r = tap_gethostbyname2_r,
    .gethostbyaddr_r = tap_gethostbyaddr_r,
    .gethostname = tap_gethostname,
    .sethostname = tap_sethostname,
    .if_nameindex = tap_if_nameindex,
    .if_freenameindex = tap_if_freenameindex,
    .now = tap_now,
    .sleep = tap_sleep,
    .destroy = tap_destroy,
    /* a tap over a tap: the note has already been recorded by this tap */
    .unsupported = srr_world_no_unsupported,
    .caps = 0, /* the inner world's (srr_world_wrap) */
    .control = srr__tap_control,
};

/* The tap over inner, writing with writer (which it then owns). */
static srr_world *tap_make(srr_world *inner, srr_trace_writer *writer, int record_clock)
{
    tap_world *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    srr_world_wrap(&t->base, &tap_ops, inner);
    t->inner = inner;
    t->writer = writer;
    /* a virtual clock is part of what the run did; the kernel's is not */
    t->record_clock = record_clock < 0 ? (srr_world_caps(inner) & SRR_CAP_VIRTUAL_CLOCK) != 0
                                       : record_clock;
    pthread_mutex_init(&t->lock, NULL);
    return &t->base;
}

srr_world *srr_world_tap(srr_world *inner, const char *path, const srr_tap_options *opts,
                         int *error)
{
    int dummy;
    if (!error)
        error = &dummy;
    if (!inner || !path) {
        *error = -EINVAL;
        return NULL;
    }
    srr_trace_meta meta = {
        .program = opts ? opts->program : NULL,
        .argc = opts ? opts->argc : 0,
        .argv = opts ? opts->argv : NULL,
        .world = inner->ops->name,
        .seed = 0,
        .payload_cap = opts ? opts->payload_cap : -1,
    };
    srr_trace_writer *writer = srr__trace_writer_open(path, &meta, inner, error);
    if (!writer)
        return NULL;
    srr_world *t = tap_make(inner, writer, opts ? opts->record_clock : -1);
    if (!t) {
        srr__trace_writer_close(writer);
        *error = -ENOMEM;
        return NULL;
    }
    *error = 0;
    return t;
}

/* ------------------------------------------------- the interposer's tap */

srr_world *srr__tap_attach(srr_world *inner, const char *trace_path, const char *ctl_path,
                           uint64_t (*key_of)(int handle), int *error)
{
    srr_trace_writer *writer = srr__trace_writer_attach(trace_path, ctl_path, inner, error);
    if (!writer)
        return NULL;
    srr_world *w = tap_make(inner, writer, -1);
    if (!w) {
        srr__trace_writer_close(writer);
        *error = -ENOMEM;
        return NULL;
    }
    TAP(w)->key_of = key_of;
    return w;
}
