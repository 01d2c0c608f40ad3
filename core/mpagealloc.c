/*
 * mpagealloc.c - Go's page allocator (runtime/mpagealloc.go,
 * mpagealloc_64bit.go, mpagealloc_32bit.go): the radix summaries, grow,
 * find, alloc and free. The layout is described in mpagealloc.h.
 */
#include "mpagealloc.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* pallocSum                                                           */
/* ------------------------------------------------------------------ */
/* Go: mergeSummaries, runtime/mpagealloc.go. The running start grows
 * only while every child so far is wholly free (lead); a fully
 * allocated child (0, common deep in a heap) only ends the running end. */
uint64_t hg_merge_summaries(const struct hg_pagealloc *p, const uint64_t *sums,
			    unsigned n, unsigned log_max_pages_per_sum)
{
	unsigned l = p->log_max_packed;
	uint64_t mask = (UINT64_C(1) << l) - 1, top = UINT64_C(1) << l;
	uint64_t start, most, end, whole = UINT64_C(1) << log_max_pages_per_sum;
	bool lead;
	unsigned i;

	unpack_sum(p, sums[0], &start, &most, &end);
	lead = start == whole;
	for (i = 1; i < n; i++) {
		uint64_t s = sums[i], si, mi, ei, run;

		if (s == 0) {
			most = end > most ? end : most;
			end = 0;
			lead = false;
			continue;
		}
		if (s >> 63) {
			si = mi = ei = top;
		} else {
			si = s & mask;
			mi = (s >> l) & mask;
			ei = (s >> (2 * l)) & mask;
		}
		if (lead) {
			start += si;
			lead = si == whole;
		}
		run = end + si;
		most = run > most ? run : most;
		most = mi > most ? mi : most;
		end = ei == whole ? end + whole : ei;
	}
	return pack_sum(p, start, most, end);
}

/* The host ran out of memory: flagged once, and told to the caller. */
void hg_pagealloc_enomem(struct hg_pagealloc *p)
{
	if (p->enomem)
		return;
	p->enomem = true;
	if (p->params.host_oom)
		p->params.host_oom(p->params.ctx);
}

bool hg_pagealloc_host_oom(const struct hg_pagealloc *p)
{
	return p->enomem;
}

/* hg_chunk_mut when chunk ci's leaf is not materialised yet. */
struct pa_chunk *hg_chunk_mut_slow(struct hg_pagealloc *p, uint64_t ci)
{
	struct pa_chunk *c = hg_sparse_get_mut(&p->chunks, ci);

	if (!c)
		hg_pagealloc_enomem(p);
	return c;
}

/*
 * After a write to chunk ci: a chunk that became uniform may let its leaf
 * fold back into a tag. Called where whole chunks are written (the
 * scavenger's pass, the middle of a large range), not after a small span
 * fills or empties part of a chunk: a chunk going back and forth between
 * full and not full would fold and materialise its leaf each time.
 */
void hg_chunk_done(struct hg_pagealloc *p, uint64_t ci)
{
	const struct pa_chunk *c = chunk_of(p, ci);
	unsigned k;

	/* A uniform chunk's first words are all zeros or all ones. */
	if (!c || c->alloc[0] + 1 > 1 || c->scav[0] + 1 > 1)
		return;
	for (k = 0; k < PA_NUNIFORM; k++) {
		if (!memcmp(c, &p->uniform[k], sizeof(*c))) {
			hg_sparse_compact(&p->chunks, ci);
			return;
		}
	}
}

/* Sets summary i of level l to v; false when it was v already (or the
 * host ran out of memory). */
static inline bool sum_set(struct hg_pagealloc *p, unsigned l, uint64_t i,
			   uint64_t v)
{
	uint64_t *s = sum_peek(p, l, i);

	if (s) { /* materialised: the common case */
		if (*s == v)
			return false;
	} else {
		const uint64_t *cur = hg_sparse_get(&p->summary[l], i);

		/* An entry not backed reads as 0: only a change is
		 * written. */
		if (cur ? *cur == v : v == 0)
			return false;
		s = hg_sparse_get_mut(&p->summary[l], i);
		if (!s) {
			hg_pagealloc_enomem(p);
			return false;
		}
	}
	*s = v;
	if (l == 0) {
		if (v)
			hg_hbm_set(&p->root_nonzero, i);
		else
			hg_hbm_clear(&p->root_nonzero, i);
	}
	return true;
}

/* Sets the summaries [lo, hi) of level l to 0 or to the level's free
 * summary; whole blocks become tags. */
static void sum_fill(struct hg_pagealloc *p, unsigned l, uint64_t lo,
		     uint64_t hi, bool free_run)
{
	uint64_t i;

	if (l == 0) { /* the root's non-zero bitmap follows each entry */
		for (i = lo; i < hi; i++)
			sum_set(p, 0, i, p->sum_uniform[0][free_run]);
		return;
	}
	if (!hg_sparse_set_uniform(&p->summary[l], lo, hi, free_run))
		hg_pagealloc_enomem(p);
}

/* ------------------------------------------------------------------ */
/* Creation                                                            */
/* ------------------------------------------------------------------ */

