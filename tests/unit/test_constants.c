/*
 * test_constants.c — the seed's constants are reachable through sockrr.h
 * alone, with Linux's values, and the option constants work through the API.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "sockrr.h"

static void test_constants_have_linux_values(void **state)
{
    (void)state;
    assert_int_equal(AF_UNIX, 1);
    assert_int_equal(AF_INET, 2);
    assert_int_equal(AF_INET6, 10);
    assert_int_equal(SOCK_STREAM, 1);
    assert_int_equal(SOCK_DGRAM, 2);
    assert_int_equal(SOCK_RAW, 3);
    assert_int_equal(SOCK_RDM, 4);
    assert_int_equal(SOCK_SEQPACKET, 5);
    assert_int_equal(SOCK_CLOEXEC, 02000000);
    assert_int_equal(SOCK_NONBLOCK, 04000);
    assert_int_equal(SOL_SOCKET, 1);
    assert_int_equal(SO_REUSEADDR, 2);
    assert_int_equal(SOMAXCONN, 4096);
    assert_int_equal(MSG_PEEK, 2);
    assert_int_equal(MSG_DONTWAIT, 0x40);
    assert_int_equal(SCM_RIGHTS, 1);
    assert_int_equal(IPPROTO_TCP, 6);
    assert_int_equal(IPPROTO_UDP, 17);
    assert_int_equal(IPPORT_RESERVED, 1024);
    assert_int_equal(INADDR_ANY, 0);
    assert_int_equal(INADDR_LOOPBACK, 0x7f000001);
    assert_int_equal(IP_TTL, 2);
    assert_int_equal(IPV6_V6ONLY, 26);
    assert_int_equal(EAI_NONAME, -2);
    assert_int_equal(AI_PASSIVE, 1);
    assert_int_equal(NI_NUMERICHOST, 1);
    assert_int_equal(TCP_NODELAY, 1);
}

static void test_option_constants_work_through_the_api(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    srr_socket *s = srr_socket_new(w, AF_INET, SOCK_STREAM, IPPROTO_TCP, &err);
    assert_non_null(s);
    int v = -1;
    assert_int_equal(srr_setsockopt_int(s, IPPROTO_TCP, TCP_NODELAY, 1, &err), 0);
    assert_int_equal(srr_getsockopt_int(s, IPPROTO_TCP, TCP_NODELAY, &v, &err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(srr_setsockopt_int(s, IPPROTO_IP, IP_TTL, 7, &err), 0);
    assert_int_equal(srr_getsockopt_int(s, IPPROTO_IP, IP_TTL, &v, &err), 0);
    assert_int_equal(v, 7);
    assert_int_equal(srr_setsockopt_int(s, SOL_SOCKET, 0x7fff, 1, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_OS);
    assert_int_equal(err.code, ENOPROTOOPT);
    srr_close(s, NULL);
    if (srr_has_ipv6(w)) {
        s = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &err);
        assert_non_null(s);
        assert_int_equal(srr_setsockopt_int(s, IPPROTO_IPV6, IPV6_V6ONLY, 1, &err), 0);
        assert_int_equal(srr_getsockopt_int(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, &err), 0);
        assert_int_equal(v, 1);
        srr_close(s, NULL);
    }
    srr_world_destroy(w);
}

static void test_socket_type_flags_are_honoured(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    /* SOCK_NONBLOCK in the type puts the socket in non-blocking mode (3.7+) */
    srr_socket *s = srr_socket_new(w, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0, &err);
    assert_non_null(s);
    assert_int_equal(srr_type(s), SOCK_DGRAM);
    assert_true(srr_gettimeout(s) == 0.0);
    char b;
    assert_int_equal(srr_recv(s, &b, 1, 0, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_OS);
    assert_int_equal(err.code, EAGAIN);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constants_have_linux_values),
        cmocka_unit_test(test_option_constants_work_through_the_api),
        cmocka_unit_test(test_socket_type_flags_are_honoured),
    };
    return cmocka_run_group_tests_name("test_constants", tests, NULL, NULL);
}
