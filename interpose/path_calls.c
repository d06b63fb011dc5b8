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

#include "busy.h"
#include "preload.h"

/* 1 when the world holds a name at path and did op on it, 0 when the
 * machine's path stands (errno kept either way). */
static int world_path(int op, int dirfd, srr_path *p)
{
    srr__preload_resolve(); /* another library's constructor may stat before ours ran */
    if (!p->path || (dirfd != AT_FDCWD && p->path[0] != '/') || srr__busy)
        return 0; /* inside the world (a signal handler's unlink there): libc's */
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
    srr__preload_resolve();
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
    srr__preload_resolve();
    struct stat st;
    if (!names_fd(flags, path) && world_stat(dirfd, path, &st)) {
        statx_of(&st, mask, x);
        return 0;
    }
    return REAL(statx)(dirfd, path, flags, mask, x);
}

/* ------------------------------------------------------------ access */

/* 1 with *r the answer for the world's name at path, 0 the machine's, as
 * the kernel checks (do_faccessat, generic_permission): the real ids, or
 * the effective ones with AT_EACCESS; the owner's, the group's or the
 * others' bits; root may read and write anything, and execute what anyone
 * may. */
static int world_access(int dirfd, const char *path, int mode, int flags, int *r)
{
    struct stat st;
    if (!world_stat(dirfd, path, &st))
        return 0;
    *r = -1;
    if (mode & ~(R_OK | W_OK | X_OK)) {
        errno = EINVAL;
        return 1;
    }
    uid_t uid = (flags & AT_EACCESS) ? geteuid() : getuid();
    gid_t gid = (flags & AT_EACCESS) ? getegid() : getgid();
    unsigned bits;
    if (uid == 0)
        bits = R_OK | W_OK | ((st.st_mode & 0111) ? X_OK : 0);
    else if (uid == st.st_uid)
        bits = (st.st_mode >> 6) & 07;
    else if (gid == st.st_gid || group_member(st.st_gid))
        bits = (st.st_mode >> 3) & 07;
    else
        bits = st.st_mode & 07;
    if ((unsigned)mode & ~bits) {
        errno = EACCES;
        return 1;
    }
    *r = 0;
    return 1;
}

int access(const char *path, int mode)
{
    int r;
    return world_access(AT_FDCWD, path, mode, 0, &r) ? r : REAL(access)(path, mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
    int r;
    return world_access(dirfd, path, mode, flags, &r) ? r
                                                      : REAL(faccessat)(dirfd, path, mode, flags);
}

/* ------------------------------------------------------ chmod, chown */

/* 1 with *r the answer (EPERM from the world as -1 and errno), 0 libc's */
static int world_chmod(int dirfd, const char *path, mode_t mode, uid_t uid, gid_t gid, int *r)
{
    srr_path p = {.path = path, .mode = mode, .uid = uid, .gid = gid};
    if (!world_path(SRR_CTL_PATH_CHMOD, dirfd, &p))
        return 0;
    *r = p.error ? -1 : 0;
    if (p.error)
        errno = p.error;
    return 1;
}

int chmod(const char *path, mode_t mode)
{
    int r;
    return world_chmod(AT_FDCWD, path, mode, (uid_t)-1, (gid_t)-1, &r) ? r
                                                                        : REAL(chmod)(path, mode);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
    int r;
    if (world_chmod(dirfd, path, mode, (uid_t)-1, (gid_t)-1, &r))
        return r;
    return REAL(fchmodat)(dirfd, path, mode, flags);
}

int chown(const char *path, uid_t uid, gid_t gid)
{
    int r;
    return world_chmod(AT_FDCWD, path, (mode_t)-1, uid, gid, &r) ? r : REAL(chown)(path, uid, gid);
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
    int r;
    return world_chmod(AT_FDCWD, path, (mode_t)-1, uid, gid, &r) ? r : REAL(lchown)(path, uid, gid);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
    int r;
    if (world_chmod(dirfd, path, (mode_t)-1, uid, gid, &r))
        return r;
    return REAL(fchownat)(dirfd, path, uid, gid, flags);
}

/* ----------------------------------------------------------- syscall */

int srr__syscall_path(long n, const long *a, long *r)
{
#define I(k) ((int)a[k])
#define S(k) ((const char *)a[k])
#define ANSWER(call) (*r = (call), 1)
    switch (n) {
#ifdef SYS_unlink /* x86_64 has the old calls; aarch64 only their *at forms */
    case SYS_unlink: return world_unlink(AT_FDCWD, S(0)) && ANSWER(0);
    case SYS_stat:
    case SYS_lstat: return world_stat(AT_FDCWD, S(0), (struct stat *)a[1]) && ANSWER(0);
    case SYS_access: {
        int x;
        return world_access(AT_FDCWD, S(0), I(1), 0, &x) && ANSWER(x);
    }
    case SYS_chmod: {
        int x;
        return world_chmod(AT_FDCWD, S(0), (mode_t)a[1], (uid_t)-1, (gid_t)-1, &x) && ANSWER(x);
    }
#endif
    case SYS_unlinkat: return !(I(2) & AT_REMOVEDIR) && world_unlink(I(0), S(1)) && ANSWER(0);
    case SYS_newfstatat: return world_stat(I(0), S(1), (struct stat *)a[2]) && ANSWER(0);
    case SYS_statx: {
        struct stat st;
        if (names_fd(I(2), S(1)) || !world_stat(I(0), S(1), &st))
            return 0;
        statx_of(&st, (unsigned)a[3], (struct statx *)a[4]);
        return ANSWER(0);
    }
    case SYS_faccessat: {
        int x;
        return world_access(I(0), S(1), I(2), 0, &x) && ANSWER(x);
    }
    case SYS_faccessat2: {
        int x;
        return world_access(I(0), S(1), I(2), I(3), &x) && ANSWER(x);
    }
    case SYS_fchmodat: {
        int x;
        return world_chmod(I(0), S(1), (mode_t)a[2], (uid_t)-1, (gid_t)-1, &x) && ANSWER(x);
    }
    default: return 0;
    }
#undef I
#undef S
#undef ANSWER
}
