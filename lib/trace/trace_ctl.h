/*
 * trace_ctl.h — the control file the writers of one trace share (writer.c)
 * and the event ring in it (ring.c), with the consumer that turns the ring
 * into the trace file.
 *
 * Under `sockrr record` every traced process maps the control file.  Its
 * lock orders events (seq and t are taken under it); a writer formats its
 * line and, while a consumer runs, copies it into the ring: no system call
 * per event.  The consumer (the sockrr CLI) writes what the ring holds to
 * the trace in large writes, off the program's path.  With no consumer
 * (the C API's tap, or after the consumer is gone) a writer writes its
 * line itself, one write(2) a line.
 */
#ifndef SOCKRR_TRACE_CTL_H
#define SOCKRR_TRACE_CTL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC 0x53525244u /* "SRRD": the layout with a ring */
#define CTL_SOCKS 65536       /* sockets whose offsets several processes share */

/* One socket id's registry entry: the key that finds it again after exec
 * (0 = none) and the stream offsets of each direction. */
typedef struct trace_sockrec {
    uint64_t key;
    uint64_t off[2];
} trace_sockrec;

typedef struct srr_trace_ctl {
    uint32_t magic;
    uint32_t nslots;        /* socks[] entries that follow */
    pthread_mutex_t lock;
    uint64_t seq;
    int64_t last_t;
    int64_t payload_cap;
    /* A sim run's trace names processes and threads by the order they first
     * appear (pid 1, 2, ...; a process's first thread has its pid, later
     * ones pid*1000+n), so two runs with one seed give the same bytes. */
    uint32_t virtual_ids;
    /* The first event any writer could not write (-errno), or 0: the trace
     * ends before it, and sockrr reads it back to report it. */
    int32_t error;
    uint32_t writers;       /* processes that attached: 0 when the preload never ran */
    uint32_t nvpids;
    int32_t vpids[256];     /* vpids[i] = the real pid of virtual pid i + 1 */

    /* The ring: ring_size bytes at ring_off of the file (0: none).  head
     * and tail count bytes ever published and ever written out; both only
     * grow, the ring holds [tail, head), and both stand at line ends.  The
     * lock's holder moves head; the consumer moves tail. */
    uint64_t ring_off, ring_size;
    uint32_t ring_drop;     /* 1: a full ring drops events (counted); 0: the writer waits */
    uint32_t consumer;      /* 1 while a consumer drains the ring */
    pthread_mutex_t consumer_lock; /* robust: held by the consumer while it lives */
    uint64_t head, tail;
    uint64_t file_off;      /* the trace file's length up to tail: where a
                             * writer taking over from a dead consumer cuts it */
    uint64_t seq_published; /* seq of the last line published */
    uint64_t lost;          /* events dropped and not yet counted in a lost event */
    uint64_t lost_total;

    uint64_t nsocks;        /* ids handed out */
    trace_sockrec socks[];  /* id N is socks[N - 1] while N <= nslots */
} srr_trace_ctl;

/* The control file at ctl_path mapped, checked (magic, registry, ring
 * inside the file) (writer.c): the mapping and its *size, or NULL and
 * -errno in *error (-EINVAL: not a control file). */
srr_trace_ctl *srr__trace_ctl_map(const char *ctl_path, size_t *size, int *error);

/* write(2) of the whole buffer (writer.c): 0, or -errno with *done the
 * bytes that went out before the error. */
int srr__trace_write_all(int fd, const char *buf, size_t len, size_t *done);

/* ring.c.  Writers call these holding ctl->lock. */

/* Whether a consumer drains the ring now. */
int srr__ring_active(const srr_trace_ctl *ctl);
/* Puts the whole line (len bytes, ending in '\n') into the ring, waiting
 * for room while the consumer lives (or, with ring_drop, giving up at
 * once).  0 published; -ENOSPC dropped (ring_drop); -EPIPE the consumer is
 * gone: the caller takes over (srr__ring_take_over) and writes the line
 * itself; -E2BIG longer than half the ring: the caller waits for it to be
 * empty (srr__ring_wait_empty) and writes the line itself.  */
int srr__ring_put(srr_trace_ctl *ctl, const char *line, size_t len);
/* Waits until the consumer has written all the ring holds: 0, or -EPIPE
 * when it is gone. */
int srr__ring_wait_empty(srr_trace_ctl *ctl);
/* A writer's turn when the consumer is gone: the trace file (fd) cut back
 * to what the consumer wrote whole, the ring written after it, and the
 * ring off.  0 or -errno. */
int srr__ring_take_over(srr_trace_ctl *ctl, int fd);
/* A line written to the trace by a writer while the ring is on (it was
 * empty): the file's length moves on. */
void srr__ring_wrote(srr_trace_ctl *ctl, size_t len);
/* After a writer died holding the lock: seq goes on from the last line
 * published, and a line it was writing itself is cut off. */
void srr__ring_recover(srr_trace_ctl *ctl, int fd);
/* 1 when the consumer that set ctl->consumer still lives. */
int srr__ring_consumer_alive(srr_trace_ctl *ctl);

#endif
