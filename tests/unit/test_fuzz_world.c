/*
 * test_fuzz_world.c — the fuzz world's test cases (any bytes decode) and
 * its peer, through the C API: messages given only when the program waits,
 * connections made by the program or by the peer, datagrams, the end of a
 * case, and the next case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_case.h"
#include "helpers.h"
#include "sockrr.h"
#include "sockrr/fuzz.h"

/* ------------------------------------------------------------ the format */

static void test_any_bytes_decode_within_the_input(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    unsigned char buf[512];
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(round % 97) * 5;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[i] = (unsigned char)x;
        }
        srr_fuzz_case c;
        assert_int_equal(srr__fuzz_decode(buf, n, &c), 0);
        size_t used = 0;
        for (size_t i = 0; i < c.n; i++) {
            assert_true(c.msgs[i].slot < SRR_FUZZ_SLOTS);
            assert_true(c.msgs[i].data >= buf && c.msgs[i].data + c.msgs[i].len <= buf + n);
            used += c.msgs[i].len + 1;
        }
        assert_true(used <= n);     /* each message costs its head at least */
        assert_true(n == 0 || c.n > 0);
        srr__fuzz_case_free(&c);
    }
}

static void test_encode_then_decode_gives_the_messages_back(void **state)
{
    (void)state;
    unsigned char *big = malloc(70000);
    assert_non_null(big);
    memset(big, 'b', 70000);
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    assert_int_equal(srr__fuzz_encode(&buf, &len, &cap, 0, SRR_FUZZ_DATA, "HELLO\n", 6), 0);
    assert_int_equal(srr__fuzz_encode(&buf, &len, &cap, 1, SRR_FUZZ_DATA_FIN, big, 70000), 0);
    assert_int_equal(srr__fuzz_encode(&buf, &len, &cap, 5, SRR_FUZZ_DATAGRAM, "", 0), 0);
    assert_int_equal(srr__fuzz_encode(&buf, &len, &cap, 2, SRR_FUZZ_DATA_RST, "x", 1), 0);
    srr_fuzz_case c;
    assert_int_equal(srr__fuzz_decode(buf, len, &c), 0);
    assert_int_equal(c.n, 5); /* the big one split in two */
    assert_int_equal(c.msgs[0].slot, 0);
    assert_int_equal(c.msgs[0].len, 6);
    assert_memory_equal(c.msgs[0].data, "HELLO\n", 6);
    assert_int_equal(c.msgs[1].kind, SRR_FUZZ_DATA); /* only the last part keeps the FIN */
    assert_int_equal(c.msgs[1].len, SRR_FUZZ_MSG_MAX);
    assert_int_equal(c.msgs[2].kind, SRR_FUZZ_DATA_FIN);
    assert_int_equal(c.msgs[2].len, 70000 - SRR_FUZZ_MSG_MAX);
    assert_int_equal(c.msgs[3].kind, SRR_FUZZ_DATAGRAM);
    assert_int_equal(c.msgs[3].slot, 5);
    assert_int_equal(c.msgs[3].len, 0);
    assert_int_equal(c.msgs[4].kind, SRR_FUZZ_DATA_RST);
    assert_string_equal(srr__fuzz_kind_name(c.msgs[4].kind), "data+rst");
    srr__fuzz_case_free(&c);
    free(buf);
    free(big);
}

