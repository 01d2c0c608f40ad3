/*
 * pagealloc_check.c - looking into the page allocator: runs of pages and
 * counts from the bitmaps, the metadata it holds, one-chunk set-up for
 * tests (Go: export_test.go) and the consistency checker.
 */
#include "mpagealloc.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Introspection                                                       */
/* ------------------------------------------------------------------ */

hg_addr hg_pagealloc_search_addr(const struct hg_pagealloc *p)
{
	return p->search_addr;
}

const struct hg_addr_ranges *hg_pagealloc_in_use(const struct hg_pagealloc *p)
{
	return &p->in_use;
}

/* The uniform run of chunks at a (chunk-aligned), up to hi: its end, or
 * 0 when the chunk at a is materialised. *k gets the prototype. */
static hg_addr uniform_run_end(const struct hg_pagealloc *p, hg_addr a,
			       hg_addr hi, int *k)
{
	uint64_t n;

	if (chunk_page_index(p, a) != 0)
		return 0;
	*k = hg_sparse_uniform_at(&p->chunks, chunk_index(p, a), &n);
	if (*k < 0)
		return 0;
	return min_u64(a + (n << p->log_chunk_bytes), hi);
}

int hg_pagealloc_runs(const struct hg_pagealloc *p, hg_addr lo, hg_addr hi,
		      hg_pagerun_fn fn, void *arg)
{
	bool have = false, ra = false, rs = false;
	hg_addr rb = 0, re = 0;
	size_t r;
	int ret;

	lo &= ~(p->params.page_size - 1);
	if (p->enomem) /* chunks may be missing */
		return 0;
	for (r = 0; r < p->in_use.len; r++) {
		hg_addr b = max_u64(p->in_use.ranges[r].base, lo);
		hg_addr e = min_u64(p->in_use.ranges[r].limit, hi);

		while (b < e) {
			const struct pa_chunk *ch =
				chunk_of(p, chunk_index(p, b));
			uint64_t pi = chunk_page_index(p, b), w = pi / 64;
			unsigned bit = (unsigned)(pi & 63);
			bool a = (ch->alloc[w] >> bit) & 1;
			bool s = (ch->scav[w] >> bit) & 1;
			uint64_t diff, n;
			hg_addr next;
			int k;

			next = uniform_run_end(p, b, e, &k);
			if (next == 0) {
				/* Pages in this word, from bit on, in the
				 * same state. */
				diff = (ch->alloc[w] ^ (a ? ~UINT64_C(0) : 0)) |
				       (ch->scav[w] ^ (s ? ~UINT64_C(0) : 0));
				diff >>= bit;
				n = min_u64(ctz64(diff), 64 - bit);
				next = b + (n << p->log_page);
				if (next > e)
					next = e;
			}
			if (p->scav_held_pages) {
				/* A run held while the scavenger releases
				 * it counts as free (pagealloc.h,
				 * hg_pagealloc_scavenge_begin). */
				hg_addr hs = p->scav_held;
				hg_addr he = hs + (p->scav_held_pages
						   << p->log_page);

				if (b < hs && next > hs)
					next = hs;
				else if (b >= hs && b < he) {
					a = false;
					next = min_u64(next, he);
				}
			}
			if (have && re == b && ra == a && rs == s) {
				re = next;
			} else {
				if (have) {
					ret = fn(arg, rb, re, ra, rs);
					if (ret)
						return ret;
				}
				have = true;
				rb = b;
				re = next;
				ra = a;
				rs = s;
			}
			b = next;
		}
	}
	if (have)
		return fn(arg, rb, re, ra, rs);
	return 0;
}

void hg_pagealloc_count(const struct hg_pagealloc *p,
			struct hg_pagealloc_counts *out)
{
	size_t r;

