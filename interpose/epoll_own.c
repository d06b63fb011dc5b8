/*
 * epoll_own.c — epoll over a world with handles of its own (sim, replay).
 * The kernel cannot watch a world's socket (its placeholder descriptor
 * never becomes ready), so for each epoll instance the interposer keeps the
 * world sockets' interest list here and leaves the real descriptors' in
 * the kernel.  epoll_wait polls both: the world's sockets through the
 * world, the kernel's list through the epoll descriptor itself (readable
 * when it has events).
 *
 * Edge-triggered entries report a readiness bit only when it was not
 * reported last time, or, for EPOLLIN, when more bytes arrived (FIONREAD
 * grew); EPOLLONESHOT entries go quiet after one report until
 * EPOLL_CTL_MOD.  Over the kernel every call is libc's.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "preload.h"

typedef struct ep_entry {
    int fd;
    struct epoll_event ev;
    uint32_t reported; /* edge-triggered: the bits last reported */
    int nread;         /* edge-triggered: FIONREAD when last reported */
    int quiet;         /* EPOLLONESHOT fired */
    struct ep_entry *next;
} ep_entry;

typedef struct ep_set {
    int epfd;
    ep_entry *entries;
    struct ep_set *next;
} ep_set;

/* The interest lists, one per epoll descriptor that has world sockets. */
static ep_set *sets;
static pthread_mutex_t sets_lock = PTHREAD_MUTEX_INITIALIZER;

static ep_set *ep_find(int epfd, int create)
{
    for (ep_set *s = sets; s; s = s->next)
        if (s->epfd == epfd)
            return s;
    if (!create)
        return NULL;
    ep_set *s = calloc(1, sizeof *s);
    if (s) {
        s->epfd = epfd;
        s->next = sets;
        sets = s;
    }
    return s;
}

/* An epoll descriptor closed or reused: its list goes. */
void srr__epoll_forget(int epfd)
{
    if (!atomic_load_explicit((_Atomic(ep_set *) *)&sets, memory_order_relaxed))
        return; /* the common case, without the lock: no list anywhere */
    pthread_mutex_lock(&sets_lock);
    for (ep_set **p = &sets; *p; p = &(*p)->next) {
        if ((*p)->epfd == epfd) {
            ep_set *s = *p;
            *p = s->next;
            while (s->entries) {
                ep_entry *e = s->entries;
                s->entries = e->next;
                free(e);
            }
            free(s);
            break;
        }
    }
    pthread_mutex_unlock(&sets_lock);
}

/* A world socket closed: the kernel drops a closed descriptor from every
 * epoll set, so the lists here do too. */
void srr__epoll_drop_fd(int fd)
{
    if (!atomic_load_explicit((_Atomic(ep_set *) *)&sets, memory_order_relaxed))
        return;
    pthread_mutex_lock(&sets_lock);
    for (ep_set *s = sets; s; s = s->next) {
        for (ep_entry **p = &s->entries; *p;) {
            if ((*p)->fd == fd) {
                ep_entry *e = *p;
                *p = e->next;
                free(e);
            } else {
                p = &(*p)->next;
            }
        }
    }
    pthread_mutex_unlock(&sets_lock);
}

void srr__epoll_rearm(int fd)
{
    if (!atomic_load_explicit((_Atomic(ep_set *) *)&sets, memory_order_relaxed))
        return;
    pthread_mutex_lock(&sets_lock);
    for (ep_set *s = sets; s; s = s->next)
        for (ep_entry *e = s->entries; e; e = e->next)
            if (e->fd == fd) {
                e->reported &= ~(uint32_t)(EPOLLIN | EPOLLOUT);
                e->nread = 0;
            }
    pthread_mutex_unlock(&sets_lock);
}


/* A new epoll descriptor: the process's own until it watches a descriptor
 * from outside (wait_real.c's rule, by what it watches). */
static int epoll_made(int r)
{
    if (r >= 0) {
        srr__fd_set_internal(r);
        srr__epoll_forget(r); /* a number reused after a close the interposer missed */
    }
    return r;
}

int epoll_create(int size)
{
    return epoll_made(REAL(epoll_create)(size));
}

int epoll_create1(int flags)
{
    return epoll_made(REAL(epoll_create1)(flags));
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    if (!srr__preload_own_handles() || fd < 0 || srr__fd_handle(fd) < 0) {
        int r = REAL(epoll_ctl)(epfd, op, fd, ev);
        /* watching a descriptor from outside makes the set one from outside */
        if (r == 0 && op == EPOLL_CTL_ADD && srr__fd_internal(epfd) && !srr__fd_internal(fd))
            srr__fd_set_plain(epfd);
        return r;
    }
    /* the kernel checks epfd is an epoll descriptor */
    struct epoll_event probe;
    if (REAL(epoll_wait)(epfd, &probe, 1, 0) < 0)
        return -1;
    if (op != EPOLL_CTL_DEL && !ev) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&sets_lock);
    ep_set *s = ep_find(epfd, op == EPOLL_CTL_ADD);
    ep_entry **pe = NULL;
    for (ep_entry **p = s ? &s->entries : NULL; p && *p; p = &(*p)->next)
        if ((*p)->fd == fd) {
            pe = p;
            break;
        }
    int err = 0;
    if (op == EPOLL_CTL_ADD) {
        ep_entry *e = pe ? NULL : calloc(1, sizeof *e);
        if (pe)
            err = EEXIST;
        else if (!s || !e)
            err = ENOMEM;
        else {
            e->fd = fd;
            e->ev = *ev;
            e->next = s->entries;
            s->entries = e;
        }
    } else if (!pe) {
        err = ENOENT;
    } else if (op == EPOLL_CTL_MOD) {
        (*pe)->ev = *ev;
        (*pe)->quiet = 0;
        (*pe)->reported = 0;
    } else if (op == EPOLL_CTL_DEL) {
        ep_entry *e = *pe;
        *pe = e->next;
        free(e);
    } else {
        err = EINVAL;
    }
    pthread_mutex_unlock(&sets_lock);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

