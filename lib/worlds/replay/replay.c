/*
 * replay.c — the replay world: a recorded trace plays the peer of the
 * program being replayed (docs/replay.md).
 *
 * One recorded process is replayed (the first that connects, or the pid
 * asked for).  Its sockets are matched to the program's in creation order;
 * each remembers what the recording sent (one byte stream, so send(a);
 * send(b) matches a recorded send(ab)) and what it received, in recorded
 * chunks, each tagged with how many bytes had been sent before it arrived,
 * so a response is never given before its request.  Name lookups answer
 * from the recorded ones; timeouts and errors come back as recorded, in
 * virtual time.  The first call that does not match stops the replay with
 * a report (srr_replay_divergence); the host decides what to do with it.
 *
 * Limits of this version: the trace is loaded whole (not streamed), and
 * only client sockets are replayed (a recorded listener is refused).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sockrr.h"
#include "sockrr_world.h"
#include "trace.h"

/* One thing the recording's peer gave the socket. */
typedef enum { IN_DATA, IN_EOF, IN_TIMEOUT, IN_ERROR } in_kind;

typedef struct in_item {
    in_kind kind;
    unsigned char *data;
    size_t len;
    uint64_t after_out; /* bytes the recording had sent on the socket first */
    int err;            /* IN_ERROR: the errno */
    int64_t wait_ns;    /* IN_TIMEOUT: how long the recording waited */
} in_item;

typedef struct rp_sock {
    int64_t id; /* the recording's sock id */
    int family, type;
    char local[128], peer[128];
    int connect_err; /* the recorded connect's errno, 0 when it connected */
    int connected;   /* a connect was recorded */
    unsigned char *out; /* everything the recording sent */
    size_t out_len;
    in_item *in;
    size_t nin, in_cap;
    /* the program's side */
    size_t out_pos, in_idx, in_off;
    int used, closed, nonblock;
    int64_t rcvtimeo_ns;
} rp_sock;

typedef struct rp_gai {
    char *node, *service;
    int ret;
    json_t *answers; /* owned */
    int used;
} rp_gai;

#define RP_LAST 6 /* calls the divergence report recalls */

typedef struct replay_world {
    srr_world base;
    pthread_mutex_t lock;
    char source[256];
    srr_replay_options opt;
    rp_sock *socks;
    size_t nsocks, next_sock;
    rp_gai *gais;
    size_t ngais;
    char hostname[256];
    int handles[1024];   /* handle - 3 -> socket index + 1 (0: free) */
    int64_t now;         /* virtual CLOCK_MONOTONIC */
    int64_t epoch;       /* REALTIME - MONOTONIC at the recording's start */
    int diverged;
    char report[4096];
    char last[RP_LAST][120]; /* the program's last calls that matched, a ring */
    unsigned nlast;
    char unsupported[160];
} replay_world;

#define RW(w) ((replay_world *)(w))
#define RP_HANDLES 1024

/* ------------------------------------------------------------- loading */

/* Room for one more of n elements of size in *v. */
static int rp_grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 8;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t jint(const json_t *o, const char *k, int64_t dflt)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static rp_sock *rp_find(replay_world *r, int64_t id)
{
    for (size_t i = 0; i < r->nsocks; i++)
        if (r->socks[i].id == id)
            return &r->socks[i];
    return NULL;
}

static int rp_add_in(rp_sock *s, in_item it)
{
    if (rp_grow((void **)&s->in, &s->in_cap, s->nin, sizeof *s->in) < 0)
        return -1;
    s->in[s->nin++] = it;
    return 0;
}

static int rp_errno_num(const json_t *ev)
{
    return (int)jint(ev, "errno_num", 0);
}

