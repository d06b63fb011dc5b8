/*
 * progress.h — a progress line on a terminal for jobs that read a big
 * input (convert, check, replay's first pass): how much is done, of how
 * much, how fast.  Only when stderr is a terminal, and only once a job has
 * run a second; SOCKRR_PROGRESS=0 turns it off, SOCKRR_PROGRESS=1 shows it
 * from the first update (still only on a terminal).  It rewrites one line and
 * clears it at the end, so what the job says after it stands alone.
 */
#ifndef SOCKRR_CLI_PROGRESS_H
#define SOCKRR_CLI_PROGRESS_H

#include <stdint.h>

typedef struct cli_progress {
    char label[96];   /* "sockrr convert: run.jsonl" */
    uint64_t total;   /* bytes; 0 when unknown (a pipe) */
    int on;
    int shown;        /* a line is on the terminal */
    int at_once;      /* SOCKRR_PROGRESS=1 */
    int64_t start_ns, last_ns;
} cli_progress;

/* Starts p for a job over the file at path (its size is the total). */
void cli_progress_start(cli_progress *p, const char *verb, const char *name, const char *path);
/* done bytes so far; drawn at most four times a second. */
void cli_progress_update(cli_progress *p, uint64_t done);
void cli_progress_end(cli_progress *p);

#endif
