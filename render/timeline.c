/*
 * timeline.c - time (event index, left to right) against address (the
 * folded axis, low addresses at the bottom), coloured by class.
 *
 * The model is sampled after about one event per column; each sample is a
 * histogram over the axis's pixel rows, kept as one stack per row (as the
 * map's columns, turned on their side: the classes of a row share its cell
 * by byte share). Memory is columns x rows stacks, whatever the trace.
 */
#include "scene_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TL_LEFT 128   /* address labels */
#define TL_PLOT_H 480 /* address axis length */
#define TL_MIN_COLW 4
#define TL_UNITS 8 /* stack units per column pixel */
#define TL_MAX_MARKS 256

struct tl_mark {
	uint64_t event;
	char text[64];
};

struct hg_timeline {
	struct hg_axis ax;
	hg_addr *edges;
	uint64_t (*hist)[HG_CLASS_COUNT]; /* scratch, one per row */
	struct hg_stack *cells;           /* ncols x rows */
	bool *sampled;
	int ncols, colw, rows, width;
	uint64_t nevents;
	int next; /* next column to sample */
	struct tl_mark *marks;
	size_t nmarks, marks_dropped;
	char *trace_name;
	char range_note[96]; /* --range: which addresses are drawn */
};

/* muldiv is a * b / c for small b, without overflow. */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

static uint64_t col_end(const struct hg_timeline *t, int k)
{
	/* Last event of column k: columns split [0, nevents) evenly. */
	return muldiv(t->nevents, (uint64_t)k + 1, (uint64_t)t->ncols) - 1;
}

int hg_timeline_new(struct hg_timeline **out, const struct hg_extents *held,
		    uint64_t nevents, const struct hg_render_opts *o)
{
	struct hg_timeline *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (!t)
		return HG_ENOMEM;
	t->width = o && o->width ? o->width : 1200;
	int plot_w = t->width - TL_LEFT - HG_MARGIN;
	t->nevents = nevents ? nevents : 1;
	t->ncols = plot_w / TL_MIN_COLW;
	if ((uint64_t)t->ncols > t->nevents)
		t->ncols = (int)t->nevents;
	t->colw = plot_w / t->ncols;
	struct hg_extents clipped;
	hg_extents_init(&clipped);
	if (o && o->range_hi)
		snprintf(t->range_note, sizeof(t->range_note),
			 " (addresses %#" PRIx64 " to %#" PRIx64 " only)",
			 o->range_lo, o->range_hi);
	if (o && o->range_hi) {
		for (size_t i = 0; i < held->n; i++)
			hg_extents_add(&clipped, held->v[i].lo, held->v[i].hi);
		hg_extents_clip(&clipped, o->range_lo, o->range_hi);
		held = &clipped;
	}
	rc = hg_axis_build(&t->ax, held, TL_PLOT_H);
	hg_extents_release(&clipped);
	if (rc) {
		free(t);
		return rc;
	}
	t->rows = t->ax.length;
	t->edges = hg_axis_edges(&t->ax);
	t->hist = calloc((size_t)t->rows, sizeof(*t->hist));
	t->cells =
		calloc((size_t)t->rows * (size_t)t->ncols, sizeof(*t->cells));
	t->sampled = calloc((size_t)t->ncols, sizeof(*t->sampled));
	t->marks = calloc(TL_MAX_MARKS, sizeof(*t->marks));
	if (o && o->trace_name)
		t->trace_name = strdup(o->trace_name);
	if (!t->edges || !t->hist || !t->cells || !t->sampled || !t->marks ||
	    (o && o->trace_name && !t->trace_name)) {
		hg_timeline_free(t);
		return HG_ENOMEM;
	}
	*out = t;
	return HG_OK;
}

void hg_timeline_free(struct hg_timeline *t)
{
	if (!t)
		return;
	hg_axis_release(&t->ax);
	free(t->edges);
	free(t->hist);
	free(t->cells);
	free(t->sampled);
	free(t->marks);
	free(t->trace_name);
	free(t);
}

