/*
 * resolve.c — names and addresses under replay: --map (a recorded address
 * the program reaches by another), and lookups answered from the
 * recording's (docs/replay.md).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libc.h"
#include "grow.h"
#include "replay_int.h"

/* ----------------------------------------------------------------- maps */

/* A host with no port ("10.0.0.5", "[::1]", "::1"): 0 and the address
 * with port 0 in *ss. */
static int rp_parse_host(const char *s, struct sockaddr_storage *ss)
{
    char host[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(s);
    if (n >= sizeof host)
        return -1;
    if (s[0] == '[' && n > 2 && s[n - 1] == ']') {
        memcpy(host, s + 1, n - 2);
        host[n - 2] = '\0';
    } else {
        memcpy(host, s, n + 1);
    }
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        return 0;
    }
    return -1;
}

static int rp_parse_addr(const char *s, struct sockaddr_storage *ss, int *host_only)
{
    socklen_t len;
    *host_only = 0;
    if (srr__sockaddr_parse(s, ss, &len) == 0 && ss->ss_family != AF_UNIX)
        return 0;
    *host_only = 1;
    return rp_parse_host(s, ss);
}

int srr__rp_parse_maps(replay_world *r, const char *spec, char *errbuf, size_t errlen)
{
    if (!spec || !*spec)
        return 0;
    char *copy = strdup(spec), *save = NULL;
    if (!copy)
        return -1;
    int rc = 0;
    for (char *item = strtok_r(copy, ",", &save); item && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        rp_map m;
        memset(&m, 0, sizeof m);
        int ho_rec = 0, ho_prog = 0;
        if (!eq) {
            snprintf(errbuf, errlen, "--map %s: want RECORDED_ADDR=ADDR", item);
            rc = -1;
            break;
        }
        *eq = '\0';
        if (rp_parse_addr(item, &m.rec, &ho_rec) < 0 ||
            rp_parse_addr(eq + 1, &m.prog, &ho_prog) < 0 || ho_rec != ho_prog) {
            snprintf(errbuf, errlen,
                     "--map %s=%s: want two addresses of one form, HOST:PORT=HOST:PORT or "
                     "HOST=HOST ([V6]:PORT for IPv6)", item, eq + 1);
            rc = -1;
            break;
        }
        m.host_only = ho_rec;
        if (srr__grow((void **)&r->maps, &r->maps_cap, r->nmaps + 1, sizeof *r->maps) < 0) {
            rc = -1;
            break;
        }
        r->maps[r->nmaps++] = m;
    }
    free(copy);
    return rc;
}

static int rp_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

static uint16_t *rp_port(struct sockaddr_storage *a)
{
    return a->ss_family == AF_INET ? &((struct sockaddr_in *)a)->sin_port
                                   : &((struct sockaddr_in6 *)a)->sin6_port;
}

/* The recorded address as the program sees it: the first map that covers
 * it, or itself. */
void srr__rp_addr_shown(const replay_world *r, const char *recorded, char *out, size_t len)
{
    snprintf(out, len, "%s", recorded ? recorded : "");
    struct sockaddr_storage a;
    socklen_t alen;
    if (!r->nmaps || !recorded || srr__sockaddr_parse(recorded, &a, &alen) < 0 ||
        (a.ss_family != AF_INET && a.ss_family != AF_INET6))
        return;
    for (size_t i = 0; i < r->nmaps; i++) {
        const rp_map *m = &r->maps[i];
        if (!rp_same_host(&m->rec, &a))
            continue;
        if (!m->host_only && *rp_port((struct sockaddr_storage *)&m->rec) != *rp_port(&a))
            continue;
        struct sockaddr_storage b = m->prog;
        if (m->host_only)
            *rp_port(&b) = *rp_port(&a);
        socklen_t blen = b.ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                                : sizeof(struct sockaddr_in6);
        srr__sockaddr_format((struct sockaddr *)&b, blen, out, len);
        return;
    }
}

int srr__rp_addr_matches(const replay_world *r, const char *recorded, const char *program)
{
    char shown[128];
    srr__rp_addr_shown(r, recorded, shown, sizeof shown);
    return strcmp(shown, program) == 0;
}

int srr__rp_bound_matches(const replay_world *r, const char *recorded, const char *program)
{
    if (srr__rp_addr_matches(r, recorded, program))
        return 1;
    /* a program bound to every address (0.0.0.0, ::) and the recorded port */
    char shown[128];
    struct sockaddr_storage a, b;
    socklen_t al, bl;
    srr__rp_addr_shown(r, recorded, shown, sizeof shown);
    if (srr__sockaddr_parse(shown, &a, &al) < 0 || srr__sockaddr_parse(program, &b, &bl) < 0 ||
        (b.ss_family != AF_INET && b.ss_family != AF_INET6) ||
        (a.ss_family != AF_INET && a.ss_family != AF_INET6))
        return 0;
    int any = b.ss_family == AF_INET
                  ? ((struct sockaddr_in *)&b)->sin_addr.s_addr == htonl(INADDR_ANY)
                  : IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&b)->sin6_addr);
    return any && *rp_port(&a) == *rp_port(&b);
}

