/*
 * timeline.c - time (event index, left to right) against address (the
 * folded axis, low addresses at the bottom), coloured by class.
 *
 * One reading of the trace: the number of events and the extents of what
 * is ever held are known only at the end, so the model is sampled while
 * the replay runs, in a form that does not depend on the final axis:
 *
 *   - time: a sample after every stride-th event; when more than four
 *     times as many samples as columns are kept, every other one is
 *     dropped and the stride doubles, so at least two samples per column
 *     span the whole replay. An estimate of the event count (from how
 *     much of the input was read) raises the stride to about three
 *     samples per column early on, which saves most of the samples that
 *     would be dropped;
 *   - addresses: each sample is the model's class runs in address order
 *     ("pieces"); past TL_MAX_PIECES runs, neighbouring runs are merged
 *     into pieces of at most a granularity of bytes that doubles until
 *     they fit, each keeping the share of every class in it.
 *
 * At the end the axis is built from everything ever held, each column
 * takes the sample nearest to its last event, and each sample's
 * pieces are spread over the axis's pixel rows: exactly while no piece
 * was merged (so short traces draw as if every column had been sampled
 * at its very event), by byte share otherwise. Memory is bounded by the
 * picture: samples x pieces, whatever the trace.
 */
#include "scene_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TL_LEFT 128   /* address labels */
#define TL_PLOT_H 480 /* address axis length */
#define TL_MIN_COLW 4
#define TL_UNITS 8      /* stack units per column pixel */
#define TL_BAND_ROWS 24 /* the metadata band */
#define TL_MAX_MARKS 256
#define TL_MAX_PIECES 2048  /* per sample */
#define TL_SHARE_ONE 65535u /* a class's share of a whole piece */

struct tl_mark {
	uint64_t event;
	char text[64];
};

/* A piece of one sample: [lo, hi) wholly of class cls, or, when cls is
 * HG_CLASS_COUNT (merged runs), share[c] / TL_SHARE_ONE of it of class
 * c; what no share covers is not held. */
struct tl_piece {
	hg_addr lo, hi;
	uint16_t share[HG_CLASS_COUNT];
	uint8_t cls;
};

struct tl_sample {
	uint64_t event; /* the state after this event */
	struct tl_piece *p;
	uint32_t n;
};

/* A run being collected, with its bytes of each class. */
struct tl_acc {
	hg_addr lo, hi;
	uint64_t bytes[HG_CLASS_COUNT];
	int cls; /* the only class in it, or -1 */
};

