/*
 * pcap.c — the pcap file of the pcap view and the packets in it: IPv4, IPv6,
 * TCP and UDP headers with real checksums, payload cut into segments, and
 * the TCP opening and closing sequences.  Which event makes which packets is
 * pcap_flows.c's business; docs/pcap.md describes both for users.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include "out_file.h"
#include "pcap_synth.h"

/* libpcap's largest snapshot length: no packet we write comes near it. */
#define PCAP_SNAPLEN 262144
/* IP header + TCP header with options + one segment, or + UDP + datagram. */
#define PCAP_PKT_MAX (40 + 8 + 65535)
#define PCAP_UDP_MAX4 (65535 - 20 - 8)
#define PCAP_UDP_MAX6 (65535 - 8)
/* Loopback's MSS on Linux and a window scale that covers a 64 KB segment,
 * so Wireshark's window analysis does not call every large segment full. */
#define PCAP_MSS 65495
#define PCAP_WSCALE 7
#define PCAP_TTL 64
#define PCAP_PROTO_TCP 6
#define PCAP_PROTO_UDP 17

/* ------------------------------------------------------------ errors */

void srr__pcap_fail(srr_parse_error *err, const char *source, const char *field,
                    srr_parse_code code, const char *fmt, ...)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    snprintf(err->source, sizeof err->source, "%s", source ? source : "");
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
}

int srr__pcap_werr(srr_pcap_synth *p, srr_parse_error *err)
{
    if (!p->werr && ferror(pcap_dump_file(p->dumper)))
        p->werr = errno ? errno : EIO;
    if (!p->werr)
        return 0;
    srr__pcap_fail(err, p->path, "", SRR_PARSE_EIO, "cannot write: %s", strerror(p->werr));
    return -1;
}

/* ------------------------------------------------------------ the file */

static int64_t pcap_json_int(const srr_json *o, const char *key)
{
    const srr_json *v = srr__json_get(o, key);
    return srr__json_is(v, SRR_JSON_INT) ? (int64_t)srr__json_int(v) : 0;
}

srr_pcap_synth *srr__pcap_open(const char *path, const srr_json *header, srr_parse_error *err)
{
    srr_pcap_synth *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path)) || !(p->pkt = malloc(PCAP_PKT_MAX))) {
        srr__pcap_fail(err, path, "", SRR_PARSE_EIO, "out of memory");
        goto fail;
    }
    p->rt0 = pcap_json_int(header, "start_realtime_ns");
    p->mono0 = pcap_json_int(header, "start_monotonic_ns");

    /* The pcap holds payloads: 0600 like the trace it comes from, even over
     * an older file.  "-" is standard output, for piping into tshark -r -. */
    int fd = strcmp(path, "-") == 0 ? dup(STDOUT_FILENO) : srr__out_open(path);
    if (fd == -1)
        fd = -errno; /* dup's */
    if (fd < 0) {
        srr__pcap_fail(err, path, "", SRR_PARSE_EIO, "cannot create: %s", strerror(-fd));
        goto fail;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        srr__pcap_fail(err, path, "", SRR_PARSE_EIO, "cannot create: %s", strerror(errno));
        close(fd);
        goto fail;
    }
    /* DLT_RAW is written to the file as LINKTYPE_RAW (101) by libpcap. */
    p->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, PCAP_SNAPLEN,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!p->dead) {
        srr__pcap_fail(err, path, "", SRR_PARSE_EIO, "libpcap: cannot open a dead handle");
        fclose(f);
        goto fail;
    }
    p->dumper = pcap_dump_fopen(p->dead, f);
    if (!p->dumper) {
        srr__pcap_fail(err, path, "", SRR_PARSE_EIO, "libpcap: %s", pcap_geterr(p->dead));
        fclose(f);
        goto fail;
    }
    if (srr__pcap_werr(p, err) < 0)
        goto fail;
    return p;
fail:
    if (p) {
        if (p->dumper)
            pcap_dump_close(p->dumper);
        if (p->dead)
            pcap_close(p->dead);
        free(p->pkt);
        free(p->path);
        free(p);
    }
    return NULL;
}

int srr__pcap_close(srr_pcap_synth *p, srr_parse_error *err)
{
    if (!p)
        return 0;
    /* Everything is flushed and checked here: pcap_dump_close cannot
     * report an error. */
    errno = 0;
    if (pcap_dump_flush(p->dumper) < 0 && !p->werr)
        p->werr = errno ? errno : EIO;
    int rc = srr__pcap_werr(p, err);
    pcap_dump_close(p->dumper);
    pcap_close(p->dead);
    srr__pcap_flows_free(p);
    free(p->pkt);
    free(p->path);
    free(p);
    return rc;
}

