/*
 * os.h - the simulated operating system under the model.
 *
 * An address space (struct hg_vas) holds the mappings of the process, each
 * with an owner and a state, and places new mappings like a kernel: at the
 * hint when the range is free, otherwise by the placement rule. A backend
 * (struct hg_os_ops) gives each of Go's OS primitives (the *OS functions of
 * runtime/mem_*.go) its platform meaning on top of it. Backends only perform
 * transitions; mem.c checks and accounts them. os.c holds what is the same
 * on every platform, os_sim.c the mmap backends, os_sbrk.c the sbrk one.
 */
#ifndef HG_OS_H
#define HG_OS_H

#include "hg_core.h"
#include "hg_os.h"

enum hg_owner {
	HG_OWN_RUNTIME, /* the Go runtime */
	HG_OWN_FOREIGN, /* another component, or the program image */
};

/* One mapping, or a piece of one with a uniform state. */
struct hg_vma {
	hg_addr base, end;
	hg_addr resv;        /* base of the reservation it came from */
	unsigned char owner; /* enum hg_owner */
	unsigned char
		state;      /* HG_MEM_RESERVED, HG_MEM_PREPARED, HG_MEM_READY */
	unsigned char heap; /* heap arena memory (classes come from the heap) */
	unsigned char stranded; /* never usable again under the active policy */
};

/* The simulated address space (vas.c): the vmas in an augmented B+tree. */
struct hg_vnode;
struct hg_vchunk;
struct hg_vas {
	struct hg_vnode *root;
	struct hg_vnode *first, *last; /* the lowest and the highest leaf */
	struct hg_vnode *free_nodes;   /* the node pool's free list */
	struct hg_vchunk *chunks;      /* the pool's chunks */
	size_t n;                      /* number of vmas */
	unsigned height;               /* inner levels above the leaves */
	/* The root's aggregates: the largest free gap before a vma, the
	 * lowest base and highest end of the runtime's vmas (UINT64_MAX and
	 * 0 when it holds none). */
	uint64_t max_gap;
	hg_addr rt_lo, rt_hi;
	hg_addr lo, hi;       /* usable range [lo, hi) */
	hg_addr mmap_base;    /* top-down placement starts below this */
	uint64_t granularity; /* placement alignment (64K on windows) */
	uint64_t page;        /* physical page: lengths are rounded to it */
	enum hg_placement placement;
	/* The tree's nodes that searches have read and the vmas that byte
	 * counts have stepped over: a measure of their cost that does not
	 * depend on the machine (counted by const queries too: a struct
	 * hg_vas is never defined const). */
	uint64_t visits;
};

int hg_vas_init(struct hg_vas *s, hg_addr lo, hg_addr hi, hg_addr mmap_base,
		uint64_t page, uint64_t granularity, enum hg_placement place);
void hg_vas_release(struct hg_vas *s);

/* hg_vas_free_range tells whether [base, end) holds no mapping. */
bool hg_vas_free_range(const struct hg_vas *s, hg_addr base, hg_addr end);

/*
 * hg_vas_place picks where n bytes go: at hint if [hint, hint+n) is free
 * and aligned to the granularity, otherwise the first free gap by the
 * placement rule. Returns 0 when nothing fits.
 */
hg_addr hg_vas_place(const struct hg_vas *s, hg_addr hint, uint64_t n);

/*
 * hg_vas_map places n bytes as hg_vas_place does and adds a mapping with
 * m's attributes there, in one search: m->base and m->end get the range
 * (m->resv its base too when resv_at_base). 0, HG_EINVAL when nothing fits
 * (m->base is 0), or HG_ENOMEM.
 */
int hg_vas_map(struct hg_vas *s, hg_addr hint, uint64_t n, struct hg_vma *m,
	       bool resv_at_base);

/* hg_vas_insert adds a mapping over free space. 0, HG_EINVAL or HG_ENOMEM. */
int hg_vas_insert(struct hg_vas *s, const struct hg_vma *m);

/*
 * hg_vas_set sets state (and the stranded flag, unless -1) on the vmas of
 * [base, end); splits and merges vmas as needed.
 */
int hg_vas_set(struct hg_vas *s, hg_addr base, hg_addr end, int state,
	       int stranded);

/* hg_vas_set_heap marks [base, end) as heap arena memory. */
int hg_vas_set_heap(struct hg_vas *s, hg_addr base, hg_addr end);

/* hg_vas_remove unmaps [base, end) (pieces of vmas may stay). */
int hg_vas_remove(struct hg_vas *s, hg_addr base, hg_addr end);

/* hg_vas_drop unmaps the vma v, a pointer a lookup gave (no search). */
void hg_vas_drop(struct hg_vas *s, const struct hg_vma *v);

/* hg_vas_unmap is hg_vas_remove that also adds to *charged the bytes it
 * unmapped that were not Reserved (one search for a whole vma). */