/* ------------------------------------------------------------- lookups */

static const char *jstr(const srr_json *o, const char *k)
{
    return srr__json_str(srr__json_get(o, k));
}

static int64_t jint(const srr_json *o, const char *k, int64_t dflt)
{
    const srr_json *v = srr__json_get(o, k);
    return srr__json_is(v, SRR_JSON_INT) ? srr__json_int(v) : dflt;
}

static int rp_gai_answers(const replay_world *r, const srr_json *answers,
                          const struct addrinfo *hints, struct addrinfo **res)
{
    struct addrinfo *head = NULL, **tail = &head;
    for (size_t i = 0; i < srr__json_size(answers); i++) {
        const srr_json *a = srr__json_at(answers, i);
        struct sockaddr_storage ss;
        socklen_t len;
        char shown[128];
        srr__rp_addr_shown(r, jstr(a, "addr"), shown, sizeof shown);
        if (srr__sockaddr_parse(shown, &ss, &len) < 0)
            continue;
        struct addrinfo *ai = calloc(1, sizeof *ai + len);
        if (!ai) {
            srr__rp_freeaddrinfo(NULL, head);
            return EAI_MEMORY;
        }
        ai->ai_family = (int)jint(a, "family", ss.ss_family);
        ai->ai_socktype = (int)jint(a, "socktype", hints ? hints->ai_socktype : 0);
        ai->ai_protocol = (int)jint(a, "protocol", 0);
        ai->ai_addrlen = len;
        ai->ai_addr = (struct sockaddr *)(ai + 1);
        memcpy(ai->ai_addr, &ss, len);
        if (!head && jstr(a, "canonname"))
            ai->ai_canonname = strdup(jstr(a, "canonname"));
        *tail = ai;
        tail = &ai->ai_next;
    }
    *res = head;
    return head ? 0 : EAI_NONAME;
}

/* A node and service written as numbers (or absent). */
static int rp_numeric(const char *node, const char *service)
{
    struct sockaddr_storage ss;
    if (node && rp_parse_host(node, &ss) < 0)
        return 0;
    for (const char *c = service; c && *c; c++)
        if (*c < '0' || *c > '9')
            return 0;
    return node || service;
}

/* libc's answers into ours (freed by srr__rp_freeaddrinfo), libc's freed. */
static int rp_copy_answers(struct addrinfo *libc_res, struct addrinfo **res)
{
    struct addrinfo *head = NULL, **tail = &head;
    for (struct addrinfo *a = libc_res; a; a = a->ai_next) {
        struct addrinfo *ai = calloc(1, sizeof *ai + a->ai_addrlen);
        if (!ai) {
            srr__rp_freeaddrinfo(NULL, head);
            srr__libc.freeaddrinfo(libc_res);
            *res = NULL;
            return EAI_MEMORY;
        }
        *ai = *a;
        ai->ai_next = NULL;
        ai->ai_canonname = a->ai_canonname ? strdup(a->ai_canonname) : NULL;
        ai->ai_addr = (struct sockaddr *)(ai + 1);
        memcpy(ai->ai_addr, a->ai_addr, a->ai_addrlen);
        *tail = ai;
        tail = &ai->ai_next;
    }
    srr__libc.freeaddrinfo(libc_res);
    *res = head;
    return 0;
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int srr__rp_getaddrinfo(srr_world *w, const char *node, const char *service,
                   const struct addrinfo *hints, struct addrinfo **res, int *sys_errno)
{
    replay_world *r = RW(w);
    rp_lock(r);
    int rc = EAI_NONAME;
    rp_gai *g = NULL;
    for (size_t i = 0; i < r->ngais && !g; i++)
        if (!r->gais[i].used && srr__rp_pid_ok(r, r->gais[i].pid) &&
            str_eq(r->gais[i].node, node) && str_eq(r->gais[i].service, service))
            g = &r->gais[i];
    for (size_t i = r->ngais; i > 0 && !g; i--) /* asked again: the last answer */
        if (srr__rp_pid_ok(r, r->gais[i - 1].pid) && str_eq(r->gais[i - 1].node, node) &&
            str_eq(r->gais[i - 1].service, service))
            g = &r->gais[i - 1];
    *res = NULL;
    if (r->diverged) {
        *sys_errno = EPROTO;
        rc = EAI_SYSTEM;
    } else if (!g && (rp_numeric(node, service) || r->opt.passthrough_on_miss)) {
        /* an address written out needs no recording: libc reads it, and
         * with these flags never asks a name server */
        struct addrinfo h = hints ? *hints : (struct addrinfo){0};
        if (rp_numeric(node, service))
            h.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
        else /* on-miss passthrough: the real resolver */
            srr__rp_note(r, "getaddrinfo %s: not recorded, to the resolver",
                         node ? node : "(null)");
        /* without the lock: a resolver may open sockets (nss modules),
         * which come back here, and may take long */
        rp_unlock(r);
        rc = srr__libc.getaddrinfo(node, service, &h, res);
        int e = errno;
        rp_lock(r);
        if (rc == 0) {
            rc = rp_copy_answers(*res, res);
        } else if (rc == EAI_SYSTEM) {
            *sys_errno = e;
        }
    } else if (!g) {
        srr__rp_diverge(r,
                        "replay diverged: the program looks up %s%s%s, which the recording never "
                        "did",
                        node ? node : "(null)", service ? ":" : "", service ? service : "");
        *sys_errno = EPROTO;
        rc = EAI_SYSTEM;
    } else {
        g->used = 1;
        srr__rp_note(r, "getaddrinfo %s%s%s", node ? node : "(null)", service ? ":" : "",
                service ? service : "");
        rc = g->ret == 0 ? rp_gai_answers(r, g->answers, hints, res) : g->ret;
        if (rc == EAI_SYSTEM)
            *sys_errno = EIO;
    }
    rp_unlock(r);
    return rc;
}

void srr__rp_freeaddrinfo(srr_world *w, struct addrinfo *res)
{
    (void)w;
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res->ai_canonname);
        free(res);
        res = next;
    }
}

