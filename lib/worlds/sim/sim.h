/*
 * sim.h — the sim world's insides, shared by its files and by nothing else.
 *
 * One lock guards the whole world.  Every blocking call waits on one
 * condition variable for "something changed or my deadline came"; virtual
 * time moves only when every participant (a thread that has made a sim call
 * and not exited) is waiting, and then it jumps to the earliest deadline.
 * When all wait with no deadline at all, that is a deadlock: every waiter
 * fails with EDEADLK and the world keeps a report of who waited on what.
 */
#ifndef SOCKRR_SIM_H
#define SOCKRR_SIM_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include <stdatomic.h>
#include <stddef.h>

#include "forked.h"
#include "sim_config.h"
#include "sim_dns.h"
#include "sock_opts.h"
#include "sockrr/worlds.h"
#include "vtime.h"

#define SIM_FIRST_HANDLE 3
#define SIM_EPHEMERAL_LO 32768
#define SIM_EPHEMERAL_HI 60999

typedef struct sim_world sim_world;
typedef struct sim_sock sim_sock;
typedef struct sim_unix_name sim_unix_name;

/* Bytes in order, with a read position (a simple growable ring is not
 * needed: consumed space is reclaimed when the buffer empties or moves). */
typedef struct sim_buf {
    unsigned char *data;
    size_t start, end, cap;
} sim_buf;

/* A FIFO of byte records (datagrams waiting, stream bytes in flight): each
 * record begins with its node, which counts its length in the queue's bytes. */
typedef struct sim_qnode {
    struct sim_qnode *next;
    size_t len;
} sim_qnode;

typedef struct sim_queue {
    sim_qnode *head, *tail;
    size_t bytes, count;
} sim_queue;

typedef struct sim_dgram {
    sim_qnode q;
    struct sockaddr_storage from;
    socklen_t fromlen;
    struct sockaddr_storage to; /* where it was sent (IP_PKTINFO), family 0 unknown */
    uint64_t sender;            /* AF_UNIX: the sending socket's serial, whose send
                                 * buffer it fills until read (0: none) */
    size_t truesize;            /* what it counts there, as Linux's skb truesize */
    int64_t stamp;              /* CLOCK_REALTIME when it came (SO_TIMESTAMP) */
    int tos;                    /* its IP_TOS or IPV6_TCLASS (IP_RECVTOS) */
    unsigned char data[];
} sim_dgram;

/* Bytes on the wire: they reach the receiver's buffer at `at`. */
typedef struct sim_chunk {
    sim_qnode q;
    int64_t at;
    int fin;   /* 1: the sender's FIN, 2: its RST, after its bytes */
    unsigned char data[];
} sim_chunk;

#define SIM_Q_HEAD(queue, type) ((type *)(void *)(queue)->head)
#define SIM_Q_TAIL(queue, type) ((type *)(void *)(queue)->tail)

typedef enum sim_state {
    SIM_S_NEW,
    SIM_S_LISTEN,
    SIM_S_CONNECTING, /* non-blocking connect to a blackholed address */
    SIM_S_CONNECTED,
    SIM_S_CLOSED,     /* the connection ended (reset, or refused) */
} sim_state;

