/*
 * runtime_meta.c - the runtime's own off-heap metadata on the sbrk
 * platforms (js/wasm, wasip1/wasm, plan9), go1.14 and later.
 *
 * There every sysAlloc and sysReserve takes the next part of the one break
 * (Go: mem_sbrk.go, mem_js.go), so where the heap's later arenas go, and
 * when the linear memory grows, depends on each metadata allocation made
 * before them. Besides what arena.c models for every platform (the arena
 * index, heapArena, the page allocator's summaries and chunk bitmaps),
 * this models, in the order the runtime makes them:
 *
 *  - persistentalloc's chunks (Go: persistentalloc1, malloc.go): 256 KiB
 *    (persistentChunkSize) each; the first is the global one, taken in
 *    mallocinit by (*pageAlloc).init's first persistentalloc
 *    ((*addrRanges).init); the P's first chunk is taken once the program's
 *    packages initialise (runtime.main, after schedinit's first span: the
 *    os package's SetFinalizer on the standard files needs the specials
 *    fixalloc's first chunk); the model then takes every later
 *    persistentalloc from the chunk of the P the event runs on (m->curp),
 *    each P after the first taking its own chunk at its first one (Go:
 *    p.palloc; a GOMAXPROCS=2 run's OtherSys grows by a chunk, less the
 *    mspans carved from it, at the second P's first mspan refill);
 *  - the allArenas array (Go: (*mheap).sysAlloc): a persistentalloc of
 *    physPageSize bytes for the first arena, doubled when full;
 *  - the mspan structures (Go: mheap_.spanalloc, a fixalloc of
 *    _FixAllocChunk = 16 KiB chunks, refilled 64 at a time into the P's
 *    mspancache by (*mheap).allocMSpanLocked), and allspans, which
 *    recordspan grows to 64 KiB of pointers first, then by half
 *    (sysAlloc, the old array sysFree'd);
 *  - the GC bitmap arenas (Go: newMarkBits, mheap.go): 64 KiB
 *    (gcBitsChunkBytes) from sysAlloc or the arenas' free list; each span
 *    of objects gets allocation and mark bits when it is made (initSpan)
 *    and new mark bits whenever it is swept; a GC cycle starts a new epoch
 *    (nextMarkBitArenaEpoch, at finishsweep_m): the arenas of two epochs
 *    ago go to the free list. A cycle starts where mallocgc's trigger
 *    test finds heapLive at the trigger (after a span refill or a large
 *    object, Go: gcStart) or, for one the traces show only at its end
 *    (runtime.GC, or a trigger the model's pacer does not reproduce), at
 *    the gc event, before its sweep;
 *  - go1.26's span queue ring (Go: newSpanSPMC, mgcmark_greenteagc.go),
 *    64 KiB from sysAlloc at the first cycle's marking;
 *  - the execution tracer's memory when the trace says it was on (the
 *    tracestart event, go1.22+): StartTrace's 64 KiB blocks (below).
 *
 *  - the mcentrals' span sets (Go: mspanset.go, go1.15+): a set's spine
 *    (spanSetInitSpineCap = 256 pointers) at its first push, and a block
 *    of spanSetBlockEntries = 512 spans for every 512 pushes since the
 *    set was last reset, from spanSetBlockPool (the blocks freed before)
 *    or persistentalloc; the sets a cycle swept are reset at the next
 *    cycle's start (finishsweep_m), their blocks going back to the pool.
 *    The model frees no block at a pop: a block goes back when all 512
 *    of its spans were popped, which the sets of these traces never
 *    reach within a cycle.
 *
 *  - with mem_profile, the profiler's hash table (Go: stkbucket,
 *    mprof.go), sysAlloc'd at the first allocation (hg_rtmeta_malloc).
 *
 * Not modeled: the finalizer and profile specials and the other
 * persistentalloc users of the program's own workload, the execution
 * tracer's memory after its start (more buffers while the trace reader
 * lags, the tables of later generations), and mcaches beyond the first
 * P's (README.md, "How close to the real runtime").
 *
 * On the mmap platforms these allocations are mappings of their own that
 * do not move the heap: the model does not place them there. With a
 * memory limit (go1.19+) it still counts them, in the mapped memory
 * (Go's mappedReady, which the limit's heap goal and allocSpan's assist
 * read; a Go 1.19 run's MSpanSys, MCacheSys, OtherSys and GC bitmap
 * arenas, 1.26 MiB in limit-go119-p2-memlimit), and nowhere else. Config key
 * runtime_metadata (default true on the sbrk platforms from go1.14)
 * switches the model off; the heap then grows as if the break held the
 * heap and arena.c's metadata only (README.md, "Config keys").
 */
