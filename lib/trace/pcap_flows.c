/*
 * pcap_flows.c — which packets each trace event implies (docs/pcap.md).
 *
 * It keeps the open sockets of the trace (by their stable id) and the
 * connections between them.  A connection has two sides; side 0 sent the
 * SYN.  Bytes are shown once: every successful send makes packets, and a
 * receive makes packets only when the other side has never been a socket of
 * this trace.  Threads make the order of events loose — a server's accept4
 * can be written before the client's connect, a receive before the send it
 * received — so each end of a connection may claim a connection the other
 * end opened (pending: an accept4 still to come; orphan: a connect still to
 * come), and connections that may still be claimed outlive their sockets
 * for a while (the limbo ring).
 *
 * Divisions: JSON (reading event members) · sockets (the table by id) ·
 * connections (creation, the two sides, the limbo ring) · endpoints (the
 * addresses packets carry, AF_UNIX's synthetic ones) · streams (connect,
 * accept4, resets) · datagrams · events (send, receive, close, options,
 * socketpair, the dispatcher).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_synth.h"
#include "dlist.h"
#include "grow.h"

/* Linux's numbers, as traces record them. */
enum { PCAP_AF_UNIX = 1, PCAP_AF_INET = 2, PCAP_AF_INET6 = 10 };
enum { PCAP_STREAM = 1, PCAP_DGRAM = 2, PCAP_SEQPACKET = 5 };
enum { PCAP_SOL_SOCKET = 1, PCAP_SO_ERROR = 4, PCAP_SO_LINGER = 13 };
enum { PCAP_MSG_PEEK = 2, PCAP_ECONNREFUSED = 111 };
enum { PCAP_F_DUPFD = 0, PCAP_F_DUPFD_CLOEXEC = 1030 };

/* Handler results beside 0: which error to report. */
enum { PCAP_EWRITE = -1, PCAP_ENOMEM = -2, PCAP_EDATA = -3 };

/* ------------------------------------------------------------ JSON */

static const char *pcap_str(const srr_json *o, const char *key)
{
    const srr_json *v = srr__json_get(o, key);
    return srr__json_is(v, SRR_JSON_STRING) ? srr__json_str(v) : NULL;
}

static long long pcap_int(const srr_json *o, const char *key, long long dflt)
{
    const srr_json *v = srr__json_get(o, key);
    return srr__json_is(v, SRR_JSON_INT) ? (long long)srr__json_int(v) : dflt;
}

static int pcap_errno_is(const srr_json *ev, const char *name)
{
    const char *e = pcap_str(ev, "errno");
    return e && strcmp(e, name) == 0;
}

static int pcap_nonempty(const char *s)
{
    return s && *s;
}

/* A socket's family or type as the trace names it (a number when the
 * writer knew no name); 0 when absent. */
static int pcap_kind(const char *s)
{
    static const struct {
        const char *name;
        int value;
    } kinds[] = {
        {"AF_UNIX", PCAP_AF_UNIX},         {"AF_INET", PCAP_AF_INET},
        {"AF_INET6", PCAP_AF_INET6},       {"SOCK_STREAM", PCAP_STREAM},
        {"SOCK_DGRAM", PCAP_DGRAM},        {"SOCK_SEQPACKET", PCAP_SEQPACKET},
    };
    if (!s)
        return 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(s, kinds[i].name) == 0)
            return kinds[i].value;
    return atoi(s);
}

/* The event's payload: *len bytes on the wire, the first *have of them in
 * *data (fewer when capped).  *data is malloc'd or NULL. */
static int pcap_payload(const srr_json *ev, unsigned char **data, size_t *len, size_t *have,
                        srr_parse_error *err)
{
    /* MSG_TRUNC: ret is the datagram's length, len what was stored */
    long long ret = pcap_int(ev, "ret", 0), n = pcap_int(ev, "len", ret);
    if (ret > n)
        n = ret;
    *data = NULL;
    *len = n > 0 ? (size_t)n : 0;
    *have = 0;
    const char *b64 = pcap_str(ev, "data");
    if (!b64 || !*len)
        return 0;
    size_t got;
    int rc = srr__b64_decode(b64, strlen(b64), data, &got);
    if (rc == -ENOMEM)
        return PCAP_ENOMEM;
    if (rc < 0) {
        srr__pcap_fail(err, "", "data", SRR_PARSE_EVALUE, "not valid base64");
        return PCAP_EDATA;
    }
    *have = got < *len ? got : *len;
    return 0;
}

/* ------------------------------------------------------------ sockets */

static size_t pcap_bucket(const srr_pcap_synth *p, long long id)
{
    return srr__pcap_mix32((uint64_t)id) & (p->nbuckets - 1);
}

static struct srr__pcap_sock *pcap_sock_find(srr_pcap_synth *p, long long id)
{
    if (!p->nbuckets)
        return NULL;
    for (struct srr__pcap_sock *s = p->buckets[pcap_bucket(p, id)]; s; s = s->hnext)
        if (s->id == id)
            return s;
    return NULL;
}

