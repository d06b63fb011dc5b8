/*
 * replay.c — the replay world: a recorded trace plays the peer of the
 * program being replayed (docs/replay.md).  This file fills the seam;
 * load.c reads the trace, report.c words divergences, resolve.c answers
 * lookups and maps addresses (replay_int.h says how they fit).
 *
 * The program's sockets are matched to recorded ones when they first say
 * which: connect (the next recorded connection to that peer), listen (the
 * next recorded listener, by address), a datagram's first send or receive.
 * Each recorded socket holds what the recording sent (one byte stream, so
 * send(a); send(b) matches a recorded send(ab)) and what it received, in
 * recorded chunks, each tagged with how many bytes had been sent before it
 * arrived, so a response is never given before its request; a listener
 * holds the connections accepted from it.  Timeouts and errors come back
 * as recorded, in virtual time that follows the recording's.  The first
 * call that does not match stops the replay with a report
 * (srr_replay_divergence); the host decides what to do with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "exit_status.h"
#include "grow.h"
#include "handover.h"
#include "libc.h"
#include "replay_int.h"
#include "vclock.h"

/* Waits with nothing new before the replay says the program is stuck: a
 * loop of timed waits with no recorded event left for them. */
#define RP_IDLE_LIMIT 1000
/* Real time a blocked accept gives other threads to play out the rest. */
#define RP_STALL_NS (2 * 1000000000LL)

int rp_pid_ok(const replay_world *r, int pid)
{
    if (r->pid)
        return pid == r->pid;
    if (!r->pids[0])
        return 1;
    for (int i = 0; i < RP_PIDS; i++)
        if (r->pids[i] == pid)
            return 1;
    return 0;
}

static void rp_follow(replay_world *r, int64_t t)
{
    if (t > r->now)
        r->now = t; /* time follows the recording's */
}

/* A recorded wait that timed out, waited out in virtual time: it ended at
 * the recording's t, or wait_ns from now when the program is ahead. */
static void rp_wait_out(replay_world *r, const in_item *it, int64_t wait_ns)
{
    int64_t end = r->now + (wait_ns > 0 ? wait_ns : 0);
    r->now = end > it->t ? end : it->t;
}

/* ------------------------------------------------------- program sockets */

static rp_prog *rp_prog_get(replay_world *r, int h)
{
    if (h < 3 || h - 3 >= RP_HANDLES || !r->handles[h - 3])
        return NULL;
    return &r->progs[r->handles[h - 3] - 1];
}

static rp_sock *rp_rec(replay_world *r, const rp_prog *p)
{
    return p && p->rec >= 0 ? &r->socks[p->rec] : NULL;
}

static int rp_new_handle(replay_world *r, size_t prog)
{
    for (int i = 0; i < RP_HANDLES; i++)
        if (!r->handles[i]) {
            r->handles[i] = (int)prog + 1;
            r->progs[prog].handles++;
            return i + 3;
        }
    return -EMFILE;
}

/* A new program socket; its index, or -ENOMEM.  Freed ones are reused. */
static long rp_new_prog(replay_world *r, int family, int type, int nonblock, long rec)
{
    size_t i;
    for (i = 0; i < r->nprogs && r->progs[i].handles; i++)
        ;
    if (i == r->nprogs) {
        if (srr__grow((void **)&r->progs, &r->progs_cap, r->nprogs + 1, sizeof *r->progs) < 0)
            return -ENOMEM;
        r->nprogs++;
    }
    rp_prog *p = &r->progs[i];
    memset(p, 0, sizeof *p);
    p->family = family;
    p->type = type;
    p->nonblock = nonblock;
    p->rec = rec;
    p->kfd = -1;
    return (long)i;
}

/* Binds the program socket to recorded socket i of the process it plays
 * (choosing that process when not chosen yet). */
static rp_sock *rp_bind_rec(replay_world *r, rp_prog *p, size_t i)
{
    rp_sock *s = &r->socks[i];
    r->pid = s->pid;
    p->rec = (long)i;
    s->used = 1;
    s->calls++;
    return s;
}

/* The next unused recorded socket of the played process (or of a
 * candidate, in preference order) that fits what the program does. */
typedef int (*rp_fits)(const replay_world *r, const rp_sock *s, const rp_prog *p,
                       const char *addr);

static long rp_find_rec(replay_world *r, const rp_prog *p, const char *addr, rp_fits fits)
{
    for (int c = 0; c < RP_PIDS; c++) {
        int pid = r->pid ? r->pid : r->pids[c];
        if (!pid && c > 0)
            break;
        for (size_t i = 0; i < r->nsocks; i++) {
            const rp_sock *s = &r->socks[i];
            if ((pid && s->pid != pid) || s->used || s->accepted || s->family != p->family ||
                s->type != p->type)
                continue;
            if (fits(r, s, p, addr))
                return (long)i;
        }
        if (r->pid)
            break;
    }
    return -1;
}

static int rp_fits_connect(const replay_world *r, const rp_sock *s, const rp_prog *p,
                           const char *addr)
{
    (void)p;
    return s->connected && rp_addr_matches(r, s->peer, addr);
}

static int rp_fits_any_connect(const replay_world *r, const rp_sock *s, const rp_prog *p,
                               const char *addr)
{
    (void)r, (void)p, (void)addr;
    return s->connected;
}

static int rp_fits_listen(const replay_world *r, const rp_sock *s, const rp_prog *p,
                          const char *addr)
{
    (void)addr;
    return s->listener && (!p->bound[0] || rp_bound_matches(r, s->local, p->bound));
}

