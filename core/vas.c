/*
 * vas.c - the simulated address space: the process's mappings (vmas) in a
 * B+tree ordered by address, augmented like the kernel's VMA tree with the
 * largest free gap below each subtree, so that lookups, inserts, removals
 * and the placement of a new mapping all take logarithmic time. A gap
 * counts its room: its bytes from the first address on the placement
 * granularity (64 KiB on Windows), so that a search for n bytes enters
 * only subtrees where n bytes can be placed.
 *
 * The vmas sit in leaves of up to VAS_LEAF, sorted, each in one slot with
 * the free gap before it (a vma's base is its key), so that an insert or
 * a removal moves the slots after it with one copy; the leaves are
 * linked in address order, so the next and the previous vma are O(1). An
 * inner node holds up to VAS_FAN children with, per child, its lowest base
 * and its aggregates: the largest gap below it and the lowest base and
 * highest end of the runtime's vmas below it. A search reads one node per
 * level (three levels hold thousands of vmas; the upper ones stay in the
 * cache). A change recomputes its leaf's aggregates and carries them up
 * while they change; the root's are in struct hg_vas, so the runtime's
 * address span is O(1). A new mapping is linked where placement found its
 * gap, and a whole vma is unmapped with the one search that finds it.
 * Nodes come from a pool of chunks; a node is VAS_NODE bytes and aligned
 * to it, so a vma pointer gives its leaf.
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

#define VAS_NODE 1024 /* bytes of a node, and its alignment */
#define VAS_LEAF 16   /* vmas in a leaf */
#define VAS_FAN 16    /* children of an inner node */

/*
 * A leaf's slot: a vma and the room of the free space between the
 * previous vma (or the space's start) and it. A vma and its gap move
 * together, so that a change in a leaf moves its slots with one copy.
 */
struct vslot {
	struct hg_vma v;
	uint64_t gap;
};

/*
 * A node: a leaf (vmas) or an inner node (children). Past n, keys are
 * UINT64_MAX, gaps 0 and the runtime's bounds empty, so that the loops
 * over a node's slots run a fixed count without a branch. A leaf's keys
 * are its vmas' bases; an inner node's key i is the lowest base below
 * child i. Nodes are never empty, except the pool's.
 */
struct hg_vnode {
	_Alignas(VAS_NODE) struct hg_vnode *parent; /* NULL: the root */
	unsigned short n;                           /* vmas or children */
	unsigned char slot; /* its index among its parent's children */
	bool leaf;
	union {
		struct {
			struct hg_vnode *prev, *next; /* leaves in order */
			/* Its vmas in order; an unused slot's base is its
			 * key UINT64_MAX. */
			struct vslot s[VAS_LEAF];
		} l;
		struct {
			hg_addr key[VAS_FAN];
			uint64_t max_gap[VAS_FAN];
			/* UINT64_MAX and 0 when the child holds no vma of
			 * the runtime. */
			hg_addr rt_lo[VAS_FAN], rt_hi[VAS_FAN];
			struct hg_vnode *child[VAS_FAN];
		} in;
	};
};
_Static_assert(sizeof(struct hg_vnode) == VAS_NODE, "a node fills its size");
_Static_assert(VAS_LEAF == 16 && VAS_FAN == 16,
	       "count_le searches 16 keys, the masks hold 16 bits");

static struct hg_vnode *leaf_of(const struct hg_vma *v)
{
	return (struct hg_vnode *)((uintptr_t)v & ~(uintptr_t)(VAS_NODE - 1));
}

static unsigned index_of(const struct hg_vnode *l, const struct hg_vma *v)
{
	_Static_assert(offsetof(struct vslot, v) == 0, "a vma is its slot");
	return (unsigned)((const struct vslot *)v - l->l.s);
}

/* Nodes come from chunks of this many, kept until the space is released. */
#define VAS_CHUNK 32

struct hg_vchunk {
	struct hg_vnode nodes[VAS_CHUNK]; /* first: aligned as the chunk */
	struct hg_vchunk *next;
};

/* The slots of t from i on are unused. */
static void clear_from(struct hg_vnode *t, unsigned i)
{
	if (t->leaf) {
		for (; i < VAS_LEAF; i++) {
			t->l.s[i].v.base = UINT64_MAX;
			t->l.s[i].gap = 0;
		}
		return;
	}
	for (; i < VAS_FAN; i++) {
		t->in.key[i] = UINT64_MAX;
		t->in.max_gap[i] = 0;
		t->in.rt_lo[i] = UINT64_MAX;
		t->in.rt_hi[i] = 0;
	}
}

/* Slot i of t is unused (those past it already are). */
static void clear_slot(struct hg_vnode *t, unsigned i)
{
	if (t->leaf) {
		t->l.s[i].v.base = UINT64_MAX;
		t->l.s[i].gap = 0;
		return;
	}
	t->in.key[i] = UINT64_MAX;
	t->in.max_gap[i] = 0;
	t->in.rt_lo[i] = UINT64_MAX;
	t->in.rt_hi[i] = 0;
}

static struct hg_vnode *node_get(struct hg_vas *s, bool leaf)
{
	if (!s->free_nodes) {
		struct hg_vchunk *c = aligned_alloc(VAS_NODE, sizeof(*c));
		if (!c)
			return NULL;
		c->next = s->chunks;
		s->chunks = c;
		for (size_t i = VAS_CHUNK; i-- > 0;) {
			c->nodes[i].parent = s->free_nodes;
			s->free_nodes = &c->nodes[i];
		}
	}
	struct hg_vnode *x = s->free_nodes;
	s->free_nodes = x->parent;
	x->parent = NULL;
	x->n = 0;
	x->slot = 0;
	x->leaf = leaf;
	if (leaf)
		x->l.prev = x->l.next = NULL;
	clear_from(x, 0);
	return x;
}

