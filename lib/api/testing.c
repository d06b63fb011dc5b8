/*
 * testing.c — the test helper of sockrr/testing.h: a traced sim world per
 * test, virtual time, helper threads, and questions about the trace.
 *
 * Divisions: opening and closing; time and threads; addresses (what a
 * "HOST:PORT" of the test names, and whether a trace address is one of
 * them); reading the trace; the checks behind the assertion macros.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "grow.h"
#include "sockrr/testing.h"
#include "trace.h"

typedef struct test_impl {
    srr_test pub;          /* first: an srr_test * is a test_impl * */
    char path[4096];
    void **slot;           /* srr_test_attach's; cleared at close */
    pthread_mutex_t lock;  /* failed, threads */
    int failed;
    srr_test_thread *threads; /* started, not yet joined */
} test_impl;

#define IMPL(t) ((test_impl *)(t))

struct srr_test_thread {
    test_impl *t;
    pthread_t tid;
    void *(*fn)(void *);
    void *arg;
    sem_t go;     /* the thread waits here until it has been announced */
    int done[2];  /* sim socketpair: the thread closes [1] when it ends, join polls [0] */
    srr_test_thread *next;
};

static void test_seterr(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void test_seterr(char *buf, size_t len, const char *fmt, ...)
{
    if (!buf || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* -------------------------------------------------- opening and closing */

static int test_is_json(const char *config)
{
    while (*config == ' ' || *config == '\t' || *config == '\n' || *config == '\r')
        config++;
    return *config == '{';
}

srr_test *srr_test_sim_open(const char *config, char *errbuf, size_t errlen)
{
    test_seterr(errbuf, errlen, "%s", "");
    test_impl *t = calloc(1, sizeof *t);
    if (!t) {
        test_seterr(errbuf, errlen, "srr_test: out of memory");
        return NULL;
    }
    srr_world *sim;
    if (!config)
        sim = srr_world_sim(NULL, errbuf, errlen);
    else if (test_is_json(config))
        sim = srr_world_sim_string(config, errbuf, errlen);
    else
        sim = srr_world_sim(config, errbuf, errlen);
    if (!sim) {
        free(t);
        return NULL;
    }
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int n = snprintf(t->path, sizeof t->path, "%s/sockrr-test-XXXXXX.jsonl", dir);
    int fd = n > 0 && (size_t)n < sizeof t->path ? mkstemps(t->path, 6) : -1; /* mode 0600 */
    if (fd < 0) {
        test_seterr(errbuf, errlen, "srr_test: cannot create a trace file in %s: %s", dir,
                    strerror(n > 0 && (size_t)n < sizeof t->path ? errno : ENAMETOOLONG));
        goto fail_sim;
    }
    close(fd);
    srr_tap_options opts = {.program = "srr_test", .payload_cap = -1, .record_clock = -1};
    int error = 0;
    srr_world *w = srr_world_tap(sim, t->path, &opts, &error);
    if (!w) {
        test_seterr(errbuf, errlen, "srr_test: cannot write the trace %s: %s", t->path,
                    strerror(-error));
        unlink(t->path);
        goto fail_sim;
    }
    pthread_mutex_init(&t->lock, NULL);
    t->pub.world = w;
    t->pub.sim = sim;
    t->pub.trace_path = t->path;
    return &t->pub;

fail_sim:
    srr_world_destroy(sim);
    free(t);
    return NULL;
}

void srr_test_fail(srr_test *pub)
{
    if (!pub)
        return;
    test_impl *t = IMPL(pub);
    pthread_mutex_lock(&t->lock);
    t->failed = 1;
    pthread_mutex_unlock(&t->lock);
}

void srr_test_attach(srr_test *pub, void **slot)
{
    if (!pub)
        return;
    IMPL(pub)->slot = slot;
    if (slot)
        *slot = pub;
}

int srr_test_teardown(void **state)
{
    if (state && *state) {
        srr_test *t = *state;
        srr_test_fail(t);
        srr_test_close(t);
        *state = NULL;
    }
    return 0;
}

static int test_keep_requested(void)
{
    const char *v = getenv("SRR_TEST_KEEP");
    return v && *v && strcmp(v, "0") != 0;
}

int srr_test_close(srr_test *pub)
{
    if (!pub)
        return 0;
    test_impl *t = IMPL(pub);
    for (;;) {
        pthread_mutex_lock(&t->lock);
        srr_test_thread *th = t->threads;
        pthread_mutex_unlock(&t->lock);
        if (!th)
            break;
        srr_test_join(th, NULL);
    }
    int r = srr_world_tap_error(pub->world);
    srr_world_destroy(pub->world); /* the tap destroys the sim */
    if (t->failed || test_keep_requested()) {
        fprintf(stderr, "srr_test: trace kept: %s\n", t->path);
    } else if (unlink(t->path) < 0 && r == 0) {
        r = -errno;
    }
    if (t->slot)
        *t->slot = NULL;
    pthread_mutex_destroy(&t->lock);
    free(t);
    return r;
}

/* ---------------------------------------------------- time and threads */

int64_t srr_test_now(srr_test *t)
{
    return t ? srr_sim_now(t->sim) : -EINVAL;
}

int srr_test_advance(srr_test *t, int64_t ns)
{
    if (!t || ns < 0)
        return -EINVAL;
    return t->world->ops->sleep(t->world, CLOCK_MONOTONIC, ns);
}

static void test_thread_ended(void *p)
{
    srr_test_thread *th = p;
    srr_world *sim = th->t->pub.sim;
    sim->ops->close(sim, th->done[1]); /* the joiner's poll sees the end */
}

static void *test_thread_main(void *p)
{
    srr_test_thread *th = p;
    void *result = NULL;
    while (sem_wait(&th->go) != 0)
        ; /* EINTR */
    pthread_cleanup_push(test_thread_ended, th);
    result = th->fn(th->arg);
    pthread_cleanup_pop(1);
    return result;
}

srr_test_thread *srr_test_run_thread(srr_test *pub, void *(*fn)(void *arg), void *arg)
{
    if (!pub || !fn)
        return NULL;
    test_impl *t = IMPL(pub);
    srr_world *sim = pub->sim;
    srr_test_thread *th = malloc(sizeof *th);
    if (!th)
        return NULL;
    *th = (srr_test_thread){.t = t, .fn = fn, .arg = arg};
    /* Made on the sim itself so the trace does not show them.  The call also
     * makes this thread a participant that is busy until its next sim wait,
     * so time cannot move between pthread_create and the announcement. */
    if (sim->ops->socketpair(sim, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, th->done) < 0) {
        free(th);
        return NULL;
    }
    sem_init(&th->go, 0, 0);
    if (pthread_create(&th->tid, NULL, test_thread_main, th) != 0) {
        sim->ops->close(sim, th->done[0]);
        sim->ops->close(sim, th->done[1]);
        sem_destroy(&th->go);
        free(th);
        return NULL;
    }
    /* Announced before it can make its first sim call (it waits on go), and
     * only once it exists: an announced thread that never came would stop
     * time for good. */
    srr_sim_expect_thread(sim);
    pthread_mutex_lock(&t->lock);
    th->next = t->threads;
    t->threads = th;
    pthread_mutex_unlock(&t->lock);
    sem_post(&th->go);
    return th;
}

int srr_test_join(srr_test_thread *th, void **result)
{
    if (!th)
        return -EINVAL;
    test_impl *t = th->t;
    srr_world *sim = t->pub.sim;
    /* Waiting in the sim (not in pthread_join) counts this thread as
     * waiting, so time moves for the one it waits for. */
    struct pollfd p = {.fd = th->done[0], .events = POLLIN};
    int r;
    do
        r = sim->ops->poll(sim, &p, 1, -1);
    while (r == -EINTR);
    void *ret = NULL;
    pthread_join(th->tid, &ret);
    sim->ops->close(sim, th->done[0]);
    sem_destroy(&th->go);
    pthread_mutex_lock(&t->lock);
    for (srr_test_thread **pp = &t->threads; *pp; pp = &(*pp)->next)
        if (*pp == th) {
            *pp = th->next;
            break;
        }
    pthread_mutex_unlock(&t->lock);
    free(th);
    if (result)
        *result = ret;
    char report[8];
    return srr_sim_deadlock_report(sim, report, sizeof report) == 1 ? -EDEADLK : 0;
}

/* ------------------------------------------------------------- addresses */

typedef struct test_ip {
    int family; /* AF_INET or AF_INET6; v4-mapped v6 is stored as AF_INET */
    unsigned char a[16];
} test_ip;

/* A set of addresses and one port (-1 = any), or a verbatim string. */
typedef struct test_peer {
    test_ip *ips;
    size_t n, cap;
    int port;
    int named;          /* the host was a name of the config (or localhost) */
    const char *verbatim; /* compared as written when nothing parsed */
} test_peer;

static int test_ip_parse(const char *s, test_ip *ip)
{
    char buf[INET6_ADDRSTRLEN + 16];
    snprintf(buf, sizeof buf, "%s", s);
    char *pct = strchr(buf, '%');
    if (pct)
        *pct = '\0';
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, buf, ip->a) == 1) {
        ip->family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, ip->a) != 1)
        return -1;
    ip->family = AF_INET6;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(ip->a, mapped, 12) == 0) {
        memmove(ip->a, ip->a + 12, 4);
        memset(ip->a + 4, 0, 12);
        ip->family = AF_INET;
    }
    return 0;
}

