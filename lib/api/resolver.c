/*
 * resolver.c — getaddrinfo as a list, the gethostby* family, getfqdn,
 * getnameinfo and the host name, all answered by the world; protocol and
 * service names from the local databases.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int srr_getaddrinfo(srr_world *w, const char *host, const char *port, int family, int type,
                    int proto, int flags, srr_addrinfo_list *out, srr_error *err)
{
    if (!w || !out)
        return srr__err_value(err, "world or out is NULL");
    out->count = 0;
    out->items = NULL;
    struct addrinfo hints = {.ai_family = family, .ai_socktype = type, .ai_protocol = proto,
                             .ai_flags = flags};
    struct addrinfo *res = NULL;
    int sys = 0;
    int r = w->ops->getaddrinfo(w, host, port, &hints, &res, &sys);
    if (r != 0)
        return srr__err_gai(err, r, sys);
    size_t n = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        n++;
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items) {
        w->ops->freeaddrinfo(w, res);
        return srr__err_os(err, ENOMEM);
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        srr_addrinfo *it = &out->items[out->count];
        if (srr_addr_from_sockaddr(&it->addr, ai->ai_addr, ai->ai_addrlen, NULL) < 0)
            continue; /* a family the API has no tuple for */
        it->family = ai->ai_family;
        it->type = ai->ai_socktype;
        it->proto = ai->ai_protocol;
        if (ai->ai_canonname)
            snprintf(it->canonname, sizeof it->canonname, "%s", ai->ai_canonname);
        out->count++;
    }
    w->ops->freeaddrinfo(w, res);
    return 0;
}

void srr_addrinfo_list_free(srr_addrinfo_list *list)
{
    if (list) {
        free(list->items);
        *list = (srr_addrinfo_list){0};
    }
}

void srr_hostent_free(srr_hostent *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->naliases; i++)
        free(h->aliases[i]);
    for (size_t i = 0; i < h->naddrs; i++)
        free(h->addrs[i]);
    free(h->aliases);
    free(h->addrs);
    memset(h, 0, sizeof *h);
}

static char **strv_from(char **src, size_t *count, int af, int addr_len)
{
    size_t n = 0;
    while (src && src[n])
        n++;
    char **v = calloc(n + 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (af) {
            char buf[INET6_ADDRSTRLEN];
            if (addr_len != (af == AF_INET ? 4 : 16) || !inet_ntop(af, src[i], buf, sizeof buf))
                buf[0] = '\0';
            v[i] = strdup(buf);
        } else {
            v[i] = strdup(src[i]);
        }
        if (!v[i]) {
            *count = i;
            return v; /* the caller frees what was made */
        }
    }
    *count = n;
    return v;
}

static int hostent_fill(srr_hostent *out, const struct hostent *h, srr_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", h->h_name ? h->h_name : "");
    size_t na = 0, nd = 0;
    out->aliases = strv_from(h->h_aliases, &na, 0, 0);
    out->naliases = na;
    out->addrs = strv_from(h->h_addr_list, &nd, h->h_addrtype, h->h_length);
    out->naddrs = nd;
    if (!out->aliases || !out->addrs || (h->h_aliases && h->h_aliases[na]) ||
        (h->h_addr_list && h->h_addr_list[nd])) {
        srr_hostent_free(out);
        return srr__err_os(err, ENOMEM);
    }
    return 0;
}

/* The _r calls want a scratch buffer; grow it on ERANGE as glibc expects. */
typedef int (*hostent_call)(srr_world *w, const void *arg, int af, socklen_t len,
                            struct hostent *ret, char *buf, size_t buflen,
                            struct hostent **result, int *h_errnop);

static int by_name(srr_world *w, const void *arg, int af, socklen_t len, struct hostent *ret,
                   char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
    (void)len;
    return w->ops->gethostbyname2_r(w, arg, af, ret, buf, buflen, result, h_errnop);
}

static int by_addr(srr_world *w, const void *arg, int af, socklen_t len, struct hostent *ret,
                   char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
    return w->ops->gethostbyaddr_r(w, arg, len, af, ret, buf, buflen, result, h_errnop);
}