struct hg_timeline {
	struct hg_render_opts o;
	char range_note[160]; /* --range: which addresses are drawn */
	char *trace_name;
	struct hg_extents held; /* everything ever held */
	/* Samples, in event order. */
	struct tl_sample *samples;
	size_t nsamples, max_samples;
	uint64_t stride; /* events between samples */
	uint64_t next;   /* the next event sampled */
	/* Collecting one sample. */
	struct tl_acc *acc;
	size_t nacc;
	uint64_t gran; /* merge runs into pieces up to this many bytes */
	uint64_t held_now;
	/* The heap's pages in use and free: where they ever were, and the
	 * most of them in one sample (zoom to the heap). */
	hg_addr heap_lo, heap_hi;
	uint64_t heap_now, heap_peak;
	bool failed; /* host out of memory */
	struct tl_mark *marks;
	size_t nmarks, marks_dropped;
	/* The scene, once the event count is known. */
	struct hg_axis ax;
	hg_addr *edges;
	struct hg_stack *cells; /* ncols x rows */
	bool *sampled;
	/* The sample each column shows (tooltips: the exact regions). */
	const struct tl_sample **col_sm;
	int ncols, colw, rows, width;
	uint64_t nevents;
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

/* plot_cols is the number of columns of a picture width wide. */
static int plot_cols(int width)
{
	return (width - TL_LEFT - HG_MARGIN) / TL_MIN_COLW;
}

int hg_timeline_new(struct hg_timeline **out, const struct hg_render_opts *o)
{
	struct hg_timeline *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return HG_ENOMEM;
	if (o)
		t->o = *o;
	t->width = o && o->width ? o->width : 1200;
	t->o.trace_name = NULL;
	if (o && o->range_hi)
		snprintf(t->range_note, sizeof(t->range_note),
			 " (addresses %#" PRIx64 " to %#" PRIx64 " only)",
			 o->range_lo, o->range_hi);
	hg_extents_init(&t->held);
	t->stride = 1;
	t->next = 0;
	t->max_samples = 4 * (size_t)plot_cols(t->width);
	t->samples = calloc(t->max_samples + 1, sizeof(*t->samples));
	t->acc = malloc((TL_MAX_PIECES + 1) * sizeof(*t->acc));
	t->marks = calloc(TL_MAX_MARKS, sizeof(*t->marks));
	if (o && o->trace_name)
		t->trace_name = strdup(o->trace_name);
	if (!t->samples || !t->acc || !t->marks ||
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
	for (size_t i = 0; i < t->nsamples; i++)
		free(t->samples[i].p);
	free(t->samples);
	free(t->acc);
	hg_extents_release(&t->held);
	hg_axis_release(&t->ax);
	free(t->edges);
	free(t->cells);
	free(t->sampled);
	free(t->col_sm);
	free(t->marks);
	free(t->trace_name);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Sampling                                                            */
/* ------------------------------------------------------------------ */

/* remerge merges neighbouring collected runs into pieces of at most gran
 * bytes (gaps included). */
static void remerge(struct hg_timeline *t)
{
	size_t j = 0;

	for (size_t i = 1; i < t->nacc; i++) {
		struct tl_acc *a = &t->acc[j], *b = &t->acc[i];
		if (b->hi - a->lo <= t->gran) {
			a->hi = b->hi;
			for (int c = 0; c < HG_CLASS_COUNT; c++)
				a->bytes[c] += b->bytes[c];
			if (a->cls != b->cls)
				a->cls = -1;
		} else {
			t->acc[++j] = *b;
		}
	}
	t->nacc = t->nacc ? j + 1 : 0;
}

static int collect_run(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct hg_timeline *t = arg;
	struct tl_acc *last = t->nacc ? &t->acc[t->nacc - 1] : NULL;

	t->held_now += end - base;
	if (c == HG_CLASS_HEAP_INUSE || c == HG_CLASS_HEAP_FREE ||
	    c == HG_CLASS_RELEASED) {
		if (t->heap_hi <= t->heap_lo || base < t->heap_lo)
			t->heap_lo = base;
		if (end > t->heap_hi)
			t->heap_hi = end;
		if (c != HG_CLASS_RELEASED)
			t->heap_now += end - base;
	}
	if (last && t->gran && end - last->lo <= t->gran) {
		/* A gap inside a merged piece stays unheld. */
		if (last->cls != (int)c || last->hi != base)
			last->cls = -1;
		last->hi = end;
		last->bytes[c] += end - base;
		return 0;
	}
	struct tl_acc *a = &t->acc[t->nacc++];
	memset(a, 0, sizeof(*a));
	a->lo = base;
	a->hi = end;
	a->bytes[c] = end - base;
	a->cls = (int)c;
	if (t->nacc <= TL_MAX_PIECES)
		return 0;
	/* Coarsen: pieces of 1/512 of what is held so far, then twice as
	 * large until they fit in half the budget. */
	do {
		uint64_t g = t->held_now / (TL_MAX_PIECES / 4);
		t->gran = t->gran * 2 > g ? t->gran * 2 : g;
		if (!t->gran)
			t->gran = 1;
		remerge(t);
	} while (t->nacc > TL_MAX_PIECES / 2);
	return 0;
}

/* take_sample records the model's state after event i. */
static int take_sample(struct hg_timeline *t, struct hg_model *m, uint64_t i)
{
	hg_addr lo = t->o.range_hi ? t->o.range_lo : 0;
	hg_addr hi = t->o.range_hi ? t->o.range_hi : hg_model_space_end(m);
	struct tl_sample *sm = &t->samples[t->nsamples];

	t->nacc = 0;
	t->gran = 0;
	t->held_now = 0;
	t->heap_now = 0;
	hg_model_regions(m, lo, hi, collect_run, t);
	if (t->heap_now > t->heap_peak)
		t->heap_peak = t->heap_now;
	sm->event = i;
	sm->n = (uint32_t)t->nacc;
	sm->p = t->nacc ? malloc(t->nacc * sizeof(*sm->p)) : NULL;
	if (t->nacc && !sm->p)
		return HG_ENOMEM;
	for (size_t k = 0; k < t->nacc; k++) {
		const struct tl_acc *a = &t->acc[k];
		struct tl_piece *p = &sm->p[k];
		memset(p, 0, sizeof(*p));
		p->lo = a->lo;
		p->hi = a->hi;
		if (a->cls >= 0) {
			p->cls = (uint8_t)a->cls;
			continue;
		}
		p->cls = HG_CLASS_COUNT;
		double span = (double)(a->hi - a->lo);
		for (int c = 1; c < HG_CLASS_COUNT; c++)
			p->share[c] = (uint16_t)lround((double)a->bytes[c] /
						       span * TL_SHARE_ONE);
	}
	t->nsamples++;
	return HG_OK;
}

/* thin keeps every other sample and doubles the stride. */
static void thin(struct hg_timeline *t)
{
	size_t j = 0;

	for (size_t i = 0; i < t->nsamples; i++) {
		if (i % 2)
			t->samples[j++] = t->samples[i];
		else
			free(t->samples[i].p);
	}
	t->nsamples = j;
	t->stride *= 2;
}

void hg_timeline_expect(struct hg_timeline *t, uint64_t nevents)
{
	/* About three samples per column, so that each column's is within
	 * a sixth of a column of its last event, and an estimate up to
	 * twice too high still leaves more than one per column. The stride
	 * never shrinks. */
	uint64_t d = nevents / 3 / (uint64_t)plot_cols(t->width);
	if (d > t->stride)
		t->stride = d;
}

int hg_timeline_event(struct hg_timeline *t, struct hg_model *m, uint64_t i,
		      const struct hg_op *op, const struct hg_op_result *res)
{
	if (t->failed)
		return HG_ENOMEM;
	if (res && res->addr) {
		uint64_t size =
			op && op->kind == HG_OP_ALLOC
				? res->npages * hg_model_config(m)->page_size
				: res->size;
		hg_extents_add(&t->held, res->addr, res->addr + size);
	}
	if (op && op->kind == HG_OP_MARK && op->text) {
		if (t->nmarks < TL_MAX_MARKS) {
			t->marks[t->nmarks].event = i;
			snprintf(t->marks[t->nmarks].text,
				 sizeof(t->marks[t->nmarks].text), "%s",
				 op->text);
			t->nmarks++;
		} else {
			t->marks_dropped++;
		}
	}
	if (i < t->next)
		return HG_OK;
	if (take_sample(t, m, i) != HG_OK || t->held.oom) {
		t->failed = true;
		return HG_ENOMEM;
	}
	t->next = i + t->stride;
	if (t->nsamples > t->max_samples)
		thin(t);
	return HG_OK;
}

void hg_timeline_footprint(const struct hg_timeline *t, size_t *samples,
			   size_t *pieces, uint64_t *stride)
{
	*samples = t->nsamples;
	*pieces = 0;
	for (size_t i = 0; i < t->nsamples; i++)
		*pieces += t->samples[i].n;
	*stride = t->stride;
}

/* sample_rows spreads sample sm over the rows of the axis. */
static void sample_rows(const struct hg_timeline *t, const struct tl_sample *sm,
			uint64_t (*hist)[HG_CLASS_COUNT])
{
	size_t k = 0;

	memset(hist, 0, (size_t)t->rows * sizeof(*hist));
	for (uint32_t j = 0; j < sm->n; j++) {
		const struct tl_piece *p = &sm->p[j];
		while (k < (size_t)t->rows && t->edges[k + 1] <= p->lo)
			k++;
		for (size_t r = k; r < (size_t)t->rows && t->edges[r] < p->hi;
		     r++) {
			hg_addr lo = p->lo > t->edges[r] ? p->lo : t->edges[r];
			hg_addr hi = p->hi < t->edges[r + 1] ? p->hi
							     : t->edges[r + 1];
			if (hi <= lo)
				continue;
			if (p->cls < HG_CLASS_COUNT) {
				hist[r][p->cls] += hi - lo;
				continue;
			}
			for (int c = 1; c < HG_CLASS_COUNT; c++)
				if (p->share[c])
					hist[r][c] += (uint64_t)llround(
						(double)(hi - lo) *
						p->share[c] / TL_SHARE_ONE);
		}
	}
	for (int r = 0; r < t->rows; r++) {
		uint64_t held = 0, size = t->edges[r + 1] - t->edges[r];
		for (int c = 1; c < HG_CLASS_COUNT; c++)
			held += hist[r][c];
		hist[r][HG_CLASS_NONE] = held < size ? size - held : 0;
	}
}

/* layout builds the axis from everything held and fills the columns
 * from the samples, once the event count is known. */
static int layout(struct hg_timeline *t, struct hg_model *m, uint64_t nevents)
{
	uint64_t(*hist)[HG_CLASS_COUNT] = NULL;
	struct hg_extents clipped;
	const struct hg_extents *held = &t->held;
	int rc;

	/* The final state is the last sample. */
	if (!t->nsamples || t->samples[t->nsamples - 1].event + 1 < nevents) {
		if (take_sample(t, m, nevents ? nevents - 1 : 0) != HG_OK)
			return HG_ENOMEM;
	}
	hg_extents_add_model(&t->held, m);
	hg_extents_normalize(&t->held);
	if (t->held.oom)
		return HG_ENOMEM;
	t->nevents = nevents ? nevents : 1;
	t->ncols = plot_cols(t->width);
	if ((uint64_t)t->ncols > t->nevents)
		t->ncols = (int)t->nevents;
	t->colw = (t->width - TL_LEFT - HG_MARGIN) / t->ncols;
	hg_extents_init(&clipped);
	struct hg_extents meta;
	hg_extents_init(&meta);
	hg_extents_metadata_of(&meta, &m, 1);
	hg_addr lo = t->o.range_lo, hi = t->o.range_hi;
	if (!hi && !t->o.show_whole) {
		/* Zoom to the heap when it is a small part of the rest. */
		struct hg_extents rest;
		uint64_t shown = 0;
		hg_extents_init(&rest);
		for (size_t i = 0; i < held->n; i++)
			hg_extents_add(&rest, held->v[i].lo, held->v[i].hi);
		hg_extents_subtract(&rest, &meta);
		for (size_t i = 0; i < rest.n; i++)
			shown += rest.v[i].hi - rest.v[i].lo;
		if (!rest.oom && hg_heap_zoom(t->heap_lo, t->heap_hi,
					      t->heap_peak, shown, &lo, &hi))
			snprintf(t->range_note, sizeof(t->range_note),
				 " (zoomed to the heap: addresses %#" PRIx64
				 " to %#" PRIx64
				 " only; --show whole draws all)",
				 lo, hi);
		hg_extents_release(&rest);
	}
	if (hi) {
		for (size_t i = 0; i < held->n; i++)
			hg_extents_add(&clipped, held->v[i].lo, held->v[i].hi);
		hg_extents_clip(&clipped, lo, hi);
		held = &clipped;
	}
	if (t->o.show_metadata)
		hg_extents_release(&meta);
	rc = meta.oom ? HG_ENOMEM
		      : hg_axis_build_banded(&t->ax, held, &meta, TL_PLOT_H,
					     TL_BAND_ROWS);
	hg_extents_release(&meta);
	hg_extents_release(&clipped);
	if (rc)
		return rc;
	t->rows = t->ax.length;
	t->edges = hg_axis_edges(&t->ax);
	hist = calloc((size_t)t->rows, sizeof(*hist));
	t->cells =
		calloc((size_t)t->rows * (size_t)t->ncols, sizeof(*t->cells));
	t->sampled = calloc((size_t)t->ncols, sizeof(*t->sampled));
	free(t->col_sm);
	t->col_sm = calloc((size_t)t->ncols, sizeof(*t->col_sm));
	if (!t->edges || !hist || !t->cells || !t->sampled || !t->col_sm) {
		free(hist);
		return HG_ENOMEM;
	}
	/* Each column: the sample nearest to its last event (the one at or
	 * before it on a tie; every event's when all were sampled). */
	size_t s = 0;
	const struct tl_sample *done = NULL;
	for (int k = 0; k < t->ncols; k++) {
		uint64_t e = col_end(t, k);
		while (s + 1 < t->nsamples && t->samples[s + 1].event <= e)
			s++;
		const struct tl_sample *sm = &t->samples[s];
		if (s + 1 < t->nsamples && sm->event < e &&
		    t->samples[s + 1].event - e < e - sm->event)
			sm = &t->samples[s + 1];
		if (sm != done) {
			sample_rows(t, sm, hist);
			done = sm;
		}
		struct hg_stack *col = &t->cells[(size_t)k * t->rows];
		for (int r = 0; r < t->rows; r++)
			hg_stack_of(&col[r], hist[r], t->colw * TL_UNITS, 1);
		t->sampled[k] = true;
		t->col_sm[k] = sm;
	}
	free(hist);
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

/*
 * region_of gives, for a tooltip, the exact bounds of the memory of class
 * c under rows [r0, r1) in the sample column k shows: from the lowest to
 * the highest of its pieces there (page-aligned as the model's regions
 * are; a piece that merged sub-pixel regions gives its merged bounds).
 * The row edges when there is none.
 */
static void region_of(const struct hg_timeline *t, int k, int r0, int r1, int c,
		      hg_addr *lo, hg_addr *hi)
{
	const struct tl_sample *sm = t->col_sm ? t->col_sm[k] : NULL;
	hg_addr alo = t->edges[r0], ahi = t->edges[r1];
	bool found = false;

	*lo = alo;
	*hi = ahi;
	if (!sm)
		return;
	/* The first piece that ends above the rows' start. */
	uint32_t a = 0, b = sm->n;
	while (a < b) {
		uint32_t mid = a + (b - a) / 2;
		if (sm->p[mid].hi <= alo)
			a = mid + 1;
		else
			b = mid;
	}
	for (uint32_t j = a; j < sm->n && sm->p[j].lo < ahi; j++) {
		const struct tl_piece *p = &sm->p[j];
		bool has = p->cls < HG_CLASS_COUNT ? p->cls == c
						   : p->share[c] != 0;
		if (!has)
			continue;
		if (!found)
			*lo = p->lo;
		*hi = p->hi;
		found = true;
	}
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
	uint64_t e0 = run->k0 ? col_end(t, run->k0 - 1) + 1 : 0;
	uint64_t e1 = col_end(t, k1 - 1);
	for (int c = 1; c < HG_CLASS_COUNT; c++) {
		if (!run->st.len[c])
			continue;
		hg_addr rlo, rhi;
		region_of(t, run->k0, run->r0, run->r1, c, &rlo, &rhi);
		hg_fmt_hex(lo, sizeof(lo), rlo);
		hg_fmt_hex(hi, sizeof(hi), rhi);
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
		if (sg->band) {
			struct hg_item *it = hg_scene_line(
				s, x0 - 3.5, yt, x0 - 3.5, yb, 0xb0b0b0, 3);
			hg_band_title(s, it, sg);
			hg_fmt_bytes(a, sizeof(a), sg->hi - sg->lo);
			double cy = (yt + yb) / 2 + 4;
			if (cy > last_y - 11)
				cy = last_y - 11;
			it = hg_scene_text(s, x0 - 8, cy, HG_FONT_SANS, 10,
					   HG_ANCHOR_END, HG_AXIS_RGB,
					   "metadata %s", a);
			if (it)
				it->role = "band";
			last_y = cy;
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
	const struct hg_stats *st = hg_model_stats(m);
	char sub[256], moment[768];
	int rc;

	*out = NULL;
	if (t->failed)
		return HG_ENOMEM;
	if (!t->edges && (rc = layout(t, m, nevents)) != HG_OK)
		return rc;
	struct hg_scene *s = hg_scene_new(t->width, 0);
	double x0 = TL_LEFT, plot_w = (double)t->ncols * t->colw;
	if (!s)
		return HG_ENOMEM;
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
	struct hg_labels *lab = malloc(sizeof(*lab));
	int *mark_row = calloc(t->nmarks + 1, sizeof(*mark_row));
	if (!lab || !mark_row) {
		free(lab);
		free(mark_row);
		hg_scene_free(s);
		return HG_ENOMEM;
	}
	hg_labels_init(lab, 3, false);
	for (size_t i = 0; i < t->nmarks; i++) {
		double x = floor(event_x(t, x0, t->marks[i].event)) + 0.5;
		double w = hg_text_width(t->marks[i].text, HG_FONT_SANS, 10);
		bool flip = x + w > t->width - 4;
		double a = flip ? x + 2 - w : x - 2;
		int r = hg_labels_place(lab, x, a, a + w);
		mark_row[i] = r;
		if (r >= 0) {
			struct hg_item *it = hg_scene_text(
				s, flip ? x + 2 : x - 2, mark_top + 10 + 13 * r,
				HG_FONT_SANS, 10,
				flip ? HG_ANCHOR_END : HG_ANCHOR_START,
				HG_TEXT_RGB, "%s", t->marks[i].text);
			if (it)
				it->role = "mark";
		}
	}
	free(lab);
	struct hg_item *it =
		hg_scene_rect(s, x0, top, plot_w, t->rows, 0xfafafa);
	if (it)
		it->role = "axis";
	draw_cells(s, t, x0, top);
	draw_address_axis(s, t, x0, plot_w, top);
	/* Arena boundaries at the end, as thin ticks on the right. */
	for (size_t i = 0; i < t->nmarks; i++) {
		double x = floor(event_x(t, x0, t->marks[i].event)) + 0.5;
		/* From under its label (an elided one's: under the rows). */
		int r = mark_row[i] >= 0 ? mark_row[i] : 2;
		it = hg_scene_line(s, x, mark_top + 12 + 13 * r, x,
				   top + t->rows, 0x000000, 1);
		if (it) {
			it->dash = true;
			it->role = "mark";
			hg_item_set_title(s, it,
					  "mark \"%s\" at event %" PRIu64,
					  t->marks[i].text, t->marks[i].event);
		}
	}
	free(mark_row);
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
	y = hg_band_note(s, &t->ax, y);
	/* The peak of each class: a class that filled the middle of the
	 * replay and was gone at the end still shows its size. */
	y = hg_draw_legend(s, y, st->peak.classes,
			   "Memory classes (the peak of each over the replay)");
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
