/*
 * jline.h — building one JSON line fast, for the trace writer's hot path:
 * no snprintf, no allocation once the buffer has grown, base64 written in
 * place.  The caller guarantees keys need no escaping.
 */
#ifndef SOCKRR_JLINE_H
#define SOCKRR_JLINE_H

#include <stddef.h>
#include <stdint.h>

typedef struct srr_jline {
    char *buf;
    size_t len;
    size_t cap;
    int oom;   /* an allocation failed; the line is incomplete and must not be written */
    int first; /* no member yet in the innermost object/array: no comma needed */
} srr_jline;

void srr__jl_reset(srr_jline *l);
void srr__jl_free(srr_jline *l);
/* Room for n more bytes; 0 or -1 (sets oom). */
int srr__jl_reserve(srr_jline *l, size_t n);
void srr__jl_raw(srr_jline *l, const char *s, size_t n);
/* Members: ,"key": then the value.  key NULL inside arrays. */
void srr__jl_int(srr_jline *l, const char *key, int64_t v);
void srr__jl_str(srr_jline *l, const char *key, const char *s);
void srr__jl_strn(srr_jline *l, const char *key, const char *s, size_t n);
/* A string that is text (a file's name): its UTF-8 kept, escaped as JSON
 * writers commonly do and as jansson did ("\t", "\u001F"); only bytes
 * that are not UTF-8 become \u00XX as in srr__jl_strn.  s NULL: null. */
void srr__jl_text(srr_jline *l, const char *key, const char *s);
void srr__jl_null(srr_jline *l, const char *key);
void srr__jl_true(srr_jline *l, const char *key);
void srr__jl_b64(srr_jline *l, const char *key, const void *data, size_t n);
/* Nesting: open with '{' or '[', close with '}' or ']'. */
void srr__jl_open(srr_jline *l, const char *key, char bracket);
void srr__jl_close(srr_jline *l, char bracket);

#endif
