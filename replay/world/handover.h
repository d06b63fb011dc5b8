/*
 * handover.h — what `sockrr replay` hands the program's preload library
 * beyond the public options: the index its check of the trace leaves
 * (index.c), so the program does not read every line again.
 */
#ifndef SOCKRR_REPLAY_HANDOVER_H
#define SOCKRR_REPLAY_HANDOVER_H

#include <stddef.h>

#include "sockrr/worlds.h"

/* srr_world_replay, and: the CLI's world writes what its check of the trace
 * found to index_out; the program's reads index_in instead of checking the
 * trace again (ignored when it is not for this trace).  Either may be NULL. */
srr_world *srr__world_replay_handover(const char *trace_path, const srr_replay_options *opts,
                                     const char *index_in, const char *index_out, char *errbuf,
                                     size_t errlen);

#endif
