/*
 * sim_dns_wire.c — the sim's DNS server in RFC 1035's message format: one
 * query in, one response out, answered from the same table as getaddrinfo
 * (sim_dns.c).  A, AAAA, CNAME, PTR, TXT, MX, SRV and ANY; NXDOMAIN for a
 * name the table does not have, SERVFAIL for EAI_AGAIN, REFUSED for
 * EAI_FAIL, no records for EAI_NODATA; the TC bit when an answer does not
 * fit the client's UDP size or the entry says to truncate.  Programs that
 * do their own DNS (dig, host, c-ares in node) reach it on port 53 of the
 * config's nameserver address.
 */
#define _GNU_SOURCE /* EAI_NODATA */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim_dns.h"

enum { DNS_A = 1, DNS_CNAME = 5, DNS_PTR = 12, DNS_MX = 15, DNS_TXT = 16, DNS_AAAA = 28,
       DNS_SRV = 33, DNS_OPT = 41, DNS_ANY = 255 };
enum { RC_NOERROR = 0, RC_FORMERR = 1, RC_SERVFAIL = 2, RC_NXDOMAIN = 3, RC_NOTIMP = 4,
       RC_REFUSED = 5 };
#define DNS_TTL 60
#define DNS_HEADER 12

/* A response being written: out of room sets full, and later writes do
 * nothing (the caller then answers with TC). */
typedef struct dns_out {
    unsigned char *p;
    size_t len, cap;
    bool full;
} dns_out;

static void put(dns_out *o, const void *b, size_t n)
{
    if (o->full || o->cap - o->len < n) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, b, n);
    o->len += n;
}

static void put16(dns_out *o, unsigned v)
{
    unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    put(o, b, 2);
}

static void put32(dns_out *o, unsigned long v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(o, b, 4);
}

/* A name as labels, without compression; a final dot is allowed. */
static void put_name(dns_out *o, const char *name)
{
    const char *s = name;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        if (n == 0 || n > 63)
            break;
        unsigned char len = (unsigned char)n;
        put(o, &len, 1);
        put(o, s, n);
        s += n + (dot ? 1 : 0);
    }
    put(o, "", 1);
}

/* A record's owner, type, class IN and TTL, with room for its length: the
 * offset of the length, to fill in with end_rr. */
static size_t begin_rr(dns_out *o, const char *owner, unsigned type)
{
    put_name(o, owner);
    put16(o, type);
    put16(o, 1);
    put32(o, DNS_TTL);
    size_t at = o->len;
    put16(o, 0);
    return at;
}

static void end_rr(dns_out *o, size_t at)
{
    if (o->full)
        return;
    size_t n = o->len - at - 2;
    o->p[at] = (unsigned char)(n >> 8);
    o->p[at + 1] = (unsigned char)n;
}

/* The question's name, read at *off (labels only: a query has no
 * pointers), as dotted text.  false when it is malformed. */
static bool get_name(const unsigned char *q, size_t qlen, size_t *off, char *name, size_t cap)
{
    size_t i = *off, n = 0;
    for (;;) {
        if (i >= qlen)
            return false;
        unsigned len = q[i++];
        if (len == 0)
            break;
        if (len > 63 || i + len > qlen || n + len + 2 > cap)
            return false;
        if (n)
            name[n++] = '.';
        memcpy(name + n, q + i, len);
        n += len;
        i += len;
    }
    name[n] = '\0';
    *off = i;
    return true;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcasecmp(s + a - b, tail) == 0;
}

/* A reverse name (in-addr.arpa, ip6.arpa) as an address: its family, or 0. */
static int reverse_addr(const char *name, unsigned char addr[16])
{
    if (ends_with(name, ".in-addr.arpa")) {
        unsigned b[4];
        char tail[16];
        if (sscanf(name, "%u.%u.%u.%u.%15s", &b[3], &b[2], &b[1], &b[0], tail) != 5 ||
            strcasecmp(tail, "in-addr.arpa") != 0)
            return 0;
        for (int i = 0; i < 4; i++) {
            if (b[i] > 255)
                return 0;
            addr[i] = (unsigned char)b[i];
        }
        return AF_INET;
    }
    if (!ends_with(name, ".ip6.arpa") || strlen(name) != 64 + strlen("ip6.arpa"))
        return 0;
    for (int i = 0; i < 32; i++) {
        char c = name[2 * i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0 || name[2 * i + 1] != '.')
            return 0;
        int byte = 15 - i / 2; /* the first nibble is the last byte's low half */
        if (i % 2 == 0)
            addr[byte] = (unsigned char)v;
        else
            addr[byte] |= (unsigned char)(v << 4);
    }
    return AF_INET6;
}

/* The records of set under owner of qtype; how many. */
static unsigned put_records(dns_out *o, const char *owner, unsigned qtype, const sim_dns_rrset *set)
{
    unsigned n = 0;
    bool any = qtype == DNS_ANY;
    for (size_t i = 0; i < set->naddrs; i++) {
        const sim_ip *ip = &set->addrs[i];
        bool v4 = ip->family == AF_INET;
        if (!any && qtype != (v4 ? DNS_A : DNS_AAAA))
            continue;
        size_t at = begin_rr(o, owner, v4 ? DNS_A : DNS_AAAA);
        put(o, v4 ? (const void *)&ip->a.v4 : (const void *)&ip->a.v6, v4 ? 4 : 16);
        end_rr(o, at);
        n++;
    }
    const sim_dns_answer *a = set->step;
    if (!a)
        return n;
    for (size_t i = 0; (any || qtype == DNS_TXT) && i < a->ntxt; i++) {
        size_t at = begin_rr(o, owner, DNS_TXT), len = strlen(a->txt[i]);
        unsigned char l = (unsigned char)len;
        put(o, &l, 1);
        put(o, a->txt[i], len);
        end_rr(o, at);
        n++;
    }
    for (size_t i = 0; (any || qtype == DNS_MX) && i < a->nmx; i++) {
        size_t at = begin_rr(o, owner, DNS_MX);
        put16(o, (unsigned)a->mx[i].preference);
        put_name(o, a->mx[i].exchange);
        end_rr(o, at);
        n++;
    }
    for (size_t i = 0; (any || qtype == DNS_SRV) && i < a->nsrv; i++) {
        size_t at = begin_rr(o, owner, DNS_SRV);
        put16(o, (unsigned)a->srv[i].priority);
        put16(o, (unsigned)a->srv[i].weight);
        put16(o, (unsigned)a->srv[i].port);
        put_name(o, a->srv[i].target);
        end_rr(o, at);
        n++;
    }
    return n;
}

