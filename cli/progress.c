/*
 * progress.c - the progress line of a long replay on a terminal.
 */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The clock is read every this many events. */
#define PROGRESS_EVERY 8192u

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int progress_event(void *ctx, struct hg_replay *rp,
			  const struct hg_replay_event *ev)
{
	struct hg_progress *p = ctx;
	uint64_t n = ev->index + 1, done, total;
	char read[48] = "";

	if (ev->lane != 0 || n % PROGRESS_EVERY)
		return 0;
	double t = now();
	if (t - p->start < 1.0 || t - p->last < 0.25)
		return 0;
	p->last = t;
	hg_replay_progress(rp, &done, &total);
	if (total)
		snprintf(read, sizeof(read), ", %.0f%% of the input read",
			 100.0 * (double)done / (double)total);
	else if (done)
		snprintf(read, sizeof(read), ", %.1f MiB read",
			 (double)done / (1024.0 * 1024.0));
	fprintf(stderr,
		"\rheapgrow: %" PRIu64 " events, %.2f M events/s%s\033[K", n,
		(double)n / (t - p->start) / 1e6, read);
	fflush(stderr);
	p->shown = true;
	return 0;
}

int hg_progress_attach(struct hg_progress *p, struct hg_replay *rp, bool quiet)
{
	memset(p, 0, sizeof(*p));
	if (quiet || !isatty(STDERR_FILENO))
		return HG_REPLAY_OK;
	p->start = now();
	struct hg_observer o = { p, progress_event, NULL };
	return hg_replay_observe(rp, &o);
}

void hg_progress_end(struct hg_progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}
