/*
 * pcap_synth.h — private to the pcap view (docs/pcap.md).  pcap.c owns the
 * file and builds packets (IP, TCP, UDP, checksums, segments, the TCP
 * opening and closing sequences); pcap_flows.c reads events, keeps the
 * table of sockets and connections, and decides which packets each event
 * implies.
 */
#ifndef SOCKRR_PCAP_SYNTH_H
#define SOCKRR_PCAP_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

/* TCP payload per packet: with 40 bytes of IPv6 or 20 of IPv4 and a 20-byte
 * TCP header it fits the 16-bit IP length with room to spare. */
#define SRR_PCAP_SEG_MAX 65000

enum { SRR_PCAP_FIN = 0x01, SRR_PCAP_SYN = 0x02, SRR_PCAP_RST = 0x04, SRR_PCAP_PSH = 0x08,
       SRR_PCAP_ACK = 0x10 };

/* One end of a synthetic flow, as it appears in packets. */
struct srr__pcap_ep {
    int v6;
    uint8_t ip[16]; /* IPv4 in ip[0..3] */
    uint16_t port;
};

enum srr__pcap_state {
    SRR_PCAP_SYN_SENT, /* SYN out, the answer not known yet (EINPROGRESS) */
    SRR_PCAP_OPEN,
    SRR_PCAP_DEAD,     /* refused or reset: no FIN follows */
};

struct srr__pcap_sock;

/* A connection: a TCP stream (or a socketpair's datagram link).  Side 0 is
 * the end that sent the SYN.  A side is "traced" once a socket of this trace
 * has been that end; only untraced sides get packets from receive events. */
struct srr__pcap_conn {
    struct srr__pcap_conn *prev, *next; /* synth->conns, in creation order */
    int tcp;                            /* 0: a datagram socketpair */
    int stype;
    int is_unix;
    char *path;        /* AF_UNIX: the listener's path (matching accept and connect) */
    char *client_path; /* AF_UNIX: the connecting socket's own path, "" unnamed */
    struct srr__pcap_ep ep[2];
    struct srr__pcap_sock *sock[2]; /* the live traced socket at each end, or NULL */
    uint8_t traced[2];
    uint8_t moved[2];  /* that side has sent payload */
    uint8_t fin[2];
    uint8_t synced[2]; /* nxt[side] is placed (a stream picked up mid-way is not) */
    uint8_t pending;   /* side 1 may still be claimed by an accept4 of this trace */
    uint8_t orphan;    /* side 0 may still be claimed by a connect of this trace */
    uint8_t in_limbo;
    uint8_t midway;    /* picked up mid-stream: no handshake was seen */
    enum srr__pcap_state state;
    uint32_t isn[2], nxt[2]; /* sequence numbers, per side */
};

struct srr__pcap_sock {
    long long id;
    struct srr__pcap_sock *hnext;       /* hash chain */
    struct srr__pcap_sock *prev, *next; /* synth->socks: every open socket */
    int family, stype;                  /* AF_*, SOCK_*; 0 when not known */
    char *local, *peer;                 /* address strings, NULL when not known */
    struct srr__pcap_ep local_ep;       /* local parsed, when local_ok (IP only) */
    int local_ok;
    char *last_to;                      /* AF_UNIX datagrams: where it last sent */
    long long *fds;                     /* its descriptors seen so far (dup shares one) */
    size_t nfds, capfds;
    int listening, linger0;
    struct srr__pcap_conn *conn;
    int side;
};

/* Connections that lost their last socket but may still be claimed (the
 * other end's connect or accept4 event can come later when threads race). */
#define SRR_PCAP_LIMBO 256

struct srr_pcap_synth {
    /* the file (pcap.c) */
    struct pcap *dead;          /* libpcap's pcap_t, kept out of pcap_flows.c's */
    struct pcap_dumper *dumper; /* namespace: its static pcap_ names would clash */
    char *path;
    int64_t rt0, mono0; /* header's start_realtime_ns, start_monotonic_ns */
    int64_t now;        /* wall time of the event being converted, ns */
    uint16_t ipid;
    unsigned char *pkt; /* one packet being built */
    int werr;           /* errno of the first failed write, 0 while none */

