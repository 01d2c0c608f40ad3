/*
 * idmap.h - a string-keyed hash map of live ids to a value (spans,
 * regions, mappings, objects, stacks), bounded by the live ids.
 *
 * The entries (value and key, 32 bytes) live in a dense array of chunks
 * that never move: a removed entry goes on a free list and the next insert
 * reuses it. A key of up to HG_IDMAP_INLINE bytes is stored in the entry
 * itself; a longer one is copied to a separate allocation (spill). The
 * index is open addressing with linear probing over 32-bit slots (the
 * entry's number and high hash bits as a tag) and a byte per slot that
 * holds the slot's distance from its home, so that a removal shifts the
 * following slots back without tombstones and without reading an entry.
 * Growing the index rebuilds only the index (5 bytes a slot); the entries
 * stay where they are. Each op costs one probe: hg_idmap_insert inserts
 * if absent, hg_idmap_take finds and removes.
 */
#ifndef HG_IDMAP_H
#define HG_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hg_idval {
	uint64_t a, b; /* the owner's data (e.g. base and size) */
	uint32_t kind; /* the owner's tag; below 65536 */
};

/* A key as the map takes it: its bytes, length and hg_id_hash. */
struct hg_idkey {
	const char *s;
	size_t len;
	uint64_t hash;
};

/* The longest key stored in the entry itself. */
#define HG_IDMAP_INLINE 14u
struct hg_identry; /* one live id and its value (idmap.c) */

struct hg_idmap {
	uint32_t *slots; /* (entry number + 1) | tag bits; 0: empty */
	uint8_t *dist;   /* each used slot's distance from its home */
	size_t cap;      /* slots: a power of two, or 0 */
	size_t count;    /* live ids */
	uint32_t used;   /* entries handed out so far (live or free) */
	uint32_t free1;  /* first free entry + 1; 0: none */
	/* Entries in chunks of 64, 128, ... 8192, then 16384 entries. */
	struct hg_identry **chunk;
	uint32_t nchunk, chunkcap;
	size_t spilled; /* bytes of spilled keys */
};

void hg_idmap_init(struct hg_idmap *m);
void hg_idmap_release(struct hg_idmap *m);

/* hg_idkey_of fills k for the NUL-terminated id (its length and hash). */
void hg_idkey_of(struct hg_idkey *k, const char *id);

/* hg_idmap_find copies the value of k to *out (out may be NULL) and
 * returns true, or returns false if k is not live. */
bool hg_idmap_find(const struct hg_idmap *m, const struct hg_idkey *k,
		   struct hg_idval *out);

/*
 * hg_idmap_insert inserts k if it is absent: returns 1 with *e the new
 * entry (its value zero until hg_identry_set), 0 with *e the live entry
 * when k is live already, or -2 (no memory; nothing changed). An entry
 * stays where it is until it is removed, whatever else the map does.
 */
int hg_idmap_insert(struct hg_idmap *m, const struct hg_idkey *k,
		    struct hg_identry **e);
void hg_identry_set(struct hg_identry *e, const struct hg_idval *v);
void hg_identry_get(const struct hg_identry *e, struct hg_idval *v);

/* hg_idmap_take removes k, copying its value to *out (out may be NULL);
 * returns false if k was not live. */
bool hg_idmap_take(struct hg_idmap *m, const struct hg_idkey *k,
		   struct hg_idval *out);

/* By NUL-terminated id (hashing it): hg_idmap_put adds id, which must not
 * be live (0, or -2: no memory); hg_idmap_del removes it (false: it was
 * not live). */
int hg_idmap_put(struct hg_idmap *m, const char *id, const struct hg_idval *v);
bool hg_idmap_del(struct hg_idmap *m, const char *id, struct hg_idval *out);

/* hg_idmap_each calls fn for every entry (unspecified order; id is a
 * NUL-terminated copy, valid for the call). */
void hg_idmap_each(const struct hg_idmap *m,
		   void (*fn)(void *arg, const char *id,
			      const struct hg_idval *v),
		   void *arg);

/*
 * Below HG_IDMAP_PREFETCH_CAP slots a map's index and entries stay in the
 * host's caches: asking for them ahead costs a replay more than it saves
 * (the benchmark's mix, at most 20,000 live spans: about 15% of its time),
 * while at a million live ids it saves about 30%.
 */
#define HG_IDMAP_PREFETCH_CAP ((size_t)1 << 16)

/* hg_idmap_prefetch_worth: the map is large enough to prefetch from. */
static inline bool hg_idmap_prefetch_worth(const struct hg_idmap *m)
{
	return m->cap >= HG_IDMAP_PREFETCH_CAP;
}

/* hg_idmap_prefetch asks the host's cache for the index slot where a key
 * of this hash starts its probe: a hint, one event ahead (the replay). */
static inline void hg_idmap_prefetch(const struct hg_idmap *m, uint64_t hash)
{
	if (m->cap) {
		size_t i = hash & (m->cap - 1);

		__builtin_prefetch(&m->slots[i]);
		__builtin_prefetch(&m->dist[i]);
	}
}

/* hg_idmap_prefetch_entry, an event later (the slot in the cache by then),
 * asks for the entry the probe of that hash reads (an id that ends: its
 * own); hg_idmap_prefetch_free, for an id to be made, the entry the next
 * insert takes. */
void hg_idmap_prefetch_entry(const struct hg_idmap *m, uint64_t hash);
void hg_idmap_prefetch_free(const struct hg_idmap *m);

/* hg_idmap_bytes: the memory the map holds (index, entries, spilled
 * keys), for the bytes-per-id tests. */
size_t hg_idmap_bytes(const struct hg_idmap *m);

#endif /* HG_IDMAP_H */
