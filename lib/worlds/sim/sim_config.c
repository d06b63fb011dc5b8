/*
 * sim_config.c — builds a sim_config (sim_config.h) from the JSON of
 * docs/sim-config.md and checks everything the document promises before a
 * world runs: the first problem found becomes a srr_parse_error naming
 * file:line:column and the member's path.
 *
 * The parser is four files (sim_config_int.h):
 *   sim_config.c       errors and the member path; the top level; parse,
 *                      load, default, free
 *   config_values.c    integers, booleans, durations, the epoch, addresses,
 *                      names, byte strings ("hex:...")
 *   config_hosts.c     hosts (names, addresses, self, the implicit
 *                      localhost) and dns (answers, errors, scripts)
 *   config_services.c  services ("HOST:PORT" keys and their scripts) and
 *                      faults (match, action, parameters, rules that never
 *                      match)
 *
 * Sections are read in that order whatever their order in the file, because
 * services and faults refer to hosts.  Host and DNS names are compared
 * without regard to case, as DNS compares them; references are stored as the
 * name the host was defined with.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "in_file.h"
#include "sim_config_int.h"

/* --------------------------------------------------------- errors, paths */

int srr__cfg_fail_at(cfg *x, int line, int col, int code, const char *fmt, ...)
{
    srr__parse_at(x->err, NULL, line, col, -1);
    va_list ap;
    va_start(ap, fmt);
    srr__parse_vfail(x->err, code, x->path, fmt, ap);
    va_end(ap);
    return -1;
}

int srr__cfg_oom(cfg *x)
{
    return srr__cfg_fail_at(x, 0, 0, SRR_PARSE_EIO, "out of memory");
}

size_t srr__cfg_push(cfg *x, const char *key)
{
    return srr__json_path_key(x->path, sizeof x->path, &x->plen, key);
}

size_t srr__cfg_push_index(cfg *x, size_t i)
{
    return srr__json_path_index(x->path, sizeof x->path, &x->plen, i);
}

void srr__cfg_pop(cfg *x, size_t mark)
{
    srr__json_path_cut(x->path, &x->plen, mark);
}

int srr__cfg_items(cfg *x, const srr_json *arr, size_t *count,
                  int (*item)(cfg *x, const srr_json *v, size_t i, void *ctx), void *ctx)
{
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        size_t mark = srr__cfg_push_index(x, i);
        if (item(x, &arr->u.arr.items[i], i, ctx) < 0)
            return -1;
        ++*count;
        srr__cfg_pop(x, mark);
    }
    return 0;
}

/* s in double quotes, escaped, at most ~60 characters of it. */
const char *srr__cfg_quote(const char *s, char *buf, size_t n)
{
    size_t k = 0;
    buf[k++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (k + 8 >= n || k > 64) {
            memcpy(buf + k, "...", 3);
            k += 3;
            break;
        }
        if (*p == '"' || *p == '\\')
            buf[k++] = '\\', buf[k++] = (char)*p;
        else if (*p < 0x20 || *p == 0x7f)
            k += (size_t)snprintf(buf + k, n - k, "\\x%02x", *p);
        else
            buf[k++] = (char)*p;
    }
    buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

/* "string \"x\"", "integer 5", "array", ... for "got ..." in messages. */
const char *srr__cfg_got(const srr_json *v, char *buf, size_t n)
{
    char q[96];
    switch (v->type) {
    case SRR_JSON_STRING:
        snprintf(buf, n, "string %s", srr__cfg_quote(v->u.str.s, q, sizeof q));
        break;
    case SRR_JSON_INT: snprintf(buf, n, "integer %lld", (long long)v->u.integer); break;
    case SRR_JSON_REAL: snprintf(buf, n, "number %g", v->u.real); break;
    case SRR_JSON_BOOL: snprintf(buf, n, "%s", v->u.boolean ? "true" : "false"); break;
    default: snprintf(buf, n, "%s", srr__json_type_name(v->type)); break;
    }
    return buf;
}

int srr__cfg_type(cfg *x, const srr_json *v, srr_json_type t, const char *what)
{
    char g[128];
    if (v->type == t)
        return 0;
    return cfg_fail(x, v, SRR_PARSE_ETYPE, "expected %s, got %s", what,
                    srr__cfg_got(v, g, sizeof g));
}

/* Every key of obj is in known (NULL-terminated); else EUNKNOWN at the key. */
int srr__cfg_keys(cfg *x, const srr_json *obj, const char *const *known)
{
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const srr_json_member *m = &obj->u.obj.members[i];
        size_t j;
        for (j = 0; known[j]; j++)
            if (strcmp(m->key, known[j]) == 0)
                break;
        if (known[j])
            continue;
        char list[200] = "", q[96];
        size_t k = 0;
        for (j = 0; known[j] && k + 1 < sizeof list; j++) {
            int w = snprintf(list + k, sizeof list - k, "%s%s", j ? ", " : "", known[j]);
            k = w < 0 ? k : k + (size_t)w;
        }
        size_t mark = srr__cfg_push(x, m->key);
        srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EUNKNOWN, "unknown key %s (known: %s)",
                    srr__cfg_quote(m->key, q, sizeof q), list);
        srr__cfg_pop(x, mark);
        return -1;
    }
    return 0;
}

