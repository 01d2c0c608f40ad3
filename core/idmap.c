/* idmap.c - live-id hash map (see idmap.h). */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * One live id: its value and its key. key is the key itself, NUL-padded,
 * when it has at most HG_IDMAP_INLINE bytes (the empty key is all zero);
 * otherwise key[0] is 0, key[1] K_SPILL, key[2..6) the length and
 * key[6..14) a pointer to a NUL-terminated copy. A free entry has key[1]
 * K_FREE and a the next free entry + 1. No key that is stored inline
 * starts with a NUL byte unless it is empty, so the three never mix.
 */
struct hg_identry {
	uint64_t a, b;
	uint16_t kind;
	char key[HG_IDMAP_INLINE];
};
_Static_assert(sizeof(struct hg_identry) == 32, "an id entry is 32 bytes");

enum { K_SPILL = 1, K_FREE = 2 };

#define FIRST_CHUNK 64u /* entries of chunk 0; each next one twice as many */
#define GEO_CHUNKS 8u   /* chunks 0..7: 64 .. 8192 entries */
#define GEO_ENTRIES (FIRST_CHUNK * ((1u << GEO_CHUNKS) - 1u))
#define BIG_SHIFT 14u /* then chunks of 16384 entries */
#define BIG_CHUNK (1u << BIG_SHIFT)
#define FIRST_CAP 16u
#define MAX_CAP ((size_t)1 << 31) /* an entry number + 1 fits below it */
#define DIST_SAT 255u             /* a distance this large is recomputed */

/* ------------------------------------------------------------------ */
/* Hashing                                                             */
/* ------------------------------------------------------------------ */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HG_IDMAP_LE 1
#else
#define HG_IDMAP_LE 0
#endif

/* word8 is the 8 bytes at s as the host loads them. */
static uint64_t word8(const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w;
}

/*
 * word_upto gives the n < 8 bytes at s as word8 would give them followed
 * by zero bytes (on a little-endian host with two overlapping loads).
 */
static inline uint64_t word_upto(const char *s, size_t n)
{
	unsigned char b[8] = { 0 };
	uint64_t w;

	if (HG_IDMAP_LE && n >= 4) {
		uint32_t lo, hi;

		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
	}
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)s[i];
	memcpy(&w, b, 8);
	return w;
}

/* word_tail gives the bytes [at, n) of s, 0 < n - at <= 8 and n >= 8, as
 * word_upto would. */
static uint64_t word_tail(const char *s, size_t at, size_t n)
{
	if (HG_IDMAP_LE)
		return word8(s + n - 8) >> (8 * (8 - (n - at)));
	return word_upto(s + at, n - at);
}

/* Eight bytes at a time, then a final avalanche (the low bits pick the
 * slot, the high bits are the tag). Never 0: 0 means "not computed" in an
 * hg_op. */
uint64_t hg_id_hash(const char *s, size_t len)
{
	uint64_t h = hg_id_hash_seed(len);
	size_t i = 0;

	if (len < 8)
		return hg_id_hash_short(word_upto(s, len), len);
	for (; i + 8 <= len; i += 8)
		h = hg_id_hash_mix(h, word8(s + i));
	if (i < len)
		h = hg_id_hash_mix(h, word_tail(s, i, len));
	return hg_id_hash_final(h);
}

void hg_idkey_of(struct hg_idkey *k, const char *id)
{
	k->s = id;
	k->len = strlen(id);
	k->hash = hg_id_hash(id, k->len);
}

/* ------------------------------------------------------------------ */
/* Entries                                                             */
/* ------------------------------------------------------------------ */

static uint32_t chunk_len(uint32_t c)
{
	return c < GEO_CHUNKS ? FIRST_CHUNK << c : BIG_CHUNK;
}

static unsigned log2_32(uint32_t v)
{
#if defined(__GNUC__)
	return 31u - (unsigned)__builtin_clz(v);
#else
	unsigned n = 0;
	while (v >>= 1)
		n++;
	return n;
#endif
}

static struct hg_identry *entry_at(const struct hg_idmap *m, uint32_t i)
{
	if (i < GEO_ENTRIES) {
		uint32_t j = i + FIRST_CHUNK;
		unsigned c = log2_32(j) - 6u;

		return &m->chunk[c][j - (FIRST_CHUNK << c)];
	}
	i -= GEO_ENTRIES;
	return &m->chunk[GEO_CHUNKS + (i >> BIG_SHIFT)][i & (BIG_CHUNK - 1u)];
}

static bool is_free(const struct hg_identry *e)
{
	return e->key[0] == 0 && e->key[1] == K_FREE;
}

static bool is_spilled(const struct hg_identry *e)
{
	return e->key[0] == 0 && e->key[1] == K_SPILL;
}

