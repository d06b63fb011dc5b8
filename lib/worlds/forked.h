/*
 * forked.h — the world a forked child gets when its parent's world cannot
 * follow it (forked.c), made by the parent's world at SRR_FORK_CHILD.
 */
#ifndef SOCKRR_FORKED_H
#define SOCKRR_FORKED_H

#include <stdint.h>

#include "sockrr_world.h"

/* What the parent's world read at SRR_FORK_PREPARE (the child may not take
 * its lock: another parent thread may have held it across fork). */
typedef struct srr_world_forked_from {
    int64_t mono;        /* the parent's CLOCK_MONOTONIC at fork */
    int64_t realtime;    /* and its CLOCK_REALTIME */
    const char *why;     /* the line said at the child's first refused call */
} srr_world_forked_from;

/* Every socket and resolver call fails with EOPNOTSUPP, the first one
 * having say(why) called (say may be NULL); the clock goes on from the
 * parent's at the real pace.  NULL when out of memory. */
srr_world *srr__world_forked(const srr_world_forked_from *from, void (*say)(const char *line));

#endif
