/*
 * sim_dns.c — the sim world's resolver: getaddrinfo, getnameinfo and the
 * gethostby*_r pair answered from the config's dns table and hosts, with
 * glibc 2.36 (sysdeps/posix/getaddrinfo.c, inet/getnameinfo.c,
 * nss/digits_dots.c) as the reference for everything that needs no table:
 * argument checks, numeric hosts, services, socket types, error codes.
 *
 * Divisions: the table (names → answers, addresses → names), services and
 * socket types, getaddrinfo, getnameinfo, hostents.
 *
 * Where glibc's answer depends on the machine, the sim picks one and keeps it:
 *  - Answer order is the config's.  glibc sorts by RFC 6724 against the
 *    machine's routes; the sim never sorts.  localhost is 127.0.0.1 then ::1
 *    (the order of /etc/hosts lines).
 *  - node NULL answers as glibc does on a host whose loopback has both
 *    families up: ::1 before 127.0.0.1, and with AI_PASSIVE 0.0.0.0 before ::.
 *  - A name that exists without an address of the asked family: a dns
 *    entry gives EAI_NODATA (glibc's dns backend: the name is known), a host
 *    name or localhost gives EAI_NONAME (glibc's files backend, as this
 *    machine's glibc answers for "localhost" with AF_INET6).
 *  - Scope names: "lo" is index 1 (the sim's loopback); other names are
 *    unknown, numbers are taken as glibc takes them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "services.h"
#include "sim_dns.h"

struct sim_dns {
    const sim_config *cfg;
    size_t *calls;         /* per dns entry: its next script step (capped at the last) */
    sim_ip localhost[2];   /* 127.0.0.1, ::1 */
};

sim_dns *srr__sim_dns_new(const sim_config *c)
{
    sim_dns *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->cfg = c;
    if (c->ndns > 0 && !(d->calls = calloc(c->ndns, sizeof *d->calls))) {
        free(d);
        return NULL;
    }
    d->localhost[0].family = AF_INET;
    d->localhost[0].a.v4.s_addr = htonl(INADDR_LOOPBACK);
    d->localhost[1].family = AF_INET6;
    d->localhost[1].a.v6 = in6addr_loopback;
    return d;
}

void srr__sim_dns_free(sim_dns *d)
{
    if (!d)
        return;
    free(d->calls);
    free(d);
}

/* ---- the table ---- */

/* What a name answers.  The script step is only peeked: dns_commit moves
 * the counter once the call really answers (a -ERANGE retry must not use up
 * a step). */
typedef struct dns_found {
    int error;            /* 0, or the entry's EAI_* */
    const sim_ip *addrs;
    size_t naddrs;
    const char *canon;    /* h_name / ai_canonname */
    const char *alias;    /* the entry's own name when canon differs, else NULL */
    int64_t delay_ns;
    bool from_dns;        /* a dns entry: a known name, so no address is EAI_NODATA */
    size_t *counter;      /* the entry's step counter, or NULL */
    size_t last;          /* the entry's last step */
    const sim_dns_answer *step; /* the entry's step, or NULL for a host or localhost */
} dns_found;

static int dns_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* DNS names compare without case and without a final dot.  ASCII only, so
 * the locale cannot change an answer. */
static bool dns_name_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 0 && a[la - 1] == '.')
        la--;
    if (lb > 0 && b[lb - 1] == '.')
        lb--;
    if (la != lb)
        return false;
    for (size_t i = 0; i < la; i++)
        if (dns_lower((unsigned char)a[i]) != dns_lower((unsigned char)b[i]))
            return false;
    return true;
}

/* dns table first, then host names, then localhost; false when none has
 * the name. */
static bool dns_lookup(sim_dns *d, const char *name, dns_found *f)
{
    const sim_config *c = d->cfg;
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < c->ndns; i++) {
        const sim_dns_name *e = &c->dns[i];
        if (e->nscript == 0 || !e->name || !dns_name_eq(name, e->name))
            continue;
        const sim_dns_answer *a = &e->script[d->calls[i]];
        f->error = a->error;
        f->addrs = a->addrs;
        f->naddrs = a->naddrs;
        f->canon = a->canonname ? a->canonname : e->name;
        f->alias = a->canonname && !dns_name_eq(a->canonname, e->name) ? e->name : NULL;
        f->delay_ns = a->delay_ns;
        f->from_dns = true;
        f->counter = &d->calls[i];
        f->last = e->nscript - 1;
        f->step = a;
        return true;
    }
    for (size_t i = 0; i < c->nhosts; i++) {
        const sim_host *h = &c->hosts[i];
        if (h->name && dns_name_eq(name, h->name)) {
            f->addrs = h->addrs;
            f->naddrs = h->naddrs;
            f->canon = h->name;
            return true;
        }
    }
    if (dns_name_eq(name, "localhost")) {
        f->addrs = d->localhost;
        f->naddrs = 2;
        f->canon = "localhost";
        return true;
    }
    return false;
}

