/*
 * test_alloc_fail.c — allocation failure, as jansson's suite does it: the
 * N-th allocation the library makes fails, for every N from 1 until a run
 * makes fewer than N, for the sim config loader (and the world built on
 * it), the trace reader, the capture reader, the pcap view of a trace, the
 * replay world's loader, and the tap recording a session over the sim and
 * the kernel.
 *
 * Each run must end in an error value or in exactly the answer of a run
 * without failures (a failure swallowed into a different answer is a bug
 * too), and must give back every allocation and descriptor it took.  The
 * count of both is kept here; under SANITIZE=1 LeakSanitizer looks too.
 *
 * The allocator is the library's, interposed at link time: the Makefile
 * links this program with --wrap for malloc, calloc, realloc, strdup,
 * strndup, fopen and fdopen, so every call libsockrr.a's code makes goes
 * through the __wrap_ functions below (libc's and libpcap's own
 * allocations are theirs, not counted).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "sim_config.h"
#include "sockrr.h"
#include "trace.h"

/* ------------------------------------------------------ the allocator */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fdopen(int fd, const char *mode);

static int armed;    /* failures are injected only inside a run */
static long fail_at; /* the allocation to fail, from 1 */
static long seen;    /* allocations asked for since the run began */
static long live;    /* blocks the library holds (allocations minus frees) */

/* 1 when this allocation is the one to fail. */
static int fail_now(void)
{
    if (!__atomic_load_n(&armed, __ATOMIC_RELAXED))
        return 0;
    return __atomic_add_fetch(&seen, 1, __ATOMIC_RELAXED) == fail_at;
}

static void *counted(void *p)
{
    if (p)
        __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
    return p;
}

void *__wrap_malloc(size_t n)
{
    if (fail_now()) {
        errno = ENOMEM;
        return NULL;
    }
    return counted(__real_malloc(n));
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_now()) {
        errno = ENOMEM;
        return NULL;
    }
    return counted(__real_calloc(n, size));
}

void *__wrap_realloc(void *p, size_t n)
{
    if (fail_now()) {
        errno = ENOMEM;
        return NULL;
    }
    void *q = __real_realloc(p, n);
    if (!p)
        return counted(q);
    if (!q && n == 0)
        __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED); /* glibc's realloc(p, 0) frees */
    return q;
}

void __wrap_free(void *p)
{
    if (p)
        __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
    __real_free(p);
}

char *__wrap_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = __wrap_malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *__wrap_strdup(const char *s)
{
    return __wrap_strndup(s, SIZE_MAX);
}

