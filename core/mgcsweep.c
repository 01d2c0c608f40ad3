/*
 * mgcsweep.c - a GC cycle as the object layer sees it (Go: runtime/mgc.go
 * gcMarkTermination, mgcsweep.go (*mspan).sweep and the background
 * sweeper's order).
 *
 * The `gc` event is a whole cycle: the dead objects are not marked; at
 * mark termination sweepgen advances and every P flushes its mcache and
 * its stack cache (a trace's gc: the stack caches after the GC
 * goroutine's own stack events); then every span is swept before the next
 * event (the model finishes the concurrent sweep at once, as if the
 * background sweeper ran to completion). Sweeping frees the slots of dead
 * objects and hands a span with no live object back to the page heap. A
 * swept del (a real trace's free) is the sweep of one slot, at the del;
 * the span its sweep leaves empty goes back at the next event, unless
 * that event is the refill cacheSpan swept it for.
 */
#include "mspan.h"

#include <string.h>
#include <stdlib.h>

/*
 * Go: (*sweepLocked).sweep (go1.15+; (*mspan).sweep before): the mark bits
 * become the allocation bits, freeindex restarts at 0, and an empty span
 * goes back to the page heap (mheap.freeSpan). preserve = false: the span
 * then joins its mcentral's swept partial or full set; before go1.15 it
 * stays on its list, moving from the empty to the front of the nonempty
 * list when it was full and has free slots now.
 */
void hg_mspan_sweep(struct hg_model *m, struct hg_mspan *s, bool preserve)
{
	struct hg_objects *o = m->obj;
	size_t nwords = (s->nelems + 63) / 64;
	/* Go: the new gcmarkBits (runtime_meta.c); failures are reported by
	 * the op, as in hg_mspan_new. */
	(void)hg_rtmeta_sweep_span(m, s->nelems);
	s->silent = false;
	s->marked = false; /* Go: pageMarks cleared for the next cycle */
	s->reclaim = false;
	memcpy(s->bits, s->bits + nwords, nwords * sizeof(*s->bits));
	s->freeindex = 0;
	uint32_t nalloc = s->live_count;
	bool was_full = s->alloc_count == s->nelems;
	hg_span_count(m, s, nalloc);
	s->gen = o->sweepgen;
	if (preserve)
		return;
	bool on_list = s->where == HG_SW_PARTIAL || s->where == HG_SW_FULL;
	struct hg_span_list *l = NULL;
	if (on_list)
		l = hg_mcentral_swept(m, s->spc, s->where == HG_SW_FULL);
	if (nalloc == 0) {
		if (on_list)
			hg_list_remove(l, s);
		hg_mheap_free_span(m, s->base, s->npages);
		hg_mspan_destroy(m, s);
		return;
	}
	bool full = nalloc == s->nelems;
	if (o->span_sets || !on_list) {
		if (on_list)
			hg_list_remove(l, s);
		l = hg_mcentral_swept(m, s->spc, full);
		hg_list_insert_back(l, s);
		s->where = full ? HG_SW_FULL : HG_SW_PARTIAL;
		/* Go: the spanSet push (runtime_meta.c). */
		(void)hg_rtmeta_spanset_push(m, l);
		return;
	}
	/* Go: (*mcentral).freeSpan before go1.15, wasempty. */
	if (was_full && !full && hg_spc_sizeclass(s->spc) != 0) {
		hg_list_remove(l, s);
		hg_list_insert(hg_mcentral_swept(m, s->spc, false), s);
		s->where = HG_SW_PARTIAL;
	}
}

/* is_current_tiny tells whether the tiny block at a is some P's current
 * tiny block (Go: mcache.tiny), which the mcache still hands out. */
static bool is_current_tiny(const struct hg_objects *o, hg_addr a)
{
	for (unsigned i = 0; i < o->nps; i++) {
		if (o->ps[i] && o->ps[i]->mcache.tiny == a)
			return true;
	}
	return false;
}

/* The pending swept span of the P the events run on (the model's own
 * slot if that P cannot be made: out of host memory). */
static struct hg_mspan **swept_slot(struct hg_model *m)
{
	struct hg_p *p = hg_objects_curp(m);
	return p ? &p->swept_span : &m->obj->swept_span;
}

/* Settles one pending swept span: an empty one goes back to the heap. */
static void settle_slot(struct hg_model *m, struct hg_mspan **slot)
{
	struct hg_mspan *s = *slot;
	*slot = NULL;
	if (!s || s->alloc_count != 0 || s->where != HG_SW_PARTIAL)
		return;
	hg_list_remove(hg_mcentral_swept(m, s->spc, false), s);
	hg_mheap_free_span(m, s->base, s->npages);
	hg_mspan_destroy(m, s);
}

