/*
 * test_differential.c — one set of behaviours run against the kernel world
 * (on loopback) and the sim world: each behaviour writes what it saw into a
 * string, and both worlds must write the same one, which must also be what
 * Linux is known to do (so two equal wrong answers still fail).
 */
#define _GNU_SOURCE /* struct in6_pktinfo */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sockrr.h"

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000 /* <poll.h> has it only for _GNU_SOURCE */
#endif

typedef void (*behaviour)(srr_world *w, char *out, size_t len);

/* "ok" or the error's errno name, for a call's result. */
static const char *res(int r, const srr_error *e)
{
    static char buf[4][64];
    static int i;
    char *b = buf[i++ % 4];
    if (r >= 0)
        return "ok";
    const char *n = e->kind == SRR_ERR_OS ? srr_errno_name(e->code) : NULL;
    snprintf(b, 64, "%s", n ? n : srr_error_kind_name(e->kind));
    return b;
}

/* A listener on 127.0.0.1 (or ::1), port chosen by the world. */
static srr_socket *listener(srr_world *w, int family, int type, int *port)
{
    srr_error e;
    srr_addr a;
    srr_socket *l = srr_socket_new(w, family, type, 0, &e);
    if (!l)
        return NULL;
    if (family == AF_INET6)
        srr_addr_inet6(&a, "::1", 0, 0, 0);
    else
        srr_addr_inet(&a, "127.0.0.1", 0);
    if (srr_bind(l, &a, &e) < 0 || (type == SOCK_STREAM && srr_listen(l, 8, &e) < 0) ||
        srr_getsockname(l, &a, &e) < 0) {
        srr_close(l, NULL);
        return NULL;
    }
    *port = a.port;
    return l;
}

static void conn_pair(srr_world *w, int family, srr_socket **l, srr_socket **c, srr_socket **s)
{
    srr_error e;
    srr_addr a;
    int port = 0;
    *l = listener(w, family, SOCK_STREAM, &port);
    *c = srr_socket_new(w, family, SOCK_STREAM, 0, &e);
    if (family == AF_INET6)
        srr_addr_inet6(&a, "::1", port, 0, 0);
    else
        srr_addr_inet(&a, "127.0.0.1", port);
    *s = NULL;
    if (*l && *c && srr_connect(*c, &a, &e) == 0)
        srr_accept(*l, s, NULL, &e);
}

static void close3(srr_socket *a, srr_socket *b, srr_socket *c)
{
    srr_close(a, NULL);
    srr_close(b, NULL);
    srr_close(c, NULL);
}

static void b_connect_refused(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *t = listener(w, AF_INET, SOCK_DGRAM, &port); /* a port nobody listens on (TCP) */
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    int r = srr_connect(c, &a, &e);
    snprintf(out, len, "connect=%s", res(r, &e));
    srr_close(c, NULL);
    srr_close(t, NULL);
}

static void b_nonblocking_connect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port), *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_setblocking(c, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    int r = srr_connect_ex(c, &a, &e);
    struct pollfd p = {.fd = srr_fileno(c), .events = POLLOUT};
    int pr = srr_socket_world(c)->ops->poll(srr_socket_world(c), &p, 1, 1000000000LL);
    int so = -1;
    srr_getsockopt_int(c, SOL_SOCKET, SO_ERROR, &so, &e);
    snprintf(out, len, "connect_ex=%s poll=%d writable=%d so_error=%d", r ? srr_errno_name(r) : "0", pr,
             !!(p.revents & POLLOUT), so);
    srr_close(c, NULL);
    srr_close(l, NULL);
}

static void b_addrinuse(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port), *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    int r1 = srr_bind(t, &a, &e);
    const char *first = res(r1, &e);
    srr_setsockopt_int(t, SOL_SOCKET, SO_REUSEADDR, 1, &e);
    int r2 = srr_bind(t, &a, &e); /* the listener has no SO_REUSEADDR */
    snprintf(out, len, "bind=%s reuse_bind=%s", first, res(r2, &e));
    srr_close(t, NULL);
    srr_close(l, NULL);
}

static void b_send_100000(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    static char big[100000], got[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7);
    int r = srr_sendall(c, big, sizeof big, 0, &e);
    ssize_t n = srr_recv(s, got, sizeof got, MSG_WAITALL, &e);
    snprintf(out, len, "sendall=%s recv=%zd same=%d", res(r, &e), n, memcmp(big, got, sizeof got) == 0);
    close3(c, s, l);
}

static void b_udp_unbound_port(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *t = listener(w, AF_INET, SOCK_DGRAM, &port);
    srr_close(t, NULL); /* now nothing is bound there */
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_connect(u, &a, &e);
    ssize_t r1 = srr_send(u, "a", 1, 0, &e);
    const char *first = res((int)r1, &e);
    ssize_t r2 = srr_send(u, "a", 1, 0, &e);
    snprintf(out, len, "send1=%s send2=%s", first, res((int)r2, &e));
    srr_close(u, NULL);
}

static void b_so_protocol(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e), *u = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    int a = -1, b = -1, ty = -1, d = -1;
    srr_getsockopt_int(t, SOL_SOCKET, SO_PROTOCOL, &a, &e);
    srr_getsockopt_int(u, SOL_SOCKET, SO_PROTOCOL, &b, &e);
    srr_getsockopt_int(u, SOL_SOCKET, SO_TYPE, &ty, &e);
    srr_getsockopt_int(u, SOL_SOCKET, SO_DOMAIN, &d, &e);
    snprintf(out, len, "tcp=%d udp=%d type=%d domain=%d", a, b, ty, d);
    srr_close(t, NULL);
    srr_close(u, NULL);
}

static void b_ipv6_echo(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET6, &l, &c, &s);
    char b[8] = "";
    ssize_t n = -1;
    if (s && srr_sendall(c, "six", 3, 0, &e) == 0)
        n = srr_recv(s, b, sizeof b, 0, &e);
    srr_addr peer;
    srr_getpeername(c, &peer, &e);
    snprintf(out, len, "recv=%zd data=%.3s peer=%s", n, b, peer.host);
    close3(c, s, l);
}

static void b_half_close(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_sendall(c, "req", 3, 0, &e);
    srr_shutdown(c, SHUT_WR, &e);
    char b[8];
    ssize_t n1 = srr_recv(s, b, sizeof b, 0, &e), n2 = srr_recv(s, b, sizeof b, 0, &e);
    int back = srr_sendall(s, "resp", 4, 0, &e);
    ssize_t n3 = srr_recv(c, b, sizeof b, 0, &e);
    ssize_t wr = srr_send(c, "x", 1, 0, &e);
    snprintf(out, len, "recv=%zd eof=%zd back=%s reply=%zd send_after_shut=%s", n1, n2, res(back, &e), n3,
             res((int)wr, &e));
    close3(c, s, l);
}

static void b_msg_peek(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_sendall(c, "peekaboo", 8, 0, &e);
    char a[4], b[8];
    /* wait for the bytes, so the peek sees them all */
    srr_recv(s, b, 8, MSG_PEEK | MSG_WAITALL, &e);
    ssize_t p = srr_recv(s, a, 4, MSG_PEEK, &e), r = srr_recv(s, b, 8, 0, &e);
    snprintf(out, len, "peek=%zd %.4s read=%zd %.8s", p, a, r, b);
    close3(c, s, l);
}

static void b_rcvtimeo(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    struct timeval tv = {0, 100000}; /* whole jiffies at HZ 100, 250 and 1000: Linux rounds up */
    srr_setsockopt_buf(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv, &e);
    struct timeval back;
    ssize_t bl = srr_getsockopt_buf(c, SOL_SOCKET, SO_RCVTIMEO, &back, sizeof back, &e);
    char b[4];
    ssize_t r = srr_recv(c, b, sizeof b, 0, &e);
    snprintf(out, len, "len=%zd usec=%ld recv=%s", bl, (long)back.tv_usec, res((int)r, &e));
    close3(c, s, l);
}

static void b_unix_abstract(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-%d", (int)getpid());
    srr_addr a, got;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e), *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e), *s = NULL;
    int rb = srr_bind(l, &a, &e);
    srr_listen(l, 1, &e);
    int rc = srr_connect(c, &a, &e);
    srr_accept(l, &s, NULL, &e);
    srr_getsockname(l, &got, &e);
    char b[4] = "";
    if (s) {
        srr_sendall(c, "abs", 3, 0, &e);
        srr_recv(s, b, 3, MSG_WAITALL, &e);
    }
    snprintf(out, len, "bind=%s connect=%s abstract=%d same=%d data=%.3s", res(rb, &e), res(rc, &e),
             got.pathlen > 0 && got.path[0] == '\0', got.pathlen == a.pathlen, b);
    close3(c, s, l);
}

static void b_dgram_pair_boundaries(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
    srr_send(p[0], "12", 2, 0, &e);
    srr_send(p[0], "345", 3, 0, &e);
    char b[8];
    srr_msginfo info;
    ssize_t r1 = srr_recvmsg(p[1], b, 1, NULL, 0, 0, &info, &e);
    int trunc = !!(info.flags & MSG_TRUNC);
    ssize_t r2 = srr_recv(p[1], b, sizeof b, 0, &e);
    snprintf(out, len, "first=%zd trunc=%d second=%zd", r1, trunc, r2);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_errors_of_state(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char b[4];
    srr_addr peer;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e), *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    int r1 = (int)srr_recv(t, b, sizeof b, 0, &e);
    const char *recv_unconn = res(r1, &e);
    int r2 = srr_listen(u, 1, &e);
    const char *listen_udp = res(r2, &e);
    int r3 = srr_getpeername(t, &peer, &e);
    snprintf(out, len, "recv_unconnected=%s listen_udp=%s getpeername=%s", recv_unconn, listen_udp, res(r3, &e));
    srr_close(t, NULL);
    srr_close(u, NULL);
}

static void b_epipe_unix(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_close(p[1], NULL);
    int r = srr_sendall(p[0], "x", 1, 0, &e);
    char b[2];
    ssize_t n = srr_recv(p[0], b, 2, 0, &e);
    snprintf(out, len, "send=%s recv=%zd", res(r, &e), n);
    srr_close(p[0], NULL);
}

static void b_rcvbuf_doubles(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int v = 0;
    srr_setsockopt_int(t, SOL_SOCKET, SO_RCVBUF, 32768, &e);
    srr_getsockopt_int(t, SOL_SOCKET, SO_RCVBUF, &v, &e);
    snprintf(out, len, "rcvbuf=%d", v);
    srr_close(t, NULL);
}

static void b_accept_nonblocking_and_isconn(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port), *s = NULL;
    srr_setblocking(l, 0, &e);
    int r1 = srr_accept(l, &s, NULL, &e);
    const char *first = res(r1, &e);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_connect(c, &a, &e);
    int r2 = srr_connect(c, &a, &e);
    snprintf(out, len, "accept=%s connect_again=%s", first, res(r2, &e));
    srr_close(c, NULL);
    srr_close(l, NULL);
}

/* A client bound to the any address gets its reply (the server saw a real
 * source address, not 0.0.0.0). */
static void b_udp_wildcard_client_reply(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *srv = listener(w, AF_INET, SOCK_DGRAM, &port), *c = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_addr any, to, from;
    srr_addr_inet(&any, "", 0);
    srr_addr_inet(&to, "127.0.0.1", port);
    srr_bind(c, &any, &e);
    srr_sendto(c, "ping", 4, 0, &to, &e);
    char b[8];
    srr_recvfrom(srv, b, sizeof b, 0, &from, &e);
    srr_sendto(srv, "pong", 4, 0, &from, &e);
    srr_settimeout(c, 1.0, &e);
    ssize_t n = srr_recv(c, b, sizeof b, 0, &e);
    snprintf(out, len, "from=%s reply=%zd", from.host, n);
    srr_close(c, NULL);
    srr_close(srv, NULL);
}

static void b_listener_and_unconnected_calls(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port), *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    int r1 = srr_connect(l, &a, &e);
    const char *connect_listener = res(r1, &e);
    int r2 = (int)srr_send(t, "x", 1, MSG_NOSIGNAL, &e);
    const char *send_unconnected = res(r2, &e);
    int r3 = srr_shutdown(l, SHUT_RDWR, &e);
    snprintf(out, len, "connect_listener=%s send_unconnected=%s shutdown_listener=%s", connect_listener,
             send_unconnected, res(r3, &e));
    srr_close(t, NULL);
    srr_close(l, NULL);
}

static void b_seqpacket_records(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_SEQPACKET, 0, p, &e);
    srr_send(p[0], "ab", 2, 0, &e);
    srr_send(p[0], "cdef", 4, 0, &e);
    srr_send(p[0], "", 0, 0, &e);
    char b[8];
    srr_msginfo info;
    ssize_t r1 = srr_recv(p[1], b, sizeof b, 0, &e);
    ssize_t r2 = srr_recvmsg(p[1], b, 3, NULL, 0, 0, &info, &e);
    int trunc = !!(info.flags & MSG_TRUNC);
    srr_setblocking(p[1], 0, &e);
    ssize_t r3 = srr_recv(p[1], b, sizeof b, 0, &e);
    ssize_t r4 = srr_recv(p[1], b, sizeof b, 0, &e);
    snprintf(out, len, "first=%zd second=%zd trunc=%d empty=%zd then=%s", r1, r2, trunc, r3, res((int)r4, &e));
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

/* listen(0) queues one connection; the next SYNs are dropped: a non-blocking
 * connect stays in progress. */
static void b_backlog_overflow(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_addr a;
    srr_socket *l = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e), *c[3];
    srr_addr_inet(&a, "127.0.0.1", 0);
    srr_bind(l, &a, &e);
    srr_listen(l, 0, &e);
    srr_getsockname(l, &a, &e);
    char r[3][16];
    for (int i = 0; i < 3; i++) {
        c[i] = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
        srr_setblocking(c[i], 0, &e);
        int x = srr_connect_ex(c[i], &a, &e);
        struct pollfd p = {.fd = srr_fileno(c[i]), .events = POLLOUT};
        int n = w->ops->poll(w, &p, 1, 100000000LL);
        snprintf(r[i], sizeof r[i], "%s/%d", x ? srr_errno_name(x) : "0", n);
    }
    snprintf(out, len, "c0=%s c1=%s c2=%s", r[0], r[1], r[2]);
    for (int i = 0; i < 3; i++)
        srr_close(c[i], NULL);
    srr_close(l, NULL);
}

static void b_after_a_reset(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    struct linger lg = {1, 0};
    srr_setsockopt_buf(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg, &e);
    srr_close(c, NULL); /* RST */
    char b[4];
    srr_settimeout(s, 1.0, &e);
    int r1 = (int)srr_recv(s, b, sizeof b, 0, &e);
    const char *recv = res(r1, &e);
    srr_addr peer;
    int r2 = srr_getpeername(s, &peer, &e);
    const char *name = res(r2, &e);
    int r3 = srr_shutdown(s, SHUT_RDWR, &e);
    const char *shut = res(r3, &e);
    struct timeval neg = {-1, 0};
    srr_setsockopt_buf(s, SOL_SOCKET, SO_RCVTIMEO, &neg, sizeof neg, &e);
    int fionread = -1;
    int r4 = w->ops->ioctl(w, srr_fileno(l), FIONREAD, &fionread);
    snprintf(out, len, "recv=%s getpeername=%s shutdown=%s listener_fionread=%s", recv, name, shut,
             r4 == 0 ? "ok" : srr_errno_name(-r4));
    srr_close(s, NULL);
    srr_close(l, NULL);
}

static void b_negative_rcvtimeo(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    struct timeval neg = {-1, 0}, back;
    srr_setsockopt_buf(c, SOL_SOCKET, SO_RCVTIMEO, &neg, sizeof neg, &e);
    srr_getsockopt_buf(c, SOL_SOCKET, SO_RCVTIMEO, &back, sizeof back, &e);
    char b[4];
    int r = (int)srr_recv(c, b, sizeof b, 0, &e); /* fails at once, no deadlock */
    snprintf(out, len, "reads_back=%ld.%06ld recv=%s", (long)back.tv_sec, (long)back.tv_usec, res(r, &e));
    close3(c, s, l);
}

/* A record socket whose write side is shut answers EPIPE. */
static void b_seqpacket_after_shutdown(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_SEQPACKET, 0, p, &e);
    srr_shutdown(p[0], SHUT_WR, &e);
    int r = (int)srr_send(p[0], "x", 1, 0, &e);
    snprintf(out, len, "send=%s", res(r, &e));
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

/* IPv4 UDP carries at most 65507 bytes (65535 less the IP and UDP headers). */
static void b_udp_size_limit(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_addr a;
    srr_socket *s = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e), *r = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_addr_inet(&a, "127.0.0.1", 0);
    srr_bind(r, &a, &e);
    srr_getsockname(r, &a, &e);
    static char buf[65508];
    int max = (int)srr_sendto(s, buf, 65507, 0, &a, &e);
    const char *m = res(max, &e);
    int over = (int)srr_sendto(s, buf, 65508, 0, &a, &e);
    snprintf(out, len, "max=%s over=%s", m, res(over, &e));
    srr_close(s, NULL);
    srr_close(r, NULL);
}

/* A send on a stream socket never connected: AF_UNIX answers ENOTCONN
 * (unix_stream_sendmsg), where TCP answers EPIPE. */
static void b_unix_send_unconnected(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    int r = (int)srr_send(s, "x", 1, 0, &e);
    snprintf(out, len, "send=%s", res(r, &e));
    srr_close(s, NULL);
}

/* A stream socket never connected polls writable and hung up. */
/* An int option set: "ok" or the errno's name. */
static const char *seti(srr_socket *t, int level, int name, int v)
{
    srr_error e;
    return res(srr_setsockopt_int(t, level, name, v, &e), &e);
}

static int geti(srr_socket *t, int level, int name)
{
    srr_error e;
    int v = -1;
    if (srr_getsockopt_int(t, level, name, &v, &e) < 0)
        return -e.code;
    return v;
}

static void b_tcp_keepalive(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int idle = geti(t, IPPROTO_TCP, TCP_KEEPIDLE), intvl = geti(t, IPPROTO_TCP, TCP_KEEPINTVL);
    int cnt = geti(t, IPPROTO_TCP, TCP_KEEPCNT);
    char bad[4][16];
    snprintf(bad[0], 16, "%s", seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 0));
    snprintf(bad[1], 16, "%s", seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 32768));
    snprintf(bad[2], 16, "%s", seti(t, IPPROTO_TCP, TCP_KEEPINTVL, 0));
    snprintf(bad[3], 16, "%s", seti(t, IPPROTO_TCP, TCP_KEEPCNT, 128));
    seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 60);
    seti(t, IPPROTO_TCP, TCP_KEEPINTVL, 10);
    seti(t, IPPROTO_TCP, TCP_KEEPCNT, 5);
    snprintf(out, len, "idle=%d intvl=%d cnt=%d idle0=%s idle32768=%s intvl0=%s cnt128=%s back=%d/%d/%d",
             idle, intvl, cnt, bad[0], bad[1], bad[2], bad[3], geti(t, IPPROTO_TCP, TCP_KEEPIDLE),
             geti(t, IPPROTO_TCP, TCP_KEEPINTVL), geti(t, IPPROTO_TCP, TCP_KEEPCNT));
    srr_close(t, NULL);
}

static void b_tcp_small_options(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int ut = geti(t, IPPROTO_TCP, TCP_USER_TIMEOUT);
    char neg[16];
    snprintf(neg, sizeof neg, "%s", seti(t, IPPROTO_TCP, TCP_USER_TIMEOUT, -1));
    seti(t, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000);
    int cork = geti(t, IPPROTO_TCP, TCP_CORK), qa = geti(t, IPPROTO_TCP, TCP_QUICKACK);
    seti(t, IPPROTO_TCP, TCP_CORK, 5);
    seti(t, IPPROTO_TCP, TCP_QUICKACK, 0);
    int d[3];
    static const int asked[3] = {5, 100000, -3};
    for (int i = 0; i < 3; i++) {
        seti(t, IPPROTO_TCP, TCP_DEFER_ACCEPT, asked[i]);
        d[i] = geti(t, IPPROTO_TCP, TCP_DEFER_ACCEPT);
    }
    int mss = geti(t, IPPROTO_TCP, TCP_MAXSEG);
    char m50[16], m1000[16];
    snprintf(m50, sizeof m50, "%s", seti(t, IPPROTO_TCP, TCP_MAXSEG, 50));
    snprintf(m1000, sizeof m1000, "%s", seti(t, IPPROTO_TCP, TCP_MAXSEG, 1000));
    snprintf(out, len,
             "ut=%d ut_neg=%s ut=%d cork=%d/%d quickack=%d/%d defer=%d/%d/%d mss=%d mss50=%s "
             "mss1000=%s/%d",
             ut, neg, geti(t, IPPROTO_TCP, TCP_USER_TIMEOUT), cork, geti(t, IPPROTO_TCP, TCP_CORK),
             qa, geti(t, IPPROTO_TCP, TCP_QUICKACK), d[0], d[1], d[2], mss, m50, m1000,
             geti(t, IPPROTO_TCP, TCP_MAXSEG));
    srr_close(t, NULL);
}

