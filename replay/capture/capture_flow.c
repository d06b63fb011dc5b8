/*
 * capture_flow.c — the flows of a capture and its server addresses: two
 * hash tables (a flow is found from either end), the list of flows still
 * open in creation order, the end of the capture, and UDP, whose flows
 * need nothing more than the tables.
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "dlist.h"
#include "trace.h"

/* FNV-1a's offset basis and prime. */
#define FLOW_FNV 0xcbf29ce484222325ull
#define FLOW_FNV_PRIME 0x100000001b3ull

static uint64_t flow_hash_ep(uint64_t h, const srr_cap_ep *e)
{
    size_t n = e->family == 4 ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        h = (h ^ e->addr[i]) * FLOW_FNV_PRIME;
    h = (h ^ (uint64_t)e->port) * FLOW_FNV_PRIME;
    return (h ^ (uint64_t)e->family) * FLOW_FNV_PRIME;
}

int srr__cap_ep_eq(const srr_cap_ep *a, const srr_cap_ep *b)
{
    return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

/* A flow's hash does not depend on which side is which. */
static size_t flow_bucket(const srr_cap *c, int proto, const srr_cap_ep *a,
                              const srr_cap_ep *b)
{
    uint64_t h = flow_hash_ep(FLOW_FNV, a) ^ flow_hash_ep(FLOW_FNV, b);
    h += (uint64_t)proto * 0x9e3779b97f4a7c15ull;
    return (size_t)((h ^ h >> 29) & (c->nflow_buckets - 1));
}

static size_t flow_server_bucket(const srr_cap *c, int proto, const srr_cap_ep *e)
{
    uint64_t h = flow_hash_ep(FLOW_FNV + (uint64_t)proto, e);
    return (size_t)((h ^ h >> 29) & (c->nserver_buckets - 1));
}

/* A table's buckets doubled when it holds count entries (*nbuckets
 * doubled too): the new empty array, or NULL when the table stays as it
 * is, also when memory is short (chains just grow longer). */
static void *flow_buckets_doubled(size_t count, size_t *nbuckets, size_t size)
{
    if (count < *nbuckets)
        return NULL;
    void *b = calloc(*nbuckets * 2, size);
    if (b)
        *nbuckets *= 2;
    return b;
}

static void flow_grow(srr_cap *c)
{
    size_t old = c->nflow_buckets;
    srr_cap_flow **b = flow_buckets_doubled(c->nflows, &c->nflow_buckets, sizeof *b);
    if (!b)
        return;
    srr_cap_flow **ob = c->flows;
    c->flows = b;
    for (size_t i = 0; i < old; i++)
        for (srr_cap_flow *f = ob[i], *nx; f; f = nx) {
            nx = f->hnext;
            size_t k = flow_bucket(c, f->proto, &f->cli, &f->srv);
            f->hnext = b[k];
            b[k] = f;
        }
    free(ob);
}

static void flow_servers_grow(srr_cap *c)
{
    srr_cap_server **b = flow_buckets_doubled(c->nservers, &c->nserver_buckets, sizeof *b);
    if (!b)
        return;
    free(c->servers);
    c->servers = b;
    for (srr_cap_server *s = c->server_head; s; s = s->next) {
        size_t k = flow_server_bucket(c, s->proto, &s->ep);
        s->hnext = b[k];
        b[k] = s;
    }
}

srr_cap_flow *srr__cap_flow_find(srr_cap *c, int proto, const srr_cap_ep *a, const srr_cap_ep *b)
{
    for (srr_cap_flow *f = c->flows[flow_bucket(c, proto, a, b)]; f; f = f->hnext)
        if (f->proto == proto && ((srr__cap_ep_eq(&f->cli, a) && srr__cap_ep_eq(&f->srv, b)) ||
                                  (srr__cap_ep_eq(&f->cli, b) && srr__cap_ep_eq(&f->srv, a))))
            return f;
    return NULL;
}

void srr__cap_flow_done(srr_cap *c, srr_cap_flow *f)
{
    if (f->state != SRR_CAP_DONE) {
        SRR_DLIST_UNLINK(c->live_head, c->live_tail, f, prev_live, next_live);
        f->prev_live = f->next_live = NULL;
        f->state = SRR_CAP_DONE;
    }
    srr__cap_tcp_free(f);
}

srr_cap_flow *srr__cap_flow_new(srr_cap *c, int proto, const srr_cap_ep *cli,
                                const srr_cap_ep *srv)
{
    srr_cap_flow *old = srr__cap_flow_find(c, proto, cli, srv);
    if (old) { /* done: a new connection between the same ports */
        srr_cap_flow **pp = &c->flows[flow_bucket(c, proto, cli, srv)];
        while (*pp != old)
            pp = &(*pp)->hnext;
        *pp = old->hnext;
        srr__cap_flow_done(c, old);
        free(old);
        c->nflows--;
    }
    srr_cap_flow *f = calloc(1, sizeof *f);
    if (!f) {
        srr__cap_oom(c);
        return NULL;
    }
    f->proto = proto;
    f->cli = *cli;
    f->srv = *srv;
    f->state = SRR_CAP_SYN_SENT;
    flow_grow(c);
    size_t k = flow_bucket(c, proto, cli, srv);
    f->hnext = c->flows[k];
    c->flows[k] = f;
    c->nflows++;
    SRR_DLIST_APPEND(c->live_head, c->live_tail, f, prev_live, next_live);
    f->csock = srr__cap_socket(c, SRR_CAP_CLIENT, cli->family, proto);
    return f->csock < 0 ? NULL : f;
}

int srr__cap_server(srr_cap *c, srr_cap_flow *f)
{
    if (f->server)
        return 0;
    for (srr_cap_server *s = c->servers[flow_server_bucket(c, f->proto, &f->srv)]; s; s = s->hnext)
        if (s->proto == f->proto && srr__cap_ep_eq(&s->ep, &f->srv)) {
            f->server = s;
            return 0;
        }
    srr_cap_server *s = calloc(1, sizeof *s);
    if (!s)
        return srr__cap_oom(c);
    s->proto = f->proto;
    s->ep = f->srv;
    /* before s joins the list the rehash walks: rehashed there and pushed
     * again below, it would be its own successor in its chain */
    flow_servers_grow(c);
    if (c->server_tail)
        c->server_tail->next = s;
    else
        c->server_head = s;
    c->server_tail = s;
    size_t k = flow_server_bucket(c, s->proto, &s->ep);
    s->hnext = c->servers[k];
    c->servers[k] = s;
    c->nservers++;
    f->server = s;
    int tcp = f->proto == SRR_CAP_TCP;
    s->sock = srr__cap_socket(c, SRR_CAP_SERVER, s->ep.family, f->proto);
    return s->sock < 0 ? -1 : srr__cap_bind(c, s->sock, &s->ep, tcp);
}

/* ------------------------------------------------------------ UDP */

/* A datagram: the sender's sendmsg, the receiver's recvmsg.  pid 1 has one
 * socket per flow, pid 2 one per server address, shared by its clients. */
int srr__cap_udp(srr_cap *c, srr_cap_flow *f, const srr_cap_pkt *p)
{
    if (!f) {
        if (!(f = srr__cap_flow_new(c, SRR_CAP_UDP, &p->src, &p->dst)))
            return -1;
        f->state = SRR_CAP_ESTABLISHED;
        if (srr__cap_server(c, f) < 0)
            return -1;
        f->ssock = f->server->sock;
    }
    char cli[SRR_CAP_EPSTR], srv[SRR_CAP_EPSTR];
    srr__cap_ep_str(&f->cli, cli, sizeof cli);
    srr__cap_ep_str(&f->srv, srv, sizeof srv);
    const uint8_t *d = p->payload;
    if (srr__cap_ep_eq(&p->src, &f->cli)) {
        if (srr__cap_xfer(c, SRR_CAP_CLIENT, f->csock, 1, d, p->len, -1, srv, srv) < 0 ||
            srr__cap_xfer(c, SRR_CAP_SERVER, f->ssock, 0, d, p->len, -1, cli, NULL) < 0)
            return -1;
    } else if (srr__cap_xfer(c, SRR_CAP_SERVER, f->ssock, 1, d, p->len, -1, cli, NULL) < 0 ||
               srr__cap_xfer(c, SRR_CAP_CLIENT, f->csock, 0, d, p->len, -1, srv, NULL) < 0) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the end */

/* The end of the capture: every live flow ends (closes written), then the
 * server sockets close. */
int srr__cap_finish(srr_cap *c)
{
    while (c->live_head) {
        srr_cap_flow *f = c->live_head;
        if (f->proto == SRR_CAP_TCP) {
            if (srr__cap_tcp_end(c, f) < 0)
                return -1;
        } else {
            if (srr__cap_close(c, SRR_CAP_CLIENT, f->csock) < 0)
                return -1;
            srr__cap_flow_done(c, f);
        }
    }
    for (srr_cap_server *s = c->server_head; s; s = s->next)
        if (srr__cap_close(c, SRR_CAP_SERVER, s->sock) < 0)
            return -1;
    return 0;
}

int srr__cap_tables_init(srr_cap *c)
{
    c->nflow_buckets = 64;
    c->nserver_buckets = 16;
    c->flows = calloc(c->nflow_buckets, sizeof *c->flows);
    c->servers = calloc(c->nserver_buckets, sizeof *c->servers);
    return c->flows && c->servers ? 0 : srr__cap_oom(c);
}

void srr__cap_tables_free(srr_cap *c)
{
    for (size_t i = 0; c->flows && i < c->nflow_buckets; i++)
        for (srr_cap_flow *f = c->flows[i], *nx; f; f = nx) {
            nx = f->hnext;
            srr__cap_tcp_free(f);
            free(f);
        }
    for (srr_cap_server *s = c->server_head, *nx; s; s = nx) {
        nx = s->next;
        free(s);
    }
    free(c->flows);
    free(c->servers);
}
