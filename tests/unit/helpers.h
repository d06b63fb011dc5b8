/*
 * helpers.h — small shared helpers for the cmocka unit tests (header-only).
 *
 * Macros (all fail the current test through cmocka, so call them only from
 * the test's own thread):
 *   H_OK(expr, errp)         expr returns an integer; fails when it is < 0,
 *                            printing the srr_error; yields the value.
 *   H_PTR(expr, errp)        expr returns a pointer; fails when it is NULL.
 *   H_FAILS(expr, errp, kind, code)
 *                            clears *errp, expects expr to return -1 and
 *                            *errp to hold kind and code (H_ANY_CODE: any).
 *   H_ASSERT_ERR(errp, kind, code)  checks an error already returned.
 *   H_ASSERT_DBL(a, b)       doubles equal within 1e-9, printing both.
 */
#ifndef SRR_TEST_HELPERS_H
#define SRR_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sockrr.h"

#define H_ANY_CODE (-1)

static inline const char *h_kind_name(int kind)
{
    static const char *const names[] = {"NONE", "OS", "HERROR", "GAI", "TIMEOUT", "VALUE"};
    return kind >= 0 && kind < (int)(sizeof names / sizeof names[0]) ? names[kind] : "?";
}

/* "kind=OS code=111 "Connection refused"" for failure messages; a small ring
 * of buffers so two calls can appear in one message. */
static inline const char *h_err_text(const srr_error *e)
{
    static char ring[4][300];
    static unsigned next;
    char *b = ring[next++ % 4];
    if (!e)
        return "(no srr_error)";
    snprintf(b, sizeof ring[0], "kind=%s code=%d \"%.200s\"", h_kind_name((int)e->kind), e->code,
             e->text);
    return b;
}

/* assert_err_kind(e, k), assert_err_code(e, k, c): an srr_error value (not a
 * pointer) holds kind k (and code c), printing both sides otherwise. */
#define assert_err_kind(e, k)                                                                  \
    do {                                                                                       \
        if ((e).kind != (k))                                                                   \
            fail_msg("error kind %d (code %d, \"%s\"), expected kind %d", (int)(e).kind,      \
                     (e).code, (e).text, (int)(k));                                            \
    } while (0)
#define assert_err_code(e, k, c)                                                               \
    do {                                                                                       \
        assert_err_kind(e, k);                                                                 \
        if ((e).code != (c))                                                                   \
            fail_msg("error code %d (\"%s\"), expected %d", (e).code, (e).text, (int)(c));    \
    } while (0)

