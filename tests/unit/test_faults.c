/*
 * test_faults.c — fault injection through the seam (jansson's chaos loop):
 * a world that wraps the kernel world and fails its N-th call, for every N
 * until a whole scenario runs clean.  Each failure must come back as an
 * error value of a defined kind; nothing may crash, hang or leak (the suite
 * also runs under ASan+UBSan).  It is also a second world built only from
 * the public seam.
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
#include <unistd.h>

#include "sockrr.h"

typedef struct fault_world {
    srr_world base;
    srr_world *inner;
    long calls;   /* seam calls so far */
    long fail_at; /* the call that fails; 0 = none */
} fault_world;

/* True when this call is the one to fail. */
static int fault_now(srr_world *w)
{
    fault_world *f = (fault_world *)w;
    return ++f->calls == f->fail_at;
}

#define INNER(w) (((fault_world *)(w))->inner)
#define PASS(w, slot, ...) INNER(w)->ops->slot(INNER(w), __VA_ARGS__)
#define FAULTY(w, err, slot, ...) (fault_now(w) ? (err) : PASS(w, slot, __VA_ARGS__))

static int f_socket(srr_world *w, int d, int t, int p) { return FAULTY(w, -EMFILE, socket, d, t, p); }
static int f_socketpair(srr_world *w, int d, int t, int p, int sv[2])
{
    return FAULTY(w, -ENFILE, socketpair, d, t, p, sv);
}
static int f_bind(srr_world *w, int s, const struct sockaddr *a, socklen_t l)
{
    return FAULTY(w, -EADDRINUSE, bind, s, a, l);
}
static int f_listen(srr_world *w, int s, int b) { return FAULTY(w, -EOPNOTSUPP, listen, s, b); }
static int f_accept4(srr_world *w, int s, struct sockaddr *a, socklen_t *l, int fl)
{
    return FAULTY(w, -ECONNABORTED, accept4, s, a, l, fl);
}
static int f_connect(srr_world *w, int s, const struct sockaddr *a, socklen_t l)
{
    return FAULTY(w, -ECONNREFUSED, connect, s, a, l);
}
static ssize_t f_sendmsg(srr_world *w, int s, const struct msghdr *m, int fl)
{
    return FAULTY(w, -ECONNRESET, sendmsg, s, m, fl);
}
static ssize_t f_recvmsg(srr_world *w, int s, struct msghdr *m, int fl)
{
    return FAULTY(w, -ECONNRESET, recvmsg, s, m, fl);
}
static int f_shutdown(srr_world *w, int s, int how) { return FAULTY(w, -ENOTCONN, shutdown, s, how); }
static int f_close(srr_world *w, int s)
{
    /* as on Linux, the handle is gone even when close reports an error */
    int r = PASS(w, close, s);
    return fault_now(w) ? -EIO : r;
}
static int f_getsockopt(srr_world *w, int s, int lv, int n, void *v, socklen_t *l)
{
    return FAULTY(w, -ENOPROTOOPT, getsockopt, s, lv, n, v, l);
}
static int f_setsockopt(srr_world *w, int s, int lv, int n, const void *v, socklen_t l)
{
    return FAULTY(w, -ENOPROTOOPT, setsockopt, s, lv, n, v, l);
}
static int f_getsockname(srr_world *w, int s, struct sockaddr *a, socklen_t *l)
{
    return FAULTY(w, -ENOBUFS, getsockname, s, a, l);
}
static int f_getpeername(srr_world *w, int s, struct sockaddr *a, socklen_t *l)
{
    return FAULTY(w, -ENOTCONN, getpeername, s, a, l);
}
static int f_fcntl(srr_world *w, int s, int cmd, long arg) { return FAULTY(w, -EBADF, fcntl, s, cmd, arg); }
static int f_ioctl(srr_world *w, int s, unsigned long r, void *a) { return FAULTY(w, -ENOTTY, ioctl, s, r, a); }
static int f_poll(srr_world *w, struct pollfd *fds, nfds_t n, int64_t t)
{
    return FAULTY(w, -ENOMEM, poll, fds, n, t);
}
static int f_getaddrinfo(srr_world *w, const char *node, const char *svc, const struct addrinfo *h,
                         struct addrinfo **res, int *sys)
{
    if (fault_now(w)) {
        *sys = EIO;
        return EAI_SYSTEM;
    }
    return PASS(w, getaddrinfo, node, svc, h, res, sys);
}
static void f_freeaddrinfo(srr_world *w, struct addrinfo *res) { PASS(w, freeaddrinfo, res); }
static int f_getnameinfo(srr_world *w, const struct sockaddr *sa, socklen_t l, char *h, socklen_t hl,
                         char *s, socklen_t sl, int fl, int *sys)
{
    return FAULTY(w, EAI_AGAIN, getnameinfo, sa, l, h, hl, s, sl, fl, sys);
}
static int f_gethostbyname2_r(srr_world *w, const char *n, int af, struct hostent *ret, char *b,
                              size_t bl, struct hostent **res, int *h)
{
    if (fault_now(w)) {
        *res = NULL;
        *h = NO_RECOVERY;
        return 0;
    }
    return PASS(w, gethostbyname2_r, n, af, ret, b, bl, res, h);
}
static int f_gethostbyaddr_r(srr_world *w, const void *a, socklen_t l, int t, struct hostent *ret,
                             char *b, size_t bl, struct hostent **res, int *h)
{
    if (fault_now(w)) {
        *res = NULL;
        *h = TRY_AGAIN;
        return 0;
    }
    return PASS(w, gethostbyaddr_r, a, l, t, ret, b, bl, res, h);
}
static int f_gethostname(srr_world *w, char *n, size_t l) { return FAULTY(w, -EFAULT, gethostname, n, l); }
static int f_sethostname(srr_world *w, const char *n, size_t l) { return FAULTY(w, -EPERM, sethostname, n, l); }
static int f_if_nameindex(srr_world *w, struct if_nameindex **out)
{
    return FAULTY(w, -ENOBUFS, if_nameindex, out);
}
static void f_if_freenameindex(srr_world *w, struct if_nameindex *l) { PASS(w, if_freenameindex, l); }
static int64_t f_now(srr_world *w, clockid_t c) { return FAULTY(w, -EINVAL, now, c); }
static int f_sleep(srr_world *w, clockid_t c, int64_t ns) { return FAULTY(w, -EINTR, sleep, c, ns); }
static const char *f_unsupported(srr_world *w)
{
    const srr_world_ops *o = INNER(w)->ops;
    return o->version >= 2 && o->unsupported ? o->unsupported(INNER(w)) : NULL;
}
static void f_destroy(srr_world *w)
{
    srr_world_destroy(INNER(w));
    free(w);
}

