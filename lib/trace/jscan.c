/*
 * jscan.c — members out of one JSON object, in place (jscan.h).  Values
 * are checked for shape (strings closed, brackets balanced, literals
 * spelled) while they are skipped, so a truncated or garbled line is an
 * error, not a silently wrong member.
 */
#include <stdlib.h>
#include <string.h>

#include "jscan.h"

typedef struct js {
    const char *p, *end;
} js;

static void js_ws(js *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* At a '"': past the closing quote; *escaped when a backslash was seen. */
static int js_string(js *s, int *escaped)
{
    const char *q = s->p + 1;
    for (;;) {
        const char *e = memchr(q, '"', (size_t)(s->end - q));
        if (!e)
            return -1;
        /* the quote ends the string unless an odd run of backslashes precedes it */
        const char *b = e;
        while (b > q && b[-1] == '\\')
            b--;
        if ((e - b) % 2 == 0) {
            if (escaped && memchr(s->p + 1, '\\', (size_t)(e - s->p - 1)))
                *escaped = 1;
            s->p = e + 1;
            return 0;
        }
        q = e + 1;
    }
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
        if (*s->p == '-')
            s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
            return -1;
        while (s->p < s->end && ((*s->p >= '0' && *s->p <= '9') || *s->p == '.' ||
                                 *s->p == 'e' || *s->p == 'E' || *s->p == '+' || *s->p == '-'))
            s->p++;
        rc = 0;
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

int srr__jscan_object(const char *p, size_t n, const char *const *keys, srr_jsval *vals,
                      size_t nkeys, size_t *bad)
{
    js s = {p, p + n};
    memset(vals, 0, nkeys * sizeof *vals);
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
        for (size_t i = 0; i < nkeys; i++)
            if (vals[i].type == SRR_JS_NONE && keys[i][0] == k[0] &&
                strncmp(keys[i], k, klen) == 0 && keys[i][klen] == '\0') {
                vals[i] = v;
                break;
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
    if (v->type != SRR_JS_NUMBER || v->n == 0 || v->n > 19)
        return -1;
    size_t i = v->p[0] == '-';
    if (i == v->n)
        return -1;
    int64_t x = 0;
    for (; i < v->n; i++) {
        if (v->p[i] < '0' || v->p[i] > '9')
            return -1; /* a fraction or an exponent */
        x = x * 10 + (v->p[i] - '0');
    }
    *out = v->p[0] == '-' ? -x : x;
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
