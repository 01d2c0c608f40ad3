/*
 * scene.c - the display list and the map scene (pure: no cairo, no I/O).
 *
 * A map is one horizontal bar per model on a shared folded address axis.
 * Each pixel column of a bar is a stack of the classes present in its
 * address bucket, by byte share and at least two pixels each, so no class
 * is ever hidden by another; runs of identical columns become one
 * rectangle per class, which keeps a million spans to O(pixels) items.
 */
#include "scene_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Display list                                                        */
/* ------------------------------------------------------------------ */

struct hg_scene *hg_scene_new(double width, double height)
{
	struct hg_scene *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->width = width;
	s->height = height;
	return s;
}

void hg_scene_free(struct hg_scene *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].text);
		free(s->items[i].title);
	}
	free(s->items);
	free(s);
}

int hg_scene_append(struct hg_scene *dst, struct hg_scene *src, double dy)
{
	if (!src)
		return HG_OK;
	size_t need = dst->n + src->n;
	if (need > dst->cap) {
		struct hg_item *v = realloc(dst->items, need * sizeof(*v));
		if (!v) {
			hg_scene_free(src);
			return HG_ENOMEM;
		}
		dst->items = v;
		dst->cap = need;
	}
	for (size_t i = 0; i < src->n; i++) {
		struct hg_item *it = &dst->items[dst->n++];
		*it = src->items[i];
		it->y += dy;
	}
	if (src->width > dst->width)
		dst->width = src->width;
	if (dy + src->height > dst->height)
		dst->height = dy + src->height;
	src->n = 0; /* the texts and titles are dst's now */
	hg_scene_free(src);
	return HG_OK;
}

static struct hg_item *push(struct hg_scene *s, enum hg_item_kind kind)
{
	if (s->oom)
		return NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct hg_item *v = realloc(s->items, cap * sizeof(*v));
		if (!v) {
			s->oom = true;
			return NULL;
		}
		s->items = v;
		s->cap = cap;
	}
	struct hg_item *it = &s->items[s->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->cls = HG_NO_CLASS;
	it->lw = 1;
	return it;
}

struct hg_item *hg_scene_rect(struct hg_scene *s, double x, double y, double w,
			      double h, uint32_t rgb)
{
	struct hg_item *it = push(s, HG_ITEM_RECT);
	if (it) {
		it->x = x;
		it->y = y;
		it->w = w;
		it->h = h;
		it->rgb = rgb;
	}
	return it;
}

struct hg_item *hg_scene_line(struct hg_scene *s, double x0, double y0,
			      double x1, double y1, uint32_t rgb, double lw)
{
	struct hg_item *it = push(s, HG_ITEM_LINE);
	if (it) {
		it->x = x0;
		it->y = y0;
		it->w = x1 - x0;
		it->h = y1 - y0;
		it->rgb = rgb;
		it->lw = lw;
	}
	return it;
}

static char *vfmt(const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 0)))
#endif
	;