#include "mspan.h"

#include <stdlib.h>
#include <string.h>

#define PERSISTENT_CHUNK (256u << 10) /* Go: persistentChunkSize */
#define MAX_BLOCK (64u << 10)         /* Go: persistentalloc1's maxBlock */
#define FIXALLOC_CHUNK (16u << 10)    /* Go: _FixAllocChunk */
#define MSPAN_REFILL 64u              /* Go: len(p.mspancache.buf) / 2 */
#define GCBITS_CHUNK (64u << 10)      /* Go: gcBitsChunkBytes */
#define GCBITS_HEADER 16u             /* Go: gcBitsHeaderBytes (two words) */
#define SPAN_RING (64u << 10)         /* Go: newSpanSPMC's ring, go1.26 */
#define TRACE_BUF (64u << 10)         /* Go: tracev2.MaxBatchSize, a traceBuf */
#define TRACE_BLOCK (64u << 10)       /* Go: a traceRegionAllocBlock */

struct gcbits_arena {
	uint64_t free; /* bytes used */
	struct gcbits_arena *next;
};

struct hg_rtmeta {
	/* On the mmap platforms: counted in the mapped memory (Go's
	 * mappedReady, which the memory limit reads), not placed; fake_next
	 * numbers the allocations. */
	bool count_only;
	hg_addr fake_next;
	bool p_chunk;              /* the P's first chunk taken */
	uint64_t all_arenas_cap;   /* Go: cap(mheap_.allArenas) */
	uint64_t mspan_size;       /* Go: unsafe.Sizeof(mspan{}) */
	uint64_t mspan_free;       /* spanalloc's free list */
	uint64_t mspan_chunk_left; /* structs left in the fixalloc chunk */
	uint64_t allspans_len, allspans_cap;
	hg_addr allspans;
	/* Go: gcBitsArenas: next, current, previous, free. */
	struct gcbits_arena *next, *current, *previous, *free;
	bool span_ring;
	/* The span sets: pushes since the last reset (Go: index's tail),
	 * whether the spine exists; [spc][partial, full][0, 1]. */
	uint32_t set_tail[HG_SPAN_CLASSES][2][2];
	bool set_spine[HG_SPAN_CLASSES][2][2];
	uint64_t block_pool; /* Go: spanSetBlockPool's free blocks */
	bool started;        /* the cycle to come has started (cycle_start) */
	bool buckhash; /* the profiler's hash table mapped (mem_profile) */
	/* Go: p.palloc of the Ps after the first (curp 1 and up): each P's
	 * own persistentalloc chunk, taken at its first persistentalloc;
	 * off 0: none yet. The first P's is m->persistent_base. */
	uint64_t *p_off;
	/* Go: p.mspancache.len of each P. */
	uint64_t *p_mspans;
	unsigned np;
};

#define SPINE_CAP 256u     /* Go: spanSetInitSpineCap */
#define BLOCK_ENTRIES 512u /* Go: spanSetBlockEntries */

static struct hg_rtmeta *rtmeta(const struct hg_model *m)
{
	return (struct hg_rtmeta *)m->rtmeta;
}

static uint64_t ptr_size(const struct hg_model *m)
{
	return hg_platform_is_64bit(m->cfg.platform) ||
			       hg_platform_is_wasm(m->cfg.platform)
		       ? 8
		       : 4;
}

