/*
 * test_resolver.c — getaddrinfo, gethostbyname[_ex], gethostbyaddr, getfqdn,
 * gethostname / sethostname, getnameinfo and the local databases
 * (getprotobyname, getservbyname, getservbyport) over the kernel world.
 *
 * Only "localhost" (and numeric addresses) may need to resolve; unknown names
 * live under the reserved .invalid TLD.  sethostname runs only in a forked
 * child inside its own UTS namespace: it never renames the machine.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sockrr.h"
#include "helpers.h"

/* kind k and a code that is c1 or c2. */
#define assert_err_code2(e, k, c1, c2)                                                         \
    do {                                                                                       \
        assert_err_kind(e, k);                                                                 \
        if ((e).code != (c1) && (e).code != (c2))                                              \
            fail_msg("error code %d (\"%s\"), expected %d or %d", (e).code, (e).text,          \
                     (int)(c1), (int)(c2));                                                    \
    } while (0)
#define assert_kind2(e, k1, k2)                                                                \
    do {                                                                                       \
        if ((e).kind != (k1) && (e).kind != (k2))                                              \
            fail_msg("error kind %d (code %d, \"%s\"), expected kind %d or %d",               \
                     (int)(e).kind, (e).code, (e).text, (int)(k1), (int)(k2));                 \
    } while (0)
#define assert_failed(rc, e)                                                                   \
    do {                                                                                       \
        assert_int_equal((rc), -1);                                                            \
        if ((e).kind == SRR_ERR_NONE) fail_msg("returned -1 but left the error kind NONE");   \
    } while (0)
