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

/* mark_json writes one mark: its label, its event and the same figures
 * as "final", through the same table walk. */
struct mark_json {
	struct hg_json *j;
	struct hg_stats st; /* the run's, with the mark's figures as final */
};

static int mark_json(void *arg, const struct hg_mark_figures *mk)
{
	struct mark_json *mj = arg;

	mj->st.final = mk->fig;
	hg_json_begin_object(mj->j, NULL);
	hg_json_str(mj->j, "label", mk->label);
	hg_json_u64(mj->j, "event", mk->event);
	json_stats(mj->j, &mj->st, HG_STAT_FIGURES, false);
	hg_json_end_object(mj->j);
	return 0;
}

static void json_fidelity(struct hg_json *j, const struct hg_fidelity *f)
{
	if (!f || !f->addresses) {
		hg_json_null(j, "fidelity");
		return;
	}
	hg_json_begin_object(j, "fidelity");
	hg_json_u64(j, "addresses", f->addresses);
	hg_json_u64(j, "exact", f->exact);
	if (f->mismatch) {
		hg_json_begin_object(j, "first_mismatch");
		hg_json_u64(j, "event", f->mismatch_event);
		hg_json_str(j, "id", f->mismatch_id);
		hg_json_hex(j, "recorded", f->recorded);
		hg_json_hex(j, "model", f->model);
		hg_json_end_object(j);
	} else {
		hg_json_null(j, "first_mismatch");
	}
	hg_json_end_object(j);
}

/*
 * json_size_classes writes the object layer's size classes at the end of
 * an object-level replay, keyed by object size: spans in use, allocated
 * slots and free slots (`heapgrow diff` names them size_classes.SIZE.*).
 */
static void json_size_classes(struct hg_json *j, const struct hg_stats *st)
{
	char key[32];

	if (!st->object_ops)
		return;
	hg_json_begin_object(j, "size_classes");
	for (unsigned c = 1; c < st->nsize_classes; c++) {
		const struct hg_size_class_stats *cs = &st->size_classes[c];

		snprintf(key, sizeof(key), "%" PRIu64, cs->size);
		hg_json_begin_object(j, key);
		hg_json_u64(j, "pages", cs->npages);
		hg_json_u64(j, "spans", cs->spans);
		hg_json_u64(j, "objects", cs->objects);
		hg_json_u64(j, "free", cs->free);
		hg_json_end_object(j);
	}
	hg_json_end_object(j);
}

void hg_report_json_header(struct hg_json *j, const char *kind)
{
	hg_json_u64(j, "heapgrow", HG_JSON_FORMAT);
	hg_json_str(j, "kind", kind);
}

void hg_report_json_config(struct hg_json *j, const struct hg_config *cfg,
			   bool object_ops)
{
	char buf[256];

	hg_json_begin_object(j, "config");
	for (const char *const *k = hg_config_keys; *k; k++) {
		if ((hg_config_key_objects(*k) && !object_ops) ||
		    !hg_config_key_platform(cfg, *k))
			continue;
		if (hg_config_get(cfg, *k, buf, sizeof(buf)) != 0)
			continue;
		hg_json_value(j, *k, buf, hg_config_is_string(*k));
	}
	hg_json_end_object(j);
}

void hg_report_json_at(struct hg_json *j, uint64_t event, const char *mark)
{
	hg_json_begin_object(j, "at");
	hg_json_u64(j, "event", event);
	if (mark)
		hg_json_str(j, "mark", mark);
	else
		hg_json_null(j, "mark");
	hg_json_end_object(j);
}

void hg_report_json_run(struct hg_json *j, const struct hg_stats *st,
			struct hg_replay_lane *lane)
{
	hg_json_begin_object(j, "final");
	json_stats(j, st, HG_STAT_FIGURES, false);
	hg_json_end_object(j);
	hg_json_begin_object(j, "peak");
	json_stats(j, st, HG_STAT_FIGURES, true);
	hg_json_end_object(j);
	json_stats(j, st, HG_STAT_RUN, false);
	json_size_classes(j, st);
	hg_json_begin_array(j, "marks");
	if (lane) {
		struct mark_json mj = { j, *st };
		hg_marks_each(&lane->marks, mark_json, &mj);
	}
	hg_json_end_array(j);
	json_fidelity(j, lane ? &lane->fidelity : NULL);
	if (st->oom) {
		hg_json_begin_object(j, "oom");
		hg_json_u64(j, "event", st->oom_event);
		hg_json_str(j, "op", hg_op_name(st->oom_op));
		hg_json_str(j, "id", st->oom_id);
		hg_json_u64(j, "size", st->oom_size);
		hg_json_str(j, "message", st->oom_message);
		hg_json_end_object(j);
	} else {
		hg_json_null(j, "oom");
	}
}

