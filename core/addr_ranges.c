/*
 * addr_ranges.c - Go's addrRange and addrRanges (runtime/mranges.go).
 */
#include "addr_ranges.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define HG_ADDR_RANGES_INITIAL_CAP 16

/* Go: addrRange.size, runtime/mranges.go */
uint64_t hg_addr_range_size(struct hg_addr_range r)
{
	if (r.base >= r.limit)
		return 0;
	return r.limit - r.base;
}

/* Go: addrRange.contains, runtime/mranges.go */
bool hg_addr_range_contains(struct hg_addr_range r, hg_addr addr)
{
	return r.base <= addr && addr < r.limit;
}

/* Go: addrRange.subtract, runtime/mranges.go */
struct hg_addr_range hg_addr_range_subtract(struct hg_addr_range a,
					    struct hg_addr_range b, bool *ok)
{
	struct hg_addr_range empty = { 0, 0 };

	if (ok)
		*ok = true;
	if (b.base <= a.base && a.limit <= b.limit)
		return empty;
	if (a.base < b.base && b.limit < a.limit) {
		/* b is strictly inside a: the result would be two ranges. */
		if (ok)
			*ok = false;
		return a;
	}
	if (b.limit < a.limit && a.base < b.limit)
		a.base = b.limit;
	else if (a.base < b.base && b.base < a.limit)
		a.limit = b.base;
	return a;
}

/* Go: (*addrRange).takeFromFront, runtime/mranges.go */
bool hg_addr_range_take_from_front(struct hg_addr_range *a, uint64_t len,
				   uint64_t align, hg_addr *out)
{
	uint64_t base;

	if (align == 0)
		align = 1;
	base = HG_ALIGN_UP(a->base, align);
	if (base < a->base || base + len < base)
		return false;
	base += len;
	if (base > a->limit)
		return false;
	a->base = base;
	*out = base - len;
	return true;
}

/* Go: (*addrRange).takeFromBack, runtime/mranges.go */
bool hg_addr_range_take_from_back(struct hg_addr_range *a, uint64_t len,
				  uint64_t align, hg_addr *out)
{
	uint64_t limit;

	if (align == 0)
		align = 1;
	if (len > a->limit)
		return false;
	limit = HG_ALIGN_DOWN(a->limit - len, align);
	if (a->base > limit)
		return false;
	a->limit = limit;
	*out = limit;
	return true;
}

/* Go: addrRange.removeGreaterEqual, runtime/mranges.go */
struct hg_addr_range hg_addr_range_remove_greater_equal(struct hg_addr_range r,
							hg_addr addr)
{
	struct hg_addr_range empty = { 0, 0 };

	if (addr <= r.base)
		return empty;
	if (r.limit <= addr)
		return r;
	r.limit = addr;
	return r;
}

/* Go: (*addrRanges).init, runtime/mranges.go */
int hg_addr_ranges_init(struct hg_addr_ranges *a)
{
	a->ranges = calloc(HG_ADDR_RANGES_INITIAL_CAP, sizeof(*a->ranges));
	a->len = 0;
	a->total_bytes = 0;
	if (!a->ranges) {
		a->cap = 0;
		return HG_ENOMEM;
	}
	a->cap = HG_ADDR_RANGES_INITIAL_CAP;
	return HG_OK;
}

void hg_addr_ranges_destroy(struct hg_addr_ranges *a)
{
	free(a->ranges);
	a->ranges = NULL;
	a->len = 0;
	a->cap = 0;
	a->total_bytes = 0;
}

/* Go: (*addrRanges).findSucc, runtime/mranges.go */
size_t hg_addr_ranges_find_succ(const struct hg_addr_ranges *a, hg_addr addr)
{
	/* Binary search down to a short window, then scan it. */
	size_t bot = 0, top = a->len, i;

	while (top - bot > 8) {
		i = bot + (top - bot) / 2;
		if (hg_addr_range_contains(a->ranges[i], addr))
			return i + 1;
		if (addr < a->ranges[i].base)
			top = i;
		else
			bot = i + 1;
	}
	for (i = bot; i < top; i++) {
		if (addr < a->ranges[i].base)
			return i;
	}
	return top;
}

/* Go: (*addrRanges).findAddrGreaterEqual, runtime/mranges.go */
bool hg_addr_ranges_find_ge_any(const struct hg_addr_ranges *a, hg_addr addr,
				hg_addr *out)
{
	size_t i;

	if (a->len == 0)
		return false;
	i = hg_addr_ranges_find_succ(a, addr);
	if (i == 0) {
		*out = a->ranges[0].base;
		return true;
	}
	if (hg_addr_range_contains(a->ranges[i - 1], addr)) {
		*out = addr;
		return true;
	}
	if (i < a->len) {
		*out = a->ranges[i].base;
		return true;
	}
	return false;
}

