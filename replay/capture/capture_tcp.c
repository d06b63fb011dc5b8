/*
 * capture_tcp.c — TCP connections of a capture as the calls of both ends:
 * who is the client, the handshake (connect and accept4, or ECONNREFUSED),
 * each direction's stream put back in order, FINs and RSTs, and the end.
 *
 * Offsets: each direction counts stream bytes from 0 (the byte after the
 * SYN, or the first sequence number seen when the capture starts mid-flow).
 * A segment's offset is found from its distance to the next byte due, in
 * 32 bits, so sequence numbers may wrap and streams may pass 4 GB.
 * Segments ahead of that byte wait in a sorted list until the gap before
 * them fills; bytes behind it were delivered and are dropped (the first
 * copy of a byte wins).
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "trace.h"

/* One receive never reports more than args.size. */
#define TCP_CHUNK 65536

/* Moves n bytes of direction d: the sender's sendmsg, the receiver's
 * recvmsg, with the same offsets. */
static int tcp_deliver(srr_cap *c, srr_cap_flow *f, int d, const uint8_t *data, size_t n)
{
    srr_cap_dir *dir = &f->dir[d];
    int spid = d == 0 ? SRR_CAP_CLIENT : SRR_CAP_SERVER;
    int rpid = d == 0 ? SRR_CAP_SERVER : SRR_CAP_CLIENT;
    int64_t ssock = d == 0 ? f->csock : f->ssock, rsock = d == 0 ? f->ssock : f->csock;
    while (n > 0) {
        size_t k = n < TCP_CHUNK ? n : TCP_CHUNK;
        if (srr__cap_xfer(c, spid, ssock, 1, data, k, (int64_t)dir->next, NULL, NULL) < 0 ||
            srr__cap_xfer(c, rpid, rsock, 0, data, k, (int64_t)dir->next, NULL, NULL) < 0)
            return -1;
        dir->next += k;
        data += k;
        n -= k;
    }
    return 0;
}

/* Delivers what the held list has in order from dir->next, then the FIN
 * when everything before it is there.  Only once established. */
static int tcp_drain(srr_cap *c, srr_cap_flow *f, int d)
{
    srr_cap_dir *dir = &f->dir[d];
    while (dir->held && dir->held->off <= dir->next) {
        srr_cap_seg *s = dir->held;
        dir->held = s->next;
        int rc = 0;
        if (s->off + s->len > dir->next) {
            size_t skip = (size_t)(dir->next - s->off);
            rc = tcp_deliver(c, f, d, s->data + skip, s->len - skip);
        }
        free(s);
        if (rc < 0)
            return -1;
    }
    if (dir->fin && !dir->done && dir->next >= dir->fin_off) {
        dir->done = 1;
        if (srr__cap_eof(c, d == 0 ? SRR_CAP_SERVER : SRR_CAP_CLIENT, d == 0 ? f->ssock : f->csock,
                         dir->next) < 0)
            return -1;
    }
    return 0;
}

/* Keeps a segment for later, sorted by offset; after the segments that
 * start at the same offset, so the first copy is delivered first. */
static int tcp_hold(srr_cap *c, srr_cap_dir *dir, uint64_t off, const uint8_t *data, size_t n,
                    long num)
{
    srr_cap_seg **pp = &dir->held;
    for (srr_cap_seg *s = dir->held; s; s = s->next)
        if (s->off <= off && s->off + s->len >= off + n)
            return 0; /* a copy of bytes already held */
    while (*pp && (*pp)->off <= off)
        pp = &(*pp)->next;
    srr_cap_seg *s = malloc(sizeof *s + n);
    if (!s)
        return srr__cap_fail(c, num, "tcp", "out of memory holding out-of-order segments");
    s->off = off;
    s->len = n;
    s->num = num;
    memcpy(s->data, data, n);
    s->next = *pp;
    *pp = s;
    return 0;
}

