/*
 * malloc.c - objects (Go: runtime/malloc.go, mallocgc and its tiny, small
 * and large paths; mheap.go's mspan), object deaths, the Ps, and the
 * invariants of the object layer.
 */
#include "mspan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most Ps a trace may name when gomaxprocs is 0 (Go caps GOMAXPROCS
 * at 256 before go1.10 and at 2^31 after; the model needs a bound). */
#define HG_MAX_PROCS 4096

unsigned hg_spc_sizeclass(uint16_t spc)
{
	return spc >> 1;
}

static bool is_windows(const struct hg_config *cfg)
{
	return cfg->platform == HG_PLAT_WINDOWS_AMD64 ||
	       cfg->platform == HG_PLAT_WINDOWS_386;
}

static bool is_plan9(const struct hg_config *cfg)
{
	return cfg->platform == HG_PLAT_PLAN9_386 ||
	       cfg->platform == HG_PLAT_PLAN9_AMD64;
}

int hg_objects_init(struct hg_model *m)
{
	if (m->obj)
		return HG_OK;
	struct hg_objects *o = calloc(1, sizeof(*o));
	if (!o)
		return HG_ENOMEM;
	unsigned minor = hg_config_go_minor(&m->cfg);
	o->go_minor = minor;
	hg_sizeclass_lookup_init(&o->sc, hg_sizeclasses_for(minor));
	o->span_sets = minor >= 15;     /* Go: go115NewMCentralImpl */
	o->span_classes = minor >= 9;   /* Go: makeSpanClass */
	o->malloc_header = minor >= 22; /* Go: allocheaders */
	/* Go: goarch.PtrSize: 8 on wasm too, whose addresses are 32-bit */
	o->ptr32 = !hg_platform_is_64bit(m->cfg.platform) &&
		   !hg_platform_is_wasm(m->cfg.platform);
	o->inline_marks = minor >= 26; /* Go: GreenTeaGC on by default */
	o->sweepgen = 0;
	o->paced = m->cfg.gc == HG_GC_PACED;
	/* Go: the scavenge goals before the first cycle's mark termination,
	 * whose gcControllerCommit runs the first gcPaceScavenger: from
	 * go1.18 gcinit's commit paces no scavenger, so the goals keep their
	 * zero value until then (scavenge.gcPercentGoal and memoryLimitGoal,
	 * go1.19 and go1.26; mheap_.scavengeGoal in go1.18), and a heap
	 * growth releases as much as it grew, the first cycle's start wakes
	 * the background scavenger toward nothing retained (mgcpacer.c
	 * gc_percent_goal_now, scavenge_todo); from go1.21 the scavenge
	 * index finds nothing for either before the first mark termination
	 * raises its search address. go1.13-1.17 paced it at gcinit
	 * (gcSetTriggerRatio, the go1.17 commit) with no last goal: none. */
	o->scav_gc_percent_goal = UINT64_MAX;
	o->scav_memory_limit_goal = UINT64_MAX;
	o->scav_goals_zero = m->cfg.scavenger && minor >= 18;
	o->gc_auto = !hg_config_is_explicit(&m->cfg, "gc");
	/*
	 * Go: stackSystem (512 bytes per pointer word on Windows until go1.24,
	 * 4 KiB since; 512 on Plan 9), fixedStack (stackMin plus that, to a
	 * power of two) and _NumStackOrders (3 in go1.4; then 4, less one per
	 * 4 pointer bytes on Windows and one on Plan 9).
	 */
	uint64_t ptr = o->ptr32 ? 4 : 8, sys = 0;
	if (is_windows(&m->cfg))
		sys = minor >= 24 ? 4096 : 512 * ptr;
	else if (is_plan9(&m->cfg))
		sys = 512;
	uint64_t fs = 2048 + sys, f = 1;
	while (f < fs)
		f <<= 1;
	o->fixed_stack = f;
	if (minor <= 4)
		o->stack_orders = 3;
	else
		o->stack_orders = 4 -
				  (unsigned)(ptr / 4) * is_windows(&m->cfg) -
				  is_plan9(&m->cfg);
	const struct hg_sizeclasses *t = o->sc.t;
	m->stats.nsize_classes = t->nclasses;
	for (unsigned c = 0; c < t->nclasses; c++) {
		m->stats.size_classes[c].size = t->size[c];
		m->stats.size_classes[c].npages = t->npages[c];
	}
	m->obj = o;
	return HG_OK;
}

