/*
 * config_hosts.c — a sim config's hosts (names, addresses, the self host,
 * the implicit localhost) and its DNS table (answers, errors, scripts).
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "sim_config_int.h"
#include "grow.h"

/* ---------------------------------------------------------------- hosts */

/* Index of the host named name (any case), or -1. */
long srr__cfg_host_named(const sim_config *c, size_t upto, const char *name)
{
    for (size_t i = 0; i < upto; i++)
        if (c->hosts[i].name && strcasecmp(c->hosts[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Index of the host with address ip, or -1; loopback is the self host's. */
long srr__cfg_host_with(const sim_config *c, const sim_ip *ip)
{
    for (size_t i = 0; i < c->nhosts; i++) {
        if (srr__cfg_ip_loopback(ip) && c->hosts[i].self)
            return (long)i;
        for (size_t j = 0; j < c->hosts[i].naddrs; j++)
            if (srr__cfg_ip_equal(&c->hosts[i].addrs[j], ip))
                return (long)i;
    }
    return -1;
}

static int cfg_host_addrs(cfg *x, const srr_json *obj, size_t hi)
{
    sim_config *c = x->c;
    sim_host *h = &c->hosts[hi];
    size_t mark;
    char a[INET6_ADDRSTRLEN];
    const srr_json *v = srr__cfg_enter(x, obj, "addrs", &mark);
    if (!v)
        return cfg_fail(x, obj, SRR_PARSE_EVALUE, "missing \"addrs\" (the host's addresses)");
    if (srr__cfg_type(x, v, SRR_JSON_ARRAY, "an array of addresses") < 0)
        return -1;
    if (v->u.arr.n == 0)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "a host needs at least one address");
    if (v->u.arr.n > CFG_MAX_ITEMS - x->naddrs)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "more than %d host addresses in all",
                        CFG_MAX_ITEMS);
    x->naddrs += v->u.arr.n;
    h->addrs = calloc(v->u.arr.n, sizeof *h->addrs);
    if (!h->addrs)
        return srr__cfg_oom(x);
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const srr_json *e = &v->u.arr.items[i];
        size_t m = srr__cfg_push_index(x, i);
        sim_ip ip;
        if (srr__cfg_addr(x, e, &ip) < 0)
            return -1;
        if (ip.family == AF_INET ? ip.a.v4.s_addr == htonl(INADDR_ANY)
                                 : IN6_IS_ADDR_UNSPECIFIED(&ip.a.v6))
            return cfg_fail(x, e, SRR_PARSE_EVALUE, "%s is the unspecified address, not a host's",
                            srr__cfg_ip_text(&ip, a, sizeof a));
        for (size_t j = 0; j < h->naddrs; j++)
            if (srr__cfg_ip_equal(&h->addrs[j], &ip))
                return cfg_fail(x, e, SRR_PARSE_EDUPLICATE, "%s is listed twice (addrs[%zu])",
                                srr__cfg_ip_text(&ip, a, sizeof a), j);
        for (size_t k = 0; k < hi; k++)
            for (size_t j = 0; j < c->hosts[k].naddrs; j++)
                if (srr__cfg_ip_equal(&c->hosts[k].addrs[j], &ip))
                    return cfg_fail(x, e, SRR_PARSE_EDUPLICATE,
                                    "%s is already an address of host \"%s\"",
                                    srr__cfg_ip_text(&ip, a, sizeof a), c->hosts[k].name);
        h->addrs[h->naddrs++] = ip;
        srr__cfg_pop(x, m);
    }
    srr__cfg_pop(x, mark);
    return 0;
}

/* A member of "hosts" or "dns": its key a good name (noun, for the
 * message) that no earlier member had (dup: that one's name, said as
 * kind), copied into *name; its value an object of those keys.  0, or -1
 * with the failure said. */
static int cfg_named_object(cfg *x, const srr_json_member *m, const srr_json *v, const char *noun,
                            const char *kind, const char *dup, const char *const *keys,
                            char **name)
{
    if (srr__cfg_name_at(x, m->line, m->column, m->key, CFG_MAX_NAME, noun) < 0)
        return -1;
    if (dup)
        return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EDUPLICATE,
                                "%s \"%s\" is already defined as \"%s\"", kind, m->key, dup);
    if (!(*name = strdup(m->key)))
        return srr__cfg_oom(x);
    if (srr__cfg_type(x, v, SRR_JSON_OBJECT, "an object") < 0 || srr__cfg_keys(x, v, keys) < 0)
        return -1;
    return 0;
}

