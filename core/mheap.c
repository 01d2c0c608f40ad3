/*
 * mheap.c - growing the heap and allocating spans (runtime/mheap.go):
 * (*mheap).grow with curArena, allocSpan with the per-P page cache,
 * freeSpan, and the scavenger's entry points.
 */
#include "model.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void hg_mheap_throw(struct hg_model *m, const char *fmt, ...)
{
	if (m->dead)
		return;
	va_list ap;
	va_start(ap, fmt);
	hg_verrorf(m->throw_msg, sizeof(m->throw_msg), HG_EOOM, fmt, ap);
	va_end(ap);
	m->dead = true;
}

/*
 * The runtime could not get ask more bytes for the heap (Go: the print in
 * (*mheap).grow before allocSpan throws "out of memory").
 */
void hg_mheap_throw_oom(struct hg_model *m, uint64_t ask)
{
	uint64_t in_use =
		m->hs.heap_free + m->hs.heap_released + m->hs.heap_inuse;
	hg_mheap_throw(m,
		       "runtime: out of memory: cannot allocate %llu-byte "
		       "block (%llu in use)",
		       (unsigned long long)ask, (unsigned long long)in_use);
}

/* Go: (*pageAlloc).grow with its sysGrow: metadata first, then the bitmaps. */
static int pages_grow(struct hg_model *m, hg_addr base, uint64_t size)
{
	hg_addr lo = HG_ALIGN_DOWN(base, m->cfg.chunk_size);
	hg_addr hi = HG_ALIGN_UP(base + size, m->cfg.chunk_size);
	/* A failed metadata mapping throws; the bitmaps still grow, so the
	 * state at the throw stays consistent. */
	int err = hg_pagemeta_grow(m, lo, hi);
	int err2 = hg_pagealloc_grow(m->pages, base, size);
	if (err2 == HG_ENOMEM)
		return hg_os_enomem(&m->os);
	return err ? err : err2;
}

/*
 * Map [v, v+n) of curArena for the heap and hand it to the page allocator
 * as free, released pages (Go: the sysMap, stats and pages.grow steps of
 * (*mheap).grow).
 */
static int grow_into(struct hg_model *m, hg_addr v, uint64_t n)
{
	/* Before go1.17 sysAlloc had already mapped the whole arena. */
	if (m->cfg.policy_prepare == HG_PREPARE_GROW) {
		int err = hg_sys_map(m, v, n, hg_heap_grown_stat(m));
		if (err)
			return err;
	}
	int err = pages_grow(m, v, n);
	if (!err && hg_heap_grows_backed(m))
		hg_pagealloc_unscavenge(m->pages, v, n / m->cfg.page_size);
	return err;
}

/*
 * Go 1.12 and before freed new heap memory into the heap as idle but not
 * released (no scavenged flag): it counts as heap_free, and spans taken
 * from it need no sysUsed. From go1.13 it counts as released.
 */
bool hg_heap_grows_backed(const struct hg_model *m)
{
	return hg_config_go_minor(&m->cfg) <= 12;
}

/* The counter new heap memory goes to. */
uint64_t *hg_heap_grown_stat(struct hg_model *m)
{
	return hg_heap_grows_backed(m) ? &m->hs.heap_free
				       : &m->hs.heap_released;
}

/* Does the page allocator already track the chunk at c? */
static bool chunk_grown(struct hg_model *m, hg_addr c)
{
	return hg_addr_ranges_contains(hg_pagealloc_in_use(m->pages), c);
}

/*
 * hg_heap_add_pages hands [v, v+n) (page-aligned, mapped for the heap) to
 * the page allocator when it need not be chunk-aligned, as with the linear
 * arenas: a chunk is grown whole and the pages of it that are not heap are
 * kept allocated and scavenged ("phantom") until the heap reaches them.
 */
