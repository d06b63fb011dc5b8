/*
 * path_calls.c — what the interposer's path and randomness hooks cost a
 * program: N stat() calls on a file that exists, then N getrandom() calls of
 * 16 bytes.  Prints "stat NS_PER_CALL" and "getrandom NS_PER_CALL" (one line
 * each); bench/path_calls.sh runs it natively, under sockrr record and under
 * sockrr sim, and prints the ratios.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The machine's clock, also under sim (whose clock_gettime is virtual): a
 * raw syscall the interposer passes through. */
static double now(void)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC_RAW, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[2]) : 200000;
    const char *path = argc > 1 ? argv[1] : "/etc/passwd";
    struct stat st;
    double t0 = now();
    for (long i = 0; i < n; i++)
        if (stat(path, &st) < 0)
            return 1;
    double t1 = now();
    unsigned char b[16];
    for (long i = 0; i < n; i++)
        if (getrandom(b, sizeof b, 0) != sizeof b)
            return 1;
    double t2 = now();
    printf("stat %.1f\ngetrandom %.1f\n", (t1 - t0) / n, (t2 - t1) / n);
    return 0;
}
