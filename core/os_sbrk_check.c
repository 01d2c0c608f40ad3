/*
 * os_sbrk_check.c - what the sbrk backend reports: the classes of break
 * space (free list, unused, leaked) and its counters, and its checker
 * (Go's memCheck plus the backend's own invariants). See os_sbrk_int.h.
 */
#include "os_sbrk_int.h"

#include <inttypes.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Classes                                                             */
/* ------------------------------------------------------------------ */

/* The unused break space: one range. */
static void unused_range(const struct hg_sbrk *s, hg_addr *lo, hg_addr *hi)
{
	*lo = s->bloc;
	*hi = s->design == D_WASM_GROW ? s->init_end : s->mem_end;
	if (*hi < *lo)
		*hi = *lo;
}

/* Where runtime blocks, free and leaked space may lie. */
static void used_zone(const struct hg_sbrk *s, hg_addr *lo, hg_addr *hi)
{
	if (s->design == D_WASM_GROW) {
		*lo = s->init_end;
		*hi = s->mem_end;
	} else {
		*lo = s->image_end;
		*hi = s->bloc;
	}
}

void hg_sbrk_counts(const struct hg_os *os, struct hg_sbrk_counts *out)
{
	const struct hg_sbrk *s = sbrk_state(os);
	hg_addr ulo, uhi;
	unused_range(s, &ulo, &uhi);
	memset(out, 0, sizeof(*out));
	out->sbrk_free = s->mem_freelist.bytes;
	out->stranded = s->strand.bytes;
	out->unused = uhi - ulo;
	out->linear_memory = s->mem_end;
	out->committed = s->mem_end - s->image_end;
	out->bloc = s->bloc;
	out->bloc_max = s->design == D_BLOC || s->design == D_WASM_GROW
				? s->bloc_max
				: s->mem_end;
	out->image_end = s->image_end;
	out->free_blocks = s->mem_freelist.n;
}

bool hg_sbrk_outside_break(const struct hg_os *os, hg_addr base, hg_addr end)
{
	return end > base && base >= sbrk_state(os)->mem_end;
}

/* A cursor over one sorted range list, clipped to [lo, hi). */
struct cursor {
	const struct sbrk_list *l;
	size_t i;
	enum hg_class c;
};

static bool cursor_peek(const struct cursor *k, hg_addr hi, hg_addr *b,
			hg_addr *e)
{
	if (!k->l || k->i >= k->l->n || k->l->r[k->i].base >= hi)
		return false;
	*b = k->l->r[k->i].base;
	*e = *b + k->l->r[k->i].size;
	return true;
}

int hg_sbrk_regions(const struct hg_os *os, hg_addr lo, hg_addr hi,
		    hg_region_fn fn, void *arg)
{
	const struct hg_sbrk *s = sbrk_state(os);
	struct sbrk_list unused = { NULL, 0, 0, 0 };
	struct sbrk_range ur;
	hg_addr ulo, uhi;

	unused_range(s, &ulo, &uhi);
	if (uhi > ulo) {
		ur.base = ulo;
		ur.size = uhi - ulo;
		unused.r = &ur;
		unused.n = 1;
	}
	struct cursor k[3] = { { &s->mem_freelist, 0, HG_CLASS_SBRK_FREE },
			       { &s->strand, 0, HG_CLASS_STRANDED },
			       { &unused, 0, HG_CLASS_UNUSED } };
	for (int j = 0; j < 3; j++) {
		k[j].i = hg_sbrk_list_upper(k[j].l, lo);
		if (k[j].i > 0 &&
		    k[j].l->r[k[j].i - 1].base + k[j].l->r[k[j].i - 1].size >
			    lo)
			k[j].i--;
	}
	for (;;) {
		int best = -1;
		hg_addr bb = 0, be = 0;
		for (int j = 0; j < 3; j++) {
			hg_addr b, e;
			if (cursor_peek(&k[j], hi, &b, &e) &&
			    (best < 0 || b < bb)) {
				best = j;
				bb = b;
				be = e;
			}
		}
		if (best < 0)
			return 0;
		k[best].i++;
		if (bb < lo)
			bb = lo;
		if (be > hi)
			be = hi;
		if (be <= bb)
			continue;
		int rc = fn(arg, bb, be, k[best].c);
		if (rc)
			return rc;
	}
}

/* ------------------------------------------------------------------ */
/* Checker                                                             */
/* ------------------------------------------------------------------ */

/*
 * One list: sorted, disjoint, not touching, page-rounded, inside the used
 * zone, clear of every vma, and adding up to its counter.
 */
static int check_list(const struct hg_os *os, const struct sbrk_list *l,
		      const char *what, char *err, size_t errlen)
{
	const struct hg_sbrk *s = sbrk_state(os);
	hg_addr zlo, zhi;
	uint64_t sum = 0;

	used_zone(s, &zlo, &zhi);
	for (size_t i = 0; i < l->n; i++) {
		hg_addr b = l->r[i].base, e = b + l->r[i].size;
		if (l->r[i].size == 0 || e < b)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s: empty block at %#" PRIx64, what,
					 b);
		if (b % s->round || l->r[i].size % s->round)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s: block [%#" PRIx64 ", %#" PRIx64
					 ") is not rounded to %#" PRIx64,
					 what, b, e, s->round);
		if (i > 0) {
			hg_addr pb = l->r[i - 1].base;
			hg_addr pe = pb + l->r[i - 1].size;
			if (pb == b)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "%s: %#" PRIx64
						 " listed twice",
						 what, b);
			if (pb > b)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "%s: unordered: %#" PRIx64
						 " before %#" PRIx64,
						 what, pb, b);
			if (pe > b)
				return hg_errorf(
					err, errlen, HG_EINVAL,
					"%s: overlapping blocks: %#" PRIx64
					"+%#" PRIx64 " > %#" PRIx64,
					what, pb, l->r[i - 1].size, b);
			if (pe == b)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "%s: blocks at %#" PRIx64
						 " and %#" PRIx64
						 " not coalesced",
						 what, pb, b);
		}
		if (b < zlo || e > zhi)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s: block [%#" PRIx64 ", %#" PRIx64
					 ") outside [%#" PRIx64 ", %#" PRIx64
					 ")",
					 what, b, e, zlo, zhi);
		if (hg_vas_bytes(&os->vas, b, e, -1) != 0)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "%s: block [%#" PRIx64 ", %#" PRIx64
					 ") overlaps a mapping",
					 what, b, e);
		sum += l->r[i].size;
	}
	if (sum != l->bytes)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%s: counter says %" PRIu64
				 " bytes, blocks hold %" PRIu64,
				 what, l->bytes, sum);
	return 0;
}

