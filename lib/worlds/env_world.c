/*
 * env_world.c — a process's world, from the environment the launcher set
 * (env_world.h): the kernel (passthrough), the kernel traced by a tap
 * (record), the sim (traced too with -o) or the replay.  The world's
 * verdicts go to the host's callbacks: the library ends no process itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_world.h"
#include "exit_status.h"
#include "fuzz_host.h"
#include "sockrr/fuzz.h"
#include "handover.h"
#include "sockrr/worlds.h"
#include "tap.h"

#define SRR_ENV_NAME(id, name, what) name,
const char *const srr__env_names[SRR_ENV_COUNT] = {SRR_ENV_VARS(SRR_ENV_NAME)};
#undef SRR_ENV_NAME

void srr__env_read(srr_env *e)
{
    for (int i = 0; i < SRR_ENV_COUNT; i++)
        e->v[i] = getenv(srr__env_names[i]);
}

int srr__env_apply(const srr_env *e)
{
    for (int i = 0; i < SRR_ENV_COUNT; i++) {
        int r = e->v[i] ? setenv(srr__env_names[i], e->v[i], 1) : unsetenv(srr__env_names[i]);
        if (r < 0)
            return -errno;
    }
    return 0;
}

static int env_is(const srr_env *e, int var, const char *value)
{
    return e->v[var] && strcmp(e->v[var], value) == 0;
}

/* A bad value: the program must not run. */
__attribute__((format(printf, 2, 3))) static int env_fatal(srr_env_world *out, const char *fmt,
                                                            ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->error, sizeof out->error, fmt, ap);
    va_end(ap);
    out->fatal = 1;
    out->world = NULL;
    return -1;
}