/* "HOST:PORT", "[V6]:PORT", "HOST", "[V6]", "V6": host into buf, port or
 * -1.  -1 when s is none of them. */
static int test_hostport(const char *s, char *host, size_t hostlen, int *port)
{
    const char *h = s, *end, *rest;
    *port = -1;
    if (*s == '[') {
        h = s + 1;
        end = strchr(h, ']');
        if (!end)
            return -1;
        rest = end + 1;
    } else {
        const char *c = strchr(s, ':');
        if (c && strchr(c + 1, ':')) { /* a bare IPv6 address */
            end = s + strlen(s);
            rest = end;
        } else {
            end = c ? c : s + strlen(s);
            rest = end;
        }
    }
    if ((size_t)(end - h) >= hostlen || end == h)
        return -1;
    memcpy(host, h, (size_t)(end - h));
    host[end - h] = '\0';
    if (*rest == '\0')
        return 0;
    if (*rest != ':' || !rest[1])
        return -1;
    long v = 0;
    for (const char *p = rest + 1; *p; p++) {
        if (!isdigit((unsigned char)*p) || (v = v * 10 + (*p - '0')) > 65535)
            return -1;
    }
    *port = (int)v;
    return 0;
}

static int test_peer_add_ip(test_peer *p, const test_ip *ip)
{
    if (srr__grow((void **)&p->ips, &p->cap, p->n + 1, sizeof *p->ips) < 0)
        return -ENOMEM;
    p->ips[p->n++] = *ip;
    return 0;
}

