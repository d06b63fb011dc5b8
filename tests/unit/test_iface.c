/*
 * test_iface.c — if_nameindex, if_nametoindex, if_indextoname and has_ipv6
 * over the kernel world.  Every Linux host has "lo".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockrr.h"
#include "helpers.h"

#define assert_ok(rc) assert_in_range((rc), 0, INT32_MAX)
#define GUARD 0x5a

static srr_world *kernel(void)
{
    srr_world *w = srr_world_kernel();
    assert_non_null(w);
    return w;
}

/* The index if_nameindex gives "lo" (fails the test when it is missing). */
static unsigned lo_index(srr_world *w)
{
    srr_ifname *list = NULL;
    size_t n = 0;
    srr_error e = {0};
    assert_int_equal(srr_if_nameindex(w, &list, &n, &e), 0);
    unsigned idx = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, "lo") == 0) idx = list[i].index;
    free(list);
    if (idx == 0) fail_msg("\"lo\" missing from if_nameindex (or index 0)");
    return idx;
}

static void test_if_nameindex_lists_lo(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_ifname *list = NULL;
    size_t n = 0;
    srr_error e = {0};
    assert_int_equal(srr_if_nameindex(w, &list, &n, &e), 0);
    assert_in_range(n, 1, 100000);
    assert_non_null(list);
    int seen_lo = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_not_equal(list[i].index, 0);
        if (list[i].name[0] == '\0') fail_msg("entry %zu has an empty name", i);
        if (strcmp(list[i].name, "lo") == 0) seen_lo = 1;
    }
    assert_true(seen_lo);
    free(list);
    srr_world_destroy(w);
}

static void test_if_nameindex_matches_libc(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_ifname *list = NULL;
    size_t n = 0;
    srr_error e = {0};
    assert_int_equal(srr_if_nameindex(w, &list, &n, &e), 0);
    struct if_nameindex *ref = if_nameindex();
    assert_non_null(ref);
    size_t nref = 0;
    while (ref[nref].if_index != 0) nref++;
    assert_int_equal(n, nref);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(list[i].index, ref[i].if_index);
        assert_string_equal(list[i].name, ref[i].if_name);
    }
    if_freenameindex(ref);
    free(list);
    srr_world_destroy(w);
}

static void test_if_nametoindex_lo(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_error e = {0};
    unsigned idx = lo_index(w);
    assert_int_equal(srr_if_nametoindex(w, "lo", &e), idx);
    assert_int_equal(idx, if_nametoindex("lo"));
    srr_world_destroy(w);
}

static void test_if_indextoname_lo(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[IF_NAMESIZE];
    srr_error e = {0};
    assert_ok(srr_if_indextoname(w, lo_index(w), buf, sizeof buf, &e));
    assert_string_equal(buf, "lo");
    srr_world_destroy(w);
}

static void test_if_nametoindex_unknown_is_oserror(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_error e = {0};
    assert_int_equal(srr_if_nametoindex(w, "no-such-if0", &e), 0);
    /* Python: OSError("no interface with this name"), no errno given. */
    assert_err_kind(e, SRR_ERR_OS);
    srr_world_destroy(w);
}

static void test_if_indextoname_unknown_is_enxio(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[IF_NAMESIZE];
    srr_error e = {0};
    assert_int_equal(srr_if_indextoname(w, 999999, buf, sizeof buf, &e), -1);
    assert_err_code(e, SRR_ERR_OS, ENXIO);
    srr_world_destroy(w);
}

static void test_if_indextoname_short_buffer_fails_without_overrun(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[IF_NAMESIZE];
    memset(buf, GUARD, sizeof buf);
    srr_error e = {0};
    assert_int_equal(srr_if_indextoname(w, lo_index(w), buf, 2, &e), -1); /* "lo" needs 3 */
    if (e.kind == SRR_ERR_NONE) fail_msg("returned -1 but left the error kind NONE");
    for (size_t i = 2; i < sizeof buf; i++) assert_int_equal((unsigned char)buf[i], GUARD);
    srr_world_destroy(w);
}

static void test_if_nametoindex_null_is_value_error(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_error e = {0};
    assert_int_equal(srr_if_nametoindex(w, NULL, &e), 0);
    assert_err_kind(e, SRR_ERR_VALUE);
    srr_world_destroy(w);
}

static void test_if_nameindex_null_out_is_value_error(void **state)
{
    (void)state;
    srr_world *w = kernel();
    size_t n = 0;
    srr_error e = {0};
    assert_int_equal(srr_if_nameindex(w, NULL, &n, &e), -1);
    assert_err_kind(e, SRR_ERR_VALUE);
    srr_world_destroy(w);
}

static void test_has_ipv6_agrees_with_libc(void **state)
{
    (void)state;
    srr_world *w = kernel();
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    int want = fd >= 0;
    if (fd >= 0) close(fd);
    assert_int_equal(srr_has_ipv6(w) != 0, want);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_if_nameindex_lists_lo),
        cmocka_unit_test(test_if_nameindex_matches_libc),
        cmocka_unit_test(test_if_nametoindex_lo),
        cmocka_unit_test(test_if_indextoname_lo),
        cmocka_unit_test(test_if_nametoindex_unknown_is_oserror),
        cmocka_unit_test(test_if_indextoname_unknown_is_enxio),
        cmocka_unit_test(test_if_indextoname_short_buffer_fails_without_overrun),
        cmocka_unit_test(test_if_nametoindex_null_is_value_error),
        cmocka_unit_test(test_if_nameindex_null_out_is_value_error),
        cmocka_unit_test(test_has_ipv6_agrees_with_libc),
    };
    return cmocka_run_group_tests_name("test_iface", tests, NULL, NULL);
}
