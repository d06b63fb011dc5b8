/*
 * fuzz_world.c — the fuzz world: the sim's table under its own name, with
 * the peer of fuzz_peer.c and control codes of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit_status.h"
#include "fuzz_int.h"

extern const srr_world_ops srr__sim_ops;

static srr_world_ops fuzz_ops;
static pthread_once_t fuzz_ops_once = PTHREAD_ONCE_INIT;

/* A fork the child may keep the world through: the forkserver's (it forks
 * while the peer asks its host for the first case, in the world's lock, and
 * its parent never comes back), or one before the program made anything in
 * the world (a forkserver started at the program's start, a daemon's
 * fork): the world is whole in the child. */
static int fuzz_fork_keeps(sim_world *s, fuzz_peer *p, int phase)
{
    if (p->starting)
        return 1; /* in the world's lock already */
    if (phase == SRR_FORK_PREPARE) { /* decided once, before the fork: the child takes no lock */
        pthread_mutex_lock(&s->vt.lock);
        int programs = 0; /* sockets of the program's, not the config's services' */
        for (size_t i = 0; i < s->nall && !programs; i++)
            programs = !s->all[i]->service;
        p->fork_keeps = !programs && !p->loaded;
        pthread_mutex_unlock(&s->vt.lock);
    }
    return p->fork_keeps;
}

static int fuzz_give(sim_world *s, const srr_fuzz_input *in)
{
    unsigned char *copy = malloc(in->len ? in->len : 1);
    if (!copy)
        return -ENOMEM;
    if (in->len)
        memcpy(copy, in->data, in->len);
    pthread_mutex_lock(&s->vt.lock);
    int r = srr__fuzz_peer_load(s, copy, in->len);
    pthread_mutex_unlock(&s->vt.lock);
    return r;
}

static int fuzz_control(srr_world *w, int op, void *arg)
{
    sim_world *s = SIM(w);
    fuzz_peer *p = FUZZ_PEER(s);
    switch (op) {
    case SRR_CTL_FORK: {
        int phase = ((srr_fork *)arg)->phase;
        if (fuzz_fork_keeps(s, p, phase)) {
            if (phase != SRR_FORK_PREPARE && !p->starting)
                p->split = 1;
            return 0;
        }
        return srr__sim_control(w, op, arg);
    }
    case SRR_CTL_FUZZ_GIVE:
        return fuzz_give(s, arg);
    case SRR_CTL_FUZZ_STATS:
        pthread_mutex_lock(&s->vt.lock);
        *(srr_fuzz_stats *)arg = p->stats;
        pthread_mutex_unlock(&s->vt.lock);
        return 0;
    case SRR_CTL_PROGRAM_END: {
        /* a program that never waited for input used none of the case;
         * after a fork that left the world whole to both (a daemon's start),
         * the one that ended may have left the case to the other: whether the
         * parent's waitpid was seen as a wait before the child ended was a
         * race, and this verdict with it */
        srr_verdict *v = arg;
        if (p->loaded || !p->host.next_case || p->split)
            return 0;
        v->status = SRR_EXIT_NO_WAIT;
        snprintf(v->message, sizeof v->message,
                 "the program ended before it waited for input: none of the test case was "
                 "given");
        return 1;
    }
    default:
        return srr__sim_control(w, op, arg);
    }
}

static void fuzz_ops_init(void)
{
    fuzz_ops = srr__sim_ops;
    fuzz_ops.name = "fuzz";
    fuzz_ops.control = fuzz_control;
}

srr_world *srr_world_fuzz(const char *config_path, const srr_fuzz_host *host, char *errbuf,
                          size_t errlen)
{
    pthread_once(&fuzz_ops_once, fuzz_ops_init);
    sim_config *cfg = srr__sim_load(config_path, errbuf, errlen);
    if (!cfg)
        return NULL;
    fuzz_peer *p = srr__fuzz_peer_new(host);
    if (!p) {
        srr__sim_config_free(cfg);
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "fuzz: %s", strerror(ENOMEM));
        return NULL;
    }
    return srr__sim_create_with(cfg, &fuzz_ops, &srr__fuzz_peer_ops, p, errbuf, errlen);
}
