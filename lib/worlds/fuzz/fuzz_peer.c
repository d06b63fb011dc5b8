/*
 * fuzz_peer.c — the fuzz world's peer: the other end of whatever the
 * program opens, playing the test case's messages (docs/fuzz.md).
 *
 * Slots are connections in the order they open, made by the program
 * (every connect nothing in the sim listens to) or by the peer (to the
 * program's listeners).  A message for a slot not open yet opens a new
 * connection to a listener; with none, it goes to an open connection, and
 * with none of those, as a datagram.  Datagrams go to the program's bound
 * datagram sockets, from the address each last sent to.  So any message
 * reaches something once the program has a socket to take it.
 *
 * The peer acts only when every participant waits (sim_peer_ops.settled)
 * and none of what it gave is unread while the program's clock could move
 * (a program sleeping with input unread is not waiting for input): first
 * it drains what the program sent it, then it gives one message, and when
 * none is left it shuts its connections once; the next time everyone
 * waits, the case is played out.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_int.h"
#include "grow.h"

/* Where the peer's own connections come from: documentation addresses
 * (RFC 5737, RFC 3849), ports from 40000, one a connection. */
#define FUZZ_PEER_PORT 40000
/* Moves of the clock the peer waits for the program to read what it gave
 * before it gives more, or to open what a message needs before it is
 * dropped. */
#define FUZZ_UNREAD_MOVES 16

static socklen_t peer_addr(int family, unsigned n, struct sockaddr_storage *out)
{
    memset(out, 0, sizeof *out);
    if (family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
        in6->sin6_family = AF_INET6;
        inet_pton(AF_INET6, "2001:db8::1", &in6->sin6_addr);
        in6->sin6_port = htons((uint16_t)(FUZZ_PEER_PORT + n % 20000));
        return sizeof *in6;
    }
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(0xc0000201); /* 192.0.2.1 */
        in->sin_port = htons((uint16_t)(FUZZ_PEER_PORT + n % 20000));
        return sizeof *in;
    }
    out->ss_family = AF_UNIX; /* an unnamed AF_UNIX socket */
    return sizeof(sa_family_t);
}

/* The address a connection to listener l reaches: its own, with a
 * wildcard made this host's loopback address. */
static socklen_t listener_addr(const sim_sock *l, struct sockaddr_storage *out)
{
    memcpy(out, &l->local, l->local_len);
    if (l->family != AF_UNIX && srr__sim_is_wildcard((const struct sockaddr *)out)) {
        if (l->family == AF_INET)
            ((struct sockaddr_in *)out)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else
            ((struct sockaddr_in6 *)out)->sin6_addr = in6addr_loopback;
    }
    return l->local_len;
}

static int peer_add_conn(fuzz_peer *p, sim_sock *mine)
{
    if (srr__grow((void **)&p->conns, &p->capconns, p->nconns + 1, sizeof *p->conns) < 0)
        return -ENOMEM;
    p->conns[p->nconns++] = mine;
    p->stats.connections++;
    return 0;
}

/* ------------------------------------------------------------ the hooks */

static int peer_connect(sim_world *s, sim_sock *k, const struct sockaddr *to, socklen_t len)
{
    fuzz_peer *p = FUZZ_PEER(s);
    if ((k->type != SOCK_STREAM && k->type != SOCK_SEQPACKET) || p->nconns >= 65536)
        return 0;
    sim_sock *mine = srr__sim_peer_answer(s, k, to, len);
    if (!mine)
        return 0;
    if (peer_add_conn(p, mine) < 0) {
        srr__sim_peer_end(s, mine, 1);
        srr__sim_sock_unref(s, mine);
        return 0;
    }
    return 1;
}

static fuzz_udp *peer_udp(fuzz_peer *p, sim_sock *k)
{
    for (size_t i = 0; i < p->nudp; i++)
        if (p->udp[i].k == k)
            return &p->udp[i];
    fuzz_udp *u = srr__push((void **)&p->udp, &p->capudp, &p->nudp, sizeof *p->udp);
    if (!u)
        return NULL;
    u->k = k;
    peer_addr(k->family, (unsigned)p->nudp - 1, &u->remote);
    return u;
}

static int peer_datagram(sim_world *s, sim_sock *k, const struct sockaddr_storage *to)
{
    fuzz_udp *u = k->family != AF_UNIX ? peer_udp(FUZZ_PEER(s), k) : NULL;
    if (u)
        u->remote = *to; /* answers come from where the program sent */
    return u != NULL;
}

/* The program's datagram sockets the peer can reach, in the order first
 * seen; sockets gone are dropped. */
static void peer_udp_refresh(sim_world *s, fuzz_peer *p)
{
    size_t j = 0;
    for (size_t i = 0; i < p->nudp; i++) {
        int alive = 0;
        for (size_t a = 0; a < s->nall && !alive; a++)
            alive = s->all[a] == p->udp[i].k;
        if (alive)
            p->udp[j++] = p->udp[i];
    }
    p->nudp = j;
    for (size_t a = 0; a < s->nall; a++) {
        sim_sock *k = s->all[a];
        if (k->type == SOCK_DGRAM && k->family != AF_UNIX && k->bound && k->refs > 0 &&
            !k->other)
            peer_udp(p, k);
    }
}

