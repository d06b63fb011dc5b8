/*
 * sockrr_world.h — the seam: one table of operations every world fills.
 *
 * A world answers socket calls at the level of POSIX: errno values,
 * O_NONBLOCK, partial reads and writes.  The kernel world calls libc; the sim,
 * replay, fuzz and tap worlds answer from their own state.  Python-style
 * timeout mode is not a world's business: the C API (sockrr.h) builds it from
 * non-blocking calls, poll and now, so every world gets it for free.
 *
 * Conventions, for every slot unless its comment says otherwise:
 *  - A socket is named by an int handle the world hands out from socket,
 *    socketpair or accept4 (for the kernel world, the file descriptor).
 *  - Return 0 or a count on success and a negative errno on failure; a world
 *    never sets errno for the caller and never returns -1 meaning "see errno".
 *  - Arguments are validated above the seam (non-NULL pointers, lengths that
 *    fit, known flags); a world may assume them and asserts its invariants.
 *  - Every world fills every slot.  What a world does not model returns
 *    -EOPNOTSUPP (sockets) or EAI_SERVICE/-ENOSYS (resolver), never a silent
 *    success, and records an `unsupported` event where it traces.
 *  - Slots added later go at the end under a "since version N" comment and a
 *    caller checks ops->version before using them (SQLite's io_methods rule).
 */
#ifndef SOCKRR_WORLD_H
#define SOCKRR_WORLD_H

#include <netdb.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SRR_WORLD_OPS_VERSION 2

typedef struct srr_world srr_world;
typedef struct srr_world_ops srr_world_ops;

/* Every world object starts with this; its private state follows. */
struct srr_world {
    const srr_world_ops *ops;
    /* setdefaulttimeout: what new API sockets start with, in ns; <0 = None
     * (blocking).  Kept here, not in a global, so two worlds never share it. */
    int64_t default_timeout_ns;
};

struct srr_world_ops {
    int version;      /* SRR_WORLD_OPS_VERSION the table was written against */
    const char *name; /* "kernel", "sim", "replay", "fuzz", "tap" */

    /* ---- sockets ---- */

