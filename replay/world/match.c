/*
 * match.c — which recorded socket a program socket plays: the replay
 * world's socket, socketpair, bind, listen, accept4 and connect.  A program
 * socket is matched when it first says which: connect takes the next
 * recorded connection to that peer, listen the next recorded listener (by
 * address), a datagram socket its recorded socket at its first send or
 * receive (io.c).  Of the recorded processes, the first client or the
 * first server is played, whichever the program turns out to be.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "grow.h"
#include "sock_rules.h"
#include "world_assert.h"
#include "replay_int.h"

/* ------------------------------------------------------- program sockets */

rp_prog *srr__rp_prog_get(replay_world *r, int h)
{
    if (h < 3 || h - 3 >= RP_HANDLES || !r->handles[h - 3])
        return NULL;
    return &r->progs[r->handles[h - 3] - 1];
}

rp_sock *srr__rp_rec(replay_world *r, const rp_prog *p)
{
    return p && p->rec >= 0 ? &r->socks[p->rec] : NULL;
}

int srr__rp_new_handle(replay_world *r, size_t prog)
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
    srr__opts_init(&p->opt, family, type, srr__rule_default_proto(family, type));
    return (long)i;
}

/* Binds the program socket to recorded socket i of the process it plays
 * (choosing that process when not chosen yet). */
rp_sock *srr__rp_bind_rec(replay_world *r, rp_prog *p, size_t i)
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

long srr__rp_find_rec(replay_world *r, const rp_prog *p, const char *addr, rp_fits fits)
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
    return s->connected && srr__rp_addr_matches(r, s->peer, addr);
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
    return s->listener && (!p->bound[0] || srr__rp_bound_matches(r, s->local, p->bound));
}

static int rp_fits_any_listen(const replay_world *r, const rp_sock *s, const rp_prog *p,
                              const char *addr)
{
    (void)r, (void)p, (void)addr;
    return s->listener;
}

int srr__rp_fits_send_to(const replay_world *r, const rp_sock *s, const rp_prog *p,
                           const char *addr)
{
    (void)p;
    return !s->connected && s->first_to[0] && srr__rp_addr_matches(r, s->first_to, addr);
}

int srr__rp_fits_bound_dgram(const replay_world *r, const rp_sock *s, const rp_prog *p,
                               const char *addr)
{
    (void)addr;
    return !s->connected && !s->first_to[0] && (s->in_total || s->out_sends) &&
           (!p->bound[0] || srr__rp_bound_matches(r, s->local, p->bound));
}

static int rp_socket_locked(replay_world *r, int domain, int type, int protocol)
{
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    char why[80];
    int refused = srr__rule_socket(domain, base, protocol, why, sizeof why);
    if (refused < 0) {
        if (why[0])
            snprintf(r->unsupported, sizeof r->unsupported, "%s under replay", why);
        return refused;
    }
    long i = rp_new_prog(r, domain, base, (type & SOCK_NONBLOCK) != 0, -1);
    if (i < 0)
        return (int)i;
    if (protocol && domain != AF_UNIX)
        r->progs[i].opt.proto = protocol;
    int h = srr__rp_new_handle(r, (size_t)i);
    if (h >= 0)
        srr__rp_note(r, "socket #%zu", ++r->nmade);
    return h;
}

int srr__rp_socket(srr_world *w, int domain, int type, int protocol)
{
    assert(srr__check_socket(domain, type) == 0);
    return LOCKED(RW(w), rp_socket_locked(RW(w), domain, type, protocol));
}

int srr__rp_socketpair(srr_world *w, int d, int t, int p, int sv[2])
{
    assert(srr__check_socketpair(d, t, sv) == 0);
    (void)t, (void)p, (void)sv;
    int r = srr__rule_socketpair(d);
    if (r < 0)
        return r;
    snprintf(RW(w)->unsupported, sizeof RW(w)->unsupported, "socketpair under replay");
    return -EOPNOTSUPP;
}

