/*
 * test_capture.c — captures as traces (replay/capture/capture*.c).  Each test
 * writes a small capture with libpcap (pcap_open_dead + pcap_dump_open, or
 * pcapng bytes by hand), converts it, reads the trace back through the
 * project's reader (srr__trace_open/next, which checks every event) and
 * compares a one-line summary of each event with the expected ones.
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
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "sockrr.h"
#include "trace.h"

static char tmpdir[64];
static char cap_path[128], trace_path[128];

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_capture.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(cap_path, sizeof cap_path, "%s/cap.pcap", tmpdir);
    snprintf(trace_path, sizeof trace_path, "%s/trace.jsonl", tmpdir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    unlink(cap_path);
    unlink(trace_path);
    return rmdir(tmpdir);
}

/* ------------------------------------------------------------ packets */

/* An endpoint of the test's conversations. */
typedef struct tep {
    int v6;
    uint8_t a[16];
    uint16_t port;
} tep;

static tep ep(const char *host, uint16_t port)
{
    tep e = {.v6 = strchr(host, ':') != NULL, .port = port};
    assert_int_equal(inet_pton(e.v6 ? AF_INET6 : AF_INET, host, e.a), 1);
    return e;
}

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

/* Knobs for the next packets: IPv4 options, IPv6 extension headers,
 * an 802.1Q tag, DLT_NULL's byte order. */
static int opt_ip4_options, opt_ip6_ext, opt_vlan, opt_null_be;

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

/* An IP packet around l4; returns its length. */
static size_t ip_packet(uint8_t *buf, const tep *s, const tep *d, int proto, const uint8_t *l4,
                        size_t l4len)
{
    size_t h;
    if (!s->v6) {
        h = opt_ip4_options ? 24 : 20;
        memset(buf, 0, h);
        buf[0] = (uint8_t)(0x40 | h / 4);
        put16(buf + 2, (unsigned)(h + l4len));
        buf[8] = 64;
        buf[9] = (uint8_t)proto;
        memcpy(buf + 12, s->a, 4);
        memcpy(buf + 16, d->a, 4);
        if (opt_ip4_options)
            memset(buf + 20, 1, 4); /* four NOPs */
    } else {
        size_t ext = opt_ip6_ext ? 16 : 0;
        h = 40 + ext;
        memset(buf, 0, h);
        buf[0] = 0x60;
        put16(buf + 4, (unsigned)(ext + l4len));
        buf[6] = opt_ip6_ext ? 0 : (uint8_t)proto; /* hop-by-hop, then destination options */
        buf[7] = 64;
        memcpy(buf + 8, s->a, 16);
        memcpy(buf + 24, d->a, 16);
        if (opt_ip6_ext) {
            buf[40] = 60; /* next: destination options, 8 bytes (PadN inside) */
            buf[42] = 1;
            buf[43] = 4;
            buf[48] = (uint8_t)proto;
            buf[50] = 1;
            buf[51] = 4;
        }
    }
    memcpy(buf + h, l4, l4len);
    return h + l4len;
}

static size_t tcp_packet(uint8_t *buf, const tep *s, const tep *d, uint32_t seq, uint32_t ack,
                         int flags, const void *data, size_t n)
{
    uint8_t l4[2048];
    memset(l4, 0, 20);
    put16(l4, s->port);
    put16(l4 + 2, d->port);
    put32(l4 + 4, seq);
    put32(l4 + 8, ack);
    l4[12] = 5 << 4;
    l4[13] = (uint8_t)flags;
    put16(l4 + 14, 65535);
    memcpy(l4 + 20, data, n);
    return ip_packet(buf, s, d, 6, l4, 20 + n);
}

static size_t udp_packet(uint8_t *buf, const tep *s, const tep *d, const char *data)
{
    uint8_t l4[2048];
    size_t n = strlen(data);
    put16(l4, s->port);
    put16(l4 + 2, d->port);
    put16(l4 + 4, (unsigned)(8 + n));
    put16(l4 + 6, 0);
    memcpy(l4 + 8, data, n);
    return ip_packet(buf, s, d, 17, l4, 8 + n);
}

/* The link header for linktype in front of an IP packet; returns the frame's length. */
static size_t frame(int linktype, uint8_t *out, const uint8_t *ip, size_t iplen)
{
    int v6 = ip[0] >> 4 == 6;
    size_t h = 0;
    switch (linktype) {
    case DLT_EN10MB:
        memset(out, 0, 12);
        out[5] = 1;
        out[11] = 2;
        h = 12;
        if (opt_vlan) {
            put16(out + h, 0x8100);
            put16(out + h + 2, 42);
            h += 4;
        }
        put16(out + h, v6 ? 0x86dd : 0x0800);
        h += 2;
        break;
    case DLT_LINUX_SLL:
        memset(out, 0, 16);
        put16(out + 2, 1);  /* ARPHRD_ETHER */
        put16(out + 4, 6);
        put16(out + 14, v6 ? 0x86dd : 0x0800);
        h = 16;
        break;
    case DLT_LINUX_SLL2:
        memset(out, 0, 20);
        put16(out, v6 ? 0x86dd : 0x0800);
        put32(out + 4, 1);  /* ifindex */
        put16(out + 8, 1);
        out[11] = 6;
        h = 20;
        break;
    case DLT_NULL: {
        uint32_t fam = v6 ? (opt_null_be ? 24 : 30) : 2;
        if (opt_null_be)
            put32(out, fam);
        else
            memcpy(out, &fam, 4); /* this machine's order, as BSD writes it */
        h = 4;
        break;
    }
    case DLT_LOOP:
        put32(out, v6 ? 28 : 2);
        h = 4;
        break;
    default: /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
        break;
    }
    memcpy(out + h, ip, iplen);
    size_t n = h + iplen;
    if (linktype == DLT_EN10MB && n < 60) { /* Ethernet pads short frames */
        memset(out + n, 0xee, 60 - n);
        n = 60;
    }
    return n;
}

/* ------------------------------------------------------------ captures */

/* A capture being written; packets 1 ms apart. */
typedef struct cw {
    pcap_t *dead;
    pcap_dumper_t *d;
    int linktype;
    long n;
    int64_t t0; /* the first packet's second */
} cw;

#define T0_SEC 1700000000

static void cw_open(cw *w, int linktype)
{
    w->linktype = linktype;
    w->n = 0;
    w->t0 = T0_SEC;
    w->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144, PCAP_TSTAMP_PRECISION_NANO);
    assert_non_null(w->dead);
    w->d = pcap_dump_open(w->dead, cap_path);
    if (!w->d)
        fail_msg("pcap_dump_open: %s", pcap_geterr(w->dead));
}

/* One frame; cut bytes left out of the capture (a short snaplen). */
static void cw_raw(cw *w, const uint8_t *bytes, size_t n, size_t cut)
{
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)(n - cut), .len = (bpf_u_int32)n};
    h.ts.tv_sec = (time_t)(w->t0 + w->n / 1000); /* pcap_dump keeps the low 32 bits */
    h.ts.tv_usec = (w->n % 1000) * 1000000; /* nanoseconds: the file's precision */
    w->n++;
    pcap_dump((u_char *)w->d, &h, bytes);
}

