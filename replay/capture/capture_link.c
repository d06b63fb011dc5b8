/*
 * capture_link.c — one captured packet down to its TCP or UDP payload: the
 * link layers tcpdump writes on Linux and BSD (Ethernet with VLAN tags,
 * Linux cooked v1 and v2, raw IP, BSD loopback), IPv4 with options, IPv6
 * with extension headers, then the TCP or UDP header.  Every length is
 * checked against what was captured before it is read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "trace.h"

/* Link types by number: libpcap maps the file's LINKTYPE_ to DLT_, but
 * DLT_RAW is 12 or 14 depending on the system and LINKTYPE_RAW is 101. */
enum {
    LINK_NULL = 0,
    LINK_EN10MB = 1,
    LINK_RAW_A = 12,
    LINK_RAW_B = 14,
    LINK_RAW_C = 101,
    LINK_LOOP = 108,
    LINK_LINUX_SLL = 113,
    LINK_IPV4 = 228,
    LINK_IPV6 = 229,
    LINK_LINUX_SLL2 = 276,
};

enum { ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8,
       ETH_QINQ_OLD = 0x9100 };

/* What a packet's IP layer says of its transport layer. */
struct link_l4 {
    int proto;
    const uint8_t *p;
    size_t cap;  /* bytes captured from p */
    size_t wire; /* bytes of the transport layer on the wire */
};


static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int srr__cap_link_supported(int linktype)
{
    switch (linktype) {
    case LINK_NULL: case LINK_EN10MB: case LINK_RAW_A: case LINK_RAW_B: case LINK_RAW_C:
    case LINK_LOOP: case LINK_LINUX_SLL: case LINK_IPV4: case LINK_IPV6: case LINK_LINUX_SLL2:
        return 1;
    }
    return 0;
}

/* The link header: its length and the IP version it carries (4, 6, or 0:
 * not IP, skip the packet).  -1 when the packet is too short for it. */
static int link_header(int linktype, const uint8_t *d, size_t cap, size_t *hlen, int *ipver,
                       srr_parse_error *err)
{
    uint16_t type;
    *ipver = 0;
    switch (linktype) {
    case LINK_EN10MB: {
        size_t o = 12;
        for (;;) {
            if (cap < o + 2)
                return srr__parse_fail(err, SRR_PARSE_EVALUE, "link type",
                                 "%zu bytes captured, too short for an Ethernet header (%zu bytes)",
                                 cap, o + 2);
            type = be16(d + o);
            if (type != ETH_VLAN && type != ETH_QINQ && type != ETH_QINQ_OLD)
                break;
            o += 4; /* a VLAN tag: TPID, TCI, then the real type */
        }
        *hlen = o + 2;
        break;
    }
    case LINK_LINUX_SLL:
        if (cap < 16)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "link type",
                             "%zu bytes captured, too short for a Linux cooked header (16 bytes)",
                             cap);
        type = be16(d + 14);
        *hlen = 16;
        break;
    case LINK_LINUX_SLL2:
        if (cap < 20)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "link type",
                             "%zu bytes captured, too short for a Linux cooked v2 header "
                             "(20 bytes)", cap);
        type = be16(d);
        *hlen = 20;
        break;
    case LINK_NULL:
    case LINK_LOOP: {
        if (cap < 4)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "link type",
                             "%zu bytes captured, too short for a loopback header (4 bytes)", cap);
        /* DLT_NULL: the capturing machine's byte order, which the file does
         * not say: a small value one way round is the family. */
        uint32_t fam = be32(d), swapped = __builtin_bswap32(fam);
        if (linktype == LINK_NULL && fam > 0xffff)
            fam = swapped;
        *hlen = 4;
        *ipver = fam == 2 ? 4 : fam == 24 || fam == 28 || fam == 30 ? 6 : 0;
        return 0;
    }
    default: /* raw IP: the version nibble says which */
        *hlen = 0;
        if (cap < 1)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip", "an empty packet");
        *ipver = d[0] >> 4;
        if (linktype == LINK_IPV4 && *ipver != 4)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                                   "IP version %d in a raw IPv4 packet", *ipver);
        if (linktype == LINK_IPV6 && *ipver != 6)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                                   "IP version %d in a raw IPv6 packet", *ipver);
        if (*ipver != 4 && *ipver != 6)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip", "IP version %d (expected 4 or 6)",
                                   *ipver);
        return 0;
    }
    *ipver = type == ETH_IPV4 ? 4 : type == ETH_IPV6 ? 6 : 0;
    return 0;
}

