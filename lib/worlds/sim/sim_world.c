/*
 * sim_world.c — the sim world's core: creation, the one lock, participants,
 * waiting and virtual time, handles, the seeded generator.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "busy.h"
#include "grow.h"
#include "libc.h"
#include "forked.h"
#include "sim.h"
#include "vtime.h"

extern const srr_world_ops srr__sim_ops;
void srr__sim_destroy(srr_world *w);

/* ------------------------------------------------------------ time */

/* What is due in the network itself: connects giving up, services' waits,
 * bytes in flight. */
int64_t srr__sim_due(sim_world *s)
{
    int64_t next = -1;
#define SIM_DUE(t) do { if ((t) >= 0 && (next < 0 || (t) < next)) next = (t); } while (0)
    for (size_t i = 0; i < s->nall; i++) {
        sim_sock *k = s->all[i];
        if (k->state == SIM_S_CONNECTING) {
            SIM_DUE(k->connect_deadline);
            if (k->connect_to)
                SIM_DUE(k->connect_at);
        }
        if (k->service && k->step_until > 0)
            SIM_DUE(k->step_until);
        if (k->fly.head)
            SIM_DUE(SIM_Q_HEAD(&k->fly, sim_chunk)->at);
    }
    SIM_DUE(srr__sim_dns_server_next(s));
#undef SIM_DUE
    return next;
}

static int64_t sim_due(srr_vtime *vt)
{
    return srr__sim_due(SIM_OF_VT(vt));
}

static int sim_settled(srr_vtime *vt, int64_t next, int64_t world)
{
    sim_world *s = SIM_OF_VT(vt);
    return s->peer->settled(s, next, world);
}

static void sim_arrived(srr_vtime *vt)
{
    srr__sim_runnable_services(SIM_OF_VT(vt));
}

int srr__sim_unsupported(sim_world *s, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->unsupported, sizeof s->unsupported, fmt, ap);
    va_end(ap);
    s->unsupported_by = pthread_self();
    return err;
}

int64_t srr__sim_timeo_deadline(const sim_world *s, int64_t timeo)
{
    return timeo > 0 ? s->vt.now + timeo : timeo == SRR_TIMEO_NOW ? s->vt.now : -1;
}

int srr__sim_block(sim_world *s, const char *what, int handle, int64_t until)
{
    int r = srr__vt_wait(&s->vt, what, handle, until);
    return r == -ETIMEDOUT ? -EAGAIN : r;
}

/* splitmix64: small, fast, and the same sequence for the same seed. */
/* splitmix64: a stream's state steps by this, and each step's value is
 * mixed into its output */
#define SIM_SPLITMIX_STEP 0x9e3779b97f4a7c15ULL

static uint64_t sim_splitmix_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t srr__sim_random(sim_world *s)
{
    return sim_splitmix_mix(s->rng += SIM_SPLITMIX_STEP);
}

/* The program's getrandom, getentropy and arc4random: bytes from the seed,
 * on a stream apart from the world's own choices, so a program that draws
 * more or less randomness moves no port the world picks. */
static int sim_entropy(sim_world *s, srr_random *r)
{
    /* splitmix64 counts: each 8 bytes take their own step, so no lock is
     * held (an allocator may ask under its own lock, a signal handler may
     * ask inside the world) */
    unsigned char *p = r->buf;
    for (size_t i = 0; i < r->len; i += 8) {
        uint64_t z = sim_splitmix_mix(
            __atomic_add_fetch(&s->entropy, SIM_SPLITMIX_STEP, __ATOMIC_RELAXED));
        memcpy(p + i, &z, r->len - i < 8 ? r->len - i : 8);
    }
    return 1;
}

/* ---------------------------------------------------------------- handles */

sim_sock *srr__sim_sock(sim_world *s, int handle)
{
    if (handle < SIM_FIRST_HANDLE)
        return NULL;
    size_t i = (size_t)(handle - SIM_FIRST_HANDLE);
    return i < s->nhandles ? s->handles[i] : NULL;
}

