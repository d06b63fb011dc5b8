/*
 * test_sim_config.c — the sim network config (docs/sim-config.md,
 * sim_config.h) and its JSON reader (json.h): the document's example
 * means what it says, defaults, durations, epochs, "hex:" strings, every
 * error code with its formatted line, JSON syntax errors with their line and
 * column, UTF-8 and escapes, deep nesting, huge numbers.
 */
#define _GNU_SOURCE /* EAI_NODATA */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "sim_config.h"

#define NS_PER_S INT64_C(1000000000)

/* docs/sim-config.md's example, as the issue gave it. */
static const char example[] =
    "{\n"
    "  \"seed\": 7,\n"
    "  \"hosts\": {\n"
    "    \"app\":  {\"addrs\": [\"192.0.2.2\"], \"self\": true},\n"
    "    \"db\":   {\"addrs\": [\"192.0.2.5\", \"2001:db8::5\"]},\n"
    "    \"slow\": {\"addrs\": [\"192.0.2.9\"]}\n"
    "  },\n"
    "  \"dns\": {\n"
    "    \"db.internal\":    {\"answers\": [\"192.0.2.5\", \"2001:db8::5\"]},\n"
    "    \"flaky.internal\": {\"script\": [{\"error\": \"EAI_AGAIN\"}, {\"error\": \"EAI_AGAIN\"}, "
    "{\"answers\": [\"192.0.2.5\"]}]},\n"
    "    \"gone.internal\":  {\"error\": \"EAI_NONAME\"},\n"
    "    \"slow.internal\":  {\"answers\": [\"192.0.2.9\"]}\n"
    "  },\n"
    "  \"services\": {\n"
    "    \"db:5432\": {\"script\": [{\"expect\": \"PING\\r\\n\"}, {\"send\": \"PONG\\r\\n\"}, "
    "{\"close\": true}]}\n"
    "  },\n"
    "  \"faults\": [\n"
    "    {\"match\": {\"host\": \"slow\", \"port\": 443}, \"action\": \"blackhole\"}\n"
    "  ]\n"
    "}\n";

/* A small network the error tests build on. */
#define HOSTS                                                                                  \
    "\"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},"                       \
    " \"db\": {\"addrs\": [\"192.0.2.5\", \"2001:db8::5\"]}}"

/* ----------------------------------------------------------------- helpers */

static sim_config *parse_ok_(const char *json, size_t len, const char *what)
{
    srr_parse_error err;
    char line[600];
    sim_config *c = srr__sim_config_parse(json, len, "net.json", &err);
    if (!c)
        fail_msg("%s: %s", what, srr__parse_error_format(&err, line, sizeof line));
    return c;
}
#define parse_ok(json) parse_ok_((json), strlen(json), #json)

static const char *code_name(int code)
{
    static const char *const names[] = {"OK",    "EIO",   "ESYNTAX",   "EUNKNOWN",
                                        "ETYPE", "EVALUE", "EDUPLICATE", "EREF", "ENEVER"};
    return code >= 0 && code <= SRR_PARSE_ENEVER ? names[code] : "?";
}

/* json fails with code; field and the formatted line are checked when not
 * NULL. */
static void expect_err_(const char *json, size_t len, int code, const char *field,
                        const char *formatted)
{
    srr_parse_error err;
    char line[600];
    sim_config *c = srr__sim_config_parse(json, len, "net.json", &err);
    if (c) {
        srr__sim_config_free(c);
        fail_msg("parsed, expected %s: %s", code_name(code), json);
    }
    srr__parse_error_format(&err, line, sizeof line);
    if (err.code != code)
        fail_msg("got %s (%s), expected %s, for %s", code_name(err.code), line, code_name(code),
                 json);
    if (field && strcmp(err.field, field) != 0)
        fail_msg("field \"%s\" (%s), expected \"%s\"", err.field, line, field);
    if (formatted && strcmp(line, formatted) != 0)
        fail_msg("\n got      %s\n expected %s", line, formatted);
}
#define expect_err(json, code, field, formatted)                                               \
    expect_err_((json), strlen(json), (code), (field), (formatted))

static void assert_ip(const sim_ip *ip, const char *text)
{
    char got[INET6_ADDRSTRLEN] = "?";
    sim_ip want = {0};
    if (inet_pton(AF_INET, text, &want.a.v4) == 1)
        want.family = AF_INET;
    else if (inet_pton(AF_INET6, text, &want.a.v6) == 1)
        want.family = AF_INET6;
    else
        fail_msg("bad test address %s", text);
    if (ip->family)
        inet_ntop(ip->family, &ip->a, got, sizeof got);
    if (ip->family != want.family ||
        memcmp(&ip->a, &want.a, want.family == AF_INET ? sizeof want.a.v4 : sizeof want.a.v6))
        fail_msg("address %s, expected %s", got, text);
}

static void assert_bytes(const unsigned char *data, size_t len, const char *want, size_t wlen)
{
    if (len != wlen || memcmp(data, want, len) != 0)
        fail_msg("%zu bytes \"%.*s\", expected %zu bytes \"%.*s\"", len, (int)len,
                 (const char *)data, wlen, (int)wlen, want);
}

static void assert_any_match(const sim_match *m)
{
    assert_null(m->host);
    assert_int_equal(m->addr.family, 0);
    assert_int_equal(m->port, -1);
    assert_int_equal(m->conn_index, -1);
    assert_int_equal(m->direction, 0);
    assert_int_equal(m->after_bytes, -1);
    assert_int_equal(m->call_count, -1);
    assert_int_equal(m->from_ns, 0);
    assert_int_equal(m->until_ns, -1);
}

/* A config whose latency is the given JSON value; the duration or -1. */
static int64_t latency_of(const char *value, int *code)
{
    char json[256];
    srr_parse_error err;
    snprintf(json, sizeof json, "{\"latency\": %s}", value);
    sim_config *c = srr__sim_config_parse(json, strlen(json), NULL, &err);
    if (!c) {
        *code = err.code;
        return -1;
    }
    *code = 0;
    int64_t ns = c->latency_ns;
    srr__sim_config_free(c);
    return ns;
}

static int64_t epoch_of(const char *value, int *code)
{
    char json[256];
    srr_parse_error err;
    snprintf(json, sizeof json, "{\"epoch\": %s}", value);
    sim_config *c = srr__sim_config_parse(json, strlen(json), NULL, &err);
    if (!c) {
        *code = err.code;
        return -1;
    }
    *code = 0;
    int64_t ns = c->epoch_ns;
    srr__sim_config_free(c);
    return ns;
}

/* --------------------------------------------------------- the example */

static void test_example_top_level(void **state)
{
    (void)state;
    sim_config *c = parse_ok(example);
    assert_int_equal(c->seed, 7);
    assert_int_equal(c->epoch_ns, INT64_C(946684800) * NS_PER_S);
    assert_int_equal(c->latency_ns, 0);
    assert_int_equal(c->bandwidth, 0);
    assert_int_equal(c->connect_timeout_ns, 127 * NS_PER_S);
    assert_string_equal(c->hostname, "app");
    srr__sim_config_free(c);
}

static void test_example_hosts(void **state)
{
    (void)state;
    sim_config *c = parse_ok(example);
    assert_int_equal(c->nhosts, 3); /* app is self: no localhost added */
    assert_string_equal(c->hosts[0].name, "app");
    assert_int_equal(c->hosts[0].self, 1);
    assert_int_equal(c->hosts[0].naddrs, 1);
    assert_ip(&c->hosts[0].addrs[0], "192.0.2.2");
    assert_string_equal(c->hosts[1].name, "db");
    assert_int_equal(c->hosts[1].self, 0);
    assert_int_equal(c->hosts[1].naddrs, 2);
    assert_ip(&c->hosts[1].addrs[0], "192.0.2.5");
    assert_ip(&c->hosts[1].addrs[1], "2001:db8::5");
    assert_string_equal(c->hosts[2].name, "slow");
    assert_int_equal(c->hosts[2].self, 0);
    assert_int_equal(c->hosts[2].naddrs, 1);
    assert_ip(&c->hosts[2].addrs[0], "192.0.2.9");
    srr__sim_config_free(c);
}

static void test_example_dns(void **state)
{
    (void)state;
    sim_config *c = parse_ok(example);
    assert_int_equal(c->ndns, 4);
    const sim_dns_name *d = &c->dns[0];
    assert_string_equal(d->name, "db.internal");
    assert_int_equal(d->nscript, 1);
    assert_int_equal(d->script[0].error, 0);
    assert_int_equal(d->script[0].naddrs, 2);
    assert_ip(&d->script[0].addrs[0], "192.0.2.5");
    assert_ip(&d->script[0].addrs[1], "2001:db8::5");
    assert_null(d->script[0].canonname);
    assert_int_equal(d->script[0].delay_ns, 0);

    d = &c->dns[1];
    assert_string_equal(d->name, "flaky.internal");
    assert_int_equal(d->nscript, 3);
    assert_int_equal(d->script[0].error, EAI_AGAIN);
    assert_int_equal(d->script[0].naddrs, 0);
    assert_int_equal(d->script[1].error, EAI_AGAIN);
    assert_int_equal(d->script[2].error, 0);
    assert_int_equal(d->script[2].naddrs, 1);
    assert_ip(&d->script[2].addrs[0], "192.0.2.5");

    d = &c->dns[2];
    assert_string_equal(d->name, "gone.internal");
    assert_int_equal(d->nscript, 1);
    assert_int_equal(d->script[0].error, EAI_NONAME);
    assert_int_equal(d->script[0].naddrs, 0);

    d = &c->dns[3];
    assert_string_equal(d->name, "slow.internal");
    assert_int_equal(d->nscript, 1);
    assert_int_equal(d->script[0].naddrs, 1);
    assert_ip(&d->script[0].addrs[0], "192.0.2.9");
    srr__sim_config_free(c);
}

static void test_example_services(void **state)
{
    (void)state;
    sim_config *c = parse_ok(example);
    assert_int_equal(c->nservices, 1);
    const sim_service *s = &c->services[0];
    assert_string_equal(s->host, "db");
    assert_int_equal(s->port, 5432);
    assert_int_equal(s->proto, IPPROTO_TCP);
    assert_null(s->trace);
    assert_int_equal(s->nscript, 3);
    assert_int_equal(s->script[0].kind, SIM_STEP_EXPECT);
    assert_bytes(s->script[0].data, s->script[0].len, "PING\r\n", 6);
    assert_int_equal(s->script[1].kind, SIM_STEP_SEND);
    assert_bytes(s->script[1].data, s->script[1].len, "PONG\r\n", 6);
    assert_int_equal(s->script[2].kind, SIM_STEP_CLOSE);
    srr__sim_config_free(c);
}

