/*
 * vas.c - the simulated address space: the process's mappings (vmas) in a
 * treap ordered by address, augmented like the kernel's VMA tree with the
 * largest free gap below each subtree, so that lookups, inserts, removals
 * and the placement of a new mapping all take logarithmic time.
 *
 * It holds one entry per reservation or mapping piece (heap arenas,
 * off-heap allocations, foreign mappings), not one per span: the
 * Prepared/Ready split of heap memory lives in the page allocator's
 * scavenged bits, so replaying spans rarely touches it.
 */
#include "internal.h"
#include "os.h"

#include <stdlib.h>
#include <string.h>

struct hg_vnode {
	struct hg_vma v; /* first: a vma pointer is a node pointer */
	struct hg_vnode *l, *r;
	uint64_t prio;
	uint64_t gap;     /* free bytes between the previous vma and v */
	uint64_t max_gap; /* largest gap in this subtree */
};

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void pull(struct hg_vnode *t)
{
	uint64_t g = t->gap;
	if (t->l)
		g = max64(g, t->l->max_gap);
	if (t->r)
		g = max64(g, t->r->max_gap);
	t->max_gap = g;
}

static struct hg_vnode *rot_right(struct hg_vnode *t)
{
	struct hg_vnode *l = t->l;
	t->l = l->r;
	l->r = t;
	pull(t);
	pull(l);
	return l;
}

static struct hg_vnode *rot_left(struct hg_vnode *t)
{
	struct hg_vnode *r = t->r;
	t->r = r->l;
	r->l = t;
	pull(t);
	pull(r);
	return r;
}

static struct hg_vnode *tree_insert(struct hg_vnode *t, struct hg_vnode *x)
{
	if (!t)
		return x;
	if (x->v.base < t->v.base) {
		t->l = tree_insert(t->l, x);
		if (t->l->prio > t->prio)
			return rot_right(t);
	} else {
		t->r = tree_insert(t->r, x);
		if (t->r->prio > t->prio)
			return rot_left(t);
	}
	pull(t);
	return t;
}

static struct hg_vnode *tree_join(struct hg_vnode *a, struct hg_vnode *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (a->prio > b->prio) {
		a->r = tree_join(a->r, b);
		pull(a);
		return a;
	}
	b->l = tree_join(a, b->l);
	pull(b);
	return b;
}

/* Unlinks the node with this base; *out gets it. */
static struct hg_vnode *tree_delete(struct hg_vnode *t, hg_addr base,
				    struct hg_vnode **out)
{
	if (!t)
		return NULL;
	if (base < t->v.base)
		t->l = tree_delete(t->l, base, out);
	else if (base > t->v.base)
		t->r = tree_delete(t->r, base, out);
	else {
		*out = t;
		return tree_join(t->l, t->r);
	}
	pull(t);
	return t;
}

/* Recomputes the aggregates on the path to the node with this base. */
static void tree_repull(struct hg_vnode *t, hg_addr base)
{
	if (!t)
		return;
	if (base < t->v.base)
		tree_repull(t->l, base);
	else if (base > t->v.base)
		tree_repull(t->r, base);
	pull(t);
}

/* The last node with base <= a. */
static struct hg_vnode *tree_floor(const struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *t = s->root, *best = NULL;
	while (t) {
		if (t->v.base <= a) {
			best = t;
			t = t->r;
		} else {
			t = t->l;
		}
	}
	return best;
}

/* The first node with base > a. */
static struct hg_vnode *tree_above(const struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *t = s->root, *best = NULL;
	while (t) {
		if (t->v.base > a) {
			best = t;
			t = t->l;
		} else {
			t = t->r;
		}
	}
	return best;
}

