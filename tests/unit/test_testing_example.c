/*
 * test_testing_example.c — the example of docs/testing.md: a small client
 * function tested against a sim network with sockrr/testing.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h> /* before sockrr/testing.h: it turns on the SRR_TEST_ macros */

#include <sockrr/testing.h>

#define SEC 1000000000LL

/* ------------------------------------------------ the code under test */

/* Asks a status server: connects to host:port, sends "STATUS\r\n" and reads
 * the answer until the server closes.  The answer's length (out is
 * NUL-ended), or -1 with *err. */
static ssize_t get_status(srr_world *w, const char *host, int port, double timeout, char *out,
                          size_t len, srr_error *err)
{
    srr_socket *s = srr_create_connection(w, host, port, timeout, NULL, err);
    if (!s)
        return -1;
    size_t got = 0;
    int r = srr_sendall(s, "STATUS\r\n", 8, 0, err);
    while (r == 0 && got + 1 < len) {
        ssize_t n = srr_recv(s, out + got, len - 1 - got, 0, err);
        if (n < 0)
            r = -1;
        else if (n == 0)
            break;
        else
            got += (size_t)n;
    }
    out[got] = '\0';
    srr_close(s, NULL);
    return r < 0 ? -1 : (ssize_t)got;
}

/* A status server of our own: answers one request with "ok\r\n". */
static void *serve_once(void *listener)
{
    srr_error err;
    srr_socket *c;
    if (srr_accept(listener, &c, NULL, &err) == 0) {
        char req[64];
        if (srr_recv(c, req, sizeof req, 0, &err) > 0)
            srr_sendall(c, "ok\r\n", 4, 0, &err);
        srr_close(c, NULL);
    }
    return NULL;
}

/* ------------------------------------------------------------ the tests */

/* We are "app"; "status" runs two scripted servers: port 80 answers, port
 * 81 reads the request and then says nothing for an hour. */
static const char *NET =
    "{\"hosts\": {\"app\":    {\"addrs\": [\"192.0.2.1\"], \"self\": true},"
    "             \"status\": {\"addrs\": [\"192.0.2.7\"]}},"
    " \"services\": {"
    "   \"status:80\": {\"script\": [{\"expect\": \"STATUS\\r\\n\"}, {\"send\": \"up\\r\\n\"},"
    "                              {\"close\": true}]},"
    "   \"status:81\": {\"script\": [{\"expect\": \"STATUS\\r\\n\"}, {\"wait\": \"1h\"}]}}}";

static void test_status_is_read_and_asked_again_a_minute_later(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, NET);
    char out[32];
    srr_error err;

    assert_int_equal(get_status(t->world, "status", 80, 5.0, out, sizeof out, &err), 4);
    assert_string_equal(out, "up\r\n");
    assert_int_equal(srr_test_advance(t, 60 * SEC), 0); /* a minute passes, virtually */
    assert_int_equal(get_status(t->world, "status", 80, 5.0, out, sizeof out, &err), 4);

    assert_int_equal(srr_test_now(t), 60 * SEC);
    SRR_TEST_ASSERT_SENT(t, "status:80", "STATUS\r\nSTATUS\r\n");
    SRR_TEST_ASSERT_RECEIVED(t, "status:80", "up\r\nup\r\n");
    SRR_TEST_ASSERT_COUNT(t, "connect", 0, NULL, 2);
    srr_test_close(t);
}

static void test_a_silent_server_times_out_after_exactly_two_seconds(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, NET);
    char out[32];
    srr_error err;

    assert_int_equal(get_status(t->world, "status", 81, 2.0, out, sizeof out, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_TIMEOUT);
    assert_int_equal(srr_test_now(t), 2 * SEC); /* no wall-clock time was spent */
    SRR_TEST_ASSERT_SENT(t, "status:81", "STATUS\r\n");
    SRR_TEST_ASSERT_COUNT(t, "connect", 0, NULL, 1); /* no retry */
    srr_test_close(t);
}

static void test_our_own_server_answers_our_client(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, NET);
    srr_error err;
    srr_addr addr;
    srr_socket *l = srr_socket_new(t->world, AF_INET, SOCK_STREAM, 0, &err);
    assert_non_null(l);
    srr_addr_inet(&addr, "192.0.2.1", 8080);
    assert_int_equal(srr_bind(l, &addr, &err), 0);
    assert_int_equal(srr_listen(l, 1, &err), 0);

    srr_test_thread *server = srr_test_run_thread(t, serve_once, l);
    assert_non_null(server);
    char out[32];
    assert_int_equal(get_status(t->world, "app", 8080, 5.0, out, sizeof out, &err), 4);
    assert_int_equal(srr_test_join(server, NULL), 0);

    assert_string_equal(out, "ok\r\n");
    SRR_TEST_ASSERT_SENT(t, "app:8080", "STATUS\r\n");
    SRR_TEST_ASSERT_COUNT(t, "accept4", 0, "", 1);
    srr_close(l, NULL);
    srr_test_close(t);
}

int main(void)
{
    /* srr_test_teardown closes what a failed test left open and keeps its
     * trace; a test that reaches srr_test_close leaves it nothing to do. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_status_is_read_and_asked_again_a_minute_later,
                                  srr_test_teardown),
        cmocka_unit_test_teardown(test_a_silent_server_times_out_after_exactly_two_seconds,
                                  srr_test_teardown),
        cmocka_unit_test_teardown(test_our_own_server_answers_our_client, srr_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
