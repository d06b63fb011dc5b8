/*
 * test_badargs.c — the bad-argument table through the C API
 * (badargs_rows.h) answers alike in every world: the tap over the kernel
 * and the sim give, row for row, the kernel world's kind and code.
 * test_replay_badargs.c does the replay world, in a network namespace.
 */
#define _GNU_SOURCE
#include "badargs_rows.h"

#include <stdlib.h>

#include "sockrr/worlds.h"

/* The table's sockets in w: a connected TCP pair over loopback (the
 * server's end returned in *server, kept open), a UDP socket, a fresh TCP
 * socket. */
static ba_env env_in(srr_world *w, srr_socket **server)
{
    srr_error err = {0};
    ba_env e = {.w = w};
    h_tcp_pair(w, AF_INET, &e.tcp, server);
    e.udp = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    e.fresh = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    return e;
}

/* Every row in w, with its sockets made and closed around it. */
static void run_in(srr_world *w, ba_result res[BA_NROWS])
{
    srr_socket *server;
    ba_env e = env_in(w, &server);
    ba_run_all(&e, BA_WORLD, res);
    ba_env_close(&e);
    srr_close(server, NULL);
}

static void kernel_answers(ba_result res[BA_NROWS])
{
    srr_world *k = srr_world_kernel();
    run_in(k, res);
    srr_world_destroy(k);
}

/* The kernel's own answers are the table's: no row succeeds, and the
 * shared check's rows are Linux's errno (not a value error). */
static void test_kernel_answers_the_table_as_linux(void **state)
{
    (void)state;
    ba_result k[BA_NROWS];
    kernel_answers(k);
    for (size_t i = 0; i < BA_NROWS; i++) {
        char t[64];
        if (k[i].ret != -1)
            fail_msg("%s: %s in the kernel world, expected a failure", ba_rows[i].name,
                     ba_text(&k[i], t, sizeof t));
        if (ba_rows[i].by != BA_API && k[i].kind != SRR_ERR_OS)
            fail_msg("%s: %s in the kernel world, expected an OS error", ba_rows[i].name,
                     ba_text(&k[i], t, sizeof t));
    }
    assert_int_equal(k[0].code, EINVAL); /* sendmsg MSG_CMSG_COMPAT */
    assert_int_equal(k[2].code, EINVAL); /* shutdown how 3 */
}

static void test_tap_over_kernel_answers_as_the_kernel(void **state)
{
    (void)state;
    ba_result k[BA_NROWS], t[BA_NROWS];
    kernel_answers(k);
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_badargs_%d.jsonl", getpid());
    int error = 0;
    srr_world *w = srr_world_tap(srr_world_kernel(), path, NULL, &error);
    if (!w)
        fail_msg("srr_world_tap(%s): %s", path, strerror(-error));
    run_in(w, t);
    srr_world_destroy(w);
    unlink(path);
    ba_assert_same("the tap over the kernel", k, t);
}

static void test_sim_answers_as_the_kernel(void **state)
{
    (void)state;
    ba_result k[BA_NROWS], s[BA_NROWS];
    kernel_answers(k);
    char msg[256];
    srr_world *w = srr_world_sim(NULL, msg, sizeof msg);
    if (!w)
        fail_msg("srr_world_sim: %s", msg);
    run_in(w, s);
    srr_world_destroy(w);
    ba_assert_same("the sim", k, s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_answers_the_table_as_linux),
        cmocka_unit_test(test_tap_over_kernel_answers_as_the_kernel),
        cmocka_unit_test(test_sim_answers_as_the_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