static void test_example_faults(void **state)
{
    (void)state;
    sim_config *c = parse_ok(example);
    assert_int_equal(c->nfaults, 1);
    const sim_fault *f = &c->faults[0];
    assert_int_equal(f->action, SIM_FAULT_BLACKHOLE);
    assert_string_equal(f->match.host, "slow");
    assert_int_equal(f->match.port, 443);
    assert_int_equal(f->match.addr.family, 0);
    assert_int_equal(f->match.conn_index, -1);
    assert_int_equal(f->match.direction, 0);
    assert_int_equal(f->match.after_bytes, -1);
    assert_int_equal(f->match.call_count, -1);
    assert_int_equal(f->match.from_ns, 0);
    assert_int_equal(f->match.until_ns, -1);
    assert_int_equal(f->line, 18);
    srr__sim_config_free(c);
}

/* ------------------------------------------------------------- defaults */

static void assert_default(const sim_config *c)
{
    assert_int_equal(c->seed, 0);
    assert_int_equal(c->epoch_ns, INT64_C(946684800) * NS_PER_S);
    assert_int_equal(c->latency_ns, 0);
    assert_int_equal(c->bandwidth, 0);
    assert_int_equal(c->connect_timeout_ns, 127 * NS_PER_S);
    assert_string_equal(c->hostname, "localhost");
    assert_int_equal(c->nhosts, 1);
    assert_string_equal(c->hosts[0].name, "localhost");
    assert_int_equal(c->hosts[0].self, 1);
    assert_int_equal(c->hosts[0].naddrs, 2);
    assert_ip(&c->hosts[0].addrs[0], "127.0.0.1");
    assert_ip(&c->hosts[0].addrs[1], "::1");
    assert_int_equal(c->ndns, 0);
    assert_int_equal(c->nservices, 0);
    assert_int_equal(c->nfaults, 0);
}

static void test_default_network(void **state)
{
    (void)state;
    sim_config *c = srr__sim_config_default();
    assert_non_null(c);
    assert_default(c);
    srr__sim_config_free(c);
}

static void test_empty_object_is_the_default(void **state)
{
    (void)state;
    sim_config *c = parse_ok("{}");
    assert_default(c);
    srr__sim_config_free(c);
}

static void test_no_self_host_adds_localhost(void **state)
{
    (void)state;
    sim_config *c = parse_ok("{\"hosts\": {\"db\": {\"addrs\": [\"192.0.2.5\"]}}}");
    assert_int_equal(c->nhosts, 2);
    assert_int_equal(c->hosts[0].self, 0);
    assert_string_equal(c->hosts[1].name, "localhost");
    assert_int_equal(c->hosts[1].self, 1);
    assert_ip(&c->hosts[1].addrs[0], "127.0.0.1");
    assert_ip(&c->hosts[1].addrs[1], "::1");
    assert_string_equal(c->hostname, "localhost");
    srr__sim_config_free(c);
}

static void test_host_named_localhost_becomes_self(void **state)
{
    (void)state;
    sim_config *c = parse_ok("{\"hosts\": {\"localhost\": {\"addrs\": [\"127.0.0.1\"]}}}");
    assert_int_equal(c->nhosts, 1);
    assert_int_equal(c->hosts[0].self, 1);
    assert_int_equal(c->hosts[0].naddrs, 1);
    srr__sim_config_free(c);
}

static void test_localhost_beside_another_self_host_is_an_error(void **state)
{
    (void)state;
    expect_err("{\"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},\n"
               " \"localhost\": {\"addrs\": [\"192.0.2.3\"]}}}",
               SRR_PARSE_EVALUE, "hosts.localhost",
               "net.json:2:2: hosts.localhost: localhost is the program's own machine, but "
               "\"app\" is the self host");
}

static void test_hostname_given(void **state)
{
    (void)state;
    sim_config *c = parse_ok("{\"hostname\": \"build-7.example\", " HOSTS "}");
    assert_string_equal(c->hostname, "build-7.example");
    srr__sim_config_free(c);
    expect_err("{\"hostname\": \"a b\"}", SRR_PARSE_EVALUE, "hostname",
               "net.json:1:14: hostname: not a host name: \"a b\" (letters, digits, '-', '_' "
               "and '.' only)");
    expect_err("{\"hostname\": "
               "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
               SRR_PARSE_EVALUE, "hostname", NULL);
    expect_err("{\"hostname\": 5}", SRR_PARSE_ETYPE, "hostname", NULL);
}

static void test_top_level_values(void **state)
{
    (void)state;
    sim_config *c = parse_ok("{\"seed\": 9223372036854775807, \"bandwidth\": 125000, "
                             "\"latency\": \"2ms\", \"connect_timeout\": \"3s\"}");
    assert_int_equal(c->seed, UINT64_C(9223372036854775807));
    assert_int_equal(c->bandwidth, 125000);
    assert_int_equal(c->latency_ns, 2000000);
    assert_int_equal(c->connect_timeout_ns, 3 * NS_PER_S);
    srr__sim_config_free(c);
}

/* ------------------------------------------------- durations and epochs */

static void test_durations(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t ns;
    } ok[] = {
        {"\"250ms\"", 250000000},
        {"\"30s\"", 30 * NS_PER_S},
        {"\"1.5s\"", 1500000000},
        {"\"2m\"", 120 * NS_PER_S},
        {"\"1h\"", 3600 * NS_PER_S},
        {"\"10us\"", 10000},
        {"\"5ns\"", 5},
        {"\"0s\"", 0},
        {"\"0.5ms\"", 500000},
        {"\"1.000000001s\"", 1000000001},
        {"\"0.25m\"", 15 * NS_PER_S},
        {"\"1.50000000000000000000s\"", 1500000000},
        {"\"2562047h\"", INT64_C(2562047) * 3600 * NS_PER_S},
        {"12345", 12345},
        {"0", 0},
        {"9223372036854775807", INT64_MAX},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int code;
        int64_t got = latency_of(ok[i].text, &code);
        if (code != 0 || got != ok[i].ns)
            fail_msg("%s: got %lld (code %s), expected %lld", ok[i].text, (long long)got,
                     code_name(code), (long long)ok[i].ns);
    }
}

static void test_bad_durations(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int code;
    } bad[] = {
        {"\"5\"", SRR_PARSE_EVALUE},      {"\"ms\"", SRR_PARSE_EVALUE},
        {"\"5 s\"", SRR_PARSE_EVALUE},    {"\"-1s\"", SRR_PARSE_EVALUE},
        {"\"+1s\"", SRR_PARSE_EVALUE},    {"\"1.s\"", SRR_PARSE_EVALUE},
        {"\".5s\"", SRR_PARSE_EVALUE},    {"\"1e3s\"", SRR_PARSE_EVALUE},
        {"\"1.5ns\"", SRR_PARSE_EVALUE},  {"\"5S\"", SRR_PARSE_EVALUE},
        {"\"\"", SRR_PARSE_EVALUE},       {"\"5sec\"", SRR_PARSE_EVALUE},
        {"\"1,5s\"", SRR_PARSE_EVALUE},   {"\"2562048h\"", SRR_PARSE_EVALUE},
        {"\"99999999999999999999s\"", SRR_PARSE_EVALUE},
        {"\"0.0000000001s\"", SRR_PARSE_EVALUE},
        {"-1", SRR_PARSE_EVALUE},         {"1.5", SRR_PARSE_ETYPE},
        {"true", SRR_PARSE_ETYPE},        {"null", SRR_PARSE_ETYPE},
        {"[\"1s\"]", SRR_PARSE_ETYPE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int code;
        int64_t got = latency_of(bad[i].text, &code);
        if (code != bad[i].code)
            fail_msg("%s: got %lld (code %s), expected %s", bad[i].text, (long long)got,
                     code_name(code), code_name(bad[i].code));
    }
    expect_err("{\"latency\": \"1.5ns\"}", SRR_PARSE_EVALUE, "latency",
               "net.json:1:13: latency: not a duration: \"1.5ns\" (finer than a nanosecond)");
    expect_err("{\"latency\": 1.5}", SRR_PARSE_ETYPE, "latency",
               "net.json:1:13: latency: expected a duration (integer nanoseconds or a string "
               "like \"250ms\"), got number 1.5");
}

static void test_epochs(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t ns;
    } ok[] = {
        {"0", 0},
        {"1700000000123456789", INT64_C(1700000000123456789)},
        {"\"1970-01-01T00:00:00Z\"", 0},
        {"\"2000-01-01T00:00:00Z\"", INT64_C(946684800) * NS_PER_S},
        {"\"2024-02-29T12:34:56Z\"", INT64_C(1709210096) * NS_PER_S},
        {"\"2262-04-11T23:47:16Z\"", INT64_C(9223372036) * NS_PER_S},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int code;
        int64_t got = epoch_of(ok[i].text, &code);
        if (code != 0 || got != ok[i].ns)
            fail_msg("%s: got %lld (code %s), expected %lld", ok[i].text, (long long)got,
                     code_name(code), (long long)ok[i].ns);
    }
}

