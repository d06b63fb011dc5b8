/*
 * test_addr.c — Python's address forms for IPv4/IPv6: host names, flowinfo
 * and scope id, and sockaddr conversion.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "sockrr.h"

static void test_bind_hostname_resolves_through_world(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    srr_addr a;
    srr_socket *s = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err);
    assert_non_null(s);
    assert_int_equal(srr_addr_inet(&a, "localhost", 0), 0);
    assert_int_equal(srr_bind(s, &a, &err), 0);
    assert_int_equal(srr_getsockname(s, &a, &err), 0);
    assert_string_equal(a.host, "127.0.0.1");
    assert_true(a.port > 0);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_inet6_flowinfo_out_of_range_is_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    if (!srr_has_ipv6(w)) {
        srr_world_destroy(w);
        skip();
    }
    srr_error err;
    srr_addr a;
    srr_socket *s = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &err);
    assert_non_null(s);
    assert_int_equal(srr_addr_inet6(&a, "::1", 0, 0x100000, 0), 0);
    assert_int_equal(srr_bind(s, &a, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_VALUE);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_inet6_getsockname_gives_four_fields(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    srr_addr a;
    srr_socket *s = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &err);
    if (!s) {
        srr_world_destroy(w);
        skip();
    }
    assert_int_equal(srr_addr_inet6(&a, "::1", 0, 0, 0), 0);
    if (srr_bind(s, &a, &err) < 0) { /* no ::1 on this machine */
        srr_close(s, NULL);
        srr_world_destroy(w);
        skip();
    }
    assert_int_equal(srr_getsockname(s, &a, &err), 0);
    assert_int_equal(a.family, AF_INET6);
    assert_string_equal(a.host, "::1");
    assert_true(a.port > 0);
    assert_int_equal(a.flowinfo, 0);
    assert_int_equal(a.scope_id, 0);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_addr_from_sockaddr_keeps_flowinfo_and_scope(void **state)
{
    (void)state;
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(443),
                               .sin6_flowinfo = htonl(5), .sin6_scope_id = 3};
    inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
    srr_addr a;
    srr_error err;
    assert_int_equal(srr_addr_from_sockaddr(&a, (struct sockaddr *)&in6, sizeof in6, &err), 0);
    assert_int_equal(a.family, AF_INET6);
    assert_string_equal(a.host, "fe80::1");
    assert_int_equal(a.port, 443);
    assert_int_equal(a.flowinfo, 5);
    assert_int_equal(a.scope_id, 3);
}

static void test_addr_from_sockaddr_rejects_short_and_unknown(void **state)
{
    (void)state;
    struct sockaddr_in in = {.sin_family = AF_INET};
    srr_addr a;
    srr_error err;
    assert_int_equal(srr_addr_from_sockaddr(&a, (struct sockaddr *)&in, 4, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_VALUE);
    in.sin_family = 12345;
    assert_int_equal(srr_addr_from_sockaddr(&a, (struct sockaddr *)&in, sizeof in, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_VALUE);
    assert_int_equal(srr_addr_from_sockaddr(&a, NULL, sizeof in, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_VALUE);
}

static void test_broadcast_host_on_inet6_is_an_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err;
    srr_addr a;
    srr_socket *s = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &err);
    if (!s) {
        srr_world_destroy(w);
        skip();
    }
    assert_int_equal(srr_addr_inet6(&a, "<broadcast>", 0, 0, 0), 0);
    assert_int_equal(srr_bind(s, &a, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_OS);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind_hostname_resolves_through_world),
        cmocka_unit_test(test_inet6_flowinfo_out_of_range_is_value_error),
        cmocka_unit_test(test_inet6_getsockname_gives_four_fields),
        cmocka_unit_test(test_addr_from_sockaddr_keeps_flowinfo_and_scope),
        cmocka_unit_test(test_addr_from_sockaddr_rejects_short_and_unknown),
        cmocka_unit_test(test_broadcast_host_on_inet6_is_an_error),
    };
    return cmocka_run_group_tests_name("test_addr", tests, NULL, NULL);
}
