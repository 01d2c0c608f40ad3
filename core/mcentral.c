/*
 * mcentral.c - the central lists of spans of each span class (Go:
 * runtime/mcentral.go, mspanset.go, mheap.go's mSpanList): cacheSpan,
 * uncacheSpan and grow.
 *
 * From go1.15 an mcentral has two partial and two full span sets, swept
 * and unswept, which trade places at each GC (sweepgen); a set hands out
 * its spans in the order they were pushed. Before, it had a nonempty list
 * (spans with free slots, most recently freed into first) and an empty
 * list. The model sweeps every span at the `gc` event, so between events
 * the unswept sets are empty.
 */
#include "mspan.h"

/* Go: (*mSpanList).insert: at the front. */
void hg_list_insert(struct hg_span_list *l, struct hg_mspan *s)
{
	s->prev = NULL;
	s->next = l->first;
	if (l->first)
		l->first->prev = s;
	else
		l->last = s;
	l->first = s;
	l->n++;
}

/* Go: (*mSpanList).insertBack, and (*spanSet).push. */
void hg_list_insert_back(struct hg_span_list *l, struct hg_mspan *s)
{
	s->next = NULL;
	s->prev = l->last;
	if (l->last)
		l->last->next = s;
	else
		l->first = s;
	l->last = s;
	l->n++;
}

/* s goes right before at, which is on l. */
void hg_list_insert_before(struct hg_span_list *l, struct hg_mspan *at,
			   struct hg_mspan *s)
{
	s->next = at;
	s->prev = at->prev;
	if (at->prev)
		at->prev->next = s;
	else
		l->first = s;
	at->prev = s;
	l->n++;
}

void hg_list_remove(struct hg_span_list *l, struct hg_mspan *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		l->first = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		l->last = s->prev;
	s->prev = s->next = NULL;
	l->n--;
}

/* The set of swept spans that new spans join (Go: partialSwept(sg) and
 * fullSwept(sg); the nonempty and empty lists before go1.15). */
struct hg_span_list *hg_mcentral_swept(struct hg_model *m, uint16_t spc,
				       bool full)
{
	struct hg_objects *o = m->obj;
	struct hg_mcentral *c = &o->central[spc];
	unsigned i = o->span_sets ? (o->sweepgen / 2) % 2 : 0;
	return full ? &c->full[i] : &c->partial[i];
}

/*
 * Go: (*mheap).initSpan, go1.22+: a span of objects of up to
 * MinSizeForMallocHeader bytes (512, 128 on 32-bit) with pointers keeps
 * their pointer bitmap at its end (heapBitsInSpan), one bit per pointer
 * word; go1.26's Green Tea GC also keeps its inline mark bits there for
 * such spans of objects of 16 bytes or more, scan or noscan
 * (gcUsesSpanInlineMarkBits, sizeof(spanInlineMarkBits) = 128). Fewer
 * objects fit.
 */
uint32_t hg_span_nelems(const struct hg_objects *o, uint16_t spc,
			uint64_t nbytes, uint64_t elemsize)
{
	uint64_t ptr = o->ptr32 ? 4 : 8;
	bool in_span = elemsize <= ptr * ptr * 8; /* heapBitsInSpan */
	uint64_t reserve = 0;
	if (o->inline_marks && in_span && elemsize >= 16)
		reserve += 128;
	if (o->malloc_header && in_span && !(spc & 1)) /* scan */
		reserve += nbytes / ptr / 8;
	return (uint32_t)((nbytes - reserve) / elemsize);
}

/* Go: (*mcentral).grow: a new span of the class from the page heap. */
static int mcentral_grow(struct hg_model *m, uint16_t spc,
			 struct hg_op_result *res, struct hg_mspan **out)
{
	const struct hg_sizeclasses *t = m->obj->sc.t;
	unsigned c = hg_spc_sizeclass(spc);
	uint64_t npages = t->npages[c];
	uint64_t elemsize = t->size[c];
	/* Go: mheap.alloc's reclaim (mgcsweep.c) */
	int rc = hg_sweep_reclaim(m);
	if (rc)
		return rc;
	rc = hg_mheap_alloc_span(m, npages, res);
	if (!res->addr)
		return rc ? rc : HG_EOOM;
	uint32_t nelems = hg_span_nelems(m->obj, spc, npages * m->cfg.page_size,
					 elemsize);
	struct hg_mspan *s = hg_mspan_new(m, res->addr, npages, spc, elemsize,
					  nelems, false);
	if (!s)
		return HG_ENOMEM;
	res->new_span = true;
	res->span_base = res->addr;
	*out = s;
	return rc;
}

/*
 * Go: (*mcentral).cacheSpan: a span with a free slot for an mcache: the
 * span of the class the swept dels just before swept (cacheSpan's own
 * sweep of an unswept span, mgcsweep.c), else the first swept partial
 * span (go1.15+), or the first of the nonempty list; a new span when
 * there is none.
 */
int hg_mcentral_cache_span(struct hg_model *m, uint16_t spc,
			   struct hg_op_result *res, struct hg_mspan **out)
{
	struct hg_mspan *s = hg_swept_span_take(m, spc);
	if (s) {
		*out = s;
		return HG_OK;
	}
	struct hg_span_list *l = hg_mcentral_swept(m, spc, false);
	s = l->first;
	if (s) {
		hg_span_unsilence(m, s);
		hg_list_remove(l, s);
		s->where = HG_SW_NONE;
		*out = s;
		return HG_OK;
	}
	return mcentral_grow(m, spc, res, out);
}

/*
 * Go: (*mcentral).uncacheSpan: a span an mcache gives back. Stale (the
 * mcache held it across a GC, go1.15+): it is swept now. Otherwise it
 * joins the swept partial or full set; before go1.15 a span with free
 * slots goes to the front of the nonempty list.
 */
void hg_mcentral_uncache_span(struct hg_model *m, struct hg_mspan *s,
			      bool stale)
{
	struct hg_objects *o = m->obj;
	if (stale) {
		hg_mspan_sweep(m, s, false);
		return;
	}
	bool full = s->alloc_count == s->nelems;
	struct hg_span_list *l = hg_mcentral_swept(m, s->spc, full);
	/* Slots a swept del freed while the span was cached (Go never sweeps
	 * a cached span) are found from the start when it is next cached. */
	if (!full)
		s->freeindex = 0;
	if (!o->span_sets && !full)
		hg_list_insert(l, s);
	else
		hg_list_insert_back(l, s);
	s->where = full ? HG_SW_FULL : HG_SW_PARTIAL;
	/* Go: the spanSet push's spine and block (runtime_meta.c); a
	 * failure is reported by the op. */
	(void)hg_rtmeta_spanset_push(m, l);
}
