/*
 * fuzz_host.c — test cases from a file, and AFL++'s forkserver (fuzz_host.h).
 *
 * AFL++'s runtime (linked into a target built with afl-cc) exports two
 * entry points a program may call itself: __afl_manual_init starts the
 * forkserver (deferred mode: afl-fuzz runs with AFL_DEFER_FORKSRV=1 and the
 * runtime waits for the call), and __afl_persistent_loop ends one case and
 * waits for the next (persistent mode, AFL_PERSISTENT=1).  Neither is
 * declared here: looked up at run time, they are absent from a program
 * built without AFL++, which then plays one case and ends.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit_status.h"
#include "fuzz_host.h"
#include "in_file.h"
#include <stdint.h>

int srr__fuzz_file_next(void *arg, int first, int threads, unsigned char **data, size_t *len)
{
    const srr_fuzz_file_host *h = arg;
    void (*manual_init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__afl_manual_init");
    int (*loop)(unsigned) = (int (*)(unsigned))dlsym(RTLD_DEFAULT, "__afl_persistent_loop");
    if (first) {
        if (h->defer && threads > 1) {
            char m[300];
            snprintf(m, sizeof m,
                     "the program runs %d threads when it first waits for input: AFL++'s "
                     "forkserver cannot start there (a forked child keeps one thread); run "
                     "sockrr fuzz with --no-defer",
                     threads);
            h->end(SRR_EXIT_NO_FORK, m, 1);
            return 0;
        }
        if (h->defer && manual_init)
            manual_init(); /* the forkserver: from here on, each case is a child */
        if (h->persistent && loop)
            loop(h->persistent); /* the first case starts */
    } else if (!h->persistent || !loop || !loop(h->persistent)) {
        h->end(SRR_EXIT_OK, "the test case is played out: the program ended", 1);
        return 0;
    }
    int r = srr__file_read(h->input, SIZE_MAX / 2, data, len);
    if (r < 0) {
        char m[4200];
        snprintf(m, sizeof m, "%s: cannot read the test case: %s", h->input, strerror(-r));
        h->end(SRR_EXIT_FAIL, m, 1);
        return 0;
    }
    return 1;
}
