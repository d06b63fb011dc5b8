/*
 * load.c — a trace into the replay world, read as a stream (replay_int.h).
 *
 * The trace is mapped, and read twice.  The first pass (srr__rp_load), when the
 * world is made, counts: sockets, connections, listeners and what they
 * accepted, lookups, and for every socket how many bytes it sent and what
 * it received; it also checks every line, so a bad trace is refused before
 * the program runs, with its line.  The second pass (rp_pump) goes on
 * behind the program: when a socket of the process being played needs its
 * next recorded bytes, lines are read until it has them, and what the
 * program has played is dropped, as are the pages of the trace behind the
 * reader, so memory stays flat however long the trace.
 *
 * Lines are read in place (jscan.h), not built as trees: a replay reads
 * every line twice, and building base64 payloads as JSON strings was most
 * of its time.  Lookups, whose answers are nested, are the one kind of
 * line handed to the tree reader (json.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"
#include "jscan.h"
#include "libc.h"
#include "replay_int.h"

/* Pages of the trace behind the reader are given back this many at a time. */
#define RP_DROP_BYTES (8u << 20)

/* ------------------------------------------------------------- one line */

enum { K_TYPE, K_OP, K_PID, K_RET, K_SOCK, K_T, K_ERRNO_NUM, K_LOCAL, K_PEER, K_ARGS, K_DATA,
       K_FROM, K_NEW_SOCK, K_NEW_LOCAL, K_NEW_PEER, K_VALUE, K_NAME, K_SEQ, NK };
static const char *const ev_keys[NK] = {
    "type", "op", "pid", "ret", "sock", "t", "errno_num", "local", "peer", "args", "data",
    "from", "new_sock", "new_local", "new_peer", "value", "name", "seq"};
enum { A_DOMAIN, A_TYPE, A_ADDR, A_FLAGS, A_LEVEL, A_NAME, A_TO, A_TIMEOUT, A_FDS, NA };
static const char *const arg_keys[NA] = {"domain", "type", "addr", "flags", "level",
                                         "name", "to", "timeout_ns", "fds"};

typedef enum { OP_OTHER, OP_SOCKET, OP_CONNECT, OP_LISTEN, OP_BIND, OP_ACCEPT, OP_SEND,
               OP_RECV, OP_POLL, OP_GETSOCKOPT, OP_GAI, OP_HOSTNAME, OP_CLOSE } rp_op;

typedef struct rp_ev {
    srr_jsval v[NK], a[NA];
    const srr_jskeys *argk;
    int args_read; /* a[] holds args' members (read when first asked for) */
    rp_op op;
    int64_t pid, ret, sock, t, errno_num;
    const char *line;
    size_t len;
} rp_ev;

static int64_t ev_int(const srr_jsval *v, int64_t dflt)
{
    int64_t x;
    return srr__jscan_int(v, &x) == 0 ? x : dflt;
}

static rp_op ev_op(const srr_jsval *v)
{
    static const struct { const char *name; rp_op op; } ops[] = {
        {"sendmsg", OP_SEND}, {"recvmsg", OP_RECV}, {"poll", OP_POLL},
        {"socket", OP_SOCKET}, {"connect", OP_CONNECT}, {"listen", OP_LISTEN},
        {"bind", OP_BIND}, {"accept4", OP_ACCEPT}, {"getsockopt", OP_GETSOCKOPT},
        {"getaddrinfo", OP_GAI}, {"gethostname", OP_HOSTNAME}, {"close", OP_CLOSE}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (srr__jscan_is(v, ops[i].name))
            return ops[i].op;
    return OP_OTHER;
}

/* Reads one event line; on a bad one, the field and what is wrong. */
static int rp_parse(const replay_world *r, const char *line, size_t len, rp_ev *e,
                    const char **field, const char **what)
{
    size_t bad;
    e->line = line;
    e->len = len;
    e->argk = &r->arg_keys;
    if (srr__jscan_with(line, len, &r->ev_keys, e->v, &bad) < 0) {
        *field = "";
        *what = "not a JSON object (damaged or cut off)";
        return -1;
    }
    static const struct { int k; const char *name; } need[] = {
        {K_SEQ, "seq"}, {K_PID, "pid"}, {K_RET, "ret"}, {K_T, "t"}};
    if (!srr__jscan_is(&e->v[K_TYPE], "event")) {
        *field = "type";
        *what = e->v[K_TYPE].type ? "not \"event\"" : "missing";
        return -1;
    }
    if (e->v[K_OP].type != SRR_JS_STRING) {
        *field = "op";
        *what = e->v[K_OP].type ? "not a string" : "missing";
        return -1;
    }
    if (srr__jscan_is(&e->v[K_OP], "lost")) {
        /* events are missing here: what the program did cannot be known */
        *field = "op";
        *what = "the recording lost events here (a full ring, record --ring-full drop): "
                "it cannot be replayed";
        return -1;
    }
    int64_t *into[] = {NULL, &e->pid, &e->ret, &e->t};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        int64_t x;
        if (srr__jscan_int(&e->v[need[i].k], &x) < 0) {
            *field = need[i].name;
            *what = e->v[need[i].k].type ? "not an integer" : "missing";
            return -1;
        }
        if (into[i])
            *into[i] = x;
    }
    if (e->v[K_ARGS].type != SRR_JS_NONE && e->v[K_ARGS].type != SRR_JS_OBJECT) {
        *field = "args";
        *what = "not an object";
        return -1;
    }
    e->args_read = 0;
    e->op = ev_op(&e->v[K_OP]);
    e->sock = ev_int(&e->v[K_SOCK], -1);
    e->errno_num = ev_int(&e->v[K_ERRNO_NUM], 0);
    if (e->v[K_ERRNO_NUM].type && (e->errno_num < 1 || e->errno_num > 4095)) {
        *field = "errno_num";
        *what = "not an errno (1 to 4095)";
        return -1;
    }
    return 0;
}

