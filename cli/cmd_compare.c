/*
 * cmd_compare.c - heapgrow compare TRACE --vs SETTINGS ...: replay one trace
 * under several configurations; print a table of the key figures with
 * their differences from the first, and draw the maps one above the other
 * on one shared address axis (design reviews).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hg_core.h"
#include "json.h"
#include "outfile.h"
#include "pictures.h"
#include "progress.h"
#include "replay.h"
#include "render.h"
#include "replay_args.h"
#include "report.h"
#include "settings.h"
#include "trace.h"
#include "util.h"

enum {
	OPT_VS = HG_POPT_NEXT,
	OPT_FORMAT,
	OPT_QUIET,
};

static const struct hg_opt compare_opts[] = {
	{ OPT_VS, 0, "vs", "SETTINGS",
	  "a configuration to compare: KEY=VALUE[,KEY=VALUE...]; repeatable" },
	HG_PICTURE_OPTS("draw the maps to FILE (.png, .svg, or .html: the "
			"interactive report; repeatable)",
			"draw each configuration's timeline (events x "
			"addresses), one above the other, to FILE (.png or "
			".svg)",
			"compare after that event index or at that mark, not "
			"at the end"),
	{ OPT_FORMAT, 0, "format", "text|json",
	  "table format on standard output (default text)" },
	HG_SETTINGS_OPTS("settings shared by every configuration (YAML)",
			 "shared platform", "shared Go version preset",
			 "shared OS page size", "shared heap arena size",
			 "shared setting of any config key; repeatable"),
	{ OPT_QUIET, 'q', "quiet", NULL, "print no table on standard output" },
	{ 0 },
};

const struct hg_opt_spec cmd_compare_spec = {
	"compare",
	"TRACE --vs SETTINGS [--vs SETTINGS]... [options]",
	"Replay a trace under several configurations, side by side",
	compare_opts,
	"Each --vs is one configuration: its settings (comma-separated\n"
	"KEY=VALUE, e.g. go=1.16 or platform=linux/386,policy.arena=linear) "
	"go\n"
	"on top of the shared ones (the trace's config, --config, --set ...).\n"
	"With a single --vs, the shared configuration alone comes first, as\n"
	"\"base\". Differences are from the first configuration.\n"
	"\n"
	"exit status: 0 done, 2 usage or input error, 3 a configuration ran\n"
	"out of memory (the table and maps show the state at that point).\n"
	"\n"
	"examples:\n"
	"  heapgrow compare trace.yaml --vs go=1.13 --vs go=1.14 -o grow.png\n"
	"  heapgrow compare trace.yaml --platform linux/386 --vs go=1.8 --vs "
	"go=1.9\n",
};

#define MAX_VS 8

struct compare {
	const char *vs[MAX_VS + 1];
	size_t nvs;
	bool json, quiet;
	struct hg_replay_args args; /* TRACE, shared settings, pictures */
};

struct run {
	const char *label;
	const char *vs; /* its --vs settings; NULL for the base */
	struct hg_model *m;
	bool oom;
};

/* add_vs appends the settings of one --vs string. */
static int add_vs(struct hg_cli_settings *s, const char *vs)
{
	char *copy = hg_xstrdup(vs), *p = copy, *item;
	int rc = 0;

	while ((item = p) != NULL) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		p = comma ? comma + 1 : NULL;
		if (!*item)
			continue;
		char *eq = strchr(item, '=');
		if (!eq || eq == item) {
			hg_cli_error("--vs %s: '%s' is not KEY=VALUE", vs,
				     item);
			rc = HG_EXIT_USAGE;
			break;
		}
		*eq = '\0';
		hg_settings_add_option(s, item, eq + 1, "--vs");
	}
	free(copy);
	return rc;
}

/* --at: each configuration stops there. */
struct at_stop {
	struct hg_pictures *pics;
	bool reached[HG_REPLAY_MAX_LANES];
	uint64_t event; /* the event index where it was reached */
};

