/*
 * sim_stream.c — connected byte streams (TCP and AF_UNIX stream/seqpacket):
 * connect, accept, send, receive, shutdown, close, and the service scripts
 * the world plays on its own end of a connection.
 *
 * Bytes are delivered at once (no latency yet): a send puts them straight
 * into the other end's receive buffer, within the room Linux would give
 * (the receiver's SO_RCVBUF plus the sender's SO_SNDBUF).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sim.h"
#include "sock_rules.h"
#include "grow.h"
#include "world_assert.h"

static int stream_nonblocking(const sim_sock *k, int flags)
{
    return (k->status_flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}


void srr__sim_connect_pair(sim_sock *a, sim_sock *b)
{
    a->other = b;
    b->other = a;
    a->state = b->state = SIM_S_CONNECTED;
    srr__opts_established(&a->opt);
    srr__opts_established(&b->opt);
}

/* The other end learns the connection was reset (RST). */
static int stream_push(sim_world *s, const sim_sock *k, sim_sock *o, const void *p, size_t len,
                       int fin);

/* The other end learns the connection was reset (RST), after whatever is
 * still on the wire towards it. */
static void stream_reset_other(sim_world *s, sim_sock *k)
{
    sim_sock *o = k->other;
    if (!o)
        return;
    o->other = NULL;
    k->other = NULL;
    if (stream_push(s, k, o, NULL, 0, 2) < 0) {
        o->reset = 1;
        o->so_error = ECONNRESET;
    }
}

/* ------------------------------------------------------------ the wire */

int srr__sim_link_between(sim_world *s, const struct sockaddr *peer, const struct sockaddr *mine,
                          int64_t *latency, int64_t *rate)
{
    const struct sockaddr *remote = !srr__sim_is_local(s, peer) ? peer
                                    : !srr__sim_is_local(s, mine) ? mine : NULL;
    if (!remote)
        return 0;
    const sim_fault *lat = srr__sim_fault_addr(s, remote, 0, SIM_FAULT_LATENCY);
    const sim_fault *bw = srr__sim_fault_addr(s, remote, 0, SIM_FAULT_BANDWIDTH);
    *latency = lat ? lat->ns : s->cfg->latency_ns;
    *rate = bw ? bw->rate : s->cfg->bandwidth;
    return 1;
}

static int stream_link(sim_world *s, const sim_sock *k, int64_t *latency, int64_t *rate)
{
    return k->family != AF_UNIX &&
           srr__sim_link_between(s, (const struct sockaddr *)&k->peer,
                               (const struct sockaddr *)&k->local, latency, rate);
}

static void stream_arrive_end(sim_sock *o, int fin)
{
    if (fin == 1)
        o->rx_eof = 1;
    else if (fin == 2) {
        o->reset = 1;
        o->so_error = ECONNRESET;
    }
}

/* Puts bytes (fin 0), the FIN (1) or the RST (2) from k on the way to o, in
 * order: the link sends one thing at a time at its bandwidth, and each
 * arrives its latency later. */
static int stream_push(sim_world *s, const sim_sock *k, sim_sock *o, const void *p, size_t len,
                       int fin)
{
    int64_t latency = 0, rate = 0;
    int64_t at = s->vt.now;
    if (stream_link(s, k, &latency, &rate)) {
        int64_t start = o->link_free_at > s->vt.now ? o->link_free_at : s->vt.now;
        o->link_free_at = start + (rate > 0 ? (int64_t)((double)len * 1e9 / (double)rate) : 0);
        at = o->link_free_at + latency;
    }
    if (at <= s->vt.now && !o->fly.head) {
        if (fin) {
            stream_arrive_end(o, fin);
            return 0;
        }
        return srr__sim_buf_put(&o->rx, p, len);
    }
    sim_chunk *c = malloc(sizeof *c + (len ? len : 1));
    if (!c)
        return -ENOMEM;
    const sim_chunk *last = SIM_Q_TAIL(&o->fly, sim_chunk);
    c->at = last && last->at > at ? last->at : at; /* a stream keeps its order */
    c->fin = fin;
    c->q.len = len;
    if (len)
        memcpy(c->data, p, len);
    srr__sim_q_push(&o->fly, &c->q);
    return 0;
}

void srr__sim_stream_arrivals(sim_world *s)
{
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < s->nall; i++) {
            sim_sock *k = s->all[i];
            int moved = 0;
            while (k->fly.head && SIM_Q_HEAD(&k->fly, sim_chunk)->at <= s->vt.now) {
                sim_chunk *c = (sim_chunk *)(void *)srr__sim_q_pop(&k->fly);
                if (c->fin)
                    stream_arrive_end(k, c->fin);
                else /* TCP takes bytes after SHUT_RD, and they read (Linux) */
                    srr__sim_buf_put(&k->rx, c->data, c->q.len);
                free(c);
                moved = 1;
            }
            if (moved) {
                srr__vt_changed(&s->vt);
                /* a script may end and free its socket: start over */
                if (k->service && srr__sim_service_run(s, k)) {
                    again = 1;
                    break;
                }
            }
        }
    }
}

