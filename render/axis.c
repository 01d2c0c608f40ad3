/*
 * axis.c - the folded address axis shared by maps, comparisons and
 * timelines.
 */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hg_extents_init(struct hg_extents *e)
{
	memset(e, 0, sizeof(*e));
}

void hg_extents_release(struct hg_extents *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}

void hg_extents_add(struct hg_extents *e, hg_addr lo, hg_addr hi)
{
	if (hi <= lo || e->oom)
		return;
	/* Extend the last interval when touching (regions arrive in order). */
	if (e->n && e->v[e->n - 1].hi == lo) {
		e->v[e->n - 1].hi = hi;
		return;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 64;
		void *v = realloc(e->v, cap * sizeof(*e->v));
		if (!v) {
			e->oom = true;
			return;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n].lo = lo;
	e->v[e->n].hi = hi;
	e->n++;
	/* Keep memory bounded on long replays: merge what overlaps, and
	 * next time at twice what is left (so that many disjoint
	 * intervals do not sort again at every add). */
	if (e->n >= (e->norm_at ? e->norm_at : 1u << 16)) {
		hg_extents_normalize(e);
		e->norm_at = 2 * e->n > (1u << 16) ? 2 * e->n : 1u << 16;
	}
}

static int add_region(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	(void)c;
	hg_extents_add(arg, base, end);
	return 0;
}

void hg_extents_add_model(struct hg_extents *e, struct hg_model *m)
{
	hg_model_regions(m, 0, hg_model_space_end(m), add_region, e);
	hg_model_arenas(m, add_region, e);
}

static int cmp_iv(const void *a, const void *b)
{
	const hg_addr *x = a, *y = b;
	return x[0] < y[0]   ? -1
	       : x[0] > y[0] ? 1
			     : (x[1] > y[1]) - (x[1] < y[1]);
}

void hg_extents_normalize(struct hg_extents *e)
{
	size_t j = 0;

	if (!e->n)
		return;
	qsort(e->v, e->n, sizeof(*e->v), cmp_iv);
	for (size_t i = 1; i < e->n; i++) {
		if (e->v[i].lo <= e->v[j].hi) {
			if (e->v[i].hi > e->v[j].hi)
				e->v[j].hi = e->v[i].hi;
		} else {
			e->v[++j] = e->v[i];
		}
	}
	e->n = j + 1;
}

void hg_extents_clip(struct hg_extents *e, hg_addr lo, hg_addr hi)
{
	size_t j = 0;

	for (size_t i = 0; i < e->n; i++) {
		hg_addr a = e->v[i].lo > lo ? e->v[i].lo : lo;
		hg_addr b = e->v[i].hi < hi ? e->v[i].hi : hi;
		if (a < b) {
			e->v[j].lo = a;
			e->v[j].hi = b;
			j++;
		}
	}
	e->n = j;
	/* Nothing held there: show the range itself, empty. */
	if (!e->n)
		hg_extents_add(e, lo, hi);
}

void hg_axis_release(struct hg_axis *a)
{
	free(a->seg);
	memset(a, 0, sizeof(*a));
}

int hg_axis_build(struct hg_axis *a, const struct hg_extents *e, int length)
{
	uint64_t held = 0;
	size_t nseg = 0, k = 0;

	memset(a, 0, sizeof(*a));
	if (!e->n || length < 16)
		return HG_EINVAL;
	for (size_t i = 0; i < e->n; i++)
		held += e->v[i].hi - e->v[i].lo;
	uint64_t fold_min = held / 16;
	/* Segments: runs of extents whose gaps are small. */
	struct hg_axis_seg *seg = calloc(2 * e->n, sizeof(*seg));
	if (!seg)
		return HG_ENOMEM;
	seg[0] = (struct hg_axis_seg){ e->v[0].lo, e->v[0].hi, 0, 0, false };
	for (size_t i = 1; i < e->n; i++) {
		uint64_t gap = e->v[i].lo - seg[k].hi;
		if (gap <= fold_min) {
			seg[k].hi = e->v[i].hi;
			continue;
		}
		hg_addr gap_lo = seg[k].hi;
		k++;
		seg[k] = (struct hg_axis_seg){ gap_lo, e->v[i].lo, 0, 0, true };
		k++;
		seg[k] = (struct hg_axis_seg){ e->v[i].lo, e->v[i].hi, 0, 0,
					       false };
	}
	a->n = k + 1;
	a->seg = seg;
	a->length = length;
	for (size_t i = 0; i < a->n; i++)
		nseg += !seg[i].fold;
	/* Widths: linear when the segments are of similar size, else sqrt. */
	uint64_t bmin = UINT64_MAX, bmax = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (seg[i].fold)
			continue;
		uint64_t b = seg[i].hi - seg[i].lo;
		bmin = b < bmin ? b : bmin;
		bmax = b > bmax ? b : bmax;
	}
	a->to_scale = nseg == 1 || bmax / 16 <= bmin;
	int avail = length - HG_FOLD_PX * (int)(nseg - 1);
	if (avail < (int)nseg * 8) /* too many folds: give up folding width */
		avail = (int)nseg * 8;
	double wsum = 0, minw = avail * 0.04;
	double *w = calloc(a->n, sizeof(*w));
	if (!w) {
		hg_axis_release(a);
		return HG_ENOMEM;
	}
	for (int pass = 0; pass < 2; pass++) {
		wsum = 0;
		for (size_t i = 0; i < a->n; i++) {
			if (seg[i].fold)
				continue;
			double b = (double)(seg[i].hi - seg[i].lo);
			if (pass == 0)
				w[i] = a->to_scale ? b : sqrt(b);
			wsum += w[i];
		}
		if (a->to_scale)
			break;
		/* No segment narrower than 4% of the width. */
		for (size_t i = 0; i < a->n; i++)
			if (!seg[i].fold && w[i] / wsum * avail < minw)
				w[i] = minw / avail * wsum;
	}
	double acc = 0;
	int p = 0, used = 0;
	for (size_t i = 0; i < a->n; i++) {
		seg[i].p0 = p;
		if (seg[i].fold) {
			p += HG_FOLD_PX;
		} else {
			acc += w[i];
			int np = (int)lround(acc / wsum * avail) - used;
			if (np < 1)
				np = 1;
			used += np;
			p += np;
		}
		seg[i].p1 = p;
	}
	a->length = p;
	free(w);
	return HG_OK;
}

