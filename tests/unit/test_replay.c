/*
 * test_replay.c — the replay world through the seam: a session recorded by
 * the tap over the sim world (a scripted service) is played back to the
 * same calls; sends split differently still match, --rechunk cuts the
 * pieces, a changed byte or peer is a divergence with a report, a recorded
 * timeout comes back in virtual time, and what is left unplayed is counted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrr/worlds.h"

static const char net[] =
    "{\"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},"
    "             \"db\": {\"addrs\": [\"192.0.2.5\"]}},"
    " \"services\": {\"db:5432\": {\"script\": ["
    "    {\"expect\": \"PING\\r\\n\"}, {\"send\": \"PONG\\r\\n\"},"
    "    {\"expect\": \"BYE\\r\\n\"}, {\"send\": \"see you\\r\\n\"}]}}}";

static char trace_path[64];

static struct sockaddr_in db_addr(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(5432)};
    inet_pton(AF_INET, "192.0.2.5", &a.sin_addr);
    return a;
}

static ssize_t send_str(srr_world *w, int h, const char *s)
{
    struct iovec iov = {(void *)s, strlen(s)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return w->ops->sendmsg(w, h, &m, 0);
}

static ssize_t recv_buf(srr_world *w, int h, char *buf, size_t len)
{
    struct iovec iov = {buf, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n = w->ops->recvmsg(w, h, &m, 0);
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

/* Records the session once for every test: PING/PONG, a wait on the quiet
 * peer that times out after 2 s, BYE/see you. */
