/*
 * sim_dgram.c — datagram sockets (UDP and AF_UNIX datagram): boundaries
 * kept, truncation reported, a connected UDP socket told ECONNREFUSED when
 * nothing listens where it sends (Linux's ICMP port unreachable).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sim.h"
#include "sock_rules.h"
#include "world_assert.h"

#define SIM_UDP_MAX 65507  /* the largest UDP payload over IPv4 */
#define SIM_UDP6_MAX 65527 /* over IPv6: its header is not counted in the length */

/* A datagram socketpair's end closes: its other end has no peer left. */
void srr__sim_dgram_unpair(sim_sock *k)
{
    if (k->other) {
        k->other->other = NULL;
        k->other = NULL;
    }
}

static size_t dgram_total(const struct msghdr *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        n += m->msg_iov[i].iov_len;
    return n;
}

/* What a datagram carries besides its bytes and sender. */
typedef struct dgram_meta {
    const struct sockaddr_storage *dest; /* NULL: the receiver's own address */
    int tos;
    sim_sock *sender;                    /* AF_UNIX: whose send buffer it fills */
} dgram_meta;

#define UNIX_MAX_DGRAM_QLEN 10 /* net.unix.max_dgram_qlen */

/* What an AF_UNIX datagram of len bytes counts against its sender's
 * SO_SNDBUF, as Linux's skb truesize (unix_dgram_sendmsg): 256 for the
 * sk_buff, the linear part with its 320-byte shared info rounded up to a
 * power of two, and beyond SKB_MAX_ALLOC (16064) whole pages. */
static size_t unix_truesize(size_t len)
{
    size_t pages = 0;
    if (len > 16064) {
        pages = len - 16064 < 17 * 4096 ? len - 16064 : 17 * 4096;
        pages = (pages + 4095) & ~(size_t)4095;
    }
    size_t head = len - (pages < len ? pages : len) + 320, pow2 = 512;
    while (pow2 < head)
        pow2 *= 2;
    return 256 + pow2 + pages;
}

static sim_sock *dgram_by_serial(sim_world *s, uint64_t serial)
{
    for (size_t i = 0; i < s->nall; i++)
        if (s->all[i]->serial == serial)
            return s->all[i];
    return NULL;
}

/* A datagram leaves its queue: its sender's buffer has that room again. */
static void dgram_release(sim_world *s, const sim_sock *to, sim_dgram *d)
{
    sim_sock *from = !d->sender                                  ? NULL
                     : to->other && to->other->serial == d->sender ? to->other
                                                                   : dgram_by_serial(s, d->sender);
    if (from) {
        from->unix_wmem -= (int64_t)d->truesize;
        srr__vt_changed(&s->vt); /* a blocked sender may go on */
    }
}

void srr__sim_dgram_drop_all(sim_world *s, sim_sock *k)
{
    for (sim_qnode *n; (n = srr__sim_q_pop(&k->dq));) {
        dgram_release(s, k, (sim_dgram *)(void *)n);
        free(n);
    }
}

/* AF_UNIX: d's queue is full for k: it holds more than max_dgram_qlen and
 * d is not k's peer in turn (a socketpair's ends never are). */
static int unix_queue_full(const sim_sock *k, const sim_sock *d)
{
    int mutual = d->other == k ||
                 (d->peer_len && d->peer_len == k->local_len &&
                  memcmp(&d->peer, &k->local, k->local_len) == 0);
    return !mutual && d->dq.count > UNIX_MAX_DGRAM_QLEN;
}

/* AF_UNIX: k (the sender) may not queue to d: its send buffer is full, or
 * d's queue is (unix_dgram_sendmsg). */
static int unix_full(const sim_sock *k, const sim_sock *d)
{
    return k->unix_wmem >= k->opt.sndbuf || unix_queue_full(k, d);
}

