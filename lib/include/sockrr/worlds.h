/*
 * sockrr/worlds.h — the worlds sockrr ships: their constructors, and their
 * extensions beyond the seam.  Every extension is a thin wrapper over the
 * seam's control slot (sockrr_world.h), so it works through a tap or any
 * other decorator: nobody keeps a second pointer to the world underneath.
 * A wrapper given a world that does not have the extension returns -EINVAL
 * (or does nothing, for the void ones).
 */
#ifndef SOCKRR_WORLDS_H
#define SOCKRR_WORLDS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../sockrr_world.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ kernel */

/* The real Linux kernel.  Stateless apart from the default timeout: each call
 * returns a fresh world; destroy it with srr_world_destroy. */
srr_world *srr_world_kernel(void);

/* --------------------------------------------------------------------- tap */

/* What the tap writes into a trace's header, and how much it keeps. */
typedef struct srr_tap_options {
    const char *program;   /* the header's "program"; NULL = "" */
    int argc;              /* the header's "argv" */
    char *const *argv;
    int64_t payload_cap;   /* payload bytes kept per event; -1 = all (the default when opts is NULL) */
    int record_clock;      /* record now/sleep: 1 yes, 0 no, -1 only when inner has a virtual clock */
} srr_tap_options;

/* The tap: a world that records every call to inner, with its result, into
 * the JSONL trace at path (docs/trace-format.md; mode 0600, even over an
 * older file), then answers as inner does.  It takes ownership of inner
 * (destroying the tap destroys it).  opts may be NULL.  Returns NULL with
 * *error = -errno when the trace cannot be created (inner is then left to
 * the caller).  A write error later never changes an answer: it is kept
 * for srr_world_tap_error, and the trace ends at the last whole event
 * (nothing after it is written). */
srr_world *srr_world_tap(srr_world *inner, const char *path, const srr_tap_options *opts,
                         int *error);
/* The first error writing the trace (-errno), or 0 (SRR_CTL_TRACE_ERROR);
 * -ENOMEM too when the tap could not keep a socket's record (its events
 * then lack their sock ids: the trace is not whole); -EINVAL when no world
 * under w traces. */
int srr_world_tap_error(const srr_world *tap);

/* --------------------------------------------------------------------- sim */

/* The sim world: an in-memory network with a virtual clock, built from a
 * JSON config (docs/sim-config.md).  config_path NULL gives the built-in
 * network (one host "localhost" with 127.0.0.1 and ::1).  NULL on a bad config, with a
 * "file:line:column: field: message" line in errbuf. */
srr_world *srr_world_sim(const char *config_path, char *errbuf, size_t errlen);
srr_world *srr_world_sim_string(const char *json, char *errbuf, size_t errlen);
/* srr_world_sim with the config's seed replaced by seed (sockrr sim --seed). */
srr_world *srr_world_sim_seeded(const char *config_path, uint64_t seed, char *errbuf,
                                size_t errlen);

/* The sim's own control codes. */
enum {
    SRR_CTL_SIM_SEED = SRR_CTL_SIM_BASE, /* uint64_t *: the seed it was made with */
    SRR_CTL_SIM_DEADLOCK,                /* srr_report *: 1 and the report, 0 none */
    SRR_CTL_SIM_ADDRS,                   /* srr_sim_addrs * */
};

/* A report into the caller's buffer. */
typedef struct srr_report {
    char *buf;
    size_t len;
} srr_report;

/* Every address the sim's config gives a name: its hosts entry, its DNS
 * answers at every step of a script, localhost's loopbacks; names compare
 * without regard to case, as the sim's resolver compares them. */
typedef struct srr_sim_addrs {
    const char *name;
    struct sockaddr_storage *out; /* room for max addresses (port 0) */
    size_t max;
    size_t n;    /* out: how many there are (may be more than max) */
    int named;   /* out: 1 when the config knows the name */
} srr_sim_addrs;
int srr_sim_addrs_of(srr_world *w, srr_sim_addrs *q);

/* Virtual time moves when every thread that has made a sim call waits in
 * one.  A thread about to be started does not count until its first call:
 * announce it first, and time waits for it.  0, or -EINVAL for other worlds. */
int srr_sim_expect_thread(srr_world *w);
/* Takes back one srr_sim_expect_thread whose thread was never started
 * (pthread_create failed).  0, or -EINVAL for other worlds. */
