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
#include "vclock.h"

extern const srr_world_ops srr__sim_ops;
void srr__sim_destroy(srr_world *w);

/* ---------------------------------------------------------- participants */

/* Thread exit: the thread no longer counts, and the others may now all be
 * waiting, so time may move. */
static void sim_participant_exit(void *p)
{
    sim_world *s = p;
    pthread_mutex_lock(&s->lock);
    s->participants--;
    /* a parked thread may be joining it: every one looks again */
    for (srr_park *k = s->parked; k; k = k->next)
        k->woken = 1;
    s->generation++;
    srr__libc.pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

void srr__sim_enter(sim_world *s)
{
    pthread_mutex_lock(&s->lock);
    srr__busy++; /* busy.h */
    if (!pthread_getspecific(s->participant)) {
        pthread_setspecific(s->participant, s);
        s->participants++;
        if (s->expected > 0)
            s->expected--; /* an announced thread arrived */
    }
}

void srr__sim_leave(sim_world *s)
{
    srr__busy--;
    pthread_mutex_unlock(&s->lock);
}

void srr__sim_changed(sim_world *s)
{
    s->generation++;
    srr__libc.pthread_cond_broadcast(&s->changed);
}

/* ------------------------------------------------------- waiting and time */

/* The earliest virtual time anything is due: a waiter's deadline, a
 * connect giving up, a service's wait step.  -1 when nothing is. */
static int64_t sim_next_due(sim_world *s)
{
    int64_t next = -1;
#define SIM_DUE(t) do { if ((t) >= 0 && (next < 0 || (t) < next)) next = (t); } while (0)
    for (sim_waiter *w = s->waiters; w; w = w->next)
        SIM_DUE(w->deadline);
    for (srr_park *p = s->parked; p; p = p->next)
        SIM_DUE(p->deadline);
    for (srr_vtimer *t = s->timers; t; t = t->next)
        SIM_DUE(t->deadline);
    for (size_t i = 0; i < s->nall; i++) {
        sim_sock *k = s->all[i];
        if (k->state == SIM_S_CONNECTING)
            SIM_DUE(k->connect_deadline);
        if (k->service && k->step_until > 0)
            SIM_DUE(k->step_until);
        if (k->fly_head)
            SIM_DUE(k->fly_head->at);
    }
#undef SIM_DUE
    return next;
}

static void sim_report_deadlock(sim_world *s)
{
    size_t o = 0;
    o += (size_t)snprintf(
        s->deadlock_report + o, sizeof s->deadlock_report - o,
        "deadlock at virtual time %lld ns: every participant waits, nothing is due",
        (long long)s->now);
    for (sim_waiter *w = s->waiters; w && o < sizeof s->deadlock_report; w = w->next)
        o += (size_t)snprintf(s->deadlock_report + o, sizeof s->deadlock_report - o,
                              "; thread %#lx waits in %s on handle %d", (unsigned long)w->thread,
                              w->what, w->handle);
    for (srr_park *p = s->parked; p && o < sizeof s->deadlock_report; p = p->next)
        o += (size_t)snprintf(s->deadlock_report + o, sizeof s->deadlock_report - o,
                              "; a thread waits in %s, outside the sim",
                              p->what ? p->what : "a wait on another thread");
}

/* Every participant waits, and every waiter has seen the latest change: a
 * waiter woken by a change but not yet running still counts as busy. */
static int sim_all_settled(sim_world *s)
{
    int n = 0;
    for (sim_waiter *w = s->waiters; w; w = w->next) {
        if (w->gen != s->generation)
            return 0;
        n++;
    }
    /* a parked thread is settled until its deadline comes, then busy until
     * it wakes and goes on */
    for (srr_park *p = s->parked; p; p = p->next)
        if (!p->woken && (p->deadline < 0 || p->deadline > s->now))
            n++;
    /* an announced thread that has not made its first call yet is busy */
    return n == s->participants && s->expected == 0;
}

/* Timers whose deadline came fire; what they interrupt fails with EINTR,
 * and every parked thread looks again (a timer may have made one of its
 * descriptors ready, or queued it a signal). */
static void sim_fire_timers(sim_world *s)
{
    int fired = 0;
    for (srr_vtimer **pt = &s->timers; *pt;) {
        srr_vtimer *t = *pt;
        if (t->deadline > s->now) {
            pt = &t->next;
            continue;
        }
        uint64_t n = 1;
        if (t->interval > 0) {
            n += (uint64_t)((s->now - t->deadline) / t->interval);
            t->deadline += (int64_t)n * t->interval;
            pt = &t->next;
        } else {
            *pt = t->next; /* once: unlinked before it fires, so fire may re-arm */
            t->armed = 0;
        }
        fired = 1;
        if (t->fire(t, n) == 1)
            for (sim_waiter *w = s->waiters; w; w = w->next)
                if (pthread_equal(w->thread, t->target))
                    w->interrupted = 1;
    }
    for (srr_park *p = s->parked; fired && p; p = p->next)
        p->woken = 1;
}

static void sim_timer_arm(sim_world *s, srr_vtimer *t)
{
    pthread_mutex_lock(&s->lock);
    if (!t->armed) {
        t->next = s->timers;
        s->timers = t;
        t->armed = 1;
    }
    srr__sim_changed(s); /* a waiter may now find something due */
    pthread_mutex_unlock(&s->lock);
}

static void sim_timer_disarm(sim_world *s, srr_vtimer *t)
{
    pthread_mutex_lock(&s->lock);
    for (srr_vtimer **pt = &s->timers; *pt; pt = &(*pt)->next)
        if (*pt == t) {
            *pt = t->next;
            break;
        }
    t->armed = 0;
    pthread_mutex_unlock(&s->lock);
}

/* When nobody can act before something is due, jump there: 1 moved (or
 * services ran), 0 someone is busy, -EDEADLK nothing can ever happen. */
static int sim_try_advance(sim_world *s)
{
    if (!sim_all_settled(s))
        return 0;
    int64_t next = sim_next_due(s);
    if (next < 0) {
        sim_report_deadlock(s);
        s->deadlocks++;
        if (s->on_stuck.fn)
            s->on_stuck.fn(s->deadlock_report, s->on_stuck.arg);
        srr__libc.pthread_cond_broadcast(&s->changed);
        return -EDEADLK;
    }
    if (next > s->now)
        s->now = next;
    sim_fire_timers(s);
    srr__sim_runnable_services(s);
    srr__sim_changed(s);
    return 1;
}

int srr__sim_wait(sim_world *s, const char *what, int handle, int64_t deadline)
{
    if (deadline >= 0 && s->now >= deadline)
        return -ETIMEDOUT;
    sim_waiter me = {.thread = pthread_self(), .what = what, .handle = handle,
                     .deadline = deadline, .gen = s->generation, .deadlocks = s->deadlocks};
    me.next = s->waiters;
    s->waiters = &me;
    s->waiting++;
    uint64_t gen = s->generation;
    int r;
    for (;;) {
        if (me.interrupted) { /* a signal for this thread, as a blocked call gets one */
            r = -EINTR;
            break;
        }
        if (s->deadlocks != me.deadlocks) { /* found while this call waited */
            r = -EDEADLK;
            break;
        }
        if (s->generation != gen) {
            r = 0;
            break;
        }
        if (deadline >= 0 && s->now >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        /* Nobody can act before something is due: jump there. */
        int moved = sim_try_advance(s);
        if (moved < 0) {
            r = moved;
            break;
        }
        if (moved)
            continue;
        /* pthread_cond_wait is a cancellation point: a thread cancelled here
         * would take the lock and its waiter record with it */
        int cancel;
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
        srr__libc.pthread_cond_wait(&s->changed, &s->lock); /* not the interposer's */
        pthread_setcancelstate(cancel, NULL);
    }
    s->waiting--;
    for (sim_waiter **p = &s->waiters; *p; p = &(*p)->next)
        if (*p == &me) {
            *p = me.next;
            break;
        }
    return r;
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
    return timeo > 0 ? s->now + timeo : timeo == SIM_TIMEO_NOW ? s->now : -1;
}

int srr__sim_delay(sim_world *s, const char *what, int64_t ns)
{
    int64_t until = s->now + (ns > 0 ? ns : 0);
    while (s->now < until) {
        int r = srr__sim_wait(s, what, -1, until);
        if (r == -EDEADLK || r == -EINTR)
            return r;
    }
    return 0;
}

/* splitmix64: small, fast, and the same sequence for the same seed. */
uint64_t srr__sim_random(sim_world *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
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
int srr__sim_handle_new_from(sim_world *s, sim_sock *k, int min)
{
    size_t i = min > SIM_FIRST_HANDLE ? (size_t)(min - SIM_FIRST_HANDLE) : 0;
    while (i < s->nhandles && s->handles[i])
        i++;
    if (i >= 65536)
        return -EMFILE;
    if (srr__grow((void **)&s->handles, &s->nhandles, i + 1, sizeof *s->handles) < 0)
        return -ENOMEM;
    s->handles[i] = k;
    k->refs++;
    return (int)i + SIM_FIRST_HANDLE;
}

int srr__sim_handle_new(sim_world *s, sim_sock *k)
{
    return srr__sim_handle_new_from(s, k, SIM_FIRST_HANDLE);
}

/* Whatever came due at the current virtual time: connects that give up,
 * service scripts whose wait ended. */
void srr__sim_runnable_services(sim_world *s)
{
    for (size_t i = 0; i < s->nall; i++) {
        sim_sock *k = s->all[i];
        if (k->state == SIM_S_CONNECTING && s->now >= k->connect_deadline) {
            k->state = SIM_S_CLOSED;
            k->so_error = ETIMEDOUT;
            k->connect_to = NULL;
        }
    }
    srr__sim_stream_arrivals(s);
    /* a script may end and free its socket: walk again after each run */
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < s->nall; i++) {
            sim_sock *k = s->all[i];
            if (k->service && k->step_until > 0 && s->now >= k->step_until) {
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
            if (h->addrs[j].family == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *)&k->local;
                in->sin_family = AF_INET;
                in->sin_addr = h->addrs[j].a.v4;
                in->sin_port = htons((uint16_t)sv->port);
                k->local_len = sizeof *in;
            } else {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&k->local;
                in6->sin6_family = AF_INET6;
                in6->sin6_addr = h->addrs[j].a.v6;
                in6->sin6_port = htons((uint16_t)sv->port);
                k->local_len = sizeof *in6;
            }
            k->bound = 1;
            k->state = SIM_S_LISTEN;
            k->backlog = 4096;
            k->service = sv;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- lifetime */

static srr_world *sim_create(sim_config *cfg, int *error, char *errbuf, size_t errlen)
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
        *error = -ENOMEM;
        return NULL;
    }
    srr_world_init(&s->base, &srr__sim_ops);
    s->cfg = cfg;
    s->dns = srr__sim_dns_new(cfg);
    s->rng = cfg->seed;
    s->now = 0;
    s->conn_counts = calloc(cfg->nfaults + 1, sizeof *s->conn_counts);
    s->call_counts = calloc(cfg->nfaults + 1, sizeof *s->call_counts);
    snprintf(s->hostname, sizeof s->hostname, "%s", cfg->hostname ? cfg->hostname : "localhost");
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    if (!s->dns || !s->conn_counts || !s->call_counts ||
        pthread_key_create(&s->participant, sim_participant_exit) != 0) {
        srr__sim_dns_free(s->dns);
        free(s->conn_counts);
        free(s->call_counts);
        srr__sim_config_free(cfg);
        free(s);
        *error = -ENOMEM;
        return NULL;
    }
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
static srr_world *sim_create_reporting(sim_config *cfg, char *errbuf, size_t errlen)
{
    int error;
    if (errbuf && errlen)
        errbuf[0] = '\0';
    srr_world *w = sim_create(cfg, &error, errbuf, errlen);
    if (!w && errbuf && errlen && !errbuf[0])
        snprintf(errbuf, errlen, "sim: %s", strerror(-error));
    return w;
}

srr_world *srr_world_sim(const char *config_path, char *errbuf, size_t errlen)
{
    srr_parse_error e;
    sim_config *cfg =
        config_path ? srr__sim_config_load(config_path, &e) : srr__sim_config_default();
    if (!cfg) {
        if (errbuf && errlen)
            srr__parse_error_format(&e, errbuf, errlen);
        return NULL;
    }
    return sim_create_reporting(cfg, errbuf, errlen);
}

srr_world *srr_world_sim_seeded(const char *config_path, uint64_t seed, char *errbuf,
                                size_t errlen)
{
    srr_parse_error e;
    sim_config *cfg =
        config_path ? srr__sim_config_load(config_path, &e) : srr__sim_config_default();
    if (!cfg) {
        if (errbuf && errlen)
            srr__parse_error_format(&e, errbuf, errlen);
        return NULL;
    }
    cfg->seed = seed;
    return sim_create_reporting(cfg, errbuf, errlen);
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
    return sim_create_reporting(cfg, errbuf, errlen);
}

void srr__sim_destroy(srr_world *w)
{
    sim_world *s = SIM(w);
    /* No destructor may run on a freed world once the key is gone. */
    pthread_key_delete(s->participant);
    /* queued connections are sockets of their own in `all`: no listener may
     * walk its queue into ones already freed */
    for (size_t i = 0; i < s->nall; i++)
        s->all[i]->npending = 0;
    while (s->nall > 0) {
        sim_sock *k = s->all[s->nall - 1];
        k->refs = 1;
        srr__sim_sock_unref(s, k);
    }
    free(s->all);
    free(s->handles);
    free(s->services);
    free(s->conn_counts);
    free(s->call_counts);
    srr__sim_dns_free(s->dns);
    srr__sim_config_free(s->cfg);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* ---------------------------------------------------------------- control */

static void sim_expect(sim_world *s, int delta)
{
    if (delta > 0) {
        /* the announcer enters first, so its own first call cannot take the token */
        srr__sim_enter(s);
        s->expected++;
        srr__sim_leave(s);
        return;
    }
    pthread_mutex_lock(&s->lock);
    if (s->expected > 0)
        s->expected--;
    srr__sim_changed(s); /* waiters re-check whether time may move */
    pthread_mutex_unlock(&s->lock);
}

static int sim_park(sim_world *s, srr_park *p)
{
    pthread_mutex_lock(&s->lock);
    int r = 0;
    if (pthread_getspecific(s->participant)) {
        /* the clock the caller read its deadline from is the virtual one;
         * p->woken says whether it is busy until its first look (what it
         * waits for may have come already) or settled at once */
        p->next = s->parked;
        s->parked = p;
        srr__sim_changed(s); /* a waiter may now find everyone settled */
        if (!p->woken)
            sim_try_advance(s); /* settled, and maybe the last to */
        r = 1;
    }
    pthread_mutex_unlock(&s->lock);
    return r;
}

static int sim_park_due(sim_world *s, srr_park *p)
{
    pthread_mutex_lock(&s->lock);
    p->woken = 0; /* it looked, and waits on */
    /* Its settling may be the one every other waiter waits for: whoever
     * settles last moves time, or nobody would (a join on a thread that
     * sleeps, a pool that waits for a worker's timeout).  With nothing
     * due, that is the deadlock the sim's waiters hear of. */
    if (p->deadline < 0 || s->now < p->deadline)
        sim_try_advance(s);
    int due = p->deadline >= 0 && s->now >= p->deadline;
    pthread_mutex_unlock(&s->lock);
    return due;
}

static void sim_wake(sim_world *s, const void *on)
{
    pthread_mutex_lock(&s->lock);
    /* every thread parked on it may be the one woken: busy until it looks */
    for (srr_park *p = s->parked; p; p = p->next)
        if (p->on == on)
            p->woken = 1;
    pthread_mutex_unlock(&s->lock);
}

static void sim_unpark(sim_world *s, srr_park *p)
{
    pthread_mutex_lock(&s->lock);
    for (srr_park **q = &s->parked; *q; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            break;
        }
    srr__sim_changed(s);
    pthread_mutex_unlock(&s->lock);
}

/* The host's read of the clock: no participant is made of the reader. */
static int sim_host_now(sim_world *s, int64_t *inout)
{
    pthread_mutex_lock(&s->lock);
    int64_t r = srr__sim_clock(s, (clockid_t)*inout);
    pthread_mutex_unlock(&s->lock);
    if (r < 0)
        return (int)r;
    *inout = r;
    return 0;
}

static int sim_fork(sim_world *s, srr_fork *f)
{
    if (f->phase == SRR_FORK_PREPARE) {
        pthread_mutex_lock(&s->lock);
        s->fork_from.mono = s->now;
        s->fork_from.realtime = srr__sim_clock(s, CLOCK_REALTIME);
        pthread_mutex_unlock(&s->lock);
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
    pthread_mutex_lock(&s->lock);
    int dead = s->deadlocks > 0;
    snprintf(rep->buf, rep->len, "%s", dead ? s->deadlock_report : "");
    pthread_mutex_unlock(&s->lock);
    return dead;
}

int srr__sim_control(srr_world *w, int op, void *arg)
{
    sim_world *s = SIM(w);
    switch (op) {
    case SRR_CTL_THREAD_EXPECT:
        sim_expect(s, 1);
        return 0;
    case SRR_CTL_THREAD_CANCEL:
        sim_expect(s, -1);
        return 0;
    case SRR_CTL_THREAD_ENTER:
        srr__sim_enter(s);
        srr__sim_leave(s);
        return 0;
    case SRR_CTL_PARK:
        return sim_park(s, arg);
    case SRR_CTL_PARK_DUE:
        return sim_park_due(s, arg);
    case SRR_CTL_UNPARK:
        sim_unpark(s, arg);
        return 0;
    case SRR_CTL_WAKE:
        sim_wake(s, arg);
        return 0;
    case SRR_CTL_NOW:
        return sim_host_now(s, arg);
    case SRR_CTL_CLOCK_CHARGE:
        *(int64_t *)arg = srr__vclock_charge(&s->clock_charged, *(int64_t *)arg);
        return 0;
    case SRR_CTL_WAIT_STEP:
        *(int64_t *)arg = SRR_VCLOCK_WAIT_STEP_NS;
        return 0;
    case SRR_CTL_TIMER_ARM:
        sim_timer_arm(s, arg);
        return 0;
    case SRR_CTL_TIMER_DISARM:
        sim_timer_disarm(s, arg);
        return 0;
    case SRR_CTL_ON_STUCK:
        pthread_mutex_lock(&s->lock);
        s->on_stuck = *(const srr_on_stuck *)arg;
        pthread_mutex_unlock(&s->lock);
        return 0;
    case SRR_CTL_FORK:
        return sim_fork(s, arg);
    case SRR_CTL_SIM_SEED:
        *(uint64_t *)arg = s->cfg->seed; /* fixed at creation: no lock */
        return 0;
    case SRR_CTL_SIM_DEADLOCK:
        return sim_deadlock(s, arg);
    case SRR_CTL_SIM_ADDRS:
        return srr__sim_dns_addrs(s->dns, arg);
    default:
        return -ENOTTY;
    }
}
