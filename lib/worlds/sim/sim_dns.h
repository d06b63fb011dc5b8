/*
 * sim_dns.h — the sim world's resolver: every answer comes from the config's
 * hosts and dns table (docs/sim-config.md); nothing reaches a real resolver.
 * The functions follow the seam's resolver slots (sockrr_world.h) and are
 * called by the sim world under its lock; the world then lets *delay_ns of
 * virtual time pass before it returns the answer.
 */
#ifndef SOCKRR_SIM_DNS_H
#define SOCKRR_SIM_DNS_H

#include <netdb.h>
#include <stdint.h>

#include "sim_config.h"
#include "sockrr/worlds.h"

typedef struct sim_dns sim_dns;

/* State over a config: the per-name call counters of scripted entries.  The
 * config must outlive it. */
sim_dns *srr__sim_dns_new(const sim_config *c);
void srr__sim_dns_free(sim_dns *d);

/* getaddrinfo(3) semantics over the table: numeric hosts (AI_NUMERICHOST
 * refuses names), node NULL (loopback, or the any address with AI_PASSIVE),
 * service names from the local services database and numbers
 * (AI_NUMERICSERV), family/socktype/protocol filters (socktype 0 gives
 * SOCK_STREAM, SOCK_DGRAM and SOCK_RAW entries as glibc does), AI_CANONNAME
 * on the first entry, AI_ADDRCONFIG ignored; answers in the configured
 * order.  Returns 0 or an EAI_* code; *delay_ns gets the entry's delay.  The
 * list is freed with srr__sim_dns_freeaddrinfo. */
int srr__sim_dns_getaddrinfo(sim_dns *d, const char *node, const char *service,
                             const struct addrinfo *hints, struct addrinfo **res,
                             int64_t *delay_ns);
void srr__sim_dns_freeaddrinfo(struct addrinfo *res);

/* getnameinfo(3): a host's address gives its name (NI_NUMERICHOST: the
 * number; an address of no host: the number, or EAI_NONAME with
 * NI_NAMEREQD); the port its service name unless NI_NUMERICSERV; NI_DGRAM.
 * EAI_OVERFLOW when a buffer is short. */
int srr__sim_dns_getnameinfo(sim_dns *d, const struct sockaddr *sa, socklen_t salen, char *host,
                             socklen_t hostlen, char *serv, socklen_t servlen, int flags);

/* gethostbyname2_r / gethostbyaddr_r as the seam states them: 0 with
 * *result, or 0 with *result NULL and *h_errnop (HOST_NOT_FOUND for
 * EAI_NONAME, TRY_AGAIN for EAI_AGAIN, NO_RECOVERY for EAI_FAIL, NO_DATA
 * when the name has no address of that family), or -ERANGE. */
int srr__sim_dns_gethostbyname2_r(sim_dns *d, const char *name, int af, struct hostent *ret,
                                  char *buf, size_t buflen, struct hostent **result,
                                  int *h_errnop, int64_t *delay_ns);
int srr__sim_dns_gethostbyaddr_r(sim_dns *d, const void *addr, socklen_t len, int type,
                                 struct hostent *ret, char *buf, size_t buflen,
                                 struct hostent **result, int *h_errnop);

/* What the sim's DNS server answers for a name (sim_dns_wire.c). */
typedef struct sim_dns_rrset {
    int error;                  /* 0, or the entry's EAI_* */
    const sim_ip *addrs;
    size_t naddrs;
    const char *canon;          /* the canonical name when it is not the name asked (CNAME) */
    const sim_dns_answer *step; /* the entry's step (records, truncation), NULL for a host */
    int64_t delay_ns;
} sim_dns_rrset;

/* A query of the DNS server: 1 with *out for a name the table knows (a
 * scripted entry's step used up, as a lookup uses it), 0 for an unknown
 * name (NXDOMAIN). */
int srr__sim_dns_query(sim_dns *d, const char *name, sim_dns_rrset *out);
/* The host name of an address (PTR), or NULL. */
const char *srr__sim_dns_ptr(const sim_dns *d, int family, const void *addr);

/* sim_dns_wire.c: the DNS server's answer to one query message q (a UDP
 * payload, or a TCP message without its length prefix): the response in
 * out (cap bytes), its length, or 0 when q is nothing to answer (too short
 * to hold a header, or itself a response).  *delay_ns gets the entry's
 * delay.  A UDP answer the entry truncates, or one longer than the
 * client's UDP size (512, or its EDNS size), has TC set and no records. */
size_t srr__sim_dns_wire(sim_dns *d, const unsigned char *q, size_t qlen, int tcp,
                         unsigned char *out, size_t cap, int64_t *delay_ns);

/* SRR_CTL_SIM_ADDRS: every address the config gives q->name (its hosts
 * entries, every step of its DNS answers, localhost's loopbacks). */
int srr__sim_dns_addrs(const sim_dns *d, srr_sim_addrs *q);

#endif