int hg_vas_unmap(struct hg_vas *s, hg_addr base, hg_addr end,
		 uint64_t *charged);

/*
 * Lookups: the vma containing a (or NULL) and the first vma that ends
 * above a, O(log n); the next and previous vma and the last vma, O(1).
 * Pointers stay valid until the address space changes.
 */
const struct hg_vma *hg_vas_find(const struct hg_vas *s, hg_addr a);
const struct hg_vma *hg_vas_first(const struct hg_vas *s, hg_addr a);
const struct hg_vma *hg_vas_next(const struct hg_vas *s,
				 const struct hg_vma *v);
const struct hg_vma *hg_vas_prev(const struct hg_vas *s,
				 const struct hg_vma *v);
const struct hg_vma *hg_vas_last(const struct hg_vas *s);

/* From the lowest base to the highest end of the runtime's vmas (0 when
 * it holds none), O(1). */
uint64_t hg_vas_runtime_span(const struct hg_vas *s);

/* hg_vas_check verifies the tree (its shape, keys, gaps, the leaf links
 * and the aggregates at every level): 0 when they hold, -1 otherwise.
 * O(n log n); hg_model_check (marks, the end of a --check replay) runs it. */
int hg_vas_check(const struct hg_vas *s);

/* Bytes of the vmas in [base, end) that have the given state (-1 = any). */
uint64_t hg_vas_bytes(const struct hg_vas *s, hg_addr base, hg_addr end,
		      int state);

/* The simulated OS of one process. */
struct hg_os {
	const struct hg_os_ops *ops; /* the backend (hg_os.h) */
	struct hg_vas vas;
	uint64_t commit_limit; /* 0 = none */
	uint64_t committed;    /* charged under the platform's rule */
	struct hg_os_calls *calls;
	hg_addr image_end; /* end of the program image */
	uint64_t round;    /* what the OS rounds a mapping's length to */
	bool map_commits;  /* sysMap commits (Windows, go1.12 and before) */
	bool windows; /* reservations are released whole (GOOS == "windows") */
	/* The mappings being made are persistent runtime metadata (never
	 * freed): they merge with touching ones (os_sim.c). */
	bool persistent;
	void *priv; /* backend state (sbrk platforms) */
	/* A caller's table with the platform's entries where it has none
	 * (hg_os_set_ops), and its arg (hg_os_arg). */
	struct hg_os_ops custom;
	void *arg;
	/* The host ran out of memory in the middle of a transition: the
	 * state is no longer trustworthy (hg_os_enomem). */
	bool enomem;
};

/* The platform backends (os_sim.c, os_sbrk.c). */
extern const struct hg_os_ops hg_os_linux_ops, hg_os_windows_ops,
	hg_os_sbrk_ops;

/* hg_os_init sets up the platform's backend and address space. */
int hg_os_init(struct hg_os *os, const struct hg_config *cfg,
	       struct hg_os_calls *calls);
void hg_os_release(struct hg_os *os);

/*
 * hg_os_set_ops puts a caller's table in place of the platform's (NULL
 * entries keep the platform's) and remembers arg for hg_os_arg.
 */
void hg_os_set_ops(struct hg_os *os, const struct hg_os_ops *ops, void *arg);

/* Set up the mmap backends (os_sim.c) and the sbrk backend (os_sbrk.c)
 * for wasm and plan9; hg_os_init calls the platform's. */
int hg_os_sim_init(struct hg_os *os, const struct hg_config *cfg);
int hg_os_sbrk_init(struct hg_os *os, const struct hg_config *cfg);

/* hg_os_enomem records that the host ran out of memory and returns
 * HG_ENOMEM; the model then reports it instead of any modeled outcome. */
static inline int hg_os_enomem(struct hg_os *os)
{
	os->enomem = true;
	return HG_ENOMEM;
}

/* A foreign mapping (mmap by another component, the program image). */
hg_addr hg_os_foreign_map(struct hg_os *os, hg_addr hint, uint64_t n);
int hg_os_foreign_unmap(struct hg_os *os, hg_addr v, uint64_t n);

/*
 * Go: sysReserveAligned, runtime/malloc.go: reserve size bytes aligned to
 * align (a power of two) near hint v by over-reserving size+align and
 * trimming the unaligned head and tail with sysFreeOS; an
 * over-reservation that happens to be aligned is kept whole
 * (*out_size = size+align). Windows cannot trim a reservation: it
 * releases it and reserves the aligned part again, up to 100 times. size
 * is rounded up to the OS's unit first. Counts reserve, unreserve and free
 * in os->calls. Sets *out to the address, or 0 when the OS refused;
 * returns 0, HG_EOOM (Go's "too many retries" throw) or HG_ENOMEM.
 */
int hg_os_reserve_aligned(struct hg_os *os, hg_addr v, uint64_t size,
			  uint64_t align, hg_addr *out, uint64_t *out_size);

#endif /* HG_OS_H */