static int rp_fits_any_listen(const replay_world *r, const rp_sock *s, const rp_prog *p,
                              const char *addr)
{
    (void)r, (void)p, (void)addr;
    return s->listener;
}

static int rp_fits_send_to(const replay_world *r, const rp_sock *s, const rp_prog *p,
                           const char *addr)
{
    (void)p;
    return !s->connected && s->first_to[0] && rp_addr_matches(r, s->first_to, addr);
}

static int rp_fits_bound_dgram(const replay_world *r, const rp_sock *s, const rp_prog *p,
                               const char *addr)
{
    (void)addr;
    return !s->connected && !s->first_to[0] && (s->in_total || s->out_sends) &&
           (!p->bound[0] || rp_bound_matches(r, s->local, p->bound));
}

/* ------------------------------------------------------------- sockets */

#define LOCKED(r, expr)                                                                        \
    ({                                                                                         \
        rp_lock(r);                                                                            \
        __typeof__(expr) v_ = (r)->diverged ? -EPROTO : (expr);                                \
        rp_unlock(r);                                                                          \
        v_;                                                                                    \
    })

static int rp_socket_locked(replay_world *r, int domain, int type, int protocol)
{
    (void)protocol;
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    long i = rp_new_prog(r, domain, base, (type & SOCK_NONBLOCK) != 0, -1);
    if (i < 0)
        return (int)i;
    int h = rp_new_handle(r, (size_t)i);
    if (h >= 0)
        rp_note(r, "socket #%zu", ++r->nmade);
    return h;
}

static int rp_socket(srr_world *w, int domain, int type, int protocol)
{
    return LOCKED(RW(w), rp_socket_locked(RW(w), domain, type, protocol));
}

static int rp_socketpair(srr_world *w, int d, int t, int p, int sv[2])
{
    (void)d, (void)t, (void)p, (void)sv;
    snprintf(RW(w)->unsupported, sizeof RW(w)->unsupported, "socketpair under replay");
    return -EOPNOTSUPP;
}

static int rp_bind_locked(replay_world *r, int h, const struct sockaddr *a, socklen_t l)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    srr__sockaddr_format(a, l, p->bound, sizeof p->bound);
    return 0;
}

static int rp_bind(srr_world *w, int h, const struct sockaddr *a, socklen_t l)
{
    return LOCKED(RW(w), rp_bind_locked(RW(w), h, a, l));
}

static int rp_listen_locked(replay_world *r, int h)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    if (p->listening)
        return 0;
    long i = rp_find_rec(r, p, NULL, rp_fits_listen);
    if (i < 0)
        i = rp_find_rec(r, p, NULL, rp_fits_any_listen); /* bound elsewhere: the next one */
    if (i < 0)
        return rp_diverge(r, "replay diverged: the program listens%s%s; the recording has no "
                             "more listening sockets", p->bound[0] ? " on " : "", p->bound);
    rp_sock *s = rp_bind_rec(r, p, (size_t)i);
    p->listening = 1;
    rp_note(r, "listener %ld: listen %s", i + 1, s->local);
    return 0;
}

static int rp_listen(srr_world *w, int h, int backlog)
{
    (void)backlog;
    return LOCKED(RW(w), rp_listen_locked(RW(w), h));
}

/* 1 when everything of the played process has been played out. */
static int rp_all_played(replay_world *r)
{
    return rp_leftover_locked(r, NULL, 0) == 0;
}

/* A server waits for a connection the recording does not have: when the
 * rest is played out, the replay is over (on_played_out); while another
 * thread may still be playing the rest, wait for it in real time; when
 * nothing moves, the program is stuck. */
static int rp_wait_more(replay_world *r, const char *what)
{
    int64_t waited = 0;
    uint64_t seen = r->progress;
    while (!r->diverged) {
        if (rp_all_played(r)) {
            if (r->opt.on_played_out) {
                /* the threads that played the last calls may still be
                 * finishing (a log line): a moment for them */
                struct timespec grace = {0, 20000000};
                rp_unlock(r);
                srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &grace, NULL);
                r->opt.on_played_out(r->opt.arg);
                rp_lock(r);
            }
            return -ESHUTDOWN;
        }
        if (waited >= RP_STALL_NS)
            break;
        struct timespec ms = {0, 1000000};
        rp_unlock(r);
        srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL);
        rp_lock(r);
        waited = r->progress != seen ? 0 : waited + ms.tv_nsec;
        seen = r->progress;
    }
    if (r->diverged)
        return -EPROTO;
    char left[1024];
    rp_leftover_locked(r, left, sizeof left);
    return rp_diverge(r, "replay diverged: the program waits for %s the recording does not have, "
                         "while the recording still has: %s", what, left);
}

static int rp_accept4_locked(replay_world *r, int h, struct sockaddr *a, socklen_t *l, int f)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = rp_rec(r, p);
    if (!p->listening || !s)
        return -EINVAL;
    if (s->next_child >= s->nchildren) {
        if (p->nonblock)
            return -EAGAIN;
        return rp_wait_more(r, "another connection");
    }
    size_t ci = s->children[s->next_child];
    long pi = rp_new_prog(r, p->family, p->type, (f & SOCK_NONBLOCK) != 0, (long)ci);
    if (pi < 0)
        return (int)pi;
    int nh = rp_new_handle(r, (size_t)pi);
    if (nh < 0)
        return nh;
    s->next_child++;
    s->calls++;
    rp_sock *c = &r->socks[ci];
    c->used = 1;
    c->calls++;
    rp_follow(r, c->t_made);
    char peer[128];
    rp_addr_shown(r, c->peer, peer, sizeof peer);
    if (a && l) {
        struct sockaddr_storage ss;
        socklen_t n;
        if (srr__sockaddr_parse(peer, &ss, &n) == 0) {
            memcpy(a, &ss, n < *l ? n : *l);
            *l = n;
        } else {
            *l = 0;
        }
    }
    rp_note(r, "connection %zu: accepted from %s", ci + 1, peer);
    return nh;
}