static void cw_ip(cw *w, const uint8_t *ip, size_t n, size_t cut)
{
    uint8_t f[4096];
    cw_raw(w, f, frame(w->linktype, f, ip, n), cut);
}

static void cw_tcp_cut(cw *w, const tep *s, const tep *d, uint32_t seq, uint32_t ack, int flags,
                       const char *data, size_t cut)
{
    uint8_t ip[2048];
    cw_ip(w, ip, tcp_packet(ip, s, d, seq, ack, flags, data, strlen(data)), cut);
}

static void cw_tcp(cw *w, const tep *s, const tep *d, uint32_t seq, uint32_t ack, int flags,
                   const char *data)
{
    cw_tcp_cut(w, s, d, seq, ack, flags, data, 0);
}

static void cw_udp(cw *w, const tep *s, const tep *d, const char *data)
{
    uint8_t ip[2048];
    cw_ip(w, ip, udp_packet(ip, s, d, data), 0);
}

static void cw_close(cw *w)
{
    pcap_dump_close(w->d);
    pcap_close(w->dead);
}

static void write_file(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------ traces */

/* A growing string. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->n + (size_t)k + 1 > b->cap) {
        b->cap = (b->n + (size_t)k + 1) * 2;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

static const char *jstr(const srr_json *o, const char *key)
{
    return srr__json_str(srr__json_get(o, key));
}

static void sb_member(sbuf *b, const srr_json *o, const char *key, const char *label)
{
    if (jstr(o, key))
        sb_add(b, " %s=%s", label, jstr(o, key));
}

/* One event as "pid op ret [errno] sN [members] "data"" with data's bytes
 * printable or \xHH; checks fd, tid and new_fd on the way. */
static void summarize(sbuf *b, const srr_json *ev)
{
    int64_t pid = srr__json_int(srr__json_get(ev, "pid"));
    assert_int_equal(srr__json_int(srr__json_get(ev, "tid")), pid);
    sb_add(b, "%lld %s %lld", (long long)pid, jstr(ev, "op"),
           (long long)srr__json_int(srr__json_get(ev, "ret")));
    if (jstr(ev, "errno"))
        sb_add(b, " %s", jstr(ev, "errno"));
    const srr_json *sock = srr__json_get(ev, "sock");
    if (sock) {
        sb_add(b, " s%lld", (long long)srr__json_int(sock));
        assert_int_equal(srr__json_int(srr__json_get(ev, "fd")),
                         3 + srr__json_int(sock));
    }
    const srr_json *ns = srr__json_get(ev, "new_sock");
    if (ns) {
        sb_add(b, " new=s%lld", (long long)srr__json_int(ns));
        assert_int_equal(srr__json_int(srr__json_get(ev, "new_fd")),
                         3 + srr__json_int(ns));
    }
    const srr_json *args = srr__json_get(ev, "args");
    if (strcmp(jstr(ev, "op"), "socket") == 0)
        sb_add(b, " dom=%lld type=%lld", (long long)srr__json_int(srr__json_get(args, "domain")),
               (long long)srr__json_int(srr__json_get(args, "type")));
    sb_member(b, args, "addr", "addr");
    sb_member(b, args, "to", "to");
    sb_member(b, ev, "from", "from");
    sb_member(b, ev, "local", "local");
    sb_member(b, ev, "peer", "peer");
    sb_member(b, ev, "new_local", "nl");
    sb_member(b, ev, "new_peer", "np");
    if (srr__json_get(ev, "off"))
        sb_add(b, " off=%lld", (long long)srr__json_int(srr__json_get(ev, "off")));
    const char *data = jstr(ev, "data");
    if (data) {
        unsigned char *bytes;
        size_t n;
        assert_int_equal(srr__b64_decode(data, strlen(data), &bytes, &n), 0);
        sb_add(b, " \"");
        for (size_t i = 0; i < n; i++)
            if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '\\')
                sb_add(b, "%c", bytes[i]);
            else
                sb_add(b, "\\x%02x", bytes[i]);
        sb_add(b, "\"");
        free(bytes);
    }
    sb_add(b, "\n");
}

static void fail_error(const char *what, const srr_parse_error *err)
{
    char buf[700];
    fail_msg("%s: %s", what, srr__parse_error_format(err, buf, sizeof buf));
}

/* Converts cap_path and reads the trace back, every event checked by the
 * reader; returns the summaries (caller frees). */
static char *convert(void)
{
    srr_parse_error err;
    if (srr__capture_to_trace(cap_path, trace_path, &err) != 0)
        fail_error("conversion failed", &err);
    srr_trace_reader *r = srr__trace_open(trace_path, &err);
    if (!r)
        fail_error("the trace does not open", &err);
    sbuf b = {0};
    sb_add(&b, "%s", "");
    srr_json *ev;
    int rc;
    while ((rc = srr__trace_next(r, &ev, &err)) == 1) {
        summarize(&b, ev);
        srr__json_free(ev);
    }
    if (rc < 0)
        fail_error("the trace does not read", &err);
    if (srr__trace_torn(r, &err))
        fail_error("torn trace", &err);
    srr__trace_close(r);
    return b.s;
}

static void expect_trace(const char *want)
{
    char *got = convert();
    assert_string_equal(got, want);
    free(got);
}

/* The conversion fails at line with field and a text holding part.  A
 * trace it began is removed; when the capture cannot be opened, an old
 * file at the trace's path is left alone. */
static void expect_error_at(long line, const char *field, const char *part, int began)
{
    srr_parse_error err;
    write_file(trace_path, "old", 3);
    assert_int_equal(srr__capture_to_trace(cap_path, trace_path, &err), -1);
    if (getenv("SHOW_ERRORS")) {
        char buf[700];
        printf("%s\n", srr__parse_error_format(&err, buf, sizeof buf));
    }
    if (err.line != line || strcmp(err.field, field) != 0 || !strstr(err.text, part))
        fail_msg("got line %ld field \"%s\" text \"%s\"; expected line %ld field \"%s\" text "
                 "with \"%s\"", err.line, err.field, err.text, line, field, part);
    assert_string_equal(err.source, cap_path);
    if (began) {
        assert_int_equal(access(trace_path, F_OK), -1);
    } else {
        char buf[8] = "";
        FILE *f = fopen(trace_path, "r");
        assert_non_null(f);
        assert_non_null(fgets(buf, sizeof buf, f));
        fclose(f);
        assert_string_equal(buf, "old");
    }
}

static void expect_error(long line, const char *field, const char *part)
{
    expect_error_at(line, field, part, 1);
}

/* ------------------------------------------------------------ the exchange */

static const char REQ[] = "GET / HTTP/1.0\r\n\r\n";           /* 18 bytes */
static const char RESP[] = "HTTP/1.0 200 OK\r\n\r\nhello";     /* 24 bytes */