void hg_objects_release(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	if (!o)
		return;
	while (o->all) {
		struct hg_mspan *s = o->all;
		o->all = s->allnext;
		free(s->bits);
		free(s->tinyref);
		free(s->stackfree);
		free(s);
	}
	for (unsigned i = 0; i < o->nps; i++)
		free(o->ps[i]);
	free(o->ps);
	free(o);
	m->obj = NULL;
}

/* Go: allocation of an mspan (fixalloc) and (*mspan).init. */
struct hg_mspan *hg_mspan_new(struct hg_model *m, hg_addr base, uint64_t npages,
			      uint16_t spc, uint64_t elemsize, uint32_t nelems,
			      bool manual)
{
	struct hg_objects *o = m->obj;
	struct hg_mspan *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->base = base;
	s->npages = npages;
	s->spc = spc;
	s->elemsize = elemsize;
	s->nelems = nelems;
	s->manual = manual;
	s->cached_by = -1;
	if (manual) {
		s->stackfree = calloc(nelems, sizeof(*s->stackfree));
		if (!s->stackfree) {
			free(s);
			return NULL;
		}
	} else {
		size_t nwords = (nelems + 63) / 64;
		s->bits = calloc(2 * nwords, sizeof(*s->bits));
		/* Tiny blocks live in the tiny span class (before go1.9 in
		 * size class 2, shared with 16-byte scan objects). */
		bool tiny = hg_spc_sizeclass(spc) == HG_TINY_SIZE_CLASS &&
			    (!o->span_classes || (spc & 1));
		if (tiny)
			s->tinyref = calloc(nelems, 1);
		if (!s->bits || (tiny && !s->tinyref)) {
			free(s->bits);
			free(s->tinyref);
			free(s);
			return NULL;
		}
		uint64_t bytes = npages * m->cfg.page_size;
		o->obj_span_bytes += bytes;
		unsigned c = hg_spc_sizeclass(spc);
		if (c != 0) {
			m->stats.size_classes[c].spans++;
			m->stats.size_classes[c].free += nelems;
			o->free_slot_bytes += nelems * elemsize;
		}
		/* Go: initSpan's bits (runtime_meta.c); a modeled out of
		 * memory or host failure is reported by the op. */
		(void)hg_rtmeta_init_span(m, nelems);
	}
	s->allnext = o->all;
	if (o->all)
		o->all->allprev = s;
	o->all = s;
	return s;
}

/* The span goes away (its pages were handed back to the page heap). */
void hg_mspan_destroy(struct hg_model *m, struct hg_mspan *s)
{
	struct hg_objects *o = m->obj;
	if (!s->manual) {
		hg_span_count(m, s, 0);
		o->obj_span_bytes -= s->npages * m->cfg.page_size;
		unsigned c = hg_spc_sizeclass(s->spc);
		if (c != 0) {
			m->stats.size_classes[c].spans--;
			m->stats.size_classes[c].free -= s->nelems;
			o->free_slot_bytes -= s->nelems * s->elemsize;
		}
	}
	/* A P's pending swept span (mgcsweep.c) that goes away by another
	 * way is no longer pending. */
	if (o->swept_span == s)
		o->swept_span = NULL;
	for (unsigned i = 0; i < o->nps; i++)
		if (o->ps[i] && o->ps[i]->swept_span == s)
			o->ps[i]->swept_span = NULL;
	if (s->allprev)
		s->allprev->allnext = s->allnext;
	else
		o->all = s->allnext;
	if (s->allnext)
		s->allnext->allprev = s->allprev;
	free(s->bits);
	free(s->tinyref);
	free(s->stackfree);
	free(s);
}

