/*
 * mem.c - Go's memory-state wrappers (runtime/mem.go).
 *
 * Each wrapper performs one transition between None, Reserved, Prepared
 * and Ready through the platform backend and does the accounting Go's
 * wrapper does (the stat argument, mappedReady), plus the class counters of
 * the model. An entry that returns HG_ENOMEM (the host, not the modeled
 * OS, failed) marks m->os.enomem, and hg_model_apply reports it.
 */
#include "model.h"

/* Go: sysAlloc, mem.go: None -> Ready, at an address the OS picks. */
hg_addr hg_sys_alloc(struct hg_model *m, uint64_t n, uint64_t *stat)
{
	HG_ASSERT(n != 0);
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
	HG_ASSERT(v != 0 && n != 0);
	m->stats.os_calls.free++;
	if (m->os.ops->free(&m->os, v, n) == HG_ENOMEM)
		hg_os_enomem(&m->os);
	n = HG_ALIGN_UP(n, m->os.round);
	if (stat)
		*stat -= n;
	m->hs.mapped_ready -= n;
	m->c_sys -= n;
}

/* Go: sysReserve, mem.go: None -> Reserved; v is only a hint. */
hg_addr hg_sys_reserve(struct hg_model *m, hg_addr v, uint64_t n)
{
	HG_ASSERT(n != 0);
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
	HG_ASSERT(v != 0 && n != 0);
	n = HG_ALIGN_UP(n, m->os.round);
	m->stats.os_calls.unreserve++;
	if (m->os.ops->free(&m->os, v, n) == HG_ENOMEM)
		hg_os_enomem(&m->os);
	m->c_reserved -= n;
}

/* Go: sysMap, mem.go: Reserved -> Prepared; stat += n. */
int hg_sys_map(struct hg_model *m, hg_addr v, uint64_t n, uint64_t *stat)
{
	HG_ASSERT(v != 0 && n != 0);
	m->stats.os_calls.map++;
	int err = m->os.ops->map(&m->os, v, n);
	if (err) {
		if (err == HG_EOOM)
			hg_mheap_throw(m, "runtime: out of memory");
		else
			hg_os_enomem(&m->os);
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
	HG_ASSERT(n != 0 && prepared <= n);
	m->stats.os_calls.used++;
	int err = m->os.ops->used(&m->os, v, n, prepared);
	if (err) {
		if (err == HG_EOOM)
			hg_mheap_throw(m, "runtime: out of memory");
		else
			hg_os_enomem(&m->os);
		return err;
	}
	m->hs.mapped_ready += prepared;
	return HG_OK;
}

/* Go: sysUnused, mem.go: Ready -> Prepared. */
void hg_sys_unused(struct hg_model *m, hg_addr v, uint64_t n)
{
	HG_ASSERT(n != 0 && hg_is_aligned(v, m->os.vas.page));
	m->stats.os_calls.unused++;
	if (m->os.ops->unused(&m->os, v, n) == HG_ENOMEM)
		hg_os_enomem(&m->os);
	m->hs.mapped_ready -= n;
}

/*
 * Go: sysReserveAligned, runtime/malloc.go (hg_os_reserve_aligned), or on
 * the sbrk platforms from go1.24 sysReserveAlignedSbrk (mem_sbrk.go),
 * which throws on a hint. The region is Reserved; *out_size says how much.
 */
hg_addr hg_sys_reserve_aligned(struct hg_model *m, hg_addr v, uint64_t size,
			       uint64_t align, uint64_t *out_size)
{
	const struct hg_os_ops *ops = m->os.ops;
	HG_ASSERT(size != 0 && hg_is_pow2(align));
	*out_size = 0;
	if (ops->aligned_sbrk && ops->aligned_sbrk(&m->os)) {
		if (v != 0) {
			hg_mheap_throw(m, "unexpected heap arena hint on sbrk "
					  "platform");
			return 0;
		}
		m->stats.os_calls.reserve++;
		hg_addr p = ops->reserve_aligned(&m->os, size, align, out_size);
		if (p)
			m->c_reserved += *out_size;
		return p;
	}
	hg_addr p = 0;
	int err = hg_os_reserve_aligned(&m->os, v, size, align, &p, out_size);
	if (err == HG_EOOM)
		hg_mheap_throw(m, "failed to allocate aligned heap memory; "
				  "too many retries");
	if (err || p == 0)
		return 0;
	m->c_reserved += *out_size;
	return p;
}
