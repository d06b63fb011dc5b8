/*
 * sim_playback.c — a service that plays the peer side of a recorded trace:
 * the recorded program's connection becomes a script, where what the
 * program sent is expected and what it received is sent back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "sim.h"
#include "trace.h"

/* Appends to the script, joining with the previous step of the same kind
 * (the program may chunk its calls differently next time). */
static int playback_add(sim_service *sv, sim_step_kind kind, const unsigned char *p, size_t n)
{
    sim_step *last = sv->nscript ? &sv->script[sv->nscript - 1] : NULL;
    int join = last && last->kind == kind && (kind == SIM_STEP_EXPECT || kind == SIM_STEP_SEND);
    if (!join) {
        if (srr__grow((void **)&sv->script, &sv->script_cap, sv->nscript + 1,
                      sizeof *sv->script) < 0)
            return -ENOMEM;
        last = &sv->script[sv->nscript++];
        last->kind = kind;
    }
    if (n) {
        /* the steps made here grow from nothing, so their cap is their room */
        if (srr__grow((void **)&last->data, &last->cap, last->len + n, 1) < 0)
            return -ENOMEM;
        memcpy(last->data + last->len, p, n);
        last->len += n;
    }
    return 0;
}

/* The port at the end of an address string ("1.2.3.4:80", "[::1]:80"). */
static int playback_port(const char *addr)
{
    const char *c = addr ? strrchr(addr, ':') : NULL;
    return c ? atoi(c + 1) : -1;
}

static int playback_fail(char *err, size_t len, const char *path, long line, const char *why)
{
    srr_parse_error e;
    srr__parse_at(&e, path, line, 0, -1);
    srr__parse_fail(&e, SRR_PARSE_EVALUE, "service trace", "%s", why);
    srr__parse_error_format(&e, err, len);
    return -1;
}

int srr__sim_script_from_trace(sim_service *sv, char *err, size_t errlen)
{
    srr_parse_error te;
    srr_trace_reader *r = srr__trace_open(sv->trace, &te);
    if (!r) {
        srr__parse_error_format(&te, err, errlen);
        return -1;
    }
    int64_t conn = -1; /* the recorded connection to this service's port */
    int rc = 0, done = 0;
    srr_json *ev;
    int got;
    while (!done && rc == 0 && (got = srr__trace_next(r, &ev, &te)) != 0) {
        if (got < 0) {
            srr__parse_error_format(&te, err, errlen);
            rc = -1;
            break;
        }
        const char *op = srr__json_str(srr__json_get(ev, "op"));
        int64_t sock = srr__json_int(srr__json_get(ev, "sock"));
        int64_t ret = srr__json_int(srr__json_get(ev, "ret"));
        const char *errname = srr__json_str(srr__json_get(ev, "errno"));
        if (conn < 0) {
            const char *addr =
                srr__json_str(srr__json_get(srr__json_get(ev, "args"), "addr"));
            int ok = ret == 0 || (errname && strcmp(errname, "EINPROGRESS") == 0);
            if (strcmp(op, "connect") == 0 && ok && playback_port(addr) == sv->port)
                conn = sock;
        } else if (sock == conn) {
            if (strcmp(op, "sendmsg") == 0 || strcmp(op, "recvmsg") == 0) {
                int send = op[0] == 's';
                if (ret > 0) {
                    if (srr__json_is_true(srr__json_get(ev, "capped"))) {
                        rc = playback_fail(err, errlen, sv->trace, srr__trace_line(r),
                                           "a capped payload cannot be played back");
                    } else {
                        const char *b64 = srr__json_str(srr__json_get(ev, "data"));
                        unsigned char *p;
                        size_t n;
                        int d = b64 ? srr__b64_decode(b64, strlen(b64), &p, &n) : -EINVAL;
                        if (d < 0)
                            rc = playback_fail(err, errlen, sv->trace, srr__trace_line(r),
                                               d == -ENOMEM ? "out of memory" : "bad data");
                        else {
                            rc = playback_add(sv, send ? SIM_STEP_EXPECT : SIM_STEP_SEND, p, n);
                            free(p);
                        }
                    }
                } else if (!send && ret == 0 && !(srr__json_int(srr__json_get(
                                                      srr__json_get(ev, "args"), "size")) == 0)) {
                    rc = playback_add(sv, SIM_STEP_CLOSE, NULL, 0);
                    done = 1;
                } else if (errname && strcmp(errname, "ECONNRESET") == 0) {
                    rc = playback_add(sv, SIM_STEP_RESET, NULL, 0);
                    done = 1;
                }
            } else if (strcmp(op, "close") == 0) {
                done = 1;
            }
        }
        srr__json_free(ev);
    }
    srr__trace_close(r);
    if (rc == 0 && conn < 0)
        return playback_fail(err, errlen, sv->trace, 0,
                             "no connection to this service's port in it");
    return rc < 0 ? -1 : 0;
}
