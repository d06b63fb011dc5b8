/* Socket objects: creation, attributes, inheritance, fromfd/dup/detach,
 * bind/listen/accept/connect, names, options, shutdown, create_connection and
 * address errors, on the kernel world. */
#include "helpers.h"

#include <string.h>
#include <sys/socket.h>

/* ------------------------------------------------------------- creation */

static void test_socket_new_reports_family_type_proto(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *t = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_socket *u = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, IPPROTO_UDP, &err), &err);
    assert_int_equal(srr_family(t), AF_INET);
    assert_int_equal(srr_type(t), SOCK_STREAM);
    assert_int_equal(srr_proto(t), 0);
    assert_int_equal(srr_family(u), AF_INET);
    assert_int_equal(srr_type(u), SOCK_DGRAM);
    assert_int_equal(srr_proto(u), IPPROTO_UDP);
    assert_true(srr_fileno(t) >= 0);
    assert_ptr_equal(srr_socket_world(t), w);
    srr_close(t, NULL);
    srr_close(u, NULL);
    srr_world_destroy(w);
}

static void test_socket_type_excludes_nonblock_and_cloexec(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                                         &err), &err);
    assert_int_equal(srr_type(s), SOCK_STREAM);
    srr_close(s, NULL);
    /* Timeout mode sets O_NONBLOCK underneath; type must not show it. */
    s = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    H_OK(srr_settimeout(s, 0.5, &err), &err);
    assert_int_equal(srr_type(s), SOCK_DGRAM);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_socket_new_unknown_family_gives_eafnosupport(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = srr_socket_new(w, 12345, SOCK_STREAM, 0, &err);
    assert_null(s);
    H_ASSERT_ERR(&err, SRR_ERR_OS, EAFNOSUPPORT);
    srr_world_destroy(w);
}

static void test_socket_is_non_inheritable_by_default(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    assert_int_equal(srr_get_inheritable(s, &err), 0);
    assert_true(h_fd_cloexec(srr_fileno(s)));
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_set_inheritable_round_trip(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_set_inheritable(s, 1, &err), &err);
    assert_int_equal(srr_get_inheritable(s, &err), 1);
    assert_false(h_fd_cloexec(srr_fileno(s)));
    H_OK(srr_set_inheritable(s, 0, &err), &err);
    assert_int_equal(srr_get_inheritable(s, &err), 0);
    assert_true(h_fd_cloexec(srr_fileno(s)));
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------------ socketpair */

static void test_socketpair_default_family_is_unix_stream(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[8] = {0};
    H_OK(srr_socketpair(w, 0, 0, 0, p, &err), &err);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(srr_family(p[i]), AF_UNIX);
        assert_int_equal(srr_type(p[i]), SOCK_STREAM);
        assert_int_equal(srr_get_inheritable(p[i], &err), 0);
    }
    assert_int_equal(H_OK(srr_send(p[0], "hi", 2, 0, &err), &err), 2);
    h_recv_exact(p[1], buf, 2);
    assert_string_equal(buf, "hi");
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_socketpair_explicit_unix_dgram_keeps_boundaries(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[16] = {0};
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &err), &err);
    assert_int_equal(srr_family(p[1]), AF_UNIX);
    assert_int_equal(srr_type(p[1]), SOCK_DGRAM);
    H_OK(srr_send(p[0], "abc", 3, 0, &err), &err);
    H_OK(srr_send(p[0], "de", 2, 0, &err), &err);
    assert_int_equal(H_OK(srr_recv(p[1], buf, sizeof buf, 0, &err), &err), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(H_OK(srr_recv(p[1], buf, sizeof buf, 0, &err), &err), 2);
    assert_memory_equal(buf, "de", 2);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_socketpair_inet_gives_eopnotsupp(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2] = {NULL, NULL};
    H_FAILS(srr_socketpair(w, AF_INET, SOCK_STREAM, 0, p, &err), &err, SRR_ERR_OS, EOPNOTSUPP);
    srr_world_destroy(w);
}

/* ----------------------------------------------- fromfd, dup, detach, close */

