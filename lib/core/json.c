/*
 * json.c — the position-keeping JSON parser of json.h: recursive
 * descent (the depth limit bounds the recursion), one pass, every value's
 * line and column taken as it starts.  Columns are kept incrementally
 * (jp_loc only ever moves forward on the current line) so a long one-line
 * file costs linear time.  Duplicate keys are caught as they are read, with
 * a small hash index per open object, so an object of many keys stays
 * linear too.
 */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "grow.h"

typedef struct jp_parser {
    const unsigned char *s;
    size_t len, pos;
    int line;
    size_t col_pos; /* column counted up to here ... */
    int col;        /* ... where the column is this */
    int depth;
    char *sbuf;     /* scratch for a string being decoded */
    size_t scap;
    char path[512];
    size_t plen;
    srr_parse_error *err;
    int failed;
} jp_parser;

/* Line and column of byte off, which is on the current line and not before
 * the last place asked about. */
static void jp_loc(jp_parser *p, size_t off, int *line, int *col)
{
    while (p->col_pos < off) {
        if ((p->s[p->col_pos] & 0xc0) != 0x80)
            p->col++;
        p->col_pos++;
    }
    *line = p->line;
    *col = p->col;
}

static void jp_vfail_at(jp_parser *p, int line, int col, size_t off, int code, const char *fmt,
                        va_list ap)
{
    if (p->failed)
        return;
    p->failed = 1;
    srr__parse_at(p->err, NULL, line, col, (long long)off);
    srr__parse_vfail(p->err, code, p->path, fmt, ap);
}

