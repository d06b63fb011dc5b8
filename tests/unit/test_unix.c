/* AF_UNIX sockets: filesystem and abstract addresses, stream and datagram,
 * plus srr_addr construction and formatting, on the kernel world. */
#include "helpers.h"

#include <stdlib.h>
#include <sys/stat.h>

/* A fresh directory under /tmp for socket files; rm_tmpdir removes it. */
struct tmpdir {
    char dir[32];
    char path[2][64];
};

static void make_tmpdir(struct tmpdir *t)
{
    strcpy(t->dir, "/tmp/srr-unit-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    for (int i = 0; i < 2; i++)
        snprintf(t->path[i], sizeof t->path[i], "%s/sock%d", t->dir, i);
}

static void rm_tmpdir(struct tmpdir *t)
{
    for (int i = 0; i < 2; i++)
        unlink(t->path[i]);
    assert_int_equal(rmdir(t->dir), 0);
}

static void assert_unix_path(const srr_addr *a, const char *path)
{
    assert_int_equal(a->family, AF_UNIX);
    assert_int_equal(a->pathlen, strlen(path));
    assert_memory_equal(a->path, path, strlen(path));
}

/* ------------------------------------------------------------ filesystem */

static void test_unix_stream_path_roundtrip(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    struct tmpdir t;
    srr_addr a;
    char buf[8] = {0};
    make_tmpdir(&t);
    assert_int_equal(srr_addr_unix(&a, t.path[0]), 0);
    srr_socket *l = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_bind(l, &a, &err), &err);
    H_OK(srr_listen(l, 4, &err), &err);
    struct stat st;
    assert_int_equal(stat(t.path[0], &st), 0);
    assert_true(S_ISSOCK(st.st_mode));

    srr_socket *c = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    srr_socket *conn = NULL;
    H_OK(srr_connect(c, &a, &err), &err);
    H_OK(srr_accept(l, &conn, NULL, &err), &err);
    H_OK(srr_sendall(c, "ping", 4, 0, &err), &err);
    h_recv_exact(conn, buf, 4);
    assert_string_equal(buf, "ping");
    H_OK(srr_sendall(conn, "pong", 4, 0, &err), &err);
    h_recv_exact(c, buf, 4);
    assert_string_equal(buf, "pong");

    srr_close(conn, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    rm_tmpdir(&t);
    srr_world_destroy(w);
}

static void test_unix_getsockname_returns_path_and_pathlen(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    struct tmpdir t;
    srr_addr a, got, peer;
    make_tmpdir(&t);
    assert_int_equal(srr_addr_unix(&a, t.path[0]), 0);
    srr_socket *l = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_bind(l, &a, &err), &err);
    H_OK(srr_listen(l, 4, &err), &err);
    memset(&got, 0x55, sizeof got);
    H_OK(srr_getsockname(l, &got, &err), &err);
    assert_unix_path(&got, t.path[0]);

    srr_socket *c = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_connect(c, &a, &err), &err);
    H_OK(srr_getpeername(c, &peer, &err), &err);
    assert_unix_path(&peer, t.path[0]);
    srr_close(c, NULL);
    srr_close(l, NULL);
    rm_tmpdir(&t);
    srr_world_destroy(w);
}