static void test_bad_epochs(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int code;
    } bad[] = {
        {"\"2023-02-29T00:00:00Z\"", SRR_PARSE_EVALUE}, {"\"2000-01-01 00:00:00Z\"", SRR_PARSE_EVALUE},
        {"\"2000-01-01T00:00:00\"", SRR_PARSE_EVALUE},  {"\"2000-01-01T24:00:00Z\"", SRR_PARSE_EVALUE},
        {"\"2000-01-01T00:00:60Z\"", SRR_PARSE_EVALUE}, {"\"2000-13-01T00:00:00Z\"", SRR_PARSE_EVALUE},
        {"\"2000-04-31T00:00:00Z\"", SRR_PARSE_EVALUE}, {"\"2000-00-10T00:00:00Z\"", SRR_PARSE_EVALUE},
        {"\"1969-12-31T23:59:59Z\"", SRR_PARSE_EVALUE}, {"\"2262-04-11T23:47:17Z\"", SRR_PARSE_EVALUE},
        {"\"2000-01-01T00:00:00.5Z\"", SRR_PARSE_EVALUE}, {"\"2000-1-01T00:00:00Z\"", SRR_PARSE_EVALUE},
        {"\"\"", SRR_PARSE_EVALUE},                     {"-1", SRR_PARSE_EVALUE},
        {"1.0", SRR_PARSE_ETYPE},                       {"false", SRR_PARSE_ETYPE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int code;
        int64_t got = epoch_of(bad[i].text, &code);
        if (code != bad[i].code)
            fail_msg("%s: got %lld (code %s), expected %s", bad[i].text, (long long)got,
                     code_name(code), code_name(bad[i].code));
    }
    expect_err("{\"epoch\": \"2000-04-31T00:00:00Z\"}", SRR_PARSE_EVALUE, "epoch",
               "net.json:1:11: epoch: not a date: \"2000-04-31T00:00:00Z\" (no such date or "
               "time)");
    expect_err("{\"epoch\": \"1969-12-31T23:59:59Z\"}", SRR_PARSE_EVALUE, "epoch",
               "net.json:1:11: epoch: not a date: \"1969-12-31T23:59:59Z\" (outside "
               "1970-01-01T00:00:00Z to 2262-04-11T23:47:16Z)");
}

/* --------------------------------------------------------------- strings */

/* The first step of a service on db:1 whose script is steps. */
static sim_config *service_with(const char *steps)
{
    char json[512];
    snprintf(json, sizeof json, "{" HOSTS ", \"services\": {\"db:1\": {\"script\": [%s]}}}", steps);
    return parse_ok_(json, strlen(json), steps);
}

static void test_hex_strings(void **state)
{
    (void)state;
    sim_config *c = service_with("{\"send\": \"hex:48656c6c6f\"}, {\"expect\": \"hex:00fF\"}, "
                                 "{\"send\": \"hex:\"}, {\"send\": \"HEX:41\"}");
    const sim_step *s = c->services[0].script;
    assert_bytes(s[0].data, s[0].len, "Hello", 5);
    assert_int_equal(s[1].kind, SIM_STEP_EXPECT);
    assert_bytes(s[1].data, s[1].len, "\x00\xff", 2);
    assert_int_equal(s[2].len, 0);
    assert_bytes(s[3].data, s[3].len, "HEX:41", 6); /* only lower-case hex: is a prefix */
    srr__sim_config_free(c);

    static const char *const bad[] = {"\"hex:4\"", "\"hex:zz\"", "\"hex:48 65\"", "\"hex:0x41\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{" HOSTS ", \"services\": {\"db:1\": {\"script\": [{\"send\": %s}]}}}", bad[i]);
        expect_err(json, SRR_PARSE_EVALUE, "services.db:1.script[0].send", NULL);
    }
}

static void test_text_strings_are_utf8(void **state)
{
    (void)state;
    sim_config *c = service_with("{\"send\": \"caf\\u00e9 \\ud83d\\ude00\"}, "
                                 "{\"send\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}, "
                                 "{\"send\": \"\xe2\x82\xac\"}");
    const sim_step *s = c->services[0].script;
    assert_bytes(s[0].data, s[0].len, "caf\xc3\xa9 \xf0\x9f\x98\x80", 10);
    assert_bytes(s[1].data, s[1].len, "\"\\/\b\f\n\r\t", 8);
    assert_bytes(s[2].data, s[2].len, "\xe2\x82\xac", 3);
    srr__sim_config_free(c);
}

static void test_service_steps(void **state)
{
    (void)state;
    sim_config *c = service_with("{\"wait\": \"250ms\"}, {\"wait\": 7}, {\"reset\": true}");
    const sim_service *s = &c->services[0];
    assert_int_equal(s->nscript, 3);
    assert_int_equal(s->script[0].kind, SIM_STEP_WAIT);
    assert_int_equal(s->script[0].ns, 250000000);
    assert_int_equal(s->script[1].ns, 7);
    assert_int_equal(s->script[2].kind, SIM_STEP_RESET);
    srr__sim_config_free(c);
}

/* ------------------------------------------------------------- services */

static void test_service_key_forms(void **state)
{
    (void)state;
    sim_config *c = parse_ok("{" HOSTS ", \"services\": {"
                             "\"db:1\": {\"script\": []},"
                             "\"192.0.2.5:2\": {\"script\": []},"
                             "\"[2001:db8::5]:3\": {\"script\": []},"
                             "\"DB:4\": {\"trace\": \"peer.jsonl\", \"proto\": \"tcp\"},"
                             "\"127.0.0.1:5\": {\"script\": []},"
                             "\"[::1]:6\": {\"script\": []}}}");
    assert_int_equal(c->nservices, 6);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(c->services[i].host, "db");
        assert_int_equal(c->services[i].port, (int)i + 1);
    }
    assert_string_equal(c->services[3].trace, "peer.jsonl");
    assert_int_equal(c->services[3].nscript, 0);
    assert_string_equal(c->services[4].host, "app"); /* loopback is the self host's */
    assert_string_equal(c->services[5].host, "app");
    srr__sim_config_free(c);
}

static void test_service_key_errors(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        int code;
    } bad[] = {
        {"db", SRR_PARSE_EVALUE},          {"db:", SRR_PARSE_EVALUE},
        {":80", SRR_PARSE_EVALUE},         {"db:0", SRR_PARSE_EVALUE},
        {"db:65536", SRR_PARSE_EVALUE},    {"db:8o", SRR_PARSE_EVALUE},
        {"db:-1", SRR_PARSE_EVALUE},       {"db:000080", SRR_PARSE_EVALUE},
        {"[2001:db8::5]", SRR_PARSE_EVALUE}, {"[192.0.2.5]:80", SRR_PARSE_EVALUE},
        {"2001:db8::5:80", SRR_PARSE_EVALUE}, {"cache:80", SRR_PARSE_EREF},
        {"192.0.2.99:80", SRR_PARSE_EREF}, {"[2001:db8::99]:80", SRR_PARSE_EREF},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[256], field[64];
        snprintf(json, sizeof json, "{" HOSTS ", \"services\": {\"%s\": {\"script\": []}}}",
                 bad[i].key);
        snprintf(field, sizeof field, "services.%s", bad[i].key);
        expect_err(json, bad[i].code, field, NULL);
    }
    expect_err("{" HOSTS ",\n\"services\": {\"cache:6379\": {\"script\": []}}}", SRR_PARSE_EREF,
               "services.cache:6379",
               "net.json:2:14: services.cache:6379: no host \"cache\" in hosts");
    expect_err("{" HOSTS ",\n\"services\": {\"192.0.2.99:80\": {\"script\": []}}}", SRR_PARSE_EREF,
               "services.192.0.2.99:80",
               "net.json:2:14: services.192.0.2.99:80: no host has the address 192.0.2.99");
}

static void test_service_one_per_port(void **state)
{
    (void)state;
    expect_err("{" HOSTS ", \"services\": {\"db:80\": {\"script\": []},\n"
               "\"[2001:db8::5]:80\": {\"script\": []}}}",
               SRR_PARSE_EDUPLICATE, "services.[2001:db8::5]:80",
               "net.json:2:1: services.[2001:db8::5]:80: host \"db\" port 80 already has a "
               "service");
}

static void test_service_value_errors(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        int code;
        const char *field;
    } bad[] = {
        {"{}", SRR_PARSE_EVALUE, "services.db:1"},
        {"{\"script\": [], \"trace\": \"t\"}", SRR_PARSE_EVALUE, "services.db:1.trace"},
        {"{\"trace\": \"\"}", SRR_PARSE_EVALUE, "services.db:1.trace"},
        {"{\"trace\": 1}", SRR_PARSE_ETYPE, "services.db:1.trace"},
        {"{\"script\": {}}", SRR_PARSE_ETYPE, "services.db:1.script"},
        {"{\"script\": [], \"proto\": \"udp\"}", SRR_PARSE_EVALUE, "services.db:1.proto"},
        {"{\"script\": [], \"port\": 1}", SRR_PARSE_EUNKNOWN, "services.db:1.port"},
        {"{\"script\": [{}]}", SRR_PARSE_EVALUE, "services.db:1.script[0]"},
        {"{\"script\": [{\"send\": \"a\", \"wait\": 1}]}", SRR_PARSE_EVALUE,
         "services.db:1.script[0]"},
        {"{\"script\": [{\"sned\": \"a\"}]}", SRR_PARSE_EUNKNOWN, "services.db:1.script[0].sned"},
        {"{\"script\": [{\"close\": false}]}", SRR_PARSE_EVALUE, "services.db:1.script[0].close"},
        {"{\"script\": [{\"close\": 1}]}", SRR_PARSE_ETYPE, "services.db:1.script[0].close"},
        {"{\"script\": [{\"send\": 5}]}", SRR_PARSE_ETYPE, "services.db:1.script[0].send"},
        {"{\"script\": [{\"wait\": \"soon\"}]}", SRR_PARSE_EVALUE, "services.db:1.script[0].wait"},
        {"{\"script\": [{\"reset\": true}, {\"wait\": 1}]}", SRR_PARSE_EVALUE,
         "services.db:1.script[1]"},
        {"[]", SRR_PARSE_ETYPE, "services.db:1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "{" HOSTS ", \"services\": {\"db:1\": %s}}", bad[i].value);
        expect_err(json, bad[i].code, bad[i].field, NULL);
    }
}

/* ------------------------------------------------------------------ dns */