static int pcap_sock_grow(srr_pcap_synth *p)
{
    size_t n = p->nbuckets ? p->nbuckets * 2 : 64;
    struct srr__pcap_sock **b = calloc(n, sizeof *b);
    if (!b)
        return -1;
    struct srr__pcap_sock **old = p->buckets;
    size_t oldn = p->nbuckets;
    p->buckets = b;
    p->nbuckets = n;
    for (size_t i = 0; i < oldn; i++) {
        for (struct srr__pcap_sock *s = old[i], *next; s; s = next) {
            next = s->hnext;
            size_t k = pcap_bucket(p, s->id);
            s->hnext = b[k];
            b[k] = s;
        }
    }
    free(old);
    return 0;
}

static struct srr__pcap_sock *pcap_sock_new(srr_pcap_synth *p, long long id, int family,
                                            int stype)
{
    struct srr__pcap_sock *s = pcap_sock_find(p, id);
    if (s)
        return s;
    if (p->nsocks >= p->nbuckets && pcap_sock_grow(p) < 0)
        return NULL;
    if (!(s = calloc(1, sizeof *s)))
        return NULL;
    s->id = id;
    s->family = family;
    s->stype = stype;
    size_t k = pcap_bucket(p, id);
    s->hnext = p->buckets[k];
    p->buckets[k] = s;
    SRR_DLIST_PREPEND(p->socks, p->socks_tail, s, prev, next); /* the newest found first */
    p->nsocks++;
    return s;
}

/* The socket an event acts on, created when the trace never showed its
 * socket() (it may predate the trace). */
static struct srr__pcap_sock *pcap_sock_of(srr_pcap_synth *p, const srr_json *ev, long long id)
{
    const srr_json *args = srr__json_get(ev, "args");
    int family = pcap_kind(pcap_str(ev, "family"));
    int stype = pcap_kind(pcap_str(ev, "stype"));
    if (!family)
        family = (int)pcap_int(args, "domain", 0);
    if (!stype)
        stype = (int)pcap_int(args, "type", 0) & 0xf;
    return pcap_sock_new(p, id, family, stype);
}

/* Descriptors: a socket closes when the last one it was seen with does, so
 * a dup that the trace shows only by its use still keeps it open.  A
 * descriptor is named by pid and number: after fork, parent and child each
 * hold one. */
static long long pcap_fd_key(const srr_json *ev, const srr_json *fd)
{
    return (long long)((unsigned long long)pcap_int(ev, "pid", 0) << 32) |
           (long long)(uint32_t)srr__json_int(fd);
}

static int pcap_fd_add(struct srr__pcap_sock *s, const srr_json *ev, const srr_json *fd)
{
    if (!srr__json_is(fd, SRR_JSON_INT))
        return 0;
    long long v = pcap_fd_key(ev, fd);
    for (size_t i = 0; i < s->nfds; i++)
        if (s->fds[i] == v)
            return 0;
    if (srr__grow((void **)&s->fds, &s->capfds, s->nfds + 1, sizeof *s->fds) < 0)
        return -1;
    s->fds[s->nfds++] = v;
    return 0;
}

/* Forgets fd; 1 when the socket has no descriptor left. */
static int pcap_fd_close(struct srr__pcap_sock *s, const srr_json *ev, const srr_json *fd)
{
    if (!s->nfds)
        return 1;
    long long v = srr__json_is(fd, SRR_JSON_INT) ? pcap_fd_key(ev, fd) : s->fds[0];
    for (size_t i = 0; i < s->nfds; i++) {
        if (s->fds[i] == v) {
            s->fds[i] = s->fds[--s->nfds];
            return s->nfds == 0;
        }
    }
    return 0; /* a duplicate the trace never showed: the socket lives on */
}

static int pcap_set(char **dst, const char *v)
{
    char *c = strdup(v);
    if (!c)
        return -1;
    free(*dst);
    *dst = c;
    return 0;
}

/* Keeps the socket's own address, parsed once for the lookups that scan
 * every socket. */
static int pcap_set_local(struct srr__pcap_sock *s, const char *v)
{
    if (pcap_set(&s->local, v) < 0)
        return -1;
    s->local_ok = srr__pcap_ep_parse(v, &s->local_ep) == 0;
    return 0;
}

static int pcap_is_stream(const struct srr__pcap_sock *s)
{
    return s->stype == PCAP_STREAM || s->stype == PCAP_SEQPACKET;
}

static int pcap_is_ip(const struct srr__pcap_sock *s)
{
    return s->family == PCAP_AF_INET || s->family == PCAP_AF_INET6;
}

/* ------------------------------------------------------------ connections */

static struct srr__pcap_conn *pcap_conn_new(srr_pcap_synth *p, int tcp, int stype, long long key)
{
    struct srr__pcap_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->tcp = tcp;
    c->stype = stype;
    c->state = SRR_PCAP_OPEN;
    /* Initial sequence numbers from the id of the socket whose event opened
     * the connection: the same trace always gives the same pcap. */
    c->isn[0] = c->nxt[0] = srr__pcap_mix32(2 * (uint64_t)key);
    c->isn[1] = c->nxt[1] = srr__pcap_mix32(2 * (uint64_t)key + 1);
    SRR_DLIST_APPEND(p->conns, p->conns_tail, c, prev, next);
    return c;
}