static const char *link_proto_name(int proto)
{
    return proto == SRR_CAP_TCP ? "TCP" : "UDP";
}

/* An IP packet for TCP or UDP: its addresses (family 4 or 6, 4 or 16
 * bytes) into out, its transport layer into l4.  Returns 1. */
static int link_ip_found(srr_cap_pkt *out, struct link_l4 *l4, int family, const uint8_t *src,
                         const uint8_t *dst, int proto, const uint8_t *p, size_t cap, size_t wire)
{
    size_t n = family == 4 ? 4 : 16;
    memset(&out->src, 0, sizeof out->src);
    memset(&out->dst, 0, sizeof out->dst);
    out->src.family = out->dst.family = family;
    memcpy(out->src.addr, src, n);
    memcpy(out->dst.addr, dst, n);
    l4->proto = proto;
    l4->p = p;
    l4->cap = cap;
    l4->wire = wire;
    return 1;
}

/* IPv4: 1 with *l4 set, 0 to skip, -1. */
static int link_ipv4(const uint8_t *p, size_t cap, size_t wire, srr_cap_pkt *out,
                     struct link_l4 *l4, srr_parse_error *err)
{
    if (cap < 20)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                               "%zu bytes captured, too short for an IPv4 header (20 bytes)", cap);
    size_t ihl = (size_t)(p[0] & 15) * 4;
    if (ihl < 20)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip", "IPv4 header length %zu is below 20",
                               ihl);
    if (cap < ihl)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                         "%zu bytes captured, too short for its IPv4 header (%zu bytes with "
                         "options)", cap, ihl);
    size_t total = be16(p + 2);
    if (total == 0)
        total = wire; /* segmentation offload: the kernel left the length out */
    if (total < ihl)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                               "IPv4 total length %zu is shorter than its header (%zu bytes)",
                               total, ihl);
    if (total > wire)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                               "IPv4 total length %zu is longer than the packet (%zu bytes)", total,
                               wire);
    int proto = p[9];
    uint16_t frag = be16(p + 6);
    if (proto != SRR_CAP_TCP && proto != SRR_CAP_UDP)
        return 0;
    if (frag & 0x1fff)
        return 0; /* a later fragment: the first one is reported */
    if (frag & 0x2000)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                               "a fragmented %s packet (IP fragments are not reassembled)",
                               link_proto_name(proto));
    return link_ip_found(out, l4, 4, p + 12, p + 16, proto, p + ihl,
                         (cap < total ? cap : total) - ihl, total - ihl);
}

/* IPv6, walking hop-by-hop, routing and destination options headers. */
static int link_ipv6(const uint8_t *p, size_t cap, size_t wire, srr_cap_pkt *out,
                     struct link_l4 *l4, srr_parse_error *err)
{
    if (cap < 40)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                               "%zu bytes captured, too short for an IPv6 header (40 bytes)", cap);
    size_t total = 40 + (size_t)be16(p + 4);
    if (total == 40)
        total = wire; /* a jumbogram or segmentation offload */
    if (total > wire)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                               "IPv6 payload length %zu is longer than the packet (%zu bytes)",
                               total - 40, wire - 40);
    if (cap > total)
        cap = total;
    int nh = p[6];
    size_t pos = 40;
    for (;;) {
        if (nh == SRR_CAP_TCP || nh == SRR_CAP_UDP)
            break;
        if (nh != 0 && nh != 43 && nh != 60 && nh != 44)
            return 0; /* ICMPv6, no next header, ESP... */
        size_t hl = nh == 44 ? 8 : 0;
        if (cap < pos + 2 || (nh == 44 && cap < pos + 8))
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                             "%zu bytes captured, too short for its IPv6 extension headers", cap);
        if (nh != 44)
            hl = ((size_t)p[pos + 1] + 1) * 8;
        if (pos + hl > total)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                                   "an IPv6 extension header runs past the packet's end");
        if (cap < pos + hl)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                             "%zu bytes captured, too short for its IPv6 extension headers", cap);
        if (nh == 44) {
            uint16_t fo = be16(p + pos + 2);
            if (fo & 0xfff8)
                return 0; /* a later fragment */
            if (fo & 1) {
                int inner = p[pos];
                if (inner != SRR_CAP_TCP && inner != SRR_CAP_UDP && inner != 0 && inner != 43 &&
                    inner != 60)
                    return 0;
                return srr__parse_fail(err, SRR_PARSE_EVALUE, "ip",
                                 "a fragmented IPv6 packet (IP fragments are not reassembled)");
            }
            /* an atomic fragment: a whole packet behind a fragment header */
        }
        nh = p[pos];
        pos += hl;
    }
    return link_ip_found(out, l4, 6, p + 8, p + 24, nh, p + pos, cap - pos, total - pos);
}

