/*
 * fuzz_sim_config.c — a sim network's config (docs/sim-config.md) as
 * `sockrr sim --net`, `sockrr check` and srr_world_sim read it: the
 * parser and validator (lib/worlds/sim/sim_config.c, config_*.c, over the
 * JSON reader json.c), then, for a config it takes, the sim world built on
 * it and destroyed, with each host's addresses asked for.
 *
 * A config that plays a trace as a service is not built: the world would
 * open whatever file the fuzzer named (stdin among them) and wait on it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_config.h"
#include "sockrr/worlds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srr_parse_error err;
    memset(&err, 0, sizeof err);
    sim_config *c = srr__sim_config_parse((const char *)data, size, "fuzz", &err);
    if (!c) {
        char line[1024];
        srr__parse_error_format(&err, line, sizeof line);
        if (!err.text[0]) {
            fprintf(stderr, "fuzz_sim_config: a refusal without a message: %s\n", line);
            abort();
        }
        return 0;
    }
    int plays_trace = 0;
    for (size_t i = 0; i < c->nservices; i++)
        plays_trace |= c->services[i].trace != NULL;
    /* the world takes text, not a length: a NUL inside ends it early, and
     * then it is another config */
    int text = memchr(data, '\0', size) == NULL;
    if (!plays_trace && text) {
        char *json = strndup((const char *)data, size);
        char msg[512];
        srr_world *w = json ? srr_world_sim_string(json, msg, sizeof msg) : NULL;
        if (json && !w) {
            fprintf(stderr, "fuzz_sim_config: the parser took a config the world refuses: %s\n",
                    msg);
            abort();
        }
        for (size_t i = 0; w && i < c->nhosts; i++) {
            struct sockaddr_storage addrs[4];
            srr_sim_addrs q = {.name = c->hosts[i].name, .out = addrs, .max = 4};
            if (srr_sim_addrs_of(w, &q) < 0 || !q.named) {
                fprintf(stderr, "fuzz_sim_config: host %s has no addresses in its world\n",
                        c->hosts[i].name);
                abort();
            }
        }
        srr_world_destroy(w);
        free(json);
    }
    srr__sim_config_free(c);
    return 0;
}
