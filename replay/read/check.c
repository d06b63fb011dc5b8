/*
 * check.c — validates one event against docs/trace-format.md.  The format's
 * tables live here as data: one row per {op, member, JSON type, when
 * required}, so a new op or member is a new row.  After the rows come the
 * rules no table says: errno against ret, data against len, answers against
 * questions.  Members not in the table are allowed: writers may add optional
 * members without a new version.
 */
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockrr.h"
#include "trace.h"

enum check_type {
    CT_INT,
    CT_STR,
    CT_STR_OR_NULL,
    CT_BOOL,
    CT_OBJECT,
    CT_B64,       /* a string holding RFC 4648 base64 */
    CT_INT_PAIR,  /* [int, int] */
    CT_INT_ARRAY,
    CT_POLLFDS,   /* [{"fd", "sock", "events"}...] */
    CT_ANSWERS,   /* getaddrinfo's [{"family", "socktype", "protocol", "canonname", "addr"}...] */
    CT_HOSTENT,   /* {"name", "aliases", "addrtype", "addrs"} */
    CT_IFACES,    /* [[index, "name"]...] */
    CT_CMSGS,     /* [{"level", "type", "data"}...] */
};

enum check_need {
    CN_OPT,  /* present when it applies */
    CN_REQ,  /* always */
    CN_OK,   /* when the call succeeded */
};

/* How an op reports failure. */
enum check_kind {
    CK_SYS,  /* ret >= 0, or -1 with errno */
    CK_GAI,  /* ret 0, or an EAI_* code with gai (and errno for EAI_SYSTEM) */
    CK_HOST, /* ret 0, or -1 with errno (ERANGE) */
};

#define CHECK_NOMIN INT64_MIN

struct check_member {
    const char *op; /* NULL: every event */
    const char *path; /* "member" or "args.member" */
    enum check_type type;
    enum check_need need;
    int64_t min; /* integers: the least valid value, or CHECK_NOMIN */
};

static const struct check_op {
    const char *name;
    enum check_kind kind;
} check_ops[] = {
    {"socket", CK_SYS},          {"socketpair", CK_SYS},      {"bind", CK_SYS},
    {"listen", CK_SYS},          {"accept4", CK_SYS},         {"connect", CK_SYS},
    {"sendmsg", CK_SYS},         {"recvmsg", CK_SYS},         {"shutdown", CK_SYS},
    {"close", CK_SYS},           {"getsockopt", CK_SYS},      {"setsockopt", CK_SYS},
    {"getsockname", CK_SYS},     {"getpeername", CK_SYS},     {"fcntl", CK_SYS},
    {"ioctl", CK_SYS},           {"poll", CK_SYS},            {"getaddrinfo", CK_GAI},
    {"getnameinfo", CK_GAI},     {"gethostbyname2_r", CK_HOST}, {"gethostbyaddr_r", CK_HOST},
    {"gethostname", CK_SYS},     {"sethostname", CK_SYS},     {"if_nameindex", CK_SYS},
    {"now", CK_SYS},             {"sleep", CK_SYS},           {"unsupported", CK_SYS},
    {"dup", CK_SYS},             {"lost", CK_SYS},
};

