/*
 * io.c — bytes and waits in the replay world: sendmsg compares what the
 * program sends with what the recording sent (one byte stream per
 * connection, or whole datagrams), recvmsg gives what the recording
 * received in its recorded pieces, never before the request it answered,
 * and poll, sleep and the clock follow the recording's time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libc.h"
#include "replay_int.h"
#include "sock_rules.h"
#include "world_assert.h"

void srr__rp_follow(replay_world *r, int64_t t)
{
    if (t > r->vt.now)
        r->vt.now = t; /* time follows the recording's */
}

/* A recorded wait that timed out, waited out in virtual time: it ended at
 * the recording's t, or wait_ns from now when the program is ahead. */
static void rp_wait_out(replay_world *r, const in_item *it, int64_t wait_ns)
{
    int64_t end = r->vt.now + (wait_ns > 0 ? wait_ns : 0);
    r->vt.now = end > it->t ? end : it->t;
}

/* 1 when everything of the played process has been played out. */
static int rp_all_played(replay_world *r)
{
    return srr__rp_leftover_locked(r, NULL, 0) == 0;
}

int srr__rp_await(replay_world *r, int64_t budget_ns, int (*waiting)(replay_world *, const void *),
                  const void *arg)
{
    uint64_t seen = r->progress;
    for (int64_t waited = 0; !r->diverged && waited < budget_ns && waiting(r, arg);) {
        struct timespec ms = {0, 1000000};
        rp_unlock(r);
        srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL);
        rp_lock(r);
        waited = r->progress != seen ? 0 : waited + ms.tv_nsec;
        seen = r->progress;
    }
    return r->diverged ? -EPROTO : 0;
}

static int rp_some_unplayed(replay_world *r, const void *arg)
{
    (void)arg;
    return !rp_all_played(r);
}

/* A server waits for a connection the recording does not have: when the
 * rest is played out, the replay is over (on_played_out); while another
 * thread may still be playing the rest, wait for it in real time; when
 * nothing moves, the program is stuck. */
int srr__rp_wait_more(replay_world *r, const char *what)
{
    if (srr__rp_await(r, RP_STALL_NS, rp_some_unplayed, NULL) < 0)
        return -EPROTO;
    if (rp_all_played(r)) {
        if (r->opt.on_played_out) {
            /* the threads that played the last calls may still be
             * finishing (a log line): a moment for them */
            struct timespec grace = {0, 20000000};
            rp_unlock(r);
            srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &grace, NULL);
            r->opt.on_played_out(r->opt.arg);
            rp_lock(r);
        }
        return -ESHUTDOWN;
    }
    char left[1024];
    srr__rp_leftover_locked(r, left, sizeof left);
    return srr__rp_diverge(r,
                           "replay diverged: the program waits for %s the recording does not have, "
                           "while the recording still has: %s",
                           what, left);
}

/* A datagram is matched whole: the next recorded one must have its length
 * and its destination.  1 with *end, where the recorded datagram ends in
 * the stream of the socket's bytes (its bytes are then compared as a
 * stream's); 0 when the recording sent no more; -1 on a divergence (a
 * difference is tolerated when lenient, and the datagrams stay in step). */
static int rp_dgram_check(replay_world *r, rp_sock *s, const struct msghdr *m, size_t total,
                          uint64_t *end)
{
    srr__rp_dgram_load(r, s);
    if (s->dg_head == s->ndg)
        return 0; /* none left: the byte comparison says "more than recorded" */
    struct rp_dgram *d = &s->dgrams[s->dg_head];
    char to[128] = "", want[128] = "";
    if (m->msg_name)
        srr__sockaddr_format(m->msg_name, m->msg_namelen, to, sizeof to);
    srr__rp_addr_shown(r, d->to, want, sizeof want);
    uint64_t len = d->end > s->out_pos ? d->end - s->out_pos : 0;
    int rc = 0;
    if (len != total)
        rc = srr__rp_differs(r, s,
                             "the program sent a datagram of %zu bytes, the recording's was %llu",
                             total, (unsigned long long)len);
    else if (to[0] && d->to && strcmp(to, want) != 0)
        rc = srr__rp_differs(r, s, "the program sent a datagram to %s, the recording sent it to %s",
                        to, want);
    *end = d->end;
    free(d->to);
    d->to = NULL;
    if (++s->dg_head == s->ndg) {
        s->dg_head = s->ndg = 0;
    } else if (s->dg_head > 64 && s->dg_head * 2 > s->ndg) {
        memmove(s->dgrams, s->dgrams + s->dg_head, (s->ndg - s->dg_head) * sizeof *s->dgrams);
        s->ndg -= s->dg_head;
        s->dg_head = 0;
    }
    return rc < 0 ? -1 : 1;
}

