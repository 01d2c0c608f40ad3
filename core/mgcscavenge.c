/*
 * mgcscavenge.c - the scavenging half of runtime/mgcscavenge.go: the
 * scavenge index (forced mode), the candidate search over a chunk's
 * bitmaps and (*pageAlloc).scavenge.
 */
#include "mpagealloc.h"

/* ------------------------------------------------------------------ */
/* Scavenge index (Go: scavengeIndex, forced mode)                     */
/* ------------------------------------------------------------------ */

/* Go: (*scavengeIndex).alloc and scavChunkData.alloc, mgcscavenge.go */
void hg_scav_index_alloc(struct hg_pagealloc *p, uint64_t ci,
			 struct pa_chunk *c, uint64_t npages)
{
	c->in_use = (uint16_t)(c->in_use + npages);
	if (c->in_use >= p->chunk_pages)
		hg_hbm_clear(&p->scav_has_free, ci);
}

/* Go: (*scavengeIndex).free and scavChunkData.free, mgcscavenge.go */
void hg_scav_index_free(struct hg_pagealloc *p, uint64_t ci, struct pa_chunk *c,
			uint64_t page, uint64_t npages)
{
	hg_addr a;

	c->in_use = (uint16_t)(c->in_use >= npages ? c->in_use - npages : 0);
	hg_hbm_set(&p->scav_has_free, ci);
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
	if (!hg_hbm_find_prev(&p->scav_has_free, start, &i)) {
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

/* Go: (*pageAlloc).scavengeOne, runtime/mgcscavenge.go */
static uint64_t scavenge_one(struct hg_pagealloc *p, uint64_t ci,
			     uint64_t search_idx, uint64_t max)
{
	uint64_t max_pages = max >> p->log_page, base, n;
	const struct pa_chunk *ch = chunk_of(p, ci);

	if (max & (p->params.page_size - 1))
		max_pages++;
	if (ch && sum_max(p, sum_get(p, p->levels - 1, ci)) >= p->min_pages) {
		base = find_scavenge_candidate(p, ch, search_idx, p->min_pages,
					       max_pages, &n);
		if (n != 0) {
			hg_addr a = chunk_base(p, ci) + (base << p->log_page);
			struct pa_chunk *mch;

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
			mch = hg_chunk_mut(p, ci);
			if (!mch)
				return 0;
			hg_pagebits_set_range(mch->scav, base, n);
			hg_chunk_done(p, ci);
			return n << p->log_page;
		}
	}
	hg_hbm_clear(&p->scav_has_free, ci); /* Go: setEmpty */
	return 0;
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
 * The loop of (*pageAlloc).scavenge over a run of uniform free chunks,
 * each released whole, from ci down: what scavenge_one and the index's
 * find do for each (sysUnused of the chunk, then its flag cleared when
 * the index finds it again empty, then the next lower flagged chunk as
 * the search address), the chunks marked scavenged at once at the end.
 * Stops where a chunk is not such a chunk (the caller's loop goes on
 * from there, as it would have) or the bytes asked for are released.
 */
static uint64_t scavenge_run(struct hg_pagealloc *p, uint64_t ci,
			     uint64_t left)
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
		hg_hbm_clear(&p->scav_has_free, c);
		if (!hg_hbm_find_prev(&p->scav_has_free, c, &j)) {
			p->scav_search_valid = false;
			break;
		}
		p->scav_search_addr =
			chunk_base(p, j) + ((p->chunk_pages - 1) << p->log_page);
		if (j + 1 != c ||
		    !scavenges_whole(p, j, p->chunk_pages - 1,
				     left - released))
			break;
		c = j;
	}
	if (!hg_sparse_set_uniform(&p->chunks, c, ci + 1, PA_FREE_SCAV))
		hg_pagealloc_enomem(p);
	return released;
}

/* Go: (*pageAlloc).scavenge with force=true, runtime/mgcscavenge.go */
uint64_t hg_pagealloc_scavenge(struct hg_pagealloc *p, uint64_t nbytes)
{
	uint64_t released = 0, ci, page;

	while (released < nbytes && !p->enomem) {
		if (!scav_index_find(p, &ci, &page))
			break;
		if (scavenges_whole(p, ci, page, nbytes - released))
			released += scavenge_run(p, ci, nbytes - released);
		else
			released += scavenge_one(p, ci, page,
						 nbytes - released);
	}
	return released;
}