static int rp_accept4(srr_world *w, int h, struct sockaddr *a, socklen_t *l, int f)
{
    return LOCKED(RW(w), rp_accept4_locked(RW(w), h, a, l, f));
}

static int rp_connect_locked(replay_world *r, int h, const struct sockaddr *addr, socklen_t len,
                             int *kfd)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    char got[128], name[200];
    srr__sockaddr_format(addr, len, got, sizeof got);
    rp_sock *s = rp_rec(r, p);
    if (s) {
        /* connected again (a datagram socket), or a non-blocking connect
         * asked again: the same peer, or a divergence */
        if (!rp_addr_matches(r, s->peer, got))
            return rp_diverge(r, "replay diverged: %s: the program connects to %s, the "
                                 "recording connected to %s", rp_conn_name(r, s, name, sizeof name),
                              got, s->peer);
        s->calls++;
        return s->connect_err ? -s->connect_err : p->type == SOCK_STREAM && p->nonblock ? -EISCONN : 0;
    }
    long i = rp_find_rec(r, p, got, rp_fits_connect);
    if (i < 0 && r->opt.passthrough_on_miss) {
        *kfd = rp_pass_open(r, p, got);
        return *kfd < 0 ? *kfd : 0;
    }
    if (i < 0) {
        long next = rp_find_rec(r, p, got, rp_fits_any_connect);
        if (next < 0)
            return rp_diverge(r, "replay diverged: the program connects to %s (socket #%zu); the "
                                 "recording made no more connections of that kind", got,
                              r->nmade);
        char shown[128];
        rp_addr_shown(r, r->socks[next].peer, shown, sizeof shown);
        return rp_diverge(r, "replay diverged: connection %ld: the program connects to %s, the "
                             "recording connected to %s", next + 1, got, shown);
    }
    s = rp_bind_rec(r, p, (size_t)i);
    rp_note(r, "connection %ld: connect %s", i + 1, got);
    if (s->connect_err)
        return -s->connect_err;
    return p->nonblock && p->type == SOCK_STREAM ? -EINPROGRESS : 0;
}

static int rp_connect(srr_world *w, int h, const struct sockaddr *addr, socklen_t len)
{
    replay_world *r = RW(w);
    int k = rp_pass_fd(r, h);
    if (k < 0) {
        int rc = LOCKED(r, rp_connect_locked(r, h, addr, len, &k));
        if (k < 0)
            return rc;
    }
    return rp_pass_connect(k, addr, len);
}

/* A datagram is matched whole: the next recorded one must have its length
 * and its destination.  1 with *end, where the recorded datagram ends in
 * the stream of the socket's bytes (its bytes are then compared as a
 * stream's); 0 when the recording sent no more; -1 on a divergence (a
 * difference is tolerated when lenient, and the datagrams stay in step). */
static int rp_dgram_check(replay_world *r, rp_sock *s, const struct msghdr *m, size_t total,
                          uint64_t *end)
{
    rp_dgram_load(r, s);
    if (s->dg_head == s->ndg)
        return 0; /* none left: the byte comparison says "more than recorded" */
    struct rp_dgram *d = &s->dgrams[s->dg_head];
    char to[128] = "", want[128] = "";
    if (m->msg_name)
        srr__sockaddr_format(m->msg_name, m->msg_namelen, to, sizeof to);
    rp_addr_shown(r, d->to, want, sizeof want);
    uint64_t len = d->end > s->out_pos ? d->end - s->out_pos : 0;
    int rc = 0;
    if (len != total)
        rc = rp_differs(r, s, "the program sent a datagram of %zu bytes, the recording's was %llu",
                        total, (unsigned long long)len);
    else if (to[0] && d->to && strcmp(to, want) != 0)
        rc = rp_differs(r, s, "the program sent a datagram to %s, the recording sent it to %s",
                        to, want);
    *end = d->end;
    free(d->to);
    d->to = NULL;
    if (++s->dg_head == s->ndg) {
        s->dg_head = s->ndg = 0;
    } else if (s->dg_head > 64 && s->dg_head * 2 > s->ndg) {
        memmove(s->dgrams, s->dgrams + s->dg_head, (s->ndg - s->dg_head) * sizeof *s->dgrams);
        s->ndg -= s->dg_head;
        s->dg_head = 0;
    }
    return rc < 0 ? -1 : 1;
}