/* One segment's payload and FIN in direction d. */
static int tcp_segment(srr_cap *c, srr_cap_flow *f, int d, const srr_cap_pkt *p)
{
    srr_cap_dir *dir = &f->dir[d];
    uint32_t start = p->flags & SRR_CAP_SYN ? p->seq + 1 : p->seq;
    if (!dir->have_base) {
        dir->have_base = 1;
        dir->base = start;
    }
    if (dir->done)
        return 0;
    int64_t off = (int64_t)dir->next + (int32_t)(start - (dir->base + (uint32_t)dir->next));
    const uint8_t *data = p->payload;
    size_t cap = p->caplen;
    uint64_t wire_end = (uint64_t)(off + (int64_t)p->len);
    if (off + (int64_t)p->len < 0)
        return 0; /* wholly before stream byte 0: older than the capture */
    if (p->len > 0 && wire_end > dir->end) {
        dir->end = wire_end;
        dir->end_num = p->num;
    }
    if (p->flags & SRR_CAP_FIN && !dir->fin) {
        dir->fin = 1;
        dir->fin_off = wire_end;
        if (wire_end > dir->end) {
            dir->end = wire_end;
            dir->end_num = p->num;
        }
    }
    if ((int64_t)dir->next > off) { /* bytes delivered already */
        uint64_t skip = dir->next - (uint64_t)off;
        skip = skip < cap ? skip : cap;
        data += skip;
        cap -= (size_t)skip;
        off += (int64_t)skip;
    }
    if (cap > 0) {
        if (f->state == SRR_CAP_ESTABLISHED && (uint64_t)off == dir->next) {
            if (tcp_deliver(c, f, d, data, cap) < 0)
                return -1;
        } else if (tcp_hold(c, dir, (uint64_t)off, data, cap, p->num) < 0) {
            return -1;
        }
    }
    return f->state == SRR_CAP_ESTABLISHED ? tcp_drain(c, f, d) : 0;
}

/* A gap that can no longer fill: bytes next..end-1 of a direction, or up
 * to the first held segment. */
static int tcp_gap(srr_cap *c, const srr_cap_flow *f, int d)
{
    const srr_cap_dir *dir = &f->dir[d];
    if (dir->done || (!dir->held && dir->end <= dir->next))
        return 0;
    uint64_t last = dir->held ? dir->held->off - 1 : dir->end - 1;
    long num = dir->held ? dir->held->num : dir->end_num;
    char a[SRR_CAP_EPSTR], b[SRR_CAP_EPSTR];
    srr__cap_ep_str(d == 0 ? &f->cli : &f->srv, a, sizeof a);
    srr__cap_ep_str(d == 0 ? &f->srv : &f->cli, b, sizeof b);
    return srr__cap_fail(c, num, "tcp",
                         "flow %s -> %s: bytes %llu-%llu of the stream were never captured "
                         "(dropped packets or a short snaplen?)",
                         a, b, (unsigned long long)dir->next, (unsigned long long)last);
}

/* Both sides close; the flow is done. */
static int tcp_close(srr_cap *c, srr_cap_flow *f)
{
    int rc = srr__cap_close(c, SRR_CAP_CLIENT, f->csock);
    if (rc == 0 && f->state == SRR_CAP_ESTABLISHED)
        rc = srr__cap_close(c, SRR_CAP_SERVER, f->ssock);
    srr__cap_flow_done(c, f);
    return rc;
}

/* connect and accept4 succeed; what waited for them is delivered. */
static int tcp_establish(srr_cap *c, srr_cap_flow *f)
{
    if (srr__cap_server(c, f) < 0 || srr__cap_connect(c, f, 0) < 0 ||
        srr__cap_accept(c, f) < 0)
        return -1;
    f->state = SRR_CAP_ESTABLISHED;
    return tcp_drain(c, f, 0) < 0 || tcp_drain(c, f, 1) < 0 ? -1 : 0;
}

/* A RST from side d's sender: the other side's next receive fails, unless
 * it had read the end of the stream already. */
static int tcp_reset(srr_cap *c, srr_cap_flow *f, int d)
{
    if (tcp_gap(c, f, 0) < 0 || tcp_gap(c, f, 1) < 0)
        return -1;
    if (!f->dir[d].done &&
        srr__cap_reset(c, d == 0 ? SRR_CAP_SERVER : SRR_CAP_CLIENT, d == 0 ? f->ssock : f->csock) < 0)
        return -1;
    return tcp_close(c, f);
}