static void stream_fin_other(sim_world *s, sim_sock *k)
{
    if (k->other)
        stream_push(s, k, k->other, NULL, 0, 1);
}

size_t srr__sim_stream_room(const sim_sock *k)
{
    const sim_sock *o = k->other;
    size_t cap = k->family == AF_UNIX ? (size_t)k->opt.sndbuf : (size_t)o->opt.rcvbuf + (size_t)k->opt.sndbuf;
    size_t used = srr__sim_buf_len(&o->rx) + o->fly.bytes + o->stalled;
    return used >= cap ? 0 : cap - used;
}

/* --------------------------------------------------------------- services */

static void service_done(sim_world *s, sim_sock *k)
{
    k->service = NULL;
    k->step_until = 0;
    srr__sim_sock_unref(s, k); /* the world's reference */
}

/* Runs the script as far as it can go now; 1 when the script ended and
 * its end of the connection is gone (k is freed). */
int srr__sim_service_run(sim_world *s, sim_sock *k)
{
    if (k->service && k->service->dns) {
        int done = 0;
        if (srr__sim_dns_server_stream(s, k, &done) < 0 || done) {
            stream_fin_other(s, k);
            if (k->other)
                k->other->other = NULL;
            k->other = NULL;
            goto finished;
        }
        return 0;
    }
    while (k->service && k->step < k->service->nscript) {
        const sim_step *st = &k->service->script[k->step];
        sim_sock *o = k->other;
        switch (st->kind) {
        case SIM_STEP_EXPECT: {
            /* matched as the bytes come, so an expect may be larger than
             * what the buffers hold at once */
            unsigned char part[4096];
            size_t have;
            while (k->expect_off < st->len && (have = srr__sim_buf_len(&k->rx)) > 0) {
                size_t n = st->len - k->expect_off;
                n = n < have ? n : have;
                n = n < sizeof part ? n : sizeof part;
                srr__sim_buf_get(&k->rx, part, n, 0);
                if (memcmp(part, st->data + k->expect_off, n) != 0) {
                    stream_reset_other(s, k); /* not what the script expects */
                    goto finished;
                }
                k->expect_off += n;
                srr__vt_changed(&s->vt); /* room for the sender */
            }
            if (k->expect_off < st->len) {
                if (k->rx_eof || !o) /* it will never come */
                    goto finished;
                return 0;
            }
            k->expect_off = 0;
            break;
        }
        case SIM_STEP_SEND:
            if (o && stream_push(s, k, o, st->data, st->len, 0) < 0)
                return 0;
            break;
        case SIM_STEP_WAIT:
            if (k->step_until == 0) {
                k->step_until = s->vt.now + st->ns;
                if (st->ns > 0)
                    return 0;
            }
            if (s->vt.now < k->step_until)
                return 0;
            k->step_until = 0;
            break;
        case SIM_STEP_CLOSE:
            stream_fin_other(s, k);
            if (o)
                o->other = NULL;
            k->other = NULL;
            goto finished;
        case SIM_STEP_RESET:
            stream_reset_other(s, k);
            goto finished;
        }
        k->step++;
        srr__vt_changed(&s->vt);
    }
    return 0;
finished:
    srr__vt_changed(&s->vt);
    service_done(s, k);
    return 1;
}

/* ---------------------------------------------------------------- connect */

/* The listener (or service) that answers a connect to `to`, or NULL. */
static sim_sock *stream_listener(sim_world *s, const sim_sock *k, const struct sockaddr *to)
{
    sim_sock *l = srr__sim_find_bound(s, k->family, k->type, to);
    if (!l)
        return NULL;
    l = srr__sim_reuseport_pick(s, l, k->local_len ? (const struct sockaddr *)&k->local : NULL);
    /* a wildcard listener answers only on this host's own addresses */
    if (k->family != AF_UNIX && !l->service && !srr__sim_is_local(s, to))
        return NULL;
    return l;
}

/* The far end of k's connection to `to`, connected to k: a new socket with
 * the listener's options (Linux copies them to the connections it accepts),
 * or the defaults when nothing listens (a peer the world plays). */
static sim_sock *stream_far_end(sim_world *s, sim_sock *k, const sim_sock *l,
                                const struct sockaddr *to, socklen_t tolen)
{
    /* the listener's family: a dual-stack IPv6 listener's connections from
     * IPv4 are IPv6 sockets that see IPv4-mapped addresses */
    int family = l ? l->family : k->family;
    sim_sock *srv = srr__sim_sock_new(s, family, k->type, k->proto);
    if (!srv)
        return NULL;
    if (k->family == AF_UNIX && l) {
        memcpy(&srv->local, &l->local, l->local_len);
        srv->local_len = l->local_len;
    } else {
        memcpy(&srv->local, to, tolen);
        srv->local_len = tolen;
        srr__sim_addr_to_family(family, &srv->local, &srv->local_len);
    }
    srv->bound = k->family != AF_UNIX; /* it holds the port, as on Linux */
    memcpy(&srv->peer, &k->local, k->local_len);
    srv->peer_len = k->local_len;
    srr__sim_addr_to_family(family, &srv->peer, &srv->peer_len);
    memcpy(&k->peer, to, tolen);
    k->peer_len = tolen;
    if (l) {
        /* Linux clones the listener; only its accept queue's setting stays */
        srv->opt = l->opt;
        srv->opt.defer_accept = 0;
    }
    srr__sim_connect_pair(k, srv);
    return srv;
}

