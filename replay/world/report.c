/*
 * report.c — what the replay world says when the program leaves the
 * recording (divergence) or ends before it (leftovers): which connection,
 * which of its calls, which byte, both sides dumped, and the program's last
 * calls that still matched (docs/replay.md).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "replay_int.h"

/* One call of the program that matched the recording, for the report's
 * "last calls before it". */
void srr__rp_note(replay_world *r, const char *fmt, ...)
{
    struct rp_last *l = &r->last[r->nlast % RP_LAST];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    l->io = 0;
    r->nlast++;
    r->progress++;
}

void srr__rp_note_io(replay_world *r, int io, size_t conn, uint64_t a, uint64_t b)
{
    struct rp_last *l = &r->last[r->nlast % RP_LAST];
    l->io = io;
    l->conn = conn;
    l->a = a;
    l->b = b;
    r->nlast++;
    r->progress++;
}

static const char *rp_last_text(struct rp_last *l)
{
    if (l->io == 'S')
        snprintf(l->text, sizeof l->text, "connection %zu: sent bytes %llu-%llu", l->conn,
                 (unsigned long long)l->a, (unsigned long long)l->b);
    else if (l->io == 'R')
        snprintf(l->text, sizeof l->text, "connection %zu: received %llu bytes", l->conn,
                 (unsigned long long)l->a);
    l->io = 0;
    return l->text;
}