static void node_put(struct hg_vas *s, struct hg_vnode *x)
{
	x->parent = s->free_nodes;
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

/*
 * The room of the free space [lo, hi): its bytes from the first address
 * on the placement granularity, so that n bytes can be placed there,
 * top-down or bottom-up, exactly when it is at least n (the gaps and
 * their maxima hold it: a search enters no subtree where nothing fits).
 */
static uint64_t room(const struct hg_vas *s, hg_addr lo, hg_addr hi)
{
	hg_addr a = HG_ALIGN_UP(lo, s->granularity);
	return a >= lo && a < hi ? hi - a : 0;
}

/* How many of a node's 16 sorted keys are at most a, at most n (the used
 * ones): a binary search whose steps are chosen by data, not by branches
 * (a taken or not taken branch per step is a coin toss for the
 * predictor). */
#define COUNT_LE(KEY, n, a)                                                    \
	do {                                                                   \
		unsigned b_ = 0;                                               \
		b_ = KEY(b_ + 8) <= a ? b_ + 8 : b_;                           \
		b_ = KEY(b_ + 4) <= a ? b_ + 4 : b_;                           \
		b_ = KEY(b_ + 2) <= a ? b_ + 2 : b_;                           \
		b_ = KEY(b_ + 1) <= a ? b_ + 1 : b_;                           \
		unsigned c_ = b_ + (KEY(b_) <= a);                             \
		return c_ < n ? c_ : n;                                        \
	} while (0)

/* The keys of an inner node and of a leaf (its vmas' bases). */
#define IN_KEY(i) t->in.key[i]
#define LEAF_KEY(i) t->l.s[i].v.base
#define IN_GAP(i) t->in.max_gap[i]
#define LEAF_GAP(i) t->l.s[i].gap

static unsigned count_le(const struct hg_vnode *t, hg_addr a)
{
	if (t->leaf)
		COUNT_LE(LEAF_KEY, t->n, a);
	COUNT_LE(IN_KEY, t->n, a);
}

/* How many of t's keys are below a, at most n. */
static unsigned count_lt(const struct hg_vnode *t, hg_addr a)
{
	return a ? count_le(t, a - 1) : 0;
}

/* Counts a node that a search reads, or a vma that a walk steps over
 * (hg_vas.visits). */
static inline void visit(const struct hg_vas *s)
{
	((struct hg_vas *)s)->visits++;
}

/* ------------------------------------------------------------------ */
/* Aggregates                                                          */
/* ------------------------------------------------------------------ */

struct vagg {
	uint64_t max_gap;
	hg_addr rt_lo, rt_hi;
};

static uint64_t max_of(const uint64_t *v)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < 16; i++)
		m = max64(m, v[i]);
	return m;
}

/* The largest gap of the leaf t. */
static uint64_t leaf_max_gap(const struct hg_vnode *t)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < 16; i++)
		m = max64(m, t->l.s[i].gap);
	return m;
}

static uint64_t min_of(const uint64_t *v)
{
	uint64_t m = UINT64_MAX;
	for (unsigned i = 0; i < 16; i++)
		m = min64(m, v[i]);
	return m;
}

/* The leaf t's runtime bounds into a: the vmas are in order, so the
 * first and the last of the runtime's. */
static void leaf_rt(const struct hg_vnode *t, struct vagg *a)
{
	a->rt_lo = UINT64_MAX;
	a->rt_hi = 0;
	for (unsigned i = 0; i < t->n; i++) {
		if (t->l.s[i].v.owner == HG_OWN_RUNTIME) {
			a->rt_lo = t->l.s[i].v.base;
			break;
		}
	}
	for (unsigned i = t->n; i-- > 0;) {
		if (t->l.s[i].v.owner == HG_OWN_RUNTIME) {
			a->rt_hi = t->l.s[i].v.end;
			break;
		}
	}
}

static struct vagg agg_of(const struct hg_vnode *t)
{
	struct vagg a = { 0, UINT64_MAX, 0 };
	if (t->leaf) {
		a.max_gap = leaf_max_gap(t);
		leaf_rt(t, &a);
		return a;
	}
	a.max_gap = max_of(t->in.max_gap);
	a.rt_lo = min_of(t->in.rt_lo);
	a.rt_hi = max_of(t->in.rt_hi);
	return a;
}

static hg_addr min_key(const struct hg_vnode *t)
{
	return t->leaf ? t->l.s[0].v.base : t->in.key[0];
}

/* Puts t's key and aggregates in its slot k of p; tells whether they
 * changed. */
static bool set_slot(struct hg_vnode *p, unsigned k, const struct hg_vnode *t)
{
	struct vagg a = agg_of(t);
	hg_addr key = min_key(t);
	bool changed = p->in.key[k] != key || p->in.max_gap[k] != a.max_gap ||
		       p->in.rt_lo[k] != a.rt_lo || p->in.rt_hi[k] != a.rt_hi;
	p->in.key[k] = key;
	p->in.max_gap[k] = a.max_gap;
	p->in.rt_lo[k] = a.rt_lo;
	p->in.rt_hi[k] = a.rt_hi;
	return changed;
}

/* The aggregates a change carries up, each on its own. */
enum vfield {
	F_GAP, /* the largest gap: the larger wins */
	F_LO,  /* the runtime's lowest base: the smaller wins */
	F_HI,  /* the runtime's highest end: the larger wins */
};

/* Inner node p's slots of aggregate f. */
static inline uint64_t *field_of(struct hg_vnode *p, enum vfield f)
{
	return f == F_GAP  ? p->in.max_gap
	       : f == F_LO ? p->in.rt_lo
			   : p->in.rt_hi;
}

/* t's aggregate f as its parent (or s, for the root) holds it. */
static inline uint64_t *held_at(struct hg_vas *s, struct hg_vnode *t,
				enum vfield f)
{
	struct hg_vnode *p = t->parent;
	if (p)
		return &field_of(p, f)[t->slot];
	return f == F_GAP ? &s->max_gap : f == F_LO ? &s->rt_lo : &s->rt_hi;
}

