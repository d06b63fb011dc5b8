/*
 * config_services.c — a sim config's services ("HOST:PORT" keys and their
 * scripts, or a trace to play) and its fault plan (match, action,
 * parameters, and rules that could never match).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "json.h"
#include "sim_config.h"
#include "grow.h"
#include "sim_config_int.h"

/* ------------------------------------------------------------- services */

/* "HOST:PORT", "v4:PORT" or "[v6]:PORT" → host index and port. */
static int cfg_service_key(cfg *x, const srr_json_member *m, long *host, int *port)
{
    const sim_config *c = x->c;
    const char *k = m->key, *colon;
    char q[96], hostpart[256], a[INET6_ADDRSTRLEN];
    size_t hl;
    sim_ip ip = {0};
    int is_ip = 0;
    if (k[0] == '[') {
        const char *close = strchr(k, ']');
        if (!close || close[1] != ':')
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EVALUE,
                               "not HOST:PORT or [IPv6]:PORT: %s", srr__cfg_quote(k, q, sizeof q));
        hl = (size_t)(close - k - 1);
        colon = close + 1;
        if (hl >= sizeof hostpart)
            hl = sizeof hostpart - 1;
        memcpy(hostpart, k + 1, hl);
        hostpart[hl] = '\0';
        if (inet_pton(AF_INET6, hostpart, &ip.a.v6) != 1)
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EVALUE,
                                    "not an IPv6 address in brackets: %s",
                                    srr__cfg_quote(k, q, sizeof q));
        ip.family = AF_INET6;
        is_ip = 1;
    } else {
        colon = strrchr(k, ':');
        if (!colon)
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EVALUE, "not HOST:PORT: %s",
                               srr__cfg_quote(k, q, sizeof q));
        hl = (size_t)(colon - k);
        if (hl == 0)
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EVALUE, "not HOST:PORT: %s",
                               srr__cfg_quote(k, q, sizeof q));
        if (memchr(k, ':', hl))
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EVALUE,
                               "an IPv6 address needs brackets, as in \"[2001:db8::5]:443\": %s",
                               srr__cfg_quote(k, q, sizeof q));
        if (hl >= sizeof hostpart)
            hl = sizeof hostpart - 1;
        memcpy(hostpart, k, hl);
        hostpart[hl] = '\0';
        if (inet_pton(AF_INET, hostpart, &ip.a.v4) == 1)
            ip.family = AF_INET, is_ip = 1;
    }
    const char *p = colon + 1;
    long pv = 0;
    size_t nd = strspn(p, "0123456789");
    if (nd == 0 || nd > 5 || p[nd] != '\0' || (pv = strtol(p, NULL, 10)) < 1 || pv > 65535)
        return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EVALUE,
                           "the port must be 1-65535: %s", srr__cfg_quote(k, q, sizeof q));
    *port = (int)pv;
    if (is_ip) {
        *host = srr__cfg_host_with(c, &ip);
        if (*host < 0)
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EREF,
                                    "no host has the address %s",
                                    srr__cfg_ip_text(&ip, a, sizeof a));
    } else {
        *host = srr__cfg_host_named(c, c->nhosts, hostpart);
        if (*host < 0)
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EREF, "no host %s in hosts",
                               srr__cfg_quote(hostpart, q, sizeof q));
    }
    return 0;
}

static int cfg_step(cfg *x, const srr_json *v, sim_step *st)
{
    static const char *const keys[] = {"expect", "send", "wait", "close", "reset", NULL};
    if (srr__cfg_type(x, v, SRR_JSON_OBJECT, "a step object") < 0 || srr__cfg_keys(x, v, keys) < 0)
        return -1;
    if (v->u.obj.n != 1)
        return cfg_fail(x, v, SRR_PARSE_EVALUE,
                        "a step is exactly one of expect, send, wait, close, reset");
    const srr_json_member *m = &v->u.obj.members[0];
    const srr_json *e = &m->value;
    size_t mark = srr__cfg_push(x, m->key);
    int on;
    if (strcmp(m->key, "expect") == 0 || strcmp(m->key, "send") == 0) {
        st->kind = m->key[0] == 'e' ? SIM_STEP_EXPECT : SIM_STEP_SEND;
        if (srr__cfg_bytes(x, e, &st->data, &st->len) < 0)
            return -1;
    } else if (strcmp(m->key, "wait") == 0) {
        st->kind = SIM_STEP_WAIT;
        if (srr__cfg_duration(x, e, &st->ns) < 0)
            return -1;
    } else {
        st->kind = m->key[0] == 'c' ? SIM_STEP_CLOSE : SIM_STEP_RESET;
        if (srr__cfg_bool(x, e, &on) < 0)
            return -1;
        if (!on)
            return cfg_fail(x, e, SRR_PARSE_EVALUE, "\"%s\" can only be true", m->key);
    }
    srr__cfg_pop(x, mark);
    return 0;
}

