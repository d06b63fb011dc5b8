/*
 * sockrr/testing.h — a small helper for tests that run client and server
 * code against a sim world (docs/testing.md has a complete example).
 *
 *   srr_test *t = srr_test_sim_open("{\"hosts\": ...}", msg, sizeof msg);
 *   ... code under test, given t->world ...
 *   srr_test_sent(t, "db:5432", buf, sizeof buf);   what went to db:5432
 *   srr_test_close(t);
 *
 * A test owns one srr_test: a sim world wrapped in a tap that writes the
 * JSONL trace (docs/trace-format.md) of everything done through t->world to
 * a temporary file.  The trace is deleted at close unless the test failed
 * (srr_test_fail) or the environment has SRR_TEST_KEEP=1; a kept trace's
 * path is printed on stderr.
 *
 * Conventions: functions return 0, a count or a pointer on success and a
 * negative errno (or NULL) on failure; nothing here exits or aborts.  The
 * library part knows nothing of cmocka.  When the including file includes
 * <cmocka.h> first, this header adds SRR_TEST_OPEN and SRR_TEST_ASSERT_*
 * macros that fail the current test through cmocka; call them only from
 * the test's own thread, as every cmocka assertion.
 *
 * Threads: virtual time moves only when every thread that has used the sim
 * waits in a sim call.  Start helper threads with srr_test_run_thread and
 * wait for them with srr_test_join, which both keep that rule; a thread
 * that has used the sim and then blocks outside it (pthread_join, a
 * condition variable) stops the clock for everyone.
 */
#ifndef SOCKRR_TESTING_H
#define SOCKRR_TESTING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../sockrr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --------------------------------------------------------------- the world */

typedef struct srr_test {
    srr_world *world;       /* the traced sim: pass this one to the C API */
    srr_world *sim;         /* the sim underneath, for srr_sim_* (calls on it are not traced) */
    const char *trace_path; /* the JSONL trace being written */
} srr_test;

/* Builds a sim world from config: a JSON text (its first non-blank
 * character is '{'), else the path of a config file (docs/sim-config.md);
 * NULL gives the built-in network.  NULL on failure with a one-line reason
 * in errbuf (the sim's "file:line:column: field: message" for a bad
 * config). */
srr_test *srr_test_sim_open(const char *config, char *errbuf, size_t errlen);
/* Marks the test failed: its trace is kept at close. */
void srr_test_fail(srr_test *t);
/* Joins threads still running (srr_test_join), destroys the world, deletes
 * or keeps the trace, frees t and sets an attached slot to NULL.  NULL is a
 * no-op.  0, or the first error: -errno writing the trace (the tap's) or
 * deleting it. */
int srr_test_close(srr_test *t);

/* For a cmocka teardown: srr_test_attach(t, state) stores t in *state, and
 * srr_test_close clears it again.  srr_test_teardown(state) finds *state
 * still set only when the test body did not reach its srr_test_close (an
 * assertion failed): it then marks the test failed and closes it, so the
 * trace is kept and nothing leaks.  Use it as
 * cmocka_unit_test_teardown(test_fn, srr_test_teardown).  Always 0. */
void srr_test_attach(srr_test *t, void **slot);
int srr_test_teardown(void **state);

/* ------------------------------------------------------------------- time */

/* The sim's virtual CLOCK_MONOTONIC in ns (0 when the world opens). */
int64_t srr_test_now(srr_test *t);
/* Lets ns of virtual time pass for the calling thread (the world's sleep,
 * recorded as a `sleep` event); other threads run meanwhile.  0, -EINVAL
 * for ns < 0, or the sleep's error. */
int srr_test_advance(srr_test *t, int64_t ns);

/* ---------------------------------------------------------------- threads */

typedef struct srr_test_thread srr_test_thread;

/* Starts fn(arg) on a new thread that time waits for (it is announced to
 * the sim before it can make its first call).  Each running thread holds
 * two untraced sim handles, for the join.  NULL when the thread or its
 * handles cannot be made. */
srr_test_thread *srr_test_run_thread(srr_test *t, void *(*fn)(void *arg), void *arg);
/* Waits for the thread inside the sim, so virtual time keeps moving for it,
 * then joins and frees it; *result (may be NULL) gets fn's return value.
 * 0, or -EDEADLK when the world is deadlocked (srr_sim_deadlock_report on
 * t->sim tells who waited on what); the thread is joined either way. */
int srr_test_join(srr_test_thread *th, void **result);

/* ------------------------------------------------------------ the trace
 *
 * These read the trace written so far, from the start, each time.  Filters:
 * op is an event's "op" ("connect", "sendmsg", ...; NULL = any), sock its
 * stable socket id ("sock"; 0 = any), err the name of its failure ("errno",
 * "gai" or "h_errno" member: "ECONNREFUSED", "EAI_NONAME"; NULL = any, "" =
 * only events without one).  Every function that reads the trace returns
 * -EIO when it cannot be opened and -EBADMSG when a line is not a valid
 * event. */

/* The number of events matching. */
long srr_test_count(srr_test *t, const char *op, int sock, const char *err);