/* The n-th stream listener of the program (in the world's order). */
static sim_sock *peer_listener(sim_world *s, unsigned n)
{
    size_t count = 0;
    for (size_t a = 0; a < s->nall; a++)
        if (s->all[a]->state == SIM_S_LISTEN && !s->all[a]->service)
            count++;
    if (!count)
        return NULL;
    size_t want = n % count;
    for (size_t a = 0; a < s->nall; a++)
        if (s->all[a]->state == SIM_S_LISTEN && !s->all[a]->service && want-- == 0)
            return s->all[a];
    return NULL;
}

static int conn_open(const sim_sock *mine)
{
    return mine->other && !mine->reset && !mine->wr_shut;
}

/* The peer's end a stream message for slot goes to, opening one when the
 * slot is new and the program listens; NULL when nothing can take it,
 * with *gone set when the slot's connection is over (its message is
 * dropped, never sent another way). */
static sim_sock *peer_stream_for(sim_world *s, fuzz_peer *p, unsigned slot, int *gone)
{
    if (slot < p->nconns) {
        *gone = !conn_open(p->conns[slot]);
        return *gone ? NULL : p->conns[slot];
    }
    sim_sock *l = peer_listener(s, slot);
    if (l) {
        struct sockaddr_storage from, to;
        socklen_t fromlen = peer_addr(l->family, (unsigned)p->nconns, &from);
        socklen_t tolen = listener_addr(l, &to);
        sim_sock *mine = srr__sim_peer_dial(s, l, (struct sockaddr *)&from, fromlen,
                                            (struct sockaddr *)&to, tolen);
        if (!mine)
            return NULL;
        if (peer_add_conn(p, mine) < 0) {
            srr__sim_peer_end(s, mine, 1);
            srr__sim_sock_unref(s, mine);
            return NULL;
        }
        return mine;
    }
    for (size_t i = 0; i < p->nconns; i++) { /* the slot's turn among those open */
        sim_sock *c = p->conns[(slot + i) % p->nconns];
        if (conn_open(c))
            return c;
    }
    return NULL;
}

static int peer_give_datagram(sim_world *s, fuzz_peer *p, const srr_fuzz_msg *m)
{
    if (!p->nudp)
        return 0;
    fuzz_udp *u = &p->udp[m->slot % p->nudp];
    const struct sockaddr_storage *from = u->k->peer_len ? &u->k->peer : &u->remote;
    socklen_t fromlen = from->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                    : sizeof(struct sockaddr_in);
    return srr__sim_dgram_put(s, u->k, from, fromlen, m->data, m->len) < 0 ? -1 : 1;
}

/* 1 given, 0 nothing can take it now, -1 no memory, -2 its connection is
 * over. */
static int peer_give_stream(sim_world *s, fuzz_peer *p, const srr_fuzz_msg *m)
{
    int gone = 0;
    sim_sock *mine = peer_stream_for(s, p, m->slot, &gone);
    if (!mine)
        return gone ? -2 : 0;
    if (m->len && srr__sim_peer_send(s, mine, m->data, m->len) < 0)
        return -1;
    if (m->kind == SRR_FUZZ_DATA_FIN)
        srr__sim_peer_end(s, mine, 0);
    else if (m->kind == SRR_FUZZ_DATA_RST)
        srr__sim_peer_end(s, mine, 1);
    return 1;
}

/* 1 given, 0 nothing can take it now, -1 no memory, -2 never (its
 * connection is over). */
static int peer_give(sim_world *s, fuzz_peer *p, const srr_fuzz_msg *m)
{
    peer_udp_refresh(s, p);
    int r = m->kind == SRR_FUZZ_DATAGRAM ? peer_give_datagram(s, p, m) : peer_give_stream(s, p, m);
    if (r == 0) /* the other way, before nothing */
        r = m->kind == SRR_FUZZ_DATAGRAM ? peer_give_stream(s, p, m) : peer_give_datagram(s, p, m);
    return r;
}

/* What the program sent the peer is read and let go: room for more. */
static void peer_drain(fuzz_peer *p)
{
    unsigned char sink[4096];
    for (size_t i = 0; i < p->nconns; i++) {
        sim_sock *c = p->conns[i];
        while (srr__sim_buf_len(&c->rx) > 0)
            srr__sim_buf_get(&c->rx, sink, sizeof sink, 0);
        c->rec_head = c->rec_count = 0;
    }
}

/* Whether input the peer gave is still unread: bytes in a program's
 * socket, a connection not accepted, a datagram not received. */
static int peer_unread(sim_world *s, fuzz_peer *p)
{
    for (size_t a = 0; a < s->nall; a++) {
        sim_sock *k = s->all[a];
        if (k->service)
            continue;
        int mine = 0;
        for (size_t i = 0; i < p->nconns && !mine; i++)
            mine = p->conns[i] == k;
        if (!mine && (srr__sim_buf_len(&k->rx) > 0 || k->npending > 0 || k->dq.head ||
                      k->fly.head))
            return 1;
    }
    return 0;
}