/* q's address list: ip appended (counted when there is no room). */
static void dns_addrs_put(srr_sim_addrs *q, const sim_ip *ip)
{
    if (q->n < q->max) {
        struct sockaddr_storage *ss = &q->out[q->n];
        memset(ss, 0, sizeof *ss);
        if (ip->family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)ss;
            in->sin_family = AF_INET;
            in->sin_addr = ip->a.v4;
        } else {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
            in6->sin6_family = AF_INET6;
            in6->sin6_addr = ip->a.v6;
        }
    }
    q->n++;
}

static void dns_addrs_put_all(srr_sim_addrs *q, const sim_ip *ips, size_t n)
{
    q->named = 1;
    for (size_t i = 0; i < n; i++)
        dns_addrs_put(q, &ips[i]);
}

int srr__sim_dns_addrs(const sim_dns *d, srr_sim_addrs *q)
{
    const sim_config *c = d->cfg;
    q->n = 0;
    q->named = 0;
    if (dns_name_eq(q->name, "localhost"))
        dns_addrs_put_all(q, d->localhost, 2);
    for (size_t i = 0; i < c->nhosts; i++)
        if (c->hosts[i].name && dns_name_eq(q->name, c->hosts[i].name))
            dns_addrs_put_all(q, c->hosts[i].addrs, c->hosts[i].naddrs);
    for (size_t i = 0; i < c->ndns; i++)
        if (c->dns[i].name && dns_name_eq(q->name, c->dns[i].name))
            for (size_t k = 0; k < c->dns[i].nscript; k++)
                dns_addrs_put_all(q, c->dns[i].script[k].addrs, c->dns[i].script[k].naddrs);
    return 0;
}

static void dns_commit(const dns_found *f)
{
    if (f->counter && *f->counter < f->last)
        (*f->counter)++;
}

static bool dns_ip_eq(const sim_ip *ip, int family, const void *addr)
{
    if (ip->family != family)
        return false;
    return family == AF_INET ? memcmp(&ip->a.v4, addr, sizeof ip->a.v4) == 0
                             : memcmp(&ip->a.v6, addr, sizeof ip->a.v6) == 0;
}

/* The reverse table: the first host owning the address, else "localhost"
 * for the loopback addresses.  A v4-mapped address is its IPv4 address, as
 * glibc's dns backend asks in-addr.arpa for it. */
static const char *dns_reverse(const sim_dns *d, int family, const void *addr)
{
    struct in_addr v4;
    if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
        memcpy(&v4, (const unsigned char *)addr + 12, sizeof v4);
        family = AF_INET;
        addr = &v4;
    }
    const sim_config *c = d->cfg;
    for (size_t i = 0; i < c->nhosts; i++)
        for (size_t j = 0; j < c->hosts[i].naddrs; j++)
            if (c->hosts[i].name && dns_ip_eq(&c->hosts[i].addrs[j], family, addr))
                return c->hosts[i].name;
    for (size_t j = 0; j < 2; j++)
        if (dns_ip_eq(&d->localhost[j], family, addr))
            return "localhost";
    return NULL;
}

int srr__sim_dns_query(sim_dns *d, const char *name, sim_dns_rrset *out)
{
    dns_found f;
    memset(out, 0, sizeof *out);
    if (!dns_lookup(d, name, &f))
        return 0;
    dns_commit(&f);
    out->error = f.error;
    out->addrs = f.addrs;
    out->naddrs = f.naddrs;
    out->canon = f.alias ? f.canon : NULL;
    out->step = f.step;
    out->delay_ns = f.delay_ns;
    return 1;
}

const char *srr__sim_dns_ptr(const sim_dns *d, int family, const void *addr)
{
    return dns_reverse(d, family, addr);
}

/* ---- services and socket types ---- */

#define DNS_NOSERVICE 1 /* no ports: a service is an error */
#define DNS_PROTOANY 2  /* takes the caller's protocol */

