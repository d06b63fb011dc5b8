/*
 * sim_config.c — builds a sim_config (sim_config.h) from the JSON of
 * docs/sim-config.md and checks everything the document promises before a
 * world runs: the first problem found becomes a srr_config_error naming
 * file:line:column and the member's path.
 *
 * Divisions, in order:
 *   errors and paths   srr__config_error_format, cfg_fail, the path stack
 *   values             integers, booleans, durations, the epoch, addresses,
 *                      names, byte strings ("hex:...")
 *   hosts              names, addresses, self, the implicit localhost
 *   dns                answers / error / script entries
 *   services           "HOST:PORT" keys and their scripts
 *   faults             match, action, parameters, rules that never match
 *   entry points       parse, load, default, free
 *
 * Sections are read in that order whatever their order in the file, because
 * services and faults refer to hosts.  Host and DNS names are compared
 * without regard to case, as DNS compares them; references are stored as the
 * name the host was defined with.
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

#include "json_pos.h"
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

typedef struct cfg {
    sim_config *c;
    srr_config_error *err;
    char path[512];
    size_t plen;
    size_t naddrs; /* host addresses so far, against CFG_MAX_ITEMS */
} cfg;

/* --------------------------------------------------------- errors, paths */

char *srr__config_error_format(const srr_config_error *e, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    const char *src = e->source[0] ? e->source : "<string>";
    int n;
    if (e->line > 0)
        n = snprintf(buf, len, "%s:%d:%d: ", src, e->line, e->column);
    else
        n = snprintf(buf, len, "%s: ", src);
    size_t k = n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
    if (e->field[0] && k + 1 < len) {
        n = snprintf(buf + k, len - k, "%s: ", e->field);
        k = n < 0 ? k : k + (size_t)n < len ? k + (size_t)n : len - 1;
    }
    if (k + 1 < len)
        snprintf(buf + k, len - k, "%s", e->text);
    return buf;
}

__attribute__((format(printf, 5, 6))) static int cfg_fail_at(cfg *x, int line, int col, int code,
                                                             const char *fmt, ...)
{
    srr_config_error *e = x->err;
    e->line = line;
    e->column = col;
    e->code = code;
    srr__json_pos_path_copy(e->field, sizeof e->field, x->path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    return -1;
}

#define cfg_fail(x, v, code, ...) cfg_fail_at((x), (v)->line, (v)->column, (code), __VA_ARGS__)

static int cfg_oom(cfg *x)
{
    return cfg_fail_at(x, 0, 0, SIM_CFG_EIO, "out of memory");
}

static size_t cfg_push(cfg *x, const char *key)
{
    return srr__json_pos_path_key(x->path, sizeof x->path, &x->plen, key);
}

static size_t cfg_push_index(cfg *x, size_t i)
{
    return srr__json_pos_path_index(x->path, sizeof x->path, &x->plen, i);
}

static void cfg_pop(cfg *x, size_t mark)
{
    srr__json_pos_path_cut(x->path, &x->plen, mark);
}

/* s in double quotes, escaped, at most ~60 characters of it. */
static const char *cfg_quote(const char *s, char *buf, size_t n)
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
static const char *cfg_got(const srr_jpos *v, char *buf, size_t n)
{
    char q[96];
    switch (v->type) {
    case SRR_JPOS_STRING: snprintf(buf, n, "string %s", cfg_quote(v->u.str.s, q, sizeof q)); break;
    case SRR_JPOS_INT: snprintf(buf, n, "integer %lld", (long long)v->u.integer); break;
    case SRR_JPOS_REAL: snprintf(buf, n, "number %g", v->u.real); break;
    case SRR_JPOS_BOOL: snprintf(buf, n, "%s", v->u.boolean ? "true" : "false"); break;
    default: snprintf(buf, n, "%s", srr__json_pos_type_name(v->type)); break;
    }
    return buf;
}

static int cfg_type(cfg *x, const srr_jpos *v, srr_jpos_type t, const char *what)
{
    char g[128];
    if (v->type == t)
        return 0;
    return cfg_fail(x, v, SIM_CFG_ETYPE, "expected %s, got %s", what, cfg_got(v, g, sizeof g));
}

/* Every key of obj is in known (NULL-terminated); else EUNKNOWN at the key. */
static int cfg_keys(cfg *x, const srr_jpos *obj, const char *const *known)
{
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const srr_jpos_member *m = &obj->u.obj.members[i];
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
        size_t mark = cfg_push(x, m->key);
        cfg_fail_at(x, m->line, m->column, SIM_CFG_EUNKNOWN, "unknown key %s (known: %s)",
                    cfg_quote(m->key, q, sizeof q), list);
        cfg_pop(x, mark);
        return -1;
    }
    return 0;
}

/* obj's member key with its name pushed on the path (pop with cfg_pop), or
 * NULL with nothing pushed. */
static const srr_jpos *cfg_enter(cfg *x, const srr_jpos *obj, const char *key, size_t *mark)
{
    const srr_jpos_member *m = srr__json_pos_get(obj, key);
    if (!m)
        return NULL;
    *mark = cfg_push(x, key);
    return &m->value;
}

static int cfg_cap(cfg *x, const srr_jpos *v, size_t n, const char *what)
{
    if (n > CFG_MAX_ITEMS)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "more than %d %s", CFG_MAX_ITEMS, what);
    return 0;
}

/* --------------------------------------------------------------- values */

static int cfg_int(cfg *x, const srr_jpos *v, int64_t min, int64_t max, int64_t *out)
{
    if (cfg_type(x, v, SRR_JPOS_INT, "an integer") < 0)
        return -1;
    if (v->u.integer < min || v->u.integer > max) {
        if (max == INT64_MAX)
            return cfg_fail(x, v, SIM_CFG_EVALUE, "must be at least %lld, got %lld",
                            (long long)min, (long long)v->u.integer);
        return cfg_fail(x, v, SIM_CFG_EVALUE, "must be %lld-%lld, got %lld", (long long)min,
                        (long long)max, (long long)v->u.integer);
    }
    *out = v->u.integer;
    return 0;
}

static int cfg_bool(cfg *x, const srr_jpos *v, int *out)
{
    if (cfg_type(x, v, SRR_JPOS_BOOL, "true or false") < 0)
        return -1;
    *out = v->u.boolean;
    return 0;
}

