/*
 * report.c - stats JSON and the text report.
 */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static bool same_group(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * json_stats writes the statistics table's rows kept in where (peak: the
 * peak figures), each group's rows as one object.
 */
static void json_stats(struct hg_json *j, const struct hg_stats *st,
		       enum hg_stat_where where, bool peak)
{
	const char *open = NULL;

	for (const struct hg_stat_spec *s = hg_stat_specs; s->name; s++) {
		if (s->where != where || !hg_stat_present(s, st))
			continue;
		if (!same_group(open, s->group)) {
			if (open)
				hg_json_end_object(j);
			open = s->group;
			if (open)
				hg_json_begin_object(j, open);
		}
		hg_json_u64(j, s->name, hg_stat_value(s, st, peak));
	}
	if (open)
		hg_json_end_object(j);
}

void hg_report_json(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st)
{
	struct hg_json j;
	char buf[256];

	hg_json_init(&j, f, true);
	hg_json_begin_object(&j, NULL);
	hg_json_u64(&j, "heapgrow", 1);
	hg_json_begin_object(&j, "trace");
	if (name)
		hg_json_str(&j, "name", name);
	else
		hg_json_null(&j, "name");
	hg_json_u64(&j, "events", st->events);
	hg_json_end_object(&j);

	hg_json_begin_object(&j, "config");
	for (const char *const *k = hg_config_keys; *k; k++) {
		if (hg_config_get(cfg, *k, buf, sizeof(buf)) != 0)
			continue;
		hg_json_value(&j, *k, buf, hg_config_is_string(*k));
	}
	hg_json_end_object(&j);

	hg_json_begin_object(&j, "final");
	json_stats(&j, st, HG_STAT_FIGURES, false);
	hg_json_end_object(&j);
	hg_json_begin_object(&j, "peak");
	json_stats(&j, st, HG_STAT_FIGURES, true);
	hg_json_end_object(&j);
	json_stats(&j, st, HG_STAT_RUN, false);
	if (st->oom) {
		hg_json_begin_object(&j, "oom");
		hg_json_u64(&j, "event", st->oom_event);
		hg_json_str(&j, "op", hg_op_name(st->oom_op));
		hg_json_str(&j, "id", st->oom_id);
		hg_json_u64(&j, "size", st->oom_size);
		hg_json_str(&j, "message", st->oom_message);
		hg_json_end_object(&j);
	} else {
		hg_json_null(&j, "oom");
	}
	hg_json_end_object(&j);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

#define LABEL_W 20
#define COL_W 30

static void row(FILE *f, const struct hg_stat_spec *s,
		const struct hg_stats *st)
{
	uint64_t v[2] = { hg_stat_value(s, st, false),
			  hg_stat_value(s, st, true) };
	char t[2][64];

	for (int i = 0; i < 2; i++) {
		if (s->unit == HG_UNIT_BYTES)
			hg_fmt_iec(t[i], sizeof(t[i]), v[i]);
		else
			snprintf(t[i], sizeof(t[i]), "%" PRIu64, v[i]);
	}
	fprintf(f, "  %-*s %-*s %s\n", LABEL_W, hg_stat_label(s), COL_W, t[0],
		t[1]);
}

/* title is the text report's heading of a group of statistics. */
static const char *title(const char *group)
{
	static const char *const titles[][2] = {
		{ "classes", "memory classes" },
		{ "os_calls", "os calls" },
	};

	if (!group)
		return "address space";
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(group, titles[i][0]) == 0)
			return titles[i][1];
	return group;
}

/* The heading of a group of figures; the first has the column names. */
static void heading(FILE *f, const char *group, bool first)
{
	if (first)
		fprintf(f, "\n%-*s %-*s %s\n", LABEL_W + 2, title(group), COL_W,
			"final", "peak");
	else
		fprintf(f, "\n%s\n", title(group));
}

/*
 * run_stats writes the one-per-run statistics: a group on one line
 * ("os calls: reserve 1, map 2"), the others one per line
 * ("heap grows: 3").
 */
static void run_stats(FILE *f, const struct hg_stats *st)
{
	const char *open = NULL;
	char v[64];

	fputc('\n', f);
	for (const struct hg_stat_spec *s = hg_stat_specs; s->name; s++) {
		if (s->where != HG_STAT_RUN || !hg_stat_present(s, st))
			continue;
		if (s->unit == HG_UNIT_BYTES)
			hg_fmt_iec(v, sizeof(v), hg_stat_value(s, st, false));
		else
			snprintf(v, sizeof(v), "%" PRIu64,
				 hg_stat_value(s, st, false));
		if (open && !same_group(open, s->group)) {
			fputc('\n', f);
			open = NULL;
		}
		if (!s->group) {
			fprintf(f, "%s: %s\n", hg_stat_label(s), v);
			continue;
		}
		if (open) {
			fprintf(f, ", %s %s", hg_stat_label(s), v);
			continue;
		}
		open = s->group;
		fprintf(f, "%s: %s %s", title(open), hg_stat_label(s), v);
	}
	if (open)
		fputc('\n', f);
}

void hg_report_text(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st)
{
	const char *open = NULL;
	bool first = true;
	char buf[256];
	char a[64];

	fprintf(f, "trace %s: %" PRIu64 " events\n\n",
		name ? name : "(unnamed)", st->events);

	fputs("config\n", f);
	for (const char *const *k = hg_config_keys; *k; k++)
		if (hg_config_get(cfg, *k, buf, sizeof(buf)) == 0)
			fprintf(f, "  %-*s %s\n", LABEL_W, *k, buf);

	for (const struct hg_stat_spec *s = hg_stat_specs; s->name; s++) {
		if (s->where != HG_STAT_FIGURES || !hg_stat_present(s, st))
			continue;
		if (first || !same_group(open, s->group))
			heading(f, s->group, first);
		first = false;
		open = s->group;
		row(f, s, st);
	}
	run_stats(f, st);
	if (st->oom) {
		hg_fmt_iec(a, sizeof(a), st->oom_size);
		fprintf(f,
			"out of memory at event %" PRIu64 " (%s %s, %s): %s\n",
			st->oom_event, hg_op_name(st->oom_op), st->oom_id, a,
			st->oom_message);
	} else {
		fputs("out of memory: no\n", f);
	}
}