static int cfg_host(cfg *x, const srr_json_member *m, const srr_json *v, size_t hi)
{
    static const char *const keys[] = {"addrs", "self", NULL};
    sim_config *c = x->c;
    sim_host *h = &c->hosts[hi];
    size_t mark;
    long dup = srr__cfg_host_named(c, hi, m->key);
    if (cfg_named_object(x, m, v, "host name", "host", dup >= 0 ? c->hosts[dup].name : NULL, keys,
                         &h->name) < 0)
        return -1;
    const srr_json *s = srr__cfg_enter(x, v, "self", &mark);
    if (s) {
        if (srr__cfg_bool(x, s, &h->self) < 0)
            return -1;
        for (size_t k = 0; h->self && k < hi; k++)
            if (c->hosts[k].self)
                return cfg_fail(x, s, SRR_PARSE_EDUPLICATE, "\"%s\" is already the self host",
                                c->hosts[k].name);
        srr__cfg_pop(x, mark);
    }
    if (cfg_host_addrs(x, v, hi) < 0)
        return -1;
    /* Loopback belongs to the program's own machine; another host with it
     * would make a connect to 127.0.0.1 ambiguous.  A host named localhost
     * becomes self later when no host claims it. */
    if (!h->self && strcasecmp(h->name, "localhost") != 0) {
        const srr_json *arr = &srr__json_member(v, "addrs")->value;
        for (size_t j = 0; j < h->naddrs; j++)
            if (srr__cfg_ip_loopback(&h->addrs[j])) {
                char a[INET6_ADDRSTRLEN];
                mark = srr__cfg_push(x, "addrs");
                srr__cfg_push_index(x, j);
                return cfg_fail(x, &arr->u.arr.items[j], SRR_PARSE_EVALUE,
                                "%s is a loopback address: only the self host has it",
                                srr__cfg_ip_text(&h->addrs[j], a, sizeof a));
            }
    }
    return 0;
}

/* No self host: a host named localhost becomes it, or one is added. */
static int cfg_self(cfg *x, const srr_json *hosts)
{
    sim_config *c = x->c;
    long self = -1, local = srr__cfg_host_named(c, c->nhosts, "localhost");
    for (size_t i = 0; i < c->nhosts; i++)
        if (c->hosts[i].self)
            self = (long)i;
    if (self >= 0 && local >= 0 && local != self) {
        const srr_json_member *m = &hosts->u.obj.members[local];
        size_t mark = srr__cfg_push(x, m->key);
        srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EVALUE,
                    "localhost is the program's own machine, but \"%s\" is the self host",
                    c->hosts[self].name);
        srr__cfg_pop(x, mark);
        return -1;
    }
    if (self >= 0)
        return 0;
    if (local >= 0) {
        c->hosts[local].self = 1;
        return 0;
    }
    if (srr__grow((void **)&c->hosts, &c->hosts_cap, c->nhosts + 1, sizeof *c->hosts) < 0)
        return srr__cfg_oom(x);
    sim_host *h = &c->hosts[c->nhosts++];
    memset(h, 0, sizeof *h);
    h->self = 1;
    h->name = strdup("localhost");
    h->addrs = calloc(2, sizeof *h->addrs);
    if (!h->name || !h->addrs)
        return srr__cfg_oom(x);
    srr__cfg_ip_parse("127.0.0.1", &h->addrs[0]);
    srr__cfg_ip_parse("::1", &h->addrs[1]);
    h->naddrs = 2;
    return 0;
}

int srr__cfg_hosts(cfg *x, const srr_json *v)
{
    sim_config *c = x->c;
    if (v) {
        if (srr__cfg_each(x, v, SRR_JSON_OBJECT, "an object of hosts", "hosts",
                          (void **)&c->hosts, &c->hosts_cap, sizeof *c->hosts, &c->nhosts,
                          cfg_host) < 0)
            return -1;
    }
    return cfg_self(x, v);
}

/* ------------------------------------------------------------------ dns */

static const struct {
    const char *name;
    int code;
} cfg_eai[] = {
    {"EAI_NONAME", EAI_NONAME},
    {"EAI_AGAIN", EAI_AGAIN},
    {"EAI_FAIL", EAI_FAIL},
    {"EAI_NODATA", EAI_NODATA},
};