/* Handshake, request, response, FINs both ways, last ACK. */
static void exchange(cw *w, const tep *c, const tep *s)
{
    cw_tcp(w, c, s, 1000, 0, F_SYN, "");
    cw_tcp(w, s, c, 5000, 1001, F_SYN | F_ACK, "");
    cw_tcp(w, c, s, 1001, 5001, F_ACK, "");
    cw_tcp(w, c, s, 1001, 5001, F_PSH | F_ACK, REQ);
    cw_tcp(w, s, c, 5001, 1019, F_PSH | F_ACK, RESP);
    cw_tcp(w, c, s, 1019, 5025, F_FIN | F_ACK, "");
    cw_tcp(w, s, c, 5025, 1020, F_FIN | F_ACK, "");
    cw_tcp(w, c, s, 1020, 5026, F_ACK, "");
}

/* What exchange() becomes, for client address C and server S (strings as
 * the trace writes them) and the socket domain. */
static char *exchange_trace(const char *c, const char *s, int dom)
{
    sbuf b = {0};
    sb_add(&b,
           "1 socket %d s1 dom=%d type=1\n"
           "2 socket %d s2 dom=%d type=1\n"
           "2 bind 0 s2 addr=%s local=%s\n"
           "2 listen 0 s2 local=%s\n"
           "1 connect 0 s1 addr=%s local=%s peer=%s\n"
           "2 accept4 6 s2 new=s3 local=%s nl=%s np=%s\n"
           "1 sendmsg 18 s1 off=0 \"GET / HTTP/1.0\\x0d\\x0a\\x0d\\x0a\"\n"
           "2 recvmsg 18 s3 off=0 \"GET / HTTP/1.0\\x0d\\x0a\\x0d\\x0a\"\n"
           "2 sendmsg 24 s3 off=0 \"HTTP/1.0 200 OK\\x0d\\x0a\\x0d\\x0ahello\"\n"
           "1 recvmsg 24 s1 off=0 \"HTTP/1.0 200 OK\\x0d\\x0a\\x0d\\x0ahello\"\n"
           "2 recvmsg 0 s3 off=18 \"\"\n"
           "1 recvmsg 0 s1 off=24 \"\"\n"
           "1 close 0 s1\n"
           "2 close 0 s3\n"
           "2 close 0 s2\n",
           4, dom, 5, dom, s, s, s, s, c, s, s, s, c);
    return b.s;
}

static void expect_exchange(int linktype, const char *c, const char *s)
{
    cw w;
    cw_open(&w, linktype);
    tep ce = ep(strchr(c, '[') ? "2001:db8::1" : "10.0.0.1", 40000);
    tep se = ep(strchr(c, '[') ? "2001:db8::2" : "10.0.0.2", 80);
    exchange(&w, &ce, &se);
    cw_close(&w);
    char *want = exchange_trace(c, s, strchr(c, '[') ? 10 : 2);
    expect_trace(want);
    free(want);
}

#define C4 "10.0.0.1:40000"
#define S4 "10.0.0.2:80"
#define C6 "[2001:db8::1]:40000"
#define S6 "[2001:db8::2]:80"

/* ------------------------------------------------------------ tests */

static void test_sniff_knows_pcap_and_pcapng_magic(void **state)
{
    (void)state;
    static const uint8_t magics[][4] = {{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
                                        {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
                                        {0x0a, 0x0d, 0x0d, 0x0a}};
    for (size_t i = 0; i < 5; i++) {
        write_file(cap_path, magics[i], 4);
        assert_int_equal(srr__capture_sniff(cap_path), 1);
    }
    write_file(cap_path, "{\"type\":\"header\"}\n", 18);
    assert_int_equal(srr__capture_sniff(cap_path), 0);
    write_file(cap_path, magics[0], 3);
    assert_int_equal(srr__capture_sniff(cap_path), 0);
    unlink(cap_path);
    assert_int_equal(srr__capture_sniff(cap_path), -ENOENT);
}

static void test_header_names_the_capture_and_its_start(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    exchange(&w, &c, &s);
    cw_close(&w);
    free(convert());
    struct stat st;
    assert_int_equal(stat(trace_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *f = fopen(trace_path, "r");
    assert_non_null(f);
    char line[1024];
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    char want[1024];
    snprintf(want, sizeof want,
             "{\"type\":\"header\",\"format\":\"sockrr-trace\",\"version\":1,\"sockrr\":\"%s\","
             "\"program\":\"capture\",\"argv\":[\"%s\"],\"world\":\"capture\",\"seed\":0,"
             "\"pid\":1,\"start_realtime_ns\":%lld,\"start_monotonic_ns\":0,"
             "\"payload_cap\":-1}\n",
             SRR_VERSION, cap_path, (long long)T0_SEC * 1000000000);
    assert_string_equal(line, want);
}

/* pcap's seconds are an unsigned 32-bit field: from 2038 (bit 31 set,
 * which libpcap hands over sign-extended) to 2106 they are times after
 * 1970, not before. */
static void test_pcap_times_from_2038_to_2106(void **state)
{
    (void)state;
    static const int64_t starts[] = {0x80000000LL, 0xfffffffeLL};
    for (size_t i = 0; i < 2; i++) {
        cw w;
        cw_open(&w, DLT_RAW);
        w.t0 = starts[i];
        tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
        exchange(&w, &c, &s);
        cw_close(&w);
        free(convert()); /* every event checked: t never goes back */
        srr_parse_error err;
        srr_trace_reader *r = srr__trace_open(trace_path, &err);
        if (!r)
            fail_error("the trace does not open", &err);
        int64_t rt = srr__json_int(srr__json_get(srr__trace_header(r), "start_realtime_ns"));
        srr__trace_close(r);
        assert_int_equal(rt, starts[i] * 1000000000);
    }
}

/* The capture's name is text: its UTF-8 kept, a tab escaped as JSON writers
 * (and jansson, which wrote these lines before) escape it; a byte that is
 * not UTF-8 still gives a line, with the byte as \u00XX. */
static void test_header_keeps_the_capture_name_s_text(void **state)
{
    (void)state;
    static const struct {
        const char *name, *json;
    } names[] = {
        {"caf\xc3\xa9\tq.pcap", "caf\xc3\xa9\\tq.pcap"},
        {"bad\xffq.pcap", "bad\\u00ffq.pcap"},
    };
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    exchange(&w, &c, &s);
    cw_close(&w);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256], want[512], line[1024];
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i].name);
        assert_int_equal(link(cap_path, path), 0);
        srr_parse_error err;
        int rc = srr__capture_to_trace(path, trace_path, &err);
        unlink(path);
        if (rc != 0)
            fail_error("conversion failed", &err);
        FILE *f = fopen(trace_path, "r");
        assert_non_null(f);
        assert_non_null(fgets(line, sizeof line, f));
        fclose(f);
        snprintf(want, sizeof want, "\"argv\":[\"%s/%s\"]", tmpdir, names[i].json);
        if (!strstr(line, want))
            fail_msg("header %s has no %s", line, want);
    }
}