__attribute__((format(printf, 4, 5))) static void jp_fail(jp_parser *p, size_t off, int code,
                                                          const char *fmt, ...)
{
    int line, col;
    jp_loc(p, off, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    jp_vfail_at(p, line, col, off, code, fmt, ap);
    va_end(ap);
}

/* At a value's place: its line and column (its offset is not kept). */
__attribute__((format(printf, 5, 6))) static void jp_fail_at(jp_parser *p, int line, int col,
                                                             int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jp_vfail_at(p, line, col, (size_t)-1, code, fmt, ap);
    va_end(ap);
}

static void jp_oom(jp_parser *p)
{
    jp_fail(p, p->pos, SRR_PARSE_EIO, "out of memory");
}

/* What stands at off, for "got ..." in messages: a quoted character, a byte
 * in hex, or the end. */
static const char *jp_token(const jp_parser *p, size_t off, char *buf, size_t n)
{
    if (off >= p->len)
        snprintf(buf, n, "end of input");
    else if (p->s[off] >= 0x21 && p->s[off] < 0x7f)
        snprintf(buf, n, "'%c'", p->s[off]);
    else if (p->s[off] == ' ' || p->s[off] == '\t' || p->s[off] == '\n' || p->s[off] == '\r')
        snprintf(buf, n, "whitespace");
    else
        snprintf(buf, n, "byte 0x%02x", p->s[off]);
    return buf;
}

static void jp_skip_ws(jp_parser *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c == '\n') {
            p->pos++;
            p->line++;
            p->col_pos = p->pos;
            p->col = 1;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else {
            break;
        }
    }
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

/* ---------------------------------------------------------------- values */

static int jp_value(jp_parser *p, srr_json *v);

static int jp_sput(jp_parser *p, size_t *n, const void *b, size_t k)
{
    if (srr__grow((void **)&p->sbuf, &p->scap, *n + k + 1, 1) < 0)
        return jp_oom(p), -1;
    memcpy(p->sbuf + *n, b, k);
    *n += k;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t jp_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        k = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        k = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (n < k || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < k; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return k;
}

static int jp_hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

static size_t jp_utf8_put(unsigned cp, unsigned char *b)
{
    if (cp < 0x80)
        return b[0] = (unsigned char)cp, 1;
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    b[0] = (unsigned char)(0xf0 | cp >> 18);
    b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    b[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A \uXXXX escape (and its low half when it is a high surrogate) at p->pos,
 * which is the backslash. */
static int jp_escape_u(jp_parser *p, size_t *n)
{
    size_t at = p->pos;
    unsigned cp, lo;
    if (p->len - p->pos < 6 || jp_hex4(p->s + p->pos + 2, &cp) < 0)
        return jp_fail(p, at, SRR_PARSE_EJSON, "not JSON: \\u needs four hex digits"), -1;
    p->pos += 6;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return jp_fail(p, at, SRR_PARSE_EJSON, "not JSON: unpaired surrogate \\u%04x", cp), -1;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (p->len - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
            jp_hex4(p->s + p->pos + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
            return jp_fail(p, at, SRR_PARSE_EJSON, "not JSON: unpaired surrogate \\u%04x", cp),
                   -1;
        p->pos += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    if (cp == 0)
        return jp_fail(p, at, SRR_PARSE_EJSON,
                       "not JSON: \\u0000 (NUL) is not allowed in a string"),
               -1;
    unsigned char b[4];
    return jp_sput(p, n, b, jp_utf8_put(cp, b));
}

/* A string at p->pos (the opening quote); *out gets a malloc'd copy. */
static int jp_string(jp_parser *p, char **out, size_t *outlen)
{
    size_t n = 0;
    p->pos++;
    for (;;) {
        size_t run = p->pos;
        while (run < p->len && p->s[run] >= 0x20 && p->s[run] < 0x80 && p->s[run] != '"' &&
               p->s[run] != '\\')
            run++;
        if (run > p->pos && jp_sput(p, &n, p->s + p->pos, run - p->pos) < 0)
            return -1;
        p->pos = run;
        if (p->pos >= p->len)
            return jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: unterminated string"), -1;
        unsigned char c = p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c == '\\') {
            if (p->pos + 1 >= p->len)
                return jp_fail(p, p->pos + 1, SRR_PARSE_EJSON, "not JSON: unterminated string"), -1;
            unsigned char e = p->s[p->pos + 1];
            const char *m = strchr("\"\\/bfnrt", e);
            if (e == 'u') {
                if (jp_escape_u(p, &n) < 0)
                    return -1;
                continue;
            }
            if (!m || e == '\0') {
                if (e >= 0x21 && e < 0x7f)
                    return jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: invalid escape '\\%c'",
                                   e),
                           -1;
                return jp_fail(p, p->pos, SRR_PARSE_EJSON,
                               "not JSON: invalid escape: '\\' then byte 0x%02x", e),
                       -1;
            }
            char d = "\"\\/\b\f\n\r\t"[m - "\"\\/bfnrt"];
            if (jp_sput(p, &n, &d, 1) < 0)
                return -1;
            p->pos += 2;
            continue;
        }
        if (c < 0x20) {
            if (c == 0)
                return jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: NUL byte in a string"), -1;
            return jp_fail(p, p->pos, SRR_PARSE_EJSON,
                           "not JSON: control character 0x%02x in a string (escape it)", c),
                   -1;
        }
        size_t k = jp_utf8_len(p->s + p->pos, p->len - p->pos);
        if (k == 0)
            return jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: invalid UTF-8 byte 0x%02x", c),
                   -1;
        if (jp_sput(p, &n, p->s + p->pos, k) < 0)
            return -1;
        p->pos += k;
    }
    char *s = malloc(n + 1);
    if (!s)
        return jp_oom(p), -1;
    if (n)
        memcpy(s, p->sbuf, n);
    s[n] = '\0';
    *out = s;
    *outlen = n;
    return 0;
}

static int jp_digit(const jp_parser *p, size_t i)
{
    return i < p->len && p->s[i] >= '0' && p->s[i] <= '9';
}

/* The text of a number for messages: at most 40 characters. */
static void jp_numtext(const jp_parser *p, size_t from, size_t to, char *buf, size_t n)
{
    size_t k = to - from;
    if (k > 40)
        snprintf(buf, n, "%.37s...", (const char *)p->s + from);
    else
        snprintf(buf, n, "%.*s", (int)k, (const char *)p->s + from);
}

static int jp_number(jp_parser *p, srr_json *v)
{
    size_t start = p->pos, i = p->pos;
    int neg = 0, real = 0;
    if (p->s[i] == '-')
        neg = 1, i++;
    if (!jp_digit(p, i)) {
        char t[32];
        return jp_fail(p, i, SRR_PARSE_EJSON, "not JSON: expected a digit after '-', got %s",
                       jp_token(p, i, t, sizeof t)),
               -1;
    }
    if (p->s[i] == '0' && jp_digit(p, i + 1))
        return jp_fail(p, i, SRR_PARSE_EJSON, "not JSON: a number cannot start with 0"), -1;
    while (jp_digit(p, i))
        i++;
    if (i < p->len && p->s[i] == '.') {
        real = 1;
        if (!jp_digit(p, ++i))
            return jp_fail(p, i, SRR_PARSE_EJSON, "not JSON: expected a digit after '.'"), -1;
        while (jp_digit(p, i))
            i++;
    }
    if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
        real = 1;
        i++;
        if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
            i++;
        if (!jp_digit(p, i))
            return jp_fail(p, i, SRR_PARSE_EJSON, "not JSON: expected a digit in the exponent"),
                   -1;
        while (jp_digit(p, i))
            i++;
    }
    p->pos = i;
    char t[48];
    if (!real) {
        /* Accumulate negatively: INT64_MIN has no positive counterpart. */
        int64_t acc = 0;
        for (size_t k = start + (size_t)neg; k < i; k++) {
            int d = p->s[k] - '0';
            if (acc < (INT64_MIN + d) / 10) {
                jp_numtext(p, start, i, t, sizeof t);
                jp_fail_at(p, v->line, v->column, SRR_PARSE_EVALUE,
                           "integer out of range (64 bits): %s", t);
                return -1;
            }
            acc = acc * 10 - d;
        }
        if (!neg && acc == INT64_MIN) {
            jp_numtext(p, start, i, t, sizeof t);
            jp_fail_at(p, v->line, v->column, SRR_PARSE_EVALUE,
                       "integer out of range (64 bits): %s", t);
            return -1;
        }
        v->type = SRR_JSON_INT;
        v->u.integer = neg ? acc : -acc;
        return 0;
    }
    /* strtod reads the locale's decimal point: swap it in, as jansson does. */
    size_t n = 0;
    if (jp_sput(p, &n, p->s + start, i - start) < 0)
        return -1;
    p->sbuf[n] = '\0';
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] != '.' && dp[0] && !dp[1]) {
        char *dot = strchr(p->sbuf, '.');
        if (dot)
            *dot = dp[0];
    }
    errno = 0;
    double d = strtod(p->sbuf, NULL);
    if (errno == ERANGE && (d > 1.0 || d < -1.0)) {
        jp_numtext(p, start, i, t, sizeof t);
        jp_fail_at(p, v->line, v->column, SRR_PARSE_EVALUE, "number out of range: %s", t);
        return -1;
    }
    v->type = SRR_JSON_REAL;
    v->u.real = d;
    return 0;
}

static int jp_is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int jp_literal(jp_parser *p, srr_json *v)
{
    size_t i = p->pos;
    while (i < p->len && i - p->pos < 16 && jp_is_word(p->s[i]))
        i++;
    size_t k = i - p->pos;
    const char *w = (const char *)p->s + p->pos;
    if (k == 4 && memcmp(w, "true", 4) == 0)
        v->type = SRR_JSON_BOOL, v->u.boolean = 1;
    else if (k == 5 && memcmp(w, "false", 5) == 0)
        v->type = SRR_JSON_BOOL, v->u.boolean = 0;
    else if (k == 4 && memcmp(w, "null", 4) == 0)
        v->type = SRR_JSON_NULL;
    else
        return jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: invalid literal \"%.*s%s\"", (int)k,
                       w, i < p->len && jp_is_word(p->s[i]) ? "..." : ""),
               -1;
    p->pos = i;
    return 0;
}

