/*
 * mspan.h - the object layer of the modeled runtime (internal to hgcore):
 * size classes, object and stack spans (Go: mspan), the per-P mcache, the
 * mcentrals, sweeping and the stack pool.
 *
 *   sizeclasses.c  the size-class table of each release (sizeclasses.go)
 *   malloc.c       mallocgc: tiny, small and large objects; object frees
 *   mcache.c       the per-P caches: refill, releaseAll, nextFree
 *   mcentral.c     cacheSpan, uncacheSpan, grow; the span lists and sets
 *   mgcsweep.c     a GC cycle: mark termination and sweeping
 *   stack.c        stackalloc, stackfree, the stack pool, allocManual
 */
#ifndef HG_MSPAN_H
#define HG_MSPAN_H

#include "model.h"

#define HG_MAX_SMALL_SIZE 32768    /* Go: _MaxSmallSize */
#define HG_TINY_SIZE 16            /* Go: maxTinySize */
#define HG_TINY_SIZE_CLASS 2       /* Go: tinySizeClass */
#define HG_MALLOC_HEADER 8         /* Go: mallocHeaderSize (go1.22+) */
#define HG_MIN_SIZE_FOR_HEADER 512 /* Go: minSizeForMallocHeader (64-bit) */
#define HG_SPAN_CLASSES (HG_SIZE_CLASSES_MAX * 2)
#define HG_STACK_CACHE_SIZE 32768 /* Go: _StackCacheSize */
#define HG_STACK_ORDERS_MAX 4     /* Go: _NumStackOrders, at most */
#define HG_STACK_CACHE_MAX 32     /* entries one per-P cache order holds */

/* One release's size classes (Go: class_to_size, class_to_allocnpages). */
struct hg_sizeclasses {
	const char *name; /* the first release that has this table */
	unsigned nclasses;
	const uint16_t *size;
	const uint8_t *npages;
};

const struct hg_sizeclasses *hg_sizeclasses_for(unsigned go_minor);

/* Go: size_to_class8 and size_to_class128. */
struct hg_sizeclass_lookup {
	const struct hg_sizeclasses *t;
	uint8_t to_class8[1024 / 8 + 1];
	uint8_t to_class128[(HG_MAX_SMALL_SIZE - 1024) / 128 + 1];
};

void hg_sizeclass_lookup_init(struct hg_sizeclass_lookup *l,
			      const struct hg_sizeclasses *t);
unsigned hg_size_to_class(const struct hg_sizeclass_lookup *l, uint64_t size);

/* Which list a span is on. */
enum hg_span_where {
	HG_SW_NONE,
	HG_SW_PARTIAL,   /* go1.15+ partial set / older nonempty list */
	HG_SW_FULL,      /* go1.15+ full set / older empty list */
	HG_SW_CACHED,    /* in a P's mcache */
	HG_SW_STACKPOOL, /* a stack span with free stacks */
	HG_SW_STACK,     /* a stack span without free stacks, or large */
};

/* Go: mspan, for the spans of the object layer (heap and manual). */
struct hg_mspan {
	hg_addr base;
	uint64_t npages;
	uint64_t elemsize;
	struct hg_mspan *prev, *next;       /* the list it is on */
	struct hg_mspan *allprev, *allnext; /* every span (Go: allspans) */
	/* Heap spans: allocBits then gcmarkBits (1 = a live object), each
	 * nwords long; sweeping copies the second into the first. */
	uint64_t *bits;
	uint8_t *tinyref;    /* tiny blocks: live objects packed in each */
	uint16_t *stackfree; /* stack spans: free slots, top at the end */
	uint32_t nelems;
	uint32_t alloc_count; /* Go: allocCount (live or not yet swept) */
	uint32_t live_count;  /* objects not yet dead */
	uint32_t freeindex;   /* Go: freeindex */
	uint32_t nfree_stacks;
	uint16_t spc; /* Go: spanClass: sizeclass << 1 | noscan */
	uint8_t where;
	bool manual; /* Go: mSpanManual (stacks) */
	/* Swept at the last gc while partly allocated, and no swept del of
	 * it since: when Go's sweeper reached it is unknown, taken as after
	 * the full spans of its class (mgcsweep.c). */
	bool silent;
	/* An object was allocated in it since its last sweep: Go's
	 * pageMarks bit for it is set (mgcsweep.c). */
	bool marked;
	/* go1.26: swept at the last gc with no such allocation, in a noscan
	 * class with inline mark bits: the page reclaimer's (mgcsweep.c). */
	bool reclaim;
	int32_t cached_by; /* the P whose mcache holds it, or -1 */
	uint32_t gen;      /* the sweep set it was pushed to (Go: sweepgen) */
};

