/*
 * fuzz_check_args.c — the argument checks above the seam (lib/core/check.c)
 * and the rules a world applies after them (lib/core/sock_rules.c), fed
 * the calls a program could make.  The input decodes into one call and its
 * arguments: a sockaddr's bytes and length, a msghdr with its name, iovec
 * array and control lengths, flags, counts.  Each call goes the way the
 * interposer sends it (interpose/io_calls.c, sock_calls.c): the checks
 * first; what they pass is what a world gets, so the world's entry
 * assertions (world_assert.h) must hold for it, and then the socket rules
 * the sim and the replay apply must answer without reading past what the
 * caller gave.
 *
 * Every buffer the call names is a heap block of exactly the size the call
 * says it has (fuzz_block), so a check that reads one byte too many is an
 * ASan report.  Every answer must be 0 or a negative errno.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/un.h>

#include "check.h"
#include "fuzz.h"
#include "sock_rules.h"
#include "world_assert.h"

/* The values the checks and rules compare against. */
static const uint64_t edges[] = {
    0, 1, 2, 3, 4, 15, 16, 28, 64, 65, 109, 110, 111, 127, 128, 129, 1023, 1024, 1025, 0xffff,
    0x10000, 0x7fffffff, 0x80000000, 0xffffffff, (1ull << 47), (1ull << 56) - 1, 1ull << 56,
    (1ull << 62), INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX, UINT64_MAX - 1,
};
#define NEDGES (sizeof edges / sizeof edges[0])

/* Somewhere the buffers point that is no memory of ours (the checks never
 * read through a buffer pointer), and somewhere that is. */
static char real[64];

static uint64_t num(fuzz_in *in, unsigned raw)
{
    return fuzz_pick(in, edges, NEDGES, raw);
}

static int family(fuzz_in *in)
{
    static const int f[] = {AF_INET, AF_INET6, AF_UNIX};
    return f[fuzz_u8(in) % 3];
}

static void answer(const char *what, long r)
{
    if (r > 0 || r < -4095) {
        fprintf(stderr, "fuzz_check_args: %s answered %ld, not 0 or -errno\n", what, r);
        abort();
    }
}

static void need(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_check_args: %s\n", what);
        abort();
    }
}

/* A sockaddr of len bytes as the caller hands it: NULL, or a block that
 * big (longer than any address is refused before it is read; a block of
 * 512 stands for one longer still). */
static struct sockaddr *addr_of(fuzz_in *in, socklen_t len, int null)
{
    if (null)
        return NULL;
    return fuzz_block(in, len > 512 ? 512 : len);
}

/* An iovec array of n pieces (n <= UIO_MAXIOV), in runs of equal pieces
 * so that a thousand large pieces cost a few bytes of input. */
static struct iovec *iov_of(fuzz_in *in, size_t n)
{
    struct iovec *v = malloc(n * sizeof *v); /* n == 0: a block nothing may read */
    if (!v && !(v = malloc(1)))
        abort();
    for (size_t i = 0; i < n;) {
        size_t run = 1 + fuzz_u8(in);
        uint8_t kind = fuzz_u8(in) % 3;
        void *base = kind == 0 ? NULL : kind == 1 ? (void *)real : (void *)(uintptr_t)num(in, 8);
        size_t len = (size_t)num(in, 8);
        for (; run && i < n; run--, i++)
            v[i] = (struct iovec){base, len};
    }
    return v;
}

/* A msghdr as a caller hands it; *name and *iov are its blocks. */
static struct msghdr msg_of(fuzz_in *in, struct sockaddr **name, struct iovec **iov)
{
    struct msghdr m = {0};
    uint8_t shape = fuzz_u8(in);
    m.msg_namelen = (socklen_t)num(in, 4);
    *name = m.msg_name = addr_of(in, m.msg_namelen, shape & 1);
    m.msg_iovlen = (size_t)num(in, 8);
    /* more pieces than UIO_MAXIOV are refused before the array is read:
     * an empty block stands for it then */
    *iov = m.msg_iov = (shape & 2) ? NULL : iov_of(in, m.msg_iovlen <= 1024 ? m.msg_iovlen : 0);
    m.msg_control = (shape & 4) ? NULL : real;
    m.msg_controllen = (size_t)num(in, 8);
    m.msg_flags = (int)num(in, 4);
    return m;
}

/* What the sim and the replay do with a datagram the checks passed. */
static void dgram_rules(int fam, const struct msghdr *m, int flags)
{
    size_t size = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        size += m->msg_iov[i].iov_len;
    int r = srr__rule_dgram_send(fam, size, flags, m->msg_name, m->msg_namelen);
    answer("rule_dgram_send", r == 1 ? 0 : r); /* 1: no address, the socket's peer */
}