/* Makes the server end of a new connection and queues it (or hands it to
 * the service script). */
static int stream_establish(sim_world *s, sim_sock *k, sim_sock *l, const struct sockaddr *to,
                            socklen_t tolen)
{
    sim_sock *srv = stream_far_end(s, k, l, to, tolen);
    if (!srv)
        return -ENOMEM;
    if (l->service) {
        srv->service = l->service;
        srv->refs = 1; /* held by the world until the script ends */
        srr__sim_service_run(s, srv);
    } else {
        if (srr__grow((void **)&l->pending, &l->pending_cap, l->npending + 1,
                      sizeof *l->pending) < 0) {
            stream_reset_other(s, srv);
            return -ENOMEM;
        }
        l->pending[l->npending++] = srv;
    }
    srr__vt_changed(&s->vt);
    return 0;
}

/* ------------------------------------------------------- a world's peer */

sim_sock *srr__sim_peer_answer(sim_world *s, sim_sock *k, const struct sockaddr *to,
                               socklen_t tolen)
{
    sim_sock *srv = stream_far_end(s, k, NULL, to, tolen);
    if (srv) {
        srv->refs = 1; /* the peer's */
        srr__vt_changed(&s->vt);
    }
    return srv;
}

sim_sock *srr__sim_peer_dial(sim_world *s, sim_sock *l, const struct sockaddr *from,
                             socklen_t fromlen, const struct sockaddr *to, socklen_t tolen)
{
    sim_sock *c = srr__sim_sock_new(s, l->family, l->type, l->proto);
    if (!c)
        return NULL;
    c->refs = 1; /* the peer's */
    memcpy(&c->local, from, fromlen);
    c->local_len = fromlen;
    c->bound = 1;
    if (stream_establish(s, c, l, to, tolen) < 0) {
        srr__sim_sock_unref(s, c);
        return NULL;
    }
    return c;
}

static int record_push(sim_sock *o, size_t len);

int srr__sim_peer_send(sim_world *s, sim_sock *mine, const void *p, size_t n)
{
    sim_sock *o = mine->other;
    if (!o || (o->rd_shut && o->family == AF_UNIX))
        return 0; /* gone or refusing: the bytes go nowhere, as a peer's after a reset */
    int r = stream_push(s, mine, o, p, n, 0);
    if (r == 0 && mine->type == SOCK_SEQPACKET && n > 0)
        r = record_push(o, n); /* a message is a record */
    return r;
}

void srr__sim_peer_end(sim_world *s, sim_sock *mine, int reset)
{
    if (reset) {
        stream_reset_other(s, mine);
    } else if (!mine->wr_shut) {
        mine->wr_shut = 1;
        stream_fin_other(s, mine);
    }
    srr__vt_changed(&s->vt);
}

/* connect(AF_UNSPEC) on a TCP socket: a connection is dissolved with a
 * reset to its peer (tcp_disconnect), the socket may connect again. */
static int stream_disconnect(sim_world *s, sim_sock *k)
{
    if (k->state == SIM_S_LISTEN) {
        srr__sim_stream_close(s, k);
    } else if (k->state == SIM_S_CONNECTED || k->state == SIM_S_CONNECTING) {
        stream_reset_other(s, k);
        if (k->other)
            k->other->other = NULL;
        k->other = NULL;
    }
    k->state = SIM_S_NEW;
    k->peer_len = 0;
    k->connect_to = NULL;
    k->rx_eof = k->rd_shut = k->wr_shut = k->reset = 0;
    srr__sim_buf_free(&k->rx);
    srr__vt_changed(&s->vt);
    return 0;
}

/* When k's next SYN leaves after now: its retransmits follow the first by
 * 1, 3, 7, 15, 31, 63 s (TCP_TIMEOUT_INIT doubling); after the last, never
 * (the deadline ends the connect). */
static int64_t stream_next_syn(const sim_sock *k, int64_t now)
{
    for (int64_t back = 1; back <= 63; back = back * 2 + 1)
        if (k->connect_start + back * 1000000000LL > now)
            return k->connect_start + back * 1000000000LL;
    return INT64_MAX / 2;
}

void srr__sim_stream_connects_due(sim_world *s)
{
    for (size_t i = 0; i < s->nall; i++) {
        sim_sock *k = s->all[i], *l = k->connect_to;
        if (k->state != SIM_S_CONNECTING || !l || s->vt.now < k->connect_at)
            continue;
        if (l->npending > l->backlog) {
            k->connect_at = stream_next_syn(k, s->vt.now) + k->connect_rtt;
            continue;
        }
        k->connect_to = NULL;
        k->state = SIM_S_NEW;
        if (stream_establish(s, k, l, (struct sockaddr *)&k->peer, k->peer_len) < 0) {
            k->state = SIM_S_CLOSED;
            k->so_error = ENOMEM;
        }
        srr__vt_changed(&s->vt);
    }
}

