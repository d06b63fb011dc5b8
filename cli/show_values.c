#define _GNU_SOURCE /* AI_IDN, POLLRDHUP, MSG_* and SO_* extensions */
/*
 * show_values.c — the values `sockrr show` prints: an event's members,
 * quoted strings, payload previews and hex dumps, return values and errno,
 * durations.
 */
#include <stdlib.h>
#include <string.h>

#include "show.h"
#include "trace.h"

void show_set(char **slot, const char *value)
{
    if (!value)
        return;
    char *copy = strdup(value);
    if (!copy)
        return; /* an annotation is lost, nothing else */
    free(*slot);
    *slot = copy;
}

const char *show_str(const srr_json *ev, const char *key)
{
    return srr__json_str(srr__json_get(ev, key));
}

int64_t show_int(const srr_json *ev, const char *key)
{
    return srr__json_int(srr__json_get(ev, key));
}

const srr_json *show_arg(const srr_json *ev, const char *key)
{
    return srr__json_get(srr__json_get(ev, "args"), key);
}

int64_t show_arg_int(const srr_json *ev, const char *key)
{
    return srr__json_int(show_arg(ev, key));
}

/* ------------------------------------------------------------ values */

/* A JSON string in quotes.  Backslashes pass through: address strings
 * already carry their own \xHH escapes (abstract AF_UNIX names). */
void show_qstr(FILE *out, const char *s)
{
    if (!s) {
        fputs("NULL", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"')
            fputs("\\\"", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* A name taken from the trace (gai, h_errno) without quotes; control bytes
 * escaped so an odd trace cannot break the one-line-per-event layout. */
void show_word(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
}

void show_bytes(FILE *out, const unsigned char *p, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        switch (c) {
        case '"': fputs("\\\"", out); continue;
        case '\\': fputs("\\\\", out); continue;
        case '\t': fputs("\\t", out); continue;
        case '\n': fputs("\\n", out); continue;
        case '\v': fputs("\\v", out); continue;
        case '\f': fputs("\\f", out); continue;
        case '\r': fputs("\\r", out); continue;
        }
        if (c >= 0x20 && c < 0x7f)
            fputc(c, out);
        else if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7')
            fprintf(out, "\\%03o", c);
        else
            fprintf(out, "\\%o", c);
    }
    fputc('"', out);
}

/* Decoded base64 member, or NULL (then *n = 0). */
unsigned char *show_b64(const srr_json *v, size_t *n)
{
    unsigned char *bytes = NULL;
    *n = 0;
    if (!srr__json_is(v, SRR_JSON_STRING) ||
        srr__b64_decode(srr__json_str(v), srr__json_strlen(v), &bytes, n) < 0)
        return NULL;
    return bytes;
}

/* The first bytes of a payload; "..." when there are more (total counts the
 * bytes moved, which a capped event holds fewer of). */
void show_preview(FILE *out, const unsigned char *p, size_t n, long long total)
{
    show_bytes(out, p, n < SHOW_PREVIEW ? n : SHOW_PREVIEW);
    if (n > SHOW_PREVIEW || (long long)n < total)
        fputs("...", out);
}

/* hexdump -C's layout under the event line: offset, 16 bytes, ASCII. */
void show_hexdump(FILE *out, const unsigned char *p, size_t n)
{
    for (size_t row = 0; row < n; row += 16) {
        fprintf(out, "    %08zx  ", row);
        for (size_t i = row; i < row + 16; i++) {
            if (i < n)
                fprintf(out, "%02x ", p[i]);
            else
                fputs("   ", out);
            if (i == row + 7)
                fputc(' ', out);
        }
        fputs(" |", out);
        for (size_t i = row; i < row + 16 && i < n; i++)
            fputc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.', out);
        fputs("|\n", out);
    }
}

void show_errno(FILE *out, const srr_json *ev)
{
    const char *name = show_str(ev, "errno");
    int64_t num = show_int(ev, "errno_num");
    if (!name)
        return;
    if (strcmp(name, "E?") == 0)
        fprintf(out, " errno %" PRId64, num);
    else
        fprintf(out, " %s", name);
    fprintf(out, " (%s)", strerror((int)num));
}

/* " = 0", or " = -1 ECONNREFUSED (Connection refused)". */
void show_ret(FILE *out, const srr_json *ev)
{
    fprintf(out, " = %" PRId64, show_int(ev, "ret"));
    show_errno(out, ev);
}

/* A duration in ns as seconds: "1.500000000". */
void show_secs(FILE *out, int64_t ns)
{
    const char *sign = ns < 0 ? "-" : "";
    unsigned long long a = ns < 0 ? 0ULL - (unsigned long long)ns : (unsigned long long)ns;
    fprintf(out, "%s%llu.%09llu", sign, a / 1000000000ULL, a % 1000000000ULL);
}
