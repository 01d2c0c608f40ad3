/*
 * model.c - one modeled Go process: operations, live ids, statistics,
 * memory classes and the invariant checker (Go: memCheck, ReadMemStatsSlow).
 */
#include "mspan.h"
#include "model.h"
#include "ids.h"
#include "os_sbrk.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hg_addr hg_model_space_end(const struct hg_model *m)
{
	return m->os.vas.hi;
}

const struct hg_config *hg_model_config(const struct hg_model *m)
{
	return &m->cfg;
}

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

static bool is_windows(const struct hg_config *cfg)
{
	return cfg->platform == HG_PLAT_WINDOWS_AMD64 ||
	       cfg->platform == HG_PLAT_WINDOWS_386;
}

/*
 * The statistics are kept in two halves (README "Performance"):
 *
 *   the peaks, raised after every event from the counters the model keeps
 *   (O(1): no walk, no search; the runtime's address span is the address
 *   space's root, the break's classes the sbrk layer's own counters), and
 *   the object layer's figures only when the replay has an object layer
 *   (they are in no output otherwise);
 *
 *   the final figures, made from the same counters only when someone reads
 *   them (hg_model_stats: an observer, a mark, the end of the replay), at
 *   most once per event.
 */

/* The figures that both halves read, from the counters (inlined into
 * update_peaks, whose copy then stays in registers). */
static inline __attribute__((always_inline)) void
figures_of(const struct hg_model *m, struct hg_figures *f)
{
	const struct hg_heapstats *h = &m->hs;
	struct hg_sbrk_counts sc = { 0 };
	if (m->sbrk_counts)
		m->os.ops->counts(&m->os, &sc);
	_Static_assert(HG_CLASS_COUNT == 10,
		       "hg_model_figures sums every class");
	/* Summed from locals, not read back from f (a store-forwarding
	 * stall per class once the compiler vectorizes the sum). */
	uint64_t foreign = m->c_foreign, reserved = m->c_reserved;
	uint64_t released = h->heap_released, heap_free = h->heap_free;
	/* Stack spans are in-use heap pages that Go counts apart. */
	uint64_t inuse = h->heap_inuse + h->in_stacks + h->in_workbufs;
	uint64_t sys = m->c_sys;
	uint64_t stranded = m->c_stranded + sc.stranded;
	uint64_t held = foreign + reserved + released + heap_free + inuse +
			sys + sc.sbrk_free + sc.unused + stranded;
	f->classes[HG_CLASS_FOREIGN] = foreign;
	f->classes[HG_CLASS_RESERVED] = reserved;
	f->classes[HG_CLASS_RELEASED] = released;
	f->classes[HG_CLASS_HEAP_FREE] = heap_free;
	f->classes[HG_CLASS_HEAP_INUSE] = inuse;
	f->classes[HG_CLASS_SYS] = sys;
	f->classes[HG_CLASS_SBRK_FREE] = sc.sbrk_free;
	f->classes[HG_CLASS_UNUSED] = sc.unused;
	f->classes[HG_CLASS_STRANDED] = stranded;
	f->classes[HG_CLASS_NONE] = (m->os.vas.hi - m->os.vas.lo) - held;
	f->heap_inuse = h->heap_inuse;
	f->heap_idle = h->heap_free + h->heap_released;
	f->heap_sys = f->heap_inuse + f->heap_idle;
	f->heap_released = h->heap_released;
	f->committed = m->os.committed;
	/* On sbrk platforms everything the break provides is memory. */
	f->mapped = m->sbrk ? sc.committed
			    : f->heap_sys + h->in_stacks + h->in_workbufs +
				      m->c_sys;
	/* Lowest to highest runtime-held address, kept by the address
	 * space's root. */
	f->address_space = hg_vas_runtime_span(&m->os.vas);
	f->linear_memory = sc.linear_memory;
	f->arenas = m->narenas;
	const struct hg_objects *o = m->obj;
	if (o || m->stats.object_ops) {
		f->heap_alloc = o ? o->heap_alloc : 0;
		f->heap_objects = o ? o->heap_objects : 0;
		f->num_gc = o ? o->num_gc : 0;
		f->partial_span_bytes = o ? o->partial_bytes : 0;
		f->free_slot_bytes = o ? o->free_slot_bytes : 0;
		f->next_gc = hg_heap_goal(m);
		f->stack_inuse = h->in_stacks;
		f->stack_sys = h->in_stacks; /* Go: plus stacks_sys, not
						modeled */
		f->gc_workbufs = h->in_workbufs;
	} else {
		/* In no output of a replay without objects (HG_STAT_OBJECTS):
		 * not computed. */
		f->heap_alloc = f->heap_objects = f->num_gc = 0;
		f->partial_span_bytes = f->free_slot_bytes = 0;
		f->next_gc = 0;
		f->stack_inuse = f->stack_sys = h->in_stacks;
		f->gc_workbufs = h->in_workbufs;
	}
}

void hg_model_figures(const struct hg_model *m, struct hg_figures *f)
{
	figures_of(m, f);
}