    /* socket(2).  type may carry SOCK_NONBLOCK | SOCK_CLOEXEC.
     * -EAFNOSUPPORT unknown family, -EPROTONOSUPPORT / -ESOCKTNOSUPPORT,
     * -EMFILE / -ENFILE out of handles. */
    int (*socket)(srr_world *w, int domain, int type, int protocol);
    /* socketpair(2): fills sv[0], sv[1].  -EOPNOTSUPP for families that have
     * no pairs (AF_INET on Linux). */
    int (*socketpair)(srr_world *w, int domain, int type, int protocol, int sv[2]);
    /* bind(2): -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL already bound,
     * -EACCES privileged port, -ENOENT / -EADDRINUSE for AF_UNIX paths. */
    int (*bind)(srr_world *w, int s, const struct sockaddr *addr, socklen_t len);
    /* listen(2): -EOPNOTSUPP for datagram sockets, -EADDRINUSE when an
     * unbound socket's ephemeral port is taken. */
    int (*listen)(srr_world *w, int s, int backlog);
    /* accept4(2): returns the new handle.  addr/len may be NULL.  flags:
     * SOCK_NONBLOCK | SOCK_CLOEXEC.  -EAGAIN when non-blocking and none
     * pending, -EINVAL not listening, -ECONNABORTED. */
    int (*accept4)(srr_world *w, int s, struct sockaddr *addr, socklen_t *len, int flags);
    /* connect(2): -EINPROGRESS (non-blocking stream; result later through
     * SO_ERROR), -EALREADY, -EISCONN, -ECONNREFUSED, -ETIMEDOUT,
     * -ENETUNREACH, -EHOSTUNREACH, -ENOENT (AF_UNIX path). */
    int (*connect)(srr_world *w, int s, const struct sockaddr *addr, socklen_t len);
    /* sendmsg(2): bytes taken, possibly fewer than offered (partial send).
     * -EAGAIN, -EPIPE (the world does not raise SIGPIPE; the caller decides),
     * -ECONNRESET, -ENOTCONN, -EDESTADDRREQ, -EMSGSIZE, -ECONNREFUSED
     * (connected UDP after an ICMP port unreachable). */
    ssize_t (*sendmsg)(srr_world *w, int s, const struct msghdr *msg, int flags);
    /* recvmsg(2): bytes stored; 0 at orderly end of stream.  msg->msg_flags
     * gets MSG_TRUNC / MSG_CTRUNC.  -EAGAIN, -ECONNRESET, -ENOTCONN. */
    ssize_t (*recvmsg)(srr_world *w, int s, struct msghdr *msg, int flags);
    /* shutdown(2): -ENOTCONN, -EINVAL bad how. */
    int (*shutdown)(srr_world *w, int s, int how);
    /* close(2): the handle is gone even when an error is returned. */
    int (*close)(srr_world *w, int s);
    /* getsockopt(2) / setsockopt(2): -ENOPROTOOPT for options the world does
     * not model, -EINVAL for a bad length. */
    int (*getsockopt)(srr_world *w, int s, int level, int name, void *val, socklen_t *len);
    int (*setsockopt)(srr_world *w, int s, int level, int name, const void *val, socklen_t len);
    /* getsockname(2) / getpeername(2): *len is in/out as in POSIX; the
     * address is truncated to the buffer and *len is the full length.
     * getpeername: -ENOTCONN. */
    int (*getsockname)(srr_world *w, int s, struct sockaddr *addr, socklen_t *len);
    int (*getpeername)(srr_world *w, int s, struct sockaddr *addr, socklen_t *len);
    /* fcntl(2) for F_GETFL, F_SETFL (O_NONBLOCK), F_GETFD, F_SETFD
     * (FD_CLOEXEC), F_DUPFD, F_DUPFD_CLOEXEC (returns the new handle, which
     * shares the open socket).  -EINVAL for other commands. */
    int (*fcntl)(srr_world *w, int s, int cmd, long arg);
    /* ioctl(2) for FIONREAD (int *: bytes readable), FIONBIO (const int *),
     * SIOCOUTQ (int *: bytes unsent).  -ENOTTY for other requests. */
    int (*ioctl)(srr_world *w, int s, unsigned long request, void *arg);
    /* poll(2) over handles of this world.  timeout_ns < 0 waits forever, 0
     * does not wait.  Returns the number of entries with revents set, 0 on
     * timeout, -EINTR.  A handle the world does not know gets POLLNVAL. */
    int (*poll)(srr_world *w, struct pollfd *fds, nfds_t nfds, int64_t timeout_ns);

    /* ---- resolver ---- */

    /* getaddrinfo(3): 0, or an EAI_* code (negative, as glibc defines them).
     * For EAI_SYSTEM, *sys_errno gets the errno.  The list is freed with
     * freeaddrinfo of the same world. */
    int (*getaddrinfo)(srr_world *w, const char *node, const char *service,
                       const struct addrinfo *hints, struct addrinfo **res, int *sys_errno);
    void (*freeaddrinfo)(srr_world *w, struct addrinfo *res);
    /* getnameinfo(3): 0 or an EAI_* code (EAI_OVERFLOW when a buffer is
     * short; EAI_SYSTEM with *sys_errno). */
    int (*getnameinfo)(srr_world *w, const struct sockaddr *sa, socklen_t salen, char *host,
                       socklen_t hostlen, char *serv, socklen_t servlen, int flags, int *sys_errno);
    /* gethostbyname2_r(3) / gethostbyaddr_r(3): 0 with *result set, or 0
     * with *result NULL and *h_errnop = HOST_NOT_FOUND / NO_DATA / TRY_AGAIN
     * / NO_RECOVERY, or -ERANGE when buf is too small (the caller retries
     * with a larger one). */
    int (*gethostbyname2_r)(srr_world *w, const char *name, int af, struct hostent *ret,
                            char *buf, size_t buflen, struct hostent **result, int *h_errnop);
    int (*gethostbyaddr_r)(srr_world *w, const void *addr, socklen_t len, int type,
                           struct hostent *ret, char *buf, size_t buflen,
                           struct hostent **result, int *h_errnop);
    /* gethostname(2) / sethostname(2): -ENAMETOOLONG, -EPERM. */
    int (*gethostname)(srr_world *w, char *name, size_t len);
    int (*sethostname)(srr_world *w, const char *name, size_t len);
    /* if_nameindex(3): *out is an array ended by {0, NULL}, freed with
     * if_freenameindex of the same world.  -ENOBUFS / -ENOMEM. */
    int (*if_nameindex)(srr_world *w, struct if_nameindex **out);
    void (*if_freenameindex)(srr_world *w, struct if_nameindex *list);

