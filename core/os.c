/*
 * os.c - the parts of the simulated OS that are the same on every
 * platform: choosing and replacing the backend (hg_os.h), and Go's
 * generic sysReserveAligned over the backend's reserve and free.
 */
#include "internal.h"
#include "os.h"

#include <string.h>

const struct hg_os_ops *hg_os_platform_ops(enum hg_platform p)
{
	if (hg_platform_is_sbrk(p))
		return &hg_os_sbrk_ops;
	if (hg_platform_is_windows(p))
		return &hg_os_windows_ops;
	return &hg_os_linux_ops;
}

int hg_os_init(struct hg_os *os, const struct hg_config *cfg,
	       struct hg_os_calls *calls)
{
	memset(os, 0, sizeof(*os));
	os->calls = calls;
	os->commit_limit = cfg->commit_limit;
	if (hg_platform_is_sbrk(cfg->platform))
		return hg_os_sbrk_init(os, cfg);
	return hg_os_sim_init(os, cfg);
}

void hg_os_release(struct hg_os *os)
{
	if (os->ops && os->ops->release)
		os->ops->release(os);
	hg_vas_release(&os->vas);
}

/* Each NULL entry of the caller's table takes the platform's. */
#define HG_OS_INHERIT(f)                                                       \
	do {                                                                   \
		if (!os->custom.f)                                             \
			os->custom.f = base->f;                                \
	} while (0)

void hg_os_set_ops(struct hg_os *os, const struct hg_os_ops *ops, void *arg)
{
	const struct hg_os_ops *base = os->ops;
	HG_ASSERT(base != NULL && ops != NULL);
	os->custom = *ops;
	HG_OS_INHERIT(name);
	HG_OS_INHERIT(reserve);
	HG_OS_INHERIT(map);
	HG_OS_INHERIT(used);
	HG_OS_INHERIT(unused);
	HG_OS_INHERIT(free);
	HG_OS_INHERIT(alloc);
	HG_OS_INHERIT(release);
	HG_OS_INHERIT(grow_memory);
	HG_OS_INHERIT(brk);
	HG_OS_INHERIT(aligned_sbrk);
	HG_OS_INHERIT(reserve_aligned);
	HG_OS_INHERIT(outside_break);
	HG_OS_INHERIT(counts);
	HG_OS_INHERIT(regions);
	HG_OS_INHERIT(check);
	os->ops = &os->custom;
	os->arg = arg;
}

void *hg_os_arg(const struct hg_os *os)
{
	return os->arg;
}

/* sysReserve's counted call, as mem.c's hg_sys_reserve makes it. */
static hg_addr os_reserve(struct hg_os *os, hg_addr v, uint64_t n)
{
	if (os->calls)
		os->calls->reserve++;
	return os->ops->reserve(os, v, n);
}

/* A counted sysFreeOS (unreserve: a whole reservation given back). */
static int os_free(struct hg_os *os, hg_addr v, uint64_t n, bool unreserve)
{
	if (os->calls) {
		if (unreserve)
			os->calls->unreserve++;
		else
			os->calls->free++;
	}
	int rc = os->ops->free(os, v, n);
	return rc == HG_ENOMEM ? hg_os_enomem(os) : rc;
}

/* Go: sysReserveAligned, runtime/malloc.go (see os.h). */
int hg_os_reserve_aligned(struct hg_os *os, hg_addr v, uint64_t size,
			  uint64_t align, hg_addr *out, uint64_t *out_size)
{
	HG_ASSERT(size != 0 && hg_is_pow2(align));
	*out = 0;
	*out_size = 0;
	size = HG_ALIGN_UP(size, os->round);
	if (size == 0 || size + align < size)
		return HG_OK; /* no OS has that much to give */
	uint64_t n = size + align;
	for (int retries = 0; retries < 100; retries++) {
		hg_addr p = os_reserve(os, v, n);
		if (p == 0)
			return os->enomem ? HG_ENOMEM : HG_OK;
		if (hg_is_aligned(p, align)) {
			*out = p;
			*out_size = n;
			return HG_OK;
		}
		hg_addr pa = HG_ALIGN_UP(p, align);
		if (os->windows) {
			if (os_free(os, p, n, true))
				return HG_ENOMEM;
			hg_addr p2 = os_reserve(os, pa, size);
			if (p2 == pa) {
				*out = p2;
				*out_size = size;
				return HG_OK;
			}
			if (p2 && os_free(os, p2, size, true))
				return HG_ENOMEM;
			if (os->enomem)
				return HG_ENOMEM;
			continue;
		}
		/* Trim the unaligned head and tail (sysFreeOS). */
		hg_addr end = pa + size;
		uint64_t end_len = p + n - end;
		if (os_free(os, p, pa - p, false) ||
		    (end_len > 0 && os_free(os, end, end_len, false)))
			return HG_ENOMEM;
		*out = pa;
		*out_size = size;
		return HG_OK;
	}
	return HG_EOOM;
}
