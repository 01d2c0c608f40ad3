/*
 * mgcscavenge.c - the scavenging half of runtime/mgcscavenge.go: the
 * scavenge index (forced mode), the candidate search over a chunk's
 * bitmaps and (*pageAlloc).scavenge.
 */
#include "mpagealloc.h"

/* ------------------------------------------------------------------ */
/* Scavenge index (Go: scavengeIndex, forced mode)                     */
/* ------------------------------------------------------------------ */

/*
 * The generations (params.scav_gens, go1.21+): Go's scavChunkData.gen and
 * lastInUse as the touched and hi_last bits, and the eligible bit, Go's
 * shouldScavenge(gen, false): has free pages, fewer than
 * scavChunkHiOccPages in use, and not that many in use when the cycle
 * first touched it.
 */
static void update_eligible(struct hg_pagealloc *p, uint64_t ci,
			    uint64_t in_use)
{
	if (hg_hbm_get(&p->scav_has_free, ci) && in_use < p->scav_hi_occ &&
	    !hg_hbm_get(&p->scav_hi_last, ci))
		hg_hbm_set(&p->scav_eligible, ci);
	else
		hg_hbm_clear(&p->scav_eligible, ci);
}

/* Go: scavChunkData.alloc and free's "if sc.gen != newGen": the chunk's
 * lastInUse is its inUse before this change, once a cycle. */
static void touch(struct hg_pagealloc *p, uint64_t ci, uint64_t before)
{
	if (p->scav_gen0 || hg_hbm_get(&p->scav_touched, ci))
		return;
	hg_hbm_set(&p->scav_touched, ci);
	if (before >= p->scav_hi_occ)
		hg_hbm_set(&p->scav_hi_last, ci);
}

/* Go: (*scavengeIndex).alloc and scavChunkData.alloc, mgcscavenge.go:
 * what hg_scav_index_alloc leaves to it (c->in_use is already the new
 * count, before the old one). */
void hg_scav_index_alloc_slow(struct hg_pagealloc *p, uint64_t ci,
			      struct pa_chunk *c, uint64_t before)
{
	if (c->in_use >= p->chunk_pages)
		hg_hbm_clear(&p->scav_has_free, ci);
	if (p->params.scav_gens) {
		touch(p, ci, before);
		update_eligible(p, ci, c->in_use);
	}
}

/* Go: (*scavengeIndex).free and scavChunkData.free, mgcscavenge.go:
 * what hg_scav_index_free leaves to it (c->in_use is already the new
 * count, before the old one; a the last page freed). */
void hg_scav_index_free_slow(struct hg_pagealloc *p, uint64_t ci,
			     struct pa_chunk *c, uint64_t before, hg_addr a)
{
	hg_hbm_set(&p->scav_has_free, ci);
	if (p->params.scav_gens) {
		pa_raise_free_hwm(p, a);
		touch(p, ci, before);
		update_eligible(p, ci, c->in_use);
	}
}

/* Go: (*scavengeIndex).alloc over the whole chunks [c, c+n), free before:
 * each is now full (lastInUse 0 where first touched: hi_last stays). */
void hg_scav_index_alloc_whole(struct hg_pagealloc *p, uint64_t c, uint64_t n)
{
	hg_hbm_clear_range(&p->scav_has_free, c, c + n);
	if (!p->params.scav_gens)
		return;
	hg_hbm_clear_range(&p->scav_eligible, c, c + n);
	if (!p->scav_gen0)
		hg_hbm_set_range(&p->scav_touched, c, c + n);
}

/*
 * Go: (*scavengeIndex).free over the whole chunks [c, c+n), full before.
 * A chunk the cycle had not touched gets lastInUse = all its pages, so it
 * is not eligible until the next gen; one it had keeps its lastInUse.
 * The cost follows the touched chunks of the range, not its length.
 */
