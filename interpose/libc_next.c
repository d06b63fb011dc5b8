/*
 * libc_next.c — the libc tables (libc.h, preload.h) for the preload
 * library: each entry is the next definition after this library's own,
 * found with dlsym(RTLD_NEXT).  Resolved once, before main, by the
 * constructor in preload.c; a wrapper called earlier (another library's
 * constructor) resolves them first.  dlsym does not call back into any
 * function the interposer catches.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>

#include "preload.h"

srr_libc srr__libc;
preload_real srr__real;

static atomic_int resolved;

void srr__preload_resolve(void)
{
    if (atomic_load_explicit(&resolved, memory_order_acquire))
        return;
    /* Two threads may race here before main: both store the same values. */
#define RESOLVE_LIBC(name, ret, params) srr__libc.name = (ret(*) params)dlsym(RTLD_NEXT, #name);
#define RESOLVE_REAL(name, ret, params) srr__real.name = (ret(*) params)dlsym(RTLD_NEXT, #name);
    SRR_LIBC_FUNCS(RESOLVE_LIBC)
    PRELOAD_REAL_FUNCS(RESOLVE_REAL)
#undef RESOLVE_LIBC
#undef RESOLVE_REAL
    atomic_store_explicit(&resolved, 1, memory_order_release);
}
