/*
 * pictures.c - maps and timelines of a replay.
 */
#include "pictures.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"
#include "trace.h"
#include "util.h"

void hg_pictures_init(struct hg_pictures *p)
{
	memset(p, 0, sizeof(*p));
}

void hg_pictures_release(struct hg_pictures *p)
{
	hg_scene_free(p->map);
	hg_timeline_free(p->tl);
	hg_report_free(p->report);
	hg_curves_free(p->cv);
	hg_idlive_free(p->ids);
	for (size_t i = 0; i < HG_REPLAY_MAX_LANES; i++) {
		hg_timeline_free(p->ltl[i]);
		hg_idlive_free(p->lids[i]);
	}
	memset(p, 0, sizeof(*p));
}

/* fmt_of is the picture format of path: --picture-format for "-". */
static const char *fmt_of(const struct hg_pictures *p, const char *path)
{
	if (strcmp(path, "-") == 0)
		return p->picture_format;
	return hg_render_format_of(path);
}

bool hg_pictures_to_stdout(const struct hg_pictures *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		if (strcmp(p->maps[i], "-") == 0)
			return true;
	return false;
}

/* add_path appends path to the *n of list, at most HG_PICTURES_MAX (a
 * usage error names what they are). */
static int add_path(const char **list, size_t *n, const char *path,
		    const char *what, const struct hg_opt_spec *spec)
{
	if (*n == HG_PICTURES_MAX)
		return hg_opt_usage_error(spec, "at most %d %s",
					  HG_PICTURES_MAX, what);
	list[(*n)++] = path;
	return 0;
}

int hg_pictures_add_map(struct hg_pictures *p, const struct hg_opt_spec *spec,
			const char *path)
{
	if (strcmp(path, "-") == 0 && hg_pictures_to_stdout(p))
		return hg_opt_usage_error(spec, "at most one -o -");
	if (strcmp(path, "-") != 0 && !hg_render_format_of(path))
		return hg_opt_usage_error(spec,
					  "cannot tell the picture format of "
					  "'%s': name it .png, .svg or .html",
					  path);
	return add_path(p->maps, &p->nmaps, path, "-o files", spec);
}

static int parse_range(struct hg_pictures *p, const struct hg_opt_spec *spec);

/* Parses --show WHAT[,WHAT...]: metadata (to scale), whole (no zoom). */
static int parse_show(struct hg_pictures *p, const char *arg,
		      const struct hg_opt_spec *spec)
{
	const char *s = arg;
	do {
		size_t n = strcspn(s, ",");
		if (n == 8 && strncmp(s, "metadata", n) == 0)
			p->show_metadata = true;
		else if (n == 5 && strncmp(s, "whole", n) == 0)
			p->show_whole = true;
		else
			return hg_opt_usage_error(
				spec,
				"--show: metadata or whole (comma-separated), "
				"not '%.*s'",
				(int)n, s);
		s += n;
	} while (*s++ == ',');
	return 0;
}

int hg_pictures_option(struct hg_pictures *p, int opt, const char *arg,
		       const struct hg_opt_spec *spec)
{
	const char *fmt = arg ? hg_render_format_of(arg) : NULL;
	if ((opt == HG_POPT_TIMELINE || opt == HG_POPT_CURVES) &&
	    (!fmt || strcmp(fmt, "html") == 0))
		return hg_opt_usage_error(spec,
					  "cannot tell the picture format "
					  "of '%s': name it .png or .svg",
					  arg);
	switch (opt) {
	case HG_POPT_OUTPUT:
		return hg_pictures_add_map(p, spec, arg);
	case HG_POPT_PICTURE_FORMAT:
		if (strcmp(arg, "png") != 0 && strcmp(arg, "svg") != 0 &&
		    strcmp(arg, "html") != 0)
			return hg_opt_usage_error(
				spec,
				"--picture-format: png, svg or html, not '%s'",
				arg);
		p->picture_format = arg;
		break;
	case HG_POPT_TIMELINE:
		p->timeline = p->ntimelines ? p->timelines[0] : arg;
		return add_path(p->timelines, &p->ntimelines, arg, "--timeline",
				spec);
	case HG_POPT_CURVES:
		return add_path(p->curves, &p->ncurves, arg, "--curves", spec);
	case HG_POPT_AT:
		p->at = arg;
		break;
	case HG_POPT_SHOW:
		return parse_show(p, arg, spec);
	case HG_POPT_RANGE:
		/* Parsed here, for compare too (it has no check pass). */
		p->range = arg;
		return parse_range(p, spec) ? HG_EXIT_USAGE : 0;
	}
	return 0;
}

