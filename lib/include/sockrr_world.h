/*
 * sockrr_world.h — the seam: one table of operations every world fills, and
 * nothing else (constructors and extensions: sockrr/worlds.h).
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
 *  - Arguments are checked above the seam, once, for both front doors
 *    (lib/core/check.h: non-NULL pointers where a length says there is
 *    data, address lengths, iovec counts, flags Linux refuses); a world may
 *    assume them and asserts its invariants.  What depends on the socket
 *    (its family, its state) is the world's to answer.
 *  - Every world fills every slot.  What a world does not model returns
 *    -EOPNOTSUPP (sockets) or EAI_SERVICE/-ENOSYS (resolver), never a silent
 *    success, and records an `unsupported` event where it traces.
 *  - Slots added later go at the end under a "since version N" comment and a
 *    caller checks ops->version before using them (SQLite's io_methods rule);
 *    srr_world_control and srr_world_caps do that check for their slots.
 */
#ifndef SOCKRR_WORLD_H
#define SOCKRR_WORLD_H

#include <netdb.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SRR_WORLD_OPS_VERSION 3

typedef struct srr_world srr_world;
typedef struct srr_world_ops srr_world_ops;

/* Capabilities (since version 3): what a host must know of a world to run a
 * program over it, declared in its table (ops->caps) instead of guessed from
 * which constructor ran.  A decorator carries its inner world's too. */
#define SRR_CAP_OWN_HANDLES 0x1u   /* handles are not descriptors: a host that shows them
                                    * to a program puts a descriptor of its own behind each */
#define SRR_CAP_VIRTUAL_CLOCK 0x2u /* now and sleep are a clock of the world's own: a host
                                    * sends the program's clock reads, sleeps, timeouts and
                                    * waits on other threads to it (SRR_CTL_PARK) */
#define SRR_CAP_HERMETIC 0x4u      /* nothing the world does leaves the process: a host
                                    * refuses what would reach the real network around the
                                    * seam (a raw socket syscall) */

/* Every world object starts with this; its private state follows.  A world
 * fills it with srr_world_init. */
struct srr_world {
    const srr_world_ops *ops;
    /* setdefaulttimeout: what new API sockets start with, in ns; <0 = None
     * (blocking).  Kept here, not in a global, so two worlds never share it. */
    int64_t default_timeout_ns;
    unsigned caps; /* SRR_CAP_*: the table's, and a decorator's inner world's */
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
     * (connected UDP after an ICMP port unreachable), -EOPNOTSUPP (MSG_OOB
     * on a datagram socket), -EINVAL / -EAFNOSUPPORT (a destination the
     * protocol refuses).  msg_name set with msg_namelen 0 is sendto's
     * address of length 0: UDP refuses it, TCP ignores it, AF_UNIX takes
     * it for none. */
    ssize_t (*sendmsg)(srr_world *w, int s, const struct msghdr *msg, int flags);
    /* recvmsg(2): bytes stored; 0 at orderly end of stream.  msg->msg_flags
     * gets MSG_TRUNC / MSG_CTRUNC.  -EAGAIN, -ECONNRESET, -ENOTCONN.  A
     * NULL iov_base with a length comes only with MSG_TRUNC: TCP discards
     * the bytes, other sockets answer -EFAULT when there is data to copy
     * (a datagram is then gone, as in Linux). */
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

    /* ---- since version 3 ---- */

    /* SRR_CAP_* of the world this table makes (a decorator adds its inner
     * world's when it is made: srr_world_wrap). */
    unsigned caps;
    /* Everything a world offers beyond the common calls, as SQLite's
     * xFileControl: op is an SRR_CTL_* code (below, or a world's own from
     * sockrr/worlds.h), arg what that code says.  Returns what the code
     * says (0 or more), a negative errno, or -ENOTTY for a code the world
     * does not know.  A decorator answers its own codes and passes every
     * other one to the world it wraps, so wrapping never hides a world. */
    int (*control)(srr_world *w, int op, void *arg);
};

/* ------------------------------------------------------------ control codes
 * (since version 3).  Codes below 0x100 are for any world that has what
 * they ask for; a world's own start at its base (sockrr/worlds.h). */

/* A thread waiting outside the world on another thread of the program (a
 * condition variable, a semaphore, a join) or for a deadline: while parked it
 * counts as waiting, so virtual time may move.  Filled by the caller, linked
 * by the world; the caller owns it until SRR_CTL_UNPARK. */