struct sim_sock {
    int family, type, proto;
    int refs;             /* handles naming it (dup) */
    int status_flags;     /* O_NONBLOCK */
    sim_state state;
    struct sockaddr_storage local, peer;
    socklen_t local_len, peer_len; /* 0 = none */
    int bound;
    sim_sock *other;      /* the connected endpoint (stream), or NULL */
    /* stream */
    sim_buf rx;           /* bytes delivered to this end */
    sim_queue fly;        /* sim_chunk: bytes on their way to this end (latency) */
    int64_t link_free_at; /* when the link towards this end has sent all it was given */
    size_t stalled;       /* bytes held by a stall fault, never delivered */
    size_t *records;      /* SOCK_SEQPACKET: lengths of the records in rx, oldest first */
    size_t rec_head, rec_count, rec_cap;
    int rx_eof;           /* the other end shut its write side */
    int rd_shut, wr_shut;
    int reset;            /* the connection was reset */
    int so_error;         /* pending error for SO_ERROR / the next call */
    int connect_reported; /* a non-blocking connect completed: the next connect says 0 */
    int autobound;        /* its address and port came from an autobind, not a bind */
    int fs_name;          /* AF_UNIX: its filesystem name is in the world's names */
    uint64_t peer_serial; /* AF_UNIX datagram: the socket it connected to (unix_dgram_connect
                           * keeps the socket, not the name: an unlink does not part them) */
    int64_t connect_deadline; /* CONNECTING: when it gives up (virtual ns) */
    sim_sock *connect_to; /* CONNECTING to a listener: a full backlog, or a handshake's
                           * round trip to another host */
    int64_t connect_start;    /* when its first SYN left */
    int64_t connect_at;       /* when the SYN that may be taken has made its round trip */
    int64_t connect_rtt;      /* that round trip: twice the link's latency, 0 on this host */
    /* listen */
    sim_sock **pending;   /* connections waiting for accept */
    size_t npending, pending_cap, backlog;
    /* datagram */
    sim_queue dq;         /* sim_dgram: datagrams waiting */
    srr_sockopts opt;     /* its options (lib/core/sock_opts.h) */
    /* faults */
    int64_t tx_bytes, rx_bytes; /* moved so far, for byte-offset rules */
    uint64_t serial;      /* names it for as long as the world lives (never reused) */
    int64_t unix_wmem;    /* AF_UNIX datagrams: what its sent, unread ones count */
    long conn_index;      /* which connection to the peer this is (per address) */
    /* services: the script runner, when the world plays this end */
    const sim_service *service;
    size_t step;          /* next script step */
    size_t expect_off;    /* EXPECT: bytes of the step matched so far */
    int64_t step_until;   /* WAIT: the virtual time it ends */
};

/* A peer the world plays beyond its config (the fuzz world's, in
 * lib/worlds/fuzz/): it answers what nothing in the sim would, and acts
 * when every participant waits.  All with the lock held. */
typedef struct sim_peer_ops {
    /* A connect that no listener answers: 1 when the peer took it (k is
     * connected), 0 to refuse it as the sim does. */
    int (*connect)(sim_world *s, sim_sock *k, const struct sockaddr *to, socklen_t len);
    /* A datagram from k to an address no socket of the sim is bound to:
     * 1 when the peer takes it (nothing refuses it), 0 when not. */
    int (*datagram)(sim_world *s, sim_sock *k, const struct sockaddr_storage *to);
    /* Every participant waits; next is the earliest deadline (-1 none) and
     * world the network's own (-1 none): 1 the peer acted, 0 time may move,
     * -1 the run is over (the report is in s->vt.report). */
    int (*settled)(sim_world *s, int64_t next, int64_t world);
    void (*free)(void *arg);
} sim_peer_ops;

struct sim_world {
    srr_world base;
    const sim_peer_ops *peer; /* NULL: none */
    void *peer_arg;
    srr_vtime vt;         /* the one lock, participants, waiting, virtual time */
    sim_config *cfg;
    sim_dns *dns;
    uint64_t rng;
    uint64_t entropy;     /* the program's randomness: a stream of its own from the seed */
    sim_sock **handles;   /* handle - SIM_FIRST_HANDLE → socket */
    size_t nhandles;
    unsigned char *cloexec; /* per handle, as handles: FD_CLOEXEC set */
    size_t ncloexec;
    sim_sock **all;       /* every live socket, for port and listener lookup */
    size_t nall, capall;
    uint64_t serials;     /* the last socket serial handed out */
    long *conn_counts;    /* connections made per fault rule, for `conn` */
    long *call_counts;    /* matching calls per fault rule, for `call` */
    char hostname[256];
    char unsupported[160]; /* what the last unmodelled call asked for ... */
    pthread_t unsupported_by; /* ... and which thread made it */
    srr_world_forked_from fork_from; /* read at fork, for the child's world */
    struct sim_dns_reply *dns_replies; /* the DNS server's UDP answers on their way */
    sim_unix_name *names; /* AF_UNIX filesystem names (sim_unix_names.c) */
    size_t nnames, capnames;
    uint64_t name_inos;   /* the last inode number a name was given */
    sim_service dns_service;           /* its TCP listener's */
};

#define SIM(w) ((sim_world *)(w))
#define SIM_OF_VT(v) ((sim_world *)((char *)(v) - offsetof(sim_world, vt)))

