/*
 * socket.c — the socket object: creation, lifetime, attributes, options.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "check.h"
#include "internal.h"

#define SOCK_TYPE_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

int srr__check_open(const srr_socket *s, srr_error *err)
{
    if (!s)
        return srr__err_value(err, "socket is NULL");
    if (s->fd < 0 || s->closed)
        return srr__err_os_msg(err, EBADF, "Bad file descriptor (socket is closed)");
    return 0;
}

srr_socket *srr__socket_wrap(srr_world *w, int fd, int family, int type, int proto,
                             int64_t timeout_ns, srr_error *err)
{
    srr_socket *s = calloc(1, sizeof *s);
    if (!s) {
        srr__err_os(err, ENOMEM);
        return NULL;
    }
    s->world = w;
    s->fd = fd;
    s->family = family;
    s->type = type & ~SOCK_TYPE_FLAGS;
    s->proto = proto;
    s->timeout_ns = timeout_ns;
    return s;
}

/* An object for a handle this library just made (and closes on failure):
 * in the default timeout mode, or non-blocking when the type asks for
 * SOCK_NONBLOCK (CPython 3.7+).  As CPython's init_sockobject, the
 * descriptor's O_NONBLOCK is only touched when a timeout mode needs it set:
 * a duplicated handle shares it with the original. */
static srr_socket *socket_adopt(srr_world *w, int fd, int family, int type, int proto,
                                srr_error *err)
{
    int64_t timeout = (type & SOCK_NONBLOCK) ? 0 : w->default_timeout_ns;
    srr_socket *s = srr__socket_wrap(w, fd, family, type, proto, timeout, err);
    if (!s) {
        w->ops->close(w, fd);
        return NULL;
    }
    if (timeout >= 0 && srr__apply_timeout(s, timeout, err) < 0) {
        w->ops->close(w, fd);
        free(s);
        return NULL;
    }
    return s;
}

srr_socket *srr_socket_new(srr_world *w, int family, int type, int proto, srr_error *err)
{
    if (!w) {
        srr__err_value(err, "world is NULL");
        return NULL;
    }
    int fd = srr__check_socket(family, type | SOCK_CLOEXEC);
    if (fd == 0)
        fd = w->ops->socket(w, family, type | SOCK_CLOEXEC, proto);
    if (fd < 0) {
        srr__err_os(err, -fd);
        return NULL;
    }
    return socket_adopt(w, fd, family, type, proto, err);
}

int srr_socketpair(srr_world *w, int family, int type, int proto, srr_socket *pair[2],
                   srr_error *err)
{
    if (!w || !pair)
        return srr__err_value(err, "world or pair is NULL");
    if (family == 0)
        family = AF_UNIX;
    if (type == 0)
        type = SOCK_STREAM;
    int sv[2] = {-1, -1};
    int r = srr__check_socketpair(family, type | SOCK_CLOEXEC, sv);
    if (r == 0)
        r = w->ops->socketpair(w, family, type | SOCK_CLOEXEC, proto, sv);
    if (r < 0)
        return srr__err_os(err, -r);
    pair[0] = socket_adopt(w, sv[0], family, type, proto, err);
    if (!pair[0]) {
        w->ops->close(w, sv[1]);
        return -1;
    }
    pair[1] = socket_adopt(w, sv[1], family, type, proto, err);
    if (!pair[1]) {
        srr_close(pair[0], NULL);
        pair[0] = NULL;
        return -1;
    }
    return 0;
}

/* What the socket itself says of an attribute given as -1. */
static int socket_query(srr_world *w, int fd, int opt, int *value, srr_error *err)
{
    socklen_t len = sizeof *value;
    int r = w->ops->getsockopt(w, fd, SOL_SOCKET, opt, value, &len);
    return r < 0 ? srr__err_os(err, -r) : 0;
}

/* A world and a descriptor to adopt: 0, or -1 with a ValueError in err. */
static int socket_fd_arg(srr_world *w, int fd, srr_error *err)
{
    if (!w)
        return srr__err_value(err, "world is NULL");
    if (fd < 0)
        return srr__err_value(err, "negative file descriptor");
    return 0;
}

srr_socket *srr_socket_from_fileno(srr_world *w, int fd, int family, int type, int proto,
                                   srr_error *err)
{
    if (socket_fd_arg(w, fd, err) < 0)
        return NULL;
    /* CPython checks the descriptor is a socket before adopting it */
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    int r = w->ops->getsockname(w, fd, (struct sockaddr *)&ss, &sslen);
    if (r == -EBADF || r == -ENOTSOCK) {
        srr__err_os(err, -r);
        return NULL;
    }
    if ((family == -1 && socket_query(w, fd, SO_DOMAIN, &family, err) < 0) ||
        (type == -1 && socket_query(w, fd, SO_TYPE, &type, err) < 0) ||
        (proto == -1 && socket_query(w, fd, SO_PROTOCOL, &proto, err) < 0))
        return NULL;
    int64_t timeout = w->default_timeout_ns;
    srr_socket *s = srr__socket_wrap(w, fd, family, type, proto, timeout, err);
    if (s && timeout >= 0 && srr__apply_timeout(s, timeout, err) < 0) {
        free(s); /* the caller still owns fd */
        return NULL;
    }
    return s;
}

static int socket_dup_handle(srr_world *w, int fd, srr_error *err)
{
    int nfd = w->ops->fcntl(w, fd, F_DUPFD_CLOEXEC, 0);
    return nfd < 0 ? srr__err_os(err, -nfd) : nfd;
}

srr_socket *srr_fromfd(srr_world *w, int fd, int family, int type, int proto, srr_error *err)
{
    if (socket_fd_arg(w, fd, err) < 0)
        return NULL;
    int nfd = socket_dup_handle(w, fd, err);
    if (nfd < 0)
        return NULL;
    return socket_adopt(w, nfd, family, type, proto, err);
}