static int hostent_lookup(srr_world *w, hostent_call call, const void *arg, int af, socklen_t len,
                          srr_hostent *out, srr_error *err)
{
    size_t size = 1024;
    for (;;) {
        char *buf = malloc(size);
        if (!buf)
            return srr__err_os(err, ENOMEM);
        struct hostent ret, *result = NULL;
        int h_err = 0;
        int r = call(w, arg, af, len, &ret, buf, size, &result, &h_err);
        if (r == -ERANGE && size < (1u << 20)) {
            free(buf);
            size *= 4;
            continue;
        }
        int rc;
        if (r < 0)
            rc = srr__err_os(err, -r);
        else if (!result)
            rc = srr__err_herror(err, h_err ? h_err : HOST_NOT_FOUND);
        else
            rc = hostent_fill(out, result, err);
        free(buf);
        return rc;
    }
}

int srr_gethostbyname(srr_world *w, const char *name, char *buf, size_t len, srr_error *err)
{
    if (!w || !name || !buf)
        return srr__err_value(err, "world, name or buffer is NULL");
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (srr__resolve_host(w, name, AF_INET, 0, &ss, &sslen, err) < 0)
        return -1;
    char tmp[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, tmp, sizeof tmp);
    if (strlen(tmp) >= len)
        return srr__err_value(err, "buffer too small (%zu bytes) for the address", len);
    strcpy(buf, tmp);
    return 0;
}

/* The arguments of the hostent calls checked, and host resolved as family
 * af into *ss: CPython checks the name resolves before asking the hostent
 * call.  0, or -1 with err set. */
static int hostent_start(srr_world *w, const char *host, const char *what,
                         const srr_hostent *out, int af, struct sockaddr_storage *ss,
                         srr_error *err)
{
    if (!w || !host || !out)
        return srr__err_value(err, "world, %s or out is NULL", what);
    socklen_t sslen;
    return srr__resolve_host(w, host, af, 0, ss, &sslen, err) < 0 ? -1 : 0;
}

int srr_gethostbyname_ex(srr_world *w, const char *name, srr_hostent *out, srr_error *err)
{
    struct sockaddr_storage ss;
    if (hostent_start(w, name, "name", out, AF_INET, &ss, err) < 0)
        return -1;
    return hostent_lookup(w, by_name, name, AF_INET, 0, out, err);
}

