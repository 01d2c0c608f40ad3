/*
 * os_sbrk_int.h - the state of the sbrk backend, shared by its two files
 * (internal to them): os_sbrk.c, the break and the free list under Go's
 * mem_sbrk.go, and os_sbrk_check.c, the classes it reports and its
 * checker. The rest of the core reaches both through the backend's table
 * (hg_os.h).
 */
#ifndef HG_OS_SBRK_INT_H
#define HG_OS_SBRK_INT_H

#include "internal.h"
#include "os_sbrk.h"

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

static inline struct hg_sbrk *sbrk_state(const struct hg_os *os)
{
	return (struct hg_sbrk *)os->priv;
}

/* Go: memRound, runtime/mem_sbrk.go (mem_plan9.go before go1.21). */
static inline uint64_t mem_round(const struct hg_sbrk *s, uint64_t n)
{
	return HG_ALIGN_UP(n, s->round);
}

/* Index of the first range of l whose base is above a (os_sbrk.c). */
size_t hg_sbrk_list_upper(const struct sbrk_list *l, hg_addr a);

/* The table entries of os_sbrk_check.c (counts, regions, outside_break,
 * check in hg_os.h). */

void hg_sbrk_counts(const struct hg_os *os, struct hg_sbrk_counts *out);

/*
 * hg_sbrk_regions calls fn for the free-list blocks (HG_CLASS_SBRK_FREE),
 * unused break space (HG_CLASS_UNUSED) and leaked space
 * (HG_CLASS_STRANDED) that meet [lo, hi), clipped to it, in address order.
 * None of them is a vma. Returns fn's first non-zero value, or 0.
 */
int hg_sbrk_regions(const struct hg_os *os, hg_addr lo, hg_addr hi,
		    hg_region_fn fn, void *arg);

/*
 * hg_sbrk_outside_break tells whether [base, end) lies above the break
 * space so far ([0, linear memory end or break)), so that a foreign
 * mapping may go there. Later growth of the break stops at such a mapping.
 */
bool hg_sbrk_outside_break(const struct hg_os *os, hg_addr base, hg_addr end);

/*
 * hg_sbrk_check: Go's memCheck (the free list sorted, disjoint, coalesced,
 * page-rounded, inside break space) plus the backend's own invariants:
 * the counters equal a recomputation from the lists and vmas, and the
 * runtime vmas, free list, stranded and unused space tile the break
 * space exactly. Returns 0, or HG_EINVAL with a description in err.
 */
int hg_sbrk_check(const struct hg_os *os, char *err, size_t errlen);

#endif /* HG_OS_SBRK_INT_H */
