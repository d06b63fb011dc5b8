/*
 * tap_int.h — the tap's insides, shared by its files (tap.c: the seam's
 * slots and creation; table.c: the socket table; control.c: the control
 * slot) and by nothing else.
 */
#ifndef SOCKRR_TAP_INT_H
#define SOCKRR_TAP_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "jline.h"
#include "sockrr/worlds.h"
#include "trace.h"

#define TAP_ADDR_MAX 128
#define TAP_PAGE 1024
#define TAP_PAGES 1024 /* handles past 1 M are traced without a sock id */

/* What the trace knows of one open socket; dup'ed handles share it. */
typedef struct tap_sock {
    uint64_t id;
    int refs;    /* handles naming it */
    int family;
    int type;
    int stream;  /* byte offsets are kept for stream sockets (by the writer) */
    char local[TAP_ADDR_MAX];
    char peer[TAP_ADDR_MAX];
} tap_sock;

typedef struct tap_world {
    srr_world base;
    srr_world *inner;
    srr_trace_writer *writer;
    int record_clock;
    /* The table: handle -> record, in pages made on first use.  Lookups
     * take no lock (a socket call per event would otherwise pay for it);
     * changes take the lock.  A record is never freed while the tap lives,
     * only recycled through `spare`, so a lookup racing a close reads a
     * record, never freed memory. */
    pthread_mutex_t lock;
    _Atomic(tap_sock *) *pages[TAP_PAGES];
    tap_sock *spare;      /* recycled records, linked through id */
    /* -ENOMEM once a socket's record could not be made or placed: its
     * events go without a sock id, so the trace is not whole
     * (SRR_CTL_TRACE_ERROR says so) */
    _Atomic int lost;
    /* the interposer's: what names a socket across processes (0 = unknown) */
    uint64_t (*key_of)(int handle);
} tap_world;

#define TAP(w) ((tap_world *)(w))
#define INNER(w) (TAP(w)->inner)
#define CALL(w, slot, ...) INNER(w)->ops->slot(INNER(w), __VA_ARGS__)

/* tap.c: recording */
/* Starts an event for op with result r; what the inner world could not
 * model goes first, as an `unsupported` event of its own. */
srr_jline *srr__tap_begin(srr_world *w, const char *op, int64_t r);
void srr__tap_end(srr_world *w);
/* The socket members: sock, fd, family, stype, local, peer. */
void srr__tap_sock_members(srr_jline *l, int h, const tap_sock *s);
/* An `unsupported` event: what was asked, by which call. */
void srr__tap_unsupported_event(srr_world *w, const char *what, const char *call, int64_t ret,
                                int err);

/* table.c */
tap_sock *srr__tap_lookup(tap_world *t, int h);
void srr__tap_unref_locked(tap_world *t, tap_sock *s);
/* 0, or -1 when there was no room for h (t->lost is set): a new record
 * the table did not take goes to srr__tap_discard once its event is
 * written. */
int srr__tap_insert(tap_world *t, int h, tap_sock *s);
void srr__tap_discard(tap_world *t, tap_sock *s);
tap_sock *srr__tap_remove(tap_world *t, int h);
void srr__tap_release(tap_world *t, tap_sock *s);
tap_sock *srr__tap_new_sock(tap_world *t, int h, int family, int type, int adopt);
void srr__tap_refresh(tap_world *t, int h, tap_sock *s);
tap_sock *srr__tap_get(tap_world *t, int h);

/* control.c: the control slot */
int srr__tap_control(srr_world *w, int op, void *arg);

#endif