static int test_peer_add(test_peer *p, const char *addr)
{
    test_ip ip;
    if (!addr || test_ip_parse(addr, &ip) < 0)
        return 0;
    return test_peer_add_ip(p, &ip);
}

/* The addresses a host name has in the sim's config (its hosts entry, its
 * DNS answers at every step, localhost's loopbacks), asked of the sim. */
static int test_peer_names(const test_impl *t, const char *name, test_peer *p)
{
    struct sockaddr_storage addrs[64];
    srr_sim_addrs q = {.name = name, .out = addrs, .max = sizeof addrs / sizeof addrs[0]};
    int r = srr_sim_addrs_of(t->pub.world, &q);
    if (r < 0)
        return r;
    p->named |= q.named;
    for (size_t i = 0; i < q.n && i < q.max; i++) {
        char text[INET6_ADDRSTRLEN];
        const struct sockaddr *sa = (const struct sockaddr *)&addrs[i];
        const void *a = sa->sa_family == AF_INET
                            ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                            : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (inet_ntop(sa->sa_family, a, text, sizeof text) && (r = test_peer_add(p, text)) < 0)
            return r;
    }
    return 0;
}

static int test_peer_resolve(const test_impl *t, const char *s, test_peer *p)
{
    memset(p, 0, sizeof *p);
    p->port = -1;
    char host[SRR_HOST_MAX];
    int port;
    if (*s == '/' || *s == '@' || test_hostport(s, host, sizeof host, &port) < 0) {
        p->verbatim = s;
        return 0;
    }
    p->port = port;
    test_ip ip;
    if (test_ip_parse(host, &ip) == 0)
        return test_peer_add(p, host);
    int r = test_peer_names(t, host, p);
    if (r == 0 && p->n == 0)
        p->verbatim = s; /* no name of the config: perhaps a relative AF_UNIX path */
    return r;
}