static void test_dns_delay_and_canonname(void **state)
{
    (void)state;
    sim_config *c = parse_ok(
        "{\"dns\": {\"api.example\": {\"delay\": \"1m\", \"canonname\": \"api.cdn.example\","
        " \"script\": [{\"error\": \"EAI_FAIL\"}, {\"error\": \"EAI_NODATA\", \"delay\": \"5ns\"},"
        " {\"answers\": [\"192.0.2.80\"], \"canonname\": \"edge.example\"}]},"
        " \"www.example\": {\"answers\": [\"2001:db8::80\", \"192.0.2.80\"], \"delay\": 20}}}");
    const sim_dns_name *d = &c->dns[0];
    assert_int_equal(d->nscript, 3);
    assert_int_equal(d->script[0].error, EAI_FAIL);
    assert_int_equal(d->script[0].delay_ns, 60 * NS_PER_S);
    assert_string_equal(d->script[0].canonname, "api.cdn.example");
    assert_int_equal(d->script[1].error, EAI_NODATA);
    assert_int_equal(d->script[1].delay_ns, 5);
    assert_int_equal(d->script[2].error, 0);
    assert_string_equal(d->script[2].canonname, "edge.example");
    assert_int_equal(d->script[2].delay_ns, 60 * NS_PER_S);
    d = &c->dns[1];
    assert_int_equal(d->nscript, 1);
    assert_int_equal(d->script[0].delay_ns, 20);
    assert_null(d->script[0].canonname);
    assert_ip(&d->script[0].addrs[0], "2001:db8::80");
    assert_ip(&d->script[0].addrs[1], "192.0.2.80");
    srr__sim_config_free(c);
}

