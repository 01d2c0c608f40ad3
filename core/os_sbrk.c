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
#include "os_sbrk.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define WASM_PAGE ((uint64_t)64 << 10)
#define PLAN9_PAGESIZE ((uint64_t)4 << 10) /* Go: _PAGESIZE before go1.21 */

/* How sbrk, sysReserve and sysFree behave. */
enum sbrk_design {
	D_BLOC,      /* go1.24: bloc/blocMax */
	D_WASM_GROW, /* go1.21 on wasm: memory.grow on every sbrk */
	D_PLAN9_OLD, /* go1.21 on plan9: Go 1.4-1.10 mem_plan9.go */
	D_BUMP,      /* go1.19: mem_js.go's reserveEnd */
};

struct sbrk_range {
	hg_addr base;
	uint64_t size;
};

/* A sorted array of disjoint, non-adjacent ranges and their byte total. */
struct sbrk_list {
	struct sbrk_range *r;
	size_t n, cap;
	uint64_t bytes;
};

struct hg_sbrk {
	enum sbrk_design design;
	bool wasm;
	bool freelist;     /* policy.sbrk_free = freelist */
	bool aligned_sbrk; /* sysReserveAlignedSbrk (22664f33b7) */
	bool substitute;   /* plan9 go1.11-1.13: memAlloc for a wrong hint */
	uint64_t round;    /* memRound's unit */
	hg_addr image_end; /* memRound(module end): bloc's first value */
	hg_addr init_end;  /* end of the initial linear memory / break */
	hg_addr bloc;      /* Go: bloc; go1.19: reserveEnd */
	hg_addr bloc_max;  /* Go: blocMax (D_BLOC, D_WASM_GROW) */
	hg_addr mem_end;   /* the OS: linear memory size, or the break */
	struct sbrk_list mem_freelist; /* Go: memFreelist */
	struct sbrk_list strand;       /* leaked space */
	unsigned long bad;             /* inconsistent calls seen */
	char bad_msg[128];
};

static struct hg_sbrk *sbrk_state(const struct hg_os *os)
{
	return (struct hg_sbrk *)os->priv;
}

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

/* Go: memRound, runtime/mem_sbrk.go (mem_plan9.go before go1.21). */
static uint64_t mem_round(const struct hg_sbrk *s, uint64_t n)
{
	return HG_ALIGN_UP(n, s->round);
}

/* ------------------------------------------------------------------ */
/* Sorted range lists                                                  */
/* ------------------------------------------------------------------ */

/* Index of the first range whose base is above a. */
static size_t list_upper(const struct sbrk_list *l, hg_addr a)
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
	size_t i = list_upper(l, p);
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

/* Go: growMemory, runtime/sys_wasm.s (the memory.grow instruction). */
static bool grow_memory(struct hg_os *os, uint64_t pages)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (os->calls)
		os->calls->grow_memory++;
	if (pages > (os->vas.hi - s->mem_end) / WASM_PAGE ||
	    !os_can_grow(os, s->mem_end + pages * WASM_PAGE))
		return false;
	s->mem_end += pages * WASM_PAGE;
	set_committed(os);
	return true;
}

/* Go: brk_, runtime/os_plan9.go: the break never moves down. */
static bool brk_(struct hg_os *os, hg_addr addr)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (os->calls)
		os->calls->sbrk++;
	if (!os_can_grow(os, addr))
		return false;
	if (addr > s->mem_end) {
		s->mem_end = addr;
		set_committed(os);
	}
	return true;
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

/* Go: memFree, runtime/mem_sbrk.go: sorted insert with coalescing. */
static void mem_free(struct hg_sbrk *s, hg_addr p, uint64_t n)
{
	n = mem_round(s, n);
	if (n == 0)
		return;
	int rc = list_add(&s->mem_freelist, p, n);
	if (rc)
		note_bad(s, "memFree [%#" PRIx64 ", %#" PRIx64 "): %s", p,
			 p + n,
			 rc == HG_ENOMEM ? "out of host memory"
					 : "overlaps the free list");
}