/* Whether a trace address string names p. */
static int test_peer_is(const test_peer *p, const char *addr)
{
    if (!addr || !*addr)
        return 0;
    if (p->verbatim)
        return strcmp(addr, p->verbatim) == 0;
    char host[SRR_HOST_MAX];
    int port;
    test_ip ip;
    if (test_hostport(addr, host, sizeof host, &port) < 0 || test_ip_parse(host, &ip) < 0)
        return 0;
    if (p->port >= 0 && port != p->port)
        return 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->ips[i].family == ip.family &&
            memcmp(p->ips[i].a, ip.a, ip.family == AF_INET ? 4 : 16) == 0)
            return 1;
    return 0;
}

/* --------------------------------------------------------- the trace */

/* Calls fn for every event of the trace; fn returns 1 to stop.  0, or
 * -EIO / -EBADMSG (the first problem in why, when given). */
static int test_scan(const test_impl *t, int (*fn)(const srr_json *ev, void *ctx), void *ctx,
                     char *why, size_t whylen)
{
    srr_parse_error e;
    srr_trace_reader *rd = srr__trace_open(t->path, &e);
    if (!rd) {
        if (why) {
            char b[600];
            test_seterr(why, whylen, "cannot read the trace: %s",
                        srr__parse_error_format(&e, b, sizeof b));
        }
        return -EIO;
    }
    int r = 0;
    for (;;) {
        srr_json *ev;
        int n = srr__trace_next(rd, &ev, &e);
        if (n == 0)
            break;
        if (n < 0) {
            if (r == 0 && why) {
                char b[600];
                test_seterr(why, whylen, "the trace has an invalid event: %s",
                            srr__parse_error_format(&e, b, sizeof b));
            }
            r = -EBADMSG;
            continue;
        }
        int stop = r == 0 ? fn(ev, ctx) : 0;
        srr__json_free(ev);
        if (stop)
            break;
    }
    srr__trace_close(rd);
    return r;
}

static const char *test_str(const srr_json *ev, const char *key)
{
    const char *s = srr__json_str(srr__json_get(ev, key));
    return s ? s : "";
}

static const char *test_err_name(const srr_json *ev)
{
    static const char *const keys[] = {"errno", "gai", "h_errno"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = srr__json_str(srr__json_get(ev, keys[i]));
        if (s)
            return s;
    }
    return "";
}

typedef struct test_filter {
    const char *op;
    int sock;
    const char *err;
} test_filter;

static int test_filter_is(const test_filter *f, const srr_json *ev)
{
    if (f->op && strcmp(test_str(ev, "op"), f->op) != 0)
        return 0;
    if (f->sock > 0 && srr__json_int(srr__json_get(ev, "sock")) != f->sock)
        return 0;
    if (f->err && strcmp(test_err_name(ev), f->err) != 0)
        return 0;
    return 1;
}

typedef struct count_ctx {
    test_filter f;
    long n;
} count_ctx;

static int count_visit(const srr_json *ev, void *p)
{
    count_ctx *c = p;
    c->n += test_filter_is(&c->f, ev);
    return 0;
}

static long test_count(srr_test *t, const char *op, int sock, const char *err, char *why,
                       size_t whylen)
{
    if (!t)
        return -EINVAL;
    count_ctx c = {.f = {op, sock, err}};
    int r = test_scan(IMPL(t), count_visit, &c, why, whylen);
    return r < 0 ? r : c.n;
}

long srr_test_count(srr_test *t, const char *op, int sock, const char *err)
{
    return test_count(t, op, sock, err, NULL, 0);
}

