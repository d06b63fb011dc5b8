/*
 * test_tap.c — the tap world: what it records, over the kernel world and
 * over another tap (any world, unchanged), from several threads at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockrr.h"
#include "helpers.h"
#include "json.h"

/* A trace's lines, each parsed (header first). */
typedef struct lines {
    srr_json **ev;
    size_t n;
} lines;

static lines read_trace(const char *path)
{
    lines all = {0};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        assert_true(line[n - 1] == '\n');
        srr_parse_error e;
        srr_json *o = srr__json_parse(line, (size_t)n, path, &e);
        if (!o)
            fail_msg("%s:%zu: %s", path, all.n + 1, e.text);
        all.ev = realloc(all.ev, (all.n + 1) * sizeof *all.ev);
        assert_non_null(all.ev);
        all.ev[all.n++] = o;
    }
    free(line);
    fclose(f);
    return all;
}

static void lines_free(lines *t)
{
    for (size_t i = 0; i < t->n; i++)
        srr__json_free(t->ev[i]);
    free(t->ev);
}

static const char *op_of(const srr_json *e)
{
    return srr__json_str(srr__json_get(e, "op"));
}

static int64_t int_of(const srr_json *e, const char *k)
{
    const srr_json *v = srr__json_get(e, k);
    if (!srr__json_is(v, SRR_JSON_INT))
        fail_msg("member %s missing or not an integer in event seq %lld", k,
                 (long long)srr__json_int(srr__json_get(e, "seq")));
    return srr__json_int(v);
}

/* The members of event x but t and seq, each in event y with the same
 * compact text, and y has no others. */
static int same_but_time(const srr_json *x, const srr_json *y)
{
    size_t left = 0;
    for (size_t k = 0; k < y->u.obj.n; k++)
        left += strcmp(y->u.obj.members[k].key, "t") && strcmp(y->u.obj.members[k].key, "seq");
    for (size_t k = 0; k < x->u.obj.n; k++) {
        const srr_json_member *m = &x->u.obj.members[k];
        if (!strcmp(m->key, "t") || !strcmp(m->key, "seq"))
            continue;
        const srr_json *w = srr__json_get(y, m->key);
        char a[4096], b[4096];
        if (!w || srr__json_dump(&m->value, a, sizeof a) >= sizeof a ||
            srr__json_dump(w, b, sizeof b) >= sizeof b || strcmp(a, b) != 0)
            return 0;
        left--;
    }
    return left == 0;
}

static srr_world *tap_to(char *path, size_t len, const char *name, srr_world *inner)
{
    snprintf(path, len, "/tmp/sockrr-test-tap-%d-%s.jsonl", (int)getpid(), name);
    int error = 0;
    srr_world *w = srr_world_tap(inner, path, NULL, &error);
    if (!w)
        fail_msg("srr_world_tap(%s): %s", path, strerror(-error));
    return w;
}

static void test_tap_header_and_mode(void **state)
{
    (void)state;
    char path[128];
    srr_tap_options o = {.program = "prog", .argc = 2, .argv = (char *[]){"prog", "x\"y"},
                         .payload_cap = -1, .record_clock = -1};
    snprintf(path, sizeof path, "/tmp/sockrr-test-tap-%d-hdr.jsonl", (int)getpid());
    int error;
    srr_world *w = srr_world_tap(srr_world_kernel(), path, &o, &error);
    assert_non_null(w);
    srr_world_destroy(w);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    lines t = read_trace(path);
    const srr_json *h = t.ev[0];
    assert_string_equal(srr__json_str(srr__json_get(h, "type")), "header");
    assert_string_equal(srr__json_str(srr__json_get(h, "format")), "sockrr-trace");
    assert_int_equal(int_of(h, "version"), 1);
    assert_string_equal(srr__json_str(srr__json_get(h, "program")), "prog");
    assert_string_equal(srr__json_str(srr__json_at(srr__json_get(h, "argv"), 1)), "x\"y");
    assert_string_equal(srr__json_str(srr__json_get(h, "world")), "kernel");
    assert_int_equal(int_of(h, "payload_cap"), -1);
    assert_true(int_of(h, "start_realtime_ns") > 0);
    lines_free(&t);
    unlink(path);
}

static void test_tap_unwritable_path_is_an_error(void **state)
{
    (void)state;
    int error = 0;
    srr_world *inner = srr_world_kernel();
    assert_null(srr_world_tap(inner, "/nonexistent-dir/t.jsonl", NULL, &error));
    assert_int_equal(error, -ENOENT);
    assert_null(srr_world_tap(inner, "/dev/full", NULL, &error));
    assert_int_equal(error, -ENOSPC);
    srr_world_destroy(inner); /* still the caller's after a failed tap */
}

/* A write that fails part-way (a full disk; here the file size limit,
 * EFBIG) ends the trace at the last whole event: the piece written is cut
 * off again, no later event is written even when it would fit, and the
 * error is kept for srr_world_tap_error. */