static const srr_world_ops fault_ops = {
    .version = SRR_WORLD_OPS_VERSION, .name = "fault",
    .socket = f_socket, .socketpair = f_socketpair, .bind = f_bind, .listen = f_listen,
    .accept4 = f_accept4, .connect = f_connect, .sendmsg = f_sendmsg, .recvmsg = f_recvmsg,
    .shutdown = f_shutdown, .close = f_close, .getsockopt = f_getsockopt,
    .setsockopt = f_setsockopt, .getsockname = f_getsockname, .getpeername = f_getpeername,
    .fcntl = f_fcntl, .ioctl = f_ioctl, .poll = f_poll, .getaddrinfo = f_getaddrinfo,
    .freeaddrinfo = f_freeaddrinfo, .getnameinfo = f_getnameinfo,
    .gethostbyname2_r = f_gethostbyname2_r, .gethostbyaddr_r = f_gethostbyaddr_r,
    .gethostname = f_gethostname, .sethostname = f_sethostname, .if_nameindex = f_if_nameindex,
    .if_freenameindex = f_if_freenameindex, .now = f_now, .sleep = f_sleep, .destroy = f_destroy,
    .unsupported = f_unsupported,
};

static fault_world *fault_world_new(long fail_at)
{
    fault_world *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->base.ops = &fault_ops;
    f->base.default_timeout_ns = -1;
    f->inner = srr_world_kernel();
    f->fail_at = fail_at;
    return f;
}

