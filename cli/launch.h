/*
 * launch.h — running a command under the interposer (launch.c), for the
 * verbs that do: record (kernel world, traced), sim (the sim world), replay
 * (the replay world).
 */
#ifndef SOCKRR_LAUNCH_H
#define SOCKRR_LAUNCH_H

#include <stdint.h>

#include "sockrr/worlds.h"

/* "sockrr VERB: WHAT ARG (see sockrr VERB --help)" on stderr; the usage
 * status. */
int cli_usage_error(const char *verb, const char *what, const char *arg);

enum launch_mode { LAUNCH_RECORD, LAUNCH_PASSTHROUGH, LAUNCH_SIM, LAUNCH_REPLAY, LAUNCH_FUZZ };

typedef struct launch_opts {
    const char *verb;     /* for messages: "sockrr VERB: ..." */
    enum launch_mode mode;
    const char *trace;    /* NULL: no trace */
    const char *pcap;     /* NULL: no pcap (needs a trace) */
    int64_t payload_cap;  /* -1: all */
    const char *net;      /* sim: the network config, NULL = built-in */
    const char *net_name; /* sim: the network as the user named it */
    int seed_set;         /* sim: --seed given */
    uint64_t seed;        /* the trace header's seed */
    const char *seed_text;
    srr_world *clock;     /* the header's start times (NULL: the kernel's) */
    const char *replay;   /* replay: the trace played (an absolute path) */
    const char *replay_index; /* replay: the index of it the check left, or NULL */
    const char *replay_name;  /* replay: the trace or capture as the user named it */
    const char *rechunk;  /* replay: --rechunk N, or NULL */
    const char *pid;      /* replay: --pid N, or NULL */
    int lenient;          /* replay: --lenient */
    const char *map;      /* replay: the --map entries joined by commas, or NULL */
    int on_miss_passthrough; /* replay: --on-miss passthrough */
    const char *fuzz_input; /* fuzz: the test case's file (absolute) */
    int fuzz_defer;       /* fuzz: start AFL++'s forkserver at the first wait */
    const char *fuzz_persistent; /* fuzz: cases a process plays, or NULL */
    size_t ring_size;     /* traced: the event ring's bytes */
    int ring_drop;        /* traced: a full ring drops events (--ring-full drop) */
    int afl;              /* fuzz: for afl-fuzz, which gives the preload (AFL_PRELOAD) to
                           * its target only */
    char **cmd;           /* NULL-terminated */
} launch_opts;

/* The interposer library: $SOCKRR_PRELOAD, else beside this program, into
 * path; 0 or -errno. */
int cli_launch_preload(char *path, size_t len);
/* The file CMD names, as execvp would find it, into path: 0, -ENOENT,
 * -EACCES. */
int cli_launch_find(const char *cmd, char *path, size_t len);
/* The launcher's contract (env_world.h) for o, with LD_PRELOAD (or
 * AFL_PRELOAD for o->afl), into this process's environment: 0 or -errno. */
int cli_launch_setenv(const char *preload, const launch_opts *o, const char *trace,
                      const char *ctl);

/* Runs o->cmd; its exit status (128+N for signal N), 127 not found, 126
 * cannot run, 1 the trace or pcap failed.  Errors are one line on stderr. */
int cli_launch(const launch_opts *o);

#endif
