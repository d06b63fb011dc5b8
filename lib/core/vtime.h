/*
 * vtime.h — virtual time for the worlds that keep it (the sim, the
 * replay): who takes part, who waits on what, and when time may move.
 *
 * A participant is a thread that has made a call into the world (or was
 * announced, or entered), until it exits.  Time moves only when every
 * participant waits — in the world (srr__vt_wait), or parked outside it
 * (SRR_CTL_PARK: a condition variable, a join, a poll of the process's own
 * descriptors) — and then it jumps to the earliest deadline: a waiter's, a
 * parked thread's, a timer's, or the world's own (its due hook).  When
 * everyone waits and nothing is due, nothing can ever happen: the waiters
 * fail with EDEADLK, and a host that asked (SRR_CTL_ON_STUCK) hears who
 * waits on what.  So it is, too, when the run is idle: for idle_limit of
 * virtual time and at least VT_IDLE_WAKES moves of the clock, only the
 * program's own timers and timeouts came due, and the program did nothing
 * in the world (the world counts acts): a server no one in the world will
 * ever connect to, whose housekeeping timer would run it forever.  A thread
 * parked on something outside the process (a child's exit) changes both:
 * what it waits for comes in real time, so the clock follows real time
 * while it waits, and the run is never stuck or idle meanwhile.
 *
 * One lock guards the clock and the world that embeds it: the world takes
 * it for its own state too (srr__vt_enter / srr__vt_leave), and every
 * blocking call waits on one condition variable for "something changed or
 * my deadline came".
 */
#ifndef SOCKRR_VTIME_H
#define SOCKRR_VTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "sockrr_world.h"

/* Moves of the clock an idle run has made at least: a program that sleeps
 * an hour once is not idle, one that wakes ten times a second for ten
 * minutes and does nothing is. */
#define VT_IDLE_WAKES 100
/* Threads that left, remembered for their joins (the oldest is forgotten). */
#define VT_GONE 64
/* Real time between looks at the clock while a thread waits on the outside. */
#define VT_OUTSIDE_SLICE_NS 1000000
/* A parked thread's slices of real time (srr_park.slice_ns): the shortest
 * while the clock moves (a pool whose workers wait 10 ms a thousand times
 * takes a thousand slices), doubling to the longest while nothing changes
 * (an idle wait costs little). */
#define VT_SLICE_MIN_NS 20000
#define VT_SLICE_MAX_NS 1000000

/* A thread blocked in a call of the world. */
typedef struct srr_vwaiter {
    struct srr_vwaiter *next;
    pthread_t thread;
    const char *what;     /* "recv", "accept", ... */
    int handle;
    int64_t deadline;     /* -1 = none */
    uint64_t gen;         /* the generation when it began waiting */
    unsigned deadlocks;   /* the deadlock count when it began waiting */
    int interrupted;      /* a timer's signal came for this thread: -EINTR */
} srr_vwaiter;

typedef struct srr_vtime srr_vtime;
struct srr_vtime {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_key_t participant; /* its destructor says a thread exited */
    int participants;
    int expected;         /* threads announced (SRR_CTL_THREAD_EXPECT), not yet entered */
    srr_vwaiter *waiters;
    srr_park *parked;     /* threads waiting outside the world */
    srr_vtimer *timers;   /* armed timers */
    uint64_t generation;  /* bumped by every change a waiter may wait for */
    int64_t now;          /* virtual CLOCK_MONOTONIC, ns */
    unsigned deadlocks;   /* found so far; a waiter fails only for one found while it waited */
    char report[2048];    /* who waited on what, at the last one */
    srr_on_stuck on_stuck;
    uint64_t acts;        /* the world's count of what the program did in it */
    uint64_t acts_seen;   /* acts when the clock last moved */
    int64_t idle_from;    /* when the program last did something */
    unsigned idle_wakes;  /* moves of the clock since, for timers alone */
    int64_t idle_limit;   /* ns; 0: a run is never idle (the world sets it) */
    /* While a parked thread waits on the outside (srr_park.outside), the
     * clock may run no faster than real time from this anchor (0: none). */
    int64_t anchor_virtual, anchor_real;
    /* Threads that have left (their exit ran) and started no new thread
     * under the same pthread_t: a join of one is held (srr_park.held). */
    uintptr_t gone[VT_GONE];
    unsigned ngone;
    /* The world's own: the earliest time something of its is due (-1
     * none), and what happens when time has moved (lock held, both). */
    int64_t (*due)(srr_vtime *vt);
    void (*arrived)(srr_vtime *vt);
    /* Every participant waits, before time moves (NULL: nothing to do):
     * the world may act at this instant instead (1), let time move (0), or
     * end the run (-1, with its reason in report: the waiters fail with
     * EDEADLK).  next is the earliest deadline and world its own (-1
     * none).  The fuzz world gives its next message here. */
    int (*settled)(srr_vtime *vt, int64_t next, int64_t world);
    const char *world;    /* "sim", "replay": in reports */
    atomic_llong clock_charged; /* the program's clock reads (vclock.h) */
};

/* 0, or -ENOMEM; due and arrived may be NULL. */
int srr__vt_init(srr_vtime *vt, const char *world, int64_t (*due)(srr_vtime *),
                 void (*arrived)(srr_vtime *));
void srr__vt_destroy(srr_vtime *vt);

/* The lock, and the calling thread counted as a participant. */
void srr__vt_enter(srr_vtime *vt);
void srr__vt_leave(srr_vtime *vt);
/* Waiters look again: something changed (lock held). */
void srr__vt_changed(srr_vtime *vt);
/* Waits (lock held) until something changes or deadline (virtual ns, -1
 * none) passes: 0 woken, -ETIMEDOUT, -EDEADLK, -EINTR (a timer's signal
 * for this thread). */
int srr__vt_wait(srr_vtime *vt, const char *what, int handle, int64_t deadline);
/* Lets ns of virtual time pass for the calling thread: 0, -EDEADLK or
 * -EINTR. */
int srr__vt_delay(srr_vtime *vt, const char *what, int64_t ns);
/* The generic control codes it answers: THREAD_*, PARK, PARK_DUE, UNPARK,
 * WAKE, TIMER_ARM, TIMER_DISARM, ON_STUCK, CLOCK_CHARGE is the world's.
 * -ENOTTY for the rest. */
int srr__vt_control(srr_vtime *vt, int op, void *arg);

#endif