/* A failed call must say what failed: a kind and a message. */
static int failed(const char *what, const srr_error *err)
{
    if (err->kind == SRR_ERR_NONE || err->text[0] == '\0')
        fail_msg("%s failed with no error value (kind %d)", what, (int)err->kind);
    return -1;
}

/* The scenario ends by closing this many handles, ignoring their errors. */
#define SCENARIO_CLOSES 5

#define TRY(what, cond) do { if (!(cond)) { rc = failed(what, &err); goto out; } } while (0)

/* Most of the API in one run: 0 when every call succeeded, -1 when one
 * failed with a proper error value.  Everything is released either way. */
static int scenario(srr_world *w)
{
    srr_error err = {0};
    srr_socket *l = NULL, *c = NULL, *a = NULL, *pair[2] = {NULL, NULL};
    FILE *f = NULL;
    srr_addrinfo_list list = {0};
    srr_hostent h = {0};
    srr_addr addr;
    char buf[2048];
    int rc = 0;

    TRY("socket", (l = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err)) != NULL);
    srr_addr_inet(&addr, "127.0.0.1", 0);
    TRY("setsockopt", srr_setsockopt_int(l, SOL_SOCKET, SO_REUSEADDR, 1, &err) == 0);
    TRY("bind", srr_bind(l, &addr, &err) == 0);
    TRY("listen", srr_listen(l, 4, &err) == 0);
    TRY("getsockname", srr_getsockname(l, &addr, &err) == 0);
    TRY("settimeout", srr_settimeout(l, 5.0, &err) == 0);
    /* a name with one address: "localhost" has one or two (::1) by the
     * host's /etc/hosts, and create_connection absorbs a failure on the
     * first by trying the next */
    TRY("create_connection",
        (c = srr_create_connection(w, "127.0.0.1", addr.port, 5.0, NULL, &err)) != NULL);
    TRY("accept", srr_accept(l, &a, NULL, &err) == 0);
    TRY("settimeout", srr_settimeout(a, 5.0, &err) == 0);
    memset(buf, 'x', sizeof buf);
    TRY("sendall", srr_sendall(c, buf, sizeof buf, 0, &err) == 0);
    for (size_t got = 0; got < sizeof buf;) {
        ssize_t n = srr_recv(a, buf, sizeof buf - got, 0, &err);
        TRY("recv", n > 0);
        got += (size_t)n;
    }
    TRY("makefile", (f = srr_makefile(a, "w", &err)) != NULL);
    fputs("line\n", f);
    if (fflush(f) != 0) { /* stdio reports a failed write through errno only */
        err.kind = SRR_ERR_OS;
        err.code = errno;
        snprintf(err.text, sizeof err.text, "fflush");
        rc = -1;
        goto out;
    }
    TRY("recv line", srr_recv(c, buf, 5, MSG_WAITALL, &err) == 5);
    TRY("getpeername", srr_getpeername(c, &addr, &err) == 0);
    TRY("shutdown", srr_shutdown(c, SHUT_WR, &err) == 0);
    TRY("getaddrinfo", srr_getaddrinfo(w, "localhost", "80", AF_INET, SOCK_STREAM, 0, 0, &list, &err) == 0);
    TRY("gethostbyname_ex", srr_gethostbyname_ex(w, "localhost", &h, &err) == 0);
    TRY("getnameinfo", srr_getnameinfo(w, &addr, NI_NUMERICHOST, buf, 64, buf + 64, 64, &err) == 0);
    TRY("if_nametoindex", srr_if_nametoindex(w, "lo", &err) != 0);
    TRY("gethostname", srr_gethostname(w, buf, sizeof buf, &err) == 0);
    TRY("socketpair", srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, pair, &err) == 0);
    int fd = srr_fileno(pair[0]);
    srr_cmsg rights = {SOL_SOCKET, SCM_RIGHTS, &fd, sizeof fd};
    struct iovec iov = {"x", 1};
    TRY("sendmsg", srr_sendmsg(pair[0], &iov, 1, &rights, 1, 0, NULL, &err) == 1);
    char anc[64];
    srr_msginfo info;
    TRY("recvmsg", srr_recvmsg(pair[1], buf, 8, anc, sizeof anc, 0, &info, &err) == 1);
    srr_cmsg items[2];
    if (srr_cmsg_parse(anc, info.anclen, items, 2) == 1) {
        int got;
        memcpy(&got, items[0].data, sizeof got);
        close(got); /* the passed descriptor is the receiver's to close */
    }
