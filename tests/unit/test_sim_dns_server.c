/*
 * test_sim_dns_server.c — the sim's DNS server (sim_dns_wire.c,
 * sim_dns_server.c) through the C API, as a program that does its own DNS
 * meets it: queries over UDP and TCP to port 53 of the nameserver address,
 * each record type, NXDOMAIN, SERVFAIL and REFUSED, truncation, a delay in
 * virtual time, malformed queries, a program's own socket on port 53
 * winning over the server, and the /etc files the world gives (SRR_CTL_FILE).
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

#include "sockrr.h"
#include "sockrr/testing.h"
#include "sockrr/worlds.h"

static const char *const net =
    "{\"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},"
    "  \"db\": {\"addrs\": [\"192.0.2.5\", \"2001:db8::5\"]}},"
    " \"dns\": {\"www.example\": {\"answers\": [\"192.0.2.80\"], \"canonname\": \"web.example\"},"
    "  \"gone.example\": {\"error\": \"EAI_NONAME\"},"
    "  \"flaky.example\": {\"script\": [{\"error\": \"EAI_AGAIN\"}, {\"error\": \"EAI_FAIL\"},"
    "                                   {\"answers\": [\"192.0.2.81\"]}]},"
    "  \"mail.example\": {\"mx\": [{\"preference\": 10, \"exchange\": \"mx1.example\"}],"
    "                    \"txt\": [\"hello\"]},"
    "  \"_x._tcp.example\": {\"srv\": [{\"priority\": 1, \"weight\": 2, \"port\": 3, \"target\": \"t.example\"}]},"
    "  \"big.example\": {\"answers\": [\"192.0.2.90\"], \"truncate\": true},"
    "  \"slow.example\": {\"answers\": [\"192.0.2.91\"], \"delay\": \"1.5s\"}}}";

static srr_world *sim_new(const char *json)
{
    char msg[512];
    srr_world *w = srr_world_sim_string(json, msg, sizeof msg);
    if (!w)
        fail_msg("srr_world_sim_string: %s", msg);
    return w;
}

enum { T_A = 1, T_CNAME = 5, T_PTR = 12, T_MX = 15, T_TXT = 16, T_AAAA = 28, T_SRV = 33 };

/* A query: id 0x1234, RD, one question of name and type, class IN. */
static size_t query(unsigned char *q, const char *name, unsigned type)
{
    size_t n = 0;
    static const unsigned char head[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(q, head, 12);
    n = 12;
    for (const char *s = name; *s;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        q[n++] = (unsigned char)len;
        memcpy(q + n, s, len);
        n += len;
        s += len + (dot ? 1 : 0);
    }
    q[n++] = 0;
    q[n++] = (unsigned char)(type >> 8);
    q[n++] = (unsigned char)type;
    q[n++] = 0;
    q[n++] = 1;
    return n;
}

/* A response in short: "rcode=N tc=N an=N" then each answer's type and
 * data ("A 192.0.2.80", "CNAME web.example", ...). */
static void answer_text(const unsigned char *r, size_t n, char *out, size_t len)
{
    assert_true(n >= 12);
    assert_int_equal(r[0], 0x12);
    assert_int_equal(r[1], 0x34);
    assert_true(r[2] & 0x80); /* a response */
    unsigned an = (unsigned)r[6] << 8 | r[7];
    size_t k = (size_t)snprintf(out, len, "rcode=%d tc=%d an=%u", r[3] & 0xf, !!(r[2] & 0x02), an);
    size_t off = 12;
    if (r[5]) { /* the question */
        while (r[off])
            off += r[off] + 1u;
        off += 5;
    }
    for (unsigned i = 0; i < an; i++) {
        while (r[off])
            off += r[off] + 1u; /* our owners are never compressed */
        off++;
        unsigned type = (unsigned)r[off] << 8 | r[off + 1];
        size_t rdlen = (size_t)r[off + 8] << 8 | r[off + 9];
        const unsigned char *d = r + off + 10;
        char v[128] = "";
        if (type == T_A || type == T_AAAA) {
            inet_ntop(type == T_A ? AF_INET : AF_INET6, d, v, sizeof v);
        } else if (type == T_TXT) {
            snprintf(v, sizeof v, "%.*s", d[0], (const char *)d + 1);
        } else {
            /* a name, after MX's preference or SRV's three numbers */
            size_t p = type == T_MX ? 2 : type == T_SRV ? 6 : 0, m = 0;
            if (p)
                m = (size_t)snprintf(v, sizeof v, "%u ", (unsigned)d[p - 2] << 8 | d[p - 1]);
            while (d[p] && m + d[p] + 2 < sizeof v) {
                m += (size_t)snprintf(v + m, sizeof v - m, "%s%.*s", m && v[m - 1] != ' ' ? "." : "",
                                      d[p], (const char *)d + p + 1);
                p += d[p] + 1u;
            }
        }
        static const char *const names[] = {[T_A] = "A", [T_CNAME] = "CNAME", [T_PTR] = "PTR",
                                            [T_MX] = "MX", [T_TXT] = "TXT", [T_AAAA] = "AAAA",
                                            [T_SRV] = "SRV"};
        k += (size_t)snprintf(out + k, len - k, " | %s %s", type <= T_SRV ? names[type] : "?", v);
        off += 10 + rdlen;
    }
}

/* One query over UDP from a fresh socket to the server at server: the
 * response in short. */
static void ask_udp_at(srr_world *w, const char *server, const char *name, unsigned type,
                       char *out, size_t len)
{
    srr_error err;
    srr_socket *s = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err);
    assert_non_null(s);
    srr_addr ns;
    srr_addr_inet(&ns, server, 53);
    unsigned char q[512], r[4096];
    size_t n = query(q, name, type);
    assert_int_equal(srr_sendto(s, q, n, 0, &ns, &err), (ssize_t)n);
    srr_addr from;
    ssize_t got = srr_recvfrom(s, r, sizeof r, 0, &from, &err);
    assert_true(got > 0);
    assert_string_equal(from.host, server);
    assert_int_equal(from.port, 53);
    answer_text(r, (size_t)got, out, len);
    srr_close(s, NULL);
}