	memset(out, 0, sizeof(*out));
	for (r = 0; r < p->in_use.len && !p->enomem; r++) {
		uint64_t c = chunk_index(p, p->in_use.ranges[r].base);
		uint64_t ce = chunk_index(p, p->in_use.ranges[r].limit);

		while (c < ce) {
			const struct pa_chunk *ch = chunk_of(p, c);
			uint64_t n, times;
			unsigned w;
			int k = hg_sparse_uniform_at(&p->chunks, c, &n);

			times = k >= 0 ? min_u64(n, ce - c) : 1;
			for (w = 0; w < p->nwords; w++) {
				uint64_t a = ch->alloc[w], s = ch->scav[w];

				out->alloc += times * popcount64(a);
				out->alloc_scav += times * popcount64(a & s);
				out->free_scav += times * popcount64(~a & s);
			}
			out->grown += times * p->chunk_pages;
			c += times;
		}
	}
	/* A run held while the scavenger releases it is free (its pages
	 * free, unscavenged, in Go's heapFree until sysUnused returns). */
	out->alloc -= p->enomem ? 0 : p->scav_held_pages;
	out->free_ready = out->grown - out->alloc - out->free_scav;
}

/* The leaf blocks of level l's summaries that the grown ranges reach
 * (what grow would have backed). */
static uint64_t summary_blocks(const struct hg_pagealloc *p, unsigned l)
{
	unsigned lb = p->summary[l].leaf_bits;
	uint64_t n = 0, last = 0;
	bool have = false;
	size_t r;

	for (r = 0; r < p->in_use.len; r++) {
		uint64_t lo, hi, b0, b1;

		hg_addrs_to_summary_range(p, l, p->in_use.ranges[r].base,
					  p->in_use.ranges[r].limit, &lo, &hi);
		b0 = lo >> lb;
		b1 = (hi - 1) >> lb;
		if (have && b0 <= last)
			b0 = last + 1;
		if (b0 <= b1)
			n += b1 - b0 + 1;
		if (!have || b1 > last)
			last = b1;
		have = true;
	}
	return n;
}

uint64_t hg_pagealloc_metadata_bytes(const struct hg_pagealloc *p)
{
	uint64_t b = p->nchunks * 2 * (p->chunk_pages / 8);
	unsigned l;

	for (l = 0; l < p->levels; l++)
		b += summary_blocks(p, l) *
		     ((uint64_t)sizeof(uint64_t) << p->summary[l].leaf_bits);
	return b;
}

uint64_t hg_pagealloc_host_bytes(const struct hg_pagealloc *p)
{
	uint64_t b = p->chunks.nleaves *
		     (sizeof(struct pa_chunk) << p->chunks.leaf_bits);
	unsigned l;

	for (l = 0; l < p->levels; l++)
		b += p->summary[l].nleaves *
		     ((uint64_t)sizeof(uint64_t) << p->summary[l].leaf_bits);
	for (l = 0; l < p->fit_levels; l++)
		b += p->fit[l].nleaves *
		     ((uint64_t)sizeof(uint16_t) << p->fit[l].leaf_bits);
	return b + p->sum_dirty_cap * sizeof(*p->sum_dirty);
}

/* Go: NewPageAlloc, runtime/export_test.go (one chunk) */
int hg_pagealloc_init_chunk(struct hg_pagealloc *p, hg_addr chunk_base_addr,
			    const struct hg_pagerange *alloc, size_t nalloc,
			    const struct hg_pagerange *scav, size_t nscav)
{
	struct pa_chunk *ch;
	uint64_t ci;
	size_t k;
	int err;

	if (chunk_base_addr & (p->params.chunk_bytes - 1))
		return HG_EINVAL;
	for (k = 0; k < nalloc; k++)
		if (alloc[k].i + alloc[k].n > p->chunk_pages)
			return HG_EINVAL;
	for (k = 0; k < nscav; k++)
		if (scav[k].i + scav[k].n > p->chunk_pages)
			return HG_EINVAL;
	err = hg_pagealloc_grow(p, chunk_base_addr, p->params.chunk_bytes);
	if (err)
		return err;
	ci = chunk_index(p, chunk_base_addr);
	ch = hg_chunk_mut(p, ci);
	if (!ch)
		return HG_ENOMEM;
	hg_pagebits_clear_range(ch->scav, 0, p->chunk_pages);
	hg_scav_index_alloc(p, ci, ch, p->chunk_pages);
	hg_scav_index_free(p, ci, ch, 0, p->chunk_pages);
	for (k = 0; k < nscav; k++)
		if (scav[k].n)
			hg_pagebits_set_range(ch->scav, scav[k].i, scav[k].n);
	for (k = 0; k < nalloc; k++) {
		if (!alloc[k].n)
			continue;
		hg_pagebits_set_range(ch->alloc, alloc[k].i, alloc[k].n);
		hg_chunk_words_changed(ch, alloc[k].i, alloc[k].n);
		hg_pagebits_clear_range(ch->scav, alloc[k].i, alloc[k].n);
		hg_scav_index_alloc(p, ci, ch, alloc[k].n);
	}
	hg_chunk_done(p, ci);
	hg_pagealloc_update(p, chunk_base_addr, p->chunk_pages, false, false);
	return p->enomem ? HG_ENOMEM : HG_OK;
}