static ssize_t rp_sendmsg_locked(replay_world *r, int h, const struct msghdr *m, int flags,
                                 int *kfd)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = srr__rp_rec(r, p);
    if (p->type != SOCK_STREAM) {
        size_t size = 0;
        for (size_t k = 0; k < m->msg_iovlen; k++)
            size += m->msg_iov[k].iov_len;
        int dest = srr__rule_dgram_send(p->family, size, flags, m->msg_name, m->msg_namelen);
        if (dest < 0)
            return dest;
        if (dest == 1 && !s && !p->bound[0])
            return p->family == AF_UNIX ? -ENOTCONN : -EDESTADDRREQ;
    }
    if (!s && p->type != SOCK_STREAM && m->msg_name) {
        char to[128];
        srr__sockaddr_format(m->msg_name, m->msg_namelen, to, sizeof to);
        long i = srr__rp_find_rec(r, p, to, srr__rp_fits_send_to);
        if (i < 0 && r->opt.passthrough_on_miss) {
            *kfd = srr__rp_pass_open(r, p, to);
            return *kfd < 0 ? *kfd : 0;
        }
        if (i < 0)
            return srr__rp_diverge(r, "replay diverged: the program sends a datagram to %s (socket "
                                 "#%zu); the recording sent none there", to, r->nmade);
        s = srr__rp_bind_rec(r, p, (size_t)i);
        srr__rp_note(r, "connection %ld: first datagram to %s", i + 1, to);
    } else if (!s && p->type != SOCK_STREAM && p->bound[0]) {
        long i = srr__rp_find_rec(r, p, NULL, srr__rp_fits_bound_dgram);
        if (i >= 0)
            s = srr__rp_bind_rec(r, p, (size_t)i);
    }
    if (!s)
        return p->type == SOCK_STREAM ? -ENOTCONN : -EDESTADDRREQ;
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
    s->calls++;
    long r2 = (long)total;
    uint64_t end = s->out_pos + total; /* where the program's bytes end in the stream */
    int compare = 1;
    if (p->type != SOCK_STREAM) {
        uint64_t dg_end = 0;
        int dc = rp_dgram_check(r, s, m, total, &dg_end);
        if (dc < 0) {
            free(got);
            return -EPROTO;
        }
        if (dc > 0) {
            compare = dg_end - s->out_pos == total; /* else tolerated already */
            end = dg_end;
        }
    }
    /* the recorded bytes from here, loaded (up to what the recording sent) */
    srr__rp_out_load(r, s, s->out_pos + total);
    uint64_t have = s->out_base + s->out_len;
    size_t k = 0;
    while (compare && k < total && s->out_pos + k < have && got[k] == RP_OUT_AT(s, s->out_pos + k))
        k++;
    if (!compare) {
        /* a datagram of another size, tolerated (lenient) */
    } else if (k < total && r->opt.lenient) {
        srr__rp_tolerate(r, s, s->out_pos + k, s->out_pos + k < have ? got : NULL, total);
    } else if (k < total && s->out_pos + k < have) {
        r2 = srr__rp_diverge_bytes(r, s, s->out_pos + k, got, total);
    } else if (k < total) {
        char name[200];
        r2 = srr__rp_diverge(r, "replay diverged: %s: the program sent %llu bytes more than the "
                           "recording's %llu", srr__rp_conn_name(r, s, name, sizeof name),
                        (unsigned long long)(s->out_pos + total - s->out_total),
                        (unsigned long long)s->out_total);
    }
    if (r2 >= 0) {
        srr__rp_note_io(r, 'S', (size_t)(s - r->socks) + 1, s->out_pos, s->out_pos + total);
        /* lenient: extra bytes go nowhere, and datagrams stay in step */
        s->out_pos = end > s->out_total ? s->out_total : end;
        srr__rp_out_played(s);
    }
    free(got);
    return r2;
}

ssize_t srr__rp_sendmsg(srr_world *w, int h, const struct msghdr *m, int flags)
{
    srr__assert_msg(m, flags, 0);
    replay_world *r = RW(w);
    return RP_REPLAYED_OR_PASSED(r, h, k, rp_sendmsg_locked(r, h, m, flags, &k),
                                 srr__rp_pass_sendmsg(k, m, flags));
}

/* The next thing the socket would give: NULL when the recording gave
 * nothing more (or not yet: the program has not sent what came first). */