/* The last node with base < a. */
static struct hg_vnode *tree_below(const struct hg_vas *s, hg_addr a)
{
	return a == 0 ? NULL : tree_floor(s, a - 1);
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

const struct hg_vma *hg_vas_find(const struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *f = tree_floor(s, a);
	return f && a < f->v.end ? &f->v : NULL;
}

const struct hg_vma *hg_vas_first(const struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *f = tree_floor(s, a);
	if (f && a < f->v.end)
		return &f->v;
	f = tree_above(s, a);
	return f ? &f->v : NULL;
}

const struct hg_vma *hg_vas_next(const struct hg_vas *s, const struct hg_vma *v)
{
	struct hg_vnode *n = tree_above(s, v->base);
	return n ? &n->v : NULL;
}

const struct hg_vma *hg_vas_prev(const struct hg_vas *s, const struct hg_vma *v)
{
	struct hg_vnode *n = tree_below(s, v->base);
	return n ? &n->v : NULL;
}

const struct hg_vma *hg_vas_last(const struct hg_vas *s)
{
	struct hg_vnode *t = s->root;
	while (t && t->r)
		t = t->r;
	return t ? &t->v : NULL;
}

bool hg_vas_free_range(const struct hg_vas *s, hg_addr base, hg_addr end)
{
	if (base < s->lo || end > s->hi || end <= base)
		return false;
	const struct hg_vma *v = hg_vas_first(s, base);
	return !v || v->base >= end;
}

uint64_t hg_vas_bytes(const struct hg_vas *s, hg_addr base, hg_addr end,
		      int state)
{
	uint64_t sum = 0;
	for (const struct hg_vma *v = hg_vas_first(s, base); v && v->base < end;
	     v = hg_vas_next(s, v)) {
		if (state >= 0 && v->state != state)
			continue;
		sum += (v->end < end ? v->end : end) - max64(v->base, base);
	}
	return sum;
}

/* ------------------------------------------------------------------ */
/* Placement                                                           */
/* ------------------------------------------------------------------ */

/* Where n bytes go in the gap [lo, hi), top-down or bottom-up; 0 = no fit. */
static hg_addr gap_fit(const struct hg_vas *s, hg_addr lo, hg_addr hi,
		       uint64_t n, bool down)
{
	uint64_t g = s->granularity;
	if (hi <= lo || hi - lo < n)
		return 0;
	if (down) {
		hg_addr a = HG_ALIGN_DOWN(hi - n, g);
		return a >= lo ? a : 0;
	}
	hg_addr a = HG_ALIGN_UP(lo, g);
	return a >= lo && a <= hi && hi - a >= n ? a : 0;
}

/* The end of the vma before t (or the space's start). */
static hg_addr pred_end(const struct hg_vas *s, const struct hg_vnode *t)
{
	struct hg_vnode *p = tree_below(s, t->v.base);
	return p ? p->v.end : s->lo;
}

/* Highest gap below bound (nodes with base < bound) where n fits. */
static hg_addr search_down(const struct hg_vas *s, const struct hg_vnode *t,
			   hg_addr bound, uint64_t n)
{
	if (!t || t->max_gap < n)
		return 0;
	if (t->v.base >= bound)
		return search_down(s, t->l, bound, n);
	hg_addr a = search_down(s, t->r, bound, n);
	if (a)
		return a;
	if (t->gap >= n) {
		a = gap_fit(s, t->v.base - t->gap, t->v.base, n, true);
		if (a)
			return a;
	}
	return search_down(s, t->l, bound, n);
}

/* Lowest gap before any vma where n fits. */
static hg_addr search_up(const struct hg_vas *s, const struct hg_vnode *t,
			 uint64_t n)
{
	if (!t || t->max_gap < n)
		return 0;
	hg_addr a = search_up(s, t->l, n);
	if (a)
		return a;
	if (t->gap >= n) {
		a = gap_fit(s, t->v.base - t->gap, t->v.base, n, false);
		if (a)
			return a;
	}
	return search_up(s, t->r, n);
}

hg_addr hg_vas_place(const struct hg_vas *s, hg_addr hint, uint64_t n)
{
	uint64_t g = s->granularity;
	if (n == 0 || n > s->hi - s->lo)
		return 0;
	if (hint != 0 && hint % g == 0 && hint + n > hint &&
	    hg_vas_free_range(s, hint, hint + n))
		return hint;
	const struct hg_vma *last = hg_vas_last(s);
	hg_addr last_end = last ? last->end : s->lo;
	if (s->placement == HG_PLACE_BOTTOMUP) {
		hg_addr a = search_up(s, s->root, n);
		return a ? a : gap_fit(s, last_end, s->hi, n, false);
	}
	/* Top-down below mmap_base: first the gap that holds the top. */
	hg_addr top = s->mmap_base ? s->mmap_base : s->hi;
	const struct hg_vma *b = hg_vas_first(s, top);
	hg_addr a;
	if (b) {
		hg_addr hi = b->base < top ? b->base : top;
		a = gap_fit(s, pred_end(s, (const struct hg_vnode *)b), hi, n,
			    true);
	} else {
		a = gap_fit(s, last_end, top, n, true);
	}
	if (a)
		return a;
	return search_down(s, s->root, b ? b->base : s->hi, n);
}

/* ------------------------------------------------------------------ */
/* Changes                                                             */
/* ------------------------------------------------------------------ */

static uint64_t next_prio(struct hg_vas *s)
{
	/* xorshift64*: deterministic, so replays are reproducible. */
	uint64_t x = s->seed;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->seed = x;
	return x * 0x2545f4914f6cdd1dull;
}

int hg_vas_init(struct hg_vas *s, hg_addr lo, hg_addr hi, hg_addr mmap_base,
		uint64_t page, uint64_t granularity, enum hg_placement place)
{
	memset(s, 0, sizeof(*s));
	s->lo = lo;
	s->hi = hi;
	s->mmap_base = mmap_base;
	s->page = page;
	s->granularity = granularity < page ? page : granularity;
	s->placement = place;
	s->seed = 0x9e3779b97f4a7c15ull;
	return HG_OK;
}

static void free_tree(struct hg_vnode *t)
{
	if (!t)
		return;
	free_tree(t->l);
	free_tree(t->r);
	free(t);
}

void hg_vas_release(struct hg_vas *s)
{
	free_tree(s->root);
	memset(s, 0, sizeof(*s));
}

/* Sets t's gap from its predecessor and fixes the aggregates above it. */
static void refresh_gap(struct hg_vas *s, struct hg_vnode *t)
{
	if (!t)
		return;
	t->gap = t->v.base - pred_end(s, t);
	tree_repull(s->root, t->v.base);
}

static struct hg_vnode *add_node(struct hg_vas *s, const struct hg_vma *m)
{
	struct hg_vnode *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->v = *m;
	x->prio = next_prio(s);
	s->root = tree_insert(s->root, x);
	s->n++;
	refresh_gap(s, x);
	refresh_gap(s, tree_above(s, x->v.base));
	return x;
}

static void drop_node(struct hg_vas *s, hg_addr base)
{
	struct hg_vnode *x = NULL;
	s->root = tree_delete(s->root, base, &x);
	if (!x)
		return;
	s->n--;
	free(x);
	refresh_gap(s, tree_above(s, base));
}

static bool same_attrs(const struct hg_vma *a, const struct hg_vma *b)
{
	return a->resv == b->resv && a->owner == b->owner &&
	       a->state == b->state && a->heap == b->heap &&
	       a->stranded == b->stranded;
}

/* Merges the vma starting at base with touching neighbours that agree. */
static void merge_around(struct hg_vas *s, hg_addr base)
{
	struct hg_vnode *t = tree_floor(s, base);
	if (!t || t->v.base != base)
		return;
	/* Extend first, so the gap after the dropped piece stays right. */
	struct hg_vnode *nx = tree_above(s, base);
	if (nx && t->v.end == nx->v.base && same_attrs(&t->v, &nx->v)) {
		hg_addr nb = nx->v.base;
		t->v.end = nx->v.end;
		drop_node(s, nb);
	}
	struct hg_vnode *pv = tree_below(s, base);
	if (pv && pv->v.end == t->v.base && same_attrs(&pv->v, &t->v)) {
		pv->v.end = t->v.end;
		drop_node(s, base);
	}
}

int hg_vas_insert(struct hg_vas *s, const struct hg_vma *m)
{
	HG_ASSERT(m->base < m->end);
	if (!hg_vas_free_range(s, m->base, m->end))
		return HG_EINVAL;
	if (!add_node(s, m))
		return HG_ENOMEM;
	merge_around(s, m->base);
	return HG_OK;
}

/* Split so that a vma boundary falls at a (if a is inside a vma). */
static int split_at(struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *t = tree_floor(s, a);
	if (!t || t->v.base == a || a >= t->v.end)
		return HG_OK;
	struct hg_vma tail = t->v;
	tail.base = a;
	t->v.end = a;
	return add_node(s, &tail) ? HG_OK : HG_ENOMEM;
}

/* Applies fn to every vma piece of [base, end), then merges around them. */
static int vas_update(struct hg_vas *s, hg_addr base, hg_addr end,
		      void (*fn)(struct hg_vma *v, int a, int b), int a, int b)
{
	if (end <= base)
		return HG_OK;
	int err = split_at(s, base);
	if (!err)
		err = split_at(s, end);
	if (err)
		return err;
	hg_addr last = base;
	for (const struct hg_vma *v = hg_vas_first(s, base); v && v->base < end;
	     v = hg_vas_next(s, v)) {
		fn((struct hg_vma *)v, a, b);
		last = v->base;
	}
	/* Merge from the last piece down to the first and its neighbours. */
	for (const struct hg_vma *v = hg_vas_first(s, last); v;) {
		hg_addr vb = v->base;
		const struct hg_vma *p = hg_vas_prev(s, v);
		merge_around(s, vb);
		if (vb <= base || !p)
			break;
		v = p;
	}
	return HG_OK;
}

static void set_state(struct hg_vma *v, int state, int stranded)
{
	v->state = (unsigned char)state;
	if (stranded >= 0)
		v->stranded = (unsigned char)stranded;
}

static void set_heap(struct hg_vma *v, int a, int b)
{
	(void)a, (void)b;
	v->heap = 1;
}

int hg_vas_set(struct hg_vas *s, hg_addr base, hg_addr end, int state,
	       int stranded)
{
	return vas_update(s, base, end, set_state, state, stranded);
}

int hg_vas_set_heap(struct hg_vas *s, hg_addr base, hg_addr end)
{
	return vas_update(s, base, end, set_heap, 0, 0);
}

int hg_vas_remove(struct hg_vas *s, hg_addr base, hg_addr end)
{
	if (end <= base)
		return HG_OK;
	int err = split_at(s, base);
	if (!err)
		err = split_at(s, end);
	if (err)
		return err;
	const struct hg_vma *v = hg_vas_first(s, base);
	while (v && v->base < end) {
		hg_addr vb = v->base;
		v = hg_vas_next(s, v);
		drop_node(s, vb);
	}
	return HG_OK;
}
