/*
 * json.c — the position-keeping JSON parser of json.h: recursive descent
 * (the depth limit bounds the recursion), one pass, every value's line and
 * column taken as it starts.  Columns are kept incrementally (jp_loc only
 * ever moves forward on the current line) so a long one-line file costs
 * linear time.  Duplicate keys are caught as they are read: by comparing
 * with the earlier keys in a small object, with a hash index once an
 * object has more than JP_SCAN_KEYS, so an object of many keys stays
 * linear too.
 *
 * The tree goes into one arena (a few malloc calls per parse, not one per
 * value): a trace line is parsed per event, and its base64 payload is one
 * string among some thirty values.  An array's items and an object's
 * members pile up on the parser's two stacks while the container is open,
 * and are copied into the arena, exactly sized, when it closes.
 *
 * Its divisions, in order: the parser, its arena, positions and errors;
 * strings (UTF-8, escapes); numbers and literals; containers (arrays,
 * objects, duplicate keys); the API (parse, free).
 */
#include <errno.h>
#include <locale.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "grow.h"

/* Up to this many keys an object's duplicates are found by comparing. */
#define JP_SCAN_KEYS 8

/* The arena: the first block holds the document and room after it; more
 * blocks are chained when it runs out. */
typedef struct jp_block {
    struct jp_block *next;
    max_align_t room[]; /* the block's bytes */
} jp_block;

typedef struct jp_doc {
    srr_json root;    /* first: the root's address is the document's */
    jp_block *blocks; /* blocks after the first */
    char *cur, *end;  /* free room in the newest block */
    size_t last;      /* the newest block's size */
} jp_doc;

/* Where a value being read sits in its container, for err->field. */
typedef struct jp_frame {
    const char *key; /* the member's key, or NULL */
    size_t index;    /* the array item's index, when in_item */
    int in_item;
} jp_frame;

typedef struct jp_parser {
    const unsigned char *s;
    size_t len, pos;
    int line;
    size_t col_pos; /* column counted up to here ... */
    int col;        /* ... where the column is this */
    int depth;
    jp_doc *doc;
    char *sbuf;     /* scratch for a string being decoded */
    size_t scap;
    srr_json *items; /* the open arrays' items so far, innermost last */
    size_t nitems, items_cap;
    srr_json_member *members; /* the open objects' members so far */
    size_t nmembers, members_cap;
    jp_frame frames[SRR_JSON_MAX_DEPTH];
    srr_parse_error *err;
    int failed;
} jp_parser;

/* n bytes from the arena, aligned for a value; NULL when out of memory. */
static void *jp_alloc(jp_parser *p, size_t n)
{
    jp_doc *d = p->doc;
    n = (n + alignof(srr_json) - 1) & ~(alignof(srr_json) - 1);
    if ((size_t)(d->end - d->cur) < n) {
        size_t size = d->last * 2 > n ? d->last * 2 : n;
        jp_block *b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->next = d->blocks;
        d->blocks = b;
        d->cur = (char *)b->room;
        d->end = d->cur + size;
        d->last = size;
    }
    void *r = d->cur;
    d->cur += n;
    return r;
}

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
    /* the path is spelled out only now: building it at every key would
     * cost each trace line a copy of its keys */
    char path[512] = "";
    size_t plen = 0;
    for (int i = 0; i < p->depth; i++) {
        if (p->frames[i].key)
            srr__json_path_key(path, sizeof path, &plen, p->frames[i].key);
        else if (p->frames[i].in_item)
            srr__json_path_index(path, sizeof path, &plen, p->frames[i].index);
    }
    srr__parse_at(p->err, NULL, line, col, (long long)off);
    srr__parse_vfail(p->err, code, path, fmt, ap);
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

/* ------------------------------------------------------------- strings */

static int jp_sput(jp_parser *p, size_t *n, const void *b, size_t k)
{
    if (srr__grow((void **)&p->sbuf, &p->scap, *n + k + 1, 1) < 0)
        return jp_oom(p), -1;
    memcpy(p->sbuf + *n, b, k);
    *n += k;
    return 0;
}

/* Bytes a string may hold as they are: printable ASCII but '"' and '\'. */
static const unsigned char jp_plain[256] = {
    [0x20 ... 0x21] = 1, /* '"' is 0x22 */
    [0x23 ... 0x5b] = 1, /* '\\' is 0x5c */
    [0x5d ... 0x7f] = 1,
};

/* The end of the plain bytes from i: eight at a time while none of the
 * eight is a control byte, '"', '\\' or above 0x7f (base64 payloads run
 * to megabytes), then one at a time. */
static size_t jp_plain_run(const unsigned char *s, size_t i, size_t len)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
        /* a byte below 0x20 or a zero byte of q or b borrows into its high bit */
        uint64_t special = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x;
        if (special & highs)
            break;
    }
    while (i < len && jp_plain[s[i]])
        i++;
    return i;
}