/* A script's step i: none may follow a close or a reset. */
static int cfg_script_step(cfg *x, const srr_json *v, size_t i, void *ctx)
{
    sim_service *sv = ctx;
    if (i > 0 &&
        (sv->script[i - 1].kind == SIM_STEP_CLOSE || sv->script[i - 1].kind == SIM_STEP_RESET))
        return cfg_fail(x, v, SRR_PARSE_EVALUE,
                        "comes after the connection is closed, so it never runs");
    return cfg_step(x, v, &sv->script[i]);
}

static int cfg_service(cfg *x, const srr_json_member *m, const srr_json *v, size_t si)
{
    static const char *const keys[] = {"script", "trace", "proto", NULL};
    sim_config *c = x->c;
    sim_service *sv = &c->services[si];
    const srr_json *e;
    long host = -1;
    size_t mark;
    char q[96];
    if (cfg_service_key(x, m, &host, &sv->port) < 0)
        return -1;
    if (!(sv->host = strdup(c->hosts[host].name)))
        return srr__cfg_oom(x);
    sv->proto = IPPROTO_TCP;
    for (size_t k = 0; k < si; k++)
        if (c->services[k].port == sv->port && strcmp(c->services[k].host, sv->host) == 0)
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EDUPLICATE,
                               "host \"%s\" port %d already has a service", sv->host, sv->port);
    if (srr__cfg_type(x, v, SRR_JSON_OBJECT, "an object") < 0 || srr__cfg_keys(x, v, keys) < 0)
        return -1;
    if ((e = srr__cfg_enter(x, v, "proto", &mark))) {
        if (srr__cfg_type(x, e, SRR_JSON_STRING, "a protocol name") < 0)
            return -1;
        if (strcmp(e->u.str.s, "tcp") != 0)
            return cfg_fail(x, e, SRR_PARSE_EVALUE, "unsupported proto %s (only \"tcp\" for now)",
                            srr__cfg_quote(e->u.str.s, q, sizeof q));
        srr__cfg_pop(x, mark);
    }
    const srr_json_member *sm = srr__json_member(v, "script"), *tm = srr__json_member(v, "trace");
    if (!sm && !tm)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "needs \"script\" or \"trace\"");
    if (sm && tm) {
        const srr_json_member *later = sm < tm ? tm : sm;
        srr__cfg_push(x, later->key);
        return srr__cfg_fail_at(x, later->line, later->column, SRR_PARSE_EVALUE,
                           "\"script\" and \"trace\" cannot both be given");
    }
    if (tm) {
        e = srr__cfg_enter(x, v, "trace", &mark);
        if (srr__cfg_type(x, e, SRR_JSON_STRING, "a trace file name") < 0)
            return -1;
        if (e->u.str.len == 0)
            return cfg_fail(x, e, SRR_PARSE_EVALUE, "an empty file name");
        if (!(sv->trace = strdup(e->u.str.s)))
            return srr__cfg_oom(x);
        srr__cfg_pop(x, mark);
        return 0;
    }
    e = srr__cfg_enter(x, v, "script", &mark);
    if (srr__cfg_type(x, e, SRR_JSON_ARRAY, "an array of steps") < 0)
        return -1;
    if (srr__grow((void **)&sv->script, &sv->script_cap, e->u.arr.n, sizeof *sv->script) < 0)
        return srr__cfg_oom(x);
    if (srr__cfg_items(x, e, &sv->nscript, cfg_script_step, sv) < 0)
        return -1;
    srr__cfg_pop(x, mark);
    return 0;
}