/* The first packet of a connection.  A SYN names the client; without one
 * the higher port is the client's (an ephemeral port), and on a tie the
 * side that spoke first. */
static int tcp_start(srr_cap *c, const srr_cap_pkt *p)
{
    uint8_t fl = p->flags;
    if (fl & SRR_CAP_RST)
        return 0; /* a reset of something the capture did not see */
    int from_client;
    if (fl & SRR_CAP_SYN)
        from_client = !(fl & SRR_CAP_ACK);
    else
        from_client = p->src.port >= p->dst.port;
    const srr_cap_ep *cli = from_client ? &p->src : &p->dst, *srv = from_client ? &p->dst : &p->src;
    srr_cap_flow *f = srr__cap_flow_new(c, SRR_CAP_TCP, cli, srv);
    if (!f)
        return -1;
    int d = from_client ? 0 : 1;
    if ((fl & (SRR_CAP_SYN | SRR_CAP_ACK)) == SRR_CAP_SYN)
        return tcp_segment(c, f, 0, p); /* sets the base; TFO data waits */
    if (fl & SRR_CAP_SYN) { /* a SYN-ACK: its ACK names the client's first byte */
        f->dir[0].have_base = 1;
        f->dir[0].base = p->ack;
    }
    if (tcp_establish(c, f) < 0)
        return -1;
    return tcp_segment(c, f, d, p);
}

int srr__cap_tcp(srr_cap *c, srr_cap_flow *f, const srr_cap_pkt *p)
{
    uint8_t fl = p->flags;
    int syn_only = (fl & (SRR_CAP_SYN | SRR_CAP_ACK | SRR_CAP_RST)) == SRR_CAP_SYN;
    if (!f || (f->state == SRR_CAP_DONE && syn_only))
        return tcp_start(c, p);
    if (f->state == SRR_CAP_DONE)
        return 0; /* the last ACK, a repeated FIN... */
    int d = srr__cap_ep_eq(&p->src, &f->cli) ? 0 : 1;
    if (syn_only && !(d == 0 && f->dir[0].have_base && p->seq + 1 == f->dir[0].base)) {
        /* not the flow's SYN again: the ports were used for a new connection */
        if (srr__cap_tcp_end(c, f) < 0)
            return -1;
        return tcp_start(c, p);
    }
    if (f->state == SRR_CAP_SYN_SENT) {
        if (fl & SRR_CAP_RST) {
            if (d == 1 && srr__cap_connect(c, f, 111 /* ECONNREFUSED */) < 0)
                return -1;
            return tcp_close(c, f); /* a refusal, or the client gave up */
        }
        if (fl & SRR_CAP_SYN && d == 0)
            return tcp_segment(c, f, 0, p); /* the SYN again */
        /* a SYN-ACK, or data or an ACK after a SYN-ACK the capture missed */
        if (d == 1 && !f->dir[1].have_base) {
            f->dir[1].have_base = 1;
            f->dir[1].base = fl & SRR_CAP_SYN ? p->seq + 1 : p->seq;
        }
        if (tcp_establish(c, f) < 0)
            return -1;
    }
    if (fl & SRR_CAP_RST)
        return tcp_reset(c, f, d);
    if (tcp_segment(c, f, d, p) < 0)
        return -1;
    if (f->dir[0].done && f->dir[1].done)
        return tcp_close(c, f);
    return 0;
}

int srr__cap_tcp_end(srr_cap *c, srr_cap_flow *f)
{
    if (f->state == SRR_CAP_SYN_SENT) { /* the SYN had no answer */
        if (srr__cap_connect(c, f, 110 /* ETIMEDOUT */) < 0)
            return -1;
        return tcp_close(c, f);
    }
    if (tcp_gap(c, f, 0) < 0 || tcp_gap(c, f, 1) < 0)
        return -1;
    return tcp_close(c, f);
}

void srr__cap_tcp_free(srr_cap_flow *f)
{
    for (int d = 0; d < 2; d++)
        while (f->dir[d].held) {
            srr_cap_seg *s = f->dir[d].held;
            f->dir[d].held = s->next;
            free(s);
        }
}
