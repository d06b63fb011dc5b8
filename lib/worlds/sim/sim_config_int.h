/*
 * sim_config_int.h — the config parser's insides, shared by its files
 * (sim_config.c: errors, paths and the entry points; config_values.c;
 * config_hosts.c; config_services.c) and by nothing else.
 */
#ifndef SOCKRR_SIM_CONFIG_INT_H
#define SOCKRR_SIM_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "sim_config.h"

enum {
    CFG_MAX_FILE = 64 * 1024 * 1024, /* a config is a few kB; this is some other file */
    CFG_MAX_NAME = 253,              /* a DNS name */
    CFG_MAX_HOSTNAME = 64,           /* HOST_NAME_MAX */
    /* Hosts, host addresses (in all), DNS names, services and fault rules
     * are each checked against the earlier ones one by one; the cap keeps
     * that quadratic work under a second on a generated config. */
    CFG_MAX_ITEMS = 10000,
};

#define CFG_NS_PER_S INT64_C(1000000000)
/* 2000-01-01T00:00:00Z */
#define CFG_DEFAULT_EPOCH_NS (INT64_C(946684800) * CFG_NS_PER_S)
/* Linux: 6 SYN retries with backoff from 1 s give up after 127 s. */
#define CFG_DEFAULT_CONNECT_TIMEOUT_NS (INT64_C(127) * CFG_NS_PER_S)
#define CFG_DEFAULT_IDLE_LIMIT_NS (INT64_C(3600) * CFG_NS_PER_S)

typedef struct cfg {
    sim_config *c;
    srr_parse_error *err;
    char path[512];
    size_t plen;
    size_t naddrs; /* host addresses so far, against CFG_MAX_ITEMS */
} cfg;

/* sim_config.c: errors and the member path */
/* The first problem, at line:col, with the path so far: returns -1. */
__attribute__((format(printf, 5, 6))) int srr__cfg_fail_at(cfg *x, int line, int col, int code,
                                                           const char *fmt, ...);
#define cfg_fail(x, v, code, ...) srr__cfg_fail_at((x), (v)->line, (v)->column, (code), __VA_ARGS__)
int srr__cfg_oom(cfg *x);
size_t srr__cfg_push(cfg *x, const char *key);
size_t srr__cfg_push_index(cfg *x, size_t i);
void srr__cfg_pop(cfg *x, size_t mark);
/* item(x, v, i, ctx) for each item v of the array arr, with its index on
 * the path, counting the good ones in *count: 0, or -1 at the first that
 * fails (said). */
int srr__cfg_items(cfg *x, const srr_json *arr, size_t *count,
                  int (*item)(cfg *x, const srr_json *v, size_t i, void *ctx), void *ctx);
const char *srr__cfg_quote(const char *s, char *buf, size_t n);
const char *srr__cfg_got(const srr_json *v, char *buf, size_t n);
int srr__cfg_type(cfg *x, const srr_json *v, srr_json_type t, const char *what);
int srr__cfg_keys(cfg *x, const srr_json *obj, const char *const *known);
const srr_json *srr__cfg_enter(cfg *x, const srr_json *obj, const char *key, size_t *mark);
int srr__cfg_cap(cfg *x, const srr_json *v, size_t n, const char *what);
/* obj's optional member key into *out (left alone when absent): read by
 * `read`, or as an integer in [min, max] when read is NULL.  0 or -1. */
typedef int (*cfg_read_ns)(cfg *x, const srr_json *v, int64_t *out);
int srr__cfg_opt(cfg *x, const srr_json *obj, const char *key, cfg_read_ns read, int64_t min,
                 int64_t max, int64_t *out);
#define srr__cfg_opt_int(x, obj, key, min, max, out) srr__cfg_opt(x, obj, key, NULL, min, max, out)
#define srr__cfg_opt_ns(x, obj, key, read, out) srr__cfg_opt(x, obj, key, read, 0, 0, out)
/* A collection of `what` (type t): an object's members, each read by
 * one(x, member, &member->value, i) under its key on the path, or an array's
 * items, each read by one(x, NULL, item, i) under its index.  *items gets
 * room for *n = their count, zeroed, of size bytes each.  0 or -1. */
typedef int (*cfg_one)(cfg *x, const srr_json_member *m, const srr_json *v, size_t i);
int srr__cfg_each(cfg *x, const srr_json *v, srr_json_type t, const char *what,
                  const char *plural, void **items, size_t *cap, size_t size, size_t *n,
                  cfg_one one);

/* config_values.c */
int srr__cfg_int(cfg *x, const srr_json *v, int64_t min, int64_t max, int64_t *out);
int srr__cfg_bool(cfg *x, const srr_json *v, int *out);
int srr__cfg_duration(cfg *x, const srr_json *v, int64_t *out);
const char *srr__cfg_ns_text(int64_t ns, char *buf, size_t n);
int srr__cfg_epoch(cfg *x, const srr_json *v, int64_t *out);
int srr__cfg_ip_parse(const char *s, sim_ip *ip);
int srr__cfg_ip_equal(const sim_ip *a, const sim_ip *b);
int srr__cfg_ip_loopback(const sim_ip *ip);
const char *srr__cfg_ip_text(const sim_ip *ip, char *buf, size_t n);
int srr__cfg_addr(cfg *x, const srr_json *v, sim_ip *ip);
int srr__cfg_name_at(cfg *x, int line, int col, const char *s, size_t max, const char *what);
int srr__cfg_bytes(cfg *x, const srr_json *v, unsigned char **data, size_t *len);

/* config_hosts.c */
long srr__cfg_host_named(const sim_config *c, size_t upto, const char *name);
long srr__cfg_host_with(const sim_config *c, const sim_ip *ip);
int srr__cfg_hosts(cfg *x, const srr_json *v);
int srr__cfg_dns(cfg *x, const srr_json *v);

/* config_services.c */
int srr__cfg_services(cfg *x, const srr_json *v);
int srr__cfg_faults(cfg *x, const srr_json *v);

#endif
