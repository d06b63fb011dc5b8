/*
 * tap.c — the tracing world: a decorator that passes every call to the
 * wrapped world, then records the call and its result as one trace event
 * (docs/trace-format.md).  It works over any world because it only uses
 * the seam.
 *
 * Divisions: the socket table (stable ids, addresses, stream offsets);
 * recording helpers; one tap_<slot> per seam slot; creation.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sockrr.h" /* the error-name table */
#include "busy.h"
#include "sockrr/worlds.h"
#include "tap.h"
#include "trace.h"

#define TAP_ADDR_MAX 128
#define TAP_PAGE 1024
#define TAP_PAGES 1024 /* handles past 1 M are traced without a sock id */

/* What the trace knows of one open socket; dup'ed handles share it. */
typedef struct tap_sock {
    uint64_t id;
    int refs;    /* handles naming it */
    int family;
    int type;
    int stream;  /* byte offsets are kept for stream sockets (by the writer) */
    char local[TAP_ADDR_MAX];
    char peer[TAP_ADDR_MAX];
} tap_sock;

typedef struct tap_world {
    srr_world base;
    srr_world *inner;
    srr_trace_writer *writer;
    int record_clock;
    /* The table: handle -> record, in pages made on first use.  Lookups
     * take no lock (a socket call per event would otherwise pay for it);
     * changes take the lock.  A record is never freed while the tap lives,
     * only recycled through `spare`, so a lookup racing a close reads a
     * record, never freed memory. */
    pthread_mutex_t lock;
    _Atomic(tap_sock *) *pages[TAP_PAGES];
    tap_sock *spare;      /* recycled records, linked through id */
    /* the interposer's: what names a socket across processes (0 = unknown) */
    uint64_t (*key_of)(int handle);
} tap_world;

#define TAP(w) ((tap_world *)(w))
#define INNER(w) (TAP(w)->inner)
#define CALL(w, slot, ...) INNER(w)->ops->slot(INNER(w), __VA_ARGS__)

/* ------------------------------------------------------------ socket table */

/* The table's lock.  When processes share the trace (the interposer), a
 * signal handler may make a socket call on this thread: signals wait while
 * the lock is held instead of deadlocking on it. */
static void tap_table_lock(tap_world *t, sigset_t *saved)
{
    if (srr__trace_writer_shared(t->writer)) {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, saved);
    }
    pthread_mutex_lock(&t->lock);
    srr__busy++; /* busy.h */
}

