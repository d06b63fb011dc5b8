/*
 * fuzz_replay_load.c — a trace as the replay world's constructor reads it
 * (srr_world_replay: replay/world/load.c's first pass over the mapped
 * trace with the in-place scanner, the header through the trace reader):
 * the world is built, asked what the program left unplayed (which walks
 * every recorded socket) and whether it was used, and destroyed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sockrr/worlds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file in;
    fuzz_file_init(&in, "trace");
    const char *path = fuzz_file_set(&in, data, size);

    char msg[512] = "";
    srr_replay_options opts = {.name = "fuzz"};
    srr_world *w = srr_world_replay(path, &opts, msg, sizeof msg);
    if (!w) {
        if (!msg[0]) {
            fprintf(stderr, "fuzz_replay_load: a refusal without a message\n");
            abort();
        }
        return 0;
    }
    char report[4096];
    int left = srr_replay_leftover(w, report, sizeof report);
    if (left < 0 || srr_replay_used(w) != 0) {
        fprintf(stderr, "fuzz_replay_load: a new world says %d left, used %d\n", left,
                srr_replay_used(w));
        abort();
    }
    srr_world_destroy(w);
    return 0;
}
