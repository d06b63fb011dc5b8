/* Timeout modes ("Notes on socket timeouts"): blocking, non-blocking and
 * timeout mode, the default timeout, and the accept rule, on the kernel
 * world. */
#include "helpers.h"

#include <math.h>
#include <poll.h>
#include <stdlib.h>

/* Fail unless lo <= seconds elapsed since t0 < hi. */
#define H_ASSERT_ELAPSED(t0, lo, hi)                                                        \
    do {                                                                                    \
        double h_el_ = h_now() - (t0);                                                      \
        if (h_el_ < (lo) || h_el_ >= (hi))                                                  \
            fail_msg("took %.3f s, expected [%.2f, %.2f)", h_el_, (double)(lo), (double)(hi)); \
    } while (0)

static void test_gettimeout_default_is_none(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    H_ASSERT_DBL(srr_getdefaulttimeout(w), SRR_TIMEOUT_NONE);
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(s), SRR_TIMEOUT_NONE);
    assert_int_equal(srr_getblocking(s), 1);
    assert_false(h_fd_nonblocking(srr_fileno(s)));
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_settimeout_sets_value_and_nonblocking_fd(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_settimeout(s, 0.5, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(s), 0.5);
    assert_true(h_fd_nonblocking(srr_fileno(s)));
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_settimeout_none_clears_nonblocking(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_settimeout(s, 0.5, &err), &err);
    H_OK(srr_settimeout(s, SRR_TIMEOUT_NONE, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(s), SRR_TIMEOUT_NONE);
    assert_false(h_fd_nonblocking(srr_fileno(s)));
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_setblocking_false_is_settimeout_zero(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_setblocking(s, 0, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(s), 0.0);
    assert_int_equal(srr_getblocking(s), 0);
    assert_true(h_fd_nonblocking(srr_fileno(s)));
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_setblocking_true_is_settimeout_none(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_settimeout(s, 0.5, &err), &err);
    H_OK(srr_setblocking(s, 1, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(s), SRR_TIMEOUT_NONE);
    assert_int_equal(srr_getblocking(s), 1);
    assert_false(h_fd_nonblocking(srr_fileno(s)));
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_getblocking_is_true_unless_nonblocking(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    assert_int_equal(srr_getblocking(s), 1);
    H_OK(srr_settimeout(s, 2.0, &err), &err);
    assert_int_equal(srr_getblocking(s), 1); /* CPython: gettimeout() != 0 */
    H_OK(srr_settimeout(s, 0.0, &err), &err);
    assert_int_equal(srr_getblocking(s), 0);
    H_OK(srr_settimeout(s, SRR_TIMEOUT_NONE, &err), &err);
    assert_int_equal(srr_getblocking(s), 1);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_settimeout_negative_or_nan_is_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_settimeout(s, 0.5, &err), &err);
    H_FAILS(srr_settimeout(s, -2.0, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    H_FAILS(srr_settimeout(s, NAN, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    H_ASSERT_DBL(srr_gettimeout(s), 0.5); /* unchanged */
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_setdefaulttimeout_negative_or_nan_is_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    H_FAILS(srr_setdefaulttimeout(w, -2.0, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    H_FAILS(srr_setdefaulttimeout(w, NAN, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    H_ASSERT_DBL(srr_getdefaulttimeout(w), SRR_TIMEOUT_NONE);
    srr_world_destroy(w);
}

/* ---------------------------------------------------- operations that wait */

static void test_recv_timeout_raises_timeout_kind(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *c, *s;
    char buf[8];
    h_tcp_pair(w, AF_INET, &c, &s);
    H_OK(srr_settimeout(c, 0.2, &err), &err);
    double t0 = h_now();
    H_FAILS(srr_recv(c, buf, sizeof buf, 0, &err), &err, SRR_ERR_TIMEOUT, ETIMEDOUT);
    H_ASSERT_ELAPSED(t0, 0.15, 5.0);
    srr_close(c, NULL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_timeout_mode_recv_returns_available_data(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *c, *s;
    char buf[8] = {0};
    h_tcp_pair(w, AF_INET, &c, &s);
    H_OK(srr_settimeout(c, 2.0, &err), &err);
    H_OK(srr_send(s, "data", 4, 0, &err), &err);
    h_recv_exact(c, buf, 4);
    assert_string_equal(buf, "data");
    srr_close(c, NULL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_nonblocking_recv_gives_eagain(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *c, *s;
    char buf[8];
    h_tcp_pair(w, AF_INET, &c, &s);
    H_OK(srr_setblocking(c, 0, &err), &err);
    double t0 = h_now();
    H_FAILS(srr_recv(c, buf, sizeof buf, 0, &err), &err, SRR_ERR_OS, EAGAIN);
    H_ASSERT_ELAPSED(t0, 0.0, 1.0);
    srr_close(c, NULL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_accept_timeout_without_client_raises_timeout(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *conn = NULL;
    srr_socket *l = h_listener(w, AF_INET, NULL);
    H_OK(srr_settimeout(l, 0.2, &err), &err);
    double t0 = h_now();
    H_FAILS(srr_accept(l, &conn, NULL, &err), &err, SRR_ERR_TIMEOUT, ETIMEDOUT);
    H_ASSERT_ELAPSED(t0, 0.15, 5.0);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_connect_in_timeout_mode_succeeds(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a, peer;
    srr_socket *conn = NULL;
    int port;
    srr_socket *l = h_listener(w, AF_INET, &port);
    srr_socket *c = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_settimeout(c, 2.0, &err), &err);
    h_addr_loopback(&a, AF_INET, port);
    H_OK(srr_connect(c, &a, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(c), 2.0);
    H_OK(srr_getpeername(c, &peer, &err), &err);
    assert_int_equal(peer.port, port);
    H_OK(srr_accept(l, &conn, NULL, &err), &err);
    H_OK(srr_send(c, "t", 1, 0, &err), &err);
    char b = 0;
    h_recv_exact(conn, &b, 1);
    assert_int_equal(b, 't');
    srr_close(conn, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_connect_in_timeout_mode_refused_gives_econnrefused(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    h_addr_loopback(&a, AF_INET, h_free_port(w, AF_INET));
    srr_socket *c = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_settimeout(c, 2.0, &err), &err);
    H_FAILS(srr_connect(c, &a, &err), &err, SRR_ERR_OS, ECONNREFUSED);
    srr_close(c, NULL);
    srr_world_destroy(w);
}

static void test_sendall_times_out_when_peer_never_reads(void **state)
{
    (void)state;
    const size_t size = 64u << 20;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *c, *s;
    char *data = calloc(1, size);
    assert_non_null(data);
    h_tcp_pair(w, AF_INET, &c, &s);
    H_OK(srr_settimeout(c, 0.3, &err), &err);
    double t0 = h_now();
    memset(&err, 0, sizeof err);
    int r = srr_sendall(c, data, size, 0, &err);
    double dt = h_now() - t0;
    free(data);
    assert_int_equal(r, -1);
    H_ASSERT_ERR(&err, SRR_ERR_TIMEOUT, ETIMEDOUT);
    if (dt < 0.25 || dt >= 5.0)
        fail_msg("sendall took %.3f s, expected about 0.3 s", dt);
    srr_close(c, NULL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------ the default timeout */

static void test_setdefaulttimeout_applies_to_new_sockets(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    H_OK(srr_setdefaulttimeout(w, 1.5, &err), &err);
    H_ASSERT_DBL(srr_getdefaulttimeout(w), 1.5);
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(s), 1.5);
    assert_true(h_fd_nonblocking(srr_fileno(s)));
    srr_close(s, NULL);

    H_OK(srr_setdefaulttimeout(w, SRR_TIMEOUT_NONE, &err), &err);
    H_ASSERT_DBL(srr_getdefaulttimeout(w), SRR_TIMEOUT_NONE);
    s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(s), SRR_TIMEOUT_NONE);
    assert_false(h_fd_nonblocking(srr_fileno(s)));
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_setdefaulttimeout_applies_to_socketpair(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    H_OK(srr_setdefaulttimeout(w, 1.5, &err), &err);
    H_OK(srr_socketpair(w, 0, 0, 0, p, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(p[0]), 1.5);
    H_ASSERT_DBL(srr_gettimeout(p[1]), 1.5);
    H_OK(srr_setdefaulttimeout(w, SRR_TIMEOUT_NONE, &err), &err);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_default_timeout_is_per_world(void **state)
{
    (void)state;
    srr_world *w1 = srr_world_kernel(), *w2 = srr_world_kernel();
    srr_error err = {0};
    H_OK(srr_setdefaulttimeout(w1, 1.5, &err), &err);
    H_ASSERT_DBL(srr_getdefaulttimeout(w2), SRR_TIMEOUT_NONE);
    H_OK(srr_setdefaulttimeout(w1, SRR_TIMEOUT_NONE, &err), &err);
    srr_world_destroy(w1);
    srr_world_destroy(w2);
}

/* CPython's dup() copies the timeout, and the shared descriptor stays
 * non-blocking, so the original's timed calls still time out. */
static void test_dup_keeps_the_timeout_mode(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_settimeout(s, 0.5, &err), &err);
    srr_socket *d = H_PTR(srr_dup(s, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(d), 0.5);
    assert_true(h_fd_nonblocking(srr_fileno(s)));
    srr_close(d, NULL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------------ the accept rule */

/* Connect a client to l (listening on 127.0.0.1:port), accept, and return
 * the accepted socket's timeout and whether its fd is O_NONBLOCK. */
static double accepted_timeout(srr_world *w, srr_socket *l, int port, int wait_first, int *nonblock)
{
    srr_error err = {0};
    srr_addr a;
    srr_socket *conn = NULL;
    srr_socket *c = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_settimeout(c, SRR_TIMEOUT_NONE, &err), &err);
    h_addr_loopback(&a, AF_INET, port);
    H_OK(srr_connect(c, &a, &err), &err);
    if (wait_first) {
        struct pollfd pfd = {.fd = srr_fileno(l), .events = POLLIN};
        assert_int_equal(poll(&pfd, 1, 5000), 1);
    }
    H_OK(srr_accept(l, &conn, NULL, &err), &err);
    double t = srr_gettimeout(conn);
    *nonblock = h_fd_nonblocking(srr_fileno(conn));
    srr_close(conn, NULL);
    srr_close(c, NULL);
    return t;
}

static void test_accept_takes_default_timeout_when_set(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int port, nb;
    srr_socket *l = h_listener(w, AF_INET, &port);
    H_OK(srr_setdefaulttimeout(w, 2.5, &err), &err);
    H_ASSERT_DBL(accepted_timeout(w, l, port, 0, &nb), 2.5);
    assert_true(nb);
    H_OK(srr_setdefaulttimeout(w, SRR_TIMEOUT_NONE, &err), &err);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_accept_from_blocking_listener_is_blocking(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    int port, nb;
    srr_socket *l = h_listener(w, AF_INET, &port);
    H_ASSERT_DBL(accepted_timeout(w, l, port, 0, &nb), SRR_TIMEOUT_NONE);
    assert_false(nb);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_accept_from_nonblocking_listener_is_blocking(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int port, nb;
    srr_socket *l = h_listener(w, AF_INET, &port);
    H_OK(srr_setblocking(l, 0, &err), &err);
    H_ASSERT_DBL(accepted_timeout(w, l, port, 1, &nb), SRR_TIMEOUT_NONE);
    assert_false(nb);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_accept_from_timeout_listener_is_blocking(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int port, nb;
    srr_socket *l = h_listener(w, AF_INET, &port);
    H_OK(srr_settimeout(l, 3.0, &err), &err);
    H_ASSERT_DBL(accepted_timeout(w, l, port, 0, &nb), SRR_TIMEOUT_NONE);
    assert_false(nb);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gettimeout_default_is_none),
        cmocka_unit_test(test_settimeout_sets_value_and_nonblocking_fd),
        cmocka_unit_test(test_settimeout_none_clears_nonblocking),
        cmocka_unit_test(test_setblocking_false_is_settimeout_zero),
        cmocka_unit_test(test_setblocking_true_is_settimeout_none),
        cmocka_unit_test(test_getblocking_is_true_unless_nonblocking),
        cmocka_unit_test(test_settimeout_negative_or_nan_is_value_error),
        cmocka_unit_test(test_setdefaulttimeout_negative_or_nan_is_value_error),
        cmocka_unit_test(test_recv_timeout_raises_timeout_kind),
        cmocka_unit_test(test_timeout_mode_recv_returns_available_data),
        cmocka_unit_test(test_nonblocking_recv_gives_eagain),
        cmocka_unit_test(test_accept_timeout_without_client_raises_timeout),
        cmocka_unit_test(test_connect_in_timeout_mode_succeeds),
        cmocka_unit_test(test_connect_in_timeout_mode_refused_gives_econnrefused),
        cmocka_unit_test(test_sendall_times_out_when_peer_never_reads),
        cmocka_unit_test(test_setdefaulttimeout_applies_to_new_sockets),
        cmocka_unit_test(test_setdefaulttimeout_applies_to_socketpair),
        cmocka_unit_test(test_default_timeout_is_per_world),
        cmocka_unit_test(test_dup_keeps_the_timeout_mode),
        cmocka_unit_test(test_accept_takes_default_timeout_when_set),
        cmocka_unit_test(test_accept_from_blocking_listener_is_blocking),
        cmocka_unit_test(test_accept_from_nonblocking_listener_is_blocking),
        cmocka_unit_test(test_accept_from_timeout_listener_is_blocking),
    };
    return cmocka_run_group_tests_name("test_timeout", tests, NULL, NULL);
}
