/*
 * fdtab.c — what the interposer knows of each descriptor number: unknown,
 * a plain descriptor (file, pipe, terminal) or a socket of the world.
 *
 * It grows lazily in pages of 4096 entries, each allocated with mmap (safe
 * in a signal handler, unlike malloc) the first time a descriptor in its
 * range is seen, so a process that never goes past fd 20 maps one page;
 * socket_wrapper's eager 65 535-entry table is what this avoids.  Readers
 * take no lock: an entry is one byte, a page pointer is published once.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "preload.h"

enum { FD_UNKNOWN = 0, FD_PLAIN = 1, FD_SOCK = 2 };

#define PAGE_SHIFT 12
#define PAGE_FDS (1 << PAGE_SHIFT)
#define NPAGES 1024 /* 4 M descriptors; beyond that every look asks fstat */

static _Atomic(_Atomic unsigned char *) pages[NPAGES];

/* The entry of fd, its page mapped on first use; NULL past the table's
 * end or when mmap fails (the caller then asks fstat every time). */
static _Atomic unsigned char *fd_slot(int fd, int create)
{
    if (fd < 0 || (fd >> PAGE_SHIFT) >= NPAGES)
        return NULL;
    _Atomic(_Atomic unsigned char *) *pp = &pages[fd >> PAGE_SHIFT];
    _Atomic unsigned char *page = atomic_load_explicit(pp, memory_order_acquire);
    if (!page && create) {
        void *m = mmap(NULL, PAGE_FDS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        _Atomic unsigned char *want = NULL;
        if (atomic_compare_exchange_strong(pp, &want, (_Atomic unsigned char *)m)) {
            page = m;
        } else {
            munmap(m, PAGE_FDS); /* another thread mapped it first */
            page = want;
        }
    }
    return page ? &page[fd & (PAGE_FDS - 1)] : NULL;
}

static int fd_probe(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return FD_UNKNOWN; /* not open: decide when it is */
    return S_ISSOCK(st.st_mode) ? FD_SOCK : FD_PLAIN;
}

int srr__fd_is_sock(int fd)
{
    _Atomic unsigned char *e = fd_slot(fd, 1);
    int v = e ? atomic_load_explicit(e, memory_order_relaxed) : FD_UNKNOWN;
    if (v == FD_UNKNOWN) {
        v = fd_probe(fd);
        if (e && v != FD_UNKNOWN)
            atomic_store_explicit(e, (unsigned char)v, memory_order_relaxed);
    }
    return v == FD_SOCK;
}

static void fd_store(int fd, int v)
{
    _Atomic unsigned char *e = fd_slot(fd, v != FD_UNKNOWN);
    if (e)
        atomic_store_explicit(e, (unsigned char)v, memory_order_relaxed);
}

void srr__fd_set_sock(int fd)
{
    fd_store(fd, FD_SOCK);
}

void srr__fd_set_plain(int fd)
{
    fd_store(fd, FD_PLAIN);
}

void srr__fd_forget(int fd)
{
    fd_store(fd, FD_UNKNOWN);
}

void srr__fd_forget_range(unsigned first, unsigned last, void (*sock_closed)(int fd))
{
    /* only mapped pages can hold what the table knows: a close_range up to
     * ~0U walks the pages that exist, not four billion numbers */
    for (unsigned p = first >> PAGE_SHIFT; p < NPAGES && p <= (last >> PAGE_SHIFT); p++) {
        _Atomic unsigned char *page = atomic_load_explicit(&pages[p], memory_order_acquire);
        if (!page)
            continue;
        for (unsigned i = 0; i < PAGE_FDS; i++) {
            unsigned fd = (p << PAGE_SHIFT) | i;
            if (fd < first || fd > last)
                continue;
            if (atomic_exchange_explicit(&page[i], FD_UNKNOWN, memory_order_relaxed) == FD_SOCK &&
                sock_closed)
                sock_closed((int)fd);
        }
    }
}
