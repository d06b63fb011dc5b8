/*
 * jscan.h — reading members out of one JSON object in place, without
 * building it: for the replay world's pass over a trace, where a line is
 * read once and only a few of its members matter (a tree builds every
 * value, base64 payloads included, and was the slow part of a replay).
 * Anything it does not understand is reported, never guessed: a caller
 * that needs the whole object (a lookup's answers) parses that line with
 * the tree reader (json.h).
 */
#ifndef SOCKRR_JSCAN_H
#define SOCKRR_JSCAN_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    SRR_JS_NONE = 0, /* the member is absent */
    SRR_JS_STRING,   /* p, n: the bytes between the quotes, escapes not undone */
    SRR_JS_NUMBER,
    SRR_JS_OBJECT,   /* p, n: from '{' to '}' inclusive */
    SRR_JS_ARRAY,
    SRR_JS_TRUE,
    SRR_JS_FALSE,
    SRR_JS_NULL,
} srr_js_type;

typedef struct srr_jsval {
    srr_js_type type;
    const char *p;
    size_t n;
    int escaped; /* a string holding a backslash */
} srr_jsval;

/* The keys a caller looks for, hashed once (srr__jscan_keys) so that each
 * scan (srr__jscan_with) finds a member in one probe. */
#define SRR_JSCAN_SLOTS 64
typedef struct srr_jskeys {
    const char *const *names; /* the caller's; must outlive the table */
    size_t n;
    unsigned char slot[SRR_JSCAN_SLOTS];
} srr_jskeys;
/* 0, or -1 for more than 31 keys. */
int srr__jscan_keys(srr_jskeys *k, const char *const *names, size_t n);
/* srr__jscan_object with a table made once; vals has room for k->n. */
int srr__jscan_with(const char *p, size_t n, const srr_jskeys *k, srr_jsval *vals, size_t *bad);

/* One pass over the object in [p, p + n): for each of the nkeys keys (at
 * most 31),
 * its value in vals[i] (type SRR_JS_NONE when absent; the first of a
 * repeated key).  0, or -1 when the text is not one JSON object, with the
 * offset of the problem in *bad. */
int srr__jscan_object(const char *p, size_t n, const char *const *keys, srr_jsval *vals,
                      size_t nkeys, size_t *bad);
/* An integer member: 0 and *out, -1 when it is not a JSON integer. */
int srr__jscan_int(const srr_jsval *v, int64_t *out);
/* A string member without escapes into buf (NUL-terminated): 0, or -1 when
 * it is not a string, holds escapes, or does not fit. */
int srr__jscan_str(const srr_jsval *v, char *buf, size_t len);
/* 1 when the string member equals s exactly. */
int srr__jscan_is(const srr_jsval *v, const char *s);

#endif
