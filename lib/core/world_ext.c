/*
 * world_ext.c — the worlds' extensions as functions (sockrr/worlds.h): each
 * is a thin wrapper over the control slot, so it reaches the world through
 * any decorator.  A world that does not know the code answers -ENOTTY,
 * which the wrappers turn into the -EINVAL they have always promised.
 */
#include <errno.h>
#include <time.h>

#include "sockrr/fuzz.h"
#include "sockrr/worlds.h"

static int ext(srr_world *w, int op, void *arg)
{
    int r = srr_world_control(w, op, arg);
    return r == -ENOTTY ? -EINVAL : r;
}

int srr_world_tap_error(const srr_world *w)
{
    return ext((srr_world *)w, SRR_CTL_TRACE_ERROR, NULL);
}

/* ------------------------------------------------------------------ sim */

int srr_sim_expect_thread(srr_world *w)
{
    return ext(w, SRR_CTL_THREAD_EXPECT, NULL);
}

int srr_sim_expect_cancel(srr_world *w)
{
    return ext(w, SRR_CTL_THREAD_CANCEL, NULL);
}

int srr_sim_park(srr_world *w, srr_sim_parked *p, const void *on, int64_t deadline_ns)
{
    if (!p)
        return -EINVAL;
    /* busy until its first look: what it waits for may have come already */
    *p = (srr_park){.deadline = deadline_ns, .on = on, .woken = 1};
    return ext(w, SRR_CTL_PARK, p);
}

int srr_sim_park_due(srr_world *w, srr_sim_parked *p)
{
    return ext(w, SRR_CTL_PARK_DUE, p);
}

void srr_sim_unpark(srr_world *w, srr_sim_parked *p)
{
    ext(w, SRR_CTL_UNPARK, p);
}

void srr_sim_wake(srr_world *w, const void *on)
{
    ext(w, SRR_CTL_WAKE, (void *)on);
}

int srr_sim_seed(srr_world *w, uint64_t *seed)
{
    return seed ? ext(w, SRR_CTL_SIM_SEED, seed) : -EINVAL;
}

int64_t srr_sim_now(srr_world *w)
{
    int64_t t = CLOCK_MONOTONIC; /* in: the clock; out: its time */
    int r = ext(w, SRR_CTL_NOW, &t);
    return r < 0 ? r : t;
}

int srr_sim_deadlock_report(srr_world *w, char *buf, size_t len)
{
    if (!buf || len == 0)
        return -EINVAL;
    srr_report rep = {buf, len};
    return ext(w, SRR_CTL_SIM_DEADLOCK, &rep);
}

int srr_sim_addrs_of(srr_world *w, srr_sim_addrs *q)
{
    return q && q->name ? ext(w, SRR_CTL_SIM_ADDRS, q) : -EINVAL;
}

/* --------------------------------------------------------------- replay */

int srr_replay_divergence(srr_world *w, char *buf, size_t len)
{
    srr_report rep = {buf, len};
    return ext(w, SRR_CTL_REPLAY_DIVERGENCE, &rep);
}

int srr_replay_used(srr_world *w)
{
    return ext(w, SRR_CTL_REPLAY_USED, NULL);
}

int srr_replay_leftover(srr_world *w, char *buf, size_t len)
{
    srr_report rep = {buf, len};
    return ext(w, SRR_CTL_REPLAY_LEFTOVER, &rep);
}

/* ----------------------------------------------------------------- fuzz */

int srr_fuzz_give(srr_world *w, const void *data, size_t len)
{
    if (!data && len)
        return -EINVAL;
    srr_fuzz_input in = {data, len};
    return ext(w, SRR_CTL_FUZZ_GIVE, &in);
}

int srr_fuzz_stats_of(srr_world *w, srr_fuzz_stats *out)
{
    return out ? ext(w, SRR_CTL_FUZZ_STATS, out) : -EINVAL;
}
