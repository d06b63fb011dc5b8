/*
 * file_calls.c — the name service's files as the world gives them: a
 * program that opens /etc/resolv.conf, /etc/hosts, /etc/nsswitch.conf or
 * /etc/gai.conf to read gets the world's text (SRR_CTL_FILE) in a memfd of
 * its own, when the world has one (the sim: its DNS server and hosts);
 * every other open is libc's, untouched.  glibc reads these files inside
 * itself, unseen, but its resolver calls are the world's already; this is
 * for the programs that read them on their own (dig, host, c-ares).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "preload.h"

/* The world's text of path as a fresh descriptor (close-on-exec when
 * asked), or -1 when the machine's file stands (not one of the files, not
 * opened to read, no world, or the world keeps none); -2 with errno set
 * when the world's could not be made. */
static int file_of_world(const char *path, int flags)
{
    srr__preload_resolve(); /* another library's constructor may open before ours ran */
    if (!path || strncmp(path, "/etc/", 5) != 0 || (flags & O_ACCMODE) != O_RDONLY ||
        (flags & (O_CREAT | O_TRUNC | O_DIRECTORY | O_PATH)))
        return -1;
    static const char *const names[] = {"resolv.conf", "hosts", "nsswitch.conf", "gai.conf"};
    int ours = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ours |= strcmp(path + 5, names[i]) == 0;
    srr_world *w = ours ? srr__preload_world() : NULL;
    if (!w)
        return -1;
    int e = errno;
    srr_file f = {.path = path};
    int r = srr_world_control(w, SRR_CTL_FILE, &f);
    if (r == 0 || r == -ENOTTY) {
        errno = e;
        return -1;
    }
    if (r < 0) {
        errno = -r;
        return -2;
    }
    int fd = memfd_create(path + 5, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
    size_t done = 0;
    while (fd >= 0 && done < f.len) {
        ssize_t n = LIBC(write)(fd, f.text + done, f.len - done);
        if (n <= 0) {
            LIBC(close)(fd);
            fd = -1;
            break;
        }
        done += (size_t)n;
    }
    free(f.text);
    if (fd < 0)
        return -2;
    lseek(fd, 0, SEEK_SET);
    if (flags & O_NONBLOCK)
        LIBC(fcntl)(fd, F_SETFL, O_NONBLOCK);
    errno = e;
    return fd;
}

/* open's mode is there only with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, last)                                                                 \
    mode_t mode = 0;                                                                           \
    if ((flags) & (O_CREAT | __O_TMPFILE)) {                                                   \
        va_list ap;                                                                            \
        va_start(ap, last);                                                                    \
        mode = (mode_t)va_arg(ap, int);                                                        \
        va_end(ap);                                                                            \
    }

#define WORLD_FILE_OR(path, flags, otherwise)                                                  \
    int fd_ = file_of_world((path), (flags));                                                  \
    if (fd_ != -1)                                                                             \
        return fd_ == -2 ? -1 : fd_;                                                           \
    return (otherwise);

int open(const char *path, int flags, ...)
{
    OPEN_MODE(flags, flags)
    WORLD_FILE_OR(path, flags, REAL(open)(path, flags, mode))
}

int open64(const char *path, int flags, ...)
{
    OPEN_MODE(flags, flags)
    WORLD_FILE_OR(path, flags, REAL(open64)(path, flags, mode))
}

int openat(int dirfd, const char *path, int flags, ...)
{
    OPEN_MODE(flags, flags)
    WORLD_FILE_OR(path, flags, REAL(openat)(dirfd, path, flags, mode))
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    OPEN_MODE(flags, flags)
    WORLD_FILE_OR(path, flags, REAL(openat64)(dirfd, path, flags, mode))
}

/* the fortified forms (_FORTIFY_SOURCE), which carry no mode */
int __open_2(const char *path, int flags)
{
    WORLD_FILE_OR(path, flags, REAL(__open_2)(path, flags))
}

int __open64_2(const char *path, int flags)
{
    WORLD_FILE_OR(path, flags, REAL(__open64_2)(path, flags))
}

int __openat_2(int dirfd, const char *path, int flags)
{
    WORLD_FILE_OR(path, flags, REAL(__openat_2)(dirfd, path, flags))
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    WORLD_FILE_OR(path, flags, REAL(__openat64_2)(dirfd, path, flags))
}

/* fopen's mode to open's flags, for the files above: "r" and "re" read. */
static int file_flags(const char *mode)
{
    if (!mode || mode[0] != 'r' || strchr(mode, '+'))
        return O_WRONLY;
    return O_RDONLY | (strchr(mode, 'e') ? O_CLOEXEC : 0);
}

static FILE *file_open(const char *path, const char *mode, FILE *(*real)(const char *, const char *))
{
    int fd = file_of_world(path, file_flags(mode));
    if (fd == -1)
        return real(path, mode);
    if (fd == -2)
        return NULL;
    FILE *f = REAL(fdopen)(fd, mode);
    if (!f) {
        int e = errno;
        LIBC(close)(fd);
        errno = e;
    }
    return f;
}

/* libselinux's constructor reads /proc with fopen before ours ran: the
 * table is resolved before the real function is taken from it */
FILE *fopen(const char *path, const char *mode)
{
    srr__preload_resolve();
    return file_open(path, mode, REAL(fopen));
}

FILE *fopen64(const char *path, const char *mode)
{
    srr__preload_resolve();
    return file_open(path, mode, REAL(fopen64));
}
