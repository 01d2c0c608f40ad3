/*
 * curves.c - the figures over time (--curves FILE): HeapSys, HeapInuse,
 * HeapReleased, committed and mapped against the event index, with the
 * commit limit, the marks and an out-of-memory event drawn, for one
 * replay or for compare's configurations overlaid.
 *
 * Recorded in the replay's single pass as buckets of events (at most
 * HG_CURVES_BUCKETS; when they are full, neighbours merge and a bucket
 * holds twice as many events): each keeps the minimum, the maximum and the
 * last value of each figure. The line goes through the last values; a
 * light band behind it spans minimum to maximum, so a spike inside a
 * bucket is never lost.
 */
#include "scene_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NC HG_STAT_NCURVES /* the curve rows of the statistics table */
#define MAX_LANES 9
#define MAX_MARKS 64

struct clane {
	struct hg_bucket bk[HG_CURVES_BUCKETS];
	uint64_t bsize, events;
	uint64_t limit;
	bool oom;
	uint64_t oom_event;
	char label[96];
	char config[256];
};

struct hg_curves {
	struct clane lane[MAX_LANES];
	size_t nlanes;
	struct {
		uint64_t event;
		char text[48];
	} marks[MAX_MARKS];
	size_t nmarks;
	char title[128];
	int width;
	const struct hg_stat_spec *spec[NC]; /* what each curve draws */
};

static const uint32_t curve_rgb[NC] = { 0x000000, 0x0072b2, 0x009e73, 0xd55e00,
					0xcc79a7 };

int hg_curves_new(struct hg_curves **out, size_t nlanes,
		  const struct hg_render_opts *o)
{
	*out = NULL;
	if (!nlanes || nlanes > MAX_LANES)
		return HG_EINVAL;
	struct hg_curves *c = calloc(1, sizeof(*c));
	if (!c)
		return HG_ENOMEM;
	c->nlanes = nlanes;
	for (size_t i = 0; i < nlanes; i++)
		c->lane[i].bsize = 1;
	for (unsigned j = 0; j < NC; j++)
		c->spec[j] = hg_stat_curve(j);
	snprintf(c->title, sizeof(c->title), "%s",
		 o && o->trace_name && o->trace_name[0] ? o->trace_name
							: "(unnamed trace)");
	c->width = o && o->width ? o->width : 1200;
	*out = c;
	return HG_OK;
}

void hg_curves_free(struct hg_curves *c)
{
	free(c);
}

void hg_curves_label(struct hg_curves *c, size_t lane, const char *label)
{
	if (lane < c->nlanes)
		snprintf(c->lane[lane].label, sizeof(c->lane[lane].label), "%s",
			 label ? label : "");
}

void hg_curves_event(struct hg_curves *c, size_t lane, struct hg_model *m,
		     const struct hg_op *op, uint64_t i)
{
	if (lane >= c->nlanes)
		return;
	struct clane *l = &c->lane[lane];
	const struct hg_figures *f = &hg_model_stats(m)->final;
	uint64_t v[NC];
	for (unsigned j = 0; j < NC; j++)
		v[j] = hg_stat_figure(c->spec[j], f);

	l->events = i + 1;
	if (op && op->kind == HG_OP_MARK && c->nmarks < MAX_MARKS &&
	    (!c->nmarks || c->marks[c->nmarks - 1].event < i)) {
		c->marks[c->nmarks].event = i;
		snprintf(c->marks[c->nmarks].text,
			 sizeof(c->marks[c->nmarks].text), "%s",
			 op->text ? op->text : "");
		c->nmarks++;
	}
	hg_bucket_add(l->bk, HG_CURVES_BUCKETS, &l->bsize, i, v);
}

void hg_bucket_add(struct hg_bucket *bk, size_t n, uint64_t *bsize, uint64_t i,
		   const uint64_t *v)
{
	while (i / *bsize >= n) {
		for (size_t k = 0; k < n / 2; k++) {
			struct hg_bucket m = bk[2 * k];
			const struct hg_bucket *y = &bk[2 * k + 1];
			for (int j = 0; y->set && j < NC; j++) {
				if (!m.set || y->mn[j] < m.mn[j])
					m.mn[j] = y->mn[j];
				if (!m.set || y->mx[j] > m.mx[j])
					m.mx[j] = y->mx[j];
				m.last[j] = y->last[j];
			}
			m.set |= y->set;
			bk[k] = m;
		}
		memset(&bk[n / 2], 0, n / 2 * sizeof(*bk));
		*bsize *= 2;
	}
	struct hg_bucket *b = &bk[i / *bsize];
	for (int j = 0; j < NC; j++) {
		if (!b->set || v[j] < b->mn[j])
			b->mn[j] = v[j];
		if (!b->set || v[j] > b->mx[j])
			b->mx[j] = v[j];
		b->last[j] = v[j];
	}
	b->set = true;
}