static void b_tcp_level_elsewhere(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    int ug = geti(u, IPPROTO_TCP, TCP_KEEPIDLE), xg = geti(x, IPPROTO_TCP, TCP_NODELAY);
    char us[16];
    snprintf(us, sizeof us, "%s", seti(u, IPPROTO_TCP, TCP_KEEPIDLE, 1));
    snprintf(out, len, "udp_get=%s udp_set=%s unix_get=%s unix_set=%s", srr_errno_name(-ug), us,
             srr_errno_name(-xg), seti(x, IPPROTO_TCP, TCP_NODELAY, 1));
    srr_close(u, NULL);
    srr_close(x, NULL);
}

/* TCP_INFO's state: glibc's struct tcp_info starts with it */
static int info_state(srr_socket *t, int *got)
{
    struct tcp_info ti;
    srr_error e;
    memset(&ti, 0, sizeof ti);
    ssize_t n = srr_getsockopt_buf(t, IPPROTO_TCP, TCP_INFO, &ti, sizeof ti, &e);
    *got = (int)n;
    return n < 0 ? -1 : ti.tcpi_state;
}

static void b_tcp_info_states(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int n0, n1, n2;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e), *l, *c, *s;
    int fresh = info_state(t, &n0);
    conn_pair(w, AF_INET, &l, &c, &s);
    int lst = info_state(l, &n1), est = info_state(c, &n2);
    srr_shutdown(c, SHUT_WR, &e);
    char b[4];
    ssize_t eof = srr_recv(s, b, sizeof b, 0, &e); /* the FIN is in: the server is in CLOSE_WAIT */
    int cw = info_state(s, &n1), fw2 = info_state(c, &n1);
    /* the shutting end is in FIN_WAIT1 until the peer's (maybe delayed) ACK, then FIN_WAIT2 */
    snprintf(out, len, "len=%d new=%d listen=%d established=%d eof=%zd close_wait=%d fin_wait=%d",
             n0, fresh, lst, est, eof, cw, fw2 == 4 || fw2 == 5);
    srr_close(t, NULL);
    close3(l, c, s);
}

static void b_send_buffer_grows(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    int port = 0;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int before = geti(u, SOL_SOCKET, SO_SNDBUF);
    srr_close(u, NULL);
    conn_pair(w, AF_INET, &l, &c, &s);
    int cb = geti(c, SOL_SOCKET, SO_SNDBUF), sb = geti(s, SOL_SOCKET, SO_SNDBUF);
    int lb = geti(l, SOL_SOCKET, SO_SNDBUF);
    close3(l, c, s);
    /* a size the program set stays */
    l = listener(w, AF_INET, SOCK_STREAM, &port);
    c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_setsockopt_int(c, SOL_SOCKET, SO_SNDBUF, 65536, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_connect(c, &a, &e);
    int locked = geti(c, SOL_SOCKET, SO_SNDBUF);
    /* as root (CAP_NET_ADMIN) the force options pass the *mem_max cap */
    const char *force = seti(c, SOL_SOCKET, SO_SNDBUFFORCE, 1000000);
    snprintf(out, len, "before=%d client=%d server=%d listener=%d locked=%d force=%s/%d", before, cb,
             sb, lb, locked, force, geti(c, SOL_SOCKET, SO_SNDBUF));
    srr_close(c, NULL);
    srr_close(l, NULL);
}

/* A single-threaded program writes before it reads: Linux takes megabytes */
static void b_write_before_read(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_setblocking(c, 0, &e);
    static char chunk[65536];
    size_t total = 0;
    ssize_t n = 0;
    while (total < (8u << 20) && (n = srr_send(c, chunk, sizeof chunk, 0, &e)) > 0)
        total += (size_t)n;
    snprintf(out, len, "took_300k=%d stopped=%s within_3_to_5_mb=%d", total >= 300000,
             n < 0 ? res(-1, &e) : "no", total >= (3u << 20) && total <= (5u << 20));
    close3(l, c, s);
}

/* A socket of family bound to host:0 (listening when a stream), its port
 * in *port; v6only set first when >= 0. */
static srr_socket *bound_at(srr_world *w, int family, int type, const char *host, int v6only,
                            int *port)
{
    srr_error e;
    srr_addr a;
    srr_socket *t = srr_socket_new(w, family, type, 0, &e);
    if (!t)
        return NULL;
    if (v6only >= 0)
        srr_setsockopt_int(t, IPPROTO_IPV6, IPV6_V6ONLY, v6only, &e);
    if (family == AF_INET6)
        srr_addr_inet6(&a, host, 0, 0, 0);
    else
        srr_addr_inet(&a, host, 0);
    if (srr_bind(t, &a, &e) < 0 || (type == SOCK_STREAM && srr_listen(t, 8, &e) < 0) ||
        srr_getsockname(t, &a, &e) < 0) {
        srr_close(t, NULL);
        return NULL;
    }
    *port = a.port;
    return t;
}

/* bind(2) of a new socket of family at host:port: "ok" or the errno */
static const char *bind_again(srr_world *w, int family, const char *host, int port)
{
    srr_error e;
    srr_addr a;
    srr_socket *t = srr_socket_new(w, family, SOCK_STREAM, 0, &e);
    if (family == AF_INET6)
        srr_addr_inet6(&a, host, port, 0, 0);
    else
        srr_addr_inet(&a, host, port);
    const char *r = res(srr_bind(t, &a, &e), &e);
    srr_close(t, NULL);
    return r;
}

static void b_dual_stack_listener(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = bound_at(w, AF_INET6, SOCK_STREAM, "::", -1, &port), *s = NULL;
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a, sp = {0}, sl = {0}, cp = {0};
    srr_addr_inet(&a, "127.0.0.1", port);
    int r = srr_connect(c, &a, &e);
    const char *conn = res(r, &e);
    if (r == 0 && srr_accept(l, &s, &sp, &e) == 0)
        srr_getsockname(s, &sl, &e);
    srr_getpeername(c, &cp, &e);
    snprintf(out, len, "connect=%s accepted_peer=%s accepted_local=%s client_peer=%s v4_bind=%s",
             conn, sp.host, sl.host, cp.host, bind_again(w, AF_INET, "0.0.0.0", port));
    close3(l, c, s);
}

static void b_v6only_listener(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    /* a port IPv4 has free (an IPv6-only wildcard's own pick may be one an
     * earlier connection on 127.0.0.1 still holds in TIME_WAIT) */
    srr_socket *probe = bound_at(w, AF_INET, SOCK_STREAM, "127.0.0.1", -1, &port);
    srr_close(probe, NULL);
    srr_socket *l = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_setsockopt_int(l, IPPROTO_IPV6, IPV6_V6ONLY, 1, &e);
    srr_addr a;
    srr_addr_inet6(&a, "::", port, 0, 0);
    srr_bind(l, &a, &e);
    srr_listen(l, 8, &e);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr_inet(&a, "127.0.0.1", port);
    int r = srr_connect(c, &a, &e);
    snprintf(out, len, "v6only=%d connect=%s v4_bind=%s", geti(l, IPPROTO_IPV6, IPV6_V6ONLY),
             res(r, &e), bind_again(w, AF_INET, "127.0.0.1", port));
    srr_close(c, NULL);
    srr_close(l, NULL);
}

static void b_v4_mapped_connect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = bound_at(w, AF_INET, SOCK_STREAM, "127.0.0.1", -1, &port), *s = NULL;
    srr_socket *c = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_addr a, sp = {0}, cl = {0};
    srr_addr_inet6(&a, "::ffff:127.0.0.1", port, 0, 0);
    int r = srr_connect(c, &a, &e);
    const char *conn = res(r, &e);
    if (r == 0)
        srr_accept(l, &s, &sp, &e);
    srr_getsockname(c, &cl, &e);
    snprintf(out, len, "connect=%s server_sees=%s client_local=%s", conn, sp.host, cl.host);
    close3(l, c, s);
}

static void b_dual_stack_udp(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *u6 = bound_at(w, AF_INET6, SOCK_DGRAM, "::", -1, &port);
    srr_socket *u4 = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_addr a, from = {0}, back = {0};
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_sendto(u4, "v4", 2, 0, &a, &e);
    char b[8] = "";
    srr_settimeout(u6, 1.0, &e);
    srr_settimeout(u4, 1.0, &e);
    if (srr_recvfrom(u6, b, sizeof b, 0, &from, &e) == 2)
        srr_sendto(u6, "back", 4, 0, &from, &e);
    ssize_t n = srr_recvfrom(u4, b, sizeof b, 0, &back, &e);
    snprintf(out, len, "from=%s reply_from=%s data=%.*s", from.host, back.host, n > 0 ? (int)n : 0,
             b);
    srr_close(u4, NULL);
    srr_close(u6, NULL);
}

/* SHUT_RD on one end: what was queued still reads, then end of stream;
 * TCP takes the peer's later bytes (and they read), AF_UNIX refuses them */
static void shut_rd_on(srr_world *w, srr_socket *c, srr_socket *s, char *out, size_t len)
{
    srr_error e;
    char b[16];
    srr_sendall(c, "xyz", 3, 0, &e);
    srr_shutdown(s, SHUT_RD, &e);
    ssize_t n1 = srr_recv(s, b, sizeof b, MSG_DONTWAIT, &e);
    ssize_t n2 = srr_recv(s, b, sizeof b, MSG_DONTWAIT, &e);
    ssize_t sent = srr_send(c, "abc", 3, MSG_DONTWAIT, &e);
    char sr[16];
    snprintf(sr, sizeof sr, "%s", sent < 0 ? res(-1, &e) : "3");
    struct pollfd p = {.fd = srr_fileno(s), .events = POLLIN};
    srr_socket_world(s)->ops->poll(srr_socket_world(s), &p, 1, 100000000LL);
    ssize_t n3 = srr_recv(s, b, sizeof b, MSG_DONTWAIT, &e);
    (void)w;
    snprintf(out, len, "queued=%zd then=%zd peer_send=%s after=%zd", n1, n2, sr, n3);
}

static void b_shut_rd(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s, *p[2];
    char tcp[96] = "", unx[96] = "";
    conn_pair(w, AF_INET, &l, &c, &s);
    shut_rd_on(w, c, s, tcp, sizeof tcp);
    close3(l, c, s);
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    shut_rd_on(w, p[0], p[1], unx, sizeof unx);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    snprintf(out, len, "tcp: %s unix: %s", tcp, unx);
}

/* Descriptor flags through the seam (the interposer's placeholders have
 * their own test): each handle its own FD_CLOEXEC, as a descriptor */
static void b_cloexec_handles(srr_world *w, char *out, size_t len)
{
    const srr_world_ops *o = w->ops;
    int plain = o->socket(w, AF_INET, SOCK_STREAM, 0);
    int ce = o->socket(w, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int f0 = o->fcntl(w, plain, F_GETFD, 0), f1 = o->fcntl(w, ce, F_GETFD, 0);
    o->fcntl(w, plain, F_SETFD, FD_CLOEXEC);
    int f2 = o->fcntl(w, plain, F_GETFD, 0);
    o->fcntl(w, ce, F_SETFD, 0);
    int f3 = o->fcntl(w, ce, F_GETFD, 0);
    int d = o->fcntl(w, plain, F_DUPFD, 0), dc = o->fcntl(w, ce, F_DUPFD_CLOEXEC, 0);
    snprintf(out, len, "plain=%d cloexec=%d set=%d cleared=%d dup=%d dup_cloexec=%d", f0, f1, f2,
             f3, o->fcntl(w, d, F_GETFD, 0), o->fcntl(w, dc, F_GETFD, 0));
    o->close(w, plain);
    o->close(w, ce);
    o->close(w, d);
    o->close(w, dc);
}

static void b_poll_unconnected(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *s = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    struct pollfd p = {.fd = srr_fileno(s), .events = POLLIN | POLLOUT, .revents = -1};
    int n = w->ops->poll(w, &p, 1, 0);
    snprintf(out, len, "n=%d revents=%d", n, p.revents);
    srr_close(s, NULL);
}

/* A seam call's result (0 or more, or -errno): "ok" or the errno's name. */
static const char *rv(long r)
{
    static char buf[4][24];
    static int i;
    if (r >= 0)
        return "ok";
    const char *n = srr_errno_name((int)-r);
    if (n)
        return n;
    char *b = buf[i++ % 4];
    snprintf(b, sizeof buf[0], "E%ld", -r);
    return b;
}

/* socket(2) through the seam: "ok" (and the handle closed) or the errno */
static const char *try_socket(srr_world *w, int family, int type, int proto)
{
    srr_error e;
    srr_socket *s = srr_socket_new(w, family, type, proto, &e);
    srr_close(s, NULL);
    return s ? "ok" : res(-1, &e);
}

static void b_socket_bad_args(srr_world *w, char *out, size_t len)
{
    snprintf(out, len, "family=%s type=%s flags=%s rdm=%s", try_socket(w, 4242, SOCK_STREAM, 0),
             try_socket(w, AF_INET, 42, 0), try_socket(w, AF_INET, SOCK_STREAM | 0x40000000, 0),
             try_socket(w, AF_INET, SOCK_RDM, 0));
}

static void b_socket_protocols(srr_world *w, char *out, size_t len)
{
    snprintf(out, len,
             "stream_udp=%s dgram_tcp=%s stream_tcp=%s dgram_udp=%s v6_tcp=%s v6_udp=%s "
             "unix1=%s unix2=%s",
             try_socket(w, AF_INET, SOCK_STREAM, IPPROTO_UDP),
             try_socket(w, AF_INET, SOCK_DGRAM, IPPROTO_TCP),
             try_socket(w, AF_INET, SOCK_STREAM, IPPROTO_TCP),
             try_socket(w, AF_INET, SOCK_DGRAM, IPPROTO_UDP),
             try_socket(w, AF_INET6, SOCK_STREAM, IPPROTO_TCP),
             try_socket(w, AF_INET6, SOCK_DGRAM, IPPROTO_UDP),
             try_socket(w, AF_UNIX, SOCK_STREAM, 1), try_socket(w, AF_UNIX, SOCK_STREAM, 2));
}

static void b_socketpair_kinds(srr_world *w, char *out, size_t len)
{
    srr_error e4, e6;
    srr_socket *sv[2];
    int r4 = srr_socketpair(w, AF_INET, SOCK_STREAM, 0, sv, &e4);
    int r6 = srr_socketpair(w, AF_INET6, SOCK_DGRAM, 0, sv, &e6);
    static const int types[3] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
    char got[3][32];
    for (int i = 0; i < 3; i++) {
        srr_error e;
        srr_socket *p[2];
        if (srr_socketpair(w, AF_UNIX, types[i], 0, p, &e) < 0) {
            snprintf(got[i], sizeof got[i], "%s", res(-1, &e));
            continue;
        }
        snprintf(got[i], sizeof got[i], "%d/%d", geti(p[0], SOL_SOCKET, SO_TYPE),
                 geti(p[1], SOL_SOCKET, SO_TYPE));
        srr_close(p[0], NULL);
        srr_close(p[1], NULL);
    }
    snprintf(out, len, "inet=%s inet6=%s unix_stream=%s unix_dgram=%s unix_seqpacket=%s",
             res(r4, &e4), res(r6, &e6), got[0], got[1], got[2]);
}

static void b_unix_type_domain(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *q = srr_socket_new(w, AF_UNIX, SOCK_SEQPACKET, 0, &e);
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, IPPROTO_TCP, &e);
    snprintf(out, len, "stream=%d/%d/%d seqpacket=%d/%d/%d tcp=%d/%d/%d",
             geti(s, SOL_SOCKET, SO_TYPE), geti(s, SOL_SOCKET, SO_DOMAIN),
             geti(s, SOL_SOCKET, SO_PROTOCOL), geti(q, SOL_SOCKET, SO_TYPE),
             geti(q, SOL_SOCKET, SO_DOMAIN), geti(q, SOL_SOCKET, SO_PROTOCOL),
             geti(t, SOL_SOCKET, SO_TYPE), geti(t, SOL_SOCKET, SO_DOMAIN),
             geti(t, SOL_SOCKET, SO_PROTOCOL));
    close3(s, q, t);
}

/* SOCK_NONBLOCK is O_NONBLOCK in F_GETFL, and not part of SO_TYPE */
static void b_sock_nonblock_flag(srr_world *w, char *out, size_t len)
{
    const srr_world_ops *o = w->ops;
    int plain = o->socket(w, AF_INET, SOCK_STREAM, 0),
        nb = o->socket(w, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int ty = -1;
    socklen_t tl = sizeof ty;
    o->getsockopt(w, nb, SOL_SOCKET, SO_TYPE, &ty, &tl);
    int f0 = o->fcntl(w, plain, F_GETFL, 0), f1 = o->fcntl(w, nb, F_GETFL, 0);
    o->fcntl(w, plain, F_SETFL, f0 | O_NONBLOCK);
    int f2 = o->fcntl(w, plain, F_GETFL, 0);
    snprintf(out, len, "plain=%d nonblock=%d set=%d type=%d", f0 & (O_NONBLOCK | O_ACCMODE),
             f1 & (O_NONBLOCK | O_ACCMODE), f2 & (O_NONBLOCK | O_ACCMODE), ty);
    o->close(w, plain);
    o->close(w, nb);
}

static void b_so_acceptconn(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e), *l, *c, *s;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    int fresh = geti(t, SOL_SOCKET, SO_ACCEPTCONN), udp = geti(u, SOL_SOCKET, SO_ACCEPTCONN);
    conn_pair(w, AF_INET, &l, &c, &s);
    snprintf(out, len, "fresh=%d udp=%d listener=%d client=%d accepted=%d", fresh, udp,
             geti(l, SOL_SOCKET, SO_ACCEPTCONN), geti(c, SOL_SOCKET, SO_ACCEPTCONN),
             geti(s, SOL_SOCKET, SO_ACCEPTCONN));
    srr_close(t, NULL);
    srr_close(u, NULL);
    close3(l, c, s);
}

/* options that only read */
static void b_read_only_options(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    char r[5][16];
    static const int names[5] = {SO_TYPE, SO_PROTOCOL, SO_DOMAIN, SO_ACCEPTCONN, SO_ERROR};
    for (int i = 0; i < 5; i++)
        snprintf(r[i], sizeof r[i], "%s", seti(t, SOL_SOCKET, names[i], 1));
    snprintf(out, len,
             "error=%d set_type=%s set_protocol=%s set_domain=%s set_acceptconn=%s set_error=%s",
             geti(t, SOL_SOCKET, SO_ERROR), r[0], r[1], r[2], r[3], r[4]);
    srr_close(t, NULL);
}

/* a boolean option: default/after 5/after 0 */
static void bool_opt(srr_socket *t, int level, int name, char *out, size_t len)
{
    int d = geti(t, level, name);
    seti(t, level, name, 5);
    int on = geti(t, level, name);
    seti(t, level, name, 0);
    snprintf(out, len, "%d/%d/%d", d, on, geti(t, level, name));
}

static void b_bool_options(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    char a[16], b[16], c[16];
    bool_opt(t, SOL_SOCKET, SO_REUSEADDR, a, sizeof a);
    bool_opt(t, SOL_SOCKET, SO_KEEPALIVE, b, sizeof b);
    bool_opt(t, IPPROTO_TCP, TCP_NODELAY, c, sizeof c);
    snprintf(out, len, "reuseaddr=%s keepalive=%s nodelay=%s", a, b, c);
    srr_close(t, NULL);
}

static void b_so_broadcast(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    char a[16], b[16];
    bool_opt(u, SOL_SOCKET, SO_BROADCAST, a, sizeof a);
    bool_opt(t, SOL_SOCKET, SO_BROADCAST, b, sizeof b);
    snprintf(out, len, "udp=%s tcp=%s", a, b);
    srr_close(u, NULL);
    srr_close(t, NULL);
}

static void b_so_linger_values(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    struct linger g = {-1, -1}, s1 = {1, 5}, s2 = {3, 7}, r1, r2;
    ssize_t n = srr_getsockopt_buf(t, SOL_SOCKET, SO_LINGER, &g, sizeof g, &e);
    srr_setsockopt_buf(t, SOL_SOCKET, SO_LINGER, &s1, sizeof s1, &e);
    srr_getsockopt_buf(t, SOL_SOCKET, SO_LINGER, &r1, sizeof r1, &e);
    srr_setsockopt_buf(t, SOL_SOCKET, SO_LINGER, &s2, sizeof s2, &e);
    srr_getsockopt_buf(t, SOL_SOCKET, SO_LINGER, &r2, sizeof r2, &e);
    int sh = srr_setsockopt_buf(t, SOL_SOCKET, SO_LINGER, &s1, sizeof(int), &e);
    snprintf(out, len, "len=%zd default=%d/%d on=%d/%d three=%d/%d short=%s", n, g.l_onoff,
             g.l_linger, r1.l_onoff, r1.l_linger, r2.l_onoff, r2.l_linger, res(sh, &e));
    srr_close(t, NULL);
}

static void b_sndtimeo_values(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    struct timeval d = {-1, -1}, s = {2, 500000}, bad = {1, 1000000}, back = {-1, -1};
    srr_getsockopt_buf(t, SOL_SOCKET, SO_SNDTIMEO, &d, sizeof d, &e);
    srr_setsockopt_buf(t, SOL_SOCKET, SO_SNDTIMEO, &s, sizeof s, &e);
    srr_getsockopt_buf(t, SOL_SOCKET, SO_SNDTIMEO, &back, sizeof back, &e);
    int rb = srr_setsockopt_buf(t, SOL_SOCKET, SO_SNDTIMEO, &bad, sizeof bad, &e);
    const char *usec = res(rb, &e);
    int rs = srr_setsockopt_buf(t, SOL_SOCKET, SO_SNDTIMEO, &s, 4, &e);
    snprintf(out, len, "default=%ld.%06ld set=%ld.%06ld usec_1e6=%s short=%s", (long)d.tv_sec,
             (long)d.tv_usec, (long)back.tv_sec, (long)back.tv_usec, usec, res(rs, &e));
    srr_close(t, NULL);
}

