/*
 * mcache.c - the per-P cache of spans (Go: runtime/mcache.go): nextFree
 * with refill from the mcentral, and releaseAll at a GC. The stack half of
 * the mcache (stackcache) is in stack.c.
 */
#include "mspan.h"

/*
 * Go: (*mspan).nextFreeIndex and the allocation of that slot: the lowest
 * free slot from freeindex up (slots below freeindex are allocated until
 * the next sweep). The caller knows the span has a free slot.
 */
hg_addr hg_mspan_alloc_slot(struct hg_mspan *s)
{
	size_t nwords = (s->nelems + 63) / 64;
	uint32_t i = s->freeindex;
	for (size_t w = i / 64; w < nwords; w++) {
		uint64_t freebits = ~s->bits[w];
		if (w == i / 64)
			freebits &= ~0ull << (i % 64);
		if (!freebits)
			continue;
		uint32_t k = (uint32_t)(w * 64) +
			     (uint32_t)__builtin_ctzll(freebits);
		if (k >= s->nelems)
			break;
		s->bits[w] |= 1ull << (k % 64);
		s->bits[nwords + w] |= 1ull << (k % 64);
		s->live_count++;
		s->freeindex = k + 1;
		s->marked = true;
		return s->base + (uint64_t)k * s->elemsize;
	}
	return 0;
}

/*
 * Go: (*mcache).nextFree: a slot of span class spc from the P's cached
 * span, refilling it from the mcentral when it is full ((*mcache).refill:
 * the full span goes back with uncacheSpan, cacheSpan gives another).
 * Returns 0 with *rc set when the heap cannot grow; a slot with *rc set
 * when the span was carved out before the runtime threw.
 */
hg_addr hg_mcache_next_free(struct hg_model *m, struct hg_mcache *c,
			    uint16_t spc, struct hg_mspan **span,
			    struct hg_op_result *res, int *rc)
{
	struct hg_mspan *s = c->alloc[spc];
	hg_addr x = s ? hg_mspan_alloc_slot(s) : 0;
	/* Go: the span is full when no slot is free from freeindex up. */
	if (!x) {
		if (s) {
			c->alloc[spc] = NULL;
			s->cached_by = -1;
			hg_mcentral_uncache_span(m, s, false);
		}
		s = NULL;
		*rc = hg_mcentral_cache_span(m, spc, res, &s);
		if (!s)
			return 0;
		s->where = HG_SW_CACHED;
		s->cached_by = (int32_t)m->obj->curp;
		c->alloc[spc] = s;
		/* Go: refill counts the span's free part as live at once
		 * (gcController.update) and mallocgc tests the trigger. */
		hg_heap_live_add(m->obj, s->npages * m->cfg.page_size -
						 (uint64_t)s->alloc_count *
							 s->elemsize);
		m->obj->refilled = true;
		/* A span carved out before the runtime threw (a failed
		 * commit) still serves the object, so that the state at the
		 * throw is consistent; *rc stays set. */
		x = hg_mspan_alloc_slot(s);
	}
	hg_span_count(m, s, s->alloc_count + 1);
	*span = s;
	return x;
}

/*
 * Go: (*mcache).releaseAll: every cached span goes back to its mcentral
 * (stale: it must be swept first, as at the end of a GC from go1.15), and
 * the tiny block is dropped.
 */
void hg_mcache_release_all(struct hg_model *m, struct hg_mcache *c, bool stale)
{
	for (unsigned i = 0; i < HG_SPAN_CLASSES; i++) {
		struct hg_mspan *s = c->alloc[i];
		if (!s)
			continue;
		c->alloc[i] = NULL;
		s->cached_by = -1;
		s->where = HG_SW_NONE;
		/* Go: the free slots of a span given back before the cycle
		 * ends stop counting in heapLive (a stale span's were reset
		 * at mark termination). */
		if (!stale && s->nelems > s->alloc_count)
			hg_heap_live_sub(
				m->obj, (uint64_t)(s->nelems - s->alloc_count) *
						s->elemsize);
		hg_mcentral_uncache_span(m, s, stale);
	}
	c->tiny = 0;
	c->tinyoffset = 0;
	c->tiny_span = NULL;
}

/*
 * Go: flushallmcaches (mstats.go, runtime.ReadMemStats with the world
 * stopped): every P's mcache releases its spans (not stale: the cycle has
 * not ended) and its stack cache goes back to the stack pool, where empty
 * stack spans return to the page heap (flushmcache, go1.14 to go1.26).
 */
void hg_flush_all_mcaches(struct hg_model *m)
{
	struct hg_objects *o = m->obj;
	for (unsigned i = 0; i < o->nps; i++) {
		struct hg_p *p = o->ps[i];
		if (!p)
			continue;
		hg_mcache_release_all(m, &p->mcache, false);
		hg_stackcache_clear(m, &p->mcache);
	}
}