void hg_curves_end(struct hg_curves *c, size_t lane, struct hg_model *m)
{
	if (lane >= c->nlanes)
		return;
	struct clane *l = &c->lane[lane];
	const struct hg_stats *st = hg_model_stats(m);
	l->limit = hg_model_config(m)->commit_limit;
	l->oom = st->oom;
	l->oom_event = st->oom_event;
	hg_config_line(l->config, sizeof(l->config), hg_model_config(m));
}

/* ------------------------------------------------------------------ */
/* Scene                                                               */
/* ------------------------------------------------------------------ */

#define PLOT_LEFT 90
#define PLOT_H 280

struct plot {
	double x0, x1, y0, y1; /* y0 top, y1 bottom */
	uint64_t nev, ymax;
};

static double px(const struct plot *p, uint64_t e)
{
	return p->x0 + (double)e / (double)p->nev * (p->x1 - p->x0);
}

static double py(const struct plot *p, uint64_t v)
{
	return p->y1 - (double)v / (double)p->ymax * (p->y1 - p->y0);
}

/* light is rgb mixed with four parts of white. */
static uint32_t light(uint32_t rgb)
{
	uint32_t out = 0;
	for (int s = 0; s < 24; s += 8) {
		uint32_t ch = rgb >> s & 0xff;
		out |= ((ch + 4 * 0xff) / 5) << s;
	}
	return out;
}

static void role(struct hg_item *it, const char *r, bool dash)
{
	if (it) {
		it->role = r;
		it->dash = dash;
	}
}

/* nice_step is a 1, 2 or 5 times a power of 1024 or 10 step for n ticks. */
static uint64_t nice_step(uint64_t max, int n, bool bytes)
{
	uint64_t raw = max / (uint64_t)n + 1, base = 1;
	while (base <= raw / (bytes ? 1024 : 10))
		base *= bytes ? 1024 : 10;
	static const uint64_t mult[] = { 1,   2,   4,   5,   8,   10,   16,
					 20,  25,  32,  40,  50,  64,   100,
					 128, 200, 256, 500, 512, 1000, 1024 };
	for (size_t k = 0; k < sizeof(mult) / sizeof(mult[0]); k++)
		if (base * mult[k] >= raw)
			return base * mult[k];
	return base * 1024;
}

