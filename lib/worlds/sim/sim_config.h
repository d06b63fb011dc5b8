/*
 * sim_config.h — a sim network's configuration (docs/sim-config.md), parsed
 * and validated before anything runs.  The parser keeps every value's line
 * and column so an error can name file:line:field.
 */
#ifndef SOCKRR_SIM_CONFIG_H
#define SOCKRR_SIM_CONFIG_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* A problem in a config: the one parse error (parse_error.h), with the
 * member's path ("hosts.db.addrs[1]") in its field. */
#include "parse_error.h"

/* An IPv4 or IPv6 address. */
typedef struct sim_ip {
    int family; /* AF_INET or AF_INET6 */
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } a;
} sim_ip;

typedef struct sim_host {
    char *name;
    sim_ip *addrs;
    size_t naddrs;
    int self; /* the host the program runs on */
} sim_host;

/* Records only the DNS server gives (sim_dns_wire.c): MX and SRV. */
typedef struct sim_dns_mx {
    int preference;
    char *exchange;
} sim_dns_mx;

typedef struct sim_dns_srv {
    int priority, weight, port;
    char *target;
} sim_dns_srv;

/* One answer of a DNS name: addresses in order, or an error. */
typedef struct sim_dns_answer {
    int error;       /* 0, or EAI_NONAME / EAI_AGAIN / EAI_FAIL / EAI_NODATA */
    sim_ip *addrs;
    size_t naddrs;
    char *canonname; /* NULL = the name itself */
    int64_t delay_ns;/* virtual time the lookup takes */
    char **txt;      /* TXT strings, each at most 255 bytes */
    size_t ntxt;
    sim_dns_mx *mx;
    size_t nmx;
    sim_dns_srv *srv;
    size_t nsrv;
    int truncate;    /* the DNS server's UDP answer is cut (TC): the client asks over TCP */
} sim_dns_answer;

/* A name answers with script[min(call, nscript - 1)]: fixed answers are a
 * script of one step, and the last step repeats. */
typedef struct sim_dns_name {
    char *name;
    sim_dns_answer *script;
    size_t nscript;
} sim_dns_name;

typedef enum sim_step_kind {
    SIM_STEP_EXPECT, /* wait for exactly these bytes */
    SIM_STEP_SEND,
    SIM_STEP_WAIT,   /* virtual time */
    SIM_STEP_CLOSE,
    SIM_STEP_RESET,
} sim_step_kind;

typedef struct sim_step {
    sim_step_kind kind;
    unsigned char *data; /* EXPECT, SEND */
    size_t len, cap;
    int64_t ns;          /* WAIT */
} sim_step;

typedef struct sim_service {
    char *host;      /* a host name of "hosts" */
    int port;
    int proto;       /* IPPROTO_TCP (the default) */
    sim_step *script;
    size_t nscript, script_cap;
    char *trace;     /* plays the peer side of this JSONL trace instead (NULL) */
    int dns;         /* the sim's own DNS server (sim_dns_server.c), not a script */
} sim_service;

typedef enum sim_action {
    SIM_FAULT_REFUSE,      /* RST to the SYN: ECONNREFUSED */
    SIM_FAULT_BLACKHOLE,   /* SYNs dropped: connect times out (retry budget) */
    SIM_FAULT_UNREACHABLE, /* EHOSTUNREACH (or ENETUNREACH with "net": true) */
    SIM_FAULT_RESET,       /* reset after `bytes`: ECONNRESET / EPIPE */
    SIM_FAULT_STALL,       /* stop delivering after `bytes` */
    SIM_FAULT_SHORT_WRITE, /* sends take at most `bytes` per call */
    SIM_FAULT_CHUNK_READ,  /* receives deliver at most `bytes` per call */
    SIM_FAULT_EINTR,       /* the matching call fails with EINTR once */
    SIM_FAULT_EAGAIN,      /* the matching call fails with EAGAIN once */
    SIM_FAULT_LATENCY,     /* one-way delay `ns` */
    SIM_FAULT_BANDWIDTH,   /* bytes per second */
    SIM_FAULT_LOSS,        /* UDP: drop with probability */
    SIM_FAULT_DUPLICATE,   /* UDP: duplicate with probability */
    SIM_FAULT_REORDER,     /* UDP: swap with the next with probability */
} sim_action;

typedef struct sim_match {
    char *host;            /* a host name or NULL (any) */
    sim_ip addr;           /* family 0 = any */
    int port;              /* -1 = any */
    long conn_index;       /* the n-th connection matched (0-based); -1 = any */
    int direction;         /* 0 any, 1 out (program → peer), 2 in */
    int64_t after_bytes;   /* -1 = any */
    long call_count;       /* -1 = any: the n-th matching call (0-based) */
    int64_t from_ns, until_ns; /* virtual-time window; until -1 = forever */
} sim_match;

typedef struct sim_fault {
    sim_match match;
    sim_action action;
    int64_t bytes;        /* RESET, STALL, SHORT_WRITE, CHUNK_READ */
    int64_t ns;           /* LATENCY */
    int64_t rate;         /* BANDWIDTH, bytes/s */
    double probability;   /* LOSS, DUPLICATE, REORDER */
    int errnum;           /* UNREACHABLE: EHOSTUNREACH or ENETUNREACH */
    int line;             /* where the rule is, for reports */
} sim_fault;

typedef struct sim_config {
    uint64_t seed;
    int64_t epoch_ns;           /* CLOCK_REALTIME at virtual time 0 */
    int64_t latency_ns;         /* default one-way link latency */
    int64_t bandwidth;          /* default bytes/s; 0 = unlimited */
    int64_t connect_timeout_ns; /* a blackholed connect gives up after this (Linux ≈127 s) */
    int64_t idle_limit_ns;      /* a run idle this long ends (vtime.h); 0: never */
    char *hostname;             /* gethostname() answer: the self host's name */
    sim_host *hosts;
    size_t nhosts, hosts_cap;
    sim_dns_name *dns;
    size_t ndns;
    sim_ip nameserver;          /* where the sim's DNS server answers (port 53) */
    sim_service *services;
    size_t nservices;
    sim_fault *faults;
    size_t nfaults;
} sim_config;

/* Parses and validates; NULL with *err.  source names the text in errors. */
sim_config *srr__sim_config_parse(const char *text, size_t len, const char *source,
                                  srr_parse_error *err);
sim_config *srr__sim_config_load(const char *path, srr_parse_error *err);
/* The same, with name in errors in place of path (NULL: path). */
sim_config *srr__sim_config_load_as(const char *path, const char *name, srr_parse_error *err);
/* The built-in network: one self host "localhost" (127.0.0.1, ::1); the
 * resolver answers localhost and host names itself, so no DNS entries. */
sim_config *srr__sim_config_default(void);
void srr__sim_config_free(sim_config *c);

#endif
