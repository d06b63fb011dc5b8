/*
 * child_waits.c — wait, waitpid, wait4 and waitid, blocking, over a world
 * with a virtual clock.  A child is another process: its exit comes in
 * real time, from outside the world.  The waiting thread is parked on the
 * outside (srr_park.outside): the run is not stuck meanwhile, and its clock
 * follows real time, so the process's timers still fire.  It waits in
 * slices of real time, asking the kernel without blocking, so that a
 * timer's signal reaches it as the kernel's would: its handler runs, and
 * the wait ends with EINTR unless every handler asked for a restart.  A
 * signal from the kernel that ran its handler ends the wait with EINTR too
 * when no child is ready (the interposer cannot tell whether that
 * handler asked for a restart; programs loop on EINTR here).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "preload.h"

/* One look at the children, never blocking: > 0 a child (its pid, or 1
 * for waitid), 0 none ready, -1 an error (errno). */
typedef long (*child_look)(void *arg);

static long child_wait(srr_world *w, child_look look, void *arg)
{
    srr_park p = {.deadline = -1, .what = "waitpid", .outside = 1, .woken = 1};
    srr_world_control(w, SRR_CTL_THREAD_ENTER, NULL);
    long r = look(arg);
    if (r != 0 || srr_world_control(w, SRR_CTL_PARK, &p) != 1)
        return r; /* ready at once, or no participant: the caller waits in the kernel */
    int e;
    srr_parked_on parked = {w, &p};
    pthread_cleanup_push(srr__unpark_cancelled, &parked); /* ppoll is a cancellation point */
    for (;;) {
        r = look(arg);
        e = errno;
        if (r != 0)
            break;
        if (srr__signals_pending() && !srr__signals_deliver()) {
            r = -1, e = EINTR; /* a timer's signal, its handler run */
            break;
        }
        srr_world_control(w, SRR_CTL_PARK_DUE, &p);
        struct timespec slice = {0, p.slice_ns}; /* the world paces it */
        if (LIBC(ppoll)(NULL, 0, &slice, NULL) < 0 && errno == EINTR) {
            /* a signal from the kernel ran its handler (a SIGCHLD's, often) */
            r = look(arg);
            e = r == 0 ? EINTR : errno;
            r = r == 0 ? -1 : r;
            break;
        }
    }
    pthread_cleanup_pop(0);
    srr_world_control(w, SRR_CTL_UNPARK, &p);
    errno = e;
    return r;
}

struct wait4_args {
    pid_t pid;
    int *status;
    int options;
    struct rusage *usage;
};

static long wait4_look(void *arg)
{
    struct wait4_args *a = arg;
    return REAL(wait4)(a->pid, a->status, a->options | WNOHANG, a->usage);
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
    /* resolves libc's functions too, for a call before the constructor */
    srr_world *w = srr__preload_virtual_world();
    if (!w || (options & WNOHANG))
        return REAL(wait4)(pid, status, options, usage);
    struct wait4_args a = {pid, status, options, usage};
    long r = child_wait(w, wait4_look, &a);
    if (r == 0) /* no participant: the kernel's own wait */
        return REAL(wait4)(pid, status, options, usage);
    return (pid_t)r;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    return wait4(pid, status, options, NULL);
}

pid_t wait(int *status)
{
    return wait4(-1, status, 0, NULL);
}

struct waitid_args {
    idtype_t type;
    id_t id;
    siginfo_t *info;
    int options;
};

static long waitid_look(void *arg)
{
    struct waitid_args *a = arg;
    a->info->si_pid = 0; /* WNOHANG with none ready leaves it 0 */
    if (REAL(waitid)(a->type, a->id, a->info, a->options | WNOHANG) < 0)
        return -1;
    return a->info->si_pid != 0;
}

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w || (options & WNOHANG) || !info)
        return REAL(waitid)(type, id, info, options);
    struct waitid_args a = {type, id, info, options};
    long r = child_wait(w, waitid_look, &a);
    if (r == 0)
        return REAL(waitid)(type, id, info, options);
    return r < 0 ? -1 : 0;
}