/*
 * Go: unsafe.Sizeof(mspan{}) with 64-bit pointers: 144 bytes in go1.19
 * (MSpanSys 16272 = 113 of them per 16 KiB chunk), 160 in go1.26 (16320
 * = 102). Releases between take go1.19's size, later ones go1.26's.
 */
static uint64_t mspan_size(const struct hg_model *m)
{
	unsigned n = hg_config_go_minor(&m->cfg);
	uint64_t s = n >= 26 ? 160 : 144;
	return ptr_size(m) == 8 ? s : s / 2 + 8;
}

static void gcbits_free_list(struct gcbits_arena *a)
{
	while (a) {
		struct gcbits_arena *n = a->next;
		free(a);
		a = n;
	}
}

void hg_rtmeta_release(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r)
		return;
	gcbits_free_list(r->next);
	gcbits_free_list(r->current);
	gcbits_free_list(r->previous);
	gcbits_free_list(r->free);
	free(r->p_off);
	free(r->p_mspans);
	free(r);
	m->rtmeta = NULL;
}

/* hg_sys_alloc for metadata the runtime never frees (the simulated OS
 * keeps touching ones as one mapping); 0 after the modeled throw. */
static hg_addr sys_alloc_persistent(struct hg_model *m, uint64_t size,
				    uint64_t *stat)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (r && r->count_only) {
		hg_addr v = r->fake_next;
		if (stat)
			*stat += size;
		m->hs.mapped_ready += size;
		r->fake_next += HG_ALIGN_UP(size, PERSISTENT_CHUNK);
		return v;
	}
	m->os.persistent = true;
	hg_addr v = hg_sys_alloc(m, size, stat);
	m->os.persistent = false;
	if (!v)
		hg_mheap_throw(m, "runtime: cannot allocate memory");
	return v;
}

/* Go: persistentalloc's chunk: sysAlloc(persistentChunkSize, other_sys). */
static int new_chunk(struct hg_model *m)
{
	hg_addr v = sys_alloc_persistent(m, PERSISTENT_CHUNK, &m->hs.other_sys);
	if (!v)
		return HG_EOOM;
	m->persistent_base = v;
	m->persistent_off = ptr_size(m); /* the chunk list's link */
	return HG_OK;
}

/* The per-P arrays up to P p (0 on success). */
static int ensure_p(struct hg_model *m, unsigned p)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (p < r->np)
		return HG_OK;
	size_t n = (size_t)p + 1, old = r->np;
	uint64_t *a = realloc(r->p_off, n * sizeof(*a));
	if (!a)
		return hg_os_enomem(&m->os);
	r->p_off = a;
	uint64_t *b = realloc(r->p_mspans, n * sizeof(*b));
	if (!b)
		return hg_os_enomem(&m->os);
	r->p_mspans = b;
	memset(a + old, 0, (n - old) * sizeof(*a));
	memset(b + old, 0, (n - old) * sizeof(*b));
	r->np = p + 1;
	return HG_OK;
}

/* Go: persistentalloc1 on a P after the first (mp.p.ptr().palloc): from
 * that P's own chunk, a new one when it has none or is full. */
static int palloc_p(struct hg_model *m, uint64_t size, uint64_t align,
		    uint64_t *stat)
{
	struct hg_rtmeta *r = rtmeta(m);
	unsigned p = m->curp;
	if (ensure_p(m, p))
		return HG_ENOMEM;
	uint64_t off = HG_ALIGN_UP(r->p_off[p], align);
	if (r->p_off[p] == 0 || off + size > PERSISTENT_CHUNK) {
		if (!sys_alloc_persistent(m, PERSISTENT_CHUNK,
					  &m->hs.other_sys))
			return HG_EOOM;
		off = HG_ALIGN_UP(ptr_size(m), align); /* the chunk's link */
	}
	r->p_off[p] = off + size;
	if (stat && stat != &m->hs.other_sys) {
		*stat += size;
		m->hs.other_sys -= size;
	}
	return HG_OK;
}