/* An event's data member decoded: 0 with *out malloc'd (NULL when the
 * event has none), -EBADMSG for bad base64, -EOVERFLOW when capped. */
static int test_data(const srr_json *ev, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    const srr_json *d = srr__json_get(ev, "data");
    if (!srr__json_is(d, SRR_JSON_STRING))
        return 0;
    if (srr__json_is_true(srr__json_get(ev, "capped")))
        return -EOVERFLOW;
    int rc = srr__b64_decode(srr__json_str(d), srr__json_strlen(d), out, len);
    if (rc < 0)
        return rc == -ENOMEM ? rc : -EBADMSG;
    return 0;
}

typedef struct event_ctx {
    test_filter f;
    long want, seen;
    srr_test_event *ev;
    int r; /* 1 found, or a negative errno */
} event_ctx;

static int event_visit(const srr_json *j, void *p)
{
    event_ctx *c = p;
    if (!test_filter_is(&c->f, j) || c->seen++ != c->want)
        return 0;
    srr_test_event *ev = c->ev;
    memset(ev, 0, sizeof *ev);
    ev->seq = (long)srr__json_int(srr__json_get(j, "seq"));
    ev->t = (int64_t)srr__json_int(srr__json_get(j, "t"));
    snprintf(ev->op, sizeof ev->op, "%s", test_str(j, "op"));
    ev->ret = (long long)srr__json_int(srr__json_get(j, "ret"));
    snprintf(ev->err, sizeof ev->err, "%s", test_err_name(j));
    ev->sock = (int)srr__json_int(srr__json_get(j, "sock"));
    snprintf(ev->local, sizeof ev->local, "%s", test_str(j, "local"));
    snprintf(ev->peer, sizeof ev->peer, "%s", test_str(j, "peer"));
    int r = test_data(j, &ev->data, &ev->len);
    c->r = r < 0 ? r : 1;
    return 1;
}

int srr_test_event_get(srr_test *t, const char *op, int sock, long n, srr_test_event *ev)
{
    if (!t || !ev || n < 0)
        return -EINVAL;
    memset(ev, 0, sizeof *ev);
    event_ctx c = {.f = {op, sock, NULL}, .want = n, .ev = ev};
    int r = test_scan(IMPL(t), event_visit, &c, NULL, 0);
    if (r < 0 || c.r < 0) {
        srr_test_event_clear(ev);
        return r < 0 ? r : c.r;
    }
    return c.r == 1 ? 0 : -ENOENT;
}

void srr_test_event_clear(srr_test_event *ev)
{
    if (!ev)
        return;
    free(ev->data);
    ev->data = NULL;
    ev->len = 0;
}

ssize_t srr_test_payload(srr_test *t, const char *op, int sock, long n, void *buf, size_t len)
{
    srr_test_event ev;
    int r = srr_test_event_get(t, op, sock, n, &ev);
    if (r < 0)
        return r;
    if (buf && ev.len)
        memcpy(buf, ev.data, ev.len < len ? ev.len : len);
    ssize_t full = (ssize_t)ev.len;
    srr_test_event_clear(&ev);
    return full;
}

/* The handle → socket id table, replayed from the events. */
typedef struct sockid_ctx {
    int fd;
    int sock; /* 0 = none */
} sockid_ctx;

static int sockid_visit(const srr_json *ev, void *p)
{
    sockid_ctx *c = p;
    const char *op = test_str(ev, "op");
    int64_t ret = srr__json_int(srr__json_get(ev, "ret"));
    int sock = (int)srr__json_int(srr__json_get(ev, "sock"));
    if (strcmp(op, "socketpair") == 0 && ret == 0) {
        const srr_json *fds = srr__json_get(ev, "fds"), *socks = srr__json_get(ev, "socks");
        for (size_t i = 0; i < 2; i++)
            if (srr__json_int(srr__json_at(fds, i)) == c->fd)
                c->sock = (int)srr__json_int(srr__json_at(socks, i));
        return 0;
    }
    const srr_json *nfd = srr__json_get(ev, "new_fd");
    if (srr__json_is(nfd, SRR_JSON_INT) && srr__json_int(nfd) == c->fd) {
        /* accept4's new connection, or fcntl's duplicate sharing sock */
        const srr_json *ns = srr__json_get(ev, "new_sock");
        c->sock = srr__json_is(ns, SRR_JSON_INT) ? (int)srr__json_int(ns) : sock;
        return 0;
    }
    if (srr__json_int(srr__json_get(ev, "fd")) != c->fd || sock <= 0)
        return 0;
    c->sock = strcmp(op, "close") == 0 ? 0 : sock; /* a closed handle is gone, even on error */
    return 0;
}

