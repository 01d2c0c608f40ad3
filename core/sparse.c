/*
 * sparse.c - the generic containers of the page allocator (sparse.h):
 * sparse arrays and hierarchical bitmaps.
 */
#include "internal.h"
#include "sparse.h"

#include <stdlib.h>
#include <string.h>

static unsigned ctz64(uint64_t x)
{
	return x ? (unsigned)__builtin_ctzll(x) : 64;
}

static unsigned clz64(uint64_t x)
{
	return x ? (unsigned)__builtin_clzll(x) : 64;
}

/* ------------------------------------------------------------------ */
/* Sparse arrays                                                       */
/* ------------------------------------------------------------------ */

void hg_sparse_init(struct hg_sparse *s, unsigned bits, unsigned leaf_bits,
		    size_t elem)
{
	unsigned rem;

	memset(s, 0, sizeof(*s)); /* no cached leaf: cache_len 0 */
	s->bits = bits;
	s->leaf_bits = leaf_bits < bits ? leaf_bits : bits;
	rem = bits - s->leaf_bits;
	s->mid_bits = (rem + 1) / 2;
	s->top_bits = rem - s->mid_bits;
	s->elem = elem;
}

/* A uniform leaf's slot holds its prototype's number, tagged by bit 0
 * (leaf blocks come from malloc, so their bit 0 is clear). */
static void *uniform_tag(unsigned k)
{
	return (void *)(((uintptr_t)k << 1) | 1);
}

static bool is_uniform(const void *slot)
{
	return hg_sparse_is_uniform(slot);
}

static unsigned uniform_k(const void *slot)
{
	return (unsigned)((uintptr_t)slot >> 1);
}

static uint64_t leaf_len(const struct hg_sparse *s)
{
	return UINT64_C(1) << s->leaf_bits;
}

static uint64_t leaf_off(const struct hg_sparse *s, uint64_t i)
{
	return i & (leaf_len(s) - 1);
}

void hg_sparse_destroy(struct hg_sparse *s)
{
	uint64_t t, m;

	if (!s->top)
		return;
	for (t = 0; t < (UINT64_C(1) << s->top_bits); t++) {
		void **mid = s->top[t];

		if (!mid)
			continue;
		for (m = 0; m < (UINT64_C(1) << s->mid_bits); m++)
			if (!is_uniform(mid[m]))
				free(mid[m]);
		free(mid);
	}
	free(s->top);
	s->top = NULL;
	s->nleaves = 0;
	s->cache_len = 0;
	s->cache_leaf = NULL;
}

/* Frees the materialised leaf in *slot, forgetting it if cached. */
static void free_leaf(struct hg_sparse *s, void **slot)
{
	if (*slot == s->cache_leaf) {
		s->cache_len = 0;
		s->cache_leaf = NULL;
	}
	free(*slot);
	s->nleaves--;
}

int hg_sparse_add_uniform(struct hg_sparse *s, const void *proto)
{
	if (s->nuniform == HG_SPARSE_MAX_UNIFORM)
		return -1;
	const unsigned char *b = proto;
	size_t j;

	s->uniform[s->nuniform] = proto;
	s->uniform_zero[s->nuniform] = true;
	for (j = 0; j < s->elem; j++)
		if (b[j])
			s->uniform_zero[s->nuniform] = false;
	return (int)s->nuniform++;
}

static void **slot_of(const struct hg_sparse *s, uint64_t i)
{
	return hg_sparse_slot(s, i);
}

/* The slot of element i's leaf, making the tables above it; NULL when the
 * host is out of memory or i is out of range. */
static void **slot_make(struct hg_sparse *s, uint64_t i)
{
	void ***tp;

	if (s->bits < 64 && (i >> s->bits) != 0)
		return NULL;
	if (!s->top) {
		s->top = calloc((size_t)1 << s->top_bits, sizeof(void **));
		if (!s->top)
			return NULL;
	}
	tp = &s->top[i >> (s->leaf_bits + s->mid_bits)];
	if (!*tp) {
		*tp = calloc((size_t)1 << s->mid_bits, sizeof(void *));
		if (!*tp)
			return NULL;
	}
	return &(*tp)[(i >> s->leaf_bits) & ((UINT64_C(1) << s->mid_bits) - 1)];
}

