/* Data transfer: echo, datagrams, the _into forms, sendall, sendmsg/recvmsg,
 * ancillary data, MSG_PEEK and makefile streams, on the kernel world. */
#define _GNU_SOURCE /* struct ucred */
#include "helpers.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

/* ------------------------------------------------ peer threads (raw libc) */

/* Peers use plain recv/send on the accepted socket's fd and never call
 * cmocka: the test thread checks what they record after joining. */

static void *echo_peer(void *arg)
{
    int fd = *(int *)arg;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        for (ssize_t off = 0; off < n;) {
            ssize_t k = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
            if (k <= 0)
                return NULL;
            off += k;
        }
    shutdown(fd, SHUT_WR);
    return NULL;
}

static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)(i * 131u + (i >> 13));
}

struct sink {
    int fd;
    size_t total;     /* bytes read until EOF */
    long long bad_at; /* first offset that differs from the pattern, or -1 */
    int error;        /* errno of a failed recv, or 0 */
};

static void *sink_peer(void *arg)
{
    struct sink *k = arg;
    unsigned char buf[65536];
    ssize_t n;
    k->bad_at = -1;
    while ((n = recv(k->fd, buf, sizeof buf, 0)) > 0) {
        for (ssize_t i = 0; i < n && k->bad_at < 0; i++)
            if (buf[i] != pattern_byte(k->total + (size_t)i))
                k->bad_at = (long long)(k->total + (size_t)i);
        k->total += (size_t)n;
    }
    if (n < 0)
        k->error = errno;
    return NULL;
}

/* ------------------------------------------------------------------ echo */

static void check_tcp_echo(int family)
{
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *c, *s;
    h_tcp_pair(w, family, &c, &s);
    int fd = srr_fileno(s);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, echo_peer, &fd), 0);

    const char *msgs[] = {"hello", "a longer line of text\n", "x"};
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        size_t len = strlen(msgs[i]);
        char back[64] = {0};
        H_OK(srr_sendall(c, msgs[i], len, 0, &err), &err);
        h_recv_exact(c, back, len);
        assert_string_equal(back, msgs[i]);
    }
    H_OK(srr_shutdown(c, SHUT_WR, &err), &err);
    char b;
    assert_int_equal(H_OK(srr_recv(c, &b, 1, 0, &err), &err), 0); /* echo peer ended */
    pthread_join(t, NULL);
    srr_close(c, NULL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

static void test_tcp_v4_echo_roundtrip(void **state)
{
    (void)state;
    check_tcp_echo(AF_INET);
}

static void test_tcp_v6_echo_roundtrip(void **state)
{
    (void)state;
    if (!h_ipv6_loopback_ok())
        skip();
    check_tcp_echo(AF_INET6);
}

/* ------------------------------------------------------------- datagrams */

/* Two UDP sockets bound on 127.0.0.1; ports in *pa / *pb. */
static void udp_pair(srr_world *w, srr_socket **a, int *pa, srr_socket **b, int *pb)
{
    srr_error err = {0};
    srr_addr addr, got;
    srr_socket **s[2] = {a, b};
    int *p[2] = {pa, pb};
    for (int i = 0; i < 2; i++) {
        *s[i] = H_PTR(srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err), &err);
        h_addr_loopback(&addr, AF_INET, 0);
        H_OK(srr_bind(*s[i], &addr, &err), &err);
        H_OK(srr_getsockname(*s[i], &got, &err), &err);
        *p[i] = got.port;
    }
}

static void test_udp_sendto_recvfrom_keeps_boundaries_and_sender(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *a, *b;
    int pa, pb;
    srr_addr to, from;
    char buf[64];
    udp_pair(w, &a, &pa, &b, &pb);
    h_addr_loopback(&to, AF_INET, pb);
    assert_int_equal(H_OK(srr_sendto(a, "one", 3, 0, &to, &err), &err), 3);
    assert_int_equal(H_OK(srr_sendto(a, "two!!", 5, 0, &to, &err), &err), 5);

    memset(&from, 0, sizeof from);
    assert_int_equal(H_OK(srr_recvfrom(b, buf, sizeof buf, 0, &from, &err), &err), 3);
    assert_memory_equal(buf, "one", 3);
    assert_int_equal(from.family, AF_INET);
    assert_string_equal(from.host, "127.0.0.1");
    assert_int_equal(from.port, pa);
    assert_int_equal(H_OK(srr_recvfrom(b, buf, sizeof buf, 0, &from, &err), &err), 5);
    assert_memory_equal(buf, "two!!", 5);
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_world_destroy(w);
}

