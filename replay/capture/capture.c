/*
 * capture.c — a pcap or pcapng capture as a trace (capture.h): the driver
 * that reads packets with libpcap, and the trace's header and events.
 * Link layers and headers are capture_link.c's, the flow tables and UDP
 * capture_flow.c's, TCP connections capture_tcp.c's.
 *
 * Events are written as the packets that cause them are read, so the trace
 * keeps the capture's order and each side's events come in the order that
 * side saw them.  Memory holds one small record per flow and server
 * address, plus TCP segments that arrived out of order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include "capture.h"
#include "out_file.h"
#include "trace.h"
#include "sockrr.h" /* SRR_VERSION, srr_errno_name */

enum { CAP_AF_INET = 2, CAP_AF_INET6 = 10, CAP_STREAM = 1, CAP_DGRAM = 2 };
/* args.size of every recorded receive: more than a segment or a datagram. */
#define CAP_RECV_SIZE 65536

/* ------------------------------------------------------------ errors */

static int cap_vfail(srr_cap *c, srr_parse_code code, long num, const char *field,
                     const char *fmt, va_list ap)
{
    if (c->failed)
        return -1;
    c->failed = 1;
    srr__parse_at(c->err, NULL, num, 0, -1);
    return srr__parse_vfail(c->err, code, field, fmt, ap);
}

int srr__cap_fail(srr_cap *c, long num, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cap_vfail(c, SRR_PARSE_EVALUE, num, field, fmt, ap);
    va_end(ap);
    return -1;
}

static int cap_fail_code(srr_cap *c, srr_parse_code code, long num, const char *field,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int cap_fail_code(srr_cap *c, srr_parse_code code, long num, const char *field,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cap_vfail(c, code, num, field, fmt, ap);
    va_end(ap);
    return -1;
}

int srr__cap_oom(srr_cap *c)
{
    return cap_fail_code(c, SRR_PARSE_EIO, 0, "file", "out of memory");
}

/* ------------------------------------------------------------ output */

char *srr__cap_ep_str(const srr_cap_ep *e, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN];
    inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->addr, host, sizeof host);
    if (e->family == 4)
        snprintf(buf, len, "%s:%u", host, (unsigned)e->port);
    else
        snprintf(buf, len, "[%s]:%u", host, (unsigned)e->port);
    return buf;
}

/* Writes line l and its newline; -1 (reported) when l could not be built
 * or written. */
static int cap_write(srr_cap *c, srr_jline *l)
{
    srr__jl_raw(l, "\n", 1);
    if (l->oom)
        return srr__cap_oom(c);
    if (fwrite(l->buf, 1, l->len, c->out) != l->len)
        return cap_fail_code(c, SRR_PARSE_EIO, 0, "file", "cannot write the trace: %s",
                             strerror(errno));
    return 0;
}

static int cap_header(srr_cap *c)
{
    srr_jline h = {0};
    srr__jl_reset(&h);
    srr__jl_open(&h, NULL, '{');
    srr__jl_str(&h, "type", "header");
    srr__jl_str(&h, "format", SRR_TRACE_FORMAT);
    srr__jl_int(&h, "version", SRR_TRACE_VERSION);
    srr__jl_str(&h, "sockrr", SRR_VERSION);
    srr__jl_str(&h, "program", "capture");
    srr__jl_open(&h, "argv", '[');
    srr__jl_text(&h, NULL, c->name); /* a file name: its UTF-8 as it is */
    srr__jl_close(&h, ']');
    srr__jl_str(&h, "world", "capture");
    srr__jl_int(&h, "seed", 0);
    srr__jl_int(&h, "pid", SRR_CAP_CLIENT);
    srr__jl_int(&h, "start_realtime_ns", c->first_ns);
    srr__jl_int(&h, "start_monotonic_ns", 0);
    srr__jl_int(&h, "payload_cap", -1);
    srr__jl_close(&h, '}');
    int rc = cap_write(c, &h);
    srr__jl_free(&h);
    c->header_done = 1;
    return rc;
}

/* Starts an event in c->line with the members every event begins with. */
static srr_jline *cap_event(srr_cap *c, int pid, const char *op, int64_t ret, int errnum)
{
    srr_jline *l = &c->line;
    srr__jl_reset(l);
    srr__jl_open(l, NULL, '{');
    srr__jl_str(l, "type", "event");
    srr__jl_int(l, "seq", c->seq + 1);
    srr__jl_int(l, "t", c->t);
    srr__jl_int(l, "pid", pid);
    srr__jl_int(l, "tid", pid);
    srr__jl_str(l, "op", op);
    srr__jl_int(l, "ret", ret);
    if (errnum) {
        srr__jl_str(l, "errno", srr_errno_name(errnum));
        srr__jl_int(l, "errno_num", errnum);
    }
    return l;
}

