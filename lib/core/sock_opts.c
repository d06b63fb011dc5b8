/*
 * sock_opts.c — a socket's options, as Linux answers them (sock_opts.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/time.h>

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

int srr__opts_get(const srr_sockopts *o, int level, int name, void *val, socklen_t *len)
{
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
        default: return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_TCP && opts_tcp(o) && name == TCP_NODELAY)
        return srr__opts_int(val, len, o->nodelay);
    if (level == IPPROTO_IPV6 && o->family == AF_INET6 && name == IPV6_V6ONLY)
        return srr__opts_int(val, len, o->v6only);
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
        case SO_RCVBUF:
            v = v > SRR_UDP_BUF ? SRR_UDP_BUF : v;
            o->rcvbuf = v < 1152 ? 2304 : 2 * v;
            return 1;
        case SO_SNDBUF:
            v = v > SRR_UDP_BUF ? SRR_UDP_BUF : v;
            o->sndbuf = v < 2304 ? 4608 : 2 * v;
            return 1;
        case SO_REUSEADDR: o->reuseaddr = v != 0; return 0;
        case SO_REUSEPORT: o->reuseport = v != 0; return 0;
        case SO_BROADCAST: o->broadcast = v != 0; return 0;
        case SO_KEEPALIVE: o->keepalive = v != 0; return 0;
        default: return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_TCP && opts_tcp(o) && name == TCP_NODELAY) {
        int r = opts_read_int(val, len, &v);
        if (r == 0)
            o->nodelay = v != 0;
        return r;
    }
    if (level == IPPROTO_IPV6 && o->family == AF_INET6 && name == IPV6_V6ONLY) {
        if (bound)
            return -EINVAL;
        int r = opts_read_int(val, len, &v);
        if (r == 0)
            o->v6only = v != 0;
        return r;
    }
    return -ENOPROTOOPT;
}
