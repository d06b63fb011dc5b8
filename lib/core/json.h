/*
 * json.h — the project's JSON tree reader: a strict RFC 8259 parser that
 * keeps where every value and key starts, so an error can name
 * file:line:column (jansson only knows where its parser stopped).  It reads
 * sim configs and trace lines; the replay world's pass over a trace uses
 * the in-place scanner (replay/read/jscan.h) instead.
 *
 * Text only: strings are valid UTF-8 without NUL (so they are also C
 * strings), integers fit int64, objects have no duplicate keys, nesting is
 * at most SRR_JSON_MAX_DEPTH deep.  Lines and columns are 1-based; a column
 * counts characters (UTF-8 code points), a tab is one.  A leading UTF-8
 * byte order mark is skipped, as the RFC allows.
 *
 * A parsed tree lives in one arena: srr__json_free of the root frees it
 * all, and no value inside it can be kept past that.
 */
#ifndef SOCKRR_JSON_H
#define SOCKRR_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "parse_error.h"

enum { SRR_JSON_MAX_DEPTH = 64 };

typedef enum srr_json_type {
    SRR_JSON_NULL,
    SRR_JSON_BOOL,
    SRR_JSON_INT,    /* no fraction or exponent in the text */
    SRR_JSON_REAL,   /* a fraction or an exponent */
    SRR_JSON_STRING,
    SRR_JSON_ARRAY,
    SRR_JSON_OBJECT,
} srr_json_type;

typedef struct srr_json srr_json;
typedef struct srr_json_member srr_json_member;

struct srr_json {
    srr_json_type type;
    int line, column; /* of the value's first character */
    union {
        int boolean;
        int64_t integer;
        double real;
        struct {
            char *s;  /* NUL-terminated; len excludes the NUL */
            size_t len;
        } str;
        struct {
            srr_json *items;
            size_t n;
        } arr;
        struct {
            srr_json_member *members; /* in the text's order */
            size_t n;
        } obj;
    } u;
};

struct srr_json_member {
    char *key;        /* NUL-terminated */
    size_t keylen;
    int line, column; /* of the key's opening quote */
    srr_json value;
};

/* Parses exactly one JSON value (surrounded by optional whitespace) from
 * text[0, len).  NULL with *err on failure: SRR_PARSE_EJSON for malformed
 * text, SRR_PARSE_EDUPLICATE for a repeated key, SRR_PARSE_EVALUE for a number
 * out of range; err->field holds the path to where the parser was
 * ("hosts.db.addrs[1]").  source names the text in err ("<string>" when
 * NULL).  Out of memory gives NULL with SRR_PARSE_EIO. */
srr_json *srr__json_parse(const char *text, size_t len, const char *source,
                          srr_parse_error *err);
/* Frees a tree srr__json_parse returned (root only; NULL is fine). */
void srr__json_free(srr_json *root);
/* The value of a hexadecimal digit (either case), or -1. */
int srr__hex_digit(int c);

/* 1 when s[0, n) is UTF-8 as the parser takes it in strings (no overlong
 * forms, no surrogates, nothing above U+10FFFF), else 0; and the length of
 * the one character at s (n bytes there), 0 when it is not such UTF-8. */
int srr__json_utf8_valid(const char *s, size_t n);
size_t srr__json_utf8_len(const char *s, size_t n);

/* ------------------------------------------------------------ reading
 * (json_value.c)  As jansson's accessors: any argument may be NULL or of
 * another type, and the answer is then the empty one, so a reader can
 * chain lookups and check once. */

/* The member named key of an object (its key's position too), or NULL. */
const srr_json_member *srr__json_member(const srr_json *obj, const char *key);
/* The value of the member named key, or NULL. */
const srr_json *srr__json_get(const srr_json *obj, const char *key);
/* 1 when v is of type t (0 for NULL). */
int srr__json_is(const srr_json *v, srr_json_type t);
/* 1 for true (0 for false, NULL and anything else). */
int srr__json_is_true(const srr_json *v);
/* An integer's value; 0 when v is not an integer. */
int64_t srr__json_int(const srr_json *v);
/* A string's value and its length in bytes; NULL and 0 when not a string. */
const char *srr__json_str(const srr_json *v);
size_t srr__json_strlen(const srr_json *v);
/* An array's length, and its item i; 0 and NULL when not an array (or i is
 * past the end). */
size_t srr__json_size(const srr_json *v);
const srr_json *srr__json_at(const srr_json *v, size_t i);

/* "object", "array", "string", "integer", "number", "boolean", "null". */
const char *srr__json_type_name(srr_json_type t);

/* The escape byte c needs inside a JSON string, as jansson wrote it ("\\n",
 * "\\u001F"), in e; NULL when c stands as it is (UTF-8 included). */
const char *srr__json_escape(unsigned char c, char e[7]);

/* v as compact JSON text (no spaces; members in the text's order; strings
 * escaped as jansson's compact output escapes them) into buf, cut to fit
 * and always NUL-terminated when len > 0.  Returns the whole text's length,
 * as snprintf does: a result >= len means it was cut. */
size_t srr__json_dump(const srr_json *v, char *buf, size_t len);

/* Appends to path[0, *plen) (cap bytes, always NUL-terminated): ".key" (no
 * dot at the start), or "[i]".  Keys are written as they are, dots and all;
 * bytes below 0x20 and 0x7f as \xNN.  A path that does not fit ends in
 * "...".  Returns the old length, for srr__json_path_cut. */
size_t srr__json_path_key(char *path, size_t cap, size_t *plen, const char *key);
size_t srr__json_path_index(char *path, size_t cap, size_t *plen, size_t i);
void srr__json_path_cut(char *path, size_t *plen, size_t len);

#endif