int srr_gethostbyaddr(srr_world *w, const char *ip, srr_hostent *out, srr_error *err)
{
    struct sockaddr_storage ss;
    if (hostent_start(w, ip, "address", out, AF_UNSPEC, &ss, err) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return hostent_lookup(w, by_addr, &((struct sockaddr_in *)&ss)->sin_addr, AF_INET, 4, out,
                              err);
    return hostent_lookup(w, by_addr, &((struct sockaddr_in6 *)&ss)->sin6_addr, AF_INET6, 16, out,
                          err);
}

static int copy_out(const char *src, char *buf, size_t len, srr_error *err)
{
    if (strlen(src) >= len)
        return srr__err_value(err, "buffer too small (%zu bytes) for \"%s\"", len, src);
    strcpy(buf, src);
    return 0;
}

int srr_getfqdn(srr_world *w, const char *name, char *buf, size_t len, srr_error *err)
{
    if (!w || !buf || len == 0)
        return srr__err_value(err, "world or buffer is NULL");
    char host[SRR_HOST_MAX];
    /* Python strips the name first */
    const char *start = name ? name + strspn(name, " \t\n\r\f\v") : "";
    size_t n = strlen(start);
    while (n > 0 && strchr(" \t\n\r\f\v", start[n - 1]))
        n--;
    if (n >= sizeof host)
        return srr__err_value(err, "name too long");
    memcpy(host, start, n);
    host[n] = '\0';
    if (!host[0] || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0) {
        if (srr_gethostname(w, host, sizeof host, err) < 0)
            return -1;
    }
    srr_hostent h;
    if (srr_gethostbyaddr(w, host, &h, NULL) < 0)
        return copy_out(host, buf, len, err); /* Python returns the name unchanged */
    /* The first of (hostname, aliases...) with a dot, else hostname. */
    const char *pick = h.name;
    if (!strchr(pick, '.')) {
        for (size_t i = 0; i < h.naliases; i++)
            if (strchr(h.aliases[i], '.')) {
                pick = h.aliases[i];
                break;
            }
    }
    int r = copy_out(pick, buf, len, err);
    srr_hostent_free(&h);
    return r;
}

int srr_gethostname(srr_world *w, char *buf, size_t len, srr_error *err)
{
    if (!w || !buf || len == 0)
        return srr__err_value(err, "world or buffer is NULL");
    int r = w->ops->gethostname(w, buf, len);
    if (r < 0)
        return srr__err_os(err, -r);
    if (!memchr(buf, '\0', len))
        return srr__err_os(err, ENAMETOOLONG);
    return 0;
}

int srr_sethostname(srr_world *w, const char *name, srr_error *err)
{
    if (!w || !name)
        return srr__err_value(err, "world or name is NULL");
    int r = w->ops->sethostname(w, name, strlen(name));
    return r < 0 ? srr__err_os(err, -r) : 0;
}

int srr_getnameinfo(srr_world *w, const srr_addr *addr, int flags, char *host, size_t hostlen,
                    char *serv, size_t servlen, srr_error *err)
{
    if (!w || !addr || !host || !serv || hostlen == 0 || servlen == 0)
        return srr__err_value(err, "world, address or buffers are NULL");
    if (addr->family != AF_INET && addr->family != AF_INET6)
        return srr__err_value(err, "getnameinfo() argument 1 must be an IPv4 or IPv6 address");
    if (addr->port < 0 || addr->port > 65535)
        return srr__err_value(err, "port must be 0-65535, not %d", addr->port);
    if (addr->flowinfo > 0xfffff)
        return srr__err_value(err, "flowinfo must be 0-1048575.");
    if (!memchr(addr->host, '\0', sizeof addr->host))
        return srr__err_value(err, "host is not NUL-terminated");
    /* CPython resolves the host numerically only, then asks for names. */
    char port[8];
    snprintf(port, sizeof port, "%d", addr->port);
    struct addrinfo hints = {.ai_family = addr->family, .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_NUMERICHOST};
    struct addrinfo *res = NULL;
    int sys = 0;
    int r = w->ops->getaddrinfo(w, addr->host, port, &hints, &res, &sys);
    if (r != 0)
        return srr__err_gai(err, r, sys);
    if (!res || res->ai_next || !res->ai_addr ||
        res->ai_addrlen > sizeof(struct sockaddr_storage)) {
        int many = res && res->ai_next;
        if (res)
            w->ops->freeaddrinfo(w, res);
        return many ? srr__err_os_msg(err, EINVAL, "sockaddr resolved to multiple addresses")
                    : srr__err_gai(err, EAI_FAIL, 0);
    }
    struct sockaddr_storage ss;
    socklen_t sslen = res->ai_addrlen;
    memcpy(&ss, res->ai_addr, sslen);
    w->ops->freeaddrinfo(w, res);
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_flowinfo = htonl(addr->flowinfo);
        in6->sin6_scope_id = addr->scope_id;
    }
    r = w->ops->getnameinfo(w, (struct sockaddr *)&ss, sslen, host, (socklen_t)hostlen, serv,
                            (socklen_t)servlen, flags, &sys);
    return r != 0 ? srr__err_gai(err, r, sys) : 0;
}

int srr_getprotobyname(const char *name, srr_error *err)
{
    if (!name)
        return srr__err_value(err, "name is NULL");
    struct protoent pe, *res = NULL;
    char buf[1024];
    if (getprotobyname_r(name, &pe, buf, sizeof buf, &res) != 0 || !res)
        return srr__err_os_msg(err, ENOENT, "protocol not found");
    return res->p_proto;
}

int srr_getservbyname(const char *name, const char *proto, srr_error *err)
{
    if (!name)
        return srr__err_value(err, "name is NULL");
    struct servent se, *res = NULL;
    char buf[1024];
    if (getservbyname_r(name, proto, &se, buf, sizeof buf, &res) != 0 || !res)
        return srr__err_os_msg(err, ENOENT, "service/proto not found");
    return ntohs((uint16_t)res->s_port);
}

int srr_getservbyport(int port, const char *proto, char *buf, size_t len, srr_error *err)
{
    if (!buf || len == 0)
        return srr__err_value(err, "buffer is NULL");
    if (port < 0 || port > 65535)
        return srr__err_value(err, "getservbyport: port must be 0-65535.");
    struct servent se, *res = NULL;
    char tmp[1024];
    if (getservbyport_r(htons((uint16_t)port), proto, &se, tmp, sizeof tmp, &res) != 0 || !res)
        return srr__err_os_msg(err, ENOENT, "port/proto not found");
    return copy_out(res->s_name, buf, len, err);
}