int hg_pagealloc_new(struct hg_pagealloc **out,
		     const struct hg_pagealloc_params *params)
{
	struct hg_pagealloc *p;
	uint64_t cp;
	unsigned l, l0bits, leaf;
	int err;

	*out = NULL;
	if (!params || !hg_is_pow2(params->page_size) ||
	    params->page_size < 4096 || !hg_is_pow2(params->chunk_bytes) ||
	    params->chunk_bytes < params->page_size ||
	    !hg_is_pow2(params->phys_page_size) ||
	    params->phys_page_size < 4096 ||
	    params->phys_page_size > (UINT64_C(512) << 10) ||
	    params->addr_bits < 32 || params->addr_bits > 48 ||
	    (params->phys_huge_page_size != 0 &&
	     !hg_is_pow2(params->phys_huge_page_size)))
		return HG_EINVAL;
	cp = params->chunk_bytes / params->page_size;
	if (cp < 64 || cp > 64 * PA_MAX_WORDS)
		return HG_EINVAL;
	if (params->phys_page_size / params->page_size > 64)
		return HG_EINVAL;

	p = calloc(1, sizeof(*p));
	if (!p)
		return HG_ENOMEM;
	p->params = *params;
	p->log_page = log2_u64(params->page_size);
	p->log_chunk_bytes = log2_u64(params->chunk_bytes);
	p->log_chunk_pages = log2_u64(cp);
	p->chunk_pages = cp;
	p->nwords = (unsigned)(cp / 64);
	p->min_pages = max_u64(1, params->phys_page_size / params->page_size);
	/* Go: mallocinit drops huge pages above maxPhysHugePageSize
	 * (pallocChunkBytes); findScavengeCandidate wants them above
	 * pageSize and physPageSize. */
	if (params->phys_huge_page_size > params->page_size &&
	    params->phys_huge_page_size > params->phys_page_size &&
	    params->phys_huge_page_size <= params->chunk_bytes)
		p->huge_pages = params->phys_huge_page_size / params->page_size;
	p->max_addr = (UINT64_C(1) << params->addr_bits) - 1;
	if (p->log_chunk_bytes >= params->addr_bits) {
		free(p);
		return HG_EINVAL;
	}

	/* Go: mpagealloc_64bit.go has 5 levels, mpagealloc_32bit.go 4. */
	p->levels = params->addr_bits > 32 && params->addr_bits >=
						      p->log_chunk_bytes +
							      4 * PA_LEVEL_BITS
			    ? 5
			    : 4;
	if (params->addr_bits <
	    p->log_chunk_bytes + (p->levels - 1) * PA_LEVEL_BITS) {
		free(p);
		return HG_EINVAL;
	}
	l0bits = params->addr_bits - p->log_chunk_bytes -
		 (p->levels - 1) * PA_LEVEL_BITS;
	for (l = 0; l < p->levels; l++) {
		p->level_bits[l] = l == 0 ? l0bits : PA_LEVEL_BITS;
		p->level_shift[l] =
			params->addr_bits - l0bits - l * PA_LEVEL_BITS;
		p->level_log_pages[l] = p->log_chunk_pages +
					(p->levels - 1 - l) * PA_LEVEL_BITS;
	}
	p->log_max_packed =
		p->log_chunk_pages + (p->levels - 1) * PA_LEVEL_BITS;
	p->free_chunk_sum = pack_sum(p, cp, cp, cp);

	/* Summary blocks are one physical page of entries, as Go maps them;
	 * each level's uniform blocks are all 0 or all free. */
	leaf = log2_u64(params->phys_page_size / sizeof(uint64_t));
	for (l = 0; l < p->levels; l++) {
		uint64_t whole = UINT64_C(1) << p->level_log_pages[l];

		hg_sparse_init(&p->summary[l],
			       params->addr_bits - p->level_shift[l], leaf,
			       sizeof(uint64_t));
		p->sum_uniform[l][0] = 0;
		p->sum_uniform[l][1] = pack_sum(p, whole, whole, whole);
		hg_sparse_add_uniform(&p->summary[l], &p->sum_uniform[l][0]);
		hg_sparse_add_uniform(&p->summary[l], &p->sum_uniform[l][1]);
	}
	hg_hbm_init(&p->root_nonzero, l0bits);
	/* Leaves of 512 chunks (2 GiB of heap on 64-bit, 72 KiB of host
	 * memory): the frees of a large heap mostly stay in the cached one. */
	hg_sparse_init(&p->chunks, params->addr_bits - p->log_chunk_bytes, 9,
		       sizeof(struct pa_chunk));
	/* The uniform chunks, in enum pa_uniform's order. */
	for (l = 0; l < PA_NUNIFORM; l++) {
		struct pa_chunk *u = &p->uniform[l];
		bool alloc = l == PA_ALLOC_READY || l == PA_ALLOC_SCAV;
		bool scav = l == PA_FREE_SCAV || l == PA_ALLOC_SCAV;

		memset(u, 0, sizeof(*u));
		u->grown = true;
		if (alloc) {
			hg_pagebits_set_range(u->alloc, 0, cp);
			hg_chunk_words_changed(u, 0, cp);
			u->in_use = (uint16_t)cp;
		}
		if (scav)
			hg_pagebits_set_range(u->scav, 0, cp);
		hg_sparse_add_uniform(&p->chunks, u);
	}
	hg_pagefit_init(p);
	hg_hbm_init(&p->scav_has_free, params->addr_bits - p->log_chunk_bytes);
	hg_hbm_init(&p->scav_touched, params->addr_bits - p->log_chunk_bytes);
	hg_hbm_init(&p->scav_hi_last, params->addr_bits - p->log_chunk_bytes);
	hg_hbm_init(&p->scav_eligible, params->addr_bits - p->log_chunk_bytes);
	p->scav_gen0 = true;
	/* Go: scavChunkHiOccFrac (0.96875 = 31/32) of pallocChunkPages */
	p->scav_hi_occ = cp - cp / 32;

	err = hg_addr_ranges_init(&p->in_use);
	if (err) {
		hg_pagealloc_free_all(p);
		return err;
	}
	p->search_addr = p->max_addr;
	*out = p;
	return HG_OK;
}

void hg_pagealloc_free_all(struct hg_pagealloc *p)
{
	unsigned l;

	if (!p)
		return;
	for (l = 0; l < p->levels; l++)
		hg_sparse_destroy(&p->summary[l]);
	hg_hbm_destroy(&p->root_nonzero);
	hg_sparse_destroy(&p->chunks);
	free(p->sum_dirty);
	hg_pagefit_destroy(p);
	hg_hbm_destroy(&p->scav_has_free);
	hg_hbm_destroy(&p->scav_touched);
	hg_hbm_destroy(&p->scav_hi_last);
	hg_hbm_destroy(&p->scav_eligible);
	hg_addr_ranges_destroy(&p->in_use);
	free(p);
}

/* ------------------------------------------------------------------ */
/* Summary maintenance                                                 */
/* ------------------------------------------------------------------ */

/* Go: addrsToSummaryRange, runtime/mpagealloc.go */
void hg_addrs_to_summary_range(const struct hg_pagealloc *p, unsigned l,
			       hg_addr base, hg_addr limit, uint64_t *lo,
			       uint64_t *hi)
{
	*lo = base >> p->level_shift[l];
	*hi = ((limit - 1) >> p->level_shift[l]) + 1;
}

/*
 * hg_merge_summaries of the eight children k of an entry of level l.
 * When none of them is wholly free, no run crosses more than one
 * boundary: the start is the first child's, the end the last one's, and
 * the longest run the longest of the children's and of each end joined
 * to the next start, computed without branches. Otherwise Go's merge.
 * lp is p->log_max_packed: merge_kids passes the usual widths as
 * constants, so the fields are cut out with immediate shifts.
 */
static inline __attribute__((always_inline)) uint64_t
merge_kids_lp(const struct hg_pagealloc *p, unsigned l, const uint64_t *k,
	      unsigned lp)
{
	unsigned log_whole = p->level_log_pages[l + 1];
	uint64_t mask = (UINT64_C(1) << lp) - 1, mf = mask << lp;
	/* The longest runs compared in place (masked, not shifted); each
	 * end (the top field) joined to the next start is shifted up to
	 * the longest run's place for the comparison. A child's start is
	 * at most whole (bit 63 is only ever set at the root, never in a
	 * child), so the starts or'd together reach bit log_whole exactly
	 * when some child is wholly free. */
	uint64_t most = k[0] & mf, starts = k[0] & mask, x, s, run;
	unsigned j;

	/* Not unrolled: the eight children's fields unrolled do not fit
	 * in the registers. */
#pragma GCC unroll 1
	for (j = 1; j < (1u << PA_LEVEL_BITS); j++) {
		x = k[j];
		s = x & mask;
		starts |= s;
		run = ((k[j - 1] >> (2 * lp)) + s) << lp;
		x &= mf;
		most = x > most ? x : most;
		most = run > most ? run : most;
	}
	if (starts >> log_whole)
		return hg_merge_summaries(p, k, 1u << PA_LEVEL_BITS, log_whole);
	/* Go: packPallocSum; most is below the packed maximum here. */
	return (k[0] & mask) | most |
	       (k[(1u << PA_LEVEL_BITS) - 1] >> (2 * lp) << (2 * lp));
}