static void call_socket(fuzz_in *in, int pair)
{
    int domain = (int)num(in, 4), type = (int)num(in, 4), protocol = (int)num(in, 4);
    int sv[2];
    int r = pair ? srr__check_socketpair(domain, type, (fuzz_u8(in) & 1) ? NULL : sv)
                 : srr__check_socket(domain, type);
    answer("check_socket", r);
    if (r < 0)
        return;
    int base = type & 0xf;
    if (pair) {
        answer("rule_socketpair", srr__rule_socketpair(domain));
        return;
    }
    size_t whylen = fuzz_u8(in) % 80;
    char *why = whylen ? fuzz_block(in, whylen) : NULL;
    r = srr__rule_socket(domain, base, protocol, why, whylen);
    answer("rule_socket", r);
    need(!why || memchr(why, '\0', whylen) != NULL, "rule_socket's why is not a string");
    free(why);
    if (r == 0)
        (void)srr__rule_default_proto(domain, base);
}

/* bind and connect: the address check, then the family's rules. */
static void call_addr(fuzz_in *in, int connect)
{
    int fam = family(in);
    socklen_t len = (socklen_t)num(in, 4);
    struct sockaddr *sa = addr_of(in, len, fuzz_u8(in) == 0);
    int r = srr__check_sockaddr(sa, len);
    answer("check_sockaddr", r);
    if (r == 0) {
        srr__assert_sockaddr(sa, len);
        socklen_t own = 0;
        r = connect ? srr__rule_stream_connect_addr(fam, sa, len, &own)
                    : srr__rule_bind_addr(fam, sa, len, &own);
        answer("rule_*_addr", r);
        need(r < 0 || (own <= len && own <= sizeof(struct sockaddr_storage)),
             "a rule keeps more of an address than was given");
        if (connect && sa->sa_family != AF_UNSPEC) {
            socklen_t l = len;
            r = srr__rule_dgram_peer(fam, sa, &l);
            answer("rule_dgram_peer", r);
            need(r < 0 || l <= len, "rule_dgram_peer keeps more of an address than was given");
        }
    }
    free(sa);
}

/* send, sendto: the interposer's path, into the world's message. */
static void call_sendto(fuzz_in *in)
{
    int fam = family(in), flags = (int)num(in, 4);
    socklen_t tolen = (socklen_t)num(in, 4);
    struct sockaddr *to = addr_of(in, tolen, fuzz_u8(in) & 1);
    const void *buf = (fuzz_u8(in) & 1) ? NULL : real;
    size_t len = (size_t)num(in, 8);
    long r = to ? srr__check_addr(to, tolen) : 0;
    if (r == 0)
        r = srr__check_buf(buf, len);
    answer("check_addr/buf", r);
    if (r == 0) {
        struct iovec iov = {(void *)buf, srr__rw_clamp(len)};
        need(iov.iov_len <= len && iov.iov_len <= INT_MAX, "rw_clamp grew a length");
        struct msghdr m = {.msg_name = to, .msg_namelen = to ? tolen : 0, .msg_iov = &iov,
                           .msg_iovlen = 1};
        int f = srr__check_plain_flags(flags);
        srr__assert_msg(&m, f, 0);
        dgram_rules(fam, &m, f);
    }
    free(to);
}

static void call_sendmsg(fuzz_in *in)
{
    int fam = family(in), flags = (int)num(in, 4);
    struct sockaddr *name;
    struct iovec *iov;
    struct msghdr msg = msg_of(in, &name, &iov), out;
    int r = srr__check_sendmsg((fuzz_u8(in) == 0) ? NULL : &msg, flags, &out);
    answer("check_sendmsg", r);
    if (r == 0) {
        srr__assert_msg(&out, flags, 0);
        dgram_rules(fam, &out, flags);
    }
    free(name);
    free(iov);
}

static void call_recvmsg(fuzz_in *in)
{
    int flags = (int)num(in, 4);
    struct sockaddr *name;
    struct iovec *iov;
    struct msghdr msg = msg_of(in, &name, &iov), out;
    int r = srr__check_recvmsg((fuzz_u8(in) == 0) ? NULL : &msg, flags, &out);
    answer("check_recvmsg", r);
    if (r == 0) {
        srr__assert_msg(&out, flags, 1);
        /* the world fills what it was given, no more */
        struct msghdr filled = out;
        filled.msg_namelen = out.msg_namelen ? (socklen_t)(fuzz_u8(in) % (out.msg_namelen + 1)) : 0;
        filled.msg_controllen = 0;
        srr__recvmsg_done(&filled, &msg);
        need(!msg.msg_name || msg.msg_namelen <= sizeof(struct sockaddr_storage),
             "recvmsg hands back a name longer than any address");
    }
    free(name);
    free(iov);
}