static void pcap_conn_free(srr_pcap_synth *p, struct srr__pcap_conn *c)
{
    SRR_DLIST_UNLINK(p->conns, p->conns_tail, c, prev, next);
    free(c->path);
    free(c->client_path);
    free(c);
}

static void pcap_limbo_drop(srr_pcap_synth *p, struct srr__pcap_conn *c)
{
    if (!c->in_limbo)
        return;
    for (size_t i = 0; i < SRR_PCAP_LIMBO; i++)
        if (p->limbo[i] == c)
            p->limbo[i] = NULL;
    c->in_limbo = 0;
}

/* Frees a connection no socket holds, unless another event may still claim
 * it: then it waits in the limbo ring, whose oldest entry gives up. */
static void pcap_conn_gc(srr_pcap_synth *p, struct srr__pcap_conn *c)
{
    if (c->sock[0] || c->sock[1] || c->in_limbo)
        return;
    if (!c->pending && !c->orphan) {
        pcap_conn_free(p, c);
        return;
    }
    struct srr__pcap_conn *old = p->limbo[p->limbo_head];
    p->limbo[p->limbo_head] = c;
    p->limbo_head = (p->limbo_head + 1) % SRR_PCAP_LIMBO;
    c->in_limbo = 1;
    if (old) {
        old->in_limbo = 0;
        old->pending = old->orphan = 0;
        pcap_conn_gc(p, old);
    }
}

static void pcap_conn_attach(srr_pcap_synth *p, struct srr__pcap_conn *c, int side,
                             struct srr__pcap_sock *s)
{
    pcap_limbo_drop(p, c);
    c->sock[side] = s;
    c->traced[side] = 1;
    s->conn = c;
    s->side = side;
}

static void pcap_sock_detach(srr_pcap_synth *p, struct srr__pcap_sock *s)
{
    struct srr__pcap_conn *c = s->conn;
    if (!c)
        return;
    c->sock[s->side] = NULL;
    s->conn = NULL;
    pcap_conn_gc(p, c);
}

static void pcap_sock_release(struct srr__pcap_sock *s)
{
    free(s->local);
    free(s->peer);
    free(s->last_to);
    free(s->fds);
    free(s);
}

static void pcap_sock_free(srr_pcap_synth *p, struct srr__pcap_sock *s)
{
    pcap_sock_detach(p, s);
    struct srr__pcap_sock **pp = &p->buckets[pcap_bucket(p, s->id)];
    while (*pp != s)
        pp = &(*pp)->hnext;
    *pp = s->hnext;
    SRR_DLIST_UNLINK(p->socks, p->socks_tail, s, prev, next);
    p->nsocks--;
    pcap_sock_release(s);
}

void srr__pcap_flows_free(srr_pcap_synth *p)
{
    while (p->socks) {
        struct srr__pcap_sock *s = p->socks;
        p->socks = s->next;
        pcap_sock_release(s);
    }
    while (p->conns)
        pcap_conn_free(p, p->conns);
    free(p->buckets);
}

/* ------------------------------------------------------------ endpoints */

/* Where a socket's packets come from.  AF_UNIX: its synthetic address.  IP:
 * its recorded local address; the wildcard (or nothing known) becomes the
 * loopback source Linux would pick when it talks to a loopback address, an
 * unknown port one derived from its id. */
static void pcap_sock_ep(const struct srr__pcap_sock *s, const struct srr__pcap_ep *toward,
                         struct srr__pcap_ep *ep)
{
    if (s->family == PCAP_AF_UNIX) {
        srr__pcap_ep_unix(88, s->id, ep);
        return;
    }
    if (s->local_ok) {
        *ep = s->local_ep;
    } else {
        memset(ep, 0, sizeof *ep);
        ep->v6 = toward ? toward->v6 : s->family == PCAP_AF_INET6;
    }
    if (srr__pcap_ep_is_any(ep) && toward && srr__pcap_ep_is_loopback(toward))
        srr__pcap_ep_loopback(toward, ep);
    if (!ep->port)
        ep->port = (uint16_t)(49152 + (s->id & 0x3fff));
}

/* A socket of this trace bound to the AF_UNIX path (listening, for streams). */
static struct srr__pcap_sock *pcap_unix_holder(srr_pcap_synth *p, const char *path, int stype)
{
    if (!pcap_nonempty(path))
        return NULL;
    for (struct srr__pcap_sock *s = p->socks; s; s = s->next)
        if (s->family == PCAP_AF_UNIX && s->stype == stype && s->local &&
            strcmp(s->local, path) == 0 && (stype == PCAP_DGRAM || s->listening))
            return s;
    return NULL;
}

