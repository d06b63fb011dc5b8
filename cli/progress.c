/*
 * progress.c — the progress line of long jobs (progress.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void cli_progress_start(cli_progress *p, const char *verb, const char *name, const char *path)
{
    memset(p, 0, sizeof *p);
    const char *env = getenv("SOCKRR_PROGRESS");
    p->on = isatty(2) && !(env && !strcmp(env, "0"));
    if (!p->on)
        return;
    p->at_once = env && !strcmp(env, "1");
    struct stat st;
    if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
        p->total = (uint64_t)st.st_size;
    snprintf(p->label, sizeof p->label, "sockrr %s: %s", verb, name ? name : path);
    p->start_ns = p->last_ns = now_ns();
}

static void size(char *buf, size_t len, double bytes)
{
    const char *unit[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000 && u < 4) {
        bytes /= 1000;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

void cli_progress_update(cli_progress *p, uint64_t done)
{
    if (!p->on)
        return;
    int64_t now = now_ns();
    if (!(p->at_once && !p->shown) &&
        (now - p->last_ns < 250000000 || now - p->start_ns < 1000000000))
        return; /* a short job shows nothing */
    p->last_ns = now;
    char d[32], t[32], r[32];
    size(d, sizeof d, (double)done);
    size(r, sizeof r, (double)done / ((double)(now - p->start_ns + 1) / 1e9));
    if (p->total) {
        size(t, sizeof t, (double)p->total);
        fprintf(stderr, "\r%s %3.0f%% (%s of %s, %s/s)\033[K", p->label,
                100.0 * (double)done / (double)p->total, d, t, r);
    } else {
        fprintf(stderr, "\r%s %s (%s/s)\033[K", p->label, d, r);
    }
    p->shown = 1;
}

void cli_progress_end(cli_progress *p)
{
    if (p->on && p->shown)
        fputs("\r\033[K", stderr);
    p->shown = 0;
}