/* The exact lines of a few events: members, order, t. */
static void test_events_are_compact_lines_with_packet_times(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    exchange(&w, &c, &s);
    cw_close(&w);
    free(convert());
    FILE *f = fopen(trace_path, "r");
    assert_non_null(f);
    char line[1024];
    static const char *const want[] = {
        NULL, /* the header */
        "{\"type\":\"event\",\"seq\":1,\"t\":0,\"pid\":1,\"tid\":1,\"op\":\"socket\",\"ret\":4,"
        "\"args\":{\"domain\":2,\"type\":1,\"protocol\":0},\"sock\":1,\"fd\":4,"
        "\"family\":\"AF_INET\",\"stype\":\"SOCK_STREAM\"}\n",
        NULL, NULL, NULL,
        "{\"type\":\"event\",\"seq\":5,\"t\":1000000,\"pid\":1,\"tid\":1,\"op\":\"connect\","
        "\"ret\":0,\"args\":{\"addr\":\"10.0.0.2:80\"},\"sock\":1,\"fd\":4,"
        "\"local\":\"10.0.0.1:40000\",\"peer\":\"10.0.0.2:80\"}\n",
        "{\"type\":\"event\",\"seq\":6,\"t\":1000000,\"pid\":2,\"tid\":2,\"op\":\"accept4\","
        "\"ret\":6,\"args\":{\"flags\":0},\"sock\":2,\"fd\":5,\"local\":\"10.0.0.2:80\","
        "\"new_sock\":3,\"new_fd\":6,\"new_local\":\"10.0.0.2:80\","
        "\"new_peer\":\"10.0.0.1:40000\"}\n",
        "{\"type\":\"event\",\"seq\":7,\"t\":3000000,\"pid\":1,\"tid\":1,\"op\":\"sendmsg\","
        "\"ret\":18,\"args\":{\"flags\":0,\"iov\":18},\"sock\":1,\"fd\":4,"
        "\"data\":\"R0VUIC8gSFRUUC8xLjANCg0K\",\"len\":18,\"off\":0}\n",
        "{\"type\":\"event\",\"seq\":8,\"t\":3000000,\"pid\":2,\"tid\":2,\"op\":\"recvmsg\","
        "\"ret\":18,\"args\":{\"flags\":0,\"size\":65536},\"sock\":3,\"fd\":6,"
        "\"data\":\"R0VUIC8gSFRUUC8xLjANCg0K\",\"len\":18,\"off\":0}\n",
        NULL, NULL,
        "{\"type\":\"event\",\"seq\":11,\"t\":5000000,\"pid\":2,\"tid\":2,\"op\":\"recvmsg\","
        "\"ret\":0,\"args\":{\"flags\":0,\"size\":65536},\"sock\":3,\"fd\":6,\"data\":\"\","
        "\"len\":0,\"off\":18}\n",
        NULL,
        "{\"type\":\"event\",\"seq\":13,\"t\":6000000,\"pid\":1,\"tid\":1,\"op\":\"close\","
        "\"ret\":0,\"sock\":1,\"fd\":4}\n",
        NULL,
        "{\"type\":\"event\",\"seq\":15,\"t\":7000000,\"pid\":2,\"tid\":2,\"op\":\"close\","
        "\"ret\":0,\"sock\":2,\"fd\":5}\n",
    };
    size_t i = 0;
    while (fgets(line, sizeof line, f)) {
        assert_true(i < sizeof want / sizeof want[0]);
        if (want[i])
            assert_string_equal(line, want[i]);
        i++;
    }
    fclose(f);
    assert_int_equal(i, sizeof want / sizeof want[0]);
}

static void test_tcp_over_ethernet(void **state)
{
    (void)state;
    expect_exchange(DLT_EN10MB, C4, S4);
}

static void test_tcp_over_ethernet_with_vlan_tag(void **state)
{
    (void)state;
    opt_vlan = 1;
    expect_exchange(DLT_EN10MB, C4, S4);
    opt_vlan = 0;
}

static void test_tcp_over_linux_cooked_v1(void **state)
{
    (void)state;
    expect_exchange(DLT_LINUX_SLL, C4, S4);
}

static void test_tcp_over_linux_cooked_v2(void **state)
{
    (void)state;
    expect_exchange(DLT_LINUX_SLL2, C4, S4);
}

static void test_tcp_over_raw_ipv4_with_options(void **state)
{
    (void)state;
    opt_ip4_options = 1;
    expect_exchange(DLT_RAW, C4, S4);
    opt_ip4_options = 0;
}

static void test_tcp_over_dlt_ipv4(void **state)
{
    (void)state;
    expect_exchange(DLT_IPV4, C4, S4);
}

static void test_tcp_ipv6_over_raw_with_extension_headers(void **state)
{
    (void)state;
    opt_ip6_ext = 1;
    expect_exchange(DLT_RAW, C6, S6);
    opt_ip6_ext = 0;
}

static void test_tcp_ipv6_over_null_either_byte_order(void **state)
{
    (void)state;
    expect_exchange(DLT_NULL, C6, S6); /* 30, this machine's order */
    opt_null_be = 1;
    expect_exchange(DLT_NULL, C6, S6); /* 24, the other order */
    opt_null_be = 0;
}

static void test_tcp_ipv6_over_loop(void **state)
{
    (void)state;
    expect_exchange(DLT_LOOP, C6, S6);
}

#define OPEN_EST                                                                               \
    "1 socket 4 s1 dom=2 type=1\n"                                                             \
    "2 socket 5 s2 dom=2 type=1\n"                                                             \
    "2 bind 0 s2 addr=" S4 " local=" S4 "\n"                                                   \
    "2 listen 0 s2 local=" S4 "\n"                                                             \
    "1 connect 0 s1 addr=" S4 " local=" C4 " peer=" S4 "\n"                                    \
    "2 accept4 6 s2 new=s3 local=" S4 " nl=" S4 " np=" C4 "\n"

static void handshake(cw *w, const tep *c, const tep *s)
{
    cw_tcp(w, c, s, 1000, 0, F_SYN, "");
    cw_tcp(w, s, c, 5000, 1001, F_SYN | F_ACK, "");
    cw_tcp(w, c, s, 1001, 5001, F_ACK, "");
}

static void test_retransmission_is_delivered_once(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    cw_tcp(&w, &c, &s, 1001, 5001, F_ACK, "hello");
    cw_tcp(&w, &c, &s, 1001, 5001, F_ACK, "hello");  /* the same again */
    cw_tcp(&w, &c, &s, 1004, 5001, F_ACK, "XXworld"); /* overlaps: the first "lo" wins */
    cw_tcp(&w, &c, &s, 1001, 5001, F_ACK, "H");       /* different bytes, delivered before */
    cw_close(&w);
    expect_trace(OPEN_EST
                 "1 sendmsg 5 s1 off=0 \"hello\"\n"
                 "2 recvmsg 5 s3 off=0 \"hello\"\n"
                 "1 sendmsg 5 s1 off=5 \"world\"\n"
                 "2 recvmsg 5 s3 off=5 \"world\"\n"
                 "1 close 0 s1\n"
                 "2 close 0 s3\n"
                 "2 close 0 s2\n");
}

