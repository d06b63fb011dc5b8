/*
 * fuzz_case.c — decoding and encoding the fuzz world's test cases
 * (fuzz_case.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_case.h"
#include "grow.h"

#define HEAD_SLOT(h) ((unsigned)(h) & 7u)
#define HEAD_KIND(h) ((srr_fuzz_kind)(((unsigned)(h) >> 3) & 3u))
#define HEAD_LONG 0x20u

int srr__fuzz_decode(const unsigned char *p, size_t n, srr_fuzz_case *c)
{
    memset(c, 0, sizeof *c);
    if (n > SRR_FUZZ_INPUT_MAX)
        n = SRR_FUZZ_INPUT_MAX;
    size_t i = 0;
    while (i < n) {
        unsigned head = p[i++];
        size_t len = 0;
        if (i < n)
            len = p[i++];
        if ((head & HEAD_LONG) && i < n)
            len = len << 8 | p[i++];
        if (len > n - i)
            len = n - i; /* the input ended first: what is left */
        if (srr__grow((void **)&c->msgs, &c->cap, c->n + 1, sizeof *c->msgs) < 0) {
            srr__fuzz_case_free(c);
            return -ENOMEM;
        }
        c->msgs[c->n++] = (srr_fuzz_msg){HEAD_SLOT(head), HEAD_KIND(head), p + i, len};
        i += len;
    }
    return 0;
}

void srr__fuzz_case_free(srr_fuzz_case *c)
{
    free(c->msgs);
    c->msgs = NULL;
    c->cap = 0;
    c->n = 0;
}

static int encode_one(unsigned char **buf, size_t *len, size_t *cap, unsigned slot,
                      srr_fuzz_kind kind, const unsigned char *data, size_t n)
{
    int wide = n > 255;
    if (srr__grow((void **)buf, cap, *len + 3 + n, 1) < 0)
        return -ENOMEM;
    unsigned char *o = *buf + *len;
    *o++ = (unsigned char)((slot & 7u) | ((unsigned)kind & 3u) << 3 | (wide ? HEAD_LONG : 0));
    if (wide)
        *o++ = (unsigned char)(n >> 8);
    *o++ = (unsigned char)n;
    if (n)
        memcpy(o, data, n);
    *len += (size_t)(o - (*buf + *len)) + n;
    return 0;
}

int srr__fuzz_encode(unsigned char **buf, size_t *len, size_t *cap, unsigned slot,
                     srr_fuzz_kind kind, const void *data, size_t n)
{
    const unsigned char *d = data;
    /* a datagram longer than a message can say is cut, not split: one
     * datagram stays one */
    if (kind == SRR_FUZZ_DATAGRAM && n > SRR_FUZZ_MSG_MAX)
        n = SRR_FUZZ_MSG_MAX;
    do {
        size_t part = n > SRR_FUZZ_MSG_MAX ? SRR_FUZZ_MSG_MAX : n;
        int last = part == n;
        int r = encode_one(buf, len, cap, slot, last ? kind : SRR_FUZZ_DATA, d, part);
        if (r < 0)
            return r;
        d += part;
        n -= part;
    } while (n > 0);
    return 0;
}

const char *srr__fuzz_kind_name(srr_fuzz_kind k)
{
    static const char *const names[] = {"data", "data+fin", "data+rst", "datagram"};
    return names[(unsigned)k & 3u];
}