/*
 * Go: persistentalloc1: size bytes, from sysAlloc at maxBlock and above,
 * else from the current chunk (a new one when it is full); the bytes move
 * from other_sys to *stat.
 */
static int palloc(struct hg_model *m, uint64_t size, uint64_t align,
		  uint64_t *stat)
{
	if (align == 0)
		align = 8; /* Go: persistentalloc1's default */
	if (size >= MAX_BLOCK) {
		hg_addr v = sys_alloc_persistent(m, size, stat);
		if (!v)
			return HG_EOOM;
		return HG_OK;
	}
	struct hg_rtmeta *r = rtmeta(m);
	if (r && r->p_chunk && m->curp > 0)
		return palloc_p(m, size, align, stat);
	m->persistent_off = HG_ALIGN_UP(m->persistent_off, align);
	if (m->persistent_base == 0 ||
	    m->persistent_off + size > PERSISTENT_CHUNK) {
		int err = new_chunk(m);
		if (err)
			return err;
		m->persistent_off = HG_ALIGN_UP(m->persistent_off, align);
	}
	m->persistent_off += size;
	if (stat && stat != &m->hs.other_sys) {
		*stat += size;
		m->hs.other_sys -= size;
	}
	return HG_OK;
}

/* Go: mallocinit's metadata: the state made before the first arena. */
int hg_rtmeta_mallocinit(struct hg_model *m)
{
	/* On the mmap platforms the mappings do not move the heap, but Go's
	 * mappedReady counts them, and from go1.19 the memory limit reads
	 * it (its heap goal and allocSpan's assist): with a limit they are
	 * counted there (count_only), and nowhere else. */
	bool count_only = !m->sbrk && hg_config_go_minor(&m->cfg) >= 19 &&
			  m->cfg.memory_limit < INT64_MAX;
	if ((!count_only && (!m->cfg.runtime_metadata || !m->sbrk)) ||
	    m->cfg.policy_arena != HG_ARENA_SPARSE ||
	    hg_config_go_minor(&m->cfg) < 14)
		return HG_OK;
	struct hg_rtmeta *r = calloc(1, sizeof(*r));
	if (!r)
		return hg_os_enomem(&m->os);
	m->rtmeta = r;
	r->count_only = count_only;
	r->fake_next = PERSISTENT_CHUNK; /* never 0: 0 is a failed alloc */
	r->mspan_size = mspan_size(m);
	/* Go: (*pageAlloc).init -> (*addrRanges).init: 16 addrRanges. */
	return palloc(m, 16 * 2 * ptr_size(m), ptr_size(m), &m->hs.gc_misc_sys);
}

/* Go: the allArenas append of (*mheap).sysAlloc, for one more arena. */
int hg_rtmeta_arena(struct hg_model *m, uint64_t narenas)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r || narenas <= r->all_arenas_cap)
		return HG_OK;
	uint64_t size = 2 * r->all_arenas_cap * ptr_size(m);
	if (size == 0)
		size = m->cfg.phys_page_size;
	r->all_arenas_cap = size / ptr_size(m);
	return palloc(m, size, ptr_size(m), &m->hs.gc_misc_sys);
}

/* Go: recordspan, mheap.go: one more mspan structure in allspans. */
static int recordspan(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	uint64_t ptr = ptr_size(m);
	if (r->allspans_len >= r->allspans_cap) {
		uint64_t n = (64u << 10) / ptr;
		if (n < r->allspans_cap * 3 / 2)
			n = r->allspans_cap * 3 / 2;
		hg_addr v = sys_alloc_persistent(m, n * ptr, &m->hs.other_sys);
		if (!v)
			return HG_EOOM;
		if (r->allspans && r->count_only) {
			m->hs.other_sys -= r->allspans_cap * ptr;
			m->hs.mapped_ready -= r->allspans_cap * ptr;
		} else if (r->allspans) {
			hg_sys_free(m, r->allspans, r->allspans_cap * ptr,
				    &m->hs.other_sys);
		}
		r->allspans = v;
		r->allspans_cap = n;
	}
	r->allspans_len++;
	return HG_OK;
}