/* Go: (*addrRanges).contains, runtime/mranges.go */
bool hg_addr_ranges_contains(const struct hg_addr_ranges *a, hg_addr addr)
{
	size_t i = hg_addr_ranges_find_succ(a, addr);

	if (i == 0)
		return false;
	return hg_addr_range_contains(a->ranges[i - 1], addr);
}

/* Go: (*addrRanges).add, runtime/mranges.go */
int hg_addr_ranges_add(struct hg_addr_ranges *a, struct hg_addr_range r)
{
	size_t i;
	bool down, up;

	if (hg_addr_range_size(r) == 0)
		return HG_EINVAL;
	i = hg_addr_ranges_find_succ(a, r.base);
	/* Reject overlap with the neighbours (Go assumes it never happens). */
	if (i > 0 && a->ranges[i - 1].limit > r.base)
		return HG_EINVAL;
	if (i < a->len && r.limit > a->ranges[i].base)
		return HG_EINVAL;
	down = i > 0 && a->ranges[i - 1].limit == r.base;
	up = i < a->len && r.limit == a->ranges[i].base;
	if (down && up) {
		a->ranges[i - 1].limit = a->ranges[i].limit;
		memmove(&a->ranges[i], &a->ranges[i + 1],
			(a->len - i - 1) * sizeof(*a->ranges));
		a->len--;
	} else if (down) {
		a->ranges[i - 1].limit = r.limit;
	} else if (up) {
		a->ranges[i].base = r.base;
	} else {
		if (a->len + 1 > a->cap) {
			size_t ncap = a->cap ? a->cap * 2
					     : HG_ADDR_RANGES_INITIAL_CAP;
			struct hg_addr_range *n;

			n = realloc(a->ranges, ncap * sizeof(*n));
			if (!n)
				return HG_ENOMEM;
			a->ranges = n;
			a->cap = ncap;
		}
		memmove(&a->ranges[i + 1], &a->ranges[i],
			(a->len - i) * sizeof(*a->ranges));
		a->ranges[i] = r;
		a->len++;
	}
	a->total_bytes += hg_addr_range_size(r);
	return HG_OK;
}

/* Go: (*addrRanges).removeLast, runtime/mranges.go */
struct hg_addr_range hg_addr_ranges_remove_last(struct hg_addr_ranges *a,
						uint64_t nbytes)
{
	struct hg_addr_range r = { 0, 0 }, out;
	uint64_t size;

	if (a->len == 0)
		return r;
	r = a->ranges[a->len - 1];
	size = hg_addr_range_size(r);
	if (size > nbytes) {
		out.base = r.limit - nbytes;
		out.limit = r.limit;
		a->ranges[a->len - 1].limit = out.base;
		a->total_bytes -= nbytes;
		return out;
	}
	a->len--;
	a->total_bytes -= size;
	return r;
}

/* Go: (*addrRanges).removeGreaterEqual, runtime/mranges.go */
void hg_addr_ranges_remove_greater_equal(struct hg_addr_ranges *a, hg_addr addr)
{
	size_t pivot = hg_addr_ranges_find_succ(a, addr), i;
	uint64_t removed = 0;

	if (pivot == 0) {
		a->total_bytes = 0;
		a->len = 0;
		return;
	}
	for (i = pivot; i < a->len; i++)
		removed += hg_addr_range_size(a->ranges[i]);
	if (hg_addr_range_contains(a->ranges[pivot - 1], addr)) {
		struct hg_addr_range r = a->ranges[pivot - 1];

		removed += hg_addr_range_size(r);
		r = hg_addr_range_remove_greater_equal(r, addr);
		if (hg_addr_range_size(r) == 0) {
			pivot--;
		} else {
			removed -= hg_addr_range_size(r);
			a->ranges[pivot - 1] = r;
		}
	}
	a->len = pivot;
	a->total_bytes -= removed;
}

/* Go: (*addrRanges).cloneInto, runtime/mranges.go */
int hg_addr_ranges_clone_into(const struct hg_addr_ranges *a,
			      struct hg_addr_ranges *b)
{
	if (a->len > b->cap) {
		size_t ncap = a->cap > a->len ? a->cap : a->len;
		struct hg_addr_range *n = malloc(ncap * sizeof(*n));

		if (!n)
			return HG_ENOMEM;
		free(b->ranges);
		b->ranges = n;
		b->cap = ncap;
	}
	if (a->len)
		memcpy(b->ranges, a->ranges, a->len * sizeof(*a->ranges));
	b->len = a->len;
	b->total_bytes = a->total_bytes;
	return HG_OK;
}
