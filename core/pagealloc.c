/*
 * pagealloc.c - Go's page allocator: runtime/mpagealloc.go,
 * mpagealloc_64bit.go, mpagealloc_32bit.go, mpallocbits.go, mpagecache.go
 * and the scavenging half of mgcscavenge.go.
 *
 * Layout:
 * - every chunk (chunk_bytes of address space) has an alloc bitmap
 *   (Go: pallocBits, 1 = in use), a scavenged bitmap (1 = released) and
 *   its scavenge-index counter (Go: scavChunkData.inUse);
 * - the chunks live in a sparse three-level table (Go keeps a two-level
 *   one), so only grown regions cost host memory;
 * - the radix summaries (Go: pallocSum packed start/max/end) use Go's
 *   geometry: 5 levels when addr_bits > 32, otherwise 4, fan-out 8, the
 *   root level taking the remaining address bits. Each level is a sparse
 *   array allocated in blocks as grow needs them;
 * - the root level, which Go scans linearly, is paired with a bitmap of its
 *   non-zero entries so runs of fully allocated entries are skipped in one
 *   step (same answers, less work for far-apart heap regions);
 * - the scavenge index (Go: scavengeIndex) keeps Go's per-chunk "has free"
 *   flag in a hierarchical bitmap, so the highest flagged chunk at or below
 *   the search address is found in O(log) instead of a linear walk.
 *
 * Go's offset address space (arenaBaseOffset) is not modelled: addresses
 * are plain and below 1 << addr_bits, so their order is the same.
 */
#include "pagealloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PA_MAX_LEVELS 5
#define PA_LEVEL_BITS 3   /* Go: summaryLevelBits */
#define PA_MAX_WORDS 8    /* 512 pages / 64 */
#define PA_CACHE_PAGES 64 /* Go: pageCachePages */
#define PA_HBM_MAX_LEVELS 8
#define PA_NONE UINT64_MAX /* Go: ^uint(0) as "not found" */

/* ------------------------------------------------------------------ */
/* Bit helpers                                                         */
/* ------------------------------------------------------------------ */

static unsigned ctz64(uint64_t x)
{
	return x ? (unsigned)__builtin_ctzll(x) : 64;
}

static unsigned clz64(uint64_t x)
{
	return x ? (unsigned)__builtin_clzll(x) : 64;
}