static void test_tap_write_error_ends_the_trace_at_a_whole_event(void **state)
{
    (void)state;
    char path[128];
    srr_world *w = tap_to(path, sizeof path, "full", srr_world_kernel());
    srr_error err;
    srr_socket *pair[2];
    assert_int_equal(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, pair, &err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    void (*was_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit was, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
    lim = (struct rlimit){.rlim_cur = (rlim_t)st.st_size + 2000, .rlim_max = was.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    static char big[3000]; /* 4000 bytes of base64: past the limit */
    assert_int_equal(srr_send(pair[0], big, sizeof big, 0, &err), (ssize_t)sizeof big);
    assert_int_equal(srr_send(pair[0], "x", 1, 0, &err), 1); /* would fit */
    int werr = srr_world_tap_error(w);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, was_sig);
    assert_int_equal(werr, -EFBIG);
    srr_close(pair[0], NULL);
    srr_close(pair[1], NULL);
    srr_world_destroy(w);
    lines t = read_trace(path); /* every line whole */
    assert_int_equal(t.n, 2);  /* the header and the socketpair */
    assert_string_equal(op_of(t.ev[1]), "socketpair");
    lines_free(&t);
    unlink(path);
}

static void test_tap_ids_are_stable_and_fds_reused(void **state)
{
    (void)state;
    char path[128];
    srr_world *w = tap_to(path, sizeof path, "ids", srr_world_kernel());
    srr_error err;
    srr_socket *a = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    int fd = srr_fileno(a);
    srr_socket *d = H_PTR(srr_dup(a, &err), &err);
    srr_close(a, NULL);
    srr_socket *b = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
    assert_int_equal(srr_fileno(b), fd); /* the number is reused ... */
    H_OK(srr_setsockopt_int(d, SOL_SOCKET, SO_BROADCAST, 1, &err), &err);
    H_OK(srr_setsockopt_int(b, SOL_SOCKET, SO_BROADCAST, 1, &err), &err);
    srr_close(b, NULL);
    srr_close(d, NULL);
    srr_world_destroy(w);
    lines t = read_trace(path);
    int64_t ids[2] = {0, 0};
    size_t nsock = 0, nset = 0, i;
    const srr_json *e;
    for (i = 0; i < t.n && (e = t.ev[i]); i++) {
        if (i == 0)
            continue;
        if (strcmp(op_of(e), "socket") == 0 && nsock < 2)
            ids[nsock++] = int_of(e, "sock");
        if (strcmp(op_of(e), "setsockopt") == 0) {
            /* ... but the id is not: the dup carries the first socket's id */
            assert_int_equal(int_of(e, "sock"), ids[nset]);
            nset++;
        }
    }
    assert_int_equal(nsock, 2);
    assert_int_equal(nset, 2);
    assert_int_not_equal(ids[0], ids[1]);
    lines_free(&t);
    unlink(path);
}

static void test_tap_records_failures_with_errno(void **state)
{
    (void)state;
    char path[128];
    srr_world *w = tap_to(path, sizeof path, "errno", srr_world_kernel());
    srr_error err;
    srr_socket *s = H_PTR(srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), &err);
    H_OK(srr_setblocking(s, 0, &err), &err);
    char b;
    assert_int_equal(srr_recv(s, &b, 1, 0, &err), -1);
    srr_close(s, NULL);
    srr_world_destroy(w);
    lines t = read_trace(path);
    size_t i;
    const srr_json *e;
    int seen = 0;
    for (i = 0; i < t.n && (e = t.ev[i]); i++) {
        if (i > 0 && strcmp(op_of(e), "recvmsg") == 0) {
            assert_int_equal(int_of(e, "ret"), -1);
            assert_string_equal(srr__json_str(srr__json_get(e, "errno")), "ENOTCONN");
            assert_int_equal(int_of(e, "errno_num"), ENOTCONN);
            seen = 1;
        }
    }
    assert_true(seen);
    lines_free(&t);
    unlink(path);
}

static void test_tap_payload_cap_keeps_the_length(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/tmp/sockrr-test-tap-%d-cap.jsonl", (int)getpid());
    srr_tap_options o = {.payload_cap = 4, .record_clock = 0};
    int error;
    srr_world *w = srr_world_tap(srr_world_kernel(), path, &o, &error);
    assert_non_null(w);
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_sendall(p[0], "0123456789", 10, 0, &err), &err);
    char buf[16];
    assert_int_equal(srr_recv(p[1], buf, sizeof buf, 0, &err), 10);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
    lines t = read_trace(path);
    size_t i, n = 0;
    const srr_json *e;
    for (i = 0; i < t.n && (e = t.ev[i]); i++) {
        if (i == 0 || (strcmp(op_of(e), "sendmsg") && strcmp(op_of(e), "recvmsg")))
            continue;
        assert_string_equal(srr__json_str(srr__json_get(e, "data")), "MDEyMw==");
        assert_int_equal(int_of(e, "len"), 10);
        assert_true(srr__json_is_true(srr__json_get(e, "capped")));
        n++;
    }
    assert_int_equal(n, 2);
    lines_free(&t);
    unlink(path);
}

