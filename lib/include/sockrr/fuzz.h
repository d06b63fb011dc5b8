/*
 * sockrr/fuzz.h — the fuzz world (docs/fuzz.md): a peer whose messages come
 * from a fuzzer's test case.  `sockrr fuzz` gives it to unmodified programs
 * under AFL++; code written against the C API uses it in-process, with
 * clang's -fsanitize=fuzzer:
 *
 *     int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
 *     {
 *         srr_world *w = srr_world_fuzz(NULL, NULL, NULL, 0);
 *         srr_fuzz_give(w, data, size);
 *         serve(w);   // your server over srr_*: it ends when a call fails
 *                     // with EDEADLK, the case played out
 *         srr_world_destroy(w);
 *         return 0;
 *     }
 */
#ifndef SOCKRR_FUZZ_H
#define SOCKRR_FUZZ_H

#include "worlds.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fuzz world (docs/fuzz.md): the sim's network, clock, DNS and faults,
 * with a peer whose messages come from a fuzzer's test case.  It answers
 * every connect nothing in the sim listens to, connects to the program's
 * listeners, and sends datagrams to its bound sockets; it gives its next
 * message only when every thread of the program waits.  Once the messages
 * are given it shuts its connections (FIN); when everyone waits again the
 * case is played out, and the host is asked for the next one. */
typedef struct srr_fuzz_host {
    /* The next test case (first: 1 for the run's first, asked the first
     * time the program waits for input, with threads the program's
     * threads then).  1 with *data (malloc'd; the world frees it) and
     * *len, or 0 for none: the case's waiters then fail with EDEADLK.  It
     * may end the process instead of returning. */
    int (*next_case)(void *arg, int first, int threads, unsigned char **data, size_t *len);
    void *arg;
} srr_fuzz_host;
/* config_path NULL: the built-in network; host NULL: the one case given
 * to srr_fuzz_give.  NULL on a bad config, with a line in errbuf. */
srr_world *srr_world_fuzz(const char *config_path, const srr_fuzz_host *host, char *errbuf,
                          size_t errlen);

/* The fuzz world's own control codes. */
enum {
    SRR_CTL_FUZZ_GIVE = SRR_CTL_FUZZ_BASE, /* srr_fuzz_input *: the next case (a copy) */
    SRR_CTL_FUZZ_STATS,                   /* srr_fuzz_stats * */
};
typedef struct srr_fuzz_input {
    const unsigned char *data;
    size_t len;
} srr_fuzz_input;
typedef struct srr_fuzz_stats {
    uint64_t cases;       /* test cases begun */
    uint64_t messages;    /* messages given */
    uint64_t skipped;     /* messages nothing could take (no such socket) */
    uint64_t bytes;       /* payload bytes given */
    uint64_t connections; /* connections the peer made or took */
    int played_out;       /* the current case is over */
} srr_fuzz_stats;
/* Gives the world the next test case (a copy): 0, -ENOMEM, or -EINVAL for
 * another world.  The case before it ends: the peer resets its
 * connections. */
int srr_fuzz_give(srr_world *w, const void *data, size_t len);
int srr_fuzz_stats_of(srr_world *w, srr_fuzz_stats *out);

#ifdef __cplusplus
}
#endif
#endif