#define H_OK(expr, errp)                                                                    \
    ({                                                                                      \
        long long h_ok_r_ = (long long)(expr);                                              \
        if (h_ok_r_ < 0)                                                                    \
            fail_msg("%s returned %lld: %s", #expr, h_ok_r_, h_err_text(errp));             \
        h_ok_r_;                                                                            \
    })

#define H_PTR(expr, errp)                                                                   \
    ({                                                                                      \
        __typeof__(expr) h_ptr_p_ = (expr);                                                 \
        if (h_ptr_p_ == NULL)                                                               \
            fail_msg("%s returned NULL: %s", #expr, h_err_text(errp));                      \
        h_ptr_p_;                                                                           \
    })

#define H_ASSERT_ERR(errp, kind_, code_)                                                    \
    do {                                                                                    \
        const srr_error *h_ae_e_ = (errp);                                                  \
        int h_ae_k_ = (kind_), h_ae_c_ = (code_);                                           \
        if ((int)h_ae_e_->kind != h_ae_k_ || (h_ae_c_ != H_ANY_CODE && h_ae_e_->code != h_ae_c_)) \
            fail_msg("expected kind=%s code=%d, got %s", h_kind_name(h_ae_k_), h_ae_c_,     \
                     h_err_text(h_ae_e_));                                                  \
    } while (0)

#define H_FAILS(expr, errp, kind_, code_)                                                   \
    do {                                                                                    \
        srr_error *h_f_e_ = (errp);                                                         \
        memset(h_f_e_, 0, sizeof *h_f_e_);                                                  \
        long long h_f_r_ = (long long)(expr);                                               \
        if (h_f_r_ != -1)                                                                   \
            fail_msg("%s returned %lld, expected -1", #expr, h_f_r_);                       \
        H_ASSERT_ERR(h_f_e_, kind_, code_);                                                 \
    } while (0)

#define H_ASSERT_DBL(a, b)                                                                  \
    do {                                                                                    \
        double h_d_a_ = (a), h_d_b_ = (b);                                                  \
        if (!(h_d_a_ - h_d_b_ < 1e-9 && h_d_b_ - h_d_a_ < 1e-9))                            \
            fail_msg("%s == %.9g, expected %.9g", #a, h_d_a_, h_d_b_);                      \
    } while (0)

/* Monotonic seconds. */
static inline double h_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int h_fd_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    assert_true(fl >= 0);
    return (fl & O_NONBLOCK) != 0;
}

static inline int h_fd_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    assert_true(fl >= 0);
    return (fl & FD_CLOEXEC) != 0;
}

/* Whether this machine can bind an AF_INET6 socket on ::1 (plain libc, so the
 * decision to skip does not depend on the library under test). */
static inline int h_ipv6_loopback_ok(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

static inline const char *h_loopback(int family)
{
    return family == AF_INET6 ? "::1" : "127.0.0.1";
}

/* Fill *a with the loopback address of family and port. */
static inline void h_addr_loopback(srr_addr *a, int family, int port)
{
    int r = family == AF_INET6 ? srr_addr_inet6(a, "::1", port, 0, 0)
                               : srr_addr_inet(a, "127.0.0.1", port);
    assert_int_equal(r, 0);
}

/* A TCP socket listening on the loopback of family, port 0; *port gets the
 * port the kernel chose. */
static inline srr_socket *h_listener(srr_world *w, int family, int *port)
{
    srr_error err = {0};
    srr_addr a, got;
    srr_socket *s = H_PTR(srr_socket_new(w, family, SOCK_STREAM, 0, &err), &err);
    h_addr_loopback(&a, family, 0);
    H_OK(srr_bind(s, &a, &err), &err);
    H_OK(srr_listen(s, 8, &err), &err);
    H_OK(srr_getsockname(s, &got, &err), &err);
    assert_int_equal(got.family, family);
    assert_int_not_equal(got.port, 0);
    if (port)
        *port = got.port;
    return s;
}

/* A connected TCP pair over the loopback of family (the listener is closed). */
static inline void h_tcp_pair(srr_world *w, int family, srr_socket **client, srr_socket **server)
{
    srr_error err = {0};
    srr_addr a;
    int port;
    srr_socket *l = h_listener(w, family, &port);
    *client = H_PTR(srr_socket_new(w, family, SOCK_STREAM, 0, &err), &err);
    h_addr_loopback(&a, family, port);
    H_OK(srr_connect(*client, &a, &err), &err);
    H_OK(srr_accept(l, server, NULL, &err), &err);
    assert_non_null(*server);
    H_OK(srr_close(l, &err), &err);
}

/* A loopback TCP port nothing listens on (bound, then closed). */
static inline int h_free_port(srr_world *w, int family)
{
    srr_error err = {0};
    srr_addr a, got;
    srr_socket *s = H_PTR(srr_socket_new(w, family, SOCK_STREAM, 0, &err), &err);
    h_addr_loopback(&a, family, 0);
    H_OK(srr_bind(s, &a, &err), &err);
    H_OK(srr_getsockname(s, &got, &err), &err);
    H_OK(srr_close(s, &err), &err);
    return got.port;
}

/* Receive exactly len bytes (a stream may deliver them in pieces). */
static inline void h_recv_exact(srr_socket *s, void *buf, size_t len)
{
    srr_error err = {0};
    size_t got = 0;
    while (got < len) {
        ssize_t n = (ssize_t)H_OK(srr_recv(s, (char *)buf + got, len - got, 0, &err), &err);
        if (n == 0)
            fail_msg("EOF after %zu of %zu bytes", got, len);
        got += (size_t)n;
    }
}

#endif