/*
 * Go: (*mheap).allocMSpanLocked: an mspan from the P's mspancache (each
 * P its own, m->curp), which a refill of 64 from spanalloc fills when
 * empty (freed ones first, then new ones carved from its chunks, each
 * recorded in allspans); freeMSpanLocked puts one back in the P's cache
 * while it holds fewer than 128, else on spanalloc's free list.
 */
int hg_rtmeta_span_alloc(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r)
		return HG_OK;
	if (ensure_p(m, m->curp))
		return HG_ENOMEM;
	uint64_t *cache = &r->p_mspans[m->curp];
	if (*cache == 0) {
		for (unsigned i = 0; i < MSPAN_REFILL; i++) {
			if (r->mspan_free > 0) { /* Go: fixalloc's list */
				r->mspan_free--;
				continue;
			}
			if (r->mspan_chunk_left == 0) {
				uint64_t per = FIXALLOC_CHUNK / r->mspan_size;
				int err = palloc(m, per * r->mspan_size, 0,
						 &m->hs.other_sys);
				if (err)
					return err;
				r->mspan_chunk_left = per;
			}
			r->mspan_chunk_left--;
			int err = recordspan(m);
			if (err)
				return err;
		}
		*cache = MSPAN_REFILL;
	}
	(*cache)--;
	return HG_OK;
}

/* Go: (*mheap).freeMSpanLocked: back to the mspancache or spanalloc. */
void hg_rtmeta_span_free(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r)
		return;
	if (m->curp < r->np && r->p_mspans[m->curp] < 2 * MSPAN_REFILL)
		r->p_mspans[m->curp]++; /* Go: len(p.mspancache.buf) = 128 */
	else
		r->mspan_free++;
}

/* Go: newArenaMayUnlock: an arena from the free list, or sysAlloc. */
static struct gcbits_arena *gcbits_new_arena(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	struct gcbits_arena *a = r->free;
	if (a) {
		r->free = a->next;
		a->free = 0;
		a->next = NULL;
		return a;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		hg_os_enomem(&m->os);
		return NULL;
	}
	hg_addr v = sys_alloc_persistent(m, GCBITS_CHUNK, &m->hs.gc_misc_sys);
	if (!v) {
		free(a);
		return NULL;
	}
	return a;
}

/* Go: newMarkBits (and newAllocBits): bits for nelems objects. */
static int new_mark_bits(struct hg_model *m, uint64_t nelems)
{
	struct hg_rtmeta *r = rtmeta(m);
	uint64_t bytes = (nelems + 63) / 64 * 8;
	uint64_t room = GCBITS_CHUNK - GCBITS_HEADER;
	if (r->next && r->next->free + bytes <= room) {
		r->next->free += bytes;
		return HG_OK;
	}
	struct gcbits_arena *fresh = gcbits_new_arena(m);
	if (!fresh)
		return m->dead ? HG_EOOM : HG_ENOMEM;
	fresh->free = bytes;
	fresh->next = r->next;
	r->next = fresh;
	return HG_OK;
}

/* Go: (*mheap).initSpan: the allocation and mark bits of a new span of
 * objects; then, after the first one, the P's first persistentalloc
 * chunk (runtime.main's package initialisation, above). */
int hg_rtmeta_init_span(struct hg_model *m, uint64_t nelems)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r)
		return HG_OK;
	int err = new_mark_bits(m, nelems);
	if (!err)
		err = new_mark_bits(m, nelems);
	if (!err && !r->p_chunk) {
		r->p_chunk = true;
		err = new_chunk(m);
		/* Go: mheap_.specialfinalizeralloc's first fixalloc chunk:
		 * 16 KiB of specialfinalizer, 48 bytes in go1.19 (16368 =
		 * 341 of them), 56 in go1.26 (16352 = 292). */
		uint64_t fin = hg_config_go_minor(&m->cfg) >= 26 ? 56 : 48;
		if (!err)
			err = palloc(m, FIXALLOC_CHUNK / fin * fin, 0,
				     &m->hs.other_sys);
	}
	return err;
}