    /* the flows (pcap_flows.c) */
    struct srr__pcap_sock **buckets;
    size_t nbuckets, nsocks;
    struct srr__pcap_sock *socks, *socks_tail;
    struct srr__pcap_conn *conns, *conns_tail;
    struct srr__pcap_conn *limbo[SRR_PCAP_LIMBO];
    size_t limbo_head;
};

/* ---- pcap.c: errors */
void srr__pcap_fail(srr_parse_error *err, const char *source, const char *field,
                    srr_parse_code code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* -1 with err set when a write has failed (the file is full, the disk gone). */
int srr__pcap_werr(srr_pcap_synth *p, srr_parse_error *err);

/* ---- pcap.c: endpoints */
/* "1.2.3.4:80" or "[::1]:80" (scope ignored); 0 or -1. */
int srr__pcap_ep_parse(const char *s, struct srr__pcap_ep *ep);
int srr__pcap_ep_eq(const struct srr__pcap_ep *a, const struct srr__pcap_ep *b);
/* A bound address (possibly the wildcard) that receives what is sent to a. */
int srr__pcap_ep_covers(const struct srr__pcap_ep *bound, const struct srr__pcap_ep *a);
int srr__pcap_ep_is_any(const struct srr__pcap_ep *a);
int srr__pcap_ep_is_loopback(const struct srr__pcap_ep *a);
/* Sets ep's address (not its port) to the loopback address of toward's kind:
 * 127.0.0.1, ::1 or ::ffff:127.0.0.1. */
void srr__pcap_ep_loopback(const struct srr__pcap_ep *toward, struct srr__pcap_ep *ep);
/* Makes a and b the same IP version (IPv4 becomes IPv4-mapped IPv6). */
void srr__pcap_ep_match_version(struct srr__pcap_ep *a, struct srr__pcap_ep *b);
/* AF_UNIX shown as IPv4: net 88 = the traced socket n, 89 = the unnamed
 * untraced peer of socket n; srr__pcap_ep_path: a path nobody in the trace
 * holds (net 90). */
void srr__pcap_ep_unix(int net, long long n, struct srr__pcap_ep *ep);
void srr__pcap_ep_path(const char *path, struct srr__pcap_ep *ep);
uint32_t srr__pcap_mix32(uint64_t x);

/* ---- pcap.c: packets.  Each returns 0, or -1 after a write failed. */
/* One datagram; have <= len bytes of data are known (a capped payload). */
int srr__pcap_udp(srr_pcap_synth *p, const struct srr__pcap_ep *src,
                  const struct srr__pcap_ep *dst, const unsigned char *data, size_t len,
                  size_t have);
/* One TCP segment from side; advances the side's sequence number. */
int srr__pcap_tcp(srr_pcap_synth *p, struct srr__pcap_conn *c, int side, unsigned flags,
                  const unsigned char *data, size_t len, size_t have);
/* Payload from side, cut into segments of at most SRR_PCAP_SEG_MAX bytes. */
int srr__pcap_tcp_data(srr_pcap_synth *p, struct srr__pcap_conn *c, int side,
                       const unsigned char *data, size_t len, size_t have);
/* SYN from side 0; with complete, also SYN-ACK and ACK. */
int srr__pcap_tcp_open(srr_pcap_synth *p, struct srr__pcap_conn *c, int complete);
/* SYN-ACK and ACK for a connection still in SYN_SENT. */
int srr__pcap_tcp_complete(srr_pcap_synth *p, struct srr__pcap_conn *c);
/* The answer to a SYN nobody accepts: RST-ACK from side 1. */
int srr__pcap_tcp_refuse(srr_pcap_synth *p, struct srr__pcap_conn *c);
/* FIN from side (once); the other side's last ACK when both have sent FIN. */
int srr__pcap_tcp_fin(srr_pcap_synth *p, struct srr__pcap_conn *c, int side);
/* RST-ACK from side; the connection is dead. */
int srr__pcap_tcp_rst(srr_pcap_synth *p, struct srr__pcap_conn *c, int side);

/* ---- pcap_flows.c */
void srr__pcap_flows_free(srr_pcap_synth *p);

#endif
