/*
 * internal.h — what the API's files share (srr__ names); not installed.
 */
#ifndef SOCKRR_API_INTERNAL_H
#define SOCKRR_API_INTERNAL_H

#include <sys/socket.h>

#include "sockrr.h"

#define SRR_NS_PER_SEC 1000000000LL

struct srr_socket {
    srr_world *world;
    int fd;             /* the world's handle; -1 once closed or detached */
    int family;
    int type;           /* without SOCK_NONBLOCK / SOCK_CLOEXEC */
    int proto;
    int64_t timeout_ns; /* <0 blocking (None), 0 non-blocking, >0 timeout mode */
    int closed;         /* srr_close was called; freed when io_refs drops to 0 */
    int io_refs;        /* open makefile() streams */
};

/* error.c: fill *err (NULL allowed); every one returns -1 for tail calls. */
int srr__err_os(srr_error *err, int errnum);
int srr__err_os_msg(srr_error *err, int errnum, const char *msg);
int srr__err_gai(srr_error *err, int eai, int sys_errno);
int srr__err_herror(srr_error *err, int h_err);
int srr__err_timeout(srr_error *err);
int srr__err_value(srr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void srr__err_clear(srr_error *err);

/* addr.c */
/* Python's setipaddr: a host string ("" any, "<broadcast>", numeric or a
 * name resolved through the world) to a sockaddr of family af (AF_UNSPEC
 * lets the resolver choose).  port is stored in it. */
int srr__resolve_host(srr_world *w, const char *host, int af, int port, struct sockaddr_storage *ss,
                      socklen_t *len, srr_error *err);
/* An srr_addr for a socket of family sock_family to a sockaddr. */
int srr__addr_to_sockaddr(srr_world *w, int sock_family, const srr_addr *a,
                          struct sockaddr_storage *ss, socklen_t *len, srr_error *err);

/* wait.c: the timeout machinery (CPython's sock_call_ex). */
typedef ssize_t (*srr__sock_fn)(srr_socket *s, void *ctx);
/* Runs fn until it succeeds or fails for good, retrying EINTR and, in
 * timeout mode, EAGAIN after poll says the socket is ready.  deadline_ns is
 * the world's monotonic deadline, or 0 to start one from the socket's
 * timeout. */
ssize_t srr__sock_call(srr_socket *s, int writing, srr__sock_fn fn, void *ctx, int64_t deadline_ns,
                       srr_error *err);
/* Into *deadline_ns: the world's monotonic time when s's timeout runs out
 * from now, or 0 when s is not in timeout mode.  -1 with *err when the
 * world's clock fails (a timed call must not turn into an endless one). */
int srr__deadline(srr_socket *s, int64_t *deadline_ns, srr_error *err);
/* Waits until s is readable/writable or the deadline passes: 1 ready, 0
 * timed out, -errno. */
int srr__wait(srr_socket *s, int writing, int64_t deadline_ns);
/* seconds (SRR_TIMEOUT_NONE for None) to the ns form; -1 + VALUE error when
 * out of range. */
int srr__timeout_from_seconds(double seconds, int64_t *ns, srr_error *err);
/* Puts the handle in the O_NONBLOCK state a timeout_ns needs. */
int srr__apply_timeout(srr_socket *s, int64_t timeout_ns, srr_error *err);

/* socket.c */
srr_socket *srr__socket_wrap(srr_world *w, int fd, int family, int type, int proto,
                             int64_t timeout_ns, srr_error *err);
int srr__check_open(const srr_socket *s, srr_error *err);
/* Drops a makefile() reference; frees s when it was the last holder. */
void srr__socket_unref(srr_socket *s);

/* io.c: send/recv with the socket's timeout; used by makefile too. */
ssize_t srr__recv_timed(srr_socket *s, void *buf, size_t len, int flags, srr_error *err);
ssize_t srr__send_timed(srr_socket *s, const void *buf, size_t len, int flags, srr_error *err);

#endif
