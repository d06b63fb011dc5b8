/*
 * sock_rules.c — Linux's answers from a socket's kind alone (sock_rules.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/un.h>

#include "sock_rules.h"

static int rule_type_ok(int domain, int base)
{
    if (base == SOCK_STREAM || base == SOCK_DGRAM)
        return 1;
    return base == SOCK_SEQPACKET && domain == AF_UNIX;
}

static int rule_proto_ok(int domain, int base, int protocol)
{
    if (domain == AF_UNIX)
        return protocol == 0 || protocol == PF_UNIX;
    if (protocol == 0)
        return 1;
    return base == SOCK_STREAM ? protocol == IPPROTO_TCP : protocol == IPPROTO_UDP;
}

/* -err, with why saying what the worlds do not model (fmt), or "" */
static int rule_refuse(int err, char *why, size_t whylen, const char *fmt, int a, int b)
{
    if (why && whylen)
        snprintf(why, whylen, fmt, a, b);
    return -err;
}

int srr__rule_socket(int domain, int base, int protocol, char *why, size_t whylen)
{
    if (why && whylen)
        why[0] = '\0';
    if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX)
        return rule_refuse(EAFNOSUPPORT, why, whylen, "socket family %d", domain, 0);
    /* af_unix: the protocol, then the type */
    if (domain == AF_UNIX) {
        if (!rule_proto_ok(domain, base, protocol))
            return -EPROTONOSUPPORT;
        return rule_type_ok(domain, base) ? 0
                                          : rule_refuse(ESOCKTNOSUPPORT, why, whylen,
                                                        "socket type %d in family %d", base,
                                                        domain);
    }
    /* af_inet, af_inet6: a protocol out of range, a type no protocol of the
     * family has, a protocol the type has not; raw sockets exist in Linux,
     * the worlds do not model them */
    if (protocol < 0 || protocol >= IPPROTO_MAX)
        return -EINVAL;
    if (base == SOCK_RAW)
        return rule_refuse(EPROTONOSUPPORT, why, whylen, "socket type %d in family %d", base,
                           domain);
    if (!rule_type_ok(domain, base))
        return -ESOCKTNOSUPPORT;
    if (!rule_proto_ok(domain, base, protocol))
        return rule_refuse(EPROTONOSUPPORT, why, whylen, "protocol %d for socket type %d",
                           protocol, base);
    return 0;
}

int srr__rule_socketpair(int domain)
{
    if (domain == AF_UNIX)
        return 0;
    return domain == AF_INET || domain == AF_INET6 ? -EOPNOTSUPP : -EAFNOSUPPORT;
}

int srr__rule_default_proto(int domain, int base)
{
    if (domain == AF_UNIX)
        return 0;
    return base == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
}

static socklen_t rule_inet_len(int family)
{
    return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

int srr__rule_bind_addr(int family, const struct sockaddr *sa, socklen_t len, socklen_t *own)
{
    if (family == AF_UNIX) {
        if (sa->sa_family != AF_UNIX || len > sizeof(struct sockaddr_un))
            return -EINVAL;
        if (len < offsetof(struct sockaddr_un, sun_path))
            return -EINVAL; /* the family alone asks for an autobind name */
        *own = len;
        return 0;
    }
    socklen_t want = rule_inet_len(family);
    if (len < want)
        return -EINVAL;
    /* AF_INET takes AF_UNSPEC with the any address, for old programs */
    int unspec_any = family == AF_INET && sa->sa_family == AF_UNSPEC &&
                     ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
    if (sa->sa_family != family && !unspec_any)
        return -EAFNOSUPPORT;
    *own = want;
    return 0;
}

int srr__rule_stream_connect_addr(int family, const struct sockaddr *sa, socklen_t len,
                                  socklen_t *own)
{
    if (family == AF_UNIX) {
        if (len <= offsetof(struct sockaddr_un, sun_path) || sa->sa_family != AF_UNIX)
            return -EINVAL;
        *own = len;
        return 0;
    }
    socklen_t want = rule_inet_len(family);
    if (len < want)
        return -EINVAL;
    if (sa->sa_family != family)
        return -EAFNOSUPPORT;
    *own = want;
    return 0;
}

int srr__rule_dgram_peer(int family, const struct sockaddr *sa, socklen_t *len)
{
    /* ip4_datagram_connect, the IPv6 one and unix_dgram_connect */
    if (family == AF_UNIX) {
        if (*len <= offsetof(struct sockaddr_un, sun_path) || *len > sizeof(struct sockaddr_un) ||
            sa->sa_family != AF_UNIX)
            return -EINVAL;
        return 0;
    }
    socklen_t want = rule_inet_len(family);
    if (family == AF_INET6 && sa->sa_family == AF_INET)
        return -EAFNOSUPPORT; /* a v4-mapped peer: not modelled */
    if (*len < want)
        return -EINVAL;
    if (sa->sa_family != family)
        return -EAFNOSUPPORT;
    *len = want;
    return 0;
}

/* The address a datagram names: 0 one to send to, 1 none, or the errno.
 * A name of length 0 is one to UDP (udp_sendmsg refuses it; sendto passes
 * it on) and none to AF_UNIX. */
static int rule_dgram_dest(int family, const struct sockaddr *sa, socklen_t namelen)
{
    if (!sa || (family == AF_UNIX && namelen == 0))
        return 1;
    if (family == AF_UNIX) {
        if (namelen <= offsetof(struct sockaddr_un, sun_path) ||
            namelen > sizeof(struct sockaddr_un) || sa->sa_family != AF_UNIX)
            return -EINVAL;
        return 0;
    }
    if (namelen < sizeof(sa_family_t))
        return -EINVAL;
    if (family == AF_INET6 && sa->sa_family != AF_INET6) {
        /* udpv6_sendmsg: AF_UNSPEC is no address; AF_INET goes the IPv4
         * way, which the worlds do not model */
        if (sa->sa_family == AF_UNSPEC)
            return 1;
        return sa->sa_family == AF_INET ? -EAFNOSUPPORT : -EINVAL;
    }
    if (namelen < rule_inet_len(family))
        return -EINVAL;
    if (sa->sa_family != family)
        return -EAFNOSUPPORT;
    uint16_t port = family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port
                                      : ((const struct sockaddr_in6 *)sa)->sin6_port;
    return port == 0 ? -EINVAL : 0;
}

int srr__rule_dgram_send(int family, size_t size, int flags, const struct sockaddr *sa,
                         socklen_t namelen)
{
    /* udp_sendmsg's order: the size, MSG_OOB, then the address */
    if (family != AF_UNIX && size > 0xffff)
        return -EMSGSIZE;
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    return rule_dgram_dest(family, sa, namelen);
}
