/*
 * sim.c — the sim world's speed: in-process 1-byte round trips and bulk
 * transfer against the same C API code on the kernel world (AF_UNIX
 * socketpairs both), and an hour of virtual timeouts against the same
 * receives on the kernel with nothing to wait for.
 *
 * usage: sim [ROUND_TRIPS [MIB]]
 * prints rows: name value unit baseline baseline_value (tab-separated)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockrr.h"
#include "sockrr/worlds.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Round trips per second over a socketpair of w, one thread. */
static double pingpong(srr_world *w, long n)
{
    srr_error err;
    srr_socket *p[2];
    if (srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err) < 0)
        return -1;
    char b = 'x';
    double t0 = now_s();
    for (long i = 0; i < n; i++)
        if (srr_send(p[0], &b, 1, 0, &err) != 1 || srr_recv(p[1], &b, 1, 0, &err) != 1 ||
            srr_send(p[1], &b, 1, 0, &err) != 1 || srr_recv(p[0], &b, 1, 0, &err) != 1)
            return -1;
    double t = now_s() - t0;
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    return n / t;
}

/* MB/s moved through a socketpair of w in 64 KiB sends, one thread. */
static double bulk(srr_world *w, long mib)
{
    srr_error err;
    srr_socket *p[2];
    if (srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err) < 0)
        return -1;
    size_t chunk = 64 << 10;
    char *buf = malloc(chunk), *in = malloc(chunk);
    memset(buf, 'b', chunk);
    long rounds = mib * 16;
    double t0 = now_s();
    for (long i = 0; i < rounds; i++)
        if (srr_sendall(p[0], buf, chunk, 0, &err) < 0 ||
            srr_recv(p[1], in, chunk, MSG_WAITALL, &err) != (ssize_t)chunk)
            return -1;
    double t = now_s() - t0;
    free(buf);
    free(in);
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    return mib * 1.048576 / t;
}

/* Wall ms of 3600 one-byte receives on a silent socketpair, each with
 * the timeout t (0: non-blocking); -1 when one did not fail as it should. */
static double timeouts_ms(srr_world *w, double t)
{
    srr_error err;
    srr_socket *p[2];
    if (srr_socketpair(w, AF_UNIX, SOCK_STREAM, 0, p, &err) < 0 || srr_settimeout(p[0], t, &err) < 0)
        return -1;
    double t0 = now_s();
    char b;
    int ok = 1;
    for (int i = 0; i < 3600 && ok; i++)
        ok = srr_recv(p[0], &b, 1, 0, &err) == -1 &&
             (t > 0 ? err.kind == SRR_ERR_TIMEOUT : err.code == EAGAIN);
    double ms = (now_s() - t0) * 1e3;
    srr_close(p[0], NULL);
    srr_close(p[1], NULL);
    return ok ? ms : -1;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long mib = argc > 2 ? atol(argv[2]) : 4096;
    char msg[256];
    /* an hour of nothing but timeouts is what the sim's idle rule ends at
     * its default limit (docs/sim.md): this run allows two */
    srr_world *sim = srr_world_sim_string("{\"idle_limit\": \"2h\"}", msg, sizeof msg),
              *kernel = srr_world_kernel();
    if (!sim || !kernel) {
        fprintf(stderr, "sim bench: %s\n", msg);
        return 1;
    }
    double sp = pingpong(sim, n), kp = pingpong(kernel, n / 10);
    double sb = bulk(sim, mib), kb = bulk(kernel, mib / 4);
    if (sp < 0 || kp < 0 || sb < 0 || kb < 0) {
        fprintf(stderr, "sim bench: a transfer failed\n");
        return 1;
    }
    printf("sim_pingpong_1byte\t%.0f\troundtrips/s\tkernel world socketpair\t%.0f\n", sp, kp);
    printf("sim_bulk_64k\t%.0f\tMB/s\tkernel world socketpair\t%.0f\n", sb, kb);

    /* 3600 receives that each time out after 1 s of virtual time, against
     * the same 3600 on the kernel with nothing to wait for (non-blocking) */
    double hour = timeouts_ms(sim, 1.0), none = timeouts_ms(kernel, 0.0);
    if (hour < 0 || none < 0) {
        fprintf(stderr, "sim bench: a receive did not time out (%.0f, %.0f)\n", hour, none);
        return 1;
    }
    printf("sim_hour_of_timeouts\t%.2f\tms wall\tkernel world non-blocking\t%.2f\n", hour, none);
    srr_world_destroy(sim);
    srr_world_destroy(kernel);
    return 0;
}
