/*
 * table.c — what the tap knows of each open socket, by handle: its stable
 * trace id, family, type and addresses; dup'ed handles share a record.
 * Lookups take no lock (a socket call per event would otherwise pay for
 * it); changes take the table's lock.  A record is never freed while the
 * tap lives, only recycled, so a lookup racing a close reads a record,
 * never freed memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "busy.h"
#include "tap_int.h"

#define TAP_ADDR_MAX 128
#define TAP_PAGE 1024
#define TAP_PAGES 1024 /* handles past 1 M are traced without a sock id */

/* ------------------------------------------------------------ socket table */

/* The table's lock.  When processes share the trace (the interposer), a
 * signal handler may make a socket call on this thread: signals wait while
 * the lock is held instead of deadlocking on it. */
static void tap_table_lock(tap_world *t, sigset_t *saved)
{
    if (srr__trace_writer_shared(t->writer)) {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, saved);
    }
    pthread_mutex_lock(&t->lock);
    srr__busy++; /* busy.h */
}

static void tap_table_unlock(tap_world *t, const sigset_t *saved)
{
    srr__busy--;
    pthread_mutex_unlock(&t->lock);
    if (srr__trace_writer_shared(t->writer))
        pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* The slot of handle h; its page made when create is set (lock held). */
static _Atomic(tap_sock *) *tap_slot(tap_world *t, int h, int create)
{
    if (h < 0 || h / TAP_PAGE >= TAP_PAGES)
        return NULL;
    _Atomic(tap_sock *) *page = atomic_load_explicit(
        (_Atomic(_Atomic(tap_sock *) *) *)&t->pages[h / TAP_PAGE], memory_order_acquire);
    if (!page && create) {
        page = calloc(TAP_PAGE, sizeof *page);
        if (!page) {
            atomic_store(&t->lost, -ENOMEM);
            return NULL;
        }
        atomic_store_explicit((_Atomic(_Atomic(tap_sock *) *) *)&t->pages[h / TAP_PAGE], page,
                              memory_order_release);
    }
    return page ? &page[h % TAP_PAGE] : NULL;
}

tap_sock *srr__tap_lookup(tap_world *t, int h)
{
    _Atomic(tap_sock *) *slot = tap_slot(t, h, 0);
    return slot ? atomic_load_explicit(slot, memory_order_acquire) : NULL;
}

/* Back to the spare list when no handle names it (lock held). */
void srr__tap_unref_locked(tap_world *t, tap_sock *s)
{
    if (s && --s->refs == 0) {
        s->id = (uint64_t)(uintptr_t)t->spare;
        t->spare = s;
    }
}

/* Puts s at handle h (s may be shared by dup'ed handles). */
int srr__tap_insert(tap_world *t, int h, tap_sock *s)
{
    if (h < 0 || !s)
        return 0;
    sigset_t saved;
    tap_table_lock(t, &saved);
    _Atomic(tap_sock *) *slot = tap_slot(t, h, 1);
    if (slot) {
        /* a handle the tap missed being closed gives way */
        srr__tap_unref_locked(t, atomic_load_explicit(slot, memory_order_relaxed));
        s->refs++;
        atomic_store_explicit(slot, s, memory_order_release);
    }
    tap_table_unlock(t, &saved);
    return slot ? 0 : -1;
}

/* A new record no handle took: to the spare list, where the tap's end
 * frees it (nothing else would). */
void srr__tap_discard(tap_world *t, tap_sock *s)
{
    if (!s)
        return;
    sigset_t saved;
    tap_table_lock(t, &saved);
    s->refs = 1;
    srr__tap_unref_locked(t, s);
    tap_table_unlock(t, &saved);
}

/* Takes the handle out of the table before the world closes it, so a new
 * socket that reuses the number cannot be removed by mistake.  The caller
 * hands the returned record to srr__tap_release when done with it. */
tap_sock *srr__tap_remove(tap_world *t, int h)
{
    tap_sock *s = NULL;
    sigset_t saved;
    tap_table_lock(t, &saved);
    _Atomic(tap_sock *) *slot = tap_slot(t, h, 0);
    if (slot) {
        s = atomic_exchange_explicit(slot, NULL, memory_order_acq_rel);
        if (s)
            s->refs++; /* the caller's, until srr__tap_release */
        srr__tap_unref_locked(t, s);
    }
    tap_table_unlock(t, &saved);
    return s;
}

void srr__tap_release(tap_world *t, tap_sock *s)
{
    if (!s)
        return;
    sigset_t saved;
    tap_table_lock(t, &saved);
    srr__tap_unref_locked(t, s);
    tap_table_unlock(t, &saved);
}

/* A blank record: a spare one, or a new one. */
static tap_sock *tap_alloc(tap_world *t)
{
    sigset_t saved;
    tap_table_lock(t, &saved);
    tap_sock *s = t->spare;
    if (s)
        t->spare = (tap_sock *)(uintptr_t)s->id;
    tap_table_unlock(t, &saved);
    if (s)
        memset(s, 0, sizeof *s);
    else if (!(s = calloc(1, sizeof *s)))
        atomic_store(&t->lost, -ENOMEM);
    return s;
}

/* A record for the socket at handle h: a new id, or, for a socket an
 * earlier process of the same trace registered (found through key_of after
 * exec), its id. */
tap_sock *srr__tap_new_sock(tap_world *t, int h, int family, int type, int adopt)
{
    tap_sock *s = tap_alloc(t);
    if (!s)
        return NULL;
    int found;
    s->id = srr__trace_sock_id(t->writer, t->key_of ? t->key_of(h) : 0, adopt, &found);
    s->family = family;
    s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    s->stream = s->type == SOCK_STREAM || s->type == SOCK_SEQPACKET;
    return s;
}

/* Asks the inner world for the socket's addresses (not recorded). */
void srr__tap_refresh(tap_world *t, int h, tap_sock *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (!s)
        return;
    if (INNER(t)->ops->getsockname(INNER(t), h, (struct sockaddr *)&ss, &len) == 0)
        srr__sockaddr_format((struct sockaddr *)&ss, len, s->local, sizeof s->local);
    len = sizeof ss;
    if (INNER(t)->ops->getpeername(INNER(t), h, (struct sockaddr *)&ss, &len) == 0)
        srr__sockaddr_format((struct sockaddr *)&ss, len, s->peer, sizeof s->peer);
}

/* Puts s at handle h unless another thread got there first; returns the
 * record that is in the table. */
static tap_sock *tap_insert_new(tap_world *t, int h, tap_sock *s)
{
    sigset_t saved;
    tap_table_lock(t, &saved);
    _Atomic(tap_sock *) *slot = tap_slot(t, h, 1);
    tap_sock *have = slot ? atomic_load_explicit(slot, memory_order_relaxed) : NULL;
    if (slot && !have) {
        s->refs++;
        atomic_store_explicit(slot, s, memory_order_release);
        have = s;
    } else {
        s->refs = 1;
        srr__tap_unref_locked(t, s); /* another thread got there first, or no room */
    }
    tap_table_unlock(t, &saved);
    return have;
}

/* The record of handle h.  Under the interposer a program may use a socket
 * the tap never saw made (inherited across exec, or open before the trace
 * began): it is adopted, with the id an earlier process gave it when the
 * key finds one. */
tap_sock *srr__tap_get(tap_world *t, int h)
{
    tap_sock *s = srr__tap_lookup(t, h);
    if (s || !t->key_of || h < 0 || !t->key_of(h))
        return s;
    int family = AF_UNSPEC, type = SOCK_STREAM;
    socklen_t len = sizeof family;
    INNER(t)->ops->getsockopt(INNER(t), h, SOL_SOCKET, SO_DOMAIN, &family, &len);
    len = sizeof type;
    INNER(t)->ops->getsockopt(INNER(t), h, SOL_SOCKET, SO_TYPE, &type, &len);
    s = srr__tap_new_sock(t, h, family, type, 1);
    if (!s)
        return NULL;
    srr__tap_refresh(t, h, s);
    return tap_insert_new(t, h, s);
}