/* A member of args (its shape was checked with the line's). */
static const srr_jsval *ev_arg(rp_ev *e, int k)
{
    if (!e->args_read) {
        memset(e->a, 0, sizeof e->a);
        if (e->v[K_ARGS].type == SRR_JS_OBJECT)
            srr__jscan_with(e->v[K_ARGS].p, e->v[K_ARGS].n, e->argk, e->a, NULL);
        e->args_read = 1;
    }
    return &e->a[k];
}

static void copy_str(char *dst, size_t len, const srr_jsval *v)
{
    if (v->type == SRR_JS_STRING && v->n && !v->escaped && v->n < len) {
        memcpy(dst, v->p, v->n);
        dst[v->n] = '\0';
    }
}

/* What rp_count found wrong with a line (below -1: the line's fault). */
enum { RP_ENOMEM = -1, RP_EBASE64 = -2, RP_ESOCK = -3, RP_ENEWSOCK = -4, RP_ELOOKUP = -5,
       RP_EINDEX = -6, RP_EDATA = -7 };

/* ------------------------------------------------------------- sockets */

static rp_sock *rp_by_id(replay_world *r, int64_t id)
{
    if (id <= 0 || (uint64_t)id >= r->ids_cap || !r->ids[id])
        return NULL;
    return &r->socks[r->ids[id] - 1];
}

/* Ids are handed out 1, 2, ... in the order sockets are made, so one is
 * never larger than the trace's lines: max_id bounds the table by id.
 * 0 with *out, RP_ESOCK for an id out of bounds or made twice (a broken
 * trace), RP_ENOMEM. */