/* Element i when its leaf is materialised, else NULL (the bitmaps' words,
 * which never become uniform). */
static void *get_backed(struct hg_sparse *s, uint64_t i)
{
	return hg_sparse_peek_mut(s, i);
}

/* Gives the slot a leaf of its own: zero-filled, or the prototype's
 * copies for a uniform slot. */
static bool materialise(struct hg_sparse *s, void **slot)
{
	uint64_t n = leaf_len(s), j;
	char *leaf;

	if (*slot && !is_uniform(*slot))
		return true;
	leaf = calloc((size_t)n, s->elem);
	if (!leaf)
		return false;
	if (*slot && !s->uniform_zero[uniform_k(*slot)]) {
		/* One copy of the prototype, then doubling copies. */
		memcpy(leaf, s->uniform[uniform_k(*slot)], s->elem);
		for (j = 1; j < n; j *= 2)
			memcpy(leaf + j * s->elem, leaf,
			       (size_t)(j <= n - j ? j : n - j) * s->elem);
	}
	*slot = leaf;
	s->nleaves++;
	return true;
}

void *hg_sparse_get_mut(struct hg_sparse *s, uint64_t i)
{
	char *c = hg_sparse_cached(s, i);
	void **slot;

	if (c)
		return c;
	slot = slot_make(s, i);
	if (!slot || !materialise(s, slot))
		return NULL;
	hg_sparse_cache_leaf(s, i, *slot);
	return (char *)*slot + leaf_off(s, i) * s->elem;
}

int hg_sparse_uniform_at(const struct hg_sparse *s, uint64_t i, uint64_t *n)
{
	void **slot = slot_of(s, i);

	*n = leaf_len(s) - leaf_off(s, i);
	if (!slot || !*slot)
		return -2;
	if (is_uniform(*slot))
		return (int)uniform_k(*slot);
	return -1;
}

const void *hg_sparse_block(const struct hg_sparse *s, uint64_t i, unsigned n,
			    void *scratch)
{
	const char *c = hg_sparse_cached(s, i);
	void **slot;

	if (c)
		return c;
	slot = slot_of(s, i);
	if (slot && *slot && !is_uniform(*slot))
		return (const char *)*slot + leaf_off(s, i) * s->elem;
	hg_sparse_read(s, i, n, scratch);
	return scratch;
}

void hg_sparse_read(const struct hg_sparse *s, uint64_t i, unsigned n,
		    void *out)
{
	void **slot = slot_of(s, i);
	char *o = out;
	unsigned j;

	if (!slot || !*slot) {
		memset(out, 0, n * s->elem);
	} else if (is_uniform(*slot)) {
		for (j = 0; j < n; j++)
			memcpy(o + j * s->elem, s->uniform[uniform_k(*slot)],
			       s->elem);
	} else {
		memcpy(out, (const char *)*slot + leaf_off(s, i) * s->elem,
		       n * s->elem);
	}
}

/* Element a equals element b (elem bytes; 8-byte elements compared as
 * words, the summaries' case). */
static bool elem_eq(const struct hg_sparse *s, const void *a, const void *b)
{
	if (s->elem == sizeof(uint64_t))
		return *(const uint64_t *)a == *(const uint64_t *)b;
	return !memcmp(a, b, s->elem);
}

void hg_sparse_compact(struct hg_sparse *s, uint64_t i)
{
	void **slot = slot_of(s, i);
	uint64_t n = leaf_len(s), j;
	const char *leaf, *e;
	const void *proto;
	unsigned k;

	if (!slot || !*slot || is_uniform(*slot) || !s->nuniform)
		return;
	leaf = *slot;
	e = leaf + leaf_off(s, i) * s->elem;
	for (k = 0; k < s->nuniform; k++)
		if (elem_eq(s, e, s->uniform[k]))
			break;
	if (k == s->nuniform)
		return;
	proto = s->uniform[k];
	/* The leaf's two ends first: a leaf being filled from one end or the
	 * other is seen not to be uniform yet in one comparison. */
	if (!elem_eq(s, leaf, proto) ||
	    !elem_eq(s, leaf + (n - 1) * s->elem, proto))
		return;
	for (j = 1; j + 1 < n; j++)
		if (!elem_eq(s, leaf + j * s->elem, proto))
			return;
	free_leaf(s, slot);
	*slot = uniform_tag(k);
}