int srr__cfg_services(cfg *x, const srr_json *v)
{
    size_t cap = 0;
    return srr__cfg_each(x, v, SRR_JSON_OBJECT, "an object of services", "services",
                         (void **)&x->c->services, &cap, sizeof *x->c->services,
                         &x->c->nservices, cfg_service);
}

/* --------------------------------------------------------------- faults */

static const struct {
    const char *name;
    sim_action action;
    const char *param; /* its one parameter, or NULL */
    int required;
} cfg_actions[] = {
    {"refuse", SIM_FAULT_REFUSE, NULL, 0},
    {"blackhole", SIM_FAULT_BLACKHOLE, NULL, 0},
    {"unreachable", SIM_FAULT_UNREACHABLE, "net", 0},
    {"reset", SIM_FAULT_RESET, "bytes", 1},
    {"stall", SIM_FAULT_STALL, "bytes", 1},
    {"short_write", SIM_FAULT_SHORT_WRITE, "bytes", 1},
    {"chunk_read", SIM_FAULT_CHUNK_READ, "bytes", 1},
    {"eintr", SIM_FAULT_EINTR, NULL, 0},
    {"eagain", SIM_FAULT_EAGAIN, NULL, 0},
    {"latency", SIM_FAULT_LATENCY, "delay", 1},
    {"bandwidth", SIM_FAULT_BANDWIDTH, "rate", 1},
    {"loss", SIM_FAULT_LOSS, "probability", 1},
    {"duplicate", SIM_FAULT_DUPLICATE, "probability", 1},
    {"reorder", SIM_FAULT_REORDER, "probability", 1},
};
#define CFG_NACTIONS (sizeof cfg_actions / sizeof cfg_actions[0])

static int cfg_match(cfg *x, const srr_json *v, sim_match *mt)
{
    static const char *const keys[] = {"host", "addr", "port", "conn", "direction",
                                       "after_bytes", "call", "from", "until", NULL};
    sim_config *c = x->c;
    const srr_json *e, *from_v = NULL;
    size_t mark;
    int64_t n;
    char q[96], a[INET6_ADDRSTRLEN];
    if (srr__cfg_type(x, v, SRR_JSON_OBJECT, "a match object") < 0 || srr__cfg_keys(x, v, keys) < 0)
        return -1;
    if ((e = srr__cfg_enter(x, v, "host", &mark))) {
        if (srr__cfg_type(x, e, SRR_JSON_STRING, "a host name") < 0)
            return -1;
        long h = srr__cfg_host_named(c, c->nhosts, e->u.str.s);
        if (h < 0)
            return cfg_fail(x, e, SRR_PARSE_ENEVER,
                            "no host %s in hosts, so the rule never matches",
                            srr__cfg_quote(e->u.str.s, q, sizeof q));
        if (!(mt->host = strdup(c->hosts[h].name)))
            return srr__cfg_oom(x);
        srr__cfg_pop(x, mark);
    }
    if ((e = srr__cfg_enter(x, v, "addr", &mark))) {
        if (srr__cfg_addr(x, e, &mt->addr) < 0)
            return -1;
        if (srr__cfg_host_with(c, &mt->addr) < 0)
            return cfg_fail(x, e, SRR_PARSE_ENEVER,
                            "no host has the address %s, so the rule never matches",
                            srr__cfg_ip_text(&mt->addr, a, sizeof a));
        srr__cfg_pop(x, mark);
    }
    n = mt->port;
    if (srr__cfg_opt_int(x, v, "port", 0, 65535, &n) < 0)
        return -1;
    mt->port = (int)n;
    n = mt->conn_index;
    if (srr__cfg_opt_int(x, v, "conn", 0, LONG_MAX, &n) < 0)
        return -1;
    mt->conn_index = (long)n;
    if ((e = srr__cfg_enter(x, v, "direction", &mark))) {
        if (srr__cfg_type(x, e, SRR_JSON_STRING, "\"out\" or \"in\"") < 0)
            return -1;
        if (strcmp(e->u.str.s, "out") == 0)
            mt->direction = 1;
        else if (strcmp(e->u.str.s, "in") == 0)
            mt->direction = 2;
        else
            return cfg_fail(x, e, SRR_PARSE_EVALUE, "expected \"out\" or \"in\", got %s",
                            srr__cfg_quote(e->u.str.s, q, sizeof q));
        srr__cfg_pop(x, mark);
    }
    n = mt->call_count;
    if (srr__cfg_opt_int(x, v, "after_bytes", 0, INT64_MAX, &mt->after_bytes) < 0 ||
        srr__cfg_opt_int(x, v, "call", 0, LONG_MAX, &n) < 0 ||
        srr__cfg_opt_ns(x, v, "until", srr__cfg_duration, &mt->until_ns) < 0)
        return -1;
    mt->call_count = (long)n;
    if ((from_v = srr__cfg_enter(x, v, "from", &mark))) {
        if (srr__cfg_duration(x, from_v, &mt->from_ns) < 0)
            return -1;
        if (mt->until_ns >= 0 && mt->from_ns > mt->until_ns) {
            char f[48], u[48];
            return cfg_fail(x, from_v, SRR_PARSE_ENEVER,
                            "from (%s) is after until (%s), so the rule never matches",
                            srr__cfg_ns_text(mt->from_ns, f, sizeof f),
                            srr__cfg_ns_text(mt->until_ns, u, sizeof u));
        }
        srr__cfg_pop(x, mark);
    }
    return 0;
}