/* A blocking connect in CONNECTING waits until its handshake completes,
 * it gives up (the SYN budget, a refusal), or SO_SNDTIMEO passes. */
static int stream_connect_wait(sim_world *s, sim_sock *k, int handle)
{
    int64_t until = k->connect_deadline;
    if (k->opt.sndtimeo_ns > 0 && s->vt.now + k->opt.sndtimeo_ns < until)
        until = s->vt.now + k->opt.sndtimeo_ns;
    for (;;) {
        int r = srr__vt_wait(&s->vt, "connect", handle, until);
        if (r == -EDEADLK)
            return r;
        if (k->state == SIM_S_CONNECTED)
            return 0;
        if (k->state != SIM_S_CONNECTING) { /* the deadline processing ended it */
            int e = k->so_error ? k->so_error : ETIMEDOUT;
            k->so_error = 0; /* reported here, not again */
            k->state = SIM_S_NEW;
            return -e;
        }
        if (r == -ETIMEDOUT) /* SO_SNDTIMEO: Linux reports EINPROGRESS */
            return -EINPROGRESS;
    }
}

static int stream_connect_fault(sim_world *s, sim_sock *k, int handle, const sim_fault *f)
{
    switch (f->action) {
    case SIM_FAULT_REFUSE:
        return -ECONNREFUSED;
    case SIM_FAULT_UNREACHABLE:
        return -(f->errnum ? f->errnum : EHOSTUNREACH);
    case SIM_FAULT_BLACKHOLE: {
        /* SYNs vanish: Linux retries until its budget runs out */
        k->state = SIM_S_CONNECTING;
        k->connect_deadline = s->vt.now + s->cfg->connect_timeout_ns;
        if (k->status_flags & O_NONBLOCK)
            return -EINPROGRESS;
        return stream_connect_wait(s, k, handle);
    }
    default:
        return 1; /* not a connect fault: go on */
    }
}

/* A socket that is connected, connecting or listening cannot connect.
 * TCP says so before it looks at the address (__inet_stream_connect),
 * AF_UNIX after (unix_stream_connect). */
static int stream_connect_state(sim_sock *k)
{
    switch (k->state) {
    case SIM_S_CONNECTED:
        /* the first connect after a non-blocking one completed says so
         * once (0), then EISCONN (__inet_stream_connect) */
        if (k->connect_reported) {
            k->connect_reported = 0;
            return 1;
        }
        return -EISCONN;
    case SIM_S_CONNECTING: return -EALREADY;
    case SIM_S_LISTEN: return k->family == AF_UNIX ? -EINVAL : -EISCONN;
    default: return 0;
    }
}