static void pcap_unix_dest(srr_pcap_synth *p, const char *path, int stype, struct srr__pcap_ep *ep,
                           struct srr__pcap_sock **holder)
{
    struct srr__pcap_sock *h = pcap_unix_holder(p, path, stype);
    if (h)
        srr__pcap_ep_unix(88, h->id, ep);
    else
        srr__pcap_ep_path(path, ep);
    if (holder)
        *holder = h;
}

/* A socket of this trace bound where a = sends from or to (listening, for
 * streams). */
static struct srr__pcap_sock *pcap_ip_holder(srr_pcap_synth *p, const struct srr__pcap_ep *a,
                                             int stype)
{
    for (struct srr__pcap_sock *s = p->socks; s; s = s->next)
        if (s->local_ok && pcap_is_ip(s) && s->stype == stype &&
            (stype == PCAP_DGRAM || s->listening) && srr__pcap_ep_covers(&s->local_ep, a))
            return s;
    return NULL;
}

/* ------------------------------------------------------------ streams */

/* The connection a stream socket's data goes over; a socket whose opening
 * the trace never showed gets one picked up mid-way (no handshake). */
static struct srr__pcap_conn *pcap_stream(srr_pcap_synth *p, struct srr__pcap_sock *s, int *rc)
{
    *rc = 0;
    if (s->conn)
        return s->conn->tcp ? s->conn : NULL;
    struct srr__pcap_ep me, peer;
    if (s->family == PCAP_AF_UNIX) {
        srr__pcap_ep_unix(88, s->id, &me);
        if (pcap_nonempty(s->peer))
            pcap_unix_dest(p, s->peer, s->stype, &peer, NULL);
        else
            srr__pcap_ep_unix(89, s->id, &peer);
    } else {
        if (srr__pcap_ep_parse(s->peer, &peer) < 0)
            return NULL;
        pcap_sock_ep(s, &peer, &me);
        srr__pcap_ep_match_version(&me, &peer);
        /* its other end picked up mid-way before it: the same connection */
        for (struct srr__pcap_conn *c = p->conns; c; c = c->next) {
            if (c->midway && c->tcp && !c->is_unix && !c->traced[1] && c->stype == s->stype &&
                srr__pcap_ep_eq(&c->ep[0], &peer) && srr__pcap_ep_eq(&c->ep[1], &me)) {
                pcap_conn_attach(p, c, 1, s);
                return c;
            }
        }
    }
    struct srr__pcap_conn *c = pcap_conn_new(p, 1, s->stype, s->id);
    if (!c) {
        *rc = PCAP_ENOMEM;
        return NULL;
    }
    c->ep[0] = me;
    c->ep[1] = peer;
    c->is_unix = s->family == PCAP_AF_UNIX;
    c->midway = 1;
    pcap_conn_attach(p, c, 0, s);
    return c;
}

/* A stream picked up mid-way places each direction by the event's `off`. */
static void pcap_sync(struct srr__pcap_conn *c, int side, const srr_json *ev)
{
    if (c->synced[side])
        return;
    c->nxt[side] = c->isn[side] + 1 + (uint32_t)pcap_int(ev, "off", 0);
    c->synced[side] = 1;
}

static int pcap_on_connect(srr_pcap_synth *p, struct srr__pcap_sock *s, const srr_json *ev)
{
    int ok = pcap_int(ev, "ret", -1) == 0;
    int inprogress = pcap_errno_is(ev, "EINPROGRESS");
    int refused = pcap_errno_is(ev, "ECONNREFUSED");
    const char *to = pcap_str(ev, "peer");
    if (!pcap_nonempty(to))
        to = pcap_str(srr__json_get(ev, "args"), "addr");
    if (!pcap_nonempty(to))
        return 0;
    if (s->stype == PCAP_DGRAM) {
        if (ok && (pcap_set(&s->peer, to) < 0 ||
                   (s->family == PCAP_AF_UNIX && pcap_set(&s->last_to, to) < 0)))
            return PCAP_ENOMEM;
        return 0;
    }
    if (!pcap_is_stream(s) || !(pcap_is_ip(s) || s->family == PCAP_AF_UNIX))
        return 0;
    struct srr__pcap_conn *c = s->conn;
    if (c && c->state != SRR_PCAP_DEAD) {
        /* a non-blocking connect asked again */
        if (ok || pcap_errno_is(ev, "EISCONN"))
            return srr__pcap_tcp_complete(p, c);
        return refused ? srr__pcap_tcp_refuse(p, c) : 0;
    }
    if (!ok && !inprogress && !refused)
        return 0;
    pcap_sock_detach(p, s); /* a new attempt after a refused one */

    struct srr__pcap_ep me, peer;
    struct srr__pcap_sock *listener;
    const char *mypath = s->local ? s->local : "";
    int is_unix = s->family == PCAP_AF_UNIX;
    if (is_unix) {
        srr__pcap_ep_unix(88, s->id, &me);
        pcap_unix_dest(p, to, s->stype, &peer, &listener);
    } else {
        if (srr__pcap_ep_parse(to, &peer) < 0)
            return 0;
        pcap_sock_ep(s, &peer, &me);
        srr__pcap_ep_match_version(&me, &peer);
        listener = pcap_ip_holder(p, &peer, s->stype);
    }
    if (!refused) {
        /* The server's accept4 was written first: take the side it left. */
        for (c = p->conns; c; c = c->next) {
            if (!c->tcp || c->is_unix != is_unix || c->stype != s->stype || c->traced[0] ||
                !(c->orphan || c->sock[1]) || c->moved[0] || c->fin[0] || !c->client_path)
                continue;
            if (is_unix ? strcmp(c->path, to) == 0 && strcmp(c->client_path, mypath) == 0
                        : srr__pcap_ep_eq(&c->ep[0], &me) && srr__pcap_ep_eq(&c->ep[1], &peer)) {
                c->orphan = 0;
                pcap_conn_attach(p, c, 0, s);
                return 0;
            }
        }
    }
    if (!(c = pcap_conn_new(p, 1, s->stype, s->id)))
        return PCAP_ENOMEM;
    c->ep[0] = me;
    c->ep[1] = peer;
    c->is_unix = is_unix;
    pcap_conn_attach(p, c, 0, s);
    if (!(c->path = strdup(to)) || !(c->client_path = strdup(mypath)))
        return PCAP_ENOMEM;
    c->pending = listener && !refused;
    int rc = srr__pcap_tcp_open(p, c, ok);
    if (rc == 0 && refused)
        rc = srr__pcap_tcp_refuse(p, c);
    return rc;
}

