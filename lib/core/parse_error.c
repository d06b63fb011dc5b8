/*
 * parse_error.c — the one parse error (parse_error.h).
 */
#include <stdio.h>
#include <string.h>

#include "parse_error.h"

void srr__parse_at(srr_parse_error *e, const char *source, long line, int column,
                   long long offset)
{
    if (!e)
        return;
    if (source)
        snprintf(e->source, sizeof e->source, "%s", source);
    e->line = line;
    e->column = column;
    e->offset = offset;
}

char *srr__parse_error_format(const srr_parse_error *e, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    char where[48] = "";
    if (e->line > 0 && e->column > 0)
        snprintf(where, sizeof where, ":%ld:%d", e->line, e->column);
    else if (e->line > 0)
        snprintf(where, sizeof where, ":%ld", e->line);
    const char *src = e->source[0] ? e->source : "<string>";
    if (e->field[0])
        snprintf(buf, len, "%s%s: %s: %s", src, where, e->field, e->text);
    else
        snprintf(buf, len, "%s%s: %s", src, where, e->text);
    return buf;
}

int srr__parse_vfail(srr_parse_error *e, int code, const char *field, const char *fmt, va_list ap)
{
    if (!e)
        return -1;
    e->code = code;
    /* a path too long for the field keeps its start and says it was cut */
    if (snprintf(e->field, sizeof e->field, "%s", field ? field : "") >= (int)sizeof e->field)
        memcpy(e->field + sizeof e->field - 4, "...", 4);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    return -1;
}

int srr__parse_fail(srr_parse_error *e, int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    srr__parse_vfail(e, code, field, fmt, ap);
    va_end(ap);
    return -1;
}
