/*
 * sock_opts.h — a socket's options, as Linux keeps and answers them
 * (sk_getsockopt, sk_setsockopt, do_tcp_{get,set}sockopt, IPV6_V6ONLY):
 * one model for every world that holds sockets (the sim, the replay), so a
 * program that sets an option reads back what Linux would give it.
 *
 * The options that tell a socket's state (SO_ERROR, SO_ACCEPTCONN) are the
 * world's to answer first; the rest are here.
 */
#ifndef SOCKRR_SOCK_OPTS_H
#define SOCKRR_SOCK_OPTS_H

#include <stdint.h>
#include <sys/socket.h>

#define SRR_TCP_RCVBUF 131072 /* Linux's tcp_rmem[1] */
#define SRR_TCP_SNDBUF 16384  /* Linux's tcp_wmem[1] */
#define SRR_UDP_BUF 212992    /* Linux's rmem_default / wmem_default, and rmem_max / wmem_max */
#define SRR_TIMEO_NOW (-1)    /* SO_RCVTIMEO/SO_SNDTIMEO set negative: fail at once */
#define SRR_TCP_SNDBUF_EST 3939840 /* what Linux grows an unlocked send buffer to once a
                                    * loopback connection is up (tcp_sndbuf_expand) */

typedef struct srr_sockopts {
    int family, type, proto;
    int rcvbuf, sndbuf, reuseaddr, reuseport, broadcast, keepalive, nodelay, v6only;
    int linger_on, linger_secs;
    int64_t rcvtimeo_ns, sndtimeo_ns; /* 0: none; SRR_TIMEO_NOW */
    int sndbuf_locked, rcvbuf_locked;    /* set by the program: no autotuning */
    int keepidle, keepintvl, keepcnt;    /* TCP keepalive, in s and probes */
    int user_timeout_ms, cork, quickack; /* TCP_USER_TIMEOUT, TCP_CORK, TCP_QUICKACK */
    int defer_accept;                    /* TCP_DEFER_ACCEPT as Linux keeps it: retransmits */
    int user_mss;                        /* TCP_MAXSEG set, 0 none */
    int tos, tclass;                     /* IP_TOS, IPV6_TCLASS: what its packets carry */
    int timestamps;                      /* SO_TIMESTAMP 1, SO_TIMESTAMPNS 2, none 0 */
    /* what a datagram's receive says besides its bytes (control messages),
     * and IP_RECVERR / IPV6_RECVERR (an error queue, always empty here) */
    int pktinfo, recvtos, recvpktinfo6, recvtclass, recverr, recverr6;
    int oobinline, dontroute, rcvlowat; /* kept and read back; lowat waits for no more */
    int ttl, hops;                       /* IP_TTL, IPV6_UNICAST_HOPS; -1 the default 64 */
} srr_sockopts;

/* A new socket's options, Linux's defaults. */
void srr__opts_init(srr_sockopts *o, int family, int type, int proto);
/* getsockopt: 0 with the value copied as Linux copies it (as much as *len
 * has room for, *len then what was copied), -EOPNOTSUPP for a level the
 * socket's protocol does not have, or -ENOPROTOOPT for an option the model
 * does not hold. */
int srr__opts_get(const srr_sockopts *o, int level, int name, void *val, socklen_t *len);
/* setsockopt: 0 set, 1 set and a buffer size changed (a blocked sender may
 * go on), -EINVAL a value too short or out of Linux's range (or
 * IPV6_V6ONLY once bound), -EDOM a timeval out of range, -EPERM a
 * *BUFFORCE without CAP_NET_ADMIN, -ENOPROTOOPT an option the model does
 * not hold. */
int srr__opts_set(srr_sockopts *o, int level, int name, const void *val, socklen_t len,
                  int bound);
/* A connection came up: an unlocked TCP send buffer grows as Linux grows
 * it. */
void srr__opts_established(srr_sockopts *o);
/* An int answer copied as getsockopt copies it (SO_ERROR, SO_ACCEPTCONN). */
int srr__opts_int(void *val, socklen_t *len, int v);

#endif