static int cfg_param(cfg *x, const srr_json *rule, size_t ai, sim_fault *f)
{
    const char *p = cfg_actions[ai].param;
    size_t mark;
    char g[128];
    if (!p)
        return 0;
    const srr_json *v = srr__cfg_enter(x, rule, p, &mark);
    if (!v) {
        if (!cfg_actions[ai].required)
            return 0;
        return cfg_fail(x, rule, SRR_PARSE_EVALUE, "action %s needs \"%s\"", cfg_actions[ai].name,
                        p);
    }
    switch (f->action) {
    case SIM_FAULT_UNREACHABLE: {
        int net;
        if (srr__cfg_bool(x, v, &net) < 0)
            return -1;
        f->errnum = net ? ENETUNREACH : EHOSTUNREACH;
        break;
    }
    case SIM_FAULT_RESET:
    case SIM_FAULT_STALL:
        if (srr__cfg_int(x, v, 0, INT64_MAX, &f->bytes) < 0)
            return -1;
        break;
    case SIM_FAULT_SHORT_WRITE:
    case SIM_FAULT_CHUNK_READ:
        /* 0 bytes per call would make every send or receive a no-op forever */
        if (srr__cfg_int(x, v, 1, INT64_MAX, &f->bytes) < 0)
            return -1;
        break;
    case SIM_FAULT_LATENCY:
        if (srr__cfg_duration(x, v, &f->ns) < 0)
            return -1;
        break;
    case SIM_FAULT_BANDWIDTH:
        if (srr__cfg_int(x, v, 1, INT64_MAX, &f->rate) < 0)
            return -1;
        break;
    default: /* LOSS, DUPLICATE, REORDER */
        if (v->type == SRR_JSON_INT)
            f->probability = (double)v->u.integer;
        else if (v->type == SRR_JSON_REAL)
            f->probability = v->u.real;
        else
            return cfg_fail(x, v, SRR_PARSE_ETYPE, "expected a number 0-1, got %s",
                            srr__cfg_got(v, g, sizeof g));
        if (!(f->probability >= 0 && f->probability <= 1))
            return cfg_fail(x, v, SRR_PARSE_EVALUE, "a probability is 0-1, got %g", f->probability);
        break;
    }
    srr__cfg_pop(x, mark);
    return 0;
}

static int cfg_same_rule(const sim_fault *a, const sim_fault *b)
{
    const sim_match *m = &a->match, *n = &b->match;
    if ((m->host == NULL) != (n->host == NULL) || (m->host && strcmp(m->host, n->host) != 0))
        return 0;
    return srr__cfg_ip_equal(&m->addr, &n->addr) && m->port == n->port &&
           m->conn_index == n->conn_index && m->direction == n->direction &&
           m->after_bytes == n->after_bytes && m->call_count == n->call_count &&
           m->from_ns == n->from_ns && m->until_ns == n->until_ns && a->action == b->action &&
           a->bytes == b->bytes && a->ns == b->ns && a->rate == b->rate &&
           a->probability == b->probability && a->errnum == b->errnum;
}