#define N CHECK_NOMIN
/* Each op's rows stand together (check_rows stops at the end of them). */
static const struct check_member check_members[] = {
    /* every event */
    {NULL, "type", CT_STR, CN_REQ, N},
    {NULL, "seq", CT_INT, CN_REQ, 1},
    {NULL, "t", CT_INT, CN_REQ, 0},
    {NULL, "pid", CT_INT, CN_REQ, 0},
    {NULL, "tid", CT_INT, CN_REQ, 0},
    {NULL, "op", CT_STR, CN_REQ, N},
    {NULL, "ret", CT_INT, CN_REQ, N},
    {NULL, "errno", CT_STR, CN_OPT, N},
    {NULL, "errno_num", CT_INT, CN_OPT, 1},
    {NULL, "sock", CT_INT, CN_OPT, 1},
    {NULL, "fd", CT_INT, CN_OPT, 0},
    {NULL, "family", CT_STR, CN_OPT, N},
    {NULL, "stype", CT_STR, CN_OPT, N},
    {NULL, "local", CT_STR, CN_OPT, N},
    {NULL, "peer", CT_STR, CN_OPT, N},
    {NULL, "args", CT_OBJECT, CN_OPT, N},
    {NULL, "data", CT_B64, CN_OPT, N},
    {NULL, "len", CT_INT, CN_OPT, 0},
    {NULL, "off", CT_INT, CN_OPT, 0},
    {NULL, "capped", CT_BOOL, CN_OPT, N},

    {"socket", "args.domain", CT_INT, CN_REQ, N},
    {"socket", "args.type", CT_INT, CN_REQ, N},
    {"socket", "args.protocol", CT_INT, CN_REQ, N},
    {"socket", "sock", CT_INT, CN_OK, 1},
    {"socket", "fd", CT_INT, CN_OK, 0},

    {"socketpair", "args.domain", CT_INT, CN_REQ, N},
    {"socketpair", "args.type", CT_INT, CN_REQ, N},
    {"socketpair", "args.protocol", CT_INT, CN_REQ, N},
    {"socketpair", "socks", CT_INT_PAIR, CN_OK, 1},
    {"socketpair", "fds", CT_INT_PAIR, CN_OK, 0},

    {"bind", "args.addr", CT_STR, CN_REQ, N},
    {"bind", "sock", CT_INT, CN_REQ, 1},
    {"bind", "fd", CT_INT, CN_REQ, 0},

    {"listen", "args.backlog", CT_INT, CN_REQ, N},
    {"listen", "sock", CT_INT, CN_REQ, 1},
    {"listen", "fd", CT_INT, CN_REQ, 0},

    {"accept4", "args.flags", CT_INT, CN_REQ, N},
    {"accept4", "sock", CT_INT, CN_REQ, 1},
    {"accept4", "fd", CT_INT, CN_REQ, 0},
    {"accept4", "new_sock", CT_INT, CN_OK, 1},
    {"accept4", "new_fd", CT_INT, CN_OK, 0},
    /* the tap's names for the new connection's addresses (see show) */
    {"accept4", "new_local", CT_STR, CN_OPT, N},
    {"accept4", "new_peer", CT_STR, CN_OPT, N},

    {"connect", "args.addr", CT_STR, CN_REQ, N},
    {"connect", "sock", CT_INT, CN_REQ, 1},
    {"connect", "fd", CT_INT, CN_REQ, 0},

    {"sendmsg", "args.flags", CT_INT, CN_REQ, N},
    {"sendmsg", "args.to", CT_STR, CN_OPT, N},
    {"sendmsg", "args.iov", CT_INT, CN_REQ, 0},
    {"sendmsg", "args.cmsg", CT_CMSGS, CN_OPT, N},
    {"sendmsg", "sock", CT_INT, CN_REQ, 1},
    {"sendmsg", "fd", CT_INT, CN_REQ, 0},
    {"sendmsg", "data", CT_STR, CN_OK, N}, /* its base64: the row every event has */
    {"sendmsg", "len", CT_INT, CN_OK, 0},

    {"recvmsg", "args.flags", CT_INT, CN_REQ, N},
    {"recvmsg", "args.size", CT_INT, CN_REQ, 0},
    {"recvmsg", "sock", CT_INT, CN_REQ, 1},
    {"recvmsg", "fd", CT_INT, CN_REQ, 0},
    {"recvmsg", "data", CT_STR, CN_OK, N},
    {"recvmsg", "len", CT_INT, CN_OK, 0},
    {"recvmsg", "from", CT_STR, CN_OPT, N},
    {"recvmsg", "msg_flags", CT_INT, CN_OPT, N},
    {"recvmsg", "cmsg", CT_CMSGS, CN_OPT, N},

    {"shutdown", "args.how", CT_INT, CN_REQ, N},
    {"shutdown", "sock", CT_INT, CN_REQ, 1},
    {"shutdown", "fd", CT_INT, CN_REQ, 0},

    {"close", "sock", CT_INT, CN_REQ, 1},
    {"close", "fd", CT_INT, CN_REQ, 0},

    {"getsockopt", "args.level", CT_INT, CN_REQ, N},
    {"getsockopt", "args.name", CT_INT, CN_REQ, N},
    {"getsockopt", "args.size", CT_INT, CN_REQ, 0},
    {"getsockopt", "sock", CT_INT, CN_REQ, 1},
    {"getsockopt", "fd", CT_INT, CN_REQ, 0},
    {"getsockopt", "value", CT_B64, CN_OK, N},

    {"setsockopt", "args.level", CT_INT, CN_REQ, N},
    {"setsockopt", "args.name", CT_INT, CN_REQ, N},
    {"setsockopt", "args.value", CT_B64, CN_REQ, N},
    {"setsockopt", "sock", CT_INT, CN_REQ, 1},
    {"setsockopt", "fd", CT_INT, CN_REQ, 0},

    {"getsockname", "sock", CT_INT, CN_REQ, 1},
    {"getsockname", "fd", CT_INT, CN_REQ, 0},
    {"getsockname", "addr", CT_STR, CN_OK, N},
    {"getpeername", "sock", CT_INT, CN_REQ, 1},
    {"getpeername", "fd", CT_INT, CN_REQ, 0},
    {"getpeername", "addr", CT_STR, CN_OK, N},

    /* F_GETFL and F_GETFD take no argument: arg is optional */
    {"fcntl", "args.cmd", CT_INT, CN_REQ, N},
    {"fcntl", "args.arg", CT_INT, CN_OPT, N},
    {"fcntl", "sock", CT_INT, CN_REQ, 1},
    {"fcntl", "fd", CT_INT, CN_REQ, 0},
    {"fcntl", "new_fd", CT_INT, CN_OPT, 0},

    /* dup, dup2, dup3: args.newfd is -1 for dup */
    {"dup", "args.newfd", CT_INT, CN_REQ, -1},
    {"dup", "args.flags", CT_INT, CN_OPT, N},
    {"dup", "sock", CT_INT, CN_REQ, 1},
    {"dup", "fd", CT_INT, CN_REQ, 0},
    {"dup", "new_fd", CT_INT, CN_OPT, 0},

    /* FIONBIO's argument: the table puts `arg` beside `value`; a writer
     * that files it under args is read the same */
    {"ioctl", "args.request", CT_INT, CN_REQ, N},
    {"ioctl", "args.arg", CT_INT, CN_OPT, N},
    {"ioctl", "sock", CT_INT, CN_REQ, 1},
    {"ioctl", "fd", CT_INT, CN_REQ, 0},
    {"ioctl", "value", CT_INT, CN_OPT, N},
    {"ioctl", "arg", CT_INT, CN_OPT, N},

    {"poll", "args.timeout_ns", CT_INT, CN_REQ, -1},
    {"poll", "args.fds", CT_POLLFDS, CN_REQ, N},
    {"poll", "revents", CT_INT_ARRAY, CN_OK, 0},

    {"getaddrinfo", "args.node", CT_STR_OR_NULL, CN_REQ, N},
    {"getaddrinfo", "args.service", CT_STR_OR_NULL, CN_REQ, N},
    {"getaddrinfo", "args.family", CT_INT, CN_REQ, N},
    {"getaddrinfo", "args.socktype", CT_INT, CN_REQ, N},
    {"getaddrinfo", "args.protocol", CT_INT, CN_REQ, N},
    {"getaddrinfo", "args.flags", CT_INT, CN_REQ, N},
    {"getaddrinfo", "gai", CT_STR, CN_OPT, N},
    {"getaddrinfo", "answers", CT_ANSWERS, CN_OK, N},

    {"getnameinfo", "args.addr", CT_STR, CN_REQ, N},
    {"getnameinfo", "args.flags", CT_INT, CN_REQ, N},
    {"getnameinfo", "gai", CT_STR, CN_OPT, N},
    {"getnameinfo", "host", CT_STR, CN_OK, N},
    {"getnameinfo", "serv", CT_STR, CN_OK, N},

    {"gethostbyname2_r", "args.name", CT_STR, CN_REQ, N},
    {"gethostbyname2_r", "args.af", CT_INT, CN_REQ, N},
    {"gethostbyname2_r", "h_errno", CT_STR, CN_OPT, N},
    {"gethostbyname2_r", "hostent", CT_HOSTENT, CN_OPT, N},

    {"gethostbyaddr_r", "args.addr", CT_STR, CN_REQ, N},
    {"gethostbyaddr_r", "args.type", CT_INT, CN_REQ, N},
    {"gethostbyaddr_r", "h_errno", CT_STR, CN_OPT, N},
    {"gethostbyaddr_r", "hostent", CT_HOSTENT, CN_OPT, N},

    {"gethostname", "name", CT_STR, CN_OK, N},
    {"sethostname", "args.name", CT_STR, CN_REQ, N},
    {"if_nameindex", "ifaces", CT_IFACES, CN_OK, N},

    {"now", "args.clock", CT_INT, CN_REQ, N},
    {"now", "value", CT_INT, CN_OK, N},
    {"sleep", "args.clock", CT_INT, CN_REQ, N},
    {"sleep", "args.ns", CT_INT, CN_REQ, 0},

    {"unsupported", "args.what", CT_STR, CN_REQ, N},
    {"unsupported", "sock", CT_INT, CN_OPT, 1},
    {"unsupported", "fd", CT_INT, CN_OPT, 0},

    /* events a full ring dropped (record --ring-full drop) before this one */
    {"lost", "count", CT_INT, CN_REQ, 1},
};
#undef N


