/*
 * test_check.c — the argument checks above the seam (lib/core/check.c)
 * called directly, for what the bad-argument table (badargs.sh) cannot
 * show alone: the message a world gets.  Found by tests/fuzz/
 * fuzz_check_args (regress/check_args/): iovec pieces each inside user
 * space whose lengths sum past SSIZE_MAX passed the checks, and a world's
 * entry assertion (world_assert.h) aborted the program.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <sys/uio.h>

#include "check.h"

static char buf[64];

/* n pieces from buf to just under 2^56, where the checks end user space. */
static void fill_near_end(struct iovec *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (struct iovec){buf, ((size_t)1 << 56) - (uintptr_t)buf};
}

static void test_iov_lengths_summing_past_ssize_max_are_efault(void **state)
{
    (void)state;
    struct iovec v[129];
    fill_near_end(v, 129);
    assert_int_equal(srr__check_iov(v, 1), 0); /* one piece is in range */
    assert_int_equal(srr__check_iov(v, 129), -EFAULT);
}

static void test_iov_lengths_summing_to_ssize_max_pass(void **state)
{
    (void)state;
    struct iovec v[2] = {{buf, 1}, {buf, 1}};
    fill_near_end(v, 1);
    v[1].iov_len = 0;
    assert_int_equal(srr__check_iov(v, 2), 0);
    /* 128 pieces of under 2^56 stay below 2^63 */
    struct iovec w[128];
    fill_near_end(w, 128);
    assert_int_equal(srr__check_iov(w, 128), 0);
}

static void test_sendmsg_and_recvmsg_refuse_the_overflowing_sum(void **state)
{
    (void)state;
    struct iovec v[129];
    fill_near_end(v, 129);
    struct msghdr m = {.msg_iov = v, .msg_iovlen = 129}, out;
    assert_int_equal(srr__check_sendmsg(&m, 0, &out), -EFAULT);
    assert_int_equal(srr__check_recvmsg(&m, 0, &out), -EFAULT);
    m.msg_iovlen = 128;
    assert_int_equal(srr__check_sendmsg(&m, 0, &out), 0);
    assert_int_equal(out.msg_iovlen, 128);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iov_lengths_summing_past_ssize_max_are_efault),
        cmocka_unit_test(test_iov_lengths_summing_to_ssize_max_pass),
        cmocka_unit_test(test_sendmsg_and_recvmsg_refuse_the_overflowing_sum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
