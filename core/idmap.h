/*
 * idmap.h - a string-keyed hash map of live ids to a value (spans,
 * regions, mappings). Open addressing with linear probing and tombstone-free
 * backward-shift deletion, so memory is bounded by the live ids.
 */
#ifndef HG_IDMAP_H
#define HG_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hg_idval {
	uint64_t a, b; /* the owner's data (e.g. base and size) */
	uint32_t kind; /* which namespace: heap span, sysalloc, mmap */
};

struct hg_idmap {
	struct hg_idslot *slots;
	size_t cap; /* power of two */
	size_t count;
};

void hg_idmap_init(struct hg_idmap *m);
void hg_idmap_release(struct hg_idmap *m);

/* hg_idmap_get returns the value of id, or NULL. */
struct hg_idval *hg_idmap_get(const struct hg_idmap *m, const char *id);

/* hg_idmap_put adds id (which must not be present). Returns 0 or -2 (no
 * memory). */
int hg_idmap_put(struct hg_idmap *m, const char *id, const struct hg_idval *v);

/* hg_idmap_del removes id; returns false if absent. */
bool hg_idmap_del(struct hg_idmap *m, const char *id, struct hg_idval *out);

/* hg_idmap_each calls fn for every entry (unspecified order). */
void hg_idmap_each(const struct hg_idmap *m,
		   void (*fn)(void *arg, const char *id,
			      const struct hg_idval *v),
		   void *arg);

#endif /* HG_IDMAP_H */
