/*
 * replay.c — the replay world: a recorded trace plays the peer of the
 * program being replayed (docs/replay.md).  This file fills the seam's
 * table, answers the control slot and makes the world; match.c matches
 * program sockets to recorded ones, io.c moves bytes and waits, load.c
 * reads the trace, report.c words divergences, resolve.c answers lookups
 * and maps addresses (replay_int.h says how they fit).
 *
 * The program's sockets are matched to recorded ones when they first say
 * which: connect (the next recorded connection to that peer), listen (the
 * next recorded listener, by address), a datagram's first send or receive.
 * Each recorded socket holds what the recording sent (one byte stream, so
 * send(a); send(b) matches a recorded send(ab)) and what it received, in
 * recorded chunks, each tagged with how many bytes had been sent before it
 * arrived, so a response is never given before its request; a listener
 * holds the connections accepted from it.  Timeouts and errors come back
 * as recorded, in virtual time that follows the recording's.  The first
 * call that does not match stops the replay with a report
 * (srr_replay_divergence); the host decides what to do with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "exit_status.h"
#include "handover.h"
#include "replay_int.h"
#include "world_assert.h"

#define RP_SO_LAST 100 /* above every SOL_SOCKET option name Linux has */

int srr__rp_pid_ok(const replay_world *r, int pid)
{
    if (r->pid)
        return pid == r->pid;
    if (!r->pids[0])
        return 1;
    for (int i = 0; i < RP_PIDS; i++)
        if (r->pids[i] == pid)
            return 1;
    return 0;
}

/* ------------------------------------------------------------- sockets */


static int rp_shutdown(srr_world *w, int h, int how)
{
    assert(srr__check_shutdown(how) == 0);
    replay_world *r = RW(w);
    int k = srr__rp_pass_fd(r, h);
    if (k >= 0)
        return srr__rp_pass_call(k, RP_PASS_SHUTDOWN, how);
    return LOCKED(r, srr__rp_rec(r, srr__rp_prog_get(r, h)) ? 0
                     : srr__rp_prog_get(r, h)               ? -ENOTCONN
                                                            : -EBADF);
}

static int rp_close(srr_world *w, int h)
{
    replay_world *r = RW(w);
    rp_lock(r);
    int rc = -EBADF;
    rp_prog *p = srr__rp_prog_get(r, h);
    if (p) {
        rp_sock *s = srr__rp_rec(r, p);
        if (--p->handles == 0) {
            srr__rp_pass_close(p);
            if (s && s->parent >= 0) {
                r->socks[s->parent].closed_prog++; /* may open the listener's gate */
                srr__rp_order_close(r, (size_t)(s - r->socks));
                r->progress++;
            }
        }
        r->handles[h - 3] = 0;
        rc = 0;
    }
    rp_unlock(r);
    return rc;
}

static int rp_getsockopt_locked(replay_world *r, int h, int level, int name, void *val,
                                socklen_t *len)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = srr__rp_rec(r, p);
    if (level == SOL_SOCKET && name == SO_ERROR)
        return srr__opts_int(val, len, s ? s->connect_err : 0);
    if (level == SOL_SOCKET && name == SO_ACCEPTCONN)
        return srr__opts_int(val, len, p->listening);
    int rc = srr__opts_get(&p->opt, level, name, val, len);
    /* an option Linux has that the model does not hold: 0, a value the
     * recording does not contradict; one Linux has not (past its last
     * SOL_SOCKET name, 78 in 6.18): ENOPROTOOPT */
    if (rc == -ENOPROTOOPT && !(level == SOL_SOCKET && name > RP_SO_LAST))
        rc = srr__opts_int(val, len, 0);
    return rc;
}

static int rp_getsockopt(srr_world *w, int h, int level, int name, void *val, socklen_t *len)
{
    assert(val && srr__check_getsockopt(len) == 0);
    int k = srr__rp_pass_fd(RW(w), h);
    if (k >= 0)
        return srr__rp_pass_call(k, RP_PASS_GETSOCKOPT, level, name, val, len);
    return LOCKED(RW(w), rp_getsockopt_locked(RW(w), h, level, name, val, len));
}