static void test_unix_unbound_socket_has_empty_name(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    srr_addr got;
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    memset(&got, 0x55, sizeof got);
    H_OK(srr_getsockname(p[0], &got, &err), &err);
    assert_int_equal(got.family, AF_UNIX);
    assert_int_equal(got.pathlen, 0);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_unix_datagram_sendto_recvfrom_gives_sender_path(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    struct tmpdir t;
    srr_addr sa, ca, from;
    char buf[32];
    make_tmpdir(&t);
    assert_int_equal(srr_addr_unix(&sa, t.path[0]), 0);
    assert_int_equal(srr_addr_unix(&ca, t.path[1]), 0);
    srr_socket *srv = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &err), &err);
    srr_socket *cli = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &err), &err);
    H_OK(srr_bind(srv, &sa, &err), &err);
    H_OK(srr_bind(cli, &ca, &err), &err);

    assert_int_equal(H_OK(srr_sendto(cli, "first", 5, 0, &sa, &err), &err), 5);
    assert_int_equal(H_OK(srr_sendto(cli, "2nd", 3, 0, &sa, &err), &err), 3);
    memset(&from, 0, sizeof from);
    assert_int_equal(H_OK(srr_recvfrom(srv, buf, sizeof buf, 0, &from, &err), &err), 5);
    assert_memory_equal(buf, "first", 5);
    assert_unix_path(&from, t.path[1]);
    assert_int_equal(H_OK(srr_recvfrom(srv, buf, sizeof buf, 0, &from, &err), &err), 3);
    assert_memory_equal(buf, "2nd", 3);

    /* And back to the sender's path. */
    H_OK(srr_sendto(srv, "reply", 5, 0, &from, &err), &err);
    assert_int_equal(H_OK(srr_recv(cli, buf, sizeof buf, 0, &err), &err), 5);
    assert_memory_equal(buf, "reply", 5);
    srr_close(srv, NULL);
    srr_close(cli, NULL);
    rm_tmpdir(&t);
    srr_world_destroy(w);
}

static void test_unix_connect_missing_path_gives_enoent(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    struct tmpdir t;
    srr_addr a;
    make_tmpdir(&t);
    assert_int_equal(srr_addr_unix(&a, t.path[0]), 0);
    srr_socket *c = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    H_FAILS(srr_connect(c, &a, &err), &err, SRR_ERR_OS, ENOENT);
    srr_close(c, NULL);
    rm_tmpdir(&t);
    srr_world_destroy(w);
}

static void test_unix_bind_existing_path_gives_eaddrinuse(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    struct tmpdir t;
    srr_addr a;
    make_tmpdir(&t);
    assert_int_equal(srr_addr_unix(&a, t.path[0]), 0);
    srr_socket *s1 = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    srr_socket *s2 = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_bind(s1, &a, &err), &err);
    H_FAILS(srr_bind(s2, &a, &err), &err, SRR_ERR_OS, EADDRINUSE);
    srr_close(s1, NULL);
    srr_close(s2, NULL);
    rm_tmpdir(&t);
    srr_world_destroy(w);
}

/* -------------------------------------------------------------- abstract */

