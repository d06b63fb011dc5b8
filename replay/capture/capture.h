/*
 * capture.h — a tcpdump capture (pcap or pcapng) as a trace, for
 * `sockrr replay CAPTURE -- CMD`.  Every TCP and UDP conversation of the
 * capture becomes two recorded processes: pid 1 plays the client side of
 * every flow, pid 2 the server side; the replay world plays whichever side
 * the program does not.  docs/trace-format.md is the output format.
 *
 * The second half of this header is shared by capture.c (the driver and
 * the trace's events), capture_link.c (link layers, IP, TCP and UDP
 * headers), capture_flow.c (the flow tables, UDP, the end of the capture)
 * and capture_tcp.c (TCP connections and reassembly), and nobody else.
 */
#ifndef SOCKRR_CAPTURE_H
#define SOCKRR_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jline.h"

/* trace.h's srr_parse_error.  Not included here: trace.h's writer half
 * sits outside its include guard, so a file that includes both headers
 * would read it twice. */
struct srr_parse_error;

/* 1 when the file at path starts with a pcap (either byte order, µs or ns)
 * or pcapng magic, 0 when not, -errno when it cannot be read. */
int srr__capture_sniff(const char *path);

/* Reads the capture with libpcap and writes the trace to out_path (created
 * 0600, truncated).  0, or -1 with *err filled and out_path removed:
 * err->source is the capture's path, err->line the packet number (1-based)
 * the problem is at (0 when it is about the file), err->field one of "file",
 * "link type", "time", "ip", "tcp", "udp", err->text one line.  err->code is
 * SRR_PARSE_EIO when a file cannot be read or written (a truncated capture
 * included), SRR_PARSE_EHEADER for a file that is not a capture or has a
 * link type this does not read, SRR_PARSE_EVALUE for the packets. */
int srr__capture_to_trace(const char *capture_path, const char *out_path,
                          struct srr_parse_error *err);
/* The same, with name in place of capture_path in errors and in the
 * trace's header (NULL: capture_path): a copy of what the user named is
 * converted under the user's name. */
int srr__capture_to_trace_as(const char *capture_path, const char *name, const char *out_path,
                             struct srr_parse_error *err);

/* ------------------------------------------------ internal to capture_*.c */


/* An IP endpoint as packets carry it. */
typedef struct srr_cap_ep {
    int family;       /* 4 or 6 */
    uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes, the rest 0 */
    uint16_t port;    /* host order */
} srr_cap_ep;

enum { SRR_CAP_TCP = 6, SRR_CAP_UDP = 17 };
enum { SRR_CAP_FIN = 0x01, SRR_CAP_SYN = 0x02, SRR_CAP_RST = 0x04, SRR_CAP_ACK = 0x10 };
/* The processes of the trace. */
enum { SRR_CAP_CLIENT = 1, SRR_CAP_SERVER = 2 };

/* One TCP or UDP packet of the capture. */
typedef struct srr_cap_pkt {
    long num;               /* 1-based packet number */
    int proto;              /* SRR_CAP_TCP or SRR_CAP_UDP */
    srr_cap_ep src, dst;
    uint32_t seq, ack;      /* TCP */
    uint8_t flags;          /* TCP: SRR_CAP_FIN... */
    const uint8_t *payload; /* the captured payload (points into libpcap's buffer) */
    size_t caplen;          /* payload bytes captured */
    size_t len;             /* payload bytes on the wire: more than caplen when snaplen cut it */
} srr_cap_pkt;

/* Parses one packet of the given link type.  1 with *out set for a TCP or
 * UDP packet, 0 for anything else (ARP, ICMP, later fragments...), -1 with
 * err's field and text set for a malformed one (capture_link.c). */
int srr__cap_parse(int linktype, const uint8_t *data, size_t caplen, size_t len,
                   srr_cap_pkt *out, struct srr_parse_error *err);
/* 1 when srr__cap_parse reads this link type. */
int srr__cap_link_supported(int linktype);

/* A segment held until the bytes before it arrive. */
typedef struct srr_cap_seg {
    struct srr_cap_seg *next; /* by off, ascending */
    uint64_t off;             /* stream offset of data[0] */
    size_t len;
    long num;                 /* packet it came in */
    uint8_t data[];
} srr_cap_seg;

/* One direction of a TCP connection. */
typedef struct srr_cap_dir {
    int have_base;
    uint32_t base;     /* sequence number of stream byte 0 */
    uint64_t next;     /* bytes delivered so far */
    uint64_t end;      /* the furthest stream offset a packet announced (data or FIN) */
    long end_num;      /* that packet */
    int fin;           /* a FIN was seen, at fin_off */
    uint64_t fin_off;
    int done;          /* the FIN was delivered, or the connection was reset */
    srr_cap_seg *held; /* out of order */
} srr_cap_dir;

enum srr_cap_state {
    SRR_CAP_SYN_SENT,    /* the client's SYN, no answer yet */
    SRR_CAP_ESTABLISHED, /* connect and accept4 are written */
    SRR_CAP_DONE,        /* closed on both sides; later packets are ignored */
};