static ssize_t rp_sendmsg_locked(replay_world *r, int h, const struct msghdr *m, int flags,
                                 int *kfd)
{
    (void)flags;
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = rp_rec(r, p);
    if (!s && p->type != SOCK_STREAM && m->msg_name) {
        char to[128];
        srr__sockaddr_format(m->msg_name, m->msg_namelen, to, sizeof to);
        long i = rp_find_rec(r, p, to, rp_fits_send_to);
        if (i < 0 && r->opt.passthrough_on_miss) {
            *kfd = rp_pass_open(r, p, to);
            return *kfd < 0 ? *kfd : 0;
        }
        if (i < 0)
            return rp_diverge(r, "replay diverged: the program sends a datagram to %s (socket "
                                 "#%zu); the recording sent none there", to, r->nmade);
        s = rp_bind_rec(r, p, (size_t)i);
        rp_note(r, "connection %ld: first datagram to %s", i + 1, to);
    } else if (!s && p->type != SOCK_STREAM && p->bound[0]) {
        long i = rp_find_rec(r, p, NULL, rp_fits_bound_dgram);
        if (i >= 0)
            s = rp_bind_rec(r, p, (size_t)i);
    }
    if (!s)
        return p->type == SOCK_STREAM ? -ENOTCONN : -EDESTADDRREQ;
    size_t total = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        total += m->msg_iov[i].iov_len;
    unsigned char *got = malloc(total ? total : 1);
    if (!got)
        return -ENOMEM;
    size_t off = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++) {
        if (m->msg_iov[i].iov_len)
            memcpy(got + off, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
        off += m->msg_iov[i].iov_len;
    }
    s->calls++;
    long r2 = (long)total;
    uint64_t end = s->out_pos + total; /* where the program's bytes end in the stream */
    int compare = 1;
    if (p->type != SOCK_STREAM) {
        uint64_t dg_end = 0;
        int dc = rp_dgram_check(r, s, m, total, &dg_end);
        if (dc < 0) {
            free(got);
            return -EPROTO;
        }
        if (dc > 0) {
            compare = dg_end - s->out_pos == total; /* else tolerated already */
            end = dg_end;
        }
    }
    /* the recorded bytes from here, loaded (up to what the recording sent) */
    rp_out_load(r, s, s->out_pos + total);
    uint64_t have = s->out_base + s->out_len;
    size_t k = 0;
    while (compare && k < total && s->out_pos + k < have && got[k] == RP_OUT_AT(s, s->out_pos + k))
        k++;
    if (!compare) {
        /* a datagram of another size, tolerated (lenient) */
    } else if (k < total && r->opt.lenient) {
        rp_tolerate(r, s, s->out_pos + k, s->out_pos + k < have ? got : NULL, total);
    } else if (k < total && s->out_pos + k < have) {
        r2 = rp_diverge_bytes(r, s, s->out_pos + k, got, total);
    } else if (k < total) {
        char name[200];
        r2 = rp_diverge(r, "replay diverged: %s: the program sent %llu bytes more than the "
                           "recording's %llu", rp_conn_name(r, s, name, sizeof name),
                        (unsigned long long)(s->out_pos + total - s->out_total),
                        (unsigned long long)s->out_total);
    }
    if (r2 >= 0) {
        rp_note_io(r, 'S', (size_t)(s - r->socks) + 1, s->out_pos, s->out_pos + total);
        /* lenient: extra bytes go nowhere, and datagrams stay in step */
        s->out_pos = end > s->out_total ? s->out_total : end;
        rp_out_played(s);
    }
    free(got);
    return r2;
}

static ssize_t rp_sendmsg(srr_world *w, int h, const struct msghdr *m, int flags)
{
    replay_world *r = RW(w);
    int k = rp_pass_fd(r, h);
    if (k < 0) {
        ssize_t rc = LOCKED(r, rp_sendmsg_locked(r, h, m, flags, &k));
        if (k < 0)
            return rc;
    }
    return rp_pass_sendmsg(k, m, flags);
}

/* The next thing the socket would give: NULL when the recording gave
 * nothing more (or not yet: the program has not sent what came first). */
static in_item *rp_next_in(replay_world *r, rp_sock *s)
{
    in_item *it = rp_in_head(r, s);
    if (it && s->tolerated && s->out_pos < it->after_out) {
        /* lenient, after a difference: the program's request may be
         * shorter than the recorded one; what it sent stands for it */
        s->out_pos = it->after_out < s->out_total ? it->after_out : s->out_total;
        rp_out_played(s);
    }
    return it && s->out_pos >= it->after_out ? it : NULL;
}

