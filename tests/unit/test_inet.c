/*
 * test_inet.c — the pure conversions: byte order, inet_aton / inet_ntoa,
 * inet_pton / inet_ntop (seed: "Other functions").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "sockrr.h"
#include "helpers.h"

/* Failed with some error, whichever kind. */
#define assert_failed(rc, e)                                                                   \
    do {                                                                                       \
        assert_int_equal((rc), -1);                                                            \
        if ((e).kind == SRR_ERR_NONE) fail_msg("returned -1 but left the error kind NONE");   \
    } while (0)
#define assert_ok(rc) assert_in_range((rc), 0, INT32_MAX)
#define GUARD 0x5a

/* ------------------------------------------------------------ byte order */

static const unsigned char wire32[4] = {0x12, 0x34, 0x56, 0x78};
static const unsigned char wire16[2] = {0xab, 0xcd};

static void test_ntohl_reads_big_endian(void **state)
{
    (void)state;
    uint32_t x;
    memcpy(&x, wire32, sizeof x);
    assert_int_equal(srr_ntohl(x), 0x12345678u);
}

static void test_htonl_writes_big_endian(void **state)
{
    (void)state;
    uint32_t x = srr_htonl(0x12345678u);
    assert_memory_equal(&x, wire32, sizeof x);
}

static void test_ntohs_reads_big_endian(void **state)
{
    (void)state;
    uint16_t x;
    memcpy(&x, wire16, sizeof x);
    assert_int_equal(srr_ntohs(x), 0xabcd);
}

static void test_htons_writes_big_endian(void **state)
{
    (void)state;
    uint16_t x = srr_htons(0xabcd);
    assert_memory_equal(&x, wire16, sizeof x);
}

static void test_byte_order_round_trips(void **state)
{
    (void)state;
    static const uint32_t v32[] = {0, 1, 0x80000000u, 0xdeadbeefu, 0xffffffffu};
    static const uint16_t v16[] = {0, 1, 0x8000, 0xbeef, 0xffff};
    for (size_t i = 0; i < sizeof v32 / sizeof v32[0]; i++) {
        assert_int_equal(srr_ntohl(srr_htonl(v32[i])), v32[i]);
        assert_int_equal(srr_htonl(v32[i]), htonl(v32[i]));
    }
    for (size_t i = 0; i < sizeof v16 / sizeof v16[0]; i++) {
        assert_int_equal(srr_ntohs(srr_htons(v16[i])), v16[i]);
        assert_int_equal(srr_htons(v16[i]), htons(v16[i]));
    }
}

/* ------------------------------------------------------------- inet_aton */

static void test_inet_aton_dotted_quad(void **state)
{
    (void)state;
    static const unsigned char want[4] = {1, 2, 3, 4};
    unsigned char out[4] = {0};
    srr_error e = {0};
    assert_int_equal(srr_inet_aton("1.2.3.4", out, &e), 0);
    assert_memory_equal(out, want, 4);
}