/* Ends the event in c->line and writes it (after the header, the first
 * time). */
static int cap_emit(srr_cap *c)
{
    int rc;
    srr__jl_close(&c->line, '}');
    if (c->line.oom)
        rc = srr__cap_oom(c);
    else if (!c->header_done && cap_header(c) < 0)
        rc = -1;
    else
        rc = cap_write(c, &c->line);
    if (rc == 0)
        c->seq++;
    return rc;
}

static int64_t cap_fd(int64_t sock)
{
    return 3 + sock;
}

/* sock and fd members. */
static void cap_sock(srr_jline *l, int64_t sock)
{
    srr__jl_int(l, "sock", sock);
    srr__jl_int(l, "fd", cap_fd(sock));
}

/* An address member. */
static void cap_ep(srr_jline *l, const char *key, const srr_cap_ep *e)
{
    char buf[SRR_CAP_EPSTR];
    srr__jl_str(l, key, srr__cap_ep_str(e, buf, sizeof buf));
}

/* "args":{"flags":0,"size":CAP_RECV_SIZE}, a receive's arguments. */
static void cap_recv_args(srr_jline *l)
{
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "flags", 0);
    srr__jl_int(l, "size", CAP_RECV_SIZE);
    srr__jl_close(l, '}');
}

/* socket(): a new sock id, or -1. */
int64_t srr__cap_socket(srr_cap *c, int pid, int family, int proto)
{
    int type = proto == SRR_CAP_TCP ? CAP_STREAM : CAP_DGRAM;
    int64_t id = ++c->socks;
    srr_jline *l = cap_event(c, pid, "socket", cap_fd(id), 0);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "domain", family == 4 ? CAP_AF_INET : CAP_AF_INET6);
    srr__jl_int(l, "type", type);
    srr__jl_int(l, "protocol", 0);
    srr__jl_close(l, '}');
    cap_sock(l, id);
    srr__jl_str(l, "family", family == 4 ? "AF_INET" : "AF_INET6");
    srr__jl_str(l, "stype", type == CAP_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM");
    return cap_emit(c) < 0 ? -1 : id;
}

int srr__cap_bind(srr_cap *c, int64_t sock, const srr_cap_ep *ep, int listen)
{
    for (int i = 0; i <= listen; i++) {
        srr_jline *l = cap_event(c, SRR_CAP_SERVER, i ? "listen" : "bind", 0, 0);
        srr__jl_open(l, "args", '{');
        if (i)
            srr__jl_int(l, "backlog", 128);
        else
            cap_ep(l, "addr", ep);
        srr__jl_close(l, '}');
        cap_sock(l, sock);
        cap_ep(l, "local", ep);
        if (cap_emit(c) < 0)
            return -1;
    }
    return 0;
}

int srr__cap_connect(srr_cap *c, const srr_cap_flow *f, int errnum)
{
    srr_jline *l = cap_event(c, SRR_CAP_CLIENT, "connect", errnum ? -1 : 0, errnum);
    srr__jl_open(l, "args", '{');
    cap_ep(l, "addr", &f->srv);
    srr__jl_close(l, '}');
    cap_sock(l, f->csock);
    cap_ep(l, "local", &f->cli);
    if (!errnum)
        cap_ep(l, "peer", &f->srv);
    return cap_emit(c);
}

int srr__cap_accept(srr_cap *c, srr_cap_flow *f)
{
    f->ssock = ++c->socks;
    srr_jline *l = cap_event(c, SRR_CAP_SERVER, "accept4", cap_fd(f->ssock), 0);
    srr__jl_open(l, "args", '{');
    srr__jl_int(l, "flags", 0);
    srr__jl_close(l, '}');
    cap_sock(l, f->server->sock);
    cap_ep(l, "local", &f->srv);
    srr__jl_int(l, "new_sock", f->ssock);
    srr__jl_int(l, "new_fd", cap_fd(f->ssock));
    cap_ep(l, "new_local", &f->srv);
    cap_ep(l, "new_peer", &f->cli);
    return cap_emit(c);
}

