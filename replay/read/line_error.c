/*
 * line_error.c — jansson's account of a refused trace line (line_error.h),
 * retold from its load.c (version 2.14, the one the reader used): the same
 * tokens, the same order of checks and the same message texts.  What makes
 * the words:
 *   - a message names the token the lexer was on ("near 'hello'") when its
 *     text is 1 to 20 bytes, nothing when longer, "near end of file" at the
 *     end (and nothing after bytes that are not UTF-8);
 *   - the column is the count of characters read when the problem showed,
 *     after the lexer gave back what it peeked at;
 *   - a string is checked twice: first its bytes and escapes, then (only
 *     when those passed) its \u surrogate pairs; a key's or a value's NUL
 *     comes after both;
 *   - the first problem found is the one reported.
 * Nothing is built: a token is its span of the line, and keys are compared
 * by the tree reader (dup_column).
 */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "line_error.h"

/* le_get's answers besides a byte (jansson's stream states). */
enum { LE_EOF = -1, LE_BAD = -2 };
/* Tokens besides the single characters {}[]:, */
enum { T_INVALID = -1, T_EOF = 0, T_STRING = 256, T_INTEGER, T_REAL, T_TRUE, T_FALSE, T_NULL };
enum {
    LE_MAX_DEPTH = 2048, /* jansson's JSON_PARSER_MAX_DEPTH */
    LE_CONTEXT = 20,     /* the longest token a message quotes */
    LE_TEXT = 159,       /* jansson's message, NUL included */
};

typedef struct le {
    const unsigned char *s;
    size_t len, pos;     /* pos: the next character's first byte */
    int state;           /* 0, LE_EOF or LE_BAD once reached */
    size_t cur, cur_n;   /* the character being read: s[cur, cur + cur_n) ... */
    size_t cur_at;       /* ... of which this many bytes were handed out */
    int column;          /* characters read */
    size_t tok, saved;   /* the token's text: s[tok, tok + saved) */
    int tok_column;      /* of the token's first character */
    int token;
    int nul;             /* the string token decodes to a NUL */
    int depth;
    int dup_column;
    int failed;
    char *msg;
    size_t msglen;
    int *column_out;
} le;