static const struct {
    const char *unit;
    int64_t ns;
} cfg_units[] = {
    {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", CFG_NS_PER_S},
    {"m", 60 * CFG_NS_PER_S}, {"h", 3600 * CFG_NS_PER_S},
};

/* "1.5s" → 1500000000; exact integer arithmetic, no rounding. */
static int cfg_duration_text(const char *s, int64_t *out, const char **why)
{
    const char *p = s;
    uint64_t ip = 0, frac = 0;
    int fd = 0;
    *why = "a number and a unit: ns, us, ms, s, m, h";
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (ip > (uint64_t)INT64_MAX / 10)
            return *why = "too long", -1;
        ip = ip * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (fd == 18) {
                if (*p != '0')
                    return *why = "finer than a nanosecond", -1;
                continue;
            }
            frac = frac * 10 + (uint64_t)(*p - '0');
            fd++;
        }
    }
    size_t u;
    for (u = 0; u < sizeof cfg_units / sizeof cfg_units[0]; u++)
        if (strcmp(p, cfg_units[u].unit) == 0)
            break;
    if (u == sizeof cfg_units / sizeof cfg_units[0])
        return -1;
    uint64_t unit = (uint64_t)cfg_units[u].ns;
    unsigned __int128 pow10 = 1, f = (unsigned __int128)frac * unit;
    for (int i = 0; i < fd; i++)
        pow10 *= 10;
    if (f % pow10 != 0)
        return *why = "finer than a nanosecond", -1;
    f /= pow10;
    unsigned __int128 total = (unsigned __int128)ip * unit + f;
    if (total > (unsigned __int128)INT64_MAX)
        return *why = "too long", -1;
    *out = (int64_t)total;
    return 0;
}

/* A duration: integer nanoseconds or a string with a unit; never negative. */
static int cfg_duration(cfg *x, const srr_jpos *v, int64_t *out)
{
    char g[128], q[96];
    if (v->type == SRR_JPOS_INT)
        return cfg_int(x, v, 0, INT64_MAX, out);
    if (v->type != SRR_JPOS_STRING)
        return cfg_fail(x, v, SIM_CFG_ETYPE,
                        "expected a duration (integer nanoseconds or a string like "
                        "\"250ms\"), got %s",
                        cfg_got(v, g, sizeof g));
    const char *why;
    if (cfg_duration_text(v->u.str.s, out, &why) < 0)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "not a duration: %s (%s)",
                        cfg_quote(v->u.str.s, q, sizeof q), why);
    return 0;
}

/* "5s" or "1500ms" or "7ns": the largest unit that is exact, for messages. */
static const char *cfg_ns_text(int64_t ns, char *buf, size_t n)
{
    if (ns == 0) {
        snprintf(buf, n, "0s");
        return buf;
    }
    for (size_t u = sizeof cfg_units / sizeof cfg_units[0]; u-- > 1;)
        if (ns % cfg_units[u].ns == 0) {
            snprintf(buf, n, "%lld%s", (long long)(ns / cfg_units[u].ns), cfg_units[u].unit);
            return buf;
        }
    snprintf(buf, n, "%lldns", (long long)ns);
    return buf;
}

static int cfg_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" → ns since 1970; timegm would quietly carry a
 * 31st of April into May, so the result must read back as written. */
static int cfg_epoch_text(const char *s, int64_t *out, const char **why)
{
    struct tm tm = {0}, back;
    int y, mo, d, h, mi, sec;
    *why = "YYYY-MM-DDTHH:MM:SSZ, in UTC";
    if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z' || cfg_digits(s, 4, &y) < 0 || cfg_digits(s + 5, 2, &mo) < 0 ||
        cfg_digits(s + 8, 2, &d) < 0 || cfg_digits(s + 11, 2, &h) < 0 ||
        cfg_digits(s + 14, 2, &mi) < 0 || cfg_digits(s + 17, 2, &sec) < 0)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (!gmtime_r(&t, &back) || back.tm_year != y - 1900 || back.tm_mon != mo - 1 ||
        back.tm_mday != d || back.tm_hour != h || back.tm_min != mi || back.tm_sec != sec)
        return *why = "no such date or time", -1;
    if (t < 0 || (int64_t)t > INT64_MAX / CFG_NS_PER_S)
        return *why = "outside 1970-01-01T00:00:00Z to 2262-04-11T23:47:16Z", -1;
    *out = (int64_t)t * CFG_NS_PER_S;
    return 0;
}

static int cfg_epoch(cfg *x, const srr_jpos *v, int64_t *out)
{
    char g[128], q[96];
    if (v->type == SRR_JPOS_INT)
        return cfg_int(x, v, 0, INT64_MAX, out);
    if (v->type != SRR_JPOS_STRING)
        return cfg_fail(x, v, SIM_CFG_ETYPE,
                        "expected integer nanoseconds or a \"YYYY-MM-DDTHH:MM:SSZ\" string, got %s",
                        cfg_got(v, g, sizeof g));
    const char *why;
    if (cfg_epoch_text(v->u.str.s, out, &why) < 0)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "not a date: %s (%s)",
                        cfg_quote(v->u.str.s, q, sizeof q), why);
    return 0;
}

static int cfg_ip_parse(const char *s, sim_ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, s, &ip->a.v4) == 1)
        return ip->family = AF_INET, 0;
    if (inet_pton(AF_INET6, s, &ip->a.v6) == 1)
        return ip->family = AF_INET6, 0;
    return -1;
}

static int cfg_ip_equal(const sim_ip *a, const sim_ip *b)
{
    if (a->family != b->family)
        return 0;
    if (a->family == AF_INET)
        return a->a.v4.s_addr == b->a.v4.s_addr;
    if (a->family == AF_INET6)
        return memcmp(&a->a.v6, &b->a.v6, sizeof a->a.v6) == 0;
    return 1;
}

/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: always the program's own. */
static int cfg_ip_loopback(const sim_ip *ip)
{
    if (ip->family == AF_INET)
        return (ntohl(ip->a.v4.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&ip->a.v6) ||
           (IN6_IS_ADDR_V4MAPPED(&ip->a.v6) && ip->a.v6.s6_addr[12] == 127);
}

static const char *cfg_ip_text(const sim_ip *ip, char *buf, size_t n)
{
    if (!inet_ntop(ip->family, &ip->a, buf, (socklen_t)n))
        snprintf(buf, n, "?");
    return buf;
}

static int cfg_addr(cfg *x, const srr_jpos *v, sim_ip *ip)
{
    char q[96];
    if (cfg_type(x, v, SRR_JPOS_STRING, "an address string") < 0)
        return -1;
    if (cfg_ip_parse(v->u.str.s, ip) < 0)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "not an IPv4 or IPv6 address: %s",
                        cfg_quote(v->u.str.s, q, sizeof q));
    return 0;
}

/* Why s is not a usable name (of a host, a DNS entry, a canonical name), or
 * NULL.  A name that inet_aton reads ("10", "1.2") would never reach the
 * table: getaddrinfo takes it as a number first. */
static const char *cfg_name_problem(const char *s, size_t max)
{
    size_t n = strlen(s);
    struct in_addr a;
    if (n == 0)
        return "empty";
    if (n > max)
        return max == CFG_MAX_HOSTNAME ? "longer than 64 characters"
                                       : "longer than 253 characters";
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return "letters, digits, '-', '_' and '.' only";
    }
    if (s[0] == '.' || s[0] == '-' || strstr(s, ".."))
        return "an empty label or a leading '-'";
    if (inet_aton(s, &a))
        return "reads as an IPv4 address";
    return NULL;
}

