/*
 * cmd_diff.c — `sockrr diff A B`: two traces compared as diff compares
 * files: a record and its replay, two sim seeds, yesterday and today.
 *
 * Events line up per process and socket (diff_streams.c), so the
 * interleaving of threads and processes and the ids a run hands out do not
 * count.  Within a stream events compare one to one, member by member
 * (sockets by their ordinal, objects whatever their members' order); for
 * each stream that differs the first difference is shown with the events
 * before it and, when payloads differ, a hex diff of them.  --bytes
 * compares a stream socket's bytes each way instead of its sends and
 * receives, for runs whose calls cut the same bytes differently.
 * Exit status as diff's: 0 the same, 1 different, 2 trouble.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "diff.h"
#include "env_world.h"
#include "grow.h"
#include "show.h"
#include "trace.h"

enum { DIFF_SAME = 0, DIFF_DIFFERENT = 1, DIFF_TROUBLE = 2 };

typedef struct diff_opts {
    int ignore_times, ignore_pids, ignore_ports, bytes, brief;
    int clock_skipped; /* now and sleep left out: one trace is the kernel's */
    long context;
    char **skip;  /* ops left out of the comparison */
    size_t nskip, skip_cap;
} diff_opts;

/* One side: its name, its streams, and what show needs to print its lines. */
typedef struct diff_side {
    const char *path;
    const srr_json *header;
    srr_trace_reader *reader;
    diff_trace t;
    struct show_ctx show;
    int64_t start;
} diff_side;

/* ------------------------------------------------------------ values */

/* A port number given as a service name (getaddrinfo's "8080"). */
static int numeric_service(const char *key, const char *s, size_t n)
{
    if (!key || strcmp(key, "service") != 0 || n == 0 || n > 5)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int str_equal(const char *key, const srr_json *a, const srr_json *b, int mask_ports)
{
    const char *x = srr__json_str(a), *y = srr__json_str(b);
    size_t nx = srr__json_strlen(a), ny = srr__json_strlen(b);
    if (mask_ports && numeric_service(key, x, nx) && numeric_service(key, y, ny))
        return 1;
    if (mask_ports) {
        size_t hx = srr__addr_host_len(x), hy = srr__addr_host_len(y);
        if (hx && hy) {
            nx = hx;
            ny = hy;
        }
    }
    return nx == ny && memcmp(x, y, nx) == 0;
}

/* JSON equality: members in any order, IP addresses' ports (and numeric
 * services) masked on request.  key: the member a and b are the values of. */
static int json_equal(const char *key, const srr_json *a, const srr_json *b, int mask_ports)
{
    if (!a || !b)
        return a == b;
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case SRR_JSON_BOOL: return a->u.boolean == b->u.boolean;
    case SRR_JSON_INT: return a->u.integer == b->u.integer;
    case SRR_JSON_REAL: return a->u.real == b->u.real;
    case SRR_JSON_STRING: return str_equal(key, a, b, mask_ports);
    case SRR_JSON_ARRAY:
        if (a->u.arr.n != b->u.arr.n)
            return 0;
        for (size_t i = 0; i < a->u.arr.n; i++)
            if (!json_equal(key, &a->u.arr.items[i], &b->u.arr.items[i], mask_ports))
                return 0;
        return 1;
    case SRR_JSON_OBJECT:
        if (a->u.obj.n != b->u.obj.n)
            return 0;
        for (size_t i = 0; i < a->u.obj.n; i++) {
            const srr_json_member *m = &a->u.obj.members[i];
            if (!json_equal(m->key, &m->value, srr__json_get(b, m->key), mask_ports))
                return 0;
        }
        return 1;
    default: return 1; /* null */
    }
}

/* ------------------------------------------------------------ events */

static int sock_member(const char *key)
{
    return !strcmp(key, "sock") || !strcmp(key, "new_sock") || !strcmp(key, "socks");
}

