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

	memset(s, 0, sizeof(*s));
	s->bits = bits;
	s->leaf_bits = leaf_bits < bits ? leaf_bits : bits;
	rem = bits - s->leaf_bits;
	s->mid_bits = (rem + 1) / 2;
	s->top_bits = rem - s->mid_bits;
	s->elem = elem;
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
			free(mid[m]);
		free(mid);
	}
	free(s->top);
	s->top = NULL;
	s->nleaves = 0;
}

void *hg_sparse_get(const struct hg_sparse *s, uint64_t i)
{
	void **mid;
	char *leaf;

	if (!s->top || (s->bits < 64 && (i >> s->bits) != 0))
		return NULL;
	mid = s->top[i >> (s->leaf_bits + s->mid_bits)];
	if (!mid)
		return NULL;
	leaf = mid[(i >> s->leaf_bits) & ((UINT64_C(1) << s->mid_bits) - 1)];
	if (!leaf)
		return NULL;
	return leaf + (i & ((UINT64_C(1) << s->leaf_bits) - 1)) * s->elem;
}

/* Makes sure element i is backed; returns false on allocation failure. */
bool hg_sparse_ensure(struct hg_sparse *s, uint64_t i)
{
	void ***tp;
	void **mp;

	if (s->bits < 64 && (i >> s->bits) != 0)
		return false;
	if (!s->top) {
		s->top = calloc((size_t)1 << s->top_bits, sizeof(void **));
		if (!s->top)
			return false;
	}
	tp = &s->top[i >> (s->leaf_bits + s->mid_bits)];
	if (!*tp) {
		*tp = calloc((size_t)1 << s->mid_bits, sizeof(void *));
		if (!*tp)
			return false;
	}
	mp = &(*tp)[(i >> s->leaf_bits) & ((UINT64_C(1) << s->mid_bits) - 1)];
	if (!*mp) {
		*mp = calloc((size_t)1 << s->leaf_bits, s->elem);
		if (!*mp)
			return false;
		s->nleaves++;
	}
	return true;
}

/* Backs the elements [lo, hi). */
bool hg_sparse_ensure_range(struct hg_sparse *s, uint64_t lo, uint64_t hi)
{
	uint64_t step = UINT64_C(1) << s->leaf_bits, i;

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

bool hg_hbm_get(const struct hg_hbm *h, uint64_t i)
{
	const uint64_t *w = hg_sparse_get(&h->lv[0], i >> 6);

	return w && ((*w >> (i & 63)) & 1);
}

/* Sets bit i; its words must have been reserved. */
void hg_hbm_set(struct hg_hbm *h, uint64_t i)
{
	unsigned k;

	for (k = 0; k < h->nlevels; k++) {
		uint64_t *w = hg_sparse_get(&h->lv[k], i >> 6);
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

void hg_hbm_clear(struct hg_hbm *h, uint64_t i)
{
	unsigned k;

	for (k = 0; k < h->nlevels; k++) {
		uint64_t *w = hg_sparse_get(&h->lv[k], i >> 6);
		uint64_t bit = UINT64_C(1) << (i & 63);

		if (!w || !(*w & bit))
			return;
		*w &= ~bit;
		if (*w != 0)
			return;
		i >>= 6;
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