void hg_scav_index_free_whole(struct hg_pagealloc *p, uint64_t c, uint64_t n)
{
	hg_addr a = chunk_base(p, c + n) - p->params.page_size;
	uint64_t x = c, t;

	hg_hbm_set_range(&p->scav_has_free, c, c + n);
	if (!p->scav_search_valid || p->scav_search_addr < a) {
		p->scav_search_addr = a;
		p->scav_search_valid = true;
		p->scav_search_marked = true;
	}
	if (!p->params.scav_gens)
		return;
	pa_raise_free_hwm(p, a);
	if (p->scav_gen0) {
		hg_hbm_set_range(&p->scav_eligible, c, c + n);
		return;
	}
	while (x < c + n) {
		if (!hg_hbm_find_next(&p->scav_touched, x, &t) || t > c + n)
			t = c + n;
		if (t > x) {
			hg_hbm_set_range(&p->scav_touched, x, t);
			hg_hbm_set_range(&p->scav_hi_last, x, t);
		}
		if (t >= c + n)
			break;
		if (!hg_hbm_get(&p->scav_hi_last, t))
			hg_hbm_set(&p->scav_eligible, t);
		x = t + 1;
	}
}

/* Chunks [c, c+n) flagged as having free pages to release (grown memory
 * made backed, before go1.13): their eligibility, chunk by chunk. */
void hg_scav_index_flagged(struct hg_pagealloc *p, uint64_t c, uint64_t n)
{
	if (!p->params.scav_gens)
		return;
	for (uint64_t i = c; i < c + n; i++) {
		const struct pa_chunk *ch = chunk_of(p, i);

		update_eligible(p, i, ch ? ch->in_use : 0);
	}
}

/* Clears every set bit of h, a word at a time; calls f on each bit first
 * when f is given. */
static void clear_all(struct hg_pagealloc *p, struct hg_hbm *h,
		      void (*f)(struct hg_pagealloc *, uint64_t))
{
	uint64_t x = 0, i;

	while (hg_hbm_find_next(h, x, &i)) {
		uint64_t lo = i & ~UINT64_C(63);

		if (f)
			for (uint64_t j = i; j < lo + 64; j++)
				if (hg_hbm_get(h, j))
					f(p, j);
		hg_hbm_clear_range(h, lo, lo + 64);
		x = lo + 64;
	}
}

/* A chunk whose lastInUse no longer counts: eligible if it has free
 * pages and is not nearly full. */
static void hi_last_ends(struct hg_pagealloc *p, uint64_t ci)
{
	const struct pa_chunk *ch = chunk_of(p, ci);

	hg_hbm_clear(&p->scav_hi_last, ci);
	update_eligible(p, ci, ch ? ch->in_use : 0);
}

/*
 * Go: (*scavengeIndex).nextGen, go1.21+: a new gen (no chunk touched in
 * it), and the background search address raised to the highest page
 * freed since the last one. Its cost follows the chunks the cycle
 * touched (Go's is constant; its find walks every chunk instead).
 */
void hg_pagealloc_next_gen(struct hg_pagealloc *p)
{
	if (!p->params.scav_gens)
		return;
	p->scav_gen0 = false;
	clear_all(p, &p->scav_hi_last, hi_last_ends);
	clear_all(p, &p->scav_touched, NULL);
	if (p->scav_free_hwm_valid &&
	    (!p->scav_bg_valid || p->scav_bg_addr < p->scav_free_hwm)) {
		p->scav_bg_addr = p->scav_free_hwm;
		p->scav_bg_valid = true;
		p->scav_bg_marked = true;
	}
	p->scav_free_hwm_valid = false;
}

/* The index's two modes: forced (searchAddrForce, every chunk with free
 * pages) and background (searchAddrBg, the eligible chunks). */
struct scav_mode {
	struct hg_hbm *chunks;
	hg_addr *addr;
	bool *valid, *marked;
};

static struct scav_mode scav_mode(struct hg_pagealloc *p, bool force)
{
	if (force || !p->params.scav_gens)
		return (struct scav_mode){ &p->scav_has_free,
					   &p->scav_search_addr,
					   &p->scav_search_valid,
					   &p->scav_search_marked };
	return (struct scav_mode){ &p->scav_eligible, &p->scav_bg_addr,
				   &p->scav_bg_valid, &p->scav_bg_marked };
}