/* ------------------------------------------------------------ endpoints */

int srr__pcap_ep_parse(const char *s, struct srr__pcap_ep *ep)
{
    memset(ep, 0, sizeof *ep);
    struct sockaddr_storage ss;
    socklen_t len;
    if (srr__sockaddr_parse(s, &ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        memcpy(ep->ip, &a->sin6_addr, 16);
        ep->v6 = 1;
        ep->port = ntohs(a->sin6_port);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        memcpy(ep->ip, &a->sin_addr, 4);
        ep->port = ntohs(a->sin_port);
    }
    return 0;
}

static const uint8_t pcap_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* IPv4-mapped IPv6 compares as the IPv4 address it maps. */
static void pcap_ep_norm(const struct srr__pcap_ep *in, struct srr__pcap_ep *out)
{
    *out = *in;
    if (in->v6 && memcmp(in->ip, pcap_mapped_prefix, 12) == 0) {
        memset(out->ip, 0, sizeof out->ip);
        memcpy(out->ip, in->ip + 12, 4);
        out->v6 = 0;
    }
}

int srr__pcap_ep_eq(const struct srr__pcap_ep *a, const struct srr__pcap_ep *b)
{
    struct srr__pcap_ep x, y;
    pcap_ep_norm(a, &x);
    pcap_ep_norm(b, &y);
    return x.v6 == y.v6 && x.port == y.port && memcmp(x.ip, y.ip, x.v6 ? 16 : 4) == 0;
}

int srr__pcap_ep_is_any(const struct srr__pcap_ep *a)
{
    static const uint8_t zero[16];
    return memcmp(a->ip, zero, a->v6 ? 16 : 4) == 0;
}

int srr__pcap_ep_is_loopback(const struct srr__pcap_ep *a)
{
    static const uint8_t one6[16] = {[15] = 1};
    struct srr__pcap_ep n;
    pcap_ep_norm(a, &n);
    return n.v6 ? memcmp(n.ip, one6, 16) == 0 : n.ip[0] == 127;
}

void srr__pcap_ep_loopback(const struct srr__pcap_ep *toward, struct srr__pcap_ep *ep)
{
    static const uint8_t one6[16] = {[15] = 1};
    static const uint8_t one4[4] = {127, 0, 0, 1};
    ep->v6 = toward->v6;
    memset(ep->ip, 0, sizeof ep->ip);
    if (!toward->v6) {
        memcpy(ep->ip, one4, 4);
    } else if (memcmp(toward->ip, pcap_mapped_prefix, 12) == 0) {
        memcpy(ep->ip, pcap_mapped_prefix, 12);
        memcpy(ep->ip + 12, one4, 4);
    } else {
        memcpy(ep->ip, one6, 16);
    }
}

int srr__pcap_ep_covers(const struct srr__pcap_ep *bound, const struct srr__pcap_ep *a)
{
    if (bound->port != a->port)
        return 0;
    if (srr__pcap_ep_is_any(bound))
        return bound->v6 || !a->v6 || memcmp(a->ip, pcap_mapped_prefix, 12) == 0;
    return srr__pcap_ep_eq(bound, a);
}

void srr__pcap_ep_match_version(struct srr__pcap_ep *a, struct srr__pcap_ep *b)
{
    struct srr__pcap_ep *v4 = !a->v6 && b->v6 ? a : a->v6 && !b->v6 ? b : NULL;
    if (!v4)
        return;
    uint8_t ip4[4];
    memcpy(ip4, v4->ip, 4);
    memcpy(v4->ip, pcap_mapped_prefix, 12);
    memcpy(v4->ip + 12, ip4, 4);
    v4->v6 = 1;
}

uint32_t srr__pcap_mix32(uint64_t x)
{
    /* splitmix64's finalizer: ISNs and path hashes that look random but are
     * the same on every run. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (uint32_t)x;
}

void srr__pcap_ep_unix(int net, long long n, struct srr__pcap_ep *ep)
{
    memset(ep, 0, sizeof *ep);
    ep->ip[0] = 127;
    ep->ip[1] = (uint8_t)net;
    ep->ip[2] = (uint8_t)(n >> 8);
    ep->ip[3] = (uint8_t)n;
    /* ids past 65535 go on in the port, so two sockets never share both */
    ep->port = (uint16_t)(40000 + ((n >> 16) & 0x3fff));
}

void srr__pcap_ep_path(const char *path, struct srr__pcap_ep *ep)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a, then mixed */
    for (const unsigned char *s = (const unsigned char *)path; *s; s++)
        h = (h ^ *s) * 1099511628211ULL;
    uint32_t v = srr__pcap_mix32(h);
    srr__pcap_ep_unix(90, v & 0x3fffffff, ep);
}