static int link_tcp(const struct link_l4 *l4, srr_cap_pkt *out, srr_parse_error *err)
{
    const uint8_t *t = l4->p;
    if (l4->cap < 20)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "tcp",
                               "%zu bytes captured, too short for a TCP header (20 bytes)",
                               l4->cap);
    size_t doff = (size_t)(t[12] >> 4) * 4;
    if (doff < 20)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "tcp", "TCP header length %zu is below 20",
                               doff);
    if (doff > l4->wire)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "tcp",
                               "TCP header length %zu is longer than the segment (%zu bytes)", doff,
                               l4->wire);
    if (l4->cap < doff)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "tcp",
                         "%zu bytes captured, too short for its TCP header (%zu bytes with "
                         "options)", l4->cap, doff);
    out->src.port = be16(t);
    out->dst.port = be16(t + 2);
    out->seq = be32(t + 4);
    out->ack = be32(t + 8);
    out->flags = t[13];
    out->payload = t + doff;
    out->caplen = l4->cap - doff;
    out->len = l4->wire - doff;
    return 1;
}

static int link_udp(const struct link_l4 *l4, srr_cap_pkt *out, srr_parse_error *err)
{
    const uint8_t *u = l4->p;
    if (l4->cap < 8)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "udp",
                               "%zu bytes captured, too short for a UDP header (8 bytes)", l4->cap);
    size_t ulen = be16(u + 4);
    if (ulen < 8 || ulen > l4->wire)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "udp",
                               "UDP length %zu does not fit the IP payload (%zu bytes)", ulen,
                               l4->wire);
    size_t cap = l4->cap < ulen ? l4->cap : ulen;
    if (cap < ulen)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "udp",
                         "a %zu-byte datagram of which %zu bytes were captured (a short "
                         "snaplen?)", ulen - 8, cap - 8);
    out->src.port = be16(u);
    out->dst.port = be16(u + 2);
    out->seq = out->ack = 0;
    out->flags = 0;
    out->payload = u + 8;
    out->caplen = out->len = ulen - 8;
    return 1;
}

int srr__cap_parse(int linktype, const uint8_t *data, size_t caplen, size_t len,
                   srr_cap_pkt *out, srr_parse_error *err)
{
    size_t hlen;
    int ipver;
    if (len < caplen)
        len = caplen;
    if (link_header(linktype, data, caplen, &hlen, &ipver, err) < 0)
        return -1;
    if (ipver != 4 && ipver != 6)
        return 0;
    struct link_l4 l4 = {0};
    const uint8_t *ip = data + hlen;
    int rc = ipver == 4 ? link_ipv4(ip, caplen - hlen, len - hlen, out, &l4, err)
                        : link_ipv6(ip, caplen - hlen, len - hlen, out, &l4, err);
    if (rc <= 0)
        return rc;
    out->proto = l4.proto;
    return l4.proto == SRR_CAP_TCP ? link_tcp(&l4, out, err) : link_udp(&l4, out, err);
}
