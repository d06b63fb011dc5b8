/*
 * cmd_stats.c — `sockrr stats TRACE [--json]`: what a trace adds up to,
 * per connection (socket id): bytes each way, how long it lived, the gaps
 * where the conversation turned (a request sent, then the wait for its
 * answer; a request received, then the time to reply), its errors; then
 * the busiest peers and the ops.  Read as a stream: memory grows with the
 * sockets and the turns, not with the trace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "env_world.h"
#include "grow.h"
#include "trace.h"

/* Durations of one kind of turn. */
typedef struct stat_gaps {
    int64_t *ns;
    size_t n, cap;
} stat_gaps;

typedef struct stat_conn {
    int64_t id;           /* 0: a free slot */
    int64_t pid;
    char family[16], stype[24], role[12];
    char *local, *peer;
    int64_t first_t, last_t;
    int seen;             /* first_t is set (virtual time starts at 0) */
    uint64_t sent, received, sends, receives;
    int last_dir;         /* the last data moved: 0 none, 1 sent, 2 received */
    int64_t last_data_t;
    stat_gaps waits;      /* sent, then the first bytes back: the peer's answer time */
    stat_gaps replies;    /* received, then the first bytes sent: this side's time */
    char **errs;          /* errno names, with counts */
    uint64_t *err_counts;
    size_t nerrs, errs_cap;
} stat_conn;

typedef struct stat_op {
    char *name;
    uint64_t calls, failed;
} stat_op;

typedef struct stats {
    stat_conn *slots;     /* open addressing by socket id */
    size_t cap, used;
    stat_op *ops;
    size_t nops, ops_cap;
    int64_t *pids;
    size_t npids, pids_cap;
    uint64_t events;
    int64_t first_t, last_t;
} stats;

/* ------------------------------------------------------------ tables */

static stat_conn *conn_find(stats *st, int64_t id, int make)
{
    if (make && (st->used + 1) * 2 > st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        stat_conn *n = calloc(cap, sizeof *n);
        if (!n)
            return NULL;
        for (size_t i = 0; i < st->cap; i++) {
            if (!st->slots[i].id)
                continue;
            size_t j = (size_t)st->slots[i].id * 0x9e3779b97f4a7c15ull % cap;
            while (n[j].id)
                j = (j + 1) % cap;
            n[j] = st->slots[i];
        }
        free(st->slots);
        st->slots = n;
        st->cap = cap;
    }
    if (!st->cap)
        return NULL;
    size_t j = (size_t)id * 0x9e3779b97f4a7c15ull % st->cap;
    while (st->slots[j].id && st->slots[j].id != id)
        j = (j + 1) % st->cap;
    if (st->slots[j].id == id)
        return &st->slots[j];
    if (!make)
        return NULL;
    stat_conn *c = &st->slots[j];
    memset(c, 0, sizeof *c);
    c->id = id;
    st->used++;
    return c;
}

static int count_op(stats *st, const char *name, int failed)
{
    for (size_t i = 0; i < st->nops; i++)
        if (!strcmp(st->ops[i].name, name)) {
            st->ops[i].calls++;
            st->ops[i].failed += (uint64_t)failed;
            return 0;
        }
    char *copy = strdup(name);
    if (!copy || srr__grow((void **)&st->ops, &st->ops_cap, st->nops + 1, sizeof *st->ops) < 0) {
        free(copy);
        return -ENOMEM;
    }
    st->ops[st->nops++] = (stat_op){copy, 1, (uint64_t)failed};
    return 0;
}

static int count_pid(stats *st, int64_t pid)
{
    for (size_t i = 0; i < st->npids; i++)
        if (st->pids[i] == pid)
            return 0;
    if (srr__grow((void **)&st->pids, &st->pids_cap, st->npids + 1, sizeof *st->pids) < 0)
        return -ENOMEM;
    st->pids[st->npids++] = pid;
    return 0;
}

static int count_err(stat_conn *c, const char *name)
{
    for (size_t i = 0; i < c->nerrs; i++)
        if (!strcmp(c->errs[i], name)) {
            c->err_counts[i]++;
            return 0;
        }
    size_t cap = c->errs_cap;
    char *copy = strdup(name);
    if (!copy || srr__grow((void **)&c->errs, &c->errs_cap, c->nerrs + 1, sizeof *c->errs) < 0 ||
        srr__grow((void **)&c->err_counts, &cap, c->nerrs + 1, sizeof *c->err_counts) < 0) {
        free(copy);
        return -ENOMEM;
    }
    c->errs[c->nerrs] = copy;
    c->err_counts[c->nerrs++] = 1;
    return 0;
}

