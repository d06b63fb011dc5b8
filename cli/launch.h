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

enum launch_mode { LAUNCH_RECORD, LAUNCH_PASSTHROUGH, LAUNCH_SIM, LAUNCH_REPLAY };

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
    char **cmd;           /* NULL-terminated */
} launch_opts;

/* Runs o->cmd; its exit status (128+N for signal N), 127 not found, 126
 * cannot run, 1 the trace or pcap failed.  Errors are one line on stderr. */
int cli_launch(const launch_opts *o);

#endif