int srr__sim_connect(sim_world *s, sim_sock *k, int handle, const struct sockaddr *sa,
                     socklen_t len)
{
    srr__assert_sockaddr(sa, len);
    if (sa->sa_family == AF_UNSPEC && k->family != AF_UNIX)
        return stream_disconnect(s, k);
    /* IP asks the socket's state before the address, AF_UNIX after */
    int r = k->family == AF_UNIX ? 0 : stream_connect_state(k);
    if (r == 1)
        return 0;
    if (r < 0 || (r = srr__rule_stream_connect_addr(k->family, sa, len, &len)) < 0 ||
        (r = stream_connect_state(k)) != 0)
        return r < 0 ? r : 0;
    struct sockaddr_storage to;
    memset(&to, 0, sizeof to);
    memcpy(&to, sa, len);
    if (k->family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        if (un->sun_path[0] != '\0')
            len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
                              strnlen(un->sun_path, len - offsetof(struct sockaddr_un, sun_path)) +
                              1);
        sim_sock *l = stream_listener(s, k, (struct sockaddr *)&to);
        if (!l && s->peer && s->peer->connect(s, k, (struct sockaddr *)&to, len))
            return 0; /* a peer the world plays took it */
        if (!l)
            return srr__sim_unix_missing(s, k->type, (struct sockaddr *)&to);
        /* a full queue: EAGAIN when non-blocking; otherwise wait for room
         * (SO_SNDTIMEO bounds the wait, as on Linux) */
        while (l->npending > l->backlog) {
            if (k->status_flags & O_NONBLOCK)
                return -EAGAIN;
            int r = srr__sim_block(s, "connect", handle,
                                   srr__sim_timeo_deadline(s, k->opt.sndtimeo_ns));
            if (r < 0)
                return r;
            l = stream_listener(s, k, (struct sockaddr *)&to);
            if (!l)
                return -ECONNREFUSED;
        }
        if (!k->local_len) {
            k->local.ss_family = AF_UNIX;
            k->local_len = sizeof(sa_family_t);
        }
        return stream_establish(s, k, l, (struct sockaddr *)&to, len);
    }
    if (k->family == AF_INET6 && k->opt.v6only &&
        IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)sa)->sin6_addr))
        return -ENETUNREACH; /* an IPv6-only socket reaches no IPv4 address */
    struct sockaddr_storage any;
    if (srr__sim_is_wildcard(sa)) {
        /* 0.0.0.0 and :: are this host: Linux routes them to the loopback */
        memcpy(&any, sa, len);
        if (k->family == AF_INET)
            ((struct sockaddr_in *)&any)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else
            ((struct sockaddr_in6 *)&any)->sin6_addr = in6addr_loopback;
        sa = (const struct sockaddr *)&any;
    }
    const sim_fault *f = srr__sim_fault_connect(s, sa);
    r = srr__sim_autobind(s, k, sa);
    if (r < 0)
        return r;
    /* bound to the any address: the connection leaves from a real one */
    srr__sim_source_addr(s, k, sa, &k->local, &k->local_len);
    if (f) {
        r = stream_connect_fault(s, k, handle, f);
        if (r <= 0)
            return r;
    }
    sim_sock *l = stream_listener(s, k, sa);
    if (!l && s->peer && s->peer->connect(s, k, sa, len)) {
        srr__opts_established(&k->opt);
        return (k->status_flags & O_NONBLOCK) ? -EINPROGRESS : 0; /* the world's peer took it */
    }
    if (!l) {
        if (!srr__sim_is_local(s, sa) && !srr__sim_host_of(s, sa))
            return -ENETUNREACH; /* an address no host of the sim has */
        if (k->status_flags & O_NONBLOCK) {
            /* the RST comes after the SYN: EINPROGRESS, then SO_ERROR */
            k->state = SIM_S_CLOSED;
            k->so_error = ECONNREFUSED;
            return -EINPROGRESS;
        }
        return -ECONNREFUSED;
    }
    /* the handshake takes the link's round trip; a full accept queue drops
     * the SYN, and Linux's client sends it again 1, 3, 7, 15, 31 and 63 s
     * after the first */
    int64_t latency = 0, rate = 0;
    int64_t rtt = srr__sim_link_between(s, sa, (const struct sockaddr *)&k->local, &latency, &rate)
                      ? 2 * latency
                      : 0;
    if (l->npending > l->backlog || rtt > 0) {
        k->state = SIM_S_CONNECTING;
        k->connect_start = s->vt.now;
        k->connect_deadline = s->vt.now + s->cfg->connect_timeout_ns;
        k->connect_to = l;
        k->connect_rtt = rtt;
        k->connect_at = (l->npending > l->backlog ? stream_next_syn(k, s->vt.now) : s->vt.now) + rtt;
        memcpy(&k->peer, sa, len);
        k->peer_len = len;
        if (k->status_flags & O_NONBLOCK)
            return -EINPROGRESS;
        return stream_connect_wait(s, k, handle);
    }
    r = stream_establish(s, k, l, sa, len);
    if (r < 0)
        return r;
    /* Linux answers a non-blocking TCP connect with EINPROGRESS even when
     * the handshake completes at once (loopback). */
    if (!(k->status_flags & O_NONBLOCK))
        return 0;
    k->connect_reported = 1;
    return -EINPROGRESS;
}

/* ----------------------------------------------------------------- accept */

int srr__sim_accept(sim_world *s, sim_sock *k, int handle, struct sockaddr *addr, socklen_t *len,
                    int flags)
{
    srr__assert_addr_out(addr, len);
    if (k->state != SIM_S_LISTEN)
        return -EINVAL;
    int64_t until = srr__sim_timeo_deadline(s, k->opt.rcvtimeo_ns);
    while (k->npending == 0) {
        if (k->status_flags & O_NONBLOCK)
            return -EAGAIN;
        int r = srr__sim_block(s, "accept", handle, until);
        if (r < 0)
            return r;
        if (k->state != SIM_S_LISTEN)
            return -EINVAL;
    }
    sim_sock *c = k->pending[0];
    memmove(k->pending, k->pending + 1, (k->npending - 1) * sizeof *k->pending);
    k->npending--;
    int h = srr__sim_handle_new(s, c, flags & SOCK_CLOEXEC);
    if (h < 0) {
        stream_reset_other(s, c);
        c->refs = 1;
        srr__sim_sock_unref(s, c);
        return h;
    }
    if (flags & SOCK_NONBLOCK)
        c->status_flags |= O_NONBLOCK;
    /* the room this accept made is taken by a waiting connect's next SYN
     * retransmit (srr__sim_stream_connects_due) */
    if (addr && len) {
        socklen_t n = c->peer_len < *len ? c->peer_len : *len;
        memcpy(addr, &c->peer, n);
        *len = c->peer_len;
    }
    srr__vt_changed(&s->vt); /* a blocked connect may go on: there is room */
    return h;
}

/* ----------------------------------------------------------------- send */

static size_t stream_iov_total(const struct msghdr *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        n += m->msg_iov[i].iov_len;
    return n;
}