static void test_dns_errors(void **state)
{
    (void)state;
    static const struct {
        const char *entry;
        int code;
        const char *field;
    } bad[] = {
        {"\"n\": {}", SRR_PARSE_EVALUE, "dns.n"},
        {"\"n\": {\"answers\": []}", SRR_PARSE_EVALUE, "dns.n.answers"},
        {"\"n\": {\"answers\": [\"1.2.3\"]}", SRR_PARSE_EVALUE, "dns.n.answers[0]"},
        {"\"n\": {\"answers\": \"1.2.3.4\"}", SRR_PARSE_ETYPE, "dns.n.answers"},
        {"\"n\": {\"error\": \"EAI_SERVICE\"}", SRR_PARSE_EVALUE, "dns.n.error"},
        {"\"n\": {\"error\": -2}", SRR_PARSE_ETYPE, "dns.n.error"},
        {"\"n\": {\"script\": []}", SRR_PARSE_EVALUE, "dns.n.script"},
        {"\"n\": {\"script\": [{\"script\": []}]}", SRR_PARSE_EUNKNOWN, "dns.n.script[0].script"},
        {"\"n\": {\"script\": [{}]}", SRR_PARSE_EVALUE, "dns.n.script[0]"},
        {"\"n\": {\"script\": [{\"answers\": [\"::1\"], \"error\": \"EAI_FAIL\"}]}", SRR_PARSE_EVALUE,
         "dns.n.script[0].error"},
        {"\"n\": {\"error\": \"EAI_FAIL\", \"script\": []}", SRR_PARSE_EVALUE, "dns.n.script"},
        {"\"n\": {\"answers\": [\"::1\"], \"ttl\": 5}", SRR_PARSE_EUNKNOWN, "dns.n.ttl"},
        {"\"n\": {\"answers\": [\"::1\"], \"delay\": \"soon\"}", SRR_PARSE_EVALUE, "dns.n.delay"},
        {"\"n\": {\"answers\": [\"::1\"], \"canonname\": \"a b\"}", SRR_PARSE_EVALUE,
         "dns.n.canonname"},
        {"\"localhost\": {\"answers\": [\"::1\"]}", SRR_PARSE_EVALUE, "dns.localhost"},
        {"\"10.1\": {\"answers\": [\"::1\"]}", SRR_PARSE_EVALUE, "dns.10.1"},
        {"\"\": {\"answers\": [\"::1\"]}", SRR_PARSE_EVALUE, "dns.\"\""},
        {"\"n\": {\"answers\": [\"::1\"]}, \"N\": {\"answers\": [\"::1\"]}", SRR_PARSE_EDUPLICATE,
         "dns.N"},
        {"\"n\": []", SRR_PARSE_ETYPE, "dns.n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "{\"dns\": {%s}}", bad[i].entry);
        expect_err(json, bad[i].code, bad[i].field, NULL);
    }
    expect_err("{\"dns\": {\"gone.internal\": {\"error\": \"NXDOMAIN\"}}}", SRR_PARSE_EVALUE,
               "dns.gone.internal.error",
               "net.json:1:37: dns.gone.internal.error: unknown resolver error \"NXDOMAIN\" "
               "(known: EAI_NONAME, EAI_AGAIN, EAI_FAIL, EAI_NODATA)");
}

/* Records only the DNS server gives, and where it answers. */
static void test_dns_records_and_nameserver(void **state)
{
    (void)state;
    sim_config *c = parse_ok(
        "{\"nameserver\": \"2001:db8::53\", \"dns\": {\"mail.example\": {\"mx\": [{\"preference\": 10,"
        " \"exchange\": \"mx1.example\"}], \"txt\": [\"v=spf1 -all\", \"\"], \"truncate\": true},"
        " \"_sip._tcp.example\": {\"script\": [{\"error\": \"EAI_AGAIN\"}, {\"srv\": [{\"priority\": 1,"
        " \"weight\": 2, \"port\": 5060, \"target\": \"sip.example\"}]}]}}}");
    assert_ip(&c->nameserver, "2001:db8::53");
    const sim_dns_answer *a = &c->dns[0].script[0];
    assert_int_equal(a->naddrs, 0);
    assert_int_equal(a->nmx, 1);
    assert_int_equal(a->mx[0].preference, 10);
    assert_string_equal(a->mx[0].exchange, "mx1.example");
    assert_int_equal(a->ntxt, 2);
    assert_string_equal(a->txt[0], "v=spf1 -all");
    assert_string_equal(a->txt[1], "");
    assert_true(a->truncate);
    a = &c->dns[1].script[1];
    assert_int_equal(a->nsrv, 1);
    assert_int_equal(a->srv[0].priority, 1);
    assert_int_equal(a->srv[0].weight, 2);
    assert_int_equal(a->srv[0].port, 5060);
    assert_string_equal(a->srv[0].target, "sip.example");
    srr__sim_config_free(c);
    c = parse_ok("{}");
    assert_ip(&c->nameserver, "127.0.0.53"); /* systemd-resolved's stub address */
    srr__sim_config_free(c);

    static const struct {
        const char *entry;
        int code;
        const char *field;
    } bad[] = {
        {"\"n\": {\"txt\": \"x\"}", SRR_PARSE_ETYPE, "dns.n.txt"},
        {"\"n\": {\"txt\": [1]}", SRR_PARSE_ETYPE, "dns.n.txt[0]"},
        {"\"n\": {\"mx\": [{\"preference\": 10}]}", SRR_PARSE_EVALUE, "dns.n.mx[0]"},
        {"\"n\": {\"mx\": [{\"preference\": 70000, \"exchange\": \"m\"}]}", SRR_PARSE_EVALUE,
         "dns.n.mx[0].preference"},
        {"\"n\": {\"mx\": [{\"preference\": 1, \"exchange\": \"a b\"}]}", SRR_PARSE_EVALUE,
         "dns.n.mx[0].exchange"},
        {"\"n\": {\"srv\": [{\"priority\": 1, \"weight\": 1, \"port\": 1, \"target\": \"t\", \"ttl\": 1}]}",
         SRR_PARSE_EUNKNOWN, "dns.n.srv[0].ttl"},
        {"\"n\": {\"srv\": [{\"priority\": 1, \"weight\": 1, \"target\": \"t\"}]}", SRR_PARSE_EVALUE,
         "dns.n.srv[0]"},
        {"\"n\": {\"error\": \"EAI_FAIL\", \"txt\": [\"x\"]}", SRR_PARSE_EVALUE, "dns.n"},
        {"\"n\": {\"script\": [{\"answers\": [\"::1\"]}], \"txt\": [\"x\"]}", SRR_PARSE_EVALUE,
         "dns.n.txt"},
        {"\"n\": {\"truncate\": true}", SRR_PARSE_EVALUE, "dns.n"},
        {"\"n\": {\"answers\": [\"::1\"], \"truncate\": 1}", SRR_PARSE_ETYPE, "dns.n.truncate"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "{\"dns\": {%s}}", bad[i].entry);
        expect_err(json, bad[i].code, bad[i].field, NULL);
    }
    char json[400];
    snprintf(json, sizeof json, "{\"dns\": {\"n\": {\"txt\": [\"%0256d\"]}}}", 0);
    expect_err(json, SRR_PARSE_EVALUE, "dns.n.txt[0]", NULL);
    expect_err("{\"nameserver\": \"10.0.0\"}", SRR_PARSE_EVALUE, "nameserver", NULL);
}

static void test_dns_path_of_a_script_answer(void **state)
{
    (void)state;
    expect_err("{\"dns\": {\"flaky.internal\": {\"script\": [{\"error\": \"EAI_AGAIN\"},\n"
               "  {\"error\": \"EAI_AGAIN\"},\n"
               "  {\"answers\": [\"192.0.2.500\"]}]}}}",
               SRR_PARSE_EVALUE, "dns.flaky.internal.script[2].answers[0]",
               "net.json:3:16: dns.flaky.internal.script[2].answers[0]: not an IPv4 or IPv6 "
               "address: \"192.0.2.500\"");
}

/* ---------------------------------------------------------------- hosts */

static void test_host_errors(void **state)
{
    (void)state;
    static const struct {
        const char *hosts;
        int code;
        const char *field;
    } bad[] = {
        {"\"a\": {}", SRR_PARSE_EVALUE, "hosts.a"},
        {"\"a\": {\"addrs\": []}", SRR_PARSE_EVALUE, "hosts.a.addrs"},
        {"\"a\": {\"addrs\": \"192.0.2.1\"}", SRR_PARSE_ETYPE, "hosts.a.addrs"},
        {"\"a\": {\"addrs\": [1]}", SRR_PARSE_ETYPE, "hosts.a.addrs[0]"},
        {"\"a\": {\"addrs\": [\"192.0.2.1\", \"fe80::1%eth0\"]}", SRR_PARSE_EVALUE,
         "hosts.a.addrs[1]"},
        {"\"a\": {\"addrs\": [\" 192.0.2.1\"]}", SRR_PARSE_EVALUE, "hosts.a.addrs[0]"},
        {"\"a\": {\"addrs\": [\"0.0.0.0\"]}", SRR_PARSE_EVALUE, "hosts.a.addrs[0]"},
        {"\"a\": {\"addrs\": [\"::\"]}", SRR_PARSE_EVALUE, "hosts.a.addrs[0]"},
        {"\"a\": {\"addrs\": [\"::1\"]}", SRR_PARSE_EVALUE, "hosts.a.addrs[0]"},
        {"\"a\": {\"addrs\": [\"127.1.2.3\"]}", SRR_PARSE_EVALUE, "hosts.a.addrs[0]"},
        {"\"a\": {\"addrs\": [\"192.0.2.1\", \"192.0.2.1\"]}", SRR_PARSE_EDUPLICATE,
         "hosts.a.addrs[1]"},
        {"\"a\": {\"addrs\": [\"192.0.2.1\"]}, \"b\": {\"addrs\": [\"192.0.2.1\"]}",
         SRR_PARSE_EDUPLICATE, "hosts.b.addrs[0]"},
        {"\"a\": {\"addrs\": [\"192.0.2.1\"]}, \"A\": {\"addrs\": [\"192.0.2.2\"]}",
         SRR_PARSE_EDUPLICATE, "hosts.A"},
        {"\"a\": {\"addrs\": [\"192.0.2.1\"], \"self\": 1}", SRR_PARSE_ETYPE, "hosts.a.self"},
        {"\"a\": {\"addrs\": [\"192.0.2.1\"], \"slef\": true}", SRR_PARSE_EUNKNOWN, "hosts.a.slef"},
        {"\"a b\": {\"addrs\": [\"192.0.2.1\"]}", SRR_PARSE_EVALUE, "hosts.a b"},
        {"\"192.0.2.1\": {\"addrs\": [\"192.0.2.1\"]}", SRR_PARSE_EVALUE, "hosts.192.0.2.1"},
        {"\"a\": [\"192.0.2.1\"]", SRR_PARSE_ETYPE, "hosts.a"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "{\"hosts\": {%s}}", bad[i].hosts);
        expect_err(json, bad[i].code, bad[i].field, NULL);
    }
    expect_err("{\"hosts\": []}", SRR_PARSE_ETYPE, "hosts",
               "net.json:1:11: hosts: expected an object of hosts, got array");
}

static void test_one_self_host(void **state)
{
    (void)state;
    expect_err("{\"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},\n"
               " \"worker\": {\"self\": true, \"addrs\": [\"192.0.2.3\"]}}}",
               SRR_PARSE_EDUPLICATE, "hosts.worker.self",
               "net.json:2:21: hosts.worker.self: \"app\" is already the self host");
    sim_config *c = parse_ok("{\"hosts\": {\"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},"
                             " \"worker\": {\"self\": false, \"addrs\": [\"192.0.2.3\"]}}}");
    assert_int_equal(c->nhosts, 2);
    assert_int_equal(c->hosts[1].self, 0);
    srr__sim_config_free(c);
}

static void test_same_address_two_spellings(void **state)
{
    (void)state;
    expect_err("{\"hosts\": {\"a\": {\"addrs\": [\"2001:db8::5\"]},\n"
               "\"b\": {\"addrs\": [\"2001:0db8:0:0:0:0:0:5\"]}}}",
               SRR_PARSE_EDUPLICATE, "hosts.b.addrs[0]",
               "net.json:2:17: hosts.b.addrs[0]: 2001:db8::5 is already an address of host \"a\"");
}

/* ---------------------------------------------------------------- faults */

static void test_every_action(void **state)
{
    (void)state;
    sim_config *c = parse_ok(
        "{\"hosts\": {\"app\": {\"addrs\": [\"10.0.0.1\"], \"self\": true},"
        " \"db\": {\"addrs\": [\"10.0.0.5\", \"fd00::5\"]}},\n"
        "\"faults\": [\n"
        "{\"match\": {\"host\": \"DB\", \"port\": 5432, \"conn\": 3}, \"action\": \"refuse\"},\n"
        "{\"match\": {\"addr\": \"fd00::5\"}, \"action\": \"blackhole\"},\n"
        "{\"action\": \"unreachable\"},\n"
        "{\"action\": \"unreachable\", \"net\": true},\n"
        "{\"match\": {\"direction\": \"in\", \"after_bytes\": 10}, \"action\": \"reset\", "
        "\"bytes\": 100},\n"
        "{\"match\": {\"direction\": \"out\"}, \"action\": \"stall\", \"bytes\": 0},\n"
        "{\"action\": \"short_write\", \"bytes\": 1},\n"
        "{\"action\": \"chunk_read\", \"bytes\": 3},\n"
        "{\"match\": {\"call\": 2}, \"action\": \"eintr\"},\n"
        "{\"match\": {\"call\": 2}, \"action\": \"eagain\"},\n"
        "{\"match\": {\"from\": \"1s\", \"until\": \"2m\"}, \"action\": \"latency\", \"delay\": "
        "\"1.5s\"},\n"
        "{\"action\": \"bandwidth\", \"rate\": 56000},\n"
        "{\"action\": \"loss\", \"probability\": 0.25},\n"
        "{\"action\": \"duplicate\", \"probability\": 1},\n"
        "{\"action\": \"reorder\", \"probability\": 0},\n"
        "{\"match\": {\"addr\": \"127.0.0.1\", \"from\": 5, \"until\": 5},"
        " \"action\": \"refuse\"},\n"
        "{\"match\": {}, \"action\": \"refuse\"}\n"
        "]}");
    assert_int_equal(c->nfaults, 17);
    const sim_fault *f = c->faults;
    assert_int_equal(f[0].action, SIM_FAULT_REFUSE);
    assert_string_equal(f[0].match.host, "db");
    assert_int_equal(f[0].match.port, 5432);
    assert_int_equal(f[0].match.conn_index, 3);
    assert_int_equal(f[0].line, 3);
    assert_int_equal(f[1].action, SIM_FAULT_BLACKHOLE);
    assert_ip(&f[1].match.addr, "fd00::5");
    assert_null(f[1].match.host);
    assert_int_equal(f[2].action, SIM_FAULT_UNREACHABLE);
    assert_int_equal(f[2].errnum, EHOSTUNREACH);
    assert_any_match(&f[2].match);
    assert_int_equal(f[3].errnum, ENETUNREACH);
    assert_int_equal(f[4].action, SIM_FAULT_RESET);
    assert_int_equal(f[4].bytes, 100);
    assert_int_equal(f[4].match.direction, 2);
    assert_int_equal(f[4].match.after_bytes, 10);
    assert_int_equal(f[5].action, SIM_FAULT_STALL);
    assert_int_equal(f[5].bytes, 0);
    assert_int_equal(f[5].match.direction, 1);
    assert_int_equal(f[6].action, SIM_FAULT_SHORT_WRITE);
    assert_int_equal(f[6].bytes, 1);
    assert_int_equal(f[7].action, SIM_FAULT_CHUNK_READ);
    assert_int_equal(f[7].bytes, 3);
    assert_int_equal(f[8].action, SIM_FAULT_EINTR);
    assert_int_equal(f[8].match.call_count, 2);
    assert_int_equal(f[9].action, SIM_FAULT_EAGAIN);
    assert_int_equal(f[10].action, SIM_FAULT_LATENCY);
    assert_int_equal(f[10].ns, 1500000000);
    assert_int_equal(f[10].match.from_ns, NS_PER_S);
    assert_int_equal(f[10].match.until_ns, 120 * NS_PER_S);
    assert_int_equal(f[11].action, SIM_FAULT_BANDWIDTH);
    assert_int_equal(f[11].rate, 56000);
    assert_int_equal(f[12].action, SIM_FAULT_LOSS);
    assert_true(f[12].probability == 0.25);
    assert_int_equal(f[13].action, SIM_FAULT_DUPLICATE);
    assert_true(f[13].probability == 1.0);
    assert_int_equal(f[14].action, SIM_FAULT_REORDER);
    assert_true(f[14].probability == 0.0);
    assert_ip(&f[15].match.addr, "127.0.0.1"); /* loopback: the self host's */
    assert_int_equal(f[15].match.from_ns, 5);
    assert_int_equal(f[15].match.until_ns, 5);
    assert_any_match(&f[16].match);
    assert_int_equal(f[16].line, 19);
    srr__sim_config_free(c);
}

static void test_fault_errors(void **state)
{
    (void)state;
    static const struct {
        const char *rule;
        int code;
        const char *field;
    } bad[] = {
        {"{}", SRR_PARSE_EVALUE, "faults[0]"},
        {"{\"match\": {}}", SRR_PARSE_EVALUE, "faults[0]"},
        {"{\"action\": 1}", SRR_PARSE_ETYPE, "faults[0].action"},
        {"{\"action\": \"Refuse\"}", SRR_PARSE_EVALUE, "faults[0].action"},
        {"{\"acton\": \"refuse\"}", SRR_PARSE_EUNKNOWN, "faults[0].acton"},
        {"{\"action\": \"refuse\", \"net\": true}", SRR_PARSE_EUNKNOWN, "faults[0].net"},
        {"{\"action\": \"reset\"}", SRR_PARSE_EVALUE, "faults[0]"},
        {"{\"action\": \"reset\", \"bytes\": -1}", SRR_PARSE_EVALUE, "faults[0].bytes"},
        {"{\"action\": \"reset\", \"bytes\": \"10\"}", SRR_PARSE_ETYPE, "faults[0].bytes"},
        {"{\"action\": \"short_write\", \"bytes\": 0}", SRR_PARSE_EVALUE, "faults[0].bytes"},
        {"{\"action\": \"chunk_read\", \"bytes\": 0}", SRR_PARSE_EVALUE, "faults[0].bytes"},
        {"{\"action\": \"latency\"}", SRR_PARSE_EVALUE, "faults[0]"},
        {"{\"action\": \"latency\", \"delay\": \"-1s\"}", SRR_PARSE_EVALUE, "faults[0].delay"},
        {"{\"action\": \"bandwidth\", \"rate\": 0}", SRR_PARSE_EVALUE, "faults[0].rate"},
        {"{\"action\": \"loss\"}", SRR_PARSE_EVALUE, "faults[0]"},
        {"{\"action\": \"loss\", \"probability\": 1.5}", SRR_PARSE_EVALUE, "faults[0].probability"},
        {"{\"action\": \"loss\", \"probability\": -0.1}", SRR_PARSE_EVALUE,
         "faults[0].probability"},
        {"{\"action\": \"loss\", \"probability\": \"half\"}", SRR_PARSE_ETYPE,
         "faults[0].probability"},
        {"{\"action\": \"unreachable\", \"net\": \"yes\"}", SRR_PARSE_ETYPE, "faults[0].net"},
        {"{\"action\": \"refuse\", \"match\": []}", SRR_PARSE_ETYPE, "faults[0].match"},
        {"{\"action\": \"refuse\", \"match\": {\"prot\": 1}}", SRR_PARSE_EUNKNOWN,
         "faults[0].match.prot"},
        {"{\"action\": \"refuse\", \"match\": {\"port\": 65536}}", SRR_PARSE_EVALUE,
         "faults[0].match.port"},
        {"{\"action\": \"refuse\", \"match\": {\"port\": -1}}", SRR_PARSE_EVALUE,
         "faults[0].match.port"},
        {"{\"action\": \"refuse\", \"match\": {\"conn\": -1}}", SRR_PARSE_EVALUE,
         "faults[0].match.conn"},
        {"{\"action\": \"refuse\", \"match\": {\"call\": 1.0}}", SRR_PARSE_ETYPE,
         "faults[0].match.call"},
        {"{\"action\": \"refuse\", \"match\": {\"direction\": \"up\"}}", SRR_PARSE_EVALUE,
         "faults[0].match.direction"},
        {"{\"action\": \"refuse\", \"match\": {\"addr\": \"db\"}}", SRR_PARSE_EVALUE,
         "faults[0].match.addr"},
        {"{\"action\": \"refuse\", \"match\": {\"host\": 1}}", SRR_PARSE_ETYPE,
         "faults[0].match.host"},
        {"{\"action\": \"refuse\", \"match\": {\"host\": \"cache\"}}", SRR_PARSE_ENEVER,
         "faults[0].match.host"},
        {"{\"action\": \"refuse\", \"match\": {\"addr\": \"192.0.2.6\"}}", SRR_PARSE_ENEVER,
         "faults[0].match.addr"},
        {"{\"action\": \"refuse\", \"match\": {\"from\": 2, \"until\": 1}}", SRR_PARSE_ENEVER,
         "faults[0].match.from"},
        {"{\"action\": \"refuse\", \"match\": {\"until\": 0, \"from\": \"1us\"}}", SRR_PARSE_ENEVER,
         "faults[0].match.from"},
        {"{\"action\": \"duplicate\", \"probability\": 0.5, \"match\": {\"after_bytes\": 0}}",
         SRR_PARSE_ENEVER, "faults[0].match.after_bytes"},
        {"\"refuse\"", SRR_PARSE_ETYPE, "faults[0]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[384];
        snprintf(json, sizeof json, "{" HOSTS ", \"faults\": [%s]}", bad[i].rule);
        expect_err(json, bad[i].code, bad[i].field, NULL);
    }
    expect_err("{\"faults\": {}}", SRR_PARSE_ETYPE, "faults",
               "net.json:1:12: faults: expected an array of rules, got object");
}

static void test_fault_messages(void **state)
{
    (void)state;
    expect_err("{" HOSTS ",\n\"faults\": [{\"match\": {\"host\": \"slow\", \"port\": 443}, "
               "\"action\": \"blackhole\"}]}",
               SRR_PARSE_ENEVER, "faults[0].match.host",
               "net.json:2:31: faults[0].match.host: no host \"slow\" in hosts, so the rule never "
               "matches");
    expect_err("{\"faults\": [\n{\"action\": \"explode\"}]}", SRR_PARSE_EVALUE, "faults[0].action",
               "net.json:2:12: faults[0].action: unknown action \"explode\" (known: refuse, "
               "blackhole, unreachable, reset, stall, short_write, chunk_read, eintr, eagain, "
               "latency, bandwidth, loss, duplicate, reorder)");
    expect_err("{\"faults\": [\n  {\"action\": \"chunk_read\"}]}", SRR_PARSE_EVALUE, "faults[0]",
               "net.json:2:3: faults[0]: action chunk_read needs \"bytes\"");
    expect_err("{\"faults\": [{\"match\": {\"from\": \"2s\", \"until\": \"1500ms\"}, "
               "\"action\": \"eagain\"}]}",
               SRR_PARSE_ENEVER, "faults[0].match.from",
               "net.json:1:32: faults[0].match.from: from (2s) is after until (1500ms), so the "
               "rule never matches");
    expect_err("{\"faults\": [{\"match\": {\"until\": 0, \"from\": 1000}, \"action\": \"eintr\"}]}",
               SRR_PARSE_ENEVER, "faults[0].match.from",
               "net.json:1:44: faults[0].match.from: from (1us) is after until (0s), so the rule "
               "never matches");
    expect_err("{\"faults\": [{\"action\": \"refuse\", \"bytes\": 1}]}", SRR_PARSE_EUNKNOWN,
               "faults[0].bytes",
               "net.json:1:34: faults[0].bytes: \"bytes\" is not a parameter of refuse");
}

static void test_identical_rule_never_matches(void **state)
{
    (void)state;
    expect_err("{" HOSTS ", \"faults\": [\n"
               "{\"match\": {\"host\": \"db\", \"port\": 5432}, \"action\": \"reset\","
               " \"bytes\": 9},\n"
               "{\"match\": {\"port\": 80}, \"action\": \"refuse\"},\n"
               "{\"bytes\": 9, \"action\": \"reset\","
               " \"match\": {\"port\": 5432, \"host\": \"DB\"}}]}",
               SRR_PARSE_ENEVER, "faults[2]",
               "net.json:4:1: faults[2]: same as faults[0] (line 2), which acts first, so this "
               "rule never matches");
    expect_err("{\"faults\": [{\"action\": \"eintr\"}, {\"action\": \"eintr\", \"match\": {}}]}",
               SRR_PARSE_ENEVER, "faults[1]", NULL);
    /* Differing only in a parameter, or the action, is not identical. */
    sim_config *c = parse_ok("{\"faults\": [{\"action\": \"reset\", \"bytes\": 1},"
                             " {\"action\": \"reset\", \"bytes\": 2},"
                             " {\"action\": \"stall\", \"bytes\": 2}]}");
    assert_int_equal(c->nfaults, 3);
    srr__sim_config_free(c);
}

/* --------------------------------------------- one formatted line per code */

static void test_unknown_key_message(void **state)
{
    (void)state;
    expect_err("{\"seed\": 1,\n \"hosts\": {\"db\": {\"adrs\": [\"192.0.2.5\"]}}}",
               SRR_PARSE_EUNKNOWN, "hosts.db.adrs",
               "net.json:2:19: hosts.db.adrs: unknown key \"adrs\" (known: addrs, self)");
    expect_err("{\"sead\": 1}", SRR_PARSE_EUNKNOWN, "sead",
               "net.json:1:2: sead: unknown key \"sead\" (known: seed, epoch, hostname, latency, "
               "bandwidth, connect_timeout, idle_limit, hosts, dns, nameserver, services, faults)");
}

static void test_wrong_type_message(void **state)
{
    (void)state;
    expect_err("{\"seed\": \"7\"}", SRR_PARSE_ETYPE, "seed",
               "net.json:1:10: seed: expected an integer, got string \"7\"");
    expect_err("{\"seed\": 7.0}", SRR_PARSE_ETYPE, "seed",
               "net.json:1:10: seed: expected an integer, got number 7");
    expect_err("[]", SRR_PARSE_ETYPE, "",
               "net.json:1:1: expected a JSON object (the config), got array");
}

static void test_bad_address_message(void **state)
{
    (void)state;
    /* docs/sim-config.md's example error, at its line and column */
    expect_err("{\n  \"seed\": 7,\n  \"hosts\": {\n"
               "    \"app\": {\"addrs\": [\"192.0.2.2\"], \"self\": true},\n"
               "    \"web\": {\"addrs\": [\"192.0.2.4\"]},\n"
               "    \"db\":  {\"addrs\": [\"192.0.2.5\",\n"
               "              \"192.0.2.300\"]}\n  }\n}\n",
               SRR_PARSE_EVALUE, "hosts.db.addrs[1]",
               "net.json:7:15: hosts.db.addrs[1]: not an IPv4 or IPv6 address: \"192.0.2.300\"");
}

static void test_duplicate_key_message(void **state)
{
    (void)state;
    expect_err("{\"hosts\": {\n  \"db\": {\"addrs\": [\"192.0.2.5\"]},\n"
               "  \"db\": {\"addrs\": [\"192.0.2.6\"]}}}",
               SRR_PARSE_EDUPLICATE, "hosts.db",
               "net.json:3:3: hosts.db: duplicate key \"db\" (first at line 2, column 3)");
    expect_err("{\"hosts\": {\"db\": {\"addrs\": [\"192.0.2.5\"]},\n"
               "  \"Db\": {\"addrs\": [\"192.0.2.6\"]}}}",
               SRR_PARSE_EDUPLICATE, "hosts.Db",
               "net.json:2:3: hosts.Db: host \"Db\" is already defined as \"db\"");
}

static void test_read_error_message(void **state)
{
    (void)state;
    srr_parse_error err;
    char line[600];
    assert_null(srr__sim_config_load("/nonexistent/net.json", &err));
    assert_int_equal(err.code, SRR_PARSE_EIO);
    assert_int_equal(err.line, 0);
    assert_string_equal(srr__parse_error_format(&err, line, sizeof line),
                        "/nonexistent/net.json: cannot read: No such file or directory");
}

static void test_load_names_the_file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_sim_config_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char bad[] = "{\n\"seed\": -1}";
    assert_int_equal(write(fd, bad, sizeof bad - 1), (ssize_t)(sizeof bad - 1));
    close(fd);
    srr_parse_error err;
    char line[600], want[600];
    assert_null(srr__sim_config_load(path, &err));
    snprintf(want, sizeof want, "%s:2:9: seed: must be at least 0, got -1", path);
    assert_string_equal(srr__parse_error_format(&err, line, sizeof line), want);

    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(example, f);
    fclose(f);
    sim_config *c = srr__sim_config_load(path, &err);
    assert_non_null(c);
    assert_int_equal(c->nhosts, 3);
    srr__sim_config_free(c);
    unlink(path);
}

static void test_error_format_edges(void **state)
{
    (void)state;
    srr_parse_error e = {.line = 3, .column = 4, .code = SRR_PARSE_EJSON};
    char buf[64];
    snprintf(e.source, sizeof e.source, "a.json");
    snprintf(e.text, sizeof e.text, "boom");
    assert_string_equal(srr__parse_error_format(&e, buf, sizeof buf), "a.json:3:4: boom");
    snprintf(e.field, sizeof e.field, "x.y[2]");
    assert_string_equal(srr__parse_error_format(&e, buf, sizeof buf), "a.json:3:4: x.y[2]: boom");
    e.line = 0;
    assert_string_equal(srr__parse_error_format(&e, buf, sizeof buf), "a.json: x.y[2]: boom");
    e.source[0] = '\0';
    assert_string_equal(srr__parse_error_format(&e, buf, sizeof buf), "<string>: x.y[2]: boom");
    char tiny[8];
    memset(tiny, 'Z', sizeof tiny);
    assert_string_equal(srr__parse_error_format(&e, tiny, sizeof tiny), "<string");
    assert_string_equal(srr__parse_error_format(&e, tiny, 1), "");
}

static void test_source_defaults_to_string(void **state)
{
    (void)state;
    srr_parse_error err;
    char line[600];
    assert_null(srr__sim_config_parse("{\"seed\": true}", 14, NULL, &err));
    assert_string_equal(srr__parse_error_format(&err, line, sizeof line),
                        "<string>:1:10: seed: expected an integer, got true");
    assert_null(srr__sim_config_parse("{\"seed\": true}", 14, NULL, NULL)); /* err may be NULL */
}

/* ------------------------------------------------------------ JSON syntax */

/* text (len bytes) is not JSON: code, line, column and the text. */
static void expect_syntax_(const char *text, size_t len, int code, int line, int col,
                           const char *msg)
{
    srr_parse_error err;
    char out[600];
    srr_json *v = srr__json_parse(text, len, "t", &err);
    if (v) {
        srr__json_free(v);
        fail_msg("parsed: %.*s", (int)len, text);
    }
    srr__parse_error_format(&err, out, sizeof out);
    if (err.code != code || err.line != line || err.column != col)
        fail_msg("%s: got %s at %d:%d, expected %s at %d:%d", out, code_name(err.code), err.line,
                 err.column, code_name(code), line, col);
    if (msg && strcmp(err.text, msg) != 0)
        fail_msg("\n got      %s\n expected %s", err.text, msg);
}
#define expect_syntax(text, line, col, msg)                                                    \
    expect_syntax_((text), sizeof(text) - 1, SRR_PARSE_EJSON, (line), (col), (msg))
#define expect_json_err(text, code, line, col, msg)                                            \
    expect_syntax_((text), sizeof(text) - 1, (code), (line), (col), (msg))

static void test_json_syntax_errors(void **state)
{
    (void)state;
    expect_syntax("", 1, 1, "not JSON: empty input");
    expect_syntax(" \n\t ", 2, 3, "not JSON: empty input");
    expect_syntax("{", 1, 2, "not JSON: expected a string key, got end of input");
    expect_syntax("{\"a\" 1}", 1, 6, "not JSON: expected ':' after the key, got '1'");
    expect_syntax("{\"a\": 1,}", 1, 9, "not JSON: expected a string key, got '}'");
    expect_syntax("[1,]", 1, 4, "not JSON: expected a value, got ']'");
    expect_syntax("[1 2]", 1, 4, "not JSON: expected ',' or ']' after an array element, got '2'");
    expect_syntax("{\"a\": 1\n \"b\": 2}", 2, 2,
                  "not JSON: expected ',' or '}' after a member, got '\"'");
    expect_syntax("{} x", 1, 4, "not JSON: 'x' after the value");
    expect_syntax("{}{}", 1, 3, "not JSON: '{' after the value");
    expect_syntax("{'a': 1}", 1, 2, "not JSON: expected a string key, got '''");
    expect_syntax("// c\n{}", 1, 1, "not JSON: expected a value, got '/'");
    expect_syntax("[True]", 1, 2, "not JSON: invalid literal \"True\"");
    expect_syntax("[tru]", 1, 2, "not JSON: invalid literal \"tru\"");
    expect_syntax("[nul", 1, 2, "not JSON: invalid literal \"nul\"");
    expect_syntax("[NaN]", 1, 2, "not JSON: invalid literal \"NaN\"");
    expect_syntax("[01]", 1, 2, "not JSON: a number cannot start with 0");
    expect_syntax("[-]", 1, 3, "not JSON: expected a digit after '-', got ']'");
    expect_syntax("[1.]", 1, 4, "not JSON: expected a digit after '.'");
    expect_syntax("[1e+]", 1, 5, "not JSON: expected a digit in the exponent");
    expect_syntax("[+1]", 1, 2, "not JSON: expected a value, got '+'");
    expect_syntax("[.5]", 1, 2, "not JSON: expected a value, got '.'");
    expect_syntax("\"abc", 1, 5, "not JSON: unterminated string");
    expect_syntax("\"abc\\", 1, 6, "not JSON: unterminated string");
    expect_syntax("\"a\nb\"", 1, 3, "not JSON: control character 0x0a in a string (escape it)");
    expect_syntax("\"a\\qb\"", 1, 3, "not JSON: invalid escape '\\q'");
    expect_syntax("\"\\u12\"", 1, 2, "not JSON: \\u needs four hex digits");
    expect_syntax("\"\\u12G4\"", 1, 2, "not JSON: \\u needs four hex digits");
    expect_syntax("\"\\ud800\"", 1, 2, "not JSON: unpaired surrogate \\ud800");
    expect_syntax("\"\\ud800\\u0041\"", 1, 2, "not JSON: unpaired surrogate \\ud800");
    expect_syntax("\"\\udc00\"", 1, 2, "not JSON: unpaired surrogate \\udc00");
    expect_syntax("\"x\\u0000\"", 1, 3, "not JSON: \\u0000 (NUL) is not allowed in a string");
    expect_syntax("\"a\0b\"", 1, 3, "not JSON: NUL byte in a string");
    expect_syntax("{}\0", 1, 3, "not JSON: byte 0x00 after the value");
    expect_syntax("[\xef\xbb\xbf]", 1, 2, "not JSON: expected a value, got byte 0xef");
}

static void test_json_invalid_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\"\xff\"",             /* never valid */
        "\"\xc0\x80\"",         /* overlong NUL */
        "\"\xc1\xbf\"",         /* overlong */
        "\"\xe0\x80\xaf\"",     /* overlong '/' */
        "\"\xed\xa0\x80\"",     /* a surrogate, encoded */
        "\"\xf4\x90\x80\x80\"", /* above U+10FFFF */
        "\"\xf5\x80\x80\x80\"",
        "\"\xe2\x82\"",         /* cut short */
        "\"\x80\"",             /* a lone continuation byte */
        "\"\xe2\x28\xa1\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_syntax_(bad[i], strlen(bad[i]), SRR_PARSE_EJSON, 1, 2, NULL);
    expect_syntax("\"ok \xff\"", 1, 5, "not JSON: invalid UTF-8 byte 0xff");
}

