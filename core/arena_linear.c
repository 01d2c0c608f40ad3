/*
 * arena_linear.c - the linear heap arena of Go 1.4 to 1.10
 * (runtime/malloc.go and mheap.go before the sparse heap of go1.11):
 * policy.arena = linear (13ae3b3, go1.9-1.10) and linear-go1.8.
 *
 * mallocinit reserves one block holding the spans array, the heap bitmap and
 * the arena; the heap grows by bumping through it. When the block is full,
 * sysAlloc reserves another 256 MiB-multiple block at its end; the OS may put
 * it anywhere. Go 1.8 only moves to a block above the current one (arena_used
 * is both the high-water mark and the bump pointer) and strands the rest of
 * the old block however large it is. Go 1.9 keeps a separate bump pointer
 * (arena_alloc), accepts blocks below too, and gives up at most 16 MiB
 * (strandLimit) of the old block. A rejected block is unmapped and, on
 * 32-bit, the heap takes a small mapping wherever the OS puts it. Go 1.4 to
 * 1.8.2 took any block, even one below, moving arena_used down with it
 * (policy linear-go1.7).
 */
#include "model.h"

#include <string.h>

#define LINEAR_PAGE 8192ull        /* Go: _PageSize */
#define STRAND_LIMIT (16ull << 20) /* Go: strandLimit, 13ae3b3 */
#define BLOCK_ROUND (256ull << 20) /* Go: round(n+_PageSize, 256<<20) */

static bool linear_new(const struct hg_model *m)
{
	return m->cfg.policy_arena == HG_ARENA_LINEAR;
}

/* Give up the reserved parts of [lo, hi): class stranded from now on.
 * 0, or HG_ENOMEM (host). */
static int strand_reserved(struct hg_model *m, hg_addr lo, hg_addr hi)
{
	struct hg_vas *vas = &m->os.vas;
	const struct hg_vma *v = hg_vas_first(vas, lo);
	while (v && v->base < hi) {
		hg_addr a = v->base > lo ? v->base : lo;
		hg_addr e = v->end < hi ? v->end : hi;
		bool take = v->owner == HG_OWN_RUNTIME &&
			    v->state == HG_MEM_RESERVED && !v->stranded;
		if (take) {
			if (hg_vas_set(vas, a, e, HG_MEM_RESERVED, 1))
				return hg_os_enomem(&m->os);
			m->c_reserved -= e - a;
			m->c_stranded += e - a;
		}
		/* The set may split and merge: look up from e again. */
		v = hg_vas_first(vas, e);
	}
	return HG_OK;
}

/*
 * Take [v, v+n) at exactly v when the arena was never really reserved
 * (go1.10 and before, 64-bit Linux: sysMap's mmap of an unreserved range);
 * something else there is Go's "address space conflict".
 */
static int take_unreserved(struct hg_model *m, hg_addr v, uint64_t n)
{
	if (m->linear.reserved)
		return HG_OK;
	hg_addr p = hg_sys_reserve(m, v, n);
	if (p == v)
		return HG_OK;
	if (p)
		hg_sys_unreserve(m, p, n);
	hg_mheap_throw(m, "runtime: address space conflict");
	return HG_EOOM;
}

/* Metadata: Reserved -> Ready (taking the range first if unreserved). */
static int map_meta(struct hg_model *m, hg_addr v, uint64_t n, uint64_t *stat)
{
	int err = take_unreserved(m, v, n);
	return err ? err : hg_map_sys_ready(m, v, n, stat);
}