static void test_a_short_input_gives_what_is_left(void **state)
{
    (void)state;
    const unsigned char in[] = {0x21, 0x01, 0x00, 'a', 'b'}; /* long length 256, 2 bytes left */
    srr_fuzz_case c;
    assert_int_equal(srr__fuzz_decode(in, sizeof in, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.msgs[0].slot, 1);
    assert_int_equal(c.msgs[0].len, 2);
    srr__fuzz_case_free(&c);
    const unsigned char head_only[] = {0xff};
    assert_int_equal(srr__fuzz_decode(head_only, 1, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.msgs[0].len, 0);
    assert_int_equal(c.msgs[0].kind, SRR_FUZZ_DATAGRAM);
    srr__fuzz_case_free(&c);
}

/* -------------------------------------------------------------- the peer */

typedef struct tcase {
    unsigned char *buf;
    size_t len, cap;
} tcase;

static void add(tcase *t, unsigned slot, srr_fuzz_kind kind, const char *s)
{
    assert_int_equal(srr__fuzz_encode(&t->buf, &t->len, &t->cap, slot, kind, s, strlen(s)), 0);
}

static srr_world *fuzz_new(tcase *t)
{
    char msg[256];
    srr_world *w = srr_world_fuzz(NULL, NULL, msg, sizeof msg);
    if (!w)
        fail_msg("srr_world_fuzz: %s", msg);
    assert_int_equal(srr_fuzz_give(w, t->buf, t->len), 0);
    free(t->buf);
    *t = (tcase){0};
    return w;
}

static srr_socket *listener(srr_world *w, int port)
{
    srr_error err;
    srr_addr a;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_addr_inet(&a, "0.0.0.0", port);
    H_OK(srr_bind(l, &a, &err), &err);
    H_OK(srr_listen(l, 8, &err), &err);
    return l;
}

static size_t recv_str(srr_socket *s, char *b, size_t cap)
{
    srr_error err;
    ssize_t n = srr_recv(s, b, cap - 1, 0, &err);
    assert_true(n >= 0);
    b[n] = '\0';
    return (size_t)n;
}

static void test_a_server_gets_one_message_each_time_it_waits(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATA, "HELLO\n");
    add(&t, 0, SRR_FUZZ_DATA_FIN, "WORLD\n");
    srr_world *w = fuzz_new(&t);
    srr_socket *l = listener(w, 7000);
    srr_fuzz_stats st;
    H_OK(srr_fuzz_stats_of(w, &st), NULL);
    assert_int_equal(st.messages, 0); /* nothing until the program waits */
    srr_error err;
    srr_addr peer;
    srr_socket *c;
    H_OK(srr_accept(l, &c, &peer, &err), &err);
    char b[64], f[64];
    assert_string_equal(srr_addr_format(&peer, f, sizeof f), "192.0.2.1:40000");
    recv_str(c, b, sizeof b);
    assert_string_equal(b, "HELLO\n"); /* one message, though the next is ready */
    H_OK(srr_sendall(c, "ok\n", 3, 0, &err), &err);
    recv_str(c, b, sizeof b);
    assert_string_equal(b, "WORLD\n");
    assert_int_equal(recv_str(c, b, sizeof b), 0); /* the FIN */
    srr_close(c, NULL);
    srr_socket *c2;
    assert_int_equal(srr_accept(l, &c2, NULL, &err), -1); /* played out */
    assert_err_code(err, SRR_ERR_OS, EDEADLK);
    H_OK(srr_fuzz_stats_of(w, &st), NULL);
    assert_int_equal(st.messages, 2);
    assert_int_equal(st.connections, 1);
    assert_int_equal(st.played_out, 1);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_a_client_reaches_the_peer_wherever_it_connects(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATA, "STATUS 200 5\nhello");
    srr_world *w = fuzz_new(&t);
    srr_error err;
    srr_socket *c = H_PTR(srr_create_connection(w, "198.51.100.7", 80, 10.0, NULL, &err), &err);
    H_OK(srr_sendall(c, "GET /status\n", 12, 0, &err), &err);
    char b[64];
    recv_str(c, b, sizeof b);
    assert_string_equal(b, "STATUS 200 5\nhello");
    assert_int_equal(recv_str(c, b, sizeof b), 0); /* messages given: the peer shuts */
    srr_close(c, NULL);
    srr_world_destroy(w);
}

static void test_a_connection_made_before_the_case_is_the_cases(void **state)
{
    (void)state;
    char msg[256];
    srr_world *w = srr_world_fuzz(NULL, NULL, msg, sizeof msg);
    assert_non_null(w);
    srr_error err;
    srr_socket *c = H_PTR(srr_create_connection(w, "198.51.100.7", 80, 10.0, NULL, &err), &err);
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATA, "answer");
    H_OK(srr_fuzz_give(w, t.buf, t.len), NULL);
    free(t.buf);
    char b[64];
    recv_str(c, b, sizeof b);
    assert_string_equal(b, "answer");
    srr_close(c, NULL);
    srr_world_destroy(w);
}

