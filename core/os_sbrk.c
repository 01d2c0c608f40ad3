/*
 * os_sbrk.c - the simulated OS of the sbrk platforms: wasm's linear memory
 * and Plan 9's break, under Go's runtime/mem_sbrk.go (with mem_wasm.go and
 * mem_plan9.go) and the designs before it. See os_sbrk.h.
 *
 * Break space is [image_end, the end of linear memory or the break). Each
 * byte of it is one of: a runtime block (a vma of os->vas), a block on
 * the free list, leaked space (stranded), or space the runtime does not
 * use (unused). The backend keeps the free list and the leaked ranges as
 * sorted arrays with byte counters, so the classes never need a rescan.
 *
 * Modelling choices where Go leaves a gap:
 *  - The program image is the foreign vma [0, memRound(module end)), so
 *    break space starts page-aligned where bloc starts.
 *  - The break grows like memory.grow or brk would: up to the address
 *    limit, within commit_limit (applied to break space beyond the image)
 *    and only over addresses no foreign mapping holds. Foreign mappings
 *    without a hint are placed from the top of the space down.
 *  - Plan 9 never lowers the OS break (a shared segment cannot shrink); a
 *    brk below the current break is taken as a successful no-op.
 *  - Frees are rounded to memRound like memFree does; a free of a range
 *    the runtime does not hold is ignored and reported by hg_sbrk_check.
 *  - Versions inside one policy label: Plan 9's memRound is 4 KiB before
 *    go1.21 (_PAGESIZE); its sysReserve substitutes a free-list address
 *    for a wrong hint in go1.11-1.13 (b1dbce31d7 to 8054b13536^); and
 *    sysReserveAlignedSbrk exists from go1.24 on (22664f33b7), the generic
 *    sysReserveAligned before.
 *  - policy.sbrk=go1.19 on Plan 9 (no Go release had it) is the same bump
 *    allocator with brk in place of memory.grow.
 */
#include "internal.h"
#include "os_sbrk_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* note_bad records an inconsistent call for hg_sbrk_check (the first
 * one's description is kept). */
HG_FORMAT(2, 3)
static void note_bad(struct hg_sbrk *s, const char *fmt, ...)
{
	if (s->bad++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		hg_verrorf(s->bad_msg, sizeof(s->bad_msg), 0, fmt, ap);
		va_end(ap);
	}
}

/* ------------------------------------------------------------------ */
/* Sorted range lists                                                  */
/* ------------------------------------------------------------------ */

/* Go has no such helper: the index of the first range above a. */
size_t hg_sbrk_list_upper(const struct sbrk_list *l, hg_addr a)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->r[mid].base <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void list_delete(struct sbrk_list *l, size_t i)
{
	memmove(&l->r[i], &l->r[i + 1], (l->n - i - 1) * sizeof(*l->r));
	l->n--;
}

/*
 * list_add inserts [p, p+n) in address order and merges it with the
 * ranges it touches on either side. HG_EINVAL if it overlaps one.
 */
static int list_add(struct sbrk_list *l, hg_addr p, uint64_t n)
{
	size_t i = hg_sbrk_list_upper(l, p);
	bool prev = i > 0 && l->r[i - 1].base + l->r[i - 1].size == p;
	bool next = i < l->n && p + n == l->r[i].base;

	if ((i > 0 && l->r[i - 1].base + l->r[i - 1].size > p) ||
	    (i < l->n && p + n > l->r[i].base))
		return HG_EINVAL;
	l->bytes += n;
	if (prev && next) {
		l->r[i - 1].size += n + l->r[i].size;
		list_delete(l, i);
	} else if (prev) {
		l->r[i - 1].size += n;
	} else if (next) {
		l->r[i].base = p;
		l->r[i].size += n;
	} else {
		if (l->n == l->cap) {
			size_t ncap = l->cap ? l->cap * 2 : 16;
			struct sbrk_range *nr =
				realloc(l->r, ncap * sizeof(*nr));
			if (!nr) {
				l->bytes -= n;
				return HG_ENOMEM;
			}
			l->r = nr;
			l->cap = ncap;
		}
		memmove(&l->r[i + 1], &l->r[i], (l->n - i) * sizeof(*l->r));
		l->r[i].base = p;
		l->r[i].size = n;
		l->n++;
	}
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* The OS: memory.grow and brk                                         */
/* ------------------------------------------------------------------ */

static void set_committed(struct hg_os *os)
{
	struct hg_sbrk *s = sbrk_state(os);
	os->committed = s->mem_end - s->image_end;
}

/* Whether the OS lets the break space reach new_end. */
static bool os_can_grow(const struct hg_os *os, hg_addr new_end)
{
	const struct hg_sbrk *s = sbrk_state(os);
	if (new_end <= s->mem_end)
		return true;
	if (new_end > os->vas.hi)
		return false;
	if (os->commit_limit && new_end - s->image_end > os->commit_limit)
		return false;
	return hg_vas_free_range(&os->vas, s->mem_end, new_end);
}

/*
 * Go: growMemory, runtime/sys_wasm.s (the memory.grow instruction): the
 * backend's grow_memory entry.
 */
static int wasm_grow_memory(struct hg_os *os, uint64_t pages)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (pages > (os->vas.hi - s->mem_end) / WASM_PAGE ||
	    !os_can_grow(os, s->mem_end + pages * WASM_PAGE))
		return HG_EOOM;
	s->mem_end += pages * WASM_PAGE;
	set_committed(os);
	return HG_OK;
}

