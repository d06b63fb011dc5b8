/*
 * addrstr.c — addresses, families and types as trace strings
 * (docs/trace-format.md, "Address strings").
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "trace.h"

static void addr_unix(const struct sockaddr_un *un, socklen_t len, char *buf, size_t buflen)
{
    size_t n = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
    if (n > sizeof un->sun_path)
        n = sizeof un->sun_path;
    if (n == 0) {
        buf[0] = '\0';
        return;
    }
    if (un->sun_path[0] != '\0') {
        snprintf(buf, buflen, "%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
        return;
    }
    /* abstract: '@' then the name, unprintable bytes as \xHH */
    size_t o = 0;
    if (o + 1 < buflen)
        buf[o++] = '@';
    for (size_t i = 1; i < n && o + 5 < buflen; i++) {
        unsigned char c = (unsigned char)un->sun_path[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, buflen - o, "\\x%02x", c);
    }
    buf[o] = '\0';
}

char *srr__sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen)
{
    char host[INET6_ADDRSTRLEN];
    if (!buf || buflen == 0)
        return buf;
    buf[0] = '\0';
    if (!sa || len < (socklen_t)sizeof(sa_family_t))
        return buf;
    switch (sa->sa_family) {
    case AF_INET: {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        if (len < (socklen_t)sizeof *in)
            break;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(buf, buflen, "%s:%u", host, ntohs(in->sin_port));
        break;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (len < (socklen_t)sizeof *in6)
            break;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        if (in6->sin6_scope_id)
            snprintf(buf, buflen, "[%s%%%u]:%u", host, in6->sin6_scope_id, ntohs(in6->sin6_port));
        else
            snprintf(buf, buflen, "[%s]:%u", host, ntohs(in6->sin6_port));
        break;
    }
    case AF_UNIX:
        addr_unix((const struct sockaddr_un *)sa, len, buf, buflen);
        break;
    default:
        snprintf(buf, buflen, "family=%d", sa->sa_family);
        break;
    }
    return buf;
}

/* The families and types a trace names, and the lookup of one: its name,
 * else its number in buf. */
typedef struct addr_name {
    int value;
    const char *name;
} addr_name;

static const addr_name addr_families[] = {
    {AF_INET, "AF_INET"}, {AF_INET6, "AF_INET6"}, {AF_UNIX, "AF_UNIX"}, {0, NULL}};
static const addr_name addr_stypes[] = {{SOCK_STREAM, "SOCK_STREAM"},
                                        {SOCK_DGRAM, "SOCK_DGRAM"},
                                        {SOCK_SEQPACKET, "SOCK_SEQPACKET"},
                                        {SOCK_RAW, "SOCK_RAW"},
                                        {0, NULL}};

static const char *addr_named(const addr_name *t, int value, char *buf, size_t len)
{
    for (; t->name; t++)
        if (t->value == value)
            return t->name;
    snprintf(buf, len, "%d", value);
    return buf;
}

const char *srr__family_name(int family, char *buf, size_t len)
{
    return addr_named(addr_families, family, buf, len);
}

const char *srr__stype_name(int type, char *buf, size_t len)
{
    const char *name = addr_named(addr_stypes, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), buf, len);
    if (name == buf) /* a number the writer knows no name for keeps its flags */
        snprintf(buf, len, "%d", type);
    return name;
}

int srr__sockaddr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (!s || !*s)
        return -1;
    char host[INET6_ADDRSTRLEN + 64];
    const char *port;
    int v6 = s[0] == '[';
    uint32_t scope = 0;
    if (v6) {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof host)
            return -1;
        memcpy(host, s + 1, (size_t)(end - s - 1));
        host[end - s - 1] = '\0';
        char *pct = strchr(host, '%');
        if (pct) {
            *pct = '\0';
            scope = (uint32_t)strtoul(pct + 1, NULL, 10);
        }
        port = end + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host)
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        port = colon + 1;
    }
    char *end;
    errno = 0;
    unsigned long p = strtoul(port, &end, 10);
    if (!*port || *end || errno || p > 65535)
        return -1;
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return -1;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)p);
        a->sin6_scope_id = scope;
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return -1;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)p);
        *len = sizeof *a;
    }
    return 0;
}

size_t srr__addr_host_len(const char *s)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (srr__sockaddr_parse(s, &ss, &len) < 0)
        return 0;
    return (size_t)(strrchr(s, ':') - s);
}
