/*
 * index.c — sockrr replay's hand-over (replay_int.h).  The CLI checks and
 * counts the trace before the program runs (load.c's first pass); what it
 * found goes into an index file, and the program's preload library loads
 * it instead of reading every line of the trace again: the sockets and
 * lookups, and every send and receive compiled to a fixed-size record that
 * points at its payload in the trace.  The file is this build's own,
 * written and read by the same sockrr for the same trace, and removed by
 * the CLI when the program ends; one that does not fit (another version,
 * another trace, damaged) is ignored and the trace is read instead.
 *
 * Layout: the head, the event records, then the sockets (as rp_sock, with
 * their pointers cleared), each listener's children, and the lookups.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libc.h"
#include "out_file.h"
#include "replay_int.h"

#define RP_INDEX_MAGIC "sockrr-replay-index-1"
/* Pages of the index behind the reader are given back this many at a time. */
#define RP_INDEX_DROP (8u << 20)

typedef struct rp_index_head {
    char magic[24];
    char version[24];
    uint32_t sock_size, ev_size;
    uint64_t trace_len, trace_ino;
    int64_t trace_mtime_ns, epoch, now;
    int32_t pids[RP_PIDS];
    uint64_t nevents, events_off, meta_off, meta_len, nsocks, ngais, nprocs;
    char hostname[256];
} rp_index_head;

struct rp_index_writer {
    FILE *f;
    uint64_t nevents;
    char path[4096];
};

rp_index_writer *srr__rp_index_create(const char *path, char *errbuf, size_t errlen)
{
    rp_index_writer *w = calloc(1, sizeof *w);
    int fd = w ? srr__out_open(path) : -ENOMEM;
    if (fd < 0)
        errno = -fd;
    else if (!(w->f = fdopen(fd, "w")))
        srr__libc.close(fd);
    rp_index_head head;
    memset(&head, 0, sizeof head);
    if (!w || !w->f || fwrite(&head, sizeof head, 1, w->f) != 1) {
        snprintf(errbuf, errlen, "%s: cannot write the replay's index: %s", path, strerror(errno));
        if (w && w->f) {
            fclose(w->f);
            unlink(path);
        }
        free(w);
        return NULL;
    }
    snprintf(w->path, sizeof w->path, "%s", path);
    return w;
}

int srr__rp_index_event(rp_index_writer *w, const rp_recev *ev)
{
    w->nevents++;
    return fwrite(ev, sizeof *ev, 1, w->f) == 1 ? 0 : -1;
}

void srr__rp_index_abort(rp_index_writer *w)
{
    if (!w)
        return;
    fclose(w->f);
    unlink(w->path);
    free(w);
}

static int put_str(FILE *f, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) + 1 : 0; /* 0: NULL */
    return fwrite(&n, sizeof n, 1, f) == 1 && (!n || fwrite(s, n, 1, f) == 1) ? 0 : -1;
}