/* One answer form: answers or error, plus delay and canonname over dflt's. */
static int cfg_answer_addr(cfg *x, const srr_json *v, size_t i, void *a)
{
    return srr__cfg_addr(x, v, &((sim_dns_answer *)a)->addrs[i]);
}

/* A name inside a record (an MX exchange, an SRV target). */
static int cfg_record_name(cfg *x, const srr_json *obj, const char *key, char **out)
{
    size_t mark;
    const srr_json *v = srr__cfg_enter(x, obj, key, &mark);
    if (!v)
        return cfg_fail(x, obj, SRR_PARSE_EVALUE, "needs \"%s\"", key);
    if (srr__cfg_type(x, v, SRR_JSON_STRING, "a name") < 0 ||
        srr__cfg_name_at(x, v->line, v->column, v->u.str.s, CFG_MAX_NAME, "DNS name") < 0)
        return -1;
    if (!(*out = strdup(v->u.str.s)))
        return srr__cfg_oom(x);
    srr__cfg_pop(x, mark);
    return 0;
}

/* An integer member in [0, 65535] that must be there. */
static int cfg_record_u16(cfg *x, const srr_json *obj, const char *key, int *out)
{
    int64_t n = -1;
    if (srr__cfg_opt_int(x, obj, key, 0, 65535, &n) < 0)
        return -1;
    if (n < 0)
        return cfg_fail(x, obj, SRR_PARSE_EVALUE, "needs \"%s\"", key);
    *out = (int)n;
    return 0;
}

static int cfg_txt_item(cfg *x, const srr_json *v, size_t i, void *a)
{
    if (srr__cfg_type(x, v, SRR_JSON_STRING, "a string") < 0)
        return -1;
    if (v->u.str.len > 255)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "a TXT string holds at most 255 bytes, this one %zu",
                        v->u.str.len);
    if (!(((sim_dns_answer *)a)->txt[i] = strdup(v->u.str.s)))
        return srr__cfg_oom(x);
    return 0;
}

static int cfg_mx_item(cfg *x, const srr_json *v, size_t i, void *a)
{
    static const char *const keys[] = {"preference", "exchange", NULL};
    sim_dns_mx *mx = &((sim_dns_answer *)a)->mx[i];
    if (srr__cfg_type(x, v, SRR_JSON_OBJECT, "an object") < 0 || srr__cfg_keys(x, v, keys) < 0)
        return -1;
    return cfg_record_u16(x, v, "preference", &mx->preference) < 0 ||
                   cfg_record_name(x, v, "exchange", &mx->exchange) < 0
               ? -1
               : 0;
}

static int cfg_srv_item(cfg *x, const srr_json *v, size_t i, void *a)
{
    static const char *const keys[] = {"priority", "weight", "port", "target", NULL};
    sim_dns_srv *srv = &((sim_dns_answer *)a)->srv[i];
    if (srr__cfg_type(x, v, SRR_JSON_OBJECT, "an object") < 0 || srr__cfg_keys(x, v, keys) < 0)
        return -1;
    return cfg_record_u16(x, v, "priority", &srv->priority) < 0 ||
                   cfg_record_u16(x, v, "weight", &srv->weight) < 0 ||
                   cfg_record_u16(x, v, "port", &srv->port) < 0 ||
                   cfg_record_name(x, v, "target", &srv->target) < 0
               ? -1
               : 0;
}

/* The records only the DNS server gives: "txt", "mx", "srv", "truncate".
 * 1 when any record was given, 0 none, -1 said. */
static int cfg_dns_records(cfg *x, const srr_json *obj, sim_dns_answer *a)
{
    static const struct {
        const char *key;
        size_t size;
        int (*item)(cfg *x, const srr_json *v, size_t i, void *a);
    } kinds[] = {{"txt", sizeof(char *), cfg_txt_item},
                 {"mx", sizeof(sim_dns_mx), cfg_mx_item},
                 {"srv", sizeof(sim_dns_srv), cfg_srv_item}};
    void **lists[] = {(void **)&a->txt, (void **)&a->mx, (void **)&a->srv};
    size_t *counts[] = {&a->ntxt, &a->nmx, &a->nsrv};
    int any = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t mark;
        const srr_json *v = srr__cfg_enter(x, obj, kinds[k].key, &mark);
        if (!v)
            continue;
        if (srr__cfg_type(x, v, SRR_JSON_ARRAY, "an array of records") < 0)
            return -1;
        if (v->u.arr.n && !(*lists[k] = calloc(v->u.arr.n, kinds[k].size)))
            return srr__cfg_oom(x);
        if (srr__cfg_items(x, v, counts[k], kinds[k].item, a) < 0)
            return -1;
        any |= v->u.arr.n > 0;
        srr__cfg_pop(x, mark);
    }
    size_t mark;
    const srr_json *t = srr__cfg_enter(x, obj, "truncate", &mark);
    if (t) {
        if (srr__cfg_bool(x, t, &a->truncate) < 0)
            return -1;
        srr__cfg_pop(x, mark);
    }
    return any;
}

