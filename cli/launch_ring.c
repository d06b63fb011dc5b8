/*
 * launch_ring.c — the consumer of a traced run's event ring: a thread of
 * sockrr that writes what the traced processes put in the ring to the
 * trace file, off their path (lib/trace/ring.c).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "launch.h"
#include "trace.h"

struct launch_ring {
    pthread_t thread;
    srr_trace_ring *g;
    atomic_int stop;
};

static void *ring_main(void *arg)
{
    launch_ring *lr = arg;
    while (!atomic_load(&lr->stop))
        if (srr__trace_ring_pump(lr->g) <= 0)
            srr__trace_ring_nap();
    return NULL;
}

launch_ring *cli_ring_start(const char *ctl, const char *trace)
{
    launch_ring *lr = calloc(1, sizeof *lr);
    int error;
    if (lr && (lr->g = srr__trace_ring_open(ctl, trace, &error)) != NULL &&
        pthread_create(&lr->thread, NULL, ring_main, lr) == 0)
        return lr;
    if (lr)
        srr__trace_ring_close(lr->g); /* the writers write their own lines */
    free(lr);
    return NULL;
}

void cli_ring_stop(launch_ring *lr)
{
    if (!lr)
        return;
    atomic_store(&lr->stop, 1);
    pthread_join(lr->thread, NULL);
    srr__trace_ring_close(lr->g);
    free(lr);
}