int srr__rp_index_finish(rp_index_writer *w, const replay_world *r, char *errbuf, size_t errlen)
{
    rp_index_head head;
    memset(&head, 0, sizeof head);
    snprintf(head.magic, sizeof head.magic, "%s", RP_INDEX_MAGIC);
    snprintf(head.version, sizeof head.version, "%s", SRR_VERSION);
    head.sock_size = sizeof(rp_sock);
    head.ev_size = sizeof(rp_recev);
    head.trace_len = r->trace_len;
    head.trace_ino = r->trace_ino;
    head.trace_mtime_ns = r->trace_mtime_ns;
    head.epoch = r->epoch;
    head.now = r->vt.now;
    memcpy(head.pids, r->pids, sizeof head.pids);
    head.nevents = w->nevents;
    head.events_off = sizeof head;
    head.nsocks = r->nsocks;
    head.ngais = r->ngais;
    head.nprocs = r->nprocs;
    snprintf(head.hostname, sizeof head.hostname, "%s", r->hostname);
    long meta = ftell(w->f);
    int ok = meta >= 0;
    head.meta_off = (uint64_t)meta;
    for (size_t i = 0; ok && i < r->nsocks; i++) {
        rp_sock s = r->socks[i];
        s.children = NULL;
        s.children_cap = 0;
        s.out = NULL;
        s.in = NULL;
        s.dgrams = NULL;
        ok = fwrite(&s, sizeof s, 1, w->f) == 1;
    }
    for (size_t i = 0; ok && i < r->nsocks; i++)
        ok = !r->socks[i].nchildren ||
             fwrite(r->socks[i].children, sizeof(size_t), r->socks[i].nchildren, w->f) ==
                 r->socks[i].nchildren;
    for (size_t i = 0; ok && i < r->ngais; i++) {
        const rp_gai *g = &r->gais[i];
        int32_t nums[2] = {g->pid, g->ret};
        size_t n = g->answers ? srr__json_dump(g->answers, NULL, 0) + 1 : 0;
        char *answers = n ? malloc(n) : NULL;
        if (answers)
            srr__json_dump(g->answers, answers, n);
        ok = (answers || !n) && fwrite(nums, sizeof nums, 1, w->f) == 1 &&
             put_str(w->f, g->node) == 0 && put_str(w->f, g->service) == 0 &&
             put_str(w->f, answers) == 0;
        free(answers);
    }
    ok = ok && (!r->nprocs || fwrite(r->procs, sizeof *r->procs, r->nprocs, w->f) == r->nprocs);
    long end = ok ? ftell(w->f) : -1;
    head.meta_len = end > meta ? (uint64_t)(end - meta) : 0;
    ok =
        ok && end >= 0 && fseek(w->f, 0, SEEK_SET) == 0 && fwrite(&head, sizeof head, 1, w->f) == 1;
    ok = fclose(w->f) == 0 && ok;
    if (!ok) {
        snprintf(errbuf, errlen, "%s: cannot write the replay's index: %s", w->path,
                 strerror(errno));
        unlink(w->path);
    }
    free(w);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------ reading */

typedef struct rp_cur {
    const char *p, *end;
} rp_cur;

static const void *take(rp_cur *c, size_t n)
{
    if ((size_t)(c->end - c->p) < n)
        return NULL;
    const void *v = c->p;
    c->p += n;
    return v;
}

/* A string put by put_str: 0 and *out (NULL or allocated), -1 when damaged. */
static int take_str(rp_cur *c, char **out)
{
    uint32_t n;
    const void *v = take(c, sizeof n);
    *out = NULL;
    if (!v)
        return -1;
    memcpy(&n, v, sizeof n);
    if (!n)
        return 0;
    const char *s = take(c, n);
    if (!s || s[n - 1] != '\0')
        return -1;
    return (*out = strdup(s)) ? 0 : -1;
}

/* The fields of a recorded socket that the first pass counted: all an index
 * keeps of it. */
#define RP_KEPT(field) {offsetof(rp_sock, field), sizeof(((rp_sock *)0)->field)}
static const struct {
    size_t off, len;
} rp_first_pass[] = {
    RP_KEPT(id),         RP_KEPT(pid),        RP_KEPT(family),      RP_KEPT(type),
    RP_KEPT(local),      RP_KEPT(peer),       RP_KEPT(first_to),    RP_KEPT(connect_err),
    RP_KEPT(connected),  RP_KEPT(listener),   RP_KEPT(accepted),    RP_KEPT(t_made),
    RP_KEPT(parent),     RP_KEPT(gate),       RP_KEPT(nchildren),   RP_KEPT(out_total),
    RP_KEPT(out_sends),  RP_KEPT(in_total),   RP_KEPT(in_bytes),    RP_KEPT(in_waits),
};
#undef RP_KEPT

static int rp_index_meta(replay_world *r, const rp_index_head *h, rp_cur *c)
{
    if (h->nsocks > (uint64_t)(c->end - c->p) / sizeof(rp_sock))
        return -1;
    r->socks = calloc(h->nsocks ? h->nsocks : 1, sizeof *r->socks);
    if (!r->socks)
        return -1;
    r->socks_cap = h->nsocks ? h->nsocks : 1;
    memcpy(r->socks, take(c, h->nsocks * sizeof *r->socks), h->nsocks * sizeof *r->socks);
    r->nsocks = h->nsocks;
    int64_t maxid = 0;
    for (size_t i = 0; i < r->nsocks; i++) {
        /* what the first pass counted, and nothing of the second's or the
         * program's (an index is a file: its other fields are not trusted) */
        rp_sock c = r->socks[i], *s = &r->socks[i];
        memset(s, 0, sizeof *s);
        for (size_t f = 0; f < sizeof rp_first_pass / sizeof rp_first_pass[0]; f++)
            memcpy((char *)s + rp_first_pass[f].off, (const char *)&c + rp_first_pass[f].off,
                   rp_first_pass[f].len);
        s->local[sizeof s->local - 1] = s->peer[sizeof s->peer - 1] = '\0';
        s->first_to[sizeof s->first_to - 1] = '\0';
        /* ids are no larger than the trace has lines */
        if (s->id <= 0 || (uint64_t)s->id > r->trace_len / 16 + 1024)
            return -1;
        if (s->parent < -1 || s->parent >= (long)r->nsocks)
            return -1;
        maxid = s->id > maxid ? s->id : maxid;
    }
    for (size_t i = 0; i < r->nsocks; i++) {
        rp_sock *s = &r->socks[i];
        if (!s->nchildren)
            continue;
        const void *v = s->nchildren <= (size_t)(c->end - c->p) / sizeof(size_t)
                            ? take(c, s->nchildren * sizeof(size_t))
                            : NULL;
        if (!v || !(s->children = malloc(s->nchildren * sizeof(size_t))))
            return -1;
        memcpy(s->children, v, s->nchildren * sizeof(size_t));
        s->children_cap = s->nchildren;
        for (size_t k = 0; k < s->nchildren; k++)
            if (s->children[k] >= r->nsocks)
                return -1;
    }
    r->ids_cap = (size_t)maxid + 1;
    if (!(r->ids = calloc(r->ids_cap, sizeof *r->ids)))
        return -1;
    for (size_t i = 0; i < r->nsocks; i++)
        r->ids[r->socks[i].id] = i + 1;
    if (h->ngais > (uint64_t)(c->end - c->p) / 8)
        return -1;
    if (!(r->gais = calloc(h->ngais ? h->ngais : 1, sizeof *r->gais)))
        return -1;
    for (size_t i = 0; i < h->ngais; i++) {
        rp_gai *g = &r->gais[r->ngais++];
        int32_t nums[2];
        const void *v = take(c, sizeof nums);
        char *answers;
        if (!v)
            return -1;
        memcpy(nums, v, sizeof nums);
        g->pid = nums[0];
        g->ret = nums[1];
        if (take_str(c, &g->node) < 0 || take_str(c, &g->service) < 0 ||
            take_str(c, &answers) < 0)
            return -1;
        srr_parse_error jerr;
        g->tree = answers ? srr__json_parse(answers, strlen(answers), NULL, &jerr) : NULL;
        g->answers = g->tree;
        int bad = answers && !g->tree;
        free(answers);
        if (bad)
            return -1;
    }
    if (h->nprocs > (uint64_t)(c->end - c->p) / sizeof(rp_proc))
        return -1;
    if (h->nprocs && !(r->procs = malloc(h->nprocs * sizeof *r->procs)))
        return -1;
    if (h->nprocs)
        memcpy(r->procs, take(c, h->nprocs * sizeof *r->procs), h->nprocs * sizeof *r->procs);
    r->nprocs = r->procs_cap = h->nprocs;
    return 0;
}

int srr__rp_index_load(replay_world *r, const char *path)
{
    int fd = srr__libc.open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(rp_index_head)) {
        srr__libc.close(fd);
        return -1;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    srr__libc.close(fd);
    if (m == MAP_FAILED)
        return -1;
    rp_index_head h;
    memcpy(&h, m, sizeof h);
    size_t len = (size_t)st.st_size;
    int fits = strncmp(h.magic, RP_INDEX_MAGIC, sizeof h.magic) == 0 &&
               strncmp(h.version, SRR_VERSION, sizeof h.version) == 0 &&
               h.sock_size == sizeof(rp_sock) && h.ev_size == sizeof(rp_recev) &&
               h.trace_len == r->trace_len && h.trace_ino == r->trace_ino &&
               h.trace_mtime_ns == r->trace_mtime_ns && h.events_off == sizeof h &&
               h.nevents <= (len - sizeof h) / sizeof(rp_recev) &&
               h.meta_off == h.events_off + h.nevents * sizeof(rp_recev) &&
               h.meta_len <= len - h.meta_off;
    rp_cur c = {(const char *)m + h.meta_off, (const char *)m + h.meta_off + h.meta_len};
    if (!fits || rp_index_meta(r, &h, &c) < 0) {
        /* not for this trace, or damaged: forget it, read the trace */
        srr__rp_free_recording_meta(r);
        munmap(m, len);
        return -1;
    }
    r->epoch = h.epoch;
    r->vt.now = h.now;
    memcpy(r->pids, h.pids, sizeof r->pids);
    h.hostname[sizeof h.hostname - 1] = '\0';
    snprintf(r->hostname, sizeof r->hostname, "%s", h.hostname);
    r->idx = m;
    r->idx_len = len;
    r->idx_cursor = h.events_off;
    r->idx_end = h.meta_off;
    r->idx_dropped = 0;
    return 0;
}

int srr__rp_index_next(replay_world *r, rp_recev *ev)
{
    if (r->idx_cursor + sizeof *ev > r->idx_end)
        return 0;
    memcpy(ev, r->idx + r->idx_cursor, sizeof *ev);
    r->idx_cursor += sizeof *ev;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t upto = r->idx_cursor / page * page;
    if (upto > r->idx_dropped + RP_INDEX_DROP) {
        madvise((void *)(r->idx + r->idx_dropped), upto - r->idx_dropped, MADV_DONTNEED);
        r->idx_dropped = upto;
    }
    /* an event pointing outside the trace ends it (the index is damaged) */
    if (ev->data_off > r->trace_len || ev->data_len > r->trace_len - ev->data_off ||
        ev->from_off > r->trace_len || ev->from_len > r->trace_len - ev->from_off ||
        (ev->what != RP_SEND && (ev->what < RP_IN || ev->what > RP_IN + IN_ERROR)))
        return 0;
    return 1;
}

void srr__rp_index_unmap(replay_world *r)
{
    if (r->idx)
        munmap((void *)r->idx, r->idx_len);
    r->idx = NULL;
}
