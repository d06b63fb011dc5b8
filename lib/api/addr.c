/*
 * addr.c — Python's address tuples (srr_addr) to and from sockaddrs.
 * Host strings are resolved the way CPython's setipaddr does it: "" is the
 * any address, "<broadcast>" INADDR_BROADCAST, numeric strings are parsed,
 * and names go through the world's resolver (first answer wins).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "internal.h"

static void addr_reset(srr_addr *a)
{
    memset(a, 0, sizeof *a);
    a->family = AF_UNSPEC;
}

static int addr_set_host(srr_addr *a, int family, const char *host, int port)
{
    addr_reset(a);
    if (!host || strlen(host) >= sizeof a->host)
        return -1;
    strcpy(a->host, host);
    a->family = family;
    a->port = port;
    return 0;
}

int srr_addr_inet(srr_addr *a, const char *host, int port)
{
    if (!a)
        return -1;
    return addr_set_host(a, AF_INET, host, port);
}

int srr_addr_inet6(srr_addr *a, const char *host, int port, uint32_t flowinfo, uint32_t scope_id)
{
    if (!a)
        return -1;
    if (addr_set_host(a, AF_INET6, host, port) < 0)
        return -1;
    a->flowinfo = flowinfo;
    a->scope_id = scope_id;
    return 0;
}

static int addr_set_path(srr_addr *a, const void *path, size_t len)
{
    addr_reset(a);
    if (!path || len > sizeof a->path)
        return -1;
    memcpy(a->path, path, len);
    a->pathlen = len;
    a->family = AF_UNIX;
    return 0;
}

int srr_addr_unix(srr_addr *a, const char *path)
{
    if (!a)
        return -1;
    /* a filesystem path needs room for its terminating NUL in sun_path */
    if (path && strlen(path) >= SRR_PATH_MAX) {
        addr_reset(a);
        return -1;
    }
    return addr_set_path(a, path, path ? strlen(path) : 0);
}

int srr_addr_unix_abstract(srr_addr *a, const void *name, size_t len)
{
    if (!a)
        return -1;
    if (!name || len > SRR_PATH_MAX - 1) {
        addr_reset(a);
        return -1;
    }
    addr_reset(a);
    a->path[0] = '\0';
    memcpy(a->path + 1, name, len);
    a->pathlen = len + 1;
    a->family = AF_UNIX;
    return 0;
}

char *srr_addr_format(const srr_addr *a, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    switch (a ? a->family : AF_UNSPEC) {
    case AF_UNSPEC:
        snprintf(buf, len, a ? "(family 0)" : "(null)");
        break;
    case AF_INET:
        snprintf(buf, len, "%s:%d", a->host, a->port);
        break;
    case AF_INET6:
        snprintf(buf, len, "[%s]:%d", a->host, a->port);
        break;
    case AF_UNIX:
        if (a->pathlen == 0)
            snprintf(buf, len, "(unnamed)");
        else if (a->path[0] == '\0')
            snprintf(buf, len, "@%.*s", (int)(a->pathlen - 1), a->path + 1);
        else
            snprintf(buf, len, "%.*s", (int)a->pathlen, a->path);
        break;
    default:
        snprintf(buf, len, "(family %d)", a->family);
        break;
    }
    return buf;
}

int srr_addr_from_sockaddr(srr_addr *a, const struct sockaddr *sa, socklen_t len, srr_error *err)
{
    if (!a || !sa)
        return srr__err_value(err, "address is NULL");
    addr_reset(a);
    if (len < (socklen_t)sizeof(sa_family_t))
        return srr__err_value(err, "address length %u is too short", (unsigned)len);
    int v6 = sa->sa_family == AF_INET6;
    switch (sa->sa_family) {
    case AF_INET:
    case AF_INET6: {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (len < (socklen_t)(v6 ? sizeof *in6 : sizeof *in))
            return srr__err_value(err, "%s address length %u is too short",
                                  v6 ? "AF_INET6" : "AF_INET", (unsigned)len);
        inet_ntop(sa->sa_family, v6 ? (const void *)&in6->sin6_addr : (const void *)&in->sin_addr,
                  a->host, sizeof a->host);
        a->port = ntohs(v6 ? in6->sin6_port : in->sin_port);
        if (v6) {
            a->flowinfo = ntohl(in6->sin6_flowinfo);
            a->scope_id = in6->sin6_scope_id;
        }
        break;
    }
    case AF_UNIX: {
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        size_t n = len > offsetof(struct sockaddr_un, sun_path)
                       ? len - offsetof(struct sockaddr_un, sun_path)
                       : 0;
        if (n > sizeof un->sun_path)
            n = sizeof un->sun_path;
        /* A filesystem name ends at its NUL; an abstract one is all n bytes. */
        if (n > 0 && un->sun_path[0] != '\0')
            n = strnlen(un->sun_path, n);
        memcpy(a->path, un->sun_path, n);
        a->pathlen = n;
        break;
    }
    default:
        return srr__err_value(err, "unsupported address family %d", sa->sa_family);
    }
    a->family = sa->sa_family;
    return 0;
}

