/*
 * line_error.h — why a trace line is not JSON, in the words sockrr has
 * always used for it.  Trace lines were read with jansson, and its messages
 * ("string or '}' expected near end of file", "duplicate object key near
 * '\"ret\"'") and columns are what `sockrr check` prints, what the invalid
 * fixtures hold and what scripts may match.  The tree reader (json.h) now
 * reads the lines; when it refuses one, this retells the refusal as jansson
 * would have.  It reads only lines already refused, so it is never on the
 * path of a valid trace.
 */
#ifndef SOCKRR_LINE_ERROR_H
#define SOCKRR_LINE_ERROR_H

#include <stddef.h>

/* jansson's message for text[0, len) read as one object or array, and its
 * column: 1 with msg and *column set, or 0 when jansson would have taken
 * the text (nested deeper than the tree reader allows, say).  dup_column
 * is where the tree reader found a repeated key (the key's opening quote),
 * or 0: the two compare keys alike, so the first repeat is the same one. */
int srr__line_error(const char *text, size_t len, int dup_column, char *msg, size_t msglen,
                    int *column);

#endif
