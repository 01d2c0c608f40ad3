/*
 * pagefit.c - the fit tree (not Go's): where the first run of n free
 * pages (n up to a chunk's pages) lies, found without Go's radix
 * summaries. Described in mpagealloc.h's layout ("the fit tree").
 */
#include "mpagealloc.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Entries per block of the levels above the chunks: a parent is the
 * largest of its PA_FIT_FAN children. */
#define PA_FIT_FAN_BITS 6
#define PA_FIT_FAN (1u << PA_FIT_FAN_BITS)

void hg_pagefit_init(struct hg_pagealloc *p)
{
	unsigned bits = p->params.addr_bits - p->log_chunk_bytes, l;

	p->fit_cap = p->chunk_pages;
	p->fit_uniform[0] = 0;
	p->fit_uniform[1] = (uint16_t)p->fit_cap;
	for (l = 0;; l++) {
		/* Leaves of 512 entries (1 KiB): the chunks of a large heap
		 * stay in a few. */
		hg_sparse_init(&p->fit[l], bits, 9, sizeof(uint16_t));
		hg_sparse_add_uniform(&p->fit[l], &p->fit_uniform[0]);
		hg_sparse_add_uniform(&p->fit[l], &p->fit_uniform[1]);
		p->fit_bits[l] = bits;
		if (bits <= PA_FIT_FAN_BITS)
			break;
		bits -= PA_FIT_FAN_BITS;
	}
	p->fit_levels = l + 1;
}

void hg_pagefit_destroy(struct hg_pagealloc *p)
{
	unsigned l;

	for (l = 0; l < p->fit_levels; l++)
		hg_sparse_destroy(&p->fit[l]);
}

static inline uint64_t fit_get(const struct hg_pagealloc *p, unsigned l,
			       uint64_t i)
{
	const uint16_t *v = hg_sparse_get_sz(&p->fit[l], i, sizeof(*v));

	return v ? *v : 0;
}

static inline void fit_put(struct hg_pagealloc *p, unsigned l, uint64_t i,
			   uint64_t v)
{
	uint16_t *w = hg_sparse_peek_mut_sz(&p->fit[l], i, sizeof(*w));

	if (!w) {
		w = hg_sparse_get_mut(&p->fit[l], i);
		if (!w) {
			hg_pagealloc_enomem(p);
			return;
		}
	}
	*w = (uint16_t)v;
}

/* The block of up to PA_FIT_FAN entries of level l from i (a multiple of
 * the fan-out): in place, or the uniform value in *u with NULL returned
 * (0 where not backed). */
static inline const uint16_t *fit_block(const struct hg_pagealloc *p,
					unsigned l, uint64_t i, uint64_t *u)
{
	const struct hg_sparse *s = &p->fit[l];
	const char *c = hg_sparse_cached_sz(s, i, sizeof(uint16_t));
	void **slot;

	*u = 0;
	if (c)
		return (const uint16_t *)(const void *)c;
	slot = hg_sparse_slot(s, i);
	if (!slot || !*slot)
		return NULL;
	if (hg_sparse_is_uniform(*slot)) {
		*u = *(const uint16_t *)s->uniform[(uintptr_t)*slot >> 1];
		return NULL;
	}
	return (const uint16_t *)*slot +
	       (i & ((UINT64_C(1) << s->leaf_bits) - 1));
}

/* Entries in a block of level l. */
static inline unsigned fit_fan(const struct hg_pagealloc *p, unsigned l)
{
	return p->fit_bits[l] < PA_FIT_FAN_BITS ? 1u << p->fit_bits[l]
						: PA_FIT_FAN;
}

/* The largest entry of the block of level l from i. */
static uint64_t fit_block_max(const struct hg_pagealloc *p, unsigned l,
			      uint64_t i)
{
	uint64_t u;
	const uint16_t *b = fit_block(p, l, i, &u);
	unsigned n = fit_fan(p, l), j;
	uint16_t m = 0;

	if (!b)
		return u;
#ifdef __SSE2__
	if (n == PA_FIT_FAN) {
		/* Entries are below 0x8000: the signed maximum is theirs. */
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)b);

		for (j = 8; j < n; j += 8)
			v = _mm_max_epi16(
				v,
				_mm_loadu_si128((
					const __m128i *)(const void *)(b + j)));
		v = _mm_max_epi16(v, _mm_srli_si128(v, 8));
		v = _mm_max_epi16(v, _mm_srli_si128(v, 4));
		v = _mm_max_epi16(v, _mm_srli_si128(v, 2));
		return (uint64_t)_mm_extract_epi16(v, 0);
	}
