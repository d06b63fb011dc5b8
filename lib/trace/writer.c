/*
 * writer.c — the JSONL trace writer.  One lock orders events: seq and t are
 * taken under it, so file order, seq order and time order agree.  Each line
 * goes out in one write(2), so a killed program leaves a valid prefix.
 *
 * Two modes.  A private writer (srr__trace_writer_open) keeps its counters
 * in its own memory.  A shared writer (srr__trace_writer_attach) is one of
 * many processes appending to one trace, as under `sockrr record`: the lock,
 * seq, the last t and the socket registry live in a control file every
 * process maps (srr_trace_ctl), and the lock is a process-shared robust
 * mutex, so a process killed while holding it does not stop the others.
 * A shared writer blocks signals while it holds the lock: a signal handler
 * that sends on a socket then waits for the line in progress instead of
 * deadlocking on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "busy.h"
#include "grow.h"
#include "libc.h"
#include "out_file.h"
#include "trace_ctl.h"
#include "sockrr.h"
#include "trace.h"

#define WRITER_LINE_START 4096 /* the line buffer's first size */

struct srr_trace_writer {
    int fd;                 /* the trace, or -1: given up, or kept by path alone */
    char *path;             /* with a ring: the trace, opened only to write to it */
    srr_world *clock;
    srr_trace_ctl *ctl;     /* shared mapping, or a private allocation */
    size_t ctl_size;        /* mapping size; 0 when private */
    trace_sockrec *extra;   /* ids beyond ctl->nslots, this process only */
    size_t nextra;
    sigset_t saved;         /* the holder's signal mask, while a shared writer holds the lock */
    int cancel_state;       /* the holder's cancellation state */
    int error;              /* first failed write, -errno */
    int64_t t, pid, tid;    /* the event being written's */
    srr_jline line;
};

/* pid and tid cost a system call each, twice per event: kept per thread,
 * and asked again after fork, where the forking thread's ids change. */
static atomic_uint fork_generation;
static __thread unsigned ids_generation;
static __thread int64_t cached_pid, cached_tid;
static int64_t next_vtid; /* this process's threads after the first, for virtual ids */
static pthread_once_t ids_once = PTHREAD_ONCE_INIT;

static void ids_after_fork(void)
{
    atomic_fetch_add(&fork_generation, 1);
    next_vtid = 0;
}

static void ids_register(void)
{
    pthread_atfork(NULL, NULL, ids_after_fork);
}

/* The virtual pid of real pid p (lock held): its order of first appearance. */
static int64_t virtual_pid(srr_trace_ctl *ctl, int64_t p)
{
    for (uint32_t i = 0; i < ctl->nvpids; i++)
        if (ctl->vpids[i] == p)
            return i + 1;
    if (ctl->nvpids == sizeof ctl->vpids / sizeof ctl->vpids[0])
        return p; /* more processes than the table holds: the real id */
    ctl->vpids[ctl->nvpids++] = (int32_t)p;
    return ctl->nvpids;
}

/* pid and tid for an event (lock held). */
static void writer_ids(srr_trace_writer *w, int64_t *pid, int64_t *tid)
{
    unsigned gen = atomic_load_explicit(&fork_generation, memory_order_relaxed) + 1;
    if (ids_generation != gen) {
        pthread_once(&ids_once, ids_register);
        cached_pid = getpid();
        cached_tid = gettid();
        if (w->ctl->virtual_ids) {
            int64_t real_pid = cached_pid;
            cached_pid = virtual_pid(w->ctl, real_pid);
            cached_tid = cached_tid == real_pid ? cached_pid : cached_pid * 1000 + ++next_vtid;
        }
        ids_generation = atomic_load_explicit(&fork_generation, memory_order_relaxed) + 1;
    }
    *pid = cached_pid;
    *tid = cached_tid;
}

/* A huge descriptor limit is still far above what programs use; a table
 * that long would cost every process its memory. */
#define WRITER_FD_TOP 65536