static void test_json_columns_count_characters(void **state)
{
    (void)state;
    /* é is two bytes and one column; the BOM is skipped and not counted */
    expect_syntax("{\"\xc3\xa9\xc3\xa9\": x}", 1, 8, "not JSON: invalid literal \"x\"");
    expect_syntax("\xef\xbb\xbf{\"a\": x}", 1, 7, "not JSON: invalid literal \"x\"");
    expect_syntax("{\"a\":\n\t\t[1,\n\t\t 2,\n\t\t x]}", 4, 4, NULL);
}

static void test_json_positions_and_values(void **state)
{
    (void)state;
    static const char text[] = "{\n  \"a\": [1, -0, 1.5e3, true, false, null],\n"
                               "  \"\xc3\xa9\": "
                               "\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\",\n"
                               "  \"min\": -9223372036854775808, \"max\": 9223372036854775807,\n"
                               "  \"tiny\": 1e-400, \"neg\": -2.5E-1\n}";
    srr_parse_error err;
    srr_json *v = srr__json_parse(text, sizeof text - 1, "t", &err);
    if (!v)
        fail_msg("%s", err.text);
    assert_int_equal(v->type, SRR_JSON_OBJECT);
    assert_int_equal(v->u.obj.n, 6);
    const srr_json_member *a = srr__json_member(v, "a");
    assert_non_null(a);
    assert_int_equal(a->line, 2);
    assert_int_equal(a->column, 3);
    assert_int_equal(a->value.line, 2);
    assert_int_equal(a->value.column, 8);
    const srr_json *arr = a->value.u.arr.items;
    assert_int_equal(a->value.u.arr.n, 6);
    assert_int_equal(arr[0].type, SRR_JSON_INT);
    assert_int_equal(arr[0].u.integer, 1);
    assert_int_equal(arr[1].type, SRR_JSON_INT);
    assert_int_equal(arr[1].u.integer, 0);
    assert_int_equal(arr[2].type, SRR_JSON_REAL);
    assert_true(arr[2].u.real == 1500.0);
    assert_int_equal(arr[2].column, 16);
    assert_int_equal(arr[3].type, SRR_JSON_BOOL);
    assert_int_equal(arr[3].u.boolean, 1);
    assert_int_equal(arr[4].u.boolean, 0);
    assert_int_equal(arr[5].type, SRR_JSON_NULL);
    const srr_json_member *e = srr__json_member(v, "\xc3\xa9");
    assert_non_null(e);
    assert_int_equal(e->value.column, 8); /* "é" is one column */
    assert_int_equal(e->value.u.str.len, 2 + 4 + 8);
    assert_memory_equal(e->value.u.str.s, "\xc3\xa9\xf0\x9f\x98\x80\"\\/\b\f\n\r\t", 14);
    assert_int_equal(srr__json_member(v, "min")->value.u.integer, INT64_MIN);
    assert_int_equal(srr__json_member(v, "max")->value.u.integer, INT64_MAX);
    assert_int_equal(srr__json_member(v, "max")->value.line, 4);
    assert_true(srr__json_member(v, "tiny")->value.u.real == 0.0);
    assert_true(srr__json_member(v, "neg")->value.u.real == -0.25);
    assert_null(srr__json_member(v, "b"));
    assert_null(srr__json_member(arr, "a"));
    srr__json_free(v);
}