/* ------------------------------------------------------------------ */
/* Consistency check                                                   */
/* ------------------------------------------------------------------ */

#define ULL(x) ((unsigned long long)(x))

/* True if the chunk has an aligned group of min_pages free, unscavenged
 * pages; *top receives the page index of the highest such group. */
static bool chunk_has_candidate(const struct hg_pagealloc *p,
				const struct pa_chunk *c, uint64_t *top)
{
	int w;

	for (w = (int)p->nwords - 1; w >= 0; w--) {
		uint64_t x = hg_fill_aligned(c->scav[w] | c->alloc[w],
					     (unsigned)p->min_pages);

		if (x != ~UINT64_C(0)) {
			*top = (uint64_t)w * 64 + 63 - clz64(~x);
			return true;
		}
	}
	return false;
}

/* The leaf summaries of the chunks [c, c+n) are all sum: checked a
 * uniform block of them at a time. */
static int check_leaf_sums(const struct hg_pagealloc *p, uint64_t c, uint64_t n,
			   uint64_t sum, char *err, size_t errlen)
{
	unsigned leaf = p->levels - 1;
	uint64_t i, m;

	for (i = c; i < c + n; i += m) {
		int k = hg_sparse_uniform_at(&p->summary[leaf], i, &m);

		if (k < 0 || p->sum_uniform[leaf][k] != sum)
			m = 1;
		if (sum_get(p, leaf, i) != sum)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "chunk %#llx: leaf summary %#llx, "
					 "bitmap says %#llx",
					 ULL(i), ULL(sum_get(p, leaf, i)),
					 ULL(sum));
	}
	return HG_OK;
}

/* Each word's wocc (mpagealloc.h) against its alloc bits. */
static int check_wocc(const struct hg_pagealloc *p, uint64_t c,
		      const struct pa_chunk *ch, char *err, size_t errlen)
{
	unsigned w;

	for (w = 0; w < p->nwords; w++)
		if (ch->wocc[w] != 64 - word_max_free(ch->alloc[w]))
			return hg_errorf(err, errlen, HG_EINVAL,
					 "chunk %#llx word %u: longest free "
					 "run %u, bitmap %u",
					 ULL(c), w, 64u - ch->wocc[w],
					 word_max_free(ch->alloc[w]));
	return HG_OK;
}

/* The pages of chunk c held while the background scavenger releases
 * them (hg_pagealloc_scavenge_begin): allocated in its bitmap, not in
 * the scavenge index's inUse (Go: scavengeOne's allocRange). */
static uint64_t held_in(const struct hg_pagealloc *p, uint64_t c)
{
	if (p->scav_held_pages && chunk_index(p, p->scav_held) == c)
		return p->scav_held_pages;
	return 0;
}

/*
 * The chunk checks of hg_pagealloc_check for the n chunks [c, c+n), which
 * all hold the same bitmaps ch (n > 1 only for a run of uniform chunks,
 * checked once where each chunk would give the same answer: the lowest
 * for searchAddr, the highest for the scavenge searchAddr).
 */