/* Go: brk_, runtime/os_plan9.go: the break never moves down. The
 * backend's brk entry. */
static int plan9_brk(struct hg_os *os, hg_addr addr)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (!os_can_grow(os, addr))
		return HG_EOOM;
	if (addr > s->mem_end) {
		s->mem_end = addr;
		set_committed(os);
	}
	return HG_OK;
}

/* The counted OS calls, through the table (a test's may refuse them). */
static bool grow_memory(struct hg_os *os, uint64_t pages)
{
	if (os->calls)
		os->calls->grow_memory++;
	int rc = os->ops->grow_memory(os, pages);
	if (rc == HG_ENOMEM)
		hg_os_enomem(os);
	return rc == HG_OK;
}

static bool brk_(struct hg_os *os, hg_addr addr)
{
	if (os->calls)
		os->calls->sbrk++;
	int rc = os->ops->brk(os, addr);
	if (rc == HG_ENOMEM)
		hg_os_enomem(os);
	return rc == HG_OK;
}

/*
 * Go: sbrk, runtime/mem_wasm.go and runtime/mem_plan9.go: n more bytes at
 * the runtime's break, growing the OS's only past blocMax. go1.21 wasm
 * grows the linear memory on every call and returns its old end; Plan 9
 * before go1.11 calls brk on every call. Returns 0 when the OS refuses.
 */
static hg_addr sbrk(struct hg_os *os, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	hg_addr bl = s->bloc;

	if (n > os->vas.hi)
		return 0;
	switch (s->design) {
	case D_WASM_GROW: {
		hg_addr old = s->mem_end;
		if (!grow_memory(os, (n + WASM_PAGE - 1) / WASM_PAGE))
			return 0;
		return old;
	}
	case D_PLAN9_OLD:
		n = mem_round(s, n);
		if (bl + n > os->vas.hi || !brk_(os, bl + n))
			return 0;
		s->bloc += n;
		return bl;
	default:
		n = mem_round(s, n);
		if (bl + n > os->vas.hi)
			return 0;
		if (bl + n > s->bloc_max) {
			bool ok = s->wasm ? grow_memory(os,
							(bl + n - s->bloc_max) /
								WASM_PAGE)
					  : brk_(os, bl + n);
			if (!ok)
				return 0;
			s->bloc_max = bl + n;
		}
		s->bloc += n;
		return bl;
	}
}

/*
 * Go: sysReserveOS, runtime/mem_js.go (Go <= 1.20): bump reserveEnd and
 * grow the linear memory when it passes memory.size. The bump is undone
 * when the memory cannot grow (Go keeps it, but then throws).
 */
static hg_addr reserve_end_bump(struct hg_os *os, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	hg_addr v = s->bloc;

	if (n > os->vas.hi)
		return 0;
	hg_addr end = v + mem_round(s, n);
	if (end > os->vas.hi)
		return 0;
	if (end > s->mem_end) {
		bool ok = s->wasm ? grow_memory(os,
						(end - s->mem_end) / WASM_PAGE)
				  : brk_(os, end);
		if (!ok)
			return 0;
	}
	s->bloc = end;
	return v;
}

/* ------------------------------------------------------------------ */
/* The free list                                                       */
/* ------------------------------------------------------------------ */

/*
 * Go: memAllocNoGrow, runtime/mem_sbrk.go: first fit in address order; a
 * larger block gives up its high end.
 */