/* Go: atomicOffAddr.Clear, after a find that found nothing: a marked
 * search address stays where it is (the next find walks down from it
 * again, to chunks that became eligible since). */
static void scav_cursor_clear(const struct scav_mode *md)
{
	if (!*md->marked)
		*md->valid = false;
}

/* Go: find's StoreUnmark or StoreMin: the search address down to the top
 * of chunk ci, unmarked. */
static void scav_cursor_lower(struct hg_pagealloc *p,
			      const struct scav_mode *md, uint64_t ci)
{
	*md->addr = chunk_base(p, ci) + ((p->chunk_pages - 1) << p->log_page);
	*md->marked = false;
}

/* Go: (*scavengeIndex).find, mgcscavenge.go */
static bool scav_index_find(struct hg_pagealloc *p, const struct scav_mode *md,
			    uint64_t *ci, uint64_t *page)
{
	uint64_t start, i;

	if (!*md->valid)
		return false;
	start = chunk_index(p, *md->addr);
	if (!hg_hbm_find_prev(md->chunks, start, &i)) {
		scav_cursor_clear(md);
		return false;
	}
	if (i == start) {
		*ci = i;
		*page = chunk_page_index(p, *md->addr);
		return true;
	}
	scav_cursor_lower(p, md, i);
	*ci = i;
	*page = p->chunk_pages - 1;
	return true;
}

/* Go: (*scavengeIndex).setEmpty: no free pages to release in ci, for
 * either mode. */
static void set_empty(struct hg_pagealloc *p, uint64_t ci)
{
	hg_hbm_clear(&p->scav_has_free, ci);
	if (p->params.scav_gens)
		hg_hbm_clear(&p->scav_eligible, ci);
}

/* ------------------------------------------------------------------ */
/* Scavenging                                                          */
/* ------------------------------------------------------------------ */

/*
 * Go: fillAligned, runtime/mgcscavenge.go. Every m-aligned group of m bits
 * of x that has any bit set becomes all ones; all-zero groups stay zero.
 */