static const char *spilled_key(const struct hg_identry *e, uint32_t *len)
{
	const char *p;

	memcpy(len, e->key + 2, sizeof(*len));
	memcpy(&p, e->key + 6, sizeof(p));
	return p;
}

static uint64_t entry_hash(const struct hg_identry *e)
{
	if (is_spilled(e)) {
		uint32_t n;
		const char *p = spilled_key(e, &n);

		return hg_id_hash(p, n);
	}
	return hg_id_hash(e->key, strnlen(e->key, HG_IDMAP_INLINE));
}

/* add_chunk makes room for one more entry. Returns 0 or -2. */
static int add_chunk(struct hg_idmap *m)
{
	uint32_t c = m->nchunk;
	struct hg_identry *p;

	if (c == m->chunkcap) {
		uint32_t ncap = m->chunkcap ? m->chunkcap * 2 : 16;
		struct hg_identry **d =
			realloc(m->chunk, (size_t)ncap * sizeof(*d));

		if (!d)
			return -2;
		m->chunk = d;
		m->chunkcap = ncap;
	}
	/* On cache lines: an entry is read with one line, not two. */
	p = aligned_alloc(64, (size_t)chunk_len(c) * sizeof(*p));
	if (!p)
		return -2;
	m->chunk[c] = p;
	m->nchunk++;
	return 0;
}

/* room is how many entries the chunks hold. */
static uint64_t room(const struct hg_idmap *m)
{
	uint32_t c = m->nchunk;

	if (c <= GEO_CHUNKS)
		return (uint64_t)FIRST_CHUNK * ((1u << c) - 1u);
	return GEO_ENTRIES + (uint64_t)(c - GEO_CHUNKS) * BIG_CHUNK;
}

/* each_entry calls fn for every live entry with its number. */
static void each_entry(const struct hg_idmap *m,
		       void (*fn)(void *arg, uint32_t idx,
				  const struct hg_identry *e),
		       void *arg)
{
	uint32_t idx = 0;

	for (uint32_t c = 0; c < m->nchunk && idx < m->used; c++) {
		const struct hg_identry *e = m->chunk[c];
		uint32_t n = chunk_len(c);

		if (n > m->used - idx)
			n = m->used - idx;
		for (uint32_t i = 0; i < n; i++, idx++)
			if (!is_free(&e[i]))
				fn(arg, idx, &e[i]);
	}
}

void hg_identry_set(struct hg_identry *e, const struct hg_idval *v)
{
	HG_ASSERT(v->kind <= UINT16_MAX);
	e->a = v->a;
	e->b = v->b;
	e->kind = (uint16_t)v->kind;
}

void hg_identry_get(const struct hg_identry *e, struct hg_idval *v)
{
	v->a = e->a;
	v->b = e->b;
	v->kind = e->kind;
}

/* ------------------------------------------------------------------ */
/* The index                                                           */
/* ------------------------------------------------------------------ */

void hg_idmap_init(struct hg_idmap *m)
{
	memset(m, 0, sizeof(*m));
}

static void free_spill(void *arg, uint32_t idx, const struct hg_identry *e)
{
	(void)arg;
	(void)idx;
	if (is_spilled(e)) {
		uint32_t n;

		free((void *)(uintptr_t)spilled_key(e, &n));
	}
}

void hg_idmap_release(struct hg_idmap *m)
{
	if (m->spilled)
		each_entry(m, free_spill, NULL);
	for (uint32_t c = 0; c < m->nchunk; c++)
		free(m->chunk[c]);
	free(m->chunk);
	free(m->slots);
	free(m->dist);
	hg_idmap_init(m);
}

static uint8_t sat(size_t d)
{
	return d >= DIST_SAT ? (uint8_t)DIST_SAT : (uint8_t)d;
}

static uint32_t tag_of(uint64_t hash, size_t mask)
{
	return (uint32_t)(hash >> 32) & ~(uint32_t)mask;
}

/* place puts entry idx, of hash h, into the first empty slot of its run. */
static void place(struct hg_idmap *m, uint32_t idx, uint64_t h)
{
	size_t mask = m->cap - 1, i = h & mask, d = 0;

	while (m->slots[i]) {
		i = (i + 1) & mask;
		d++;
	}
	m->slots[i] = (idx + 1) | tag_of(h, mask);
	m->dist[i] = sat(d);
}

static void replace(void *arg, uint32_t idx, const struct hg_identry *e)
{
	place(arg, idx, entry_hash(e));
}

/*
 * grow doubles the index and fills it from the entries, which stay where
 * they are: the old index is freed before the new one is written, so only
 * one index is ever in use. Returns 0 or -2 (the map unchanged).
 */