/* Socket ids compare by their ordinal in their process. */
static int socks_equal(const srr_json *a, const diff_proc *pa, const srr_json *b,
                       const diff_proc *pb)
{
    if (!a || !b)
        return a == b;
    if (srr__json_is(a, SRR_JSON_ARRAY)) {
        if (srr__json_size(a) != srr__json_size(b))
            return 0;
        for (size_t i = 0; i < srr__json_size(a); i++)
            if (!socks_equal(srr__json_at(a, i), pa, srr__json_at(b, i), pb))
                return 0;
        return 1;
    }
    return diff_sock_ordinal(pa, srr__json_int(a)) == diff_sock_ordinal(pb, srr__json_int(b));
}

static int member_ignored(const diff_opts *o, const char *key)
{
    if (!strcmp(key, "type") || !strcmp(key, "seq"))
        return 1;
    if (o->ignore_times && !strcmp(key, "t"))
        return 1;
    return o->ignore_pids && (!strcmp(key, "pid") || !strcmp(key, "tid"));
}

/* How one member compares: 1 equal. */
static int member_equal(const diff_opts *o, const char *key, const srr_json *a,
                        const diff_proc *pa, const srr_json *b, const diff_proc *pb)
{
    if (sock_member(key))
        return socks_equal(a, pa, b, pb);
    return json_equal(key, a, b, o->ignore_ports);
}

static void add_name(char *names, size_t len, const char *key)
{
    size_t n = strlen(names);
    if (n + strlen(key) + 3 < len)
        snprintf(names + n, len - n, "%s%s", n ? ", " : "", key);
}

/* The members a and b differ in, as "ret, data" in names; their count. */
static int event_diffs(const diff_opts *o, const srr_json *a, const diff_proc *pa,
                       const srr_json *b, const diff_proc *pb, char *names, size_t len)
{
    int n = 0;
    names[0] = '\0';
    for (size_t i = 0; i < a->u.obj.n; i++) {
        const srr_json_member *m = &a->u.obj.members[i];
        if (member_ignored(o, m->key) ||
            member_equal(o, m->key, &m->value, pa, srr__json_get(b, m->key), pb))
            continue;
        add_name(names, len, m->key);
        n++;
    }
    for (size_t i = 0; i < b->u.obj.n; i++) { /* what only b has */
        const srr_json_member *m = &b->u.obj.members[i];
        if (member_ignored(o, m->key) || srr__json_get(a, m->key))
            continue;
        add_name(names, len, m->key);
        n++;
    }
    return n;
}

static int op_skipped(const diff_opts *o, const srr_json *ev)
{
    const char *op = srr__json_str(srr__json_get(ev, "op"));
    for (size_t i = 0; op && i < o->nskip; i++)
        if (!strcmp(o->skip[i], op))
            return 1;
    return 0;
}

/* A send or receive whose bytes --bytes compares as a stream's. */
static int byte_event(const srr_json *ev)
{
    const char *op = srr__json_str(srr__json_get(ev, "op"));
    const char *st = srr__json_str(srr__json_get(ev, "stype"));
    return op && st && !strcmp(st, "SOCK_STREAM") &&
           (!strcmp(op, "sendmsg") || !strcmp(op, "recvmsg"));
}

/* A stream's events as compared: without skipped ops (and, with --bytes,
 * without its sends and receives); malloc'd, NULL and 0 when none. */
