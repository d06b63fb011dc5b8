#define _GNU_SOURCE /* AI_IDN, POLLRDHUP, MSG_* and SO_* extensions */
/*
 * cmd_show.c — `sockrr show TRACE`: one line per event in the manner of
 * `strace -yy`: descriptors annotated with protocol and addresses, constants
 * by name, errno by name and message, payloads as short C-escaped previews
 * (-x: a full hex dump under the line).
 *
 * Constants by name come from show_names.c.  Divisions, top to bottom:
 *   sockets   what is known of each socket id (family, type, addresses),
 *             learnt from the events as they stream past
 *   values    strings, payload previews, hex dumps, return values
 *   ops       one printer per op, in one table
 *   command   options, filters, the event loop
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "cli.h"
#include "show_names.h"
#include "sockrr.h"
#include "trace.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ----------------------------------------------------------- sockets */

/* What is known of one socket id; strings owned, NULL when unknown. */
struct show_sock {
    json_int_t id; /* 0: free slot */
    char *family, *stype, *local, *peer;
};

/* Open addressing by socket id: ids are small and dense, but a trace may
 * name any number, so no array indexed by id. */
struct show_socks {
    struct show_sock *slots;
    size_t cap, used;
};

static void show_socks_free(struct show_socks *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        free(t->slots[i].family);
        free(t->slots[i].stype);
        free(t->slots[i].local);
        free(t->slots[i].peer);
    }
    free(t->slots);
}

static size_t show_socks_hash(json_int_t id, size_t cap)
{
    return (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 17) & (cap - 1);
}

static struct show_sock *show_socks_find(const struct show_socks *t, json_int_t id)
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
static struct show_sock *show_socks_get(struct show_socks *t, json_int_t id)
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

static void show_set(char **slot, const char *value)
{
    if (!value)
        return;
    char *copy = strdup(value);
    if (!copy)
        return; /* an annotation is lost, nothing else */
    free(*slot);
    *slot = copy;
}

static const char *show_str(const json_t *ev, const char *key)
{
    return json_string_value(json_object_get(ev, key));
}

static json_int_t show_int(const json_t *ev, const char *key)
{
    return json_integer_value(json_object_get(ev, key));
}

static const json_t *show_arg(const json_t *ev, const char *key)
{
    return json_object_get(json_object_get(ev, "args"), key);
}

static json_int_t show_arg_int(const json_t *ev, const char *key)
{
    return json_integer_value(show_arg(ev, key));
}

/* Records what ev says about its sockets.  Runs before the event is printed:
 * the annotation shows the socket as the call left it, as strace -yy does. */