static int gap_add(stat_gaps *g, int64_t ns)
{
    if (srr__grow((void **)&g->ns, &g->cap, g->n + 1, sizeof *g->ns) < 0)
        return -ENOMEM;
    g->ns[g->n++] = ns;
    return 0;
}

static void set_str(char **slot, const char *v)
{
    if (!v || !*v)
        return; /* an empty address says nothing new */
    char *copy = strdup(v);
    if (copy) {
        free(*slot);
        *slot = copy;
    }
}

/* ------------------------------------------------------------ events */

static const char *ev_str(const srr_json *ev, const char *key)
{
    return srr__json_str(srr__json_get(ev, key));
}

static int64_t ev_int(const srr_json *ev, const char *key)
{
    return srr__json_int(srr__json_get(ev, key));
}

/* A socket's stream of data: what moved, which way, and the turn it made. */
static int conn_data(stat_conn *c, int dir, int64_t bytes, int64_t t)
{
    int r = 0;
    if (dir == 1) {
        c->sent += (uint64_t)bytes;
        c->sends++;
    } else {
        c->received += (uint64_t)bytes;
        c->receives++;
    }
    if (c->last_dir && c->last_dir != dir)
        r = gap_add(dir == 2 ? &c->waits : &c->replies, t - c->last_data_t);
    c->last_dir = dir;
    c->last_data_t = t;
    return r;
}

static void conn_learn(stat_conn *c, const srr_json *ev, const char *op, int64_t t)
{
    if (!c->seen)
        c->first_t = t;
    c->seen = 1;
    c->last_t = t;
    if (!c->pid)
        c->pid = ev_int(ev, "pid");
    const char *fam = ev_str(ev, "family"), *st = ev_str(ev, "stype");
    if (fam)
        snprintf(c->family, sizeof c->family, "%s", fam);
    if (st)
        snprintf(c->stype, sizeof c->stype, "%s", st);
    set_str(&c->local, ev_str(ev, "local"));
    set_str(&c->peer, ev_str(ev, "peer"));
    const char *role = !strcmp(op, "connect")                     ? "client"
                       : !strcmp(op, "listen")                    ? "listener"
                       : !strcmp(op, "socketpair")                ? "pair"
                       : st && !strcmp(st, "SOCK_DGRAM") && !c->role[0] ? "datagram"
                                                                        : NULL;
    if (role && strcmp(c->role, "listener") != 0)
        snprintf(c->role, sizeof c->role, "%s", role);
}

static int stats_event(stats *st, const srr_json *ev)
{
    const char *op = ev_str(ev, "op");
    int64_t t = ev_int(ev, "t"), ret = ev_int(ev, "ret");
    const char *err = ev_str(ev, "errno");
    if (!st->events)
        st->first_t = t;
    st->events++;
    st->last_t = t;
    if (count_op(st, op, err != NULL) < 0 || count_pid(st, ev_int(ev, "pid")) < 0)
        return -ENOMEM;
    const srr_json *own = srr__json_get(ev, "sock");
    if (own && srr__json_int(own) <= 0)
        own = NULL; /* ids are 1, 2, ...: the table keeps 0 for a free slot */
    const srr_json *pair = !strcmp(op, "socketpair") ? srr__json_get(ev, "socks") : NULL;
    for (size_t i = 0; i < srr__json_size(pair); i++) {
        if (srr__json_int(srr__json_at(pair, i)) <= 0)
            continue;
        stat_conn *p = conn_find(st, srr__json_int(srr__json_at(pair, i)), 1);
        if (!p)
            return -ENOMEM;
        conn_learn(p, ev, op, t);
    }
    if (!own)
        return 0;
    stat_conn *c = conn_find(st, srr__json_int(own), 1);
    if (!c)
        return -ENOMEM;
    conn_learn(c, ev, op, t);
    if (err && count_err(c, err) < 0)
        return -ENOMEM;
    int send = !strcmp(op, "sendmsg"), recv = !strcmp(op, "recvmsg");
    int peek = recv && (srr__json_int(srr__json_get(srr__json_get(ev, "args"), "flags")) & MSG_PEEK);
    if ((send || recv) && !peek && ret > 0 && conn_data(c, send ? 1 : 2, ev_int(ev, "len"), t) < 0)
        return -ENOMEM; /* a peek moves no byte: the read after it counts them */
    const srr_json *made = srr__json_get(ev, "new_sock");
    if (made && srr__json_int(made) > 0 && !strcmp(op, "accept4")) {
        stat_conn *a = conn_find(st, srr__json_int(made), 1);
        c = conn_find(st, srr__json_int(own), 0); /* the table may have moved */
        if (!a || !c)
            return -ENOMEM;
        if (!a->seen)
            a->first_t = a->last_t = t;
        a->seen = 1;
        a->pid = ev_int(ev, "pid");
        snprintf(a->role, sizeof a->role, "server");
        snprintf(a->family, sizeof a->family, "%s", c->family);
        snprintf(a->stype, sizeof a->stype, "%s", c->stype);
        set_str(&a->local, ev_str(ev, "new_local"));
        set_str(&a->peer, ev_str(ev, "new_peer"));
    }
    return 0;
}