srr_socket *srr_dup(srr_socket *s, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return NULL;
    int nfd = socket_dup_handle(s->world, s->fd, err);
    if (nfd < 0)
        return NULL;
    /* CPython's dup() ends with settimeout(self.gettimeout()) */
    srr_socket *d =
        srr__socket_wrap(s->world, nfd, s->family, s->type, s->proto, s->timeout_ns, err);
    if (!d)
        s->world->ops->close(s->world, nfd);
    return d;
}

void srr__socket_unref(srr_socket *s)
{
    if (--s->io_refs > 0 || !s->closed)
        return;
    if (s->fd >= 0)
        s->world->ops->close(s->world, s->fd);
    free(s);
}

int srr_close(srr_socket *s, srr_error *err)
{
    if (!s || s->closed)
        return 0;
    s->closed = 1;
    if (s->io_refs > 0)
        return 0; /* the last makefile() stream closes the handle */
    int r = 0;
    if (s->fd >= 0) {
        r = s->world->ops->close(s->world, s->fd);
        /* ECONNRESET on close only means the peer went first (CPython). */
        if (r == -ECONNRESET)
            r = 0;
    }
    free(s);
    return r < 0 ? srr__err_os(err, -r) : 0;
}

int srr_detach(srr_socket *s)
{
    if (!s)
        return -1;
    int fd = s->fd;
    s->fd = -1;
    return fd;
}

int srr_fileno(const srr_socket *s)
{
    return s && !s->closed ? s->fd : -1;
}

int srr_family(const srr_socket *s)
{
    return s ? s->family : -1;
}

int srr_type(const srr_socket *s)
{
    return s ? s->type : -1;
}

int srr_proto(const srr_socket *s)
{
    return s ? s->proto : -1;
}

srr_world *srr_socket_world(const srr_socket *s)
{
    return s ? s->world : NULL;
}

int srr_get_inheritable(srr_socket *s, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    int fl = s->world->ops->fcntl(s->world, s->fd, F_GETFD, 0);
    if (fl < 0)
        return srr__err_os(err, -fl);
    return !(fl & FD_CLOEXEC);
}

int srr_set_inheritable(srr_socket *s, int inheritable, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    srr_world *w = s->world;
    int fl = w->ops->fcntl(w, s->fd, F_GETFD, 0);
    if (fl < 0)
        return srr__err_os(err, -fl);
    fl = inheritable ? (fl & ~FD_CLOEXEC) : (fl | FD_CLOEXEC);
    int r = w->ops->fcntl(w, s->fd, F_SETFD, fl);
    return r < 0 ? srr__err_os(err, -r) : 0;
}

typedef int (*name_op)(srr_world *w, int s, struct sockaddr *addr, socklen_t *len);

/* getsockname and getpeername: the same call to a different slot. */
static int socket_name(srr_socket *s, name_op op, srr_addr *addr, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    if (!addr)
        return srr__err_value(err, "address is NULL");
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int r = op(s->world, s->fd, (struct sockaddr *)&ss, &len);
    if (r < 0)
        return srr__err_os(err, -r);
    return srr_addr_from_sockaddr(addr, (struct sockaddr *)&ss, len, err);
}

int srr_getsockname(srr_socket *s, srr_addr *addr, srr_error *err)
{
    return socket_name(s, s ? s->world->ops->getsockname : NULL, addr, err);
}

int srr_getpeername(srr_socket *s, srr_addr *addr, srr_error *err)
{
    return socket_name(s, s ? s->world->ops->getpeername : NULL, addr, err);
}

int srr_getsockopt_int(srr_socket *s, int level, int name, int *value, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    if (!value)
        return srr__err_value(err, "value is NULL");
    socklen_t len = sizeof *value;
    *value = 0;
    int r = s->world->ops->getsockopt(s->world, s->fd, level, name, value, &len);
    return r < 0 ? srr__err_os(err, -r) : 0;
}

ssize_t srr_getsockopt_buf(srr_socket *s, int level, int name, void *buf, size_t buflen,
                           srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    /* CPython's limit: 0 < buflen <= 1024 */
    if (!buf)
        return srr__err_value(err, "buffer is NULL");
    if (buflen == 0 || buflen > 1024)
        return srr__err_os_msg(err, EINVAL, "getsockopt buflen out of range");
    socklen_t len = (socklen_t)buflen;
    int r = s->world->ops->getsockopt(s->world, s->fd, level, name, buf, &len);
    return r < 0 ? srr__err_os(err, -r) : (ssize_t)len;
}

int srr_setsockopt_int(srr_socket *s, int level, int name, int value, srr_error *err)
{
    return srr_setsockopt_buf(s, level, name, &value, sizeof value, err);
}

int srr_setsockopt_buf(srr_socket *s, int level, int name, const void *buf, size_t len,
                       srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    if (!buf && len > 0)
        return srr__err_value(err, "buffer is NULL");
    if (len > (size_t)INT32_MAX)
        return srr__err_value(err, "option value too long");
    int r = srr__check_setsockopt(level, name, buf, (socklen_t)len);
    if (r == 0)
        r = s->world->ops->setsockopt(s->world, s->fd, level, name, buf, (socklen_t)len);
    return r < 0 ? srr__err_os(err, -r) : 0;
}

int srr_shutdown(srr_socket *s, int how, srr_error *err)
{
    if (srr__check_open(s, err) < 0)
        return -1;
    int r = srr__check_shutdown(how);
    if (r == 0)
        r = s->world->ops->shutdown(s->world, s->fd, how);
    return r < 0 ? srr__err_os(err, -r) : 0;
}
