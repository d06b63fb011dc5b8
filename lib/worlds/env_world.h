/*
 * env_world.h — the launcher's contract with the preload library: the
 * environment `sockrr record|sim|replay` sets for CMD, and the world each
 * process of CMD builds from it.  One table names every variable, for the
 * launcher that writes them (cli/launch.c) and the preload that reads them
 * and puts them back into an exec'd program's environment
 * (interpose/preload.c).
 */
#ifndef SOCKRR_ENV_WORLD_H
#define SOCKRR_ENV_WORLD_H

#include <stdint.h>

#include "sockrr_world.h"

/* X(ID, NAME, what it holds) */
#define SRR_ENV_VARS(X)                                                                        \
    X(MODE, "SOCKRR_MODE", "record | passthrough | sim | replay | fuzz; anything else, or "     \
                           "nothing: "                                                         \
                           "the interposer stays out of the way")                              \
    X(PASSTHROUGH, "SOCKRR_PASSTHROUGH", "1: calls go to the kernel untraced, whatever the "   \
                                         "mode says (the interposer's own cost)")              \
    X(PRELOAD, "SOCKRR_PRELOAD", "the preload library's path, put back into LD_PRELOAD when "  \
                                 "an exec'd program's environment lost it")                    \
    X(TRACE, "SOCKRR_TRACE", "the trace every process appends to (record; sim -o)")            \
    X(CTL, "SOCKRR_CTL", "the control file that orders the trace's writers")                   \
    X(NET, "SOCKRR_NET", "sim, fuzz: the network config; empty: the built-in network")         \
    X(SEED, "SOCKRR_SEED", "sim: the seed, a decimal number replacing the config's")           \
    X(FUZZ_INPUT, "SOCKRR_FUZZ_INPUT", "fuzz: the file each test case is read from")           \
    X(FUZZ_DEFER, "SOCKRR_FUZZ_DEFER", "fuzz: 1 to start AFL++'s forkserver where the "        \
                                       "program first waits for input")                        \
    X(FUZZ_PERSISTENT, "SOCKRR_FUZZ_PERSISTENT", "fuzz: cases a process plays (AFL++'s "       \
                                                 "persistent mode); 0 or unset: one")          \
    X(REPLAY, "SOCKRR_REPLAY", "replay: the trace played")                                     \
    X(REPLAY_INDEX, "SOCKRR_REPLAY_INDEX", "replay: the index the CLI's check of it left")     \
    X(REPLAY_NAME, "SOCKRR_REPLAY_NAME", "replay: the recording as the user named it")         \
    X(RECHUNK, "SOCKRR_RECHUNK", "replay: --rechunk N")                                        \
    X(REPLAY_PID, "SOCKRR_REPLAY_PID", "replay: --pid N")                                      \
    X(LENIENT, "SOCKRR_LENIENT", "replay: 1 for --lenient")                                    \
    X(REPLAY_MAP, "SOCKRR_REPLAY_MAP", "replay: the --map entries, joined by commas")          \
    X(REPLAY_ON_MISS, "SOCKRR_REPLAY_ON_MISS", "replay: passthrough for --on-miss passthrough")  \
    X(CMD_PID, "SOCKRR_CMD_PID", "the command's pid: a line from another process names it")

#define SRR_ENV_ID(id, name, what) SRR_ENV_##id,
enum srr_env_var { SRR_ENV_VARS(SRR_ENV_ID) SRR_ENV_COUNT };
#undef SRR_ENV_ID

/* The variables' names, by enum srr_env_var. */
extern const char *const srr__env_names[SRR_ENV_COUNT];

/* The values, by enum srr_env_var; NULL = unset. */
typedef struct srr_env {
    const char *v[SRR_ENV_COUNT];
} srr_env;

/* A number in the contract is decimal digits and nothing else, at most
 * max: 0 and *n, or -1. */
int srr__env_decimal(const char *v, uint64_t max, uint64_t *n);

/* Reads the values from the process's environment (getenv: it allocates
 * nothing, so it is safe before the allocator is up). */
void srr__env_read(srr_env *e);
/* Sets every value that is not NULL and unsets the rest: the launcher, in
 * the child, before exec.  0 or -errno. */
int srr__env_apply(const srr_env *e);

/* What the host of a world built from the environment does for it: the
 * library never ends a process or prints, the host does. */
typedef struct srr_env_host {
    /* The program must end now, with status: message is one line for the
     * user (without "sockrr VERB: ").  flush: 0 nothing, 1 every stdio
     * stream of the program's first, 2 stdout and stderr when no thread
     * holds them (other threads are blocked somewhere: a lock they hold
     * would hang the flush). */
    void (*end)(int status, const char *message, int flush);
    /* A line for the user; the program goes on. */
    void (*say)(const char *message);
    /* Names a socket descriptor the same way in every process (its inode),
     * so a socket inherited across exec keeps its trace id; 0 for what is
     * not a socket. */
    uint64_t (*sock_key)(int fd);
} srr_env_host;

typedef struct srr_env_world {
    srr_world *world;   /* NULL: the interposer stays out of the way */
    const char *verb;   /* "record", "passthrough", "sim", "replay": for messages */
    int fatal;          /* the world could not be made and the program must not run
                         * (it would reach the real network instead: a silent wrong answer) */
    char error[600];    /* why it could not be made, or "" (the program then runs
                         * untraced when not fatal) */
} srr_env_world;

/* The world the environment asks for, with host's callbacks wired to the
 * world's verdicts (replay's divergence and played-out end).  0 with
 * out->world NULL when no mode is set; 0 with out->world and a warning in
 * out->error when the trace cannot be joined (the process runs untraced);
 * -1 with out->fatal and out->error when a value is bad or the world
 * cannot be made. */
int srr__world_from_env(const srr_env *e, const srr_env_host *host, srr_env_world *out);

#endif
