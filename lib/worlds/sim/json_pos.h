/*
 * json_pos.h — a strict RFC 8259 JSON parser that keeps where every value
 * and key starts, so a config error can name file:line:column (jansson only
 * knows where the parser stopped).  Text only: strings are valid UTF-8
 * without NUL (so they are also C strings), integers fit int64, objects have
 * no duplicate keys, nesting is at most SRR_JPOS_MAX_DEPTH deep.
 *
 * Lines and columns are 1-based; a column counts characters (UTF-8 code
 * points), a tab is one.  A leading UTF-8 byte order mark is skipped, as the
 * RFC allows.
 */
#ifndef SOCKRR_JSON_POS_H
#define SOCKRR_JSON_POS_H

#include <stddef.h>
#include <stdint.h>

#include "sim_config.h"

enum { SRR_JPOS_MAX_DEPTH = 64 };

typedef enum srr_jpos_type {
    SRR_JPOS_NULL,
    SRR_JPOS_BOOL,
    SRR_JPOS_INT,    /* no fraction or exponent in the text */
    SRR_JPOS_REAL,   /* a fraction or an exponent */
    SRR_JPOS_STRING,
    SRR_JPOS_ARRAY,
    SRR_JPOS_OBJECT,
} srr_jpos_type;

typedef struct srr_jpos srr_jpos;
typedef struct srr_jpos_member srr_jpos_member;

struct srr_jpos {
    srr_jpos_type type;
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
            srr_jpos *items;
            size_t n;
        } arr;
        struct {
            srr_jpos_member *members; /* in the text's order */
            size_t n;
        } obj;
    } u;
};

struct srr_jpos_member {
    char *key;        /* NUL-terminated */
    size_t keylen;
    int line, column; /* of the key's opening quote */
    srr_jpos value;
};

/* Parses exactly one JSON value (surrounded by optional whitespace) from
 * text[0, len).  NULL with *err on failure: SRR_PARSE_EJSON for malformed
 * text, SRR_PARSE_EDUPLICATE for a repeated key, SRR_PARSE_EVALUE for a number
 * out of range; err->field holds the path to where the parser was
 * ("hosts.db.addrs[1]").  source names the text in err ("<string>" when
 * NULL).  Out of memory gives NULL with SRR_PARSE_EIO. */
srr_jpos *srr__json_pos_parse(const char *text, size_t len, const char *source,
                              srr_parse_error *err);
void srr__json_pos_free(srr_jpos *v);

/* The member named key of an object, or NULL. */
const srr_jpos_member *srr__json_pos_get(const srr_jpos *obj, const char *key);

/* "object", "array", "string", "integer", "number", "boolean", "null". */
const char *srr__json_pos_type_name(srr_jpos_type t);

/* Appends to path[0, *plen) (cap bytes, always NUL-terminated): ".key" (no
 * dot at the start), or "[i]".  Keys are written as they are, dots and all;
 * bytes below 0x20 and 0x7f as \xNN.  A path that does not fit ends in
 * "...".  Returns the old length, for srr__json_pos_path_cut. */
size_t srr__json_pos_path_key(char *path, size_t cap, size_t *plen, const char *key);
size_t srr__json_pos_path_index(char *path, size_t cap, size_t *plen, size_t i);
void srr__json_pos_path_cut(char *path, size_t *plen, size_t len);

#endif