static int le_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int le_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int le_xdigit(int c)
{
    return le_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The first problem: its message with the token as context, and where. */
__attribute__((format(printf, 2, 3))) static int le_fail(le *l, const char *fmt, ...)
{
    if (l->failed)
        return -1;
    l->failed = 1;
    char text[96], out[LE_TEXT]; /* jansson's texts are far shorter than its buffers */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (l->saved > LE_CONTEXT || (l->saved == 0 && l->state == LE_BAD))
        snprintf(out, sizeof out, "%s", text);
    else if (l->saved > 0)
        snprintf(out, sizeof out, "%s near '%.*s'", text, (int)l->saved,
                 (const char *)l->s + l->tok);
    else
        snprintf(out, sizeof out, "%s near end of file", text);
    size_t k = strlen(out);
    if (l->msglen) {
        k = k < l->msglen ? k : l->msglen - 1;
        memcpy(l->msg, out, k);
        l->msg[k] = '\0';
    }
    *l->column_out = l->column;
    return -1;
}

/* ------------------------------------------------------------- stream */

/* The next byte: characters are taken whole and checked as UTF-8 first. */
static int le_get(le *l)
{
    if (l->state)
        return l->state;
    if (l->cur_at == l->cur_n) {
        if (l->pos >= l->len)
            return l->state = LE_EOF;
        unsigned char c = l->s[l->pos];
        size_t k = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                                : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        size_t have = l->len - l->pos < k ? l->len - l->pos : k;
        if (k == 0 || !srr__json_utf8_valid((const char *)l->s + l->pos, have) || have < k) {
            l->state = LE_BAD;
            return le_fail(l, "unable to decode byte 0x%x", c), LE_BAD;
        }
        l->cur = l->pos;
        l->cur_n = k;
        l->cur_at = 0;
        l->pos += k;
    }
    unsigned char c = l->s[l->cur + l->cur_at++];
    if ((c & 0xc0) != 0x80)
        l->column++;
    return c;
}

static void le_unget(le *l, int c)
{
    if (c < 0)
        return;
    l->cur_at--;
    if ((c & 0xc0) != 0x80)
        l->column--;
}

static int le_get_save(le *l)
{
    int c = le_get(l);
    if (c >= 0)
        l->saved++;
    return c;
}

static void le_unget_unsave(le *l, int c)
{
    if (c >= 0) {
        le_unget(l, c);
        l->saved--;
    }
}

/* -------------------------------------------------------------- lexer */

/* A \uXXXX escape's value, for the second look at a string: a high
 * surrogate waits in *high for the escape right after it. */
static void le_unicode(unsigned v, int *high, char *later, size_t n, int *nul)
{
    if (*high >= 0) {
        if ((v < 0xdc00 || v > 0xdfff) && !later[0])
            snprintf(later, n, "invalid Unicode '\\u%04X\\u%04X'", (unsigned)*high, v);
        *high = -1;
    } else if (v >= 0xd800 && v <= 0xdbff) {
        *high = (int)v;
    } else if (v >= 0xdc00 && v <= 0xdfff) {
        if (!later[0])
            snprintf(later, n, "invalid Unicode '\\u%04X'", v);
    } else if (v == 0) {
        *nul = 1;
    }
}

/* A high surrogate followed by anything but a \u escape. */
static void le_unpaired(int *high, char *later, size_t n)
{
    if (*high >= 0 && !later[0])
        snprintf(later, n, "invalid Unicode '\\u%04X'", (unsigned)*high);
    *high = -1;
}

static void le_string(le *l)
{
    char later[48] = ""; /* the second look's first problem */
    int high = -1;
    l->token = T_INVALID;
    l->nul = 0;
    int c = le_get_save(l);
    while (c != '"') {
        if (c == LE_BAD)
            return;
        if (c == LE_EOF) {
            le_fail(l, "premature end of input");
            return;
        }
        if (c <= 0x1f) {
            le_unget_unsave(l, c);
            if (c == '\n')
                le_fail(l, "unexpected newline");
            else
                le_fail(l, "control character 0x%x", (unsigned)c);
            return;
        }
        if (c != '\\') {
            le_unpaired(&high, later, sizeof later);
            c = le_get_save(l);
            continue;
        }
        c = le_get_save(l);
        if (c == 'u') {
            unsigned v = 0;
            c = le_get_save(l);
            for (int i = 0; i < 4; i++) {
                if (!le_xdigit(c)) {
                    le_fail(l, "invalid escape");
                    return;
                }
                v = v << 4 | (unsigned)(le_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
                c = le_get_save(l);
            }
            le_unicode(v, &high, later, sizeof later, &l->nul);
            continue;
        }
        le_unpaired(&high, later, sizeof later);
        if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' &&
            c != 't') {
            le_fail(l, "invalid escape");
            return;
        }
        c = le_get_save(l);
    }
    le_unpaired(&high, later, sizeof later);
    if (later[0]) {
        le_fail(l, "%s", later);
        return;
    }
    l->token = T_STRING;
}

/* The token's text as a C string (numbers: only a failing line gets here). */
static char *le_text(const le *l)
{
    char *t = malloc(l->saved + 1);
    if (t) {
        memcpy(t, l->s + l->tok, l->saved);
        t[l->saved] = '\0';
    }
    return t;
}

static int le_number(le *l, int c)
{
    l->token = T_INVALID;
    if (c == '-')
        c = le_get_save(l);
    if (c == '0') {
        c = le_get_save(l);
        if (le_digit(c)) {
            le_unget_unsave(l, c);
            return -1;
        }
    } else if (le_digit(c)) {
        do
            c = le_get_save(l);
        while (le_digit(c));
    } else {
        le_unget_unsave(l, c);
        return -1;
    }
    int real = c == '.' || c == 'E' || c == 'e';
    if (c == '.') {
        c = le_get(l);
        if (!le_digit(c)) {
            le_unget(l, c);
            return -1;
        }
        l->saved++;
        do
            c = le_get_save(l);
        while (le_digit(c));
    }
    if (c == 'E' || c == 'e') {
        c = le_get_save(l);
        if (c == '+' || c == '-')
            c = le_get_save(l);
        if (!le_digit(c)) {
            le_unget_unsave(l, c);
            return -1;
        }
        do
            c = le_get_save(l);
        while (le_digit(c));
    }
    le_unget_unsave(l, c);
    char *t = le_text(l);
    if (!t)
        return le_fail(l, "out of memory");
    errno = 0;
    int over;
    if (!real) {
        long long v = strtoll(t, NULL, 10);
        over = errno == ERANGE ? (v < 0 ? -1 : 1) : 0;
    } else {
        /* strtod reads the locale's decimal point, as jansson let it */
        const char *dp = localeconv()->decimal_point;
        char *dot = strchr(t, '.');
        if (dot && dp[0] != '.')
            *dot = dp[0];
        double d = strtod(t, NULL);
        over = errno == ERANGE && (d > 1.0 || d < -1.0);
    }
    free(t);
    if (over)
        return le_fail(l, "%s", real ? "real number overflow"
                                : over < 0 ? "too big negative integer" : "too big integer");
    l->token = real ? T_REAL : T_INTEGER;
    return 0;
}

static int le_scan(le *l)
{
    int c;
    l->saved = 0;
    do
        c = le_get(l);
    while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
    if (c == LE_EOF)
        return l->token = T_EOF;
    if (c == LE_BAD)
        return l->token = T_INVALID;
    l->tok = l->cur + l->cur_at - 1;
    l->tok_column = l->column;
    l->saved = 1;
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',') {
        l->token = c;
    } else if (c == '"') {
        le_string(l);
    } else if (le_digit(c) || c == '-') {
        le_number(l, c);
    } else if (le_alpha(c)) {
        /* the whole word, for the message */
        do
            c = le_get_save(l);
        while (le_alpha(c));
        le_unget_unsave(l, c);
        const char *w = (const char *)l->s + l->tok;
        l->token = l->saved == 4 && memcmp(w, "true", 4) == 0    ? T_TRUE
                   : l->saved == 5 && memcmp(w, "false", 5) == 0 ? T_FALSE
                   : l->saved == 4 && memcmp(w, "null", 4) == 0  ? T_NULL
                                                                 : T_INVALID;
    } else {
        /* the rest of the character too, so the message quotes whole ones */
        l->saved += l->cur_n - l->cur_at;
        l->cur_at = l->cur_n;
        l->token = T_INVALID;
    }
    return l->token;
}