static ssize_t rp_recvmsg_locked(replay_world *r, int h, struct msghdr *m, int flags)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = rp_rec(r, p);
    if (!s && p->type != SOCK_STREAM && p->bound[0]) {
        long i = rp_find_rec(r, p, NULL, rp_fits_bound_dgram);
        if (i >= 0) {
            s = rp_bind_rec(r, p, (size_t)i);
            rp_note(r, "connection %ld: datagrams at %s", i + 1, p->bound);
        }
    }
    if (!s) {
        if (p->type == SOCK_STREAM)
            return -ENOTCONN;
        return rp_diverge(r, "replay diverged: the program waits for a datagram on socket #%zu%s%s, "
                             "which the recording never received", r->nmade,
                          p->bound[0] ? " at " : "", p->bound);
    }
    char name[200];
    s->calls++;
    in_item *it = rp_next_in(r, s);
    if (!it) {
        if (p->nonblock || (flags & MSG_DONTWAIT))
            return -EAGAIN;
        in_item *later = rp_in_head(r, s);
        if (later)
            return rp_diverge(r, "replay diverged: %s: the program waits for data after sending "
                                 "%llu bytes; the recording received its next data only after "
                                 "sending %llu", rp_conn_name(r, s, name, sizeof name),
                              (unsigned long long)s->out_pos,
                              (unsigned long long)later->after_out);
        return rp_diverge(r, "replay diverged: %s: the program waits for more data than the "
                             "recording received", rp_conn_name(r, s, name, sizeof name));
    }
    if (it->kind != IN_TIMEOUT)
        rp_follow(r, it->t);
    if (it->kind == IN_EOF)
        return 0; /* and stays: every later read is EOF too */
    if (it->kind == IN_ERROR) {
        int err = it->err;
        s->waits_met++;
        rp_in_pop(s);
        return -err;
    }
    if (it->kind == IN_TIMEOUT) {
        rp_wait_out(r, it, it->wait_ns);
        s->waits_met++;
        rp_in_pop(s);
        return -EAGAIN; /* SO_RCVTIMEO, as the recording waited */
    }
    size_t room = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        room += m->msg_iov[i].iov_len;
    size_t left = it->len - s->in_off;
    size_t n = left < room ? left : room;
    int stream = p->type == SOCK_STREAM;
    if (stream && r->opt.rechunk && n > r->opt.rechunk)
        n = r->opt.rechunk;
    size_t done = 0;
    for (size_t i = 0; i < m->msg_iovlen && done < n; i++) {
        size_t k = m->msg_iov[i].iov_len < n - done ? m->msg_iov[i].iov_len : n - done;
        if (k) /* an empty piece may have no base */
            memcpy(m->msg_iov[i].iov_base, it->data + s->in_off + done, k);
        done += k;
    }
    rp_note_io(r, 'R', (size_t)(s - r->socks) + 1, n, 0);
    m->msg_flags = 0;
    if (m->msg_name) {
        struct sockaddr_storage ss;
        socklen_t sl = 0;
        char from[128];
        rp_addr_shown(r, it->from ? it->from : s->peer, from, sizeof from);
        if (!stream && srr__sockaddr_parse(from, &ss, &sl) == 0)
            memcpy(m->msg_name, &ss, sl < m->msg_namelen ? sl : m->msg_namelen);
        m->msg_namelen = stream ? 0 : sl;
    }
    ssize_t ret = (ssize_t)n;
    if (!stream && n < left) {
        m->msg_flags |= MSG_TRUNC; /* the rest of the datagram is gone */
        if (flags & MSG_TRUNC)
            ret = (ssize_t)left;
    }
    if (!(flags & MSG_PEEK)) {
        s->in_off += n;
        s->bytes_read += stream ? n : left;
        if (s->in_off == it->len || !stream) {
            rp_in_pop(s);
            s->in_off = 0;
        }
    }
    return ret;
}

static ssize_t rp_recvmsg(srr_world *w, int h, struct msghdr *m, int flags)
{
    int k = rp_pass_fd(RW(w), h);
    if (k >= 0)
        return rp_pass_recvmsg(k, m, flags);
    return LOCKED(RW(w), rp_recvmsg_locked(RW(w), h, m, flags));
}

static int rp_shutdown(srr_world *w, int h, int how)
{
    replay_world *r = RW(w);
    int k = rp_pass_fd(r, h);
    if (k >= 0)
        return rp_pass_call(k, RP_PASS_SHUTDOWN, how);
    return LOCKED(r, rp_rec(r, rp_prog_get(r, h)) ? 0 : rp_prog_get(r, h) ? -ENOTCONN : -EBADF);
}

static int rp_close(srr_world *w, int h)
{
    replay_world *r = RW(w);
    rp_lock(r);
    int rc = -EBADF;
    rp_prog *p = rp_prog_get(r, h);
    if (p) {
        if (--p->handles == 0)
            rp_pass_close(p);
        r->handles[h - 3] = 0;
        rc = 0;
    }
    rp_unlock(r);
    return rc;
}

static int rp_getsockopt_locked(replay_world *r, int h, int level, int name, void *val,
                                socklen_t *len)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = rp_rec(r, p);
    int v = 0;
    if (level == SOL_SOCKET && name == SO_ERROR)
        v = s ? s->connect_err : 0;
    else if (level == SOL_SOCKET && name == SO_TYPE)
        v = p->type;
    else if (level == SOL_SOCKET && name == SO_DOMAIN)
        v = p->family;
    else if (level == SOL_SOCKET && name == SO_ACCEPTCONN)
        v = p->listening;
    else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF))
        v = 131072;
    if (*len < sizeof v)
        return -EINVAL;
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
}

static int rp_getsockopt(srr_world *w, int h, int level, int name, void *val, socklen_t *len)
{
    int k = rp_pass_fd(RW(w), h);
    if (k >= 0)
        return rp_pass_call(k, RP_PASS_GETSOCKOPT, level, name, val, len);
    return LOCKED(RW(w), rp_getsockopt_locked(RW(w), h, level, name, val, len));
}

static int rp_setsockopt(srr_world *w, int h, int level, int name, const void *val,
                         socklen_t len)
{
    replay_world *r = RW(w);
    int k = rp_pass_fd(r, h);
    if (k >= 0)
        return rp_pass_call(k, RP_PASS_SETSOCKOPT, level, name, val, len);
    rp_lock(r);
    rp_prog *p = rp_prog_get(r, h);
    if (p && r->opt.passthrough_on_miss && len <= sizeof p->opts[0].val) {
        /* kept for a kernel socket the program may yet get (passthrough.c) */
        int i = 0;
        while (i < p->nopts && (p->opts[i].level != level || p->opts[i].name != name))
            i++;
        if (i < (int)(sizeof p->opts / sizeof p->opts[0])) {
            p->opts[i] = (struct rp_opt){.level = level, .name = name, .len = len};
            memcpy(p->opts[i].val, val, len);
            p->nopts = i == p->nopts ? i + 1 : p->nopts;
        }
    }
    rp_unlock(r);
    return p ? 0 : -EBADF; /* options change nothing the recording did not show */
}