int srr_test_sock_id(srr_test *t, int fd)
{
    if (!t || fd < 0)
        return -EINVAL;
    sockid_ctx c = {.fd = fd};
    int r = test_scan(IMPL(t), sockid_visit, &c, NULL, 0);
    if (r < 0)
        return r;
    return c.sock > 0 ? c.sock : -ENOENT;
}

/* Bytes one way on the connections with one peer. */
typedef struct stream_ctx {
    const test_peer *peer;
    int sent;            /* 1: sendmsg, by `to`/peer; 0: recvmsg, by `from`/peer */
    int seen;            /* some event named the peer */
    unsigned char *buf;  /* everything, in order */
    size_t len, cap;
    int r;
} stream_ctx;

static int stream_visit(const srr_json *ev, void *p)
{
    stream_ctx *c = p;
    const char *op = test_str(ev, "op");
    const char *side = c->sent ? test_str(srr__json_get(ev, "args"), "to") : test_str(ev, "from");
    if (!*side)
        side = test_str(ev, "peer");
    if (!test_peer_is(c->peer, side)) {
        /* a connect that failed (no peer yet) still says where it went */
        if (strcmp(op, "connect") == 0 &&
            test_peer_is(c->peer, test_str(srr__json_get(ev, "args"), "addr")))
            c->seen = 1;
        return 0;
    }
    c->seen = 1;
    if (strcmp(op, c->sent ? "sendmsg" : "recvmsg") != 0)
        return 0;
    unsigned char *d;
    size_t n;
    int r = test_data(ev, &d, &n);
    if (r < 0) {
        c->r = r;
        return 1;
    }
    if (srr__grow((void **)&c->buf, &c->cap, c->len + n, 1) < 0) {
        free(d);
        c->r = -ENOMEM;
        return 1;
    }
    if (n)
        memcpy(c->buf + c->len, d, n);
    c->len += n;
    free(d);
    return 0;
}

/* The stream with peer into c (c->buf malloc'd); 0 or a negative errno. */
static int test_stream(srr_test *t, int sent, const char *peer, stream_ctx *c, test_peer *p,
                       char *why, size_t whylen)
{
    memset(c, 0, sizeof *c);
    memset(p, 0, sizeof *p);
    if (!t || !peer)
        return -EINVAL;
    int r = test_peer_resolve(IMPL(t), peer, p);
    if (r < 0)
        return r;
    c->peer = p;
    c->sent = sent;
    r = test_scan(IMPL(t), stream_visit, c, why, whylen);
    if (r == 0 && c->r < 0) {
        r = c->r;
        test_seterr(why, whylen, "%s", r == -EOVERFLOW ? "a payload in the trace is capped"
                                                        : strerror(-r));
    }
    return r;
}

static ssize_t test_stream_copy(srr_test *t, int sent, const char *peer, void *buf, size_t len)
{
    stream_ctx c;
    test_peer p;
    ssize_t r = test_stream(t, sent, peer, &c, &p, NULL, 0);
    if (r == 0 && !c.seen)
        r = -ENOENT;
    if (r == 0) {
        if (buf && c.len)
            memcpy(buf, c.buf, c.len < len ? c.len : len);
        r = (ssize_t)c.len;
    }
    free(c.buf);
    free(p.ips);
    return r;
}

ssize_t srr_test_sent(srr_test *t, const char *peer, void *buf, size_t len)
{
    return test_stream_copy(t, 1, peer, buf, len);
}