/*
 * hg_span_count sets a heap span's allocCount to n and keeps the figures
 * that depend on it: HeapAlloc, HeapObjects, the size class's objects and
 * free slots, and the bytes of partly allocated spans.
 */
void hg_span_count(struct hg_model *m, struct hg_mspan *s, uint32_t n)
{
	struct hg_objects *o = m->obj;
	uint32_t old = s->alloc_count;
	if (old == n)
		return;
	uint64_t bytes = s->npages * m->cfg.page_size;
	bool was_partial = old > 0 && old < s->nelems;
	bool is_partial = n > 0 && n < s->nelems;
	if (was_partial && !is_partial)
		o->partial_bytes -= bytes;
	else if (is_partial && !was_partial)
		o->partial_bytes += bytes;
	o->heap_alloc += (uint64_t)n * s->elemsize;
	o->heap_alloc -= (uint64_t)old * s->elemsize;
	o->heap_objects += n;
	o->heap_objects -= old;
	unsigned c = hg_spc_sizeclass(s->spc);
	if (c != 0) {
		struct hg_size_class_stats *cs = &m->stats.size_classes[c];
		cs->objects += n;
		cs->objects -= old;
		cs->free += old;
		cs->free -= n;
		o->free_slot_bytes += (uint64_t)old * s->elemsize;
		o->free_slot_bytes -= (uint64_t)n * s->elemsize;
	}
	s->alloc_count = n;
}

/* ------------------------------------------------------------------ */
/* Ps                                                                  */
/* ------------------------------------------------------------------ */

int hg_objects_proc(struct hg_model *m, uint64_t p, char *err, size_t errlen)
{
	struct hg_objects *o = m->obj;
	uint64_t limit = m->cfg.gomaxprocs ? m->cfg.gomaxprocs : HG_MAX_PROCS;
	if (p >= limit) {
		if (m->cfg.gomaxprocs)
			return hg_errorf(err, errlen, HG_ETRACE,
					 "proc: P %" PRIu64
					 " is not below gomaxprocs=%u",
					 p, m->cfg.gomaxprocs);
		return hg_errorf(err, errlen, HG_ETRACE,
				 "proc: P %" PRIu64 " is not below %u", p,
				 HG_MAX_PROCS);
	}
	o->curp = (unsigned)p;
	return HG_OK;
}

/* The P the events run on, made when first used (Go: procresize). */
struct hg_p *hg_objects_curp(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	unsigned p = o->curp;
	if (p >= o->ps_cap) {
		unsigned cap = o->ps_cap ? o->ps_cap : 4;
		while (cap <= p)
			cap *= 2;
		struct hg_p **ps = realloc(o->ps, cap * sizeof(*ps));
		if (!ps)
			return NULL;
		memset(ps + o->ps_cap, 0, (cap - o->ps_cap) * sizeof(*ps));
		o->ps = ps;
		o->ps_cap = cap;
	}
	if (!o->ps[p]) {
		o->ps[p] = calloc(1, sizeof(struct hg_p));
		if (!o->ps[p])
			return NULL;
	}
	if (p >= o->nps)
		o->nps = p + 1;
	return o->ps[p];
}

/* ------------------------------------------------------------------ */
/* mallocgc                                                            */
/* ------------------------------------------------------------------ */

static int put_object(struct hg_model *m, const char *id, hg_addr a,
		      struct hg_mspan *s, uint32_t kind)
{
	struct hg_idval v = { a, (uint64_t)(uintptr_t)s, kind };
	(void)id; /* entered by hg_model_apply */
	return hg_model_id_put(m, &v);
}

/* The slot of s that holds address a. */
static uint32_t slot_of(const struct hg_mspan *s, hg_addr a)
{
	return (uint32_t)((a - s->base) / s->elemsize);
}

static void set_live(struct hg_mspan *s, uint32_t i)
{
	size_t nwords = (s->nelems + 63) / 64;
	s->bits[nwords + i / 64] |= 1ull << (i % 64);
	s->live_count++;
}

