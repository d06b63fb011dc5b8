/*
 * sim_dns_server.c — where the sim's DNS server (sim_dns_wire.c) meets the
 * network: UDP queries to port 53 of the config's nameserver address that
 * no socket of the program takes are answered after the entry's delay, and
 * a listener there takes TCP connections, answering each length-prefixed
 * query in turn.  A program's own socket on that port wins over it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define DNS_PORT 53
#define DNS_MSG_MAX 65535

/* A UDP answer on its way back (the entry's delay). */
struct sim_dns_reply {
    struct sim_dns_reply *next;
    int64_t at;
    sim_sock *to; /* held (a reference) until delivered */
    struct sockaddr_storage from;
    socklen_t fromlen;
    size_t len;
    unsigned char data[];
};

/* The server's address, port 53, in family's form (IPv4-mapped for an
 * IPv6 socket asking an IPv4 server). */
static void dns_server_addr(const sim_world *s, int family, struct sockaddr_storage *ss,
                            socklen_t *len)
{
    srr__sim_ip_addr(&s->cfg->nameserver, DNS_PORT, ss, len);
    srr__sim_addr_to_family(family, ss, len);
}

int srr__sim_dns_server_at(const sim_world *s, const struct sockaddr *to)
{
    if (to->sa_family != AF_INET && to->sa_family != AF_INET6)
        return 0;
    struct sockaddr_storage me;
    socklen_t len;
    dns_server_addr(s, to->sa_family, &me, &len);
    return srr__sim_addr_equal((const struct sockaddr *)&me, to, 1);
}

int srr__sim_dns_server_udp(sim_world *s, sim_sock *k, const struct msghdr *m, size_t len)
{
    static unsigned char q[DNS_MSG_MAX], r[DNS_MSG_MAX]; /* under the world's lock */
    size_t n = 0;
    for (size_t i = 0; i < m->msg_iovlen && n < sizeof q; i++) {
        size_t take = m->msg_iov[i].iov_len < sizeof q - n ? m->msg_iov[i].iov_len : sizeof q - n;
        memcpy(q + n, m->msg_iov[i].iov_base, take);
        n += take;
    }
    (void)len;
    int64_t delay;
    size_t rlen = srr__sim_dns_wire(s->dns, q, n, 0, r, sizeof r, &delay);
    if (rlen == 0)
        return 0; /* nothing to answer: the datagram is lost, as a server ignores it */
    struct sim_dns_reply *a = malloc(sizeof *a + rlen);
    if (!a)
        return -ENOMEM;
    a->to = k;
    k->refs++;
    dns_server_addr(s, k->family, &a->from, &a->fromlen);
    /* a server on another host: the query and its answer each cross the link */
    int64_t latency = 0, rate = 0;
    struct sockaddr_storage src; /* where the query left from: a wildcard-bound
                                  * socket's source is per datagram */
    socklen_t srclen;
    srr__sim_source_addr(s, k, (const struct sockaddr *)&a->from, &src, &srclen);
    if (srr__sim_link_between(s, (const struct sockaddr *)&a->from, (const struct sockaddr *)&src,
                              &latency, &rate))
        delay += 2 * latency;
    a->at = s->vt.now + delay;
    a->len = rlen;
    memcpy(a->data, r, rlen);
    a->next = s->dns_replies;
    s->dns_replies = a;
    srr__sim_dns_server_due(s);
    return 0;
}

void srr__sim_dns_server_due(sim_world *s)
{
    for (struct sim_dns_reply **p = &s->dns_replies; *p;) {
        struct sim_dns_reply *a = *p;
        if (a->at > s->vt.now) {
            p = &a->next;
            continue;
        }
        *p = a->next;
        /* a socket the program closed meanwhile holds only this reference */
        if (a->to->refs > 1)
            srr__sim_dgram_put(s, a->to, &a->from, a->fromlen, a->data, a->len);
        srr__sim_sock_unref(s, a->to);
        free(a);
    }
}

int64_t srr__sim_dns_server_next(const sim_world *s)
{
    int64_t next = -1;
    for (const struct sim_dns_reply *a = s->dns_replies; a; a = a->next)
        if (next < 0 || a->at < next)
            next = a->at;
    return next;
}

void srr__sim_dns_server_free(sim_world *s)
{
    while (s->dns_replies) {
        struct sim_dns_reply *a = s->dns_replies;
        s->dns_replies = a->next;
        free(a);
    }
}

int srr__sim_dns_server_listen(sim_world *s)
{
    sim_sock *k = srr__sim_sock_new(s, s->cfg->nameserver.family, SOCK_STREAM, IPPROTO_TCP);
    if (!k)
        return -ENOMEM;
    k->refs = 1; /* the world's */
    dns_server_addr(s, k->family, &k->local, &k->local_len);
    k->bound = 1;
    k->state = SIM_S_LISTEN;
    k->backlog = 4096;
    s->dns_service.port = DNS_PORT;
    s->dns_service.proto = IPPROTO_TCP;
    s->dns_service.dns = 1;
    k->service = &s->dns_service;
    return 0;
}

int srr__sim_dns_server_stream(sim_world *s, sim_sock *k, int *done)
{
    static unsigned char q[DNS_MSG_MAX], r[DNS_MSG_MAX + 2];
    *done = 0;
    for (;;) {
        size_t have = srr__sim_buf_len(&k->rx);
        unsigned char lenb[2];
        if (have < 2 || srr__sim_buf_get(&k->rx, lenb, 2, 1) < 2) {
            *done = k->rx_eof || !k->other; /* the client is through */
            return 0;
        }
        size_t n = (size_t)lenb[0] << 8 | lenb[1];
        if (have < 2 + n)
            return 0; /* the rest of the message is still coming */
        srr__sim_buf_get(&k->rx, lenb, 2, 0);
        srr__sim_buf_get(&k->rx, q, n, 0);
        int64_t delay;
        size_t rlen = srr__sim_dns_wire(s->dns, q, n, 1, r + 2, sizeof r - 2, &delay);
        if (rlen == 0) {
            *done = 1; /* not a query: the server hangs up */
            return 0;
        }
        r[0] = (unsigned char)(rlen >> 8);
        r[1] = (unsigned char)rlen;
        int rc = srr__sim_peer_send(s, k, r, rlen + 2);
        if (rc < 0)
            return rc;
    }
}
