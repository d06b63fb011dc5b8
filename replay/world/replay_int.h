/*
 * replay_int.h — the insides of the replay world (docs/replay.md), shared by
 * its files and nothing else: load.c reads a trace into recorded sockets,
 * report.c words divergences and what was left unplayed, resolve.c answers
 * name lookups and maps addresses, replay.c fills the seam.
 *
 * Two sides: a recorded socket (rp_sock) is what the recording's process
 * did on one socket; a program socket (rp_prog) is one the program made.
 * A program socket is matched to a recorded one when it first does
 * something that says which (connect, listen, a first datagram, accept),
 * not at socket(): so a program is matched by creation order *and* peer,
 * and the recorded process it plays is chosen by what it does first (a
 * trace holding a client and its server replays either).
 */
#ifndef SOCKRR_REPLAY_INT_H
#define SOCKRR_REPLAY_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "busy.h"
#include "jscan.h"
#include "sockrr.h"
#include "forked.h"
#include "vtime.h"
#include "sockrr/worlds.h"
#include "trace.h"
#include "sock_opts.h"

/* One thing the recording's peer gave the socket. */
typedef enum { IN_DATA, IN_EOF, IN_TIMEOUT, IN_ERROR } in_kind;

typedef struct in_item {
    in_kind kind;
    unsigned char *data;
    size_t len;
    uint64_t after_out; /* bytes the recording had sent on the socket first */
    int err;            /* IN_ERROR: the errno */
    int64_t wait_ns;    /* IN_TIMEOUT: how long the recording waited */
    int64_t t;          /* when the recording got it (its CLOCK_MONOTONIC) */
    char *from;         /* datagrams: the sender, when recorded */
} in_item;

/* One send or receive of the recording, compiled from its line by the
 * first pass: what the second pass needs, the payload left in the trace
 * (base64 at data_off).  Written to the index (index.c) by sockrr replay,
 * so the program does not read the trace's lines again. */
typedef struct rp_recev {
    int64_t sock, t, aux;        /* aux: the errno (IN_ERROR), the wait (IN_TIMEOUT) */
    uint64_t data_off, from_off; /* in the trace; from_len 0: no sender */
    uint32_t data_len, from_len;
    int32_t pid;
    int32_t what;                /* RP_SEND, or RP_IN + an in_kind */
} rp_recev;
enum { RP_SEND = 1, RP_IN = 16 };

typedef struct rp_sock {
    int64_t id; /* the recording's sock id */
    int pid;    /* the recorded process that made it */
    int family, type;
    char local[128], peer[128];
    int connect_err;     /* the recorded connect's errno, 0 when it connected */
    int connected;       /* a connect was recorded */
    int listener;        /* a listen was recorded */
    int accepted;        /* made by an accept4 */
    char first_to[128];  /* datagrams: where the first unconnected send went */
    int64_t t_made;      /* when it was made (accept4: when it was accepted) */
    size_t *children;    /* listener: the sockets accepted from it, in order */
    size_t nchildren, children_cap;
    /* Servers are played in the recording's order: a connection is offered
     * once the program has closed as many of the listener's earlier ones as
     * the recording had closed when it was accepted (gate), or once the
     * program has nothing else to do (rp_gate_open). */
    long parent;             /* accepted: the listener's index; -1 otherwise */
    uint64_t gate;           /* accepted: the listener's children closed before */
    uint64_t closed_rec;     /* listener: its children the recording closed */
    uint64_t closed_prog;    /* listener: its children the program closed */
    size_t released;         /* listener: children offered past the gate */
    int eof_read;            /* the program read the end of its stream */
    int close_seen;          /* accepted: the first pass met its close */
    /* Counted when the trace is opened (load.c's first pass): */
    uint64_t out_total;     /* bytes the recording sent */
    uint64_t out_sends;     /* its sends (datagrams: each one) */
    uint64_t in_total;      /* things it received (data, end, errors, timeouts) */
    uint64_t in_bytes;      /* bytes it received */
    uint64_t in_waits;      /* timeouts and errors among them */
    /* Loaded as the program gets to them (load.c's rp_pump), dropped once
     * played: bytes [out_base, out_base + out_len) of the sent stream, and
     * the received things not played yet, in[in_head .. nin). */
    unsigned char *out;
    size_t out_len, out_cap;
    uint64_t out_base;
    in_item *in;
    size_t in_head, nin, in_cap;
    uint64_t in_loaded; /* things loaded so far */
    uint64_t out_sends_loaded;
    /* datagram sockets: where each loaded datagram of the sent stream ends,
     * and where it went (NULL: a connected socket's) */
    struct rp_dgram {
        uint64_t end;
        char *to;
    } *dgrams;
    size_t dg_head, ndg, dg_cap;
    /* the program's side */
    uint64_t out_pos;   /* bytes of the stream the program sent */
    size_t in_off;      /* bytes of the head item it read */
    uint64_t bytes_read, waits_met;
    size_t next_child;
    unsigned calls; /* the program's calls on it: the per-connection sequence */
    int used;
    int tolerated; /* lenient: a difference was reported (once per connection) */
} rp_sock;

