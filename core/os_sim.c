/*
 * os_sim.c - the simulated address space and the mmap-style backends
 * (Linux and Windows). See os.h.
 *
 * The address space is a sorted array of vmas with binary search. It holds
 * one entry per reservation or mapping piece (heap arenas, off-heap
 * allocations, foreign mappings), not one per span: the Prepared/Ready split
 * of heap memory lives in the page allocator's scavenged bits, so replaying
 * spans never touches this array.
 */
#include "os.h"

#include <stdlib.h>
#include <string.h>

#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))

/* ------------------------------------------------------------------ */
/* Address space                                                       */
/* ------------------------------------------------------------------ */

int hg_vas_init(struct hg_vas *s, hg_addr lo, hg_addr hi, hg_addr mmap_base,
		uint64_t page, uint64_t granularity, enum hg_placement place)
{
	memset(s, 0, sizeof(*s));
	s->lo = lo;
	s->hi = hi;
	s->mmap_base = mmap_base;
	s->page = page;
	s->granularity = granularity < page ? page : granularity;
	s->placement = place;
	return HG_OK;
}

void hg_vas_release(struct hg_vas *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* lower_bound: first vma whose end is > a. */
static size_t first_ending_after(const struct hg_vas *s, hg_addr a)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long hg_vas_find(const struct hg_vas *s, hg_addr a)
{
	size_t i = first_ending_after(s, a);
	if (i < s->n && s->v[i].base <= a)
		return (long)i;
	return -1;
}

bool hg_vas_free_range(const struct hg_vas *s, hg_addr base, hg_addr end)
{
	if (base < s->lo || end > s->hi || end <= base)
		return false;
	size_t i = first_ending_after(s, base);
	return i == s->n || s->v[i].base >= end;
}

hg_addr hg_vas_place(const struct hg_vas *s, hg_addr hint, uint64_t n)
{
	uint64_t g = s->granularity;
	if (n == 0 || n > s->hi - s->lo)
		return 0;
	if (hint != 0 && hint % g == 0 && hint + n > hint &&
	    hg_vas_free_range(s, hint, hint + n))
		return hint;
	if (s->placement == HG_PLACE_BOTTOMUP) {
		hg_addr cur = ALIGN_UP(s->lo, g);
		for (size_t i = 0; i <= s->n; i++) {
			hg_addr gap_end = i < s->n ? s->v[i].base : s->hi;
			if (gap_end > cur && gap_end - cur >= n)
				return cur;
			if (i < s->n && s->v[i].end > cur)
				cur = ALIGN_UP(s->v[i].end, g);
		}
		return 0;
	}
	/* Top-down below mmap_base, then the rest of the space. */
	hg_addr top = s->mmap_base ? s->mmap_base : s->hi;
	size_t i = first_ending_after(s, top);
	/* Gaps from just below top downward. */
	for (;;) {
		hg_addr gap_lo = i > 0 ? s->v[i - 1].end : s->lo;
		hg_addr gap_hi = (i < s->n && s->v[i].base < top) ? s->v[i].base
								  : top;
		if (gap_hi > gap_lo && gap_hi - gap_lo >= n) {
			hg_addr a = ALIGN_DOWN(gap_hi - n, g);
			if (a >= gap_lo)
				return a;
		}
		if (i == 0)
			break;
		i--;
		if (s->v[i].base < top)
			top = s->v[i].base;
	}
	return 0;
}

static int vas_reserve_slots(struct hg_vas *s, size_t extra)
{
	if (s->n + extra <= s->cap)
		return HG_OK;
	size_t ncap = s->cap ? s->cap * 2 : 16;
	while (ncap < s->n + extra)
		ncap *= 2;
	struct hg_vma *nv = realloc(s->v, ncap * sizeof(*nv));
	if (!nv)
		return HG_ENOMEM;
	s->v = nv;
	s->cap = ncap;
	return HG_OK;
}

static bool same_attrs(const struct hg_vma *a, const struct hg_vma *b)
{
	return a->resv == b->resv && a->owner == b->owner &&
	       a->state == b->state && a->heap == b->heap &&
	       a->stranded == b->stranded;
}

/* Merge vma i with its neighbours when they touch and agree. */
static void vas_merge_around(struct hg_vas *s, size_t i)
{
	if (i + 1 < s->n && s->v[i].end == s->v[i + 1].base &&
	    same_attrs(&s->v[i], &s->v[i + 1])) {
		s->v[i].end = s->v[i + 1].end;
		memmove(&s->v[i + 1], &s->v[i + 2],
			(s->n - i - 2) * sizeof(*s->v));
		s->n--;
	}
	if (i > 0 && s->v[i - 1].end == s->v[i].base &&
	    same_attrs(&s->v[i - 1], &s->v[i])) {
		s->v[i - 1].end = s->v[i].end;
		memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
		s->n--;
	}
}

int hg_vas_insert(struct hg_vas *s, const struct hg_vma *m)
{
	if (!hg_vas_free_range(s, m->base, m->end))
		return HG_EINVAL;
	int err = vas_reserve_slots(s, 1);
	if (err)
		return err;
	size_t i = first_ending_after(s, m->base);
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
	s->v[i] = *m;
	s->n++;
	vas_merge_around(s, i);
	return HG_OK;
}

/* Split so that a vma boundary falls at a (if a is inside a vma). */
static int vas_split_at(struct hg_vas *s, hg_addr a)
{
	long i = hg_vas_find(s, a);
	if (i < 0 || s->v[i].base == a)
		return HG_OK;
	int err = vas_reserve_slots(s, 1);
	if (err)
		return err;
	memmove(&s->v[i + 2], &s->v[i + 1],
		(s->n - (size_t)i - 1) * sizeof(*s->v));
	s->v[i + 1] = s->v[i];
	s->v[i].end = a;
	s->v[i + 1].base = a;
	s->n++;
	return HG_OK;
}

int hg_vas_set(struct hg_vas *s, hg_addr base, hg_addr end, int state,
	       int stranded)
{
	if (end <= base)
		return HG_OK;
	int err = vas_split_at(s, base);
	if (!err)
		err = vas_split_at(s, end);
	if (err)
		return err;
	size_t i = first_ending_after(s, base);
	size_t first = i;
	for (; i < s->n && s->v[i].base < end; i++) {
		s->v[i].state = (unsigned char)state;
		if (stranded >= 0)
			s->v[i].stranded = (unsigned char)stranded;
	}
	/* Merge the changed run with itself and its neighbours. */
	size_t last = i;
	for (size_t k = last; k-- > first;)
		vas_merge_around(s, k);
	return HG_OK;
}

int hg_vas_set_heap(struct hg_vas *s, hg_addr base, hg_addr end)
{
	int err = vas_split_at(s, base);
	if (!err)
		err = vas_split_at(s, end);
	if (err)
		return err;
	size_t i = first_ending_after(s, base);
	size_t first = i;
	for (; i < s->n && s->v[i].base < end; i++)
		s->v[i].heap = 1;
	for (size_t k = i; k-- > first;)
		vas_merge_around(s, k);
	return HG_OK;
}

int hg_vas_remove(struct hg_vas *s, hg_addr base, hg_addr end)
{
	if (end <= base)
		return HG_OK;
	int err = vas_split_at(s, base);
	if (!err)
		err = vas_split_at(s, end);
	if (err)
		return err;
	size_t i = first_ending_after(s, base);
	size_t j = i;
	while (j < s->n && s->v[j].base < end)
		j++;
	memmove(&s->v[i], &s->v[j], (s->n - j) * sizeof(*s->v));
	s->n -= j - i;
	return HG_OK;
}

uint64_t hg_vas_bytes(const struct hg_vas *s, hg_addr base, hg_addr end,
		      int state)
{
	uint64_t sum = 0;
	for (size_t i = first_ending_after(s, base);
	     i < s->n && s->v[i].base < end; i++) {
		if (state >= 0 && s->v[i].state != state)
			continue;
		hg_addr b = s->v[i].base > base ? s->v[i].base : base;
		hg_addr e = s->v[i].end < end ? s->v[i].end : end;
		sum += e - b;
	}
	return sum;
}

/* ------------------------------------------------------------------ */
/* Common helpers of the backends                                      */
/* ------------------------------------------------------------------ */

static hg_addr os_new_mapping(struct hg_os *os, hg_addr hint, uint64_t n,
			      int state, int owner)
{
	n = ALIGN_UP(n, os->vas.page);
	hg_addr a = hg_vas_place(&os->vas, hint, n);
	if (a == 0)
		return 0;
	struct hg_vma m = {a, a + n, a, (unsigned char)owner,
			   (unsigned char)state, 0, 0};
	if (hg_vas_insert(&os->vas, &m) != HG_OK)
		return 0;
	return a;
}

/* charge takes n bytes of commit charge, or refuses past the limit. */
static int charge(struct hg_os *os, uint64_t n)
{
	if (os->commit_limit && os->committed + n > os->commit_limit)
		return HG_EOOM;
	os->committed += n;
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* Linux (runtime/mem_linux.go)                                        */
/* ------------------------------------------------------------------ */

/* Go: sysReserveOS, mem_linux.go: mmap(v, n, PROT_NONE) without MAP_FIXED. */
static hg_addr linux_reserve(struct hg_os *os, hg_addr hint, uint64_t n)
{
	return os_new_mapping(os, hint, n, HG_MEM_RESERVED, HG_OWN_RUNTIME);
}

/*
 * Go: sysMapOS, mem_linux.go: mmap(v, n, RW, MAP_FIXED). A private writable
 * mapping is what strict overcommit charges, so the charge is taken here.
 */
static int linux_map(struct hg_os *os, hg_addr v, uint64_t n)
{
	int err = charge(os, n);
	if (err)
		return err;
	return hg_vas_set(&os->vas, v, v + n, HG_MEM_PREPARED, -1);
}

/* Go: sysUsedOS, mem_linux.go: nothing to do (no harddecommit). */
static int linux_used(struct hg_os *os, hg_addr v, uint64_t n,
		      uint64_t prepared)
{
	(void)os, (void)v, (void)n, (void)prepared;
	return HG_OK;
}

/* Go: sysUnusedOS, mem_linux.go: madvise(MADV_DONTNEED); still charged. */
static void linux_unused(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)os, (void)v, (void)n;
}

/* Go: sysFreeOS, mem_linux.go: munmap, any page-aligned part. */
static void linux_free(struct hg_os *os, hg_addr v, uint64_t n)
{
	n = ALIGN_UP(n, os->vas.page);
	os->committed -= hg_vas_bytes(&os->vas, v, v + n, HG_MEM_PREPARED) +
			 hg_vas_bytes(&os->vas, v, v + n, HG_MEM_READY);
	hg_vas_remove(&os->vas, v, v + n);
}

/*
 * Go: sysAllocOS, mem_linux.go (mmap(nil, n, RW)) and mem_windows.go
 * (VirtualAlloc(nil, MEM_COMMIT|MEM_RESERVE)): Ready memory anywhere,
 * charged at once on both.
 */
static hg_addr os_alloc_ready(struct hg_os *os, uint64_t n)
{
	n = ALIGN_UP(n, os->vas.page);
	if (charge(os, n))
		return 0;
	hg_addr a = os_new_mapping(os, 0, n, HG_MEM_READY, HG_OWN_RUNTIME);
	if (a == 0)
		os->committed -= n;
	return a;
}

static const struct hg_os_ops linux_ops = {
	"linux",  linux_reserve, linux_map,  linux_used,
	linux_unused, linux_free, os_alloc_ready, NULL,
};

/* ------------------------------------------------------------------ */
/* Windows (runtime/mem_windows.go)                                    */
/* ------------------------------------------------------------------ */

/*
 * Go: sysReserveOS, mem_windows.go: VirtualAlloc(v, MEM_RESERVE), which
 * fails unless the whole range is free; then VirtualAlloc(nil) anywhere.
 * Reservations are aligned to the 64 KiB allocation granularity.
 */
static hg_addr windows_reserve(struct hg_os *os, hg_addr hint, uint64_t n)
{
	uint64_t len = ALIGN_UP(n, os->vas.page);
	if (hint != 0 && hint % os->vas.granularity == 0 &&
	    hg_vas_free_range(&os->vas, hint, hint + len))
		return os_new_mapping(os, hint, n, HG_MEM_RESERVED,
				      HG_OWN_RUNTIME);
	return os_new_mapping(os, 0, n, HG_MEM_RESERVED, HG_OWN_RUNTIME);
}

/* Go: sysMapOS, mem_windows.go: nothing; memory stays reserved. */
static int windows_map(struct hg_os *os, hg_addr v, uint64_t n)
{
	return hg_vas_set(&os->vas, v, v + n, HG_MEM_PREPARED, -1);
}

/* Go: sysUsedOS, mem_windows.go: VirtualAlloc(MEM_COMMIT) takes the charge. */
static int windows_used(struct hg_os *os, hg_addr v, uint64_t n,
			uint64_t prepared)
{
	(void)v, (void)n;
	return charge(os, prepared);
}

/* Go: sysUnusedOS, mem_windows.go: VirtualFree(MEM_DECOMMIT). */
static void windows_unused(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)v;
	os->committed -= n;
}

