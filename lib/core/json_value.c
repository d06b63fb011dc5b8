/*
 * json_value.c — what a parsed tree (json.h) offers its readers: lookups
 * that take NULL and wrong types as jansson's do, type names, the compact
 * text of a value (for messages that quote the offending token), and the
 * member paths that errors name.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

/* ------------------------------------------------------------ lookups */

const srr_json_member *srr__json_member(const srr_json *obj, const char *key)
{
    if (!obj || obj->type != SRR_JSON_OBJECT)
        return NULL;
    /* Objects are small (a trace event has about fifteen members): a scan
     * that compares lengths first beats hashing the key. */
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const srr_json_member *m = &obj->u.obj.members[i];
        if (m->keylen == n && memcmp(m->key, key, n) == 0)
            return m;
    }
    return NULL;
}

const srr_json *srr__json_get(const srr_json *obj, const char *key)
{
    const srr_json_member *m = srr__json_member(obj, key);
    return m ? &m->value : NULL;
}

int srr__json_is(const srr_json *v, srr_json_type t)
{
    return v && v->type == t;
}

int srr__json_is_true(const srr_json *v)
{
    return v && v->type == SRR_JSON_BOOL && v->u.boolean;
}

int64_t srr__json_int(const srr_json *v)
{
    return v && v->type == SRR_JSON_INT ? v->u.integer : 0;
}

const char *srr__json_str(const srr_json *v)
{
    return v && v->type == SRR_JSON_STRING ? v->u.str.s : NULL;
}

size_t srr__json_strlen(const srr_json *v)
{
    return v && v->type == SRR_JSON_STRING ? v->u.str.len : 0;
}

size_t srr__json_size(const srr_json *v)
{
    return v && v->type == SRR_JSON_ARRAY ? v->u.arr.n : 0;
}

const srr_json *srr__json_at(const srr_json *v, size_t i)
{
    return i < srr__json_size(v) ? &v->u.arr.items[i] : NULL;
}

const char *srr__json_type_name(srr_json_type t)
{
    switch (t) {
    case SRR_JSON_NULL: return "null";
    case SRR_JSON_BOOL: return "boolean";
    case SRR_JSON_INT: return "integer";
    case SRR_JSON_REAL: return "number";
    case SRR_JSON_STRING: return "string";
    case SRR_JSON_ARRAY: return "array";
    case SRR_JSON_OBJECT: return "object";
    }
    return "?";
}

/* ------------------------------------------------------------ dumping */

/* Output that counts what it could not keep, as snprintf does. */
typedef struct jd_out {
    char *buf;
    size_t cap, n;
} jd_out;

static void jd_put(jd_out *o, const char *s, size_t k)
{
    if (o->n < o->cap) {
        size_t room = o->cap - o->n;
        memcpy(o->buf + o->n, s, k < room ? k : room);
    }
    o->n += k;
}

/* The escapes of jansson's output, so messages and lines read as before:
 * two-character escapes where JSON has them, \u00XX (upper case) for the
 * other control characters, everything else (UTF-8 included) as it is. */
const char *srr__json_escape(unsigned char c, char e[7])
{
    if (c >= 0x20 && c != '"' && c != '\\')
        return NULL;
    const char *two = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b"
                    : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                    : c == '\t' ? "\\t" : NULL;
    if (two)
        memcpy(e, two, 3);
    else
        snprintf(e, 7, "\\u%04X", c);
    return e;
}

static void jd_string(jd_out *o, const char *s, size_t len)
{
    jd_put(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        char e[7];
        if (!srr__json_escape((unsigned char)s[i], e))
            continue;
        jd_put(o, s + run, i - run);
        jd_put(o, e, strlen(e));
        run = i + 1;
    }
    jd_put(o, s + run, len - run);
    jd_put(o, "\"", 1);
}

/* A real as jansson writes it: %.17g with a '.' (whatever the locale), at
 * least one of '.' and 'e', and no '+' or leading zeros in the exponent. */
