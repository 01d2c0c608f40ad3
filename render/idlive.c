/*
 * idlive.c - the spans, objects, stacks, off-heap allocations and mappings
 * live now, with their exact bounds and the event that made each, for the
 * map's tooltips (README "Pictures"). Memory is the live ids; one hash
 * probe per event.
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>

struct live {
	hg_addr base, end;
	uint64_t born;
	char *key; /* family letter + id */
	uint8_t family;
};

struct hg_idlive {
	struct live *v;
	size_t n, cap;
	uint32_t *slot;  /* hash: index + 1, 0 empty */
	size_t nslot;    /* power of two */
	size_t *order;   /* hg_idlive_sort: indices by base */
	hg_addr *maxend; /* running maximum of the ends, in that order */
	size_t norder;
	bool oom;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int hg_idlive_key(const struct hg_op *op, char *key, size_t size,
		  enum hg_id_use *use)
{
	const struct hg_op_spec *sp = hg_op_spec(op->kind);

	if (!sp || sp->family == HG_IDS_NONE || sp->use == HG_ID_NO || !op->id)
		return 0;
	int n = snprintf(key, size, "%c%s", 'a' + (int)sp->family, op->id);
	if (n < 0 || (size_t)n >= size)
		return 0;
	*use = sp->use;
	return n;
}

int hg_idlive_new(struct hg_idlive **out)
{
	struct hg_idlive *t = calloc(1, sizeof(*t));
	*out = t;
	return t ? HG_OK : HG_ENOMEM;
}

void hg_idlive_free(struct hg_idlive *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
	free(t->slot);
	free(t->order);
	free(t->maxend);
	free(t);
}

/* find returns the slot of key (its entry or the empty one to fill). */
static size_t find(const struct hg_idlive *t, const char *key)
{
	size_t mask = t->nslot - 1, i = (size_t)hash(key) & mask;
	while (t->slot[i] && strcmp(t->v[t->slot[i] - 1].key, key) != 0)
		i = (i + 1) & mask;
	return i;
}

static bool rehash(struct hg_idlive *t, size_t nslot)
{
	uint32_t *s = calloc(nslot, sizeof(*s));
	if (!s)
		return false;
	free(t->slot);
	t->slot = s;
	t->nslot = nslot;
	for (size_t k = 0; k < t->n; k++)
		t->slot[find(t, t->v[k].key)] = (uint32_t)(k + 1);
	return true;
}

/* del removes the entry at slot i (backward-shift deletion), moving the
 * last entry into its place. */
static void del(struct hg_idlive *t, size_t i)
{
	size_t mask = t->nslot - 1, k = t->slot[i] - 1;
	free(t->v[k].key);
	t->slot[i] = 0;
	for (size_t j = (i + 1) & mask; t->slot[j]; j = (j + 1) & mask) {
		size_t home = (size_t)hash(t->v[t->slot[j] - 1].key) & mask;
		/* Move j back to i when its home is not in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			t->slot[i] = t->slot[j];
			t->slot[j] = 0;
			i = j;
		}
	}
	if (k + 1 != t->n) {
		t->v[k] = t->v[t->n - 1];
		t->slot[find(t, t->v[k].key)] = (uint32_t)(k + 1);
	}
	t->n--;
}

int hg_idlive_event(struct hg_idlive *t, struct hg_model *m,
		    const struct hg_op *op, const struct hg_op_result *res,
		    uint64_t i)
{
	const struct hg_op_spec *sp = hg_op_spec(op->kind);
	enum hg_id_use use;
	char key[256];

	(void)m;
	if (t->oom)
		return HG_ENOMEM;
	if (!hg_idlive_key(op, key, sizeof(key), &use))
		return HG_OK;
	if (use == HG_ID_END) {
		if (t->nslot) {
			size_t s = find(t, key);
			if (t->slot[s])
				del(t, s);
		}
		return HG_OK;
	}
	if (!res || !res->addr || t->n >= UINT32_MAX - 1)
		return HG_OK;
	if (2 * (t->n + 1) > t->nslot &&
	    !rehash(t, t->nslot ? 2 * t->nslot : 64))
		goto oom;
	size_t s = find(t, key);
	if (t->slot[s]) /* a trace error the model reported */
		return HG_OK;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct live *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			goto oom;
		t->v = v;
		t->cap = cap;
	}
	uint64_t size = res->size;
	if (sp->family == HG_IDS_OBJECT)
		size = res->elemsize ? res->elemsize : op->size;
	if (sp->family == HG_IDS_SPAN && res->npages)
		size = res->npages * hg_model_config(m)->page_size;
	struct live *e = &t->v[t->n];
	e->key = strdup(key);
	if (!e->key)
		goto oom;
	e->base = res->addr;
	e->end = res->addr + (size ? size : 1);
	e->born = i;
	e->family = (uint8_t)sp->family;
	t->slot[s] = (uint32_t)(t->n + 1);
	t->n++;
	return HG_OK;
oom:
	t->oom = true;
	return HG_ENOMEM;
}

static const struct live *sort_v;
static int by_base(const void *a, const void *b)
{
	const struct live *x = &sort_v[*(const size_t *)a];
	const struct live *y = &sort_v[*(const size_t *)b];
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return strcmp(x->key, y->key);
}

int hg_idlive_sort(struct hg_idlive *t)
{
	free(t->order);
	free(t->maxend);
	t->norder = 0;
	t->order = malloc((t->n + 1) * sizeof(*t->order));
	t->maxend = malloc((t->n + 1) * sizeof(*t->maxend));
	if (!t->order || !t->maxend)
		return HG_ENOMEM;
	for (size_t k = 0; k < t->n; k++)
		t->order[k] = k;
	sort_v = t->v;
	qsort(t->order, t->n, sizeof(*t->order), by_base);
	hg_addr mx = 0;
	for (size_t k = 0; k < t->n; k++) {
		if (t->v[t->order[k]].end > mx)
			mx = t->v[t->order[k]].end;
		t->maxend[k] = mx;
	}
	t->norder = t->n;
	return HG_OK;
}

size_t hg_idlive_each(const struct hg_idlive *t, hg_addr lo, hg_addr hi,
		      size_t max, struct hg_idlive_rec *out)
{
	size_t a = 0, b = t->norder, n = 0, seen = 0;
	while (a < b) { /* the first whose running maximum passes lo */
		size_t mid = (a + b) / 2;
		if (t->maxend[mid] <= lo)
			a = mid + 1;
		else
			b = mid;
	}
	for (size_t k = a; k < t->norder; k++) {
		const struct live *e = &t->v[t->order[k]];
		if (e->base >= hi)
			break;
		if (e->end <= lo)
			continue;
		if (n < max) {
			out[n].base = e->base;
			out[n].end = e->end;
			out[n].born = e->born;
			out[n].id = e->key + 1;
			out[n].family = (enum hg_id_family)e->family;
			n++;
		}
		seen++;
	}
	return seen;
}
