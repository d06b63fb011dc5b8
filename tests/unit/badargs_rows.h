/*
 * badargs_rows.h — the bad-argument table through the C API (header-only,
 * for test_badargs.c and test_replay_badargs.c): each row makes one call
 * with an argument Linux or the API refuses, on a socket in a known state,
 * and ba_run_all records what it answered (the return, the error's kind
 * and code) so a world's answers can be compared with the kernel's.
 *
 * A row's `by` says who answers it: the API's own value checks (BA_API),
 * the shared check of lib/core/check.h (BA_CHECK), or the world's model
 * of a socket (BA_WORLD: a family, a state, an option).  Every world runs
 * all three.
 * fixtures/native/badargs.c is the same table for the interposer.
 */
#ifndef SRR_TEST_BADARGS_ROWS_H
#define SRR_TEST_BADARGS_ROWS_H

#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/uio.h>

#include "helpers.h"

/* The kernel's flag for 32-bit callers, which glibc does not name. */
#define BA_MSG_CMSG_COMPAT ((int)0x80000000)

enum { BA_API, BA_CHECK, BA_WORLD };

typedef struct ba_env {
    srr_world *w;
    srr_socket *tcp;   /* connected */
    srr_socket *udp;   /* unbound, unconnected */
    srr_socket *fresh; /* TCP, unconnected */
} ba_env;

typedef struct ba_result {
    long long ret;
    int kind, code;
} ba_result;

typedef long long (*ba_call)(ba_env *e, srr_error *err);

typedef struct ba_row {
    const char *name;
    int by;
    ba_call call;
} ba_row;

static unsigned char ba_buf[64];
static struct iovec ba_many[IOV_MAX + 1];

static long long ba_sendmsg_compat(ba_env *e, srr_error *err)
{
    struct iovec one = {ba_buf, 1};
    return srr_sendmsg(e->tcp, &one, 1, NULL, 0, BA_MSG_CMSG_COMPAT, NULL, err);
}

static long long ba_recvmsg_compat(ba_env *e, srr_error *err)
{
    struct iovec one = {ba_buf, 1};
    return srr_recvmsg_into(e->tcp, &one, 1, NULL, 0, MSG_DONTWAIT | BA_MSG_CMSG_COMPAT, NULL, err);
}

static long long ba_sendmsg_nullbase(ba_env *e, srr_error *err)
{
    struct iovec v = {NULL, 5};
    return srr_sendmsg(e->tcp, &v, 1, NULL, 0, 0, NULL, err);
}

static long long ba_sendmsg_iovmax(ba_env *e, srr_error *err)
{
    return srr_sendmsg(e->tcp, ba_many, IOV_MAX + 1, NULL, 0, 0, NULL, err);
}

static long long ba_recvmsg_iovmax(ba_env *e, srr_error *err)
{
    return srr_recvmsg_into(e->tcp, ba_many, IOV_MAX + 1, NULL, 0, MSG_DONTWAIT, NULL, err);
}

static long long ba_sendmsg_lenhuge(ba_env *e, srr_error *err)
{
    struct iovec v = {ba_buf, SIZE_MAX};
    return srr_sendmsg(e->tcp, &v, 1, NULL, 0, 0, NULL, err);
}

static long long ba_sendmsg_lensum(ba_env *e, srr_error *err)
{
    struct iovec v[2] = {{ba_buf, SSIZE_MAX / 2 + 1}, {ba_buf, SSIZE_MAX / 2 + 1}};
    return srr_sendmsg(e->tcp, v, 2, NULL, 0, 0, NULL, err);
}

static long long ba_shutdown_3(ba_env *e, srr_error *err)
{
    return srr_shutdown(e->tcp, 3, err);
}

static long long ba_shutdown_neg(ba_env *e, srr_error *err)
{
    return srr_shutdown(e->udp, -1, err);
}

static long long ba_setsockopt_short(ba_env *e, srr_error *err)
{
    int one = 1;
    return srr_setsockopt_buf(e->udp, SOL_SOCKET, SO_REUSEADDR, &one, 1, err);
}

static long long ba_setsockopt_nullbuf(ba_env *e, srr_error *err)
{
    return srr_setsockopt_buf(e->udp, SOL_SOCKET, SO_REUSEADDR, NULL, sizeof(int), err);
}

static long long ba_setsockopt_huge(ba_env *e, srr_error *err)
{
    return srr_setsockopt_buf(e->udp, SOL_SOCKET, SO_REUSEADDR, ba_buf, (size_t)INT32_MAX + 1, err);
}

static long long ba_getsockopt_buflen0(ba_env *e, srr_error *err)
{
    return srr_getsockopt_buf(e->udp, SOL_SOCKET, SO_TYPE, ba_buf, 0, err);
}

/* a socket made for the row, closed again when the world made one */
static long long ba_socket_of(ba_env *e, int family, int type, srr_error *err)
{
    srr_socket *s = srr_socket_new(e->w, family, type, 0, err);
    if (!s)
        return -1;
    srr_close(s, NULL);
    return 0;
}

