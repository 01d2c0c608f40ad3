/*
 * mpagecache.c - the per-P page cache (runtime/mpagecache.go).
 */
#include "mpagealloc.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Page cache                                                          */
/* ------------------------------------------------------------------ */

/* Go: (*pageAlloc).allocToCache, runtime/mpagecache.go */
struct hg_pagecache hg_pagealloc_alloc_to_cache(struct hg_pagealloc *p)
{
	struct hg_pagecache c = { 0, 0, 0 };
	const struct pa_chunk *rch = NULL;
	struct pa_chunk *ch;
	uint64_t ci, j = PA_NONE, blk;

	if (p->enomem || !p->grown || chunk_index(p, p->search_addr) >= p->end)
		return c;
	ci = chunk_index(p, p->search_addr);
	if (sum_get(p, p->levels - 1, ci) != 0) {
		rch = chunk_of(p, ci);
		j = hg_pallocbits_find1(p, rch,
					chunk_page_index(p, p->search_addr));
	}
	if (j != PA_NONE) {
		c.base = chunk_base(p, ci) +
			 ((j & ~UINT64_C(63)) << p->log_page);
	} else {
		hg_addr a = hg_pagealloc_find(p, 1, NULL);

		if (a == 0) {
			p->search_addr = p->max_addr;
			return c;
		}
		ci = chunk_index(p, a);
		j = chunk_page_index(p, a);
		c.base = a & ~((UINT64_C(64) << p->log_page) - 1);
	}
	blk = j / 64;
	ch = hg_chunk_mut(p, ci);
	if (!ch) {
		memset(&c, 0, sizeof(c));
		return c;
	}
	/* Every page below the block's end is allocated now. */
	pa_hints_raise(p, 1, c.base + (PA_CACHE_PAGES << p->log_page));
	c.cache = ~ch->alloc[blk];
	c.scav = ch->scav[blk];
	ch->alloc[blk] |= c.cache;
	ch->wocc[blk] = 64;
	ch->scav[blk] &= ~(c.cache & c.scav);
	hg_scav_index_alloc(p, ci, ch, popcount64(c.cache));
	if (!p->enomem)
		hg_pagealloc_update_chunk(p, ci,
					  hg_pallocbits_sum_word_taken(
						  p, ch,
						  sum_get(p, p->levels - 1, ci),
						  (unsigned)blk, ~c.cache));
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
		i = hg_find_bit_range64(c->cache, (unsigned)npages);
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

	if (c->cache == 0 || p->enomem) {
		memset(c, 0, sizeof(*c));
		return;
	}
	ci = chunk_index(p, c->base);
	pi = chunk_page_index(p, c->base);
	if (!hg_pagealloc_range_grown(p, c->base, PA_CACHE_PAGES))
		return;
	ch = hg_chunk_mut(p, ci);
	if (!ch)
		return;
	for (i = 0; i < 64; i++) {
		if (c->cache & (UINT64_C(1) << i)) {
			hg_pagebits_clear_range(ch->alloc, pi + i, 1);
			hg_scav_index_free(p, ci, ch, pi + i, 1);
		}
		if (c->scav & (UINT64_C(1) << i))
			hg_pagebits_set_range(ch->scav, pi + i, 1);
	}
	hg_chunk_words_changed(ch, pi, PA_CACHE_PAGES);
	if (c->base < p->search_addr)
		p->search_addr = c->base;
	pa_hints_freed(p, c->base);
	hg_pagealloc_update(p, c->base, PA_CACHE_PAGES, false, false);
	memset(c, 0, sizeof(*c));
}