static int pcap_on_accept(srr_pcap_synth *p, struct srr__pcap_sock *l, const srr_json *ev)
{
    long long id = pcap_int(ev, "new_sock", -1);
    if (pcap_int(ev, "ret", -1) < 0 || id < 0)
        return 0;
    struct srr__pcap_sock *s = pcap_sock_new(p, id, l->family, l->stype);
    if (!s)
        return PCAP_ENOMEM;
    const char *local = pcap_str(ev, "new_local"), *peer = pcap_str(ev, "new_peer");
    if (pcap_fd_add(s, ev, srr__json_get(ev, "new_fd")) < 0 ||
        (pcap_nonempty(local) && pcap_set_local(s, local) < 0) ||
        (pcap_nonempty(peer) && pcap_set(&s->peer, peer) < 0))
        return PCAP_ENOMEM;
    if (!pcap_is_stream(s) || !(pcap_is_ip(s) || s->family == PCAP_AF_UNIX))
        return 0;

    int is_unix = s->family == PCAP_AF_UNIX;
    const char *path = pcap_nonempty(l->local) ? l->local : local ? local : "";
    const char *client = peer ? peer : "";
    struct srr__pcap_ep me, them;
    if (is_unix) {
        srr__pcap_ep_unix(88, l->id, &me);
        if (pcap_nonempty(client))
            srr__pcap_ep_path(client, &them);
        else
            srr__pcap_ep_unix(89, id, &them);
    } else {
        if (srr__pcap_ep_parse(local, &me) < 0 || srr__pcap_ep_parse(peer, &them) < 0)
            return 0;
        srr__pcap_ep_match_version(&me, &them);
    }
    /* The client's connect was written first: take the side it left (the
     * earliest, so AF_UNIX clients pair in the order the kernel queued them). */
    struct srr__pcap_conn *c;
    for (c = p->conns; c; c = c->next) {
        if (!c->tcp || c->is_unix != is_unix || c->stype != s->stype || c->traced[1] ||
            !(c->pending || c->sock[0]) || c->moved[1] || c->fin[1] || !c->client_path ||
            c->state == SRR_PCAP_DEAD)
            continue;
        if (is_unix ? strcmp(c->path, path) == 0 && strcmp(c->client_path, client) == 0
                    : srr__pcap_ep_eq(&c->ep[0], &them) && srr__pcap_ep_eq(&c->ep[1], &me)) {
            c->pending = 0;
            pcap_conn_attach(p, c, 1, s);
            return srr__pcap_tcp_complete(p, c);
        }
    }
    if (!(c = pcap_conn_new(p, 1, s->stype, id)))
        return PCAP_ENOMEM;
    c->ep[0] = them;
    c->ep[1] = me;
    c->is_unix = is_unix;
    c->orphan = 1;
    pcap_conn_attach(p, c, 1, s);
    if (!(c->path = strdup(path)) || !(c->client_path = strdup(client)))
        return PCAP_ENOMEM;
    return srr__pcap_tcp_open(p, c, 1);
}

/* A failed send or receive: what it says about the other end. */
static int pcap_on_io_error(srr_pcap_synth *p, struct srr__pcap_sock *s, const srr_json *ev)
{
    struct srr__pcap_conn *c = s->conn;
    if (!c || !c->tcp)
        return 0;
    if (pcap_errno_is(ev, "ECONNREFUSED"))
        return srr__pcap_tcp_refuse(p, c);
    if (pcap_errno_is(ev, "ECONNRESET")) {
        if (c->state == SRR_PCAP_SYN_SENT)
            return srr__pcap_tcp_refuse(p, c);
        if (!c->traced[!s->side])
            return srr__pcap_tcp_rst(p, c, !s->side);
    }
    return 0;
}

