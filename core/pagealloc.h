/*
 * pagealloc.h - Go's page allocator (runtime/mpagealloc.go, mpallocbits.go,
 * mpagecache.go, the scavenging half of mgcscavenge.go).
 *
 * Address-ordered first fit over per-chunk bitmaps, with radix summaries
 * for logarithmic search. Every chunk carries an alloc bitmap (1 = in use)
 * and a scavenged bitmap (1 = released, i.e. Prepared). Internal to hgcore.
 */
#ifndef HG_PAGEALLOC_H
#define HG_PAGEALLOC_H

#include "addr_ranges.h"
#include "hg_core.h"

struct hg_pagealloc_params {
	uint64_t page_size;   /* runtime page (8 KiB) */
	uint64_t chunk_bytes; /* pallocChunkBytes (4 MiB; 512 KiB on wasm 1.26)
			       */
	uint64_t phys_page_size; /* scavenging granularity */
	unsigned addr_bits;      /* addresses are < 1 << addr_bits */
	/* Called for each run the scavenger releases (Go: sysUnused). */
	void (*sys_unused)(void *ctx, hg_addr base, uint64_t bytes);
	void *ctx;
	/* Go: physHugePageSize, 0 = none; 0 or a power of two. Ignored
	 * unless above page_size and phys_page_size, and at most chunk_bytes
	 * (Go: mallocinit zeroes a larger one). The scavenger then extends a
	 * candidate down to a huge page boundary (findScavengeCandidate). */
	uint64_t phys_huge_page_size;
	/* Go: the scavenge index's generations and densities (go1.21+):
	 * the background scavenger looks only below what was freed before
	 * the last GC (searchAddrBg, freeHWM, nextGen) and skips chunks that
	 * are or were this cycle nearly full (scavChunkData.shouldScavenge);
	 * false: one search address for every scavenge (go1.19, go1.20). */
	bool scav_gens;
	/* Called once when the host runs out of memory for the allocator's
	 * own structures (the state is then not to be trusted); optional. */
	void (*host_oom)(void *ctx);
};

/* Go: pageCache (one P). */
struct hg_pagecache {
	hg_addr base;   /* 64-page aligned; 0 = empty */
	uint64_t cache; /* 1 = free in the cache */
	uint64_t scav;  /* 1 = free and scavenged */
};

struct hg_pagealloc;

int hg_pagealloc_new(struct hg_pagealloc **out,
		     const struct hg_pagealloc_params *params);
void hg_pagealloc_free_all(struct hg_pagealloc *p);

/* Go: (*pageAlloc).grow. base and size are chunk-aligned by the caller or
 * rounded here; new pages are free and scavenged. Returns 0 or HG_ENOMEM. */
int hg_pagealloc_grow(struct hg_pagealloc *p, hg_addr base, uint64_t size);

/* Go: (*pageAlloc).alloc. Returns the base (0 on failure) and the bytes of
 * scavenged pages in the run in *scav (their bits are cleared). */
hg_addr hg_pagealloc_alloc(struct hg_pagealloc *p, uint64_t npages,
			   uint64_t *scav);

/* Go: (*pageAlloc).free. Never touches scavenged bits. */
void hg_pagealloc_free(struct hg_pagealloc *p, hg_addr base, uint64_t npages);

/*
 * Go: (*pageAlloc).scavenge with force=true. Releases free, unscavenged
 * pages, highest addresses first, in runs aligned to the physical page,
 * until at least nbytes are released (or nothing is left; nbytes =
 * UINT64_MAX means all). Calls params.sys_unused for each run. Returns the
 * bytes released.
 */
uint64_t hg_pagealloc_scavenge(struct hg_pagealloc *p, uint64_t nbytes);

/*
 * Go: (*pageAlloc).scavenge with force=false: the background scavenger's
 * and the heap growth's scavenging. With scav_gens, through the index's
 * background search address and only in chunks that should be scavenged
 * (a chunk found with nothing at or below that address is marked empty,
 * for the forced scavenges too, as Go's setEmpty); otherwise the same as
 * hg_pagealloc_scavenge.
 */
uint64_t hg_pagealloc_scavenge_bg(struct hg_pagealloc *p, uint64_t nbytes);

/*
 * The background scavenger's release as it happens (Go: the loop of
 * (*pageAlloc).scavenge with force=false, up to the sysUnused of its
 * next scavengeOne): the next run it finds, of at most max bytes (more to
 * keep a huge page whole), is held allocated (Go's allocRange: no
 * allocation takes it) until hg_pagealloc_scavenge_end releases it
 * (params.sys_unused) and frees it, scavenged, or
 * hg_pagealloc_scavenge_cancel frees it as it was (not released). Returns
 * its bytes (0: nothing left to find). One at a time; while it is held,
 * hg_pagealloc_count and hg_pagealloc_runs count it free, as Go's
 * heapFree does.
 */
uint64_t hg_pagealloc_scavenge_begin(struct hg_pagealloc *p, uint64_t max);
void hg_pagealloc_scavenge_end(struct hg_pagealloc *p);
void hg_pagealloc_scavenge_cancel(struct hg_pagealloc *p);

/* Go: (*scavengeIndex).nextGen, at each GC's mark termination. */
void hg_pagealloc_next_gen(struct hg_pagealloc *p);

/* Go: (*pageAlloc).allocToCache. c->base == 0 if the heap has no free page. */
struct hg_pagecache hg_pagealloc_alloc_to_cache(struct hg_pagealloc *p);