static uint64_t merge_kids(const struct hg_pagealloc *p, unsigned l,
			   const uint64_t *k)
{
	/* Go: logMaxPackedValue on 64-bit (5 levels of 4 MiB chunks) and
	 * on 32-bit (4 levels). */
	switch (p->log_max_packed) {
	case 21:
		return merge_kids_lp(p, l, k, 21);
	case 18:
		return merge_kids_lp(p, l, k, 18);
	default:
		return merge_kids_lp(p, l, k, p->log_max_packed);
	}
}

/* Entry i of level l from its children (Go: the loop body of update). */
static uint64_t merged_children(const struct hg_pagealloc *p, unsigned l,
				uint64_t i)
{
	uint64_t kids[1 << PA_LEVEL_BITS];
	const uint64_t *k =
		hg_sparse_block(&p->summary[l + 1], i << PA_LEVEL_BITS,
				1u << PA_LEVEL_BITS, kids);

	return merge_kids(p, l, k);
}

/*
 * Go: (*pageAlloc).update for a range inside chunk ci, whose summary is
 * now sum: its fit, and the levels above merged again. A chunk with its
 * own bitmaps is listed for hg_pagealloc_sync; for a uniform one each
 * level above is merged at once, going up only while an entry changes
 * (Go merges every level; an unchanged entry leaves the ones above it as
 * they are, so the result is the same).
 *
 * A child whose start and end stay the same changes only its own longest
 * run; every run of its parent that crosses between children stays. So
 * the parent's longest run becomes the child's new one if that is
 * longer, and stays as it is if the child's old one was shorter than
 * the parent's: the merge of the eight children is needed only when the
 * child's start or end moved or it lost the parent's longest run.
 */
static void pa_dirty_slow(struct hg_pagealloc *p, uint64_t ci,
			  struct pa_chunk *ch);

void hg_pagealloc_update_chunk(struct hg_pagealloc *p, uint64_t ci,
			       uint64_t sum)
{
	unsigned leaf = p->levels - 1;
	uint64_t old, *cur;
	struct pa_chunk *ch;

	if (p->enomem)
		return;
	cur = sum_peek(p, leaf, ci);
	if (cur) {
		old = *cur;
		if (old == sum)
			return;
		*cur = sum;
	} else {
		old = sum_get(p, leaf, ci);
		if (!sum_set(p, leaf, ci, sum))
			return;
		cur = sum_peek(p, leaf, ci);
	}
	hg_pagefit_leaf(p, ci, old, sum);
	/* A chunk with its own bitmaps is listed for hg_pagealloc_sync. */
	ch = hg_sparse_peek_mut_sz(&p->chunks, ci, sizeof(*ch));
	if (ch) {
		if (!ch->sum_dirty)
			pa_dirty_slow(p, ci, ch);
		return;
	}
	hg_pagealloc_update_up(p, ci, cur, old, sum);
}

/* Whether one of the eight children k has a longest run of at least mo
 * (the fields masked by mf, compared in place). */
static inline bool kid_holds(const uint64_t *k, uint64_t mf, uint64_t mo)
{
	unsigned j;

	for (j = 0; j < (1u << PA_LEVEL_BITS); j++)
		if ((k[j] & mf) >= mo)
			return true;
	return false;
}

/*
 * The levels above chunk ci, whose summary went from old to sum (cur: its
 * entry when its leaf is materialised, else NULL), as
 * hg_pagealloc_update_chunk says. A child that lost the parent's longest
 * run, its start and end kept, leaves the parent as it is when another
 * child holds a run as long (every run that crosses between children
 * stays too). Only the level above the chunks looks for such a child
 * first: higher up one hardly ever does (a first fit in a large, packed
 * heap takes the longest run of every level above it, the merge finds
 * the same), and the look costs as much as the merge.
 */
void hg_pagealloc_update_up(struct hg_pagealloc *p, uint64_t ci, uint64_t *cur,
			    uint64_t old, uint64_t sum)
{
	unsigned leaf = p->levels - 1, lp = p->log_max_packed;
	uint64_t mask = (UINT64_C(1) << lp) - 1, i = ci;
	/* The packed fields: start and end, the longest run. */
	uint64_t se = mask | (mask << (2 * lp)), mf = mask << lp;
	int l;

	for (l = (int)leaf - 1; l >= 0; l--) {
		uint64_t par, v, *pp;
		const uint64_t *kids =
			cur ? cur - (i & ((1u << PA_LEVEL_BITS) - 1)) : NULL;
		bool merge;

		i >>= PA_LEVEL_BITS;
		pp = sum_peek(p, l, i);
		par = pp ? *pp : sum_get(p, (unsigned)l, i);
		if ((old | sum | par) >> 63) {
			/* A wholly free one (start = max = end = the packed
			 * maximum): merged again. */
			merge = true;
		} else if ((old ^ sum) & se) {
			merge = true;
		} else {
			/* The fields compared in place. */
			uint64_t mo = old & mf, mn = sum & mf, mp = par & mf;

			merge = false;
			if (mn >= mo)
				v = mn > mp ? (par & ~mf) | mn : par;
			else if (mo < mp || (kids && l == (int)leaf - 1 &&
					     kid_holds(kids, mf, mo)))
				v = par;
			else
				merge = true;
		}
		if (merge)
			v = kids ? merge_kids(p, (unsigned)l, kids)
				 : merged_children(p, (unsigned)l, i);
		if (v == par)
			return;
		if (pp && l > 0) {
			*pp = v;
		} else {
			if (!sum_set(p, (unsigned)l, i, v))
				return;
			pp = sum_peek(p, l, i);
		}
		cur = pp;
		old = par;
		sum = v;
	}
}

/*
 * Go: (*pageAlloc).update, runtime/mpagealloc.go. For a contiguous range
 * over several chunks, the chunks strictly inside are wholly allocated or
 * wholly free, and so is every summary entry above only them: those are
 * filled at once (0, or the level's free summary, as Go's merge of such
 * children gives); the entries at the two ends are merged as Go merges
 * them.
 */
