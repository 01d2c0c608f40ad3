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

/* A piece of the extents, inside the metadata or not. */
struct piece {
	hg_addr lo, hi;
	bool meta;
};

/* split_pieces cuts the extents at the metadata's bounds. Returns the
 * number of pieces (v holds up to e->n + 2 * meta->n), -1 on host OOM. */
static long split_pieces(struct piece **out, const struct hg_extents *e,
			 const struct hg_extents *meta)
{
	size_t nm = meta ? meta->n : 0, k = 0, j = 0;
	struct piece *v = calloc(e->n + 2 * nm + 1, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < e->n; i++) {
		hg_addr lo = e->v[i].lo, hi = e->v[i].hi;
		while (j < nm && meta->v[j].hi <= lo)
			j++;
		for (size_t q = j; lo < hi; q++) {
			if (q >= nm || meta->v[q].lo >= hi) {
				v[k++] = (struct piece){ lo, hi, false };
				break;
			}
			hg_addr ml = meta->v[q].lo > lo ? meta->v[q].lo : lo;
			hg_addr mh = meta->v[q].hi < hi ? meta->v[q].hi : hi;
			if (ml > lo)
				v[k++] = (struct piece){ lo, ml, false };
			v[k++] = (struct piece){ ml, mh, true };
			lo = mh;
		}
	}
	*out = v;
	return (long)k;
}

int hg_axis_build(struct hg_axis *a, const struct hg_extents *e, int length)
{
	return hg_axis_build_banded(a, e, NULL, length, 0);
}

int hg_axis_build_banded(struct hg_axis *a, const struct hg_extents *e,
			 const struct hg_extents *meta, int length, int band_px)
{
	uint64_t held = 0, all = 0;
	size_t nseg = 0, nband = 0, k = 0;
	struct piece *pc = NULL;

	memset(a, 0, sizeof(*a));
	if (!e->n || length < 16)
		return HG_EINVAL;
	long np = split_pieces(&pc, e, band_px > 0 ? meta : NULL);
	if (np < 0)
		return HG_ENOMEM;
	for (long i = 0; i < np; i++) {
		all += pc[i].hi - pc[i].lo;
		if (!pc[i].meta)
			held += pc[i].hi - pc[i].lo;
	}
	/* Only metadata, or too little of it to matter (under a quarter
	 * of the rest): draw it as anything else. */
	if (!held || all - held < held / 4) {
		for (long i = 0; i < np; i++)
			pc[i].meta = false;
		held = all;
	}
	uint64_t fold_min = held / 16;
	/* Segments: runs of pieces of one kind whose gaps are small; the
	 * small gap between two kinds goes to the segment that is not a
	 * band. */
	struct hg_axis_seg *seg = calloc(2 * (size_t)np + 1, sizeof(*seg));
	if (!seg) {
		free(pc);
		return HG_ENOMEM;
	}
	seg[0] = (struct hg_axis_seg){ pc[0].lo, pc[0].hi, 0,
				       0,        false,    pc[0].meta };
	for (long i = 1; i < np; i++) {
		uint64_t gap = pc[i].lo - seg[k].hi;
		if (gap <= fold_min && pc[i].meta == seg[k].band) {
			seg[k].hi = pc[i].hi;
			continue;
		}
		if (gap <= fold_min) {
			if (seg[k].band) {
				k++;
				seg[k] = (struct hg_axis_seg){
					seg[k - 1].hi, pc[i].hi, 0, 0,
					false,         false
				};
			} else {
				seg[k].hi = pc[i].lo;
				k++;
				seg[k] = (struct hg_axis_seg){
					pc[i].lo, pc[i].hi, 0, 0, false, true
				};
			}
			continue;
		}
		hg_addr gap_lo = seg[k].hi;
		k++;
		seg[k] = (struct hg_axis_seg){ gap_lo, pc[i].lo, 0,
					       0,      true,     false };
		k++;
		seg[k] = (struct hg_axis_seg){ pc[i].lo, pc[i].hi, 0,
					       0,        false,    pc[i].meta };
	}
	free(pc);
	a->n = k + 1;
	a->seg = seg;
	a->length = length;
	size_t nfold = 0;
	for (size_t i = 0; i < a->n; i++) {
		nseg += !seg[i].fold && !seg[i].band;
		nband += seg[i].band;
		nfold += seg[i].fold;
	}
	/* Widths: linear when the segments are of similar size, else sqrt. */
	uint64_t bmin = UINT64_MAX, bmax = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (seg[i].fold || seg[i].band)
			continue;
		uint64_t b = seg[i].hi - seg[i].lo;
		bmin = b < bmin ? b : bmin;
		bmax = b > bmax ? b : bmax;
	}
	a->to_scale = nseg == 1 || bmax / 16 <= bmin;
	int avail = length - HG_FOLD_PX * (int)nfold - band_px * (int)nband;
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
			if (seg[i].fold || seg[i].band)
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
			if (!seg[i].fold && !seg[i].band &&
			    w[i] / wsum * avail < minw)
				w[i] = minw / avail * wsum;
	}
	double acc = 0;
	int p = 0, used = 0;
	for (size_t i = 0; i < a->n; i++) {
		seg[i].p0 = p;
		if (seg[i].fold) {
			p += HG_FOLD_PX;
		} else if (seg[i].band) {
			p += band_px;
		} else {
			acc += w[i];
			int np1 = (int)lround(acc / wsum * avail) - used;
			if (np1 < 1)
				np1 = 1;
			used += np1;
			p += np1;
		}
		seg[i].p1 = p;
	}
	a->length = p;
	free(w);
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Metadata                                                            */
/* ------------------------------------------------------------------ */