static void b_unknown_options(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    char a[16], b[16];
    snprintf(a, sizeof a, "%s", rv(geti(t, SOL_SOCKET, 9999)));
    snprintf(b, sizeof b, "%s", seti(t, SOL_SOCKET, 9999, 1));
    snprintf(out, len, "get=%s set=%s unix_level=%s", a, b, rv(geti(x, 12345, 1)));
    srr_close(t, NULL);
    srr_close(x, NULL);
}

/* int options given a short or no buffer */
static void b_int_option_lengths(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int v = 0, one = 1;
    ssize_t g2 = srr_getsockopt_buf(t, SOL_SOCKET, SO_TYPE, &v, 2, &e);
    const char *a = res((int)g2, &e);
    ssize_t tg = srr_getsockopt_buf(t, IPPROTO_TCP, TCP_NODELAY, &v, 2, &e);
    const char *b = res((int)tg, &e);
    int s2 = srr_setsockopt_buf(t, SOL_SOCKET, SO_REUSEADDR, &one, 2, &e);
    const char *c = res(s2, &e);
    int ts = srr_setsockopt_buf(t, IPPROTO_TCP, TCP_NODELAY, &one, 2, &e);
    snprintf(out, len, "get2=%s/%zd tcp_get2=%s/%zd set2=%s tcp_set2=%s", a, g2, b, tg, c,
             res(ts, &e));
    srr_close(t, NULL);
}

static void b_buffer_limits(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int v[6];
    static const int asked[3] = {0, 100000, 1000}; /* the caps (*mem_max) are the machine's */
    for (int i = 0; i < 3; i++) {
        seti(t, SOL_SOCKET, SO_RCVBUF, asked[i]);
        v[2 * i] = geti(t, SOL_SOCKET, SO_RCVBUF);
        seti(t, SOL_SOCKET, SO_SNDBUF, asked[i]);
        v[2 * i + 1] = geti(t, SOL_SOCKET, SO_SNDBUF);
    }
    snprintf(out, len, "zero=%d/%d 100000=%d/%d 1000=%d/%d", v[0], v[1], v[2], v[3], v[4], v[5]);
    srr_close(t, NULL);
}

static void b_buffer_defaults(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    snprintf(out, len, "udp=%d/%d unix_stream=%d/%d unix_dgram=%d/%d",
             geti(u, SOL_SOCKET, SO_SNDBUF), geti(u, SOL_SOCKET, SO_RCVBUF),
             geti(x, SOL_SOCKET, SO_SNDBUF), geti(x, SOL_SOCKET, SO_RCVBUF),
             geti(d, SOL_SOCKET, SO_SNDBUF), geti(d, SOL_SOCKET, SO_RCVBUF));
    close3(u, x, d);
}

/* a new socket of family/type bound to host:port: "ok" or the errno; the
 * socket in *keep when keep is given (else closed); SO_REUSEADDR or
 * SO_REUSEPORT set first when opt is one of them */
static const char *bind_to(srr_world *w, int family, int type, const char *host, int port, int opt,
                           srr_socket **keep)
{
    srr_error e;
    srr_addr a;
    srr_socket *t = srr_socket_new(w, family, type, 0, &e);
    if (!t)
        return res(-1, &e);
    if (opt)
        srr_setsockopt_int(t, SOL_SOCKET, opt, 1, &e);
    if (family == AF_INET6)
        srr_addr_inet6(&a, host, port, 0, 0);
    else
        srr_addr_inet(&a, host, port);
    const char *r = res(srr_bind(t, &a, &e), &e);
    if (keep)
        *keep = t;
    else
        srr_close(t, NULL);
    return r;
}

static int in_ephemeral_range(srr_socket *t)
{
    srr_error e;
    srr_addr a;
    if (srr_getsockname(t, &a, &e) < 0)
        return -1;
    return a.port >= 32768 && a.port <= 60999;
}

static void b_bind_twice(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t, *u;
    bind_to(w, AF_INET, SOCK_STREAM, "127.0.0.1", 0, 0, &t);
    bind_to(w, AF_INET, SOCK_DGRAM, "127.0.0.1", 0, 0, &u);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", 0);
    int r1 = srr_bind(t, &a, &e);
    const char *tcp = res(r1, &e);
    int r2 = srr_bind(u, &a, &e);
    snprintf(out, len, "tcp=%s udp=%s", tcp, res(r2, &e));
    srr_close(t, NULL);
    srr_close(u, NULL);
}

static void b_bind_port_zero(srr_world *w, char *out, size_t len)
{
    srr_socket *t, *u, *s6;
    bind_to(w, AF_INET, SOCK_STREAM, "127.0.0.1", 0, 0, &t);
    bind_to(w, AF_INET, SOCK_DGRAM, "0.0.0.0", 0, 0, &u);
    bind_to(w, AF_INET6, SOCK_STREAM, "::1", 0, 0, &s6);
    snprintf(out, len, "tcp=%d udp=%d tcp6=%d", in_ephemeral_range(t), in_ephemeral_range(u),
             in_ephemeral_range(s6));
    close3(t, u, s6);
}

static void b_bind_foreign_address(srr_world *w, char *out, size_t len)
{
    snprintf(out, len, "v4=%s v6=%s udp=%s",
             bind_to(w, AF_INET, SOCK_STREAM, "192.0.2.1", 0, 0, NULL),
             bind_to(w, AF_INET6, SOCK_STREAM, "2001:db8::1", 0, 0, NULL),
             bind_to(w, AF_INET, SOCK_DGRAM, "192.0.2.1", 0, 0, NULL));
}

/* all of 127.0.0.0/8 is the loopback's */
static void b_bind_127_0_0_2(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t;
    const char *r = bind_to(w, AF_INET, SOCK_STREAM, "127.0.0.2", 0, 0, &t);
    srr_addr a = {0};
    srr_getsockname(t, &a, &e);
    snprintf(out, len, "bind=%s name=%s", r, a.host);
    srr_close(t, NULL);
}

static void b_bind_after_connect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", 0);
    int r = srr_bind(c, &a, &e);
    snprintf(out, len, "bind=%s", res(r, &e));
    close3(l, c, s);
}

static void b_udp_port_sharing(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *u1 = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port), *r1 = NULL,
               *r2 = NULL;
    const char *plain = bind_to(w, AF_INET, SOCK_DGRAM, "127.0.0.1", port, 0, NULL);
    srr_close(u1, NULL);
    /* the first takes a port of the kernel's choosing, the second shares it */
    const char *a = bind_to(w, AF_INET, SOCK_DGRAM, "127.0.0.1", 0, SO_REUSEADDR, &r1);
    srr_addr n = {0};
    srr_getsockname(r1, &n, &e);
    const char *b = bind_to(w, AF_INET, SOCK_DGRAM, "127.0.0.1", n.port, SO_REUSEADDR, &r2);
    snprintf(out, len, "plain=%s reuse1=%s reuse2=%s", plain, a, b);
    srr_close(r1, NULL);
    srr_close(r2, NULL);
}

static void b_reuseport(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *a = NULL, *b = NULL;
    /* the first takes a port of the kernel's choosing, the second shares it */
    const char *ra = bind_to(w, AF_INET, SOCK_STREAM, "127.0.0.1", 0, SO_REUSEPORT, &a);
    srr_addr n = {0};
    srr_getsockname(a, &n, &e);
    const char *rb = bind_to(w, AF_INET, SOCK_STREAM, "127.0.0.1", n.port, SO_REUSEPORT, &b);
    int l1 = srr_listen(a, 4, &e);
    const char *la = res(l1, &e);
    int l2 = srr_listen(b, 4, &e);
    const char *lb = res(l2, &e);
    snprintf(out, len, "bind1=%s bind2=%s listen1=%s listen2=%s plain=%s opt=%d", ra, rb, la, lb,
             bind_to(w, AF_INET, SOCK_STREAM, "127.0.0.1", n.port, 0, NULL),
             geti(a, SOL_SOCKET, SO_REUSEPORT));
    srr_close(a, NULL);
    srr_close(b, NULL);
}

static void b_wildcard_and_specific(srr_world *w, char *out, size_t len)
{
    int p1 = 0, p2 = 0, p3 = 0;
    srr_socket *any = bound_at(w, AF_INET, SOCK_STREAM, "0.0.0.0", -1, &p1);
    srr_socket *one = bound_at(w, AF_INET, SOCK_STREAM, "127.0.0.1", -1, &p2);
    srr_socket *u = bound_at(w, AF_INET, SOCK_DGRAM, "0.0.0.0", -1, &p3);
    snprintf(out, len, "specific_after_any=%s any_after_specific=%s udp=%s",
             bind_again(w, AF_INET, "127.0.0.1", p1), bind_again(w, AF_INET, "0.0.0.0", p2),
             bind_to(w, AF_INET, SOCK_DGRAM, "127.0.0.1", p3, 0, NULL));
    close3(any, one, u);
}

static void b_listen_autobinds(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int r = srr_listen(t, 1, &e);
    srr_addr a = {0};
    srr_getsockname(t, &a, &e);
    snprintf(out, len, "listen=%s host=%s ephemeral=%d", res(r, &e), a.host, in_ephemeral_range(t));
    srr_close(t, NULL);
}

static void b_unbound_names(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_addr a = {0}, b = {0};
    b.pathlen = 99;
    int r1 = srr_getsockname(t, &a, &e);
    int r2 = srr_getsockname(x, &b, &e);
    snprintf(out, len, "v6=%s/%s/%d unix=%s/%d", res(r1, &e), a.host, a.port, res(r2, &e),
             (int)b.pathlen);
    srr_close(t, NULL);
    srr_close(x, NULL);
}

/* a filesystem AF_UNIX address for this run (its file removed) in a, its path in p */
static void unix_at(srr_addr *a, char *p, size_t n, const char *tag)
{
    snprintf(p, n, "/tmp/sockrr-diff-%d-%s", (int)getpid(), tag);
    unlink(p);
    srr_addr_unix(a, p);
}

static void b_unix_path_bind(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr a, got = {0};
    unix_at(&a, p, sizeof p, "bind");
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *t = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    int r1 = srr_bind(s, &a, &e);
    const char *first = res(r1, &e);
    int r2 = srr_bind(t, &a, &e);
    const char *second = res(r2, &e);
    srr_getsockname(s, &got, &e);
    snprintf(out, len, "bind=%s again=%s name_same=%d", first, second,
             got.pathlen == strlen(p) && memcmp(got.path, p, got.pathlen) == 0);
    srr_close(s, NULL);
    srr_close(t, NULL);
    unlink(p);
}

static void b_unix_connect_errors(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p1[96], p3[96];
    srr_addr none, dg;
    unix_at(&none, p1, sizeof p1, "none");
    unix_at(&dg, p3, sizeof p3, "dgram");
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_bind(d, &dg, &e);
    char r[2][16];
    const srr_addr *to[2] = {&none, &dg};
    for (int i = 0; i < 2; i++) {
        srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
        int x = srr_connect(c, to[i], &e);
        snprintf(r[i], sizeof r[i], "%s", res(x, &e));
        srr_close(c, NULL);
    }
    snprintf(out, len, "missing=%s dgram=%s", r[0], r[1]);
    srr_close(d, NULL);
    unlink(p3);
}

static void b_unix_connection_names(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr a, cp = {0}, cn = {0}, sn = {0}, sp = {0};
    unix_at(&a, p, sizeof p, "names");
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e), *s = NULL;
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(l, &a, &e);
    srr_listen(l, 1, &e);
    srr_connect(c, &a, &e);
    srr_accept(l, &s, NULL, &e);
    cn.pathlen = sp.pathlen = 99;
    srr_getpeername(c, &cp, &e);
    srr_getsockname(c, &cn, &e);
    srr_getsockname(s, &sn, &e);
    srr_getpeername(s, &sp, &e);
    size_t n = strlen(p);
    snprintf(out, len, "client_peer=%d client_name=%d accepted_name=%d accepted_peer=%d",
             cp.pathlen == n && memcmp(cp.path, p, n) == 0, (int)cn.pathlen,
             sn.pathlen == n && memcmp(sn.path, p, n) == 0, (int)sp.pathlen);
    close3(l, c, s);
    unlink(p);
}

static void b_unix_listen_accept_errors(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e), *got = NULL;
    int r1 = srr_listen(s, 1, &e);
    const char *unbound = res(r1, &e);
    int r2 = srr_listen(d, 1, &e);
    const char *dgram = res(r2, &e);
    srr_setblocking(s, 0, &e);
    int r3 = srr_accept(s, &got, NULL, &e);
    snprintf(out, len, "listen_unbound=%s listen_dgram=%s accept=%s", unbound, dgram, res(r3, &e));
    srr_close(s, NULL);
    srr_close(d, NULL);
    srr_close(got, NULL);
}

static void b_unix_abstract_in_use(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-inuse-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *t = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(s, &a, &e);
    int r1 = srr_bind(t, &a, &e);
    const char *busy = res(r1, &e);
    srr_close(s, NULL);
    int r2 = srr_bind(t, &a, &e);
    snprintf(out, len, "in_use=%s after_close=%s", busy, res(r2, &e));
    srr_close(t, NULL);
}

/* connect(2) to an AF_UNSPEC address: a datagram socket's disconnect */
static const char *connect_unspec(srr_socket *s)
{
    srr_world *w = srr_socket_world(s);
    struct sockaddr_in un = {.sin_family = AF_UNSPEC};
    return rv(w->ops->connect(w, srr_fileno(s), (struct sockaddr *)&un, sizeof un));
}

/* poll(2) of one socket for events, waiting at most ms: its revents (-errno on failure) */
static int revents(srr_socket *s, int events, int ms)
{
    srr_world *w = srr_socket_world(s);
    struct pollfd p = {.fd = srr_fileno(s), .events = (short)events};
    int n = w->ops->poll(w, &p, 1, (int64_t)ms * 1000000);
    return n < 0 ? n : p.revents;
}

/* ioctl(2) FIONREAD / SIOCOUTQ: the count, or -errno */
static int ioctl_int(srr_socket *s, unsigned long req)
{
    srr_world *w = srr_socket_world(s);
    int v = -1;
    int r = w->ops->ioctl(w, srr_fileno(s), req, &v);
    return r < 0 ? r : v;
}

/* a new UDP socket connected to to's address */
static srr_socket *udp_connected(srr_world *w, srr_socket *to)
{
    srr_error e;
    srr_addr a;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_getsockname(to, &a, &e);
    srr_connect(u, &a, &e);
    return u;
}

static void b_udp_disconnect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    srr_addr p;
    int r1 = srr_getpeername(u, &p, &e);
    const char *before = res(r1, &e);
    const char *dis = connect_unspec(u);
    int r2 = srr_getpeername(u, &p, &e);
    const char *after = res(r2, &e);
    int r3 = (int)srr_send(u, "x", 1, 0, &e);
    snprintf(out, len, "peer=%s disconnect=%s peer_after=%s send=%s", before, dis, after,
             res(r3, &e));
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_udp_connected_sendto_other(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int p1 = 0, p2 = 0;
    srr_socket *a = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &p1);
    srr_socket *b = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &p2);
    srr_socket *u = udp_connected(w, a);
    srr_addr to;
    srr_addr_inet(&to, "127.0.0.1", p2);
    int r = (int)srr_sendto(u, "abc", 3, 0, &to, &e);
    const char *sent = res(r, &e);
    char buf[8];
    srr_settimeout(b, 1.0, &e);
    ssize_t n = srr_recv(b, buf, sizeof buf, 0, &e);
    snprintf(out, len, "sendto=%s other_got=%zd", sent, n);
    close3(a, b, u);
}

/* a connected UDP socket takes datagrams from its peer only */
static void b_udp_connected_filter(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int p1 = 0, p2 = 0;
    srr_socket *peer = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &p1);
    srr_socket *u = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &p2);
    srr_socket *third = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_addr pa, ua;
    srr_addr_inet(&pa, "127.0.0.1", p1);
    srr_addr_inet(&ua, "127.0.0.1", p2);
    srr_connect(u, &pa, &e);
    srr_sendto(third, "no", 2, 0, &ua, &e);
    char b[8];
    int r1 = (int)srr_recv(u, b, sizeof b, MSG_DONTWAIT, &e);
    const char *stranger = res(r1, &e);
    srr_sendto(peer, "yes", 3, 0, &ua, &e);
    srr_settimeout(u, 1.0, &e);
    ssize_t n = srr_recv(u, b, sizeof b, 0, &e);
    snprintf(out, len, "stranger=%s peer=%zd", stranger, n);
    close3(peer, u, third);
}

