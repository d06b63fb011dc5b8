#define _GNU_SOURCE /* AI_IDN, POLLRDHUP, MSG_* and SO_* extensions */
/*
 * show_ops.c — one printer per trace op for `sockrr show`, in one table
 * (show_ops), and the line each event gets.  Constants by name come from
 * show_names.c.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "show.h"
#include "show_names.h"
#include "sockrr.h"

/* "op(fd": the call and the socket it is made on */
static void show_call_fd(struct show_ctx *c, const char *op, const srr_json *ev)
{
    fprintf(c->out, "%s(", op);
    show_ev_fd(c->out, &c->socks, ev);
}

/* "op(domain, type, protocol": socket and socketpair */
static void show_kind_args(struct show_ctx *c, const char *op, const srr_json *ev)
{
    int64_t domain = show_arg_int(ev, "domain");
    fprintf(c->out, "%s(", op);
    SHOW_ENUM(c->out, show_af, domain);
    fputs(", ", c->out);
    show_socktype_flags(c->out, show_arg_int(ev, "type"));
    fputs(", ", c->out);
    show_protocol(c->out, domain, show_arg_int(ev, "protocol"));
}

static void show_op_socket(struct show_ctx *c, const srr_json *ev)
{
    show_kind_args(c, "socket", ev);
    fputs(")", c->out);
    if (show_int(ev, "ret") < 0) {
        show_ret(c->out, ev);
        return;
    }
    fputs(" = ", c->out);
    show_ev_fd(c->out, &c->socks, ev);
}