/* Leak [p, p+n): no later allocation can use it. */
static void strand(struct hg_sbrk *s, hg_addr p, uint64_t n)
{
	if (n == 0)
		return;
	int rc = list_add(&s->strand, p, n);
	if (rc)
		note_bad(s, "leak [%#" PRIx64 ", %#" PRIx64 "): %s", p, p + n,
			 rc == HG_ENOMEM ? "out of host memory"
					 : "overlaps leaked space");
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
	if (rc) {
		note_bad(sbrk_state(os),
			 "block [%#" PRIx64 ", %#" PRIx64 "): %s", a, a + n,
			 rc == HG_ENOMEM ? "out of host memory"
					 : "overlaps a mapping");
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
	return hg_vas_set(&os->vas, v, v + n, HG_MEM_PREPARED, -1);
}

/* Go: sysUsedOS, runtime/mem_sbrk.go: nothing to do. */
static int sbrk_used(struct hg_os *os, hg_addr v, uint64_t n, uint64_t prepared)
{
	(void)os, (void)v, (void)n, (void)prepared;
	return HG_OK;
}

/* Go: sysUnusedOS, runtime/mem_sbrk.go: nothing to do. */
static void sbrk_unused(struct hg_os *os, hg_addr v, uint64_t n)
{
	(void)os, (void)v, (void)n;
}

/*
 * Go: sysFreeOS, runtime/mem_sbrk.go: a block ending at bloc lowers bloc
 * (the OS break stays), any other goes to memFree. mem_plan9.go go1.5-1.10
 * always used memFree; before fb75f856df only the top block could be
 * freed and the rest leaked; mem_js.go's sysFreeOS did nothing.
 */
static void sbrk_free(struct hg_os *os, hg_addr v, uint64_t n)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (v == 0 || n == 0)
		return;
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
		return;
	}
	hg_vas_remove(&os->vas, v, v + n);
	if (s->design == D_BUMP)
		strand(s, v, n);
	else if (s->design == D_PLAN9_OLD && s->freelist)
		mem_free(s, v, n);
	else if (at_top)
		s->bloc -= n;
	else if (s->freelist)
		mem_free(s, v, n);
	else
		strand(s, v, n);
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

static const struct hg_os_ops sbrk_ops = {
	"sbrk",      sbrk_reserve, sbrk_map,   sbrk_used,
	sbrk_unused, sbrk_free,    sbrk_alloc, sbrk_release,
};

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
	os->ops = &sbrk_ops;
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

bool hg_sbrk_aligned_sbrk(const struct hg_os *os)
{
	return sbrk_state(os)->aligned_sbrk;
}

/* Go: sysReserveAlignedSbrk, runtime/mem_sbrk.go (22664f33b7). */
static hg_addr sys_reserve_aligned_sbrk(struct hg_os *os, uint64_t size,
					uint64_t align)
{
	struct hg_sbrk *s = sbrk_state(os);
	if (s->freelist) {
		hg_addr base = mem_alloc_no_grow(s, size + align);
		if (base) {
			hg_addr start = HG_ALIGN_UP(base, align);
			if (start > base)
				mem_free(s, base, start - base);
			hg_addr end = start + size;
			if (base + size + align > end)
				mem_free(s, end, base + size + align - end);
			return hold(os, start, size, HG_MEM_RESERVED);
		}
	}
	hg_addr p = HG_ALIGN_UP(s->bloc, align);
	if (p < s->bloc || p > os->vas.hi)
		return 0;
	hg_addr r = sbrk(os, p + size - s->bloc);
	if (r == 0)
		return 0;
	if (p > r) {
		if (s->freelist)
			mem_free(s, r, p - r);
		else
			strand(s, r, p - r);
	}
	return hold(os, p, size, HG_MEM_RESERVED);
}

/*
 * Go: sysReserveAligned, runtime/malloc.go (go1.11-1.23) with v == nil:
 * over-reserve, keep it whole if aligned, else trim with sysFreeOS.
 */
