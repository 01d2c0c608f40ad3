/*
 * progress.h - the progress line of a long replay on a terminal: events,
 * events per second and how much of the input was read, redrawn in place
 * on standard error. Only when standard error is a terminal, never with
 * -q, and only once the replay has run for a second.
 */
#ifndef HG_CLI_PROGRESS_H
#define HG_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "replay.h"

struct hg_progress {
	double start, last; /* seconds (monotonic clock) */
	bool shown;         /* a line is on the terminal */
};

/* hg_progress_attach attaches the progress line to rp when standard error
 * is a terminal and quiet is false. Returns a replay status. */
int hg_progress_attach(struct hg_progress *p, struct hg_replay *rp, bool quiet);

/* hg_progress_end erases the line, if one is shown. */
void hg_progress_end(struct hg_progress *p);

#endif /* HG_CLI_PROGRESS_H */