static int jp_array(jp_parser *p, srr_json *v)
{
    size_t cap = 0;
    char t[32];
    v->type = SRR_JSON_ARRAY;
    p->pos++;
    jp_skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return 0;
    }
    for (;;) {
        if (srr__grow((void **)&v->u.arr.items, &cap, v->u.arr.n + 1, sizeof *v->u.arr.items) < 0)
            return jp_oom(p), -1;
        size_t saved = srr__json_path_index(p->path, sizeof p->path, &p->plen, v->u.arr.n);
        srr_json *item = &v->u.arr.items[v->u.arr.n];
        memset(item, 0, sizeof *item);
        v->u.arr.n++;
        if (jp_value(p, item) < 0)
            return -1;
        srr__json_path_cut(p->path, &p->plen, saved);
        jp_skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == ']') {
            p->pos++;
            return 0;
        }
        return jp_fail(p, p->pos, SRR_PARSE_EJSON,
                       "not JSON: expected ',' or ']' after an array element, got %s",
                       jp_token(p, p->pos, t, sizeof t)),
               -1;
    }
}

/* An open object's keys, hashed to member index + 1 (0 = empty slot). */
typedef struct jp_keyset {
    uint32_t *slots;
    size_t cap; /* a power of two, or 0 */
} jp_keyset;