int hg_heap_add_pages(struct hg_model *m, hg_addr v, uint64_t n)
{
	uint64_t chunk = m->cfg.chunk_size, page = m->cfg.page_size;
	hg_addr end = v + n;
	for (hg_addr c = HG_ALIGN_DOWN(v, chunk); c < end; c += chunk) {
		hg_addr a = v > c ? v : c;
		hg_addr b = end < c + chunk ? end : c + chunk;
		if (chunk_grown(m, c)) {
			hg_pagealloc_free(m->pages, a, (b - a) / page);
			m->phantom_pages -= (b - a) / page;
			/* A page cache remembers the scavenged bits of
			 * allocated pages of its block; these are heap now. */
			for (unsigned i = 0; i < m->npcaches; i++) {
				struct hg_pagecache *pc = &m->pcaches[i];
				for (hg_addr x = a; pc->base && x < b;
				     x += page)
					if (x >= pc->base &&
					    x < pc->base + 64 * page)
						pc->scav &=
							~(1ull
							  << ((x - pc->base) /
							      page));
			}
			continue;
		}
		int err = pages_grow(m, c, chunk);
		if (err)
			return err;
		if (a > c) {
			hg_pagealloc_mark_padding(m->pages, c, (a - c) / page);
			m->phantom_pages += (a - c) / page;
		}
		if (b < c + chunk) {
			hg_pagealloc_mark_padding(m->pages, b,
						  (c + chunk - b) / page);
			m->phantom_pages += (c + chunk - b) / page;
		}
	}
	return HG_OK;
}

/*
 * Go before f18109d (go1.13 and earlier): every grow takes whole arenas
 * from sysAlloc and hands all of them to the free structures at once.
 */
static uint64_t mheap_grow_whole(struct hg_model *m, uint64_t npage)
{
	uint64_t ask = npage * m->cfg.page_size;
	uint64_t size = 0;
	hg_addr v = hg_mheap_sys_alloc(m, ask, &size);
	if (!v) {
		hg_mheap_throw_oom(m, ask);
		return 0;
	}
	if (grow_into(m, v, size))
		return 0;
	m->stats.heap_grows++;
	return size;
}

/* Under heap_base: the recorded run's first chunk, as a chunk index in
 * the arena its hint reserved (0 when the recorded chunk lies elsewhere,
 * as when the hint's space was taken). */
static uint64_t recorded_chunk(const struct hg_model *m)
{
	hg_addr arena = HG_ALIGN_DOWN(m->cfg.heap_base, m->cfg.arena_size);
	if (arena != m->cur_base)
		return 0;
	return (m->cfg.heap_base - arena) / m->cfg.chunk_size;
}

/*
 * Go: (*mheap).grow, runtime/mheap.go: add at least npage pages to the
 * heap, in whole palloc chunks, from curArena; when curArena is too small,
 * take new arenas from sysAlloc. A contiguous new region extends curArena;
 * otherwise the old remainder is mapped and handed to the page allocator
 * before curArena moves. Returns the bytes grown, or 0 when out of memory.
 */
