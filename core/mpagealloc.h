/*
 * mpagealloc.h - the page allocator's state and the functions its files
 * share (internal to the page allocator: mpagealloc.c, mpallocbits.c,
 * mpagecache.c, mgcscavenge.c, pagealloc_check.c). pagealloc.h is the
 * interface for the rest of the core.
 *
 * Layout:
 * - every chunk (chunk_bytes of address space) has an alloc bitmap
 *   (Go: pallocBits, 1 = in use), a scavenged bitmap (1 = released) and
 *   its scavenge-index counter (Go: scavChunkData.inUse);
 * - the chunks live in a sparse three-level table (Go keeps a two-level
 *   one, pageAlloc.chunks), so only grown regions cost host memory; a
 *   leaf of 512 chunks that are all wholly free or wholly allocated, and
 *   wholly scavenged or not (one of the four uniform chunks), is kept as
 *   a tag, not as 512 pallocData: memory follows where the heap is split,
 *   not how much of it there is. An operation that splits such a chunk
 *   materialises its leaf; a leaf whose chunks agree again is folded
 *   back. Runs of uniform chunks inside a large alloc, free or
 *   unscavenge are handled a leaf at a time;
 * - the radix summaries (Go: pallocSum packed start/max/end) use Go's
 *   geometry: 5 levels when addr_bits > 32, otherwise 4, fan-out 8, the
 *   root level taking the remaining address bits. Each level is a sparse
 *   array whose blocks are allocated when first written; a block whose
 *   entries are all 0 (fully allocated) or all the level's free summary
 *   is a tag too;
 * - the summaries above the chunks are brought up to date when they are
 *   read (hg_pagealloc_sync: the checks, and a find of a run through
 *   more free chunks than find_big measures): a chunk whose leaf summary
 *   a span inside it changed is listed once, and the sync merges the
 *   levels above each listed chunk from its children, going up while an
 *   entry changes. Other finds and Go's searchAddr use the leaf summaries
 *   and the fit tree only; a range over several chunks (grow, a large
 *   span, the scavenger) updates the levels at once;
 * - a span inside one chunk updates the chunk's summary from the pages
 *   it takes or frees (hg_pallocbits_sum_freed, _allocated, _word_taken)
 *   or, when it took the chunk's longest run, from each word's longest
 *   free run kept beside the bitmaps (pa_chunk.wocc). A chunk held as a
 *   uniform one changes the levels above at once, each only while an
 *   entry changes, a parent whose child kept its start and end following
 *   the child's longest run without a merge (hg_pagealloc_update_up).
 *   Every summary, once synced, is the value Go's summarize and update
 *   give;
 * - the root level, which Go scans linearly, is paired with a bitmap of its
 *   non-zero entries so runs of fully allocated entries are skipped in one
 *   step (same answers, less work for far-apart heap regions);
 * - the scavenge index (Go: scavengeIndex) keeps Go's per-chunk "has free"
 *   flag in a hierarchical bitmap, so the highest flagged chunk at or below
 *   the search address is found in O(log) instead of a linear walk.
 * - the fit tree (not Go's, pagefit.c) finds Go's first fit of up to a
 *   chunk's pages without the summaries above the chunks: each chunk's
 *   fit is the longest run of free pages that lies in it or starts in it
 *   (its end joined to the next chunk's start), at most a chunk's pages;
 *   a run that short meets at most two chunks, so the first chunk at or
 *   above the search's start whose fit is at least n holds the first fit
 *   of n pages, inside it or from its end on. Above the chunks, each
 *   level keeps the largest of 64 entries of the level below, and the
 *   search goes up until a block holds a fit and down to its first
 *   chunk. Each level is a sparse array of 16-bit entries whose leaves
 *   of all 0 or all free are tags, as the summaries' are;
 *
 * Go's offset address space (arenaBaseOffset) is not modelled: addresses
 * are plain and below 1 << addr_bits, so their order is the same.
 */
#ifndef HG_MPAGEALLOC_H
#define HG_MPAGEALLOC_H

#include "internal.h"
#include "pagealloc.h"
#include "sparse.h"