/* One event of the replayed process into the scripts. */
static int rp_load_event(replay_world *r, const json_t *ev)
{
    const char *op = jstr(ev, "op");
    int64_t ret = jint(ev, "ret", -1);
    const json_t *args = json_object_get(ev, "args");
    if (!op)
        return 0;
    if (strcmp(op, "socket") == 0 && ret >= 0) {
        size_t cap = r->nsocks; /* grown one at a time: sockets are few */
        rp_sock *v = realloc(r->socks, (cap + 1) * sizeof *v);
        if (!v)
            return -1;
        r->socks = v;
        rp_sock *s = &r->socks[r->nsocks++];
        memset(s, 0, sizeof *s);
        s->id = jint(ev, "sock", 0);
        s->family = (int)jint(args, "domain", 0);
        s->type = (int)jint(args, "type", 0) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
        s->rcvtimeo_ns = -1;
        return 0;
    }
    if (strcmp(op, "getaddrinfo") == 0) {
        rp_gai *v = realloc(r->gais, (r->ngais + 1) * sizeof *v);
        if (!v)
            return -1;
        r->gais = v;
        rp_gai *g = &r->gais[r->ngais++];
        memset(g, 0, sizeof *g);
        const char *node = jstr(args, "node"), *svc = jstr(args, "service");
        g->node = node ? strdup(node) : NULL;
        g->service = svc ? strdup(svc) : NULL;
        g->ret = (int)ret;
        g->answers = json_incref(json_object_get(ev, "answers"));
        return 0;
    }
    if (strcmp(op, "gethostname") == 0 && ret == 0 && jstr(ev, "name")) {
        snprintf(r->hostname, sizeof r->hostname, "%s", jstr(ev, "name"));
        return 0;
    }
    rp_sock *s = rp_find(r, jint(ev, "sock", -1));
    if (!s)
        return 0; /* a socket made before the trace, or by another process */
    if (jstr(ev, "local") && *jstr(ev, "local"))
        snprintf(s->local, sizeof s->local, "%s", jstr(ev, "local"));
    if (jstr(ev, "peer") && *jstr(ev, "peer"))
        snprintf(s->peer, sizeof s->peer, "%s", jstr(ev, "peer"));
    if (strcmp(op, "connect") == 0) {
        s->connected = 1;
        s->connect_err = ret == 0 || rp_errno_num(ev) == EINPROGRESS ? 0 : rp_errno_num(ev);
        if (jstr(args, "addr"))
            snprintf(s->peer, sizeof s->peer, "%s", jstr(args, "addr"));
    } else if (strcmp(op, "getsockopt") == 0 && jint(args, "level", -1) == SOL_SOCKET &&
               jint(args, "name", -1) == SO_ERROR && ret == 0) {
        /* a non-blocking connect's result */
        unsigned char *v = NULL;
        size_t n = 0;
        const char *b = jstr(ev, "value");
        if (b && srr__b64_decode(b, strlen(b), &v, &n) == 0 && n >= sizeof(int)) {
            int e;
            memcpy(&e, v, sizeof e);
            if (e)
                s->connect_err = e;
        }
        free(v);
    } else if (strcmp(op, "sendmsg") == 0 && ret > 0) {
        unsigned char *v = NULL;
        size_t n = 0;
        const char *b = jstr(ev, "data");
        if (!b || srr__b64_decode(b, strlen(b), &v, &n) < 0)
            return -1;
        unsigned char *o = realloc(s->out, s->out_len + n + 1);
        if (!o) {
            free(v);
            return -1;
        }
        memcpy(o + s->out_len, v, n);
        s->out = o;
        s->out_len += n;
        free(v);
    } else if (strcmp(op, "recvmsg") == 0) {
        if (jint(args, "flags", 0) & MSG_PEEK)
            return 0; /* a look, not a move */
        in_item it = {.after_out = s->out_len};
        if (ret > 0) {
            const char *b = jstr(ev, "data");
            it.kind = IN_DATA;
            if (!b || srr__b64_decode(b, strlen(b), &it.data, &it.len) < 0)
                return -1;
        } else if (ret == 0) {
            it.kind = IN_EOF;
        } else if (rp_errno_num(ev) == EAGAIN) {
            return 0; /* non-blocking and nothing yet: the program asks again */
        } else {
            it.kind = IN_ERROR;
            it.err = rp_errno_num(ev);
        }
        return rp_add_in(s, it);
    } else if (strcmp(op, "poll") == 0 && ret == 0) {
        /* a wait that timed out: the peer said nothing for that long */
        in_item it = {.kind = IN_TIMEOUT, .after_out = s->out_len,
                      .wait_ns = jint(args, "timeout_ns", 0)};
        return rp_add_in(s, it);
    }
    return 0;
}

/* The socket of a poll event (one fd polled) for its timeout. */
static int64_t rp_poll_sock(const json_t *ev)
{
    const json_t *fds = json_object_get(json_object_get(ev, "args"), "fds");
    if (json_array_size(fds) != 1)
        return -1;
    return jint(json_array_get(fds, 0), "sock", -1);
}

/* The pid of the first connect, read as text (no JSON parse): the process
 * replayed by default, whatever other processes did before it connected.
 * 0 when none connects. */
static int rp_first_connecting_pid(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    int pid = 0;
    while (!pid && getline(&line, &cap, f) > 0) {
        const char *p = strstr(line, "\"op\":\"connect\"");
        const char *q = p ? strstr(line, "\"pid\":") : NULL;
        if (q)
            pid = atoi(q + 6);
    }
    free(line);
    fclose(f);
    return pid;
}