#define RAISE(p, f, member)                                                    \
	do {                                                                   \
		if ((f)->member > (p)->member)                                 \
			(p)->member = (f)->member;                             \
	} while (0)

/* raise_all raises every peak to the figures after this event. */
static void raise_all(struct hg_model *m)
{
	struct hg_figures now, *f = &now, *p = &m->stats.peak;
	figures_of(m, f);
	for (int c = 0; c < HG_CLASS_COUNT; c++)
		RAISE(p, f, classes[c]);
	RAISE(p, f, heap_sys);
	RAISE(p, f, heap_idle);
	RAISE(p, f, heap_inuse);
	RAISE(p, f, heap_released);
	RAISE(p, f, committed);
	RAISE(p, f, mapped);
	RAISE(p, f, address_space);
	RAISE(p, f, linear_memory);
	RAISE(p, f, arenas);
	RAISE(p, f, stack_inuse);
	RAISE(p, f, stack_sys);
	RAISE(p, f, gc_workbufs);
	/* Without an object layer these are zero (figures_of): nothing to
	 * raise. */
	if (m->obj || m->stats.object_ops) {
		RAISE(p, f, next_gc);
		RAISE(p, f, heap_alloc);
		RAISE(p, f, heap_objects);
		RAISE(p, f, num_gc);
		RAISE(p, f, partial_span_bytes);
		RAISE(p, f, free_slot_bytes);
	}
}

#define RAISE_TO(p, member, v)                                                 \
	do {                                                                   \
		uint64_t v_ = (v);                                             \
		if (v_ > (p)->member)                                          \
			(p)->member = v_;                                      \
	} while (0)

/*
 * update_peaks raises the peaks to the figures after this event. A replay
 * of spans on a platform without a break (no sbrk counters, no object
 * layer) takes the short way: the figures figures_of would make, from the
 * same counters, compared as they are made; the ones that are always zero
 * there (the break's classes, linear memory) stay at their zero peak, and
 * the two that always equal another figure (HeapReleased and the released
 * class, StackSys and StackInuse) are copied when the statistics are read
 * (hg_model_stats).
 */
static inline __attribute__((always_inline)) void
update_peaks(struct hg_model *m)
{
	m->stats_stale = true;
	if (m->sbrk || m->sbrk_counts || m->obj || m->stats.object_ops) {
		raise_all(m);
		return;
	}
	const struct hg_heapstats *h = &m->hs;
	struct hg_figures *p = &m->stats.peak;
	uint64_t released = h->heap_released, heap_free = h->heap_free;
	uint64_t stacks = h->in_stacks, wbufs = h->in_workbufs;
	uint64_t inuse = h->heap_inuse + stacks + wbufs;
	uint64_t idle = heap_free + released;
	uint64_t heap_sys = h->heap_inuse + idle;
	uint64_t held = m->c_foreign + m->c_reserved + idle + inuse + m->c_sys +
			m->c_stranded;
	RAISE_TO(p, classes[HG_CLASS_FOREIGN], m->c_foreign);
	RAISE_TO(p, classes[HG_CLASS_RESERVED], m->c_reserved);
	RAISE_TO(p, classes[HG_CLASS_RELEASED], released);
	RAISE_TO(p, classes[HG_CLASS_HEAP_FREE], heap_free);
	RAISE_TO(p, classes[HG_CLASS_HEAP_INUSE], inuse);
	RAISE_TO(p, classes[HG_CLASS_SYS], m->c_sys);
	RAISE_TO(p, classes[HG_CLASS_STRANDED], m->c_stranded);
	RAISE_TO(p, classes[HG_CLASS_NONE],
		 (m->os.vas.hi - m->os.vas.lo) - held);
	RAISE_TO(p, heap_sys, heap_sys);
	RAISE_TO(p, heap_idle, idle);
	RAISE_TO(p, heap_inuse, h->heap_inuse);
	RAISE_TO(p, committed, m->os.committed);
	RAISE_TO(p, mapped, heap_sys + stacks + wbufs + m->c_sys);
	RAISE_TO(p, address_space, hg_vas_runtime_span(&m->os.vas));
	RAISE_TO(p, arenas, m->narenas);
	RAISE_TO(p, stack_inuse, stacks);
	RAISE_TO(p, gc_workbufs, wbufs);
}

/*
 * span_fast_update says whether the next span event may take the short way
 * (span_alloc, span_free): after every event that took the general one,
 * the only events that set up the object layer or find the runtime dead
 * or the host out of memory.
 */
static void span_fast_update(struct hg_model *m)
{
	m->span_fast = !m->general_path && !m->sbrk && !m->sbrk_counts &&
		       !m->obj && !m->stats.object_ops && !m->dead &&
		       !m->os.enomem;
}

/*
 * hg_model_stats makes the final figures when they are older than the
 * last event (the model is logically const: the figures are a cache of
 * its counters).
 */
