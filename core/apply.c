/*
 * apply.c - how the model applies each op: one function per op kind, in
 * one table (the op table of ops.c says everything else about an op).
 * hg_model_apply (model.c) calls hg_apply_spec once the id rules passed.
 */
#include "model.h"
#include "mspan.h"

#include <inttypes.h>
#include <string.h>

/*
 * How the model applies each op: one function per op kind, in the table
 * apply_fns below (the op table of ops.c says everything else about an
 * op). Each gets the op after the id rules passed (ids.c).
 */
typedef int (*apply_fn)(struct hg_model *m, const struct hg_op *op,
			struct hg_op_result *res, char *err, size_t errlen);

/* Go: (*mheap).alloc for a span of ceil(size / pageSize) pages. */
static int apply_alloc(struct hg_model *m, const struct hg_op *op,
		       struct hg_op_result *res, char *err, size_t errlen)
{
	/* page_size is a power of two (hg_config_check): no division. */
	uint64_t page = m->cfg.page_size;
	uint64_t npages = (op->size >> __builtin_ctzll(page)) +
			  ((op->size & (page - 1)) != 0);
	struct hg_idval v;
	int rc = hg_mheap_alloc_span(m, npages, res);

	(void)err;
	(void)errlen;
	if (rc && !res->addr)
		return rc;
	/* A span the runtime carved out before it threw stays live. */
	v = (struct hg_idval){ res->addr, npages, HG_ID_SPAN };
	hg_model_id_put(m, &v);
	return rc;
}

/* Go: (*mheap).freeSpan. */
static int apply_free(struct hg_model *m, const struct hg_op *op,
		      struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_idval v = m->id_ended;

	(void)op;
	(void)err;
	(void)errlen;
	hg_mheap_free_span(m, v.a, v.b);
	res->addr = v.a;
	res->npages = v.b;
	res->size = v.b * m->cfg.page_size;
	return HG_OK;
}

/* Go: sysAlloc, off the heap. */
static int apply_sysalloc(struct hg_model *m, const struct hg_op *op,
			  struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_idval v;
	hg_addr a = hg_sys_alloc(m, op->size, &m->hs.other_sys);

	(void)err;
	(void)errlen;
	if (!a) {
		hg_mheap_throw(m,
			       "runtime: cannot allocate %" PRIu64
			       " bytes of off-heap memory: out of memory",
			       op->size);
		return HG_EOOM;
	}
	res->addr = a;
	res->size = HG_ALIGN_UP(op->size, m->os.round);
	/* The size as asked: sysFree passes it on unrounded. */
	v = (struct hg_idval){ a, op->size, HG_ID_SYS };
	return hg_model_id_put(m, &v);
}

/* Go: sysFree. */
static int apply_sysfree(struct hg_model *m, const struct hg_op *op,
			 struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_idval v = m->id_ended;

	(void)op;
	(void)err;
	(void)errlen;
	hg_sys_free(m, v.a, v.b, &m->hs.other_sys);
	res->addr = v.a;
	res->size = HG_ALIGN_UP(v.b, m->os.round);
	return HG_OK;
}

/* Go: (*mheap).scavenge, forced; all = debug.FreeOSMemory; goal = the
 * background scavenger's run toward its goals (mgcpacer.c). */
static int apply_scavenge(struct hg_model *m, const struct hg_op *op,
			  struct hg_op_result *res, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	if (op->goal) {
		res->released = hg_bg_scavenge_goal(m);
		return HG_OK;
	}
	res->released = hg_mheap_scavenge(m, op->all ? UINT64_MAX : op->size);
	return HG_OK;
}

/* Another component's mmap (the address is a hint, as without MAP_FIXED). */
static int apply_mmap(struct hg_model *m, const struct hg_op *op,
		      struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_idval v;

	/* Break space holds more than vmas: only map above it. */
	if (op->has_addr && m->os.ops->outside_break &&
	    !m->os.ops->outside_break(&m->os, op->addr, op->addr + op->size))
		return hg_errorf(err, errlen, HG_ETRACE,
				 "mmap: %#" PRIx64 " is inside the break",
				 op->addr);
	hg_addr a = hg_os_foreign_map(&m->os, op->has_addr ? op->addr : 0,
				      op->size);
	if (!a)
		return hg_errorf(err, errlen, HG_ETRACE,
				 "mmap: no free range of %" PRIu64 " bytes",
				 op->size);
	res->addr = a;
	res->size = HG_ALIGN_UP(op->size, m->cfg.phys_page_size);
	m->c_foreign += res->size;
	v = (struct hg_idval){ a, res->size, HG_ID_MMAP };
	return hg_model_id_put(m, &v);
}