static void b_udp_zero_length(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    ssize_t s = srr_send(u, "", 0, 0, &e);
    int ev = revents(r, POLLIN, 1000);
    int q = ioctl_int(r, FIONREAD);
    char b[8];
    ssize_t n = srr_recv(r, b, sizeof b, MSG_DONTWAIT, &e);
    int r2 = (int)srr_recv(r, b, sizeof b, MSG_DONTWAIT, &e);
    snprintf(out, len, "send=%zd poll=%d fionread=%d recv=%zd then=%s", s, ev, q, n, res(r2, &e));
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_udp_msg_trunc(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    srr_send(u, "hello", 5, 0, &e);
    srr_send(u, "world!", 6, 0, &e);
    revents(r, POLLIN, 1000);
    char b[8] = "";
    srr_msginfo info;
    ssize_t n1 = srr_recvmsg(r, b, 2, NULL, 0, MSG_TRUNC, &info, &e);
    int f = !!(info.flags & MSG_TRUNC);
    ssize_t n2 = srr_recv(r, b, 3, MSG_TRUNC | MSG_DONTWAIT, &e);
    snprintf(out, len, "first=%zd flag=%d data=%.2s second=%zd", n1, f, b, n2);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_udp_peek_and_fionread(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    srr_send(u, "ab", 2, 0, &e);
    srr_send(u, "cde", 3, 0, &e);
    revents(r, POLLIN, 1000);
    char b[8];
    int q = ioctl_int(r, FIONREAD);
    ssize_t p = srr_recv(r, b, sizeof b, MSG_PEEK, &e);
    ssize_t n1 = srr_recv(r, b, sizeof b, 0, &e);
    int q2 = ioctl_int(r, FIONREAD);
    ssize_t n2 = srr_recv(r, b, sizeof b, MSG_WAITALL, &e);
    int r3 = (int)srr_recv(r, b, sizeof b, MSG_DONTWAIT, &e);
    snprintf(out, len, "fionread=%d peek=%zd first=%zd fionread=%d waitall=%zd then=%s", q, p, n1,
             q2, n2, res(r3, &e));
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_udp_recvfrom_sender(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    srr_send(u, "x", 1, 0, &e);
    srr_addr from = {0}, mine = {0};
    char b[4];
    srr_settimeout(r, 1.0, &e);
    ssize_t n = srr_recvfrom(r, b, sizeof b, 0, &from, &e);
    srr_getsockname(u, &mine, &e);
    snprintf(out, len, "recv=%zd from=%s same_port=%d", n, from.host, from.port == mine.port);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_udp_shutdown(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *free_ = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_socket *u = udp_connected(w, r);
    int r1 = srr_shutdown(free_, SHUT_WR, &e);
    const char *unconnected = res(r1, &e);
    int r2 = srr_shutdown(u, SHUT_WR, &e);
    snprintf(out, len, "unconnected=%s connected=%s", unconnected, res(r2, &e));
    close3(r, free_, u);
}

static void b_udp_no_destination(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    char b[4];
    int r1 = (int)srr_send(u, "x", 1, 0, &e);
    const char *send = res(r1, &e);
    int r2 = (int)srr_recv(u, b, sizeof b, MSG_DONTWAIT, &e);
    const char *recv = res(r2, &e);
    int r3 = (int)srr_send(u, "x", 1, MSG_OOB, &e);
    snprintf(out, len, "send=%s recv=%s oob=%s", send, recv, res(r3, &e));
    srr_close(u, NULL);
}

static void b_waitall_until_eof(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_sendall(c, "abc", 3, 0, &e);
    srr_shutdown(c, SHUT_WR, &e);
    char b[16];
    ssize_t n = srr_recv(s, b, sizeof b, MSG_WAITALL, &e);
    ssize_t n2 = srr_recv(s, b, sizeof b, MSG_WAITALL, &e);
    snprintf(out, len, "waitall=%zd then=%zd", n, n2);
    close3(l, c, s);
}

static void b_dontwait_stream(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    char b[4];
    int r = (int)srr_recv(s, b, sizeof b, MSG_DONTWAIT, &e);
    int fl = w->ops->fcntl(w, srr_fileno(s), F_GETFL, 0);
    snprintf(out, len, "recv=%s still_blocking=%d", res(r, &e), !(fl & O_NONBLOCK));
    close3(l, c, s);
}

/* MSG_TRUNC on TCP throws the bytes away */
static void b_tcp_msg_trunc(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_sendall(c, "abcdef", 6, 0, &e);
    char b[8] = "......", w6[8];
    srr_recv(s, w6, 6, MSG_PEEK | MSG_WAITALL, &e);
    ssize_t n = srr_recv(s, b, 3, MSG_TRUNC, &e);
    int untouched = memcmp(b, "...", 3) == 0;
    char r[8] = "";
    ssize_t m = srr_recv(s, r, sizeof r, 0, &e);
    snprintf(out, len, "trunc=%zd untouched=%d rest=%zd %.3s", n, untouched, m, r);
    close3(l, c, s);
}

static void b_tcp_zero_length(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    char b[4];
    ssize_t sn = srr_send(c, b, 0, 0, &e);
    int r1 = (int)srr_recv(s, b, 0, MSG_DONTWAIT, &e);
    const char *empty = r1 < 0 ? res(r1, &e) : "0";
    srr_sendall(c, "x", 1, 0, &e);
    revents(s, POLLIN, 1000);
    ssize_t r2 = srr_recv(s, b, 0, 0, &e);
    ssize_t r3 = srr_recv(s, b, sizeof b, 0, &e);
    snprintf(out, len, "send0=%zd recv0_empty=%s recv0_data=%zd then=%zd", sn, empty, r2, r3);
    close3(l, c, s);
}

static void b_tcp_queue_ioctls(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_sendall(c, "12345", 5, 0, &e);
    char b[8];
    srr_recv(s, b, 5, MSG_PEEK | MSG_WAITALL, &e);
    snprintf(out, len, "fionread=%d outq=%d fresh_in=%d fresh_out=%d", ioctl_int(s, FIONREAD),
             ioctl_int(s, SIOCOUTQ), ioctl_int(t, FIONREAD), ioctl_int(t, SIOCOUTQ));
    close3(l, c, s);
    srr_close(t, NULL);
}

static void b_shutdown_errors(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    conn_pair(w, AF_INET, &l, &c, &s);
    int r1 = srr_shutdown(c, 7, &e);
    const char *bad = res(r1, &e);
    int r2 = srr_shutdown(t, SHUT_RDWR, &e);
    const char *unconnected = res(r2, &e);
    int r3 = srr_shutdown(c, SHUT_WR, &e);
    const char *once = res(r3, &e);
    int r4 = srr_shutdown(c, SHUT_WR, &e);
    snprintf(out, len, "bad_how=%s unconnected=%s wr=%s wr_again=%s", bad, unconnected, once,
             res(r4, &e));
    close3(l, c, s);
    srr_close(t, NULL);
}

static void b_shut_rdwr(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_shutdown(c, SHUT_RDWR, &e);
    char b[4];
    ssize_t n = srr_recv(c, b, sizeof b, 0, &e);
    int r = (int)srr_send(c, "x", 1, 0, &e);
    const char *send = res(r, &e);
    ssize_t peer = srr_recv(s, b, sizeof b, 0, &e);
    snprintf(out, len, "recv=%zd send=%s peer_recv=%zd", n, send, peer);
    close3(l, c, s);
}

static void b_poll_after_shut_wr(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_shutdown(c, SHUT_WR, &e);
    int peer = revents(s, POLLIN | POLLOUT | POLLRDHUP, 1000);
    int self = revents(c, POLLIN | POLLOUT | POLLRDHUP, 0);
    srr_shutdown(s, SHUT_WR, &e);
    int both = revents(c, POLLIN | POLLOUT | POLLRDHUP, 1000);
    snprintf(out, len, "peer=%d self=%d both=%d", peer, self, both);
    close3(l, c, s);
}

static void b_unix_shut_wr(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_shutdown(p[0], SHUT_WR, &e);
    char b[4];
    ssize_t eof = srr_recv(p[1], b, sizeof b, MSG_DONTWAIT, &e);
    int r1 = (int)srr_send(p[1], "ok", 2, 0, &e);
    const char *back = res(r1, &e);
    ssize_t got = srr_recv(p[0], b, sizeof b, 0, &e);
    int r2 = (int)srr_send(p[0], "x", 1, 0, &e);
    snprintf(out, len, "peer_eof=%zd peer_send=%s got=%zd send=%s", eof, back, got, res(r2, &e));
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_poll_tcp_states(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port), *s = NULL;
    int idle = revents(l, POLLIN | POLLOUT, 0);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_connect(c, &a, &e);
    int pending = revents(l, POLLIN | POLLOUT, 1000);
    srr_accept(l, &s, NULL, &e);
    int conn = revents(s, POLLIN | POLLOUT, 0);
    srr_sendall(c, "x", 1, 0, &e);
    int data = revents(s, POLLIN, 1000) >= 0 ? revents(s, POLLIN | POLLOUT, 0) : -1;
    snprintf(out, len, "listener_idle=%d listener_pending=%d connected=%d with_data=%d", idle,
             pending, conn, data);
    close3(l, c, s);
}

static void b_poll_after_reset(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    struct linger lg = {1, 0};
    srr_setsockopt_buf(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg, &e);
    srr_close(c, NULL);
    int first = revents(s, POLLIN | POLLOUT, 1000);
    int err = geti(s, SOL_SOCKET, SO_ERROR);
    int then = revents(s, POLLIN | POLLOUT, 0);
    snprintf(out, len, "revents=%d so_error=%s after=%d", first,
             err > 0 ? srr_errno_name(err) : "0", then);
    srr_close(s, NULL);
    srr_close(l, NULL);
}

static void b_poll_unix(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e), *p[2];
    int fresh = revents(u, POLLIN | POLLOUT, 0);
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    int idle = revents(p[0], POLLIN | POLLOUT, 0);
    srr_close(p[1], NULL);
    int closed = revents(p[0], POLLIN | POLLOUT, 0);
    srr_socket *d[2];
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, d, &e);
    int dg = revents(d[0], POLLIN | POLLOUT, 0);
    snprintf(out, len, "unconnected=%d pair=%d peer_closed=%d dgram_pair=%d", fresh, idle, closed,
             dg);
    srr_close(u, NULL);
    srr_close(p[0], NULL);
    srr_close(d[0], NULL);
    srr_close(d[1], NULL);
}

static void b_accept4_flags(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port);
    srr_socket *c1 = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_socket *c2 = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_connect(c1, &a, &e);
    srr_connect(c2, &a, &e);
    const srr_world_ops *o = w->ops;
    o->fcntl(w, srr_fileno(l), F_SETFL, O_NONBLOCK | o->fcntl(w, srr_fileno(l), F_GETFL, 0));
    int a1 = o->accept4(w, srr_fileno(l), NULL, NULL, 0);
    int a2 = o->accept4(w, srr_fileno(l), NULL, NULL, SOCK_NONBLOCK);
    snprintf(out, len, "plain=%d nonblock=%d", !!(o->fcntl(w, a1, F_GETFL, 0) & O_NONBLOCK),
             !!(o->fcntl(w, a2, F_GETFL, 0) & O_NONBLOCK));
    o->close(w, a1);
    o->close(w, a2);
    close3(l, c1, c2);
}

static void b_accept_peer_address(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port), *s = NULL;
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a, peer = {0}, mine = {0}, sl = {0};
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_connect(c, &a, &e);
    srr_accept(l, &s, &peer, &e);
    srr_getsockname(c, &mine, &e);
    srr_getsockname(s, &sl, &e);
    snprintf(out, len, "peer=%s same_port=%d accepted_local_port_is_listener=%d", peer.host,
             peer.port == mine.port, sl.port == port);
    close3(l, c, s);
}

static void b_listen_states(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s, *got = NULL;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    conn_pair(w, AF_INET, &l, &c, &s);
    int r1 = srr_listen(c, 1, &e);
    const char *connected = res(r1, &e);
    int r2 = srr_listen(l, 16, &e);
    const char *again = res(r2, &e);
    srr_setblocking(t, 0, &e);
    int r3 = srr_accept(t, &got, NULL, &e);
    snprintf(out, len, "listen_connected=%s listen_again=%s accept_unlistening=%s", connected,
             again, res(r3, &e));
    close3(l, c, s);
    srr_close(t, NULL);
    srr_close(got, NULL);
}

static void b_v6only_option(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *t = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_socket *b = bound_at(w, AF_INET6, SOCK_STREAM, "::1", -1, &port);
    srr_socket *v4 = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int d = geti(t, IPPROTO_IPV6, IPV6_V6ONLY);
    seti(t, IPPROTO_IPV6, IPV6_V6ONLY, 7);
    int on = geti(t, IPPROTO_IPV6, IPV6_V6ONLY);
    char after[16], v4get[16];
    snprintf(after, sizeof after, "%s", seti(b, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    snprintf(v4get, sizeof v4get, "%s", rv(geti(v4, IPPROTO_IPV6, IPV6_V6ONLY)));
    snprintf(out, len, "default=%d set7=%d after_bind=%s v4_get=%s v4_set=%s", d, on, after, v4get,
             seti(v4, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    close3(t, b, v4);
}

/* getsockname's length: the family's whole address, whatever the buffer */
static void b_name_lengths(srr_world *w, char *out, size_t len)
{
    const srr_world_ops *o = w->ops;
    int port = 0;
    srr_socket *l4 = listener(w, AF_INET, SOCK_STREAM, &port),
               *l6 = listener(w, AF_INET6, SOCK_STREAM, &port);
    srr_error e;
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    struct sockaddr_storage ss;
    socklen_t a = sizeof ss, b = sizeof ss, c = sizeof ss, t4 = 4, t6 = 8;
    o->getsockname(w, srr_fileno(l4), (struct sockaddr *)&ss, &a);
    o->getsockname(w, srr_fileno(l6), (struct sockaddr *)&ss, &b);
    o->getsockname(w, srr_fileno(x), (struct sockaddr *)&ss, &c);
    memset(&ss, 0, sizeof ss);
    int r4 = o->getsockname(w, srr_fileno(l4), (struct sockaddr *)&ss, &t4);
    int fam4 = ss.ss_family;
    int r6 = o->getsockname(w, srr_fileno(l6), (struct sockaddr *)&ss, &t6);
    snprintf(out, len, "v4=%d v6=%d unix=%d short_v4=%s/%d/%d short_v6=%s/%d", (int)a, (int)b,
             (int)c, rv(r4), (int)t4, fam4, rv(r6), (int)t6);
    close3(l4, l6, x);
}

static void b_ipv6_peer_fields(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET6, &l, &c, &s);
    srr_addr p = {0};
    p.scope_id = p.flowinfo = 99;
    srr_getpeername(c, &p, &e);
    snprintf(out, len, "host=%s scope=%u flowinfo=%u", p.host, (unsigned)p.scope_id,
             (unsigned)p.flowinfo);
    close3(l, c, s);
}

static void b_ip_tos(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    int d = geti(u, IPPROTO_IP, IP_TOS);
    seti(u, IPPROTO_IP, IP_TOS, 0x10);
    snprintf(out, len, "default=%d set=%d", d, geti(u, IPPROTO_IP, IP_TOS));
    srr_close(u, NULL);
}

/* options set on the listener carry over to the accepted socket */
static void b_accept_inherits_options(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_addr a;
    srr_socket *l = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e), *s = NULL;
    srr_setsockopt_int(l, SOL_SOCKET, SO_KEEPALIVE, 1, &e);
    srr_setsockopt_int(l, IPPROTO_TCP, TCP_NODELAY, 1, &e);
    srr_setsockopt_int(l, SOL_SOCKET, SO_RCVBUF, 65536, &e);
    srr_addr_inet(&a, "127.0.0.1", 0);
    srr_bind(l, &a, &e);
    srr_listen(l, 4, &e);
    srr_getsockname(l, &a, &e);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_connect(c, &a, &e);
    srr_accept(l, &s, NULL, &e);
    snprintf(out, len, "keepalive=%d nodelay=%d rcvbuf=%d client_keepalive=%d",
             geti(s, SOL_SOCKET, SO_KEEPALIVE), geti(s, IPPROTO_TCP, TCP_NODELAY),
             geti(s, SOL_SOCKET, SO_RCVBUF), geti(c, SOL_SOCKET, SO_KEEPALIVE));
    close3(l, c, s);
}

/* a dup shares the open socket: its O_NONBLOCK, and the connection after the first is closed */
static void b_dup_shares(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    const srr_world_ops *o = w->ops;
    int d = o->fcntl(w, srr_fileno(c), F_DUPFD, 0);
    o->fcntl(w, srr_fileno(c), F_SETFL, O_NONBLOCK | o->fcntl(w, srr_fileno(c), F_GETFL, 0));
    int shared = !!(o->fcntl(w, d, F_GETFL, 0) & O_NONBLOCK);
    srr_close(c, NULL);
    char b[4] = "";
    struct iovec v = {.iov_base = "dup", .iov_len = 3};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
    ssize_t sent = o->sendmsg(w, d, &m, 0);
    ssize_t n = srr_recv(s, b, 3, MSG_WAITALL, &e);
    snprintf(out, len, "nonblock_shared=%d sent=%zd peer=%zd %.3s", shared, sent, n, b);
    o->close(w, d);
    srr_close(s, NULL);
    srr_close(l, NULL);
}

static void b_fionbio(srr_world *w, char *out, size_t len)
{
    const srr_world_ops *o = w->ops;
    int fd = o->socket(w, AF_INET, SOCK_STREAM, 0);
    int on = 1, off = 0;
    int r1 = o->ioctl(w, fd, FIONBIO, &on);
    int f1 = !!(o->fcntl(w, fd, F_GETFL, 0) & O_NONBLOCK);
    int r2 = o->ioctl(w, fd, FIONBIO, &off);
    int f2 = !!(o->fcntl(w, fd, F_GETFL, 0) & O_NONBLOCK);
    snprintf(out, len, "on=%s/%d off=%s/%d", rv(r1), f1, rv(r2), f2);
    o->close(w, fd);
}

static void b_poll_closed_handle(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int fd = srr_fileno(t);
    srr_close(t, NULL);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = w->ops->poll(w, &p, 1, 0);
    snprintf(out, len, "n=%d revents=%d", n, p.revents);
}

static void b_unix_data_then_close(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_sendall(p[0], "abc", 3, 0, &e);
    srr_close(p[0], NULL);
    char b[8];
    ssize_t n1 = srr_recv(p[1], b, sizeof b, 0, &e), n2 = srr_recv(p[1], b, sizeof b, 0, &e);
    snprintf(out, len, "recv=%zd then=%zd", n1, n2);
    srr_close(p[1], NULL);
}

/* closing with bytes unread resets the AF_UNIX peer */
static void b_unix_close_unread(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_sendall(p[0], "abc", 3, 0, &e);
    srr_close(p[1], NULL);
    char b[8];
    int r1 = (int)srr_recv(p[0], b, sizeof b, 0, &e);
    const char *first = res(r1, &e);
    ssize_t n = srr_recv(p[0], b, sizeof b, 0, &e);
    snprintf(out, len, "recv=%s then=%zd", first, n);
    srr_close(p[0], NULL);
}

static void b_unix_dgram_queue(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
    srr_send(p[0], "ab", 2, 0, &e);
    srr_send(p[0], "", 0, 0, &e);
    srr_send(p[0], "cde", 3, 0, &e);
    char b[8];
    int q = ioctl_int(p[1], FIONREAD);
    ssize_t pk = srr_recv(p[1], b, sizeof b, MSG_PEEK, &e);
    ssize_t n1 = srr_recv(p[1], b, sizeof b, 0, &e);
    ssize_t n2 = srr_recv(p[1], b, sizeof b, 0, &e);
    int q2 = ioctl_int(p[1], FIONREAD);
    ssize_t n3 = srr_recv(p[1], b, sizeof b, 0, &e);
    snprintf(out, len, "fionread=%d peek=%zd first=%zd empty=%zd fionread=%d third=%zd", q, pk, n1,
             n2, q2, n3);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_unix_stream_queue(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_send(p[0], "ab", 2, 0, &e);
    srr_send(p[0], "cde", 3, 0, &e);
    char b[8] = "";
    int q = ioctl_int(p[1], FIONREAD);
    ssize_t pk = srr_recv(p[1], b, 4, MSG_PEEK, &e);
    ssize_t n = srr_recv(p[1], b, sizeof b, 0, &e);
    int r = (int)srr_recv(p[1], b, sizeof b, MSG_DONTWAIT, &e);
    snprintf(out, len, "fionread=%d peek=%zd read=%zd then=%s", q, pk, n, res(r, &e));
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_unix_seqpacket_listener(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr a;
    unix_at(&a, p, sizeof p, "seq");
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_SEQPACKET, 0, &e), *s = NULL;
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_SEQPACKET, 0, &e);
    srr_bind(l, &a, &e);
    int rl = srr_listen(l, 1, &e);
    const char *lis = res(rl, &e);
    int rc = srr_connect(c, &a, &e);
    const char *conn = res(rc, &e);
    srr_accept(l, &s, NULL, &e);
    srr_send(c, "one", 3, 0, &e);
    srr_send(c, "three", 5, 0, &e);
    char b[16];
    ssize_t n1 = s ? srr_recv(s, b, sizeof b, 0, &e) : -1;
    ssize_t n2 = s ? srr_recv(s, b, sizeof b, 0, &e) : -1;
    snprintf(out, len, "listen=%s connect=%s type=%d records=%zd/%zd", lis, conn,
             s ? geti(s, SOL_SOCKET, SO_TYPE) : -1, n1, n2);
    close3(l, c, s);
    unlink(p);
}

static void b_unix_waitall_eof(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_sendall(p[0], "ab", 2, 0, &e);
    srr_shutdown(p[0], SHUT_WR, &e);
    char b[8];
    ssize_t n = srr_recv(p[1], b, sizeof b, MSG_WAITALL, &e);
    snprintf(out, len, "waitall=%zd", n);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_unix_listener_poll(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-lpoll-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e), *s = NULL;
    srr_bind(l, &a, &e);
    srr_listen(l, 2, &e);
    srr_setblocking(l, 0, &e);
    int r1 = srr_accept(l, &s, NULL, &e);
    const char *empty = res(r1, &e);
    int idle = revents(l, POLLIN | POLLOUT, 0);
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_connect(c, &a, &e);
    int pending = revents(l, POLLIN | POLLOUT, 1000);
    int r2 = srr_accept(l, &s, NULL, &e);
    snprintf(out, len, "accept_empty=%s idle=%d pending=%d accept=%s", empty, idle, pending,
             res(r2, &e));
    close3(l, c, s);
}

static void b_accept_order(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port), *s1 = NULL, *s2 = NULL;
    srr_socket *c1 = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_socket *c2 = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a, p1 = {0}, p2 = {0}, n1 = {0}, n2 = {0};
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_connect(c1, &a, &e);
    srr_connect(c2, &a, &e);
    srr_accept(l, &s1, &p1, &e);
    srr_accept(l, &s2, &p2, &e);
    srr_getsockname(c1, &n1, &e);
    srr_getsockname(c2, &n2, &e);
    snprintf(out, len, "first_is_c1=%d second_is_c2=%d", p1.port == n1.port, p2.port == n2.port);
    close3(l, c1, c2);
    srr_close(s1, NULL);
    srr_close(s2, NULL);
}

/* TCP: sendto's address is ignored once connected; unconnected it is EPIPE */
static void b_tcp_sendto(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_getsockname(l, &a, &e);
    int r1 = (int)srr_sendto(c, "x", 1, 0, &a, &e);
    const char *conn = res(r1, &e);
    int r2 = (int)srr_sendto(t, "x", 1, 0, &a, &e);
    const char *unconn = res(r2, &e);
    srr_addr peer;
    int r3 = srr_getpeername(l, &peer, &e);
    snprintf(out, len, "connected=%s unconnected=%s listener_peer=%s", conn, unconn, res(r3, &e));
    close3(l, c, s);
    srr_close(t, NULL);
}

static void b_unix_dgram_connect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr a;
    unix_at(&a, p, sizeof p, "dconn");
    srr_socket *r = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_bind(r, &a, &e);
    int rc = srr_connect(s, &a, &e);
    const char *conn = res(rc, &e);
    ssize_t sent = srr_send(s, "hi", 2, 0, &e);
    char b[4];
    ssize_t n = srr_recv(r, b, sizeof b, 0, &e);
    srr_addr peer = {0};
    srr_getpeername(s, &peer, &e);
    snprintf(out, len, "connect=%s send=%zd recv=%zd peer_same=%d", conn, sent, n,
             peer.pathlen == strlen(p) && memcmp(peer.path, p, peer.pathlen) == 0);
    srr_close(r, NULL);
    srr_close(s, NULL);
    unlink(p);
}

static void b_recv_small_buffer(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_sendall(c, "0123456789", 10, 0, &e);
    char b[16] = "";
    srr_recv(s, b, 10, MSG_PEEK | MSG_WAITALL, &e);
    ssize_t n1 = srr_recv(s, b, 4, 0, &e);
    ssize_t n2 = srr_recv(s, b + 4, 12, 0, &e);
    snprintf(out, len, "first=%zd second=%zd data=%.10s", n1, n2, b);
    close3(l, c, s);
}

static void b_peek_dontwait_empty(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s, *p[2];
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    char b[4];
    int r1 = (int)srr_recv(s, b, sizeof b, MSG_PEEK | MSG_DONTWAIT, &e);
    const char *tcp = res(r1, &e);
    int r2 = (int)srr_recv(p[1], b, sizeof b, MSG_PEEK | MSG_DONTWAIT, &e);
    snprintf(out, len, "tcp=%s unix=%s", tcp, res(r2, &e));
    close3(l, c, s);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_accepted_identity(srr_world *w, char *out, size_t len)
{
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET6, &l, &c, &s);
    snprintf(out, len, "type=%d domain=%d protocol=%d", geti(s, SOL_SOCKET, SO_TYPE),
             geti(s, SOL_SOCKET, SO_DOMAIN), geti(s, SOL_SOCKET, SO_PROTOCOL));
    close3(l, c, s);
}