#define PA_MAX_LEVELS 5
#define PA_LEVEL_BITS 3     /* Go: summaryLevelBits */
#define PA_MAX_WORDS 8      /* 512 pages / 64 */
#define PA_CACHE_PAGES 64   /* Go: pageCachePages */
#define PA_NONE UINT64_MAX  /* Go: ^uint(0) as "not found" */
#define PA_FIT_HINTS 16     /* run lengths with a fit hint (fit_hint) */
#define PA_FIT_MAX_LEVELS 5 /* fit tree levels: 30 chunk index bits / 6 */

/* ------------------------------------------------------------------ */
/* Bit helpers                                                         */
/* ------------------------------------------------------------------ */

static inline unsigned ctz64(uint64_t x)
{
	return x ? (unsigned)__builtin_ctzll(x) : 64;
}

static inline unsigned clz64(uint64_t x)
{
	return x ? (unsigned)__builtin_clzll(x) : 64;
}

/* The set bits of x, counted in parallel within the word (the build has
 * no popcnt instruction, and __builtin_popcountll would be a library
 * call): pairs, nibbles, bytes, then the bytes summed by a multiply. */
static inline unsigned popcount64(uint64_t x)
{
	x -= (x >> 1) & UINT64_C(0x5555555555555555);
	x = (x & UINT64_C(0x3333333333333333)) +
	    ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
}

static inline unsigned log2_u64(uint64_t x)
{
	return 63 - clz64(x);
}

static inline uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Mask of bits [lo, lo+n) within one word; n in 1..64, lo+n <= 64. */
static inline uint64_t word_mask(unsigned lo, unsigned n)
{
	uint64_t m = n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;

	return m << lo;
}

/* ------------------------------------------------------------------ */
/* The allocator                                                       */
/* ------------------------------------------------------------------ */

/* Go: pallocData plus the chunk's scavChunkData. No implicit padding:
 * chunks are compared bytewise with the uniform ones. The 16 bytes that
 * every alloc and free writes (wocc, in_use) come first, so that they
 * often share a cache line with the alloc word a small span's pages are
 * in (a free in a large heap then misses once, not twice). */
struct pa_chunk {
	/* 64 minus the longest run of free pages inside alloc word w (not
	 * Go's: it lets a summary be merged from the words instead of
	 * searched bit by bit; 0 = a free word, so a zero-filled chunk is
	 * consistent). Kept by hg_chunk_words_changed after every write to
	 * alloc. */
	uint8_t wocc[PA_MAX_WORDS];
	uint16_t in_use; /* Go: scavChunkData.inUse */
	bool grown;
	/* Its leaf summary changed after the levels above were last merged
	 * (in sum_dirty; hg_pagealloc_sync). */
	bool sum_dirty;
	unsigned char pad_[4];
	uint64_t alloc[PA_MAX_WORDS]; /* Go: pallocBits, 1 = in use */
	uint64_t scav[PA_MAX_WORDS];  /* Go: scavenged, 1 = released */
};
_Static_assert(sizeof(struct pa_chunk) == 144, "a chunk has no padding");

/* The uniform chunks: every page free or allocated, scavenged or not. */
enum pa_uniform {
	PA_FREE_SCAV,   /* freshly grown */
	PA_FREE_READY,  /* freed, not yet released */
	PA_ALLOC_READY, /* inside a span */
	PA_ALLOC_SCAV,  /* padding or cache-held and released */
	PA_NUNIFORM
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

	struct hg_sparse summary[PA_MAX_LEVELS];
	struct hg_hbm root_nonzero; /* non-zero entries of summary[0] */
	struct hg_sparse chunks;

	hg_addr search_addr; /* Go: searchAddr */
	/* Not Go's: fit_hint[n] (n = 1..PA_FIT_HINTS) is an address below
	 * which no run of n free pages starts (fit_hint[PA_FIT_HINTS]: of
	 * PA_FIT_HINTS pages or more). The first fit of n pages, Go's
	 * find, lies at or above it (and above the hint of every shorter
	 * run), so the search for it starts there; an allocation of the
	 * first fit of n raises fit_hint[n] past it, a free lowers the
	 * hints of the runs it makes (pa_hints_run, pa_hints_freed).
	 * Go's searchAddr candidate does not depend on where the search
	 * started (pa_search_of). */
	hg_addr fit_hint[PA_FIT_HINTS + 1];
	uint64_t start, end; /* Go: start, end (chunk indexes) */
	bool grown;
	uint64_t nchunks; /* grown chunks */
	struct hg_addr_ranges in_use;
	size_t grown_hint; /* the inUse range range_grown found last */

