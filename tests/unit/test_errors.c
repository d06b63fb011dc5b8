/*
 * test_errors.c — the error values (Python's exception classes): symbolic
 * names, messages, kind names, srr_error_format, err == NULL, and a real
 * OSError from a refused loopback connect.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sockrr.h"
#include "helpers.h"

#define assert_contains(hay, needle)                                                           \
    do {                                                                                       \
        if (strstr((hay), (needle)) == NULL)                                                   \
            fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));                       \
    } while (0)
/* A string result that must exist: prints which call gave NULL. */
#define assert_str_nonempty(s)                                                                 \
    do {                                                                                       \
        const char *s_ = (s);                                                                  \
        if (s_ == NULL) fail_msg("%s is NULL", #s);                                            \
        if (s_[0] == '\0') fail_msg("%s is empty", #s);                                        \
    } while (0)
#define assert_null_name(s)                                                                    \
    do {                                                                                       \
        const char *s_ = (s);                                                                  \
        if (s_ != NULL) fail_msg("%s is \"%s\", expected NULL", #s, s_);                       \
    } while (0)
#define GUARD 0x5a

static srr_error os_error(int code)
{
    srr_error e = {.kind = SRR_ERR_OS, .code = code};
    snprintf(e.text, sizeof e.text, "%s", strerror(code));
    return e;
}

/* ---------------------------------------------------------- symbolic names */

static void test_errno_name_econnrefused(void **state)
{
    (void)state;
    assert_string_equal(srr_errno_name(ECONNREFUSED), "ECONNREFUSED");
}

static void test_errno_name_eagain(void **state)
{
    (void)state;
    assert_string_equal(srr_errno_name(EAGAIN), "EAGAIN");
}

static void test_errno_name_common_codes(void **state)
{
    (void)state;
    assert_string_equal(srr_errno_name(EPIPE), "EPIPE");
    assert_string_equal(srr_errno_name(ETIMEDOUT), "ETIMEDOUT");
    assert_string_equal(srr_errno_name(EADDRINUSE), "EADDRINUSE");
    assert_string_equal(srr_errno_name(ECONNRESET), "ECONNRESET");
    assert_string_equal(srr_errno_name(EINPROGRESS), "EINPROGRESS");
    assert_string_equal(srr_errno_name(ENOENT), "ENOENT");
}

static void test_errno_name_unknown_is_null(void **state)
{
    (void)state;
    assert_null_name(srr_errno_name(-1));
    assert_null_name(srr_errno_name(99999));
}

static void test_gai_name_eai_noname(void **state)
{
    (void)state;
    assert_string_equal(srr_gai_name(EAI_NONAME), "EAI_NONAME");
    assert_string_equal(srr_gai_name(EAI_AGAIN), "EAI_AGAIN");
    assert_string_equal(srr_gai_name(EAI_SERVICE), "EAI_SERVICE");
    assert_string_equal(srr_gai_name(EAI_FAMILY), "EAI_FAMILY");
}

static void test_gai_name_unknown_is_null(void **state)
{
    (void)state;
    assert_null_name(srr_gai_name(12345));
    assert_null_name(srr_gai_name(-12345));
}

static void test_herror_name_host_not_found(void **state)
{
    (void)state;
    assert_string_equal(srr_herror_name(HOST_NOT_FOUND), "HOST_NOT_FOUND");
    assert_string_equal(srr_herror_name(TRY_AGAIN), "TRY_AGAIN");
    assert_string_equal(srr_herror_name(NO_RECOVERY), "NO_RECOVERY");
    const char *nd = srr_herror_name(NO_DATA); /* NO_ADDRESS is the same value */
    if (nd == NULL || (strcmp(nd, "NO_DATA") != 0 && strcmp(nd, "NO_ADDRESS") != 0))
        fail_msg("srr_herror_name(NO_DATA) = \"%s\"", nd ? nd : "(null)");
}

static void test_herror_name_unknown_is_null(void **state)
{
    (void)state;
    assert_null_name(srr_herror_name(12345));
}

/* --------------------------------------------------------------- messages */

static void test_gai_message_never_null(void **state)
{
    (void)state;
    assert_str_nonempty(srr_gai_message(EAI_NONAME));
    assert_str_nonempty(srr_gai_message(EAI_AGAIN));
    assert_non_null(srr_gai_message(12345));
    assert_non_null(srr_gai_message(0));
}

static void test_herror_message_never_null(void **state)
{
    (void)state;
    assert_str_nonempty(srr_herror_message(HOST_NOT_FOUND));
    assert_str_nonempty(srr_herror_message(TRY_AGAIN));
    assert_non_null(srr_herror_message(12345));
    assert_non_null(srr_herror_message(-1));
}

static void test_error_kind_name_every_kind(void **state)
{
    (void)state;
    assert_string_equal(srr_error_kind_name(SRR_ERR_OS), "OSError");
    assert_string_equal(srr_error_kind_name(SRR_ERR_HERROR), "herror");
    assert_string_equal(srr_error_kind_name(SRR_ERR_GAI), "gaierror");
    assert_string_equal(srr_error_kind_name(SRR_ERR_TIMEOUT), "timeout");
    assert_string_equal(srr_error_kind_name(SRR_ERR_VALUE), "ValueError");
}

/* ------------------------------------------------------- srr_error_format */

static void test_error_format_os_error_has_errno_and_message(void **state)
{
    (void)state;
    srr_error e = os_error(ECONNREFUSED);
    char buf[512], num[16];
    snprintf(num, sizeof num, "%d", ECONNREFUSED);
    assert_ptr_equal(srr_error_format(&e, buf, sizeof buf), buf);
    assert_contains(buf, num);
    assert_contains(buf, strerror(ECONNREFUSED));
    assert_contains(buf, "ECONNREFUSED");
}

static void test_error_format_gai_error_has_message(void **state)
{
    (void)state;
    srr_error e = {.kind = SRR_ERR_GAI, .code = EAI_NONAME};
    snprintf(e.text, sizeof e.text, "%s", srr_gai_message(EAI_NONAME));
    char buf[512];
    assert_ptr_equal(srr_error_format(&e, buf, sizeof buf), buf);
    assert_contains(buf, e.text);
}

static void test_error_format_truncates_into_tiny_buffer(void **state)
{
    (void)state;
    srr_error e = os_error(ECONNREFUSED);
    char full[512], tiny[9];
    srr_error_format(&e, full, sizeof full);
    memset(tiny, GUARD, sizeof tiny);
    assert_ptr_equal(srr_error_format(&e, tiny, 8), tiny);
    assert_int_equal((unsigned char)tiny[8], GUARD);
    assert_non_null(memchr(tiny, '\0', 8));
    /* snprintf-style: the first 7 characters of the whole message */
    assert_int_equal(strlen(tiny), 7);
    assert_memory_equal(tiny, full, 7);
}

static void test_error_format_into_one_byte(void **state)
{
    (void)state;
    srr_error e = os_error(EPIPE);
    char buf[2] = {GUARD, GUARD};
    assert_ptr_equal(srr_error_format(&e, buf, 1), buf);
    assert_int_equal(buf[0], '\0');
    assert_int_equal((unsigned char)buf[1], GUARD);
}

/* -------------------------------------------------------------- err == NULL */

static void test_null_err_is_tolerated(void **state)
{
    (void)state;
    unsigned char out[16];
    char buf[64];
    assert_int_equal(srr_inet_aton("x", out, NULL), -1);
    assert_int_equal(srr_inet_aton(NULL, out, NULL), -1);
    assert_int_equal(srr_inet_ntoa(out, 3, buf, sizeof buf, NULL), -1);
    assert_int_equal(srr_inet_pton(AF_INET, "x", out, sizeof out, NULL), -1);
    assert_int_equal(srr_inet_pton(12345, "1.2.3.4", out, sizeof out, NULL), -1);
    assert_int_equal(srr_getprotobyname("no-such-proto-xyz", NULL), -1);
    assert_int_equal(srr_getservbyport(70000, "tcp", buf, sizeof buf, NULL), -1);

    srr_world *w = srr_world_kernel();
    assert_non_null(w);
    srr_addrinfo_list l = {0};
    assert_int_equal(
        srr_getaddrinfo(w, "localhost", "80", AF_UNSPEC, 0, 0, AI_NUMERICHOST, &l, NULL), -1);
    assert_int_equal(srr_if_nametoindex(w, "no-such-if0", NULL), 0);
    srr_world_destroy(w);
}

/* ------------------------------------------------- a real refused connect */

/* A loopback TCP port that was bound and is now closed (nobody listens). */
static void closed_port(srr_world *w, srr_addr *out)
{
    srr_error e = {0};
    srr_addr any;
    srr_socket *s = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    assert_non_null(s);
    assert_int_equal(srr_addr_inet(&any, "127.0.0.1", 0), 0);
    assert_int_equal(srr_bind(s, &any, &e), 0);
    assert_int_equal(srr_getsockname(s, out, &e), 0);
    assert_int_equal(out->family, AF_INET);
    assert_int_not_equal(out->port, 0);
    assert_int_equal(srr_close(s, &e), 0);
}

static void test_refused_connect_is_oserror_econnrefused(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    assert_non_null(w);
    srr_addr dead;
    closed_port(w, &dead);
    srr_error e = {0};
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    assert_non_null(c);
    assert_int_equal(srr_connect(c, &dead, &e), -1);
    assert_err_code(e, SRR_ERR_OS, ECONNREFUSED);
    assert_string_equal(e.text, strerror(ECONNREFUSED));
    assert_string_equal(srr_error_kind_name(e.kind), "OSError");
    assert_string_equal(srr_errno_name(e.code), "ECONNREFUSED");
    assert_int_equal(srr_close(c, NULL), 0);
    srr_world_destroy(w);
}

static void test_refused_connect_ex_returns_econnrefused(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    assert_non_null(w);
    srr_addr dead;
    closed_port(w, &dead);
    srr_error e = {0};
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    assert_non_null(c);
    assert_int_equal(srr_connect_ex(c, &dead, &e), ECONNREFUSED);
    assert_int_equal(srr_close(c, NULL), 0);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errno_name_econnrefused),
        cmocka_unit_test(test_errno_name_eagain),
        cmocka_unit_test(test_errno_name_common_codes),
        cmocka_unit_test(test_errno_name_unknown_is_null),
        cmocka_unit_test(test_gai_name_eai_noname),
        cmocka_unit_test(test_gai_name_unknown_is_null),
        cmocka_unit_test(test_herror_name_host_not_found),
        cmocka_unit_test(test_herror_name_unknown_is_null),
        cmocka_unit_test(test_gai_message_never_null),
        cmocka_unit_test(test_herror_message_never_null),
        cmocka_unit_test(test_error_kind_name_every_kind),
        cmocka_unit_test(test_error_format_os_error_has_errno_and_message),
        cmocka_unit_test(test_error_format_gai_error_has_message),
        cmocka_unit_test(test_error_format_truncates_into_tiny_buffer),
        cmocka_unit_test(test_error_format_into_one_byte),
        cmocka_unit_test(test_null_err_is_tolerated),
        cmocka_unit_test(test_refused_connect_is_oserror_econnrefused),
        cmocka_unit_test(test_refused_connect_ex_returns_econnrefused),
    };
    return cmocka_run_group_tests_name("test_errors", tests, NULL, NULL);
}