in_item *srr__rp_next_in(replay_world *r, rp_sock *s)
{
    in_item *it = srr__rp_in_head(r, s);
    if (it && s->tolerated && s->out_pos < it->after_out) {
        /* lenient, after a difference: the program's request may be
         * shorter than the recorded one; what it sent stands for it */
        s->out_pos = it->after_out < s->out_total ? it->after_out : s->out_total;
        srr__rp_out_played(s);
    }
    return it && s->out_pos >= it->after_out ? it : NULL;
}

static ssize_t rp_recvmsg_locked(replay_world *r, int h, struct msghdr *m, int flags)
{
    rp_prog *p = srr__rp_prog_get(r, h);
    if (!p)
        return -EBADF;
    rp_sock *s = srr__rp_rec(r, p);
    if (!s && p->type != SOCK_STREAM && p->bound[0]) {
        long i = srr__rp_find_rec(r, p, NULL, srr__rp_fits_bound_dgram);
        if (i >= 0) {
            s = srr__rp_bind_rec(r, p, (size_t)i);
            srr__rp_note(r, "connection %ld: datagrams at %s", i + 1, p->bound);
        }
    }
    if (!s) {
        if (p->type == SOCK_STREAM)
            return -ENOTCONN;
        if (p->nonblock || (flags & MSG_DONTWAIT))
            return -EAGAIN; /* nothing came (yet); the recording's verdict waits for the end */
        return srr__rp_diverge(
            r,
            "replay diverged: the program waits for a datagram on socket #%zu%s%s, "
            "which the recording never received",
            r->nmade, p->bound[0] ? " at " : "", p->bound);
    }
    char name[200];
    s->calls++;
    in_item *it = srr__rp_next_in(r, s);
    if (!it) {
        if (p->nonblock || (flags & MSG_DONTWAIT))
            return -EAGAIN;
        in_item *later = srr__rp_in_head(r, s);
        if (later)
            return srr__rp_diverge(r,
                                   "replay diverged: %s: the program waits for data after sending "
                                   "%llu bytes; the recording received its next data only after "
                                   "sending %llu",
                                   srr__rp_conn_name(r, s, name, sizeof name),
                                   (unsigned long long)s->out_pos,
                                   (unsigned long long)later->after_out);
        return srr__rp_diverge(r, "replay diverged: %s: the program waits for more data than the "
                             "recording received", srr__rp_conn_name(r, s, name, sizeof name));
    }
    size_t si = (size_t)(s - r->socks);
    if (s->accepted && it->kind != IN_TIMEOUT && !srr__rp_in_turn(r, si, it->t)) {
        /* another client's earlier bytes come first (order.c) */
        if (p->nonblock || (flags & MSG_DONTWAIT))
            return -EAGAIN;
        int rc = srr__rp_wait_turn(r, si, it->t);
        if (rc < 0)
            return rc;
        /* looked up again: meanwhile another thread may have read it, closed
         * the socket, or made sockets (which moves the program's table) */
        if (!(p = srr__rp_prog_get(r, h)) || srr__rp_rec(r, p) != s)
            return -EBADF;
        if (!(it = srr__rp_next_in(r, s)))
            return -EAGAIN;
    }
    if (it->kind != IN_TIMEOUT)
        srr__rp_follow(r, it->t);
    if (it->kind == IN_EOF) {
        s->eof_read = 1;
        r->progress++;
        return 0; /* and stays: every later read is EOF too */
    }
    if (it->kind == IN_ERROR) {
        int err = it->err;
        s->waits_met++;
        srr__rp_in_pop(s);
        return -err;
    }
    if (it->kind == IN_TIMEOUT) {
        rp_wait_out(r, it, it->wait_ns);
        s->waits_met++;
        srr__rp_in_pop(s);
        return -EAGAIN; /* SO_RCVTIMEO, as the recording waited */
    }
    size_t room = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        room += m->msg_iov[i].iov_len;
    size_t left = it->len - s->in_off;
    size_t n = left < room ? left : room;
    int stream = p->type == SOCK_STREAM;
    if (stream && r->opt.rechunk && n > r->opt.rechunk)
        n = r->opt.rechunk;
    size_t done = 0;
    for (size_t i = 0; i < m->msg_iovlen && done < n; i++) {
        size_t k = m->msg_iov[i].iov_len < n - done ? m->msg_iov[i].iov_len : n - done;
        if (k) /* an empty piece may have no base */
            memcpy(m->msg_iov[i].iov_base, it->data + s->in_off + done, k);
        done += k;
    }
    srr__rp_note_io(r, 'R', (size_t)(s - r->socks) + 1, n, 0);
    m->msg_flags = 0;
    if (m->msg_name) {
        struct sockaddr_storage ss;
        socklen_t sl = 0;
        char from[128];
        srr__rp_addr_shown(r, it->from ? it->from : s->peer, from, sizeof from);
        if (!stream && srr__sockaddr_parse(from, &ss, &sl) == 0)
            memcpy(m->msg_name, &ss, sl < m->msg_namelen ? sl : m->msg_namelen);
        m->msg_namelen = stream ? 0 : sl;
    }
    ssize_t ret = (ssize_t)n;
    if (!stream && n < left) {
        m->msg_flags |= MSG_TRUNC; /* the rest of the datagram is gone */
        if (flags & MSG_TRUNC)
            ret = (ssize_t)left;
    }
    if (!(flags & MSG_PEEK)) {
        s->in_off += n;
        s->bytes_read += stream ? n : left;
        if (s->in_off == it->len || !stream) {
            srr__rp_in_pop(s);
            s->in_off = 0;
        }
    }
    return ret;
}

