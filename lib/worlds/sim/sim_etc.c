/*
 * sim_etc.c — the name service's files as a program under the sim reads
 * them (SRR_CTL_FILE): made from the config alone, so a program that reads
 * /etc/resolv.conf or /etc/hosts itself (dig, host, c-ares in node) asks the
 * sim's DNS server and sees the sim's hosts, never the machine's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* text grows by one formatted piece; -1 once out of memory (sticky). */
typedef struct etc_text {
    char *p;
    size_t len, cap;
    int failed;
} etc_text;

__attribute__((format(printf, 2, 3))) static void etc_add(etc_text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->p && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
}

static void etc_ip(etc_text *t, const sim_ip *ip)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(ip->family, &ip->a, buf, sizeof buf);
    etc_add(t, "%s", buf);
}

int srr__sim_etc_file(const sim_world *s, srr_file *f)
{
    const sim_config *c = s->cfg;
    etc_text t = {0};
    if (strcmp(f->path, "/etc/resolv.conf") == 0) {
        etc_add(&t, "# sockrr sim: the sim's DNS server, answering from the config\nnameserver ");
        etc_ip(&t, &c->nameserver);
        etc_add(&t, "\n");
    } else if (strcmp(f->path, "/etc/hosts") == 0) {
        /* as a machine's: localhost and its own name; the other hosts are
         * the DNS server's to answer, forwards and in reverse */
        etc_add(&t, "# sockrr sim: this host; the others are in the sim's DNS\n"
                    "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
        for (size_t i = 0; i < c->nhosts; i++)
            for (size_t j = 0; c->hosts[i].self && c->hosts[i].name && j < c->hosts[i].naddrs; j++) {
                etc_ip(&t, &c->hosts[i].addrs[j]);
                etc_add(&t, "\t%s\n", c->hosts[i].name);
            }
    } else if (strcmp(f->path, "/etc/nsswitch.conf") == 0) {
        etc_add(&t, "# sockrr sim: names from /etc/hosts, then the sim's DNS server\n"
                    "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"
                    "networks: files\nprotocols: files\nservices: files\n");
    } else if (strcmp(f->path, "/etc/gai.conf") == 0) {
        etc_add(&t, "# sockrr sim: glibc's default address order\n");
    } else {
        return 0;
    }
    if (t.failed) {
        free(t.p);
        return -ENOMEM;
    }
    f->text = t.p;
    f->len = t.len;
    return 1;
}