/* Parses --range LO:HI (sizes: decimal, 0x hex, K/M/G/T suffixes). */
static int parse_range(struct hg_pictures *p, const struct hg_opt_spec *spec)
{
	char lo[64], hi[64];
	const char *colon = strchr(p->range, ':');
	if (!colon || (size_t)(colon - p->range) >= sizeof(lo) ||
	    strlen(colon + 1) >= sizeof(hi))
		return hg_opt_usage_error(spec, "--range needs LO:HI, not '%s'",
					  p->range);
	snprintf(lo, sizeof(lo), "%.*s", (int)(colon - p->range), p->range);
	snprintf(hi, sizeof(hi), "%s", colon + 1);
	if (hg_parse_size(lo, &p->range_lo) || hg_parse_size(hi, &p->range_hi))
		return hg_opt_usage_error(
			spec, "--range: bad address range '%s'", p->range);
	if (p->range_hi <= p->range_lo)
		return hg_opt_usage_error(
			spec, "--range %s: LO must be below HI", p->range);
	return 0;
}

void hg_pictures_render_opts(const struct hg_pictures *p,
			     struct hg_render_opts *o, const char *trace_name)
{
	memset(o, 0, sizeof(*o));
	o->trace_name = trace_name;
	o->range_lo = p->range_lo;
	o->range_hi = p->range_hi;
	o->show_metadata = p->show_metadata;
	o->show_whole = p->show_whole;
}

int hg_pictures_check(struct hg_pictures *p, const struct hg_opt_spec *spec)
{
	if (hg_pictures_to_stdout(p) && !p->picture_format)
		return hg_opt_usage_error(spec, "-o - needs --picture-format "
						"png|svg|html");
	for (size_t i = 0; i < p->ntimelines + p->ncurves; i++) {
		const char *f = i < p->ntimelines
					? p->timelines[i]
					: p->curves[i - p->ntimelines];
		if (!hg_render_format_of(f) ||
		    strcmp(hg_render_format_of(f), "html") == 0)
			return hg_opt_usage_error(
				spec,
				"cannot tell the picture format "
				"of '%s': name it .png or .svg",
				f);
	}
	if (p->range && !p->nmaps && !p->timeline)
		return hg_opt_usage_error(spec,
					  "--range needs a picture: add -o "
					  "FILE or --timeline FILE");
	if (p->range && parse_range(p, spec))
		return HG_EXIT_USAGE;
	if (p->at && hg_is_decimal(p->at)) {
		char *end;
		errno = 0;
		p->at_index = strtoull(p->at, &end, 10);
		if (errno || *end)
			return hg_opt_usage_error(
				spec, "--at: bad event index '%s'", p->at);
		p->at_event = true;
	}
	return 0;
}

/* draw_map draws the map of m; returns 0 or an hg_err. */
static int draw_map(struct hg_pictures *p, struct hg_model *m, uint64_t nev)
{
	struct hg_map_input in = { m, NULL, p->moment, nev, p->ids };
	struct hg_render_opts o;
	if (p->ids && hg_idlive_sort(p->ids))
		return HG_ENOMEM;
	hg_pictures_render_opts(p, &o, p->trace_name);
	return hg_scene_map(&p->map, &in, 1, &o);
}