/* Sends n bytes of the message from offset off towards the other end. */
static int stream_deliver(sim_world *s, sim_sock *from, sim_sock *o, const struct msghdr *m,
                          size_t off, size_t n)
{
    for (size_t i = 0; i < m->msg_iovlen && n > 0; i++) {
        size_t l = m->msg_iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        size_t k = l - off < n ? l - off : n;
        if (stream_push(s, from, o, (const char *)m->msg_iov[i].iov_base + off, k, 0) < 0)
            return -ENOMEM;
        n -= k;
        off = 0;
    }
    return 0;
}

/* An error the connection holds for the next call, once. */
static int stream_take_error(sim_sock *k)
{
    int e = k->so_error;
    k->so_error = 0;
    return e;
}

/* ------------------------------------------------- SOCK_SEQPACKET records */

static int record_push(sim_sock *o, size_t len)
{
    if (o->rec_head + o->rec_count == o->rec_cap) {
        if (o->rec_head > 0) { /* reuse the consumed front first */
            memmove(o->records, o->records + o->rec_head, o->rec_count * sizeof *o->records);
            o->rec_head = 0;
        } else if (srr__grow((void **)&o->records, &o->rec_cap, o->rec_cap + 1,
                             sizeof *o->records) < 0) {
            return -ENOMEM;
        }
    }
    o->records[o->rec_head + o->rec_count++] = len;
    return 0;
}

/* One send is one record: all of it goes, or none (EMSGSIZE when it could
 * never fit, as Linux). */
static ssize_t record_send(sim_world *s, sim_sock *k, int handle, const struct msghdr *m, int flags)
{
    size_t total = stream_iov_total(m);
    int64_t until = srr__sim_timeo_deadline(s, k->opt.sndtimeo_ns);
    if (total > (size_t)k->opt.sndbuf)
        return -EMSGSIZE;
    for (;;) {
        if (k->state != SIM_S_CONNECTED)
            return -ENOTCONN;
        if (k->wr_shut || k->reset || !k->other || k->other->rd_shut)
            return -EPIPE;
        sim_sock *o = k->other;
        if (srr__sim_stream_room(k) >= total) {
            if (stream_deliver(s, k, o, m, 0, total) < 0 || record_push(o, total) < 0)
                return -ENOMEM;
            k->tx_bytes += (int64_t)total;
            srr__vt_changed(&s->vt);
            return (ssize_t)total;
        }
        if (stream_nonblocking(k, flags))
            return -EAGAIN;
        int r = srr__sim_block(s, "send", handle, until);
        if (r < 0)
            return r;
    }
}

/* One receive takes one record; what does not fit is dropped (MSG_TRUNC). */
static ssize_t record_recv(sim_world *s, sim_sock *k, int handle, struct msghdr *m, int flags);

ssize_t srr__sim_stream_send(sim_world *s, sim_sock *k, int handle, const struct msghdr *m,
                             int flags)
{
    srr__assert_msg(m, flags, 0);
    if (k->type == SOCK_SEQPACKET)
        return record_send(s, k, handle, m, flags);
    size_t total = stream_iov_total(m), done = 0;
    int64_t until = srr__sim_timeo_deadline(s, k->opt.sndtimeo_ns);
    const sim_fault *shortw = srr__sim_fault_bytes(s, k, 1, SIM_FAULT_SHORT_WRITE);
    if (shortw && (size_t)shortw->bytes < total && shortw->bytes > 0)
        total = (size_t)shortw->bytes;
    for (;;) {
        if (k->state == SIM_S_CONNECTING)
            return done ? (ssize_t)done : -EAGAIN;
        if (k->state != SIM_S_CONNECTED) /* Linux: EPIPE from TCP, ENOTCONN from AF_UNIX */
            return done ? (ssize_t)done : k->family == AF_UNIX ? -ENOTCONN : -EPIPE;
        if (k->so_error)
            return done ? (ssize_t)done : -stream_take_error(k);
        if (k->wr_shut || k->reset)
            return done ? (ssize_t)done : -EPIPE;
        if (done == total && done > 0)
            return (ssize_t)done; /* all of it went (the peer may close on reading it) */
        sim_sock *o = k->other;
        if (!o) {
            if (k->family == AF_UNIX)
                return done ? (ssize_t)done : -EPIPE;
            /* TCP: the closed peer answers the data with a reset, an error
             * for what comes next: EPIPE once its FIN was in (CLOSE_WAIT),
             * else ECONNRESET (tcp_reset) */
            k->reset = 1;
            k->so_error = k->rx_eof ? EPIPE : ECONNRESET;
            return (ssize_t)total;
        }
        if (o->rd_shut && k->family == AF_UNIX) /* AF_UNIX refuses a reader that shut */
            return done ? (ssize_t)done : -EPIPE;
        if (done == total)
            return (ssize_t)done;
        size_t room = srr__sim_stream_room(k);
        if (room > 0) {
            size_t n = total - done < room ? total - done : room;
            const sim_fault *rst = srr__sim_fault_bytes(s, k, 1, SIM_FAULT_RESET);
            const sim_fault *stall = srr__sim_fault_bytes(s, k, 1, SIM_FAULT_STALL);
            int reset_now = 0;
            if (rst && k->tx_bytes + (int64_t)n >= rst->bytes) {
                n = rst->bytes > k->tx_bytes ? (size_t)(rst->bytes - k->tx_bytes) : 0;
                reset_now = 1;
            }
            size_t deliver = n;
            if (stall && k->tx_bytes + (int64_t)n > stall->bytes)
                deliver = stall->bytes > k->tx_bytes ? (size_t)(stall->bytes - k->tx_bytes) : 0;
            if (deliver > 0 && stream_deliver(s, k, o, m, done, deliver) < 0)
                return done ? (ssize_t)done : -ENOMEM;
            k->tx_bytes += (int64_t)n;
            o->rx_bytes += (int64_t)deliver;
            o->stalled += n - deliver; /* held on the stalled link: they fill it */
            done += n;
            if (o->service)
                srr__sim_service_run(s, o);
            srr__vt_changed(&s->vt);
            if (reset_now) {
                stream_reset_other(s, k);
                k->reset = 1;
                k->so_error = done ? ECONNRESET : 0;
                return done ? (ssize_t)done : -ECONNRESET;
            }
            continue;
        }
        if (done > 0 && stream_nonblocking(k, flags))
            return (ssize_t)done;
        if (stream_nonblocking(k, flags))
            return -EAGAIN;
        int r = srr__sim_block(s, "send", handle, until);
        if (r < 0)
            return done ? (ssize_t)done : r; /* what moved, then the error */
    }
}