const char *srr__trace_type_name(const srr_json *v)
{
    switch (v ? v->type : SRR_JSON_NULL) {
    case SRR_JSON_OBJECT: return "an object";
    case SRR_JSON_ARRAY: return "an array";
    case SRR_JSON_STRING: return "a string";
    case SRR_JSON_INT: return "an integer";
    case SRR_JSON_REAL: return "a number with a fraction or exponent";
    case SRR_JSON_BOOL: return "a boolean";
    case SRR_JSON_NULL: return "null";
    }
    return "?";
}

/* Compact JSON of v cut to a message's length: the offending token. */
const char *srr__trace_token(const srr_json *v, char *buf, size_t len)
{
    char s[41];
    if (!v)
        snprintf(buf, len, "?");
    else if (srr__json_dump(v, s, sizeof s) > 40)
        snprintf(buf, len, "%.37s...", s);
    else
        snprintf(buf, len, "%s", s);
    return buf;
}

static int check_wrong_type(const char *field, const char *want, const srr_json *v,
                            srr_parse_error *err)
{
    char tok[48];
    return srr__parse_fail(err, SRR_PARSE_ETYPE, field, "expected %s, got %s %s", want,
                           srr__trace_type_name(v), srr__trace_token(v, tok, sizeof tok));
}

