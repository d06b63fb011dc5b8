/*
 * target.c — the server bench/fuzz.sh fuzzes four ways.  It starts up for
 * 50 ms (a config read, say), then serves line commands on 127.0.0.1:PORT,
 * one connection after another.  Built three ways:
 *   (default)        the server as it is: sockrr fuzz runs it, deferred or
 *                    persistent;
 *   -DAFLNET_STYLE   the way AFLNet drives a server: the forkserver starts
 *                    the program per exec, which forks the server and
 *                    connects to it over the real loopback (retrying while
 *                    it starts, as AFLNet does), sends the test case,
 *                    reads the answers until a 1 ms poll gives nothing
 *                    more, then ends the server;
 *   -DSTDIN_STYLE    hand-modified to read one message from stdin, with
 *                    the forkserver after its start-up (__AFL_INIT): the
 *                    ceiling.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char store[16][32];

static void startup(void)
{
    struct timespec t = {0, 50000000};
    nanosleep(&t, NULL);
}

/* One command line; the answer into out: its length. */
static size_t command(const char *line, size_t n, char *out, size_t cap)
{
    if (n >= 4 && memcmp(line, "GET ", 4) == 0) {
        unsigned k = (unsigned char)line[4] % 16;
        return (size_t)snprintf(out, cap, "VALUE %s\n", store[k]);
    }
    if (n >= 6 && memcmp(line, "SET ", 4) == 0) {
        unsigned k = (unsigned char)line[4] % 16;
        size_t v = n - 6 < sizeof store[k] - 1 ? n - 6 : sizeof store[k] - 1;
        memcpy(store[k], line + 6, v);
        store[k][v] = '\0';
        return (size_t)snprintf(out, cap, "STORED\n");
    }
    if (n >= 5 && memcmp(line, "HELLO", 5) == 0)
        return (size_t)snprintf(out, cap, "WELCOME\n");
    return (size_t)snprintf(out, cap, "ERR\n");
}

/* The lines of buf[0..n) answered through fd (-1: dropped). */
static void serve_bytes(int fd, const char *buf, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != '\n')
            continue;
        char out[64];
        size_t m = command(buf + start, i - start, out, sizeof out);
        if (fd >= 0 && write(fd, out, m) < 0)
            return;
        start = i + 1;
    }
}

static int listen_on(int port)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 16) < 0)
        exit(1);
    return l;
}

static void serve_forever(int l)
{
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0)
            exit(1);
        char buf[4096];
        size_t have = 0;
        ssize_t r;
        while ((r = read(c, buf + have, sizeof buf - have)) > 0) {
            have += (size_t)r;
            char *last = memrchr(buf, '\n', have);
            if (!last) {
                if (have == sizeof buf)
                    have = 0;
                continue;
            }
            size_t used = (size_t)(last - buf) + 1;
            serve_bytes(c, buf, used);
            memmove(buf, buf + used, have - used);
            have -= used;
        }
        close(c);
    }
}

#if defined(STDIN_STYLE)
int main(void)
{
    startup();
    __AFL_INIT();
    char buf[4096];
    ssize_t n = read(0, buf, sizeof buf);
    if (n > 0)
        serve_bytes(1, buf, (size_t)n);
    return 0;
}
#elif defined(AFLNET_STYLE)
int main(int argc, char **argv)
{
    int port = argc > 2 ? atoi(argv[2]) : 7200;
    char in[4096];
    FILE *f = fopen(argv[1], "rb");
    size_t n = f ? fread(in, 1, sizeof in, f) : 0;
    if (f)
        fclose(f);
    pid_t srv = fork();
    if (srv == 0) {
        startup();
        serve_forever(listen_on(port));
    }
    int c = -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int tries = 0; tries < 10000; tries++) { /* the server starts meanwhile */
        c = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&a, sizeof a) == 0)
            break;
        close(c);
        c = -1;
        usleep(100);
    }
    if (c >= 0) {
        if (write(c, in, n) < 0)
            n = 0;
        shutdown(c, SHUT_WR);
        struct pollfd p = {c, POLLIN, 0};
        char sink[4096];
        while (poll(&p, 1, 1) > 0 && read(c, sink, sizeof sink) > 0)
            ;
        close(c);
    }
    kill(srv, SIGKILL);
    waitpid(srv, NULL, 0);
    return 0;
}
#else
int main(int argc, char **argv)
{
    startup();
    serve_forever(listen_on(argc > 1 ? atoi(argv[1]) : 7200));
}
#endif
