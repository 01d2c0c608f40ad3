/*
 * os_sim.c - the mmap-style backends of the simulated OS (Linux and
 * Windows) on top of the address space of vas.c, and foreign mappings.
 * See os.h.
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
	/*
	 * A mapping keeps its base as its identity (Windows releases whole
	 * reservations, windows_free), except the runtime's persistent
	 * metadata, which is never freed: those share one identity, so
	 * touching ones are one vma (1.6 M heapArena allocations side by
	 * side take one entry, as Linux merges them into one VMA).
	 */
	struct hg_vma m = { 0, 0, 0, (unsigned char)owner, (unsigned char)state,
			    0, 0 };
	int rc = hg_vas_map(&os->vas, hint, n, &m, !os->persistent);
	if (rc == HG_ENOMEM)
		hg_os_enomem(os);
	return rc ? 0 : m.base;
}

/* Marks [v, v+n) Prepared (sysMapOS's transition). */
static int os_prepare(struct hg_os *os, hg_addr v, uint64_t n)
{
	if (hg_vas_set(&os->vas, v, v + n, HG_MEM_PREPARED, -1))
		return hg_os_enomem(os);
	return HG_OK;
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
	return os_prepare(os, v, n);
}

/* Go: sysUsedOS, mem_linux.go: nothing to do (no harddecommit). */
static int linux_used(struct hg_os *os, hg_addr v, uint64_t n,
		      uint64_t prepared)
{
	(void)os, (void)v, (void)n, (void)prepared;
	return HG_OK;
}

/* Go: sysUnusedOS, mem_linux.go: madvise(MADV_DONTNEED); still charged. */
static int linux_unused(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)os, (void)v, (void)n;
	return HG_OK;
}

/* Go: sysFreeOS, mem_linux.go: munmap, any page-aligned part. */
static int linux_free(struct hg_os *os, hg_addr v, uint64_t n)
{
	n = HG_ALIGN_UP(n, os->vas.page);
	/* The charged (prepared or ready) bytes, counted as they go. */
	uint64_t charged = 0;
	if (hg_vas_unmap(&os->vas, v, v + n, &charged))
		return hg_os_enomem(os);
	os->committed -= charged;
	return HG_OK;
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

const struct hg_os_ops hg_os_linux_ops = {
	.name = "linux",
	.reserve = linux_reserve,
	.map = linux_map,
	.used = linux_used,
	.unused = linux_unused,
	.free = linux_free,
	.alloc = os_alloc_ready,
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
	return os_prepare(os, v, n);
}

/* Go: sysUsedOS, mem_windows.go: VirtualAlloc(MEM_COMMIT) takes the charge. */
static int windows_used(struct hg_os *os, hg_addr v, uint64_t n,
			uint64_t prepared)
{
	(void)v, (void)n;
	return charge(os, prepared);
}

/* Go: sysUnusedOS, mem_windows.go: VirtualFree(MEM_DECOMMIT). */
static int windows_unused(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)v;
	os->committed -= n;
	return HG_OK;
}

/*
 * Go: sysFreeOS, mem_windows.go: VirtualFree(v, 0, MEM_RELEASE) releases the
 * whole reservation that starts at v; there is no partial release.
 */
static int windows_free(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)n;
	const struct hg_vma *x = hg_vas_find(&os->vas, v);
	if (!x)
		return HG_OK;
	hg_addr resv = x->resv;
	/* The reservation's pieces from the first that ends above its base
	 * (x itself when it starts there), and their Ready bytes. */
	const struct hg_vma *f =
		x->base == resv ? x : hg_vas_first(&os->vas, resv);
	hg_addr end = resv;
	uint64_t charged = 0;
	size_t pieces = 0;
	for (x = f; x && x->resv == resv; x = hg_vas_next(&os->vas, x)) {
		end = x->end;
		if (x->state == HG_MEM_READY)
			charged += x->end - (x->base > resv ? x->base : resv);
		pieces++;
	}
	if (pieces == 1 && f->base == resv)
		hg_vas_drop(&os->vas, f);
	else if (hg_vas_remove(&os->vas, resv, end))
		return hg_os_enomem(os);
	os->committed -= charged;
	return HG_OK;
}

const struct hg_os_ops hg_os_windows_ops = {
	.name = "windows",
	.reserve = windows_reserve,
	.map = windows_map,
	.used = windows_used,
	.unused = windows_unused,
	.free = windows_free,
	.alloc = os_alloc_ready,
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

/* Sets up the Linux or Windows backend (hg_os_init has zeroed os). */
int hg_os_sim_init(struct hg_os *os, const struct hg_config *cfg)
{
	hg_addr hi = cfg->address_bits >= 64 ? UINT64_MAX
					     : (hg_addr)1 << cfg->address_bits;
	bool windows = cfg->platform == HG_PLAT_WINDOWS_AMD64 ||
		       cfg->platform == HG_PLAT_WINDOWS_386;
	uint64_t gran = windows ? 64 << 10 : cfg->phys_page_size;
	/* Linux with ASLR off: mmap_base sits 128 MiB + a page below the top.
	 */
	hg_addr mmap_base = hi > 0x10000000 ? hi - 0x8001000 : hi;
	os->round = cfg->phys_page_size;
	os->windows = windows;
	os->map_commits = hg_platform_is_windows(cfg->platform) &&
			  hg_config_go_minor(cfg) <= 12;
	int err = hg_vas_init(&os->vas, 0x10000, hi, mmap_base,
			      cfg->phys_page_size, gran, cfg->placement);
	if (err)
		return err;
	os->ops = windows ? &hg_os_windows_ops : &hg_os_linux_ops;
	if (cfg->module_end) {
		/* With large pages the linker aligns the image to them. */
		hg_addr img = hg_os_foreign_map(
			os, HG_ALIGN_DOWN(image_base(cfg->platform), gran),
			cfg->module_end);
		if (!img) /* the host's memory, or no room */
			return os->enomem ? HG_ENOMEM : HG_EINVAL;
		os->image_end =
			img + HG_ALIGN_UP(cfg->module_end, os->vas.page);
	}
	return HG_OK;
}

hg_addr hg_os_foreign_map(struct hg_os *os, hg_addr hint, uint64_t n)
{
	if (hint % os->vas.granularity)
		hint = 0;
	return os_new_mapping(os, hint, n, HG_MEM_READY, HG_OWN_FOREIGN);
}

int hg_os_foreign_unmap(struct hg_os *os, hg_addr v, uint64_t n)
{
	if (hg_vas_remove(&os->vas, v, v + HG_ALIGN_UP(n, os->vas.page)))
		return hg_os_enomem(os);
	return HG_OK;
}
