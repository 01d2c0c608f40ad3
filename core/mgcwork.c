/*
 * mgcwork.c - the GC's work buffers (Go: runtime/mgcwork.go, getempty's
 * allocManual(workbufAlloc/pageSize, spanAllocWorkBuf) and
 * freeSomeWbufs' freeManual).
 *
 * The model does not run the mark phase, so it does not decide when the
 * GC needs more work buffers: a trace says so (a Go execution trace
 * records each work-buffer span the runtime allocated and freed). Their
 * pages come from the page heap as any span's do, but Go counts them in
 * inWorkBufs (MemStats.GCSys), not in HeapInuse or HeapSys.
 */
#include "mspan.h"

#include <inttypes.h>

/* Go: (*mheap).allocManual(npages, spanAllocWorkBuf). */
int hg_wbuf_alloc(struct hg_model *m, const struct hg_op *op,
		  struct hg_op_result *res)
{
	uint64_t npages = op->size / m->cfg.page_size +
			  (op->size % m->cfg.page_size != 0);
	int rc = hg_mheap_alloc_manual(m, npages, &m->hs.in_workbufs, res);
	if (!res->addr)
		return rc;
	struct hg_idval v = { res->addr, npages, HG_ID_SPAN };
	hg_model_id_put(m, &v);
	return rc;
}

/* Go: (*mheap).freeManual(s, spanAllocWorkBuf). */
int hg_wbuf_free(struct hg_model *m, const struct hg_op *op,
		 struct hg_op_result *res, char *err, size_t errlen)
{
	struct hg_idval v = m->id_ended; /* removed by hg_model_apply */
	(void)op;
	(void)err;
	(void)errlen;
	hg_mheap_free_manual(m, v.a, v.b, &m->hs.in_workbufs);
	if (m->obj)
		m->obj->wbuf_freed = true; /* hg_sweep_end_check */
	res->addr = v.a;
	res->npages = v.b;
	res->size = v.b * m->cfg.page_size;
	return HG_OK;
}
