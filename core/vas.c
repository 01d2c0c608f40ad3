/*
 * vas.c - the simulated address space: the process's mappings (vmas) in a
 * treap ordered by address, augmented like the kernel's VMA tree with the
 * largest free gap below each subtree, so that lookups, inserts, removals
 * and the placement of a new mapping all take logarithmic time. Each node
 * links to its neighbours in address order (next and previous are O(1)) and
 * to its parent, so a change fixes the aggregates bottom-up from where it
 * happened, stopping where they no longer change; the root also holds the
 * runtime's lowest and highest address (the address-space statistic in
 * O(1)). Nodes come from a pool of chunks.
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
	struct hg_vnode *l, *r, *p; /* children and parent in the treap */
	struct hg_vnode *prev, *next; /* neighbours in address order */
	uint64_t prio;
	uint64_t gap;     /* free bytes between the previous vma and v */
	uint64_t max_gap; /* largest gap in this subtree */
	/* Lowest base and highest end of the runtime's vmas in this subtree
	 * (UINT64_MAX and 0 when it holds none). */
	hg_addr rt_lo, rt_hi;
};

/* Nodes come from chunks of this many, kept until the space is released. */
#define VAS_CHUNK 256

struct hg_vchunk {
	struct hg_vchunk *next;
	struct hg_vnode nodes[VAS_CHUNK];
};

static struct hg_vnode *node_get(struct hg_vas *s)
{
	if (!s->free_nodes) {
		struct hg_vchunk *c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = s->chunks;
		s->chunks = c;
		for (size_t i = VAS_CHUNK; i-- > 0;) {
			c->nodes[i].next = s->free_nodes;
			s->free_nodes = &c->nodes[i];
		}
	}
	struct hg_vnode *x = s->free_nodes;
	s->free_nodes = x->next;
	memset(x, 0, sizeof(*x));
	return x;
}

