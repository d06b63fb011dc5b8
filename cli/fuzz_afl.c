/*
 * fuzz_afl.c — a fuzzing campaign: afl-fuzz runs CMD with the interposer
 * (AFL_PRELOAD) in the fuzz world, each test case read from the file
 * afl-fuzz writes it to (-f).  Everything that can be wrong is found before
 * afl-fuzz starts, and said in one line: afl-fuzz missing, CMD static or
 * not instrumented, seeds that are not test cases, a CMD that never waits
 * for input or never ends (a dry run of the first seed).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "capture.h"
#include "cli.h"
#include "elf_check.h"
#include "fuzz_cli.h"
#include "grow.h"
#include "launch.h"
#include "sockrr/fuzz.h"

#define FUZZ_MAX_JOBS 64
#define FUZZ_DRY_RUN_S 10

typedef struct campaign {
    launch_opts o;
    const char *seeds, *out;
    char **afl;          /* the user's options for afl-fuzz */
    int nafl;
    unsigned jobs;
    int dict;
    char **seed_files;   /* the seeds, sorted */
    size_t nseeds, capseeds;
} campaign;

static int fail(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "sockrr fuzz: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return SRR_EXIT_FAIL;
}

static int afl_has_opt(const campaign *c, const char *opt)
{
    for (int i = 0; i < c->nafl; i++)
        if (strcmp(c->afl[i], opt) == 0)
            return 1;
    return 0;
}

/* 1 when the file holds needle. */
static int file_holds(const char *path, const char *needle)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return 0;
    int found = memmem(m, (size_t)st.st_size, needle, strlen(needle)) != NULL;
    munmap(m, (size_t)st.st_size);
    return found;
}

static int seed_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The seeds: regular files, none a trace or a capture by mistake. */
static int campaign_seeds(campaign *c)
{
    DIR *d = opendir(c->seeds);
    if (!d)
        return fail("%s: %s (the seeds: a folder of test cases, from sockrr fuzz seeds)",
                    c->seeds, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path;
        if (asprintf(&path, "%s/%s", c->seeds, e->d_name) < 0) {
            rc = fail("%s%s", strerror(ENOMEM), "");
            break;
        }
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        char head[16] = "";
        FILE *f = fopen(path, "re");
        if (f) {
            (void)!fread(head, 1, sizeof head - 1, f);
            fclose(f);
        }
        int capture = srr__capture_sniff(path) == 1;
        if (capture || strncmp(head, "{\"type\":", 8) == 0) {
            rc = fail("%s is a %s, not a test case: make test cases of it with sockrr fuzz "
                      "seeds FILE -o DIR",
                      path, capture ? "capture" : "trace");
            free(path);
            break;
        }
        if (srr__grow((void **)&c->seed_files, &c->capseeds, c->nseeds + 1,
                      sizeof *c->seed_files) < 0) {
            free(path);
            rc = fail("%s%s", strerror(ENOMEM), "");
            break;
        }
        c->seed_files[c->nseeds++] = path;
    }
    closedir(d);
    if (!rc && !c->nseeds)
        rc = fail("%s holds no test case: make some with sockrr fuzz seeds TRACE -o %s", c->seeds,
                  c->seeds);
    if (!rc)
        qsort(c->seed_files, c->nseeds, sizeof *c->seed_files, seed_cmp);
    return rc;
}