static void test_udp_short_recv_discards_rest_of_datagram(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *a, *b;
    int pa, pb;
    srr_addr to;
    char buf[64];
    udp_pair(w, &a, &pa, &b, &pb);
    h_addr_loopback(&to, AF_INET, pb);
    H_OK(srr_sendto(a, "abcdef", 6, 0, &to, &err), &err);
    H_OK(srr_sendto(a, "XY", 2, 0, &to, &err), &err);
    assert_int_equal(H_OK(srr_recv(b, buf, 2, 0, &err), &err), 2);
    assert_memory_equal(buf, "ab", 2);
    assert_int_equal(H_OK(srr_recv(b, buf, sizeof buf, 0, &err), &err), 2);
    assert_memory_equal(buf, "XY", 2);
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_world_destroy(w);
}

/* ---------------------------------------------------------- the _into forms */

static void test_recv_into_nbytes_zero_uses_whole_buffer(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[16];
    memset(buf, '.', sizeof buf);
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &err), &err);
    H_OK(srr_send(p[0], "0123456789ABCDEFGHIJ", 20, 0, &err), &err);
    assert_int_equal(H_OK(srr_recv_into(p[1], buf, sizeof buf, 0, 0, &err), &err), 16);
    assert_memory_equal(buf, "0123456789ABCDEF", 16);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_recv_into_stops_at_nbytes(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[16];
    memset(buf, '.', sizeof buf);
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_send(p[0], "0123456789", 10, 0, &err), &err);
    assert_int_equal(H_OK(srr_recv_into(p[1], buf, sizeof buf, 4, 0, &err), &err), 4);
    assert_memory_equal(buf, "0123............", 16);
    assert_int_equal(H_OK(srr_recv_into(p[1], buf, sizeof buf, 0, 0, &err), &err), 6);
    assert_memory_equal(buf, "456789..........", 16);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_recv_into_nbytes_over_buflen_is_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[8];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_send(p[0], "0123456789", 10, 0, &err), &err);
    H_FAILS(srr_recv_into(p[1], buf, sizeof buf, sizeof buf + 1, 0, &err), &err, SRR_ERR_VALUE,
            H_ANY_CODE);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_recv_into_null_buffer_is_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_send(p[0], "01234567", 8, 0, &err), &err);
    H_FAILS(srr_recv_into(p[1], NULL, 8, 0, 0, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_recvfrom_into_fills_buffer_and_sender(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *a, *b;
    int pa, pb;
    srr_addr to, from;
    char buf[16];
    memset(buf, '.', sizeof buf);
    udp_pair(w, &a, &pa, &b, &pb);
    h_addr_loopback(&to, AF_INET, pb);
    H_OK(srr_sendto(a, "datagram", 8, 0, &to, &err), &err);
    memset(&from, 0, sizeof from);
    assert_int_equal(H_OK(srr_recvfrom_into(b, buf, sizeof buf, 0, 0, &from, &err), &err), 8);
    assert_memory_equal(buf, "datagram........", 16);
    assert_string_equal(from.host, "127.0.0.1");
    assert_int_equal(from.port, pa);
    H_OK(srr_sendto(a, "datagram", 8, 0, &to, &err), &err);
    assert_int_equal(H_OK(srr_recvfrom_into(b, buf, sizeof buf, 3, 0, &from, &err), &err), 3);
    assert_memory_equal(buf, "dat", 3);
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_world_destroy(w);
}

static void test_recvfrom_into_bad_buffer_args_are_value_errors(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *a, *b;
    int pa, pb;
    srr_addr to, from;
    char buf[8];
    udp_pair(w, &a, &pa, &b, &pb);
    h_addr_loopback(&to, AF_INET, pb);
    H_OK(srr_sendto(a, "x", 1, 0, &to, &err), &err);
    H_FAILS(srr_recvfrom_into(b, buf, sizeof buf, sizeof buf + 1, 0, &from, &err), &err,
            SRR_ERR_VALUE, H_ANY_CODE);
    H_FAILS(srr_recvfrom_into(b, NULL, 8, 0, 0, &from, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------------------ send */

static void test_send_null_buffer_is_value_error(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_FAILS(srr_send(p[0], NULL, 5, 0, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    H_FAILS(srr_sendall(p[0], NULL, 5, 0, &err), &err, SRR_ERR_VALUE, H_ANY_CODE);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_sendall_4mib_arrives_intact(void **state)
{
    (void)state;
    const size_t size = 4u << 20;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *c, *s;
    unsigned char *data = malloc(size);
    assert_non_null(data);
    for (size_t i = 0; i < size; i++)
        data[i] = pattern_byte(i);
    h_tcp_pair(w, AF_INET, &c, &s);
    struct sink k = {.fd = srr_fileno(s)};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, sink_peer, &k), 0);
    int r = srr_sendall(c, data, size, 0, &err);
    srr_shutdown(c, SHUT_WR, NULL); /* let the sink see EOF whatever happened */
    pthread_join(t, NULL);
    free(data);
    if (r != 0)
        fail_msg("sendall returned %d: %s", r, h_err_text(&err));
    assert_int_equal(k.error, 0);
    assert_int_equal(k.total, size);
    assert_int_equal(k.bad_at, -1);
    srr_close(c, NULL);
    srr_close(s, NULL);
    srr_world_destroy(w);
}

/* --------------------------------------------------------- sendmsg/recvmsg */

static void test_sendmsg_gathers_buffers_into_one_message(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char b1[] = "gath", b2[] = "er", b3[] = "ed!";
    struct iovec iov[3] = {{b1, 4}, {b2, 2}, {b3, 3}};
    char buf[32] = {0};
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &err), &err);
    assert_int_equal(H_OK(srr_sendmsg(p[0], iov, 3, NULL, 0, 0, NULL, &err), &err), 9);
    /* One datagram: a single recv returns all three pieces. */
    assert_int_equal(H_OK(srr_recv(p[1], buf, sizeof buf, 0, &err), &err), 9);
    assert_string_equal(buf, "gathered!");
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_sendmsg_with_address_on_unconnected_udp(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *a, *b;
    int pa, pb;
    srr_addr to, from;
    char msg[] = "addressed", buf[32] = {0};
    struct iovec iov = {msg, 9};
    udp_pair(w, &a, &pa, &b, &pb);
    h_addr_loopback(&to, AF_INET, pb);
    assert_int_equal(H_OK(srr_sendmsg(a, &iov, 1, NULL, 0, 0, &to, &err), &err), 9);
    assert_int_equal(H_OK(srr_recvfrom(b, buf, sizeof buf, 0, &from, &err), &err), 9);
    assert_string_equal(buf, "addressed");
    assert_int_equal(from.port, pa);
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_world_destroy(w);
}

static void test_recvmsg_reports_msg_trunc_on_short_buffer(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *a, *b;
    int pa, pb;
    srr_addr to;
    srr_msginfo info;
    char buf[4];
    udp_pair(w, &a, &pa, &b, &pb);
    h_addr_loopback(&to, AF_INET, pb);
    H_OK(srr_sendto(a, "0123456789", 10, 0, &to, &err), &err);
    memset(&info, 0, sizeof info);
    assert_int_equal(H_OK(srr_recvmsg(b, buf, sizeof buf, NULL, 0, 0, &info, &err), &err), 4);
    assert_memory_equal(buf, "0123", 4);
    assert_int_equal(info.flags & MSG_TRUNC, MSG_TRUNC);
    assert_int_equal(info.anclen, 0);
    assert_int_equal(info.addr.family, AF_INET);
    assert_string_equal(info.addr.host, "127.0.0.1");
    assert_int_equal(info.addr.port, pa);
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_world_destroy(w);
}

/* The seed's recvmsg_into example, byte for byte. */
static void test_recvmsg_into_scatters_like_seed_example(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char b1[] = "----", b2[] = "0123456789", b3[] = "--------------";
    struct iovec iov[3] = {{b1, 4}, {b2 + 2, 7}, {b3, 14}}; /* memoryview(b2)[2:9] */
    srr_msginfo info;
    memset(&info, 0xa5, sizeof info);
    H_OK(srr_socketpair(w, 0, 0, 0, p, &err), &err);
    assert_int_equal(H_OK(srr_send(p[0], "Mary had a little lamb", 22, 0, &err), &err), 22);
    assert_int_equal(H_OK(srr_recvmsg_into(p[1], iov, 3, NULL, 0, 0, &info, &err), &err), 22);
    assert_int_equal(info.anclen, 0);              /* [] */
    assert_int_equal(info.flags, 0);               /* 0 */
    assert_int_equal(info.addr.family, AF_UNSPEC); /* None */
    assert_string_equal(b1, "Mary");
    assert_string_equal(b2, "01 had a 9");
    assert_string_equal(b3, "little lamb---");
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

/* ---------------------------------------------------------- ancillary data */

/* The seed's send_fds/recv_fds idiom: ancbufsize = CMSG_LEN(maxfds * sizeof(int)). */
static void test_fd_passing_with_scm_rights(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    int pfd[2];
    char msg[] = "F", buf[8] = {0};
    struct iovec iov = {msg, 1};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } anc;
    srr_msginfo info;
    srr_cmsg items[2];

    assert_int_equal(pipe(pfd), 0);
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    srr_cmsg rights = {SOL_SOCKET, SCM_RIGHTS, &pfd[0], sizeof(int)};
    assert_int_equal(H_OK(srr_sendmsg(p[0], &iov, 1, &rights, 1, 0, NULL, &err), &err), 1);
    close(pfd[0]); /* only the in-flight copy remains */

    memset(&info, 0, sizeof info);
    size_t ancbufsize = srr_cmsg_len(sizeof(int));
    assert_int_equal(ancbufsize, CMSG_LEN(sizeof(int)));
    assert_int_equal(H_OK(srr_recvmsg(p[1], buf, sizeof buf, anc.b, ancbufsize, 0, &info, &err),
                          &err), 1);
    assert_int_equal(buf[0], 'F');
    assert_int_equal(info.flags & MSG_CTRUNC, 0);
    assert_int_equal(info.anclen, ancbufsize);
    assert_int_equal(srr_cmsg_parse(anc.b, info.anclen, items, 2), 1);
    assert_int_equal(items[0].level, SOL_SOCKET);
    assert_int_equal(items[0].type, SCM_RIGHTS);
    assert_int_equal(items[0].len, sizeof(int));
    int rfd;
    memcpy(&rfd, items[0].data, sizeof rfd);
    assert_true(rfd >= 0);

    assert_int_equal(write(pfd[1], "ping", 4), 4);
    assert_int_equal(read(rfd, buf, 4), 4);
    assert_memory_equal(buf, "ping", 4);
    close(rfd);
    close(pfd[1]);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_cmsg_parse_on_received_rights_and_credentials(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    int pfd[2];
    char msg[] = "C", buf[8];
    struct iovec iov = {msg, 1};
    union {
        char b[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } anc;
    srr_msginfo info;
    srr_cmsg items[4];

    assert_int_equal(pipe(pfd), 0);
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_setsockopt_int(p[1], SOL_SOCKET, SO_PASSCRED, 1, &err), &err);
    srr_cmsg rights = {SOL_SOCKET, SCM_RIGHTS, &pfd[1], sizeof(int)};
    H_OK(srr_sendmsg(p[0], &iov, 1, &rights, 1, 0, NULL, &err), &err);
    H_OK(srr_recvmsg(p[1], buf, sizeof buf, anc.b, sizeof anc.b, 0, &info, &err), &err);
    assert_int_equal(info.flags & MSG_CTRUNC, 0);

    size_t n = srr_cmsg_parse(anc.b, info.anclen, items, 4);
    assert_int_equal(n, 2);
    int seen_rights = 0, seen_creds = 0, rfd = -1;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(items[i].level, SOL_SOCKET);
        if (items[i].type == SCM_RIGHTS) {
            seen_rights++;
            assert_int_equal(items[i].len, sizeof(int));
            memcpy(&rfd, items[i].data, sizeof rfd);
        } else if (items[i].type == SCM_CREDENTIALS) {
            struct ucred cr;
            seen_creds++;
            assert_int_equal(items[i].len, sizeof cr);
            memcpy(&cr, items[i].data, sizeof cr);
            assert_int_equal(cr.pid, getpid());
            assert_int_equal(cr.uid, getuid());
        }
    }
    assert_int_equal(seen_rights, 1);
    assert_int_equal(seen_creds, 1);
    assert_true(rfd >= 0);
    close(rfd);
    close(pfd[0]);
    close(pfd[1]);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

/* Two items laid out with libc's macros: (SOL_SOCKET, SCM_RIGHTS, 2 ints)
 * then (IPPROTO_IP, IP_TTL, 1 int). */
static size_t build_two_cmsgs(void *buf, size_t len, const struct cmsghdr *hdr[2])
{
    struct msghdr m = {.msg_control = buf, .msg_controllen = len};
    int fds[2] = {7, 9}, ttl = 64;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    hdr[0] = c;
    c = CMSG_NXTHDR(&m, c);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_TTL;
    c->cmsg_len = CMSG_LEN(sizeof ttl);
    memcpy(CMSG_DATA(c), &ttl, sizeof ttl);
    hdr[1] = c;
    return CMSG_SPACE(sizeof fds) + CMSG_SPACE(sizeof ttl);
}

static void test_cmsg_parse_reads_libc_built_buffer(void **state)
{
    (void)state;
    union {
        char b[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } anc;
    const struct cmsghdr *hdr[2];
    srr_cmsg items[3];
    memset(&anc, 0, sizeof anc);
    size_t len = build_two_cmsgs(anc.b, sizeof anc.b, hdr);
    assert_int_equal(srr_cmsg_parse(anc.b, len, items, 3), 2);
    assert_int_equal(items[0].level, SOL_SOCKET);
    assert_int_equal(items[0].type, SCM_RIGHTS);
    assert_int_equal(items[0].len, 2 * sizeof(int));
    assert_ptr_equal(items[0].data, CMSG_DATA(hdr[0]));
    assert_int_equal(items[1].level, IPPROTO_IP);
    assert_int_equal(items[1].type, IP_TTL);
    assert_int_equal(items[1].len, sizeof(int));
    assert_ptr_equal(items[1].data, CMSG_DATA(hdr[1]));
    int fds[2], ttl;
    memcpy(fds, items[0].data, sizeof fds);
    memcpy(&ttl, items[1].data, sizeof ttl);
    assert_int_equal(fds[0], 7);
    assert_int_equal(fds[1], 9);
    assert_int_equal(ttl, 64);
    assert_int_equal(srr_cmsg_parse(anc.b, 0, items, 3), 0);
}

/* The kernel leaves the last item unpadded when the buffer ends at its
 * CMSG_LEN (as in the seed's recv_fds example). */
static void test_cmsg_parse_accepts_unpadded_last_item(void **state)
{
    (void)state;
    union {
        char b[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } anc;
    const struct cmsghdr *hdr[2];
    srr_cmsg items[3];
    memset(&anc, 0, sizeof anc);
    size_t len = build_two_cmsgs(anc.b, sizeof anc.b, hdr);
    len -= CMSG_SPACE(sizeof(int)) - CMSG_LEN(sizeof(int));
    assert_int_equal(srr_cmsg_parse(anc.b, len, items, 3), 2);
    assert_int_equal(items[1].type, IP_TTL);
    assert_int_equal(items[1].len, sizeof(int));
    /* A header cut short is not an item. */
    assert_int_equal(srr_cmsg_parse(anc.b, CMSG_SPACE(2 * sizeof(int)) + sizeof(struct cmsghdr) - 1,
                                    items, 3), 1);
}

/* The seed: an item reaching past the end of the buffer gives the part that is
 * inside it, as long as its data starts inside. */
static void test_cmsg_parse_returns_inside_part_of_truncated_item(void **state)
{
    (void)state;
    union {
        char b[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } anc;
    const struct cmsghdr *hdr[2];
    srr_cmsg items[3];
    memset(&anc, 0, sizeof anc);
    build_two_cmsgs(anc.b, sizeof anc.b, hdr);
    size_t len = CMSG_SPACE(2 * sizeof(int)) + CMSG_LEN(sizeof(int)) - 2;
    assert_int_equal(srr_cmsg_parse(anc.b, len, items, 3), 2);
    assert_int_equal(items[1].type, IP_TTL);
    assert_int_equal(items[1].len, sizeof(int) - 2);
    assert_ptr_equal(items[1].data, CMSG_DATA(hdr[1]));
}

static void test_cmsg_parse_counts_items_beyond_max(void **state)
{
    (void)state;
    union {
        char b[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } anc;
    const struct cmsghdr *hdr[2];
    srr_cmsg items[2];
    memset(&anc, 0, sizeof anc);
    memset(items, 0, sizeof items);
    items[1].level = 4242;
    size_t len = build_two_cmsgs(anc.b, sizeof anc.b, hdr);
    assert_int_equal(srr_cmsg_parse(anc.b, len, items, 1), 2);
    assert_int_equal(items[0].type, SCM_RIGHTS);
    assert_int_equal(items[1].level, 4242); /* untouched */
    assert_int_equal(srr_cmsg_parse(anc.b, len, NULL, 0), 2);
}

static void test_cmsg_len_and_space_match_libc(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 3, 4, 7, 8, 12, 16, 100, 4096, 65536};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        assert_int_equal(srr_cmsg_len(lens[i]), CMSG_LEN(lens[i]));
        assert_int_equal(srr_cmsg_space(lens[i]), CMSG_SPACE(lens[i]));
    }
}

static void test_cmsg_len_and_space_overflow_give_zero(void **state)
{
    (void)state;
    assert_int_equal(srr_cmsg_len(SIZE_MAX), 0);
    assert_int_equal(srr_cmsg_space(SIZE_MAX), 0);
    assert_int_equal(srr_cmsg_len(SIZE_MAX - CMSG_LEN(0) + 1), 0);
    assert_int_equal(srr_cmsg_space(SIZE_MAX - 2), 0);
}

/* ------------------------------------------------------------- MSG_PEEK */

static void test_msg_peek_leaves_data_queued(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[16] = {0};
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_send(p[0], "peekaboo", 8, 0, &err), &err);
    assert_int_equal(H_OK(srr_recv(p[1], buf, 4, MSG_PEEK, &err), &err), 4);
    assert_memory_equal(buf, "peek", 4);
    assert_int_equal(H_OK(srr_recv(p[1], buf, sizeof buf, 0, &err), &err), 8);
    assert_memory_equal(buf, "peekaboo", 8);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

/* ------------------------------------------------------------- makefile */

static void test_makefile_r_fgets_reads_peer_lines(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char line[64];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    FILE *f = H_PTR(srr_makefile(p[1], "r", &err), &err);
    H_OK(srr_sendall(p[0], "first line\nsecond\n", 18, 0, &err), &err);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "first line\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "second\n");
    assert_int_equal(fclose(f), 0);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_makefile_w_fprintf_fflush_reaches_peer(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char buf[16] = {0};
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    FILE *f = H_PTR(srr_makefile(p[0], "w", &err), &err);
    assert_int_equal(fprintf(f, "value=%d\n", 42), 9);
    assert_int_equal(fflush(f), 0);
    h_recv_exact(p[1], buf, 9);
    assert_string_equal(buf, "value=42\n");
    assert_int_equal(fclose(f), 0);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_makefile_keeps_socket_open_until_fclose(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char line[16], b;
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    FILE *f = H_PTR(srr_makefile(p[0], "r", &err), &err);
    H_OK(srr_close(p[0], &err), &err);

    /* The stream still reads, and the peer sees no EOF yet. */
    H_OK(srr_sendall(p[1], "still\n", 6, 0, &err), &err);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "still\n");
    H_OK(srr_setblocking(p[1], 0, &err), &err);
    H_FAILS(srr_recv(p[1], &b, 1, 0, &err), &err, SRR_ERR_OS, EAGAIN);

    assert_int_equal(fclose(f), 0);
    H_OK(srr_setblocking(p[1], 1, &err), &err);
    assert_int_equal(H_OK(srr_recv(p[1], &b, 1, 0, &err), &err), 0);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

static void test_makefile_read_timeout_sets_ferror_and_etimedout(void **state)
{
    (void)state;
    srr_world *w = srr_world_kernel();
    srr_error err = {0};
    srr_socket *p[2];
    char line[16];
    H_OK(srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    H_OK(srr_settimeout(p[0], 0.2, &err), &err);
    FILE *f = H_PTR(srr_makefile(p[0], "r", &err), &err);
    double t0 = h_now();
    errno = 0;
    char *r = fgets(line, sizeof line, f);
    int e = errno;
    double dt = h_now() - t0;
    assert_null(r);
    assert_true(ferror(f));
    assert_false(feof(f));
    assert_int_equal(e, ETIMEDOUT);
    if (dt < 0.15 || dt > 5.0)
        fail_msg("fgets took %.3f s, expected about 0.2 s", dt);
    fclose(f);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_v4_echo_roundtrip),
        cmocka_unit_test(test_tcp_v6_echo_roundtrip),
        cmocka_unit_test(test_udp_sendto_recvfrom_keeps_boundaries_and_sender),
        cmocka_unit_test(test_udp_short_recv_discards_rest_of_datagram),
        cmocka_unit_test(test_recv_into_nbytes_zero_uses_whole_buffer),
        cmocka_unit_test(test_recv_into_stops_at_nbytes),
        cmocka_unit_test(test_recv_into_nbytes_over_buflen_is_value_error),
        cmocka_unit_test(test_recv_into_null_buffer_is_value_error),
        cmocka_unit_test(test_recvfrom_into_fills_buffer_and_sender),
        cmocka_unit_test(test_recvfrom_into_bad_buffer_args_are_value_errors),
        cmocka_unit_test(test_send_null_buffer_is_value_error),
        cmocka_unit_test(test_sendall_4mib_arrives_intact),
        cmocka_unit_test(test_sendmsg_gathers_buffers_into_one_message),
        cmocka_unit_test(test_sendmsg_with_address_on_unconnected_udp),
        cmocka_unit_test(test_recvmsg_reports_msg_trunc_on_short_buffer),
        cmocka_unit_test(test_recvmsg_into_scatters_like_seed_example),
        cmocka_unit_test(test_fd_passing_with_scm_rights),
        cmocka_unit_test(test_cmsg_parse_on_received_rights_and_credentials),
        cmocka_unit_test(test_cmsg_parse_reads_libc_built_buffer),
        cmocka_unit_test(test_cmsg_parse_accepts_unpadded_last_item),
        cmocka_unit_test(test_cmsg_parse_returns_inside_part_of_truncated_item),
        cmocka_unit_test(test_cmsg_parse_counts_items_beyond_max),
        cmocka_unit_test(test_cmsg_len_and_space_match_libc),
        cmocka_unit_test(test_cmsg_len_and_space_overflow_give_zero),
        cmocka_unit_test(test_msg_peek_leaves_data_queued),
        cmocka_unit_test(test_makefile_r_fgets_reads_peer_lines),
        cmocka_unit_test(test_makefile_w_fprintf_fflush_reaches_peer),
        cmocka_unit_test(test_makefile_keeps_socket_open_until_fclose),
        cmocka_unit_test(test_makefile_read_timeout_sets_ferror_and_etimedout),
    };
    return cmocka_run_group_tests_name("test_io", tests, NULL, NULL);
}