/* obj's member key with its name pushed on the path (pop with srr__cfg_pop), or
 * NULL with nothing pushed. */
const srr_json *srr__cfg_enter(cfg *x, const srr_json *obj, const char *key, size_t *mark)
{
    const srr_json_member *m = srr__json_member(obj, key);
    if (!m)
        return NULL;
    *mark = srr__cfg_push(x, key);
    return &m->value;
}

int srr__cfg_cap(cfg *x, const srr_json *v, size_t n, const char *what)
{
    if (n > CFG_MAX_ITEMS)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "more than %d %s", CFG_MAX_ITEMS, what);
    return 0;
}

int srr__cfg_opt(cfg *x, const srr_json *obj, const char *key, cfg_read_ns read, int64_t min,
                 int64_t max, int64_t *out)
{
    size_t mark;
    const srr_json *v = srr__cfg_enter(x, obj, key, &mark);
    if (!v)
        return 0;
    if ((read ? read(x, v, out) : srr__cfg_int(x, v, min, max, out)) < 0)
        return -1;
    srr__cfg_pop(x, mark);
    return 0;
}

int srr__cfg_each(cfg *x, const srr_json *v, srr_json_type t, const char *what,
                  const char *plural, void **items, size_t *cap, size_t size, size_t *n,
                  cfg_one one)
{
    if (srr__cfg_type(x, v, t, what) < 0)
        return -1;
    int is_obj = t == SRR_JSON_OBJECT;
    size_t count = is_obj ? v->u.obj.n : v->u.arr.n;
    if (srr__cfg_cap(x, v, count, plural) < 0)
        return -1;
    if (srr__grow(items, cap, count ? count : 1, size) < 0)
        return srr__cfg_oom(x);
    *n = count;
    for (size_t i = 0; i < count; i++) {
        const srr_json_member *m = is_obj ? &v->u.obj.members[i] : NULL;
        size_t mark = m ? srr__cfg_push(x, m->key) : srr__cfg_push_index(x, i);
        if (one(x, m, m ? &m->value : &v->u.arr.items[i], i) < 0)
            return -1;
        srr__cfg_pop(x, mark);
    }
    return 0;
}

/* --------------------------------------------------------- entry points */

static int cfg_top(cfg *x, const srr_json *root)
{
    static const char *const keys[] = {"seed",     "epoch", "hostname", "latency",
                                       "bandwidth", "connect_timeout", "idle_limit", "hosts",
                                       "dns", "nameserver", "services", "faults", NULL};
    sim_config *c = x->c;
    const srr_json *v, *hostname = NULL;
    size_t mark, hmark = 0;
    int64_t n;
    if (srr__cfg_type(x, root, SRR_JSON_OBJECT, "a JSON object (the config)") < 0 ||
        srr__cfg_keys(x, root, keys) < 0)
        return -1;
    n = (int64_t)c->seed;
    if (srr__cfg_opt_int(x, root, "seed", 0, INT64_MAX, &n) < 0)
        return -1;
    c->seed = (uint64_t)n;
    if (srr__cfg_opt_ns(x, root, "epoch", srr__cfg_epoch, &c->epoch_ns) < 0)
        return -1;
    if ((hostname = srr__cfg_enter(x, root, "hostname", &hmark))) {
        if (srr__cfg_type(x, hostname, SRR_JSON_STRING, "a host name") < 0 ||
            srr__cfg_name_at(x, hostname->line, hostname->column, hostname->u.str.s,
                             CFG_MAX_HOSTNAME, "host name") < 0)
            return -1;
        srr__cfg_pop(x, hmark);
    }
    if (srr__cfg_opt_ns(x, root, "latency", srr__cfg_duration, &c->latency_ns) < 0 ||
        srr__cfg_opt_int(x, root, "bandwidth", 0, INT64_MAX, &c->bandwidth) < 0 ||
        srr__cfg_opt_ns(x, root, "connect_timeout", srr__cfg_duration,
                        &c->connect_timeout_ns) < 0 ||
        srr__cfg_opt_ns(x, root, "idle_limit", srr__cfg_duration, &c->idle_limit_ns) < 0)
        return -1;
    /* the DNS server's address: systemd-resolved's stub address unless said */
    srr__cfg_ip_parse("127.0.0.53", &c->nameserver);
    if ((v = srr__cfg_enter(x, root, "nameserver", &mark))) {
        if (srr__cfg_addr(x, v, &c->nameserver) < 0)
            return -1;
        srr__cfg_pop(x, mark);
    }
    v = srr__cfg_enter(x, root, "hosts", &mark);
    if (srr__cfg_hosts(x, v) < 0)
        return -1;
    if (v)
        srr__cfg_pop(x, mark);
    for (size_t i = 0; !hostname && i < c->nhosts; i++)
        if (c->hosts[i].self && !(c->hostname = strdup(c->hosts[i].name)))
            return srr__cfg_oom(x);
    if (hostname && !(c->hostname = strdup(hostname->u.str.s)))
        return srr__cfg_oom(x);
    static const struct {
        const char *key;
        int (*read)(cfg *, const srr_json *);
    } sections[] = {{"dns", srr__cfg_dns}, {"services", srr__cfg_services},
                    {"faults", srr__cfg_faults}};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        if (!(v = srr__cfg_enter(x, root, sections[i].key, &mark)))
            continue;
        if (sections[i].read(x, v) < 0)
            return -1;
        srr__cfg_pop(x, mark);
    }
    return 0;
}