static void test_out_of_order_segments_wait_for_the_gap(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    cw_tcp(&w, &c, &s, 1007, 5001, F_ACK | F_FIN, "three"); /* bytes 6-10, then the FIN */
    cw_tcp(&w, &c, &s, 1004, 5001, F_ACK, "two");           /* bytes 3-5 */
    cw_tcp(&w, &c, &s, 1004, 5001, F_ACK, "two");           /* held twice: once is kept */
    cw_tcp(&w, &s, &c, 5001, 1001, F_ACK, "reply");
    cw_tcp(&w, &c, &s, 1001, 5006, F_ACK, "one"); /* bytes 0-2: everything goes */
    cw_close(&w);
    expect_trace(OPEN_EST
                 "2 sendmsg 5 s3 off=0 \"reply\"\n"
                 "1 recvmsg 5 s1 off=0 \"reply\"\n"
                 "1 sendmsg 3 s1 off=0 \"one\"\n"
                 "2 recvmsg 3 s3 off=0 \"one\"\n"
                 "1 sendmsg 3 s1 off=3 \"two\"\n"
                 "2 recvmsg 3 s3 off=3 \"two\"\n"
                 "1 sendmsg 5 s1 off=6 \"three\"\n"
                 "2 recvmsg 5 s3 off=6 \"three\"\n"
                 "2 recvmsg 0 s3 off=11 \"\"\n"
                 "1 close 0 s1\n"
                 "2 close 0 s3\n"
                 "2 close 0 s2\n");
}

static void test_sequence_numbers_wrap(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    cw_tcp(&w, &c, &s, 0xfffffffd, 0, F_SYN, "");
    cw_tcp(&w, &s, &c, 5000, 0xfffffffe, F_SYN | F_ACK, "");
    cw_tcp(&w, &c, &s, 0x00000001, 5001, F_ACK, "cdef"); /* bytes 3-6, after the wrap */
    cw_tcp(&w, &c, &s, 0xfffffffe, 5001, F_ACK, "abc");  /* bytes 0-2 */
    cw_close(&w);
    expect_trace(OPEN_EST
                 "1 sendmsg 3 s1 off=0 \"abc\"\n"
                 "2 recvmsg 3 s3 off=0 \"abc\"\n"
                 "1 sendmsg 4 s1 off=3 \"cdef\"\n"
                 "2 recvmsg 4 s3 off=3 \"cdef\"\n"
                 "1 close 0 s1\n"
                 "2 close 0 s3\n"
                 "2 close 0 s2\n");
}

/* No handshake: the higher port is the client's, whoever speaks first. */
static void test_capture_starting_mid_flow(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    cw_tcp(&w, &s, &c, 777, 333, F_ACK | F_PSH, "late reply");
    cw_tcp(&w, &c, &s, 333, 787, F_ACK | F_PSH, "next");
    cw_tcp(&w, &s, &c, 787, 337, F_ACK | F_RST, "");
    cw_close(&w);
    expect_trace(OPEN_EST
                 "2 sendmsg 10 s3 off=0 \"late reply\"\n"
                 "1 recvmsg 10 s1 off=0 \"late reply\"\n"
                 "1 sendmsg 4 s1 off=0 \"next\"\n"
                 "2 recvmsg 4 s3 off=0 \"next\"\n"
                 "1 recvmsg -1 ECONNRESET s1\n"
                 "1 close 0 s1\n"
                 "2 close 0 s3\n"
                 "2 close 0 s2\n");
}

static void test_rst_to_syn_is_connection_refused(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 81);
    cw_tcp(&w, &c, &s, 1000, 0, F_SYN, "");
    cw_tcp(&w, &s, &c, 0, 1001, F_RST | F_ACK, "");
    cw_tcp(&w, &c, &s, 1001, 0, F_ACK, ""); /* after the end: ignored */
    cw_close(&w);
    expect_trace("1 socket 4 s1 dom=2 type=1\n"
                 "1 connect -1 ECONNREFUSED s1 addr=10.0.0.2:81 local=" C4 "\n"
                 "1 close 0 s1\n");
}

static void test_unanswered_syn_times_out(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    cw_tcp(&w, &c, &s, 1000, 0, F_SYN, "");
    cw_tcp(&w, &c, &s, 1000, 0, F_SYN, "");
    cw_close(&w);
    expect_trace("1 socket 4 s1 dom=2 type=1\n"
                 "1 connect -1 ETIMEDOUT s1 addr=" S4 " local=" C4 "\n"
                 "1 close 0 s1\n");
}

/* The same ports again after a finished connection: a new flow, the same
 * listener. */
static void test_ports_reused_make_a_new_connection(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    cw_tcp(&w, &c, &s, 1001, 5001, F_ACK | F_RST, "");
    cw_tcp(&w, &c, &s, 9000, 0, F_SYN, "");
    cw_tcp(&w, &s, &c, 7000, 9001, F_SYN | F_ACK, "");
    cw_tcp(&w, &c, &s, 9001, 7001, F_ACK, "again");
    cw_close(&w);
    expect_trace(OPEN_EST
                 "2 recvmsg -1 ECONNRESET s3\n"
                 "1 close 0 s1\n"
                 "2 close 0 s3\n"
                 "1 socket 7 s4 dom=2 type=1\n"
                 "1 connect 0 s4 addr=" S4 " local=" C4 " peer=" S4 "\n"
                 "2 accept4 8 s2 new=s5 local=" S4 " nl=" S4 " np=" C4 "\n"
                 "1 sendmsg 5 s4 off=0 \"again\"\n"
                 "2 recvmsg 5 s5 off=0 \"again\"\n"
                 "1 close 0 s4\n"
                 "2 close 0 s5\n"
                 "2 close 0 s2\n");
}

/* TCP Fast Open: data on the SYN is sent once connect has succeeded. */
static void test_syn_data_waits_for_the_handshake(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    cw_tcp(&w, &c, &s, 1000, 0, F_SYN, "early");
    cw_tcp(&w, &s, &c, 5000, 1006, F_SYN | F_ACK, "");
    cw_tcp(&w, &c, &s, 1006, 5001, F_ACK, "late");
    cw_close(&w);
    expect_trace(OPEN_EST
                 "1 sendmsg 5 s1 off=0 \"early\"\n"
                 "2 recvmsg 5 s3 off=0 \"early\"\n"
                 "1 sendmsg 4 s1 off=5 \"late\"\n"
                 "2 recvmsg 4 s3 off=5 \"late\"\n"
                 "1 close 0 s1\n"
                 "2 close 0 s3\n"
                 "2 close 0 s2\n");
}

