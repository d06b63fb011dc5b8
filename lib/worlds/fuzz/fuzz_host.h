/*
 * fuzz_host.h — the fuzz world's host under the interposer: test cases
 * from the file afl-fuzz writes each one to (-f), AFL++'s forkserver
 * started where the program first waits for input, and persistent mode.
 */
#ifndef SOCKRR_FUZZ_HOST_H
#define SOCKRR_FUZZ_HOST_H

#include <stddef.h>

typedef struct srr_fuzz_file_host {
    const char *input;     /* the test case's file */
    int defer;             /* start AFL++'s forkserver at the first wait */
    unsigned persistent;   /* cases one process plays (AFL++'s persistent loop); 0: one */
    /* the process ends (env_world.h's srr_env_host.end) */
    void (*end)(int status, const char *message, int flush);
} srr_fuzz_file_host;

/* Under afl-fuzz, tells AFL++'s runtime, before the program's own
 * constructors run, to wait for the forkserver's start and to keep stopped
 * children (fuzz_host.c says why here). */
void srr__fuzz_file_host_start(const srr_fuzz_file_host *h);
/* srr_fuzz_host.next_case for a srr_fuzz_file_host *. */
int srr__fuzz_file_next(void *arg, int first, int threads, unsigned char **data, size_t *len);

#endif