static int grow(struct hg_idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : FIRST_CAP;
	uint32_t *slots;
	uint8_t *dist;

	if (ncap > MAX_CAP)
		return -2;
	slots = calloc(ncap, sizeof(*slots));
	dist = malloc(ncap);
	if (!slots || !dist) {
		free(slots);
		free(dist);
		return -2;
	}
	free(m->slots);
	free(m->dist);
	m->slots = slots;
	m->dist = dist;
	m->cap = ncap;
	each_entry(m, replace, m);
	return 0;
}

/*
 * pack gives an inline key as the entry holds it, NUL-padded, in two
 * words: its bytes [0, 8) and [HG_IDMAP_INLINE - 8, HG_IDMAP_INLINE).
 */
static inline void pack(const struct hg_idkey *k, uint64_t *w0, uint64_t *w1)
{
	const size_t lo = HG_IDMAP_INLINE - 8;
	size_t n = k->len;

	if (n < 8) {
		*w0 = word_upto(k->s, n);
		*w1 = n > lo ? word_upto(k->s + lo, n - lo) : 0;
	} else {
		*w0 = word8(k->s);
		*w1 = word_tail(k->s, lo, n);
	}
}

/* A key as probe compares it: an inline key's two words (pack). */
struct packed {
	uint64_t w0, w1;
	bool inline_key;
};

/*
 * probe looks k up. Returns the slot that holds it, with its entry in
 * *found, or the empty slot that ends its run (*found NULL) with its
 * distance from k's home in *dist; *pk is k as an entry holds it. The map
 * must have an index.
 */
static inline size_t probe(const struct hg_idmap *m, const struct hg_idkey *k,
			   struct hg_identry **found, size_t *dist,
			   struct packed *pk)
{
	size_t mask = m->cap - 1, i = k->hash & mask, d = 0;
	uint32_t tag = tag_of(k->hash, mask);
	const uint32_t *slots = m->slots;

	pk->w0 = pk->w1 = 0;
	pk->inline_key = k->len <= HG_IDMAP_INLINE;
	if (pk->inline_key)
		pack(k, &pk->w0, &pk->w1);
	for (;; i = (i + 1) & mask, d++) {
		uint32_t s = slots[i];
		struct hg_identry *e;

		if (!s) {
			*found = NULL;
			*dist = d;
			return i;
		}
		if ((s & ~(uint32_t)mask) != tag)
			continue;
		e = entry_at(m, (s & (uint32_t)mask) - 1);
		if (pk->inline_key) {
			uint64_t e0, e1;

			memcpy(&e0, e->key, 8);
			memcpy(&e1, e->key + HG_IDMAP_INLINE - 8, 8);
			if (e0 == pk->w0 && e1 == pk->w1) {
				*found = e;
				return i;
			}
		} else if (is_spilled(e)) {
			uint32_t n;
			const char *p = spilled_key(e, &n);

			if (n == k->len && memcmp(p, k->s, n) == 0) {
				*found = e;
				return i;
			}
		}
	}
}

void hg_idmap_prefetch_entry(const struct hg_idmap *m, uint64_t hash)
{
	size_t mask, i;
	uint32_t tag;

	if (!m->cap)
		return;
	mask = m->cap - 1;
	i = hash & mask;
	tag = tag_of(hash, mask);
	for (unsigned d = 0; d < 4; d++, i = (i + 1) & mask) {
		uint32_t s = m->slots[i];

		if (!s)
			break;
		if ((s & ~(uint32_t)mask) == tag) {
			__builtin_prefetch(
				entry_at(m, (s & (uint32_t)mask) - 1));
			break;
		}
	}
}

void hg_idmap_prefetch_free(const struct hg_idmap *m)
{
	if (m->free1)
		__builtin_prefetch(entry_at(m, m->free1 - 1));
}

bool hg_idmap_find(const struct hg_idmap *m, const struct hg_idkey *k,
		   struct hg_idval *out)
{
	struct hg_identry *e;
	size_t d;
	struct packed pk;

	if (!m->cap)
		return false;
	(void)probe(m, k, &e, &d, &pk);
	if (e && out)
		hg_identry_get(e, out);
	return e != NULL;
}

int hg_idmap_insert(struct hg_idmap *m, const struct hg_idkey *k,
		    struct hg_identry **e)
{
	struct hg_identry *found = NULL;
	size_t d = 0, i = 0;
	char *spill = NULL;
	struct hg_identry *n;
	struct packed pk = { 0, 0, false };
	uint32_t idx;

