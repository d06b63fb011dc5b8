/*
 * sock_opts.c — a socket's options, as Linux answers them (sock_opts.h).
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "sock_opts.h"

void srr__opts_init(srr_sockopts *o, int family, int type, int proto)
{
    memset(o, 0, sizeof *o);
    o->family = family;
    o->type = type;
    o->proto = proto;
    int tcp = family != AF_UNIX && (type == SOCK_STREAM || type == SOCK_SEQPACKET);
    o->rcvbuf = tcp ? SRR_TCP_RCVBUF : SRR_UDP_BUF;
    o->sndbuf = tcp ? SRR_TCP_SNDBUF : SRR_UDP_BUF;
    o->keepidle = 7200; /* net.ipv4.tcp_keepalive_time, _intvl, _probes */
    o->keepintvl = 75;
    o->keepcnt = 9;
    o->quickack = 1;
    o->rcvlowat = 1;
    o->ttl = o->hops = -1;
}

void srr__opts_established(srr_sockopts *o)
{
    if (o->family != AF_UNIX && o->type == SOCK_STREAM && !o->sndbuf_locked &&
        o->sndbuf < SRR_TCP_SNDBUF_EST)
        o->sndbuf = SRR_TCP_SNDBUF_EST;
}

/* TCP_DEFER_ACCEPT's seconds as the retransmits Linux keeps, and back:
 * the SYN-ACK timeout (1 s) doubling up to TCP_RTO_MAX (120 s), at most
 * 255 (secs_to_retrans and retrans_to_secs). */
static int opts_secs_to_retrans(int secs)
{
    int res = 0;
    if (secs > 0) {
        int timeout = 1, period = 1;
        res = 1;
        while (secs > period && res < 255) {
            res++;
            timeout = timeout * 2 > 120 ? 120 : timeout * 2;
            period += timeout;
        }
    }
    return res;
}

static int opts_retrans_to_secs(int retrans)
{
    int period = 0;
    if (retrans > 0) {
        int timeout = 1;
        period = 1;
        while (--retrans) {
            timeout = timeout * 2 > 120 ? 120 : timeout * 2;
            period += timeout;
        }
    }
    return period;
}

/* Linux copies as much of a value as the caller has room for, and says
 * how much it copied. */
static int opts_value(void *val, socklen_t *len, const void *v, socklen_t vlen)
{
    socklen_t n = *len < vlen ? *len : vlen;
    memcpy(val, v, n);
    *len = n;
    return 0;
}

int srr__opts_int(void *val, socklen_t *len, int v)
{
    return opts_value(val, len, &v, sizeof v);
}

static int opts_timeval(void *val, socklen_t *len, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    struct timeval tv = {.tv_sec = ns / 1000000000, .tv_usec = (ns % 1000000000) / 1000};
    return opts_value(val, len, &tv, sizeof tv);
}

static int opts_tcp(const srr_sockopts *o)
{
    return o->family != AF_UNIX && o->type == SOCK_STREAM;
}

/* A level the socket's protocol does not have: AF_UNIX has no options
 * beyond SOL_SOCKET's (EOPNOTSUPP), and IP's get answers EOPNOTSUPP for a
 * level that is not its own where its set answers ENOPROTOOPT (UDP with
 * IPPROTO_TCP).  0 when the level is the socket's. */
static int opts_foreign_level(const srr_sockopts *o, int level, int set)
{
    if (level == SOL_SOCKET)
        return 0;
    if (o->family == AF_UNIX)
        return -EOPNOTSUPP;
    int known = level == IPPROTO_IP || (level == IPPROTO_IPV6 && o->family == AF_INET6) ||
                (level == IPPROTO_TCP && opts_tcp(o)) || (level == IPPROTO_UDP && !opts_tcp(o));
    if (known)
        return 0;
    /* IPv4's get answers EOPNOTSUPP for a level not its own, IPv6's
     * ENOPROTOOPT; a set, ENOPROTOOPT (ip_getsockopt, ipv6_getsockopt) */
    return set || o->family == AF_INET6 ? -ENOPROTOOPT : -EOPNOTSUPP;
}