static int at_event(void *ctx, struct hg_replay *rp,
		    const struct hg_replay_event *ev)
{
	struct at_stop *at = ctx;
	struct hg_pictures *pics = at->pics;
	const struct hg_op *op = ev->op;

	(void)rp;
	if (ev->oom || !(pics->at_event ? ev->index == pics->at_index
					: (op->kind == HG_OP_MARK && op->text &&
					   strcmp(op->text, pics->at) == 0)))
		return 0;
	if (pics->at_event)
		snprintf(pics->moment, sizeof(pics->moment), "event %" PRIu64,
			 ev->index);
	else
		snprintf(pics->moment, sizeof(pics->moment),
			 "mark \"%s\" (event %" PRIu64 ")", op->text,
			 ev->index);
	at->reached[ev->lane] = true;
	at->event = ev->index;
	return HG_REPLAY_STOP;
}

/* add_config adds the lane of one configuration: the shared settings,
 * then its --vs settings. */
static int add_config(struct compare *c, struct hg_replay *rp,
		      const struct run *run)
{
	const char *tname = hg_display_name(c->args.trace);
	struct hg_cli_settings all;
	struct hg_config cfg;
	int status = HG_EXIT_USAGE;

	hg_settings_init(&all);
	if (hg_settings_collect(&all, hg_replay_info(rp), tname, &c->args.opts))
		goto out;
	if (run->vs && add_vs(&all, run->vs))
		goto out;
	if (hg_settings_apply(&all, &cfg))
		goto out;
	status = hg_replay_add_lane(rp, &cfg, run->label) ? -1 : 0;
out:
	hg_settings_release(&all);
	return status;
}

/* ------------------------------------------------------------------ */
/* Table                                                               */
/* ------------------------------------------------------------------ */

/* The figures the table shows, by their names in the statistics table
 * (core/stats.c, which gives each one's unit and value, as `heapgrow
 * diff` names them); a second path is added to the first. */
struct row {
	const char *label;
	const char *path, *plus;
};

static const struct row rows[] = {
	{ "HeapSys", "final.memstats.HeapSys", NULL },
	{ "HeapIdle", "final.memstats.HeapIdle", NULL },
	{ "HeapInuse", "final.memstats.HeapInuse", NULL },
	{ "HeapReleased", "final.memstats.HeapReleased", NULL },
	/* the heap's resident memory: its pages and stacks still backed
	 * (Go's heapRetained plus the stacks), what the scavengers steer */
	{ "RSS (heap)", "final.classes.heap_inuse", "final.classes.heap_free" },
	{ "committed", "final.committed", NULL },
	{ "mapped", "final.mapped", NULL },
	{ "address_space", "final.address_space", NULL },
	{ "reserved", "final.classes.reserved", NULL },
	{ "sys", "final.classes.sys", NULL },
	{ "stranded", "final.classes.stranded", NULL },
	{ "unused", "final.classes.unused", NULL },
	{ "sbrk_free", "final.classes.sbrk_free", NULL },
	{ "linear_memory", "final.linear_memory", NULL },
	{ "peak committed", "peak.committed", NULL },
	{ "peak address_space", "peak.address_space", NULL },
	{ "arenas", "final.arenas", NULL },
	{ "heap grows", "heap_grows", NULL },
	{ "os reserve calls", "os_calls.reserve", NULL },
	{ "os map calls", "os_calls.map", NULL },
	{ "sbrk/grow calls", "os_calls.sbrk", "os_calls.grow_memory" },
};

/* path_value is the value of one statistics path in st. */
static uint64_t path_value(const char *path, const struct hg_stats *st,
			   bool *bytes)
{
	const struct hg_stat_spec *s = hg_stat_by_path(path);

	if (!s) {
		/* rows[] names rows of the table: a typo is a bug that
		 * every compare golden test shows. */
		fprintf(stderr, "heapgrow: bug: no statistic '%s'\n", path);
		abort();
	}
	*bytes = s->unit == HG_UNIT_BYTES;
	return hg_stat_value(s, st, strncmp(path, "peak.", 5) == 0);
}