#define assert_ok(rc) assert_in_range((rc), 0, INT32_MAX)
#define assert_nonempty(s)                                                                     \
    do {                                                                                       \
        if ((s)[0] == '\0') fail_msg("%s is empty", #s);                                       \
    } while (0)
#define GUARD 0x5a

#define UNKNOWN_HOST "no-such-host.invalid"

static srr_world *kernel(void)
{
    srr_world *w = srr_world_kernel();
    assert_non_null(w);
    return w;
}

static int is_loopback_text(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0;
}

/* Whether a hostent's address list holds ip. */
static int hostent_has_addr(const srr_hostent *h, const char *ip)
{
    for (size_t i = 0; i < h->naddrs; i++)
        if (strcmp(h->addrs[i], ip) == 0) return 1;
    return 0;
}

/* ----------------------------------------------------------- getaddrinfo */

static void test_getaddrinfo_numeric_host_v4(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(srr_getaddrinfo(w, "127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, 0, &l, &e), 0);
    assert_int_equal(l.count, 1);
    assert_non_null(l.items);
    assert_int_equal(l.items[0].family, AF_INET);
    assert_int_equal(l.items[0].type, SOCK_STREAM);
    assert_int_equal(l.items[0].proto, IPPROTO_TCP);
    assert_string_equal(l.items[0].canonname, "");
    assert_int_equal(l.items[0].addr.family, AF_INET);
    assert_string_equal(l.items[0].addr.host, "127.0.0.1");
    assert_int_equal(l.items[0].addr.port, 80);
    srr_addrinfo_list_free(&l);
    srr_world_destroy(w);
}

static void test_getaddrinfo_service_name_http(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(srr_getaddrinfo(w, "localhost", "http", AF_UNSPEC, SOCK_STREAM, 0, 0, &l, &e),
                     0);
    assert_in_range(l.count, 1, 64);
    for (size_t i = 0; i < l.count; i++) {
        const srr_addrinfo *ai = &l.items[i];
        assert_int_equal(ai->type, SOCK_STREAM);
        assert_int_equal(ai->addr.family, ai->family);
        assert_int_equal(ai->addr.port, 80);
        if (!is_loopback_text(ai->addr.host))
            fail_msg("localhost resolved to \"%s\", not 127.0.0.1 or ::1", ai->addr.host);
    }
    srr_addrinfo_list_free(&l);
    srr_world_destroy(w);
}

static void test_getaddrinfo_passive_null_host_is_any_v4(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(
        srr_getaddrinfo(w, NULL, "8080", AF_INET, SOCK_STREAM, 0, AI_PASSIVE, &l, &e), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.items[0].family, AF_INET);
    assert_string_equal(l.items[0].addr.host, "0.0.0.0");
    assert_int_equal(l.items[0].addr.port, 8080);
    srr_addrinfo_list_free(&l);
    srr_world_destroy(w);
}

static void test_getaddrinfo_passive_null_host_is_any_v6(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(
        srr_getaddrinfo(w, NULL, "8080", AF_INET6, SOCK_STREAM, 0, AI_PASSIVE, &l, &e), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.items[0].family, AF_INET6);
    assert_string_equal(l.items[0].addr.host, "::");
    assert_int_equal(l.items[0].addr.port, 8080);
    srr_addrinfo_list_free(&l);
    srr_world_destroy(w);
}

static void test_getaddrinfo_family_filter_v6(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(srr_getaddrinfo(w, "::1", "80", AF_INET6, SOCK_STREAM, 0, 0, &l, &e), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.items[0].family, AF_INET6);
    assert_int_equal(l.items[0].proto, IPPROTO_TCP);
    assert_int_equal(l.items[0].addr.family, AF_INET6);
    assert_string_equal(l.items[0].addr.host, "::1");
    assert_int_equal(l.items[0].addr.port, 80);
    assert_int_equal(l.items[0].addr.flowinfo, 0);
    assert_int_equal(l.items[0].addr.scope_id, 0);
    srr_addrinfo_list_free(&l);
    srr_world_destroy(w);
}

static void test_getaddrinfo_family_mismatch_is_gaierror(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(
        srr_getaddrinfo(w, "127.0.0.1", "80", AF_INET6, SOCK_STREAM, 0, 0, &l, &e), -1);
    /* glibc: EAI_ADDRFAMILY ("Address family for hostname not supported") */
    assert_err_code2(e, SRR_ERR_GAI, EAI_ADDRFAMILY, EAI_NONAME);
    srr_world_destroy(w);
}

static void test_getaddrinfo_numerichost_rejects_name(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(
        srr_getaddrinfo(w, "localhost", "80", AF_UNSPEC, 0, 0, AI_NUMERICHOST, &l, &e), -1);
    assert_err_code(e, SRR_ERR_GAI, EAI_NONAME);
    assert_nonempty(e.text);
    srr_world_destroy(w);
}

static void test_getaddrinfo_canonname_on_first_entry_only(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    /* type 0: one entry per socket type, so there is more than one. */
    assert_int_equal(
        srr_getaddrinfo(w, "localhost", NULL, AF_UNSPEC, 0, 0, AI_CANONNAME, &l, &e), 0);
    assert_in_range(l.count, 1, 64);
    assert_nonempty(l.items[0].canonname);
    for (size_t i = 1; i < l.count; i++) assert_string_equal(l.items[i].canonname, "");
    srr_addrinfo_list_free(&l);
    srr_world_destroy(w);
}

static void test_getaddrinfo_unknown_service_is_gaierror(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(srr_getaddrinfo(w, "127.0.0.1", "no-such-service-xyz", AF_INET, SOCK_STREAM,
                                     0, 0, &l, &e),
                     -1);
    assert_err_code2(e, SRR_ERR_GAI, EAI_SERVICE, EAI_NONAME);
    srr_world_destroy(w);
}

static void test_getaddrinfo_unknown_host_is_gaierror(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(
        srr_getaddrinfo(w, UNKNOWN_HOST, "80", AF_UNSPEC, SOCK_STREAM, 0, 0, &l, &e), -1);
    /* EAI_AGAIN when no resolver is reachable. */
    assert_err_code2(e, SRR_ERR_GAI, EAI_NONAME, EAI_AGAIN);
    srr_world_destroy(w);
}

static void test_getaddrinfo_no_host_no_port_is_gaierror(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addrinfo_list l = {0};
    srr_error e = {0};
    assert_int_equal(srr_getaddrinfo(w, NULL, NULL, AF_UNSPEC, 0, 0, 0, &l, &e), -1);
    assert_err_code(e, SRR_ERR_GAI, EAI_NONAME);
    srr_world_destroy(w);
}

static void test_getaddrinfo_null_out_is_value_error(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_error e = {0};
    assert_int_equal(
        srr_getaddrinfo(w, "127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, 0, NULL, &e), -1);
    assert_err_kind(e, SRR_ERR_VALUE);
    srr_world_destroy(w);
}

/* --------------------------------------------------------- gethostbyname */

static void test_gethostbyname_localhost(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[64];
    srr_error e = {0};
    assert_ok(srr_gethostbyname(w, "localhost", buf, sizeof buf, &e));
    assert_string_equal(buf, "127.0.0.1");
    srr_world_destroy(w);
}

static void test_gethostbyname_numeric_passes_through(void **state)
{
    (void)state;
    static const char *ips[] = {"127.0.0.1", "10.1.2.3", "192.0.2.200"};
    srr_world *w = kernel();
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++) {
        char buf[64];
        srr_error e = {0};
        assert_ok(srr_gethostbyname(w, ips[i], buf, sizeof buf, &e));
        assert_string_equal(buf, ips[i]);
    }
    srr_world_destroy(w);
}

static void test_gethostbyname_short_buffer_fails_without_overrun(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[8];
    memset(buf, GUARD, sizeof buf);
    srr_error e = {0};
    assert_failed(srr_gethostbyname(w, "127.0.0.1", buf, 4, &e), e);
    for (size_t i = 4; i < sizeof buf; i++) assert_int_equal((unsigned char)buf[i], GUARD);
    srr_world_destroy(w);
}

static void test_gethostbyname_unknown_host_is_gaierror(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[64];
    srr_error e = {0};
    assert_int_equal(srr_gethostbyname(w, UNKNOWN_HOST, buf, sizeof buf, &e), -1);
    assert_err_code2(e, SRR_ERR_GAI, EAI_NONAME, EAI_AGAIN);
    srr_world_destroy(w);
}

static void test_gethostbyname_ex_localhost(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_hostent h = {0};
    srr_error e = {0};
    assert_int_equal(srr_gethostbyname_ex(w, "localhost", &h, &e), 0);
    assert_nonempty(h.name);
    assert_in_range(h.naddrs, 1, 64);
    assert_non_null(h.addrs);
    for (size_t i = 0; i < h.naddrs; i++) { /* IPv4 only */
        struct in_addr a;
        if (inet_pton(AF_INET, h.addrs[i], &a) != 1)
            fail_msg("address \"%s\" is not IPv4", h.addrs[i]);
    }
    if (!hostent_has_addr(&h, "127.0.0.1")) fail_msg("127.0.0.1 not among the addresses");
    if (h.naliases) assert_non_null(h.aliases);
    srr_hostent_free(&h);
    srr_world_destroy(w);
}

static void test_gethostbyname_ex_unknown_host_fails(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_hostent h = {0};
    srr_error e = {0};
    assert_int_equal(srr_gethostbyname_ex(w, UNKNOWN_HOST, &h, &e), -1);
    /* CPython resolves first (gaierror); the seed also allows herror. */
    assert_kind2(e, SRR_ERR_GAI, SRR_ERR_HERROR);
    srr_world_destroy(w);
}

/* --------------------------------------------------------- gethostbyaddr */

static void test_gethostbyaddr_loopback(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_hostent h = {0};
    srr_error e = {0};
    assert_int_equal(srr_gethostbyaddr(w, "127.0.0.1", &h, &e), 0);
    assert_nonempty(h.name);
    if (!hostent_has_addr(&h, "127.0.0.1")) fail_msg("127.0.0.1 not among the addresses");
    srr_hostent_free(&h);
    srr_world_destroy(w);
}

static void test_gethostbyaddr_unresolvable_name_fails(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_hostent h = {0};
    srr_error e = {0};
    assert_int_equal(srr_gethostbyaddr(w, "not-an-ip-at-all.invalid", &h, &e), -1);
    assert_kind2(e, SRR_ERR_GAI, SRR_ERR_HERROR);
    srr_world_destroy(w);
}

static void test_gethostbyaddr_address_without_name_is_herror(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_hostent h = {0};
    srr_error e = {0};
    /* TEST-NET-1 (RFC 5737) has no PTR record anywhere. */
    assert_int_equal(srr_gethostbyaddr(w, "192.0.2.1", &h, &e), -1);
    assert_err_kind(e, SRR_ERR_HERROR);
    if (e.code != HOST_NOT_FOUND && e.code != TRY_AGAIN && e.code != NO_RECOVERY &&
        e.code != NO_DATA)
        fail_msg("h_errno %d (\"%s\") is not a resolver h_errno", e.code, e.text);
    srr_world_destroy(w);
}

static void test_gethostbyaddr_null_is_value_error(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_hostent h = {0};
    srr_error e = {0};
    assert_int_equal(srr_gethostbyaddr(w, NULL, &h, &e), -1);
    assert_err_kind(e, SRR_ERR_VALUE);
    srr_world_destroy(w);
}

/* ---------------------------------------------------------------- getfqdn */

static void test_getfqdn_this_host_nonempty(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[SRR_HOST_MAX];
    srr_error e = {0};
    assert_ok(srr_getfqdn(w, NULL, buf, sizeof buf, &e));
    assert_nonempty(buf);
    assert_ok(srr_getfqdn(w, "", buf, sizeof buf, &e));
    assert_nonempty(buf);
    srr_world_destroy(w);
}

static void test_getfqdn_localhost_gives_name(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[SRR_HOST_MAX];
    srr_error e = {0};
    assert_ok(srr_getfqdn(w, "localhost", buf, sizeof buf, &e));
    /* "localhost", or "localhost.localdomain" on some hosts files */
    if (strncmp(buf, "localhost", 9) != 0) fail_msg("getfqdn(\"localhost\") = \"%s\"", buf);
    srr_world_destroy(w);
}

static void test_getfqdn_unknown_name_returned_as_given(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[SRR_HOST_MAX];
    srr_error e = {0};
    assert_ok(srr_getfqdn(w, UNKNOWN_HOST, buf, sizeof buf, &e));
    assert_string_equal(buf, UNKNOWN_HOST);
    srr_world_destroy(w);
}

/* ------------------------------------------------ gethostname/sethostname */

static void test_gethostname_matches_libc(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char want[HOST_NAME_MAX + 1] = "", got[HOST_NAME_MAX + 1] = "";
    srr_error e = {0};
    assert_int_equal(gethostname(want, sizeof want), 0);
    assert_ok(srr_gethostname(w, got, sizeof got, &e));
    assert_string_equal(got, want);
    srr_world_destroy(w);
}

static void test_gethostname_short_buffer_fails_without_overrun(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char buf[4];
    memset(buf, GUARD, sizeof buf);
    srr_error e = {0};
    /* Every hostname is at least one character, so one byte never fits. */
    assert_failed(srr_gethostname(w, buf, 1, &e), e);
    for (size_t i = 1; i < sizeof buf; i++) assert_int_equal((unsigned char)buf[i], GUARD);
    srr_world_destroy(w);
}

enum { CHILD_OK, CHILD_SKIP = 77, CHILD_SET = 10, CHILD_GET, CHILD_READBACK, CHILD_LIBC, CHILD_NULL,
       CHILD_UNSHARE };

/* Runs in the forked child only, after unshare(CLONE_NEWUTS). */
static int sethostname_child(void)
{
    srr_world *w = srr_world_kernel();
    char buf[HOST_NAME_MAX + 1];
    srr_error e = {0};
    int rc = CHILD_OK;
    if (!w || srr_sethostname(w, "sockrr-test", &e) != 0)
        rc = CHILD_SET;
    else if (srr_gethostname(w, buf, sizeof buf, &e) < 0)
        rc = CHILD_GET;
    else if (strcmp(buf, "sockrr-test") != 0)
        rc = CHILD_READBACK;
    else if (gethostname(buf, sizeof buf) != 0 || strcmp(buf, "sockrr-test") != 0)
        rc = CHILD_LIBC;
    else if (srr_sethostname(w, NULL, &e) != -1 || e.kind != SRR_ERR_VALUE)
        rc = CHILD_NULL;
    srr_world_destroy(w);
    return rc;
}

static void test_sethostname_in_private_uts_namespace(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_int_not_equal(pid, -1);
    if (pid == 0) {
        if (unshare(CLONE_NEWUTS) != 0)
            _exit(errno == EPERM || errno == EINVAL ? CHILD_SKIP : CHILD_UNSHARE);
        _exit(sethostname_child());
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) fail_msg("child killed by signal %d", WTERMSIG(status));
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == CHILD_SKIP) skip();
    /* 10 set failed, 11 get failed, 12 read back wrong, 13 libc disagrees,
     * 14 NULL name not a VALUE error, 15 unshare failed oddly */
    assert_int_equal(WEXITSTATUS(status), CHILD_OK);
}

/* ------------------------------------------------------------ getnameinfo */

static void test_getnameinfo_numeric(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addr a;
    char host[SRR_HOST_MAX], serv[32];
    srr_error e = {0};
    assert_int_equal(srr_addr_inet(&a, "127.0.0.1", 80), 0);
    assert_ok(srr_getnameinfo(w, &a, NI_NUMERICHOST | NI_NUMERICSERV, host, sizeof host, serv,
                              sizeof serv, &e));
    assert_string_equal(host, "127.0.0.1");
    assert_string_equal(serv, "80");
    srr_world_destroy(w);
}

static void test_getnameinfo_numeric_v6(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addr a;
    char host[SRR_HOST_MAX], serv[32];
    srr_error e = {0};
    assert_int_equal(srr_addr_inet6(&a, "::1", 443, 0, 0), 0);
    assert_ok(srr_getnameinfo(w, &a, NI_NUMERICHOST | NI_NUMERICSERV, host, sizeof host, serv,
                              sizeof serv, &e));
    assert_string_equal(host, "::1");
    assert_string_equal(serv, "443");
    srr_world_destroy(w);
}

static void test_getnameinfo_namereqd_loopback(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addr a;
    char host[SRR_HOST_MAX], serv[32];
    srr_error e = {0};
    assert_int_equal(srr_addr_inet(&a, "127.0.0.1", 80), 0);
    assert_ok(srr_getnameinfo(w, &a, NI_NAMEREQD, host, sizeof host, serv, sizeof serv, &e));
    assert_nonempty(host);
    assert_string_not_equal(host, "127.0.0.1");
    assert_string_equal(serv, "http");
    srr_world_destroy(w);
}

static void test_getnameinfo_namereqd_without_name_is_gaierror(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addr a;
    char host[SRR_HOST_MAX], serv[32];
    srr_error e = {0};
    assert_int_equal(srr_addr_inet(&a, "192.0.2.1", 80), 0);
    assert_int_equal(
        srr_getnameinfo(w, &a, NI_NAMEREQD, host, sizeof host, serv, sizeof serv, &e), -1);
    assert_err_code2(e, SRR_ERR_GAI, EAI_NONAME, EAI_AGAIN);
    srr_world_destroy(w);
}

static void test_getnameinfo_port_out_of_range_is_value_error(void **state)
{
    (void)state;
    srr_world *w = kernel();
    srr_addr a;
    char host[SRR_HOST_MAX], serv[32];
    srr_error e = {0};
    srr_addr_inet(&a, "127.0.0.1", 70000);
    assert_int_equal(srr_getnameinfo(w, &a, NI_NUMERICHOST | NI_NUMERICSERV, host, sizeof host,
                                     serv, sizeof serv, &e),
                     -1);
    assert_err_kind(e, SRR_ERR_VALUE);
    srr_world_destroy(w);
}

static void test_getnameinfo_null_addr_is_value_error(void **state)
{
    (void)state;
    srr_world *w = kernel();
    char host[SRR_HOST_MAX], serv[32];
    srr_error e = {0};
    assert_int_equal(srr_getnameinfo(w, NULL, NI_NUMERICHOST, host, sizeof host, serv,
                                     sizeof serv, &e),
                     -1);
    assert_err_kind(e, SRR_ERR_VALUE);
    srr_world_destroy(w);
}

/* ------------------------------------------- protocol / service databases */

static void test_getprotobyname_tcp_udp(void **state)
{
    (void)state;
    srr_error e = {0};
    assert_int_equal(srr_getprotobyname("tcp", &e), 6);
    assert_int_equal(srr_getprotobyname("udp", &e), 17);
    assert_int_equal(srr_getprotobyname("icmp", &e), 1);
}

static void test_getprotobyname_unknown_is_oserror(void **state)
{
    (void)state;
    srr_error e = {0};
    assert_int_equal(srr_getprotobyname("no-such-proto-xyz", &e), -1);
    assert_err_kind(e, SRR_ERR_OS); /* Python: OSError("protocol not found") */
}

static void test_getservbyname_with_proto(void **state)
{
    (void)state;
    srr_error e = {0};
    assert_int_equal(srr_getservbyname("http", "tcp", &e), 80);
    assert_int_equal(srr_getservbyname("domain", "udp", &e), 53);
}

static void test_getservbyname_any_proto(void **state)
{
    (void)state;
    srr_error e = {0};
    assert_int_equal(srr_getservbyname("http", NULL, &e), 80);
}

static void test_getservbyname_unknown_is_oserror(void **state)
{
    (void)state;
    srr_error e = {0};
    assert_int_equal(srr_getservbyname("no-such-service-xyz", "tcp", &e), -1);
    assert_err_kind(e, SRR_ERR_OS); /* Python: OSError("service/proto not found") */
}

static void test_getservbyport_http(void **state)
{
    (void)state;
    char buf[64];
    srr_error e = {0};
    assert_ok(srr_getservbyport(80, "tcp", buf, sizeof buf, &e));
    assert_string_equal(buf, "http");
    assert_ok(srr_getservbyport(80, NULL, buf, sizeof buf, &e));
    assert_string_equal(buf, "http");
}

static void test_getservbyport_out_of_range_is_value_error(void **state)
{
    (void)state;
    static const int ports[] = {70000, -1, 65536};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
        char buf[64];
        srr_error e = {0};
        print_message("getservbyport(%d)\n", ports[i]);
        assert_int_equal(srr_getservbyport(ports[i], "tcp", buf, sizeof buf, &e), -1);
        assert_err_kind(e, SRR_ERR_VALUE); /* Python: OverflowError */
    }
}

static void test_getservbyport_short_buffer_fails_without_overrun(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, GUARD, sizeof buf);
    srr_error e = {0};
    assert_failed(srr_getservbyport(80, "tcp", buf, 3, &e), e); /* "http" needs 5 */
    for (size_t i = 3; i < sizeof buf; i++) assert_int_equal((unsigned char)buf[i], GUARD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_getaddrinfo_numeric_host_v4),
        cmocka_unit_test(test_getaddrinfo_service_name_http),
        cmocka_unit_test(test_getaddrinfo_passive_null_host_is_any_v4),
        cmocka_unit_test(test_getaddrinfo_passive_null_host_is_any_v6),
        cmocka_unit_test(test_getaddrinfo_family_filter_v6),
        cmocka_unit_test(test_getaddrinfo_family_mismatch_is_gaierror),
        cmocka_unit_test(test_getaddrinfo_numerichost_rejects_name),
        cmocka_unit_test(test_getaddrinfo_canonname_on_first_entry_only),
        cmocka_unit_test(test_getaddrinfo_unknown_service_is_gaierror),
        cmocka_unit_test(test_getaddrinfo_unknown_host_is_gaierror),
        cmocka_unit_test(test_getaddrinfo_no_host_no_port_is_gaierror),
        cmocka_unit_test(test_getaddrinfo_null_out_is_value_error),
        cmocka_unit_test(test_gethostbyname_localhost),
        cmocka_unit_test(test_gethostbyname_numeric_passes_through),
        cmocka_unit_test(test_gethostbyname_short_buffer_fails_without_overrun),
        cmocka_unit_test(test_gethostbyname_unknown_host_is_gaierror),
        cmocka_unit_test(test_gethostbyname_ex_localhost),
        cmocka_unit_test(test_gethostbyname_ex_unknown_host_fails),
        cmocka_unit_test(test_gethostbyaddr_loopback),
        cmocka_unit_test(test_gethostbyaddr_unresolvable_name_fails),
        cmocka_unit_test(test_gethostbyaddr_address_without_name_is_herror),
        cmocka_unit_test(test_gethostbyaddr_null_is_value_error),
        cmocka_unit_test(test_getfqdn_this_host_nonempty),
        cmocka_unit_test(test_getfqdn_localhost_gives_name),
        cmocka_unit_test(test_getfqdn_unknown_name_returned_as_given),
        cmocka_unit_test(test_gethostname_matches_libc),
        cmocka_unit_test(test_gethostname_short_buffer_fails_without_overrun),
        cmocka_unit_test(test_sethostname_in_private_uts_namespace),
        cmocka_unit_test(test_getnameinfo_numeric),
        cmocka_unit_test(test_getnameinfo_numeric_v6),
        cmocka_unit_test(test_getnameinfo_namereqd_loopback),
        cmocka_unit_test(test_getnameinfo_namereqd_without_name_is_gaierror),
        cmocka_unit_test(test_getnameinfo_port_out_of_range_is_value_error),
        cmocka_unit_test(test_getnameinfo_null_addr_is_value_error),
        cmocka_unit_test(test_getprotobyname_tcp_udp),
        cmocka_unit_test(test_getprotobyname_unknown_is_oserror),
        cmocka_unit_test(test_getservbyname_with_proto),
        cmocka_unit_test(test_getservbyname_any_proto),
        cmocka_unit_test(test_getservbyname_unknown_is_oserror),
        cmocka_unit_test(test_getservbyport_http),
        cmocka_unit_test(test_getservbyport_out_of_range_is_value_error),
        cmocka_unit_test(test_getservbyport_short_buffer_fails_without_overrun),
    };
    return cmocka_run_group_tests_name("test_resolver", tests, NULL, NULL);
}
