/*
 * model_check.c - the linear invariant checker (`--check`, README "What
 * is modeled"): after each event, what that event touched, in
 * time logarithmic in the state plus the pages it touched; the whole
 * state (hg_model_check, model.c) is recomputed at marks and at the end
 * by the replay. `--check=full` runs hg_model_check after every event.
 *
 * What one event is checked for:
 *   - the counters: no class holds more than the address space, nor all
 *     of them together (a counter that went below zero wraps past it);
 *   - the span, region or mapping the event made or ended: its id in the
 *     live ids with the address and size the event gave; its pages
 *     allocated and not scavenged (made) or free (ended) in the page
 *     allocator's bitmaps; the address space holding it as the owner's
 *     (the runtime's heap, the runtime's off-heap memory, or foreign),
 *     mapped, or no longer holding it;
 *   - the page allocator's summaries of the chunks the span meets, and
 *     every summary above them.
 */
#include "model.h"
#include "mspan.h"

#include <inttypes.h>
#include <stdio.h>

static const char *owner_name(const struct hg_vma *v)
{
	if (v->owner == HG_OWN_FOREIGN)
		return "a foreign mapping";
	if (v->heap)
		return "heap memory";
	return "runtime memory";
}

static const char *state_name(int state)
{
	switch (state) {
	case HG_MEM_RESERVED:
		return "reserved";
	case HG_MEM_PREPARED:
		return "prepared";
	default:
		return "ready";
	}
}

/* What a range must be in the address space. */
struct want {
	int owner;        /* HG_OWN_RUNTIME or HG_OWN_FOREIGN */
	int heap;         /* 1 heap memory, 0 not, -1 either */
	int state;        /* the one state it must be in, -1 any but reserved */
	const char *what; /* "span s1" */
};

/* covered checks that vmas as w says cover [base, end) without a hole. */
static int covered(const struct hg_model *m, hg_addr base, hg_addr end,
		   const struct want *w, char *err, size_t errlen)
{
	const struct hg_vas *s = &m->os.vas;
	hg_addr pos = base;

	for (const struct hg_vma *v = hg_vas_first(s, base);
	     v && v->base < end && pos < end; v = hg_vas_next(s, v)) {
		if (v->base > pos)
			break;
		if (v->owner != w->owner ||
		    (w->heap >= 0 && v->heap != w->heap) ||
		    (w->state >= 0 ? v->state != w->state
				   : v->state == HG_MEM_RESERVED))
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s [%#" PRIx64 ", %#" PRIx64
					 "): the address space holds %s "
					 "(%s) at %#" PRIx64,
					 w->what, base, end, owner_name(v),
					 state_name(v->state), v->base);
		pos = v->end;
	}
	if (pos < end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%s [%#" PRIx64 ", %#" PRIx64
				 "): nothing mapped at %#" PRIx64,
				 w->what, base, end, pos);
	return HG_OK;
}

/* vacated checks that no vma of owner (and heap, -1 either) meets
 * [base, end). */
static int vacated(const struct hg_model *m, hg_addr base, hg_addr end,
		   int owner, int heap, const char *what, char *err,
		   size_t errlen)
{
	const struct hg_vas *s = &m->os.vas;

	for (const struct hg_vma *v = hg_vas_first(s, base); v && v->base < end;
	     v = hg_vas_next(s, v)) {
		if (v->owner == owner && (heap < 0 || v->heap == heap))
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s [%#" PRIx64 ", %#" PRIx64
					 ") ended, but the address space "
					 "still holds %s at %#" PRIx64,
					 what, base, end, owner_name(v),
					 v->base);
	}
	return HG_OK;
}

struct pages_walk {
	bool alloc;     /* the pages must be allocated (else free) */
	hg_addr bad;    /* the first page in the wrong state, or 0 */
	uint64_t bytes; /* grown bytes seen */
	hg_addr lo, hi;
};

static int pages_run(void *arg, hg_addr base, hg_addr end, bool alloc,
		     bool scav)
{
	struct pages_walk *w = arg;

	if (base < w->lo)
		base = w->lo;
	if (end > w->hi)
		end = w->hi;
	if (end <= base)
		return 0;
	w->bytes += end - base;
	if (alloc != w->alloc || (alloc && scav)) {
		w->bad = base;
		return 1;
	}
	return 0;
}

/* span_pages checks the page allocator's bits of a span made (alloc) or
 * ended, and the summaries of its chunks. */
static int span_pages(struct hg_model *m, hg_addr base, uint64_t npages,
		      bool alloc, const char *what, char *err, size_t errlen)
{
	uint64_t size = npages * m->cfg.page_size;
	struct pages_walk w = { alloc, 0, 0, base, base + size };

	hg_pagealloc_runs(m->pages, base, base + size, pages_run, &w);
	if (w.bad)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%s [%#" PRIx64 ", %#" PRIx64
				 "): page %#" PRIx64 " is %s in the page "
				 "allocator's bitmaps",
				 what, base, base + size, w.bad,
				 alloc ? "free or scavenged" : "allocated");
	if (w.bytes != size)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%s [%#" PRIx64 ", %#" PRIx64 "): %" PRIu64
				 " of its bytes are not in "
				 "the page allocator's memory",
				 what, base, base + size, size - w.bytes);
	return hg_pagealloc_check_range(m->pages, base, base + size, err,
					errlen);
}

/* counters checks that no class counter wrapped below zero. */
static int counters(const struct hg_model *m, char *err, size_t errlen)
{
	struct hg_figures f;
	uint64_t space = m->os.vas.hi - m->os.vas.lo, held = 0;

	hg_model_figures(m, &f);
	for (int c = 1; c < HG_CLASS_COUNT; c++) {
		if (f.classes[c] > space)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "class %s is %" PRIu64
					 " bytes, more than the address "
					 "space (a counter went below zero)",
					 hg_class_name((enum hg_class)c),
					 f.classes[c]);
		held += f.classes[c];
	}
	if (held > space)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "the classes hold %" PRIu64
				 " bytes, more than the address space's "
				 "%" PRIu64,
				 held, space);
	return HG_OK;
}