static int rp_load(replay_world *r, const char *path, char *errbuf, size_t errlen)
{
    srr_trace_error err;
    memset(&err, 0, sizeof err);
    srr_trace_reader *rd = srr__trace_open(path, &err);
    if (!rd) {
        srr__trace_error_format(&err, errbuf, errlen);
        return -1;
    }
    const json_t *h = srr__trace_header(rd);
    r->epoch = jint(h, "start_realtime_ns", 0) - jint(h, "start_monotonic_ns", 0);
    int64_t pid = r->opt.pid ? r->opt.pid : rp_first_connecting_pid(path);
    json_t *ev;
    int got, rc = 0;
    while ((got = srr__trace_next(rd, &ev, &err)) != 0) {
        if (got < 0) {
            srr__trace_error_format(&err, errbuf, errlen);
            rc = -1;
            break;
        }
        const char *op = jstr(ev, "op");
        if (!pid || jint(ev, "pid", 0) == pid) {
            if (op && strcmp(op, "poll") == 0 && jint(ev, "ret", -1) == 0) {
                /* file it under its socket, as the loader expects */
                int64_t id = rp_poll_sock(ev);
                if (id > 0)
                    json_object_set_new(ev, "sock", json_integer(id));
            }
            if (op && strcmp(op, "listen") == 0 && jint(ev, "ret", -1) == 0) {
                snprintf(errbuf, errlen,
                         "%s:%ld: op: the replayed process listens; replaying servers is not "
                         "built yet (docs/replay.md)", path, srr__trace_line(rd));
                json_decref(ev);
                rc = -1;
                break;
            }
            if (rp_load_event(r, ev) < 0) {
                snprintf(errbuf, errlen, "%s:%ld: data: cannot load this event", path,
                         srr__trace_line(rd));
                json_decref(ev);
                rc = -1;
                break;
            }
        }
        json_decref(ev);
    }
    if (rc == 0 && r->nsocks == 0 && r->ngais == 0) {
        snprintf(errbuf, errlen, "%s: op: the trace holds no socket of %s to replay", path,
                 pid ? "that process" : "any process");
        rc = -1;
    }
    r->opt.pid = (int)pid;
    srr__trace_close(rd);
    return rc;
}

/* ---------------------------------------------------------- divergence */

/* One call of the program that matched the recording, for the report's
 * "last calls before it". */
static void rp_note(replay_world *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->last[r->nlast % RP_LAST], sizeof r->last[0], fmt, ap);
    va_end(ap);
    r->nlast++;
}

/* hex and text of n bytes from p, at most 16 */
static int rp_dump(char *out, size_t len, const unsigned char *p, size_t n)
{
    int o = 0;
    for (size_t i = 0; i < 16; i++)
        o += snprintf(out + o, len > (size_t)o ? len - (size_t)o : 0, i < n ? "%02x " : "   ",
                      i < n ? p[i] : 0);
    o += snprintf(out + o, len > (size_t)o ? len - (size_t)o : 0, " |");
    for (size_t i = 0; i < n && i < 16; i++)
        o += snprintf(out + o, len > (size_t)o ? len - (size_t)o : 0, "%c",
                      isprint(p[i]) ? p[i] : '.');
    o += snprintf(out + o, len > (size_t)o ? len - (size_t)o : 0, "|");
    return o;
}

static int rp_diverge(replay_world *r, const char *fmt, ...)
{
    if (!r->diverged) {
        va_list ap;
        va_start(ap, fmt);
        int o = vsnprintf(r->report, sizeof r->report, fmt, ap);
        va_end(ap);
        unsigned first = r->nlast > RP_LAST ? r->nlast - RP_LAST : 0;
        for (unsigned i = first; i < r->nlast && o >= 0 && (size_t)o < sizeof r->report; i++)
            o += snprintf(r->report + o, sizeof r->report - (size_t)o, "%s%s",
                          i == first ? "\n  last calls that matched: " : "; ",
                          r->last[i % RP_LAST]);
        r->diverged = 1;
        if (r->opt.on_divergence)
            r->opt.on_divergence(r->report, r->opt.arg);
    }
    return -EPROTO;
}

/* A send that differs from the recording at byte k of the connection. */
static int rp_diverge_bytes(replay_world *r, size_t idx, rp_sock *s, size_t k,
                            const unsigned char *got, size_t got_len)
{
    char want_dump[160], got_dump[160];
    size_t base = k > 8 ? k - 8 : 0;
    size_t wn = s->out_len > base ? s->out_len - base : 0;
    rp_dump(want_dump, sizeof want_dump, s->out + base, wn < 16 ? wn : 16);
    /* the program's bytes from base: what it sent before this call matched */
    unsigned char mine[16];
    size_t mn = 0;
    for (size_t i = base; i < base + 16 && mn < 16; i++) {
        if (i < s->out_pos)
            mine[mn++] = s->out[i];
        else if (i - s->out_pos < got_len)
            mine[mn++] = got[i - s->out_pos];
        else
            break;
    }
    rp_dump(got_dump, sizeof got_dump, mine, mn);
    return rp_diverge(r,
                      "replay diverged: connection %zu (sock %lld, peer %s): the program sent "
                      "different bytes; first difference at byte %zu of the stream\n"
                      "  recorded at %zu: %s\n  program  at %zu: %s",
                      idx + 1, (long long)s->id, s->peer[0] ? s->peer : "?", k, base, want_dump,
                      base, got_dump);
}

/* ------------------------------------------------------------- sockets */

static rp_sock *rp_get(replay_world *r, int h)
{
    if (h < 3 || h - 3 >= RP_HANDLES || !r->handles[h - 3])
        return NULL;
    return &r->socks[r->handles[h - 3] - 1];
}

static int rp_new_handle(replay_world *r, size_t idx)
{
    for (int i = 0; i < RP_HANDLES; i++)
        if (!r->handles[i]) {
            r->handles[i] = (int)idx + 1;
            return i + 3;
        }
    return -EMFILE;
}

#define LOCKED(r, expr)                                                                        \
    ({                                                                                         \
        pthread_mutex_lock(&(r)->lock);                                                        \
        __typeof__(expr) v_ = (r)->diverged ? -EPROTO : (expr);                                \
        pthread_mutex_unlock(&(r)->lock);                                                      \
        v_;                                                                                    \
    })