static int check_int(const char *field, const srr_json *v, int64_t min, srr_parse_error *err)
{
    if (!srr__json_is(v, SRR_JSON_INT))
        return check_wrong_type(field, "an integer", v, err);
    if (min != CHECK_NOMIN && srr__json_int(v) < min)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, field,
                               "must be >= %" PRId64 ", got %" PRId64, min,
                               srr__json_int(v));
    return 0;
}

static int check_str(const char *field, const srr_json *v, srr_parse_error *err)
{
    return srr__json_is(v, SRR_JSON_STRING) ? 0 : check_wrong_type(field, "a string", v, err);
}

static int check_b64(const char *field, const srr_json *v, srr_parse_error *err)
{
    if (!srr__json_is(v, SRR_JSON_STRING))
        return check_wrong_type(field, "a base64 string", v, err);
    /* checked in place: a payload is not copied to be looked at, and no
     * allocation can fail and be taken for bad data */
    if (!srr__b64_valid(srr__json_str(v), srr__json_strlen(v))) {
        char tok[48];
        return srr__parse_fail(err, SRR_PARSE_EVALUE, field,
                               "not valid base64 (RFC 4648, padded): %s",
                               srr__trace_token(v, tok, sizeof tok));
    }
    return 0;
}

/* An object member of an array element: "args.fds[2].events". */
static int check_elem_member(const char *field, size_t i, const srr_json *obj, const char *name,
                             enum check_type type, int required, srr_parse_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "%s[%zu].%s", field, i, name);
    const srr_json *v = srr__json_get(obj, name);
    if (!v)
        return required ? srr__parse_fail(err, SRR_PARSE_EMISSING, path, "missing") : 0;
    switch (type) {
    case CT_INT: return check_int(path, v, CHECK_NOMIN, err);
    case CT_STR: return check_str(path, v, err);
    case CT_STR_OR_NULL: return srr__json_is(v, SRR_JSON_NULL) ? 0 : check_str(path, v, err);
    case CT_B64: return check_b64(path, v, err);
    default: return 0;
    }
}

/* Each element of array v is an object; checks the listed members. */
/* A member of the objects inside an array (poll's fds, getaddrinfo's answers). */
struct check_elem {
    const char *name;
    enum check_type type;
    int required;
};