static int rp_setsockopt(srr_world *w, int h, int level, int name, const void *val,
                         socklen_t len)
{
    assert(srr__check_setsockopt(level, name, val, len) == 0);
    replay_world *r = RW(w);
    int k = srr__rp_pass_fd(r, h);
    if (k >= 0)
        return srr__rp_pass_call(k, RP_PASS_SETSOCKOPT, level, name, val, len);
    rp_lock(r);
    rp_prog *p = srr__rp_prog_get(r, h);
    int rc = p ? srr__opts_set(&p->opt, level, name, val, len, p->bound[0] != 0) : -EBADF;
    if (rc == 1 || rc == -ENOPROTOOPT)
        rc = 0; /* options the model does not hold change nothing the recording did not show */
    if (rc == 0 && r->opt.passthrough_on_miss && len <= sizeof p->opts[0].val) {
        /* kept for a kernel socket the program may yet get (passthrough.c) */
        int i = 0;
        while (i < p->nopts && (p->opts[i].level != level || p->opts[i].name != name))
            i++;
        if (i < (int)(sizeof p->opts / sizeof p->opts[0])) {
            p->opts[i] = (struct rp_opt){.level = level, .name = name, .len = len};
            memcpy(p->opts[i].val, val, len);
            p->nopts = i == p->nopts ? i + 1 : p->nopts;
        }
    }
    rp_unlock(r);
    return rc;
}

static int rp_name_locked(replay_world *r, int h, struct sockaddr *addr, socklen_t *len, int peer)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = srr__rp_rec(r, p);
    char str[128] = "";
    struct sockaddr_storage ss;
    socklen_t n;
    if (peer && s && p->type == SOCK_STREAM && !p->listening)
        srr__rp_addr_shown(r, s->peer, str, sizeof str);
    else if (peer && s && s->connected)
        srr__rp_addr_shown(r, s->peer, str, sizeof str);
    else if (!peer && p->bound[0] && srr__sockaddr_parse(p->bound, &ss, &n) == 0 &&
             !(ss.ss_family == AF_INET && !((struct sockaddr_in *)&ss)->sin_port) &&
             !(ss.ss_family == AF_INET6 && !((struct sockaddr_in6 *)&ss)->sin6_port))
        snprintf(str, sizeof str, "%s", p->bound); /* where the program asked to be */
    else if (!peer && s)
        srr__rp_addr_shown(r, s->local, str, sizeof str);
    if (srr__sockaddr_parse(str, &ss, &n) == 0) {
        memcpy(addr, &ss, n < *len ? n : *len);
        *len = n;
        return 0;
    }
    if (peer)
        return -ENOTCONN;
    memset(addr, 0, *len);
    addr->sa_family = (sa_family_t)p->family;
    return 0;
}

static int rp_name(srr_world *w, int h, struct sockaddr *a, socklen_t *l, int peer)
{
    srr__assert_addr_out(a, l);
    assert(a);
    int k = srr__rp_pass_fd(RW(w), h);
    if (k >= 0)
        return srr__rp_pass_call(k, peer ? RP_PASS_GETPEERNAME : RP_PASS_GETSOCKNAME, a, l);
    return LOCKED(RW(w), rp_name_locked(RW(w), h, a, l, peer));
}

static int rp_getsockname(srr_world *w, int h, struct sockaddr *a, socklen_t *l)
{
    return rp_name(w, h, a, l, 0);
}

static int rp_getpeername(srr_world *w, int h, struct sockaddr *a, socklen_t *l)
{
    return rp_name(w, h, a, l, 1);
}

static int rp_fcntl_locked(replay_world *r, int h, int cmd, long arg)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    switch (cmd) {
    case F_GETFL: return O_RDWR | (p->nonblock ? O_NONBLOCK : 0);
    case F_SETFL: p->nonblock = (arg & O_NONBLOCK) != 0; return 0;
    case F_GETFD: case F_SETFD: return 0;
    case F_DUPFD: case F_DUPFD_CLOEXEC: return srr__rp_new_handle(r, (size_t)(p - r->progs));
    default: return -EINVAL;
    }
}