static void jd_real(jd_out *o, double d)
{
    char b[48];
    int n = snprintf(b, sizeof b - 3, "%.17g", d);
    if (n < 0 || (size_t)n >= sizeof b - 3)
        n = 0;
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
        char *at = strchr(b, dp[0]);
        if (at)
            *at = '.';
    }
    if (!strchr(b, '.') && !strchr(b, 'e')) {
        memcpy(b + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(b, 'e');
    if (e) {
        char *from = e + 1, *to = e + 1;
        if (*from == '-')
            from++, to++;
        else if (*from == '+')
            from++;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, strlen(from) + 1);
        n = (int)strlen(b);
    }
    jd_put(o, b, (size_t)n);
}

static void jd_value(jd_out *o, const srr_json *v)
{
    char b[24];
    switch (v->type) {
    case SRR_JSON_NULL: jd_put(o, "null", 4); return;
    case SRR_JSON_BOOL:
        if (v->u.boolean)
            jd_put(o, "true", 4);
        else
            jd_put(o, "false", 5);
        return;
    case SRR_JSON_INT:
        jd_put(o, b, (size_t)snprintf(b, sizeof b, "%lld", (long long)v->u.integer));
        return;
    case SRR_JSON_REAL: jd_real(o, v->u.real); return;
    case SRR_JSON_STRING: jd_string(o, v->u.str.s, v->u.str.len); return;
    case SRR_JSON_ARRAY:
        jd_put(o, "[", 1);
        for (size_t i = 0; i < v->u.arr.n; i++) {
            if (i)
                jd_put(o, ",", 1);
            jd_value(o, &v->u.arr.items[i]);
        }
        jd_put(o, "]", 1);
        return;
    case SRR_JSON_OBJECT:
        jd_put(o, "{", 1);
        for (size_t i = 0; i < v->u.obj.n; i++) {
            const srr_json_member *m = &v->u.obj.members[i];
            if (i)
                jd_put(o, ",", 1);
            jd_string(o, m->key, m->keylen);
            jd_put(o, ":", 1);
            jd_value(o, &m->value);
        }
        jd_put(o, "}", 1);
        return;
    }
}

size_t srr__json_dump(const srr_json *v, char *buf, size_t len)
{
    jd_out o = {.buf = buf, .cap = len ? len - 1 : 0};
    if (v)
        jd_value(&o, v);
    if (len)
        buf[o.n < o.cap ? o.n : o.cap] = '\0';
    return o.n;
}

/* --------------------------------------------------------------- paths */

size_t srr__json_path_key(char *path, size_t cap, size_t *plen, const char *key)
{
    size_t old = *plen, n = old;
    int ok = 1;
    if (n > 0 && n + 1 < cap)
        path[n++] = '.';
    if (!*key)
        key = "\"\""; /* so the empty key still shows */
    for (const unsigned char *k = (const unsigned char *)key; *k && ok; k++) {
        if (*k < 0x20 || *k == 0x7f) {
            if (n + 4 < cap)
                n += (size_t)snprintf(path + n, cap - n, "\\x%02x", *k);
            else
                ok = 0;
        } else if (n + 1 < cap) {
            path[n++] = (char)*k;
        } else {
            ok = 0;
        }
    }
    if (!ok && cap > 4)
        memcpy(path + cap - 4, "...", 3), n = cap - 1;
    path[n] = '\0';
    *plen = n;
    return old;
}

size_t srr__json_path_index(char *path, size_t cap, size_t *plen, size_t i)
{
    size_t old = *plen;
    char b[32];
    int m = snprintf(b, sizeof b, "[%zu]", i);
    if (old + (size_t)m < cap) {
        memcpy(path + old, b, (size_t)m + 1);
        *plen = old + (size_t)m;
    } else if (cap > 4) {
        memcpy(path + cap - 4, "...", 4);
        *plen = cap - 1;
    }
    return old;
}

void srr__json_path_cut(char *path, size_t *plen, size_t len)
{
    *plen = len;
    path[len] = '\0';
}