static void clear_live(struct hg_mspan *s, uint32_t i)
{
	size_t nwords = (s->nelems + 63) / 64;
	s->bits[nwords + i / 64] &= ~(1ull << (i % 64));
	s->live_count--;
}

/* Go: mallocgcTiny (go1.24+; the tiny path of mallocgc before). */
static int malloc_tiny(struct hg_model *m, struct hg_mcache *c,
		       const struct hg_op *op, struct hg_op_result *res)
{
	struct hg_objects *o = m->obj;
	uint64_t size = op->size, off = c->tinyoffset;
	if ((size & 7) == 0)
		off = HG_ALIGN_UP(off, 8);
	else if (o->ptr32 && size == 12 && o->go_minor >= 16)
		off = HG_ALIGN_UP(off, 8); /* 5756b35601 */
	else if ((size & 3) == 0)
		off = HG_ALIGN_UP(off, 4);
	else if ((size & 1) == 0)
		off = HG_ALIGN_UP(off, 2);
	if (off + size <= HG_TINY_SIZE && c->tiny != 0) {
		/* The object fits into the current tiny block. */
		struct hg_mspan *s = c->tiny_span;
		hg_addr x = c->tiny + off;
		c->tinyoffset = off + size;
		uint32_t i = slot_of(s, c->tiny);
		if (s->tinyref[i]++ == 0)
			set_live(s, i);
		res->addr = x;
		res->elemsize = 0;
		return put_object(m, op->id, x, s, HG_ID_OBJ_TINY);
	}
	/* Allocate a new tiny block (Go: tinySpanClass). */
	uint16_t spc = HG_TINY_SIZE_CLASS << 1 | (o->span_classes ? 1 : 0);
	struct hg_mspan *s = NULL;
	int rc = HG_OK;
	hg_addr x = hg_mcache_next_free(m, c, spc, &s, res, &rc);
	if (!x)
		return rc ? rc : HG_EOOM;
	s->tinyref[slot_of(s, x)] = 1;
	/* Keep the block with more room left (Go: size < c.tinyoffset). */
	if (size < c->tinyoffset || c->tiny == 0) {
		c->tiny = x;
		c->tinyoffset = size;
		c->tiny_span = s;
	}
	res->addr = x;
	res->elemsize = HG_TINY_SIZE;
	int prc = put_object(m, op->id, x, s, HG_ID_OBJ_TINY);
	return rc ? rc : prc;
}

/* Go: mallocgcLarge and (*mcache).allocLarge. */
static int malloc_large(struct hg_model *m, const struct hg_op *op,
			struct hg_op_result *res)
{
	uint64_t page = m->cfg.page_size;
	uint64_t npages = op->size / page + (op->size % page != 0);
	hg_swept_span_settle(m);      /* not cacheSpan's sweep (mgcsweep.c) */
	int rc = hg_sweep_reclaim(m); /* Go: mheap.alloc's reclaim */
	if (rc)
		return rc;
	rc = hg_mheap_alloc_span(m, npages, res);
	if (!res->addr)
		return rc ? rc : HG_EOOM;
	uint16_t spc = op->noscan && m->obj->span_classes ? 1 : 0;
	struct hg_mspan *s = hg_mspan_new(m, res->addr, npages, spc,
					  npages * page, 1, false);
	if (!s)
		return HG_ENOMEM;
	hg_mspan_alloc_slot(s);
	hg_span_count(m, s, 1);
	hg_heap_live_add(m->obj, npages * page);
	m->obj->refilled = true;
	/* Go: the span joins its mcentral's full swept set for the sweeper
	 * (go1.15+; before, the heap's sweep list). */
	struct hg_span_list *l = hg_mcentral_swept(m, spc, true);
	hg_list_insert_back(l, s);
	s->where = HG_SW_FULL;
	/* Go: the spanSet push's spine and block (runtime_meta.c). */
	int mrc = hg_rtmeta_spanset_push(m, l);
	if (mrc && !rc)
		rc = mrc;
	res->new_span = true;
	res->span_base = res->addr;
	res->elemsize = npages * page;
	int prc = put_object(m, op->id, res->addr, s, HG_ID_OBJ_LARGE);
	return rc ? rc : prc;
}