static void tap_table_unlock(tap_world *t, const sigset_t *saved)
{
    srr__busy--;
    pthread_mutex_unlock(&t->lock);
    if (srr__trace_writer_shared(t->writer))
        pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* The slot of handle h; its page made when create is set (lock held). */
static _Atomic(tap_sock *) *tap_slot(tap_world *t, int h, int create)
{
    if (h < 0 || h / TAP_PAGE >= TAP_PAGES)
        return NULL;
    _Atomic(tap_sock *) *page = atomic_load_explicit(
        (_Atomic(_Atomic(tap_sock *) *) *)&t->pages[h / TAP_PAGE], memory_order_acquire);
    if (!page && create) {
        page = calloc(TAP_PAGE, sizeof *page);
        if (!page)
            return NULL;
        atomic_store_explicit((_Atomic(_Atomic(tap_sock *) *) *)&t->pages[h / TAP_PAGE], page,
                              memory_order_release);
    }
    return page ? &page[h % TAP_PAGE] : NULL;
}

static tap_sock *tap_lookup(tap_world *t, int h)
{
    _Atomic(tap_sock *) *slot = tap_slot(t, h, 0);
    return slot ? atomic_load_explicit(slot, memory_order_acquire) : NULL;
}

/* Back to the spare list when no handle names it (lock held). */
static void tap_unref_locked(tap_world *t, tap_sock *s)
{
    if (s && --s->refs == 0) {
        s->id = (uint64_t)(uintptr_t)t->spare;
        t->spare = s;
    }
}

/* Puts s at handle h (s may be shared by dup'ed handles). */
static void tap_insert(tap_world *t, int h, tap_sock *s)
{
    if (h < 0 || !s)
        return;
    sigset_t saved;
    tap_table_lock(t, &saved);
    _Atomic(tap_sock *) *slot = tap_slot(t, h, 1);
    if (slot) {
        /* a handle the tap missed being closed gives way */
        tap_unref_locked(t, atomic_load_explicit(slot, memory_order_relaxed));
        s->refs++;
        atomic_store_explicit(slot, s, memory_order_release);
    }
    tap_table_unlock(t, &saved);
}

/* Takes the handle out of the table before the world closes it, so a new
 * socket that reuses the number cannot be removed by mistake.  The caller
 * hands the returned record to tap_release when done with it. */
static tap_sock *tap_remove(tap_world *t, int h)
{
    tap_sock *s = NULL;
    sigset_t saved;
    tap_table_lock(t, &saved);
    _Atomic(tap_sock *) *slot = tap_slot(t, h, 0);
    if (slot) {
        s = atomic_exchange_explicit(slot, NULL, memory_order_acq_rel);
        if (s)
            s->refs++; /* the caller's, until tap_release */
        tap_unref_locked(t, s);
    }
    tap_table_unlock(t, &saved);
    return s;
}

static void tap_release(tap_world *t, tap_sock *s)
{
    if (!s)
        return;
    sigset_t saved;
    tap_table_lock(t, &saved);
    tap_unref_locked(t, s);
    tap_table_unlock(t, &saved);
}

/* A blank record: a spare one, or a new one. */
static tap_sock *tap_alloc(tap_world *t)
{
    sigset_t saved;
    tap_table_lock(t, &saved);
    tap_sock *s = t->spare;
    if (s)
        t->spare = (tap_sock *)(uintptr_t)s->id;
    tap_table_unlock(t, &saved);
    if (s)
        memset(s, 0, sizeof *s);
    else
        s = calloc(1, sizeof *s);
    return s;
}

/* A record for the socket at handle h: a new id, or, for a socket an
 * earlier process of the same trace registered (found through key_of after
 * exec), its id. */
static tap_sock *tap_new_sock(tap_world *t, int h, int family, int type, int adopt)
{
    tap_sock *s = tap_alloc(t);
    if (!s)
        return NULL;
    int found;
    s->id = srr__trace_sock_id(t->writer, t->key_of ? t->key_of(h) : 0, adopt, &found);
    s->family = family;
    s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    s->stream = s->type == SOCK_STREAM || s->type == SOCK_SEQPACKET;
    return s;
}

/* Asks the inner world for the socket's addresses (not recorded). */
static void tap_refresh(tap_world *t, int h, tap_sock *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (!s)
        return;
    if (INNER(t)->ops->getsockname(INNER(t), h, (struct sockaddr *)&ss, &len) == 0)
        srr__sockaddr_format((struct sockaddr *)&ss, len, s->local, sizeof s->local);
    len = sizeof ss;
    if (INNER(t)->ops->getpeername(INNER(t), h, (struct sockaddr *)&ss, &len) == 0)
        srr__sockaddr_format((struct sockaddr *)&ss, len, s->peer, sizeof s->peer);
}

/* Puts s at handle h unless another thread got there first; returns the
 * record that is in the table. */
static tap_sock *tap_insert_new(tap_world *t, int h, tap_sock *s)
{
    sigset_t saved;
    tap_table_lock(t, &saved);
    _Atomic(tap_sock *) *slot = tap_slot(t, h, 1);
    tap_sock *have = slot ? atomic_load_explicit(slot, memory_order_relaxed) : NULL;
    if (slot && !have) {
        s->refs++;
        atomic_store_explicit(slot, s, memory_order_release);
        have = s;
    } else {
        s->refs = 1;
        tap_unref_locked(t, s); /* another thread got there first, or no room */
    }
    tap_table_unlock(t, &saved);
    return have;
}

/* The record of handle h.  Under the interposer a program may use a socket
 * the tap never saw made (inherited across exec, or open before the trace
 * began): it is adopted, with the id an earlier process gave it when the
 * key finds one. */
static tap_sock *tap_get(tap_world *t, int h)
{
    tap_sock *s = tap_lookup(t, h);
    if (s || !t->key_of || h < 0 || !t->key_of(h))
        return s;
    int family = AF_UNSPEC, type = SOCK_STREAM;
    socklen_t len = sizeof family;
    INNER(t)->ops->getsockopt(INNER(t), h, SOL_SOCKET, SO_DOMAIN, &family, &len);
    len = sizeof type;
    INNER(t)->ops->getsockopt(INNER(t), h, SOL_SOCKET, SO_TYPE, &type, &len);
    s = tap_new_sock(t, h, family, type, 1);
    if (!s)
        return NULL;
    tap_refresh(t, h, s);
    return tap_insert_new(t, h, s);
}

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

static srr_jline *tap_begin(srr_world *w, const char *op, int64_t r)
{
    /* what the inner world could not model goes first, as its own event */
    const char *what = r < 0 ? tap_inner_unsupported(w) : NULL;
    if (what) {
        srr_jline *u = srr__trace_begin(TAP(w)->writer, "unsupported", -1, err_of(r));
        srr__jl_open(u, "args", '{');
        srr__jl_str(u, "what", what);
        srr__jl_str(u, "call", op);
        srr__jl_close(u, '}');
        srr__trace_end(TAP(w)->writer);
    }
    return srr__trace_begin(TAP(w)->writer, op, r < 0 ? -1 : r, err_of(r));
}

static void tap_end(srr_world *w)
{
    srr__trace_end(TAP(w)->writer);
}

/* The socket members: sock, fd, family, stype, local, peer. */
static void tap_sock_members(srr_jline *l, int h, const tap_sock *s)
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

static int tap_socket(srr_world *w, int domain, int type, int protocol)
{
    int r = CALL(w, socket, domain, type, protocol);
    tap_sock *s = NULL;
    if (r >= 0) {
        s = tap_new_sock(TAP(w), r, domain, type, 0);
        tap_insert(TAP(w), r, s);
    }
    srr_jline *l = tap_begin(w, "socket", r);
    if (r >= 0)
        tap_sock_members(l, r, s);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "domain", domain);
    srr__jl_int(l, "type", type);
    srr__jl_int(l, "protocol", protocol);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

static int tap_socketpair(srr_world *w, int domain, int type, int protocol, int sv[2])
{
    int r = CALL(w, socketpair, domain, type, protocol, sv);
    tap_sock *s[2] = {NULL, NULL};
    if (r == 0) {
        for (int i = 0; i < 2; i++) {
            s[i] = tap_new_sock(TAP(w), sv[i], domain, type, 0);
            tap_insert(TAP(w), sv[i], s[i]);
            tap_refresh(TAP(w), sv[i], s[i]);
        }
    }
    srr_jline *l = tap_begin(w, "socketpair", r);
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
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "domain", domain);
    srr__jl_int(l, "type", type);
    srr__jl_int(l, "protocol", protocol);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

/* bind and connect: an address argument, then fresh addresses. */
static int tap_addr_call(srr_world *w, const char *op, int s, const struct sockaddr *addr,
                         socklen_t len, int r)
{
    tap_sock *ts = tap_get(TAP(w), s);
    if (r == 0 || r == -EINPROGRESS || (r < 0 && ts && !ts->local[0]))
        tap_refresh(TAP(w), s, ts);
    srr_jline *l = tap_begin(w, op, r);
    tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    tap_addr_member(l, "addr", addr, len);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

static int tap_bind(srr_world *w, int s, const struct sockaddr *addr, socklen_t len)
{
    return tap_addr_call(w, "bind", s, addr, len, CALL(w, bind, s, addr, len));
}

static int tap_connect(srr_world *w, int s, const struct sockaddr *addr, socklen_t len)
{
    return tap_addr_call(w, "connect", s, addr, len, CALL(w, connect, s, addr, len));
}

static int tap_listen(srr_world *w, int s, int backlog)
{
    int r = CALL(w, listen, s, backlog);
    tap_sock *ts = tap_get(TAP(w), s);
    if (r == 0 && ts)
        tap_refresh(TAP(w), s, ts); /* listen binds an unbound socket */
    srr_jline *l = tap_begin(w, "listen", r);
    tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "backlog", backlog);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

static int tap_accept4(srr_world *w, int s, struct sockaddr *addr, socklen_t *len, int flags)
{
    int r = CALL(w, accept4, s, addr, len, flags);
    tap_sock *ts = tap_get(TAP(w), s), *ns = NULL;
    if (r >= 0) {
        ns = tap_new_sock(TAP(w), r, ts ? ts->family : AF_UNSPEC, ts ? ts->type : SOCK_STREAM, 0);
        tap_insert(TAP(w), r, ns);
        tap_refresh(TAP(w), r, ns);
    }
    srr_jline *l = tap_begin(w, "accept4", r);
    tap_sock_members(l, s, ts);
    if (ns) {
        srr__jl_int(l, "new_sock", (int64_t)ns->id);
        srr__jl_int(l, "new_fd", r);
        srr__jl_str(l, "new_local", ns->local);
        srr__jl_str(l, "new_peer", ns->peer);
    }
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "flags", flags);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

static ssize_t tap_sendmsg(srr_world *w, int s, const struct msghdr *msg, int flags)
{
    /* looked up first: a close by another thread during a blocking call
     * must not leave the event without its socket */
    tap_sock *ts = tap_get(TAP(w), s);
    ssize_t r = CALL(w, sendmsg, s, msg, flags);
    if (r >= 0 && ts && !ts->local[0])
        tap_refresh(TAP(w), s, ts); /* the first send binds an unbound datagram socket */
    srr_jline *l = tap_begin(w, "sendmsg", r);
    tap_sock_members(l, s, ts);
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
    tap_end(w);
    return r;
}

static ssize_t tap_recvmsg(srr_world *w, int s, struct msghdr *msg, int flags)
{
    size_t size = 0;
    for (size_t i = 0; i < msg->msg_iovlen; i++)
        size += msg->msg_iov[i].iov_len;
    tap_sock *ts = tap_get(TAP(w), s); /* first, as in tap_sendmsg */
    ssize_t r = CALL(w, recvmsg, s, msg, flags);
    if (r >= 0 && ts && !ts->local[0])
        tap_refresh(TAP(w), s, ts);
    srr_jline *l = tap_begin(w, "recvmsg", r);
    tap_sock_members(l, s, ts);
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
    tap_end(w);
    return r;
}

/* Calls with only integer arguments around a socket. */
static int tap_simple(srr_world *w, const char *op, int s, int r, const char *k1, int64_t v1)
{
    tap_sock *ts = tap_get(TAP(w), s);
    srr_jline *l = tap_begin(w, op, r);
    tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    if (k1)
        srr__jl_int(l, k1, v1);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

static int tap_shutdown(srr_world *w, int s, int how)
{
    return tap_simple(w, "shutdown", s, CALL(w, shutdown, s, how), "how", how);
}

static int tap_close(srr_world *w, int s)
{
    tap_get(TAP(w), s); /* an inherited socket closed unused still gets its id */
    tap_sock *ts = tap_remove(TAP(w), s);
    int r = CALL(w, close, s);
    srr_jline *l = tap_begin(w, "close", r);
    tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_close(l, '}');
    tap_end(w);
    tap_release(TAP(w), ts);
    return r;
}

static int tap_getsockopt(srr_world *w, int s, int level, int name, void *val, socklen_t *len)
{
    socklen_t size = *len;
    int r = CALL(w, getsockopt, s, level, name, val, len);
    tap_sock *ts = tap_get(TAP(w), s);
    srr_jline *l = tap_begin(w, "getsockopt", r);
    tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "level", level);
    srr__jl_int(l, "name", name);
    srr__jl_int(l, "size", size);
    srr__jl_close(l, '}');
    if (r == 0)
        srr__jl_b64(l, "value", val, *len < size ? *len : size);
    tap_end(w);
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
    int r = CALL(w, setsockopt, s, level, name, val, len);
    tap_sock *ts = tap_get(TAP(w), s);
    srr_jline *l = tap_begin(w, "setsockopt", r);
    tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "level", level);
    srr__jl_int(l, "name", name);
    tap_option_value(l, r, val, len);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

static int tap_name(srr_world *w, const char *op, int s, struct sockaddr *addr, socklen_t *len,
                    socklen_t size, int r)
{
    tap_sock *ts = tap_get(TAP(w), s);
    srr_jline *l = tap_begin(w, op, r);
    tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_close(l, '}');
    if (r == 0)
        tap_addr_member(l, "addr", addr, *len < size ? *len : size); /* truncated to the buffer */
    tap_end(w);
    return r;
}

static int tap_getsockname(srr_world *w, int s, struct sockaddr *addr, socklen_t *len)
{
    socklen_t size = *len;
    return tap_name(w, "getsockname", s, addr, len, size, CALL(w, getsockname, s, addr, len));
}

static int tap_getpeername(srr_world *w, int s, struct sockaddr *addr, socklen_t *len)
{
    socklen_t size = *len;
    return tap_name(w, "getpeername", s, addr, len, size, CALL(w, getpeername, s, addr, len));
}

static int tap_fcntl(srr_world *w, int s, int cmd, long arg)
{
    int r = CALL(w, fcntl, s, cmd, arg);
    tap_sock *ts = tap_get(TAP(w), s);
    int dup = (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && r >= 0;
    if (dup)
        tap_insert(TAP(w), r, ts);
    srr_jline *l = tap_begin(w, "fcntl", r);
    tap_sock_members(l, s, ts);
    if (dup)
        srr__jl_int(l, "new_fd", r);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "cmd", cmd);
    srr__jl_int(l, "arg", arg);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

static int tap_ioctl(srr_world *w, int s, unsigned long request, void *arg)
{
    int r = CALL(w, ioctl, s, request, arg);
    tap_sock *ts = tap_get(TAP(w), s);
    srr_jline *l = tap_begin(w, "ioctl", r);
    tap_sock_members(l, s, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "request", (int64_t)request);
    if (request == FIONBIO && arg)
        srr__jl_int(l, "arg", *(const int *)arg);
    srr__jl_close(l, '}');
    if (r == 0 && arg && (request == FIONREAD || request == SIOCOUTQ))
        srr__jl_int(l, "value", *(const int *)arg);
    tap_end(w);
    return r;
}

static int tap_poll(srr_world *w, struct pollfd *fds, nfds_t nfds, int64_t timeout_ns)
{
    int r = CALL(w, poll, fds, nfds, timeout_ns);
    srr_jline *l = tap_begin(w, "poll", r);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "timeout_ns", timeout_ns);
    srr__jl_open(l, "fds", '[');
    for (nfds_t i = 0; i < nfds; i++) {
        tap_sock *ts = tap_lookup(TAP(w), fds[i].fd); /* no adoption: the writer's lock is held */
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
    tap_end(w);
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
    if (r == 0) {
        srr__jl_open(l, "answers", '[');
        for (struct addrinfo *ai = *res; ai; ai = ai->ai_next) {
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
    tap_end(w);
    return r;
}

static void tap_freeaddrinfo(srr_world *w, struct addrinfo *res)
{
    CALL(w, freeaddrinfo, res);
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
    tap_end(w);
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

static int tap_gethostbyname2_r(srr_world *w, const char *name, int af, struct hostent *ret,
                                char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
    int r = CALL(w, gethostbyname2_r, name, af, ret, buf, buflen, result, h_errnop);
    srr_jline *l = tap_begin(w, "gethostbyname2_r", r);
    srr__jl_open(l, "args", '{');
    srr__jl_str(l, "name", name);
    srr__jl_int(l, "af", af);
    srr__jl_close(l, '}');
    tap_hostent_member(l, r, *result, *h_errnop);
    tap_end(w);
    return r;
}

static int tap_gethostbyaddr_r(srr_world *w, const void *addr, socklen_t len, int type,
                               struct hostent *ret, char *buf, size_t buflen,
                               struct hostent **result, int *h_errnop)
{
    int r = CALL(w, gethostbyaddr_r, addr, len, type, ret, buf, buflen, result, h_errnop);
    char ip[INET6_ADDRSTRLEN] = "";
    if ((type == AF_INET && len == 4) || (type == AF_INET6 && len == 16))
        inet_ntop(type, addr, ip, sizeof ip);
    srr_jline *l = tap_begin(w, "gethostbyaddr_r", r);
    srr__jl_open(l, "args", '{');
    srr__jl_str(l, "addr", ip);
    srr__jl_int(l, "type", type);
    srr__jl_close(l, '}');
    tap_hostent_member(l, r, *result, *h_errnop);
    tap_end(w);
    return r;
}

static int tap_gethostname(srr_world *w, char *name, size_t len)
{
    int r = CALL(w, gethostname, name, len);
    srr_jline *l = tap_begin(w, "gethostname", r);
    srr__jl_open(l, "args", '{');
    srr__jl_close(l, '}');
    if (r == 0)
        srr__jl_strn(l, "name", name, strnlen(name, len));
    tap_end(w);
    return r;
}

static int tap_sethostname(srr_world *w, const char *name, size_t len)
{
    int r = CALL(w, sethostname, name, len);
    srr_jline *l = tap_begin(w, "sethostname", r);
    srr__jl_open(l, "args", '{');
    srr__jl_strn(l, "name", name, len);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

static int tap_if_nameindex(srr_world *w, struct if_nameindex **out)
{
    int r = CALL(w, if_nameindex, out);
    srr_jline *l = tap_begin(w, "if_nameindex", r);
    srr__jl_open(l, "args", '{');
    srr__jl_close(l, '}');
    if (r == 0) {
        srr__jl_open(l, "ifaces", '[');
        for (struct if_nameindex *i = *out; i->if_index != 0 || i->if_name; i++) {
            srr__jl_open(l, NULL, '[');
            srr__jl_int(l, NULL, i->if_index);
            srr__jl_str(l, NULL, i->if_name);
            srr__jl_close(l, ']');
        }
        srr__jl_close(l, ']');
    }
    tap_end(w);
    return r;
}

static void tap_if_freenameindex(srr_world *w, struct if_nameindex *list)
{
    CALL(w, if_freenameindex, list);
}

/* -------------------------------------------------------------------- clock */

static int64_t tap_now(srr_world *w, clockid_t clock)
{
    int64_t r = CALL(w, now, clock);
    if (!TAP(w)->record_clock)
        return r;
    srr_jline *l = tap_begin(w, "now", r < 0 ? r : 0);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "clock", clock);
    srr__jl_close(l, '}');
    if (r >= 0)
        srr__jl_int(l, "value", r);
    tap_end(w);
    return r;
}

static int tap_sleep(srr_world *w, clockid_t clock, int64_t ns)
{
    int r = CALL(w, sleep, clock, ns);
    if (!TAP(w)->record_clock)
        return r;
    srr_jline *l = tap_begin(w, "sleep", r);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "clock", clock);
    srr__jl_int(l, "ns", ns);
    srr__jl_close(l, '}');
    tap_end(w);
    return r;
}

/* ----------------------------------------------------------------- lifetime */

static void tap_destroy(srr_world *w)
{
    tap_world *t = TAP(w);
    srr__trace_writer_close(t->writer);
    srr_world_destroy(t->inner);
    for (size_t p = 0; p < TAP_PAGES; p++) {
        if (!t->pages[p])
            continue;
        for (size_t i = 0; i < TAP_PAGE; i++)
            tap_unref_locked(t, atomic_load_explicit(&t->pages[p][i], memory_order_relaxed));
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

/* ------------------------------------------------------------ control
 * The host's news of what happened outside the seam (a dup, a close behind
 * the tap's back, a call it cannot route, fork) and the trace's own
 * descriptor; every other code goes to the inner world. */

/* h was closed outside the seam: a close event with args.via, when the tap
 * knew it. */
static void tap_forget(srr_world *w, int h, const char *via)
{
    tap_sock *ts = tap_remove(TAP(w), h);
    if (!ts)
        return;
    srr_jline *l = tap_begin(w, "close", 0);
    tap_sock_members(l, h, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_str(l, "via", via);
    srr__jl_close(l, '}');
    tap_end(w);
    tap_release(TAP(w), ts);
}

/* A dup (newfd -1), dup2 (flags -1) or dup3 that returned r: the new
 * descriptor shares old's socket. */
static int tap_dup(srr_world *w, const srr_fd_change *c)
{
    tap_sock *ts = tap_get(TAP(w), c->old);
    int r = c->result;
    if (r >= 0 && r != c->old) {
        /* dup2 over an open socket closes it without a close() call */
        if (tap_lookup(TAP(w), r))
            tap_forget(w, r, c->newfd < 0 ? "dup" : c->flags < 0 ? "dup2" : "dup3");
        tap_insert(TAP(w), r, ts);
    }
    srr_jline *l = tap_begin(w, "dup", r);
    tap_sock_members(l, c->old, ts);
    if (r >= 0)
        srr__jl_int(l, "new_fd", r);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "newfd", c->newfd);
    if (c->flags >= 0)
        srr__jl_int(l, "flags", c->flags);
    srr__jl_close(l, '}');
    tap_end(w);
    return 0;
}

static int tap_note(srr_world *w, const srr_note *n)
{
    srr_jline *l = srr__trace_begin(TAP(w)->writer, "unsupported", n->ret, n->err);
    srr__jl_open(l, "args", '{');
    srr__jl_str(l, "what", n->what);
    srr__jl_str(l, "call", n->call);
    srr__jl_close(l, '}');
    srr__trace_end(TAP(w)->writer);
    return 0;
}

/* fork: the table's lock is held across it, so the child finds it whole;
 * the inner world hears of each moment too. */
static int tap_fork(srr_world *w, srr_fork *f)
{
    tap_world *t = TAP(w);
    if (f->phase == SRR_FORK_PREPARE) {
        int r = CALL(w, control, SRR_CTL_FORK, f);
        pthread_mutex_lock(&t->lock);
        return r == -ENOTTY ? 0 : r;
    }
    if (f->phase == SRR_FORK_PARENT)
        pthread_mutex_unlock(&t->lock);
    else
        pthread_mutex_init(&t->lock, NULL); /* the child's only thread owns nothing */
    int r = CALL(w, control, SRR_CTL_FORK, f);
    return r == -ENOTTY ? 0 : r;
}

static int tap_control(srr_world *w, int op, void *arg)
{
    switch (op) {
    case SRR_CTL_DUP:
        return tap_dup(w, arg);
    case SRR_CTL_FORGET:
        tap_forget(w, ((const srr_fd_change *)arg)->old, ((const srr_fd_change *)arg)->via);
        return 0;
    case SRR_CTL_NOTE:
        return tap_note(w, arg);
    case SRR_CTL_FORK:
        return tap_fork(w, arg);
    case SRR_CTL_OWN_FD:
        return srr__trace_writer_fd(TAP(w)->writer);
    case SRR_CTL_MOVE_OWN_FD:
        return srr__trace_writer_move_fd(TAP(w)->writer);
    case SRR_CTL_TRACE_ERROR:
        return srr__trace_writer_error(TAP(w)->writer);
    default:
        return srr_world_control(INNER(w), op, arg);
    }
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
    .control = tap_control,
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