static int rp_fcntl(srr_world *w, int h, int cmd, long arg)
{
    int k = srr__rp_pass_fd(RW(w), h);
    if (k >= 0 && (cmd == F_GETFL || cmd == F_SETFL))
        return srr__rp_pass_call(k, RP_PASS_FCNTL, cmd, arg);
    return LOCKED(RW(w), rp_fcntl_locked(RW(w), h, cmd, arg));
}

static int rp_ioctl_locked(replay_world *r, int h, unsigned long req, void *arg)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = srr__rp_rec(r, p);
    if (req == FIONBIO) {
        p->nonblock = *(const int *)arg != 0;
        return 0;
    }
    if (req == FIONREAD) {
        in_item *it = s ? srr__rp_next_in(r, s) : NULL;
        *(int *)arg = it && it->kind == IN_DATA ? (int)(it->len - s->in_off) : 0;
        return 0;
    }
    if (req == SIOCOUTQ) {
        *(int *)arg = 0;
        return 0;
    }
    return -ENOTTY;
}

static int rp_ioctl(srr_world *w, int h, unsigned long req, void *arg)
{
    assert(srr__check_ioctl(req, arg) == 0);
    int k = srr__rp_pass_fd(RW(w), h);
    if (k >= 0)
        return srr__rp_pass_call(k, RP_PASS_IOCTL, req, arg);
    return LOCKED(RW(w), rp_ioctl_locked(RW(w), h, req, arg));
}

/* The host's read: REALTIME or MONOTONIC, in and out. */
static int rp_host_now(replay_world *r, int64_t *inout)
{
    clockid_t clock = (clockid_t)*inout;
    rp_lock(r);
    int64_t t = r->vt.now;
    rp_unlock(r);
    *inout = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE ? t + r->epoch : t;
    return 0;
}

/* -------------------------------------------------------------- control */

static int rp_fork(replay_world *r, srr_fork *f)
{
    if (f->phase == SRR_FORK_PREPARE) {
        rp_lock(r);
        r->fork_from.mono = r->vt.now;
        r->fork_from.realtime = r->vt.now + r->epoch;
        rp_unlock(r);
    } else if (f->phase == SRR_FORK_CHILD) {
        r->fork_from.why = "a forked child cannot share the replay yet: its "
                           "socket and resolver calls fail with EOPNOTSUPP";
        f->child = srr__world_forked(&r->fork_from, f->say);
    }
    return 0;
}

static int rp_report_into(replay_world *r, int diverged, srr_report *rep)
{
    rp_lock(r);
    int n = diverged ? r->diverged : srr__rp_leftover_locked(r, rep->buf, rep->len);
    if (diverged && n && rep->buf && rep->len)
        snprintf(rep->buf, rep->len, "%s", r->report);
    rp_unlock(r);
    return n;
}

/* 1 when one of the program's sockets played a recorded one, or a recorded
 * lookup was answered. */
static int rp_used(replay_world *r)
{
    rp_lock(r);
    int used = r->pid != 0;
    for (size_t i = 0; i < r->ngais && !used; i++)
        used = r->gais[i].used;
    rp_unlock(r);
    return used;
}

/* At exit, in strict mode: the recording must have been played out by the
 * process that replayed it (one that never used it, a shell wrapper on
 * its way to exec, is not judged). */
static int rp_program_end(replay_world *r, srr_verdict *v)
{
    char report[2048];
    if (r->opt.lenient || !rp_used(r))
        return 0;
    srr_report rep = {report, sizeof report};
    if (rp_report_into(r, 0, &rep) > 0) {
        v->status = SRR_EXIT_UNPLAYED;
        snprintf(v->message, sizeof v->message,
                 "the program ended before the recording did: %s", report);
        return 1;
    }
    /* the recording's forked children moved bytes no process here played */
    char who[1024];
    rp_lock(r);
    uint64_t bytes = srr__rp_children_locked(r, who, sizeof who);
    rp_unlock(r);
    if (!bytes)
        return 0;
    v->status = SRR_EXIT_UNPLAYED;
    snprintf(v->message, sizeof v->message,
             "the recording's forked children of the replayed process moved %llu bytes that no "
             "process played (a forked child cannot share the replay yet: no multi-process "
             "hub): recorded processes %s",
             (unsigned long long)bytes, who);
    return 1;
}

