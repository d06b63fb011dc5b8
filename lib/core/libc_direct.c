/*
 * libc_direct.c — the libc table (libc.h) for libsockrr: libc's own symbols,
 * bound by the linker.  The preload library links interpose/libc_next.c
 * instead.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libc.h"

#define SRR_LIBC_DIRECT(name, ret, params) .name = name,
srr_libc srr__libc = {SRR_LIBC_FUNCS(SRR_LIBC_DIRECT)};
