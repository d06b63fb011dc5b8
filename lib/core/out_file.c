/*
 * out_file.c — the files sockrr writes (out_file.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libc.h"
#include "out_file.h"

int srr__out_open(const char *path)
{
    /* no O_TRUNC: a file that cannot be made private is left as it was */
    int fd = srr__libc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    /* O_CREAT's mode counts only for a new file, and after the umask */
    struct stat st;
    int r = 0;
    if (fstat(fd, &st) < 0)
        r = -errno;
    else if (S_ISREG(st.st_mode) &&
             (((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) || ftruncate(fd, 0) < 0))
        r = -errno;
    if (r < 0) {
        srr__libc.close(fd);
        return r;
    }
    return fd;
}

/* path with its directory resolved, into out; the path as given when the
 * directory does not resolve. */
static void same_abspath(const char *path, char *out, size_t len)
{
    char dir[PATH_MAX], base[PATH_MAX], real[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    snprintf(base, sizeof base, "%s", path);
    if (realpath(dirname(dir), real))
        snprintf(out, len, "%s/%s", strcmp(real, "/") == 0 ? "" : real, basename(base));
    else
        snprintf(out, len, "%s", path);
}

int srr__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
    if (ha && hb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ha != hb)
        return 0;
    char pa[PATH_MAX + 1], pb[PATH_MAX + 1];
    same_abspath(a, pa, sizeof pa);
    same_abspath(b, pb, sizeof pb);
    return strcmp(pa, pb) == 0;
}