static int check_chunks(const struct hg_pagealloc *p, uint64_t c, uint64_t n,
			const struct pa_chunk *ch, char *err, size_t errlen)
{
	uint64_t sum = hg_pallocbits_summarize(p, ch), top, used = 0, i;
	unsigned w;
	int rc = check_leaf_sums(p, c, n, sum, err, errlen);

	if (!rc)
		rc = check_wocc(p, c, ch, err, errlen);
	if (rc)
		return rc;
	for (w = 0; w < p->nwords; w++) {
		uint64_t free_bits = ~ch->alloc[w];
		hg_addr wb =
			chunk_base(p, c) + ((uint64_t)w * 64 << p->log_page);

		used += popcount64(ch->alloc[w]);
		if (!free_bits || wb > p->search_addr)
			continue;
		if (wb + ((uint64_t)ctz64(free_bits) << p->log_page) <
		    p->search_addr)
			return hg_errorf(
				err, errlen, HG_EINVAL,
				"page %#llx is free below searchAddr %#llx",
				ULL(wb + ((uint64_t)ctz64(free_bits)
					  << p->log_page)),
				ULL(p->search_addr));
	}
	used -= held_in(p, c);
	if (used != ch->in_use)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "chunk %#llx: scavenge index inUse %llu, "
				 "bitmap %llu",
				 ULL(c), ULL(ch->in_use), ULL(used));
	/* Go: shouldScavenge(gen, false), kept as the eligible bits. */
	for (i = c; p->params.scav_gens && i < c + n; i++) {
		bool want = hg_hbm_get(&p->scav_has_free, i) &&
			    ch->in_use < p->scav_hi_occ &&
			    !hg_hbm_get(&p->scav_hi_last, i);

		if (hg_hbm_get(&p->scav_eligible, i) != want ||
		    (hg_hbm_get(&p->scav_hi_last, i) &&
		     !hg_hbm_get(&p->scav_touched, i)))
			return hg_errorf(
				err, errlen, HG_EINVAL,
				"chunk %#llx: scavenge index "
				"eligible %d, want %d",
				ULL(i), hg_hbm_get(&p->scav_eligible, i), want);
	}
	if (chunk_has_candidate(p, ch, &top)) {
		uint64_t flagged = c + n; /* the highest flagged chunk */
		hg_addr ta;

		/* With the generations, the background scavenger marks a
		 * chunk empty when it finds nothing below its own search
		 * address there, even with pages to release above it (Go's
		 * setEmpty): a flag is then not owed, nor a search address
		 * above those pages (a forced find skips the chunk and
		 * lowers the address below it; a later free flags the
		 * chunk again but raises the address only to the pages it
		 * freed): the address is owed only the chunk's base. */
		for (i = c; !p->params.scav_gens && i < c + n; i++)
			if (!hg_hbm_get(&p->scav_has_free, i))
				return hg_errorf(err, errlen, HG_EINVAL,
						 "chunk %#llx has pages to "
						 "scavenge but no index flag",
						 ULL(i));
		for (i = c + n; i > c; i--)
			if (hg_hbm_get(&p->scav_has_free, i - 1)) {
				flagged = i - 1;
				break;
			}
		if (flagged == c + n)
			return HG_OK;
		ta = chunk_base(p, flagged);
		if (!p->params.scav_gens)
			ta += top << p->log_page;
		if (!p->scav_search_valid ||
		    (ta & ~((p->min_pages << p->log_page) - 1)) >
			    p->scav_search_addr)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "page %#llx to scavenge above "
					 "scavenge searchAddr %#llx",
					 ULL(ta), ULL(p->scav_search_addr));
	}
	return HG_OK;
}

/* Entry i of level l against its children; for a uniform block of
 * children, every entry above only them at once. Returns the entries
 * checked in *done. */