/* pictures_event samples what the pictures need after each event. */
static int pictures_event(void *ctx, struct hg_replay *rp,
			  const struct hg_replay_event *ev)
{
	struct hg_pictures *p = ctx;
	const struct hg_op *op = ev->op;
	const struct hg_op_result *res = ev->res;
	struct hg_model *m = hg_replay_model(rp, ev->lane);
	uint64_t i = ev->index;

	if (p->tl) {
		/* Now and then, tell the timeline how long the replay will
		 * probably be, from how much of the input was read. */
		if ((i + 1) % 65536 == 0) {
			uint64_t done, total;
			hg_replay_progress(rp, &done, &total);
			if (total && done && done >= total / 20)
				hg_timeline_expect(
					p->tl,
					(uint64_t)((double)(i + 1) *
						   ((double)total / done)));
		}
		if (hg_timeline_event(p->tl, m, i, op, res))
			return HG_ENOMEM;
	}
	if (p->ids && hg_idlive_event(p->ids, m, op, res, i))
		return HG_ENOMEM;
	if (!p->at || p->at_reached)
		return 0;
	if (p->at_event ? i == p->at_index
			: (op->kind == HG_OP_MARK && op->text &&
			   strcmp(op->text, p->at) == 0)) {
		p->at_reached = true;
		p->at_ev = i;
		p->at_stats = *hg_model_stats(m);
		if (!p->nmaps)
			return 0;
		if (p->at_event)
			snprintf(p->moment, sizeof(p->moment),
				 "event %" PRIu64 " (%s)", i,
				 hg_op_name(op->kind));
		else
			snprintf(p->moment, sizeof(p->moment),
				 "mark \"%s\" (event %" PRIu64 ")", op->text,
				 i);
		int rc = draw_map(p, m, i + 1);
		if (rc == HG_ENOMEM)
			return rc;
		/* The report opens at that moment. */
		if (!rc && p->report)
			rc = hg_report_start(p->report, ev->lane, m, op, i);
		if (rc == HG_ENOMEM)
			return rc;
		if (rc)
			return hg_replay_fail(rp, HG_REPLAY_EOUTPUT, 0, 0,
					      "cannot draw the map: %s",
					      hg_strerror(rc));
	}
	return 0;
}

/* report_event records every event of every lane for the HTML report
 * and the curves. */
static int report_event(void *ctx, struct hg_replay *rp,
			const struct hg_replay_event *ev)
{
	struct hg_pictures *p = ctx;
	struct hg_model *m = hg_replay_model(rp, ev->lane);
	if (p->lids[ev->lane] &&
	    hg_idlive_event(p->lids[ev->lane], m, ev->op, ev->res, ev->index))
		return HG_ENOMEM;
	if (p->cv)
		hg_curves_event(p->cv, ev->lane, m, ev->op, ev->index);
	if (p->ltl[ev->lane] &&
	    hg_timeline_event(p->ltl[ev->lane], m, ev->index, ev->op, ev->res))
		return HG_ENOMEM;
	if (!p->report)
		return 0;
	return hg_report_event(p->report, ev->lane, m, ev->op, ev->res,
			       ev->index);
}

int hg_pictures_attach_report(struct hg_pictures *p, struct hg_replay *rp,
			      const char *trace_name)
{
	bool html = false;
	for (size_t i = 0; i < p->nmaps; i++)
		html |= fmt_of(p, p->maps[i]) &&
			strcmp(fmt_of(p, p->maps[i]), "html") == 0;
	/* compare's timelines: one per configuration (replay has its own). */
	bool ltl = p->ntimelines && rp->nlanes > 1;
	/* compare's SVG maps name each configuration's ids. */
	bool svg = false;
	for (size_t i = 0; rp->nlanes > 1 && i < p->nmaps; i++) {
		const char *f = fmt_of(p, p->maps[i]);
		svg |= f && (strcmp(f, "svg") == 0 || strcmp(f, "scene") == 0);
	}
	if ((!html && !p->ncurves && !ltl && !svg) || p->report || p->cv ||
	    p->ltl[0] || p->lids[0])
		return HG_REPLAY_OK;
	for (size_t i = 0; svg && i < rp->nlanes; i++)
		if (hg_idlive_new(&p->lids[i]))
			return hg_replay_fail(rp, HG_REPLAY_EHOST, 0, 0,
					      "out of host memory");
	for (size_t i = 0; ltl && i < rp->nlanes; i++) {
		struct hg_render_opts o;
		snprintf(p->ltitle[i], sizeof(p->ltitle[i]),
			 "%s \xe2\x80\x94 %s",
			 trace_name && trace_name[0] ? trace_name
						     : "(unnamed trace)",
			 rp->lane[i].label ? rp->lane[i].label : "");
		hg_pictures_render_opts(p, &o, p->ltitle[i]);
		if (hg_timeline_new(&p->ltl[i], &o))
			return hg_replay_fail(rp, HG_REPLAY_EHOST, 0, 0,
					      "out of host memory");
	}
	if (html && hg_report_new(&p->report, rp->nlanes, trace_name))
		return hg_replay_fail(rp, HG_REPLAY_EHOST, 0, 0,
				      "out of host memory");
	if (html && p->range_hi)
		hg_report_view(p->report, p->range_lo, p->range_hi);
	for (size_t i = 0; html && i < rp->nlanes; i++)
		if (hg_report_label(p->report, i, rp->lane[i].label))
			return hg_replay_fail(rp, HG_REPLAY_EHOST, 0, 0,
					      "out of host memory");
	if (p->ncurves) {
		struct hg_render_opts o;
		hg_pictures_render_opts(p, &o, trace_name);
		if (hg_curves_new(&p->cv, rp->nlanes, &o))
			return hg_replay_fail(rp, HG_REPLAY_EHOST, 0, 0,
					      "out of host memory");
		for (size_t i = 0; i < rp->nlanes; i++)
			hg_curves_label(p->cv, i, rp->lane[i].label);
	}
	p->rp = rp;
	struct hg_observer o = { p, report_event, NULL };
	return hg_replay_observe(rp, &o);
}

