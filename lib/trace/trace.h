/*
 * trace.h — reading, writing and converting traces (docs/trace-format.md).
 * Internal to libsockrr and the CLI (srr__ names, not exported from the
 * shared library); the tap world is the public way in (srr_world_tap).
 */
#ifndef SOCKRR_TRACE_H
#define SOCKRR_TRACE_H

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

#define SRR_TRACE_VERSION 1
#define SRR_TRACE_FORMAT "sockrr-trace"

/* A problem in a trace: the one parse error (parse_error.h). */
#include "parse_error.h"

/* ------------------------------------------------------------ reader */

typedef struct srr_trace_reader srr_trace_reader;

/* Opens path ("-" = stdin) and reads and checks the header.  NULL with *err
 * on failure. */
srr_trace_reader *srr__trace_open(const char *path, srr_parse_error *err);
/* The same, with name in errors in place of path (NULL: path): a copy of
 * what the user named is read under the user's name. */
srr_trace_reader *srr__trace_open_as(const char *path, const char *name, srr_parse_error *err);
/* The header object (owned by the reader). */
const srr_json *srr__trace_header(const srr_trace_reader *r);
int srr__trace_version(const srr_trace_reader *r);
/* Reads the next event: 1 with *event set (a tree the caller frees with
 * srr__json_free), 0 at the end, -1 with *err for an invalid line.  After -1
 * the reader goes on with the following line, so a checker can report every
 * problem.  A torn last line ends the stream (0) and sets srr__trace_torn. */
int srr__trace_next(srr_trace_reader *r, srr_json **event, srr_parse_error *err);
/* 1 when the stream ended at a torn last line; *err describes it. */
int srr__trace_torn(const srr_trace_reader *r, srr_parse_error *err);
/* Follow a trace still being written (tail -f): at the end of the file
 * the reader calls more(arg), which waits a little and returns 1 while the
 * writers may still add lines, 0 once they are done. */
void srr__trace_follow(srr_trace_reader *r, int (*more)(void *arg), void *arg);
/* Line number of the last line read. */
long srr__trace_line(const srr_trace_reader *r);
/* Bytes of the file consumed so far (for a progress line). */
uint64_t srr__trace_offset(const srr_trace_reader *r);
void srr__trace_close(srr_trace_reader *r);

/* Validates one event object against the format (common members and the
 * op's own); 0 or -1 with *err (field set, line left to the caller). */
int srr__trace_check_event(const srr_json *event, srr_parse_error *err);

/* For messages: "an integer", "a string", ...; and v's compact JSON cut to
 * fit buf (the offending token). */
const char *srr__trace_type_name(const srr_json *v);
const char *srr__trace_token(const srr_json *v, char *buf, size_t len);

/* Base64 (RFC 4648, padded): decode into a malloc'd buffer; 0, -EINVAL
 * when not valid base64, -ENOMEM (a reader must not call that invalid). */
int srr__b64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen);
/* 1 when in is base64 the decoder takes, without decoding it (nor
 * allocating), and how many bytes valid base64 decodes to. */
int srr__b64_valid(const char *in, size_t inlen);
size_t srr__b64_decoded_len(const char *in, size_t inlen);
/* Encode len bytes into out, which has room for srr__b64_len(len) + 1. */
size_t srr__b64_len(size_t len);
size_t srr__b64_encode(const void *in, size_t len, char *out);

/* -------------------------------------------------------- pcap view */

typedef struct srr_pcap_synth srr_pcap_synth;

/* Creates path (mode 0600) as a classic pcap, nanosecond timestamps,
 * LINKTYPE_RAW.  header is the trace header (for wall-clock times). */
srr_pcap_synth *srr__pcap_open(const char *path, const srr_json *header, srr_parse_error *err);
/* Feeds one (already checked) event; writes the packets it implies. */
int srr__pcap_event(srr_pcap_synth *p, const srr_json *event, srr_parse_error *err);
/* Flushes, closes; 0 or -1 with *err. */
int srr__pcap_close(srr_pcap_synth *p, srr_parse_error *err);

/* ------------------------------------------------------------ writer
 * (used by the tap world) */

#include <sys/socket.h>

#include "jline.h"

struct srr_world;

typedef struct srr_trace_meta {
    const char *program;
    int argc;
    char *const *argv;
    const char *world;
    uint64_t seed;
    int64_t payload_cap; /* -1 = none */
    size_t ring_size;    /* shared traces: the event ring's bytes (0: none) */
    int ring_drop;       /* shared traces: a full ring drops events (else waits) */
} srr_trace_meta;

typedef struct srr_trace_writer srr_trace_writer;

/* Creates path (mode 0600, truncated) and writes the header, with the start
 * times read from clock (a world).  NULL and -errno in *error on failure. */
