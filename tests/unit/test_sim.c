/*
 * test_sim.c — the C API over the sim world: timeouts in virtual time, DNS
 * from the config, faults, a scripted service, deadlocks, determinism.
 * Every test also checks it took well under a second of wall time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrr.h"
#include "helpers.h"

#define NS 1000000000LL

/* The example network, plus what the tests below need. */
static const char *net_json =
    "{\n"
    "  \"seed\": 7,\n"
    "  \"hosts\": {\n"
    "    \"app\":  {\"addrs\": [\"192.0.2.2\"], \"self\": true},\n"
    "    \"db\":   {\"addrs\": [\"192.0.2.5\", \"2001:db8::5\"]},\n"
    "    \"slow\": {\"addrs\": [\"192.0.2.9\"]},\n"
    "    \"dead\": {\"addrs\": [\"192.0.2.66\"]}\n"
    "  },\n"
    "  \"dns\": {\n"
    "    \"db.internal\":    {\"answers\": [\"192.0.2.5\", \"2001:db8::5\"]},\n"
    "    \"flaky.internal\": {\"script\": [{\"error\": \"EAI_AGAIN\"}, {\"error\": \"EAI_AGAIN\"}, {\"answers\": [\"192.0.2.5\"]}]},\n"
    "    \"gone.internal\":  {\"error\": \"EAI_NONAME\"},\n"
    "    \"slow.internal\":  {\"answers\": [\"192.0.2.9\"]},\n"
    "    \"twice.internal\": {\"answers\": [\"192.0.2.66\", \"192.0.2.5\"]}\n"
    "  },\n"
    "  \"services\": {\n"
    "    \"db:5432\": {\"script\": [{\"expect\": \"PING\\r\\n\"}, {\"send\": \"PONG\\r\\n\"}, {\"close\": true}]},\n"
    "    \"db:7000\": {\"script\": [{\"wait\": \"1h\"}]}\n"
    "  },\n"
    "  \"faults\": [\n"
    "    {\"match\": {\"host\": \"slow\", \"port\": 443}, \"action\": \"blackhole\"},\n"
    "    {\"match\": {\"host\": \"dead\"}, \"action\": \"unreachable\"},\n"
    "    {\"match\": {\"host\": \"db\", \"port\": 7000}, \"action\": \"reset\", \"bytes\": 4000}\n"
    "  ]\n"
    "}\n";

static srr_world *sim_new(const char *json)
{
    char msg[512];
    srr_world *w = srr_world_sim_string(json, msg, sizeof msg);
    if (!w)
        fail_msg("srr_world_sim_string: %s", msg);
    return w;
}

static double wall0;

static int setup_wall(void **state)
{
    (void)state;
    wall0 = h_now();
    return 0;
}

static int check_wall(void **state)
{
    (void)state;
    double dt = h_now() - wall0;
    if (dt > 1.0)
        fail_msg("the test took %.3f s of wall time", dt);
    return 0;
}

static void test_sim_blackholed_connect_times_out_at_30s_virtual(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    assert_null(srr_create_connection(w, "slow.internal", 443, 30.0, NULL, &err));
    assert_err_code(err, SRR_ERR_TIMEOUT, ETIMEDOUT);
    assert_int_equal(srr_sim_now(w), 30 * NS);
    srr_world_destroy(w);
}

static void test_sim_blocking_blackholed_connect_gives_etimedout_after_the_retry_budget(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_addr a;
    srr_addr_inet(&a, "192.0.2.9", 443);
    assert_int_equal(srr_connect(s, &a, &err), -1);
    assert_err_code(err, SRR_ERR_OS, ETIMEDOUT);
    assert_int_equal(srr_sim_now(w), 127 * NS);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* A connected pair on the self host: listener, client, accepted end. */
static void sim_pair(srr_world *w, srr_socket **l, srr_socket **c, srr_socket **a)
{
    srr_error err;
    srr_addr addr;
    *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_addr_inet(&addr, "192.0.2.2", 0);
    H_OK(srr_bind(*l, &addr, &err), &err);
    H_OK(srr_listen(*l, 4, &err), &err);
    H_OK(srr_getsockname(*l, &addr, &err), &err);
    *c = H_PTR(srr_create_connection(w, "192.0.2.2", addr.port, 5.0, NULL, &err), &err);
    H_OK(srr_accept(*l, a, NULL, &err), &err);
}

static void test_sim_recv_timeout(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_socket *l, *c, *a;
    sim_pair(w, &l, &c, &a);
    srr_error err;
    int64_t t0 = srr_sim_now(w);
    H_OK(srr_settimeout(c, 12.5, &err), &err);
    char b[8];
    assert_int_equal(srr_recv(c, b, sizeof b, 0, &err), -1);
    assert_err_code(err, SRR_ERR_TIMEOUT, ETIMEDOUT);
    assert_int_equal(srr_sim_now(w) - t0, 12500000000LL);
    srr_close(a, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_sim_accept_timeout(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_addr addr;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &err), &err);
    srr_addr_inet6(&addr, "::1", 0, 0, 0);
    H_OK(srr_bind(l, &addr, &err), &err);
    H_OK(srr_listen(l, 1, &err), &err);
    H_OK(srr_settimeout(l, 2.0, &err), &err);
    srr_socket *a = NULL;
    assert_int_equal(srr_accept(l, &a, NULL, &err), -1);
    assert_err_kind(err, SRR_ERR_TIMEOUT);
    assert_int_equal(srr_sim_now(w), 2 * NS);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

static void test_sim_flaky_name_fails_twice_then_resolves(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_addrinfo_list list;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(srr_getaddrinfo(w, "flaky.internal", "80", AF_INET, SOCK_STREAM, 0, 0, &list, &err), -1);
        assert_err_code(err, SRR_ERR_GAI, EAI_AGAIN);
    }
    H_OK(srr_getaddrinfo(w, "flaky.internal", "80", AF_INET, SOCK_STREAM, 0, 0, &list, &err), &err);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.items[0].addr.host, "192.0.2.5");
    srr_addrinfo_list_free(&list);
    srr_world_destroy(w);
}