/* A duplicate of fd at the soft descriptor limit's own number, where it
 * costs the program none of its descriptors: RLIMIT_NOFILE bounds the
 * numbers a process may open, not what it holds, so the limit goes up by
 * one for the F_DUPFD and straight back.  That needs room under the hard
 * limit (`ulimit -n N` sets both: then there is none).  Another thread
 * opening a descriptor in that instant could take the number instead, and
 * only when every number below it is in use.  -1 when it cannot be. */
static int writer_above_limit(int fd)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= rl.rlim_max || rl.rlim_cur >= WRITER_FD_TOP)
        return -1;
    struct rlimit up = {rl.rlim_cur + 1, rl.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &up) < 0)
        return -1;
    int high = srr__libc.fcntl(fd, F_DUPFD_CLOEXEC, (int)rl.rlim_cur);
    setrlimit(RLIMIT_NOFILE, &rl);
    return high;
}

/* A duplicate of fd out of the program's way, close-on-exec, at another
 * number than fd: above the limit where it can be, else near the top of it
 * (-errno when there is no room there either). */
static int writer_high_fd(int fd)
{
    int above = writer_above_limit(fd);
    if (above >= 0)
        return above;
    struct rlimit rl;
    long top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur
                                                                                   : 1024;
    if (top > WRITER_FD_TOP)
        top = WRITER_FD_TOP;
    int err = EMFILE;
    for (long want = top - 16; want >= 3; want -= 64) {
        int high = srr__libc.fcntl(fd, F_DUPFD_CLOEXEC, (int)want);
        if (high >= 0)
            return high; /* never fd itself: it is open */
        err = errno;
        if (err != EMFILE && err != EINVAL)
            break;
    }
    return -err;
}

static size_t ctl_bytes(uint32_t nslots)
{
    return sizeof(srr_trace_ctl) + (size_t)nslots * sizeof(trace_sockrec);
}

/* write(2) the whole buffer; a short write to a regular file only happens
 * when the disk fills, and then the rest is retried once more.  0, or
 * -errno with *done the bytes that went out before the error. */
int srr__trace_write_all(int fd, const char *buf, size_t len, size_t *done)
{
    *done = 0;
    if (fd < 0)
        return -EBADF; /* the trace was given up (writer_move_fd) */
    while (len > 0) {
        ssize_t n = srr__libc.write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        buf += n;
        len -= (size_t)n;
        *done += (size_t)n;
    }
    return 0;
}

/* The part of a line a failed write left is cut off again (the lock is
 * held: nobody appended since), so the trace ends at a whole event. */
static void writer_unwrite(int fd, size_t done)
{
    struct stat st;
    if (done > 0 && fstat(fd, &st) == 0 && st.st_size >= (off_t)done)
        (void)!ftruncate(fd, st.st_size - (off_t)done);
}

/* The trace's descriptor for a write now (the lock held).  A writer of a
 * trace with a ring keeps none open: its lines go through the ring, and
 * the program's descriptors, up to its limit, stay all its own.  When it
 * must write itself (a line longer than half the ring, or no reader of the
 * ring) it opens the trace for that write; writer_fd_done closes it. */
