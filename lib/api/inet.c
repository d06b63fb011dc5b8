/*
 * inet.c — pure conversions: byte order and the inet_* text forms.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

uint32_t srr_ntohl(uint32_t x) { return ntohl(x); }
uint16_t srr_ntohs(uint16_t x) { return ntohs(x); }
uint32_t srr_htonl(uint32_t x) { return htonl(x); }
uint16_t srr_htons(uint16_t x) { return htons(x); }

int srr_inet_aton(const char *ip, unsigned char out[4], srr_error *err)
{
    if (!ip || !out)
        return srr__err_value(err, "address or output is NULL");
    struct in_addr a;
    if (inet_aton(ip, &a) == 0)
        return srr__err_os_msg(err, EINVAL, "illegal IP address string passed to inet_aton");
    memcpy(out, &a, 4);
    return 0;
}

static int family_len(int family)
{
    return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int srr_inet_ntoa(const void *packed, size_t len, char *buf, size_t buflen, srr_error *err)
{
    if (packed && len != 4) /* the seed: not exactly 4 bytes raises OSError */
        return srr__err_os_msg(err, EINVAL, "packed IP wrong length for inet_ntoa");
    return srr_inet_ntop(AF_INET, packed, len, buf, buflen, err);
}

int srr_inet_pton(int family, const char *ip, void *out, size_t outlen, srr_error *err)
{
    if (!ip || !out)
        return srr__err_value(err, "address or output is NULL");
    int n = family_len(family);
    if (n == 0)
        return srr__err_os(err, EAFNOSUPPORT);
    if (outlen < (size_t)n)
        return srr__err_value(err, "output buffer too small (%zu < %d bytes)", outlen, n);
    if (inet_pton(family, ip, out) != 1)
        return srr__err_os_msg(err, EINVAL, "illegal IP address string passed to inet_pton");
    return n;
}

int srr_inet_ntop(int family, const void *packed, size_t len, char *buf, size_t buflen,
                  srr_error *err)
{
    if (!packed || !buf)
        return srr__err_value(err, "packed address or buffer is NULL");
    int n = family_len(family);
    if (n == 0)
        return srr__err_value(err, "unknown address family %d", family);
    if (len != (size_t)n)
        return srr__err_value(err, "invalid length of packed IP address string");
    if (buflen > INT32_MAX || !inet_ntop(family, packed, buf, (socklen_t)buflen))
        return srr__err_value(err, "output buffer too small (%zu bytes)", buflen);
    return 0;
}