    /* ---- clock ---- */

    /* clock_gettime(2) in ns for CLOCK_REALTIME, CLOCK_MONOTONIC and their
     * relatives; -EINVAL for a clock the world does not keep. */
    int64_t (*now)(srr_world *w, clockid_t clock);
    /* Sleep ns on the world's clock: 0, or -EINTR. */
    int (*sleep)(srr_world *w, clockid_t clock, int64_t ns);

    /* ---- lifetime ---- */

    /* Releases the world and every handle it still holds. */
    void (*destroy)(srr_world *w);

    /* ---- since version 2 ---- */

    /* What the calling thread's last call asked for that the world does not
     * model ("socket type SOCK_RAW", "getsockopt level 0 name 1"), then
     * forgotten; NULL when nothing.  The call itself failed with a defined
     * errno; the tap records this as an `unsupported` event.  Callers check
     * ops->version >= 2 and a non-NULL slot. */
    const char *(*unsupported)(srr_world *w);
};

/* The real Linux kernel.  Stateless apart from the default timeout: each call
 * returns a fresh world; destroy it with srr_world_destroy. */
srr_world *srr_world_kernel(void);

/* What the tap writes into a trace's header, and how much it keeps. */
typedef struct srr_tap_options {
    const char *program;   /* the header's "program"; NULL = "" */
    int argc;              /* the header's "argv" */
    char *const *argv;
    int64_t payload_cap;   /* payload bytes kept per event; -1 = all (the default when opts is NULL) */
    int record_clock;      /* record now/sleep: 1 yes, 0 no, -1 only when inner is not the kernel */
} srr_tap_options;

/* The tap: a world that records every call to inner, with its result, into
 * the JSONL trace at path (docs/trace-format.md; created mode 0600), then
 * answers as inner does.  It takes ownership of inner (destroying the tap
 * destroys it).  opts may be NULL.  Returns NULL with *error = -errno when
 * the trace cannot be created (inner is then left to the caller).  A write
 * error later never changes an answer: it is kept for srr_world_tap_error. */
srr_world *srr_world_tap(srr_world *inner, const char *path, const srr_tap_options *opts,
                         int *error);
/* The first error writing the trace (-errno), or 0. */
int srr_world_tap_error(const srr_world *tap);

/* The sim world: an in-memory network with a virtual clock, built from a
 * JSON config (docs/sim-config.md).  config_path NULL gives the built-in
 * network (one host "localhost" with 127.0.0.1 and ::1).  NULL on a bad config, with a
 * "file:line:column: field: message" line in errbuf. */
srr_world *srr_world_sim(const char *config_path, char *errbuf, size_t errlen);
srr_world *srr_world_sim_string(const char *json, char *errbuf, size_t errlen);
/* srr_world_sim with the config's seed replaced by seed (sockrr sim --seed). */
srr_world *srr_world_sim_seeded(const char *config_path, uint64_t seed, char *errbuf,
                                size_t errlen);
/* Virtual time moves when every thread that has made a sim call waits in
 * one.  A thread about to be started does not count until its first call:
 * announce it first, and time waits for it.  0, or -EINVAL for other worlds. */
int srr_sim_expect_thread(srr_world *w);
/* Takes back one srr_sim_expect_thread whose thread was never started
 * (pthread_create failed).  0, or -EINVAL for other worlds. */
int srr_sim_expect_cancel(srr_world *w);
/* A participant about to wait outside the sim on another thread — on the
 * condition variable or semaphore `on`, or a join — or until deadline_ns
 * of virtual CLOCK_MONOTONIC (-1: none).  While parked it counts as
 * waiting, so virtual time may move (a thread pool's idle worker no longer
 * holds it still).  It counts as busy until its first look (what it waits
 * for may be there already), again once its deadline comes, and once
 * another thread wakes `on` (srr_sim_wake: call it before signalling,
 * broadcasting or posting), until it looks again.  park returns 1 when
 * parked, 0 when the caller is no participant (nothing to do), -EINVAL for
 * other worlds.  The waiter waits in slices of real time and calls
 * park_due after each: it moves time when everyone waits, marks the thread
 * waiting again, and returns 1 once the deadline has come.  The caller
 * owns p until unpark. */