static int cfg_name_at(cfg *x, int line, int col, const char *s, size_t max, const char *what)
{
    char q[96];
    const char *why = cfg_name_problem(s, max);
    if (why)
        return cfg_fail_at(x, line, col, SIM_CFG_EVALUE, "not a %s: %s (%s)", what,
                           cfg_quote(s, q, sizeof q), why);
    return 0;
}

static int cfg_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A script's bytes: the string's UTF-8, or "hex:..." pairs as raw bytes. */
static int cfg_bytes(cfg *x, const srr_jpos *v, unsigned char **data, size_t *len)
{
    char q[96];
    if (cfg_type(x, v, SRR_JPOS_STRING, "a string") < 0)
        return -1;
    const char *s = v->u.str.s;
    size_t n = v->u.str.len;
    unsigned char *b = malloc(n + 1);
    if (!b)
        return cfg_oom(x);
    if (strncmp(s, "hex:", 4) == 0) {
        size_t k = 0;
        for (size_t i = 4; i < n; i += 2) {
            int hi = cfg_hexval(s[i]), lo = i + 1 < n ? cfg_hexval(s[i + 1]) : -1;
            if (hi < 0 || lo < 0) {
                free(b);
                return cfg_fail(x, v, SIM_CFG_EVALUE,
                                "not hex: %s (pairs of hex digits after \"hex:\")",
                                cfg_quote(s, q, sizeof q));
            }
            b[k++] = (unsigned char)(hi << 4 | lo);
        }
        n = k;
    } else {
        memcpy(b, s, n);
    }
    *data = b;
    *len = n;
    return 0;
}

/* ---------------------------------------------------------------- hosts */

