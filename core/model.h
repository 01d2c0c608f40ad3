/*
 * model.h - the state of one modeled Go process, shared by the core's
 * modules (internal to hgcore).
 *
 *   mem.c    Go's mem.go: the state-transition wrappers and their accounting
 *   arena.c  mallocinit's hints, (*mheap).sysAlloc, sysReserveAligned,
 *            linearAlloc, persistentalloc and the arena metadata
 *   mheap.c  (*mheap).grow, allocSpan, freeSpan, the scavenger entry points
 *   model.c  operations, ids, statistics, classes and the invariant checker
 *   model_check.c  the linear checker: what each event touched
 *   apply.c  how each op is applied: one function per op kind, one table
 */
#ifndef HG_MODEL_H
#define HG_MODEL_H

#include "idmap.h"
#include "internal.h"
#include "os.h"
#include "pagealloc.h"

/* Go: arenaHint, runtime/malloc.go. */
struct hg_arena_hint {
	hg_addr addr;
	bool down;
};

/* Go: linearAlloc, runtime/malloc.go. */
struct hg_linear_alloc {
	hg_addr next;   /* next free byte */
	hg_addr mapped; /* one byte past the end of the mapped space */
	hg_addr end;    /* end of the reserved space */
	bool map_memory;
};

/* Go 1.4-1.10: the linear arena (mheap_.arena_start/used/alloc/end). */
struct hg_linear_arena {
	bool active;
	bool reserved; /* Go: arena_reserved (false: only probed) */
	hg_addr arena_start, arena_end;
	hg_addr arena_used;  /* high-water mark (and bump pointer in go1.8) */
	hg_addr arena_alloc; /* bump pointer (go1.9-1.10) */
	hg_addr spans_start; /* spans array, mapped upward */
	uint64_t spans_mapped, spans_size;
	hg_addr bitmap; /* heap bitmap, mapped downward from here */
	uint64_t bitmap_mapped, bitmap_size;
	uint64_t bitmap_scale; /* heap bytes per bitmap byte */
	uint64_t max_mem;      /* _MaxMem + 1 */
	uint64_t switches;     /* moves to a new block */
	uint64_t fallbacks;    /* small fallback mappings (32-bit) */
};

/* Go: the heap counters of gcController and memstats (bytes). */
struct hg_heapstats {
	uint64_t heap_inuse;    /* gcController.heapInUse */
	uint64_t heap_free;     /* gcController.heapFree */
	uint64_t heap_released; /* gcController.heapReleased */
	uint64_t mapped_ready;  /* gcController.mappedReady */
	uint64_t gc_misc_sys;   /* memstats.gcMiscSys: runtime metadata */
	uint64_t other_sys;     /* memstats.other_sys (persistentalloc) */
	uint64_t in_stacks;     /* consistent inStacks: stack spans */
	uint64_t in_workbufs;   /* consistent inWorkBufs: GC work buffers */
};

/* n consecutive heap arenas from base (an entry of hg_model.arenas). */
struct hg_arena_run {
	hg_addr base;
	uint64_t n;
};

struct hg_model {
	struct hg_config cfg;
	struct hg_os os;
	struct hg_pagealloc *pages;
	/* Go: p.pcache: each P's page cache, made when the P first
	 * allocates; curp is the P the events run on (proc events). */
	struct hg_pagecache *pcaches;
	unsigned npcaches;
	unsigned curp;

