/*
 * os_sbrk.h - the simulated OS of the sbrk platforms (js/wasm, wasip1/wasm,
 * plan9/386, plan9/amd64): Go's runtime/mem_sbrk.go and its history.
 *
 * The backend is set up by hg_os_init (os.c), which calls
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

/*
 * The rest of the backend is reached through its table (hg_os.h):
 * grow_memory and brk (the OS under the break), aligned_sbrk and
 * reserve_aligned (Go 1.24's sysReserveAlignedSbrk), outside_break,
 * counts (struct hg_sbrk_counts), regions and check. os_sbrk_int.h holds
 * the backend's state.
 */

#endif /* HG_OS_SBRK_H */