static int rp_bind_locked(replay_world *r, int h, const struct sockaddr *a, socklen_t l)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    socklen_t own;
    int rc = srr__rule_bind_addr(p->family, a, l, &own);
    if (rc < 0)
        return rc;
    srr__sockaddr_format(a, l, p->bound, sizeof p->bound);
    return 0;
}

int srr__rp_bind(srr_world *w, int h, const struct sockaddr *a, socklen_t l)
{
    srr__assert_sockaddr(a, l);
    return LOCKED(RW(w), rp_bind_locked(RW(w), h, a, l));
}

static int rp_listen_locked(replay_world *r, int h)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    if (p->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (p->listening)
        return 0;
    long i = srr__rp_find_rec(r, p, NULL, rp_fits_listen);
    if (i < 0)
        i = srr__rp_find_rec(r, p, NULL, rp_fits_any_listen); /* bound elsewhere: the next one */
    if (i < 0)
        return srr__rp_diverge(r, "replay diverged: the program listens%s%s; the recording has no "
                             "more listening sockets", p->bound[0] ? " on " : "", p->bound);
    rp_sock *s = srr__rp_bind_rec(r, p, (size_t)i);
    p->listening = 1;
    srr__rp_note(r, "listener %ld: listen %s", i + 1, s->local);
    return 0;
}

int srr__rp_listen(srr_world *w, int h, int backlog)
{
    (void)backlog;
    return LOCKED(RW(w), rp_listen_locked(RW(w), h));
}

int srr__rp_child_due(replay_world *r, const rp_sock *s)
{
    if (s->next_child >= s->nchildren)
        return 0;
    size_t ci = s->children[s->next_child];
    return s->released > s->next_child ||
           (r->socks[ci].gate <= s->closed_prog && srr__rp_in_turn(r, ci, r->socks[ci].t_made));
}

int srr__rp_child_gated(replay_world *r, const rp_sock *s)
{
    return s->next_child < s->nchildren && !srr__rp_child_due(r, s);
}

void srr__rp_child_release(replay_world *r, rp_sock *s)
{
    s->released = s->next_child + 1;
    srr__rp_order_give_up(r, r->socks[s->children[s->next_child]].t_made);
}

static int rp_gated(replay_world *r, const void *s)
{
    return srr__rp_child_gated(r, s);
}

/* A blocked accept whose next connection waits for the program to finish
 * earlier ones: other threads get a moment to, then it is offered. */
static int rp_accept_gate(replay_world *r, rp_sock *s)
{
    if (srr__rp_await(r, RP_GATE_NS, rp_gated, s) < 0)
        return -EPROTO;
    if (srr__rp_child_gated(r, s))
        srr__rp_child_release(r, s);
    return 0;
}

static int rp_accept4_locked(replay_world *r, int h, struct sockaddr *a, socklen_t *l, int f)
{
    rp_prog *p;
    rp_sock *s;
    for (int gated = 0;; gated = 1) {
        /* looked up again after a wait: other threads may have accepted,
         * closed, or made sockets (which moves the program's table) */
        if (!(p = srr__rp_prog_get(r, h)))
            return -EBADF;
        if (p->type == SOCK_DGRAM)
            return -EOPNOTSUPP;
        s = srr__rp_rec(r, p);
        if (!p->listening || !s)
            return -EINVAL;
        if (s->next_child >= s->nchildren) {
            if (p->nonblock)
                return -EAGAIN;
            return srr__rp_wait_more(r, "another connection");
        }
        if (gated || !srr__rp_child_gated(r, s))
            break;
        if (p->nonblock)
            return -EAGAIN;
        int rc = rp_accept_gate(r, s);
        if (rc < 0)
            return rc;
    }
    size_t ci = s->children[s->next_child];
    if (srr__rp_order_open(r, ci) < 0)
        return -ENOMEM;
    long pi = rp_new_prog(r, p->family, p->type, (f & SOCK_NONBLOCK) != 0, (long)ci);
    if (pi < 0)
        return (int)pi;
    int nh = srr__rp_new_handle(r, (size_t)pi);
    if (nh < 0)
        return nh;
    s->next_child++;
    s->calls++;
    rp_sock *c = &r->socks[ci];
    c->used = 1;
    c->calls++;
    srr__rp_follow(r, c->t_made);
    char peer[128];
    srr__rp_addr_shown(r, c->peer, peer, sizeof peer);
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
    srr__rp_note(r, "connection %zu: accepted from %s", ci + 1, peer);
    return nh;
}