const struct hg_stats *hg_model_stats(const struct hg_model *m)
{
	if (m->stats_stale) {
		struct hg_model *w = (struct hg_model *)m;
		hg_model_figures(m, &w->stats.final);
		/* The peaks update_peaks leaves to be copied. */
		w->stats.peak.heap_released =
			w->stats.peak.classes[HG_CLASS_RELEASED];
		w->stats.peak.stack_sys = w->stats.peak.stack_inuse;
		w->stats_stale = false;
	}
	return &m->stats;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

int hg_model_new(struct hg_model **out, const struct hg_config *cfg, char *err,
		 size_t errlen)
{
	return hg_model_new_with(out, cfg, NULL, err, errlen);
}

/*
 * The runtime's own first span, before the trace's first event (Go:
 * schedinit's allocations reach (*mheap).allocSpan for one small span, so
 * the first (*mheap).grow of a real process asks for one chunk and
 * markRandomPaddingPages leaves at least that span free in it, go1.26).
 * Go's grow rounds the ask up to whole chunks without counting the padding
 * pages, so a first span larger than the chunk's tail after the padding
 * would throw "grew heap, but no adequate free space found": a real
 * process never makes that first request, so neither does the model.
 * Only under randomize_heap_base: elsewhere no padding can push a span out.
 */
static int startup_alloc(struct hg_model *m)
{
	if (!m->randomize || m->cfg.startup_alloc == 0 || m->cfg.heap_base)
		return HG_OK; /* a recorded base: the trace has those spans */
	uint64_t page = m->cfg.page_size;
	uint64_t npages = HG_ALIGN_UP(m->cfg.startup_alloc, page) / page;
	struct hg_op_result res;
	memset(&res, 0, sizeof(res));
	int rc = hg_mheap_alloc_span(m, npages, &res);
	if (rc == HG_OK)
		m->startup_span_bytes = res.size;
	return rc;
}

/* The page allocator could not get host memory for its own blocks: the
 * replay stops with "out of host memory" (hg_model_apply). */
static void pages_host_oom(void *ctx)
{
	struct hg_model *m = ctx;
	hg_os_enomem(&m->os);
}

int hg_model_new_with(struct hg_model **out, const struct hg_config *cfg,
		      const struct hg_model_opts *opts, char *err,
		      size_t errlen)
{
	*out = NULL;
	struct hg_model *m = calloc(1, sizeof(*m));
	if (!m)
		return HG_ENOMEM;
	m->cfg = *cfg;
	m->sbrk = hg_platform_is_sbrk(cfg->platform);
	m->randomize = (cfg->randomize_heap_base || cfg->heap_base != 0) &&
		       hg_platform_is_64bit(cfg->platform) &&
		       !hg_platform_is_sbrk(cfg->platform);
	int rc = hg_config_check(cfg, err, errlen);
	if (rc) {
		free(m);
		return rc;
	}
	m->max_span_pages =
		(UINT64_C(1)
		 << (cfg->address_bits < 63 ? cfg->address_bits : 63)) /
		cfg->page_size;
	hg_idmap_init(&m->spans);
	hg_idmap_init(&m->sysallocs);
	hg_idmap_init(&m->mmaps);
	hg_idmap_init(&m->objects);
	hg_idmap_init(&m->stacks);
	hg_idmap_init(&m->wbufs);
	rc = hg_os_init(&m->os, &m->cfg, &m->stats.os_calls);
	if (rc) {
		if (rc != HG_ENOMEM)
			hg_errorf(err, errlen, 0,
				  "cannot place the program image");
		hg_model_free(m);
		return rc;
	}
	if (opts && opts->os_ops)
		hg_os_set_ops(&m->os, opts->os_ops, opts->os_arg);
	m->sbrk_counts = m->os.ops->counts != NULL;
	m->c_foreign = hg_vas_bytes(&m->os.vas, 0, m->os.vas.hi, -1);
	struct hg_pagealloc_params pp = {
		.page_size = cfg->page_size,
		.chunk_bytes = cfg->chunk_size,
		.phys_page_size = cfg->phys_page_size,
		.addr_bits = hg_platform_is_64bit(cfg->platform) ? 48 : 32,
		.phys_huge_page_size = cfg->phys_huge_page_size,
		.scav_gens = cfg->scavenger_gens && cfg->scavenger,
		.sys_unused = hg_mheap_scavenged,
		.ctx = m,
		.host_oom = pages_host_oom,
	};
	rc = hg_pagealloc_new(&m->pages, &pp);
	if (rc == HG_OK)
		rc = hg_mallocinit(m);
	if (rc == HG_OK && !m->dead)
		rc = startup_alloc(m);
	if (rc == HG_OK && cfg->runtime_start)
		rc = hg_runtime_start(m);
	if (rc == HG_OK && m->dead)
		rc = HG_EOOM;
	if (rc) {
		hg_errorf(err, errlen, 0, "runtime initialisation failed: %s",
			  m->dead ? m->throw_msg : hg_strerror(rc));
		hg_model_free(m);
		return rc == HG_ENOMEM ? HG_ENOMEM : HG_EINVAL;
	}
	m->general_path = opts && opts->general_path;
	update_peaks(m);
	span_fast_update(m);
	*out = m;
	return HG_OK;
}

void hg_model_free(struct hg_model *m)
{
	if (!m)
		return;
	hg_objects_release(m);
	hg_arena_release(m);
	free(m->pcaches);
	if (m->pages)
		hg_pagealloc_free_all(m->pages);
	hg_os_release(&m->os);
	hg_idmap_release(&m->spans);
	hg_idmap_release(&m->sysallocs);
	hg_idmap_release(&m->mmaps);
	hg_idmap_release(&m->objects);
	hg_idmap_release(&m->stacks);
	hg_idmap_release(&m->wbufs);
	free(m);
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */
/* ------------------------------------------------------------------ */

static void record_oom(struct hg_model *m, const struct hg_op *op)
{
	struct hg_stats *s = &m->stats;
	s->oom = true;
	s->oom_event = s->events;
	s->oom_op = op->kind;
	snprintf(s->oom_id, sizeof(s->oom_id), "%s", op->id ? op->id : "");
	s->oom_size = op->size;
	snprintf(s->oom_message, sizeof(s->oom_message), "%s", m->throw_msg);
}

int hg_model_id_put(struct hg_model *m, const struct hg_idval *v)
{
	HG_ASSERT(m->id_made);
	if (m->id_made)
		hg_identry_set(m->id_made, v);
	m->id_made = NULL;
	return HG_OK;
}

/* Where each family's live ids are in the model (0: HG_IDS_NONE). */
static const size_t family_ids[HG_IDS_COUNT] = {
	[HG_IDS_SPAN] = offsetof(struct hg_model, spans),
	[HG_IDS_SYSALLOC] = offsetof(struct hg_model, sysallocs),
	[HG_IDS_MMAP] = offsetof(struct hg_model, mmaps),
	[HG_IDS_OBJECT] = offsetof(struct hg_model, objects),
	[HG_IDS_STACK] = offsetof(struct hg_model, stacks),
	[HG_IDS_WBUF] = offsetof(struct hg_model, wbufs),
};

/* live_ids returns the live ids of op row k's family (NULL: none). */
static inline struct hg_idmap *live_ids(const struct hg_model *m,
					const struct hg_op_spec *k)
{
	size_t off = k ? family_ids[k->family] : 0;

	return off ? (struct hg_idmap *)((char *)m + off) : NULL;
}

/* prefetch_key sets the length and hash of an op's id that its source
 * left 0 (out of line: the trace readers always set them). */
static __attribute__((noinline, cold)) void prefetch_key(struct hg_op *op)
{
	op->id_len = strlen(op->id);
	op->id_hash = hg_id_hash(op->id, op->id_len);
}

void hg_model_prefetch(const struct hg_model *m, struct hg_op *op, int step)
{
	const struct hg_op_spec *k;
	const struct hg_idmap *live;

	if (!op->id)
		return;
	k = hg_op_spec(op->kind);
	live = live_ids(m, k);
	if (!live)
		return;
	if (__builtin_expect(!op->id_len || !op->id_hash, 0))
		prefetch_key(op);
	if (!hg_idmap_prefetch_worth(live))
		return;
	if (step == 0)
		hg_idmap_prefetch(live, op->id_hash);
	else if (k->use == HG_ID_END)
		hg_idmap_prefetch_entry(live, op->id_hash);
	else
		hg_idmap_prefetch_free(live);
}

bool hg_model_prefetch_wanted(const struct hg_model *m)
{
	for (size_t f = 0; f < HG_IDS_COUNT; f++)
		if (family_ids[f] &&
		    hg_idmap_prefetch_worth(
			    (const struct hg_idmap *)((const char *)m +
						      family_ids[f])))
			return true;
	return false;
}

/*
 * apply_end is hg_model_apply's end for an event that did not simply
 * succeed: an id the op did not make, the host or the modeled runtime out
 * of memory, an op the model refused.
 */
static int apply_end(struct hg_model *m, const struct hg_op *op,
		     struct hg_idmap *live, struct hg_op_result *res, int rc,
		     char *err, size_t errlen)
{
	if (m->id_made) {
		/* The op failed before it made its id. */
		struct hg_idkey key;

		hg_ids_key(op, &key);
		hg_idmap_take(live, &key, NULL);
		m->id_made = NULL;
	}
	/* The host failed midway: the state cannot be trusted any more. */
	if (rc == HG_ENOMEM || m->os.enomem) {
		hg_os_enomem(&m->os);
		return hg_errorf(err, errlen, HG_ENOMEM, "out of host memory");
	}
	if (rc == HG_EOOM || m->dead) {
		record_oom(m, op);
		res->oom = true;
		hg_errorf(err, errlen, 0, "%s", m->throw_msg);
		rc = HG_EOOM;
	}
	if (rc == HG_OK || rc == HG_EOOM) {
		m->stats.events++;
		update_peaks(m);
	}
	span_fast_update(m);
	return rc;
}

/* apply_general is hg_model_apply for every op: the op table's row, the
 * id rules, the row's apply function, every peak. */
static __attribute__((noinline)) int apply_general(struct hg_model *m,
						   const struct hg_op *op,
						   struct hg_op_result *res,
						   char *err, size_t errlen)
{
	struct hg_op_result scratch;
	if (!res)
		res = &scratch;
	memset(res, 0, sizeof(*res));
	if (__builtin_expect(m->os.enomem, 0))
		return hg_errorf(err, errlen, HG_ENOMEM, "out of host memory");
	if (__builtin_expect(m->dead, 0))
		return hg_errorf(err, errlen, HG_EOOM, "%s", m->throw_msg);
	/* The id rules first, the same as heapgrow check's (ids.c); the id
	 * is entered (or removed) now, with one probe of its map. The op's
	 * row is looked up once, for the rules and the apply function. */
	const struct hg_op_spec *k = hg_op_spec(op->kind);
	if (__builtin_expect(!k, 0))
		return hg_errorf(err, errlen, HG_ETRACE, "unknown operation");
	struct hg_idmap *live = live_ids(m, k);
	m->id_made = NULL;
	int rc = hg_ids_enter_spec(live, k, op, &m->id_made, &m->id_ended, NULL,
				   err, errlen);
	if (__builtin_expect(rc == HG_OK, 1))
		rc = hg_apply_spec(m, k, op, res, err, errlen);
	else if (rc != HG_ENOMEM)
		return rc;
	if (__builtin_expect(
		    rc != HG_OK || m->id_made || m->os.enomem || m->dead, 0))
		return apply_end(m, op, live, res, rc, err, errlen);
	m->stats.events++;
	update_peaks(m);
	span_fast_update(m);
	return HG_OK;
}

/*
 * The spans' own events on a model that span_fast allows (no break, no
 * object layer): hg_model_apply's steps for an alloc or a free of a span
 * whose id the reader hashed, without the op table, and the peaks raised
 * only for the figures the event can raise. An event that does more than
 * take or return free pages (released pages reused, the heap grown, the
 * runtime's own metadata) raises them all, as does any other event. A
 * refused id (live already, unknown) goes the general way, which refuses
 * it with its message; so does everything that fails.
 */
static __attribute__((noinline)) int span_alloc(struct hg_model *m,
						const struct hg_op *op,
						struct hg_op_result *res,
						char *err, size_t errlen)
{
	struct hg_idkey key = { op->id, op->id_len, op->id_hash };
	struct hg_identry *e;
	int rc = hg_idmap_insert(&m->spans, &key, &e);

	if (__builtin_expect(rc <= 0, 0)) {
		memset(res, 0, sizeof(*res));
		if (rc == 0)
			/* live: the general way says so */
			return apply_general(m, op, res, err, errlen);
		hg_errorf(err, errlen, HG_ENOMEM, "out of memory");
		return apply_end(m, op, &m->spans, res, HG_ENOMEM, err, errlen);
	}
	/* Go: (*mheap).alloc (apply.c, apply_alloc); what it leaves is 0. */
	uint64_t page = m->cfg.page_size;
	uint64_t npages = (op->size >> __builtin_ctzll(page)) +
			  ((op->size & (page - 1)) != 0);
	res->addr = 0;
	res->released = 0;
	res->oom = false;
	res->elemsize = 0;
	res->span_base = 0;
	res->new_span = false;
	res->gc = 0;
	rc = hg_mheap_alloc_span(m, npages, res);
	if (__builtin_expect(rc != HG_OK, 0)) {
		if (!res->addr) {
			memset(res, 0, sizeof(*res));
			m->id_made = e; /* removed again by apply_end */
			return apply_end(m, op, &m->spans, res, rc, err,
					 errlen);
		}
	}
	struct hg_idval v = { res->addr, npages, HG_ID_SPAN };
	hg_identry_set(e, &v);
	if (__builtin_expect(rc != HG_OK || m->os.enomem || m->dead, 0))
		return apply_end(m, op, &m->spans, res, rc, err, errlen);
	m->stats.events++;
	if (__builtin_expect(res->scav || res->grew || m->rtmeta, 0)) {
		update_peaks(m);
		return HG_OK;
	}
	/* Free pages became in-use ones: HeapInuse and its class rose as
	 * much as heapFree fell; every sum of both stayed. */
	const struct hg_heapstats *h = &m->hs;
	struct hg_figures *p = &m->stats.peak;
	m->stats_stale = true;
	RAISE_TO(p, classes[HG_CLASS_HEAP_INUSE],
		 h->heap_inuse + h->in_stacks + h->in_workbufs);
	RAISE_TO(p, heap_inuse, h->heap_inuse);
	return HG_OK;
}

/* Go: (*mheap).freeSpan (apply.c, apply_free), as span_alloc. */
static __attribute__((noinline)) int span_free(struct hg_model *m,
					       const struct hg_op *op,
					       struct hg_op_result *res,
					       char *err, size_t errlen)
{
	struct hg_idkey key = { op->id, op->id_len, op->id_hash };
	struct hg_idval v;

	if (__builtin_expect(!hg_idmap_take(&m->spans, &key, &v), 0))
		/* not live: the general way says so */
		return apply_general(m, op, res, err, errlen);
	/* id_ended is left as it is: only the general way's apply
	 * functions read it, and none runs for this event. */
	hg_mheap_free_span(m, v.a, v.b);
	*res = (struct hg_op_result){ .addr = v.a,
				      .npages = v.b,
				      .size = v.b * m->cfg.page_size };
	if (__builtin_expect(m->os.enomem, 0))
		return apply_end(m, op, &m->spans, res, HG_OK, err, errlen);
	m->stats.events++;
	/* In-use pages became free ones: heapFree and HeapIdle rose. */
	const struct hg_heapstats *h = &m->hs;
	struct hg_figures *p = &m->stats.peak;
	m->stats_stale = true;
	RAISE_TO(p, classes[HG_CLASS_HEAP_FREE], h->heap_free);
	RAISE_TO(p, heap_idle, h->heap_free + h->heap_released);
	return HG_OK;
}

int hg_model_apply(struct hg_model *m, const struct hg_op *op,
		   struct hg_op_result *res, char *err, size_t errlen)
{
	if (__builtin_expect(m->span_fast && res && op->id_len && op->id_hash,
			     1)) {
		if (op->kind == HG_OP_FREE)
			return span_free(m, op, res, err, errlen);
		if (op->kind == HG_OP_ALLOC && op->size)
			return span_alloc(m, op, res, err, errlen);
	}
	return apply_general(m, op, res, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Classes of the address space                                        */
/* ------------------------------------------------------------------ */

/* Merges adjacent runs of one class before handing them on. */
struct emitter {
	hg_region_fn fn;
	void *arg;
	hg_addr base, end;
	enum hg_class c;
	bool have;
	int rc;
};

static void emit(struct emitter *e, hg_addr base, hg_addr end, enum hg_class c)
{
	if (e->rc || end <= base)
		return;
	if (e->have && e->c == c && e->end == base) {
		e->end = end;
		return;
	}
	if (e->have && e->c != HG_CLASS_NONE)
		e->rc = e->fn(e->arg, e->base, e->end, e->c);
	e->base = base;
	e->end = end;
	e->c = c;
	e->have = true;
}

static void emit_flush(struct emitter *e)
{
	if (!e->rc && e->have && e->c != HG_CLASS_NONE)
		e->rc = e->fn(e->arg, e->base, e->end, e->c);
	e->have = false;
}

struct heap_walk {
	struct emitter *e;
	const struct hg_model *m;
	hg_addr pos; /* next address not yet emitted */
	hg_addr end; /* end of the vma walked */
};

/* Class of one page of the P's page cache. */
static enum hg_class cache_class(const struct hg_pagecache *c, unsigned i)
{
	if (!(c->cache >> i & 1))
		return HG_CLASS_HEAP_INUSE;
	return (c->scav >> i & 1) ? HG_CLASS_RELEASED : HG_CLASS_HEAP_FREE;
}

/*
 * Heap memory mapped but not yet in the page allocator (the curArena tail
 * before go1.17) counts like new heap memory: released, or free and backed
 * until go1.12.
 */
static enum hg_class outside_class(const struct hg_model *m)
{
	return hg_heap_grows_backed(m) ? HG_CLASS_HEAP_FREE : HG_CLASS_RELEASED;
}

/* Class of page i of the 64-page block at base: two Ps' caches may hold
 * disjoint pages of one block; a page no cache holds is in use. */
static enum hg_class cached_page_class(const struct hg_model *m, hg_addr base,
				       unsigned i)
{
	for (unsigned k = 0; k < m->npcaches; k++) {
		const struct hg_pagecache *pc = &m->pcaches[k];
		if (pc->base == base && (pc->cache >> i & 1))
			return cache_class(pc, i);
	}
	return HG_CLASS_HEAP_INUSE;
}

/* The P page cache with the lowest block among those that end after pos
 * and start before end, or NULL. */
static const struct hg_pagecache *next_cache(const struct hg_model *m,
					     hg_addr pos, hg_addr end)
{
	const struct hg_pagecache *best = NULL;
	uint64_t span = 64 * m->cfg.page_size;
	for (unsigned i = 0; i < m->npcaches; i++) {
		const struct hg_pagecache *pc = &m->pcaches[i];
		if (pc->base == 0 || pc->base >= end || pc->base + span <= pos)
			continue;
		if (!best || pc->base < best->base)
			best = pc;
	}
	return best;
}

static int heap_run(void *arg, hg_addr base, hg_addr end, bool alloc, bool scav)
{
	struct heap_walk *w = arg;
	uint64_t page = w->m->cfg.page_size;
	/* Runtime pages may straddle the vma's bounds: clip to them. */
	if (base < w->pos)
		base = w->pos;
	if (end > w->end)
		end = w->end;
	if (end <= base)
		return 0;
	if (base > w->pos) /* Mapped but not given to the page allocator. */
		emit(w->e, w->pos, base, outside_class(w->m));
	w->pos = end;
	enum hg_class c =
		scav ? HG_CLASS_RELEASED
		     : (alloc ? HG_CLASS_HEAP_INUSE : HG_CLASS_HEAP_FREE);
	if (!alloc || scav) {
		emit(w->e, base, end, c);
		return w->e->rc;
	}
	/* Where the run overlaps a P's cache block, the cache decides per
	 * page (the blocks are disjoint and 64-page aligned). */
	hg_addr pos = base;
	const struct hg_pagecache *pc;
	uint64_t span = 64 * page;
	while (pos < end && (pc = next_cache(w->m, pos, end)) != NULL) {
		hg_addr cend = pc->base + span;
		if (pc->base > pos)
			emit(w->e, pos, pc->base, c);
		hg_addr lo = pos > pc->base ? pos : pc->base;
		hg_addr hi = end < cend ? end : cend;
		for (hg_addr a = lo; a < hi; a += page)
			emit(w->e, a, a + page,
			     cached_page_class(
				     w->m, pc->base,
				     (unsigned)((a - pc->base) / page)));
		pos = hi;
	}
	if (pos < end)
		emit(w->e, pos, end, c);
	return w->e->rc;
}

static enum hg_class vma_class(const struct hg_vma *v)
{
	if (v->owner == HG_OWN_FOREIGN)
		return HG_CLASS_FOREIGN;
	if (v->stranded)
		return HG_CLASS_STRANDED;
	if (v->state == HG_MEM_RESERVED)
		return HG_CLASS_RESERVED;
	return HG_CLASS_SYS;
}

static int gap_region(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	struct emitter *e = arg;
	emit(e, base, end, c);
	return e->rc;
}

/* Break space between vmas: free list, unused and stranded (sbrk). */
static void walk_gap(struct hg_model *m, hg_addr lo, hg_addr hi,
		     struct emitter *e)
{
	if (lo < hi && m->os.ops->regions)
		m->os.ops->regions(&m->os, lo, hi, gap_region, e);
}

static int walk_classes(struct hg_model *m, hg_addr lo, hg_addr hi,
			struct emitter *e)
{
	const struct hg_vas *s = &m->os.vas;
	hg_addr pos = lo;
	for (const struct hg_vma *v = hg_vas_first(s, lo); v && !e->rc;
	     v = hg_vas_next(s, v)) {
		if (v->base >= hi)
			break;
		walk_gap(m, pos, v->base, e);
		pos = v->end;
		hg_addr b = v->base > lo ? v->base : lo;
		hg_addr en = v->end < hi ? v->end : hi;
		if (v->owner == HG_OWN_RUNTIME && v->heap && !v->stranded &&
		    v->state != HG_MEM_RESERVED) {
			struct heap_walk w = { e, m, b, en };
			hg_pagealloc_runs(m->pages, b, en, heap_run, &w);
			if (w.pos < en)
				emit(e, w.pos, en, outside_class(m));
		} else {
			emit(e, b, en, vma_class(v));
		}
	}
	if (!e->rc)
		walk_gap(m, pos, hi, e);
	emit_flush(e);
	return e->rc;
}

int hg_model_regions(struct hg_model *m, hg_addr lo, hg_addr hi,
		     hg_region_fn fn, void *arg)
{
	struct emitter e = { fn, arg, 0, 0, HG_CLASS_NONE, false, 0 };
	return walk_classes(m, lo, hi, &e);
}

int hg_model_arenas(struct hg_model *m, hg_region_fn fn, void *arg)
{
	for (size_t i = 0; i < m->narena_runs; i++) {
		for (uint64_t k = 0; k < m->arenas[i].n; k++) {
			hg_addr a = m->arenas[i].base + k * m->cfg.arena_size;
			int rc = fn(arg, a, a + m->cfg.arena_size,
				    HG_CLASS_NONE);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Invariant checker                                                   */
/* ------------------------------------------------------------------ */

static int sum_class(void *arg, hg_addr base, hg_addr end, enum hg_class c)
{
	uint64_t *sum = arg;
	sum[c] += end - base;
	return 0;
}

struct span_sum {
	uint64_t bytes;
	uint64_t page;
};

static void add_span(void *arg, const char *id, const struct hg_idval *v)
{
	(void)id;
	struct span_sum *s = arg;
	s->bytes += v->b * s->page;
}

/*
 * hg_model_check checks the address space's tree (hg_vas_check),
 * recomputes the classes from the address space and the page allocator's
 * bitmaps and compares them, and Go's heap statistics, with the counters
 * kept per event.
 */
int hg_model_check(struct hg_model *m, char *err, size_t errlen)
{
	/* The address space's tree first: the classes are walked in it. */
	if (hg_vas_check(&m->os.vas))
		return hg_errorf(err, errlen, HG_EINVAL,
				 "the address space's tree does not hold "
				 "(order, gaps or aggregates)");
	uint64_t sum[HG_CLASS_COUNT] = { 0 };
	hg_model_regions(m, 0, m->os.vas.hi, sum_class, sum);
	uint64_t held = 0;
	for (int c = 1; c < HG_CLASS_COUNT; c++)
		held += sum[c];
	sum[HG_CLASS_NONE] = (m->os.vas.hi - m->os.vas.lo) - held;
	struct hg_figures f;
	hg_model_figures(m, &f);
	for (int c = 0; c < HG_CLASS_COUNT; c++) {
		if (sum[c] != f.classes[c]) {
			return hg_errorf(err, errlen, HG_EINVAL,
					 "class %s is %" PRIu64
					 " bytes by its counter "
					 "but %" PRIu64 " in the address space",
					 hg_class_name((enum hg_class)c),
					 f.classes[c], sum[c]);
		}
	}
	/* HeapInuse is the sum of the live spans: those of alloc events
	 * and those of the object layer. */
	struct span_sum ss = { 0, m->cfg.page_size };
	hg_idmap_each(&m->spans, add_span, &ss);
	if (m->obj)
		ss.bytes += m->obj->obj_span_bytes;
	ss.bytes += m->startup_span_bytes; /* the runtime's own */
	if (ss.bytes != m->hs.heap_inuse) {
		return hg_errorf(err, errlen, HG_EINVAL,
				 "HeapInuse is %" PRIu64
				 " but the live spans hold %" PRIu64,
				 m->hs.heap_inuse, ss.bytes);
	}
	if (hg_objects_check(m, err, errlen))
		return HG_EINVAL;
	/* HeapReleased is every scavenged bit plus the cache's (Go:
	 * ReadMemStatsSlow). */
	struct hg_pagealloc_counts pc;
	hg_pagealloc_count(m->pages, &pc);
	uint64_t page = m->cfg.page_size;
	/* A cache's scav mask also holds bits of allocated pages. */
	uint64_t cache_scav = 0, cache_free = 0;
	for (unsigned i = 0; i < m->npcaches; i++) {
		const struct hg_pagecache *c = &m->pcaches[i];
		cache_scav +=
			(uint64_t)__builtin_popcountll(c->scav & c->cache);
		cache_free += (uint64_t)__builtin_popcountll(c->cache);
	}
	uint64_t released =
		(pc.free_scav + pc.alloc_scav - m->phantom_pages + cache_scav) *
		page;
	uint64_t prepared_outside = 0;
	for (const struct hg_vma *v = hg_vas_first(&m->os.vas, 0); v;
	     v = hg_vas_next(&m->os.vas, v)) {
		if (v->owner == HG_OWN_RUNTIME && v->heap && !v->stranded &&
		    v->state != HG_MEM_RESERVED)
			prepared_outside += v->end - v->base;
	}
	prepared_outside -= (pc.grown - m->phantom_pages) * page;
	uint64_t backed_outside = 0;
	if (hg_heap_grows_backed(m)) {
		backed_outside = prepared_outside;
		prepared_outside = 0;
	}
	if (released + prepared_outside != m->hs.heap_released) {
		return hg_errorf(
			err, errlen, HG_EINVAL,
			"HeapReleased is %" PRIu64 " but the scavenged bits "
			"count %" PRIu64,
			m->hs.heap_released, released + prepared_outside);
	}
	uint64_t free_ready = (pc.free_ready + cache_free - cache_scav) * page +
			      backed_outside;
	if (free_ready != m->hs.heap_free) {
		return hg_errorf(err, errlen, HG_EINVAL,
				 "heapFree is %" PRIu64
				 " but the bitmaps count %" PRIu64,
				 m->hs.heap_free, free_ready);
	}
	/* The commit charge, recomputed under the platform's rule. */
	uint64_t committed = 0;
	for (const struct hg_vma *v = hg_vas_first(&m->os.vas, 0); v;
	     v = hg_vas_next(&m->os.vas, v)) {
		if (v->owner != HG_OWN_RUNTIME || v->state == HG_MEM_RESERVED)
			continue;
		/* Windows: heap pages are committed when not scavenged. */
		if (!is_windows(&m->cfg) || !v->heap)
			committed += v->end - v->base;
	}
	if (is_windows(&m->cfg))
		committed += m->hs.heap_inuse + m->hs.heap_free +
			     m->hs.in_stacks + m->hs.in_workbufs;
	/*
	 * Not cross-checked: a commit that threw midway charged part of its
	 * range; a 32-bit linear arena's fallback mappings were committed
	 * whole by sysAlloc on Windows.
	 */
	bool skip = m->dead || (is_windows(&m->cfg) && m->linear.fallbacks) ||
		    m->sbrk;
	if (committed != m->os.committed && !skip) {
		return hg_errorf(err, errlen, HG_EINVAL,
				 "committed is %" PRIu64
				 " but should be %" PRIu64,
				 m->os.committed, committed);
	}
	/* curArena's tail is reserved heap space (mapped before go1.17). */
	int tail_state = m->cfg.policy_prepare == HG_PREPARE_GROW
				 ? HG_MEM_RESERVED
				 : HG_MEM_PREPARED;
	if (m->cur_end > m->cur_base &&
	    hg_vas_bytes(&m->os.vas, m->cur_base, m->cur_end, tail_state) !=
		    m->cur_end - m->cur_base) {
		return hg_errorf(err, errlen, HG_EINVAL,
				 "curArena [%#" PRIx64 ", %#" PRIx64
				 ") is not all %s",
				 m->cur_base, m->cur_end,
				 tail_state == HG_MEM_RESERVED ? "reserved"
							       : "prepared");
	}
	/* Go: memCheck, and the break's own accounting (sbrk platforms). */
	if (m->os.ops->check && m->os.ops->check(&m->os, err, errlen))
		return HG_EINVAL;
	return hg_pagealloc_check(m->pages, err, errlen);
}