int hg_curves_scene(struct hg_scene **out, const struct hg_curves *c)
{
	struct hg_scene *s = hg_scene_new(c->width, 0);
	struct plot p;
	char a[48], sub[300];

	*out = NULL;
	if (!s)
		return HG_ENOMEM;
	p.nev = 1;
	p.ymax = 1;
	for (size_t i = 0; i < c->nlanes; i++) {
		const struct clane *l = &c->lane[i];
		if (l->events > p.nev)
			p.nev = l->events;
		for (size_t k = 0; k < HG_CURVES_BUCKETS; k++)
			for (int j = 0; l->bk[k].set && j < NC; j++)
				if (l->bk[k].mx[j] > p.ymax)
					p.ymax = l->bk[k].mx[j];
		if (l->limit > p.ymax)
			p.ymax = l->limit;
	}
	uint64_t ystep = nice_step(p.ymax, 5, true);
	p.ymax = (p.ymax + ystep - 1) / ystep * ystep;

	if (c->nlanes == 1)
		snprintf(sub, sizeof(sub), "%s", c->lane[0].config);
	else
		snprintf(sub, sizeof(sub), "%zu configurations overlaid",
			 c->nlanes);
	char moment[200];
	snprintf(moment, sizeof(moment),
		 "HeapSys, HeapInuse, HeapReleased, committed and mapped over "
		 "%" PRIu64 " events (a bucket is %" PRIu64
		 " event%s: line at its last value, band from its minimum to "
		 "its maximum)",
		 p.nev, c->lane[0].bsize, c->lane[0].bsize == 1 ? "" : "s");
	double y = hg_draw_title(s, 0, c->title, sub, moment);
	p.x0 = PLOT_LEFT;
	p.x1 = c->width - HG_MARGIN;
	p.y0 = y + 24 + (c->nmarks > 1 ? 13 : 0); /* two rows of marks */
	p.y1 = p.y0 + PLOT_H;

	/* Grid and ticks. */
	for (uint64_t v = 0; v <= p.ymax; v += ystep) {
		double yy = floor(py(&p, v)) + 0.5;
		role(hg_scene_line(s, p.x0, yy, p.x1, yy, 0xdddddd, 1), "grid",
		     false);
		hg_fmt_bytes(a, sizeof(a), v);
		role(hg_scene_text(s, p.x0 - 6, yy + 4, HG_FONT_SANS, 10,
				   HG_ANCHOR_END, HG_AXIS_RGB, "%s", a),
		     "tick", false);
	}
	uint64_t xstep = nice_step(p.nev, 6, false);
	for (uint64_t e = 0; e <= p.nev; e += xstep) {
		double xx = floor(px(&p, e)) + 0.5;
		role(hg_scene_line(s, xx, p.y1, xx, p.y1 + 4, HG_AXIS_RGB, 1),
		     "tick", false);
		role(hg_scene_text(s, xx, p.y1 + 16, HG_FONT_SANS, 10,
				   HG_ANCHOR_MIDDLE, HG_AXIS_RGB, "%" PRIu64,
				   e),
		     "tick", false);
	}
	role(hg_scene_line(s, p.x0, p.y1 + 0.5, p.x1, p.y1 + 0.5, HG_AXIS_RGB,
			   1),
	     "axis", false);
	hg_scene_text(s, (p.x0 + p.x1) / 2, p.y1 + 32, HG_FONT_SANS, 11,
		      HG_ANCHOR_MIDDLE, HG_TEXT_RGB, "event index");

	/* Marks, labelled in two rows above the plot by the labels' rule
	 * (the lines start at the plot, under both rows). */
	struct hg_labels *lab = malloc(sizeof(*lab));
	if (!lab) {
		hg_scene_free(s);
		return HG_ENOMEM;
	}
	hg_labels_init(lab, c->nmarks > 1 ? 2 : 1, false);
	for (size_t k = 0; k < c->nmarks; k++) {
		double xx = floor(px(&p, c->marks[k].event + 1)) + 0.5;
		role(hg_scene_line(s, xx, p.y0, xx, p.y1, 0x999999, 1), "mark",
		     true);
		double w = hg_text_width(c->marks[k].text, HG_FONT_SANS, 10);
		/* Centred on the line, kept inside the plot. */
		double lx = xx - w / 2;
		if (lx + w > p.x1)
			lx = p.x1 - w;
		if (lx < p.x0)
			lx = p.x0;
		int r = hg_labels_place(lab, p.x0 - 100, lx, lx + w);
		if (r >= 0)
			role(hg_scene_text(s, lx, p.y0 - 4 - 13 * r,
					   HG_FONT_SANS, 10, HG_ANCHOR_START,
					   HG_MUTED_RGB, "%s",
					   c->marks[k].text),
			     "mark", false);
	}
	free(lab);

	for (size_t i = 0; i < c->nlanes; i++) {
		const struct clane *l = &c->lane[i];
		/* Bands first, then lines over them. */
		for (int j = 0; j < NC; j++)
			for (size_t k = 0; k < HG_CURVES_BUCKETS; k++) {
				const struct hg_bucket *b = &l->bk[k];
				if (!b->set)
					continue;
				double ya = py(&p, b->mx[j]),
				       yb = py(&p, b->mn[j]);
				if (yb - ya < 1)
					continue;
				double xa = px(&p, k * l->bsize);
				double xb = px(&p, (k + 1) * l->bsize);
				role(hg_scene_rect(s, xa, ya, xb - xa, yb - ya,
						   light(curve_rgb[j])),
				     "band", false);
			}
		for (int j = 0; j < NC; j++) {
			double lx = 0, ly = 0;
			bool have = false;
			for (size_t k = 0; k < HG_CURVES_BUCKETS; k++) {
				const struct hg_bucket *b = &l->bk[k];
				if (!b->set)
					continue;
				uint64_t e = (k + 1) * l->bsize;
				if (e > l->events)
					e = l->events;
				double xx = px(&p, e), yy = py(&p, b->last[j]);
				if (!have) {
					lx = px(&p, k * l->bsize);
					ly = yy;
					have = true;
				}
				struct hg_item *it = hg_scene_line(
					s, lx, ly, xx, yy, curve_rgb[j], 1.5);
				role(it, "curve", i > 0);
				lx = xx;
				ly = yy;
			}
		}
		if (l->limit && py(&p, l->limit) >= p.y0) {
			bool shown = false;
			for (size_t k = 0; k < i; k++)
				shown |= c->lane[k].limit == l->limit;
			if (!shown) {
				double yy = floor(py(&p, l->limit)) + 0.5;
				role(hg_scene_line(s, p.x0, yy, p.x1, yy,
						   0xa33a00, 1.5),
				     "limit", true);
				hg_fmt_bytes(a, sizeof(a), l->limit);
				role(hg_scene_text(
					     s, p.x0 + 6, yy - 4, HG_FONT_SANS,
					     10, HG_ANCHOR_START, 0xa33a00,
					     "commit limit %s%s%s", a,
					     c->nlanes > 1 ? " \xe2\x80\x94 "
							   : "",
					     c->nlanes > 1 ? l->label : ""),
				     "limit", false);
			}
		}
		if (l->oom) {
			double xx = floor(px(&p, l->oom_event + 1)) + 0.5;
			role(hg_scene_line(s, xx, p.y0, xx, p.y1, 0xcc0000,
					   1.5),
			     "oom", false);
		}
	}
	/* The out-of-memory labels over everything, on a white ground so
	 * that no curve or limit line crosses them. */
	for (size_t i = 0; i < c->nlanes; i++) {
		const struct clane *l = &c->lane[i];
		if (!l->oom)
			continue;
		double xx = floor(px(&p, l->oom_event + 1)) + 0.5;
		char t[160];
		snprintf(t, sizeof(t), "out of memory%s%s",
			 c->nlanes > 1 ? ": " : "",
			 c->nlanes > 1 ? l->label : "");
		double w = hg_text_width(t, HG_FONT_SANS, 10);
		double ty = p.y0 + 12 + 12 * (double)i;
		role(hg_scene_rect(s, xx - 6 - w, ty - 9, w + 4, 12, 0xffffff),
		     "oom", false);
		role(hg_scene_text(s, xx - 4, ty, HG_FONT_SANS, 10,
				   HG_ANCHOR_END, 0xcc0000, "%s", t),
		     "oom", false);
	}

	/* Legend. */
	y = p.y1 + 52;
	double x = HG_MARGIN;
	for (int j = 0; j < NC; j++) {
		role(hg_scene_line(s, x, y - 4, x + 22, y - 4, curve_rgb[j], 2),
		     "legend", false);
		hg_scene_text(s, x + 28, y, HG_FONT_SANS, 11, HG_ANCHOR_START,
			      HG_TEXT_RGB, "%s", hg_stat_label(c->spec[j]));
		x += 40 +
		     hg_text_width(hg_stat_label(c->spec[j]), HG_FONT_SANS, 11);
	}
	if (c->nlanes > 1) {
		y += 18;
		x = HG_MARGIN;
		for (size_t i = 0; i < c->nlanes; i++) {
			role(hg_scene_line(s, x, y - 4, x + 22, y - 4,
					   HG_TEXT_RGB, 1.5),
			     "legend", i > 0);
			char t[128];
			snprintf(t, sizeof(t), "%s%s", c->lane[i].label,
				 i == 0 ? " (solid)" : " (dashed)");
			hg_scene_text(s, x + 28, y, HG_FONT_SANS, 11,
				      HG_ANCHOR_START, HG_TEXT_RGB, "%s", t);
			x += 44 + hg_text_width(t, HG_FONT_SANS, 11);
		}
	}
	s->height = ceil(y + HG_MARGIN);
	if (s->oom) {
		hg_scene_free(s);
		return HG_ENOMEM;
	}
	*out = s;
	return HG_OK;
}
