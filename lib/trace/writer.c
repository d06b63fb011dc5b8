/*
 * writer.c — the JSONL trace writer.  One lock orders events: seq and t are
 * taken under it, so file order, seq order and time order agree.  Each line
 * goes out in one write(2), so a killed program leaves a valid prefix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrr.h"
#include "trace.h"

struct srr_trace_writer {
    int fd;
    pthread_mutex_t lock;
    srr_world *clock;
    uint64_t seq;
    int64_t last_t;
    int64_t payload_cap;
    int error; /* first failed write, -errno */
    srr_jline line;
};

/* write(2) the whole buffer; a short write to a regular file only happens
 * when the disk fills, and then the rest is retried once more. */
static int writer_flush(srr_trace_writer *w, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(w->fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

srr_trace_writer *srr__trace_writer_open(const char *path, const srr_trace_meta *meta,
                                         srr_world *clock, int *error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = -errno;
        return NULL;
    }
    srr_trace_writer *w = calloc(1, sizeof *w);
    if (!w) {
        close(fd);
        *error = -ENOMEM;
        return NULL;
    }
    w->fd = fd;
    w->clock = clock;
    w->payload_cap = meta->payload_cap;
    pthread_mutex_init(&w->lock, NULL);

    int64_t rt = clock->ops->now(clock, CLOCK_REALTIME);
    int64_t mono = clock->ops->now(clock, CLOCK_MONOTONIC);
    w->last_t = mono;
    srr_jline *l = &w->line;
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
    srr__jl_str(l, "world", meta->world ? meta->world : clock->ops->name);
    srr__jl_int(l, "seed", (int64_t)meta->seed);
    srr__jl_int(l, "pid", getpid());
    srr__jl_int(l, "start_realtime_ns", rt);
    srr__jl_int(l, "start_monotonic_ns", mono);
    srr__jl_int(l, "payload_cap", meta->payload_cap);
    srr__jl_close(l, '}');
    srr__jl_raw(l, "\n", 1);
    int r = l->oom ? -ENOMEM : writer_flush(w, l->buf, l->len);
    if (r < 0) {
        *error = r;
        srr__trace_writer_close(w);
        return NULL;
    }
    return w;
}

srr_jline *srr__trace_begin(srr_trace_writer *w, const char *op, int64_t ret, int errnum)
{
    pthread_mutex_lock(&w->lock);
    int64_t t = w->clock->ops->now(w->clock, CLOCK_MONOTONIC);
    /* A failing clock must not break the t ordering readers check. */
    if (t < w->last_t)
        t = w->last_t;
    w->last_t = t;
    srr_jline *l = &w->line;
    srr__jl_reset(l);
    srr__jl_open(l, NULL, '{');
    srr__jl_raw(l, "\"type\":\"event\"", 14);
    l->first = 0;
    srr__jl_int(l, "seq", (int64_t)++w->seq);
    srr__jl_int(l, "t", t);
    srr__jl_int(l, "pid", getpid());
    srr__jl_int(l, "tid", gettid());
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
    if (w->payload_cap >= 0 && (uint64_t)w->payload_cap < len)
        keep = (size_t)w->payload_cap;
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
    if (l->oom) {
        /* the line is incomplete: say so instead of writing half an event */
        if (!w->error)
            w->error = -ENOMEM;
        w->seq--; /* keep seq without gaps */
    } else {
        int r = writer_flush(w, l->buf, l->len);
        if (r < 0 && !w->error)
            w->error = r;
    }
    /* a huge payload's buffer is not kept for the next small event */
    if (l->cap > (1u << 22))
        srr__jl_free(l);
    pthread_mutex_unlock(&w->lock);
}

int srr__trace_writer_error(const srr_trace_writer *w)
{
    return w->error;
}

void srr__trace_writer_close(srr_trace_writer *w)
{
    if (!w)
        return;
    close(w->fd);
    pthread_mutex_destroy(&w->lock);
    srr__jl_free(&w->line);
    free(w);
}