static hg_addr sys_reserve_aligned(struct hg_os *os, uint64_t size,
				   uint64_t align, uint64_t *out_size)
{
	hg_addr p = sbrk_reserve(os, 0, size + align);
	if (p == 0)
		return 0;
	if ((p & (align - 1)) == 0) {
		*out_size = size + align;
		return p;
	}
	hg_addr pa = HG_ALIGN_UP(p, align);
	sbrk_free(os, p, pa - p);
	hg_addr end = pa + size;
	if (p + size + align > end)
		sbrk_free(os, end, p + size + align - end);
	*out_size = size;
	return pa;
}

hg_addr hg_sbrk_reserve_aligned(struct hg_os *os, uint64_t size, uint64_t align,
				uint64_t *out_size)
{
	struct hg_sbrk *s = sbrk_state(os);
	*out_size = 0;
	if (size == 0 || align == 0 || (align & (align - 1)) != 0 ||
	    size > os->vas.hi || align > os->vas.hi)
		return 0;
	size = mem_round(s, size);
	if (!s->aligned_sbrk)
		return sys_reserve_aligned(os, size, align, out_size);
	hg_addr p = sys_reserve_aligned_sbrk(os, size, align);
	if (p)
		*out_size = size;
	return p;
}

/* ------------------------------------------------------------------ */
/* Classes                                                             */
/* ------------------------------------------------------------------ */

/* The unused break space: one range. */
static void unused_range(const struct hg_sbrk *s, hg_addr *lo, hg_addr *hi)
{
	*lo = s->bloc;
	*hi = s->design == D_WASM_GROW ? s->init_end : s->mem_end;
	if (*hi < *lo)
		*hi = *lo;
}

/* Where runtime blocks, free and leaked space may lie. */
static void used_zone(const struct hg_sbrk *s, hg_addr *lo, hg_addr *hi)
{
	if (s->design == D_WASM_GROW) {
		*lo = s->init_end;
		*hi = s->mem_end;
	} else {
		*lo = s->image_end;
		*hi = s->bloc;
	}
}

void hg_sbrk_counts(const struct hg_os *os, struct hg_sbrk_counts *out)
{
	const struct hg_sbrk *s = sbrk_state(os);
	hg_addr ulo, uhi;
	unused_range(s, &ulo, &uhi);
	memset(out, 0, sizeof(*out));
	out->sbrk_free = s->mem_freelist.bytes;
	out->stranded = s->strand.bytes;
	out->unused = uhi - ulo;
	out->linear_memory = s->mem_end;
	out->committed = s->mem_end - s->image_end;
	out->bloc = s->bloc;
	out->bloc_max = s->design == D_BLOC || s->design == D_WASM_GROW
				? s->bloc_max
				: s->mem_end;
	out->image_end = s->image_end;
	out->free_blocks = s->mem_freelist.n;
}

bool hg_sbrk_outside_break(const struct hg_os *os, hg_addr base, hg_addr end)
{
	return end > base && base >= sbrk_state(os)->mem_end;
}

/* A cursor over one sorted range list, clipped to [lo, hi). */
struct cursor {
	const struct sbrk_list *l;
	size_t i;
	enum hg_class c;
};

static bool cursor_peek(const struct cursor *k, hg_addr hi, hg_addr *b,
			hg_addr *e)
{
	if (!k->l || k->i >= k->l->n || k->l->r[k->i].base >= hi)
		return false;
	*b = k->l->r[k->i].base;
	*e = *b + k->l->r[k->i].size;
	return true;
}

