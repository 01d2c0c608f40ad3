/*
 * stack.c - goroutine stacks (Go: runtime/stack.go stackalloc, stackfree,
 * the stack pool and the per-P stack caches; mheap.go allocManual and
 * freeManual).
 *
 * Stacks below 32 KiB (and below fixedStack << _NumStackOrders) come from
 * the pool of their order: free lists carved from 32 KiB manual spans,
 * through the P's stack cache (refilled and drained 16 KiB at a time).
 * Larger stacks are manual spans of their own. Manual spans come from the
 * page heap but count in StackInuse, not HeapInuse (nor HeapSys).
 */
#include "mspan.h"

#include <inttypes.h>
#include <stdio.h>

/* The pages of a manual span of bytes: Go's bytes >> _PageShift, at least
 * one page when page_size is larger than the span (64K pages against the
 * 32K of a stack pool span; Go's 8K pages never are). */
static uint64_t manual_pages(const struct hg_model *m, uint64_t bytes)
{
	uint64_t page = m->cfg.page_size;
	return bytes < page ? 1 : bytes / page;
}

/*
 * Go: (*mheap).allocManual (spanAllocStack): a span from the page heap, as
 * allocSpan does it, counted in inStacks instead of heapInUse.
 */
static int alloc_manual(struct hg_model *m, uint64_t npages, uint64_t elemsize,
			struct hg_op_result *res, struct hg_mspan **out)
{
	int rc = hg_mheap_alloc_manual(m, npages, &m->hs.in_stacks, res);
	if (!res->addr)
		return rc;
	uint64_t bytes = npages * m->cfg.page_size;
	uint32_t nelems = (uint32_t)(bytes / elemsize);
	struct hg_mspan *s =
		hg_mspan_new(m, res->addr, npages, 0, elemsize, nelems, true);
	if (!s)
		return HG_ENOMEM;
	res->new_span = true;
	res->span_base = res->addr;
	*out = s;
	return rc;
}

/* Go: (*mheap).freeManual. */
static void free_manual(struct hg_model *m, struct hg_mspan *s)
{
	hg_mheap_free_manual(m, s->base, s->npages, &m->hs.in_stacks);
	hg_mspan_destroy(m, s);
}

/*
 * Go: stackpoolalloc: a stack of the order from the first span of the
 * pool, carving a new 32 KiB span when the pool is empty (its free list
 * is pushed in address order, so the highest stack comes out first).
 */
static int stackpool_alloc(struct hg_model *m, unsigned order,
			   struct hg_op_result *res, hg_addr *v,
			   struct hg_mspan **span)
{
	struct hg_objects *o = m->obj;
	struct hg_span_list *l = &o->stackpool[order];
	struct hg_mspan *s = l->first;
	if (!s) {
		int rc = alloc_manual(m, manual_pages(m, HG_STACK_CACHE_SIZE),
				      o->fixed_stack << order, res, &s);
		if (!s)
			return rc;
		for (uint32_t i = 0; i < s->nelems; i++)
			s->stackfree[s->nfree_stacks++] = (uint16_t)i;
		hg_list_insert(l, s);
		s->where = HG_SW_STACKPOOL;
		if (rc)
			return rc;
	}
	uint32_t i = s->stackfree[--s->nfree_stacks];
	s->alloc_count++;
	if (s->nfree_stacks == 0) {
		hg_list_remove(l, s);
		s->where = HG_SW_STACK;
	}
	*v = s->base + (uint64_t)i * s->elemsize;
	*span = s;
	return HG_OK;
}

/* Go: stackpoolfree: the stack goes back to its span; an empty span goes
 * back to the page heap (the model is never inside a GC cycle). */
static void stackpool_free(struct hg_model *m, hg_addr v, struct hg_mspan *s,
			   unsigned order)
{
	struct hg_span_list *l = &m->obj->stackpool[order];
	if (s->nfree_stacks == 0) {
		hg_list_insert(l, s);
		s->where = HG_SW_STACKPOOL;
	}
	s->stackfree[s->nfree_stacks++] =
		(uint16_t)((v - s->base) / s->elemsize);
	s->alloc_count--;
	if (s->alloc_count == 0) {
		hg_list_remove(l, s);
		free_manual(m, s);
	}
}

/* Go: stackcacherefill: half a cache's worth from the pool. */
static int stackcache_refill(struct hg_model *m, struct hg_stackcache *c,
			     unsigned order, struct hg_op_result *res)
{
	uint64_t n = m->obj->fixed_stack << order;
	while (c->size < HG_STACK_CACHE_SIZE / 2) {
		hg_addr v = 0;
		struct hg_mspan *s = NULL;
		int rc = stackpool_alloc(m, order, res, &v, &s);
		if (rc)
			return rc;
		c->list[c->n].v = v;
		c->list[c->n].s = s;
		c->n++;
		c->size += n;
	}
	return HG_OK;
}