/* ------------------------------------------------------------- parser */

static int le_value(le *l);

/* After a value in a container: 1 past a ',' (the next token read), 0
 * at anything else. */
static int le_more(le *l)
{
    le_scan(l);
    if (l->token != ',')
        return 0;
    le_scan(l);
    return 1;
}

static int le_object(le *l)
{
    le_scan(l);
    if (l->token == '}')
        return 0;
    for (;;) {
        if (l->token != T_STRING)
            return le_fail(l, "string or '}' expected");
        if (l->nul)
            return le_fail(l, "NUL byte in object key not supported");
        if (l->dup_column && l->tok_column == l->dup_column)
            return le_fail(l, "duplicate object key");
        le_scan(l);
        if (l->token != ':')
            return le_fail(l, "':' expected");
        le_scan(l);
        if (le_value(l) < 0)
            return -1;
        if (!le_more(l))
            break;
    }
    return l->token == '}' ? 0 : le_fail(l, "'}' expected");
}

static int le_array(le *l)
{
    le_scan(l);
    if (l->token == ']')
        return 0;
    while (l->token != T_EOF) {
        if (le_value(l) < 0)
            return -1;
        if (!le_more(l))
            break;
    }
    return l->token == ']' ? 0 : le_fail(l, "']' expected");
}

static int le_value(le *l)
{
    if (++l->depth > LE_MAX_DEPTH)
        return le_fail(l, "maximum parsing depth reached");
    int rc;
    switch (l->token) {
    case T_STRING:
        if (l->nul)
            return le_fail(l, "\\u0000 is not allowed without JSON_ALLOW_NUL");
        rc = 0;
        break;
    case T_INTEGER:
    case T_REAL:
    case T_TRUE:
    case T_FALSE:
    case T_NULL: rc = 0; break;
    case '{': rc = le_object(l); break;
    case '[': rc = le_array(l); break;
    case T_INVALID: return le_fail(l, "invalid token");
    default: return le_fail(l, "unexpected token");
    }
    if (rc == 0)
        l->depth--;
    return rc;
}

int srr__line_error(const char *text, size_t len, int dup_column, char *msg, size_t msglen,
                    int *column)
{
    le l = {.s = (const unsigned char *)text, .len = len, .dup_column = dup_column,
            .msg = msg, .msglen = msglen, .column_out = column};
    if (le_scan(&l) != '[' && l.token != '{')
        le_fail(&l, "'[' or '{' expected");
    else if (le_value(&l) == 0 && le_scan(&l) != T_EOF)
        le_fail(&l, "end of file expected");
    return l.failed;
}