void hg_pagealloc_update(struct hg_pagealloc *p, hg_addr base, uint64_t npages,
			 bool contig, bool alloc)
{
	unsigned leaf = p->levels - 1;
	hg_addr limit = base + (npages << p->log_page) - 1;
	uint64_t sc = chunk_index(p, base), ec = chunk_index(p, limit), c;
	bool fill = contig && sc != ec;
	int l;

	if (p->enomem) /* chunks may be missing: nothing to summarize */
		return;
	if (sc == ec) {
		hg_pagealloc_update_chunk(
			p, sc,
			hg_pallocbits_summarize_fast(p, chunk_of(p, sc)));
		return;
	}
	if (contig) {
		sum_set(p, leaf, sc,
			hg_pallocbits_summarize_fast(p, chunk_of(p, sc)));
		sum_fill(p, leaf, sc + 1, ec, !alloc);
		sum_set(p, leaf, ec,
			hg_pallocbits_summarize_fast(p, chunk_of(p, ec)));
	} else {
		for (c = sc; c <= ec; c++)
			sum_set(p, leaf, c,
				hg_pallocbits_summarize_fast(p,
							     chunk_of(p, c)));
	}
	/* The fits: the chunks strictly inside a contiguous range are
	 * uniform; the chunk below the range's first may reach into it. */
	if (contig)
		hg_pagefit_fill(p, sc + 1, ec, !alloc);
	for (c = sc > 0 ? sc - 1 : 0; c <= ec; c++) {
		if (contig && c == sc + 1)
			c = ec;
		hg_pagefit_set(p, c, hg_pagefit_of_chunk(p, c));
	}

	for (l = (int)leaf - 1; l >= 0; l--) {
		uint64_t lo, hi, i, in_lo = 0, in_hi = 0;
		bool changed = false;

		hg_addrs_to_summary_range(p, (unsigned)l, base, limit + 1, &lo,
					  &hi);
		if (fill) {
			/* Entries whose chunks all lie in [sc+1, ec). */
			unsigned cs = p->level_shift[l] - p->log_chunk_bytes;

			in_lo = (sc + (UINT64_C(1) << cs)) >> cs;
			in_hi = ec >> cs;
			if (in_lo < in_hi) {
				sum_fill(p, (unsigned)l, in_lo, in_hi, !alloc);
				changed = true;
			} else {
				in_lo = in_hi = 0;
			}
		}
		for (i = lo; i < hi; i++) {
			if (i == in_lo && in_lo < in_hi) {
				i = in_hi - 1;
				continue;
			}
			if (sum_set(p, (unsigned)l, i,
				    merged_children(p, (unsigned)l, i)))
				changed = true;
		}
		if (!changed)
			break;
	}
}

/* ------------------------------------------------------------------ */
/* grow                                                                */
/* ------------------------------------------------------------------ */

/* Go: (*pageAlloc).grow and sysGrow, mpagealloc.go, mpagealloc_64bit.go */
int hg_pagealloc_grow(struct hg_pagealloc *p, hg_addr base, uint64_t size)
{
	uint64_t cb = p->params.chunk_bytes, start, end, lo, hi;
	hg_addr limit;
	size_t k;
	int err;

	HG_ASSERT(hg_is_aligned(base | size, p->params.page_size));
	if (size == 0)
		return HG_OK;
	if (p->enomem)
		return HG_ENOMEM;
	if (base + size < base || base + size - 1 > p->max_addr)
		return HG_EINVAL;
	limit = HG_ALIGN_UP(base + size, cb);
	base = HG_ALIGN_DOWN(base, cb);
	/*
	 * Address 0 means "no address", and the top chunk holds the maximum
	 * searchAddr ("exhausted"), so neither can be grown.
	 */
	if (base == 0 || limit == 0 ||
	    chunk_index(p, limit - 1) >= chunk_index(p, p->max_addr))
		return HG_EINVAL;
	start = chunk_index(p, base);
	end = chunk_index(p, limit);
	/* grow only adds new memory: no grown chunk (inUse) in the range. */
	k = hg_addr_ranges_find_succ(&p->in_use, base);
	if ((k > 0 && p->in_use.ranges[k - 1].limit > base) ||
	    (k < p->in_use.len && p->in_use.ranges[k].base < limit))
		return HG_EINVAL;

	/* The bitmaps' words first, so failure leaves the state intact;
	 * summary and chunk blocks are allocated as they are written. */
	hg_addrs_to_summary_range(p, 0, base, limit, &lo, &hi);
	if (!hg_hbm_reserve(&p->root_nonzero, lo, hi) ||
	    !hg_hbm_reserve(&p->scav_has_free, start, end) ||
	    !hg_hbm_reserve(&p->scav_touched, start, end) ||
	    !hg_hbm_reserve(&p->scav_hi_last, start, end) ||
	    !hg_hbm_reserve(&p->scav_eligible, start, end))
		return HG_ENOMEM;
	/* New chunks are free and scavenged: uniform. */
	if (!hg_sparse_set_uniform(&p->chunks, start, end, PA_FREE_SCAV)) {
		hg_pagealloc_enomem(p);
		return HG_ENOMEM;
	}
	err = hg_addr_ranges_add(&p->in_use,
				 (struct hg_addr_range){ base, limit });
	if (err)
		return err;

	if (!p->grown || start < p->start)
		p->start = start;
	if (end > p->end)
		p->end = end;
	p->grown = true;
	if (base < p->search_addr)
		p->search_addr = base;
	pa_hints_freed(p, base);
	p->nchunks += end - start;
	hg_pagealloc_update(p, base, (limit - base) >> p->log_page, true,
			    false);
	return p->enomem ? HG_ENOMEM : HG_OK;
}

/* ------------------------------------------------------------------ */
/* find / alloc / free                                                 */
/* ------------------------------------------------------------------ */

/*
 * One level of Go's (*pageAlloc).find: the block of entries of level l
 * from index *ip (a multiple of the level's block size), from the entry
 * from falls in when the block holds it. Returns FIND_HERE with the
 * address of a run of npages crossing entries (or at an entry's start) in
 * *a, FIND_DOWN with *i the entry holding npages to descend into, or
 * FIND_NONE when the block holds no such run.
 */
enum { FIND_NONE, FIND_HERE, FIND_DOWN };

static inline __attribute__((always_inline)) int
find_level_lp(struct hg_pagealloc *p, unsigned l, uint64_t *ip, uint64_t npages,
	      hg_addr from, hg_addr *a, unsigned lp)
{
	unsigned log_max = p->level_log_pages[l];
	uint64_t per_block = UINT64_C(1) << p->level_bits[l];
	uint64_t whole = UINT64_C(1) << log_max, i = *ip;
	uint64_t mask = (UINT64_C(1) << lp) - 1, top = UINT64_C(1) << lp;
	uint64_t j0 = 0, base = 0, size = 0, sidx_l, uni = 0, j, j_found;
	const uint64_t *ent = NULL;

	sidx_l = from >> p->level_shift[l];
	if (HG_ALIGN_DOWN(sidx_l, per_block) == i)
		j0 = sidx_l & (per_block - 1);
	if (l > 0) {
		/* The block's entries lie in one leaf of the level's sparse
		 * array: looked up once. */
		ent = sum_peek(p, l, i);
		if (!ent) {
			const uint64_t *u = hg_sparse_get(&p->summary[l], i);

			uni = u ? *u : 0;
		}
	}
	for (j = j0; j < per_block; j++) {
		uint64_t sum, s, m, e;

		if (l == 0) {
			sum = sum_get(p, 0, j);
			/* Skip fully allocated root entries at once. */
			if (sum == 0) {
				size = 0;
				if (!hg_hbm_find_next(&p->root_nonzero, j,
						      &j_found) ||
				    j_found >= per_block)
					break;
				j = j_found;
				sum = sum_get(p, 0, j);
			}
		} else {
			sum = ent ? ent[j] : uni;
		}
		if (sum == 0) {
			size = 0;
			continue;
		}
		if (sum >> 63) {
			s = m = e = top;
		} else {
			s = sum & mask;
			m = (sum >> lp) & mask;
			e = (sum >> (2 * lp)) & mask;
		}
		if (size + s >= npages) {
			if (size == 0)
				base = j << log_max;
			*a = (i << p->level_shift[l]) + (base << p->log_page);
			return FIND_HERE;
		}
		if (m >= npages) {
			*ip = i + j;
			return FIND_DOWN;
		}
		if (size == 0 || s < whole) {
			size = e;
			base = ((j + 1) << log_max) - size;
			continue;
		}
		size += whole;
	}
	return FIND_NONE;
}

