/*
 * ring.c — the event ring of a shared trace (trace_ctl.h): writers put
 * whole lines into it under the trace's lock, the consumer (the sockrr CLI)
 * writes them to the trace file, and a writer takes over when the consumer
 * is gone.
 *
 * Crash safety: a line is published (head moves) only once it is whole in
 * the ring, and the ring is a shared mapping of a file, so a program killed
 * after an event loses none of it.  The consumer moves tail only after its
 * write(2) is done; a consumer killed mid-write leaves at most a torn line
 * past file_off, which a writer taking over cuts off before writing the
 * ring again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libc.h"
#include "out_file.h"
#include "trace.h"
#include "trace_ctl.h"

/* How long a writer naps while the ring is full, and the consumer while it
 * is empty: the consumer's nap bounds how far the trace file lags. */
#define RING_WRITER_NAP_NS 50000
#define RING_CONSUMER_NAP_NS 1000000

static char *ring_bytes(srr_trace_ctl *ctl)
{
    return (char *)ctl + ctl->ring_off;
}

static void ring_nap(long ns)
{
    struct timespec ts = {0, ns};
    srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

int srr__ring_active(const srr_trace_ctl *ctl)
{
    return ctl->ring_size && __atomic_load_n(&ctl->consumer, __ATOMIC_ACQUIRE);
}

int srr__ring_consumer_alive(srr_trace_ctl *ctl)
{
    int r = pthread_mutex_trylock(&ctl->consumer_lock);
    if (r == EBUSY)
        return 1;
    if (r == EOWNERDEAD)
        pthread_mutex_consistent(&ctl->consumer_lock);
    if (r == 0 || r == EOWNERDEAD)
        pthread_mutex_unlock(&ctl->consumer_lock);
    return 0;
}

int srr__ring_put(srr_trace_ctl *ctl, const char *line, size_t len)
{
    uint64_t size = ctl->ring_size, head = ctl->head;
    if (len > size / 2)
        return -E2BIG;
    while (size - (head - __atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE)) < len) {
        if (!srr__ring_consumer_alive(ctl))
            return -EPIPE;
        if (ctl->ring_drop)
            return -ENOSPC;
        ring_nap(RING_WRITER_NAP_NS);
    }
    char *ring = ring_bytes(ctl);
    size_t off = (size_t)(head & (size - 1)), first = len < size - off ? len : (size_t)(size - off);
    memcpy(ring + off, line, first);
    memcpy(ring, line + first, len - first);
    __atomic_store_n(&ctl->head, head + len, __ATOMIC_RELEASE);
    return 0;
}

int srr__ring_wait_empty(srr_trace_ctl *ctl)
{
    while (__atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE) != ctl->head) {
        if (!srr__ring_consumer_alive(ctl))
            return -EPIPE;
        ring_nap(RING_WRITER_NAP_NS);
    }
    return 0;
}

void srr__ring_wrote(srr_trace_ctl *ctl, size_t len)
{
    __atomic_fetch_add(&ctl->file_off, len, __ATOMIC_RELEASE);
}

/* The bytes of [from, from + n) of the ring up to its last line end. */
static uint64_t ring_line_end(srr_trace_ctl *ctl, uint64_t from, uint64_t n)
{
    const char *ring = ring_bytes(ctl);
    for (uint64_t i = n; i > 0; i--)
        if (ring[(from + i - 1) & (ctl->ring_size - 1)] == '\n')
            return i;
    return 0;
}

/* Writes [tail, head) of the ring to fd (two writes where it wraps), then
 * moves file_off and tail past it: both stay at a line end.  The bytes
 * written, or -errno: the trace then ends at the last whole line that went
 * out (a line the error tore is cut off), and the error is kept for sockrr
 * to say. */
static long ring_drain(srr_trace_ctl *ctl, int fd)
{
    uint64_t size = ctl->ring_size, head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);
    uint64_t tail = ctl->tail, total = head - tail, wrote = 0;
    int r = 0;
    while (wrote < total && r == 0) {
        size_t off = (size_t)((tail + wrote) & (size - 1)), n, done;
        n = total - wrote < size - off ? (size_t)(total - wrote) : (size_t)(size - off);
        r = srr__trace_write_all(fd, ring_bytes(ctl) + off, n, &done);
        wrote += done;
    }
    uint64_t keep = r < 0 ? ring_line_end(ctl, tail, wrote) : wrote;
    if (keep < wrote)
        (void)!ftruncate(fd, (off_t)(__atomic_load_n(&ctl->file_off, __ATOMIC_ACQUIRE) + keep));
    srr__ring_wrote(ctl, keep);
    __atomic_store_n(&ctl->tail, tail + keep, __ATOMIC_RELEASE);
    if (r < 0) {
        int32_t none = 0;
        __atomic_compare_exchange_n(&ctl->error, &none, r, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
        return r;
    }
    return (long)total;
}

/* The trace file cut back to file_off when a line went past it torn (a
 * writer or the consumer killed in its write), while no one else writes. */