	/* Go: mheap_.curArena. */
	hg_addr cur_base, cur_end;
	/* Go: mheap_.arenaHints, a stack: hints[nhints-1] is the head. */
	struct hg_arena_hint *hints;
	size_t nhints, hints_cap;
	/* Go: mheap_.arena (the 32-bit pre-reservation, not mapped). */
	struct hg_linear_alloc arena;
	/* Go: mheap_.heapArenaAlloc (32-bit arena metadata, mapped). */
	struct hg_linear_alloc heap_arena_alloc;
	/* Go: mheap_.allArenas: the arenas in use, in order, kept as runs
	 * of consecutive arenas (a 100 TiB heap is one run, not 1.6 M
	 * entries); narenas counts the arenas. */
	struct hg_arena_run *arenas;
	size_t narenas, narena_runs, arenas_cap;
	/* Go: mheap_.arenas L1 map: which L2 index blocks exist (bit per L1).
	 */
	unsigned char *arena_l2;
	size_t arena_l1_entries;
	/* Go: persistentalloc's current chunk. */
	hg_addr persistent_base;
	uint64_t persistent_off;
	void *pagemeta; /* page-allocator metadata mappings (arena.c) */
	void *rtmeta;   /* sbrk platforms: other metadata (runtime_meta.c) */
	/* randomize_heap_base in effect: Go randomizes only 64-bit,
	 * non-sbrk heaps (randomizeHeapBase, runtime/malloc.go). */
	bool randomize;
	/* Random state for randomize_heap_base. */
	uint64_t rand_state;
	/* Bytes of the runtime's start-up span (startup_alloc), live for
	 * good. */
	uint64_t startup_span_bytes;

	struct hg_linear_arena linear;
	/* Pages of grown chunks that are not heap memory (linear arenas grow
	 * by pages, the page allocator by chunks): allocated and scavenged. */
	uint64_t phantom_pages;

	struct hg_heapstats hs;
	/* Class counters that the heap counters do not give. */
	uint64_t c_reserved, c_sys, c_foreign, c_stranded;

	/* Live ids, one namespace per kind of object. */
	struct hg_idmap spans, sysallocs, mmaps;
	/* The object layer (mspan.h), made at the first object-level event;
	 * live objects and stacks. */
	struct hg_objects *obj;
	struct hg_idmap objects, stacks, wbufs;
	/* The id of the op being applied, entered by hg_model_apply before
	 * the op's apply function runs (ids.c, one probe): the entry of the
	 * id an op makes, which the function fills with hg_model_id_put
	 * (NULL afterwards; an op that fails before it has no id), and the
	 * value of the id an op ends, already removed. */
	struct hg_identry *id_made;
	struct hg_idval id_ended;

	struct hg_stats stats;
	/* stats.final is older than the last event (hg_model_stats makes
	 * it again); the platform's sbrk test and whether its OS keeps the
	 * break's classes, cached. */
	bool stats_stale;
	bool sbrk, sbrk_counts;
	/* The spans' own events take the short way (hg_model_apply): no
	 * break, no object layer, the runtime alive, the host's memory
	 * sufficed, and general_path (hg_model_opts) not asked for. */
	bool span_fast, general_path;
	/* The most pages a span can have: the address space's (Go: mheap.grow's
	 * sysAlloc fails past it), from cfg.address_bits and page_size. */
	uint64_t max_span_pages;
	bool dead; /* the runtime threw; no more operations */
	char throw_msg[256];
};

/* Values stored in the id maps. */
enum { HG_ID_SPAN = 1, HG_ID_SYS, HG_ID_MMAP };

/* hg_model_id_put gives the id the current op makes its value. Returns
 * HG_OK. */
int hg_model_id_put(struct hg_model *m, const struct hg_idval *v);

/* ---- mem.c (Go: runtime/mem.go) ---- */
hg_addr hg_sys_alloc(struct hg_model *m, uint64_t n, uint64_t *stat);
void hg_sys_free(struct hg_model *m, hg_addr v, uint64_t n, uint64_t *stat);
hg_addr hg_sys_reserve(struct hg_model *m, hg_addr v, uint64_t n);
void hg_sys_unreserve(struct hg_model *m, hg_addr v, uint64_t n);
int hg_sys_map(struct hg_model *m, hg_addr v, uint64_t n, uint64_t *stat);
int hg_sys_used(struct hg_model *m, hg_addr v, uint64_t n, uint64_t prepared);
void hg_sys_unused(struct hg_model *m, hg_addr v, uint64_t n);
hg_addr hg_sys_reserve_aligned(struct hg_model *m, hg_addr v, uint64_t size,
			       uint64_t align, uint64_t *out_size);

