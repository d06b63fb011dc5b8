/*
 * forked.c — the world a forked child of a process gets when its parent's
 * world cannot follow it (the sim's and the replay's, until a hub joins the
 * processes of one run).  The child's copy of the parent's world would be a
 * network of its own, silently apart from the parent's: its connections
 * would reach nothing the parent sees, and the parent's peers would never
 * hear it.  So the child's socket and resolver calls are refused with
 * EOPNOTSUPP, and the first one has the host say why (srr_fork's say).  Its
 * clock goes on from the virtual time at fork, at the real pace.  A child
 * that execs starts a fresh world of its own (the preload loads again),
 * which is what a shell running one program needs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "forked.h"
#include "libc.h"

typedef struct forked_world {
    srr_world base;
    int64_t mono0, real0; /* virtual CLOCK_MONOTONIC at fork, and the real one */
    int64_t epoch;        /* virtual REALTIME minus virtual MONOTONIC */
    atomic_int told;
    const char *why;      /* the line the first refusal has the host say */
    void (*say)(const char *line);
} forked_world;

#define FW(w) ((forked_world *)(w))

static int64_t real_mono(void)
{
    struct timespec ts;
    srr__libc.clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int refuse(srr_world *w)
{
    if (!atomic_exchange(&FW(w)->told, 1) && FW(w)->say)
        FW(w)->say(FW(w)->why);
    return -EOPNOTSUPP;
}

static int fw_socket(srr_world *w, int d, int t, int p)
{
    (void)d, (void)t, (void)p;
    return refuse(w);
}
static int fw_socketpair(srr_world *w, int d, int t, int p, int sv[2])
{
    (void)d, (void)t, (void)p, (void)sv;
    return refuse(w);
}
static int fw_addr(srr_world *w, int s, const struct sockaddr *a, socklen_t l)
{
    (void)s, (void)a, (void)l;
    return refuse(w);
}
static int fw_int(srr_world *w, int s, int v)
{
    (void)s, (void)v;
    return refuse(w);
}
static int fw_accept4(srr_world *w, int s, struct sockaddr *a, socklen_t *l, int f)
{
    (void)s, (void)a, (void)l, (void)f;
    return refuse(w);
}
static ssize_t fw_sendmsg(srr_world *w, int s, const struct msghdr *m, int f)
{
    (void)s, (void)m, (void)f;
    return refuse(w);
}
static ssize_t fw_recvmsg(srr_world *w, int s, struct msghdr *m, int f)
{
    (void)s, (void)m, (void)f;
    return refuse(w);
}
static int fw_close(srr_world *w, int s)
{
    (void)w, (void)s;
    return 0; /* the placeholder goes; nothing to refuse */
}
static int fw_getsockopt(srr_world *w, int s, int l, int n, void *v, socklen_t *len)
{
    (void)s, (void)l, (void)n, (void)v, (void)len;
    return refuse(w);
}
static int fw_setsockopt(srr_world *w, int s, int l, int n, const void *v, socklen_t len)
{
    (void)s, (void)l, (void)n, (void)v, (void)len;
    return refuse(w);
}
static int fw_name(srr_world *w, int s, struct sockaddr *a, socklen_t *l)
{
    (void)s, (void)a, (void)l;
    return refuse(w);
}
static int fw_fcntl(srr_world *w, int s, int c, long a)
{
    (void)s, (void)c, (void)a;
    return refuse(w);
}
static int fw_ioctl(srr_world *w, int s, unsigned long r, void *a)
{
    (void)s, (void)r, (void)a;
    return refuse(w);
}
static int fw_poll(srr_world *w, struct pollfd *f, nfds_t n, int64_t t)
{
    (void)f, (void)n, (void)t;
    return refuse(w);
}
static int fw_getaddrinfo(srr_world *w, const char *node, const char *svc,
                          const struct addrinfo *h, struct addrinfo **res, int *sys)
{
    (void)node, (void)svc, (void)h;
    *res = NULL;
    *sys = -refuse(w);
    return EAI_SYSTEM;
}
static void fw_freeaddrinfo(srr_world *w, struct addrinfo *res)
{
    (void)w, (void)res; /* none is ever handed out */
}
static int fw_getnameinfo(srr_world *w, const struct sockaddr *sa, socklen_t salen, char *host,
                          socklen_t hl, char *serv, socklen_t sl, int flags, int *sys)
{
    (void)sa, (void)salen, (void)host, (void)hl, (void)serv, (void)sl, (void)flags;
    *sys = -refuse(w);
    return EAI_SYSTEM;
}
static int fw_byname(srr_world *w, const char *name, int af, struct hostent *ret, char *buf,
                     size_t len, struct hostent **result, int *herr)
{
    (void)name, (void)af, (void)ret, (void)buf, (void)len;
    refuse(w);
    *result = NULL;
    *herr = NO_RECOVERY;
    return 0;
}
static int fw_byaddr(srr_world *w, const void *a, socklen_t l, int t, struct hostent *ret,
                     char *buf, size_t len, struct hostent **result, int *herr)
{
    (void)a, (void)l, (void)t;
    return fw_byname(w, NULL, 0, ret, buf, len, result, herr);
}
static int fw_gethostname(srr_world *w, char *name, size_t len)
{
    (void)name, (void)len;
    return refuse(w);
}
static int fw_sethostname(srr_world *w, const char *name, size_t len)
{
    (void)name, (void)len;
    return refuse(w);
}
static int fw_if_nameindex(srr_world *w, struct if_nameindex **out)
{
    *out = NULL;
    return refuse(w);
}
static void fw_if_freenameindex(srr_world *w, struct if_nameindex *l)
{
    (void)w, (void)l;
}
static int64_t fw_now(srr_world *w, clockid_t clock)
{
    int64_t t = FW(w)->mono0 + (real_mono() - FW(w)->real0);
    return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE ? t + FW(w)->epoch : t;
}
static int fw_sleep(srr_world *w, clockid_t clock, int64_t ns)
{
    (void)w, (void)clock;
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    return -srr__libc.clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}
static const srr_world_ops forked_ops = {
    .version = SRR_WORLD_OPS_VERSION,
    .name = "sim-forked",
    .socket = fw_socket,
    .socketpair = fw_socketpair,
    .bind = fw_addr,
    .listen = fw_int,
    .accept4 = fw_accept4,
    .connect = fw_addr,
    .sendmsg = fw_sendmsg,
    .recvmsg = fw_recvmsg,
    .shutdown = fw_int,
    .close = fw_close,
    .getsockopt = fw_getsockopt,
    .setsockopt = fw_setsockopt,
    .getsockname = fw_name,
    .getpeername = fw_name,
    .fcntl = fw_fcntl,
    .ioctl = fw_ioctl,
    .poll = fw_poll,
    .getaddrinfo = fw_getaddrinfo,
    .freeaddrinfo = fw_freeaddrinfo,
    .getnameinfo = fw_getnameinfo,
    .gethostbyname2_r = fw_byname,
    .gethostbyaddr_r = fw_byaddr,
    .gethostname = fw_gethostname,
    .sethostname = fw_sethostname,
    .if_nameindex = fw_if_nameindex,
    .if_freenameindex = fw_if_freenameindex,
    .now = fw_now,
    .sleep = fw_sleep,
    .destroy = srr_world_free,
    .unsupported = srr_world_no_unsupported,
    .caps = SRR_CAP_OWN_HANDLES | SRR_CAP_HERMETIC, /* the parent's handles, refused */
    .control = srr_world_no_control,
};

srr_world *srr__world_forked(const srr_world_forked_from *from, void (*say)(const char *line))
{
    forked_world *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    srr_world_init(&f->base, &forked_ops);
    f->mono0 = from->mono;
    f->epoch = from->realtime - from->mono;
    f->real0 = real_mono();
    f->why = from->why;
    f->say = say;
    return &f->base;
}
