/*
 * path_calls.c — paths where the world keeps AF_UNIX socket names of its
 * own (the sim's, which are no files): a program's unlink, stat, access,
 * chmod and chown of such a path are the world's (SRR_CTL_PATH_*), so a
 * server that removes its old socket before it binds, or checks that it is
 * there, sees what Linux would show it.  Every other path, and every path
 * under a world without names (record's kernel, replay), is libc's.
 * Names compare as written: an *at call with a directory descriptor other
 * than AT_FDCWD and a relative path is always libc's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

/* 1 when the world holds a name at path and did op on it, 0 when the
 * machine's path stands (errno kept either way). */
static int world_path(int op, int dirfd, srr_path *p)
{
    srr__preload_resolve(); /* another library's constructor may stat before ours ran */
    if (!p->path || (dirfd != AT_FDCWD && p->path[0] != '/'))
        return 0;
    srr_world *w = srr__preload_world_if_ready();
    if (!w)
        return 0;
    int e = errno;
    int r = srr_world_control(w, op, p);
    errno = e;
    return r == 1;
}

/* ------------------------------------------------------------ unlink */

static int world_unlink(int dirfd, const char *path)
{
    srr_path p = {.path = path};
    return world_path(SRR_CTL_PATH_UNLINK, dirfd, &p);
}

int unlink(const char *path)
{
    return world_unlink(AT_FDCWD, path) ? 0 : REAL(unlink)(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
    if (!(flags & AT_REMOVEDIR) && world_unlink(dirfd, path))
        return 0;
    return REAL(unlinkat)(dirfd, path, flags);
}

/* glibc's remove calls its own unlink, past the interposer */
int remove(const char *path)
{
    return world_unlink(AT_FDCWD, path) ? 0 : REAL(remove)(path);
}

/* -------------------------------------------------------------- stat */

/* 1 with *st the world's name at path, 0 the machine's */
static int world_stat(int dirfd, const char *path, struct stat *st)
{
    srr_path p = {.path = path};
    if (!world_path(SRR_CTL_PATH_STAT, dirfd, &p))
        return 0;
    *st = p.st;
    return 1;
}

int stat(const char *path, struct stat *st)
{
    return world_stat(AT_FDCWD, path, st) ? 0 : REAL(stat)(path, st);
}

int lstat(const char *path, struct stat *st)
{
    return world_stat(AT_FDCWD, path, st) ? 0 : REAL(lstat)(path, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    return world_stat(dirfd, path, st) ? 0 : REAL(fstatat)(dirfd, path, st, flags);
}

/* on x86_64 and aarch64 struct stat64 is struct stat */
int stat64(const char *path, struct stat64 *st)
{
    return world_stat(AT_FDCWD, path, (struct stat *)st) ? 0 : REAL(stat64)(path, st);
}

int lstat64(const char *path, struct stat64 *st)
{
    return world_stat(AT_FDCWD, path, (struct stat *)st) ? 0 : REAL(lstat64)(path, st);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
    return world_stat(dirfd, path, (struct stat *)st) ? 0
                                                        : REAL(fstatat64)(dirfd, path, st, flags);
}

/* the names programs built against glibc before 2.33 call */
int __xstat(int ver, const char *path, struct stat *st)
{
    return world_stat(AT_FDCWD, path, st) ? 0 : REAL(__xstat)(ver, path, st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
    return world_stat(AT_FDCWD, path, st) ? 0 : REAL(__lxstat)(ver, path, st);
}

int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
    return world_stat(dirfd, path, st) ? 0 : REAL(__fxstatat)(ver, dirfd, path, st, flags);
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
    return world_stat(AT_FDCWD, path, (struct stat *)st) ? 0 : REAL(__xstat64)(ver, path, st);
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
    return world_stat(AT_FDCWD, path, (struct stat *)st) ? 0 : REAL(__lxstat64)(ver, path, st);
}

int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
    return world_stat(dirfd, path, (struct stat *)st)
               ? 0
               : REAL(__fxstatat64)(ver, dirfd, path, st, flags);
}

static void statx_of(const struct stat *st, unsigned mask, struct statx *x)
{
    (void)mask; /* the kernel may give more than was asked, and says so */
    memset(x, 0, sizeof *x);
    x->stx_mask = STATX_BASIC_STATS;
    x->stx_blksize = (unsigned)st->st_blksize;
    x->stx_nlink = (unsigned)st->st_nlink;
    x->stx_uid = st->st_uid;
    x->stx_gid = st->st_gid;
    x->stx_mode = (unsigned short)st->st_mode;
    x->stx_ino = st->st_ino;
    x->stx_atime.tv_sec = st->st_atim.tv_sec;
    x->stx_atime.tv_nsec = (unsigned)st->st_atim.tv_nsec;
    x->stx_mtime.tv_sec = st->st_mtim.tv_sec;
    x->stx_mtime.tv_nsec = (unsigned)st->st_mtim.tv_nsec;
    x->stx_ctime.tv_sec = st->st_ctim.tv_sec;
    x->stx_ctime.tv_nsec = (unsigned)st->st_ctim.tv_nsec;
    x->stx_dev_major = major(st->st_dev);
    x->stx_dev_minor = minor(st->st_dev);
}

/* AT_EMPTY_PATH with "" (or NULL): the descriptor itself, no path */
static int names_fd(int flags, const char *path)
{
    return (flags & AT_EMPTY_PATH) && (!path || !path[0]);
}

int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *x)
{
    struct stat st;
    if (!names_fd(flags, path) && world_stat(dirfd, path, &st)) {
        statx_of(&st, mask, x);
        return 0;
    }
    return REAL(statx)(dirfd, path, flags, mask, x);
}