static int writer_fd_now(srr_trace_writer *w)
{
    if (w->fd >= 0 || !w->path)
        return w->fd;
    int fd = srr__libc.open(w->path, O_RDWR | O_APPEND | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static void writer_fd_done(srr_trace_writer *w, int fd)
{
    if (fd >= 0 && fd != w->fd)
        srr__libc.close(fd);
}

/* After a writer died holding the lock: a line it left half-written is cut
 * back to the last newline, and seq goes on from the last whole line, so
 * the next line starts clean and seq has no gap. */
static void writer_recover(srr_trace_writer *w, int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= 0)
        return;
    char buf[4096];
    off_t end = st.st_size, keep = -1, line_start = 0;
    while (end > 0 && keep < 0) {
        size_t n = end < (off_t)sizeof buf ? (size_t)end : sizeof buf;
        ssize_t got = pread(fd, buf, n, end - (off_t)n);
        if (got != (ssize_t)n)
            return;
        for (size_t i = n; i > 0; i--)
            if (buf[i - 1] == '\n') {
                keep = end - (off_t)n + (off_t)i;
                break;
            }
        end -= (off_t)n;
    }
    if (keep < 0)
        return;
    if (keep < st.st_size && ftruncate(fd, keep) < 0)
        return;
    /* the last whole line's seq */
    line_start = keep > (off_t)sizeof buf ? keep - (off_t)sizeof buf : 0;
    ssize_t got = pread(fd, buf, (size_t)(keep - line_start), line_start);
    if (got <= 1)
        return;
    buf[got - 1] = '\0'; /* the newline */
    char *last = strrchr(buf, '\n');
    last = last ? last + 1 : buf;
    char *seq = strstr(last, "\"seq\":");
    if (seq)
        w->ctl->seq = strtoull(seq + 6, NULL, 10);
}

static void writer_lock(srr_trace_writer *w)
{
    sigset_t saved;
    if (w->ctl_size) {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &saved);
    }
    if (pthread_mutex_lock(&w->ctl->lock) == EOWNERDEAD) {
        /* a process died holding it, maybe half-way through a line */
        int fd = writer_fd_now(w);
        if (srr__ring_active(w->ctl))
            srr__ring_recover(w->ctl, fd);
        else
            writer_recover(w, fd);
        writer_fd_done(w, fd);
        pthread_mutex_consistent(&w->ctl->lock);
    }
    srr__busy++; /* busy.h */
    /* only the holder may keep its mask here: a waiter would overwrite it */
    if (w->ctl_size)
        w->saved = saved;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &w->cancel_state);
}