/*
 * Go: mallocgc. Objects of up to 32 KiB (less the 8-byte malloc header
 * from go1.22) are small: noscan ones under 16 bytes go to the tiny
 * allocator, the others to a slot of their size class's span in the P's
 * mcache (go1.22+: objects with pointers above 512 bytes, 128 on 32-bit,
 * carry the header and need 8 bytes more). Larger objects get a span of
 * their own.
 */
static int mallocgc(struct hg_model *m, const struct hg_op *op,
		    struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_objects *o = m->obj;
	(void)err;
	(void)errlen;
	struct hg_p *p = hg_objects_curp(m);
	if (!p)
		return HG_ENOMEM;
	struct hg_mcache *c = &p->mcache;
	uint64_t size = op->size;
	uint64_t max_small = HG_MAX_SMALL_SIZE;
	if (o->malloc_header)
		max_small -= HG_MALLOC_HEADER;
	if (size > max_small)
		return malloc_large(m, op, res);
	if (op->noscan && size < HG_TINY_SIZE)
		return malloc_tiny(m, c, op, res);
	uint64_t header_min = o->ptr32 ? 128 : HG_MIN_SIZE_FOR_HEADER;
	if (o->malloc_header && !op->noscan && size > header_min)
		size += HG_MALLOC_HEADER;
	unsigned sizeclass = hg_size_to_class(&o->sc, size);
	uint16_t spc = (uint16_t)(sizeclass << 1 |
				  (op->noscan && o->span_classes ? 1 : 0));
	struct hg_mspan *s = NULL;
	int rc = HG_OK;
	hg_addr x = hg_mcache_next_free(m, c, spc, &s, res, &rc);
	if (!x)
		return rc ? rc : HG_EOOM;
	res->addr = x;
	res->elemsize = s->elemsize;
	int prc = put_object(m, op->id, x, s, HG_ID_OBJ);
	return rc ? rc : prc;
}

int hg_mallocgc(struct hg_model *m, const struct hg_op *op,
		struct hg_op_result *res, char *err, size_t errlen)
{
	int rc = mallocgc(m, op, res, err, errlen);
	/* The last sweep's span was not cacheSpan's for this object: some
	 * other sweeper swept it (mgcsweep.c). */
	hg_swept_span_settle(m);
	return rc;
}

/*
 * The object is dead: the GC will not mark it. Its slot stays allocated
 * until the next sweep (a tiny block until every object in it is dead).
 * A swept del is that sweep, now (hg_mspan_sweep_slot).
 */