/* s[0, n) into the arena as a C string. */
static char *jp_strdup(jp_parser *p, const void *s, size_t n)
{
    char *d = jp_alloc(p, n + 1);
    if (!d)
        return jp_oom(p), NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
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

int srr__json_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0, k; i < n; i += k)
        if ((k = jp_utf8_len(u + i, n - i)) == 0)
            return 0;
    return 1;
}

size_t srr__json_utf8_len(const char *s, size_t n)
{
    return n ? jp_utf8_len((const unsigned char *)s, n) : 0;
}

int srr__hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int jp_hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int d = srr__hex_digit(s[i]);
        if (d < 0)
            return -1;
        v = v << 4 | (unsigned)d;
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

/* The rest of a string that holds escapes or bytes outside ASCII, from
 * p->pos; n bytes of it are in p->sbuf already. */
static int jp_string_slow(jp_parser *p, size_t n, char **out, size_t *outlen)
{
    for (;;) {
        size_t run = p->pos;
        while (run < p->len && jp_plain[p->s[run]])
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
    if (!(*out = jp_strdup(p, p->sbuf, n)))
        return -1;
    *outlen = n;
    return 0;
}

/* A string at p->pos (the opening quote), copied into the arena.  Most
 * strings (keys, names, base64) are plain ASCII: those are copied at once,
 * and their columns counted without looking at them again. */
static int jp_string(jp_parser *p, char **out, size_t *outlen)
{
    size_t quote = p->pos, start = quote + 1, run = jp_plain_run(p->s, start, p->len);
    if (run < p->len && p->s[run] == '"') {
        if (!(*out = jp_strdup(p, p->s + start, run - start)))
            return -1;
        *outlen = run - start;
        p->pos = run + 1;
        if (p->col_pos == quote) {
            p->col += (int)(p->pos - quote);
            p->col_pos = p->pos;
        }
        return 0;
    }
    p->pos = start;
    return jp_string_slow(p, 0, out, outlen);
}

/* ------------------------------------------------- numbers and literals */

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

/* ---------------------------------------------------------- containers */

static int jp_value(jp_parser *p, srr_json *v);

static int jp_push_item(jp_parser *p, const srr_json *item)
{
    if (srr__grow((void **)&p->items, &p->items_cap, p->nitems + 1, sizeof *p->items) < 0)
        return jp_oom(p), -1;
    p->items[p->nitems++] = *item;
    return 0;
}

/* The top n of a stack into the arena, exactly sized. */
static void *jp_settle(jp_parser *p, const void *top, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *a = jp_alloc(p, n * size);
    if (!a)
        return jp_oom(p), NULL;
    return memcpy(a, top, n * size);
}

/* Past v's opening bracket (v becomes a t): 1 when the container is empty,
 * its closing bracket taken too. */
static int jp_open(jp_parser *p, srr_json *v, srr_json_type t, char close)
{
    v->type = t;
    p->pos++;
    jp_skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return 1;
    }
    return 0;
}

/* After an item or a member: 1 past a ',' (and the blanks after it), 0
 * past the closing bracket, -1 at anything else (for the caller to say). */
static int jp_next(jp_parser *p, char close)
{
    jp_skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ',') {
        p->pos++;
        jp_skip_ws(p);
        return 1;
    }
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return 0;
    }
    return -1;
}

static int jp_array(jp_parser *p, srr_json *v)
{
    char t[32];
    jp_frame *f = &p->frames[p->depth - 1];
    size_t base = p->nitems;
    if (jp_open(p, v, SRR_JSON_ARRAY, ']'))
        return 0;
    for (int more = 1; more;) {
        srr_json item = {0};
        f->index = p->nitems - base;
        f->in_item = 1;
        if (jp_value(p, &item) < 0 || jp_push_item(p, &item) < 0)
            return -1;
        f->in_item = 0;
        if ((more = jp_next(p, ']')) < 0)
            return jp_fail(p, p->pos, SRR_PARSE_EJSON,
                           "not JSON: expected ',' or ']' after an array element, got %s",
                           jp_token(p, p->pos, t, sizeof t)),
                   -1;
    }
    v->u.arr.n = p->nitems - base;
    v->u.arr.items = jp_settle(p, p->items + base, v->u.arr.n, sizeof *p->items);
    p->nitems = base;
    return v->u.arr.items ? 0 : -1;
}

/* A large object's keys, hashed to member index + 1 (0 = empty slot). */
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

/* The earlier member of m[0, idx) with key, or NULL after adding idx (m
 * is the open object's members).  *oom on failure. */