static unsigned popcount64(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

static unsigned log2_u64(uint64_t x)
{
	return 63 - clz64(x);
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Mask of bits [lo, lo+n) within one word; n in 1..64, lo+n <= 64. */
static uint64_t word_mask(unsigned lo, unsigned n)
{
	uint64_t m = n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;

	return m << lo;
}

/* ------------------------------------------------------------------ */
/* Sparse arrays                                                       */
/* ------------------------------------------------------------------ */

/*
 * A lazily allocated array of 1 << bits fixed-size elements: a top table
 * of pointers to mid tables of pointers to zero-filled leaf blocks.
 */
struct pa_sparse {
	unsigned bits;
	unsigned leaf_bits;
	unsigned mid_bits;
	unsigned top_bits;
	size_t elem;
	void ***top;
	uint64_t nleaves;
};

static void sp_init(struct pa_sparse *s, unsigned bits, unsigned leaf_bits,
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

static void sp_destroy(struct pa_sparse *s)
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

static void *sp_get(const struct pa_sparse *s, uint64_t i)
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
static bool sp_ensure(struct pa_sparse *s, uint64_t i)
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
static bool sp_ensure_range(struct pa_sparse *s, uint64_t lo, uint64_t hi)
{
	uint64_t step = UINT64_C(1) << s->leaf_bits, i;

	if (lo >= hi)
		return true;
	for (i = lo & ~(step - 1); i < hi; i += step) {
		if (!sp_ensure(s, i))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Hierarchical bitmaps (64-way)                                       */
/* ------------------------------------------------------------------ */

/*
 * Level 0 holds one bit per index; bit b of word w at level k+1 says
 * whether word 64*w+b of level k is non-zero. Used for the scavenge
 * index's "has free" flags and the root summaries' non-zero entries.
 */
struct pa_hbm {
	unsigned nlevels;
	struct pa_sparse lv[PA_HBM_MAX_LEVELS];
};

static void hbm_init(struct pa_hbm *h, unsigned bits)
{
	unsigned k = 0;

	memset(h, 0, sizeof(*h));
	for (;;) {
		unsigned wbits = bits > 6 * (k + 1) ? bits - 6 * (k + 1) : 0;

		sp_init(&h->lv[k], wbits, 9, sizeof(uint64_t));
		k++;
		if (wbits == 0 || k == PA_HBM_MAX_LEVELS)
			break;
	}
	h->nlevels = k;
}

static void hbm_destroy(struct pa_hbm *h)
{
	unsigned k;

	for (k = 0; k < h->nlevels; k++)
		sp_destroy(&h->lv[k]);
}

/* Backs the words needed for indexes [lo, hi). */
static bool hbm_reserve(struct pa_hbm *h, uint64_t lo, uint64_t hi)
{
	unsigned k;

	if (lo >= hi)
		return true;
	for (k = 0; k < h->nlevels; k++) {
		lo >>= 6;
		hi = ((hi - 1) >> 6) + 1;
		if (!sp_ensure_range(&h->lv[k], lo, hi))
			return false;
	}
	return true;
}

static bool hbm_get(const struct pa_hbm *h, uint64_t i)
{
	const uint64_t *w = sp_get(&h->lv[0], i >> 6);

	return w && ((*w >> (i & 63)) & 1);
}

/* Sets bit i; its words must have been reserved. */
static void hbm_set(struct pa_hbm *h, uint64_t i)
{
	unsigned k;

	for (k = 0; k < h->nlevels; k++) {
		uint64_t *w = sp_get(&h->lv[k], i >> 6);
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

static void hbm_clear(struct pa_hbm *h, uint64_t i)
{
	unsigned k;

	for (k = 0; k < h->nlevels; k++) {
		uint64_t *w = sp_get(&h->lv[k], i >> 6);
		uint64_t bit = UINT64_C(1) << (i & 63);

		if (!w || !(*w & bit))
			return;
		*w &= ~bit;
		if (*w != 0)
			return;
		i >>= 6;
	}
}

static uint64_t hbm_word(const struct pa_hbm *h, unsigned k, uint64_t w)
{
	const uint64_t *p = sp_get(&h->lv[k], w);

	return p ? *p : 0;
}

/* Highest set index <= x. */
static bool hbm_find_prev(const struct pa_hbm *h, uint64_t x, uint64_t *out)
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
static bool hbm_find_next(const struct pa_hbm *h, uint64_t x, uint64_t *out)
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

/* ------------------------------------------------------------------ */
/* The allocator                                                       */
/* ------------------------------------------------------------------ */

/* Go: pallocData plus the chunk's scavChunkData. */
struct pa_chunk {
	uint64_t alloc[PA_MAX_WORDS]; /* Go: pallocBits, 1 = in use */
	uint64_t scav[PA_MAX_WORDS];  /* Go: scavenged, 1 = released */
	uint16_t in_use;              /* Go: scavChunkData.inUse */
	bool grown;
};

struct hg_pagealloc {
	struct hg_pagealloc_params params;
	unsigned log_page;
	unsigned log_chunk_bytes;
	unsigned log_chunk_pages; /* Go: logPallocChunkPages */
	uint64_t chunk_pages;     /* Go: pallocChunkPages */
	unsigned nwords;          /* 64-bit words per chunk bitmap */
	uint64_t min_pages;       /* scavenging granularity in pages */
	uint64_t huge_pages;      /* pages per huge page; 0 = none */
	hg_addr max_addr;         /* Go: maxSearchAddr */

	unsigned levels; /* Go: summaryLevels */
	unsigned level_bits[PA_MAX_LEVELS];
	unsigned level_shift[PA_MAX_LEVELS];
	unsigned level_log_pages[PA_MAX_LEVELS];
	unsigned log_max_packed; /* Go: logMaxPackedValue */
	uint64_t free_chunk_sum; /* Go: freeChunkSum */

	struct pa_sparse summary[PA_MAX_LEVELS];
	struct pa_hbm root_nonzero; /* non-zero entries of summary[0] */
	struct pa_sparse chunks;

	hg_addr search_addr; /* Go: searchAddr */
	uint64_t start, end; /* Go: start, end (chunk indexes) */
	bool grown;
	uint64_t nchunks; /* grown chunks */
	struct hg_addr_ranges in_use;

	/* Go: scavengeIndex, forced mode only. */
	struct pa_hbm scav_has_free; /* Go: scavChunkHasFree per chunk */
	hg_addr scav_search_addr;    /* Go: searchAddrForce */
	bool scav_search_valid;      /* false = Go's cleared state */
};

static uint64_t chunk_index(const struct hg_pagealloc *p, hg_addr a)
{
	return a >> p->log_chunk_bytes;
}

static hg_addr chunk_base(const struct hg_pagealloc *p, uint64_t ci)
{
	return ci << p->log_chunk_bytes;
}

static uint64_t chunk_page_index(const struct hg_pagealloc *p, hg_addr a)
{
	return (a >> p->log_page) & (p->chunk_pages - 1);
}

static struct pa_chunk *chunk_of(const struct hg_pagealloc *p, uint64_t ci)
{
	return sp_get(&p->chunks, ci);
}

/* ------------------------------------------------------------------ */
/* pallocSum                                                           */
/* ------------------------------------------------------------------ */

/* Go: packPallocSum, runtime/mpagealloc.go */
static uint64_t pack_sum(const struct hg_pagealloc *p, uint64_t start,
			 uint64_t most, uint64_t end)
{
	unsigned l = p->log_max_packed;
	uint64_t mask = (UINT64_C(1) << l) - 1;

	if (most == (UINT64_C(1) << l))
		return UINT64_C(1) << 63;
	return (start & mask) | ((most & mask) << l) |
	       ((end & mask) << (2 * l));
}

/* Go: pallocSum.unpack, runtime/mpagealloc.go */
static void unpack_sum(const struct hg_pagealloc *p, uint64_t s,
		       uint64_t *start, uint64_t *most, uint64_t *end)
{
	unsigned l = p->log_max_packed;
	uint64_t mask = (UINT64_C(1) << l) - 1;

	if (s & (UINT64_C(1) << 63)) {
		*start = *most = *end = UINT64_C(1) << l;
		return;
	}
	*start = s & mask;
	*most = (s >> l) & mask;
	*end = (s >> (2 * l)) & mask;
}

static uint64_t sum_start(const struct hg_pagealloc *p, uint64_t s)
{
	uint64_t a, b, c;

	unpack_sum(p, s, &a, &b, &c);
	return a;
}

static uint64_t sum_max(const struct hg_pagealloc *p, uint64_t s)
{
	uint64_t a, b, c;

	unpack_sum(p, s, &a, &b, &c);
	return b;
}

static uint64_t sum_end(const struct hg_pagealloc *p, uint64_t s)
{
	uint64_t a, b, c;

	unpack_sum(p, s, &a, &b, &c);
	return c;
}

/* Go: mergeSummaries, runtime/mpagealloc.go */
static uint64_t merge_sums(const struct hg_pagealloc *p, const uint64_t *sums,
			   unsigned n, unsigned log_max_pages_per_sum)
{
	uint64_t start, most, end, whole = UINT64_C(1) << log_max_pages_per_sum;
	unsigned i;

	unpack_sum(p, sums[0], &start, &most, &end);
	for (i = 1; i < n; i++) {
		uint64_t si, mi, ei;

		unpack_sum(p, sums[i], &si, &mi, &ei);
		/* The running start only grows while everything so far is free.
		 */
		if (start == (uint64_t)i * whole)
			start += si;
		most = max_u64(most, max_u64(end + si, mi));
		if (ei == whole)
			end += whole;
		else
			end = ei;
	}
	return pack_sum(p, start, most, end);
}

static uint64_t sum_get(const struct hg_pagealloc *p, unsigned l, uint64_t i)
{
	const uint64_t *s = sp_get(&p->summary[l], i);

	return s ? *s : 0;
}

static void sum_set(struct hg_pagealloc *p, unsigned l, uint64_t i, uint64_t v)
{
	uint64_t *s = sp_get(&p->summary[l], i);

	if (!s)
		return; /* grow backs every entry a grown range can touch */
	*s = v;
	if (l == 0) {
		if (v)
			hbm_set(&p->root_nonzero, i);
		else
			hbm_clear(&p->root_nonzero, i);
	}
}

/* ------------------------------------------------------------------ */
/* Chunk bitmaps (Go: pageBits, pallocBits, pallocData)                */
/* ------------------------------------------------------------------ */

/* Go: (*pageBits).setRange, runtime/mpallocbits.go */
static void bits_set_range(uint64_t *b, uint64_t i, uint64_t n)
{
	while (n) {
		unsigned lo = (unsigned)(i & 63);
		unsigned k = (unsigned)min_u64(n, 64 - lo);

		b[i / 64] |= word_mask(lo, k);
		i += k;
		n -= k;
	}
}

/* Go: (*pageBits).clearRange, runtime/mpallocbits.go */
static void bits_clear_range(uint64_t *b, uint64_t i, uint64_t n)
{
	while (n) {
		unsigned lo = (unsigned)(i & 63);
		unsigned k = (unsigned)min_u64(n, 64 - lo);

		b[i / 64] &= ~word_mask(lo, k);
		i += k;
		n -= k;
	}
}

/* Go: (*pageBits).popcntRange, runtime/mpallocbits.go */
static uint64_t bits_popcnt_range(const uint64_t *b, uint64_t i, uint64_t n)
{
	uint64_t s = 0;

	while (n) {
		unsigned lo = (unsigned)(i & 63);
		unsigned k = (unsigned)min_u64(n, 64 - lo);

		s += popcount64(b[i / 64] & word_mask(lo, k));
		i += k;
		n -= k;
	}
	return s;
}

/* Go: (*pallocBits).summarize, runtime/mpallocbits.go */
static uint64_t chunk_summarize(const struct hg_pagealloc *p,
				const struct pa_chunk *c)
{
	uint64_t start = PA_NONE, most = 0, cur = 0;
	unsigned w;

	for (w = 0; w < p->nwords; w++) {
		uint64_t x = c->alloc[w], y;
		unsigned t;

		if (x == 0) {
			cur += 64;
			continue;
		}
		t = ctz64(x);
		cur += t;
		if (start == PA_NONE)
			start = cur;
		most = max_u64(most, cur);
		/* Free runs strictly between the lowest and highest set bit. */
		if (most < 62) {
			y = x >> t;
			for (;;) {
				unsigned ones, zeros;

				if (~y == 0)
					break;
				ones = ctz64(~y);
				y >>= ones;
				if (y == 0)
					break;
				zeros = ctz64(y);
				most = max_u64(most, zeros);
				y >>= zeros;
			}
		}
		cur = clz64(x);
	}
	if (start == PA_NONE)
		return pack_sum(p, p->chunk_pages, p->chunk_pages,
				p->chunk_pages);
	most = max_u64(most, cur);
	return pack_sum(p, start, most, cur);
}

/*
 * Go: findBitRange64, runtime/mpallocbits.go. Index of the first run of n
 * consecutive 1 bits in c, or >= 64. Each step removes the top bit of every
 * run of ones, doubling the step while it can.
 */
static unsigned find_bit_range64(uint64_t c, unsigned n)
{
	unsigned left = n - 1, width = 1;

	while (left > 0) {
		unsigned s = left <= width ? left : width;

		c &= c >> s;
		if (c == 0)
			return 64;
		left -= s;
		width *= 2;
	}
	return ctz64(c);
}

/* Go: (*pallocBits).find1, runtime/mpallocbits.go */
static uint64_t chunk_find1(const struct hg_pagealloc *p,
			    const struct pa_chunk *c, uint64_t search_idx)
{
	uint64_t i;

	for (i = search_idx / 64; i < p->nwords; i++) {
		if (~c->alloc[i] == 0)
			continue;
		return i * 64 + ctz64(~c->alloc[i]);
	}
	return PA_NONE;
}

/* Go: (*pallocBits).findSmallN, runtime/mpallocbits.go */
static uint64_t chunk_find_small(const struct hg_pagealloc *p,
				 const struct pa_chunk *c, uint64_t npages,
				 uint64_t search_idx, uint64_t *new_search)
{
	uint64_t end = 0, i;

	*new_search = PA_NONE;
	for (i = search_idx / 64; i < p->nwords; i++) {
		uint64_t x = c->alloc[i];
		unsigned j;

		if (~x == 0) {
			end = 0;
			continue;
		}
		if (*new_search == PA_NONE)
			*new_search = i * 64 + ctz64(~x);
		/* The previous word's free tail plus this word's free head. */
		if (end + ctz64(x) >= npages)
			return i * 64 - end;
		j = find_bit_range64(~x, (unsigned)npages);
		if (j < 64)
			return i * 64 + j;
		end = clz64(x);
	}
	return PA_NONE;
}

/* Go: (*pallocBits).findLargeN, runtime/mpallocbits.go */
static uint64_t chunk_find_large(const struct hg_pagealloc *p,
				 const struct pa_chunk *c, uint64_t npages,
				 uint64_t search_idx, uint64_t *new_search)
{
	uint64_t start = PA_NONE, size = 0, i;

	*new_search = PA_NONE;
	for (i = search_idx / 64; i < p->nwords; i++) {
		uint64_t x = c->alloc[i], s;

		if (x == ~UINT64_C(0)) {
			size = 0;
			continue;
		}
		if (*new_search == PA_NONE)
			*new_search = i * 64 + ctz64(~x);
		if (size == 0) {
			size = clz64(x);
			start = i * 64 + 64 - size;
			continue;
		}
		s = ctz64(x);
		if (s + size >= npages)
			return start;
		if (s < 64) {
			size = clz64(x);
			start = i * 64 + 64 - size;
			continue;
		}
		size += 64;
	}
	if (size < npages)
		return PA_NONE;
	return start;
}

/* Go: (*pallocBits).find, runtime/mpallocbits.go */
static uint64_t chunk_find(const struct hg_pagealloc *p,
			   const struct pa_chunk *c, uint64_t npages,
			   uint64_t search_idx, uint64_t *new_search)
{
	if (npages == 1) {
		uint64_t a = chunk_find1(p, c, search_idx);

		*new_search = a;
		return a;
	}
	if (npages <= 64)
		return chunk_find_small(p, c, npages, search_idx, new_search);
	return chunk_find_large(p, c, npages, search_idx, new_search);
}

/* ------------------------------------------------------------------ */
/* Scavenge index (Go: scavengeIndex, forced mode)                     */
/* ------------------------------------------------------------------ */

/* Go: (*scavengeIndex).alloc and scavChunkData.alloc, mgcscavenge.go */
static void scav_index_alloc(struct hg_pagealloc *p, uint64_t ci,
			     struct pa_chunk *c, uint64_t npages)
{
	c->in_use = (uint16_t)(c->in_use + npages);
	if (c->in_use >= p->chunk_pages)
		hbm_clear(&p->scav_has_free, ci);
}

/* Go: (*scavengeIndex).free and scavChunkData.free, mgcscavenge.go */
static void scav_index_free(struct hg_pagealloc *p, uint64_t ci,
			    struct pa_chunk *c, uint64_t page, uint64_t npages)
{
	hg_addr a;

	c->in_use = (uint16_t)(c->in_use >= npages ? c->in_use - npages : 0);
	hbm_set(&p->scav_has_free, ci);
	a = chunk_base(p, ci) + ((page + npages - 1) << p->log_page);
	if (!p->scav_search_valid || p->scav_search_addr < a) {
		p->scav_search_addr = a;
		p->scav_search_valid = true;
	}
}

/* Go: (*scavengeIndex).find with force=true, mgcscavenge.go */
static bool scav_index_find(struct hg_pagealloc *p, uint64_t *ci,
			    uint64_t *page)
{
	uint64_t start, i;

	if (!p->scav_search_valid)
		return false;
	start = chunk_index(p, p->scav_search_addr);
	if (!hbm_find_prev(&p->scav_has_free, start, &i)) {
		p->scav_search_valid = false;
		return false;
	}
	if (i == start) {
		*ci = i;
		*page = chunk_page_index(p, p->scav_search_addr);
		return true;
	}
	p->scav_search_addr =
		chunk_base(p, i) + ((p->chunk_pages - 1) << p->log_page);
	*ci = i;
	*page = p->chunk_pages - 1;
	return true;
}

/* ------------------------------------------------------------------ */
/* Creation                                                            */
/* ------------------------------------------------------------------ */

int hg_pagealloc_new(struct hg_pagealloc **out,
		     const struct hg_pagealloc_params *params)
{
	struct hg_pagealloc *p;
	uint64_t cp;
	unsigned l, l0bits, leaf;
	int err;

	*out = NULL;
	if (!params || !is_pow2(params->page_size) ||
	    params->page_size < 4096 || !is_pow2(params->chunk_bytes) ||
	    params->chunk_bytes < params->page_size ||
	    !is_pow2(params->phys_page_size) || params->phys_page_size < 4096 ||
	    params->phys_page_size > (UINT64_C(512) << 10) ||
	    params->addr_bits < 32 || params->addr_bits > 48 ||
	    (params->phys_huge_page_size != 0 &&
	     !is_pow2(params->phys_huge_page_size)))
		return HG_EINVAL;
	cp = params->chunk_bytes / params->page_size;
	if (cp < 64 || cp > 64 * PA_MAX_WORDS)
		return HG_EINVAL;
	if (params->phys_page_size / params->page_size > 64)
		return HG_EINVAL;

	p = calloc(1, sizeof(*p));
	if (!p)
		return HG_ENOMEM;
	p->params = *params;
	p->log_page = log2_u64(params->page_size);
	p->log_chunk_bytes = log2_u64(params->chunk_bytes);
	p->log_chunk_pages = log2_u64(cp);
	p->chunk_pages = cp;
	p->nwords = (unsigned)(cp / 64);
	p->min_pages = max_u64(1, params->phys_page_size / params->page_size);
	/* Go: mallocinit drops huge pages above maxPhysHugePageSize
	 * (pallocChunkBytes); findScavengeCandidate wants them above
	 * pageSize and physPageSize. */
	if (params->phys_huge_page_size > params->page_size &&
	    params->phys_huge_page_size > params->phys_page_size &&
	    params->phys_huge_page_size <= params->chunk_bytes)
		p->huge_pages = params->phys_huge_page_size / params->page_size;
	p->max_addr = (UINT64_C(1) << params->addr_bits) - 1;
	if (p->log_chunk_bytes >= params->addr_bits) {
		free(p);
		return HG_EINVAL;
	}

	/* Go: mpagealloc_64bit.go has 5 levels, mpagealloc_32bit.go 4. */
	p->levels = params->addr_bits > 32 && params->addr_bits >=
						      p->log_chunk_bytes +
							      4 * PA_LEVEL_BITS
			    ? 5
			    : 4;
	if (params->addr_bits <
	    p->log_chunk_bytes + (p->levels - 1) * PA_LEVEL_BITS) {
		free(p);
		return HG_EINVAL;
	}
	l0bits = params->addr_bits - p->log_chunk_bytes -
		 (p->levels - 1) * PA_LEVEL_BITS;
	for (l = 0; l < p->levels; l++) {
		p->level_bits[l] = l == 0 ? l0bits : PA_LEVEL_BITS;
		p->level_shift[l] =
			params->addr_bits - l0bits - l * PA_LEVEL_BITS;
		p->level_log_pages[l] = p->log_chunk_pages +
					(p->levels - 1 - l) * PA_LEVEL_BITS;
	}
	p->log_max_packed =
		p->log_chunk_pages + (p->levels - 1) * PA_LEVEL_BITS;
	p->free_chunk_sum = pack_sum(p, cp, cp, cp);

	/* Summary blocks are one physical page of entries, as Go maps them. */
	leaf = log2_u64(params->phys_page_size / sizeof(uint64_t));
	for (l = 0; l < p->levels; l++)
		sp_init(&p->summary[l], params->addr_bits - p->level_shift[l],
			leaf, sizeof(uint64_t));
	hbm_init(&p->root_nonzero, l0bits);
	sp_init(&p->chunks, params->addr_bits - p->log_chunk_bytes, 6,
		sizeof(struct pa_chunk));
	hbm_init(&p->scav_has_free, params->addr_bits - p->log_chunk_bytes);

	err = hg_addr_ranges_init(&p->in_use);
	if (err) {
		hg_pagealloc_free_all(p);
		return err;
	}
	p->search_addr = p->max_addr;
	*out = p;
	return HG_OK;
}

void hg_pagealloc_free_all(struct hg_pagealloc *p)
{
	unsigned l;

	if (!p)
		return;
	for (l = 0; l < p->levels; l++)
		sp_destroy(&p->summary[l]);
	hbm_destroy(&p->root_nonzero);
	sp_destroy(&p->chunks);
	hbm_destroy(&p->scav_has_free);
	hg_addr_ranges_destroy(&p->in_use);
	free(p);
}

/* ------------------------------------------------------------------ */
/* Summary maintenance                                                 */
/* ------------------------------------------------------------------ */

/* Go: addrsToSummaryRange, runtime/mpagealloc.go */
static void addrs_to_summary_range(const struct hg_pagealloc *p, unsigned l,
				   hg_addr base, hg_addr limit, uint64_t *lo,
				   uint64_t *hi)
{
	*lo = base >> p->level_shift[l];
	*hi = ((limit - 1) >> p->level_shift[l]) + 1;
}

/* Go: (*pageAlloc).update, runtime/mpagealloc.go */
static void pa_update(struct hg_pagealloc *p, hg_addr base, uint64_t npages,
		      bool contig, bool alloc)
{
	unsigned leaf = p->levels - 1;
	hg_addr limit = base + (npages << p->log_page) - 1;
	uint64_t sc = chunk_index(p, base), ec = chunk_index(p, limit), c;
	int l;

	if (sc == ec) {
		uint64_t x = sum_get(p, leaf, sc);
		uint64_t y = chunk_summarize(p, chunk_of(p, sc));

		if (x == y)
			return;
		sum_set(p, leaf, sc, y);
	} else if (contig) {
		sum_set(p, leaf, sc, chunk_summarize(p, chunk_of(p, sc)));
		for (c = sc + 1; c < ec; c++)
			sum_set(p, leaf, c, alloc ? 0 : p->free_chunk_sum);
		sum_set(p, leaf, ec, chunk_summarize(p, chunk_of(p, ec)));
	} else {
		for (c = sc; c <= ec; c++)
			sum_set(p, leaf, c, chunk_summarize(p, chunk_of(p, c)));
	}

	for (l = (int)leaf - 1; l >= 0; l--) {
		unsigned cbits = p->level_bits[l + 1];
		unsigned clog = p->level_log_pages[l + 1];
		uint64_t lo, hi, i;
		bool changed = false;

		addrs_to_summary_range(p, (unsigned)l, base, limit + 1, &lo,
				       &hi);
		for (i = lo; i < hi; i++) {
			uint64_t kids[1 << PA_LEVEL_BITS], sum;
			const uint64_t *blk =
				sp_get(&p->summary[l + 1], i << cbits);
			unsigned k;

			for (k = 0; k < (1u << cbits); k++)
				kids[k] = blk ? blk[k] : 0;
			sum = merge_sums(p, kids, 1u << cbits, clog);
			if (sum_get(p, (unsigned)l, i) != sum) {
				changed = true;
				sum_set(p, (unsigned)l, i, sum);
			}
		}
		if (!changed)
			break;
	}
}

/* ------------------------------------------------------------------ */
/* grow                                                                */
/* ------------------------------------------------------------------ */

/* Go: (*pageAlloc).grow and sysGrow, mpagealloc.go, mpagealloc_64bit.go */
int hg_pagealloc_grow(struct hg_pagealloc *p, hg_addr base, uint64_t size)
{
	uint64_t cb = p->params.chunk_bytes, start, end, c;
	hg_addr limit;
	unsigned l;
	int err;

	if (size == 0)
		return HG_OK;
	if (base + size < base || base + size - 1 > p->max_addr)
		return HG_EINVAL;
	limit = (base + size + cb - 1) & ~(cb - 1);
	base &= ~(cb - 1);
	/*
	 * Address 0 means "no address", and the top chunk holds the maximum
	 * searchAddr ("exhausted"), so neither can be grown.
	 */
	if (base == 0 || limit == 0 ||
	    chunk_index(p, limit - 1) >= chunk_index(p, p->max_addr))
		return HG_EINVAL;
	start = chunk_index(p, base);
	end = chunk_index(p, limit);
	for (c = start; c < end; c++) {
		const struct pa_chunk *ch = chunk_of(p, c);

		if (ch && ch->grown)
			return HG_EINVAL; /* grow only adds new memory */
	}

	/* Back all metadata first, so failure leaves the state intact. */
	for (l = 0; l < p->levels; l++) {
		uint64_t lo, hi;

		addrs_to_summary_range(p, l, base, limit, &lo, &hi);
		if (l > 0) {
			uint64_t e = UINT64_C(1) << p->level_bits[l];

			lo &= ~(e - 1);
			hi = (hi + e - 1) & ~(e - 1);
		}
		if (!sp_ensure_range(&p->summary[l], lo, hi))
			return HG_ENOMEM;
		if (l == 0 && !hbm_reserve(&p->root_nonzero, lo, hi))
			return HG_ENOMEM;
	}
	if (!sp_ensure_range(&p->chunks, start, end) ||
	    !hbm_reserve(&p->scav_has_free, start, end))
		return HG_ENOMEM;
	err = hg_addr_ranges_add(&p->in_use,
				 (struct hg_addr_range){ base, limit });
	if (err)
		return err;

	if (!p->grown || start < p->start)
		p->start = start;
	if (end > p->end)
		p->end = end;
	p->grown = true;
	if (base < p->search_addr)
		p->search_addr = base;
	for (c = start; c < end; c++) {
		struct pa_chunk *ch = chunk_of(p, c);

		memset(ch, 0, sizeof(*ch));
		ch->grown = true;
		bits_set_range(ch->scav, 0, p->chunk_pages);
		p->nchunks++;
	}
	pa_update(p, base, (limit - base) >> p->log_page, true, false);
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* find / alloc / free                                                 */
/* ------------------------------------------------------------------ */

/* Go: (*pageAlloc).findMappedAddr, runtime/mpagealloc.go */
static hg_addr find_mapped_addr(const struct hg_pagealloc *p, hg_addr a)
{
	hg_addr v;

	if (hg_addr_ranges_find_addr_greater_equal(&p->in_use, a, &v))
		return v;
	return p->max_addr;
}

/* Go: the firstFree window and foundFree closure of (*pageAlloc).find. */
struct pa_first_free {
	hg_addr base, bound; /* inclusive */
};

static void found_free(struct pa_first_free *ff, hg_addr a, uint64_t size)
{
	if (ff->base <= a && a + size - 1 <= ff->bound) {
		ff->base = a;
		ff->bound = a + size - 1;
	}
}

/*
 * Go: (*pageAlloc).find, runtime/mpagealloc.go. Returns the lowest address
 * of npages free pages (0 if none) and a new searchAddr candidate.
 */
static hg_addr pa_find(struct hg_pagealloc *p, uint64_t npages,
		       hg_addr *new_search)
{
	struct pa_first_free ff = { 0, p->max_addr };
	uint64_t i = 0, j_found, ci, j, sidx;
	struct pa_chunk *ch;
	hg_addr a;
	unsigned l;

	*new_search = p->max_addr;
	for (l = 0; l < p->levels; l++) {
		uint64_t per_block = UINT64_C(1) << p->level_bits[l];
		unsigned log_max = p->level_log_pages[l];
		uint64_t whole = UINT64_C(1) << log_max;
		uint64_t j0 = 0, base = 0, size = 0, sidx_l;
		bool descend = false;

		i <<= p->level_bits[l];
		sidx_l = p->search_addr >> p->level_shift[l];
		if ((sidx_l & ~(per_block - 1)) == i)
			j0 = sidx_l & (per_block - 1);

		for (j = j0; j < per_block; j++) {
			uint64_t sum, s;

			if (l == 0) {
				/* Skip fully allocated root entries at once. */
				if (!hbm_find_next(&p->root_nonzero, j,
						   &j_found) ||
				    j_found >= per_block) {
					size = 0;
					break;
				}
				if (j_found != j) {
					size = 0;
					j = j_found;
				}
			}
			sum = sum_get(p, l, i + j);
			if (sum == 0) {
				size = 0;
				continue;
			}
			found_free(&ff, (i + j) << p->level_shift[l],
				   whole << p->log_page);
			s = sum_start(p, sum);
			if (size + s >= npages) {
				if (size == 0)
					base = j << log_max;
				size += s;
				break;
			}
			if (sum_max(p, sum) >= npages) {
				i += j;
				descend = true;
				break;
			}
			if (size == 0 || s < whole) {
				size = sum_end(p, sum);
				base = ((j + 1) << log_max) - size;
				continue;
			}
			size += whole;
		}
		if (descend)
			continue;
		if (size >= npages) {
			a = (i << p->level_shift[l]) + (base << p->log_page);
			*new_search = find_mapped_addr(p, ff.base);
			return a;
		}
		/* Level 0 exhausted, or (never) inconsistent summaries. */
		return 0;
	}

	ci = i;
	ch = chunk_of(p, ci);
	if (!ch)
		return 0;
	j = chunk_find(p, ch, npages, 0, &sidx);
	if (j == PA_NONE)
		return 0;
	a = chunk_base(p, ci) + (j << p->log_page);
	{
		hg_addr sa = chunk_base(p, ci) + (sidx << p->log_page);

		found_free(&ff, sa, chunk_base(p, ci + 1) - sa);
	}
	*new_search = find_mapped_addr(p, ff.base);
	return a;
}

/*
 * Walks the chunks of the page range [base, base+npages): each step gives
 * chunk c and its page indexes [lo, hi). npages must be at least 1.
 */
struct page_walk {
	uint64_t c, last;  /* current and last chunk index */
	uint64_t first_lo; /* page index of base in the first chunk */
	uint64_t last_hi;  /* one past the last page in the last chunk */
};

static void walk_begin(const struct hg_pagealloc *p, hg_addr base,
		       uint64_t npages, struct page_walk *w)
{
	hg_addr limit = base + (npages << p->log_page) - 1;
	w->c = chunk_index(p, base);
	w->last = chunk_index(p, limit);
	w->first_lo = chunk_page_index(p, base);
	w->last_hi = chunk_page_index(p, limit) + 1;
}

static bool walk_next(const struct hg_pagealloc *p, struct page_walk *w,
		      uint64_t *c, uint64_t *lo, uint64_t *hi)
{
	if (w->c > w->last)
		return false;
	*c = w->c;
	*lo = w->first_lo;
	*hi = w->c == w->last ? w->last_hi : p->chunk_pages;
	w->first_lo = 0;
	w->c++;
	return true;
}

/* Go: (*pageAlloc).allocRange, runtime/mpagealloc.go */
static uint64_t pa_alloc_range(struct hg_pagealloc *p, hg_addr base,
			       uint64_t npages)
{
	struct page_walk w;
	uint64_t scav = 0, c, lo, hi;

	walk_begin(p, base, npages, &w);
	while (walk_next(p, &w, &c, &lo, &hi)) {
		struct pa_chunk *ch = chunk_of(p, c);

		scav += bits_popcnt_range(ch->scav, lo, hi - lo);
		bits_set_range(ch->alloc, lo, hi - lo);
		bits_clear_range(ch->scav, lo, hi - lo);
		scav_index_alloc(p, c, ch, hi - lo);
	}
	pa_update(p, base, npages, true, true);
	return scav << p->log_page;
}

/* Go: (*pageAlloc).alloc, runtime/mpagealloc.go */
hg_addr hg_pagealloc_alloc(struct hg_pagealloc *p, uint64_t npages,
			   uint64_t *scav)
{
	hg_addr a = 0, sa = 0;
	uint64_t s;

	if (scav)
		*scav = 0;
	if (npages == 0 || chunk_index(p, p->search_addr) >= p->end ||
	    !p->grown)
		return 0;
	if (p->chunk_pages - chunk_page_index(p, p->search_addr) >= npages) {
		uint64_t ci = chunk_index(p, p->search_addr);
		uint64_t sum = sum_get(p, p->levels - 1, ci);

		if (sum_max(p, sum) >= npages) {
			uint64_t j, sidx;

			j = chunk_find(p, chunk_of(p, ci), npages,
				       chunk_page_index(p, p->search_addr),
				       &sidx);
			if (j != PA_NONE) {
				a = chunk_base(p, ci) + (j << p->log_page);
				sa = chunk_base(p, ci) + (sidx << p->log_page);
			}
		}
	}
	if (a == 0) {
		a = pa_find(p, npages, &sa);
		if (a == 0) {
			if (npages == 1)
				p->search_addr = p->max_addr;
			return 0;
		}
	}
	s = pa_alloc_range(p, a, npages);
	if (scav)
		*scav = s;
	if (p->search_addr < sa)
		p->search_addr = sa;
	return a;
}

/* True if [base, base+npages pages) lies in grown chunks. */
static bool range_grown(const struct hg_pagealloc *p, hg_addr base,
			uint64_t npages)
{
	uint64_t c, ec;

	if (npages == 0 || npages > (p->max_addr >> p->log_page) ||
	    base > p->max_addr - ((npages - 1) << p->log_page))
		return false;
	ec = chunk_index(p, base + ((npages - 1) << p->log_page));
	for (c = chunk_index(p, base); c <= ec; c++) {
		const struct pa_chunk *ch = chunk_of(p, c);

		if (!ch || !ch->grown)
			return false;
	}
	return true;
}

/* Go: (*pageAlloc).free, runtime/mpagealloc.go */
void hg_pagealloc_free(struct hg_pagealloc *p, hg_addr base, uint64_t npages)
{
	struct page_walk w;
	uint64_t c, lo, hi;

	if (!range_grown(p, base, npages))
		return; /* not grown memory: ignore */
	if (base < p->search_addr)
		p->search_addr = base;
	walk_begin(p, base, npages, &w);
	while (walk_next(p, &w, &c, &lo, &hi)) {
		struct pa_chunk *ch = chunk_of(p, c);

		bits_clear_range(ch->alloc, lo, hi - lo);
		scav_index_free(p, c, ch, lo, hi - lo);
	}
	pa_update(p, base, npages, true, false);
}

/* Go: (*pageAlloc).markRandomPaddingPages, runtime/mpagealloc.go */
void hg_pagealloc_mark_padding(struct hg_pagealloc *p, hg_addr base,
			       uint64_t npages)
{
	struct page_walk w;
	uint64_t c, lo, hi;

	if (!range_grown(p, base, npages))
		return;
	walk_begin(p, base, npages, &w);
	while (walk_next(p, &w, &c, &lo, &hi)) {
		struct pa_chunk *ch = chunk_of(p, c);

		bits_set_range(ch->alloc, lo, hi - lo);
		scav_index_alloc(p, c, ch, hi - lo);
		bits_set_range(ch->scav, lo, hi - lo);
	}
	pa_update(p, base, npages, true, true);
}

/*
 * Clears the scavenged bits of free pages in [base, base+npages): grown
 * memory that counts as backed, as fresh heap memory did before go1.13
 * (whose grow freed new spans without marking them scavenged). The
 * scavenger can then find and release these pages.
 */
void hg_pagealloc_unscavenge(struct hg_pagealloc *p, hg_addr base,
			     uint64_t npages)
{
	struct page_walk w;
	uint64_t c, lo, hi;

	if (!npages || !range_grown(p, base, npages))
		return;
	walk_begin(p, base, npages, &w);
	while (walk_next(p, &w, &c, &lo, &hi)) {
		struct pa_chunk *ch = chunk_of(p, c);
		hg_addr a = chunk_base(p, c) + ((hi - 1) << p->log_page);

		bits_clear_range(ch->scav, lo, hi - lo);
		hbm_set(&p->scav_has_free, c);
		if (!p->scav_search_valid || p->scav_search_addr < a) {
			p->scav_search_addr = a;
			p->scav_search_valid = true;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Page cache                                                          */
/* ------------------------------------------------------------------ */

/* Go: (*pageAlloc).allocToCache, runtime/mpagecache.go */
struct hg_pagecache hg_pagealloc_alloc_to_cache(struct hg_pagealloc *p)
{
	struct hg_pagecache c = { 0, 0, 0 };
	struct pa_chunk *ch = NULL;
	uint64_t ci, j = PA_NONE, blk;

	if (!p->grown || chunk_index(p, p->search_addr) >= p->end)
		return c;
	ci = chunk_index(p, p->search_addr);
	if (sum_get(p, p->levels - 1, ci) != 0) {
		ch = chunk_of(p, ci);
		j = chunk_find1(p, ch, chunk_page_index(p, p->search_addr));
	}
	if (j != PA_NONE) {
		c.base = chunk_base(p, ci) +
			 ((j & ~UINT64_C(63)) << p->log_page);
	} else {
		hg_addr ns, a = pa_find(p, 1, &ns);

		if (a == 0) {
			p->search_addr = p->max_addr;
			return c;
		}
		ci = chunk_index(p, a);
		ch = chunk_of(p, ci);
		j = chunk_page_index(p, a);
		c.base = a & ~((UINT64_C(64) << p->log_page) - 1);
	}
	blk = j / 64;
	c.cache = ~ch->alloc[blk];
	c.scav = ch->scav[blk];
	ch->alloc[blk] |= c.cache;
	ch->scav[blk] &= ~(c.cache & c.scav);
	pa_update(p, c.base, PA_CACHE_PAGES, false, true);
	scav_index_alloc(p, ci, ch, popcount64(c.cache));
	p->search_addr =
		c.base + ((uint64_t)(PA_CACHE_PAGES - 1) << p->log_page);
	return c;
}

/* Go: (*pageCache).alloc and allocN, runtime/mpagecache.go */
hg_addr hg_pagecache_alloc(struct hg_pagecache *c, uint64_t npages,
			   uint64_t page_size, uint64_t *scav)
{
	uint64_t mask;
	unsigned i;

	if (scav)
		*scav = 0;
	if (c->cache == 0 || npages == 0 || npages > PA_CACHE_PAGES)
		return 0;
	if (npages == 1) {
		i = ctz64(c->cache);
	} else {
		i = find_bit_range64(c->cache, (unsigned)npages);
		if (i >= 64)
			return 0;
	}
	mask = word_mask(i, (unsigned)npages);
	if (scav)
		*scav = popcount64(c->scav & mask) * page_size;
	c->cache &= ~mask;
	c->scav &= ~mask;
	return c->base + (uint64_t)i * page_size;
}

/* Go: (*pageCache).flush, runtime/mpagecache.go */
void hg_pagecache_flush(struct hg_pagecache *c, struct hg_pagealloc *p)
{
	struct pa_chunk *ch;
	uint64_t ci, pi;
	unsigned i;

	if (c->cache == 0) {
		memset(c, 0, sizeof(*c));
		return;
	}
	ci = chunk_index(p, c->base);
	pi = chunk_page_index(p, c->base);
	if (!range_grown(p, c->base, PA_CACHE_PAGES))
		return;
	ch = chunk_of(p, ci);
	for (i = 0; i < 64; i++) {
		if (c->cache & (UINT64_C(1) << i)) {
			bits_clear_range(ch->alloc, pi + i, 1);
			scav_index_free(p, ci, ch, pi + i, 1);
		}
		if (c->scav & (UINT64_C(1) << i))
			bits_set_range(ch->scav, pi + i, 1);
	}
	if (c->base < p->search_addr)
		p->search_addr = c->base;
	pa_update(p, c->base, PA_CACHE_PAGES, false, false);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* Scavenging                                                          */
/* ------------------------------------------------------------------ */

/*
 * Go: fillAligned, runtime/mgcscavenge.go. Every m-aligned group of m bits
 * of x that has any bit set becomes all ones; all-zero groups stay zero.
 */
static uint64_t fill_aligned(uint64_t x, unsigned m)
{
	uint64_t low = 0, y = x;
	unsigned s;

	if (m <= 1)
		return x;
	/* OR each group down into its lowest bit. */
	for (s = 1; s < m; s <<= 1)
		y |= y >> s;
	for (s = 0; s < 64; s += m)
		low |= UINT64_C(1) << s;
	y &= low;
	/* Spread each group's low bit over the group. */
	return y * (m >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << m) - 1);
}

/*
 * Go: (*pallocData).findScavengeCandidate, runtime/mgcscavenge.go (go1.14+).
 * Returns the start of the highest run of free, unscavenged, min-aligned
 * pages at or below search_idx's word, trimmed from the top to at most max
 * pages; with huge pages, extended down to the huge page boundary below
 * when the candidate crosses a boundary and the free run includes it.
 */
static uint64_t find_scavenge_candidate(const struct hg_pagealloc *p,
					const struct pa_chunk *c,
					uint64_t search_idx, uint64_t minimum,
					uint64_t max, uint64_t *npages)
{
	unsigned m = (unsigned)minimum, z1;
	uint64_t x, run, end, size, start;
	int64_t i;

	*npages = 0;
	if (max == 0)
		max = minimum;
	else
		max = (max + minimum - 1) & ~(minimum - 1);
	if (max == 0) /* overflowed */
		max = ~(minimum - 1);

	for (i = (int64_t)(search_idx / 64); i >= 0; i--) {
		x = fill_aligned(c->scav[i] | c->alloc[i], m);
		if (x != ~UINT64_C(0))
			break;
	}
	if (i < 0)
		return 0;
	x = fill_aligned(c->scav[i] | c->alloc[i], m);
	z1 = clz64(~x);
	end = (uint64_t)i * 64 + (64 - z1);
	if (z1 < 64 && (x << z1) != 0) {
		run = clz64(x << z1);
	} else {
		int64_t j;

		run = 64 - z1;
		for (j = i - 1; j >= 0; j--) {
			uint64_t y = fill_aligned(c->scav[j] | c->alloc[j], m);

			run += clz64(y);
			if (y != 0)
				break;
		}
	}
	size = min_u64(run, max);
	start = end - size;

	/* Go: "if physHugePageSize > pageSize && physHugePageSize >
	 * physPageSize": don't break a free, unscavenged huge page. */
	if (p->huge_pages != 0) {
		uint64_t hp = p->huge_pages;
		uint64_t above = (start + hp - 1) & ~(hp - 1);

		if (above <= end) {
			uint64_t below = start & ~(hp - 1);

			if (below >= end - run) {
				size += start - below;
				start = below;
			}
		}
	}
	*npages = size;
	return start;
}

uint64_t hg_pagealloc_find_scavenge_candidate(const struct hg_pagealloc *p,
					      hg_addr chunk_base,
					      uint64_t search_idx, uint64_t min,
					      uint64_t max, uint64_t *npages)
{
	const struct pa_chunk *c = chunk_of(p, chunk_index(p, chunk_base));

	*npages = 0;
	if (!c || !c->grown || !is_pow2(min) || min > 64 ||
	    search_idx >= p->chunk_pages)
		return 0;
	return find_scavenge_candidate(p, c, search_idx, min, max, npages);
}

/* Go: (*pageAlloc).scavengeOne, runtime/mgcscavenge.go */
static uint64_t scavenge_one(struct hg_pagealloc *p, uint64_t ci,
			     uint64_t search_idx, uint64_t max)
{
	uint64_t max_pages = max >> p->log_page, base, n;
	struct pa_chunk *ch = chunk_of(p, ci);

	if (max & (p->params.page_size - 1))
		max_pages++;
	if (ch && sum_max(p, sum_get(p, p->levels - 1, ci)) >= p->min_pages) {
		base = find_scavenge_candidate(p, ch, search_idx, p->min_pages,
					       max_pages, &n);
		if (n != 0) {
			hg_addr a = chunk_base(p, ci) + (base << p->log_page);

			/*
			 * Go marks the run allocated while it calls sysUnused
			 * and frees it again afterwards; the summaries end up
			 * as they were, so only the side effects remain.
			 */
			if (p->params.sys_unused)
				p->params.sys_unused(p->params.ctx, a,
						     n << p->log_page);
			if (a < p->search_addr)
				p->search_addr = a;
			bits_set_range(ch->scav, base, n);
			return n << p->log_page;
		}
	}
	hbm_clear(&p->scav_has_free, ci); /* Go: setEmpty */
	return 0;
}

/* Go: (*pageAlloc).scavenge with force=true, runtime/mgcscavenge.go */
uint64_t hg_pagealloc_scavenge(struct hg_pagealloc *p, uint64_t nbytes)
{
	uint64_t released = 0, ci, page;

	while (released < nbytes) {
		if (!scav_index_find(p, &ci, &page))
			break;
		released += scavenge_one(p, ci, page, nbytes - released);
	}
	return released;
}

/* ------------------------------------------------------------------ */
/* Introspection                                                       */
/* ------------------------------------------------------------------ */

hg_addr hg_pagealloc_search_addr(const struct hg_pagealloc *p)
{
	return p->search_addr;
}

const struct hg_addr_ranges *hg_pagealloc_in_use(const struct hg_pagealloc *p)
{
	return &p->in_use;
}

int hg_pagealloc_runs(const struct hg_pagealloc *p, hg_addr lo, hg_addr hi,
		      hg_pagerun_fn fn, void *arg)
{
	bool have = false, ra = false, rs = false;
	hg_addr rb = 0, re = 0;
	size_t r;
	int ret;

	lo &= ~(p->params.page_size - 1);
	for (r = 0; r < p->in_use.len; r++) {
		hg_addr b = max_u64(p->in_use.ranges[r].base, lo);
		hg_addr e = min_u64(p->in_use.ranges[r].limit, hi);

		while (b < e) {
			const struct pa_chunk *ch =
				chunk_of(p, chunk_index(p, b));
			uint64_t pi = chunk_page_index(p, b), w = pi / 64;
			unsigned bit = (unsigned)(pi & 63);
			bool a = (ch->alloc[w] >> bit) & 1;
			bool s = (ch->scav[w] >> bit) & 1;
			uint64_t diff, n;
			hg_addr next;

			/* Pages in this word, from bit on, in the same state.
			 */
			diff = (ch->alloc[w] ^ (a ? ~UINT64_C(0) : 0)) |
			       (ch->scav[w] ^ (s ? ~UINT64_C(0) : 0));
			diff >>= bit;
			n = min_u64(ctz64(diff), 64 - bit);
			next = b + (n << p->log_page);
			if (next > e)
				next = e;
			if (have && re == b && ra == a && rs == s) {
				re = next;
			} else {
				if (have) {
					ret = fn(arg, rb, re, ra, rs);
					if (ret)
						return ret;
				}
				have = true;
				rb = b;
				re = next;
				ra = a;
				rs = s;
			}
			b = next;
		}
	}
	if (have)
		return fn(arg, rb, re, ra, rs);
	return 0;
}

void hg_pagealloc_count(const struct hg_pagealloc *p,
			struct hg_pagealloc_counts *out)
{
	size_t r;

	memset(out, 0, sizeof(*out));
	for (r = 0; r < p->in_use.len; r++) {
		uint64_t c = chunk_index(p, p->in_use.ranges[r].base);
		uint64_t ce = chunk_index(p, p->in_use.ranges[r].limit);

		for (; c < ce; c++) {
			const struct pa_chunk *ch = chunk_of(p, c);
			unsigned w;

			for (w = 0; w < p->nwords; w++) {
				uint64_t a = ch->alloc[w], s = ch->scav[w];

				out->alloc += popcount64(a);
				out->alloc_scav += popcount64(a & s);
				out->free_scav += popcount64(~a & s);
			}
			out->grown += p->chunk_pages;
		}
	}
	out->free_ready = out->grown - out->alloc - out->free_scav;
}

uint64_t hg_pagealloc_metadata_bytes(const struct hg_pagealloc *p)
{
	uint64_t b = p->nchunks * 2 * (p->chunk_pages / 8);
	unsigned l;

	for (l = 0; l < p->levels; l++)
		b += p->summary[l].nleaves *
		     ((uint64_t)sizeof(uint64_t) << p->summary[l].leaf_bits);
	return b;
}

/* Go: NewPageAlloc, runtime/export_test.go (one chunk) */
int hg_pagealloc_init_chunk(struct hg_pagealloc *p, hg_addr chunk_base_addr,
			    const struct hg_pagerange *alloc, size_t nalloc,
			    const struct hg_pagerange *scav, size_t nscav)
{
	struct pa_chunk *ch;
	uint64_t ci;
	size_t k;
	int err;

	if (chunk_base_addr & (p->params.chunk_bytes - 1))
		return HG_EINVAL;
	for (k = 0; k < nalloc; k++)
		if (alloc[k].i + alloc[k].n > p->chunk_pages)
			return HG_EINVAL;
	for (k = 0; k < nscav; k++)
		if (scav[k].i + scav[k].n > p->chunk_pages)
			return HG_EINVAL;
	err = hg_pagealloc_grow(p, chunk_base_addr, p->params.chunk_bytes);
	if (err)
		return err;
	ci = chunk_index(p, chunk_base_addr);
	ch = chunk_of(p, ci);
	bits_clear_range(ch->scav, 0, p->chunk_pages);
	scav_index_alloc(p, ci, ch, p->chunk_pages);
	scav_index_free(p, ci, ch, 0, p->chunk_pages);
	for (k = 0; k < nscav; k++)
		if (scav[k].n)
			bits_set_range(ch->scav, scav[k].i, scav[k].n);
	for (k = 0; k < nalloc; k++) {
		if (!alloc[k].n)
			continue;
		bits_set_range(ch->alloc, alloc[k].i, alloc[k].n);
		bits_clear_range(ch->scav, alloc[k].i, alloc[k].n);
		scav_index_alloc(p, ci, ch, alloc[k].n);
	}
	pa_update(p, chunk_base_addr, p->chunk_pages, false, false);
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Consistency check                                                   */
/* ------------------------------------------------------------------ */

#define ULL(x) ((unsigned long long)(x))

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return HG_EINVAL;
}

/* True if the chunk has an aligned group of min_pages free, unscavenged
 * pages; *top receives the page index of the highest such group. */
static bool chunk_has_candidate(const struct hg_pagealloc *p,
				const struct pa_chunk *c, uint64_t *top)
{
	int w;

	for (w = (int)p->nwords - 1; w >= 0; w--) {
		uint64_t x = fill_aligned(c->scav[w] | c->alloc[w],
					  (unsigned)p->min_pages);

		if (x != ~UINT64_C(0)) {
			*top = (uint64_t)w * 64 + 63 - clz64(~x);
			return true;
		}
	}
	return false;
}

int hg_pagealloc_check(const struct hg_pagealloc *p, char *err, size_t errlen)
{
	uint64_t total = 0, nchunks = 0, c, lo_ci = 0, hi_ci = 0;
	unsigned l;
	size_t r;

	/* inUse: sorted, coalesced, chunk-aligned, backed by grown chunks. */
	for (r = 0; r < p->in_use.len; r++) {
		struct hg_addr_range x = p->in_use.ranges[r];

		if (x.base >= x.limit)
			return fail(err, errlen, "inUse[%zu] empty (%#llx)", r,
				    ULL(x.base));
		if ((x.base | x.limit) & (p->params.chunk_bytes - 1))
			return fail(
				err, errlen,
				"inUse[%zu] [%#llx, %#llx) not chunk-aligned",
				r, ULL(x.base), ULL(x.limit));
		if (r > 0 && p->in_use.ranges[r - 1].limit >= x.base)
			return fail(
				err, errlen,
				"inUse[%zu] at %#llx overlaps or touches %#llx",
				r, ULL(x.base),
				ULL(p->in_use.ranges[r - 1].limit));
		total += x.limit - x.base;
		for (c = chunk_index(p, x.base); c < chunk_index(p, x.limit);
		     c++) {
			const struct pa_chunk *ch = chunk_of(p, c);

			if (!ch || !ch->grown)
				return fail(err, errlen,
					    "chunk %#llx in inUse is not grown",
					    ULL(c));
			nchunks++;
		}
	}
	if (total != p->in_use.total_bytes)
		return fail(err, errlen, "inUse total %llu, sum of ranges %llu",
			    ULL(p->in_use.total_bytes), ULL(total));
	if (nchunks != p->nchunks)
		return fail(err, errlen, "%llu chunks grown, %llu in inUse",
			    ULL(p->nchunks), ULL(nchunks));
	if (p->in_use.len) {
		lo_ci = chunk_index(p, p->in_use.ranges[0].base);
		hi_ci = chunk_index(p,
				    p->in_use.ranges[p->in_use.len - 1].limit);
		if (!p->grown || p->start != lo_ci || p->end != hi_ci)
			return fail(
				err, errlen,
				"start/end %#llx/%#llx, inUse says %#llx/%#llx",
				ULL(p->start), ULL(p->end), ULL(lo_ci),
				ULL(hi_ci));
	}

	/* searchAddr: in inUse (or the maximum), nothing free below it. */
	if (p->search_addr != p->max_addr &&
	    !hg_addr_ranges_contains(&p->in_use, p->search_addr))
		return fail(err, errlen, "searchAddr %#llx not in inUse",
			    ULL(p->search_addr));

	for (r = 0; r < p->in_use.len; r++) {
		struct hg_addr_range x = p->in_use.ranges[r];

		for (c = chunk_index(p, x.base); c < chunk_index(p, x.limit);
		     c++) {
			const struct pa_chunk *ch = chunk_of(p, c);
			uint64_t sum = chunk_summarize(p, ch), top;
			uint64_t used = 0;
			unsigned w;

			if (sum_get(p, p->levels - 1, c) != sum)
				return fail(err, errlen,
					    "chunk %#llx: leaf summary %#llx, "
					    "bitmap says %#llx",
					    ULL(c),
					    ULL(sum_get(p, p->levels - 1, c)),
					    ULL(sum));
			for (w = 0; w < p->nwords; w++) {
				uint64_t free_bits = ~ch->alloc[w];
				hg_addr wb = chunk_base(p, c) +
					     ((uint64_t)w * 64 << p->log_page);

				used += popcount64(ch->alloc[w]);
				if (!free_bits || wb > p->search_addr)
					continue;
				if (wb + ((uint64_t)ctz64(free_bits)
					  << p->log_page) <
				    p->search_addr)
					return fail(
						err, errlen,
						"page %#llx is free below "
						"searchAddr %#llx",
						ULL(wb +
						    ((uint64_t)ctz64(free_bits)
						     << p->log_page)),
						ULL(p->search_addr));
			}
			if (used != ch->in_use)
				return fail(err, errlen,
					    "chunk %#llx: scavenge index inUse "
					    "%llu, bitmap %llu",
					    ULL(c), ULL(ch->in_use), ULL(used));
			if (chunk_has_candidate(p, ch, &top)) {
				hg_addr ta =
					chunk_base(p, c) + (top << p->log_page);

				if (!hbm_get(&p->scav_has_free, c))
					return fail(
						err, errlen,
						"chunk %#llx has pages to "
						"scavenge but no index flag",
						ULL(c));
				if (!p->scav_search_valid ||
				    (ta & ~((p->min_pages << p->log_page) -
					    1)) > p->scav_search_addr)
					return fail(
						err, errlen,
						"page %#llx to scavenge above "
						"scavenge searchAddr %#llx",
						ULL(ta),
						ULL(p->scav_search_addr));
			}
		}
	}

	/* Inner summary levels against their children. */
	for (l = 0; l + 1 < p->levels; l++) {
		for (r = 0; r < p->in_use.len; r++) {
			struct hg_addr_range x = p->in_use.ranges[r];
			uint64_t lo, hi, i;

			addrs_to_summary_range(p, l, x.base, x.limit, &lo, &hi);
			for (i = lo; i < hi; i++) {
				uint64_t kids[1 << PA_LEVEL_BITS], want;
				unsigned k, cb = p->level_bits[l + 1];

				for (k = 0; k < (1u << cb); k++)
					kids[k] = sum_get(p, l + 1,
							  (i << cb) + k);
				want = merge_sums(p, kids, 1u << cb,
						  p->level_log_pages[l + 1]);
				if (sum_get(p, l, i) != want)
					return fail(err, errlen,
						    "summary[%u][%#llx] = "
						    "%#llx, children disagree",
						    l, ULL(i),
						    ULL(sum_get(p, l, i)));
				if (l == 0 &&
				    hbm_get(&p->root_nonzero, i) != (want != 0))
					return fail(
						err, errlen,
						"root bitmap wrong at %#llx",
						ULL(i));
			}
		}
	}
	return HG_OK;
}