struct hg_span_list {
	struct hg_mspan *first, *last;
	uint64_t n;
};

/*
 * Go: mcentral. From go1.15 partial[i] and full[i] are the spanSets of
 * sweepgen parity i (swept and unswept swap at each GC); before, only
 * index 0 is used, as the nonempty and empty lists.
 */
struct hg_mcentral {
	struct hg_span_list partial[2], full[2];
	/* The first silent span on the swept partial set (mgcsweep.c). */
	struct hg_mspan *first_silent;
};

struct hg_stackcache {
	struct {
		hg_addr v;
		struct hg_mspan *s; /* the stack span v is in */
	} list[HG_STACK_CACHE_MAX]; /* the head is the last one */
	unsigned n;
	uint64_t size;
};

/* Go: mcache. */
struct hg_mcache {
	struct hg_mspan *alloc[HG_SPAN_CLASSES];
	hg_addr tiny; /* the current tiny block, 0 = none */
	uint64_t tinyoffset;
	struct hg_mspan *tiny_span;
	struct hg_stackcache stackcache[HG_STACK_ORDERS_MAX];
};

/* Go: p: what the object layer keeps per P (its page cache is
 * hg_model's pcaches). */
struct hg_p {
	struct hg_mcache mcache;
	/* A proc event chose this P since the last GC: it ran goroutines
	 * then, and the model does not take it as idle at the GC. */
	bool busy;
	uint64_t last_used; /* the proc event that last chose it (a count) */
	/* The span of the last swept del this P made, not yet known to be
	 * cacheSpan's or another sweeper's (mgcsweep.c). */
	struct hg_mspan *swept_span;
};

/* The object layer's state (one per model, made at the first object-level
 * event). */
