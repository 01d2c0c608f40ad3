/*
 * vas.c - the simulated address space: the process's mappings (vmas) in a
 * treap ordered by address, augmented like the kernel's VMA tree with the
 * largest free gap below each subtree, so that lookups, inserts, removals
 * and the placement of a new mapping all take logarithmic time. Each node
 * links to its neighbours in address order (next and previous are O(1)) and
 * to its parent, so a change fixes the aggregates bottom-up from where it
 * happened, stopping where they no longer change; the root also holds the
 * runtime's lowest and highest address (the address-space statistic in
 * O(1)). A new mapping is linked where placement found its gap, and a
 * whole vma is unmapped with the one search that finds it. Nodes come
 * from a pool of chunks, two cache lines each (struct hg_vnode).
 *
 * It holds one entry per reservation or mapping piece (heap arenas,
 * off-heap allocations, foreign mappings), not one per span: the
 * Prepared/Ready split of heap memory lives in the page allocator's
 * scavenged bits, so replaying spans rarely touches it.
 */
#include "internal.h"
#include "os.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/*
 * A node is two cache lines, aligned. The first holds everything a search
 * down the tree reads (the children, the gaps, the vma's bounds) and
 * everything a node's parent reads of it when its aggregates are made
 * again (the largest gap and the runtime's bounds below it); the second
 * the rest of the vma and what a change walks by (parent, neighbours,
 * priority). The vma is not at the node's start: node_of finds the node
 * of a vma pointer.
 */
struct hg_vnode {
	/* Children in the treap, also as c[0] and c[1]. */
	_Alignas(64) union {
		struct {
			struct hg_vnode *l, *r;
		};
		struct hg_vnode *c[2];
	};
	uint64_t gap;     /* free bytes between the previous vma and v */
	uint64_t max_gap; /* largest gap in this subtree */
	/* Lowest base and highest end of the runtime's vmas in this subtree
	 * (UINT64_MAX and 0 when it holds none). */
	hg_addr rt_lo, rt_hi;
	struct hg_vma v; /* base and end in the first line */
	struct hg_vnode *p; /* parent in the treap */
	struct hg_vnode *prev, *next; /* neighbours in address order */
	uint64_t prio;
};
_Static_assert(offsetof(struct hg_vnode, v) + offsetof(struct hg_vma, end) +
			       sizeof(hg_addr) <=
		       64,
	       "a search reads one cache line of a node");

static struct hg_vnode *node_of(const struct hg_vma *v)
{
	return (struct hg_vnode *)((uintptr_t)v -
				   offsetof(struct hg_vnode, v));
}

/* Nodes come from chunks of this many, kept until the space is released. */
#define VAS_CHUNK 256

struct hg_vchunk {
	struct hg_vnode nodes[VAS_CHUNK]; /* first: aligned as the chunk */
	struct hg_vchunk *next;
};

static struct hg_vnode *node_get(struct hg_vas *s)
{
	if (!s->free_nodes) {
		struct hg_vchunk *c = aligned_alloc(64, sizeof(*c));
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

/*
 * The same when the fields of two nodes on one path changed: from t up,
 * at least until must (t itself or an ancestor of t; NULL: none) has its
 * aggregates again, then until nothing changes. One walk for both.
 */
static void fix_up_through(struct hg_vnode *t, const struct hg_vnode *must)
{
	for (; t; t = t->p) {
		bool changed = pull(t);
		if (t == must)
			must = NULL;
		if (!changed && !must)
			break;
	}
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

/*
 * Links x (x->v set, over free space) between its neighbours pred and
 * succ (either NULL at an end), as a leaf: pred has no right child, or
 * else succ has no left child (one of two neighbours is the other's
 * ancestor, and the lower one has the free side). succ, when there is
 * one, is then an ancestor of x, so one walk up from x fixes both x's
 * arrival and succ's smaller gap. Then x rises by its priority.
 */
static void link_leaf(struct hg_vas *s, struct hg_vnode *x,
		      struct hg_vnode *pred, struct hg_vnode *succ)
{
	if (pred && !pred->r) {
		pred->r = x;
		x->p = pred;
	} else if (succ) {
		HG_ASSERT(!succ->l);
		succ->l = x;
		x->p = succ;
	} else {
		s->root = x;
		x->p = NULL;
	}
	x->l = x->r = NULL;
	x->prev = pred;
	x->next = succ;
	if (pred)
		pred->next = x;
	else
		s->first = x;
	x->gap = x->v.base - (pred ? pred->v.end : s->lo);
	if (succ) {
		succ->prev = x;
		succ->gap = succ->v.base - x->v.end;
	} else {
		s->last = x;
	}
	x->max_gap = 0;
	x->rt_lo = UINT64_MAX;
	x->rt_hi = 0;
	pull(x);
	fix_up_through(x->p, succ);
	while (x->p && x->prio > x->p->prio)
		rotate_up(s, x);
	s->n++;
}

/* Links x (x->v set, not overlapping any vma) into the tree and the list. */
static void tree_insert(struct hg_vas *s, struct hg_vnode *x)
{
	struct hg_vnode *t = s->root, *pred = NULL, *succ = NULL;
	while (t) {
		if (x->v.base < t->v.base) {
			succ = t;
			t = t->l;
		} else {
			pred = t;
			t = t->r;
		}
	}
	link_leaf(s, x, pred, succ);
}

/* Unlinks x from the tree and the list (x is not freed). */
static void tree_remove(struct hg_vas *s, struct hg_vnode *x)
{
	while (x->l && x->r)
		rotate_up(s, x->l->prio > x->r->prio ? x->l : x->r);
	struct hg_vnode *c = x->l ? x->l : x->r, *p = x->p;
	struct hg_vnode *nx = x->next;
	if (c)
		c->p = p;
	if (!p)
		s->root = c;
	else if (p->l == x)
		p->l = c;
	else
		p->r = c;
	if (x->prev)
		x->prev->next = nx;
	else
		s->first = nx;
	if (nx) {
		nx->prev = x->prev;
		nx->gap = nx->v.base - (x->prev ? x->prev->v.end : s->lo);
	} else {
		s->last = x->prev;
	}
	/*
	 * The next vma took x's gap. Without a right child x had it as an
	 * ancestor (now p's or above): one walk up from p through it. With
	 * one (then no left one), it is the leftmost of that child's
	 * subtree, which took x's place under p: one walk from it through p.
	 */
	if (nx && x->r)
		fix_up_through(nx, p);
	else
		fix_up_through(p, nx);
	s->n--;
}

/* The last node with base <= a. The way down is chosen by data, not by
 * branches (a taken or not taken branch per level is a coin toss for the
 * predictor). */
static struct hg_vnode *tree_floor(const struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *t = s->root, *best = NULL;
	while (t) {
		bool right = t->v.base <= a;
		best = right ? t : best;
		t = t->c[right];
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

/* The first node that ends above a. */
static struct hg_vnode *node_first(const struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *f = tree_floor(s, a);
	if (f && a < f->v.end)
		return f;
	return f ? f->next : s->first;
}

const struct hg_vma *hg_vas_first(const struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *f = node_first(s, a);
	return f ? &f->v : NULL;
}

const struct hg_vma *hg_vas_next(const struct hg_vas *s, const struct hg_vma *v)
{
	(void)s;
	const struct hg_vnode *n = node_of(v)->next;
	return n ? &n->v : NULL;
}

const struct hg_vma *hg_vas_prev(const struct hg_vas *s, const struct hg_vma *v)
{
	(void)s;
	const struct hg_vnode *n = node_of(v)->prev;
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

/*
 * Highest gap below bound (nodes with base < bound) where n fits; *at is
 * the node whose gap it is (the new mapping's successor).
 */
static hg_addr search_down(const struct hg_vas *s, struct hg_vnode *t,
			   hg_addr bound, uint64_t n, struct hg_vnode **at)
{
	while (t && t->max_gap >= n) {
		if (t->v.base >= bound) {
			t = t->l;
			continue;
		}
		hg_addr a = search_down(s, t->r, bound, n, at);
		if (a)
			return a;
		if (t->gap >= n) {
			a = gap_fit(s, t->v.base - t->gap, t->v.base, n, true);
			if (a) {
				*at = t;
				return a;
			}
		}
		t = t->l;
	}
	return 0;
}

/* Lowest gap before any vma where n fits; *at as for search_down. */
static hg_addr search_up(const struct hg_vas *s, struct hg_vnode *t,
			 uint64_t n, struct hg_vnode **at)
{
	while (t && t->max_gap >= n) {
		hg_addr a = search_up(s, t->l, n, at);
		if (a)
			return a;
		if (t->gap >= n) {
			a = gap_fit(s, t->v.base - t->gap, t->v.base, n, false);
			if (a) {
				*at = t;
				return a;
			}
		}
		t = t->r;
	}
	return 0;
}

/*
 * hg_vas_place's rule; *succ is the vma the placed range would precede
 * (NULL: it would be the last), so that hg_vas_map links it there without
 * another search.
 */
static hg_addr place(const struct hg_vas *s, hg_addr hint, uint64_t n,
		     struct hg_vnode **succ)
{
	uint64_t g = s->granularity;
	*succ = NULL;
	if (n == 0 || n > s->hi - s->lo)
		return 0;
	if (hint != 0 && hint % g == 0 && hint + n > hint && hint >= s->lo &&
	    hint + n <= s->hi) {
		/* Free when the first vma that ends above hint starts at or
		 * after hint + n (hg_vas_free_range). */
		struct hg_vnode *f = node_first(s, hint);
		if (!f || f->v.base >= hint + n) {
			*succ = f;
			return hint;
		}
	}
	struct hg_vnode *last = s->last;
	hg_addr last_end = last ? last->v.end : s->lo;
	if (s->placement == HG_PLACE_BOTTOMUP) {
		hg_addr a = search_up(s, s->root, n, succ);
		if (a)
			return a;
		*succ = NULL;
		return gap_fit(s, last_end, s->hi, n, false);
	}
	/* Top-down below mmap_base: first the gap that holds the top (no
	 * vma ends above it when the last one does not). */
	hg_addr top = s->mmap_base ? s->mmap_base : s->hi;
	struct hg_vnode *b =
		last && last->v.end > top ? node_first(s, top) : NULL;
	hg_addr a;
	if (b) {
		hg_addr hi = b->v.base < top ? b->v.base : top;
		a = gap_fit(s, pred_end(s, b), hi, n, true);
	} else {
		a = gap_fit(s, last_end, top, n, true);
	}
	if (a) {
		*succ = b;
		return a;
	}
	return search_down(s, s->root, b ? b->v.base : s->hi, n, succ);
}

hg_addr hg_vas_place(const struct hg_vas *s, hg_addr hint, uint64_t n)
{
	struct hg_vnode *succ;
	return place(s, hint, n, &succ);
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

int hg_vas_map(struct hg_vas *s, hg_addr hint, uint64_t n, struct hg_vma *m,
	       bool resv_at_base)
{
	struct hg_vnode *succ;
	hg_addr a = place(s, hint, n, &succ);
	m->base = a;
	if (a == 0)
		return HG_EINVAL;
	m->end = a + n;
	if (resv_at_base)
		m->resv = a;
	struct hg_vnode *x = node_get(s);
	if (!x)
		return HG_ENOMEM;
	x->v = *m;
	x->prio = next_prio(s);
	link_leaf(s, x, succ ? succ->prev : s->last, succ);
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
	struct hg_vnode *first = node_first(s, base);
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

/* The bytes of v that the platform charges once mapped (not Reserved). */
static uint64_t charged_bytes(const struct hg_vma *v)
{
	return v->state != HG_MEM_RESERVED ? v->end - v->base : 0;
}

int hg_vas_unmap(struct hg_vas *s, hg_addr base, hg_addr end,
		 uint64_t *charged)
{
	if (end <= base)
		return HG_OK;
	/* The common case: exactly one whole vma, found with one search. */
	struct hg_vnode *t = tree_floor(s, base);
	if (t && t->v.base == base && t->v.end == end) {
		*charged += charged_bytes(&t->v);
		drop_node(s, t);
		return HG_OK;
	}
	int err = split_at(s, base);
	if (!err)
		err = split_at(s, end);
	if (err)
		return err;
	t = node_first(s, base);
	while (t && t->v.base < end) {
		struct hg_vnode *nx = t->next;
		*charged += charged_bytes(&t->v);
		drop_node(s, t);
		t = nx;
	}
	return HG_OK;
}

int hg_vas_remove(struct hg_vas *s, hg_addr base, hg_addr end)
{
	uint64_t charged = 0;
	return hg_vas_unmap(s, base, end, &charged);
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