static const srr_json **compared_events(const diff_opts *o, const diff_stream *s, size_t *n)
{
    const srr_json **v = malloc((s->n ? s->n : 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; v && i < s->n; i++)
        if (!op_skipped(o, s->events[i]) && !(o->bytes && byte_event(s->events[i])))
            v[(*n)++] = s->events[i];
    return v;
}

/* ------------------------------------------------------------ report */

static void print_event(diff_side *d, char tag, const srr_json *ev)
{
    fprintf(stdout, "%c ", tag);
    show_event(&d->show, ev, d->start);
}

/* "@@ process 1 (pid 4242 / 4343), socket 2 (AF_INET SOCK_STREAM) @@";
 * sock 0 names thread `thread` of the process instead. */
static void stream_title(size_t proc, const diff_proc *pa, const diff_proc *pb,
                         const diff_stream *sa, size_t sock, size_t thread)
{
    int in_a = pa->nthreads || pa->nstreams, in_b = pb->nthreads || pb->nstreams;
    if (in_a && in_b && pa->pid != pb->pid)
        printf("@@ process %zu (pid %lld / %lld), ", proc + 1, (long long)pa->pid,
               (long long)pb->pid);
    else
        printf("@@ process %zu (pid %lld%s), ", proc + 1, (long long)(in_a ? pa : pb)->pid,
               in_a && in_b ? "" : in_a ? ", only in A" : ", only in B");
    if (!sock) {
        printf("thread %zu, calls on no socket @@\n", thread);
        return;
    }
    printf("socket %zu", sock);
    const srr_json *first = sa && sa->n ? sa->events[0] : NULL;
    const char *fam = srr__json_str(srr__json_get(first, "family"));
    const char *st = srr__json_str(srr__json_get(first, "stype"));
    if (fam && st)
        printf(" (%s %s)", fam, st);
    printf(" @@\n");
}

/* Where two lined-up streams are: process, then socket or thread ordinal. */
typedef struct diff_where {
    size_t proc;
    const diff_proc *pa, *pb;
    const diff_stream *sa, *sb;
    size_t sock, thread; /* one of them is 0 */
} diff_where;

static void where_title(const diff_where *w)
{
    stream_title(w->proc, w->pa, w->pb, w->sa->n ? w->sa : w->sb, w->sock, w->thread);
}

/* Rows of 16 bytes around the first difference, diff style: rows alike
 * once, rows that differ as - and + rows. */
static void hex_row(char tag, size_t off, const unsigned char *p, size_t n)
{
    printf("%c   %08zx ", tag, off);
    for (size_t i = 0; i < 16; i++)
        i < n ? printf(" %02x", p[i]) : printf("   ");
    printf("  |");
    for (size_t i = 0; i < n; i++)
        putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
    printf("|\n");
}

static void hexdiff(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    size_t d = 0;
    while (d < na && d < nb && a[d] == b[d])
        d++;
    printf("  payload: A %zu bytes, B %zu bytes, first difference at byte %zu\n", na, nb, d);
    size_t first = d / 16 > 0 ? d / 16 - 1 : 0, last = d / 16 + 3;
    size_t rows = ((na > nb ? na : nb) + 15) / 16;
    if (first > 0)
        printf("    ...\n");
    for (size_t r = first; r < rows && r < last; r++) {
        size_t off = r * 16;
        size_t la = off < na ? (na - off < 16 ? na - off : 16) : 0;
        size_t lb = off < nb ? (nb - off < 16 ? nb - off : 16) : 0;
        if (la == lb && memcmp(a + off, b + off, la) == 0) {
            hex_row(' ', off, a + off, la);
            continue;
        }
        if (la)
            hex_row('-', off, a + off, la);
        if (lb)
            hex_row('+', off, b + off, lb);
    }
    if (last < rows)
        printf("    ...\n");
}

static unsigned char *payload(const srr_json *ev, size_t *n)
{
    return show_b64(srr__json_get(ev, "data"), n);
}

/* The first difference of two lined-up event lists; 1 when they differ. */
static int compare_events(const diff_opts *o, diff_side *a, diff_side *b, const diff_where *w,
                          const srr_json **ea, size_t na, const srr_json **eb, size_t nb)
{
    char names[256];
    size_t i = 0;
    int k = 0;
    for (; i < na && i < nb; i++)
        if ((k = event_diffs(o, ea[i], w->pa, eb[i], w->pb, names, sizeof names)) > 0)
            break;
    if (i == na && i == nb)
        return 0;
    if (o->brief)
        return 1;
    where_title(w);
    for (size_t c = i > (size_t)o->context ? i - (size_t)o->context : 0; c < i; c++)
        print_event(a, ' ', ea[c]);
    if (i < na && i < nb) {
        print_event(a, '-', ea[i]);
        print_event(b, '+', eb[i]);
        printf("  event %zu of this stream differs in: %s\n", i + 1, names);
        const srr_json *da = srr__json_get(ea[i], "data"), *db = srr__json_get(eb[i], "data");
        if ((da || db) && !json_equal("data", da, db, 0)) {
            size_t la = 0, lb = 0;
            unsigned char *pa_ = payload(ea[i], &la), *pb_ = payload(eb[i], &lb);
            hexdiff(pa_ ? pa_ : (unsigned char *)"", la, pb_ ? pb_ : (unsigned char *)"", lb);
            free(pa_);
            free(pb_);
        }
        return 1;
    }
    /* one list ends first: what the other has beyond it */
    int a_longer = na > nb;
    const srr_json **more = a_longer ? ea : eb;
    size_t nmore = a_longer ? na : nb;
    printf("  %s ends after %zu events; %s has %zu more:\n", a_longer ? "B" : "A", i,
           a_longer ? "A" : "B", nmore - i);
    for (size_t c = i; c < nmore && c < i + (size_t)o->context + 1; c++)
        print_event(a_longer ? a : b, a_longer ? '-' : '+', more[c]);
    if (nmore - i > (size_t)o->context + 1)
        printf("  ...\n");
    return 1;
}

/* A stream socket's bytes one way (sent: 1), from its events; *capped set
 * when a payload cap left some out (then they cannot be compared). */
static unsigned char *stream_bytes(const diff_stream *s, int sent, size_t *n, int *capped)
{
    unsigned char *all = NULL;
    size_t len = 0, cap = 0;
    for (size_t i = 0; i < s->n; i++) {
        const srr_json *ev = s->events[i];
        if (!byte_event(ev) || srr__json_int(srr__json_get(ev, "ret")) <= 0 ||
            (strcmp(srr__json_str(srr__json_get(ev, "op")), "sendmsg") == 0) != sent ||
            (srr__json_int(srr__json_get(srr__json_get(ev, "args"), "flags")) & MSG_PEEK))
            continue; /* a peek moves no byte */
        *capped |= srr__json_is_true(srr__json_get(ev, "capped"));
        size_t k = 0;
        unsigned char *p = payload(ev, &k);
        if (k && srr__grow((void **)&all, &cap, len + k, 1) == 0) {
            memcpy(all + len, p, k);
            len += k;
        }
        free(p);
    }
    *n = len;
    return all;
}

static int compare_bytes(const diff_opts *o, const diff_where *w, int titled)
{
    int differ = 0;
    for (int sent = 1; sent >= 0; sent--) {
        size_t na = 0, nb = 0;
        int capped = 0;
        unsigned char *ba = stream_bytes(w->sa, sent, &na, &capped);
        unsigned char *bb = stream_bytes(w->sb, sent, &nb, &capped);
        if (capped) {
            if (!o->brief) {
                if (!titled++)
                    where_title(w);
                printf("  bytes %s not compared: a payload cap left some out\n",
                       sent ? "sent" : "received");
            }
        } else if (na != nb || (na && memcmp(ba, bb, na) != 0)) {
            differ = 1;
            if (!o->brief) {
                if (!titled++)
                    where_title(w);
                printf("  bytes %s differ:\n", sent ? "sent" : "received");
                hexdiff(ba ? ba : (unsigned char *)"", na, bb ? bb : (unsigned char *)"", nb);
            }
        }
        free(ba);
        free(bb);
    }
    return differ;
}

/* 1 when the streams differ (reported), 0 alike, -1 out of memory. */
static int compare_streams(const diff_opts *o, diff_side *a, diff_side *b, const diff_where *w)
{
    size_t na, nb;
    const srr_json **ea = compared_events(o, w->sa, &na), **eb = compared_events(o, w->sb, &nb);
    if (!ea || !eb) {
        free(ea);
        free(eb);
        return -1;
    }
    int d = compare_events(o, a, b, w, ea, na, eb, nb);
    if (o->bytes && w->sock)
        d |= compare_bytes(o, w, d);
    free(ea);
    free(eb);
    return d;
}

static const diff_stream empty_stream;
static const diff_proc empty_proc;

/* Item i of a list of streams, or an empty one past its end. */
static const diff_stream *nth(const diff_stream *list, size_t n, size_t i)
{
    return i < n ? &list[i] : &empty_stream;
}

/* The seq of the first event of s the comparison keeps; INT64_MAX when
 * it keeps none. */
static int64_t first_kept(const diff_opts *o, const diff_stream *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!op_skipped(o, s->events[i]))
            return srr__json_int(srr__json_get(s->events[i], "seq"));
    return INT64_MAX;
}