static int check_entry(const struct hg_pagealloc *p, unsigned l, uint64_t i,
		       uint64_t hi, uint64_t *done, char *err, size_t errlen)
{
	unsigned cb = p->level_bits[l + 1];
	uint64_t kids[1 << PA_LEVEL_BITS], want, nk, np, j;
	int kc = hg_sparse_uniform_at(&p->summary[l + 1], i << cb, &nk);

	hg_sparse_read(&p->summary[l + 1], i << cb, 1u << cb, kids);
	want = hg_merge_summaries(p, kids, 1u << cb, p->level_log_pages[l + 1]);
	/* Uniform children: the same want for nk >> cb entries. */
	*done = kc >= 0 ? min_u64(nk >> cb, hi - i) : 1;
	for (j = i; j < i + *done; j += np) {
		int kp = hg_sparse_uniform_at(&p->summary[l], j, &np);

		if (kp < 0 || p->sum_uniform[l][kp] != want || l == 0)
			np = 1;
		if (sum_get(p, l, j) != want)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "summary[%u][%#llx] = %#llx, "
					 "children disagree",
					 l, ULL(j), ULL(sum_get(p, l, j)));
		if (l == 0 && hg_hbm_get(&p->root_nonzero, j) != (want != 0))
			return hg_errorf(err, errlen, HG_EINVAL,
					 "root bitmap wrong at %#llx", ULL(j));
	}
	return HG_OK;
}

/*
 * Go: the invariants its tests check (mpagealloc_test.go's checkPageAlloc)
 * and more. Walks the compact form as it is: a uniform leaf of chunks or
 * of summaries is checked once for all the entries it stands for.
 */
