/*
 * connect.c — bind, listen, accept, connect, connect_ex, create_connection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "internal.h"

/* An open socket's address argument as a sockaddr of its family: 0, or
 * -1 with err set. */
static int open_sockaddr(srr_socket *s, const srr_addr *addr, struct sockaddr_storage *ss,
                         socklen_t *len, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    return srr__addr_to_sockaddr(s->world, s->family, addr, ss, len, err) < 0 ? -1 : 0;
}

int srr_bind(srr_socket *s, const srr_addr *addr, srr_error *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (open_sockaddr(s, addr, &ss, &len, err) < 0)
        return -1;
    int r = srr__check_sockaddr((struct sockaddr *)&ss, len);
    if (r == 0)
        r = s->world->ops->bind(s->world, s->fd, (struct sockaddr *)&ss, len);
    return r < 0 ? srr__err_os(err, -r) : 0;
}

int srr_listen(srr_socket *s, int backlog, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    if (backlog < 0)
        backlog = 0; /* the seed: "the minimum value is forced to 0" */
    int r = s->world->ops->listen(s->world, s->fd, backlog);
    return r < 0 ? srr__err_os(err, -r) : 0;
}

struct accept_ctx {
    struct sockaddr_storage ss;
    socklen_t len;
    int flags;
};

static ssize_t accept_once(srr_socket *s, void *p)
{
    struct accept_ctx *c = p;
    c->len = sizeof c->ss;
    return s->world->ops->accept4(s->world, s->fd, (struct sockaddr *)&c->ss, &c->len, c->flags);
}

int srr_accept(srr_socket *s, srr_socket **conn, srr_addr *peer, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    if (!conn)
        return srr__err_value(err, "conn is NULL");
    *conn = NULL;
    /* The accepted socket takes the default timeout, else it is blocking:
     * Linux's accept does not pass O_NONBLOCK on, so only ask for it when a
     * default timeout is set. */
    int64_t timeout = s->world->default_timeout_ns;
    struct accept_ctx c = {.flags = SOCK_CLOEXEC | (timeout >= 0 ? SOCK_NONBLOCK : 0)};
    ssize_t fd = srr__sock_call(s, 0, accept_once, &c, 0, err);
    if (fd < 0)
        return -1;
    srr_addr tmp;
    if (srr_addr_from_sockaddr(peer ? peer : &tmp, (struct sockaddr *)&c.ss, c.len, NULL) < 0)
        (peer ? peer : &tmp)->family = AF_UNSPEC; /* an unnamed peer, e.g. AF_UNIX */
    *conn = srr__socket_wrap(s->world, (int)fd, s->family, s->type, s->proto, timeout, err);
    if (!*conn) {
        s->world->ops->close(s->world, (int)fd);
        return -1;
    }
    return 0;
}

static ssize_t connect_result(srr_socket *s, void *p)
{
    (void)p;
    int so_error = 0;
    socklen_t len = sizeof so_error;
    int r = s->world->ops->getsockopt(s->world, s->fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
    if (r < 0)
        return r;
    if (so_error == 0 || so_error == EISCONN)
        return 0;
    return -so_error;
}

/* CPython's internal_connect: 0 connected, >0 the connect errno, -1 with
 * *err for a timeout or a failure of the waiting itself. */
static int connect_sockaddr(srr_socket *s, const struct sockaddr *sa, socklen_t len,
                            srr_error *err)
{
    /* create_connection's addresses are the world's resolver's */
    int r = srr__check_sockaddr(sa, len);
    if (r < 0)
        return -r;
    r = s->world->ops->connect(s->world, s->fd, sa, len);
    if (r == 0)
        return 0;
    int wait = r == -EINTR ? s->timeout_ns != 0 : (s->timeout_ns > 0 && r == -EINPROGRESS);
    if (!wait)
        return -r;
    /* Wait for writability, then read the outcome from SO_ERROR. */
    int64_t deadline;
    if (srr__deadline(s, &deadline, err) < 0)
        return -1;
    for (;;) {
        int ready = srr__wait(s, 1, deadline);
        if (ready == 0)
            return srr__err_timeout(err);
        if (ready < 0)
            return srr__err_os(err, -ready);
        ssize_t e = connect_result(s, NULL);
        if (e == 0)
            return 0;
        if (e != -EINTR && e != -EAGAIN && e != -EINPROGRESS && e != -EALREADY)
            return (int)-e;
    }
}

static int connect_addr(srr_socket *s, const srr_addr *addr, srr_error *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (open_sockaddr(s, addr, &ss, &len, err) < 0)
        return -1;
    return connect_sockaddr(s, (struct sockaddr *)&ss, len, err);
}

int srr_connect(srr_socket *s, const srr_addr *addr, srr_error *err)
{
    int r = connect_addr(s, addr, err);
    return r > 0 ? srr__err_os(err, r) : r;
}

int srr_connect_ex(srr_socket *s, const srr_addr *addr, srr_error *err)
{
    srr_error e;
    int r = connect_addr(s, addr, &e);
    if (r == -1 && e.kind == SRR_ERR_TIMEOUT)
        return EWOULDBLOCK; /* CPython's connect_ex reports a timeout this way */
    if (r == -1 && err)
        *err = e;
    return r;
}

static srr_socket *create_connection(srr_world *w, const char *host, int port, int64_t timeout,
                                     const srr_addr *source, srr_error *err)
{
    if (!w) {
        srr__err_value(err, "world is NULL");
        return NULL;
    }
    if (source && source->family == AF_UNSPEC) {
        srr__err_value(err, "source address is unset or was invalid when made");
        return NULL;
    }
    if (port < 0 || port > 65535) {
        srr__err_value(err, "port must be 0-65535, not %d", port);
        return NULL;
    }
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int sys = 0;
    /* host NULL is Python's None: the loopback addresses */
    int r = w->ops->getaddrinfo(w, host, service, &hints, &res, &sys);
    if (r != 0) {
        srr__err_gai(err, r, sys);
        return NULL;
    }
    srr_error last;
    srr__err_os_msg(&last, EADDRNOTAVAIL, "getaddrinfo returns an empty list");
    srr_socket *s = NULL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        s = srr_socket_new(w, ai->ai_family, ai->ai_socktype, ai->ai_protocol, &last);
        if (!s)
            continue;
        if (srr__apply_timeout(s, timeout, &last) < 0)
            goto next;
        if (source) {
            /* The source (host, port) is read in this attempt's family. */
            srr_addr src = *source;
            src.family = ai->ai_family;
            if (srr_bind(s, &src, &last) < 0)
                goto next;
        }
        int c = connect_sockaddr(s, ai->ai_addr, ai->ai_addrlen, &last);
        if (c == 0)
            break;
        if (c > 0)
            srr__err_os(&last, c);
    next:
        srr_close(s, NULL);
        s = NULL;
    }
    w->ops->freeaddrinfo(w, res);
    if (!s && err)
        *err = last;
    return s;
}

srr_socket *srr_create_connection(srr_world *w, const char *host, int port, double timeout,
                                  const srr_addr *source, srr_error *err)
{
    int64_t ns;
    if (srr__timeout_from_seconds(timeout, &ns, err) < 0)
        return NULL;
    return create_connection(w, host, port, ns, source, err);
}

srr_socket *srr_create_connection_default(srr_world *w, const char *host, int port,
                                          const srr_addr *source, srr_error *err)
{
    if (!w) {
        srr__err_value(err, "world is NULL");
        return NULL;
    }
    return create_connection(w, host, port, w->default_timeout_ns, source, err);
}