/* Index of the host named name (any case), or -1. */
static long cfg_host_named(const sim_config *c, size_t upto, const char *name)
{
    for (size_t i = 0; i < upto; i++)
        if (c->hosts[i].name && strcasecmp(c->hosts[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Index of the host with address ip, or -1; loopback is the self host's. */
static long cfg_host_with(const sim_config *c, const sim_ip *ip)
{
    for (size_t i = 0; i < c->nhosts; i++) {
        if (cfg_ip_loopback(ip) && c->hosts[i].self)
            return (long)i;
        for (size_t j = 0; j < c->hosts[i].naddrs; j++)
            if (cfg_ip_equal(&c->hosts[i].addrs[j], ip))
                return (long)i;
    }
    return -1;
}

static int cfg_host_addrs(cfg *x, const srr_jpos *obj, size_t hi)
{
    sim_config *c = x->c;
    sim_host *h = &c->hosts[hi];
    size_t mark;
    char a[INET6_ADDRSTRLEN];
    const srr_jpos *v = cfg_enter(x, obj, "addrs", &mark);
    if (!v)
        return cfg_fail(x, obj, SIM_CFG_EVALUE, "missing \"addrs\" (the host's addresses)");
    if (cfg_type(x, v, SRR_JPOS_ARRAY, "an array of addresses") < 0)
        return -1;
    if (v->u.arr.n == 0)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "a host needs at least one address");
    if (v->u.arr.n > CFG_MAX_ITEMS - x->naddrs)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "more than %d host addresses in all",
                        CFG_MAX_ITEMS);
    x->naddrs += v->u.arr.n;
    h->addrs = calloc(v->u.arr.n, sizeof *h->addrs);
    if (!h->addrs)
        return cfg_oom(x);
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const srr_jpos *e = &v->u.arr.items[i];
        size_t m = cfg_push_index(x, i);
        sim_ip ip;
        if (cfg_addr(x, e, &ip) < 0)
            return -1;
        if (ip.family == AF_INET ? ip.a.v4.s_addr == htonl(INADDR_ANY)
                                 : IN6_IS_ADDR_UNSPECIFIED(&ip.a.v6))
            return cfg_fail(x, e, SIM_CFG_EVALUE, "%s is the unspecified address, not a host's",
                            cfg_ip_text(&ip, a, sizeof a));
        for (size_t j = 0; j < h->naddrs; j++)
            if (cfg_ip_equal(&h->addrs[j], &ip))
                return cfg_fail(x, e, SIM_CFG_EDUPLICATE, "%s is listed twice (addrs[%zu])",
                                cfg_ip_text(&ip, a, sizeof a), j);
        for (size_t k = 0; k < hi; k++)
            for (size_t j = 0; j < c->hosts[k].naddrs; j++)
                if (cfg_ip_equal(&c->hosts[k].addrs[j], &ip))
                    return cfg_fail(x, e, SIM_CFG_EDUPLICATE,
                                    "%s is already an address of host \"%s\"",
                                    cfg_ip_text(&ip, a, sizeof a), c->hosts[k].name);
        h->addrs[h->naddrs++] = ip;
        cfg_pop(x, m);
    }
    cfg_pop(x, mark);
    return 0;
}

static int cfg_host(cfg *x, const srr_jpos_member *m, size_t hi)
{
    static const char *const keys[] = {"addrs", "self", NULL};
    sim_config *c = x->c;
    sim_host *h = &c->hosts[hi];
    size_t mark;
    if (cfg_name_at(x, m->line, m->column, m->key, CFG_MAX_NAME, "host name") < 0)
        return -1;
    long dup = cfg_host_named(c, hi, m->key);
    if (dup >= 0)
        return cfg_fail_at(x, m->line, m->column, SIM_CFG_EDUPLICATE,
                           "host \"%s\" is already defined as \"%s\"", m->key,
                           c->hosts[dup].name);
    if (!(h->name = strdup(m->key)))
        return cfg_oom(x);
    const srr_jpos *v = &m->value;
    if (cfg_type(x, v, SRR_JPOS_OBJECT, "an object") < 0 || cfg_keys(x, v, keys) < 0)
        return -1;
    const srr_jpos *s = cfg_enter(x, v, "self", &mark);
    if (s) {
        if (cfg_bool(x, s, &h->self) < 0)
            return -1;
        for (size_t k = 0; h->self && k < hi; k++)
            if (c->hosts[k].self)
                return cfg_fail(x, s, SIM_CFG_EDUPLICATE, "\"%s\" is already the self host",
                                c->hosts[k].name);
        cfg_pop(x, mark);
    }
    if (cfg_host_addrs(x, v, hi) < 0)
        return -1;
    /* Loopback belongs to the program's own machine; another host with it
     * would make a connect to 127.0.0.1 ambiguous.  A host named localhost
     * becomes self later when no host claims it. */
    if (!h->self && strcasecmp(h->name, "localhost") != 0) {
        const srr_jpos *arr = &srr__json_pos_get(v, "addrs")->value;
        for (size_t j = 0; j < h->naddrs; j++)
            if (cfg_ip_loopback(&h->addrs[j])) {
                char a[INET6_ADDRSTRLEN];
                mark = cfg_push(x, "addrs");
                cfg_push_index(x, j);
                return cfg_fail(x, &arr->u.arr.items[j], SIM_CFG_EVALUE,
                                "%s is a loopback address: only the self host has it",
                                cfg_ip_text(&h->addrs[j], a, sizeof a));
            }
    }
    return 0;
}

/* No self host: a host named localhost becomes it, or one is added. */
static int cfg_self(cfg *x, const srr_jpos *hosts)
{
    sim_config *c = x->c;
    long self = -1, local = cfg_host_named(c, c->nhosts, "localhost");
    for (size_t i = 0; i < c->nhosts; i++)
        if (c->hosts[i].self)
            self = (long)i;
    if (self >= 0 && local >= 0 && local != self) {
        const srr_jpos_member *m = &hosts->u.obj.members[local];
        size_t mark = cfg_push(x, m->key);
        cfg_fail_at(x, m->line, m->column, SIM_CFG_EVALUE,
                    "localhost is the program's own machine, but \"%s\" is the self host",
                    c->hosts[self].name);
        cfg_pop(x, mark);
        return -1;
    }
    if (self >= 0)
        return 0;
    if (local >= 0) {
        c->hosts[local].self = 1;
        return 0;
    }
    sim_host *nh = realloc(c->hosts, (c->nhosts + 1) * sizeof *nh);
    if (!nh)
        return cfg_oom(x);
    c->hosts = nh;
    sim_host *h = &c->hosts[c->nhosts++];
    memset(h, 0, sizeof *h);
    h->self = 1;
    h->name = strdup("localhost");
    h->addrs = calloc(2, sizeof *h->addrs);
    if (!h->name || !h->addrs)
        return cfg_oom(x);
    cfg_ip_parse("127.0.0.1", &h->addrs[0]);
    cfg_ip_parse("::1", &h->addrs[1]);
    h->naddrs = 2;
    return 0;
}

static int cfg_hosts(cfg *x, const srr_jpos *v)
{
    sim_config *c = x->c;
    if (v) {
        if (cfg_type(x, v, SRR_JPOS_OBJECT, "an object of hosts") < 0 ||
            cfg_cap(x, v, v->u.obj.n, "hosts") < 0)
            return -1;
        c->hosts = calloc(v->u.obj.n ? v->u.obj.n : 1, sizeof *c->hosts);
        if (!c->hosts)
            return cfg_oom(x);
        c->nhosts = v->u.obj.n;
        for (size_t i = 0; i < v->u.obj.n; i++) {
            size_t mark = cfg_push(x, v->u.obj.members[i].key);
            if (cfg_host(x, &v->u.obj.members[i], i) < 0)
                return -1;
            cfg_pop(x, mark);
        }
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
static int cfg_dns_answer(cfg *x, const srr_jpos *obj, sim_dns_answer *a,
                          const sim_dns_answer *dflt, int entry_level)
{
    static const char *const step_keys[] = {"answers", "error", "delay", "canonname", NULL};
    size_t mark;
    const srr_jpos *v;
    char q[96];
    if (!entry_level && (cfg_type(x, obj, SRR_JPOS_OBJECT, "an object") < 0 ||
                         cfg_keys(x, obj, step_keys) < 0))
        return -1;
    const srr_jpos_member *ans = srr__json_pos_get(obj, "answers");
    const srr_jpos_member *er = srr__json_pos_get(obj, "error");
    a->delay_ns = dflt ? dflt->delay_ns : 0;
    if ((v = cfg_enter(x, obj, "delay", &mark))) {
        if (cfg_duration(x, v, &a->delay_ns) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if ((v = cfg_enter(x, obj, "canonname", &mark))) {
        if (cfg_type(x, v, SRR_JPOS_STRING, "a name") < 0 ||
            cfg_name_at(x, v->line, v->column, v->u.str.s, CFG_MAX_NAME, "canonical name") < 0)
            return -1;
        cfg_pop(x, mark);
    }
    const char *cn = v ? v->u.str.s : dflt ? dflt->canonname : NULL;
    if (cn && !(a->canonname = strdup(cn)))
        return cfg_oom(x);
    if (entry_level)
        return 0;
    if (!ans && !er)
        return cfg_fail(x, obj, SIM_CFG_EVALUE, "needs \"answers\" or \"error\"");
    if (ans && er) {
        const srr_jpos_member *later = ans->line > er->line ||
                                               (ans->line == er->line && ans->column > er->column)
                                           ? ans
                                           : er;
        mark = cfg_push(x, later->key);
        return cfg_fail_at(x, later->line, later->column, SIM_CFG_EVALUE,
                           "\"answers\" and \"error\" cannot both be given");
    }
    if (er) {
        v = &er->value;
        mark = cfg_push(x, "error");
        if (cfg_type(x, v, SRR_JPOS_STRING, "a resolver error name") < 0)
            return -1;
        for (size_t i = 0; i < sizeof cfg_eai / sizeof cfg_eai[0]; i++)
            if (strcmp(v->u.str.s, cfg_eai[i].name) == 0)
                a->error = cfg_eai[i].code;
        if (!a->error)
            return cfg_fail(x, v, SIM_CFG_EVALUE,
                            "unknown resolver error %s (known: EAI_NONAME, EAI_AGAIN, EAI_FAIL, "
                            "EAI_NODATA)",
                            cfg_quote(v->u.str.s, q, sizeof q));
        cfg_pop(x, mark);
        return 0;
    }
    v = &ans->value;
    mark = cfg_push(x, "answers");
    if (cfg_type(x, v, SRR_JPOS_ARRAY, "an array of addresses") < 0)
        return -1;
    if (v->u.arr.n == 0)
        return cfg_fail(x, v, SIM_CFG_EVALUE,
                        "needs at least one address (\"error\": \"EAI_NODATA\" answers none)");
    if (!(a->addrs = calloc(v->u.arr.n, sizeof *a->addrs)))
        return cfg_oom(x);
    for (size_t i = 0; i < v->u.arr.n; i++) {
        size_t m = cfg_push_index(x, i);
        if (cfg_addr(x, &v->u.arr.items[i], &a->addrs[i]) < 0)
            return -1;
        a->naddrs++;
        cfg_pop(x, m);
    }
    cfg_pop(x, mark);
    return 0;
}

static int cfg_dns_entry(cfg *x, const srr_jpos_member *m, size_t di)
{
    static const char *const keys[] = {"answers", "error", "script", "delay", "canonname", NULL};
    sim_config *c = x->c;
    sim_dns_name *d = &c->dns[di];
    const srr_jpos *v = &m->value;
    if (cfg_name_at(x, m->line, m->column, m->key, CFG_MAX_NAME, "DNS name") < 0)
        return -1;
    if (strcasecmp(m->key, "localhost") == 0)
        return cfg_fail_at(x, m->line, m->column, SIM_CFG_EVALUE,
                           "localhost always resolves to 127.0.0.1 and ::1");
    for (size_t k = 0; k < di; k++)
        if (strcasecmp(c->dns[k].name, m->key) == 0)
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EDUPLICATE,
                               "DNS name \"%s\" is already defined as \"%s\"", m->key,
                               c->dns[k].name);
    if (!(d->name = strdup(m->key)))
        return cfg_oom(x);
    if (cfg_type(x, v, SRR_JPOS_OBJECT, "an object") < 0 || cfg_keys(x, v, keys) < 0)
        return -1;
    const char *forms[] = {"answers", "error", "script"};
    const srr_jpos_member *first = NULL;
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const srr_jpos_member *k = &v->u.obj.members[i];
        for (size_t f = 0; f < 3; f++)
            if (strcmp(k->key, forms[f]) == 0) {
                if (first) {
                    cfg_push(x, k->key);
                    return cfg_fail_at(x, k->line, k->column, SIM_CFG_EVALUE,
                                       "\"%s\" and \"%s\" cannot both be given", first->key,
                                       k->key);
                }
                first = k;
            }
    }
    if (!first)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "needs \"answers\", \"error\" or \"script\"");
    /* Entry-level delay and canonname are the default of every step. */
    sim_dns_answer dflt = {0};
    if (cfg_dns_answer(x, v, &dflt, NULL, 1) < 0) {
        free(dflt.canonname);
        return -1;
    }
    int rc = -1;
    size_t mark;
    const srr_jpos *s = cfg_enter(x, v, "script", &mark);
    if (!s) {
        if (!(d->script = calloc(1, sizeof *d->script))) {
            cfg_oom(x);
            goto out;
        }
        d->nscript = 1;
        rc = cfg_dns_answer(x, v, &d->script[0], &dflt, 0);
        goto out;
    }
    if (cfg_type(x, s, SRR_JPOS_ARRAY, "an array of steps") < 0)
        goto out;
    if (s->u.arr.n == 0) {
        cfg_fail(x, s, SIM_CFG_EVALUE, "a script needs at least one step");
        goto out;
    }
    if (!(d->script = calloc(s->u.arr.n, sizeof *d->script))) {
        cfg_oom(x);
        goto out;
    }
    d->nscript = s->u.arr.n;
    for (size_t i = 0; i < s->u.arr.n; i++) {
        size_t im = cfg_push_index(x, i);
        if (cfg_dns_answer(x, &s->u.arr.items[i], &d->script[i], &dflt, 0) < 0)
            goto out;
        cfg_pop(x, im);
    }
    cfg_pop(x, mark);
    rc = 0;
out:
    free(dflt.canonname);
    return rc;
}

static int cfg_dns(cfg *x, const srr_jpos *v)
{
    sim_config *c = x->c;
    if (cfg_type(x, v, SRR_JPOS_OBJECT, "an object of DNS names") < 0 ||
        cfg_cap(x, v, v->u.obj.n, "DNS names") < 0)
        return -1;
    if (!(c->dns = calloc(v->u.obj.n ? v->u.obj.n : 1, sizeof *c->dns)))
        return cfg_oom(x);
    c->ndns = v->u.obj.n;
    for (size_t i = 0; i < v->u.obj.n; i++) {
        size_t mark = cfg_push(x, v->u.obj.members[i].key);
        if (cfg_dns_entry(x, &v->u.obj.members[i], i) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    return 0;
}

/* ------------------------------------------------------------- services */

/* "HOST:PORT", "v4:PORT" or "[v6]:PORT" → host index and port. */
static int cfg_service_key(cfg *x, const srr_jpos_member *m, long *host, int *port)
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
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EVALUE,
                               "not HOST:PORT or [IPv6]:PORT: %s", cfg_quote(k, q, sizeof q));
        hl = (size_t)(close - k - 1);
        colon = close + 1;
        if (hl >= sizeof hostpart)
            hl = sizeof hostpart - 1;
        memcpy(hostpart, k + 1, hl);
        hostpart[hl] = '\0';
        if (inet_pton(AF_INET6, hostpart, &ip.a.v6) != 1)
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EVALUE,
                               "not an IPv6 address in brackets: %s", cfg_quote(k, q, sizeof q));
        ip.family = AF_INET6;
        is_ip = 1;
    } else {
        colon = strrchr(k, ':');
        if (!colon)
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EVALUE, "not HOST:PORT: %s",
                               cfg_quote(k, q, sizeof q));
        hl = (size_t)(colon - k);
        if (hl == 0)
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EVALUE, "not HOST:PORT: %s",
                               cfg_quote(k, q, sizeof q));
        if (memchr(k, ':', hl))
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EVALUE,
                               "an IPv6 address needs brackets, as in \"[2001:db8::5]:443\": %s",
                               cfg_quote(k, q, sizeof q));
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
        return cfg_fail_at(x, m->line, m->column, SIM_CFG_EVALUE,
                           "the port must be 1-65535: %s", cfg_quote(k, q, sizeof q));
    *port = (int)pv;
    if (is_ip) {
        *host = cfg_host_with(c, &ip);
        if (*host < 0)
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EREF, "no host has the address %s",
                               cfg_ip_text(&ip, a, sizeof a));
    } else {
        *host = cfg_host_named(c, c->nhosts, hostpart);
        if (*host < 0)
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EREF, "no host %s in hosts",
                               cfg_quote(hostpart, q, sizeof q));
    }
    return 0;
}

