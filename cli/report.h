/*
 * report.h - the statistics of a replay as JSON (the stats file that
 * README "Memory classes and statistics" describes) and as text for people.
 */
#ifndef HG_CLI_REPORT_H
#define HG_CLI_REPORT_H

#include <stdio.h>

#include "hg_core.h"
#include "json.h"
#include "replay.h"

/*
 * The format version of every JSON document heapgrow writes (the stats
 * file, and the JSON of compare, diff and platforms), its "heapgrow" key;
 * share/doc/stats-format.md says what each version changed and
 * share/schema/heapgrow.schema.json describes them. Version 2 gave the
 * documents one shape: a "kind", the statistics table's names in compare,
 * the same "trace", "at" and "config" objects in each.
 */
#define HG_JSON_FORMAT 2

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

/*
 * name is the trace's name, or NULL when it has none. lane, when not NULL,
 * is the replay's lane of st: its figures at every mark ("marks") and the
 * fidelity of recorded addresses ("fidelity"); without it "marks" is
 * empty and "fidelity" null. at is NULL for the statistics at the end.
 */
void hg_report_json(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st, struct hg_replay_lane *lane,
		    const struct hg_report_at *at);
void hg_report_text(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st, struct hg_replay_lane *lane,
		    const struct hg_report_at *at);

/*
 * The pieces every JSON document shares, for the commands that write
 * one: the header ("heapgrow": HG_JSON_FORMAT, "kind": kind), the
 * "config" object (every key; the object layer's keys only when
 * object_ops), "at" (--at: the event, the mark or null), and a replay's
 * figures: "final", "peak", the one-per-run figures, "size_classes",
 * "marks", "fidelity" and "oom", as hg_report_json writes them.
 */
void hg_report_json_header(struct hg_json *j, const char *kind);
void hg_report_json_config(struct hg_json *j, const struct hg_config *cfg,
			   bool object_ops);
void hg_report_json_at(struct hg_json *j, uint64_t event, const char *mark);
void hg_report_json_run(struct hg_json *j, const struct hg_stats *st,
			struct hg_replay_lane *lane);

#endif /* HG_CLI_REPORT_H */