/* a refused connect leaves the socket free to connect again */
static void b_connect_retry(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0, lp = 0;
    srr_socket *t = listener(w, AF_INET, SOCK_DGRAM, &port),
               *l = listener(w, AF_INET, SOCK_STREAM, &lp);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    int r1 = srr_connect(c, &a, &e);
    const char *first = res(r1, &e);
    int so = geti(c, SOL_SOCKET, SO_ERROR);
    srr_addr_inet(&a, "127.0.0.1", lp);
    int r2 = srr_connect(c, &a, &e);
    snprintf(out, len, "first=%s so_error=%d retry=%s", first, so, res(r2, &e));
    close3(t, l, c);
}

static void b_peer_name_after_close(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_close(s, NULL);
    char b[4];
    ssize_t eof = srr_recv(c, b, sizeof b, 0, &e);
    srr_addr p = {0};
    int r = srr_getpeername(c, &p, &e);
    snprintf(out, len, "eof=%zd getpeername=%s host=%s", eof, res(r, &e), p.host);
    srr_close(c, NULL);
    srr_close(l, NULL);
}

static void b_udp_reconnect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int p1 = 0, p2 = 0;
    srr_socket *a = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &p1);
    srr_socket *b = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &p2);
    srr_socket *u = udp_connected(w, a);
    srr_addr to, peer = {0};
    srr_addr_inet(&to, "127.0.0.1", p2);
    int r = srr_connect(u, &to, &e);
    const char *again = res(r, &e);
    srr_getpeername(u, &peer, &e);
    srr_send(u, "b", 1, 0, &e);
    char buf[4];
    ssize_t nb = srr_recv(b, buf, sizeof buf, MSG_DONTWAIT, &e);
    int ra = (int)srr_recv(a, buf, sizeof buf, MSG_DONTWAIT, &e);
    snprintf(out, len, "reconnect=%s peer_is_b=%d b_got=%zd a=%s", again, peer.port == p2, nb,
             res(ra, &e));
    close3(a, b, u);
}

static void b_port_zero_destination(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", 0);
    int r1 = (int)srr_sendto(u, "x", 1, 0, &a, &e);
    const char *udp = res(r1, &e);
    int r2 = srr_connect(t, &a, &e);
    snprintf(out, len, "udp_sendto=%s tcp_connect=%s", udp, res(r2, &e));
    srr_close(u, NULL);
    srr_close(t, NULL);
}

static void b_udp_order(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    srr_send(u, "1", 1, 0, &e);
    srr_send(u, "22", 2, 0, &e);
    srr_send(u, "333", 3, 0, &e);
    char b[8];
    srr_settimeout(r, 1.0, &e);
    ssize_t n1 = srr_recv(r, b, sizeof b, 0, &e), n2 = srr_recv(r, b, sizeof b, 0, &e);
    ssize_t n3 = srr_recv(r, b, sizeof b, 0, &e);
    snprintf(out, len, "sizes=%zd,%zd,%zd", n1, n2, n3);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_v6_to_v4_udp(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    srr_addr to, from = {0};
    srr_addr_inet6(&to, "::ffff:127.0.0.1", port, 0, 0);
    int rs = (int)srr_sendto(u, "six", 3, 0, &to, &e);
    const char *sent = res(rs, &e);
    char b[8];
    srr_settimeout(r, 1.0, &e);
    ssize_t n = srr_recvfrom(r, b, sizeof b, 0, &from, &e);
    snprintf(out, len, "sendto=%s recv=%zd from=%s", sent, n, from.host);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_listener_send_recv(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port);
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-lsr-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(x, &a, &e);
    srr_listen(x, 1, &e);
    char b[4];
    int r1 = (int)srr_send(l, "x", 1, 0, &e);
    const char *ts = res(r1, &e);
    int r2 = (int)srr_recv(l, b, sizeof b, MSG_DONTWAIT, &e);
    const char *tr = res(r2, &e);
    int r3 = (int)srr_send(x, "x", 1, 0, &e);
    const char *us = res(r3, &e);
    snprintf(out, len, "tcp_send=%s tcp_recv=%s unix_send=%s", ts, tr, us);
    srr_close(l, NULL);
    srr_close(x, NULL);
}

static void b_unix_connect_twice(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-twice-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(l, &a, &e);
    srr_listen(l, 4, &e);
    srr_connect(c, &a, &e);
    int r1 = srr_connect(c, &a, &e);
    snprintf(out, len, "again=%s", res(r1, &e));
    srr_close(l, NULL);
    srr_close(c, NULL);
}

static void b_unix_shut_rdwr(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_shutdown(p[0], SHUT_RDWR, &e);
    char b[4];
    ssize_t n0 = srr_recv(p[0], b, sizeof b, 0, &e);
    int r0 = (int)srr_send(p[0], "x", 1, 0, &e);
    const char *s0 = res(r0, &e);
    ssize_t n1 = srr_recv(p[1], b, sizeof b, 0, &e);
    int r1 = (int)srr_send(p[1], "x", 1, 0, &e);
    snprintf(out, len, "recv=%zd send=%s peer_recv=%zd peer_send=%s", n0, s0, n1, res(r1, &e));
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_seqpacket_peek(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_SEQPACKET, 0, p, &e);
    srr_send(p[0], "abc", 3, 0, &e);
    srr_send(p[0], "de", 2, 0, &e);
    char b[8];
    ssize_t pk = srr_recv(p[1], b, sizeof b, MSG_PEEK, &e);
    ssize_t n1 = srr_recv(p[1], b, sizeof b, 0, &e), n2 = srr_recv(p[1], b, sizeof b, 0, &e);
    int q = ioctl_int(p[1], FIONREAD);
    snprintf(out, len, "peek=%zd first=%zd second=%zd fionread=%d", pk, n1, n2, q);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_seqpacket_peer_closed(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_SEQPACKET, 0, p, &e);
    srr_send(p[1], "last", 4, 0, &e);
    srr_close(p[1], NULL);
    char b[8];
    ssize_t n1 = srr_recv(p[0], b, sizeof b, 0, &e), n2 = srr_recv(p[0], b, sizeof b, 0, &e);
    int r = (int)srr_send(p[0], "x", 1, 0, &e);
    snprintf(out, len, "recv=%zd then=%zd send=%s", n1, n2, res(r, &e));
    srr_close(p[0], NULL);
}

static void b_unix_dgram_trunc(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
    srr_send(p[0], "hello", 5, 0, &e);
    char b[8] = "";
    ssize_t n = srr_recv(p[1], b, 2, MSG_TRUNC, &e);
    snprintf(out, len, "recv=%zd data=%.2s", n, b);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_unix_poll_dgram_data(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
    srr_send(p[0], "x", 1, 0, &e);
    int with = revents(p[1], POLLIN | POLLOUT, 0);
    char b[4];
    srr_recv(p[1], b, sizeof b, 0, &e);
    int after = revents(p[1], POLLIN | POLLOUT, 0);
    snprintf(out, len, "with_data=%d after=%d", with, after);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_unix_acceptconn(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-acc-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e), *s = NULL;
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(l, &a, &e);
    int before = geti(l, SOL_SOCKET, SO_ACCEPTCONN);
    srr_listen(l, 1, &e);
    srr_connect(c, &a, &e);
    srr_accept(l, &s, NULL, &e);
    snprintf(out, len, "bound=%d listener=%d client=%d accepted=%d", before,
             geti(l, SOL_SOCKET, SO_ACCEPTCONN), geti(c, SOL_SOCKET, SO_ACCEPTCONN),
             s ? geti(s, SOL_SOCKET, SO_ACCEPTCONN) : -1);
    close3(l, c, s);
}

/* SO_RCVTIMEO bounds a blocking accept and recv */
static void rcvtimeo_100ms(srr_socket *s)
{
    srr_error e;
    struct timeval tv = {0, 100000};
    srr_setsockopt_buf(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv, &e);
}

static void b_rcvtimeo_elsewhere(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0, up = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port), *got = NULL, *p[2];
    srr_socket *u = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &up);
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    rcvtimeo_100ms(l);
    rcvtimeo_100ms(u);
    rcvtimeo_100ms(p[0]);
    char b[4];
    int r1 = srr_accept(l, &got, NULL, &e);
    const char *acc = res(r1, &e);
    int r2 = (int)srr_recv(u, b, sizeof b, 0, &e);
    const char *udp = res(r2, &e);
    int r3 = (int)srr_recv(p[0], b, sizeof b, 0, &e);
    snprintf(out, len, "accept=%s udp=%s unix=%s", acc, udp, res(r3, &e));
    close3(l, u, got);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_so_error_after_reset(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    struct linger lg = {1, 0};
    srr_setsockopt_buf(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg, &e);
    srr_close(c, NULL);
    char b[4];
    srr_settimeout(s, 1.0, &e);
    int r1 = (int)srr_recv(s, b, sizeof b, 0, &e);
    const char *first = res(r1, &e);
    int so = geti(s, SOL_SOCKET, SO_ERROR);
    ssize_t n = srr_recv(s, b, sizeof b, 0, &e);
    snprintf(out, len, "recv=%s so_error=%d then=%zd", first, so, n);
    srr_close(s, NULL);
    srr_close(l, NULL);
}

/* a TCP listener's port is still free for UDP */
static void b_tcp_udp_ports_apart(srr_world *w, char *out, size_t len)
{
    int port = 0;
    srr_socket *t = bound_at(w, AF_INET, SOCK_STREAM, "127.0.0.1", -1, &port);
    snprintf(out, len, "udp_on_tcp_port=%s",
             bind_to(w, AF_INET, SOCK_DGRAM, "127.0.0.1", port, 0, NULL));
    srr_close(t, NULL);
}

static void b_v4_v6_same_port(srr_world *w, char *out, size_t len)
{
    int port = 0;
    srr_socket *t = bound_at(w, AF_INET, SOCK_STREAM, "127.0.0.1", -1, &port);
    snprintf(out, len, "v6_loopback=%s", bind_again(w, AF_INET6, "::1", port));
    srr_close(t, NULL);
}

static void b_v6_any_after_v4_any(srr_world *w, char *out, size_t len)
{
    int port = 0;
    srr_socket *t = bound_at(w, AF_INET, SOCK_STREAM, "0.0.0.0", -1, &port), *o = NULL;
    const char *dual = bind_again(w, AF_INET6, "::", port);
    srr_error e;
    srr_addr a;
    o = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_setsockopt_int(o, IPPROTO_IPV6, IPV6_V6ONLY, 1, &e);
    srr_addr_inet6(&a, "::", port, 0, 0);
    int r = srr_bind(o, &a, &e);
    snprintf(out, len, "dual=%s v6only=%s", dual, res(r, &e));
    srr_close(t, NULL);
    srr_close(o, NULL);
}

static void b_nonblocking_partial_send(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_setblocking(c, 0, &e);
    static char big[16 << 20];
    ssize_t n = srr_send(c, big, sizeof big, 0, &e);
    snprintf(out, len, "partial=%d", n > 0 && n < (ssize_t)sizeof big);
    close3(l, c, s);
}

static void b_socketpair_names(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_addr a = {0}, b = {0};
    a.pathlen = b.pathlen = 99;
    int r1 = srr_getsockname(p[0], &a, &e);
    const char *n = res(r1, &e);
    int r2 = srr_getpeername(p[0], &b, &e);
    snprintf(out, len, "name=%s/%d peer=%s/%d", n, (int)a.pathlen, res(r2, &e), (int)b.pathlen);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_udp_options(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    char a[16], b[16];
    bool_opt(u, SOL_SOCKET, SO_KEEPALIVE, a, sizeof a);
    bool_opt(u, SOL_SOCKET, SO_REUSEADDR, b, sizeof b);
    seti(u, SOL_SOCKET, SO_SNDBUF, 10000);
    seti(u, SOL_SOCKET, SO_RCVBUF, 10000);
    snprintf(out, len, "keepalive=%s reuseaddr=%s sndbuf=%d rcvbuf=%d", a, b,
             geti(u, SOL_SOCKET, SO_SNDBUF), geti(u, SOL_SOCKET, SO_RCVBUF));
    srr_close(u, NULL);
}

static void b_unix_buffers_set(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    seti(x, SOL_SOCKET, SO_SNDBUF, 10000);
    seti(x, SOL_SOCKET, SO_RCVBUF, 10000);
    snprintf(out, len, "sndbuf=%d rcvbuf=%d", geti(x, SOL_SOCKET, SO_SNDBUF),
             geti(x, SOL_SOCKET, SO_RCVBUF));
    srr_close(x, NULL);
}

/* a connection still in the accept queue is reset when the listener closes */
static void b_close_listener_with_queue(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    int rc = srr_connect(c, &a, &e);
    const char *conn = res(rc, &e);
    srr_close(l, NULL);
    char b[4];
    srr_settimeout(c, 1.0, &e);
    int r = (int)srr_recv(c, b, sizeof b, 0, &e);
    snprintf(out, len, "connect=%s recv=%s", conn, res(r, &e));
    srr_close(c, NULL);
}

static void b_unix_nonblocking_connect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-nbc-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(l, &a, &e);
    srr_listen(l, 0, &e);
    srr_socket *c[3];
    char r[3][16];
    for (int i = 0; i < 3; i++) {
        c[i] = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
        srr_setblocking(c[i], 0, &e);
        int x = srr_connect_ex(c[i], &a, &e);
        snprintf(r[i], sizeof r[i], "%s", x ? srr_errno_name(x) : "0");
    }
    snprintf(out, len, "c0=%s c1=%s c2=%s", r[0], r[1], r[2]);
    close3(c[0], c[1], c[2]);
    srr_close(l, NULL);
}

static void b_close_wait_reads(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_shutdown(s, SHUT_WR, &e);
    char b[4];
    ssize_t n1 = srr_recv(c, b, sizeof b, 0, &e), n2 = srr_recv(c, b, sizeof b, 0, &e);
    ssize_t n3 = srr_recv(c, b, sizeof b, MSG_DONTWAIT, &e);
    int sent = (int)srr_send(c, "ok", 2, 0, &e);
    snprintf(out, len, "eof=%zd/%zd/%zd send=%s", n1, n2, n3, res(sent, &e));
    close3(l, c, s);
}

static void b_ipv6_tcp_options(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    char a[16], b[16];
    bool_opt(t, IPPROTO_TCP, TCP_NODELAY, a, sizeof a);
    bool_opt(t, SOL_SOCKET, SO_KEEPALIVE, b, sizeof b);
    snprintf(out, len, "nodelay=%s keepalive=%s keepidle=%d", a, b,
             geti(t, IPPROTO_TCP, TCP_KEEPIDLE));
    srr_close(t, NULL);
}

static void b_unix_linger(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    struct linger s = {1, 5}, r = {-1, -1};
    int rs = srr_setsockopt_buf(x, SOL_SOCKET, SO_LINGER, &s, sizeof s, &e);
    const char *set = res(rs, &e);
    srr_getsockopt_buf(x, SOL_SOCKET, SO_LINGER, &r, sizeof r, &e);
    snprintf(out, len, "set=%s back=%d/%d", set, r.l_onoff, r.l_linger);
    srr_close(x, NULL);
}

static void b_socketpair_flags(srr_world *w, char *out, size_t len)
{
    const srr_world_ops *o = w->ops;
    int a[2] = {-1, -1}, b[2] = {-1, -1};
    int r1 = o->socketpair(w, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a);
    int r2 = o->socketpair(w, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, b);
    char buf[4];
    struct iovec v = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
    int rr = (int)o->recvmsg(w, b[1], &m, 0);
    snprintf(out, len, "cloexec=%s/%d/%d nonblock=%s/%d/%d recv=%s", rv(r1),
             o->fcntl(w, a[0], F_GETFD, 0), o->fcntl(w, a[1], F_GETFD, 0), rv(r2),
             !!(o->fcntl(w, b[0], F_GETFL, 0) & O_NONBLOCK),
             !!(o->fcntl(w, b[1], F_GETFL, 0) & O_NONBLOCK), rv(rr));
    o->close(w, a[0]);
    o->close(w, a[1]);
    o->close(w, b[0]);
    o->close(w, b[1]);
}

static void b_accept4_cloexec(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port);
    srr_socket *c1 = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_socket *c2 = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    srr_connect(c1, &a, &e);
    srr_connect(c2, &a, &e);
    const srr_world_ops *o = w->ops;
    int a1 = o->accept4(w, srr_fileno(l), NULL, NULL, 0);
    int a2 = o->accept4(w, srr_fileno(l), NULL, NULL, SOCK_CLOEXEC);
    snprintf(out, len, "plain=%d cloexec=%d", o->fcntl(w, a1, F_GETFD, 0),
             o->fcntl(w, a2, F_GETFD, 0));
    o->close(w, a1);
    o->close(w, a2);
    close3(l, c1, c2);
}

static void b_dupfd_minimum(srr_world *w, char *out, size_t len)
{
    const srr_world_ops *o = w->ops;
    int fd = o->socket(w, AF_INET, SOCK_DGRAM, 0);
    int d = o->fcntl(w, fd, F_DUPFD, 100);
    int ty = -1;
    socklen_t tl = sizeof ty;
    o->getsockopt(w, d, SOL_SOCKET, SO_TYPE, &ty, &tl);
    snprintf(out, len, "at_least_100=%d type=%d", d >= 100, ty);
    o->close(w, d);
    o->close(w, fd);
}

static void b_udp_peek_trunc(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    srr_send(u, "hello", 5, 0, &e);
    revents(r, POLLIN, 1000);
    char b[8];
    ssize_t n1 = srr_recv(r, b, 2, MSG_PEEK | MSG_TRUNC, &e);
    ssize_t n2 = srr_recv(r, b, sizeof b, 0, &e);
    snprintf(out, len, "peek_trunc=%zd then=%zd", n1, n2);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_local_address_after_connect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int up = 0, up6 = 0;
    srr_socket *l, *c, *s, *l6, *c6, *s6;
    conn_pair(w, AF_INET, &l, &c, &s);
    conn_pair(w, AF_INET6, &l6, &c6, &s6);
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &up);
    srr_socket *r6 = bound_at(w, AF_INET6, SOCK_DGRAM, "::1", -1, &up6);
    srr_socket *u = udp_connected(w, r);
    srr_socket *u6 = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    srr_addr a6;
    srr_addr_inet6(&a6, "::1", up6, 0, 0);
    srr_connect(u6, &a6, &e);
    srr_addr n[4];
    memset(n, 0, sizeof n);
    srr_getsockname(c, &n[0], &e);
    srr_getsockname(c6, &n[1], &e);
    srr_getsockname(u, &n[2], &e);
    srr_getsockname(u6, &n[3], &e);
    snprintf(out, len, "tcp=%s/%d tcp6=%s/%d udp=%s/%d udp6=%s/%d", n[0].host,
             in_ephemeral_range(c), n[1].host, in_ephemeral_range(c6), n[2].host,
             in_ephemeral_range(u), n[3].host, in_ephemeral_range(u6));
    close3(l, c, s);
    close3(l6, c6, s6);
    close3(r, r6, u);
    srr_close(u6, NULL);
}

static void b_unix_stream_zero_send(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    ssize_t n = srr_send(p[0], "", 0, 0, &e);
    char b[4];
    int r = (int)srr_recv(p[1], b, sizeof b, MSG_DONTWAIT, &e);
    snprintf(out, len, "send=%zd peer_recv=%s", n, res(r, &e));
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_ipv6_bound_name(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *t = bound_at(w, AF_INET6, SOCK_DGRAM, "::1", -1, &port);
    srr_socket *a = bound_at(w, AF_INET6, SOCK_STREAM, "::", -1, &port);
    srr_addr n = {0}, m = {0};
    srr_getsockname(t, &n, &e);
    srr_getsockname(a, &m, &e);
    snprintf(out, len, "loopback=%s any=%s", n.host, m.host);
    srr_close(t, NULL);
    srr_close(a, NULL);
}

static void b_keepalive_inherited(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_addr a;
    srr_socket *l = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e), *s = NULL;
    srr_setsockopt_int(l, IPPROTO_TCP, TCP_KEEPIDLE, 60, &e);
    srr_setsockopt_int(l, IPPROTO_TCP, TCP_KEEPINTVL, 10, &e);
    srr_setsockopt_int(l, IPPROTO_TCP, TCP_KEEPCNT, 3, &e);
    srr_addr_inet(&a, "127.0.0.1", 0);
    srr_bind(l, &a, &e);
    srr_listen(l, 4, &e);
    srr_getsockname(l, &a, &e);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_connect(c, &a, &e);
    srr_accept(l, &s, NULL, &e);
    snprintf(out, len, "accepted=%d/%d/%d client=%d", geti(s, IPPROTO_TCP, TCP_KEEPIDLE),
             geti(s, IPPROTO_TCP, TCP_KEEPINTVL), geti(s, IPPROTO_TCP, TCP_KEEPCNT),
             geti(c, IPPROTO_TCP, TCP_KEEPIDLE));
    close3(l, c, s);
}

static void b_ipv6_inuse_and_refused(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *t = bound_at(w, AF_INET6, SOCK_DGRAM, "::1", -1, &port);
    srr_socket *l = bound_at(w, AF_INET6, SOCK_STREAM, "::1", -1, &port);
    const char *again = bind_again(w, AF_INET6, "::1", port);
    srr_close(l, NULL);
    srr_socket *c = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_addr a;
    srr_addr_inet6(&a, "::1", port, 0, 0);
    int r = srr_connect(c, &a, &e);
    snprintf(out, len, "bind_again=%s connect_closed=%s", again, res(r, &e));
    srr_close(c, NULL);
    srr_close(t, NULL);
}