static int rp_add_sock(replay_world *r, int64_t id, int pid, int64_t max_id, rp_sock **out)
{
    if (id <= 0 || id > max_id)
        return RP_ESOCK;
    if (srr__grow((void **)&r->ids, &r->ids_cap, (size_t)id + 1, sizeof *r->ids) < 0)
        return RP_ENOMEM;
    if (r->ids[id])
        return RP_ESOCK;
    if (srr__grow((void **)&r->socks, &r->socks_cap, r->nsocks + 1, sizeof *r->socks) < 0)
        return RP_ENOMEM;
    rp_sock *s = &r->socks[r->nsocks++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->pid = pid;
    s->parent = -1;
    r->ids[id] = r->nsocks;
    *out = s;
    return 0;
}

/* The socket a poll that timed out was waiting on (one descriptor), or -1. */
static int64_t poll_sock(rp_ev *e)
{
    static const char *const k[1] = {"sock"};
    const srr_jsval *fds = ev_arg(e, A_FDS);
    if (e->op != OP_POLL || e->ret != 0 || fds->type != SRR_JS_ARRAY)
        return -1;
    /* [ {...} ] : exactly one element */
    const char *p = fds->p + 1, *end = fds->p + fds->n - 1;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *close = p < end && *p == '{' ? memchr(p, '}', (size_t)(end - p)) : NULL;
    if (!close)
        return -1;
    for (const char *q = close + 1; q < end; q++)
        if (*q != ' ' && *q != '\t')
            return -1;
    srr_jsval v;
    if (srr__jscan_object(p, (size_t)(close - p + 1), k, &v, 1, NULL) < 0)
        return -1;
    return ev_int(&v, -1);
}

/* How a received thing counts: 0 not at all (a peek, a non-blocking
 * "nothing yet"), else its kind.  On a datagram socket (stream 0) a
 * receive of 0 bytes is an empty datagram, not an end. */
static int rp_in_kind(rp_ev *e, int stream, in_kind *kind)
{
    if (e->op == OP_POLL) {
        *kind = IN_TIMEOUT;
        return poll_sock(e) > 0;
    }
    if (e->op != OP_RECV || (ev_int(ev_arg(e, A_FLAGS), 0) & MSG_PEEK))
        return 0;
    if (e->ret > 0 || (e->ret == 0 && !stream))
        *kind = IN_DATA;
    else if (e->ret == 0)
        *kind = IN_EOF;
    else if (e->errno_num == EAGAIN)
        return 0; /* non-blocking and nothing yet: the program asks again */
    else
        *kind = IN_ERROR;
    return 1;
}

/* A line's send or receive compiled for the second pass: 1 when it is one
 * the replay plays (on a socket of the trace, by the process that made
 * it), 0 when not. */
static int rp_compile(replay_world *r, rp_ev *e, rp_recev *ev)
{
    if (e->op != OP_SEND && e->op != OP_RECV && e->op != OP_POLL)
        return 0;
    rp_sock *s = rp_by_id(r, e->op == OP_POLL ? poll_sock(e) : e->sock);
    /* a listener's waits for its next connection are not replayed: they
     * say when clients came, which the accepts say better */
    if (!s || s->pid != e->pid || (e->op == OP_POLL && s->listener))
        return 0;
    memset(ev, 0, sizeof *ev);
    ev->sock = s->id;
    ev->t = e->t;
    ev->pid = (int32_t)e->pid;
    const srr_jsval *data = &e->v[K_DATA];
    if (e->op == OP_SEND) {
        /* an empty datagram is a datagram; an empty stream send moves nothing */
        if (e->ret < 0 || (e->ret == 0 && s->type == SOCK_STREAM) || data->type != SRR_JS_STRING)
            return 0;
        ev->what = RP_SEND;
        const srr_jsval *to = s->type != SOCK_STREAM ? ev_arg(e, A_TO) : NULL;
        if (to && to->type == SRR_JS_STRING && !to->escaped && to->n && to->n < 128) {
            ev->from_off = (uint64_t)(to->p - r->trace); /* a datagram's destination */
            ev->from_len = (uint32_t)to->n;
        }
    } else {
        in_kind kind;
        if (!rp_in_kind(e, s->type == SOCK_STREAM, &kind))
            return 0;
        ev->what = RP_IN + (int32_t)kind;
        if (kind == IN_ERROR)
            ev->aux = e->errno_num;
        else if (kind == IN_TIMEOUT)
            ev->aux = ev_int(ev_arg(e, A_TIMEOUT), 0);
        else if (kind != IN_DATA)
            return 1;
        if (kind == IN_DATA && data->type != SRR_JS_STRING)
            return 0;
        const srr_jsval *from = &e->v[K_FROM];
        if (s->type != SOCK_STREAM && from->type == SRR_JS_STRING && !from->escaped &&
            from->n && from->n < 128) {
            ev->from_off = (uint64_t)(from->p - r->trace);
            ev->from_len = (uint32_t)from->n;
        }
    }
    if (ev->what == RP_SEND || ev->what == RP_IN + IN_DATA) {
        if (data->n > UINT32_MAX)
            return 0;
        ev->data_off = (uint64_t)(data->p - r->trace);
        ev->data_len = (uint32_t)data->n;
    }
    return 1;
}

/* ----------------------------------------------------- the first pass */

static const char *rp_count_error(int rc)
{
    switch (rc) {
    case RP_EBASE64: return "data: not base64";
    case RP_ESOCK: return "sock: made twice, or too large an id for this trace";
    case RP_ENEWSOCK: return "new_sock: missing, made twice, or too large an id";
    case RP_ELOOKUP: return "answers: a lookup this reader cannot read";
    case RP_EDATA: return "data: missing (a successful send or receive moves bytes)";
    case RP_EINDEX: return "cannot write the replay's index (is $TMPDIR full?)";
    default: return "out of memory";
    }
}

typedef struct rp_seen {
    int client, server, binder; /* the first pid to connect, listen, bind */
    rp_index_writer *index;     /* sockrr replay's hand-over, being written */
    long lineno;
} rp_seen;

/* A lookup's line, kept whole: 0, RP_ELOOKUP for a line the tree reader
 * refuses, RP_ENOMEM (never reported as a bad line). */
static int rp_add_gai(replay_world *r, rp_ev *e)
{
    srr_parse_error jerr;
    srr_json *ev = srr__json_parse(e->line, e->len, NULL, &jerr);
    if (!ev)
        return jerr.code == SRR_PARSE_EIO ? RP_ENOMEM : RP_ELOOKUP;
    const srr_json *args = srr__json_get(ev, "args");
    if (srr__grow((void **)&r->gais, &r->gais_cap, r->ngais + 1, sizeof *r->gais) < 0) {
        srr__json_free(ev);
        return RP_ENOMEM;
    }
    rp_gai *g = &r->gais[r->ngais++];
    const char *node = srr__json_str(srr__json_get(args, "node"));
    const char *svc = srr__json_str(srr__json_get(args, "service"));
    g->pid = (int)e->pid;
    g->node = node ? strdup(node) : NULL;
    g->service = svc ? strdup(svc) : NULL;
    g->ret = (int)e->ret;
    /* the answers live in the line's tree: the tree is kept whole */
    g->answers = srr__json_get(ev, "answers");
    g->tree = ev;
    /* a name lost to a failed copy would be a lookup nobody asked */
    if ((node && !g->node) || (svc && !g->service))
        return RP_ENOMEM;
    return 0;
}

/* One event of any process: what the replay must know before it starts. */
/* pid moved bytes; parent, when known, is the process whose socket it
 * used.  0, or -1 out of memory. */
/* An errno a call gets for its arguments or its socket's kind, before
 * anything reaches a peer. */
static int rp_refused_call(int e)
{
    return e == EAFNOSUPPORT || e == EINVAL || e == EFAULT || e == EISCONN || e == EALREADY ||
           e == EBADF || e == ENOTSOCK || e == EPROTOTYPE || e == EOPNOTSUPP;
}

static int rp_note_proc(replay_world *r, int pid, int parent, uint64_t bytes)
{
    size_t i = 0;
    while (i < r->nprocs && r->procs[i].pid != pid)
        i++;
    if (i == r->nprocs) {
        if (srr__grow((void **)&r->procs, &r->procs_cap, i + 1, sizeof *r->procs) < 0)
            return -1;
        r->procs[r->nprocs++] = (rp_proc){.pid = pid};
    }
    if (!r->procs[i].parent && parent)
        r->procs[i].parent = parent;
    r->procs[i].bytes += bytes;
    return 0;
}

static int rp_count(replay_world *r, rp_ev *e, rp_seen *seen)
{
    int pid = (int)e->pid;
    if (e->op == OP_SOCKET && e->ret >= 0) {
        rp_sock *s;
        int rc = rp_add_sock(r, e->sock, pid, seen->lineno + 1024, &s);
        if (rc < 0)
            return rc;
        s->family = (int)ev_int(ev_arg(e, A_DOMAIN), 0);
        s->type = (int)ev_int(ev_arg(e, A_TYPE), 0) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
        s->t_made = e->t;
        return 0;
    }
    if (e->op == OP_GAI)
        return rp_add_gai(r, e);
    if (e->op == OP_HOSTNAME && e->ret == 0) {
        copy_str(r->hostname, sizeof r->hostname, &e->v[K_NAME]);
        return 0;
    }
    if ((e->op == OP_SEND || e->op == OP_RECV) && e->ret > 0) {
        rp_sock *k = rp_by_id(r, e->sock);
        if (rp_note_proc(r, pid, k && k->pid != pid ? k->pid : 0, (uint64_t)e->ret) < 0)
            return RP_ENOMEM;
    }
    rp_recev ev;
    if (rp_compile(r, e, &ev)) {
        rp_sock *s = rp_by_id(r, ev.sock);
        if (ev.data_len && !srr__b64_valid(r->trace + ev.data_off, ev.data_len))
            return RP_EBASE64; /* checked here, so the program never meets it */
        if (ev.what == RP_SEND) {
            /* a datagram socket whose first act is a send to an address is
             * a client's; one that received first is a server's */
            if (!s->out_sends && !s->in_total && !s->connected &&
                ev_arg(e, A_TO)->type == SRR_JS_STRING) {
                copy_str(s->first_to, sizeof s->first_to, ev_arg(e, A_TO));
                if (!seen->client)
                    seen->client = pid;
            }
            s->out_sends++;
            s->out_total += srr__b64_decoded_len(r->trace + ev.data_off, ev.data_len);
        } else {
            s->in_total++;
            if (ev.what == RP_IN + IN_DATA)
                s->in_bytes += srr__b64_decoded_len(r->trace + ev.data_off, ev.data_len);
            s->in_waits += ev.what == RP_IN + IN_ERROR || ev.what == RP_IN + IN_TIMEOUT;
        }
        if (seen->index && srr__rp_index_event(seen->index, &ev) < 0)
            return RP_EINDEX;
    }
    if (e->op == OP_POLL)
        return 0;
    rp_sock *s = rp_by_id(r, e->sock);
    if (!s || s->pid != pid)
        return 0; /* made before the trace began, or used by a forked child */
    if (!s->local[0] || e->op == OP_BIND || e->op == OP_CONNECT || e->op == OP_LISTEN)
        copy_str(s->local, sizeof s->local, &e->v[K_LOCAL]);
    if (!s->peer[0])
        copy_str(s->peer, sizeof s->peer, &e->v[K_PEER]);
    switch (e->op) {
    case OP_CONNECT:
        /* a connect its arguments or the socket's kind refused reached no
         * peer: the program's is refused the same way (sock_rules.h) */
        if (e->ret < 0 && rp_refused_call((int)e->errno_num))
            break;
        /* the connect's outcome: the first call's, or a later one's that
         * finished a non-blocking connect before any byte moved (not its
         * EALREADY, EINPROGRESS or EISCONN) */
        if (!s->connected) {
            s->connected = 1;
            s->connect_err = e->ret == 0 || e->errno_num == EINPROGRESS ? 0 : (int)e->errno_num;
            copy_str(s->peer, sizeof s->peer, ev_arg(e, A_ADDR));
        } else if (e->ret < 0 && !s->out_sends && !s->in_total && e->errno_num != EALREADY &&
                   e->errno_num != EINPROGRESS && e->errno_num != EISCONN) {
            s->connect_err = (int)e->errno_num;
        }
        if (!seen->client)
            seen->client = pid;
        break;
    case OP_LISTEN:
        if (e->ret == 0) {
            s->listener = 1;
            if (!seen->server)
                seen->server = pid;
        }
        break;
    case OP_BIND:
        if (e->ret == 0 && !seen->binder)
            seen->binder = pid;
        break;
    case OP_ACCEPT: {
        if (e->ret < 0)
            break;
        size_t parent = (size_t)(s - r->socks);
        rp_sock *c;
        int rc = rp_add_sock(r, ev_int(&e->v[K_NEW_SOCK], 0), pid, seen->lineno + 1024, &c);
        if (rc < 0)
            return rc == RP_ENOMEM ? rc : RP_ENEWSOCK;
        s = &r->socks[parent]; /* the table may have moved */
        c->family = s->family;
        c->type = s->type;
        c->accepted = 1;
        c->t_made = e->t;
        c->parent = (long)parent;
        c->gate = s->closed_rec;
        copy_str(c->local, sizeof c->local, &e->v[K_NEW_LOCAL]);
        copy_str(c->peer, sizeof c->peer, &e->v[K_NEW_PEER]);
        if (srr__grow((void **)&s->children, &s->children_cap, s->nchildren + 1, sizeof(size_t)) <
            0)
            return -1;
        s->children[s->nchildren++] = r->nsocks - 1;
        break;
    }
    case OP_CLOSE:
        /* the connections a server had finished before each accept: each
         * counted once (a close of one of its dups does not end it; the
         * program's closes count sockets too) */
        if (e->ret == 0 && s->accepted && s->parent >= 0 && !s->close_seen) {
            s->close_seen = 1;
            r->socks[s->parent].closed_rec++;
        }
        break;
    case OP_GETSOCKOPT:
        /* a non-blocking connect's result */
        if (e->ret == 0 && s->connected && !s->out_sends && !s->in_total &&
            ev_int(ev_arg(e, A_LEVEL), -1) == SOL_SOCKET &&
            ev_int(ev_arg(e, A_NAME), -1) == SO_ERROR && e->v[K_VALUE].type == SRR_JS_STRING) {
            unsigned char *v = NULL;
            size_t n = 0;
            if (srr__b64_decode(e->v[K_VALUE].p, e->v[K_VALUE].n, &v, &n) == 0 &&
                n >= sizeof(int)) {
                int err;
                memcpy(&err, v, sizeof err);
                if (err > 0 && err < 4096)
                    s->connect_err = err;
            }
            free(v);
        }
        break;
    case OP_SEND:
        if (e->ret > 0 && e->v[K_DATA].type != SRR_JS_STRING)
            return RP_EDATA;
        break;
    case OP_RECV:
        if (e->ret > 0 && !(ev_int(ev_arg(e, A_FLAGS), 0) & MSG_PEEK) &&
            e->v[K_DATA].type != SRR_JS_STRING)
            return RP_EDATA;
        break;
    default:
        break;
    }
    return 0;
}

/* Gives the pages of the trace before off back to the system. */
/* Gives the pages of the trace before off back to the system. */
static void rp_drop_behind(replay_world *r, size_t off)
{
    size_t upto = off / r->page * r->page;
    if (upto > r->dropped + RP_DROP_BYTES) {
        madvise((void *)(r->trace + r->dropped), upto - r->dropped, MADV_DONTNEED);
        r->dropped = upto;
    }
}

/* The line at *off: its length (without '\n'), *off moved past it; -1 at
 * the end (a last line with no '\n' was cut off by a killed writer and is
 * not used, as the reader does). */
static long rp_next_line(const replay_world *r, size_t *off, const char **line)
{
    if (*off >= r->trace_len)
        return -1;
    const char *p = r->trace + *off;
    const char *nl = memchr(p, '\n', r->trace_len - *off);
    if (!nl)
        return -1;
    *line = p;
    *off = (size_t)(nl - r->trace) + 1;
    return nl - p;
}

static int rp_check_any(const replay_world *r, char *errbuf, size_t errlen);

int srr__rp_load(replay_world *r, const char *path, char *errbuf, size_t errlen)
{
    srr__jscan_keys(&r->ev_keys, ev_keys, NK); /* fewer than 32 keys: cannot fail */
    srr__jscan_keys(&r->arg_keys, arg_keys, NA);
    srr_parse_error err;
    memset(&err, 0, sizeof err);
    srr_trace_reader *rd = srr__trace_open(path, &err); /* checks the header */
    if (!rd) {
        /* the recording as the user named it, not a trace made from it */
        snprintf(err.source, sizeof err.source, "%s", srr__rp_name(r));
        srr__parse_error_format(&err, errbuf, errlen);
        return -1;
    }
    const srr_json *h = srr__trace_header(rd);
    int64_t mono0 = srr__json_int(srr__json_get(h, "start_monotonic_ns"));
    r->epoch = srr__json_int(srr__json_get(h, "start_realtime_ns")) - mono0;
    r->vt.now = mono0; /* the clocks start where the recording's did */
    srr__trace_close(rd);

    int fd = srr__libc.open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(errbuf, errlen, "%s: %s", srr__rp_name(r), strerror(errno));
        if (fd >= 0)
            srr__libc.close(fd);
        return -1;
    }
    r->trace_len = (size_t)st.st_size;
    void *m = r->trace_len ? mmap(NULL, r->trace_len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    srr__libc.close(fd); /* the mapping stays: a program closing every descriptor cannot take it */
    if (m == MAP_FAILED) {
        snprintf(errbuf, errlen, "%s: cannot map the trace: %s", srr__rp_name(r), strerror(errno));
        return -1;
    }
    r->trace = m;
    r->page = (size_t)sysconf(_SC_PAGESIZE);
    r->trace_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    r->trace_ino = (uint64_t)st.st_ino;

    size_t off = 0;
    const char *line;
    long len = rp_next_line(r, &off, &line); /* the header, read above */
    r->cursor = off;
    if (r->index_in && srr__rp_index_load(r, r->index_in) == 0)
        return rp_check_any(r, errbuf, errlen); /* counted by sockrr replay */
    rp_seen seen = {0};
    if (r->index_out && !(seen.index = srr__rp_index_create(r->index_out, errbuf, errlen)))
        return -1;
    long lineno = 1;
    int rc = 0;
    while (rc == 0 && (len = rp_next_line(r, &off, &line)) >= 0) {
        lineno++;
        seen.lineno = lineno;
        rp_ev e;
        const char *field = "", *what = "";
        if (rp_parse(r, line, (size_t)len, &e, &field, &what) < 0) {
            snprintf(errbuf, errlen, "%s:%ld: %s%s%s", srr__rp_name(r), lineno, field,
                     *field ? ": " : "", what);
            rc = -1;
        } else if ((rc = rp_count(r, &e, &seen)) < 0) {
            snprintf(errbuf, errlen, "%s:%ld: %s", srr__rp_name(r), lineno, rp_count_error(rc));
            rc = -1;
        }
        rp_drop_behind(r, off);
        if (r->opt.on_progress && (lineno & 0x3ff) == 0)
            r->opt.on_progress(off, r->trace_len, r->opt.progress_arg);
    }
    if (rc < 0) {
        srr__rp_index_abort(seen.index);
        return -1;
    }
    r->dropped = 0; /* the second pass reads from the start again */
    if (r->opt.pid) {
        r->pids[0] = r->opt.pid;
    } else {
        /* the program may play the first client or the first server: a
         * trace of both together replays either */
        int server = seen.server ? seen.server : seen.binder;
        r->pids[0] = seen.client ? seen.client : server;
        r->pids[1] = seen.client && server != seen.client ? server : 0;
    }
    if (seen.index && srr__rp_index_finish(seen.index, r, errbuf, errlen) < 0)
        return -1;
    return rp_check_any(r, errbuf, errlen);
}

/* A trace with nothing to replay is refused. */
static int rp_check_any(const replay_world *r, char *errbuf, size_t errlen)
{
    int any = r->ngais > 0;
    for (size_t i = 0; i < r->nsocks && !any; i++)
        any = !r->opt.pid || r->socks[i].pid == r->opt.pid;
    if (!any) {
        snprintf(errbuf, errlen, "%s: op: the trace holds no socket of %s to replay",
                 srr__rp_name(r), r->opt.pid ? "that process" : "any process");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------- the second pass */

/* One send or receive of the process played onto its socket: the bytes
 * it sent, or what it received. */
static int rp_take(replay_world *r, const rp_recev *ev)
{
    rp_sock *s = rp_by_id(r, ev->sock);
    if (!s || s->pid != ev->pid)
        return 0;
    if (ev->what == RP_SEND) {
        unsigned char *v = NULL;
        size_t n = 0;
        if (srr__b64_decode(r->trace + ev->data_off, ev->data_len, &v, &n) < 0)
            return -1;
        if (srr__grow((void **)&s->out, &s->out_cap, s->out_len + n, 1) < 0) {
            free(v);
            return -1;
        }
        if (n)
            memcpy(s->out + s->out_len, v, n);
        s->out_len += n;
        s->out_sends_loaded++;
        free(v);
        if (s->type == SOCK_STREAM)
            return 0;
        /* a datagram: its end and destination, so each is matched whole */
        if (srr__grow((void **)&s->dgrams, &s->dg_cap, s->ndg + 1, sizeof *s->dgrams) < 0)
            return -1;
        struct rp_dgram d = {.end = s->out_base + s->out_len};
        if (ev->from_len && !(d.to = strndup(r->trace + ev->from_off, ev->from_len)))
            return -1;
        s->dgrams[s->ndg++] = d;
        return 0;
    }
    /* after_out counts what was sent before: loaded already, as events
     * come in order; a socket whose sent bytes were dropped keeps counting */
    in_item it = {.kind = (in_kind)(ev->what - RP_IN), .after_out = s->out_base + s->out_len,
                  .t = ev->t};
    if (it.kind == IN_DATA) {
        if (srr__b64_decode(r->trace + ev->data_off, ev->data_len, &it.data, &it.len) < 0)
            return -1;
        if (ev->from_len && !(it.from = strndup(r->trace + ev->from_off, ev->from_len))) {
            free(it.data);
            return -1;
        }
    } else if (it.kind == IN_ERROR) {
        it.err = (int)ev->aux;
    } else if (it.kind == IN_TIMEOUT) {
        it.wait_ns = ev->aux;
    }
    if (srr__grow((void **)&s->in, &s->in_cap, s->nin + 1, sizeof *s->in) < 0) {
        free(it.data);
        free(it.from);
        return -1;
    }
    s->in[s->nin++] = it;
    s->in_loaded++;
    return 0;
}

/* The next send or receive of the process played: from the index when
 * sockrr replay handed one over, else from the trace's lines.  1, or 0 at
 * the end. */
static int rp_next_event(replay_world *r, rp_recev *ev)
{
    if (r->idx) {
        while (srr__rp_index_next(r, ev))
            if (ev->pid == r->pid) {
                rp_drop_behind(r, ev->data_off);
                return 1;
            }
        return 0;
    }
    const char *line;
    long len;
    while ((len = rp_next_line(r, &r->cursor, &line)) >= 0) {
        rp_ev e;
        const char *field, *what;
        rp_drop_behind(r, r->cursor);
        /* every line was checked by the first pass */
        if (rp_parse(r, line, (size_t)len, &e, &field, &what) == 0 && e.pid == r->pid &&
            rp_compile(r, &e, ev))
            return 1;
    }
    return 0;
}

/* Reads on until want has more to give (or the trace ends): 1 when it
 * has, 0 at the end. */
static int rp_pump(replay_world *r, rp_sock *want)
{
    uint64_t had_in = want->in_loaded, had_sends = want->out_sends_loaded;
    rp_recev ev;
    while (rp_next_event(r, &ev)) {
        if (rp_take(r, &ev) < 0)
            return 0; /* out of memory: the program meets the end early */
        if (want->in_loaded != had_in || want->out_sends_loaded != had_sends)
            return 1;
    }
    return 0;
}

in_item *srr__rp_in_head(replay_world *r, rp_sock *s)
{
    while (s->in_head >= s->nin) {
        if (s->in_loaded >= s->in_total || !rp_pump(r, s))
            return NULL;
    }
    return &s->in[s->in_head];
}

void srr__rp_in_pop(rp_sock *s)
{
    in_item *it = &s->in[s->in_head++];
    free(it->data);
    free(it->from);
    if (s->in_head == s->nin) {
        s->in_head = s->nin = 0;
    } else if (s->in_head > 64 && s->in_head * 2 > s->nin) {
        memmove(s->in, s->in + s->in_head, (s->nin - s->in_head) * sizeof *s->in);
        s->nin -= s->in_head;
        s->in_head = 0;
    }
}

void srr__rp_dgram_load(replay_world *r, rp_sock *s)
{
    while (s->dg_head == s->ndg && s->out_sends_loaded < s->out_sends)
        if (!rp_pump(r, s))
            break;
}

void srr__rp_out_load(replay_world *r, rp_sock *s, uint64_t upto)
{
    while (s->out_base + s->out_len < upto && s->out_base + s->out_len < s->out_total)
        if (!rp_pump(r, s))
            break;
}

void srr__rp_out_played(rp_sock *s)
{
    /* keep 64 bytes behind the program for the divergence report's dump */
    if (s->out_pos < s->out_base + 64)
        return;
    uint64_t drop = s->out_pos - 64 - s->out_base;
    if (drop > s->out_len)
        drop = s->out_len; /* the program is past what is loaded (lenient) */
    if (drop < 4096 || drop * 2 < s->out_len)
        return;
    memmove(s->out, s->out + drop, s->out_len - drop);
    s->out_len -= drop;
    s->out_base += drop;
}

void srr__rp_free_recording_meta(replay_world *r)
{
    for (size_t i = 0; i < r->nsocks; i++) {
        rp_sock *s = &r->socks[i];
        free(s->out);
        for (size_t k = s->in_head; k < s->nin; k++) {
            free(s->in[k].data);
            free(s->in[k].from);
        }
        free(s->in);
        free(s->children);
        for (size_t k = s->dg_head; k < s->ndg; k++)
            free(s->dgrams[k].to);
        free(s->dgrams);
    }
    free(r->socks);
    free(r->ids);
    free(r->open_children);
    free(r->listeners);
    for (size_t i = 0; i < r->ngais; i++) {
        free(r->gais[i].node);
        free(r->gais[i].service);
        srr__json_free(r->gais[i].tree);
    }
    free(r->gais);
    free(r->procs);
    r->procs = NULL;
    r->nprocs = r->procs_cap = 0;
    r->socks = NULL;
    r->nsocks = r->socks_cap = 0;
    r->ids = NULL;
    r->ids_cap = 0;
    r->gais = NULL;
    r->ngais = 0;
}

void srr__rp_free_recording(replay_world *r)
{
    srr__rp_free_recording_meta(r);
    if (r->trace)
        munmap((void *)r->trace, r->trace_len);
    srr__rp_index_unmap(r);
}