static uint64_t row_value(const struct row *r, const struct hg_stats *st,
			  bool *bytes)
{
	uint64_t v = path_value(r->path, st, bytes);
	if (r->plus)
		v += path_value(r->plus, st, bytes);
	return v;
}
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static void print_text(FILE *f, const char *name, const struct run *runs,
		       size_t n, const char *moment)
{
	char b[48];
	bool color = hg_color_on(f);
	fprintf(f, "trace %s: %zu configurations, at %s\n\n",
		name[0] ? name : "(unnamed)", n, moment);
	for (size_t j = 0; j < n; j++) {
		char line[256];
		hg_config_line(line, sizeof(line), hg_model_config(runs[j].m));
		const struct hg_stats *st = hg_model_stats(runs[j].m);
		fprintf(f, "  %c  %s\n     %s\n", (char)('A' + j),
			runs[j].label, line);
		if (runs[j].oom)
			fprintf(f,
				"     OUT OF MEMORY at event %" PRIu64
				": %s (its figures are at that event)\n",
				st->oom_event, st->oom_message);
	}
	fprintf(f, "\n%-20s", "");
	for (size_t j = 0; j < n; j++)
		fprintf(f, " %12c", (char)('A' + j));
	for (size_t j = 1; j < n; j++)
		fprintf(f, " %8s%c-A", "", (char)('A' + j));
	fputc('\n', f);
	for (size_t i = 0; i < NROWS; i++) {
		bool bytes = false;
		fprintf(f, "%-20s", rows[i].label);
		uint64_t a =
			row_value(&rows[i], hg_model_stats(runs[0].m), &bytes);
		for (size_t j = 0; j < n; j++) {
			hg_fmt_value(b, sizeof(b), bytes,
				     row_value(&rows[i],
					       hg_model_stats(runs[j].m),
					       &bytes));
			fprintf(f, " %12s", b);
		}
		for (size_t j = 1; j < n; j++) {
			uint64_t x = row_value(
				&rows[i], hg_model_stats(runs[j].m), &bytes);
			/* On a terminal: green where it is better than A
			 * for that figure, red where worse. */
			int v = color ? hg_verdict(hg_stat_by_path(rows[i].path)
							   ->better,
						   a, x)
				      : 0;
			hg_fmt_delta(b, sizeof(b), bytes, a, x);
			fprintf(f, " %s%12s%s", hg_color_start(v), b,
				hg_color_end(v));
		}
		fputc('\n', f);
	}
}

/*
 * json_diff writes the change of every figure of the statistics table
 * from configuration A, under the names `heapgrow diff` gives them
 * (final.memstats.HeapSys, peak.committed, os_calls.map, heap_grows).
 */
static void json_diff(struct hg_json *j, const struct hg_stats *a,
		      const struct hg_stats *x)
{
	char path[96], v[32];

	hg_json_begin_object(j, "diff");
	/* Three passes: the final figures, the peaks, the one-per-run
	 * statistics. */
	for (int pass = 0; pass < 3; pass++) {
		bool peak = pass == 1;

		for (const struct hg_stat_spec *s = hg_stat_specs; s->name;
		     s++) {
			bool fig = s->where == HG_STAT_FIGURES;

			if (fig != (pass < 2) || !hg_stat_present(s, x))
				continue;
			snprintf(path, sizeof(path), "%s%s%s%s",
				 !fig   ? ""
				 : peak ? "peak."
					: "final.",
				 s->group ? s->group : "", s->group ? "." : "",
				 s->name);
			uint64_t b = hg_stat_value(s, a, peak),
				 n = hg_stat_value(s, x, peak);
			snprintf(v, sizeof(v), "%s%" PRIu64, n < b ? "-" : "",
				 n < b ? b - n : n - b);
			hg_json_value(j, path, v, false);
		}
	}
	hg_json_end_object(j);
}

/*
 * print_json writes the compare document (share/doc/stats-format.md):
 * the trace, then for each configuration its id, settings and events and
 * the same "config" and figures as a stats file, with the changes from
 * the first.
 */