/* A stream is an allocation too: libc's FILE. */
FILE *__wrap_fopen(const char *path, const char *mode)
{
    if (fail_now()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_fopen(path, mode);
}

FILE *__wrap_fdopen(int fd, const char *mode)
{
    if (fail_now()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_fdopen(fd, mode);
}

/* ------------------------------------------------------ the loop */

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* One run of the operation: 0 with its answer in out (a text that says
 * everything the caller would see), or -1 for an error value. */
typedef int (*chaos_op)(char *out, size_t len);

/* The operation once without failures, then with the N-th allocation
 * failing for N = 1, 2, ... until a run asks for fewer than N. */
static void chaos(const char *what, chaos_op op)
{
    static char want[16384], got[16384];
    long live0 = live;
    int fds0 = open_fds();
    if (op(want, sizeof want) != 0)
        fail_msg("%s fails without any allocation failing", what);
    assert_int_equal(live, live0);
    assert_int_equal(open_fds(), fds0);
    long runs = 0;
    for (long n = 1;; n++) {
        got[0] = '\0';
        seen = 0;
        fail_at = n;
        long before = live;
        __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
        int rc = op(got, sizeof got);
        __atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
        if (live != before)
            fail_msg("%s: allocation %ld failing leaks %ld block(s)", what, n, live - before);
        if (open_fds() != fds0)
            fail_msg("%s: allocation %ld failing leaks %d descriptor(s)", what, n,
                     open_fds() - fds0);
        if (rc != 0 && rc != -1)
            fail_msg("%s: allocation %ld failing gives %d, not 0 or -1", what, n, rc);
        if (rc == 0 && strcmp(got, want) != 0)
            fail_msg("%s: allocation %ld failing gives a different answer:\n  got:  %s\n  "
                     "want: %s", what, n, got, want);
        if (seen < n) {
            if (rc != 0)
                fail_msg("%s fails on a run where no allocation failed", what);
            break;
        }
        runs++;
        if (n > 200000)
            fail_msg("%s: more than 200000 allocations: a loop?", what);
    }
    print_message("%s: %ld allocations, each failed once\n", what, runs);
}

/* Appends to out[0, len) as snprintf would. */
static void say(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *out, size_t len, const char *fmt, ...)
{
    size_t k = strlen(out);
    if (k + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + k, len - k, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------ the operations */

/* A refusal under a failed allocation must say so: -1 when msg speaks of
 * memory, else -2 (no error value of ours: chaos() shows it). */
static int oom_said(const char *what, const char *msg)
{
    if (strstr(msg, "memory"))
        return -1;
    print_message("%s: a failed allocation reported as: %s\n", what, msg);
    return -2;
}

static char tmpdir[64], cap_path[128], out_path[128];

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_alloc_fail.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(cap_path, sizeof cap_path, "%s/cap.pcap", tmpdir);
    snprintf(out_path, sizeof out_path, "%s/out", tmpdir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    unlink(cap_path);
    unlink(out_path);
    return rmdir(tmpdir);
}

/* The config and the world built on it. */
static int sim_config_op(char *out, size_t len)
{
    static const char *const paths[] = {"fixtures/sim/tools_net.json",
                                        "fixtures/sim/interpose_net.json",
                                        "fixtures/sim/every_fault.json",
                                        "fixtures/sim/invalid/bad_hex.json"};
    out[0] = '\0';
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        srr_parse_error err;
        sim_config *c = srr__sim_config_load(paths[i], &err);
        if (!c && err.code == SRR_PARSE_EIO)
            return -1;
        if (!c) {
            char line[512];
            say(out, len, "%s; ", srr__parse_error_format(&err, line, sizeof line));
            continue;
        }
        say(out, len, "%zu hosts %zu dns %zu services %zu faults; ", c->nhosts, c->ndns,
            c->nservices, c->nfaults);
        srr__sim_config_free(c);
        char msg[512];
        srr_world *w = srr_world_sim(paths[i], msg, sizeof msg);
        if (!w)
            return oom_said("srr_world_sim", msg);
        srr_world_destroy(w);
    }
    return 0;
}

static void test_sim_config_survives_every_allocation_failure(void **state)
{
    (void)state;
    chaos("sim config and world", sim_config_op);
}

/* Every event of a trace: its op and line, and each problem. */
static int read_trace(const char *path, char *out, size_t len)
{
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(path, &err);
    if (!r)
        return -1;
    srr_json *ev;
    int rc, failed = 0;
    while ((rc = srr__trace_next(r, &ev, &err)) != 0) {
        if (rc < 0) {
            if (err.code == SRR_PARSE_EIO || strstr(err.text, "out of memory"))
                failed = 1;
            say(out, len, "%ld: %s; ", err.line, err.text);
            continue;
        }
        say(out, len, "%ld %s; ", srr__trace_line(r), srr__json_str(srr__json_get(ev, "op")));
        srr__json_free(ev);
    }
    srr__trace_close(r);
    return failed ? -1 : 0;
}

static int trace_reader_op(char *out, size_t len)
{
    out[0] = '\0';
    if (read_trace("fixtures/traces/valid/resolver/trace.jsonl", out, len) < 0 ||
        read_trace("fixtures/traces/valid/tcp4/trace.jsonl", out, len) < 0 ||
        read_trace("fixtures/traces/invalid/errno_mismatch/trace.jsonl", out, len) < 0)
        return -1;
    return 0;
}

static void test_trace_reader_survives_every_allocation_failure(void **state)
{
    (void)state;
    chaos("trace reader", trace_reader_op);
}

/* A trace's pcap view (sockrr convert), written to cap_path. */
static int trace_to_pcap(const char *trace, const char *pcap)
{
    srr_parse_error err;
    srr_trace_reader *r = srr__trace_open(trace, &err);
    if (!r)
        return -1;
    srr_pcap_synth *p = srr__pcap_open(pcap, srr__trace_header(r), &err);
    int rc = p ? 0 : -1;
    srr_json *ev;
    int got;
    while (rc == 0 && (got = srr__trace_next(r, &ev, &err)) != 0) {
        if (got < 0) {
            rc = -1;
            break;
        }
        rc = srr__pcap_event(p, ev, &err);
        srr__json_free(ev);
    }
    srr__trace_close(r);
    if (srr__pcap_close(p, &err) < 0)
        rc = -1;
    return rc;
}

/* The file's bytes, as a checksum and a length: equal files, equal text. */
static void say_file(char *out, size_t len, const char *path)
{
    FILE *f = __real_fopen(path, "rb");
    uint64_t h = 1469598103934665603ull;
    long n = 0;
    int c;
    while (f && (c = getc(f)) != EOF) {
        h = (h ^ (uint64_t)c) * 1099511628211ull;
        n++;
    }
    if (f)
        fclose(f);
    say(out, len, "%ld bytes %016llx; ", n, (unsigned long long)h);
}

static int pcap_op(char *out, size_t len)
{
    out[0] = '\0';
    if (trace_to_pcap("fixtures/pcap/tcp4_both.jsonl", out_path) < 0)
        return -1;
    say_file(out, len, out_path);
    return 0;
}

static void test_pcap_view_survives_every_allocation_failure(void **state)
{
    (void)state;
    chaos("pcap view of a trace", pcap_op);
}

/* The capture reader over a capture made from two of the pcap fixtures. */
static int capture_op(char *out, size_t len)
{
    out[0] = '\0';
    srr_parse_error err;
    if (srr__capture_to_trace(cap_path, out_path, &err) < 0)
        return oom_said("srr__capture_to_trace", err.text);
    say_file(out, len, out_path);
    return read_trace(out_path, out, len);
}

static void test_capture_reader_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_int_equal(trace_to_pcap("fixtures/pcap/tcp4_both.jsonl", cap_path), 0);
    chaos("capture reader (TCP)", capture_op);
    assert_int_equal(trace_to_pcap("fixtures/pcap/udp.jsonl", cap_path), 0);
    chaos("capture reader (UDP)", capture_op);
}

/* Notes a call's answer; returns it. */
static long said(char *out, size_t len, const char *name, long r)
{
    say(out, len, "%s %ld; ", name, r);
    return r;
}

/* The replay world over two recordings: built, asked what is left to
 * play, destroyed. */
static int replay_op(char *out, size_t len)
{
    static const char *const paths[] = {"fixtures/traces/valid/resolver/trace.jsonl",
                                        "fixtures/pcap/tcp4_both.jsonl"};
    out[0] = '\0';
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char msg[512], left[2048];
        srr_world *w = srr_world_replay(paths[i], NULL, msg, sizeof msg);
        if (!w)
            return oom_said("srr_world_replay", msg);
        int n = srr_replay_leftover(w, left, sizeof left);
        say(out, len, "%d left: %s; ", n, left);
        srr_world_destroy(w);
    }
    return 0;
}

static void test_replay_loader_survives_every_allocation_failure(void **state)
{
    (void)state;
    chaos("replay loader", replay_op);
}

/* A session through the tap: TCP both ends, a pair, a datagram, a lookup.
 * Every call's answer goes into out ("name N; "), -1 for a failure, and
 * a call whose socket could not be had is not made. */
static void session(srr_world *w, char *out, size_t len)
{
    srr_error err;
    srr_addr a;
    char buf[64];
#define SAY(name, call) said(out, len, name, (long)(call))
    srr_socket *l = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err), *c = NULL, *s = NULL;
    srr_addr_inet(&a, "127.0.0.1", 0);
    if (SAY("socket", l ? 0 : -1) == 0 && SAY("bind", srr_bind(l, &a, &err)) == 0 &&
        SAY("listen", srr_listen(l, 4, &err)) == 0 &&
        SAY("getsockname", srr_getsockname(l, &a, &err)) == 0 &&
        SAY("socket", (c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err)) ? 0 : -1) == 0 &&
        SAY("connect", srr_connect(c, &a, &err)) == 0 &&
        SAY("accept", srr_accept(l, &s, NULL, &err)) == 0 &&
        SAY("send", srr_sendall(c, "hello", 5, 0, &err)) == 0)
        SAY("recv", srr_recv(s, buf, sizeof buf, 0, &err));
    srr_close(s, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);

    srr_socket *p[2];
    if (SAY("socketpair", srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err)) == 0) {
        if (SAY("pair send", srr_sendall(p[0], "pair", 4, 0, &err)) == 0)
            SAY("pair recv", srr_recv(p[1], buf, sizeof buf, 0, &err));
        srr_close(p[0], NULL);
        srr_close(p[1], NULL);
    }

    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), *t = NULL;
    srr_addr_inet(&a, "127.0.0.1", 0);
    if (SAY("socket", u ? 0 : -1) == 0 && SAY("bind", srr_bind(u, &a, &err)) == 0 &&
        SAY("getsockname", srr_getsockname(u, &a, &err)) == 0 &&
        SAY("socket", (t = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err)) ? 0 : -1) == 0 &&
        SAY("sendto", srr_sendto(t, "ping", 4, 0, &a, &err)) == 4)
        SAY("recvfrom", srr_recv(u, buf, sizeof buf, 0, &err));
    srr_close(t, NULL);
    srr_close(u, NULL);

    srr_addrinfo_list ai;
    memset(&ai, 0, sizeof ai);
    if (SAY("getaddrinfo",
            srr_getaddrinfo(w, "localhost", "80", AF_INET, SOCK_STREAM, 0, 0, &ai, &err)) == 0)
        srr_addrinfo_list_free(&ai);