/* glibc's gaih_inet_typeproto, in its order: the order of the answers. */
static const struct dns_typeproto {
    int socktype;
    int protocol;
    int flags;
    bool by_default; /* one of socktype 0's entries */
    const char *name;
} dns_typeprotos[] = {
    {SOCK_STREAM, IPPROTO_TCP, 0, true, "tcp"},
    {SOCK_DGRAM, IPPROTO_UDP, 0, true, "udp"},
    {SOCK_DCCP, IPPROTO_DCCP, 0, false, "dccp"},
    {SOCK_DGRAM, IPPROTO_UDPLITE, 0, false, "udplite"},
    {SOCK_STREAM, IPPROTO_SCTP, 0, false, "sctp"},
    {SOCK_SEQPACKET, IPPROTO_SCTP, 0, false, "sctp"},
    {SOCK_RAW, 0, DNS_PROTOANY | DNS_NOSERVICE, true, "raw"},
};
#define DNS_NTYPEPROTO (sizeof dns_typeprotos / sizeof dns_typeprotos[0])

typedef struct dns_servtuple {
    int socktype;
    int protocol;
    in_port_t port; /* network order */
} dns_servtuple;

/* The services database is the built-in one (services.h): a sim answers
 * alike on every machine. */
static int dns_servbyname(const char *name, const char *proto, in_port_t *port)
{
    int p = srr__service_port(name, proto);
    if (p < 0)
        return EAI_SERVICE;
    *port = htons((uint16_t)p);
    return 0;
}

/* glibc's get_servtuples: which (socktype, protocol, port) each address
 * gets.  num < 0 means "service is a name". */
static int dns_servtuples(const char *service, int num, const struct addrinfo *h,
                          dns_servtuple *st, size_t *nst)
{
    const struct dns_typeproto *tp = NULL;
    *nst = 0;
    if (h->ai_socktype || h->ai_protocol) {
        for (size_t i = 0; i < DNS_NTYPEPROTO && !tp; i++) {
            const struct dns_typeproto *t = &dns_typeprotos[i];
            if ((h->ai_socktype == 0 || h->ai_socktype == t->socktype) &&
                (h->ai_protocol == 0 || (t->flags & DNS_PROTOANY) ||
                 h->ai_protocol == t->protocol))
                tp = t;
        }
        if (!tp)
            return h->ai_socktype ? EAI_SOCKTYPE : EAI_SERVICE;
    }
    if (service && tp && (tp->flags & DNS_NOSERVICE))
        return EAI_SERVICE;

    if (!service || num >= 0) {
        in_port_t port = service ? htons((uint16_t)num) : 0;
        if (tp) {
            st[(*nst)++] = (dns_servtuple){tp->socktype,
                                           (tp->flags & DNS_PROTOANY) ? h->ai_protocol
                                                                      : tp->protocol,
                                           port};
            return 0;
        }
        for (size_t i = 0; i < DNS_NTYPEPROTO; i++)
            if (dns_typeprotos[i].by_default)
                st[(*nst)++] = (dns_servtuple){dns_typeprotos[i].socktype,
                                               dns_typeprotos[i].protocol, port};
        return 0;
    }

    if (tp) {
        in_port_t port;
        int r = dns_servbyname(service, tp->name, &port);
        if (r != 0)
            return r;
        st[(*nst)++] = (dns_servtuple){tp->socktype,
                                       (tp->flags & DNS_PROTOANY) ? h->ai_protocol : tp->protocol,
                                       port};
        return 0;
    }
    /* socktype and protocol are both 0 here: every protocol with ports. */
    for (size_t i = 0; i < DNS_NTYPEPROTO; i++) {
        const struct dns_typeproto *t = &dns_typeprotos[i];
        in_port_t port;
        if (t->flags & DNS_NOSERVICE)
            continue;
        int r = dns_servbyname(service, t->name, &port);
        if (r == EAI_MEMORY)
            return r;
        if (r == 0)
            st[(*nst)++] = (dns_servtuple){t->socktype, t->protocol, port};
    }
    return *nst ? 0 : EAI_SERVICE;
}

/* ---- getaddrinfo ---- */

/* One resolved address. */
typedef struct dns_addr {
    int family;
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } a;
    uint32_t scope_id;
} dns_addr;

/* glibc's __inet_aton_exact: inet_aton's forms ("1", "1.2", "0x7f.1"), and
 * nothing after them (inet_aton itself stops quietly at a space). */
static bool dns_aton_exact(const char *s, struct in_addr *out)
{
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p))
            return false;
    return inet_aton(s, out) != 0;
}