/* find_level with the packed width a constant (as merge_kids). */
static int find_level(struct hg_pagealloc *p, unsigned l, uint64_t *ip,
		      uint64_t npages, hg_addr from, hg_addr *a)
{
	switch (p->log_max_packed) {
	case 21:
		return find_level_lp(p, l, ip, npages, from, a, 21);
	case 18:
		return find_level_lp(p, l, ip, npages, from, a, 18);
	default:
		return find_level_lp(p, l, ip, npages, from, a,
				     p->log_max_packed);
	}
}

/*
 * find_from for npages up to a chunk's pages when the chunk ci of from
 * holds no run of npages at or above from: the run from ci's end on, or
 * the first one of the next chunk whose fit is at least npages (the fit
 * tree, mpagealloc.h). A run of npages from ci's end starts at or above
 * from, as no such run starts below it.
 */
static hg_addr find_fit(struct hg_pagealloc *p, uint64_t npages, uint64_t ci)
{
	unsigned leaf = p->levels - 1;
	uint64_t s = sum_get(p, leaf, ci), e = sum_end(p, s), c, j, sidx;
	const struct pa_chunk *ch;

	if (e && e + sum_start(p, sum_get(p, leaf, ci + 1)) >= npages)
		return chunk_base(p, ci + 1) - (e << p->log_page);
	c = hg_pagefit_find(p, ci + 1, npages);
	if (c == PA_NONE || c >= p->end)
		return 0;
	s = sum_get(p, leaf, c);
	if (sum_max(p, s) < npages) /* from its end on */
		return chunk_base(p, c + 1) - (sum_end(p, s) << p->log_page);
	ch = chunk_of(p, c);
	j = ch ? hg_pallocbits_find(p, ch, npages, 0, &sidx) : PA_NONE;
	return j == PA_NONE ? 0 : chunk_base(p, c) + (j << p->log_page);
}

/* find_big's answer when the runs it met were too long to measure. */
#define FIND_BIG_GAVE_UP ((hg_addr)1)
/* The chunks (or uniform leaves of them) and candidates find_big meets
 * before it leaves the find to Go's walk. */
#define FIND_BIG_STEPS 64

/*
 * find_from for more than a chunk's pages, without the levels above the
 * chunks: a run of npages > fit_cap begins in a chunk's free end and goes
 * on into the next chunk, so its chunk's fit is fit_cap. For each such
 * chunk from from's on (the fit tree), the run from its end is measured
 * through the wholly free chunks that follow it, up to the first one that
 * is not, where the search goes on. Every run met starts at or above
 * from, or is shorter than npages (none starts below it). After
 * FIND_BIG_STEPS chunks and candidates, FIND_BIG_GAVE_UP: the run through
 * many free chunks is for Go's walk to find, in steps logarithmic in it.
 */
static hg_addr find_big(struct hg_pagealloc *p, uint64_t npages, hg_addr from)
{
	unsigned leaf = p->levels - 1, steps = 0;
	uint64_t c = chunk_index(p, from), cp = p->chunk_pages;

	for (;;) {
		uint64_t s, e, len, d;
		hg_addr start;

		c = hg_pagefit_find(p, c, p->fit_cap);
		if (c == PA_NONE || c >= p->end)
			return 0;
		e = sum_end(p, sum_get(p, leaf, c));
		start = chunk_base(p, c + 1) - (e << p->log_page);
		len = e;
		for (d = c + 1; len < npages && d < p->end;) {
			uint64_t n;
			int k;

			if (++steps > FIND_BIG_STEPS)
				return FIND_BIG_GAVE_UP;
			k = hg_sparse_uniform_at(&p->summary[leaf], d, &n);
			if (k == 1) {
				/* A leaf of wholly free chunks from d (the
				 * summaries' prototype 1 is all free). */
				len += n * cp;
				d += n;
				continue;
			}
			s = sum_get(p, leaf, d);
			if (s != p->free_chunk_sum) {
				len += sum_start(p, s);
				break;
			}
			len += cp;
			d++;
		}
		if (len >= npages && start >= from)
			return start;
		if (d >= p->end)
			return 0;
		if (++steps > FIND_BIG_STEPS)
			return FIND_BIG_GAVE_UP;
		c = d;
	}
}

/*
 * The first run of npages at or above from (0 if none), where no such run
 * starts below from: for up to a chunk's pages, find_fit; else find_big,
 * or when it gives up, Go's walk (the levels above the chunks merged
 * first: hg_pagealloc_sync), from the lowest level whose parent entry at
 * from holds npages (its longest run says so), as Go's walk would come
 * down to that entry when from is its searchAddr (hg_pagealloc_find).
 */
static hg_addr find_from(struct hg_pagealloc *p, uint64_t npages, hg_addr from)
{
	uint64_t i, ci = chunk_index(p, from), j, sidx;
	hg_addr a = 0;
	unsigned l = p->levels - 1;
	int r;

	/* The chunk of from holds a run of npages: the first one is in it,
	 * at or above from. */
	if (ci < p->end && sum_max(p, sum_get(p, l, ci)) >= npages) {
		const struct pa_chunk *ch = chunk_of(p, ci);

		j = ch ? hg_pallocbits_find(p, ch, npages,
					    chunk_page_index(p, from), &sidx)
		       : PA_NONE;
		if (j != PA_NONE)
			return chunk_base(p, ci) + (j << p->log_page);
	}
	if (npages <= p->fit_cap)
		return find_fit(p, npages, ci);
	a = find_big(p, npages, from);
	if (a != FIND_BIG_GAVE_UP)
		return a;
	hg_pagealloc_sync(p);
	for (;;) {
		if (l == 0) {
			i = 0;
		} else {
			uint64_t par = from >> p->level_shift[l - 1];

			/* No run of npages in the parent entry: none in its
			 * block. */
			if (sum_max(p, sum_get(p, l - 1, par)) < npages) {
				l--;
				continue;
			}
			i = par << p->level_bits[l];
		}
		r = find_level(p, l, &i, npages, from, &a);
		if (r != FIND_NONE)
			break;
		if (l == 0)
			return 0; /* level 0 exhausted */
		l--;
	}
	while (r == FIND_DOWN && ++l < p->levels) {
		i <<= p->level_bits[l];
		r = find_level(p, l, &i, npages, from, &a);
	}
	if (r == FIND_HERE)
		return a;
	if (r == FIND_NONE)
		return 0; /* (never) inconsistent summaries */
	{
		const struct pa_chunk *ch = chunk_of(p, i);

		j = ch ? hg_pallocbits_find(p, ch, npages, 0, &sidx) : PA_NONE;
	}
	return j == PA_NONE ? 0 : chunk_base(p, i) + (j << p->log_page);
}