static int check_array_of_objects(const char *field, const srr_json *v,
                                  const struct check_elem *elems, size_t nelems,
                                  srr_parse_error *err)
{
    if (!srr__json_is(v, SRR_JSON_ARRAY))
        return check_wrong_type(field, "an array", v, err);
    for (size_t i = 0; i < srr__json_size(v); i++) {
        const srr_json *e = srr__json_at(v, i);
        if (!srr__json_is(e, SRR_JSON_OBJECT)) {
            char path[64];
            snprintf(path, sizeof path, "%s[%zu]", field, i);
            return check_wrong_type(path, "an object", e, err);
        }
        for (size_t k = 0; k < nelems; k++)
            if (check_elem_member(field, i, e, elems[k].name, elems[k].type, elems[k].required,
                                  err) < 0)
                return -1;
    }
    return 0;
}

static const struct check_elem check_pollfd[] = {
    {"fd", CT_INT, 1}, {"sock", CT_INT, 0}, {"events", CT_INT, 1}};
static const struct check_elem check_answer[] = {
    {"family", CT_INT, 1}, {"socktype", CT_INT, 1}, {"protocol", CT_INT, 1},
    {"canonname", CT_STR_OR_NULL, 0}, {"addr", CT_STR, 1}};
static const struct check_elem check_cmsg[] = {
    {"level", CT_INT, 1}, {"type", CT_INT, 1}, {"data", CT_B64, 1}};

static int check_array_of(const char *field, const srr_json *v, enum check_type elem,
                          int64_t min, srr_parse_error *err)
{
    if (!srr__json_is(v, SRR_JSON_ARRAY))
        return check_wrong_type(field, "an array", v, err);
    for (size_t i = 0; i < srr__json_size(v); i++) {
        char path[64];
        snprintf(path, sizeof path, "%s[%zu]", field, i);
        const srr_json *e = srr__json_at(v, i);
        if (elem == CT_INT ? check_int(path, e, min, err) : check_str(path, e, err))
            return -1;
    }
    return 0;
}