typedef struct srr_park {
    int64_t deadline;    /* virtual CLOCK_MONOTONIC ns; -1 none */
    const void *on;      /* what it waits on (SRR_CTL_WAKE names it); a join's is the
                          * thread joined (its pthread_t as a pointer) */
    int woken;           /* busy until the thread looks again: at SRR_CTL_PARK, 1 when
                          * what it waits for may have come already (its first look
                          * says), 0 when nothing can come before the wait begins (a
                          * condition variable, its mutex held); then the world's */
    unsigned wakes, seen; /* the world's: wakes so far, and at the last settling: one
                          * since means the caller's look may have missed it */
    int64_t slice_ns;    /* the world's: the real time to sleep before the next
                          * SRR_CTL_PARK_DUE: short while the clock moves or wakes come,
                          * longer while nothing changes */
    int64_t seen_now;    /* the world's: its clock at the last look */
    int held;            /* the world's: 1 once what it waits for is sure to come in real
                          * time (the thread it joins has left): busy until unparked */
    int outside;         /* 1: what it waits for may come from outside the process (a
                          * child's exit): while it waits, time follows real time, and
                          * the run is neither stuck nor idle */
    struct srr_park *next;
    const char *what;    /* the wait, for reports ("pthread_join"); may be NULL */
} srr_park;

/* Who to tell when a run stops moving: every thread waits and nothing is
 * due, so nothing can ever happen.  report says who waits on what.  A host
 * that sets it ends the program there; without it, the world's blocked
 * calls fail with EDEADLK. */
typedef struct srr_on_stuck {
    void (*fn)(const char *report, void *arg);
    void *arg;
} srr_on_stuck;

/* fork(2)'s three moments (pthread_atfork), for a world a process holds. */
enum { SRR_FORK_PREPARE, SRR_FORK_PARENT, SRR_FORK_CHILD };
typedef struct srr_fork {
    int phase;           /* SRR_FORK_* */
    srr_world *child;    /* CHILD: the world the child uses instead of this one
                          * (the world makes it); NULL: this one goes on */
    void (*say)(const char *line); /* the host's: a line for the user (may be NULL) */
} srr_fork;

/* The program ends (its process exits normally): a world that judges the
 * run says how it went. */
typedef struct srr_verdict {
    int status;          /* the exit status the process should end with */
    char message[2200];  /* one line for the user, without "sockrr VERB: " */
} srr_verdict;

/* A descriptor change made outside the seam, on a world whose handles are
 * descriptors: a dup (newfd -1, flags -1), dup2 (flags -1) or dup3 that
 * returned result; or a handle closed behind the world's back (fclose,
 * close_range, dup2 over it) and how. */
typedef struct srr_fd_change {
    int old, newfd, flags, result;
    const char *via;     /* "fclose", "close_range", "dup2", ... */
} srr_fd_change;

/* A call the host saw but cannot route through the seam (a raw syscall,
 * io_uring_setup): said in a trace as an `unsupported` event. */
typedef struct srr_note {
    const char *what, *call;
    int64_t ret;
    int err;
} srr_note;

/* A file of the system's name service (/etc/resolv.conf, /etc/hosts,
 * /etc/nsswitch.conf, /etc/gai.conf) as a world gives it to the programs
 * over it, which read it instead of the machine's: a world whose names are
 * its own (the sim's DNS table and server) answers them. */
typedef struct srr_file {
    const char *path;    /* in: the absolute path opened */
    char *text;          /* out: its contents, malloc'd (the caller frees) */
    size_t len;
} srr_file;

typedef struct srr_random {
    void *buf;
    size_t len;
} srr_random;

typedef struct srr_path {
    const char *path;    /* in: as the program wrote it */
    mode_t mode;         /* in (CHMOD): permission bits, or (mode_t)-1 */
    uid_t uid;           /* in (CHMOD): owner, or (uid_t)-1 */
    gid_t gid;           /* in (CHMOD): group, or (gid_t)-1 */
    struct stat st;      /* out (STAT) */
    int error;           /* out: an errno when the world refused the job (EPERM) */
} srr_path;

/* A timer on the world's clock (alarm, setitimer, timer_create, timerfd
 * under the interposer).  When the world's time reaches deadline it calls
 * fire with its lock held: fire notes what is due and returns at once (it
 * may not call into the world); it may ask the world to interrupt a
 * thread's wait in it, which then fails with EINTR, as a signal makes a
 * blocked call fail.  Every parked thread looks again after a timer fires.
 * Owned by the caller; linked by the world while armed. */
typedef struct srr_vtimer {
    int64_t deadline;    /* virtual CLOCK_MONOTONIC ns */
    int64_t interval;    /* ns between expiries after the first; 0: once */
    /* expirations: how many came due at once (an interval timer that fell
     * behind); returns 1 to interrupt `target`'s wait in the world */
    int (*fire)(struct srr_vtimer *t, uint64_t expirations);
    pthread_t target;    /* set by fire, when it returns 1 */
    int armed;           /* the world's */
    struct srr_vtimer *next;
} srr_vtimer;