static long long ba_socket_family_neg(ba_env *e, srr_error *err)
{
    return ba_socket_of(e, -1, SOCK_STREAM, err);
}

static long long ba_socket_flags(ba_env *e, srr_error *err)
{
    return ba_socket_of(e, AF_INET, SOCK_STREAM | 0x40, err);
}

static long long ba_socket_type_big(ba_env *e, srr_error *err)
{
    return ba_socket_of(e, AF_INET, 15, err);
}

static long long ba_socket_inet_seqpacket(ba_env *e, srr_error *err)
{
    return ba_socket_of(e, AF_INET, SOCK_SEQPACKET, err);
}

static long long ba_socketpair_family_neg(ba_env *e, srr_error *err)
{
    srr_socket *p[2];
    long long r = srr_socketpair(e->w, -1, SOCK_STREAM, 0, p, err);
    if (r == 0) {
        srr_close(p[0], NULL);
        srr_close(p[1], NULL);
    }
    return r;
}

/* AF_WANPIPE (25): below AF_MAX, but no family Linux has, so the world's
 * model answers (the shared check lets it by). */
static long long ba_socketpair_family_none(ba_env *e, srr_error *err)
{
    srr_socket *p[2];
    long long r = srr_socketpair(e->w, 25, SOCK_STREAM, 0, p, err);
    if (r == 0) {
        srr_close(p[0], NULL);
        srr_close(p[1], NULL);
    }
    return r;
}

static long long ba_socketpair_inet(ba_env *e, srr_error *err)
{
    srr_socket *p[2];
    long long r = srr_socketpair(e->w, AF_INET, SOCK_STREAM, 0, p, err);
    if (r == 0) {
        srr_close(p[0], NULL);
        srr_close(p[1], NULL);
    }
    return r;
}

static void ba_inet6(srr_addr *a)
{
    assert_int_equal(srr_addr_inet6(a, "::1", 9, 0, 0), 0);
}

static void ba_inet(srr_addr *a)
{
    assert_int_equal(srr_addr_inet(a, "127.0.0.1", 9), 0);
}

static long long ba_sendto_other_family(ba_env *e, srr_error *err)
{
    srr_addr a;
    ba_inet6(&a);
    return srr_sendto(e->udp, ba_buf, 1, 0, &a, err);
}

static long long ba_connect_other_family(ba_env *e, srr_error *err)
{
    srr_addr a;
    ba_inet6(&a);
    return srr_connect(e->udp, &a, err);
}

static long long ba_bind_other_family(ba_env *e, srr_error *err)
{
    srr_addr a;
    ba_inet6(&a);
    return srr_bind(e->udp, &a, err);
}

static long long ba_send_nullbuf(ba_env *e, srr_error *err)
{
    return srr_send(e->tcp, NULL, 5, 0, err);
}

static long long ba_recv_nullbuf(ba_env *e, srr_error *err)
{
    return srr_recv(e->tcp, NULL, 5, MSG_DONTWAIT, err);
}

static long long ba_sendto_oob(ba_env *e, srr_error *err)
{
    srr_addr a;
    ba_inet(&a);
    return srr_sendto(e->udp, ba_buf, 1, MSG_OOB, &a, err);
}

static long long ba_sendmsg_oob(ba_env *e, srr_error *err)
{
    srr_addr a;
    ba_inet(&a);
    struct iovec one = {ba_buf, 1};
    return srr_sendmsg(e->udp, &one, 1, NULL, 0, MSG_OOB, &a, err);
}

static long long ba_listen_udp(ba_env *e, srr_error *err)
{
    return srr_listen(e->udp, 1, err);
}

static long long ba_accept_unlistened(ba_env *e, srr_error *err)
{
    srr_socket *c = NULL;
    long long r = srr_accept(e->fresh, &c, NULL, err);
    if (c)
        srr_close(c, NULL);
    return r;
}

static long long ba_nodelay_short(ba_env *e, srr_error *err)
{
    int one = 1;
    return srr_setsockopt_buf(e->tcp, IPPROTO_TCP, TCP_NODELAY, &one, 1, err);
}

static long long ba_getsockopt_unknown(ba_env *e, srr_error *err)
{
    int v;
    return srr_getsockopt_int(e->udp, SOL_SOCKET, 9999, &v, err);
}

static long long ba_connect_connected(ba_env *e, srr_error *err)
{
    srr_addr a;
    ba_inet(&a);
    return srr_connect(e->tcp, &a, err);
}