hg_addr *hg_axis_edges(const struct hg_axis *a)
{
	hg_addr *edges = malloc(((size_t)a->length + 1) * sizeof(*edges));
	if (!edges)
		return NULL;
	for (size_t i = 0; i < a->n; i++) {
		const struct hg_axis_seg *s = &a->seg[i];
		int w = s->p1 - s->p0;
		for (int j = 0; j < w; j++) {
			if (s->fold) {
				edges[s->p0 + j] = j == 0 ? s->lo : s->hi;
				continue;
			}
			/* lo + (hi - lo) * j / w without overflow. */
			uint64_t span = s->hi - s->lo;
			uint64_t q = span / (uint64_t)w, r = span % (uint64_t)w;
			edges[s->p0 + j] = s->lo + q * (uint64_t)j +
					   r * (uint64_t)j / (uint64_t)w;
		}
	}
	edges[a->length] = a->seg[a->n - 1].hi;
	return edges;
}

double hg_axis_pos(const struct hg_axis *a, hg_addr v)
{
	if (!a->n || v <= a->seg[0].lo)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct hg_axis_seg *s = &a->seg[i];
		if (v >= s->hi)
			continue;
		if (s->fold)
			return s->p0 + (s->p1 - s->p0) / 2.0;
		return s->p0 + (double)(v - s->lo) / (double)(s->hi - s->lo) *
				       (s->p1 - s->p0);
	}
	return a->length;
}