static void show_op_socketpair(struct show_ctx *c, const srr_json *ev)
{
    show_kind_args(c, "socketpair", ev);
    const srr_json *fds = srr__json_get(ev, "fds"), *socks = srr__json_get(ev, "socks");
    if (srr__json_size(fds) == 2) {
        fputs(", [", c->out);
        for (size_t i = 0; i < 2; i++) {
            if (i)
                fputs(", ", c->out);
            show_fd(c->out, &c->socks, srr__json_int(srr__json_at(fds, i)),
                    srr__json_at(socks, i));
        }
        fputs("]", c->out);
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* op(fd, "addr"): bind, connect */
static void show_op_addr(struct show_ctx *c, const srr_json *ev)
{
    show_call_fd(c, show_str(ev, "op"), ev);
    fputs(", ", c->out);
    show_qstr(c->out, srr__json_str(show_arg(ev, "addr")));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

static void show_op_listen(struct show_ctx *c, const srr_json *ev)
{
    show_call_fd(c, "listen", ev);
    fprintf(c->out, ", %" PRId64 ")", show_arg_int(ev, "backlog"));
    show_ret(c->out, ev);
}

static void show_op_accept4(struct show_ctx *c, const srr_json *ev)
{
    show_call_fd(c, "accept4", ev);
    fputs(", ", c->out);
    SHOW_FLAGS(c->out, show_sockflags, show_arg_int(ev, "flags"));
    fputs(")", c->out);
    if (show_int(ev, "ret") < 0) {
        show_ret(c->out, ev);
        return;
    }
    fputs(" = ", c->out);
    show_fd(c->out, &c->socks, show_int(ev, "new_fd"), srr__json_get(ev, "new_sock"));
}

static void show_cmsgs(FILE *out, const srr_json *cmsgs)
{
    fputs("[", out);
    for (size_t i = 0; i < srr__json_size(cmsgs); i++) {
        const srr_json *m = srr__json_at(cmsgs, i);
        int64_t level = show_int(m, "level");
        fprintf(out, "%s{", i ? ", " : "");
        SHOW_ENUM(out, show_level, level);
        fputs(", ", out);
        if (level == SOL_SOCKET)
            SHOW_ENUM(out, show_scm, show_int(m, "type"));
        else
            fprintf(out, "%" PRId64, show_int(m, "type"));
        size_t n;
        unsigned char *b = show_b64(srr__json_get(m, "data"), &n);
        fputs(", ", out);
        show_preview(out, b, n, (long long)n);
        free(b);
        fputs("}", out);
    }
    fputs("]", out);
}

/* The payload, its preview on the line and (with -x) its dump below; the
 * dump waits in *dump for the end of the line. */
static void show_payload(struct show_ctx *c, const srr_json *ev, unsigned char **dump,
                         size_t *dumplen)
{
    size_t n;
    unsigned char *b = show_b64(srr__json_get(ev, "data"), &n);
    show_preview(c->out, b, n, show_int(ev, "len"));
    fputs(", ", c->out);
    *dump = b;
    *dumplen = n;
}

static void show_capped(FILE *out, const srr_json *ev, size_t kept)
{
    if (srr__json_is_true(srr__json_get(ev, "capped")))
        fprintf(out, " [capped: %zu of %" PRId64 " bytes kept]", kept,
                show_int(ev, "len"));
}

/* sendmsg and recvmsg open alike: the call, the socket, the payload's preview
 * (kept in *dump for the end of the line), a count (`count_key`), the
 * flags and the peer's address when the event has one. */
static void show_msg_head(struct show_ctx *c, const char *op, const char *count_key,
                          const srr_json *addr, const srr_json *ev, unsigned char **dump,
                          size_t *n)
{
    show_call_fd(c, op, ev);
    fputs(", ", c->out);
    if (srr__json_get(ev, "data"))
        show_payload(c, ev, dump, n);
    fprintf(c->out, "%" PRId64 ", ", show_arg_int(ev, count_key));
    SHOW_FLAGS(c->out, show_msg, show_arg_int(ev, "flags"));
    if (addr) {
        fputs(", ", c->out);
        show_qstr(c->out, srr__json_str(addr));
    }
}

/* ...and close alike: capped note, end of line, the dump under -x. */
static void show_msg_tail(struct show_ctx *c, const srr_json *ev, unsigned char *dump, size_t n)
{
    show_capped(c->out, ev, n);
    fputs("\n", c->out);
    if (c->hexdump && dump)
        show_hexdump(c->out, dump, n);
    free(dump);
}

static void show_op_sendmsg(struct show_ctx *c, const srr_json *ev)
{
    unsigned char *dump = NULL;
    size_t n = 0;
    show_msg_head(c, "sendmsg", "iov", show_arg(ev, "to"), ev, &dump, &n);
    if (show_arg(ev, "cmsg")) {
        fputs(", cmsg=", c->out);
        show_cmsgs(c->out, show_arg(ev, "cmsg"));
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
    show_msg_tail(c, ev, dump, n);
}

static void show_op_recvmsg(struct show_ctx *c, const srr_json *ev)
{
    unsigned char *dump = NULL;
    size_t n = 0;
    show_msg_head(c, "recvmsg", "size", srr__json_get(ev, "from"), ev, &dump, &n);
    fputs(")", c->out);
    show_ret(c->out, ev);
    if (show_int(ev, "msg_flags")) {
        fputs(" msg_flags=", c->out);
        SHOW_FLAGS(c->out, show_msg, show_int(ev, "msg_flags"));
    }
    if (srr__json_get(ev, "cmsg")) {
        fputs(" cmsg=", c->out);
        show_cmsgs(c->out, srr__json_get(ev, "cmsg"));
    }
    show_msg_tail(c, ev, dump, n);
}

static void show_op_shutdown(struct show_ctx *c, const srr_json *ev)
{
    show_call_fd(c, "shutdown", ev);
    fputs(", ", c->out);
    SHOW_ENUM(c->out, show_shut, show_arg_int(ev, "how"));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* op(fd) and the address it returns: close, getsockname, getpeername */
static void show_op_fdonly(struct show_ctx *c, const srr_json *ev)
{
    show_call_fd(c, show_str(ev, "op"), ev);
    if (srr__json_get(ev, "addr")) {
        fputs(", ", c->out);
        show_qstr(c->out, show_str(ev, "addr"));
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* An option's bytes: ints as [N], struct timeval and struct linger by
 * field, anything else as a string. */
static void show_optval(FILE *out, long long level, long long name, const srr_json *v)
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

static void show_op_sockopt(struct show_ctx *c, const srr_json *ev)
{
    int set = strcmp(show_str(ev, "op"), "setsockopt") == 0;
    int64_t level = show_arg_int(ev, "level"), name = show_arg_int(ev, "name");
    show_call_fd(c, show_str(ev, "op"), ev);
    fputs(", ", c->out);
    SHOW_ENUM(c->out, show_level, level);
    fputs(", ", c->out);
    show_sockopt_name(c->out, level, name);
    const srr_json *value = set ? show_arg(ev, "value") : srr__json_get(ev, "value");
    if (value) {
        fputs(", ", c->out);
        show_optval(c->out, level, name, value);
    }
    if (set) {
        size_t n;
        free(show_b64(value, &n));
        fprintf(c->out, ", %zu)", n);
    } else {
        fprintf(c->out, ", %" PRId64 ")", show_arg_int(ev, "size"));
    }
    show_ret(c->out, ev);
}

static void show_op_fcntl(struct show_ctx *c, const srr_json *ev)
{
    int64_t cmd = show_arg_int(ev, "cmd"), arg = show_arg_int(ev, "arg");
    int64_t ret = show_int(ev, "ret");
    show_call_fd(c, "fcntl", ev);
    fputs(", ", c->out);
    SHOW_ENUM(c->out, show_fcntl, cmd);
    if (cmd == F_SETFL) {
        fputs(", ", c->out);
        show_oflags_value(c->out, arg);
    } else if (cmd == F_SETFD) {
        fputs(", ", c->out);
        SHOW_FLAGS(c->out, show_fdflags, arg);
    } else if (show_arg(ev, "arg") && cmd != F_GETFL && cmd != F_GETFD) {
        fprintf(c->out, ", %" PRId64, arg);
    }
    fputs(")", c->out);
    if (ret < 0) {
        show_ret(c->out, ev);
        return;
    }
    if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && srr__json_get(ev, "new_fd")) {
        fputs(" = ", c->out);
        show_fd(c->out, &c->socks, show_int(ev, "new_fd"), srr__json_get(ev, "sock"));
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

static void show_op_ioctl(struct show_ctx *c, const srr_json *ev)
{
    int64_t req = show_arg_int(ev, "request");
    const srr_json *arg = srr__json_get(ev, "arg");
    if (!arg)
        arg = show_arg(ev, "arg");
    show_call_fd(c, "ioctl", ev);
    fputs(", ", c->out);
    const char *name = show_lookup(show_ioctl.names, show_ioctl.n, req);
    if (name)
        fputs(name, c->out);
    else
        fprintf(c->out, "%#llx", (unsigned long long)req);
    if (srr__json_get(ev, "value"))
        fprintf(c->out, ", [%" PRId64 "]", show_int(ev, "value"));
    else if (arg)
        fprintf(c->out, ", [%" PRId64 "]", srr__json_int(arg));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* poll's timeout in ms as strace prints it; fractions kept (ns precision). */
static void show_timeout(FILE *out, int64_t ns)
{
    if (ns < 0)
        fprintf(out, "%" PRId64, ns);
    else if (ns % 1000000 == 0)
        fprintf(out, "%" PRId64, ns / 1000000);
    else
        fprintf(out, "%.6f", (double)ns / 1e6);
}

static void show_op_poll(struct show_ctx *c, const srr_json *ev)
{
    const srr_json *fds = show_arg(ev, "fds"), *revents = srr__json_get(ev, "revents");
    fputs("poll([", c->out);
    for (size_t i = 0; i < srr__json_size(fds); i++) {
        const srr_json *e = srr__json_at(fds, i);
        fputs(i ? ", {fd=" : "{fd=", c->out);
        show_fd(c->out, &c->socks, show_int(e, "fd"), srr__json_get(e, "sock"));
        fputs(", events=", c->out);
        SHOW_FLAGS(c->out, show_pollev, show_int(e, "events"));
        fputs("}", c->out);
    }
    fprintf(c->out, "], %zu, ", srr__json_size(fds));
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
    for (size_t i = 0; i < srr__json_size(revents); i++) {
        int64_t re = srr__json_int(srr__json_at(revents, i));
        if (!re)
            continue;
        fprintf(c->out, "%s{fd=%" PRId64 ", revents=", sep,
                show_int(srr__json_at(fds, i), "fd"));
        SHOW_FLAGS(c->out, show_pollev, re);
        fputs("}", c->out);
        sep = ", ";
    }
    fputs("])", c->out);
}

/* The EAI_* failure: " = -2 EAI_NONAME (Name or service not known)". */
static void show_gai_ret(FILE *out, const srr_json *ev)
{
    int64_t ret = show_int(ev, "ret");
    fprintf(out, " = %" PRId64, ret);
    if (ret == 0)
        return;
    const char *gai = show_str(ev, "gai");
    fputc(' ', out);
    show_word(out, gai ? gai : "EAI_?");
    fprintf(out, " (%s)", srr_gai_message((int)ret));
    show_errno(out, ev);
}

/* "{family, socktype, protocol" of getaddrinfo's hints (named: with
 * their ai_ names) or of an answer */
static void show_ai_kind(FILE *out, const srr_json *o, int named)
{
    fputs(named ? "{ai_family=" : "{", out);
    SHOW_ENUM(out, show_af, show_int(o, "family"));
    fputs(named ? ", ai_socktype=" : ", ", out);
    SHOW_ENUM(out, show_socktype, show_int(o, "socktype"));
    fputs(named ? ", ai_protocol=" : ", ", out);
    SHOW_ENUM(out, show_ipproto, show_int(o, "protocol"));
}

static void show_op_getaddrinfo(struct show_ctx *c, const srr_json *ev)
{
    FILE *out = c->out;
    fputs("getaddrinfo(", out);
    show_qstr(out, srr__json_str(show_arg(ev, "node")));
    fputs(", ", out);
    show_qstr(out, srr__json_str(show_arg(ev, "service")));
    fputs(", ", out);
    show_ai_kind(out, srr__json_get(ev, "args"), 1);
    fputs(", ai_flags=", out);
    SHOW_FLAGS(out, show_ai, show_arg_int(ev, "flags"));
    fputs("})", out);
    show_gai_ret(out, ev);
    const srr_json *answers = srr__json_get(ev, "answers");
    if (show_int(ev, "ret") != 0 || !answers)
        return;
    fputs(" [", out);
    for (size_t i = 0; i < srr__json_size(answers); i++) {
        const srr_json *a = srr__json_at(answers, i);
        fputs(i ? ", " : "", out);
        show_ai_kind(out, a, 0);
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

static void show_op_getnameinfo(struct show_ctx *c, const srr_json *ev)
{
    fputs("getnameinfo(", c->out);
    show_qstr(c->out, srr__json_str(show_arg(ev, "addr")));
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

static void show_strings(FILE *out, const srr_json *array)
{
    fputs("[", out);
    for (size_t i = 0; i < srr__json_size(array); i++) {
        if (i)
            fputs(", ", out);
        show_qstr(out, srr__json_str(srr__json_at(array, i)));
    }
    fputs("]", out);
}

/* gethostbyname2_r and gethostbyaddr_r: the hostent, or h_errno. */
static void show_op_gethostby(struct show_ctx *c, const srr_json *ev)
{
    FILE *out = c->out;
    int byname = strcmp(show_str(ev, "op"), "gethostbyname2_r") == 0;
    fprintf(out, "%s(", show_str(ev, "op"));
    show_qstr(out, srr__json_str(show_arg(ev, byname ? "name" : "addr")));
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
    const srr_json *h = srr__json_get(ev, "hostent");
    if (!h)
        return;
    fputs(" {name=", out);
    show_qstr(out, show_str(h, "name"));
    fputs(", aliases=", out);
    show_strings(out, srr__json_get(h, "aliases"));
    fputs(", addrtype=", out);
    SHOW_ENUM(out, show_af, show_int(h, "addrtype"));
    fputs(", addrs=", out);
    show_strings(out, srr__json_get(h, "addrs"));
    fputs("}", out);
}

static void show_op_gethostname(struct show_ctx *c, const srr_json *ev)
{
    const char *name = show_str(ev, "name");
    fputs("gethostname()", c->out);
    show_ret(c->out, ev);
    if (name) {
        fputc(' ', c->out);
        show_qstr(c->out, name);
    }
}

static void show_op_sethostname(struct show_ctx *c, const srr_json *ev)
{
    fputs("sethostname(", c->out);
    show_qstr(c->out, srr__json_str(show_arg(ev, "name")));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

static void show_op_if_nameindex(struct show_ctx *c, const srr_json *ev)
{
    const srr_json *ifaces = srr__json_get(ev, "ifaces");
    fputs("if_nameindex()", c->out);
    show_ret(c->out, ev);
    if (!ifaces)
        return;
    fputs(" [", c->out);
    for (size_t i = 0; i < srr__json_size(ifaces); i++) {
        const srr_json *e = srr__json_at(ifaces, i);
        fprintf(c->out, "%s{%" PRId64 ", ", i ? ", " : "",
                srr__json_int(srr__json_at(e, 0)));
        show_qstr(c->out, srr__json_str(srr__json_at(e, 1)));
        fputs("}", c->out);
    }
    fputs("]", c->out);
}

static void show_op_now(struct show_ctx *c, const srr_json *ev)
{
    fputs("now(", c->out);
    SHOW_ENUM(c->out, show_clock, show_arg_int(ev, "clock"));
    fputs(")", c->out);
    show_ret(c->out, ev);
    if (srr__json_get(ev, "value")) {
        fputc(' ', c->out);
        show_secs(c->out, show_int(ev, "value"));
    }
}

static void show_op_sleep(struct show_ctx *c, const srr_json *ev)
{
    fputs("sleep(", c->out);
    SHOW_ENUM(c->out, show_clock, show_arg_int(ev, "clock"));
    fputs(", ", c->out);
    show_secs(c->out, show_arg_int(ev, "ns"));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

/* dup(fd), dup2(fd, newfd) or dup3(fd, newfd, flags) */
static void show_op_dup(struct show_ctx *c, const srr_json *ev)
{
    int64_t newfd = show_arg_int(ev, "newfd");
    const srr_json *flags = show_arg(ev, "flags");
    show_call_fd(c, newfd < 0 ? "dup" : flags ? "dup3" : "dup2", ev);
    if (newfd >= 0)
        fprintf(c->out, ", %" PRId64, newfd);
    if (newfd >= 0 && flags) {
        fputs(", ", c->out);
        show_oflags_value(c->out, srr__json_int(flags));
    }
    fputs(")", c->out);
    show_ret(c->out, ev);
}

static void show_op_unsupported(struct show_ctx *c, const srr_json *ev)
{
    fputs("unsupported(", c->out);
    if (srr__json_get(ev, "fd")) {
        show_ev_fd(c->out, &c->socks, ev);
        fputs(", ", c->out);
    }
    show_qstr(c->out, srr__json_str(show_arg(ev, "what")));
    fputs(")", c->out);
    show_ret(c->out, ev);
}

static void show_op_lost(struct show_ctx *c, const srr_json *ev)
{
    fprintf(c->out, "--- %lld events lost: the ring was full (record --ring-full drop) ---",
            (long long)show_int(ev, "count"));
}

static const struct show_op show_ops[] = {
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
    {"lost", show_op_lost, 0},
};

void show_op_names(FILE *out)
{
    for (size_t i = 0; i < COUNT(show_ops); i++)
        fprintf(out, "%s%s", i ? "," : " ", show_ops[i].name);
    fputs("\n", out);
}

const struct show_op *show_find_op(const char *name)
{
    for (size_t i = 0; i < COUNT(show_ops); i++)
        if (strcmp(show_ops[i].name, name) == 0)
            return &show_ops[i];
    return NULL;
}

/* "  12 +0.000123 [4242] " then the op's own text. */
void show_event(struct show_ctx *c, const srr_json *ev, int64_t start)
{
    int64_t rel = show_int(ev, "t") - start;
    int64_t pid = show_int(ev, "pid"), tid = show_int(ev, "tid");
    fprintf(c->out, "%4" PRId64 " +%" PRId64 ".%06" PRId64,
            show_int(ev, "seq"), rel / 1000000000, rel % 1000000000 / 1000);
    if (pid == tid)
        fprintf(c->out, " [%" PRId64 "] ", pid);
    else
        fprintf(c->out, " [%" PRId64 "/%" PRId64 "] ", pid, tid);
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

int show_ops_add(const char *verb, const char *option, const char *list, char ***ops, size_t *n,
                 size_t *cap)
{
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        char *name = strndup(p, len);
        if (!name || srr__grow((void **)ops, cap, *n + 1, sizeof **ops) < 0) {
            free(name);
            fprintf(stderr, "sockrr %s: out of memory\n", verb);
            return -1;
        }
        (*ops)[(*n)++] = name;
        if (!show_find_op(name)) {
            fprintf(stderr, "sockrr %s: %s%sunknown op '%s'; the ops are:", verb,
                    option ? option : "", option ? ": " : "", name);
            show_op_names(stderr);
            return -1;
        }
        p += len;
        if (!*p)
            return 0;
    }
}