/* Go: mheap.mapBits and mapSpans: metadata mapped as arena_used grows. */
static int set_arena_used(struct hg_model *m, hg_addr used)
{
	struct hg_linear_arena *la = &m->linear;
	uint64_t phys = m->cfg.phys_page_size;
	/* The bitmap grows down from la->bitmap, 8 KiB at a time. */
	uint64_t n = (used - la->arena_start) / la->bitmap_scale;
	n = HG_ALIGN_UP(HG_ALIGN_UP(n, 8192), phys);
	if (n > la->bitmap_size) /* an arena beyond _MaxMem */
		n = la->bitmap_size;
	if (n > la->bitmap_mapped) {
		int err = map_meta(m, la->bitmap - n, n - la->bitmap_mapped,
				   &m->hs.gc_misc_sys);
		if (err)
			return err;
		la->bitmap_mapped = n;
	}
	/* The spans array: one pointer per arena page. */
	uint64_t ptr = hg_platform_is_64bit(m->cfg.platform) ? 8 : 4;
	n = HG_ALIGN_UP((used - la->arena_start) / LINEAR_PAGE * ptr, phys);
	if (n > la->spans_size)
		n = la->spans_size;
	if (n > la->spans_mapped) {
		int err = map_meta(m, la->spans_start + la->spans_mapped,
				   n - la->spans_mapped, &m->hs.other_sys);
		if (err)
			return err;
		la->spans_mapped = n;
	}
	if (used > la->arena_used)
		la->arena_used = used;
	return HG_OK;
}

/*
 * Go: mallocinit, the linear-arena version. 64-bit: one reservation of
 * spans + bitmap + _MaxMem at the first free hint (0x00c0<<32 | i<<40).
 * 32-bit: spans + bitmap + 512, 256, 128 or 0 MiB above the binary.
 */
int hg_linear_init(struct hg_model *m)
{
	struct hg_linear_arena *la = &m->linear;
	uint64_t max_mem = hg_config_max_mem(&m->cfg);
	uint64_t ptr = hg_platform_is_64bit(m->cfg.platform) ? 8 : 4;
	/*
	 * The heap bitmap used 4 bits per word until go1.4 and 2 from go1.5
	 * (heapBitmapScale), but its reservation kept the 4-bit size until
	 * go1.6: so the 64-bit heap starts at 0xc208000000 in go1.4,
	 * 0xc820000000 in go1.5-1.6 and 0xc420000000 in go1.7-1.10.
	 */
	unsigned minor = hg_config_go_minor(&m->cfg);
	memset(la, 0, sizeof(*la));
	la->max_mem = max_mem;
	la->bitmap_scale = ptr * 8 / (minor <= 4 ? 4 : 2);
	uint64_t spans = HG_ALIGN_UP(max_mem / LINEAR_PAGE * ptr, LINEAR_PAGE);
	uint64_t bitmap = HG_ALIGN_UP(
		max_mem / (ptr * 8 / (minor <= 6 ? 4 : 2)), LINEAR_PAGE);
	hg_addr p = 0;
	uint64_t psize = 0;
	if (hg_platform_is_64bit(m->cfg.platform)) {
		psize = bitmap + spans + HG_ALIGN_UP(max_mem - 1, LINEAR_PAGE) +
			LINEAR_PAGE;
		hg_addr prefix = m->cfg.platform == HG_PLAT_LINUX_ARM64
					 ? 0x0040ull << 32
					 : 0x00c0ull << 32;
		/*
		 * Go 1.10 and before, mem_linux.go sysReserve: more than 4 GiB
		 * is only probed with 64 KiB and not kept (ulimit -v); the
		 * arena is mapped piece by piece at its address later.
		 */
		bool probe = m->cfg.platform == HG_PLAT_LINUX_AMD64 ||
			     m->cfg.platform == HG_PLAT_LINUX_ARM64;
		for (uint64_t i = 0; i <= 0x7f && !p; i++) {
			hg_addr hint = i << 40 | prefix;
			if (hint + psize > m->os.vas.hi)
				break;
			uint64_t len = probe ? 64 << 10 : psize;
			p = hg_sys_reserve(m, hint, len);
			if (p && (p != hint || probe))
				hg_sys_unreserve(m, p, len);
			if (p != hint)
				p = 0;
		}
		la->reserved = !probe;
	} else {
		la->reserved = true;
	}
	if (!p) {
		static const uint64_t sizes[] = { 512 << 20, 256 << 20,
						  128 << 20, 0 };
		for (size_t i = 0; i < 4 && !p; i++) {
			hg_addr hint = HG_ALIGN_UP(m->os.image_end + (1 << 18),
						   1 << 20);
			psize = bitmap + spans + sizes[i] + LINEAR_PAGE;
			p = hg_sys_reserve(m, hint, psize);
		}
		if (!p) {
			hg_mheap_throw(m, "runtime: cannot reserve arena "
					  "virtual address space");
			return HG_EOOM;
		}
	}
	hg_addr p1 = HG_ALIGN_UP(p, LINEAR_PAGE);
	psize -= p1 - p;
	la->spans_start = p1;
	la->spans_size = HG_ALIGN_DOWN(spans, m->cfg.phys_page_size);
	la->bitmap_size = HG_ALIGN_DOWN(bitmap, m->cfg.phys_page_size);
	p1 += spans;
	la->bitmap = p1 + bitmap;
	p1 += bitmap;
	/* 32-bit arenas start at 0 from go1.7; before, after the bitmap. */
	la->arena_start =
		hg_platform_is_64bit(m->cfg.platform) || minor <= 6 ? p1 : 0;
	la->arena_end = p + psize;
	la->arena_used = la->arena_alloc = p1;
	if (la->reserved && hg_vas_set_heap(&m->os.vas, p1, la->arena_end))
		return hg_os_enomem(&m->os);
	la->active = true;
	return HG_OK;
}