ssize_t srr__rp_recvmsg(srr_world *w, int h, struct msghdr *m, int flags)
{
    srr__assert_msg(m, flags, 1);
    int k = srr__rp_pass_fd(RW(w), h);
    if (k >= 0)
        return srr__rp_pass_recvmsg(k, m, flags);
    return LOCKED(RW(w), rp_recvmsg_locked(RW(w), h, m, flags));
}

/* What one program socket is ready for, as the recording says. */
static short rp_revents(replay_world *r, const struct pollfd *pfd)
{
    rp_prog *p = srr__rp_prog_get(r, pfd->fd);
    if (!p)
        return POLLNVAL;
    rp_sock *s = srr__rp_rec(r, p);
    short ev = 0;
    if (p->listening)
        return s && srr__rp_child_due(r, s) ? (pfd->events & POLLIN) : 0;
    if (!s)
        return (short)(pfd->events & POLLOUT);
    in_item *it = srr__rp_next_in(r, s);
    if (it && s->accepted && it->kind != IN_TIMEOUT &&
        !srr__rp_in_turn(r, (size_t)(s - r->socks), it->t))
        it = NULL; /* another client's earlier bytes come first (order.c) */
    if ((pfd->events & POLLIN) && it && it->kind != IN_TIMEOUT)
        ev |= (short)(POLLIN | (it->kind == IN_EOF ? POLLHUP : 0) |
                      (it->kind == IN_ERROR ? POLLERR : 0));
    if ((pfd->events & POLLOUT) && !s->connect_err)
        ev |= POLLOUT;
    if (s->connect_err)
        ev |= POLLERR | POLLHUP;
    return ev;
}

/* Nothing else to do: of what the polled sockets hold back for the
 * recording's order (order.c) or for the program to finish earlier clients
 * (a listener's gate), the first comes now.  How many are then ready. */
static int rp_out_of_turn(replay_world *r, struct pollfd *fds, nfds_t n)
{
    int64_t first = INT64_MAX;
    for (nfds_t i = 0; i < n; i++) {
        rp_prog *p = fds[i].fd >= 0 ? srr__rp_prog_get(r, fds[i].fd) : NULL;
        rp_sock *s = srr__rp_rec(r, p);
        if (!s || !(fds[i].events & POLLIN))
            continue;
        if (p->listening && srr__rp_child_gated(r, s)) {
            int64_t t = r->socks[s->children[s->next_child]].t_made;
            first = t < first ? t : first;
        } else if (s->accepted) {
            in_item *it = srr__rp_next_in(r, s);
            if (it && it->kind != IN_TIMEOUT && it->t < first)
                first = it->t;
        }
    }
    if (first == INT64_MAX)
        return 0;
    srr__rp_order_give_up(r, first);
    int ready = 0;
    for (nfds_t i = 0; i < n; i++) {
        rp_prog *p = fds[i].fd >= 0 ? srr__rp_prog_get(r, fds[i].fd) : NULL;
        rp_sock *s = srr__rp_rec(r, p);
        if (s && p->listening && (fds[i].events & POLLIN) && srr__rp_child_gated(r, s) &&
            r->socks[s->children[s->next_child]].t_made <= first)
            srr__rp_child_release(r, s); /* held by its gate, not by the order */
        fds[i].revents = fds[i].fd < 0 ? 0 : rp_revents(r, &fds[i]);
        ready += fds[i].revents != 0;
    }
    return ready;
}

/* Ready as the recording says: POLLOUT always (the peer took everything),
 * POLLIN when the next recorded thing for the socket is due, a listener's
 * POLLIN when a recorded connection is still to be accepted.  When nothing
 * is ready and the recording timed out waiting, so does the program, in no
 * wall time. */