static int cfg_step(cfg *x, const srr_jpos *v, sim_step *st)
{
    static const char *const keys[] = {"expect", "send", "wait", "close", "reset", NULL};
    if (cfg_type(x, v, SRR_JPOS_OBJECT, "a step object") < 0 || cfg_keys(x, v, keys) < 0)
        return -1;
    if (v->u.obj.n != 1)
        return cfg_fail(x, v, SIM_CFG_EVALUE,
                        "a step is exactly one of expect, send, wait, close, reset");
    const srr_jpos_member *m = &v->u.obj.members[0];
    const srr_jpos *e = &m->value;
    size_t mark = cfg_push(x, m->key);
    int on;
    if (strcmp(m->key, "expect") == 0 || strcmp(m->key, "send") == 0) {
        st->kind = m->key[0] == 'e' ? SIM_STEP_EXPECT : SIM_STEP_SEND;
        if (cfg_bytes(x, e, &st->data, &st->len) < 0)
            return -1;
    } else if (strcmp(m->key, "wait") == 0) {
        st->kind = SIM_STEP_WAIT;
        if (cfg_duration(x, e, &st->ns) < 0)
            return -1;
    } else {
        st->kind = m->key[0] == 'c' ? SIM_STEP_CLOSE : SIM_STEP_RESET;
        if (cfg_bool(x, e, &on) < 0)
            return -1;
        if (!on)
            return cfg_fail(x, e, SIM_CFG_EVALUE, "\"%s\" can only be true", m->key);
    }
    cfg_pop(x, mark);
    return 0;
}

