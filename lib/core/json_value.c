/*
 * json_value.c — what a parsed tree (json.h) offers its readers: member
 * lookup, type names, and the member paths that errors name.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"

/* ------------------------------------------------------------- lookup */

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