int hg_object_del(struct hg_model *m, const struct hg_op *op,
		  struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_idval v = m->id_ended; /* removed by hg_model_apply */
	(void)err;
	(void)errlen;
	struct hg_mspan *s = (struct hg_mspan *)(uintptr_t)v.b;
	uint32_t i = slot_of(s, v.a);
	res->addr = v.a;
	res->elemsize = v.kind == HG_ID_OBJ_TINY ? 0 : s->elemsize;
	if (v.kind == HG_ID_OBJ_TINY && --s->tinyref[i] != 0)
		return HG_OK;
	clear_live(s, i);
	if (op->swept) {
		/* The sweeper frees only what the last cycle did not mark. */
		struct hg_objects *o = m->obj;
		o->heap_marked -= o->heap_marked < s->elemsize ? o->heap_marked
							       : s->elemsize;
		hg_heap_live_sub(o, s->elemsize);
		hg_mspan_sweep_slot(m, s, i);
	}
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Invariants                                                          */
/* ------------------------------------------------------------------ */

struct obj_count {
	struct hg_model *m;
	uint64_t objects, tiny, stacks;
	int bad;
	char *err;
	size_t errlen;
};

static void count_object(void *arg, const char *id, const struct hg_idval *v)
{
	struct obj_count *oc = arg;
	const struct hg_mspan *s = (const struct hg_mspan *)(uintptr_t)v->b;
	if (oc->bad)
		return;
	uint32_t i = slot_of(s, v->a);
	size_t nwords = (s->nelems + 63) / 64;
	bool live = s->bits[nwords + i / 64] >> (i % 64) & 1;
	if (v->a < s->base || i >= s->nelems || !live) {
		hg_errorf(oc->err, oc->errlen, HG_EINVAL,
			  "object '%s' at %#" PRIx64 " is not a live slot of "
			  "its span at %#" PRIx64,
			  id, v->a, s->base);
		oc->bad = 1;
	}
	if (v->kind == HG_ID_OBJ_TINY)
		oc->tiny++;
	else
		oc->objects++;
}

static int popcount_range(const uint64_t *w, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += __builtin_popcountll(w[i]);
	return c;
}

/* Walks one span list: every span on it says so, and the links agree. */
static int check_list(const struct hg_span_list *l, uint8_t where, int spc,
		      uint64_t *n, const char *what, char *err, size_t errlen)
{
	uint64_t k = 0;
	const struct hg_mspan *prev = NULL;
	for (const struct hg_mspan *s = l->first; s; s = s->next) {
		if (s->where != where || (spc >= 0 && s->spc != spc) ||
		    s->prev != prev || ++k > l->n)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s list: span %#" PRIx64
					 " is not linked as it says",
					 what, s->base);
		prev = s;
	}
	if (k != l->n || l->last != prev)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%s list: %" PRIu64 " spans linked, %" PRIu64
				 " counted",
				 what, k, l->n);
	*n += k;
	return HG_OK;
}

/*
 * The mcentrals' sets (between events the unswept ones are empty), the
 * stack pool, and the mcaches: each span is on the list it says it is on.
 */
static int check_lists(struct hg_model *m, char *err, size_t errlen)
{
	struct hg_objects *o = m->obj;
	uint64_t on_lists = 0, claim = 0, cached = 0;
	unsigned swept = o->span_sets ? (o->sweepgen / 2) % 2 : 0;
	for (int spc = 0; spc < HG_SPAN_CLASSES; spc++) {
		const struct hg_mcentral *c = &o->central[spc];
		for (unsigned i = 0; i < 2; i++) {
			if (i != swept && (c->partial[i].n || c->full[i].n))
				return hg_errorf(err, errlen, HG_EINVAL,
						 "span class %d has unswept "
						 "spans between events",
						 spc);
			if (check_list(&c->partial[i], HG_SW_PARTIAL, spc,
				       &on_lists, "partial", err, errlen) ||
			    check_list(&c->full[i], HG_SW_FULL, spc, &on_lists,
				       "full", err, errlen))
				return HG_EINVAL;
		}
	}
	for (unsigned k = 0; k < o->stack_orders; k++)
		if (check_list(&o->stackpool[k], HG_SW_STACKPOOL, -1, &on_lists,
			       "stack pool", err, errlen))
			return HG_EINVAL;
	for (unsigned p = 0; p < o->nps; p++) {
		if (!o->ps[p])
			continue;
		for (int spc = 0; spc < HG_SPAN_CLASSES; spc++) {
			const struct hg_mspan *s = o->ps[p]->mcache.alloc[spc];
			if (s && (s->where != HG_SW_CACHED ||
				  s->cached_by != (int32_t)p || s->spc != spc))
				return hg_errorf(err, errlen, HG_EINVAL,
						 "P %u caches span %#" PRIx64
						 " that says otherwise",
						 p, s->base);
			cached += s != NULL;
		}
	}
	uint64_t ncached = 0;
	for (const struct hg_mspan *s = o->all; s; s = s->allnext) {
		if (s->where == HG_SW_PARTIAL || s->where == HG_SW_FULL ||
		    s->where == HG_SW_STACKPOOL)
			claim++;
		else if (s->where == HG_SW_CACHED)
			ncached++;
	}
	if (claim != on_lists || ncached != cached)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%" PRIu64 " spans on lists but %" PRIu64
				 " say so; %" PRIu64 " cached but %" PRIu64
				 " say so",
				 on_lists, claim, cached, ncached);
	return HG_OK;
}