static void test_fromfd_duplicates_so_closing_original_keeps_copy(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[8] = {0};
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    srr_socket *c = H_PTR(srr_fromfd(w, srr_fileno(p[0]), AF_UNIX, SOCK_STREAM, 0, &err), &err);
    assert_int_not_equal(srr_fileno(c), srr_fileno(p[0]));
    assert_int_equal(srr_family(c), AF_UNIX);
    assert_int_equal(srr_type(c), SOCK_STREAM);
    assert_int_equal(srr_get_inheritable(c, &err), 0);
    H_OK(srr_close(p[0], &err), &err);
    assert_int_equal(H_OK(srr_send(c, "ok", 2, 0, &err), &err), 2);
    h_recv_exact(p[1], buf, 2);
    assert_string_equal(buf, "ok");
    srr_close(c, NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_socket_from_fileno_reads_family_type_proto(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    srr_socket *s = H_PTR(srr_socket_from_fileno(w, fd, -1, -1, -1, &err), &err);
    assert_int_equal(srr_fileno(s), fd); /* adopted, not duplicated */
    assert_int_equal(srr_family(s), AF_INET);
    assert_int_equal(srr_type(s), SOCK_DGRAM);
    assert_int_equal(srr_proto(s), IPPROTO_UDP);
    H_OK(srr_close(s, &err), &err);
    errno = 0;
    assert_int_equal(fcntl(fd, F_GETFD), -1); /* close released the adopted fd */
    assert_int_equal(errno, EBADF);
    srr_world_destroy(w);
}

static void test_dup_gives_independent_working_socket(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[8] = {0};
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    srr_socket *d = H_PTR(srr_dup(p[0], &err), &err);
    assert_int_not_equal(srr_fileno(d), srr_fileno(p[0]));
    assert_int_equal(srr_family(d), AF_UNIX);
    assert_int_equal(srr_type(d), SOCK_STREAM);
    assert_int_equal(srr_get_inheritable(d, &err), 0);
    H_OK(srr_close(p[0], &err), &err);
    H_OK(srr_send(d, "dup", 3, 0, &err), &err);
    h_recv_exact(p[1], buf, 3);
    assert_string_equal(buf, "dup");
    srr_close(d, NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_detach_returns_fd_that_stays_open(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[8] = {0};
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    int fd = srr_fileno(p[0]);
    assert_int_equal(srr_detach(p[0]), fd);
    assert_int_equal(srr_fileno(p[0]), -1);
    assert_int_equal(srr_detach(p[0]), -1); /* already closed state */
    H_OK(srr_close(p[0], &err), &err);      /* frees only */
    assert_true(fcntl(fd, F_GETFD) >= 0);
    assert_int_equal(write(fd, "raw", 3), 3);
    h_recv_exact(p[1], buf, 3);
    assert_string_equal(buf, "raw");
    assert_int_equal(close(fd), 0);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_close_null_is_noop(void **state)
{
    (void)state;
    srr_error err = {0};
    assert_int_equal(srr_close(NULL, &err), 0);
    assert_int_equal(err.kind, SRR_ERR_NONE);
    assert_int_equal(srr_close(NULL, NULL), 0);
}

/* ------------------------------------------ bind / listen / accept / connect */

static void check_tcp_connect_accept(int family)
{
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a, peer, cname, cpeer;
    int port;
    srr_socket *l = h_listener(w, family, &port);
    srr_socket *c = H_PTR(srr_socket_new(w, family, SOCK_STREAM, 0, &err), &err);
    srr_socket *conn = NULL;
    h_addr_loopback(&a, family, port);
    H_OK(srr_connect(c, &a, &err), &err);
    H_OK(srr_accept(l, &conn, &peer, &err), &err);
    assert_non_null(conn);
    assert_int_equal(srr_family(conn), family);
    assert_int_equal(srr_type(conn), SOCK_STREAM);
    assert_int_equal(srr_get_inheritable(conn, &err), 0);

    H_OK(srr_getsockname(c, &cname, &err), &err);
    H_OK(srr_getpeername(c, &cpeer, &err), &err);
    assert_int_equal(cname.family, family);
    assert_string_equal(cname.host, h_loopback(family));
    assert_int_equal(peer.family, family);
    assert_string_equal(peer.host, h_loopback(family));
    assert_int_equal(peer.port, cname.port); /* accept's peer is the client */
    assert_int_equal(cpeer.family, family);
    assert_string_equal(cpeer.host, h_loopback(family));
    assert_int_equal(cpeer.port, port);

    srr_close(conn, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_tcp_v4_bind_listen_accept_connect(void **state)
{
    (void)state;
    check_tcp_connect_accept(AF_INET);
}

static void test_tcp_v6_bind_listen_accept_connect(void **state)
{
    (void)state;
    if (!h_ipv6_loopback_ok())
        skip();
    check_tcp_connect_accept(AF_INET6);
}

static void test_accept_with_null_peer(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    int port;
    srr_socket *l = h_listener(w, AF_INET, &port);
    srr_socket *c = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_socket *conn = NULL;
    h_addr_loopback(&a, AF_INET, port);
    H_OK(srr_connect(c, &a, &err), &err);
    H_OK(srr_accept(l, &conn, NULL, &err), &err);
    assert_non_null(conn);
    srr_close(conn, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_listen_negative_backlog_works(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a, got;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    h_addr_loopback(&a, AF_INET, 0);
    H_OK(srr_bind(l, &a, &err), &err);
    assert_int_equal(H_OK(srr_listen(l, -5, &err), &err), 0);
    H_OK(srr_getsockname(l, &got, &err), &err);
    srr_socket *c = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_socket *conn = NULL;
    h_addr_loopback(&a, AF_INET, got.port);
    H_OK(srr_connect(c, &a, &err), &err);
    H_OK(srr_accept(l, &conn, NULL, &err), &err);
    srr_close(conn, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_connect_ex_returns_econnrefused_for_closed_port(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    h_addr_loopback(&a, AF_INET, h_free_port(w, AF_INET));
    srr_socket *c = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    assert_int_equal(srr_connect_ex(c, &a, &err), ECONNREFUSED);
    srr_close(c, NULL);
    srr_world_destroy(w);
}

static void test_connect_ex_returns_zero_on_success(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    int port;
    srr_socket *l = h_listener(w, AF_INET, &port);
    srr_socket *c = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    h_addr_loopback(&a, AF_INET, port);
    assert_int_equal(srr_connect_ex(c, &a, &err), 0);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_connect_refused_gives_os_econnrefused(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    h_addr_loopback(&a, AF_INET, h_free_port(w, AF_INET));
    srr_socket *c = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_FAILS(srr_connect(c, &a, &err), &err, SRR_ERR_OS, ECONNREFUSED);
    srr_close(c, NULL);
    srr_world_destroy(w);
}

static void test_getpeername_unconnected_gives_enotconn(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_FAILS(srr_getpeername(s, &a, &err), &err, SRR_ERR_OS, ENOTCONN);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_getsockname_of_bound_udp_socket(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a, got;
    int port = h_free_port(w, AF_INET);
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    h_addr_loopback(&a, AF_INET, port);
    H_OK(srr_bind(s, &a, &err), &err);
    H_OK(srr_getsockname(s, &got, &err), &err);
    assert_int_equal(got.family, AF_INET);
    assert_string_equal(got.host, "127.0.0.1");
    assert_int_equal(got.port, port);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------------- options */

static void test_getsockopt_int_so_type(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int v = -1;
    srr_socket *t = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_socket *u = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    H_OK(srr_getsockopt_int(t, SOL_SOCKET, SO_TYPE, &v, &err), &err);
    assert_int_equal(v, SOCK_STREAM);
    H_OK(srr_getsockopt_int(u, SOL_SOCKET, SO_TYPE, &v, &err), &err);
    assert_int_equal(v, SOCK_DGRAM);
    srr_close(t, NULL);
    srr_close(u, NULL);
    srr_world_destroy(w);
}

static void test_setsockopt_int_so_rcvbuf_reads_back(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int v = -1;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_getsockopt_int(s, SOL_SOCKET, SO_RCVBUF, &v, &err), &err);
    assert_true(v > 0);
    H_OK(srr_setsockopt_int(s, SOL_SOCKET, SO_RCVBUF, 32768, &err), &err);
    H_OK(srr_getsockopt_int(s, SOL_SOCKET, SO_RCVBUF, &v, &err), &err);
    assert_int_equal(v, 65536); /* Linux doubles the request for bookkeeping */
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_setsockopt_int_so_reuseaddr_round_trip(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int v = -1;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_getsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, &v, &err), &err);
    assert_int_equal(v, 0);
    H_OK(srr_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, 1, &err), &err);
    H_OK(srr_getsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, &v, &err), &err);
    assert_int_equal(v, 1);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_getsockopt_buf_so_linger_default_off(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    struct linger lg;
    memset(&lg, 0xff, sizeof lg);
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    assert_int_equal(H_OK(srr_getsockopt_buf(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg, &err), &err),
                     sizeof lg);
    assert_int_equal(lg.l_onoff, 0);
    assert_int_equal(lg.l_linger, 0);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_setsockopt_buf_so_linger_round_trip(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    struct linger in = {.l_onoff = 1, .l_linger = 7}, out = {0, 0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_setsockopt_buf(s, SOL_SOCKET, SO_LINGER, &in, sizeof in, &err), &err);
    assert_int_equal(H_OK(srr_getsockopt_buf(s, SOL_SOCKET, SO_LINGER, &out, sizeof out, &err), &err),
                     sizeof out);
    assert_int_equal(out.l_onoff, 1);
    assert_int_equal(out.l_linger, 7);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------------ shutdown */

static void test_shutdown_wr_gives_peer_zero_byte_recv(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *c, *s;
    char buf[8];
    h_tcp_pair(w, AF_INET, &c, &s);
    H_OK(srr_send(c, "bye", 3, 0, &err), &err);
    H_OK(srr_shutdown(c, SHUT_WR, &err), &err);
    h_recv_exact(s, buf, 3);
    assert_memory_equal(buf, "bye", 3);
    assert_int_equal(H_OK(srr_recv(s, buf, sizeof buf, 0, &err), &err), 0);
    /* The other direction still works. */
    H_OK(srr_send(s, "ok", 2, 0, &err), &err);
    h_recv_exact(c, buf, 2);
    assert_memory_equal(buf, "ok", 2);
    srr_close(c, NULL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* ---------------------------------------------------- create_connection */

/* Accept on l and check the accepted socket's peer is c. */
static void check_accepts_client(srr_socket *l, srr_socket *c)
{
    srr_error err = {0};
    srr_socket *conn = NULL;
    srr_addr peer, cname;
    H_OK(srr_accept(l, &conn, &peer, &err), &err);
    H_OK(srr_getsockname(c, &cname, &err), &err);
    assert_string_equal(peer.host, cname.host);
    assert_int_equal(peer.port, cname.port);
    srr_close(conn, NULL);
}

static void test_create_connection_v4_with_timeout(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr p;
    int port;
    srr_socket *l = h_listener(w, AF_INET, &port);
    srr_socket *c = H_PTR(srr_create_connection(w, "127.0.0.1", port, 2.0, NULL, &err), &err);
    assert_int_equal(srr_family(c), AF_INET);
    assert_int_equal(srr_type(c), SOCK_STREAM);
    H_ASSERT_DBL(srr_gettimeout(c), 2.0);
    H_OK(srr_getpeername(c, &p, &err), &err);
    assert_string_equal(p.host, "127.0.0.1");
    assert_int_equal(p.port, port);
    check_accepts_client(l, c);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_create_connection_localhost_falls_back_to_v4_listener(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr p;
    int port;
    /* Only 127.0.0.1 listens: a ::1 result, if first, is refused and the
     * next address must be tried. */
    srr_socket *l = h_listener(w, AF_INET, &port);
    srr_socket *c = H_PTR(srr_create_connection(w, "localhost", port, 5.0, NULL, &err), &err);
    assert_int_equal(srr_family(c), AF_INET);
    H_OK(srr_getpeername(c, &p, &err), &err);
    assert_string_equal(p.host, "127.0.0.1");
    assert_int_equal(p.port, port);
    check_accepts_client(l, c);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_create_connection_with_source_port_zero(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr src, me;
    int port;
    srr_socket *l = h_listener(w, AF_INET, &port);
    assert_int_equal(srr_addr_inet(&src, "127.0.0.1", 0), 0);
    srr_socket *c = H_PTR(srr_create_connection(w, "127.0.0.1", port, 5.0, &src, &err), &err);
    H_OK(srr_getsockname(c, &me, &err), &err);
    assert_string_equal(me.host, "127.0.0.1");
    assert_int_not_equal(me.port, 0);
    check_accepts_client(l, c);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_create_connection_binds_given_source_port(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr src, me;
    int port;
    srr_socket *l = h_listener(w, AF_INET, &port);
    int sport = h_free_port(w, AF_INET);
    assert_int_equal(srr_addr_inet(&src, "127.0.0.1", sport), 0);
    srr_socket *c = H_PTR(srr_create_connection(w, "127.0.0.1", port, 5.0, &src, &err), &err);
    H_OK(srr_getsockname(c, &me, &err), &err);
    assert_int_equal(me.port, sport);
    check_accepts_client(l, c);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_create_connection_refused_gives_os_econnrefused(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int port = h_free_port(w, AF_INET);
    srr_socket *c = srr_create_connection(w, "127.0.0.1", port, 5.0, NULL, &err);
    assert_null(c);
    H_ASSERT_ERR(&err, SRR_ERR_OS, ECONNREFUSED);
    srr_world_destroy(w);
}

static void test_create_connection_default_uses_default_timeout(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    int port;
    srr_socket *l = h_listener(w, AF_INET, &port);
    srr_socket *c = H_PTR(srr_create_connection_default(w, "127.0.0.1", port, NULL, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(c), SRR_TIMEOUT_NONE);
    srr_close(c, NULL);
    H_OK(srr_setdefaulttimeout(w, 3.0, &err), &err);
    c = H_PTR(srr_create_connection_default(w, "127.0.0.1", port, NULL, &err), &err);
    H_ASSERT_DBL(srr_gettimeout(c), 3.0);
    srr_close(c, NULL);
    H_OK(srr_setdefaulttimeout(w, SRR_TIMEOUT_NONE, &err), &err);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------- special and bad addresses */

static void test_bind_empty_host_is_inaddr_any(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a, got;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    assert_int_equal(srr_addr_inet(&a, "", 0), 0);
    H_OK(srr_bind(s, &a, &err), &err);
    H_OK(srr_getsockname(s, &got, &err), &err);
    assert_int_equal(got.family, AF_INET);
    assert_string_equal(got.host, "0.0.0.0");
    assert_int_not_equal(got.port, 0);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_bind_broadcast_host_on_udp(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a, got;
    int v = 0;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    H_OK(srr_setsockopt_int(s, SOL_SOCKET, SO_BROADCAST, 1, &err), &err);
    H_OK(srr_getsockopt_int(s, SOL_SOCKET, SO_BROADCAST, &v, &err), &err);
    assert_int_equal(v, 1);
    assert_int_equal(srr_addr_inet(&a, "<broadcast>", 0), 0);
    H_OK(srr_bind(s, &a, &err), &err);
    H_OK(srr_getsockname(s, &got, &err), &err);
    assert_string_equal(got.host, "255.255.255.255");
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_bind_port_70000_gives_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_addr_inet(&a, "127.0.0.1", 70000);
    H_FAILS(srr_bind(s, &a, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    a.port = -1;
    H_FAILS(srr_bind(s, &a, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_bind_addr_with_overlong_host_gives_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    char host[SRR_HOST_MAX + 10];
    memset(host, 'h', sizeof host - 1);
    host[sizeof host - 1] = '\0';
    assert_int_equal(srr_addr_inet(&a, host, 80), -1);
    assert_int_equal(a.family, AF_UNSPEC);
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_FAILS(srr_bind(s, &a, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    H_FAILS(srr_connect(s, &a, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_connect_wrong_family_address_fails_cleanly(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a6, un;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    assert_int_equal(srr_addr_inet6(&a6, "::1", 80, 0, 0), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(srr_connect(s, &a6, &err), -1);
    assert_int_not_equal(err.kind, SRR_ERR_NONE);
    assert_int_equal(srr_addr_unix(&un, "/tmp/no-such-srr-socket"), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(srr_bind(s, &un, &err), -1);
    assert_int_not_equal(err.kind, SRR_ERR_NONE);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_bind_null_address_gives_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_FAILS(srr_bind(s, NULL, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    H_FAILS(srr_connect(s, NULL, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_connect_unparsable_host_gives_gai_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    assert_int_equal(srr_addr_inet(&a, "1.2.3.x.y", 80), 0);
    H_FAILS(srr_connect(s, &a, &err), &err, SRR_ERR_GAI, H_ANY_CODE);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_socket_new_reports_family_type_proto),
        cmocka_unit_test(test_socket_type_excludes_nonblock_and_cloexec),
        cmocka_unit_test(test_socket_new_unknown_family_gives_eafnosupport),
        cmocka_unit_test(test_socket_is_non_inheritable_by_default),
        cmocka_unit_test(test_set_inheritable_round_trip),
        cmocka_unit_test(test_socketpair_default_family_is_unix_stream),
        cmocka_unit_test(test_socketpair_explicit_unix_dgram_keeps_boundaries),
        cmocka_unit_test(test_socketpair_inet_gives_eopnotsupp),
        cmocka_unit_test(test_fromfd_duplicates_so_closing_original_keeps_copy),
        cmocka_unit_test(test_socket_from_fileno_reads_family_type_proto),
        cmocka_unit_test(test_dup_gives_independent_working_socket),
        cmocka_unit_test(test_detach_returns_fd_that_stays_open),
        cmocka_unit_test(test_close_null_is_noop),
        cmocka_unit_test(test_tcp_v4_bind_listen_accept_connect),
        cmocka_unit_test(test_tcp_v6_bind_listen_accept_connect),
        cmocka_unit_test(test_accept_with_null_peer),
        cmocka_unit_test(test_listen_negative_backlog_works),
        cmocka_unit_test(test_connect_ex_returns_econnrefused_for_closed_port),
        cmocka_unit_test(test_connect_ex_returns_zero_on_success),
        cmocka_unit_test(test_connect_refused_gives_os_econnrefused),
        cmocka_unit_test(test_getpeername_unconnected_gives_enotconn),
        cmocka_unit_test(test_getsockname_of_bound_udp_socket),
        cmocka_unit_test(test_getsockopt_int_so_type),
        cmocka_unit_test(test_setsockopt_int_so_rcvbuf_reads_back),
        cmocka_unit_test(test_setsockopt_int_so_reuseaddr_round_trip),
        cmocka_unit_test(test_getsockopt_buf_so_linger_default_off),
        cmocka_unit_test(test_setsockopt_buf_so_linger_round_trip),
        cmocka_unit_test(test_shutdown_wr_gives_peer_zero_byte_recv),
        cmocka_unit_test(test_create_connection_v4_with_timeout),
        cmocka_unit_test(test_create_connection_localhost_falls_back_to_v4_listener),
        cmocka_unit_test(test_create_connection_with_source_port_zero),
        cmocka_unit_test(test_create_connection_binds_given_source_port),
        cmocka_unit_test(test_create_connection_refused_gives_os_econnrefused),
        cmocka_unit_test(test_create_connection_default_uses_default_timeout),
        cmocka_unit_test(test_bind_empty_host_is_inaddr_any),
        cmocka_unit_test(test_bind_broadcast_host_on_udp),
        cmocka_unit_test(test_bind_port_70000_gives_value_error),
        cmocka_unit_test(test_bind_addr_with_overlong_host_gives_value_error),
        cmocka_unit_test(test_connect_wrong_family_address_fails_cleanly),
        cmocka_unit_test(test_bind_null_address_gives_value_error),
        cmocka_unit_test(test_connect_unparsable_host_gives_gai_error),
    };
    return cmocka_run_group_tests_name("test_socket", tests, NULL, NULL);
}