/* Segmentation offload: an IPv4 total length of 0 and 70000 bytes, which
 * no receive of 64 KiB takes at once. */
static void test_offloaded_segment_over_64k_is_split(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_RAW);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    size_t n = 70000;
    uint8_t *ip = malloc(40 + n);
    assert_non_null(ip);
    assert_int_equal(tcp_packet(ip, &s, &c, 5001, 1001, F_ACK, "", 0), 40);
    memset(ip + 40, 'x', n);
    put16(ip + 2, 0);
    cw_raw(&w, ip, 40 + n, 0);
    free(ip);
    cw_close(&w);
    sbuf want = {0};
    sb_add(&want, "%s", OPEN_EST);
    for (int i = 0; i < 2; i++) {
        size_t k = i == 0 ? 65536 : n - 65536;
        char *xs = malloc(k + 1);
        assert_non_null(xs);
        memset(xs, 'x', k);
        xs[k] = '\0';
        sb_add(&want, "2 sendmsg %zu s3 off=%d \"%s\"\n1 recvmsg %zu s1 off=%d \"%s\"\n", k,
               i * 65536, xs, k, i * 65536, xs);
        free(xs);
    }
    sb_add(&want, "1 close 0 s1\n2 close 0 s3\n2 close 0 s2\n");
    expect_trace(want.s);
    free(want.s);
}

static void test_gap_is_an_error_naming_the_packet_after_it(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    cw_tcp(&w, &c, &s, 1001, 5001, F_ACK, "01234");
    cw_tcp(&w, &c, &s, 1011, 5001, F_ACK, "ABCDE"); /* packet 5: bytes 5-9 never came */
    cw_tcp(&w, &s, &c, 5001, 1016, F_ACK, "ok");
    cw_close(&w);
    expect_error(5, "tcp",
                 "flow 10.0.0.1:40000 -> 10.0.0.2:80: bytes 5-9 of the stream were never "
                 "captured (dropped packets or a short snaplen?)");
}

static void test_short_snaplen_is_a_gap(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    cw_tcp(&w, &c, &s, 1001, 5001, F_ACK, "hi");
    cw_tcp_cut(&w, &s, &c, 5001, 1003, F_ACK, "0123456789", 4); /* packet 5: 6 of 10 bytes */
    cw_close(&w);
    expect_error(5, "tcp", "flow 10.0.0.2:80 -> 10.0.0.1:40000: bytes 6-9 of the stream");
}

static void test_udp_two_clients_share_one_server_socket(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep a = ep("10.0.0.1", 5000), b = ep("10.0.0.3", 5001), s = ep("10.0.0.2", 53);
    cw_udp(&w, &a, &s, "qa");
    cw_udp(&w, &b, &s, "qb");
    cw_udp(&w, &s, &b, "rb");
    cw_udp(&w, &s, &a, "ra");
    cw_close(&w);
    expect_trace("1 socket 4 s1 dom=2 type=2\n"
                 "2 socket 5 s2 dom=2 type=2\n"
                 "2 bind 0 s2 addr=10.0.0.2:53 local=10.0.0.2:53\n"
                 "1 sendmsg 2 s1 to=10.0.0.2:53 peer=10.0.0.2:53 \"qa\"\n"
                 "2 recvmsg 2 s2 from=10.0.0.1:5000 \"qa\"\n"
                 "1 socket 6 s3 dom=2 type=2\n"
                 "1 sendmsg 2 s3 to=10.0.0.2:53 peer=10.0.0.2:53 \"qb\"\n"
                 "2 recvmsg 2 s2 from=10.0.0.3:5001 \"qb\"\n"
                 "2 sendmsg 2 s2 to=10.0.0.3:5001 \"rb\"\n"
                 "1 recvmsg 2 s3 from=10.0.0.2:53 \"rb\"\n"
                 "2 sendmsg 2 s2 to=10.0.0.1:5000 \"ra\"\n"
                 "1 recvmsg 2 s1 from=10.0.0.2:53 \"ra\"\n"
                 "1 close 0 s1\n"
                 "1 close 0 s3\n"
                 "2 close 0 s2\n");
}

/* Enough connections to grow the flow table, interleaved: each one's
 * bytes stay on its own sockets. */
static void test_many_interleaved_connections(void **state)
{
    (void)state;
    enum { N = 150 };
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep s = ep("10.0.0.2", 80);
    for (int i = 0; i < N; i++) {
        tep c = ep("10.0.0.1", (uint16_t)(30000 + i));
        cw_tcp(&w, &c, &s, 1000, 0, F_SYN, "");
        cw_tcp(&w, &s, &c, 5000, 1001, F_SYN | F_ACK, "");
    }
    for (int i = N - 1; i >= 0; i--) {
        tep c = ep("10.0.0.1", (uint16_t)(30000 + i));
        char msg[16];
        snprintf(msg, sizeof msg, "c%d", i);
        cw_tcp(&w, &c, &s, 1001, 5001, F_ACK, msg);
    }
    cw_close(&w);
    sbuf want = {0};
    sb_add(&want, "1 socket 4 s1 dom=2 type=1\n2 socket 5 s2 dom=2 type=1\n"
                  "2 bind 0 s2 addr=" S4 " local=" S4 "\n2 listen 0 s2 local=" S4 "\n");
    /* client i: sock 1 for i = 0, then 2i + 2; its accepted sock one more */
    for (int i = 0; i < N; i++) {
        int cs = i == 0 ? 1 : 2 * i + 2, ss = i == 0 ? 3 : 2 * i + 3;
        if (i > 0)
            sb_add(&want, "1 socket %d s%d dom=2 type=1\n", 3 + cs, cs);
        sb_add(&want,
               "1 connect 0 s%d addr=" S4 " local=10.0.0.1:%d peer=" S4 "\n"
               "2 accept4 %d s2 new=s%d local=" S4 " nl=" S4 " np=10.0.0.1:%d\n",
               cs, 30000 + i, 3 + ss, ss, 30000 + i);
    }
    for (int i = N - 1; i >= 0; i--) {
        int cs = i == 0 ? 1 : 2 * i + 2, ss = i == 0 ? 3 : 2 * i + 3;
        int n = snprintf(NULL, 0, "c%d", i);
        sb_add(&want, "1 sendmsg %d s%d off=0 \"c%d\"\n2 recvmsg %d s%d off=0 \"c%d\"\n", n, cs, i,
               n, ss, i);
    }
    for (int i = 0; i < N; i++) {
        int cs = i == 0 ? 1 : 2 * i + 2, ss = i == 0 ? 3 : 2 * i + 3;
        sb_add(&want, "1 close 0 s%d\n2 close 0 s%d\n", cs, ss);
    }
    sb_add(&want, "2 close 0 s2\n");
    expect_trace(want.s);
    free(want.s);
}