static int cfg_dns_answer(cfg *x, const srr_json *obj, sim_dns_answer *a,
                          const sim_dns_answer *dflt, int entry_level)
{
    static const char *const step_keys[] = {"answers", "error", "delay", "canonname", "txt",
                                            "mx", "srv", "truncate", NULL};
    size_t mark;
    const srr_json *v;
    char q[96];
    if (!entry_level && (srr__cfg_type(x, obj, SRR_JSON_OBJECT, "an object") < 0 ||
                         srr__cfg_keys(x, obj, step_keys) < 0))
        return -1;
    const srr_json_member *ans = srr__json_member(obj, "answers");
    const srr_json_member *er = srr__json_member(obj, "error");
    a->delay_ns = dflt ? dflt->delay_ns : 0;
    if (srr__cfg_opt_ns(x, obj, "delay", srr__cfg_duration, &a->delay_ns) < 0)
        return -1;
    if ((v = srr__cfg_enter(x, obj, "canonname", &mark))) {
        if (srr__cfg_type(x, v, SRR_JSON_STRING, "a name") < 0 ||
            srr__cfg_name_at(x, v->line, v->column, v->u.str.s, CFG_MAX_NAME, "canonical name") < 0)
            return -1;
        srr__cfg_pop(x, mark);
    }
    const char *cn = v ? v->u.str.s : dflt ? dflt->canonname : NULL;
    if (cn && !(a->canonname = strdup(cn)))
        return srr__cfg_oom(x);
    if (entry_level)
        return 0;
    int records = cfg_dns_records(x, obj, a);
    if (records < 0)
        return -1;
    if (!ans && !er && !records)
        return cfg_fail(x, obj, SRR_PARSE_EVALUE,
                        "needs \"answers\", \"error\" or records (\"txt\", \"mx\", \"srv\")");
    if (er && records)
        return cfg_fail(x, obj, SRR_PARSE_EVALUE, "an \"error\" answers no records");
    if (!ans && !er)
        return 0; /* records only: the name has no address (EAI_NODATA) */
    if (ans && er) {
        const srr_json_member *later = ans->line > er->line ||
                                               (ans->line == er->line && ans->column > er->column)
                                           ? ans
                                           : er;
        mark = srr__cfg_push(x, later->key);
        return srr__cfg_fail_at(x, later->line, later->column, SRR_PARSE_EVALUE,
                           "\"answers\" and \"error\" cannot both be given");
    }
    if (er) {
        v = &er->value;
        mark = srr__cfg_push(x, "error");
        if (srr__cfg_type(x, v, SRR_JSON_STRING, "a resolver error name") < 0)
            return -1;
        for (size_t i = 0; i < sizeof cfg_eai / sizeof cfg_eai[0]; i++)
            if (strcmp(v->u.str.s, cfg_eai[i].name) == 0)
                a->error = cfg_eai[i].code;
        if (!a->error)
            return cfg_fail(x, v, SRR_PARSE_EVALUE,
                            "unknown resolver error %s (known: EAI_NONAME, EAI_AGAIN, EAI_FAIL, "
                            "EAI_NODATA)",
                            srr__cfg_quote(v->u.str.s, q, sizeof q));
        srr__cfg_pop(x, mark);
        return 0;
    }
    v = &ans->value;
    mark = srr__cfg_push(x, "answers");
    if (srr__cfg_type(x, v, SRR_JSON_ARRAY, "an array of addresses") < 0)
        return -1;
    if (v->u.arr.n == 0)
        return cfg_fail(x, v, SRR_PARSE_EVALUE,
                        "needs at least one address (\"error\": \"EAI_NODATA\" answers none)");
    if (!(a->addrs = calloc(v->u.arr.n, sizeof *a->addrs)))
        return srr__cfg_oom(x);
    if (srr__cfg_items(x, v, &a->naddrs, cfg_answer_addr, a) < 0)
        return -1;
    srr__cfg_pop(x, mark);
    return 0;
}