/* Go: stackcacherelease: back to the pool down to half a cache. */
static void stackcache_release(struct hg_model *m, struct hg_stackcache *c,
			       unsigned order)
{
	uint64_t n = m->obj->fixed_stack << order;
	while (c->size > HG_STACK_CACHE_SIZE / 2) {
		c->n--;
		stackpool_free(m, c->list[c->n].v, c->list[c->n].s, order);
		c->size -= n;
	}
}

/* Go: stackcache_clear (at every GC, from prepareForSweep). */
void hg_stackcache_clear(struct hg_model *m, struct hg_mcache *mc)
{
	for (unsigned order = 0; order < m->obj->stack_orders; order++) {
		struct hg_stackcache *c = &mc->stackcache[order];
		while (c->n > 0) {
			c->n--;
			stackpool_free(m, c->list[c->n].v, c->list[c->n].s,
				       order);
		}
		c->size = 0;
	}
}

/* The stack size Go asks for: a power of two, at least fixedStack. */
static uint64_t stack_size(const struct hg_objects *o, uint64_t n)
{
	uint64_t s = o->fixed_stack;
	while (s < n)
		s <<= 1;
	return s;
}

/*
 * Go: stackalloc. The size is rounded up to a power of two of at least
 * fixedStack (Go's callers always ask for one).
 */
int hg_stackalloc(struct hg_model *m, const struct hg_op *op,
		  struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_objects *o = m->obj;
	if (op->size > (1ull << 40)) {
		return hg_errorf(err, errlen, HG_ETRACE,
				 "stackalloc: size %" PRIu64 " is too big",
				 op->size);
	}
	uint64_t n = stack_size(o, op->size);
	struct hg_p *p = hg_objects_curp(m);
	if (!p)
		return HG_ENOMEM;
	hg_addr v = 0;
	struct hg_mspan *s = NULL;
	struct hg_idval val;
	if (n < o->fixed_stack << o->stack_orders && n < HG_STACK_CACHE_SIZE) {
		unsigned order = 0;
		for (uint64_t n2 = n; n2 > o->fixed_stack; n2 >>= 1)
			order++;
		struct hg_stackcache *c = &p->mcache.stackcache[order];
		if (c->n == 0) {
			int rc = stackcache_refill(m, c, order, res);
			if (rc)
				return rc;
		}
		c->n--;
		v = c->list[c->n].v;
		s = c->list[c->n].s;
		c->size -= n;
		val = (struct hg_idval){ v, (uint64_t)(uintptr_t)s,
					 HG_ID_STACK | order << 8 };
	} else {
		uint64_t npages = manual_pages(m, n);
		int rc = alloc_manual(m, npages, npages * m->cfg.page_size, res,
				      &s);
		if (!s)
			return rc;
		s->alloc_count = 1;
		s->where = HG_SW_STACK;
		v = s->base;
		val = (struct hg_idval){ v, (uint64_t)(uintptr_t)s,
					 HG_ID_STACK_LARGE };
		if (rc) {
			hg_model_id_put(m, &val);
			return rc;
		}
	}
	res->addr = v;
	res->size = n;
	res->elemsize = n;
	return hg_model_id_put(m, &val);
}

/* Go: stackfree: small stacks into the P's stack cache (draining half of
 * it to the pool when full), large ones straight back to the page heap. */
int hg_stackfree(struct hg_model *m, const struct hg_op *op,
		 struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_idval v = m->id_ended; /* removed by hg_model_apply */
	(void)op;
	(void)err;
	(void)errlen;
	struct hg_mspan *s = (struct hg_mspan *)(uintptr_t)v.b;
	res->addr = v.a;
	res->size = s->elemsize;
	if (v.kind == HG_ID_STACK_LARGE) {
		free_manual(m, s);
		return HG_OK;
	}
	unsigned order = v.kind >> 8;
	struct hg_p *p = hg_objects_curp(m);
	if (!p)
		return HG_ENOMEM;
	struct hg_stackcache *c = &p->mcache.stackcache[order];
	if (c->size >= HG_STACK_CACHE_SIZE)
		stackcache_release(m, c, order);
	c->list[c->n].v = v.a;
	c->list[c->n].s = s;
	c->n++;
	c->size += s->elemsize;
	return HG_OK;
}