static void ask_udp(srr_world *w, const char *name, unsigned type, char *out, size_t len)
{
    ask_udp_at(w, "127.0.0.53", name, type, out, len);
}

static void test_udp_answers_each_record_type(void **state)
{
    (void)state;
    srr_world *w = sim_new(net);
    char t[512];
    ask_udp(w, "www.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=2 | CNAME web.example | A 192.0.2.80");
    ask_udp(w, "db", T_AAAA, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | AAAA 2001:db8::5");
    ask_udp(w, "DB.", T_A, t, sizeof t); /* any case, a final dot */
    assert_string_equal(t, "rcode=0 tc=0 an=1 | A 192.0.2.5");
    ask_udp(w, "mail.example", T_MX, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | MX 10 mx1.example");
    ask_udp(w, "mail.example", T_TXT, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | TXT hello");
    ask_udp(w, "mail.example", T_A, t, sizeof t); /* a known name without one */
    assert_string_equal(t, "rcode=0 tc=0 an=0");
    ask_udp(w, "_x._tcp.example", T_SRV, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | SRV 3 t.example");
    ask_udp(w, "5.2.0.192.in-addr.arpa", T_PTR, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | PTR db");
    ask_udp(w, "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", T_PTR, t,
            sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | PTR db");
    ask_udp(w, "9.9.9.9.in-addr.arpa", T_PTR, t, sizeof t);
    assert_string_equal(t, "rcode=3 tc=0 an=0");
    srr_world_destroy(w);
}

static void test_udp_errors_scripts_and_truncation(void **state)
{
    (void)state;
    srr_world *w = sim_new(net);
    char t[512];
    ask_udp(w, "gone.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=3 tc=0 an=0");
    ask_udp(w, "nobody.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=3 tc=0 an=0");
    /* each query uses up a script step, as a lookup does */
    ask_udp(w, "flaky.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=2 tc=0 an=0");
    ask_udp(w, "flaky.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=5 tc=0 an=0");
    ask_udp(w, "flaky.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | A 192.0.2.81");
    ask_udp(w, "big.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=1 an=0");
    /* the delay passes in virtual time before the answer comes */
    int64_t t0 = srr_sim_now(w);
    ask_udp(w, "slow.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | A 192.0.2.91");
    assert_int_equal(srr_sim_now(w) - t0, 1500000000LL);
    srr_world_destroy(w);
}

/* A nameserver on another host: the query and the answer each cross the
 * link, so the answer comes a round trip later (with the entry's delay on
 * top); TCP's handshake and bytes take the link's latency as a stream's do. */
static void test_a_server_on_another_host_answers_a_round_trip_later(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"latency\": \"40ms\", \"nameserver\": \"192.0.2.53\","
                           " \"hosts\": {\"ns\": {\"addrs\": [\"192.0.2.53\"]}},"
                           " \"dns\": {\"www.example\": {\"answers\": [\"192.0.2.80\"]},"
                           "  \"slow.example\": {\"answers\": [\"192.0.2.91\"], \"delay\": \"1s\"}}}");
    char t[512];
    int64_t t0 = srr_sim_now(w);
    ask_udp_at(w, "192.0.2.53", "www.example", T_A, t, sizeof t);
    assert_string_equal(t, "rcode=0 tc=0 an=1 | A 192.0.2.80");
    assert_int_equal(srr_sim_now(w) - t0, 80000000LL);
    t0 = srr_sim_now(w);
    ask_udp_at(w, "192.0.2.53", "slow.example", T_A, t, sizeof t);
    assert_int_equal(srr_sim_now(w) - t0, 1080000000LL);
    srr_world_destroy(w);
    /* on this host (the default 127.0.0.53) no link is crossed */
    w = sim_new("{\"latency\": \"40ms\", \"dns\": {\"www.example\": {\"answers\": [\"192.0.2.80\"]}}}");
    t0 = srr_sim_now(w);
    ask_udp(w, "www.example", T_A, t, sizeof t);
    assert_int_equal(srr_sim_now(w) - t0, 0);
    srr_world_destroy(w);
}

static void test_tcp_answers_what_udp_truncates(void **state)
{
    (void)state;
    srr_world *w = sim_new(net);
    srr_error err;
    srr_socket *s = srr_create_connection(w, "127.0.0.53", 53, 5.0, NULL, &err);
    assert_non_null(s);
    unsigned char q[514], r[4096];
    char t[512];
    for (int i = 0; i < 2; i++) { /* two queries on one connection */
        size_t n = query(q + 2, i ? "www.example" : "big.example", T_A);
        q[0] = (unsigned char)(n >> 8);
        q[1] = (unsigned char)n;
        assert_int_equal(srr_sendall(s, q, n + 2, 0, &err), 0);
        assert_int_equal(srr_recv(s, r, 2, MSG_WAITALL, &err), 2);
        size_t len = (size_t)r[0] << 8 | r[1];
        assert_int_equal(srr_recv(s, r, len, MSG_WAITALL, &err), (ssize_t)len);
        answer_text(r, len, t, sizeof t);
        assert_string_equal(t, i ? "rcode=0 tc=0 an=2 | CNAME web.example | A 192.0.2.80"
                                 : "rcode=0 tc=0 an=1 | A 192.0.2.90");
    }
    /* a message that is no query: the server hangs up */
    assert_int_equal(srr_sendall(s, "\0\3abc", 5, 0, &err), 0);
    assert_int_equal(srr_recv(s, r, sizeof r, 0, &err), 0);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_a_program_on_port_53_comes_first(void **state)
{
    (void)state;
    srr_world *w = sim_new(net);
    srr_error err;
    srr_socket *mine = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err);
    srr_addr a;
    srr_addr_inet(&a, "0.0.0.0", 53);
    assert_int_equal(srr_bind(mine, &a, &err), 0); /* the server's port is not taken from it */
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err);
    srr_addr_inet(&a, "127.0.0.53", 53);
    unsigned char q[512], r[512];
    size_t n = query(q, "www.example", T_A);
    assert_int_equal(srr_sendto(c, q, n, 0, &a, &err), (ssize_t)n);
    assert_int_equal(srr_recv(mine, r, sizeof r, MSG_DONTWAIT, &err), (ssize_t)n);
    assert_int_equal(srr_recv(c, r, sizeof r, MSG_DONTWAIT, &err), -1); /* the server kept out */
    srr_close(mine, NULL);
    /* and a datagram that is no query gets no answer */
    assert_int_equal(srr_sendto(c, "hi", 2, 0, &a, &err), 2);
    assert_int_equal(srr_recv(c, r, sizeof r, MSG_DONTWAIT, &err), -1);
    srr_close(c, NULL);
    srr_world_destroy(w);
}

static void test_etc_files_from_the_config(void **state)
{
    (void)state;
    srr_world *w = sim_new("{\"nameserver\": \"192.0.2.53\", \"hosts\": {\"app\": {\"addrs\": "
                           "[\"192.0.2.2\", \"2001:db8::2\"], \"self\": true}, \"db\": {\"addrs\": "
                           "[\"192.0.2.5\"]}}}");
    srr_file f = {.path = "/etc/resolv.conf"};
    assert_int_equal(srr_world_control(w, SRR_CTL_FILE, &f), 1);
    assert_non_null(strstr(f.text, "\nnameserver 192.0.2.53\n"));
    free(f.text);
    f = (srr_file){.path = "/etc/hosts"};
    assert_int_equal(srr_world_control(w, SRR_CTL_FILE, &f), 1);
    assert_non_null(strstr(f.text, "\n127.0.0.1\tlocalhost\n::1\tlocalhost\n"
                                   "192.0.2.2\tapp\n2001:db8::2\tapp\n"));
    assert_null(strstr(f.text, "\tdb\n")); /* the others are the DNS server's */
    assert_int_equal(strlen(f.text), f.len);
    free(f.text);
    f = (srr_file){.path = "/etc/nsswitch.conf"};
    assert_int_equal(srr_world_control(w, SRR_CTL_FILE, &f), 1);
    assert_non_null(strstr(f.text, "\nhosts: files dns\n"));
    free(f.text);
    f = (srr_file){.path = "/etc/passwd"};
    assert_int_equal(srr_world_control(w, SRR_CTL_FILE, &f), 0);
    srr_world_destroy(w);
    /* the kernel world keeps the machine's */
    w = srr_world_kernel();
    f = (srr_file){.path = "/etc/hosts"};
    assert_int_equal(srr_world_control(w, SRR_CTL_FILE, &f), -ENOTTY);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_answers_each_record_type),
        cmocka_unit_test(test_udp_errors_scripts_and_truncation),
        cmocka_unit_test(test_a_server_on_another_host_answers_a_round_trip_later),
        cmocka_unit_test(test_tcp_answers_what_udp_truncates),
        cmocka_unit_test(test_a_program_on_port_53_comes_first),
        cmocka_unit_test(test_etc_files_from_the_config),
    };
    return cmocka_run_group_tests_name("test_sim_dns_server", tests, NULL, NULL);
}