static void ring_cut(srr_trace_ctl *ctl, int fd)
{
    struct stat st;
    uint64_t off = __atomic_load_n(&ctl->file_off, __ATOMIC_ACQUIRE);
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > off)
        (void)!ftruncate(fd, (off_t)off);
}

int srr__ring_take_over(srr_trace_ctl *ctl, int fd)
{
    ring_cut(ctl, fd);
    long r = ring_drain(ctl, fd);
    __atomic_store_n(&ctl->consumer, 0, __ATOMIC_RELEASE);
    return r < 0 ? (int)r : 0;
}

void srr__ring_recover(srr_trace_ctl *ctl, int fd)
{
    ctl->seq = ctl->seq_published;
    if (__atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE) == ctl->head)
        ring_cut(ctl, fd); /* the consumer is idle: a direct write may be torn */
}

/* ------------------------------------------------------------ consumer */

struct srr_trace_ring {
    srr_trace_ctl *ctl;
    size_t map_size;
    int fd;
    pthread_t thread;       /* srr__trace_ring_start's */
    int running;
    int stop;               /* read and set with __atomic builtins */
};

/* ctl_path mapped into g: 0 or -errno (-EINVAL: no control file with a
 * ring). */
static int ring_map(srr_trace_ring *g, const char *ctl_path)
{
    int r = 0;
    g->ctl = srr__trace_ctl_map(ctl_path, &g->map_size, &r);
    return !g->ctl ? r : g->ctl->ring_size ? 0 : -EINVAL;
}

/* ctl's lock, taken as a writer would: a holder that died is recovered
 * from. */
static void ring_lock(srr_trace_ring *g)
{
    if (pthread_mutex_lock(&g->ctl->lock) == EOWNERDEAD) {
        srr__ring_recover(g->ctl, g->fd);
        pthread_mutex_consistent(&g->ctl->lock);
    }
}

srr_trace_ring *srr__trace_ring_open(const char *ctl_path, const char *trace_path, int *error)
{
    srr_trace_ring *g = calloc(1, sizeof *g);
    if (!g) {
        *error = -ENOMEM;
        return NULL;
    }
    g->fd = -1;
    struct stat st;
    int r = ring_map(g, ctl_path);
    if (r == 0 && (g->fd = srr__libc.open(trace_path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
        r = -errno;
    if (r == 0 && fstat(g->fd, &st) < 0)
        r = -errno;
    if (r < 0) {
        if (g->fd >= 0)
            srr__libc.close(g->fd);
        g->fd = -1;
        srr__trace_ring_close(g);
        *error = r;
        return NULL;
    }
    if (pthread_mutex_lock(&g->ctl->consumer_lock) == EOWNERDEAD)
        pthread_mutex_consistent(&g->ctl->consumer_lock);
    ring_lock(g);
    /* the trace's length now; or, when a consumer before this one was
     * killed with the ring on, its file_off, past which it may have torn a
     * line */
    if (__atomic_load_n(&g->ctl->consumer, __ATOMIC_ACQUIRE))
        ring_cut(g->ctl, g->fd);
    else
        g->ctl->file_off = (uint64_t)st.st_size;
    __atomic_store_n(&g->ctl->consumer, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&g->ctl->lock);
    return g;
}

static long ring_pump(srr_trace_ring *g)
{
    if (__atomic_load_n(&g->ctl->error, __ATOMIC_ACQUIRE))
        return 0; /* the trace ends at its first failed write: the ring is let be */
    return ring_drain(g->ctl, g->fd);
}

static void *ring_main(void *arg)
{
    srr_trace_ring *g = arg;
    while (!__atomic_load_n(&g->stop, __ATOMIC_ACQUIRE))
        if (ring_pump(g) <= 0)
            ring_nap(RING_CONSUMER_NAP_NS);
    return NULL;
}

srr_trace_ring *srr__trace_ring_start(const char *ctl_path, const char *trace_path, int *error)
{
    srr_trace_ring *g = srr__trace_ring_open(ctl_path, trace_path, error);
    if (g && (*error = -pthread_create(&g->thread, NULL, ring_main, g)) != 0) {
        srr__trace_ring_close(g);
        return NULL;
    }
    if (g)
        g->running = 1;
    return g;
}

int srr__trace_ring_close(srr_trace_ring *g)
{
    if (!g)
        return 0;
    if (g->running) {
        __atomic_store_n(&g->stop, 1, __ATOMIC_RELEASE);
        pthread_join(g->thread, NULL);
    }
    long r = 0;
    if (g->fd >= 0) {
        /* the last drain, with writers held off: after it they write their
         * own lines */
        ring_lock(g);
        r = ring_pump(g);
        __atomic_store_n(&g->ctl->consumer, 0, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&g->ctl->lock);
        pthread_mutex_unlock(&g->ctl->consumer_lock);
    }
    if (g->ctl)
        munmap(g->ctl, g->map_size);
    if (g->fd >= 0)
        srr__libc.close(g->fd);
    free(g);
    return r < 0 ? (int)r : 0;
}