ssize_t srr_test_received(srr_test *t, const char *peer, void *buf, size_t len)
{
    return test_stream_copy(t, 0, peer, buf, len);
}

/* ---------------------------------------------------------- the checks */

/* Bytes as a C string literal, cut to fit: "PING\r\n", "\x00\x01". */
static void test_escape(char *out, size_t outlen, const unsigned char *b, size_t n)
{
    size_t o = 0;
    if (outlen < 8) {
        if (outlen)
            out[0] = '\0';
        return;
    }
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        char e[8];
        unsigned char ch = b[i];
        switch (ch) {
        case '\r': snprintf(e, sizeof e, "\\r"); break;
        case '\n': snprintf(e, sizeof e, "\\n"); break;
        case '\t': snprintf(e, sizeof e, "\\t"); break;
        case '"': snprintf(e, sizeof e, "\\\""); break;
        case '\\': snprintf(e, sizeof e, "\\\\"); break;
        default:
            if (ch >= 0x20 && ch < 0x7f)
                snprintf(e, sizeof e, "%c", ch);
            else
                snprintf(e, sizeof e, "\\x%02x", ch);
        }
        size_t el = strlen(e);
        if (o + el + 5 > outlen) { /* room for "..." + quote + NUL */
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, e, el);
        o += el;
    }
    out[o++] = '"';
    out[o] = '\0';
}

static int test_check_stream(srr_test *t, int sent, const char *peer, const void *want,
                             size_t len, char *msg, size_t msglen)
{
    char why[700] = "";
    stream_ctx c;
    test_peer p;
    const char *dir = sent ? "sent to" : "received from";
    int r = test_stream(t, sent, peer, &c, &p, why, sizeof why);
    int ok = 0;
    char wb[300], gb[300];
    test_escape(wb, sizeof wb, want, len);
    if (r < 0) {
        test_seterr(msg, msglen, "bytes %s %s: %s", dir, peer ? peer : "(null)",
                    *why ? why : strerror(-r));
    } else if (!c.seen) {
        test_seterr(msg, msglen,
                    "bytes %s %s: no event of the trace names %s%s; expected %zu bytes %s", dir,
                    peer, peer, p.named || p.n ? "" : " (it is no host or DNS name of the config)",
                    len, wb);
    } else if (c.len != len || (len && memcmp(c.buf, want, len) != 0)) {
        size_t i = 0;
        while (i < len && i < c.len && c.buf[i] == ((const unsigned char *)want)[i])
            i++;
        test_escape(gb, sizeof gb, c.buf, c.len);
        test_seterr(
            msg, msglen,
            "bytes %s %s: got %zu bytes %s, expected %zu bytes %s (they differ from byte %zu)", dir,
            peer, c.len, gb, len, wb, i);
    } else {
        ok = 1;
        test_seterr(msg, msglen, "%s", "");
    }
    free(c.buf);
    free(p.ips);
    return ok;
}

int srr_test_check_sent(srr_test *t, const char *peer, const void *want, size_t len, char *msg,
                        size_t msglen)
{
    return test_check_stream(t, 1, peer, want, len, msg, msglen);
}

int srr_test_check_received(srr_test *t, const char *peer, const void *want, size_t len,
                            char *msg, size_t msglen)
{
    return test_check_stream(t, 0, peer, want, len, msg, msglen);
}

int srr_test_check_count(srr_test *t, const char *op, int sock, const char *err, long want,
                         char *msg, size_t msglen)
{
    char why[700] = "", what[160], sockb[24] = "";
    if (sock > 0)
        snprintf(sockb, sizeof sockb, " sock=%d", sock);
    snprintf(what, sizeof what, "op=%s%s err=%s", op ? op : "(any)", sockb,
             err ? (*err ? err : "(none)") : "(any)");
    long n = test_count(t, op, sock, err, why, sizeof why);
    if (n < 0) {
        test_seterr(msg, msglen, "events with %s: %s", what, *why ? why : strerror((int)-n));
        return 0;
    }
    if (n != want) {
        test_seterr(msg, msglen, "%ld events with %s, expected %ld", n, what, want);
        return 0;
    }
    test_seterr(msg, msglen, "%s", "");
    return 1;
}
