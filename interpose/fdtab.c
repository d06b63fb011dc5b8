/*
 * fdtab.c — what the interposer knows of each descriptor number: unknown,
 * a plain descriptor (file, pipe, terminal), or a socket of the world and
 * the world's handle for it.
 *
 * Over the kernel (record, passthrough) a socket's handle is its own
 * descriptor, and a descriptor the table has not seen is looked at once
 * with fstat.  Over a world with handles of its own (sim) the program holds
 * a placeholder descriptor the interposer opened, mapped here to the
 * world's handle; nothing else is ever the world's.
 *
 * The table grows lazily in pages of 4096 entries, each mapped with mmap
 * (safe in a signal handler, unlike malloc) the first time a descriptor in
 * its range is seen, so a process that never goes past fd 20 maps one page;
 * socket_wrapper's eager 65 535-entry table is what this avoids.  Readers
 * take no lock: an entry is one word, a page pointer is published once.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "preload.h"

/* An entry: 0 unknown, 1 plain, 2 plain and the process's own (a pipe, an
 * eventfd, a timerfd it made: only its threads make it ready), ENTRY_HANDLE
 * + h the world's handle h. */
enum { FD_UNKNOWN = 0, FD_PLAIN = 1, FD_INTERNAL = 2, ENTRY_HANDLE = 3 };

#define PAGE_SHIFT 12
#define PAGE_FDS (1 << PAGE_SHIFT)
#define NPAGES 1024 /* 4 M descriptors; beyond that every look asks fstat */

static _Atomic(_Atomic uint32_t *) pages[NPAGES];
static int kernel_handles = 1; /* set once, before the first call */

void srr__fd_kernel_handles(int yes)
{
    kernel_handles = yes;
}

/* The entry of fd, its page mapped on first use; NULL past the table's
 * end or when mmap fails (the caller then asks fstat every time). */
static _Atomic uint32_t *fd_slot(int fd, int create)
{
    if (fd < 0 || (fd >> PAGE_SHIFT) >= NPAGES)
        return NULL;
    _Atomic(_Atomic uint32_t *) *pp = &pages[fd >> PAGE_SHIFT];
    _Atomic uint32_t *page = atomic_load_explicit(pp, memory_order_acquire);
    if (!page && create) {
        void *m = mmap(NULL, PAGE_FDS * sizeof *page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        _Atomic uint32_t *want = NULL;
        if (atomic_compare_exchange_strong(pp, &want, (_Atomic uint32_t *)m)) {
            page = m;
        } else {
            munmap(m, PAGE_FDS * sizeof *page); /* another thread mapped it first */
            page = want;
        }
    }
    return page ? &page[fd & (PAGE_FDS - 1)] : NULL;
}

/* A descriptor never seen: over the kernel a socket is the world's (its
 * handle is itself); otherwise nothing unseen is. */
static uint32_t fd_probe(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return FD_UNKNOWN; /* not open: decide when it is */
    if (S_ISSOCK(st.st_mode) && kernel_handles)
        return ENTRY_HANDLE + (uint32_t)fd;
    return FD_PLAIN;
}

int srr__fd_handle(int fd)
{
    _Atomic uint32_t *e = fd_slot(fd, 1);
    uint32_t v = e ? atomic_load_explicit(e, memory_order_relaxed) : FD_UNKNOWN;
    if (v == FD_UNKNOWN) {
        v = fd_probe(fd);
        if (e && v != FD_UNKNOWN)
            atomic_store_explicit(e, v, memory_order_relaxed);
    }
    return v >= ENTRY_HANDLE ? (int)(v - ENTRY_HANDLE) : -1;
}

int srr__fd_is_sock(int fd)
{
    return srr__fd_handle(fd) >= 0;
}

static void fd_store(int fd, uint32_t v)
{
    _Atomic uint32_t *e = fd_slot(fd, v != FD_UNKNOWN);
    if (e)
        atomic_store_explicit(e, v, memory_order_relaxed);
}

void srr__fd_set_handle(int fd, int handle)
{
    fd_store(fd, ENTRY_HANDLE + (uint32_t)handle);
}

void srr__fd_set_sock(int fd)
{
    srr__fd_set_handle(fd, fd);
}

void srr__fd_set_plain(int fd)
{
    fd_store(fd, FD_PLAIN);
}

void srr__fd_set_internal(int fd)
{
    fd_store(fd, FD_INTERNAL);
}

int srr__fd_internal(int fd)
{
    _Atomic uint32_t *e = fd_slot(fd, 0);
    return e && atomic_load_explicit(e, memory_order_relaxed) == FD_INTERNAL;
}

void srr__fd_forget(int fd)
{
    fd_store(fd, FD_UNKNOWN);
}

void srr__fd_own_now_shared(void)
{
    for (unsigned p = 0; p < NPAGES; p++) {
        _Atomic uint32_t *page = atomic_load_explicit(&pages[p], memory_order_acquire);
        for (unsigned i = 0; page && i < PAGE_FDS; i++) {
            uint32_t want = FD_INTERNAL;
            atomic_compare_exchange_strong(&page[i], &want, FD_PLAIN);
        }
    }
}

void srr__fd_forget_range(unsigned first, unsigned last, void (*sock_closed)(int fd, int handle))
{
    /* only mapped pages can hold what the table knows: a close_range up to
     * ~0U walks the pages that exist, not four billion numbers */
    for (unsigned p = first >> PAGE_SHIFT; p < NPAGES && p <= (last >> PAGE_SHIFT); p++) {
        _Atomic uint32_t *page = atomic_load_explicit(&pages[p], memory_order_acquire);
        if (!page)
            continue;
        for (unsigned i = 0; i < PAGE_FDS; i++) {
            unsigned fd = (p << PAGE_SHIFT) | i;
            if (fd < first || fd > last)
                continue;
            uint32_t v = atomic_exchange_explicit(&page[i], FD_UNKNOWN, memory_order_relaxed);
            if (v >= ENTRY_HANDLE && sock_closed)
                sock_closed((int)fd, (int)(v - ENTRY_HANDLE));
        }
    }
}