	/* Go: scavengeIndex. */
	struct hg_hbm scav_has_free; /* Go: scavChunkHasFree per chunk */
	hg_addr scav_search_addr;    /* Go: searchAddrForce */
	bool scav_search_valid;      /* false = Go's cleared state */
	/* Go's marked search address (atomicOffAddr.StoreMarked, as free
	 * and nextGen raise it): a find that finds nothing below it cannot
	 * clear it, only one that moves it down to a lower chunk unmarks
	 * it. One for each search address. */
	bool scav_search_marked;
	/* Its generations (params.scav_gens, go1.21+): a chunk's gen and
	 * lastInUse as two bits, touched (its gen is the index's) and
	 * hi_last (touched, lastInUse at least scavChunkHiOccPages), and
	 * eligible, Go's shouldScavenge(gen, false), kept up to date so the
	 * background search is a find_prev too. Before the first nextGen
	 * every chunk's gen is the index's with lastInUse 0 (gen0). */
	struct hg_hbm scav_touched, scav_hi_last, scav_eligible;
	bool scav_gen0;
	uint64_t scav_hi_occ; /* Go: scavChunkHiOccPages */
	hg_addr scav_bg_addr; /* Go: searchAddrBg */
	bool scav_bg_valid;
	bool scav_bg_marked;
	hg_addr scav_free_hwm;    /* Go: freeHWM */
	bool scav_free_hwm_valid; /* false = minOffAddr */
	/* The run a background scavengeOne holds allocated while it
	 * releases it (hg_pagealloc_scavenge_begin); 0 pages: none. */
	hg_addr scav_held;
	uint64_t scav_held_pages;

	/* The chunks whose summaries above are still to be merged again
	 * (see the layout above), each once. */
	uint64_t *sum_dirty;
	size_t sum_ndirty, sum_dirty_cap;
	/* Not Go's: the fit tree (see the layout above, pagefit.c). */
	unsigned fit_levels;
	unsigned fit_bits[PA_FIT_MAX_LEVELS]; /* index bits of each level */
	uint64_t fit_cap;                     /* the largest fit: chunk_pages */
	struct hg_sparse fit[PA_FIT_MAX_LEVELS];
	uint16_t fit_uniform[2]; /* 0 and fit_cap */

	/* The compact form's prototypes (see the layout above). */
	struct pa_chunk uniform[PA_NUNIFORM];
	uint64_t sum_uniform[PA_MAX_LEVELS][2]; /* 0 and the free summary */
	bool enomem; /* the host ran out: the state is not to be trusted */
};

static inline uint64_t chunk_index(const struct hg_pagealloc *p, hg_addr a)
{
	return a >> p->log_chunk_bytes;
}

static inline hg_addr chunk_base(const struct hg_pagealloc *p, uint64_t ci)
{
	return ci << p->log_chunk_bytes;
}

static inline uint64_t chunk_page_index(const struct hg_pagealloc *p, hg_addr a)
{
	return (a >> p->log_page) & (p->chunk_pages - 1);
}

/* Chunk ci for reading (a uniform chunk's prototype), NULL if not backed. */
static inline const struct pa_chunk *chunk_of(const struct hg_pagealloc *p,
					      uint64_t ci)
{
	return hg_sparse_get_sz(&p->chunks, ci, sizeof(struct pa_chunk));
}

/*
 * The fit hints are kept non-decreasing in n: a run of n + 1 free pages
 * holds a run of n, so the hint of n bounds the runs of every longer
 * length too and each hint is the highest of its own and those of the
 * shorter runs. The search for n pages then starts at fit_hint[n]
 * itself, and a raise or lowering stops at the first hint it leaves as
 * it is.
 */

/* Pages from base on became free (grow, a page cache's flush, a free
 * over several chunks): a run of n free pages may now start n - 1 pages
 * below base. */
