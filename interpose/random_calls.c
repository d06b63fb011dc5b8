/*
 * random_calls.c — the program's randomness as the world gives it: a world
 * with entropy of its own (the sim and fuzz worlds: drawn from the seed,
 * SRR_CTL_RANDOM) answers getrandom, getentropy and the arc4random family,
 * so one seed gives one run for a program that draws random numbers too
 * (CPython's hash seed, its tempfile names, uuid4, a TLS library's
 * nonces).  Under other worlds, before the world starts (an allocator's
 * constructor) and inside the world's own code, libc answers.  Reads of
 * /dev/urandom are not caught yet.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

/* 1 with buf filled by the world, 0 when the machine's randomness stands. */
static int world_random(void *buf, size_t len)
{
    srr_world *w = srr__preload_virtual_world();
    if (!w)
        return 0;
    srr_random r = {buf, len};
    int e = errno;
    int got = srr_world_control(w, SRR_CTL_RANDOM, &r) == 1;
    errno = e;
    return got;
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
    srr__preload_resolve(); /* an allocator may ask before our constructor ran */
    if (world_random(buf, len))
        return (ssize_t)len;
    return REAL(getrandom)(buf, len, flags);
}

int getentropy(void *buf, size_t len)
{
    srr__preload_resolve();
    if (len > 256) {
        errno = EIO; /* getentropy(3): at most 256 bytes */
        return -1;
    }
    if (world_random(buf, len))
        return 0;
    return REAL(getentropy)(buf, len);
}

/* libc's arc4random_buf, or getrandom's bytes on a libc without it (a
 * program that probes for the name finds ours) */
static void libc_random(void *buf, size_t len)
{
    if (REAL(arc4random_buf)) {
        REAL(arc4random_buf)(buf, len);
        return;
    }
    for (size_t done = 0; done < len;) {
        ssize_t n = REAL(getrandom)((char *)buf + done, len - done, 0);
        if (n > 0)
            done += (size_t)n;
    }
}

uint32_t arc4random(void)
{
    srr__preload_resolve();
    uint32_t x;
    if (!world_random(&x, sizeof x))
        libc_random(&x, sizeof x);
    return x;
}

void arc4random_buf(void *buf, size_t len)
{
    srr__preload_resolve();
    if (!world_random(buf, len))
        libc_random(buf, len);
}

uint32_t arc4random_uniform(uint32_t upper)
{
    srr__preload_resolve();
    if (upper < 2)
        return 0;
    /* below the smallest multiple of upper that fits, drawn again, as
     * arc4random_uniform(3) does: no bias */
    uint32_t x, floor = (uint32_t)(-upper) % upper;
    do
        x = arc4random();
    while (x < floor);
    return x % upper;
}

int srr__syscall_random(long n, const long *a, long *ret)
{
    if (n != SYS_getrandom || !world_random((void *)a[0], (size_t)a[1]))
        return 0;
    *ret = a[1];
    return 1;
}
