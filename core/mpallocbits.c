/*
 * mpallocbits.c - the chunk bitmaps of the page allocator
 * (runtime/mpallocbits.go): pageBits ranges, pallocBits summaries and the
 * searches for free runs.
 */
#include "mpagealloc.h"

/* ------------------------------------------------------------------ */
/* Chunk bitmaps (Go: pageBits, pallocBits, pallocData)                */
/* ------------------------------------------------------------------ */

/* Go: (*pageBits).setRange, runtime/mpallocbits.go */
void hg_pagebits_set_range(uint64_t *b, uint64_t i, uint64_t n)
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
void hg_pagebits_clear_range(uint64_t *b, uint64_t i, uint64_t n)
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
uint64_t hg_pagebits_popcnt_range(const uint64_t *b, uint64_t i, uint64_t n)
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

/*
 * Go: (*pallocBits).summarize, runtime/mpallocbits.go. A first pass finds
 * the free runs that start or end at word boundaries (start, end and a
 * first maximum); a second looks inside each word for a longer run,
 * shrinking every run of zeros by the maximum so far with shifts that
 * double the length of the runs of ones each time, so a word whose runs
 * are no longer than the maximum is dismissed in a few steps.
 */
uint64_t hg_pallocbits_summarize(const struct hg_pagealloc *p,
				 const struct pa_chunk *c)
{
	uint64_t start = PA_NONE, most = 0, cur = 0;
	unsigned w;

	for (w = 0; w < p->nwords; w++) {
		uint64_t x = c->alloc[w];

		if (x == 0) {
			cur += 64;
			continue;
		}
		cur += ctz64(x);
		if (start == PA_NONE)
			start = cur;
		most = max_u64(most, cur);
		cur = clz64(x);
	}
	if (start == PA_NONE)
		return pack_sum(p, p->chunk_pages, p->chunk_pages,
				p->chunk_pages);
	most = max_u64(most, cur);
	if (most >= 64 - 2)
		return pack_sum(p, start, most, cur);
	for (w = 0; w < p->nwords; w++) {
		uint64_t x = c->alloc[w];

		/* Every word is non-zero here (else most >= 64). */
		x >>= ctz64(x);
		if ((x & (x + 1)) == 0)
			continue; /* no zeros below the top ones */
		uint64_t need = most; /* zeros each run still loses */
		unsigned k = 1;       /* the shortest run of ones in x */
		for (;;) {
			bool done = false;
			while (need > 0) {
				if (need <= k) {
					x |= x >> need;
					done = (x & (x + 1)) == 0;
					break;
				}
				x |= x >> k;
				if ((x & (x + 1)) == 0) {
					done = true;
					break;
				}
				need -= k;
				k *= 2;
			}
			if (done)
				break;
			/* The lowest run of zeros left is what the maximum
			 * grows by. */
			x >>= ctz64(~x);
			unsigned j = ctz64(x);
			x >>= j;
			most += j;
			if ((x & (x + 1)) == 0)
				break;
			need = j;
		}
	}
	return pack_sum(p, start, most, cur);
}

/*
 * Go: findBitRange64, runtime/mpallocbits.go. Index of the first run of n
 * consecutive 1 bits in c, or >= 64. Each step removes the top bit of every
 * run of ones, doubling the step while it can.
 */
unsigned hg_find_bit_range64(uint64_t c, unsigned n)
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
uint64_t hg_pallocbits_find1(const struct hg_pagealloc *p,
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
		j = hg_find_bit_range64(~x, (unsigned)npages);
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
uint64_t hg_pallocbits_find(const struct hg_pagealloc *p,
			    const struct pa_chunk *c, uint64_t npages,
			    uint64_t search_idx, uint64_t *new_search)
{
	if (npages == 1) {
		uint64_t a = hg_pallocbits_find1(p, c, search_idx);

		*new_search = a;
		return a;
	}
	if (npages <= 64)
		return chunk_find_small(p, c, npages, search_idx, new_search);
	return chunk_find_large(p, c, npages, search_idx, new_search);
}