static inline void pa_hints_freed(struct hg_pagealloc *p, hg_addr base)
{
	hg_addr m = 0;
	unsigned n;

	for (n = 1; n <= PA_FIT_HINTS; n++) {
		uint64_t below = (uint64_t)(n - 1) << p->log_page;
		hg_addr lo = base > below ? base - below : 0;

		/* lo falls as n grows: the highest of the lowered hints of
		 * the runs up to n keeps them in order. */
		if (p->fit_hint[n] > lo)
			p->fit_hint[n] = lo;
		if (p->fit_hint[n] < m)
			p->fit_hint[n] = m;
		m = p->fit_hint[n];
	}
}

/* A free made the run of len free pages from start (len UINT64_MAX: of
 * unknown length, it reaches the chunk's end): runs of up to len pages
 * may now start there (longer runs are as they were: none holds the
 * freed pages). */
static inline void pa_hints_run(struct hg_pagealloc *p, hg_addr start,
				uint64_t len)
{
	unsigned n = len < PA_FIT_HINTS ? (unsigned)len : PA_FIT_HINTS;

	/* The hints below the first one at or below start are too. */
	for (; n >= 1 && p->fit_hint[n] > start; n--)
		p->fit_hint[n] = start;
}

/* The first fit of npages was allocated, up to end: no run of npages
 * starts below end now (one that did would overlap the allocated run or
 * lie below it), nor any longer run. */
static inline void pa_hints_raise(struct hg_pagealloc *p, uint64_t npages,
				  hg_addr end)
{
	unsigned n;

	/* The last hint is of runs of PA_FIT_HINTS pages or more: only an
	 * allocation of PA_FIT_HINTS pages raises it. */
	if (npages > PA_FIT_HINTS)
		return;
	for (n = (unsigned)npages; n <= PA_FIT_HINTS && p->fit_hint[n] < end;
	     n++)
		p->fit_hint[n] = end;
}

/* Where the search for the first run of npages may start. */
static inline hg_addr pa_hint_of(const struct hg_pagealloc *p, uint64_t npages)
{
	return p->fit_hint[npages < PA_FIT_HINTS ? npages : PA_FIT_HINTS];
}

/* ------------------------------------------------------------------ */
/* pallocSum (Go: runtime/mpagealloc.go)                               */
/* ------------------------------------------------------------------ */