/* What is checked of CMD and afl-fuzz before anything runs. */
static int campaign_check(campaign *c, char *afl, size_t afl_len)
{
    if (cli_launch_find("afl-fuzz", afl, afl_len) < 0)
        return fail("afl-fuzz is not in PATH: install AFL++ (Debian: apt-get install afl++)%s%s",
                    "", "");
    char cmd[PATH_MAX];
    int r = cli_launch_find(c->o.cmd[0], cmd, sizeof cmd);
    if (r < 0)
        return fail("%s: %s", c->o.cmd[0], r == -EACCES ? "permission denied" : "command not found");
    if (cli_elf_is_static(cmd))
        return fail("%s is statically linked: the fuzz world reaches a program through "
                    "LD_PRELOAD, which a static program never loads; link it dynamically%s",
                    cmd, "");
    /* blind (-n) or QEMU (-Q): no forkserver of the program's own to defer */
    if (afl_has_opt(c, "-n") || afl_has_opt(c, "-Q"))
        c->o.fuzz_defer = 0;
    else if (!file_holds(cmd, "__AFL_SHM_ID"))
        return fail("%s is not instrumented for AFL++: build it with afl-clang-fast (e.g. "
                    "CC=afl-clang-fast), or fuzz it without coverage, as AFL++'s -n mode does: "
                    "sockrr fuzz ... --afl -n -- %s",
                    cmd, c->o.cmd[0]);
    return campaign_seeds(c);
}

/* The first seed, once, with no fuzzer: CMD must wait for input and end. */
static int campaign_dry_run(campaign *c)
{
    int rc = cli_fuzz_play(&c->o, c->seed_files[0], NULL, 1, FUZZ_DRY_RUN_S);
    const char *cmd = c->o.cmd[0];
    switch (rc) {
    case -1:
        return fail("%s did not end its first test case (%s) within 10 s of real time: it "
                    "never waits for input (a busy loop?), or waits on something the fuzz "
                    "world does not see; run it with sockrr fuzz run to look",
                    cmd, c->seed_files[0]);
    case SRR_EXIT_NO_WAIT:
        return fail("%s ended before it waited for input (first test case %s): the fuzz "
                    "world has nothing to give a program that does not read from the "
                    "network; sockrr fuzz run shows what it does",
                    cmd, c->seed_files[0]);
    case SRR_EXIT_NO_FORK:
        return fail("%s starts threads before it first waits for input: AFL++'s forkserver "
                    "cannot start there; run sockrr fuzz with --no-defer%s",
                    cmd, "");
    case SRR_EXIT_NOT_FOUND:
    case SRR_EXIT_CANNOT_RUN:
        return fail("%s cannot be run under the fuzz world: sockrr fuzz run %s -- CMD says "
                    "why",
                    cmd, c->seed_files[0]);
    default:
        if (rc > 128)
            fprintf(stderr, "sockrr fuzz: warning: the first test case (%s) crashes %s (signal "
                            "%d): afl-fuzz refuses crashing seeds\n",
                    c->seed_files[0], cmd, rc - 128);
        return 0;
    }
}

/* The environment of every afl-fuzz, and of the CMD it runs (each
 * instance then names its own test case file). */
static int campaign_env(campaign *c, const char *preload)
{
    launch_opts o = c->o;
    o.afl = 1;
    if (cli_launch_setenv(preload, &o, NULL, NULL) < 0)
        return fail("cannot set the environment: %s%s", strerror(errno), "");
    /* what afl-fuzz otherwise stops on, on machines it does not tune */
    setenv("AFL_SKIP_CPUFREQ", "1", 0);
    /* ASAN_OPTIONS of the user's (a sanitizer's runtime in LD_PRELOAD):
     * afl-fuzz refuses them unless a report aborts and does not symbolize */
    const char *asan = getenv("ASAN_OPTIONS");
    if (asan && *asan) {
        char *more;
        if (asprintf(&more, "%s%s%s", asan,
                     strstr(asan, "abort_on_error=1") ? "" : ":abort_on_error=1",
                     strstr(asan, "symbolize=0") ? "" : ":symbolize=0") < 0)
            return fail("%s%s", strerror(ENOMEM), "");
        setenv("ASAN_OPTIONS", more, 1);
        free(more);
    }
    char pattern[16] = "";
    FILE *f = fopen("/proc/sys/kernel/core_pattern", "re");
    if (f) {
        (void)!fgets(pattern, sizeof pattern, f);
        fclose(f);
    }
    if (pattern[0] == '|')
        setenv("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1", 0);
    return 0;
}