/* ----------------------------------------------------------------- receive */

/* TCP's MSG_TRUNC takes the bytes without a buffer (tcp(7): discard). */
static int stream_discards(const sim_sock *k, int flags)
{
    return k->family != AF_UNIX && (flags & MSG_TRUNC);
}

/* A receive that would copy into a NULL buffer (let through with
 * MSG_TRUNC, which only TCP takes without one): Linux faults when it
 * copies, after the state's answers, and a record it faulted on is gone. */
static int stream_faults(const sim_sock *k, const struct msghdr *m, int flags)
{
    return !stream_discards(k, flags) && srr__check_iov_bases(m->msg_iov, m->msg_iovlen) < 0;
}

/* Copies n received bytes into the message's buffers from offset off
 * (flags: the receive's MSG_PEEK, MSG_TRUNC). */
static size_t stream_scatter(sim_sock *k, struct msghdr *m, size_t off, size_t n, int flags)
{
    int peek = flags & MSG_PEEK;
    if (stream_discards(k, flags)) {
        sim_buf view = k->rx;
        return srr__sim_buf_get(peek ? &view : &k->rx, NULL, n, 0);
    }
    size_t got = 0;
    sim_buf view = k->rx; /* peek reads from a copy of the positions */
    for (size_t i = 0; i < m->msg_iovlen && got < n; i++) {
        size_t l = m->msg_iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        size_t want = l - off < n - got ? l - off : n - got;
        got +=
            srr__sim_buf_get(peek ? &view : &k->rx, (char *)m->msg_iov[i].iov_base + off, want, 0);
        off = 0;
    }
    return got;
}

static ssize_t record_recv(sim_world *s, sim_sock *k, int handle, struct msghdr *m, int flags)
{
    int64_t until = srr__sim_timeo_deadline(s, k->opt.rcvtimeo_ns);
    int peek = flags & MSG_PEEK;
    m->msg_flags = 0;
    if (m->msg_namelen)
        m->msg_namelen = 0;
    for (;;) {
        if (k->rec_count > 0) {
            size_t len = k->records[k->rec_head], want = stream_iov_total(m);
            if (stream_faults(k, m, flags)) {
                if (!peek) {
                    srr__sim_buf_get(&k->rx, NULL, len, 0);
                    k->rec_head++;
                    k->rec_count--;
                    srr__vt_changed(&s->vt);
                }
                return -EFAULT;
            }
            size_t n = stream_scatter(k, m, 0, len < want ? len : want, flags);
            if (!peek) {
                srr__sim_buf_get(&k->rx, NULL, len - n, 0); /* the rest of the record */
                k->rec_head++;
                k->rec_count--;
                srr__vt_changed(&s->vt);
            }
            if (n < len)
                m->msg_flags |= MSG_TRUNC;
            return (ssize_t)((flags & MSG_TRUNC) ? len : n);
        }
        if (k->so_error)
            return -stream_take_error(k);
        if (k->reset || k->rx_eof || k->rd_shut || !k->other)
            return 0;
        if (stream_nonblocking(k, flags))
            return -EAGAIN;
        int r = srr__sim_block(s, "recv", handle, until);
        if (r < 0)
            return r;
    }
}