/* ------------------------------------------------------------ figures */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void gaps_sort(stat_gaps *g)
{
    if (g->n)
        qsort(g->ns, g->n, sizeof *g->ns, cmp_i64);
}

static int cmp_conn_bytes(const void *a, const void *b)
{
    const stat_conn *x = *(stat_conn *const *)a, *y = *(stat_conn *const *)b;
    uint64_t bx = x->sent + x->received, by = y->sent + y->received;
    if (bx != by)
        return bx > by ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* A peer as the busiest-peers list groups them: a server by its address
 * and port (the connections this side made to it), a client by its host
 * (every connection it made here, whatever its port). */
static void peer_key(const stat_conn *c, char *out, size_t len)
{
    const char *p = c->peer ? c->peer : "";
    size_t host = strcmp(c->role, "server") == 0 ? srr__addr_host_len(p) : 0;
    snprintf(out, len, "%.*s", (int)(host ? host : strlen(p)), p);
}

typedef struct stat_peer {
    char key[160];
    uint64_t conns, sent, received;
} stat_peer;

static int cmp_peer(const void *a, const void *b)
{
    const stat_peer *x = a, *y = b;
    uint64_t bx = x->sent + x->received, by = y->sent + y->received;
    if (bx != by)
        return bx > by ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* ------------------------------------------------------------ output */

static void secs(FILE *out, int64_t ns)
{
    fprintf(out, "%" PRId64 ".%06" PRId64, ns / 1000000000, ns % 1000000000 / 1000);
}

static void json_string(FILE *out, const char *s)
{
    char e[7];
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        const char *esc = srr__json_escape(*p, e);
        esc ? fputs(esc, out) : fputc(*p, out);
    }
    fputc('"', out);
}

static void gaps_text(FILE *out, const stat_gaps *g)
{
    if (!g->n) {
        fprintf(out, "%-26s", "-");
        return;
    }
    char buf[96];
    int64_t mid = g->ns[g->n / 2];
    snprintf(buf, sizeof buf, "%zu %.3f/%.3f/%.3f ms", g->n, g->ns[0] / 1e6, mid / 1e6,
             g->ns[g->n - 1] / 1e6);
    fprintf(out, "%-26s", buf);
}

static void gaps_json(FILE *out, const char *name, const stat_gaps *g)
{
    fprintf(out, ",\"%s\":{\"count\":%zu", name, g->n);
    if (g->n)
        fprintf(out, ",\"min_ns\":%" PRId64 ",\"median_ns\":%" PRId64 ",\"max_ns\":%" PRId64,
                g->ns[0], g->ns[g->n / 2], g->ns[g->n - 1]);
    fputc('}', out);
}

static void conn_text(FILE *out, const stat_conn *c)
{
    fprintf(out, "  %5" PRId64 " %7" PRId64 " %-8s %-24s %-24s %10" PRIu64 " %10" PRIu64 " ",
            c->id, c->pid, c->role[0] ? c->role : "-", c->local ? c->local : "-",
            c->peer ? c->peer : "-", c->sent, c->received);
    secs(out, c->last_t - c->first_t);
    fputs("  ", out);
    gaps_text(out, &c->waits);
    gaps_text(out, &c->replies);
    for (size_t i = 0; i < c->nerrs; i++)
        fprintf(out, "%s%s x%" PRIu64, i ? ", " : "", c->errs[i], c->err_counts[i]);
    if (!c->nerrs)
        fputs("-", out);
    fputc('\n', out);
}

static void conn_json(FILE *out, const stat_conn *c)
{
    fprintf(out, "{\"sock\":%" PRId64 ",\"pid\":%" PRId64 ",\"role\":", c->id, c->pid);
    json_string(out, c->role[0] ? c->role : NULL);
    fputs(",\"family\":", out);
    json_string(out, c->family);
    fputs(",\"stype\":", out);
    json_string(out, c->stype);
    fputs(",\"local\":", out);
    json_string(out, c->local);
    fputs(",\"peer\":", out);
    json_string(out, c->peer);
    fprintf(out,
            ",\"first_t\":%" PRId64 ",\"duration_ns\":%" PRId64 ",\"sent\":%" PRIu64
            ",\"received\":%" PRIu64 ",\"sends\":%" PRIu64 ",\"receives\":%" PRIu64,
            c->first_t, c->last_t - c->first_t, c->sent, c->received, c->sends, c->receives);
    gaps_json(out, "waits", &c->waits);
    gaps_json(out, "replies", &c->replies);
    fputs(",\"errors\":{", out);
    for (size_t i = 0; i < c->nerrs; i++) {
        fputs(i ? "," : "", out);
        json_string(out, c->errs[i]);
        fprintf(out, ":%" PRIu64, c->err_counts[i]);
    }
    fputs("}}", out);
}

static int report(stats *st, const char *path, int json, size_t top)
{
    FILE *out = stdout;
    stat_conn **conns = malloc((st->used ? st->used : 1) * sizeof *conns);
    stat_peer *peers = calloc(st->used ? st->used : 1, sizeof *peers);
    if (!conns || !peers) {
        free(conns);
        free(peers);
        return -ENOMEM;
    }
    size_t n = 0, npeers = 0;
    for (size_t i = 0; i < st->cap; i++)
        if (st->slots[i].id) {
            gaps_sort(&st->slots[i].waits);
            gaps_sort(&st->slots[i].replies);
            conns[n++] = &st->slots[i];
        }
    qsort(conns, n, sizeof *conns, cmp_conn_bytes);
    for (size_t i = 0; i < n; i++) {
        const stat_conn *c = conns[i];
        if (!c->peer || !strcmp(c->role, "listener") || c->sent + c->received == 0)
            continue;
        char key[160];
        peer_key(c, key, sizeof key);
        size_t j = 0;
        while (j < npeers && strcmp(peers[j].key, key) != 0)
            j++;
        if (j == npeers)
            snprintf(peers[npeers++].key, sizeof peers[0].key, "%s", key);
        peers[j].conns++;
        peers[j].sent += c->sent;
        peers[j].received += c->received;
    }
    qsort(peers, npeers, sizeof *peers, cmp_peer);
    if (json) {
        fputs("{\"trace\":", out);
        json_string(out, path);
        fprintf(out, ",\"events\":%" PRIu64 ",\"processes\":%zu,\"duration_ns\":%" PRId64
                     ",\"connections\":[",
                st->events, st->npids, st->last_t - st->first_t);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? "," : "", out);
            conn_json(out, conns[i]);
        }
        fputs("],\"peers\":[", out);
        for (size_t i = 0; i < npeers; i++) {
            fputs(i ? ",{\"peer\":" : "{\"peer\":", out);
            json_string(out, peers[i].key);
            fprintf(out, ",\"connections\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"received\":%" PRIu64 "}",
                    peers[i].conns, peers[i].sent, peers[i].received);
        }
        fputs("],\"ops\":{", out);
        for (size_t i = 0; i < st->nops; i++) {
            fputs(i ? "," : "", out);
            json_string(out, st->ops[i].name);
            fprintf(out, ":{\"calls\":%" PRIu64 ",\"failed\":%" PRIu64 "}", st->ops[i].calls,
                    st->ops[i].failed);
        }
        fputs("}}\n", out);
    } else {
        fprintf(out, "%s: %" PRIu64 " events, %zu process%s, %zu socket%s, ", path, st->events,
                st->npids, st->npids == 1 ? "" : "es", n, n == 1 ? "" : "s");
        secs(out, st->last_t - st->first_t);
        fputs(" s\n\nsockets, most bytes first (waits: sent, then the answer's first bytes; "
              "replies:\nreceived, then the first bytes sent; count min/median/max):\n", out);
        fprintf(out, "  %5s %7s %-8s %-24s %-24s %10s %10s %-9s %-26s%-26s%s\n", "sock", "pid",
                "role", "local", "peer", "sent", "received", "seconds", "waits", "replies",
                "errors");
        for (size_t i = 0; i < n && i < top; i++)
            conn_text(out, conns[i]);
        if (n > top)
            fprintf(out, "  ... %zu more (--top N, or --json for all)\n", n - top);
        fputs("\nbusiest peers:\n", out);
        for (size_t i = 0; i < npeers && i < top; i++)
            fprintf(out, "  %-40s %6" PRIu64 " connection%s  sent %" PRIu64 "  received %" PRIu64 "\n",
                    peers[i].key, peers[i].conns, peers[i].conns == 1 ? " " : "s", peers[i].sent,
                    peers[i].received);
        if (!npeers)
            fputs("  (none: no bytes moved to a named peer)\n", out);
        fputs("\nops (calls, failed):\n", out);
        for (size_t i = 0; i < st->nops; i++)
            fprintf(out, "  %-20s %10" PRIu64 " %10" PRIu64 "\n", st->ops[i].name,
                    st->ops[i].calls, st->ops[i].failed);
    }
    free(conns);
    free(peers);
    return 0;
}