static int apply_munmap(struct hg_model *m, const struct hg_op *op,
			struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_idval v = m->id_ended;

	(void)op;
	(void)err;
	(void)errlen;
	if (hg_os_foreign_unmap(&m->os, v.a, v.b))
		return HG_ENOMEM;
	m->c_foreign -= v.b;
	res->addr = v.a;
	res->size = v.b;
	return HG_OK;
}

/* A mark; with mark_readmemstats, runtime.ReadMemStats there (Go:
 * readmemstats_m's flushallmcaches, go1.14 to go1.26 alike: every P's
 * mcache released, its stack cache cleared). */
static int apply_mark(struct hg_model *m, const struct hg_op *op,
		      struct hg_op_result *res, char *err, size_t errlen)
{
	(void)op;
	(void)res;
	(void)err;
	(void)errlen;
	if (m->cfg.mark_readmemstats && m->obj)
		hg_flush_all_mcaches(m);
	return HG_OK;
}

/* The object-level and runtime events (mspan.h): the object layer is
 * set up at the first of them. */
static int objects_begin(struct hg_model *m, bool object_op)
{
	int rc = hg_objects_init(m);
	if (rc == HG_OK && object_op)
		m->stats.object_ops = true;
	return rc;
}

/* Go: mallocgc. */
static int apply_new(struct hg_model *m, const struct hg_op *op,
		     struct hg_op_result *res, char *err, size_t errlen)
{
	int rc = objects_begin(m, true);
	if (rc == HG_OK) {
		m->obj->refilled = false;
		rc = hg_mallocgc(m, op, res, err, errlen);
		if (rc == HG_OK)
			rc = hg_rtmeta_malloc(m); /* Go: profilealloc */
	}
	/* Go: mallocgc's gcTrigger test (gc = paced, mgcpacer.c). */
	return rc ? rc : hg_gc_paced(m, res);
}

static int apply_del(struct hg_model *m, const struct hg_op *op,
		     struct hg_op_result *res, char *err, size_t errlen)
{
	int rc = objects_begin(m, true);
	return rc ? rc : hg_object_del(m, op, res, err, errlen);
}

static int apply_gc(struct hg_model *m, const struct hg_op *op,
		    struct hg_op_result *res, char *err, size_t errlen)
{
	int rc = objects_begin(m, true);
	(void)op;
	(void)err;
	(void)errlen;
	if (rc)
		return rc;
	/* The key left unset: the trace has GC cycles of its own, and from
	 * its first one on they are the only ones (presets.c). */
	if (m->obj->gc_auto)
		m->obj->paced = false;
	return hg_gc_traced(m, &res->released);
}

static int apply_stackalloc(struct hg_model *m, const struct hg_op *op,
			    struct hg_op_result *res, char *err, size_t errlen)
{
	int rc = objects_begin(m, true);
	return rc ? rc : hg_stackalloc(m, op, res, err, errlen);
}

static int apply_stackfree(struct hg_model *m, const struct hg_op *op,
			   struct hg_op_result *res, char *err, size_t errlen)
{
	int rc = objects_begin(m, true);
	return rc ? rc : hg_stackfree(m, op, res, err, errlen);
}

static int apply_proc(struct hg_model *m, const struct hg_op *op,
		      struct hg_op_result *res, char *err, size_t errlen)
{
	int rc = objects_begin(m, false);
	/* per_p_caches off: every event on P 0, one set of caches */
	uint64_t pid = m->cfg.per_p_caches ? op->value : 0;
	(void)res;
	if (rc == HG_OK)
		rc = hg_objects_proc(m, pid, err, errlen);
	if (rc == HG_OK) {
		struct hg_p *p = hg_objects_curp(m);
		if (!p)
			return HG_ENOMEM;
		p->busy = true; /* mgcpacer.c: not idle at the next GC */
		p->last_used = ++m->obj->nproc_ops;
		m->curp = (unsigned)pid;
	}
	return rc;
}

static int apply_time(struct hg_model *m, const struct hg_op *op,
		      struct hg_op_result *res, char *err, size_t errlen)
{
	int rc = objects_begin(m, false);
	(void)err;
	(void)errlen;
	if (rc == HG_OK) {
		m->obj->now = op->value;
		m->obj->has_time = true;
		res->released = hg_bg_scavenger_tick(m); /* mgcpacer.c */
	}
	return rc;
}