int hg_sbrk_regions(const struct hg_os *os, hg_addr lo, hg_addr hi,
		    hg_region_fn fn, void *arg)
{
	const struct hg_sbrk *s = sbrk_state(os);
	struct sbrk_list unused = { NULL, 0, 0, 0 };
	struct sbrk_range ur;
	hg_addr ulo, uhi;

	unused_range(s, &ulo, &uhi);
	if (uhi > ulo) {
		ur.base = ulo;
		ur.size = uhi - ulo;
		unused.r = &ur;
		unused.n = 1;
	}
	struct cursor k[3] = { { &s->mem_freelist, 0, HG_CLASS_SBRK_FREE },
			       { &s->strand, 0, HG_CLASS_STRANDED },
			       { &unused, 0, HG_CLASS_UNUSED } };
	for (int j = 0; j < 3; j++) {
		k[j].i = list_upper(k[j].l, lo);
		if (k[j].i > 0 &&
		    k[j].l->r[k[j].i - 1].base + k[j].l->r[k[j].i - 1].size >
			    lo)
			k[j].i--;
	}
	for (;;) {
		int best = -1;
		hg_addr bb = 0, be = 0;
		for (int j = 0; j < 3; j++) {
			hg_addr b, e;
			if (cursor_peek(&k[j], hi, &b, &e) &&
			    (best < 0 || b < bb)) {
				best = j;
				bb = b;
				be = e;
			}
		}
		if (best < 0)
			return 0;
		k[best].i++;
		if (bb < lo)
			bb = lo;
		if (be > hi)
			be = hi;
		if (be <= bb)
			continue;
		int rc = fn(arg, bb, be, k[best].c);
		if (rc)
			return rc;
	}
}

/* ------------------------------------------------------------------ */
/* Checker                                                             */
/* ------------------------------------------------------------------ */

/*
 * One list: sorted, disjoint, not touching, page-rounded, inside the used
 * zone, clear of every vma, and adding up to its counter.
 */
static int check_list(const struct hg_os *os, const struct sbrk_list *l,
		      const char *what, char *err, size_t errlen)
{
	const struct hg_sbrk *s = sbrk_state(os);
	hg_addr zlo, zhi;
	uint64_t sum = 0;

	used_zone(s, &zlo, &zhi);
	for (size_t i = 0; i < l->n; i++) {
		hg_addr b = l->r[i].base, e = b + l->r[i].size;
		if (l->r[i].size == 0 || e < b)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s: empty block at %#" PRIx64, what,
					 b);
		if (b % s->round || l->r[i].size % s->round)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s: block [%#" PRIx64 ", %#" PRIx64
					 ") is not rounded to %#" PRIx64,
					 what, b, e, s->round);
		if (i > 0) {
			hg_addr pb = l->r[i - 1].base;
			hg_addr pe = pb + l->r[i - 1].size;
			if (pb == b)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "%s: %#" PRIx64
						 " listed twice",
						 what, b);
			if (pb > b)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "%s: unordered: %#" PRIx64
						 " before %#" PRIx64,
						 what, pb, b);
			if (pe > b)
				return hg_errorf(
					err, errlen, HG_EINVAL,
					"%s: overlapping blocks: %#" PRIx64
					"+%#" PRIx64 " > %#" PRIx64,
					what, pb, l->r[i - 1].size, b);
			if (pe == b)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "%s: blocks at %#" PRIx64
						 " and %#" PRIx64
						 " not coalesced",
						 what, pb, b);
		}
		if (b < zlo || e > zhi)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s: block [%#" PRIx64 ", %#" PRIx64
					 ") outside [%#" PRIx64 ", %#" PRIx64
					 ")",
					 what, b, e, zlo, zhi);
		if (hg_vas_bytes(&os->vas, b, e, -1) != 0)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s: block [%#" PRIx64 ", %#" PRIx64
					 ") overlaps a mapping",
					 what, b, e);
		sum += l->r[i].size;
	}
	if (sum != l->bytes)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%s: counter says %" PRIu64
				 " bytes, blocks hold %" PRIu64,
				 what, l->bytes, sum);
	return 0;
}

/* Go: memCheck, runtime/mem_sbrk.go (with coalescing and bounds). */
static int mem_check(const struct hg_os *os, char *err, size_t errlen)
{
	return check_list(os, &sbrk_state(os)->mem_freelist, "free list", err,
			  errlen);
}