/* Go: memCheck, runtime/mem_sbrk.go (with coalescing and bounds). */
static int mem_check(const struct hg_os *os, char *err, size_t errlen)
{
	return check_list(os, &sbrk_state(os)->mem_freelist, "free list", err,
			  errlen);
}

/* memCheck, then the backend's own invariants (see os_sbrk.h). */
int hg_sbrk_check(const struct hg_os *os, char *err, size_t errlen)
{
	const struct hg_sbrk *s = sbrk_state(os);
	hg_addr zlo, zhi, ulo, uhi;
	int rc;

	if (!s)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "not the sbrk backend");
	if (s->bad)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%lu inconsistent call(s), first: %s", s->bad,
				 s->bad_msg);
	used_zone(s, &zlo, &zhi);
	unused_range(s, &ulo, &uhi);
	if (s->bloc % s->round || s->image_end % s->round)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "bloc %#" PRIx64 " is not rounded", s->bloc);
	if (s->bloc < s->image_end || s->bloc > s->mem_end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "bloc %#" PRIx64 " outside [%#" PRIx64
				 ", %#" PRIx64 "]",
				 s->bloc, s->image_end, s->mem_end);
	if (s->design == D_BLOC &&
	    (s->bloc > s->bloc_max || s->bloc_max > s->mem_end ||
	     (s->wasm && s->bloc_max != s->mem_end)))
		return hg_errorf(err, errlen, HG_EINVAL,
				 "bloc %#" PRIx64 ", blocMax %#" PRIx64
				 " and the OS break %#" PRIx64 " disagree",
				 s->bloc, s->bloc_max, s->mem_end);
	if (s->design == D_WASM_GROW && s->bloc != s->image_end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "bloc moved off the module end");
	if (s->wasm && s->mem_end % WASM_PAGE)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "linear memory %#" PRIx64
				 " is not whole pages",
				 s->mem_end);
	if (os->committed != s->mem_end - s->image_end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "committed is %" PRIu64
				 " but the OS provided %" PRIu64,
				 os->committed, s->mem_end - s->image_end);
	if (os->commit_limit && os->committed > os->commit_limit)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "committed %" PRIu64 " is over the limit",
				 os->committed);
	if ((rc = mem_check(os, err, errlen)))
		return rc;
	if ((rc = check_list(os, &s->strand, "stranded", err, errlen)))
		return rc;
	/* Free and leaked space are disjoint. */
	for (size_t i = 0, j = 0; i < s->mem_freelist.n && j < s->strand.n;) {
		const struct sbrk_range *a = &s->mem_freelist.r[i],
					*b = &s->strand.r[j];
		if (a->base + a->size <= b->base)
			i++;
		else if (b->base + b->size <= a->base)
			j++;
		else
			return hg_errorf(err, errlen, HG_EINVAL,
					 "free block %#" PRIx64
					 " overlaps stranded %#" PRIx64,
					 a->base, b->base);
	}
	/* Mappings: runtime blocks inside the used zone, foreign ones outside
	 * break space; the image is [0, image_end). */
	uint64_t held = 0;
	bool image = false;
	for (const struct hg_vma *v = hg_vas_first(&os->vas, 0); v;
	     v = hg_vas_next(&os->vas, v)) {
		if (v->owner == HG_OWN_RUNTIME) {
			if (v->base < zlo || v->end > zhi)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "runtime block [%#" PRIx64
						 ", %#" PRIx64
						 ") outside [%#" PRIx64
						 ", %#" PRIx64 ")",
						 v->base, v->end, zlo, zhi);
			held += v->end - v->base;
		} else if (v->base == 0 && v->end == s->image_end) {
			image = true;
		} else if (v->base < s->mem_end) {
			return hg_errorf(err, errlen, HG_EINVAL,
					 "foreign mapping [%#" PRIx64
					 ", %#" PRIx64 ") inside break space",
					 v->base, v->end);
		}
	}
	if (!image)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "the program image is not mapped");
	/* Break space is tiled exactly. */
	if (held + s->mem_freelist.bytes + s->strand.bytes != zhi - zlo)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "[%#" PRIx64 ", %#" PRIx64 ") holds %" PRIu64
				 " bytes of blocks, %" PRIu64
				 " free and %" PRIu64 " stranded",
				 zlo, zhi, held, s->mem_freelist.bytes,
				 s->strand.bytes);
	if ((zhi - zlo) + (uhi - ulo) != s->mem_end - s->image_end)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "used %" PRIu64 " + unused %" PRIu64
				 " is not the break space %" PRIu64,
				 zhi - zlo, uhi - ulo,
				 s->mem_end - s->image_end);
	return 0;
}
