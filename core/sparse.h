/*
 * sparse.h - the page allocator's generic containers (internal to hgcore):
 * lazily allocated sparse arrays and 64-way hierarchical bitmaps over them.
 * Host memory grows with the indexes touched, not with the index space.
 */
#ifndef HG_SPARSE_H
#define HG_SPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HG_HBM_MAX_LEVELS 8

/*
 * A lazily allocated array of 1 << bits fixed-size elements: a top table
 * of pointers to mid tables of pointers to zero-filled leaf blocks.
 */
struct hg_sparse {
	unsigned bits;
	unsigned leaf_bits;
	unsigned mid_bits;
	unsigned top_bits;
	size_t elem;
	void ***top;
	uint64_t nleaves;
};

/* hg_sparse_init sets up an empty array of 1 << bits elements of elem
 * bytes, allocated in leaf blocks of 1 << leaf_bits elements. */
void hg_sparse_init(struct hg_sparse *s, unsigned bits, unsigned leaf_bits,
		    size_t elem);
void hg_sparse_destroy(struct hg_sparse *s);
/* hg_sparse_get returns element i, or NULL if its block is not backed. */
void *hg_sparse_get(const struct hg_sparse *s, uint64_t i);
/* hg_sparse_ensure backs element i (zero-filled); false when the host is
 * out of memory or i is out of range. */
bool hg_sparse_ensure(struct hg_sparse *s, uint64_t i);
/* hg_sparse_ensure_range backs the elements [lo, hi). */
bool hg_sparse_ensure_range(struct hg_sparse *s, uint64_t lo, uint64_t hi);

/*
 * Level 0 holds one bit per index; bit b of word w at level k+1 says
 * whether word 64*w+b of level k is non-zero. Used for the scavenge
 * index's "has free" flags and the root summaries' non-zero entries.
 */
struct hg_hbm {
	unsigned nlevels;
	struct hg_sparse lv[HG_HBM_MAX_LEVELS];
};

/* hg_hbm_init sets up an empty bitmap of 1 << bits bits. */
void hg_hbm_init(struct hg_hbm *h, unsigned bits);
void hg_hbm_destroy(struct hg_hbm *h);
/* hg_hbm_reserve backs the words of bits [lo, hi); false when out of
 * host memory. Set and clear need the words of their bit backed. */
bool hg_hbm_reserve(struct hg_hbm *h, uint64_t lo, uint64_t hi);
bool hg_hbm_get(const struct hg_hbm *h, uint64_t i);
void hg_hbm_set(struct hg_hbm *h, uint64_t i);
void hg_hbm_clear(struct hg_hbm *h, uint64_t i);
/* The highest set bit <= x, and the lowest set bit >= x; false if none. */
bool hg_hbm_find_prev(const struct hg_hbm *h, uint64_t x, uint64_t *out);
bool hg_hbm_find_next(const struct hg_hbm *h, uint64_t x, uint64_t *out);

#endif /* HG_SPARSE_H */