/* memCheck, then the backend's own invariants (see os_sbrk.h). */
int hg_sbrk_check(const struct hg_os *os, char *err, size_t errlen)
{
	const struct hg_sbrk *s = sbrk_state(os);
	hg_addr zlo, zhi, ulo, uhi;
	int rc;

	if (!s || os->ops != &sbrk_ops)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "not the sbrk backend");
	if (s->bad)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%lu inconsistent call(s), first: %s", s->bad,
				 s->bad_msg);
	used_zone(s, &zlo, &zhi);
	unused_range(s, &ulo, &uhi);
	if (s->bloc % s->round || s->image_end % s->round)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "bloc %#" PRIx64 " is not rounded", s->bloc);
	if (s->bloc < s->image_end || s->bloc > s->mem_end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "bloc %#" PRIx64 " outside [%#" PRIx64
				 ", %#" PRIx64 "]",
				 s->bloc, s->image_end, s->mem_end);
	if (s->design == D_BLOC &&
	    (s->bloc > s->bloc_max || s->bloc_max > s->mem_end ||
	     (s->wasm && s->bloc_max != s->mem_end)))
		return hg_errorf(err, errlen, HG_EINVAL,
				 "bloc %#" PRIx64 ", blocMax %#" PRIx64
				 " and the OS break %#" PRIx64 " disagree",
				 s->bloc, s->bloc_max, s->mem_end);
	if (s->design == D_WASM_GROW && s->bloc != s->image_end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "bloc moved off the module end");
	if (s->wasm && s->mem_end % WASM_PAGE)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "linear memory %#" PRIx64
				 " is not whole pages",
				 s->mem_end);
	if (os->committed != s->mem_end - s->image_end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "committed is %" PRIu64
				 " but the OS provided %" PRIu64,
				 os->committed, s->mem_end - s->image_end);
	if (os->commit_limit && os->committed > os->commit_limit)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "committed %" PRIu64 " is over the limit",
				 os->committed);
	if ((rc = mem_check(os, err, errlen)))
		return rc;
	if ((rc = check_list(os, &s->strand, "stranded", err, errlen)))
		return rc;
	/* Free and leaked space are disjoint. */
	for (size_t i = 0, j = 0; i < s->mem_freelist.n && j < s->strand.n;) {
		const struct sbrk_range *a = &s->mem_freelist.r[i],
					*b = &s->strand.r[j];
		if (a->base + a->size <= b->base)
			i++;
		else if (b->base + b->size <= a->base)
			j++;
		else
			return hg_errorf(err, errlen, HG_EINVAL,
					 "free block %#" PRIx64
					 " overlaps stranded %#" PRIx64,
					 a->base, b->base);
	}
	/* Mappings: runtime blocks inside the used zone, foreign ones outside
	 * break space; the image is [0, image_end). */
	uint64_t held = 0;
	bool image = false;
	for (const struct hg_vma *v = hg_vas_first(&os->vas, 0); v;
	     v = hg_vas_next(&os->vas, v)) {
		if (v->owner == HG_OWN_RUNTIME) {
			if (v->base < zlo || v->end > zhi)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "runtime block [%#" PRIx64
						 ", %#" PRIx64
						 ") outside [%#" PRIx64
						 ", %#" PRIx64 ")",
						 v->base, v->end, zlo, zhi);
			held += v->end - v->base;
		} else if (v->base == 0 && v->end == s->image_end) {
			image = true;
		} else if (v->base < s->mem_end) {
			return hg_errorf(err, errlen, HG_EINVAL,
					 "foreign mapping [%#" PRIx64
					 ", %#" PRIx64 ") inside break space",
					 v->base, v->end);
		}
	}
	if (!image)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "the program image is not mapped");
	/* Break space is tiled exactly. */
	if (held + s->mem_freelist.bytes + s->strand.bytes != zhi - zlo)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "[%#" PRIx64 ", %#" PRIx64 ") holds %" PRIu64
				 " bytes of blocks, %" PRIu64
				 " free and %" PRIu64 " stranded",
				 zlo, zhi, held, s->mem_freelist.bytes,
				 s->strand.bytes);
	if ((zhi - zlo) + (uhi - ulo) != s->mem_end - s->image_end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "used %" PRIu64 " + unused %" PRIu64
				 " is not the break space %" PRIu64,
				 zhi - zlo, uhi - ulo,
				 s->mem_end - s->image_end);
	return 0;
}