/* sim_world.c: the clock is s->vt (vtime.h); calls enter and leave it */
int srr__sim_control(srr_world *w, int op, void *arg); /* the control slot */
/* The world's clock (lock held): ns, or -EINVAL for a clock it does not keep. */
int64_t srr__sim_clock(const sim_world *s, clockid_t clock);
uint64_t srr__sim_random(sim_world *s);
/* The virtual deadline an SO_RCVTIMEO / SO_SNDTIMEO value gives a call
 * starting now: -1 none, now for SIM_TIMEO_NOW. */
int64_t srr__sim_timeo_deadline(const sim_world *s, int64_t timeo);
/* A socket call blocks until `until`: 0 when woken, -EAGAIN when the
 * SO_RCVTIMEO/SO_SNDTIMEO deadline passes (Linux's answer), or the wait's error. */
int srr__sim_block(sim_world *s, const char *what, int handle, int64_t until);
/* Notes what the calling thread asked for that the sim does not model (the
 * tap records it); returns err for a tail call. */
int srr__sim_unsupported(sim_world *s, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
sim_sock *srr__sim_sock(sim_world *s, int handle);   /* NULL when not a sim socket */
/* A new handle naming k (close-on-exec when cloexec), the lowest free at
 * or above min: -EMFILE, -ENOMEM. */
int srr__sim_handle_new(sim_world *s, sim_sock *k, int cloexec);
int srr__sim_handle_new_from(sim_world *s, sim_sock *k, int min, int cloexec);
void srr__sim_runnable_services(sim_world *s);        /* advance service scripts */

/* sim_sock.c */
sim_sock *srr__sim_sock_new(sim_world *s, int family, int type, int proto);
void srr__sim_sock_unref(sim_world *s, sim_sock *k); /* the last ref closes it */
int srr__sim_is_local(sim_world *s, const struct sockaddr *sa);
int srr__sim_is_wildcard(const struct sockaddr *sa); /* INADDR_ANY, in6addr_any */
/* sa as IPv4 when it is (AF_INET, or an IPv4-mapped AF_INET6 address): 1
 * with *v4 filled, port too; 0 otherwise. */
int srr__sim_v4_view(const struct sockaddr *sa, struct sockaddr_in *v4);
/* An IP address in family's form, as a dual-stack socket sees IPv4 peers:
 * IPv4 becomes IPv4-mapped for AF_INET6, and back for AF_INET; *len follows.
 * Anything else is left as it is. */
void srr__sim_addr_to_family(int family, struct sockaddr_storage *ss, socklen_t *len);
/* An unbound socket gets a port: with the source address towards `towards`
 * (a connect), or the wildcard when towards is NULL or wildcard is set (a
 * UDP send: the source is per datagram); the route is checked all the same. */
int srr__sim_autobind(sim_world *s, sim_sock *k, const struct sockaddr *towards);
int srr__sim_autobind_any(sim_world *s, sim_sock *k, const struct sockaddr *towards);
void srr__sim_source_addr(sim_world *s, const sim_sock *k, const struct sockaddr *to,
                          struct sockaddr_storage *out, socklen_t *len);
int srr__sim_addr_equal(const struct sockaddr *a, const struct sockaddr *b, int with_port);
int srr__sim_port(const struct sockaddr *sa);
/* A config address and a port as a socket address. */
void srr__sim_ip_addr(const sim_ip *ip, int port, struct sockaddr_storage *ss, socklen_t *len);
sim_sock *srr__sim_find_bound(sim_world *s, int family, int type, const struct sockaddr *to);
/* sim_stream.c: the link between mine and peer: 0 when both are on this
 * host; towards another host 1 with its one-way latency (the config's, or
 * a latency rule's) and bandwidth in bytes/s (the config's, or a bandwidth
 * rule's; 0 = unlimited). */
int srr__sim_link_between(sim_world *s, const struct sockaddr *peer, const struct sockaddr *mine,
                          int64_t *latency, int64_t *rate);
/* Why nothing of type answers at AF_UNIX name `to` (unix_find_other): a
 * path no socket holds is -ENOENT, one a socket of another type holds
 * -EPROTOTYPE; an abstract name is per type, so -ECONNREFUSED; a socket of
 * the type there that does not listen, -ECONNREFUSED. */
int srr__sim_unix_missing(sim_world *s, int type, const struct sockaddr *to);
/* sim_unix_names.c: AF_UNIX filesystem names, which outlive their socket
 * until unlinked.  taken: 1 when sa's path is a name; make: k's bound path
 * becomes one (0 for an abstract name); lookup: 1 with *k the socket bound
 * there (NULL: closed), 0 when no name is there; closed: k's name stays,
 * bound to nothing; path_control: SRR_CTL_PATH_UNLINK/STAT/CHMOD, 1 when
 * the world holds a name at the path, 0 when not. */
int srr__sim_unix_name_taken(sim_world *s, const struct sockaddr *sa, socklen_t len);
int srr__sim_unix_name_make(sim_world *s, sim_sock *k);
int srr__sim_unix_name_lookup(sim_world *s, const struct sockaddr *sa, socklen_t len,
                              sim_sock **k);
void srr__sim_unix_name_closed(sim_world *s, sim_sock *k);
void srr__sim_unix_names_free(sim_world *s);
int srr__sim_unix_path_control(sim_world *s, int op, srr_path *p);
/* k may not listen: another socket listens on its address and port (the
 * bind conflict asked again at listen, inet_csk_get_port). */
int srr__sim_listen_taken(sim_world *s, const sim_sock *k);
/* When found is one of several sockets sharing its address by SO_REUSEPORT:
 * the one that takes what comes from `from` (spread across them, the same
 * sender to the same one); else found. */
sim_sock *srr__sim_reuseport_pick(sim_world *s, sim_sock *found, const struct sockaddr *from);
/* buffers */
int srr__sim_buf_put(sim_buf *b, const void *p, size_t n);
size_t srr__sim_buf_len(const sim_buf *b);
size_t srr__sim_buf_get(sim_buf *b, void *p, size_t n, int peek);
void srr__sim_buf_free(sim_buf *b);
void srr__sim_q_push(sim_queue *q, sim_qnode *n);
sim_qnode *srr__sim_q_pop(sim_queue *q); /* the head, taken off; NULL when empty */
void srr__sim_q_free(sim_queue *q);

/* sim_stream.c */
int srr__sim_connect(sim_world *s, sim_sock *k, int handle, const struct sockaddr *sa,
                     socklen_t len);
int srr__sim_accept(sim_world *s, sim_sock *k, int handle, struct sockaddr *addr,
                    socklen_t *len, int flags);
ssize_t srr__sim_stream_send(sim_world *s, sim_sock *k, int handle, const struct msghdr *m,
                             int flags);
ssize_t srr__sim_stream_recv(sim_world *s, sim_sock *k, int handle, struct msghdr *m,
                             int flags);
void srr__sim_stream_close(sim_world *s, sim_sock *k);
int srr__sim_stream_shutdown(sim_world *s, sim_sock *k, int how);
void srr__sim_connect_pair(sim_sock *a, sim_sock *b);
int srr__sim_service_run(sim_world *s, sim_sock *k);
/* Bytes whose time has come reach their receivers. */
void srr__sim_stream_arrivals(sim_world *s);
/* Bytes a connected stream end may still send before the other end's
 * buffers are full (its SO_RCVBUF plus this end's SO_SNDBUF, as Linux). */
size_t srr__sim_stream_room(const sim_sock *k);
/* Connects whose handshake is due now: completed, or retried at the next
 * SYN retransmit while the listener's queue is full. */
void srr__sim_stream_connects_due(sim_world *s);
/* sim_dns_server.c: the DNS server on port 53 of the config's nameserver */
int srr__sim_dns_server_at(const sim_world *s, const struct sockaddr *to); /* 1: its address */
/* A query datagram from k that no socket took: answered (after the entry's
 * delay) into k's queue.  0 or -ENOMEM. */
int srr__sim_dns_server_udp(sim_world *s, sim_sock *k, const struct msghdr *m, size_t len);
void srr__sim_dns_server_due(sim_world *s);          /* delivers the answers due */
int64_t srr__sim_dns_server_next(const sim_world *s); /* the next answer's time, -1 none */
void srr__sim_dns_server_free(sim_world *s);
int srr__sim_dns_server_listen(sim_world *s);        /* its TCP listener, at start */
/* Its end k of a TCP connection: answers every whole query that came;
 * *done once the client is through.  0 or a negative errno. */
int srr__sim_dns_server_stream(sim_world *s, sim_sock *k, int *done);

/* sim_etc.c: SRR_CTL_FILE: the name service's files, made from the config */
int srr__sim_etc_file(const sim_world *s, srr_file *f);

/* sim_tcp_info.c: getsockopt(TCP_INFO) of a TCP socket (0), and TCP_MAXSEG. */
int srr__sim_tcp_info(const sim_sock *k, void *val, socklen_t *len);
int srr__sim_tcp_maxseg(const sim_sock *k);
const sim_host *srr__sim_host_of(sim_world *s, const struct sockaddr *sa);
int srr__sim_bind(sim_world *s, sim_sock *k, const struct sockaddr *sa, socklen_t len);

/* The world's peer (sim_peer_ops), lock held.  The sockets it makes are
 * the peer's (one reference each), not the program's. */
/* The far end of a connect the peer takes, connected to k. */
sim_sock *srr__sim_peer_answer(sim_world *s, sim_sock *k, const struct sockaddr *to,
                               socklen_t tolen);
/* A connection from `from` to the listener l (as if to the address to):
 * the peer's end, the other queued for accept. */
sim_sock *srr__sim_peer_dial(sim_world *s, sim_sock *l, const struct sockaddr *from,
                             socklen_t fromlen, const struct sockaddr *to, socklen_t tolen);
/* Bytes from the peer's end to the program's: 0 or -ENOMEM. */
int srr__sim_peer_send(sim_world *s, sim_sock *mine, const void *p, size_t n);
/* The peer shuts its write side (FIN) or resets the connection. */
void srr__sim_peer_end(sim_world *s, sim_sock *mine, int reset);
/* A datagram from `from` queued for `to` (dropped when it does not fit). */
int srr__sim_dgram_put(sim_world *s, sim_sock *to, const struct sockaddr_storage *from,
                       socklen_t fromlen, const void *p, size_t n);
/* sim_world.c: a sim with a peer and a table of its own (the fuzz world):
 * the peer's arg is the world's from here on (freed by peer->free). */
srr_world *srr__sim_create_with(sim_config *cfg, const srr_world_ops *ops,
                                const sim_peer_ops *peer, void *peer_arg, char *errbuf,
                                size_t errlen);
/* The config at config_path (NULL: the built-in one), or NULL with its
 * error in errbuf. */
sim_config *srr__sim_load(const char *config_path, char *errbuf, size_t errlen);
/* The world's own due time (sim_due), lock held: -1 none. */
int64_t srr__sim_due(sim_world *s);

/* sim_playback.c: fills sv->script from sv->trace; -1 with a message. */
int srr__sim_script_from_trace(sim_service *sv, char *err, size_t errlen);

/* sim_dgram.c */
ssize_t srr__sim_dgram_send(sim_world *s, sim_sock *k, int handle, const struct msghdr *m,
                            int flags);
ssize_t srr__sim_dgram_recv(sim_world *s, sim_sock *k, int handle, struct msghdr *m,
                            int flags);
void srr__sim_dgram_unpair(sim_sock *k);
/* k closes: its queued datagrams go, and their senders' buffers empty. */
void srr__sim_dgram_drop_all(sim_world *s, sim_sock *k);
/* An AF_UNIX datagram socket may send (poll's POLLOUT): Linux's unix_writable
 * and its peer's queue not full. */
int srr__sim_dgram_writable(sim_world *s, const sim_sock *k);

/* sim_fault.c: the first rule matching a connect to sa (NULL = none). */
const sim_fault *srr__sim_fault_connect(sim_world *s, const struct sockaddr *sa);
/* The first rule of this action matching an address (a datagram's
 * destination, a link's remote end); direction 1 out, 2 in, 0 either. */
const sim_fault *srr__sim_fault_addr(sim_world *s, const struct sockaddr *addr, int direction,
                                     sim_action action);
/* An injected EINTR/EAGAIN for this call (1 send, 2 receive): -errno or 0. */
int srr__sim_fault_call(sim_world *s, const sim_sock *k, int direction);
/* The byte-offset rule for this connection and direction (1 out, 2 in). */
const sim_fault *srr__sim_fault_bytes(sim_world *s, const sim_sock *k, int direction,
                                      sim_action action);

#endif
