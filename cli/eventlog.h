/*
 * eventlog.h - the --log observer: one JSON object per event (JSON Lines),
 * formatted into a large buffer and written in blocks.
 */
#ifndef HG_CLI_EVENTLOG_H
#define HG_CLI_EVENTLOG_H

#include <stdbool.h>
#include <stdio.h>

#include "replay.h"

#define HG_EVENTLOG_BUF (256u * 1024u)

struct hg_eventlog_kind;

struct hg_eventlog {
	FILE *f;
	char *buf;
	struct hg_eventlog_kind *kinds; /* per op kind, made by attach */
	size_t len;
	uint64_t index_of; /* the last event's index */
	char index[24];    /* its digits (index_len; 0: none yet) */
	unsigned index_len;
	bool failed; /* a write failed */
	int error;   /* its errno (0: unknown) */
};

/* hg_eventlog_observer attaches a log writing to f (which stays the
 * caller's) to rp. Returns a replay status. */
int hg_eventlog_attach(struct hg_eventlog *lg, FILE *f, struct hg_replay *rp);

/* hg_eventlog_flush writes what is buffered; returns 0 or -1 after a
 * write error. hg_eventlog_release frees the buffer. */
int hg_eventlog_flush(struct hg_eventlog *lg);
void hg_eventlog_release(struct hg_eventlog *lg);

#endif /* HG_CLI_EVENTLOG_H */