int srr__opts_get(const srr_sockopts *o, int level, int name, void *val, socklen_t *len)
{
    int foreign = opts_foreign_level(o, level, 0);
    if (foreign)
        return foreign;
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_TYPE: return srr__opts_int(val, len, o->type);
        case SO_DOMAIN: return srr__opts_int(val, len, o->family);
        case SO_PROTOCOL: return srr__opts_int(val, len, o->proto);
        case SO_RCVBUF: return srr__opts_int(val, len, o->rcvbuf);
        case SO_SNDBUF: return srr__opts_int(val, len, o->sndbuf);
        case SO_REUSEADDR: return srr__opts_int(val, len, o->reuseaddr);
        case SO_REUSEPORT: return srr__opts_int(val, len, o->reuseport);
        case SO_BROADCAST: return srr__opts_int(val, len, o->broadcast);
        case SO_KEEPALIVE: return srr__opts_int(val, len, o->keepalive);
        case SO_RCVTIMEO: return opts_timeval(val, len, o->rcvtimeo_ns);
        case SO_SNDTIMEO: return opts_timeval(val, len, o->sndtimeo_ns);
        case SO_LINGER: {
            struct linger lg = {.l_onoff = o->linger_on, .l_linger = o->linger_secs};
            return opts_value(val, len, &lg, sizeof lg);
        }
        case SO_TIMESTAMP: return srr__opts_int(val, len, o->timestamps == 1);
        case SO_TIMESTAMPNS: return srr__opts_int(val, len, o->timestamps == 2);
        case SO_OOBINLINE: return srr__opts_int(val, len, o->oobinline);
        case SO_DONTROUTE: return srr__opts_int(val, len, o->dontroute);
        case SO_RCVLOWAT: return srr__opts_int(val, len, o->rcvlowat);
        case SO_SNDLOWAT: return srr__opts_int(val, len, 1);
        default: return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_IP) {
        switch (name) {
        case IP_TOS: return srr__opts_int(val, len, o->tos);
        case IP_PKTINFO: return srr__opts_int(val, len, o->pktinfo);
        case IP_RECVTOS: return srr__opts_int(val, len, o->recvtos);
        case IP_RECVERR: return srr__opts_int(val, len, o->recverr);
        case IP_TTL: return srr__opts_int(val, len, o->ttl < 0 ? 64 : o->ttl);
        default: return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_IPV6) {
        switch (name) {
        case IPV6_V6ONLY: return srr__opts_int(val, len, o->v6only);
        case IPV6_TCLASS: return srr__opts_int(val, len, o->tclass);
        case IPV6_RECVPKTINFO: return srr__opts_int(val, len, o->recvpktinfo6);
        case IPV6_RECVTCLASS: return srr__opts_int(val, len, o->recvtclass);
        case IPV6_RECVERR: return srr__opts_int(val, len, o->recverr6);
        case IPV6_UNICAST_HOPS: return srr__opts_int(val, len, o->hops < 0 ? 64 : o->hops);
        default: return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_TCP && opts_tcp(o)) {
        switch (name) {
        case TCP_NODELAY: return srr__opts_int(val, len, o->nodelay);
        case TCP_KEEPIDLE: return srr__opts_int(val, len, o->keepidle);
        case TCP_KEEPINTVL: return srr__opts_int(val, len, o->keepintvl);
        case TCP_KEEPCNT: return srr__opts_int(val, len, o->keepcnt);
        case TCP_USER_TIMEOUT: return srr__opts_int(val, len, o->user_timeout_ms);
        case TCP_CORK: return srr__opts_int(val, len, o->cork);
        case TCP_QUICKACK: return srr__opts_int(val, len, o->quickack);
        case TCP_DEFER_ACCEPT:
            return srr__opts_int(val, len, opts_retrans_to_secs(o->defer_accept));
        default: break; /* TCP_MAXSEG and TCP_INFO tell the connection: the world's */
        }
    }
    return -ENOPROTOOPT;
}

/* Every int option the model holds wants a whole int. */
static int opts_read_int(const void *val, socklen_t len, int *out)
{
    if (len < sizeof(int))
        return -EINVAL;
    memcpy(out, val, sizeof(int));
    return 0;
}

static int opts_read_timeval(const void *val, socklen_t len, int64_t *ns)
{
    struct timeval tv;
    if (len < sizeof tv)
        return -EINVAL;
    memcpy(&tv, val, sizeof tv);
    if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
        return -EDOM;
    /* Linux: {0, 0} is "no timeout", and so is one too long to count; a
     * negative one is a zero timeout, so the call fails at once */
    if (tv.tv_sec < 0)
        *ns = SRR_TIMEO_NOW;
    else if (tv.tv_sec >= INT64_MAX / 1000000000 - 1)
        *ns = 0;
    else
        *ns = (int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
    return 0;
}

int srr__opts_set(srr_sockopts *o, int level, int name, const void *val, socklen_t len,
                  int bound)
{
    int v = 0;
    int foreign = opts_foreign_level(o, level, 1);
    if (foreign)
        return foreign;
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_RCVTIMEO: return opts_read_timeval(val, len, &o->rcvtimeo_ns);
        case SO_SNDTIMEO: return opts_read_timeval(val, len, &o->sndtimeo_ns);
        case SO_LINGER: {
            struct linger lg;
            if (len < sizeof lg)
                return -EINVAL;
            memcpy(&lg, val, sizeof lg);
            o->linger_on = lg.l_onoff != 0;
            if (lg.l_onoff) /* off keeps the time it had (sk_lingertime) */
                o->linger_secs = lg.l_linger;
            return 0;
        }
        default: break;
        }
        int r = opts_read_int(val, len, &v);
        if (r < 0)
            return r;
        switch (name) {
        /* Linux caps the size asked for at rmem_max / wmem_max, doubles
         * it and keeps a floor */
        case SO_RCVBUFFORCE:
        case SO_SNDBUFFORCE:
            if (geteuid() != 0) /* CAP_NET_ADMIN, as far as a process can tell */
                return -EPERM;
            __attribute__((fallthrough)); /* the same sizes, not capped at *mem_max */
        case SO_RCVBUF:
        case SO_SNDBUF: {
            int force = name == SO_RCVBUFFORCE || name == SO_SNDBUFFORCE;
            int rcv = name == SO_RCVBUF || name == SO_RCVBUFFORCE;
            /* sk_setsockopt: capped as a u32 (a negative size is the cap),
             * or a forced negative one is 0; doubled, above a floor */
            if (!force && (unsigned)v > SRR_UDP_BUF)
                v = SRR_UDP_BUF;
            else if (v < 0)
                v = 0;
            int twice = 2 * (v > INT_MAX / 2 ? INT_MAX / 2 : v), floor = rcv ? 2304 : 4608;
            *(rcv ? &o->rcvbuf : &o->sndbuf) = twice < floor ? floor : twice;
            *(rcv ? &o->rcvbuf_locked : &o->sndbuf_locked) = 1;
            return 1;
        }
        case SO_REUSEADDR: o->reuseaddr = v != 0; return 0;
        case SO_REUSEPORT: o->reuseport = v != 0; return 0;
        case SO_BROADCAST: o->broadcast = v != 0; return 0;
        case SO_KEEPALIVE: o->keepalive = v != 0; return 0;
        /* on: that kind of stamp; off (either one): none, as sock_set_timestamp */
        case SO_TIMESTAMP: o->timestamps = v ? 1 : 0; return 0;
        case SO_TIMESTAMPNS: o->timestamps = v ? 2 : 0; return 0;
        case SO_OOBINLINE: o->oobinline = v != 0; return 0;
        case SO_DONTROUTE: o->dontroute = v != 0; return 0;
        case SO_RCVLOWAT: o->rcvlowat = v > 0 ? v : 1; return 0;
        default: return -ENOPROTOOPT; /* SO_SNDLOWAT too: Linux cannot set it */
        }
    }
    if (level == IPPROTO_TCP && opts_tcp(o)) {
        int r = opts_read_int(val, len, &v);
        if (r < 0)
            return r;
        switch (name) {
        case TCP_NODELAY: o->nodelay = v != 0; return 0;
        case TCP_CORK: o->cork = v != 0; return 0;
        case TCP_QUICKACK: o->quickack = v != 0; return 0;
        /* the ranges of do_tcp_setsockopt: MAX_TCP_KEEPIDLE, _KEEPINTVL, _KEEPCNT */
        case TCP_KEEPIDLE:
            if (v < 1 || v > 32767)
                return -EINVAL;
            o->keepidle = v;
            return 0;
        case TCP_KEEPINTVL:
            if (v < 1 || v > 32767)
                return -EINVAL;
            o->keepintvl = v;
            return 0;
        case TCP_KEEPCNT:
            if (v < 1 || v > 127)
                return -EINVAL;
            o->keepcnt = v;
            return 0;
        case TCP_USER_TIMEOUT:
            if (v < 0)
                return -EINVAL;
            o->user_timeout_ms = v;
            return 0;
        case TCP_DEFER_ACCEPT: o->defer_accept = opts_secs_to_retrans(v); return 0;
        case TCP_MAXSEG:
            if (v && (v < 88 || v > 32767)) /* TCP_MIN_MSS, MAX_TCP_WINDOW */
                return -EINVAL;
            o->user_mss = v;
            return 0;
        default: return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_IP) {
        /* ip_setsockopt reads an int, or a single byte when that is all */
        if (len >= sizeof(int))
            memcpy(&v, val, sizeof v);
        else if (len >= 1)
            v = *(const unsigned char *)val;
        else
            return -EINVAL;
        switch (name) {
        case IP_TOS: /* a byte; TCP keeps its ECN bits its own */
            o->tos = (v & 0xff) & (o->type == SOCK_STREAM ? ~3 : 0xff);
            return 0;
        case IP_PKTINFO: o->pktinfo = v != 0; return 0;
        case IP_RECVTOS: o->recvtos = v != 0; return 0;
        case IP_RECVERR: o->recverr = v != 0; return 0;
        case IP_TTL: /* -1: the default */
            if (v != -1 && (v < 1 || v > 255))
                return -EINVAL;
            o->ttl = v;
            return 0;
        default: return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_IPV6) {
        if (name == IPV6_V6ONLY && bound)
            return -EINVAL;
        int r = opts_read_int(val, len, &v);
        if (r < 0)
            return r;
        switch (name) {
        case IPV6_V6ONLY: o->v6only = v != 0; return 0;
        case IPV6_TCLASS: /* -1 is the default, 0; TCP keeps its ECN bits */
            if (v < -1 || v > 255)
                return -EINVAL;
            o->tclass = (v < 0 ? 0 : v) & (o->type == SOCK_STREAM ? ~3 : 0xff);
            return 0;
        case IPV6_RECVPKTINFO: o->recvpktinfo6 = v != 0; return 0;
        case IPV6_RECVTCLASS: o->recvtclass = v != 0; return 0;
        case IPV6_RECVERR: o->recverr6 = v != 0; return 0;
        case IPV6_UNICAST_HOPS: /* -1: the route's default */
            if (v < -1 || v > 255)
                return -EINVAL;
            o->hops = v;
            return 0;
        default: return -ENOPROTOOPT;
        }
    }
    return -ENOPROTOOPT;
}