static void writer_unlock(srr_trace_writer *w)
{
    sigset_t saved = w->saved; /* the next holder may overwrite it */
    int cancel = w->cancel_state;
    srr__busy--;
    pthread_mutex_unlock(&w->ctl->lock);
    pthread_setcancelstate(cancel, NULL);
    if (w->ctl_size)
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

/* The header line into l. */
static void header_line(srr_jline *l, const srr_trace_meta *meta, const char *world, int64_t pid,
                        int64_t rt, int64_t mono)
{
    srr__jl_reset(l);
    srr__jl_open(l, NULL, '{');
    srr__jl_str(l, "type", "header");
    srr__jl_str(l, "format", SRR_TRACE_FORMAT);
    srr__jl_int(l, "version", SRR_TRACE_VERSION);
    srr__jl_str(l, "sockrr", SRR_VERSION);
    srr__jl_str(l, "program", meta->program ? meta->program : "");
    srr__jl_open(l, "argv", '[');
    for (int i = 0; i < meta->argc && meta->argv; i++)
        srr__jl_str(l, NULL, meta->argv[i]);
    srr__jl_close(l, ']');
    srr__jl_str(l, "world", world);
    srr__jl_int(l, "seed", (int64_t)meta->seed);
    srr__jl_int(l, "pid", pid);
    srr__jl_int(l, "start_realtime_ns", rt);
    srr__jl_int(l, "start_monotonic_ns", mono);
    srr__jl_int(l, "payload_cap", meta->payload_cap);
    srr__jl_close(l, '}');
    srr__jl_raw(l, "\n", 1);
}

/* Creates path and writes the header; returns the descriptor or -errno. */
static int write_header(const char *path, const srr_trace_meta *meta, srr_world *clock,
                        int64_t pid, int64_t *mono_out)
{
    int fd = srr__out_open(path);
    if (fd < 0)
        return fd;
    int64_t rt = clock->ops->now(clock, CLOCK_REALTIME);
    int64_t mono = clock->ops->now(clock, CLOCK_MONOTONIC);
    srr_jline l = {0};
    header_line(&l, meta, meta->world ? meta->world : clock->ops->name, pid, rt, mono);
    size_t done;
    int r = l.oom ? -ENOMEM : srr__trace_write_all(fd, l.buf, l.len, &done);
    srr__jl_free(&l);
    if (r < 0) {
        srr__libc.close(fd);
        return r;
    }
    *mono_out = mono;
    return fd;
}

srr_trace_writer *srr__trace_writer_open(const char *path, const srr_trace_meta *meta,
                                         srr_world *clock, int *error)
{
    srr_trace_writer *w = calloc(1, sizeof *w);
    srr_trace_ctl *ctl = calloc(1, ctl_bytes(0));
    if (!w || !ctl) {
        free(w);
        free(ctl);
        *error = -ENOMEM;
        return NULL;
    }
    int64_t mono = 0;
    int fd = write_header(path, meta, clock, getpid(), &mono);
    if (fd < 0) {
        free(w);
        free(ctl);
        *error = fd;
        return NULL;
    }
    pthread_mutex_init(&ctl->lock, NULL);
    ctl->magic = CTL_MAGIC;
    ctl->last_t = mono;
    ctl->payload_cap = meta->payload_cap;
    w->fd = fd;
    w->clock = clock;
    w->ctl = ctl;
    return w;
}

int srr__trace_shared_create(const char *trace_path, const char *ctl_path,
                             const srr_trace_meta *meta, srr_world *clock, int64_t pid)
{
    int virtual_ids =
        meta->world && (strcmp(meta->world, "sim") == 0 || strcmp(meta->world, "fuzz") == 0);
    int64_t mono = 0;
    int fd = write_header(trace_path, meta, clock, virtual_ids ? 1 : pid, &mono);
    if (fd < 0)
        return fd;
    srr__libc.close(fd);
    int cfd = srr__libc.open(ctl_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (cfd < 0)
        return -errno;
    /* the ring after the registry, a power of two of bytes, page-aligned */
    size_t ring_off = (ctl_bytes(CTL_SOCKS) + 4095) & ~(size_t)4095, ring = 0;
    if (meta->ring_size)
        for (ring = 1u << 16; ring < meta->ring_size && ring < ((size_t)1 << 30);)
            ring <<= 1;
    size_t size = ring_off + ring;
    int r = 0;
    srr_trace_ctl *ctl = MAP_FAILED;
    if (ftruncate(cfd, (off_t)size) < 0 ||
        (ctl = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0)) == MAP_FAILED)
        r = -errno;
    srr__libc.close(cfd);
    if (r < 0)
        return r;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&ctl->lock, &a);
    pthread_mutex_init(&ctl->consumer_lock, &a);
    pthread_mutexattr_destroy(&a);
    ctl->ring_off = ring ? ring_off : 0;
    ctl->ring_size = ring;
    ctl->ring_drop = meta->ring_drop != 0;
    ctl->nslots = CTL_SOCKS;
    ctl->virtual_ids = (uint32_t)virtual_ids;
    ctl->last_t = mono;
    ctl->payload_cap = meta->payload_cap;
    ctl->magic = CTL_MAGIC; /* last: an attacher checks it */
    munmap(ctl, size);
    return 0;
}

srr_trace_ctl *srr__trace_ctl_map(const char *ctl_path, size_t *size, int *error)
{
    int cfd = srr__libc.open(ctl_path, O_RDWR | O_CLOEXEC);
    struct stat st;
    srr_trace_ctl *ctl = MAP_FAILED;
    int r = 0;
    if (cfd < 0 || fstat(cfd, &st) < 0)
        r = -errno;
    else if ((size_t)st.st_size < sizeof *ctl)
        r = -EINVAL;
    else if ((ctl = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0)) ==
             MAP_FAILED)
        r = -errno;
    else if (ctl->magic != CTL_MAGIC || ctl_bytes(ctl->nslots) > (size_t)st.st_size ||
             ctl->ring_off + ctl->ring_size > (uint64_t)st.st_size ||
             (ctl->ring_size & (ctl->ring_size - 1)))
        r = -EINVAL;
    if (cfd >= 0)
        srr__libc.close(cfd);
    if (r < 0) {
        if (ctl != MAP_FAILED)
            munmap(ctl, (size_t)st.st_size);
        *error = r;
        return NULL;
    }
    *size = (size_t)st.st_size;
    return ctl;
}

