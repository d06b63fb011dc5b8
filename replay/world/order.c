/*
 * order.c — a server's clients in the recording's order.  Within one
 * connection the recording's order is kept by the stream itself; across
 * connections it is kept here: what a client sent (data, its end) and a
 * new client's arrival come only once everything the other clients sent
 * before it has been read, and every client that came before it has been
 * accepted.  A server whose state the clients share (a counter that four
 * clients increment at once) then sees the requests in the order it saw
 * them, and answers what it answered.
 *
 * The order is a preference, never a deadlock: when the program has
 * nothing else to do (a poll finds nothing ready, a blocked call sees no
 * progress for a moment), the next thing comes out of turn.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"
#include "replay_int.h"

int srr__rp_order_open(replay_world *r, size_t child)
{
    if (srr__grow((void **)&r->open_children, &r->open_children_cap, r->nopen_children + 1,
                  sizeof *r->open_children) < 0)
        return -ENOMEM;
    r->open_children[r->nopen_children++] = child;
    return 0;
}

void srr__rp_order_close(replay_world *r, size_t child)
{
    for (size_t i = 0; i < r->nopen_children; i++)
        if (r->open_children[i] == child) {
            r->open_children[i] = r->open_children[--r->nopen_children];
            return;
        }
}

/* The recording's listeners, once: looking through every socket at each
 * look would make a long recording's replay quadratic. */
static void rp_find_listeners(replay_world *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nsocks; i++)
        n += r->socks[i].listener;
    r->listeners = n ? malloc(n * sizeof *r->listeners) : NULL;
    if (n && !r->listeners)
        return; /* out of memory: no order for new clients, looked for again later */
    r->nlisteners = 0;
    for (size_t i = 0; i < r->nsocks; i++)
        if (r->socks[i].listener)
            r->listeners[r->nlisteners++] = i;
    r->listeners_known = 1;
}

int srr__rp_in_turn(replay_world *r, size_t s, int64_t t)
{
    if (t <= r->order_floor)
        return 1;
    /* what another client sent first and the program has not read yet
     * (loaded: the trace is read in order, so what is not loaded is later) */
    for (size_t i = 0; i < r->nopen_children; i++) {
        const rp_sock *c = &r->socks[r->open_children[i]];
        if (r->open_children[i] == s || c->in_head >= c->nin)
            continue;
        const in_item *head = &c->in[c->in_head];
        if (head->kind != IN_TIMEOUT && !(head->kind == IN_EOF && c->eof_read) && head->t < t)
            return 0;
    }
    /* a client that came first and is not accepted yet */
    if (!r->listeners_known)
        rp_find_listeners(r);
    for (size_t k = 0; k < r->nlisteners; k++) {
        const rp_sock *l = &r->socks[r->listeners[k]];
        if (l->listener && l->pid == r->pid && l->next_child < l->nchildren &&
            l->children[l->next_child] != s && r->socks[l->children[l->next_child]].t_made < t)
            return 0;
    }
    return 1;
}

void srr__rp_order_give_up(replay_world *r, int64_t t)
{
    if (t > r->order_floor)
        r->order_floor = t;
}

struct rp_turn {
    size_t s;
    int64_t t;
};

static int rp_not_in_turn(replay_world *r, const void *arg)
{
    const struct rp_turn *turn = arg;
    return !srr__rp_in_turn(r, turn->s, turn->t);
}

int srr__rp_wait_turn(replay_world *r, size_t s, int64_t t)
{
    struct rp_turn turn = {s, t};
    if (srr__rp_await(r, RP_GATE_NS, rp_not_in_turn, &turn) < 0)
        return -EPROTO;
    srr__rp_order_give_up(r, t);
    return 0;
}