static int record_session(void **state)
{
    (void)state;
    snprintf(trace_path, sizeof trace_path, "/tmp/test_replay_%d.jsonl", getpid());
    char err[256];
    srr_world *sim = srr_world_sim_string(net, err, sizeof err);
    assert_non_null(sim);
    int e;
    srr_world *w = srr_world_tap(sim, trace_path, NULL, &e);
    assert_non_null(w);
    int h = w->ops->socket(w, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = db_addr();
    assert_int_equal(w->ops->connect(w, h, (struct sockaddr *)&a, sizeof a), 0);
    char buf[64];
    assert_int_equal(send_str(w, h, "PING\r\n"), 6);
    assert_int_equal(recv_buf(w, h, buf, sizeof buf - 1), 6);
    struct pollfd p = {h, POLLIN, 0};
    assert_int_equal(w->ops->poll(w, &p, 1, 2000000000LL), 0); /* the peer waits for BYE */
    assert_int_equal(send_str(w, h, "BYE\r\n"), 5);
    assert_int_equal(recv_buf(w, h, buf, sizeof buf - 1), 9);
    assert_int_equal(w->ops->close(w, h), 0);
    srr_world_destroy(w);
    return 0;
}

static int remove_session(void **state)
{
    (void)state;
    unlink(trace_path);
    return 0;
}

static char last_report[4096];
static void on_divergence(const char *report, void *arg)
{
    (void)arg;
    snprintf(last_report, sizeof last_report, "%s", report);
}

static srr_world *open_replay(size_t rechunk)
{
    char err[256];
    srr_replay_options o = {.rechunk = rechunk, .on_divergence = on_divergence};
    last_report[0] = '\0';
    srr_world *w = srr_world_replay(trace_path, &o, err, sizeof err);
    if (!w)
        fail_msg("%s", err);
    return w;
}

static void test_replay_plays_the_session_back(void **state)
{
    (void)state;
    srr_world *w = open_replay(0);
    int h = w->ops->socket(w, AF_INET, SOCK_STREAM, 0);
    assert_true(h >= 0);
    struct sockaddr_in a = db_addr();
    assert_int_equal(w->ops->connect(w, h, (struct sockaddr *)&a, sizeof a), 0);
    /* sent in two pieces, recorded in one: one stream */
    assert_int_equal(send_str(w, h, "PI"), 2);
    assert_int_equal(send_str(w, h, "NG\r\n"), 4);
    char buf[64];
    assert_int_equal(recv_buf(w, h, buf, sizeof buf - 1), 6);
    assert_string_equal(buf, "PONG\r\n");
    /* the recorded 2 s of silence: no wall time, 2 s of virtual time */
    int64_t t0 = w->ops->now(w, CLOCK_MONOTONIC);
    struct pollfd p = {h, POLLIN, 0};
    assert_int_equal(w->ops->poll(w, &p, 1, 2000000000LL), 0);
    assert_true(w->ops->now(w, CLOCK_MONOTONIC) - t0 >= 2000000000LL);
    assert_int_equal(send_str(w, h, "BYE\r\n"), 5);
    assert_int_equal(recv_buf(w, h, buf, sizeof buf - 1), 9);
    assert_string_equal(buf, "see you\r\n");
    assert_int_equal(w->ops->close(w, h), 0);
    char report[512];
    assert_int_equal(srr_replay_leftover(w, report, sizeof report), 0);
    assert_int_equal(srr_replay_divergence(w, NULL, 0), 0);
    srr_world_destroy(w);
}

static void test_replay_rechunk_gives_small_pieces(void **state)
{
    (void)state;
    srr_world *w = open_replay(1);
    int h = w->ops->socket(w, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = db_addr();
    assert_int_equal(w->ops->connect(w, h, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(send_str(w, h, "PING\r\n"), 6);
    char buf[64], all[64] = "";
    for (int i = 0; i < 6; i++) {
        assert_int_equal(recv_buf(w, h, buf, sizeof buf - 1), 1);
        strcat(all, buf);
    }
    assert_string_equal(all, "PONG\r\n");
    srr_world_destroy(w);
}

static void test_replay_changed_byte_is_a_divergence(void **state)
{
    (void)state;
    srr_world *w = open_replay(0);
    int h = w->ops->socket(w, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = db_addr();
    assert_int_equal(w->ops->connect(w, h, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(send_str(w, h, "PONG\r\n"), -EPROTO);
    assert_non_null(strstr(last_report, "connection 1"));
    assert_non_null(strstr(last_report, "first difference at byte 1 of the stream"));
    assert_non_null(strstr(last_report, "|PING"));
    assert_non_null(strstr(last_report, "|PONG"));
    assert_non_null(strstr(last_report, "last calls that matched: socket #1; connection 1: connect"));
    char report[4096];
    assert_int_equal(srr_replay_divergence(w, report, sizeof report), 1);
    assert_string_equal(report, last_report);
    /* and every later call fails too */
    assert_int_equal(send_str(w, h, "PING\r\n"), -EPROTO);
    srr_world_destroy(w);
}

/* Every byte is compared, the last of a send too (byte 5, from 0). */
static void test_replay_changed_last_byte_is_a_divergence(void **state)
{
    (void)state;
    srr_world *w = open_replay(0);
    int h = w->ops->socket(w, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = db_addr();
    assert_int_equal(w->ops->connect(w, h, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(send_str(w, h, "PING\r\r"), -EPROTO);
    assert_non_null(strstr(last_report, "first difference at byte 5 of the stream"));
    srr_world_destroy(w);
}

static void test_replay_other_peer_is_a_divergence(void **state)
{
    (void)state;
    srr_world *w = open_replay(0);
    int h = w->ops->socket(w, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = db_addr();
    a.sin_port = htons(5433);
    assert_int_equal(w->ops->connect(w, h, (struct sockaddr *)&a, sizeof a), -EPROTO);
    assert_non_null(strstr(last_report, "connects to 192.0.2.5:5433"));
    assert_non_null(strstr(last_report, "recording connected to 192.0.2.5:5432"));
    srr_world_destroy(w);
}

static void test_replay_counts_what_is_left(void **state)
{
    (void)state;
    srr_world *w = open_replay(0);
    int h = w->ops->socket(w, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = db_addr();
    assert_int_equal(w->ops->connect(w, h, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(send_str(w, h, "PING\r\n"), 6);
    assert_int_equal(srr_replay_used(w), 1);
    char report[512];
    assert_int_equal(srr_replay_leftover(w, report, sizeof report), 1);
    assert_non_null(strstr(report, "5 bytes the program never sent, 15 it never read"));
    srr_world_destroy(w);
}

static void test_replay_bad_trace(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(srr_world_replay("/nonexistent.jsonl", NULL, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent.jsonl"));
    assert_int_equal(srr_replay_divergence(NULL, NULL, 0), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_plays_the_session_back),
        cmocka_unit_test(test_replay_rechunk_gives_small_pieces),
        cmocka_unit_test(test_replay_changed_byte_is_a_divergence),
        cmocka_unit_test(test_replay_changed_last_byte_is_a_divergence),
        cmocka_unit_test(test_replay_other_peer_is_a_divergence),
        cmocka_unit_test(test_replay_counts_what_is_left),
        cmocka_unit_test(test_replay_bad_trace),
    };
    return cmocka_run_group_tests(tests, record_session, remove_session);
}