static int64_t proc_first_kept(const diff_opts *o, const diff_proc *p)
{
    int64_t first = INT64_MAX;
    for (size_t i = 0; i < p->nthreads; i++) {
        int64_t f = first_kept(o, &p->threads[i]);
        first = f < first ? f : first;
    }
    for (size_t i = 0; i < p->nstreams; i++) {
        int64_t f = first_kept(o, &p->streams[i]);
        first = f < first ? f : first;
    }
    return first;
}

typedef struct ranked {
    const void *item;
    int64_t first;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    int64_t x = ((const ranked *)a)->first, y = ((const ranked *)b)->first;
    return x < y ? -1 : x > y;
}

/* The items that hold a kept event, in the order of their first one:
 * processes and threads line up by what they did, not by when a call the
 * comparison leaves out (a clock read) happened to come first.  NULL on
 * ENOMEM (or an empty list, *n 0). */
static ranked *rank(const diff_opts *o, const void *items, size_t size, size_t count,
                    int procs, size_t *n)
{
    ranked *r = malloc((count ? count : 1) * sizeof *r);
    *n = 0;
    for (size_t i = 0; r && i < count; i++) {
        const void *it = (const char *)items + i * size;
        int64_t f = procs ? proc_first_kept(o, it) : first_kept(o, it);
        if (f != INT64_MAX)
            r[(*n)++] = (ranked){it, f};
    }
    if (r && *n)
        qsort(r, *n, sizeof *r, cmp_ranked);
    return r;
}