/* Go: (*pageCache).alloc. Returns 0 if the cache cannot serve npages. */
hg_addr hg_pagecache_alloc(struct hg_pagecache *c, uint64_t npages,
			   uint64_t page_size, uint64_t *scav);

/* Go: (*pageCache).flush. Returns the pages to p and empties c. */
void hg_pagecache_flush(struct hg_pagecache *c, struct hg_pagealloc *p);

/* Clears the scavenged bits of the free pages of a grown range: memory the
 * heap counts as backed (fresh heap memory before go1.13). */
void hg_pagealloc_unscavenge(struct hg_pagealloc *p, hg_addr base,
			     uint64_t npages);

/* Go: (*pageAlloc).markRandomPaddingPages: pages allocated and scavenged. */
void hg_pagealloc_mark_padding(struct hg_pagealloc *p, hg_addr base,
			       uint64_t npages);

/* One run of pages in the same (alloc, scav) state. */
typedef int (*hg_pagerun_fn)(void *arg, hg_addr base, hg_addr end, bool alloc,
			     bool scav);
/*
 * hg_pagealloc_runs calls fn for each maximal run of pages in grown memory
 * within [lo, hi) with the same alloc and scavenged bits, in address order.
 * Stops early if fn returns non-zero and returns that value.
 */
int hg_pagealloc_runs(const struct hg_pagealloc *p, hg_addr lo, hg_addr hi,
		      hg_pagerun_fn fn, void *arg);

/* Page counts over all grown memory, computed from the bitmaps. */
struct hg_pagealloc_counts {
	uint64_t grown;      /* pages in grown chunks */
	uint64_t alloc;      /* alloc bit set */
	uint64_t alloc_scav; /* alloc and scavenged (padding, cache-held) */
	uint64_t free_scav;  /* free and scavenged */
	uint64_t free_ready; /* free and not scavenged */
};
void hg_pagealloc_count(const struct hg_pagealloc *p,
			struct hg_pagealloc_counts *out);

/*
 * Bytes of page-allocator metadata (bitmaps, summaries) the modeled
 * runtime has mapped: two bitmaps (alloc and scavenged, chunk_pages/8
 * bytes each) per grown chunk, plus every summary block of
 * phys_page_size bytes (or the whole level if it is smaller) that a grown
 * range reaches, so this counts what Go's 64-bit sysGrow maps for the
 * summaries, except that the root level is not mapped whole. The
 * scavenge index is not counted. A figure of the model, computed from the
 * grown ranges: not the host memory the allocator uses (the compact form
 * of mpagealloc.h keeps that far smaller; hg_pagealloc_host_bytes).
 */
uint64_t hg_pagealloc_metadata_bytes(const struct hg_pagealloc *p);

/* Host memory the allocator's chunk and summary blocks take now (their
 * leaf blocks; not the tables above them). For tests. */
uint64_t hg_pagealloc_host_bytes(const struct hg_pagealloc *p);

/* True once the host ran out of memory inside the allocator. */
bool hg_pagealloc_host_oom(const struct hg_pagealloc *p);

/*
 * hg_pagealloc_check brings the summaries above the chunks up to date
 * (hg_pagealloc_sync, mpagealloc.h) and verifies the summaries against
 * the bitmaps, searchAddr (every page below it is allocated), the fit
 * tree and the inUse ranges. Returns 0 or HG_EINVAL with a message.
 */
int hg_pagealloc_check(struct hg_pagealloc *p, char *err, size_t errlen);

/* hg_pagealloc_check_range checks the chunks meeting [lo, hi) and the
 * summaries and fits above them only (pagealloc_check.c), after the same
 * sync. */
int hg_pagealloc_check_range(struct hg_pagealloc *p, hg_addr lo, hg_addr hi,
			     char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Introspection and test support (added to the original interface)    */
/* ------------------------------------------------------------------ */

/* Go: pageAlloc.searchAddr (every grown page below it is allocated; the
 * maximum address (1 << addr_bits) - 1 means the heap is exhausted). */
hg_addr hg_pagealloc_search_addr(const struct hg_pagealloc *p);

/* Go: pageAlloc.inUse, the grown ranges (chunk-aligned, coalesced). */
const struct hg_addr_ranges *hg_pagealloc_in_use(const struct hg_pagealloc *p);

/* A run of page indexes [i, i+n) inside one chunk (Go: BitRange). */
struct hg_pagerange {
	uint64_t i;
	uint64_t n;
};

/*
 * Go: NewPageAlloc (export_test.go), for one chunk: grows the chunk at
 * chunk_base, clears its scavenged bits, tells the scavenge index it is
 * free, sets the scav ranges, then allocates the alloc ranges (which
 * clears their scavenged bits) and recomputes the summaries. For tests.
 * Returns 0, HG_EINVAL or HG_ENOMEM.
 */
int hg_pagealloc_init_chunk(struct hg_pagealloc *p, hg_addr chunk_base,
			    const struct hg_pagerange *alloc, size_t nalloc,
			    const struct hg_pagerange *scav, size_t nscav);

/*
 * Go: (*pallocData).findScavengeCandidate (export_test.go's
 * FindScavengeCandidate) on the grown chunk at chunk_base: the start page
 * index of the candidate, its length in *npages (0 = none). min is a power
 * of two of at most 64 pages. For tests.
 */
uint64_t hg_pagealloc_find_scavenge_candidate(const struct hg_pagealloc *p,
					      hg_addr chunk_base,
					      uint64_t search_idx, uint64_t min,
					      uint64_t max, uint64_t *npages);

#endif /* HG_PAGEALLOC_H */
