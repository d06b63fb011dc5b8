/*
 * leftovers.c — the processes a run under sim or replay leaves behind end
 * with it.  Their network is a world inside them: with sockrr gone nothing
 * ends them, and a server in a world no one connects to runs (and spins on
 * its own timers) forever.  sockrr becomes the reaper of everything CMD
 * starts (PR_SET_CHILD_SUBREAPER), so orphans come to it; when CMD has
 * ended, what is still running gets SIGTERM, a moment, then SIGKILL, and
 * the user hears which.  A recorded run leaves its daemons alone: they are
 * real, as they would be without sockrr.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define LEFTOVERS_MAX 64
#define LEFTOVERS_GRACE_MS 500

int cli_leftovers_adopt(void)
{
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

/* The children of this process (orphans come here too), with their names;
 * how many. */
static int leftovers_list(pid_t *pids, char names[][32], int max)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int n = 0;
    pid_t me = getpid();
    struct dirent *e;
    while (n < max && (e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces and parens */
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        char state;
        long ppid;
        if (!open || !close || sscanf(close + 1, " %c %ld", &state, &ppid) != 2 || ppid != me ||
            state == 'Z')
            continue;
        pids[n] = (pid_t)pid;
        snprintf(names[n], sizeof names[n], "%.*s", (int)(close - open - 1), open + 1);
        n++;
    }
    closedir(d);
    return n;
}

static void leftovers_reap(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* Sends sig to each listed process not sent it yet (done holds those). */
static void leftovers_signal(const pid_t *pids, int n, int sig, pid_t *done, int *ndone)
{
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int k = 0; k < *ndone && !seen; k++)
            seen = done[k] == pids[i];
        if (seen)
            continue;
        kill(pids[i], sig);
        if (*ndone < 4 * LEFTOVERS_MAX)
            done[(*ndone)++] = pids[i];
    }
}

void cli_leftovers_end(const char *verb)
{
    pid_t pids[LEFTOVERS_MAX], termed[4 * LEFTOVERS_MAX];
    char names[LEFTOVERS_MAX][32];
    int ntermed = 0;
    leftovers_reap();
    int n = leftovers_list(pids, names, LEFTOVERS_MAX);
    if (n == 0)
        return;
    char said[512];
    size_t o = 0;
    for (int i = 0; i < n && o < sizeof said; i++)
        o += (size_t)snprintf(said + o, sizeof said - o, "%s%d (%s)", i ? ", " : "",
                              (int)pids[i], names[i]);
    fprintf(stderr, "sockrr %s: CMD ended; ending the %d process%s it left running: %s\n", verb,
            n, n == 1 ? "" : "es", said);
    /* SIGTERM first, also to the children of those that go (they become
     * ours); SIGKILL for what is left after the grace */
    for (int waited = 0; n > 0 && waited < LEFTOVERS_GRACE_MS; waited += 10) {
        leftovers_signal(pids, n, SIGTERM, termed, &ntermed);
        struct timespec ms = {0, 10000000};
        nanosleep(&ms, NULL);
        leftovers_reap();
        n = leftovers_list(pids, names, LEFTOVERS_MAX);
    }
    for (int round = 0; n > 0 && round < 100; round++) {
        for (int i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        struct timespec ms = {0, 10000000};
        nanosleep(&ms, NULL);
        leftovers_reap();
        n = leftovers_list(pids, names, LEFTOVERS_MAX);
    }
    for (int i = 0; i < n; i++) /* in the kernel, unkillable: said, not hidden */
        fprintf(stderr, "sockrr %s: process %d (%s) did not end after SIGKILL\n", verb,
                (int)pids[i], names[i]);
}
