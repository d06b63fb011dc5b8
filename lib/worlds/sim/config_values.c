/*
 * config_values.c — the values a sim config is made of, each read with
 * its place for errors: integers, booleans, durations ("250ms"), the epoch
 * (RFC 3339), IPv4 and IPv6 addresses, host and DNS names, byte strings
 * ("hex:..." or text).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_config_int.h"

/* --------------------------------------------------------------- values */

int srr__cfg_int(cfg *x, const srr_json *v, int64_t min, int64_t max, int64_t *out)
{
    if (srr__cfg_type(x, v, SRR_JSON_INT, "an integer") < 0)
        return -1;
    if (v->u.integer < min || v->u.integer > max) {
        if (max == INT64_MAX)
            return cfg_fail(x, v, SRR_PARSE_EVALUE, "must be at least %lld, got %lld",
                            (long long)min, (long long)v->u.integer);
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "must be %lld-%lld, got %lld", (long long)min,
                        (long long)max, (long long)v->u.integer);
    }
    *out = v->u.integer;
    return 0;
}

int srr__cfg_bool(cfg *x, const srr_json *v, int *out)
{
    if (srr__cfg_type(x, v, SRR_JSON_BOOL, "true or false") < 0)
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

/* Times are integer nanoseconds, or a string its reader turns into them;
 * `expected` and `what` word the two ways of getting it wrong. */
static int cfg_ns_value(cfg *x, const srr_json *v, int64_t *out, const char *expected,
                        const char *what, int (*text)(const char *, int64_t *, const char **))
{
    char g[128], q[96];
    if (v->type == SRR_JSON_INT)
        return srr__cfg_int(x, v, 0, INT64_MAX, out);
    if (v->type != SRR_JSON_STRING)
        return cfg_fail(x, v, SRR_PARSE_ETYPE, "expected %s, got %s", expected,
                        srr__cfg_got(v, g, sizeof g));
    const char *why;
    if (text(v->u.str.s, out, &why) < 0)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "not a %s: %s (%s)", what,
                        srr__cfg_quote(v->u.str.s, q, sizeof q), why);
    return 0;
}

/* A duration: integer nanoseconds or a string with a unit; never negative. */
int srr__cfg_duration(cfg *x, const srr_json *v, int64_t *out)
{
    return cfg_ns_value(x, v, out,
                        "a duration (integer nanoseconds or a string like \"250ms\")",
                        "duration", cfg_duration_text);
}

/* "5s" or "1500ms" or "7ns": the largest unit that is exact, for messages. */
const char *srr__cfg_ns_text(int64_t ns, char *buf, size_t n)
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

int srr__cfg_epoch(cfg *x, const srr_json *v, int64_t *out)
{
    return cfg_ns_value(x, v, out, "integer nanoseconds or a \"YYYY-MM-DDTHH:MM:SSZ\" string",
                        "date", cfg_epoch_text);
}

int srr__cfg_ip_parse(const char *s, sim_ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, s, &ip->a.v4) == 1)
        return ip->family = AF_INET, 0;
    if (inet_pton(AF_INET6, s, &ip->a.v6) == 1)
        return ip->family = AF_INET6, 0;
    return -1;
}

int srr__cfg_ip_equal(const sim_ip *a, const sim_ip *b)
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
int srr__cfg_ip_loopback(const sim_ip *ip)
{
    if (ip->family == AF_INET)
        return (ntohl(ip->a.v4.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&ip->a.v6) ||
           (IN6_IS_ADDR_V4MAPPED(&ip->a.v6) && ip->a.v6.s6_addr[12] == 127);
}

const char *srr__cfg_ip_text(const sim_ip *ip, char *buf, size_t n)
{
    if (!inet_ntop(ip->family, &ip->a, buf, (socklen_t)n))
        snprintf(buf, n, "?");
    return buf;
}

int srr__cfg_addr(cfg *x, const srr_json *v, sim_ip *ip)
{
    char q[96];
    if (srr__cfg_type(x, v, SRR_JSON_STRING, "an address string") < 0)
        return -1;
    if (srr__cfg_ip_parse(v->u.str.s, ip) < 0)
        return cfg_fail(x, v, SRR_PARSE_EVALUE, "not an IPv4 or IPv6 address: %s",
                        srr__cfg_quote(v->u.str.s, q, sizeof q));
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

int srr__cfg_name_at(cfg *x, int line, int col, const char *s, size_t max, const char *what)
{
    char q[96];
    const char *why = cfg_name_problem(s, max);
    if (why)
        return srr__cfg_fail_at(x, line, col, SRR_PARSE_EVALUE, "not a %s: %s (%s)", what,
                           srr__cfg_quote(s, q, sizeof q), why);
    return 0;
}

/* A script's bytes: the string's UTF-8, or "hex:..." pairs as raw bytes. */
int srr__cfg_bytes(cfg *x, const srr_json *v, unsigned char **data, size_t *len)
{
    char q[96];
    if (srr__cfg_type(x, v, SRR_JSON_STRING, "a string") < 0)
        return -1;
    const char *s = v->u.str.s;
    size_t n = v->u.str.len;
    unsigned char *b = malloc(n + 1);
    if (!b)
        return srr__cfg_oom(x);
    if (strncmp(s, "hex:", 4) == 0) {
        size_t k = 0;
        for (size_t i = 4; i < n; i += 2) {
            int hi = srr__hex_digit(s[i]), lo = i + 1 < n ? srr__hex_digit(s[i + 1]) : -1;
            if (hi < 0 || lo < 0) {
                free(b);
                return cfg_fail(x, v, SRR_PARSE_EVALUE,
                                "not hex: %s (pairs of hex digits after \"hex:\")",
                                srr__cfg_quote(s, q, sizeof q));
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