/* Starts instance k of the campaign: its pid, or -1. */
static pid_t campaign_start(campaign *c, const char *afl, unsigned k, const char *dict)
{
    char name[16], input[PATH_MAX], log[PATH_MAX];
    if (c->jobs > 1)
        snprintf(name, sizeof name, k == 0 ? "main" : "s%u", k + 1);
    else
        snprintf(name, sizeof name, "default");
    snprintf(input, sizeof input, "%s/.sockrr-input-%s", c->out, name);
    snprintf(log, sizeof log, "%s/%s.log", c->out, name);
    char **argv = calloc((size_t)c->nafl + 32, sizeof *argv);
    if (!argv)
        return -1;
    int n = 0;
    argv[n++] = (char *)afl;
    argv[n++] = "-i";
    argv[n++] = (char *)c->seeds;
    argv[n++] = "-o";
    argv[n++] = (char *)c->out;
    argv[n++] = "-f";
    argv[n++] = input;
    if (c->jobs > 1) {
        argv[n++] = k == 0 ? "-M" : "-S";
        argv[n++] = name;
    }
    if (dict && !afl_has_opt(c, "-x")) {
        argv[n++] = "-x";
        argv[n++] = (char *)dict;
    }
    for (int i = 0; i < c->nafl; i++)
        argv[n++] = c->afl[i];
    argv[n++] = "--";
    for (char **p = c->o.cmd; *p; p++) {
        char **grown = realloc(argv, (size_t)(n + 2) * sizeof *argv);
        if (!grown) {
            free(argv);
            return -1;
        }
        argv = grown;
        argv[n++] = *p;
    }
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("SOCKRR_FUZZ_INPUT", input, 1);
        if (k > 0) { /* one screen: the secondaries write to logs */
            setenv("AFL_NO_UI", "1", 1);
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        signal(SIGINT, SIG_DFL);
        unsetenv("LD_PRELOAD"); /* it is in AFL_PRELOAD, for the target alone */
        execv(afl, argv);
        fprintf(stderr, "sockrr fuzz: %s: %s\n", afl, strerror(errno));
        _exit(SRR_EXIT_NOT_FOUND);
    }
    free(argv);
    return pid;
}

static int campaign_run(campaign *c)
{
    char afl[PATH_MAX], preload[PATH_MAX], outabs[PATH_MAX], dict[PATH_MAX * 2] = "";
    int rc = campaign_check(c, afl, sizeof afl);
    if (rc)
        return rc;
    if (cli_launch_preload(preload, sizeof preload) < 0)
        return fail("cannot find the interposer libsockrr-preload.so%s%s", "", "");
    rc = cli_fuzz_net(&c->o); /* a bad --net is said before anything runs */
    if (rc)
        return rc;
    srr_world_destroy(c->o.clock);
    c->o.clock = NULL;
    if (mkdir(c->out, 0700) < 0 && errno != EEXIST)
        return fail("%s: %s", c->out, strerror(errno));
    if (!realpath(c->out, outabs))
        return fail("%s: %s", c->out, strerror(errno));
    c->out = outabs; /* afl-fuzz's, and each instance's test case file in it */
    rc = campaign_dry_run(c);
    if (rc)
        return rc;
    if (c->dict) {
        snprintf(dict, sizeof dict, "%s/sockrr.dict", outabs);
        rc = cli_fuzz_dict((const char *const *)c->seed_files, c->nseeds, dict);
        if (rc)
            return rc;
    }
    rc = campaign_env(c, preload);
    if (rc)
        return rc;
    /* ^C reaches afl-fuzz (one process group): sockrr stays to trace what
     * it found */
    signal(SIGINT, SIG_IGN);
    pid_t pids[FUZZ_MAX_JOBS];
    for (unsigned k = 0; k < c->jobs; k++) {
        if ((pids[k] = campaign_start(c, afl, k, dict[0] ? dict : NULL)) >= 0)
            continue;
        int e = errno;
        for (unsigned j = 0; j < k; j++) { /* none is left running */
            kill(pids[j], SIGINT);
            waitpid(pids[j], NULL, 0);
        }
        signal(SIGINT, SIG_DFL);
        return fail("cannot start afl-fuzz: %s%s", strerror(e), "");
    }
    int main_status = 0;
    for (unsigned k = 0; k < c->jobs; k++) {
        int st = 0;
        while (waitpid(pids[k], &st, 0) < 0 && errno == EINTR)
            ;
        if (k == 0)
            main_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (k == 0) /* the main one ended: so do the others */
            for (unsigned j = 1; j < c->jobs; j++)
                kill(pids[j], SIGINT);
    }
    signal(SIGINT, SIG_DFL);
    int trc = cli_fuzz_traces(&c->o, outabs);
    return main_status ? main_status : trc;
}