static char *vfmt(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	char *p = malloc((size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

struct hg_item *hg_scene_text(struct hg_scene *s, double x, double y,
			      enum hg_font font, double size,
			      enum hg_anchor anchor, uint32_t rgb,
			      const char *fmt, ...)
{
	struct hg_item *it = push(s, HG_ITEM_TEXT);
	va_list ap;

	if (!it)
		return NULL;
	it->x = x;
	it->y = y;
	it->font = font;
	it->size = size;
	it->anchor = anchor;
	it->rgb = rgb;
	va_start(ap, fmt);
	it->text = vfmt(fmt, ap);
	va_end(ap);
	if (!it->text) {
		s->n--;
		s->oom = true;
		return NULL;
	}
	return it;
}

void hg_item_set_title(struct hg_scene *s, struct hg_item *it, const char *fmt,
		       ...)
{
	va_list ap;

	if (!it)
		return;
	free(it->title);
	va_start(ap, fmt);
	it->title = vfmt(fmt, ap);
	va_end(ap);
	if (!it->title)
		s->oom = true;
}

/*
 * hg_text_width estimates text widths from DejaVu's advance widths: Mono
 * is exactly 0.602 em per character; Sans averages about 0.58 em (0.636
 * for digits), bold a little wider. Used only to keep labels apart.
 */
double hg_text_width(const char *text, enum hg_font font, double size)
{
	double w = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if ((*p & 0xc0) == 0x80) /* UTF-8 continuation */
			continue;
		if (font == HG_FONT_MONO)
			w += 0.602;
		else if (*p == ' ' || *p == '.' || *p == ',' || *p == 'i' ||
			 *p == 'l' || *p == '(' || *p == ')')
			w += 0.32;
		else
			w += font == HG_FONT_SANS_BOLD ? 0.69 : 0.62;
	}
	return w * size;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */
/* ------------------------------------------------------------------ */

void hg_fmt_bytes(char *buf, size_t len, uint64_t v)
{
	static const char *const units[] = { "B",   "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t scale = 1;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && v / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	if (u == 0 || v % scale == 0) {
		snprintf(buf, len, "%" PRIu64 " %s", v / scale, units[u]);
		return;
	}
	double x = (double)v / (double)scale;
	if (x >= 100)
		snprintf(buf, len, "%.0f %s", x, units[u]);
	else
		snprintf(buf, len, "%.1f %s", x, units[u]);
}

void hg_fmt_value(char *buf, size_t len, bool bytes, uint64_t v)
{
	if (bytes)
		hg_fmt_bytes(buf, len, v);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

void hg_fmt_delta(char *buf, size_t len, bool bytes, uint64_t a, uint64_t b)
{
	char t[32];

	if (a == b) {
		snprintf(buf, len, "=");
		return;
	}
	hg_fmt_value(t, sizeof(t), bytes, b > a ? b - a : a - b);
	snprintf(buf, len, "%s%s", b > a ? "+" : "-", t);
}

void hg_fmt_hex(char *buf, size_t len, hg_addr v)
{
	snprintf(buf, len, "%#" PRIx64, v);
	if (v == 0)
		snprintf(buf, len, "0x0");
}

/* A folded gap's or the metadata band's bounds and size, as text. */
struct seg_text {
	char lo[24], hi[24], size[32];
};

/* seg_text gives it (may be NULL: false) its role and t sg's text. */
static bool seg_text(struct hg_item *it, const char *role,
		     const struct hg_axis_seg *sg, struct seg_text *t)
{
	if (!it)
		return false;
	it->role = role;
	hg_fmt_hex(t->lo, sizeof(t->lo), sg->lo);
	hg_fmt_hex(t->hi, sizeof(t->hi), sg->hi);
	hg_fmt_bytes(t->size, sizeof(t->size), sg->hi - sg->lo);
	return true;
}

void hg_fold_title(struct hg_scene *s, struct hg_item *it,
		   const struct hg_axis_seg *sg)
{
	struct seg_text t;

	if (seg_text(it, "fold", sg, &t))
		hg_item_set_title(s, it,
				  "folded gap %s\xe2\x80\x93%s "
				  "(%s not held, not drawn)",
				  t.lo, t.hi, t.size);
}

void hg_band_title(struct hg_scene *s, struct hg_item *it,
		   const struct hg_axis_seg *sg)
{
	struct seg_text t;

	if (seg_text(it, "band", sg, &t))
		hg_item_set_title(
			s, it,
			"runtime metadata %s\xe2\x80\x93%s (%s), drawn thin, "
			"not to scale: the page allocator's summaries and "
			"scavenge index (reserved at start, mapped as the heap "
			"grows) and the runtime memory beside them; --show "
			"metadata draws it to scale",
			t.lo, t.hi, t.size);
}

double hg_band_note(struct hg_scene *s, const struct hg_axis *ax, double y)
{
	bool band = false;
	for (size_t i = 0; i < ax->n; i++)
		band |= ax->seg[i].band;
	if (!band)
		return y;
	hg_scene_text(s, HG_MARGIN, y + 7, HG_FONT_SANS, 10, HG_ANCHOR_START,
		      HG_MUTED_RGB, "%s",
		      "The runtime's metadata (the page allocator's summaries "
		      "and scavenge index, reserved at start, and the runtime "
		      "memory beside them) is a thin band, not to scale; "
		      "--show metadata draws it to scale.");
	return y + 13;
}

void hg_labels_init(struct hg_labels *l, int rows, bool up)
{
	l->rows = rows;
	l->up = up;
	l->n = 0;
}

int hg_labels_place(struct hg_labels *l, double x, double a, double b)
{
	int row = -1;
	for (int r = 0; r < l->rows && row < 0; r++) {
		bool ok = true;
		for (size_t i = 0; i < l->n && ok; i++) {
			int ri = l->v[i].row;
			if (ri < 0)
				continue;
			/* Overlaps a label of this row. */
			if (ri == r && a < l->v[i].b + 6 && l->v[i].a < b + 6)
				ok = false;
			/* Crosses a line that runs through this row. */
			bool through = l->up ? ri > r : ri < r;
			if (through && l->v[i].x >= a - 2 && l->v[i].x <= b + 2)
				ok = false;
			/* Its own line would cross a label. */
			bool crossed = l->up ? ri < r : ri > r;
			if (crossed && x >= l->v[i].a - 2 && x <= l->v[i].b + 2)
				ok = false;
		}
		if (ok)
			row = r;
	}
	if (l->n >= HG_LABELS_MAX)
		return -1;
	l->v[l->n].x = x;
	l->v[l->n].a = a;
	l->v[l->n].b = b;
	l->v[l->n].row = row;
	l->n++;
	return row;
}

void hg_config_line(char *buf, size_t len, const struct hg_config *cfg)
{
	char arena[32], page[32], v[5][32];
	static const char *const keys[5] = { "policy.arena", "policy.prepare",
					     "policy.grow", "policy.sbrk",
					     "policy.sbrk_free" };

	for (int i = 0; i < 5; i++)
		if (hg_config_get(cfg, keys[i], v[i], sizeof(v[i])))
			snprintf(v[i], sizeof(v[i]), "?");
	hg_fmt_bytes(arena, sizeof(arena), cfg->arena_size);
	hg_fmt_bytes(page, sizeof(page), cfg->phys_page_size);
	if (hg_platform_is_sbrk(cfg->platform))
		snprintf(buf, len,
			 "%s \xc2\xb7 Go %s \xc2\xb7 sbrk %s \xc2\xb7 "
			 "sbrk_free %s"
			 " \xc2\xb7 arena %s \xc2\xb7 grow %s \xc2\xb7 OS page "
			 "%s",
			 hg_platform_name(cfg->platform), cfg->go, v[3], v[4],
			 arena, v[2], page);
	else
		snprintf(buf, len,
			 "%s \xc2\xb7 Go %s \xc2\xb7 arena %s (%s) \xc2\xb7 "
			 "prepare %s"
			 " \xc2\xb7 grow %s \xc2\xb7 OS page %s",
			 hg_platform_name(cfg->platform), cfg->go, v[0], arena,
			 v[1], v[2], page);
}

/* ------------------------------------------------------------------ */
/* Shared blocks: title, legend, figures                               */
/* ------------------------------------------------------------------ */

double hg_draw_title(struct hg_scene *s, double y, const char *title,
		     const char *subtitle, const char *moment)
{
	y += 22;
	hg_scene_text(s, HG_MARGIN, y, HG_FONT_SANS_BOLD, 18, HG_ANCHOR_START,
		      HG_TEXT_RGB, "%s", title);
	if (subtitle) {
		y += 20;
		hg_scene_text(s, HG_MARGIN, y, HG_FONT_SANS, 13,
			      HG_ANCHOR_START, HG_TEXT_RGB, "%s", subtitle);
	}
	if (moment) {
		y += 18;
		hg_scene_text(s, HG_MARGIN, y, HG_FONT_SANS, 12,
			      HG_ANCHOR_START, HG_MUTED_RGB, "%s", moment);
	}
	return y + 8;
}

static void swatch(struct hg_scene *s, double x, double y, int c)
{
	struct hg_item *it = hg_scene_rect(s, x, y, 14, 14, hg_class_rgb(c));
	if (it) {
		it->cls = c;
		it->hatch = hg_class_hatched(c);
		it->role = "legend";
	}
	it = hg_scene_rect(s, x, y, 14, 14, 0x555555);
	if (it) {
		it->stroke = true;
		it->lw = 1;
		it->role = "legend";
	}
}

/* legend_line draws a line of the legend's keys. */
static void legend_line(struct hg_scene *s, double x0, double y0, double x1,
			double y1, uint32_t rgb, double lw)
{
	struct hg_item *it = hg_scene_line(s, x0, y0, x1, y1, rgb, lw);

	if (it)
		it->role = "legend";
}

double hg_draw_legend(struct hg_scene *s, double y, const uint64_t *bytes,
		      const char *title)
{
	static const char *const what[HG_CLASS_COUNT] = {
		[HG_CLASS_NONE] = "not held",
		[HG_CLASS_FOREIGN] = "program image, other mappings",
		[HG_CLASS_RESERVED] = "address space only",
		[HG_CLASS_RELEASED] = "heap, returned to the OS",
		[HG_CLASS_HEAP_FREE] = "heap, free, backed",
		[HG_CLASS_HEAP_INUSE] = "heap, in use",
		[HG_CLASS_SYS] = "off-heap runtime memory",
		[HG_CLASS_SBRK_FREE] = "break on the free list",
		[HG_CLASS_UNUSED] = "OS-provided, unused",
		[HG_CLASS_STRANDED] = "held, never usable again",
	};
	double colw = (s->width - 2 * HG_MARGIN) / 3, x = HG_MARGIN;
	int per_row = (int)((s->width - 2 * HG_MARGIN) / colw);
	int k = 0;
	char b[32];

	if (per_row < 1)
		per_row = 1;
	y += 6;
	hg_scene_text(s, HG_MARGIN, y + 11, HG_FONT_SANS_BOLD, 12,
		      HG_ANCHOR_START, HG_TEXT_RGB, "%s", title);
	y += 20;
	for (int c = 1; c < HG_CLASS_COUNT + 2; c++, k++) {
		if (k == per_row) {
			k = 0;
			y += 20;
		}
		x = HG_MARGIN + k * colw;
		if (c == HG_CLASS_COUNT) { /* arena boundary key */
			legend_line(s, x + 7, y - 3, x + 7, y + 14, 0x000000,
				    1.5);
			hg_scene_text(s, x + 20, y + 11, HG_FONT_SANS, 11,
				      HG_ANCHOR_START, HG_TEXT_RGB,
				      "arena boundary");
			continue;
		}
		if (c == HG_CLASS_COUNT + 1) { /* fold key */
			legend_line(s, x + 2, y + 14, x + 7, y, HG_AXIS_RGB,
				    1.2);
			legend_line(s, x + 7, y + 14, x + 12, y, HG_AXIS_RGB,
				    1.2);
			hg_scene_text(s, x + 20, y + 11, HG_FONT_SANS, 11,
				      HG_ANCHOR_START, HG_TEXT_RGB,
				      "folded gap, size below it");
			continue;
		}
		swatch(s, x, y, c);
		if (bytes) {
			hg_fmt_bytes(b, sizeof(b), bytes[c]);
			hg_scene_text(s, x + 20, y + 11, HG_FONT_SANS, 11,
				      HG_ANCHOR_START,
				      bytes[c] ? HG_TEXT_RGB : 0x9a9a9a,
				      "%s %s \xe2\x80\x94 %s", hg_class_name(c),
				      b, what[c]);
		} else {
			hg_scene_text(s, x + 20, y + 11, HG_FONT_SANS, 11,
				      HG_ANCHOR_START, HG_TEXT_RGB,
				      "%s \xe2\x80\x94 %s", hg_class_name(c),
				      what[c]);
		}
	}
	return y + 24;
}

/*
 * box_rows lists the statistics of the figures box: the rows of the
 * statistics table with a box rank, in rank order, present in st.
 * Returns their number.
 */
static bool box_set(const struct hg_stat_spec *f,
		    struct hg_model *const *models, size_t nm)
{
	for (size_t i = 0; i < nm; i++) {
		const struct hg_stats *st = hg_model_stats(models[i]);
		if (hg_stat_value(f, st, false) || hg_stat_value(f, st, true))
			return true;
	}
	return false;
}

static size_t box_rows(const struct hg_stat_spec **out, size_t max,
		       struct hg_model *const *models, size_t nm)
{
	const struct hg_stats *st = hg_model_stats(models[0]);
	size_t n = 0;

	for (unsigned rank = 1; n < max; rank++) {
		const struct hg_stat_spec *found = NULL;
		bool more = false;

		for (const struct hg_stat_spec *f = hg_stat_specs; f->name;
		     f++) {
			if (f->box == rank)
				found = f;
			more |= f->box > rank;
		}
		if (found && hg_stat_present(found, st) &&
		    (!(found->flags & HG_STAT_BOX_IF_SET) ||
		     box_set(found, models, nm)))
			out[n++] = found;
		if (!more)
			break;
	}
	return n;
}

#define MAX_BOX_ROWS 64

/* A column header right-aligned at x, shortened with an ellipsis to fit. */
static void header(struct hg_scene *s, double x, double y, double maxw,
		   const char *prefix, const char *label)
{
	char t[160];
	size_t len = strlen(label);
	snprintf(t, sizeof(t), "%s%s", prefix, label);
	while (len > 1 && hg_text_width(t, HG_FONT_SANS_BOLD, 11) > maxw) {
		len--;
		snprintf(t, sizeof(t), "%s%.*s\xe2\x80\xa6", prefix, (int)len,
			 label);
	}
	hg_scene_text(s, x, y, HG_FONT_SANS_BOLD, 11, HG_ANCHOR_END,
		      HG_TEXT_RGB, "%s", t);
}

#define HG_MAX_FIGURE_COLS 16 /* configurations with story rows */

/* box_label is the figures box's name for row f on cfg's platform: the
 * break and brk calls on Plan 9, linear memory and memory.grow calls on
 * wasm (the statistics' names elsewhere). */
static const char *box_label(const struct hg_stat_spec *f,
			     const struct hg_config *cfg)
{
	bool plan9 = cfg->platform == HG_PLAT_PLAN9_386 ||
		     cfg->platform == HG_PLAT_PLAN9_AMD64;
	bool wasm = cfg->platform == HG_PLAT_JS_WASM ||
		    cfg->platform == HG_PLAT_WASIP1_WASM;
	if (strcmp(f->name, "linear_memory") == 0)
		return plan9 ? "break" : wasm ? "linear memory" : f->name;
	if (f->group && strcmp(f->group, "os_calls") == 0 &&
	    strcmp(f->name, "sbrk") == 0)
		return plan9 ? "brk calls" : "sbrk calls";
	if (strcmp(f->name, "grow_memory") == 0)
		return "memory.grow calls";
	return hg_stat_label(f);
}

/*
 * The rows of the figures box that are no statistic: the commit limit
 * and the headroom under it (limit less committed; at the peak, the
 * least headroom) where some configuration has a limit, and the request
 * that failed where one ran out of memory. have[j] tells whether
 * configuration j has the figure ("-" otherwise).
 */
struct story_row {
	const char *label;
	bool bytes;
	uint64_t now[HG_MAX_FIGURE_COLS], peak[HG_MAX_FIGURE_COLS];
	bool have[HG_MAX_FIGURE_COLS];
};

static size_t story_rows(struct story_row *out, struct hg_model *const *models,
			 size_t n)
{
	bool limit = false, oom = false;
	size_t k = 0;
	for (size_t j = 0; j < n && j < HG_MAX_FIGURE_COLS; j++) {
		limit |= hg_model_config(models[j])->commit_limit != 0;
		oom |= hg_model_stats(models[j])->oom;
	}
	if (limit) {
		struct story_row *l = &out[k++], *h = &out[k++];
		memset(l, 0, 2 * sizeof(*l));
		l->label = "commit limit";
		h->label = "headroom";
		l->bytes = h->bytes = true;
		for (size_t j = 0; j < n && j < HG_MAX_FIGURE_COLS; j++) {
			uint64_t cl = hg_model_config(models[j])->commit_limit;
			const struct hg_stats *st = hg_model_stats(models[j]);
			if (!cl)
				continue;
			l->have[j] = h->have[j] = true;
			l->now[j] = l->peak[j] = cl;
			h->now[j] = cl > st->final.committed
					    ? cl - st->final.committed
					    : 0;
			h->peak[j] = cl > st->peak.committed
					     ? cl - st->peak.committed
					     : 0;
		}
	}
	if (oom) {
		struct story_row *r = &out[k++];
		memset(r, 0, sizeof(*r));
		r->label = "failed request";
		r->bytes = true;
		for (size_t j = 0; j < n && j < HG_MAX_FIGURE_COLS; j++) {
			const struct hg_stats *st = hg_model_stats(models[j]);
			if (!st->oom)
				continue;
			r->have[j] = true;
			r->now[j] = r->peak[j] = st->oom_size;
		}
	}
	return k;
}

double hg_draw_figures(struct hg_scene *s, double y,
		       struct hg_model *const *models,
		       const char *const *labels, size_t n)
{
	double x0 = HG_MARGIN, namew = 120, colw = n == 1 ? 110 : 100;
	double rowh = 16;
	size_t ncols = n == 1 ? 2 : 2 * n - 1;
	double maxw = s->width - 2 * HG_MARGIN - namew;
	char b[48];

	/* Columns as wide as the longest header, as far as the page allows. */
	for (size_t j = 0; n > 1 && j < n; j++) {
		double w = hg_text_width(labels[j], HG_FONT_SANS_BOLD, 11) + 30;
		if (w > colw)
			colw = w;
	}
	if (ncols * colw > maxw)
		colw = maxw / (double)ncols;
	y += 6;
	double top = y;
	hg_scene_text(s, x0 + 8, y + 16, HG_FONT_SANS_BOLD, 12, HG_ANCHOR_START,
		      HG_TEXT_RGB, "Key figures");
	y += 34;
	/* Header. */
	for (size_t j = 0; j < ncols; j++) {
		double cx = x0 + namew + (j + 1) * colw - 8;
		if (n == 1)
			hg_scene_text(s, cx, y, HG_FONT_SANS_BOLD, 11,
				      HG_ANCHOR_END, HG_TEXT_RGB, "%s",
				      j == 0 ? "now" : "peak");
		else
			header(s, cx, y, colw - 12, j < n ? "" : "\xce\x94 ",
			       labels[j < n ? j : j - n + 1]);
	}
	const struct hg_stat_spec *rows[MAX_BOX_ROWS];
	size_t nrows = box_rows(rows, MAX_BOX_ROWS, models, n);
	const struct hg_config *cfg0 = hg_model_config(models[0]);
	for (size_t i = 0; i < nrows; i++) {
		const struct hg_stat_spec *f = rows[i];
		bool bytes = f->unit == HG_UNIT_BYTES;
		y += rowh;
		hg_scene_text(s, x0 + 8, y, HG_FONT_MONO, 11, HG_ANCHOR_START,
			      HG_TEXT_RGB, "%s", box_label(f, cfg0));
		for (size_t j = 0; j < ncols; j++) {
			double cx = x0 + namew + (j + 1) * colw - 8;
			uint32_t rgb = HG_TEXT_RGB;
			if (n == 1) {
				uint64_t v = hg_stat_value(
					f, hg_model_stats(models[0]), j == 1);
				hg_fmt_value(b, sizeof(b), bytes, v);
			} else if (j < n) {
				uint64_t v = hg_stat_value(
					f, hg_model_stats(models[j]), false);
				hg_fmt_value(b, sizeof(b), bytes, v);
			} else {
				uint64_t a = hg_stat_value(
					f, hg_model_stats(models[0]), false);
				uint64_t v = hg_stat_value(
					f, hg_model_stats(models[j - n + 1]),
					false);
				hg_fmt_delta(b, sizeof(b), bytes, a, v);
				rgb = v > a   ? 0xa33a00
				      : v < a ? 0x00664a
					      : HG_MUTED_RGB;
			}
			hg_scene_text(s, cx, y, HG_FONT_MONO, 11, HG_ANCHOR_END,
				      rgb, "%s", b);
		}
	}
	struct story_row story[3];
	size_t nstory = story_rows(story, models, n);
	for (size_t i = 0; i < nstory; i++) {
		const struct story_row *r = &story[i];
		y += rowh;
		hg_scene_text(s, x0 + 8, y, HG_FONT_MONO, 11, HG_ANCHOR_START,
			      HG_TEXT_RGB, "%s", r->label);
		for (size_t j = 0; j < ncols; j++) {
			double cx = x0 + namew + (j + 1) * colw - 8;
			uint32_t rgb = HG_TEXT_RGB;
			size_t a = 0, c = j;
			if (n == 1)
				c = 0;
			else if (j >= n)
				c = j - n + 1;
			if (c >= HG_MAX_FIGURE_COLS)
				continue;
			uint64_t v = n == 1 && j == 1 ? r->peak[0] : r->now[c];
			if (!r->have[c]) {
				snprintf(b, sizeof(b), "\xe2\x80\x94");
				rgb = HG_MUTED_RGB;
			} else if (n > 1 && j >= n) {
				if (!r->have[a]) {
					snprintf(b, sizeof(b), "\xe2\x80\x94");
					rgb = HG_MUTED_RGB;
				} else {
					hg_fmt_delta(b, sizeof(b), r->bytes,
						     r->now[a], v);
					rgb = HG_MUTED_RGB;
				}
			} else {
				hg_fmt_value(b, sizeof(b), r->bytes, v);
			}
			hg_scene_text(s, cx, y, HG_FONT_MONO, 11, HG_ANCHOR_END,
				      rgb, "%s", b);
		}
	}
	y += 10;
	struct hg_item *box = hg_scene_rect(
		s, x0, top, namew + ncols * colw + 8, y - top, 0x888888);
	if (box) {
		box->stroke = true;
		box->role = "figures";
	}
	return y + 6;
}

/* ------------------------------------------------------------------ */
/* Stacks                                                              */
/* ------------------------------------------------------------------ */

void hg_stack_of(struct hg_stack *st, const uint64_t *bytes, int full,
		 int min_px)
{
	uint64_t total = 0, held = 0;
	int nheld = 0, sum = 0, big = -1;

	memset(st, 0, sizeof(*st));
	for (int c = 0; c < HG_CLASS_COUNT; c++)
		total += bytes[c];
	for (int c = 1; c < HG_CLASS_COUNT; c++) {
		held += bytes[c];
		nheld += bytes[c] != 0;
	}
	if (!held || !total)
		return;
	if (nheld * min_px > full)
		min_px = full / nheld > 0 ? full / nheld : 1;
	int target = (int)llround((double)held / (double)total * full);
	if (target < nheld * min_px)
		target = nheld * min_px;
	if (target > full)
		target = full;
	for (int c = 1; c < HG_CLASS_COUNT; c++) {
		if (!bytes[c])
			continue;
		int h = (int)((double)bytes[c] / (double)held * target);
		if (h < min_px)
			h = min_px;
		st->len[c] = (uint16_t)h;
		sum += h;
		if (big < 0 || bytes[c] > bytes[big])
			big = c;
	}
	/* Give the rounding to the largest class (never below min_px). */
	while (sum != target) {
		int d = target - sum;
		if (d > 0) {
			st->len[big] = (uint16_t)(st->len[big] + d);
			sum += d;
		} else {
			int c = big;
			if (st->len[c] + d < min_px) {
				for (c = 1; c < HG_CLASS_COUNT; c++)
					if (st->len[c] > min_px)
						break;
				if (c == HG_CLASS_COUNT)
					break;
				d = -1;
			}
			st->len[c] = (uint16_t)(st->len[c] + d);
			sum += d;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Map                                                                 */
/* ------------------------------------------------------------------ */

/* The class runs of one model, in address order (exact bounds for the
 * tooltips). */
struct runs {
	struct {
		hg_addr lo, hi;
		uint8_t cls;
	} * v;
	size_t n, cap;
	bool oom;
};

static int add_run(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct runs *r = arg;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		void *v = realloc(r->v, cap * sizeof(*r->v));
		if (!v) {
			r->oom = true;
			return 1;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].lo = base;
	r->v[r->n].hi = end;
	r->v[r->n].cls = (uint8_t)c;
	r->n++;
	return 0;
}

static const char *const family_name[HG_IDS_COUNT] = {
	[HG_IDS_SPAN] = "span",    [HG_IDS_SYSALLOC] = "off-heap",
	[HG_IDS_MMAP] = "mapping", [HG_IDS_OBJECT] = "object",
	[HG_IDS_STACK] = "stack",
};

/*
 * title_for_run gives a region's rectangle its tooltip: the exact,
 * page-aligned bounds of the class-c regions under its pixels [a, b)
 * (not the pixels' edges), and the ids (spans, objects, mappings...)
 * there with their bounds and the event that made them.
 */
static void title_for_run(struct hg_scene *s, struct hg_item *it, int c,
			  const struct runs *rs, const struct hg_idlive *ids,
			  hg_addr a, hg_addr b, bool pure, double share)
{
	char lo[24], hi[24], sz[32], t[1024];
	size_t lo_i = 0, hi_i = rs->n, k = 0;
	uint64_t bytes = 0;
	hg_addr first = 0, last = 0;

	while (lo_i < hi_i) { /* the first run ending after a */
		size_t mid = (lo_i + hi_i) / 2;
		if (rs->v[mid].hi <= a)
			lo_i = mid + 1;
		else
			hi_i = mid;
	}
	for (size_t i = lo_i; i < rs->n && rs->v[i].lo < b; i++) {
		if (rs->v[i].cls != c)
			continue;
		if (!k++)
			first = rs->v[i].lo;
		last = rs->v[i].hi;
		bytes += rs->v[i].hi - rs->v[i].lo;
	}
	if (!k) { /* not found (cannot happen): the pixels' bounds */
		first = a;
		last = b;
	}
	hg_fmt_hex(lo, sizeof(lo), first);
	hg_fmt_hex(hi, sizeof(hi), last);
	hg_fmt_bytes(sz, sizeof(sz), k ? bytes : b - a);
	size_t o;
	if (k <= 1)
		o = (size_t)snprintf(t, sizeof(t), "%s %s\xe2\x80\x93%s (%s)",
				     hg_class_name(c), lo, hi, sz);
	else
		o = (size_t)snprintf(t, sizeof(t),
				     "%s: %zu regions in %s\xe2\x80\x93%s (%s)",
				     hg_class_name(c), k, lo, hi, sz);
	if (!pure && o < sizeof(t))
		o += (size_t)snprintf(t + o, sizeof(t) - o,
				      "; its pixels mix classes (%.1f%% %s)",
				      share, hg_class_name(c));
	if (ids && k) {
		struct hg_idlive_rec rec[3];
		hg_addr qa = first > a ? first : a, qb = last < b ? last : b;
		size_t n = hg_idlive_each(ids, qa, qb, 3, rec);
		for (size_t i = 0; i < n && i < 3 && o < sizeof(t); i++) {
			char l2[24], h2[24];
			hg_fmt_hex(l2, sizeof(l2), rec[i].base);
			hg_fmt_hex(h2, sizeof(h2), rec[i].end);
			o += (size_t)snprintf(
				t + o, sizeof(t) - o,
				"\n%s %s %s\xe2\x80\x93%s (event %" PRIu64 ")",
				family_name[rec[i].family]
					? family_name[rec[i].family]
					: "id",
				rec[i].id, l2, h2, rec[i].born);
		}
		if (n > 3 && o < sizeof(t))
			snprintf(t + o, sizeof(t) - o, "\nand %zu more", n - 3);
	}
	hg_item_set_title(s, it, "%s", t);
}

/* draw_bar draws one model's columns in [x0, x0 + axis length) x [y, y+h). */
static void draw_bar(struct hg_scene *s, const struct hg_axis *ax,
		     const hg_addr *edges,
		     const uint64_t (*hist)[HG_CLASS_COUNT], double x0,
		     double y, int h, const struct runs *rs,
		     const struct hg_idlive *ids)
{
	int len = ax->length;
	struct hg_stack cur, next;

	/* Background: the held part of the axis, unfilled = not held. */
	struct hg_item *bg = hg_scene_rect(s, x0, y, len, h, 0xfafafa);
	if (bg)
		bg->role = "axis";
	for (int j = 0; j < len;) {
		hg_stack_of(&cur, hist[j], h, 2);
		int j1 = j + 1;
		while (j1 < len && edges[j1 + 1] > edges[j1]) {
			hg_stack_of(&next, hist[j1], h, 2);
			if (memcmp(&next, &cur, sizeof(cur)) != 0)
				break;
			j1++;
		}
		int present = 0, full = 0;
		for (int c = 1; c < HG_CLASS_COUNT; c++) {
			present += cur.len[c] != 0;
			full += cur.len[c];
		}
		bool pure = present == 1 && full == h;
		double yy = y + h;
		for (int c = 1; c < HG_CLASS_COUNT; c++) {
			if (!cur.len[c])
				continue;
			yy -= cur.len[c];
			struct hg_item *it =
				hg_scene_rect(s, x0 + j, yy, j1 - j, cur.len[c],
					      hg_class_rgb(c));
			if (!it)
				return;
			it->cls = c;
			it->hatch = hg_class_hatched(c);
			uint64_t cb = 0, tot = 0;
			for (int q = j; !pure && q < j1; q++) {
				cb += hist[q][c];
				for (int z = 0; z < HG_CLASS_COUNT; z++)
					tot += hist[q][z];
			}
			title_for_run(
				s, it, c, rs, ids, edges[j], edges[j1], pure,
				tot ? 100.0 * (double)cb / (double)tot : 0.0);
		}
		j = j1;
	}
}

struct arena_draw {
	struct hg_scene *s;
	const struct hg_axis *ax;
	double x0, y, h, last;
	unsigned skipped;
	bool dense; /* boundaries closer than 12 px: notches above the bar only
		     */
	double min_gap;
};

static int arena_gap(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct arena_draw *d = arg;
	(void)c;
	double g = hg_axis_pos(d->ax, end) - hg_axis_pos(d->ax, base);
	if (g < d->min_gap)
		d->min_gap = g;
	return 0;
}

static int draw_arena(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct arena_draw *d = arg;
	(void)c;
	for (int k = 0; k < 2; k++) {
		hg_addr v = k ? end : base;
		double x = d->x0 + floor(hg_axis_pos(d->ax, v)) + 0.5;
		if (x - d->last < (d->dense ? 4 : 3)) {
			d->skipped += k == 0;
			continue;
		}
		d->last = x;
		struct hg_item *it = hg_scene_line(
			d->s, x, d->y - 6, x, d->dense ? d->y : d->y + d->h,
			0x000000, 1);
		if (it) {
			it->role = "arena";
			char a[24];
			hg_fmt_hex(a, sizeof(a), v);
			hg_item_set_title(d->s, it, "arena boundary %s", a);
		}
	}
	return 0;
}

/* draw_axis draws folds and hex ticks below a bar; returns the next y. */
static double draw_axis(struct hg_scene *s, const struct hg_axis *ax, double x0,
			double y, double h)
{
	struct hg_labels *l = malloc(sizeof(*l));
	double ty = y + h;
	char a[32];

	if (!l) {
		s->oom = true;
		return ty;
	}
	/* Three rows under the bar; a tick's leader line runs from the bar
	 * down to its label, crossing no other label. */
	hg_labels_init(l, 3, true);

	/* Folds first: their labels take row 0. */
	for (size_t i = 0; i < ax->n; i++) {
		const struct hg_axis_seg *sg = &ax->seg[i];
		if (!sg->fold)
			continue;
		double fx = x0 + sg->p0, fw = sg->p1 - sg->p0;
		struct hg_item *it =
			hg_scene_rect(s, fx, y - 4, fw, h + 8, 0xffffff);
		hg_fold_title(s, it, sg);
		for (int k = 0; k < 2; k++) {
			double cx = fx + fw / 2 + (k ? 5 : -5);
			it = hg_scene_line(s, cx - 6, y + h + 2, cx + 6, y - 2,
					   HG_AXIS_RGB, 1.5);
			if (it)
				it->role = "fold";
		}
		hg_fmt_bytes(a, sizeof(a), sg->hi - sg->lo);
		double w = hg_text_width(a, HG_FONT_SANS, 10);
		int r = hg_labels_place(l, -1e9, fx + fw / 2 - w / 2,
					fx + fw / 2 + w / 2);
		if (r >= 0)
			hg_scene_text(s, fx + fw / 2, ty + 14 + 13 * r,
				      HG_FONT_SANS, 10, HG_ANCHOR_MIDDLE,
				      HG_AXIS_RGB, "%s", a);
	}
	/* Bands: their size, as a fold's (the tooltip has the bounds). */
	for (size_t i = 0; i < ax->n; i++) {
		const struct hg_axis_seg *sg = &ax->seg[i];
		if (!sg->band)
			continue;
		double fx = x0 + sg->p0, fw = sg->p1 - sg->p0;
		hg_fmt_bytes(a, sizeof(a), sg->hi - sg->lo);
		double w = hg_text_width(a, HG_FONT_SANS, 10);
		int r = hg_labels_place(l, -1e9, fx + fw / 2 - w / 2,
					fx + fw / 2 + w / 2);
		if (r >= 0) {
			struct hg_item *it = hg_scene_text(
				s, fx + fw / 2, ty + 14 + 13 * r, HG_FONT_SANS,
				10, HG_ANCHOR_MIDDLE, HG_AXIS_RGB, "%s", a);
			if (it)
				it->role = "band";
		}
	}
	/* Ticks: each segment's ends, then aligned steps between. */
	for (size_t i = 0; i < ax->n; i++) {
		const struct hg_axis_seg *sg = &ax->seg[i];
		if (sg->fold || sg->band)
			continue;
		int w = sg->p1 - sg->p0;
		uint64_t span = sg->hi - sg->lo;
		uint64_t step = 1;
		int nt = w / 130;
		while (nt > 0 && step < span / (uint64_t)nt)
			step <<= 1;
		hg_addr ticks[64];
		int nticks = 0;
		ticks[nticks++] = sg->lo;
		if (nt > 0)
			for (hg_addr v = (sg->lo / step + 1) * step;
			     v < sg->hi && nticks < 62; v += step)
				if (v - sg->lo >= step / 2 &&
				    sg->hi - v >= step / 2)
					ticks[nticks++] = v;
		ticks[nticks++] = sg->hi;
		for (int k = 0; k < nticks; k++) {
			double x = x0 + hg_axis_pos(ax, ticks[k]);
			if (k == nticks - 1)
				x = x0 + sg->p1;
			hg_fmt_hex(a, sizeof(a), ticks[k]);
			double tw = hg_text_width(a, HG_FONT_MONO, 10);
			double lx0 = k == 0            ? x
				     : k == nticks - 1 ? x - tw
						       : x - tw / 2;
			enum hg_anchor an = k == 0 ? HG_ANCHOR_START
					    : k == nticks - 1
						    ? HG_ANCHOR_END
						    : HG_ANCHOR_MIDDLE;
			int r = hg_labels_place(l, floor(x) + 0.5, lx0,
						lx0 + tw);
			if (r < 0)
				continue;
			struct hg_item *it = hg_scene_line(
				s, floor(x) + 0.5, ty, floor(x) + 0.5,
				ty + 4 + 13 * r, HG_AXIS_RGB, 1);
			if (it)
				it->role = "tick";
			it = hg_scene_text(s, x, ty + 14 + 13 * r, HG_FONT_MONO,
					   10, an, HG_AXIS_RGB, "%s", a);
			if (it)
				it->role = "tick";
		}
	}
	int rows = 1;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].row + 1 > rows)
			rows = l->v[i].row + 1;
	free(l);
	return ty + 8 + 13 * rows;
}

/* draw_scales writes each segment's size and scale above the first bar. */
static double draw_scales(struct hg_scene *s, const struct hg_axis *ax,
			  double x0, double y)
{
	char b[32], p[32], t[96];
	y += 12;
	for (size_t i = 0; i < ax->n; i++) {
		const struct hg_axis_seg *sg = &ax->seg[i];
		if (sg->fold)
			continue;
		int w = sg->p1 - sg->p0;
		hg_fmt_bytes(b, sizeof(b), sg->hi - sg->lo);
		hg_fmt_bytes(p, sizeof(p), (sg->hi - sg->lo) / (uint64_t)w);
		if (sg->band)
			snprintf(t, sizeof(t), "metadata");
		else
			snprintf(t, sizeof(t), "%s \xc2\xb7 1 px = %s", b, p);
		if (hg_text_width(t, HG_FONT_SANS, 10) > w) {
			snprintf(t, sizeof(t), "%s", b);
			if (hg_text_width(t, HG_FONT_SANS, 10) > w)
				continue;
		}
		hg_scene_text(s, x0 + sg->p0 + w / 2.0, y, HG_FONT_SANS, 10,
			      HG_ANCHOR_MIDDLE, HG_MUTED_RGB, "%s", t);
		struct hg_item *it =
			hg_scene_line(s, x0 + sg->p0 + 0.5, y + 3,
				      x0 + sg->p1 - 0.5, y + 3, 0xb0b0b0, 1);
		if (it)
			it->role = "scale";
		if (it && sg->band) {
			it->lw = 3;
			hg_band_title(s, it, sg);
		}
	}
	return y + 10;
}

int hg_scene_map(struct hg_scene **out, const struct hg_map_input *maps,
		 size_t n, const struct hg_render_opts *o)
{
	int width = o && o->width ? o->width : 1200;
	struct hg_extents ext, meta;
	struct hg_axis ax;
	struct hg_scene *s = NULL;
	hg_addr *edges = NULL;
	uint64_t(*hist)[HG_CLASS_COUNT] = NULL;
	struct hg_model **models = NULL;
	const char **labels = NULL;
	char sub[256], moment[768], range_note[160] = "";
	int rc = HG_ENOMEM;
	hg_addr zlo = 0, zhi = 0;

	if (o && o->range_hi)
		snprintf(range_note, sizeof(range_note),
			 " (addresses %#" PRIx64 " to %#" PRIx64 " only)",
			 o->range_lo, o->range_hi);

	*out = NULL;
	memset(&ax, 0, sizeof(ax));
	if (!n)
		return HG_EINVAL;
	hg_extents_init(&ext);
	hg_extents_init(&meta);
	models = calloc(n, sizeof(*models));
	if (!models)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		models[i] = maps[i].model;
		hg_extents_add_model(&ext, maps[i].model);
	}
	hg_extents_normalize(&ext);
	if (o && o->range_hi)
		hg_extents_clip(&ext, o->range_lo, o->range_hi);
	else if (!(o && o->show_whole) && hg_auto_zoom(models, n, &zlo, &zhi)) {
		hg_extents_clip(&ext, zlo, zhi);
		snprintf(range_note, sizeof(range_note),
			 " (zoomed to the heap: addresses %#" PRIx64
			 " to %#" PRIx64 " only; --show whole draws all)",
			 zlo, zhi);
	}
	if (!(o && o->show_metadata))
		hg_extents_metadata_of(&meta, models, n);
	if (ext.oom || meta.oom)
		goto fail;
	rc = hg_axis_build_banded(&ax, &ext, &meta, width - 2 * HG_MARGIN,
				  HG_BAND_PX);
	hg_extents_release(&ext);
	hg_extents_release(&meta);
	if (rc)
		goto fail;
	rc = HG_ENOMEM;
	edges = hg_axis_edges(&ax);
	hist = calloc((size_t)ax.length, sizeof(*hist));
	labels = calloc(n, sizeof(*labels));
	s = hg_scene_new(width, 0);
	if (!edges || !hist || !labels || !s)
		goto fail;

	const char *tname = o && o->trace_name && o->trace_name[0]
				    ? o->trace_name
				    : "(unnamed trace)";
	double y = 0;
	if (n == 1) {
		const struct hg_stats *st = hg_model_stats(maps[0].model);
		hg_config_line(sub, sizeof(sub),
			       hg_model_config(maps[0].model));
		char oom[300] = "";
		if (st->oom)
			snprintf(oom, sizeof(oom),
				 " \xe2\x80\x94 OUT OF MEMORY at event %" PRIu64
				 ": %s",
				 st->oom_event, st->oom_message);
		snprintf(moment, sizeof(moment),
			 "Address space at %s%s%s. Low addresses left.",
			 maps[0].moment ? maps[0].moment : "the end", oom,
			 range_note);
		y = hg_draw_title(s, y, tname, sub, moment);
	} else {
		snprintf(
			sub, sizeof(sub),
			"%zu configurations on one address axis (low addresses "
			"left), at %s",
			n, maps[0].moment ? maps[0].moment : "the end");
		/* The range on a line of its own (" (...)" without the
		 * parentheses). */
		size_t rn = strlen(range_note);
		if (rn > 3)
			snprintf(moment, sizeof(moment), "%c%.*s.",
				 range_note[2] - 32, (int)(rn - 4),
				 range_note + 3);
		y = hg_draw_title(s, y, tname, sub, rn > 3 ? moment : NULL);
	}
	y = draw_scales(s, &ax, HG_MARGIN, y);
	int barh = n == 1 ? 64 : 44;
	for (size_t i = 0; i < n; i++) {
		struct hg_model *m = maps[i].model;
		const struct hg_stats *st = hg_model_stats(m);
		labels[i] = maps[i].label ? maps[i].label : "now";
		if (n > 1) {
			hg_config_line(sub, sizeof(sub), hg_model_config(m));
			y += 16;
			hg_scene_text(s, HG_MARGIN, y, HG_FONT_SANS_BOLD, 12,
				      HG_ANCHOR_START, HG_TEXT_RGB, "%s",
				      labels[i]);
			double lw =
				hg_text_width(labels[i], HG_FONT_SANS_BOLD, 12);
			char oom[300] = "";
			if (st->oom)
				snprintf(oom, sizeof(oom),
					 " \xe2\x80\x94 OUT OF MEMORY at event "
					 "%" PRIu64 ": %s",
					 st->oom_event, st->oom_message);
			hg_scene_text(s, HG_MARGIN + lw + 10, y, HG_FONT_SANS,
				      11, HG_ANCHOR_START, HG_MUTED_RGB, "%s%s",
				      sub, oom);
			y += 10;
		}
		y += 8;
		if (hg_model_histogram(m, edges, (size_t)ax.length, hist))
			goto fail;
		struct runs rs = { NULL, 0, 0, false };
		hg_model_regions(m, 0, hg_model_space_end(m), add_run, &rs);
		if (rs.oom) {
			free(rs.v);
			goto fail;
		}
		draw_bar(s, &ax, edges, (const uint64_t(*)[HG_CLASS_COUNT])hist,
			 HG_MARGIN, y, barh, &rs, maps[i].ids);
		free(rs.v);
		struct arena_draw ad = { s,    &ax, HG_MARGIN, y,  barh,
					 -1e9, 0,   false,     1e9 };
		hg_model_arenas(m, arena_gap, &ad);
		ad.dense = ad.min_gap < 12;
		hg_model_arenas(m, draw_arena, &ad);
		y = draw_axis(s, &ax, HG_MARGIN, y, barh);
	}
	hg_scene_text(
		s, HG_MARGIN, y + 8, HG_FONT_SANS, 10, HG_ANCHOR_START,
		HG_MUTED_RGB, "%s",
		ax.to_scale
			? "Held memory is drawn to one scale; long gaps that "
			  "nothing holds are folded (size below the break). "
			  "Each pixel column stacks the classes in it by byte "
			  "share."
			: "Each segment is drawn to its own scale (above it); "
			  "long "
			  "gaps that nothing holds are folded (size below the "
			  "break). Each pixel column stacks the classes in it "
			  "by "
			  "byte share.");
	y += 14;
	y = hg_band_note(s, &ax, y);
	y = hg_draw_legend(
		s, y, n == 1 ? hg_model_stats(models[0])->final.classes : NULL,
		"Memory classes");
	y = hg_draw_figures(s, y, models, labels, n);
	s->height = ceil(y + HG_MARGIN / 2.0);
	if (s->oom)
		goto fail;
	*out = s;
	s = NULL;
	rc = HG_OK;
fail:
	hg_extents_release(&ext);
	hg_extents_release(&meta);
	hg_axis_release(&ax);
	hg_scene_free(s);
	free(edges);
	free(hist);
	free(models);
	free(labels);
	return rc;
}