static const void *nth_ranked(const ranked *r, size_t n, size_t i, const void *none)
{
    return i < n ? r[i].item : none;
}

/* Two processes' streams: their threads' calls on no socket paired in the
 * order of their first kept event, their sockets by ordinal. */
static int compare_procs(const diff_opts *o, diff_side *a, diff_side *b, diff_where *w,
                         size_t *streams, size_t *differ)
{
    const diff_proc *pa = w->pa, *pb = w->pb;
    size_t nta, ntb;
    ranked *ta = rank(o, pa->threads, sizeof *pa->threads, pa->nthreads, 0, &nta);
    ranked *tb = rank(o, pb->threads, sizeof *pb->threads, pb->nthreads, 0, &ntb);
    int rc = ta && tb ? 0 : -1;
    size_t nt = nta > ntb ? nta : ntb, ns = pa->nstreams > pb->nstreams ? pa->nstreams : pb->nstreams;
    for (size_t i = 0; rc == 0 && i < nt + ns; i++) {
        int thread = i < nt;
        size_t k = thread ? i : i - nt;
        w->sa = thread ? nth_ranked(ta, nta, k, &empty_stream) : nth(pa->streams, pa->nstreams, k);
        w->sb = thread ? nth_ranked(tb, ntb, k, &empty_stream) : nth(pb->streams, pb->nstreams, k);
        w->sock = thread ? 0 : k + 1;
        w->thread = thread ? k + 1 : 0;
        (*streams)++;
        int r = compare_streams(o, a, b, w);
        if (r < 0)
            rc = -1;
        else
            *differ += (size_t)r;
    }
    free(ta);
    free(tb);
    return rc;
}