/* The lowest free handle at or above min, as POSIX gives the lowest free
 * descriptor (F_DUPFD asks for a floor). */
int srr__sim_handle_new_from(sim_world *s, sim_sock *k, int min, int cloexec)
{
    size_t i = min > SIM_FIRST_HANDLE ? (size_t)(min - SIM_FIRST_HANDLE) : 0;
    while (i < s->nhandles && s->handles[i])
        i++;
    if (i >= 65536)
        return -EMFILE;
    if (srr__grow((void **)&s->handles, &s->nhandles, i + 1, sizeof *s->handles) < 0 ||
        srr__grow((void **)&s->cloexec, &s->ncloexec, i + 1, sizeof *s->cloexec) < 0)
        return -ENOMEM;
    s->handles[i] = k;
    s->cloexec[i] = cloexec != 0;
    k->refs++;
    return (int)i + SIM_FIRST_HANDLE;
}

int srr__sim_handle_new(sim_world *s, sim_sock *k, int cloexec)
{
    return srr__sim_handle_new_from(s, k, SIM_FIRST_HANDLE, cloexec);
}

/* Whatever came due at the current virtual time: connects that give up,
 * service scripts whose wait ended. */
void srr__sim_runnable_services(sim_world *s)
{
    for (size_t i = 0; i < s->nall; i++) {
        sim_sock *k = s->all[i];
        if (k->state == SIM_S_CONNECTING && s->vt.now >= k->connect_deadline) {
            k->state = SIM_S_CLOSED;
            k->so_error = ETIMEDOUT;
            k->connect_to = NULL;
        }
    }
    srr__sim_stream_connects_due(s);
    srr__sim_dns_server_due(s);
    srr__sim_stream_arrivals(s);
    /* a script may end and free its socket: walk again after each run */
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < s->nall; i++) {
            sim_sock *k = s->all[i];
            if (k->service && k->step_until > 0 && s->vt.now >= k->step_until) {
                srr__sim_service_run(s, k);
                again = 1;
                break;
            }
        }
    }
}

/* Every service of the config listens on each address of its host; one
 * that plays a trace gets its script from it first. */