	if (m->cap) {
		i = probe(m, k, &found, &d, &pk);
		if (found) {
			*e = found;
			return 0;
		}
	}
	if ((m->count + 1) * 4 > m->cap * 3) {
		if (grow(m) != 0)
			return -2;
		i = probe(m, k, &found, &d, &pk);
	}
	if (!pk.inline_key) {
		if (k->len >= UINT32_MAX)
			return -2;
		spill = malloc(k->len + 1);
		if (!spill)
			return -2;
		memcpy(spill, k->s, k->len);
		spill[k->len] = '\0';
	}
	if (m->free1) {
		idx = m->free1 - 1;
		n = entry_at(m, idx);
		m->free1 = (uint32_t)n->a;
	} else {
		if (m->used == room(m) && add_chunk(m) != 0) {
			free(spill);
			return -2;
		}
		idx = m->used++;
		n = entry_at(m, idx);
	}
	n->a = n->b = 0;
	n->kind = 0;
	if (spill) {
		uint32_t len = (uint32_t)k->len;

		memset(n->key, 0, sizeof(n->key));
		n->key[1] = K_SPILL;
		memcpy(n->key + 2, &len, sizeof(len));
		memcpy(n->key + 6, &spill, sizeof(spill));
		m->spilled += k->len + 1;
	} else {
		/* The two words overlap and agree on bytes [6, 8). */
		memcpy(n->key, &pk.w0, 8);
		memcpy(n->key + HG_IDMAP_INLINE - 8, &pk.w1, 8);
	}
	m->slots[i] = (idx + 1) | tag_of(k->hash, m->cap - 1);
	m->dist[i] = sat(d);
	m->count++;
	*e = n;
	return 1;
}

/* unslot empties slot i and shifts the slots after it back (linear
 * probing's deletion without tombstones). */
static void unslot(struct hg_idmap *m, size_t i)
{
	size_t mask = m->cap - 1;

	for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
		uint32_t s = m->slots[j];
		size_t d, gap;

		if (!s)
			break;
		d = m->dist[j];
		if (d == DIST_SAT)
			d = (j - (entry_hash(entry_at(m, (s & (uint32_t)mask) -
								 1)) &
				  mask)) &
			    mask;
		/* The slot at j may move to i if its home is not in (i, j]. */
		gap = (j - i) & mask;
		if (d >= gap) {
			m->slots[i] = s;
			m->dist[i] = sat(d - gap);
			i = j;
		}
	}
	m->slots[i] = 0;
}

bool hg_idmap_take(struct hg_idmap *m, const struct hg_idkey *k,
		   struct hg_idval *out)
{
	size_t d, i;
	uint32_t idx;
	struct hg_identry *e;
	struct packed pk;

	if (!m->cap)
		return false;
	i = probe(m, k, &e, &d, &pk);
	if (!e)
		return false;
	idx = (m->slots[i] & (uint32_t)(m->cap - 1)) - 1;
	if (out)
		hg_identry_get(e, out);
	if (is_spilled(e)) {
		uint32_t n;

		free((void *)(uintptr_t)spilled_key(e, &n));
		m->spilled -= (size_t)n + 1;
	}
	memset(e->key, 0, sizeof(e->key));
	e->key[1] = K_FREE;
	e->a = m->free1;
	m->free1 = idx + 1;
	unslot(m, i);
	m->count--;
	return true;
}

int hg_idmap_put(struct hg_idmap *m, const char *id, const struct hg_idval *v)
{
	struct hg_idkey k;
	struct hg_identry *e;
	int rc;

	hg_idkey_of(&k, id);
	rc = hg_idmap_insert(m, &k, &e);
	if (rc < 0)
		return rc;
	HG_ASSERT(rc == 1);
	hg_identry_set(e, v);
	return 0;
}

bool hg_idmap_del(struct hg_idmap *m, const char *id, struct hg_idval *out)
{
	struct hg_idkey k;

	hg_idkey_of(&k, id);
	return hg_idmap_take(m, &k, out);
}

struct each_arg {
	void (*fn)(void *arg, const char *id, const struct hg_idval *v);
	void *arg;
};

static void each_one(void *arg, uint32_t idx, const struct hg_identry *e)
{
	struct each_arg *ea = arg;
	struct hg_idval v;
	char key[HG_IDMAP_INLINE + 1];
	const char *id = key;

	(void)idx;
	hg_identry_get(e, &v);
	if (is_spilled(e)) {
		uint32_t n;

		id = spilled_key(e, &n);
	} else {
		memcpy(key, e->key, HG_IDMAP_INLINE);
		key[HG_IDMAP_INLINE] = '\0';
	}
	ea->fn(ea->arg, id, &v);
}

void hg_idmap_each(const struct hg_idmap *m,
		   void (*fn)(void *arg, const char *id,
			      const struct hg_idval *v),
		   void *arg)
{
	struct each_arg ea = { fn, arg };

	each_entry(m, each_one, &ea);
}

size_t hg_idmap_bytes(const struct hg_idmap *m)
{
	return m->cap * (sizeof(*m->slots) + sizeof(*m->dist)) +
	       (size_t)room(m) * sizeof(struct hg_identry) +
	       (size_t)m->chunkcap * sizeof(*m->chunk) + m->spilled;
}
