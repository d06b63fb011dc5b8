/*
 * control.c — the tap's control slot: the host's news of what happened
 * outside the seam (a dup, a close behind the tap's back, a call it cannot
 * route, fork) and the trace's own descriptor; every other code goes to
 * the inner world, so wrapping a world in a tap never hides it.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "tap_int.h"

#define TAP_ADDR_MAX 128
#define TAP_PAGE 1024
#define TAP_PAGES 1024 /* handles past 1 M are traced without a sock id */

/* ------------------------------------------------------------ control
 * The host's news of what happened outside the seam (a dup, a close behind
 * the tap's back, a call it cannot route, fork) and the trace's own
 * descriptor; every other code goes to the inner world. */

/* h was closed outside the seam: a close event with args.via, when the tap
 * knew it. */
static void tap_forget(srr_world *w, int h, const char *via)
{
    tap_sock *ts = srr__tap_remove(TAP(w), h);
    if (!ts)
        return;
    srr_jline *l = srr__tap_begin(w, "close", 0);
    srr__tap_sock_members(l, h, ts);
    srr__jl_open(l, "args", '{');
    srr__jl_str(l, "via", via);
    srr__jl_close(l, '}');
    srr__tap_end(w);
    srr__tap_release(TAP(w), ts);
}

/* A dup (newfd -1), dup2 (flags -1) or dup3 that returned r: the new
 * descriptor shares old's socket. */
static int tap_dup(srr_world *w, const srr_fd_change *c)
{
    tap_sock *ts = srr__tap_get(TAP(w), c->old);
    int r = c->result;
    if (r >= 0 && r != c->old) {
        /* dup2 over an open socket closes it without a close() call */
        if (srr__tap_lookup(TAP(w), r))
            tap_forget(w, r, c->newfd < 0 ? "dup" : c->flags < 0 ? "dup2" : "dup3");
        srr__tap_insert(TAP(w), r, ts);
    }
    srr_jline *l = srr__tap_begin(w, "dup", r);
    srr__tap_sock_members(l, c->old, ts);
    if (r >= 0)
        srr__jl_int(l, "new_fd", r);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "newfd", c->newfd);
    if (c->flags >= 0)
        srr__jl_int(l, "flags", c->flags);
    srr__jl_close(l, '}');
    srr__tap_end(w);
    return 0;
}

/* fork: the table's lock is held across it, so the child finds it whole;
 * the inner world hears of each moment too. */
static int tap_fork(srr_world *w, srr_fork *f)
{
    tap_world *t = TAP(w);
    if (f->phase == SRR_FORK_PREPARE) {
        int r = CALL(w, control, SRR_CTL_FORK, f);
        pthread_mutex_lock(&t->lock);
        return r == -ENOTTY ? 0 : r;
    }
    if (f->phase == SRR_FORK_PARENT)
        pthread_mutex_unlock(&t->lock);
    else
        pthread_mutex_init(&t->lock, NULL); /* the child's only thread owns nothing */
    int r = CALL(w, control, SRR_CTL_FORK, f);
    return r == -ENOTTY ? 0 : r;
}

int srr__tap_control(srr_world *w, int op, void *arg)
{
    switch (op) {
    case SRR_CTL_DUP:
        return tap_dup(w, arg);
    case SRR_CTL_FORGET:
        tap_forget(w, ((const srr_fd_change *)arg)->old, ((const srr_fd_change *)arg)->via);
        return 0;
    case SRR_CTL_NOTE: {
        const srr_note *n = arg;
        srr__tap_unsupported_event(w, n->what, n->call, n->ret, n->err);
        return 0;
    }
    case SRR_CTL_FORK:
        return tap_fork(w, arg);
    case SRR_CTL_OWN_FD:
        return srr__trace_writer_fd(TAP(w)->writer);
    case SRR_CTL_MOVE_OWN_FD:
        return srr__trace_writer_move_fd(TAP(w)->writer);
    case SRR_CTL_PROGRAM_END:
        /* the ring's consumer may be gone (sockrr killed): what this
         * process put there reaches the trace all the same */
        srr__trace_writer_finish(TAP(w)->writer);
        return srr_world_control(INNER(w), op, arg);
    case SRR_CTL_TRACE_ERROR: {
        int e = srr__trace_writer_error(TAP(w)->writer);
        return e ? e : atomic_load(&TAP(w)->lost);
    }
    default:
        return srr_world_control(INNER(w), op, arg);
    }
}