static hg_addr mem_alloc_no_grow(struct hg_sbrk *s, uint64_t n)
{
	n = mem_round(s, n);
	for (size_t i = 0; i < s->mem_freelist.n; i++) {
		struct sbrk_range *p = &s->mem_freelist.r[i];
		hg_addr a;
		if (p->size < n)
			continue;
		if (p->size == n) {
			a = p->base;
			list_delete(&s->mem_freelist, i);
		} else {
			p->size -= n;
			a = p->base + p->size;
		}
		s->mem_freelist.bytes -= n;
		return a;
	}
	return 0;
}

/*
 * Adds [p, p+n) to one of the lists: 0, or HG_ENOMEM (host). A range that
 * overlaps the list is an inconsistent call, noted for hg_sbrk_check.
 */
static int list_take(struct hg_os *os, struct sbrk_list *l, const char *what,
		     hg_addr p, uint64_t n)
{
	int rc = list_add(l, p, n);
	if (rc == HG_ENOMEM)
		return hg_os_enomem(os);
	if (rc)
		note_bad(sbrk_state(os),
			 "%s [%#" PRIx64 ", %#" PRIx64 "): overlaps the list",
			 what, p, p + n);
	return HG_OK;
}

/* Go: memFree, runtime/mem_sbrk.go: sorted insert with coalescing. */
static int mem_free(struct hg_os *os, hg_addr p, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	n = mem_round(s, n);
	if (n == 0)
		return HG_OK;
	return list_take(os, &s->mem_freelist, "memFree", p, n);
}

/* Leak [p, p+n): no later allocation can use it. */
static int strand(struct hg_os *os, hg_addr p, uint64_t n)
{
	if (n == 0)
		return HG_OK;
	return list_take(os, &sbrk_state(os)->strand, "leak", p, n);
}

/* Go: memAlloc, runtime/mem_sbrk.go; plain sbrk without a free list. */
static hg_addr mem_alloc(struct hg_os *os, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (s->freelist) {
		hg_addr p = mem_alloc_no_grow(s, n);
		if (p)
			return p;
	}
	return sbrk(os, n);
}

/* ------------------------------------------------------------------ */
/* Runtime blocks                                                      */
/* ------------------------------------------------------------------ */

/* Record [a, a+n) as a runtime block in the given state. */
static hg_addr hold(struct hg_os *os, hg_addr a, uint64_t n, int state)
{
	struct hg_vma m = { a, a + n, a, HG_OWN_RUNTIME, (unsigned char)state,
			    0, 0 };
	int rc = hg_vas_insert(&os->vas, &m);
	if (rc == HG_ENOMEM) {
		hg_os_enomem(os);
		return 0;
	}
	if (rc) {
		note_bad(sbrk_state(os),
			 "block [%#" PRIx64 ", %#" PRIx64
			 "): overlaps a mapping",
			 a, a + n);
		return 0;
	}
	return a;
}

/* Whether the runtime holds all of [base, end). */
static bool runtime_holds(const struct hg_vas *vas, hg_addr base, hg_addr end)
{
	const struct hg_vma *v = hg_vas_find(vas, base);
	hg_addr at = base;
	for (; v && at < end; v = hg_vas_next(vas, v)) {
		if (v->base > at || v->owner != HG_OWN_RUNTIME)
			return false;
		at = v->end;
	}
	return at >= end;
}

/* The raw sysReserveOS of each design, before the block is recorded. */
static hg_addr reserve_raw(struct hg_os *os, hg_addr v, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	hg_addr p = 0;

	switch (s->design) {
	case D_BUMP: /* Go: sysReserveOS, mem_js.go: no hints */
		return v ? 0 : reserve_end_bump(os, n);
	case D_PLAN9_OLD: /* Go: sysReserve, mem_plan9.go <= go1.10: v ignored
			   */
		return mem_alloc(os, n);
	default:
		if (v == s->bloc)
			p = sbrk(os, n);
		if (p == 0 && (v == 0 || s->substitute))
			p = mem_alloc(os, n);
		return p;
	}
}

/*
 * Go: sysReserveOS, runtime/mem_sbrk.go: at bloc extend the break, with
 * no hint take memAlloc, otherwise fail. Break space is consumed either
 * way: the block is held in state Reserved.
 */