/*
 * A swept del: the sweeper found the object in slot i dead and frees its
 * slot now (Go: mgcsweep.go (*sweepLocked).sweep, go1.19 and go1.26, which
 * traces each dead object it frees; real traces record their frees there).
 * As the sweep of the span does, freeindex restarts at 0, a span left with
 * no object goes back to the page heap at once (mheap.freeSpan) and a full
 * one with a free slot now joins its mcentral's swept partial set (before
 * go1.15, the front of the nonempty list). The caller has cleared the
 * slot's mark bit.
 *
 * Go never sweeps a span an mcache holds; a trace may still free into one
 * (the model's spans are not the runtime's): the slot is freed, the span
 * stays cached (its slots below freeindex are found when it is next
 * cached) unless it is left empty, and then it goes back too. The current
 * tiny block of a P keeps its slot until the next gc, as a plain del does.
 */
void hg_mspan_sweep_slot(struct hg_model *m, struct hg_mspan *s, uint32_t i)
{
	struct hg_objects *o = m->obj;
	struct hg_mspan **slot = swept_slot(m);
	if (*slot && *slot != s)
		settle_slot(m, slot); /* this P's sweep of another span */
	if (s->tinyref && is_current_tiny(o, s->base + i * s->elemsize))
		return;
	s->bits[i / 64] &= ~(1ull << (i % 64));
	hg_span_count(m, s, s->alloc_count - 1);
	if (s->where == HG_SW_CACHED) {
		if (s->alloc_count > 0)
			return;
		struct hg_mcache *c = &o->ps[s->cached_by]->mcache;
		c->alloc[s->spc] = NULL;
		if (c->tiny_span == s)
			c->tiny_span = NULL;
		s->cached_by = -1;
		hg_mheap_free_span(m, s->base, s->npages);
		hg_mspan_destroy(m, s);
		return;
	}
	s->freeindex = 0;
	bool was_full = s->where == HG_SW_FULL;
	struct hg_span_list *l = hg_mcentral_swept(m, s->spc, was_full);
	bool small = hg_spc_sizeclass(s->spc) != 0;
	if (s->alloc_count == 0 && !small) {
		hg_list_remove(l, s);
		hg_mheap_free_span(m, s->base, s->npages);
		hg_mspan_destroy(m, s);
		return;
	}
	/* An emptied small span waits for the sweep's next event
	 * (hg_swept_span_settle). */
	if (small)
		*swept_slot(m) = s;
	hg_span_unsilence(m, s);
	if (!was_full)
		return;
	hg_list_remove(l, s);
	struct hg_span_list *pl = hg_mcentral_swept(m, s->spc, false);
	struct hg_mspan *at = o->central[s->spc].first_silent;
	if (o->span_sets && at)
		hg_list_insert_before(pl, at, s);
	else if (o->span_sets)
		hg_list_insert_back(pl, s);
	else
		hg_list_insert(pl, s);
	s->where = HG_SW_PARTIAL;
}

/*
 * A span's sweep is seen (a swept del), or it leaves the swept partial
 * set: it is no longer silent, and its mcentral's first silent span moves
 * on along the set (silent spans are only made at a gc, so the walk is
 * amortized over the cycle).
 */
void hg_span_unsilence(struct hg_model *m, struct hg_mspan *s)
{
	if (!s->silent)
		return;
	s->silent = false;
	struct hg_mcentral *c = &m->obj->central[s->spc];
	if (c->first_silent != s)
		return;
	struct hg_mspan *t = s->next;
	while (t && !t->silent)
		t = t->next;
	c->first_silent = t;
}

/*
 * Who swept the span of the last swept dels shows in the next event. Go:
 * (*mcentral).cacheSpan sweeps an unswept span of its class with
 * preserve = true ((*sweepLocked).sweep(true), go1.15+; (*mspan).sweep
 * before) and hands it to the mcache that asked, even when no object in
 * it is left; so a refill of that span class right after the span's frees
 * gets that span (hg_swept_span_take). Every other sweeper (the
 * background sweeper, sweepone from deductSweepCredit, the reclaimer,
 * runtime.GC's sweep) frees a span it leaves empty to the page heap
 * (mheap.freeSpan): hg_swept_span_settle does that, at any other event.
 * Each P has its own pending span: a sweep runs on one M, whose P's next
 * event tells; the sweeps another P makes meanwhile (the background
 * sweeper on the other P, tree-go126-p2 event 50436: P1's cacheSpan
 * sweeps an 18 KiB span empty while bgsweep frees 170 objects on P0, then
 * P1 allocates from it) and the P switches between them do not settle it.
 */
