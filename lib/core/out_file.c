/*
 * out_file.c — the files sockrr writes (out_file.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