#endif
	for (j = 0; j < n; j++)
		m = b[j] > m ? b[j] : m;
	return m;
}

/* Sets the fit of chunk ci to v; each level above follows while its
 * largest entry changes. */
void hg_pagefit_set(struct hg_pagealloc *p, uint64_t ci, uint64_t v)
{
	uint16_t *w = hg_sparse_peek_mut_sz(&p->fit[0], ci, sizeof(*w));
	uint64_t old = w ? *w : fit_get(p, 0, ci), i = ci, par, np;
	unsigned l;

	if (old == v)
		return;
	if (w)
		*w = (uint16_t)v;
	else
		fit_put(p, 0, ci, v);
	for (l = 1; l < p->fit_levels; l++) {
		i >>= PA_FIT_FAN_BITS;
		par = fit_get(p, l, i);
		if (v > par)
			np = v;
		else if (old == par && v < old)
			np = fit_block_max(p, l - 1, i << PA_FIT_FAN_BITS);
		else
			return;
		if (np == par)
			return;
		fit_put(p, l, i, np);
		old = par;
		v = np;
	}
}

/* Chunk ci's fit from the leaf summaries. */
uint64_t hg_pagefit_of_chunk(const struct hg_pagealloc *p, uint64_t ci)
{
	unsigned leaf = p->levels - 1;
	uint64_t s = sum_get(p, leaf, ci);

	return pa_fit_of(p, s, sum_end(p, s) ? sum_get(p, leaf, ci + 1) : 0);
}

/* The fits of the chunks [lo, hi) are all 0 (wholly allocated) or all
 * a chunk's pages (wholly free): a leaf at a time, and at each level the
 * entries above only them at once, the two at the ends from their
 * children. */
void hg_pagefit_fill(struct hg_pagealloc *p, uint64_t lo, uint64_t hi,
		     bool free_run)
{
	unsigned l, sh;

	if (lo >= hi)
		return;
	if (!hg_sparse_set_uniform(&p->fit[0], lo, hi, free_run))
		hg_pagealloc_enomem(p);
	for (l = 1; l < p->fit_levels; l++) {
		uint64_t in_lo, in_hi, a, b;

		sh = l * PA_FIT_FAN_BITS;
		in_lo = (lo + (UINT64_C(1) << sh) - 1) >> sh;
		in_hi = hi >> sh;
		if (in_lo < in_hi &&
		    !hg_sparse_set_uniform(&p->fit[l], in_lo, in_hi, free_run))
			hg_pagealloc_enomem(p);
		a = lo >> sh;
		b = (hi - 1) >> sh;
		if (a < in_lo || a >= in_hi)
			fit_put(p, l, a,
				fit_block_max(p, l - 1, a << PA_FIT_FAN_BITS));
		if (b != a && (b < in_lo || b >= in_hi))
			fit_put(p, l, b,
				fit_block_max(p, l - 1, b << PA_FIT_FAN_BITS));
	}
}

/* The first entry of level l at or above i in i's block that is at least
 * n (n >= 1), else PA_NONE. Four entries are tested at once: an entry is
 * below 0x8000, so with its top bit set the subtraction of n borrows
 * from no other entry and leaves the top bit set exactly when it is at
 * least n. */
static inline uint64_t fit_scan(const struct hg_pagealloc *p, unsigned l,
				uint64_t i, uint64_t n)
{
	unsigned fan = fit_fan(p, l), off = (unsigned)(i & (fan - 1)), k;
	uint64_t base = i - off, u;
	const uint16_t *b = fit_block(p, l, base, &u);
	const uint64_t hi = UINT64_C(0x8000800080008000);
	const uint64_t nn = n * UINT64_C(0x0001000100010001);

	if (!b)
		return u >= n ? i : PA_NONE;
	if (fan < 4) {
		for (k = off; k < fan; k++)
			if (b[k] >= n)
				return base + k;
		return PA_NONE;
	}
#ifdef __SSE2__
	if (fan == PA_FIT_FAN) {
		/* Eight entries at a time, signed (they are below 0x8000);
		 * two mask bits an entry. */
		__m128i lim = _mm_set1_epi16((short)(n - 1));

		for (k = off & ~7u; k < fan; k += 8) {
			__m128i v = _mm_loadu_si128(
				(const __m128i *)(const void *)(b + k));
			unsigned t = (unsigned)_mm_movemask_epi8(
				_mm_cmpgt_epi16(v, lim));

			if (k < off)
				t &= ~0u << ((off & 7) * 2);
			if (t)
				return base + k +
				       (unsigned)__builtin_ctz(t) / 2;
		}
		return PA_NONE;
	}
#endif
	for (k = off & ~3u; k < fan; k += 4) {
		uint64_t x = (uint64_t)b[k] | (uint64_t)b[k + 1] << 16 |
			     (uint64_t)b[k + 2] << 32 |
			     (uint64_t)b[k + 3] << 48;
		uint64_t t = ((x | hi) - nn) & hi;

		if (k < off)
			t &= ~UINT64_C(0) << ((off & 3) * 16);
		if (t)
			return base + k + ctz64(t) / 16;
	}
	return PA_NONE;
}