const char *srr__rp_conn_name(replay_world *r, const rp_sock *s, char *buf, size_t len)
{
    char peer[128];
    srr__rp_addr_shown(r, s->peer, peer, sizeof peer);
    snprintf(buf, len, "connection %zu (sock %lld, peer %s, its call %u)",
             (size_t)(s - r->socks) + 1, (long long)s->id, peer[0] ? peer : "?", s->calls);
    return buf;
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

const char *srr__rp_name(const replay_world *r)
{
    return r->opt.name && *r->opt.name ? r->opt.name : r->source;
}

int srr__rp_diverge(replay_world *r, const char *fmt, ...)
{
    if (!r->diverged) {
        va_list ap;
        va_start(ap, fmt);
        /* the recording's name first: the file whose story the program left */
        int o = snprintf(r->report, sizeof r->report, "%s: ", srr__rp_name(r));
        if (o < 0 || (size_t)o >= sizeof r->report / 2)
            o = 0; /* a name too long to keep: the report without it */
        o += vsnprintf(r->report + o, sizeof r->report - (size_t)o, fmt, ap);
        va_end(ap);
        unsigned first = r->nlast > RP_LAST ? r->nlast - RP_LAST : 0;
        for (unsigned i = first; i < r->nlast && o >= 0 && (size_t)o < sizeof r->report; i++)
            o += snprintf(r->report + o, sizeof r->report - (size_t)o, "%s%s",
                          i == first ? "\n  last calls that matched: " : "; ",
                          rp_last_text(&r->last[i % RP_LAST]));
        r->diverged = 1;
        if (r->opt.on_divergence)
            r->opt.on_divergence(r->report, r->opt.arg);
    }
    return -EPROTO;
}

/* What differs in a send, from byte k of the connection's stream: the
 * connection, the byte, both sides dumped around it. */
static void rp_bytes_text(replay_world *r, rp_sock *s, size_t k, const unsigned char *got,
                          size_t got_len, char *out, size_t len)
{
    char want_dump[160], got_dump[160], name[200];
    size_t base = k > 8 ? k - 8 : 0;
    if (base < s->out_base)
        base = (size_t)s->out_base; /* kept: at least 64 bytes behind the program */
    srr__rp_out_load(r, s, base + 16);
    size_t have = (size_t)(s->out_base + s->out_len);
    size_t wn = have > base ? have - base : 0;
    rp_dump(want_dump, sizeof want_dump, &RP_OUT_AT(s, base), wn < 16 ? wn : 16);
    /* the program's bytes from base: what it sent before this call matched */
    unsigned char mine[16];
    size_t mn = 0;
    for (size_t i = base; i < base + 16 && mn < 16; i++) {
        if (i < s->out_pos)
            mine[mn++] = RP_OUT_AT(s, i);
        else if (i - s->out_pos < got_len)
            mine[mn++] = got[i - s->out_pos];
        else
            break;
    }
    rp_dump(got_dump, sizeof got_dump, mine, mn);
    snprintf(out, len,
             "%s: the program sent different bytes; first difference at byte %zu of the "
             "stream\n  recorded at %zu: %s\n  program  at %zu: %s",
             srr__rp_conn_name(r, s, name, sizeof name), k, base, want_dump, base, got_dump);
}

/* A send that differs from the recording at byte k of the connection. */
int srr__rp_diverge_bytes(replay_world *r, rp_sock *s, size_t k, const unsigned char *got,
                     size_t got_len)
{
    char text[1024];
    rp_bytes_text(r, s, k, got, got_len, text, sizeof text);
    return srr__rp_diverge(r, "replay diverged: %s", text);
}

void srr__rp_tolerate(replay_world *r, rp_sock *s, size_t k, const unsigned char *got,
                 size_t got_len)
{
    if (s->tolerated || !r->opt.on_tolerated)
        return;
    s->tolerated = 1; /* once per connection: the rest of it may differ too */
    char text[1024], report[1200], name[200];
    if (got)
        rp_bytes_text(r, s, k, got, got_len, text, sizeof text);
    else
        snprintf(text, sizeof text, "%s: the program sent more bytes than the recording's %llu",
                 srr__rp_conn_name(r, s, name, sizeof name), (unsigned long long)s->out_total);
    snprintf(report, sizeof report, "%s: difference tolerated (lenient): %s", srr__rp_name(r),
             text);
    r->opt.on_tolerated(report, r->opt.arg);
}

int srr__rp_differs(replay_world *r, rp_sock *s, const char *fmt, ...)
{
    char what[600], name[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    srr__rp_conn_name(r, s, name, sizeof name);
    if (!r->opt.lenient)
        return srr__rp_diverge(r, "replay diverged: %s: %s", name, what);
    if (!s->tolerated && r->opt.on_tolerated) {
        char report[1000];
        s->tolerated = 1;
        snprintf(report, sizeof report, "%s: difference tolerated (lenient): %s: %s",
                 srr__rp_name(r), name, what);
        r->opt.on_tolerated(report, r->opt.arg);
    }
    return 0;
}

/* The recorded connections of the played process the program did not play
 * out: how many, and what of each, into buf. */
/* 1 when pid descends from the played process (parent links, bounded:
 * a damaged index must not loop). */
static int rp_descends(const replay_world *r, int pid)
{
    for (size_t hops = 0; pid && hops <= r->nprocs; hops++) {
        int parent = 0;
        for (size_t i = 0; i < r->nprocs; i++)
            if (r->procs[i].pid == pid)
                parent = r->procs[i].parent;
        if (parent && parent == r->pid)
            return 1;
        pid = parent;
    }
    return 0;
}

uint64_t srr__rp_children_locked(replay_world *r, char *buf, size_t len)
{
    uint64_t bytes = 0;
    size_t o = 0, n = 0;
    if (buf && len)
        buf[0] = '\0';
    for (size_t i = 0; r->pid && i < r->nprocs; i++) {
        const rp_proc *p = &r->procs[i];
        if (!p->bytes || !rp_descends(r, p->pid))
            continue;
        bytes += p->bytes;
        if (buf && o < len)
            o += (size_t)snprintf(buf + o, len - o, "%s%d (%llu bytes)", n++ ? ", " : "",
                                  (int)p->pid, (unsigned long long)p->bytes);
    }
    return bytes;
}

int srr__rp_leftover_locked(replay_world *r, char *buf, size_t len)
{
    int n = 0;
    size_t o = 0;
    if (buf && len)
        buf[0] = '\0';
    for (size_t i = 0; i < r->nsocks; i++) {
        rp_sock *s = &r->socks[i];
        if (!srr__rp_pid_ok(r, s->pid))
            continue;
        uint64_t unread = s->in_bytes - s->bytes_read;
        uint64_t waits = s->in_waits - s->waits_met; /* timeouts, errors never met */
        uint64_t unsent = s->out_total - s->out_pos;
        size_t unaccepted = s->nchildren - s->next_child;
        /* a listener's own leftovers are its children's; one the recording
         * never used (a socket it made and dropped) is not the program's debt */
        if (s->listener && !unaccepted && s->used)
            continue;
        if (!s->used && !s->connected && !s->listener && !s->accepted && !s->out_total &&
            !s->in_total)
            continue;
        if (s->accepted && !s->used)
            continue; /* counted on its listener */
        if (!s->used || unread || unsent || waits || unaccepted) {
            n++;
            char peer[128];
            srr__rp_addr_shown(r, s->peer, peer, sizeof peer);
            if (buf && o < len && s->listener)
                o += (size_t)snprintf(buf + o, len - o,
                                      "%slistener %zu (sock %lld, at %s): %s%zu connections "
                                      "the program never accepted",
                                      o ? "; " : "", i + 1, (long long)s->id,
                                      s->local[0] ? s->local : "?",
                                      s->used ? "" : "never made; ", unaccepted);
            else if (buf && o < len)
                o += (size_t)snprintf(buf + o, len - o,
                                      "%sconnection %zu (sock %lld, peer %s): %s%llu bytes the "
                                      "program never sent, %llu it never read, %llu timeouts "
                                      "or errors it never met",
                                      o ? "; " : "", i + 1, (long long)s->id,
                                      peer[0] ? peer : "?", s->used ? "" : "never made; ",
                                      (unsigned long long)unsent, (unsigned long long)unread,
                                      (unsigned long long)waits);
            if (o >= len)
                o = len;
        }
    }
    return n;
}