ssize_t srr__sim_stream_recv(sim_world *s, sim_sock *k, int handle, struct msghdr *m, int flags)
{
    srr__assert_msg(m, flags, 1);
    if (k->state == SIM_S_NEW || k->state == SIM_S_LISTEN || k->state == SIM_S_CLOSED) {
        if (k->state == SIM_S_CLOSED && k->so_error)
            return -stream_take_error(k);
        /* unix_stream_read_generic: not established is EINVAL */
        return k->family == AF_UNIX && k->type == SOCK_STREAM ? -EINVAL : -ENOTCONN;
    }
    if (k->type == SOCK_SEQPACKET)
        return record_recv(s, k, handle, m, flags);
    size_t want = stream_iov_total(m);
    const sim_fault *chunk = srr__sim_fault_bytes(s, k, 2, SIM_FAULT_CHUNK_READ);
    if (chunk && chunk->bytes > 0 && (size_t)chunk->bytes < want)
        want = (size_t)chunk->bytes;
    int64_t until = srr__sim_timeo_deadline(s, k->opt.rcvtimeo_ns);
    int peek = flags & MSG_PEEK;
    /* MSG_WAITALL on a blocking call: bytes are taken as they come (the
     * sender may need the room), until all arrived or the stream ends */
    int waitall = (flags & MSG_WAITALL) && !stream_nonblocking(k, flags);
    size_t got = 0;
    m->msg_flags = 0;
    if (m->msg_namelen)
        m->msg_namelen = 0; /* a connected stream reports no sender */
    for (;;) {
        size_t have = srr__sim_buf_len(&k->rx);
        if (have > 0 && !waitall) {
            if (stream_faults(k, m, flags))
                return -EFAULT; /* the bytes stay, as TCP's do */
            size_t n = stream_scatter(k, m, 0, have < want ? have : want, flags);
            if (!peek)
                srr__vt_changed(&s->vt); /* room for the sender */
            return (ssize_t)n;
        }
        if (have > 0 && stream_faults(k, m, flags))
            return got ? (ssize_t)got : -EFAULT;
        if (have > 0 && peek && have >= want) /* MSG_PEEK|MSG_WAITALL waits for it all */
            return (ssize_t)stream_scatter(k, m, 0, want, flags);
        if (have > 0 && !peek) {
            got += stream_scatter(k, m, got, have < want - got ? have : want - got, flags);
            srr__vt_changed(&s->vt);
            if (got == want)
                return (ssize_t)got;
        }
        if (k->so_error)
            return got ? (ssize_t)got : -stream_take_error(k);
        if (k->reset)
            return (ssize_t)got; /* after the one ECONNRESET, as Linux: end of stream */
        if (k->rx_eof || k->rd_shut || (k->state == SIM_S_CONNECTED && !k->other && !k->fly.head)) {
            have = srr__sim_buf_len(&k->rx);
            if (peek && have > 0)
                return (ssize_t)stream_scatter(k, m, 0, have < want ? have : want, flags);
            return (ssize_t)got;
        }
        if (k->state == SIM_S_CONNECTING)
            return -EAGAIN;
        if (stream_nonblocking(k, flags))
            return -EAGAIN;
        int r = srr__sim_block(s, "recv", handle, until);
        if (r < 0)
            return got ? (ssize_t)got : r; /* what moved, then the error */
    }
}

/* ------------------------------------------------------- shutdown, close */

int srr__sim_stream_shutdown(sim_world *s, sim_sock *k, int how)
{
    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    if (k->reset)
        return -ENOTCONN; /* a reset connection is gone */
    if (k->state == SIM_S_LISTEN && how != SHUT_WR) {
        /* Linux stops listening: a blocked accept returns EINVAL */
        srr__sim_stream_close(s, k);
        k->state = SIM_S_NEW;
        srr__vt_changed(&s->vt);
        return 0;
    }
    if (k->state != SIM_S_CONNECTED)
        return k->family == AF_UNIX ? 0 : -ENOTCONN; /* unix_shutdown asks no state */
    if (how != SHUT_WR)
        k->rd_shut = 1;
    if (how != SHUT_RD && !k->wr_shut) {
        k->wr_shut = 1;
        stream_fin_other(s, k);
        if (k->other && k->other->service)
            srr__sim_service_run(s, k->other);
    }
    srr__vt_changed(&s->vt);
    return 0;
}

void srr__sim_stream_close(sim_world *s, sim_sock *k)
{
    for (size_t i = 0; i < s->nall; i++) { /* connects waiting on this listener */
        sim_sock *w = s->all[i];
        if (w->connect_to == k) {
            w->connect_to = NULL;
            w->state = SIM_S_CLOSED;
            w->so_error = ECONNREFUSED;
        }
    }
    for (size_t i = 0; i < k->npending; i++) { /* connections nobody accepted */
        stream_reset_other(s, k->pending[i]);
        k->pending[i]->refs = 1;
        srr__sim_sock_unref(s, k->pending[i]);
    }
    k->npending = 0;
    sim_sock *o = k->other;
    if (!o)
        return;
    /* SO_LINGER {1, 0}, or unread data, closes with a reset (Linux) */
    if ((k->opt.linger_on && k->opt.linger_secs == 0) || srr__sim_buf_len(&k->rx) > 0) {
        stream_reset_other(s, k);
    } else {
        stream_fin_other(s, k);
        o->other = NULL;
        k->other = NULL;
    }
    /* the client is gone: a script that had more to do ends here */
    if (o->service && !srr__sim_service_run(s, o))
        service_done(s, o);
}
