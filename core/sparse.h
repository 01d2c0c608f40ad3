/*
 * sparse.h - the page allocator's generic containers (internal to hgcore):
 * lazily allocated sparse arrays and 64-way hierarchical bitmaps over them.
 * Host memory grows with the indexes touched, not with the index space.
 *
 * A sparse array may also hold uniform leaf blocks: a leaf whose elements
 * all equal one of a few registered prototypes is kept as a tag naming
 * that prototype instead of a block of memory, so a run of identical
 * elements (the chunks of a 100 TiB span, all allocated) costs one
 * pointer per leaf, not the leaf. Reads see the prototype; a write to one
 * element materialises its leaf (hg_sparse_get_mut), and a leaf whose
 * elements come to agree with a prototype again is folded back
 * (hg_sparse_compact); hg_sparse_set_uniform fills whole ranges.
 */
#ifndef HG_SPARSE_H
#define HG_SPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HG_HBM_MAX_LEVELS 8
#define HG_SPARSE_MAX_UNIFORM 4

/*
 * A lazily allocated array of 1 << bits fixed-size elements: a top table
 * of pointers to mid tables of slots, each slot NULL (not backed), a
 * zero-filled leaf block, or a uniform tag (a prototype's number).
 */
struct hg_sparse {
	unsigned bits;
	unsigned leaf_bits;
	unsigned mid_bits;
	unsigned top_bits;
	size_t elem;
	void ***top;
	uint64_t nleaves; /* leaf blocks materialised (host memory) */
	unsigned nuniform;
	const void *uniform[HG_SPARSE_MAX_UNIFORM]; /* owned by the caller */
	bool uniform_zero[HG_SPARSE_MAX_UNIFORM];   /* all bytes zero */
	/* The materialised leaf last written through (hg_sparse_peek_mut,
	 * hg_sparse_get_mut, hg_sparse_leaf), for the next access near it:
	 * its first index, its length (1 << leaf_bits; 0 = none, so no
	 * index matches) and block: one subtraction and one compare tell
	 * whether an index lies in it. Forgotten when that leaf is freed. */
	uint64_t cache_lo;
	uint64_t cache_len;
	char *cache_leaf;
};

/* hg_sparse_init sets up an empty array of 1 << bits elements of elem
 * bytes, allocated in leaf blocks of 1 << leaf_bits elements. */
void hg_sparse_init(struct hg_sparse *s, unsigned bits, unsigned leaf_bits,
		    size_t elem);
void hg_sparse_destroy(struct hg_sparse *s);
/* hg_sparse_add_uniform registers a prototype element (which must outlive
 * s) and returns its number, or -1 when the table is full. */
int hg_sparse_add_uniform(struct hg_sparse *s, const void *proto);
/* The slot of element i's leaf, or NULL when its mid table is absent
 * (inline: every read of the page allocator goes through it). */
static inline void **hg_sparse_slot(const struct hg_sparse *s, uint64_t i)
{
	void **mid;

	if (!s->top || (s->bits < 64 && (i >> s->bits) != 0))
		return NULL;
	mid = s->top[i >> (s->leaf_bits + s->mid_bits)];
	if (!mid)
		return NULL;
	return &mid[(i >> s->leaf_bits) & ((UINT64_C(1) << s->mid_bits) - 1)];
}

/* A slot tagged uniform holds (k << 1) | 1 (leaves are malloc'd, so
 * their bit 0 is clear). */
static inline bool hg_sparse_is_uniform(const void *slot)
{
	return ((uintptr_t)slot & 1) != 0;
}

/* hg_sparse_cache_leaf makes leaf (element i's block) the cached one. */
static inline void hg_sparse_cache_leaf(struct hg_sparse *s, uint64_t i,
					void *leaf)
{
	s->cache_lo = i & ~((UINT64_C(1) << s->leaf_bits) - 1);
	s->cache_len = UINT64_C(1) << s->leaf_bits;
	s->cache_leaf = leaf;
}

/* Element i when it lies in the cached leaf, else NULL. The _sz forms
 * take the element size (s->elem) as an argument, so a caller that knows
 * it at compile time gets the offset without a multiply. */
static inline char *hg_sparse_cached_sz(const struct hg_sparse *s, uint64_t i,
					size_t elem)
{
	uint64_t off = i - s->cache_lo;

	if (off >= s->cache_len)
		return NULL;
	return s->cache_leaf + off * elem;
}

static inline char *hg_sparse_cached(const struct hg_sparse *s, uint64_t i)
{
	return hg_sparse_cached_sz(s, i, s->elem);
}

/* hg_sparse_get returns element i for reading (the prototype itself when
 * its leaf is uniform), or NULL if its block is not backed. */
static inline const void *hg_sparse_get_sz(const struct hg_sparse *s,
					   uint64_t i, size_t elem)
{
	const char *c = hg_sparse_cached_sz(s, i, elem);
	void **slot;

	if (c)
		return c;
	slot = hg_sparse_slot(s, i);
	if (!slot || !*slot)
		return NULL;
	if (hg_sparse_is_uniform(*slot))
		return s->uniform[(uintptr_t)*slot >> 1];
	return (const char *)*slot +
	       (i & ((UINT64_C(1) << s->leaf_bits) - 1)) * elem;
}