/* The first chunk at or above ci whose fit is at least n (1 <= n <=
 * fit_cap), else PA_NONE: up the levels until a block holds one, then
 * down to its first chunk. */
uint64_t hg_pagefit_find(const struct hg_pagealloc *p, uint64_t ci, uint64_t n)
{
	uint64_t i = ci, j;
	unsigned l = 0;

	for (;;) {
		if (p->fit_bits[l] < 64 && (i >> p->fit_bits[l]) != 0)
			return PA_NONE;
		j = fit_scan(p, l, i, n);
		if (j != PA_NONE)
			break;
		if (l + 1 == p->fit_levels)
			return PA_NONE;
		i = (i >> PA_FIT_FAN_BITS) + 1;
		l++;
	}
	while (l > 0) {
		l--;
		j = fit_scan(p, l, j << PA_FIT_FAN_BITS, n);
		if (j == PA_NONE)
			return PA_NONE; /* (never) a parent above its children
					 */
	}
	return j;
}

#define ULL(x) ((unsigned long long)(x))

/*
 * The fit tree over the chunks [lo, hi): each chunk's fit against its
 * summaries (a uniform run of chunks, wholly free or wholly allocated,
 * once: its fit does not depend on the next chunk), and each entry above
 * them against its children (a uniform block once for the entries above
 * only it).
 */
int hg_pagefit_check(const struct hg_pagealloc *p, uint64_t lo, uint64_t hi,
		     char *err, size_t errlen)
{
	uint64_t c, n, i, e;
	unsigned l;

	for (c = lo; c < hi; c += n) {
		int k = hg_sparse_uniform_at(&p->chunks, c, &n);
		uint64_t want = hg_pagefit_of_chunk(p, c), m, j;

		/* Not backed: not grown, no free page. */
		n = k >= 0 || k == -2 ? min_u64(n, hi - c) : 1;
		for (j = c; j < c + n; j += m) {
			int kf = hg_sparse_uniform_at(&p->fit[0], j, &m);

			if (kf < 0 || p->fit_uniform[kf] != want)
				m = 1;
			if (fit_get(p, 0, j) != want)
				return hg_errorf(err, errlen, HG_EINVAL,
						 "chunk %#llx: fit %llu, its "
						 "summaries say %llu",
						 ULL(j), ULL(fit_get(p, 0, j)),
						 ULL(want));
		}
	}
	for (l = 1; l < p->fit_levels; l++) {
		unsigned sh = l * PA_FIT_FAN_BITS;

		e = ((hi - 1) >> sh) + 1;
		for (i = lo >> sh; i < e; i += n) {
			uint64_t kn, want, m, j;
			int k = hg_sparse_uniform_at(&p->fit[l - 1],
						     i << PA_FIT_FAN_BITS, &kn);

			if (k >= 0 && kn >> PA_FIT_FAN_BITS > 1) {
				/* A uniform leaf of children: the entries
				 * above only it are its value. */
				n = min_u64(kn >> PA_FIT_FAN_BITS, e - i);
				want = p->fit_uniform[k];
			} else {
				n = 1;
				want = fit_block_max(p, l - 1,
						     i << PA_FIT_FAN_BITS);
			}
			for (j = i; j < i + n; j += m) {
				int kf =
					hg_sparse_uniform_at(&p->fit[l], j, &m);

				if (kf < 0 || p->fit_uniform[kf] != want)
					m = 1;
				if (fit_get(p, l, j) != want)
					return hg_errorf(
						err, errlen, HG_EINVAL,
						"fit tree level %u entry "
						"%#llx: "
						"%llu, its children's largest "
						"%llu",
						l, ULL(j),
						ULL(fit_get(p, l, j)),
						ULL(want));
			}
		}
	}
	return HG_OK;
}
