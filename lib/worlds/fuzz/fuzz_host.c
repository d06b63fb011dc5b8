/*
 * fuzz_host.c — test cases from a file, and AFL++'s forkserver (fuzz_host.h).
 *
 * AFL++'s runtime (linked into a target built with afl-cc) exports two
 * entry points a program may call itself: __afl_manual_init starts the
 * forkserver, and __afl_persistent_loop ends one case and waits for the
 * next.  The runtime reads two variables in its first constructor, before
 * the program's: __AFL_DEFER_FORKSRV (wait for __afl_manual_init instead
 * of starting the forkserver at once) and __AFL_PERSISTENT (a stopped
 * child is the next case's).  afl-fuzz sets them from signatures compiled
 * into a program that calls those entry points itself; for a program that
 * does not, the preload sets them, in its constructor, which runs before
 * the program's.  (afl-fuzz's own AFL_DEFER_FORKSRV and AFL_PERSISTENT do
 * the same but are deprecated: a warning and two seconds' sleep.)  Neither
 * entry point is declared here: looked up at run time, they are absent
 * from a program built without AFL++, which then plays one case and ends;
 * and outside afl-fuzz (no __AFL_SHM_ID) they are not called, since
 * __afl_manual_init would still take SIGTERM's handler.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit_status.h"
#include "fuzz_case.h"
#include "fuzz_host.h"
#include "in_file.h"
#include <stdint.h>

void srr__fuzz_file_host_start(const srr_fuzz_file_host *h)
{
    if (!getenv("__AFL_SHM_ID"))
        return; /* not under afl-fuzz */
    if (h->defer)
        setenv("__AFL_DEFER_FORKSRV", "1", 1);
    if (h->persistent)
        setenv("__AFL_PERSISTENT", "1", 1);
}

int srr__fuzz_file_next(void *arg, int first, int threads, unsigned char **data, size_t *len)
{
    const srr_fuzz_file_host *h = arg;
    int afl = getenv("__AFL_SHM_ID") != NULL;
    void (*manual_init)(void) =
        afl ? (void (*)(void))dlsym(RTLD_DEFAULT, "__afl_manual_init") : NULL;
    int (*loop)(unsigned) =
        afl ? (int (*)(unsigned))dlsym(RTLD_DEFAULT, "__afl_persistent_loop") : NULL;
    if (first) {
        if (h->defer && threads > 1) {
            char m[300];
            snprintf(m, sizeof m,
                     "the program runs %d threads when it first waits for input: AFL++'s "
                     "forkserver cannot start there (a forked child keeps one thread); run "
                     "sockrr fuzz with --no-defer",
                     threads);
            h->end(SRR_EXIT_NO_FORK, m, 2);
            return 0;
        }
        if (h->defer && manual_init)
            manual_init(); /* the forkserver: from here on, each case is a child */
        if (h->persistent && loop)
            loop(h->persistent); /* the first case starts */
    } else if (!h->persistent || !loop || !loop(h->persistent)) {
        h->end(SRR_EXIT_OK, "the test case is played out: the program ended", 2);
        return 0;
    }
    int r = srr__file_read(h->input, SIZE_MAX / 2, data, len);
    if (r == 0 && *len > SRR_FUZZ_INPUT_MAX)
        *len = SRR_FUZZ_INPUT_MAX;
    if (r < 0) {
        char m[4200];
        snprintf(m, sizeof m, "%s: cannot read the test case: %s", h->input, strerror(-r));
        h->end(SRR_EXIT_FAIL, m, 2);
        return 0;
    }
    return 1;
}