static void test_json_huge_numbers(void **state)
{
    (void)state;
    expect_json_err("[9223372036854775808]", SRR_PARSE_EVALUE, 1, 2,
                   "integer out of range (64 bits): 9223372036854775808");
    expect_json_err("[-9223372036854775809]", SRR_PARSE_EVALUE, 1, 2,
                   "integer out of range (64 bits): -9223372036854775809");
    expect_json_err("[1e400]", SRR_PARSE_EVALUE, 1, 2, "number out of range: 1e400");
    expect_json_err("[-1e400]", SRR_PARSE_EVALUE, 1, 2, "number out of range: -1e400");
    char big[200];
    memset(big, '9', sizeof big);
    big[0] = '[';
    big[sizeof big - 1] = ']';
    expect_syntax_(big, sizeof big, SRR_PARSE_EVALUE, 1, 2,
                   "integer out of range (64 bits): "
                   "9999999999999999999999999999999999999...");
    expect_err("{\"seed\": 18446744073709551616}", SRR_PARSE_EVALUE, "seed",
               "net.json:1:10: seed: integer out of range (64 bits): 18446744073709551616");
    expect_err("{\"seed\": -1}", SRR_PARSE_EVALUE, "seed",
               "net.json:1:10: seed: must be at least 0, got -1");
    expect_err("{\"bandwidth\": 1e3}", SRR_PARSE_ETYPE, "bandwidth", NULL);
    sim_config *c = parse_ok("{\"faults\": [{\"action\": \"refuse\", \"match\": "
                             "{\"conn\": 9223372036854775807, \"port\": 65535}}]}");
    assert_int_equal(c->faults[0].match.conn_index, INT64_MAX);
    assert_int_equal(c->faults[0].match.port, 65535);
    srr__sim_config_free(c);
}