int srr_sim_expect_cancel(srr_world *w);
/* A participant about to wait outside the sim on another thread — on the
 * condition variable or semaphore `on`, or a join — or until deadline_ns
 * of virtual CLOCK_MONOTONIC (-1: none).  While parked it counts as
 * waiting, so virtual time may move (a thread pool's idle worker no longer
 * holds it still).  It counts as busy until its first look (what it waits
 * for may be there already), again once its deadline comes, and once
 * another thread wakes `on` (srr_sim_wake: call it before signalling,
 * broadcasting or posting), until it looks again.  park returns 1 when
 * parked, 0 when the caller is no participant (nothing to do), -EINVAL for
 * other worlds.  The waiter waits in slices of real time and calls
 * park_due after each (p->slice_ns, paced by the world, says how long a
 * slice is): it moves time when everyone waits, marks the thread waiting
 * again, and returns 1 once the deadline has come, 2 when the thread was
 * woken since its last look (it looks again: a condition variable's
 * waiter returns, as a spurious wakeup, since the signal may have come
 * while it was between slices and missed it), 0 otherwise.  The caller
 * owns p until unpark.  (SRR_CTL_PARK, SRR_CTL_PARK_DUE, SRR_CTL_UNPARK,
 * SRR_CTL_WAKE.) */
typedef srr_park srr_sim_parked;
int srr_sim_park(srr_world *w, srr_sim_parked *p, const void *on, int64_t deadline_ns);
int srr_sim_park_due(srr_world *w, srr_sim_parked *p);
void srr_sim_unpark(srr_world *w, srr_sim_parked *p);
void srr_sim_wake(srr_world *w, const void *on);
/* The seed the sim world was made with (the config's, or the one given to
 * srr_world_sim_seeded): 0, or -EINVAL for other worlds. */
int srr_sim_seed(srr_world *w, uint64_t *seed);
/* The world's virtual CLOCK_MONOTONIC in ns, read without being traced
 * (SRR_CTL_NOW): the sim's, or another virtual clock's; -EINVAL for a world
 * whose clock is the kernel's. */
int64_t srr_sim_now(srr_world *w);
/* 1 and who waited on what when the world found a deadlock (every blocked
 * call then failed with EDEADLK), 0 when none, -EINVAL for other worlds. */
int srr_sim_deadlock_report(srr_world *w, char *buf, size_t len);

/* ------------------------------------------------------------------ replay */

/* The replay world: a recorded trace (docs/trace-format.md) plays the peer
 * of the program (docs/replay.md).  The recorded process replayed is pid,
 * or the first one that connects or the first that listens, whichever the
 * program turns out to be; rechunk > 0 gives received data at most that
 * many bytes at a time; lenient lets sent bytes differ from the recording;
 * map ("RECORDED=ADDR[,...]", HOST:PORT or HOST alone) names addresses the
 * program uses instead of recorded ones.  When the program leaves the
 * recording, the call fails with EPROTO and on_divergence (may be NULL)
 * gets the report.  When a server waits for a connection after the
 * recording is played out, on_played_out (may be NULL) is called and the
 * wait fails with ESHUTDOWN.  passthrough_on_miss sends a connection,
 * datagram or lookup the recording does not have to the real network
 * instead of failing.  NULL with a "file:line: field: message" line
 * in errbuf on a bad trace or map. */
typedef struct srr_replay_options {
    int pid;
    size_t rechunk;
    int lenient;
    void (*on_divergence)(const char *report, void *arg);
    void *arg;
    const char *map;
    void (*on_played_out)(void *arg);
    int passthrough_on_miss;
    /* lenient: the first difference of each connection, reported while the
     * replay goes on (may be NULL) */
    void (*on_tolerated)(const char *report, void *arg);
    /* the recording's name in reports (default: the trace's path) */
    const char *name;
    /* while the trace is first read and checked: bytes done of total, now
     * and then (may be NULL) */
    void (*on_progress)(size_t done, size_t total, void *arg);
    void *progress_arg;
} srr_replay_options;
srr_world *srr_world_replay(const char *trace_path, const srr_replay_options *opts, char *errbuf,
                            size_t errlen);

/* The replay's own control codes. */
enum {
    SRR_CTL_REPLAY_DIVERGENCE = SRR_CTL_REPLAY_BASE, /* srr_report *: 1 diverged, 0 not */
    SRR_CTL_REPLAY_USED,                             /* NULL: 1 used, 0 not */
    SRR_CTL_REPLAY_LEFTOVER,                         /* srr_report *: the count */
};

/* 1 and the report when the program diverged, 0 when not, -EINVAL for
 * other worlds. */
int srr_replay_divergence(srr_world *w, char *buf, size_t len);
/* 1 when one of the program's sockets played a recorded one, or a recorded
 * lookup was answered: the recording was used (a process whose connections
 * all went to the network under passthrough did not use it).  -EINVAL for
 * other worlds. */
int srr_replay_used(srr_world *w);
/* The recorded connections the program did not play out (never made, bytes
 * not sent, data not read): their number, and a report in buf. */
int srr_replay_leftover(srr_world *w, char *buf, size_t len);

/* The fuzz world: sockrr/fuzz.h. */

#ifdef __cplusplus
}
#endif
#endif