static void node_put(struct hg_vas *s, struct hg_vnode *x)
{
	x->next = s->free_nodes;
	s->free_nodes = x;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Recomputes t's aggregates from its own vma and its children's; tells
 * whether they changed. */
static bool pull(struct hg_vnode *t)
{
	uint64_t g = t->gap;
	hg_addr lo = UINT64_MAX, hi = 0;
	if (t->v.owner == HG_OWN_RUNTIME) {
		lo = t->v.base;
		hi = t->v.end;
	}
	if (t->l) {
		g = max64(g, t->l->max_gap);
		lo = min64(lo, t->l->rt_lo);
		hi = max64(hi, t->l->rt_hi);
	}
	if (t->r) {
		g = max64(g, t->r->max_gap);
		lo = min64(lo, t->r->rt_lo);
		hi = max64(hi, t->r->rt_hi);
	}
	bool changed = g != t->max_gap || lo != t->rt_lo || hi != t->rt_hi;
	t->max_gap = g;
	t->rt_lo = lo;
	t->rt_hi = hi;
	return changed;
}

/*
 * Fixes the aggregates from t up to the root after t's own fields (or its
 * subtree) changed, stopping where nothing changes any more: above that
 * node every aggregate already holds.
 */
static void fix_up(struct hg_vnode *t)
{
	while (t && pull(t))
		t = t->p;
}

/* Sets t's gap from its predecessor's end and fixes the path above it. */
static void fix_gap(const struct hg_vas *s, struct hg_vnode *t)
{
	if (!t)
		return;
	t->gap = t->v.base - (t->prev ? t->prev->v.end : s->lo);
	fix_up(t);
}

/* Rotates x above its parent; both get their aggregates again. */
static void rotate_up(struct hg_vas *s, struct hg_vnode *x)
{
	struct hg_vnode *p = x->p, *g = p->p;
	if (x == p->l) {
		p->l = x->r;
		if (x->r)
			x->r->p = p;
		x->r = p;
	} else {
		p->r = x->l;
		if (x->l)
			x->l->p = p;
		x->l = p;
	}
	p->p = x;
	x->p = g;
	if (!g)
		s->root = x;
	else if (g->l == p)
		g->l = x;
	else
		g->r = x;
	pull(p);
	pull(x);
}

/* Links x (x->v set, not overlapping any vma) into the tree and the list. */
static void tree_insert(struct hg_vas *s, struct hg_vnode *x)
{
	struct hg_vnode *t = s->root, *parent = NULL, *pred = NULL,
			*succ = NULL;
	while (t) {
		parent = t;
		if (x->v.base < t->v.base) {
			succ = t;
			t = t->l;
		} else {
			pred = t;
			t = t->r;
		}
	}
	x->p = parent;
	if (!parent)
		s->root = x;
	else if (x->v.base < parent->v.base)
		parent->l = x;
	else
		parent->r = x;
	x->prev = pred;
	x->next = succ;
	if (pred)
		pred->next = x;
	else
		s->first = x;
	if (succ)
		succ->prev = x;
	else
		s->last = x;
	x->gap = x->v.base - (pred ? pred->v.end : s->lo);
	x->max_gap = 0;
	x->rt_lo = UINT64_MAX;
	x->rt_hi = 0;
	pull(x);
	while (x->p && x->prio > x->p->prio)
		rotate_up(s, x);
	fix_up(x->p);
	fix_gap(s, succ);
	s->n++;
}

/* Unlinks x from the tree and the list (x is not freed). */
static void tree_remove(struct hg_vas *s, struct hg_vnode *x)
{
	while (x->l && x->r)
		rotate_up(s, x->l->prio > x->r->prio ? x->l : x->r);
	struct hg_vnode *c = x->l ? x->l : x->r, *p = x->p;
	if (c)
		c->p = p;
	if (!p)
		s->root = c;
	else if (p->l == x)
		p->l = c;
	else
		p->r = c;
	fix_up(p);
	if (x->prev)
		x->prev->next = x->next;
	else
		s->first = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		s->last = x->prev;
	fix_gap(s, x->next);
	s->n--;
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
	f = f ? f->next : s->first;
	return f ? &f->v : NULL;
}

const struct hg_vma *hg_vas_next(const struct hg_vas *s, const struct hg_vma *v)
{
	(void)s;
	const struct hg_vnode *n = ((const struct hg_vnode *)v)->next;
	return n ? &n->v : NULL;
}

const struct hg_vma *hg_vas_prev(const struct hg_vas *s, const struct hg_vma *v)
{
	(void)s;
	const struct hg_vnode *n = ((const struct hg_vnode *)v)->prev;
	return n ? &n->v : NULL;
}

const struct hg_vma *hg_vas_last(const struct hg_vas *s)
{
	return s->last ? &s->last->v : NULL;
}

uint64_t hg_vas_runtime_span(const struct hg_vas *s)
{
	const struct hg_vnode *t = s->root;
	if (!t || t->rt_hi <= t->rt_lo)
		return 0;
	return t->rt_hi - t->rt_lo;
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
	return t->prev ? t->prev->v.end : s->lo;
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

void hg_vas_release(struct hg_vas *s)
{
	struct hg_vchunk *c = s->chunks;
	while (c) {
		struct hg_vchunk *nx = c->next;
		free(c);
		c = nx;
	}
	memset(s, 0, sizeof(*s));
}

/* Adds a node holding m (over free space); NULL when the host is out. */
static struct hg_vnode *add_node(struct hg_vas *s, const struct hg_vma *m)
{
	struct hg_vnode *x = node_get(s);
	if (!x)
		return NULL;
	x->v = *m;
	x->prio = next_prio(s);
	tree_insert(s, x);
	return x;
}

static void drop_node(struct hg_vas *s, struct hg_vnode *x)
{
	tree_remove(s, x);
	node_put(s, x);
}

/* t's end moved: its own aggregates and the next vma's gap follow. */
static void set_end(struct hg_vas *s, struct hg_vnode *t, hg_addr end)
{
	t->v.end = end;
	fix_up(t);
	fix_gap(s, t->next);
}

static bool same_attrs(const struct hg_vma *a, const struct hg_vma *b)
{
	return a->resv == b->resv && a->owner == b->owner &&
	       a->state == b->state && a->heap == b->heap &&
	       a->stranded == b->stranded;
}

/* Merges t with touching neighbours that agree. */
static void merge_around(struct hg_vas *s, struct hg_vnode *t)
{
	struct hg_vnode *nx = t->next;
	if (nx && t->v.end == nx->v.base && same_attrs(&t->v, &nx->v)) {
		hg_addr e = nx->v.end;
		drop_node(s, nx);
		set_end(s, t, e);
	}
	struct hg_vnode *pv = t->prev;
	if (pv && pv->v.end == t->v.base && same_attrs(&pv->v, &t->v)) {
		hg_addr e = t->v.end;
		drop_node(s, t);
		set_end(s, pv, e);
	}
}

int hg_vas_insert(struct hg_vas *s, const struct hg_vma *m)
{
	HG_ASSERT(m->base < m->end);
	if (!hg_vas_free_range(s, m->base, m->end))
		return HG_EINVAL;
	struct hg_vnode *x = add_node(s, m);
	if (!x)
		return HG_ENOMEM;
	merge_around(s, x);
	return HG_OK;
}

/* Split so that a vma boundary falls at a (if a is inside a vma). */
static int split_at(struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *t = tree_floor(s, a);
	if (!t || t->v.base == a || a >= t->v.end)
		return HG_OK;
	struct hg_vnode *x = node_get(s);
	if (!x)
		return HG_ENOMEM;
	x->v = t->v;
	x->v.base = a;
	x->prio = next_prio(s);
	t->v.end = a;
	fix_up(t);
	tree_insert(s, x);
	return HG_OK;
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
	struct hg_vnode *first = (struct hg_vnode *)hg_vas_first(s, base);
	struct hg_vnode *last = NULL;
	for (struct hg_vnode *v = first; v && v->v.base < end; v = v->next) {
		fn(&v->v, a, b);
		last = v;
	}
	if (!last)
		last = first;
	/* Merge from the last piece down to the first and its neighbours;
	 * a merge keeps the previous node, so it stays valid. */
	for (struct hg_vnode *v = last; v;) {
		hg_addr vb = v->v.base;
		struct hg_vnode *p = v->prev;
		merge_around(s, v);
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
	/* The common case: exactly one whole vma. */
	struct hg_vnode *t = tree_floor(s, base);
	if (t && t->v.base == base && t->v.end == end) {
		drop_node(s, t);
		return HG_OK;
	}
	int err = split_at(s, base);
	if (!err)
		err = split_at(s, end);
	if (err)
		return err;
	t = (struct hg_vnode *)hg_vas_first(s, base);
	while (t && t->v.base < end) {
		struct hg_vnode *nx = t->next;
		drop_node(s, t);
		t = nx;
	}
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Self-check                                                          */
/* ------------------------------------------------------------------ */

static int check_node(const struct hg_vas *s, const struct hg_vnode *t,
		      const struct hg_vnode *parent, size_t *count)
{
	if (!t)
		return 0;
	if (t->p != parent || (parent && t->prio > parent->prio))
		return -1;
	if (t->l && t->l->v.base >= t->v.base)
		return -1;
	if (t->r && t->r->v.base <= t->v.base)
		return -1;
	if (check_node(s, t->l, t, count) || check_node(s, t->r, t, count))
		return -1;
	struct hg_vnode c = *t;
	(*count)++;
	pull(&c);
	return c.max_gap == t->max_gap && c.rt_lo == t->rt_lo &&
			       c.rt_hi == t->rt_hi
		       ? 0
		       : -1;
}

int hg_vas_check(const struct hg_vas *s)
{
	size_t count = 0;
	if (check_node(s, s->root, NULL, &count) || count != s->n)
		return -1;
	size_t listed = 0;
	const struct hg_vnode *prev = NULL;
	for (const struct hg_vnode *t = s->first; t; t = t->next) {
		if (t->prev != prev || t->v.base >= t->v.end ||
		    (prev && prev->v.end > t->v.base) ||
		    t->gap != t->v.base - (prev ? prev->v.end : s->lo) ||
		    tree_floor(s, t->v.base) != t)
			return -1;
		prev = t;
		listed++;
	}
	return listed == s->n && s->last == prev ? 0 : -1;
}