static void test_json_deep_nesting(void **state)
{
    (void)state;
    char text[2 * SRR_JSON_MAX_DEPTH + 4];
    srr_parse_error err;
    for (int depth = SRR_JSON_MAX_DEPTH; depth <= SRR_JSON_MAX_DEPTH + 1; depth++) {
        memset(text, '[', (size_t)depth);
        memset(text + depth, ']', (size_t)depth);
        srr_json *v = srr__json_parse(text, 2 * (size_t)depth, "t", &err);
        if (depth == SRR_JSON_MAX_DEPTH) {
            if (!v)
                fail_msg("depth %d: %s", depth, err.text);
            srr__json_free(v);
        } else {
            assert_null(v);
            assert_int_equal(err.code, SRR_PARSE_EJSON);
            assert_int_equal(err.column, SRR_JSON_MAX_DEPTH + 1);
            assert_string_equal(err.text, "not JSON: nested deeper than 64 levels");
        }
    }
    /* far deeper than the limit: stops at the limit, no stack to exhaust */
    size_t n = 100000;
    char *deep = malloc(n);
    assert_non_null(deep);
    memset(deep, '[', n);
    assert_null(srr__json_parse(deep, n, "t", &err));
    assert_int_equal(err.column, SRR_JSON_MAX_DEPTH + 1);
    for (size_t i = 0; i + 5 <= n; i += 5)
        memcpy(deep + i, "{\"a\":", 5);
    assert_null(srr__sim_config_parse(deep, n, "t", &err));
    assert_int_equal(err.code, SRR_PARSE_EJSON);
    assert_int_equal(err.column, 5 * SRR_JSON_MAX_DEPTH + 1);
    assert_string_equal(err.text, "not JSON: nested deeper than 64 levels");
    free(deep);
}

/* The first string a parse meets may be empty (a fuzzer found it). */
static void test_json_empty_strings(void **state)
{
    (void)state;
    static const char text[] = "{\"\": \"\", \"b\": [\"\"]}";
    srr_parse_error err;
    srr_json *v = srr__json_parse(text, sizeof text - 1, "t", &err);
    if (!v)
        fail_msg("%s", err.text);
    assert_int_equal(v->u.obj.members[0].keylen, 0);
    assert_string_equal(v->u.obj.members[0].key, "");
    assert_int_equal(v->u.obj.members[0].value.u.str.len, 0);
    assert_string_equal(v->u.obj.members[1].value.u.arr.items[0].u.str.s, "");
    srr__json_free(v);
    expect_err("{\"\": 1}", SRR_PARSE_EUNKNOWN, "\"\"", NULL);
}

static void test_json_duplicate_keys(void **state)
{
    (void)state;
    expect_json_err("{\"a\": 1, \"b\": {\"x\": 1, \"x\": 2}}", SRR_PARSE_EDUPLICATE, 1, 24,
                   "duplicate key \"x\" (first at line 1, column 16)");
    /* keys differing only after an escape are different keys */
    srr_parse_error err;
    static const char distinct[] = "{\"a\": 1, \"\\u0061b\": 2, \"A\": 3}";
    srr_json *v = srr__json_parse(distinct, sizeof distinct - 1, "t", &err);
    if (!v)
        fail_msg("%s", err.text);
    srr__json_free(v);
    expect_json_err("{\"a\": 1, \"\\u0061\": 2}", SRR_PARSE_EDUPLICATE, 1, 10, NULL);
}

/* Many keys and many hosts: the duplicate check stays quick and exact. */
static void test_many_hosts(void **state)
{
    (void)state;
    size_t n = 3000, cap = n * 64 + 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len, "{\"hosts\": {");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "%s\"h%zu\": {\"addrs\": [\"10.%zu.%zu.1\"]}", i ? ", " : "", i,
                                i / 256, i % 256);
    len += (size_t)snprintf(text + len, cap - len, "}}");
    sim_config *c = parse_ok_(text, len, "3000 hosts");
    assert_int_equal(c->nhosts, n + 1);
    assert_string_equal(c->hosts[n - 1].name, "h2999");
    srr__sim_config_free(c);
    /* the last host repeats the first's name */
    len -= 2;
    len += (size_t)snprintf(text + len, cap - len, ", \"h0\": {\"addrs\": [\"10.99.0.1\"]}}}");
    expect_err_(text, len, SRR_PARSE_EDUPLICATE, "hosts.h0", NULL);
    free(text);
}

static void test_item_caps(void **state)
{
    (void)state;
    size_t n = 10001, cap = n * 3 + 32, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len, "{\"faults\": [");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s{}", i ? "," : "");
    len += (size_t)snprintf(text + len, cap - len, "]}");
    expect_err_(text, len, SRR_PARSE_EVALUE, "faults",
                "net.json:1:12: faults: more than 10000 fault rules");
    free(text);
}

static void test_long_paths_are_cut(void **state)
{
    (void)state;
    char key[400], json[600];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    snprintf(json, sizeof json, "{\"hosts\": {\"%s\": {\"addrs\": [\"192.0.2.1\"]}}}", key);
    srr_parse_error err;
    assert_null(srr__sim_config_parse(json, strlen(json), "t", &err));
    assert_int_equal(err.code, SRR_PARSE_EVALUE); /* longer than 253 characters */
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    assert_string_equal(err.field + sizeof err.field - 4, "...");
    assert_memory_equal(err.field, "hosts.kkk", 9);
}

static void test_keys_with_dots_and_controls_in_paths(void **state)
{
    (void)state;
    expect_err("{\"dns\": {\"a.b\": {\"answers\": [\"x\"]}}}", SRR_PARSE_EVALUE,
               "dns.a.b.answers[0]", NULL);
    expect_err("{\"hosts\": {\"a\\tb\": {}}}", SRR_PARSE_EVALUE, "hosts.a\\x09b",
               "net.json:1:12: hosts.a\\x09b: not a host name: \"a\\x09b\" (letters, digits, "
               "'-', '_' and '.' only)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_top_level),
        cmocka_unit_test(test_example_hosts),
        cmocka_unit_test(test_example_dns),
        cmocka_unit_test(test_example_services),
        cmocka_unit_test(test_example_faults),
        cmocka_unit_test(test_default_network),
        cmocka_unit_test(test_empty_object_is_the_default),
        cmocka_unit_test(test_no_self_host_adds_localhost),
        cmocka_unit_test(test_host_named_localhost_becomes_self),
        cmocka_unit_test(test_localhost_beside_another_self_host_is_an_error),
        cmocka_unit_test(test_hostname_given),
        cmocka_unit_test(test_top_level_values),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_bad_durations),
        cmocka_unit_test(test_epochs),
        cmocka_unit_test(test_bad_epochs),
        cmocka_unit_test(test_hex_strings),
        cmocka_unit_test(test_text_strings_are_utf8),
        cmocka_unit_test(test_service_steps),
        cmocka_unit_test(test_service_key_forms),
        cmocka_unit_test(test_service_key_errors),
        cmocka_unit_test(test_service_one_per_port),
        cmocka_unit_test(test_service_value_errors),
        cmocka_unit_test(test_dns_delay_and_canonname),
        cmocka_unit_test(test_dns_errors),
        cmocka_unit_test(test_dns_records_and_nameserver),
        cmocka_unit_test(test_dns_path_of_a_script_answer),
        cmocka_unit_test(test_host_errors),
        cmocka_unit_test(test_one_self_host),
        cmocka_unit_test(test_same_address_two_spellings),
        cmocka_unit_test(test_every_action),
        cmocka_unit_test(test_fault_errors),
        cmocka_unit_test(test_fault_messages),
        cmocka_unit_test(test_identical_rule_never_matches),
        cmocka_unit_test(test_unknown_key_message),
        cmocka_unit_test(test_wrong_type_message),
        cmocka_unit_test(test_bad_address_message),
        cmocka_unit_test(test_duplicate_key_message),
        cmocka_unit_test(test_read_error_message),
        cmocka_unit_test(test_load_names_the_file),
        cmocka_unit_test(test_error_format_edges),
        cmocka_unit_test(test_source_defaults_to_string),
        cmocka_unit_test(test_json_syntax_errors),
        cmocka_unit_test(test_json_invalid_utf8),
        cmocka_unit_test(test_json_columns_count_characters),
        cmocka_unit_test(test_json_positions_and_values),
        cmocka_unit_test(test_json_huge_numbers),
        cmocka_unit_test(test_json_deep_nesting),
        cmocka_unit_test(test_json_empty_strings),
        cmocka_unit_test(test_json_duplicate_keys),
        cmocka_unit_test(test_many_hosts),
        cmocka_unit_test(test_item_caps),
        cmocka_unit_test(test_long_paths_are_cut),
        cmocka_unit_test(test_keys_with_dots_and_controls_in_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
