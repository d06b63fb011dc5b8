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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit_status.h"
#include "fuzz_host.h"
#include "grow.h"

/* The whole file: 0, or -errno. */
static int file_read(const char *path, unsigned char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    unsigned char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (srr__grow((void **)&b, &cap, n + 65536, 1) < 0) {
            close(fd);
            free(b);
            return -ENOMEM;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            free(b);
            return -e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *data = b;
    *len = n;
    return 0;
}

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
    int r = file_read(h->input, data, len);
    if (r < 0) {
        char m[4200];
        snprintf(m, sizeof m, "%s: cannot read the test case: %s", h->input, strerror(-r));
        h->end(SRR_EXIT_FAIL, m, 1);
        return 0;
    }
    return 1;
}