static int rp_name_locked(replay_world *r, int h, struct sockaddr *addr, socklen_t *len, int peer)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = rp_rec(r, p);
    char str[128] = "";
    struct sockaddr_storage ss;
    socklen_t n;
    if (peer && s && p->type == SOCK_STREAM && !p->listening)
        rp_addr_shown(r, s->peer, str, sizeof str);
    else if (peer && s && s->connected)
        rp_addr_shown(r, s->peer, str, sizeof str);
    else if (!peer && p->bound[0] && srr__sockaddr_parse(p->bound, &ss, &n) == 0 &&
             !(ss.ss_family == AF_INET && !((struct sockaddr_in *)&ss)->sin_port) &&
             !(ss.ss_family == AF_INET6 && !((struct sockaddr_in6 *)&ss)->sin6_port))
        snprintf(str, sizeof str, "%s", p->bound); /* where the program asked to be */
    else if (!peer && s)
        rp_addr_shown(r, s->local, str, sizeof str);
    if (srr__sockaddr_parse(str, &ss, &n) == 0) {
        memcpy(addr, &ss, n < *len ? n : *len);
        *len = n;
        return 0;
    }
    if (peer)
        return -ENOTCONN;
    memset(addr, 0, *len);
    addr->sa_family = (sa_family_t)p->family;
    return 0;
}

static int rp_getsockname(srr_world *w, int h, struct sockaddr *a, socklen_t *l)
{
    int k = rp_pass_fd(RW(w), h);
    if (k >= 0)
        return rp_pass_call(k, RP_PASS_GETSOCKNAME, a, l);
    return LOCKED(RW(w), rp_name_locked(RW(w), h, a, l, 0));
}

static int rp_getpeername(srr_world *w, int h, struct sockaddr *a, socklen_t *l)
{
    int k = rp_pass_fd(RW(w), h);
    if (k >= 0)
        return rp_pass_call(k, RP_PASS_GETPEERNAME, a, l);
    return LOCKED(RW(w), rp_name_locked(RW(w), h, a, l, 1));
}

static int rp_fcntl_locked(replay_world *r, int h, int cmd, long arg)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    switch (cmd) {
    case F_GETFL: return O_RDWR | (p->nonblock ? O_NONBLOCK : 0);
    case F_SETFL: p->nonblock = (arg & O_NONBLOCK) != 0; return 0;
    case F_GETFD: case F_SETFD: return 0;
    case F_DUPFD: case F_DUPFD_CLOEXEC: return rp_new_handle(r, (size_t)(p - r->progs));
    default: return -EINVAL;
    }
}

static int rp_fcntl(srr_world *w, int h, int cmd, long arg)
{
    int k = rp_pass_fd(RW(w), h);
    if (k >= 0 && (cmd == F_GETFL || cmd == F_SETFL))
        return rp_pass_call(k, RP_PASS_FCNTL, cmd, arg);
    return LOCKED(RW(w), rp_fcntl_locked(RW(w), h, cmd, arg));
}

static int rp_ioctl_locked(replay_world *r, int h, unsigned long req, void *arg)
{
    rp_prog *p = rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = rp_rec(r, p);
    if (req == FIONBIO) {
        p->nonblock = *(const int *)arg != 0;
        return 0;
    }
    if (req == FIONREAD) {
        in_item *it = s ? rp_next_in(r, s) : NULL;
        *(int *)arg = it && it->kind == IN_DATA ? (int)(it->len - s->in_off) : 0;
        return 0;
    }
    if (req == SIOCOUTQ) {
        *(int *)arg = 0;
        return 0;
    }
    return -ENOTTY;
}

static int rp_ioctl(srr_world *w, int h, unsigned long req, void *arg)
{
    int k = rp_pass_fd(RW(w), h);
    if (k >= 0)
        return rp_pass_call(k, RP_PASS_IOCTL, req, arg);
    return LOCKED(RW(w), rp_ioctl_locked(RW(w), h, req, arg));
}

/* What one program socket is ready for, as the recording says. */
static short rp_revents(replay_world *r, const struct pollfd *pfd)
{
    rp_prog *p = rp_prog_get(r, pfd->fd);
    if (!p)
        return POLLNVAL;
    rp_sock *s = rp_rec(r, p);
    short ev = 0;
    if (p->listening)
        return s && s->next_child < s->nchildren ? (pfd->events & POLLIN) : 0;
    if (!s)
        return (short)(pfd->events & POLLOUT);
    in_item *it = rp_next_in(r, s);
    if ((pfd->events & POLLIN) && it && it->kind != IN_TIMEOUT)
        ev |= (short)(POLLIN | (it->kind == IN_EOF ? POLLHUP : 0) |
                      (it->kind == IN_ERROR ? POLLERR : 0));
    if ((pfd->events & POLLOUT) && !s->connect_err)
        ev |= POLLOUT;
    if (s->connect_err)
        ev |= POLLERR | POLLHUP;
    return ev;
}

/* Ready as the recording says: POLLOUT always (the peer took everything),
 * POLLIN when the next recorded thing for the socket is due, a listener's
 * POLLIN when a recorded connection is still to be accepted.  When nothing
 * is ready and the recording timed out waiting, so does the program, in no
 * wall time. */