/* glibc's __inet6_scopeid_pton over the sim's interfaces. */
static bool dns_scope_pton(const struct in6_addr *a, const char *scope, uint32_t *out)
{
    if ((IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_NODELOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a)) &&
        strcmp(scope, "lo") == 0) {
        *out = 1;
        return true;
    }
    if (!isdigit((unsigned char)scope[0]))
        return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(scope, &end, 10);
    if (*end != '\0' || errno == ERANGE || n > UINT32_MAX)
        return false;
    *out = (uint32_t)n;
    return true;
}

/* glibc's text_to_binary_address.  Returns 0 with *numeric set when the
 * node is an address (converted into *out), 0 with *numeric false when it
 * is a name, or an EAI_* code. */
static int dns_numeric(const char *node, const struct addrinfo *h, dns_addr *out, bool *numeric)
{
    memset(out, 0, sizeof *out);
    *numeric = false;
    struct in_addr v4;
    if (dns_aton_exact(node, &v4)) {
        if (h->ai_family == AF_UNSPEC || h->ai_family == AF_INET) {
            out->family = AF_INET;
            out->a.v4 = v4;
        } else if (h->ai_family == AF_INET6 && (h->ai_flags & AI_V4MAPPED)) {
            out->family = AF_INET6;
            out->a.v6.s6_addr[10] = 0xff;
            out->a.v6.s6_addr[11] = 0xff;
            memcpy(&out->a.v6.s6_addr[12], &v4, 4);
        } else {
            return EAI_ADDRFAMILY;
        }
        *numeric = true;
        return 0;
    }

    const char *scope = strchr(node, '%');
    size_t len = scope ? (size_t)(scope - node) : strlen(node);
    char text[INET6_ADDRSTRLEN];
    struct in6_addr v6;
    if (len >= sizeof text)
        return 0;
    memcpy(text, node, len);
    text[len] = '\0';
    if (inet_pton(AF_INET6, text, &v6) != 1)
        return 0;
    if (h->ai_family == AF_UNSPEC || h->ai_family == AF_INET6) {
        out->family = AF_INET6;
        out->a.v6 = v6;
    } else if (h->ai_family == AF_INET && IN6_IS_ADDR_V4MAPPED(&v6)) {
        out->family = AF_INET;
        memcpy(&out->a.v4, &v6.s6_addr[12], 4);
    } else {
        return EAI_ADDRFAMILY;
    }
    if (scope && !dns_scope_pton(&v6, scope + 1, &out->scope_id))
        return EAI_NONAME;
    *numeric = true;
    return 0;
}

/* node NULL: glibc builds ::1 then 127.0.0.1 (:: then 0.0.0.0) and RFC 6724
 * sorting with a working loopback keeps ::1 first but puts 0.0.0.0 first
 * (its label matches its source's; ::'s does not).  The sim's loopback
 * works, so it answers what such a machine answers. */
static size_t dns_local(const struct addrinfo *h, dns_addr out[2])
{
    bool passive = h->ai_flags & AI_PASSIVE;
    dns_addr v4 = {.family = AF_INET}, v6 = {.family = AF_INET6};
    if (!passive) {
        v4.a.v4.s_addr = htonl(INADDR_LOOPBACK);
        v6.a.v6 = in6addr_loopback;
    }
    size_t n = 0;
    bool want4 = h->ai_family != AF_INET6, want6 = h->ai_family != AF_INET;
    if (passive) {
        if (want4)
            out[n++] = v4;
        if (want6)
            out[n++] = v6;
    } else {
        if (want6)
            out[n++] = v6;
        if (want4)
            out[n++] = v4;
    }
    return n;
}

/* A table answer through the family filter, in the config's order.
 * AF_INET6 with AI_V4MAPPED maps the IPv4 addresses when there is no IPv6
 * one, or always with AI_ALL (glibc's gethosts and generate_addrinfo). */
