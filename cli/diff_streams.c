/*
 * diff_streams.c — `sockrr diff`'s view of one trace: its events cut into
 * streams, one per process and socket, so two runs line up whatever their
 * pids, socket ids and the interleaving of their threads and processes.
 *
 * A process is known by the order in which it first appears in the trace,
 * a socket by the order in which its process first names it (as sock,
 * new_sock or in socks); a process's calls on no socket (name lookups,
 * clocks, polls of several) make a stream per thread, known by the order in
 * which it first appears.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "grow.h"

static diff_proc *proc_of(diff_trace *t, int64_t pid)
{
    for (size_t i = 0; i < t->nprocs; i++)
        if (t->procs[i].pid == pid)
            return &t->procs[i];
    if (srr__grow((void **)&t->procs, &t->procs_cap, t->nprocs + 1, sizeof *t->procs) < 0)
        return NULL;
    diff_proc *p = &t->procs[t->nprocs++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    return p;
}

/* The stream of id in the list (made on first mention); NULL on ENOMEM. */
static diff_stream *stream_in(diff_stream **list, size_t *n, size_t *cap, int64_t id)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i].id == id)
            return &(*list)[i];
    if (srr__grow((void **)list, cap, *n + 1, sizeof **list) < 0)
        return NULL;
    diff_stream *s = &(*list)[(*n)++];
    memset(s, 0, sizeof *s);
    s->id = id;
    return s;
}

static diff_stream *stream_of(diff_proc *p, int64_t sock)
{
    return stream_in(&p->streams, &p->nstreams, &p->streams_cap, sock);
}

static int stream_add(diff_stream *s, const srr_json *ev)
{
    if (srr__grow((void **)&s->events, &s->cap, s->n + 1, sizeof *s->events) < 0)
        return -ENOMEM;
    s->events[s->n++] = ev;
    return 0;
}

/* The sockets an event names, in the order they count: its own, the one
 * it makes, a pair's. */
static int learn_socks(diff_proc *p, const srr_json *ev)
{
    const srr_json *own = srr__json_get(ev, "sock"), *made = srr__json_get(ev, "new_sock");
    if (own && !stream_of(p, srr__json_int(own)))
        return -ENOMEM;
    if (made && !stream_of(p, srr__json_int(made)))
        return -ENOMEM;
    const srr_json *pair = srr__json_get(ev, "socks");
    for (size_t i = 0; i < srr__json_size(pair); i++)
        if (!stream_of(p, srr__json_int(srr__json_at(pair, i))))
            return -ENOMEM;
    return 0;
}

int diff_trace_add(diff_trace *t, srr_json *ev)
{
    if (srr__grow((void **)&t->all, &t->all_cap, t->nall + 1, sizeof *t->all) < 0)
        return -ENOMEM;
    t->all[t->nall++] = ev; /* owned from here, whatever follows */
    diff_proc *p = proc_of(t, srr__json_int(srr__json_get(ev, "pid")));
    if (!p || learn_socks(p, ev) < 0)
        return -ENOMEM;
    const srr_json *own = srr__json_get(ev, "sock");
    if (!own) {
        const srr_json *pair = srr__json_get(ev, "socks");
        own = srr__json_size(pair) ? srr__json_at(pair, 0) : NULL;
    }
    diff_stream *s = own ? stream_of(p, srr__json_int(own))
                         : stream_in(&p->threads, &p->nthreads, &p->threads_cap,
                                     srr__json_int(srr__json_get(ev, "tid")));
    return s ? stream_add(s, ev) : -ENOMEM;
}

/* The ordinal of socket id sock in p (1, 2, ...), 0 when p never names it. */
size_t diff_sock_ordinal(const diff_proc *p, int64_t sock)
{
    for (size_t i = 0; i < p->nstreams; i++)
        if (p->streams[i].id == sock)
            return i + 1;
    return 0;
}

void diff_trace_free(diff_trace *t)
{
    for (size_t i = 0; i < t->nprocs; i++) {
        for (size_t j = 0; j < t->procs[i].nstreams; j++)
            free(t->procs[i].streams[j].events);
        free(t->procs[i].streams);
        for (size_t j = 0; j < t->procs[i].nthreads; j++)
            free(t->procs[i].threads[j].events);
        free(t->procs[i].threads);
    }
    free(t->procs);
    for (size_t i = 0; i < t->nall; i++)
        srr__json_free(t->all[i]);
    free(t->all);
    memset(t, 0, sizeof *t);
}