static hg_addr sbrk_reserve(struct hg_os *os, hg_addr v, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (n == 0 || n > os->vas.hi)
		return 0;
	hg_addr p = reserve_raw(os, v, n);
	if (p == 0)
		return 0;
	return hold(os, p, mem_round(s, n), HG_MEM_RESERVED);
}

/* Go: sysMapOS, runtime/mem_sbrk.go: nothing to do; Reserved -> Prepared. */
static int sbrk_map(struct hg_os *os, hg_addr v, uint64_t n)
{
	if (hg_vas_set(&os->vas, v, v + n, HG_MEM_PREPARED, -1))
		return hg_os_enomem(os);
	return HG_OK;
}

/* Go: sysUsedOS, runtime/mem_sbrk.go: nothing to do. */
static int sbrk_used(struct hg_os *os, hg_addr v, uint64_t n, uint64_t prepared)
{
	(void)os, (void)v, (void)n, (void)prepared;
	return HG_OK;
}

/* Go: sysUnusedOS, runtime/mem_sbrk.go: nothing to do. */
static int sbrk_unused(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)os, (void)v, (void)n;
	return HG_OK;
}

/*
 * Go: sysFreeOS, runtime/mem_sbrk.go: a block ending at bloc lowers bloc
 * (the OS break stays), any other goes to memFree. mem_plan9.go go1.5-1.10
 * always used memFree; before fb75f856df only the top block could be
 * freed and the rest leaked; mem_js.go's sysFreeOS did nothing.
 */
static int sbrk_free(struct hg_os *os, hg_addr v, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (v == 0 || n == 0)
		return HG_OK;
	/* mem_sbrk.go tests v+n == bloc with n as given (the rest rounds
	 * it); the top-only sysFree before fb75f856df rounded first. */
	bool at_top = v + n == s->bloc;
	n = mem_round(s, n);
	if (!s->freelist)
		at_top = v + n == s->bloc;
	if (v + n < v || !runtime_holds(&os->vas, v, v + n)) {
		note_bad(s,
			 "free of [%#" PRIx64 ", +%#" PRIx64
			 ") that the runtime does not hold",
			 v, n);
		return HG_OK;
	}
	if (hg_vas_remove(&os->vas, v, v + n))
		return hg_os_enomem(os);
	if (s->design == D_BUMP)
		return strand(os, v, n);
	if (s->design == D_PLAN9_OLD && s->freelist)
		return mem_free(os, v, n);
	if (at_top) {
		s->bloc -= n;
		return HG_OK;
	}
	if (s->freelist)
		return mem_free(os, v, n);
	return strand(os, v, n);
}

/*
 * Go: sysAllocOS, runtime/mem_sbrk.go: memAlloc. mem_js.go: sysReserveOS
 * then sysMapOS; before fb75f856df: sbrk.
 */
static hg_addr sbrk_alloc(struct hg_os *os, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (n == 0 || n > os->vas.hi)
		return 0;
	hg_addr p = s->design == D_BUMP ? reserve_end_bump(os, n)
					: mem_alloc(os, n);
	if (p == 0)
		return 0;
	return hold(os, p, mem_round(s, n), HG_MEM_READY);
}

static void sbrk_release(struct hg_os *os)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (!s)
		return;
	free(s->mem_freelist.r);
	free(s->strand.r);
	free(s);
	os->priv = NULL;
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

/*
 * Go: initBloc, runtime/mem_sbrk.go, and osinit, runtime/os_wasm.go: bloc
 * = blocMax = memRound(module end); on wasm from go1.24 blocMax = the
 * initial linear memory.
 */