/* ------------------------------------------------------------ access */

/* 1 with *r the answer for the world's name at path, 0 the machine's:
 * the owner's bits, or everything for root, as the kernel checks */
static int world_access(int dirfd, const char *path, int mode, int *r)
{
    struct stat st;
    if (!world_stat(dirfd, path, &st))
        return 0;
    unsigned bits = geteuid() == 0 ? 07 : (st.st_mode >> 6) & 07;
    if (geteuid() == 0 && (mode & X_OK))
        bits = (st.st_mode & 0111) ? 07 : 06;
    *r = 0;
    if ((unsigned)mode & ~bits & 07) {
        errno = EACCES;
        *r = -1;
    }
    return 1;
}

int access(const char *path, int mode)
{
    int r;
    return world_access(AT_FDCWD, path, mode, &r) ? r : REAL(access)(path, mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
    int r;
    return world_access(dirfd, path, mode, &r) ? r : REAL(faccessat)(dirfd, path, mode, flags);
}

/* ------------------------------------------------------ chmod, chown */

static int world_chmod(int dirfd, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    srr_path p = {.path = path, .mode = mode, .uid = uid, .gid = gid};
    return world_path(SRR_CTL_PATH_CHMOD, dirfd, &p);
}

int chmod(const char *path, mode_t mode)
{
    return world_chmod(AT_FDCWD, path, mode, (uid_t)-1, (gid_t)-1) ? 0 : REAL(chmod)(path, mode);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
    if (world_chmod(dirfd, path, mode, (uid_t)-1, (gid_t)-1))
        return 0;
    return REAL(fchmodat)(dirfd, path, mode, flags);
}

int chown(const char *path, uid_t uid, gid_t gid)
{
    return world_chmod(AT_FDCWD, path, (mode_t)-1, uid, gid) ? 0 : REAL(chown)(path, uid, gid);
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
    return world_chmod(AT_FDCWD, path, (mode_t)-1, uid, gid) ? 0 : REAL(lchown)(path, uid, gid);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
    if (world_chmod(dirfd, path, (mode_t)-1, uid, gid))
        return 0;
    return REAL(fchownat)(dirfd, path, uid, gid, flags);
}

/* ----------------------------------------------------------- syscall */

int srr__syscall_path(long n, const long *a, long *r)
{
#define I(k) ((int)a[k])
#define S(k) ((const char *)a[k])
#define ANSWER(call) (*r = (call), 1)
    switch (n) {
    case SYS_unlink: return world_unlink(AT_FDCWD, S(0)) && ANSWER(0);
    case SYS_unlinkat: return !(I(2) & AT_REMOVEDIR) && world_unlink(I(0), S(1)) && ANSWER(0);
    case SYS_stat:
    case SYS_lstat: return world_stat(AT_FDCWD, S(0), (struct stat *)a[1]) && ANSWER(0);
    case SYS_newfstatat: return world_stat(I(0), S(1), (struct stat *)a[2]) && ANSWER(0);
    case SYS_statx: {
        struct stat st;
        if (names_fd(I(2), S(1)) || !world_stat(I(0), S(1), &st))
            return 0;
        statx_of(&st, (unsigned)a[3], (struct statx *)a[4]);
        return ANSWER(0);
    }
    case SYS_access: {
        int x;
        return world_access(AT_FDCWD, S(0), I(1), &x) && ANSWER(x);
    }
    case SYS_faccessat:
    case SYS_faccessat2: {
        int x;
        return world_access(I(0), S(1), I(2), &x) && ANSWER(x);
    }
    case SYS_chmod: return world_chmod(AT_FDCWD, S(0), (mode_t)a[1], (uid_t)-1, (gid_t)-1) && ANSWER(0);
    case SYS_fchmodat:
        return world_chmod(I(0), S(1), (mode_t)a[2], (uid_t)-1, (gid_t)-1) && ANSWER(0);
    default: return 0;
    }
#undef I
#undef S
#undef ANSWER
}