static const srr_json_member *jp_keyset_add(jp_parser *p, jp_keyset *ks,
                                            const srr_json_member *m, size_t idx,
                                            const char *key, size_t keylen, int *oom)
{
    *oom = 0;
    if ((idx + 1) * 2 > ks->cap) {
        size_t nc = ks->cap ? ks->cap * 2 : 32;
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
    size_t h = (size_t)jp_hash(key, keylen) & (ks->cap - 1);
    while (ks->slots[h]) {
        const srr_json_member *o = &m[ks->slots[h] - 1];
        if (o->keylen == keylen && memcmp(o->key, key, keylen) == 0)
            return o;
        h = (h + 1) & (ks->cap - 1);
    }
    ks->slots[h] = (uint32_t)(idx + 1);
    return NULL;
}

/* The earlier member of the open object (members from base) with key, or
 * NULL; *oom on failure. */
static const srr_json_member *jp_dup(jp_parser *p, jp_keyset *ks, size_t base, const char *key,
                                     size_t keylen, int *oom)
{
    size_t n = p->nmembers - base;
    /* the first member of a tree has no array yet: NULL + 0 is undefined */
    const srr_json_member *m = n ? p->members + base : NULL;
    *oom = 0;
    if (n >= JP_SCAN_KEYS)
        return jp_keyset_add(p, ks, m, n, key, keylen, oom);
    for (size_t i = 0; i < n; i++)
        if (m[i].keylen == keylen && memcmp(m[i].key, key, keylen) == 0)
            return &m[i];
    return NULL;
}

static int jp_object(jp_parser *p, srr_json *v)
{
    jp_keyset ks = {0};
    char t[32];
    int rc = -1;
    jp_frame *f = &p->frames[p->depth - 1];
    size_t base = p->nmembers;
    if (jp_open(p, v, SRR_JSON_OBJECT, '}'))
        return 0;
    for (int more = 1; more;) {
        if (p->pos >= p->len || p->s[p->pos] != '"') {
            jp_fail(p, p->pos, SRR_PARSE_EJSON, "not JSON: expected a string key, got %s",
                    jp_token(p, p->pos, t, sizeof t));
            goto out;
        }
        if (p->nmembers - base >= UINT32_MAX - 1) {
            jp_oom(p);
            goto out;
        }
        srr_json_member m = {0};
        jp_loc(p, p->pos, &m.line, &m.column);
        if (jp_string(p, &m.key, &m.keylen) < 0)
            goto out;
        f->key = m.key;
        int oom;
        const srr_json_member *dup = jp_dup(p, &ks, base, m.key, m.keylen, &oom);
        if (oom)
            goto out;
        if (dup) {
            jp_fail_at(p, m.line, m.column, SRR_PARSE_EDUPLICATE,
                       "duplicate key \"%.100s\" (first at line %d, column %d)", m.key, dup->line,
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
        if (jp_value(p, &m.value) < 0)
            goto out;
        if (srr__grow((void **)&p->members, &p->members_cap, p->nmembers + 1,
                      sizeof *p->members) < 0) {
            jp_oom(p);
            goto out;
        }
        p->members[p->nmembers++] = m;
        f->key = NULL;
        if ((more = jp_next(p, '}')) < 0) {
            jp_fail(p, p->pos, SRR_PARSE_EJSON,
                    "not JSON: expected ',' or '}' after a member, got %s",
                    jp_token(p, p->pos, t, sizeof t));
            goto out;
        }
    }
    v->u.obj.n = p->nmembers - base;
    v->u.obj.members = jp_settle(p, p->members + base, v->u.obj.n, sizeof *p->members);
    p->nmembers = base;
    rc = v->u.obj.members ? 0 : -1;
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
        p->frames[p->depth++] = (jp_frame){0};
        int rc = c == '{' ? jp_object(p, v) : jp_array(p, v);
        if (rc == 0)
            p->depth--; /* a failure keeps the frames, for the error's path */
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

void srr__json_free(srr_json *root)
{
    if (!root)
        return;
    jp_doc *d = (jp_doc *)root;
    for (jp_block *b = d->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(d);
}

srr_json *srr__json_parse(const char *text, size_t len, const char *source,
                          srr_parse_error *err)
{
    jp_parser p = {.s = (const unsigned char *)text, .len = len, .line = 1, .col = 1, .err = err};
    memset(err, 0, sizeof *err);
    snprintf(err->source, sizeof err->source, "%s", source ? source : "<string>");
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        p.pos = p.col_pos = 3;
    /* A first block the size of the text and some: a trace line's tree
     * (values, members, strings) fits it without a second malloc. */
    size_t first = len < SIZE_MAX / 4 - 1024 ? 2 * len + 1024 : len;
    jp_doc *d = malloc(sizeof *d + first);
    if (!d) {
        jp_oom(&p);
        return NULL;
    }
    memset(d, 0, sizeof *d);
    d->cur = (char *)(d + 1);
    d->end = d->cur + first;
    d->last = first;
    p.doc = d;
    jp_skip_ws(&p);
    if (p.pos >= p.len) {
        jp_fail(&p, p.pos, SRR_PARSE_EJSON, "not JSON: empty input");
    } else if (jp_value(&p, &d->root) == 0) {
        jp_skip_ws(&p);
        if (p.pos < p.len) {
            char t[32];
            jp_fail(&p, p.pos, SRR_PARSE_EJSON, "not JSON: %s after the value",
                    jp_token(&p, p.pos, t, sizeof t));
        }
    }
    free(p.sbuf);
    free(p.items);
    free(p.members);
    if (p.failed) {
        srr__json_free(&d->root);
        return NULL;
    }
    return &d->root;
}