int srr__env_decimal(const char *v, uint64_t max, uint64_t *n)
{
    uint64_t x = 0;
    int ok = v && *v;
    for (const char *p = v; ok && *p; p++) {
        ok = *p >= '0' && *p <= '9' && x <= (max - (uint64_t)(*p - '0')) / 10;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (!ok)
        return -1;
    *n = x;
    return 0;
}

/* A decimal number of at most max, or a bad value said in out. */
static int env_number(const srr_env *e, int var, uint64_t max, uint64_t *n, srr_env_world *out)
{
    const char *v = e->v[var];
    if (srr__env_decimal(v, max, n) < 0)
        return env_fatal(out, "%s: not a decimal number up to %llu: '%s'", srr__env_names[var],
                         (unsigned long long)max, v ? v : "");
    return 0;
}

/* The run stopped moving: the program ends with the report, as it would
 * otherwise hang silently. */
static void env_stuck(const char *report, void *arg)
{
    char line[2400];
    snprintf(line, sizeof line, "the run is stuck: %s", report);
    ((const srr_env_host *)arg)->end(SRR_EXIT_STUCK, line, 2);
}

/* ------------------------------------------------------------- replay */

/* The replay world's verdicts, as sockrr replay documents them: a
 * divergence ends the program with its status; a server waiting for more
 * once the recording is played out ends as having played it all; under
 * --lenient a difference is said and the program goes on. */
static void env_diverged(const char *report, void *arg)
{
    ((const srr_env_host *)arg)->end(SRR_EXIT_DIVERGED, report, 0);
}

static void env_played_out(void *arg)
{
    ((const srr_env_host *)arg)
        ->end(SRR_EXIT_OK,
              "the recording is played out and the program waits for another connection: ended",
              1);
}

static void env_tolerated(const char *report, void *arg)
{
    ((const srr_env_host *)arg)->say(report);
}

static void env_trace(const srr_env *e, const srr_env_host *host, srr_world *world,
                      srr_env_world *out);

static int env_replay(const srr_env *e, const srr_env_host *host, srr_env_world *out)
{
    uint64_t pid = 0, rechunk = 0;
    if (e->v[SRR_ENV_REPLAY_PID] && env_number(e, SRR_ENV_REPLAY_PID, INT32_MAX, &pid, out) < 0)
        return -1;
    if (e->v[SRR_ENV_RECHUNK] && env_number(e, SRR_ENV_RECHUNK, SIZE_MAX, &rechunk, out) < 0)
        return -1;
    srr_replay_options o = {
        .pid = (int)pid,
        .rechunk = (size_t)rechunk,
        .lenient = env_is(e, SRR_ENV_LENIENT, "1"),
        .on_divergence = env_diverged,
        .arg = (void *)host,
        .map = e->v[SRR_ENV_REPLAY_MAP],
        .on_played_out = env_played_out,
        .passthrough_on_miss = env_is(e, SRR_ENV_REPLAY_ON_MISS, "passthrough"),
        .on_tolerated = env_tolerated,
        .name = e->v[SRR_ENV_REPLAY_NAME],
    };
    char err[512] = "";
    const char *trace = e->v[SRR_ENV_REPLAY];
    out->world = trace ? srr__world_replay_handover(trace, &o, e->v[SRR_ENV_REPLAY_INDEX], NULL,
                                                    err, sizeof err)
                       : NULL;
    /* sockrr replay read the trace before starting: getting here means it
     * changed since */
    if (!out->world)
        return env_fatal(out, "%s", err[0] ? err : "no trace");
    srr_on_stuck stuck = {env_stuck, (void *)host};
    srr_world_control(out->world, SRR_CTL_ON_STUCK, &stuck);
    if (e->v[SRR_ENV_TRACE] && e->v[SRR_ENV_CTL]) /* replay -o */
        env_trace(e, host, out->world, out);
    return 0;
}

/* ------------------------------------------------------------ traced */

/* world traced by a tap that joins the launcher's trace, or world alone
 * with a warning when it cannot be joined (a daemon child whose launcher is
 * gone): the program itself goes on. */
static void env_trace(const srr_env *e, const srr_env_host *host, srr_world *world,
                      srr_env_world *out)
{
    const char *trace = e->v[SRR_ENV_TRACE], *ctl = e->v[SRR_ENV_CTL];
    out->world = world;
    if (!trace || !ctl) {
        snprintf(out->error, sizeof out->error, "SOCKRR_TRACE or SOCKRR_CTL is not set: %s",
                 strerror(EINVAL));
        return;
    }
    int err = 0;
    /* a socket keeps its id across exec only over the kernel, whose
     * sockets outlive the process image */
    uint64_t (*key)(int) = srr_world_caps(world) & SRR_CAP_OWN_HANDLES ? NULL : host->sock_key;
    srr_world *tap = srr__tap_attach(world, trace, ctl, key, &err);
    if (tap)
        out->world = tap;
    else
        snprintf(out->error, sizeof out->error, "%s: %s", trace, strerror(-err));
}

/* A simulated network made (world, or NULL with err): its stuck runs end
 * the program with the report, and it is traced when the launcher asked.
 * sockrr sim and fuzz checked the network before starting: a world that
 * cannot be made here means it changed since. */
static int env_network(const srr_env *e, const srr_env_host *host, srr_world *world,
                       const char *err, srr_env_world *out)
{
    if (!world)
        return env_fatal(out, "%s", err[0] ? err : "cannot make the network");
    srr_on_stuck stuck = {env_stuck, (void *)host};
    srr_world_control(world, SRR_CTL_ON_STUCK, &stuck);
    if (e->v[SRR_ENV_TRACE] && e->v[SRR_ENV_CTL])
        env_trace(e, host, world, out);
    else
        out->world = world;
    return 0;
}

static int env_sim(const srr_env *e, const srr_env_host *host, srr_env_world *out)
{
    const char *net = e->v[SRR_ENV_NET];
    if (net && !*net)
        net = NULL; /* the built-in network */
    char err[512] = "";
    srr_world *sim;
    if (e->v[SRR_ENV_SEED]) {
        uint64_t seed;
        if (env_number(e, SRR_ENV_SEED, UINT64_MAX, &seed, out) < 0)
            return -1;
        sim = srr_world_sim_seeded(net, seed, err, sizeof err);
    } else {
        sim = srr_world_sim(net, err, sizeof err);
    }
    return env_network(e, host, sim, err, out);
}

/* ------------------------------------------------------------ fuzz */

/* The fuzz world's host lives as long as the process: the world keeps a
 * pointer to it and the interposer never destroys its world. */
static srr_fuzz_file_host env_fuzz_host;

static int env_fuzz(const srr_env *e, const srr_env_host *host, srr_env_world *out)
{
    const char *net = e->v[SRR_ENV_NET];
    if (net && !*net)
        net = NULL;
    uint64_t persistent = 0;
    if (e->v[SRR_ENV_FUZZ_PERSISTENT] &&
        env_number(e, SRR_ENV_FUZZ_PERSISTENT, UINT32_MAX, &persistent, out) < 0)
        return -1;
    if (!e->v[SRR_ENV_FUZZ_INPUT] || !*e->v[SRR_ENV_FUZZ_INPUT])
        return env_fatal(out, "%s is not set: the fuzz world has no test case",
                         srr__env_names[SRR_ENV_FUZZ_INPUT]);
    env_fuzz_host = (srr_fuzz_file_host){
        .input = e->v[SRR_ENV_FUZZ_INPUT],
        .defer = env_is(e, SRR_ENV_FUZZ_DEFER, "1"),
        .persistent = (unsigned)persistent,
        .end = host->end,
    };
    srr__fuzz_file_host_start(&env_fuzz_host);
    srr_fuzz_host fh = {srr__fuzz_file_next, &env_fuzz_host};
    char err[512] = "";
    return env_network(e, host, srr_world_fuzz(net, &fh, err, sizeof err), err, out);
}

static int env_kernel(const srr_env *e, const srr_env_host *host, srr_env_world *out, int traced)
{
    srr_world *kernel = srr_world_kernel();
    if (!kernel) {
        snprintf(out->error, sizeof out->error, "cannot make the kernel world: %s",
                 strerror(ENOMEM));
        return 0;
    }
    if (traced)
        env_trace(e, host, kernel, out);
    else
        out->world = kernel;
    return 0;
}

static int env_record(const srr_env *e, const srr_env_host *host, srr_env_world *out)
{
    return env_kernel(e, host, out, 1);
}

static int env_passthrough(const srr_env *e, const srr_env_host *host, srr_env_world *out)
{
    return env_kernel(e, host, out, 0);
}

/* The modes, one line a world: a new world joins here and nowhere else on
 * the preload's side. */
static const struct env_mode {
    const char *mode;
    int (*make)(const srr_env *e, const srr_env_host *host, srr_env_world *out);
} env_modes[] = {
    {"record", env_record},
    {"passthrough", env_passthrough},
    {"sim", env_sim},
    {"replay", env_replay},
    {"fuzz", env_fuzz},
};

int srr__world_from_env(const srr_env *e, const srr_env_host *host, srr_env_world *out)
{
    memset(out, 0, sizeof *out);
    const char *mode = e->v[SRR_ENV_MODE];
    if (env_is(e, SRR_ENV_PASSTHROUGH, "1"))
        mode = "passthrough";
    for (size_t i = 0; mode && i < sizeof env_modes / sizeof env_modes[0]; i++) {
        if (strcmp(mode, env_modes[i].mode) == 0) {
            out->verb = env_modes[i].mode;
            return env_modes[i].make(e, host, out);
        }
    }
    return 0; /* no mode, or one of a later sockrr: stay out of the way */
}