struct hg_objects {
	struct hg_sizeclass_lookup sc;
	unsigned go_minor;
	bool span_sets;     /* go1.15+: partial/full span sets */
	bool span_classes;  /* go1.9+: scan and noscan spans apart */
	bool malloc_header; /* go1.22+: an 8-byte header above 512 bytes */
	bool ptr32;         /* 4-byte pointers */
	bool inline_marks;  /* go1.26+: Green Tea's inline mark bits */
	uint32_t sweepgen;  /* Go: mheap_.sweepgen */
	struct hg_mcentral central[HG_SPAN_CLASSES];
	struct hg_mspan *all; /* every span, newest first */
	struct hg_p **ps;
	unsigned nps, ps_cap;
	unsigned curp; /* the P events run on */
	/* The stack pool (Go: stackpool) and its constants. */
	struct hg_span_list stackpool[HG_STACK_ORDERS_MAX];
	unsigned stack_orders;
	uint64_t fixed_stack;
	/* Figures (Go: the heap-stats deltas), kept per event. */
	uint64_t heap_alloc, heap_objects;
	uint64_t partial_bytes;   /* bytes of spans partly allocated */
	uint64_t free_slot_bytes; /* unallocated slots of small spans */
	uint64_t obj_span_bytes;  /* heap spans of the object layer */
	uint64_t num_gc;
	/* Go: gcController.heapMarked: the live heap of the last cycle
	 * (mgcpacer.c). */
	uint64_t heap_marked;
	/* Go: gcController.lastHeapGoal and memstats.lastHeapInUse, and the
	 * background scavenger's goals (scavenge.gcPercentGoal and
	 * memoryLimitGoal; UINT64_MAX = none), set at each gc. */
	uint64_t last_heap_goal, last_heap_inuse;
	/* scav_gc_percent_goal: UINT64_MAX none, else armed (mgcpacer.c
	 * gc_percent_goal_now works it out) */
	uint64_t scav_gc_percent_goal, scav_memory_limit_goal;
	/* Go's scavenge goals still their zero value, before the first
	 * gcPaceScavenger (go1.18+, mgcpacer.c) */
	bool scav_goals_zero;
	uint64_t scav_retained_at_gc;
	bool scav_ready_due; /* the gc's sweep is not known done yet */
	bool wbuf_freed;     /* the trace freed a work buffer (mgcsweep.c) */
	/* spans the page reclaimer sweeps first (mgcsweep.c) */
	bool reclaim_due;
	uint64_t now;       /* the trace clock, ns */
	uint64_t nproc_ops; /* proc events so far */
	/* Go: gcController.heapLive: the marked heap at the last cycle, plus
	 * the whole free part of every span an mcache took since and every
	 * large object (mgcpacer.c). */
	uint64_t heap_live;
	/* Go: mallocgc's shouldhelpgc: the allocation refilled an mcache
	 * span or was large, so the trigger is tested after it. */
	bool refilled;
	/* gc = paced: cycles at the pacer's trigger; gc_auto: the key was
	 * left unset, and the trace's first gc event ends the pacing. */
	bool paced, gc_auto;
	/* The background scavenger paced by the trace's clock (mgcpacer.c,
	 * Go: scavengerState): parked, woken by the sweep's end (ready, to
	 * run from scav_wake_at) or sleeping from scav_sleep_start to
	 * scav_sleep_until after scav_worked ns of work; its sleep ratio
	 * and the PI controller's integral. has_time: a time event seen. */
	bool has_time;
	enum { HG_SCAV_PARKED, HG_SCAV_READY, HG_SCAV_SLEEPING } scav_state;
	bool scav_was_sleeping;
	uint64_t scav_wake_at, scav_sleep_start, scav_sleep_until, scav_worked;
	double scav_sleep_ratio, scav_err_integral;
	/* The background scavenger on the trace's own record of its
	 * goroutine (scavenger_pace = trace, bgscav events, mgcpacer.c):
	 * on a CPU since scav_on_since; in a run (scavengerState.run, from
	 * the start after a block to the next block) that has had
	 * scav_run_cpu ns of CPU in its earlier windows and done
	 * scav_run_worked ns of work; scav_run_done: the run's loop ended
	 * (the goroutine blocks next). */
	bool scav_on_cpu, scav_in_run, scav_run_done;
	uint64_t scav_on_since, scav_run_cpu;
	double scav_run_worked;
	/* In the run, a quantum (pageAlloc.scavenge) has begun and its
	 * done releases hold scav_q_released bytes; a release (one
	 * scavengeOne) of scav_rel_bytes is under way (its pages held in
	 * the page allocator) and ends scav_rel_ns of work after
	 * scav_run_worked. */
	bool scav_in_quantum, scav_rel_flushed;
	uint64_t scav_q_released, scav_rel_bytes;
	double scav_rel_ns;
	/* The Ps held by an M (running events; 0: none recorded), what
	 * a quantum of the background scavenger costs (mgcpacer.c). */
	unsigned procs_running;
	/* Go 1.12: mheap_.scavengeCredit, released beyond what a growth
	 * asked for (mgcpacer.c). */
	uint64_t scav_credit;
	/* The span whose slots the last swept dels freed (mgcsweep.c): the
	 * sweep of one span; a span they left empty stays in use until the
	 * sweep's next event tells who swept it (mcentral.cacheSpan keeps
	 * it, any other sweeper frees it). */
	struct hg_mspan *swept_span;
	/* A trace's gc event (its GCEnd) came and the Ps' stack caches are
	 * still to be cleared: prepareForSweep runs after the GC
	 * goroutine's own stack events (mgcsweep.c). */
	bool stackcache_pending;
};

/* Values stored in the object and stack id maps (after model.h's). */
enum {
	HG_ID_OBJ = 8,
	HG_ID_OBJ_TINY,
	HG_ID_OBJ_LARGE,
	HG_ID_STACK,
	HG_ID_STACK_LARGE
};

/* ---- malloc.c ---- */
int hg_objects_init(struct hg_model *m);
void hg_objects_release(struct hg_model *m);
int hg_mallocgc(struct hg_model *m, const struct hg_op *op,
		struct hg_op_result *res, char *err, size_t errlen);
int hg_object_del(struct hg_model *m, const struct hg_op *op,
		  struct hg_op_result *res, char *err, size_t errlen);
int hg_objects_proc(struct hg_model *m, uint64_t p, char *err, size_t errlen);
struct hg_p *hg_objects_curp(struct hg_model *m);
struct hg_mspan *hg_mspan_new(struct hg_model *m, hg_addr base, uint64_t npages,
			      uint16_t spc, uint64_t elemsize, uint32_t nelems,
			      bool manual);
