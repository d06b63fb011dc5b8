/*
 * jline.c — see jline.h.
 */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "jline.h"
#include "json.h"
#include "trace.h"

void srr__jl_reset(srr_jline *l)
{
    l->len = 0;
    l->oom = 0;
    l->first = 1;
}

void srr__jl_free(srr_jline *l)
{
    free(l->buf);
    memset(l, 0, sizeof *l);
}

int srr__jl_reserve(srr_jline *l, size_t n)
{
    if (l->oom)
        return -1;
    if (l->len + n <= l->cap)
        return 0;
    if (srr__grow((void **)&l->buf, &l->cap, l->len + n, 1) < 0) {
        l->oom = 1;
        return -1;
    }
    return 0;
}

void srr__jl_raw(srr_jline *l, const char *s, size_t n)
{
    if (srr__jl_reserve(l, n) < 0)
        return;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/* ,"key": (or just the comma inside an array) */
static void jl_key(srr_jline *l, const char *key)
{
    size_t k = key ? strlen(key) : 0;
    if (srr__jl_reserve(l, k + 4) < 0)
        return;
    char *p = l->buf + l->len;
    if (!l->first)
        *p++ = ',';
    l->first = 0;
    if (key) {
        *p++ = '"';
        memcpy(p, key, k);
        p += k;
        *p++ = '"';
        *p++ = ':';
    }
    l->len = (size_t)(p - l->buf);
}

/* \u00XX for a byte that is not part of any character */
static char *jl_byte(char *p, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    memcpy(p, "\\u00", 4);
    p[4] = hex[c >> 4];
    p[5] = hex[c & 15];
    return p + 6;
}

void srr__jl_int(srr_jline *l, const char *key, int64_t v)
{
    jl_key(l, key);
    if (srr__jl_reserve(l, 21) < 0)
        return;
    char tmp[20];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    char *p = l->buf + l->len;
    if (v < 0)
        *p++ = '-';
    while (n)
        *p++ = tmp[--n];
    l->len = (size_t)(p - l->buf);
}

void srr__jl_strn(srr_jline *l, const char *key, const char *s, size_t n)
{
    jl_key(l, key);
    /* worst case every byte becomes \u00XX */
    if (srr__jl_reserve(l, n * 6 + 2) < 0)
        return;
    char *p = l->buf + l->len;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            /* Bytes outside ASCII are not assumed to be UTF-8: names from
             * the network may be anything, and the line must stay valid JSON. */
            p = jl_byte(p, c);
        } else {
            *p++ = (char)c;
        }
    }
    *p++ = '"';
    l->len = (size_t)(p - l->buf);
}

void srr__jl_text(srr_jline *l, const char *key, const char *s)
{
    if (!s) {
        srr__jl_null(l, key);
        return;
    }
    size_t n = strlen(s);
    jl_key(l, key);
    if (srr__jl_reserve(l, n * 6 + 2) < 0)
        return;
    char *p = l->buf + l->len, e[7];
    *p++ = '"';
    for (size_t i = 0, k; i < n; i += k) {
        unsigned char c = (unsigned char)s[i];
        k = c < 0x80 ? 1 : srr__json_utf8_len(s + i, n - i);
        if (k == 0) {
            p = jl_byte(p, c);
            k = 1;
        } else if (k == 1 && srr__json_escape(c, e)) {
            size_t m = strlen(e);
            memcpy(p, e, m);
            p += m;
        } else {
            memcpy(p, s + i, k);
            p += k;
        }
    }
    *p++ = '"';
    l->len = (size_t)(p - l->buf);
}

void srr__jl_str(srr_jline *l, const char *key, const char *s)
{
    if (!s) {
        srr__jl_null(l, key);
        return;
    }
    srr__jl_strn(l, key, s, strlen(s));
}

void srr__jl_null(srr_jline *l, const char *key)
{
    jl_key(l, key);
    srr__jl_raw(l, "null", 4);
}

void srr__jl_true(srr_jline *l, const char *key)
{
    jl_key(l, key);
    srr__jl_raw(l, "true", 4);
}

void srr__jl_b64(srr_jline *l, const char *key, const void *data, size_t n)
{
    jl_key(l, key);
    size_t need = srr__b64_len(n) + 3;
    if (srr__jl_reserve(l, need) < 0)
        return;
    char *p = l->buf + l->len;
    *p++ = '"';
    p += srr__b64_encode(data, n, p);
    *p++ = '"';
    l->len = (size_t)(p - l->buf);
}

void srr__jl_open(srr_jline *l, const char *key, char bracket)
{
    if (key || !l->first || l->len > 0)
        jl_key(l, key);
    srr__jl_raw(l, &bracket, 1);
    l->first = 1;
}

void srr__jl_close(srr_jline *l, char bracket)
{
    srr__jl_raw(l, &bracket, 1);
    l->first = 0;
}