/* readv and writev: the interposer's path, into the world's message. */
static void call_rwv(fuzz_in *in, int receiving)
{
    int iovcnt = (int)num(in, 4);
    long r = srr__check_iovcnt(iovcnt);
    answer("check_iovcnt", r);
    if (r < 0)
        return;
    struct iovec *iov = iov_of(in, (size_t)iovcnt);
    r = srr__check_iov(iov, (size_t)iovcnt);
    if (r == 0)
        r = srr__check_iov_bases(iov, (size_t)iovcnt);
    answer("check_iov", r);
    if (r == 0) {
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
        srr__assert_msg(&m, 0, receiving);
    }
    free(iov);
}

/* accept4's, getsockname's, recvfrom's out-address: klen bytes the world
 * wrote, into the caller's buffer of *ulen bytes. */
static void call_addr_out(fuzz_in *in)
{
    socklen_t klen = (socklen_t)(num(in, 4) % (sizeof(struct sockaddr_storage) + 1));
    struct sockaddr *k = fuzz_block(in, klen);
    uint8_t shape = fuzz_u8(in);
    socklen_t ulen0 = (socklen_t)num(in, 4), ulen = ulen0;
    socklen_t room = (int)ulen0 < 0 ? 0 : ulen0 > 512 ? 512 : ulen0;
    struct sockaddr *u = (shape & 1) ? NULL : fuzz_block(in, room);
    int r = srr__copy_addr_out(k, klen, u, (shape & 2) ? NULL : &ulen);
    answer("copy_addr_out", r);
    need(r < 0 || ulen == klen, "copy_addr_out does not say the address's length");
    free(k);
    free(u);
}

static void call_misc(fuzz_in *in, uint8_t op)
{
    switch (op) {
    case 0:
        answer("check_accept4", srr__check_accept4((int)num(in, 4)));
        break;
    case 1:
        answer("check_shutdown", srr__check_shutdown((int)num(in, 4)));
        break;
    case 2: {
        socklen_t len = (socklen_t)num(in, 4);
        answer("check_getsockopt", srr__check_getsockopt((fuzz_u8(in) & 1) ? NULL : &len));
        break;
    }
    case 3: {
        int level = (fuzz_u8(in) & 1) ? SOL_SOCKET : (int)num(in, 4), name = (int)num(in, 4);
        socklen_t len = (socklen_t)num(in, 4);
        const void *val = (fuzz_u8(in) & 1) ? NULL : real;
        answer("check_setsockopt", srr__check_setsockopt(level, name, val, len));
        break;
    }
    case 4: {
        static const unsigned long reqs[] = {FIONBIO, FIONREAD, SIOCOUTQ, 0};
        uint8_t k = fuzz_u8(in);
        unsigned long req = k < 4 ? reqs[k] : (unsigned long)num(in, 8);
        answer("check_ioctl", srr__check_ioctl(req, (fuzz_u8(in) & 1) ? NULL : real));
        break;
    }
    case 5: {
        nfds_t n = (nfds_t)num(in, 8);
        answer("check_poll", srr__check_poll((fuzz_u8(in) & 1) ? NULL : (void *)real, n));
        break;
    }
    case 6: {
        struct timespec ts = {(time_t)num(in, 8), (long)num(in, 8)};
        answer("check_timeout", srr__check_timeout((fuzz_u8(in) & 1) ? NULL : &ts));
        break;
    }
    case 7: {
        int flags = (int)num(in, 4);
        unsigned vlen = (unsigned)num(in, 4);
        answer("check_mmsg", srr__check_mmsg((fuzz_u8(in) & 1) ? NULL : real, vlen, flags));
        break;
    }
    default: {
        const void *buf = (void *)(uintptr_t)num(in, 8);
        size_t len = (size_t)num(in, 8);
        answer("check_rw", srr__check_rw(buf, len));
        answer("check_buf", srr__check_buf(buf, len));
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    uint8_t op = fuzz_u8(&in);
    switch (op % 12) {
    case 0: call_socket(&in, 0); break;
    case 1: call_socket(&in, 1); break;
    case 2: call_addr(&in, 0); break;
    case 3: call_addr(&in, 1); break;
    case 4: call_sendto(&in); break;
    case 5: call_sendmsg(&in); break;
    case 6: call_recvmsg(&in); break;
    case 7: call_rwv(&in, 0); break;
    case 8: call_rwv(&in, 1); break;
    case 9: call_addr_out(&in); break;
    default: call_misc(&in, (uint8_t)(op / 12 % 9)); break;
    }
    return 0;
}
