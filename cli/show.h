/*
 * show.h — `sockrr show`'s insides, shared by its files: cmd_show.c (the
 * command: options, filters, the event loop), show_ops.c (one printer per
 * op), show_values.c (members, strings, payloads, return values),
 * show_socks.c (what is known of each socket id); constants by name come
 * from show_names.h.
 */
#ifndef SOCKRR_SHOW_H
#define SOCKRR_SHOW_H

#include <inttypes.h>
#include <stdio.h>

#include "json.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ----------------------------------------------------------- sockets */

/* What is known of one socket id; strings owned, NULL when unknown. */
struct show_sock {
    int64_t id; /* 0: free slot */
    char *family, *stype, *local, *peer;
};

/* Open addressing by socket id: ids are small and dense, but a trace may
 * name any number, so no array indexed by id. */
struct show_socks {
    struct show_sock *slots;
    size_t cap, used;
};

/* --------------------------------------------------------------- ops */

struct show_ctx {
    FILE *out;
    struct show_socks socks;
    int hexdump;
};

struct show_op {
    const char *name;
    void (*print)(struct show_ctx *c, const srr_json *ev);
    int own_newline; /* prints its own "\n" and what follows it (-x dumps) */
};

enum { SHOW_PREVIEW = 32 }; /* payload bytes a line previews */

/* show_socks.c */
void show_socks_free(struct show_socks *t);
/* What the event says of its sockets is remembered. */
void show_learn(struct show_socks *t, const srr_json *ev);
/* A descriptor annotated with its socket, as strace -yy does. */
void show_fd(FILE *out, const struct show_socks *t, int64_t fd, const srr_json *sock);
void show_ev_fd(FILE *out, const struct show_socks *t, const srr_json *ev);

/* show_values.c */
void show_set(char **slot, const char *value);
const char *show_str(const srr_json *ev, const char *key);
int64_t show_int(const srr_json *ev, const char *key);
const srr_json *show_arg(const srr_json *ev, const char *key);
/* Bytes as strace prints them, quoted: C escapes, octal for the rest
 * (three digits when a digit follows, so "\0" then "1" does not read as
 * "\01"). */
void show_bytes(FILE *out, const unsigned char *p, size_t n);
int64_t show_arg_int(const srr_json *ev, const char *key);
void show_qstr(FILE *out, const char *s);
void show_word(FILE *out, const char *s);
unsigned char *show_b64(const srr_json *v, size_t *n);
void show_preview(FILE *out, const unsigned char *p, size_t n, long long total);
void show_hexdump(FILE *out, const unsigned char *p, size_t n);
void show_errno(FILE *out, const srr_json *ev);
void show_ret(FILE *out, const srr_json *ev);
void show_secs(FILE *out, int64_t ns);

/* show_ops.c */
const struct show_op *show_find_op(const char *name);
/* " socket,socketpair,...\n": every op's name. */
void show_op_names(FILE *out);
/* Adds the comma-separated op names of list to (*ops)[0, *n): 0, or -1 with
 * a line saying why ("sockrr VERB: [OPTION: ]unknown op ...; the ops are:
 * ...", or out of memory) on stderr; option may be NULL. */
int show_ops_add(const char *verb, const char *option, const char *list, char ***ops, size_t *n,
                 size_t *cap);
/* "  12 +0.000123 [4242] " then the op's own text. */
void show_event(struct show_ctx *c, const srr_json *ev, int64_t start);

/* show_picture.c: the trace (the events match keeps, every one when NULL;
 * `now` events only when clock) drawn as a sequence diagram into svg
 * and/or html (either NULL; "-" is stdout).  An exit status, errors said
 * on stderr. */
int show_picture(const char *trace, int (*match)(const void *filter, const srr_json *ev),
                 const void *filter, int clock, const char *svg, const char *html);

#endif
