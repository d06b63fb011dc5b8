/*
 * sim_fault.c — which fault rule applies to a connection or a call
 * (docs/sim-config.md, "faults").  The first matching rule acts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "sim.h"

static int fault_ip_is(const sim_ip *ip, const struct sockaddr *sa)
{
    if (ip->family != sa->sa_family)
        return 0;
    if (sa->sa_family == AF_INET)
        return ip->a.v4.s_addr == ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
    return memcmp(&ip->a.v6, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16) == 0;
}

/* The address/host/port/time part of a rule against the peer address. */
static int fault_matches_peer(sim_world *s, const sim_match *m, const struct sockaddr *peer)
{
    if (!peer || (peer->sa_family != AF_INET && peer->sa_family != AF_INET6))
        return m->host == NULL && m->addr.family == 0 && m->port < 0;
    if (m->port >= 0 && srr__sim_port(peer) != m->port)
        return 0;
    if (m->addr.family && !fault_ip_is(&m->addr, peer))
        return 0;
    if (m->host) {
        const sim_host *h = srr__sim_host_of(s, peer);
        if (!h || strcmp(h->name, m->host) != 0)
            return 0;
    }
    if (s->vt.now < m->from_ns || (m->until_ns >= 0 && s->vt.now >= m->until_ns))
        return 0;
    return 1;
}

static int fault_is_connect_action(sim_action a)
{
    return a == SIM_FAULT_REFUSE || a == SIM_FAULT_BLACKHOLE || a == SIM_FAULT_UNREACHABLE;
}

const sim_fault *srr__sim_fault_connect(sim_world *s, const struct sockaddr *sa)
{
    for (size_t i = 0; i < s->cfg->nfaults; i++) {
        const sim_fault *f = &s->cfg->faults[i];
        if (!fault_is_connect_action(f->action) || !fault_matches_peer(s, &f->match, sa))
            continue;
        long n = s->conn_counts[i]++;
        if (f->match.conn_index >= 0 && n != f->match.conn_index)
            continue;
        if (f->match.call_count >= 0 && n != f->match.call_count)
            continue;
        return f;
    }
    return NULL;
}

const sim_fault *srr__sim_fault_bytes(sim_world *s, const sim_sock *k, int direction,
                                      sim_action action)
{
    const struct sockaddr *peer = k->peer_len ? (const struct sockaddr *)&k->peer : NULL;
    for (size_t i = 0; i < s->cfg->nfaults; i++) {
        const sim_fault *f = &s->cfg->faults[i];
        if (f->action != action)
            continue;
        if (f->match.direction && f->match.direction != direction)
            continue;
        if (!fault_matches_peer(s, &f->match, peer))
            continue;
        int64_t moved = direction == 1 ? k->tx_bytes : k->rx_bytes;
        if (f->match.after_bytes >= 0 && moved < f->match.after_bytes)
            continue;
        return f;
    }
    return NULL;
}

int srr__sim_fault_call(sim_world *s, const sim_sock *k, int direction)
{
    const struct sockaddr *peer = k->peer_len ? (const struct sockaddr *)&k->peer : NULL;
    for (size_t i = 0; i < s->cfg->nfaults; i++) {
        const sim_fault *f = &s->cfg->faults[i];
        if (f->action != SIM_FAULT_EINTR && f->action != SIM_FAULT_EAGAIN)
            continue;
        if (f->match.direction && f->match.direction != direction)
            continue;
        if (!fault_matches_peer(s, &f->match, peer))
            continue;
        /* `call` picks the n-th matching call; without it, the first fails */
        long n = s->call_counts[i]++;
        if (n != (f->match.call_count >= 0 ? f->match.call_count : 0))
            continue;
        return f->action == SIM_FAULT_EINTR ? -EINTR : -EAGAIN;
    }
    return 0;
}

const sim_fault *srr__sim_fault_addr(sim_world *s, const struct sockaddr *addr, int direction,
                                     sim_action action)
{
    for (size_t i = 0; i < s->cfg->nfaults; i++) {
        const sim_fault *f = &s->cfg->faults[i];
        if (f->action != action ||
            (direction && f->match.direction && f->match.direction != direction))
            continue;
        if (fault_matches_peer(s, &f->match, addr))
            return f;
    }
    return NULL;
}