/* Occurrences of needle in hay. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Enough server addresses to grow the server table (past 16, 32 and 64),
 * then each connected to again: every second connection finds its
 * listener (the table once lost all but the newest of a bucket, which
 * pointed at itself, and the conversion never ended).  A watchdog makes a
 * hang a failure. */
static void test_many_server_ports_each_found_again(void **state)
{
    (void)state;
    enum { N = 100 };
    cw w;
    cw_open(&w, DLT_RAW);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++) {
            tep c = ep("10.0.0.1", (uint16_t)(20000 + 1000 * round + i));
            tep s = ep("10.0.0.2", (uint16_t)(1000 + i));
            cw_tcp(&w, &c, &s, 100, 0, F_SYN, "");
            cw_tcp(&w, &s, &c, 500, 101, F_SYN | F_ACK, "");
            cw_tcp(&w, &c, &s, 101, 501, F_ACK, "");
        }
    cw_close(&w);
    alarm(20);
    char *got = convert();
    alarm(0);
    assert_int_equal(count_of(got, " listen 0 "), N);
    assert_int_equal(count_of(got, " connect 0 "), 2 * N);
    assert_int_equal(count_of(got, " accept4 "), 2 * N);
    /* the second connection to port 1000 + i is accepted by the listener
     * of the first */
    for (int i = 0; i < N; i++) {
        char first[64], again[96];
        snprintf(first, sizeof first, "nl=10.0.0.2:%d np=10.0.0.1:%d\n", 1000 + i, 20000 + i);
        const char *a = strstr(got, first);
        assert_non_null(a);
        while (a > got && a[-1] != '\n')
            a--;
        const char *sock = strstr(a, " s");
        assert_non_null(sock);
        snprintf(again, sizeof again, "%.*s new=", (int)strcspn(sock + 1, " ") + 1, sock);
        snprintf(first, sizeof first, "np=10.0.0.1:%d\n", 21000 + i);
        const char *b = strstr(got, first);
        assert_non_null(b);
        while (b > got && b[-1] != '\n')
            b--;
        if (strncmp(strstr(b, " s"), again, strlen(again)) != 0)
            fail_msg("port %d: the first connection was accepted on%s, the second on %.*s", 1000 + i,
                     again, (int)strcspn(b, "\n"), b);
    }
    free(got);
}

/* pcapng by hand: a section header, interfaces, enhanced packet blocks. */
typedef struct ng {
    uint8_t b[8192];
    size_t n;
} ng;

static void ng_u32(ng *g, uint32_t v)
{
    memcpy(g->b + g->n, &v, 4);
    g->n += 4;
}

static void ng_u16(ng *g, uint16_t v)
{
    memcpy(g->b + g->n, &v, 2);
    g->n += 2;
}

static void ng_start(ng *g)
{
    g->n = 0;
    ng_u32(g, 0x0a0d0d0a);
    ng_u32(g, 28);
    ng_u32(g, 0x1a2b3c4d);
    ng_u16(g, 1);
    ng_u16(g, 0);
    ng_u32(g, 0xffffffff); /* section length: unknown */
    ng_u32(g, 0xffffffff);
    ng_u32(g, 28);
}

static void ng_iface(ng *g, uint16_t linktype)
{
    ng_u32(g, 1);
    ng_u32(g, 20);
    ng_u16(g, linktype);
    ng_u16(g, 0);
    ng_u32(g, 65535);
    ng_u32(g, 20);
}

/* An enhanced packet block; timestamps in µs, the default resolution. */
static void ng_packet(ng *g, uint32_t iface, uint64_t us, const uint8_t *data, size_t n)
{
    size_t pad = (4 - n % 4) % 4;
    uint32_t total = (uint32_t)(32 + n + pad);
    ng_u32(g, 6);
    ng_u32(g, total);
    ng_u32(g, iface);
    ng_u32(g, (uint32_t)(us >> 32));
    ng_u32(g, (uint32_t)us);
    ng_u32(g, (uint32_t)n);
    ng_u32(g, (uint32_t)n);
    memcpy(g->b + g->n, data, n);
    memset(g->b + g->n + n, 0, pad);
    g->n += n + pad;
    ng_u32(g, total);
}

static void ng_tcp(ng *g, uint32_t iface, int linktype, const tep *s, const tep *d, uint32_t seq,
                   uint32_t ack, int flags, const char *data)
{
    uint8_t ip[2048], f[2048];
    size_t n = tcp_packet(ip, s, d, seq, ack, flags, data, strlen(data));
    ng_packet(g, iface, (uint64_t)T0_SEC * 1000000 + g->n, f, frame(linktype, f, ip, n));
}