/* A tap over a tap: both traces hold the same events (the tap needs
 * nothing from the world below but the seam). */
static void test_tap_over_tap_records_the_same_events(void **state)
{
    (void)state;
    char inner_path[128], outer_path[128];
    srr_world *inner = tap_to(inner_path, sizeof inner_path, "inner", srr_world_kernel());
    srr_world *w = tap_to(outer_path, sizeof outer_path, "outer", inner);
    srr_error err;
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &err), &err);
    H_OK(srr_send(p[0], "abc", 3, 0, &err), &err);
    char buf[8];
    assert_int_equal(srr_recv(p[1], buf, sizeof buf, 0, &err), 3);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
    lines a = read_trace(inner_path), b = read_trace(outer_path);
    /* The inner trace also holds the address lookups the outer tap makes
     * for itself (not recorded by the outer one); seq and t differ. */
    size_t j = 1, compared = 0;
    for (size_t i = 1; i < b.n; i++, j++) {
        while (j < a.n && (!strcmp(op_of(a.ev[j]), "getsockname") ||
                           !strcmp(op_of(a.ev[j]), "getpeername")))
            j++;
        assert_true(j < a.n);
        if (!same_but_time(a.ev[j], b.ev[i])) {
            char sx[4096], sy[4096];
            srr__json_dump(a.ev[j], sx, sizeof sx);
            srr__json_dump(b.ev[i], sy, sizeof sy);
            fail_msg("event %zu differs:\n inner %s\n outer %s", i, sx, sy);
        }
        compared++;
    }
    assert_true(compared >= 5); /* socketpair, sendmsg, recvmsg, close, close */
    assert_string_equal(srr__json_str(srr__json_get(b.ev[0], "world")), "tap");
    lines_free(&a);
    lines_free(&b);
    unlink(inner_path);
    unlink(outer_path);
}

struct pump {
    srr_socket *s;
    int sender;
};

static void *pump_run(void *p)
{
    struct pump *pu = p;
    srr_error err;
    char buf[64] = {0};
    for (int i = 0; i < 500; i++) {
        if (pu->sender ? srr_sendall(pu->s, buf, sizeof buf, 0, &err) < 0
                       : srr_recv(pu->s, buf, sizeof buf, MSG_WAITALL, &err) != (ssize_t)sizeof buf)
            return (void *)1;
    }
    return NULL;
}

static void test_tap_threads_keep_seq_time_and_offsets_in_order(void **state)
{
    (void)state;
    char path[128];
    srr_world *w = tap_to(path, sizeof path, "threads", srr_world_kernel());
    srr_error err;
    srr_socket *p[2], *q[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, q, &err), &err);
    struct pump pu[4] = {{p[0], 1}, {p[1], 0}, {q[0], 1}, {q[1], 0}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, pump_run, &pu[i]);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    for (int i = 0; i < 2; i++) {
        srr_close(p[i], NULL);
        srr_close(q[i], NULL);
    }
    srr_world_destroy(w);
    lines t = read_trace(path);
    int64_t last_t = 0, tx[8] = {0}, rx[8] = {0};
    size_t i;
    const srr_json *e;
    for (i = 0; i < t.n && (e = t.ev[i]); i++) {
        if (i == 0)
            continue;
        assert_int_equal(int_of(e, "seq"), (int64_t)i);
        assert_true(int_of(e, "t") >= last_t);
        last_t = int_of(e, "t");
        int send = strcmp(op_of(e), "sendmsg") == 0, recv = strcmp(op_of(e), "recvmsg") == 0;
        if ((send || recv) && int_of(e, "ret") > 0) {
            int64_t s = int_of(e, "sock");
            assert_true(s > 0 && s < 8);
            int64_t *off = send ? &tx[s] : &rx[s];
            assert_int_equal(int_of(e, "off"), *off);
            *off += int_of(e, "len");
        }
    }
    assert_int_equal(tx[1] + tx[3], 2 * 500 * 64);
    lines_free(&t);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tap_header_and_mode),
        cmocka_unit_test(test_tap_unwritable_path_is_an_error),
        cmocka_unit_test(test_tap_write_error_ends_the_trace_at_a_whole_event),
        cmocka_unit_test(test_tap_ids_are_stable_and_fds_reused),
        cmocka_unit_test(test_tap_records_failures_with_errno),
        cmocka_unit_test(test_tap_payload_cap_keeps_the_length),
        cmocka_unit_test(test_tap_over_tap_records_the_same_events),
        cmocka_unit_test(test_tap_threads_keep_seq_time_and_offsets_in_order),
    };
    return cmocka_run_group_tests_name("test_tap", tests, NULL, NULL);
}