out:
    if (f)
        fclose(f);
    srr_addrinfo_list_free(&list);
    srr_hostent_free(&h);
    srr_close(pair[0], NULL);
    srr_close(pair[1], NULL);
    srr_close(a, NULL);
    srr_close(c, NULL);
    srr_close(l, NULL);
    return rc;
}

static void test_every_seam_call_failing_gives_an_error_value(void **state)
{
    (void)state;
    long n, faults = 0;
    for (n = 1; n < 1000; n++) {
        fault_world *f = fault_world_new(n);
        int rc = scenario(&f->base);
        long calls = f->calls;
        srr_world_destroy(&f->base);
        if (calls < n) { /* the fault came after the last call: a clean run */
            assert_int_equal(rc, 0);
            break;
        }
        faults += rc < 0;
        if (rc == 0 && getenv("FAULTS_VERBOSE"))
            print_message("fault at call %ld did not surface\n", n);
    }
    assert_true(n < 1000);
    /* Every fault must surface, except in the closes at the scenario's end,
     * whose errors it ignores on purpose (srr_close(..., NULL)). */
    if (faults != n - 1 - SCENARIO_CLOSES)
        fail_msg("%ld of %ld injected faults surfaced as errors, expected %ld", faults, n - 1,
                 n - 1 - SCENARIO_CLOSES);
    print_message("%ld seam calls, %ld faults surfaced as errors\n", n - 1, faults);
}

static void test_clean_run_through_the_fault_world(void **state)
{
    (void)state;
    fault_world *f = fault_world_new(0);
    assert_int_equal(scenario(&f->base), 0);
    assert_true(f->calls > 30);
    srr_world_destroy(&f->base);
}

static void test_failing_clock_fails_a_timed_call_instead_of_blocking(void **state)
{
    (void)state;
    fault_world *f = fault_world_new(0);
    srr_error err;
    srr_socket *pair[2];
    assert_int_equal(srr_socketpair(&f->base, 0, 0, 0, pair, &err), 0);
    assert_int_equal(srr_settimeout(pair[0], 30.0, &err), 0);
    f->fail_at = f->calls + 1; /* the next call, which is the clock read */
    char b;
    assert_int_equal(srr_recv(pair[0], &b, 1, 0, &err), -1);
    assert_int_equal(err.kind, SRR_ERR_OS);
    assert_int_equal(err.code, EINVAL);
    srr_close(pair[0], NULL);
    srr_close(pair[1], NULL);
    srr_world_destroy(&f->base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_run_through_the_fault_world),
        cmocka_unit_test(test_every_seam_call_failing_gives_an_error_value),
        cmocka_unit_test(test_failing_clock_fails_a_timed_call_instead_of_blocking),
    };
    return cmocka_run_group_tests_name("test_faults", tests, NULL, NULL);
}