bool hg_sparse_set_uniform(struct hg_sparse *s, uint64_t lo, uint64_t hi,
			   unsigned k)
{
	const void *proto = s->uniform[k];
	uint64_t i = lo;

	while (i < hi) {
		uint64_t off = leaf_off(s, i), n = leaf_len(s) - off, j;
		void **slot = slot_make(s, i);

		if (!slot)
			return false;
		if (n > hi - i)
			n = hi - i;
		if (off == 0 && n == leaf_len(s)) {
			if (*slot && !is_uniform(*slot))
				free_leaf(s, slot);
			*slot = uniform_tag(k);
		} else if (!(*slot && is_uniform(*slot) &&
			     uniform_k(*slot) == k)) {
			char *e;

			if (!materialise(s, slot))
				return false;
			e = (char *)*slot + off * s->elem;
			for (j = 0; j < n; j++)
				memcpy(e + j * s->elem, proto, s->elem);
			hg_sparse_compact(s, i);
		}
		i += n;
	}
	return true;
}

/* Makes sure element i is backed; returns false on allocation failure. */
bool hg_sparse_ensure(struct hg_sparse *s, uint64_t i)
{
	void **slot = slot_make(s, i);

	if (!slot)
		return false;
	if (!*slot) {
		*slot = calloc((size_t)leaf_len(s), s->elem);
		if (!*slot)
			return false;
		s->nleaves++;
	}
	return true;
}