static uint64_t mheap_grow(struct hg_model *m, uint64_t npage)
{
	uint64_t page = m->cfg.page_size, phys = m->cfg.phys_page_size;
	uint64_t chunk_pages = m->cfg.chunk_size / page;
	bool first_grow = m->cur_base == 0;
	uint64_t ask = HG_ALIGN_UP(npage, chunk_pages) * page;
	uint64_t total = 0;

	hg_addr end = m->cur_base + ask;
	hg_addr nbase = HG_ALIGN_UP(end, phys);
	if (nbase > m->cur_end || end < m->cur_base) {
		uint64_t asize = 0;
		hg_addr av = hg_mheap_sys_alloc(m, ask, &asize);
		if (av == 0) {
			hg_mheap_throw_oom(m, ask);
			return 0;
		}
		if (av == m->cur_end) {
			m->cur_end = av + asize;
		} else {
			uint64_t size = m->cur_end - m->cur_base;
			if (size != 0) {
				if (grow_into(m, m->cur_base, size))
					return 0;
				total += size;
			}
			m->cur_base = av;
			m->cur_end = av + asize;
			if (first_grow && m->randomize) {
				/* The skipped head of the arena stays Reserved
				 * forever. */
				unsigned bits = 0;
				for (uint64_t x = m->cfg.arena_size /
						  m->cfg.chunk_size;
				     x > 1; x >>= 1)
					bits++;
				uint64_t off =
					m->cfg.heap_base
						? recorded_chunk(m)
						: hg_heap_rand_bits(m, bits);
				hg_addr nb = HG_ALIGN_DOWN(
					m->cur_base | off * m->cfg.chunk_size,
					m->cfg.chunk_size);
				if (nb > m->cur_base) {
					/* Reserved, or Prepared and counted
					 * released if sysAlloc mapped it. */
					bool mapped = m->cfg.policy_prepare ==
						      HG_PREPARE_SYSALLOC;
					uint64_t len = nb - m->cur_base;
					if (hg_vas_set(&m->os.vas, m->cur_base,
						       nb,
						       mapped ? HG_MEM_PREPARED
							      : HG_MEM_RESERVED,
						       1)) {
						hg_os_enomem(&m->os);
						return 0;
					}
					if (mapped)
						*hg_heap_grown_stat(m) -= len;
					else
						m->c_reserved -= len;
					m->c_stranded += len;
				}
				m->cur_base = nb;
			}
		}
		nbase = HG_ALIGN_UP(m->cur_base + ask, phys);
		/*
		 * A randomized base can leave less than ask in the new
		 * arena; Go then maps (MAP_FIXED) past curArena's end. The
		 * model takes that space with a reservation at the exact
		 * address, and throws if something else holds it.
		 */
		if (nbase > m->cur_end) {
			uint64_t more = nbase - m->cur_end;
			hg_addr x = hg_sys_reserve(m, m->cur_end, more);
			if (x != m->cur_end) {
				if (x)
					hg_sys_unreserve(m, x, more);
				hg_mheap_throw(m, "runtime: out of memory: "
						  "cannot map the randomized "
						  "heap base");
				return 0;
			}
			if (hg_vas_set_heap(&m->os.vas, x, x + more)) {
				hg_os_enomem(&m->os);
				return 0;
			}
			m->cur_end = nbase;
		}
	}

	hg_addr v = m->cur_base;
	m->cur_base = nbase;
	if (grow_into(m, v, nbase - v))
		return 0;
	total += nbase - v;

	/* heap_padding: the padding a recorded run drew (its first span's
	 * distance from the first chunk), else Go's random one. */
	if (first_grow && (m->randomize || m->cfg.heap_padding)) {
		unsigned bits = 0;
		for (uint64_t x = m->cfg.chunk_size; x > 1; x >>= 1)
			bits++;
		uint64_t off = m->cfg.heap_padding;
		if (off >= m->cfg.chunk_size)
			off = m->cfg.chunk_size - page;
		if (!off && !m->cfg.heap_base)
			off = hg_heap_rand_bits(m, bits);
		uint64_t npad = HG_ALIGN_DOWN(off, page) / page;
		if (npad)
			hg_pagealloc_mark_padding(m->pages, v, npad);
		/* Padding pages stay released: allocated but scavenged. */
	}
	m->stats.heap_grows++;
	return total;
}

/* Account a span of npages at base whose scav bytes were released. */
static int span_taken(struct hg_model *m, hg_addr base, uint64_t npages,
		      uint64_t scav)
{
	uint64_t nbytes = npages * m->cfg.page_size;
	int err = HG_OK;
	if (scav != 0) {
		/* A failed commit throws; the span is already carved out. */
		err = hg_sys_used(m, base, nbytes, scav);
		m->hs.heap_released -= scav;
	}
	m->hs.heap_free -= nbytes - scav;
	m->hs.heap_inuse += nbytes;
	return err;
}

/*
 * The page cache of the P the events run on (Go: pp.pcache), made when the
 * P first allocates. NULL when the host is out of memory.
 */
struct hg_pagecache *hg_cur_pagecache(struct hg_model *m)
{
	if (m->curp >= m->npcaches) {
		unsigned n = m->curp + 1;
		struct hg_pagecache *pcs =
			realloc(m->pcaches, n * sizeof(*pcs));
		if (!pcs)
			return NULL;
		memset(pcs + m->npcaches, 0, (n - m->npcaches) * sizeof(*pcs));
		m->pcaches = pcs;
		m->npcaches = n;
	}
	return &m->pcaches[m->curp];
}

/*
 * allocSpan's slow way when no free run fits (Go: h.grow(npages), then
 * h.pages.alloc again): the base of the span from the grown heap, its
 * released bytes in *scav and the bytes grown in *growth; 0 when out of
 * memory (thrown). Out of line, so that the common allocation keeps few
 * registers.
 */
static __attribute__((noinline)) hg_addr alloc_grown(struct hg_model *m,
						     uint64_t npages,
						     uint64_t *scav,
						     uint64_t *growth)
{
	uint64_t g;
	if (m->linear.active)
		g = hg_linear_grow(m, npages);
	else if (m->cfg.policy_grow == HG_GROW_WHOLE_ARENA)
		g = mheap_grow_whole(m, npages);
	else
		g = mheap_grow(m, npages);
	if (g == 0)
		return 0;
	*growth = g;
	hg_addr base = hg_pagealloc_alloc(m->pages, npages, scav);
	if (base == 0)
		hg_mheap_throw(m,
			       "grew heap, but no adequate free space found");
	return base;
}