static int campaign_own(void *ctx, int argc, char **argv, int *i)
{
    campaign *c = ctx;
    const char *a = argv[*i];
    if (strcmp(a, "-i") == 0) {
        c->seeds = cli_option_value("fuzz", argc, argv, i, "-i", "a folder of seeds");
        return c->seeds ? CLI_OWN_TAKEN : -SRR_EXIT_USAGE;
    } else if (cli_is_output(a)) { /* a folder here, not a trace */
        c->out = cli_output_value("fuzz", argc, argv, i);
        return c->out ? CLI_OWN_TAKEN : -SRR_EXIT_USAGE;
    } else if (strcmp(a, "--persistent") == 0) {
        c->o.fuzz_persistent = "1000";
    } else if (strncmp(a, "--persistent=", 13) == 0) {
        uint64_t n;
        int rc = cli_number("fuzz", "--persistent", a + 13, 1, UINT32_MAX, &n);
        if (rc)
            return -rc;
        c->o.fuzz_persistent = a + 13;
    } else if (strcmp(a, "--no-defer") == 0) {
        c->o.fuzz_defer = 0;
    } else if (strcmp(a, "--no-dict") == 0) {
        c->dict = 0;
    } else if (cli_option_is(a, "-j")) {
        uint64_t n;
        int rc = cli_option_number("fuzz", argc, argv, i, "-j", "a number of instances", 1,
                                   FUZZ_MAX_JOBS, &n);
        if (rc)
            return -rc;
        c->jobs = (unsigned)n;
    } else if (strcmp(a, "--afl") == 0) {
        /* afl-fuzz's options up to their own --; CMD may follow at once, a
         * word that ends the options */
        c->afl = argv + *i + 1;
        while (*i + 1 < argc && strcmp(argv[*i + 1], "--") != 0)
            ++*i, c->nafl++;
        if (*i + 1 >= argc)
            return -cli_usage_error("fuzz", "--afl's options end with --, before -- CMD", "");
        ++*i;
    } else {
        return CLI_OWN_NOT;
    }
    return CLI_OWN_TAKEN;
}

int cli_fuzz_campaign(int argc, char **argv)
{
    campaign c = {.o = {.verb = "fuzz", .mode = LAUNCH_FUZZ, .payload_cap = -1, .fuzz_defer = 1},
                  .jobs = 1, .dict = 1};
    char net[PATH_MAX];
    cli_args spec = {.verb = "fuzz", .synopsis = "sockrr fuzz -i SEEDS -o OUT -- CMD",
                     .usage = cli_fuzz_usage, .common = CLI_ARG_NET, .word_ends = 1,
                     .own = campaign_own, .ctx = &c};
    int i = cli_launch_args(&spec, argc, argv, &c.o);
    if (i <= 0)
        return -i;
    if (!c.seeds || !c.out)
        return cli_usage_error("fuzz", "a campaign needs -i SEEDS and -o OUT", "");
    c.o.cmd = argv + i;
    if (c.o.net && realpath(c.o.net, net))
        c.o.net = net;
    int rc = campaign_run(&c);
    for (size_t k = 0; k < c.nseeds; k++)
        free(c.seed_files[k]);
    free(c.seed_files);
    return rc;
}