/* The bits an entry reports now (0: nothing new for an edge-triggered one). */
static uint32_t ep_report(srr_world *w, ep_entry *e, short revents)
{
    uint32_t bits = (uint32_t)revents & (e->ev.events | EPOLLERR | EPOLLHUP);
    if (e->quiet)
        return 0;
    if (!bits) {
        e->reported = 0; /* not ready now: the next readiness is an edge */
        e->nread = 0;
        return 0;
    }
    if (e->ev.events & EPOLLET) {
        int nread = 0;
        int h = srr__fd_handle(e->fd);
        if ((bits & EPOLLIN) && h >= 0)
            w->ops->ioctl(w, h, FIONREAD, &nread);
        uint32_t fresh = bits & ~e->reported;
        if (!fresh && !((bits & EPOLLIN) && nread > e->nread)) {
            e->reported = bits;
            e->nread = nread;
            return 0;
        }
        e->reported = bits;
        e->nread = nread;
    }
    if (e->ev.events & EPOLLONESHOT)
        e->quiet = 1;
    return bits;
}

static int epoll_own_wait(srr_world *w, ep_set *s, int epfd, struct epoll_event *out, int max,
                          int64_t timeout_ns, const sigset_t *mask)
{
    size_t n = 1;
    for (ep_entry *e = s->entries; e; e = e->next)
        n++;
    struct pollfd *p = calloc(n, sizeof *p);
    ep_entry **who = calloc(n, sizeof *who);
    if (!p || !who) {
        free(p);
        free(who);
        return -ENOMEM;
    }
    int64_t start = srr__world_now(w, CLOCK_MONOTONIC);
    int r;
    for (;;) {
        size_t k = 0;
        for (ep_entry *e = s->entries; e; e = e->next) {
            if (e->quiet)
                continue;
            p[k] = (struct pollfd){e->fd, (short)(e->ev.events & (EPOLLIN | EPOLLOUT | EPOLLPRI |
                                                                  EPOLLRDHUP)), 0};
            who[k++] = e;
        }
        p[k] = (struct pollfd){epfd, POLLIN, 0}; /* the kernel's own list */
        int64_t left =
            timeout_ns < 0 ? -1 : timeout_ns - (srr__world_now(w, CLOCK_MONOTONIC) - start);
        if (timeout_ns >= 0 && left < 0)
            left = 0;
        r = srr__poll_mixed(w, p, k + 1, left, mask);
        if (r < 0)
            break;
        int got = 0;
        for (size_t i = 0; i < k && got < max; i++) {
            uint32_t bits = ep_report(w, who[i], p[i].revents);
            if (bits)
                out[got++] = (struct epoll_event){bits, who[i]->ev.data};
        }
        if ((p[k].revents & POLLIN) && got < max) {
            int more = REAL(epoll_wait)(epfd, out + got, max - got, 0);
            if (more > 0)
                got += more;
        }
        if (got || r == 0) {
            r = got;
            break;
        }
        /* ready, but nothing new for edge-triggered entries: let virtual
         * time move a step before looking again */
        if (timeout_ns >= 0 && srr__world_now(w, CLOCK_MONOTONIC) - start >= timeout_ns) {
            r = 0;
            break;
        }
        w->ops->sleep(w, CLOCK_MONOTONIC, srr__wait_step(w));
    }
    free(p);
    free(who);
    return r;
}

/* A set of real descriptors only: its descriptor, readable when the set
 * has events, is waited on as a wait the world counts; then the kernel
 * says which. */
static int epoll_real(int epfd, struct epoll_event *evs, int max, int timeout_ms,
                      const sigset_t *mask)
{
    struct pollfd p = {epfd, POLLIN, 0};
    int e = errno;
    int r = srr__poll_real(&p, 1, timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000, mask);
    if (r == -ENOTTY)
        return REAL(epoll_pwait)(epfd, evs, max, timeout_ms, mask);
    if (r <= 0)
        return (int)srr__ret(r, e);
    return REAL(epoll_pwait)(epfd, evs, max, 0, mask);
}

int epoll_pwait(int epfd, struct epoll_event *evs, int max, int timeout_ms, const sigset_t *mask)
{
    srr_world *w = srr__preload_world_if_ready();
    if (!w)
        return REAL(epoll_pwait)(epfd, evs, max, timeout_ms, mask);
    if (!srr__preload_own_handles())
        return epoll_real(epfd, evs, max, timeout_ms, mask);
    pthread_mutex_lock(&sets_lock);
    ep_set *s = ep_find(epfd, 0);
    int any = s && s->entries;
    pthread_mutex_unlock(&sets_lock);
    if (!any)
        return epoll_real(epfd, evs, max, timeout_ms, mask);
    if (max <= 0 || !evs) {
        errno = EINVAL;
        return -1;
    }
    int e = errno;
    /* the list is read without the lock while waiting: epoll_ctl from
     * another thread during a wait is not modelled (documented) */
    int64_t ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;
    return (int)srr__ret(epoll_own_wait(w, s, epfd, evs, max, ns, mask), e);
}

int epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms)
{
    return epoll_pwait(epfd, evs, max, timeout_ms, NULL);
}