/* Backs the elements [lo, hi). */
bool hg_sparse_ensure_range(struct hg_sparse *s, uint64_t lo, uint64_t hi)
{
	uint64_t step = leaf_len(s), i;

	if (lo >= hi)
		return true;
	for (i = HG_ALIGN_DOWN(lo, step); i < hi; i += step) {
		if (!hg_sparse_ensure(s, i))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Hierarchical bitmaps (64-way)                                       */
/* ------------------------------------------------------------------ */

void hg_hbm_init(struct hg_hbm *h, unsigned bits)
{
	unsigned k = 0;

	memset(h, 0, sizeof(*h));
	for (;;) {
		unsigned wbits = bits > 6 * (k + 1) ? bits - 6 * (k + 1) : 0;

		hg_sparse_init(&h->lv[k], wbits, 9, sizeof(uint64_t));
		k++;
		if (wbits == 0 || k == HG_HBM_MAX_LEVELS)
			break;
	}
	h->nlevels = k;
}

void hg_hbm_destroy(struct hg_hbm *h)
{
	unsigned k;

	for (k = 0; k < h->nlevels; k++)
		hg_sparse_destroy(&h->lv[k]);
}

/* Backs the words needed for indexes [lo, hi). */
bool hg_hbm_reserve(struct hg_hbm *h, uint64_t lo, uint64_t hi)
{
	unsigned k;

	if (lo >= hi)
		return true;
	for (k = 0; k < h->nlevels; k++) {
		lo >>= 6;
		hi = ((hi - 1) >> 6) + 1;
		if (!hg_sparse_ensure_range(&h->lv[k], lo, hi))
			return false;
	}
	return true;
}

bool hg_hbm_get_slow(const struct hg_hbm *h, uint64_t i)
{
	/* A materialised leaf read becomes the cached one, so the next
	 * reads near it are inline (a bitmap only read, as the scavenge
	 * index's hi_last between generations, would else never be
	 * cached). The cache is no part of the bitmap's value: every
	 * hg_hbm lives in memory that is not const. */
	const uint64_t *w = (const uint64_t *)(const void *)hg_sparse_leaf(
		(struct hg_sparse *)&h->lv[0], i >> 6);

	if (w)
		return (w[(i >> 6) &
			  ((UINT64_C(1) << h->lv[0].leaf_bits) - 1)] >>
			(i & 63)) &
		       1;
	w = hg_sparse_get(&h->lv[0], i >> 6);
	return w && ((*w >> (i & 63)) & 1);
}

/* Sets bit i of level k and the summary bits above it. */
static void hbm_set_at(struct hg_hbm *h, unsigned k, uint64_t i)
{
	for (; k < h->nlevels; k++) {
		uint64_t *w = get_backed(&h->lv[k], i >> 6);
		uint64_t was;

		if (!w)
			return;
		was = *w;
		*w |= UINT64_C(1) << (i & 63);
		if (was != 0)
			return;
		i >>= 6;
	}
}

/* Clears bit i of level k and the summary bits its word empties. */
static void hbm_clear_at(struct hg_hbm *h, unsigned k, uint64_t i)
{
	for (; k < h->nlevels; k++) {
		uint64_t *w = get_backed(&h->lv[k], i >> 6);
		uint64_t bit = UINT64_C(1) << (i & 63);

		if (!w || !(*w & bit))
			return;
		*w &= ~bit;
		if (*w != 0)
			return;
		i >>= 6;
	}
}

/* Sets bit i; its words must have been reserved. */
void hg_hbm_set_slow(struct hg_hbm *h, uint64_t i)
{
	hbm_set_at(h, 0, i);
}

void hg_hbm_clear_slow(struct hg_hbm *h, uint64_t i)
{
	hbm_clear_at(h, 0, i);
}

/* The mask of bits [lo, hi) of the level-0 word holding lo. */
static uint64_t range_mask(uint64_t lo, uint64_t hi)
{
	unsigned b = (unsigned)(lo & 63);
	uint64_t n = hi - lo;

	if (n >= 64 - b)
		return ~UINT64_C(0) << b;
	return ((UINT64_C(1) << n) - 1) << b;
}

void hg_hbm_set_range(struct hg_hbm *h, uint64_t lo, uint64_t hi)
{
	while (lo < hi) {
		uint64_t m = range_mask(lo, hi), was;
		uint64_t *w = get_backed(&h->lv[0], lo >> 6);

		if (w) {
			was = *w;
			*w |= m;
			if (was == 0 && h->nlevels > 1)
				hbm_set_at(h, 1, lo >> 6);
		}
		lo = (lo | 63) + 1;
	}
}

void hg_hbm_clear_range(struct hg_hbm *h, uint64_t lo, uint64_t hi)
{
	while (lo < hi) {
		uint64_t m = range_mask(lo, hi), was;
		uint64_t *w = get_backed(&h->lv[0], lo >> 6);

		if (w) {
			was = *w;
			*w &= ~m;
			if (was != 0 && *w == 0 && h->nlevels > 1)
				hbm_clear_at(h, 1, lo >> 6);
		}
		lo = (lo | 63) + 1;
	}
}

static uint64_t hbm_word(const struct hg_hbm *h, unsigned k, uint64_t w)
{
	const uint64_t *p = hg_sparse_get(&h->lv[k], w);

	return p ? *p : 0;
}

/* Highest set index <= x. */
bool hg_hbm_find_prev(const struct hg_hbm *h, uint64_t x, uint64_t *out)
{
	unsigned k = 0;
	uint64_t i = x, pos;

	for (;;) {
		uint64_t w = i >> 6, b = i & 63;
		uint64_t m = hbm_word(h, k, w) &
			     (b == 63 ? ~UINT64_C(0) : (UINT64_C(2) << b) - 1);

		if (m) {
			pos = w * 64 + 63 - clz64(m);
			break;
		}
		if (w == 0 || k + 1 == h->nlevels)
			return false;
		i = w - 1;
		k++;
	}
	while (k > 0) {
		k--;
		pos = pos * 64 + 63 - clz64(hbm_word(h, k, pos));
	}
	*out = pos;
	return true;
}

/* Lowest set index >= x. */
bool hg_hbm_find_next(const struct hg_hbm *h, uint64_t x, uint64_t *out)
{
	unsigned k = 0;
	uint64_t i = x, pos;

	for (;;) {
		uint64_t w = i >> 6, b = i & 63;
		uint64_t m = hbm_word(h, k, w) & (~UINT64_C(0) << b);

		if (m) {
			pos = w * 64 + ctz64(m);
			break;
		}
		if (k + 1 == h->nlevels)
			return false;
		i = w + 1;
		k++;
	}
	while (k > 0) {
		k--;
		pos = pos * 64 + ctz64(hbm_word(h, k, pos));
	}
	*out = pos;
	return true;
}