static uint64_t jp_hash(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
    return h;
}

/* The earlier member with member[idx]'s key, or NULL after adding idx. */
static const srr_json_member *jp_keyset_add(jp_parser *p, jp_keyset *ks, srr_json_member *m,
                                            size_t idx, int *oom)
{
    *oom = 0;
    if ((idx + 1) * 2 > ks->cap) {
        size_t nc = ks->cap ? ks->cap * 2 : 16;
        uint32_t *ns = calloc(nc, sizeof *ns);
        if (!ns)
            return jp_oom(p), *oom = 1, NULL;
        for (size_t i = 0; i < idx; i++) {
            size_t h = (size_t)jp_hash(m[i].key, m[i].keylen) & (nc - 1);
            while (ns[h])
                h = (h + 1) & (nc - 1);
            ns[h] = (uint32_t)(i + 1);
        }
        free(ks->slots);
        ks->slots = ns;
        ks->cap = nc;
    }
    size_t h = (size_t)jp_hash(m[idx].key, m[idx].keylen) & (ks->cap - 1);
    while (ks->slots[h]) {
        const srr_json_member *o = &m[ks->slots[h] - 1];
        if (o->keylen == m[idx].keylen && memcmp(o->key, m[idx].key, o->keylen) == 0)
            return o;
        h = (h + 1) & (ks->cap - 1);
    }
    ks->slots[h] = (uint32_t)(idx + 1);
    return NULL;
}

static int jp_object(jp_parser *p, srr_json *v)
{
    size_t cap = 0;
    jp_keyset ks = {0};
    char t[32];
    int rc = -1;
    v->type = SRR_JSON_OBJECT;
    p->pos++;
    jp_skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return 0;
    }
    for (;;) {
        if (p->pos >= p->len || p->s[p->pos] != '"') {
            jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: expected a string key, got %s",
                    jp_token(p, p->pos, t, sizeof t));
            goto out;
        }
        if (v->u.obj.n >= UINT32_MAX - 1 ||
            srr__grow((void **)&v->u.obj.members, &cap, v->u.obj.n + 1,
                      sizeof *v->u.obj.members) < 0) {
            jp_oom(p);
            goto out;
        }
        srr_json_member *m = &v->u.obj.members[v->u.obj.n];
        memset(m, 0, sizeof *m);
        v->u.obj.n++;
        jp_loc(p, p->pos, &m->line, &m->column);
        if (jp_string(p, &m->key, &m->keylen) < 0)
            goto out;
        size_t saved = srr__json_path_key(p->path, sizeof p->path, &p->plen, m->key);
        int oom;
        const srr_json_member *dup = jp_keyset_add(p, &ks, v->u.obj.members, v->u.obj.n - 1, &oom);
        if (oom)
            goto out;
        if (dup) {
            jp_fail_at(p, m->line, m->column, SRR_PARSE_EDUPLICATE,
                       "duplicate key \"%.100s\" (first at line %d, column %d)", m->key, dup->line,
                       dup->column);
            goto out;
        }
        jp_skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') {
            jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: expected ':' after the key, got %s",
                    jp_token(p, p->pos, t, sizeof t));
            goto out;
        }
        p->pos++;
        if (jp_value(p, &m->value) < 0)
            goto out;
        srr__json_path_cut(p->path, &p->plen, saved);
        jp_skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            jp_skip_ws(p);
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == '}') {
            p->pos++;
            rc = 0;
            goto out;
        }
        jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: expected ',' or '}' after a member, got %s",
                jp_token(p, p->pos, t, sizeof t));
        goto out;
    }
