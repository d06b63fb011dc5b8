/*
 * test_edges.c — edge cases a review found: each was a crash, a hang, a
 * signal or a difference from CPython before it was fixed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockrr.h"
#include "sockrr/worlds.h"
#include "helpers.h"

/* Without MSG_NOSIGNAL the process would die of SIGPIPE here. */
static void test_send_to_closed_peer_is_epipe_not_sigpipe(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_DFL);
    srr_world *w = srr_world_kernel();
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    srr_close(p[1], NULL);
    assert_int_equal(srr_sendall(p[0], "hello", 5, 0, &err), -1);
    assert_err_code(err, SRR_ERR_OS, EPIPE);
    srr_close(p[0], NULL);
    srr_world_destroy(w);
}

static void test_cmsg_parse_stops_at_a_huge_length(void **state)
{
    (void)state;
    union {
        struct cmsghdr h;
        unsigned char b[64];
    } u;
    memset(&u, 0, sizeof u);
    u.h.cmsg_len = SIZE_MAX;
    srr_cmsg items[2];
    assert_int_equal(srr_cmsg_parse(u.b, sizeof u.b, items, 2), 1);
    u.h.cmsg_len = SIZE_MAX - 3;
    assert_int_equal(srr_cmsg_parse(u.b, sizeof u.b, items, 2), 1);
}

static void test_abstract_name_of_huge_length_is_refused(void **state)
{
    (void)state;
    srr_addr a;
    assert_int_equal(srr_addr_unix_abstract(&a, "x", SIZE_MAX), -1);
    assert_int_equal(a.family, AF_UNSPEC);
}

static void test_unix_path_of_108_bytes_is_too_long(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    srr_addr a;
    memset(&a, 0, sizeof a);
    a.family = AF_UNIX;
    memset(a.path, 'p', sizeof a.path);
    a.pathlen = sizeof a.path; /* hand-built: no room for the NUL */
    srr_socket *s = H_PTR(srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err), &err);
    assert_int_equal(srr_bind(s, &a, &err), -1);
    assert_err_code(err, SRR_ERR_OS, ENAMETOOLONG);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_create_connection_with_invalid_source_is_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    char host[400];
    memset(host, 'h', sizeof host - 1);
    host[sizeof host - 1] = '\0';
    srr_addr src;
    assert_int_equal(srr_addr_inet(&src, host, 0), -1);
    int port;
    srr_socket *l = h_listener(w, AF_INET, &port);
    assert_null(srr_create_connection(w, "127.0.0.1", port, 5.0, &src, &err));
    assert_err_kind(err, SRR_ERR_VALUE);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_from_fileno_refuses_a_pipe(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_null(srr_socket_from_fileno(w, fds[0], AF_INET, SOCK_STREAM, 0, &err));
    assert_err_code(err, SRR_ERR_OS, ENOTSOCK);
    close(fds[0]);
    close(fds[1]);
    srr_world_destroy(w);
}

/* With no default timeout, adopting a descriptor leaves its flags alone. */
static void test_fromfd_leaves_o_nonblock_alone(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    srr_socket *s = H_PTR(srr_fromfd(w, sv[0], AF_UNIX, SOCK_STREAM, 0, &err), &err);
    assert_true(h_fd_nonblocking(sv[0]));
    srr_close(s, NULL);
    close(sv[0]);
    close(sv[1]);
    srr_world_destroy(w);
}

static void test_getfqdn_strips_the_name(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    char a[256], b[256];
    H_OK(srr_getfqdn(w, "  ", a, sizeof a, &err), &err);
    H_OK(srr_getfqdn(w, NULL, b, sizeof b, &err), &err);
    assert_string_equal(a, b);
    srr_world_destroy(w);
}

/* Both ends are stripped, as Python's str.strip(): a name no one knows comes
 * back as given, without the spaces around it (the sim: no DNS needed). */
static void test_getfqdn_strips_both_ends(void **state)
{
    (void)state;
    char eb[256];
    srr_world *w = srr_world_sim_string("{}", eb, sizeof eb);
    assert_non_null(w);
    srr_error err;
    char a[256], b[256];
    H_OK(srr_getfqdn(w, " \tnosuch-host \r\n", a, sizeof a, &err), &err);
    assert_string_equal(a, "nosuch-host");
    H_OK(srr_getfqdn(w, "localhost\t ", a, sizeof a, &err), &err);
    H_OK(srr_getfqdn(w, "localhost", b, sizeof b, &err), &err);
    assert_string_equal(a, b);
    srr_world_destroy(w);
}

static void test_makefile_modes_follow_cpython(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    assert_null(srr_makefile(p[0], "r+", &err)); /* only r, w, b */
    assert_err_kind(err, SRR_ERR_VALUE);
    FILE *f = H_PTR(srr_makefile(p[0], "b", &err), &err); /* no w: reading */
    H_OK(srr_sendall(p[1], "x\n", 2, 0, &err), &err);
    char line[8];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "x\n");
    fclose(f);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_getsockopt_buflen_out_of_range_is_oserror(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    char buf[2048];
    assert_int_equal(srr_getsockopt_buf(s, SOL_SOCKET, SO_LINGER, buf, 2000, &err), -1);
    assert_err_code(err, SRR_ERR_OS, EINVAL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_to_closed_peer_is_epipe_not_sigpipe),
        cmocka_unit_test(test_cmsg_parse_stops_at_a_huge_length),
        cmocka_unit_test(test_abstract_name_of_huge_length_is_refused),
        cmocka_unit_test(test_unix_path_of_108_bytes_is_too_long),
        cmocka_unit_test(test_create_connection_with_invalid_source_is_value_error),
        cmocka_unit_test(test_from_fileno_refuses_a_pipe),
        cmocka_unit_test(test_fromfd_leaves_o_nonblock_alone),
        cmocka_unit_test(test_getfqdn_strips_the_name),
        cmocka_unit_test(test_getfqdn_strips_both_ends),
        cmocka_unit_test(test_makefile_modes_follow_cpython),
        cmocka_unit_test(test_getsockopt_buflen_out_of_range_is_oserror),
    };
    return cmocka_run_group_tests_name("test_edges", tests, NULL, NULL);
}
