/*
 * mpallocbits.c - the chunk bitmaps of the page allocator
 * (runtime/mpallocbits.go): pageBits ranges, pallocBits summaries and the
 * searches for free runs.
 */
#include "mpagealloc.h"

/* ------------------------------------------------------------------ */
/* Chunk bitmaps (Go: pageBits, pallocBits, pallocData)                */
/* ------------------------------------------------------------------ */

/*
 * edge_runs walks chunk c's words once: the first free page (PA_NONE if
 * none), the longest free run that crosses or ends at a word boundary,
 * and the free run at the chunk's end; with occ, also the least of the
 * words' longest runs' complements (c->wocc: 64 minus the word's longest
 * free run).
 */
static inline void edge_runs(const struct hg_pagealloc *p,
			     const struct pa_chunk *c, uint64_t *startp,
			     uint64_t *mostp, uint64_t *curp, unsigned *occ)
{
	uint64_t start = PA_NONE, most = 0, cur = 0;

	if (occ)
		*occ = 64;
	for (unsigned w = 0; w < p->nwords; w++) {
		uint64_t x = c->alloc[w];

		if (occ && c->wocc[w] < *occ)
			*occ = c->wocc[w];
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
	*startp = start;
	*mostp = most;
	*curp = cur;
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
	uint64_t start, most, cur;
	unsigned w;

	edge_runs(p, c, &start, &most, &cur, NULL);
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
			continue;     /* no zeros below the top ones */
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
 * hg_pallocbits_summarize from the runs that cross or touch the words'
 * edges and each word's longest run (wocc): the same value, without
 * searching inside the words.
 */
uint64_t hg_pallocbits_summarize_fast(const struct hg_pagealloc *p,
				      const struct pa_chunk *c)
{
	uint64_t start, most, cur;
	unsigned occ, w;

	if (p->nwords == PA_MAX_WORDS) {
		/* A chunk of eight words none of which is free (wocc 0),
		 * nearly every chunk of a heap of small spans: a free run
		 * lies inside one word or crosses one boundary between two,
		 * the free top of the one below joined to the free bottom
		 * of the one above. No word is 0, so no count of zeros
		 * needs the test for it. */
		occ = c->wocc[0];
		for (w = 1; w < PA_MAX_WORDS; w++)
			occ = c->wocc[w] < occ ? c->wocc[w] : occ;
		if (occ != 0) {
			/* The counts in unsigned (32-bit) arithmetic: no
			 * widening of each one. */
			unsigned m = 64 - occ;

			for (w = 1; w < PA_MAX_WORDS; w++) {
				unsigned run =
					(unsigned)__builtin_clzll(
						c->alloc[w - 1]) +
					(unsigned)__builtin_ctzll(c->alloc[w]);

				m = run > m ? run : m;
			}
			return pack_sum(
				p, (unsigned)__builtin_ctzll(c->alloc[0]), m,
				(unsigned)__builtin_clzll(
					c->alloc[PA_MAX_WORDS - 1]));
		}
	}
	edge_runs(p, c, &start, &most, &cur, &occ);
	if (start == PA_NONE)
		return pack_sum(p, p->chunk_pages, p->chunk_pages,
				p->chunk_pages);
	most = max_u64(most, max_u64(cur, 64 - occ));
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
		/* The word's longest free run (wocc) says whether it holds
		 * npages. */
		if (64 - (uint64_t)c->wocc[i] >= npages) {
			j = hg_find_bit_range64(~x, (unsigned)npages);
			if (j < 64)
				return i * 64 + j;
		}
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

/* ------------------------------------------------------------------ */
/* Leaf summaries kept up to date without a full summarize             */
/* ------------------------------------------------------------------ */

/*
 * The summary of chunk c after its pages [lo, hi) were freed, from old,
 * its summary before: the same value hg_pallocbits_summarize gives; the
 * free run holding them in *run_lo and *run_len (UINT64_MAX when it
 * reaches the chunk's last page).
 * Freeing only joins runs of free pages, so the one run holding [lo, hi)
 * is the only new one.
 */
uint64_t hg_pallocbits_sum_freed(const struct hg_pagealloc *p,
				 const struct pa_chunk *c, uint64_t old,
				 uint64_t lo, uint64_t hi, uint64_t *run_lo,
				 uint64_t *run_len)
{
	uint64_t start, most, end, left = hg_pagebits_free_below(c, lo);
	uint64_t right = hg_pagebits_free_from(p, c, hi),
		 run = left + (hi - lo) + right;

	/* The run holding [lo, hi), for the fit hints: one that reaches
	 * the chunk's last page may go on in the next chunk. */
	*run_lo = lo - left;
	*run_len = hi + right == p->chunk_pages ? UINT64_MAX : run;
	unpack_sum(p, old, &start, &most, &end);
	if (left == lo)
		start = run;
	if (hi + right == p->chunk_pages)
		end = run;
	return pack_sum(p, start, max_u64(most, run), end);
}

/*
 * The summary of chunk c after its pages [lo, hi), all free before, were
 * allocated, from old, its summary before. The first and last allocated
 * pages move at most to lo and hi - 1; the longest run is the old one
 * unless the run [lo, hi) was cut from was that long, when the chunk is
 * summarized again.
 */
uint64_t hg_pallocbits_sum_allocated(const struct hg_pagealloc *p,
				     const struct pa_chunk *c, uint64_t old,
				     uint64_t lo, uint64_t hi)
{
	uint64_t start, most, end, run;

	unpack_sum(p, old, &start, &most, &end);
	run = hg_pagebits_free_below(c, lo) + (hi - lo) +
	      hg_pagebits_free_from(p, c, hi);
	if (run >= most)
		return hg_pallocbits_summarize_fast(p, c);
	return pack_sum(p, min_u64(start, lo), most,
			min_u64(end, p->chunk_pages - hi));
}

/*
 * The summary of chunk c after every free page of its word w was taken
 * (a page cache refill), from old and the word's bits before, was. As
 * above, unless a run that met the word may have been the longest.
 */
uint64_t hg_pallocbits_sum_word_taken(const struct hg_pagealloc *p,
				      const struct pa_chunk *c, uint64_t old,
				      unsigned w, uint64_t was)
{
	uint64_t start, most, end, lo = (uint64_t)w * 64, hi = lo + 64;
	uint64_t left = hg_pagebits_free_below(c, lo),
		 right = hg_pagebits_free_from(p, c, hi), bound;

	unpack_sum(p, old, &start, &most, &end);
	if (was == 0)
		bound = left + 64 + right;
	else /* runs inside the word are shorter than 64 */
		bound = max_u64(64,
				max_u64(left + ctz64(was), right + clz64(was)));
	if (bound >= most)
		return hg_pallocbits_summarize_fast(p, c);
	return pack_sum(p, min_u64(start, lo), most,
			min_u64(end, p->chunk_pages - hi));
}