/* ------------------------------------------------------------ datagrams */

static int pcap_dgram_send(srr_pcap_synth *p, struct srr__pcap_sock *s, const srr_json *ev,
                           const unsigned char *data, size_t len, size_t have)
{
    const char *to = pcap_str(srr__json_get(ev, "args"), "to");
    if (!to)
        to = pcap_str(ev, "to");
    struct srr__pcap_ep src, dst;
    if (s->family == PCAP_AF_UNIX) {
        srr__pcap_ep_unix(88, s->id, &src);
        if (!pcap_nonempty(to) && s->conn) {
            dst = s->conn->ep[!s->side];
        } else {
            if (!pcap_nonempty(to))
                to = s->peer;
            if (!pcap_nonempty(to))
                return 0;
            pcap_unix_dest(p, to, PCAP_DGRAM, &dst, NULL);
            if (pcap_set(&s->last_to, to) < 0)
                return PCAP_ENOMEM;
        }
    } else {
        if (!pcap_nonempty(to))
            to = s->peer;
        if (srr__pcap_ep_parse(to, &dst) < 0)
            return 0;
        pcap_sock_ep(s, &dst, &src);
        srr__pcap_ep_match_version(&src, &dst);
    }
    return srr__pcap_udp(p, &src, &dst, data, len, have);
}

/* An unnamed AF_UNIX datagram sender is taken to be in the trace when an
 * unnamed socket of the trace is connected to, or last sent to, the
 * receiver's path. */
static int pcap_unix_unnamed_traced(srr_pcap_synth *p, const struct srr__pcap_sock *r)
{
    if (!pcap_nonempty(r->local))
        return 0;
    for (struct srr__pcap_sock *u = p->socks; u; u = u->next)
        if (u != r && u->family == PCAP_AF_UNIX && u->stype == PCAP_DGRAM &&
            !pcap_nonempty(u->local) &&
            ((u->peer && strcmp(u->peer, r->local) == 0) ||
             (u->last_to && strcmp(u->last_to, r->local) == 0)))
            return 1;
    return 0;
}

static int pcap_dgram_recv(srr_pcap_synth *p, struct srr__pcap_sock *s, const srr_json *ev,
                           const unsigned char *data, size_t len, size_t have)
{
    const char *from = pcap_str(ev, "from");
    if (!from)
        from = pcap_str(srr__json_get(ev, "args"), "from");
    if (!pcap_nonempty(from))
        from = s->peer;
    struct srr__pcap_ep src, dst;
    if (s->family == PCAP_AF_UNIX) {
        srr__pcap_ep_unix(88, s->id, &dst);
        if (pcap_nonempty(from)) {
            struct srr__pcap_sock *holder;
            pcap_unix_dest(p, from, PCAP_DGRAM, &src, &holder);
            if (holder)
                return 0;
        } else {
            if (s->conn || pcap_unix_unnamed_traced(p, s))
                return 0;
            srr__pcap_ep_unix(89, s->id, &src);
        }
    } else {
        if (srr__pcap_ep_parse(from, &src) < 0 || pcap_ip_holder(p, &src, PCAP_DGRAM))
            return 0;
        pcap_sock_ep(s, &src, &dst);
        srr__pcap_ep_match_version(&src, &dst);
    }
    return srr__pcap_udp(p, &src, &dst, data, len, have);
}

/* ------------------------------------------------------------ events */

static int pcap_on_send(srr_pcap_synth *p, struct srr__pcap_sock *s, const srr_json *ev,
                        srr_parse_error *err)
{
    long long ret = pcap_int(ev, "ret", -1);
    if (ret < 0)
        return pcap_on_io_error(p, s, ev);
    if (ret == 0)
        return 0;
    unsigned char *data;
    size_t len, have;
    int rc = pcap_payload(ev, &data, &len, &have, err);
    if (rc < 0)
        return rc;
    if (pcap_is_stream(s)) {
        struct srr__pcap_conn *c = pcap_stream(p, s, &rc);
        if (c && (rc = srr__pcap_tcp_complete(p, c)) == 0) {
            pcap_sync(c, s->side, ev);
            rc = srr__pcap_tcp_data(p, c, s->side, data, len, have);
        }
    } else if (s->stype == PCAP_DGRAM) {
        rc = pcap_dgram_send(p, s, ev, data, len, have);
    }
    free(data);
    return rc;
}