/* One event, as a test wants to look at it. */
typedef struct srr_test_event {
    long seq;            /* 1, 2, ... */
    int64_t t;           /* virtual CLOCK_MONOTONIC in ns when the call returned */
    char op[32];
    long long ret;
    char err[32];        /* name of the failure; "" when none */
    int sock;            /* 0 when the event names no socket */
    char local[128];     /* address strings as the trace writes them; "" when absent */
    char peer[128];
    unsigned char *data; /* the bytes moved (malloc'd); NULL when none */
    size_t len;          /* bytes in data */
} srr_test_event;

/* The n-th (from 0) event matching op and sock into *ev (release it with
 * srr_test_event_clear).  0, or -ENOENT when there are not that many. */
int srr_test_event_get(srr_test *t, const char *op, int sock, long n, srr_test_event *ev);
void srr_test_event_clear(srr_test_event *ev);
/* The n-th matching event's payload: copies up to len bytes into buf and
 * returns the payload's full length (0 when the event moved none), or
 * -ENOENT. */
ssize_t srr_test_payload(srr_test *t, const char *op, int sock, long n, void *buf, size_t len);
/* The stable id of the socket the world's handle fd (srr_fileno) names now,
 * or -ENOENT. */
int srr_test_sock_id(srr_test *t, int fd);

/* Every byte the program sent to peer, in trace order: the data of each
 * `sendmsg` whose destination (its `to`, else the socket's peer) is peer.
 * peer is "HOST:PORT" or "HOST" (any port), HOST a host or DNS name of the
 * config ("db"), localhost, or a numeric address ("192.0.2.5",
 * "[2001:db8::5]:5432"); anything else (an AF_UNIX path) is compared with
 * the trace's address strings as written.  Copies up to len bytes into buf
 * and returns the full count; -ENOENT when no event of the trace names
 * peer (nothing connected or sent there); -EOVERFLOW when a payload was
 * capped. */
ssize_t srr_test_sent(srr_test *t, const char *peer, void *buf, size_t len);
/* The same for bytes received from peer (`recvmsg` events, by `from`, else
 * the socket's peer). */
ssize_t srr_test_received(srr_test *t, const char *peer, void *buf, size_t len);

/* Checks behind the assertion macros: 1 when the trace holds what is
 * expected, else 0 with msg saying what it holds instead (both sides,
 * bytes escaped; also why the trace could not be read). */
int srr_test_check_sent(srr_test *t, const char *peer, const void *want, size_t len, char *msg,
                        size_t msglen);
int srr_test_check_received(srr_test *t, const char *peer, const void *want, size_t len,
                            char *msg, size_t msglen);
int srr_test_check_count(srr_test *t, const char *op, int sock, const char *err, long want,
                         char *msg, size_t msglen);

#ifdef __cplusplus
}
#endif

/* --------------------------------------------------- cmocka assertions
 * Only when <cmocka.h> was included before this header. */
#ifdef CMOCKA_H_
#include <string.h>

static inline srr_test *srr_test_open_or_fail_(void **state, const char *config, const char *file,
                                               int line)
{
    char msg[512];
    srr_test *t = srr_test_sim_open(config, msg, sizeof msg);
    if (!t) {
        print_error("ERROR: srr_test_sim_open: %s\n", msg);
        _fail(file, line);
        return NULL;
    }
    srr_test_attach(t, state);
    return t;
}

/* srr_test *t = SRR_TEST_OPEN(state, config): opens or fails the test, and
 * attaches t to state (may be NULL) for srr_test_teardown. */
#define SRR_TEST_OPEN(state, config) srr_test_open_or_fail_((state), (config), __FILE__, __LINE__)

#define SRR_TEST_CHECK_(t, call)                                                              \
    do {                                                                                      \
        srr_test *srr_ck_t_ = (t);                                                            \
        char srr_ck_m_[1024];                                                                 \
        if (!(call)) {                                                                        \
            srr_test_fail(srr_ck_t_);                                                         \
            fail_msg("%s\n  trace: %s", srr_ck_m_, srr_ck_t_->trace_path);                    \
        }                                                                                     \
    } while (0)

/* The program sent exactly these bytes to peer ("db:5432"), all
 * connections to it together. */
#define SRR_TEST_ASSERT_SENT_BYTES(t, peer, bytes, len)                                       \
    SRR_TEST_CHECK_(t, srr_test_check_sent(srr_ck_t_, (peer), (bytes), (len), srr_ck_m_,      \
                                           sizeof srr_ck_m_))
#define SRR_TEST_ASSERT_SENT(t, peer, str) SRR_TEST_ASSERT_SENT_BYTES(t, peer, str, strlen(str))
/* The program received exactly these bytes from peer. */
#define SRR_TEST_ASSERT_RECEIVED_BYTES(t, peer, bytes, len)                                   \
    SRR_TEST_CHECK_(t, srr_test_check_received(srr_ck_t_, (peer), (bytes), (len), srr_ck_m_,  \
                                               sizeof srr_ck_m_))
#define SRR_TEST_ASSERT_RECEIVED(t, peer, str)                                                \
    SRR_TEST_ASSERT_RECEIVED_BYTES(t, peer, str, strlen(str))
/* Exactly n events match op, sock and err (see srr_test_count). */
#define SRR_TEST_ASSERT_COUNT(t, op, sock, err, n)                                            \
    SRR_TEST_CHECK_(t, srr_test_check_count(srr_ck_t_, (op), (sock), (err), (n), srr_ck_m_,   \
                                            sizeof srr_ck_m_))
#endif /* CMOCKA_H_ */

#endif