/* Go: (*sweepLocked).sweep: the swept span's new mark bits. */
int hg_rtmeta_sweep_span(struct hg_model *m, uint64_t nelems)
{
	return rtmeta(m) ? new_mark_bits(m, nelems) : HG_OK;
}

/*
 * Go: unsafe.Sizeof(spanSetBlock{}) and its alignment: the lfnode and
 * popped header, padded to tagAlign (512) from go1.25
 * (spanSetBlockHeader2, aligned to max(cpu.CacheLineSize, tagAlign)),
 * then 512 span pointers; cache-line (64) aligned before.
 */
static void block_size(const struct hg_model *m, uint64_t *size,
		       uint64_t *align)
{
	uint64_t ptr = ptr_size(m);
	if (hg_config_go_minor(&m->cfg) >= 25) {
		*size = 512 + BLOCK_ENTRIES * ptr;
		*align = 512;
	} else {
		*size = HG_ALIGN_UP(8 + ptr + 4, 8) + BLOCK_ENTRIES * ptr;
		*align = 64;
	}
}

/* Go: (*spanSet).push onto the set l of the mcentrals. */
int hg_rtmeta_spanset_push(struct hg_model *m, const struct hg_span_list *l)
{
	struct hg_rtmeta *r = rtmeta(m);
	struct hg_objects *o = m->obj;
	if (!r || !o || !o->span_sets)
		return HG_OK;
	size_t off = (size_t)((const char *)l - (const char *)o->central);
	size_t spc = off / sizeof(struct hg_mcentral);
	const struct hg_mcentral *c = &o->central[spc];
	int full = l == &c->full[0] || l == &c->full[1];
	int i = l == &c->partial[1] || l == &c->full[1];
	if (!r->set_spine[spc][full][i]) {
		r->set_spine[spc][full][i] = true;
		int err = palloc(m, SPINE_CAP * ptr_size(m), 64,
				 &m->hs.gc_misc_sys);
		if (err)
			return err;
	}
	if (r->set_tail[spc][full][i]++ % BLOCK_ENTRIES != 0)
		return HG_OK;
	if (r->block_pool > 0) { /* Go: spanSetBlockPool.alloc */
		r->block_pool--;
		return HG_OK;
	}
	uint64_t size, align;
	block_size(m, &size, &align);
	return palloc(m, size, align, &m->hs.gc_misc_sys);
}

/*
 * Go: mallocgc's profilealloc (malloc.go): with memory profiling on
 * (MemProfileRate 512 KiB, config key mem_profile), an mcache's first
 * allocation is sampled, its rate not yet the program's; mProf_Malloc's
 * stkbucket maps the hash table at the first sample: buckHashSize
 * (179999) pointers from sysAlloc (BuckHashSys). The samples' buckets
 * (persistentalloc, by stack) are not modeled.
 */
#define BUCK_HASH_SIZE 179999u /* Go: buckHashSize, mprof.go */

int hg_rtmeta_malloc(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r || r->buckhash || !m->cfg.mem_profile)
		return HG_OK;
	r->buckhash = true;
	if (!sys_alloc_persistent(m, BUCK_HASH_SIZE * ptr_size(m), NULL))
		return HG_EOOM;
	return HG_OK;
}

/*
 * Go: nextMarkBitArenaEpoch and the span sets' reset, at a cycle's start
 * (finishsweep_m); and go1.26's first span queue ring, allocated while
 * that cycle marks.
 */
static int cycle_start(struct hg_model *m);

/* A cycle ends at the gc event: it started then if not before. */
int hg_rtmeta_gc_start(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r)
		return HG_OK;
	if (r->started) {
		r->started = false;
		return HG_OK;
	}
	return cycle_start(m);
}