static inline const void *hg_sparse_get(const struct hg_sparse *s, uint64_t i)
{
	return hg_sparse_get_sz(s, i, s->elem);
}

/* hg_sparse_leaf returns the materialised leaf holding element i (its
 * first element), else NULL; the leaf becomes the cached one. */
static inline char *hg_sparse_leaf(struct hg_sparse *s, uint64_t i)
{
	void **slot;

	if (i - s->cache_lo < s->cache_len)
		return s->cache_leaf;
	slot = hg_sparse_slot(s, i);
	if (!slot || !*slot || hg_sparse_is_uniform(*slot))
		return NULL;
	hg_sparse_cache_leaf(s, i, *slot);
	return *slot;
}

/* hg_sparse_peek_mut returns element i for writing when its leaf is
 * materialised already, else NULL (no allocation). */
static inline void *hg_sparse_peek_mut_sz(struct hg_sparse *s, uint64_t i,
					  size_t elem)
{
	char *leaf = hg_sparse_leaf(s, i);

	if (!leaf)
		return NULL;
	return leaf + (i & ((UINT64_C(1) << s->leaf_bits) - 1)) * elem;
}

static inline void *hg_sparse_peek_mut(struct hg_sparse *s, uint64_t i)
{
	return hg_sparse_peek_mut_sz(s, i, s->elem);
}
/* hg_sparse_get_mut returns element i for writing, materialising a
 * uniform leaf (or backing an unbacked one, zero-filled); NULL when the
 * host is out of memory or i is out of range. */
void *hg_sparse_get_mut(struct hg_sparse *s, uint64_t i);
/*
 * hg_sparse_uniform_at tells how element i is held: the prototype number
 * if its leaf is uniform, -1 if materialised, -2 if not backed; *n gets
 * the number of elements from i to the end of that leaf.
 */
int hg_sparse_uniform_at(const struct hg_sparse *s, uint64_t i, uint64_t *n);
/* hg_sparse_read copies the n elements from i (in one leaf) to out;
 * elements not backed read as zero. */
void hg_sparse_read(const struct hg_sparse *s, uint64_t i, unsigned n,
		    void *out);
/* hg_sparse_block returns the n elements from i (in one leaf): in place
 * when the leaf is materialised, else copied to scratch. */
const void *hg_sparse_block(const struct hg_sparse *s, uint64_t i, unsigned n,
			    void *scratch);
/* hg_sparse_compact folds the leaf of element i into a uniform tag when
 * all its elements equal one prototype. */
void hg_sparse_compact(struct hg_sparse *s, uint64_t i);
/* hg_sparse_set_uniform sets the elements [lo, hi) to prototype k: whole
 * leaves become tags, the partly covered ones are written element by
 * element. false when the host is out of memory. */
bool hg_sparse_set_uniform(struct hg_sparse *s, uint64_t lo, uint64_t hi,
			   unsigned k);
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
bool hg_hbm_get_slow(const struct hg_hbm *h, uint64_t i);
void hg_hbm_set_slow(struct hg_hbm *h, uint64_t i);
void hg_hbm_clear_slow(struct hg_hbm *h, uint64_t i);

/* The level-0 word holding bit i when it lies in that level's cached
 * leaf, else NULL (the scavenge index's bits of a heap's chunks all lie
 * in one leaf: its flags are read and written here, inline). */
static inline uint64_t *hg_hbm_cached_word(const struct hg_hbm *h, uint64_t i)
{
	return (uint64_t *)(void *)hg_sparse_cached_sz(&h->lv[0], i >> 6,
						       sizeof(uint64_t));
}

/* Bit i (0 where its word is not backed). */
static inline bool hg_hbm_get(const struct hg_hbm *h, uint64_t i)
{
	const uint64_t *w = hg_hbm_cached_word(h, i);

	if (w)
		return (*w >> (i & 63)) & 1;
	return hg_hbm_get_slow(h, i);
}

/* Sets bit i; its words must have been reserved. Only a word that was
 * zero changes the levels above. */
static inline void hg_hbm_set(struct hg_hbm *h, uint64_t i)
{
	uint64_t *w = hg_hbm_cached_word(h, i);

	if (w && *w != 0) {
		*w |= UINT64_C(1) << (i & 63);
		return;
	}
	hg_hbm_set_slow(h, i);
}

/* Clears bit i. Only a word that becomes zero changes the levels above. */
static inline void hg_hbm_clear(struct hg_hbm *h, uint64_t i)
{
	uint64_t *w = hg_hbm_cached_word(h, i), bit = UINT64_C(1) << (i & 63);

	if (w) {
		if (!(*w & bit))
			return;
		if (*w & ~bit) {
			*w &= ~bit;
			return;
		}
	}
	hg_hbm_clear_slow(h, i);
}
/* Set and clear the bits [lo, hi), whose words must have been reserved,
 * a word at a time. */
void hg_hbm_set_range(struct hg_hbm *h, uint64_t lo, uint64_t hi);
void hg_hbm_clear_range(struct hg_hbm *h, uint64_t lo, uint64_t hi);
/* The highest set bit <= x, and the lowest set bit >= x; false if none. */
bool hg_hbm_find_prev(const struct hg_hbm *h, uint64_t x, uint64_t *out);
bool hg_hbm_find_next(const struct hg_hbm *h, uint64_t x, uint64_t *out);

#endif /* HG_SPARSE_H */