static int check_hostent(const char *field, const srr_json *v, srr_parse_error *err)
{
    char path[64];
    if (!srr__json_is(v, SRR_JSON_OBJECT))
        return check_wrong_type(field, "an object", v, err);
    static const char *const names[] = {"name", "aliases", "addrtype", "addrs"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s.%s", field, names[i]);
        const srr_json *m = srr__json_get(v, names[i]);
        if (!m)
            return srr__parse_fail(err, SRR_PARSE_EMISSING, path, "missing");
        int rc = i == 0   ? check_str(path, m, err)
                 : i == 2 ? check_int(path, m, CHECK_NOMIN, err)
                          : check_array_of(path, m, CT_STR, CHECK_NOMIN, err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int check_ifaces(const char *field, const srr_json *v, srr_parse_error *err)
{
    if (!srr__json_is(v, SRR_JSON_ARRAY))
        return check_wrong_type(field, "an array", v, err);
    for (size_t i = 0; i < srr__json_size(v); i++) {
        char path[64];
        snprintf(path, sizeof path, "%s[%zu]", field, i);
        const srr_json *e = srr__json_at(v, i);
        if (!srr__json_is(e, SRR_JSON_ARRAY) || srr__json_size(e) != 2 ||
            !srr__json_is(srr__json_at(e, 0), SRR_JSON_INT) ||
            !srr__json_is(srr__json_at(e, 1), SRR_JSON_STRING))
            return check_wrong_type(path, "[index, \"name\"]", e, err);
    }
    return 0;
}

static int check_value(const char *field, const srr_json *v, enum check_type type, int64_t min,
                       srr_parse_error *err)
{
    switch (type) {
    case CT_INT: return check_int(field, v, min, err);
    case CT_STR: return check_str(field, v, err);
    case CT_STR_OR_NULL: return srr__json_is(v, SRR_JSON_NULL) ? 0 : check_str(field, v, err);
    case CT_BOOL:
        return srr__json_is(v, SRR_JSON_BOOL) ? 0 : check_wrong_type(field, "true", v, err);
    case CT_OBJECT:
        return srr__json_is(v, SRR_JSON_OBJECT) ? 0 : check_wrong_type(field, "an object", v, err);
    case CT_B64: return check_b64(field, v, err);
    case CT_INT_PAIR:
        if (!srr__json_is(v, SRR_JSON_ARRAY) || srr__json_size(v) != 2)
            return check_wrong_type(field, "an array of 2 integers", v, err);
        return check_array_of(field, v, CT_INT, min, err);
    case CT_INT_ARRAY: return check_array_of(field, v, CT_INT, min, err);
    case CT_POLLFDS: return check_array_of_objects(field, v, check_pollfd, 3, err);
    case CT_ANSWERS: return check_array_of_objects(field, v, check_answer, 5, err);
    case CT_CMSGS: return check_array_of_objects(field, v, check_cmsg, 3, err);
    case CT_HOSTENT: return check_hostent(field, v, err);
    case CT_IFACES: return check_ifaces(field, v, err);
    }
    return 0;
}

/* The member a path names: "x" or "args.x". */
static const srr_json *check_lookup(const srr_json *ev, const char *path)
{
    if (strncmp(path, "args.", 5) == 0)
        return srr__json_get(srr__json_get(ev, "args"), path + 5);
    return srr__json_get(ev, path);
}

static const struct check_op *check_find_op(const char *name)
{
    for (size_t i = 0; i < sizeof check_ops / sizeof check_ops[0]; i++)
        if (strcmp(check_ops[i].name, name) == 0)
            return &check_ops[i];
    return NULL;
}

/* Whether the call succeeded, by its op's convention. */
static int check_succeeded(const struct check_op *op, int64_t ret)
{
    return op->kind == CK_SYS ? ret >= 0 : ret == 0;
}

/* Runs the rows for op (NULL: the common rows). */
static int check_rows(const srr_json *ev, const char *op, int ok, srr_parse_error *err)
{
    int in_group = 0;
    for (size_t i = 0; i < sizeof check_members / sizeof check_members[0]; i++) {
        const struct check_member *m = &check_members[i];
        int mine = op ? m->op && m->op[0] == op[0] && strcmp(m->op, op) == 0 : m->op == NULL;
        if (!mine && in_group)
            break; /* an op's rows stand together in the table */
        if (!mine)
            continue;
        in_group = 1;
        const srr_json *v = check_lookup(ev, m->path);
        if (!v) {
            if (m->need == CN_REQ && !op)
                return srr__parse_fail(err, SRR_PARSE_EMISSING, m->path,
                                       "missing: every event has it");
            if (m->need == CN_REQ)
                return srr__parse_fail(err, SRR_PARSE_EMISSING, m->path,
                                       "missing: every %s event has it", op);
            if (m->need == CN_OK && ok)
                return srr__parse_fail(err, SRR_PARSE_EMISSING, m->path,
                                       "missing: a successful %s has it", op);
            continue;
        }
        if (check_value(m->path, v, m->type, m->min, err) < 0)
            return -1;
    }
    return 0;
}

/* errno and errno_num: both or neither, and the name the number's. */
static int check_errno(const srr_json *ev, int required, const char *why, srr_parse_error *err)
{
    const srr_json *name = srr__json_get(ev, "errno");
    const srr_json *num = srr__json_get(ev, "errno_num");
    if (!name && !num) {
        if (required)
            return srr__parse_fail(err, SRR_PARSE_EMISSING, "errno", "missing: %s", why);
        return 0;
    }
    if (!name)
        return srr__parse_fail(err, SRR_PARSE_EMISSING, "errno", "missing beside errno_num");
    if (!num)
        return srr__parse_fail(err, SRR_PARSE_EMISSING, "errno_num", "missing beside errno");
    const char *s = srr__json_str(name);
    int64_t n = srr__json_int(num);
    const char *want = n <= INT32_MAX ? srr_errno_name((int)n) : NULL;
    if (want && strcmp(s, want) != 0)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "errno",
                               "\"%s\" does not match errno_num %" PRId64 " (%s)", s, n,
                               want);
    if (!want && strcmp(s, "E?") != 0)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "errno",
                               "\"%s\" for errno_num %" PRId64
                               ", which has no name (expected \"E?\")", s, n);
    return 0;
}

/* ret against errno and gai, by the op's failure convention. */
static int check_result(const srr_json *ev, const struct check_op *op, int64_t ret,
                        srr_parse_error *err)
{
    switch (op->kind) {
    case CK_SYS:
        if (ret < -1)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ret",
                                   "must be >= 0 or -1 (a failure), got %" PRId64, ret);
        return check_errno(ev, ret == -1, "ret is -1 (a failed call)", err);
    case CK_HOST:
        if (ret != 0 && ret != -1)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "ret",
                                   "must be 0 or -1, got %" PRId64, ret);
        return check_errno(ev, ret == -1, "ret is -1 (a failed call)", err);
    case CK_GAI: {
        if (ret == 0)
            return check_errno(ev, 0, "", err);
        const srr_json *gai = srr__json_get(ev, "gai");
        if (!gai)
            return srr__parse_fail(err, SRR_PARSE_EMISSING, "gai",
                                   "missing: ret %" PRId64 " is an EAI_* failure", ret);
        const char *want = ret >= INT32_MIN && ret <= INT32_MAX ? srr_gai_name((int)ret) : NULL;
        if (want && strcmp(srr__json_str(gai), want) != 0)
            return srr__parse_fail(err, SRR_PARSE_EVALUE, "gai",
                                   "\"%s\" does not match ret %" PRId64 " (%s)",
                                   srr__json_str(gai), ret, want);
        return check_errno(ev, ret == EAI_SYSTEM, "ret is EAI_SYSTEM", err);
    }
    }
    return 0;
}