static int rp_socket_locked(replay_world *r, int domain, int type, int protocol)
{
    (void)protocol;
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (r->next_sock >= r->nsocks)
        return rp_diverge(r, "replay diverged: the program made socket #%zu (%s), the recording "
                             "made only %zu", r->next_sock + 1,
                          base == SOCK_STREAM ? "stream" : "datagram", r->nsocks);
    rp_sock *s = &r->socks[r->next_sock];
    if (s->family != domain || s->type != base)
        return rp_diverge(r, "replay diverged: socket #%zu: recorded family %d type %d, the "
                             "program asked for family %d type %d", r->next_sock + 1, s->family,
                          s->type, domain, base);
    s->used = 1;
    s->nonblock = (type & SOCK_NONBLOCK) != 0;
    rp_note(r, "socket #%zu", r->next_sock + 1);
    return rp_new_handle(r, r->next_sock++);
}

static int rp_socket(srr_world *w, int domain, int type, int protocol)
{
    return LOCKED(RW(w), rp_socket_locked(RW(w), domain, type, protocol));
}

static int rp_socketpair(srr_world *w, int d, int t, int p, int sv[2])
{
    (void)d, (void)t, (void)p, (void)sv;
    snprintf(RW(w)->unsupported, sizeof RW(w)->unsupported, "socketpair under replay");
    return -EOPNOTSUPP;
}

static int rp_bind(srr_world *w, int h, const struct sockaddr *a, socklen_t l)
{
    (void)a, (void)l;
    replay_world *r = RW(w);
    return LOCKED(r, rp_get(r, h) ? 0 : -EBADF);
}

static int rp_listen(srr_world *w, int h, int backlog)
{
    (void)h, (void)backlog;
    snprintf(RW(w)->unsupported, sizeof RW(w)->unsupported, "listen under replay (servers)");
    return -EOPNOTSUPP;
}

static int rp_accept4(srr_world *w, int h, struct sockaddr *a, socklen_t *l, int f)
{
    (void)h, (void)a, (void)l, (void)f;
    snprintf(RW(w)->unsupported, sizeof RW(w)->unsupported, "accept under replay (servers)");
    return -EOPNOTSUPP;
}

static int rp_connect_locked(replay_world *r, int h, const struct sockaddr *addr, socklen_t len)
{
    rp_sock *s = rp_get(r, h);
    if (!s)
        return -EBADF;
    char got[128];
    srr__sockaddr_format(addr, len, got, sizeof got);
    size_t idx = (size_t)(s - r->socks);
    if (!s->connected)
        return rp_diverge(r, "replay diverged: connection %zu: the program connects to %s, the "
                             "recording never connected this socket", idx + 1, got);
    if (strcmp(got, s->peer) != 0)
        return rp_diverge(r, "replay diverged: connection %zu: the program connects to %s, the "
                             "recording connected to %s", idx + 1, got, s->peer);
    rp_note(r, "connection %zu: connect %s", idx + 1, got);
    if (s->connect_err)
        return -s->connect_err;
    return s->nonblock ? -EINPROGRESS : 0;
}

static int rp_connect(srr_world *w, int h, const struct sockaddr *addr, socklen_t len)
{
    return LOCKED(RW(w), rp_connect_locked(RW(w), h, addr, len));
}

static ssize_t rp_sendmsg_locked(replay_world *r, int h, const struct msghdr *m, int flags)
{
    (void)flags;
    rp_sock *s = rp_get(r, h);
    if (!s)
        return -EBADF;
    size_t idx = (size_t)(s - r->socks);
    size_t total = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        total += m->msg_iov[i].iov_len;
    unsigned char *got = malloc(total ? total : 1);
    if (!got)
        return -ENOMEM;
    size_t off = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++) {
        if (m->msg_iov[i].iov_len)
            memcpy(got + off, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
        off += m->msg_iov[i].iov_len;
    }
    long r2 = (long)total;
    if (s->out_pos + total > s->out_len && !r->opt.lenient) {
        /* more than the recording sent: first check what there is */
        size_t k = 0;
        while (s->out_pos + k < s->out_len && got[k] == s->out[s->out_pos + k])
            k++;
        if (s->out_pos + k < s->out_len)
            r2 = rp_diverge_bytes(r, idx, s, s->out_pos + k, got, total);
        else
            r2 = rp_diverge(r, "replay diverged: connection %zu (peer %s): the program sent %zu "
                               "bytes more than the recording's %zu",
                            idx + 1, s->peer, s->out_pos + total - s->out_len, s->out_len);
    } else if (!r->opt.lenient) {
        for (size_t k = 0; k < total; k++)
            if (got[k] != s->out[s->out_pos + k]) {
                r2 = rp_diverge_bytes(r, idx, s, s->out_pos + k, got, total);
                break;
            }
    }
    if (r2 >= 0) {
        rp_note(r, "connection %zu: sent bytes %zu-%zu", idx + 1, s->out_pos, s->out_pos + total);
        s->out_pos += total;
        if (s->out_pos > s->out_len)
            s->out_pos = s->out_len; /* lenient: the extra bytes went nowhere */
    }
    free(got);
    return r2;
}