static size_t dns_filter(const dns_found *f, const struct addrinfo *h, dns_addr *out)
{
    bool any6 = false;
    for (size_t i = 0; i < f->naddrs; i++)
        any6 |= f->addrs[i].family == AF_INET6;
    bool map = h->ai_family == AF_INET6 && (h->ai_flags & AI_V4MAPPED) &&
               ((h->ai_flags & AI_ALL) || !any6);
    size_t n = 0;
    for (size_t i = 0; i < f->naddrs; i++) {
        const sim_ip *ip = &f->addrs[i];
        dns_addr a = {.family = ip->family};
        if (ip->family == AF_INET && (h->ai_family == AF_UNSPEC || h->ai_family == AF_INET)) {
            a.a.v4 = ip->a.v4;
        } else if (ip->family == AF_INET6 &&
                   (h->ai_family == AF_UNSPEC || h->ai_family == AF_INET6)) {
            a.a.v6 = ip->a.v6;
        } else if (ip->family == AF_INET && map) {
            a.family = AF_INET6;
            a.a.v6.s6_addr[10] = 0xff;
            a.a.v6.s6_addr[11] = 0xff;
            memcpy(&a.a.v6.s6_addr[12], &ip->a.v4, 4);
        } else {
            continue;
        }
        out[n++] = a;
    }
    return n;
}

void srr__sim_dns_freeaddrinfo(struct addrinfo *res)
{
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res->ai_canonname);
        free(res);
        res = next;
    }
}

/* glibc's layout: one block per entry with the address behind it, the
 * canonical name apart, so libc's own freeaddrinfo could free it too. */
static int dns_generate(const struct addrinfo *h, const dns_addr *addrs, size_t naddrs,
                        const dns_servtuple *st, size_t nst, const char *canon,
                        struct addrinfo **res)
{
    struct addrinfo *head = NULL, **tail = &head;
    char *canonbuf = NULL;
    if (canon && !(canonbuf = strdup(canon)))
        return EAI_MEMORY;
    for (size_t i = 0; i < naddrs; i++) {
        socklen_t len = addrs[i].family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                    : sizeof(struct sockaddr_in);
        for (size_t j = 0; j < nst; j++) {
            struct addrinfo *ai = calloc(1, sizeof *ai + len);
            if (!ai) {
                free(canonbuf);
                srr__sim_dns_freeaddrinfo(head);
                return EAI_MEMORY;
            }
            ai->ai_flags = h->ai_flags;
            ai->ai_family = addrs[i].family;
            ai->ai_socktype = st[j].socktype;
            ai->ai_protocol = st[j].protocol;
            ai->ai_addrlen = len;
            ai->ai_addr = (struct sockaddr *)(ai + 1);
            ai->ai_canonname = canonbuf; /* the first entry only */
            canonbuf = NULL;
            if (addrs[i].family == AF_INET6) {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ai->ai_addr;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = st[j].port;
                s6->sin6_addr = addrs[i].a.v6;
                s6->sin6_scope_id = addrs[i].scope_id;
            } else {
                struct sockaddr_in *s4 = (struct sockaddr_in *)ai->ai_addr;
                s4->sin_family = AF_INET;
                s4->sin_port = st[j].port;
                s4->sin_addr = addrs[i].a.v4;
            }
            *tail = ai;
            tail = &ai->ai_next;
        }
    }
    free(canonbuf);
    *res = head;
    return head ? 0 : EAI_NONAME;
}

/* glibc's accepted flags; DEPRECATED_AI_IDN is 0x300. */
#define DNS_AI_FLAGS                                                                           \
    (AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_ADDRCONFIG | AI_V4MAPPED | AI_IDN |       \
     AI_CANONIDN | 0x300 | AI_NUMERICSERV | AI_ALL)