/* ---- arena.c ---- */
int hg_mallocinit(struct hg_model *m);
/* runtime_start.c: the runtime's own allocations before a trace begins */
int hg_runtime_start(struct hg_model *m);
hg_addr hg_mheap_sys_alloc(struct hg_model *m, uint64_t n, uint64_t *size);
int hg_pagemeta_grow(struct hg_model *m, hg_addr base, hg_addr limit);
uint64_t hg_heap_rand_bits(struct hg_model *m, unsigned bits);
void hg_arena_release(struct hg_model *m);
/* runtime_meta.c: the runtime's other metadata on the sbrk platforms
 * (persistentalloc's chunks, allArenas, mspans and allspans, GC bitmap
 * arenas); each returns 0, HG_EOOM (modeled) or HG_ENOMEM (host). */
int hg_rtmeta_mallocinit(struct hg_model *m);
int hg_rtmeta_arena(struct hg_model *m, uint64_t narenas);
int hg_rtmeta_span_alloc(struct hg_model *m);
void hg_rtmeta_span_free(struct hg_model *m);
int hg_rtmeta_init_span(struct hg_model *m, uint64_t nelems);
int hg_rtmeta_sweep_span(struct hg_model *m, uint64_t nelems);
int hg_rtmeta_malloc(struct hg_model *m);
int hg_rtmeta_gc_start(struct hg_model *m);
int hg_rtmeta_cycle_start(struct hg_model *m);
int hg_rtmeta_trace_start(struct hg_model *m, uint64_t flags);
struct hg_span_list;
int hg_rtmeta_spanset_push(struct hg_model *m, const struct hg_span_list *l);
void hg_rtmeta_release(struct hg_model *m);

int hg_map_sys_ready(struct hg_model *m, hg_addr v, uint64_t n, uint64_t *stat);

/* ---- arena_linear.c ---- */
int hg_linear_init(struct hg_model *m);
uint64_t hg_linear_grow(struct hg_model *m, uint64_t npage);

/* ---- mheap.c ---- */
struct hg_pagecache *hg_cur_pagecache(struct hg_model *m);
int hg_heap_add_pages(struct hg_model *m, hg_addr v, uint64_t n);
bool hg_heap_grows_backed(const struct hg_model *m);
uint64_t *hg_heap_grown_stat(struct hg_model *m);
int hg_mheap_alloc_span(struct hg_model *m, uint64_t npages,
			struct hg_op_result *res);
void hg_mheap_free_span(struct hg_model *m, hg_addr base, uint64_t npages);
/* Manual spans (stacks, GC work buffers): pages of the heap counted in *in
 * (hs.in_stacks, hs.in_workbufs) instead of heap_inuse. */
int hg_mheap_alloc_manual(struct hg_model *m, uint64_t npages, uint64_t *in,
			  struct hg_op_result *res);
void hg_mheap_free_manual(struct hg_model *m, hg_addr base, uint64_t npages,
			  uint64_t *in);
/* mgcwork.c: the GC's work-buffer spans, as a trace gives them. */
int hg_wbuf_alloc(struct hg_model *m, const struct hg_op *op,
		  struct hg_op_result *res);
int hg_wbuf_free(struct hg_model *m, const struct hg_op *op,
		 struct hg_op_result *res, char *err, size_t errlen);
uint64_t hg_mheap_scavenge(struct hg_model *m, uint64_t nbytes);
void hg_mheap_scavenged(void *ctx, hg_addr base, uint64_t bytes);
void hg_mheap_throw_oom(struct hg_model *m, uint64_t ask);
void hg_mheap_throw(struct hg_model *m, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* ---- mgcpacer.c ---- */
void hg_scavenge_on_grow(struct hg_model *m, uint64_t growth, uint64_t scav);
void hg_gc_flush_idle_pcaches(struct hg_model *m);

/* ---- model.c ---- */
/* hg_model_figures computes the figures from the counters, O(1). */
void hg_model_figures(const struct hg_model *m, struct hg_figures *f);

/* ---- apply.c ---- */
/* hg_apply_spec applies op, whose row is k, by its kind's function (the
 * id rules passed). */
int hg_apply_spec(struct hg_model *m, const struct hg_op_spec *k,
		  const struct hg_op *op, struct hg_op_result *res, char *err,
		  size_t errlen);

#endif /* HG_MODEL_H */