typedef struct rp_prog {
    int family, type, nonblock;
    srr_sockopts opt;  /* its options, as Linux keeps them (sock_opts.h) */
    long rec;          /* index of the recorded socket it plays; -1 until matched */
    char bound[128];   /* the program's bind address */
    int listening;
    int handles;       /* descriptors on it; 0: free */
    int kfd;           /* on-miss passthrough: the kernel socket behind it, or -1 */
    /* options the program set, for a kernel socket made later (passthrough) */
    struct rp_opt {
        int level, name;
        socklen_t len;
        unsigned char val[32];
    } opts[8];
    int nopts;
} rp_prog;

typedef struct rp_gai {
    int pid;
    char *node, *service;
    int ret;
    const srr_json *answers; /* in tree, or NULL */
    srr_json *tree;          /* owned: the lookup's line (or, from an index, its answers) */
    int used;
} rp_gai;

/* A recorded process, for the verdict on a tree of them: its parent is
 * the process whose socket it first used (a forked child's inherited
 * connection), and what it moved on its sockets. */
typedef struct rp_proc {
    int32_t pid, parent; /* parent 0: none known */
    uint64_t bytes;      /* bytes it sent and received */
} rp_proc;

typedef struct rp_map {
    struct sockaddr_storage rec, prog; /* recorded address -> the program's */
    int host_only;                     /* ports are left alone */
} rp_map;

#define RP_LAST 6 /* calls the divergence report recalls */
#define RP_HANDLES 1024
#define RP_PIDS 2 /* candidate processes: the first client, the first server */

typedef struct replay_world {
    srr_world base;
    srr_vtime vt; /* the lock, participants, parked threads, timers, virtual time */
    char source[256];
    srr_replay_options opt;
    const char *index_in, *index_out; /* the hand-over (handover.h) */
    srr_world_forked_from fork_from;   /* read at fork, for the child's world */
    rp_sock *socks;
    size_t nsocks, socks_cap;
    rp_prog *progs;
    size_t nprogs, progs_cap, nmade;
    rp_gai *gais;
    size_t ngais, gais_cap;
    rp_map *maps;
    size_t nmaps, maps_cap;
    rp_proc *procs;
    size_t nprocs, procs_cap;
    int pids[RP_PIDS]; /* the processes the program may be playing, in preference order */
    int pid;           /* the one it plays, once chosen; 0 before */
    char hostname[256];
    int handles[RP_HANDLES]; /* handle - 3 -> program socket index + 1 (0: free) */
    int64_t epoch;           /* REALTIME - MONOTONIC at the recording's start */
    uint64_t progress;       /* calls that moved the replay on: waits watch it */
    /* A server's clients, in the recording's order (order.c): the accepted
     * connections the program holds, and how far the order was given up
     * for a program with nothing else to do (recorded t; 0 never). */
    size_t *open_children;
    size_t nopen_children, open_children_cap;
    size_t *listeners;       /* the recording's listeners (made at the first look) */
    size_t nlisteners;
    int listeners_known;
    int64_t order_floor;
    uint64_t idle_progress;  /* progress at the last wait that found nothing */
    unsigned idle_waits;     /* waits in a row that found nothing and moved nothing */
    int diverged;
    char report[4096];
    /* the program's last calls that matched, a ring: sends and receives
     * (most calls) are kept as numbers and worded only for a report */
    struct rp_last {
        char text[120]; /* other calls, worded */
        int io;         /* 0, 'S' sent bytes a-b, 'R' received a bytes */
        size_t conn;
        uint64_t a, b;
    } last[RP_LAST];
    unsigned nlast;
    char unsupported[160];
    /* the trace, mapped; the second pass's place in it (load.c) */
    const char *trace;
    size_t trace_len, cursor, dropped, page;
    /* the index sockrr replay handed over (index.c): its compiled events
     * are read instead of the trace's lines */
    const char *idx;
    size_t idx_len, idx_cursor, idx_end, idx_dropped;
    int64_t trace_mtime_ns;
    uint64_t trace_ino;
    size_t *ids; /* sock id -> socket index + 1 */
    srr_jskeys ev_keys, arg_keys; /* the members load.c reads, hashed once */
    size_t ids_cap;
} replay_world;