static void test_a_new_slot_opens_a_second_connection_in_order(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATA, "OPEN 1\n");
    add(&t, 1, SRR_FUZZ_DATA, "DATA 1 x\n");
    add(&t, 0, SRR_FUZZ_DATA, "again\n");
    srr_world *w = fuzz_new(&t);
    srr_socket *l = listener(w, 7001);
    srr_error err;
    srr_socket *a, *b;
    srr_addr pa, pb;
    char buf[64], f[64];
    H_OK(srr_accept(l, &a, &pa, &err), &err);
    recv_str(a, buf, sizeof buf);
    assert_string_equal(buf, "OPEN 1\n");
    H_OK(srr_accept(l, &b, &pb, &err), &err);
    assert_string_equal(srr_addr_format(&pb, f, sizeof f), "192.0.2.1:40001");
    recv_str(b, buf, sizeof buf);
    assert_string_equal(buf, "DATA 1 x\n");
    recv_str(a, buf, sizeof buf);
    assert_string_equal(buf, "again\n");
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_datagrams_reach_a_bound_socket_and_answer_from_where_it_sent(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 3, SRR_FUZZ_DATAGRAM, "first");
    add(&t, 0, SRR_FUZZ_DATAGRAM, "second");
    srr_world *w = fuzz_new(&t);
    srr_error err;
    srr_addr a, from;
    srr_socket *u = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    srr_addr_inet(&a, "0.0.0.0", 5353);
    H_OK(srr_bind(u, &a, &err), &err);
    char b[64], f[64];
    ssize_t n = srr_recvfrom(u, b, sizeof b, 0, &from, &err);
    assert_int_equal(n, 5);
    assert_memory_equal(b, "first", 5);
    assert_string_equal(srr_addr_format(&from, f, sizeof f), "192.0.2.1:40000");
    srr_addr_inet(&a, "198.51.100.9", 53);
    assert_int_equal(srr_sendto(u, "q", 1, 0, &a, &err), 1);
    n = srr_recvfrom(u, b, sizeof b, 0, &from, &err);
    assert_int_equal(n, 6);
    assert_string_equal(srr_addr_format(&from, f, sizeof f), "198.51.100.9:53");
    srr_close(u, NULL);
    srr_world_destroy(w);
}

static void test_a_connected_udp_client_to_a_local_server_hears_the_peer(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATAGRAM, "answer");
    srr_world *w = fuzz_new(&t);
    srr_error err;
    srr_addr a, from;
    srr_socket *u = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    srr_addr_inet(&a, "127.0.0.1", 53);
    H_OK(srr_connect(u, &a, &err), &err);
    assert_int_equal(srr_send(u, "q", 1, 0, &err), 1);
    char b[64], f[64];
    ssize_t n = srr_recvfrom(u, b, sizeof b, 0, &from, &err); /* not ECONNREFUSED */
    assert_int_equal(n, 6);
    assert_string_equal(srr_addr_format(&from, f, sizeof f), "127.0.0.1:53");
    srr_close(u, NULL);
    srr_world_destroy(w);
}

static void test_a_message_for_a_connection_that_is_over_is_dropped(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATA_RST, "bye");
    add(&t, 0, SRR_FUZZ_DATA, "late");
    add(&t, 1, SRR_FUZZ_DATA, "next");
    srr_world *w = fuzz_new(&t);
    srr_socket *l = listener(w, 7003);
    srr_error err;
    srr_socket *a, *b;
    char buf[64];
    H_OK(srr_accept(l, &a, NULL, &err), &err);
    recv_str(a, buf, sizeof buf);
    assert_string_equal(buf, "bye");
    srr_close(a, NULL);
    H_OK(srr_accept(l, &b, NULL, &err), &err); /* "late" went nowhere */
    recv_str(b, buf, sizeof buf);
    assert_string_equal(buf, "next");
    srr_fuzz_stats st;
    H_OK(srr_fuzz_stats_of(w, &st), NULL);
    assert_int_equal(st.skipped, 1);
    srr_close(b, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_a_message_comes_before_the_programs_timeout(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATA, "late?");
    srr_world *w = fuzz_new(&t);
    srr_error err;
    srr_socket *c = H_PTR(srr_create_connection(w, "198.51.100.7", 80, 10.0, NULL, &err), &err);
    H_OK(srr_settimeout(c, 30.0, &err), &err);
    int64_t t0 = srr_sim_now(w);
    char b[64];
    recv_str(c, b, sizeof b);
    assert_string_equal(b, "late?");
    assert_int_equal(srr_sim_now(w), t0); /* given at once: no time passed */
    srr_close(c, NULL);
    srr_world_destroy(w);
}