static void print_json(FILE *f, const char *name, const struct run *runs,
		       size_t n, struct hg_replay *rp, const struct at_stop *at)
{
	struct hg_json j;
	char b[32];
	uint64_t events = 0;

	for (size_t k = 0; k < n; k++)
		if (hg_model_stats(runs[k].m)->events > events)
			events = hg_model_stats(runs[k].m)->events;
	hg_json_init(&j, f, true);
	hg_json_begin_object(&j, NULL);
	hg_report_json_header(&j, "compare");
	hg_json_begin_object(&j, "trace");
	if (name[0])
		hg_json_str(&j, "name", name);
	else
		hg_json_null(&j, "name");
	hg_json_u64(&j, "events", events);
	hg_json_end_object(&j);
	bool reached = false;
	for (size_t k = 0; k < n; k++)
		reached |= at->reached[k];
	/* (Not when every configuration ran out of memory before it.) */
	if (at->pics->at && reached)
		hg_report_json_at(&j, at->event,
				  at->pics->at_event ? NULL : at->pics->at);
	hg_json_begin_array(&j, "configurations");
	for (size_t k = 0; k < n; k++) {
		const struct hg_stats *st = hg_model_stats(runs[k].m);
		hg_json_begin_object(&j, NULL);
		snprintf(b, sizeof(b), "%c", (char)('A' + k));
		hg_json_str(&j, "id", b);
		hg_json_str(&j, "settings", runs[k].label);
		hg_json_u64(&j, "events", st->events);
		hg_report_json_config(&j, hg_model_config(runs[k].m),
				      st->object_ops);
		hg_report_json_run(&j, st, &rp->lane[k]);
		if (k > 0)
			json_diff(&j, hg_model_stats(runs[0].m), st);
		hg_json_end_object(&j);
	}
	hg_json_end_array(&j);
	hg_json_end_object(&j);
}

/* failed prints the replay's error and returns its exit status. */
static int run_compare(struct compare *c)
{
	struct run runs[MAX_VS + 1];
	struct hg_map_input in[MAX_VS + 1];
	struct hg_pictures *pics = &c->args.pics;
	struct at_stop at = { pics, { false }, 0 };
	struct hg_replay rp;
	const char *name;
	size_t n = 0;
	int rc, status = HG_EXIT_USAGE;

	memset(runs, 0, sizeof(runs));
	hg_replay_init(&rp);
	rp.format = c->args.pics.from;
	/* --at MARK: the marks, for "did you mean" when it is not there. */
	rp.record_marks =
		c->json || (c->args.pics.at && !c->args.pics.at_event);
	/* One reading of the trace drives every configuration. */
	if (hg_replay_open(&rp, c->args.trace)) {
		status = hg_cli_replay_failed(&rp);
		goto out;
	}
	name = hg_replay_info(&rp)->name;
	if (c->nvs == 1)
		runs[n++].label = "base";
	for (size_t i = 0; i < c->nvs; i++, n++)
		runs[n].label = runs[n].vs = c->vs[i];
	for (size_t i = 0; i < n; i++) {
		rc = add_config(c, &rp, &runs[i]);
		if (rc < 0)
			status = hg_cli_replay_failed(&rp);
		if (rc)
			goto out;
	}
	struct hg_observer stop = { &at, at_event, NULL };
	if ((pics->at && hg_replay_observe(&rp, &stop)) ||
	    hg_pictures_attach_report(pics, &rp, name)) {
		status = hg_cli_replay_failed(&rp);
		goto out;
	}
	struct hg_progress prog;
	if (hg_progress_attach(&prog, &rp, c->quiet)) {
		status = hg_cli_replay_failed(&rp);
		goto out;
	}
	if ((rc = hg_cli_replay_run(&rp, &prog, &status)) < 0)
		goto out;
	hg_cli_trace_warning(rp.trace);
	status = hg_replay_exit_status(rc);
	for (size_t i = 0; i < n; i++) {
		runs[i].m = hg_replay_model(&rp, i);
		runs[i].oom = rp.lane[i].oom;
		if (pics->at && !runs[i].oom && !at.reached[i]) {
			const char *near = pics->at_event
						   ? NULL
						   : hg_pictures_nearest_mark(
							     &rp, pics->at);
			hg_cli_error("--at %s: not reached in the trace%s%s%s",
				     pics->at, near ? " (did you mean \"" : "",
				     near ? near : "", near ? "\"?)" : "");
			status = HG_EXIT_USAGE;
			goto out;
		}
	}
	if (!pics->at)
		snprintf(pics->moment, sizeof(pics->moment), "the end");
	if (pics->nmaps) {
		for (size_t i = 0; i < n; i++)
			in[i] = (struct hg_map_input){
				runs[i].m, runs[i].label, pics->moment,
				hg_model_stats(runs[i].m)->events,
				hg_pictures_lane_ids(pics, i)
			};
		struct hg_render_opts o;
		hg_pictures_render_opts(pics, &o, name);
		rc = hg_scene_map(&pics->map, in, n, &o);
		if (rc) {
			hg_cli_error("cannot draw the maps: %s",
				     rc == HG_ENOMEM ? "out of host memory"
						     : hg_strerror(rc));
			status = HG_EXIT_USAGE;
			goto out;
		}
	}
	/* The pictures keep the out-of-memory status. */
	struct hg_scene *tl = NULL;
	if ((rc = hg_pictures_compare_timeline(pics, &rp, &tl))) {
		status = rc;
		goto out;
	}
	rc = pics->nmaps || pics->ncurves || tl ? hg_pictures_write(pics, tl)
						: 0;
	hg_scene_free(tl);
	if (rc) {
		status = rc;
		goto out;
	}
	if (!c->quiet) {
		bool to_stdout = false;
		for (size_t i = 0; i < pics->nmaps; i++)
			to_stdout |= strcmp(pics->maps[i], "-") == 0;
		if (!to_stdout) {
			if (c->json)
				print_json(stdout, name, runs, n, &rp, &at);
			else
				print_text(stdout, name, runs, n, pics->moment);
		}
	}
out:
	hg_replay_release(&rp);
	return status;
}