#define RW(w) ((replay_world *)(w))

/* The world's lock, its clock's (vtime.h): the thread counts as a
 * participant from its first call, and while it holds the lock its clock
 * reads are libc's (busy.h): ASan's malloc reads the clock, and the clock
 * under replay is this world's. */
static inline void rp_lock(replay_world *r)
{
    srr__vt_enter(&r->vt);
}

static inline void rp_unlock(replay_world *r)
{
    srr__vt_leave(&r->vt);
}

/* load.c: the trace is read twice, as a stream: srr__rp_load counts sockets,
 * connections and lookups (all processes); the rest is loaded as the
 * program reaches it, for the process it plays, and dropped once played. */
int srr__rp_load(replay_world *r, const char *path, char *errbuf, size_t errlen);
void srr__rp_free_recording(replay_world *r);
/* Frees the sockets and lookups only (a half-loaded index). */
void srr__rp_free_recording_meta(replay_world *r);
/* The next thing the socket received in the recording (loading it), NULL
 * when it received nothing more. */
in_item *srr__rp_in_head(replay_world *r, rp_sock *s);
/* Done with the head item. */
void srr__rp_in_pop(rp_sock *s);
/* Loads the sent stream up to byte upto (or its end); the recorded byte at
 * pos, which must be loaded and not yet dropped. */
void srr__rp_out_load(replay_world *r, rp_sock *s, uint64_t upto);
#define RP_OUT_AT(s, pos) ((s)->out[(pos) - (s)->out_base])
/* Loads the socket's next recorded datagram, when it sent one more. */
void srr__rp_dgram_load(replay_world *r, rp_sock *s);
/* Drops sent bytes the program has matched (keeping a few for reports). */
void srr__rp_out_played(rp_sock *s);