static void test_unix_abstract_address_bind_and_getsockname(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    char name[64];
    srr_addr a, got;
    char buf[4] = {0};
    int len = snprintf(name, sizeof name, "srr-unit-%ld-abstract", (long)getpid());
    assert_int_equal(srr_addr_unix_abstract(&a, name, (size_t)len), 0);
    assert_int_equal(a.family, AF_UNIX);
    assert_int_equal(a.pathlen, (size_t)len + 1);
    assert_int_equal(a.path[0], '\0');
    assert_memory_equal(a.path + 1, name, (size_t)len);

    srr_socket *l = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_bind(l, &a, &err), &err);
    H_OK(srr_listen(l, 4, &err), &err);
    memset(&got, 0x55, sizeof got);
    H_OK(srr_getsockname(l, &got, &err), &err);
    assert_int_equal(got.family, AF_UNIX);
    assert_int_equal(got.pathlen, (size_t)len + 1);
    assert_int_equal(got.path[0], '\0');
    assert_memory_equal(got.path + 1, name, (size_t)len);

    srr_socket *c = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    srr_socket *conn = NULL;
    H_OK(srr_connect(c, &a, &err), &err);
    H_OK(srr_accept(l, &conn, NULL, &err), &err);
    H_OK(srr_sendall(c, "abs", 3, 0, &err), &err);
    h_recv_exact(conn, buf, 3);
    assert_string_equal(buf, "abs");
    srr_close(conn, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------ srr_addr building */

static void test_addr_unix_fills_path(void **state)
{
    (void)state;
    srr_addr a;
    char p107[108];
    assert_int_equal(srr_addr_unix(&a, "/tmp/x"), 0);
    assert_unix_path(&a, "/tmp/x");
    memset(p107, 'p', 107);
    p107[0] = '/';
    p107[107] = '\0';
    assert_int_equal(srr_addr_unix(&a, p107), 0);
    assert_unix_path(&a, p107);
}

static void test_addr_unix_overlong_path_fails_with_unspec(void **state)
{
    (void)state;
    srr_addr a;
    char p[201];
    memset(p, 'q', sizeof p - 1);
    p[0] = '/';
    p[200] = '\0';
    a.family = AF_UNIX;
    assert_int_equal(srr_addr_unix(&a, p), -1);
    assert_int_equal(a.family, AF_UNSPEC);
    p[SRR_PATH_MAX + 1] = '\0'; /* 109 bytes */
    a.family = AF_UNIX;
    assert_int_equal(srr_addr_unix(&a, p), -1);
    assert_int_equal(a.family, AF_UNSPEC);
    a.family = AF_UNIX;
    assert_int_equal(srr_addr_unix(&a, NULL), -1);
    assert_int_equal(a.family, AF_UNSPEC);
}

static void test_addr_unix_abstract_overlong_name_fails(void **state)
{
    (void)state;
    srr_addr a;
    char name[SRR_PATH_MAX];
    memset(name, 'n', sizeof name);
    a.family = AF_UNIX;
    /* The leading NUL plus 108 bytes does not fit sun_path. */
    assert_int_equal(srr_addr_unix_abstract(&a, name, sizeof name), -1);
    assert_int_equal(a.family, AF_UNSPEC);
}

static void test_bind_failed_unix_addr_gives_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_addr a;
    char p[201];
    memset(p, 'q', sizeof p - 1);
    p[0] = '/';
    p[200] = '\0';
    assert_int_equal(srr_addr_unix(&a, p), -1);
    srr_socket *s = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    H_FAILS(srr_bind(s, &a, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------ srr_addr_format */

static void test_addr_format_inet(void **state)
{
    (void)state;
    srr_addr a;
    char buf[128];
    assert_int_equal(srr_addr_inet(&a, "127.0.0.1", 80), 0);
    assert_ptr_equal(srr_addr_format(&a, buf, sizeof buf), buf);
    assert_string_equal(buf, "127.0.0.1:80");
}

static void test_addr_format_inet6(void **state)
{
    (void)state;
    srr_addr a;
    char buf[128];
    assert_int_equal(srr_addr_inet6(&a, "::1", 80, 0, 0), 0);
    assert_ptr_equal(srr_addr_format(&a, buf, sizeof buf), buf);
    assert_string_equal(buf, "[::1]:80");
}

static void test_addr_format_unix_path(void **state)
{
    (void)state;
    srr_addr a;
    char buf[128];
    assert_int_equal(srr_addr_unix(&a, "/tmp/x"), 0);
    assert_ptr_equal(srr_addr_format(&a, buf, sizeof buf), buf);
    assert_string_equal(buf, "/tmp/x");
}

static void test_addr_format_unix_abstract(void **state)
{
    (void)state;
    srr_addr a;
    char buf[128];
    assert_int_equal(srr_addr_unix_abstract(&a, "name", 4), 0);
    assert_ptr_equal(srr_addr_format(&a, buf, sizeof buf), buf);
    assert_string_equal(buf, "@name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unix_stream_path_roundtrip),
        cmocka_unit_test(test_unix_getsockname_returns_path_and_pathlen),
        cmocka_unit_test(test_unix_unbound_socket_has_empty_name),
        cmocka_unit_test(test_unix_datagram_sendto_recvfrom_gives_sender_path),
        cmocka_unit_test(test_unix_connect_missing_path_gives_enoent),
        cmocka_unit_test(test_unix_bind_existing_path_gives_eaddrinuse),
        cmocka_unit_test(test_unix_abstract_address_bind_and_getsockname),
        cmocka_unit_test(test_addr_unix_fills_path),
        cmocka_unit_test(test_addr_unix_overlong_path_fails_with_unspec),
        cmocka_unit_test(test_addr_unix_abstract_overlong_name_fails),
        cmocka_unit_test(test_bind_failed_unix_addr_gives_value_error),
        cmocka_unit_test(test_addr_format_inet),
        cmocka_unit_test(test_addr_format_inet6),
        cmocka_unit_test(test_addr_format_unix_path),
        cmocka_unit_test(test_addr_format_unix_abstract),
    };
    return cmocka_run_group_tests_name("test_unix", tests, NULL, NULL);
}