static int rp_poll_locked(replay_world *r, struct pollfd *fds, nfds_t n, int64_t timeout_ns)
{
    int ready = 0, listens = 0;
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = fds[i].fd < 0 ? 0 : rp_revents(r, &fds[i]);
        ready += fds[i].revents != 0;
        rp_prog *p = fds[i].fd >= 0 ? rp_prog_get(r, fds[i].fd) : NULL;
        listens |= p && p->listening;
    }
    if (ready || timeout_ns == 0)
        return ready;
    /* nothing: a recorded timeout for one of these, or the end */
    for (nfds_t i = 0; i < n; i++) {
        rp_sock *s = fds[i].fd >= 0 ? rp_rec(r, rp_prog_get(r, fds[i].fd)) : NULL;
        in_item *it = s ? rp_next_in(r, s) : NULL;
        if (it && it->kind == IN_TIMEOUT) {
            rp_wait_out(r, it, timeout_ns);
            s->waits_met++;
            rp_in_pop(s);
            r->progress++;
            return 0;
        }
    }
    /* a server waiting for its next connection: once all is played, the
     * end; before, another thread is playing the rest (time stands still
     * meanwhile: the recording's events move it), or the program is stuck */
    if (listens) {
        uint64_t seen = r->progress;
        for (int64_t waited = 0; waited < RP_STALL_NS && !rp_all_played(r); waited += 1000000) {
            struct timespec ms = {0, 1000000};
            rp_unlock(r);
            srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL);
            rp_lock(r);
            if (r->progress != seen || r->diverged)
                return r->diverged ? -EPROTO : 0;
        }
        return rp_wait_more(r, "another connection");
    }
    if (r->progress != r->idle_progress)
        r->idle_waits = 0;
    r->idle_progress = r->progress;
    if (timeout_ns > 0 && ++r->idle_waits <= RP_IDLE_LIMIT) {
        r->now += timeout_ns; /* a wait the recording did not show ends empty */
        return 0;
    }
    char left[1024];
    rp_leftover_locked(r, left, sizeof left);
    if (timeout_ns > 0)
        return rp_diverge(r, "replay diverged: the program waited %u times in a row on %lu "
                             "descriptors with nothing recorded for them; the recording still "
                             "has: %s", RP_IDLE_LIMIT, (unsigned long)n, left[0] ? left : "nothing");
    return rp_diverge(r, "replay diverged: the program waits forever on %lu descriptors; the "
                         "recording has nothing more for them%s%s", (unsigned long)n,
                      left[0] ? "; it still has: " : "", left);
}

/* What is ready among the replayed sockets of a wait that also holds
 * kernel-backed ones (passthrough.c asks the kernel about those). */
static int rp_replayed_ready(replay_world *r, struct pollfd *fds, nfds_t n)
{
    int ready = 0;
    for (nfds_t i = 0; i < n; i++) {
        rp_prog *p = fds[i].fd >= 0 ? rp_prog_get(r, fds[i].fd) : NULL;
        fds[i].revents = fds[i].fd < 0 || (p && p->kfd >= 0) ? 0 : rp_revents(r, &fds[i]);
        ready += fds[i].revents != 0;
    }
    return ready;
}

static int rp_poll(srr_world *w, struct pollfd *fds, nfds_t n, int64_t timeout_ns)
{
    replay_world *r = RW(w);
    for (nfds_t i = 0; i < n && r->opt.passthrough_on_miss; i++)
        if (rp_pass_fd(r, fds[i].fd) >= 0)
            return rp_pass_poll(r, fds, n, timeout_ns, rp_replayed_ready);
    int rc = LOCKED(r, rp_poll_locked(r, fds, n, timeout_ns));
    if (rc == 0 && r->idle_waits > 1) {
        /* a loop of empty waits: let other threads of the program run */
        struct timespec ms = {0, 1000000};
        srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL);
    }
    return rc;
}

/* --------------------------------------------------------------- clock */

static int64_t rp_now(srr_world *w, clockid_t clock)
{
    replay_world *r = RW(w);
    rp_lock(r);
    int64_t t = r->now;
    rp_unlock(r);
    if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
        return t + r->epoch;
    return t;
}

static int rp_sleep(srr_world *w, clockid_t clock, int64_t ns)
{
    (void)clock;
    replay_world *r = RW(w);
    rp_lock(r);
    r->now += ns > 0 ? ns : 0;
    rp_unlock(r);
    return 0;
}

/* The host's read: REALTIME or MONOTONIC, in and out. */
static int rp_host_now(replay_world *r, int64_t *inout)
{
    clockid_t clock = (clockid_t)*inout;
    rp_lock(r);
    int64_t t = r->now;
    rp_unlock(r);
    *inout = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE ? t + r->epoch : t;
    return 0;
}

/* -------------------------------------------------------------- control */

static int rp_fork(replay_world *r, srr_fork *f)
{
    if (f->phase == SRR_FORK_PREPARE) {
        rp_lock(r);
        r->fork_from.mono = r->now;
        r->fork_from.realtime = r->now + r->epoch;
        rp_unlock(r);
    } else if (f->phase == SRR_FORK_CHILD) {
        r->fork_from.why = "a forked child cannot share the replay yet: its "
                           "socket and resolver calls fail with EOPNOTSUPP";
        f->child = srr__world_forked(&r->fork_from, f->say);
    }
    return 0;
}

static int rp_report_into(replay_world *r, int diverged, srr_report *rep)
{
    rp_lock(r);
    int n = diverged ? r->diverged : rp_leftover_locked(r, rep->buf, rep->len);
    if (diverged && n && rep->buf && rep->len)
        snprintf(rep->buf, rep->len, "%s", r->report);
    rp_unlock(r);
    return n;
}