static ssize_t rp_sendmsg(srr_world *w, int h, const struct msghdr *m, int flags)
{
    return LOCKED(RW(w), rp_sendmsg_locked(RW(w), h, m, flags));
}

/* The next thing the socket would give: NULL when the recording gave
 * nothing more (or not yet: the program has not sent what came first). */
static in_item *rp_next_in(rp_sock *s)
{
    if (s->in_idx >= s->nin)
        return NULL;
    in_item *it = &s->in[s->in_idx];
    return s->out_pos >= it->after_out ? it : NULL;
}

static ssize_t rp_recvmsg_locked(replay_world *r, int h, struct msghdr *m, int flags)
{
    rp_sock *s = rp_get(r, h);
    if (!s)
        return -EBADF;
    size_t idx = (size_t)(s - r->socks);
    in_item *it = rp_next_in(s);
    if (!it) {
        if (s->nonblock || (flags & MSG_DONTWAIT))
            return -EAGAIN;
        if (s->in_idx < s->nin)
            return rp_diverge(r, "replay diverged: connection %zu (peer %s): the program waits "
                                 "for data after sending %zu bytes; the recording received its "
                                 "next data only after sending %llu", idx + 1, s->peer,
                              s->out_pos, (unsigned long long)s->in[s->in_idx].after_out);
        return rp_diverge(r, "replay diverged: connection %zu (peer %s): the program waits for "
                             "more data than the recording received", idx + 1, s->peer);
    }
    if (it->kind == IN_EOF)
        return 0; /* and stays: every later read is EOF too */
    if (it->kind == IN_ERROR) {
        s->in_idx++;
        return -it->err;
    }
    if (it->kind == IN_TIMEOUT) {
        s->in_idx++;
        r->now += it->wait_ns > 0 ? it->wait_ns : 0;
        return -EAGAIN; /* SO_RCVTIMEO, as the recording waited */
    }
    size_t room = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        room += m->msg_iov[i].iov_len;
    size_t left = it->len - s->in_off;
    size_t n = left < room ? left : room;
    if (r->opt.rechunk && n > r->opt.rechunk)
        n = r->opt.rechunk;
    size_t done = 0;
    for (size_t i = 0; i < m->msg_iovlen && done < n; i++) {
        size_t k = m->msg_iov[i].iov_len < n - done ? m->msg_iov[i].iov_len : n - done;
        if (k) /* an empty piece may have no base */
            memcpy(m->msg_iov[i].iov_base, it->data + s->in_off + done, k);
        done += k;
    }
    rp_note(r, "connection %zu: received %zu bytes", idx + 1, n);
    if (!(flags & MSG_PEEK)) {
        s->in_off += n;
        if (s->in_off == it->len) {
            s->in_idx++;
            s->in_off = 0;
        }
    }
    m->msg_flags = 0;
    if (m->msg_name)
        m->msg_namelen = 0;
    return (ssize_t)n;
}

static ssize_t rp_recvmsg(srr_world *w, int h, struct msghdr *m, int flags)
{
    return LOCKED(RW(w), rp_recvmsg_locked(RW(w), h, m, flags));
}

static int rp_shutdown(srr_world *w, int h, int how)
{
    (void)how;
    replay_world *r = RW(w);
    return LOCKED(r, rp_get(r, h) ? 0 : -ENOTCONN);
}

static int rp_close(srr_world *w, int h)
{
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    int rc = -EBADF;
    if (rp_get(r, h)) {
        r->handles[h - 3] = 0;
        rc = 0;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static int rp_getsockopt_locked(replay_world *r, int h, int level, int name, void *val,
                                socklen_t *len)
{
    rp_sock *s = rp_get(r, h);
    if (!s)
        return -EBADF;
    int v = 0;
    if (level == SOL_SOCKET && name == SO_ERROR)
        v = s->connect_err;
    else if (level == SOL_SOCKET && name == SO_TYPE)
        v = s->type;
    else if (level == SOL_SOCKET && name == SO_DOMAIN)
        v = s->family;
    else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF))
        v = 131072;
    if (*len < sizeof v)
        return -EINVAL;
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
}

static int rp_getsockopt(srr_world *w, int h, int level, int name, void *val, socklen_t *len)
{
    return LOCKED(RW(w), rp_getsockopt_locked(RW(w), h, level, name, val, len));
}

static int rp_setsockopt(srr_world *w, int h, int level, int name, const void *val,
                         socklen_t len)
{
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    rp_sock *s = rp_get(r, h);
    if (s && level == SOL_SOCKET && name == SO_RCVTIMEO && len >= sizeof(struct timeval)) {
        const struct timeval *tv = val;
        s->rcvtimeo_ns = tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL;
    }
    pthread_mutex_unlock(&r->lock);
    return s ? 0 : -EBADF; /* options change nothing the recording did not show */
}