/*
 * Go: (*mheap).allocSpan, runtime/mheap.go: small spans from the P's page
 * cache, others from the page allocator, growing the heap when nothing
 * fits. Fills res (addr, npages, scav, grew).
 */
int hg_mheap_alloc_span(struct hg_model *m, uint64_t npages,
			struct hg_op_result *res)
{
	hg_addr base = 0;
	uint64_t scav = 0;
	uint64_t growth = 0;

	/* More pages than the address space holds: the heap cannot grow by
	 * that much (Go: mheap.grow's sysAlloc fails, "out of memory"). */
	if (__builtin_expect(npages > m->max_span_pages, 0)) {
		hg_mheap_throw_oom(m, npages > UINT64_MAX / m->cfg.page_size
					      ? UINT64_MAX
					      : npages * m->cfg.page_size);
		return HG_EOOM;
	}
	if (m->cfg.page_cache && npages < 64 / 4) {
		struct hg_pagecache *pc = hg_cur_pagecache(m);
		if (!pc)
			return HG_ENOMEM;
		if (pc->cache == 0)
			*pc = hg_pagealloc_alloc_to_cache(m->pages);
		base = hg_pagecache_alloc(pc, npages, m->cfg.page_size, &scav);
	}
	if (base == 0) {
		base = hg_pagealloc_alloc(m->pages, npages, &scav);
		if (__builtin_expect(base == 0, 0)) {
			base = alloc_grown(m, npages, &scav, &growth);
			if (base == 0)
				return HG_EOOM;
		}
	}
	res->addr = base;
	res->npages = npages;
	res->size = npages * m->cfg.page_size;
	res->scav = scav;
	res->grew = growth;
	int rc = span_taken(m, base, npages, scav);
	if (rc == HG_OK)
		hg_scavenge_on_grow(m, growth, scav);
	/* Go: allocMSpanLocked, after the pages (runtime_meta.c). */
	if (rc == HG_OK)
		rc = hg_rtmeta_span_alloc(m);
	return rc;
}

/* Go: (*mheap).freeSpanLocked: the pages become free, not released. */
void hg_mheap_free_span(struct hg_model *m, hg_addr base, uint64_t npages)
{
	uint64_t nbytes = npages * m->cfg.page_size;
	m->hs.heap_free += nbytes;
	m->hs.heap_inuse -= nbytes;
	hg_pagealloc_free(m->pages, base, npages);
	hg_rtmeta_span_free(m); /* Go: freeMSpanLocked */
}

/*
 * The scavenger's sysUnused, called by the page allocator for each run it
 * releases (Go: the tail of (*pageAlloc).scavengeOne).
 */
void hg_mheap_scavenged(void *ctx, hg_addr base, uint64_t bytes)
{
	struct hg_model *m = ctx;
	hg_sys_unused(m, base, bytes);
	m->hs.heap_released += bytes;
	m->hs.heap_free -= bytes;
}

/*
 * Release up to nbytes of free memory, highest addresses first (forced:
 * no density heuristic). UINT64_MAX is debug.FreeOSMemory: runtime.GC,
 * which flushes the idle Ps' page caches from go1.21 (mgcpacer.c), then
 * (*mheap).scavengeAll, which flushes none: the running P's cache stays.
 */
uint64_t hg_mheap_scavenge(struct hg_model *m, uint64_t nbytes)
{
	if (nbytes == UINT64_MAX)
		hg_gc_flush_idle_pcaches(m);
	return hg_pagealloc_scavenge(m->pages, nbytes);
}

/*
 * Go: (*mheap).allocManual(npages, typ): a span from the page heap, as
 * allocSpan takes it, whose bytes count in *in (inStacks, inWorkBufs)
 * instead of heapInUse. Returns as hg_mheap_alloc_span.
 */
int hg_mheap_alloc_manual(struct hg_model *m, uint64_t npages, uint64_t *in,
			  struct hg_op_result *res)
{
	int rc = hg_mheap_alloc_span(m, npages, res);
	if (!res->addr)
		return rc ? rc : HG_EOOM;
	uint64_t bytes = npages * m->cfg.page_size;
	m->hs.heap_inuse -= bytes;
	*in += bytes;
	return rc;
}

/* Go: (*mheap).freeManual(s, typ). */
void hg_mheap_free_manual(struct hg_model *m, hg_addr base, uint64_t npages,
			  uint64_t *in)
{
	uint64_t bytes = npages * m->cfg.page_size;
	*in -= bytes;
	m->hs.heap_inuse += bytes;
	hg_mheap_free_span(m, base, npages);
}