int hg_pagealloc_check(struct hg_pagealloc *p, char *err, size_t errlen)
{
	uint64_t total = 0, nchunks = 0, c, lo_ci = 0, hi_ci = 0, n;
	unsigned l;
	size_t r;
	int rc;

	hg_pagealloc_sync(p); /* may run out of host memory itself */
	if (p->enomem)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "the host ran out of memory inside the page "
				 "allocator");
	/* inUse: sorted, coalesced, chunk-aligned, backed by grown chunks. */
	for (r = 0; r < p->in_use.len; r++) {
		struct hg_addr_range x = p->in_use.ranges[r];
		uint64_t ce;

		if (x.base >= x.limit)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "inUse[%zu] empty (%#llx)", r,
					 ULL(x.base));
		if ((x.base | x.limit) & (p->params.chunk_bytes - 1))
			return hg_errorf(
				err, errlen, HG_EINVAL,
				"inUse[%zu] [%#llx, %#llx) not chunk-aligned",
				r, ULL(x.base), ULL(x.limit));
		if (r > 0 && p->in_use.ranges[r - 1].limit >= x.base)
			return hg_errorf(
				err, errlen, HG_EINVAL,
				"inUse[%zu] at %#llx overlaps or touches %#llx",
				r, ULL(x.base),
				ULL(p->in_use.ranges[r - 1].limit));
		total += x.limit - x.base;
		ce = chunk_index(p, x.limit);
		for (c = chunk_index(p, x.base); c < ce; c += n) {
			const struct pa_chunk *ch = chunk_of(p, c);
			int k = hg_sparse_uniform_at(&p->chunks, c, &n);

			/* The uniform chunks are grown ones. */
			n = k >= 0 ? min_u64(n, ce - c) : 1;
			if (!ch || !ch->grown)
				return hg_errorf(
					err, errlen, HG_EINVAL,
					"chunk %#llx in inUse is not grown",
					ULL(c));
			nchunks += n;
		}
	}
	if (total != p->in_use.total_bytes)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "inUse total %llu, sum of ranges %llu",
				 ULL(p->in_use.total_bytes), ULL(total));
	if (nchunks != p->nchunks)
		return hg_errorf(err, errlen, HG_EINVAL,
				 "%llu chunks grown, %llu in inUse",
				 ULL(p->nchunks), ULL(nchunks));
	if (p->in_use.len) {
		lo_ci = chunk_index(p, p->in_use.ranges[0].base);
		hi_ci = chunk_index(p,
				    p->in_use.ranges[p->in_use.len - 1].limit);
		if (!p->grown || p->start != lo_ci || p->end != hi_ci)
			return hg_errorf(
				err, errlen, HG_EINVAL,
				"start/end %#llx/%#llx, inUse says %#llx/%#llx",
				ULL(p->start), ULL(p->end), ULL(lo_ci),
				ULL(hi_ci));
	}

	/* searchAddr: in inUse (or the maximum), nothing free below it. */
	if (p->search_addr != p->max_addr &&
	    !hg_addr_ranges_contains(&p->in_use, p->search_addr))
		return hg_errorf(err, errlen, HG_EINVAL,
				 "searchAddr %#llx not in inUse",
				 ULL(p->search_addr));

	/* The fit hints: no run of n free pages starts below fit_hint[n]
	 * (Go's walk finds the first one). */
	for (l = 1; l <= PA_FIT_HINTS; l++) {
		hg_addr ns, a;

		/* Kept in order (mpagealloc.h, pa_hints_freed). */
		if (l > 1 && p->fit_hint[l] < p->fit_hint[l - 1])
			return hg_errorf(err, errlen, HG_EINVAL,
					 "fit hint of %u pages %#llx below the "
					 "one of %u, %#llx",
					 l, ULL(p->fit_hint[l]), l - 1,
					 ULL(p->fit_hint[l - 1]));
		if (p->fit_hint[l] <= p->search_addr)
			continue;
		a = hg_pagealloc_find_ref(p, l, &ns);
		if (a != 0 && a < p->fit_hint[l])
			return hg_errorf(err, errlen, HG_EINVAL,
					 "a run of %u free pages at %#llx, "
					 "below its fit hint %#llx",
					 l, ULL(a), ULL(p->fit_hint[l]));
	}

	/* The uniform chunks are what they claim to be. */
	for (l = 0; l < PA_NUNIFORM; l++) {
		const struct pa_chunk *u = &p->uniform[l];
		uint64_t a =
			hg_pagebits_popcnt_range(u->alloc, 0, p->chunk_pages);
		uint64_t sc =
			hg_pagebits_popcnt_range(u->scav, 0, p->chunk_pages);
		bool alloc = l == PA_ALLOC_READY || l == PA_ALLOC_SCAV;
		bool scav = l == PA_FREE_SCAV || l == PA_ALLOC_SCAV;

		if (!u->grown || a != (alloc ? p->chunk_pages : 0) ||
		    sc != (scav ? p->chunk_pages : 0) ||
		    check_wocc(p, l, u, err, errlen))
			return hg_errorf(err, errlen, HG_EINVAL,
					 "uniform chunk %u is not uniform", l);
	}

	for (r = 0; r < p->in_use.len; r++) {
		struct hg_addr_range x = p->in_use.ranges[r];
		uint64_t ce = chunk_index(p, x.limit);

		for (c = chunk_index(p, x.base); c < ce; c += n) {
			int k = hg_sparse_uniform_at(&p->chunks, c, &n);

			n = k >= 0 ? min_u64(n, ce - c) : 1;
			rc = check_chunks(p, c, n, chunk_of(p, c), err, errlen);
			if (rc)
				return rc;
		}
		rc = hg_pagefit_check(p, chunk_index(p, x.base), ce, err,
				      errlen);
		if (rc)
			return rc;
	}

	/* Inner summary levels against their children. */
	for (l = 0; l + 1 < p->levels; l++) {
		for (r = 0; r < p->in_use.len; r++) {
			struct hg_addr_range x = p->in_use.ranges[r];
			uint64_t lo, hi, i;

			hg_addrs_to_summary_range(p, l, x.base, x.limit, &lo,
						  &hi);
			for (i = lo; i < hi; i += n) {
				rc = check_entry(p, l, i, hi, &n, err, errlen);
				if (rc)
					return rc;
			}
		}
	}
	return HG_OK;
}

/*
 * hg_pagealloc_check_range is hg_pagealloc_check for the chunks meeting
 * [lo, hi) only (the linear --check after each event): each grown chunk's
 * leaf summary and scavenge-index count against its bitmap, and every
 * summary above it against its children. O(chunks * levels), where a run
 * of uniform chunks (compact form, mpagealloc.h) counts as one chunk and
 * the summaries above only them as one entry per level.
 */
