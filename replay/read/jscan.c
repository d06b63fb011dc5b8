/*
 * jscan.c — members out of one JSON object, in place (jscan.h).  Values
 * are checked for shape (strings closed, brackets balanced, literals
 * spelled) while they are skipped, so a truncated or garbled line is an
 * error, not a silently wrong member.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "jscan.h"

typedef struct js {
    const char *p, *end;
} js;

static void js_ws(js *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* The first byte in [c, end) that ends a run of plain string bytes: a
 * quote, a backslash or a control character; end when none.  Sixteen
 * bytes at a time where SSE2 is (every x86-64), one at a time elsewhere. */
static const char *js_special(const char *c, const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f);
    while (end - c >= 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)c);
        /* unsigned b <= 0x1f: min(b, 0x1f) == b */
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, quote), _mm_cmpeq_epi8(b, bslash)),
                                   _mm_cmpeq_epi8(_mm_min_epu8(b, ctl), b));
        int mask = _mm_movemask_epi8(hit);
        if (mask)
            return c + __builtin_ctz((unsigned)mask);
        c += 16;
    }
#endif
    while (c < end && *c != '"' && *c != '\\' && (unsigned char)*c >= 0x20)
        c++;
    return c;
}

/* At a '"': past the closing quote; *escaped when a backslash was seen. */
static int js_string(js *s, int *escaped)
{
    const char *c = s->p + 1, *end = s->end;
    for (;;) {
        c = js_special(c, end);
        if (c == end || (unsigned char)*c < 0x20)
            return -1; /* unterminated, or a control character not escaped */
        if (*c == '"') {
            s->p = c + 1;
            return 0;
        }
        /* a backslash: the character after it is taken as it is */
        if (escaped)
            *escaped = 1;
        if (end - c < 2)
            return -1;
        c += 2;
    }
}

static int js_digits(js *s)
{
    const char *d = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > d ? 0 : -1;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int js_number(js *s)
{
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (js_digits(s) < 0)
        return -1;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (js_digits(s) < 0)
            return -1;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (js_digits(s) < 0)
            return -1;
    }
    return 0;
}

static int js_value(js *s, srr_jsval *v, int depth);

static int js_container(js *s, char close, int depth)
{
    if (depth > 64)
        return -1;
    s->p++;
    js_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return 0;
    }
    for (;;) {
        js_ws(s);
        if (close == '}') {
            if (s->p >= s->end || *s->p != '"' || js_string(s, NULL) < 0)
                return -1;
            js_ws(s);
            if (s->p >= s->end || *s->p++ != ':')
                return -1;
            js_ws(s);
        }
        if (js_value(s, NULL, depth + 1) < 0)
            return -1;
        js_ws(s);
        if (s->p >= s->end)
            return -1;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p++ == close)
            return 0;
        return -1;
    }
}

static int js_literal(js *s, const char *word, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return -1;
    s->p += n;
    return 0;
}

static int js_value(js *s, srr_jsval *v, int depth)
{
    const char *start = s->p;
    srr_js_type t;
    int escaped = 0, rc;
    if (s->p >= s->end)
        return -1;
    switch (*s->p) {
    case '"': t = SRR_JS_STRING; rc = js_string(s, &escaped); break;
    case '{': t = SRR_JS_OBJECT; rc = js_container(s, '}', depth); break;
    case '[': t = SRR_JS_ARRAY; rc = js_container(s, ']', depth); break;
    case 't': t = SRR_JS_TRUE; rc = js_literal(s, "true", 4); break;
    case 'f': t = SRR_JS_FALSE; rc = js_literal(s, "false", 5); break;
    case 'n': t = SRR_JS_NULL; rc = js_literal(s, "null", 4); break;
    default:
        t = SRR_JS_NUMBER;
        rc = js_number(s);
    }
    if (rc < 0)
        return -1;
    if (v) {
        v->type = t;
        v->escaped = escaped;
        if (t == SRR_JS_STRING) {
            v->p = start + 1;
            v->n = (size_t)(s->p - start - 2);
        } else {
            v->p = start;
            v->n = (size_t)(s->p - start);
        }
    }
    return 0;
}