static void stats_free(stats *st)
{
    for (size_t i = 0; i < st->cap; i++) {
        stat_conn *c = &st->slots[i];
        if (!c->id)
            continue;
        free(c->local);
        free(c->peer);
        free(c->waits.ns);
        free(c->replies.ns);
        for (size_t j = 0; j < c->nerrs; j++)
            free(c->errs[j]);
        free(c->errs);
        free(c->err_counts);
    }
    free(st->slots);
    for (size_t i = 0; i < st->nops; i++)
        free(st->ops[i].name);
    free(st->ops);
    free(st->pids);
}

/* ------------------------------------------------------------ command */

static void stats_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr stats [--json] [--top N] TRACE\n"
            "\n"
            "Adds a trace up (\"-\" reads stdin): per socket, its role (client, server,\n"
            "listener, datagram, pair), addresses, bytes sent and received, how long it\n"
            "lived, the turns of its conversation (waits: bytes sent, then the first\n"
            "bytes back; replies: bytes received, then the first bytes sent; count and\n"
            "min/median/max) and its errors by name; then the busiest peers (a server\n"
            "by address and port, a client by host) and the calls per op.\n"
            "\n"
            "  --json     one JSON object, every socket and peer in it\n"
            "  --top N    the N busiest sockets and peers in the text (default 20)\n"
            "  -h, --help this text\n"
            "\n"
            "exit status: 0 done (a torn last line is warned about and left out);\n"
            "1 the trace is invalid or unreadable; 2 usage error.\n");
}

