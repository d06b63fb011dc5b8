/*
 * fuzz_case.h — the fuzz world's test case: the peer's messages, in the
 * order it gives them (docs/fuzz.md).
 *
 * Every byte string is a test case.  A message is a head byte, a length of
 * one or two bytes, and that many bytes of payload (fewer when the input
 * ends first): blind mutation moves boundaries but never makes an input
 * that means nothing, so no exec is spent on a rejected file.
 *
 *   head bits 0-2  slot: which connection (or datagram endpoint) of the run
 *        bits 3-4  kind: data, data then FIN, data then RST, datagram
 *        bit  5    the length takes two bytes (big-endian), not one
 *        bits 6-7  free: any value decodes the same
 */
#ifndef SOCKRR_FUZZ_CASE_H
#define SOCKRR_FUZZ_CASE_H

#include <stddef.h>

#define SRR_FUZZ_SLOTS 8
#define SRR_FUZZ_MSG_MAX 65535
/* Bytes of a case read at most (AFL++'s own limit is 1 MiB): the rest is
 * not read, so a case's messages stay within a few MiB of memory. */
#define SRR_FUZZ_INPUT_MAX (4u << 20)

typedef enum srr_fuzz_kind {
    SRR_FUZZ_DATA = 0,     /* bytes on a stream connection */
    SRR_FUZZ_DATA_FIN = 1, /* bytes, then the peer shuts its write side */
    SRR_FUZZ_DATA_RST = 2, /* bytes, then the peer resets the connection */
    SRR_FUZZ_DATAGRAM = 3, /* one datagram */
} srr_fuzz_kind;

typedef struct srr_fuzz_msg {
    unsigned slot;
    srr_fuzz_kind kind;
    const unsigned char *data; /* into the decoded input */
    size_t len;
} srr_fuzz_msg;

typedef struct srr_fuzz_case {
    srr_fuzz_msg *msgs;
    size_t n, cap;
} srr_fuzz_case;

/* The messages of p[0..n) (pointing into p, which must outlive c): 0, or
 * -ENOMEM.  Any bytes decode; an empty input has no message. */
int srr__fuzz_decode(const unsigned char *p, size_t n, srr_fuzz_case *c);
void srr__fuzz_case_free(srr_fuzz_case *c);

/* Appends one message to a growing buffer, split in several when longer
 * than SRR_FUZZ_MSG_MAX (only the last keeps a FIN or RST): 0 or -ENOMEM. */
int srr__fuzz_encode(unsigned char **buf, size_t *len, size_t *cap, unsigned slot,
                     srr_fuzz_kind kind, const void *data, size_t n);

/* "data", "data+fin", "data+rst", "datagram" */
const char *srr__fuzz_kind_name(srr_fuzz_kind k);

#endif