typedef struct srr_sim_parked {
    int64_t deadline;
    const void *on;
    int woken;
    struct srr_sim_parked *next;
} srr_sim_parked;
int srr_sim_park(srr_world *w, srr_sim_parked *p, const void *on, int64_t deadline_ns);
int srr_sim_park_due(srr_world *w, srr_sim_parked *p);
void srr_sim_unpark(srr_world *w, srr_sim_parked *p);
void srr_sim_wake(srr_world *w, const void *on);
/* The seed the sim world was made with (the config's, or the one given to
 * srr_world_sim_seeded): 0, or -EINVAL for other worlds. */
int srr_sim_seed(srr_world *w, uint64_t *seed);
/* The sim world's virtual CLOCK_MONOTONIC in ns (-EINVAL for other worlds). */
int64_t srr_sim_now(srr_world *w);
/* 1 and who waited on what when the world found a deadlock (every blocked
 * call then failed with EDEADLK), 0 when none, -EINVAL for other worlds. */
int srr_sim_deadlock_report(srr_world *w, char *buf, size_t len);

/* The replay world: a recorded trace (docs/trace-format.md) plays the peer
 * of the program (docs/replay.md).  The recorded process replayed is pid,
 * or the first one that connects or the first that listens, whichever the
 * program turns out to be; rechunk > 0 gives received data at most that
 * many bytes at a time; lenient lets sent bytes differ from the recording;
 * map ("RECORDED=ADDR[,...]", HOST:PORT or HOST alone) names addresses the
 * program uses instead of recorded ones.  When the program leaves the
 * recording, the call fails with EPROTO and on_divergence (may be NULL)
 * gets the report.  When a server waits for a connection after the
 * recording is played out, on_played_out (may be NULL) is called and the
 * wait fails with ESHUTDOWN.  passthrough_on_miss sends a connection,
 * datagram or lookup the recording does not have to the real network
 * instead of failing.  NULL with a "file:line: field: message" line
 * in errbuf on a bad trace or map. */
typedef struct srr_replay_options {
    int pid;
    size_t rechunk;
    int lenient;
    void (*on_divergence)(const char *report, void *arg);
    void *arg;
    const char *map;
    void (*on_played_out)(void *arg);
    int passthrough_on_miss;
    /* sockrr replay's hand-over: the CLI's world writes what its check of
     * the trace found to index_out; the program's reads index_in instead
     * of checking the trace again (ignored when it is not for this trace). */
    const char *index_out, *index_in;
    /* lenient: the first difference of each connection, reported while the
     * replay goes on (may be NULL) */
    void (*on_tolerated)(const char *report, void *arg);
    /* the recording's name in reports (default: the trace's path) */
    const char *name;
} srr_replay_options;
srr_world *srr_world_replay(const char *trace_path, const srr_replay_options *opts, char *errbuf,
                            size_t errlen);
/* 1 and the report when the program diverged, 0 when not, -EINVAL for
 * other worlds. */
int srr_replay_divergence(srr_world *w, char *buf, size_t len);
/* 1 when one of the program's sockets played a recorded one, or a recorded
 * lookup was answered: the recording was used (a process whose connections
 * all went to the network under passthrough did not use it).  -EINVAL for
 * other worlds. */
int srr_replay_used(srr_world *w);
/* What sockrr replay exits with when the program diverged, and when it
 * ended with recorded connections not played out (strict mode). */
#define SRR_REPLAY_DIVERGED 86
#define SRR_REPLAY_UNPLAYED 87
/* The recorded connections the program did not play out (never made, bytes
 * not sent, data not read): their number, and a report in buf. */
int srr_replay_leftover(srr_world *w, char *buf, size_t len);

/* destroy through the table; NULL is a no-op. */
void srr_world_destroy(srr_world *w);

#ifdef __cplusplus
}
#endif
#endif
