#define _GNU_SOURCE /* AI_IDN, POLLRDHUP, MSG_* and SO_* extensions */
/*
 * show_socks.c — what `sockrr show` knows of each socket id (family, type,
 * addresses), learnt from the events as they stream past, and how a
 * descriptor is annotated with it (strace -yy's <TCP:[a->b]>).
 */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "show.h"
#include "show_names.h"

void show_socks_free(struct show_socks *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        free(t->slots[i].family);
        free(t->slots[i].stype);
        free(t->slots[i].local);
        free(t->slots[i].peer);
    }
    free(t->slots);
}

static size_t show_socks_hash(int64_t id, size_t cap)
{
    return (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 17) & (cap - 1);
}

static struct show_sock *show_socks_find(const struct show_socks *t, int64_t id)
{
    if (!t->cap)
        return NULL;
    for (size_t i = show_socks_hash(id, t->cap);; i = (i + 1) & (t->cap - 1)) {
        if (t->slots[i].id == id)
            return &t->slots[i];
        if (t->slots[i].id == 0)
            return NULL;
    }
}

/* The entry for id, created empty when new; NULL when out of memory. */
static struct show_sock *show_socks_get(struct show_socks *t, int64_t id)
{
    struct show_sock *s = show_socks_find(t, id);
    if (s)
        return s;
    if ((t->used + 1) * 4 > t->cap * 3) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        struct show_sock *n = calloc(ncap, sizeof *n);
        if (!n)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i].id)
                continue;
            size_t j = show_socks_hash(t->slots[i].id, ncap);
            while (n[j].id)
                j = (j + 1) & (ncap - 1);
            n[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = n;
        t->cap = ncap;
    }
    size_t i = show_socks_hash(id, t->cap);
    while (t->slots[i].id)
        i = (i + 1) & (t->cap - 1);
    t->slots[i].id = id;
    t->used++;
    return &t->slots[i];
}

/* Records what ev says about its sockets.  Runs before the event is printed:
 * the annotation shows the socket as the call left it, as strace -yy does. */
void show_learn(struct show_socks *t, const srr_json *ev)
{
    const char *op = show_str(ev, "op");
    const char *family = show_str(ev, "family"), *stype = show_str(ev, "stype");
    int64_t ret = show_int(ev, "ret");
    char fam[16] = "", typ[16] = "";
    if ((strcmp(op, "socket") == 0 || strcmp(op, "socketpair") == 0) && ret >= 0) {
        /* the members may be absent: the arguments say the same */
        const char *f = show_lookup(show_af.names, show_af.n, show_arg_int(ev, "domain"));
        const char *ty =
            show_lookup(show_socktype.names, show_socktype.n, show_arg_int(ev, "type") & 0xf);
        snprintf(fam, sizeof fam, "%s", f ? f : "");
        snprintf(typ, sizeof typ, "%s", ty ? ty : "");
        if (!family && fam[0])
            family = fam;
        if (!stype && typ[0])
            stype = typ;
    }
    if (strcmp(op, "socketpair") == 0 && ret >= 0) {
        const srr_json *socks = srr__json_get(ev, "socks");
        for (size_t i = 0; i < srr__json_size(socks); i++) {
            struct show_sock *s = show_socks_get(t, srr__json_int(srr__json_at(socks, i)));
            if (s) {
                show_set(&s->family, family);
                show_set(&s->stype, stype);
            }
        }
        return;
    }
    const srr_json *sock = srr__json_get(ev, "sock");
    if (!sock)
        return;
    struct show_sock *s = show_socks_get(t, srr__json_int(sock));
    if (!s)
        return;
    show_set(&s->family, family);
    show_set(&s->stype, stype);
    const srr_json *new_sock = srr__json_get(ev, "new_sock");
    int new_members = srr__json_get(ev, "new_local") || srr__json_get(ev, "new_peer");
    if (strcmp(op, "accept4") == 0 && new_sock) {
        /* docs/trace-format.md gives the new connection's addresses as
         * local/peer; the tap writes the listener's there and the new
         * connection's as new_local/new_peer.  Both read right. */
        struct show_sock *n = show_socks_get(t, srr__json_int(new_sock));
        if (!n)
            return;
        show_set(&n->family, s->family);
        show_set(&n->stype, s->stype);
        show_set(&n->local, show_str(ev, new_members ? "new_local" : "local"));
        show_set(&n->peer, show_str(ev, new_members ? "new_peer" : "peer"));
        if (!new_members)
            return;
    }
    show_set(&s->local, show_str(ev, "local"));
    show_set(&s->peer, show_str(ev, "peer"));
    if (show_int(ev, "ret") == 0 && strcmp(op, "getsockname") == 0)
        show_set(&s->local, show_str(ev, "addr"));
    if (show_int(ev, "ret") == 0 && strcmp(op, "getpeername") == 0)
        show_set(&s->peer, show_str(ev, "addr"));
}

static const char *show_label(const struct show_sock *s)
{
    static const struct {
        const char *family, *stype, *label;
    } labels[] = {
        {"AF_INET", "SOCK_STREAM", "TCP"},       {"AF_INET", "SOCK_DGRAM", "UDP"},
        {"AF_INET", "SOCK_RAW", "RAW"},          {"AF_INET6", "SOCK_STREAM", "TCPv6"},
        {"AF_INET6", "SOCK_DGRAM", "UDPv6"},     {"AF_INET6", "SOCK_RAW", "RAWv6"},
        {"AF_UNIX", "SOCK_STREAM", "UNIX-STREAM"}, {"AF_UNIX", "SOCK_DGRAM", "UNIX-DGRAM"},
        {"AF_UNIX", "SOCK_SEQPACKET", "UNIX-SEQPACKET"},
    };
    if (!s || !s->family || !s->stype)
        return "socket";
    for (size_t i = 0; i < COUNT(labels); i++)
        if (strcmp(s->family, labels[i].family) == 0 && strcmp(s->stype, labels[i].stype) == 0)
            return labels[i].label;
    return "socket";
}

/* "3<TCP:[127.0.0.1:40000->127.0.0.1:8080]>"; the socket id stands in for
 * strace's inode number while no address is known. */
void show_fd(FILE *out, const struct show_socks *t, int64_t fd, const srr_json *sock)
{
    fprintf(out, "%" PRId64, fd);
    if (!sock)
        return;
    int64_t id = srr__json_int(sock);
    const struct show_sock *s = show_socks_find(t, id);
    const char *local = s && s->local && s->local[0] ? s->local : NULL;
    const char *peer = s && s->peer && s->peer[0] ? s->peer : NULL;
    fprintf(out, "<%s:[", show_label(s));
    if (local)
        fputs(local, out);
    if (peer)
        fprintf(out, "->%s", peer);
    if (!local && !peer)
        fprintf(out, "%" PRId64, id);
    fputs("]>", out);
}

/* The event's own descriptor. */
void show_ev_fd(FILE *out, const struct show_socks *t, const srr_json *ev)
{
    show_fd(out, t, show_int(ev, "fd"), srr__json_get(ev, "sock"));
}