/* data decodes to len bytes, or to at most len when capped. */
static int check_data(const srr_json *ev, const char *op, int ok, int64_t ret,
                      srr_parse_error *err)
{
    const srr_json *data = srr__json_get(ev, "data");
    const srr_json *len = srr__json_get(ev, "len");
    int capped = srr__json_is_true(srr__json_get(ev, "capped"));
    if (!data) {
        if (capped)
            return srr__parse_fail(err, SRR_PARSE_EMISSING, "data", "missing, yet capped is true");
        return 0;
    }
    if (!len)
        return srr__parse_fail(err, SRR_PARSE_EMISSING, "len", "missing beside data");
    /* its base64 was checked once, by the row every event has */
    size_t n = srr__b64_decoded_len(srr__json_str(data), srr__json_strlen(data));
    int64_t want = srr__json_int(len);
    if (!capped && (int64_t)n != want)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "data",
                               "decodes to %zu bytes, but len is %" PRId64
                               " (and capped is not set)", n, want);
    if (capped && (int64_t)n > want)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "data",
                               "decodes to %zu bytes, more than len %" PRId64, n, want);
    if (ok && (strcmp(op, "sendmsg") == 0 || strcmp(op, "recvmsg") == 0) && want != ret)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "len",
                               "%" PRId64 " differs from ret %" PRId64
                               " (the bytes moved)", want, ret);
    return 0;
}

/* poll: one revents entry per polled descriptor. */
static int check_poll(const srr_json *ev, srr_parse_error *err)
{
    const srr_json *fds = srr__json_get(srr__json_get(ev, "args"), "fds");
    const srr_json *revents = srr__json_get(ev, "revents");
    if (revents && srr__json_size(revents) != srr__json_size(fds))
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "revents",
                               "%zu entries for %zu polled descriptors", srr__json_size(revents),
                               srr__json_size(fds));
    return 0;
}

int srr__trace_check_event(const srr_json *event, srr_parse_error *err)
{
    char tok[48];
    if (!srr__json_is(event, SRR_JSON_OBJECT))
        return check_wrong_type("", "an object", event, err);
    const srr_json *type = srr__json_get(event, "type");
    if (srr__json_is(type, SRR_JSON_STRING) && strcmp(srr__json_str(type), "event") != 0)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "type", "expected \"event\", got %s",
                               srr__trace_token(type, tok, sizeof tok));
    if (check_rows(event, NULL, 0, err) < 0)
        return -1;
    const char *opname = srr__json_str(srr__json_get(event, "op"));
    const struct check_op *op = check_find_op(opname);
    if (!op)
        return srr__parse_fail(err, SRR_PARSE_EVALUE, "op", "unknown op \"%s\"", opname);
    int64_t ret = srr__json_int(srr__json_get(event, "ret"));
    int ok = check_succeeded(op, ret);
    if (check_rows(event, op->name, ok, err) < 0 || check_result(event, op, ret, err) < 0 ||
        check_data(event, op->name, ok, ret, err) < 0)
        return -1;
    if (strcmp(op->name, "poll") == 0 && check_poll(event, err) < 0)
        return -1;
    return 0;
}