/* Go: gcStart by mallocgc's trigger test, with the trace's cycles. */
int hg_rtmeta_cycle_start(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r || r->started)
		return HG_OK;
	r->started = true;
	return cycle_start(m);
}

static int cycle_start(struct hg_model *m)
{
	struct hg_rtmeta *r = rtmeta(m);
	struct hg_objects *o = m->obj;
	if (o && o->span_sets) {
		/* Go: partialUnswept(sg) and fullUnswept(sg): reset. */
		unsigned un = 1 - (o->sweepgen / 2) % 2;
		for (size_t spc = 0; spc < HG_SPAN_CLASSES; spc++)
			for (int full = 0; full < 2; full++) {
				uint32_t *t = &r->set_tail[spc][full][un];
				r->block_pool += (*t + BLOCK_ENTRIES - 1) /
						 BLOCK_ENTRIES;
				*t = 0;
			}
	}
	if (r->previous) {
		struct gcbits_arena *last = r->previous;
		while (last->next)
			last = last->next;
		last->next = r->free;
		r->free = r->previous;
	}
	r->previous = r->current;
	r->current = r->next;
	r->next = NULL;
	if (!r->span_ring && hg_config_go_minor(&m->cfg) >= 26) {
		r->span_ring = true;
		if (!sys_alloc_persistent(m, SPAN_RING, &m->hs.gc_misc_sys))
			return HG_EOOM;
	}
	return HG_OK;
}

/*
 * Go: StartTrace, trace.go, go1.22+ (the generation tracer): the tracer's
 * own memory, each piece a sysAlloc of 64 KiB (other_sys) taken as it is
 * first written to, in this order:
 *  - traceRegisterLabelsAndReasons puts the GC worker labels and the
 *    block and stop reasons into the string table: the table's first
 *    traceRegionAlloc block (its traceMap nodes) and the string batch's
 *    traceBuf (traceStringTable.writeString);
 *  - traceSyncBatch's traceBuf (flushed at once to the full queue);
 *  - the starting M's traceBuf (tl.Gomaxprocs: ProcStatus, GoStatus,
 *    ProcsChange) and, for ProcsChange's stack, the stack table's first
 *    block;
 *  - with GODEBUG=traceallocfree=1 (flags & HG_TRACE_ALLOCFREE):
 *    traceSnapshotMemory's AllocFree info batch (its own traceBuf,
 *    flushed at once), and the type table's first block at the first
 *    object allocated with a type, right after the world starts again.
 * None comes from a freed buffer: the trace reader goroutine, which gives
 * read buffers back (readTrace0 to trace.empty), runs only once
 * StartTrace has returned. Later buffers are modeled as coming from
 * those it gave back; the tables' later blocks and the generations after
 * the first are not modeled. On the mmap platforms the blocks are
 * mappings of their own and change nothing here (rtmeta is off there).
 */
int hg_rtmeta_trace_start(struct hg_model *m, uint64_t flags)
{
	struct hg_rtmeta *r = rtmeta(m);
	if (!r || hg_config_go_minor(&m->cfg) < 22)
		return HG_OK;
	static const uint64_t base[] = {
		TRACE_BLOCK, /* the string table's map */
		TRACE_BUF,   /* the string batch */
		TRACE_BUF,   /* the sync batch */
		TRACE_BUF,   /* the M's batch */
		TRACE_BLOCK, /* the stack table's map */
	};
	static const uint64_t allocfree[] = {
		TRACE_BUF,   /* the AllocFree info batch */
		TRACE_BLOCK, /* the type table's map */
	};
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		if (!sys_alloc_persistent(m, base[i], &m->hs.other_sys))
			return HG_EOOM;
	if (!(flags & HG_TRACE_ALLOCFREE))
		return HG_OK;
	for (size_t i = 0; i < sizeof(allocfree) / sizeof(allocfree[0]); i++)
		if (!sys_alloc_persistent(m, allocfree[i], &m->hs.other_sys))
			return HG_EOOM;
	return HG_OK;
}
