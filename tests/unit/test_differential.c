/*
 * test_differential.c — one set of behaviours run against the kernel world
 * (on loopback) and the sim world: each behaviour writes what it saw into a
 * string, and both worlds must write the same one, which must also be what
 * Linux is known to do (so two equal wrong answers still fail).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sockrr.h"

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
    srr_socket *l = bound_at(w, AF_INET6, SOCK_STREAM, "::", 1, &port);
    srr_socket *c = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &e);
    srr_addr a;
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
    {"close-on-exec handles", b_cloexec_handles,
     "plain=0 cloexec=1 set=1 cleared=0 dup=0 dup_cloexec=1"},
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