static void b_unix_data_then_shut_wr(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    srr_sendall(p[0], "abc", 3, 0, &e);
    srr_shutdown(p[0], SHUT_WR, &e);
    char b[8];
    ssize_t n1 = srr_recv(p[1], b, sizeof b, 0, &e), n2 = srr_recv(p[1], b, sizeof b, 0, &e);
    int ev = revents(p[1], POLLIN | POLLOUT | POLLRDHUP, 0);
    snprintf(out, len, "recv=%zd then=%zd revents=%d", n1, n2, ev);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_unix_sndtimeo(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    struct timeval s = {1, 500000}, r = {-1, -1}; /* whole jiffies at HZ 100, 250, 300, 1000 */
    int rs = srr_setsockopt_buf(x, SOL_SOCKET, SO_SNDTIMEO, &s, sizeof s, &e);
    const char *set = res(rs, &e);
    srr_getsockopt_buf(x, SOL_SOCKET, SO_SNDTIMEO, &r, sizeof r, &e);
    snprintf(out, len, "set=%s back=%ld.%06ld", set, (long)r.tv_sec, (long)r.tv_usec);
    srr_close(x, NULL);
}

static void b_tos_and_tclass(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_socket *t6 = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_socket *u6 = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    seti(t, IPPROTO_IP, IP_TOS, 0xff);
    int tcp = geti(t, IPPROTO_IP, IP_TOS);
    seti(u, IPPROTO_IP, IP_TOS, 256);
    int u256 = geti(u, IPPROTO_IP, IP_TOS);
    seti(u, IPPROTO_IP, IP_TOS, -1);
    int um1 = geti(u, IPPROTO_IP, IP_TOS);
    seti(t6, IPPROTO_IP, IP_TOS, 0x10);
    int t6tos = geti(t6, IPPROTO_IP, IP_TOS);
    seti(u6, IPPROTO_IPV6, IPV6_TCLASS, 0x28);
    int c28 = geti(u6, IPPROTO_IPV6, IPV6_TCLASS);
    seti(u6, IPPROTO_IPV6, IPV6_TCLASS, -1);
    int cm1 = geti(u6, IPPROTO_IPV6, IPV6_TCLASS);
    char c256[16], v4set[16];
    snprintf(c256, sizeof c256, "%s", seti(u6, IPPROTO_IPV6, IPV6_TCLASS, 256));
    seti(t6, IPPROTO_IPV6, IPV6_TCLASS, 0xff);
    int t6c = geti(t6, IPPROTO_IPV6, IPV6_TCLASS);
    snprintf(v4set, sizeof v4set, "%s", seti(u, IPPROTO_IPV6, IPV6_TCLASS, 1));
    snprintf(out, len,
             "tcp_tos=%d udp_tos256=%d udp_tos-1=%d tcp6_tos=%d tclass=%d/%d/%s tcp6_tclass=%d "
             "v4_tclass=%s/%s",
             tcp, u256, um1, t6tos, c28, cm1, c256, t6c, v4set,
             rv(geti(u, IPPROTO_IPV6, IPV6_TCLASS)));
    srr_close(t, NULL);
    srr_close(u, NULL);
    srr_close(t6, NULL);
    srr_close(u6, NULL);
}

/* A receive with MSG_ERRQUEUE: "ok"/the errno, as the seam answers it */
static const char *errqueue(srr_socket *s)
{
    char b[8];
    struct iovec io = {b, sizeof b};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1};
    srr_world *w = srr_socket_world(s);
    return rv(w->ops->recvmsg(w, srr_fileno(s), &m, MSG_ERRQUEUE | MSG_DONTWAIT));
}

static void b_recverr_errqueue(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_socket *u6 = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    srr_socket *l, *c, *s, *p[2];
    int r0 = geti(u, IPPROTO_IP, IP_RECVERR);
    seti(u, IPPROTO_IP, IP_RECVERR, 5);
    seti(u6, IPPROTO_IPV6, IPV6_RECVERR, 1);
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
    srr_send(p[1], "x", 1, 0, &e);
    char udp[16], tcp[16];
    snprintf(udp, sizeof udp, "%s", errqueue(u));
    snprintf(tcp, sizeof tcp, "%s", errqueue(c));
    snprintf(out, len, "recverr=%d/%d recverr6=%d udp=%s tcp=%s unix=%s", r0,
             geti(u, IPPROTO_IP, IP_RECVERR), geti(u6, IPPROTO_IPV6, IPV6_RECVERR), udp, tcp,
             errqueue(p[0]));
    close3(l, c, s);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_close(u, NULL);
    srr_close(u6, NULL);
}

static void b_timestamp_options(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    int d = geti(u, SOL_SOCKET, SO_TIMESTAMP);
    seti(u, SOL_SOCKET, SO_TIMESTAMP, 1);
    int ts = geti(u, SOL_SOCKET, SO_TIMESTAMP);
    seti(u, SOL_SOCKET, SO_TIMESTAMPNS, 1);
    int ns = geti(u, SOL_SOCKET, SO_TIMESTAMPNS), ts_after = geti(u, SOL_SOCKET, SO_TIMESTAMP);
    seti(u, SOL_SOCKET, SO_TIMESTAMP, 0);
    snprintf(out, len, "default=%d ts=%d ns=%d ts_after_ns=%d off=%d", d, ts, ns, ts_after,
             geti(u, SOL_SOCKET, SO_TIMESTAMPNS));
    srr_close(u, NULL);
}

/* One datagram from `from` to `to`, received with a control buffer of cap
 * bytes: its control messages in short into out. */
static void cmsgs_of(srr_socket *from, srr_socket *to, const srr_addr *at, size_t cap, char *out,
                     size_t len)
{
    srr_error e;
    char b[8], ctl[256];
    srr_sendto(from, "x", 1, 0, at, &e);
    struct iovec io = {b, sizeof b};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cap ? ctl : NULL,
                       .msg_controllen = cap};
    srr_world *w = srr_socket_world(to);
    struct pollfd pf = {.fd = srr_fileno(to), .events = POLLIN};
    w->ops->poll(w, &pf, 1, 1000000000LL);
    w->ops->recvmsg(w, srr_fileno(to), &m, 0);
    size_t k = (size_t)snprintf(out, len, "ctrunc=%d len=%zu", !!(m.msg_flags & MSG_CTRUNC),
                                (size_t)m.msg_controllen);
    for (struct cmsghdr *c = m.msg_controllen ? CMSG_FIRSTHDR(&m) : NULL; c && k < len;
         c = CMSG_NXTHDR(&m, c)) {
        char v[64] = "";
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
            struct in_pktinfo pi;
            char x[INET_ADDRSTRLEN], y[INET_ADDRSTRLEN];
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            snprintf(v, sizeof v, " if=%d spec=%s addr=%s", pi.ipi_ifindex,
                     inet_ntop(AF_INET, &pi.ipi_spec_dst, x, sizeof x),
                     inet_ntop(AF_INET, &pi.ipi_addr, y, sizeof y));
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
            snprintf(v, sizeof v, " tos=%d", *CMSG_DATA(c));
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            char x[INET6_ADDRSTRLEN];
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            snprintf(v, sizeof v, " if=%d addr=%s", pi.ipi6_ifindex,
                     inet_ntop(AF_INET6, &pi.ipi6_addr, x, sizeof x));
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
            int t;
            memcpy(&t, CMSG_DATA(c), sizeof t);
            snprintf(v, sizeof v, " tclass=%d", t);
        }
        k += (size_t)snprintf(out + k, len - k, " [%d/%d/%zu%s]", c->cmsg_level, c->cmsg_type,
                              (size_t)c->cmsg_len, v);
    }
}

static void b_datagram_control_messages(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    seti(r, IPPROTO_IP, IP_PKTINFO, 1);
    seti(r, IPPROTO_IP, IP_RECVTOS, 1);
    seti(u, IPPROTO_IP, IP_TOS, 0x20);
    char one[160], stamp[160], small[64], none[64];
    cmsgs_of(u, r, &a, 256, one, sizeof one);
    seti(r, SOL_SOCKET, SO_TIMESTAMP, 1);
    cmsgs_of(u, r, &a, 256, stamp, sizeof stamp);
    /* only the stamp's 32 bytes before the stamp's end: the rest is cut */
    cmsgs_of(u, r, &a, 40, small, sizeof small);
    cmsgs_of(u, r, &a, 0, none, sizeof none);
    /* the stamp's value is the clock's: its place, not its value */
    char *cut = strstr(stamp, " [0/8");
    if (cut)
        *cut = '\0';
    snprintf(out, len, "%s | %s | %s | %s", one, stamp, small, none);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

static void b_ipv6_control_messages(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET6, SOCK_DGRAM, "::1", -1, &port);
    srr_socket *u = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    srr_addr a;
    srr_addr_inet6(&a, "::1", port, 0, 0);
    seti(r, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
    seti(r, IPPROTO_IPV6, IPV6_RECVTCLASS, 1);
    seti(u, IPPROTO_IPV6, IPV6_TCLASS, 0x28);
    cmsgs_of(u, r, &a, 256, out, len);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

/* Four listeners share one port: connections go to more than one */
static void b_reuseport_spreads(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l[4];
    srr_addr a;
    int port = 0, got[4] = {0};
    for (int i = 0; i < 4; i++) {
        l[i] = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
        seti(l[i], SOL_SOCKET, SO_REUSEPORT, 1);
        srr_addr_inet(&a, "127.0.0.1", port);
        srr_bind(l[i], &a, &e);
        srr_listen(l[i], 64, &e);
        srr_getsockname(l[i], &a, &e);
        port = a.port;
        srr_setblocking(l[i], 0, &e);
    }
    for (int n = 0; n < 40; n++) {
        srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e), *s;
        srr_connect(c, &a, &e);
        for (int i = 0; i < 4; i++)
            if (srr_accept(l[i], &s, NULL, &e) == 0) {
                got[i]++;
                srr_close(s, NULL);
            }
        srr_close(c, NULL);
    }
    int used = 0, total = 0;
    for (int i = 0; i < 4; i++) {
        used += got[i] > 0;
        total += got[i];
        srr_close(l[i], NULL);
    }
    snprintf(out, len, "accepted=%d spread=%d", total, used > 1);
}

/* AF_UNIX datagrams fill the sender's buffer by their truesize, and a
 * receiver that is not the sender's peer queues max_dgram_qlen + 1 */
static void b_unix_dgram_send_buffer(srr_world *w, char *out, size_t len)
{
    srr_error e;
    static char b[1000];
    int counts[3];
    size_t sizes[2] = {1, 1000};
    for (int i = 0; i < 2; i++) {
        srr_socket *p[2];
        srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
        int n = 0;
        while (n < 1000 && srr_send(p[0], b, sizes[i], MSG_DONTWAIT, &e) >= 0)
            n++;
        counts[i] = n;
        srr_close(p[0], NULL);
        srr_close(p[1], NULL);
    }
    srr_socket *r = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    char name[40];
    int k = snprintf(name, sizeof name, "sockrr-dq-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)k);
    srr_bind(r, &a, &e);
    int n = 0;
    while (n < 1000 && srr_sendto(s, "x", 1, MSG_DONTWAIT, &a, &e) >= 0)
        n++;
    counts[2] = n;
    const char *last = res(-1, &e);
    /* POLLOUT: a quarter of the send buffer */
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
    struct pollfd pf = {.fd = srr_fileno(p[0]), .events = POLLOUT};
    int writable = 0;
    while (writable < 1000) {
        pf.revents = 0;
        w->ops->poll(w, &pf, 1, 0);
        if (!(pf.revents & POLLOUT))
            break;
        srr_send(p[0], b, sizeof b, 0, &e);
        writable++;
    }
    snprintf(out, len, "pair_1B=%d pair_1000B=%d unpaired=%d/%s pollout_1000B=%d", counts[0],
             counts[1], counts[2], last, writable);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    srr_close(r, NULL);
    srr_close(s, NULL);
}

static void b_oobinline_dontroute(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    char a[16], b[16];
    bool_opt(t, SOL_SOCKET, SO_OOBINLINE, a, sizeof a);
    bool_opt(t, SOL_SOCKET, SO_DONTROUTE, b, sizeof b);
    snprintf(out, len, "oobinline=%s dontroute=%s", a, b);
    srr_close(t, NULL);
}

/* l_onoff 0 clears the flag and leaves the time as it was */
static void b_so_linger_off(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    struct linger s1 = {1, 7}, s2 = {0, 9}, r = {-1, -1};
    srr_setsockopt_buf(t, SOL_SOCKET, SO_LINGER, &s1, sizeof s1, &e);
    srr_setsockopt_buf(t, SOL_SOCKET, SO_LINGER, &s2, sizeof s2, &e);
    srr_getsockopt_buf(t, SOL_SOCKET, SO_LINGER, &r, sizeof r, &e);
    snprintf(out, len, "off=%d/%d", r.l_onoff, r.l_linger);
    srr_close(t, NULL);
}

static void b_lowat(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int d = geti(t, SOL_SOCKET, SO_RCVLOWAT);
    seti(t, SOL_SOCKET, SO_RCVLOWAT, 0);
    int z = geti(t, SOL_SOCKET, SO_RCVLOWAT);
    seti(t, SOL_SOCKET, SO_RCVLOWAT, 10);
    int ten = geti(t, SOL_SOCKET, SO_RCVLOWAT);
    snprintf(out, len, "rcvlowat=%d/%d/%d sndlowat=%d set_sndlowat=%s", d, z, ten,
             geti(t, SOL_SOCKET, SO_SNDLOWAT), seti(t, SOL_SOCKET, SO_SNDLOWAT, 1));
    srr_close(t, NULL);
}

static void b_unknown_level(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    snprintf(out, len, "tcp_level=%s udp_level=%s", rv(geti(t, 12345, 1)), rv(geti(u, 12345, 1)));
    srr_close(t, NULL);
    srr_close(u, NULL);
}

static void b_ip_ttl(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    int d = geti(t, IPPROTO_IP, IP_TTL);
    char zero[16], big[16];
    snprintf(zero, sizeof zero, "%s", seti(t, IPPROTO_IP, IP_TTL, 0));
    snprintf(big, sizeof big, "%s", seti(t, IPPROTO_IP, IP_TTL, 256));
    seti(t, IPPROTO_IP, IP_TTL, 200);
    int set = geti(t, IPPROTO_IP, IP_TTL);
    seti(t, IPPROTO_IP, IP_TTL, -1);
    snprintf(out, len, "default=%d zero=%s 256=%s set=%d minus1=%d", d, zero, big, set, geti(t, IPPROTO_IP, IP_TTL));
    srr_close(t, NULL);
}

static void b_ipv6_hops(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *t = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    int d = geti(t, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    char big[16];
    snprintf(big, sizeof big, "%s", seti(t, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 300));
    seti(t, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9);
    int set = geti(t, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    seti(t, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1);
    snprintf(out, len, "default=%d 300=%s set=%d minus1=%d", d, big, set, geti(t, IPPROTO_IPV6, IPV6_UNICAST_HOPS));
    srr_close(t, NULL);
}

static void b_listener_siocoutq(srr_world *w, char *out, size_t len)
{
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port);
    snprintf(out, len, "siocoutq=%s", rv(ioctl_int(l, SIOCOUTQ)));
    srr_close(l, NULL);
}

static void b_udp6_size_limit(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET6, SOCK_DGRAM, "::1", -1, &port);
    srr_socket *s = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    srr_addr a;
    srr_addr_inet6(&a, "::1", port, 0, 0);
    static char buf[65528];
    int max = (int)srr_sendto(s, buf, 65527, 0, &a, &e);
    const char *m = res(max, &e);
    int over = (int)srr_sendto(s, buf, 65528, 0, &a, &e);
    snprintf(out, len, "max=%s over=%s", m, res(over, &e));
    srr_close(s, NULL);
    srr_close(r, NULL);
}

static void b_udp_send_after_shut_wr(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    srr_shutdown(u, SHUT_WR, &e);
    int r1 = (int)srr_send(u, "x", 1, 0, &e);
    snprintf(out, len, "send=%s", res(r1, &e));
    srr_close(u, NULL);
    srr_close(r, NULL);
}

/* AF_UNIX takes SOCK_RAW as SOCK_DGRAM */
static void b_unix_sock_raw(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_RAW, 0, &e);
    const char *made = s ? "ok" : res(-1, &e);
    snprintf(out, len, "socket=%s type=%d", made, s ? geti(s, SOL_SOCKET, SO_TYPE) : -1);
    srr_close(s, NULL);
}

/* the any address as a destination is this host */
static void b_connect_to_any(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int p4 = 0, p6 = 0;
    srr_socket *l4 = listener(w, AF_INET, SOCK_STREAM, &p4), *l6 = listener(w, AF_INET6, SOCK_STREAM, &p6);
    srr_socket *c4 = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_socket *c6 = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_addr a4, a6, peer4 = {0}, peer6 = {0};
    srr_addr_inet(&a4, "0.0.0.0", p4);
    srr_addr_inet6(&a6, "::", p6, 0, 0);
    int r1 = srr_connect(c4, &a4, &e);
    const char *v4 = res(r1, &e);
    int r2 = srr_connect(c6, &a6, &e);
    const char *v6 = res(r2, &e);
    srr_getpeername(c4, &peer4, &e);
    srr_getpeername(c6, &peer6, &e);
    snprintf(out, len, "v4=%s peer=%s v6=%s peer=%s", v4, peer4.host, v6, peer6.host);
    close3(l4, c4, NULL);
    srr_close(l6, NULL);
    srr_close(c6, NULL);
}

static void b_link_local_without_scope(srr_world *w, char *out, size_t len)
{
    snprintf(out, len, "bind=%s", bind_to(w, AF_INET6, SOCK_STREAM, "fe80::1", 0, 0, NULL));
}

static void b_unix_connect_unlistening(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr idle;
    unix_at(&idle, p, sizeof p, "idle");
    srr_socket *b = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e); /* bound, not listening */
    srr_bind(b, &idle, &e);
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    int x = srr_connect(c, &idle, &e);
    snprintf(out, len, "connect=%s", res(x, &e));
    srr_close(c, NULL);
    srr_close(b, NULL);
    unlink(p);
}

static void b_unix_dgram_send_errors(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p1[96], p2[96];
    srr_addr none, st;
    unix_at(&none, p1, sizeof p1, "dnone");
    unix_at(&st, p2, sizeof p2, "dstream");
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(l, &st, &e);
    srr_listen(l, 1, &e);
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    int r1 = (int)srr_sendto(d, "x", 1, 0, &none, &e);
    const char *a = res(r1, &e);
    int r2 = (int)srr_sendto(d, "x", 1, 0, &st, &e);
    const char *b = res(r2, &e);
    int r3 = (int)srr_send(d, "x", 1, 0, &e);
    snprintf(out, len, "missing=%s to_stream=%s unconnected=%s", a, b, res(r3, &e));
    srr_close(l, NULL);
    srr_close(d, NULL);
    unlink(p2);
}

static void b_unix_listener_recv(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-lrecv-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *x = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(x, &a, &e);
    srr_listen(x, 1, &e);
    char b[4];
    int r = (int)srr_recv(x, b, sizeof b, MSG_DONTWAIT, &e);
    snprintf(out, len, "recv=%s", res(r, &e));
    srr_close(x, NULL);
}

static void b_unix_unconnected_calls(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    char b[4];
    srr_addr p;
    int r1 = (int)srr_recv(s, b, sizeof b, MSG_DONTWAIT, &e);
    const char *recv = res(r1, &e);
    int r2 = srr_getpeername(s, &p, &e);
    const char *peer = res(r2, &e);
    int r3 = srr_shutdown(s, SHUT_RDWR, &e);
    snprintf(out, len, "recv=%s getpeername=%s shutdown=%s", recv, peer, res(r3, &e));
    srr_close(s, NULL);
}

static void b_unix_connect_listener(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-cl-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(l, &a, &e);
    srr_listen(l, 4, &e);
    int r = srr_connect(l, &a, &e);
    snprintf(out, len, "connect=%s", res(r, &e));
    srr_close(l, NULL);
}

static void b_unix_abstract_refused(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-nobody-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    int r1 = srr_connect(c, &a, &e);
    const char *stream = res(r1, &e);
    int r2 = (int)srr_sendto(d, "x", 1, 0, &a, &e);
    snprintf(out, len, "connect=%s sendto=%s", stream, res(r2, &e));
    srr_close(c, NULL);
    srr_close(d, NULL);
}

static void b_unix_seqpacket_to_stream(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char name[64];
    int n = snprintf(name, sizeof name, "sockrr-diff-s2s-%d", (int)getpid());
    srr_addr a;
    srr_addr_unix_abstract(&a, name, (size_t)n);
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *q = srr_socket_new(w, AF_UNIX, SOCK_SEQPACKET, 0, &e);
    srr_bind(l, &a, &e);
    srr_listen(l, 1, &e);
    int r = srr_connect(q, &a, &e);
    snprintf(out, len, "connect=%s", res(r, &e));
    srr_close(l, NULL);
    srr_close(q, NULL);
}