static void test_a_sleeping_program_gets_one_message_not_all(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATA, "a");
    add(&t, 0, SRR_FUZZ_DATA, "b");
    add(&t, 0, SRR_FUZZ_DATA, "c");
    srr_world *w = fuzz_new(&t);
    srr_error err;
    srr_socket *c = H_PTR(srr_create_connection(w, "198.51.100.7", 80, 10.0, NULL, &err), &err);
    char b[64];
    recv_str(c, b, sizeof b);
    assert_string_equal(b, "a");
    int64_t t0 = srr_sim_now(w);
    /* while it sleeps with "b" unread, time moves instead of the peer */
    assert_int_equal(w->ops->sleep(w, CLOCK_MONOTONIC, 1000000000), 0);
    assert_int_equal(srr_sim_now(w) - t0, 1000000000);
    srr_fuzz_stats st;
    H_OK(srr_fuzz_stats_of(w, &st), NULL);
    assert_int_equal(st.messages, 2);
    recv_str(c, b, sizeof b);
    assert_string_equal(b, "b");
    srr_close(c, NULL);
    srr_world_destroy(w);
}

static void test_the_next_case_resets_the_last_ones_connections(void **state)
{
    (void)state;
    tcase t = {0};
    add(&t, 0, SRR_FUZZ_DATA, "one");
    srr_world *w = fuzz_new(&t);
    srr_socket *l = listener(w, 7002);
    srr_error err;
    srr_socket *a, *b;
    char buf[64];
    H_OK(srr_accept(l, &a, NULL, &err), &err);
    recv_str(a, buf, sizeof buf);
    assert_string_equal(buf, "one");
    add(&t, 0, SRR_FUZZ_DATA, "two");
    H_OK(srr_fuzz_give(w, t.buf, t.len), NULL);
    free(t.buf);
    assert_int_equal(srr_recv(a, buf, sizeof buf, 0, &err), -1);
    assert_err_code(err, SRR_ERR_OS, ECONNRESET);
    H_OK(srr_accept(l, &b, NULL, &err), &err);
    recv_str(b, buf, sizeof buf);
    assert_string_equal(buf, "two");
    srr_fuzz_stats st;
    H_OK(srr_fuzz_stats_of(w, &st), NULL);
    assert_int_equal(st.cases, 2);
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_bytes_decode_within_the_input),
        cmocka_unit_test(test_encode_then_decode_gives_the_messages_back),
        cmocka_unit_test(test_a_short_input_gives_what_is_left),
        cmocka_unit_test(test_a_server_gets_one_message_each_time_it_waits),
        cmocka_unit_test(test_a_client_reaches_the_peer_wherever_it_connects),
        cmocka_unit_test(test_a_connection_made_before_the_case_is_the_cases),
        cmocka_unit_test(test_a_new_slot_opens_a_second_connection_in_order),
        cmocka_unit_test(test_datagrams_reach_a_bound_socket_and_answer_from_where_it_sent),
        cmocka_unit_test(test_a_connected_udp_client_to_a_local_server_hears_the_peer),
        cmocka_unit_test(test_a_message_for_a_connection_that_is_over_is_dropped),
        cmocka_unit_test(test_a_message_comes_before_the_programs_timeout),
        cmocka_unit_test(test_a_sleeping_program_gets_one_message_not_all),
        cmocka_unit_test(test_the_next_case_resets_the_last_ones_connections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