void hg_report_json(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st, struct hg_replay_lane *lane,
		    const struct hg_report_at *at)
{
	struct hg_json j;

	hg_json_init(&j, f, true);
	hg_json_begin_object(&j, NULL);
	hg_report_json_header(&j, "stats");
	hg_json_begin_object(&j, "trace");
	if (name)
		hg_json_str(&j, "name", name);
	else
		hg_json_null(&j, "name");
	hg_json_u64(&j, "events", at ? at->events : st->events);
	hg_json_end_object(&j);
	if (at)
		hg_report_json_at(&j, at->event, at->mark);
	hg_report_json_config(&j, cfg, st->object_ops);
	hg_report_json_run(&j, st, lane);
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

/* fmt_short writes a size briefly: "512 B", "80.0 MiB". */
static void fmt_short(char *buf, size_t len, uint64_t v)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB" };
	double x = (double)v;
	int u = -1;

	while (x >= 1024 && u < 4) {
		x /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64 " B", v);
	else
		snprintf(buf, len, "%.1f %s", x, units[u]);
}

/* The text report lists this many marks; the JSON has them all. */
#define TEXT_MARKS 20

struct mark_text {
	FILE *f;
	uint64_t shown;
	const struct hg_stats *st;
};

/* mark_text writes one line per mark: its event, its label and the
 * figures of the pictures' box's first ranks (HeapSys, HeapInuse, ...). */
static int mark_text(void *arg, const struct hg_mark_figures *mk)
{
	struct mark_text *mt = arg;
	struct hg_stats at = *mt->st;
	char v[32];

	if (mt->shown++ == TEXT_MARKS)
		return 1;
	at.final = mk->fig;
	fprintf(mt->f, "  event %" PRIu64 " \"%s\":", mk->event, mk->label);
	for (unsigned rank = 1; rank <= 4; rank++) {
		for (const struct hg_stat_spec *s = hg_stat_specs; s->name;
		     s++) {
			if (s->box != rank || s->where != HG_STAT_FIGURES ||
			    !hg_stat_present(s, &at))
				continue;
			uint64_t x = hg_stat_value(s, &at, false);
			if (s->unit == HG_UNIT_BYTES)
				fmt_short(v, sizeof(v), x);
			else
				snprintf(v, sizeof(v), "%" PRIu64, x);
			fprintf(mt->f, "%s%s %s", rank == 1 ? " " : ", ",
				hg_stat_label(s), v);
		}
	}
	fputc('\n', mt->f);
	return 0;
}

static void text_marks(FILE *f, const struct hg_stats *st,
		       struct hg_replay_lane *lane)
{
	if (!lane || !lane->marks.n)
		return;
	struct mark_text mt = { f, 0, st };
	fprintf(f, "\nmarks: %" PRIu64 " (the figures after each)\n",
		lane->marks.n);
	hg_marks_each(&lane->marks, mark_text, &mt);
	if (lane->marks.n > TEXT_MARKS)
		fprintf(f,
			"  ... and %" PRIu64
			" more (--format json lists every mark)\n",
			lane->marks.n - TEXT_MARKS);
}

/* The size classes that have spans at the end (object-level replays). */
static void text_size_classes(FILE *f, const struct hg_stats *st)
{
	bool any = false;

	if (!st->object_ops)
		return;
	for (unsigned c = 1; c < st->nsize_classes; c++) {
		const struct hg_size_class_stats *cs = &st->size_classes[c];

		if (!cs->spans)
			continue;
		if (!any)
			fprintf(f,
				"\nsize classes (at the end)\n  %-8s %6s "
				"%8s %10s %10s\n",
				"size", "pages", "spans", "objects", "free");
		any = true;
		fprintf(f,
			"  %-8" PRIu64 " %6" PRIu64 " %8" PRIu64 " %10" PRIu64
			" %10" PRIu64 "\n",
			cs->size, cs->npages, cs->spans, cs->objects, cs->free);
	}
	if (!any)
		fputs("\nsize classes: no spans at the end\n", f);
}

static void text_fidelity(FILE *f, const struct hg_fidelity *fi)
{
	if (!fi || !fi->addresses)
		return;
	fprintf(f,
		"recorded addresses: %" PRIu64 " of %" PRIu64
		" placed exactly (%.1f%%)",
		fi->exact, fi->addresses,
		100.0 * (double)fi->exact / (double)fi->addresses);
	if (fi->mismatch)
		fprintf(f,
			"; first mismatch at event %" PRIu64
			" (%s): recorded %#" PRIx64 ", model %#" PRIx64,
			fi->mismatch_event, fi->mismatch_id, fi->recorded,
			fi->model);
	fputc('\n', f);
}

void hg_report_text(FILE *f, const char *name, const struct hg_config *cfg,
		    const struct hg_stats *st, struct hg_replay_lane *lane,
		    const struct hg_report_at *at)
{
	const char *open = NULL;
	bool first = true;
	char buf[256];
	char a[64];

	fprintf(f, "trace %s: %" PRIu64 " events\n", name ? name : "(unnamed)",
		at ? at->events : st->events);
	if (at && at->mark)
		fprintf(f, "figures at mark \"%s\" (event %" PRIu64 ")\n",
			at->mark, at->event);
	else if (at)
		fprintf(f, "figures after event %" PRIu64 "\n", at->event);
	fputc('\n', f);

	fputs("config\n", f);
	for (const char *const *k = hg_config_keys; *k; k++)
		if ((!hg_config_key_objects(*k) || st->object_ops) &&
		    hg_config_key_platform(cfg, *k) &&
		    hg_config_get(cfg, *k, buf, sizeof(buf)) == 0)
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
	text_size_classes(f, st);
	text_marks(f, st, lane);
	run_stats(f, st);
	text_fidelity(f, lane ? &lane->fidelity : NULL);
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