/* live checks that id is live in ids at addr (size: the id's size or
 * page count; UINT64_MAX: not compared) or, gone, not live. */
static int live(const struct hg_idmap *ids, const struct hg_op *op, bool gone,
		hg_addr addr, uint64_t size, char *err, size_t errlen)
{
	struct hg_idkey k;
	struct hg_idval val, *v = &val;

	if (!op->id)
		return HG_OK;
	hg_idkey_of(&k, op->id);
	if (!hg_idmap_find(ids, &k, &val))
		v = NULL;
	if (gone && v)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%s: id '%s' still live", hg_op_name(op->kind),
				 op->id);
	if (!gone &&
	    (!v || v->a != addr || (size != UINT64_MAX && v->b != size)))
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%s: id '%s' is not live at %#" PRIx64,
				 hg_op_name(op->kind), op->id, addr);
	return HG_OK;
}

int hg_model_check_event(struct hg_model *m, const struct hg_op *op,
			 const struct hg_op_result *res, char *err,
			 size_t errlen)
{
	char what[160];
	int rc = counters(m, err, errlen);

	if (rc || m->dead || res->oom)
		return rc;
	snprintf(what, sizeof(what), "%s %s", hg_op_name(op->kind),
		 op->id ? op->id : "");
	/* The break's space is the sbrk layer's (its own check, at marks
	 * and at the end): only the heap's pages are checked there. */
	bool vas = !m->sbrk;
	struct want heap = { HG_OWN_RUNTIME, 1, -1, what };
	struct want sys = { HG_OWN_RUNTIME, 0, HG_MEM_READY, what };
	struct want foreign = { HG_OWN_FOREIGN, -1, -1, what };
	hg_addr end = res->addr + res->size;

	switch (op->kind) {
	case HG_OP_ALLOC:
		if ((rc = live(&m->spans, op, false, res->addr, res->npages,
			       err, errlen)))
			return rc;
		if (vas &&
		    (rc = covered(m, res->addr, end, &heap, err, errlen)))
			return rc;
		return span_pages(m, res->addr, res->npages, true, what, err,
				  errlen);
	case HG_OP_FREE:
		if ((rc = live(&m->spans, op, true, 0, 0, err, errlen)))
			return rc;
		return span_pages(m, res->addr, res->npages, false, what, err,
				  errlen);
	case HG_OP_SYSALLOC:
		if ((rc = live(&m->sysallocs, op, false, res->addr, UINT64_MAX,
			       err, errlen)))
			return rc;
		return vas ? covered(m, res->addr, end, &sys, err, errlen) : 0;
	case HG_OP_SYSFREE:
		if ((rc = live(&m->sysallocs, op, true, 0, 0, err, errlen)))
			return rc;
		return vas ? vacated(m, res->addr, end, HG_OWN_RUNTIME, 0, what,
				     err, errlen)
			   : 0;
	case HG_OP_MMAP:
		if ((rc = live(&m->mmaps, op, false, res->addr, res->size, err,
			       errlen)))
			return rc;
		return covered(m, res->addr, end, &foreign, err, errlen);
	case HG_OP_MUNMAP:
		if ((rc = live(&m->mmaps, op, true, 0, 0, err, errlen)))
			return rc;
		return vacated(m, res->addr, end, HG_OWN_FOREIGN, -1, what, err,
			       errlen);
	default:
		/* An object or a stack that took a fresh span. */
		if (res->new_span && res->npages) {
			if (vas &&
			    (rc = covered(m, res->span_base,
					  res->span_base +
						  res->npages *
							  m->cfg.page_size,
					  &heap, err, errlen)))
				return rc;
			return span_pages(m, res->span_base, res->npages, true,
					  what, err, errlen);
		}
		return HG_OK;
	}
}