static int sim_start_services(sim_world *s, char *errbuf, size_t errlen)
{
    if (srr__sim_dns_server_listen(s) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < s->cfg->nservices; i++) {
        sim_service *sv = &s->cfg->services[i];
        if (sv->trace && !sv->script && srr__sim_script_from_trace(sv, errbuf, errlen) < 0)
            return -EINVAL;
        const sim_host *h = NULL;
        for (size_t j = 0; j < s->cfg->nhosts; j++)
            if (strcmp(s->cfg->hosts[j].name, sv->host) == 0)
                h = &s->cfg->hosts[j];
        if (!h)
            return -EINVAL; /* the parser checked it; be safe */
        for (size_t j = 0; j < h->naddrs; j++) {
            sim_sock *k = srr__sim_sock_new(s, h->addrs[j].family, SOCK_STREAM, IPPROTO_TCP);
            if (!k)
                return -ENOMEM;
            k->refs = 1; /* the world's */
            srr__sim_ip_addr(&h->addrs[j], sv->port, &k->local, &k->local_len);
            k->bound = 1;
            k->state = SIM_S_LISTEN;
            k->backlog = 4096;
            k->service = sv;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- lifetime */

static srr_world *sim_create(sim_config *cfg, const srr_world_ops *ops, const sim_peer_ops *peer,
                             void *peer_arg, int *error, char *errbuf, size_t errlen)
{
    char local[256];
    if (!errbuf || !errlen) {
        errbuf = local;
        errlen = sizeof local;
    }
    sim_world *s = calloc(1, sizeof *s);
    if (!s || !cfg) {
        free(s);
        srr__sim_config_free(cfg);
        if (peer)
            peer->free(peer_arg);
        *error = -ENOMEM;
        return NULL;
    }
    srr_world_init(&s->base, ops);
    s->peer = peer;
    s->peer_arg = peer_arg;
    s->cfg = cfg;
    s->dns = srr__sim_dns_new(cfg);
    s->rng = cfg->seed;
    s->entropy = cfg->seed ^ 0x6a09e667f3bcc908ULL; /* another stream of the same seed */
    s->conn_counts = calloc(cfg->nfaults + 1, sizeof *s->conn_counts);
    s->call_counts = calloc(cfg->nfaults + 1, sizeof *s->call_counts);
    snprintf(s->hostname, sizeof s->hostname, "%s", cfg->hostname ? cfg->hostname : "localhost");
    if (!s->dns || !s->conn_counts || !s->call_counts ||
        srr__vt_init(&s->vt, "sim", sim_due, sim_arrived) < 0) {
        srr__sim_dns_free(s->dns);
        free(s->conn_counts);
        free(s->call_counts);
        srr__sim_config_free(cfg);
        if (peer)
            peer->free(peer_arg);
        free(s);
        *error = -ENOMEM;
        return NULL;
    }
    s->vt.idle_limit = cfg->idle_limit_ns;
    if (peer)
        s->vt.settled = sim_settled;
    int r = sim_start_services(s, errbuf, errlen);
    if (r < 0) {
        srr__sim_destroy(&s->base);
        *error = r;
        return NULL;
    }
    *error = 0;
    return &s->base;
}

/* sim_create with its error as a line in errbuf. */
static srr_world *sim_create_reporting(sim_config *cfg, const srr_world_ops *ops,
                                       const sim_peer_ops *peer, void *peer_arg, char *errbuf,
                                       size_t errlen)
{
    int error;
    if (errbuf && errlen)
        errbuf[0] = '\0';
    srr_world *w = sim_create(cfg, ops, peer, peer_arg, &error, errbuf, errlen);
    if (!w && errbuf && errlen && !errbuf[0])
        snprintf(errbuf, errlen, "sim: %s", strerror(-error));
    return w;
}

/* The config at config_path (NULL: the built-in one), or NULL with its
 * error in errbuf. */
sim_config *srr__sim_load(const char *config_path, char *errbuf, size_t errlen)
{
    srr_parse_error e;
    sim_config *cfg =
        config_path ? srr__sim_config_load(config_path, &e) : srr__sim_config_default();
    if (!cfg && errbuf && errlen)
        srr__parse_error_format(&e, errbuf, errlen);
    return cfg;
}

srr_world *srr_world_sim(const char *config_path, char *errbuf, size_t errlen)
{
    sim_config *cfg = srr__sim_load(config_path, errbuf, errlen);
    return cfg ? sim_create_reporting(cfg, &srr__sim_ops, NULL, NULL, errbuf, errlen) : NULL;
}

srr_world *srr_world_sim_seeded(const char *config_path, uint64_t seed, char *errbuf,
                                size_t errlen)
{
    sim_config *cfg = srr__sim_load(config_path, errbuf, errlen);
    if (!cfg)
        return NULL;
    cfg->seed = seed;
    return sim_create_reporting(cfg, &srr__sim_ops, NULL, NULL, errbuf, errlen);
}

srr_world *srr__sim_create_with(sim_config *cfg, const srr_world_ops *ops,
                                const sim_peer_ops *peer, void *peer_arg, char *errbuf,
                                size_t errlen)
{
    return sim_create_reporting(cfg, ops, peer, peer_arg, errbuf, errlen);
}

srr_world *srr_world_sim_string(const char *json, char *errbuf, size_t errlen)
{
    srr_parse_error e;
    if (!json) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "sim: config is NULL");
        return NULL;
    }
    sim_config *cfg = srr__sim_config_parse(json, strlen(json), "<string>", &e);
    if (!cfg) {
        if (errbuf && errlen)
            srr__parse_error_format(&e, errbuf, errlen);
        return NULL;
    }
    return sim_create_reporting(cfg, &srr__sim_ops, NULL, NULL, errbuf, errlen);
}

void srr__sim_destroy(srr_world *w)
{
    sim_world *s = SIM(w);
    /* queued connections are sockets of their own in `all`: no listener may
     * walk its queue into ones already freed */
    for (size_t i = 0; i < s->nall; i++)
        s->all[i]->npending = 0;
    srr__sim_dns_server_free(s); /* its answers' sockets go with the rest */
    while (s->nall > 0) {
        sim_sock *k = s->all[s->nall - 1];
        k->refs = 1;
        srr__sim_sock_unref(s, k);
    }
    free(s->all);
    free(s->handles);
    free(s->cloexec);
    free(s->conn_counts);
    free(s->call_counts);
    srr__sim_unix_names_free(s);
    srr__sim_dns_free(s->dns);
    srr__sim_config_free(s->cfg);
    srr__vt_destroy(&s->vt);
    if (s->peer)
        s->peer->free(s->peer_arg);
    free(s);
}

/* ---------------------------------------------------------------- control */

/* The host's read of the clock: no participant is made of the reader. */
static int sim_host_now(sim_world *s, int64_t *inout)
{
    pthread_mutex_lock(&s->vt.lock);
    int64_t r = srr__sim_clock(s, (clockid_t)*inout);
    pthread_mutex_unlock(&s->vt.lock);
    if (r < 0)
        return (int)r;
    *inout = r;
    return 0;
}

static int sim_fork(sim_world *s, srr_fork *f)
{
    if (f->phase == SRR_FORK_PREPARE) {
        pthread_mutex_lock(&s->vt.lock);
        s->fork_from.mono = s->vt.now;
        s->fork_from.realtime = srr__sim_clock(s, CLOCK_REALTIME);
        pthread_mutex_unlock(&s->vt.lock);
    } else if (f->phase == SRR_FORK_CHILD) {
        s->fork_from.why = "a forked child cannot use the simulated network yet (no "
                           "multi-process hub): its socket and resolver calls fail with "
                           "EOPNOTSUPP; a child that execs gets a network of its own";
        f->child = srr__world_forked(&s->fork_from, f->say);
    }
    return 0;
}

static int sim_deadlock(sim_world *s, srr_report *rep)
{
    pthread_mutex_lock(&s->vt.lock);
    int dead = s->vt.deadlocks > 0;
    snprintf(rep->buf, rep->len, "%s", dead ? s->vt.report : "");
    pthread_mutex_unlock(&s->vt.lock);
    return dead;
}

int srr__sim_control(srr_world *w, int op, void *arg)
{
    sim_world *s = SIM(w);
    switch (op) {
    case SRR_CTL_NOW:
        return sim_host_now(s, arg);
    case SRR_CTL_FORK:
        return sim_fork(s, arg);
    case SRR_CTL_SIM_SEED:
        *(uint64_t *)arg = s->cfg->seed; /* fixed at creation: no lock */
        return 0;
    case SRR_CTL_SIM_DEADLOCK:
        return sim_deadlock(s, arg);
    case SRR_CTL_SIM_ADDRS:
        return srr__sim_dns_addrs(s->dns, arg);
    case SRR_CTL_FILE:
        return srr__sim_etc_file(s, arg); /* from the config alone: no lock */
    case SRR_CTL_PATH_STAT:
    case SRR_CTL_PATH_UNLINK:
    case SRR_CTL_PATH_CHMOD:
        return srr__sim_unix_path_control(s, op, arg);
    case SRR_CTL_RANDOM:
        return sim_entropy(s, arg);
    default:
        return srr__vt_control(&s->vt, op, arg);
    }
}
