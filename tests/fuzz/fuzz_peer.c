/*
 * fuzz_peer.c — the fuzz world as a libFuzzer target's peer (sockrr/fuzz.h):
 * a small server written against the C API (a TCP listener, a UDP socket,
 * line commands) plays every input the fuzzer makes.  Built as it is, it
 * fuzzes the fuzz world itself (any bytes are a test case: the peer, the
 * sim under it and the C API must take them all, with no crash, leak or
 * UB, and end every case).  Built with -DSRR_PLANTED_BUG it is the example
 * docs/fuzz.md gives of in-process fuzzing, with a bug libFuzzer must find
 * (tests/integration/fuzz_planted.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockrr.h"
#include "sockrr/fuzz.h"

/* A command line: the planted bug hides behind "CMD!" after a greeting. */
static void command(srr_socket *c, const char *line, size_t n, int *greeted)
{
    if (n >= 5 && memcmp(line, "HELLO", 5) == 0) {
        *greeted = 1;
        srr_sendall(c, "WELCOME\n", 8, 0, NULL);
        return;
    }
    if (!*greeted) {
        srr_sendall(c, "ERR hello first\n", 16, 0, NULL);
        return;
    }
#ifdef SRR_PLANTED_BUG
    if (n >= 4 && line[0] == 'C')
        if (line[1] == 'M')
            if (line[2] == 'D')
                if (line[3] == '!') {
                    /* said, so a test knows it without a symbolizer */
                    fputs("fuzz_peer: planted bug\n", stderr);
                    abort();
                }
#endif
    srr_sendall(c, "OK\n", 3, 0, NULL);
}

/* One connection, line by line, until EOF or an error (the case played
 * out among them). */
static int serve_conn(srr_socket *c)
{
    char buf[512];
    size_t have = 0;
    int greeted = 0;
    for (;;) {
        srr_error err;
        ssize_t n = srr_recv(c, buf + have, sizeof buf - have, 0, &err);
        if (n <= 0)
            return n < 0 && err.code == EDEADLK ? -1 : 0;
        have += (size_t)n;
        char *nl;
        while ((nl = memchr(buf, '\n', have))) {
            size_t len = (size_t)(nl - buf);
            command(c, buf, len, &greeted);
            memmove(buf, nl + 1, have - len - 1);
            have -= len + 1;
        }
        if (have == sizeof buf)
            have = 0; /* a line too long: dropped */
    }
}

static void serve(srr_world *w)
{
    srr_error err;
    srr_addr a;
    srr_socket *l = srr_socket_new(w, AF_INET, SOCK_STREAM, 0, &err);
    srr_socket *u = srr_socket_new(w, AF_INET, SOCK_DGRAM, 0, &err);
    if (!l || !u)
        abort();
    srr_addr_inet(&a, "0.0.0.0", 7000);
    if (srr_bind(l, &a, &err) < 0 || srr_listen(l, 8, &err) < 0)
        abort();
    srr_addr_inet(&a, "0.0.0.0", 5353);
    if (srr_bind(u, &a, &err) < 0)
        abort();
    for (int round = 0; round < 16; round++) {
        srr_socket *c;
        if (srr_accept(l, &c, NULL, &err) < 0)
            break; /* played out */
        int over = serve_conn(c);
        srr_close(c, NULL);
        if (over)
            break;
    }
    /* the datagrams that came meanwhile, without waiting for more */
    srr_settimeout(u, 0.0, NULL);
    char d[256];
    srr_addr from;
    while (srr_recvfrom(u, d, sizeof d, 0, &from, &err) > 0)
        srr_sendto(u, d, 1, 0, &from, NULL);
    srr_close(u, NULL);
    srr_close(l, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[256];
    srr_world *w = srr_world_fuzz(NULL, NULL, msg, sizeof msg);
    if (!w) {
        fprintf(stderr, "fuzz_peer: %s\n", msg);
        abort();
    }
    if (srr_fuzz_give(w, data, size) < 0)
        abort();
    serve(w);
    srr_fuzz_stats st;
    if (srr_fuzz_stats_of(w, &st) < 0 || st.messages + st.skipped > size)
        abort(); /* more messages than bytes: the decoder went wrong */
    srr_world_destroy(w);
    return 0;
}