void hg_swept_span_settle(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	settle_slot(m, &o->swept_span);
	for (unsigned i = 0; i < o->nps; i++)
		if (o->ps[i])
			settle_slot(m, &o->ps[i]->swept_span);
}

/* s is a P's pending swept span (the model checker's view). */
bool hg_swept_span_pending(const struct hg_objects *o, const struct hg_mspan *s)
{
	if (o->swept_span == s)
		return true;
	for (unsigned i = 0; i < o->nps; i++)
		if (o->ps[i] && o->ps[i]->swept_span == s)
			return true;
	return false;
}

/* Go: (*mcentral).cacheSpan's own sweep: the span it swept for a refill
 * of span class spc, taken off its partial set; NULL (the pending span
 * settled) when the last sweep was of another class. */
struct hg_mspan *hg_swept_span_take(struct hg_model *m, uint16_t spc)
{
	struct hg_mspan **slot = swept_slot(m);
	struct hg_mspan *s = *slot;
	if (!s || s->spc != spc || s->where != HG_SW_PARTIAL) {
		hg_swept_span_settle(m);
		return NULL;
	}
	*slot = NULL;
	hg_list_remove(hg_mcentral_swept(m, spc, false), s);
	s->where = HG_SW_NONE;
	return s;
}

/* Clears every P's stack cache (Go: stackcache_clear from
 * prepareForSweep). */
static void clear_stackcaches(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	o->stackcache_pending = false;
	for (unsigned i = 0; i < o->nps; i++) {
		if (o->ps[i])
			hg_stackcache_clear(m, &o->ps[i]->mcache);
	}
}

/*
 * What an event settles before it applies: the Ps' last sweeps' spans
 * (unless the event is a swept del or a new, which settle them
 * themselves, a P switch, or the clock or the tracer's start), and the
 * stack caches a trace's gc left.
 * Go: gcMarkTermination emits GCEnd (traceGCDone) before it starts the
 * world, then frees the stack spans (freeStackSpans) and runs
 * prepareForSweep on every P (the stack caches cleared with the GC off,
 * so emptied stack spans go back to the heap): the stack events between
 * (the GC goroutine's own stack growing, its old stack freed into the P's
 * stack cache) and GC work buffers come before the clearing, anything
 * else after it (go1.19 and go1.26 alike).
 */
void hg_sweep_settle(struct hg_model *m, const struct hg_op *op)
{
	struct hg_objects *o = m->obj;
	enum hg_op_kind k = op->kind;
	if (k == HG_OP_TIME || k == HG_OP_TRACESTART || k == HG_OP_BGSCAV ||
	    k == HG_OP_RUNNING)
		return;
	if (o->stackcache_pending && k != HG_OP_STACKALLOC &&
	    k != HG_OP_STACKFREE && k != HG_OP_WBUFALLOC && k != HG_OP_WBUFFREE)
		clear_stackcaches(m);
	if (k != HG_OP_NEW && !(k == HG_OP_DEL && op->swept) && k != HG_OP_PROC)
		hg_swept_span_settle(m);
}

/*
 * The end of an imported gc's sweep, which readies the background
 * scavenger (Go: sweepone's scavenger.ready once nextSpanForSweep finds
 * no span left, go1.19-1.26), seen from the op about to apply. Go's
 * bgsweep frees the cycle's work buffers (freeSomeWbufs) right after its
 * sweepone loop found no span left: in a trace that frees work buffers,
 * while some are live, the sweep is done at the first wbuffree. The
 * program's allocations go on while the background sweeper works on another P
 * (limit-go126-p2-memlimit: the program's allocations on one P from 30.91
 * ms, bgsweep sweeping on the other until 31.25 ms, its wbuffree then,
 * sysmon's wake of the scavenger 23 us later), so a new does not end it
 * then. Otherwise (no work buffer to free, or a trace that records none
 * freed) the first op that frees nothing ends it; the clock, a P change,
 * a stack growth or the tracer's start between its frees do not. The
 * sweep's end also ends the page reclaimer's part (hg_sweep_reclaim).
 */