static int cfg_service(cfg *x, const srr_jpos_member *m, size_t si)
{
    static const char *const keys[] = {"script", "trace", "proto", NULL};
    sim_config *c = x->c;
    sim_service *sv = &c->services[si];
    const srr_jpos *v = &m->value, *e;
    long host = -1;
    size_t mark;
    char q[96];
    if (cfg_service_key(x, m, &host, &sv->port) < 0)
        return -1;
    if (!(sv->host = strdup(c->hosts[host].name)))
        return cfg_oom(x);
    sv->proto = IPPROTO_TCP;
    for (size_t k = 0; k < si; k++)
        if (c->services[k].port == sv->port && strcmp(c->services[k].host, sv->host) == 0)
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EDUPLICATE,
                               "host \"%s\" port %d already has a service", sv->host, sv->port);
    if (cfg_type(x, v, SRR_JPOS_OBJECT, "an object") < 0 || cfg_keys(x, v, keys) < 0)
        return -1;
    if ((e = cfg_enter(x, v, "proto", &mark))) {
        if (cfg_type(x, e, SRR_JPOS_STRING, "a protocol name") < 0)
            return -1;
        if (strcmp(e->u.str.s, "tcp") != 0)
            return cfg_fail(x, e, SIM_CFG_EVALUE, "unsupported proto %s (only \"tcp\" for now)",
                            cfg_quote(e->u.str.s, q, sizeof q));
        cfg_pop(x, mark);
    }
    const srr_jpos_member *sm = srr__json_pos_get(v, "script"), *tm = srr__json_pos_get(v, "trace");
    if (!sm && !tm)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "needs \"script\" or \"trace\"");
    if (sm && tm) {
        const srr_jpos_member *later = sm < tm ? tm : sm;
        cfg_push(x, later->key);
        return cfg_fail_at(x, later->line, later->column, SIM_CFG_EVALUE,
                           "\"script\" and \"trace\" cannot both be given");
    }
    if (tm) {
        e = cfg_enter(x, v, "trace", &mark);
        if (cfg_type(x, e, SRR_JPOS_STRING, "a trace file name") < 0)
            return -1;
        if (e->u.str.len == 0)
            return cfg_fail(x, e, SIM_CFG_EVALUE, "an empty file name");
        if (!(sv->trace = strdup(e->u.str.s)))
            return cfg_oom(x);
        cfg_pop(x, mark);
        return 0;
    }
    e = cfg_enter(x, v, "script", &mark);
    if (cfg_type(x, e, SRR_JPOS_ARRAY, "an array of steps") < 0)
        return -1;
    if (e->u.arr.n && !(sv->script = calloc(e->u.arr.n, sizeof *sv->script)))
        return cfg_oom(x);
    for (size_t i = 0; i < e->u.arr.n; i++) {
        size_t im = cfg_push_index(x, i);
        if (i > 0 && (sv->script[i - 1].kind == SIM_STEP_CLOSE ||
                      sv->script[i - 1].kind == SIM_STEP_RESET))
            return cfg_fail(x, &e->u.arr.items[i], SIM_CFG_EVALUE,
                            "comes after the connection is closed, so it never runs");
        if (cfg_step(x, &e->u.arr.items[i], &sv->script[i]) < 0)
            return -1;
        sv->nscript++;
        cfg_pop(x, im);
    }
    cfg_pop(x, mark);
    return 0;
}