srr_trace_writer *srr__trace_writer_attach(const char *trace_path, const char *ctl_path,
                                           srr_world *clock, int *error)
{
    /* registered now, not at the first event, which may come from a signal
     * handler (pthread_atfork allocates) */
    pthread_once(&ids_once, ids_register);
    srr_trace_writer *w = calloc(1, sizeof *w);
    if (!w) {
        *error = -ENOMEM;
        return NULL;
    }
    size_t map_size = 0;
    srr_trace_ctl *ctl = srr__trace_ctl_map(ctl_path, &map_size, error);
    int r = ctl ? 0 : *error;
    /* read-write: a writer that finds the lock's last holder dead reads the
     * file's tail (writer_recover).  With a ring, opened now only to see
     * that it can be (writer_fd_now). */
    int fd = r < 0 ? -1 : srr__libc.open(trace_path, O_RDWR | O_APPEND | O_CLOEXEC);
    if (r == 0 && fd < 0)
        r = -errno;
    if (r == 0 && ctl->ring_size) {
        srr__libc.close(fd);
        fd = -1;
        if (!(w->path = strdup(trace_path)))
            r = -ENOMEM;
    }
    if (fd >= 0) {
        /* out of the way of the program's own numbering: a daemon that
         * closes 3..N and opens a log would otherwise get this descriptor */
        int high = writer_high_fd(fd);
        if (high >= 0) {
            srr__libc.close(fd);
            fd = high;
        }
    }
    if (r < 0) {
        if (ctl)
            munmap(ctl, map_size);
        free(w);
        *error = r;
        return NULL;
    }
    w->fd = fd;
    w->clock = clock;
    w->ctl = ctl;
    w->ctl_size = map_size;
    __atomic_fetch_add(&ctl->writers, 1, __ATOMIC_RELAXED);
    /* grown now: a small event then never allocates.  Under `sockrr sim`
     * the clock is traced, and ASan's malloc reads the clock holding its
     * allocator lock: that event must not call malloc. */
    srr__jl_reserve(&w->line, WRITER_LINE_START);
    return w;
}

int srr__trace_writer_fd(const srr_trace_writer *w)
{
    return w->fd;
}

int srr__trace_writer_move_fd(srr_trace_writer *w)
{
    if (w->path)
        return -EBADF; /* it keeps no descriptor to move */
    int high = writer_high_fd(w->fd);
    writer_lock(w);
    int old = w->fd;
    if (high >= 0) {
        w->fd = high;
    } else {
        /* no room: the program takes the number, and the trace stops
         * rather than write into whatever the program puts there (and
         * says why, through the control file) */
        w->fd = -1;
        if (!w->error)
            w->error = high;
        if (!w->ctl->error)
            w->ctl->error = high;
    }
    writer_unlock(w);
    if (old >= 0)
        srr__libc.close(old);
    return high;
}

int srr__trace_writer_shared(const srr_trace_writer *w)
{
    return w->ctl_size != 0;
}

/* The registry entry of id; the lock is held.  NULL when it cannot grow. */
static trace_sockrec *sockrec(srr_trace_writer *w, uint64_t id)
{
    if (id == 0)
        return NULL;
    if (id <= w->ctl->nslots)
        return &w->ctl->socks[id - 1];
    size_t i = (size_t)(id - 1 - w->ctl->nslots);
    if (srr__grow((void **)&w->extra, &w->nextra, i + 1, sizeof *w->extra) < 0)
        return NULL;
    return &w->extra[i];
}