int hg_pictures_compare_timeline(struct hg_pictures *p, struct hg_replay *rp,
				 struct hg_scene **out)
{
	*out = NULL;
	for (size_t i = 0; i < rp->nlanes && p->ltl[i]; i++) {
		struct hg_model *m = hg_replay_model(rp, i);
		struct hg_scene *s = NULL;
		int rc = hg_timeline_scene(&s, p->ltl[i], m,
					   hg_model_stats(m)->events);
		if (!rc && !*out) {
			*out = s;
			continue;
		}
		if (!rc)
			rc = hg_scene_append(*out, s, (*out)->height);
		if (rc) {
			hg_cli_error("cannot draw the timeline: %s",
				     rc == HG_ENOMEM ? "out of host memory"
						     : hg_strerror(rc));
			hg_scene_free(*out);
			*out = NULL;
			return HG_EXIT_USAGE;
		}
	}
	return 0;
}

int hg_pictures_attach(struct hg_pictures *p, struct hg_replay *rp,
		       const char *trace_name)
{
	snprintf(p->trace_name, sizeof(p->trace_name), "%s",
		 trace_name ? trace_name : "");
	int rc = hg_pictures_attach_report(p, rp, trace_name);
	if (rc)
		return rc;
	if (!p->nmaps && !p->timeline && !p->at)
		return HG_REPLAY_OK;
	if (p->timeline) {
		struct hg_render_opts o;
		hg_pictures_render_opts(p, &o, p->trace_name);
		if (hg_timeline_new(&p->tl, &o))
			return HG_REPLAY_EHOST;
	}
	/* SVG maps (and scene dumps) name the ids in their tooltips. */
	for (size_t i = 0; i < p->nmaps && !p->ids; i++) {
		const char *f = fmt_of(p, p->maps[i]);
		if (f && (strcmp(f, "svg") == 0 || strcmp(f, "scene") == 0) &&
		    hg_idlive_new(&p->ids))
			return HG_REPLAY_EHOST;
	}
	struct hg_observer o = { p, pictures_event, NULL };
	return hg_replay_observe(rp, &o);
}