int hg_timeline_sample(struct hg_timeline *t, struct hg_model *m, uint64_t i,
		       const char *mark)
{
	if (mark) {
		if (t->nmarks < TL_MAX_MARKS) {
			t->marks[t->nmarks].event = i;
			snprintf(t->marks[t->nmarks].text,
				 sizeof(t->marks[t->nmarks].text), "%s", mark);
			t->nmarks++;
		} else {
			t->marks_dropped++;
		}
	}
	while (t->next < t->ncols && col_end(t, t->next) <= i) {
		if (col_end(t, t->next) == i) {
			if (hg_model_histogram(m, t->edges, (size_t)t->rows,
					       t->hist))
				return HG_EINVAL;
			struct hg_stack *col =
				&t->cells[(size_t)t->next * t->rows];
			for (int r = 0; r < t->rows; r++)
				hg_stack_of(&col[r], t->hist[r],
					    t->colw * TL_UNITS, 1);
			t->sampled[t->next] = true;
		}
		t->next++;
	}
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Scene                                                               */
/* ------------------------------------------------------------------ */

/* An open vertical run of equal stacks, extended across columns. */
struct tl_run {
	int r0, r1; /* rows [r0, r1) */
	int k0;     /* first column */
	struct hg_stack st;
	bool seen; /* matched in the current column */
};

static double row_y(int top, int rows, int r)
{
	/* Row 0 (lowest addresses) at the bottom. */
	return top + rows - r - 1;
}

static void emit_run(struct hg_scene *s, const struct hg_timeline *t,
		     const struct tl_run *run, int k1, double x0, int top)
{
	double x = x0 + run->k0 * t->colw;
	double w = (double)(k1 - run->k0) * t->colw;
	double y = row_y(top, t->rows, run->r1 - 1);
	double h = run->r1 - run->r0;
	double off = 0;
	int units = 0, present = 0;
	char lo[24], hi[24];

	for (int c = 1; c < HG_CLASS_COUNT; c++) {
		units += run->st.len[c];
		present += run->st.len[c] != 0;
	}
	hg_fmt_hex(lo, sizeof(lo), t->edges[run->r0]);
	hg_fmt_hex(hi, sizeof(hi), t->edges[run->r1]);
	uint64_t e0 = run->k0 ? col_end(t, run->k0 - 1) + 1 : 0;
	uint64_t e1 = col_end(t, k1 - 1);
	for (int c = 1; c < HG_CLASS_COUNT; c++) {
		if (!run->st.len[c])
			continue;
		/* Within each column the classes share the cell left to right.
		 */
		double frac = (double)run->st.len[c] / (t->colw * TL_UNITS);
		struct hg_item *it;
		if (k1 - run->k0 == 1 || present == 1) {
			it = hg_scene_rect(
				s, x + off * t->colw, y,
				present == 1 && units == t->colw * TL_UNITS
					? w
					: (k1 - run->k0 == 1 ? frac * t->colw
							     : w),
				h, hg_class_rgb(c));
		} else {
			it = NULL;
			for (int k = run->k0; k < k1 && !s->oom; k++) {
				it = hg_scene_rect(
					s, x0 + k * t->colw + off * t->colw, y,
					frac * t->colw, h, hg_class_rgb(c));
				if (it) {
					it->cls = c;
					it->hatch = hg_class_hatched(c);
				}
				/* One tooltip per run: on its first column. */
				if (it && k == run->k0) {
					hg_item_set_title(
						s, it,
						"%s %s\xe2\x80\x93%s, "
						"events %" PRIu64
						"\xe2\x80\x93%" PRIu64
						" (%.0f%% of each pixel)",
						hg_class_name(c), lo, hi, e0,
						e1, 100 * frac);
				}
			}
			off += frac;
			continue;
		}
		if (!it)
			return;
		it->cls = c;
		it->hatch = hg_class_hatched(c);
		if (units == t->colw * TL_UNITS && present == 1)
			hg_item_set_title(s, it,
					  "%s %s\xe2\x80\x93%s, events %" PRIu64
					  "\xe2\x80\x93%" PRIu64,
					  hg_class_name(c), lo, hi, e0, e1);
		else
			hg_item_set_title(s, it,
					  "%s %s\xe2\x80\x93%s, events %" PRIu64
					  "\xe2\x80\x93%" PRIu64
					  " (%.0f%% of each pixel)",
					  hg_class_name(c), lo, hi, e0, e1,
					  100 * frac);
		off += frac;
	}
}

static void draw_cells(struct hg_scene *s, const struct hg_timeline *t,
		       double x0, int top)
{
	struct tl_run *open = calloc((size_t)t->rows + 1, sizeof(*open));
	struct tl_run *cur = calloc((size_t)t->rows + 1, sizeof(*cur));
	size_t nopen = 0;

	if (!open || !cur) {
		s->oom = true;
		goto out;
	}
	for (int k = 0; k <= t->ncols; k++) {
		size_t ncur = 0;
		if (k < t->ncols && t->sampled[k]) {
			const struct hg_stack *col =
				&t->cells[(size_t)k * t->rows];
			for (int r = 0; r < t->rows;) {
				int r1 = r + 1;
				while (r1 < t->rows &&
				       memcmp(&col[r1], &col[r],
					      sizeof(col[r])) == 0)
					r1++;
				bool empty = true;
				for (int c = 1; c < HG_CLASS_COUNT; c++)
					empty &= col[r].len[c] == 0;
				if (!empty)
					cur[ncur++] = (struct tl_run){ r, r1, k,
								       col[r],
								       false };
				r = r1;
			}
		}
		/* Match with the open runs (both sorted by r0). */
		size_t i = 0;
		for (size_t j = 0; j < ncur; j++) {
			while (i < nopen && open[i].r0 < cur[j].r0)
				i++;
			if (i < nopen && open[i].r0 == cur[j].r0 &&
			    open[i].r1 == cur[j].r1 &&
			    memcmp(&open[i].st, &cur[j].st,
				   sizeof(cur[j].st)) == 0) {
				cur[j].k0 = open[i].k0;
				open[i].seen = true;
			}
		}
		for (i = 0; i < nopen; i++)
			if (!open[i].seen)
				emit_run(s, t, &open[i], k, x0, top);
		memcpy(open, cur, ncur * sizeof(*cur));
		nopen = ncur;
	}
out:
	free(open);
	free(cur);
}

/* Address labels and folds on the left of the plot. */
static void draw_address_axis(struct hg_scene *s, const struct hg_timeline *t,
			      double x0, double plot_w, int top)
{
	const struct hg_axis *ax = &t->ax;
	double last_y = 1e9; /* labels go bottom-up */
	char a[32];

	for (size_t i = 0; i < ax->n; i++) {
		const struct hg_axis_seg *sg = &ax->seg[i];
		double yb = top + t->rows - sg->p0; /* bottom edge */
		double yt = top + t->rows - sg->p1; /* top edge */
		if (sg->fold) {
			struct hg_item *it = hg_scene_rect(
				s, x0 - 6, yt, plot_w + 12, yb - yt, 0xffffff);
			hg_fold_title(s, it, sg);
			double cy = (yt + yb) / 2;
			for (int k = 0; k < 2; k++) {
				it = hg_scene_line(s, x0 - 8,
						   cy + 4 + (k ? -5 : 5) - 4,
						   x0 + plot_w + 8,
						   cy - 4 + (k ? -5 : 5) + 4,
						   HG_AXIS_RGB, 1);
				if (it)
					it->role = "fold";
			}
			hg_fmt_bytes(a, sizeof(a), sg->hi - sg->lo);
			it = hg_scene_text(s, x0 - 8, cy + 4, HG_FONT_SANS, 10,
					   HG_ANCHOR_END, HG_AXIS_RGB,
					   "\xe2\x8b\xaf %s", a);
			if (it)
				it->role = "fold";
			last_y = cy + 4;
			continue;
		}
		hg_addr ticks[2] = { sg->lo, sg->hi };
		double ys[2] = { yb, yt };
		for (int k = 0; k < 2; k++) {
			double y = ys[k] + (k == 0 ? 0 : 9);
			if (k == 0 && y > last_y - 11)
				continue;
			if (k == 1 && y > last_y - 11)
				y = last_y - 11;
			hg_fmt_hex(a, sizeof(a), ticks[k]);
			struct hg_item *it = hg_scene_text(
				s, x0 - 8, y, HG_FONT_MONO, 10, HG_ANCHOR_END,
				HG_AXIS_RGB, "%s", a);
			if (it)
				it->role = "tick";
			it = hg_scene_line(s, x0 - 5, floor(ys[k]) + 0.5, x0,
					   floor(ys[k]) + 0.5, HG_AXIS_RGB, 1);
			if (it)
				it->role = "tick";
			last_y = y;
		}
	}
}

/* nice_step is 1, 2 or 5 times a power of ten, at least x. */
static uint64_t nice_step(double x)
{
	uint64_t p = 1;
	while ((double)p * 10 <= x)
		p *= 10;
	if ((double)p >= x)
		return p;
	if ((double)(2 * p) >= x)
		return 2 * p;
	if ((double)(5 * p) >= x)
		return 5 * p;
	return 10 * p;
}

/* x of the middle of the column holding event e. */
static double event_x(const struct hg_timeline *t, double x0, uint64_t e)
{
	int k = (int)muldiv(e, (uint64_t)t->ncols, t->nevents);
	if (k >= t->ncols)
		k = t->ncols - 1;
	return x0 + k * t->colw + t->colw / 2.0;
}

int hg_timeline_scene(struct hg_scene **out, struct hg_timeline *t,
		      struct hg_model *m, uint64_t nevents)
{
	struct hg_scene *s = hg_scene_new(t->width, 0);
	const struct hg_stats *st = hg_model_stats(m);
	char sub[256], moment[512];
	double x0 = TL_LEFT, plot_w = (double)t->ncols * t->colw;

	*out = NULL;
	if (!s)
		return HG_ENOMEM;
	(void)nevents;
	hg_config_line(sub, sizeof(sub), hg_model_config(m));
	char oom[300] = "";
	if (st->oom)
		snprintf(oom, sizeof(oom),
			 " \xe2\x80\x94 OUT OF MEMORY at event %" PRIu64 ": %s",
			 st->oom_event, st->oom_message);
	snprintf(moment, sizeof(moment),
		 "Timeline of %" PRIu64
		 " events: time left to right, addresses "
		 "bottom to top (low at the bottom)%s%s.",
		 t->nevents, t->range_note, oom);
	double y = hg_draw_title(s, 0,
				 t->trace_name && t->trace_name[0]
					 ? t->trace_name
					 : "(unnamed trace)",
				 sub, moment);
	/* Mark labels: three staggered rows above the plot. */
	double mark_top = y + 4;
	int top = (int)(mark_top + 3 * 13 + 6);
	double right[3] = { -1e9, -1e9, -1e9 };
	for (size_t i = 0; i < t->nmarks; i++) {
		double x = event_x(t, x0, t->marks[i].event);
		double w = hg_text_width(t->marks[i].text, HG_FONT_SANS, 10);
		int r;
		for (r = 0; r < 3; r++)
			if (x - 2 >= right[r] + 6)
				break;
		bool flip = x + w > t->width - 4;
		if (r < 3) {
			right[r] = x + w;
			struct hg_item *it = hg_scene_text(
				s, flip ? x + 2 : x - 2, mark_top + 10 + 13 * r,
				HG_FONT_SANS, 10,
				flip ? HG_ANCHOR_END : HG_ANCHOR_START,
				HG_TEXT_RGB, "%s", t->marks[i].text);
			if (it)
				it->role = "mark";
		}
	}
	struct hg_item *it =
		hg_scene_rect(s, x0, top, plot_w, t->rows, 0xfafafa);
	if (it)
		it->role = "axis";
	draw_cells(s, t, x0, top);
	draw_address_axis(s, t, x0, plot_w, top);
	/* Arena boundaries at the end, as thin ticks on the right. */
	for (size_t i = 0; i < t->nmarks; i++) {
		double x = floor(event_x(t, x0, t->marks[i].event)) + 0.5;
		it = hg_scene_line(s, x, mark_top + 12, x, top + t->rows,
				   0x000000, 1);
		if (it) {
			it->dash = true;
			it->role = "mark";
			hg_item_set_title(s, it,
					  "mark \"%s\" at event %" PRIu64,
					  t->marks[i].text, t->marks[i].event);
		}
	}
	if (st->oom) {
		double x = floor(event_x(t, x0, st->oom_event)) + 0.5;
		it = hg_scene_line(s, x, top, x, top + t->rows, 0xd00000, 2);
		if (it) {
			it->role = "oom";
			hg_item_set_title(
				s, it, "out of memory at event %" PRIu64 ": %s",
				st->oom_event, st->oom_message);
		}
	}
	it = hg_scene_rect(s, x0, top, plot_w, t->rows, HG_AXIS_RGB);
	if (it) {
		it->stroke = true;
		it->role = "axis";
	}
	/* Time axis. */
	double ty = top + t->rows;
	uint64_t step = nice_step((double)t->nevents / (plot_w / 90.0));
	for (uint64_t e = 0; e <= t->nevents; e += step) {
		double x = x0 + (double)e / (double)t->nevents * plot_w;
		it = hg_scene_line(s, floor(x) + 0.5, ty, floor(x) + 0.5,
				   ty + 4, HG_AXIS_RGB, 1);
		if (it)
			it->role = "tick";
		it = hg_scene_text(s, x, ty + 16, HG_FONT_MONO, 10,
				   e == 0 ? HG_ANCHOR_START : HG_ANCHOR_MIDDLE,
				   HG_AXIS_RGB, "%" PRIu64, e);
		if (it)
			it->role = "tick";
		if (e + step < e)
			break;
	}
	hg_scene_text(
		s, x0 + plot_w, ty + 32, HG_FONT_SANS, 11, HG_ANCHOR_END,
		HG_TEXT_RGB,
		"event index (time) \xe2\x86\x92   each column: the state "
		"after its last event (%" PRIu64 " event%s per column)",
		t->nevents / (uint64_t)t->ncols,
		t->nevents / (uint64_t)t->ncols == 1 ? "" : "s");
	y = ty + 40;
	hg_scene_text(
		s, HG_MARGIN, y + 8, HG_FONT_SANS, 10, HG_ANCHOR_START,
		HG_MUTED_RGB, "%s",
		t->ax.to_scale
			? "Held addresses are drawn to one scale; long gaps "
			  "that "
			  "nothing ever holds are folded. A pixel that mixes "
			  "classes shows each of them, side by side by byte "
			  "share."
			: "Each address segment has its own scale; long gaps "
			  "that "
			  "nothing ever holds are folded. A pixel that mixes "
			  "classes shows each of them, side by side by byte "
			  "share.");
	y += 14;
	y = hg_draw_legend(s, y, st->final.classes);
	struct hg_model *ms[1] = { m };
	const char *ls[1] = { "now" };
	y = hg_draw_figures(s, y, ms, ls, 1);
	s->height = ceil(y + HG_MARGIN / 2.0);
	if (s->oom) {
		hg_scene_free(s);
		return HG_ENOMEM;
	}
	*out = s;
	return HG_OK;
}