int srr__cap_xfer(srr_cap *c, int pid, int64_t sock, int send, const uint8_t *data, size_t n,
                  int64_t off, const char *addr, const char *peer)
{
    srr_jline *l = cap_event(c, pid, send ? "sendmsg" : "recvmsg", (int64_t)n, 0);
    if (send) {
        srr__jl_open(l, "args", '{');
        srr__jl_int(l, "flags", 0);
        srr__jl_int(l, "iov", (int64_t)n);
        if (addr)
            srr__jl_str(l, "to", addr);
        srr__jl_close(l, '}');
    } else {
        cap_recv_args(l);
    }
    cap_sock(l, sock);
    srr__jl_b64(l, "data", data, n);
    srr__jl_int(l, "len", (int64_t)n);
    if (off >= 0)
        srr__jl_int(l, "off", off);
    if (!send && addr)
        srr__jl_str(l, "from", addr);
    if (peer)
        srr__jl_str(l, "peer", peer);
    return cap_emit(c);
}

int srr__cap_eof(srr_cap *c, int pid, int64_t sock, uint64_t off)
{
    srr_jline *l = cap_event(c, pid, "recvmsg", 0, 0);
    cap_recv_args(l);
    cap_sock(l, sock);
    srr__jl_str(l, "data", "");
    srr__jl_int(l, "len", 0);
    srr__jl_int(l, "off", (int64_t)off);
    return cap_emit(c);
}

int srr__cap_reset(srr_cap *c, int pid, int64_t sock)
{
    srr_jline *l = cap_event(c, pid, "recvmsg", -1, ECONNRESET);
    cap_recv_args(l);
    cap_sock(l, sock);
    return cap_emit(c);
}

int srr__cap_close(srr_cap *c, int pid, int64_t sock)
{
    cap_sock(cap_event(c, pid, "close", 0, 0), sock);
    return cap_emit(c);
}

/* ------------------------------------------------------------ driver */

static int cap_magic(const uint8_t m[4])
{
    static const uint8_t magics[][4] = {
        {0xa1, 0xb2, 0xc3, 0xd4}, {0xd4, 0xc3, 0xb2, 0xa1}, /* pcap, µs */
        {0xa1, 0xb2, 0x3c, 0x4d}, {0x4d, 0x3c, 0xb2, 0xa1}, /* pcap, ns */
        {0x0a, 0x0d, 0x0d, 0x0a},                           /* pcapng's first block */
    };
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (memcmp(m, magics[i], 4) == 0)
            return 1;
    return 0;
}