static int cfg_dns_entry(cfg *x, const srr_json_member *m, const srr_json *v, size_t di)
{
    static const char *const keys[] = {"answers", "error", "script", "delay", "canonname",
                                       "txt", "mx", "srv", "truncate", NULL};
    sim_config *c = x->c;
    sim_dns_name *d = &c->dns[di];
    if (strcasecmp(m->key, "localhost") == 0) /* a good name: said before any other */
        return srr__cfg_fail_at(x, m->line, m->column, SRR_PARSE_EVALUE,
                                "localhost always resolves to 127.0.0.1 and ::1");
    const char *dup = NULL;
    for (size_t k = 0; k < di && !dup; k++)
        if (strcasecmp(c->dns[k].name, m->key) == 0)
            dup = c->dns[k].name;
    if (cfg_named_object(x, m, v, "DNS name", "DNS name", dup, keys, &d->name) < 0)
        return -1;
    const char *forms[] = {"answers", "error", "script"};
    const srr_json_member *first = NULL;
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const srr_json_member *k = &v->u.obj.members[i];
        for (size_t f = 0; f < 3; f++)
            if (strcmp(k->key, forms[f]) == 0) {
                if (first) {
                    srr__cfg_push(x, k->key);
                    return srr__cfg_fail_at(x, k->line, k->column, SRR_PARSE_EVALUE,
                                       "\"%s\" and \"%s\" cannot both be given", first->key,
                                       k->key);
                }
                first = k;
            }
    }
    static const char *const records[] = {"txt", "mx", "srv", "truncate"};
    for (size_t r = 0; r < 4; r++) {
        const srr_json_member *rm = srr__json_member(v, records[r]);
        if (rm && first && strcmp(first->key, "script") == 0) {
            srr__cfg_push(x, rm->key);
            return srr__cfg_fail_at(x, rm->line, rm->column, SRR_PARSE_EVALUE,
                                    "with a \"script\", records go in its steps");
        }
        if (rm && !first && r < 3)
            first = rm; /* a records-only answer */
    }
    if (!first)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "needs \"answers\", \"error\" or \"script\"");
    /* Entry-level delay and canonname are the default of every step. */
    sim_dns_answer dflt = {0};
    if (cfg_dns_answer(x, v, &dflt, NULL, 1) < 0) {
        free(dflt.canonname);
        return -1;
    }
    int rc = -1;
    size_t mark;
    const srr_json *s = srr__cfg_enter(x, v, "script", &mark);
    if (!s) {
        if (!(d->script = calloc(1, sizeof *d->script))) {
            srr__cfg_oom(x);
            goto out;
        }
        d->nscript = 1;
        rc = cfg_dns_answer(x, v, &d->script[0], &dflt, 0);
        goto out;
    }
    if (srr__cfg_type(x, s, SRR_JSON_ARRAY, "an array of steps") < 0)
        goto out;
    if (s->u.arr.n == 0) {
        cfg_fail(x, s, SRR_PARSE_EVALUE, "a script needs at least one step");
        goto out;
    }
    if (!(d->script = calloc(s->u.arr.n, sizeof *d->script))) {
        srr__cfg_oom(x);
        goto out;
    }
    d->nscript = s->u.arr.n;
    for (size_t i = 0; i < s->u.arr.n; i++) {
        size_t im = srr__cfg_push_index(x, i);
        if (cfg_dns_answer(x, &s->u.arr.items[i], &d->script[i], &dflt, 0) < 0)
            goto out;
        srr__cfg_pop(x, im);
    }
    srr__cfg_pop(x, mark);
    rc = 0;
out:
    free(dflt.canonname);
    return rc;
}

int srr__cfg_dns(cfg *x, const srr_json *v)
{
    size_t cap = 0;
    return srr__cfg_each(x, v, SRR_JSON_OBJECT, "an object of DNS names", "DNS names",
                         (void **)&x->c->dns, &cap, sizeof *x->c->dns, &x->c->ndns,
                         cfg_dns_entry);
}
