/*
 * test_replay_badargs.c — the bad-argument table through the C API
 * (badargs_rows.h) in the replay world: replaying a recorded connection,
 * every row gives the kernel world's kind and code, those the world
 * answers too (the replay shares Linux's rules with the sim:
 * lib/core/sock_rules.h, sock_opts.h).
 * Named test_replay* so tests/run.sh gives it a network namespace; the
 * kernel's answers need loopback there, which root in the namespace can
 * bring up (else the test skips).
 */
#define _GNU_SOURCE
#include "badargs_rows.h"

#include <net/if.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "sockrr/worlds.h"

static const char net[] =
    "{\"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},"
    "             \"db\": {\"addrs\": [\"192.0.2.5\"]}},"
    " \"services\": {\"db:5432\": {\"script\": [{\"expect\": \"BYE\"}]}}}";

static char trace_path[64];

static void db_addr(srr_addr *a)
{
    assert_int_equal(srr_addr_inet(a, "192.0.2.5", 5432), 0);
}

/* The table's sockets in w: a TCP connection to db (the recorded one in
 * the replay), a UDP socket, a fresh TCP socket. */
static ba_env env_in(srr_world *w)
{
    srr_error err = {0};
    ba_env e = {.w = w};
    srr_addr a;
    db_addr(&a);
    e.tcp = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_connect(e.tcp, &a, &err), &err);
    e.udp = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    e.fresh = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    return e;
}

/* The recording: the table's rows, made in the tap over the sim, so the
 * replay sees the same sockets and connection. */
static int record_session(void **state)
{
    (void)state;
    snprintf(trace_path, sizeof trace_path, "/tmp/test_replay_badargs_%d.jsonl", getpid());
    char msg[256];
    srr_world *sim = srr_world_sim_string(net, msg, sizeof msg);
    if (!sim)
        fail_msg("srr_world_sim_string: %s", msg);
    int error = 0;
    srr_world *w = srr_world_tap(sim, trace_path, NULL, &error);
    if (!w)
        fail_msg("srr_world_tap(%s): %s", trace_path, strerror(-error));
    ba_env e = env_in(w);
    ba_result res[BA_NROWS];
    ba_run_all(&e, BA_WORLD, res);
    srr_error err = {0};
    H_OK(srr_sendall(e.tcp, "BYE", 3, 0, &err), &err);
    ba_env_close(&e);
    srr_world_destroy(w);
    return 0;
}

static int remove_session(void **state)
{
    (void)state;
    unlink(trace_path);
    return 0;
}

/* A fresh network namespace starts with loopback down (test_replay_roles.c
 * does the same). */
static void loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    if (ok && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    }
    if (s >= 0)
        close(s);
    if (!ok)
        skip();
}

static void kernel_answers(ba_result res[BA_NROWS])
{
    loopback_up();
    srr_world *k = srr_world_kernel();
    srr_error err = {0};
    srr_socket *server;
    ba_env e = {.w = k};
    h_tcp_pair(k, AF_INET, &e.tcp, &server);
    e.udp = H_PTR(srr_socket_new(k, AF_INET, SOCK_DGRAM, 0, &err), &err);
    e.fresh = H_PTR(srr_socket_new(k, AF_INET, SOCK_STREAM, 0, &err), &err);
    ba_run_all(&e, BA_WORLD, res);
    ba_env_close(&e);
    srr_close(server, NULL);
    srr_world_destroy(k);
}

static void test_replay_answers_as_the_kernel(void **state)
{
    (void)state;
    ba_result k[BA_NROWS], r[BA_NROWS];
    kernel_answers(k);
    char msg[256];
    srr_world *w = srr_world_replay(trace_path, NULL, msg, sizeof msg);
    if (!w)
        fail_msg("srr_world_replay: %s", msg);
    ba_env e = env_in(w);
    ba_run_all(&e, BA_WORLD, r);
    srr_error err = {0};
    H_OK(srr_sendall(e.tcp, "BYE", 3, 0, &err), &err);
    ba_env_close(&e);
    srr_report rep = {msg, sizeof msg};
    int diverged = srr_world_control(w, SRR_CTL_REPLAY_DIVERGENCE, &rep);
    srr_world_destroy(w);
    if (diverged > 0)
        fail_msg("the replay diverged: %s", msg);
    ba_assert_same("the replay", k, r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_answers_as_the_kernel),
    };
    return cmocka_run_group_tests(tests, record_session, remove_session);
}
