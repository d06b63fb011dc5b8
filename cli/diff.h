/*
 * diff.h — `sockrr diff`'s insides: cmd_diff.c (the command: options,
 * comparing, the report) and diff_streams.c (a trace cut into streams).
 */
#ifndef SOCKRR_DIFF_H
#define SOCKRR_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* The events of one socket of one process, in trace order (borrowed from
 * the trace's list). */
typedef struct diff_stream {
    int64_t id; /* the trace's socket id, or tid (ids differ between runs; ordinals match) */
    const srr_json **events;
    size_t n, cap;
} diff_stream;

typedef struct diff_proc {
    int64_t pid;
    diff_stream *streams; /* in the order the process first names them */
    size_t nstreams, streams_cap;
    diff_stream *threads; /* its calls on no socket, per thread in order of appearance */
    size_t nthreads, threads_cap;
} diff_proc;

typedef struct diff_trace {
    diff_proc *procs; /* in the order they first appear */
    size_t nprocs, procs_cap;
    srr_json **all;   /* every event, owned */
    size_t nall, all_cap;
} diff_trace;

/* Files the event (owned by t from here on, even on failure): 0 or -ENOMEM. */
int diff_trace_add(diff_trace *t, srr_json *ev);
/* The ordinal (1, 2, ...) of socket id sock in p; 0 when p never names it. */
size_t diff_sock_ordinal(const diff_proc *p, int64_t sock);
void diff_trace_free(diff_trace *t);

#endif