/*
 * Go's searchAddr candidate from its find of the run of npages at a, the
 * first one: findMappedAddr of its firstFree window's base. Go's walk
 * from the root to a is fixed by a: at each level it descends into a's
 * entry while the run lies inside that entry and does not begin at its
 * first page, else it stops there (the run crosses entries or starts
 * one). The window narrows to the first entry with free pages of the
 * block the walk is in, from searchAddr's entry when the block holds it,
 * as long as the walk descends into that entry; down in a's chunk, to
 * its first free page. With f, the first free page at or above
 * searchAddr (every page below searchAddr is allocated), the first entry
 * with free pages that a level's scan meets is f's. At the first level where
 * f's entry is not a's, the window is f's entry; where the walk stops at
 * a's entry (a starts it, or the run goes on past it), a's; in a's
 * chunk, f. A level holds either when its shift is at most the highest
 * bit in which f and a differ, or in which a and the run's last page
 * differ, or a's lowest set bit.
 */
static hg_addr pa_search_of(const struct hg_pagealloc *p, hg_addr a,
			    uint64_t npages, hg_addr f)
{
	hg_addr last = a + ((npages - 1) << p->log_page);
	int hd = f == a ? -1 : (int)log2_u64(f ^ a);
	int hs = (int)ctz64(a);
	unsigned l;

	if (last != a && (int)log2_u64(a ^ last) > hs)
		hs = (int)log2_u64(a ^ last);
	for (l = 0; l < p->levels; l++) {
		int sh = (int)p->level_shift[l];

		if (sh <= hd)
			return pa_find_mapped_addr(p, (f >> sh) << sh);
		if (sh <= hs)
			return pa_find_mapped_addr(p, (a >> sh) << sh);
	}
	return f;
}

/*
 * Go: (*pageAlloc).find, runtime/mpagealloc.go. Returns the lowest address
 * of npages free pages (0 if none) and a new searchAddr candidate.
 *
 * Go walks down from the root from searchAddr; every grown page below
 * searchAddr is allocated (hg_pagealloc_check), so its walk finds the
 * first run of npages of the heap. Here the search for that run starts at
 * searchAddr or at the fit hint of npages if it is higher (no such run
 * starts below either), in the hint's chunk first, and then from the
 * lowest level whose parent entry there holds npages; the searchAddr
 * candidate is the one Go's walk from the root gives, computed from the
 * run found (pa_search_of). The unit tests compare both with
 * hg_pagealloc_find_ref, Go's walk from the root. new_search NULL: no
 * candidate is wanted (allocToCache drops it).
 */
hg_addr hg_pagealloc_find(struct hg_pagealloc *p, uint64_t npages,
			  hg_addr *new_search)
{
	hg_addr from = p->search_addr, a, h = pa_hint_of(p, npages);

	if (new_search)
		*new_search = p->max_addr;
	if (h > from)
		from = h;
	if (!p->grown || chunk_index(p, from) >= p->end)
		return 0; /* no run of npages left above the hint */
	a = find_from(p, npages, from);
	if (a == 0 || !new_search)
		return a;
	if (npages == 1) {
		/* from is fit_hint[1] or searchAddr: a is the first free
		 * page at or above searchAddr. */
		*new_search = pa_search_of(p, a, npages, a);
		return a;
	}
	/* The first free page at or above searchAddr: in the chunk of
	 * fit_hint[1] or searchAddr (no free page lies below either), else
	 * in the next chunk with a fit (at most a's). */
	from = max_u64(p->search_addr, p->fit_hint[1]);
	{
		uint64_t c = chunk_index(p, from), j = PA_NONE;
		const struct pa_chunk *ch;

		if (c < p->end && sum_get(p, p->levels - 1, c) != 0) {
			ch = chunk_of(p, c);
			if (ch)
				j = hg_pallocbits_find1(
					p, ch, chunk_page_index(p, from));
		}
		if (j == PA_NONE) {
			c = hg_pagefit_find(p, c + 1, 1);
			ch = c != PA_NONE ? chunk_of(p, c) : NULL;
			j = ch ? hg_pallocbits_find1(p, ch, 0) : PA_NONE;
		}
		*new_search = pa_search_of(
			p, a, npages,
			j != PA_NONE ? chunk_base(p, c) + (j << p->log_page)
				     : a);
	}
	return a;
}

/*
 * Walks the chunks of the page range [base, base+npages): each step gives
 * chunk c and its page indexes [lo, hi). npages must be at least 1.
 */
struct page_walk {
	uint64_t c, last;  /* current and last chunk index */
	uint64_t first_lo; /* page index of base in the first chunk */
	uint64_t last_hi;  /* one past the last page in the last chunk */
};

static void walk_begin(const struct hg_pagealloc *p, hg_addr base,
		       uint64_t npages, struct page_walk *w)
{
	hg_addr limit = base + (npages << p->log_page) - 1;
	w->c = chunk_index(p, base);
	w->last = chunk_index(p, limit);
	w->first_lo = chunk_page_index(p, base);
	w->last_hi = chunk_page_index(p, limit) + 1;
}

static bool walk_next(const struct hg_pagealloc *p, struct page_walk *w,
		      uint64_t *c, uint64_t *lo, uint64_t *hi)
{
	if (w->c > w->last)
		return false;
	*c = w->c;
	*lo = w->first_lo;
	*hi = w->c == w->last ? w->last_hi : p->chunk_pages;
	w->first_lo = 0;
	w->c++;
	return true;
}

/*
 * The run of whole chunks from c (c starts a whole chunk of the walk)
 * that lie in one uniform leaf: its length, at least 1, and its prototype
 * in *k (-1 if the leaf is materialised: then the run is c alone).
 */
static uint64_t uniform_run(const struct hg_pagealloc *p,
			    const struct page_walk *w, uint64_t c, int *k)
{
	uint64_t n, whole = w->last - c + (w->last_hi == p->chunk_pages);

	*k = hg_sparse_uniform_at(&p->chunks, c, &n);
	if (*k < 0 || whole == 0) {
		*k = -1;
		return 1;
	}
	return min_u64(n, whole);
}

/* The levels above chunk ci from their children, up while an entry
 * changes. */
static void pa_merge_up(struct hg_pagealloc *p, uint64_t ci)
{
	uint64_t i = ci;
	int l;

	for (l = (int)p->levels - 2; l >= 0; l--) {
		i >>= PA_LEVEL_BITS;
		if (!sum_set(p, (unsigned)l, i,
			     merged_children(p, (unsigned)l, i)))
			return;
	}
}

/* Chunk ci (ch) has a new leaf summary: listed for hg_pagealloc_sync,
 * or merged up at once when the list cannot grow. */