/* report.c */
void srr__rp_note(replay_world *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A send ('S', bytes a to b) or receive ('R', a bytes) on connection conn. */
void srr__rp_note_io(replay_world *r, int io, size_t conn, uint64_t a, uint64_t b);
int srr__rp_diverge(replay_world *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int srr__rp_diverge_bytes(replay_world *r, rp_sock *s, size_t k, const unsigned char *got,
                     size_t got_len);
/* Lenient: the first difference of a connection (at byte k; got NULL: more
 * bytes than recorded) reported through on_tolerated, the replay going on. */
void srr__rp_tolerate(replay_world *r, rp_sock *s, size_t k, const unsigned char *got,
                 size_t got_len);
/* A difference on connection s: a divergence (-EPROTO), or when lenient
 * reported once per connection and tolerated (0). */
int srr__rp_differs(replay_world *r, rp_sock *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The recording's name in reports. */
const char *srr__rp_name(const replay_world *r);
/* "connection N (sock ID, peer ADDR, call K)" for reports */
const char *srr__rp_conn_name(replay_world *r, const rp_sock *s, char *buf, size_t len);
int srr__rp_leftover_locked(replay_world *r, char *buf, size_t len);
/* The bytes the played process's forked children moved in the recording
 * (which no process here played: a forked child gets no replay yet), and
 * a report naming them in buf. */
uint64_t srr__rp_children_locked(replay_world *r, char *buf, size_t len);

/* resolve.c: addresses as the program sees them (--map), name lookups */
int srr__rp_addr_matches(const replay_world *r, const char *recorded, const char *program);
/* A program's bind address for a recorded local one: the same (mapped), or
 * every address with the recorded port. */
int srr__rp_bound_matches(const replay_world *r, const char *recorded, const char *program);
void srr__rp_addr_shown(const replay_world *r, const char *recorded, char *out, size_t len);
int srr__rp_parse_maps(replay_world *r, const char *spec, char *errbuf, size_t errlen);
int srr__rp_getaddrinfo(srr_world *w, const char *node, const char *service,
                   const struct addrinfo *hints, struct addrinfo **res, int *sys_errno);
void srr__rp_freeaddrinfo(srr_world *w, struct addrinfo *res);
int srr__rp_getnameinfo(srr_world *w, const struct sockaddr *sa, socklen_t salen, char *host,
                   socklen_t hostlen, char *serv, socklen_t servlen, int flags, int *sys);
int srr__rp_byname(srr_world *w, const char *name, int af, struct hostent *ret, char *buf,
              size_t buflen, struct hostent **result, int *herr);
int srr__rp_byaddr(srr_world *w, const void *a, socklen_t l, int t, struct hostent *ret, char *buf,
              size_t buflen, struct hostent **result, int *herr);
int srr__rp_gethostname(srr_world *w, char *name, size_t len);
int srr__rp_sethostname(srr_world *w, const char *name, size_t len);
int srr__rp_if_nameindex(srr_world *w, struct if_nameindex **out);
void srr__rp_if_freenameindex(srr_world *w, struct if_nameindex *l);

/* index.c: what the first pass found, handed from sockrr replay to the
 * program's preload library in a file, so the program does not check and
 * count the trace again.  The writer is open during the first pass. */
typedef struct rp_index_writer rp_index_writer;
rp_index_writer *srr__rp_index_create(const char *path, char *errbuf, size_t errlen);
int srr__rp_index_event(rp_index_writer *w, const rp_recev *ev);
/* Writes what was counted and closes: 0 or -1 (errbuf). */
int srr__rp_index_finish(rp_index_writer *w, const replay_world *r, char *errbuf, size_t errlen);
void srr__rp_index_abort(rp_index_writer *w);
/* Loads an index made for this very trace (r->trace_len, mtime, inode
 * set): 0, or -1 when it cannot be used (the trace is then read). */
int srr__rp_index_load(replay_world *r, const char *path);
/* The next compiled event of the index: 1, 0 at its end. */
int srr__rp_index_next(replay_world *r, rp_recev *ev);
void srr__rp_index_unmap(replay_world *r);

/* passthrough.c: the on-miss policy "passthrough" */
typedef enum { RP_PASS_SHUTDOWN, RP_PASS_GETSOCKOPT, RP_PASS_SETSOCKOPT, RP_PASS_GETSOCKNAME,
               RP_PASS_GETPEERNAME, RP_PASS_FCNTL, RP_PASS_IOCTL } rp_pass_op;
/* The kernel socket behind handle h (takes the lock), or -1. */
int srr__rp_pass_fd(replay_world *r, int h);
/* Gives p a kernel socket (under the lock): its descriptor or -errno. */
int srr__rp_pass_open(replay_world *r, rp_prog *p, const char *to);
void srr__rp_pass_close(rp_prog *p);
int srr__rp_pass_connect(int k, const struct sockaddr *a, socklen_t l);
ssize_t srr__rp_pass_sendmsg(int k, const struct msghdr *m, int flags);
ssize_t srr__rp_pass_recvmsg(int k, struct msghdr *m, int flags);
/* The other calls, with their arguments after op, in libc's order. */
int srr__rp_pass_call(int k, rp_pass_op op, ...);
int srr__rp_pass_poll(replay_world *r, struct pollfd *fds, nfds_t n, int64_t timeout_ns,
                 int (*replayed_ready)(replay_world *r, struct pollfd *fds, nfds_t n));

/* A call under the world's lock, refused with EPROTO once the program has
 * diverged. */
#define LOCKED(r, expr)                                                                        \
    ({                                                                                         \
        rp_lock(r);                                                                            \
        __typeof__(expr) v_ = (r)->diverged ? -EPROTO : (expr);                                \
        rp_unlock(r);                                                                          \
        v_;                                                                                    \
    })

/* An op that may find its socket passed through to the kernel (--on-miss
 * passthrough): replayed, under the lock, by locked, which sets k when it
 * hands the socket over right then; on the kernel's descriptor k by pass
 * otherwise.  locked and pass name k. */
#define RP_REPLAYED_OR_PASSED(r, h, k, locked, pass)                                           \
    ({                                                                                         \
        int k = srr__rp_pass_fd(r, h);                                                         \
        __typeof__(locked) rc_ = 0;                                                            \
        if (k < 0)                                                                             \
            rc_ = LOCKED(r, locked);                                                           \
        k < 0 ? rc_ : (pass);                                                                  \
    })

/* Waits with nothing new before the replay says the program is stuck: a
 * loop of timed waits with no recorded event left for them. */
#define RP_IDLE_LIMIT 1000
/* Waits in real time, the lock let go, while waiting(r, arg) says so and
 * something moves (the replay's progress) at least every budget_ns: other
 * threads of the program play meanwhile.  0, or -EPROTO on a divergence. */
int srr__rp_await(replay_world *r, int64_t budget_ns, int (*waiting)(replay_world *, const void *),
                  const void *arg);
/* Real time a blocked accept gives other threads to play out the rest. */
#define RP_STALL_NS (2 * 1000000000LL)
/* Real time a blocked accept gives other threads to finish the connections
 * the recording had finished before the next one came. */
#define RP_GATE_NS (50 * 1000000LL)

/* replay.c: the seam's table, control, lifetime */
int srr__rp_pid_ok(const replay_world *r, int pid);

/* match.c: which recorded socket a program socket plays */
rp_prog *srr__rp_prog_get(replay_world *r, int h);
rp_sock *srr__rp_rec(replay_world *r, const rp_prog *p);
int srr__rp_new_handle(replay_world *r, size_t prog);
rp_sock *srr__rp_bind_rec(replay_world *r, rp_prog *p, size_t i);
/* The next unused recorded socket of the played process (or of a
 * candidate, in preference order) that fits what the program does. */
typedef int (*rp_fits)(const replay_world *r, const rp_sock *s, const rp_prog *p,
                       const char *addr);
long srr__rp_find_rec(replay_world *r, const rp_prog *p, const char *addr, rp_fits fits);
int srr__rp_fits_send_to(const replay_world *r, const rp_sock *s, const rp_prog *p,
                         const char *addr);
int srr__rp_fits_bound_dgram(const replay_world *r, const rp_sock *s, const rp_prog *p,
                             const char *addr);
int srr__rp_socket(srr_world *w, int domain, int type, int protocol);
int srr__rp_socketpair(srr_world *w, int d, int t, int p, int sv[2]);
int srr__rp_bind(srr_world *w, int h, const struct sockaddr *a, socklen_t l);
int srr__rp_listen(srr_world *w, int h, int backlog);
int srr__rp_accept4(srr_world *w, int h, struct sockaddr *a, socklen_t *l, int f);
/* A listener's next recorded connection: 1 when it may be offered now;
 * gated, 1 when it waits for the program to finish earlier ones; release
 * offers it anyway (the program has nothing else to do). */
int srr__rp_child_due(replay_world *r, const rp_sock *s);
int srr__rp_child_gated(replay_world *r, const rp_sock *s);
void srr__rp_child_release(replay_world *r, rp_sock *s);

/* order.c: a server's clients come in the recording's order across
 * connections: what one client sends, and a new client's arrival, come
 * only after everything the others sent before it was read.  A stateful
 * server (redis's INCR from four clients at once) then does what it did. */
int srr__rp_order_open(replay_world *r, size_t child);
void srr__rp_order_close(replay_world *r, size_t child);
/* 1 when something the recording got at t on s (SIZE_MAX: no socket, a
 * new connection) may come now. */
int srr__rp_in_turn(replay_world *r, size_t s, int64_t t);
/* The program has nothing else to do: things up to t come out of turn. */
void srr__rp_order_give_up(replay_world *r, int64_t t);
/* A blocked call waits its turn: other threads get a moment to play what
 * comes first (lock held; 0, or -EPROTO on a divergence meanwhile). */
int srr__rp_wait_turn(replay_world *r, size_t s, int64_t t);
int srr__rp_connect(srr_world *w, int h, const struct sockaddr *addr, socklen_t len);

/* io.c: bytes and waits */
void srr__rp_follow(replay_world *r, int64_t t);
int srr__rp_wait_more(replay_world *r, const char *what);
ssize_t srr__rp_sendmsg(srr_world *w, int h, const struct msghdr *m, int flags);
in_item *srr__rp_next_in(replay_world *r, rp_sock *s);
ssize_t srr__rp_recvmsg(srr_world *w, int h, struct msghdr *m, int flags);
int srr__rp_poll(srr_world *w, struct pollfd *fds, nfds_t n, int64_t timeout_ns);
int64_t srr__rp_now(srr_world *w, clockid_t clock);
int srr__rp_sleep(srr_world *w, clockid_t clock, int64_t ns);

#endif