/* A server address: the listener (TCP) or the bound socket (UDP) of pid 2. */
typedef struct srr_cap_server {
    struct srr_cap_server *hnext; /* hash chain */
    struct srr_cap_server *next;  /* creation order */
    int proto;
    srr_cap_ep ep;
    int64_t sock;
} srr_cap_server;

typedef struct srr_cap_flow {
    struct srr_cap_flow *hnext;            /* hash chain */
    struct srr_cap_flow *prev_live, *next_live; /* flows not done, creation order */
    int proto;
    srr_cap_ep cli, srv;
    enum srr_cap_state state;
    int64_t csock;          /* pid 1's socket */
    int64_t ssock;          /* pid 2's: the accepted one (TCP), the server's (UDP) */
    srr_cap_server *server;
    srr_cap_dir dir[2];     /* TCP: 0 client to server, 1 server to client */
} srr_cap_flow;

/* One conversion. */
typedef struct srr_cap {
    const char *path;            /* the capture's */
    const char *name;            /* the capture's as the user named it */
    struct srr_parse_error *err; /* the caller's */
    int failed;                  /* err holds the first error */
    FILE *out;                   /* the trace */
    srr_jline line;              /* the event being written */
    int header_done;
    int ts32;         /* a pcap (not pcapng): ts_sec is unsigned 32-bit */
    int64_t first_ns; /* the first packet's time: the trace's start */
    int64_t t;        /* the current event time, ns after first_ns, never going back */
    int64_t seq;      /* of the last event written */
    int64_t socks;    /* sock ids handed out */
    srr_cap_flow **flows;
    size_t nflow_buckets, nflows;
    srr_cap_flow *live_head, *live_tail;
    srr_cap_server **servers;
    size_t nserver_buckets, nservers;
    srr_cap_server *server_head, *server_tail;
} srr_cap;

/* ---- capture_flow.c */

int srr__cap_tables_init(srr_cap *c);
void srr__cap_tables_free(srr_cap *c);
int srr__cap_ep_eq(const srr_cap_ep *a, const srr_cap_ep *b);
/* The flow of a packet's endpoints, either way round; NULL when none. */
srr_cap_flow *srr__cap_flow_find(srr_cap *c, int proto, const srr_cap_ep *a, const srr_cap_ep *b);
/* A new flow (replacing a done one with the same endpoints) and pid 1's
 * socket for it; NULL after an error. */
srr_cap_flow *srr__cap_flow_new(srr_cap *c, int proto, const srr_cap_ep *cli,
                                const srr_cap_ep *srv);
/* Takes a flow off the live list and frees its held segments. */
void srr__cap_flow_done(srr_cap *c, srr_cap_flow *f);
/* f->server, made on first use: socket + bind (+ listen for TCP) in pid 2. */
int srr__cap_server(srr_cap *c, srr_cap_flow *f);
/* One datagram of flow f (NULL: a new flow, whose sender is the client). */
int srr__cap_udp(srr_cap *c, srr_cap_flow *f, const srr_cap_pkt *p);
/* The end of the capture: the flows still open end, the server sockets close. */
int srr__cap_finish(srr_cap *c);

/* ---- capture.c: the events, at the current packet's time; 0 or -1 with
 * the error set.  socket (of SRR_CAP_TCP or _UDP) returns the new sock id
 * or -1; bind writes a
 * listen after the bind when asked.  xfer: off < 0 for no off member
 * (datagrams); addr is args.to of a send or from of a receive, peer the
 * peer member, NULL for none. */
int64_t srr__cap_socket(srr_cap *c, int pid, int family, int proto);
int srr__cap_bind(srr_cap *c, int64_t sock, const srr_cap_ep *ep, int listen);
int srr__cap_connect(srr_cap *c, const srr_cap_flow *f, int errnum);
int srr__cap_accept(srr_cap *c, srr_cap_flow *f);
int srr__cap_xfer(srr_cap *c, int pid, int64_t sock, int send, const uint8_t *data, size_t n,
                  int64_t off, const char *addr, const char *peer);
int srr__cap_eof(srr_cap *c, int pid, int64_t sock, uint64_t off);
int srr__cap_reset(srr_cap *c, int pid, int64_t sock);
int srr__cap_close(srr_cap *c, int pid, int64_t sock);
/* Sets the error (the first one wins); returns -1. */
int srr__cap_fail(srr_cap *c, long num, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int srr__cap_oom(srr_cap *c); /* "out of memory" */
/* "10.0.0.1:80", "[::1]:443". */
char *srr__cap_ep_str(const srr_cap_ep *e, char *buf, size_t len);
#define SRR_CAP_EPSTR 56

/* ---- capture_tcp.c: one packet of flow f (NULL: no flow has these
 * endpoints); the end of the capture for a live flow; freeing. */
int srr__cap_tcp(srr_cap *c, srr_cap_flow *f, const srr_cap_pkt *p);
int srr__cap_tcp_end(srr_cap *c, srr_cap_flow *f);
void srr__cap_tcp_free(srr_cap_flow *f);

#endif