static void b_unix_dgram_shutdown(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
    int r1 = srr_shutdown(p[0], SHUT_WR, &e);
    const char *shut = res(r1, &e);
    int r2 = (int)srr_send(p[0], "x", 1, 0, &e);
    const char *send = res(r2, &e);
    char b[4];
    ssize_t n = srr_recv(p[1], b, sizeof b, MSG_DONTWAIT, &e);
    snprintf(out, len, "shutdown=%s send=%s peer_recv=%zd", shut, send, n);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

static void b_unix_dgram_peer_closed(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_DGRAM, 0, p, &e);
    srr_close(p[1], NULL);
    int r1 = (int)srr_send(p[0], "x", 1, 0, &e);
    const char *first = res(r1, &e);
    int r2 = (int)srr_send(p[0], "x", 1, 0, &e);
    snprintf(out, len, "send1=%s send2=%s", first, res(r2, &e));
    srr_close(p[0], NULL);
}

/* a datagram from an unbound AF_UNIX socket comes from no name */
static void b_unix_dgram_from_unnamed(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr a;
    unix_at(&a, p, sizeof p, "dfrom");
    srr_socket *r = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_bind(r, &a, &e);
    int rc = srr_connect(s, &a, &e);
    const char *conn = res(rc, &e);
    ssize_t sent = srr_send(s, "hi", 2, 0, &e);
    char b[4];
    struct sockaddr_storage ss;
    struct iovec v = {.iov_base = b, .iov_len = sizeof b};
    struct msghdr m = {.msg_name = &ss, .msg_namelen = sizeof ss, .msg_iov = &v, .msg_iovlen = 1};
    ssize_t n = w->ops->recvmsg(w, srr_fileno(r), &m, 0); /* the raw address length */
    srr_addr peer = {0};
    srr_getpeername(s, &peer, &e);
    snprintf(out, len, "connect=%s send=%zd recv=%zd from_len=%d peer_same=%d", conn, sent, n, (int)m.msg_namelen,
             peer.pathlen == strlen(p) && memcmp(peer.path, p, peer.pathlen) == 0);
    srr_close(r, NULL);
    srr_close(s, NULL);
    unlink(p);
}

/* once a non-blocking connect is done, the next connect answers 0, then EISCONN */
static void b_connect_after_inprogress(srr_world *w, char *out, size_t len)
{
    int port = 0;
    srr_socket *l = listener(w, AF_INET, SOCK_STREAM, &port);
    const srr_world_ops *o = w->ops;
    int c = o->socket(w, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int r1 = o->connect(w, c, (struct sockaddr *)&a, sizeof a);
    struct pollfd p = {.fd = c, .events = POLLOUT};
    o->poll(w, &p, 1, 1000000000LL);
    int r2 = o->connect(w, c, (struct sockaddr *)&a, sizeof a);
    int r3 = o->connect(w, c, (struct sockaddr *)&a, sizeof a);
    snprintf(out, len, "first=%s second=%s third=%s", rv(r1), rv(r2), rv(r3));
    o->close(w, c);
    srr_close(l, NULL);
}

static void b_refused_nonblocking(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *t = listener(w, AF_INET, SOCK_DGRAM, &port);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_setblocking(c, 0, &e);
    srr_addr a;
    srr_addr_inet(&a, "127.0.0.1", port);
    int r = srr_connect_ex(c, &a, &e);
    int ev = revents(c, POLLOUT, 1000);
    int so = geti(c, SOL_SOCKET, SO_ERROR), so2 = geti(c, SOL_SOCKET, SO_ERROR);
    snprintf(out, len, "connect=%s revents=%d so_error=%s then=%d", r ? srr_errno_name(r) : "0", ev,
             so > 0 ? srr_errno_name(so) : "0", so2);
    srr_close(c, NULL);
    srr_close(t, NULL);
}

/* the path is a file: a socket of another type cannot bind it either */
static void b_unix_path_other_type(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr a;
    unix_at(&a, p, sizeof p, "other");
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_bind(s, &a, &e);
    int r = srr_bind(d, &a, &e);
    snprintf(out, len, "dgram=%s", res(r, &e));
    srr_close(s, NULL);
    srr_close(d, NULL);
    unlink(p);
}

/* an empty address (only the family) binds a new abstract name */
static void b_unix_autobind(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_addr a, got = {0};
    srr_addr_unix(&a, ""); /* pathlen 0: only the family */
    srr_socket *s = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    int r = srr_bind(s, &a, &e);
    srr_getsockname(s, &got, &e);
    snprintf(out, len, "bind=%s abstract=%d pathlen=%d", res(r, &e), got.pathlen > 0 && got.path[0] == '\0',
             (int)got.pathlen);
    srr_close(s, NULL);
}

/* SO_REUSEADDR lets two TCP sockets bind one port while neither listens */
static void b_reuseaddr_tcp_rules(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *a = NULL, *b = NULL;
    /* the first takes a port of the kernel's choosing, the second shares it */
    const char *ra = bind_to(w, AF_INET, SOCK_STREAM, "127.0.0.1", 0, SO_REUSEADDR, &a);
    srr_addr n = {0};
    srr_getsockname(a, &n, &e);
    const char *rb = bind_to(w, AF_INET, SOCK_STREAM, "127.0.0.1", n.port, SO_REUSEADDR, &b);
    int l1 = srr_listen(a, 4, &e);
    const char *la = res(l1, &e);
    int l2 = srr_listen(b, 4, &e);
    snprintf(out, len, "bind1=%s bind2=%s listen1=%s listen2=%s", ra, rb, la, res(l2, &e));
    srr_close(a, NULL);
    srr_close(b, NULL);
}

static void b_udp_autobind_on_send(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &e);
    srr_addr a = {0}, b = {0}, to;
    srr_getsockname(u, &a, &e);
    srr_addr_inet(&to, "127.0.0.1", port);
    srr_sendto(u, "x", 1, 0, &to, &e);
    srr_getsockname(u, &b, &e);
    snprintf(out, len, "before=%s:%d after=%s ephemeral=%d", a.host, a.port, b.host, in_ephemeral_range(u));
    srr_close(u, NULL);
    srr_close(r, NULL);
}

/* connect autobound the socket; a disconnect releases that address and port (0.0.0.0:0) */
static void b_udp_name_after_disconnect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = udp_connected(w, r);
    srr_addr n = {0};
    connect_unspec(u);
    srr_getsockname(u, &n, &e);
    snprintf(out, len, "name=%s port_kept=%d", n.host, n.port != 0);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

/* a send to a peer that has closed: the first is taken (the peer answers RST), the next fails */
static void b_send_after_peer_close(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    srr_close(s, NULL);
    char b[4];
    ssize_t eof = srr_recv(c, b, sizeof b, 0, &e);
    int r1 = (int)srr_send(c, "x", 1, 0, &e);
    const char *first = res(r1, &e);
    int ev = revents(c, 0, 1000);
    int r2 = (int)srr_send(c, "x", 1, 0, &e);
    snprintf(out, len, "eof=%zd send1=%s revents=%d send2=%s", eof, first, ev, res(r2, &e));
    srr_close(c, NULL);
    srr_close(l, NULL);
}

/* AF_UNSPEC on a connected TCP socket drops the connection (RST) */
static void b_tcp_disconnect(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *l, *c, *s;
    conn_pair(w, AF_INET, &l, &c, &s);
    const char *dis = connect_unspec(c);
    srr_addr p;
    int r1 = srr_getpeername(c, &p, &e);
    const char *peer = res(r1, &e);
    char b[4];
    srr_settimeout(s, 1.0, &e);
    int r2 = (int)srr_recv(s, b, sizeof b, 0, &e);
    snprintf(out, len, "disconnect=%s getpeername=%s peer_recv=%s", dis, peer, res(r2, &e));
    close3(l, c, s);
}

static void b_v6only_mapped(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *l = bound_at(w, AF_INET, SOCK_STREAM, "127.0.0.1", -1, &port);
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *t = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_socket *c = srr_socket_new(w, AF_INET6, SOCK_STREAM, 0, &e);
    srr_socket *u = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    seti(t, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    seti(c, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    seti(u, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    srr_addr m0, ml, mr;
    srr_addr_inet6(&m0, "::ffff:127.0.0.1", 0, 0, 0);
    srr_getsockname(l, &ml, &e);
    srr_addr_inet6(&ml, "::ffff:127.0.0.1", ml.port, 0, 0);
    srr_getsockname(r, &mr, &e);
    srr_addr_inet6(&mr, "::ffff:127.0.0.1", mr.port, 0, 0);
    int r1 = srr_bind(t, &m0, &e);
    const char *bind = res(r1, &e);
    int r2 = srr_connect(c, &ml, &e);
    const char *conn = res(r2, &e);
    int r3 = (int)srr_sendto(u, "x", 1, 0, &mr, &e);
    snprintf(out, len, "bind=%s connect=%s sendto=%s", bind, conn, res(r3, &e));
    close3(l, r, t);
    srr_close(c, NULL);
    srr_close(u, NULL);
}

static void b_unix_peercred(srr_world *w, char *out, size_t len)
{
    srr_error e;
    srr_socket *p[2];
    srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &e);
    int cred[3] = {-1, -1, -1}; /* struct ucred: pid, uid, gid */
    ssize_t n = srr_getsockopt_buf(p[0], SOL_SOCKET, SO_PEERCRED, cred, sizeof cred, &e);
    snprintf(out, len, "len=%zd pid_is_mine=%d uid=%d gid=%d", n, cred[0] == (int)getpid(), cred[1], cred[2]);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
}

/* the send autobound the IPv6 socket to the wildcard ::, not to a mapped address */
static void b_v6_name_after_mapped_send(srr_world *w, char *out, size_t len)
{
    srr_error e;
    int port = 0;
    srr_socket *r = bound_at(w, AF_INET, SOCK_DGRAM, "127.0.0.1", -1, &port);
    srr_socket *u = srr_socket_new(w, AF_INET6, SOCK_DGRAM, 0, &e);
    srr_addr to, mine = {0};
    srr_addr_inet6(&to, "::ffff:127.0.0.1", port, 0, 0);
    srr_sendto(u, "six", 3, 0, &to, &e);
    srr_getsockname(u, &mine, &e);
    snprintf(out, len, "local=%s", mine.host);
    srr_close(u, NULL);
    srr_close(r, NULL);
}

/* A filesystem name outlives its socket until it is unlinked (unix(7)):
 * taken for every type, refusing connections; unlinked once, then free.
 * (The answers are copied: res keeps only its last four.) */
static void b_unix_name_outlives_socket(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr a;
    unix_at(&a, p, sizeof p, "outlive");
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_bind(l, &a, &e);
    srr_listen(l, 1, &e);
    srr_close(l, NULL);
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_socket *t = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    int r1 = srr_connect(c, &a, &e);
    char conn[16];
    snprintf(conn, sizeof conn, "%s", res(r1, &e));
    int r2 = srr_bind(d, &a, &e);
    char other[16];
    snprintf(other, sizeof other, "%s", res(r2, &e));
    int r3 = srr_bind(t, &a, &e);
    char again[16];
    snprintf(again, sizeof again, "%s", res(r3, &e));
    int u1 = srr_unlink(w, p, &e);
    char un1[16];
    snprintf(un1, sizeof un1, "%s", res(u1, &e));
    int u2 = srr_unlink(w, p, &e);
    char un2[16];
    snprintf(un2, sizeof un2, "%s", res(u2, &e));
    int r4 = srr_bind(t, &a, &e);
    snprintf(out, len, "connect=%s other_type=%s bind=%s unlink=%s unlink_again=%s bind_after=%s",
             conn, other, again, un1, un2, res(r4, &e));
    close3(c, d, t);
    srr_unlink(w, p, NULL);
}

/* A socket whose name was unlinked keeps it but cannot be reached by it;
 * the path is free for another. */
static void b_unix_unlinked_while_bound(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96], q[96];
    srr_addr a, dg, got = {0};
    unix_at(&a, p, sizeof p, "unlinked");
    unix_at(&dg, q, sizeof q, "unlinked-dgram");
    srr_socket *l = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e), *s = NULL;
    srr_bind(l, &a, &e);
    srr_listen(l, 1, &e);
    srr_unlink(w, p, &e);
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    int r1 = srr_connect(c, &a, &e);
    char conn[16];
    snprintf(conn, sizeof conn, "%s", res(r1, &e));
    srr_getsockname(l, &got, &e);
    int kept = got.pathlen == strlen(p) && memcmp(got.path, p, got.pathlen) == 0;
    srr_socket *l2 = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    int r2 = srr_bind(l2, &a, &e);
    char rebind[16];
    snprintf(rebind, sizeof rebind, "%s", res(r2, &e));
    srr_listen(l2, 1, &e);
    srr_socket *c2 = srr_socket_new(w, AF_UNIX, SOCK_STREAM, 0, &e);
    int r3 = srr_connect(c2, &a, &e);
    char conn2[16];
    snprintf(conn2, sizeof conn2, "%s", res(r3, &e));
    int r4 = srr_accept(l2, &s, NULL, &e);
    char acc[16];
    snprintf(acc, sizeof acc, "%s", res(r4, &e));
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_socket *u = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_bind(d, &dg, &e);
    srr_unlink(w, q, &e);
    int r5 = srr_sendto(u, "x", 1, 0, &dg, &e);
    snprintf(out, len, "connect=%s name_kept=%d rebind=%s connect_new=%s accept=%s sendto=%s", conn,
             kept, rebind, conn2, acc, res(r5 < 0 ? -1 : 0, &e));
    close3(l, c, s);
    close3(l2, c2, d);
    srr_close(u, NULL);
    srr_unlink(w, p, NULL);
}

/* A connected AF_UNIX datagram socket keeps its peer, not the name: after
 * an unlink, and another socket bound at the name, sends still reach it. */
static void b_unix_dgram_peer_outlives_name(srr_world *w, char *out, size_t len)
{
    srr_error e;
    char p[96];
    srr_addr a;
    unix_at(&a, p, sizeof p, "dgram-peer");
    srr_socket *d = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_socket *c = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    srr_bind(d, &a, &e);
    srr_connect(c, &a, &e);
    srr_unlink(w, p, &e);
    srr_socket *n = srr_socket_new(w, AF_UNIX, SOCK_DGRAM, 0, &e);
    int r1 = srr_bind(n, &a, &e);
    char rebind[16];
    snprintf(rebind, sizeof rebind, "%s", res(r1, &e));
    ssize_t s1 = srr_send(c, "one", 3, 0, &e);
    char sent[16];
    snprintf(sent, sizeof sent, "%s", res(s1 < 0 ? -1 : 0, &e));
    srr_setblocking(d, 0, &e);
    srr_setblocking(n, 0, &e);
    char b[8];
    ssize_t got_old = srr_recv(d, b, sizeof b, 0, &e), got_new = srr_recv(n, b, sizeof b, 0, &e);
    snprintf(out, len, "rebind=%s send=%s old_got=%d new_got=%d", rebind, sent, (int)got_old,
             (int)got_new);
    close3(d, c, n);
    srr_unlink(w, p, NULL);
}