int hg_pagealloc_check_range(struct hg_pagealloc *p, hg_addr lo, hg_addr hi,
			     char *err, size_t errlen)
{
	uint64_t c, ce, n;
	int rc;

	if (hi <= lo)
		return HG_OK;
	hg_pagealloc_sync(p);
	if (p->enomem)
		return HG_OK;
	ce = chunk_index(p, hi - 1) + 1;
	c = chunk_index(p, lo);
	/* The fits, and the one of the chunk below (it may reach in). */
	rc = hg_pagefit_check(p, c > 0 ? c - 1 : 0, ce, err, errlen);
	if (rc)
		return rc;
	for (c = chunk_index(p, lo); c < ce; c += n) {
		const struct pa_chunk *ch = chunk_of(p, c);
		int k = hg_sparse_uniform_at(&p->chunks, c, &n);
		uint64_t used = 0, sum;
		hg_addr cb = chunk_base(p, c);
		unsigned l, w;

		n = k >= 0 || k == -2 ? min_u64(n, ce - c) : 1;
		if (!ch || !ch->grown)
			continue;
		sum = hg_pallocbits_summarize(p, ch);
		rc = check_leaf_sums(p, c, n, sum, err, errlen);
		if (!rc)
			rc = check_wocc(p, c, ch, err, errlen);
		if (rc)
			return rc;
		for (w = 0; w < p->nwords; w++)
			used += popcount64(ch->alloc[w]);
		if (used - held_in(p, c) != ch->in_use)
			return hg_errorf(err, errlen, HG_EINVAL,
					 "chunk %#llx: scavenge index inUse "
					 "%llu, bitmap %llu",
					 ULL(c), ULL(ch->in_use), ULL(used));
		for (l = 0; l + 1 < p->levels; l++) {
			uint64_t i, end, m;

			hg_addrs_to_summary_range(
				p, l, cb, cb + (n << p->log_chunk_bytes), &i,
				&end);
			for (; i < end; i += m) {
				rc = check_entry(p, l, i, end, &m, err, errlen);
				if (rc)
					return rc;
			}
		}
	}
	return HG_OK;
}

/* ------------------------------------------------------------------ */
/* The reference find                                                  */
/* ------------------------------------------------------------------ */

/*
 * Go: (*pageAlloc).find, runtime/mpagealloc.go, walked as Go walks it:
 * every level from the root, each from searchAddr's entry when the block
 * holds it. hg_pagealloc_find starts lower and must give the same
 * address and searchAddr candidate; the tests compare the two.
 */
hg_addr hg_pagealloc_find_ref(struct hg_pagealloc *p, uint64_t npages,
			      hg_addr *new_search)
{
	struct pa_first_free ff = { 0, p->max_addr };
	uint64_t i = 0, j;
	hg_addr a;
	unsigned l;

	*new_search = p->max_addr;
	hg_pagealloc_sync(p);
	for (l = 0; l < p->levels; l++) {
		uint64_t per_block = UINT64_C(1) << p->level_bits[l];
		unsigned log_max = p->level_log_pages[l];
		uint64_t whole = UINT64_C(1) << log_max;
		uint64_t j0 = 0, base = 0, size = 0, sidx_l;
		bool descend = false;

		i <<= p->level_bits[l];
		sidx_l = p->search_addr >> p->level_shift[l];
		if (HG_ALIGN_DOWN(sidx_l, per_block) == i)
			j0 = sidx_l & (per_block - 1);
		for (j = j0; j < per_block; j++) {
			uint64_t sum = sum_get(p, l, i + j), s;

			if (sum == 0) {
				size = 0;
				continue;
			}
			pa_found_free(&ff, (i + j) << p->level_shift[l],
				      whole << p->log_page);
			s = sum_start(p, sum);
			if (size + s >= npages) {
				if (size == 0)
					base = j << log_max;
				size += s;
				break;
			}
			if (sum_max(p, sum) >= npages) {
				i += j;
				descend = true;
				break;
			}
			if (size == 0 || s < whole) {
				size = sum_end(p, sum);
				base = ((j + 1) << log_max) - size;
				continue;
			}
			size += whole;
		}
		if (descend)
			continue;
		if (size >= npages) {
			a = (i << p->level_shift[l]) + (base << p->log_page);
			*new_search = pa_find_mapped_addr(p, ff.base);
			return a;
		}
		return 0;
	}
	return pa_find_in_chunk(p, i, npages, &ff, new_search);
}
