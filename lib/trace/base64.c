/*
 * base64.c — RFC 4648 base64 with padding, for trace payloads.  The encoder
 * is on the tap's hot path: a table lookup per 6 bits, no branches per byte.
 */
#include <errno.h>
#include <stdlib.h>

#include "trace.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t srr__b64_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

size_t srr__b64_encode(const void *in, size_t len, char *out)
{
    const unsigned char *p = in;
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = b64_alphabet[(v >> 6) & 63];
        o[3] = b64_alphabet[v & 63];
        o += 4;
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
        o[3] = '=';
        o += 4;
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* The value of each byte as a base64 digit, or -1: a table the compiler
 * fills, one load a digit when a trace is read. */
#define B64_VAL(c)                                                                                 \
    ((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'                                                        \
     : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26                                                   \
     : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52                                                   \
     : (c) == '+'               ? 62                                                               \
     : (c) == '/'               ? 63                                                               \
                                : -1)
#define B64_1(c) (signed char)(B64_VAL(c)) /* a cast: clang weighs the branches not taken too */
#define B64_4(c) B64_1(c), B64_1((c) + 1), B64_1((c) + 2), B64_1((c) + 3)
#define B64_16(c) B64_4(c), B64_4((c) + 4), B64_4((c) + 8), B64_4((c) + 12)
#define B64_64(c) B64_16(c), B64_16((c) + 16), B64_16((c) + 32), B64_16((c) + 48)
static const signed char b64_values[256] = {B64_64(0), B64_64(64), B64_64(128), B64_64(192)};

/* The digits of one quad as 24 bits, or -1 when one is not a digit: four
 * loads and one test, since a non-digit's value is negative. */
static int32_t b64_quad(const char *q)
{
    int32_t a = b64_values[(unsigned char)q[0]], b = b64_values[(unsigned char)q[1]];
    int32_t c = b64_values[(unsigned char)q[2]], d = b64_values[(unsigned char)q[3]];
    if ((a | b | c | d) < 0)
        return -1;
    return a << 18 | b << 12 | c << 6 | d;
}

/* The last quad, where "xx==" and "xxx=" may end the text: its 24 bits and
 * *pad, or -1. */
static int32_t b64_last(const char *q, int *pad)
{
    char t[4] = {q[0], q[1], q[2], q[3]};
    *pad = t[3] == '=' ? (t[2] == '=' ? 2 : 1) : 0;
    for (int k = 4 - *pad; k < 4; k++)
        t[k] = 'A'; /* a zero digit in place of the padding */
    return b64_quad(t);
}

int srr__b64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (inlen % 4 != 0)
        return -EINVAL;
    unsigned char *buf = malloc(inlen / 4 * 3 + 1);
    if (!buf)
        return -ENOMEM;
    size_t n = 0, body = inlen ? inlen - 4 : 0;
    for (size_t i = 0; i < body; i += 4) {
        int32_t w = b64_quad(in + i);
        if (w < 0)
            goto bad;
        buf[n] = (unsigned char)(w >> 16);
        buf[n + 1] = (unsigned char)(w >> 8);
        buf[n + 2] = (unsigned char)w;
        n += 3;
    }
    if (inlen) {
        int pad;
        int32_t w = b64_last(in + body, &pad);
        if (w < 0)
            goto bad;
        buf[n++] = (unsigned char)(w >> 16);
        if (pad < 2)
            buf[n++] = (unsigned char)(w >> 8);
        if (pad < 1)
            buf[n++] = (unsigned char)w;
    }
    *out = buf;
    *outlen = n;
    return 0;
bad:
    free(buf);
    return -EINVAL;
}

size_t srr__b64_decoded_len(const char *in, size_t inlen)
{
    if (inlen < 4)
        return 0;
    return inlen / 4 * 3 - (in[inlen - 1] == '=') - (in[inlen - 2] == '=');
}

int srr__b64_valid(const char *in, size_t inlen)
{
    if (inlen % 4 != 0)
        return 0;
    if (inlen == 0)
        return 1;
    size_t body = inlen - 4;
    for (size_t i = 0; i < body; i += 4)
        if (b64_quad(in + i) < 0)
            return 0;
    int pad;
    return b64_last(in + body, &pad) >= 0;
}