int srr__capture_sniff(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    uint8_t m[4];
    size_t got = 0;
    while (got < sizeof m) {
        ssize_t n = read(fd, m + got, sizeof m - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return got == sizeof m && cap_magic(m);
}

/* A packet's time in ns since 1970, or -1 when a trace cannot hold it.
 * pcap's ts_sec is an unsigned 32-bit field (good until 2106) that libpcap
 * hands over sign-extended, so from 2038 on it looks negative; pcapng's
 * time is 64-bit and may go past what an int64_t of ns holds (2262). */
static int cap_time(const srr_cap *c, const struct pcap_pkthdr *h, int64_t *ns)
{
    int64_t sec = c->ts32 ? (int64_t)(uint32_t)h->ts.tv_sec : (int64_t)h->ts.tv_sec;
    int64_t frac = (int64_t)h->ts.tv_usec; /* ns: the handle is nano-precision */
    if (sec < 0 || frac < 0 || frac > 999999999 || sec > (INT64_MAX - frac) / 1000000000)
        return -1;
    *ns = sec * 1000000000 + frac;
    return 0;
}

/* Every packet, in capture order. */
static int cap_packets(srr_cap *c, pcap_t *pc)
{
    int linktype = pcap_datalink(pc);
    long num = 0;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(pc, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        if (rc != 1) {
            const char *msg = pcap_geterr(pc);
            return cap_fail_code(c, SRR_PARSE_EIO, num + 1, "file", "cannot read the packet: %s%s",
                                 msg, strstr(msg, "different from the type of the first")
                                          ? " (libpcap reads one link type per capture)"
                                          : "");
        }
        num++;
        int64_t ns;
        if (cap_time(c, h, &ns) < 0)
            return cap_fail_code(c, SRR_PARSE_EVALUE, num, "time",
                                 "%lld.%09ld s since 1970 is not a time a trace holds "
                                 "(1970 to 2262)",
                                 (long long)h->ts.tv_sec, (long)h->ts.tv_usec);
        if (num == 1)
            c->first_ns = ns;
        if (ns - c->first_ns > c->t)
            c->t = ns - c->first_ns;
        srr_cap_pkt p;
        memset(&p, 0, sizeof p);
        srr_parse_error perr;
        memset(&perr, 0, sizeof perr);
        rc = srr__cap_parse(linktype, data, h->caplen, h->len, &p, &perr);
        if (rc < 0)
            return srr__cap_fail(c, num, perr.field, "%s", perr.text);
        if (rc == 0)
            continue;
        p.num = num;
        srr_cap_flow *f = srr__cap_flow_find(c, p.proto, &p.src, &p.dst);
        rc = p.proto == SRR_CAP_TCP ? srr__cap_tcp(c, f, &p) : srr__cap_udp(c, f, &p);
        if (rc < 0)
            return -1;
    }
}

/* The capture's FILE, checked for a magic number first: libpcap's own
 * message for a text file ("unknown file format") says less. */
static pcap_t *cap_open(srr_cap *c)
{
    FILE *in = fopen(c->path, "rb");
    if (!in) {
        cap_fail_code(c, SRR_PARSE_EIO, 0, "file", "%s", strerror(errno));
        return NULL;
    }
    uint8_t m[4];
    size_t got = fread(m, 1, sizeof m, in);
    if (got < sizeof m && ferror(in)) {
        cap_fail_code(c, SRR_PARSE_EIO, 0, "file", "%s", strerror(errno));
        fclose(in);
        return NULL;
    }
    if (got < sizeof m || !cap_magic(m)) {
        cap_fail_code(c, SRR_PARSE_EHEADER, 0, "file", "not a pcap or pcapng capture");
        fclose(in);
        return NULL;
    }
    c->ts32 = m[0] != 0x0a; /* not pcapng's first block */
    rewind(in);
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!pc) {
        cap_fail_code(c, SRR_PARSE_EIO, 0, "file", "%s", ebuf);
        fclose(in);
        return NULL;
    }
    int lt = pcap_datalink(pc);
    if (!srr__cap_link_supported(lt)) {
        const char *name = pcap_datalink_val_to_name(lt);
        cap_fail_code(c, SRR_PARSE_EHEADER, 0, "link type",
                      "link type %d (%s) is not supported: Ethernet, Linux cooked v1/v2, raw IP, "
                      "BSD loopback", lt, name ? name : "unknown");
        pcap_close(pc);
        return NULL;
    }
    return pc;
}

/* The trace file, mode 0600, truncated, unless it is the capture itself. */
static int cap_create(srr_cap *c, const char *out_path)
{
    if (srr__same_file(c->path, out_path))
        return cap_fail_code(c, SRR_PARSE_EIO, 0, "file", "the trace %s would overwrite the capture",
                             out_path);
    int fd = srr__out_open(out_path);
    if (fd < 0 || !(c->out = fdopen(fd, "w"))) {
        int e = fd < 0 ? -fd : errno;
        cap_fail_code(c, SRR_PARSE_EIO, 0, "file", "cannot create %s: %s", out_path, strerror(e));
        if (fd >= 0) {
            close(fd);
            unlink(out_path);
        }
        return -1;
    }
    return 0;
}

int srr__capture_to_trace(const char *capture_path, const char *out_path, srr_parse_error *err)
{
    return srr__capture_to_trace_as(capture_path, NULL, out_path, err);
}

int srr__capture_to_trace_as(const char *capture_path, const char *name, const char *out_path,
                             srr_parse_error *err)
{
    srr_parse_error scratch;
    if (!err)
        err = &scratch;
    memset(err, 0, sizeof *err);
    snprintf(err->source, sizeof err->source, "%s", name ? name : capture_path);
    srr_cap cap = {.path = capture_path, .name = name ? name : capture_path, .err = err};
    srr_cap *c = &cap;
    if (srr__cap_tables_init(c) < 0) {
        srr__cap_tables_free(c);
        return -1;
    }
    pcap_t *pc = cap_open(c);
    if (!pc) {
        srr__cap_tables_free(c);
        return -1;
    }
    if (cap_create(c, out_path) < 0) {
        pcap_close(pc);
        srr__cap_tables_free(c);
        return -1;
    }
    int rc = cap_packets(c, pc);
    if (rc == 0)
        rc = srr__cap_finish(c);
    if (rc == 0 && c->socks == 0)
        rc = srr__cap_fail(c, 0, "file", "holds no TCP or UDP conversation");
    pcap_close(pc);
    srr__cap_tables_free(c);
    srr__jl_free(&c->line);
    int werr = 0;
    if (fflush(c->out) != 0)
        werr = errno;
    else if (ferror(c->out))
        werr = EIO;
    if (fclose(c->out) != 0 && !werr)
        werr = errno;
    if (rc == 0 && werr)
        rc = cap_fail_code(c, SRR_PARSE_EIO, 0, "file", "cannot write %s: %s", out_path,
                           strerror(werr));
    if (rc < 0)
        unlink(out_path);
    return rc < 0 ? -1 : 0;
}
