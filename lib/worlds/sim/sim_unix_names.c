/*
 * sim_unix_names.c — the filesystem names of AF_UNIX sockets, as Linux's
 * socket files behave: bind makes the name, and it stays after its socket
 * closes, taken (EADDRINUSE) and refusing (ECONNREFUSED), until unlinked.
 * An unlinked name is free again while its socket lives on unreachable.
 *
 * The names are the world's alone, never files on the machine: a sim run
 * leaves nothing behind, and the C API's tests bind the same path in world
 * after world.  The interposer asks here for the program's unlink, stat,
 * access and chmod of a path (SRR_CTL_PATH_*); a path the world holds no
 * name at is the machine's.  Names compare as written: a relative name is
 * not resolved against a working directory the world does not know.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "busy.h"
#include "grow.h"
#include "sim.h"

struct sim_unix_name {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
    sim_sock *k;       /* the socket bound to it, NULL once closed */
    mode_t mode;       /* permission bits (chmod) */
    uid_t uid;
    gid_t gid;
    int64_t made;      /* virtual CLOCK_REALTIME at bind, ns */
    int64_t changed;   /* at the last chmod or chown */
    uint64_t ino;
};

static sim_unix_name *name_at(sim_world *s, const char *path)
{
    for (size_t i = 0; i < s->nnames; i++)
        if (strcmp(s->names[i].path, path) == 0)
            return &s->names[i];
    return NULL;
}

/* A filesystem name's path out of a socket address (NULL: abstract or
 * unnamed), as unix_mkname reads it: up to its NUL or the address's end. */
static const char *addr_path(const struct sockaddr *sa, socklen_t len, char *buf)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
    size_t off = offsetof(struct sockaddr_un, sun_path);
    if (sa->sa_family != AF_UNIX || len <= off || un->sun_path[0] == '\0')
        return NULL;
    size_t n = strnlen(un->sun_path, len - off);
    memcpy(buf, un->sun_path, n);
    buf[n] = '\0';
    return buf;
}

/* The process's umask, read without changing it (umask(2) sets as it
 * reads, a race with another thread's open); 022 when it cannot be read. */
static mode_t process_umask(void)
{
    mode_t mask = 022;
    FILE *f = fopen("/proc/self/status", "re");
    char line[128];
    unsigned m;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Umask: %o", &m) == 1) {
            mask = (mode_t)m & 0777;
            break;
        }
    if (f)
        fclose(f);
    return mask;
}

int srr__sim_unix_name_taken(sim_world *s, const struct sockaddr *sa, socklen_t len)
{
    char buf[sizeof(((sim_unix_name *)0)->path)];
    const char *path = addr_path(sa, len, buf);
    return path && name_at(s, path) != NULL;
}

int srr__sim_unix_name_make(sim_world *s, sim_sock *k)
{
    char buf[sizeof(((sim_unix_name *)0)->path)];
    const char *path = addr_path((const struct sockaddr *)&k->local, k->local_len, buf);
    if (!path)
        return 0;
    if (srr__grow((void **)&s->names, &s->capnames, s->nnames + 1, sizeof *s->names) < 0)
        return -ENOMEM;
    sim_unix_name *n = &s->names[s->nnames++];
    memset(n, 0, sizeof *n);
    strcpy(n->path, path);
    n->k = k;
    n->mode = 0777 & ~process_umask(); /* unix_bind: S_IFSOCK | 0777, less the umask */
    n->uid = geteuid();
    n->gid = getegid();
    n->made = n->changed = srr__sim_clock(s, CLOCK_REALTIME);
    n->ino = ++s->name_inos;
    k->fs_name = 1;
    return 0;
}

int srr__sim_unix_name_lookup(sim_world *s, const struct sockaddr *sa, socklen_t len,
                              sim_sock **k)
{
    char buf[sizeof(((sim_unix_name *)0)->path)];
    const char *path = addr_path(sa, len, buf);
    sim_unix_name *n = path ? name_at(s, path) : NULL;
    if (!n)
        return 0;
    *k = n->k;
    return 1;
}

void srr__sim_unix_name_closed(sim_world *s, sim_sock *k)
{
    if (!k->fs_name)
        return;
    for (size_t i = 0; i < s->nnames; i++)
        if (s->names[i].k == k)
            s->names[i].k = NULL;
}

void srr__sim_unix_names_free(sim_world *s)
{
    free(s->names);
    s->names = NULL;
    s->nnames = s->capnames = 0;
}

static int path_unlink(sim_world *s, const char *path)
{
    sim_unix_name *n = name_at(s, path);
    if (!n)
        return 0;
    if (n->k)
        n->k->fs_name = 0; /* bound still, reachable no more */
    *n = s->names[--s->nnames];
    return 1;
}

static int path_stat(sim_world *s, srr_path *p)
{
    const sim_unix_name *n = name_at(s, p->path);
    if (!n)
        return 0;
    struct stat *st = &p->st;
    memset(st, 0, sizeof *st);
    st->st_dev = 0x5eed; /* one device for the world's names */
    st->st_ino = (ino_t)n->ino;
    st->st_mode = S_IFSOCK | n->mode;
    st->st_nlink = 1;
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    st->st_blksize = 4096;
    st->st_atim.tv_sec = st->st_mtim.tv_sec = (time_t)(n->made / 1000000000);
    st->st_atim.tv_nsec = st->st_mtim.tv_nsec = (long)(n->made % 1000000000);
    st->st_ctim.tv_sec = (time_t)(n->changed / 1000000000);
    st->st_ctim.tv_nsec = (long)(n->changed % 1000000000);
    return 1;
}

static int path_chmod(sim_world *s, srr_path *p)
{
    sim_unix_name *n = name_at(s, p->path);
    if (!n)
        return 0;
    /* chmod_common/chown_common: the owner (or root) changes the mode; only
     * root gives the file away, or a group it is not in */
    uid_t me = geteuid();
    if (me != 0 && ((p->mode != (mode_t)-1 && me != n->uid) ||
                    (p->uid != (uid_t)-1 && p->uid != n->uid) ||
                    (p->gid != (gid_t)-1 && (me != n->uid || (p->gid != getegid() &&
                                                              !group_member(p->gid)))))) {
        p->error = EPERM;
        return 1;
    }
    if (p->mode != (mode_t)-1)
        n->mode = p->mode & 07777;
    if (p->uid != (uid_t)-1)
        n->uid = p->uid;
    if (p->gid != (gid_t)-1)
        n->gid = p->gid;
    n->changed = srr__sim_clock(s, CLOCK_REALTIME);
    return 1;
}

int srr__sim_unix_path_control(sim_world *s, int op, srr_path *p)
{
    if (!p->path || !p->path[0] || strlen(p->path) >= sizeof(((sim_unix_name *)0)->path))
        return 0;
    srr__busy++; /* what the world calls meanwhile is libc's */
    pthread_mutex_lock(&s->vt.lock);
    int r = op == SRR_CTL_PATH_UNLINK  ? path_unlink(s, p->path)
            : op == SRR_CTL_PATH_STAT  ? path_stat(s, p)
                                       : path_chmod(s, p);
    pthread_mutex_unlock(&s->vt.lock);
    srr__busy--;
    return r;
}