void hg_mspan_destroy(struct hg_model *m, struct hg_mspan *s);
void hg_span_count(struct hg_model *m, struct hg_mspan *s, uint32_t n);
int hg_objects_check(struct hg_model *m, char *err, size_t errlen);
unsigned hg_spc_sizeclass(uint16_t spc);

/* ---- span lists (mcentral.c) ---- */
void hg_list_insert(struct hg_span_list *l, struct hg_mspan *s);
void hg_list_insert_back(struct hg_span_list *l, struct hg_mspan *s);
void hg_list_remove(struct hg_span_list *l, struct hg_mspan *s);
void hg_list_insert_before(struct hg_span_list *l, struct hg_mspan *at,
			   struct hg_mspan *s);
void hg_span_unsilence(struct hg_model *m, struct hg_mspan *s);

/* ---- mcentral.c ---- */
int hg_mcentral_cache_span(struct hg_model *m, uint16_t spc,
			   struct hg_op_result *res, struct hg_mspan **out);
void hg_mcentral_uncache_span(struct hg_model *m, struct hg_mspan *s,
			      bool stale);
struct hg_span_list *hg_mcentral_swept(struct hg_model *m, uint16_t spc,
				       bool full);

/* ---- mcache.c ---- */
hg_addr hg_mcache_next_free(struct hg_model *m, struct hg_mcache *c,
			    uint16_t spc, struct hg_mspan **span,
			    struct hg_op_result *res, int *rc);
void hg_mcache_release_all(struct hg_model *m, struct hg_mcache *c, bool stale);
void hg_flush_all_mcaches(struct hg_model *m);
hg_addr hg_mspan_alloc_slot(struct hg_mspan *s);

/* ---- mgcsweep.c ---- */
int hg_gc(struct hg_model *m, uint64_t *released);
int hg_gc_traced(struct hg_model *m, uint64_t *released);
void hg_sweep_settle(struct hg_model *m, const struct hg_op *op);
void hg_sweep_end_check(struct hg_model *m, const struct hg_op *op);
/* hg_sweep_reclaim returns 0, or HG_ENOMEM when the host is out of memory. */
int hg_sweep_reclaim(struct hg_model *m);
void hg_swept_span_settle(struct hg_model *m);
bool hg_swept_span_pending(const struct hg_objects *o,
			   const struct hg_mspan *s);
struct hg_mspan *hg_swept_span_take(struct hg_model *m, uint16_t spc);

/* ---- mgcpacer.c ---- */
uint64_t hg_heap_goal(const struct hg_model *m);
uint64_t hg_gc_trigger(const struct hg_model *m);
uint64_t hg_gc_commit(struct hg_model *m);
int hg_gc_paced(struct hg_model *m, struct hg_op_result *res);
void hg_heap_live_add(struct hg_objects *o, uint64_t n);
uint64_t hg_bg_scavenger_tick(struct hg_model *m);
uint64_t hg_scavenger_gc_start(struct hg_model *m);
uint64_t hg_bg_scavenge_goal(struct hg_model *m);
void hg_scavenger_sweep_done(struct hg_model *m);
uint64_t hg_bg_scavenger_window(struct hg_model *m, uint64_t state);
uint64_t hg_bg_scavenger_running(struct hg_model *m, uint64_t procs);
void hg_heap_live_sub(struct hg_objects *o, uint64_t n);
void hg_mspan_sweep(struct hg_model *m, struct hg_mspan *s, bool preserve);
void hg_mspan_sweep_slot(struct hg_model *m, struct hg_mspan *s, uint32_t i);

/* ---- stack.c ---- */
int hg_stackalloc(struct hg_model *m, const struct hg_op *op,
		  struct hg_op_result *res, char *err, size_t errlen);
int hg_stackfree(struct hg_model *m, const struct hg_op *op,
		 struct hg_op_result *res, char *err, size_t errlen);
void hg_stackcache_clear(struct hg_model *m, struct hg_mcache *c);

/* The objects a span of the class holds after the reservations at its end
 * (Go: (*mspan).init via initSpan). */
uint32_t hg_span_nelems(const struct hg_objects *o, uint16_t spc,
			uint64_t nbytes, uint64_t elemsize);

#endif /* HG_MSPAN_H */