static const struct {
    const char *name;
    behaviour run;
    const char *linux_says;
} behaviours[] = {
    {"connect refused", b_connect_refused, "connect=ECONNREFUSED"},
    {"non-blocking connect", b_nonblocking_connect, "connect_ex=EINPROGRESS poll=1 writable=1 so_error=0"},
    {"EADDRINUSE", b_addrinuse, "bind=EADDRINUSE reuse_bind=EADDRINUSE"},
    {"100000-byte send", b_send_100000, "sendall=ok recv=100000 same=1"},
    {"UDP to an unbound port", b_udp_unbound_port, "send1=ok send2=ECONNREFUSED"},
    {"SO_PROTOCOL", b_so_protocol, "tcp=6 udp=17 type=2 domain=10"},
    {"IPv6 ::1", b_ipv6_echo, "recv=3 data=six peer=::1"},
    {"half-close", b_half_close, "recv=3 eof=0 back=ok reply=4 send_after_shut=EPIPE"},
    {"MSG_PEEK", b_msg_peek, "peek=4 peek read=8 peekaboo"},
    {"SO_RCVTIMEO", b_rcvtimeo, "len=16 usec=100000 recv=EAGAIN"},
    {"AF_UNIX abstract", b_unix_abstract, "bind=ok connect=ok abstract=1 same=1 data=abs"},
    {"datagram boundaries", b_dgram_pair_boundaries, "first=1 trunc=1 second=3"},
    {"errors of state", b_errors_of_state,
     "recv_unconnected=ENOTCONN listen_udp=EOPNOTSUPP getpeername=ENOTCONN"},
    {"EPIPE on AF_UNIX", b_epipe_unix, "send=EPIPE recv=0"},
    {"SO_RCVBUF doubles", b_rcvbuf_doubles, "rcvbuf=65536"},
    {"accept EAGAIN, connect EISCONN", b_accept_nonblocking_and_isconn, "accept=EAGAIN connect_again=EISCONN"},
    {"UDP reply to a wildcard-bound client", b_udp_wildcard_client_reply, "from=127.0.0.1 reply=4"},
    {"after a reset", b_after_a_reset,
     "recv=ECONNRESET getpeername=ENOTCONN shutdown=ENOTCONN listener_fionread=EINVAL"},
    {"negative SO_RCVTIMEO", b_negative_rcvtimeo, "reads_back=0.000000 recv=EAGAIN"},
    {"SOCK_SEQPACKET records", b_seqpacket_records, "first=2 second=3 trunc=1 empty=0 then=EAGAIN"},
    {"backlog overflow", b_backlog_overflow, "c0=EINPROGRESS/1 c1=EINPROGRESS/0 c2=EINPROGRESS/0"},
    {"listener and unconnected calls", b_listener_and_unconnected_calls,
     "connect_listener=EISCONN send_unconnected=EPIPE shutdown_listener=ok"},
    {"SOCK_SEQPACKET after shutdown", b_seqpacket_after_shutdown, "send=EPIPE"},
    {"UDP size limit", b_udp_size_limit, "max=ok over=EMSGSIZE"},
    {"poll of an unconnected stream", b_poll_unconnected, "n=1 revents=20"},
    {"AF_UNIX send unconnected", b_unix_send_unconnected, "send=ENOTCONN"},
    {"TCP keepalive options", b_tcp_keepalive,
     "idle=7200 intvl=75 cnt=9 idle0=EINVAL idle32768=EINVAL intvl0=EINVAL cnt128=EINVAL back=60/10/5"},
    {"TCP_USER_TIMEOUT, CORK, QUICKACK, DEFER_ACCEPT, MAXSEG", b_tcp_small_options,
     "ut=0 ut_neg=EINVAL ut=5000 cork=0/1 quickack=1/0 defer=7/29887/0 mss=536 mss50=EINVAL mss1000=ok/1000"},
    {"TCP options on other sockets", b_tcp_level_elsewhere,
     "udp_get=EOPNOTSUPP udp_set=ENOPROTOOPT unix_get=EOPNOTSUPP unix_set=EOPNOTSUPP"},
    {"TCP_INFO states", b_tcp_info_states,
     "len=104 new=7 listen=10 established=1 eof=0 close_wait=8 fin_wait=1"},
    {"send buffer once connected", b_send_buffer_grows,
     "before=16384 client=3939840 server=3939840 listener=16384 locked=131072 force=ok/2000000"},
    {"write before read", b_write_before_read,
     "took_300k=1 stopped=EAGAIN within_3_to_5_mb=1"},
    {"dual-stack listener", b_dual_stack_listener,
     "connect=ok accepted_peer=::ffff:127.0.0.1 accepted_local=::ffff:127.0.0.1 client_peer=127.0.0.1 v4_bind=EADDRINUSE"},
    {"IPV6_V6ONLY listener", b_v6only_listener,
     "v6only=1 connect=ECONNREFUSED v4_bind=ok"},
    {"IPv4-mapped connect", b_v4_mapped_connect,
     "connect=ok server_sees=127.0.0.1 client_local=::ffff:127.0.0.1"},
    {"dual-stack UDP", b_dual_stack_udp,
     "from=::ffff:127.0.0.1 reply_from=127.0.0.1 data=back"},
    {"SHUT_RD", b_shut_rd,
     "tcp: queued=3 then=0 peer_send=3 after=3 unix: queued=3 then=0 peer_send=EPIPE after=0"},
    {"socket() bad arguments", b_socket_bad_args,
     "family=EAFNOSUPPORT type=EINVAL flags=EINVAL rdm=ESOCKTNOSUPPORT"},
    {"socket() protocols", b_socket_protocols,
     "stream_udp=EPROTONOSUPPORT dgram_tcp=EPROTONOSUPPORT stream_tcp=ok dgram_udp=ok v6_tcp=ok "
     "v6_udp=ok unix1=ok unix2=EPROTONOSUPPORT"},
    {"socketpair kinds", b_socketpair_kinds,
     "inet=EOPNOTSUPP inet6=EOPNOTSUPP unix_stream=1/1 unix_dgram=2/2 unix_seqpacket=5/5"},
    {"AF_UNIX type, domain, protocol", b_unix_type_domain,
     "stream=1/1/0 seqpacket=5/1/0 tcp=1/2/6"},
    {"SOCK_NONBLOCK", b_sock_nonblock_flag, "plain=2 nonblock=2050 set=2050 type=1"},
    {"SO_ACCEPTCONN", b_so_acceptconn, "fresh=0 udp=0 listener=1 client=0 accepted=0"},
    {"read-only options", b_read_only_options,
     "error=0 set_type=ENOPROTOOPT set_protocol=ENOPROTOOPT set_domain=ENOPROTOOPT "
     "set_acceptconn=ENOPROTOOPT set_error=ENOPROTOOPT"},
    {"boolean options", b_bool_options, "reuseaddr=0/1/0 keepalive=0/1/0 nodelay=0/1/0"},
    {"SO_BROADCAST", b_so_broadcast, "udp=0/1/0 tcp=0/1/0"},
    {"SO_LINGER values", b_so_linger_values, "len=8 default=0/0 on=1/5 three=1/7 short=EINVAL"},
    {"SO_SNDTIMEO values", b_sndtimeo_values,
     "default=0.000000 set=2.500000 usec_1e6=EDOM short=EINVAL"},
    {"unknown options", b_unknown_options, "get=ENOPROTOOPT set=ENOPROTOOPT unix_level=EOPNOTSUPP"},
    {"int option lengths", b_int_option_lengths,
     "get2=ok/2 tcp_get2=ok/2 set2=EINVAL tcp_set2=EINVAL"},
    {"buffer size limits", b_buffer_limits, "zero=2304/4608 100000=200000/200000 1000=2304/4608"},
    {"buffer defaults", b_buffer_defaults,
     "udp=212992/212992 unix_stream=212992/212992 unix_dgram=212992/212992"},
    {"bind twice", b_bind_twice, "tcp=EINVAL udp=EINVAL"},
    {"bind port 0", b_bind_port_zero, "tcp=1 udp=1 tcp6=1"},
    {"bind a foreign address", b_bind_foreign_address,
     "v4=EADDRNOTAVAIL v6=EADDRNOTAVAIL udp=EADDRNOTAVAIL"},
    {"bind 127.0.0.2", b_bind_127_0_0_2, "bind=ok name=127.0.0.2"},
    {"bind after connect", b_bind_after_connect, "bind=EINVAL"},
    {"UDP port sharing", b_udp_port_sharing, "plain=EADDRINUSE reuse1=ok reuse2=ok"},
    {"SO_REUSEPORT", b_reuseport, "bind1=ok bind2=ok listen1=ok listen2=ok plain=EADDRINUSE opt=1"},
    {"wildcard and specific binds", b_wildcard_and_specific,
     "specific_after_any=EADDRINUSE any_after_specific=EADDRINUSE udp=EADDRINUSE"},
    {"listen autobinds", b_listen_autobinds, "listen=ok host=0.0.0.0 ephemeral=1"},
    {"unbound names", b_unbound_names, "v6=ok/::/0 unix=ok/0"},
    {"AF_UNIX path bind", b_unix_path_bind, "bind=ok again=EADDRINUSE name_same=1"},
    {"AF_UNIX connect errors", b_unix_connect_errors, "missing=ENOENT dgram=EPROTOTYPE"},
    {"AF_UNIX connection names", b_unix_connection_names,
     "client_peer=1 client_name=0 accepted_name=1 accepted_peer=0"},
    {"AF_UNIX listen and accept errors", b_unix_listen_accept_errors,
     "listen_unbound=EINVAL listen_dgram=EOPNOTSUPP accept=EINVAL"},
    {"AF_UNIX abstract name in use", b_unix_abstract_in_use, "in_use=EADDRINUSE after_close=ok"},
    {"UDP disconnect with AF_UNSPEC", b_udp_disconnect,
     "peer=ok disconnect=ok peer_after=ENOTCONN send=EDESTADDRREQ"},
    {"connected UDP sendto another address", b_udp_connected_sendto_other, "sendto=ok other_got=3"},
    {"connected UDP filters senders", b_udp_connected_filter, "stranger=EAGAIN peer=3"},
    {"UDP zero-length datagram", b_udp_zero_length, "send=0 poll=1 fionread=0 recv=0 then=EAGAIN"},
    {"UDP MSG_TRUNC", b_udp_msg_trunc, "first=5 flag=1 data=wo second=6"},
    {"UDP MSG_PEEK and FIONREAD", b_udp_peek_and_fionread,
     "fionread=2 peek=2 first=2 fionread=3 waitall=3 then=EAGAIN"},
    {"UDP recvfrom sender", b_udp_recvfrom_sender, "recv=1 from=127.0.0.1 same_port=1"},
    {"UDP shutdown", b_udp_shutdown, "unconnected=ENOTCONN connected=ok"},
    {"UDP without a destination", b_udp_no_destination,
     "send=EDESTADDRREQ recv=EAGAIN oob=EOPNOTSUPP"},
    {"MSG_WAITALL until end of stream", b_waitall_until_eof, "waitall=3 then=0"},
    {"MSG_DONTWAIT on a stream", b_dontwait_stream, "recv=EAGAIN still_blocking=1"},
    {"MSG_TRUNC on TCP", b_tcp_msg_trunc, "trunc=3 untouched=1 rest=3 def"},
    {"zero-length TCP send and recv", b_tcp_zero_length,
     "send0=0 recv0_empty=EAGAIN recv0_data=0 then=1"},
    {"TCP FIONREAD and SIOCOUTQ", b_tcp_queue_ioctls, "fionread=5 outq=0 fresh_in=0 fresh_out=0"},
    {"shutdown errors", b_shutdown_errors, "bad_how=EINVAL unconnected=ENOTCONN wr=ok wr_again=ok"},
    {"SHUT_RDWR", b_shut_rdwr, "recv=0 send=EPIPE peer_recv=0"},
    {"poll after SHUT_WR", b_poll_after_shut_wr, "peer=8197 self=4 both=8213"},
    {"AF_UNIX SHUT_WR", b_unix_shut_wr, "peer_eof=0 peer_send=ok got=2 send=EPIPE"},
    {"poll of TCP states", b_poll_tcp_states,
     "listener_idle=0 listener_pending=1 connected=4 with_data=5"},
    {"poll after a reset", b_poll_after_reset, "revents=29 so_error=ECONNRESET after=21"},
    {"poll of AF_UNIX sockets", b_poll_unix, "unconnected=20 pair=4 peer_closed=21 dgram_pair=4"},
    {"accept4 flags", b_accept4_flags, "plain=0 nonblock=1"},
    {"accepted peer address", b_accept_peer_address,
     "peer=127.0.0.1 same_port=1 accepted_local_port_is_listener=1"},
    {"listen states", b_listen_states,
     "listen_connected=EINVAL listen_again=ok accept_unlistening=EINVAL"},
    {"IPV6_V6ONLY option", b_v6only_option,
     "default=0 set7=1 after_bind=EINVAL v4_get=EOPNOTSUPP v4_set=ENOPROTOOPT"},
    {"address lengths", b_name_lengths, "v4=16 v6=28 unix=2 short_v4=ok/16/2 short_v6=ok/28"},
    {"IPv6 peer scope and flow", b_ipv6_peer_fields, "host=::1 scope=0 flowinfo=0"},
    {"IP_TOS", b_ip_tos, "default=0 set=16"},
    {"accept inherits options", b_accept_inherits_options,
     "keepalive=1 nodelay=1 rcvbuf=131072 client_keepalive=0"},
    {"dup shares the socket", b_dup_shares, "nonblock_shared=1 sent=3 peer=3 dup"},
    {"FIONBIO", b_fionbio, "on=ok/1 off=ok/0"},
    {"poll of a closed handle", b_poll_closed_handle, "n=1 revents=32"},
    {"AF_UNIX data then close", b_unix_data_then_close, "recv=3 then=0"},
    {"AF_UNIX close with unread data", b_unix_close_unread, "recv=ECONNRESET then=0"},
    {"AF_UNIX datagram queue", b_unix_dgram_queue,
     "fionread=2 peek=2 first=2 empty=0 fionread=3 third=3"},
    {"AF_UNIX stream queue", b_unix_stream_queue, "fionread=5 peek=4 read=5 then=EAGAIN"},
    {"AF_UNIX SOCK_SEQPACKET listener", b_unix_seqpacket_listener,
     "listen=ok connect=ok type=5 records=3/5"},
    {"AF_UNIX MSG_WAITALL until end of stream", b_unix_waitall_eof, "waitall=2"},
    {"AF_UNIX listener poll", b_unix_listener_poll,
     "accept_empty=EAGAIN idle=0 pending=1 accept=ok"},
    {"accept order", b_accept_order, "first_is_c1=1 second_is_c2=1"},
    {"TCP sendto", b_tcp_sendto, "connected=ok unconnected=EPIPE listener_peer=ENOTCONN"},
    {"AF_UNIX datagram connect", b_unix_dgram_connect, "connect=ok send=2 recv=2 peer_same=1"},
    {"TCP recv into a small buffer", b_recv_small_buffer, "first=4 second=6 data=0123456789"},
    {"MSG_PEEK on an empty stream", b_peek_dontwait_empty, "tcp=EAGAIN unix=EAGAIN"},
    {"accepted socket's type, domain, protocol", b_accepted_identity,
     "type=1 domain=10 protocol=6"},
    {"connect again after a refusal", b_connect_retry, "first=ECONNREFUSED so_error=0 retry=ok"},
    {"getpeername after the peer closed", b_peer_name_after_close,
     "eof=0 getpeername=ok host=127.0.0.1"},
    {"UDP connect to another peer", b_udp_reconnect, "reconnect=ok peer_is_b=1 b_got=1 a=EAGAIN"},
    {"port 0 as a destination", b_port_zero_destination,
     "udp_sendto=EINVAL tcp_connect=ECONNREFUSED"},
    {"UDP datagrams keep their order", b_udp_order, "sizes=1,2,3"},
    {"IPv6 UDP to IPv4 through a mapped address", b_v6_to_v4_udp,
     "sendto=ok recv=3 from=127.0.0.1"},
    {"send and recv on a listener", b_listener_send_recv,
     "tcp_send=EPIPE tcp_recv=ENOTCONN unix_send=ENOTCONN"},
    {"AF_UNIX connect twice", b_unix_connect_twice, "again=EISCONN"},
    {"AF_UNIX SHUT_RDWR", b_unix_shut_rdwr, "recv=0 send=EPIPE peer_recv=0 peer_send=EPIPE"},
    {"SOCK_SEQPACKET MSG_PEEK and FIONREAD", b_seqpacket_peek,
     "peek=3 first=3 second=2 fionread=0"},
    {"SOCK_SEQPACKET peer closed", b_seqpacket_peer_closed, "recv=4 then=0 send=EPIPE"},
    {"AF_UNIX datagram MSG_TRUNC", b_unix_dgram_trunc, "recv=5 data=he"},
    {"poll of an AF_UNIX datagram with data", b_unix_poll_dgram_data, "with_data=5 after=4"},
    {"AF_UNIX SO_ACCEPTCONN", b_unix_acceptconn, "bound=0 listener=1 client=0 accepted=0"},
    {"SO_RCVTIMEO on accept, UDP and AF_UNIX", b_rcvtimeo_elsewhere,
     "accept=EAGAIN udp=EAGAIN unix=EAGAIN"},
    {"SO_ERROR after a reset is read", b_so_error_after_reset, "recv=ECONNRESET so_error=0 then=0"},
    {"TCP and UDP ports are apart", b_tcp_udp_ports_apart, "udp_on_tcp_port=ok"},
    {"IPv4 and IPv6 loopback on one port", b_v4_v6_same_port, "v6_loopback=ok"},
    {"IPv6 wildcard after the IPv4 wildcard", b_v6_any_after_v4_any, "dual=EADDRINUSE v6only=ok"},
    {"non-blocking partial send", b_nonblocking_partial_send, "partial=1"},
    {"socketpair names", b_socketpair_names, "name=ok/0 peer=ok/0"},
    {"UDP socket options", b_udp_options,
     "keepalive=0/1/0 reuseaddr=0/1/0 sndbuf=20000 rcvbuf=20000"},
    {"AF_UNIX buffer sizes", b_unix_buffers_set, "sndbuf=20000 rcvbuf=20000"},
    {"closing a listener with a queued connection", b_close_listener_with_queue,
     "connect=ok recv=ECONNRESET"},
    {"AF_UNIX non-blocking connect and backlog", b_unix_nonblocking_connect,
     "c0=0 c1=EAGAIN c2=EAGAIN"},
    {"CLOSE_WAIT reads", b_close_wait_reads, "eof=0/0/0 send=ok"},
    {"IPv6 TCP options", b_ipv6_tcp_options, "nodelay=0/1/0 keepalive=0/1/0 keepidle=7200"},
    {"SO_LINGER on AF_UNIX", b_unix_linger, "set=ok back=1/5"},
    {"socketpair flags", b_socketpair_flags, "cloexec=ok/1/1 nonblock=ok/1/1 recv=EAGAIN"},
    {"accept4 close-on-exec", b_accept4_cloexec, "plain=0 cloexec=1"},
    {"F_DUPFD minimum", b_dupfd_minimum, "at_least_100=1 type=2"},
    {"UDP MSG_PEEK with MSG_TRUNC", b_udp_peek_trunc, "peek_trunc=5 then=5"},
    {"local address after connect", b_local_address_after_connect,
     "tcp=127.0.0.1/1 tcp6=::1/1 udp=127.0.0.1/1 udp6=::1/1"},
    {"AF_UNIX zero-length stream send", b_unix_stream_zero_send, "send=0 peer_recv=EAGAIN"},
    {"IPv6 bound names", b_ipv6_bound_name, "loopback=::1 any=::"},
    {"keepalive options inherited by accept", b_keepalive_inherited,
     "accepted=60/10/3 client=7200"},
    {"IPv6 EADDRINUSE and ECONNREFUSED", b_ipv6_inuse_and_refused,
     "bind_again=EADDRINUSE connect_closed=ECONNREFUSED"},
    {"AF_UNIX data then SHUT_WR", b_unix_data_then_shut_wr, "recv=3 then=0 revents=8197"},
    {"SO_SNDTIMEO on AF_UNIX", b_unix_sndtimeo, "set=ok back=1.500000"},
    {"close-on-exec handles", b_cloexec_handles,
     "plain=0 cloexec=1 set=1 cleared=0 dup=0 dup_cloexec=1"},
    {"IP_TOS and IPV6_TCLASS", b_tos_and_tclass,
     "tcp_tos=252 udp_tos256=0 udp_tos-1=255 tcp6_tos=16 tclass=40/0/EINVAL tcp6_tclass=252 v4_tclass=ENOPROTOOPT/EOPNOTSUPP"},
    {"IP_RECVERR and MSG_ERRQUEUE", b_recverr_errqueue,
     "recverr=0/1 recverr6=1 udp=EAGAIN tcp=EAGAIN unix=ok"},
    {"SO_TIMESTAMP and SO_TIMESTAMPNS", b_timestamp_options,
     "default=0 ts=1 ns=1 ts_after_ns=0 off=0"},
    {"datagram control messages", b_datagram_control_messages,
     "ctrunc=0 len=56 [0/8/28 if=1 spec=127.0.0.1 addr=127.0.0.1] [0/1/17 tos=32] | ctrunc=0 len=88 [1/29/32] | ctrunc=1 len=32 [1/29/32] | ctrunc=1 len=0"},
    {"IPv6 control messages", b_ipv6_control_messages,
     "ctrunc=0 len=64 [41/50/36 if=1 addr=::1] [41/67/20 tclass=40]"},
    {"SO_REUSEPORT spreads connections", b_reuseport_spreads,
     "accepted=40 spread=1"},
    {"AF_UNIX datagram send buffer", b_unix_dgram_send_buffer,
     "pair_1B=278 pair_1000B=93 unpaired=11/EAGAIN pollout_1000B=24"},
    {"SO_OOBINLINE, SO_DONTROUTE", b_oobinline_dontroute,
     "oobinline=0/1/0 dontroute=0/1/0"},
    {"SO_LINGER off", b_so_linger_off,
     "off=0/7"},
    {"SO_RCVLOWAT, SO_SNDLOWAT", b_lowat,
     "rcvlowat=1/1/10 sndlowat=1 set_sndlowat=ENOPROTOOPT"},
    {"unknown option level", b_unknown_level,
     "tcp_level=EOPNOTSUPP udp_level=EOPNOTSUPP"},
    {"IP_TTL", b_ip_ttl,
     "default=64 zero=EINVAL 256=EINVAL set=200 minus1=64"},
    {"IPV6_UNICAST_HOPS", b_ipv6_hops,
     "default=64 300=EINVAL set=9 minus1=64"},
    {"SIOCOUTQ on a listener", b_listener_siocoutq,
     "siocoutq=EINVAL"},
    {"IPv6 UDP size limit", b_udp6_size_limit,
     "max=ok over=EMSGSIZE"},
    {"UDP send after SHUT_WR", b_udp_send_after_shut_wr,
     "send=EPIPE"},
    {"AF_UNIX SOCK_RAW", b_unix_sock_raw,
     "socket=ok type=2"},
    {"connect to the any address", b_connect_to_any,
     "v4=ok peer=127.0.0.1 v6=ok peer=::1"},
    {"IPv6 link-local bind without a scope", b_link_local_without_scope,
     "bind=EINVAL"},
    {"AF_UNIX connect to an unlistening path", b_unix_connect_unlistening,
     "connect=ECONNREFUSED"},
    {"AF_UNIX datagram send errors", b_unix_dgram_send_errors,
     "missing=ENOENT to_stream=EPROTOTYPE unconnected=ENOTCONN"},
    {"recv on an AF_UNIX listener", b_unix_listener_recv,
     "recv=EINVAL"},
    {"AF_UNIX unconnected calls", b_unix_unconnected_calls,
     "recv=EINVAL getpeername=ENOTCONN shutdown=ok"},
    {"AF_UNIX connect on a listener", b_unix_connect_listener,
     "connect=EINVAL"},
    {"AF_UNIX abstract name nobody bound", b_unix_abstract_refused,
     "connect=ECONNREFUSED sendto=ECONNREFUSED"},
    {"SOCK_SEQPACKET connect to a stream listener", b_unix_seqpacket_to_stream,
     "connect=ECONNREFUSED"},
    {"AF_UNIX datagram shutdown", b_unix_dgram_shutdown,
     "shutdown=ok send=EPIPE peer_recv=-1"},
    {"AF_UNIX datagram peer closed", b_unix_dgram_peer_closed,
     "send1=ECONNREFUSED send2=ENOTCONN"},
    {"AF_UNIX datagram from an unnamed socket", b_unix_dgram_from_unnamed,
     "connect=ok send=2 recv=2 from_len=0 peer_same=1"},
    {"connect after EINPROGRESS", b_connect_after_inprogress,
     "first=EINPROGRESS second=ok third=EISCONN"},
    {"refused non-blocking connect", b_refused_nonblocking,
     "connect=EINPROGRESS revents=28 so_error=ECONNREFUSED then=0"},
    {"AF_UNIX path bound by another type", b_unix_path_other_type,
     "dgram=EADDRINUSE"},
    {"AF_UNIX autobind", b_unix_autobind,
     "bind=ok abstract=1 pathlen=6"},
    {"SO_REUSEADDR TCP rules", b_reuseaddr_tcp_rules,
     "bind1=ok bind2=ok listen1=ok listen2=EADDRINUSE"},
    {"UDP autobind on send", b_udp_autobind_on_send,
     "before=0.0.0.0:0 after=0.0.0.0 ephemeral=1"},
    {"UDP name after a disconnect", b_udp_name_after_disconnect,
     "name=0.0.0.0 port_kept=0"},
    {"send after the peer closed", b_send_after_peer_close,
     "eof=0 send1=ok revents=24 send2=EPIPE"},
    {"TCP disconnect with AF_UNSPEC", b_tcp_disconnect,
     "disconnect=ok getpeername=ENOTCONN peer_recv=ECONNRESET"},
    {"IPV6_V6ONLY and IPv4-mapped addresses", b_v6only_mapped,
     "bind=EINVAL connect=ENETUNREACH sendto=ENETUNREACH"},
    {"SO_PEERCRED", b_unix_peercred,
     "len=12 pid_is_mine=1 uid=0 gid=0"},
    {"IPv6 UDP name after a mapped send", b_v6_name_after_mapped_send,
     "local=::"},
    {"AF_UNIX name outlives its socket", b_unix_name_outlives_socket,
     "connect=ECONNREFUSED other_type=EADDRINUSE bind=EADDRINUSE unlink=ok unlink_again=ENOENT "
     "bind_after=ok"},
    {"AF_UNIX name unlinked while bound", b_unix_unlinked_while_bound,
     "connect=ENOENT name_kept=1 rebind=ok connect_new=ok accept=ok sendto=ENOENT"},
    {"AF_UNIX datagram peer outlives its name", b_unix_dgram_peer_outlives_name,
     "rebind=ok send=ok old_got=3 new_got=-1"},
};

static void test_differential_kernel_and_sim_agree(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof behaviours / sizeof behaviours[0]; i++) {
        char k[256] = "", s[256] = "", msg[256];
        srr_world *kw = srr_world_kernel();
        behaviours[i].run(kw, k, sizeof k);
        srr_world_destroy(kw);
        srr_world *sw = srr_world_sim(NULL, msg, sizeof msg);
        assert_non_null(sw);
        behaviours[i].run(sw, s, sizeof s);
        srr_world_destroy(sw);
        if (strcmp(k, behaviours[i].linux_says) != 0 || strcmp(s, behaviours[i].linux_says) != 0) {
            print_error("%s:\n  linux  %s\n  kernel %s\n  sim    %s\n", behaviours[i].name,
                        behaviours[i].linux_says, k, s);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential_kernel_and_sim_agree),
    };
    return cmocka_run_group_tests_name("test_differential", tests, NULL, NULL);
}