/*
 * Go: sysFreeOS, mem_windows.go: VirtualFree(v, 0, MEM_RELEASE) releases the
 * whole reservation that starts at v; there is no partial release.
 */
static void windows_free(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)n;
	long i = hg_vas_find(&os->vas, v);
	if (i < 0)
		return;
	hg_addr resv = os->vas.v[i].resv;
	hg_addr end = resv;
	for (size_t k = (size_t)i; k < os->vas.n && os->vas.v[k].resv == resv;
	     k++)
		end = os->vas.v[k].end;
	os->committed -= hg_vas_bytes(&os->vas, resv, end, HG_MEM_READY);
	hg_vas_remove(&os->vas, resv, end);
}

static const struct hg_os_ops windows_ops = {
	"windows",	windows_reserve, windows_map,  windows_used,
	windows_unused, windows_free,	 os_alloc_ready, NULL,
};

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

/* Where a non-PIE Go binary is linked on each platform. */
static hg_addr image_base(enum hg_platform p)
{
	switch (p) {
	case HG_PLAT_LINUX_386:
		return 0x8048000;
	case HG_PLAT_LINUX_ARM64:
		return 0x10000;
	default:
		return 0x400000;
	}
}

int hg_os_init(struct hg_os *os, const struct hg_config *cfg,
	       struct hg_os_calls *calls)
{
	memset(os, 0, sizeof(*os));
	os->calls = calls;
	os->commit_limit = cfg->commit_limit;
	if (hg_platform_is_sbrk(cfg->platform)) return hg_os_sbrk_init(os, cfg);
	hg_addr hi = cfg->address_bits >= 64 ? UINT64_MAX
					     : (hg_addr)1 << cfg->address_bits;
	bool windows = cfg->platform == HG_PLAT_WINDOWS_AMD64 ||
		       cfg->platform == HG_PLAT_WINDOWS_386;
	uint64_t gran = windows ? 64 << 10 : cfg->phys_page_size;
	/* Linux with ASLR off: mmap_base sits 128 MiB + a page below the top. */
	hg_addr mmap_base = hi > 0x10000000 ? hi - 0x8001000 : hi;
	int err = hg_vas_init(&os->vas, 0x10000, hi, mmap_base,
			      cfg->phys_page_size, gran, cfg->placement);
	if (err)
		return err;
	os->ops = windows ? &windows_ops : &linux_ops;
	if (cfg->module_end) {
		/* With large pages the linker aligns the image to them. */
		hg_addr img = hg_os_foreign_map(
			os, ALIGN_DOWN(image_base(cfg->platform), gran),
			cfg->module_end);
		if (!img)
			return HG_EINVAL;
		os->image_end = img + ALIGN_UP(cfg->module_end, os->vas.page);
	}
	return HG_OK;
}

void hg_os_release(struct hg_os *os)
{
	if (os->ops && os->ops->release)
		os->ops->release(os);
	hg_vas_release(&os->vas);
}

hg_addr hg_os_foreign_map(struct hg_os *os, hg_addr hint, uint64_t n)
{
	if (hint % os->vas.granularity)
		hint = 0;
	return os_new_mapping(os, hint, n, HG_MEM_READY, HG_OWN_FOREIGN);
}

void hg_os_foreign_unmap(struct hg_os *os, hg_addr v, uint64_t n)
{
	hg_vas_remove(&os->vas, v, v + ALIGN_UP(n, os->vas.page));
}