/* Go: packPallocSum, runtime/mpagealloc.go */
static inline uint64_t pack_sum(const struct hg_pagealloc *p, uint64_t start,
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
static inline void unpack_sum(const struct hg_pagealloc *p, uint64_t s,
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

static inline uint64_t sum_start(const struct hg_pagealloc *p, uint64_t s)
{
	uint64_t a, b, c;

	unpack_sum(p, s, &a, &b, &c);
	return a;
}

static inline uint64_t sum_max(const struct hg_pagealloc *p, uint64_t s)
{
	uint64_t a, b, c;

	unpack_sum(p, s, &a, &b, &c);
	return b;
}

static inline uint64_t sum_end(const struct hg_pagealloc *p, uint64_t s)
{
	uint64_t a, b, c;

	unpack_sum(p, s, &a, &b, &c);
	return c;
}

static inline uint64_t sum_get(const struct hg_pagealloc *p, unsigned l,
			       uint64_t i)
{
	const uint64_t *s = hg_sparse_get_sz(&p->summary[l], i, sizeof(*s));

	return s ? *s : 0;
}

/* Summary i of level l for writing when its leaf is materialised, else
 * NULL. */
static inline uint64_t *sum_peek(struct hg_pagealloc *p, unsigned l, uint64_t i)
{
	return hg_sparse_peek_mut_sz(&p->summary[l], i, sizeof(uint64_t));
}

/* The fit of a chunk whose leaf summary is s and the next chunk's next
 * (the fit tree, see the layout above). */
static inline uint64_t pa_fit_of(const struct hg_pagealloc *p, uint64_t s,
				 uint64_t next)
{
	uint64_t st, m, e;

	unpack_sum(p, s, &st, &m, &e);
	if (e)
		m = max_u64(m, e + sum_start(p, next));
	return min_u64(m, p->chunk_pages);
}

/* pagefit.c */
void hg_pagefit_init(struct hg_pagealloc *p);
void hg_pagefit_destroy(struct hg_pagealloc *p);
void hg_pagefit_set(struct hg_pagealloc *p, uint64_t ci, uint64_t v);
uint64_t hg_pagefit_of_chunk(const struct hg_pagealloc *p, uint64_t ci);
void hg_pagefit_fill(struct hg_pagealloc *p, uint64_t lo, uint64_t hi,
		     bool free_run);
uint64_t hg_pagefit_find(const struct hg_pagealloc *p, uint64_t ci, uint64_t n);
int hg_pagefit_check(const struct hg_pagealloc *p, uint64_t lo, uint64_t hi,
		     char *err, size_t errlen);

/* Chunk ci's leaf summary went from old to sum: its fit, and the one of
 * the chunk below when its start moved. */
static inline void hg_pagefit_leaf(struct hg_pagealloc *p, uint64_t ci,
				   uint64_t old, uint64_t sum)
{
	unsigned leaf = p->levels - 1;

	hg_pagefit_set(
		p, ci,
		pa_fit_of(p, sum,
			  sum_end(p, sum) ? sum_get(p, leaf, ci + 1) : 0));
	if (ci > 0 && sum_start(p, old) != sum_start(p, sum)) {
		uint64_t prev = sum_get(p, leaf, ci - 1);

		if (sum_end(p, prev))
			hg_pagefit_set(p, ci - 1, pa_fit_of(p, prev, sum));
	}
}

/* ------------------------------------------------------------------ */
/* Shared between the files                                            */
/* ------------------------------------------------------------------ */

/* mpagealloc.c */
void hg_pagealloc_enomem(struct hg_pagealloc *p);
struct pa_chunk *hg_chunk_mut_slow(struct hg_pagealloc *p, uint64_t ci);
/* Chunk ci for writing: its leaf is materialised (grown chunks only).
 * NULL when the host is out of memory. Inline: every alloc and free
 * takes it, and its leaf is nearly always materialised already. */
static inline struct pa_chunk *hg_chunk_mut(struct hg_pagealloc *p, uint64_t ci)
{
	struct pa_chunk *c = hg_sparse_peek_mut_sz(&p->chunks, ci, sizeof(*c));

	return c ? c : hg_chunk_mut_slow(p, ci);
}
void hg_chunk_done(struct hg_pagealloc *p, uint64_t ci);
uint64_t hg_merge_summaries(const struct hg_pagealloc *p, const uint64_t *sums,
			    unsigned n, unsigned log_max_pages_per_sum);
void hg_addrs_to_summary_range(const struct hg_pagealloc *p, unsigned l,
			       hg_addr base, hg_addr limit, uint64_t *lo,
			       uint64_t *hi);
void hg_pagealloc_update(struct hg_pagealloc *p, hg_addr base, uint64_t npages,
			 bool contig, bool alloc);
void hg_pagealloc_update_chunk(struct hg_pagealloc *p, uint64_t ci,
			       uint64_t sum);
void hg_pagealloc_sync(struct hg_pagealloc *p);
void hg_pagealloc_update_up(struct hg_pagealloc *p, uint64_t ci, uint64_t *cur,
			    uint64_t old, uint64_t sum);
hg_addr hg_pagealloc_find(struct hg_pagealloc *p, uint64_t npages,
			  hg_addr *new_search);
/* pagealloc_check.c: Go's find walked from the root, for the tests. */
hg_addr hg_pagealloc_find_ref(struct hg_pagealloc *p, uint64_t npages,
			      hg_addr *new_search);
size_t hg_pagealloc_range_grown_slow(const struct hg_pagealloc *p, hg_addr base,
				     hg_addr last);
/* True if [base, base+npages pages) lies in grown chunks: in one of the
 * inUse ranges, which are coalesced, so a range that holds it is the
 * answer whichever it is. The range that held the last one asked about
 * is tried first (inline: every free asks, nearly always in it). */
static inline bool hg_pagealloc_range_grown(struct hg_pagealloc *p,
					    hg_addr base, uint64_t npages)
{
	const struct hg_addr_range *r;
	hg_addr last;
	size_t k;

	if (p->grown_hint < p->in_use.len) {
		/* In the range: base in it and its last page below its
		 * limit, (npages - 1) << log_page < limit - base, tested
		 * without the shift (which could overflow). */
		r = &p->in_use.ranges[p->grown_hint];
		if (r->base <= base && base < r->limit &&
		    npages - 1 <= ((r->limit - base - 1) >> p->log_page) &&
		    npages != 0)
			return true;
	}
	if (npages == 0 || npages > (p->max_addr >> p->log_page) ||
	    base > p->max_addr - ((npages - 1) << p->log_page))
		return false;
	last = base + ((npages - 1) << p->log_page);
	k = hg_pagealloc_range_grown_slow(p, base, last);
	if (k == SIZE_MAX)
		return false;
	p->grown_hint = k;
	return true;
}

/* mpallocbits.c; the pageBits helpers are inline here (a span's pages
 * are one or two words of a bitmap). */

/* Go: (*pageBits).setRange, runtime/mpallocbits.go */
static inline void hg_pagebits_set_range(uint64_t *b, uint64_t i, uint64_t n)
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
static inline void hg_pagebits_clear_range(uint64_t *b, uint64_t i, uint64_t n)
{
	while (n) {
		unsigned lo = (unsigned)(i & 63);
		unsigned k = (unsigned)min_u64(n, 64 - lo);

		b[i / 64] &= ~word_mask(lo, k);
		i += k;
		n -= k;
	}
}

/* Go: (*pageBits).popcntRange, runtime/mpallocbits.go (a word with none
 * of the bits costs no count) */
static inline uint64_t hg_pagebits_popcnt_range(const uint64_t *b, uint64_t i,
						uint64_t n)
{
	uint64_t s = 0;

	while (n) {
		unsigned lo = (unsigned)(i & 63);
		unsigned k = (unsigned)min_u64(n, 64 - lo);
		uint64_t x = b[i / 64] & word_mask(lo, k);

		if (x)
			s += popcount64(x);
		i += k;
		n -= k;
	}
	return s;
}

/* The longest run of zero bits in x. */
static inline unsigned word_max_free(uint64_t x)
{
	uint64_t r = ~x, t;
	unsigned n = 1, k;

	if (x == 0)
		return 64;
	if (r == 0)
		return 0;
	/* r & (r >> k) keeps the bits that start k+1 ones in a row when r
	 * keeps those that start n (k <= n): double n, then add halves. */
	while ((t = r & (r >> n)) != 0) {
		r = t;
		n *= 2;
	}
	for (k = n / 2; k > 0; k /= 2) {
		t = r & (r >> k);
		if (t) {
			r = t;
			n += k;
		}
	}
	return n;
}

/* After the alloc bits of pages [i, i+n) of c changed: their words'
 * wocc. */
static inline void hg_chunk_words_changed(struct pa_chunk *c, uint64_t i,
					  uint64_t n)
{
	uint64_t w, last = (i + n - 1) / 64;

	for (w = i / 64; w <= last; w++)
		c->wocc[w] = (uint8_t)(64 - word_max_free(c->alloc[w]));
}

/* Free pages just below page i of c (pages i-1, i-2, ... down to 0). */
static inline uint64_t hg_pagebits_free_below(const struct pa_chunk *c,
					      uint64_t i)
{
	uint64_t n = 0;

	while (i > 0) {
		unsigned b = (unsigned)((i - 1) & 63);
		/* Page i-1 at bit 63, the pages below it under it. */
		uint64_t x = c->alloc[(i - 1) / 64] << (63 - b);
		unsigned z = clz64(x);

		if (z <= b)
			return n + z;
		n += b + 1;
		i -= b + 1;
	}
	return n;
}

/* Free pages of c from page i up (i, i+1, ... up to the chunk's end). */
static inline uint64_t hg_pagebits_free_from(const struct hg_pagealloc *p,
					     const struct pa_chunk *c,
					     uint64_t i)
{
	uint64_t n = 0;

	while (i < p->chunk_pages) {
		unsigned b = (unsigned)(i & 63);
		unsigned z = ctz64(c->alloc[i / 64] >> b);

		if (z < 64 - b)
			return n + z;
		n += 64 - b;
		i += 64 - b;
	}
	return n;
}

/* The pages of word w inside the run [run_lo, run_hi), which meets it. */
static inline unsigned word_part(uint64_t w, uint64_t run_lo, uint64_t run_hi)
{
	return (unsigned)(min_u64(run_hi, w * 64 + 64) -
			  max_u64(run_lo, w * 64));
}

/*
 * hg_chunk_words_changed after pages [i, i+n) of c were freed, which lie
 * in the free run [run_lo, run_hi) now. Freeing only joins runs: a word's
 * longest run is its old one or its part of [run_lo, run_hi), without a
 * search (the same wocc).
 */
static inline void hg_chunk_words_freed(struct pa_chunk *c, uint64_t i,
					uint64_t n, uint64_t run_lo,
					uint64_t run_hi)
{
	uint64_t w, last = (i + n - 1) / 64;

	for (w = i / 64; w <= last; w++) {
		unsigned o = 64 - word_part(w, run_lo, run_hi);

		if (o < c->wocc[w])
			c->wocc[w] = (uint8_t)o;
	}
}

/* Whether any of the bits [i, i+n) is set. */
static inline bool hg_pagebits_any_range(const uint64_t *b, uint64_t i,
					 uint64_t n)
{
	while (n) {
		unsigned lo = (unsigned)(i & 63);
		unsigned k = (unsigned)min_u64(n, 64 - lo);

		if (b[i / 64] & word_mask(lo, k))
			return true;
		i += k;
		n -= k;
	}
	return false;
}

uint64_t hg_pallocbits_summarize(const struct hg_pagealloc *p,
				 const struct pa_chunk *c);
uint64_t hg_pallocbits_summarize_fast(const struct hg_pagealloc *p,
				      const struct pa_chunk *c);
unsigned hg_find_bit_range64(uint64_t c, unsigned n);
uint64_t hg_pallocbits_find1(const struct hg_pagealloc *p,
			     const struct pa_chunk *c, uint64_t search_idx);
uint64_t hg_pallocbits_find(const struct hg_pagealloc *p,
			    const struct pa_chunk *c, uint64_t npages,
			    uint64_t search_idx, uint64_t *new_search);
uint64_t hg_pallocbits_sum_freed(const struct hg_pagealloc *p,
				 const struct pa_chunk *c, uint64_t old,
				 uint64_t lo, uint64_t hi, uint64_t *run_lo,
				 uint64_t *run_len);
uint64_t hg_pallocbits_sum_allocated(const struct hg_pagealloc *p,
				     const struct pa_chunk *c, uint64_t old,
				     uint64_t lo, uint64_t hi);
uint64_t hg_pallocbits_sum_word_taken(const struct hg_pagealloc *p,
				      const struct pa_chunk *c, uint64_t old,
				      unsigned w, uint64_t was);

/* mgcscavenge.c */
void hg_scav_index_alloc_slow(struct hg_pagealloc *p, uint64_t ci,
			      struct pa_chunk *c, uint64_t before);
void hg_scav_index_free_slow(struct hg_pagealloc *p, uint64_t ci,
			     struct pa_chunk *c, uint64_t before, hg_addr a);

/* Go: freeHWM, the highest page freed since the last nextGen. */
static inline void pa_raise_free_hwm(struct hg_pagealloc *p, hg_addr a)
{
	if (!p->scav_free_hwm_valid || p->scav_free_hwm < a) {
		p->scav_free_hwm = a;
		p->scav_free_hwm_valid = true;
	}
}

/*
 * Whether a change of chunk ci's inUse from before to after leaves its
 * eligible bit as it is, given that its has-free flag stays: the chunk
 * is touched in this gen already (touch changes nothing) and the count
 * stays on the same side of scavChunkHiOccPages. The bit is kept equal
 * to shouldScavenge of the chunk's state (hg_pagealloc_check verifies
 * it), so it would be written again with the value it has.
 */
static inline bool pa_scav_eligible_stays(const struct hg_pagealloc *p,
					  uint64_t ci, uint64_t before,
					  uint64_t after)
{
	return (before < p->scav_hi_occ) == (after < p->scav_hi_occ) &&
	       (p->scav_gen0 || hg_hbm_get(&p->scav_touched, ci));
}

/* Go: (*scavengeIndex).alloc and scavChunkData.alloc, mgcscavenge.go.
 * Inline: a chunk that is not filled, whose eligibility stays (nearly
 * every alloc), costs no call. */
static inline void hg_scav_index_alloc(struct hg_pagealloc *p, uint64_t ci,
				       struct pa_chunk *c, uint64_t npages)
{
	uint64_t before = c->in_use;

	c->in_use = (uint16_t)(c->in_use + npages);
	if (c->in_use < p->chunk_pages &&
	    (!p->params.scav_gens ||
	     pa_scav_eligible_stays(p, ci, before, c->in_use)))
		return;
	hg_scav_index_alloc_slow(p, ci, c, before);
}

/* Go: (*scavengeIndex).free and scavChunkData.free, mgcscavenge.go.
 * Inline: a chunk flagged already whose eligibility stays costs no
 * call. */
static inline void hg_scav_index_free(struct hg_pagealloc *p, uint64_t ci,
				      struct pa_chunk *c, uint64_t page,
				      uint64_t npages)
{
	uint64_t before = c->in_use;
	hg_addr a = chunk_base(p, ci) + ((page + npages - 1) << p->log_page);
	const uint64_t *hf;

	c->in_use = (uint16_t)(c->in_use >= npages ? c->in_use - npages : 0);
	if (!p->scav_search_valid || p->scav_search_addr < a) {
		p->scav_search_addr = a;
		p->scav_search_valid = true;
		p->scav_search_marked = true;
	}
	hf = hg_hbm_cached_word(&p->scav_has_free, ci);
	if (hf && ((*hf >> (ci & 63)) & 1)) {
		if (!p->params.scav_gens)
			return;
		if (pa_scav_eligible_stays(p, ci, before, c->in_use)) {
			pa_raise_free_hwm(p, a);
			return;
		}
	}
	hg_scav_index_free_slow(p, ci, c, before, a);
}
/* The same over the whole chunks [c, c+n), free before (alloc) or full
 * before (free). */
void hg_scav_index_alloc_whole(struct hg_pagealloc *p, uint64_t c, uint64_t n);
void hg_scav_index_free_whole(struct hg_pagealloc *p, uint64_t c, uint64_t n);
/* Chunks [c, c+n) got the has-free flag without an alloc or free (grown
 * memory made backed): their eligibility. */
void hg_scav_index_flagged(struct hg_pagealloc *p, uint64_t c, uint64_t n);
uint64_t hg_fill_aligned(uint64_t x, unsigned m);

/* ------------------------------------------------------------------ */
/* Pieces of (*pageAlloc).find shared by hg_pagealloc_find and the     */
/* reference walk hg_pagealloc_find_ref                                 */
/* ------------------------------------------------------------------ */

/* Go: the firstFree window and foundFree closure of (*pageAlloc).find. */
struct pa_first_free {
	hg_addr base, bound; /* inclusive */
};

static inline void pa_found_free(struct pa_first_free *ff, hg_addr a,
				 uint64_t size)
{
	if (ff->base <= a && a + size - 1 <= ff->bound) {
		ff->base = a;
		ff->bound = a + size - 1;
	}
}

/* Go: (*pageAlloc).findMappedAddr, runtime/mpagealloc.go */
static inline hg_addr pa_find_mapped_addr(const struct hg_pagealloc *p,
					  hg_addr a)
{
	hg_addr v;

	/* Inside the first range (one, for most heaps): a itself. */
	if (p->in_use.len && a >= p->in_use.ranges[0].base &&
	    a < p->in_use.ranges[0].limit)
		return a;
	if (hg_addr_ranges_find_addr_greater_equal(&p->in_use, a, &v))
		return v;
	return p->max_addr;
}

/*
 * The leaf step of (*pageAlloc).find: the run of npages in chunk ci, which
 * the summaries said holds one (0 if it is not backed or has none), and
 * the searchAddr candidate in *new_search.
 */
static inline hg_addr pa_find_in_chunk(const struct hg_pagealloc *p,
				       uint64_t ci, uint64_t npages,
				       struct pa_first_free *ff,
				       hg_addr *new_search)
{
	const struct pa_chunk *ch = chunk_of(p, ci);
	uint64_t j, sidx;
	hg_addr sa;

	if (!ch)
		return 0;
	j = hg_pallocbits_find(p, ch, npages, 0, &sidx);
	if (j == PA_NONE)
		return 0;
	sa = chunk_base(p, ci) + (sidx << p->log_page);
	pa_found_free(ff, sa, chunk_base(p, ci + 1) - sa);
	*new_search = pa_find_mapped_addr(p, ff->base);
	return chunk_base(p, ci) + (j << p->log_page);
}

#endif /* HG_MPAGEALLOC_H */
