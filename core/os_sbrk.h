/*
 * os_sbrk.h - the simulated OS of the sbrk platforms (js/wasm, wasip1/wasm,
 * plan9/386, plan9/amd64): Go's runtime/mem_sbrk.go and its history.
 *
 * The backend is set up by hg_os_init (os_sim.c), which calls
 * hg_os_sbrk_init for these platforms. Runtime-held blocks are vmas of
 * os->vas owned by the runtime, like on the mmap platforms. The space the
 * break has covered but the runtime does not hold (the free list, unused
 * break space, leaked blocks) is kept by the backend and reported through
 * hg_sbrk_regions, in address order, to be merged with the vma walk.
 *
 * Policies (struct hg_config):
 *   policy.sbrk = go1.24  bloc/blocMax: sbrk bumps bloc and grows the OS
 *                         break only past blocMax; a free at bloc lowers
 *                         bloc; wasm's blocMax starts at the initial
 *                         linear memory (4510586f93, 22664f33b7).
 *   policy.sbrk = go1.21  wasm (dac514ea37..4510586f93^): sbrk grows the
 *                         linear memory on every call and returns its old
 *                         end; bloc stays at the module end, so the initial
 *                         memory beyond the module is never used. plan9
 *                         (Go 1.5-1.10, fb75f856df..b1dbce31d7^): sbrk
 *                         calls brk on every call, sysReserve ignores its
 *                         hint, sysFree never lowers bloc.
 *   policy.sbrk = go1.19  js/wasm mem_js.go (Go <= 1.20): a bump pointer
 *                         that is never lowered; sysFree does nothing.
 *   policy.sbrk_free = freelist  the K&R free list (fb75f856df, go1.5+).
 *   policy.sbrk_free = top-only  fb75f856df^: no free list; only a free
 *                         of the topmost block lowers bloc, others leak.
 */
#ifndef HG_OS_SBRK_H
#define HG_OS_SBRK_H

#include "os.h"

/* The sbrk classes and figures, kept per operation. */
struct hg_sbrk_counts {
	uint64_t sbrk_free;     /* bytes on the free list (memFreelist) */
	uint64_t unused;        /* break space neither used nor listed */
	uint64_t stranded;      /* leaked blocks and wasted alignment gaps */
	uint64_t linear_memory; /* wasm: memory.size in bytes; plan9: the break
				 */
	uint64_t committed; /* break space the OS provided beyond the image */
	hg_addr bloc;       /* Go: bloc (go1.19: reserveEnd) */
	hg_addr bloc_max;   /* Go: blocMax; the OS break where Go had none */
	hg_addr image_end;  /* memRound(module end): where break space starts */
	size_t free_blocks; /* entries on the free list */
};

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
 * hg_sbrk_reserve_aligned reserves size bytes aligned to align without a
 * hint (Go: sysReserveAligned(nil, ...) on sbrk platforms). go1.24:
 * sysReserveAlignedSbrk, exactly size. Older designs: sysReserve(nil,
 * size+align), kept whole (*out_size = size+align) when it happens to be
 * aligned, else trimmed with sysFreeOS (free list, or stranded when frees
 * do nothing). Returns the address, or 0 when the OS refuses to grow.
 * Counts sbrk/grow_memory; the caller counts the reserve and the class.
 */
hg_addr hg_sbrk_reserve_aligned(struct hg_os *os, uint64_t size, uint64_t align,
				uint64_t *out_size);

/*
 * hg_sbrk_aligned_sbrk tells whether sysReserveAligned is Go 1.24's
 * sysReserveAlignedSbrk, which throws on a non-nil hint (22664f33b7).
 * Otherwise the generic sysReserveAligned applies, and with a hint it is
 * reproduced by the backend's reserve and free.
 */
bool hg_sbrk_aligned_sbrk(const struct hg_os *os);

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

#endif /* HG_OS_SBRK_H */