static int rp_control(srr_world *w, int op, void *arg)
{
    replay_world *r = RW(w);
    switch (op) {
    case SRR_CTL_NOW:
        return rp_host_now(r, arg);
    case SRR_CTL_FORK:
        return rp_fork(r, arg);
    case SRR_CTL_PROGRAM_END:
        return rp_program_end(r, arg);
    case SRR_CTL_REPLAY_DIVERGENCE:
        return rp_report_into(r, 1, arg);
    case SRR_CTL_REPLAY_USED:
        return rp_used(r);
    case SRR_CTL_REPLAY_LEFTOVER:
        return rp_report_into(r, 0, arg);
    default:
        return srr__vt_control(&r->vt, op, arg);
    }
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
    srr__rp_free_recording(r);
    free(r->progs);
    free(r->maps);
    srr__vt_destroy(&r->vt);
    free(r);
}

static const srr_world_ops replay_ops = {
    .version = SRR_WORLD_OPS_VERSION,
    .name = "replay",
    .socket = srr__rp_socket,
    .socketpair = srr__rp_socketpair,
    .bind = srr__rp_bind,
    .listen = srr__rp_listen,
    .accept4 = srr__rp_accept4,
    .connect = srr__rp_connect,
    .sendmsg = srr__rp_sendmsg,
    .recvmsg = srr__rp_recvmsg,
    .shutdown = rp_shutdown,
    .close = rp_close,
    .getsockopt = rp_getsockopt,
    .setsockopt = rp_setsockopt,
    .getsockname = rp_getsockname,
    .getpeername = rp_getpeername,
    .fcntl = rp_fcntl,
    .ioctl = rp_ioctl,
    .poll = srr__rp_poll,
    .getaddrinfo = srr__rp_getaddrinfo,
    .freeaddrinfo = srr__rp_freeaddrinfo,
    .getnameinfo = srr__rp_getnameinfo,
    .gethostbyname2_r = srr__rp_byname,
    .gethostbyaddr_r = srr__rp_byaddr,
    .gethostname = srr__rp_gethostname,
    .sethostname = srr__rp_sethostname,
    .if_nameindex = srr__rp_if_nameindex,
    .if_freenameindex = srr__rp_if_freenameindex,
    .now = srr__rp_now,
    .sleep = srr__rp_sleep,
    .destroy = rp_destroy,
    .unsupported = rp_unsupported,
    .caps = SRR_CAP_OWN_HANDLES | SRR_CAP_VIRTUAL_CLOCK | SRR_CAP_HERMETIC,
    .control = rp_control,
};

/* --------------------------------------------------------------- public */

srr_world *srr__world_replay_handover(const char *trace_path, const srr_replay_options *opts,
                                     const char *index_in, const char *index_out, char *errbuf,
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
    r->index_in = index_in;
    r->index_out = index_out;
    if (srr__vt_init(&r->vt, "replay", NULL, NULL) < 0) {
        snprintf(errbuf, errlen, "replay: out of memory");
        free(r);
        return NULL;
    }
    srr_world_init(&r->base, &replay_ops);
    snprintf(r->source, sizeof r->source, "%s", trace_path);
    if (srr__rp_parse_maps(r, r->opt.map, errbuf, errlen) < 0 ||
        srr__rp_load(r, trace_path, errbuf, errlen) < 0) {
        rp_destroy(&r->base);
        return NULL;
    }
    return &r->base;
}

srr_world *srr_world_replay(const char *trace_path, const srr_replay_options *opts, char *errbuf,
                            size_t errlen)
{
    return srr__world_replay_handover(trace_path, opts, NULL, NULL, errbuf, errlen);
}