out:
    free(ks.slots);
    return rc;
}

/* Any value, after optional whitespace. */
static int jp_value(jp_parser *p, srr_json *v)
{
    char t[32];
    jp_skip_ws(p);
    jp_loc(p, p->pos, &v->line, &v->column);
    if (p->pos >= p->len)
        return jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: expected a value, got end of input"),
               -1;
    unsigned char c = p->s[p->pos];
    if (c == '{' || c == '[') {
        if (p->depth >= SRR_JSON_MAX_DEPTH)
            return jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: nested deeper than %d levels",
                           SRR_JSON_MAX_DEPTH),
                   -1;
        p->depth++;
        int rc = c == '{' ? jp_object(p, v) : jp_array(p, v);
        p->depth--;
        return rc;
    }
    if (c == '"') {
        v->type = SRR_JSON_STRING;
        return jp_string(p, &v->u.str.s, &v->u.str.len);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return jp_number(p, v);
    if (jp_is_word(c))
        return jp_literal(p, v);
    return jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: expected a value, got %s",
                   jp_token(p, p->pos, t, sizeof t)),
           -1;
}

/* ------------------------------------------------------------------ API */

static void jp_free_inner(srr_json *v)
{
    if (v->type == SRR_JSON_STRING) {
        free(v->u.str.s);
    } else if (v->type == SRR_JSON_ARRAY) {
        for (size_t i = 0; i < v->u.arr.n; i++)
            jp_free_inner(&v->u.arr.items[i]);
        free(v->u.arr.items);
    } else if (v->type == SRR_JSON_OBJECT) {
        for (size_t i = 0; i < v->u.obj.n; i++) {
            free(v->u.obj.members[i].key);
            jp_free_inner(&v->u.obj.members[i].value);
        }
        free(v->u.obj.members);
    }
}

void srr__json_free(srr_json *v)
{
    if (!v)
        return;
    jp_free_inner(v);
    free(v);
}

srr_json *srr__json_parse(const char *text, size_t len, const char *source,
                              srr_parse_error *err)
{
    jp_parser p = {.s = (const unsigned char *)text, .len = len, .line = 1, .col = 1, .err = err};
    memset(err, 0, sizeof *err);
    snprintf(err->source, sizeof err->source, "%s", source ? source : "<string>");
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        p.pos = p.col_pos = 3;
    srr_json *v = calloc(1, sizeof *v);
    if (!v) {
        jp_oom(&p);
        return NULL;
    }
    jp_skip_ws(&p);
    if (p.pos >= p.len) {
        jp_fail(&p, p.pos, SRR_PARSE_EJSON, "not JSON: empty input");
    } else if (jp_value(&p, v) == 0) {
        jp_skip_ws(&p);
        if (p.pos < p.len) {
            char t[32];
            jp_fail(&p, p.pos, SRR_PARSE_EJSON, "not JSON: %s after the value",
                    jp_token(&p, p.pos, t, sizeof t));
        }
    }
    free(p.sbuf);
    if (p.failed) {
        srr__json_free(v);
        return NULL;
    }
    return v;
}

const srr_json_member *srr__json_member(const srr_json *obj, const char *key)
{
    if (!obj || obj->type != SRR_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->u.obj.n; i++)
        if (strcmp(obj->u.obj.members[i].key, key) == 0)
            return &obj->u.obj.members[i];
    return NULL;
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
