/*
 * report.h - the statistics of a replay as JSON (the stats file that
 * README "Memory classes and statistics" describes) and as text for people.
 */
#ifndef HG_CLI_REPORT_H
#define HG_CLI_REPORT_H

#include <stdio.h>

#include "hg_core.h"
#include "replay.h"

/*
 * name is the trace's name, or NULL when it has none. lane, when not NULL,
 * is the replay's lane of st: its figures at every mark ("marks") and the
 * fidelity of recorded addresses ("fidelity"); without it "marks" is
 * empty and "fidelity" null.
 */
/*
 * --at: st holds the statistics after event `event` (at mark `mark`, or
 * NULL for an event index) and is reported as "final" and "peak" (the
 * peak up to then); `events` is the whole replay's count of events.
 */
struct hg_report_at {
	uint64_t event;
	const char *mark;
	uint64_t events;
};

/* at is NULL for the statistics at the end. */
void hg_report_json(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st, struct hg_replay_lane *lane,
		    const struct hg_report_at *at);
void hg_report_text(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st, struct hg_replay_lane *lane,
		    const struct hg_report_at *at);

#endif /* HG_CLI_REPORT_H */
