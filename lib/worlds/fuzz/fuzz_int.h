/*
 * fuzz_int.h — the fuzz world's insides, shared by its files and nothing
 * else.  The fuzz world is a sim world (lib/worlds/sim/) with a peer: the
 * sim answers every call; the peer (fuzz_peer.c) plays the other end of
 * whatever the program opens, from the test case (fuzz_case.h).
 */
#ifndef SOCKRR_FUZZ_INT_H
#define SOCKRR_FUZZ_INT_H

#include "fuzz_case.h"
#include "sockrr/fuzz.h"
#include "sim.h"

/* A datagram endpoint of the program, and where the peer answers from. */
typedef struct fuzz_udp {
    sim_sock *k;
    struct sockaddr_storage remote;
} fuzz_udp;

typedef struct fuzz_peer {
    srr_fuzz_host host;      /* .next_case NULL: cases come by SRR_CTL_FUZZ_GIVE */
    unsigned char *input;    /* the case's bytes (owned) */
    size_t input_len;
    srr_fuzz_case tc;
    size_t next;             /* the next message to give */
    int loaded;              /* a case is loaded (asked for, or given) */
    int closed;              /* its messages given, the peer shut its connections */
    int played_out;
    int starting;            /* the host is starting the case (a forkserver may fork) */
    int fork_keeps;          /* the fork under way leaves the world whole to the child */
    int split;               /* such a fork was made: parent and child each hold the world */
    unsigned unread_moves;   /* clock moves while what was given stays unread */
    unsigned absent_moves;   /* clock moves while nothing can take the next message */
    sim_sock **conns;        /* the peer's ends of stream connections: the slots */
    size_t nconns, capconns;
    fuzz_udp *udp;           /* datagram endpoints, in the order first seen */
    size_t nudp, capudp;
    srr_fuzz_stats stats;
} fuzz_peer;

#define FUZZ_PEER(s) ((fuzz_peer *)(s)->peer_arg)

extern const sim_peer_ops srr__fuzz_peer_ops;
/* The peer's state for host (NULL: cases are given): NULL on no memory. */
fuzz_peer *srr__fuzz_peer_new(const srr_fuzz_host *host);
/* A new case replaces the current one (lock held): the peer resets its
 * connections.  data is owned by the peer from here.  0 or -ENOMEM. */
int srr__fuzz_peer_load(sim_world *s, unsigned char *data, size_t len);

#endif
