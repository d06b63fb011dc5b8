/*
 * resolver_calls.c — names: getaddrinfo, freeaddrinfo, getnameinfo,
 * gethostbyname, gethostbyname2, gethostbyname_r, gethostbyname2_r,
 * gethostbyaddr, gethostbyaddr_r, gethostname.  All go to the world, so
 * the trace holds the answers (socket_wrapper leaves the resolver alone).
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdlib.h>

#include "preload.h"
#include "grow.h"

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    srr_world *w = srr__preload_world();
    if (!w || !res)
        return LIBC(getaddrinfo)(node, service, hints, res);
    int e = errno, sys = 0;
    int r = w->ops->getaddrinfo(w, node, service, hints, res, &sys);
    errno = r == EAI_SYSTEM ? sys : e;
    return r;
}

void freeaddrinfo(struct addrinfo *res)
{
    srr_world *w = srr__preload_world();
    if (!w) {
        LIBC(freeaddrinfo)(res);
        return;
    }
    if (res)
        w->ops->freeaddrinfo(w, res);
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
                char *serv, socklen_t servlen, int flags)
{
    srr_world *w = srr__preload_world();
    if (!w || !sa)
        return LIBC(getnameinfo)(sa, salen, host, hostlen, serv, servlen, flags);
    int e = errno, sys = 0;
    int r = w->ops->getnameinfo(w, sa, salen, host, hostlen, serv, servlen, flags, &sys);
    errno = r == EAI_SYSTEM ? sys : e;
    return r;
}

/* glibc's _r calls return an errno value (ERANGE: a bigger buffer, please). */
static int hostent_ret(int r, struct hostent **result)
{
    if (r < 0) {
        *result = NULL;
        errno = -r;
        return -r;
    }
    return 0;
}

int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf, size_t buflen,
                     struct hostent **result, int *h_errnop)
{
    srr_world *w = srr__preload_world();
    if (!w || !name || !ret || !buf || !result || !h_errnop)
        return LIBC(gethostbyname2_r)(name, af, ret, buf, buflen, result, h_errnop);
    return hostent_ret(w->ops->gethostbyname2_r(w, name, af, ret, buf, buflen, result, h_errnop),
                       result);
}

int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                    struct hostent **result, int *h_errnop)
{
    return gethostbyname2_r(name, AF_INET, ret, buf, buflen, result, h_errnop);
}

int gethostbyaddr_r(const void *addr, socklen_t len, int type, struct hostent *ret, char *buf,
                    size_t buflen, struct hostent **result, int *h_errnop)
{
    srr_world *w = srr__preload_world();
    if (!w || !addr || !ret || !buf || !result || !h_errnop)
        return LIBC(gethostbyaddr_r)(addr, len, type, ret, buf, buflen, result, h_errnop);
    return hostent_ret(
        w->ops->gethostbyaddr_r(w, addr, len, type, ret, buf, buflen, result, h_errnop), result);
}

/* The non-reentrant forms: one answer per thread (glibc keeps one per
 * process), in a buffer that grows until the answer fits. */
static __thread struct hostent host_static;
static __thread char *host_buf;
static __thread size_t host_buflen;

static struct hostent *host_call(const char *name, int af, const void *addr, socklen_t len)
{
    struct hostent *result = NULL;
    int herr = 0;
    for (;;) {
        if (!host_buf && srr__grow((void **)&host_buf, &host_buflen, 1024, 1) < 0) {
            h_errno = NETDB_INTERNAL;
            errno = ENOMEM;
            return NULL;
        }
        int r = name ? gethostbyname2_r(name, af, &host_static, host_buf, host_buflen, &result,
                                        &herr)
                     : gethostbyaddr_r(addr, len, af, &host_static, host_buf, host_buflen,
                                       &result, &herr);
        if (r != ERANGE)
            break;
        if (srr__grow((void **)&host_buf, &host_buflen, host_buflen + 1, 1) < 0) {
            h_errno = NETDB_INTERNAL;
            errno = ENOMEM;
            return NULL;
        }
    }
    if (!result)
        h_errno = herr;
    return result;
}

struct hostent *gethostbyname(const char *name)
{
    return host_call(name, AF_INET, NULL, 0);
}

struct hostent *gethostbyname2(const char *name, int af)
{
    return host_call(name, af, NULL, 0);
}

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
    return host_call(NULL, type, addr, len);
}

int gethostname(char *name, size_t len)
{
    srr_world *w = srr__preload_world();
    if (!w)
        return LIBC(gethostname)(name, len);
    int e = errno;
    return (int)srr__ret(w->ops->gethostname(w, name, len), e);
}
