/*
 * pingpong.c — 1-byte TCP round trips over loopback: raw libc against the C
 * API on the kernel world, against the same echo peer (a forked process
 * using raw libc).  Rounds alternate so both sides see the same machine
 * noise; the median round is reported.
 *
 * usage: pingpong [ROUND_TRIPS [ROUNDS]]
 * prints one row: name value unit baseline baseline_value (tab-separated)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sockrr.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The peer: echo every byte back, one connection after another. */
static void echo_peer(int lfd)
{
    for (;;) {
        int c = accept(lfd, NULL, NULL);
        if (c < 0)
            _exit(1);
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char b;
        while (read(c, &b, 1) == 1)
            if (write(c, &b, 1) != 1)
                break;
        close(c);
    }
}

static double run_raw(int port, long n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char b = 'x';
    double t0 = now_s();
    for (long i = 0; i < n; i++)
        if (send(fd, &b, 1, 0) != 1 || recv(fd, &b, 1, 0) != 1)
            return -1;
    double t = now_s() - t0;
    close(fd);
    return t;
}

static double run_api(srr_world *w, int port, long n)
{
    srr_error err;
    srr_socket *s = srr_create_connection(w, "127.0.0.1", port, SRR_TIMEOUT_NONE, NULL, &err);
    if (!s || srr_setsockopt_int(s, IPPROTO_TCP, TCP_NODELAY, 1, &err) < 0)
        return -1;
    char b = 'x';
    double t0 = now_s();
    for (long i = 0; i < n; i++)
        if (srr_send(s, &b, 1, 0, &err) != 1 || srr_recv(s, &b, 1, 0, &err) != 1)
            return -1;
    double t = now_s() - t0;
    srr_close(s, NULL);
    return t;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (n <= 0 || rounds <= 0 || rounds > 100) {
        fprintf(stderr, "pingpong: usage: pingpong [ROUND_TRIPS>0 [ROUNDS 1-100]]\n");
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &len) < 0) {
        perror("pingpong: listen");
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("pingpong: fork");
        return 1;
    }
    if (pid == 0)
        echo_peer(lfd);
    close(lfd);
    int port = ntohs(a.sin_port);
    srr_world *w = srr_world_kernel();
    double raw[100], api[100];
    int ok = 1;
    for (int r = 0; r < rounds && ok; r++) {
        raw[r] = run_raw(port, n);
        api[r] = run_api(w, port, n);
        ok = raw[r] > 0 && api[r] > 0;
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    srr_world_destroy(w);
    if (!ok) {
        fprintf(stderr, "pingpong: a round trip failed\n");
        return 1;
    }
    qsort(raw, rounds, sizeof raw[0], cmp);
    qsort(api, rounds, sizeof api[0], cmp);
    printf("tcp_pingpong_1byte\t%.0f\tns/roundtrip\traw libc\t%.0f\n", api[rounds / 2] / n * 1e9,
           raw[rounds / 2] / n * 1e9);
    return 0;
}