static void pa_dirty_slow(struct hg_pagealloc *p, uint64_t ci,
			  struct pa_chunk *ch)
{
	if (p->sum_ndirty == p->sum_dirty_cap) {
		size_t n = p->sum_dirty_cap ? 2 * p->sum_dirty_cap : 256;
		uint64_t *d = realloc(p->sum_dirty, n * sizeof(*d));

		if (!d) {
			pa_merge_up(p, ci);
			return;
		}
		p->sum_dirty = d;
		p->sum_dirty_cap = n;
	}
	ch->sum_dirty = true;
	p->sum_dirty[p->sum_ndirty++] = ci;
}

/*
 * Go: (*pageAlloc).update brought up to date: the levels above every
 * listed chunk merged from their children. Each merge reads the
 * children as they are now, so a parent found unchanged leaves the
 * levels above it right, and the chunks may come in any order.
 */
void hg_pagealloc_sync(struct hg_pagealloc *p)
{
	size_t k;

	for (k = 0; k < p->sum_ndirty; k++) {
		uint64_t ci = p->sum_dirty[k];
		struct pa_chunk *ch =
			hg_sparse_peek_mut_sz(&p->chunks, ci, sizeof(*ch));

		/* Listed chunks keep their leaf: the flag keeps them from
		 * folding (hg_chunk_done). */
		if (ch)
			ch->sum_dirty = false;
		if (!p->enomem)
			pa_merge_up(p, ci);
	}
	p->sum_ndirty = 0;
}

/* Chunk ci (ch) whose summary was old has the summary sum; sp is its
 * entry as sum_peek gave it before the summary was computed. */
static inline void pa_update_leaf(struct hg_pagealloc *p, uint64_t ci,
				  struct pa_chunk *ch, uint64_t *sp,
				  uint64_t old, uint64_t sum)
{
	if (!sp) {
		hg_pagealloc_update_chunk(p, ci, sum);
		return;
	}
	if (sum == old)
		return;
	*sp = sum;
	hg_pagefit_leaf(p, ci, old, sum);
	if (!ch->sum_dirty)
		pa_dirty_slow(p, ci, ch);
}

/* Go: (*pageAlloc).allocRange, runtime/mpagealloc.go */
static uint64_t pa_alloc_range(struct hg_pagealloc *p, hg_addr base,
			       uint64_t npages)
{
	struct page_walk w;
	uint64_t scav = 0, c, lo, hi;

	lo = chunk_page_index(p, base);
	if (lo + npages < p->chunk_pages ||
	    (lo != 0 && lo + npages == p->chunk_pages)) {
		/* Inside one chunk, not all of it: the common case. */
		struct pa_chunk *ch;
		uint64_t old, sum, *sp;
		bool was_free;

		c = chunk_index(p, base);
		hi = lo + npages;
		ch = hg_chunk_mut(p, c);
		if (!ch)
			return 0;
		if ((lo & 63) + npages <= 64) {
			/* Inside one word of the bitmaps. */
			uint64_t wi = lo / 64;
			uint64_t m = word_mask((unsigned)(lo & 63),
					       (unsigned)npages);

			was_free = !(ch->alloc[wi] & m);
			scav = popcount64(ch->scav[wi] & m);
			ch->alloc[wi] |= m;
			ch->wocc[wi] =
				(uint8_t)(64 - word_max_free(ch->alloc[wi]));
			ch->scav[wi] &= ~m;
		} else {
			was_free =
				!hg_pagebits_any_range(ch->alloc, lo, npages);
			scav = hg_pagebits_popcnt_range(ch->scav, lo, npages);
			hg_pagebits_set_range(ch->alloc, lo, npages);
			hg_chunk_words_changed(ch, lo, npages);
			hg_pagebits_clear_range(ch->scav, lo, npages);
		}
		hg_scav_index_alloc(p, c, ch, npages);
		if (p->enomem)
			return scav << p->log_page;
		sp = sum_peek(p, p->levels - 1, c);
		old = sp ? *sp : sum_get(p, p->levels - 1, c);
		sum = was_free ? hg_pallocbits_sum_allocated(p, ch, old, lo, hi)
			       : hg_pallocbits_summarize_fast(p, ch);
		pa_update_leaf(p, c, ch, sp, old, sum);
		return scav << p->log_page;
	}
	walk_begin(p, base, npages, &w);
	while (walk_next(p, &w, &c, &lo, &hi)) {
		struct pa_chunk *ch;
		uint64_t n = 1;
		int k = -1;

		if (lo == 0)
			n = uniform_run(p, &w, c, &k);
		if (k == PA_FREE_SCAV || k == PA_FREE_READY) {
			/* Free chunks wholly taken: a leaf at a time. */
			if (k == PA_FREE_SCAV)
				scav += n * p->chunk_pages;
			if (!hg_sparse_set_uniform(&p->chunks, c, c + n,
						   PA_ALLOC_READY))
				hg_pagealloc_enomem(p);
			hg_scav_index_alloc_whole(p, c, n);
			w.c = c + n;
			continue;
		}
		ch = hg_chunk_mut(p, c);
		if (!ch)
			return 0;
		scav += hg_pagebits_popcnt_range(ch->scav, lo, hi - lo);
		hg_pagebits_set_range(ch->alloc, lo, hi - lo);
		hg_chunk_words_changed(ch, lo, hi - lo);
		hg_pagebits_clear_range(ch->scav, lo, hi - lo);
		hg_scav_index_alloc(p, c, ch, hi - lo);
		if (hi - lo == p->chunk_pages)
			hg_chunk_done(p, c);
	}
	hg_pagealloc_update(p, base, npages, true, true);
	return scav << p->log_page;
}

/* Go: (*pageAlloc).alloc, runtime/mpagealloc.go */
hg_addr hg_pagealloc_alloc(struct hg_pagealloc *p, uint64_t npages,
			   uint64_t *scav)
{
	hg_addr a = 0, sa = 0;
	uint64_t s;

	HG_ASSERT(npages != 0);
	if (scav)
		*scav = 0;
	if (p->enomem || npages == 0 ||
	    chunk_index(p, p->search_addr) >= p->end || !p->grown)
		return 0;
	if (p->chunk_pages - chunk_page_index(p, p->search_addr) >= npages) {
		uint64_t ci = chunk_index(p, p->search_addr);
		uint64_t sum = sum_get(p, p->levels - 1, ci);

		if (sum_max(p, sum) >= npages) {
			uint64_t j, sidx;

			j = hg_pallocbits_find(
				p, chunk_of(p, ci), npages,
				chunk_page_index(p, p->search_addr), &sidx);
			if (j != PA_NONE) {
				a = chunk_base(p, ci) + (j << p->log_page);
				sa = chunk_base(p, ci) + (sidx << p->log_page);
			}
		}
	}
	if (a == 0) {
		a = hg_pagealloc_find(p, npages, &sa);
		if (a == 0) {
			if (npages == 1)
				p->search_addr = p->max_addr;
			return 0;
		}
	}
	s = pa_alloc_range(p, a, npages);
	pa_hints_raise(p, npages, a + (npages << p->log_page));
	if (scav)
		*scav = s;
	if (p->search_addr < sa)
		p->search_addr = sa;
	return a;
}

