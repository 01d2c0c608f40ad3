/*
 * hg_os.h - the OS backend under the model, and how a caller puts its own
 * in (a test that makes the Nth mmap fail, a recorder of OS calls).
 *
 * A backend is a table of Go's OS primitives (the *OS functions of
 * runtime/mem_*.go) on one simulated process. The platform of the
 * configuration chooses the default table (hg_os_platform_ops); a caller
 * may pass its own to hg_model_new_with. A NULL entry of a caller's table
 * takes the platform's entry, so a table that wraps a few primitives only
 * fills those and calls the platform's from them.
 *
 * Backends only perform transitions; the model checks and accounts them
 * (the counts of struct hg_os_calls are taken by the caller of each entry).
 * Addresses and lengths are multiples of the platform's physical page
 * unless an entry says otherwise, and lengths are not zero.
 */
#ifndef HG_OS_PUBLIC_H
#define HG_OS_PUBLIC_H

#include "hg_core.h"

struct hg_os;          /* one simulated process's OS (opaque here) */
struct hg_sbrk_counts; /* the break's classes (inside the core) */

struct hg_os_ops {
	const char *name;

	/* Go's *OS primitives (mem_linux.go, mem_windows.go, mem_sbrk.go). */

	/* Go: sysReserveOS: None -> Reserved at hint if the OS agrees, else
	 * where it chooses. Returns the address, or 0 when it refuses. */
	hg_addr (*reserve)(struct hg_os *os, hg_addr hint, uint64_t n);
	/* Go: sysMapOS: Reserved -> Prepared. 0, or HG_EOOM when the OS
	 * refuses (a commit limit), or HG_ENOMEM (host). */
	int (*map)(struct hg_os *os, hg_addr v, uint64_t n);
	/* Go: sysUsedOS: Prepared -> Ready (the commit on Windows);
	 * prepared is how many of the n bytes were Prepared. 0 or HG_EOOM. */
	int (*used)(struct hg_os *os, hg_addr v, uint64_t n, uint64_t prepared);
	/* Go: sysUnusedOS: Ready -> Prepared. 0 or HG_ENOMEM (host). */
	int (*unused)(struct hg_os *os, hg_addr v, uint64_t n);
	/* Go: sysFreeOS (and sysUnreserve): any state -> None. n is the
	 * length as the runtime gives it (mem_sbrk.go compares it
	 * unrounded). 0 or HG_ENOMEM (host). */
	int (*free)(struct hg_os *os, hg_addr v, uint64_t n);
	/* Go: sysAllocOS: None -> Ready where the OS chooses; 0 = refused. */
	hg_addr (*alloc)(struct hg_os *os, uint64_t n);
	/* Frees the backend's private state (may be NULL). */
	void (*release)(struct hg_os *os);

	/* The OS under the sbrk layer (NULL on the mmap platforms). */

	/* Go: growMemory (wasm memory.grow) by pages of 64 KiB. 0, or
	 * HG_EOOM when the memory cannot grow. */
	int (*grow_memory)(struct hg_os *os, uint64_t pages);
	/* Go: brk_ (Plan 9; counted as sbrk): move the break to addr (any
	 * address; the break never moves down). 0, or HG_EOOM. */
	int (*brk)(struct hg_os *os, hg_addr addr);

	/* The sbrk layer's own entry points (NULL on the mmap platforms). */

	/* Whether sysReserveAligned is Go 1.24's sysReserveAlignedSbrk
	 * (22664f33b7), which throws on a hint; otherwise the generic
	 * sysReserveAligned runs over reserve and free. */
	bool (*aligned_sbrk)(const struct hg_os *os);
	/* Go: sysReserveAlignedSbrk: size bytes (rounded to the break's
	 * unit, *out_size) aligned to align, from the free list or the
	 * break. Returns the address or 0. */
	hg_addr (*reserve_aligned)(struct hg_os *os, uint64_t size,
				   uint64_t align, uint64_t *out_size);
	/* Whether [base, end) lies above the break space so far, where a
	 * foreign mapping may go. */
	bool (*outside_break)(const struct hg_os *os, hg_addr base,
			      hg_addr end);
	/* The break's classes and figures, kept per operation. */
	void (*counts)(const struct hg_os *os, struct hg_sbrk_counts *out);
	/* Calls fn for the free-list, unused and leaked break space meeting
	 * [lo, hi), clipped, in address order; fn's first non-zero value. */
	int (*regions)(const struct hg_os *os, hg_addr lo, hg_addr hi,
		       hg_region_fn fn, void *arg);
	/* Go's memCheck and the backend's own invariants: 0, or HG_EINVAL
	 * with a description in err. */
	int (*check)(const struct hg_os *os, char *err, size_t errlen);
};

/* hg_os_platform_ops returns the default backend of platform p. */
const struct hg_os_ops *hg_os_platform_ops(enum hg_platform p);

/* hg_os_arg returns the os_arg given to hg_model_new_with (for a table's
 * entries to find their own state). */
void *hg_os_arg(const struct hg_os *os);

/* Options of hg_model_new_with; HG_MODEL_OPTS_INIT is the default. */
struct hg_model_opts {
	const struct hg_os_ops *os_ops; /* NULL: the platform's backend */
	void *os_arg;                   /* returned by hg_os_arg */
	/* Every op the general way, none by hg_model_apply's short way for
	 * the spans' own events: the same results (the tests compare). */
	bool general_path;
};
#define HG_MODEL_OPTS_INIT                                                     \
	{                                                                      \
		NULL, NULL, false                                              \
	}

/*
 * hg_model_new_with is hg_model_new with options (opts may be NULL). The
 * backend's table and arg must stay valid until hg_model_free; the table
 * is in effect from the runtime's initialisation on (the program image is
 * placed before it).
 */
int hg_model_new_with(struct hg_model **out, const struct hg_config *cfg,
		      const struct hg_model_opts *opts, char *err,
		      size_t errlen);

#endif /* HG_OS_PUBLIC_H */