static const ba_row ba_rows[] = {
    {"sendmsg MSG_CMSG_COMPAT", BA_CHECK, ba_sendmsg_compat},
    {"recvmsg_into MSG_CMSG_COMPAT", BA_CHECK, ba_recvmsg_compat},
    {"shutdown how 3", BA_CHECK, ba_shutdown_3},
    {"shutdown how -1 (UDP)", BA_CHECK, ba_shutdown_neg},
    {"setsockopt SO_REUSEADDR, 1 byte", BA_CHECK, ba_setsockopt_short},
    {"socket family -1", BA_CHECK, ba_socket_family_neg},
    {"socket type flag 0x40", BA_CHECK, ba_socket_flags},
    {"socket type 15", BA_CHECK, ba_socket_type_big},
    {"socketpair family -1", BA_CHECK, ba_socketpair_family_neg},
    {"socketpair family 25 (none)", BA_WORLD, ba_socketpair_family_none},
    {"sendmsg NULL iov_base", BA_API, ba_sendmsg_nullbase},
    {"sendmsg IOV_MAX+1 buffers", BA_API, ba_sendmsg_iovmax},
    {"recvmsg_into IOV_MAX+1 buffers", BA_API, ba_recvmsg_iovmax},
    {"sendmsg iov_len SIZE_MAX", BA_API, ba_sendmsg_lenhuge},
    {"sendmsg lengths past SSIZE_MAX", BA_API, ba_sendmsg_lensum},
    {"setsockopt NULL buffer", BA_API, ba_setsockopt_nullbuf},
    {"setsockopt length past INT32_MAX", BA_API, ba_setsockopt_huge},
    {"getsockopt_buf buflen 0", BA_API, ba_getsockopt_buflen0},
    {"sendto an AF_INET6 address (UDP)", BA_API, ba_sendto_other_family},
    {"connect an AF_INET6 address (UDP)", BA_API, ba_connect_other_family},
    {"bind an AF_INET6 address (UDP)", BA_API, ba_bind_other_family},
    {"send NULL buffer", BA_API, ba_send_nullbuf},
    {"recv NULL buffer", BA_API, ba_recv_nullbuf},
    {"socket AF_INET SOCK_SEQPACKET", BA_WORLD, ba_socket_inet_seqpacket},
    {"socketpair AF_INET", BA_WORLD, ba_socketpair_inet},
    {"sendto MSG_OOB (UDP)", BA_WORLD, ba_sendto_oob},
    {"sendmsg MSG_OOB (UDP)", BA_WORLD, ba_sendmsg_oob},
    {"listen (UDP)", BA_WORLD, ba_listen_udp},
    {"accept (TCP, not listening)", BA_WORLD, ba_accept_unlistened},
    {"setsockopt TCP_NODELAY, 1 byte", BA_WORLD, ba_nodelay_short},
    {"getsockopt SOL_SOCKET 9999", BA_WORLD, ba_getsockopt_unknown},
    {"connect (TCP, connected)", BA_WORLD, ba_connect_connected},
};
#define BA_NROWS (sizeof ba_rows / sizeof ba_rows[0])

/* Runs every row up to `upto` (BA_CHECK: the API's and the check's;
 * BA_WORLD: all) into res; rows left out get kind -1. */
static inline void ba_run_all(ba_env *e, int upto, ba_result res[BA_NROWS])
{
    for (size_t i = 0; i <= IOV_MAX; i++)
        ba_many[i] = (struct iovec){ba_buf, 1};
    for (size_t i = 0; i < BA_NROWS; i++) {
        srr_error err;
        memset(&err, 0, sizeof err);
        if (ba_rows[i].by > upto) {
            res[i] = (ba_result){0, -1, 0};
            continue;
        }
        long long r = ba_rows[i].call(e, &err);
        res[i] = (ba_result){r, r < 0 ? (int)err.kind : 0, r < 0 ? err.code : 0};
    }
}

static inline const char *ba_text(const ba_result *r, char *buf, size_t len)
{
    if (r->ret >= 0)
        snprintf(buf, len, "returned %lld", r->ret);
    else
        snprintf(buf, len, "%s %s", h_kind_name(r->kind),
                 r->kind == SRR_ERR_OS ? strerrorname_np(r->code) : "");
    return buf;
}

/* Fails with every row whose answer in `world` is not the kernel's. */
static inline void ba_assert_same(const char *world, const ba_result kernel[BA_NROWS],
                                  const ba_result got[BA_NROWS])
{
    char report[4096] = "";
    size_t used = 0;
    int bad = 0;
    for (size_t i = 0; i < BA_NROWS; i++) {
        if (got[i].kind < 0)
            continue;
        if (got[i].ret == kernel[i].ret && got[i].kind == kernel[i].kind &&
            got[i].code == kernel[i].code)
            continue;
        char a[64], b[64];
        bad++;
        used += (size_t)snprintf(report + used, used < sizeof report ? sizeof report - used : 0,
                                 "\n  %s: kernel %s, %s %s", ba_rows[i].name,
                                 ba_text(&kernel[i], a, sizeof a), world,
                                 ba_text(&got[i], b, sizeof b));
        if (used >= sizeof report)
            used = sizeof report - 1;
    }
    if (bad)
        fail_msg("%d rows answered otherwise in %s than in the kernel world:%s", bad, world, report);
}

static inline void ba_env_close(ba_env *e)
{
    srr_close(e->tcp, NULL);
    srr_close(e->udp, NULL);
    srr_close(e->fresh, NULL);
}

#endif