static void test_sim_answers_in_config_order_and_nxdomain(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_addrinfo_list list;
    H_OK(srr_getaddrinfo(w, "db.internal", "5432", 0, SOCK_STREAM, 0, 0, &list, &err), &err);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.items[0].addr.host, "192.0.2.5");
    assert_string_equal(list.items[1].addr.host, "2001:db8::5");
    srr_addrinfo_list_free(&list);
    assert_int_equal(srr_getaddrinfo(w, "gone.internal", "80", 0, 0, 0, 0, &list, &err), -1);
    assert_err_code(err, SRR_ERR_GAI, EAI_NONAME);
    assert_int_equal(srr_getaddrinfo(w, "nowhere.example", "80", 0, 0, 0, 0, &list, &err), -1);
    assert_err_code(err, SRR_ERR_GAI, EAI_NONAME);
    srr_world_destroy(w);
}

static void test_sim_create_connection_skips_an_unreachable_first_address(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_socket *s = H_PTR(srr_create_connection(w, "twice.internal", 5432, 5.0, NULL, &err), &err);
    srr_addr peer;
    H_OK(srr_getpeername(s, &peer, &err), &err);
    assert_string_equal(peer.host, "192.0.2.5");
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_sim_scripted_service_answers_a_request(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_socket *s = H_PTR(srr_create_connection(w, "db.internal", 5432, 5.0, NULL, &err), &err);
    H_OK(srr_sendall(s, "PING\r\n", 6, 0, &err), &err);
    char b[32];
    assert_int_equal(srr_recv(s, b, sizeof b, 0, &err), 6);
    assert_memory_equal(b, "PONG\r\n", 6);
    assert_int_equal(srr_recv(s, b, sizeof b, 0, &err), 0); /* the script closed */
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_sim_reset_at_byte_4000_is_econnreset(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_socket *s = H_PTR(srr_create_connection(w, "db.internal", 7000, 5.0, NULL, &err), &err);
    char big[10000];
    memset(big, 'x', sizeof big);
    assert_int_equal(srr_send(s, big, sizeof big, 0, &err), 4000);
    assert_int_equal(srr_sendall(s, big, sizeof big, 0, &err), -1);
    assert_err_code(err, SRR_ERR_OS, ECONNRESET);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_sim_sendall_completes_over_short_writes(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"faults\": [{\"match\": {\"port\": 9000}, \"action\": \"short_write\", \"bytes\": 100}]}");
    srr_error err;
    srr_addr addr;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_addr_inet(&addr, "127.0.0.1", 9000);
    H_OK(srr_bind(l, &addr, &err), &err);
    H_OK(srr_listen(l, 1, &err), &err);
    srr_socket *c = H_PTR(srr_create_connection(w, "127.0.0.1", 9000, 5.0, NULL, &err), &err), *a;
    H_OK(srr_accept(l, &a, NULL, &err), &err);
    char big[10000], got[10000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)i;
    assert_int_equal(srr_send(c, big, sizeof big, 0, &err), 100); /* one short write */
    H_OK(srr_sendall(c, big + 100, sizeof big - 100, 0, &err), &err);
    assert_int_equal(srr_recv(a, got, sizeof got, MSG_WAITALL, &err), (ssize_t)sizeof got);
    assert_memory_equal(got, big, sizeof big);
    srr_close(a, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

/* after_bytes N: the rule acts once N bytes have moved, from the N+1th
 * byte on (a send of exactly N bytes is whole, the next one short). */
static void test_sim_fault_after_bytes_acts_at_n(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"faults\": [{\"match\": {\"port\": 9001, \"after_bytes\": 10}, "
                           "\"action\": \"short_write\", \"bytes\": 3}]}");
    srr_error err;
    srr_addr addr;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_addr_inet(&addr, "127.0.0.1", 9001);
    H_OK(srr_bind(l, &addr, &err), &err);
    H_OK(srr_listen(l, 1, &err), &err);
    srr_socket *c = H_PTR(srr_create_connection(w, "127.0.0.1", 9001, 5.0, NULL, &err), &err), *a;
    H_OK(srr_accept(l, &a, NULL, &err), &err);
    assert_int_equal(srr_send(c, "0123456789", 10, 0, &err), 10);
    assert_int_equal(srr_send(c, "abcdefghij", 10, 0, &err), 3);
    srr_close(a, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

/* Ephemeral ports come from Linux's range (32768-60999) in an order the
 * seed fixes, the same from one release to the next: a sim trace names them,
 * and a test that replays it expects them.  Pinned for seed 7. */
static void test_sim_ephemeral_ports_are_pinned_by_the_seed(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"seed\": 7}");
    srr_error err;
    static const int want[] = {50663, 50196, 59090};
    srr_socket *s[3];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        srr_addr a;
        s[i] = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
        srr_addr_inet(&a, "0.0.0.0", 0);
        H_OK(srr_bind(s[i], &a, &err), &err);
        H_OK(srr_getsockname(s[i], &a, &err), &err);
        assert_int_equal(a.port, want[i]);
    }
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        srr_close(s[i], NULL);
    srr_world_destroy(w);
}

/* Every ephemeral port taken, the next bind to port 0 fails as Linux's
 * does (EADDRINUSE), and no port is handed out twice. */
static void test_sim_ephemeral_ports_run_out(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"seed\": 3}");
    srr_error err;
    enum { RANGE = 60999 - 32768 + 1 };
    srr_socket **s = calloc(RANGE + 1, sizeof *s);
    unsigned char *seen = calloc(RANGE, 1);
    assert_non_null(s);
    assert_non_null(seen);
    srr_addr a;
    for (int i = 0; i <= RANGE; i++) {
        s[i] = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
        srr_addr_inet(&a, "0.0.0.0", 0);
        if (i == RANGE) {
            assert_int_equal(srr_bind(s[i], &a, &err), -1);
            assert_err_code(err, SRR_ERR_OS, EADDRINUSE);
            break;
        }
        H_OK(srr_bind(s[i], &a, &err), &err);
        H_OK(srr_getsockname(s[i], &a, &err), &err);
        assert_in_range(a.port, 32768, 60999);
        assert_int_equal(seen[a.port - 32768], 0);
        seen[a.port - 32768] = 1;
    }
    for (int i = 0; i <= RANGE; i++)
        srr_close(s[i], NULL);
    free(s);
    free(seen);
    srr_world_destroy(w);
}

static void test_sim_deadlock_is_reported_not_hung(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    char b[4];
    assert_int_equal(srr_recv(p[0], b, sizeof b, 0, &err), -1);
    assert_err_code(err, SRR_ERR_OS, EDEADLK);
    char report[2048];
    assert_int_equal(srr_sim_deadlock_report(w, report, sizeof report), 1);
    if (!strstr(report, "recv"))
        fail_msg("the report does not say what waited: %s", report);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

struct reader {
    srr_socket *s;
    ssize_t r;
    srr_error err;
};

static void *reader_run(void *p)
{
    struct reader *rd = p;
    char b[4];
    rd->r = srr_recv(rd->s, b, sizeof b, 0, &rd->err);
    return NULL;
}

/* Both threads that touched the sim wait to read: a deadlock.  (A thread
 * blocked outside the sim, in pthread_join say, is not waiting on the sim:
 * so the main thread is one of the two readers.) */
static void test_sim_two_threads_both_reading_deadlock(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    struct reader r0 = {.s = p[0]}, r1 = {.s = p[1]};
    pthread_t t1;
    H_OK(srr_sim_expect_thread(w), &err);
    pthread_create(&t1, NULL, reader_run, &r1);
    reader_run(&r0);
    pthread_join(t1, NULL);
    assert_int_equal(r0.r, -1);
    assert_int_equal(r1.r, -1);
    assert_err_code(r0.err, SRR_ERR_OS, EDEADLK);
    assert_err_code(r1.err, SRR_ERR_OS, EDEADLK);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

/* A server thread and a client thread: time moves only when both wait. */
struct echo_server {
    srr_socket *l;
    int ok;
};

static void *echo_server_run(void *p)
{
    struct echo_server *sv = p;
    srr_error err;
    srr_socket *a;
    if (srr_accept(sv->l, &a, NULL, &err) < 0)
        return NULL;
    char b[64];
    ssize_t n;
    while ((n = srr_recv(a, b, sizeof b, 0, &err)) > 0)
        if (srr_sendall(a, b, (size_t)n, 0, &err) < 0)
            break;
    sv->ok = n == 0;
    srr_close(a, NULL);
    return NULL;
}

static void test_sim_threads_echo_and_sleep_in_virtual_time(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_addr addr;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_addr_inet(&addr, "127.0.0.1", 7777);
    H_OK(srr_bind(l, &addr, &err), &err);
    H_OK(srr_listen(l, 1, &err), &err);
    struct echo_server sv = {.l = l};
    pthread_t t;
    H_OK(srr_sim_expect_thread(w), &err); /* time waits until it runs */
    pthread_create(&t, NULL, echo_server_run, &sv);
    srr_socket *c = H_PTR(srr_create_connection(w, "localhost", 7777, 10.0, NULL, &err), &err);
    for (int i = 0; i < 3; i++) {
        char b[8];
        assert_int_equal(w->ops->sleep(w, CLOCK_MONOTONIC, 10 * NS), 0); /* 10 s pass, virtually */
        H_OK(srr_sendall(c, "hey", 3, 0, &err), &err);
        ssize_t got = srr_recv(c, b, sizeof b, 0, &err);
        if (got != 3)
            fail_msg("recv %d gave %zd: %s", i, got, h_err_text(&err));
    }
    srr_close(c, NULL);
    pthread_join(t, NULL);
    assert_true(sv.ok);
    assert_int_equal(srr_sim_now(w), 30 * NS);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

/* One run through the tap: the trace's bytes. */
static char *sim_trace_run(const char *json, const char *path)
{
    char msg[256];
    srr_world *sim = srr_world_sim_string(json, msg, sizeof msg);
    assert_non_null(sim);
    int error;
    srr_world *w = srr_world_tap(sim, path, NULL, &error);
    assert_non_null(w);
    srr_error err;
    srr_socket *s = H_PTR(srr_create_connection(w, "db.internal", 5432, 5.0, NULL, &err), &err);
    H_OK(srr_sendall(s, "PING\r\n", 6, 0, &err), &err);
    char b[16];
    assert_int_equal(srr_recv(s, b, sizeof b, 0, &err), 6);
    srr_close(s, NULL);
    srr_socket *u = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    srr_addr a;
    srr_addr_inet(&a, "192.0.2.2", 0);
    H_OK(srr_bind(u, &a, &err), &err); /* an ephemeral port: the seed picks it */
    srr_close(u, NULL);
    srr_world_destroy(w);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    unlink(path);
    buf[n] = '\0';
    /* the header's pid is the only thing a rerun may change */
    return strdup(strchr(buf, '\n'));
}

static void test_sim_same_seed_same_trace_other_seed_other_ports(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/sockrr-sim-det-%d.jsonl", (int)getpid());
    char *a = sim_trace_run(net_json, path);
    char *b = sim_trace_run(net_json, path);
    assert_string_equal(a, b);
    char *other = strdup(net_json);
    char *seed = strstr(other, "\"seed\": 7");
    seed[8] = '8';
    char *c = sim_trace_run(other, path);
    assert_string_not_equal(a, c);
    free(a);
    free(b);
    free(c);
    free(other);
}

static void test_sim_udp_boundaries_and_connected_refusal(void **state)
{
    (void)state;
    srr_world *w = sim_new(net_json);
    srr_error err;
    srr_addr a, from;
    srr_socket *r = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    srr_socket *t = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    srr_addr_inet(&a, "127.0.0.1", 5353);
    H_OK(srr_bind(r, &a, &err), &err);
    assert_int_equal(srr_sendto(t, "one", 3, 0, &a, &err), 3);
    assert_int_equal(srr_sendto(t, "three", 5, 0, &a, &err), 5);
    char b[16];
    assert_int_equal(srr_recvfrom(r, b, 2, 0, &from, &err), 2); /* truncated, rest dropped */
    assert_int_equal(srr_recvfrom(r, b, sizeof b, 0, &from, &err), 5);
    assert_memory_equal(b, "three", 5);
    srr_addr_inet(&a, "127.0.0.1", 5354); /* nobody there */
    H_OK(srr_connect(t, &a, &err), &err);
    assert_int_equal(srr_send(t, "x", 1, 0, &err), 1);
    assert_int_equal(srr_send(t, "x", 1, 0, &err), -1);
    assert_err_code(err, SRR_ERR_OS, ECONNREFUSED);
    srr_close(r, NULL);
    srr_close(t, NULL);
    srr_world_destroy(w);
}

/* The trace of a run through the tap, as one string. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static srr_world *sim_tapped(const char *json, char *path, size_t len, const char *name)
{
    snprintf(path, len, "/tmp/sockrr-sim-%s-%d.jsonl", name, (int)getpid());
    int error;
    srr_world *w = srr_world_tap(sim_new(json), path, NULL, &error);
    assert_non_null(w);
    return w;
}

static void test_sim_injected_eintr_is_retried_and_traced(void **state)
{
    (void)state;
    char path[96];
    srr_world *w = sim_tapped("{\"faults\": [{\"match\": {\"port\": 9100, \"direction\": \"out\"}, \"action\": \"eintr\"}]}",
                              path, sizeof path, "eintr");
    srr_error err;
    srr_addr a;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err), *c, *s;
    srr_addr_inet(&a, "127.0.0.1", 9100);
    H_OK(srr_bind(l, &a, &err), &err);
    H_OK(srr_listen(l, 1, &err), &err);
    c = H_PTR(srr_create_connection(w, "127.0.0.1", 9100, SRR_TIMEOUT_NONE, NULL, &err), &err);
    H_OK(srr_accept(l, &s, NULL, &err), &err);
    assert_int_equal(srr_send(c, "hi", 2, 0, &err), 2); /* EINTR once, retried (PEP 475) */
    srr_close(s, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
    char *t = slurp(path);
    unlink(path);
    char *e = strstr(t, "\"op\":\"sendmsg\",\"ret\":-1,\"errno\":\"EINTR\"");
    if (!e || !strstr(e, "\"op\":\"sendmsg\",\"ret\":2"))
        fail_msg("no EINTR then success in the trace:\n%s", t);
}

static void test_sim_unmodelled_requests_are_unsupported_events(void **state)
{
    (void)state;
    char path[96];
    srr_world *w = sim_tapped("{}", path, sizeof path, "unsupported");
    srr_error err;
    assert_null(srr_socket_new(w, AF_INET, SOCK_RAW, IPPROTO_ICMP, &err));
    assert_err_code(err, SRR_ERR_OS, EPROTONOSUPPORT);
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    assert_int_equal(srr_setsockopt_int(s, IPPROTO_IP, IP_MULTICAST_TTL, 7, &err), -1);
    assert_err_code(err, SRR_ERR_OS, ENOPROTOOPT);
    srr_close(s, NULL);
    srr_world_destroy(w);
    char *t = slurp(path);
    unlink(path);
    if (!strstr(t, "\"op\":\"unsupported\",\"ret\":-1,\"errno\":\"EPROTONOSUPPORT\",\"errno_num\":93,\"args\":{\"what\":\"socket type 3 in family 2\",\"call\":\"socket\"}"))
        fail_msg("no unsupported event for SOCK_RAW:\n%s", t);
    if (!strstr(t, "\"what\":\"setsockopt level 0 name 33\""))
        fail_msg("no unsupported event for IP_MULTICAST_TTL:\n%s", t);
}

static void test_sim_udp_duplicate_and_reorder(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"faults\": [{\"match\": {\"port\": 6000}, \"action\": \"duplicate\", \"probability\": 1},"
                           " {\"match\": {\"port\": 6001}, \"action\": \"reorder\", \"probability\": 1}]}");
    srr_error err;
    srr_addr a0, a1;
    srr_socket *r0 = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    srr_socket *r1 = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    srr_socket *t = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    srr_addr_inet(&a0, "127.0.0.1", 6000);
    srr_addr_inet(&a1, "127.0.0.1", 6001);
    H_OK(srr_bind(r0, &a0, &err), &err);
    H_OK(srr_bind(r1, &a1, &err), &err);
    char b[8];
    H_OK(srr_sendto(t, "dup", 3, 0, &a0, &err), &err);
    assert_int_equal(srr_recv(r0, b, sizeof b, MSG_DONTWAIT, &err), 3);
    assert_int_equal(srr_recv(r0, b, sizeof b, MSG_DONTWAIT, &err), 3); /* the copy */
    assert_int_equal(srr_recv(r0, b, sizeof b, MSG_DONTWAIT, &err), -1);
    H_OK(srr_sendto(t, "first", 5, 0, &a1, &err), &err);
    H_OK(srr_sendto(t, "second", 6, 0, &a1, &err), &err);
    assert_int_equal(srr_recv(r1, b, sizeof b, 0, &err), 6); /* overtook */
    assert_memory_equal(b, "second", 6);
    assert_int_equal(srr_recv(r1, b, sizeof b, 0, &err), 5);
    srr_close(r0, NULL);
    srr_close(r1, NULL);
    srr_close(t, NULL);
    srr_world_destroy(w);
}

/* 50 ms each way: the handshake takes a round trip, and the answer one
 * more; a slow link adds the bytes' time on the wire. */
static void test_sim_latency_and_bandwidth_delay_the_answer(void **state)
{
    (void)state;
    srr_world *w = sim_new(
        "{\"latency\": \"50ms\", \"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},"
        " \"db\": {\"addrs\": [\"192.0.2.5\"]}, \"far\": {\"addrs\": [\"192.0.2.7\"]}},"
        " \"services\": {\"db:5432\": {\"script\": [{\"expect\": \"PING\\r\\n\"}, {\"send\": \"PONG\\r\\n\"}, {\"close\": true}]},"
        "              \"far:80\": {\"script\": [{\"send\": \"hex:00000000000000000000\"}, {\"close\": true}]}},"
        " \"faults\": [{\"match\": {\"host\": \"far\"}, \"action\": \"bandwidth\", \"rate\": 100}]}");
    srr_error err;
    srr_socket *s = H_PTR(srr_create_connection(w, "db", 5432, 5.0, NULL, &err), &err);
    H_OK(srr_sendall(s, "PING\r\n", 6, 0, &err), &err);
    char b[16];
    assert_int_equal(srr_recv(s, b, sizeof b, 0, &err), 6);
    /* SYN and SYN-ACK, then PING and PONG: 50 ms each */
    assert_int_equal(srr_sim_now(w), 200000000LL);
    assert_int_equal(srr_recv(s, b, sizeof b, 0, &err), 0);
    srr_close(s, NULL);
    int64_t t0 = srr_sim_now(w);
    s = H_PTR(srr_create_connection(w, "far", 80, 5.0, NULL, &err), &err);
    assert_int_equal(srr_recv(s, b, sizeof b, MSG_WAITALL, &err), 10);
    /* the handshake's 100 ms, the link's 50 ms, plus 10 bytes at 100
     * bytes/s: 100 ms on the wire */
    assert_int_equal(srr_sim_now(w) - t0, 250000000LL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* The client side of a conversation with db:5432: what it sent, what came back. */
static void playback_client(srr_world *w, char *got, size_t len)
{
    srr_error err;
    srr_socket *s = H_PTR(srr_create_connection(w, "db", 5432, 5.0, NULL, &err), &err);
    H_OK(srr_sendall(s, "PI", 2, 0, &err), &err);
    H_OK(srr_sendall(s, "NG\r\n", 4, 0, &err), &err);
    size_t n = 0;
    ssize_t r;
    while ((r = srr_recv(s, got + n, len - 1 - n, 0, &err)) > 0)
        n += (size_t)r;
    got[n] = '\0';
    srr_close(s, NULL);
}

static void test_sim_service_plays_a_recorded_trace(void **state)
{
    (void)state;
    char path[96], first[64], second[64], msg[512];
    srr_world *w = sim_tapped(net_json, path, sizeof path, "playback");
    playback_client(w, first, sizeof first);
    srr_world_destroy(w);
    char json[512];
    snprintf(json, sizeof json,
             "{\"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true}, \"db\": {\"addrs\": [\"192.0.2.5\"]}},"
             " \"services\": {\"db:5432\": {\"trace\": \"%s\"}}}", path);
    w = srr_world_sim_string(json, msg, sizeof msg);
    if (!w)
        fail_msg("%s", msg);
    playback_client(w, second, sizeof second);
    srr_world_destroy(w);
    unlink(path);
    assert_string_equal(first, "PONG\r\n");
    assert_string_equal(second, first);
    /* a trace with no connection to the port is refused up front */
    snprintf(json, sizeof json,
             "{\"hosts\": {\"db\": {\"addrs\": [\"192.0.2.5\"]}}, \"services\": {\"db:5432\": {\"trace\": \"%s\"}}}",
             "fixtures/traces/valid/header_only/trace.jsonl");
    assert_null(srr_world_sim_string(json, msg, sizeof msg));
    if (!strstr(msg, "no connection"))
        fail_msg("unexpected message: %s", msg);
}

struct blocked_recv {
    srr_socket *s;
    ssize_t r;
};

static void *blocked_recv_run(void *p)
{
    struct blocked_recv *b = p;
    srr_error err;
    char buf[4];
    b->r = srr_recv(b->s, buf, sizeof buf, 0, &err);
    return NULL;
}

/* Closing a handle another thread is blocked on does not free the socket
 * under it (it holds it, as Linux's call holds the file). */
static void test_sim_close_while_another_thread_reads(void **state)
{
    (void)state;
    srr_world *w = sim_new("{}");
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    struct blocked_recv b = {.s = p[0]};
    pthread_t t;
    H_OK(srr_sim_expect_thread(w), &err);
    pthread_create(&t, NULL, blocked_recv_run, &b);
    H_OK(w->ops->sleep(w, CLOCK_MONOTONIC, NS), &err); /* the reader is blocked by now */
    int fd = srr_detach(p[0]);
    H_OK(w->ops->close(w, fd), &err);
    srr_close(p[0], NULL);
    H_OK(srr_send(p[1], "x", 1, 0, &err), &err);
    pthread_join(t, NULL);
    assert_int_equal(b.r, 1);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_sim_destroy_with_unaccepted_connections(void **state)
{
    (void)state;
    srr_world *w = sim_new("{}");
    srr_error err;
    srr_addr a;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    srr_addr_inet(&a, "127.0.0.1", 8000);
    H_OK(srr_bind(l, &a, &err), &err);
    H_OK(srr_listen(l, 4, &err), &err);
    for (int i = 0; i < 3; i++) {
        srr_socket *c = H_PTR(srr_create_connection(w, "127.0.0.1", 8000, 1.0, NULL, &err), &err);
        srr_detach(c); /* left open for the world to free */
        srr_close(c, NULL);
    }
    srr_detach(l);
    srr_close(l, NULL);
    srr_world_destroy(w); /* ASan checks the listener's queue is not walked after its sockets */
}

static void test_sim_time_moves_again_after_a_deadlock(void **state)
{
    (void)state;
    srr_world *w = sim_new("{}");
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    char b[4];
    assert_int_equal(srr_recv(p[0], b, sizeof b, 0, &err), -1);
    assert_err_code(err, SRR_ERR_OS, EDEADLK);
    H_OK(srr_settimeout(p[0], 2.0, &err), &err);
    assert_int_equal(srr_recv(p[0], b, sizeof b, 0, &err), -1);
    assert_err_kind(err, SRR_ERR_TIMEOUT); /* a later wait is an ordinary wait */
    assert_int_equal(srr_sim_now(w), 2 * NS);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

struct big_sender {
    srr_socket *s;
    size_t n;
    int r;
};

static void *big_sender_run(void *p)
{
    struct big_sender *b = p;
    srr_error err;
    char *buf = calloc(1, b->n);
    b->r = srr_sendall(b->s, buf, b->n, 0, &err);
    free(buf);
    return NULL;
}

/* MSG_WAITALL for more than the buffers hold: bytes are taken as they come. */
static void test_sim_waitall_larger_than_the_buffers(void **state)
{
    (void)state;
    srr_world *w = sim_new("{}");
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    struct big_sender b = {.s = p[1], .n = 512 * 1024};
    pthread_t t;
    H_OK(srr_sim_expect_thread(w), &err);
    pthread_create(&t, NULL, big_sender_run, &b);
    char *buf = malloc(b.n);
    ssize_t n = srr_recv(p[0], buf, b.n, MSG_WAITALL, &err);
    pthread_join(t, NULL);
    free(buf);
    assert_int_equal(n, (ssize_t)b.n);
    assert_int_equal(b.r, 0);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

/* A service expecting more than the buffers hold matches it as it comes. */
static void test_sim_service_expects_a_large_upload(void **state)
{
    (void)state;
    size_t n = 200000;
    char *json = malloc(n + 512), *data = malloc(n);
    memset(data, 'u', n);
    int k = snprintf(json, 512, "{\"hosts\": {\"db\": {\"addrs\": [\"192.0.2.5\"]}}, \"services\": {\"db:9\": "
                               "{\"script\": [{\"expect\": \"");
    memcpy(json + k, data, n);
    snprintf(json + k + n, 512, "\"}, {\"send\": \"ok\"}, {\"close\": true}]}}}");
    srr_world *w = sim_new(json);
    srr_error err;
    srr_socket *s = H_PTR(srr_create_connection(w, "db", 9, 5.0, NULL, &err), &err);
    H_OK(srr_sendall(s, data, n, 0, &err), &err);
    char b[4];
    assert_int_equal(srr_recv(s, b, sizeof b, MSG_WAITALL, &err), 2);
    srr_close(s, NULL);
    srr_world_destroy(w);
    free(json);
    free(data);
}

/* The link sends one thing at a time: ten 100-byte sends at 100 bytes/s
 * take 10 s, not 1; a reset comes after the bytes sent before it. */
static void test_sim_bandwidth_is_per_link_and_reset_keeps_its_place(void **state)
{
    (void)state;
    char zeros[2001], json[3000];
    memset(zeros, '0', 2000);
    zeros[2000] = '\0'; /* 1000 zero bytes in hex */
    snprintf(json, sizeof json,
             "{\"latency\": \"50ms\", \"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},"
             " \"sink\": {\"addrs\": [\"192.0.2.8\"]}, \"rude\": {\"addrs\": [\"192.0.2.9\"]}},"
             " \"services\": {\"sink:9\": {\"script\": [{\"expect\": \"hex:%s\"}, {\"send\": \"done\"}]},"
             "              \"rude:9\": {\"script\": [{\"send\": \"bye\"}, {\"reset\": true}]}},"
             " \"faults\": [{\"match\": {\"host\": \"sink\"}, \"action\": \"bandwidth\", \"rate\": 100}]}",
             zeros);
    srr_world *w = sim_new(json);
    srr_error err;
    srr_socket *s = H_PTR(srr_create_connection(w, "sink", 9, 60.0, NULL, &err), &err);
    char buf[100] = {0}, b[8];
    for (int i = 0; i < 10; i++)
        H_OK(srr_sendall(s, buf, sizeof buf, 0, &err), &err);
    /* after the 100 ms handshake, the last of the 1000 bytes is on the
     * wire at 10.1 s, there at 10.15 s; the 4-byte answer takes 40 ms on
     * the wire and 50 ms more */
    assert_int_equal(srr_recv(s, b, sizeof b, 0, &err), 4);
    assert_int_equal(srr_sim_now(w), 10240000000LL);
    srr_close(s, NULL);
    s = H_PTR(srr_create_connection(w, "rude", 9, 5.0, NULL, &err), &err);
    assert_int_equal(srr_recv(s, b, sizeof b, 0, &err), 3);
    assert_memory_equal(b, "bye", 3);
    assert_int_equal(srr_recv(s, b, sizeof b, 0, &err), -1);
    assert_err_code(err, SRR_ERR_OS, ECONNRESET);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* A connect whose SYN a full queue dropped completes at the first SYN
 * retransmission after an accept made room: 1, 3, 7, ... s after its first
 * SYN, as Linux's. */
static void test_sim_connect_waiting_on_a_full_backlog_completes_after_accept(void **state)
{
    (void)state;
    srr_world *w = sim_new("{}");
    srr_error err;
    srr_addr a;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err), *s1, *s2;
    srr_addr_inet(&a, "127.0.0.1", 8100);
    H_OK(srr_bind(l, &a, &err), &err);
    H_OK(srr_listen(l, 0, &err), &err);
    srr_socket *c1 = H_PTR(srr_create_connection(w, "127.0.0.1", 8100, 5.0, NULL, &err), &err);
    srr_socket *c2 = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_setblocking(c2, 0, &err), &err);
    assert_int_equal(srr_connect_ex(c2, &a, &err), EINPROGRESS);
    struct pollfd p = {.fd = srr_fileno(c2), .events = POLLOUT};
    assert_int_equal(w->ops->poll(w, &p, 1, 0), 0); /* still waiting */
    H_OK(srr_accept(l, &s1, NULL, &err), &err);
    assert_int_equal(w->ops->poll(w, &p, 1, 0), 0); /* room, but no SYN yet */
    assert_int_equal(w->ops->poll(w, &p, 1, 5000000000LL), 1);
    assert_int_equal(srr_sim_now(w), 1000000000LL); /* the first retransmission */
    int so = -1;
    H_OK(srr_getsockopt_int(c2, SOL_SOCKET, SO_ERROR, &so, &err), &err);
    assert_int_equal(so, 0);
    /* c2 fills the queue again: c3's SYNs go at 2, 4, 8 s; room at 2.5 s */
    srr_socket *c3 = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_setblocking(c3, 0, &err), &err);
    assert_int_equal(srr_connect_ex(c3, &a, &err), EINPROGRESS);
    assert_int_equal(w->ops->sleep(w, CLOCK_MONOTONIC, 1500000000LL), 0);
    H_OK(srr_accept(l, &s2, NULL, &err), &err);
    p.fd = srr_fileno(c3);
    assert_int_equal(w->ops->poll(w, &p, 1, 10000000000LL), 1);
    assert_int_equal(srr_sim_now(w), 4000000000LL);
    srr_socket *s3;
    H_OK(srr_accept(l, &s3, NULL, &err), &err);
    srr_close(s1, NULL);
    srr_close(s2, NULL);
    srr_close(s3, NULL);
    srr_close(c1, NULL);
    srr_close(c2, NULL);
    srr_close(c3, NULL);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

/* A server no one connects to, waking on its own timeout: idle once
 * idle_limit of virtual time and VT_IDLE_WAKES wakes passed with nothing
 * done in the sim; its wait then fails (EDEADLK) instead of running on. */
static void test_sim_server_on_its_own_timers_alone_is_idle(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"idle_limit\": \"30s\"}");
    srr_error err;
    srr_addr a;
    srr_socket *l = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err), *c;
    srr_addr_inet(&a, "127.0.0.1", 8200);
    H_OK(srr_bind(l, &a, &err), &err);
    H_OK(srr_listen(l, 4, &err), &err);
    H_OK(srr_settimeout(l, 0.1, &err), &err);
    int waits = 0;
    while (waits < 1000 && srr_accept(l, &c, NULL, &err) < 0 && err.kind == SRR_ERR_TIMEOUT)
        waits++;
    assert_err_code(err, SRR_ERR_OS, EDEADLK);
    /* the wait that would have taken the clock to 30 s failed instead */
    assert_int_equal(srr_sim_now(w), 29900000000LL);
    assert_int_equal(waits, 299);
    srr_close(l, NULL);
    srr_world_destroy(w);
}

/* One long sleep is not idleness, and neither is a program that keeps
 * doing things in the sim between its timers. */
static void test_sim_long_sleeps_and_busy_timers_are_not_idle(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"idle_limit\": \"30s\"}");
    srr_error err;
    srr_socket *p[2];
    H_OK(w->ops->sleep(w, CLOCK_MONOTONIC, 3600000000000LL), &err);
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_settimeout(p[0], 0.1, &err), &err);
    char b[4];
    for (int i = 0; i < 1000; i++) { /* 100 s of 0.1 s timeouts, a send every 10 s */
        if (i % 100 == 0)
            H_OK(srr_sendall(p[1], "x", 1, 0, &err), &err);
        ssize_t r = srr_recv(p[0], b, sizeof b, 0, &err);
        if (r < 0 && err.kind != SRR_ERR_TIMEOUT)
            fail_msg("wait %d: %s", i, err.text);
    }
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

/* The sim's AF_UNIX names are its own: a file on the machine at the path
 * neither takes the name nor is removed by srr_unlink; the name outlives
 * its socket in this world and is gone with the world. */
static void test_sim_unix_names_are_the_worlds(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/sockrr-test-sim-names-%d", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    srr_error err;
    srr_addr a;
    srr_addr_unix(&a, path);
    for (int round = 0; round < 2; round++) { /* a second world: the name is free again */
        srr_world *w = sim_new("{}");
        assert_int_equal(srr_unlink(w, path, &err), -1); /* none in this world */
        assert_int_equal(err.code, ENOENT);
        srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err);
        H_OK(srr_bind(s, &a, &err), &err);
        srr_close(s, NULL);
        srr_socket *t = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &err);
        assert_int_equal(srr_bind(t, &a, &err), -1);
        assert_int_equal(err.code, EADDRINUSE);
        H_OK(srr_unlink(w, path, &err), &err);
        H_OK(srr_bind(t, &a, &err), &err);
        srr_close(t, NULL);
        srr_world_destroy(w);
    }
    assert_int_equal(access(path, F_OK), 0); /* the machine's file stands */
    unlink(path);
}

static void test_sim_bad_config_is_refused_with_its_place(void **state)
{
    (void)state;
    char msg[512];
    assert_null(srr_world_sim_string("{\"hosts\": {\"a\": {\"addrs\": [\"300.1.2.3\"]}}}", msg, sizeof msg));
    if (!strstr(msg, "hosts.a.addrs[0]"))
        fail_msg("the error does not name the field: %s", msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup_wall, check_wall)
        T(test_sim_blackholed_connect_times_out_at_30s_virtual),
        T(test_sim_blocking_blackholed_connect_gives_etimedout_after_the_retry_budget),
        T(test_sim_recv_timeout),
        T(test_sim_accept_timeout),
        T(test_sim_flaky_name_fails_twice_then_resolves),
        T(test_sim_answers_in_config_order_and_nxdomain),
        T(test_sim_create_connection_skips_an_unreachable_first_address),
        T(test_sim_scripted_service_answers_a_request),
        T(test_sim_reset_at_byte_4000_is_econnreset),
        T(test_sim_sendall_completes_over_short_writes),
        T(test_sim_fault_after_bytes_acts_at_n),
        T(test_sim_ephemeral_ports_are_pinned_by_the_seed),
        /* not held to the second of wall time: 28 232 binds, each a pass
         * over every socket */
        cmocka_unit_test(test_sim_ephemeral_ports_run_out),
        T(test_sim_deadlock_is_reported_not_hung),
        T(test_sim_two_threads_both_reading_deadlock),
        T(test_sim_threads_echo_and_sleep_in_virtual_time),
        T(test_sim_same_seed_same_trace_other_seed_other_ports),
        T(test_sim_udp_boundaries_and_connected_refusal),
        T(test_sim_injected_eintr_is_retried_and_traced),
        T(test_sim_unmodelled_requests_are_unsupported_events),
        T(test_sim_udp_duplicate_and_reorder),
        T(test_sim_latency_and_bandwidth_delay_the_answer),
        T(test_sim_service_plays_a_recorded_trace),
        T(test_sim_close_while_another_thread_reads),
        T(test_sim_destroy_with_unaccepted_connections),
        T(test_sim_time_moves_again_after_a_deadlock),
        T(test_sim_waitall_larger_than_the_buffers),
        T(test_sim_service_expects_a_large_upload),
        T(test_sim_bandwidth_is_per_link_and_reset_keeps_its_place),
        T(test_sim_connect_waiting_on_a_full_backlog_completes_after_accept),
        T(test_sim_server_on_its_own_timers_alone_is_idle),
        T(test_sim_long_sleeps_and_busy_timers_are_not_idle),
        T(test_sim_bad_config_is_refused_with_its_place),
        T(test_sim_unix_names_are_the_worlds),
#undef T
    };
    return cmocka_run_group_tests_name("test_sim", tests, NULL, NULL);
}