/* x wins over y or ties with it under f's order. */
static inline bool wins(enum vfield f, uint64_t x, uint64_t y)
{
	return f == F_LO ? x <= y : x >= y;
}

/*
 * t's aggregate f became x: its parent's slot takes it, and up while a
 * node's value changes; the root's goes into s. Above t one slot changes
 * per node, so a node's value follows from what its parent holds and the
 * slot's old and new values; only when the slot that held it lost it is
 * it made again from all the slots.
 */
static inline void fix_up(struct hg_vas *s, struct hg_vnode *t, enum vfield f,
			  uint64_t x)
{
	struct hg_vnode *p;
	for (; (p = t->parent) != NULL; t = p) {
		uint64_t *v = field_of(p, f);
		unsigned k = t->slot;
		uint64_t o = v[k];
		if (o == x)
			return;
		v[k] = x;
		uint64_t c = *held_at(s, p, f);
		if (wins(f, x, c))
			continue;
		if (o != c)
			return;
		x = f == F_LO ? min_of(v) : max_of(v);
	}
	*held_at(s, t, f) = x;
}

/* t's lowest base became key: its parent's key of it, and up while t is
 * the first child. */
static void key_up(struct hg_vnode *t, hg_addr key)
{
	struct hg_vnode *p;
	for (; (p = t->parent) != NULL; t = p) {
		unsigned k = t->slot;
		if (p->in.key[k] == key)
			return;
		p->in.key[k] = key;
		if (k)
			return;
	}
}

/* t's aggregates went from o (what its parent holds) to a; key_changed:
 * its lowest base may have changed too. */
static inline void fix_aggs(struct hg_vas *s, struct hg_vnode *t, struct vagg o,
			    struct vagg a, bool key_changed)
{
	if (key_changed)
		key_up(t, min_key(t));
	if (a.max_gap != o.max_gap)
		fix_up(s, t, F_GAP, a.max_gap);
	if (a.rt_lo != o.rt_lo)
		fix_up(s, t, F_LO, a.rt_lo);
	if (a.rt_hi != o.rt_hi)
		fix_up(s, t, F_HI, a.rt_hi);
}

/* t's aggregates as its parent (or s, for the root) holds them: what they
 * were at the last refresh. */
static struct vagg held(const struct hg_vas *s, const struct hg_vnode *t)
{
	const struct hg_vnode *p = t->parent;
	if (!p)
		return (struct vagg){ s->max_gap, s->rt_lo, s->rt_hi };
	unsigned k = t->slot;
	return (struct vagg){ p->in.max_gap[k], p->in.rt_lo[k],
			      p->in.rt_hi[k] };
}

/* t's vmas or children changed and its aggregates are now a: its key and
 * aggregates go into its parent's slot, and up while they change. */
static void refresh_to(struct hg_vas *s, struct hg_vnode *t, struct vagg a)
{
	fix_aggs(s, t, held(s, t), a, true);
}

/* refresh_to with t's aggregates made again from all its slots. */
static void refresh(struct hg_vas *s, struct hg_vnode *t)
{
	refresh_to(s, t, agg_of(t));
}

/*
 * The leaf l's gap i becomes g (no vma comes or goes): its largest gap
 * follows from what its parent holds unless the old gap was the largest
 * and shrank; its runtime bounds stay.
 */
static void set_gap(struct hg_vas *s, struct hg_vnode *l, unsigned i,
		    uint64_t g)
{
	uint64_t old = l->l.s[i].gap, m = *held_at(s, l, F_GAP);
	l->l.s[i].gap = g;
	if (g >= m)
		m = g;
	else if (old == m)
		m = leaf_max_gap(l);
	else
		return;
	fix_up(s, l, F_GAP, m);
}

/* ------------------------------------------------------------------ */
/* Walking                                                             */
/* ------------------------------------------------------------------ */

/* The last vma with base <= a (NULL: none). */
static struct hg_vma *vfloor(const struct hg_vas *s, hg_addr a)
{
	struct hg_vnode *t = s->root;
	if (!t)
		return NULL;
	while (!t->leaf) {
		visit(s);
		unsigned c = count_le(t, a);
		/* None only left of every vma: the leftmost leaf has none
		 * either. */
		t = t->in.child[c ? c - 1 : 0];
	}
	visit(s);
	unsigned c = count_le(t, a);
	return c ? &t->l.s[c - 1].v : NULL;
}

static struct hg_vma *vnext(const struct hg_vma *v)
{
	struct hg_vnode *l = leaf_of(v);
	unsigned i = index_of(l, v) + 1;
	if (i < l->n)
		return &l->l.s[i].v;
	return l->l.next ? &l->l.next->l.s[0].v : NULL;
}

static struct hg_vma *vprev(const struct hg_vma *v)
{
	struct hg_vnode *l = leaf_of(v);
	unsigned i = index_of(l, v);
	if (i > 0)
		return &l->l.s[i - 1].v;
	struct hg_vnode *p = l->l.prev;
	return p ? &p->l.s[p->n - 1].v : NULL;
}

/* The first vma that ends above a (NULL: none). */
static struct hg_vma *vfirst(const struct hg_vas *s, hg_addr a)
{
	struct hg_vma *f = vfloor(s, a);
	if (f && a < f->end)
		return f;
	if (f)
		return vnext(f);
	return s->first ? &s->first->l.s[0].v : NULL;
}