uint64_t hg_fill_aligned(uint64_t x, unsigned m)
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
		max = HG_ALIGN_UP(max, minimum);
	if (max == 0) /* overflowed */
		max = ~(minimum - 1);

	for (i = (int64_t)(search_idx / 64); i >= 0; i--) {
		x = hg_fill_aligned(c->scav[i] | c->alloc[i], m);
		if (x != ~UINT64_C(0))
			break;
	}
	if (i < 0)
		return 0;
	x = hg_fill_aligned(c->scav[i] | c->alloc[i], m);
	z1 = clz64(~x);
	end = (uint64_t)i * 64 + (64 - z1);
	if (z1 < 64 && (x << z1) != 0) {
		run = clz64(x << z1);
	} else {
		int64_t j;

		run = 64 - z1;
		for (j = i - 1; j >= 0; j--) {
			uint64_t y =
				hg_fill_aligned(c->scav[j] | c->alloc[j], m);

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
		uint64_t above = HG_ALIGN_UP(start, hp);

		if (above <= end) {
			uint64_t below = HG_ALIGN_DOWN(start, hp);

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
	if (!c || !c->grown || !hg_is_pow2(min) || min > 64 ||
	    search_idx >= p->chunk_pages)
		return 0;
	return find_scavenge_candidate(p, c, search_idx, min, max, npages);
}

/*
 * Go: the search of (*pageAlloc).scavengeOne, runtime/mgcscavenge.go: the
 * candidate to release in chunk ci at or below search_idx, of at most max
 * bytes (more to keep a huge page whole). Returns its pages (its first in
 * *base); none: the chunk is marked empty (Go: setEmpty).
 */
static uint64_t scavenge_candidate(struct hg_pagealloc *p, uint64_t ci,
				   uint64_t search_idx, uint64_t max,
				   uint64_t *base)
{
	uint64_t max_pages = max >> p->log_page, n;
	const struct pa_chunk *ch = chunk_of(p, ci);

	if (max & (p->params.page_size - 1))
		max_pages++;
	if (ch && sum_max(p, sum_get(p, p->levels - 1, ci)) >= p->min_pages) {
		*base = find_scavenge_candidate(p, ch, search_idx, p->min_pages,
						max_pages, &n);
		if (n != 0)
			return n;
	}
	set_empty(p, ci);
	return 0;
}

/* The run [base, base+n) of chunk ci that a background scavengeOne
 * held allocated while it released it is free again (Go: its free and
 * update once sysUnused returned). */
static void unhold(struct hg_pagealloc *p, uint64_t ci, struct pa_chunk *ch,
		   uint64_t base, uint64_t n)
{
	hg_addr a = chunk_base(p, ci) + (base << p->log_page);

	hg_pagebits_clear_range(ch->alloc, base, n);
	hg_chunk_words_changed(ch, base, n);
	pa_hints_freed(p, a);
	hg_pagealloc_update(p, a, n, true, false);
}

/*
 * Go: the end of scavengeOne, once sysUnused returned: the searchAddr
 * lowered to the run, the run free again (held: it was marked allocated
 * while it was released; the summaries end up as they were before) and
 * marked scavenged. A release done at once was not held: only the side
 * effects remain.
 */
static bool scavenge_done(struct hg_pagealloc *p, uint64_t ci, uint64_t base,
			  uint64_t n, bool held)
{
	hg_addr a = chunk_base(p, ci) + (base << p->log_page);
	struct pa_chunk *ch;

	if (p->params.sys_unused)
		p->params.sys_unused(p->params.ctx, a, n << p->log_page);
	if (a < p->search_addr)
		p->search_addr = a;
	ch = hg_chunk_mut(p, ci);
	if (!ch)
		return false;
	hg_pagebits_set_range(ch->scav, base, n);
	if (held)
		unhold(p, ci, ch, base, n);
	hg_chunk_done(p, ci);
	return true;
}

/* Go: (*pageAlloc).scavengeOne, runtime/mgcscavenge.go */
static uint64_t scavenge_one(struct hg_pagealloc *p, uint64_t ci,
			     uint64_t search_idx, uint64_t max)
{
	uint64_t base, n = scavenge_candidate(p, ci, search_idx, max, &base);

	if (n == 0 || !scavenge_done(p, ci, base, n, false))
		return 0;
	return n << p->log_page;
}

/* True if scavenge_one(ci, page, nbytes - released) would release all of
 * chunk ci: a uniform free, unscavenged chunk searched from its top with
 * room for a whole chunk. */
static bool scavenges_whole(const struct hg_pagealloc *p, uint64_t ci,
			    uint64_t page, uint64_t left)
{
	uint64_t n;

	return page == p->chunk_pages - 1 &&
	       (left >> p->log_page) >= p->chunk_pages &&
	       hg_sparse_uniform_at(&p->chunks, ci, &n) == PA_FREE_READY &&
	       sum_max(p, sum_get(p, p->levels - 1, ci)) >= p->min_pages;
}

/*
 * Go: the loop of (*pageAlloc).scavenge over a run of uniform free chunks,
 * each released whole, from ci down: what scavenge_one and the index's
 * find do for each (sysUnused of the chunk, then its flag cleared when
 * the index finds it again empty, then the next lower flagged chunk as
 * the search address), the chunks marked scavenged at once at the end.
 * Stops where a chunk is not such a chunk (the caller's loop goes on
 * from there, as it would have) or the bytes asked for are released.
 */
static uint64_t scavenge_run(struct hg_pagealloc *p, const struct scav_mode *md,
			     uint64_t ci, uint64_t left)
{
	uint64_t released = 0, c = ci, j;

	for (;;) {
		hg_addr a = chunk_base(p, c);

		if (p->params.sys_unused)
			p->params.sys_unused(p->params.ctx, a,
					     p->params.chunk_bytes);
		if (a < p->search_addr)
			p->search_addr = a;
		released += p->params.chunk_bytes;
		if (released >= left)
			break; /* the flag stays: the loop ends here */
		set_empty(p, c);
		if (!hg_hbm_find_prev(md->chunks, c, &j)) {
			scav_cursor_clear(md);
			break;
		}
		scav_cursor_lower(p, md, j);
		if (j + 1 != c ||
		    !scavenges_whole(p, j, p->chunk_pages - 1, left - released))
			break;
		c = j;
	}
	if (!hg_sparse_set_uniform(&p->chunks, c, ci + 1, PA_FREE_SCAV))
		hg_pagealloc_enomem(p);
	return released;
}

/* Go: (*pageAlloc).scavenge, runtime/mgcscavenge.go */
static uint64_t scavenge(struct hg_pagealloc *p, uint64_t nbytes, bool force)
{
	struct scav_mode md = scav_mode(p, force);
	uint64_t released = 0, ci, page;

	while (released < nbytes && !p->enomem) {
		if (!scav_index_find(p, &md, &ci, &page))
			break;
		if (scavenges_whole(p, ci, page, nbytes - released))
			released += scavenge_run(p, &md, ci, nbytes - released);
		else
			released +=
				scavenge_one(p, ci, page, nbytes - released);
	}
	return released;
}

uint64_t hg_pagealloc_scavenge(struct hg_pagealloc *p, uint64_t nbytes)
{
	return scavenge(p, nbytes, true);
}

uint64_t hg_pagealloc_scavenge_bg(struct hg_pagealloc *p, uint64_t nbytes)
{
	return scavenge(p, nbytes, false);
}

/*
 * Go: the loop of (*pageAlloc).scavenge with force=false, up to the
 * sysUnused of its next scavengeOne, which marks the run it found
 * allocated while it releases it (allocRange and update: no allocation
 * takes those pages; the scavenge index and the heap's counts do not see
 * it). hg_pagealloc_scavenge_end is the rest of that scavengeOne.
 */
uint64_t hg_pagealloc_scavenge_begin(struct hg_pagealloc *p, uint64_t max)
{
	struct scav_mode md = scav_mode(p, false);
	uint64_t ci, page, first, n;

	HG_ASSERT(p->scav_held_pages == 0);
	while (!p->enomem && scav_index_find(p, &md, &ci, &page)) {
		struct pa_chunk *ch;
		hg_addr a;

		n = scavenge_candidate(p, ci, page, max, &first);
		if (n == 0)
			continue;
		ch = hg_chunk_mut(p, ci);
		if (!ch)
			return 0;
		a = chunk_base(p, ci) + (first << p->log_page);
		hg_pagebits_set_range(ch->alloc, first, n);
		hg_chunk_words_changed(ch, first, n);
		hg_pagealloc_update(p, a, n, true, true);
		p->scav_held = a;
		p->scav_held_pages = n;
		return n << p->log_page;
	}
	return 0;
}

/* The held run, p->scav_held_pages from p->scav_held; none after. */
static uint64_t take_held(struct hg_pagealloc *p, uint64_t *ci, uint64_t *base)
{
	uint64_t n = p->scav_held_pages;

	*ci = chunk_index(p, p->scav_held);
	*base = chunk_page_index(p, p->scav_held);
	p->scav_held_pages = 0;
	p->scav_held = 0;
	return p->enomem ? 0 : n;
}

void hg_pagealloc_scavenge_end(struct hg_pagealloc *p)
{
	uint64_t ci, base, n = take_held(p, &ci, &base);

	if (n)
		(void)scavenge_done(p, ci, base, n, true);
}

void hg_pagealloc_scavenge_cancel(struct hg_pagealloc *p)
{
	uint64_t ci, base, n = take_held(p, &ci, &base);
	struct pa_chunk *ch;

	if (n && (ch = hg_chunk_mut(p, ci)) != NULL) {
		unhold(p, ci, ch, base, n);
		hg_chunk_done(p, ci);
	}
}