int srr__sim_dns_getaddrinfo(sim_dns *d, const char *node, const char *service,
                             const struct addrinfo *hints, struct addrinfo **res,
                             int64_t *delay_ns)
{
    int64_t delay_dummy;
    if (!delay_ns)
        delay_ns = &delay_dummy;
    *delay_ns = 0;

    if (node && strcmp(node, "*") == 0)
        node = NULL;
    if (service && strcmp(service, "*") == 0)
        service = NULL;
    if (!node && !service)
        return EAI_NONAME;
    /* glibc's default hints: AI_V4MAPPED | AI_ADDRCONFIG, which the result's
     * ai_flags then show. */
    const struct addrinfo dflt = {.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG};
    const struct addrinfo *h = hints ? hints : &dflt;
    if (h->ai_flags & ~DNS_AI_FLAGS)
        return EAI_BADFLAGS;
    if ((h->ai_flags & AI_CANONNAME) && !node)
        return EAI_BADFLAGS;
    if (h->ai_family != AF_UNSPEC && h->ai_family != AF_INET && h->ai_family != AF_INET6)
        return EAI_FAMILY;

    /* glibc reads the number as an unsigned long into an int: "-1" and
     * "4294967295" become -1, a name; "65616" wraps to port 80. */
    int num = -1;
    if (service && !service[0])
        service = NULL;
    if (service) {
        char *end;
        num = (int)(unsigned int)strtoul(service, &end, 10);
        if (*end != '\0') {
            if (h->ai_flags & AI_NUMERICSERV)
                return EAI_NONAME;
            num = -1;
        }
    }
    dns_servtuple st[DNS_NTYPEPROTO];
    size_t nst;
    int r = dns_servtuples(service, num, h, st, &nst);
    if (r != 0)
        return r;

    if (!node) {
        dns_addr local[2];
        size_t n = dns_local(h, local);
        return dns_generate(h, local, n, st, nst, NULL, res);
    }

    dns_addr one;
    bool numeric;
    if ((r = dns_numeric(node, h, &one, &numeric)) != 0)
        return r;
    if (numeric)
        return dns_generate(h, &one, 1, st, nst, (h->ai_flags & AI_CANONNAME) ? node : NULL,
                           res);
    if (h->ai_flags & AI_NUMERICHOST)
        return EAI_NONAME;

    dns_found f;
    if (!dns_lookup(d, node, &f))
        return EAI_NONAME;
    dns_commit(&f);
    *delay_ns = f.delay_ns;
    if (f.error)
        return f.error;
    dns_addr *addrs = malloc((f.naddrs ? f.naddrs : 1) * sizeof *addrs);
    if (!addrs)
        return EAI_MEMORY;
    size_t n = dns_filter(&f, h, addrs);
    if (n == 0)
        r = f.from_dns ? EAI_NODATA : EAI_NONAME;
    else
        r = dns_generate(h, addrs, n, st, nst, (h->ai_flags & AI_CANONNAME) ? f.canon : NULL,
                         res);
    free(addrs);
    return r;
}

/* ---- getnameinfo ---- */

/* glibc's accepted flags; DEPRECATED_NI_IDN is 192. */
#define DNS_NI_FLAGS                                                                           \
    (NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM | NI_IDN | 192)

static int dns_copy(char *dst, size_t len, const char *src)
{
    size_t n = strlen(src) + 1;
    if (n > len)
        return EAI_OVERFLOW;
    memcpy(dst, src, n);
    return 0;
}

/* NI_NOFQDN cuts the local domain, which glibc takes from the host name:
 * here the config's hostname, after its first dot. */
static int dns_copy_host(const sim_dns *d, char *host, size_t len, const char *name, int flags)
{
    const char *dot = d->cfg->hostname ? strchr(d->cfg->hostname, '.') : NULL;
    const char *at = (flags & NI_NOFQDN) && dot && dot[1] ? strstr(name, dot + 1) : NULL;
    if (!at || at == name || at[-1] != '.')
        return dns_copy(host, len, name);
    size_t n = (size_t)(at - 1 - name);
    if (n + 1 > len)
        return EAI_OVERFLOW;
    memcpy(host, name, n);
    host[n] = '\0';
    return 0;
}

/* glibc's gni_host_inet_numeric; scope 1 is the sim's "lo". */
static int dns_numeric_host(int family, const void *addr, uint32_t scope, char *host,
                            socklen_t len)
{
    if (!inet_ntop(family, addr, host, len))
        return EAI_OVERFLOW;
    if (family != AF_INET6 || scope == 0)
        return 0;
    const struct in6_addr *a6 = addr;
    size_t used = strlen(host);
    int n;
    if ((IN6_IS_ADDR_LINKLOCAL(a6) || IN6_IS_ADDR_MC_LINKLOCAL(a6)) && scope == 1)
        n = snprintf(host + used, len - used, "%%lo");
    else
        n = snprintf(host + used, len - used, "%%%u", (unsigned)scope);
    return n < 0 ? EAI_SYSTEM : (size_t)n >= len - used ? EAI_OVERFLOW : 0;
}

/* 0 with port's name (network order) in serv, an EAI_ error, or -1 when
 * the port has none (the caller writes the number). */
static int dns_servbyport(in_port_t port, const char *proto, char *serv, socklen_t len)
{
    const char *name = srr__service_name(ntohs(port), proto);
    return name ? dns_copy(serv, len, name) : -1;
}

