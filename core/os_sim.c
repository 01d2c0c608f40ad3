/*
 * os_sim.c - the mmap-style backends of the simulated OS (Linux and
 * Windows) on top of the address space of vas.c. See os.h.
 */
#include "internal.h"
#include "os.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Common helpers of the backends                                      */
/* ------------------------------------------------------------------ */

static hg_addr os_new_mapping(struct hg_os *os, hg_addr hint, uint64_t n,
			      int state, int owner)
{
	n = HG_ALIGN_UP(n, os->vas.page);
	hg_addr a = hg_vas_place(&os->vas, hint, n);
	if (a == 0)
		return 0;
	struct hg_vma m = {
		a, a + n, a, (unsigned char)owner, (unsigned char)state, 0, 0
	};
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
	n = HG_ALIGN_UP(n, os->vas.page);
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
	n = HG_ALIGN_UP(n, os->vas.page);
	if (charge(os, n))
		return 0;
	hg_addr a = os_new_mapping(os, 0, n, HG_MEM_READY, HG_OWN_RUNTIME);
	if (a == 0)
		os->committed -= n;
	return a;
}

static const struct hg_os_ops linux_ops = {
	"linux",      linux_reserve, linux_map,      linux_used,
	linux_unused, linux_free,    os_alloc_ready, NULL,
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
	uint64_t len = HG_ALIGN_UP(n, os->vas.page);
	if (hint != 0 && hint % os->vas.granularity == 0 &&
	    hg_vas_free_range(&os->vas, hint, hint + len))
		return os_new_mapping(os, hint, n, HG_MEM_RESERVED,
				      HG_OWN_RUNTIME);
	return os_new_mapping(os, 0, n, HG_MEM_RESERVED, HG_OWN_RUNTIME);
}

/*
 * Go: sysMapOS, mem_windows.go: nothing; memory stays reserved. Until
 * go1.12 sysMap was VirtualAlloc(MEM_COMMIT), which takes the charge.
 */
static int windows_map(struct hg_os *os, hg_addr v, uint64_t n)
{
	if (os->map_commits && charge(os, n))
		return HG_EOOM;
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
	const struct hg_vma *x = hg_vas_find(&os->vas, v);
	if (!x)
		return;
	hg_addr resv = x->resv;
	hg_addr end = resv;
	for (x = hg_vas_first(&os->vas, resv); x && x->resv == resv;
	     x = hg_vas_next(&os->vas, x))
		end = x->end;
	os->committed -= hg_vas_bytes(&os->vas, resv, end, HG_MEM_READY);
	hg_vas_remove(&os->vas, resv, end);
}

static const struct hg_os_ops windows_ops = {
	"windows",      windows_reserve, windows_map,    windows_used,
	windows_unused, windows_free,    os_alloc_ready, NULL,
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
	if (hg_platform_is_sbrk(cfg->platform))
		return hg_os_sbrk_init(os, cfg);
	hg_addr hi = cfg->address_bits >= 64 ? UINT64_MAX
					     : (hg_addr)1 << cfg->address_bits;
	bool windows = cfg->platform == HG_PLAT_WINDOWS_AMD64 ||
		       cfg->platform == HG_PLAT_WINDOWS_386;
	uint64_t gran = windows ? 64 << 10 : cfg->phys_page_size;
	/* Linux with ASLR off: mmap_base sits 128 MiB + a page below the top.
	 */
	hg_addr mmap_base = hi > 0x10000000 ? hi - 0x8001000 : hi;
	os->round = cfg->phys_page_size;
	os->map_commits = hg_platform_is_windows(cfg->platform) &&
			  hg_config_go_minor(cfg) <= 12;
	int err = hg_vas_init(&os->vas, 0x10000, hi, mmap_base,
			      cfg->phys_page_size, gran, cfg->placement);
	if (err)
		return err;
	os->ops = windows ? &windows_ops : &linux_ops;
	if (cfg->module_end) {
		/* With large pages the linker aligns the image to them. */
		hg_addr img = hg_os_foreign_map(
			os, HG_ALIGN_DOWN(image_base(cfg->platform), gran),
			cfg->module_end);
		if (!img)
			return HG_EINVAL;
		os->image_end =
			img + HG_ALIGN_UP(cfg->module_end, os->vas.page);
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
	hg_vas_remove(&os->vas, v, v + HG_ALIGN_UP(n, os->vas.page));
}