/* The socket k's datagrams go to when it sends to its peer: an AF_UNIX
 * socket's, the one it connected to while that lives (whatever became of
 * its name); else the one bound at the peer's address. */
static sim_sock *dgram_peer(sim_world *s, const sim_sock *k)
{
    if (k->family == AF_UNIX && k->peer_serial) {
        for (size_t i = 0; i < s->nall; i++)
            if (s->all[i]->serial == k->peer_serial)
                return s->all[i];
        return NULL;
    }
    return srr__sim_find_bound(s, k->family, SOCK_DGRAM, (const struct sockaddr *)&k->peer);
}

int srr__sim_dgram_writable(sim_world *s, const sim_sock *k)
{
    if (k->family != AF_UNIX)
        return 1;
    if (k->unix_wmem * 4 > k->opt.sndbuf) /* unix_writable: a quarter of it at most */
        return 0;
    const sim_sock *d = k->other;
    if (!d && k->peer_len)
        d = dgram_peer(s, k);
    return !d || !unix_queue_full(k, d);
}

static int dgram_queue(sim_world *s, sim_sock *to, const struct sockaddr_storage *from,
                       socklen_t fromlen, const struct msghdr *m, size_t len,
                       const dgram_meta *meta)
{
    sim_dgram *d = malloc(sizeof *d + (len ? len : 1));
    if (!d)
        return -ENOMEM;
    d->q.len = len;
    memcpy(&d->from, from, fromlen);
    d->fromlen = fromlen;
    memcpy(&d->to, meta->dest ? meta->dest : &to->local, sizeof d->to);
    d->stamp = srr__sim_clock(s, CLOCK_REALTIME);
    d->tos = meta->tos;
    d->sender = 0;
    d->truesize = 0;
    if (to->family == AF_UNIX && meta->sender) {
        d->sender = meta->sender->serial;
        d->truesize = unix_truesize(len);
        meta->sender->unix_wmem += (int64_t)d->truesize;
    }
    size_t off = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++) {
        memcpy(d->data + off, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
        off += m->msg_iov[i].iov_len;
    }
    srr__sim_q_push(&to->dq, &d->q);
    return 0;
}

int srr__sim_dgram_put(sim_world *s, sim_sock *to, const struct sockaddr_storage *from,
                       socklen_t fromlen, const void *p, size_t n)
{
    if (to->type != SOCK_DGRAM || to->dq.bytes + n > (size_t)to->opt.rcvbuf)
        return 0; /* UDP drops what does not fit */
    struct iovec v = {(void *)p, n};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
    dgram_meta meta = {NULL, 0, NULL};
    int r = dgram_queue(s, to, from, fromlen, &m, n, &meta);
    if (r == 0)
        srr__vt_changed(&s->vt);
    return r;
}

/* A draw from the seeded generator: true with probability p. */
static int dgram_draw(sim_world *s, double p)
{
    return (double)(srr__sim_random(s) >> 11) / 9007199254740992.0 < p;
}

/* The newest datagram overtakes the one before it. */
static void dgram_swap_last_two(sim_sock *k)
{
    sim_qnode *prev = NULL, *a = k->dq.head;
    while (a && a->next && a->next != k->dq.tail) {
        prev = a;
        a = a->next;
    }
    if (!a || a->next != k->dq.tail)
        return;
    sim_qnode *b = k->dq.tail;
    a->next = NULL;
    b->next = a;
    if (prev)
        prev->next = b;
    else
        k->dq.head = b;
    k->dq.tail = a;
}