/* ------------------------------------------------------------ packets */

static uint64_t pcap_sum(uint64_t s, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)b[i] << 8 | b[i + 1];
    if (n & 1)
        s += (uint32_t)b[n - 1] << 8;
    return s;
}

static uint16_t pcap_fold(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void pcap_put16(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static void pcap_put32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* Writes the IP header for an l4len-byte (on the wire) payload of proto
 * into p->pkt and returns its length; *pseudo gets the pseudo-header sum. */
static size_t pcap_ip(srr_pcap_synth *p, const struct srr__pcap_ep *src,
                      const struct srr__pcap_ep *dst, int proto, size_t l4len, uint64_t *pseudo)
{
    uint8_t *h = p->pkt;
    uint8_t lenb[4];
    if (src->v6) {
        pcap_put32(h, 6u << 28);
        pcap_put16(h + 4, (uint32_t)l4len);
        h[6] = (uint8_t)proto;
        h[7] = PCAP_TTL;
        memcpy(h + 8, src->ip, 16);
        memcpy(h + 24, dst->ip, 16);
        pcap_put32(lenb, (uint32_t)l4len);
        *pseudo = pcap_sum(pcap_sum(0, h + 8, 32), lenb, 4) + (uint32_t)proto;
        return 40;
    }
    h[0] = 0x45;
    h[1] = 0;
    pcap_put16(h + 2, (uint32_t)(20 + l4len));
    pcap_put16(h + 4, p->ipid++);
    pcap_put16(h + 6, 0x4000); /* DF: these were never fragmented */
    h[8] = PCAP_TTL;
    h[9] = (uint8_t)proto;
    pcap_put16(h + 10, 0);
    memcpy(h + 12, src->ip, 4);
    memcpy(h + 16, dst->ip, 4);
    pcap_put16(h + 10, pcap_fold(pcap_sum(0, h, 20)));
    pcap_put16(lenb, (uint32_t)l4len);
    *pseudo = pcap_sum(pcap_sum(0, h + 12, 8), lenb, 2) + (uint32_t)proto;
    return 20;
}

/* Dumps p->pkt: caplen bytes kept of len on the wire. */
static int pcap_write(srr_pcap_synth *p, size_t caplen, size_t len)
{
    if (p->werr)
        return -1;
    struct pcap_pkthdr h;
    int64_t t = p->now < 0 ? 0 : p->now;
    h.ts.tv_sec = (time_t)(t / 1000000000);
    h.ts.tv_usec = (suseconds_t)(t % 1000000000); /* ns: the handle is nano-precision */
    h.caplen = (bpf_u_int32)caplen;
    h.len = (bpf_u_int32)len;
    errno = 0; /* so a failed write's errno is its own */
    pcap_dump((u_char *)p->dumper, &h, p->pkt);
    return srr__pcap_werr(p, NULL);
}

int srr__pcap_udp(srr_pcap_synth *p, const struct srr__pcap_ep *src,
                  const struct srr__pcap_ep *dst, const unsigned char *data, size_t len,
                  size_t have)
{
    /* An AF_UNIX datagram can be larger than any UDP one: what fits is shown. */
    size_t max = src->v6 ? PCAP_UDP_MAX6 : PCAP_UDP_MAX4;
    if (len > max)
        len = max;
    if (have > len)
        have = len;
    uint64_t sum;
    size_t hl = pcap_ip(p, src, dst, PCAP_PROTO_UDP, 8 + len, &sum);
    uint8_t *u = p->pkt + hl;
    pcap_put16(u, src->port);
    pcap_put16(u + 2, dst->port);
    pcap_put16(u + 4, (uint32_t)(8 + len));
    pcap_put16(u + 6, 0);
    if (have)
        memcpy(u + 8, data, have);
    /* Bytes not kept (a capped payload) count as zeros: tshark cannot
     * verify a truncated packet and says so rather than "bad". */
    uint16_t ck = pcap_fold(pcap_sum(sum, u, 8 + have));
    pcap_put16(u + 6, ck ? ck : 0xffff);
    return pcap_write(p, hl + 8 + have, hl + 8 + len);
}

int srr__pcap_tcp(srr_pcap_synth *p, struct srr__pcap_conn *c, int side, unsigned flags,
                  const unsigned char *data, size_t len, size_t have)
{
    const struct srr__pcap_ep *src = &c->ep[side], *dst = &c->ep[!side];
    size_t th = flags & SRR_PCAP_SYN ? 28 : 20;
    if (have > len)
        have = len;
    uint64_t sum;
    size_t hl = pcap_ip(p, src, dst, PCAP_PROTO_TCP, th + len, &sum);
    uint8_t *t = p->pkt + hl;
    uint32_t seq = c->nxt[side];
    pcap_put16(t, src->port);
    pcap_put16(t + 2, dst->port);
    pcap_put32(t + 4, seq);
    pcap_put32(t + 8, flags & SRR_PCAP_ACK ? c->nxt[!side] : 0);
    t[12] = (uint8_t)((th / 4) << 4);
    t[13] = (uint8_t)flags;
    pcap_put16(t + 14, 65535);
    pcap_put16(t + 16, 0);
    pcap_put16(t + 18, 0);
    if (flags & SRR_PCAP_SYN) {
        t[20] = 2; /* MSS */
        t[21] = 4;
        pcap_put16(t + 22, PCAP_MSS);
        t[24] = 1; /* NOP */
        t[25] = 3; /* window scale */
        t[26] = 3;
        t[27] = PCAP_WSCALE;
    }
    if (have)
        memcpy(t + th, data, have);
    pcap_put16(t + 16, pcap_fold(pcap_sum(sum, t, th + have)));
    c->nxt[side] += (uint32_t)len + !!(flags & SRR_PCAP_SYN) + !!(flags & SRR_PCAP_FIN);
    return pcap_write(p, hl + th + have, hl + th + len);
}

int srr__pcap_tcp_data(srr_pcap_synth *p, struct srr__pcap_conn *c, int side,
                       const unsigned char *data, size_t len, size_t have)
{
    for (size_t off = 0; off < len;) {
        size_t n = len - off < SRR_PCAP_SEG_MAX ? len - off : SRR_PCAP_SEG_MAX;
        size_t h = have > off ? (have - off < n ? have - off : n) : 0;
        unsigned flags = SRR_PCAP_ACK | (off + n == len ? SRR_PCAP_PSH : 0);
        if (srr__pcap_tcp(p, c, side, flags, data ? data + off : NULL, n, h) < 0)
            return -1;
        off += n;
    }
    if (len)
        c->moved[side] = 1;
    return 0;
}

int srr__pcap_tcp_open(srr_pcap_synth *p, struct srr__pcap_conn *c, int complete)
{
    c->nxt[0] = c->isn[0];
    c->nxt[1] = c->isn[1];
    c->synced[0] = 1;
    c->state = SRR_PCAP_SYN_SENT;
    if (srr__pcap_tcp(p, c, 0, SRR_PCAP_SYN, NULL, 0, 0) < 0)
        return -1;
    return complete ? srr__pcap_tcp_complete(p, c) : 0;
}

int srr__pcap_tcp_complete(srr_pcap_synth *p, struct srr__pcap_conn *c)
{
    if (c->state != SRR_PCAP_SYN_SENT)
        return 0;
    c->state = SRR_PCAP_OPEN;
    c->synced[1] = 1;
    if (srr__pcap_tcp(p, c, 1, SRR_PCAP_SYN | SRR_PCAP_ACK, NULL, 0, 0) < 0)
        return -1;
    return srr__pcap_tcp(p, c, 0, SRR_PCAP_ACK, NULL, 0, 0);
}

int srr__pcap_tcp_refuse(srr_pcap_synth *p, struct srr__pcap_conn *c)
{
    if (c->state != SRR_PCAP_SYN_SENT)
        return 0;
    c->state = SRR_PCAP_DEAD;
    c->nxt[1] = 0; /* a RST that answers a bare SYN has sequence number 0 (RFC 9293) */
    return srr__pcap_tcp(p, c, 1, SRR_PCAP_RST | SRR_PCAP_ACK, NULL, 0, 0);
}

int srr__pcap_tcp_fin(srr_pcap_synth *p, struct srr__pcap_conn *c, int side)
{
    if (c->state != SRR_PCAP_OPEN || c->fin[side])
        return 0;
    c->fin[side] = 1;
    if (srr__pcap_tcp(p, c, side, SRR_PCAP_FIN | SRR_PCAP_ACK, NULL, 0, 0) < 0)
        return -1;
    /* The other end's ACK of the second FIN: no event shows it, but without
     * it every closed connection looks unfinished. */
    if (c->fin[!side])
        return srr__pcap_tcp(p, c, !side, SRR_PCAP_ACK, NULL, 0, 0);
    return 0;
}

int srr__pcap_tcp_rst(srr_pcap_synth *p, struct srr__pcap_conn *c, int side)
{
    if (c->state != SRR_PCAP_OPEN)
        return 0;
    c->state = SRR_PCAP_DEAD;
    return srr__pcap_tcp(p, c, side, SRR_PCAP_RST | SRR_PCAP_ACK, NULL, 0, 0);
}