static int cfg_fault(cfg *x, const srr_json_member *m, const srr_json *v, size_t fi)
{
    (void)m;
    sim_fault *f = &x->c->faults[fi];
    size_t mark, ai;
    char q[96];
    f->match = (sim_match){.port = -1, .conn_index = -1, .after_bytes = -1, .call_count = -1,
                           .until_ns = -1};
    if (srr__cfg_type(x, v, SRR_JSON_OBJECT, "a rule object") < 0)
        return -1;
    f->line = v->line;
    /* A misspelt key is reported as such before a missing action. */
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const srr_json_member *m = &v->u.obj.members[i];
        int known = strcmp(m->key, "match") == 0 || strcmp(m->key, "action") == 0;
        for (size_t k = 0; !known && k < CFG_NACTIONS; k++)
            known = cfg_actions[k].param && strcmp(m->key, cfg_actions[k].param) == 0;
        if (!known) {
            srr__cfg_push(x, m->key);
            return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EUNKNOWN,
                               "unknown key %s (known: match, action, and the action's "
                               "parameter: net, bytes, delay, rate or probability)",
                               srr__cfg_quote(m->key, q, sizeof q));
        }
    }
    const srr_json *a = srr__cfg_enter(x, v, "action", &mark);
    if (!a)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "missing \"action\"");
    if (srr__cfg_type(x, a, SRR_JSON_STRING, "an action name") < 0)
        return -1;
    for (ai = 0; ai < CFG_NACTIONS; ai++)
        if (strcmp(a->u.str.s, cfg_actions[ai].name) == 0)
            break;
    if (ai == CFG_NACTIONS)
        return cfg_fail(x, a, SRR_PARSE_EVALUE,
                        "unknown action %s (known: refuse, blackhole, unreachable, reset, stall, "
                        "short_write, chunk_read, eintr, eagain, latency, bandwidth, loss, "
                        "duplicate, reorder)",
                        srr__cfg_quote(a->u.str.s, q, sizeof q));
    f->action = cfg_actions[ai].action;
    if (f->action == SIM_FAULT_UNREACHABLE)
        f->errnum = EHOSTUNREACH;
    srr__cfg_pop(x, mark);
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const srr_json_member *m = &v->u.obj.members[i];
        const char *p = cfg_actions[ai].param;
        if (strcmp(m->key, "match") == 0 || strcmp(m->key, "action") == 0 ||
            (p && strcmp(m->key, p) == 0))
            continue;
        srr__cfg_push(x, m->key);
        return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EUNKNOWN,
                           "\"%s\" is not a parameter of %s", m->key, cfg_actions[ai].name);
    }
    const srr_json *mv = srr__cfg_enter(x, v, "match", &mark);
    if (mv) {
        if (cfg_match(x, mv, &f->match) < 0)
            return -1;
        srr__cfg_pop(x, mark);
    }
    if (cfg_param(x, v, ai, f) < 0)
        return -1;
    if (f->match.after_bytes >= 0 &&
        (f->action == SIM_FAULT_LOSS || f->action == SIM_FAULT_DUPLICATE ||
         f->action == SIM_FAULT_REORDER)) {
        const srr_json *ab = &srr__json_member(mv, "after_bytes")->value;
        srr__cfg_push(x, "match");
        srr__cfg_push(x, "after_bytes");
        return cfg_fail(x, ab, SRR_PARSE_ENEVER,
                        "%s acts on UDP datagrams and after_bytes counts TCP bytes, so the rule "
                        "never matches",
                        cfg_actions[ai].name);
    }
    for (size_t k = 0; k < fi; k++)
        if (cfg_same_rule(&x->c->faults[k], f))
            return cfg_fail(x, v, SRR_PARSE_ENEVER,
                            "same as faults[%zu] (line %d), which acts first, so this rule never "
                            "matches",
                            k, x->c->faults[k].line);
    return 0;
}

int srr__cfg_faults(cfg *x, const srr_json *v)
{
    size_t cap = 0;
    return srr__cfg_each(x, v, SRR_JSON_ARRAY, "an array of rules", "fault rules",
                         (void **)&x->c->faults, &cap, sizeof *x->c->faults, &x->c->nfaults,
                         cfg_fault);
}