/* Every stream of both traces, paired by process (in the order of their
 * first kept event), then by thread or socket; *streams and *differ count
 * them.  0, or -1 out of memory. */
static int compare_traces(const diff_opts *o, diff_side *a, diff_side *b, size_t *streams,
                          size_t *differ)
{
    size_t npa, npb;
    ranked *ra = rank(o, a->t.procs, sizeof *a->t.procs, a->t.nprocs, 1, &npa);
    ranked *rb = rank(o, b->t.procs, sizeof *b->t.procs, b->t.nprocs, 1, &npb);
    int rc = ra && rb ? 0 : -1;
    size_t np = npa > npb ? npa : npb;
    for (size_t p = 0; rc == 0 && p < np; p++) {
        const diff_proc *pa = nth_ranked(ra, npa, p, &empty_proc);
        const diff_proc *pb = nth_ranked(rb, npb, p, &empty_proc);
        diff_where w = {.proc = p, .pa = pa, .pb = pb}; /* one may be empty: no streams */
        rc = compare_procs(o, a, b, &w, streams, differ);
    }
    free(ra);
    free(rb);
    return rc;
}

/* ------------------------------------------------------------ input */

static int load(diff_side *d)
{
    srr_parse_error err;
    char msg[1024];
    d->reader = srr__trace_open(d->path, &err);
    if (!d->reader) {
        fprintf(stderr, "sockrr diff: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
        return -1;
    }
    d->header = srr__trace_header(d->reader);
    d->start = srr__json_int(srr__json_get(d->header, "start_monotonic_ns"));
    d->show.out = stdout;
    srr_json *ev;
    int rc;
    while ((rc = srr__trace_next(d->reader, &ev, &err)) != 0) {
        if (rc < 0) {
            fprintf(stderr, "sockrr diff: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
            return -1;
        }
        show_learn(&d->show.socks, ev);
        if (diff_trace_add(&d->t, ev) < 0) {
            fprintf(stderr, "sockrr diff: %s: out of memory\n", d->path);
            return -1;
        }
    }
    if (srr__trace_torn(d->reader, &err))
        fprintf(stderr, "sockrr diff: warning: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
    return 0;
}

static void side_free(diff_side *d)
{
    diff_trace_free(&d->t);
    show_socks_free(&d->show.socks);
    if (d->reader)
        srr__trace_close(d->reader);
}

/* ------------------------------------------------------------ command */

static void diff_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr diff [OPTIONS] A B\n"
            "\n"
            "Compares two traces (a record and its replay, two sim seeds, two days'\n"
            "runs).  Events line up per process and per thread (in the order of their\n"
            "first compared event) and per socket of each process (in order of\n"
            "creation), so pids, socket ids and the interleaving of threads do not count.  For each stream that differs\n"
            "it prints the events before the first difference, that event from A (-)\n"
            "and from B (+), the members that differ, and a hex diff of payloads.\n"
            "\n"
            "  -t, --ignore-times    leave event times (t) out\n"
            "  -p, --ignore-pids     leave pid and tid out\n"
            "  -P, --ignore-ports    IP addresses compare without their ports (and a port\n"
            "                        given to getaddrinfo as its service)\n"
            "  -i, --ignore-run      all three: what differs between any two runs\n"
            "  -b, --bytes           compare a stream socket's bytes each way, not its\n"
            "                        sends and receives (runs that cut bytes differently)\n"
            "      --skip-op LIST    leave these ops out (comma-separated), e.g. poll,now,sleep\n"
            "  -C, --context N       events of context before a difference (default 3)\n"
            "  -q, --brief           say only whether the traces differ\n"
            "  -h, --help            this text\n"
            "\n"
            "exit status: 0 the same; 1 different; 2 trouble (bad input, usage).\n");
}

static int add_skips(diff_opts *o, const char *list)
{
    return show_ops_add("diff", "--skip-op", list, &o->skip, &o->nskip, &o->skip_cap);
}

int cli_diff(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"ignore-times", no_argument, NULL, 't'},
        {"ignore-pids", no_argument, NULL, 'p'},
        {"ignore-ports", no_argument, NULL, 'P'},
        {"ignore-run", no_argument, NULL, 'i'},
        {"bytes", no_argument, NULL, 'b'},
        {"skip-op", required_argument, NULL, 's'},
        {"context", required_argument, NULL, 'C'},
        {"brief", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    diff_opts o = {.context = 3};
    diff_side a = {0}, b = {0};
    int opt, status = DIFF_TROUBLE;
    uint64_t v;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":tpPibC:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 't': o.ignore_times = 1; break;
        case 'p': o.ignore_pids = 1; break;
        case 'P': o.ignore_ports = 1; break;
        case 'i': o.ignore_times = o.ignore_pids = o.ignore_ports = 1; break;
        case 'b': o.bytes = 1; break;
        case 'q': o.brief = 1; break;
        case 's':
            if (add_skips(&o, optarg) < 0)
                goto out;
            break;
        case 'C':
            if (srr__env_decimal(optarg, 1000000, &v) < 0) {
                fprintf(stderr, "sockrr diff: --context wants a number of events, got '%s'\n",
                        optarg);
                goto out;
            }
            o.context = (long)v;
            break;
        case 'h':
            diff_usage(stdout);
            status = DIFF_SAME;
            goto out;
        case ':':
            fprintf(stderr, "sockrr diff: '%s' needs a value (see sockrr diff --help)\n",
                    argv[optind - 1]);
            goto out;
        default:
            if (optopt && optopt != '?')
                fprintf(stderr, "sockrr diff: bad option '-%c' (see sockrr diff --help)\n", optopt);
            else
                fprintf(stderr, "sockrr diff: bad option '%s' (see sockrr diff --help)\n",
                        argv[optind - 1]);
            goto out;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "sockrr diff: %s (see sockrr diff --help)\n",
                argc - optind < 2 ? "two traces are needed, A and B" : "only two traces, A and B");
        goto out;
    }
    a.path = argv[optind];
    b.path = argv[optind + 1];
    if (load(&a) < 0 || load(&b) < 0)
        goto out;
    /* a kernel trace has no clock events (docs/trace-format.md): against
     * one, the other's are no difference */
    for (int k = 0; k < 2; k++) {
        const diff_side *d = k ? &b : &a;
        const char *world = srr__json_str(srr__json_get(d->header, "world"));
        if (world && !strcmp(world, "kernel") && !o.clock_skipped) {
            if (add_skips(&o, "now,sleep") < 0)
                goto out;
            o.clock_skipped = 1;
            if (!o.brief)
                printf("# now and sleep events are left out: %s's world (kernel) does not "
                       "record them\n", d->path);
        }
    }
    size_t streams = 0, differ = 0;
    if (compare_traces(&o, &a, &b, &streams, &differ) < 0) {
        fprintf(stderr, "sockrr diff: out of memory\n");
        goto out;
    }
    if (differ && o.brief)
        printf("%s and %s differ\n", a.path, b.path);
    else if (differ)
        printf("%s and %s differ in %zu of %zu streams\n", a.path, b.path, differ, streams);
    status = differ ? DIFF_DIFFERENT : DIFF_SAME;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "sockrr diff: writing the output: %s\n", strerror(errno));
        status = DIFF_TROUBLE;
    }
out:
    side_free(&a);
    side_free(&b);
    for (size_t i = 0; i < o.nskip; i++)
        free(o.skip[i]);
    free(o.skip);
    return status;
}