struct meta_walk {
	struct hg_extents *out;
	const struct hg_extents *res; /* the reservations, normalized */
	size_t ires;
	const struct hg_extents *ar; /* the heap arenas, normalized */
	hg_addr lo, hi;              /* the chain of touching candidate runs */
	bool touches;                /* the chain holds a reservation */
};

static int collect_iv(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct hg_extents *e = arg;
	(void)c;
	hg_extents_add(e, base, end);
	return 0;
}

static bool in_arena(const struct meta_walk *w, hg_addr base, hg_addr end)
{
	size_t lo = 0, hi = w->ar->n;
	while (lo < hi) { /* first arena ending after base */
		size_t mid = (lo + hi) / 2;
		if (w->ar->v[mid].hi <= base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->ar->n && w->ar->v[lo].lo < end;
}

static void chain_end(struct meta_walk *w)
{
	if (w->hi > w->lo && w->touches)
		hg_extents_add(w->out, w->lo, w->hi);
	w->lo = w->hi = 0;
	w->touches = false;
}

static int meta_run(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct meta_walk *w = arg;
	while (w->ires < w->res->n && w->res->v[w->ires].hi <= base)
		w->ires++;
	bool reserved = w->ires < w->res->n && w->res->v[w->ires].lo < end;
	bool cand = reserved || (c == HG_CLASS_SYS && !in_arena(w, base, end));
	if (!cand || base != w->hi)
		chain_end(w);
	if (!cand)
		return 0;
	if (w->hi <= w->lo)
		w->lo = base;
	w->hi = end;
	w->touches |= reserved;
	return 0;
}

void hg_extents_add_metadata(struct hg_extents *e, struct hg_model *m)
{
	struct hg_extents res, ar;
	hg_extents_init(&res);
	hg_extents_init(&ar);
	hg_model_metadata(m, collect_iv, &res);
	hg_model_arenas(m, collect_iv, &ar);
	hg_extents_normalize(&res);
	hg_extents_normalize(&ar);
	if (res.oom || ar.oom) {
		e->oom = true;
	} else if (res.n) {
		struct meta_walk w = { e, &res, 0, &ar, 0, 0, false };
		hg_model_regions(m, 0, hg_model_space_end(m), meta_run, &w);
		chain_end(&w);
	}
	hg_extents_release(&res);
	hg_extents_release(&ar);
}

void hg_extents_subtract(struct hg_extents *a, const struct hg_extents *b)
{
	struct hg_extents out;
	size_t j = 0;
	hg_extents_init(&out);
	for (size_t i = 0; i < a->n; i++) {
		hg_addr lo = a->v[i].lo, hi = a->v[i].hi;
		while (j < b->n && b->v[j].hi <= lo)
			j++;
		for (size_t q = j; q < b->n && b->v[q].lo < hi && lo < hi;
		     q++) {
			if (b->v[q].lo > lo)
				hg_extents_add(&out, lo, b->v[q].lo);
			if (b->v[q].hi > lo)
				lo = b->v[q].hi;
		}
		if (lo < hi)
			hg_extents_add(&out, lo, hi);
	}
	if (out.oom) {
		a->oom = true;
		hg_extents_release(&out);
		return;
	}
	free(a->v);
	*a = out;
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

void hg_extents_metadata_of(struct hg_extents *meta,
			    struct hg_model *const *models, size_t n)
{
	struct hg_extents other;
	hg_extents_init(&other);
	for (size_t i = 0; i < n; i++) {
		struct hg_extents mi, hi;
		hg_extents_init(&mi);
		hg_extents_init(&hi);
		hg_extents_add_metadata(&mi, models[i]);
		hg_extents_add_model(&hi, models[i]);
		hg_extents_normalize(&mi);
		hg_extents_normalize(&hi);
		hg_extents_subtract(&hi, &mi);
		for (size_t k = 0; k < mi.n; k++)
			hg_extents_add(meta, mi.v[k].lo, mi.v[k].hi);
		for (size_t k = 0; k < hi.n; k++)
			hg_extents_add(&other, hi.v[k].lo, hi.v[k].hi);
		meta->oom |= mi.oom || hi.oom;
		hg_extents_release(&mi);
		hg_extents_release(&hi);
	}
	hg_extents_normalize(meta);
	hg_extents_normalize(&other);
	/* What one configuration holds as heap is never squeezed into
	 * another's band. */
	hg_extents_subtract(meta, &other);
	meta->oom |= other.oom;
	hg_extents_release(&other);
}

/* ------------------------------------------------------------------ */
/* Zoom to the heap                                                    */
/* ------------------------------------------------------------------ */

bool hg_heap_zoom(hg_addr hlo, hg_addr hhi, uint64_t heap_bytes, uint64_t shown,
		  hg_addr *lo, hg_addr *hi)
{
	if (hhi <= hlo || !heap_bytes || heap_bytes >= shown / 16)
		return false;
	/* The smallest power of two at least the heap's extent, and the
	 * heap's extent aligned to it (one or two of them). */
	uint64_t a = 1;
	while (a < hhi - hlo && a < (UINT64_C(1) << 62))
		a <<= 1;
	hg_addr l = hlo / a * a;
	hg_addr h = (hhi + a - 1) / a * a;
	if (h < hhi) /* wrapped at the top of the address space */
		h = hhi;
	/* Not worth it when that is most of what is shown anyway. */
	if (h - l >= shown / 4)
		return false;
	*lo = l;
	*hi = h;
	return true;
}

struct heap_walk {
	hg_addr lo, hi;
	uint64_t bytes;
};

/* The heap's extent takes in its released pages too (a zoom must not
 * hide what the OS was given back); only the pages in use and free count
 * as its size. */
static int heap_run(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct heap_walk *w = arg;
	if (c != HG_CLASS_HEAP_INUSE && c != HG_CLASS_HEAP_FREE &&
	    c != HG_CLASS_RELEASED)
		return 0;
	if (w->hi <= w->lo || base < w->lo)
		w->lo = base;
	if (end > w->hi)
		w->hi = end;
	if (c != HG_CLASS_RELEASED)
		w->bytes += end - base;
	return 0;
}

bool hg_auto_zoom(struct hg_model *const *models, size_t n, hg_addr *lo,
		  hg_addr *hi)
{
	struct hg_extents ext, meta;
	struct heap_walk all = { 0, 0, 0 };
	uint64_t heap = 0, shown = 0;

	hg_extents_init(&ext);
	hg_extents_init(&meta);
	for (size_t i = 0; i < n; i++) {
		struct heap_walk w = { 0, 0, 0 };
		hg_model_regions(models[i], 0, hg_model_space_end(models[i]),
				 heap_run, &w);
		if (w.hi > w.lo) {
			if (all.hi <= all.lo || w.lo < all.lo)
				all.lo = w.lo;
			if (w.hi > all.hi)
				all.hi = w.hi;
			all.bytes += w.bytes;
		}
		if (w.bytes > heap)
			heap = w.bytes;
		hg_extents_add_model(&ext, models[i]);
	}
	hg_extents_normalize(&ext);
	hg_extents_metadata_of(&meta, models, n);
	hg_extents_subtract(&ext, &meta);
	for (size_t i = 0; i < ext.n; i++)
		shown += ext.v[i].hi - ext.v[i].lo;
	bool ok = !ext.oom && !meta.oom &&
		  hg_heap_zoom(all.lo, all.hi, heap, shown, lo, hi);
	hg_extents_release(&ext);
	hg_extents_release(&meta);
	return ok;
}