#undef SAY
}

/* The first answer of a session (a "name N; " list) that differs from
 * the run without failures must be a failure: a call that lost an
 * allocation says so (-1), it does not answer something else. */
static int first_difference_failed(const char *got, const char *want)
{
    size_t i = 0;
    while (got[i] && got[i] == want[i])
        i++;
    while (i > 0 && got[i - 1] != ' ' && got[i - 1] != ';')
        i--;
    return strncmp(got + i, "-1;", 3) == 0;
}

/* The tap over inner (made here, so its allocations fail too); the
 * session's answers and, when every call answered as without failures
 * and the tap kept every event, the trace's events. */
static int tap_op(srr_world *(*make)(void), char *out, size_t len)
{
    static char want[4096];
    out[0] = '\0';
    srr_world *inner = make();
    if (!inner)
        return -1;
    int error = 0;
    srr_tap_options opts = {.program = "test_alloc_fail", .payload_cap = -1};
    srr_world *w = srr_world_tap(inner, out_path, &opts, &error);
    if (!w) {
        srr_world_destroy(inner);
        return error == -ENOMEM ? -1 : oom_said("srr_world_tap", strerror(-error));
    }
    session(w, out, len);
    int werr = srr_world_tap_error(w);
    srr_world_destroy(w);
    if (!armed)
        snprintf(want, sizeof want, "%s", out); /* the run without failures */
    else if (strcmp(out, want) != 0)
        return first_difference_failed(out, want) ? -1 : 0; /* 0: chaos() shows both */
    if (werr)
        return -1; /* the tap says it lost events: an error value */
    /* the trace is read back with failures off: it is the tap's output
     * that is checked, not the reader */
    int was = __atomic_exchange_n(&armed, 0, __ATOMIC_SEQ_CST);
    char events[8192] = "";
    int rc = read_trace(out_path, events, sizeof events);
    __atomic_store_n(&armed, was, __ATOMIC_SEQ_CST);
    if (rc < 0)
        return -2; /* a trace the reader refuses: not an answer */
    say(out, len, "trace: %s", events);
    return 0;
}

static srr_world *make_sim(void)
{
    char msg[256];
    return srr_world_sim(NULL, msg, sizeof msg);
}

static int tap_sim_op(char *out, size_t len)
{
    return tap_op(make_sim, out, len);
}

static int tap_kernel_op(char *out, size_t len)
{
    return tap_op(srr_world_kernel, out, len);
}

static void test_tap_over_sim_survives_every_allocation_failure(void **state)
{
    (void)state;
    chaos("tap over the sim", tap_sim_op);
}

static void test_tap_over_kernel_survives_every_allocation_failure(void **state)
{
    (void)state;
    chaos("tap over the kernel", tap_kernel_op);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_config_survives_every_allocation_failure),
        cmocka_unit_test(test_trace_reader_survives_every_allocation_failure),
        cmocka_unit_test(test_pcap_view_survives_every_allocation_failure),
        cmocka_unit_test(test_capture_reader_survives_every_allocation_failure),
        cmocka_unit_test(test_replay_loader_survives_every_allocation_failure),
        cmocka_unit_test(test_tap_over_sim_survives_every_allocation_failure),
        cmocka_unit_test(test_tap_over_kernel_survives_every_allocation_failure),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
