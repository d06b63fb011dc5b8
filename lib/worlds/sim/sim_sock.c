/*
 * sim_sock.c — sim sockets: creation and release, addresses, ports and
 * binding, byte buffers.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sim.h"
#include "sock_rules.h"
#include "grow.h"
#include "world_assert.h"

/* ---------------------------------------------------------------- buffers */

size_t srr__sim_buf_len(const sim_buf *b)
{
    return b->end - b->start;
}

int srr__sim_buf_put(sim_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (b->start > 0 && b->end + n > b->cap) { /* reuse consumed room first */
        memmove(b->data, b->data + b->start, b->end - b->start);
        b->end -= b->start;
        b->start = 0;
    }
    if (b->end + n > b->cap &&
        srr__grow((void **)&b->data, &b->cap, b->end + n < 4096 ? 4096 : b->end + n, 1) < 0)
        return -ENOMEM;
    memcpy(b->data + b->end, p, n);
    b->end += n;
    return 0;
}

size_t srr__sim_buf_get(sim_buf *b, void *p, size_t n, int peek)
{
    size_t have = b->end - b->start;
    if (n > have)
        n = have;
    if (p)
        memcpy(p, b->data + b->start, n);
    if (!peek) {
        b->start += n;
        if (b->start == b->end)
            b->start = b->end = 0;
    }
    return n;
}

