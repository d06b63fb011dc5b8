/* busy.c — the per-thread marker of busy.h. */
#include "busy.h"

__thread int srr__busy;
