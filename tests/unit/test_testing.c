/*
 * test_testing.c — the test helper itself (sockrr/testing.h): opening a
 * traced sim from JSON, a file or nothing; keeping or deleting the trace;
 * virtual time; helper threads and their join; the trace questions and the
 * checks behind the assertion macros.  Everything runs in the sim: no
 * network is needed.
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
#include <sys/stat.h>
#include <unistd.h>

#include "sockrr/testing.h"

#define NS 1000000000LL

static const char *net_json =
    "{\n"
    "  \"seed\": 3,\n"
    "  \"hosts\": {\n"
    "    \"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},\n"
    "    \"db\":  {\"addrs\": [\"192.0.2.5\", \"2001:db8::5\"]}\n"
    "  },\n"
    "  \"dns\": {\n"
    "    \"db.internal\": {\"answers\": [\"192.0.2.5\"]},\n"
    "    \"flaky.internal\": {\"script\": [{\"error\": \"EAI_AGAIN\"}, {\"answers\": [\"192.0.2.5\"]}]}\n"
    "  },\n"
    "  \"services\": {\n"
    "    \"db:5432\": {\"script\": [{\"expect\": \"PING\\r\\n\"}, {\"send\": \"PONG\\r\\n\"}, {\"close\": true}]},\n"
    "    \"db:6379\": {\"script\": []}\n"
    "  }\n"
    "}\n";

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void must(int ok, const char *what, const srr_error *err)
{
    if (!ok)
        fail_msg("%s failed: %s", what, err ? err->text : "");
}

/* One PING/PONG exchange with db:5432 through t->world. */
static void ping_db(srr_test *t, const char *host)
{
    srr_error err;
    srr_socket *s = srr_create_connection(t->world, host, 5432, 5.0, NULL, &err);
    must(s != NULL, "create_connection", &err);
    must(srr_sendall(s, "PI", 2, 0, &err) == 0, "sendall", &err);
    must(srr_sendall(s, "NG\r\n", 4, 0, &err) == 0, "sendall", &err);
    char b[16];
    assert_int_equal(srr_recv(s, b, sizeof b, MSG_WAITALL, &err), 6);
    srr_close(s, NULL);
}