int srr__sim_dns_getnameinfo(sim_dns *d, const struct sockaddr *sa, socklen_t salen, char *host,
                             socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
    if (flags & ~DNS_NI_FLAGS)
        return EAI_BADFLAGS;
    if (!sa || salen < sizeof(sa_family_t))
        return EAI_FAMILY;
    if ((flags & NI_NAMEREQD) && !host && !serv)
        return EAI_NONAME;

    /* Copies, so an unaligned caller's sockaddr is fine. */
    struct sockaddr_in s4;
    struct sockaddr_in6 s6;
    const void *addr;
    in_port_t port;
    uint32_t scope = 0;
    int family = sa->sa_family;
    if (family == AF_INET && salen >= sizeof s4) {
        memcpy(&s4, sa, sizeof s4);
        addr = &s4.sin_addr;
        port = s4.sin_port;
    } else if (family == AF_INET6 && salen >= sizeof s6) {
        memcpy(&s6, sa, sizeof s6);
        addr = &s6.sin6_addr;
        port = s6.sin6_port;
        scope = s6.sin6_scope_id;
    } else {
        /* glibc also names AF_UNIX addresses; the sim has no such hosts. */
        return EAI_FAMILY;
    }

    if (host && hostlen > 0) {
        const char *name = (flags & NI_NUMERICHOST) ? NULL : dns_reverse(d, family, addr);
        int r;
        if (name)
            r = dns_copy_host(d, host, hostlen, name, flags);
        else if (flags & NI_NAMEREQD)
            r = EAI_NONAME;
        else
            r = dns_numeric_host(family, addr, scope, host, hostlen);
        if (r != 0)
            return r;
    }
    if (serv && servlen > 0) {
        int r = -1;
        if (!(flags & NI_NUMERICSERV))
            r = dns_servbyport(port, (flags & NI_DGRAM) ? "udp" : "tcp", serv, servlen);
        if (r == -1) {
            int n = snprintf(serv, servlen, "%d", ntohs(port));
            r = n < 0 ? EAI_SYSTEM : (socklen_t)n >= servlen ? EAI_OVERFLOW : 0;
        }
        if (r != 0)
            return r;
    }
    return 0;
}

/* ---- hostents ---- */

/* Lays a hostent out in the caller's buffer: pointer arrays first (aligned,
 * whatever buf's alignment), then the addresses, then the strings.
 * -ERANGE when it does not fit; nothing is promised about buf then. */
static int dns_hostent(struct hostent *ret, char *buf, size_t buflen, const char *name,
                       const char *alias, int af, const void *const *addrs, size_t naddrs)
{
    size_t alen = af == AF_INET6 ? 16 : 4;
    size_t nalias = alias ? 1 : 0;
    uintptr_t start = (uintptr_t)buf;
    uintptr_t p = (start + alignof(char *) - 1) & ~(uintptr_t)(alignof(char *) - 1);
    size_t need = (size_t)(p - start) + (nalias + 1 + naddrs + 1) * sizeof(char *) +
                  naddrs * alen + strlen(name) + 1 + (alias ? strlen(alias) + 1 : 0);
    if (need > buflen)
        return -ERANGE;

    char **aliases = (char **)p;
    char **list = aliases + nalias + 1;
    char *data = (char *)(list + naddrs + 1);
    for (size_t i = 0; i < naddrs; i++) {
        memcpy(data, addrs[i], alen);
        list[i] = data;
        data += alen;
    }
    list[naddrs] = NULL;
    size_t n = strlen(name) + 1;
    memcpy(data, name, n);
    ret->h_name = data;
    data += n;
    if (alias) {
        memcpy(data, alias, strlen(alias) + 1);
        aliases[0] = data;
    }
    aliases[nalias] = NULL;
    ret->h_aliases = aliases;
    ret->h_addrtype = af;
    ret->h_length = (int)alen;
    ret->h_addr_list = list;
    return 0;
}

/* glibc's __nss_hostname_digits_dots: a name of digits and dots (or, for
 * AF_INET6, of hex digits, colons and dots) not ending in a dot is an
 * address or nothing, never a table name.  Returns 1 when it decided (into
 * *result / *h_errnop or -ERANGE in *rc), 0 to go on to the table. */