srr_trace_writer *srr__trace_writer_open(const char *path, const srr_trace_meta *meta,
                                         struct srr_world *clock, int *error);
/* The shared mode, for many processes appending to one trace (sockrr
 * record).  shared_create writes the header (pid: the traced program's) at
 * trace_path and makes the control file at ctl_path that holds the lock,
 * seq and the socket registry; 0 or -errno.  attach opens both for
 * appending; NULL and -errno in *error (-EINVAL: not a control file). */
int srr__trace_shared_create(const char *trace_path, const char *ctl_path,
                             const srr_trace_meta *meta, struct srr_world *clock, int64_t pid);
srr_trace_writer *srr__trace_writer_attach(const char *trace_path, const char *ctl_path,
                                           struct srr_world *clock, int *error);
/* The trace's descriptor, and moving it to another high number (the
 * interposer, when the program dup2's onto it); the new one or -errno. */
int srr__trace_writer_fd(const srr_trace_writer *w);
int srr__trace_writer_move_fd(srr_trace_writer *w);
/* 1 for a shared writer. */
int srr__trace_writer_shared(const srr_trace_writer *w);
/* The socket registry: ids 1, 2, ... for the whole trace.  sock_id returns
 * a new id registered under key, or, with reuse (adopting a socket the
 * process did not make), the newest id an earlier process registered under
 * key (*found = 1).  sock_advance, between begin and end,
 * returns a direction's (0 send, 1 receive) stream offset and moves it by n. */
uint64_t srr__trace_sock_id(srr_trace_writer *w, uint64_t key, int reuse, int *found);
uint64_t srr__trace_sock_advance(srr_trace_writer *w, uint64_t id, int dir, uint64_t n);
/* Starts an event: takes the writer's lock, reads the clock, writes the
 * common members (seq, t, pid, tid, op, ret and, when errnum != 0, errno and
 * errno_num).  Returns the line to add members to. */
srr_jline *srr__trace_begin(srr_trace_writer *w, const char *op, int64_t ret, int errnum);
/* Ends the event: one write(2) of the whole line, then unlocks.  A failed
 * write is remembered (srr__trace_writer_error, and for every writer of a
 * shared trace srr__trace_shared_state), never reaches the traced program,
 * and ends the trace: what it had written of the line is cut off again,
 * and no later event is written. */
void srr__trace_end(srr_trace_writer *w);
/* Appends a payload as data/len (and capped when over the cap). */
void srr__trace_payload(srr_trace_writer *w, srr_jline *l, const void *data, size_t len);
/* The first write error (-errno), or 0. */
int srr__trace_writer_error(const srr_trace_writer *w);
/* What sockrr reads back from the control file at ctl_path once the run
 * is over: the first write error of any writer (-errno, or 0) and how many
 * processes attached (0: the preload never ran in any).  0, or -errno
 * (-EINVAL: not a control file). */
int srr__trace_shared_state(const char *ctl_path, int *error, unsigned *writers);
void srr__trace_writer_close(srr_trace_writer *w);
/* At a process's end: when the consumer of the trace's ring is gone, this
 * writer writes out what the ring still holds (ring.c). */
void srr__trace_writer_finish(srr_trace_writer *w);

/* The consumer of a shared trace's event ring (ring.c): the sockrr CLI
 * while the program runs.  open maps the control file at ctl_path (made
 * with a ring) and appends to the trace at trace_path; NULL and -errno in
 * *error (-EINVAL: no control file with a ring).  A ring whose consumer was
 * killed is taken up where that one stopped.  start does so and writes
 * the ring to the trace from a thread of its own until close.  close
 * writes out the rest with the writers held off; from then on they write
 * their own lines.  0 or -errno (the trace's first write error). */
typedef struct srr_trace_ring srr_trace_ring;
srr_trace_ring *srr__trace_ring_open(const char *ctl_path, const char *trace_path, int *error);
srr_trace_ring *srr__trace_ring_start(const char *ctl_path, const char *trace_path, int *error);
int srr__trace_ring_close(srr_trace_ring *g);

/* An address string as docs/trace-format.md defines it; returns buf. */
char *srr__sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen);
/* An IPv4 or IPv6 address string back into a sockaddr; 0 or -1. */
int srr__sockaddr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len);
/* The length of an IPv4 or IPv6 address string without its ":PORT"
 * ("[::1]:80" -> 5), or 0 for any other string. */
size_t srr__addr_host_len(const char *s);
/* Names for the family and type members ("AF_INET", "SOCK_STREAM"). */
const char *srr__family_name(int family, char *buf, size_t len);
const char *srr__stype_name(int type, char *buf, size_t len);

#endif