void hg_sweep_end_check(struct hg_model *m, const struct hg_op *op)
{
	enum hg_op_kind k = op->kind;
	bool frees = k == HG_OP_DEL || k == HG_OP_FREE ||
		     k == HG_OP_STACKFREE || k == HG_OP_WBUFFREE;
	bool other = k == HG_OP_PROC || k == HG_OP_STACKALLOC ||
		     k == HG_OP_TIME || k == HG_OP_TRACESTART ||
		     k == HG_OP_BGSCAV || k == HG_OP_RUNNING;

	if (k == HG_OP_WBUFFREE ||
	    (!frees && !other && !(m->obj->wbuf_freed && m->wbufs.count > 0))) {
		m->obj->reclaim_due = false; /* Go: isSweepDone */
		if (m->obj->scav_ready_due)
			hg_scavenger_sweep_done(m); /* mgcpacer.c */
	}
}

/*
 * Go: the background sweeper from go1.15 (nextSpanForSweep): span class
 * by span class, the unswept full set and then the unswept partial set
 * (sweepClass.split: full when the low bit is 0). A real trace's frees
 * show when a span was swept; a partly allocated span with none is
 * silent: its place on the swept partial set is after the full spans of
 * its class that the sweep freed slots in (hg_mspan_sweep_slot), as the
 * sweeper's order puts it.
 */
static int span_base_cmp(const void *a, const void *b)
{
	hg_addr x = (*(struct hg_mspan *const *)a)->base;
	hg_addr y = (*(struct hg_mspan *const *)b)->base;
	return x < y ? -1 : x > y;
}

/* go1.26: a noscan span class whose spans keep Green Tea's inline mark
 * bits (objects of 16 bytes to heapBitsInSpan's limit). */
static bool reclaims(const struct hg_objects *o, unsigned spc)
{
	uint64_t es;
	if (!o->inline_marks || !(spc & 1) || hg_spc_sizeclass(spc) == 0)
		return false;
	es = o->sc.t->size[hg_spc_sizeclass(spc)];
	return es >= 16 && es <= (o->ptr32 ? 128u : 512u);
}

/*
 * Go: (*mheap).reclaim, from (*mheap).alloc while the sweep is not done
 * (every span the heap allocates, a large object's or mcentral.grow's):
 * it sweeps the in-use spans with no pageMarks bit, in address order,
 * from the arena start, ahead of the background sweeper's class order.
 * Go 1.26's Green Tea GC marks an object of a noscan span with inline
 * mark bits without its pageMarks bit (tryDeferToSpanScan's noscan fast
 * track; only gcmarknewobject, an allocation in the cycle, sets it): so
 * the reclaimer sweeps those spans (limit-go126-p2: after three cycles
 * the real run takes the snapshot's 16-byte noscan span 712000 before
 * P1's a42000, whatever order the cycles' flushes left them in). The
 * first span the heap allocates after an imported gc, while its sweep is
 * not known done (hg_sweep_end_check: Go's isSweepDone), moves them, by
 * address, to the front of their class's silent (swept at the gc)
 * partial spans; a cycle without one leaves the background sweeper's
 * order (the waves recordings: their partial 48-byte spans stay in the
 * sweeper's order, the sweep done before the next span allocation).
 */
int hg_sweep_reclaim(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	struct hg_mspan **v = NULL;
	size_t cap = 0;

	if (!o || !o->reclaim_due)
		return 0;
	o->reclaim_due = false;
	for (unsigned spc = 0; spc < HG_SPAN_CLASSES; spc++) {
		struct hg_mcentral *c = &o->central[spc];
		struct hg_span_list *pl;
		struct hg_mspan *at, *prev;
		size_t n = 0;

		if (!reclaims(o, spc) || !c->first_silent)
			continue;
		pl = hg_mcentral_swept(m, spc, false);
		for (struct hg_mspan *t = c->first_silent; t; t = t->next) {
			if (!t->reclaim || !t->silent)
				continue;
			if (n == cap) {
				size_t nc = cap ? 2 * cap : 16;
				struct hg_mspan **nv =
					realloc(v, nc * sizeof(*nv));
				if (!nv) { /* the host's, not the model's */
					free(v);
					return HG_ENOMEM;
				}
				v = nv;
				cap = nc;
			}
			t->reclaim = false;
			v[n++] = t;
		}
		if (n == 0)
			continue;
		qsort(v, n, sizeof(*v), span_base_cmp);
		prev = c->first_silent->prev; /* not one of v: not silent */
		for (size_t i = 0; i < n; i++)
			hg_list_remove(pl, v[i]);
		at = prev ? prev->next : pl->first;
		for (size_t i = 0; i < n; i++) {
			if (at)
				hg_list_insert_before(pl, at, v[i]);
			else
				hg_list_insert_back(pl, v[i]);
		}
		c->first_silent = NULL;
		for (struct hg_mspan *t = pl->first; t; t = t->next)
			if (t->silent) {
				c->first_silent = t;
				break;
			}
	}
	free(v);
	return 0;
}