static int rcode_of(int eai)
{
    switch (eai) {
    case 0: return RC_NOERROR;
    case EAI_AGAIN: return RC_SERVFAIL;
    case EAI_FAIL: return RC_REFUSED;
    case EAI_NODATA: return RC_NOERROR;
    default: return RC_NXDOMAIN;
    }
}

size_t srr__sim_dns_wire(sim_dns *d, const unsigned char *q, size_t qlen, int tcp,
                         unsigned char *out, size_t cap, int64_t *delay_ns)
{
    *delay_ns = 0;
    if (qlen < DNS_HEADER || cap < DNS_HEADER || (q[2] & 0x80)) /* too short, or a response */
        return 0;
    unsigned qd = (unsigned)q[4] << 8 | q[5], ar = (unsigned)q[10] << 8 | q[11];
    unsigned opcode = (q[2] >> 3) & 0xf;
    char name[256];
    size_t off = DNS_HEADER;
    unsigned qtype = 0, qclass = 0;
    int rcode = RC_NOERROR;
    bool parsed = false; /* the question was read */
    if (opcode != 0)
        rcode = RC_NOTIMP;
    else if (qd != 1 || !get_name(q, qlen, &off, name, sizeof name) || off + 4 > qlen)
        rcode = RC_FORMERR;
    else {
        qtype = (unsigned)q[off] << 8 | q[off + 1];
        qclass = (unsigned)q[off + 2] << 8 | q[off + 3];
        off += 4;
        parsed = true;
    }
    /* the client's UDP size: an OPT record in the additional section */
    size_t udp_max = 512;
    bool edns = false;
    if (rcode == RC_NOERROR && ar >= 1 && off + 11 <= qlen && q[off] == 0 &&
        ((unsigned)q[off + 1] << 8 | q[off + 2]) == DNS_OPT) {
        edns = true;
        size_t size = (size_t)q[off + 3] << 8 | q[off + 4];
        udp_max = size > 512 ? size : 512;
    }
    if (!tcp && cap > udp_max)
        cap = udp_max;
    dns_out o = {out, 0, cap, false};
    /* the header, counts filled in at the end */
    put(&o, q, 2);                    /* id */
    unsigned char flags[2] = {(unsigned char)(0x80 | (q[2] & 0x79) | 0x04), 0x80}; /* QR AA RD, RA */
    put(&o, flags, 2);
    put16(&o, parsed ? 1 : 0);
    put(&o, "\0\0\0\0\0\0", 6);
    unsigned an = 0;
    bool truncate = false;
    if (parsed) {
        put_name(&o, name);
        put16(&o, qtype);
        put16(&o, qclass);
        unsigned char addr[16];
        int family = qtype == DNS_PTR || qtype == DNS_ANY ? reverse_addr(name, addr) : 0;
        sim_dns_rrset set;
        if (qclass != 1 && qclass != 255) {
            rcode = RC_REFUSED;
        } else if (family) {
            const char *host = srr__sim_dns_ptr(d, family, addr);
            if (!host) {
                rcode = RC_NXDOMAIN;
            } else {
                size_t at = begin_rr(&o, name, DNS_PTR);
                put_name(&o, host);
                end_rr(&o, at);
                an++;
            }
        } else if (!srr__sim_dns_query(d, name, &set)) {
            rcode = RC_NXDOMAIN;
        } else {
            *delay_ns = set.delay_ns;
            rcode = rcode_of(set.error);
            truncate = !tcp && set.step && set.step->truncate;
            const char *owner = name;
            if (rcode == RC_NOERROR && !set.error && set.canon) {
                size_t at = begin_rr(&o, name, DNS_CNAME);
                put_name(&o, set.canon);
                end_rr(&o, at);
                an++;
                owner = set.canon;
            }
            if (rcode == RC_NOERROR && !set.error && qtype != DNS_CNAME)
                an += put_records(&o, owner, qtype, &set);
        }
    }
    if (edns && !o.full) {
        put(&o, "", 1); /* OPT: the root, our UDP size, no flags */
        put16(&o, DNS_OPT);
        put16(&o, 1232);
        put32(&o, 0);
        put16(&o, 0);
    }
    if (o.full || truncate) {
        /* what does not fit is cut: the header and question, TC set */
        o.full = false;
        o.len = DNS_HEADER;
        if (parsed) {
            put_name(&o, name);
            put16(&o, qtype);
            put16(&o, qclass);
        }
        out[2] |= 0x02;
        an = 0;
        edns = false;
    }
    out[3] = (unsigned char)((out[3] & 0xf0) | rcode);
    out[6] = (unsigned char)(an >> 8);
    out[7] = (unsigned char)an;
    out[10] = 0;
    out[11] = edns ? 1 : 0;
    return o.len;
}