static int rp_poll_locked(replay_world *r, struct pollfd *fds, nfds_t n, int64_t timeout_ns)
{
    int ready = 0, listens = 0;
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = fds[i].fd < 0 ? 0 : rp_revents(r, &fds[i]);
        ready += fds[i].revents != 0;
        rp_prog *p = fds[i].fd >= 0 ? srr__rp_prog_get(r, fds[i].fd) : NULL;
        listens |= p && p->listening;
    }
    if (ready || timeout_ns == 0)
        return ready;
    /* nothing: a recorded timeout for one of these, or the end */
    for (nfds_t i = 0; i < n; i++) {
        rp_sock *s = fds[i].fd >= 0 ? srr__rp_rec(r, srr__rp_prog_get(r, fds[i].fd)) : NULL;
        in_item *it = s ? srr__rp_next_in(r, s) : NULL;
        if (it && it->kind == IN_TIMEOUT) {
            rp_wait_out(r, it, timeout_ns);
            s->waits_met++;
            srr__rp_in_pop(s);
            r->progress++;
            return 0;
        }
    }
    if ((ready = rp_out_of_turn(r, fds, n)) > 0)
        return ready;
    /* a server waiting for its next connection: once all is played, the
     * end; before, another thread is playing the rest (time stands still
     * meanwhile: the recording's events move it), or the program is stuck */
    if (listens) {
        uint64_t seen = r->progress;
        for (int64_t waited = 0; waited < RP_STALL_NS && !rp_all_played(r); waited += 1000000) {
            struct timespec ms = {0, 1000000};
            rp_unlock(r);
            srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL);
            rp_lock(r);
            if (r->progress != seen || r->diverged)
                return r->diverged ? -EPROTO : 0;
        }
        return srr__rp_wait_more(r, "another connection");
    }
    if (r->progress != r->idle_progress)
        r->idle_waits = 0;
    r->idle_progress = r->progress;
    if (timeout_ns > 0 && ++r->idle_waits <= RP_IDLE_LIMIT) {
        r->vt.now += timeout_ns; /* a wait the recording did not show ends empty */
        return 0;
    }
    char left[1024];
    srr__rp_leftover_locked(r, left, sizeof left);
    if (timeout_ns > 0)
        return srr__rp_diverge(r,
                               "replay diverged: the program waited %u times in a row on %lu "
                               "descriptors with nothing recorded for them; the recording still "
                               "has: %s",
                               RP_IDLE_LIMIT, (unsigned long)n, left[0] ? left : "nothing");
    return srr__rp_diverge(r, "replay diverged: the program waits forever on %lu descriptors; the "
                         "recording has nothing more for them%s%s", (unsigned long)n,
                      left[0] ? "; it still has: " : "", left);
}

/* What is ready among the replayed sockets of a wait that also holds
 * kernel-backed ones (passthrough.c asks the kernel about those). */
static int rp_replayed_ready(replay_world *r, struct pollfd *fds, nfds_t n)
{
    int ready = 0;
    for (nfds_t i = 0; i < n; i++) {
        rp_prog *p = fds[i].fd >= 0 ? srr__rp_prog_get(r, fds[i].fd) : NULL;
        fds[i].revents = fds[i].fd < 0 || (p && p->kfd >= 0) ? 0 : rp_revents(r, &fds[i]);
        ready += fds[i].revents != 0;
    }
    return ready;
}

int srr__rp_poll(srr_world *w, struct pollfd *fds, nfds_t n, int64_t timeout_ns)
{
    assert(fds || n == 0);
    replay_world *r = RW(w);
    for (nfds_t i = 0; i < n && r->opt.passthrough_on_miss; i++)
        if (srr__rp_pass_fd(r, fds[i].fd) >= 0)
            return srr__rp_pass_poll(r, fds, n, timeout_ns, rp_replayed_ready);
    int rc = LOCKED(r, rp_poll_locked(r, fds, n, timeout_ns));
    if (rc == 0 && r->idle_waits > 1) {
        /* a loop of empty waits: let other threads of the program run */
        struct timespec ms = {0, 1000000};
        srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL);
    }
    return rc;
}

/* --------------------------------------------------------------- clock */

int64_t srr__rp_now(srr_world *w, clockid_t clock)
{
    replay_world *r = RW(w);
    rp_lock(r);
    int64_t t = r->vt.now;
    rp_unlock(r);
    if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
        return t + r->epoch;
    return t;
}

int srr__rp_sleep(srr_world *w, clockid_t clock, int64_t ns)
{
    (void)clock;
    replay_world *r = RW(w);
    rp_lock(r);
    r->vt.now += ns > 0 ? ns : 0;
    rp_unlock(r);
    return 0;
}