static void sweep_sets(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	unsigned un = 1 - (o->sweepgen / 2) % 2;
	o->reclaim_due = false;
	for (unsigned spc = 0; spc < HG_SPAN_CLASSES; spc++) {
		struct hg_mcentral *c = &o->central[spc];
		bool reclaim = reclaims(o, spc);
		c->first_silent = NULL;
		for (int full = 1; full >= 0; full--) {
			struct hg_span_list *l =
				full ? &c->full[un] : &c->partial[un];
			struct hg_mspan *s;
			while ((s = l->first) != NULL) {
				hg_list_remove(l, s);
				s->where = HG_SW_NONE;
				bool kept = s->live_count > 0;
				bool unmarked = !s->marked;
				hg_mspan_sweep(m, s, false);
				if (reclaim && unmarked && kept &&
				    s->where == HG_SW_PARTIAL) {
					s->reclaim = true;
					o->reclaim_due = true;
				}
				if (full || !kept || s->where != HG_SW_PARTIAL)
					continue;
				s->silent = true;
				if (!c->first_silent)
					c->first_silent = s;
			}
		}
	}
}

/*
 * Before go1.15 the sweeper took the spans from the heap's sweep buffer,
 * most recently allocated first (gcSweepBuf pops from its end); the model
 * walks every heap span in that order.
 */
static void sweep_lists(struct hg_model *m)
{
	struct hg_mspan *s = m->obj->all, *next;
	for (; s; s = next) {
		next = s->allnext;
		if (!s->manual)
			hg_mspan_sweep(m, s, false);
	}
}

/* A GC cycle (Go: gcStart to gcMarkTermination, then the sweep); with
 * defer_stacks (a trace's gc event), the stack caches are cleared at the
 * next event that is not a stack event (hg_sweep_settle). *released gets
 * what the background scavenger released in it (its wake at the cycle's
 * start, its run at the end). */
static int gc_cycle(struct hg_model *m, bool defer_stacks, uint64_t *released)
{
	struct hg_objects *o = m->obj;
	*released = 0;
	hg_swept_span_settle(m);
	if (o->stackcache_pending)
		clear_stackcaches(m);
	/* Go: gcStart's finishsweep_m, a new GC bitmap epoch. */
	int err = hg_rtmeta_gc_start(m);
	if (err)
		return err;
	*released = hg_scavenger_gc_start(m); /* mgcpacer.c */
	o->num_gc++;
	o->sweepgen += 2;
	/* Go: gcMarkTermination's nextGen, before the sweep (go1.21+) */
	hg_pagealloc_next_gen(m->pages);
	/* Go: prepareForSweep on every P (stale spans are swept from go1.15;
	 * before, the mcaches were flushed before sweepgen moved): first the
	 * P that ends the cycle (gcMarkTermination's startTheWorldWithSema,
	 * procresize keeping the current P), then the others (forEachP in
	 * gcMarkTermination, here in id order). */
	for (unsigned k = 0; k <= o->nps; k++) {
		unsigned i = k == 0 ? o->curp : k - 1;
		struct hg_p *p = i < o->nps ? o->ps[i] : NULL;
		if (!p || (k > 0 && i == o->curp))
			continue;
		hg_mcache_release_all(m, &p->mcache, o->span_sets);
		if (!defer_stacks)
			hg_stackcache_clear(m, &p->mcache);
	}
	o->stackcache_pending = defer_stacks;
	if (o->span_sets)
		sweep_sets(m);
	else
		sweep_lists(m);
	/* The model's own cycle sweeps at once: no reclaimer after it. */
	if (!defer_stacks)
		o->reclaim_due = false;
	*released += hg_gc_commit(m);
	return HG_OK;
}

/* The model's own cycle (gc = paced); *released as gc_cycle's. */
int hg_gc(struct hg_model *m, uint64_t *released)
{
	return gc_cycle(m, false, released);
}

/* A trace's gc event: its GCEnd; *released as gc_cycle's. */
int hg_gc_traced(struct hg_model *m, uint64_t *released)
{
	return gc_cycle(m, true, released);
}