/* The end of the vma before v (or the space's start). */
static hg_addr pred_end(const struct hg_vas *s, const struct hg_vma *v)
{
	const struct hg_vma *p = vprev(v);
	return p ? p->end : s->lo;
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

const struct hg_vma *hg_vas_find(const struct hg_vas *s, hg_addr a)
{
	const struct hg_vma *f = vfloor(s, a);
	return f && a < f->end ? f : NULL;
}

const struct hg_vma *hg_vas_first(const struct hg_vas *s, hg_addr a)
{
	return vfirst(s, a);
}

const struct hg_vma *hg_vas_next(const struct hg_vas *s, const struct hg_vma *v)
{
	(void)s;
	return vnext(v);
}

const struct hg_vma *hg_vas_prev(const struct hg_vas *s, const struct hg_vma *v)
{
	(void)s;
	return vprev(v);
}

const struct hg_vma *hg_vas_last(const struct hg_vas *s)
{
	return s->last ? &s->last->l.s[s->last->n - 1].v : NULL;
}

uint64_t hg_vas_runtime_span(const struct hg_vas *s)
{
	return s->rt_hi > s->rt_lo ? s->rt_hi - s->rt_lo : 0;
}

bool hg_vas_free_range(const struct hg_vas *s, hg_addr base, hg_addr end)
{
	if (base < s->lo || end > s->hi || end <= base)
		return false;
	const struct hg_vma *v = vfirst(s, base);
	return !v || v->base >= end;
}

uint64_t hg_vas_bytes(const struct hg_vas *s, hg_addr base, hg_addr end,
		      int state)
{
	uint64_t sum = 0;
	for (const struct hg_vma *v = vfirst(s, base); v && v->base < end;
	     v = vnext(v)) {
		visit(s);
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

/* How many of t's slots hold keys below bound. */
static unsigned slots_below(const struct hg_vnode *t, hg_addr bound)
{
	hg_addr last = t->leaf ? t->l.s[t->n - 1].v.base : t->in.key[t->n - 1];
	return last < bound ? t->n : count_lt(t, bound);
}

/* One more than the highest j < i with g[j] >= n (0: none), four slots
 * a step. */
#define LAST_FIT(G, i, n)                                                      \
	do {                                                                   \
		unsigned q_ = i;                                               \
		for (; q_ > 3; q_ -= 4) {                                      \
			if (G(q_ - 1) >= n)                                    \
				return q_;                                     \
			if (G(q_ - 2) >= n)                                    \
				return q_ - 1;                                 \
			if (G(q_ - 3) >= n)                                    \
				return q_ - 2;                                 \
			if (G(q_ - 4) >= n)                                    \
				return q_ - 3;                                 \
		}                                                              \
		for (; q_ > 0; q_--)                                           \
			if (G(q_ - 1) >= n)                                    \
				return q_;                                     \
		return 0;                                                      \
	} while (0)

static unsigned last_fit(const struct hg_vnode *t, unsigned i, uint64_t n)
{
	if (t->leaf)
		LAST_FIT(LEAF_GAP, i, n);
	LAST_FIT(IN_GAP, i, n);
}

/*
 * Highest gap below bound (the gaps of vmas with base < bound) where n
 * fits; *at is the vma whose gap it is (the new mapping's successor).
 * From the root down, in each node the highest slot below bound whose
 * largest gap fits (a child whose largest gap is smaller is not entered);
 * back up to the parent's lower slots when none does.
 */
static hg_addr search_down(const struct hg_vas *s, hg_addr bound, uint64_t n,
			   struct hg_vma **at)
{
	struct hg_vnode *t = s->root;
	unsigned i = slots_below(t, bound);
	for (;;) {
		visit(s);
		i = last_fit(t, i, n);
		if (i == 0) {
			if (!t->parent)
				return 0;
			i = t->slot;
			t = t->parent;
			continue;
		}
		i--;
		if (!t->leaf) {
			t = t->in.child[i];
			i = slots_below(t, bound);
			continue;
		}
		hg_addr b = t->l.s[i].v.base;
		/* The room starts at b - gap[i], on the granularity: n
		 * bytes fit there as in the whole gap. */
		hg_addr a = gap_fit(s, b - t->l.s[i].gap, b, n, true);
		if (a) {
			*at = &t->l.s[i].v;
			return a;
		}
	}
}

/* The lowest j >= i below end with g[j] >= n (end: none), four slots a
 * step. */
#define FIRST_FIT(G, i, end, n)                                                \
	do {                                                                   \
		for (; i + 4 <= end; i += 4) {                                 \
			if (G(i) >= n)                                         \
				return i;                                      \
			if (G(i + 1) >= n)                                     \
				return i + 1;                                  \
			if (G(i + 2) >= n)                                     \
				return i + 2;                                  \
			if (G(i + 3) >= n)                                     \
				return i + 3;                                  \
		}                                                              \
		for (; i < end; i++)                                           \
			if (G(i) >= n)                                         \
				return i;                                      \
		return end;                                                    \
	} while (0)

static unsigned first_fit(const struct hg_vnode *t, unsigned i, uint64_t n)
{
	unsigned end = t->n;
	if (t->leaf)
		FIRST_FIT(LEAF_GAP, i, end, n);
	FIRST_FIT(IN_GAP, i, end, n);
}

/*
 * Lowest gap before any vma where n fits; *at as for search_down. From
 * the root down, in each node the lowest slot whose largest gap fits;
 * back up to the parent's higher slots when none does.
 */
static hg_addr search_up(const struct hg_vas *s, uint64_t n, struct hg_vma **at)
{
	struct hg_vnode *t = s->root;
	unsigned i = 0;
	for (;;) {
		visit(s);
		i = first_fit(t, i, n);
		if (i == t->n) {
			if (!t->parent)
				return 0;
			i = t->slot + 1u;
			t = t->parent;
			continue;
		}
		if (!t->leaf) {
			t = t->in.child[i];
			i = 0;
			continue;
		}
		hg_addr b = t->l.s[i].v.base;
		hg_addr a = gap_fit(s, b - t->l.s[i].gap, b, n, false);
		if (a) {
			*at = &t->l.s[i].v;
			return a;
		}
		i++;
	}
}

/*
 * hg_vas_place's rule; *succ is the vma the placed range would precede
 * (NULL: it would be the last), so that hg_vas_map links it there without
 * another search.
 */
static hg_addr place(const struct hg_vas *s, hg_addr hint, uint64_t n,
		     struct hg_vma **succ)
{
	uint64_t g = s->granularity;
	*succ = NULL;
	if (n == 0 || n > s->hi - s->lo)
		return 0;
	if (hint != 0 && hint % g == 0 && hint + n > hint && hint >= s->lo &&
	    hint + n <= s->hi) {
		/* Free when the first vma that ends above hint starts at or
		 * after hint + n (hg_vas_free_range). */
		struct hg_vma *f = vfirst(s, hint);
		if (!f || f->base >= hint + n) {
			*succ = f;
			return hint;
		}
	}
	const struct hg_vma *last = hg_vas_last(s);
	hg_addr last_end = last ? last->end : s->lo;
	if (s->placement == HG_PLACE_BOTTOMUP) {
		hg_addr a = 0;
		if (s->root && s->max_gap >= n)
			a = search_up(s, n, succ);
		if (a)
			return a;
		*succ = NULL;
		return gap_fit(s, last_end, s->hi, n, false);
	}
	/* Top-down below mmap_base: first the gap that holds the top (no
	 * vma ends above it when the last one does not). */
	hg_addr top = s->mmap_base ? s->mmap_base : s->hi;
	struct hg_vma *b = last && last->end > top ? vfirst(s, top) : NULL;
	hg_addr a;
	if (b) {
		hg_addr hi = b->base < top ? b->base : top;
		a = gap_fit(s, pred_end(s, b), hi, n, true);
	} else {
		a = gap_fit(s, last_end, top, n, true);
	}
	if (a) {
		*succ = b;
		return a;
	}
	if (!s->root || s->max_gap < n)
		return 0;
	return search_down(s, b ? b->base : s->hi, n, succ);
}

hg_addr hg_vas_place(const struct hg_vas *s, hg_addr hint, uint64_t n)
{
	struct hg_vma *succ;
	return place(s, hint, n, &succ);
}

/* ------------------------------------------------------------------ */
/* The tree's changes                                                  */
/* ------------------------------------------------------------------ */

/* Numbers p's children from k on (their slots follow a shift). */
static void renumber(struct hg_vnode *p, unsigned k)
{
	for (; k < p->n; k++) {
		p->in.child[k]->parent = p;
		p->in.child[k]->slot = (unsigned char)k;
	}
}

/*
 * Links child c into p at slot k (p has room), with its key and
 * aggregates; p's own slot above is left to the caller.
 */
static void put_child(struct hg_vnode *p, unsigned k, struct hg_vnode *c)
{
	unsigned m = p->n - k;
	memmove(&p->in.key[k + 1], &p->in.key[k], m * sizeof(hg_addr));
	memmove(&p->in.max_gap[k + 1], &p->in.max_gap[k], m * sizeof(uint64_t));
	memmove(&p->in.rt_lo[k + 1], &p->in.rt_lo[k], m * sizeof(hg_addr));
	memmove(&p->in.rt_hi[k + 1], &p->in.rt_hi[k], m * sizeof(hg_addr));
	memmove(&p->in.child[k + 1], &p->in.child[k], m * sizeof(c));
	p->in.child[k] = c;
	p->n++;
	renumber(p, k);
	set_slot(p, k, c);
}

/* Moves t's entries from i on to the empty node r (of t's kind). */
static void move_tail(struct hg_vnode *t, unsigned i, struct hg_vnode *r)
{
	unsigned m = t->n - i;
	if (t->leaf) {
		memcpy(r->l.s, &t->l.s[i], m * sizeof(struct vslot));
	} else {
		memcpy(r->in.key, &t->in.key[i], m * sizeof(hg_addr));
		memcpy(r->in.max_gap, &t->in.max_gap[i], m * sizeof(uint64_t));
		memcpy(r->in.rt_lo, &t->in.rt_lo[i], m * sizeof(hg_addr));
		memcpy(r->in.rt_hi, &t->in.rt_hi[i], m * sizeof(hg_addr));
		memcpy(r->in.child, &t->in.child[i], m * sizeof(r));
	}
	r->n = (unsigned short)m;
	t->n = (unsigned short)i;
	clear_from(t, i);
	if (!r->leaf)
		renumber(r, 0);
}

/*
 * Splits the full node t in two halves: the new right one follows it in
 * its parent (split in turn when full; a new root above a split root).
 * Both halves' slots get their keys and aggregates; above them nothing
 * changes (the subtree holds the same vmas). NULL when the host is out.
 */
static struct hg_vnode *split_node(struct hg_vas *s, struct hg_vnode *t)
{
	struct hg_vnode *p = t->parent;
	if (!p) {
		p = node_get(s, false);
		if (!p)
			return NULL;
		p->n = 1;
		p->in.child[0] = t;
		renumber(p, 0);
		set_slot(p, 0, t);
		s->root = p;
		s->height++;
	} else if (p->n == VAS_FAN) {
		if (!split_node(s, p))
			return NULL;
		p = t->parent;
	}
	struct hg_vnode *r = node_get(s, t->leaf);
	if (!r)
		return NULL;
	move_tail(t, t->n / 2, r);
	if (t->leaf) {
		r->l.prev = t;
		r->l.next = t->l.next;
		if (t->l.next)
			t->l.next->l.prev = r;
		else
			s->last = r;
		t->l.next = r;
	}
	set_slot(p, t->slot, t);
	put_child(p, t->slot + 1u, r);
	return r;
}

/* v's gap again from the vma before it; its leaf's aggregates follow
 * unless it is leaf skip (the caller refreshes that one). */
static void fix_gap(struct hg_vas *s, struct hg_vma *v,
		    const struct hg_vnode *skip)
{
	struct hg_vnode *l = leaf_of(v);
	l->l.s[index_of(l, v)].gap = room(s, pred_end(s, v), v->base);
	if (l != skip)
		refresh(s, l);
}

/*
 * Inserts m (over free space) at index i of leaf l (l NULL: the tree is
 * empty); returns where it is (NULL when the host is out). Its gap and
 * its successor's follow, and the aggregates above both.
 */
static struct hg_vma *insert_at(struct hg_vas *s, struct hg_vnode *l,
				unsigned i, const struct hg_vma *m)
{
	if (!l) {
		l = node_get(s, true);
		if (!l)
			return NULL;
		s->root = s->first = s->last = l;
		s->height = 0;
		i = 0;
	} else if (l->n == VAS_LEAF) {
		struct hg_vnode *r = split_node(s, l);
		if (!r)
			return NULL;
		if (i > l->n) {
			i -= l->n;
			l = r;
		}
	}
	/* The leaf's aggregates follow from what its parent holds: the
	 * successor's gap splits into the new vma's and its own (both no
	 * larger), and the new vma widens the runtime's bounds. */
	struct vagg o = held(s, l), a = o;
	unsigned k = l->n - i;
	memmove(&l->l.s[i + 1], &l->l.s[i], k * sizeof(struct vslot));
	l->n++;
	l->l.s[i].v = *m;
	struct hg_vma *x = &l->l.s[i].v;
	uint64_t hi = room(s, pred_end(s, x), m->base);
	l->l.s[i].gap = hi;
	bool lost_max = false;
	if (i + 1 < l->n) {
		uint64_t old = l->l.s[i + 1].gap,
			 g = room(s, m->end, l->l.s[i + 1].v.base);
		l->l.s[i + 1].gap = g;
		hi = max64(hi, g);
		lost_max = old == a.max_gap;
	} else if (l->l.next) {
		struct hg_vnode *nl = l->l.next;
		set_gap(s, nl, 0, room(s, m->end, nl->l.s[0].v.base));
	}
	if (hi >= a.max_gap)
		a.max_gap = hi;
	else if (lost_max)
		a.max_gap = leaf_max_gap(l);
	if (m->owner == HG_OWN_RUNTIME) {
		a.rt_lo = min64(a.rt_lo, m->base);
		a.rt_hi = max64(a.rt_hi, m->end);
	}
	fix_aggs(s, l, o, a, i == 0);
	s->n++;
	return x;
}

/* Links m (over free space) into the tree by its address. */
static struct hg_vma *tree_insert(struct hg_vas *s, const struct hg_vma *m)
{
	struct hg_vma *f = vfloor(s, m->base);
	if (f) {
		struct hg_vnode *l = leaf_of(f);
		return insert_at(s, l, index_of(l, f) + 1, m);
	}
	return insert_at(s, s->first, 0, m);
}

/* Takes t out of the leaf list (t is a leaf going away). */
static void unlink_leaf(struct hg_vas *s, struct hg_vnode *t)
{
	struct hg_vnode *pv = t->l.prev, *nx = t->l.next;
	if (pv)
		pv->l.next = nx;
	else
		s->first = nx;
	if (nx)
		nx->l.prev = pv;
	else
		s->last = pv;
}

static void drop_child(struct hg_vas *s, struct hg_vnode *p, unsigned k);

/* Moves every entry of node b to the end of node a, its left sibling
 * (they fit), and drops b. */
static void merge_into(struct hg_vas *s, struct hg_vnode *a, struct hg_vnode *b)
{
	unsigned n = a->n, m = b->n;
	if (a->leaf) {
		memcpy(&a->l.s[n], b->l.s, m * sizeof(struct vslot));
		unlink_leaf(s, b);
	} else {
		memcpy(&a->in.key[n], b->in.key, m * sizeof(hg_addr));
		memcpy(&a->in.max_gap[n], b->in.max_gap, m * sizeof(uint64_t));
		memcpy(&a->in.rt_lo[n], b->in.rt_lo, m * sizeof(hg_addr));
		memcpy(&a->in.rt_hi[n], b->in.rt_hi, m * sizeof(hg_addr));
		memcpy(&a->in.child[n], b->in.child, m * sizeof(b));
	}
	a->n = (unsigned short)(n + m);
	b->n = 0;
	if (!a->leaf)
		renumber(a, n);
	struct hg_vnode *p = b->parent;
	set_slot(p, a->slot, a);
	drop_child(s, p, b->slot);
}

/*
 * t lost an entry: an empty t goes (its parent loses a child), a t of
 * fewer than a quarter joins a sibling when both fit in three quarters of
 * a node, and a root of one child gives way to it. Then the aggregates
 * above are made again.
 */
static void settle(struct hg_vas *s, struct hg_vnode *t, const struct vagg *a)
{
	struct hg_vnode *p = t->parent;
	unsigned cap = t->leaf ? VAS_LEAF : VAS_FAN;
	if (!p) {
		if (t->n == 0) {
			node_put(s, t);
			s->root = s->first = s->last = NULL;
			s->height = 0;
			s->max_gap = 0;
			s->rt_lo = UINT64_MAX;
			s->rt_hi = 0;
			return;
		}
		if (!t->leaf && t->n == 1) {
			struct hg_vnode *c = t->in.child[0];
			c->parent = NULL;
			c->slot = 0;
			s->root = c;
			s->height--;
			node_put(s, t);
			refresh(s, c);
			return;
		}
		refresh_to(s, t, a ? *a : agg_of(t));
		return;
	}
	unsigned k = t->slot;
	if (t->n == 0) {
		if (t->leaf)
			unlink_leaf(s, t);
		drop_child(s, p, k);
		return;
	}
	if (t->n < cap / 4) {
		if (k > 0 && p->in.child[k - 1]->n + t->n <= cap * 3 / 4) {
			merge_into(s, p->in.child[k - 1], t);
			return;
		}
		if (k + 1 < p->n &&
		    p->in.child[k + 1]->n + t->n <= cap * 3 / 4) {
			merge_into(s, t, p->in.child[k + 1]);
			return;
		}
	}
	refresh_to(s, t, a ? *a : agg_of(t));
}

/* Drops child k of p (its node goes back to the pool). */
static void drop_child(struct hg_vas *s, struct hg_vnode *p, unsigned k)
{
	node_put(s, p->in.child[k]);
	unsigned m = p->n - k - 1;
	memmove(&p->in.key[k], &p->in.key[k + 1], m * sizeof(hg_addr));
	memmove(&p->in.max_gap[k], &p->in.max_gap[k + 1], m * sizeof(uint64_t));
	memmove(&p->in.rt_lo[k], &p->in.rt_lo[k + 1], m * sizeof(hg_addr));
	memmove(&p->in.rt_hi[k], &p->in.rt_hi[k + 1], m * sizeof(hg_addr));
	memmove(&p->in.child[k], &p->in.child[k + 1],
		m * sizeof(struct hg_vnode *));
	p->n--;
	clear_slot(p, p->n);
	renumber(p, k);
	settle(s, p, NULL);
}

/* Removes the vma v; the next vma takes its gap. Pointers into the tree
 * are stale afterwards (leaves may join). */
static void remove_vma(struct hg_vas *s, struct hg_vma *v)
{
	struct hg_vnode *l = leaf_of(v);
	unsigned i = index_of(l, v);
	hg_addr pe = pred_end(s, v);
	/* The leaf's aggregates follow from what its parent holds: the
	 * successor's gap takes v's and its own (so it is at least both);
	 * only v's bounds, when they were the runtime's, or v's gap, when
	 * it was the largest and leaves the leaf, send us to the slots. */
	struct vagg o = held(s, l), a = o;
	hg_addr vb = v->base, ve = v->end;
	bool rt = v->owner == HG_OWN_RUNTIME;
	uint64_t gv = l->l.s[i].gap;
	if (i + 1 == l->n && l->l.next) {
		struct hg_vnode *nl = l->l.next;
		set_gap(s, nl, 0, room(s, pe, nl->l.s[0].v.base));
	}
	unsigned k = l->n - i - 1;
	memmove(&l->l.s[i], &l->l.s[i + 1], k * sizeof(struct vslot));
	l->n--;
	clear_slot(l, l->n);
	if (i < l->n) {
		uint64_t g = room(s, pe, l->l.s[i].v.base);
		l->l.s[i].gap = g;
		a.max_gap = max64(a.max_gap, g);
	} else if (gv == a.max_gap) {
		a.max_gap = leaf_max_gap(l);
	}
	if (rt && (vb == a.rt_lo || ve == a.rt_hi))
		leaf_rt(l, &a);
	s->n--;
	/* A leaf that keeps a quarter joins no sibling (settle). */
	if (l->n >= VAS_LEAF / 4)
		fix_aggs(s, l, o, a, i == 0);
	else
		settle(s, l, &a);
}

/* v's end moved: its leaf's aggregates and the next vma's gap follow. */
static void set_end(struct hg_vas *s, struct hg_vma *v, hg_addr end)
{
	struct hg_vnode *l = leaf_of(v);
	v->end = end;
	struct hg_vma *nx = vnext(v);
	if (nx)
		fix_gap(s, nx, l);
	refresh(s, l);
}

/* ------------------------------------------------------------------ */
/* Changes                                                             */
/* ------------------------------------------------------------------ */

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
	s->rt_lo = UINT64_MAX;
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

static bool same_attrs(const struct hg_vma *a, const struct hg_vma *b)
{
	return a->resv == b->resv && a->owner == b->owner &&
	       a->state == b->state && a->heap == b->heap &&
	       a->stranded == b->stranded;
}

static bool joins(const struct hg_vma *a, const struct hg_vma *b)
{
	return a->end == b->base && same_attrs(a, b);
}

/* The vma at base (a vma starts there). */
static struct hg_vma *at_base(const struct hg_vas *s, hg_addr base)
{
	struct hg_vma *v = vfloor(s, base);
	HG_ASSERT(v && v->base == base);
	return v;
}

/* Merges the vma x with touching neighbours that agree. */
static void merge_around(struct hg_vas *s, struct hg_vma *x)
{
	struct hg_vma *nx = vnext(x);
	if (nx && joins(x, nx)) {
		hg_addr b = x->base, e = nx->end;
		remove_vma(s, nx);
		x = at_base(s, b);
		set_end(s, x, e);
	}
	struct hg_vma *pv = vprev(x);
	if (pv && joins(pv, x)) {
		hg_addr b = pv->base, e = x->end;
		remove_vma(s, x);
		set_end(s, at_base(s, b), e);
	}
}

int hg_vas_insert(struct hg_vas *s, const struct hg_vma *m)
{
	HG_ASSERT(m->base < m->end);
	if (!hg_vas_free_range(s, m->base, m->end))
		return HG_EINVAL;
	struct hg_vma *x = tree_insert(s, m);
	if (!x)
		return HG_ENOMEM;
	merge_around(s, x);
	return HG_OK;
}

int hg_vas_map(struct hg_vas *s, hg_addr hint, uint64_t n, struct hg_vma *m,
	       bool resv_at_base)
{
	struct hg_vma *succ;
	hg_addr a = place(s, hint, n, &succ);
	m->base = a;
	if (a == 0)
		return HG_EINVAL;
	m->end = a + n;
	if (resv_at_base)
		m->resv = a;
	struct hg_vma *x;
	if (succ) {
		struct hg_vnode *l = leaf_of(succ);
		x = insert_at(s, l, index_of(l, succ), m);
	} else {
		x = insert_at(s, s->last, s->last ? s->last->n : 0, m);
	}
	if (!x)
		return HG_ENOMEM;
	merge_around(s, x);
	return HG_OK;
}

/* Split so that a vma boundary falls at a (if a is inside a vma). */
static int split_at(struct hg_vas *s, hg_addr a)
{
	struct hg_vma *t = vfloor(s, a);
	if (!t || t->base == a || a >= t->end)
		return HG_OK;
	struct hg_vma x = *t;
	x.base = a;
	/* The new piece follows at once: its gap is 0, the next vma's
	 * stays, and insert_at makes the leaf's aggregates again. */
	t->end = a;
	struct hg_vnode *l = leaf_of(t);
	if (!insert_at(s, l, index_of(l, t) + 1, &x)) {
		t->end = x.end;
		return HG_ENOMEM;
	}
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
	struct hg_vma *first = vfirst(s, base);
	if (!first)
		return HG_OK;
	for (struct hg_vma *v = first; v && v->base < end; v = vnext(v))
		fn(v, a, b);
	/* Every touching pair that agrees, from the vma before the first
	 * piece to the one after the last, becomes one vma (elsewhere no
	 * two touching vmas agree). */
	struct hg_vma *v = vprev(first);
	if (!v)
		v = first;
	while (v && v->base < end) {
		struct hg_vma *nx = vnext(v);
		if (nx && joins(v, nx)) {
			hg_addr vb = v->base, e = nx->end;
			remove_vma(s, nx);
			v = at_base(s, vb);
			set_end(s, v, e);
		} else {
			v = nx;
		}
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

int hg_vas_unmap(struct hg_vas *s, hg_addr base, hg_addr end, uint64_t *charged)
{
	if (end <= base)
		return HG_OK;
	/* The common case: exactly one whole vma, found with one search. */
	struct hg_vma *t = vfloor(s, base);
	if (t && t->base == base && t->end == end) {
		*charged += charged_bytes(t);
		remove_vma(s, t);
		return HG_OK;
	}
	int err = split_at(s, base);
	if (!err)
		err = split_at(s, end);
	if (err)
		return err;
	/* Each removal may move the vmas after it: found again each time. */
	while ((t = vfirst(s, base)) && t->base < end) {
		*charged += charged_bytes(t);
		remove_vma(s, t);
	}
	return HG_OK;
}

void hg_vas_drop(struct hg_vas *s, const struct hg_vma *v)
{
	struct hg_vnode *l = leaf_of(v);
	remove_vma(s, &l->l.s[index_of(l, v)].v);
}

int hg_vas_remove(struct hg_vas *s, hg_addr base, hg_addr end)
{
	uint64_t charged = 0;
	return hg_vas_unmap(s, base, end, &charged);
}

/* ------------------------------------------------------------------ */
/* Self-check                                                          */
/* ------------------------------------------------------------------ */

struct vcheck {
	const struct hg_vas *s;
	const struct hg_vnode *leaf; /* the next leaf in order */
	const struct hg_vma *prev;   /* the last vma seen */
	size_t count;
};

/* t's subtree at depth d: the shape, the keys, the gaps and the leaf
 * list; the aggregates are compared by the caller. */
static int check_node(struct vcheck *c, const struct hg_vnode *t,
		      const struct hg_vnode *parent, unsigned d)
{
	const struct hg_vas *s = c->s;
	if (t->parent != parent || t->n == 0 || t->leaf != (d == s->height))
		return -1;
	if (t->leaf) {
		if (t != c->leaf || t->n > VAS_LEAF ||
		    (t->l.next ? t->l.next->l.prev != t : s->last != t))
			return -1;
		for (unsigned i = t->n; i < VAS_LEAF; i++)
			if (t->l.s[i].v.base != UINT64_MAX ||
			    t->l.s[i].gap != 0)
				return -1;
		for (unsigned i = 0; i < t->n; i++) {
			const struct hg_vma *v = &t->l.s[i].v;
			hg_addr pe = c->prev ? c->prev->end : s->lo;
			if (t->l.s[i].v.base != v->base || v->base >= v->end ||
			    v->base < pe ||
			    t->l.s[i].gap != room(s, pe, v->base) ||
			    vfloor(s, v->base) != v)
				return -1;
			c->prev = v;
			c->count++;
		}
		c->leaf = t->l.next;
		return 0;
	}
	if (t->n > VAS_FAN)
		return -1;
	for (unsigned i = t->n; i < VAS_FAN; i++)
		if (t->in.key[i] != UINT64_MAX || t->in.max_gap[i] != 0 ||
		    t->in.rt_lo[i] != UINT64_MAX || t->in.rt_hi[i] != 0)
			return -1;
	for (unsigned i = 0; i < t->n; i++) {
		const struct hg_vnode *ch = t->in.child[i];
		struct vagg a;
		if (ch->slot != i || check_node(c, ch, t, d + 1))
			return -1;
		a = agg_of(ch);
		if (t->in.key[i] != min_key(ch) ||
		    t->in.max_gap[i] != a.max_gap ||
		    t->in.rt_lo[i] != a.rt_lo || t->in.rt_hi[i] != a.rt_hi)
			return -1;
	}
	return 0;
}

int hg_vas_check(const struct hg_vas *s)
{
	if (!s->root)
		return s->n == 0 && !s->first && !s->last && s->max_gap == 0 &&
				       s->rt_lo == UINT64_MAX && s->rt_hi == 0
			       ? 0
			       : -1;
	struct vcheck c = { s, s->first, NULL, 0 };
	if (s->first->l.prev || check_node(&c, s->root, NULL, 0) || c.leaf ||
	    c.count != s->n)
		return -1;
	struct vagg a = agg_of(s->root);
	return a.max_gap == s->max_gap && a.rt_lo == s->rt_lo &&
			       a.rt_hi == s->rt_hi
		       ? 0
		       : -1;
}
