/*
 * show_names.h — constants by name for `sockrr show` (show_names.c).
 */
#ifndef SOCKRR_SHOW_NAMES_H
#define SOCKRR_SHOW_NAMES_H

#include <stddef.h>
#include <stdio.h>

struct show_name {
    long long value;
    const char *name;
};

struct show_table {
    const struct show_name *names;
    size_t n;
};

extern const struct show_table show_af, show_ai, show_clock, show_fcntl, show_fdflags, show_herrno, show_ioctl, show_ipopt, show_ipproto, show_ipv6opt, show_level, show_msg, show_ni, show_oflags, show_pollev, show_scm, show_shut, show_so, show_sockflags, show_socktype, show_tcpopt, show_udpopt;

#define SHOW_ENUM(out, table, v) show_enum(out, (table).names, (table).n, v)
#define SHOW_FLAGS(out, table, v) show_flags(out, (table).names, (table).n, v)

/* The name of v in t, or NULL. */
const char *show_lookup(const struct show_name *t, size_t n, long long v);
/* The name, or the number. */
void show_enum(FILE *out, const struct show_name *t, size_t n, long long v);
/* "A|B|0x40"; "0" for no bits.  Bits without a name stay as hex. */
void show_flags(FILE *out, const struct show_name *t, size_t n, long long v);
/* SOCK_STREAM|SOCK_CLOEXEC */
void show_socktype_flags(FILE *out, long long v);
void show_protocol(FILE *out, long long domain, long long proto);
void show_sockopt_name(FILE *out, long long level, long long name);
/* O_RDONLY has no bit: it is the absence of the access-mode bits. */
void show_oflags_value(FILE *out, long long v);

#endif