int hg_pictures_write(struct hg_pictures *p, const struct hg_scene *tl)
{
	struct hg_outfile o[3 * HG_PICTURES_MAX];
	size_t n = 0, i;
	int status = 0;

	/* The report and the curves end with the final state of every
	 * lane. */
	struct hg_scene *cs = NULL;
	if ((p->report || p->cv) && !p->report_ended) {
		for (i = 0; i < p->rp->nlanes; i++) {
			struct hg_model *m = hg_replay_model(p->rp, i);
			if (p->cv)
				hg_curves_end(p->cv, i, m);
			if (p->report && hg_report_end(p->report, i, m)) {
				hg_cli_error("cannot write the report: out of "
					     "host memory");
				return HG_EXIT_USAGE;
			}
		}
		p->report_ended = true;
		/* The report's first view: the heap when the maps zoom to
		 * it. */
		struct hg_model *ms[HG_REPLAY_MAX_LANES];
		hg_addr zlo = 0, zhi = 0;
		for (i = 0; i < p->rp->nlanes; i++)
			ms[i] = hg_replay_model(p->rp, i);
		if (p->report && !p->range_hi && !p->show_whole &&
		    !hg_auto_zoom(ms, p->rp->nlanes, &zlo, &zhi))
			zlo = zhi = 0;
		if (p->report)
			hg_report_framing(p->report, zlo, zhi,
					  p->show_metadata);
	}
	if (p->cv && hg_curves_scene(&cs, p->cv)) {
		hg_cli_error("cannot draw the curves: out of host memory");
		return HG_EXIT_USAGE;
	}
	size_t nmt = p->nmaps + (tl ? p->ntimelines : 0);
	for (i = 0; !status && i < nmt + (cs ? p->ncurves : 0); i++) {
		bool map = i < p->nmaps;
		const char *path = map       ? p->maps[i]
				   : i < nmt ? p->timelines[i - p->nmaps]
					     : p->curves[i - nmt];
		if (map && !fmt_of(p, path)) {
			hg_cli_error(
				"-o -: give --picture-format png|svg|html");
			status = HG_EXIT_USAGE;
			break;
		}
		if (hg_outfile_open(&o[n], path)) {
			status = HG_EXIT_USAGE;
			break;
		}
		n++;
		char why[160];
		const char *fmt =
			map ? fmt_of(p, path) : hg_render_format_of(path);
		if (map && fmt && strcmp(fmt, "html") == 0 && p->report) {
			errno = 0;
			if (hg_report_write_html(p->report, o[n - 1].f)) {
				snprintf(why, sizeof(why), "%s",
					 errno ? strerror(errno)
					       : "write error");
				hg_cli_error("cannot write '%s': %s",
					     hg_display_name(path), why);
				status = HG_EXIT_USAGE;
			}
		} else if (hg_scene_write(map       ? p->map
					  : i < nmt ? tl
						    : cs,
					  fmt, o[n - 1].f, why, sizeof(why))) {
			hg_cli_error("cannot write '%s': %s",
				     hg_display_name(path), why);
			status = HG_EXIT_USAGE;
		}
	}
	/* All written: put them in place; otherwise leave no trace. */
	for (i = 0; i < n; i++) {
		if (status)
			hg_outfile_abort(&o[i]);
		else if (hg_outfile_commit(&o[i]))
			status = HG_EXIT_USAGE;
	}
	hg_scene_free(cs);
	return status;
}

const struct hg_idlive *hg_pictures_lane_ids(struct hg_pictures *p, size_t i)
{
	if (i >= HG_REPLAY_MAX_LANES || !p->lids[i] ||
	    hg_idlive_sort(p->lids[i]))
		return NULL;
	return p->lids[i];
}

static int try_mark(void *arg, const struct hg_mark_figures *mk)
{
	hg_nearest_try(arg, mk->label);
	return 0;
}

const char *hg_pictures_nearest_mark(struct hg_replay *rp, const char *at)
{
	static struct hg_nearest n;

	hg_nearest_init(&n, at);
	if (rp->nlanes)
		hg_marks_each(&rp->lane[0].marks, try_mark, &n);
	return hg_nearest_best(&n);
}

int hg_pictures_finish(struct hg_pictures *p, struct hg_replay *rp)
{
	struct hg_model *m = hg_replay_model(rp, 0);
	struct hg_scene *tl = NULL;
	int status = 0;

	if (p->at && !p->at_reached) {
		const char *why = hg_model_stats(m)->oom
					  ? " before running out of memory"
					  : "";
		if (p->at_event)
			hg_cli_error("--at %s: the trace has only %" PRIu64
				     " events%s",
				     p->at, hg_model_stats(m)->events, why);
		else {
			const char *near = hg_pictures_nearest_mark(rp, p->at);
			hg_cli_error(
				"--at: the trace has no mark \"%s\"%s%s%s%s",
				p->at, why, near ? " (did you mean \"" : "",
				near ? near : "", near ? "\"?)" : "");
		}
		return HG_EXIT_USAGE;
	}
	if (p->nmaps && !p->map) {
		snprintf(p->moment, sizeof(p->moment),
			 "the end (%" PRIu64 " events)",
			 hg_model_stats(m)->events);
		int rc = draw_map(p, m, hg_model_stats(m)->events);
		if (rc) {
			hg_cli_error("cannot draw the map: %s",
				     rc == HG_ENOMEM ? "out of host memory"
						     : hg_strerror(rc));
			return HG_EXIT_USAGE;
		}
	}
	if (p->tl) {
		int rc = hg_timeline_scene(&tl, p->tl, m,
					   hg_model_stats(m)->events);
		if (rc) {
			hg_cli_error("cannot draw the timeline: %s",
				     rc == HG_ENOMEM ? "out of host memory"
						     : hg_strerror(rc));
			return HG_EXIT_USAGE;
		}
	}
	status = hg_pictures_write(p, tl);
	hg_scene_free(tl);
	return status;
}