static void show_learn(struct show_socks *t, const json_t *ev)
{
    const char *op = show_str(ev, "op");
    const char *family = show_str(ev, "family"), *stype = show_str(ev, "stype");
    json_int_t ret = show_int(ev, "ret");
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
        const json_t *socks = json_object_get(ev, "socks");
        for (size_t i = 0; i < json_array_size(socks); i++) {
            struct show_sock *s = show_socks_get(t, json_integer_value(json_array_get(socks, i)));
            if (s) {
                show_set(&s->family, family);
                show_set(&s->stype, stype);
            }
        }
        return;
    }
    const json_t *sock = json_object_get(ev, "sock");
    if (!sock)
        return;
    struct show_sock *s = show_socks_get(t, json_integer_value(sock));
    if (!s)
        return;
    show_set(&s->family, family);
    show_set(&s->stype, stype);
    const json_t *new_sock = json_object_get(ev, "new_sock");
    int new_members = json_object_get(ev, "new_local") || json_object_get(ev, "new_peer");
    if (strcmp(op, "accept4") == 0 && new_sock) {
        /* docs/trace-format.md gives the new connection's addresses as
         * local/peer; the tap writes the listener's there and the new
         * connection's as new_local/new_peer.  Both read right. */
        struct show_sock *n = show_socks_get(t, json_integer_value(new_sock));
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
static void show_fd(FILE *out, const struct show_socks *t, json_int_t fd, const json_t *sock)
{
    fprintf(out, "%" JSON_INTEGER_FORMAT, fd);
    if (!sock)
        return;
    json_int_t id = json_integer_value(sock);
    const struct show_sock *s = show_socks_find(t, id);
    const char *local = s && s->local && s->local[0] ? s->local : NULL;
    const char *peer = s && s->peer && s->peer[0] ? s->peer : NULL;
    fprintf(out, "<%s:[", show_label(s));
    if (local)
        fputs(local, out);
    if (peer)
        fprintf(out, "->%s", peer);
    if (!local && !peer)
        fprintf(out, "%" JSON_INTEGER_FORMAT, id);
    fputs("]>", out);
}

/* The event's own descriptor. */
static void show_ev_fd(FILE *out, const struct show_socks *t, const json_t *ev)
{
    show_fd(out, t, show_int(ev, "fd"), json_object_get(ev, "sock"));
}

/* ------------------------------------------------------------ values */

/* A JSON string in quotes.  Backslashes pass through: address strings
 * already carry their own \xHH escapes (abstract AF_UNIX names). */
static void show_qstr(FILE *out, const char *s)
{
    if (!s) {
        fputs("NULL", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"')
            fputs("\\\"", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* A name taken from the trace (gai, h_errno) without quotes; control bytes
 * escaped so an odd trace cannot break the one-line-per-event layout. */
static void show_word(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
}

/* Bytes as strace prints them: C escapes, octal for the rest (three digits
 * when a digit follows, so "\0" then "1" does not read as "\01"). */
static void show_bytes(FILE *out, const unsigned char *p, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        switch (c) {
        case '"': fputs("\\\"", out); continue;
        case '\\': fputs("\\\\", out); continue;
        case '\t': fputs("\\t", out); continue;
        case '\n': fputs("\\n", out); continue;
        case '\v': fputs("\\v", out); continue;
        case '\f': fputs("\\f", out); continue;
        case '\r': fputs("\\r", out); continue;
        }
        if (c >= 0x20 && c < 0x7f)
            fputc(c, out);
        else if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7')
            fprintf(out, "\\%03o", c);
        else
            fprintf(out, "\\%o", c);
    }
    fputc('"', out);
}

/* Decoded base64 member, or NULL (then *n = 0). */
static unsigned char *show_b64(const json_t *v, size_t *n)
{
    unsigned char *bytes = NULL;
    *n = 0;
    if (!json_is_string(v) ||
        srr__b64_decode(json_string_value(v), json_string_length(v), &bytes, n) < 0)
        return NULL;
    return bytes;
}

enum { SHOW_PREVIEW = 32 };

/* The first bytes of a payload; "..." when there are more (total counts the
 * bytes moved, which a capped event holds fewer of). */
static void show_preview(FILE *out, const unsigned char *p, size_t n, long long total)
{
    show_bytes(out, p, n < SHOW_PREVIEW ? n : SHOW_PREVIEW);
    if (n > SHOW_PREVIEW || (long long)n < total)
        fputs("...", out);
}

/* hexdump -C's layout under the event line: offset, 16 bytes, ASCII. */
static void show_hexdump(FILE *out, const unsigned char *p, size_t n)
{
    for (size_t row = 0; row < n; row += 16) {
        fprintf(out, "    %08zx  ", row);
        for (size_t i = row; i < row + 16; i++) {
            if (i < n)
                fprintf(out, "%02x ", p[i]);
            else
                fputs("   ", out);
            if (i == row + 7)
                fputc(' ', out);
        }
        fputs(" |", out);
        for (size_t i = row; i < row + 16 && i < n; i++)
            fputc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.', out);
        fputs("|\n", out);
    }
}

static void show_errno(FILE *out, const json_t *ev)
{
    const char *name = show_str(ev, "errno");
    json_int_t num = show_int(ev, "errno_num");
    if (!name)
        return;
    if (strcmp(name, "E?") == 0)
        fprintf(out, " errno %" JSON_INTEGER_FORMAT, num);
    else
        fprintf(out, " %s", name);
    fprintf(out, " (%s)", strerror((int)num));
}

/* " = 0", or " = -1 ECONNREFUSED (Connection refused)". */
static void show_ret(FILE *out, const json_t *ev)
{
    fprintf(out, " = %" JSON_INTEGER_FORMAT, show_int(ev, "ret"));
    show_errno(out, ev);
}

/* A duration in ns as seconds: "1.500000000". */
static void show_secs(FILE *out, json_int_t ns)
{
    const char *sign = ns < 0 ? "-" : "";
    unsigned long long a = ns < 0 ? 0ULL - (unsigned long long)ns : (unsigned long long)ns;
    fprintf(out, "%s%llu.%09llu", sign, a / 1000000000ULL, a % 1000000000ULL);
}

/* --------------------------------------------------------------- ops */

struct show_ctx {
    FILE *out;
    struct show_socks socks;
    int hexdump;
};

static void show_op_socket(struct show_ctx *c, const json_t *ev)
{
    json_int_t domain = show_arg_int(ev, "domain");
    fputs("socket(", c->out);
    SHOW_ENUM(c->out, show_af, domain);
    fputs(", ", c->out);
    show_socktype_flags(c->out, show_arg_int(ev, "type"));
    fputs(", ", c->out);
    show_protocol(c->out, domain, show_arg_int(ev, "protocol"));
    fputs(")", c->out);
    if (show_int(ev, "ret") < 0) {
        show_ret(c->out, ev);
        return;
    }
    fputs(" = ", c->out);
    show_ev_fd(c->out, &c->socks, ev);
}

static void show_op_socketpair(struct show_ctx *c, const json_t *ev)
{
    json_int_t domain = show_arg_int(ev, "domain");
    fputs("socketpair(", c->out);
    SHOW_ENUM(c->out, show_af, domain);
    fputs(", ", c->out);
    show_socktype_flags(c->out, show_arg_int(ev, "type"));
    fputs(", ", c->out);
    show_protocol(c->out, domain, show_arg_int(ev, "protocol"));
    const json_t *fds = json_object_get(ev, "fds"), *socks = json_object_get(ev, "socks");
    if (json_array_size(fds) == 2) {
        fputs(", [", c->out);
        for (size_t i = 0; i < 2; i++) {
            if (i)
                fputs(", ", c->out);
            show_fd(c->out, &c->socks, json_integer_value(json_array_get(fds, i)),
                    json_array_get(socks, i));
        }
        fputs("]", c->out);
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* op(fd, "addr"): bind, connect */
static void show_op_addr(struct show_ctx *c, const json_t *ev)
{
    fprintf(c->out, "%s(", show_str(ev, "op"));
    show_ev_fd(c->out, &c->socks, ev);
    fputs(", ", c->out);
    show_qstr(c->out, json_string_value(show_arg(ev, "addr")));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

static void show_op_listen(struct show_ctx *c, const json_t *ev)
{
    fputs("listen(", c->out);
    show_ev_fd(c->out, &c->socks, ev);
    fprintf(c->out, ", %" JSON_INTEGER_FORMAT ")", show_arg_int(ev, "backlog"));
    show_ret(c->out, ev);
}

static void show_op_accept4(struct show_ctx *c, const json_t *ev)
{
    fputs("accept4(", c->out);
    show_ev_fd(c->out, &c->socks, ev);
    fputs(", ", c->out);
    SHOW_FLAGS(c->out, show_sockflags, show_arg_int(ev, "flags"));
    fputs(")", c->out);
    if (show_int(ev, "ret") < 0) {
        show_ret(c->out, ev);
        return;
    }
    fputs(" = ", c->out);
    show_fd(c->out, &c->socks, show_int(ev, "new_fd"), json_object_get(ev, "new_sock"));
}

static void show_cmsgs(FILE *out, const json_t *cmsgs)
{
    fputs("[", out);
    for (size_t i = 0; i < json_array_size(cmsgs); i++) {
        const json_t *m = json_array_get(cmsgs, i);
        json_int_t level = show_int(m, "level");
        fprintf(out, "%s{", i ? ", " : "");
        SHOW_ENUM(out, show_level, level);
        fputs(", ", out);
        if (level == SOL_SOCKET)
            SHOW_ENUM(out, show_scm, show_int(m, "type"));
        else
            fprintf(out, "%" JSON_INTEGER_FORMAT, show_int(m, "type"));
        size_t n;
        unsigned char *b = show_b64(json_object_get(m, "data"), &n);
        fputs(", ", out);
        show_preview(out, b, n, (long long)n);
        free(b);
        fputs("}", out);
    }
    fputs("]", out);
}

/* The payload, its preview on the line and (with -x) its dump below; the
 * dump waits in *dump for the end of the line. */
static void show_payload(struct show_ctx *c, const json_t *ev, unsigned char **dump,
                         size_t *dumplen)
{
    size_t n;
    unsigned char *b = show_b64(json_object_get(ev, "data"), &n);
    show_preview(c->out, b, n, show_int(ev, "len"));
    fputs(", ", c->out);
    *dump = b;
    *dumplen = n;
}

static void show_capped(FILE *out, const json_t *ev, size_t kept)
{
    if (json_is_true(json_object_get(ev, "capped")))
        fprintf(out, " [capped: %zu of %" JSON_INTEGER_FORMAT " bytes kept]", kept,
                show_int(ev, "len"));
}

static void show_op_sendmsg(struct show_ctx *c, const json_t *ev)
{
    unsigned char *dump = NULL;
    size_t n = 0;
    fputs("sendmsg(", c->out);
    show_ev_fd(c->out, &c->socks, ev);
    fputs(", ", c->out);
    if (json_object_get(ev, "data"))
        show_payload(c, ev, &dump, &n);
    fprintf(c->out, "%" JSON_INTEGER_FORMAT ", ", show_arg_int(ev, "iov"));
    SHOW_FLAGS(c->out, show_msg, show_arg_int(ev, "flags"));
    if (show_arg(ev, "to")) {
        fputs(", ", c->out);
        show_qstr(c->out, json_string_value(show_arg(ev, "to")));
    }
    if (show_arg(ev, "cmsg")) {
        fputs(", cmsg=", c->out);
        show_cmsgs(c->out, show_arg(ev, "cmsg"));
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
    show_capped(c->out, ev, n);
    fputs("\n", c->out);
    if (c->hexdump && dump)
        show_hexdump(c->out, dump, n);
    free(dump);
}

static void show_op_recvmsg(struct show_ctx *c, const json_t *ev)
{
    unsigned char *dump = NULL;
    size_t n = 0;
    fputs("recvmsg(", c->out);
    show_ev_fd(c->out, &c->socks, ev);
    fputs(", ", c->out);
    if (json_object_get(ev, "data"))
        show_payload(c, ev, &dump, &n);
    fprintf(c->out, "%" JSON_INTEGER_FORMAT ", ", show_arg_int(ev, "size"));
    SHOW_FLAGS(c->out, show_msg, show_arg_int(ev, "flags"));
    if (json_object_get(ev, "from")) {
        fputs(", ", c->out);
        show_qstr(c->out, show_str(ev, "from"));
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
    if (show_int(ev, "msg_flags")) {
        fputs(" msg_flags=", c->out);
        SHOW_FLAGS(c->out, show_msg, show_int(ev, "msg_flags"));
    }
    if (json_object_get(ev, "cmsg")) {
        fputs(" cmsg=", c->out);
        show_cmsgs(c->out, json_object_get(ev, "cmsg"));
    }
    show_capped(c->out, ev, n);
    fputs("\n", c->out);
    if (c->hexdump && dump)
        show_hexdump(c->out, dump, n);
    free(dump);
}

static void show_op_shutdown(struct show_ctx *c, const json_t *ev)
{
    fputs("shutdown(", c->out);
    show_ev_fd(c->out, &c->socks, ev);
    fputs(", ", c->out);
    SHOW_ENUM(c->out, show_shut, show_arg_int(ev, "how"));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* op(fd) and the address it returns: close, getsockname, getpeername */
static void show_op_fdonly(struct show_ctx *c, const json_t *ev)
{
    fprintf(c->out, "%s(", show_str(ev, "op"));
    show_ev_fd(c->out, &c->socks, ev);
    if (json_object_get(ev, "addr")) {
        fputs(", ", c->out);
        show_qstr(c->out, show_str(ev, "addr"));
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* An option's bytes: ints as [N], struct timeval and struct linger by
 * field, anything else as a string. */
static void show_optval(FILE *out, long long level, long long name, const json_t *v)
{
    size_t n;
    unsigned char *b = show_b64(v, &n);
    if (n == sizeof(int)) {
        int i;
        memcpy(&i, b, sizeof i);
        fprintf(out, "[%d]", i);
    } else if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO) &&
               n == 2 * sizeof(long long)) {
        long long tv[2];
        memcpy(tv, b, sizeof tv);
        fprintf(out, "{tv_sec=%lld, tv_usec=%lld}", tv[0], tv[1]);
    } else if (level == SOL_SOCKET && name == SO_PEERCRED && n == 3 * sizeof(int)) {
        int cred[3]; /* struct ucred: pid, uid, gid */
        memcpy(cred, b, sizeof cred);
        fprintf(out, "{pid=%d, uid=%d, gid=%d}", cred[0], cred[1], cred[2]);
    } else if (level == SOL_SOCKET && name == SO_LINGER && n == 2 * sizeof(int)) {
        int l[2];
        memcpy(l, b, sizeof l);
        fprintf(out, "{l_onoff=%d, l_linger=%d}", l[0], l[1]);
    } else {
        show_preview(out, b, n, (long long)n);
    }
    free(b);
}

static void show_op_sockopt(struct show_ctx *c, const json_t *ev)
{
    int set = strcmp(show_str(ev, "op"), "setsockopt") == 0;
    json_int_t level = show_arg_int(ev, "level"), name = show_arg_int(ev, "name");
    fprintf(c->out, "%s(", show_str(ev, "op"));
    show_ev_fd(c->out, &c->socks, ev);
    fputs(", ", c->out);
    SHOW_ENUM(c->out, show_level, level);
    fputs(", ", c->out);
    show_sockopt_name(c->out, level, name);
    const json_t *value = set ? show_arg(ev, "value") : json_object_get(ev, "value");
    if (value) {
        fputs(", ", c->out);
        show_optval(c->out, level, name, value);
    }
    if (set) {
        size_t n;
        free(show_b64(value, &n));
        fprintf(c->out, ", %zu)", n);
    } else {
        fprintf(c->out, ", %" JSON_INTEGER_FORMAT ")", show_arg_int(ev, "size"));
    }
    show_ret(c->out, ev);
}

static void show_op_fcntl(struct show_ctx *c, const json_t *ev)
{
    json_int_t cmd = show_arg_int(ev, "cmd"), arg = show_arg_int(ev, "arg");
    json_int_t ret = show_int(ev, "ret");
    fputs("fcntl(", c->out);
    show_ev_fd(c->out, &c->socks, ev);
    fputs(", ", c->out);
    SHOW_ENUM(c->out, show_fcntl, cmd);
    if (cmd == F_SETFL) {
        fputs(", ", c->out);
        show_oflags_value(c->out, arg);
    } else if (cmd == F_SETFD) {
        fputs(", ", c->out);
        SHOW_FLAGS(c->out, show_fdflags, arg);
    } else if (show_arg(ev, "arg") && cmd != F_GETFL && cmd != F_GETFD) {
        fprintf(c->out, ", %" JSON_INTEGER_FORMAT, arg);
    }
    fputs(")", c->out);
    if (ret < 0) {
        show_ret(c->out, ev);
        return;
    }
    if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && json_object_get(ev, "new_fd")) {
        fputs(" = ", c->out);
        show_fd(c->out, &c->socks, show_int(ev, "new_fd"), json_object_get(ev, "sock"));
        return;
    }
    fprintf(c->out, " = %#llx", (unsigned long long)ret);
    if (cmd == F_GETFL) {
        fputs(" (flags ", c->out);
        show_oflags_value(c->out, ret);
        fputs(")", c->out);
    } else if (cmd == F_GETFD) {
        fputs(" (flags ", c->out);
        SHOW_FLAGS(c->out, show_fdflags, ret);
        fputs(")", c->out);
    }
}

static void show_op_ioctl(struct show_ctx *c, const json_t *ev)
{
    json_int_t req = show_arg_int(ev, "request");
    const json_t *arg = json_object_get(ev, "arg");
    if (!arg)
        arg = show_arg(ev, "arg");
    fputs("ioctl(", c->out);
    show_ev_fd(c->out, &c->socks, ev);
    fputs(", ", c->out);
    const char *name = show_lookup(show_ioctl.names, show_ioctl.n, req);
    if (name)
        fputs(name, c->out);
    else
        fprintf(c->out, "%#llx", (unsigned long long)req);
    if (json_object_get(ev, "value"))
        fprintf(c->out, ", [%" JSON_INTEGER_FORMAT "]", show_int(ev, "value"));
    else if (arg)
        fprintf(c->out, ", [%" JSON_INTEGER_FORMAT "]", json_integer_value(arg));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* poll's timeout in ms as strace prints it; fractions kept (ns precision). */
static void show_timeout(FILE *out, json_int_t ns)
{
    if (ns < 0)
        fprintf(out, "%" JSON_INTEGER_FORMAT, ns);
    else if (ns % 1000000 == 0)
        fprintf(out, "%" JSON_INTEGER_FORMAT, ns / 1000000);
    else
        fprintf(out, "%.6f", (double)ns / 1e6);
}

static void show_op_poll(struct show_ctx *c, const json_t *ev)
{
    const json_t *fds = show_arg(ev, "fds"), *revents = json_object_get(ev, "revents");
    fputs("poll([", c->out);
    for (size_t i = 0; i < json_array_size(fds); i++) {
        const json_t *e = json_array_get(fds, i);
        fputs(i ? ", {fd=" : "{fd=", c->out);
        show_fd(c->out, &c->socks, show_int(e, "fd"), json_object_get(e, "sock"));
        fputs(", events=", c->out);
        SHOW_FLAGS(c->out, show_pollev, show_int(e, "events"));
        fputs("}", c->out);
    }
    fprintf(c->out, "], %zu, ", json_array_size(fds));
    show_timeout(c->out, show_arg_int(ev, "timeout_ns"));
    fputs(")", c->out);
    show_ret(c->out, ev);
    if (show_int(ev, "ret") <= 0) {
        if (show_int(ev, "ret") == 0)
            fputs(" (Timeout)", c->out);
        return;
    }
    fputs(" ([", c->out);
    const char *sep = "";
    for (size_t i = 0; i < json_array_size(revents); i++) {
        json_int_t re = json_integer_value(json_array_get(revents, i));
        if (!re)
            continue;
        fprintf(c->out, "%s{fd=%" JSON_INTEGER_FORMAT ", revents=", sep,
                show_int(json_array_get(fds, i), "fd"));
        SHOW_FLAGS(c->out, show_pollev, re);
        fputs("}", c->out);
        sep = ", ";
    }
    fputs("])", c->out);
}

/* The EAI_* failure: " = -2 EAI_NONAME (Name or service not known)". */
static void show_gai_ret(FILE *out, const json_t *ev)
{
    json_int_t ret = show_int(ev, "ret");
    fprintf(out, " = %" JSON_INTEGER_FORMAT, ret);
    if (ret == 0)
        return;
    const char *gai = show_str(ev, "gai");
    fputc(' ', out);
    show_word(out, gai ? gai : "EAI_?");
    fprintf(out, " (%s)", srr_gai_message((int)ret));
    show_errno(out, ev);
}

static void show_op_getaddrinfo(struct show_ctx *c, const json_t *ev)
{
    FILE *out = c->out;
    fputs("getaddrinfo(", out);
    show_qstr(out, json_string_value(show_arg(ev, "node")));
    fputs(", ", out);
    show_qstr(out, json_string_value(show_arg(ev, "service")));
    fputs(", {ai_family=", out);
    SHOW_ENUM(out, show_af, show_arg_int(ev, "family"));
    fputs(", ai_socktype=", out);
    SHOW_ENUM(out, show_socktype, show_arg_int(ev, "socktype"));
    fputs(", ai_protocol=", out);
    SHOW_ENUM(out, show_ipproto, show_arg_int(ev, "protocol"));
    fputs(", ai_flags=", out);
    SHOW_FLAGS(out, show_ai, show_arg_int(ev, "flags"));
    fputs("})", out);
    show_gai_ret(out, ev);
    const json_t *answers = json_object_get(ev, "answers");
    if (show_int(ev, "ret") != 0 || !answers)
        return;
    fputs(" [", out);
    for (size_t i = 0; i < json_array_size(answers); i++) {
        const json_t *a = json_array_get(answers, i);
        fputs(i ? ", {" : "{", out);
        SHOW_ENUM(out, show_af, show_int(a, "family"));
        fputs(", ", out);
        SHOW_ENUM(out, show_socktype, show_int(a, "socktype"));
        fputs(", ", out);
        SHOW_ENUM(out, show_ipproto, show_int(a, "protocol"));
        fputs(", ", out);
        show_qstr(out, show_str(a, "addr"));
        if (show_str(a, "canonname")) {
            fputs(", canonname=", out);
            show_qstr(out, show_str(a, "canonname"));
        }
        fputs("}", out);
    }
    fputs("]", out);
}

static void show_op_getnameinfo(struct show_ctx *c, const json_t *ev)
{
    fputs("getnameinfo(", c->out);
    show_qstr(c->out, json_string_value(show_arg(ev, "addr")));
    fputs(", ", c->out);
    SHOW_FLAGS(c->out, show_ni, show_arg_int(ev, "flags"));
    fputs(")", c->out);
    show_gai_ret(c->out, ev);
    if (show_int(ev, "ret") != 0)
        return;
    fputs(" {host=", c->out);
    show_qstr(c->out, show_str(ev, "host"));
    fputs(", serv=", c->out);
    show_qstr(c->out, show_str(ev, "serv"));
    fputs("}", c->out);
}

static void show_strings(FILE *out, const json_t *array)
{
    fputs("[", out);
    for (size_t i = 0; i < json_array_size(array); i++) {
        if (i)
            fputs(", ", out);
        show_qstr(out, json_string_value(json_array_get(array, i)));
    }
    fputs("]", out);
}

/* gethostbyname2_r and gethostbyaddr_r: the hostent, or h_errno. */
static void show_op_gethostby(struct show_ctx *c, const json_t *ev)
{
    FILE *out = c->out;
    int byname = strcmp(show_str(ev, "op"), "gethostbyname2_r") == 0;
    fprintf(out, "%s(", show_str(ev, "op"));
    show_qstr(out, json_string_value(show_arg(ev, byname ? "name" : "addr")));
    fputs(", ", out);
    SHOW_ENUM(out, show_af, show_arg_int(ev, byname ? "af" : "type"));
    fputs(")", out);
    show_ret(out, ev);
    const char *herr = show_str(ev, "h_errno");
    if (herr) {
        fputs(" h_errno=", out);
        show_word(out, herr);
        for (size_t i = 0; i < show_herrno.n; i++)
            if (strcmp(show_herrno.names[i].name, herr) == 0)
                fprintf(out, " (%s)", srr_herror_message((int)show_herrno.names[i].value));
    }
    const json_t *h = json_object_get(ev, "hostent");
    if (!h)
        return;
    fputs(" {name=", out);
    show_qstr(out, show_str(h, "name"));
    fputs(", aliases=", out);
    show_strings(out, json_object_get(h, "aliases"));
    fputs(", addrtype=", out);
    SHOW_ENUM(out, show_af, show_int(h, "addrtype"));
    fputs(", addrs=", out);
    show_strings(out, json_object_get(h, "addrs"));
    fputs("}", out);
}

static void show_op_gethostname(struct show_ctx *c, const json_t *ev)
{
    fputs("gethostname()", c->out);
    show_ret(c->out, ev);
    if (show_str(ev, "name")) {
        fputs(" ", c->out);
        show_qstr(c->out, show_str(ev, "name"));
    }
}

static void show_op_sethostname(struct show_ctx *c, const json_t *ev)
{
    fputs("sethostname(", c->out);
    show_qstr(c->out, json_string_value(show_arg(ev, "name")));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

static void show_op_if_nameindex(struct show_ctx *c, const json_t *ev)
{
    const json_t *ifaces = json_object_get(ev, "ifaces");
    fputs("if_nameindex()", c->out);
    show_ret(c->out, ev);
    if (!ifaces)
        return;
    fputs(" [", c->out);
    for (size_t i = 0; i < json_array_size(ifaces); i++) {
        const json_t *e = json_array_get(ifaces, i);
        fprintf(c->out, "%s{%" JSON_INTEGER_FORMAT ", ", i ? ", " : "",
                json_integer_value(json_array_get(e, 0)));
        show_qstr(c->out, json_string_value(json_array_get(e, 1)));
        fputs("}", c->out);
    }
    fputs("]", c->out);
}

static void show_op_now(struct show_ctx *c, const json_t *ev)
{
    fputs("now(", c->out);
    SHOW_ENUM(c->out, show_clock, show_arg_int(ev, "clock"));
    fputs(")", c->out);
    show_ret(c->out, ev);
    if (json_object_get(ev, "value")) {
        fputs(" ", c->out);
        show_secs(c->out, show_int(ev, "value"));
    }
}

static void show_op_sleep(struct show_ctx *c, const json_t *ev)
{
    fputs("sleep(", c->out);
    SHOW_ENUM(c->out, show_clock, show_arg_int(ev, "clock"));
    fputs(", ", c->out);
    show_secs(c->out, show_arg_int(ev, "ns"));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* dup(fd), dup2(fd, newfd) or dup3(fd, newfd, flags) */
static void show_op_dup(struct show_ctx *c, const json_t *ev)
{
    json_int_t newfd = show_arg_int(ev, "newfd");
    const json_t *flags = show_arg(ev, "flags");
    fputs(newfd < 0 ? "dup(" : flags ? "dup3(" : "dup2(", c->out);
    show_ev_fd(c->out, &c->socks, ev);
    if (newfd >= 0)
        fprintf(c->out, ", %" JSON_INTEGER_FORMAT, newfd);
    if (newfd >= 0 && flags) {
        fputs(", ", c->out);
        show_oflags_value(c->out, json_integer_value(flags));
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
}

static void show_op_unsupported(struct show_ctx *c, const json_t *ev)
{
    fputs("unsupported(", c->out);
    if (json_object_get(ev, "fd")) {
        show_ev_fd(c->out, &c->socks, ev);
        fputs(", ", c->out);
    }
    show_qstr(c->out, json_string_value(show_arg(ev, "what")));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

static const struct show_op {
    const char *name;
    void (*print)(struct show_ctx *c, const json_t *ev);
    int own_newline; /* prints its own "\n" and what follows it (-x dumps) */
} show_ops[] = {
    {"socket", show_op_socket, 0},
    {"socketpair", show_op_socketpair, 0},
    {"bind", show_op_addr, 0},
    {"listen", show_op_listen, 0},
    {"accept4", show_op_accept4, 0},
    {"connect", show_op_addr, 0},
    {"sendmsg", show_op_sendmsg, 1},
    {"recvmsg", show_op_recvmsg, 1},
    {"shutdown", show_op_shutdown, 0},
    {"close", show_op_fdonly, 0},
    {"getsockopt", show_op_sockopt, 0},
    {"setsockopt", show_op_sockopt, 0},
    {"getsockname", show_op_fdonly, 0},
    {"getpeername", show_op_fdonly, 0},
    {"fcntl", show_op_fcntl, 0},
    {"ioctl", show_op_ioctl, 0},
    {"poll", show_op_poll, 0},
    {"getaddrinfo", show_op_getaddrinfo, 0},
    {"getnameinfo", show_op_getnameinfo, 0},
    {"gethostbyname2_r", show_op_gethostby, 0},
    {"gethostbyaddr_r", show_op_gethostby, 0},
    {"gethostname", show_op_gethostname, 0},
    {"sethostname", show_op_sethostname, 0},
    {"if_nameindex", show_op_if_nameindex, 0},
    {"now", show_op_now, 0},
    {"sleep", show_op_sleep, 0},
    {"unsupported", show_op_unsupported, 0},
    {"dup", show_op_dup, 0},
};

static const struct show_op *show_find_op(const char *name)
{
    for (size_t i = 0; i < COUNT(show_ops); i++)
        if (strcmp(show_ops[i].name, name) == 0)
            return &show_ops[i];
    return NULL;
}

/* "  12 +0.000123 [4242] " then the op's own text. */
static void show_event(struct show_ctx *c, const json_t *ev, json_int_t start)
{
    json_int_t rel = show_int(ev, "t") - start;
    json_int_t pid = show_int(ev, "pid"), tid = show_int(ev, "tid");
    fprintf(c->out, "%4" JSON_INTEGER_FORMAT " +%" JSON_INTEGER_FORMAT ".%06" JSON_INTEGER_FORMAT,
            show_int(ev, "seq"), rel / 1000000000, rel % 1000000000 / 1000);
    if (pid == tid)
        fprintf(c->out, " [%" JSON_INTEGER_FORMAT "] ", pid);
    else
        fprintf(c->out, " [%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT "] ", pid, tid);
    const struct show_op *op = show_find_op(show_str(ev, "op"));
    if (!op) { /* the reader's check knows an op this table lacks */
        fprintf(c->out, "%s(...)", show_str(ev, "op"));
        show_ret(c->out, ev);
        fputs("\n", c->out);
        return;
    }
    op->print(c, ev);
    if (!op->own_newline)
        fputs("\n", c->out);
}

/* ----------------------------------------------------------- command */

struct show_filter {
    int by_pid, by_sock;
    json_int_t pid, sock;
    char **ops; /* NULL: every op */
    size_t nops;
};

static int show_has_sock(const json_t *ev, json_int_t id)
{
    static const char *const members[] = {"sock", "new_sock"};
    for (size_t i = 0; i < COUNT(members); i++) {
        const json_t *v = json_object_get(ev, members[i]);
        if (v && json_integer_value(v) == id)
            return 1;
    }
    const json_t *socks = json_object_get(ev, "socks");
    for (size_t i = 0; i < json_array_size(socks); i++)
        if (json_integer_value(json_array_get(socks, i)) == id)
            return 1;
    const json_t *fds = show_arg(ev, "fds");
    for (size_t i = 0; json_is_array(fds) && i < json_array_size(fds); i++) {
        const json_t *s = json_object_get(json_array_get(fds, i), "sock");
        if (s && json_integer_value(s) == id)
            return 1;
    }
    return 0;
}

static int show_match(const struct show_filter *f, const json_t *ev)
{
    if (f->by_pid && show_int(ev, "pid") != f->pid)
        return 0;
    if (f->by_sock && !show_has_sock(ev, f->sock))
        return 0;
    if (!f->ops)
        return 1;
    const char *op = show_str(ev, "op");
    for (size_t i = 0; i < f->nops; i++)
        if (strcmp(f->ops[i], op) == 0)
            return 1;
    return 0;
}

static void show_usage(FILE *out)
{
    fprintf(out,
            "usage: sockrr show [-x] [--pid N] [--sock N] [--op NAME[,NAME...]] TRACE\n"
            "\n"
            "Prints a trace (\"-\" reads stdin) one event per line, strace -yy style:\n"
            "  SEQ +SECONDS [PID] op(args) = result\n"
            "with the time relative to the start of the trace.\n"
            "\n"
            "  -x           a hex and ASCII dump of each payload under its line\n"
            "  --pid N      only the events of process N\n"
            "  --sock N     only the events about socket id N\n"
            "  --op LIST    only these ops (comma-separated; the option may repeat)\n"
            "\n"
            "Stops at the first invalid line ('sockrr check' lists every problem).\n"
            "exit status: 0 shown; 1 the trace is invalid or unreadable; 2 usage error.\n");
}

static int show_parse_id(const char *s, json_int_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Adds the comma-separated op names in list; -1 (with a message) on an
 * unknown name. */
static int show_add_ops(struct show_filter *f, const char *list)
{
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        char *name = strndup(p, n);
        char **grown = name ? realloc(f->ops, (f->nops + 1) * sizeof *f->ops) : NULL;
        if (!grown) {
            free(name);
            fprintf(stderr, "sockrr show: out of memory\n");
            return -1;
        }
        f->ops = grown;
        f->ops[f->nops++] = name;
        if (!show_find_op(name)) {
            fprintf(stderr, "sockrr show: unknown op '%s'; the ops are:", name);
            for (size_t i = 0; i < COUNT(show_ops); i++)
                fprintf(stderr, "%s%s", i ? "," : " ", show_ops[i].name);
            fputs("\n", stderr);
            return -1;
        }
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

static void show_filter_free(struct show_filter *f)
{
    for (size_t i = 0; i < f->nops; i++)
        free(f->ops[i]);
    free(f->ops);
}

static int show_run(const char *path, const struct show_filter *f, int hexdump)
{
    srr_trace_error err;
    char msg[1024];
    srr_trace_reader *r = srr__trace_open(path, &err);
    if (!r) {
        fprintf(stderr, "sockrr show: %s\n", srr__trace_error_format(&err, msg, sizeof msg));
        return SRR_EXIT_FAIL;
    }
    struct show_ctx c = {.out = stdout, .hexdump = hexdump};
    json_int_t start = json_integer_value(json_object_get(srr__trace_header(r), "start_monotonic_ns"));
    int status = SRR_EXIT_OK, rc;
    json_t *ev;
    while ((rc = srr__trace_next(r, &ev, &err)) != 0) {
        if (rc < 0) {
            fflush(stdout); /* the events before the error come first */
            fprintf(stderr, "sockrr show: %s\n", srr__trace_error_format(&err, msg, sizeof msg));
            status = SRR_EXIT_FAIL;
            break;
        }
        show_learn(&c.socks, ev);
        if (show_match(f, ev))
            show_event(&c, ev, start);
        json_decref(ev);
    }
    if (status == SRR_EXIT_OK && srr__trace_torn(r, &err)) {
        fflush(stdout);
        fprintf(stderr, "sockrr show: warning: %s\n",
                srr__trace_error_format(&err, msg, sizeof msg));
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "sockrr show: writing the output: %s\n", strerror(errno));
        status = SRR_EXIT_FAIL;
    }
    show_socks_free(&c.socks);
    srr__trace_close(r);
    return status;
}

int cli_show(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"pid", required_argument, NULL, 'p'},
        {"sock", required_argument, NULL, 's'},
        {"op", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct show_filter f = {0};
    int hexdump = 0, opt, status = SRR_EXIT_USAGE;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":xh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'x': hexdump = 1; break;
        case 'h':
            show_usage(stdout);
            status = SRR_EXIT_OK;
            goto out;
        case 'p':
            f.by_pid = 1;
            if (show_parse_id(optarg, &f.pid) < 0) {
                fprintf(stderr, "sockrr show: --pid wants a number, got '%s'\n", optarg);
                goto out;
            }
            break;
        case 's':
            f.by_sock = 1;
            if (show_parse_id(optarg, &f.sock) < 0) {
                fprintf(stderr, "sockrr show: --sock wants a number, got '%s'\n", optarg);
                goto out;
            }
            break;
        case 'o':
            if (show_add_ops(&f, optarg) < 0)
                goto out;
            break;
        case ':':
            fprintf(stderr, "sockrr show: '%s' needs a value (see sockrr show --help)\n",
                    argv[optind - 1]);
            goto out;
        default:
            if (optopt && optopt != '?')
                fprintf(stderr, "sockrr show: bad option '-%c' (see sockrr show --help)\n", optopt);
            else
                fprintf(stderr, "sockrr show: bad option '%s' (see sockrr show --help)\n",
                        argv[optind - 1]);
            goto out;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "sockrr show: %s (see sockrr show --help)\n",
                optind >= argc ? "no trace given" : "one trace at a time");
        goto out;
    }
    status = show_run(argv[optind], &f, hexdump);
out:
    show_filter_free(&f);
    return status;
}
