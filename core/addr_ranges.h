/*
 * addr_ranges.h - Go's addrRange and addrRanges (runtime/mranges.go).
 *
 * A sorted, coalesced list of non-overlapping [base, limit) address ranges
 * with binary search. Addresses are plain uint64 (no arenaBaseOffset: user
 * addresses are positive, so offset order equals address order). Internal to
 * hgcore.
 */
#ifndef HG_ADDR_RANGES_H
#define HG_ADDR_RANGES_H

#include "hg_core.h"

/* Go: addrRange. [base, limit); empty if base >= limit. */
struct hg_addr_range {
	hg_addr base;
	hg_addr limit;
};

/* Go: addrRanges. Zero-initialised is a valid empty list. */
struct hg_addr_ranges {
	struct hg_addr_range *ranges;
	size_t len;
	size_t cap;
	uint64_t total_bytes; /* sum of the sizes, kept up to date */
};

/* Go: addrRange.size. */
uint64_t hg_addr_range_size(struct hg_addr_range r);
/* Go: addrRange.contains. */
bool hg_addr_range_contains(struct hg_addr_range r, hg_addr addr);
/*
 * Go: addrRange.subtract. Removes b from a. b must not lie strictly inside
 * a (that would split it); returns a unchanged in that case and sets *ok to
 * false if ok is not NULL.
 */
struct hg_addr_range hg_addr_range_subtract(struct hg_addr_range a,
					    struct hg_addr_range b, bool *ok);
/* Go: addrRange.takeFromFront/takeFromBack. align is a power of two. */
bool hg_addr_range_take_from_front(struct hg_addr_range *a, uint64_t len,
				   uint64_t align, hg_addr *out);
bool hg_addr_range_take_from_back(struct hg_addr_range *a, uint64_t len,
				  uint64_t align, hg_addr *out);
/* Go: addrRange.removeGreaterEqual. */
struct hg_addr_range hg_addr_range_remove_greater_equal(struct hg_addr_range r,
							hg_addr addr);

/* Go: addrRanges.init (capacity 16). Returns 0 or HG_ENOMEM. */
int hg_addr_ranges_init(struct hg_addr_ranges *a);
void hg_addr_ranges_destroy(struct hg_addr_ranges *a);

/*
 * Go: addrRanges.findSucc. Index of the first range whose base is above
 * addr, or one past the range containing addr.
 */
size_t hg_addr_ranges_find_succ(const struct hg_addr_ranges *a, hg_addr addr);

/* hg_addr_ranges_find_addr_greater_equal of a list of any length. */
bool hg_addr_ranges_find_ge_any(const struct hg_addr_ranges *a, hg_addr addr,
				hg_addr *out);

/*
 * Go: addrRanges.findAddrGreaterEqual. The smallest address >= addr inside
 * some range; false if there is none. A heap that grew in one piece has one
 * range (the page allocator asks at every search): that one needs no
 * search and no call.
 */
static inline bool
hg_addr_ranges_find_addr_greater_equal(const struct hg_addr_ranges *a,
				       hg_addr addr, hg_addr *out)
{
	if (a->len != 1)
		return hg_addr_ranges_find_ge_any(a, addr, out);
	struct hg_addr_range r = a->ranges[0];
	if (addr >= r.limit)
		return false;
	*out = addr < r.base ? r.base : addr;
	return true;
}

/* Go: addrRanges.contains. */
bool hg_addr_ranges_contains(const struct hg_addr_ranges *a, hg_addr addr);

/*
 * Go: addrRanges.add. r must not overlap an existing range. Coalesces with
 * neighbours; the capacity doubles when full. Returns 0, HG_EINVAL (empty or
 * overlapping range) or HG_ENOMEM.
 */
int hg_addr_ranges_add(struct hg_addr_ranges *a, struct hg_addr_range r);

/*
 * Go: addrRanges.removeLast. Removes up to nbytes from the top of the last
 * range (the whole range if it is not larger) and returns what was removed.
 */
struct hg_addr_range hg_addr_ranges_remove_last(struct hg_addr_ranges *a,
						uint64_t nbytes);

/* Go: addrRanges.removeGreaterEqual. Drops every address >= addr. */
void hg_addr_ranges_remove_greater_equal(struct hg_addr_ranges *a,
					 hg_addr addr);

/* Go: addrRanges.cloneInto. Returns 0 or HG_ENOMEM. */
int hg_addr_ranges_clone_into(const struct hg_addr_ranges *a,
			      struct hg_addr_ranges *b);

#endif /* HG_ADDR_RANGES_H */