sim_config *srr__sim_config_parse(const char *text, size_t len, const char *source,
                                  srr_parse_error *err)
{
    srr_parse_error scratch;
    if (!err)
        err = &scratch;
    srr_json *root = srr__json_parse(text, len, source, err);
    if (!root)
        return NULL;
    cfg x = {.err = err};
    x.c = calloc(1, sizeof *x.c);
    if (!x.c) {
        srr__cfg_oom(&x);
        srr__json_free(root);
        return NULL;
    }
    x.c->epoch_ns = CFG_DEFAULT_EPOCH_NS;
    x.c->connect_timeout_ns = CFG_DEFAULT_CONNECT_TIMEOUT_NS;
    x.c->idle_limit_ns = CFG_DEFAULT_IDLE_LIMIT_NS;
    int rc = cfg_top(&x, root);
    srr__json_free(root);
    if (rc < 0) {
        srr__sim_config_free(x.c);
        return NULL;
    }
    return x.c;
}

sim_config *srr__sim_config_load(const char *path, srr_parse_error *err)
{
    return srr__sim_config_load_as(path, NULL, err);
}

sim_config *srr__sim_config_load_as(const char *path, const char *name, srr_parse_error *err)
{
    const char *source = name ? name : path;
    srr_parse_error scratch;
    unsigned char *buf = NULL;
    size_t len = 0;
    if (!err)
        err = &scratch;
    int e = -srr__file_read(path, CFG_MAX_FILE, &buf, &len);
    if (e) {
        char eb[128];
        memset(err, 0, sizeof *err);
        snprintf(err->source, sizeof err->source, "%s", source);
        err->code = SRR_PARSE_EIO;
        snprintf(err->text, sizeof err->text, "cannot read: %s",
                 e == EFBIG ? "larger than 64 MiB" : strerror_r(e, eb, sizeof eb));
        return NULL;
    }
    sim_config *c = srr__sim_config_parse((const char *)buf, len, source, err);
    free(buf);
    return c;
}

sim_config *srr__sim_config_default(void)
{
    srr_parse_error e;
    return srr__sim_config_parse("{}", 2, "<default>", &e);
}

void srr__sim_config_free(sim_config *c)
{
    if (!c)
        return;
    free(c->hostname);
    for (size_t i = 0; i < c->nhosts; i++) {
        free(c->hosts[i].name);
        free(c->hosts[i].addrs);
    }
    free(c->hosts);
    for (size_t i = 0; i < c->ndns; i++) {
        free(c->dns[i].name);
        for (size_t j = 0; c->dns[i].script && j < c->dns[i].nscript; j++) {
            sim_dns_answer *a = &c->dns[i].script[j];
            free(a->addrs);
            free(a->canonname);
            for (size_t k = 0; k < a->ntxt; k++)
                free(a->txt[k]);
            free(a->txt);
            for (size_t k = 0; k < a->nmx; k++)
                free(a->mx[k].exchange);
            free(a->mx);
            for (size_t k = 0; k < a->nsrv; k++)
                free(a->srv[k].target);
            free(a->srv);
        }
        free(c->dns[i].script);
    }
    free(c->dns);
    for (size_t i = 0; i < c->nservices; i++) {
        free(c->services[i].host);
        for (size_t j = 0; j < c->services[i].nscript; j++)
            free(c->services[i].script[j].data);
        free(c->services[i].script);
        free(c->services[i].trace);
    }
    free(c->services);
    for (size_t i = 0; i < c->nfaults; i++)
        free(c->faults[i].match.host);
    free(c->faults);
    free(c);
}