static void test_testing_open_from_json_traces_to_a_private_file_deleted_at_close(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    assert_non_null(t->world);
    assert_non_null(t->sim);
    assert_string_equal(t->world->ops->name, "tap");
    assert_string_equal(t->sim->ops->name, "sim");
    struct stat st;
    assert_int_equal(stat(t->trace_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char path[4096];
    snprintf(path, sizeof path, "%s", t->trace_path);
    ping_db(t, "db");
    assert_int_equal(srr_test_close(t), 0);
    assert_null(*state); /* the slot was cleared: the teardown has nothing to do */
    assert_false(file_exists(path));
}

static void test_testing_open_from_a_config_file_knows_its_host_names(void **state)
{
    char cfg[] = "/tmp/sockrr-test-cfg-XXXXXX.json";
    int fd = mkstemps(cfg, 5);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, net_json, strlen(net_json)), (ssize_t)strlen(net_json));
    close(fd);
    srr_test *t = SRR_TEST_OPEN(state, cfg);
    unlink(cfg);
    ping_db(t, "db.internal");
    SRR_TEST_ASSERT_SENT(t, "db:5432", "PING\r\n");
    SRR_TEST_ASSERT_SENT(t, "db.internal:5432", "PING\r\n");
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_open_null_is_the_built_in_network(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, NULL);
    srr_error err;
    srr_addrinfo_list list;
    must(srr_getaddrinfo(t->world, "localhost", "80", AF_INET, SOCK_STREAM, 0, 0, &list, &err) == 0,
         "getaddrinfo", &err);
    assert_string_equal(list.items[0].addr.host, "127.0.0.1");
    srr_addrinfo_list_free(&list);
    SRR_TEST_ASSERT_COUNT(t, "getaddrinfo", 0, "", 1);
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_bad_config_and_missing_file_say_why(void **state)
{
    (void)state;
    char msg[512];
    assert_null(srr_test_sim_open("{\"hosts\": {\"a\": {\"addrs\": [\"300.1.2.3\"]}}}", msg, sizeof msg));
    if (!strstr(msg, "hosts.a.addrs[0]"))
        fail_msg("the error does not name the field: %s", msg);
    assert_null(srr_test_sim_open("/nonexistent/net.json", msg, sizeof msg));
    if (!strstr(msg, "/nonexistent/net.json"))
        fail_msg("the error does not name the file: %s", msg);
    assert_null(srr_test_sim_open("{", NULL, 0)); /* no error buffer is fine */
}

static void test_testing_a_failed_test_keeps_its_trace(void **state)
{
    (void)state;
    char msg[256];
    srr_test *t = srr_test_sim_open(net_json, msg, sizeof msg);
    assert_non_null(t);
    char path[4096];
    snprintf(path, sizeof path, "%s", t->trace_path);
    srr_test_fail(t);
    assert_int_equal(srr_test_close(t), 0);
    assert_true(file_exists(path));
    unlink(path);
}

static void test_testing_srr_test_keep_keeps_the_trace(void **state)
{
    (void)state;
    /* read at close, where the decision is made */
    srr_test *t = srr_test_sim_open(NULL, NULL, 0);
    assert_non_null(t);
    char path[4096];
    snprintf(path, sizeof path, "%s", t->trace_path);
    setenv("SRR_TEST_KEEP", "1", 1);
    int r = srr_test_close(t);
    unsetenv("SRR_TEST_KEEP");
    assert_int_equal(r, 0);
    assert_true(file_exists(path));
    unlink(path);
    t = srr_test_sim_open(NULL, NULL, 0);
    snprintf(path, sizeof path, "%s", t->trace_path);
    setenv("SRR_TEST_KEEP", "0", 1); /* "0" asks for nothing */
    r = srr_test_close(t);
    unsetenv("SRR_TEST_KEEP");
    assert_int_equal(r, 0);
    assert_false(file_exists(path));
}

static void test_testing_teardown_closes_a_test_its_body_left_open(void **state)
{
    (void)state;
    void *slot = NULL;
    srr_test *t = srr_test_sim_open(NULL, NULL, 0);
    assert_non_null(t);
    srr_test_attach(t, &slot);
    assert_ptr_equal(slot, t);
    char path[4096];
    snprintf(path, sizeof path, "%s", t->trace_path);
    /* as if an assertion had jumped past the body's srr_test_close */
    assert_int_equal(srr_test_teardown(&slot), 0);
    assert_null(slot);
    assert_true(file_exists(path)); /* counted as failed: kept */
    unlink(path);
    assert_int_equal(srr_test_teardown(&slot), 0); /* nothing left: a no-op */
    assert_int_equal(srr_test_close(NULL), 0);
}

static void test_testing_advance_lets_virtual_time_pass(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    assert_int_equal(srr_test_now(t), 0);
    assert_int_equal(srr_test_advance(t, 90 * NS), 0);
    assert_int_equal(srr_test_now(t), 90 * NS);
    assert_int_equal(srr_test_advance(t, 0), 0);
    assert_int_equal(srr_test_advance(t, -1), -EINVAL);
    assert_int_equal(srr_test_now(t), 90 * NS);
    srr_test_event ev;
    assert_int_equal(srr_test_event_get(t, "sleep", 0, 0, &ev), 0);
    assert_int_equal(ev.t, 90 * NS); /* the trace's t is virtual time */
    srr_test_event_clear(&ev);
    assert_int_equal(srr_test_close(t), 0);
}

/* A server thread: accepts one connection, waits 10 s of virtual time,
 * answers with what it got. */
struct server {
    srr_test *t;
    srr_socket *l;
    int ok;
};

static void *server_run(void *p)
{
    struct server *sv = p;
    srr_error err;
    srr_socket *a;
    if (srr_accept(sv->l, &a, NULL, &err) < 0)
        return NULL;
    char b[16];
    ssize_t n = srr_recv(a, b, sizeof b, 0, &err);
    if (n > 0 && srr_test_advance(sv->t, 10 * NS) == 0)
        sv->ok = srr_sendall(a, b, (size_t)n, 0, &err) == 0;
    srr_close(a, NULL);
    return sv;
}

static srr_socket *listen_on(srr_test *t, const char *host, int port)
{
    srr_error err;
    srr_addr a;
    srr_socket *l = srr_socket_new(t->world, AF_INET, SOCK_STREAM, 0, &err);
    must(l != NULL, "socket", &err);
    srr_addr_inet(&a, host, port);
    must(srr_bind(l, &a, &err) == 0, "bind", &err);
    must(srr_listen(l, 4, &err) == 0, "listen", &err);
    return l;
}

static void test_testing_thread_and_main_share_virtual_time(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    struct server sv = {.t = t, .l = listen_on(t, "192.0.2.2", 8080)};
    srr_test_thread *th = srr_test_run_thread(t, server_run, &sv);
    assert_non_null(th);
    srr_error err;
    srr_socket *c = srr_create_connection(t->world, "app", 8080, 60.0, NULL, &err);
    must(c != NULL, "create_connection", &err);
    must(srr_sendall(c, "hello", 5, 0, &err) == 0, "sendall", &err);
    char b[16];
    assert_int_equal(srr_recv(c, b, sizeof b, 0, &err), 5);
    assert_int_equal(srr_test_now(t), 10 * NS);
    void *res = NULL;
    assert_int_equal(srr_test_join(th, &res), 0);
    assert_ptr_equal(res, &sv);
    assert_true(sv.ok);
    SRR_TEST_ASSERT_SENT(t, "app:8080", "hello");
    SRR_TEST_ASSERT_RECEIVED(t, "app:8080", "hello");
    SRR_TEST_ASSERT_COUNT(t, "accept4", 0, "", 1);
    srr_close(c, NULL);
    srr_close(sv.l, NULL);
    assert_int_equal(srr_test_close(t), 0);
}

static void *sleeper_run(void *p)
{
    srr_test *t = p;
    srr_test_advance(t, 25 * NS);
    return NULL;
}

/* The join waits inside the sim: time moves for the thread it waits for
 * (a plain pthread_join would stop the clock and hang). */
static void test_testing_join_lets_time_move_for_the_joined_thread(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    assert_int_equal(srr_test_advance(t, 1 * NS), 0); /* main is a participant */
    srr_test_thread *th = srr_test_run_thread(t, sleeper_run, t);
    assert_non_null(th);
    assert_int_equal(srr_test_join(th, NULL), 0);
    assert_int_equal(srr_test_now(t), 26 * NS);
    /* the join's own handles are not in the trace */
    SRR_TEST_ASSERT_COUNT(t, "socketpair", 0, NULL, 0);
    SRR_TEST_ASSERT_COUNT(t, "poll", 0, NULL, 0);
    assert_int_equal(srr_test_close(t), 0);
}

static void *reader_run(void *p)
{
    srr_socket *s = p;
    srr_error err;
    char b[4];
    return srr_recv(s, b, sizeof b, 0, &err) < 0 && err.code == EDEADLK ? p : NULL;
}

static void test_testing_join_reports_a_deadlock(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    srr_error err;
    srr_socket *p[2];
    must(srr_socketpair(t->world, AF_UNIX, SOCK_STREAM, 0, p, &err) == 0, "socketpair", &err);
    srr_test_thread *th = srr_test_run_thread(t, reader_run, p[0]);
    assert_non_null(th);
    void *res = NULL;
    assert_int_equal(srr_test_join(th, &res), -EDEADLK);
    assert_ptr_equal(res, p[0]); /* the reader's recv failed with EDEADLK too */
    char report[1024];
    assert_int_equal(srr_sim_deadlock_report(t->sim, report, sizeof report), 1);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    assert_int_equal(srr_test_close(t), 0);
}

static void *idle_run(void *p)
{
    srr_test *t = p;
    srr_test_advance(t, 3 * NS);
    return NULL;
}

static void test_testing_close_joins_threads_left_running(void **state)
{
    (void)state;
    srr_test *t = srr_test_sim_open(net_json, NULL, 0);
    assert_non_null(t);
    assert_non_null(srr_test_run_thread(t, idle_run, t));
    assert_non_null(srr_test_run_thread(t, idle_run, t));
    assert_int_equal(srr_test_close(t), 0); /* ASan: nothing leaks */
    assert_null(srr_test_run_thread(NULL, idle_run, NULL));
    assert_int_equal(srr_test_join(NULL, NULL), -EINVAL);
}

static void test_testing_count_filters_by_op_sock_and_error(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    srr_error err;
    srr_addr a;
    srr_socket *s = srr_socket_new(t->world, AF_INET, SOCK_STREAM, 0, &err);
    must(s != NULL, "socket", &err);
    srr_addr_inet(&a, "192.0.2.2", 9); /* nobody listens */
    assert_int_equal(srr_connect(s, &a, &err), -1);
    assert_int_equal(err.code, ECONNREFUSED);
    int id = srr_test_sock_id(t, srr_fileno(s));
    assert_true(id > 0);
    srr_addrinfo_list list;
    assert_int_equal(srr_getaddrinfo(t->world, "flaky.internal", "80", AF_INET, SOCK_STREAM, 0, 0, &list, &err), -1);
    ping_db(t, "db");

    assert_int_equal(srr_test_count(t, "connect", 0, NULL), 2);
    assert_int_equal(srr_test_count(t, "connect", 0, "ECONNREFUSED"), 1);
    assert_int_equal(srr_test_count(t, "connect", id, NULL), 1);
    assert_int_equal(srr_test_count(t, "connect", id, ""), 0);
    assert_int_equal(srr_test_count(t, "getaddrinfo", 0, "EAI_AGAIN"), 1);
    assert_int_equal(srr_test_count(t, "socket", 0, NULL), 2);
    assert_true(srr_test_count(t, NULL, 0, NULL) > 6);
    SRR_TEST_ASSERT_COUNT(t, "connect", id, "ECONNREFUSED", 1);

    char msg[512];
    assert_int_equal(srr_test_check_count(t, "connect", 0, "ECONNREFUSED", 3, msg, sizeof msg), 0);
    if (!strstr(msg, "1 events") || !strstr(msg, "expected 3") || !strstr(msg, "ECONNREFUSED"))
        fail_msg("the message does not show both sides: %s", msg);

    srr_close(s, NULL);
    assert_int_equal(srr_test_sock_id(t, 9999), -ENOENT);
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_sock_id_follows_handle_reuse(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    srr_error err;
    srr_socket *a = srr_socket_new(t->world, AF_INET, SOCK_DGRAM, 0, &err);
    int fd = srr_fileno(a);
    assert_int_equal(srr_test_sock_id(t, fd), 1);
    srr_close(a, NULL);
    assert_int_equal(srr_test_sock_id(t, fd), -ENOENT);
    srr_socket *b = srr_socket_new(t->world, AF_INET, SOCK_DGRAM, 0, &err);
    assert_int_equal(srr_fileno(b), fd); /* the sim reuses the number */
    assert_int_equal(srr_test_sock_id(t, fd), 2);
    srr_socket *d = srr_dup(b, &err);
    must(d != NULL, "dup", &err);
    assert_int_equal(srr_test_sock_id(t, srr_fileno(d)), 2); /* a duplicate shares the id */
    srr_close(d, NULL);
    srr_close(b, NULL);
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_event_and_payload_of_the_nth_call(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    ping_db(t, "db");
    srr_test_event ev;
    assert_int_equal(srr_test_event_get(t, "sendmsg", 0, 1, &ev), 0);
    assert_string_equal(ev.op, "sendmsg");
    assert_int_equal(ev.ret, 4);
    assert_int_equal(ev.len, 4);
    assert_memory_equal(ev.data, "NG\r\n", 4);
    assert_string_equal(ev.peer, "192.0.2.5:5432");
    assert_string_equal(ev.err, "");
    assert_true(ev.seq > 0 && ev.sock > 0);
    srr_test_event_clear(&ev);
    assert_null(ev.data);

    char b[8];
    assert_int_equal(srr_test_payload(t, "sendmsg", 0, 0, b, sizeof b), 2);
    assert_memory_equal(b, "PI", 2);
    assert_int_equal(srr_test_payload(t, "recvmsg", 0, 0, b, 3), 6); /* full length, 3 copied */
    assert_memory_equal(b, "PON", 3);
    assert_int_equal(srr_test_payload(t, "connect", 0, 0, b, sizeof b), 0); /* moved no bytes */
    assert_int_equal(srr_test_payload(t, "sendmsg", 0, 2, b, sizeof b), -ENOENT);
    assert_int_equal(srr_test_event_get(t, "sendmsg", 0, 9, &ev), -ENOENT);
    assert_int_equal(srr_test_event_get(t, "sendmsg", 0, -1, &ev), -EINVAL);
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_sent_joins_every_connection_to_the_peer(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    ping_db(t, "db");
    ping_db(t, "db.internal");
    srr_error err;
    srr_socket *r = srr_create_connection(t->world, "db", 6379, 5.0, NULL, &err); /* another port */
    must(r != NULL, "create_connection", &err);
    must(srr_sendall(r, "GET k\r\n", 7, 0, &err) == 0, "sendall", &err);

    const char *both = "PING\r\nPING\r\n";
    SRR_TEST_ASSERT_SENT(t, "db:5432", both);
    SRR_TEST_ASSERT_SENT(t, "192.0.2.5:5432", both);
    SRR_TEST_ASSERT_SENT(t, "DB:5432", both); /* names ignore case */
    SRR_TEST_ASSERT_SENT(t, "db:6379", "GET k\r\n");
    SRR_TEST_ASSERT_SENT(t, "db", "PING\r\nPING\r\nGET k\r\n"); /* any port */
    SRR_TEST_ASSERT_RECEIVED(t, "db:5432", "PONG\r\nPONG\r\n");
    SRR_TEST_ASSERT_RECEIVED(t, "db:6379", "");

    char b[64];
    assert_int_equal(srr_test_sent(t, "db:5432", b, 4), 12);
    assert_memory_equal(b, "PING", 4);
    assert_int_equal(srr_test_sent(t, "[2001:db8::5]:5432", b, sizeof b), -ENOENT);
    assert_int_equal(srr_test_sent(t, "db:1", b, sizeof b), -ENOENT);
    assert_int_equal(srr_test_sent(t, "nosuch:5432", b, sizeof b), -ENOENT);
    srr_close(r, NULL);
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_sent_counts_a_refused_connect_as_seen(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    srr_error err;
    assert_null(srr_create_connection(t->world, "db", 1234, 5.0, NULL, &err));
    char b[4];
    assert_int_equal(srr_test_sent(t, "db:1234", b, sizeof b), 0);
    SRR_TEST_ASSERT_SENT(t, "db:1234", "");
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_sent_by_udp_sendto_uses_the_destination(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    srr_error err;
    srr_addr a;
    srr_socket *rx = srr_socket_new(t->world, AF_INET6, SOCK_DGRAM, 0, &err);
    must(rx != NULL, "socket", &err);
    srr_addr_inet6(&a, "::1", 5353, 0, 0);
    must(srr_bind(rx, &a, &err) == 0, "bind", &err);
    srr_socket *tx = srr_socket_new(t->world, AF_INET6, SOCK_DGRAM, 0, &err);
    assert_int_equal(srr_sendto(tx, "q1", 2, 0, &a, &err), 2);
    assert_int_equal(srr_sendto(tx, "\x00\xff", 2, 0, &a, &err), 2);
    char b[8];
    assert_int_equal(srr_recv(rx, b, sizeof b, 0, &err), 2);
    SRR_TEST_ASSERT_SENT_BYTES(t, "[::1]:5353", "q1\x00\xff", 4);
    SRR_TEST_ASSERT_SENT_BYTES(t, "localhost:5353", "q1\x00\xff", 4);
    SRR_TEST_ASSERT_SENT_BYTES(t, "::1", "q1\x00\xff", 4);
    srr_close(rx, NULL);
    srr_close(tx, NULL);
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_sent_over_an_af_unix_path(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, NULL);
    srr_error err;
    srr_addr a;
    srr_socket *l = srr_socket_new(t->world, AF_UNIX, SOCK_STREAM, 0, &err);
    must(l != NULL, "socket", &err);
    srr_addr_unix(&a, "/run/app.sock");
    must(srr_bind(l, &a, &err) == 0, "bind", &err);
    must(srr_listen(l, 1, &err) == 0, "listen", &err);
    srr_socket *c = srr_socket_new(t->world, AF_UNIX, SOCK_STREAM, 0, &err);
    must(srr_connect(c, &a, &err) == 0, "connect", &err);
    must(srr_sendall(c, "hi", 2, 0, &err) == 0, "sendall", &err);
    SRR_TEST_ASSERT_SENT(t, "/run/app.sock", "hi");
    srr_close(c, NULL);
    srr_close(l, NULL);
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_check_sent_shows_both_sides_escaped(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, net_json);
    ping_db(t, "db");
    char msg[1024];
    assert_int_equal(srr_test_check_sent(t, "db:5432", "PING\n", 5, msg, sizeof msg), 0);
    if (!strstr(msg, "got 6 bytes \"PING\\r\\n\"") || !strstr(msg, "expected 5 bytes \"PING\\n\"") ||
        !strstr(msg, "from byte 4"))
        fail_msg("the message does not show both sides: %s", msg);
    assert_int_equal(srr_test_check_sent(t, "nosuch:1", "x", 1, msg, sizeof msg), 0);
    if (!strstr(msg, "no host or DNS name"))
        fail_msg("the message does not say the name is unknown: %s", msg);
    assert_int_equal(srr_test_check_received(t, "db:5432", "PONG\r\n", 6, msg, sizeof msg), 1);
    assert_string_equal(msg, "");
    char small[16];
    assert_int_equal(srr_test_check_sent(t, "db:5432", "x", 1, small, sizeof small), 0);
    assert_int_equal(strlen(small), sizeof small - 1); /* cut, still ended */
    assert_int_equal(srr_test_close(t), 0);
}

static void test_testing_queries_see_a_missing_trace(void **state)
{
    srr_test *t = SRR_TEST_OPEN(state, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s", t->trace_path);
    unlink(path);
    assert_int_equal(srr_test_count(t, NULL, 0, NULL), -EIO);
    char msg[512];
    assert_int_equal(srr_test_check_count(t, NULL, 0, NULL, 0, msg, sizeof msg), 0);
    if (!strstr(msg, "cannot read the trace"))
        fail_msg("unexpected message: %s", msg);
    /* close cannot delete it again: reported, and nothing leaks */
    assert_int_equal(srr_test_close(t), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_teardown(name, srr_test_teardown)
        T(test_testing_open_from_json_traces_to_a_private_file_deleted_at_close),
        T(test_testing_open_from_a_config_file_knows_its_host_names),
        T(test_testing_open_null_is_the_built_in_network),
        T(test_testing_bad_config_and_missing_file_say_why),
        T(test_testing_a_failed_test_keeps_its_trace),
        T(test_testing_srr_test_keep_keeps_the_trace),
        T(test_testing_teardown_closes_a_test_its_body_left_open),
        T(test_testing_advance_lets_virtual_time_pass),
        T(test_testing_thread_and_main_share_virtual_time),
        T(test_testing_join_lets_time_move_for_the_joined_thread),
        T(test_testing_join_reports_a_deadlock),
        T(test_testing_close_joins_threads_left_running),
        T(test_testing_count_filters_by_op_sock_and_error),
        T(test_testing_sock_id_follows_handle_reuse),
        T(test_testing_event_and_payload_of_the_nth_call),
        T(test_testing_sent_joins_every_connection_to_the_peer),
        T(test_testing_sent_counts_a_refused_connect_as_seen),
        T(test_testing_sent_by_udp_sendto_uses_the_destination),
        T(test_testing_sent_over_an_af_unix_path),
        T(test_testing_check_sent_shows_both_sides_escaped),
        T(test_testing_queries_see_a_missing_trace),
#undef T
    };
    return cmocka_run_group_tests_name("test_testing", tests, NULL, NULL);
}
