/*
 * args.c — what the verbs share in reading their arguments (args.h).
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "out_file.h"

/* "-" as the file behind it, so a redirection to the input is caught too. */
static const char *args_real(const cli_file *f)
{
    if (strcmp(f->path, "-") != 0)
        return f->path;
    return f->out ? "/dev/stdout" : "/dev/stdin";
}

int cli_files_distinct(const char *verb, const cli_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!files[i].out || !files[i].path)
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j == i || !files[j].path || (files[j].out && j > i))
                continue; /* two outputs: said once */
            if (srr__same_file(args_real(&files[i]), args_real(&files[j]))) {
                fprintf(stderr, "sockrr %s: %s is both %s and %s: nothing written\n", verb,
                        files[i].path, files[j].role, files[i].role);
                return SRR_EXIT_USAGE;
            }
        }
    }
    return 0;
}