static void test_inet_aton_accepts_short_forms(void **state)
{
    (void)state;
    /* inet(3): a.b (b is 24 bits), a.b.c (c is 16 bits), a (32 bits), and
     * 0x / 0 prefixes for hex / octal parts. */
    static const struct {
        const char *ip;
        unsigned char want[4];
    } cases[] = {
        {"127.1", {127, 0, 0, 1}},       {"1.2.772", {1, 2, 3, 4}},
        {"16909060", {1, 2, 3, 4}},      {"10.258", {10, 0, 1, 2}},
        {"0x7f.0.0.1", {127, 0, 0, 1}},  {"010.0.0.1", {8, 0, 0, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char out[4] = {0};
        srr_error e = {0};
        print_message("inet_aton(\"%s\")\n", cases[i].ip);
        assert_int_equal(srr_inet_aton(cases[i].ip, out, &e), 0);
        assert_memory_equal(out, cases[i].want, 4);
    }
}

static void test_inet_aton_rejects_garbage(void **state)
{
    (void)state;
    static const char *bad[] = {"1.2.3.x", "1.2.3.4.5", "256.0.0.1", "hello", "1..2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char out[4];
        srr_error e = {0};
        print_message("inet_aton(\"%s\")\n", bad[i]);
        assert_int_equal(srr_inet_aton(bad[i], out, &e), -1);
        /* Python: OSError("illegal IP address string passed to inet_aton") */
        assert_err_kind(e, SRR_ERR_OS);
    }
}

static void test_inet_aton_rejects_empty_string(void **state)
{
    (void)state;
    unsigned char out[4];
    srr_error e = {0};
    assert_int_equal(srr_inet_aton("", out, &e), -1);
    assert_err_kind(e, SRR_ERR_OS);
}

static void test_inet_aton_null_is_value_error(void **state)
{
    (void)state;
    unsigned char out[4];
    srr_error e = {0};
    assert_int_equal(srr_inet_aton(NULL, out, &e), -1);
    assert_err_kind(e, SRR_ERR_VALUE);
}

/* ------------------------------------------------------------- inet_ntoa */

static void test_inet_ntoa_four_bytes(void **state)
{
    (void)state;
    static const unsigned char packed[4] = {192, 0, 2, 33};
    char buf[INET_ADDRSTRLEN];
    srr_error e = {0};
    assert_ok(srr_inet_ntoa(packed, 4, buf, sizeof buf, &e));
    assert_string_equal(buf, "192.0.2.33");
}

static void test_inet_ntoa_rejects_wrong_length(void **state)
{
    (void)state;
    static const unsigned char packed[5] = {1, 2, 3, 4, 5};
    static const size_t lens[] = {0, 3, 5};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char buf[INET_ADDRSTRLEN];
        srr_error e = {0};
        print_message("inet_ntoa of %zu bytes\n", lens[i]);
        assert_int_equal(srr_inet_ntoa(packed, lens[i], buf, sizeof buf, &e), -1);
        /* The seed: "If the byte sequence passed to this function is not
         * exactly 4 bytes in length, OSError will be raised" (CPython:
         * OSError("packed IP wrong length for inet_ntoa")). */
        assert_err_kind(e, SRR_ERR_OS);
    }
}

static void test_inet_ntoa_short_buffer_fails_without_overrun(void **state)
{
    (void)state;
    static const unsigned char packed[4] = {192, 0, 2, 33};
    char buf[9];
    memset(buf, GUARD, sizeof buf);
    srr_error e = {0};
    assert_failed(srr_inet_ntoa(packed, 4, buf, 8, &e), e);
    assert_int_equal((unsigned char)buf[8], GUARD);
}

/* ------------------------------------------------------------- inet_pton */

static void test_inet_pton_v4(void **state)
{
    (void)state;
    static const unsigned char want[4] = {10, 20, 30, 40};
    unsigned char out[16] = {0};
    srr_error e = {0};
    assert_int_equal(srr_inet_pton(AF_INET, "10.20.30.40", out, sizeof out, &e), 4);
    assert_memory_equal(out, want, 4);
}

static void test_inet_pton_v6_loopback(void **state)
{
    (void)state;
    static const unsigned char want[16] = {[15] = 1};
    unsigned char out[16];
    memset(out, GUARD, sizeof out);
    srr_error e = {0};
    assert_int_equal(srr_inet_pton(AF_INET6, "::1", out, sizeof out, &e), 16);
    assert_memory_equal(out, want, 16);
}

static void test_inet_pton_v6_documentation_address(void **state)
{
    (void)state;
    static const unsigned char want[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    unsigned char out[16];
    memset(out, GUARD, sizeof out);
    srr_error e = {0};
    assert_int_equal(srr_inet_pton(AF_INET6, "2001:db8::1", out, sizeof out, &e), 16);
    assert_memory_equal(out, want, 16);
}

static void test_inet_pton_rejects_garbage(void **state)
{
    (void)state;
    static const struct {
        int family;
        const char *ip;
    } bad[] = {
        {AF_INET, "1.2.3"}, /* no short forms in inet_pton */
        {AF_INET, "1.2.3.x"},
        {AF_INET, ""},
        {AF_INET6, "::g"},
        {AF_INET6, "1:::2"},
        {AF_INET6, "1.2.3.4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char out[16];
        srr_error e = {0};
        print_message("inet_pton(%d, \"%s\")\n", bad[i].family, bad[i].ip);
        assert_int_equal(srr_inet_pton(bad[i].family, bad[i].ip, out, sizeof out, &e), -1);
        assert_err_kind(e, SRR_ERR_OS);
    }
}

static void test_inet_pton_unknown_family_is_eafnosupport(void **state)
{
    (void)state;
    static const int families[] = {AF_UNIX, 12345};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        unsigned char out[16];
        srr_error e = {0};
        print_message("inet_pton(%d, ...)\n", families[i]);
        assert_int_equal(srr_inet_pton(families[i], "1.2.3.4", out, sizeof out, &e), -1);
        assert_err_code(e, SRR_ERR_OS, EAFNOSUPPORT);
    }
}

static void test_inet_pton_short_output_is_value_error(void **state)
{
    (void)state;
    unsigned char out[16];
    srr_error e = {0};

    memset(out, GUARD, sizeof out);
    assert_int_equal(srr_inet_pton(AF_INET, "1.2.3.4", out, 3, &e), -1);
    assert_err_kind(e, SRR_ERR_VALUE);
    for (size_t i = 3; i < sizeof out; i++) assert_int_equal(out[i], GUARD);

    memset(&e, 0, sizeof e);
    memset(out, GUARD, sizeof out);
    assert_int_equal(srr_inet_pton(AF_INET6, "::1", out, 15, &e), -1);
    assert_err_kind(e, SRR_ERR_VALUE);
    assert_int_equal(out[15], GUARD);
}

static void test_inet_pton_null_string_is_value_error(void **state)
{
    (void)state;
    unsigned char out[16];
    srr_error e = {0};
    assert_int_equal(srr_inet_pton(AF_INET, NULL, out, sizeof out, &e), -1);
    assert_err_kind(e, SRR_ERR_VALUE);
}

/* ------------------------------------------------------------- inet_ntop */

static void test_inet_ntop_v4(void **state)
{
    (void)state;
    static const unsigned char packed[4] = {7, 10, 0, 5};
    char buf[INET_ADDRSTRLEN];
    srr_error e = {0};
    assert_ok(srr_inet_ntop(AF_INET, packed, 4, buf, sizeof buf, &e));
    assert_string_equal(buf, "7.10.0.5");
}

static void test_inet_ntop_v6_compresses_zeros(void **state)
{
    (void)state;
    static const unsigned char packed[16] = {0x5a, 0xef, 0x00, 0x2b, [14] = 0x00, [15] = 0x08};
    static const unsigned char loop[16] = {[15] = 1};
    char buf[INET6_ADDRSTRLEN];
    srr_error e = {0};
    assert_ok(srr_inet_ntop(AF_INET6, packed, 16, buf, sizeof buf, &e));
    assert_string_equal(buf, "5aef:2b::8");
    assert_ok(srr_inet_ntop(AF_INET6, loop, 16, buf, sizeof buf, &e));
    assert_string_equal(buf, "::1");
}

static void test_inet_ntop_wrong_length_is_value_error(void **state)
{
    (void)state;
    static const unsigned char packed[16] = {1, 2, 3, 4};
    static const struct {
        int family;
        size_t len;
    } cases[] = {{AF_INET, 3}, {AF_INET, 5}, {AF_INET, 16}, {AF_INET6, 4}, {AF_INET6, 15}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[INET6_ADDRSTRLEN];
        srr_error e = {0};
        print_message("inet_ntop(%d, %zu bytes)\n", cases[i].family, cases[i].len);
        assert_int_equal(
            srr_inet_ntop(cases[i].family, packed, cases[i].len, buf, sizeof buf, &e), -1);
        assert_err_kind(e, SRR_ERR_VALUE);
    }
}

static void test_inet_ntop_short_buffer_fails_without_overrun(void **state)
{
    (void)state;
    static const unsigned char v4[4] = {1, 2, 3, 4};
    static const unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    char buf[12];
    srr_error e = {0};

    memset(buf, GUARD, sizeof buf);
    assert_failed(srr_inet_ntop(AF_INET, v4, 4, buf, 7, &e), e); /* "1.2.3.4" needs 8 */
    for (size_t i = 7; i < sizeof buf; i++) assert_int_equal((unsigned char)buf[i], GUARD);

    memset(&e, 0, sizeof e);
    memset(buf, GUARD, sizeof buf);
    assert_failed(srr_inet_ntop(AF_INET6, v6, 16, buf, 11, &e), e); /* "2001:db8::1" needs 12 */
    assert_int_equal((unsigned char)buf[11], GUARD);
}

static void test_inet_ntop_unknown_family_fails(void **state)
{
    (void)state;
    static const unsigned char packed[16] = {0};
    char buf[INET6_ADDRSTRLEN];
    srr_error e = {0};
    assert_int_equal(srr_inet_ntop(12345, packed, 4, buf, sizeof buf, &e), -1);
    /* CPython: ValueError("unknown address family"); an OSError from libc's
     * EAFNOSUPPORT is the other defensible reading. */
    if (e.kind != SRR_ERR_VALUE && e.kind != SRR_ERR_OS)
        fail_msg("error kind %d, expected VALUE (%d) or OS (%d)", (int)e.kind, SRR_ERR_VALUE,
                 SRR_ERR_OS);
}

/* ----------------------------------------------------------- round trips */

static void test_inet_pton_ntop_round_trip(void **state)
{
    (void)state;
    static const char *ips[] = {"0.0.0.0", "255.255.255.255", "10.20.30.40", "::", "::1",
                                "fe80::1", "2001:db8::8:800:200c:417a", "2001:db8::1:0:0:1",
                                "::ffff:1.2.3.4"};
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++) {
        int family = strchr(ips[i], ':') ? AF_INET6 : AF_INET;
        unsigned char packed[16];
        char buf[INET6_ADDRSTRLEN];
        srr_error e = {0};
        print_message("round trip \"%s\"\n", ips[i]);
        int n = srr_inet_pton(family, ips[i], packed, sizeof packed, &e);
        assert_int_equal(n, family == AF_INET ? 4 : 16);
        assert_ok(srr_inet_ntop(family, packed, (size_t)n, buf, sizeof buf, &e));
        assert_string_equal(buf, ips[i]);
    }
}

static void test_inet_aton_ntoa_round_trip(void **state)
{
    (void)state;
    static const char *ips[] = {"0.0.0.0", "127.0.0.1", "192.168.255.1", "255.255.255.255"};
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++) {
        unsigned char packed[4];
        char buf[INET_ADDRSTRLEN];
        srr_error e = {0};
        assert_int_equal(srr_inet_aton(ips[i], packed, &e), 0);
        assert_ok(srr_inet_ntoa(packed, 4, buf, sizeof buf, &e));
        assert_string_equal(buf, ips[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ntohl_reads_big_endian),
        cmocka_unit_test(test_htonl_writes_big_endian),
        cmocka_unit_test(test_ntohs_reads_big_endian),
        cmocka_unit_test(test_htons_writes_big_endian),
        cmocka_unit_test(test_byte_order_round_trips),
        cmocka_unit_test(test_inet_aton_dotted_quad),
        cmocka_unit_test(test_inet_aton_accepts_short_forms),
        cmocka_unit_test(test_inet_aton_rejects_garbage),
        cmocka_unit_test(test_inet_aton_rejects_empty_string),
        cmocka_unit_test(test_inet_aton_null_is_value_error),
        cmocka_unit_test(test_inet_ntoa_four_bytes),
        cmocka_unit_test(test_inet_ntoa_rejects_wrong_length),
        cmocka_unit_test(test_inet_ntoa_short_buffer_fails_without_overrun),
        cmocka_unit_test(test_inet_pton_v4),
        cmocka_unit_test(test_inet_pton_v6_loopback),
        cmocka_unit_test(test_inet_pton_v6_documentation_address),
        cmocka_unit_test(test_inet_pton_rejects_garbage),
        cmocka_unit_test(test_inet_pton_unknown_family_is_eafnosupport),
        cmocka_unit_test(test_inet_pton_short_output_is_value_error),
        cmocka_unit_test(test_inet_pton_null_string_is_value_error),
        cmocka_unit_test(test_inet_ntop_v4),
        cmocka_unit_test(test_inet_ntop_v6_compresses_zeros),
        cmocka_unit_test(test_inet_ntop_wrong_length_is_value_error),
        cmocka_unit_test(test_inet_ntop_short_buffer_fails_without_overrun),
        cmocka_unit_test(test_inet_ntop_unknown_family_fails),
        cmocka_unit_test(test_inet_pton_ntop_round_trip),
        cmocka_unit_test(test_inet_aton_ntoa_round_trip),
    };
    return cmocka_run_group_tests_name("test_inet", tests, NULL, NULL);
}
