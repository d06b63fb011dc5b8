/*
 * exit_status.h — every exit status sockrr gives, defined once: the CLI's
 * own, and those a world's verdict gives a program run under it (the
 * preload ends the program with them; the CLI's --help texts name them).
 */
#ifndef SOCKRR_EXIT_STATUS_H
#define SOCKRR_EXIT_STATUS_H

enum srr_exit_status {
    SRR_EXIT_OK = 0,
    SRR_EXIT_FAIL = 1,          /* the input is bad or the work failed */
    SRR_EXIT_USAGE = 2,         /* a usage error */
    SRR_EXIT_DIVERGED = 86,     /* replay: the program left the recording */
    SRR_EXIT_UNPLAYED = 87,     /* replay, strict: recorded connections not played out */
    SRR_EXIT_STUCK = 88,        /* sim, replay: the run stopped moving (every thread
                                 * waits, nothing is due); a report says who waits on what */
    SRR_EXIT_NO_WAIT = 89,      /* fuzz: the program ended without waiting for input */
    SRR_EXIT_NO_FORK = 90,      /* fuzz: the forkserver cannot start where the program
                                 * first waits (it runs threads there) */
    SRR_EXIT_CANNOT_RUN = 126,  /* CMD cannot be run (permission, static) */
    SRR_EXIT_NOT_FOUND = 127,   /* CMD not found, or its world cannot be made */
};

#endif
