/*
 * mem.c - Go's memory-state wrappers (runtime/mem.go).
 *
 * Each wrapper performs one transition between None, Reserved, Prepared
 * and Ready through the platform backend and does the accounting Go's
 * wrapper does (the stat argument, mappedReady), plus the class counters of
 * the model.
 */
#include "model.h"
#include "os_sbrk.h"

/* Go: sysAlloc, mem.go: None -> Ready, at an address the OS picks. */
hg_addr hg_sys_alloc(struct hg_model *m, uint64_t n, uint64_t *stat)
{
	m->stats.os_calls.sysalloc++;
	hg_addr v = m->os.ops->alloc(&m->os, n);
	if (v == 0)
		return 0;
	n = HG_ALIGN_UP(n, m->os.round);
	if (stat)
		*stat += n;
	m->hs.mapped_ready += n;
	m->c_sys += n;
	return v;
}

/*
 * Go: sysFree, mem.go: Ready -> None, the exact region sysAlloc returned.
 * The OS layer gets n as the caller gave it (mem_sbrk.go's top-of-break
 * test compares it unrounded); the classes count whole pages.
 */
void hg_sys_free(struct hg_model *m, hg_addr v, uint64_t n, uint64_t *stat)
{
	m->stats.os_calls.free++;
	m->os.ops->free(&m->os, v, n);
	n = HG_ALIGN_UP(n, m->os.round);
	if (stat)
		*stat -= n;
	m->hs.mapped_ready -= n;
	m->c_sys -= n;
}

/* Go: sysReserve, mem.go: None -> Reserved; v is only a hint. */
hg_addr hg_sys_reserve(struct hg_model *m, hg_addr v, uint64_t n)
{
	n = HG_ALIGN_UP(n, m->os.round);
	m->stats.os_calls.reserve++;
	hg_addr p = m->os.ops->reserve(&m->os, v, n);
	if (p)
		m->c_reserved += n;
	return p;
}

/* Go: sysUnreserve, mem.go: Reserved -> None, a whole reservation. */
void hg_sys_unreserve(struct hg_model *m, hg_addr v, uint64_t n)
{
	n = HG_ALIGN_UP(n, m->os.round);
	m->stats.os_calls.unreserve++;
	m->os.ops->free(&m->os, v, n);
	m->c_reserved -= n;
}

/* Go: sysMap, mem.go: Reserved -> Prepared; stat += n. */
int hg_sys_map(struct hg_model *m, hg_addr v, uint64_t n, uint64_t *stat)
{
	m->stats.os_calls.map++;
	int err = m->os.ops->map(&m->os, v, n);
	if (err) {
		hg_mheap_throw(m, "runtime: out of memory");
		return err;
	}
	m->c_reserved -= n;
	if (stat)
		*stat += n;
	return HG_OK;
}

/* Go: sysUsed, mem.go: Prepared -> Ready; prepared bytes were Prepared. */
int hg_sys_used(struct hg_model *m, hg_addr v, uint64_t n, uint64_t prepared)
{
	m->stats.os_calls.used++;
	int err = m->os.ops->used(&m->os, v, n, prepared);
	if (err) {
		hg_mheap_throw(m, "runtime: out of memory");
		return err;
	}
	m->hs.mapped_ready += prepared;
	return HG_OK;
}

/* Go: sysUnused, mem.go: Ready -> Prepared. */
void hg_sys_unused(struct hg_model *m, hg_addr v, uint64_t n)
{
	m->stats.os_calls.unused++;
	m->os.ops->unused(&m->os, v, n);
	m->hs.mapped_ready -= n;
}

/*
 * Go: sysReserveAligned, mem.go: reserve size bytes aligned to align by
 * over-reserving and trimming. An over-reservation that happens to be
 * aligned is kept whole (size+align). Windows cannot trim a reservation, so
 * it releases it and reserves the aligned part again.
 */
hg_addr hg_sys_reserve_aligned(struct hg_model *m, hg_addr v, uint64_t size,
			       uint64_t align, uint64_t *out_size)
{
	bool windows = m->cfg.platform == HG_PLAT_WINDOWS_AMD64 ||
		       m->cfg.platform == HG_PLAT_WINDOWS_386;
	if (hg_platform_is_sbrk(m->cfg.platform)) {
		if (v == 0) {
			/* Go: sysReserveAlignedSbrk, or the older sbrk layers.
			 */
			m->stats.os_calls.reserve++;
			hg_addr p = hg_sbrk_reserve_aligned(&m->os, size, align,
							    out_size);
			if (p)
				m->c_reserved += *out_size;
			return p;
		}
		if (hg_sbrk_aligned_sbrk(&m->os)) {
			hg_mheap_throw(m, "unexpected heap arena hint on sbrk "
					  "platform");
			return 0;
		}
	}
	for (int retries = 0; retries < 100; retries++) {
		hg_addr p = hg_sys_reserve(m, v, size + align);
		if (p == 0)
			return 0;
		if ((p & (align - 1)) == 0) {
			*out_size = size + align;
			return p;
		}
		hg_addr pa = HG_ALIGN_UP(p, align);
		if (windows) {
			hg_sys_unreserve(m, p, size + align);
			hg_addr p2 = hg_sys_reserve(m, pa, size);
			if (p2 == pa) {
				*out_size = size;
				return p2;
			}
			if (p2)
				hg_sys_unreserve(m, p2, size);
			continue;
		}
		/* Trim the unaligned head and tail (sysFreeOS). */
		hg_addr end = pa + size;
		uint64_t end_len = p + size + align - end;
		m->stats.os_calls.free++;
		m->os.ops->free(&m->os, p, pa - p);
		m->c_reserved -= pa - p;
		if (end_len > 0) {
			m->stats.os_calls.free++;
			m->os.ops->free(&m->os, end, end_len);
			m->c_reserved -= end_len;
		}
		*out_size = size;
		return pa;
	}
	hg_mheap_throw(
		m, "failed to allocate aligned heap memory; too many retries");
	return 0;
}