static int rp_name(srr_world *w, int h, struct sockaddr *addr, socklen_t *len, int peer)
{
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    rp_sock *s = rp_get(r, h);
    int rc = -EBADF;
    if (s) {
        struct sockaddr_storage ss;
        socklen_t n;
        const char *str = peer ? s->peer : s->local;
        if (srr__sockaddr_parse(str, &ss, &n) == 0) {
            memcpy(addr, &ss, n < *len ? n : *len);
            *len = n;
            rc = 0;
        } else {
            rc = peer ? -ENOTCONN : 0;
            if (!peer) {
                memset(addr, 0, *len);
                addr->sa_family = (sa_family_t)s->family;
            }
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static int rp_getsockname(srr_world *w, int h, struct sockaddr *a, socklen_t *l)
{
    return rp_name(w, h, a, l, 0);
}

static int rp_getpeername(srr_world *w, int h, struct sockaddr *a, socklen_t *l)
{
    return rp_name(w, h, a, l, 1);
}

static int rp_fcntl(srr_world *w, int h, int cmd, long arg)
{
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    rp_sock *s = rp_get(r, h);
    int rc = -EBADF;
    if (s) {
        switch (cmd) {
        case F_GETFL: rc = O_RDWR | (s->nonblock ? O_NONBLOCK : 0); break;
        case F_SETFL: s->nonblock = (arg & O_NONBLOCK) != 0; rc = 0; break;
        case F_GETFD: case F_SETFD: rc = 0; break;
        case F_DUPFD: case F_DUPFD_CLOEXEC: rc = rp_new_handle(r, (size_t)(s - r->socks)); break;
        default: rc = -EINVAL;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static int rp_ioctl(srr_world *w, int h, unsigned long req, void *arg)
{
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    rp_sock *s = rp_get(r, h);
    int rc = -EBADF;
    if (s && req == FIONBIO) {
        s->nonblock = *(const int *)arg != 0;
        rc = 0;
    } else if (s && req == FIONREAD) {
        in_item *it = rp_next_in(s);
        *(int *)arg = it && it->kind == IN_DATA ? (int)(it->len - s->in_off) : 0;
        rc = 0;
    } else if (s && req == SIOCOUTQ) {
        *(int *)arg = 0;
        rc = 0;
    } else if (s) {
        rc = -ENOTTY;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* Ready as the recording says: POLLOUT always (the peer took everything),
 * POLLIN when the next recorded thing for the socket is due.  When nothing
 * is ready and the recording timed out waiting, so does the program, in no
 * wall time. */
static int rp_poll_locked(replay_world *r, struct pollfd *fds, nfds_t n, int64_t timeout_ns)
{
    int ready = 0;
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = 0;
        rp_sock *s = rp_get(r, fds[i].fd);
        if (fds[i].fd < 0)
            continue;
        if (!s) {
            fds[i].revents = POLLNVAL;
        } else {
            in_item *it = rp_next_in(s);
            if ((fds[i].events & POLLIN) && it && it->kind != IN_TIMEOUT)
                fds[i].revents |= POLLIN | (it->kind == IN_EOF ? POLLHUP : 0) |
                                  (it->kind == IN_ERROR ? POLLERR : 0);
            if ((fds[i].events & POLLOUT) && !s->connect_err)
                fds[i].revents |= POLLOUT;
            if (s->connect_err)
                fds[i].revents |= POLLERR | POLLHUP;
        }
        ready += fds[i].revents != 0;
    }
    if (ready || timeout_ns == 0)
        return ready;
    /* nothing: a recorded timeout for one of these, or the end */
    for (nfds_t i = 0; i < n; i++) {
        rp_sock *s = rp_get(r, fds[i].fd);
        if (s && s->in_idx < s->nin && s->in[s->in_idx].kind == IN_TIMEOUT) {
            s->in_idx++;
            r->now += timeout_ns > 0 ? timeout_ns : 0;
            return 0;
        }
    }
    if (timeout_ns > 0) {
        r->now += timeout_ns; /* a wait the recording did not show ends empty */
        return 0;
    }
    return rp_diverge(r, "replay diverged: the program waits forever on %lu descriptors; the "
                         "recording has nothing more for them", (unsigned long)n);
}

static int rp_poll(srr_world *w, struct pollfd *fds, nfds_t n, int64_t timeout_ns)
{
    return LOCKED(RW(w), rp_poll_locked(RW(w), fds, n, timeout_ns));
}

/* ------------------------------------------------------------ resolver */

static void rp_freeaddrinfo(srr_world *w, struct addrinfo *res);

static int rp_gai_answers(const json_t *answers, const struct addrinfo *hints,
                          struct addrinfo **res)
{
    struct addrinfo *head = NULL, **tail = &head;
    size_t i;
    const json_t *a;
    json_array_foreach(answers, i, a) {
        struct sockaddr_storage ss;
        socklen_t len;
        if (srr__sockaddr_parse(jstr(a, "addr"), &ss, &len) < 0)
            continue;
        struct addrinfo *ai = calloc(1, sizeof *ai + len);
        if (!ai) {
            rp_freeaddrinfo(NULL, head);
            return EAI_MEMORY;
        }
        ai->ai_family = (int)jint(a, "family", ss.ss_family);
        ai->ai_socktype = (int)jint(a, "socktype", hints ? hints->ai_socktype : 0);
        ai->ai_protocol = (int)jint(a, "protocol", 0);
        ai->ai_addrlen = len;
        ai->ai_addr = (struct sockaddr *)(ai + 1);
        memcpy(ai->ai_addr, &ss, len);
        if (!head && jstr(a, "canonname"))
            ai->ai_canonname = strdup(jstr(a, "canonname"));
        *tail = ai;
        tail = &ai->ai_next;
    }
    *res = head;
    return head ? 0 : EAI_NONAME;
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int rp_getaddrinfo(srr_world *w, const char *node, const char *service,
                          const struct addrinfo *hints, struct addrinfo **res, int *sys_errno)
{
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    int rc = EAI_NONAME;
    rp_gai *g = NULL;
    for (size_t i = 0; i < r->ngais && !g; i++)
        if (!r->gais[i].used && str_eq(r->gais[i].node, node) && str_eq(r->gais[i].service, service))
            g = &r->gais[i];
    if (!g) {
        for (size_t i = r->ngais; i > 0 && !g; i--) /* asked again: the last answer */
            if (str_eq(r->gais[i - 1].node, node) && str_eq(r->gais[i - 1].service, service))
                g = &r->gais[i - 1];
    }
    *res = NULL;
    if (!g) {
        rp_diverge(r, "replay diverged: the program looks up %s%s%s, which the recording never "
                      "did", node ? node : "(null)", service ? ":" : "", service ? service : "");
        *sys_errno = EPROTO;
        rc = EAI_SYSTEM;
    } else {
        g->used = 1;
        rp_note(r, "getaddrinfo %s%s%s", node ? node : "(null)", service ? ":" : "",
                service ? service : "");
        rc = g->ret == 0 ? rp_gai_answers(g->answers, hints, res) : g->ret;
        if (rc == EAI_SYSTEM)
            *sys_errno = EIO;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static void rp_freeaddrinfo(srr_world *w, struct addrinfo *res)
{
    (void)w;
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res->ai_canonname);
        free(res);
        res = next;
    }
}

static int rp_getnameinfo(srr_world *w, const struct sockaddr *sa, socklen_t salen, char *host,
                          socklen_t hostlen, char *serv, socklen_t servlen, int flags, int *sys)
{
    (void)w, (void)flags, (void)sys;
    /* numeric, always: a name the recording did not look up has no answer */
    char buf[128];
    srr__sockaddr_format(sa, salen, buf, sizeof buf);
    char *colon = strrchr(buf, ':');
    if (!colon)
        return EAI_FAMILY;
    *colon = '\0';
    const char *h = buf[0] == '[' ? buf + 1 : buf;
    if (buf[0] == '[' && colon[-1] == ']')
        colon[-1] = '\0';
    if (host && hostlen && (size_t)snprintf(host, hostlen, "%s", h) >= hostlen)
        return EAI_OVERFLOW;
    if (serv && servlen && (size_t)snprintf(serv, servlen, "%s", colon + 1) >= servlen)
        return EAI_OVERFLOW;
    return 0;
}

static int rp_byname(srr_world *w, const char *name, int af, struct hostent *ret, char *buf,
                     size_t buflen, struct hostent **result, int *herr)
{
    (void)w, (void)name, (void)af, (void)ret, (void)buf, (void)buflen;
    *result = NULL;
    *herr = HOST_NOT_FOUND; /* the recording's lookups are getaddrinfo's */
    return 0;
}

static int rp_byaddr(srr_world *w, const void *a, socklen_t l, int t, struct hostent *ret,
                     char *buf, size_t buflen, struct hostent **result, int *herr)
{
    (void)a, (void)l, (void)t;
    return rp_byname(w, NULL, 0, ret, buf, buflen, result, herr);
}

static int rp_gethostname(srr_world *w, char *name, size_t len)
{
    replay_world *r = RW(w);
    const char *h = r->hostname[0] ? r->hostname : "localhost";
    if (strlen(h) + 1 > len)
        return -ENAMETOOLONG;
    memcpy(name, h, strlen(h) + 1);
    return 0;
}

static int rp_sethostname(srr_world *w, const char *name, size_t len)
{
    (void)w, (void)name, (void)len;
    return -EPERM;
}

static int rp_if_nameindex(srr_world *w, struct if_nameindex **out)
{
    (void)w;
    *out = calloc(2, sizeof **out);
    if (!*out)
        return -ENOMEM;
    (*out)[0].if_index = 1;
    (*out)[0].if_name = strdup("lo");
    return (*out)[0].if_name ? 0 : -ENOMEM;
}

static void rp_if_freenameindex(srr_world *w, struct if_nameindex *l)
{
    (void)w;
    for (struct if_nameindex *i = l; i && i->if_name; i++)
        free(i->if_name);
    free(l);
}

/* --------------------------------------------------------------- clock */

static int64_t rp_now(srr_world *w, clockid_t clock)
{
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    int64_t t = r->now;
    pthread_mutex_unlock(&r->lock);
    if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
        return t + r->epoch;
    return t;
}

static int rp_sleep(srr_world *w, clockid_t clock, int64_t ns)
{
    (void)clock;
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    r->now += ns > 0 ? ns : 0;
    pthread_mutex_unlock(&r->lock);
    return 0;
}

static const char *rp_unsupported(srr_world *w)
{
    static __thread char note[160];
    replay_world *r = RW(w);
    if (!r->unsupported[0])
        return NULL;
    memcpy(note, r->unsupported, sizeof note);
    r->unsupported[0] = '\0';
    return note;
}

static void rp_destroy(srr_world *w)
{
    replay_world *r = RW(w);
    for (size_t i = 0; i < r->nsocks; i++) {
        free(r->socks[i].out);
        for (size_t k = 0; k < r->socks[i].nin; k++)
            free(r->socks[i].in[k].data);
        free(r->socks[i].in);
    }
    free(r->socks);
    for (size_t i = 0; i < r->ngais; i++) {
        free(r->gais[i].node);
        free(r->gais[i].service);
        json_decref(r->gais[i].answers);
    }
    free(r->gais);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static const srr_world_ops replay_ops = {
    .version = SRR_WORLD_OPS_VERSION,
    .name = "replay",
    .socket = rp_socket,
    .socketpair = rp_socketpair,
    .bind = rp_bind,
    .listen = rp_listen,
    .accept4 = rp_accept4,
    .connect = rp_connect,
    .sendmsg = rp_sendmsg,
    .recvmsg = rp_recvmsg,
    .shutdown = rp_shutdown,
    .close = rp_close,
    .getsockopt = rp_getsockopt,
    .setsockopt = rp_setsockopt,
    .getsockname = rp_getsockname,
    .getpeername = rp_getpeername,
    .fcntl = rp_fcntl,
    .ioctl = rp_ioctl,
    .poll = rp_poll,
    .getaddrinfo = rp_getaddrinfo,
    .freeaddrinfo = rp_freeaddrinfo,
    .getnameinfo = rp_getnameinfo,
    .gethostbyname2_r = rp_byname,
    .gethostbyaddr_r = rp_byaddr,
    .gethostname = rp_gethostname,
    .sethostname = rp_sethostname,
    .if_nameindex = rp_if_nameindex,
    .if_freenameindex = rp_if_freenameindex,
    .now = rp_now,
    .sleep = rp_sleep,
    .destroy = rp_destroy,
    .unsupported = rp_unsupported,
};

/* --------------------------------------------------------------- public */

srr_world *srr_world_replay(const char *trace_path, const srr_replay_options *opts, char *errbuf,
                            size_t errlen)
{
    char dummy[8];
    if (!errbuf || !errlen) {
        errbuf = dummy;
        errlen = sizeof dummy;
    }
    errbuf[0] = '\0';
    replay_world *r = calloc(1, sizeof *r);
    if (!r || !trace_path) {
        snprintf(errbuf, errlen, "replay: %s", r ? "no trace given" : "out of memory");
        free(r);
        return NULL;
    }
    if (opts)
        r->opt = *opts;
    pthread_mutex_init(&r->lock, NULL);
    r->base.ops = &replay_ops;
    r->base.default_timeout_ns = -1;
    snprintf(r->source, sizeof r->source, "%s", trace_path);
    if (rp_load(r, trace_path, errbuf, errlen) < 0) {
        rp_destroy(&r->base);
        return NULL;
    }
    return &r->base;
}

int srr_replay_divergence(srr_world *w, char *buf, size_t len)
{
    if (!w || w->ops != &replay_ops)
        return -EINVAL;
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    int d = r->diverged;
    if (d && buf && len)
        snprintf(buf, len, "%s", r->report);
    pthread_mutex_unlock(&r->lock);
    return d;
}

int srr_replay_used(srr_world *w)
{
    if (!w || w->ops != &replay_ops)
        return -EINVAL;
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    int used = r->next_sock > 0;
    for (size_t i = 0; i < r->ngais && !used; i++)
        used = r->gais[i].used;
    pthread_mutex_unlock(&r->lock);
    return used;
}

int srr_replay_leftover(srr_world *w, char *buf, size_t len)
{
    if (!w || w->ops != &replay_ops)
        return -EINVAL;
    replay_world *r = RW(w);
    pthread_mutex_lock(&r->lock);
    int n = 0;
    size_t o = 0;
    if (buf && len)
        buf[0] = '\0';
    for (size_t i = 0; i < r->nsocks; i++) {
        rp_sock *s = &r->socks[i];
        size_t unread = 0, waits = 0;
        for (size_t k = s->in_idx; k < s->nin; k++) {
            if (s->in[k].kind == IN_DATA)
                unread += s->in[k].len - (k == s->in_idx ? s->in_off : 0);
            else if (s->in[k].kind != IN_EOF)
                waits++; /* a timeout or an error the program never met */
        }
        size_t unsent = s->out_len - s->out_pos;
        if (!s->used || unread || unsent || waits) {
            n++;
            if (buf && o < len)
                o += (size_t)snprintf(buf + o, len - o,
                                      "%sconnection %zu (sock %lld, peer %s): %s%zu bytes the "
                                      "program never sent, %zu it never read, %zu timeouts or "
                                      "errors it never met",
                                      o ? "; " : "", i + 1, (long long)s->id,
                                      s->peer[0] ? s->peer : "?",
                                      s->used ? "" : "never made; ", unsent, unread, waits);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return n;
}
