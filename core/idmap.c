/* idmap.c - live-id hash map (see idmap.h). */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

struct hg_idslot {
	char *key; /* NULL = empty */
	uint64_t hash;
	struct hg_idval val;
};

/* FNV-1a, then a final mix so short numeric ids spread well. */
static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

void hg_idmap_init(struct hg_idmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

void hg_idmap_release(struct hg_idmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	hg_idmap_init(m);
}

static struct hg_idslot *find_slot(const struct hg_idmap *m, const char *id,
				   uint64_t h)
{
	if (m->cap == 0)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct hg_idslot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->hash == h && strcmp(s->key, id) == 0)
			return s;
	}
}

struct hg_idval *hg_idmap_get(const struct hg_idmap *m, const char *id)
{
	struct hg_idslot *s = find_slot(m, id, id_hash(id));
	return s ? &s->val : NULL;
}

static void insert_slot(struct hg_idslot *slots, size_t cap,
			const struct hg_idslot *src)
{
	size_t mask = cap - 1;
	size_t i = src->hash & mask;
	while (slots[i].key)
		i = (i + 1) & mask;
	slots[i] = *src;
}

static int grow(struct hg_idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	struct hg_idslot *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -2;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			insert_slot(ns, ncap, &m->slots[i]);
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

int hg_idmap_put(struct hg_idmap *m, const char *id, const struct hg_idval *v)
{
	if ((m->count + 1) * 4 > m->cap * 3 && grow(m) != 0)
		return -2;
	size_t len = strlen(id);
	char *key = malloc(len + 1);
	if (!key)
		return -2;
	memcpy(key, id, len + 1);
	struct hg_idslot s = { key, id_hash(id), *v };
	insert_slot(m->slots, m->cap, &s);
	m->count++;
	return 0;
}

bool hg_idmap_del(struct hg_idmap *m, const char *id, struct hg_idval *out)
{
	struct hg_idslot *s = find_slot(m, id, id_hash(id));
	if (!s)
		return false;
	if (out)
		*out = s->val;
	free(s->key);
	size_t mask = m->cap - 1;
	size_t i = (size_t)(s - m->slots);
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;
		/* Move j into the hole at i if its home is not in (i, j]. */
		bool between = (i <= j) ? (home > i && home <= j)
					: (home > i || home <= j);
		if (!between) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].key = NULL;
	m->count--;
	return true;
}

void hg_idmap_each(const struct hg_idmap *m,
		   void (*fn)(void *arg, const char *id,
			      const struct hg_idval *v),
		   void *arg)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			fn(arg, m->slots[i].key, &m->slots[i].val);
}