int srr__rp_getnameinfo(srr_world *w, const struct sockaddr *sa, socklen_t salen, char *host,
                   socklen_t hostlen, char *serv, socklen_t servlen, int flags, int *sys)
{
    (void)w, (void)flags, (void)sys;
    /* numeric, always: a name the recording did not look up has no answer */
    char buf[128];
    srr__sockaddr_format(sa, salen, buf, sizeof buf);
    char *colon = strrchr(buf, ':');
    if (!colon)
        return EAI_FAMILY;
    *colon = '\0';
    const char *h = buf[0] == '[' ? buf + 1 : buf;
    if (buf[0] == '[' && colon[-1] == ']')
        colon[-1] = '\0';
    if (host && hostlen && (size_t)snprintf(host, hostlen, "%s", h) >= hostlen)
        return EAI_OVERFLOW;
    if (serv && servlen && (size_t)snprintf(serv, servlen, "%s", colon + 1) >= servlen)
        return EAI_OVERFLOW;
    return 0;
}

int srr__rp_byname(srr_world *w, const char *name, int af, struct hostent *ret, char *buf,
              size_t buflen, struct hostent **result, int *herr)
{
    (void)w, (void)name, (void)af, (void)ret, (void)buf, (void)buflen;
    *result = NULL;
    *herr = HOST_NOT_FOUND; /* the recording's lookups are getaddrinfo's */
    return 0;
}

int srr__rp_byaddr(srr_world *w, const void *a, socklen_t l, int t, struct hostent *ret, char *buf,
              size_t buflen, struct hostent **result, int *herr)
{
    (void)a, (void)l, (void)t;
    return srr__rp_byname(w, NULL, 0, ret, buf, buflen, result, herr);
}

int srr__rp_gethostname(srr_world *w, char *name, size_t len)
{
    replay_world *r = RW(w);
    const char *h = r->hostname[0] ? r->hostname : "localhost";
    if (strlen(h) + 1 > len)
        return -ENAMETOOLONG;
    memcpy(name, h, strlen(h) + 1);
    return 0;
}

int srr__rp_sethostname(srr_world *w, const char *name, size_t len)
{
    (void)w, (void)name, (void)len;
    return -EPERM;
}

int srr__rp_if_nameindex(srr_world *w, struct if_nameindex **out)
{
    (void)w;
    *out = calloc(2, sizeof **out);
    if (!*out)
        return -ENOMEM;
    (*out)[0].if_index = 1;
    (*out)[0].if_name = strdup("lo");
    return (*out)[0].if_name ? 0 : -ENOMEM;
}

void srr__rp_if_freenameindex(srr_world *w, struct if_nameindex *l)
{
    (void)w;
    for (struct if_nameindex *i = l; i && i->if_name; i++)
        free(i->if_name);
    free(l);
}