int hg_os_sbrk_init(struct hg_os *os, const struct hg_config *cfg)
{
	hg_addr hi = cfg->address_bits >= 64 ? UINT64_MAX
					     : (hg_addr)1 << cfg->address_bits;
	uint64_t page = cfg->phys_page_size;
	unsigned go = hg_config_go_minor(cfg);

	if (page == 0 || (page & (page - 1)) != 0)
		return HG_EINVAL;
	int err =
		hg_vas_init(&os->vas, 0, hi, hi, page, page, HG_PLACE_TOPDOWN);
	if (err)
		return err;
	struct hg_sbrk *s = calloc(1, sizeof(*s));
	if (!s)
		return HG_ENOMEM;
	os->priv = s;
	os->ops = &hg_os_sbrk_ops;
	s->wasm = hg_platform_is_wasm(cfg->platform);
	s->freelist = cfg->policy_sbrk_free == HG_SBRK_FREE_FREELIST;
	switch (cfg->policy_sbrk) {
	case HG_SBRK_GO119:
		s->design = D_BUMP;
		break;
	case HG_SBRK_GO121:
		s->design = s->wasm ? D_WASM_GROW : D_PLAN9_OLD;
		break;
	default:
		s->design = D_BLOC;
		break;
	}
	s->round = s->wasm || go >= 21 ? page : PLAN9_PAGESIZE;
	os->round = s->round;
	s->aligned_sbrk = s->design == D_BLOC && (s->wasm || go >= 24);
	s->substitute = s->design == D_BLOC && !s->wasm && go >= 11 && go <= 13;

	uint64_t end = cfg->module_end ? cfg->module_end : 1;
	if (end >= hi - s->round)
		return HG_EINVAL;
	s->image_end = mem_round(s, end);
	uint64_t init = hg_config_initial_memory(cfg);
	if (s->wasm)
		init = init > hi - WASM_PAGE ? hi
					     : HG_ALIGN_UP(init, WASM_PAGE);
	s->init_end = init > s->image_end ? init : s->image_end;
	s->mem_end = s->init_end;
	s->bloc = s->image_end;
	s->bloc_max =
		s->design == D_BLOC && s->wasm ? s->mem_end : s->image_end;
	os->image_end = s->image_end;
	set_committed(os);
	if (os->commit_limit && os->committed > os->commit_limit)
		return HG_EINVAL;
	struct hg_vma img = {
		0, s->image_end, 0, HG_OWN_FOREIGN, HG_MEM_READY, 0, 0
	};
	return hg_vas_insert(&os->vas, &img);
}

/* ------------------------------------------------------------------ */
/* Aligned reservations                                                */
/* ------------------------------------------------------------------ */

/* The backend's aligned_sbrk entry (hg_os.h). */
static bool sbrk_aligned_sbrk(const struct hg_os *os)
{
	return sbrk_state(os)->aligned_sbrk;
}

/*
 * Go: sysReserveAlignedSbrk, runtime/mem_sbrk.go (22664f33b7): a free-list
 * block of size+align whose unaligned ends go back to the list, or the
 * break aligned up with the gap listed (leaked without a free list). The
 * backend's reserve_aligned entry; size is rounded by memRound first.
 */
static hg_addr sbrk_reserve_aligned(struct hg_os *os, uint64_t size,
				    uint64_t align, uint64_t *out_size)
{
	struct hg_sbrk *s = sbrk_state(os);
	HG_ASSERT(size != 0 && hg_is_pow2(align));
	*out_size = 0;
	if (size > os->vas.hi || align > os->vas.hi)
		return 0;
	size = mem_round(s, size);
	hg_addr p = 0;
	if (s->freelist) {
		hg_addr base = mem_alloc_no_grow(s, size + align);
		if (base) {
			hg_addr start = HG_ALIGN_UP(base, align);
			hg_addr end = start + size;
			if ((start > base &&
			     mem_free(os, base, start - base)) ||
			    (base + size + align > end &&
			     mem_free(os, end, base + size + align - end)))
				return 0;
			p = hold(os, start, size, HG_MEM_RESERVED);
			if (p)
				*out_size = size;
			return p;
		}
	}
	p = HG_ALIGN_UP(s->bloc, align);
	if (p < s->bloc || p > os->vas.hi)
		return 0;
	hg_addr r = sbrk(os, p + size - s->bloc);
	if (r == 0)
		return 0;
	if (p > r &&
	    (s->freelist ? mem_free(os, r, p - r) : strand(os, r, p - r)))
		return 0;
	p = hold(os, p, size, HG_MEM_RESERVED);
	if (p)
		*out_size = size;
	return p;
}

const struct hg_os_ops hg_os_sbrk_ops = {
	.name = "sbrk",
	.reserve = sbrk_reserve,
	.map = sbrk_map,
	.used = sbrk_used,
	.unused = sbrk_unused,
	.free = sbrk_free,
	.alloc = sbrk_alloc,
	.release = sbrk_release,
	.grow_memory = wasm_grow_memory,
	.brk = plan9_brk,
	.aligned_sbrk = sbrk_aligned_sbrk,
	.reserve_aligned = sbrk_reserve_aligned,
	.outside_break = hg_sbrk_outside_break,
	.counts = hg_sbrk_counts,
	.regions = hg_sbrk_regions,
	.check = hg_sbrk_check,
};