int srr__rp_accept4(srr_world *w, int h, struct sockaddr *a, socklen_t *l, int f)
{
    srr__assert_addr_out(a, l);
    assert(srr__check_accept4(f) == 0);
    return LOCKED(RW(w), rp_accept4_locked(RW(w), h, a, l, f));
}

static int rp_connect_locked(replay_world *r, int h, const struct sockaddr *addr, socklen_t len,
                             int *kfd)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = srr__rp_rec(r, p);
    /* Linux's order: a stream socket's state before the address, a
     * datagram socket's address alone (AF_UNSPEC drops the peer: the
     * recording's stays) */
    int rc;
    if (p->type == SOCK_STREAM && (p->listening || (s && !s->connect_err)))
        return -EISCONN;
    if (p->type == SOCK_STREAM)
        rc = srr__rule_stream_connect_addr(p->family, addr, len, &len);
    else if (addr->sa_family == AF_UNSPEC)
        return 0;
    else
        rc = srr__rule_dgram_peer(p->family, addr, &len);
    if (rc < 0)
        return rc;
    char got[128], name[200];
    srr__sockaddr_format(addr, len, got, sizeof got);
    if (s) {
        /* connected again (a datagram socket), or a non-blocking connect
         * asked again: the same peer, or a divergence */
        if (!srr__rp_addr_matches(r, s->peer, got))
            return srr__rp_diverge(r,
                                   "replay diverged: %s: the program connects to %s, the "
                                   "recording connected to %s",
                                   srr__rp_conn_name(r, s, name, sizeof name), got, s->peer);
        s->calls++;
        return s->connect_err                          ? -s->connect_err
               : p->type == SOCK_STREAM && p->nonblock ? -EISCONN
                                                       : 0;
    }
    long i = srr__rp_find_rec(r, p, got, rp_fits_connect);
    if (i < 0 && r->opt.passthrough_on_miss) {
        *kfd = srr__rp_pass_open(r, p, got);
        return *kfd < 0 ? *kfd : 0;
    }
    if (i < 0) {
        long next = srr__rp_find_rec(r, p, got, rp_fits_any_connect);
        if (next < 0)
            return srr__rp_diverge(r,
                                   "replay diverged: the program connects to %s (socket #%zu); the "
                                   "recording made no more connections of that kind",
                                   got, r->nmade);
        char shown[128];
        srr__rp_addr_shown(r, r->socks[next].peer, shown, sizeof shown);
        return srr__rp_diverge(r,
                               "replay diverged: connection %ld: the program connects to %s, the "
                               "recording connected to %s",
                               next + 1, got, shown);
    }
    s = srr__rp_bind_rec(r, p, (size_t)i);
    srr__rp_note(r, "connection %ld: connect %s", i + 1, got);
    if (s->connect_err)
        return -s->connect_err;
    return p->nonblock && p->type == SOCK_STREAM ? -EINPROGRESS : 0;
}

int srr__rp_connect(srr_world *w, int h, const struct sockaddr *addr, socklen_t len)
{
    srr__assert_sockaddr(addr, len);
    replay_world *r = RW(w);
    return RP_REPLAYED_OR_PASSED(r, h, k, rp_connect_locked(r, h, addr, len, &k),
                                 srr__rp_pass_connect(k, addr, len));
}