static int pcap_on_recv(srr_pcap_synth *p, struct srr__pcap_sock *s, const srr_json *ev,
                        srr_parse_error *err)
{
    const srr_json *args = srr__json_get(ev, "args");
    long long ret = pcap_int(ev, "ret", -1);
    /* a peek moves nothing: the receive that follows it does */
    if (pcap_int(args, "flags", 0) & PCAP_MSG_PEEK)
        return 0;
    if (ret < 0)
        return pcap_on_io_error(p, s, ev);
    unsigned char *data;
    size_t len, have;
    int rc = 0;
    if (pcap_is_stream(s)) {
        struct srr__pcap_conn *c = pcap_stream(p, s, &rc);
        if (!c || (rc = srr__pcap_tcp_complete(p, c)) < 0 || c->traced[!s->side])
            return rc;
        int other = !s->side;
        pcap_sync(c, other, ev);
        if (ret == 0) /* end of stream, unless the buffer had no room */
            return pcap_int(args, "size", 1) > 0 ? srr__pcap_tcp_fin(p, c, other) : 0;
        if ((rc = pcap_payload(ev, &data, &len, &have, err)) < 0)
            return rc;
        rc = srr__pcap_tcp_data(p, c, other, data, len, have);
    } else if (s->stype == PCAP_DGRAM) {
        if ((rc = pcap_payload(ev, &data, &len, &have, err)) < 0)
            return rc;
        rc = pcap_dgram_recv(p, s, ev, data, len, have);
    } else {
        return 0;
    }
    free(data);
    return rc;
}

static int pcap_on_close(srr_pcap_synth *p, struct srr__pcap_sock *s, const srr_json *ev)
{
    /* Linux frees the descriptor even when close reports EINTR. */
    if (pcap_int(ev, "ret", -1) != 0 && !pcap_errno_is(ev, "EINTR"))
        return 0;
    if (!pcap_fd_close(s, ev, srr__json_get(ev, "fd")))
        return 0;
    struct srr__pcap_conn *c = s->conn;
    int rc = 0;
    if (c && c->tcp)
        rc = s->linger0 ? srr__pcap_tcp_rst(p, c, s->side) : srr__pcap_tcp_fin(p, c, s->side);
    pcap_sock_free(p, s);
    return rc;
}

static int pcap_on_sockopt(srr_pcap_synth *p, struct srr__pcap_sock *s, const srr_json *ev, int set)
{
    const srr_json *args = srr__json_get(ev, "args");
    if (pcap_int(ev, "ret", -1) != 0 || pcap_int(args, "level", -1) != PCAP_SOL_SOCKET)
        return 0;
    long long name = pcap_int(args, "name", -1);
    if (set ? name != PCAP_SO_LINGER : name != PCAP_SO_ERROR)
        return 0;
    const char *b64 = pcap_str(set ? args : ev, "value");
    unsigned char *v;
    size_t n;
    int rc = b64 ? srr__b64_decode(b64, strlen(b64), &v, &n) : -EINVAL;
    if (rc < 0)
        return rc == -ENOMEM ? PCAP_ENOMEM : 0;
    int word[2] = {0, 0}; /* host order, as the recording machine wrote it */
    memcpy(word, v, n < sizeof word ? n : sizeof word);
    free(v);
    if (set) {
        s->linger0 = n >= sizeof word && word[0] != 0 && word[1] == 0;
        return 0;
    }
    /* SO_ERROR ends a non-blocking connect: 0 connected, else refused or
     * gone. */
    struct srr__pcap_conn *c = s->conn;
    if (!c || !c->tcp || c->state != SRR_PCAP_SYN_SENT || n < sizeof(int))
        return 0;
    if (word[0] == 0)
        return srr__pcap_tcp_complete(p, c);
    if (word[0] == PCAP_ECONNREFUSED)
        return srr__pcap_tcp_refuse(p, c);
    c->state = SRR_PCAP_DEAD;
    return 0;
}

static int pcap_on_socketpair(srr_pcap_synth *p, const srr_json *ev)
{
    const srr_json *socks = srr__json_get(ev, "socks");
    if (pcap_int(ev, "ret", -1) != 0 || srr__json_size(socks) != 2)
        return 0;
    const srr_json *ja = srr__json_at(socks, 0), *jb = srr__json_at(socks, 1);
    long long a = srr__json_is(ja, SRR_JSON_INT) ? srr__json_int(ja) : -1;
    long long b = srr__json_is(jb, SRR_JSON_INT) ? srr__json_int(jb) : -1;
    if (a < 0 || b < 0 || a == b)
        return 0;
    struct srr__pcap_sock *sa = pcap_sock_of(p, ev, a), *sb = sa ? pcap_sock_of(p, ev, b) : NULL;
    const srr_json *fds = srr__json_get(ev, "fds");
    if (!sb || pcap_fd_add(sa, ev, srr__json_at(fds, 0)) < 0 ||
        pcap_fd_add(sb, ev, srr__json_at(fds, 1)) < 0)
        return PCAP_ENOMEM;
    if (sa->family != PCAP_AF_UNIX || sa->conn || sb->conn ||
        !(pcap_is_stream(sa) || sa->stype == PCAP_DGRAM))
        return 0;
    struct srr__pcap_conn *c = pcap_conn_new(p, pcap_is_stream(sa), sa->stype, a);
    if (!c)
        return PCAP_ENOMEM;
    c->is_unix = 1;
    srr__pcap_ep_unix(88, a, &c->ep[0]);
    srr__pcap_ep_unix(88, b, &c->ep[1]);
    pcap_conn_attach(p, c, 0, sa);
    pcap_conn_attach(p, c, 1, sb);
    return c->tcp ? srr__pcap_tcp_open(p, c, 1) : 0;
}