uint64_t srr__trace_sock_id(srr_trace_writer *w, uint64_t key, int reuse, int *found)
{
    writer_lock(w);
    uint64_t id = 0;
    *found = 0;
    if (key && reuse) {
        uint64_t n = w->ctl->nsocks < w->ctl->nslots ? w->ctl->nsocks : w->ctl->nslots;
        for (uint64_t i = n; i > 0 && !id; i--) /* newest first: keys may be reused */
            if (w->ctl->socks[i - 1].key == key)
                id = i;
        *found = id != 0;
    }
    if (!id) {
        id = ++w->ctl->nsocks;
        trace_sockrec *r = sockrec(w, id);
        if (r)
            *r = (trace_sockrec){.key = key};
    }
    writer_unlock(w);
    return id;
}

uint64_t srr__trace_sock_advance(srr_trace_writer *w, uint64_t id, int dir, uint64_t n)
{
    trace_sockrec *r = sockrec(w, id);
    if (!r)
        return 0;
    uint64_t off = r->off[dir != 0];
    r->off[dir != 0] += n;
    return off;
}

/* A line out (the lock held): into the ring while a consumer drains it,
 * else written here; a line too long for the ring is written here once the
 * ring is empty, and a writer that finds the consumer gone writes out what
 * the ring holds first.  0, -ENOSPC (dropped from a full ring), or -errno
 * with *done the bytes written. */
static int writer_out(srr_trace_writer *w, const char *buf, size_t len, size_t *done)
{
    srr_trace_ctl *ctl = w->ctl;
    int r = 0, fd;
    *done = 0;
    if (w->ctl_size && srr__ring_active(ctl)) {
        r = srr__ring_put(ctl, buf, len);
        if (r == 0 || r == -ENOSPC)
            return r;
        if (r == -E2BIG)
            r = srr__ring_wait_empty(ctl);
        if (r == -EPIPE && (fd = writer_fd_now(w)) >= 0) {
            r = srr__ring_take_over(ctl, fd);
            writer_fd_done(w, fd);
        }
        if (r < 0)
            return r;
    }
    if ((fd = writer_fd_now(w)) < 0 && w->path)
        return fd; /* it could not be opened; -1 alone (given up) fails below */
    r = srr__trace_write_all(fd, buf, len, done);
    if (r < 0 && *done)
        writer_unwrite(fd, *done);
    else if (r == 0 && w->ctl_size && srr__ring_active(ctl))
        srr__ring_wrote(ctl, len);
    writer_fd_done(w, fd);
    return r;
}

/* After events a full ring dropped, the next that gets through has a lost
 * event before it that counts them (the lock held; t, pid and tid are the
 * next event's).  While the ring is still full they go on being counted. */
static void writer_lost(srr_trace_writer *w)
{
    srr_trace_ctl *ctl = w->ctl;
    char line[256];
    int n = snprintf(line, sizeof line,
                     "{\"type\":\"event\",\"seq\":%llu,\"t\":%lld,\"pid\":%lld,\"tid\":%lld,"
                     "\"op\":\"lost\",\"ret\":0,\"count\":%llu}\n",
                     (unsigned long long)ctl->seq + 1, (long long)w->t, (long long)w->pid,
                     (long long)w->tid, (unsigned long long)ctl->lost);
    size_t done;
    if (writer_out(w, line, (size_t)n, &done) == 0) {
        ctl->seq_published = ++ctl->seq;
        ctl->lost = 0;
    }
}

srr_jline *srr__trace_begin(srr_trace_writer *w, const char *op, int64_t ret, int errnum)
{
    writer_lock(w);
    int64_t t = w->clock->ops->now(w->clock, CLOCK_MONOTONIC);
    /* A failing clock must not break the t ordering readers check. */
    if (t < w->ctl->last_t)
        t = w->ctl->last_t;
    w->ctl->last_t = t;
    writer_ids(w, &w->pid, &w->tid);
    w->t = t;
    if (w->ctl->lost)
        writer_lost(w); /* before this event, which may not follow on from the last one */
    srr_jline *l = &w->line;
    srr__jl_reset(l);
    srr__jl_open(l, NULL, '{');
    srr__jl_raw(l, "\"type\":\"event\"", 14);
    l->first = 0;
    srr__jl_int(l, "seq", (int64_t)++w->ctl->seq);
    srr__jl_int(l, "t", t);
    srr__jl_int(l, "pid", w->pid);
    srr__jl_int(l, "tid", w->tid);
    srr__jl_str(l, "op", op);
    srr__jl_int(l, "ret", ret);
    if (errnum) {
        const char *name = srr_errno_name(errnum);
        srr__jl_str(l, "errno", name ? name : "E?");
        srr__jl_int(l, "errno_num", errnum);
    }
    return l;
}