ssize_t srr__sim_dgram_send(sim_world *s, sim_sock *k, int handle, const struct msghdr *m,
                            int flags)
{
    srr__assert_msg(m, flags, 0);
    struct sockaddr_storage to;
    size_t len = dgram_total(m);
    int dest = srr__rule_dgram_send(k->family, len, flags, m->msg_name, m->msg_namelen);
    if (dest < 0)
        return dest;
    int paired = k->other && dest; /* socketpair */
    if (paired) {
        memcpy(&to, &k->peer, k->peer_len);
    } else if (!dest) {
        memset(&to, 0, sizeof to);
        memcpy(&to, m->msg_name, m->msg_namelen);
    } else if (k->peer_len) {
        memcpy(&to, &k->peer, k->peer_len);
    } else {
        return k->family == AF_UNIX ? -ENOTCONN : -EDESTADDRREQ;
    }
    if (k->so_error) { /* a refusal reported by an earlier datagram */
        int e = k->so_error;
        k->so_error = 0;
        return -e;
    }
    if (k->family != AF_UNIX && len > (k->family == AF_INET6 ? SIM_UDP6_MAX : SIM_UDP_MAX))
        return -EMSGSIZE;
    if (k->wr_shut)
        return -EPIPE; /* shut for writing (ip_make_skb, unix_dgram_sendmsg) */
    if (k->family == AF_INET6 && k->opt.v6only &&
        IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)&to)->sin6_addr))
        return -ENETUNREACH; /* an IPv6-only socket reaches no IPv4 address */
    /* UDP binds the wildcard: the source address is chosen per datagram */
    int r = srr__sim_autobind_any(s, k, (struct sockaddr *)&to);
    if (r < 0)
        return r;
    if (k->family == AF_UNIX && !k->local_len) {
        k->local.ss_family = AF_UNIX;
        k->local_len = sizeof(sa_family_t);
    }
    struct sockaddr_storage src;
    socklen_t srclen;
    srr__sim_source_addr(s, k, (struct sockaddr *)&to, &src, &srclen);
    int to_peer = dest && k->family == AF_UNIX && k->peer_serial; /* the socket connected to */
    sim_sock *d = paired    ? k->other
                  : to_peer ? dgram_peer(s, k)
                            : srr__sim_reuseport_pick(
                                  s, srr__sim_find_bound(s, k->family, SOCK_DGRAM, (struct sockaddr *)&to),
                                  (struct sockaddr *)&src);
    if (d && !paired && k->family != AF_UNIX && !srr__sim_is_local(s, (struct sockaddr *)&to))
        d = NULL;
    if (d) /* a dual-stack receiver sees an IPv4 sender as IPv4-mapped, and back */
        srr__sim_addr_to_family(d->family, &src, &srclen);
    /* a connected receiver takes datagrams from its peer only */
    if (d && !paired && d->peer_len &&
        !(d->peer_len == srclen && memcmp(&d->peer, &src, srclen) == 0))
        d = NULL;
    if (!d && !paired && k->family != AF_UNIX && srr__sim_dns_server_at(s, (struct sockaddr *)&to)) {
        r = srr__sim_dns_server_udp(s, k, m, len); /* the sim's DNS server takes it */
        if (r < 0)
            return r;
        k->tx_bytes += (int64_t)len;
        return (ssize_t)len;
    }
    if (!d && s->peer && s->peer->datagram && s->peer->datagram(s, k, &to))
        return (ssize_t)len; /* the world's peer took it, and answers from there */
    if (!d) {
        if (k->family == AF_UNIX && k->peer_len && dest) {
            /* the peer is gone: said once, then no peer (unix_dgram_sendmsg) */
            k->peer_len = 0;
            k->peer_serial = 0;
            return -ECONNREFUSED;
        }
        if (k->family == AF_UNIX)
            return srr__sim_unix_missing(s, SOCK_DGRAM, (struct sockaddr *)&to);
        if (k->peer_len && srr__sim_is_local(s, (struct sockaddr *)&to))
            k->so_error = ECONNREFUSED; /* the port unreachable comes back */
        return (ssize_t)len;            /* the datagram left; nobody got it */
    }
    const sim_fault *loss = srr__sim_fault_addr(s, (struct sockaddr *)&to, 1, SIM_FAULT_LOSS);
    if (loss && dgram_draw(s, loss->probability))
        return (ssize_t)len;
    while (k->family == AF_UNIX ? unix_full(k, d) : d->dq.bytes + len > (size_t)d->opt.rcvbuf) {
        if (k->family != AF_UNIX)
            return (ssize_t)len; /* UDP drops what does not fit */
        if ((k->status_flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
            return -EAGAIN;
        r = srr__sim_block(s, "send", handle, srr__sim_timeo_deadline(s, k->opt.sndtimeo_ns));
        if (r < 0)
            return r;
        d = paired    ? k->other
            : to_peer ? dgram_peer(s, k)
                      : srr__sim_find_bound(s, k->family, SOCK_DGRAM, (struct sockaddr *)&to);
        if (!d)
            return -ECONNREFUSED;
        srr__sim_addr_to_family(d->family, &src, &srclen);
    }
    const sim_fault *dup = srr__sim_fault_addr(s, (struct sockaddr *)&to, 1, SIM_FAULT_DUPLICATE);
    const sim_fault *reo = srr__sim_fault_addr(s, (struct sockaddr *)&to, 1, SIM_FAULT_REORDER);
    sim_qnode *before_tail = d->dq.tail;
    dgram_meta meta = {&to, k->family == AF_INET6 ? k->opt.tclass : k->opt.tos, k};
    if (k->family == AF_UNIX && srclen <= sizeof(sa_family_t))
        srclen = 0; /* an unnamed sender's datagram comes with no address (unix_copy_addr) */
    r = dgram_queue(s, d, &src, srclen, m, len, &meta);
    if (r < 0)
        return r;
    if (reo && before_tail && dgram_draw(s, reo->probability))
        dgram_swap_last_two(d);
    if (dup && dgram_draw(s, dup->probability))
        dgram_queue(s, d, &src, srclen, m, len, &meta);
    k->tx_bytes += (int64_t)len;
    srr__vt_changed(&s->vt);
    return (ssize_t)len;
}

/* One control message, as Linux's put_cmsg writes it: whole when it fits,
 * else MSG_CTRUNC and as much of it as there is room for. */
static void dgram_cmsg(struct msghdr *m, size_t cap, size_t *used, int level, int type,
                       const void *data, size_t len)
{
    size_t room = cap - *used;
    if (!m->msg_control || room < sizeof(struct cmsghdr)) {
        m->msg_flags |= MSG_CTRUNC;
        return;
    }
    size_t whole = CMSG_LEN(len), n = whole;
    if (room < whole) {
        m->msg_flags |= MSG_CTRUNC;
        n = room;
    }
    struct cmsghdr h = {.cmsg_len = n, .cmsg_level = level, .cmsg_type = type};
    unsigned char *at = (unsigned char *)m->msg_control + *used;
    memcpy(at, &h, sizeof h);
    memcpy(at + CMSG_LEN(0), data, n - CMSG_LEN(0));
    *used += CMSG_SPACE(len) < room ? CMSG_SPACE(len) : room;
}

/* The control messages the socket's options ask for, in Linux's order: the
 * stamp (sock_recv_timestamp), then IP's (ip_cmsg_recv) or IPv6's. */
static void dgram_cmsgs(const sim_sock *k, const sim_dgram *d, struct msghdr *m)
{
    size_t cap = m->msg_controllen, used = 0;
    const srr_sockopts *o = &k->opt;
    if (o->timestamps == 1) {
        struct timeval tv = {d->stamp / 1000000000, d->stamp % 1000000000 / 1000};
        dgram_cmsg(m, cap, &used, SOL_SOCKET, SCM_TIMESTAMP, &tv, sizeof tv);
    } else if (o->timestamps == 2) {
        struct timespec ts = {d->stamp / 1000000000, d->stamp % 1000000000};
        dgram_cmsg(m, cap, &used, SOL_SOCKET, SCM_TIMESTAMPNS, &ts, sizeof ts);
    }
    struct sockaddr_storage to = d->to;
    socklen_t tolen = sizeof to;
    srr__sim_addr_to_family(k->family, &to, &tolen);
    if (k->family == AF_INET && to.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&to;
        if (o->pktinfo) {
            /* lo for a loopback address, the self host's one interface else */
            struct in_pktinfo pi = {.ipi_ifindex = (ntohl(in->sin_addr.s_addr) >> 24) == 127 ? 1 : 2,
                                    .ipi_spec_dst = in->sin_addr, .ipi_addr = in->sin_addr};
            dgram_cmsg(m, cap, &used, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
        }
        if (o->recvtos) {
            unsigned char tos = (unsigned char)d->tos;
            dgram_cmsg(m, cap, &used, IPPROTO_IP, IP_TOS, &tos, 1);
        }
    } else if (k->family == AF_INET6 && to.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&to;
        if (o->recvpktinfo6) {
            struct in6_pktinfo pi = {.ipi6_addr = in6->sin6_addr,
                                     .ipi6_ifindex = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ? 1 : 2};
            dgram_cmsg(m, cap, &used, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi);
        }
        if (o->recvtclass) {
            int tclass = d->tos;
            dgram_cmsg(m, cap, &used, IPPROTO_IPV6, IPV6_TCLASS, &tclass, sizeof tclass);
        }
    }
    m->msg_controllen = used;
}

ssize_t srr__sim_dgram_recv(sim_world *s, sim_sock *k, int handle, struct msghdr *m, int flags)
{
    srr__assert_msg(m, flags, 1);
    int64_t until = srr__sim_timeo_deadline(s, k->opt.rcvtimeo_ns);
    m->msg_flags = 0;
    while (!k->dq.head) {
        if (k->so_error) {
            int e = k->so_error;
            k->so_error = 0;
            return -e;
        }
        if ((k->status_flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
            return -EAGAIN;
        int r = srr__sim_block(s, "recv", handle, until);
        if (r < 0)
            return r;
    }
    sim_dgram *d = SIM_Q_HEAD(&k->dq, sim_dgram);
    size_t dlen = d->q.len, off = 0;
    /* a NULL buffer (let through with MSG_TRUNC): Linux faults on the copy
     * and the datagram is gone (udp_recvmsg, unix_dgram_recvmsg) */
    int fault = 0;
    for (size_t i = 0; i < m->msg_iovlen && off < dlen; i++) {
        size_t n = dlen - off < m->msg_iov[i].iov_len ? dlen - off : m->msg_iov[i].iov_len;
        fault |= n > 0 && !m->msg_iov[i].iov_base;
        off += n;
    }
    off = 0;
    for (size_t i = 0; i < m->msg_iovlen && off < dlen && !fault; i++) {
        size_t n = dlen - off < m->msg_iov[i].iov_len ? dlen - off : m->msg_iov[i].iov_len;
        memcpy(m->msg_iov[i].iov_base, d->data + off, n);
        off += n;
    }
    if (off < dlen)
        m->msg_flags |= MSG_TRUNC;
    if (m->msg_name) {
        socklen_t n = d->fromlen < m->msg_namelen ? d->fromlen : m->msg_namelen;
        memcpy(m->msg_name, &d->from, n);
        m->msg_namelen = d->fromlen;
    }
    size_t len = dlen;
    dgram_cmsgs(k, d, m);
    if (fault) {
        m->msg_flags = 0;
        m->msg_controllen = 0;
        if (m->msg_name)
            m->msg_namelen = 0;
    }
    if (!(flags & MSG_PEEK)) {
        dgram_release(s, k, d);
        free(srr__sim_q_pop(&k->dq));
        k->rx_bytes += (int64_t)dlen;
        srr__vt_changed(&s->vt);
    }
    if (fault)
        return -EFAULT;
    return (ssize_t)((flags & MSG_TRUNC) ? len : off);
}