int cmd_compare(int argc, char **argv)
{
	struct hg_opt_parser p;
	struct compare c;
	const char *arg;
	int opt, status;

	memset(&c, 0, sizeof(c));
	hg_replay_args_init(&c.args);
	hg_opt_init(&p, &cmd_compare_spec, argc, argv);
	while ((opt = hg_replay_args_next(&c.args, &p, &arg, &status)) !=
	       HG_OPT_END) {
		switch (opt) {
		case HG_OPT_EXIT:
			goto out;
		case OPT_VS:
			if (c.nvs == MAX_VS) {
				status = hg_opt_usage_error(&cmd_compare_spec,
							    "at most %d --vs",
							    MAX_VS);
				goto out;
			}
			if (!strchr(arg, '=')) {
				status = hg_opt_usage_error(
					&cmd_compare_spec,
					"--vs needs KEY=VALUE[,KEY=VALUE...], "
					"not '%s'",
					arg);
				goto out;
			}
			c.vs[c.nvs++] = arg;
			break;
		case OPT_FORMAT:
			if ((status = hg_opt_format(&cmd_compare_spec, arg,
						    &c.json)))
				goto out;
			break;
		case OPT_QUIET:
			c.quiet = true;
			break;
		}
	}
	if (!c.args.trace) {
		status =
			hg_opt_usage_error(&cmd_compare_spec, "no trace given");
		goto out;
	}
	if (hg_pictures_to_stdout(&c.args.pics) &&
	    !c.args.pics.picture_format) {
		status = hg_opt_usage_error(&cmd_compare_spec,
					    "-o - needs --picture-format "
					    "png|svg|html");
		goto out;
	}
	if (!c.nvs) {
		status = hg_opt_usage_error(&cmd_compare_spec,
					    "give at least one --vs SETTINGS");
		goto out;
	}
	if (c.args.pics.at && hg_is_decimal(c.args.pics.at)) {
		c.args.pics.at_event = true;
		c.args.pics.at_index = strtoull(c.args.pics.at, NULL, 10);
	}
	status = run_compare(&c);
out:
	hg_replay_args_release(&c.args);
	return status;
}