/*
 * hg_objects_check recounts the object layer: slots against the live
 * objects, each span's counts against its bitmaps and its list, the
 * figures against the spans, stack spans against StackInuse.
 */
int hg_objects_check(struct hg_model *m, char *err, size_t errlen)
{
	struct hg_objects *o = m->obj;
	if (!o) {
		if (m->objects.count || m->stacks.count || m->hs.in_stacks) {
			return hg_errorf(err, errlen, HG_EINVAL,
					 "objects without an object layer");
		}
		return HG_OK;
	}
	uint64_t page = m->cfg.page_size;
	uint64_t heap_bytes = 0, stack_bytes = 0, alloc = 0, objects = 0;
	uint64_t partial = 0, free_slots = 0, live = 0, tinyrefs = 0;
	uint64_t tiny_blocks = 0;
	uint64_t cspans[HG_SIZE_CLASSES_MAX] = { 0 };
	uint64_t cobjs[HG_SIZE_CLASSES_MAX] = { 0 };
	uint64_t cslots[HG_SIZE_CLASSES_MAX] = { 0 };
	for (const struct hg_mspan *s = o->all; s; s = s->allnext) {
		uint64_t bytes = s->npages * page;
		if (s->manual) {
			stack_bytes += bytes;
			if (s->alloc_count + s->nfree_stacks != s->nelems) {
				return hg_errorf(err, errlen, HG_EINVAL,
						 "stack span %#" PRIx64
						 ": %u stacks "
						 "and %u free of %u",
						 s->base, s->alloc_count,
						 s->nfree_stacks, s->nelems);
			}
			continue;
		}
		heap_bytes += bytes;
		size_t nwords = (s->nelems + 63) / 64;
		int na = popcount_range(s->bits, nwords);
		int nl = popcount_range(s->bits + nwords, nwords);
		for (size_t w = 0; w < nwords; w++) {
			if (s->bits[nwords + w] & ~s->bits[w]) {
				return hg_errorf(err, errlen, HG_EINVAL,
						 "span %#" PRIx64
						 ": a live object in "
						 "a free slot",
						 s->base);
			}
		}
		if ((uint32_t)na != s->alloc_count ||
		    (uint32_t)nl != s->live_count) {
			return hg_errorf(
				err, errlen, HG_EINVAL,
				"span %#" PRIx64 ": allocCount %u and %u live "
				"but the bitmaps count %d and %d",
				s->base, s->alloc_count, s->live_count, na, nl);
		}
		if (s->tinyref) {
			for (uint32_t i = 0; i < s->nelems; i++) {
				bool l = s->bits[nwords + i / 64] >> (i % 64) &
					 1;
				bool tl = s->tinyref[i] != 0;
				tinyrefs += s->tinyref[i];
				tiny_blocks += tl;
				/* A 16-byte scan object shares the class
				 * before go1.9: live, with no tiny count. */
				if (tl && !l) {
					return hg_errorf(
						err, errlen, HG_EINVAL,
						"span %#" PRIx64 ": tiny block "
						"%u holds objects but is not "
						"live",
						s->base, i);
				}
			}
		}
		bool full = s->alloc_count == s->nelems;
		bool ok_list = true;
		if (s->where == HG_SW_CACHED)
			ok_list =
				s->cached_by >= 0 &&
				(unsigned)s->cached_by < o->nps &&
				o->ps[s->cached_by]->mcache.alloc[s->spc] == s;
		else if (o->span_sets && s->where == HG_SW_PARTIAL)
			ok_list = !full;
		else if (o->span_sets && s->where == HG_SW_FULL)
			ok_list = full;
		else if (s->where != HG_SW_PARTIAL && s->where != HG_SW_FULL)
			ok_list = false;
		/* An emptied span waits for the sweep's next event. */
		if (!ok_list ||
		    (s->alloc_count == 0 && (!hg_swept_span_pending(o, s) ||
					     s->where != HG_SW_PARTIAL))) {
			return hg_errorf(err, errlen, HG_EINVAL,
					 "span %#" PRIx64
					 " (class %u, %u of %u "
					 "allocated) is on the wrong list (%d)",
					 s->base, hg_spc_sizeclass(s->spc),
					 s->alloc_count, s->nelems, s->where);
		}
		alloc += (uint64_t)s->alloc_count * s->elemsize;
		objects += s->alloc_count;
		live += s->live_count;
		if (s->alloc_count > 0 && s->alloc_count < s->nelems)
			partial += bytes;
		unsigned c = hg_spc_sizeclass(s->spc);
		if (c != 0) {
			free_slots += (uint64_t)(s->nelems - s->alloc_count) *
				      s->elemsize;
			cspans[c]++;
			cobjs[c] += s->alloc_count;
			cslots[c] += s->nelems;
			if (s->nelems !=
			    hg_span_nelems(o, s->spc, bytes, s->elemsize)) {
				return hg_errorf(
					err, errlen, HG_EINVAL,
					"span %#" PRIx64 ": %u slots of "
					"%" PRIu64 " bytes, not its "
					"class's",
					s->base, s->nelems, s->elemsize);
			}
		}
	}
	if (check_lists(m, err, errlen))
		return HG_EINVAL;
	struct obj_count oc = { m, 0, 0, 0, 0, err, errlen };
	hg_idmap_each(&m->objects, count_object, &oc);
	if (oc.bad)
		return HG_EINVAL;
	/* Every live slot holds a live object, or is a tiny block. */
	if (oc.tiny != tinyrefs || live != oc.objects + tiny_blocks) {
		return hg_errorf(
			err, errlen, HG_EINVAL,
			"%" PRIu64 " objects and %" PRIu64 " tiny objects, but "
			"the spans have %" PRIu64
			" live slots and count %" PRIu64
			" tiny objects in %" PRIu64 " blocks",
			oc.objects, oc.tiny, live, tinyrefs, tiny_blocks);
	}
	if (alloc != o->heap_alloc || objects != o->heap_objects ||
	    partial != o->partial_bytes || free_slots != o->free_slot_bytes ||
	    heap_bytes != o->obj_span_bytes) {
		return hg_errorf(err, errlen, HG_EINVAL,
				 "object figures differ from the spans: "
				 "HeapAlloc %" PRIu64 "/%" PRIu64
				 ", HeapObjects %" PRIu64 "/%" PRIu64
				 ", partial %" PRIu64 "/%" PRIu64
				 ", free slots %" PRIu64 "/%" PRIu64
				 ", span bytes %" PRIu64 "/%" PRIu64,
				 o->heap_alloc, alloc, o->heap_objects, objects,
				 o->partial_bytes, partial, o->free_slot_bytes,
				 free_slots, o->obj_span_bytes, heap_bytes);
	}
	for (unsigned c = 1; c < o->sc.t->nclasses; c++) {
		const struct hg_size_class_stats *cs =
			&m->stats.size_classes[c];
		if (cs->spans != cspans[c] || cs->objects != cobjs[c] ||
		    cs->free != cslots[c] - cobjs[c]) {
			return hg_errorf(
				err, errlen, HG_EINVAL,
				"size class %u: %" PRIu64 " spans, %" PRIu64
				" objects by its counters, %" PRIu64
				" and %" PRIu64 " in the spans",
				c, cs->spans, cs->objects, cspans[c], cobjs[c]);
		}
	}
	if (stack_bytes != m->hs.in_stacks) {
		return hg_errorf(err, errlen, HG_EINVAL,
				 "StackInuse is %" PRIu64
				 " but the stack spans hold %" PRIu64,
				 m->hs.in_stacks, stack_bytes);
	}
	return HG_OK;
}