void srr__sim_buf_free(sim_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void srr__sim_q_push(sim_queue *q, sim_qnode *n)
{
    n->next = NULL;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    q->bytes += n->len;
    q->count++;
}

sim_qnode *srr__sim_q_pop(sim_queue *q)
{
    sim_qnode *n = q->head;
    if (!n)
        return NULL;
    q->head = n->next;
    if (!q->head)
        q->tail = NULL;
    q->bytes -= n->len;
    q->count--;
    return n;
}

void srr__sim_q_free(sim_queue *q)
{
    for (sim_qnode *n; (n = srr__sim_q_pop(q));)
        free(n);
}

/* ---------------------------------------------------------------- sockets */

sim_sock *srr__sim_sock_new(sim_world *s, int family, int type, int proto)
{
    if (srr__grow((void **)&s->all, &s->capall, s->nall + 1, sizeof *s->all) < 0)
        return NULL;
    sim_sock *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->family = family;
    k->type = type;
    k->proto = proto;
    srr__opts_init(&k->opt, family, type, proto);
    k->conn_index = -1;
    k->serial = ++s->serials;
    s->all[s->nall++] = k;
    return k;
}

static void sim_sock_forget(sim_world *s, sim_sock *k)
{
    for (size_t i = 0; i < s->nall; i++)
        if (s->all[i] == k) {
            s->all[i] = s->all[--s->nall];
            break;
        }
}

void srr__sim_sock_unref(sim_world *s, sim_sock *k)
{
    if (--k->refs > 0)
        return;
    if (k->type == SOCK_DGRAM)
        srr__sim_dgram_unpair(k);
    else
        srr__sim_stream_close(s, k);
    sim_sock_forget(s, k);
    srr__sim_unix_name_closed(s, k);
    srr__sim_buf_free(&k->rx);
    srr__sim_q_free(&k->fly);
    srr__sim_dgram_drop_all(s, k);
    free(k->records);
    free(k->pending);
    free(k);
    srr__vt_changed(&s->vt);
}

/* ------------------------------------------------------------- addresses */

int srr__sim_port(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (sa->sa_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return -1;
}

static void sim_set_port(struct sockaddr *sa, int port)
{
    if (sa->sa_family == AF_INET)
        ((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
    else if (sa->sa_family == AF_INET6)
        ((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
}

void srr__sim_ip_addr(const sim_ip *ip, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    ss->ss_family = (sa_family_t)ip->family;
    if (ip->family == AF_INET) {
        ((struct sockaddr_in *)ss)->sin_addr = ip->a.v4;
        *len = sizeof(struct sockaddr_in);
    } else {
        ((struct sockaddr_in6 *)ss)->sin6_addr = ip->a.v6;
        *len = sizeof(struct sockaddr_in6);
    }
    sim_set_port((struct sockaddr *)ss, port);
}

int srr__sim_is_wildcard(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

/* Same address (and port when with_port); AF_UNIX compares the names. */
int srr__sim_addr_equal(const struct sockaddr *a, const struct sockaddr *b, int with_port)
{
    if (a->sa_family != b->sa_family)
        return 0;
    if (with_port && srr__sim_port(a) != srr__sim_port(b))
        return 0;
    if (a->sa_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->sa_family == AF_INET6)
        return IN6_ARE_ADDR_EQUAL(&((const struct sockaddr_in6 *)a)->sin6_addr,
                                  &((const struct sockaddr_in6 *)b)->sin6_addr);
    return 0;
}

int srr__sim_v4_view(const struct sockaddr *sa, struct sockaddr_in *v4)
{
    memset(v4, 0, sizeof *v4);
    if (sa->sa_family == AF_INET) {
        memcpy(v4, sa, sizeof *v4);
        return 1;
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    if (sa->sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
        return 0;
    v4->sin_family = AF_INET;
    v4->sin_port = in6->sin6_port;
    memcpy(&v4->sin_addr, &in6->sin6_addr.s6_addr[12], 4);
    return 1;
}

void srr__sim_addr_to_family(int family, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in v4;
    if (family == ss->ss_family || !srr__sim_v4_view((struct sockaddr *)ss, &v4))
        return;
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET) {
        memcpy(ss, &v4, sizeof v4);
        *len = sizeof v4;
        return;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = v4.sin_port;
    in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&in6->sin6_addr.s6_addr[12], &v4.sin_addr, 4);
    *len = sizeof *in6;
}

static int sim_ip_matches(const sim_ip *ip, const struct sockaddr *sa)
{
    if (ip->family != sa->sa_family)
        return 0;
    if (sa->sa_family == AF_INET)
        return ip->a.v4.s_addr == ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
    return IN6_ARE_ADDR_EQUAL(&ip->a.v6, &((const struct sockaddr_in6 *)sa)->sin6_addr);
}

/* The host owning an address, or NULL. */
const sim_host *srr__sim_host_of(sim_world *s, const struct sockaddr *sa)
{
    struct sockaddr_in v4;
    if (sa->sa_family == AF_INET6 && srr__sim_v4_view(sa, &v4))
        sa = (const struct sockaddr *)&v4; /* an IPv4-mapped address is its IPv4 one */
    for (size_t i = 0; i < s->cfg->nhosts; i++)
        for (size_t j = 0; j < s->cfg->hosts[i].naddrs; j++)
            if (sim_ip_matches(&s->cfg->hosts[i].addrs[j], sa))
                return &s->cfg->hosts[i];
    return NULL;
}

/* An address of this host: loopback, or one of the self host's. */
int srr__sim_is_local(sim_world *s, const struct sockaddr *sa)
{
    struct sockaddr_in v4;
    if (sa->sa_family == AF_INET6 && srr__sim_v4_view(sa, &v4))
        sa = (const struct sockaddr *)&v4;
    if (sa->sa_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
        if ((a >> 24) == 127)
            return 1;
    } else if (sa->sa_family == AF_INET6) {
        if (IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr))
            return 1;
    } else {
        return 0;
    }
    const sim_host *h = srr__sim_host_of(s, sa);
    return h && h->self;
}

/* The source address a connection towards `to` leaves from (port 0). */
static int sim_source_for(sim_world *s, const struct sockaddr *to, struct sockaddr_storage *src,
                          socklen_t *len)
{
    memset(src, 0, sizeof *src);
    if (to->sa_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)src;
        in->sin_family = AF_INET;
        *len = sizeof *in;
        if (srr__sim_is_local(s, to)) {
            in->sin_addr = ((const struct sockaddr_in *)to)->sin_addr;
            return 0;
        }
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)src;
        in6->sin6_family = AF_INET6;
        *len = sizeof *in6;
        if (srr__sim_is_local(s, to)) {
            in6->sin6_addr = ((const struct sockaddr_in6 *)to)->sin6_addr;
            return 0;
        }
    }
    /* towards another host: the self host's first address of the family */
    for (size_t i = 0; i < s->cfg->nhosts; i++) {
        const sim_host *h = &s->cfg->hosts[i];
        if (!h->self)
            continue;
        for (size_t j = 0; j < h->naddrs; j++) {
            if (h->addrs[j].family != to->sa_family)
                continue;
            if (to->sa_family == AF_INET)
                ((struct sockaddr_in *)src)->sin_addr = h->addrs[j].a.v4;
            else
                ((struct sockaddr_in6 *)src)->sin6_addr = h->addrs[j].a.v6;
            return 0;
        }
    }
    return -ENETUNREACH;
}

/* Whether binding (addr, port) collides with k2's binding.  A service's
 * socket is on its own host: only one on the program's host (a local
 * address) takes the program's ports. */
/* What an IP socket's bound address covers of IPv4, as v4 (INADDR_ANY for
 * every address): 1, or 0 when nothing (an IPv6-only socket, or an IPv6
 * address that is not IPv4-mapped). */
static int sim_bound_v4(const sim_sock *k, const struct sockaddr *a, struct sockaddr_in *v4)
{
    if (k->family == AF_INET6 && k->opt.v6only)
        return 0;
    if (srr__sim_v4_view(a, v4))
        return 1;
    if (!srr__sim_is_wildcard(a))
        return 0;
    memset(v4, 0, sizeof *v4); /* [::] of a dual-stack socket: 0.0.0.0 too */
    v4->sin_family = AF_INET;
    v4->sin_port = ((const struct sockaddr_in6 *)a)->sin6_port;
    return 1;
}

static int sim_bind_conflict(sim_world *s, const sim_sock *k, const struct sockaddr *sa,
                             const sim_sock *k2)
{
    if (k2 == k || !k2->bound || k2->type != k->type ||
        (k2->service && k2->service->dns))
        return 0; /* the sim's DNS server gives way to the program's own */
    const struct sockaddr *b = (const struct sockaddr *)&k2->local;
    struct sockaddr_in sa4, b4;
    if (k2->family != k->family) {
        /* an IPv4 socket and a dual-stack IPv6 one share IPv4's ports */
        if (k->family == AF_UNIX || k2->family == AF_UNIX || !sim_bound_v4(k, sa, &sa4) ||
            !sim_bound_v4(k2, b, &b4))
            return 0;
        sa = (const struct sockaddr *)&sa4;
        b = (const struct sockaddr *)&b4;
    }
    if (k2->service && k->family != AF_UNIX && !srr__sim_is_local(s, b))
        return 0;
    if (k->family == AF_UNIX) { /* abstract names; a path's is sim_unix_names.c's */
        socklen_t n = k2->local_len;
        return n > offsetof(struct sockaddr_un, sun_path) &&
               ((const struct sockaddr_un *)b)->sun_path[0] == '\0' && memcmp(sa, b, n) == 0;
    }
    if (srr__sim_port(sa) != srr__sim_port(b))
        return 0;
    if (!srr__sim_is_wildcard(sa) && !srr__sim_is_wildcard(b) && !srr__sim_addr_equal(sa, b, 0))
        return 0;
    /* SO_REUSEADDR on both lets a port be bound again unless one listens
     * (Linux's TCP rule); datagram sockets need it on both too. */
    if (k->opt.reuseaddr && k2->opt.reuseaddr && k2->state != SIM_S_LISTEN)
        return 0;
    if (k->opt.reuseport && k2->opt.reuseport)
        return 0;
    return 1;
}

static int sim_port_free(sim_world *s, const sim_sock *k, struct sockaddr *sa)
{
    for (size_t i = 0; i < s->nall; i++)
        if (sim_bind_conflict(s, k, sa, s->all[i]))
            return 0;
    return 1;
}

/* An ephemeral port for k at sa's address: the first free one from a
 * start drawn from the seeded generator.  One pass over the sockets marks
 * the ports taken (a port is, when a socket bound to it conflicts), so a
 * program that uses up the range pays for its sockets once, not once per
 * port tried. */
static int sim_ephemeral(sim_world *s, sim_sock *k, struct sockaddr *sa)
{
    enum { RANGE = SIM_EPHEMERAL_HI - SIM_EPHEMERAL_LO + 1 };
    unsigned char taken[(RANGE + 7) / 8] = {0};
    for (size_t i = 0; i < s->nall; i++) {
        const sim_sock *o = s->all[i];
        int p = o->bound ? srr__sim_port((const struct sockaddr *)&o->local) : 0;
        if (p < SIM_EPHEMERAL_LO || p > SIM_EPHEMERAL_HI)
            continue;
        sim_set_port(sa, p);
        if (sim_bind_conflict(s, k, sa, o))
            taken[(p - SIM_EPHEMERAL_LO) / 8] |= (unsigned char)(1u << ((p - SIM_EPHEMERAL_LO) % 8));
    }
    int start = (int)(srr__sim_random(s) % (uint64_t)RANGE);
    for (int i = 0; i < RANGE; i++) {
        int p = (start + i) % RANGE;
        if (!(taken[p / 8] & (1u << (p % 8)))) {
            sim_set_port(sa, SIM_EPHEMERAL_LO + p);
            return 0;
        }
    }
    return -EADDRINUSE;
}

/* Binds k to sa (port 0: an ephemeral port, sim_ephemeral). */
static int sim_bind_to(sim_world *s, sim_sock *k, struct sockaddr_storage *ss, socklen_t len)
{
    struct sockaddr *sa = (struct sockaddr *)ss;
    if (k->family != AF_UNIX && srr__sim_port(sa) == 0) {
        int r = sim_ephemeral(s, k, sa);
        if (r < 0)
            return r;
    } else if (srr__sim_unix_name_taken(s, sa, len) || !sim_port_free(s, k, sa)) {
        return -EADDRINUSE; /* a filesystem name: taken while its name is there */
    }
    memcpy(&k->local, ss, len);
    k->local_len = len;
    int r = srr__sim_unix_name_make(s, k);
    if (r < 0)
        return r;
    k->bound = 1;
    k->autobound = 0; /* sim_autobind_as says otherwise */
    return 0;
}

/* unix_autobind: an abstract name of five hex digits nobody holds, from a
 * start the seeded generator draws. */
static int sim_unix_autobind(sim_world *s, sim_sock *k)
{
    uint32_t start = (uint32_t)srr__sim_random(s) & 0xfffff;
    for (uint32_t i = 0; i <= 0xfffff; i++) {
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        un->sun_family = AF_UNIX;
        char name[8];
        snprintf(name, sizeof name, "%05x", (start + i) & 0xfffff);
        memcpy(un->sun_path + 1, name, 5);
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 6);
        if (sim_port_free(s, k, (struct sockaddr *)&ss))
            return sim_bind_to(s, k, &ss, len);
    }
    return -ENOSPC;
}

/* The address first, then whether the socket is bound already: Linux's
 * order (unix_bind, __inet_bind, __inet6_bind). */
int srr__sim_bind(sim_world *s, sim_sock *k, const struct sockaddr *sa, socklen_t len)
{
    srr__assert_sockaddr(sa, len);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t want;
    int r = srr__rule_bind_addr(k->family, sa, len, &want);
    if (r < 0)
        return r;
    if (k->family == AF_UNIX) {
        if (k->bound)
            return -EINVAL;
        if (len == sizeof(sa_family_t))
            return sim_unix_autobind(s, k);
        memcpy(&ss, sa, len);
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        /* a filesystem name ends at its NUL */
        if (un->sun_path[0] != '\0')
            len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
                              strnlen(un->sun_path, len - offsetof(struct sockaddr_un, sun_path)) +
                              1);
        return sim_bind_to(s, k, &ss, len);
    }
    memcpy(&ss, sa, want);
    ss.ss_family = (sa_family_t)k->family;
    sa = (const struct sockaddr *)&ss;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    if (k->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) && !in6->sin6_scope_id)
        return -EINVAL; /* a link-local address needs its interface */
    if (k->family == AF_INET6 && k->opt.v6only && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
        return -EINVAL; /* an IPv6-only socket has no IPv4 address (inet6_bind) */
    if (!srr__sim_is_wildcard(sa) && !srr__sim_is_local(s, sa))
        return -EADDRNOTAVAIL;
    if (k->bound)
        return -EINVAL;
    return sim_bind_to(s, k, &ss, want);
}

/* An unbound socket gets a port (and, towards `to`, a source address). */
static int sim_autobind_as(sim_world *s, sim_sock *k, const struct sockaddr *towards, int any)
{
    if (k->family == AF_UNIX)
        return 0;
    struct sockaddr_storage ss;
    socklen_t len;
    if (towards) {
        int r = sim_source_for(s, towards, &ss, &len);
        if (r < 0)
            return r;
    }
    if (k->bound) {
        /* a UDP connect gives an autobound wildcard its source address
         * (ip4_datagram_connect), its port kept */
        if (towards && !any && k->autobound && srr__sim_is_wildcard((struct sockaddr *)&k->local) &&
            ss.ss_family == k->local.ss_family) {
            int port = srr__sim_port((struct sockaddr *)&k->local);
            memcpy(&k->local, &ss, len);
            sim_set_port((struct sockaddr *)&k->local, port);
        }
        return 0;
    }
    if (!towards || any) {
        memset(&ss, 0, sizeof ss);
        ss.ss_family = (sa_family_t)k->family;
        len = k->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    }
    int r = sim_bind_to(s, k, &ss, len);
    if (r == 0)
        k->autobound = 1;
    return r;
}

int srr__sim_autobind(sim_world *s, sim_sock *k, const struct sockaddr *towards)
{
    return sim_autobind_as(s, k, towards, 0);
}

int srr__sim_autobind_any(sim_world *s, sim_sock *k, const struct sockaddr *towards)
{
    return sim_autobind_as(s, k, towards, 1);
}

/* A bound socket of this family and type that answers at `to`: a listener
 * for streams, any bound socket for datagrams. */
/* How well bound socket k receives what is sent to `to` (port equal):
 * 3 its exact address, 2 an IPv4 wildcard, 1 an IPv6 wildcard (which takes
 * IPv4 too when dual-stack), 0 not at all; Linux's lookup prefers them in
 * that order. */
static int sim_bound_score(const sim_sock *k, const struct sockaddr *to)
{
    const struct sockaddr *b = (const struct sockaddr *)&k->local;
    struct sockaddr_in to4, b4;
    if (!srr__sim_v4_view(to, &to4)) { /* an IPv6 target: IPv6 sockets only */
        if (k->family != AF_INET6)
            return 0;
        return srr__sim_addr_equal(b, to, 0) ? 3 : srr__sim_is_wildcard(b) ? 1 : 0;
    }
    /* an IPv4 target, or an IPv4-mapped one: IPv4 sockets, and IPv6 ones
     * whose address covers IPv4 */
    if (!sim_bound_v4(k, b, &b4))
        return 0;
    if (b4.sin_addr.s_addr == to4.sin_addr.s_addr)
        return 3;
    if (b4.sin_addr.s_addr != htonl(INADDR_ANY))
        return 0;
    return k->family == AF_INET ? 2 : 1;
}

sim_sock *srr__sim_find_bound(sim_world *s, int family, int type, const struct sockaddr *to)
{
    sim_sock *named;
    if (family == AF_UNIX && srr__sim_unix_name_lookup(s, to, sizeof(struct sockaddr_un), &named))
        return named && named->type == type && (type == SOCK_DGRAM || named->state == SIM_S_LISTEN)
                   ? named
                   : NULL;
    sim_sock *best = NULL, *dns = NULL;
    int best_score = 0;
    for (size_t i = 0; i < s->nall; i++) {
        sim_sock *k = s->all[i];
        if (!k->bound || k->type != type || (k->family == AF_UNIX) != (family == AF_UNIX))
            continue;
        if (type != SOCK_DGRAM && k->state != SIM_S_LISTEN)
            continue;
        if (family == AF_UNIX) {
            if (k->local_len > offsetof(struct sockaddr_un, sun_path) &&
                ((const struct sockaddr_un *)&k->local)->sun_path[0] == '\0' &&
                memcmp(&k->local, to, k->local_len) == 0)
                return k; /* an abstract name; a path is found by its name */
            continue;
        }
        if (srr__sim_port((const struct sockaddr *)&k->local) != srr__sim_port(to))
            continue;
        int score = sim_bound_score(k, to);
        if (score > 0 && k->service && k->service->dns) {
            dns = k; /* only when no socket of the program is there */
            continue;
        }
        if (score > best_score) {
            best = k;
            best_score = score;
        }
        if (score == 3)
            break;
    }
    return best ? best : dns;
}

int srr__sim_unix_missing(sim_world *s, int type, const struct sockaddr *to)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)to;
    if (un->sun_path[0] == '\0')
        return -ECONNREFUSED;
    sim_sock *k;
    if (!srr__sim_unix_name_lookup(s, to, sizeof(struct sockaddr_un), &k))
        return -ENOENT;
    return k && k->type != type ? -EPROTOTYPE : -ECONNREFUSED;
}

int srr__sim_listen_taken(sim_world *s, const sim_sock *k)
{
    if (!k->bound || k->family == AF_UNIX || k->state == SIM_S_LISTEN)
        return 0;
    const struct sockaddr *a = (const struct sockaddr *)&k->local;
    for (size_t i = 0; i < s->nall; i++) {
        const sim_sock *o = s->all[i];
        if (o == k || o->state != SIM_S_LISTEN || o->type != k->type || o->service ||
            srr__sim_port((const struct sockaddr *)&o->local) != srr__sim_port(a) ||
            (k->opt.reuseport && o->opt.reuseport))
            continue;
        const struct sockaddr *b = (const struct sockaddr *)&o->local;
        if (o->family == k->family &&
            (srr__sim_is_wildcard(a) || srr__sim_is_wildcard(b) || srr__sim_addr_equal(a, b, 0)))
            return 1;
    }
    return 0;
}

sim_sock *srr__sim_reuseport_pick(sim_world *s, sim_sock *found, const struct sockaddr *from)
{
    if (!found || !found->opt.reuseport || found->family == AF_UNIX || !from)
        return found;
    /* the group: bound to the same address and port, SO_REUSEPORT each */
    size_t n = 0, pick;
    const struct sockaddr *at = (const struct sockaddr *)&found->local;
    for (int pass = 0; pass < 2; pass++) {
        size_t i = 0;
        /* the same sender always reaches the same one, as Linux's 4-tuple hash */
        pick = pass ? (size_t)srr__sim_port(from) * 2654435761u % n : 0;
        for (size_t j = 0; j < s->nall; j++) {
            sim_sock *k = s->all[j];
            if (!k->bound || !k->opt.reuseport || k->type != found->type ||
                k->family != found->family || k->state != found->state ||
                !srr__sim_addr_equal((const struct sockaddr *)&k->local, at, 1))
                continue;
            if (pass && i == pick)
                return k;
            i++;
        }
        n = i;
        if (n <= 1)
            return found;
    }
    return found;
}

/* k's address as a packet towards `to` carries it: a wildcard-bound socket
 * sends from the address the route to `to` picks, with its own port. */
void srr__sim_source_addr(sim_world *s, const sim_sock *k, const struct sockaddr *to,
                          struct sockaddr_storage *out, socklen_t *len)
{
    memcpy(out, &k->local, k->local_len);
    *len = k->local_len;
    if (k->family == AF_UNIX || !k->local_len ||
        !srr__sim_is_wildcard((const struct sockaddr *)&k->local))
        return;
    struct sockaddr_storage src;
    socklen_t n;
    if (sim_source_for(s, to, &src, &n) < 0 || src.ss_family != k->local.ss_family)
        return;
    int port = srr__sim_port((const struct sockaddr *)&k->local);
    memcpy(out, &src, n);
    *len = n;
    sim_set_port((struct sockaddr *)out, port);
}