/* The peer lets go of every connection: reset those still open. */
static void peer_release(sim_world *s, fuzz_peer *p)
{
    for (size_t i = 0; i < p->nconns; i++) {
        sim_sock *c = p->conns[i];
        if (c->other)
            srr__sim_peer_end(s, c, 1);
        srr__sim_sock_unref(s, c);
    }
    p->nconns = 0;
}

int srr__fuzz_peer_load(sim_world *s, unsigned char *data, size_t len)
{
    fuzz_peer *p = FUZZ_PEER(s);
    /* the connections made before the first case are the first case's
     * (a client connects, then waits for its answer) */
    if (p->loaded)
        peer_release(s, p);
    srr__fuzz_case_free(&p->tc);
    free(p->input);
    p->input = data;
    p->input_len = len;
    p->next = 0;
    p->closed = 0;
    p->played_out = 0;
    p->unread_moves = p->absent_moves = 0;
    p->nudp = 0; /* found again, from the program's sockets as they are */
    p->loaded = 1;
    p->stats.cases++;
    p->stats.played_out = 0;
    if (srr__fuzz_decode(data, len, &p->tc) < 0) {
        free(p->input);
        p->input = NULL;
        p->input_len = 0;
        return -ENOMEM;
    }
    srr__vt_changed(&s->vt);
    return 0;
}

/* Asks the host for a case: 1 loaded, 0 none (or no host). */
static int peer_ask(sim_world *s, fuzz_peer *p, int first)
{
    if (!p->host.next_case)
        return 0;
    unsigned char *data = NULL;
    size_t len = 0;
    p->starting = 1;
    int r = p->host.next_case(p->host.arg, first, s->vt.participants, &data, &len);
    p->starting = 0;
    if (r != 1) {
        free(data);
        return 0;
    }
    return srr__fuzz_peer_load(s, data, len) == 0;
}

static int peer_over(sim_world *s, fuzz_peer *p)
{
    p->played_out = 1;
    p->stats.played_out = 1;
    snprintf(s->vt.report, sizeof s->vt.report,
             "the fuzz test case is played out at virtual time %lld ns: %llu messages given, "
             "every participant waits",
             (long long)s->vt.now, (unsigned long long)p->stats.messages);
    return -1;
}

static int peer_settled(sim_world *s, int64_t next, int64_t world)
{
    fuzz_peer *p = FUZZ_PEER(s);
    if (p->played_out)
        return 0; /* over: the sim's own rules from here (a case may come) */
    if (!p->loaded && !peer_ask(s, p, 1))
        return peer_over(s, p);
    peer_drain(p);
    if (world >= 0)
        return 0; /* bytes on their way, a connect giving up: first those */
    /* a program that waits on its clock with input unread is not waiting
     * for input (an edge-triggered loop stepping, a sleep): time first, for
     * a few moves of the clock; one that still leaves it unread will not
     * read it (a connection it never accepts), and the case goes on */
    if (next >= 0 && peer_unread(s, p) && p->unread_moves++ < FUZZ_UNREAD_MOVES)
        return 0;
    while (p->next < p->tc.n) {
        const srr_fuzz_msg *m = &p->tc.msgs[p->next];
        int r = peer_give(s, p, m);
        if (r == -1)
            return 0;
        if (r == -2) { /* its connection is over: dropped */
            p->next++;
            p->stats.skipped++;
            continue;
        }
        if (r > 0) {
            p->unread_moves = p->absent_moves = 0;
            p->next++;
            p->stats.messages++;
            p->stats.bytes += m->len;
            return 1;
        }
        /* nothing takes it yet: the program's own time first (it may open
         * the socket after a sleep), for a few moves of the clock */
        if (next >= 0 && p->absent_moves++ < FUZZ_UNREAD_MOVES)
            return 0;
        p->absent_moves = 0;
        p->next++;
        p->stats.skipped++;
    }
    if (!p->closed) {
        p->closed = 1;
        int any = 0;
        for (size_t i = 0; i < p->nconns; i++)
            if (conn_open(p->conns[i])) {
                srr__sim_peer_end(s, p->conns[i], 0);
                any = 1;
            }
        if (any)
            return 1;
    }
    if (peer_ask(s, p, 0))
        return 1;
    return peer_over(s, p);
}

static void peer_free(void *arg)
{
    fuzz_peer *p = arg;
    srr__fuzz_case_free(&p->tc);
    free(p->input);
    free(p->conns);
    free(p->udp);
    free(p);
}

fuzz_peer *srr__fuzz_peer_new(const srr_fuzz_host *host)
{
    fuzz_peer *p = calloc(1, sizeof *p);
    if (p && host)
        p->host = *host;
    return p;
}

const sim_peer_ops srr__fuzz_peer_ops = {
    .connect = peer_connect,
    .datagram = peer_datagram,
    .settled = peer_settled,
    .free = peer_free,
};
