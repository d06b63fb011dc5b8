/*
 * vclock.h — what a world with a virtual clock charges a program running
 * over it (SRR_CTL_CLOCK_CHARGE, SRR_CTL_WAIT_STEP), one policy for every
 * such world.
 *
 * Virtual time moves when every thread waits.  A program that only computes
 * holds it still; so that a loop polling the clock ("spin until 10 ms have
 * passed") ends, each clock read costs the program SRR_VCLOCK_READ_NS, an
 * offset added on top of the world's clock (the world itself does not move
 * for it).  A wait that mixes the world's handles with real descriptors
 * looks at the real ones every SRR_VCLOCK_WAIT_STEP_NS of virtual time.
 */
#ifndef SOCKRR_VCLOCK_H
#define SOCKRR_VCLOCK_H

#include <stdatomic.h>
#include <stdint.h>

#define SRR_VCLOCK_READ_NS 1000
#define SRR_VCLOCK_WAIT_STEP_NS 1000000

/* SRR_CTL_CLOCK_CHARGE's answer: charges reads (1, or 0 to look only) to
 * *total and returns what was charged before, which the read adds to the
 * world's clock (the first read sees the world's own). */
static inline int64_t srr__vclock_charge(atomic_llong *total, int64_t reads)
{
    return atomic_fetch_add_explicit(total, reads * SRR_VCLOCK_READ_NS, memory_order_relaxed);
}

#endif