static size_t js_hash(const char *k, size_t n)
{
    if (!n)
        return 0;
    return (n * 7 + (unsigned char)k[0] * 3 + (unsigned char)k[n - 1]) % SRR_JSCAN_SLOTS;
}

int srr__jscan_keys(srr_jskeys *k, const char *const *names, size_t n)
{
    memset(k, 0, sizeof *k);
    if (n >= SRR_JSCAN_SLOTS / 2)
        return -1;
    k->names = names;
    k->n = n;
    for (size_t i = 0; i < n; i++) {
        size_t h = js_hash(names[i], strlen(names[i]));
        while (k->slot[h])
            h = (h + 1) % SRR_JSCAN_SLOTS;
        k->slot[h] = (uint8_t)(i + 1);
    }
    return 0;
}

int srr__jscan_object(const char *p, size_t n, const char *const *keys, srr_jsval *vals,
                      size_t nkeys, size_t *bad)
{
    srr_jskeys k;
    if (srr__jscan_keys(&k, keys, nkeys) < 0) {
        if (bad)
            *bad = 0;
        return -1;
    }
    return srr__jscan_with(p, n, &k, vals, bad);
}

int srr__jscan_with(const char *p, size_t n, const srr_jskeys *keys, srr_jsval *vals, size_t *bad)
{
    js s = {p, p + n};
    memset(vals, 0, keys->n * sizeof *vals);
    js_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        goto fail;
    s.p++;
    js_ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
        goto done;
    }
    for (;;) {
        js_ws(&s);
        const char *k = s.p + 1;
        if (s.p >= s.end || *s.p != '"' || js_string(&s, NULL) < 0)
            goto fail;
        size_t klen = (size_t)(s.p - k - 1);
        js_ws(&s);
        if (s.p >= s.end || *s.p++ != ':')
            goto fail;
        js_ws(&s);
        srr_jsval v;
        if (js_value(&s, &v, 1) < 0)
            goto fail;
        for (size_t h = js_hash(k, klen); keys->slot[h]; h = (h + 1) % SRR_JSCAN_SLOTS) {
            /* keys are short: compared in line, stopping at the first
             * difference (a shorter key's NUL is one) */
            size_t i = keys->slot[h] - 1u;
            const char *w = keys->names[i];
            size_t j = 0;
            while (j < klen && w[j] && w[j] == k[j])
                j++;
            if (j == klen && w[j] == '\0') {
                if (vals[i].type == SRR_JS_NONE)
                    vals[i] = v;
                break;
            }
        }
        js_ws(&s);
        if (s.p >= s.end)
            goto fail;
        if (*s.p == ',') {
            s.p++;
            continue;
        }
        if (*s.p++ != '}')
            goto fail;
        break;
    }
done:
    js_ws(&s);
    if (s.p == s.end)
        return 0;
fail:
    if (bad)
        *bad = (size_t)(s.p - p);
    return -1;
}

int srr__jscan_int(const srr_jsval *v, int64_t *out)
{
    if (v->type != SRR_JS_NUMBER || v->n == 0 || v->n > 20)
        return -1;
    int neg = v->p[0] == '-';
    size_t i = (size_t)neg;
    if (i == v->n)
        return -1;
    /* magnitude as unsigned: INT64_MIN's is one more than INT64_MAX */
    uint64_t x = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < v->n; i++) {
        if (v->p[i] < '0' || v->p[i] > '9')
            return -1; /* a fraction or an exponent */
        uint64_t d = (uint64_t)(v->p[i] - '0');
        if (x > (limit - d) / 10)
            return -1; /* does not fit */
        x = x * 10 + d;
    }
    *out = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 0;
}

int srr__jscan_str(const srr_jsval *v, char *buf, size_t len)
{
    if (v->type != SRR_JS_STRING || v->escaped || v->n + 1 > len)
        return -1;
    memcpy(buf, v->p, v->n);
    buf[v->n] = '\0';
    return 0;
}

int srr__jscan_is(const srr_jsval *v, const char *s)
{
    return v->type == SRR_JS_STRING && strlen(s) == v->n && memcmp(v->p, s, v->n) == 0;
}