enum srr_control_op {
    /* ---- threads and time: worlds with SRR_CAP_VIRTUAL_CLOCK ---- */
    SRR_CTL_THREAD_EXPECT = 1, /* NULL: a thread is about to start; time waits for it */
    SRR_CTL_THREAD_CANCEL,     /* NULL: the announced thread never started */
    SRR_CTL_THREAD_ENTER,      /* NULL: the calling thread counts from now on */
    SRR_CTL_PARK,              /* srr_park *: 1 parked, 0 the caller is no participant */
    SRR_CTL_PARK_DUE,          /* srr_park *, after each real-time slice of the wait:
                                * moves time when everyone waits; 1 once the deadline came,
                                * 2 woken since the last look (look again), else 0 */
    SRR_CTL_UNPARK,            /* srr_park * */
    SRR_CTL_WAKE,              /* const void *on: every thread parked on it looks again */
    SRR_CTL_NOW,               /* int64_t *: in a clockid_t, out that clock's ns: the host's
                                * own read for its bookkeeping, which a tap does not trace */
    SRR_CTL_CLOCK_CHARGE,      /* int64_t *: in the reads to charge (1 when the program read
                                * the clock, 0 to look); out what the world charged for reads
                                * before, which the program's clock adds to now */
    SRR_CTL_WAIT_STEP,         /* int64_t *: how often, in the world's ns, a wait on the
                                * world's handles and real descriptors looks at the real ones */
    SRR_CTL_ON_STUCK,          /* const srr_on_stuck *: who hears that the run stopped moving */
    SRR_CTL_TIMER_ARM,         /* srr_vtimer *: (re)armed with its deadline and interval */
    SRR_CTL_TIMER_DISARM,      /* srr_vtimer *: no longer armed; 0 */
    /* ---- the host process ---- */
    SRR_CTL_FORK,              /* srr_fork * */
    SRR_CTL_PROGRAM_END,       /* srr_verdict *: 1 with a verdict, 0 none */
    /* ---- descriptors: worlds whose handles are descriptors ---- */
    SRR_CTL_DUP,               /* srr_fd_change *: a duplicate made outside the seam */
    SRR_CTL_FORGET,            /* srr_fd_change * (old, via): closed outside the seam */
    SRR_CTL_NOTE,              /* srr_note * */
    SRR_CTL_OWN_FD,            /* NULL: the descriptor the world itself writes through (a
                                * trace), which the program must not close; -ENOTTY none */
    SRR_CTL_MOVE_OWN_FD,       /* NULL: that descriptor moves to another number (the
                                * program dup2's onto it); the new one */
    SRR_CTL_TRACE_ERROR,       /* NULL: the first error writing the world's trace, or 0 */
    SRR_CTL_FILE,              /* srr_file *: 1 with its text, 0 the machine's file stands,
                                * -ENOMEM */
    /* paths where a world keeps AF_UNIX socket names of its own (the sim's,
     * which are no files): 1 when the world holds a name at p->path and did
     * the job, 0 when it holds none there (the machine's path) */
    SRR_CTL_PATH_STAT,         /* srr_path *: p->st filled as a socket file's */
    SRR_CTL_PATH_UNLINK,       /* srr_path *: the name removed */
    SRR_CTL_PATH_CHMOD,        /* srr_path *: p->mode, p->uid, p->gid set ((x)-1: kept) */
    SRR_CTL_RANDOM,            /* srr_random *: 1 with r->buf filled from the world's own
                                * entropy (the sim's: drawn from its seed), 0 the machine's */
    /* a world's own codes start here (sockrr/worlds.h) */
    SRR_CTL_SIM_BASE = 0x100,
    SRR_CTL_REPLAY_BASE = 0x200,
    SRR_CTL_FUZZ_BASE = 0x300,
};

/* ------------------------------------------------------- shared by worlds */

/* Fills a world's base: ops, no default timeout, the table's capabilities.
 * Every constructor calls it first. */
void srr_world_init(srr_world *w, const srr_world_ops *ops);
/* A decorator's base: srr_world_init, then inner's capabilities and default
 * timeout too. */
void srr_world_wrap(srr_world *w, const srr_world_ops *ops, const srr_world *inner);
/* w's capabilities (0 for a table older than version 3). */
unsigned srr_world_caps(const srr_world *w);
/* The control slot, or -ENOTTY when w is NULL or its table has none. */
int srr_world_control(srr_world *w, int op, void *arg);
/* For the slots of a world that has nothing to say there: no control code
 * (-ENOTTY), nothing it does not model (NULL). */
int srr_world_no_control(srr_world *w, int op, void *arg);
const char *srr_world_no_unsupported(srr_world *w);
/* The destroy slot of a world whose whole state is the one block its
 * constructor allocated (the base first): free(w). */
void srr_world_free(srr_world *w);

/* destroy through the table; NULL is a no-op. */
void srr_world_destroy(srr_world *w);

#ifdef __cplusplus
}
#endif
#endif