/* 1 when one of the program's sockets played a recorded one, or a recorded
 * lookup was answered. */
static int rp_used(replay_world *r)
{
    rp_lock(r);
    int used = r->pid != 0;
    for (size_t i = 0; i < r->ngais && !used; i++)
        used = r->gais[i].used;
    rp_unlock(r);
    return used;
}

/* At exit, in strict mode: the recording must have been played out by the
 * process that replayed it (one that never used it, a shell wrapper on
 * its way to exec, is not judged). */
static int rp_program_end(replay_world *r, srr_verdict *v)
{
    char report[2048];
    if (r->opt.lenient || !rp_used(r))
        return 0;
    srr_report rep = {report, sizeof report};
    if (rp_report_into(r, 0, &rep) <= 0)
        return 0;
    v->status = SRR_EXIT_UNPLAYED;
    snprintf(v->message, sizeof v->message,
             "the program ended before the recording did: %s", report);
    return 1;
}

static int rp_control(srr_world *w, int op, void *arg)
{
    replay_world *r = RW(w);
    switch (op) {
    case SRR_CTL_NOW:
        return rp_host_now(r, arg);
    case SRR_CTL_CLOCK_CHARGE:
        *(int64_t *)arg = srr__vclock_charge(&r->clock_charged, *(int64_t *)arg);
        return 0;
    case SRR_CTL_WAIT_STEP:
        *(int64_t *)arg = SRR_VCLOCK_WAIT_STEP_NS;
        return 0;
    case SRR_CTL_FORK:
        return rp_fork(r, arg);
    case SRR_CTL_PROGRAM_END:
        return rp_program_end(r, arg);
    case SRR_CTL_REPLAY_DIVERGENCE:
        return rp_report_into(r, 1, arg);
    case SRR_CTL_REPLAY_USED:
        return rp_used(r);
    case SRR_CTL_REPLAY_LEFTOVER:
        return rp_report_into(r, 0, arg);
    default:
        return -ENOTTY;
    }
}

static const char *rp_unsupported(srr_world *w)
{
    static __thread char note[160];
    replay_world *r = RW(w);
    if (!r->unsupported[0])
        return NULL;
    memcpy(note, r->unsupported, sizeof note);
    r->unsupported[0] = '\0';
    return note;
}

static void rp_destroy(srr_world *w)
{
    replay_world *r = RW(w);
    rp_free_recording(r);
    free(r->progs);
    free(r->maps);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static const srr_world_ops replay_ops = {
    .version = SRR_WORLD_OPS_VERSION,
    .name = "replay",
    .socket = rp_socket,
    .socketpair = rp_socketpair,
    .bind = rp_bind,
    .listen = rp_listen,
    .accept4 = rp_accept4,
    .connect = rp_connect,
    .sendmsg = rp_sendmsg,
    .recvmsg = rp_recvmsg,
    .shutdown = rp_shutdown,
    .close = rp_close,
    .getsockopt = rp_getsockopt,
    .setsockopt = rp_setsockopt,
    .getsockname = rp_getsockname,
    .getpeername = rp_getpeername,
    .fcntl = rp_fcntl,
    .ioctl = rp_ioctl,
    .poll = rp_poll,
    .getaddrinfo = rp_getaddrinfo,
    .freeaddrinfo = rp_freeaddrinfo,
    .getnameinfo = rp_getnameinfo,
    .gethostbyname2_r = rp_byname,
    .gethostbyaddr_r = rp_byaddr,
    .gethostname = rp_gethostname,
    .sethostname = rp_sethostname,
    .if_nameindex = rp_if_nameindex,
    .if_freenameindex = rp_if_freenameindex,
    .now = rp_now,
    .sleep = rp_sleep,
    .destroy = rp_destroy,
    .unsupported = rp_unsupported,
    .caps = SRR_CAP_OWN_HANDLES | SRR_CAP_VIRTUAL_CLOCK | SRR_CAP_HERMETIC,
    .control = rp_control,
};

/* --------------------------------------------------------------- public */

srr_world *srr__world_replay_handover(const char *trace_path, const srr_replay_options *opts,
                                     const char *index_in, const char *index_out, char *errbuf,
                                     size_t errlen)
{
    char dummy[8];
    if (!errbuf || !errlen) {
        errbuf = dummy;
        errlen = sizeof dummy;
    }
    errbuf[0] = '\0';
    replay_world *r = calloc(1, sizeof *r);
    if (!r || !trace_path) {
        snprintf(errbuf, errlen, "replay: %s", r ? "no trace given" : "out of memory");
        free(r);
        return NULL;
    }
    if (opts)
        r->opt = *opts;
    r->index_in = index_in;
    r->index_out = index_out;
    pthread_mutex_init(&r->lock, NULL);
    srr_world_init(&r->base, &replay_ops);
    snprintf(r->source, sizeof r->source, "%s", trace_path);
    if (rp_parse_maps(r, r->opt.map, errbuf, errlen) < 0 ||
        rp_load(r, trace_path, errbuf, errlen) < 0) {
        rp_destroy(&r->base);
        return NULL;
    }
    return &r->base;
}

srr_world *srr_world_replay(const char *trace_path, const srr_replay_options *opts, char *errbuf,
                            size_t errlen)
{
    return srr__world_replay_handover(trace_path, opts, NULL, NULL, errbuf, errlen);
}