static int dns_digits_dots(const char *name, int af, struct hostent *ret, char *buf,
                           size_t buflen, struct hostent **result, int *h_errnop, int *rc)
{
    unsigned char addr[16];
    bool ok;
    size_t len = strlen(name);
    if (af != AF_INET6)
        af = AF_INET; /* glibc's choice for any other family */
    *rc = 0;
    if (isdigit((unsigned char)name[0]) && strspn(name, "0123456789.") == len &&
        name[len - 1] != '.') {
        ok = af == AF_INET ? dns_aton_exact(name, (struct in_addr *)addr)
                           : inet_pton(AF_INET6, name, addr) == 1;
    } else if ((isxdigit((unsigned char)name[0]) && strchr(name, ':')) || name[0] == ':') {
        /* An IPv6-looking name is never an IPv4 host, dot or no dot. */
        if (af == AF_INET) {
            *h_errnop = HOST_NOT_FOUND;
            return 1;
        }
        if (strspn(name, "0123456789abcdefABCDEF:.") != len || name[len - 1] == '.')
            return 0;
        ok = inet_pton(AF_INET6, name, addr) == 1;
    } else {
        return 0;
    }
    if (!ok) {
        *h_errnop = HOST_NOT_FOUND;
        return 1;
    }
    const void *list[1] = {addr};
    if ((*rc = dns_hostent(ret, buf, buflen, name, NULL, af, list, 1)) != 0) {
        *h_errnop = NETDB_INTERNAL;
        return 1;
    }
    *result = ret;
    *h_errnop = NETDB_SUCCESS;
    return 1;
}

static int dns_herrno(int eai)
{
    switch (eai) {
    case EAI_AGAIN:
        return TRY_AGAIN;
    case EAI_FAIL:
        return NO_RECOVERY;
    case EAI_NODATA:
        return NO_DATA;
    default:
        return HOST_NOT_FOUND;
    }
}

int srr__sim_dns_gethostbyname2_r(sim_dns *d, const char *name, int af, struct hostent *ret,
                                  char *buf, size_t buflen, struct hostent **result,
                                  int *h_errnop, int64_t *delay_ns)
{
    int64_t delay_dummy;
    if (!delay_ns)
        delay_ns = &delay_dummy;
    *delay_ns = 0;
    *result = NULL;
    int rc;
    if (dns_digits_dots(name, af, ret, buf, buflen, result, h_errnop, &rc))
        return rc;
    if (af != AF_INET && af != AF_INET6) {
        /* glibc: EAFNOSUPPORT with NO_ADDRESS (= NO_DATA). */
        *h_errnop = NO_DATA;
        return 0;
    }

    dns_found f;
    if (!dns_lookup(d, name, &f)) {
        *h_errnop = HOST_NOT_FOUND;
        return 0;
    }
    if (f.error) {
        dns_commit(&f);
        *delay_ns = f.delay_ns;
        *h_errnop = dns_herrno(f.error);
        return 0;
    }
    const void **list = malloc((f.naddrs ? f.naddrs : 1) * sizeof *list);
    if (!list) {
        *h_errnop = NETDB_INTERNAL; /* errno ENOMEM, as glibc reports it */
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < f.naddrs; i++)
        if (f.addrs[i].family == af)
            list[n++] = af == AF_INET ? (const void *)&f.addrs[i].a.v4
                                      : (const void *)&f.addrs[i].a.v6;
    if (n == 0) {
        *h_errnop = NO_DATA;
        rc = 0;
    } else if ((rc = dns_hostent(ret, buf, buflen, f.canon, f.alias, af, list, n)) != 0) {
        /* The caller asks again with a bigger buffer: that retry is this
         * call, so it neither uses a script step nor takes time. */
        *h_errnop = NETDB_INTERNAL;
        free(list);
        return rc;
    } else {
        *result = ret;
        *h_errnop = NETDB_SUCCESS;
    }
    free(list);
    dns_commit(&f);
    *delay_ns = f.delay_ns;
    return rc;
}

int srr__sim_dns_gethostbyaddr_r(sim_dns *d, const void *addr, socklen_t len, int type,
                                 struct hostent *ret, char *buf, size_t buflen,
                                 struct hostent **result, int *h_errnop)
{
    *result = NULL;
    socklen_t size = type == AF_INET ? 4 : type == AF_INET6 ? 16 : 0;
    if (size == 0 || len < size) {
        /* glibc: EAFNOSUPPORT with NETDB_INTERNAL. */
        *h_errnop = NETDB_INTERNAL;
        return 0;
    }
    const char *name = len == size ? dns_reverse(d, type, addr) : NULL;
    if (!name) {
        *h_errnop = HOST_NOT_FOUND;
        return 0;
    }
    const void *list[1] = {addr};
    int rc = dns_hostent(ret, buf, buflen, name, NULL, type, list, 1);
    if (rc != 0) {
        *h_errnop = NETDB_INTERNAL;
        return rc;
    }
    *result = ret;
    *h_errnop = NETDB_SUCCESS;
    return 0;
}
