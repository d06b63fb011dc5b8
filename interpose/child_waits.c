/*
 * child_waits.c — wait, waitpid, wait4 and waitid, blocking, over a world
 * with a virtual clock.  A child is another process: its exit comes in
 * real time, from outside the world.  The waiting thread is parked on the
 * outside (srr_park.outside) for as long as the kernel keeps it: the run is
 * not stuck meanwhile, and its clock follows real time, so the timers of
 * the process's other threads still fire.  The wait itself is the
 * kernel's, with its EINTR and SA_RESTART as they are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "preload.h"

/* The world when a blocking wait for a child is its to count: parked. */
static srr_world *child_wait_begin(srr_park *p, int options)
{
    srr_world *w = (options & WNOHANG) ? NULL : srr__preload_virtual_world();
    if (!w)
        return NULL;
    /* the kernel holds the thread: it settles at once, looks never */
    *p = (srr_park){.deadline = -1, .what = "waitpid", .outside = 1};
    srr_world_control(w, SRR_CTL_THREAD_ENTER, NULL);
    return srr_world_control(w, SRR_CTL_PARK, p) == 1 ? w : NULL;
}

static void child_wait_end(srr_world *w, srr_park *p)
{
    if (!w)
        return;
    int e = errno;
    srr_world_control(w, SRR_CTL_UNPARK, p);
    errno = e;
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
    srr_park p;
    srr_world *w = child_wait_begin(&p, options);
    pid_t r = REAL(wait4)(pid, status, options, usage);
    child_wait_end(w, &p);
    return r;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    return wait4(pid, status, options, NULL);
}

pid_t wait(int *status)
{
    return wait4(-1, status, 0, NULL);
}

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    srr_park p;
    srr_world *w = child_wait_begin(&p, options);
    int r = REAL(waitid)(type, id, info, options);
    child_wait_end(w, &p);
    return r;
}