/* Keeps what the event says about the socket's addresses. */
static int pcap_note_addrs(struct srr__pcap_sock *s, const srr_json *ev, const char *op)
{
    const char *local = pcap_str(ev, "local"), *peer = pcap_str(ev, "peer");
    if (pcap_int(ev, "ret", -1) == 0) {
        if (strcmp(op, "bind") == 0 && !pcap_nonempty(local))
            local = pcap_str(srr__json_get(ev, "args"), "addr");
        else if (strcmp(op, "getsockname") == 0)
            local = pcap_str(ev, "addr");
        else if (strcmp(op, "getpeername") == 0)
            peer = pcap_str(ev, "addr");
    }
    if (pcap_nonempty(local) && pcap_set_local(s, local) < 0)
        return PCAP_ENOMEM;
    if (pcap_nonempty(peer) && pcap_set(&s->peer, peer) < 0)
        return PCAP_ENOMEM;
    return 0;
}

static int pcap_dispatch(srr_pcap_synth *p, const srr_json *ev, const char *op,
                         srr_parse_error *err)
{
    if (strcmp(op, "socketpair") == 0)
        return pcap_on_socketpair(p, ev);
    const srr_json *id = srr__json_get(ev, "sock");
    if (!srr__json_is(id, SRR_JSON_INT))
        return 0; /* the resolver, the clock, poll: no bytes, no sockets */
    struct srr__pcap_sock *s = pcap_sock_of(p, ev, srr__json_int(id));
    if (!s)
        return PCAP_ENOMEM;
    long long ret = pcap_int(ev, "ret", -1);
    if (pcap_note_addrs(s, ev, op) < 0 ||
        (strcmp(op, "close") != 0 && pcap_fd_add(s, ev, srr__json_get(ev, "fd")) < 0))
        return PCAP_ENOMEM;
    if (strcmp(op, "sendmsg") == 0)
        return pcap_on_send(p, s, ev, err);
    if (strcmp(op, "recvmsg") == 0)
        return pcap_on_recv(p, s, ev, err);
    if (strcmp(op, "connect") == 0)
        return pcap_on_connect(p, s, ev);
    if (strcmp(op, "accept4") == 0)
        return pcap_on_accept(p, s, ev);
    if (strcmp(op, "close") == 0)
        return pcap_on_close(p, s, ev);
    if (strcmp(op, "listen") == 0 && ret == 0)
        s->listening = 1;
    if (strcmp(op, "setsockopt") == 0 || strcmp(op, "getsockopt") == 0)
        return pcap_on_sockopt(p, s, ev, op[0] == 's');
    if (strcmp(op, "shutdown") == 0 && ret == 0 && s->conn && s->conn->tcp) {
        long long how = pcap_int(srr__json_get(ev, "args"), "how", -1);
        int rc = srr__pcap_tcp_complete(p, s->conn);
        if (rc == 0 && (how == 1 || how == 2)) /* SHUT_WR, SHUT_RDWR */
            rc = srr__pcap_tcp_fin(p, s->conn, s->side);
        return rc;
    }
    if (strcmp(op, "dup") == 0 && ret >= 0 && pcap_fd_add(s, ev, srr__json_get(ev, "new_fd")) < 0)
        return PCAP_ENOMEM;
    if (strcmp(op, "fcntl") == 0 && ret >= 0) {
        long long cmd = pcap_int(srr__json_get(ev, "args"), "cmd", -1);
        if ((cmd == PCAP_F_DUPFD || cmd == PCAP_F_DUPFD_CLOEXEC) &&
            pcap_fd_add(s, ev, srr__json_get(ev, "new_fd")) < 0)
            return PCAP_ENOMEM;
    }
    return 0;
}

int srr__pcap_event(srr_pcap_synth *p, const srr_json *event, srr_parse_error *err)
{
    const char *op = pcap_str(event, "op");
    if (!op)
        return 0;
    /* the reader keeps t at or after mono0, and rt0 at or after 0 */
    int64_t t = pcap_int(event, "t", p->mono0);
    if (__builtin_add_overflow(p->rt0, t - p->mono0, &p->now) ||
        p->now / 1000000000 > UINT32_MAX) {
        srr__pcap_fail(err, "", "t", SRR_PARSE_EVALUE,
                       "the event's time is past 2106, the last a pcap's 32-bit seconds hold");
        return -1;
    }
    int rc = pcap_dispatch(p, event, op, err);
    if (rc == PCAP_EWRITE)
        srr__pcap_werr(p, err);
    else if (rc == PCAP_ENOMEM)
        srr__pcap_fail(err, "", "", SRR_PARSE_EIO, "out of memory");
    return rc < 0 ? -1 : 0;
}