int cli_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"top", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, opt;
    uint64_t top = 20;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j': json = 1; break;
        case 't':
            if (srr__env_decimal(optarg, 1000000000, &top) < 0 || top == 0) {
                fprintf(stderr, "sockrr stats: --top wants a number from 1, got '%s'\n", optarg);
                return SRR_EXIT_USAGE;
            }
            break;
        case 'h': stats_usage(stdout); return SRR_EXIT_OK;
        case ':':
            fprintf(stderr, "sockrr stats: '%s' needs a value (see sockrr stats --help)\n",
                    argv[optind - 1]);
            return SRR_EXIT_USAGE;
        default:
            fprintf(stderr, "sockrr stats: bad option '%s' (see sockrr stats --help)\n",
                    argv[optind - 1]);
            return SRR_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "sockrr stats: %s (see sockrr stats --help)\n",
                optind >= argc ? "no trace given" : "one trace at a time");
        return SRR_EXIT_USAGE;
    }
    const char *path = argv[optind];
    srr_parse_error err;
    char msg[1024];
    srr_trace_reader *r = srr__trace_open(path, &err);
    if (!r) {
        fprintf(stderr, "sockrr stats: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
        return SRR_EXIT_FAIL;
    }
    stats st = {0};
    int status = SRR_EXIT_OK, rc;
    srr_json *ev;
    while ((rc = srr__trace_next(r, &ev, &err)) != 0) {
        if (rc < 0) {
            fprintf(stderr, "sockrr stats: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
            status = SRR_EXIT_FAIL;
            break;
        }
        int e = stats_event(&st, ev);
        srr__json_free(ev);
        if (e < 0) {
            fprintf(stderr, "sockrr stats: %s: out of memory\n", path);
            status = SRR_EXIT_FAIL;
            break;
        }
    }
    if (status == SRR_EXIT_OK && srr__trace_torn(r, &err))
        fprintf(stderr, "sockrr stats: warning: %s\n",
                srr__parse_error_format(&err, msg, sizeof msg));
    if (status == SRR_EXIT_OK && report(&st, path, json, (size_t)top) < 0) {
        fprintf(stderr, "sockrr stats: out of memory\n");
        status = SRR_EXIT_FAIL;
    }
    if (status == SRR_EXIT_OK && fflush(stdout) != 0) {
        fprintf(stderr, "sockrr stats: writing the output: %s\n", strerror(errno));
        status = SRR_EXIT_FAIL;
    }
    stats_free(&st);
    srr__trace_close(r);
    return status;
}