static int cfg_services(cfg *x, const srr_jpos *v)
{
    sim_config *c = x->c;
    if (cfg_type(x, v, SRR_JPOS_OBJECT, "an object of services") < 0 ||
        cfg_cap(x, v, v->u.obj.n, "services") < 0)
        return -1;
    if (!(c->services = calloc(v->u.obj.n ? v->u.obj.n : 1, sizeof *c->services)))
        return cfg_oom(x);
    c->nservices = v->u.obj.n;
    for (size_t i = 0; i < v->u.obj.n; i++) {
        size_t mark = cfg_push(x, v->u.obj.members[i].key);
        if (cfg_service(x, &v->u.obj.members[i], i) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    return 0;
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

static int cfg_match(cfg *x, const srr_jpos *v, sim_match *mt)
{
    static const char *const keys[] = {"host", "addr", "port", "conn", "direction",
                                       "after_bytes", "call", "from", "until", NULL};
    sim_config *c = x->c;
    const srr_jpos *e, *from_v = NULL;
    size_t mark;
    int64_t n;
    char q[96], a[INET6_ADDRSTRLEN];
    if (cfg_type(x, v, SRR_JPOS_OBJECT, "a match object") < 0 || cfg_keys(x, v, keys) < 0)
        return -1;
    if ((e = cfg_enter(x, v, "host", &mark))) {
        if (cfg_type(x, e, SRR_JPOS_STRING, "a host name") < 0)
            return -1;
        long h = cfg_host_named(c, c->nhosts, e->u.str.s);
        if (h < 0)
            return cfg_fail(x, e, SIM_CFG_ENEVER, "no host %s in hosts, so the rule never matches",
                            cfg_quote(e->u.str.s, q, sizeof q));
        if (!(mt->host = strdup(c->hosts[h].name)))
            return cfg_oom(x);
        cfg_pop(x, mark);
    }
    if ((e = cfg_enter(x, v, "addr", &mark))) {
        if (cfg_addr(x, e, &mt->addr) < 0)
            return -1;
        if (cfg_host_with(c, &mt->addr) < 0)
            return cfg_fail(x, e, SIM_CFG_ENEVER,
                            "no host has the address %s, so the rule never matches",
                            cfg_ip_text(&mt->addr, a, sizeof a));
        cfg_pop(x, mark);
    }
    if ((e = cfg_enter(x, v, "port", &mark))) {
        if (cfg_int(x, e, 0, 65535, &n) < 0)
            return -1;
        mt->port = (int)n;
        cfg_pop(x, mark);
    }
    if ((e = cfg_enter(x, v, "conn", &mark))) {
        if (cfg_int(x, e, 0, LONG_MAX, &n) < 0)
            return -1;
        mt->conn_index = (long)n;
        cfg_pop(x, mark);
    }
    if ((e = cfg_enter(x, v, "direction", &mark))) {
        if (cfg_type(x, e, SRR_JPOS_STRING, "\"out\" or \"in\"") < 0)
            return -1;
        if (strcmp(e->u.str.s, "out") == 0)
            mt->direction = 1;
        else if (strcmp(e->u.str.s, "in") == 0)
            mt->direction = 2;
        else
            return cfg_fail(x, e, SIM_CFG_EVALUE, "expected \"out\" or \"in\", got %s",
                            cfg_quote(e->u.str.s, q, sizeof q));
        cfg_pop(x, mark);
    }
    if ((e = cfg_enter(x, v, "after_bytes", &mark))) {
        if (cfg_int(x, e, 0, INT64_MAX, &mt->after_bytes) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if ((e = cfg_enter(x, v, "call", &mark))) {
        if (cfg_int(x, e, 0, LONG_MAX, &n) < 0)
            return -1;
        mt->call_count = (long)n;
        cfg_pop(x, mark);
    }
    if ((e = cfg_enter(x, v, "until", &mark))) {
        if (cfg_duration(x, e, &mt->until_ns) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if ((from_v = cfg_enter(x, v, "from", &mark))) {
        if (cfg_duration(x, from_v, &mt->from_ns) < 0)
            return -1;
        if (mt->until_ns >= 0 && mt->from_ns > mt->until_ns) {
            char f[48], u[48];
            return cfg_fail(x, from_v, SIM_CFG_ENEVER,
                            "from (%s) is after until (%s), so the rule never matches",
                            cfg_ns_text(mt->from_ns, f, sizeof f),
                            cfg_ns_text(mt->until_ns, u, sizeof u));
        }
        cfg_pop(x, mark);
    }
    return 0;
}

static int cfg_param(cfg *x, const srr_jpos *rule, size_t ai, sim_fault *f)
{
    const char *p = cfg_actions[ai].param;
    size_t mark;
    char g[128];
    if (!p)
        return 0;
    const srr_jpos *v = cfg_enter(x, rule, p, &mark);
    if (!v) {
        if (!cfg_actions[ai].required)
            return 0;
        return cfg_fail(x, rule, SIM_CFG_EVALUE, "action %s needs \"%s\"", cfg_actions[ai].name, p);
    }
    switch (f->action) {
    case SIM_FAULT_UNREACHABLE: {
        int net;
        if (cfg_bool(x, v, &net) < 0)
            return -1;
        f->errnum = net ? ENETUNREACH : EHOSTUNREACH;
        break;
    }
    case SIM_FAULT_RESET:
    case SIM_FAULT_STALL:
        if (cfg_int(x, v, 0, INT64_MAX, &f->bytes) < 0)
            return -1;
        break;
    case SIM_FAULT_SHORT_WRITE:
    case SIM_FAULT_CHUNK_READ:
        /* 0 bytes per call would make every send or receive a no-op forever */
        if (cfg_int(x, v, 1, INT64_MAX, &f->bytes) < 0)
            return -1;
        break;
    case SIM_FAULT_LATENCY:
        if (cfg_duration(x, v, &f->ns) < 0)
            return -1;
        break;
    case SIM_FAULT_BANDWIDTH:
        if (cfg_int(x, v, 1, INT64_MAX, &f->rate) < 0)
            return -1;
        break;
    default: /* LOSS, DUPLICATE, REORDER */
        if (v->type == SRR_JPOS_INT)
            f->probability = (double)v->u.integer;
        else if (v->type == SRR_JPOS_REAL)
            f->probability = v->u.real;
        else
            return cfg_fail(x, v, SIM_CFG_ETYPE, "expected a number 0-1, got %s",
                            cfg_got(v, g, sizeof g));
        if (!(f->probability >= 0 && f->probability <= 1))
            return cfg_fail(x, v, SIM_CFG_EVALUE, "a probability is 0-1, got %g", f->probability);
        break;
    }
    cfg_pop(x, mark);
    return 0;
}

static int cfg_same_rule(const sim_fault *a, const sim_fault *b)
{
    const sim_match *m = &a->match, *n = &b->match;
    if ((m->host == NULL) != (n->host == NULL) || (m->host && strcmp(m->host, n->host) != 0))
        return 0;
    return cfg_ip_equal(&m->addr, &n->addr) && m->port == n->port &&
           m->conn_index == n->conn_index && m->direction == n->direction &&
           m->after_bytes == n->after_bytes && m->call_count == n->call_count &&
           m->from_ns == n->from_ns && m->until_ns == n->until_ns && a->action == b->action &&
           a->bytes == b->bytes && a->ns == b->ns && a->rate == b->rate &&
           a->probability == b->probability && a->errnum == b->errnum;
}

static int cfg_fault(cfg *x, const srr_jpos *v, size_t fi)
{
    sim_fault *f = &x->c->faults[fi];
    size_t mark, ai;
    char q[96];
    f->match = (sim_match){.port = -1, .conn_index = -1, .after_bytes = -1, .call_count = -1,
                           .until_ns = -1};
    if (cfg_type(x, v, SRR_JPOS_OBJECT, "a rule object") < 0)
        return -1;
    f->line = v->line;
    /* A misspelt key is reported as such before a missing action. */
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const srr_jpos_member *m = &v->u.obj.members[i];
        int known = strcmp(m->key, "match") == 0 || strcmp(m->key, "action") == 0;
        for (size_t k = 0; !known && k < CFG_NACTIONS; k++)
            known = cfg_actions[k].param && strcmp(m->key, cfg_actions[k].param) == 0;
        if (!known) {
            cfg_push(x, m->key);
            return cfg_fail_at(x, m->line, m->column, SIM_CFG_EUNKNOWN,
                               "unknown key %s (known: match, action, and the action's "
                               "parameter: net, bytes, delay, rate or probability)",
                               cfg_quote(m->key, q, sizeof q));
        }
    }
    const srr_jpos *a = cfg_enter(x, v, "action", &mark);
    if (!a)
        return cfg_fail(x, v, SIM_CFG_EVALUE, "missing \"action\"");
    if (cfg_type(x, a, SRR_JPOS_STRING, "an action name") < 0)
        return -1;
    for (ai = 0; ai < CFG_NACTIONS; ai++)
        if (strcmp(a->u.str.s, cfg_actions[ai].name) == 0)
            break;
    if (ai == CFG_NACTIONS)
        return cfg_fail(x, a, SIM_CFG_EVALUE,
                        "unknown action %s (known: refuse, blackhole, unreachable, reset, stall, "
                        "short_write, chunk_read, eintr, eagain, latency, bandwidth, loss, "
                        "duplicate, reorder)",
                        cfg_quote(a->u.str.s, q, sizeof q));
    f->action = cfg_actions[ai].action;
    if (f->action == SIM_FAULT_UNREACHABLE)
        f->errnum = EHOSTUNREACH;
    cfg_pop(x, mark);
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const srr_jpos_member *m = &v->u.obj.members[i];
        const char *p = cfg_actions[ai].param;
        if (strcmp(m->key, "match") == 0 || strcmp(m->key, "action") == 0 ||
            (p && strcmp(m->key, p) == 0))
            continue;
        cfg_push(x, m->key);
        return cfg_fail_at(x, m->line, m->column, SIM_CFG_EUNKNOWN,
                           "\"%s\" is not a parameter of %s", m->key, cfg_actions[ai].name);
    }
    const srr_jpos *mv = cfg_enter(x, v, "match", &mark);
    if (mv) {
        if (cfg_match(x, mv, &f->match) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if (cfg_param(x, v, ai, f) < 0)
        return -1;
    if (f->match.after_bytes >= 0 &&
        (f->action == SIM_FAULT_LOSS || f->action == SIM_FAULT_DUPLICATE ||
         f->action == SIM_FAULT_REORDER)) {
        const srr_jpos *ab = &srr__json_pos_get(mv, "after_bytes")->value;
        cfg_push(x, "match");
        cfg_push(x, "after_bytes");
        return cfg_fail(x, ab, SIM_CFG_ENEVER,
                        "%s acts on UDP datagrams and after_bytes counts TCP bytes, so the rule "
                        "never matches",
                        cfg_actions[ai].name);
    }
    for (size_t k = 0; k < fi; k++)
        if (cfg_same_rule(&x->c->faults[k], f))
            return cfg_fail(x, v, SIM_CFG_ENEVER,
                            "same as faults[%zu] (line %d), which acts first, so this rule never "
                            "matches",
                            k, x->c->faults[k].line);
    return 0;
}

static int cfg_faults(cfg *x, const srr_jpos *v)
{
    sim_config *c = x->c;
    if (cfg_type(x, v, SRR_JPOS_ARRAY, "an array of rules") < 0 ||
        cfg_cap(x, v, v->u.arr.n, "fault rules") < 0)
        return -1;
    if (!(c->faults = calloc(v->u.arr.n ? v->u.arr.n : 1, sizeof *c->faults)))
        return cfg_oom(x);
    c->nfaults = v->u.arr.n;
    for (size_t i = 0; i < v->u.arr.n; i++) {
        size_t mark = cfg_push_index(x, i);
        if (cfg_fault(x, &v->u.arr.items[i], i) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    return 0;
}

/* --------------------------------------------------------- entry points */

static int cfg_top(cfg *x, const srr_jpos *root)
{
    static const char *const keys[] = {"seed",     "epoch", "hostname", "latency",
                                       "bandwidth", "connect_timeout", "hosts", "dns",
                                       "services", "faults", NULL};
    sim_config *c = x->c;
    const srr_jpos *v, *hostname = NULL;
    size_t mark, hmark = 0;
    int64_t n;
    if (cfg_type(x, root, SRR_JPOS_OBJECT, "a JSON object (the config)") < 0 ||
        cfg_keys(x, root, keys) < 0)
        return -1;
    if ((v = cfg_enter(x, root, "seed", &mark))) {
        if (cfg_int(x, v, 0, INT64_MAX, &n) < 0)
            return -1;
        c->seed = (uint64_t)n;
        cfg_pop(x, mark);
    }
    if ((v = cfg_enter(x, root, "epoch", &mark))) {
        if (cfg_epoch(x, v, &c->epoch_ns) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if ((hostname = cfg_enter(x, root, "hostname", &hmark))) {
        if (cfg_type(x, hostname, SRR_JPOS_STRING, "a host name") < 0 ||
            cfg_name_at(x, hostname->line, hostname->column, hostname->u.str.s, CFG_MAX_HOSTNAME,
                        "host name") < 0)
            return -1;
        cfg_pop(x, hmark);
    }
    if ((v = cfg_enter(x, root, "latency", &mark))) {
        if (cfg_duration(x, v, &c->latency_ns) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if ((v = cfg_enter(x, root, "bandwidth", &mark))) {
        if (cfg_int(x, v, 0, INT64_MAX, &c->bandwidth) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if ((v = cfg_enter(x, root, "connect_timeout", &mark))) {
        if (cfg_duration(x, v, &c->connect_timeout_ns) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    v = cfg_enter(x, root, "hosts", &mark);
    if (cfg_hosts(x, v) < 0)
        return -1;
    if (v)
        cfg_pop(x, mark);
    for (size_t i = 0; !hostname && i < c->nhosts; i++)
        if (c->hosts[i].self && !(c->hostname = strdup(c->hosts[i].name)))
            return cfg_oom(x);
    if (hostname && !(c->hostname = strdup(hostname->u.str.s)))
        return cfg_oom(x);
    if ((v = cfg_enter(x, root, "dns", &mark))) {
        if (cfg_dns(x, v) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if ((v = cfg_enter(x, root, "services", &mark))) {
        if (cfg_services(x, v) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    if ((v = cfg_enter(x, root, "faults", &mark))) {
        if (cfg_faults(x, v) < 0)
            return -1;
        cfg_pop(x, mark);
    }
    return 0;
}

sim_config *srr__sim_config_parse(const char *text, size_t len, const char *source,
                                  srr_config_error *err)
{
    srr_config_error scratch;
    if (!err)
        err = &scratch;
    srr_jpos *root = srr__json_pos_parse(text, len, source, err);
    if (!root)
        return NULL;
    cfg x = {.err = err};
    x.c = calloc(1, sizeof *x.c);
    if (!x.c) {
        cfg_oom(&x);
        srr__json_pos_free(root);
        return NULL;
    }
    x.c->epoch_ns = CFG_DEFAULT_EPOCH_NS;
    x.c->connect_timeout_ns = CFG_DEFAULT_CONNECT_TIMEOUT_NS;
    int rc = cfg_top(&x, root);
    srr__json_pos_free(root);
    if (rc < 0) {
        srr__sim_config_free(x.c);
        return NULL;
    }
    return x.c;
}

sim_config *srr__sim_config_load(const char *path, srr_config_error *err)
{
    srr_config_error scratch;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int e = 0;
    if (!err)
        err = &scratch;
    FILE *f = fopen(path, "rb");
    if (!f) {
        e = errno;
    } else {
        for (;;) {
            if (len == cap) {
                size_t nc = cap ? cap * 2 : 16384;
                char *nb = nc > CFG_MAX_FILE + (size_t)1 ? NULL : realloc(buf, nc);
                if (!nb) {
                    e = nc > CFG_MAX_FILE + (size_t)1 ? EFBIG : ENOMEM;
                    break;
                }
                buf = nb;
                cap = nc;
            }
            size_t got = fread(buf + len, 1, cap - len, f);
            len += got;
            if (got == 0) {
                if (ferror(f))
                    e = errno ? errno : EIO;
                break;
            }
        }
        fclose(f);
    }
    if (e) {
        char eb[128];
        free(buf);
        memset(err, 0, sizeof *err);
        snprintf(err->source, sizeof err->source, "%s", path);
        err->code = SIM_CFG_EIO;
        snprintf(err->text, sizeof err->text, "cannot read: %s",
                 e == EFBIG ? "larger than 64 MiB" : strerror_r(e, eb, sizeof eb));
        return NULL;
    }
    sim_config *c = srr__sim_config_parse(buf ? buf : "", len, path, err);
    free(buf);
    return c;
}

sim_config *srr__sim_config_default(void)
{
    srr_config_error e;
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
            free(c->dns[i].script[j].addrs);
            free(c->dns[i].script[j].canonname);
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