static int addr_set_port(struct sockaddr_storage *ss, int port)
{
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    return 0;
}

/* The first answer of a world's getaddrinfo, checked: worlds that build
 * answers from recorded or fuzzed data must not overflow the caller. */
static int addr_take_first(srr_world *w, struct addrinfo *res, struct sockaddr_storage *ss,
                           socklen_t *len, int port, srr_error *err)
{
    int ok =
        res && res->ai_addr &&
        ((res->ai_addr->sa_family == AF_INET && res->ai_addrlen == sizeof(struct sockaddr_in)) ||
         (res->ai_addr->sa_family == AF_INET6 && res->ai_addrlen == sizeof(struct sockaddr_in6)));
    if (ok) {
        memcpy(ss, res->ai_addr, res->ai_addrlen);
        *len = res->ai_addrlen;
    }
    if (res)
        w->ops->freeaddrinfo(w, res);
    if (!ok)
        return srr__err_gai(err, EAI_FAIL, 0);
    return addr_set_port(ss, port);
}

int srr__resolve_host(srr_world *w, const char *host, int af, int port, struct sockaddr_storage *ss,
                      socklen_t *len, srr_error *err)
{
    memset(ss, 0, sizeof *ss);
    if (!host)
        return srr__err_value(err, "host is NULL");
    if (port < 0 || port > 65535)
        return srr__err_value(err, "port must be 0-65535, not %d", port);

    if (host[0] == '\0') { /* the any address, for the family asked for */
        struct addrinfo hints = {
            .ai_family = af, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE};
        struct addrinfo *res = NULL;
        int sys = 0;
        int r = w->ops->getaddrinfo(w, NULL, "0", &hints, &res, &sys);
        if (r != 0)
            return srr__err_gai(err, r, sys);
        if (res && res->ai_next) {
            w->ops->freeaddrinfo(w, res);
            return srr__err_os_msg(err, EINVAL, "wildcard resolved to multiple address");
        }
        return addr_take_first(w, res, ss, len, port, err);
    }
    if (strcmp(host, "<broadcast>") == 0 || strcmp(host, "255.255.255.255") == 0) {
        if (af != AF_INET && af != AF_UNSPEC)
            return srr__err_os_msg(err, EAFNOSUPPORT, "address family mismatched");
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_BROADCAST);
        *len = sizeof *in;
        return addr_set_port(ss, port);
    }
    /* Numeric fast path: no resolver call for the common case. */
    if (af == AF_INET || af == AF_UNSPEC) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
            in->sin_family = AF_INET;
            *len = sizeof *in;
            return addr_set_port(ss, port);
        }
    }
    if (af == AF_INET6 || af == AF_UNSPEC) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
            in6->sin6_family = AF_INET6;
            *len = sizeof *in6;
            return addr_set_port(ss, port);
        }
    }
    struct addrinfo hints = {.ai_family = af, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *res = NULL;
    int sys = 0;
    int r = w->ops->getaddrinfo(w, host, NULL, &hints, &res, &sys);
    if (r != 0)
        return srr__err_gai(err, r, sys);
    return addr_take_first(w, res, ss, len, port, err);
}

int srr__addr_to_sockaddr(srr_world *w, int sock_family, const srr_addr *a,
                          struct sockaddr_storage *ss, socklen_t *len, srr_error *err)
{
    if (!a)
        return srr__err_value(err, "address is NULL");
    if (a->family == AF_UNSPEC)
        return srr__err_value(err, "address is unset or was invalid when made");
    if (a->family != sock_family)
        return srr__err_value(err, "address family %d does not match the socket's family %d",
                              a->family, sock_family);
    switch (a->family) {
    case AF_INET:
        if (memchr(a->host, '\0', sizeof a->host) == NULL)
            return srr__err_value(err, "host is not NUL-terminated");
        return srr__resolve_host(w, a->host, AF_INET, a->port, ss, len, err);
    case AF_INET6: {
        if (memchr(a->host, '\0', sizeof a->host) == NULL)
            return srr__err_value(err, "host is not NUL-terminated");
        if (a->flowinfo > 0xfffff)
            return srr__err_value(err, "flowinfo must be 0-1048575");
        if (srr__resolve_host(w, a->host, AF_INET6, a->port, ss, len, err) < 0)
            return -1;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_flowinfo = htonl(a->flowinfo);
        if (a->scope_id)
            in6->sin6_scope_id = a->scope_id;
        return 0;
    }
    case AF_UNIX: {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        int abstract = a->pathlen > 0 && a->path[0] == '\0';
        /* a filesystem path needs room for its NUL, which the length counts (CPython) */
        if (a->pathlen > sizeof un->sun_path || (!abstract && a->pathlen >= sizeof un->sun_path))
            return srr__err_os_msg(err, ENAMETOOLONG, "AF_UNIX path too long");
        memset(ss, 0, sizeof *ss);
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, a->path, a->pathlen);
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + a->pathlen +
                           (!abstract && a->pathlen > 0));
        return 0;
    }
    default:
        return srr__err_value(err, "unsupported address family %d", a->family);
    }
}