/*
 * Try to move the arena to a new block reserved at arena_end (Go: the
 * first half of mheap.sysAlloc). Returns 0, or HG_EOOM if the reservation
 * failed outright, or HG_ENOMEM (host).
 */
static int new_block(struct hg_model *m, uint64_t n)
{
	struct hg_linear_arena *la = &m->linear;
	hg_addr cur = linear_new(m) ? la->arena_alloc : la->arena_used;
	uint64_t psize = HG_ALIGN_UP(n + LINEAR_PAGE, BLOCK_ROUND);
	hg_addr new_end = la->arena_end + psize;
	if (new_end < la->arena_end ||
	    new_end - la->arena_start - 1 > la->max_mem - 1)
		return HG_OK;
	hg_addr p = hg_sys_reserve(m, la->arena_end, psize);
	if (!p)
		return HG_EOOM;
	bool fits = p + psize - la->arena_start - 1 <= la->max_mem - 1 &&
		    la->arena_start <= p;
	if (p == la->arena_end) {
		if (hg_vas_set_heap(&m->os.vas, p, p + psize))
			return hg_os_enomem(&m->os);
		la->arena_end = new_end;
		return HG_OK;
	}
	bool take;
	if (linear_new(m))
		take = fits && la->arena_end - la->arena_alloc < STRAND_LIMIT;
	else if (m->cfg.policy_arena == HG_ARENA_LINEAR_GO17)
		take = fits; /* any block, even below: issue #20259 */
	else
		take = fits && p > la->arena_end;
	if (!take) {
		/* Not usable: give the whole block back. */
		m->stats.os_calls.free++;
		if (m->os.ops->free(&m->os, p, psize))
			return hg_os_enomem(&m->os);
		m->c_reserved -= HG_ALIGN_UP(psize, m->os.round);
		return HG_OK;
	}
	/* Switch: the rest of the old block can never be used again. */
	if (la->arena_end > cur && strand_reserved(m, cur, la->arena_end))
		return HG_ENOMEM;
	if (hg_vas_set_heap(&m->os.vas, p, p + psize))
		return hg_os_enomem(&m->os);
	la->arena_end = p + psize;
	/* The block starts at the next runtime page; the bit below is lost. */
	if (strand_reserved(m, p, HG_ALIGN_UP(p, LINEAR_PAGE)))
		return HG_ENOMEM;
	p = HG_ALIGN_UP(p, LINEAR_PAGE);
	if (linear_new(m))
		la->arena_alloc = p;
	else
		la->arena_used = p;
	la->switches++;
	return HG_OK;
}

/* Add [v, v+n), mapped for the heap, to the page allocator. */
static int heap_add(struct hg_model *m, hg_addr v, uint64_t n)
{
	*hg_heap_grown_stat(m) += n;
	int err = hg_heap_add_pages(m, v, n);
	if (!err && hg_heap_grows_backed(m))
		hg_pagealloc_unscavenge(m->pages, v, n / m->cfg.page_size);
	return err;
}