/* The inUse range that holds [base, last], else SIZE_MAX. */
size_t hg_pagealloc_range_grown_slow(const struct hg_pagealloc *p, hg_addr base,
				     hg_addr last)
{
	size_t k = hg_addr_ranges_find_succ(&p->in_use, base);

	if (k > 0 && p->in_use.ranges[k - 1].base <= base &&
	    last < p->in_use.ranges[k - 1].limit)
		return k - 1;
	return SIZE_MAX;
}

/* Go: (*pageAlloc).free, runtime/mpagealloc.go */
void hg_pagealloc_free(struct hg_pagealloc *p, hg_addr base, uint64_t npages)
{
	struct page_walk w;
	uint64_t c, lo, hi;

	HG_ASSERT(hg_is_aligned(base, p->params.page_size));
	if (p->enomem || !hg_pagealloc_range_grown(p, base, npages))
		return; /* not grown memory: ignore */
	if (base < p->search_addr)
		p->search_addr = base;
	lo = chunk_page_index(p, base);
	if (lo + npages < p->chunk_pages ||
	    (lo != 0 && lo + npages == p->chunk_pages)) {
		/* Inside one chunk, not all of it: the common case. */
		struct pa_chunk *ch;
		uint64_t old, sum, run_lo, run_len, *sp;

		c = chunk_index(p, base);
		ch = hg_chunk_mut(p, c);
		if (!ch)
			return;
		if ((lo & 63) + npages <= 64) {
			/* Inside one word of the bitmap. */
			ch->alloc[lo / 64] &= ~word_mask((unsigned)(lo & 63),
							 (unsigned)npages);
		} else {
			hg_pagebits_clear_range(ch->alloc, lo, npages);
		}
		hg_scav_index_free(p, c, ch, lo, npages);
		if (p->enomem) {
			hg_chunk_words_changed(ch, lo, npages);
			return;
		}
		sp = sum_peek(p, p->levels - 1, c);
		old = sp ? *sp : sum_get(p, p->levels - 1, c);
		sum = hg_pallocbits_sum_freed(p, ch, old, lo, lo + npages,
					      &run_lo, &run_len);
		/* The words' longest runs from the run the pages joined. */
		hg_chunk_words_freed(ch, lo, npages, run_lo,
				     run_len == UINT64_MAX ? p->chunk_pages
							   : run_lo + run_len);
		/* A run from the chunk's first page may begin in the chunk
		 * below. */
		if (run_lo == 0)
			pa_hints_freed(p, chunk_base(p, c));
		else
			pa_hints_run(p,
				     chunk_base(p, c) + (run_lo << p->log_page),
				     run_len);
		pa_update_leaf(p, c, ch, sp, old, sum);
		return;
	}
	pa_hints_freed(p, base);
	walk_begin(p, base, npages, &w);
	while (walk_next(p, &w, &c, &lo, &hi)) {
		struct pa_chunk *ch;
		uint64_t n = 1;
		int k = -1;

		if (lo == 0)
			n = uniform_run(p, &w, c, &k);
		if (k == PA_ALLOC_READY || k == PA_ALLOC_SCAV) {
			/* Allocated chunks wholly freed; scavenged bits stay.
			 */
			if (!hg_sparse_set_uniform(&p->chunks, c, c + n,
						   k == PA_ALLOC_READY
							   ? PA_FREE_READY
							   : PA_FREE_SCAV))
				hg_pagealloc_enomem(p);
			hg_scav_index_free_whole(p, c, n);
			w.c = c + n;
			continue;
		}
		ch = hg_chunk_mut(p, c);
		if (!ch)
			return;
		hg_pagebits_clear_range(ch->alloc, lo, hi - lo);
		hg_chunk_words_changed(ch, lo, hi - lo);
		hg_scav_index_free(p, c, ch, lo, hi - lo);
		if (hi - lo == p->chunk_pages)
			hg_chunk_done(p, c);
	}
	hg_pagealloc_update(p, base, npages, true, false);
}

/* Go: (*pageAlloc).markRandomPaddingPages, runtime/mpagealloc.go */
void hg_pagealloc_mark_padding(struct hg_pagealloc *p, hg_addr base,
			       uint64_t npages)
{
	struct page_walk w;
	uint64_t c, lo, hi;

	HG_ASSERT(hg_is_aligned(base, p->params.page_size));
	if (p->enomem || !hg_pagealloc_range_grown(p, base, npages))
		return;
	walk_begin(p, base, npages, &w);
	while (walk_next(p, &w, &c, &lo, &hi)) {
		struct pa_chunk *ch = hg_chunk_mut(p, c);

		if (!ch)
			return;
		hg_pagebits_set_range(ch->alloc, lo, hi - lo);
		hg_chunk_words_changed(ch, lo, hi - lo);
		hg_scav_index_alloc(p, c, ch, hi - lo);
		hg_pagebits_set_range(ch->scav, lo, hi - lo);
	}
	hg_pagealloc_update(p, base, npages, true, true);
}

/*
 * Clears the scavenged bits of free pages in [base, base+npages): grown
 * memory that counts as backed, as fresh heap memory did before go1.13
 * (whose grow freed new spans without marking them scavenged). The
 * scavenger can then find and release these pages.
 */
void hg_pagealloc_unscavenge(struct hg_pagealloc *p, hg_addr base,
			     uint64_t npages)
{
	struct page_walk w;
	uint64_t c, lo, hi;

	HG_ASSERT(hg_is_aligned(base, p->params.page_size));
	if (p->enomem || !npages || !hg_pagealloc_range_grown(p, base, npages))
		return;
	walk_begin(p, base, npages, &w);
	while (walk_next(p, &w, &c, &lo, &hi)) {
		struct pa_chunk *ch;
		uint64_t n = 1;
		hg_addr a;
		int k = -1;

		if (lo == 0)
			n = uniform_run(p, &w, c, &k);
		if (k >= 0) {
			/* Whole uniform chunks: their scavenged bits go. */
			if (k == PA_FREE_SCAV || k == PA_ALLOC_SCAV) {
				if (!hg_sparse_set_uniform(
					    &p->chunks, c, c + n,
					    k == PA_FREE_SCAV ? PA_FREE_READY
							      : PA_ALLOC_READY))
					hg_pagealloc_enomem(p);
			}
			hg_hbm_set_range(&p->scav_has_free, c, c + n);
			hg_scav_index_flagged(p, c, n);
			a = chunk_base(p, c + n) - p->params.page_size;
			w.c = c + n;
		} else {
			ch = hg_chunk_mut(p, c);
			if (!ch)
				return;
			a = chunk_base(p, c) + ((hi - 1) << p->log_page);
			hg_pagebits_clear_range(ch->scav, lo, hi - lo);
			hg_hbm_set(&p->scav_has_free, c);
			hg_scav_index_flagged(p, c, 1);
			if (hi - lo == p->chunk_pages)
				hg_chunk_done(p, c);
		}
		if (!p->scav_search_valid || p->scav_search_addr < a) {
			p->scav_search_addr = a;
			p->scav_search_valid = true;
			p->scav_search_marked = true;
		}
	}
}