void srr__trace_payload(srr_trace_writer *w, srr_jline *l, const void *data, size_t len)
{
    size_t keep = len;
    int64_t cap = w->ctl->payload_cap;
    if (cap >= 0 && (uint64_t)cap < len)
        keep = (size_t)cap;
    srr__jl_b64(l, "data", data, keep);
    srr__jl_int(l, "len", (int64_t)len);
    if (keep < len)
        srr__jl_true(l, "capped");
}

void srr__trace_end(srr_trace_writer *w)
{
    srr_jline *l = &w->line;
    srr__jl_close(l, '}');
    srr__jl_raw(l, "\n", 1);
    /* After the first event that could not be written (here or in another
     * process of the trace) nothing more is: a trace with an event missing
     * in the middle would pass for whole.  An incomplete line (out of
     * memory) is never written. */
    size_t done = 0;
    /* while a lost event waits for room, so do the events after it */
    int r = w->ctl->error ? w->ctl->error
            : l->oom      ? -ENOMEM
            : w->ctl->lost && srr__ring_active(w->ctl) ? -ENOSPC
                          : writer_out(w, l->buf, l->len, &done);
    if (r == -ENOSPC) {
        w->ctl->seq--; /* the next one takes its number */
        w->ctl->lost++;
        w->ctl->lost_total++;
    } else if (r < 0) {
        w->ctl->seq--; /* the next one, if any, takes its number */
        if (!w->ctl->error)
            w->ctl->error = r;
        if (!w->error)
            w->error = r;
    } else {
        w->ctl->seq_published = w->ctl->seq;
    }
    /* a huge payload's buffer is not kept for the next small event */
    if (l->cap > (1u << 22)) {
        srr__jl_free(l);
        srr__jl_reserve(l, WRITER_LINE_START); /* see srr__trace_writer_attach */
    }
    writer_unlock(w);
}

void srr__trace_writer_finish(srr_trace_writer *w)
{
    if (!w || !w->ctl_size)
        return;
    writer_lock(w);
    if (srr__ring_active(w->ctl) && !srr__ring_consumer_alive(w->ctl)) {
        int fd = writer_fd_now(w);
        int r = fd < 0 ? fd : srr__ring_take_over(w->ctl, fd);
        writer_fd_done(w, fd);
        if (r < 0 && !w->ctl->error)
            w->ctl->error = r;
    }
    writer_unlock(w);
}

int srr__trace_writer_error(const srr_trace_writer *w)
{
    return w->error;
}

int srr__trace_shared_state(const char *ctl_path, int *error, unsigned *writers)
{
    int fd = srr__libc.open(ctl_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int32_t e;
    uint32_t magic, n;
    ssize_t a = pread(fd, &magic, sizeof magic, offsetof(srr_trace_ctl, magic));
    ssize_t b = pread(fd, &e, sizeof e, offsetof(srr_trace_ctl, error));
    ssize_t c = pread(fd, &n, sizeof n, offsetof(srr_trace_ctl, writers));
    srr__libc.close(fd);
    if (a != sizeof magic || b != sizeof e || c != sizeof n || magic != CTL_MAGIC)
        return -EINVAL;
    *error = e;
    *writers = n;
    return 0;
}

void srr__trace_writer_close(srr_trace_writer *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        srr__libc.close(w->fd);
    free(w->path);
    if (w->ctl_size) {
        munmap(w->ctl, w->ctl_size);
    } else {
        pthread_mutex_destroy(&w->ctl->lock);
        free(w->ctl);
    }
    free(w->extra);
    srr__jl_free(&w->line);
    free(w);
}