/* The background scavenger's goroutine (mgcpacer.c, scavenger_pace =
 * trace). */
static int apply_bgscav(struct hg_model *m, const struct hg_op *op,
			struct hg_op_result *res, char *err, size_t errlen)
{
	int rc;

	if (op->value > HG_BGSCAV_PARK)
		return hg_errorf(err, errlen, HG_ETRACE,
				 "bgscav: %" PRIu64
				 " is not 0 (stops), 1 (runs), 2 (sleeps) or 3 "
				 "(parks)",
				 op->value);
	rc = objects_begin(m, false);
	if (rc == HG_OK)
		res->released = hg_bg_scavenger_window(m, op->value);
	return rc;
}

/* The Ps that run (mgcpacer.c: what the background scavenger's releases
 * cost while another runs). */
static int apply_running(struct hg_model *m, const struct hg_op *op,
			 struct hg_op_result *res, char *err, size_t errlen)
{
	int rc;

	if (op->value > 4096)
		return hg_errorf(err, errlen, HG_ETRACE,
				 "running: %" PRIu64
				 " Ps is more than 4096 (gomaxprocs' limit)",
				 op->value);
	rc = objects_begin(m, false);
	if (rc == HG_OK)
		res->released = hg_bg_scavenger_running(m, op->value);
	return rc;
}

static int apply_wbufalloc(struct hg_model *m, const struct hg_op *op,
			   struct hg_op_result *res, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return hg_wbuf_alloc(m, op, res);
}

static int apply_wbuffree(struct hg_model *m, const struct hg_op *op,
			  struct hg_op_result *res, char *err, size_t errlen)
{
	return hg_wbuf_free(m, op, res, err, errlen);
}

/* Go: StartTrace: the execution tracer's own memory (runtime_meta.c). */
static int apply_tracestart(struct hg_model *m, const struct hg_op *op,
			    struct hg_op_result *res, char *err, size_t errlen)
{
	(void)res;
	if (op->value & ~(uint64_t)HG_TRACE_ALLOCFREE)
		return hg_errorf(err, errlen, HG_ETRACE,
				 "tracestart: %" PRIu64
				 " is not 0 or 1 (with the alloc/free events)",
				 op->value);
	return hg_rtmeta_trace_start(m, op->value);
}

static const apply_fn apply_fns[HG_OP_COUNT] = {
	[HG_OP_ALLOC] = apply_alloc,
	[HG_OP_FREE] = apply_free,
	[HG_OP_SYSALLOC] = apply_sysalloc,
	[HG_OP_SYSFREE] = apply_sysfree,
	[HG_OP_SCAVENGE] = apply_scavenge,
	[HG_OP_MMAP] = apply_mmap,
	[HG_OP_MUNMAP] = apply_munmap,
	[HG_OP_MARK] = apply_mark,
	[HG_OP_NEW] = apply_new,
	[HG_OP_DEL] = apply_del,
	[HG_OP_GC] = apply_gc,
	[HG_OP_STACKALLOC] = apply_stackalloc,
	[HG_OP_STACKFREE] = apply_stackfree,
	[HG_OP_PROC] = apply_proc,
	[HG_OP_TIME] = apply_time,
	[HG_OP_WBUFALLOC] = apply_wbufalloc,
	[HG_OP_WBUFFREE] = apply_wbuffree,
	[HG_OP_TRACESTART] = apply_tracestart,
	[HG_OP_BGSCAV] = apply_bgscav,
	[HG_OP_RUNNING] = apply_running,
};

bool hg_model_applies(enum hg_op_kind k)
{
	return (unsigned)k < HG_OP_COUNT && apply_fns[k] != NULL;
}

int hg_apply_spec(struct hg_model *m, const struct hg_op_spec *k,
		  const struct hg_op *op, struct hg_op_result *res, char *err,
		  size_t errlen)
{
	apply_fn fn = apply_fns[k->kind];

	if (!fn)
		return hg_errorf(err, errlen, HG_ETRACE, "unknown operation");
	if (m->obj) {
		hg_sweep_settle(m, op); /* mgcsweep.c */
		if (m->obj->scav_ready_due || m->obj->reclaim_due)
			hg_sweep_end_check(m, op); /* mgcsweep.c */
	}
	/* The spans' own events called as such (inline), not through the
	 * table's pointer. */
	if (k->kind == HG_OP_ALLOC)
		return apply_alloc(m, op, res, err, errlen);
	if (k->kind == HG_OP_FREE)
		return apply_free(m, op, res, err, errlen);
	return fn(m, op, res, err, errlen);
}