static void test_pcapng_is_read(void **state)
{
    (void)state;
    ng g;
    ng_start(&g);
    ng_iface(&g, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    ng_tcp(&g, 0, DLT_EN10MB, &c, &s, 1000, 0, F_SYN, "");
    ng_tcp(&g, 0, DLT_EN10MB, &s, &c, 5000, 1001, F_SYN | F_ACK, "");
    ng_tcp(&g, 0, DLT_EN10MB, &c, &s, 1001, 5001, F_ACK | F_PSH, "ng!");
    write_file(cap_path, g.b, g.n);
    assert_int_equal(srr__capture_sniff(cap_path), 1);
    expect_trace(OPEN_EST
                 "1 sendmsg 3 s1 off=0 \"ng!\"\n"
                 "2 recvmsg 3 s3 off=0 \"ng!\"\n"
                 "1 close 0 s1\n"
                 "2 close 0 s3\n"
                 "2 close 0 s2\n");
}

/* pcapng's time is 64-bit: one past what a trace's int64 nanoseconds hold
 * (2262) is an error at its packet, not a wrapped number. */
static void test_pcapng_time_past_2262_is_an_error(void **state)
{
    (void)state;
    ng g;
    ng_start(&g);
    ng_iface(&g, DLT_RAW);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    uint8_t ip[2048];
    size_t n = tcp_packet(ip, &c, &s, 1000, 0, F_SYN, "", 0);
    ng_packet(&g, 0, 9300000000ULL * 1000000, ip, n); /* µs: the year 2264 */
    write_file(cap_path, g.b, g.n);
    expect_error(1, "time", "is not a time a trace holds");
}

/* libpcap reads one link type per file: a second interface of another
 * type is reported at the packet where libpcap meets it. */
static void test_pcapng_with_two_link_types_is_reported(void **state)
{
    (void)state;
    ng g;
    ng_start(&g);
    ng_iface(&g, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    ng_tcp(&g, 0, DLT_EN10MB, &c, &s, 1000, 0, F_SYN, "");
    ng_iface(&g, 101); /* LINKTYPE_RAW */
    ng_tcp(&g, 1, DLT_RAW, &s, &c, 5000, 1001, F_SYN | F_ACK, "");
    write_file(cap_path, g.b, g.n);
    expect_error(2, "file",
                 "cannot read the packet: an interface has a type 101 different from the type "
                 "of the first interface (libpcap reads one link type per capture)");
}

static void test_missing_file(void **state)
{
    (void)state;
    unlink(cap_path);
    expect_error_at(0, "file", "No such file or directory", 0);
}

static void test_not_a_capture(void **state)
{
    (void)state;
    write_file(cap_path, "GET / HTTP/1.0\r\n\r\n", 18);
    expect_error_at(0, "file", "not a pcap or pcapng capture", 0);
}

static void test_trace_path_that_is_the_capture_is_refused(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    cw_close(&w);
    struct stat before, after;
    assert_int_equal(stat(cap_path, &before), 0);
    srr_parse_error err;
    assert_int_equal(srr__capture_to_trace(cap_path, cap_path, &err), -1);
    assert_string_equal(err.field, "file");
    char want[300];
    snprintf(want, sizeof want, "the trace %s would overwrite the capture", cap_path);
    assert_string_equal(err.text, want);
    assert_int_equal(stat(cap_path, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
}

static void test_truncated_capture_names_the_cut_packet(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    cw_tcp(&w, &c, &s, 1001, 5001, F_ACK, "some bytes");
    cw_close(&w);
    struct stat st;
    assert_int_equal(stat(cap_path, &st), 0);
    assert_int_equal(truncate(cap_path, st.st_size - 5), 0);
    expect_error(4, "file",
                 "cannot read the packet: truncated dump file; tried to read 64 captured bytes, "
                 "only got 59");
}

static void test_capture_header_cut_short(void **state)
{
    (void)state;
    static const uint8_t magic[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    write_file(cap_path, magic, sizeof magic);
    expect_error_at(0, "file", "truncated dump file; tried to read 24 file header bytes, only got 4",
                    0);
}

static void test_unknown_link_type(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_IEEE802_11);
    uint8_t junk[40] = {0};
    cw_raw(&w, junk, sizeof junk, 0);
    cw_close(&w);
    expect_error_at(0, "link type",
                    "link type 105 (IEEE802_11) is not supported: Ethernet, Linux cooked v1/v2, "
                    "raw IP, BSD loopback", 0);
}

static void test_no_tcp_or_udp_conversation(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep a = ep("10.0.0.1", 0), b = ep("10.0.0.2", 0);
    uint8_t icmp[8] = {8, 0, 0, 0, 0, 1, 0, 1}, ip[64];
    cw_ip(&w, ip, ip_packet(ip, &a, &b, 1, icmp, sizeof icmp), 0);
    cw_close(&w);
    expect_error(0, "file", "holds no TCP or UDP conversation");
}

static void test_packet_shorter_than_its_ip_header(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_EN10MB);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    handshake(&w, &c, &s);
    uint8_t f[64];
    memset(f, 0, sizeof f);
    put16(f + 12, 0x0800);
    f[14] = 0x45;
    cw_raw(&w, f, 14 + 10, 0); /* packet 4: 10 bytes of IPv4 */
    cw_close(&w);
    expect_error(4, "ip", "10 bytes captured, too short for an IPv4 header (20 bytes)");
}

static void test_packet_shorter_than_its_tcp_header(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_RAW);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    uint8_t ip[128];
    size_t n = tcp_packet(ip, &c, &s, 1, 0, F_SYN, "", 0);
    cw_raw(&w, ip, n, 8); /* 12 of the TCP header's 20 bytes */
    cw_close(&w);
    expect_error(1, "tcp", "12 bytes captured, too short for a TCP header (20 bytes)");
}

static void test_fragmented_tcp_is_an_error(void **state)
{
    (void)state;
    cw w;
    cw_open(&w, DLT_RAW);
    tep c = ep("10.0.0.1", 40000), s = ep("10.0.0.2", 80);
    uint8_t ip[128];
    size_t n = tcp_packet(ip, &c, &s, 1, 0, F_SYN, "abcdefgh", 8);
    put16(ip + 6, 0x0001); /* a later fragment: skipped */
    cw_raw(&w, ip, n, 0);
    put16(ip + 6, 0x2000); /* the first of several */
    cw_raw(&w, ip, n, 0);
    cw_close(&w);
    expect_error(2, "ip", "a fragmented TCP packet");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff_knows_pcap_and_pcapng_magic),
        cmocka_unit_test(test_header_names_the_capture_and_its_start),
        cmocka_unit_test(test_header_keeps_the_capture_name_s_text),
        cmocka_unit_test(test_pcap_times_from_2038_to_2106),
        cmocka_unit_test(test_events_are_compact_lines_with_packet_times),
        cmocka_unit_test(test_tcp_over_ethernet),
        cmocka_unit_test(test_tcp_over_ethernet_with_vlan_tag),
        cmocka_unit_test(test_tcp_over_linux_cooked_v1),
        cmocka_unit_test(test_tcp_over_linux_cooked_v2),
        cmocka_unit_test(test_tcp_over_raw_ipv4_with_options),
        cmocka_unit_test(test_tcp_over_dlt_ipv4),
        cmocka_unit_test(test_tcp_ipv6_over_raw_with_extension_headers),
        cmocka_unit_test(test_tcp_ipv6_over_null_either_byte_order),
        cmocka_unit_test(test_tcp_ipv6_over_loop),
        cmocka_unit_test(test_retransmission_is_delivered_once),
        cmocka_unit_test(test_out_of_order_segments_wait_for_the_gap),
        cmocka_unit_test(test_sequence_numbers_wrap),
        cmocka_unit_test(test_capture_starting_mid_flow),
        cmocka_unit_test(test_rst_to_syn_is_connection_refused),
        cmocka_unit_test(test_unanswered_syn_times_out),
        cmocka_unit_test(test_ports_reused_make_a_new_connection),
        cmocka_unit_test(test_syn_data_waits_for_the_handshake),
        cmocka_unit_test(test_offloaded_segment_over_64k_is_split),
        cmocka_unit_test(test_gap_is_an_error_naming_the_packet_after_it),
        cmocka_unit_test(test_short_snaplen_is_a_gap),
        cmocka_unit_test(test_udp_two_clients_share_one_server_socket),
        cmocka_unit_test(test_many_interleaved_connections),
        cmocka_unit_test(test_many_server_ports_each_found_again),
        cmocka_unit_test(test_pcapng_is_read),
        cmocka_unit_test(test_pcapng_time_past_2262_is_an_error),
        cmocka_unit_test(test_pcapng_with_two_link_types_is_reported),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_not_a_capture),
        cmocka_unit_test(test_trace_path_that_is_the_capture_is_refused),
        cmocka_unit_test(test_truncated_capture_names_the_cut_packet),
        cmocka_unit_test(test_capture_header_cut_short),
        cmocka_unit_test(test_unknown_link_type),
        cmocka_unit_test(test_no_tcp_or_udp_conversation),
        cmocka_unit_test(test_packet_shorter_than_its_ip_header),
        cmocka_unit_test(test_packet_shorter_than_its_tcp_header),
        cmocka_unit_test(test_fragmented_tcp_is_an_error),
    };
    return cmocka_run_group_tests_name("test_capture", tests, group_setup, group_teardown);
}