/*
 * Go: mheap.sysAlloc, linear-arena versions: n bytes of heap, mapped, from
 * the current block, a new block, or (32-bit) a small fallback mapping.
 * Returns 0 when out of memory.
 */
static hg_addr linear_sys_alloc(struct hg_model *m, uint64_t n)
{
	struct hg_linear_arena *la = &m->linear;
	hg_addr *bump = linear_new(m) ? &la->arena_alloc : &la->arena_used;
	if (n > la->arena_end - *bump && new_block(m, n))
		return 0;
	if (n <= la->arena_end - *bump) {
		hg_addr p = *bump;
		if (take_unreserved(m, p, n))
			return 0;
		if (!la->reserved && hg_vas_set_heap(&m->os.vas, p, p + n)) {
			hg_os_enomem(&m->os);
			return 0;
		}
		if (hg_sys_map(m, p, n, NULL))
			return 0;
		*bump += n;
		/* Accounted before the metadata, which may throw. */
		if (heap_add(m, p, n))
			return 0;
		if (set_arena_used(m, *bump > la->arena_used ? *bump
							     : la->arena_used))
			return 0;
		return p;
	}
	if (hg_platform_is_64bit(m->cfg.platform))
		return 0;
	/* 32-bit: a small mapping wherever the OS puts it, 8 KiB padded. */
	uint64_t psize = HG_ALIGN_UP(n, LINEAR_PAGE) + LINEAR_PAGE;
	hg_addr p = hg_sys_alloc(m, psize, NULL);
	if (!p)
		return 0;
	if (p < la->arena_start || p + psize - la->arena_start > la->max_mem) {
		hg_sys_free(m, p, psize, NULL);
		return 0;
	}
	la->fallbacks++;
	/* The mapping belongs to the heap now; what it does not use is lost. */
	uint64_t len = HG_ALIGN_UP(psize, m->os.round);
	m->c_sys -= len;
	m->hs.mapped_ready -= len;
	hg_addr q = HG_ALIGN_UP(p, LINEAR_PAGE);
	if (hg_vas_set_heap(&m->os.vas, p, p + len) ||
	    hg_vas_set(&m->os.vas, p, p + len, HG_MEM_PREPARED, 1) ||
	    hg_vas_set(&m->os.vas, q, q + n, HG_MEM_PREPARED, 0)) {
		hg_os_enomem(&m->os);
		return 0;
	}
	m->c_stranded += len - n;
	if (heap_add(m, q, n))
		return 0;
	if (q + n > la->arena_used) {
		/*
		 * go1.8: arena_used is the bump pointer, so the arena now
		 * continues from this mapping (arena_end follows it) and
		 * what was left of the old block is given up.
		 */
		if (!linear_new(m)) {
			if (la->arena_end > la->arena_used &&
			    strand_reserved(m, la->arena_used, la->arena_end))
				return 0;
			if (p + psize > la->arena_end)
				la->arena_end = p + psize;
		}
		if (set_arena_used(m, q + n))
			return 0;
	}
	return q;
}

/*
 * Go: mheap.grow before go1.11: ask for at least 1 MiB
 * (_HeapAllocChunk = chunk_size here), in 64 KiB multiples; on failure
 * retry with the exact size. Returns the bytes grown, 0 when out of memory.
 */
uint64_t hg_linear_grow(struct hg_model *m, uint64_t npage)
{
	npage = HG_ALIGN_UP(npage, (64 << 10) / LINEAR_PAGE);
	uint64_t ask = npage * LINEAR_PAGE;
	if (ask < m->cfg.chunk_size)
		ask = m->cfg.chunk_size;
	hg_addr v = linear_sys_alloc(m, ask);
	if (!v && !m->dead && ask > npage * LINEAR_PAGE) {
		ask = npage * LINEAR_PAGE;
		v = linear_sys_alloc(m, ask);
	}
	if (!v) {
		hg_mheap_throw_oom(m, ask);
		return 0;
	}
	m->stats.heap_grows++;
	return ask;
}
